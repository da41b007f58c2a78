//! The server: state owned by the main thread and its event loop, in the
//! manner of Redis's ae + server.c.
//!
//! One loop turn: before sleeping, write pending replies straight to the
//! sockets (a write handler stays installed only for clients with output
//! left) and close clients marked for closing; then wait for events until
//! the next cron tick; handle readable before writable; run completions of
//! background jobs; run the cron when due.

use crate::bio::Bio;
use crate::client::{Client, ClientState, ReadOutcome, Stream};
use crate::cmd::{flags, CmdId, Ctx, Table};
use crate::config::Config;
use crate::db::Db;
use crate::reactor::{Reactor, Registered};
use crate::resp::{Argv, Limits, Parsed};
use log::{debug, info, warn};
use slab::Slab;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, TcpListener};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const VERSION: &str = "7.0.15";
pub const FASTKEY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Poller keys above the client slab's range.
/// polling reserves usize::MAX for its own notifier.
const KEY_SIGNAL: usize = usize::MAX - 1;
const KEY_LISTENER_BASE: usize = usize::MAX - 66;

/// Accepts per readable event on a listener, as Redis's MAX_ACCEPTS_PER_CALL.
const MAX_ACCEPTS_PER_CALL: usize = 1000;
/// Output written per client per loop turn before yielding to others.
const MAX_WRITE_PER_TURN: usize = 1 << 20;

/// Redis's shared.bgsaveerr.
const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

pub fn mstime() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn ustime() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Per-command statistics (INFO commandstats).
#[derive(Default, Clone)]
pub struct CmdStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    /// Latency distribution, allocated on the first call (latency-tracking).
    pub latency: Option<Box<crate::latency::Histogram>>,
}

#[derive(Default)]
pub struct Stats {
    pub numconnections: u64,
    pub numcommands: u64,
    pub rejected_conn: u64,
    pub expired_keys: u64,
    pub evicted_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    /// Bytes read from the master link (Redis's stat_net_repl_input_bytes;
    /// the replica side adds to it; those bytes are not in
    /// `net_input_bytes`).
    pub net_repl_input_bytes: u64,
    /// Bytes written to replicas: the RDB of a full sync and the stream
    /// (stat_net_repl_output_bytes; not in `net_output_bytes`).
    pub net_repl_output_bytes: u64,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub client_qbuf_limit_disconnections: u64,
    pub reads_processed: u64,
    pub writes_processed: u64,
    /// Running share of sampled keys found expired by the active cycle.
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    pub expire_cycle_cpu_ms: u64,
    /// errorstats, by error code (the first word of the reply).
    pub errors: HashMap<String, u64>,
    pub cmds: Vec<CmdStats>,
    /// Samples for instantaneous_ops_per_sec and the network rates.
    pub inst: [InstMetric; 5],
}

/// Redis's trackInstantaneousMetric: a ring of 16 rate samples.
#[derive(Default, Clone, Copy)]
pub struct InstMetric {
    last_sample_ms: i64,
    last_value: u64,
    samples: [u64; 16],
    idx: usize,
}

impl InstMetric {
    fn track(&mut self, value: u64, now_ms: i64) {
        let dt = now_ms - self.last_sample_ms;
        if self.last_sample_ms != 0 && dt > 0 {
            let ops = value.saturating_sub(self.last_value);
            self.samples[self.idx] = ops * 1000 / dt as u64;
            self.idx = (self.idx + 1) % self.samples.len();
        }
        self.last_sample_ms = now_ms;
        self.last_value = value;
    }

    pub fn get(&self) -> u64 {
        self.samples.iter().sum::<u64>() / self.samples.len() as u64
    }
}

pub const INST_COMMANDS: usize = 0;
pub const INST_NET_INPUT: usize = 1;
pub const INST_NET_OUTPUT: usize = 2;
pub const INST_NET_INPUT_REPL: usize = 3;
pub const INST_NET_OUTPUT_REPL: usize = 4;

impl Stats {
    /// Counts an error reply under its code, as Redis's afterErrorReply.
    pub fn record_error(&mut self, msg: &[u8]) {
        self.total_error_replies += 1;
        let end = msg.iter().position(|&c| c == b' ').unwrap_or(msg.len());
        let code = String::from_utf8_lossy(&msg[..end]).into_owned();
        // Redis caps the table at 128 distinct codes.
        if self.errors.len() >= 128 && !self.errors.contains_key(&code) {
            return;
        }
        *self.errors.entry(code).or_insert(0) += 1;
    }
}

enum Listener {
    Tcp(Registered<TcpListener>),
    Unix(Registered<UnixListener>),
}

/// Why clients are paused (Redis's pause_purpose).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PausePurpose {
    ClientCommand = 0,
    Shutdown = 1,
    Failover = 2,
}

/// What SHUTDOWN asked for (flags of Redis's prepareForShutdown).
#[derive(Clone, Copy, Default, Debug)]
pub struct ShutdownFlags {
    pub nosave: bool,
    pub save: bool,
    pub now: bool,
    pub force: bool,
}

impl ShutdownFlags {
    /// From the bits of `shutdown-on-sigint` / `shutdown-on-sigterm`
    /// (Redis's SHUTDOWN_SAVE, _NOSAVE, _NOW, _FORCE).
    pub fn from_bits(bits: i32) -> ShutdownFlags {
        ShutdownFlags {
            save: bits & 1 != 0,
            nosave: bits & 2 != 0,
            now: bits & 4 != 0,
            force: bits & 8 != 0,
        }
    }
}

/// Where a shutdown request stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ShutdownStart {
    /// Done: the process may exit.
    Exit,
    /// Waiting for lagging replicas, writes paused.
    Waiting,
    /// It failed and was cancelled (the log says why).
    Failed,
}

pub struct Server {
    pub cfg: Config,
    pub table: Table,
    pub dbs: Vec<Db>,
    pub clients: Slab<Option<Box<Client>>>,
    pub stats: Stats,
    pub bio: Bio,
    pub reactor: Reactor,
    /// Listening sockets and their poller keys.
    listeners: Vec<(usize, Listener)>,
    next_listener_key: usize,
    pub next_client_id: u64,
    /// Wall-clock time (ms) read once per loop turn.
    pub now_ms: i64,
    /// The time commands see for expiry decisions (Redis's commandTimeSnapshot).
    pub cmd_time_ms: i64,
    pub lru_clock: u32,
    pub start: Instant,
    pub hz: i32,
    pub cronloops: u64,
    next_cron: Instant,
    pub dirty: u64,
    pub pending_writes: Vec<usize>,
    events: Vec<(usize, bool, bool)>,
    pub expire_timelimit_exit: bool,
    pub expire_next_db: usize,
    clients_cron_pos: usize,
    pub active_expire_enabled: bool,
    pub shutdown_asap: bool,
    /// The signal behind `shutdown_asap` was SIGINT (else SIGTERM): it
    /// picks `shutdown-on-sigint` or `shutdown-on-sigterm`.
    shutdown_by_sigint: bool,
    /// A shutdown waiting for lagging replicas (Redis's shutdown_mstime):
    /// its flags and deadline in ms.
    shutdown_wait: Option<(ShutdownFlags, i64)>,
    sigterm: Arc<AtomicBool>,
    sigint: Arc<AtomicBool>,
    signal_rx: Option<Registered<UnixStream>>,
    pub pid: u32,
    pub executable: PathBuf,
    pub tcp_port: u16,
    /// Exit code once the loop must stop.
    exit_code: Option<i32>,
    pub rng: rand::rngs::SmallRng,
    /// Unix time (s) of the last successful save; start time until then.
    pub lastsave_unix: i64,
    /// 40 hex characters identifying this run (INFO run_id).
    pub run_id: String,
    /// Replication id (INFO master_replid).
    pub replid: String,
    pub used_memory_startup: u64,
    pub used_memory_peak: u64,
    /// Objects queued for freeing on the pool and not freed yet, and those
    /// freed there since start (INFO lazyfree_pending_objects, lazyfreed_objects).
    pub lazyfree_pending: usize,
    pub lazyfreed: usize,
    pub pubsub: crate::pubsub::PubSub,
    /// The client whose command is running (out of its slab slot), its
    /// protocol, and output produced for it by others meanwhile (pub/sub
    /// messages), spliced in front of the command's reply.
    pub running_client: Option<usize>,
    pub running_client_resp: u8,
    pub running_client_out: Vec<u8>,
    /// The running client touched a key it watches.
    pub running_client_dirty_cas: bool,
    /// Output for the running client to append after its reply (its own
    /// MONITOR lines).
    pub running_client_after: Vec<u8>,
    /// Bytes of pushed messages spliced in front of the current top-level
    /// command's reply (kept when the reply itself is suppressed).
    pushed_len: usize,
    pub watched_keys: crate::multi::WatchedKeys,
    pub blocking: crate::blocking::BlockingState,
    pub slowlog: crate::slowlog::SlowLog,
    pub latency: crate::latency::LatencyMonitor,
    /// Clients in MONITOR mode.
    pub monitors: Vec<usize>,
    pub tracking: crate::tracking::Tracking,
    /// Client id -> slab key, for redirection and lookups by id.
    pub clients_by_id: HashMap<u64, usize>,
    pub running_client_id: Option<u64>,
    pub running_client_subscribed: bool,
    /// The pause in force, the strictest of `pauses`: (end time in ms, all
    /// commands or writes only).
    pub pause: Option<(i64, bool)>,
    /// Each purpose's pause, set and lifted on its own (Redis's
    /// client_pause_per_purpose): CLIENT UNPAUSE does not end a
    /// failover's pause.
    pauses: [Option<(i64, bool)>; 3],
    /// Clients whose next command waits for the pause to end.
    postponed: Vec<usize>,
    /// EXEC is running its queue: blocking commands must not block.
    pub in_exec: bool,
    /// A blocked client's command is being re-run: not counted again.
    pub reprocessing: bool,
    /// The maxmemory-policy family, cached for the lookup path.
    pub policy: crate::evict::Policy,
    /// RDB saves: the running BGSAVE, save points, INFO persistence.
    pub persist: crate::snapshot::Persistence,
    /// Set while an RDB file loads: commands without the `loading` flag get -LOADING.
    pub loading: Option<Box<crate::loading::Loading>>,
    pub load_stats: crate::loading::LoadStats,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE and loading skip the CRC.
    pub skip_checksum_validation: bool,
    /// systemd or upstart, told when the server is ready (`supervised`).
    pub supervisor: Option<crate::supervise::Supervisor>,
    /// Lua: the EVAL script cache, function libraries, the running script.
    pub scripting: crate::scripting::Scripting,
    /// maxmemory eviction: pool, cached memory figure, OOM state.
    pub evict: crate::evict::Evictor,
    /// Ops of the running command on their way to the AOF.
    pub prop: crate::propagate::Propagation,
    /// The append-only file.
    pub aof: crate::aof::Aof,
    /// Replication, master side.
    pub repl: crate::replication::Master,
    /// Replication, replica side: the link with our master.
    pub link: crate::replica::MasterLink,
}

impl Server {
    pub fn new(cfg: Config) -> io::Result<Server> {
        let reactor = Reactor::new()?;
        let bio = Bio::new(4, reactor.waker());
        crate::logging::use_pool(bio.pool());
        let table = Table::build();
        let ndb = cfg.databases.max(1);
        let now = mstime();
        let stats = Stats {
            cmds: vec![CmdStats::default(); table.cmds.len()],
            ..Default::default()
        };
        let hz = cfg.hz;
        set_jemalloc_bg_thread(cfg.jemalloc_bg_thread);
        Ok(Server {
            dbs: (0..ndb).map(Db::new).collect(),
            table,
            clients: Slab::new(),
            stats,
            bio,
            reactor,
            listeners: Vec::new(),
            next_listener_key: 0,
            next_client_id: 1,
            now_ms: now,
            cmd_time_ms: now,
            lru_clock: lru_clock_at(now),
            start: Instant::now(),
            hz,
            cronloops: 0,
            next_cron: Instant::now(),
            dirty: 0,
            pending_writes: Vec::new(),
            events: Vec::new(),
            expire_timelimit_exit: false,
            expire_next_db: 0,
            clients_cron_pos: 0,
            active_expire_enabled: true,
            shutdown_asap: false,
            shutdown_by_sigint: false,
            shutdown_wait: None,
            sigterm: Arc::new(AtomicBool::new(false)),
            sigint: Arc::new(AtomicBool::new(false)),
            signal_rx: None,
            pid: std::process::id(),
            executable: std::env::current_exe().unwrap_or_default(),
            tcp_port: 0,
            exit_code: None,
            rng: rand::make_rng(),
            policy: crate::evict::Policy::from_name(&cfg.maxmemory_policy),
            persist: Default::default(),
            loading: None,
            load_stats: Default::default(),
            skip_checksum_validation: false,
            supervisor: None,
            pubsub: Default::default(),
            running_client: None,
            running_client_resp: 2,
            running_client_out: Vec::new(),
            running_client_dirty_cas: false,
            pushed_len: 0,
            running_client_after: Vec::new(),
            watched_keys: Default::default(),
            blocking: Default::default(),
            slowlog: Default::default(),
            latency: Default::default(),
            monitors: Vec::new(),
            tracking: Default::default(),
            clients_by_id: HashMap::new(),
            running_client_id: None,
            running_client_subscribed: false,
            pause: None,
            pauses: [None; 3],
            postponed: Vec::new(),
            in_exec: false,
            reprocessing: false,
            lastsave_unix: now / 1000,
            run_id: random_hex(40),
            replid: random_hex(40),
            used_memory_startup: 0,
            used_memory_peak: 0,
            lazyfree_pending: 0,
            lazyfreed: 0,
            scripting: crate::scripting::Scripting::new(),
            evict: crate::evict::Evictor::default(),
            prop: Default::default(),
            aof: Default::default(),
            repl: Default::default(),
            link: crate::replica::MasterLink::new(cfg.replicaof.is_some()),
            cfg,
        })
    }

    /// Binds every configured address and the unix socket.
    pub fn listen(&mut self) -> io::Result<()> {
        let tcp = self.tcp_listeners()?;
        self.listeners.extend(tcp);
        if let Some(path) = self.cfg.unixsocket.clone() {
            let _ = std::fs::remove_file(&path);
            let l = crate::net::unix_listener(&path, self.cfg.unixsocketperm)?;
            let key = self.listener_key();
            let reg = self.reactor.register(l, key, false)?;
            self.listeners.push((key, Listener::Unix(reg)));
        }
        if self.listeners.is_empty() {
            return Err(io::Error::other("Configured to not listen anywhere, exiting."));
        }
        self.tcp_port = self.cfg.port;
        Ok(())
    }

    /// A poller key for a new listener, distinct from those in use.
    fn listener_key(&mut self) -> usize {
        loop {
            let key = KEY_LISTENER_BASE + self.next_listener_key % (KEY_SIGNAL - KEY_LISTENER_BASE);
            self.next_listener_key += 1;
            if !self.listeners.iter().any(|(k, _)| *k == key) {
                return key;
            }
        }
    }

    /// Opens TCP listeners for `bind` and `port` (none for port 0). Redis 7
    /// skips an address that is not available on this host (with or
    /// without the optional `-` prefix) or whose protocol is unsupported;
    /// any other failure is fatal.
    fn tcp_listeners(&mut self) -> io::Result<Vec<(usize, Listener)>> {
        let port = self.cfg.port;
        let mut out = Vec::new();
        if port == 0 {
            return Ok(out);
        }
        for b in self.cfg.bind.clone().iter() {
            let addr = b.strip_prefix('-').unwrap_or(b);
            match crate::net::tcp_listener(addr, port, self.cfg.tcp_backlog) {
                Ok(l) => {
                    let key = self.listener_key();
                    let reg = self.reactor.register(l, key, false)?;
                    out.push((key, Listener::Tcp(reg)));
                }
                Err((op, e)) => {
                    warn!(
                        "Warning: Could not create server TCP listening socket {}:{}: {}: {}",
                        addr,
                        port,
                        op,
                        crate::net::strerror(&e)
                    );
                    if !crate::net::is_skippable_bind_error(&e) {
                        return Err(io::Error::new(
                            e.kind(),
                            format!("Failed listening on port {port} (TCP), aborting."),
                        ));
                    }
                }
            }
        }
        if out.is_empty() {
            return Err(io::Error::other(format!(
                "Failed listening on port {port} (TCP), aborting."
            )));
        }
        Ok(out)
    }

    /// Replaces the TCP listeners after CONFIG SET port/bind; the old ones
    /// stay if the new ones cannot be opened.
    pub fn rebind(&mut self) -> io::Result<()> {
        let new = self.tcp_listeners()?;
        self.listeners.retain(|(_, l)| matches!(l, Listener::Unix(_)));
        self.listeners.extend(new);
        self.tcp_port = self.cfg.port;
        Ok(())
    }

    /// CONFIG RESETSTAT: zeroes the counters INFO reports.
    pub fn reset_stats(&mut self) {
        self.stats = Stats {
            cmds: vec![CmdStats::default(); self.stats.cmds.len()],
            ..Default::default()
        };
    }

    /// Routes SIGTERM and SIGINT into the loop through a socket pair.
    pub fn install_signal_handlers(&mut self) -> io::Result<()> {
        let (rx, tx) = UnixStream::pair()?;
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        signal_hook::flag::register(signal_hook::consts::SIGTERM, self.sigterm.clone())?;
        signal_hook::flag::register(signal_hook::consts::SIGINT, self.sigint.clone())?;
        // A file-size limit (RLIMIT_FSIZE) must fail the write with EFBIG,
        // handled like a full disk, instead of killing the server.
        signal_hook::flag::register(signal_hook::consts::SIGXFSZ, Arc::new(AtomicBool::new(false)))?;
        let tx2 = tx.try_clone()?;
        signal_hook::low_level::pipe::register(signal_hook::consts::SIGTERM, tx)?;
        signal_hook::low_level::pipe::register(signal_hook::consts::SIGINT, tx2)?;
        self.signal_rx = Some(self.reactor.register(rx, KEY_SIGNAL, false)?);
        Ok(())
    }

    /// Runs the event loop until shutdown; returns the process exit code.
    pub fn run(&mut self) -> i32 {
        self.next_cron = Instant::now();
        loop {
            self.before_sleep();
            if let Some(code) = self.exit_code {
                return code;
            }
            let mut timeout = self.next_cron.saturating_duration_since(Instant::now());
            // Clients unblocked after the unblocked ones were processed
            // (WAIT, WAITAOF) run their pipelined commands next turn.
            if self.loading.is_some() || self.evict.pending || !self.blocking.unblocked.is_empty() {
                timeout = Duration::ZERO;
            }
            if let Some(t) = self.snapshot_poll_timeout() {
                timeout = timeout.min(t);
            }
            if let Some(t) = self.bulk_poll_timeout() {
                timeout = timeout.min(t);
            }
            if let Some(at) = self
                .blocking
                .next_deadline()
                .into_iter()
                .chain(self.pause.map(|p| p.0))
                .min()
            {
                let ms = (at - mstime()).max(0) as u64;
                timeout = timeout.min(Duration::from_millis(ms));
            }
            let mut events = std::mem::take(&mut self.events);
            if let Err(e) = self.reactor.poll(Some(timeout), |k, r, w| events.push((k, r, w))) {
                warn!("Poller error: {}", e);
            }
            self.update_time();
            for (key, readable, writable) in events.drain(..) {
                self.handle_event(key, readable, writable);
            }
            self.events = events;
            for done in self.bio.take_completions() {
                done(self);
            }
            if Instant::now() >= self.next_cron {
                self.cron();
            }
        }
    }

    pub fn update_time(&mut self) {
        self.now_ms = mstime();
        self.cmd_time_ms = self.now_ms;
    }

    fn handle_event(&mut self, key: usize, readable: bool, writable: bool) {
        if key == KEY_SIGNAL {
            self.handle_signals();
        } else if (KEY_LISTENER_BASE..KEY_SIGNAL).contains(&key) {
            self.accept(key);
        } else if key == crate::replica::KEY_MASTER_LINK {
            self.master_link_event(readable, writable);
        } else {
            if readable {
                self.client_readable(key);
            }
            if writable {
                self.client_writable(key);
            }
        }
    }

    fn handle_signals(&mut self) {
        if let Some(rx) = &self.signal_rx {
            let mut buf = [0u8; 64];
            while matches!(io::Read::read(&mut rx.get(), &mut buf), Ok(n) if n > 0) {}
        }
        for (flag, name) in [(self.sigterm.clone(), "SIGTERM"), (self.sigint.clone(), "SIGINT")] {
            if !flag.swap(false, Ordering::SeqCst) {
                continue;
            }
            if self.shutdown_asap && name == "SIGINT" {
                warn!("You insist... exiting now.");
                crate::logging::flush();
                std::process::exit(1);
            }
            // Redis writes this line from its signal handler, in this form.
            crate::logging::raw(&format!(
                "{}:signal-handler ({}) Received {} scheduling shutdown...\n",
                self.pid,
                mstime() / 1000,
                name
            ));
            self.shutdown_asap = true;
            self.shutdown_by_sigint = name == "SIGINT";
        }
    }

    // ---- connections ----------------------------------------------------

    fn accept(&mut self, key: usize) {
        for _ in 0..MAX_ACCEPTS_PER_CALL {
            let accepted = match self.listeners.iter().find(|(k, _)| *k == key).map(|(_, l)| l) {
                Some(Listener::Tcp(l)) => l.get().accept().map(|(s, a)| (Stream::Tcp(s), Some(a))),
                Some(Listener::Unix(l)) => l.get().accept().map(|(s, _)| (Stream::Unix(s), None)),
                None => return,
            };
            match accepted {
                Ok((stream, peer)) => self.new_client(stream, peer),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    warn!("Accepting client connection: {}", e);
                    return;
                }
            }
        }
    }

    fn new_client(&mut self, stream: Stream, peer: Option<std::net::SocketAddr>) {
        let unix = peer.is_none();
        if let Err(e) = crate::net::prepare_client_socket(&stream, self.cfg.tcp_keepalive) {
            warn!("Error configuring client socket: {}", e);
            return;
        }
        if self.clients.len() >= self.cfg.maxclients as usize {
            self.stats.rejected_conn += 1;
            crate::net::write_and_drop(stream, b"-ERR max number of clients reached\r\n");
            return;
        }
        let loopback = peer
            .map(|p| p.ip().is_loopback() || is_mapped_loopback(p.ip()))
            .unwrap_or(true);
        if self.cfg.protected_mode && self.cfg.requirepass.is_none() && !loopback {
            self.stats.rejected_conn += 1;
            crate::net::write_and_drop(stream, PROTECTED_MODE_ERR);
            return;
        }
        let laddr = crate::net::local_addr_string(&stream, self.cfg.unixsocket.as_deref());
        let key = self.clients.vacant_key();
        let conn = match self.reactor.register(stream, key, false) {
            Ok(c) => c,
            Err(e) => {
                warn!("Error registering fd event for the new client: {}", e);
                return;
            }
        };
        let id = self.next_client_id;
        self.next_client_id += 1;
        let mut st = ClientState::new(id, key, self.now_ms);
        st.authenticated = self.cfg.requirepass.is_none();
        st.addr = match peer {
            Some(p) => crate::net::format_addr(p),
            None => format!("{}:0", self.cfg.unixsocket.as_deref().unwrap_or("")),
        };
        st.laddr = laddr;
        st.unix_socket = unix;
        let c = Box::new(Client::new(conn, st));
        let fd = c.raw_fd();
        self.clients.insert(Some(c));
        self.clients_by_id.insert(id, key);
        if let Some(Some(c)) = self.clients.get_mut(key) {
            c.st.fd = fd;
        }
        self.stats.numconnections += 1;
        debug!("Accepted {}", self.client_addr(key));
    }

    /// Turns the link with our master into a client whose commands are
    /// applied (replicationCreateMasterClient); `leftover` is stream
    /// already read, run at once.
    pub fn add_master_client(&mut self, stream: std::net::TcpStream, db: usize, leftover: Vec<u8>) -> Option<usize> {
        let peer = stream.peer_addr().ok();
        let stream = Stream::Tcp(stream);
        let laddr = crate::net::local_addr_string(&stream, None);
        let key = self.clients.vacant_key();
        let conn = match self.reactor.register(stream, key, false) {
            Ok(c) => c,
            Err(e) => {
                warn!("Error registering fd event for the master client: {}", e);
                return None;
            }
        };
        let id = self.next_client_id;
        self.next_client_id += 1;
        let mut st = ClientState::new(id, key, self.now_ms);
        st.authenticated = true;
        st.master = true;
        st.db = db;
        st.addr = peer.map(crate::net::format_addr).unwrap_or_default();
        st.laddr = laddr;
        let mut c = Box::new(Client::new(conn, st));
        c.st.fd = c.raw_fd();
        c.qlen = leftover.len();
        c.querybuf = leftover;
        if c.qlen > 0 {
            self.link.read_reploff = self.link.read_reploff.saturating_add(c.qlen as i64);
        }
        self.clients.insert(None);
        self.clients_by_id.insert(id, key);
        self.link.master_key = Some(key);
        self.process_input(&mut c);
        self.put_back(key, c);
        Some(key)
    }

    fn client_addr(&self, key: usize) -> String {
        match self.clients.get(key) {
            Some(Some(c)) => c.st.addr.clone(),
            _ => String::new(),
        }
    }

    /// Frees a client now (Redis's freeClient): forgets everything that
    /// refers to it, then closes its connection.
    pub fn close_client(&mut self, key: usize) {
        if let Some(Some(mut c)) = self.clients.try_remove(key) {
            self.forget_client(key, &mut c);
        }
    }

    /// A client in its slot went over its output limit: close it soon.
    pub fn close_for_output_limit(&mut self, key: usize) {
        if let Some(Some(mut c)) = self.clients.get_mut(key).map(Option::take) {
            self.drop_output_over_limit(&mut c);
            self.put_back(key, c);
        }
    }

    /// Drops a client's pending output and marks it to be closed before
    /// the loop sleeps, as Redis's closeClientOnOutputBufferLimitReached.
    fn drop_output_over_limit(&mut self, c: &mut Client) {
        let info = crate::cmd::client::client_line(self, &c.st, self.now_ms);
        warn!("Client {info} scheduled to be closed ASAP for overcoming of output buffer limits.");
        c.st.reply.buf = Vec::new();
        c.sent = 0;
        c.st.close_asap = true;
    }

    /// Closes a client that is out of its slot (its commands were running).
    fn close_taken_client(&mut self, key: usize, mut c: Box<Client>) {
        self.forget_client(key, &mut c);
        self.clients.try_remove(key);
    }

    fn forget_client(&mut self, key: usize, c: &mut Client) {
        self.clients_by_id.remove(&c.st.id);
        self.disable_tracking(c.st.id);
        self.forget_blocked(key, &mut c.st);
        if c.st.monitor {
            self.monitors.retain(|&m| m != key);
        }
        if c.st.postponed {
            self.postponed.retain(|&p| p != key);
            self.blocking.count -= 1;
        }
        self.pubsub_forget_client(key, &c.st.subs);
        self.unwatch_all(key, &mut c.st.watched);
        if c.st.is_replica() {
            info!(
                "Connection with replica {} lost.",
                crate::replication::replica_name(&c.st)
            );
            self.forget_replica(key);
        }
        if c.st.master {
            self.master_client_lost();
        }
        self.repl.waiting.retain(|&k| k != key);
    }

    fn client_readable(&mut self, key: usize) {
        let Some(mut c) = self.clients.get_mut(key).and_then(|s| s.take()) else {
            return;
        };
        let before = c.qlen;
        self.stats.reads_processed += 1;
        match c.read() {
            ReadOutcome::Data => {
                let n = (c.qlen - before) as u64;
                c.st.last_interaction_ms = self.now_ms;
                // The master's stream is counted apart, as in Redis 7.0.
                if c.st.master {
                    self.link.read_reploff = self.link.read_reploff.saturating_add(n as i64);
                    self.stats.net_repl_input_bytes += n;
                } else {
                    self.stats.net_input_bytes += n;
                }
                if !c.st.master && c.qlen > self.cfg.client_query_buffer_limit as usize {
                    warn!(
                        "Closing client that reached max query buffer length: addr={} qbuf={} (qbuf initial bytes: {:?})",
                        c.st.addr,
                        c.qlen,
                        String::from_utf8_lossy(&c.query()[..c.qlen.min(64)])
                    );
                    self.stats.client_qbuf_limit_disconnections += 1;
                    self.close_taken_client(key, c);
                    return;
                }
                self.process_input(&mut c);
                let limits = self.cfg.client_output_buffer_limit;
                if c.output_limit_reached(&limits, self.now_ms) {
                    self.drop_output_over_limit(&mut c);
                }
            }
            ReadOutcome::WouldBlock => {}
            ReadOutcome::Closed => {
                debug!("Client closed connection id={} addr={}", c.st.id, c.st.addr);
                self.close_taken_client(key, c);
                return;
            }
            ReadOutcome::Error(e) => {
                debug!("Reading from client: {}", e);
                self.close_taken_client(key, c);
                return;
            }
        }
        if let Err(e) = c.conn.rearm_if_oneshot() {
            warn!("Error re-arming client fd: {}", e);
        }
        self.put_back(key, c);
    }

    /// Returns a client to its slot after its commands ran, queueing its
    /// output for the next before-sleep.
    pub fn put_back(&mut self, key: usize, mut c: Box<Client>) {
        if c.st.close_after_reply && !c.has_pending_output() {
            c.st.close_asap = true;
        }
        // The pending-writes pass also closes clients marked for closing.
        if (c.st.close_asap || c.has_pending_output()) && !c.pending_write {
            c.pending_write = true;
            self.pending_writes.push(key);
        }
        if let Some(slot) = self.clients.get_mut(key) {
            *slot = Some(c);
        }
    }

    fn client_writable(&mut self, key: usize) {
        self.write_client(key);
    }

    /// Parses and runs every complete command in the query buffer.
    fn process_input(&mut self, c: &mut Client) {
        let limits = Limits {
            authenticated: c.st.authenticated,
            proto_max_bulk_len: self.cfg.proto_max_bulk_len,
        };
        c.st.qbuf_len = c.qlen;
        c.st.qbuf_cap = c.querybuf.len();
        // The master's stream: where the bytes of the next command start.
        let mut applied_from = c.parser.consumed();
        loop {
            if c.st.close_after_reply || c.st.close_asap || c.st.blocked.is_some() || c.st.postponed {
                break;
            }
            let Client {
                querybuf,
                qlen,
                parser,
                st,
                ..
            } = c;
            match parser.parse(&querybuf[..*qlen], limits) {
                Parsed::Command => {
                    let argv = parser.argv(&querybuf[..*qlen]);
                    if self.must_postpone(st, &argv) {
                        // Left in the buffer, to run when the pause ends.
                        parser.rewind_command();
                        st.postponed = true;
                        self.postponed.push(st.key);
                        self.blocking.count += 1;
                        break;
                    }
                    self.process_command(st, argv);
                    parser.command_done();
                    if st.master {
                        let end = parser.consumed();
                        self.master_applied(st, &querybuf[applied_from..end]);
                        applied_from = end;
                    }
                }
                Parsed::Incomplete => break,
                Parsed::Error(e) => {
                    let msg = e.message();
                    if log::log_enabled!(log::Level::Debug) {
                        let info = crate::cmd::client::client_line(self, st, self.now_ms);
                        let dump = crate::resp::protocol_dump(&querybuf[parser.consumed()..*qlen]);
                        debug!("Protocol error ({}) from client: {}. {}", e.log_reason(), info, dump);
                    }
                    st.reply.error_line(format!("ERR {msg}").as_bytes());
                    self.stats.record_error(b"ERR");
                    st.close_after_reply = true;
                    break;
                }
            }
        }
        if c.st.master && c.parser.consumed() > applied_from {
            // Bytes consumed without a command (empty lines) are stream too.
            let end = c.parser.consumed();
            self.master_applied(&mut c.st, &c.querybuf[applied_from..end]);
        }
        c.trim_querybuf();
    }

    /// Redis's processCommand: lookup, arity, authentication, then call.
    /// Replies of a client in CLIENT REPLY OFF/SKIP mode are dropped here,
    /// whatever path produced them.
    pub fn process_command(&mut self, st: &mut ClientState, argv: Argv) {
        let reply_start = st.reply.buf.len();
        let subscription = argv.len() > 0 && is_subscription_command(argv.get(0));
        self.pushed_len = 0;
        let replica = st.is_replica();
        self.dispatch(st, argv);
        if st.master {
            // Our master gets no replies (an ACK is sent on its own).
            st.reply.buf.truncate(reply_start);
        } else if replica && st.reply.buf.len() > reply_start {
            // A reply would land inside the replication stream (Redis
            // 7.0 closes such a replica too).
            st.reply.buf.truncate(reply_start);
            warn!(
                "Replica {} generated a reply to command; closing it",
                crate::replication::replica_name(st)
            );
            st.close_asap = true;
        }
        // Judged after the command, as Redis checks the flags when a reply
        // is added: CLIENT REPLY ON and RESET clear them and are answered.
        // Pushes (pub/sub messages, subscription confirmations) are always
        // delivered.
        if (st.reply_off || st.reply_skip) && !subscription {
            st.reply.buf.truncate(reply_start + self.pushed_len);
        }
        st.reply_skip = std::mem::take(&mut st.reply_skip_next);
        // CLIENT CACHING applies to the next command only, whatever became
        // of it, unless that is another CLIENT command or a MULTI queue.
        if !self.tracking.clients.is_empty() && st.multi.is_none() && !argv.get(0).eq_ignore_ascii_case(b"client") {
            if let Some(m) = self.tracking.clients.get_mut(&st.id) {
                m.caching = false;
            }
        }
        // Clients blocked on keys this command wrote are served before the
        // next command runs, as Redis does.
        if self.blocking.has_ready() && !self.scripting.running() {
            self.handle_clients_blocked_on_keys();
        }
    }

    fn dispatch(&mut self, st: &mut ClientState, argv: Argv) {
        let Some(id) = self.table.resolve(&argv) else {
            self.reject_unknown(st, &argv);
            return;
        };
        let cmd = self.table.cmds[id as usize];
        // A command with subcommands reached without a known one: a bare
        // container is an arity error, an unknown name is rejected (even
        // for COMMAND, which also runs on its own).
        let unknown_sub = !cmd.subcommands.is_empty() && argv.len() >= 2 && self.table.parent[id as usize].is_none();
        if cmd.handler.is_none() || unknown_sub {
            if argv.len() < 2 {
                let msg = format!("ERR wrong number of arguments for '{}' command", cmd.name);
                self.reject(st, id, &msg);
            } else {
                let sub = crate::cmd::arg_text(argv.get(1));
                let msg = format!(
                    "ERR unknown subcommand '{}'. Try {} HELP.",
                    sub,
                    cmd.name.to_uppercase()
                );
                self.reject(st, id, &msg);
            }
            return;
        }
        let n = argv.len() as i32;
        if (cmd.arity > 0 && n != cmd.arity) || n < -cmd.arity {
            let msg = format!(
                "ERR wrong number of arguments for '{}' command",
                self.table.full_names[id as usize]
            );
            self.reject(st, id, &msg);
            return;
        }
        if !st.authenticated && !cmd.has(flags::NO_AUTH) {
            self.reject(st, id, "NOAUTH Authentication required.");
            return;
        }
        // A MONITOR connection is a replica to Redis: no keyspace access.
        if st.monitor && cmd.has(flags::WRITE | flags::READONLY | flags::MAY_REPLICATE) {
            self.reject(st, id, "ERR Replica can't interact with the keyspace");
            return;
        }
        // As Redis's processCommand: evict first, refuse after (the one
        // check the no-limit path pays).
        if self.cfg.maxmemory > 0 && !st.master && self.maxmemory_refuses(st, id, &argv) {
            self.reject(st, id, crate::evict::OOM_ERROR);
            return;
        }
        let is_write = cmd.has(flags::WRITE) || self.exec_queue_has(st, id, flags::WRITE);
        if (self.rdb_denies_writes() || self.aof.error().is_some()) && !st.master && (is_write || cmd.name == "ping") {
            let msg = match self.aof_denies_writes() {
                Some(m) if !self.rdb_denies_writes() => m,
                _ => MISCONF.to_string(),
            };
            self.reject(st, id, &msg);
            return;
        }
        // Not enough good replicas (min-replicas-to-write): writes, an
        // EXEC that queued one, a script that declares writes.
        if !self.good_replicas_ok()
            && (cmd.has(flags::WRITE)
                || self.exec_queue_has(st, id, flags::WRITE)
                || self.script_declares_writes(cmd.name, &argv))
        {
            self.reject(st, id, crate::replication::NOREPLICAS);
            return;
        }
        if self.has_master()
            && self.cfg.replica_read_only
            && !st.master
            && (is_write || self.script_declares_writes(cmd.name, &argv))
        {
            self.reject(st, id, "READONLY You can't write against a read only replica.");
            return;
        }
        if st.reply.resp == 2 && st.subs.active() && !allowed_when_subscribed(cmd.name, self.table.parent[id as usize])
        {
            let msg = format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                self.table.full_names[id as usize]
            );
            self.reject(st, id, &msg);
            return;
        }
        if self.has_master()
            && !st.master
            && !self.master_link_up()
            && !self.cfg.replica_serve_stale_data
            && (!cmd.has(flags::STALE) || self.exec_queue_lacks(st, id, flags::STALE))
        {
            self.reject(
                st,
                id,
                "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
            );
            return;
        }
        if self.loading.is_some() && !cmd.has(flags::LOADING) {
            self.reject(st, id, "LOADING Redis is loading the dataset in memory");
            return;
        }
        // A script past busy-reply-threshold is running: only commands
        // flagged allow_busy run (processEventsWhileBlocked in Redis).
        if self.scripting.busy() && !cmd.has(flags::ALLOW_BUSY) {
            let msg = self.busy_error();
            self.reject(st, id, msg);
            return;
        }
        if let Some(m) = &mut st.multi {
            if !crate::cmd::transactions::runs_inside_multi(cmd.name) || self.table.parent[id as usize].is_some() {
                if cmd.has(flags::NO_MULTI) {
                    self.reject(st, id, "ERR Command not allowed inside a transaction");
                    return;
                }
                m.queue.push((id, crate::resp::OwnedArgv::from_argv(&argv)));
                st.reply.raw(b"+QUEUED\r\n");
                return;
            }
        }
        self.call(st, id, argv);
    }

    /// An EXEC whose queue holds a command with `flag` counts as having it
    /// (a write, a DENYOOM command).
    fn exec_queue_has(&self, st: &ClientState, id: CmdId, flag: u64) -> bool {
        self.table.cmds[id as usize].name == "exec"
            && st
                .multi
                .as_ref()
                .is_some_and(|m| m.queue.iter().any(|(q, _)| self.table.cmds[*q as usize].has(flag)))
    }

    /// An EXEC whose queue holds a command without `flag` (Redis's
    /// cmd_inv_flags).
    fn exec_queue_lacks(&self, st: &ClientState, id: CmdId, flag: u64) -> bool {
        self.table.cmds[id as usize].name == "exec"
            && st
                .multi
                .as_ref()
                .is_some_and(|m| m.queue.iter().any(|(q, _)| !self.table.cmds[*q as usize].has(flag)))
    }

    /// Evicts down to `maxmemory`; true if the command must get -OOM: it
    /// may grow memory (DENYOOM, an EXEC queueing one, or anything queued
    /// in MULTI except EXEC/DISCARD/QUIT/RESET) and nothing could be evicted.
    /// Not while a script is busy: its caller already passed the check.
    fn maxmemory_refuses(&mut self, st: &ClientState, id: CmdId, argv: &Argv) -> bool {
        if self.scripting.busy() {
            return false;
        }
        let oom = self.perform_evictions() == crate::evict::Outcome::Fail;
        self.evict.oom = oom;
        if !oom {
            return false;
        }
        let cmd = self.table.cmds[id as usize];
        let queued = st.multi.is_some() && !matches!(cmd.name, "exec" | "discard" | "quit" | "reset");
        queued
            || cmd.has(flags::DENYOOM)
            || self.exec_queue_has(st, id, flags::DENYOOM)
            || self.script_denies_oom(cmd.name, argv)
    }

    /// EVAL*/FCALL* of a script with declared flags count as DENYOOM
    /// unless it declares allow-oom or no-writes (Redis's
    /// scriptFlagsToCmdFlags).
    fn script_denies_oom(&self, name: &str, argv: &Argv) -> bool {
        use crate::scripting::sflags;
        self.eval_script_flags(name, argv)
            .is_some_and(|f| f & (sflags::EVAL_COMPAT | sflags::ALLOW_OOM | sflags::NO_WRITES) == 0)
    }

    /// EVAL*/FCALL* of a script that declared flags without no-writes
    /// count as writes (Redis's scriptFlagsToCmdFlags).
    fn script_declares_writes(&self, name: &str, argv: &Argv) -> bool {
        use crate::scripting::sflags;
        self.eval_script_flags(name, argv)
            .is_some_and(|f| f & (sflags::EVAL_COMPAT | sflags::NO_WRITES) == 0)
    }

    /// The flags of the script an EVAL*/FCALL* runs (`EVAL_COMPAT` for a
    /// script without a shebang or one not found).
    fn eval_script_flags(&self, name: &str, argv: &Argv) -> Option<u64> {
        use crate::scripting::sflags;
        if argv.len() < 2 {
            return None;
        }
        let flags = match name {
            "eval" | "eval_ro" => crate::scripting::parse_shebang(argv.get(1)).map_or(sflags::EVAL_COMPAT, |f| f.0),
            "evalsha" | "evalsha_ro" => {
                let sha = String::from_utf8_lossy(argv.get(1)).to_lowercase();
                self.scripting
                    .scripts
                    .get(&sha)
                    .map_or(sflags::EVAL_COMPAT, |s| s.flags)
            }
            "fcall" | "fcall_ro" => self
                .scripting
                .functions
                .find(argv.get(1))
                .map_or(sflags::EVAL_COMPAT, |f| f.flags & !sflags::EVAL_COMPAT),
            _ => return None,
        };
        Some(flags)
    }

    fn reject_unknown(&mut self, st: &mut ClientState, argv: &Argv) {
        let mut args = String::new();
        for a in argv.iter().skip(1) {
            if args.len() >= 128 {
                break;
            }
            let room = 128 - args.len();
            let a = crate::cmd::cstr(a);
            let s = String::from_utf8_lossy(&a[..a.len().min(room)]).into_owned();
            args.push('\'');
            args.push_str(&s);
            args.push_str("' ");
        }
        let msg = format!(
            "ERR unknown command '{}', with args beginning with: {}",
            crate::cmd::arg_text(argv.get(0)),
            args
        );
        st.reply.error_line(msg.as_bytes());
        self.stats.record_error(msg.as_bytes());
        abort_transaction(st);
    }

    /// An error before the command ran: counted as a rejected call, and
    /// fatal to a transaction being queued. A refused EXEC discards the
    /// transaction, saying why (Redis's execCommandAbort).
    fn reject(&mut self, st: &mut ClientState, id: CmdId, msg: &str) {
        self.stats.cmds[id as usize].rejected_calls += 1;
        if self.table.cmds[id as usize].name == "exec" && self.table.parent[id as usize].is_none() {
            let reason = msg.strip_prefix("ERR ").unwrap_or(msg);
            let abort = format!("EXECABORT Transaction discarded because of: {reason}");
            st.reply.error_line(abort.as_bytes());
            self.stats.record_error(abort.as_bytes());
            st.multi = None;
            let mut watched = std::mem::take(&mut st.watched);
            self.unwatch_all(st.key, &mut watched);
            st.dirty_cas = false;
            return;
        }
        st.reply.error_line(msg.as_bytes());
        self.stats.record_error(msg.as_bytes());
        abort_transaction(st);
    }

    /// Redis's call(): runs the handler and accounts for it.
    pub fn call(&mut self, st: &mut ClientState, id: CmdId, argv: Argv) {
        let cmd = self.table.cmds[id as usize];
        let Some(handler) = cmd.handler else {
            return;
        };
        // As Redis sets c->cmd before calling: CLIENT LIST sees this command.
        st.last_cmd = Some(id);
        st.argv_mem = argv.iter().map(<[u8]>::len).sum();
        st.reply_peak = st.reply_peak.max(st.reply.buf.capacity());
        let outer = (
            self.running_client.replace(st.key),
            std::mem::replace(&mut self.running_client_resp, st.reply.resp),
            std::mem::take(&mut self.running_client_out),
            std::mem::take(&mut self.running_client_dirty_cas),
            self.running_client_id.replace(st.id),
            std::mem::replace(&mut self.running_client_subscribed, st.subs.active()),
        );
        let reply_start = st.reply.buf.len();
        let started = Instant::now();
        let dirty_before = self.dirty;
        let offset_before = self.repl.offset;
        self.prop.depth += 1;
        let mut ctx = Ctx {
            srv: self,
            c: st,
            argv,
            cmd,
            id,
            failed: false,
            prop: Default::default(),
            force_prop: 0,
        };
        handler(&mut ctx);
        let (failed, prop, force) = (ctx.failed, ctx.prop, ctx.force_prop);
        let elapsed = started.elapsed();
        // A write goes everywhere; a forced op only where it was forced to.
        let targets = if self.dirty > dirty_before {
            crate::propagate::ALL
        } else {
            force
        };
        self.propagate_command(st.db, &argv, prop, targets);
        self.prop.depth -= 1;
        let counted = !self.reprocessing && !self.aof.replaying;
        // While this client still counts as the running one, so that a
        // monitor's own command comes back to it after the reply.
        if counted && !st.block_requested {
            self.after_call(st, cmd, &argv, elapsed);
        }
        let for_me = std::mem::replace(&mut self.running_client_out, outer.2);
        if !for_me.is_empty() {
            // Only pushes at the very front of the reply survive suppression
            // (those spliced inside an EXEC reply are part of it).
            if outer.0.is_none() {
                self.pushed_len += for_me.len();
            }
            st.reply.buf.splice(reply_start..reply_start, for_me);
        }
        if !self.running_client_after.is_empty() {
            st.reply.buf.append(&mut self.running_client_after);
        }
        if std::mem::replace(&mut self.running_client_dirty_cas, outer.3) {
            st.dirty_cas = true;
        }
        self.running_client = outer.0;
        self.running_client_resp = outer.1;
        self.running_client_id = outer.4;
        self.running_client_subscribed = outer.5;
        if !self.tracking.clients.is_empty() {
            self.after_call_tracking(st, id, &argv, outer.0.is_none());
        }
        if counted {
            let s = &mut self.stats.cmds[id as usize];
            s.calls += 1;
            s.usec += elapsed.as_micros() as u64;
            if self.cfg.latency_tracking {
                s.latency.get_or_insert_default().record(elapsed.as_nanos() as u64);
            }
            if failed {
                s.failed_calls += 1;
            }
            self.stats.numcommands += 1;
        }
        st.last_interaction_ms = self.now_ms;
        if self.prop.depth == 0 {
            self.propagate_pending();
            if self.repl.offset != offset_before {
                st.woff = self.repl.offset;
            }
        }
    }

    /// What Redis does after a command ran: slow log, latency monitor,
    /// MONITOR feed.
    fn after_call(&mut self, st: &ClientState, cmd: &crate::cmd::Command, argv: &Argv, elapsed: Duration) {
        let us = elapsed.as_micros() as u64;
        let redact = crate::slowlog::redacted_args(cmd.name, argv);
        if !cmd.has(flags::SKIP_SLOWLOG) {
            let threshold = self.cfg.latency_monitor_threshold;
            let ms = (us / 1000) as i64;
            if threshold > 0 && ms >= threshold {
                let event = if cmd.has(flags::FAST) {
                    "fast-command"
                } else {
                    "command"
                };
                self.latency.add_sample(event, self.now_ms / 1000, ms as u64);
            }
            let name = st.name.as_deref().unwrap_or(b"");
            self.slowlog.push(
                self.cfg.slowlog_log_slower_than,
                self.cfg.slowlog_max_len as usize,
                argv,
                &redact,
                us,
                &st.addr,
                name,
            );
        }
        if !self.monitors.is_empty() && !cmd.has(flags::SKIP_MONITOR | flags::ADMIN) {
            self.feed_monitors(st, argv, &redact);
        }
    }

    /// Client-side caching after a command: remember the keys a tracking
    /// client read, and deliver the client's own invalidations after its
    /// reply (top level only).
    fn after_call_tracking(&mut self, st: &mut ClientState, id: CmdId, argv: &Argv, top: bool) {
        let cmd = self.table.cmds[id as usize];
        if self.tracking.clients.contains_key(&st.id) && cmd.has(flags::READONLY) {
            let args: Vec<&[u8]> = argv.iter().collect();
            let keys: Vec<&[u8]> = crate::cmd::command::get_keys(cmd, cmd.name, &args)
                .into_iter()
                .filter_map(|(i, _)| args.get(i).copied())
                .collect();
            self.tracking_remember_keys(st.id, &keys);
        }
        if top {
            self.tracking_flush_pending(st);
        }
    }

    /// Sends `+<time> [<db> <peer>] "arg" ...` to every MONITOR client.
    pub fn feed_monitors(&mut self, st: &ClientState, argv: &Argv, redact: &[usize]) {
        let us = ustime();
        let peer = if st.unix_socket {
            format!("unix:{}", self.cfg.unixsocket.as_deref().unwrap_or(""))
        } else {
            st.addr.clone()
        };
        let mut line = format!("+{}.{:06} [{} {}]", us / 1_000_000, us % 1_000_000, st.db, peer);
        for (j, a) in argv.iter().enumerate() {
            line.push(' ');
            if redact.contains(&j) {
                line.push_str("\"(redacted)\"");
            } else {
                line.push_str(&crate::config::repr(a));
            }
        }
        line.push_str("\r\n");
        for key in self.monitors.clone() {
            if self.running_client == Some(key) {
                // A monitor sees its own command after the reply to it.
                self.running_client_after.extend_from_slice(line.as_bytes());
            } else {
                self.write_to_client(key, |r| r.raw(line.as_bytes()));
            }
        }
    }

    // ---- output ----------------------------------------------------------

    fn write_client(&mut self, key: usize) {
        // No reply leaves before the writes it acknowledges reach the AOF.
        if !self.aof.buf.is_empty() {
            self.aof_flush(false);
        }
        let Some(Some(c)) = self.clients.get_mut(key) else {
            return;
        };
        if c.st.close_asap {
            self.close_client(key);
            return;
        }
        self.stats.writes_processed += 1;
        let now = self.now_ms / 1000;
        let counter = if c.st.is_replica() {
            &mut self.stats.net_repl_output_bytes
        } else {
            &mut self.stats.net_output_bytes
        };
        let res = c.write_pending(MAX_WRITE_PER_TURN);
        if let (Ok((_, done)), Some(r)) = (&res, c.st.repl.as_deref_mut()) {
            r.last_partial_write = if *done { 0 } else { now };
        }
        match res {
            Ok((written, true)) => {
                *counter += written as u64;
                if c.st.close_after_reply {
                    self.close_client(key);
                    return;
                }
                if let Err(e) = c.conn.set_writable(false) {
                    warn!("Error updating write interest: {}", e);
                }
            }
            Ok((written, false)) => {
                *counter += written as u64;
                if let Err(e) = c.conn.set_writable(true) {
                    warn!("Error installing write handler: {}", e);
                    self.close_client(key);
                }
            }
            Err(e) => {
                debug!("Error writing to client: {}", e);
                self.close_client(key);
            }
        }
    }

    fn before_sleep(&mut self) {
        if self.active_expire_enabled && self.pause.is_none() && self.loading.is_none() {
            self.active_expire_cycle(true);
        }
        if self.pause.is_some_and(|(end, _)| end <= mstime()) {
            self.unpause_expired();
        }
        self.handle_blocked_timeouts();
        self.handle_clients_blocked_on_keys();
        self.process_unblocked_clients();
        self.tracking_broadcast();
        self.snapshot_step();
        if self.loading.is_some() {
            self.loading_step();
        }
        self.replication_before_sleep();
        if self.link.failover.state == crate::replica::FailoverState::WaitForSync {
            self.update_failover_status();
        }
        if self.cfg.maxmemory > 0 {
            // A round cut short by the time limit goes on here, as
            // Redis's evictionTimeProc.
            if self.evict.pending {
                self.perform_evictions();
            }
        }
        // The AOF is written (and with `always` fsynced) now, so WAITAOF
        // clients whose writes that covered are answered in this turn.
        self.aof_flush(false);
        if self.aof_update_fsynced() && !self.repl.waiting.is_empty() {
            self.process_clients_waiting_replicas();
        }
        self.flush_pending_writes();
    }

    /// Writes the replies queued for clients straight to their sockets.
    fn flush_pending_writes(&mut self) {
        self.aof_flush(false);
        let pending = std::mem::take(&mut self.pending_writes);
        for key in pending.iter().copied() {
            let Some(Some(c)) = self.clients.get_mut(key) else {
                continue;
            };
            if !c.pending_write {
                continue;
            }
            c.pending_write = false;
            self.write_client(key);
        }
        let mut pending = pending;
        pending.clear();
        if self.pending_writes.is_empty() {
            self.pending_writes = pending;
        }
    }

    /// Redis's processEventsWhileBlocked, called from the busy-script hook:
    /// accepts, reads and answers other clients (whose commands are
    /// refused with BUSY unless allowed) without running timers, blocked
    /// clients or anything else that could change the dataset under the
    /// script. The running client is out of its slot, so its own events
    /// are left for later.
    pub fn process_events_while_blocked(&mut self) {
        let pushed = self.pushed_len;
        let mut events = Vec::new();
        if let Err(e) = self
            .reactor
            .poll(Some(Duration::ZERO), |k, r, w| events.push((k, r, w)))
        {
            warn!("Poller error: {}", e);
        }
        self.now_ms = mstime();
        for (key, readable, writable) in events {
            self.handle_event(key, readable, writable);
        }
        self.flush_pending_writes();
        self.pushed_len = pushed;
    }

    /// Whether CLIENT PAUSE holds this command back: every command in ALL
    /// mode; in WRITE mode those that write or may replicate (an EXEC
    /// counts as the commands it queued).
    fn must_postpone(&mut self, st: &ClientState, argv: &Argv) -> bool {
        if self.pause.is_some_and(|(end, _)| end <= mstime()) {
            self.unpause_expired();
        }
        let Some((_, all)) = self.pause else { return false };
        let Some(id) = self.table.resolve(argv) else {
            return false;
        };
        if all {
            return true;
        }
        let writes = |id: CmdId| self.table.cmds[id as usize].has(flags::WRITE | flags::MAY_REPLICATE);
        match &st.multi {
            Some(m) if self.table.cmds[id as usize].name == "exec" => m.queue.iter().any(|(q, _)| writes(*q)),
            _ => writes(id),
        }
    }

    /// Holds commands back until `end_ms` for `purpose` (a longer or
    /// stricter pause of the same purpose wins).
    pub fn pause_clients(&mut self, purpose: PausePurpose, end_ms: i64, all: bool) {
        let slot = &mut self.pauses[purpose as usize];
        *slot = Some(match *slot {
            Some((e, a)) => (e.max(end_ms), a || all),
            None => (end_ms, all),
        });
        self.update_pause();
    }

    /// Ends `purpose`'s pause.
    pub fn unpause(&mut self, purpose: PausePurpose) {
        self.pauses[purpose as usize] = None;
        self.update_pause();
    }

    /// Ends the pauses whose time is up.
    fn unpause_expired(&mut self) {
        let now = mstime();
        for p in &mut self.pauses {
            if p.is_some_and(|(end, _)| end <= now) {
                *p = None;
            }
        }
        self.update_pause();
    }

    /// The strictest pause in force; when it got laxer (none, or writes
    /// only after all), postponed clients try their commands again and
    /// those still held back wait anew.
    fn update_pause(&mut self) {
        let was = self.pause;
        self.pause = self.pauses.iter().flatten().fold(None, |acc, &(e, a)| match acc {
            None => Some((e, a)),
            Some((e0, a0)) => Some((e0.max(e), a0 || a)),
        });
        let laxer = matches!((was, self.pause), (Some(_), None) | (Some((_, true)), Some((_, false))));
        if laxer {
            self.release_postponed();
        }
    }

    /// Postponed clients run their waiting commands.
    fn release_postponed(&mut self) {
        for key in std::mem::take(&mut self.postponed) {
            if let Some(Some(c)) = self.clients.get_mut(key) {
                if c.st.postponed {
                    c.st.postponed = false;
                    self.blocking.count -= 1;
                    self.blocking.unblocked.push(key);
                }
            }
        }
    }

    /// Runs the commands unblocked clients had pipelined behind their
    /// blocking command.
    fn process_unblocked_clients(&mut self) {
        while !self.blocking.unblocked.is_empty() {
            for key in std::mem::take(&mut self.blocking.unblocked) {
                let Some(Some(mut c)) = self.clients.get_mut(key).map(Option::take) else {
                    continue;
                };
                if c.st.blocked.is_none() && c.qlen > 0 {
                    self.process_input(&mut c);
                }
                self.put_back(key, c);
            }
        }
    }

    // ---- cron ------------------------------------------------------------

    fn cron(&mut self) {
        let hz = self.hz.clamp(1, 500);
        self.next_cron += Duration::from_micros(1_000_000 / hz as u64);
        let now = Instant::now();
        if self.next_cron < now {
            self.next_cron = now + Duration::from_micros(1_000_000 / hz as u64);
        }
        self.update_time();
        self.lru_clock = lru_clock_at(self.now_ms);
        if self.cfg.maxmemory > 0 {
            // Frees on the pool reach the eviction estimate from here.
            self.evict.sync();
        }
        if self.run_with_period(100) {
            // The peak is sampled here as in Redis's cron, so a spike shows
            // in INFO / MEMORY STATS even if nobody asked during it.
            let used = crate::info::mem_stats_allocated();
            self.used_memory_peak = self.used_memory_peak.max(used);
            let now_ms = self.now_ms;
            let vals = [
                self.stats.numcommands,
                self.stats.net_input_bytes,
                self.stats.net_output_bytes,
                self.stats.net_repl_input_bytes,
                self.stats.net_repl_output_bytes,
            ];
            for (m, v) in self.stats.inst.iter_mut().zip(vals) {
                m.track(v, now_ms);
            }
        }
        self.shutdown_cron();
        self.clients_cron();
        self.databases_cron();
        self.save_cron();
        self.aof_cron();
        self.replication_cron();
        if self.run_with_period(1000) {
            self.replica_cron();
        }
        self.tracking_limit_table();
        self.cronloops += 1;
    }

    /// True once every `ms` milliseconds of cron time (Redis's run_with_period).
    fn run_with_period(&self, ms: u64) -> bool {
        let period = 1000 / self.hz.clamp(1, 500) as u64;
        ms <= period || self.cronloops.is_multiple_of(ms / period)
    }

    /// Redis's clientsCron: visits a slice of the clients per call (all of
    /// them once a second), closes those idle past `timeout`, and gives
    /// back the buffers of clients idle for a while, so that many idle
    /// connections cost little memory.
    fn clients_cron(&mut self) {
        let numclients = self.clients.len();
        if numclients == 0 {
            return;
        }
        let maxidle_ms = self.cfg.timeout as i64 * 1000;
        let iterations = (numclients / self.hz.max(1) as usize).max(5).min(numclients);
        let start = self.clients_cron_pos;
        let mut visited = 0;
        let mut idle = Vec::new();
        let now = self.now_ms;
        for (key, slot) in self.clients.iter_mut().skip_while(|(k, _)| *k < start) {
            if visited == iterations {
                break;
            }
            visited += 1;
            self.clients_cron_pos = key + 1;
            let Some(c) = slot else { continue };
            let idle_ms = now - c.st.last_interaction_ms;
            // Blocked clients wait as long as their command says, and
            // subscribers wait for messages: neither is idle.
            // Replicas only talk when they ACK; repl-timeout covers them.
            if maxidle_ms > 0
                && idle_ms > maxidle_ms
                && c.st.blocked.is_none()
                && !c.st.subs.active()
                && !c.st.is_replica()
                && !c.st.master
            {
                idle.push(key);
            } else if idle_ms > 2000 {
                c.release_idle_buffers();
            }
        }
        if visited < iterations {
            self.clients_cron_pos = 0;
        }
        for key in idle {
            debug!("Closing idle client");
            self.close_client(key);
        }
    }

    fn databases_cron(&mut self) {
        // Expiring keys is a write: it waits out a CLIENT PAUSE, and a load
        // (Redis runs no timers while it loads).
        if self.active_expire_enabled && self.pause.is_none() && self.loading.is_none() {
            self.active_expire_cycle(false);
        }
        for db in self.dbs.iter_mut() {
            db.shrink_and_rehash(None);
        }
        if self.cfg.activerehashing {
            let budget = Duration::from_micros(1000);
            for db in self.dbs.iter_mut() {
                if db.shrink_and_rehash(Some(budget)) {
                    break;
                }
            }
        }
    }

    // ---- shutdown --------------------------------------------------------

    /// Redis's prepareForShutdown: shuts down at once, or, unless `now`,
    /// first gives lagging replicas up to `shutdown-timeout` seconds to
    /// catch up, with writes paused, so that they lose nothing.
    pub fn start_shutdown(&mut self, flags: ShutdownFlags) -> ShutdownStart {
        if self.shutdown_wait.is_some() {
            return ShutdownStart::Waiting;
        }
        warn!("User requested shutdown...");
        if !flags.now && self.cfg.shutdown_timeout != 0 && !self.ready_to_shutdown() {
            let deadline = self.now_ms.saturating_add(i64::from(self.cfg.shutdown_timeout) * 1000);
            self.shutdown_wait = Some((flags, deadline));
            // During a pause the offset must not move (a failover counts
            // on it), so GETACK goes out only if none is in force.
            if self.pause.is_none() {
                self.send_getack_to_replicas();
            }
            self.pause_clients(PausePurpose::Shutdown, i64::MAX, false);
            info!("Waiting for replicas before shutting down.");
            return ShutdownStart::Waiting;
        }
        match self.finish_shutdown(flags) {
            Ok(()) => ShutdownStart::Exit,
            Err(()) => ShutdownStart::Failed,
        }
    }

    /// Redis's isReadyToShutdown: every replica acknowledged the whole
    /// stream.
    fn ready_to_shutdown(&self) -> bool {
        let end = self.repl.offset;
        self.replicas_iter()
            .all(|st| st.repl.as_ref().is_some_and(|r| r.ack_off == end))
    }

    /// From cron: a signal's shutdown starts; a waiting one ends once the
    /// replicas caught up or its time is up.
    fn shutdown_cron(&mut self) {
        if self.exit_code.is_some() {
            return;
        }
        let done = match self.shutdown_wait {
            None if self.shutdown_asap => {
                let bits = if self.shutdown_by_sigint {
                    self.cfg.shutdown_on_sigint
                } else {
                    self.cfg.shutdown_on_sigterm
                };
                self.start_shutdown(ShutdownFlags::from_bits(bits)) == ShutdownStart::Exit
            }
            None => false,
            Some((flags, deadline)) => {
                (self.now_ms >= deadline || self.ready_to_shutdown()) && self.finish_shutdown(flags).is_ok()
            }
        };
        if done {
            self.exit_code = Some(0);
        }
    }

    /// SHUTDOWN ABORT: false if no shutdown was asked for.
    pub fn abort_shutdown(&mut self) -> bool {
        if self.shutdown_wait.is_some() {
            self.cancel_shutdown();
        } else if self.shutdown_asap {
            // A signal asked, and cron has not started it yet.
            self.shutdown_asap = false;
        } else {
            return false;
        }
        info!("Shutdown manually aborted.");
        true
    }

    /// Redis's cancelShutdown: back to serving, and the clients blocked in
    /// SHUTDOWN get an error.
    fn cancel_shutdown(&mut self) {
        self.shutdown_asap = false;
        self.shutdown_wait = None;
        let waiting: Vec<usize> = self
            .clients
            .iter()
            .filter(|(_, c)| {
                c.as_ref()
                    .and_then(|c| c.st.blocked.as_ref())
                    .is_some_and(|b| b.on_timeout == crate::blocking::TimeoutReply::Shutdown)
            })
            .map(|(k, _)| k)
            .collect();
        for key in waiting {
            let Some(Some(mut c)) = self.clients.get_mut(key).map(Option::take) else {
                continue;
            };
            self.unblock(&mut c, Some(crate::blocking::Unblocked::ShutdownFailed));
            self.put_back(key, c);
        }
        self.unpause(PausePurpose::Shutdown);
    }

    /// Logs the replicas that have not acknowledged the whole stream
    /// (finishShutdown's report).
    fn log_lagging_replicas(&self) {
        let end = self.repl.offset;
        let now = self.now_ms / 1000;
        let (mut total, mut lagging) = (0, 0);
        for st in self.replicas_iter() {
            let Some(r) = st.repl.as_deref() else { continue };
            total += 1;
            if r.ack_off == end {
                continue;
            }
            lagging += 1;
            let state = r.state.map_or("wait_bgsave", crate::replication::ReplState::name);
            let lag = if r.state == Some(crate::replication::ReplState::Online) {
                now - r.ack_time
            } else {
                0
            };
            info!(
                "Lagging replica {} reported offset {} behind master, lag={}, state={}.",
                crate::replication::replica_name(st),
                end - r.ack_off,
                lag,
                state
            );
        }
        if total > 0 {
            info!(
                "{} of {} replicas are in sync when shutting down.",
                total - lagging,
                total
            );
        }
    }

    /// Redis's finishShutdown: the final steps before exit. On failure the
    /// shutdown is cancelled and the server keeps running.
    pub fn finish_shutdown(&mut self, flags: ShutdownFlags) -> Result<(), ()> {
        self.log_lagging_replicas();
        if let Err(why) = self.shutdown_steps(flags) {
            warn!("{why}");
            warn!("Errors trying to shut down the server. Check the logs for more information.");
            self.cancel_shutdown();
            return Err(());
        }
        Ok(())
    }

    /// Stops children, syncs the AOF, saves, removes the pid and socket
    /// files and closes the listeners.
    fn shutdown_steps(&mut self, flags: ShutdownFlags) -> Result<(), &'static str> {
        // A half-loaded dataset must never overwrite the file it came from.
        let nosave = flags.nosave || self.loading.is_some();
        let save = flags.save && self.loading.is_none();
        if self.persist.rdb_save_running() {
            warn!("There is a child saving an .rdb. Killing it!");
            self.kill_bgsave();
        }
        if self.aof.state != crate::aof::AofState::Off {
            if self.persist.aof_rewrite_running() {
                // Without a first base the AOF does not hold the dataset yet.
                if self.aof.state == crate::aof::AofState::WaitRewrite {
                    if !flags.force {
                        return Err("Writing initial AOF, can't exit.");
                    }
                    warn!("Writing initial AOF. Exit anyway.");
                }
                warn!("There is a child rewriting the AOF. Killing it!");
                self.kill_bgsave();
            }
            info!("Calling fsync() on the AOF file.");
            self.aof_flush_and_sync();
        }
        if (!self.cfg.save.is_empty() && !nosave) || save {
            info!("Saving the final RDB snapshot before exiting.");
            if self.rdb_save().is_err() {
                if flags.force {
                    warn!("Error trying to save the DB. Exit anyway.");
                } else {
                    return Err("Error trying to save the DB, can't exit.");
                }
            }
        }
        if let Some(p) = &self.cfg.pidfile {
            info!("Removing the pid file.");
            let _ = std::fs::remove_file(p);
        }
        if let Some(p) = &self.cfg.unixsocket {
            info!("Removing the unix socket file.");
            let _ = std::fs::remove_file(p);
        }
        self.flush_all_output();
        self.listeners.clear();
        warn!("Redis is now ready to exit, bye bye...");
        Ok(())
    }

    /// Last chance to deliver replies before the process exits.
    fn flush_all_output(&mut self) {
        let keys: Vec<usize> = self.clients.iter().map(|(k, _)| k).collect();
        for key in keys {
            if let Some(Some(c)) = self.clients.get_mut(key) {
                let _ = c.write_pending(usize::MAX);
            }
        }
    }

    pub fn announce_ready(&self) {
        info!("Ready to accept connections");
        if let Some(p) = &self.cfg.unixsocket {
            info!("The server is now ready to accept connections at {p}");
        }
        if let Some(s) = self.supervisor {
            crate::supervise::announce_ready(s);
        }
    }

    /// Called by SHUTDOWN: the loop stops after this turn.
    pub fn request_exit(&mut self, code: i32) {
        self.exit_code = Some(code);
    }

    pub fn policy(&self) -> crate::evict::Policy {
        self.policy
    }

    pub fn uptime_secs(&self) -> u64 {
        self.start.elapsed().as_secs()
    }
}

/// jemalloc's background thread purges freed memory off the main thread,
/// so big frees never stall the loop (`jemalloc-bg-thread`, on by default).
pub fn set_jemalloc_bg_thread(on: bool) {
    if let Err(e) = tikv_jemalloc_ctl::background_thread::write(on) {
        warn!("Can't set jemalloc background_thread: {e}");
    }
}

/// `n` random hex characters (run ids, replication ids).
pub fn random_hex(n: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16u32), 16).unwrap_or('0'))
        .collect()
}

pub fn lru_clock_at(now_ms: i64) -> u32 {
    ((now_ms / 1000) as u64 & 0xFF_FFFF) as u32
}

/// Redis's flagTransaction: EXEC will answer EXECABORT.
fn abort_transaction(st: &mut ClientState) {
    if let Some(m) = &mut st.multi {
        m.aborted = true;
    }
}

/// (Un)subscribe commands, whose confirmations are pushes that CLIENT
/// REPLY OFF/SKIP do not suppress.
fn is_subscription_command(name: &[u8]) -> bool {
    [
        &b"subscribe"[..],
        b"unsubscribe",
        b"psubscribe",
        b"punsubscribe",
        b"ssubscribe",
        b"sunsubscribe",
    ]
    .iter()
    .any(|c| name.eq_ignore_ascii_case(c))
}

/// The commands a RESP2 client may run while subscribed.
fn allowed_when_subscribed(name: &str, parent: Option<CmdId>) -> bool {
    parent.is_none()
        && matches!(
            name,
            "ping"
                | "subscribe"
                | "ssubscribe"
                | "unsubscribe"
                | "sunsubscribe"
                | "psubscribe"
                | "punsubscribe"
                | "quit"
                | "reset"
        )
}

fn is_mapped_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(|v4| v4.is_loopback()).unwrap_or(false),
        IpAddr::V4(_) => false,
    }
}

const PROTECTED_MODE_ERR: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";
