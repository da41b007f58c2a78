//! RDB files across processes: what fastkey saves, redis-server 7 loads
//! (and the other way round), data survives a crash after SAVE, and a big
//! file loads while clients already get `-LOADING`.

mod common;

use common::{digest, redis_server_available, Server, ServerOpts, TempDir};
use redis::{Commands, Connection, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A dataset with every type and encoding, TTLs, and several databases.
fn fill(con: &mut Connection) {
    let _: () = redis::cmd("FLUSHALL").query(con).unwrap();
    let _: () = con.set("str", "hello").unwrap();
    let _: () = con.set("int", 12345).unwrap();
    let _: () = con.set("neg", -9_000_000_000i64).unwrap();
    let _: () = con.set("long", "abc".repeat(2000)).unwrap();
    let _: () = con.set_ex("ttl", "v", 5000).unwrap();
    let _: () = con.rpush("list", &["a", "b", "3"]).unwrap();
    let big: Vec<String> = (0..2000).map(|i| format!("element-{i}")).collect();
    let _: () = con.rpush("biglist", &big).unwrap();
    let _: () = con.sadd("intset", &[1, 2, 3, -5]).unwrap();
    let _: () = con.sadd("set", &["x", "y", "z"]).unwrap();
    let _: () = con.sadd("mixedset", &["1", "a", "-2"]).unwrap();
    let _: () = con.sadd("bigset", &big).unwrap();
    let _: () = con.zadd_multiple("zset", &[(1.5, "a"), (-2.0, "b")]).unwrap();
    let pairs: Vec<(f64, String)> = (0..300).map(|i| (i as f64 / 3.0, format!("m{i}"))).collect();
    let _: () = con.zadd_multiple("bigzset", &pairs).unwrap();
    let _: () = con.hset_multiple("hash", &[("f", "v"), ("g", "w")]).unwrap();
    let fields: Vec<(String, String)> = (0..600).map(|i| (format!("f{i}"), format!("v{i}"))).collect();
    let _: () = con.hset_multiple("bighash", &fields).unwrap();
    let _: () = con.pexpire("bighash", 9_000_000).unwrap();
    let _: () = redis::cmd("SELECT").arg(3).query(con).unwrap();
    let _: () = con.set("in3", "three").unwrap();
    let _: () = redis::cmd("SELECT").arg(0).query(con).unwrap();
}

/// Every key of the first 16 databases: (db, key) -> (type, value in a
/// canonical form, whether it has a TTL).
fn contents(con: &mut Connection) -> Contents {
    let mut out = BTreeMap::new();
    for db in 0..16u8 {
        let _: () = redis::cmd("SELECT").arg(db).query(con).unwrap();
        let keys: Vec<String> = con.keys("*").unwrap();
        for k in keys {
            let t: String = redis::cmd("TYPE").arg(&k).query(con).unwrap();
            let v = match t.as_str() {
                "string" => con.get::<_, String>(&k).unwrap(),
                "list" => con.lrange::<_, Vec<String>>(&k, 0, -1).unwrap().join(","),
                "set" => {
                    let mut m: Vec<String> = con.smembers(&k).unwrap();
                    m.sort();
                    m.join(",")
                }
                "zset" => {
                    let m: Vec<(String, String)> = con.zrange_withscores(&k, 0, -1).unwrap();
                    format!("{m:?}")
                }
                "hash" => {
                    let m: BTreeMap<String, String> = con.hgetall(&k).unwrap();
                    format!("{m:?}")
                }
                other => panic!("unexpected type {other}"),
            };
            let ttl: i64 = con.pttl(&k).unwrap();
            out.insert((db, k), (t, v, ttl > 0));
        }
    }
    let _: () = redis::cmd("SELECT").arg(0).query(con).unwrap();
    out
}

type Contents = BTreeMap<(u8, String), (String, String, bool)>;

/// Equal contents, or a panic naming the keys that differ (not the whole
/// dataset).
fn assert_same(got: &Contents, want: &Contents) {
    let mut diffs = Vec::new();
    for (k, v) in want {
        match got.get(k) {
            None => diffs.push(format!("{k:?} missing")),
            Some(g) if g != v => diffs.push(format!("{k:?} differs: {} vs {}", g.0, v.0)),
            _ => {}
        }
    }
    diffs.extend(
        got.keys()
            .filter(|k| !want.contains_key(*k))
            .map(|k| format!("{k:?} unexpected")),
    );
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

fn encoding(con: &mut Connection, key: &str) -> String {
    redis::cmd("OBJECT").arg("ENCODING").arg(key).query(con).unwrap()
}

fn save(con: &mut Connection) {
    let r: Value = redis::cmd("SAVE").query(con).unwrap();
    assert_eq!(r, Value::Okay);
}

#[test]
fn fastkey_dump_loads_in_redis_and_redis_dump_loads_in_fastkey() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let fk = Server::start(&[]);
    let mut fkc = fk.redis();
    fill(&mut fkc);
    let expected = contents(&mut fkc);
    assert_eq!(expected.len(), 16);
    // Listpack sets (Redis 7.2's encoding) are saved as plain sets, which
    // Redis 7.0 loads into hashtables.
    let set_encodings = [("set", "listpack"), ("mixedset", "listpack"), ("intset", "intset")];
    for (k, enc) in set_encodings {
        assert_eq!(encoding(&mut fkc, k), enc, "{k} in fastkey");
    }
    save(&mut fkc);

    // redis-server reads fastkey's file from fastkey's directory.
    let fk_dir = fk.dir.path().to_string_lossy().into_owned();
    let rs = ServerOpts::new(&["--dir", &fk_dir]).bin(&redis_bin).start();
    rs.wait_loaded();
    let mut rsc = rs.redis();
    assert_same(&contents(&mut rsc), &expected);
    assert_eq!(
        digest(&mut rsc),
        digest(&mut fkc),
        "DEBUG DIGEST after loading fastkey's file"
    );
    assert_eq!(encoding(&mut rsc, "bigzset"), "skiplist");
    assert_eq!(encoding(&mut rsc, "mixedset"), "hashtable");

    // Changed there and saved by redis-server, it comes back to fastkey.
    let _: () = rsc.set("str", "from redis").unwrap();
    let _: () = rsc.lpush("list", "z").unwrap();
    let _: () = rsc.del("int").unwrap();
    let expected = contents(&mut rsc);
    save(&mut rsc);
    // (redis-server saved into the directory it was given: fastkey's.)
    drop(rsc);
    let fk2 = Server::start(&["--dir", &fk_dir]);
    fk2.wait_loaded();
    let mut fk2c = fk2.redis();
    assert_same(&contents(&mut fk2c), &expected);
    // Redis 7.0 saves every list as a quicklist; one that fits a node
    // loads as a listpack, as Redis 7.2 loads it.
    for (key, want) in [("list", "listpack"), ("biglist", "quicklist")] {
        assert_eq!(encoding(&mut fk2c, key), want, "{key}");
    }
    for (k, enc) in set_encodings {
        assert_eq!(encoding(&mut fk2c, k), enc, "{k} back in fastkey");
    }
    let mut rsc = rs.redis();
    assert_eq!(
        digest(&mut fk2c),
        digest(&mut rsc),
        "DEBUG DIGEST after loading redis-server's file"
    );
}

#[test]
fn saved_data_survives_a_kill() {
    let data = TempDir::new("rdb-kill");
    let dir = data.path().to_string_lossy().into_owned();
    let mut fk = Server::start(&["--save", "3600", "1", "--dir", &dir]);
    {
        let mut c = fk.redis();
        fill(&mut c);
        save(&mut c);
        // Written after the save: lost by a crash, as in Redis.
        let _: () = c.set("after", "lost").unwrap();
    }
    let expected_keys = 16;
    fk.kill();
    let fk2 = Server::start(&["--dir", &dir]);
    fk2.wait_loaded();
    let mut c = fk2.redis();
    let got = contents(&mut c);
    assert_eq!(got.len(), expected_keys);
    assert!(!got.contains_key(&(0, "after".to_string())));
    assert_eq!(c.get::<_, String>("str").unwrap(), "hello");
}

#[test]
fn clients_get_loading_while_a_big_file_loads() {
    let data = TempDir::new("rdb-loading");
    let dir = data.path().to_string_lossy().into_owned();
    let fk = Server::start(&["--dir", &dir]);
    {
        let mut c = fk.redis();
        let _: () = redis::cmd("DEBUG")
            .arg("POPULATE")
            .arg(3_000_000)
            .query(&mut c)
            .unwrap();
        save(&mut c);
    }
    drop(fk);
    // The harness counts a -LOADING reply to PING as "up"; the load of 3M
    // keys takes far longer than that first round trip.
    // A save point that is always due (`1 0`) must not fire while the
    // file loads: it would replace the file with half of it.
    let fk2 = Server::start(&["--dir", &dir, "--logfile", "{dir}/log", "--save", "1", "0"]);
    let mut raw = fk2.raw();
    raw.send(b"GET key:1\r\nINFO persistence\r\n");
    let replies = raw.try_read_replies(2, Duration::from_secs(10)).unwrap();
    assert_eq!(replies[0], b"-LOADING Redis is loading the dataset in memory\r\n");
    let info = String::from_utf8_lossy(&replies[1]).into_owned();
    assert!(info.contains("loading:1\r\n"), "{info}");
    assert!(info.contains("loading_total_bytes:"), "{info}");
    assert!(info.contains("loading_loaded_perc:"), "{info}");
    // It finishes, and then everything is there.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        raw.send(b"GET key:1\r\n");
        let r = raw.try_read_replies(1, Duration::from_secs(10)).unwrap();
        if r[0] == b"$7\r\nvalue:1\r\n" {
            break;
        }
        assert_eq!(r[0], b"-LOADING Redis is loading the dataset in memory\r\n");
        assert!(Instant::now() < deadline, "loading did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut c = fk2.redis();
    let n: u64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
    assert_eq!(n, 3_000_000);
    let log = fk2.log();
    let done = log
        .find("Done loading RDB, keys loaded: 3000000, keys expired: 0.")
        .expect("the load's summary line");
    assert!(
        !log[..done].contains("Saving..."),
        "a save point fired during the load:\n{log}"
    );
}

/// What `fill` writes, plus what only a command-form AOF base has to
/// spell out: streams with groups, consumers and pending entries, an
/// empty stream, and a function library.
fn fill_for_aof(con: &mut Connection) {
    fill(con);
    let _: () = redis::cmd("FUNCTION").arg("FLUSH").query(con).unwrap();
    let q = |con: &mut Connection, args: &[&str]| {
        let _: Value = redis::cmd(args[0]).arg(&args[1..]).query(con).unwrap();
    };
    for i in 1..=100 {
        q(
            con,
            &[
                "XADD",
                "st",
                &format!("{i}-1"),
                "f",
                &format!("v{i}"),
                "n",
                &i.to_string(),
            ],
        );
    }
    q(con, &["XDEL", "st", "100-1", "50-1"]);
    q(con, &["XGROUP", "CREATE", "st", "g1", "0"]);
    q(
        con,
        &["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "st", ">"],
    );
    q(
        con,
        &["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "st", ">"],
    );
    q(con, &["XACK", "st", "g1", "1-1"]);
    q(con, &["XGROUP", "CREATECONSUMER", "st", "g1", "carol"]);
    q(con, &["XGROUP", "CREATE", "st", "g2", "$", "ENTRIESREAD", "98"]);
    q(con, &["XADD", "empty", "5-5", "a", "b"]);
    q(con, &["XDEL", "empty", "5-5"]);
    q(con, &["XGROUP", "CREATE", "empty", "eg", "0"]);
    q(
        con,
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=aoflib\nredis.register_function('aof_f', function() return 'fn-ok' end)",
        ],
    );
}

/// What DEBUG DIGEST leaves out: stream groups and pending entries,
/// exact expiry times, the function library.
fn aof_extras(con: &mut Connection) -> String {
    let mut out = Vec::new();
    for key in ["st", "empty"] {
        let groups: Value = redis::cmd("XINFO").arg("GROUPS").arg(key).query(con).unwrap();
        out.push(format!("{groups:?}"));
        let info: Value = redis::cmd("XINFO").arg("STREAM").arg(key).query(con).unwrap();
        out.push(format!("{info:?}"));
    }
    for g in ["g1", "g2"] {
        let pending: Value = redis::cmd("XPENDING").arg("st").arg(g).query(con).unwrap();
        out.push(format!("{pending:?}"));
        let consumers: Value = redis::cmd("XINFO")
            .arg("CONSUMERS")
            .arg("st")
            .arg(g)
            .query(con)
            .unwrap();
        // Idle times differ; names and pending counts must not.
        out.push(format!("{:?}", strip_idle(consumers)));
    }
    for key in ["ttl", "bighash"] {
        let t: i64 = redis::cmd("PEXPIRETIME").arg(key).query(con).unwrap();
        out.push(format!("{key} {t}"));
    }
    let f: String = redis::cmd("FCALL").arg("aof_f").arg(0).query(con).unwrap();
    out.push(f);
    out.join("\n")
}

/// XINFO CONSUMERS without the `idle` (and 7.2's `inactive`) values.
fn strip_idle(v: Value) -> Value {
    let Value::Array(consumers) = v else { return v };
    let strip = |c: Value| match c {
        Value::Array(kv) => Value::Array(
            kv.chunks(2)
                .filter(|p| !matches!(&p[0], Value::BulkString(k) if k == b"idle" || k == b"inactive"))
                .flatten()
                .cloned()
                .collect(),
        ),
        other => other,
    };
    Value::Array(consumers.into_iter().map(strip).collect())
}

/// BGREWRITEAOF, then waits for it to end, successfully.
fn rewrite_aof(srv: &Server) {
    let mut c = srv.redis();
    let _: Value = redis::cmd("BGREWRITEAOF").query(&mut c).unwrap();
    let done = common::wait_until(Duration::from_secs(20), || {
        srv.info_field("persistence", "aof_rewrite_in_progress").as_deref() == Some("0")
            && srv.info_field("persistence", "aof_rewrite_scheduled").as_deref() == Some("0")
    });
    assert!(done, "the AOF rewrite did not finish");
    assert_eq!(
        srv.info_field("persistence", "aof_last_bgrewrite_status").as_deref(),
        Some("ok")
    );
}

/// The base file of `dir`'s AOF, which must be in command form.
fn command_form_base(dir: &std::path::Path) -> Vec<u8> {
    let aof_dir = dir.join("appendonlydir");
    let list = || -> Vec<_> {
        std::fs::read_dir(&aof_dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().contains(".base."))
            .collect()
    };
    // The old base is unlinked in the background after the rewrite ends.
    common::wait_until(Duration::from_secs(5), || list().len() == 1);
    let bases = list();
    assert_eq!(bases.len(), 1, "{bases:?}");
    let data = std::fs::read(&bases[0]).unwrap();
    assert!(!data.starts_with(b"REDIS"), "the base has an RDB preamble");
    assert!(
        data.starts_with(b"*3\r\n$8\r\nFUNCTION\r\n"),
        "{}",
        common::show(&data[..data.len().min(80)])
    );
    data
}

fn shutdown(mut srv: Server) {
    srv.raw().send(b"SHUTDOWN\r\n");
    assert!(
        srv.wait_exit(Duration::from_secs(20)).is_some(),
        "the server did not exit"
    );
}

const AOF_NO_PREAMBLE: [&str; 4] = ["--appendonly", "yes", "--aof-use-rdb-preamble", "no"];

#[test]
fn command_form_aof_base_moves_between_fastkey_and_redis() {
    let Some(redis_bin) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let data = TempDir::new("aof-cmd-base");
    let dir = data.path().to_string_lossy().into_owned();
    let args: Vec<&str> = AOF_NO_PREAMBLE.iter().copied().chain(["--dir", &dir]).collect();

    // fastkey writes the base; redis-server loads it.
    let fk = Server::start(&args);
    let mut c = fk.redis();
    fill_for_aof(&mut c);
    let want_digest = digest(&mut c);
    let want_extras = aof_extras(&mut c);
    rewrite_aof(&fk);
    let base = command_form_base(data.path());
    assert!(base.windows(6).any(|w| w == b"XSETID"));
    drop(c);
    shutdown(fk);
    let rs = ServerOpts::new(&args).bin(&redis_bin).start();
    rs.wait_loaded();
    let mut c = rs.redis();
    assert_eq!(
        digest(&mut c),
        want_digest,
        "DEBUG DIGEST in redis-server after fastkey's base"
    );
    assert_eq!(aof_extras(&mut c), want_extras);

    // redis-server writes the base; fastkey loads it.
    let _: () = c.rpush("biglist", "from-redis").unwrap();
    let _: Value = redis::cmd("XADD")
        .arg("st")
        .arg("200-1")
        .arg("r")
        .arg("1")
        .query(&mut c)
        .unwrap();
    let want_digest = digest(&mut c);
    let want_extras = aof_extras(&mut c);
    rewrite_aof(&rs);
    command_form_base(data.path());
    drop(c);
    shutdown(rs);
    let fk = Server::start(&args);
    fk.wait_loaded();
    let mut c = fk.redis();
    assert_eq!(
        digest(&mut c),
        want_digest,
        "DEBUG DIGEST in fastkey after redis-server's base"
    );
    assert_eq!(aof_extras(&mut c), want_extras);
}

/// A BGSAVE that runs out of room (a file-size limit: writes fail with
/// EFBIG as on a full disk) keeps the old dump, removes its temp file,
/// stops writes with MISCONF, and the next successful save lifts that.
#[test]
fn a_bgsave_that_runs_out_of_room_gives_misconf_and_recovers() {
    let Some(prlimit) = common::which("prlimit") else {
        eprintln!("SKIPPED: `prlimit` (util-linux) is not on the PATH");
        return;
    };
    let fk = Server::start(&["--save", "3600", "1"]);
    let mut c = fk.redis();
    let _: () = c.set("old", "dump").unwrap();
    save(&mut c);
    let dump = fk.dir.join("dump.rdb");
    let old = std::fs::read(&dump).unwrap();
    let _: () = redis::cmd("DEBUG").arg("POPULATE").arg(200_000).query(&mut c).unwrap();
    let set_limit = |v: &str| {
        let ok = std::process::Command::new(&prlimit)
            .args(["--pid", &fk.pid.to_string(), &format!("--fsize={v}:unlimited")])
            .status()
            .unwrap()
            .success();
        assert!(ok, "prlimit failed");
    };
    set_limit("200000");
    let bgsave_done = || {
        let done = common::wait_until(Duration::from_secs(20), || {
            fk.info_field("persistence", "rdb_bgsave_in_progress").as_deref() == Some("0")
        });
        assert!(done, "BGSAVE did not finish");
    };
    let _: () = redis::cmd("BGSAVE").query(&mut c).unwrap();
    bgsave_done();
    assert_eq!(
        fk.info_field("persistence", "rdb_last_bgsave_status").as_deref(),
        Some("err")
    );
    let refused: redis::RedisResult<()> = c.set("k", "v");
    assert!(
        refused.as_ref().is_err_and(|e| e.to_string().contains("MISCONF")),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&dump).unwrap(), old, "the old dump was replaced");
    let leftovers: Vec<_> = std::fs::read_dir(fk.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("temp-"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    set_limit("unlimited");
    let _: () = redis::cmd("BGSAVE").query(&mut c).unwrap();
    bgsave_done();
    assert_eq!(
        fk.info_field("persistence", "rdb_last_bgsave_status").as_deref(),
        Some("ok")
    );
    let _: () = c.set("k", "v").unwrap();
    assert!(std::fs::metadata(&dump).unwrap().len() > 1_000_000);
}
