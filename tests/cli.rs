//! The process: command line, configuration sources and errors, daemonizing,
//! unix sockets, signals, shutdown, the log file and protected mode.

mod common;

use common::{
    assert_bytes, free_port, pid_alive, send_signal, server_bin, show, wait_until, RawClient, Server, ServerOpts,
    TempDir,
};
use std::net::TcpStream;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Output of a run of the binary that is expected to exit by itself.
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs the server binary with `args` (and `stdin`), killing it if it is
/// still running after 10 s.
fn run(args: &[&str], stdin: Option<&str>) -> Run {
    let dir = TempDir::new("run");
    let out = dir.join("out");
    let err = dir.join("err");
    let mut cmd = Command::new(server_bin());
    cmd.args(args)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("spawn the server binary");
    if let Some(text) = stdin {
        use std::io::Write;
        let mut s = child.stdin.take().unwrap();
        let _ = s.write_all(text.as_bytes());
    }
    let mut status = None;
    wait_until(EXIT_TIMEOUT, || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "`{} {args:?}` did not exit within {EXIT_TIMEOUT:?}; stdout:\n{}\nstderr:\n{}",
            server_bin().display(),
            std::fs::read_to_string(&out).unwrap_or_default(),
            std::fs::read_to_string(&err).unwrap_or_default()
        )
    });
    Run {
        status,
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
    }
}

/// Whether `line` has Redis's log line format:
/// `^\d+:[MCS] \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] `.
fn is_log_line(line: &str) -> bool {
    let b = line.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    // What follows the pid, as a pattern: d digit, U upper, l lower, other
    // bytes literal; M stands for one of MCS and L for a level mark.
    let pattern = b":M dd Ull dddd dd:dd:dd.ddd L ";
    let rest = &b[digits..];
    if rest.len() < pattern.len() {
        return false;
    }
    pattern.iter().zip(rest).all(|(&p, &c)| match p {
        b'd' => c.is_ascii_digit(),
        b'U' => c.is_ascii_uppercase(),
        b'l' => c.is_ascii_lowercase(),
        b'M' => matches!(c, b'M' | b'C' | b'S'),
        b'L' => matches!(c, b'.' | b'-' | b'*' | b'#'),
        _ => p == c,
    })
}

/// Whether `line` is what Redis writes from a signal handler, where it can't
/// format a date: `^\d+:signal-handler \(\d+\) `.
fn is_signal_handler_line(line: &str) -> bool {
    let Some((pid, rest)) = line.split_once(':') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("signal-handler (") else {
        return false;
    };
    let Some((secs, msg)) = rest.split_once(") ") else {
        return false;
    };
    !pid.is_empty()
        && pid.bytes().all(|c| c.is_ascii_digit())
        && !secs.is_empty()
        && secs.bytes().all(|c| c.is_ascii_digit())
        && !msg.is_empty()
}

/// Every line has the log format (or is a signal handler's line).
#[track_caller]
fn assert_log_format(log: &str) {
    assert!(!log.trim().is_empty(), "the log is empty");
    for (i, line) in log.lines().enumerate() {
        assert!(
            is_log_line(line) || is_signal_handler_line(line),
            "log line {} has the wrong format: {line:?}",
            i + 1
        );
    }
}

#[test]
fn log_line_matcher_itself() {
    assert!(is_log_line("123:M 25 Nov 2026 20:16:06.476 # Server initialized"));
    assert!(is_log_line("1:C 01 Jan 2024 00:00:00.000 * x"));
    assert!(!is_log_line(":M 25 Nov 2026 20:16:06.476 # no pid"));
    assert!(!is_log_line("123:X 25 Nov 2026 20:16:06.476 # bad role"));
    assert!(!is_log_line("123:M 25 nov 2026 20:16:06.476 # bad month"));
    assert!(!is_log_line("123:M 25 Nov 2026 20:16:06.476 ! bad mark"));
    assert!(!is_log_line("123:M 25 Nov 2026 20:16:06 # no millis"));
    assert!(!is_log_line("     ___ logo"));
    assert!(is_signal_handler_line(
        "5605:signal-handler (1795638232) Received SIGTERM scheduling shutdown..."
    ));
    assert!(!is_signal_handler_line("5605:M signal-handler (1) x"));
}

#[test]
fn version_flags() {
    for flag in ["--version", "-v"] {
        let r = run(&[flag], None);
        assert_eq!(r.status.code(), Some(0), "{flag}: {}", r.stderr);
        let line = r.stdout.lines().next().unwrap_or("");
        assert!(line.contains(" v=7.0.15 "), "{flag}: unexpected version line {line:?}");
        assert!(line.contains(" bits=64"), "{flag}: {line:?}");
    }
}

#[test]
fn help_flag_prints_usage_and_exits_1() {
    // redis-server prints its usage on stderr and exits with status 1.
    for flag in ["--help", "-h"] {
        let r = run(&[flag], None);
        assert!(
            r.stderr.starts_with("Usage: ./") && r.stderr.contains("[/path/to/redis.conf] [options] [-]"),
            "{flag}: usage not on stderr: {:?}",
            r.stderr
        );
        assert!(r.stderr.contains("-v or --version"), "{flag}: {:?}", r.stderr);
        assert!(r.stderr.contains("-h or --help"), "{flag}: {:?}", r.stderr);
        assert_eq!(r.status.code(), Some(1), "{flag}: exit status");
    }
}

fn select(c: &mut RawClient, db: u32) -> Vec<u8> {
    c.cmd(&["SELECT", &db.to_string()])
}

#[test]
fn config_file_argument() {
    let mut opts = ServerOpts::new(&[]);
    opts.fixed = false;
    opts.config_file = Some(
        "# a comment\n\nport {port}\nbind 127.0.0.1\n  save \"\"\ndir \"{dir}\"\ndatabases 4\nrequirepass \"pass word\"\n"
            .to_string(),
    );
    let srv = opts.start();
    let mut c = srv.raw();
    assert_bytes(&c.cmd(&["AUTH", "pass word"]), b"+OK\r\n");
    assert_bytes(&select(&mut c, 3), b"+OK\r\n");
    assert_bytes(&select(&mut c, 4), b"-ERR DB index is out of range\r\n");
    let conf = srv.dir.join("test.conf");
    let info = common::bulk_text(&c.cmd(&["INFO", "server"]));
    let expected = format!("config_file:{}\r\n", conf.display());
    assert!(info.contains(&expected), "INFO server lacks {expected:?}:\n{info}");
}

#[test]
fn config_from_stdin() {
    let mut opts = ServerOpts::new(&[]);
    opts.fixed = false;
    opts.stdin_config = Some("port {port}\nbind 127.0.0.1\nsave \"\"\ndir {dir}\ndatabases 2\n".to_string());
    let srv = opts.start();
    let mut c = srv.raw();
    assert_bytes(&select(&mut c, 1), b"+OK\r\n");
    assert_bytes(&select(&mut c, 2), b"-ERR DB index is out of range\r\n");
    // redis-server logs where its configuration comes from.
    assert!(
        srv.stdout().contains("# Reading config from stdin"),
        "no 'Reading config from stdin' line:\n{}",
        srv.output()
    );
}

#[test]
fn command_line_overrides_the_file() {
    let mut opts = ServerOpts::new(&["--port", "{port}", "--databases", "5", "--dir", "{dir}"]);
    opts.fixed = false;
    // The port in the file is never listened on: the command line wins.
    opts.config_file = Some("port 1\nbind 127.0.0.1\nsave \"\"\ndatabases 2\n".to_string());
    let srv = opts.start();
    let mut c = srv.raw();
    assert_bytes(&select(&mut c, 4), b"+OK\r\n");
    assert_bytes(&select(&mut c, 5), b"-ERR DB index is out of range\r\n");
}

#[test]
fn bad_config_is_fatal() {
    let dir = TempDir::new("badconf");
    let cases: &[(&str, &str, &str)] = &[
        (
            "port 1234\nfoo bar\n",
            "at line 2\n>>> 'foo bar'\n",
            "Bad directive or wrong number of arguments",
        ),
        (
            "\n\nmaxmemory abc\n",
            "at line 3\n>>> 'maxmemory abc'\n",
            "argument must be a memory value",
        ),
        (
            "loglevel nope\n",
            "at line 1\n>>> 'loglevel nope'\n",
            "argument(s) must be one of the following: debug, verbose, notice, warning",
        ),
    ];
    for (text, at, reason) in cases {
        let path = dir.join("bad.conf");
        std::fs::write(&path, text).unwrap();
        let r = run(&[path.to_str().unwrap()], None);
        let expected =
            format!("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, {at}{reason}\n");
        assert_eq!(r.status.code(), Some(1), "config {text:?}: stderr {:?}", r.stderr);
        assert!(
            r.stderr.contains(&expected),
            "config {text:?}:\n  stderr   {:?}\n  expected {expected:?}",
            r.stderr
        );
    }
    // A bad directive on the command line is reported the same way.
    let r = run(&["--port", "abc"], None);
    assert_eq!(r.status.code(), Some(1));
    assert!(
        r.stderr
            .contains(">>> 'port \"abc\"'\nargument couldn't be parsed into an integer\n"),
        "{:?}",
        r.stderr
    );
}

#[test]
fn debian_stock_config_starts() {
    let stock = Path::new("/etc/redis/redis.conf");
    let Ok(text) = std::fs::read_to_string(stock) else {
        eprintln!(
            "SKIPPED: {} is not present (install redis-server to get it)",
            stock.display()
        );
        return;
    };
    let mut replaced = Vec::new();
    let conf: String = text
        .lines()
        .map(|line| {
            let name = line.split_whitespace().next().unwrap_or("");
            let new = match name {
                "daemonize" => "daemonize no",
                "port" => "port {port}",
                "dir" => "dir {dir}",
                "pidfile" => "pidfile {dir}/redis.pid",
                "logfile" => "logfile {dir}/log",
                "bind" => "bind 127.0.0.1",
                _ => return format!("{line}\n"),
            };
            replaced.push(name.to_string());
            format!("{new}\n")
        })
        .collect();
    for name in ["daemonize", "port", "dir", "pidfile", "logfile", "bind"] {
        assert!(replaced.iter().any(|n| n == name), "the stock file has no {name} line");
    }
    let mut opts = ServerOpts::new(&[]);
    opts.fixed = false;
    opts.config_file = Some(conf);
    opts.tag = "debian";
    let srv = opts.start();
    let mut c = srv.raw();
    assert_bytes(&c.roundtrip(b"PING\r\n"), b"+PONG\r\n");
    assert_bytes(&select(&mut c, 15), b"+OK\r\n");
    assert_bytes(&select(&mut c, 16), b"-ERR DB index is out of range\r\n");
    let pidfile = std::fs::read_to_string(srv.dir.join("redis.pid")).unwrap_or_default();
    assert_eq!(pidfile.trim(), srv.pid.to_string(), "pidfile");
    assert_log_format(&srv.log());
}

#[test]
fn port_in_use_fails_to_start() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = TempDir::new("inuse");
    let r = run(
        &[
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.status.code(), Some(1), "{}{}", r.stdout, r.stderr);
    for needle in [
        format!(
            "# Warning: Could not create server TCP listening socket 127.0.0.1:{port}: bind: Address already in use\n"
        ),
        format!("# Failed listening on port {port} (TCP), aborting.\n"),
    ] {
        assert!(r.stdout.contains(&needle), "no {needle:?} in the output:\n{}", r.stdout);
    }
    assert_log_format(&r.stdout);
}

/// Kills a daemon we started if the test fails before it stops.
struct DaemonGuard(Option<u32>);

impl Drop for DaemonGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            if pid_alive(pid) {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            }
        }
    }
}

#[test]
fn daemonize_with_pidfile() {
    let dir = TempDir::new("daemon");
    let port = common::free_port();
    let pidfile = dir.join("daemon.pid");
    let dir_s = dir.path().to_str().unwrap().to_string();
    let pidfile_s = pidfile.to_str().unwrap().to_string();
    let log = format!("{dir_s}/log");
    let r = run(
        &[
            "--daemonize",
            "yes",
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            &dir_s,
            "--pidfile",
            &pidfile_s,
            "--logfile",
            &log,
        ],
        None,
    );
    assert_eq!(r.status.code(), Some(0), "the launcher: {} {}", r.stdout, r.stderr);
    let mut guard = DaemonGuard(None);
    let mut pid = 0u32;
    let appeared = wait_until(EXIT_TIMEOUT, || {
        pid = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        pid != 0
    });
    assert!(
        appeared,
        "no pidfile; log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    guard.0 = Some(pid);
    assert!(pid_alive(pid), "the pid in the pidfile ({pid}) is not running");
    let mut c = None;
    wait_until(EXIT_TIMEOUT, || {
        c = TcpStream::connect(("127.0.0.1", port)).ok();
        c.is_some()
    });
    let mut c = RawClient::from_conn(common::Conn::Tcp(c.expect("connect to the daemon")));
    assert_bytes(&c.roundtrip(b"PING\r\n"), b"+PONG\r\n");
    let info = common::bulk_text(&c.cmd(&["INFO", "server"]));
    assert!(info.contains(&format!("process_id:{pid}\r\n")), "{info}");
    c.send(b"SHUTDOWN NOSAVE\r\n");
    let _ = c.read_until_closed(EXIT_TIMEOUT);
    assert!(wait_until(EXIT_TIMEOUT, || !pid_alive(pid)), "the daemon did not exit");
    assert!(!pidfile.exists(), "SHUTDOWN did not remove the pidfile");
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(log.contains("Removing the pid file."), "{log}");
    assert_log_format(&log);
}

fn unix_opts(port0: bool) -> ServerOpts {
    let mut opts = ServerOpts::new(&["--unixsocket", "{dir}/s.sock", "--unixsocketperm", "700"]);
    opts.unixsocket = Some("s.sock");
    opts.tcp = !port0;
    opts.tag = "unix";
    opts
}

#[track_caller]
fn check_unix_socket_then_shutdown(mut srv: Server) {
    let path = srv.dir.join("s.sock");
    let meta = std::fs::metadata(&path).expect("the socket file exists");
    assert!(meta.file_type().is_socket(), "{} is not a socket", path.display());
    assert_eq!(meta.permissions().mode() & 0o777, 0o700, "socket mode");
    let mut c = RawClient::connect_unix(&path);
    assert_bytes(&c.roundtrip(b"PING\r\n"), b"+PONG\r\n");
    assert_bytes(&c.cmd(&["SET", "via", "unix"]), b"+OK\r\n");
    assert_bytes(&c.cmd(&["GET", "via"]), b"$4\r\nunix\r\n");
    let info = common::bulk_text(&c.cmd(&["INFO", "server"]));
    assert!(info.contains(&format!("tcp_port:{}\r\n", srv.port)), "{info}");
    c.send(b"SHUTDOWN NOSAVE\r\n");
    assert_bytes(&c.read_until_closed(EXIT_TIMEOUT), b"");
    let status = srv.wait_exit(EXIT_TIMEOUT).expect("the server exits");
    assert_eq!(status.code(), Some(0), "{}", srv.output());
    assert!(!path.exists(), "the socket file was not removed at shutdown");
}

#[test]
fn unixsocket_with_permissions() {
    let srv = unix_opts(false).start();
    let mut tcp = srv.raw();
    assert_bytes(&tcp.roundtrip(b"PING\r\n"), b"+PONG\r\n");
    drop(tcp);
    check_unix_socket_then_shutdown(srv);
}

#[test]
fn port_0_with_only_a_unix_socket() {
    let srv = unix_opts(true).start();
    assert_eq!(srv.port, 0);
    check_unix_socket_then_shutdown(srv);
}

#[test]
fn sigterm_stops_cleanly() {
    let mut srv = Server::start(&["--logfile", "{dir}/log"]);
    let mut c = srv.raw();
    assert_bytes(&c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    send_signal(srv.pid, "TERM");
    let status = srv.wait_exit(EXIT_TIMEOUT).expect("the server exits on SIGTERM");
    assert_eq!(status.code(), Some(0), "exit status; {}", srv.output());
    let log = srv.log();
    for needle in [
        "Received SIGTERM scheduling shutdown...",
        "# User requested shutdown...",
        "# Redis is now ready to exit, bye bye...",
    ] {
        assert!(log.contains(needle), "log lacks {needle:?}:\n{log}");
    }
    assert_log_format(&log);
    assert!(
        srv.stdout().is_empty(),
        "stdout should be empty with a logfile: {}",
        srv.stdout()
    );
}

#[test]
fn sigterm_is_logged_from_the_signal_handler() {
    // Redis logs the signal from its handler, with the pid, the Unix time
    // in seconds and no level mark, then the rest of the shutdown normally.
    let mut srv = Server::start(&["--logfile", "{dir}/log"]);
    let before = common::unix_time_secs();
    send_signal(srv.pid, "TERM");
    let status = srv.wait_exit(EXIT_TIMEOUT).expect("the server exits on SIGTERM");
    assert_eq!(status.code(), Some(0));
    let log = srv.log();
    let line = log
        .lines()
        .find(|l| l.contains("Received SIGTERM scheduling shutdown..."))
        .unwrap_or_else(|| panic!("no SIGTERM line in the log:\n{log}"));
    let prefix = format!("{}:signal-handler (", srv.pid);
    let secs = line
        .strip_prefix(&prefix)
        .and_then(|r| r.strip_suffix(") Received SIGTERM scheduling shutdown..."))
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or_else(|| {
            panic!("expected {prefix}<unix time>) Received SIGTERM scheduling shutdown..., got {line:?}")
        });
    assert!(secs + 1 >= before && secs <= common::unix_time_secs(), "time {secs}");
}

#[test]
fn verbose_loglevel_shows_protocol_errors() {
    let srv = Server::start(&["--logfile", "{dir}/log", "--loglevel", "verbose"]);
    let mut c = srv.raw();
    c.send(b"*abc\r\n");
    assert_bytes(
        &c.read_until_closed(EXIT_TIMEOUT),
        b"-ERR Protocol error: invalid multibulk length\r\n",
    );
    // Redis names the error with its internal wording in the log.
    let needle = " - Protocol error (invalid mbulk count) from client: id=";
    let found = wait_until(Duration::from_secs(5), || srv.log().contains(needle));
    let log = srv.log();
    assert!(found, "no {needle:?} line in the verbose log:\n{log}");
    let line = log.lines().find(|l| l.contains(needle)).unwrap();
    assert!(
        line.ends_with(". Query buffer during protocol error: '*abc..'"),
        "protocol error line: {line}"
    );
    assert!(log.contains(" - Accepted 127.0.0.1:"), "{log}");
    assert_log_format(&log);
}

#[test]
fn shutdown_nosave_exits_0() {
    let mut srv = Server::start(&["--logfile", "{dir}/log"]);
    let mut c = srv.raw();
    c.send(b"SHUTDOWN NOSAVE\r\n");
    let got = c.read_until_closed(EXIT_TIMEOUT);
    assert!(got.is_empty(), "SHUTDOWN replied {}", show(&got));
    let status = srv.wait_exit(EXIT_TIMEOUT).expect("the server exits");
    assert_eq!(status.code(), Some(0));
    let log = srv.log();
    assert!(log.contains("# User requested shutdown..."), "{log}");
    assert!(log.contains("# Redis is now ready to exit, bye bye..."), "{log}");
    assert_log_format(&log);
}

/// A non-loopback IPv4 address of this host, if any.
fn non_loopback_ipv4() -> Option<String> {
    let out = Command::new("hostname").arg("-I").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter(|a| a.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| !ip.is_loopback()))
        .map(str::to_string)
        .next()
}

const DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

#[test]
fn protected_mode_denies_non_loopback_clients() {
    let Some(ip) = non_loopback_ipv4() else {
        eprintln!("SKIPPED: this host has no non-loopback IPv4 address (`hostname -I`), so no client can connect from outside the loopback");
        return;
    };
    let start = |extra: &[&str]| {
        let mut args = vec![
            "--port",
            "{port}",
            "--bind",
            "127.0.0.1",
            ip.as_str(),
            "--save",
            "",
            "--dir",
            "{dir}",
        ];
        args.extend_from_slice(extra);
        let mut opts = ServerOpts::new(&args);
        opts.fixed = false;
        opts.start()
    };
    let connect = |srv: &Server| {
        let s = TcpStream::connect((ip.as_str(), srv.port)).expect("connect to the non-loopback address");
        assert!(!s.peer_addr().unwrap().ip().is_loopback());
        RawClient::from_conn(common::Conn::Tcp(s))
    };
    // Default: protected mode on, no password.
    let srv = start(&[]);
    let mut c = connect(&srv);
    c.send(b"PING\r\n");
    assert_bytes(&c.read_until_closed(EXIT_TIMEOUT), DENIED.as_bytes());
    // Loopback clients are still served.
    assert_bytes(&srv.raw().roundtrip(b"PING\r\n"), b"+PONG\r\n");
    drop(srv);
    // With protected mode off, or a password set, outside clients get in.
    let srv = start(&["--protected-mode", "no"]);
    assert_bytes(&connect(&srv).roundtrip(b"PING\r\n"), b"+PONG\r\n");
    drop(srv);
    let srv = start(&["--requirepass", "pw"]);
    assert_bytes(
        &connect(&srv).roundtrip(b"PING\r\n"),
        b"-NOAUTH Authentication required.\r\n",
    );
}

/// `supervised systemd`: the server tells systemd it is loading, then ready
/// (sd_notify datagrams on NOTIFY_SOCKET), and stays in the foreground even
/// with `daemonize yes`, as redis-server does.
#[test]
fn supervised_systemd_notifies_readiness() {
    let dir = TempDir::new("notify");
    let sock_path = dir.join("notify.sock");
    let sock = std::os::unix::net::UnixDatagram::bind(&sock_path).expect("bind the notify socket");
    sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let port = free_port();
    let mut child = Command::new(server_bin())
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .args(["--supervised", "systemd", "--daemonize", "yes"])
        .arg("--dir")
        .arg(dir.path())
        .env("NOTIFY_SOCKET", &sock_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.iter().any(|m: &String| m == "READY=1\n") {
        match sock.recv(&mut buf) {
            Ok(n) => got.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
            Err(e) => {
                let _ = child.kill();
                panic!("no READY=1 notification ({e}); got {got:?}");
            }
        }
    }
    assert_eq!(
        got,
        [
            "STATUS=Redis is loading...\n",
            "STATUS=Ready to accept connections\n",
            "READY=1\n"
        ]
    );
    // Still the same process: not daemonized.
    assert!(
        child.try_wait().unwrap().is_none(),
        "the server forked into the background"
    );
    let mut c = RawClient::connect(port);
    c.send(b"PING\r\n");
    assert_eq!(c.try_read_replies(1, Duration::from_secs(5)).unwrap()[0], b"+PONG\r\n");
    let _ = child.kill();
    let _ = child.wait();
}
