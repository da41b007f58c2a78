//! Access bookkeeping for eviction (Redis's evict.c): each value's 24-bit
//! `lru` field holds either the LRU clock of its last access (seconds), or,
//! under an LFU policy, a 16-bit last-decrement time in minutes and an
//! 8-bit logarithmic access counter.

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

    #[test]
    fn lru_wraps() {
        assert_eq!(lru_idle_ms(10, 15), 5000);
        assert_eq!(lru_idle_ms(LRU_CLOCK_MAX - 1, 2), 3000);
    }
}
