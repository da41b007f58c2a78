//! Access bookkeeping for eviction (Redis's evict.c): each value's 24-bit
//! `lru` field holds either the LRU clock of its last access (seconds), or,
//! under an LFU policy, a 16-bit last-decrement time in minutes and an
//! 8-bit logarithmic access counter. With `maxmemory` set, keys are
//! evicted before commands run (performEvictions).

use crate::sbytes::SBytes;
use crate::server::Server;
use std::time::{Duration, Instant};

/// Counter given to new values under LFU, so they are not evicted at once.
pub const LFU_INIT_VAL: u32 = 5;
const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// The maxmemory-policy families that decide how `lru` is maintained.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Policy {
    Lru,
    Lfu,
    Other,
}

impl Policy {
    /// From a maxmemory-policy name (`allkeys-lfu`, `volatile-lru`, ...).
    pub fn from_name(name: &str) -> Policy {
        if name.ends_with("-lfu") {
            Policy::Lfu
        } else if name.ends_with("-lru") {
            Policy::Lru
        } else {
            Policy::Other
        }
    }

    pub fn is_lfu(self) -> bool {
        self == Policy::Lfu
    }

    /// Redis stops sharing small integers when values need their own
    /// access data.
    pub fn tracks_lru_or_lfu(self) -> bool {
        self != Policy::Other
    }
}

/// The access data of a value given idle seconds (LRU policies) or a
/// frequency (LFU) by RESTORE or a loaded RDB file (objectSetLRUOrLFU);
/// `lru` unchanged when the matching one is absent.
pub fn restored_lru(lru: u32, lfu: bool, idle_secs: Option<i64>, freq: Option<i64>, clock: u32, now_ms: i64) -> u32 {
    if lfu {
        match freq {
            Some(f) => (minutes(now_ms) << 8) | f.clamp(0, 255) as u32,
            None => lru,
        }
    } else {
        match idle_secs {
            Some(idle) => {
                let idle = (idle.max(0) as u64 % LRU_CLOCK_MAX as u64) as u32;
                if idle <= clock {
                    clock - idle
                } else {
                    LRU_CLOCK_MAX - (idle - clock)
                }
            }
            None => lru,
        }
    }
}

/// Milliseconds since a value with LRU clock `lru` was last used.
pub fn lru_idle_ms(lru: u32, clock: u32) -> u64 {
    let ticks = if clock >= lru {
        clock - lru
    } else {
        clock + (LRU_CLOCK_MAX - lru)
    };
    ticks as u64 * 1000
}

fn minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) & 0xFFFF) as u32
}

fn minutes_elapsed(ldt: u32, now_ms: i64) -> u32 {
    let now = minutes(now_ms);
    if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    }
}

/// The `lru` field of a new value under LFU.
pub fn lfu_init(now_ms: i64) -> u32 {
    (minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// The counter after decaying by one per `decay_minutes` elapsed.
pub fn lfu_decayed(lru: u32, decay_minutes: i32, now_ms: i64) -> u32 {
    let ldt = lru >> 8;
    let counter = lru & 255;
    let periods = if decay_minutes > 0 {
        minutes_elapsed(ldt, now_ms) as i64 / decay_minutes as i64
    } else {
        0
    };
    (counter as i64 - periods).max(0) as u32
}

/// Records one access: decay, then a logarithmic increment (the higher the
/// counter, the less likely it grows), as Redis's updateLFU.
pub fn lfu_touch(lru: u32, log_factor: i32, decay_minutes: i32, now_ms: i64, r: f64) -> u32 {
    let mut counter = lfu_decayed(lru, decay_minutes, now_ms);
    if counter < 255 {
        let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
        let p = 1.0 / (base * log_factor as f64 + 1.0);
        if r < p {
            counter += 1;
        }
    }
    (minutes(now_ms) << 8) | counter
}

/// Candidates kept between eviction rounds (Redis's EVPOOL_SIZE).
pub const EVPOOL_SIZE: usize = 16;

/// The error for commands refused while over `maxmemory` with nothing left
/// to evict.
pub const OOM_ERROR: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// Keys evicted between reads of jemalloc's global figure (which costs an
/// epoch advance) and time-limit checks.
const EVICT_CHECK_EVERY: u64 = 16;

/// Bytes this thread has allocated minus freed, from jemalloc's per-thread
/// counters: two loads, cheap enough for every command.
fn thread_net_allocated() -> i64 {
    use tikv_jemalloc_ctl::thread::{allocatedp, deallocatedp, ThreadLocal};
    type Counters = Option<(ThreadLocal<u64>, ThreadLocal<u64>)>;
    thread_local! {
        static COUNTERS: Counters = allocatedp::read().ok().zip(deallocatedp::read().ok());
    }
    COUNTERS.with(|c| c.map_or(0, |(a, d)| a.get() as i64 - d.get() as i64))
}

/// What `maxmemory-policy` evicts, parsed from its name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    NoEviction,
    Lru,
    Lfu,
    Ttl,
    Random,
}

fn parse_policy(name: &str) -> (Kind, bool) {
    let volatile = name.starts_with("volatile-");
    let kind = match name.rsplit('-').next() {
        Some("lru") => Kind::Lru,
        Some("lfu") => Kind::Lfu,
        Some("ttl") => Kind::Ttl,
        Some("random") => Kind::Random,
        _ => Kind::NoEviction,
    };
    (kind, volatile)
}

/// The outcome of `perform_evictions` (Redis's EVICT_OK/RUNNING/FAIL).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// Under the limit (or evicting is not safe now).
    Ok,
    /// Still over, but the time limit stopped us: the loop goes on
    /// evicting between turns and commands are not refused meanwhile.
    Running,
    /// Over the limit with nothing left to evict.
    Fail,
}

struct Candidate {
    score: u64,
    db: usize,
    key: SBytes,
}

/// Eviction state kept in `Server`.
#[derive(Default)]
pub struct Evictor {
    /// Ascending by score: the best candidate is last.
    pool: Vec<Candidate>,
    /// jemalloc's `stats::allocated` at the last sync...
    synced: u64,
    /// ...and this thread's net allocation then: used memory is estimated
    /// as `synced` plus what the loop thread allocated since (Redis reads a
    /// counter too). Frees on the pool show up at the next sync.
    thread_at_sync: i64,
    /// Round-robin db for the random policies.
    next_db: usize,
    /// The time limit stopped the last round: continue before sleeping.
    pub pending: bool,
    /// Whether the last command started out of memory (Redis's
    /// pre_command_oom_state), for the script OOM rules.
    pub oom: bool,
}

impl Evictor {
    /// Re-reads the global figure (from the cron, and while evicting).
    pub fn sync(&mut self) {
        self.synced = crate::info::mem_stats_allocated();
        self.thread_at_sync = thread_net_allocated();
    }

    fn estimate(&self) -> u64 {
        let delta = thread_net_allocated() - self.thread_at_sync;
        (self.synced as i64 + delta).max(0) as u64
    }
}

/// Redis's evictionTimeLimitUs: 50 us per tenacity point up to 10, then
/// 15% more per point; 100 means no limit.
fn time_limit(tenacity: i32) -> Option<Duration> {
    match tenacity {
        t if t <= 10 => Some(Duration::from_micros(50 * t.max(0) as u64)),
        t if t < 100 => Some(Duration::from_micros((500.0 * 1.15f64.powi(t - 10)) as u64)),
        _ => None,
    }
}

/// Adds a candidate to the pool, keeping it sorted and at most
/// `EVPOOL_SIZE` long; a full pool drops its worst (lowest score) entry
/// (Redis's evictionPoolPopulate).
fn pool_insert(pool: &mut Vec<Candidate>, c: Candidate) {
    if pool.iter().any(|e| e.db == c.db && e.key == c.key) {
        return;
    }
    if pool.len() == EVPOOL_SIZE {
        if pool.first().is_some_and(|w| c.score <= w.score) {
            return;
        }
        pool.remove(0);
    }
    let at = pool.partition_point(|e| e.score < c.score);
    pool.insert(at, c);
}

impl Server {
    /// Memory counted against `maxmemory`: the allocator's figure minus the
    /// AOF buffer (Redis's freeMemoryGetNotCountedMemory).
    pub fn mem_not_counted_for_evict(&self) -> u64 {
        self.aof.buf.capacity() as u64
    }

    /// Used memory counted for eviction: the estimate, or a fresh global
    /// reading when `sync`.
    fn evict_used_memory(&mut self, sync: bool) -> u64 {
        if sync {
            self.evict.sync();
        }
        self.evict.estimate().saturating_sub(self.mem_not_counted_for_evict())
    }

    /// Whether eviction may run now (Redis's isSafeToPerformEvictions): not
    /// while a file loads, a script is past its busy threshold, or clients
    /// are paused.
    fn safe_to_evict(&self) -> bool {
        self.loading.is_none()
            && !self.scripting.busy()
            && self.pause.is_none()
            && !(self.has_master() && self.cfg.replica_ignore_maxmemory)
    }

    /// Redis's performEvictions: evicts keys per `maxmemory-policy` until
    /// used memory is under `maxmemory`, within the tenacity time limit.
    pub fn perform_evictions(&mut self) -> Outcome {
        self.evict.pending = false;
        if !self.safe_to_evict() {
            return Outcome::Ok;
        }
        let limit = self.cfg.maxmemory;
        if self.evict_used_memory(false) <= limit {
            return Outcome::Ok;
        }
        let (kind, volatile) = parse_policy(&self.cfg.maxmemory_policy);
        if kind == Kind::NoEviction {
            return Outcome::Fail;
        }
        let deadline = time_limit(self.cfg.maxmemory_eviction_tenacity);
        let start = Instant::now();
        let mut evicted = 0u64;
        loop {
            let Some((db, key)) = self.pick_victim(kind, volatile) else {
                // Nothing left: memory may still be on its way out.
                return if self.evict_used_memory(true) <= limit {
                    Outcome::Ok
                } else {
                    Outcome::Fail
                };
            };
            self.evict_key(db, &key);
            evicted += 1;
            // Lazily freed values leave on the pool: only the global
            // figure, read now and then, sees them go.
            let sync = evicted.is_multiple_of(EVICT_CHECK_EVERY);
            if self.evict_used_memory(sync) <= limit {
                return Outcome::Ok;
            }
            if sync && deadline.is_some_and(|d| start.elapsed() > d) {
                self.evict.pending = true;
                return Outcome::Running;
            }
        }
    }

    /// Deletes one victim: stats, the `evicted` event, the modified-key
    /// signal and a DEL/UNLINK for the AOF, as Redis's performEvictions.
    fn evict_key(&mut self, db: usize, key: &[u8]) {
        let Some((_, o)) = self.dbs[db].remove(key) else {
            return;
        };
        let lazy = self.cfg.lazyfree_lazy_eviction;
        self.free_value(o.v, lazy);
        self.stats.evicted_keys += 1;
        self.signal_modified_key(db, key);
        self.notify_keyspace_event(crate::config::notify::EVICTED, "evicted", key, db);
        self.propagate_deletion(db, key, lazy);
    }

    /// The next key to evict, if any key qualifies.
    fn pick_victim(&mut self, kind: Kind, volatile: bool) -> Option<(usize, SBytes)> {
        if kind == Kind::Random {
            return self.random_victim(volatile);
        }
        loop {
            let mut sampled = 0;
            for db in 0..self.dbs.len() {
                sampled += self.pool_populate(db, kind, volatile);
            }
            if sampled == 0 && self.evict.pool.is_empty() {
                return None;
            }
            // Best first; entries whose key went meanwhile are skipped.
            while let Some(c) = self.evict.pool.pop() {
                let d = &self.dbs[c.db];
                let alive = if volatile {
                    d.expires().contains_key(&c.key)
                } else {
                    d.contains_key(&c.key)
                };
                if alive {
                    return Some((c.db, c.key));
                }
            }
            if sampled == 0 {
                return None;
            }
        }
    }

    /// Samples `maxmemory-samples` keys of `db` into the pool; returns how
    /// many were sampled.
    fn pool_populate(&mut self, db: usize, kind: Kind, volatile: bool) -> usize {
        let n = self.cfg.maxmemory_samples.max(1) as usize;
        let (clock, now) = (self.lru_clock, self.now_ms);
        let decay = self.cfg.lfu_decay_time;
        let mut found: Vec<(SBytes, u32, i64)> = Vec::with_capacity(n);
        let d = &self.dbs[db];
        let got = if volatile {
            d.expires().sample(n, &mut self.rng, |k, &when| {
                let lru = d.get(k).map_or(0, |o| o.lru);
                found.push((k.clone(), lru, when));
            })
        } else {
            d.dict()
                .sample(n, &mut self.rng, |k, o| found.push((k.clone(), o.lru, 0)))
        };
        for (key, lru, when) in found {
            let score = match kind {
                Kind::Lru => lru_idle_ms(lru, clock),
                Kind::Lfu => 255 - lfu_decayed(lru, decay, now) as u64,
                // Sooner expiry, higher score.
                _ => u64::MAX - when.max(0) as u64,
            };
            pool_insert(&mut self.evict.pool, Candidate { score, db, key });
        }
        got
    }

    /// allkeys-random/volatile-random: a random key of the next non-empty
    /// db, round robin.
    fn random_victim(&mut self, volatile: bool) -> Option<(usize, SBytes)> {
        let n = self.dbs.len();
        for _ in 0..n {
            self.evict.next_db = (self.evict.next_db + 1) % n;
            let d = &self.dbs[self.evict.next_db];
            let key = if volatile {
                d.expires().random_entry(&mut self.rng).map(|(k, _)| k.clone())
            } else {
                d.dict().random_entry(&mut self.rng).map(|(k, _)| k.clone())
            };
            if let Some(k) = key {
                return Some((self.evict.next_db, k));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfu_counts_and_decays() {
        let t0 = 10 * 60_000;
        let mut lru = lfu_init(t0);
        assert_eq!(lfu_decayed(lru, 1, t0), LFU_INIT_VAL);
        lru = lfu_touch(lru, 10, 1, t0, 0.0);
        assert_eq!(lru & 255, LFU_INIT_VAL + 1);
        // Three minutes later with decay 1: three periods off.
        assert_eq!(lfu_decayed(lru, 1, t0 + 3 * 60_000), LFU_INIT_VAL - 2);
        assert_eq!(lfu_decayed(lru, 0, t0 + 3 * 60_000), LFU_INIT_VAL + 1);
    }

    fn cand(score: u64, key: &[u8]) -> Candidate {
        Candidate {
            score,
            db: 0,
            key: SBytes::from(key),
        }
    }

    #[test]
    fn pool_keeps_the_best_sorted() {
        let mut pool = Vec::new();
        for i in 0..40u64 {
            pool_insert(&mut pool, cand((i * 7) % 40, format!("k{i}").as_bytes()));
        }
        assert_eq!(pool.len(), EVPOOL_SIZE);
        let scores: Vec<u64> = pool.iter().map(|c| c.score).collect();
        assert_eq!(scores, (24..40).collect::<Vec<_>>());
        // A duplicate key is not added twice.
        pool_insert(&mut pool, cand(100, b"k0"));
        pool_insert(&mut pool, cand(100, b"k0"));
        assert_eq!(pool.iter().filter(|c| c.key == SBytes::from(&b"k0"[..])).count(), 1);
    }

    #[test]
    fn policies_and_time_limits() {
        assert_eq!(parse_policy("volatile-ttl"), (Kind::Ttl, true));
        assert_eq!(parse_policy("allkeys-lfu"), (Kind::Lfu, false));
        assert_eq!(parse_policy("noeviction"), (Kind::NoEviction, false));
        assert_eq!(time_limit(10), Some(Duration::from_micros(500)));
        assert_eq!(time_limit(100), None);
    }

    #[test]
    fn lru_wraps() {
        assert_eq!(lru_idle_ms(10, 15), 5000);
        assert_eq!(lru_idle_ms(LRU_CLOCK_MAX - 1, 2), 3000);
    }
}
