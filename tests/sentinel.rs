//! High availability with Redis Sentinel (issue #9): a fastkey primary with
//! two fastkey replicas, watched by a real `redis-sentinel`. The primary
//! takes writes acknowledged by `WAIT 1`, is killed, Sentinel promotes a
//! replica and points the other one at it, and the old primary, restarted
//! on its port with its old data, is turned into a replica of the new one
//! by Sentinel. No write acknowledged by a replica may be lost.

mod common;

use common::{try_digest, wait_until, which, Server, ServerOpts};
use redis::Connection;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Generous: two cores shared with other builds, and Sentinel's own
/// timers (3 s down-after, up to 1 s of failover start jitter, 8 s before
/// it reconfigures a rejoining master) add up.
const LONG: Duration = Duration::from_secs(40);

fn sentinel_available() -> Option<PathBuf> {
    let found = which("redis-sentinel");
    if found.is_none() {
        eprintln!("skipped: redis-sentinel is not installed");
    }
    found
}

/// A fastkey server with a config file (so Sentinel's CONFIG REWRITE has
/// somewhere to write) and an append-only file (so a restarted primary
/// comes back with its old, stale, data).
fn fastkey(args: &[&str]) -> Server {
    let mut opts = ServerOpts::new(args);
    opts.config_file = Some("appendonly yes\nappendfsync always\nlogfile {dir}/log\n".to_string());
    opts.tag = "sentinel-fk";
    opts.start()
}

/// One redis-sentinel monitoring `mymaster` at `primary_port`, quorum 1.
fn sentinel(bin: &PathBuf, primary_port: u16) -> Server {
    let mut opts = ServerOpts::new(&[]).bin(bin);
    opts.fixed = false;
    opts.tag = "sentinel";
    opts.config_file = Some(format!(
        "port {{port}}\n\
         bind 127.0.0.1\n\
         dir {{dir}}\n\
         sentinel monitor mymaster 127.0.0.1 {primary_port} 1\n\
         sentinel down-after-milliseconds mymaster 3000\n\
         sentinel failover-timeout mymaster 10000\n\
         sentinel parallel-syncs mymaster 1\n"
    ));
    opts.start()
}

/// A connection for polling, or None: Sentinel's CLIENT KILL TYPE normal
/// and the restarts reset connections, and a poll simply tries again.
fn try_con(srv: &Server) -> Option<Connection> {
    let client = redis::Client::open(srv.url()).ok()?;
    let con = client.get_connection_with_timeout(Duration::from_secs(10)).ok()?;
    con.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    Some(con)
}

/// The port Sentinel gives for `mymaster`.
fn master_port(s: &Server) -> Option<u16> {
    let mut c = try_con(s)?;
    let addr: Option<(String, u16)> = redis::cmd("SENTINEL")
        .arg("get-master-addr-by-name")
        .arg("mymaster")
        .query(&mut c)
        .ok()?;
    addr.map(|(_, p)| p)
}

/// Sentinel's view of the replicas: (port, flags, master-link-status).
fn sentinel_replicas(s: &Server) -> Vec<(u16, String, String)> {
    let Some(mut c) = try_con(s) else {
        return Vec::new();
    };
    let Ok(list) = redis::cmd("SENTINEL")
        .arg("replicas")
        .arg("mymaster")
        .query::<Vec<Vec<String>>>(&mut c)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|fields| {
            let get = |name: &str| {
                fields
                    .chunks(2)
                    .find(|kv| kv[0] == name)
                    .map(|kv| kv[1].clone())
                    .unwrap_or_default()
            };
            (
                get("port").parse().unwrap_or(0),
                get("flags"),
                get("master-link-status"),
            )
        })
        .collect()
}

/// ROLE of a server as (role, master port, link state) where applicable.
fn role(srv: &Server) -> Option<(String, u16, String)> {
    let mut c = try_con(srv)?;
    let v: redis::Value = redis::cmd("ROLE").query(&mut c).ok()?;
    let redis::Value::Array(items) = v else {
        return None;
    };
    let text = |v: &redis::Value| match v {
        redis::Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        redis::Value::SimpleString(s) => s.clone(),
        redis::Value::Int(i) => i.to_string(),
        _ => String::new(),
    };
    let name = text(items.first()?);
    if name == "slave" {
        let port = text(items.get(2)?).parse().ok()?;
        Some((name, port, text(items.get(3)?)))
    } else {
        Some((name, 0, String::new()))
    }
}

fn is_replica_of(srv: &Server, port: u16) -> bool {
    role(srv).is_some_and(|(r, p, link)| r == "slave" && p == port && link == "connected")
        && try_con(srv)
            .and_then(|mut c| redis::cmd("INFO").arg("replication").query::<String>(&mut c).ok())
            .is_some_and(|info| info.contains("\r\nmaster_link_status:up\r\n"))
}

/// Writes batches of keys, each followed by `WAIT 1`, until told to stop
/// or the primary goes away; returns the keys (and values) of the batches
/// at least one replica acknowledged.
fn writer(port: u16, stop: Arc<AtomicBool>, acked: Arc<Mutex<Vec<(String, String)>>>) {
    let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}/")) else {
        return;
    };
    let Ok(mut c) = client.get_connection() else {
        return;
    };
    let _ = c.set_read_timeout(Some(Duration::from_secs(10)));
    let mut batch = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let keys: Vec<(String, String)> = (0..20)
            .map(|i| {
                (
                    format!("key:{batch}:{i}"),
                    format!("value-{batch}-{i}-{}", "x".repeat(i * 7)),
                )
            })
            .collect();
        let mut pipe = redis::pipe();
        for (k, v) in &keys {
            pipe.cmd("SET").arg(k).arg(v).ignore();
        }
        pipe.cmd("WAIT").arg(1).arg(2000);
        let Ok((n,)) = pipe.query::<(i64,)>(&mut c) else {
            return;
        };
        if n >= 1 {
            acked.lock().unwrap().extend(keys);
        }
        batch += 1;
    }
}

/// Every acknowledged write is on the server `which` names.
fn assert_no_acked_write_missing(c: &mut Connection, acked: &[(String, String)], which: &str) {
    let lost = missing_keys(c, acked);
    assert!(
        lost.is_empty(),
        "{} acknowledged writes missing on {which}: {:?}",
        lost.len(),
        &lost[..lost.len().min(10)]
    );
}

fn missing_keys(c: &mut Connection, keys: &[(String, String)]) -> Vec<String> {
    let mut missing = Vec::new();
    for chunk in keys.chunks(500) {
        let names: Vec<&str> = chunk.iter().map(|(k, _)| k.as_str()).collect();
        let got: Vec<Option<String>> = redis::cmd("MGET").arg(&names).query(c).unwrap();
        for ((k, v), g) in chunk.iter().zip(got) {
            if g.as_deref() != Some(v.as_str()) {
                missing.push(format!("{k} = {g:?}"));
            }
        }
    }
    missing
}

/// Everyone's output, for a failure message.
fn dump(why: &str, sentinel: &Server, servers: &[&Server]) -> String {
    let mut out = format!("{why}\n=== sentinel ===\n{}", sentinel.output());
    for (i, s) in servers.iter().enumerate() {
        out.push_str(&format!("\n=== fastkey {i} (port {}) ===\n{}", s.port, s.output()));
    }
    out
}

fn assert_same_digest(primary: &Server, other: &Server, what: &str) {
    let (mut pc, mut oc) = (primary.redis(), other.redis());
    let mut last = (Ok(String::new()), Ok(String::new()));
    let same = wait_until(LONG, || {
        last = (try_digest(&mut pc), try_digest(&mut oc));
        last.0.is_ok() && last.0 == last.1
    });
    assert!(same, "{what}: DEBUG DIGEST differs: {:?} vs {:?}", last.0, last.1);
}

#[test]
fn sentinel_fails_over_and_rejoins_the_old_primary() {
    let Some(sentinel_bin) = sentinel_available() else {
        return;
    };
    let mut primary = fastkey(&[]);
    let pport = primary.port.to_string();
    let replicas = [
        fastkey(&["--replicaof", "127.0.0.1", &pport]),
        fastkey(&["--replicaof", "127.0.0.1", &pport]),
    ];
    for r in &replicas {
        let up = wait_until(LONG, || is_replica_of(r, primary.port));
        assert!(up, "a replica did not sync:\n{}", r.output());
    }
    let s = sentinel(&sentinel_bin, primary.port);
    // Sentinel learns the replicas from the primary's INFO and connects to
    // them; it can only fail over to one it knows and finds healthy.
    let known = wait_until(LONG, || {
        let r = sentinel_replicas(&s);
        r.len() == 2 && r.iter().all(|(_, flags, link)| flags == "slave" && link == "ok")
    });
    assert!(
        known,
        "{}",
        dump(
            &format!("Sentinel does not see both replicas: {:?}", sentinel_replicas(&s)),
            &s,
            &[&primary, &replicas[0], &replicas[1]]
        )
    );

    // Load with WAIT, then kill the primary in the middle of it.
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let w = {
        let (stop, acked, port) = (stop.clone(), acked.clone(), primary.port);
        std::thread::spawn(move || writer(port, stop, acked))
    };
    let loaded = wait_until(LONG, || acked.lock().unwrap().len() >= 2000);
    assert!(
        loaded,
        "{}",
        dump(
            "the write load did not get acknowledgements",
            &s,
            &[&primary, &replicas[0], &replicas[1]]
        )
    );
    primary.kill();
    stop.store(true, Ordering::Relaxed);
    w.join().unwrap();
    let acked = acked.lock().unwrap().clone();

    // Sentinel promotes one of the replicas.
    let ports = [replicas[0].port, replicas[1].port];
    let mut new_port = 0;
    let promoted = wait_until(LONG, || {
        new_port = master_port(&s).unwrap_or(0);
        ports.contains(&new_port)
    });
    assert!(
        promoted,
        "{}",
        dump(
            "Sentinel did not fail over",
            &s,
            &[&primary, &replicas[0], &replicas[1]]
        )
    );
    let (new, other) = if new_port == replicas[0].port {
        (&replicas[0], &replicas[1])
    } else {
        (&replicas[1], &replicas[0])
    };
    let is_master = wait_until(LONG, || role(new).is_some_and(|(r, _, _)| r == "master"));
    assert!(
        is_master,
        "{}",
        dump(
            "the promoted replica is not a master",
            &s,
            &[&primary, &replicas[0], &replicas[1]]
        )
    );
    assert_no_acked_write_missing(&mut new.redis(), &acked, "the new primary");

    // The other replica follows the new primary.
    let follows = wait_until(LONG, || is_replica_of(other, new_port));
    assert!(
        follows,
        "{}",
        dump(
            "the other replica was not reconfigured",
            &s,
            &[&primary, &replicas[0], &replicas[1]]
        )
    );

    // The old primary comes back on its port, as a master with its old
    // data; Sentinel turns it into a replica of the new primary.
    primary.restart();
    let rejoined = wait_until(LONG, || is_replica_of(&primary, new_port));
    assert!(
        rejoined,
        "{}",
        dump(
            "the old primary did not rejoin as a replica",
            &s,
            &[&primary, &replicas[0], &replicas[1]]
        )
    );
    assert_no_acked_write_missing(&mut primary.redis(), &acked, "the old primary");
    // Sentinel's CONFIG REWRITE made the change survive a restart.
    let conf = std::fs::read_to_string(primary.dir.join("test.conf")).unwrap();
    assert!(
        conf.contains(&format!("\nreplicaof 127.0.0.1 {new_port}\n")),
        "the rewritten config does not name the new primary:\n{conf}"
    );

    assert_same_digest(new, other, "the other replica");
    assert_same_digest(new, &primary, "the old primary");
}
