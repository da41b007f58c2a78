//! maxmemory with allkeys-lru: a flood of SETs far beyond the limit keeps
//! the process's memory bounded, measured as RSS (not timing).

mod common;

use common::Server;

const MAXMEMORY: u64 = 50 << 20;

fn info_u64(srv: &Server, section: &str, field: &str) -> u64 {
    srv.info_field(section, field)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("INFO {section} {field}"))
}

#[test]
fn flood_of_sets_stays_near_maxmemory() {
    let srv = Server::start(&["--maxmemory", "50mb", "--maxmemory-policy", "allkeys-lru"]);
    let baseline = common::rss_of(srv.pid);
    let mut con = srv.redis();
    let value = vec![b'v'; 1000];
    // 200k keys of 1000 bytes: about four times the limit.
    for batch in 0..200 {
        let mut pipe = redis::pipe();
        for i in 0..1000 {
            pipe.cmd("SET").arg(format!("key:{batch}:{i}")).arg(&value).ignore();
        }
        let _: () = pipe.query(&mut con).expect("SETs under allkeys-lru are never refused");
    }
    let used = info_u64(&srv, "memory", "used_memory");
    let evicted = info_u64(&srv, "stats", "evicted_keys");
    let rss = common::rss_of(srv.pid);
    assert!(evicted > 100_000, "only {evicted} keys evicted");
    // The memory check runs every few commands, so a little over is fine.
    assert!(used < MAXMEMORY + (2 << 20), "used_memory {used} over the limit");
    assert!(
        rss < 2 * MAXMEMORY + baseline,
        "RSS {rss} (baseline {baseline}) above twice maxmemory"
    );
    // Approximate LRU evicts some keys, not all of them.
    let keys: u64 = redis::cmd("DBSIZE").query(&mut con).expect("DBSIZE");
    assert!(keys > 10_000 && keys < 100_000, "{keys} keys left");
}
