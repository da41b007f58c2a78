//! The append-only file across processes: acknowledged writes survive
//! `kill -9` in every fsync mode, torn and corrupt files are handled as
//! Redis handles them, write errors stop writes with MISCONF until they
//! clear, and an AOF directory moves between redis-server 7 and fastkey.

mod common;

use common::{digest, redis_server_available, server_bin, which, Server, ServerOpts, TempDir};
use redis::{Commands, Connection};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn aof_args(dir: &str, fsync: &str) -> Vec<String> {
    [
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        fsync,
        "--logfile",
        "log",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn start_aof(dir: &str, fsync: &str) -> Server {
    let args = aof_args(dir, fsync);
    let srv = Server::start(&args.iter().map(String::as_str).collect::<Vec<_>>());
    srv.wait_loaded();
    srv
}

/// The incremental file the manifest names last (the one being written).
fn last_incr(dir: &Path) -> PathBuf {
    let aofdir = dir.join("appendonlydir");
    let manifest = std::fs::read_to_string(aofdir.join("appendonly.aof.manifest")).unwrap();
    let line = manifest
        .lines()
        .rfind(|l| l.ends_with("type i"))
        .expect("an incr file in the manifest");
    aofdir.join(line.split_whitespace().nth(1).unwrap())
}

/// Appends raw bytes to an AOF file, as a crash or a hand edit leaves it.
fn append_to(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

/// Runs fastkey-server expected to refuse to start: (exit code, log).
fn start_expecting_failure(dir: &str, extra: &[&str]) -> (Option<i32>, String) {
    let port = common::free_port().to_string();
    let mut child = Command::new(server_bin())
        .args([
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
        ])
        .args(["--dir", dir, "--logfile", "fail.log"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = std::fs::read_to_string(Path::new(dir).join("fail.log")).unwrap_or_default();
    (status, log)
}

/// A few keys of several types in two dbs, written through the AOF.
fn write_some(c: &mut Connection) {
    let _: () = c.set("s", "v1").unwrap();
    let _: () = c.rpush("l", &["a", "b", "c"]).unwrap();
    let _: () = c.hset_multiple("h", &[("f", "1"), ("g", "2")]).unwrap();
    let _: () = c.zadd_multiple("z", &[(1.5, "a"), (2.0, "b")]).unwrap();
    let _: () = c.sadd("set", &[1, 2, 3]).unwrap();
    let _: () = c.pexpire("h", 900_000).unwrap();
    let _: () = redis::cmd("SELECT").arg(5).query(c).unwrap();
    let _: () = c.incr("n", 7).unwrap();
    let _: () = redis::cmd("SELECT").arg(0).query(c).unwrap();
}

#[test]
fn acknowledged_writes_survive_kill_in_every_fsync_mode() {
    for mode in ["always", "everysec", "no"] {
        let data = TempDir::new("aof-kill");
        let dir = data.path().to_string_lossy().into_owned();
        let mut fk = start_aof(&dir, mode);
        let port = fk.port;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        // A writer that remembers the last write it saw acknowledged.
        let writer = std::thread::spawn(move || {
            let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
            let mut c = client.get_connection().unwrap();
            let mut acked = 0i64;
            while !stop2.load(Ordering::Relaxed) {
                let n: redis::RedisResult<i64> = c.incr("counter", 1);
                match n {
                    Ok(n) => {
                        let pushed: redis::RedisResult<i64> = c.rpush("log", n);
                        if pushed.is_err() {
                            break;
                        }
                        acked = n;
                    }
                    Err(_) => break,
                }
            }
            acked
        });
        std::thread::sleep(Duration::from_millis(400));
        fk.kill();
        stop.store(true, Ordering::Relaxed);
        let acked = writer.join().unwrap();
        assert!(acked > 10, "{mode}: too few writes ({acked}) to say anything");
        let fk2 = start_aof(&dir, mode);
        let mut c = fk2.redis();
        let counter: i64 = c.get("counter").unwrap();
        assert!(counter >= acked, "{mode}: counter {counter} < acknowledged {acked}");
        let log: Vec<i64> = c.lrange("log", 0, -1).unwrap();
        assert!(log.len() as i64 >= acked, "{mode}: {} pushes < {acked}", log.len());
        assert!(
            log.iter().enumerate().all(|(i, v)| *v == i as i64 + 1),
            "{mode}: the log is not the sequence of acknowledged writes"
        );
    }
}

#[test]
fn a_torn_tail_is_cut_with_aof_load_truncated_and_refused_without() {
    let data = TempDir::new("aof-torn");
    let dir = data.path().to_string_lossy().into_owned();
    let expected;
    {
        let mut fk = start_aof(&dir, "always");
        let mut c = fk.redis();
        write_some(&mut c);
        expected = digest(&mut c);
        fk.kill();
    }
    let incr = last_incr(data.path());
    let good_len = std::fs::metadata(&incr).unwrap().len();
    // A command cut off in the middle, as a crash during write() leaves it.
    append_to(&incr, b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$5\r\nhel");

    let (status, log) = start_expecting_failure(&dir, &["--aof-load-truncated", "no"]);
    assert_eq!(status, Some(1), "{log}");
    assert!(
        log.contains("Unexpected end of file reading the append only file"),
        "{log}"
    );

    let fk = start_aof(&dir, "everysec");
    let mut c = fk.redis();
    assert_eq!(digest(&mut c), expected);
    assert!(!c.exists::<_, bool>("x").unwrap());
    let log = std::fs::read_to_string(data.join("log")).unwrap();
    assert!(
        log.contains("!!! Warning: short read while loading the AOF file"),
        "{log}"
    );
    assert!(
        log.contains("loaded anyway because aof-load-truncated is enabled"),
        "{log}"
    );
    assert_eq!(
        std::fs::metadata(&incr).unwrap().len(),
        good_len,
        "the torn tail is cut off"
    );
    // Appending continues after the cut.
    let _: () = c.set("after", "1").unwrap();
    drop(c);
    drop(fk);
    let fk = start_aof(&dir, "everysec");
    assert_eq!(fk.redis().get::<_, String>("after").unwrap(), "1");
}

#[test]
fn an_unfinished_multi_block_is_reverted() {
    let data = TempDir::new("aof-multi");
    let dir = data.path().to_string_lossy().into_owned();
    {
        let mut fk = start_aof(&dir, "always");
        let _: () = fk.redis().set("k", "before").unwrap();
        fk.kill();
    }
    let incr = last_incr(data.path());
    append_to(
        &incr,
        b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nafter\r\n",
    );
    let fk = start_aof(&dir, "everysec");
    assert_eq!(fk.redis().get::<_, String>("k").unwrap(), "before");
    let log = std::fs::read_to_string(data.join("log")).unwrap();
    assert!(
        log.contains("Revert incomplete MULTI/EXEC transaction in AOF file"),
        "{log}"
    );
}

#[test]
fn a_blocking_command_in_the_aof_does_not_block_the_loader() {
    let data = TempDir::new("aof-block");
    let dir = data.path().to_string_lossy().into_owned();
    {
        let mut fk = start_aof(&dir, "always");
        let _: () = fk.redis().set("k", "v").unwrap();
        fk.kill();
    }
    let incr = last_incr(data.path());
    append_to(
        &incr,
        b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n1\r\n*3\r\n$5\r\nLPUSH\r\n$1\r\nq\r\n$1\r\nx\r\n",
    );
    let fk = start_aof(&dir, "everysec");
    let mut c = fk.redis();
    assert_eq!(c.lrange::<_, Vec<String>>("q", 0, -1).unwrap(), vec!["x"]);
    assert_eq!(fk.info_field("clients", "blocked_clients").as_deref(), Some("0"));
}

#[test]
fn corrupt_files_and_manifests_refuse_to_start() {
    let data = TempDir::new("aof-corrupt");
    let dir = data.path().to_string_lossy().into_owned();
    {
        let mut fk = start_aof(&dir, "always");
        let mut c = fk.redis();
        write_some(&mut c);
        fk.kill();
    }
    let incr = last_incr(data.path());
    let good = std::fs::read(&incr).unwrap();
    let manifest_path = data.path().join("appendonlydir/appendonly.aof.manifest");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();

    // Garbage in the middle of a file.
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad.splice(mid..mid, b"garbage!".iter().copied());
    std::fs::write(&incr, &bad).unwrap();
    let (status, log) = start_expecting_failure(&dir, &[]);
    assert_eq!(status, Some(1), "{log}");
    assert!(log.contains("Bad file format reading the append only file"), "{log}");
    std::fs::write(&incr, &good).unwrap();

    // An unknown command.
    let mut bad = good.clone();
    bad.extend_from_slice(b"*1\r\n$7\r\nNOSUCHX\r\n");
    std::fs::write(&incr, &bad).unwrap();
    let (status, log) = start_expecting_failure(&dir, &[]);
    assert_eq!(status, Some(1), "{log}");
    assert!(
        log.contains("Unknown command 'NOSUCHX' reading the append only file"),
        "{log}"
    );
    std::fs::write(&incr, &good).unwrap();

    // A manifest that is not one.
    std::fs::write(&manifest_path, "file only-a-name\n").unwrap();
    let (status, log) = start_expecting_failure(&dir, &[]);
    assert_eq!(status, Some(1), "{log}");
    assert!(log.contains("Invalid AOF manifest file format"), "{log}");

    // A manifest naming a file that is gone.
    std::fs::write(
        &manifest_path,
        manifest.replace("appendonly.aof.1.incr.aof", "appendonly.aof.9.incr.aof"),
    )
    .unwrap();
    let (status, log) = start_expecting_failure(&dir, &[]);
    assert_eq!(status, Some(1), "{log}");
    assert!(
        log.contains("The append log file appendonly.aof.9.incr.aof doesn't exist: No such file or directory"),
        "{log}"
    );

    // Restored, it starts.
    std::fs::write(&manifest_path, &manifest).unwrap();
    let fk = start_aof(&dir, "everysec");
    assert_eq!(fk.redis().get::<_, String>("s").unwrap(), "v1");
}

#[test]
fn write_errors_give_misconf_and_recover() {
    let Some(prlimit) = which("prlimit") else {
        eprintln!("SKIPPED: `prlimit` (util-linux) is not on the PATH");
        return;
    };
    let data = TempDir::new("aof-efbig");
    let dir = data.path().to_string_lossy().into_owned();
    let fk = start_aof(&dir, "everysec");
    let mut c = fk.redis();
    let _: () = c.set("k", "v").unwrap();
    // A file-size limit just above what the files hold: the next writes
    // fail with EFBIG, as on a full disk.
    let limit = std::fs::metadata(last_incr(data.path())).unwrap().len() + 100;
    let set_limit = |v: &str| {
        let ok = Command::new(&prlimit)
            .args(["--pid", &fk.pid.to_string(), &format!("--fsize={v}:unlimited")])
            .status()
            .unwrap()
            .success();
        assert!(ok, "prlimit failed");
    };
    set_limit(&limit.to_string());
    let big = "x".repeat(1000);
    // This write is in memory and its AOF write fails: it is answered (as
    // in Redis, the reply does not wait for the failed write), and then
    // writes are refused until the AOF can be written again.
    let _: redis::RedisResult<()> = c.set("big", &big);
    let refused = common::wait_until(Duration::from_secs(5), || {
        let r: redis::RedisResult<()> = c.set("other", "v");
        matches!(&r, Err(e) if e.to_string().contains("Errors writing to the AOF file: File too large"))
    });
    assert!(refused, "writes were not refused with MISCONF");
    assert_eq!(
        fk.info_field("persistence", "aof_last_write_status").as_deref(),
        Some("err")
    );
    // Reads still work.
    assert_eq!(c.get::<_, String>("k").unwrap(), "v");
    // No rewrite while accepted writes wait for the file: the base would
    // hold them and the new incr file would repeat them.
    let r: redis::RedisResult<String> = redis::cmd("BGREWRITEAOF").query(&mut c);
    assert!(
        r.as_ref()
            .is_err_and(|e| e.to_string().contains("Can't execute an AOF background rewriting")),
        "{r:?}"
    );
    set_limit("unlimited");
    let recovered = common::wait_until(Duration::from_secs(5), || c.set::<_, _, ()>("other", "v").is_ok());
    assert!(recovered, "writes were not accepted again");
    assert_eq!(
        fk.info_field("persistence", "aof_last_write_status").as_deref(),
        Some("ok")
    );
    let log = std::fs::read_to_string(data.join("log")).unwrap();
    assert!(
        log.contains("AOF write error looks solved, Redis can write again."),
        "{log}"
    );
    let want = digest(&mut c);
    let _: () = redis::cmd("DEBUG").arg("LOADAOF").query(&mut c).unwrap();
    assert_eq!(digest(&mut c), want, "the AOF replays to the same dataset");
    // Nothing was lost: the failed write went out on the retry.
    drop(c);
    let mut fk = fk;
    fk.kill();
    let fk2 = start_aof(&dir, "everysec");
    let mut c = fk2.redis();
    assert_eq!(c.get::<_, String>("big").unwrap(), big);
    assert_eq!(c.get::<_, String>("other").unwrap(), "v");
}

#[test]
fn an_aof_directory_moves_between_redis_and_fastkey() {
    let Some(redis_bin) = redis_server_available() else {
        return;
    };
    let data = TempDir::new("aof-interop");
    let dir = data.path().to_string_lossy().into_owned();
    let args = aof_args(&dir, "always");
    let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
    argv.extend(["--enable-debug-command", "yes"]);

    // redis-server writes a base and an incr file with every type.
    let want = {
        let rs = ServerOpts::new(&argv).bin(&redis_bin).start();
        let mut c = rs.redis();
        write_some(&mut c);
        let _: () = redis::cmd("BGREWRITEAOF").query(&mut c).unwrap();
        common::wait_until(Duration::from_secs(10), || {
            rs.info_field("persistence", "aof_rewrite_in_progress").as_deref() == Some("0")
        });
        let _: () = c.set("after-rewrite", "yes").unwrap();
        let _: () = c.lpush("l", "z").unwrap();
        let d = digest(&mut c);
        let _: redis::RedisResult<()> = redis::cmd("SHUTDOWN").arg("NOSAVE").query(&mut c);
        d
    };
    // fastkey loads it, appends to it, and redis-server loads it back.
    let want = {
        let mut fk = Server::start(&argv);
        fk.wait_loaded();
        let mut c = fk.redis();
        assert_eq!(digest(&mut c), want, "fastkey loaded redis-server's AOF");
        let _: () = c.set("from-fastkey", "1").unwrap();
        let _: () = c.hset("h", "new", "field").unwrap();
        let d = digest(&mut c);
        fk.kill();
        d
    };
    let rs = ServerOpts::new(&argv).bin(&redis_bin).start();
    rs.wait_loaded();
    let mut c = rs.redis();
    assert_eq!(digest(&mut c), want, "redis-server loaded fastkey's AOF");
}
