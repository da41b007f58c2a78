//! Replication with a real Redis replica: redis-server 7 started with
//! `--replicaof` fastkey syncs (full resync from fastkey's snapshot), then
//! follows a mixed write load, WAIT sees its ACKs, and after its link is
//! killed it resumes with a partial resync from the backlog. The full
//! sync is tested in both forms: the dump file (`repl-diskless-sync no`)
//! and the RDB streamed to the replica's socket.

mod common;

use common::{redis_server_available, try_digest, wait_until, Server, ServerOpts};
use redis::{Commands, Connection};
use std::time::Duration;

/// Data of every type, with TTLs, in two databases.
fn fill(con: &mut Connection) {
    let _: () = con.set("str", "hello").unwrap();
    let _: () = con.set("int", 12345).unwrap();
    let _: () = con.set("long", "abc".repeat(2000)).unwrap();
    let _: () = con.set_ex("ttl", "v", 5000).unwrap();
    let big: Vec<String> = (0..2000).map(|i| format!("element-{i}")).collect();
    let _: () = con.rpush("list", &big).unwrap();
    let _: () = con.sadd("intset", &[1, 2, 3, -5]).unwrap();
    let _: () = con.sadd("set", &big).unwrap();
    let pairs: Vec<(f64, String)> = (0..300).map(|i| (i as f64 / 3.0, format!("m{i}"))).collect();
    let _: () = con.zadd_multiple("zset", &pairs).unwrap();
    let fields: Vec<(String, String)> = (0..600).map(|i| (format!("f{i}"), format!("v{i}"))).collect();
    let _: () = con.hset_multiple("hash", &fields).unwrap();
    let _: () = con.hset_multiple("smallhash", &[("a", "1")]).unwrap();
    let _: () = redis::cmd("XADD")
        .arg("stream")
        .arg("1-1")
        .arg("f")
        .arg("v")
        .query(con)
        .unwrap();
    let _: () = redis::cmd("PFADD").arg("hll").arg("a").arg("b").query(con).unwrap();
    let _: () = redis::cmd("SELECT").arg(3).query(con).unwrap();
    let _: () = con.set("in3", "three").unwrap();
    let _: () = redis::cmd("SELECT").arg(0).query(con).unwrap();
}

/// Writes of many kinds, including the ones propagated in a rewritten form
/// (relative TTLs, SPOP, INCRBYFLOAT, scripts, transactions).
fn write_load(con: &mut Connection, round: u32) {
    for i in 0..200 {
        let k = format!("k{round}:{i}");
        let _: () = con.set_ex(&k, i, 1000).unwrap();
        let _: i64 = con.incr("counter", 1).unwrap();
        let _: () = con.lpush("list", i).unwrap();
        let _: Option<String> = con.lpop("list", None).unwrap();
        let _: () = con.hset("hash", format!("h{i}"), round).unwrap();
        let _: () = con.zadd("zset", format!("z{i}"), i).unwrap();
        let _: () = con.sadd("pool", format!("p{i}")).unwrap();
        if i % 3 == 0 {
            let _: Option<String> = redis::cmd("SPOP").arg("pool").query(con).unwrap();
        }
        let _: () = con.expire("str", 10_000).unwrap();
        if i % 10 == 0 {
            let _: () = con.del(format!("k{round}:{}", i / 2)).unwrap();
            let _: f64 = redis::cmd("INCRBYFLOAT").arg("float").arg("1.5").query(con).unwrap();
        }
    }
    let (a, b): (i64, i64) = redis::pipe().atomic().incr("tx", 1).incr("tx", 2).query(con).unwrap();
    assert_eq!(b, a + 2);
    let _: () = redis::cmd("EVAL")
        .arg("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])")
        .arg(2)
        .arg("scripted")
        .arg("scount")
        .arg(round)
        .query(con)
        .unwrap();
    let _: () = redis::cmd("SELECT").arg(7).query(con).unwrap();
    let _: () = con.set(format!("db7:{round}"), round).unwrap();
    let _: () = con.rpush("db7list", round).unwrap();
    let _: () = redis::cmd("SELECT").arg(0).query(con).unwrap();
}

fn stat(srv: &Server, field: &str) -> i64 {
    srv.info_field("stats", field)
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1)
}

fn link_up(srv: &Server) -> bool {
    srv.info_field("replication", "master_link_status").as_deref() == Some("up")
}

/// Waits until the replica's dataset is the primary's.
/// Kills the primary's one replica link (CLIENT KILL TYPE `kind`: Redis
/// takes "slave" or "replica"), writes load round 2 meanwhile, and checks
/// that the replica came back with one partial resync, not a full one.
fn cut_link_expect_partial_resync(primary: &Server, pc: &mut Connection, kind: &str, replica: &Server) {
    let partial_before = stat(primary, "sync_partial_ok");
    let killed: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg(kind)
        .query(pc)
        .unwrap();
    assert_eq!(killed, 1);
    write_load(pc, 2);
    let resumed = wait_until(Duration::from_secs(20), || {
        stat(primary, "sync_partial_ok") == partial_before + 1 && link_up(replica)
    });
    assert!(
        resumed,
        "no partial resync:\n{}\n{}",
        primary.output(),
        replica.output()
    );
    assert_eq!(stat(primary, "sync_full"), 1, "a full resync happened again");
}

fn assert_in_sync(primary: &mut Connection, replica: &mut Connection, what: &str) {
    let mut last = (Ok(String::new()), Ok(String::new()));
    let same = wait_until(Duration::from_secs(20), || {
        last = (try_digest(primary), try_digest(replica));
        last.0.is_ok() && last.0 == last.1
    });
    assert!(
        same,
        "{what}: DEBUG DIGEST differs: primary {:?} replica {:?}",
        last.0, last.1
    );
}

#[test]
fn redis_replica_syncs_follows_and_resyncs_partially() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let fk = Server::start(&["--repl-diskless-sync", "no"]);
    let mut fkc = fk.redis();
    fill(&mut fkc);

    let port = fk.port.to_string();
    let rs = ServerOpts::new(&["--replicaof", "127.0.0.1", &port])
        .bin(&redis_bin)
        .start();
    let mut rsc = rs.redis();
    let up = wait_until(Duration::from_secs(20), || link_up(&rs));
    assert!(up, "the replica did not sync:\n{}\n{}", rs.output(), fk.output());
    assert_eq!(stat(&fk, "sync_full"), 1);
    assert_in_sync(&mut fkc, &mut rsc, "after the full sync");

    write_load(&mut fkc, 1);
    let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut fkc).unwrap();
    assert_eq!(acked, 1, "WAIT 1 5000");
    assert_in_sync(&mut fkc, &mut rsc, "after the write load");
    let role: redis::Value = redis::cmd("ROLE").query(&mut fkc).unwrap();
    let role = format!("{role:?}");
    assert!(role.contains("master") && role.contains(&rs.port.to_string()), "{role}");
    let line = fk.info_field("replication", "slave0").unwrap_or_default();
    assert!(
        line.starts_with(&format!("ip=127.0.0.1,port={},state=online,offset=", rs.port)),
        "{line}"
    );
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .arg("TYPE")
        .arg("replica")
        .query(&mut fkc)
        .unwrap();
    assert!(list.contains("flags=S"), "{list}");

    // PUBLISH reaches the replica's subscribers (propagated to replicas
    // only, as Redis does).
    let mut sub_con = rs.redis();
    let mut sub = sub_con.as_pubsub();
    sub.subscribe("news").unwrap();
    sub.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _: i64 = redis::cmd("PUBLISH").arg("news").arg("hello").query(&mut fkc).unwrap();
    let msg = sub.get_message().expect("a message published on fastkey");
    assert_eq!(msg.get_payload::<String>().unwrap(), "hello");
    drop(sub);

    // Kill the link: the replica reconnects and continues from the backlog.
    cut_link_expect_partial_resync(&fk, &mut fkc, "slave", &rs);
    assert_eq!(stat(&fk, "sync_partial_err"), 0);
    write_load(&mut fkc, 3);
    let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut fkc).unwrap();
    assert_eq!(acked, 1, "WAIT after the partial resync");
    assert_in_sync(&mut fkc, &mut rsc, "after the partial resync");
}

#[test]
fn replica_waiting_for_a_running_bgsave_syncs_after_it() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let fk = Server::start(&["--repl-diskless-sync", "no"]);
    let mut fkc = fk.redis();
    // Enough data that the BGSAVE is still running when the replica comes.
    let _: () = redis::cmd("DEBUG")
        .arg("POPULATE")
        .arg(1_000_000)
        .query(&mut fkc)
        .unwrap();
    let _: () = redis::cmd("BGSAVE").query(&mut fkc).unwrap();
    let port = fk.port.to_string();
    let rs = ServerOpts::new(&["--replicaof", "127.0.0.1", &port])
        .bin(&redis_bin)
        .start();
    let mut rsc = rs.redis();
    let _: () = fkc.set("during", "sync").unwrap();
    let up = wait_until(Duration::from_secs(30), || link_up(&rs));
    assert!(up, "the replica did not sync:\n{}", fk.output());
    assert!(
        fk.output().contains("Waiting for next BGSAVE for SYNC"),
        "the replica did not wait for the running BGSAVE:\n{}",
        fk.output()
    );
    assert_in_sync(&mut fkc, &mut rsc, "after a sync that waited for a BGSAVE");
}

/// `rdb-del-sync-files yes` without persistence: the dump written for the
/// full sync is deleted once the replica has it; with it off, it stays.
#[test]
fn rdb_del_sync_files_removes_the_sync_dump() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    for delete in [true, false] {
        let flag = if delete { "yes" } else { "no" };
        let fk = Server::start(&["--rdb-del-sync-files", flag, "--repl-diskless-sync", "no"]);
        let mut fkc = fk.redis();
        let _: () = fkc.set("k", "v").unwrap();
        let port = fk.port.to_string();
        let rs = ServerOpts::new(&["--replicaof", "127.0.0.1", &port])
            .bin(&redis_bin)
            .start();
        let up = wait_until(Duration::from_secs(20), || link_up(&rs));
        assert!(up, "the replica did not sync:\n{}", fk.output());
        let dump = fk.dir.join("dump.rdb");
        let gone = wait_until(Duration::from_secs(3), || !dump.exists());
        assert_eq!(gone, delete, "rdb-del-sync-files {flag}: dump.rdb removed = {gone}");
        assert_eq!(rs.redis().get::<_, String>("k").unwrap(), "v");
    }
}

/// fastkey replicating from a redis-server 7 primary, with the RDB sent in
/// either form (`$<len>` from disk, `$EOF:<mark>` from a socket): the full
/// sync, the stream of a mixed write load, WAIT, READONLY, and a partial
/// resync after the primary drops the link.
#[test]
fn fastkey_replica_of_redis_syncs_follows_and_resyncs_partially() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    for (diskless, form) in [("yes", "with EOF to disk"), ("no", "bytes from master to disk")] {
        let rs = ServerOpts::new(&["--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0"])
            .bin(&redis_bin)
            .start();
        let mut rsc = rs.redis();
        fill(&mut rsc);
        let port = rs.port.to_string();
        let fk = Server::start(&["--replicaof", "127.0.0.1", &port]);
        let mut fkc = fk.redis();
        let up = wait_until(Duration::from_secs(20), || link_up(&fk));
        assert!(up, "fastkey did not sync:\n{}\n{}", fk.output(), rs.output());
        assert!(fk.output().contains(form), "diskless {diskless}: {}", fk.output());
        assert_in_sync(&mut rsc, &mut fkc, "after the full sync");

        write_load(&mut rsc, 1);
        let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut rsc).unwrap();
        assert_eq!(acked, 1, "WAIT 1 5000 on the primary");
        assert_in_sync(&mut rsc, &mut fkc, "after the write load");
        let err = fkc.set::<_, _, ()>("x", 1).unwrap_err();
        assert_eq!(err.code(), Some("READONLY"), "{err}");
        let role: Vec<redis::Value> = redis::cmd("ROLE").query(&mut fkc).unwrap();
        assert_eq!(
            format!("{:?}", role[3]),
            format!("{:?}", redis::Value::BulkString(b"connected".to_vec()))
        );

        cut_link_expect_partial_resync(&rs, &mut rsc, "replica", &fk);
        write_load(&mut rsc, 3);
        let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut rsc).unwrap();
        assert_eq!(acked, 1, "WAIT after the partial resync");
        assert_in_sync(&mut rsc, &mut fkc, "after the partial resync");
        assert_eq!(
            fk.info_field("replication", "master_repl_offset"),
            rs.info_field("replication", "master_repl_offset"),
            "offsets"
        );
    }
}

/// A chain A (fastkey) -> B (fastkey) -> C (redis-server): B passes the
/// stream on byte for byte. Then B is promoted: C continues with B's new
/// replication id, and A, the old primary, rejoins B as a replica, both
/// with partial resyncs (B's old id is its secondary one).
#[test]
fn chained_replicas_and_promotion_resync_partially() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let a = Server::start(&[]);
    let mut ac = a.redis();
    fill(&mut ac);
    let a_port = a.port.to_string();
    let b = Server::start(&["--replicaof", "127.0.0.1", &a_port]);
    let mut bc = b.redis();
    assert!(wait_until(Duration::from_secs(20), || link_up(&b)), "{}", b.output());
    let b_port = b.port.to_string();
    let c = ServerOpts::new(&["--replicaof", "127.0.0.1", &b_port])
        .bin(&redis_bin)
        .start();
    let mut cc = c.redis();
    assert!(wait_until(Duration::from_secs(20), || link_up(&c)), "{}", c.output());
    write_load(&mut ac, 1);
    assert_in_sync(&mut ac, &mut bc, "A and B");
    assert_in_sync(&mut ac, &mut cc, "A and C");

    let _: () = redis::cmd("REPLICAOF").arg("NO").arg("ONE").query(&mut bc).unwrap();
    let _: () = redis::cmd("REPLICAOF")
        .arg("127.0.0.1")
        .arg(b.port)
        .query(&mut ac)
        .unwrap();
    write_load(&mut bc, 2);
    let both = wait_until(Duration::from_secs(20), || {
        link_up(&a) && link_up(&c) && stat(&b, "sync_partial_ok") == 2
    });
    assert!(
        both,
        "no partial resyncs:\n{}\n{}\n{}",
        a.output(),
        b.output(),
        c.output()
    );
    assert_eq!(stat(&b, "sync_full"), 1, "only C's first sync is a full one");
    assert_in_sync(&mut bc, &mut ac, "B and A");
    assert_in_sync(&mut bc, &mut cc, "B and C");
}

/// `repl-diskless-sync yes`: a redis-server replica (which announces
/// `capa eof`) gets the RDB streamed to its socket in the EOF-mark form,
/// follows a mixed load, and no dump file is written.
#[test]
fn diskless_sync_to_a_redis_replica() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let fk = Server::start(&["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"]);
    let mut fkc = fk.redis();
    fill(&mut fkc);
    let _: () = redis::cmd("DEBUG").arg("POPULATE").arg(50_000).query(&mut fkc).unwrap();
    let port = fk.port.to_string();
    let rs = ServerOpts::new(&["--replicaof", "127.0.0.1", &port])
        .bin(&redis_bin)
        .start();
    let mut rsc = rs.redis();
    // Writes while the RDB streams go out after it.
    write_load(&mut fkc, 1);
    let up = wait_until(Duration::from_secs(30), || link_up(&rs));
    assert!(up, "the replica did not sync:\n{}\n{}", rs.output(), fk.output());
    let log = fk.output();
    for line in [
        "Starting BGSAVE for SYNC with target: replicas sockets",
        "Diskless rdb transfer, done reading from pipe, 1 replicas still up.",
        "Background RDB transfer terminated with success",
        "succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming",
    ] {
        assert!(log.contains(line), "no {line:?} in the log:\n{log}");
    }
    assert!(
        rs.output()
            .contains("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk"),
        "{}",
        rs.output()
    );
    assert_in_sync(&mut fkc, &mut rsc, "after the diskless sync");
    write_load(&mut fkc, 2);
    let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut fkc).unwrap();
    assert_eq!(acked, 1, "WAIT 1 5000");
    assert_in_sync(&mut fkc, &mut rsc, "after the write load");
    let line = fk.info_field("replication", "slave0").unwrap_or_default();
    assert!(line.contains("state=online"), "{line}");
    assert_eq!(
        fk.info_field("persistence", "rdb_bgsave_in_progress").as_deref(),
        Some("0")
    );
    assert_eq!(stat(&fk, "sync_full"), 1);
    assert!(stat(&fk, "total_net_repl_output_bytes") > 100_000);
    assert!(!fk.dir.join("dump.rdb").exists(), "a diskless sync wrote dump.rdb");
}

/// `repl-diskless-sync-delay` waits for more replicas, and
/// `repl-diskless-sync-max-replicas` starts as soon as that many wait: two
/// replicas share one transfer.
#[test]
fn diskless_sync_waits_for_replicas_and_shares_the_transfer() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let fk = Server::start(&[
        "--repl-diskless-sync-delay",
        "60",
        "--repl-diskless-sync-max-replicas",
        "2",
    ]);
    let mut fkc = fk.redis();
    fill(&mut fkc);
    let port = fk.port.to_string();
    let rs1 = ServerOpts::new(&["--replicaof", "127.0.0.1", &port])
        .bin(&redis_bin)
        .start();
    let waiting = wait_until(Duration::from_secs(10), || {
        fk.output().contains("Delay next BGSAVE for diskless SYNC")
    });
    assert!(waiting, "{}", fk.output());
    std::thread::sleep(Duration::from_millis(1500));
    let line = fk.info_field("replication", "slave0").unwrap_or_default();
    assert!(line.contains("state=wait_bgsave"), "{line}");
    let rs2 = ServerOpts::new(&["--replicaof", "127.0.0.1", &port])
        .bin(&redis_bin)
        .start();
    for rs in [&rs1, &rs2] {
        let up = wait_until(Duration::from_secs(30), || link_up(rs));
        assert!(up, "a replica did not sync:\n{}", fk.output());
        assert_in_sync(&mut fkc, &mut rs.redis(), "after the shared diskless sync");
    }
    let log = fk.output();
    assert_eq!(log.matches("Starting BGSAVE for SYNC").count(), 1, "{log}");
    assert!(log.contains("done reading from pipe, 2 replicas still up."), "{log}");
    assert_eq!(stat(&fk, "sync_full"), 2);
}

fn waitaof(con: &mut Connection, numlocal: i64, numreplicas: i64, timeout_ms: i64) -> Vec<i64> {
    redis::cmd("WAITAOF")
        .arg(numlocal)
        .arg(numreplicas)
        .arg(timeout_ms)
        .query(con)
        .unwrap()
}

/// WAITAOF through a client library. A standalone fastkey with the AOF on
/// counts its local fsync (its offset moves by one per op without a
/// backlog, as Redis 7.2's); then a redis-server 7.0 replica, which sends
/// no FACK, syncs and WAIT still sees its ACKs while WAITAOF counts it
/// out; a fastkey replica with the AOF on is counted; and a fastkey replica
/// of a redis-server 7.0 primary sends its FACK without upsetting it.
#[test]
fn waitaof_counts_local_and_fastkey_replica_fsyncs() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let fk = Server::start(&["--appendonly", "yes", "--repl-diskless-sync-delay", "0"]);
    let mut fkc = fk.redis();
    let offset = |srv: &Server| -> i64 {
        srv.info_field("replication", "master_repl_offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1)
    };
    let before = offset(&fk);
    fkc.set::<_, _, ()>("a", 1).unwrap();
    fkc.incr::<_, _, i64>("a", 1).unwrap();
    assert_eq!(offset(&fk), before + 2, "one per op without a backlog");
    assert_eq!(waitaof(&mut fkc, 1, 0, 0), vec![1, 0]);

    // A Redis 7.0 replica: WAIT counts it, WAITAOF cannot.
    let port = fk.port.to_string();
    let rs = ServerOpts::new(&["--replicaof", "127.0.0.1", &port, "--appendonly", "yes"])
        .bin(&redis_bin)
        .start();
    let mut rsc = rs.redis();
    assert!(wait_until(Duration::from_secs(20), || link_up(&rs)), "{}", rs.output());
    fill(&mut fkc);
    let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut fkc).unwrap();
    assert_eq!(acked, 1, "WAIT after offsets counted without a backlog");
    assert_in_sync(&mut fkc, &mut rsc, "redis replica");
    // everysec: the fsync of the last writes comes within a second.
    assert_eq!(waitaof(&mut fkc, 1, 0, 0), vec![1, 0]);
    assert_eq!(waitaof(&mut fkc, 0, 1, 300), vec![1, 0], "a 7.0 replica sends no FACK");

    // A fastkey replica with the AOF on acknowledges its fsyncs.
    let fr = Server::start(&["--replicaof", "127.0.0.1", &port, "--appendonly", "yes"]);
    let mut frc = fr.redis();
    assert!(wait_until(Duration::from_secs(20), || link_up(&fr)), "{}", fr.output());
    fkc.incr::<_, _, i64>("a", 1).unwrap();
    assert_eq!(waitaof(&mut fkc, 1, 1, 0), vec![1, 1]);
    assert_in_sync(&mut fkc, &mut frc, "fastkey replica");
    let err = redis::cmd("WAITAOF")
        .arg(0)
        .arg(0)
        .arg(0)
        .query::<Vec<i64>>(&mut frc)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("WAITAOF cannot be used with replica instances"),
        "{err}"
    );

    // A fastkey replica of a Redis 7.0 primary: its FACK is ignored there.
    let rp = ServerOpts::new(&["--repl-diskless-sync-delay", "0"])
        .bin(&redis_bin)
        .start();
    let mut rpc = rp.redis();
    drop(rs);
    let rp_port = rp.port.to_string();
    let fr2 = Server::start(&["--replicaof", "127.0.0.1", &rp_port, "--appendonly", "yes"]);
    assert!(
        wait_until(Duration::from_secs(20), || link_up(&fr2)),
        "{}",
        fr2.output()
    );
    rpc.set::<_, _, ()>("b", 2).unwrap();
    let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut rpc).unwrap();
    assert_eq!(acked, 1, "WAIT on a 7.0 primary with a FACK-sending replica");
    let mut fr2c = fr2.redis();
    assert_in_sync(&mut rpc, &mut fr2c, "fastkey replica of redis");
    assert!(link_up(&fr2), "{}", rp.output());
}
