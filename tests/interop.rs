//! fastkey-server next to a real redis-server: the same scripted commands go
//! to both as raw RESP, and the raw reply bytes must be identical. Replies
//! that legitimately differ (ids, times, memory, randomness, hash order) are
//! compared by type, with the id masked, or as sorted sets.
//!
//! Skipped, with a message, when redis-server (or redis-benchmark for the
//! benchmark test) is not installed.

mod common;

use common::{encode, parse, redis_server_available, show, RawClient, Resp, Server, ServerOpts};
use std::process::Command;
use std::time::Duration;

/// How the replies of one step are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Byte for byte.
    Exact,
    /// The elements of an array reply, as a sorted list.
    Sorted,
    /// A whole SCAN iteration (the step's cursor is replaced): the union of
    /// the keys returned, as a set.
    Scan,
    /// Only the reply type (first byte) of each reply.
    Type,
    /// HELLO: everything but the value of `id`.
    Hello,
    /// COMMAND DOCS: everything but the `summary` texts (fastkey words its
    /// own).
    Docs,
    /// Not a command: wait this many milliseconds (for expiry).
    Sleep,
}

struct Step {
    mode: Mode,
    args: Vec<Vec<u8>>,
    line: usize,
}

impl Step {
    /// The step's commands: its arguments split at `;` arguments (so one
    /// step can send several commands, e.g. for CLIENT REPLY).
    fn commands(&self) -> Vec<Vec<u8>> {
        self.args.split(|a| a == b";").map(encode).collect()
    }
}

/// Splits one argument line. Double quotes group, with the escapes `\\`,
/// `\"`, `\r`, `\n`, `\t`, `\0` and `\xHH`; an unquoted `<c*N>` stands for
/// the character c repeated N times.
fn split_args(line: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        let mut arg = Vec::new();
        if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                    match b[i] {
                        b'r' => arg.push(b'\r'),
                        b'n' => arg.push(b'\n'),
                        b't' => arg.push(b'\t'),
                        b'0' => arg.push(0),
                        b'x' => {
                            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                            arg.push(u8::from_str_radix(hex, 16).unwrap());
                            i += 2;
                        }
                        c => arg.push(c),
                    }
                } else {
                    arg.push(b[i]);
                }
                i += 1;
            }
            assert!(i < b.len(), "unterminated quote in {line:?}");
            i += 1;
        } else {
            while i < b.len() && b[i] != b' ' {
                arg.push(b[i]);
                i += 1;
            }
            let s = String::from_utf8_lossy(&arg).into_owned();
            if let Some(inner) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
                if let Some((c, n)) = inner.split_once('*') {
                    if c.len() == 1 {
                        if let Ok(n) = n.parse::<usize>() {
                            arg = c.repeat(n).into_bytes();
                        }
                    }
                }
            }
        }
        out.push(arg);
    }
    out
}

/// Parses a script: one step per line, `<mode> <command...>`, where mode is
/// `=`, `sorted`, `scan`, `type` or `hello` (or `sleep <ms>`); `#` starts a
/// comment line.
fn script(text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (mode, rest) = line.split_once(' ').unwrap_or((line, ""));
        let mode = match mode {
            "=" => Mode::Exact,
            "sorted" => Mode::Sorted,
            "scan" => Mode::Scan,
            "type" => Mode::Type,
            "hello" => Mode::Hello,
            "docs" => Mode::Docs,
            "sleep" => Mode::Sleep,
            other => panic!("line {}: unknown mode {other:?}", n + 1),
        };
        let args = split_args(rest);
        assert!(!args.is_empty() || rest.trim() == "\"\"", "line {}: no command", n + 1);
        steps.push(Step {
            mode,
            args,
            line: n + 1,
        });
    }
    steps
}

/// One connection to each server.
struct Pair {
    fk: RawClient,
    rs: RawClient,
    marker: u64,
    /// Without a marker (before AUTH, ECHO is refused), each command gets
    /// exactly one reply.
    use_marker: bool,
    // Kept last so that the clients close before the servers are killed.
    _servers: (Server, Server),
}

fn start_pair(redis_bin: &std::path::Path, args: &[&str]) -> Pair {
    let fk = Server::start(args);
    let rs = ServerOpts::new(args).bin(redis_bin).start();
    Pair {
        fk: fk.raw(),
        rs: rs.raw(),
        marker: 0,
        use_marker: true,
        _servers: (fk, rs),
    }
}

/// Sends `msg` followed by an ECHO of a marker, and returns the replies
/// before the marker's (a push message or several replies are possible).
fn exchange(c: &mut RawClient, msg: &[u8], marker: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut bytes = msg.to_vec();
    bytes.extend_from_slice(&encode(&["ECHO", marker]));
    c.send(&bytes);
    let end = format!("${}\r\n{marker}\r\n", marker.len()).into_bytes();
    let mut replies = Vec::new();
    loop {
        let mut r = c.try_read_replies(1, Duration::from_secs(10))?;
        let r = r.pop().unwrap();
        if r == end {
            return Ok(replies);
        }
        replies.push(r);
    }
}

impl Pair {
    fn both(&mut self, msg: &[u8], ncommands: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        if !self.use_marker {
            let read = |c: &mut RawClient, who: &str| {
                c.send(msg);
                c.try_read_replies(ncommands, Duration::from_secs(10))
                    .unwrap_or_else(|e| panic!("{who}: {e}"))
            };
            return (read(&mut self.fk, "fastkey"), read(&mut self.rs, "redis-server"));
        }
        self.marker += 1;
        let marker = format!("__interop_marker_{}__", self.marker);
        let fk = exchange(&mut self.fk, msg, &marker).unwrap_or_else(|e| panic!("fastkey: {e}"));
        let rs = exchange(&mut self.rs, msg, &marker).unwrap_or_else(|e| panic!("redis-server: {e}"));
        (fk, rs)
    }

    /// Runs a whole SCAN iteration with `args` (the cursor replaced each
    /// time) on one side; returns the keys or a description of a failure.
    fn scan_all(&mut self, fastkey: bool, args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, String> {
        let mut keys = Vec::new();
        let mut cursor = b"0".to_vec();
        for _ in 0..100_000 {
            let mut a = args.to_vec();
            a[1] = cursor.clone();
            self.marker += 1;
            let marker = format!("__interop_marker_{}__", self.marker);
            let c = if fastkey { &mut self.fk } else { &mut self.rs };
            let replies = exchange(c, &encode(&a), &marker)?;
            let reply = replies.first().ok_or("no reply")?;
            let parsed = parse(reply)?;
            let Resp::Array(Some(parts)) = parsed else {
                return Err(format!("SCAN replied {}", show(reply)));
            };
            cursor = parts[0].bytes().to_vec();
            keys.extend(parts[1].items().iter().map(|k| k.bytes().to_vec()));
            if cursor == b"0" {
                keys.sort();
                keys.dedup();
                return Ok(keys);
            }
        }
        Err("SCAN did not finish".into())
    }
}

fn sorted_elements(reply: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let parsed = parse(reply)?;
    let mut items: Vec<Vec<u8>> = match &parsed {
        Resp::Array(Some(v)) | Resp::Set(v) => v.iter().map(|r| format!("{r:?}").into_bytes()).collect(),
        _ => return Err(format!("not an array: {}", show(reply))),
    };
    items.sort();
    Ok(items)
}

/// The HELLO reply with the client id replaced by 0.
fn mask_hello(reply: &[u8]) -> Result<Resp, String> {
    let id = Resp::Bulk(Some(b"id".to_vec()));
    Ok(match parse(reply)? {
        Resp::Map(mut pairs) => {
            for (k, v) in pairs.iter_mut() {
                if *k == id {
                    *v = Resp::Int(0);
                }
            }
            Resp::Map(pairs)
        }
        Resp::Array(Some(mut items)) => {
            for i in (0..items.len()).step_by(2) {
                if items[i] == id && i + 1 < items.len() {
                    items[i + 1] = Resp::Int(0);
                }
            }
            Resp::Array(Some(items))
        }
        other => other,
    })
}

/// A COMMAND DOCS reply with every `summary` value replaced, at any depth.
fn mask_summaries(reply: &[u8]) -> Result<Resp, String> {
    fn mask(r: Resp) -> Resp {
        let key = Resp::Bulk(Some(b"summary".to_vec()));
        let masked = || Resp::Bulk(Some(b"-".to_vec()));
        match r {
            Resp::Map(pairs) => Resp::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| if k == key { (k, masked()) } else { (k, mask(v)) })
                    .collect(),
            ),
            Resp::Array(Some(items)) => {
                let mut out: Vec<Resp> = Vec::with_capacity(items.len());
                for (i, it) in items.into_iter().enumerate() {
                    if i % 2 == 1 && out.last() == Some(&key) {
                        out.push(masked());
                    } else {
                        out.push(mask(it));
                    }
                }
                Resp::Array(Some(out))
            }
            other => other,
        }
    }
    Ok(mask(parse(reply)?))
}

fn cmd_text(args: &[Vec<u8>]) -> String {
    args.iter().map(|a| show(a)).collect::<Vec<_>>().join(" ")
}

/// Runs a script on both servers and panics with every difference.
fn run_script(name: &str, text: &str) {
    run_script_with(name, text, &[]);
}

/// Same, with extra arguments for both servers.
fn run_script_with(name: &str, text: &str, server_args: &[&str]) {
    let Some(redis) = redis_server_available() else {
        return;
    };
    let mut pair = start_pair(&redis, server_args);
    pair.use_marker = !server_args.contains(&"--requirepass");
    let mut diffs = Vec::new();
    let steps = script(text);
    for step in &steps {
        let what = format!("{name} line {}: {}", step.line, cmd_text(&step.args));
        if step.mode == Mode::Sleep {
            let ms: u64 = String::from_utf8_lossy(&step.args[0]).parse().expect("sleep <ms>");
            std::thread::sleep(Duration::from_millis(ms));
            continue;
        }
        if step.mode == Mode::Scan {
            let fk = pair.scan_all(true, &step.args);
            let rs = pair.scan_all(false, &step.args);
            if fk != rs {
                let sum = |r: &Result<Vec<Vec<u8>>, String>| match r {
                    Ok(keys) => format!(
                        "{} keys, first {:?}",
                        keys.len(),
                        keys.iter().take(5).map(|k| show(k)).collect::<Vec<_>>()
                    ),
                    Err(e) => format!("error {e}"),
                };
                diffs.push(format!("{what}\n    fastkey: {}\n    redis:   {}", sum(&fk), sum(&rs)));
            }
            continue;
        }
        let commands = step.commands();
        let (fk, rs) = pair.both(&commands.concat(), commands.len());
        let same = match step.mode {
            Mode::Exact => fk == rs,
            Mode::Type => fk.len() == rs.len() && fk.iter().zip(&rs).all(|(a, b)| a.first() == b.first()),
            Mode::Sorted => {
                fk.len() == 1
                    && rs.len() == 1
                    && matches!((sorted_elements(&fk[0]), sorted_elements(&rs[0])), (Ok(a), Ok(b)) if a == b)
            }
            Mode::Hello => {
                fk.len() == 1
                    && rs.len() == 1
                    && matches!((mask_hello(&fk[0]), mask_hello(&rs[0])), (Ok(a), Ok(b)) if a == b)
            }
            Mode::Docs => {
                fk.len() == rs.len()
                    && fk
                        .iter()
                        .zip(&rs)
                        .all(|(a, b)| matches!((mask_summaries(a), mask_summaries(b)), (Ok(x), Ok(y)) if x == y))
            }
            Mode::Scan | Mode::Sleep => unreachable!(),
        };
        if !same {
            let join = |r: &[Vec<u8>]| r.iter().map(|x| show(x)).collect::<Vec<_>>().join(" + ");
            diffs.push(format!(
                "{what} ({:?})\n    fastkey: {}\n    redis:   {}",
                step.mode,
                join(&fk),
                join(&rs)
            ));
        }
    }
    eprintln!("{name}: {} steps, {} differences", steps.len(), diffs.len());
    assert!(
        diffs.is_empty(),
        "{} of {} replies differ from redis-server:\n{}",
        diffs.len(),
        steps.len(),
        diffs.join("\n")
    );
}

#[test]
fn docs_mask_hides_only_summaries() {
    let a = b"*2\r\n$3\r\nget\r\n*4\r\n$7\r\nsummary\r\n$1\r\nx\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n";
    let b = b"*2\r\n$3\r\nget\r\n*4\r\n$7\r\nsummary\r\n$1\r\ny\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n";
    let c = b"*2\r\n$3\r\nget\r\n*4\r\n$7\r\nsummary\r\n$1\r\ny\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n";
    assert_eq!(mask_summaries(a), mask_summaries(b));
    assert_ne!(mask_summaries(a), mask_summaries(c));
}

#[test]
fn script_parser_itself() {
    let s = script("= SET \"a b\" \"\\x00\\r\\n\\\\\" <x*3>\n# comment\n\nsorted KEYS *\n= \"\"");
    assert_eq!(s.len(), 3);
    assert_eq!(
        s[0].args,
        vec![b"SET".to_vec(), b"a b".to_vec(), b"\0\r\n\\".to_vec(), b"xxx".to_vec()]
    );
    assert_eq!(s[1].mode, Mode::Sorted);
    assert_eq!(s[2].args, vec![Vec::<u8>::new()]);
}

const STRINGS: &str = r#"
= PING
= PING "hello world"
= ECHO ""
= SET k v
= GET k
= GET nokey
= SET k v2 GET
= SET k2 v NX GET
= SET k2 other NX GET
= SET k v XX
= SET nope v XX
= GET nope
= SET k v NX XX
= SET k v EX 10 PX 100
= SET k v EX 10 KEEPTTL
= SET k v GET GET
= SET k v FOO
= SET k v EX
= SET k v EX 1000
= TTL k
= SET k v3 KEEPTTL
= TTL k
= SET k v4
= TTL k
= SET k v PXAT 32503680000000
= PEXPIRETIME k
= EXPIRETIME k
= SET k v EXAT 32503680000
= EXPIRETIME k
= SETNX k x
= SETNX sn x
= SETEX se 100 v
= TTL se
= PSETEX pse 100000 v
= GETSET k newv
= GETSET gsnew v
= GETDEL k
= GETDEL k
= GETEX sn
= GETEX sn EX 100
= TTL sn
= GETEX sn PERSIST
= TTL sn
= GETEX sn EXAT 32503680000
= EXPIRETIME sn
= GETEX sn EX 10 PX 10
= GETEX sn EX 10 PERSIST
= GETEX sn FOO
= GETEX sn EX
= GETEX nokey EX 10
= MSET a 1 b 2 c 3
= MSET a 1 b
= MGET a b c nokey
= MSETNX a 1 z 2
= MSETNX y 1 z 2
= MGET y z
= APPEND a 23
= APPEND newapp hello
= GET a
= STRLEN a
= STRLEN nokey
= SETRANGE a 1 XYZ
= GET a
= SETRANGE sr 5 x
= GET sr
= SETRANGE sr 536870911 ""
= SETRANGE nosr 0 ""
= SETRANGE nosr 3 ""
= EXISTS nosr
= GETRANGE a 0 -1
= GETRANGE a -100 100
= GETRANGE a 5 2
= GETRANGE a -1 -5
= GETRANGE a 3 3
= GETRANGE a -2 -1
= GETRANGE nokey 0 10
= SUBSTR a 1 2
= SET bin "\x00\xff\r\n$-1\r\n"
= GET bin
= STRLEN bin
= SET "" empty-key
= GET ""
= SET ek ""
= GET ek
= STRLEN ek
# counters
= SET n 10
= INCR n
= DECR n
= INCRBY n 5
= DECRBY n 3
= INCRBY n -20
= GET n
= INCR newcounter
= DECR newcounter2
= DECRBY newcounter3 5
= SET n 9223372036854775806
= INCR n
= SET n -9223372036854775807
= DECR n
= INCRBY n 0
= SET n 12345678901234567890
= GET n
# INCRBYFLOAT
= SET f 10.50
= INCRBYFLOAT f 0.1
= INCRBYFLOAT f -5
= INCRBYFLOAT f 1.0e3
= SET f 5.0e3
= INCRBYFLOAT f 2.0e2
= INCRBYFLOAT nf 3.0e3
= INCRBYFLOAT nf 0.0000001
= SET f 1
= INCRBYFLOAT f 0.1
= INCRBYFLOAT f 1.23456789012345678901
= SET f -0
= INCRBYFLOAT f 0
= SET f 3
= INCRBYFLOAT f 0.0
= INCRBYFLOAT f -0.0
= INCRBYFLOAT f 17e-1
= INCRBYFLOAT f 1.5e1
= INCRBYFLOAT f 9999999999999999999999
= INCRBYFLOAT f -9999999999999999999999
= INCRBYFLOAT f 1e-20
= SET f 0.1
= INCRBYFLOAT f 0.2
= SET f 1e308
= INCRBYFLOAT f 1e308
= GET f
= SET f 0x10
= INCRBYFLOAT f 1
= SET f 1.5
= INCRBYFLOAT f 1
= OBJECT ENCODING f
= SET f 5
= INCRBYFLOAT f 0.5
= INCRBYFLOAT f 0.5
= OBJECT ENCODING f
# LCS
= MSET key1 ohmytext key2 mynewtext
= LCS key1 key2
= LCS key1 key2 LEN
= LCS key1 key2 IDX
= LCS key1 key2 IDX MINMATCHLEN 4
= LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN
= LCS key1 key2 IDX WITHMATCHLEN
= LCS key1 key2 WITHMATCHLEN
= LCS key1 nokey
= LCS nokey1 nokey2
= LCS nokey1 nokey2 IDX
= LCS nokey1 nokey2 LEN
= MSET l1 ABCBDAB l2 BDCABA
= LCS l1 l2
= LCS l1 l2 IDX WITHMATCHLEN
= LCS l1 l1 IDX
# OBJECT ENCODING transitions
= SET e 12345
= OBJECT ENCODING e
= SET e 01
= OBJECT ENCODING e
= SET e -9223372036854775808
= OBJECT ENCODING e
= SET e 9223372036854775808
= OBJECT ENCODING e
= SET e " 1"
= OBJECT ENCODING e
= SET e <a*44>
= OBJECT ENCODING e
= SET e <a*45>
= OBJECT ENCODING e
= SET e 123
= APPEND e 4
= OBJECT ENCODING e
= GET e
= SET e 10
= INCR e
= OBJECT ENCODING e
= SET e abc
= SETRANGE e 0 x
= OBJECT ENCODING e
= SETEX e 100 20
= OBJECT ENCODING e
= GETRANGE e 0 0
= OBJECT ENCODING e
= SET e 1.5
= OBJECT ENCODING e
= INCRBYFLOAT e 1
= OBJECT ENCODING e
= INCRBYFLOAT e 0.5
= OBJECT ENCODING e
= MSET e1 1 e2 <b*50> e3 xyz
= OBJECT ENCODING e1
= OBJECT ENCODING e2
= OBJECT ENCODING e3
= GETSET e3 99
= OBJECT ENCODING e3
= SETNX e4 100000
= OBJECT ENCODING e4
= COPY e2 e5
= OBJECT ENCODING e5
= OBJECT ENCODING nokey
= SET r 100
= OBJECT REFCOUNT r
= SET r2 <c*30>
= OBJECT REFCOUNT r2
= OBJECT REFCOUNT nokey
= OBJECT FREQ r
= OBJECT HELP
= DEBUG POPULATE 1 rs 100000
type DEBUG OBJECT r
type OBJECT IDLETIME r
type MEMORY USAGE r
= MEMORY USAGE nokey
= OBJECT IDLETIME nokey
# number formats and more INCRBYFLOAT
= SET f 1.0e-5
= INCRBYFLOAT f 0
= SET f 0
= INCRBYFLOAT f 1e17
= INCRBYFLOAT f 1e300
= STRLEN f
= SET f 0
= INCRBYFLOAT f 1e4000
= STRLEN f
= INCRBYFLOAT f 1e5000
= SET f 0
= INCRBYFLOAT f -1.5e-10
= INCRBYFLOAT f 3.14159265358979323846264338327950288
= INCRBYFLOAT f 0x1p3
= INCRBYFLOAT f .5
= INCRBYFLOAT f 5.
= INCRBYFLOAT f +2
= INCRBYFLOAT f 1E2
= SET f 7
= INCRBYFLOAT f 1e-400
= SET n 01
= INCR n
= INCRBY n 01
= INCRBY n +1
= INCRBY n -0
= SELECT 01
= SELECT +1
= SELECT " 1"
= SELECT 0
# options are case-insensitive and may repeat
= set k v ex 100
= TTL k
= SET k v Ex 100 EX 200
= TTL k
= SET k v NX NX
= SET k v px 5000 KEEPTTL
= SET k v keepttl
= TTL k
= GeT k
= MSET d 1 d 2
= GET d
= DEL d d
= GETEX k persist
= GETEX k PERSIST PERSIST
= GETEX k ex 100 ex 200
= TTL k
"#;

const KEYSPACE: &str = r#"
= MSET a 1 b 2 c 3 k2 v
= DEL a b nokey
= EXISTS a b c c nokey
= TYPE k2
= TYPE nokey
= RENAME nokey x
= SET rn v
= RENAME rn rn
= RENAME rn rn2
= GET rn2
= RENAMENX rn2 k2
= RENAMENX rn2 rn3
= RENAMENX nokey x
= RENAMENX rn3 rn3
= EXPIRE rn3 1000
= RENAME rn3 rn4
= TTL rn4
= RENAME rn4 rn3
= COPY rn3 cp
= COPY rn3 cp
= TTL cp
= COPY rn3 cp REPLACE
= COPY rn3 cp DB 1
= COPY rn3 cp DB 16
= COPY rn3 cp DB abc
= COPY rn3 rn3
= COPY rn3 cp FOO
= COPY rn3 cp DB
= COPY nokey cp
= MOVE cp 1
= MOVE cp 1
= MOVE rn3 0
= MOVE rn3 99
= MOVE rn3 abc
= MOVE nokey 1
= SELECT 1
= GET cp
= TTL cp
= DBSIZE
= SELECT 0
= SWAPDB 0 1
= DBSIZE
= SWAPDB 0 1
= DBSIZE
= SWAPDB 0 16
= SWAPDB abc 1
= SWAPDB 0 0
= TOUCH rn3 nokey k2
= UNLINK rn3 nokey
= DBSIZE
= FLUSHDB
= DBSIZE
= SELECT 1
= DBSIZE
= FLUSHDB ASYNC
= FLUSHDB SYNC
= FLUSHDB FOO
= SELECT 0
= FLUSHALL FOO
= FLUSHALL
= RANDOMKEY
# expiry
= SET x v
= EXPIRE x 100
= TTL x
= EXPIRE x 100 NX
= EXPIRE x 200 XX
= TTL x
= EXPIRE x 50 GT
= EXPIRE x 500 GT
= EXPIRE x 1000 LT
= TTL x
= EXPIRE x 10 NX XX
= EXPIRE x 10 GT LT
= EXPIRE x 10 NX GT
= EXPIRE x 10 FOO
= EXPIRE x abc
= EXPIRE x 1.5
= EXPIRE x 9223372036854775807
= EXPIRE x 9223372036854775
= EXPIRE x -9223372036854775808
= PEXPIRE x 9223372036854775807
= EXPIREAT x 9223372036854775807
= PEXPIREAT x 9223372036854775807
= TTL x
= PERSIST x
= PERSIST x
= PERSIST nokey
= TTL x
= PTTL x
= PTTL nokey
= EXPIRETIME x
= EXPIRETIME nokey
= PEXPIRETIME nokey
= PEXPIREAT x 32503680000000
= EXPIRETIME x
= PEXPIRETIME x
= EXPIREAT x 32503680000 NX
= EXPIREAT x 32503680001 GT
= PEXPIRETIME x
= EXPIRE x -1
= EXISTS x
= SET x v
= EXPIREAT x 1
= EXISTS x
= SET x v
= PEXPIRE x 0
= EXISTS x
= PEXPIRE nokey 100
= EXPIRE nokey 100 XX
= SET y v
= EXPIRE y 100 GT
= EXPIRE y 100 LT
= TTL y
= SET y v EX 100
= EXPIRE y 100 XX
= SETEX se 0 v
= SETEX se -1 v
= SETEX se abc v
= SETEX se 9223372036854775807 v
= PSETEX pse 0 v
= PSETEX pse -5 v
= SET k v EX 0
= SET k v EX -5
= SET k v PX 0
= SET k v EX abc
= SET k v EX 9223372036854775807
= SET k v PX 9223372036854775807
= SET k v EXAT 0
= SET k v PXAT -1
= GETEX y PX 0
= GETEX y EX -1
= GETEX y EXAT 0
= GETEX y EX 9223372036854775807
= GETEX y EX abc
= EXISTS k
"#;

const ERRORS: &str = r#"
= FOOBAR
= FOOBAR a b "c d"
= foobar <a*200>
= FOOBAR <a*100> <b*100>
= ""
= "GET\x00" k
= FOOBAR "x\x00y" z
= FOOBAR "a\r\nb"
= "FOO\r\nBAR" x
= CLIENT "NO\x00PE"
= OBJECT "EN\r\nC" k
= CLIENT SETNAME "a\x00b"
= GET
= GET a b
= SET k
= MGET
= DEL
= OBJECT
= OBJECT ENCODING
= OBJECT ENCODING a b
= OBJECT FOO a
= CLIENT
= CLIENT FOO
= CLIENT SETNAME
= DEBUG
= MEMORY
= MEMORY FOO
= MEMORY USAGE
= SELECT
= SELECT 16
= SELECT -1
= SELECT abc
= SELECT 0
= ECHO
= ECHO a b
= PING a b
= AUTH x
= AUTH default x
= AUTH nouser x
= AUTH a b c
= CLIENT SETNAME "a b"
= CLIENT SETNAME "a\nb"
= CLIENT SETNAME myname
= CLIENT GETNAME
= CLIENT SETNAME ""
= CLIENT GETNAME
= CLIENT NO-EVICT maybe
= CLIENT NO-EVICT on
= CLIENT NO-EVICT off
= CLIENT REPLY foo
= CLIENT KILL 1.2.3.4:5
= CLIENT KILL ID 999999
= CLIENT KILL ID abc
= CLIENT KILL FOO bar
= CLIENT UNBLOCK 999999
= CLIENT UNBLOCK abc
= CLIENT UNBLOCK 999999 FOO
# The help of a family whose subcommands are not all implemented yet
# lists fewer lines: compared by type only.
type CLIENT HELP
type CLIENT INFO
type CLIENT LIST
type CLIENT ID
= DEBUG SLEEP 0
= DEBUG FOOBAR
= DEBUG SET-ACTIVE-EXPIRE 1
= DEBUG POPULATE -1
= DEBUG POPULATE abc
= DEBUG POPULATE 10 p abc
= DEBUG PROTOCOL foo
type MEMORY HELP
= MEMORY USAGE nokey
= MEMORY USAGE nokey SAMPLES abc
= SHUTDOWN FOO
= SHUTDOWN ABORT
= LASTSAVE FOO
= TIME FOO
type TIME
type LASTSAVE
type INFO
type INFO server
= INCR nokey FOO
= SCAN abc
= SCAN 0 COUNT 0
= SCAN 0 COUNT abc
= SCAN 0 COUNT -1
= SCAN 0 FOO
= SCAN 0 MATCH
= SCAN 18446744073709551616
= SCAN 0 TYPE
= KEYS
= DBSIZE
= SET n 9223372036854775807
= INCR n
= INCRBY n 1
= SET n -9223372036854775808
= DECR n
= DECRBY n 1
= DECRBY n -9223372036854775808
= SET n 0
= DECRBY n -9223372036854775808
= INCRBY n abc
= INCRBY n 1.5
= INCRBY n 99999999999999999999
= SET n " 1"
= INCR n
= SET n 1.5
= INCR n
= SET n 00
= INCR n
= SET n +1
= INCR n
= SET n abc
= INCR n
= INCRBYFLOAT n 1
= SET f 1
= INCRBYFLOAT f abc
= INCRBYFLOAT f inf
= INCRBYFLOAT f -inf
= INCRBYFLOAT f nan
= INCRBYFLOAT f 1e400
= INCRBYFLOAT f ""
= INCRBYFLOAT f " 1"
= INCRBYFLOAT f "1 "
= SET f " 11"
= INCRBYFLOAT f 1
= SET f 11abc
= INCRBYFLOAT f 1
= SET f inf
= INCRBYFLOAT f 1
= SET f 1e308
= INCRBYFLOAT f 1e308
= SETRANGE sr -1 x
= SETRANGE sr 536870912 x
= SETRANGE sr 536870911 xx
= SETRANGE sr abc x
= GETRANGE sr 0 abc
= GETRANGE sr abc 0
= LCS key1 key2 LEN IDX
= LCS key1 key2 FOO
= LCS key1 key2 MINMATCHLEN abc
= LCS key1 key2 MINMATCHLEN -1 IDX
= LCS key1 key2 MINMATCHLEN
= SET s str
= LCS s nokey IDX MINMATCHLEN 0
= MSET a
= MSETNX a
= SETRANGE sr -0 x
= GETRANGE sr -0 1
= EXPIRE sr -0
= SELECT -0
= SELECT 9
= SCAN -0
= SCAN +0
= SCAN " 0"
= SCAN "0 "
= SCAN 00
= SCAN 0x0
= SCAN 18446744073709551615
= SELECT 0
= PING
"#;

const RESP3: &str = r#"
hello HELLO
hello HELLO 3
= HELLO 4
= HELLO 1
= HELLO abc
= HELLO 3 FOO
= HELLO 3 AUTH default
= HELLO 3 SETNAME "bad name"
hello HELLO 3 AUTH default anything
hello HELLO 3 SETNAME okname
= CLIENT GETNAME
= DEBUG PROTOCOL string
= DEBUG PROTOCOL integer
= DEBUG PROTOCOL double
= DEBUG PROTOCOL bignum
= DEBUG PROTOCOL null
= DEBUG PROTOCOL array
= DEBUG PROTOCOL set
= DEBUG PROTOCOL map
= DEBUG PROTOCOL attrib
= DEBUG PROTOCOL push
= DEBUG PROTOCOL verbatim
= DEBUG PROTOCOL true
= DEBUG PROTOCOL false
= DEBUG PROTOCOL foo
= PING
= PING hi
= SET k v
= GET nokey
= GET k
= MGET k nokey
= SET k v2 GET
= SET nk v NX GET
= SET k v XX GET
= INCRBYFLOAT f 1.5
= EXPIRE nokey 10
= EXISTS k
= TTL k
= CLIENT SETNAME ""
= CLIENT GETNAME
= OBJECT ENCODING nokey
= OBJECT ENCODING k
= GETDEL nokey
= GETEX nokey
= MSET key1 ohmytext key2 mynewtext
= LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN
= LCS key1 key2 IDX
= LCS key1 key2 LEN
= OBJECT HELP
type CLIENT HELP
= MEMORY USAGE nokey
= FOOBAR
= GET
= SCAN 0 COUNT 0
type RANDOMKEY
= SET k v EX 0
= TYPE k
type TIME
type INFO
type CLIENT INFO
hello HELLO 2
= DEBUG PROTOCOL string
= DEBUG PROTOCOL integer
= DEBUG PROTOCOL double
= DEBUG PROTOCOL bignum
= DEBUG PROTOCOL null
= DEBUG PROTOCOL array
= DEBUG PROTOCOL set
= DEBUG PROTOCOL map
= DEBUG PROTOCOL attrib
= DEBUG PROTOCOL push
= DEBUG PROTOCOL verbatim
= DEBUG PROTOCOL true
= DEBUG PROTOCOL false
= GET nokey
= MGET k nokey
= OBJECT HELP
= LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN
= CLIENT GETNAME
"#;

const POPULATE_SCAN: &str = r#"
= DEBUG POPULATE 1000
= DEBUG POPULATE 1000
= DBSIZE
= DEBUG POPULATE 10 pfx 20
= DEBUG POPULATE 3 big 70000
= DEBUG POPULATE 0
= DBSIZE
= GET key:0
= GET key:999
= GET pfx:3
= STRLEN big:2
= GETRANGE big:1 0 20
= OBJECT ENCODING key:7
= OBJECT ENCODING pfx:7
= OBJECT ENCODING big:0
= EXISTS key:1000
sorted KEYS *
sorted KEYS key:1?
sorted KEYS key:[1-2]*
sorted KEYS key:[^1-8]?
sorted KEYS *:99*
sorted KEYS pfx:*
sorted KEYS *\:5
sorted KEYS k?y:12*
sorted KEYS key:1[0-9]
sorted KEYS KEY:*
= KEYS nomatch*
= KEYS key:5
scan SCAN 0
scan SCAN 0 MATCH key:1*
scan SCAN 0 MATCH *9 COUNT 100
scan SCAN 0 COUNT 7
scan SCAN 0 TYPE string
scan SCAN 0 TYPE STRING
scan SCAN 0 TYPE list
scan SCAN 0 TYPE nosuchtype
scan SCAN 0 MATCH pfx* COUNT 5
scan SCAN 0 MATCH nomatch*
type RANDOMKEY
= FLUSHDB
= DBSIZE
= RANDOMKEY
= SCAN 0
= KEYS *
= SELECT 2
= DEBUG POPULATE 200 db2
= DBSIZE
sorted KEYS *
scan SCAN 0 MATCH db2:1*
= SELECT 0
= DBSIZE
# glob patterns
= MSET a*b 1 a?b 2 a[b 3 a\b 4 abb 5 ab 6 "a b" 7 A 8 "" 9 [ 10 ] 11 ^ 12
sorted KEYS a*
sorted KEYS a\*b
sorted KEYS a\?b
sorted KEYS a[*]b
sorted KEYS a[?]b
sorted KEYS a[[]b
sorted KEYS a\b
sorted KEYS a[\]b
sorted KEYS a[^b]b
sorted KEYS a[!b]b
sorted KEYS a[a-c]b
sorted KEYS a[c-a]b
sorted KEYS a[b-]b
sorted KEYS a[
sorted KEYS a[b
sorted KEYS [
sorted KEYS \[
sorted KEYS ]
sorted KEYS ^
sorted KEYS ?
sorted KEYS ??
sorted KEYS *?*
sorted KEYS **
sorted KEYS ***b
sorted KEYS a*b*
sorted KEYS a\
sorted KEYS \
sorted KEYS a
sorted KEYS A
sorted KEYS ""
sorted KEYS *a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b
sorted KEYS "a b"
sorted KEYS a?b
scan SCAN 0 MATCH a[*?]b
scan SCAN 0 MATCH ""
"#;

const CLIENT_STATE: &str = r#"
# CLIENT REPLY and RESET change what comes back: several commands per step.
= CLIENT REPLY SKIP ; PING ; ECHO after-skip
= CLIENT REPLY OFF ; PING ; SET r 1 ; CLIENT REPLY ON ; GET r
= CLIENT REPLY OFF ; CLIENT REPLY SKIP ; PING ; CLIENT REPLY ON
= CLIENT REPLY SKIP ; CLIENT REPLY SKIP ; PING
= CLIENT REPLY SKIP ; FOOBAR ; PING
= CLIENT REPLY ON
= SELECT 3
= SET in3 x
= CLIENT SETNAME before-reset
hello HELLO 3
= RESET
= CLIENT GETNAME
= GET in3
= DEBUG PROTOCOL map
= RESET FOO
= SELECT 3
= CLIENT REPLY OFF ; RESET ; GET in3
= DBSIZE
= CLIENT NO-EVICT on ; RESET ; PING
"#;

const AUTH: &str = r#"
= PING
= GET k
= FOOBAR
= GET
= AUTH wrong
= AUTH default wrong
= AUTH nouser pw
= AUTH a b c
= HELLO 3
= HELLO 2
= HELLO 3 AUTH default wrong
= HELLO 3 AUTH default
= CLIENT SETNAME x
= QUIT-NOT
= SELECT 1
= ECHO hi
= RESET
= PING
hello HELLO 3 AUTH default pw
= PING
= AUTH pw
= AUTH default pw
= GET k
= RESET
= GET k
= AUTH pw
= SET k v
= GET k
"#;

const CONFIG_LFU: &str = r#"
= CONFIG GET maxmemory
= CONFIG GET maxmemory-policy
= CONFIG GET hz
= CONFIG GET databases
= CONFIG GET save
= CONFIG GET nosuchparam
= CONFIG SET hz 20
= CONFIG GET hz
= CONFIG SET nosuchparam 1
= CONFIG SET hz abc
= CONFIG SET maxmemory-policy bogus
= CONFIG SET maxmemory-policy allkeys-lfu
= SET lf v
= OBJECT FREQ lf
= GET lf
= OBJECT FREQ lf
= OBJECT IDLETIME lf
= OBJECT FREQ nokey
= CONFIG SET maxmemory-policy allkeys-lru
= OBJECT FREQ lf
type OBJECT IDLETIME lf
= CONFIG SET maxmemory-policy noeviction
"#;

/// Keys past their expiry time with the active cycle off: each command
/// meets one lazily.
const EXPIRED: &str = r#"
= DEBUG SET-ACTIVE-EXPIRE 0
= SET a 1 PX 1
= SET b 1
= SET e1 v1 PX 1
= SET e2 v2 PX 1
= SET e3 v3 PX 1
= SET e4 v4 PX 1
= SET e5 v5 PX 1
= SET e6 v6 PX 1
= SET e7 v7 PX 1
= SET e8 v8 PX 1
= SET e9 v9 PX 1
= SET e10 v10 PX 1
= SET e11 v11 PX 1
= SET e12 v12 PX 1
= SET e13 v13 PX 1
= SET e14 v14 PX 1
= SET e15 v15 PX 1
= SET e16 v16 PX 1
= SET e17 v17 PX 1
= SET e18 v18 PX 1
= SET e19 v19 PX 1
= SET e20 v20 PX 1
= SET e21 v21 PX 1
= SET e22 v22 PX 1
= SET e23 v23 PX 1
= SET e24 v24 PX 1
= SET e25 v25 PX 1
= SET e26 v26 PX 1
= SET e27 v27 PX 1
= SET e28 v28 PX 1
= SET e29 v29 PX 1
= SET e30 v30 PX 1
= SET keep v PX 100000
sleep 30
= DBSIZE
= INFO keyspace
sorted KEYS *
= DBSIZE
= EXISTS a
= DBSIZE
= TTL e1
= PTTL e2
= GET e3
= SET e4 v GET
= APPEND e5 x
= INCR e6
= RENAME e7 z
= COPY e8 z
= OBJECT ENCODING e9
= MOVE e10 1
= TOUCH e11
= STRLEN e12
= GETRANGE e13 0 -1
= GETEX e14 PERSIST
= GETDEL e15
= SETNX e16 v
= MSETNX e17 v
= LCS e18 b
= TYPE e19
= DEL e20
= EXPIRE e21 100
= PERSIST e22
= RENAMENX b e23
= COPY b e24
= MGET e25 b e26
= SETRANGE e27 2 x
= GET e27
= INCRBYFLOAT e28 1.5
= EXPIRETIME e29
= UNLINK e30
= DBSIZE
= INFO keyspace
scan SCAN 0
= DBSIZE
= INFO keyspace
= DEBUG SET-ACTIVE-EXPIRE 1
"#;

#[test]
fn expired_keys_match_redis() {
    run_script("expired", EXPIRED);
}

#[test]
fn strings_match_redis() {
    run_script("strings", STRINGS);
}

#[test]
fn keyspace_and_expiry_match_redis() {
    run_script("keyspace", KEYSPACE);
}

#[test]
fn errors_match_redis() {
    run_script("errors", ERRORS);
}

#[test]
fn resp3_matches_redis() {
    run_script("resp3", RESP3);
}

#[test]
fn populate_keys_and_scan_match_redis() {
    run_script("populate", POPULATE_SCAN);
}

#[test]
fn client_reply_and_reset_match_redis() {
    run_script("client-state", CLIENT_STATE);
}

#[test]
fn authentication_matches_redis() {
    run_script_with("auth", AUTH, &["--requirepass", "pw"]);
}

#[test]
fn config_and_lfu_match_redis() {
    run_script("config", CONFIG_LFU);
}

/// `CLIENT INFO` as (field, value) pairs.
fn client_info_fields(c: &mut RawClient) -> Vec<(String, String)> {
    let text = common::bulk_text(&c.cmd(&["CLIENT", "INFO"]));
    assert!(text.ends_with('\n'), "CLIENT INFO ends with a newline: {text:?}");
    text.trim_end()
        .split(' ')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn client_info_fields_match_redis() {
    let Some(redis) = redis_server_available() else {
        return;
    };
    let fk = Server::start(&[]);
    let rs = ServerOpts::new(&[]).bin(&redis).start();
    let mut infos = Vec::new();
    for srv in [&fk, &rs] {
        let mut c = srv.raw();
        for cmd in [
            &["CLIENT", "SETNAME", "itest"][..],
            &["SELECT", "2"],
            &["CLIENT", "NO-EVICT", "on"],
        ] {
            assert_eq!(common::parse(&c.cmd(cmd)).unwrap(), Resp::Simple(b"OK".to_vec()));
        }
        infos.push(client_info_fields(&mut c));
    }
    let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    // Redis 7.2's CLIENT SETINFO adds lib-name and lib-ver at the end; the
    // rest is 7.0.15's list, in its order.
    let mut want = names(&infos[1]);
    want.extend(["lib-name".to_string(), "lib-ver".to_string()]);
    assert_eq!(names(&infos[0]), want, "CLIENT INFO fields (fastkey, redis + 7.2's)");
    infos[0].retain(|(k, _)| k != "lib-name" && k != "lib-ver");
    // Fields that depend on ids, addresses, timing or allocation are skipped.
    let varying = [
        "id",
        "addr",
        "laddr",
        "fd",
        "age",
        "idle",
        "qbuf-free",
        "rbs",
        "rbp",
        "tot-mem",
    ];
    let mut diffs = Vec::new();
    for ((k, a), (_, b)) in infos[0].iter().zip(&infos[1]) {
        if !varying.contains(&k.as_str()) && a != b {
            diffs.push(format!("{k}: fastkey {a:?}, redis {b:?}"));
        }
    }
    assert!(diffs.is_empty(), "CLIENT INFO differs:\n{}", diffs.join("\n"));
}

/// Sends `input` on a fresh connection, then an ECHO of a marker; returns
/// every byte received until the marker's reply or the close.
fn raw_exchange(port: u16, input: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let marker = "__interop_raw_marker__";
    let end = format!("${}\r\n{marker}\r\n", marker.len()).into_bytes();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut msg = input.to_vec();
    msg.extend_from_slice(&encode(&["ECHO", marker]));
    // The server may close early (protocol errors): later bytes may fail.
    let _ = s.write_all(&msg);
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                if got.ends_with(&end) {
                    got.truncate(got.len() - end.len());
                    return got;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return got,
            // Still open and quiet: the input left a command unfinished.
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => return got,
            Err(e) => panic!("reading the reply to {}: {e}; got {}", show(input), show(&got)),
        }
    }
}

#[test]
fn raw_inputs_match_redis() {
    let Some(redis) = redis_server_available() else {
        return;
    };
    let fk = Server::start(&[]);
    let rs = ServerOpts::new(&[]).bin(&redis).start();
    let inputs: &[&[u8]] = &[
        b"PING\r\n",
        b"ping\n",
        b"\r\n \r\n\t\r\nPING\r\n",
        b"PING\r\r\n",
        b"ECHO \"\\x41\\x4g\\q\\\\\"\r\n",
        b"ECHO 'a\\'b' \"c\\\"d\"\r\n",
        b"ECHO \"a\"\"b\"\r\n",
        b"ECHO a\"b\"\r\n",
        b"ECHO \"\\n\\r\\t\\b\\a\"\r\n",
        b"ECHO\tx\r\n",
        b"SET k\tv\r\nGET k\r\n",
        b"ECHO \"\xc3\xa9\"\r\n",
        b"ECHO \"a\\x00b\"\r\n",
        b"ECHO ''\r\n",
        b"ECHO '\r\n",
        b"ECHO \"\r\n",
        b"*2\r\n$4\r\nECHO\r\n$3\r\nabcXY",
        b"*1\r\n$0\r\n\r\n",
        b"*0\r\n*-1\r\nPING\r\n",
        b"*2\r\n$4\r\nECHO\r\n$-0\r\n",
        b"*+1\r\n",
        b"*-0\r\nPING\r\n",
        b"*-9223372036854775808\r\nPING\r\n",
        b"*-9223372036854775809\r\nPING\r\n",
        b"*9223372036854775807\r\n",
        b"*1\r\n$-9223372036854775808\r\n",
        b"*1\r\n$9223372036854775807\r\n",
        b"*01\r\n",
        b"*1 \r\n",
        b"*1\r\n$+4\r\nPING\r\n",
        b"*1\r\n$04\r\nPING\r\n",
        b"$4\r\nPING\r\n",
        b"*1\n$4\nPING\n",
        b"*1\r\n$4\r\nPING\r\n*1\r\n",
        b"PING\r\nQUIT\r\nPING\r\n",
        b"QUIT extra args\r\n",
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
        b"*1\r\n*1\r\n",
        b"GET \"k\"x\r\n",
        b"\"PING\"\r\n",
        b"'PING'\r\n",
    ];
    let mut diffs = Vec::new();
    for input in inputs {
        let a = raw_exchange(fk.port, input);
        let b = raw_exchange(rs.port, input);
        if a != b {
            diffs.push(format!(
                "input {}\n    fastkey: {}\n    redis:   {}",
                show(input),
                show(&a),
                show(&b)
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} of {} inputs differ:\n{}",
        diffs.len(),
        inputs.len(),
        diffs.join("\n")
    );
}

#[test]
fn redis_benchmark_runs_cleanly() {
    let Some(bench) = common::which("redis-benchmark") else {
        eprintln!("SKIPPED: `redis-benchmark` is not on the PATH (it comes with the redis-tools package)");
        return;
    };
    let srv = Server::start(&[]);
    let out = Command::new(bench)
        .args(["-h", "127.0.0.1", "-p", &srv.port.to_string()])
        .args(["-t", "set,get,incr,mset", "-n", "20000", "-P", "16", "-q"])
        .output()
        .expect("run redis-benchmark");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "redis-benchmark failed: {}\n{stdout}\n{stderr}",
        out.status
    );
    // -q rewrites a progress line with \r; keep the final text of each line.
    let lines: Vec<&str> = stdout
        .lines()
        .chain(stderr.lines())
        .map(|l| l.rsplit('\r').next().unwrap_or(l).trim())
        .filter(|l| !l.is_empty())
        .collect();
    let bad: Vec<&&str> = lines
        .iter()
        .filter(|l| {
            let low = l.to_ascii_lowercase();
            low.contains("err") || low.contains("warning") || low.contains("could not")
        })
        .collect();
    assert!(
        bad.is_empty(),
        "redis-benchmark reported problems: {bad:#?}\nfull output:\n{stdout}\n{stderr}"
    );
    for test in ["SET", "GET", "INCR", "MSET (10 keys)"] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{test}: ")) && l.contains("requests per second")),
            "no result line for {test}:\n{stdout}"
        );
    }
    // Its connections are all closed: only ours remains.
    let settled = common::wait_until(Duration::from_secs(10), || {
        srv.info_field("clients", "connected_clients").as_deref() == Some("1")
    });
    assert!(
        settled,
        "connected_clients: {:?}",
        srv.info_field("clients", "connected_clients")
    );
}

/// The geo commands: scores, positions, distances, searches (unsorted
/// results in Redis's box order), stores, errors; RESP3 forms at the end.
const GEO: &str = r#"
# Equal distances with COUNT: Redis's partial quicksort decides the order.
= GEOADD t 10 10 a00 10 10 a01 10 10 a02 10 10 a03 10 10 a04 10 10 a05 10 10 a06 10 10 a07 10 10 a08 10 10 a09 10 10 a10 10 10 a11 10 10 a12 10 10 a13 10 10 a14 10 10 a15 10 10 a16 10 10 a17 10 10 a18 10 10 a19 10 10 a20 10 10 a21 10 10 a22 10 10 a23 10 10 a24 10 10 a25 10 10 a26 10 10 a27 10 10 a28 10 10 a29 10 10 a30 10 10 a31 10 10 a32 10 10 a33 10 10 a34 10 10 a35 10 10 a36 10 10 a37 10 10 a38 10 10 a39 10 10 a40 10 10 a41 10 10 a42 10 10 a43 10 10 a44 10 10 a45 10 10 a46 10 10 a47 10 10 a48 10 10 a49 10 10 a50 10 10 a51 10 10 a52 10 10 a53 10 10 a54 10 10 a55 10 10 a56 10 10 a57 10 10 a58 10 10 a59 10.01 10 b00 10.01 10 b01 10.01 10 b02 10.01 10 b03 10.01 10 b04 10.01 10 b05 10.01 10 b06 10.01 10 b07 10.01 10 b08 10.01 10 b09 10.01 10 b10 10.01 10 b11 10.01 10 b12 10.01 10 b13 10.01 10 b14 10.01 10 b15 10.01 10 b16 10.01 10 b17 10.01 10 b18 10.01 10 b19 10.01 10 b20 10.01 10 b21 10.01 10 b22 10.01 10 b23 10.01 10 b24 10.01 10 b25 10.01 10 b26 10.01 10 b27 10.01 10 b28 10.01 10 b29
= GEORADIUS t 10 10 100 km count 1
= GEORADIUS t 10 10 100 km count 1 desc
= GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 100 km COUNT 1 WITHDIST
= GEORADIUS t 10 10 100 km count 5
= GEORADIUS t 10 10 100 km count 5 desc
= GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 100 km COUNT 5 WITHDIST
= GEORADIUS t 10 10 100 km count 25
= GEORADIUS t 10 10 100 km count 25 desc
= GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 100 km COUNT 25 WITHDIST
= GEORADIUS t 10 10 100 km count 61
= GEORADIUS t 10 10 100 km count 61 desc
= GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 100 km COUNT 61 WITHDIST
= GEORADIUS t 10 10 100 km count 89
= GEORADIUS t 10 10 100 km count 89 desc
= GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 100 km COUNT 89 WITHDIST
= GEORADIUS t 10 10 100 km count 100
= GEORADIUS t 10 10 100 km count 100 desc
= GEOSEARCH t FROMLONLAT 10 10 BYRADIUS 100 km COUNT 100 WITHDIST
= geoadd Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
= zrange Sicily 0 -1 withscores
= geodist Sicily Palermo Catania
= geodist Sicily Palermo Catania km
= geodist Sicily Palermo Catania MI
= geodist Sicily Palermo Catania ft
= geodist Sicily Palermo Catania m
= geodist Sicily Palermo Catania yd
= geodist Sicily Palermo Catania km extra
= geodist Sicily Palermo nope
= geodist nokey a b
= geodist nokey a b badunit
= geohash Sicily Palermo Catania nope
= geohash nokey a b
= geopos Sicily Palermo Catania nope
= geopos nokey a
= geopos Sicily
= geohash Sicily
= georadius Sicily 15 37 200 km
= georadius Sicily 15 37 200 km WITHDIST
= georadius Sicily 15 37 200 km WITHCOORD
= georadius Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH
= georadius Sicily 15 37 200 km WITHHASH WITHDIST desc
= georadius Sicily 15 37 200 km count 1
= georadius Sicily 15 37 200 km count 1 desc
= georadius Sicily 15 37 200 km count 1 any
= georadius Sicily 15 37 200 km any
= georadius Sicily 15 37 200 km count 0
= georadius Sicily 15 37 200 km count -1
= georadius Sicily 15 37 200 km count x
= georadius Sicily 15 37 200 km count
= georadius Sicily 15 37 -200 km
= georadius Sicily 15 37 abc km
= georadius Sicily 15 37 200 parsec
= georadius Sicily 181 37 200 km
= georadius Sicily 15 86 200 km
= georadius Sicily x 37 200 km
= georadius Sicily 15 37 200 km store dst withdist
= georadius Sicily 15 37 200 km store dst
= zrange dst 0 -1 withscores
= georadius Sicily 15 37 200 km storedist dst2
= zrange dst2 0 -1 withscores
= georadius Sicily 15 37 1 km store dst
= exists dst
= georadius_ro Sicily 15 37 200 km store dst
= georadius_ro Sicily 15 37 200 km withdist asc
= georadiusbymember Sicily Palermo 200 km withdist
= georadiusbymember Sicily Palermo 100 km withdist
= georadiusbymember Sicily nope 100 km
= georadiusbymember nokey nope x y
= georadiusbymember nokey nope x y store z
= georadiusbymember_ro Sicily Palermo 200 km withcoord
= georadiusbymember_ro Sicily Palermo 200 km store x
= geosearch Sicily frommember Palermo byradius 200 km
= geosearch Sicily fromlonlat 15 37 byradius 200 km withdist
= geosearch Sicily fromlonlat 15 37 bybox 400 400 km withdist withcoord asc
= geosearch Sicily fromlonlat 15 37 bybox 100 100 km withdist
= geosearch Sicily fromlonlat 15 37 bybox 400 400 km count 1
= geosearch Sicily fromlonlat 15 37 bybox -1 400 km
= geosearch Sicily fromlonlat 15 37 bybox x 400 km
= geosearch Sicily fromlonlat 15 37 bybox 1 x km
= geosearch Sicily fromlonlat 15 37 bybox 1 1 x
= geosearch Sicily frommember Palermo fromlonlat 15 37 byradius 200 km
= geosearch Sicily byradius 200 km
= geosearch Sicily frommember Palermo
= geosearch Sicily frommember Palermo byradius 200 km bybox 1 1 km
= geosearch Sicily frommember nope byradius 200 km
= geosearch nokey frommember nope byradius 200 km
= geosearch nokey frommember nope byradius 200 km any
= geosearch Sicily frommember Palermo byradius 200 km store x
= geosearch Sicily frommember Palermo byradius 200 km storedist
= geosearchstore dst Sicily frommember Palermo byradius 200 km
= zrange dst 0 -1 withscores
= geosearchstore dst Sicily frommember Palermo byradius 200 km storedist
= zrange dst 0 -1 withscores
= geosearchstore dst Sicily frommember Palermo byradius 200 km withdist
= geosearchstore dst nokey frommember Palermo byradius 200 km
= exists dst
= GEOSEARCH Sicily byradius 200 km
= geoadd Sicily xx 13.361389 38.115556 Palermo2
= geoadd Sicily nx ch 13.361389 38.115556 Palermo 1 1 new
= geoadd Sicily xx ch 13.4 38.1 Palermo
= geoadd Sicily nx xx 1 1 a
= geoadd Sicily 1 1
= geoadd Sicily ch ch ch
= geoadd Sicily 200 1 a
= geoadd Sicily 1 x a
= geoadd Sicily 1 1 a 2 2
= set str x
= geoadd str 1 1 a
= geopos str a
= geohash str a
= geodist str a b
= georadius str 1 1 1 km
= geosearch str frommember a byradius 1 km
= geosearchstore d str frommember a byradius 1 km
= geoadd poles 180 85.05112878 a -180 -85.05112878 b 0 0 c 180 0 d -180 0 e
= zrange poles 0 -1 withscores
= geopos poles a b c d e
= geohash poles a b c d e
= geodist poles d e
= geodist poles a b
= georadius poles 0 0 100000 km withdist
= georadius poles 0 0 100000000 km withdist
= georadius poles 0 0 inf km withdist
= zadd weird -1 m1 1e300 m2 -inf m3 inf m4 1.5 m5 4503599627370496 m6
= geopos weird m1 m2 m3 m4 m5 m6
= geohash weird m1 m2 m3 m4 m5 m6
hello HELLO 3
= geopos Sicily Palermo nope
= geodist Sicily Palermo Catania
= georadius Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH
= geosearch Sicily fromlonlat 15 37 byradius 200 km
= geopos nokey a
"#;

/// SORT and SORT_RO: BY, GET, LIMIT arithmetic, ALPHA, STORE, errors,
/// COMMAND GETKEYS of SORT and the geo commands.
const SORT: &str = r#"
# ALPHA ties under BY with LIMIT: Redis's partial quicksort decides the order.
= RPUSH ties w0 w37 w74 w10 w47 w84 w20 w57 w94 w30 w67 w3 w40 w77 w13 w50 w87 w23 w60 w97 w33 w70 w6 w43 w80 w16 w53 w90 w26 w63 w100 w36 w73 w9 w46 w83 w19 w56 w93 w29 w66 w2 w39 w76 w12 w49 w86 w22 w59 w96 w32 w69 w5 w42 w79 w15 w52 w89 w25 w62 w99 w35 w72 w8 w45 w82 w18 w55 w92 w28 w65 w1 w38 w75 w11 w48 w85 w21 w58 w95 w31 w68 w4 w41 w78 w14 w51 w88 w24 w61 w98 w34 w71 w7 w44 w81 w17 w54 w91 w27 w64 w0 w37 w74 w10 w47 w84 w20 w57 w94 w30 w67 w3 w40 w77 w13 w50 w87 w23 w60
= MSET wt_w1 b wt_w2 a wt_w3 b wt_w5 a wt_w8 c
= SORT ties BY wt_* ALPHA LIMIT 0 10
= SORT ties BY nosuch_* ALPHA DESC LIMIT 0 10
= SORT ties BY wt_* ALPHA LIMIT 0 10 STORE tout
= LRANGE tout 0 -1
= SORT ties BY wt_* ALPHA LIMIT 5 20
= SORT ties BY nosuch_* ALPHA DESC LIMIT 5 20
= SORT ties BY wt_* ALPHA LIMIT 5 20 STORE tout
= LRANGE tout 0 -1
= SORT ties BY wt_* ALPHA LIMIT 50 30
= SORT ties BY nosuch_* ALPHA DESC LIMIT 50 30
= SORT ties BY wt_* ALPHA LIMIT 50 30 STORE tout
= LRANGE tout 0 -1
= SORT ties BY wt_* ALPHA LIMIT 100 50
= SORT ties BY nosuch_* ALPHA DESC LIMIT 100 50
= SORT ties BY wt_* ALPHA LIMIT 100 50 STORE tout
= LRANGE tout 0 -1
= SORT ties BY wt_* ALPHA LIMIT 0 -1
= SORT ties BY nosuch_* ALPHA DESC LIMIT 0 -1
= SORT ties BY wt_* ALPHA LIMIT 0 -1 STORE tout
= LRANGE tout 0 -1
= SORT ties BY wt_* ALPHA LIMIT -5 7
= SORT ties BY nosuch_* ALPHA DESC LIMIT -5 7
= SORT ties BY wt_* ALPHA LIMIT -5 7 STORE tout
= LRANGE tout 0 -1
= rpush l 3 1 2 10 -5 2.5 1e3 0x10
= sort l
= sort l desc
= sort l alpha
= sort l alpha desc
= sort l limit 1 3
= sort l limit -5 3
= sort l limit 2 -1
= sort l limit 100 5
= sort l limit 0 0
= sort l limit 0 9223372036854775807
= sort l limit 1 9223372036854775807
= sort l limit 9223372036854775807 1
= sort l limit -9223372036854775808 9223372036854775807
= sort l by nosort
= sort l by nosort desc
= sort l by nosort limit 2 3
= sort l by nosort desc limit 2 3
= sort l by nosort limit 20 3
= sort l by nosort limit 7 3
= sort l by nosort desc limit 7 3
= mset w_3 30 w_1 10 w_2 -2 w_10 5 w_-5 1
= sort l by w_*
= sort l by w_* desc
= sort l by w_* alpha
= sort l by w_* get #
= sort l by w_* get w_* get #
= sort l by w_* get w_* get # limit 1 2
= sort l get w_*
= sort l get nostar
= sort l by nosort get w_* get #
= hset h_1 f a
= hset h_2 f b
= hset h_3 f c g 1
= sort l by h_*->f alpha get h_*->f get #
= sort l by h_*->g get h_*->g
= sort l by h_*-> get h_*->
= sort l get h_*->f store out
= lrange out 0 -1
= type out
= sort l store out limit 0 3
= lrange out 0 -1
= sort l store out limit 0 0
= exists out
= sort l store out by nosort
= lrange out 0 -1
= sadd s 5 3 1 4
= sort s
= sort s desc
= sort s alpha limit 1 2
= sort s by nosort store out2
= lrange out2 0 -1
= sadd s2 b a c
= sort s2
= sort s2 alpha
= sort s2 alpha desc store out3
= lrange out3 0 -1
= zadd z 3 a 1 b 2 c 5 d
= sort z alpha
= sort z by nosort
= sort z by nosort desc
= sort z by nosort limit 1 2
= sort z by nosort desc limit 1 2
= sort z by nosort limit 3 5
= sort z by nosort desc limit 10 5
= sort z
= set str x
= sort str
= sort nokey
= sort nokey by nosort
= sort l foo
= sort l limit 1
= sort l limit 1 x
= sort l by
= sort l get
= sort l store
= sort_ro l store x
= sort_ro l by w_* get #
= sort_ro l desc limit 0 2
= sort l desc asc
= sort l alpha alpha
= rpush l2 b a c
= sort l2
= sort l2 alpha
= sort l2 by nosort
= sort l2 by w_*
= sort l2 by nosuch_* desc
= sort l2 by nosuch_* alpha desc
= rpush l3 "" 2 " 3" 0x10 -inf inf
= sort l3
= sort l3 desc
= command getkeys sort l by x store d get y store e limit 1 2
= command getkeys sort l store
= command getkeys sort_ro l get x
= command getkeysandflags sort l store d
= command getkeys georadius k 1 2 3 km store a storedist b
= command getkeys georadiusbymember k m 3 km storedist b
= command getkeys geosearchstore d s frommember m byradius 1 km
= command getkeys geoadd k 1 2 m
= command getkeys sort l limit store x
= command getkeys sort l get store x
= set k1 x
hello HELLO 3
= sort l by w_* get w_* get # get h_*->f
= sort l
= sort s2 alpha
"#;

/// COMMAND INFO of the geo and sort commands (flags, ACL categories, key
/// specs with notes and unknown specs), in RESP2 and RESP3, and their
/// COMMAND DOCS but for the summaries.
const GEO_SORT_COMMAND_INFO: &str = r#"
= COMMAND INFO geoadd
= COMMAND INFO geodist
= COMMAND INFO geohash
= COMMAND INFO geopos
= COMMAND INFO geosearch
= COMMAND INFO geosearchstore
= COMMAND INFO georadius
= COMMAND INFO georadiusbymember
= COMMAND INFO georadius_ro
= COMMAND INFO georadiusbymember_ro
= COMMAND INFO sort
= COMMAND INFO sort_ro
hello HELLO 3
= COMMAND INFO georadius sort sort_ro geosearchstore
hello HELLO 2
docs COMMAND DOCS geoadd
docs COMMAND DOCS geodist
docs COMMAND DOCS geohash
docs COMMAND DOCS geopos
docs COMMAND DOCS geosearch
docs COMMAND DOCS geosearchstore
docs COMMAND DOCS georadius
docs COMMAND DOCS georadiusbymember
docs COMMAND DOCS georadius_ro
docs COMMAND DOCS georadiusbymember_ro
docs COMMAND DOCS sort
docs COMMAND DOCS sort_ro
hello HELLO 3
docs COMMAND DOCS georadius geosearch sort
hello HELLO 2
"#;

#[test]
fn geo_matches_redis() {
    run_script("geo", GEO);
}

#[test]
fn sort_matches_redis() {
    run_script("sort", SORT);
}

#[test]
fn geo_and_sort_command_info_match_redis() {
    run_script("geo-sort-command-info", GEO_SORT_COMMAND_INFO);
}

/// Commands fastkey implements that redis-server 7.0.15 does not know:
/// CLIENT NO-TOUCH and CLIENT SETINFO are Redis 7.2 commands, wanted in
/// fastkey (client libraries send SETINFO on connect), and so is WAITAOF.
/// Not compared, and left out of the CLIENT container's subcommands.
const FASTKEY_ONLY: &[&str] = &["client|no-touch", "client|setinfo", "waitaof"];

/// Subcommands of redis-server 7.0.15 that fastkey does not implement: left
/// out of their container's subcommands on the redis side (none now).
const REDIS_ONLY: &[&str] = &[];

/// Encodes a decoded reply back to RESP; `parse` followed by this gives the
/// original bytes for the replies of COMMAND INFO and DOCS.
fn resp_bytes(r: &Resp, out: &mut Vec<u8>) {
    fn blob(out: &mut Vec<u8>, kind: u8, b: &[u8]) {
        out.push(kind);
        out.extend_from_slice(format!("{}\r\n", b.len()).as_bytes());
        out.extend_from_slice(b);
        out.extend_from_slice(b"\r\n");
    }
    fn line(out: &mut Vec<u8>, kind: u8, b: &[u8]) {
        out.push(kind);
        out.extend_from_slice(b);
        out.extend_from_slice(b"\r\n");
    }
    fn aggregate(out: &mut Vec<u8>, kind: u8, items: &[Resp]) {
        line(out, kind, items.len().to_string().as_bytes());
        for i in items {
            resp_bytes(i, out);
        }
    }
    match r {
        Resp::Simple(b) => line(out, b'+', b),
        Resp::Error(b) => line(out, b'-', b),
        Resp::Int(i) => line(out, b':', i.to_string().as_bytes()),
        Resp::Bulk(Some(b)) => blob(out, b'$', b),
        Resp::Bulk(None) => out.extend_from_slice(b"$-1\r\n"),
        Resp::Array(Some(items)) => aggregate(out, b'*', items),
        Resp::Array(None) => out.extend_from_slice(b"*-1\r\n"),
        Resp::Null => out.extend_from_slice(b"_\r\n"),
        Resp::Double(b) => line(out, b',', b),
        Resp::Bool(b) => line(out, b'#', if *b { b"t" } else { b"f" }),
        Resp::BlobError(b) => blob(out, b'!', b),
        Resp::Verbatim(b) => blob(out, b'=', b),
        Resp::BigNumber(b) => line(out, b'(', b),
        Resp::Set(items) => aggregate(out, b'~', items),
        Resp::Push(items) => aggregate(out, b'>', items),
        Resp::Map(pairs) | Resp::Attributed(pairs, _) => {
            line(
                out,
                if matches!(r, Resp::Map(_)) { b'%' } else { b'|' },
                pairs.len().to_string().as_bytes(),
            );
            for (k, v) in pairs {
                resp_bytes(k, out);
                resp_bytes(v, out);
            }
            if let Resp::Attributed(_, v) = r {
                resp_bytes(v, out);
            }
        }
    }
}

/// The (name, value) pairs of a map reply: a RESP3 map or a RESP2 flat array.
fn map_pairs(r: Resp) -> (bool, Vec<(Resp, Resp)>) {
    match r {
        Resp::Map(pairs) => (true, pairs),
        Resp::Array(Some(flat)) => {
            let mut it = flat.into_iter();
            let mut pairs = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                pairs.push((k, v));
            }
            (false, pairs)
        }
        other => panic!("not a map: {other:?}"),
    }
}

fn from_pairs(resp3: bool, pairs: Vec<(Resp, Resp)>) -> Resp {
    if resp3 {
        Resp::Map(pairs)
    } else {
        Resp::Array(Some(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()))
    }
}

/// A container's COMMAND INFO or DOCS reply (`sub`) with its subcommands
/// sorted by name, those in `drop` left out. Redis lists subcommands in the
/// order of a dict seeded at random at start-up, so that order differs
/// between two redis-server processes and cannot be matched; every
/// subcommand's own reply is still compared byte for byte (by name, and here
/// in its container). Other replies are returned as they are.
fn canonical_subcommands(sub: &str, reply: &[u8], drop: &[&str]) -> Vec<u8> {
    let keep = |name: &[u8]| !drop.iter().any(|d| d.as_bytes() == name);
    let mut r = parse(reply).unwrap_or_else(|e| panic!("{e}: {}", show(reply)));
    let mut check = Vec::new();
    resp_bytes(&r, &mut check);
    assert_eq!(check, reply, "RESP re-encoding is not faithful");
    if sub == "INFO" {
        if let Resp::Array(Some(entries)) = &mut r {
            if let Some(Resp::Array(Some(info))) = entries.first_mut() {
                if let Some(Resp::Array(Some(subs))) = info.get_mut(9) {
                    subs.retain(|s| keep(s.items()[0].bytes()));
                    subs.sort_by(|a, b| a.items()[0].bytes().cmp(b.items()[0].bytes()));
                }
            }
        }
    } else {
        let (resp3, mut top) = map_pairs(r);
        for (_, docs) in top.iter_mut() {
            let (d3, mut fields) = map_pairs(std::mem::replace(docs, Resp::Null));
            for (k, v) in fields.iter_mut() {
                if k.bytes() == b"subcommands" {
                    let (s3, mut subs) = map_pairs(std::mem::replace(v, Resp::Null));
                    subs.retain(|(name, _)| keep(name.bytes()));
                    subs.sort_by(|a, b| a.0.bytes().cmp(b.0.bytes()));
                    *v = from_pairs(s3, subs);
                }
            }
            *docs = from_pairs(d3, fields);
        }
        r = from_pairs(resp3, top);
    }
    let mut out = Vec::new();
    resp_bytes(&r, &mut out);
    out
}

/// COMMAND INFO and COMMAND DOCS of every command fastkey implements are
/// byte-identical to redis-server's, in RESP2 and RESP3 (the static table is
/// the one source of this metadata, so a wrong flag, summary or argument
/// shows up here). Exceptions, each listed with its reason: `FASTKEY_ONLY`,
/// `REDIS_ONLY`, and the order of a container's subcommands
/// (`canonical_subcommands`).
#[test]
fn command_metadata_matches_redis() {
    let Some(redis) = redis_server_available() else {
        eprintln!("skipped: redis-server is not installed");
        return;
    };
    let mut p = start_pair(&redis, &[]);
    let (fk, _) = p.both(&encode(&["COMMAND", "LIST"]), 1);
    let names: Vec<Vec<u8>> = match parse(&fk[0]) {
        Ok(Resp::Array(Some(items))) => items.iter().map(|r| r.bytes().to_vec()).collect(),
        other => panic!("COMMAND LIST: {other:?}"),
    };
    assert!(names.len() > 100, "COMMAND LIST returned {} names", names.len());
    // The exception lists stay exact: redis-server knows the REDIS_ONLY
    // names and fastkey does not list them.
    for name in REDIS_ONLY {
        assert!(
            !names.iter().any(|n| n == name.as_bytes()),
            "fastkey implements {name}: remove it from REDIS_ONLY"
        );
        let (_, r) = p.both(&encode(&["COMMAND", "INFO", name]), 1);
        assert!(
            matches!(parse(&r[0]), Ok(Resp::Array(Some(e))) if matches!(e[0], Resp::Array(Some(_)))),
            "redis-server does not know {name}: {}",
            show(&r[0])
        );
    }
    let mut diffs = Vec::new();
    for resp in [2, 3] {
        if resp == 3 {
            let (f, r) = p.both(&encode(&["HELLO", "3"]), 1);
            assert!(f[0].starts_with(b"%") && r[0].starts_with(b"%"), "HELLO 3 failed");
        }
        let mut unknown = Vec::new();
        for name in &names {
            for sub in ["INFO", "DOCS"] {
                let msg = encode(&[b"COMMAND".to_vec(), sub.as_bytes().to_vec(), name.clone()]);
                let (mut f, mut r) = p.both(&msg, 1);
                if sub == "INFO" {
                    let entry = parse(&r[0]).unwrap_or_else(|e| panic!("{e}"));
                    if matches!(entry.items()[0], Resp::Null | Resp::Bulk(None)) {
                        unknown.push(String::from_utf8_lossy(name).into_owned());
                        break;
                    }
                }
                if f != r {
                    f[0] = canonical_subcommands(sub, &f[0], FASTKEY_ONLY);
                    r[0] = canonical_subcommands(sub, &r[0], REDIS_ONLY);
                }
                if f != r {
                    diffs.push(format!(
                        "RESP{resp} COMMAND {sub} {}:\n  fastkey: {}\n  redis:   {}",
                        show(name),
                        show(&f[0]),
                        show(&r[0])
                    ));
                }
            }
        }
        assert_eq!(unknown, FASTKEY_ONLY, "names redis-server does not know (RESP{resp})");
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

const STREAMS: &str = r#"
# XADD: explicit, <ms>-*, errors
= XADD s 1-1 a 1
= XADD s 1-1 a 1
= XADD s 1-0 a 1
= XADD s 1-* b 2
= XADD s 1-* b 2 c 3
= XADD s 2 f v
= XADD s 0-0 f v
= XADD new 0-0 f v
= EXISTS new
= XADD s 5-5 f
= XADD s 5-5
= XADD s abc f v
= XADD s 5-x f v
= XADD s 18446744073709551616-0 f v
= XADD s -1 f v
= XADD s + f v
= XADD s - f v
= XADD s "(5" f v
= XADD s 3-0 f v g
= XADD s NOMKSTREAM 3-0 f v
= XADD nos NOMKSTREAM * f v
= XADD nos NOMKSTREAM 1-1 f v
= EXISTS nos
= XADD s MAXLEN 10 3-1 f v
= XADD s MAXLEN ~ 10 3-2 f v
= XADD s MAXLEN = 10 3-3 f v
= XADD s MAXLEN -1 3-4 f v
= XADD s MAXLEN x 3-4 f v
= XADD s MINID 0-1 3-4 f v
= XADD s MINID x 3-5 f v
= XADD s MAXLEN 5 MINID 1 3-5 f v
= XADD s LIMIT 5 3-5 f v
= XADD s MAXLEN 5 LIMIT 5 3-5 f v
= XADD s MAXLEN ~ 5 LIMIT -1 3-5 f v
= XADD s MAXLEN ~ 5 LIMIT x 3-5 f v
= XADD s MAXLEN ~ 100 LIMIT 5 3-5 f v
= XLEN s
= XRANGE s - +
= XREVRANGE s + -
= XRANGE s 1 1
= XRANGE s (1-0 +
= XRANGE s - (3-2
= XRANGE s (1-1 (3-5
= XRANGE s - + COUNT 2
= XRANGE s - + COUNT 0
= XRANGE s - + COUNT -5
= XRANGE s - + COUNT x
= XRANGE s - + COUNT
= XRANGE s - + FOO 1
= XREVRANGE s + - COUNT 3
= XREVRANGE s (3-3 (1-1
= XRANGE s x +
= XRANGE s - x
= XRANGE s ( +
= XRANGE s (- +
= XRANGE s 5 1
= XRANGE s (18446744073709551615-18446744073709551615 +
= XRANGE s - (0-0
= XRANGE nokey - +
= XREVRANGE nokey + -
= XLEN nokey
= SET str x
= XADD str 1-1 f v
= XLEN str
= XRANGE str - +
= XREAD STREAMS str 0
= XDEL str 1-1
= XTRIM str MAXLEN 0
= XINFO STREAM str
= XGROUP CREATE str g 0
= XSETID str 5-5
# overflow at the last possible ID
= XADD big 18446744073709551615-18446744073709551614 f v
= XADD big 18446744073709551615-* f v
= XADD big 18446744073709551615-* f v
= XADD big * f v
= XADD big 18446744073709551615-18446744073709551615 f v
= DEL big
= XADD big 18446744073709551615-18446744073709551615 f v
= XADD big * f v
= XRANGE big (18446744073709551615-18446744073709551614 +
# XDEL and the stream metadata
= XDEL s 1-1 1-1 9-9
= XDEL s x
= XDEL nokey 1-1
= XINFO STREAM s
= XDEL s 1-2 1-3 2-0 3-1 3-2 3-3
= XINFO STREAM s
= XRANGE s - +
= XDEL s 3-4 3-5
= XINFO STREAM s
= XLEN s
= EXISTS s
# XTRIM
= DEL t
= XADD t 1-1 f v
= XADD t 2-1 f v
= XADD t 3-1 f v
= XADD t 4-1 f v
= XADD t 5-1 f v
= XTRIM t MAXLEN 3
= XTRIM t MINID 5
= XTRIM t MINID = 5
= XTRIM t MAXLEN ~ 0
= XTRIM t MAXLEN 0 LIMIT 1
= XTRIM t MAXLEN ~ 0 LIMIT 1
= XTRIM t
= XTRIM t FOO
= XTRIM t MAXLEN
= XTRIM t MAXLEN 1 extra
= XTRIM nokey MAXLEN 1
= XINFO STREAM t
= XTRIM t MAXLEN 0
= XINFO STREAM t
= CONFIG SET stream-node-max-entries 3
= DEL t
= XADD t 1-1 f v
= XADD t 2-1 f v
= XADD t 3-1 f v
= XADD t 4-1 f v
= XADD t 5-1 f v
= XADD t 6-1 f v
= XADD t 7-1 f v
= XINFO STREAM t
= XTRIM t MAXLEN ~ 2
= XTRIM t MINID ~ 7
= XINFO STREAM t
= XADD t MAXLEN ~ 1 8-1 f v
= XINFO STREAM t
= CONFIG SET stream-node-max-entries 100
= CONFIG SET stream-node-max-bytes 60
= DEL t
= XADD t 1-1 field value
= XADD t 2-1 field value
= XADD t 3-1 other value
= XADD t 4-1 field value
= XINFO STREAM t
= CONFIG SET stream-node-max-bytes 4096
# XSETID
= XSETID t 1-1
= XSETID t 10-1
= XSETID t 10-0 ENTRIESADDED 1
= XSETID t 11-0 ENTRIESADDED 100 MAXDELETEDID 10-0
= XINFO STREAM t
= XSETID t 11-0 MAXDELETEDID 12-0
= XSETID t 11-0 MAXDELETEDID 9-0
= XSETID t 10-5
= XSETID t 11-0 ENTRIESADDED -1
= XSETID t 11-0 FOO
= XSETID t x
= XSETID nokey 1-1
= XADD t 11-0 f v
= XADD t 11-* f v
= DEL t
# XREAD
= DEL r1 r2
= XADD r1 1-1 a 1
= XADD r1 2-1 b 2
= XADD r2 1-1 c 3
= XREAD STREAMS r1 r2 0 0
= XREAD COUNT 1 STREAMS r1 r2 0-0 1-1
= XREAD STREAMS r1 $
= XREAD STREAMS r1 2-1
= XREAD STREAMS nokey 0
= XREAD STREAMS r1
= XREAD STREAMS r1 r2 0
= XREAD STREAMS r1 >
= XREAD STREAMS r1 x
= XREAD STREAMS r1 +
= XREAD STREAMS r1 -
= XREAD COUNT x STREAMS r1 0
= XREAD COUNT -1 STREAMS r1 0
= XREAD BLOCK x STREAMS r1 0
= XREAD BLOCK -1 STREAMS r1 0
= XREAD GROUP g c STREAMS r1 0
= XREAD NOACK STREAMS r1 0
= XREAD FOO STREAMS r1 0
= XREAD COUNT 1
= XREAD BLOCK 10 STREAMS r1 $
= XREAD BLOCK 10 STREAMS r1 str 0 0
= MULTI ; XREAD BLOCK 0 STREAMS r1 $ ; EXEC
# consumer groups
= DEL q
= XGROUP CREATE q g $
= XGROUP CREATE q g $ MKSTREAM
= XGROUP CREATE q g $ MKSTREAM
= XGROUP CREATE q g2 0 ENTRIESREAD 0
= XGROUP CREATE q g3 0 ENTRIESREAD -2
= XGROUP CREATE q g3 0 ENTRIESREAD x
= XGROUP CREATE q g3 0 FOO
= XGROUP CREATE q g3 x
= XGROUP CREATE q g3 0 MKSTREAM ENTRIESREAD 5 MKSTREAM
= XGROUP CREATE q g3
= XINFO STREAM q
= XADD q 1-1 a 1
= XADD q 2-1 b 2
= XADD q 3-1 c 3
= XINFO GROUPS q
= XREADGROUP GROUP g c1 COUNT 1 STREAMS q >
= XREADGROUP GROUP g c2 STREAMS q >
= XREADGROUP GROUP g c2 STREAMS q >
= XREADGROUP GROUP g c1 STREAMS q 0
= XREADGROUP GROUP g c2 STREAMS q 0
= XREADGROUP GROUP g c2 COUNT 1 STREAMS q 1-1
= XREADGROUP GROUP g c2 STREAMS q $
= XREADGROUP GROUP nog c STREAMS q >
= XREADGROUP GROUP g c STREAMS nokey >
= XREADGROUP GROUP g c STREAMS str >
= XREADGROUP STREAMS q >
= XREADGROUP GROUP g c STREAMS q
= XREADGROUP GROUP g STREAMS q >
= XINFO GROUPS q
= XPENDING q g
= XPENDING q g - + 10 nobody
= XPENDING q g2
= XPENDING q nog
= XPENDING nokey g
= XPENDING q g - +
= XPENDING q g - + x
= XPENDING q g x + 10
= XPENDING q g IDLE x - + 10
= XPENDING q g IDLE 10 - +
= XPENDING str g
= XACK q g 1-1 9-9
= XACK q g 1-1
= XACK q g x
= XACK q nog 1-1
= XACK nokey g 1-1
= XPENDING q g
= XREADGROUP GROUP g2 c NOACK STREAMS q >
= XPENDING q g2
= XINFO GROUPS q
= XDEL q 2-1
= XINFO GROUPS q
= XREADGROUP GROUP g c2 STREAMS q 0
= XCLAIM q g c3 0 2-1 3-1
= XPENDING q g
= XCLAIM q g c3 0 3-1 JUSTID
= XCLAIM q g c3 0 3-1 RETRYCOUNT 7 TIME 1000 JUSTID
= XCLAIM q g c3 0 1-1 FORCE JUSTID
= XCLAIM q g c3 0 1-1 FORCE RETRYCOUNT 2 TIME 1000
type XINFO STREAM q FULL
= XCLAIM q g c3 x 1-1
= XCLAIM q g c3 0 1-1 IDLE x
= XCLAIM q g c3 0 1-1 TIME x
= XCLAIM q g c3 0 1-1 RETRYCOUNT x
= XCLAIM q g c3 0 1-1 LASTID x
= XCLAIM q g c3 0 1-1 FOO
= XCLAIM q g c3 0 x
= XCLAIM q nog c3 0 1-1
= XCLAIM nokey g c3 0 1-1
= XCLAIM q g c3 0 1-1 LASTID 50-0 JUSTID TIME 1000
= XINFO GROUPS q
= XAUTOCLAIM q g c4 0 0 COUNT 1
= XAUTOCLAIM q g c4 0 0 JUSTID
= XAUTOCLAIM q g c4 0 (1-1
= XAUTOCLAIM q g c4 0 0 COUNT 0
= XAUTOCLAIM q g c4 0 0 COUNT x
= XAUTOCLAIM q g c4 x 0
= XAUTOCLAIM q g c4 0 x
= XAUTOCLAIM q g c4 0 0 FOO
= XAUTOCLAIM q nog c4 0 0
= XAUTOCLAIM nokey g c4 0 0
= XAUTOCLAIM q g c4 100000 0
= XADD q 4-1 d 4
= XADD q 5-1 e 5
= XREADGROUP GROUP g c1 STREAMS q >
= XDEL q 4-1
= XAUTOCLAIM q g c5 0 0 COUNT 10 JUSTID
= XPENDING q g
# XGROUP subcommands
= XGROUP CREATECONSUMER q g c1
= XGROUP CREATECONSUMER q g newc
= XGROUP CREATECONSUMER q nog newc
= XGROUP CREATECONSUMER nokey g newc
= XGROUP DELCONSUMER q g c5
= XGROUP DELCONSUMER q g nobody
= XGROUP DELCONSUMER q nog c5
= XGROUP SETID q g 0
= XGROUP SETID q g $ ENTRIESREAD 3
= XGROUP SETID q g 1-1 ENTRIESREAD -5
= XGROUP SETID q g 1-1 FOO 5
= XGROUP SETID q g 1-1 ENTRIESREAD
= XGROUP SETID q nog 0
= XGROUP SETID nokey g 0
= XGROUP SETID nokey g 0 ENTRIESREAD x
= XGROUP SETID nokey g 0 FOO 5
= XGROUP SETID str g 0 ENTRIESREAD
= XGROUP SETID str g 0 ENTRIESREAD 5
= XGROUP CREATE nokey g 0 MKSTREAM MKSTREAM MKSTREAM MKSTREAM
= XGROUP CREATE nokey g x MKSTREAM
= XGROUP SETID q g x
= XGROUP SETID q g -
= XINFO GROUPS q
= XGROUP DESTROY q g2
= XGROUP DESTROY q g2
= XGROUP DESTROY nokey g2
= XGROUP DESTROY str g2
= XGROUP FOO q g
= XGROUP
= XGROUP HELP
= XGROUP HELP x
= XGROUP CREATE q
= XGROUP DESTROY q g x
# XINFO
= XINFO HELP
= XINFO HELP x
= XINFO FOO q
= XINFO STREAM nokey
= XINFO GROUPS nokey
= XINFO CONSUMERS nokey g
= XINFO CONSUMERS q nog
= XINFO STREAM q FOO
= XINFO STREAM q FULL COUNT
= XINFO STREAM q FULL COUNT x
= XINFO STREAM q FULL FOO 1
= XINFO STREAM q FULL COUNT 1 x
type XINFO STREAM q FULL COUNT 1
type XINFO STREAM q FULL COUNT 0
type XINFO STREAM q FULL COUNT -3
= TYPE q
= OBJECT ENCODING q
= XINFO STREAM q
type XINFO CONSUMERS q g
type XPENDING q g - + 10
type XPENDING q g IDLE 0 - + 10 c1
= XPENDING q g IDLE 100000 - + 10
# RESP3 forms
hello HELLO 3
= XRANGE q - +
= XREAD STREAMS q r1 0 0
= XREAD STREAMS nokey 0
= XREADGROUP GROUP g c1 STREAMS q 0
= XINFO STREAM q
= XINFO GROUPS q
type XINFO STREAM q FULL
= XPENDING q g
= XPENDING q nog
= XAUTOCLAIM q g c4 0 0 JUSTID
= XRANGE q - + COUNT 0
= XINFO STREAM t
= XADD nos NOMKSTREAM * f v
= XREAD BLOCK 10 STREAMS r1 $
hello HELLO 2
"#;

#[test]
fn streams_match_redis() {
    run_script("streams", STREAMS);
}

const STREAM_COMMANDS: &str = r#"
= COMMAND INFO xadd xautoclaim xclaim xdel xlen xpending xrange xread xreadgroup xrevrange xsetid xtrim xack
# Containers list their subcommands in the order of a randomly seeded
# dict in Redis: compared one by one instead.
type COMMAND INFO xgroup xinfo
= COMMAND INFO xgroup|create xgroup|createconsumer xgroup|delconsumer xgroup|destroy xgroup|help xgroup|setid
= COMMAND INFO xinfo|consumers xinfo|groups xinfo|help xinfo|stream
= COMMAND DOCS xadd
= COMMAND DOCS xautoclaim
= COMMAND DOCS xclaim
= COMMAND DOCS xdel
= COMMAND DOCS xlen
= COMMAND DOCS xpending
= COMMAND DOCS xrange
= COMMAND DOCS xread
= COMMAND DOCS xreadgroup
= COMMAND DOCS xrevrange
= COMMAND DOCS xsetid
= COMMAND DOCS xtrim
= COMMAND DOCS xack
= COMMAND DOCS xgroup|create
= COMMAND DOCS xgroup|createconsumer
= COMMAND DOCS xgroup|delconsumer
= COMMAND DOCS xgroup|destroy
= COMMAND DOCS xgroup|help
= COMMAND DOCS xgroup|setid
= COMMAND DOCS xinfo|consumers
= COMMAND DOCS xinfo|groups
= COMMAND DOCS xinfo|help
= COMMAND DOCS xinfo|stream
type COMMAND DOCS xgroup xinfo
= COMMAND GETKEYS xread COUNT 1 STREAMS a b 0 0
= COMMAND GETKEYS xreadgroup GROUP g c STREAMS a b > >
= COMMAND GETKEYS xadd s * f v
hello HELLO 3
= COMMAND INFO xadd xread xreadgroup xinfo|stream xgroup|create
= COMMAND DOCS xadd xreadgroup xinfo|stream xgroup|create
"#;

#[test]
fn stream_command_metadata_matches_redis() {
    run_script("stream-commands", STREAM_COMMANDS);
}

/// A small deterministic generator (xorshift64*) for the randomized
/// stream comparison.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

/// One random stream command over a small space of IDs, groups and
/// consumers, so that groups, PELs, deletions, trims and node splits
/// interact.
fn random_stream_command(r: &mut Rng) -> Vec<String> {
    let id = |r: &mut Rng| format!("{}-{}", 1 + r.below(30), r.below(4));
    let any = |r: &mut Rng| match r.below(8) {
        0 => "-".to_string(),
        1 => "+".to_string(),
        2 => "0".to_string(),
        3 => format!("({}", id(r)),
        4 => format!("{}", r.below(31)),
        _ => id(r),
    };
    let g = |r: &mut Rng| r.pick(&["g", "h"]).to_string();
    let c = |r: &mut Rng| r.pick(&["c", "d", "e"]).to_string();
    let n = |r: &mut Rng, k: u64| format!("{}", r.below(k));
    let mut v: Vec<String> = match r.below(23) {
        0 => vec!["XADD".into(), "s".into(), id(r), "f".into(), n(r, 10)],
        1 => {
            let strategy = r.pick(&["MAXLEN", "MINID"]).to_string();
            let threshold = if strategy == "MAXLEN" { n(r, 7) } else { id(r) };
            vec![
                "XADD".into(),
                "s".into(),
                strategy,
                r.pick(&["=", "~"]).into(),
                threshold,
                id(r),
                "a".into(),
                "1".into(),
                "b".into(),
                "2".into(),
            ]
        }
        2 => vec![
            "XADD".into(),
            "s".into(),
            format!("{}-*", 1 + r.below(30)),
            "f".into(),
            "v".into(),
        ],
        3 => {
            let mut v = vec!["XDEL".into(), "s".into()];
            for _ in 0..1 + r.below(3) {
                v.push(id(r));
            }
            v
        }
        4 => {
            let strategy = r.pick(&["MAXLEN", "MINID"]).to_string();
            let threshold = if strategy == "MAXLEN" { n(r, 7) } else { id(r) };
            let mut v = vec![
                "XTRIM".into(),
                "s".into(),
                strategy,
                r.pick(&["=", "~"]).into(),
                threshold,
            ];
            if r.below(2) == 0 {
                v.extend(["LIMIT".into(), n(r, 6)]);
            }
            v
        }
        5 | 6 => {
            let cmd = if r.below(2) == 0 { "XRANGE" } else { "XREVRANGE" };
            let mut v = vec![cmd.into(), "s".into(), any(r), any(r)];
            if r.below(2) == 0 {
                v.extend(["COUNT".into(), format!("{}", r.below(6) as i64 - 1)]);
            }
            v
        }
        7 => {
            let mut v = vec![
                "XGROUP".into(),
                "CREATE".into(),
                "s".into(),
                g(r),
                r.pick(&["$", "0", "5-0"]).into(),
            ];
            match r.below(3) {
                0 => v.push("MKSTREAM".into()),
                1 => v.extend(["ENTRIESREAD".into(), format!("{}", r.below(7) as i64 - 1)]),
                _ => {}
            }
            v
        }
        8 => {
            let mut v = vec!["XGROUP".into(), "SETID".into(), "s".into(), g(r), id(r)];
            if r.below(2) == 0 {
                v.extend(["ENTRIESREAD".into(), format!("{}", r.below(7) as i64 - 1)]);
            }
            v
        }
        9 => vec!["XGROUP".into(), "DESTROY".into(), "s".into(), g(r)],
        10 => vec!["XGROUP".into(), "CREATECONSUMER".into(), "s".into(), g(r), c(r)],
        11 => vec!["XGROUP".into(), "DELCONSUMER".into(), "s".into(), g(r), c(r)],
        12 | 13 => {
            let mut v = vec!["XREADGROUP".into(), "GROUP".into(), g(r), c(r)];
            if r.below(2) == 0 {
                v.extend(["COUNT".into(), n(r, 4)]);
            }
            if r.below(4) == 0 {
                v.push("NOACK".into());
            }
            v.extend(["STREAMS".into(), "s".into(), r.pick(&[">", ">", "0", "3-1"]).into()]);
            v
        }
        14 => vec![
            "XREAD".into(),
            "COUNT".into(),
            n(r, 4),
            "STREAMS".into(),
            "s".into(),
            any(r).replace('(', ""),
        ],
        15 => {
            let mut v = vec!["XACK".into(), "s".into(), g(r)];
            for _ in 0..1 + r.below(3) {
                v.push(id(r));
            }
            v
        }
        16 => vec!["XPENDING".into(), "s".into(), g(r)],
        17 => {
            let mut v = vec!["XPENDING".into(), "s".into(), g(r), any(r), any(r), n(r, 6)];
            if r.below(2) == 0 {
                v.push(c(r));
            }
            v
        }
        18 => {
            let mut v = vec!["XCLAIM".into(), "s".into(), g(r), c(r), "0".into()];
            for _ in 0..1 + r.below(3) {
                v.push(id(r));
            }
            match r.below(5) {
                0 => v.push("JUSTID".into()),
                1 => v.push("FORCE".into()),
                2 => v.extend(["RETRYCOUNT".into(), "5".into()]),
                3 => v.extend(["LASTID".into(), id(r)]),
                _ => {}
            }
            v
        }
        19 => {
            let mut v = vec![
                "XAUTOCLAIM".into(),
                "s".into(),
                g(r),
                c(r),
                "0".into(),
                any(r).replace(['-', '+'], "0"),
            ];
            match r.below(3) {
                0 => v.extend(["COUNT".into(), format!("{}", 1 + r.below(3))]),
                1 => v.push("JUSTID".into()),
                _ => {}
            }
            v
        }
        20 => vec!["XINFO".into(), r.pick(&["STREAM", "GROUPS"]).into(), "s".into()],
        21 => {
            let mut v = vec!["XSETID".into(), "s".into(), id(r)];
            match r.below(3) {
                0 => v.extend(["ENTRIESADDED".into(), n(r, 40)]),
                1 => v.extend(["MAXDELETEDID".into(), id(r)]),
                _ => {}
            }
            v
        }
        _ => {
            if r.below(20) == 0 {
                vec!["DEL".into(), "s".into()]
            } else {
                vec!["XLEN".into(), "s".into()]
            }
        }
    };
    v.shrink_to_fit();
    v
}

/// Thousands of random stream and consumer-group commands against both
/// servers; every reply must be identical (extended XPENDING, which shows
/// idle times, by type only).
#[test]
fn random_stream_commands_match_redis() {
    let Some(redis) = redis_server_available() else {
        return;
    };
    let mut pair = start_pair(&redis, &["--stream-node-max-entries", "3"]);
    let mut diffs = Vec::new();
    for seed in 1..=3u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (fk, rs) = pair.both(&encode(&["FLUSHALL"]), 1);
        assert_eq!(fk, rs);
        for i in 0..2500 {
            let cmd = random_stream_command(&mut r);
            let (fk, rs) = pair.both(&encode(&cmd), 1);
            let same = if cmd[0] == "XPENDING" && cmd.len() > 3 {
                fk.len() == rs.len() && fk.iter().zip(&rs).all(|(a, b)| a.first() == b.first())
            } else {
                fk == rs
            };
            if !same && diffs.len() < 10 {
                diffs.push(format!(
                    "seed {seed} step {i}: {}\n    fastkey: {}\n    redis:   {}",
                    cmd.join(" "),
                    fk.iter().map(|x| show(x)).collect::<Vec<_>>().join(" + "),
                    rs.iter().map(|x| show(x)).collect::<Vec<_>>().join(" + ")
                ));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "replies differ from redis-server:\n{}",
        diffs.join("\n")
    );
}
