//! Round trips through a real client library (the `redis` crate): strings
//! and keyspace commands, SCAN iteration, SELECT, RESP3, pipelines and
//! binary-safe keys and values.

mod common;

use common::Server;
use redis::{Commands, CopyOptions, ExistenceCheck, Expiry, RedisError, ScanOptions, SetExpiry, SetOptions, Value};
use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn unix_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

/// The server's error text (`ERR ...` without the code, as the crate
/// splits it).
fn err_detail(e: &RedisError) -> String {
    format!("{} {}", e.code().unwrap_or("?"), e.detail().unwrap_or(""))
}

#[test]
fn strings_round_trip() {
    let srv = Server::start(&[]);
    let mut con = srv.redis();

    let () = con.set("s", "hello").unwrap();
    assert_eq!(con.get::<_, Option<String>>("s").unwrap().as_deref(), Some("hello"));
    assert_eq!(con.get::<_, Option<String>>("missing").unwrap(), None);

    // SET options.
    let nx = SetOptions::default().conditional_set(ExistenceCheck::NX);
    assert_eq!(con.set_options::<_, _, Option<String>>("s", "x", nx).unwrap(), None);
    let nx = SetOptions::default().conditional_set(ExistenceCheck::NX);
    assert_eq!(
        con.set_options::<_, _, Option<String>>("fresh", "1", nx)
            .unwrap()
            .as_deref(),
        Some("OK")
    );
    let xx = SetOptions::default().conditional_set(ExistenceCheck::XX);
    assert_eq!(
        con.set_options::<_, _, Option<String>>("absent", "1", xx).unwrap(),
        None
    );
    let get = SetOptions::default().get(true);
    assert_eq!(
        con.set_options::<_, _, Option<String>>("s", "world", get)
            .unwrap()
            .as_deref(),
        Some("hello")
    );
    let nx_get = SetOptions::default().conditional_set(ExistenceCheck::NX).get(true);
    assert_eq!(
        con.set_options::<_, _, Option<String>>("s", "ignored", nx_get)
            .unwrap()
            .as_deref(),
        Some("world")
    );
    assert_eq!(con.get::<_, String>("s").unwrap(), "world");
    let ex = SetOptions::default().with_expiration(SetExpiry::EX(1000));
    let _: Option<String> = con.set_options("t", "v", ex).unwrap();
    assert_eq!(con.ttl::<_, i64>("t").unwrap(), 1000);
    let keep = SetOptions::default().with_expiration(SetExpiry::KEEPTTL);
    let _: Option<String> = con.set_options("t", "v2", keep).unwrap();
    assert_eq!(con.ttl::<_, i64>("t").unwrap(), 1000);
    let _: () = con.set("t", "v3").unwrap();
    assert_eq!(con.ttl::<_, i64>("t").unwrap(), -1);
    let at = unix_secs() + 5000;
    let pxat = SetOptions::default().with_expiration(SetExpiry::PXAT(at * 1000));
    let _: Option<String> = con.set_options("t", "v4", pxat).unwrap();
    assert_eq!(con.expire_time::<_, i64>("t").unwrap(), at as i64);
    let e = con
        .set_options::<_, _, Option<String>>("t", "v", SetOptions::default().with_expiration(SetExpiry::EX(0)))
        .unwrap_err();
    assert_eq!(err_detail(&e), "ERR invalid expire time in 'set' command");

    // GETEX, GETDEL, GETSET.
    let _: () = con.set("g", "gv").unwrap();
    assert_eq!(con.get_ex::<_, String>("g", Expiry::EX(300)).unwrap(), "gv");
    assert_eq!(con.ttl::<_, i64>("g").unwrap(), 300);
    assert_eq!(con.get_ex::<_, String>("g", Expiry::PERSIST).unwrap(), "gv");
    assert_eq!(con.ttl::<_, i64>("g").unwrap(), -1);
    assert_eq!(con.get_ex::<_, Option<String>>("nog", Expiry::EX(1)).unwrap(), None);
    assert_eq!(con.getset::<_, _, String>("g", "new").unwrap(), "gv");
    assert_eq!(con.get_del::<_, String>("g").unwrap(), "new");
    assert!(!con.exists::<_, bool>("g").unwrap());

    // Counters.
    assert_eq!(con.incr::<_, _, i64>("n", 5).unwrap(), 5);
    assert_eq!(con.decr::<_, _, i64>("n", 7).unwrap(), -2);
    assert_eq!(redis::cmd("INCR").arg("n").query::<i64>(&mut con).unwrap(), -1);
    let _: () = con.set("n", i64::MAX).unwrap();
    let e = con.incr::<_, _, i64>("n", 1).unwrap_err();
    assert_eq!(err_detail(&e), "ERR increment or decrement would overflow");
    let _: () = con.set("n", "abc").unwrap();
    let e = con.incr::<_, _, i64>("n", 1).unwrap_err();
    assert_eq!(err_detail(&e), "ERR value is not an integer or out of range");

    // INCRBYFLOAT (the crate picks it for a float increment).
    let _: () = con.set("f", "10.50").unwrap();
    assert_eq!(con.incr::<_, _, String>("f", 0.1f64).unwrap(), "10.6");
    assert_eq!(con.incr::<_, _, String>("f", -5f64).unwrap(), "5.6");
    let _: () = con.set("f", "5.0e3").unwrap();
    assert_eq!(con.incr::<_, _, String>("f", 2.0e2f64).unwrap(), "5200");
    assert_eq!(
        redis::cmd("INCRBYFLOAT")
            .arg("f")
            .arg("0.0000001")
            .query::<String>(&mut con)
            .unwrap(),
        // Long double arithmetic, printed with 17 significant digits.
        "5200.00000009999999984"
    );
    assert_eq!(con.incr::<_, _, f64>("newf", 1.5f64).unwrap(), 1.5);

    // APPEND, STRLEN, SETRANGE, GETRANGE, LCS.
    assert_eq!(con.append::<_, _, i64>("a", "Hello").unwrap(), 5);
    assert_eq!(con.append::<_, _, i64>("a", " World").unwrap(), 11);
    assert_eq!(con.strlen::<_, i64>("a").unwrap(), 11);
    assert_eq!(con.setrange::<_, _, i64>("a", 6, "Redis").unwrap(), 11);
    assert_eq!(con.getrange::<_, String>("a", 0, 4).unwrap(), "Hello");
    assert_eq!(con.getrange::<_, String>("a", -5, -1).unwrap(), "Redis");
    assert_eq!(con.setrange::<_, _, i64>("pad", 3, "x").unwrap(), 4);
    assert_eq!(con.get::<_, Vec<u8>>("pad").unwrap(), b"\0\0\0x");
    let () = con.mset(&[("l1", "ohmytext"), ("l2", "mynewtext")]).unwrap();
    assert_eq!(
        redis::cmd("LCS").arg("l1").arg("l2").query::<String>(&mut con).unwrap(),
        "mytext"
    );
    assert_eq!(
        redis::cmd("LCS")
            .arg("l1")
            .arg("l2")
            .arg("LEN")
            .query::<i64>(&mut con)
            .unwrap(),
        6
    );

    // MSET / MGET / MSETNX / SETNX.
    let () = con.mset(&[("m1", "a"), ("m2", "b"), ("m3", "c")]).unwrap();
    assert_eq!(
        con.mget::<_, Vec<Option<String>>>(&["m1", "nope", "m3"]).unwrap(),
        vec![Some("a".to_string()), None, Some("c".to_string())]
    );
    assert!(!con.mset_nx::<_, _, bool>(&[("m1", "z"), ("m9", "z")]).unwrap());
    assert!(con.mset_nx::<_, _, bool>(&[("m8", "z"), ("m9", "z")]).unwrap());
    assert!(!con.set_nx::<_, _, bool>("m8", "y").unwrap());
    let e = redis::cmd("MSET").arg("odd").query::<()>(&mut con).unwrap_err();
    assert_eq!(err_detail(&e), "ERR wrong number of arguments for 'mset' command");
}

#[test]
fn keyspace_and_expiry() {
    let srv = Server::start(&[]);
    let mut con = srv.redis();
    let () = con.mset(&[("k1", "1"), ("k2", "2"), ("k3", "3")]).unwrap();
    assert_eq!(con.exists::<_, i64>(&["k1", "k2", "nope", "k1"]).unwrap(), 3);
    assert_eq!(con.key_type::<_, String>("k1").unwrap(), "string");
    assert_eq!(con.key_type::<_, String>("nope").unwrap(), "none");
    assert_eq!(redis::cmd("DBSIZE").query::<i64>(&mut con).unwrap(), 3);

    // EXPIRE and friends.
    assert!(con.expire::<_, bool>("k1", 100).unwrap());
    assert_eq!(con.ttl::<_, i64>("k1").unwrap(), 100);
    let pttl: i64 = con.pttl("k1").unwrap();
    assert!((99_000..=100_000).contains(&pttl), "PTTL {pttl}");
    assert!(!con.expire::<_, bool>("nope", 100).unwrap());
    assert_eq!(con.ttl::<_, i64>("nope").unwrap(), -2);
    assert_eq!(con.ttl::<_, i64>("k2").unwrap(), -1);
    // NX / XX / GT / LT.
    let flag = |c: &mut redis::Connection, key: &str, secs: i64, opt: &str| -> i64 {
        redis::cmd("EXPIRE").arg(key).arg(secs).arg(opt).query(c).unwrap()
    };
    assert_eq!(flag(&mut con, "k1", 50, "NX"), 0);
    assert_eq!(flag(&mut con, "k2", 50, "XX"), 0);
    assert_eq!(flag(&mut con, "k1", 50, "GT"), 0);
    assert_eq!(flag(&mut con, "k1", 50, "LT"), 1);
    assert_eq!(con.ttl::<_, i64>("k1").unwrap(), 50);
    assert!(con.persist::<_, bool>("k1").unwrap());
    assert_eq!(con.ttl::<_, i64>("k1").unwrap(), -1);
    let at = unix_secs() as i64 + 10_000;
    assert!(con.expire_at::<_, bool>("k2", at).unwrap());
    assert_eq!(con.expire_time::<_, i64>("k2").unwrap(), at);
    assert_eq!(con.pexpire_time::<_, i64>("k2").unwrap(), at * 1000);
    assert!(con.pexpire_at::<_, bool>("k2", at * 1000 + 1).unwrap());
    assert_eq!(con.pexpire_time::<_, i64>("k2").unwrap(), at * 1000 + 1);
    // A timestamp in the past deletes the key.
    assert!(con.expire_at::<_, bool>("k3", 1000).unwrap());
    assert!(!con.exists::<_, bool>("k3").unwrap());
    let e = redis::cmd("EXPIRE")
        .arg("k1")
        .arg("abc")
        .query::<i64>(&mut con)
        .unwrap_err();
    assert_eq!(err_detail(&e), "ERR value is not an integer or out of range");
    // A short expiry takes effect (lazily or by the active cycle).
    assert!(con.pexpire::<_, bool>("k1", 30).unwrap());
    let gone = common::wait_until(Duration::from_secs(5), || !con.exists::<_, bool>("k1").unwrap());
    assert!(gone, "k1 did not expire");

    // RENAME, RENAMENX, COPY, DEL, UNLINK, TOUCH.
    let () = con.set("src", "v").unwrap();
    assert!(con.expire::<_, bool>("src", 500).unwrap());
    let () = con.rename("src", "dst").unwrap();
    assert_eq!(con.ttl::<_, i64>("dst").unwrap(), 500, "RENAME keeps the TTL");
    let e = con.rename::<_, _, ()>("src", "x").unwrap_err();
    assert_eq!(err_detail(&e), "ERR no such key");
    let () = con.set("other", "o").unwrap();
    assert!(!con.rename_nx::<_, _, bool>("dst", "other").unwrap());
    assert!(con.rename_nx::<_, _, bool>("dst", "dst2").unwrap());
    assert!(con.copy::<_, _, _, bool>("dst2", "cp", CopyOptions::default()).unwrap());
    assert!(!con.copy::<_, _, _, bool>("dst2", "cp", CopyOptions::default()).unwrap());
    assert!(con
        .copy::<_, _, _, bool>("other", "cp", CopyOptions::default().replace(true))
        .unwrap());
    assert_eq!(con.get::<_, String>("cp").unwrap(), "o");
    assert!(con
        .copy::<_, _, _, bool>("dst2", "cp", CopyOptions::default().db("5").replace(true))
        .unwrap());
    assert_eq!(con.ttl::<_, i64>("dst2").unwrap(), 500);
    assert_eq!(
        redis::cmd("TOUCH")
            .arg("cp")
            .arg("dst2")
            .arg("zz")
            .query::<i64>(&mut con)
            .unwrap(),
        2
    );
    assert_eq!(con.del::<_, i64>(&["cp", "zz"]).unwrap(), 1);
    assert_eq!(con.unlink::<_, i64>(&["dst2", "other"]).unwrap(), 2);
    let mut db5 = redis::Client::open(format!("{}5", srv.url()))
        .unwrap()
        .get_connection()
        .unwrap();
    assert_eq!(db5.get::<_, String>("cp").unwrap(), "v");
    assert_eq!(db5.ttl::<_, i64>("cp").unwrap(), 500, "COPY keeps the TTL");
}

#[test]
fn scan_collects_every_key_of_debug_populate() {
    let srv = Server::start(&[]);
    let mut con = srv.redis();
    let () = redis::cmd("DEBUG").arg("POPULATE").arg(10_000).query(&mut con).unwrap();
    assert_eq!(redis::cmd("DBSIZE").query::<i64>(&mut con).unwrap(), 10_000);
    let expected: HashSet<String> = (0..10_000).map(|i| format!("key:{i}")).collect();

    let mut seen = HashSet::new();
    let mut yielded = 0;
    for key in con.scan::<String>().unwrap() {
        seen.insert(key.unwrap());
        yielded += 1;
    }
    assert!(yielded >= 10_000);
    assert_eq!(seen, expected);

    let opts = ScanOptions::default().with_count(1000).with_pattern("key:12*");
    let matched: HashSet<String> = con.scan_options::<String>(opts).unwrap().map(|k| k.unwrap()).collect();
    let want: HashSet<String> = expected.iter().filter(|k| k.starts_with("key:12")).cloned().collect();
    assert_eq!(want.len(), 111);
    assert_eq!(matched, want);

    let typed = ScanOptions::default().with_count(500).with_type("string");
    assert_eq!(
        con.scan_options::<String>(typed)
            .unwrap()
            .map(|k| k.unwrap())
            .collect::<HashSet<_>>()
            .len(),
        10_000
    );
    let typed = ScanOptions::default().with_type("list");
    assert_eq!(con.scan_options::<String>(typed).unwrap().count(), 0);

    // POPULATE's values.
    assert_eq!(con.get::<_, String>("key:42").unwrap(), "value:42");
    let mut keys: Vec<String> = con.keys("key:99??").unwrap();
    keys.sort();
    assert_eq!(keys, (9900..10_000).map(|i| format!("key:{i}")).collect::<Vec<_>>());
}

#[test]
fn select_on_a_connection() {
    let srv = Server::start(&[]);
    let mut con = srv.redis();
    let () = con.set("where", "db0").unwrap();
    let () = redis::cmd("SELECT").arg(3).query(&mut con).unwrap();
    assert_eq!(con.get::<_, Option<String>>("where").unwrap(), None);
    let () = con.set("where", "db3").unwrap();
    let e = redis::cmd("SELECT").arg(16).query::<()>(&mut con).unwrap_err();
    assert_eq!(err_detail(&e), "ERR DB index is out of range");
    // A connection to db 3 through the URL (the crate sends SELECT).
    let mut db3 = redis::Client::open(format!("{}3", srv.url()))
        .unwrap()
        .get_connection()
        .unwrap();
    assert_eq!(db3.get::<_, String>("where").unwrap(), "db3");
    // MOVE and SWAPDB.
    let () = db3.set("mv", "m").unwrap();
    assert!(redis::cmd("MOVE").arg("mv").arg(0).query::<bool>(&mut db3).unwrap());
    let mut db0 = srv.redis();
    assert_eq!(db0.get::<_, String>("mv").unwrap(), "m");
    let () = redis::cmd("SWAPDB").arg(0).arg(3).query(&mut db0).unwrap();
    assert_eq!(db0.get::<_, String>("where").unwrap(), "db3");
    assert_eq!(db3.get::<_, String>("where").unwrap(), "db0");
    assert_eq!(db3.get::<_, String>("mv").unwrap(), "m");
}

#[test]
// DEBUG PROTOCOL double sends 3.141, which is not meant as pi.
#[allow(clippy::approx_constant)]
fn resp3_through_hello() {
    let srv = Server::start(&[]);
    let client = redis::Client::open(format!("{}?protocol=resp3", srv.url())).unwrap();
    let mut con = client.get_connection().unwrap();
    let hello: Value = redis::cmd("HELLO").arg(3).query(&mut con).unwrap();
    let Value::Map(fields) = hello else {
        panic!("HELLO 3 should reply with a map, got {hello:?}");
    };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == Value::BulkString(name.as_bytes().to_vec()))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in HELLO"))
    };
    assert_eq!(get("server"), Value::BulkString(b"redis".to_vec()));
    assert_eq!(get("version"), Value::BulkString(b"7.0.15".to_vec()));
    assert_eq!(get("proto"), Value::Int(3));
    assert_eq!(get("mode"), Value::BulkString(b"standalone".to_vec()));

    let proto = |con: &mut redis::Connection, t: &str| -> Value {
        redis::cmd("DEBUG").arg("PROTOCOL").arg(t).query(con).unwrap()
    };
    assert_eq!(proto(&mut con, "string"), Value::BulkString(b"Hello World".to_vec()));
    assert_eq!(proto(&mut con, "integer"), Value::Int(12345));
    assert_eq!(proto(&mut con, "double"), Value::Double(3.141));
    assert_eq!(proto(&mut con, "null"), Value::Nil);
    assert_eq!(proto(&mut con, "true"), Value::Boolean(true));
    assert_eq!(proto(&mut con, "false"), Value::Boolean(false));
    match proto(&mut con, "bignum") {
        Value::BigNumber(n) => assert_eq!(n.to_string(), "1234567999999999999999999999999999999"),
        other => panic!("bignum: {other:?}"),
    }
    assert_eq!(
        proto(&mut con, "set"),
        Value::Set(vec![Value::Int(0), Value::Int(1), Value::Int(2)])
    );
    assert_eq!(
        proto(&mut con, "array"),
        Value::Array(vec![Value::Int(0), Value::Int(1), Value::Int(2)])
    );
    assert_eq!(
        proto(&mut con, "map"),
        Value::Map(vec![
            (Value::Int(0), Value::Boolean(false)),
            (Value::Int(1), Value::Boolean(true)),
            (Value::Int(2), Value::Boolean(false)),
        ])
    );
    match proto(&mut con, "verbatim") {
        Value::VerbatimString { text, .. } => assert_eq!(text, "This is a verbatim\nstring"),
        other => panic!("verbatim: {other:?}"),
    }
    // Ordinary commands in RESP3.
    assert_eq!(
        redis::cmd("GET").arg("missing").query::<Value>(&mut con).unwrap(),
        Value::Nil
    );
    let () = con.set("x", "1.5").unwrap();
    assert_eq!(con.incr::<_, _, f64>("x", 1.0f64).unwrap(), 2.5);
    // Back to RESP2: a map becomes a flat array.
    let hello2: Value = redis::cmd("HELLO").arg(2).query(&mut con).unwrap();
    assert!(
        matches!(hello2, Value::Array(ref v) if v.len() == 14),
        "HELLO 2: {hello2:?}"
    );
    assert_eq!(proto(&mut con, "double"), Value::BulkString(b"3.141".to_vec()));
    assert_eq!(proto(&mut con, "true"), Value::Int(1));
}

#[test]
fn pipelines() {
    let srv = Server::start(&[]);
    let mut con = srv.redis();
    let mut p = redis::pipe();
    for i in 0..1000 {
        p.cmd("SET").arg(format!("p{i}")).arg(i).ignore();
    }
    for i in 0..1000 {
        p.cmd("INCRBY").arg(format!("p{i}")).arg(i);
    }
    p.cmd("DBSIZE");
    let (incrs, dbsize): (Vec<i64>, i64) = {
        let mut all: Vec<i64> = p.query(&mut con).unwrap();
        let dbsize = all.pop().unwrap();
        (all, dbsize)
    };
    assert_eq!(incrs, (0..1000).map(|i| 2 * i).collect::<Vec<i64>>());
    assert_eq!(dbsize, 1000);

    let (a, b, c): (String, Option<String>, i64) = redis::pipe()
        .cmd("ECHO")
        .arg("a")
        .cmd("GET")
        .arg("nope")
        .cmd("EXISTS")
        .arg("p1")
        .query(&mut con)
        .unwrap();
    assert_eq!((a.as_str(), b, c), ("a", None, 1));

    // An error inside a pipeline fails the whole query by default, and the
    // connection stays usable.
    let e = redis::pipe()
        .cmd("SET")
        .arg("e")
        .arg("v")
        .cmd("INCR")
        .arg("e")
        .cmd("GET")
        .arg("e")
        .query::<Vec<Value>>(&mut con)
        .unwrap_err();
    assert!(e.to_string().contains("value is not an integer or out of range"), "{e}");
    assert_eq!(con.get::<_, String>("e").unwrap(), "v");
    // ignore_errors keeps the other results.
    let results: Vec<Value> = redis::pipe()
        .ignore_errors()
        .cmd("INCR")
        .arg("e")
        .cmd("GET")
        .arg("e")
        .query(&mut con)
        .unwrap();
    assert!(matches!(results[0], Value::ServerError(_)), "{results:?}");
    assert_eq!(results[1], Value::BulkString(b"v".to_vec()));
}

#[test]
fn binary_keys_and_values() {
    let srv = Server::start(&[]);
    let mut con = srv.redis();
    let all: Vec<u8> = (0..=255u8).collect();
    let keys: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\0".to_vec(),
        b"a\0b".to_vec(),
        b"\r\n".to_vec(),
        b"*1\r\n$4\r\nPING\r\n".to_vec(),
        b" spaced key ".to_vec(),
        vec![0xff, 0xfe, 0x80],
        all.clone(),
    ];
    for (i, k) in keys.iter().enumerate() {
        let mut v = all.clone();
        v.rotate_left(i);
        v.extend_from_slice(k);
        let () = con.set(k.as_slice(), v.as_slice()).unwrap();
        assert_eq!(con.get::<_, Vec<u8>>(k.as_slice()).unwrap(), v, "key {i}");
        assert_eq!(con.strlen::<_, usize>(k.as_slice()).unwrap(), v.len());
    }
    assert_eq!(redis::cmd("DBSIZE").query::<usize>(&mut con).unwrap(), keys.len());
    let scanned: HashSet<Vec<u8>> = con.scan::<Vec<u8>>().unwrap().map(|k| k.unwrap()).collect();
    assert_eq!(scanned, keys.iter().cloned().collect::<HashSet<_>>());
    let listed: HashSet<Vec<u8>> = con.keys::<_, Vec<Vec<u8>>>("*").unwrap().into_iter().collect();
    assert_eq!(listed, scanned);

    // Empty values, and values that look like protocol.
    let () = con.set(b"empty".as_slice(), b"".as_slice()).unwrap();
    assert_eq!(con.get::<_, Vec<u8>>("empty").unwrap(), b"");
    assert_eq!(con.strlen::<_, i64>("empty").unwrap(), 0);
    let () = con
        .mset(&[
            (b"m\0a".as_slice(), b"$-1\r\n".as_slice()),
            (b"m\0b".as_slice(), b"\r\n\r\n".as_slice()),
        ])
        .unwrap();
    assert_eq!(
        con.mget::<_, Vec<Vec<u8>>>(&[b"m\0a".as_slice(), b"m\0b".as_slice()])
            .unwrap(),
        vec![b"$-1\r\n".to_vec(), b"\r\n\r\n".to_vec()]
    );
    // APPEND and SETRANGE keep binary data intact.
    assert_eq!(con.append::<_, _, usize>(b"bin".as_slice(), &all[..128]).unwrap(), 128);
    assert_eq!(con.append::<_, _, usize>(b"bin".as_slice(), &all[128..]).unwrap(), 256);
    assert_eq!(con.get::<_, Vec<u8>>("bin").unwrap(), all);
    assert_eq!(
        con.setrange::<_, _, usize>(b"bin".as_slice(), 254, b"\0\0\0".as_slice())
            .unwrap(),
        257
    );
    assert_eq!(
        con.getrange::<_, Vec<u8>>("bin", 252, -1).unwrap(),
        vec![252, 253, 0, 0, 0]
    );
    // A 1 MiB value of every byte.
    let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 7 % 251) as u8).collect();
    let () = con.set("big", big.as_slice()).unwrap();
    assert_eq!(con.get::<_, Vec<u8>>("big").unwrap(), big);
}
