//! Per-command latency histograms (INFO latencystats), with the resolution
//! Redis gives its hdr_histogram: 2 significant decimal digits over
//! 1 ns .. 1 s, i.e. every value below 256 ns exactly, and above that 128
//! linear sub-buckets per power of two.

/// Values below this are counted exactly.
const EXACT: u64 = 256;
const SUB_BUCKETS: u64 = 128;
/// Latencies are clamped to one second, as Redis's histogram range.
const MAX_VALUE: u64 = 1_000_000_000;

#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; index_of(MAX_VALUE) + 1],
            total: 0,
        }
    }

    pub fn record(&mut self, nanos: u64) {
        let v = nanos.clamp(1, MAX_VALUE);
        self.counts[index_of(v)] += 1;
        self.total += 1;
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// The value at percentile `p` (0..100): the highest value of the
    /// bucket holding that rank, as hdr_value_at_percentile reports it.
    pub fn value_at_percentile(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let want = ((p.clamp(0.0, 100.0) / 100.0) * self.total as f64 + 0.5) as u64;
        let want = want.max(1);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                return highest_in_bucket(i);
            }
        }
        MAX_VALUE
    }
}

fn index_of(v: u64) -> usize {
    if v < EXACT {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros() as u64; // >= 8
    let shift = msb - 7;
    let sub = v >> shift; // 128..=255
    (EXACT + (shift - 1) * SUB_BUCKETS + (sub - SUB_BUCKETS)) as usize
}

fn highest_in_bucket(i: usize) -> u64 {
    let i = i as u64;
    if i < EXACT {
        return i;
    }
    let shift = (i - EXACT) / SUB_BUCKETS + 1;
    let sub = (i - EXACT) % SUB_BUCKETS + SUB_BUCKETS;
    (sub << shift) + (1 << shift) - 1
}

/// A percentile as Redis labels it: `%f` with trailing zeros trimmed
/// (`50`, `99`, `99.9`).
pub fn percentile_label(p: f64) -> String {
    let s = format!("{p:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_values() {
        for v in [1u64, 255, 256, 257, 511, 512, 1000, 123_456, MAX_VALUE] {
            let i = index_of(v);
            assert!(highest_in_bucket(i) >= v, "{v}");
            if i > 0 {
                assert!(highest_in_bucket(i - 1) < v, "{v}");
            }
        }
    }

    #[test]
    fn percentiles() {
        let mut h = Histogram::new();
        for v in 1..=100 {
            h.record(v * 1000);
        }
        let p50 = h.value_at_percentile(50.0);
        assert!((50_000..=50_500).contains(&p50), "{p50}");
        assert!(h.value_at_percentile(99.9) >= 100_000);
        assert_eq!(percentile_label(99.9), "99.9");
        assert_eq!(percentile_label(50.0), "50");
    }
}

/// Samples kept per event, as Redis's LATENCY_TS_LEN.
const EVENT_SAMPLES: usize = 160;

/// One latency-monitor event class (`command`, `fast-command`,
/// `expire-cycle`...): recent spikes, one per second at most.
#[derive(Default)]
pub struct EventSeries {
    /// (unix seconds, milliseconds), oldest first.
    pub samples: std::collections::VecDeque<(i64, u64)>,
    pub max: u64,
}

/// The latency monitor (Redis's latency.c): spikes at or above
/// `latency-monitor-threshold`, by event name, in first-seen order.
#[derive(Default)]
pub struct LatencyMonitor {
    pub events: Vec<(String, EventSeries)>,
}

impl LatencyMonitor {
    /// Records a spike; two in the same second keep the larger.
    pub fn add_sample(&mut self, event: &str, now_s: i64, ms: u64) {
        let idx = match self.events.iter().position(|(n, _)| n == event) {
            Some(i) => i,
            None => {
                self.events.push((event.to_string(), EventSeries::default()));
                self.events.len() - 1
            }
        };
        let series = &mut self.events[idx].1;
        series.max = series.max.max(ms);
        match series.samples.back_mut() {
            Some(last) if last.0 == now_s => last.1 = last.1.max(ms),
            _ => {
                series.samples.push_back((now_s, ms));
                if series.samples.len() > EVENT_SAMPLES {
                    series.samples.pop_front();
                }
            }
        }
    }

    pub fn get(&self, event: &[u8]) -> Option<&EventSeries> {
        self.events.iter().find(|(n, _)| n.as_bytes() == event).map(|(_, s)| s)
    }

    /// Drops the named events (all when `names` is empty); returns how many.
    pub fn reset(&mut self, names: &[&[u8]]) -> usize {
        let before = self.events.len();
        if names.is_empty() {
            self.events.clear();
        } else {
            self.events.retain(|(n, _)| !names.contains(&n.as_bytes()));
        }
        before - self.events.len()
    }
}

impl Histogram {
    /// Cumulative counts at the power-of-two steps Redis's LATENCY
    /// HISTOGRAM reports (1024 ns, 2048 ns, ...), as (step in µs, count),
    /// listing only the steps where the count grew.
    pub fn cumulative_pow2_usec(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut step: u64 = 1024;
        let mut prev = 0;
        let mut cumulative = 0;
        let mut i = 0;
        while prev < self.total && step <= MAX_VALUE * 2 {
            while i < self.counts.len() && lowest_in_bucket(i) <= step {
                cumulative += self.counts[i];
                i += 1;
            }
            if cumulative > prev {
                out.push((step / 1000, cumulative));
            }
            prev = cumulative;
            step *= 2;
        }
        out
    }
}

fn lowest_in_bucket(i: usize) -> u64 {
    let i = i as u64;
    if i < EXACT {
        return i;
    }
    let shift = (i - EXACT) / SUB_BUCKETS + 1;
    let sub = (i - EXACT) % SUB_BUCKETS + SUB_BUCKETS;
    sub << shift
}

#[cfg(test)]
mod monitor_tests {
    use super::*;

    #[test]
    fn samples_merge_per_second_and_ring_is_bounded() {
        let mut m = LatencyMonitor::default();
        m.add_sample("command", 100, 5);
        m.add_sample("command", 100, 9);
        m.add_sample("command", 101, 3);
        let s = m.get(b"command").unwrap();
        assert_eq!(s.samples.iter().copied().collect::<Vec<_>>(), vec![(100, 9), (101, 3)]);
        assert_eq!(s.max, 9);
        for t in 0..500 {
            m.add_sample("x", t, 1);
        }
        assert_eq!(m.get(b"x").unwrap().samples.len(), EVENT_SAMPLES);
        assert_eq!(m.reset(&[b"x"]), 1);
        assert_eq!(m.reset(&[]), 1);
    }

    #[test]
    fn cumulative_steps() {
        let mut h = Histogram::new();
        h.record(500);
        h.record(1500);
        h.record(1500);
        h.record(100_000);
        assert_eq!(h.cumulative_pow2_usec(), vec![(1, 1), (2, 3), (131, 4)]);
    }
}
