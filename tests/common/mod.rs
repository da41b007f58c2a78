//! Shared helpers for the integration tests: start the real
//! `fastkey-server` binary (or `redis-server`, for interop) on a free port in
//! a private temporary directory, talk to it with raw bytes, and read RESP
//! replies exactly as they came off the wire.
//!
//! `FASTKEY_IT_SERVER_BIN` overrides the binary under test, which lets the
//! same expectations be checked against a real redis-server, e.g.
//! `FASTKEY_IT_SERVER_BIN=/usr/bin/redis-server cargo test --test protocol`.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a server may take to answer its first PING.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Default wait for a reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// The server binary under test.
pub fn server_bin() -> PathBuf {
    match std::env::var_os("FASTKEY_IT_SERVER_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_fastkey-server")),
    }
}

/// Finds `name` on the PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The real redis-server for interop tests, or None after printing why the
/// caller skips.
pub fn redis_server_available() -> Option<PathBuf> {
    match which("redis-server") {
        Some(p) => Some(p),
        None => {
            eprintln!("SKIPPED: `redis-server` is not on the PATH (install the redis-server package to run the interop tests)");
            None
        }
    }
}

/// A port nobody listens on right now (bind to port 0, keep the number).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local_addr").port()
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "fastkey-it-{tag}-{}-{}-{nanos}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Polls `f` every few milliseconds until it returns true or `timeout`
/// passes; returns the last result.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Seconds since the Unix epoch.
pub fn unix_time_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Whether a process with this pid is alive (a zombie counts as dead).
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The state follows the parenthesised command name.
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .unwrap_or("");
            state != "Z" && state != "X"
        }
        Err(_) => false,
    }
}

/// Sends a signal with the `kill` utility.
pub fn send_signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{sig} {pid} failed: {status}");
}

/// Resident set size of a process in bytes, from /proc.
pub fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// How to start a server. Every `{port}` and `{dir}` in `args`,
/// `config_file` and `stdin_config` is replaced by the chosen port and the
/// server's temporary directory.
#[derive(Clone)]
pub struct ServerOpts {
    pub bin: PathBuf,
    /// Pass `--port {port} --bind 127.0.0.1 --save "" --dir {dir}
    /// --enable-debug-command yes` before `args`.
    pub fixed: bool,
    pub args: Vec<String>,
    /// Written to `{dir}/test.conf`, whose path is the first argument.
    pub config_file: Option<String>,
    /// Fed on standard input, with `-` as the last argument.
    pub stdin_config: Option<String>,
    /// Listen on a free TCP port (otherwise the port is 0).
    pub tcp: bool,
    /// File name (in `{dir}`) of a unix socket to wait on when not on TCP.
    pub unixsocket: Option<&'static str>,
    /// Part of the temporary directory's name.
    pub tag: &'static str,
}

impl ServerOpts {
    pub fn new(args: &[&str]) -> ServerOpts {
        ServerOpts {
            bin: server_bin(),
            fixed: true,
            args: args.iter().map(|s| s.to_string()).collect(),
            config_file: None,
            stdin_config: None,
            tcp: true,
            unixsocket: None,
            tag: "srv",
        }
    }

    pub fn bin(mut self, bin: impl Into<PathBuf>) -> ServerOpts {
        self.bin = bin.into();
        self
    }

    pub fn start(self) -> Server {
        Server::start_opts(self)
    }
}

/// A running server process; killed (SIGKILL) and reaped on drop, and its
/// directory removed.
pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub pid: u32,
    pub dir: TempDir,
    /// Where readiness is checked when there is no TCP port.
    pub unixsocket: Option<PathBuf>,
    /// Set once a test waits for the exit (SHUTDOWN, signals).
    exit_expected: bool,
    stdout_path: PathBuf,
    stderr_path: PathBuf,
    /// The binary and arguments it was started with, for `restart`.
    program: PathBuf,
    argv: Vec<std::ffi::OsString>,
    /// Whether the config came on stdin (`restart` cannot replay it).
    stdin_config: bool,
}

impl Server {
    /// fastkey-server on a free port with the test defaults plus `extra`.
    pub fn start(extra: &[&str]) -> Server {
        ServerOpts::new(extra).start()
    }

    pub fn start_opts(opts: ServerOpts) -> Server {
        // A free port can be taken by someone else before the server binds
        // it: try again with another one.
        let mut last_output = String::new();
        for _ in 0..5 {
            match Server::try_start(&opts) {
                Ok(s) => return s,
                Err(output) => {
                    if !output.contains("Address already in use") {
                        panic!("{output}");
                    }
                    last_output = output;
                }
            }
        }
        panic!("the server could not bind a free port after 5 tries:\n{last_output}");
    }

    fn try_start(opts: &ServerOpts) -> Result<Server, String> {
        let dir = TempDir::new(opts.tag);
        let port = if opts.tcp { free_port() } else { 0 };
        let dir_s = dir.path().to_string_lossy().into_owned();
        let subst = |s: &str| s.replace("{port}", &port.to_string()).replace("{dir}", &dir_s);
        let stdout_path = dir.join("stdout.txt");
        let stderr_path = dir.join("stderr.txt");
        let mut cmd = Command::new(&opts.bin);
        if let Some(text) = &opts.config_file {
            let path = dir.join("test.conf");
            std::fs::write(&path, subst(text)).expect("write the config file");
            cmd.arg(path);
        }
        if opts.fixed {
            cmd.arg("--port")
                .arg(port.to_string())
                .args(["--bind", "127.0.0.1", "--save", "", "--dir"])
                .arg(dir.path())
                .args(["--enable-debug-command", "yes"]);
        }
        cmd.args(opts.args.iter().map(|a| subst(a)));
        if opts.stdin_config.is_some() {
            cmd.arg("-").stdin(Stdio::piped());
        } else {
            cmd.stdin(Stdio::null());
        }
        cmd.stdout(std::fs::File::create(&stdout_path).expect("create stdout file"))
            .stderr(std::fs::File::create(&stderr_path).expect("create stderr file"));
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", opts.bin.display()));
        if let Some(text) = &opts.stdin_config {
            let mut stdin = child.stdin.take().expect("piped stdin");
            stdin
                .write_all(subst(text).as_bytes())
                .expect("write the config to stdin");
            // Dropping stdin closes it: the server reads to EOF.
        }
        let mut srv = Server {
            pid: child.id(),
            child: Some(child),
            port,
            unixsocket: if opts.tcp {
                None
            } else {
                opts.unixsocket.map(|name| dir.join(name))
            },
            dir,
            exit_expected: false,
            stdout_path,
            stderr_path,
            program: opts.bin.clone(),
            argv: cmd.get_args().map(|a| a.to_os_string()).collect(),
            stdin_config: opts.stdin_config.is_some(),
        };
        match srv.wait_ready(START_TIMEOUT) {
            Ok(()) => Ok(srv),
            Err(why) => {
                srv.exit_expected = true;
                srv.kill();
                Err(format!(
                    "{} (args {:?}) did not become ready: {why}\n{}",
                    opts.bin.display(),
                    opts.args,
                    srv.output()
                ))
            }
        }
    }

    /// Waits until the server answers PING (any reply line, so that a
    /// server requiring a password counts as ready).
    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                return Err(format!("the process exited with {status}"));
            }
            if self.ping_once() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("no PING reply within {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn ping_once(&self) -> bool {
        let conn = if let Some(path) = &self.unixsocket {
            UnixStream::connect(path).map(Conn::Unix)
        } else {
            TcpStream::connect(("127.0.0.1", self.port)).map(Conn::Tcp)
        };
        let Ok(conn) = conn else {
            return false;
        };
        let mut c = RawClient::from_conn(conn);
        c.send(b"PING\r\n");
        let answered = match c.try_read_replies(1, Duration::from_secs(2)) {
            Ok(r) => r[0].first().is_some_and(|b| *b == b'+' || *b == b'-'),
            Err(_) => false,
        };
        answered && self.is_our_process(&mut c)
    }

    /// Whether the server that answered is the process we started: other
    /// test runs on the machine pick free ports too, and one can take ours
    /// between `free_port` and our bind. Our server then exits (the start
    /// is retried on another port), but its PING may have reached the
    /// other server first. A server that does not say (NOAUTH) counts as
    /// ours.
    fn is_our_process(&self, c: &mut RawClient) -> bool {
        c.send(b"INFO server\r\n");
        let Ok(r) = c.try_read_replies(1, Duration::from_secs(2)) else {
            return false;
        };
        let text = String::from_utf8_lossy(&r[0]);
        match text.lines().find_map(|l| l.strip_prefix("process_id:")) {
            Some(pid) => pid.trim() == self.pid.to_string(),
            None => true,
        }
    }

    /// The exit status if the process has exited.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    /// Waits for the process to exit; None on timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.exit_expected = true;
        let mut status = None;
        wait_until(timeout, || {
            status = self.try_wait();
            status.is_some()
        });
        status
    }

    /// Kills the process (SIGKILL) if it still runs and starts it again
    /// with the same arguments: same port, same directory and files, as an
    /// operator restarting a crashed server. Output is appended to the same
    /// files.
    pub fn restart(&mut self) {
        assert!(!self.stdin_config, "restart cannot replay a config given on stdin");
        self.exit_expected = true;
        self.kill();
        let append = |p: &Path| {
            std::fs::OpenOptions::new()
                .append(true)
                .open(p)
                .expect("open an output file")
        };
        let child = Command::new(&self.program)
            .args(&self.argv)
            .stdin(Stdio::null())
            .stdout(append(&self.stdout_path))
            .stderr(append(&self.stderr_path))
            .spawn()
            .unwrap_or_else(|e| panic!("could not restart {}: {e}", self.program.display()));
        self.pid = child.id();
        self.child = Some(child);
        self.exit_expected = false;
        if let Err(why) = self.wait_ready(START_TIMEOUT) {
            panic!("the restarted server did not become ready: {why}\n{}", self.output());
        }
    }

    pub fn kill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout_path).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// The log file `{dir}/log`, if the test configured one.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// stdout, stderr and the log file, for failure messages.
    pub fn output(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}\n--- log ---\n{}",
            self.stdout(),
            self.stderr(),
            self.log()
        )
    }

    pub fn addr(&self) -> (&'static str, u16) {
        ("127.0.0.1", self.port)
    }

    pub fn raw(&self) -> RawClient {
        RawClient::connect(self.port)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A synchronous connection of the `redis` crate.
    pub fn redis(&self) -> redis::Connection {
        let client = redis::Client::open(self.url()).expect("redis client");
        let con = client
            .get_connection_with_timeout(REPLY_TIMEOUT)
            .expect("redis connection");
        con.set_read_timeout(Some(REPLY_TIMEOUT)).expect("timeout");
        con
    }

    /// Waits for a start-up load to end: the harness counts a `-LOADING`
    /// reply as up, and DEBUG (DIGEST) runs during a load, on half the
    /// dataset.
    pub fn wait_loaded(&self) {
        let done = wait_until(Duration::from_secs(30), || {
            self.info_field("persistence", "loading").as_deref() == Some("0")
        });
        assert!(done, "still loading:\n{}", self.output());
    }

    /// A field of INFO, e.g. `info_field("memory", "used_memory_rss")`.
    pub fn info_field(&self, section: &str, field: &str) -> Option<String> {
        let mut c = self.raw();
        let reply = c.cmd(&["INFO", section]);
        let text = bulk_text(&reply);
        let prefix = format!("{field}:");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map(|v| v.trim().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A server that died on its own (a crash) explains most failures of
        // the test that used it: show why.
        if !self.exit_expected {
            if let Some(status) = self.try_wait() {
                eprintln!(
                    "*** the server (pid {}) exited unexpectedly with {status} ***\n{}",
                    self.pid,
                    self.output()
                );
            }
        }
        self.kill();
    }
}

/// A TCP or unix stream.
pub enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Conn {
    fn set_read_timeout(&self, t: Option<Duration>) -> std::io::Result<()> {
        match self {
            Conn::Tcp(s) => s.set_read_timeout(t),
            Conn::Unix(s) => s.set_read_timeout(t),
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.read(buf),
            Conn::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(buf),
            Conn::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Tcp(s) => s.flush(),
            Conn::Unix(s) => s.flush(),
        }
    }
}

/// A client speaking raw bytes. Replies are returned exactly as received.
pub struct RawClient {
    pub conn: Conn,
    /// Received bytes not yet returned as replies.
    buf: Vec<u8>,
}

/// RESP encoding of a command.
pub fn encode<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl RawClient {
    pub fn connect(port: u16) -> RawClient {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
        s.set_nodelay(true).expect("nodelay");
        RawClient::from_conn(Conn::Tcp(s))
    }

    pub fn connect_unix(path: &Path) -> RawClient {
        let s = UnixStream::connect(path).expect("connect to the unix socket");
        RawClient::from_conn(Conn::Unix(s))
    }

    pub fn from_conn(conn: Conn) -> RawClient {
        RawClient { conn, buf: Vec::new() }
    }

    pub fn tcp(&self) -> &TcpStream {
        match &self.conn {
            Conn::Tcp(s) => s,
            Conn::Unix(_) => panic!("not a TCP client"),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.conn.write_all(bytes).expect("write to the server");
    }

    /// Sends a command as a RESP multibulk and returns its reply.
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Vec<u8> {
        self.send(&encode(args));
        self.read_reply()
    }

    /// Sends `bytes` and returns the one reply they produce.
    pub fn roundtrip(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.send(bytes);
        self.read_reply()
    }

    pub fn read_reply(&mut self) -> Vec<u8> {
        self.read_replies(1).pop().expect("one reply")
    }

    /// Reads exactly `n` replies (panics on timeout or disconnect).
    pub fn read_replies(&mut self, n: usize) -> Vec<Vec<u8>> {
        self.try_read_replies(n, REPLY_TIMEOUT)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads `n` replies within `timeout`. A RESP3 attribute is returned
    /// together with the reply it annotates; a push message is a reply of
    /// its own.
    pub fn try_read_replies(&mut self, n: usize, timeout: Duration) -> Result<Vec<Vec<u8>>, String> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::with_capacity(n);
        let mut chunk = vec![0u8; 64 * 1024];
        // Replies are cut from `buf[start..]`; the consumed prefix is
        // dropped once per read rather than once per reply.
        let mut start = 0;
        let result = loop {
            if out.len() == n {
                break Ok(());
            }
            match reply_len(&self.buf[start..]) {
                Ok(Some(len)) => {
                    out.push(self.buf[start..start + len].to_vec());
                    start += len;
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    break Err(format!(
                        "malformed reply ({e}) after {} replies: {}",
                        out.len(),
                        show(&self.buf[start..])
                    ))
                }
            }
            self.buf.drain(..start);
            start = 0;
            let now = Instant::now();
            if now >= deadline {
                break Err(format!(
                    "timed out waiting for reply {} of {n}; got so far {:?}, pending bytes {}",
                    out.len() + 1,
                    out.iter().map(|r| show(r)).collect::<Vec<_>>(),
                    show(&self.buf)
                ));
            }
            self.conn
                .set_read_timeout(Some(deadline - now))
                .expect("set_read_timeout");
            match self.conn.read(&mut chunk) {
                Ok(0) => {
                    break Err(format!(
                        "connection closed while waiting for reply {} of {n}; got {:?}, pending bytes {}",
                        out.len() + 1,
                        out.iter().map(|r| show(r)).collect::<Vec<_>>(),
                        show(&self.buf)
                    ))
                }
                Ok(k) => self.buf.extend_from_slice(&chunk[..k]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) => break Err(format!("read error: {e}; pending bytes {}", show(&self.buf))),
            }
        };
        self.buf.drain(..start);
        result.map(|()| out)
    }

    /// Reads until the server closes the connection; returns what arrived
    /// (including bytes still buffered). Panics if it stays open.
    pub fn read_until_closed(&mut self, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        let mut data = std::mem::take(&mut self.buf);
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let now = Instant::now();
            assert!(
                now < deadline,
                "the server did not close the connection within {timeout:?}; received {}",
                show(&data)
            );
            self.conn
                .set_read_timeout(Some(deadline - now))
                .expect("set_read_timeout");
            match self.conn.read(&mut chunk) {
                Ok(0) => return data,
                Ok(k) => data.extend_from_slice(&chunk[..k]),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                // A reset also means closed (the server may close with
                // unread input, which makes the kernel send RST).
                Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => return data,
                Err(e) => panic!("read error: {e}"),
            }
        }
    }

    /// Whether nothing arrives within `wait` (connection stays open, quiet).
    pub fn is_quiet_for(&mut self, wait: Duration) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        self.conn.set_read_timeout(Some(wait)).expect("set_read_timeout");
        let mut b = [0u8; 1];
        match self.conn.read(&mut b) {
            Ok(0) => false,
            Ok(_) => {
                self.buf.push(b[0]);
                false
            }
            Err(e) => matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        }
    }
}

/// Printable form of bytes for assertion messages (long data abbreviated).
pub fn show(b: &[u8]) -> String {
    let mut s = String::new();
    let shown = &b[..b.len().min(300)];
    for &c in shown {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    if b.len() > shown.len() {
        let _ = write!(s, "... ({} bytes)", b.len());
    }
    format!("\"{s}\"")
}

/// Asserts two byte strings are equal, printing both readably.
#[track_caller]
pub fn assert_bytes(actual: &[u8], expected: &[u8]) {
    assert!(
        actual == expected,
        "\n  actual:   {}\n  expected: {}",
        show(actual),
        show(expected)
    );
}

// ---- RESP reader ---------------------------------------------------------

/// A decoded reply (RESP2 and RESP3).
#[derive(Debug, Clone, PartialEq)]
pub enum Resp {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    /// `$` bulk string; None for the RESP2 null bulk.
    Bulk(Option<Vec<u8>>),
    /// `*` array; None for the RESP2 null array.
    Array(Option<Vec<Resp>>),
    Null,
    Double(Vec<u8>),
    Bool(bool),
    BlobError(Vec<u8>),
    Verbatim(Vec<u8>),
    BigNumber(Vec<u8>),
    Map(Vec<(Resp, Resp)>),
    Set(Vec<Resp>),
    Push(Vec<Resp>),
    /// An attribute and the reply it annotates.
    Attributed(Vec<(Resp, Resp)>, Box<Resp>),
}

impl Resp {
    /// The elements of an array, set or push.
    pub fn items(&self) -> &[Resp] {
        match self {
            Resp::Array(Some(v)) | Resp::Set(v) | Resp::Push(v) => v,
            other => panic!("not an aggregate: {other:?}"),
        }
    }

    /// The payload of a bulk or simple string.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Resp::Bulk(Some(b)) | Resp::Simple(b) | Resp::Verbatim(b) => b,
            other => panic!("not a string: {other:?}"),
        }
    }

    pub fn int(&self) -> i64 {
        match self {
            Resp::Int(i) => *i,
            other => panic!("not an integer: {other:?}"),
        }
    }
}

/// Length of the first complete reply in `buf`, None if incomplete.
pub fn reply_len(buf: &[u8]) -> Result<Option<usize>, String> {
    Ok(parse_reply(buf)?.map(|(_, n)| n))
}

/// Decodes one reply of `buf`; None if more bytes are needed.
pub fn parse(buf: &[u8]) -> Result<Resp, String> {
    match parse_reply(buf)? {
        Some((r, n)) if n == buf.len() => Ok(r),
        Some((_, n)) => Err(format!("{} trailing bytes after the reply", buf.len() - n)),
        None => Err(format!("incomplete reply: {}", show(buf))),
    }
}

fn line(buf: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let rest = buf.get(pos..)?;
    let i = rest.windows(2).position(|w| w == b"\r\n")?;
    Some((&rest[..i], pos + i + 2))
}

fn num(s: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(|| format!("bad number {}", show(s)))
}

/// Decodes the reply at the start of `buf`: the value and its length.
pub fn parse_reply(buf: &[u8]) -> Result<Option<(Resp, usize)>, String> {
    parse_at(buf, 0)
}

fn parse_at(buf: &[u8], pos: usize) -> Result<Option<(Resp, usize)>, String> {
    let Some(&kind) = buf.get(pos) else {
        return Ok(None);
    };
    let Some((head, mut p)) = line(buf, pos + 1) else {
        return Ok(None);
    };
    let blob = |p: usize, n: i64| -> Option<(Vec<u8>, usize)> {
        let n = n as usize;
        if buf.len() < p + n + 2 {
            return None;
        }
        Some((buf[p..p + n].to_vec(), p + n + 2))
    };
    let value = match kind {
        b'+' => Resp::Simple(head.to_vec()),
        b'-' => Resp::Error(head.to_vec()),
        b':' => Resp::Int(num(head)?),
        b'_' => Resp::Null,
        b',' => Resp::Double(head.to_vec()),
        b'(' => Resp::BigNumber(head.to_vec()),
        b'#' => match head {
            b"t" => Resp::Bool(true),
            b"f" => Resp::Bool(false),
            _ => return Err(format!("bad boolean {}", show(head))),
        },
        b'$' | b'!' | b'=' => {
            let n = num(head)?;
            if n < 0 {
                if kind != b'$' {
                    return Err("negative blob length".into());
                }
                Resp::Bulk(None)
            } else {
                let Some((b, np)) = blob(p, n) else {
                    return Ok(None);
                };
                if &buf[np - 2..np] != b"\r\n" {
                    return Err("blob not terminated by CRLF".into());
                }
                p = np;
                match kind {
                    b'$' => Resp::Bulk(Some(b)),
                    b'!' => Resp::BlobError(b),
                    _ => Resp::Verbatim(b),
                }
            }
        }
        b'*' | b'~' | b'>' => {
            let n = num(head)?;
            if n < 0 {
                if kind != b'*' {
                    return Err("negative aggregate length".into());
                }
                Resp::Array(None)
            } else {
                let mut items = Vec::new();
                for _ in 0..n {
                    let Some((v, np)) = parse_at(buf, p)? else {
                        return Ok(None);
                    };
                    items.push(v);
                    p = np;
                }
                match kind {
                    b'*' => Resp::Array(Some(items)),
                    b'~' => Resp::Set(items),
                    _ => Resp::Push(items),
                }
            }
        }
        b'%' | b'|' => {
            let n = num(head)?;
            let mut pairs = Vec::new();
            for _ in 0..n {
                let Some((k, np)) = parse_at(buf, p)? else {
                    return Ok(None);
                };
                let Some((v, np)) = parse_at(buf, np)? else {
                    return Ok(None);
                };
                pairs.push((k, v));
                p = np;
            }
            if kind == b'%' {
                Resp::Map(pairs)
            } else {
                // An attribute precedes the reply it describes.
                let Some((v, np)) = parse_at(buf, p)? else {
                    return Ok(None);
                };
                p = np;
                Resp::Attributed(pairs, Box::new(v))
            }
        }
        other => return Err(format!("unknown reply type byte {:?} at {pos}", other as char)),
    };
    Ok(Some((value, p)))
}

/// The text of a bulk reply (INFO and the like).
pub fn bulk_text(reply: &[u8]) -> String {
    match parse(reply) {
        Ok(Resp::Bulk(Some(b))) | Ok(Resp::Verbatim(b)) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("expected a bulk reply, got {other:?} from {}", show(reply)),
    }
}

/// A small deterministic PRNG (xorshift64*), for chunk sizes and payloads.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// DEBUG DIGEST: Redis's fingerprint of the whole dataset, to compare two
/// servers (or one before and after a reload).
pub fn digest(con: &mut redis::Connection) -> String {
    redis::cmd("DEBUG").arg("DIGEST").query(con).unwrap()
}

/// DEBUG DIGEST, or the error (a replica still loading answers -LOADING).
pub fn try_digest(con: &mut redis::Connection) -> Result<String, String> {
    redis::cmd("DEBUG").arg("DIGEST").query(con).map_err(|e| e.to_string())
}
