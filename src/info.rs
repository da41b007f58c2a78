//! INFO: the sections and fields of Redis 7.0, in its order and names.
//! Fields for subsystems fastkey does not have yet report what Redis
//! reports when they are idle (no replicas, no AOF, ...).

use crate::server::{Server, INST_COMMANDS, INST_NET_INPUT, INST_NET_OUTPUT, VERSION};
use std::fmt::Write;

/// Sections in output order, and whether plain INFO includes them.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// Which sections an INFO call asked for (Redis's genInfoSectionDict).
pub fn select_sections(args: &[&[u8]]) -> Vec<&'static str> {
    let mut want: Vec<&'static str> = Vec::new();
    let mut add = |name: &'static str| {
        if !want.contains(&name) {
            want.push(name);
        }
    };
    if args.is_empty() {
        SECTIONS.iter().filter(|s| s.1).for_each(|s| add(s.0));
    }
    for a in args {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        match a.as_str() {
            "all" => SECTIONS.iter().filter(|s| s.0 != "modules").for_each(|s| add(s.0)),
            "everything" => SECTIONS.iter().for_each(|s| add(s.0)),
            "default" => SECTIONS.iter().filter(|s| s.1).for_each(|s| add(s.0)),
            other => {
                if let Some(s) = SECTIONS.iter().find(|s| s.0 == other) {
                    add(s.0);
                }
            }
        }
    }
    // Output follows the canonical order, whatever the request order.
    SECTIONS.iter().map(|s| s.0).filter(|s| want.contains(s)).collect()
}

/// Bytes in Redis's human form: `1.82M`, `641.23M`, `0B`.
pub fn bytes_to_human(n: u64) -> String {
    let d = n as f64;
    const UNITS: [(f64, &str); 6] = [
        (1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0, "E"),
        (1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0, "P"),
        (1024.0 * 1024.0 * 1024.0 * 1024.0, "T"),
        (1024.0 * 1024.0 * 1024.0, "G"),
        (1024.0 * 1024.0, "M"),
        (1024.0, "K"),
    ];
    for (size, unit) in UNITS {
        if d >= size {
            return format!("{:.2}{}", d / size, unit);
        }
    }
    format!("{n}B")
}

/// Process memory as the allocator and the kernel see it.
pub struct MemStats {
    pub allocated: u64,
    pub active: u64,
    pub resident: u64,
    pub rss: u64,
}

pub fn mem_stats() -> MemStats {
    use tikv_jemalloc_ctl::{epoch, stats};
    // Statistics are cached by jemalloc until the epoch advances.
    let _ = epoch::advance();
    MemStats {
        allocated: stats::allocated::read().unwrap_or(0) as u64,
        active: stats::active::read().unwrap_or(0) as u64,
        resident: stats::resident::read().unwrap_or(0) as u64,
        rss: rss_bytes(),
    }
}

/// Resident set size from /proc (0 where unavailable).
pub fn rss_bytes() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/statm") else { return 0 };
    let pages: u64 = s.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn total_system_memory() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/meminfo") else { return 0 };
    s.lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Server {
    /// The INFO text for the given sections.
    pub fn gen_info(&mut self, sections: &[&str]) -> String {
        let mut out = String::with_capacity(4096);
        for (i, s) in sections.iter().enumerate() {
            if i > 0 {
                out.push_str("\r\n");
            }
            match *s {
                "server" => self.info_server(&mut out),
                "clients" => self.info_clients(&mut out),
                "memory" => self.info_memory(&mut out),
                "persistence" => self.info_persistence(&mut out),
                "stats" => self.info_stats(&mut out),
                "replication" => self.info_replication(&mut out),
                "cpu" => info_cpu(&mut out),
                "modules" => out.push_str("# Modules\r\n"),
                "commandstats" => self.info_commandstats(&mut out),
                "errorstats" => self.info_errorstats(&mut out),
                "latencystats" => out.push_str("# Latencystats\r\n"),
                "cluster" => out.push_str("# Cluster\r\ncluster_enabled:0\r\n"),
                "keyspace" => self.info_keyspace(&mut out),
                _ => {}
            }
        }
        out
    }

    fn info_server(&self, out: &mut String) {
        let uptime = self.uptime_secs();
        let uname = nix::sys::utsname::uname().ok();
        let os = uname
            .map(|u| {
                format!(
                    "{} {} {}",
                    u.sysname().to_string_lossy(),
                    u.release().to_string_lossy(),
                    u.machine().to_string_lossy()
                )
            })
            .unwrap_or_default();
        let _ = write!(
            out,
            "# Server\r\n\
             redis_version:{VERSION}\r\n\
             redis_git_sha1:00000000\r\n\
             redis_git_dirty:0\r\n\
             redis_build_id:{build}\r\n\
             redis_mode:standalone\r\n\
             os:{os}\r\n\
             arch_bits:{bits}\r\n\
             monotonic_clock:POSIX clock_gettime\r\n\
             multiplexing_api:epoll\r\n\
             atomicvar_api:c11-builtin\r\n\
             gcc_version:0.0.0\r\n\
             process_id:{pid}\r\n\
             process_supervised:no\r\n\
             run_id:{runid}\r\n\
             tcp_port:{port}\r\n\
             server_time_usec:{usec}\r\n\
             uptime_in_seconds:{uptime}\r\n\
             uptime_in_days:{days}\r\n\
             hz:{hz}\r\n\
             configured_hz:{chz}\r\n\
             lru_clock:{lru}\r\n\
             executable:{exe}\r\n\
             config_file:{conf}\r\n\
             io_threads_active:0\r\n",
            build = crate::server::FASTKEY_VERSION,
            bits = usize::BITS,
            pid = self.pid,
            runid = self.run_id,
            port = self.tcp_port,
            usec = crate::server::ustime(),
            days = uptime / 86400,
            hz = self.hz,
            chz = self.cfg.hz,
            lru = self.lru_clock,
            exe = self.executable.display(),
            conf = self.cfg.config_file_display(),
        );
    }

    fn info_clients(&self, out: &mut String) {
        let (mut max_in, mut max_out) = (0usize, 0usize);
        for (_, c) in self.clients.iter() {
            if let Some(c) = c {
                max_in = max_in.max(c.querybuf.len());
                max_out = max_out.max(c.st.reply.buf.capacity());
            }
        }
        let _ = write!(
            out,
            "# Clients\r\n\
             connected_clients:{}\r\n\
             cluster_connections:0\r\n\
             maxclients:{}\r\n\
             client_recent_max_input_buffer:{}\r\n\
             client_recent_max_output_buffer:{}\r\n\
             blocked_clients:0\r\n\
             tracking_clients:0\r\n\
             clients_in_timeout_table:0\r\n",
            self.clients.len(),
            self.cfg.maxclients,
            max_in,
            max_out
        );
    }

    /// Bytes the server spends beyond the data itself: client buffers and
    /// the hash tables' bucket arrays (Redis's used_memory_overhead).
    pub fn memory_overhead(&self) -> u64 {
        let mut n = self.used_memory_startup;
        for (_, c) in self.clients.iter() {
            if let Some(c) = c {
                n += (c.querybuf.capacity() + c.st.reply.buf.capacity()) as u64;
            }
        }
        for db in &self.dbs {
            n += (db.dict.mem_overhead() + db.expires.mem_overhead()) as u64;
        }
        n
    }

    fn info_memory(&mut self, out: &mut String) {
        let m = mem_stats();
        let used = m.allocated;
        self.used_memory_peak = self.used_memory_peak.max(used);
        let peak = self.used_memory_peak;
        let overhead = self.memory_overhead().min(used);
        let startup = self.used_memory_startup;
        let dataset = used - overhead;
        let net = used.saturating_sub(startup);
        let maxmemory = self.cfg.maxmemory;
        let sysmem = total_system_memory();
        let _ = write!(
            out,
            "# Memory\r\n\
             used_memory:{used}\r\n\
             used_memory_human:{}\r\n\
             used_memory_rss:{rss}\r\n\
             used_memory_rss_human:{}\r\n\
             used_memory_peak:{peak}\r\n\
             used_memory_peak_human:{}\r\n\
             used_memory_peak_perc:{:.2}%\r\n\
             used_memory_overhead:{overhead}\r\n\
             used_memory_startup:{startup}\r\n\
             used_memory_dataset:{dataset}\r\n\
             used_memory_dataset_perc:{:.2}%\r\n\
             allocator_allocated:{}\r\n\
             allocator_active:{}\r\n\
             allocator_resident:{}\r\n\
             total_system_memory:{sysmem}\r\n\
             total_system_memory_human:{}\r\n\
             used_memory_lua:0\r\n\
             used_memory_vm_eval:0\r\n\
             used_memory_lua_human:0B\r\n\
             used_memory_scripts_eval:0\r\n\
             number_of_cached_scripts:0\r\n\
             number_of_functions:0\r\n\
             number_of_libraries:0\r\n\
             used_memory_vm_functions:0\r\n\
             used_memory_vm_total:0\r\n\
             used_memory_vm_total_human:0B\r\n\
             used_memory_functions:0\r\n\
             used_memory_scripts:0\r\n\
             used_memory_scripts_human:0B\r\n\
             maxmemory:{maxmemory}\r\n\
             maxmemory_human:{}\r\n\
             maxmemory_policy:{}\r\n\
             allocator_frag_ratio:{:.2}\r\n\
             allocator_frag_bytes:{}\r\n\
             allocator_rss_ratio:{:.2}\r\n\
             allocator_rss_bytes:{}\r\n\
             rss_overhead_ratio:{:.2}\r\n\
             rss_overhead_bytes:{}\r\n\
             mem_fragmentation_ratio:{:.2}\r\n\
             mem_fragmentation_bytes:{}\r\n\
             mem_not_counted_for_evict:0\r\n\
             mem_replication_backlog:0\r\n\
             mem_total_replication_buffers:0\r\n\
             mem_clients_slaves:0\r\n\
             mem_clients_normal:{}\r\n\
             mem_cluster_links:0\r\n\
             mem_aof_buffer:0\r\n\
             mem_allocator:jemalloc-5.3.0\r\n\
             active_defrag_running:0\r\n\
             lazyfree_pending_objects:{}\r\n\
             lazyfreed_objects:{}\r\n",
            bytes_to_human(used),
            bytes_to_human(m.rss),
            bytes_to_human(peak),
            ratio(used, peak) * 100.0,
            ratio(dataset, net) * 100.0,
            m.allocated,
            m.active,
            m.resident,
            bytes_to_human(sysmem),
            bytes_to_human(maxmemory),
            self.cfg.maxmemory_policy,
            ratio(m.active, m.allocated),
            m.active as i64 - m.allocated as i64,
            ratio(m.resident, m.active),
            m.resident as i64 - m.active as i64,
            ratio(m.rss, m.resident),
            m.rss as i64 - m.resident as i64,
            ratio(m.rss, used),
            m.rss as i64 - used as i64,
            self.client_buffers_bytes(),
            self.bio.lazyfree_pending(),
            self.bio.lazyfreed(),
            rss = m.rss,
        );
    }

    fn client_buffers_bytes(&self) -> u64 {
        self.clients
            .iter()
            .filter_map(|(_, c)| c.as_ref())
            .map(|c| (c.querybuf.capacity() + c.st.reply.buf.capacity()) as u64)
            .sum()
    }

    fn info_persistence(&self, out: &mut String) {
        let _ = write!(
            out,
            "# Persistence\r\n\
             loading:0\r\n\
             async_loading:0\r\n\
             current_cow_peak:0\r\n\
             current_cow_size:0\r\n\
             current_cow_size_age:0\r\n\
             current_fork_perc:0.00\r\n\
             current_save_keys_processed:0\r\n\
             current_save_keys_total:0\r\n\
             rdb_changes_since_last_save:{}\r\n\
             rdb_bgsave_in_progress:0\r\n\
             rdb_last_save_time:{}\r\n\
             rdb_last_bgsave_status:ok\r\n\
             rdb_last_bgsave_time_sec:-1\r\n\
             rdb_current_bgsave_time_sec:-1\r\n\
             rdb_saves:0\r\n\
             rdb_last_cow_size:0\r\n\
             rdb_last_load_keys_expired:0\r\n\
             rdb_last_load_keys_loaded:0\r\n\
             aof_enabled:0\r\n\
             aof_rewrite_in_progress:0\r\n\
             aof_rewrite_scheduled:0\r\n\
             aof_last_rewrite_time_sec:-1\r\n\
             aof_current_rewrite_time_sec:-1\r\n\
             aof_last_bgrewrite_status:ok\r\n\
             aof_rewrites:0\r\n\
             aof_rewrites_consecutive_failures:0\r\n\
             aof_last_write_status:ok\r\n\
             aof_last_cow_size:0\r\n\
             module_fork_in_progress:0\r\n\
             module_fork_last_cow_size:0\r\n",
            self.dirty,
            self.lastsave_unix
        );
    }

    fn info_stats(&self, out: &mut String) {
        let s = &self.stats;
        let kbps = |i: usize| s.inst[i].get() as f64 / 1024.0;
        let _ = write!(
            out,
            "# Stats\r\n\
             total_connections_received:{}\r\n\
             total_commands_processed:{}\r\n\
             instantaneous_ops_per_sec:{}\r\n\
             total_net_input_bytes:{}\r\n\
             total_net_output_bytes:{}\r\n\
             total_net_repl_input_bytes:0\r\n\
             total_net_repl_output_bytes:0\r\n\
             instantaneous_input_kbps:{:.2}\r\n\
             instantaneous_output_kbps:{:.2}\r\n\
             instantaneous_input_repl_kbps:0.00\r\n\
             instantaneous_output_repl_kbps:0.00\r\n\
             rejected_connections:{}\r\n\
             sync_full:0\r\n\
             sync_partial_ok:0\r\n\
             sync_partial_err:0\r\n\
             expired_keys:{}\r\n\
             expired_stale_perc:{:.2}\r\n\
             expired_time_cap_reached_count:{}\r\n\
             expire_cycle_cpu_milliseconds:{}\r\n\
             evicted_keys:{}\r\n\
             evicted_clients:0\r\n\
             total_eviction_exceeded_time:0\r\n\
             current_eviction_exceeded_time:0\r\n\
             keyspace_hits:{}\r\n\
             keyspace_misses:{}\r\n\
             pubsub_channels:0\r\n\
             pubsub_patterns:0\r\n\
             pubsubshard_channels:0\r\n\
             latest_fork_usec:0\r\n\
             total_forks:0\r\n\
             migrate_cached_sockets:0\r\n\
             slave_expires_tracked_keys:0\r\n\
             active_defrag_hits:0\r\n\
             active_defrag_misses:0\r\n\
             active_defrag_key_hits:0\r\n\
             active_defrag_key_misses:0\r\n\
             total_active_defrag_time:0\r\n\
             current_active_defrag_time:0\r\n\
             tracking_total_keys:0\r\n\
             tracking_total_items:0\r\n\
             tracking_total_prefixes:0\r\n\
             unexpected_error_replies:{}\r\n\
             total_error_replies:{}\r\n\
             dump_payload_sanitizations:0\r\n\
             total_reads_processed:{}\r\n\
             total_writes_processed:{}\r\n\
             io_threaded_reads_processed:0\r\n\
             io_threaded_writes_processed:0\r\n\
             reply_buffer_shrinks:0\r\n\
             reply_buffer_expands:0\r\n",
            s.numconnections,
            s.numcommands,
            s.inst[INST_COMMANDS].get(),
            s.net_input_bytes,
            s.net_output_bytes,
            kbps(INST_NET_INPUT),
            kbps(INST_NET_OUTPUT),
            s.rejected_conn,
            s.expired_keys,
            s.expired_stale_perc * 100.0,
            s.expired_time_cap_reached_count,
            s.expire_cycle_cpu_ms,
            s.evicted_keys,
            s.keyspace_hits,
            s.keyspace_misses,
            s.unexpected_error_replies,
            s.total_error_replies,
            s.reads_processed,
            s.writes_processed,
        );
    }

    fn info_replication(&self, out: &mut String) {
        let _ = write!(
            out,
            "# Replication\r\n\
             role:master\r\n\
             connected_slaves:0\r\n\
             master_failover_state:no-failover\r\n\
             master_replid:{}\r\n\
             master_replid2:0000000000000000000000000000000000000000\r\n\
             master_repl_offset:0\r\n\
             second_repl_offset:-1\r\n\
             repl_backlog_active:0\r\n\
             repl_backlog_size:{}\r\n\
             repl_backlog_first_byte_offset:0\r\n\
             repl_backlog_histlen:0\r\n",
            self.replid, self.cfg.repl_backlog_size
        );
    }

    fn info_commandstats(&self, out: &mut String) {
        out.push_str("# Commandstats\r\n");
        for (id, st) in self.stats.cmds.iter().enumerate() {
            if st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0 {
                continue;
            }
            let per_call = if st.calls > 0 { st.usec as f64 / st.calls as f64 } else { 0.0 };
            let _ = write!(
                out,
                "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
                self.table.full_names[id], st.calls, st.usec, per_call, st.rejected_calls, st.failed_calls
            );
        }
    }

    fn info_errorstats(&self, out: &mut String) {
        out.push_str("# Errorstats\r\n");
        let mut codes: Vec<_> = self.stats.errors.iter().collect();
        codes.sort();
        for (code, n) in codes {
            let _ = write!(out, "errorstat_{code}:count={n}\r\n");
        }
    }

    fn info_keyspace(&self, out: &mut String) {
        out.push_str("# Keyspace\r\n");
        for (i, db) in self.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            let _ = write!(
                out,
                "db{}:keys={},expires={},avg_ttl={}\r\n",
                i,
                db.len(),
                db.expires.len(),
                db.avg_ttl
            );
        }
    }
}

fn info_cpu(out: &mut String) {
    use nix::sys::resource::{getrusage, UsageWho};
    let secs = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
    let (mut ss, mut su, mut cs, mut cu, mut ts, mut tu) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    if let Ok(r) = getrusage(UsageWho::RUSAGE_SELF) {
        ss = secs(r.system_time());
        su = secs(r.user_time());
    }
    if let Ok(r) = getrusage(UsageWho::RUSAGE_CHILDREN) {
        cs = secs(r.system_time());
        cu = secs(r.user_time());
    }
    if let Ok(r) = getrusage(UsageWho::RUSAGE_THREAD) {
        ts = secs(r.system_time());
        tu = secs(r.user_time());
    }
    let _ = write!(
        out,
        "# CPU\r\n\
         used_cpu_sys:{ss:.6}\r\n\
         used_cpu_user:{su:.6}\r\n\
         used_cpu_sys_children:{cs:.6}\r\n\
         used_cpu_user_children:{cu:.6}\r\n\
         used_cpu_sys_main_thread:{ts:.6}\r\n\
         used_cpu_user_main_thread:{tu:.6}\r\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(1905528), "1.82M");
        assert_eq!(bytes_to_human(32768), "32.00K");
    }

    #[test]
    fn section_selection() {
        assert_eq!(select_sections(&[b"keyspace", b"SERVER"]), vec!["server", "keyspace"]);
        let d = select_sections(&[]);
        assert!(d.contains(&"errorstats") && !d.contains(&"commandstats"));
        let all = select_sections(&[b"all"]);
        assert!(all.contains(&"commandstats") && !all.contains(&"modules"));
        assert!(select_sections(&[b"everything"]).contains(&"modules"));
        assert!(select_sections(&[b"nosuch"]).is_empty());
    }
}
