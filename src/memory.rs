//! Where the allocated bytes go: the breakdown behind MEMORY STATS, INFO
//! memory's overhead fields and MEMORY DOCTOR's report, and the allocator
//! requests of MEMORY MALLOC-STATS and MEMORY PURGE (object.c's
//! getMemoryOverheadData and getMemoryDoctorReport, zmalloc.c's
//! jemalloc_purge).
//!
//! Every figure is either read from jemalloc (`stats.allocated`, `active`,
//! `resident`), from /proc (RSS), or is the size of a structure the server
//! really holds (buffer capacities, hash table arrays and entries).

use crate::info::{mem_stats, MemStats};
use crate::server::Server;

/// The overhead of one non-empty database's hash tables.
pub struct DbOverhead {
    pub id: usize,
    /// Bucket arrays and entries of the keyspace dict (an entry holds the
    /// key and the object inline, Redis's dictEntry + robj).
    pub main: u64,
    /// The same for the expires dict.
    pub expires: u64,
}

/// Redis's `struct redisMemOverhead`.
pub struct MemOverhead {
    pub peak_allocated: u64,
    pub total_allocated: u64,
    pub startup_allocated: u64,
    pub repl_backlog: u64,
    pub clients_slaves: u64,
    pub clients_normal: u64,
    pub aof_buffer: u64,
    pub lua_caches: u64,
    pub functions_caches: u64,
    pub dbs: Vec<DbOverhead>,
    pub overhead_total: u64,
    pub total_keys: u64,
    pub bytes_per_key: u64,
    /// `total_allocated - overhead_total` (may be negative in theory when
    /// an estimate exceeds what jemalloc reports; Redis's size_t would wrap,
    /// here it saturates at 0).
    pub dataset: u64,
    /// Ratios are single-precision, as Redis computes them (`float`), so
    /// the digits printed by `%.17g` have the same shape.
    pub dataset_perc: f32,
    pub peak_perc: f32,
    pub alloc: MemStats,
    pub total_frag: f32,
    pub total_frag_bytes: i64,
    pub allocator_frag: f32,
    pub allocator_frag_bytes: i64,
    pub allocator_rss: f32,
    pub allocator_rss_bytes: i64,
    pub rss_extra: f32,
    pub rss_extra_bytes: i64,
    /// Clients connected (the caller included), replicas not counted.
    pub num_clients: u64,
    pub num_replicas: u64,
    pub num_scripts: u64,
}

/// `a / b` in single precision as C's `(float)a / b`; 0 when `b` is 0
/// (jemalloc never reports 0 for a running server, but a ratio must not
/// turn into NaN in a reply).
fn ratio(a: u64, b: u64) -> f32 {
    if b == 0 {
        0.0
    } else {
        a as f32 / b as f32
    }
}

fn diff(a: u64, b: u64) -> i64 {
    i64::try_from(a)
        .unwrap_or(i64::MAX)
        .saturating_sub(i64::try_from(b).unwrap_or(i64::MAX))
}

impl Server {
    /// Bytes held for one client beyond its slab slot: the structure itself
    /// and its query and reply buffers (Redis's getClientMemoryUsage).
    fn client_bytes(c: &crate::client::Client) -> u64 {
        (std::mem::size_of::<crate::client::Client>() + c.querybuf.capacity() + c.st.reply.buf.capacity()) as u64
    }

    /// Memory of normal clients and of replicas (with the stream collected
    /// for a replica during its full sync), in that order.
    pub fn client_memory(&self) -> (u64, u64) {
        let (mut normal, mut replicas) = (0u64, 0u64);
        for (_, c) in self.clients.iter() {
            let Some(c) = c else { continue };
            let n = Self::client_bytes(c);
            match c.st.repl.as_ref().filter(|_| c.st.is_replica()) {
                Some(r) => replicas = replicas.saturating_add(n.saturating_add(r.pending.capacity() as u64)),
                None => normal = normal.saturating_add(n),
            }
        }
        (normal, replicas)
    }

    /// Redis's getMemoryOverheadData: the jemalloc reading, the overhead by
    /// component and the ratios derived from them. Also raises the peak, so
    /// `peak.allocated` is never below `total.allocated`.
    pub fn memory_overhead_data(&mut self) -> MemOverhead {
        let m = mem_stats();
        let used = m.allocated;
        self.used_memory_peak = self.used_memory_peak.max(used);
        let startup = self.used_memory_startup;
        let mut total = startup;

        let repl_backlog = self.repl.backlog.as_ref().map_or(0, |b| b.mem_bytes() as u64);
        total = total.saturating_add(repl_backlog);
        let (clients_normal, clients_slaves) = self.client_memory();
        total = total.saturating_add(clients_slaves).saturating_add(clients_normal);
        // Redis counts the AOF buffer only while the AOF is on; fastkey's
        // buffer is empty when it is off, so its capacity is the figure.
        let aof_buffer = self.aof.buf.capacity() as u64;
        total = total.saturating_add(aof_buffer);
        let lua_caches = self.scripting.scripts_mem as u64;
        total = total.saturating_add(lua_caches);
        let functions_caches = self.scripting.functions.overhead() as u64;
        total = total.saturating_add(functions_caches);

        let mut dbs = Vec::new();
        let mut total_keys = 0u64;
        for (id, db) in self.dbs.iter().enumerate() {
            let keys = db.dict().len() as u64;
            if keys == 0 {
                continue;
            }
            total_keys = total_keys.saturating_add(keys);
            let main = db.dict().mem_overhead() as u64;
            let expires = db.expires().mem_overhead() as u64;
            total = total.saturating_add(main).saturating_add(expires);
            dbs.push(DbOverhead { id, main, expires });
        }

        let dataset = used.saturating_sub(total);
        // Redis divides by 1 when nothing was allocated since start-up.
        let net = if used > startup { used - startup } else { 1 };
        let num_replicas = self.repl.replicas.len() as u64;
        // The caller is out of its slab slot while its command runs, but
        // still an entry of the slab: len() counts it, as Redis's list does.
        let num_clients = (self.clients.len() as u64).saturating_sub(num_replicas);
        MemOverhead {
            peak_allocated: self.used_memory_peak,
            total_allocated: used,
            startup_allocated: startup,
            repl_backlog,
            clients_slaves,
            clients_normal,
            aof_buffer,
            lua_caches,
            functions_caches,
            dbs,
            overhead_total: total,
            total_keys,
            bytes_per_key: net.checked_div(total_keys).unwrap_or(0),
            dataset,
            dataset_perc: dataset as f32 * 100.0 / net as f32,
            peak_perc: ratio(used, self.used_memory_peak) * 100.0,
            total_frag: ratio(m.rss, used),
            total_frag_bytes: diff(m.rss, used),
            allocator_frag: ratio(m.active, m.allocated),
            allocator_frag_bytes: diff(m.active, m.allocated),
            allocator_rss: ratio(m.resident, m.active),
            allocator_rss_bytes: diff(m.resident, m.active),
            rss_extra: ratio(m.rss, m.resident),
            rss_extra_bytes: diff(m.rss, m.resident),
            num_clients,
            num_replicas,
            num_scripts: self.scripting.scripts.len() as u64,
            alloc: m,
        }
    }

    /// MEMORY DOCTOR's text (Redis's getMemoryDoctorReport, same thresholds
    /// and words).
    pub fn memory_doctor_report(&mut self) -> String {
        let mh = self.memory_overhead_data();
        const MB10: i64 = 10 << 20;
        // Below 5 MB allocated nothing is reported but emptiness.
        if mh.total_allocated < 5 * 1024 * 1024 {
            return EMPTY.to_string();
        }
        let mut issues: Vec<&str> = Vec::new();
        if ratio(mh.peak_allocated, mh.total_allocated) > 1.5 {
            issues.push(BIG_PEAK);
        }
        if mh.total_frag > 1.4 && mh.total_frag_bytes > MB10 {
            issues.push(HIGH_FRAG);
        }
        if mh.allocator_frag > 1.1 && mh.allocator_frag_bytes > MB10 {
            issues.push(HIGH_ALLOC_FRAG);
        }
        if mh.allocator_rss > 1.1 && mh.allocator_rss_bytes > MB10 {
            issues.push(HIGH_ALLOC_RSS);
        }
        if mh.rss_extra > 1.1 && mh.rss_extra_bytes > MB10 {
            issues.push(HIGH_PROC_RSS);
        }
        // Redis prints the replica paragraph before the client one whatever
        // order the checks run in.
        let big_client = mh.clients_normal.checked_div(mh.num_clients).unwrap_or(0) > 1024 * 200;
        if mh.num_replicas > 0 && mh.clients_slaves > 1024 * 1024 * 10 {
            issues.push(BIG_REPLICA_BUF);
        }
        if big_client {
            issues.push(BIG_CLIENT_BUF);
        }
        if mh.num_scripts > 1000 {
            issues.push(MANY_SCRIPTS);
        }
        if issues.is_empty() {
            return NO_ISSUES.to_string();
        }
        let mut s = String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
        for i in issues {
            s.push_str(i);
        }
        s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
        s
    }
}

/// MEMORY MALLOC-STATS: jemalloc's own statistics report, with the default
/// options (as `je_malloc_stats_print(.., NULL)`).
pub fn malloc_stats() -> Vec<u8> {
    let mut out = Vec::new();
    if tikv_jemalloc_ctl::stats_print::stats_print(&mut out, Default::default()).is_err() {
        out.clear();
    }
    out
}

/// MEMORY PURGE: asks jemalloc to return the dirty pages of every arena to
/// the kernel (`arena.<narenas>.purge`, where the arena count as index
/// means all arenas). Returns false when jemalloc refused.
pub fn purge() -> bool {
    let Ok(n) = tikv_jemalloc_ctl::arenas::narenas::read() else {
        return false;
    };
    let name = format!("arena.{n}.purge\0");
    // SAFETY: `name` is NUL-terminated and outlives the call; the purge
    // control takes no input and gives no output, so every pointer is null
    // and both lengths 0, as jemalloc requires of it.
    let rc = unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr().cast(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    };
    rc == 0
}

const EMPTY: &str = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";

const NO_ISSUES: &str =
    "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";

const BIG_PEAK: &str = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n";

const HIGH_FRAG: &str = " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"jemalloc-5.3.0\".\n\n";

const HIGH_ALLOC_FRAG: &str = " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n";

const HIGH_ALLOC_RSS: &str = " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n";

const HIGH_PROC_RSS: &str = " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n";

const BIG_REPLICA_BUF: &str = " * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n";

const BIG_CLIENT_BUF: &str = " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n";

const MANY_SCRIPTS: &str = " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n";
