//! RDB files across processes: what fastkey saves, redis-server 7 loads
//! (and the other way round), data survives a crash after SAVE, and a big
//! file loads while clients already get `-LOADING`.

mod common;

use common::{redis_server_available, Server, ServerOpts, TempDir};
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

/// DEBUG DIGEST: Redis's fingerprint of the whole dataset.
fn digest(con: &mut Connection) -> String {
    redis::cmd("DEBUG").arg("DIGEST").query(con).unwrap()
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
    assert_eq!(expected.len(), 15);
    save(&mut fkc);

    // redis-server reads fastkey's file from fastkey's directory.
    let fk_dir = fk.dir.path().to_string_lossy().into_owned();
    let rs = ServerOpts::new(&["--dir", &fk_dir]).bin(&redis_bin).start();
    let mut rsc = rs.redis();
    assert_same(&contents(&mut rsc), &expected);
    assert_eq!(
        digest(&mut rsc),
        digest(&mut fkc),
        "DEBUG DIGEST after loading fastkey's file"
    );
    let enc: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("bigzset")
        .query(&mut rsc)
        .unwrap();
    assert_eq!(enc, "skiplist");

    // Changed there and saved by redis-server, it comes back to fastkey.
    let _: () = rsc.set("str", "from redis").unwrap();
    let _: () = rsc.lpush("list", "z").unwrap();
    let _: () = rsc.del("int").unwrap();
    let expected = contents(&mut rsc);
    save(&mut rsc);
    // (redis-server saved into the directory it was given: fastkey's.)
    drop(rsc);
    let fk2 = Server::start(&["--dir", &fk_dir]);
    let mut fk2c = fk2.redis();
    assert_same(&contents(&mut fk2c), &expected);
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
    let expected_keys = 15;
    fk.kill();
    let fk2 = Server::start(&["--dir", &dir]);
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
