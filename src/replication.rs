//! The primary side of replication (the master half of Redis's
//! replication.c): replica clients, the replication stream and its offset,
//! the backlog for partial resyncs, full syncs from a snapshot, REPLCONF
//! ACKs and WAIT.
//!
//! A replica is a client that sent SYNC or PSYNC. A full sync is a BGSAVE
//! (`snapshot::Target::Rdb`, as Redis's disk-based sync writes
//! `dbfilename`): `+FULLRESYNC <replid> <offset>` goes out when the snapshot
//! starts, because the snapshot is the dataset at exactly that offset; the
//! stream produced meanwhile is kept in `ReplClient::pending`; when the file
//! is complete it is sent as `$<len>\r\n<bytes>` a bounded chunk at a time
//! from `before_sleep` (`pump_bulk`), then `pending`, and the replica is
//! online: from then on the stream goes straight to its output buffer.

use crate::client::ClientState;
use crate::propagate;
use crate::resp::OwnedArgv;
use crate::server::Server;
use crate::snapshot::{SockChunk, Target};
use log::{info, warn};
use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;

/// shared.noreplicaserr.
pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
/// Redis's CONFIG_REPL_BACKLOG_MIN_SIZE.
const BACKLOG_MIN_SIZE: usize = 16 * 1024;
/// Bytes of the RDB file read into a replica's output per step; the next
/// chunk is read once the output is below `BULK_HIGH_WATER`.
const BULK_CHUNK: usize = 64 * 1024;
const BULK_HIGH_WATER: usize = 256 * 1024;

/// Redis's SLAVE_STATE_*: where a replica is in its sync.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReplState {
    /// Waiting for a snapshot it can use to start (one for something
    /// else runs).
    WaitBgsaveStart,
    /// Got +FULLRESYNC; the snapshot is being written.
    WaitBgsaveEnd,
    /// The file is being sent.
    SendBulk,
    Online,
}

impl ReplState {
    /// INFO's `state=` (replstateToString).
    pub fn name(self) -> &'static str {
        match self {
            ReplState::WaitBgsaveStart | ReplState::WaitBgsaveEnd => "wait_bgsave",
            ReplState::SendBulk => "send_bulk",
            ReplState::Online => "online",
        }
    }
}

/// Replication data of a client: what REPLCONF told us, and the sync
/// state once it is a replica (`state` set by SYNC/PSYNC).
#[derive(Default)]
pub struct ReplClient {
    pub state: Option<ReplState>,
    pub listening_port: i64,
    pub ip_address: Option<String>,
    pub capa_eof: bool,
    pub capa_psync2: bool,
    /// Sent SYNC, not PSYNC: no +FULLRESYNC line and no ACKs expected.
    pub pre_psync: bool,
    pub ack_off: i64,
    /// The stream offset its AOF fsynced (`REPLCONF ACK <off> FACK <aofoff>`).
    pub ack_aof_off: i64,
    /// Unix seconds of the last ACK (INFO's lag).
    pub ack_time: i64,
    /// The offset the full sync's snapshot stands for.
    pub initial_offset: i64,
    /// The stream produced while the snapshot is written and sent.
    pub pending: Vec<u8>,
    /// The file being sent and the bytes of it left.
    bulk: Option<(File, u64)>,
    /// Its full sync streams the RDB to the socket (diskless).
    pub socket: bool,
    /// Unix seconds of the last write that left output pending, 0 once all
    /// was written (repl_last_partial_write): a replica that stops reading
    /// a diskless transfer is dropped after `repl-timeout`.
    pub last_partial_write: i64,
    /// Online after a diskless sync: the stream collected in `pending`
    /// starts at its first REPLCONF ACK, so nothing follows the RDB's end
    /// mark before the replica loaded it (repl_start_cmd_stream_on_ack).
    pub stream_on_ack: bool,
}

impl ClientState {
    /// The client is a replica (Redis's CLIENT_SLAVE).
    pub fn is_replica(&self) -> bool {
        self.repl.as_ref().is_some_and(|r| r.state.is_some())
    }

    pub fn repl_mut(&mut self) -> &mut ReplClient {
        self.repl.get_or_insert_with(Default::default)
    }
}

/// The circular backlog of the last `repl-backlog-size` bytes of the stream.
#[derive(Default)]
pub struct Backlog {
    buf: VecDeque<u8>,
    /// Offset of the first byte in `buf` (Redis's repl_backlog->offset).
    pub offset: i64,
}

impl Backlog {
    pub fn histlen(&self) -> i64 {
        self.buf.len() as i64
    }

    /// Bytes allocated for the backlog (MEMORY STATS replication.backlog).
    pub fn mem_bytes(&self) -> usize {
        self.buf.capacity()
    }

    fn append(&mut self, bytes: &[u8], size: usize) {
        self.buf.extend(bytes);
        let size = size.max(BACKLOG_MIN_SIZE);
        if self.buf.len() > size {
            let drop = self.buf.len() - size;
            self.buf.drain(..drop);
            self.offset = self.offset.saturating_add(drop as i64);
        }
    }

    /// The bytes from stream offset `from` to the end, if held.
    fn since(&self, from: i64) -> Option<Vec<u8>> {
        let skip = from.checked_sub(self.offset)?;
        if skip < 0 || skip > self.histlen() {
            return None;
        }
        Some(self.buf.range(skip as usize..).copied().collect())
    }
}

/// A diskless transfer in progress: the writer's chunks and the replicas
/// they go to (rdb_pipe_conns).
pub struct Diskless {
    rx: std::sync::mpsc::Receiver<SockChunk>,
    targets: Vec<usize>,
    /// The writer's last chunk (or its hang-up) was taken.
    drained: bool,
    /// The `End` mark came: the stream is whole.
    complete: bool,
    /// The writer's result, once its completion ran.
    writer_ok: Option<bool>,
}

/// Server-wide master state.
pub struct Master {
    pub replid2: String,
    /// The last offset + 1 `replid2` is valid for (second_replid_offset).
    pub second_offset: i64,
    /// Bytes sent into the stream so far (master_repl_offset).
    pub offset: i64,
    pub backlog: Option<Backlog>,
    /// The db the stream last selected; -1 forces a SELECT (slaveseldb).
    pub seldb: i64,
    /// Replica clients (slab keys) in the order they became replicas.
    pub replicas: Vec<usize>,
    /// WAIT clients (slab keys).
    pub waiting: Vec<usize>,
    /// A WAIT blocked: ask replicas for an ACK before sleeping.
    pub get_ack: bool,
    /// Replicas the stream could not reach (they were running a command):
    /// their stream has a hole, so they are closed.
    broken: Vec<usize>,
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    /// `dbfilename` was last written to feed replicas (Redis's
    /// RDBGeneratedByReplication), for `rdb-del-sync-files`.
    rdb_for_replication: bool,
    /// Online replicas whose last ACK is at most `min-replicas-max-lag`
    /// old (repl_good_slaves_count), refreshed by the cron, when a
    /// replica goes online or away, and on CONFIG SET.
    pub good_replicas: usize,
    /// Unix seconds since when no replica is attached
    /// (repl_no_slaves_since), for `repl-backlog-ttl`.
    pub no_replicas_since: i64,
    pub diskless: Option<Diskless>,
    /// Replicas whose first ACK after a diskless sync starts their stream.
    start_stream: Vec<usize>,
}

impl Master {
    /// An empty backlog starting after the current offset.
    pub fn create_backlog(&mut self) {
        self.backlog = Some(Backlog {
            buf: VecDeque::new(),
            offset: self.offset.saturating_add(1),
        });
    }
}

impl Default for Master {
    fn default() -> Self {
        Master {
            replid2: "0".repeat(40),
            second_offset: -1,
            offset: 0,
            backlog: None,
            seldb: -1,
            replicas: Vec::new(),
            waiting: Vec::new(),
            get_ack: false,
            broken: Vec::new(),
            sync_full: 0,
            sync_partial_ok: 0,
            sync_partial_err: 0,
            rdb_for_replication: false,
            good_replicas: 0,
            no_replicas_since: crate::server::mstime() / 1000,
            diskless: None,
            start_stream: Vec::new(),
        }
    }
}

/// The address a replica announced (REPLCONF ip-address), else the one it
/// connects from.
pub fn replica_ip(st: &ClientState) -> &str {
    st.repl
        .as_deref()
        .and_then(|r| r.ip_address.as_deref())
        .unwrap_or_else(|| peer_ip(&st.addr))
}

/// `ip:port` of a replica for log lines (replicationGetSlaveName).
pub fn replica_name(st: &ClientState) -> String {
    let ip = replica_ip(st);
    match st.repl.as_deref().map_or(0, |r| r.listening_port) {
        0 => format!("{ip}:<unknown-replica-port>"),
        p => format!("{ip}:{p}"),
    }
}

/// The ip of an `ip:port` peer address (IPv6 included).
pub fn peer_ip(addr: &str) -> &str {
    addr.rsplit_once(':').map_or(addr, |(ip, _)| ip)
}

impl Server {
    /// Redis's replicationFeedSlaves: appends a command to the stream (a
    /// SELECT first when `db` is not the one the stream is in; `None` for
    /// PING and GETACK, which apply to no db).
    pub fn repl_feed(&mut self, db: Option<usize>, argv: &OwnedArgv) {
        // A replica's replicas get its master's stream as it is (see
        // `master_applied`), nothing of its own.
        if self.has_master() {
            return;
        }
        if self.repl.backlog.is_none() && self.repl.replicas.is_empty() {
            // Nothing to feed, but the offset still counts the op, one per
            // op as Redis 7.2: WAITAOF tracks fsyncs by offset on a server
            // without replicas too. No PSYNC can use these offsets: a
            // backlog, when one is created, starts after them (and a freed
            // one took a new replication id with it).
            self.repl.offset = self.repl.offset.saturating_add(1);
            return;
        }
        let mut bytes = Vec::new();
        if let Some(db) = db {
            if self.repl.seldb != db as i64 {
                let n = db.to_string();
                crate::aof::cat_command(&mut bytes, [&b"SELECT"[..], n.as_bytes()].into_iter());
                self.repl.seldb = db as i64;
            }
        }
        let v = argv.view();
        crate::aof::cat_command(&mut bytes, v.iter().collect::<Vec<_>>().into_iter());
        self.repl_feed_bytes(&bytes);
    }

    pub fn repl_feed_bytes(&mut self, bytes: &[u8]) {
        self.repl.offset = self.repl.offset.saturating_add(bytes.len() as i64);
        let size = usize::try_from(self.cfg.repl_backlog_size).unwrap_or(usize::MAX);
        if let Some(b) = &mut self.repl.backlog {
            b.append(bytes, size);
        }
        let limits = self.cfg.client_output_buffer_limit;
        let now = self.now_ms;
        for i in 0..self.repl.replicas.len() {
            let key = self.repl.replicas[i];
            let Some(Some(c)) = self.clients.get_mut(key) else {
                self.repl.broken.push(key);
                continue;
            };
            let Some(r) = c.st.repl.as_deref_mut() else { continue };
            match r.state {
                // Its stream starts at the offset of the snapshot it gets.
                Some(ReplState::WaitBgsaveStart) | None => continue,
                Some(ReplState::WaitBgsaveEnd | ReplState::SendBulk) => r.pending.extend_from_slice(bytes),
                Some(ReplState::Online) if r.stream_on_ack => r.pending.extend_from_slice(bytes),
                Some(ReplState::Online) => c.st.reply.raw(bytes),
            }
            c.queue_write(&mut self.pending_writes);
            if c.output_limit_reached(&limits, now) {
                self.close_for_output_limit(key);
            }
        }
    }

    /// The op of a finished execution unit going to replicas.
    pub fn repl_propagate(&mut self, db: usize, argv: &OwnedArgv) {
        self.repl_feed(Some(db), argv);
    }

    /// SYNC / PSYNC from `c` (syncCommand). Replies, or leaves the reply
    /// to when the snapshot starts.
    pub fn repl_sync(&mut self, c: &mut ClientState, psync: Option<(&[u8], i64)>) {
        info!("Replica {} asks for synchronization", replica_name(c));
        if let Some((replid, offset)) = psync {
            if self.try_partial_resync(c, replid, offset) {
                self.repl.sync_partial_ok += 1;
                return;
            }
            if replid != b"?" {
                self.repl.sync_partial_err += 1;
            }
        } else {
            c.repl_mut().pre_psync = true;
        }
        self.repl.sync_full += 1;
        c.repl_mut().state = Some(ReplState::WaitBgsaveStart);
        self.repl.replicas.push(c.key);
        if self.repl.backlog.is_none() && self.repl.replicas.len() == 1 {
            // A backlog made from scratch starts a new history: a new id,
            // and no old one to accept PSYNCs for.
            self.change_replication_id();
            self.repl.create_backlog();
            info!(
                "Replication backlog created, my new replication IDs are '{}' and '{}'",
                self.replid, self.repl.replid2
            );
        }
        let socket_save = self
            .persist
            .bgsave
            .as_ref()
            .is_some_and(|b| matches!(b.target, Target::ReplSockets { .. }));
        let (eof, psync2) = c
            .repl
            .as_deref()
            .map_or((false, false), |r| (r.capa_eof, r.capa_psync2));
        if socket_save || self.repl.diskless.is_some() {
            // Its RDB goes to the sockets of the replicas it started for.
            info!("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
        } else if self.persist.rdb_save_running() {
            // A snapshot for another replica registers the stream since its
            // start: share it (the same offset, a copy of that stream), if
            // this one has every capability that one has.
            let other = self.repl.replicas.iter().find_map(|&k| {
                let r = self.clients.get(k)?.as_ref()?.st.repl.as_deref()?;
                (r.state == Some(ReplState::WaitBgsaveEnd) && (eof || !r.capa_eof) && (psync2 || !r.capa_psync2))
                    .then(|| (r.initial_offset, r.pending.clone()))
            });
            match other {
                Some((offset, pending)) => {
                    c.repl_mut().pending = pending;
                    self.setup_full_resync(c, offset);
                    info!("Waiting for end of BGSAVE for SYNC");
                }
                None => info!("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC"),
            }
        } else if self.cfg.repl_diskless_sync && eof && self.cfg.repl_diskless_sync_delay > 0 {
            // The cron starts it, after waiting for more replicas.
            info!("Delay next BGSAVE for diskless SYNC");
        } else if self.persist.bgsave.is_some() {
            info!("No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
        } else {
            self.start_bgsave_for_replication(Some(c));
        }
    }

    /// Redis's masterTryPartialResynchronization.
    fn try_partial_resync(&mut self, c: &mut ClientState, replid: &[u8], offset: i64) -> bool {
        let ours = replid.eq_ignore_ascii_case(self.replid.as_bytes());
        // The id we had before a promotion serves up to where it ended.
        let previous = replid.eq_ignore_ascii_case(self.repl.replid2.as_bytes());
        if !ours && (!previous || offset > self.repl.second_offset) {
            if replid == b"?" {
                info!("Full resync requested by replica {}", replica_name(c));
            } else if !previous {
                info!(
                    "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')",
                    String::from_utf8_lossy(replid),
                    self.replid,
                    self.repl.replid2
                );
            } else {
                info!(
                    "Partial resynchronization not accepted: Requested offset for second ID was {offset}, but I can reply up to {}",
                    self.repl.second_offset
                );
            }
            return false;
        }
        let Some(data) = self.repl.backlog.as_ref().and_then(|b| b.since(offset)) else {
            info!(
                "Unable to partial resync with replica {} for lack of backlog (Replica request was: {offset}).",
                replica_name(c)
            );
            return false;
        };
        let now = self.now_ms / 1000;
        let r = c.repl_mut();
        r.state = Some(ReplState::Online);
        r.ack_time = now;
        let line = if r.capa_psync2 {
            format!("+CONTINUE {}\r\n", self.replid)
        } else {
            "+CONTINUE\r\n".to_string()
        };
        c.reply.raw(line.as_bytes());
        c.reply.raw(&data);
        self.repl.replicas.push(c.key);
        info!(
            "Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {offset}.",
            replica_name(c),
            data.len()
        );
        // The replica is not in its slot: count it as good here.
        self.refresh_good_replicas();
        if self.cfg.min_replicas_to_write > 0 && self.cfg.min_replicas_max_lag > 0 {
            self.repl.good_replicas += 1;
        }
        true
    }

    /// Starts the BGSAVE for the replicas waiting for one and sends them
    /// +FULLRESYNC (startBgsaveForReplication). `running` is the client
    /// whose command starts it (out of its slab slot).
    fn start_bgsave_for_replication(&mut self, mut running: Option<&mut ClientState>) {
        // The replicas waiting: a socket target when all can take one.
        let waiting = |st: &ClientState| {
            st.repl
                .as_deref()
                .filter(|r| r.state == Some(ReplState::WaitBgsaveStart))
                .map(|r| r.capa_eof)
        };
        let mut keys = Vec::new();
        let mut all_eof = true;
        for &k in &self.repl.replicas {
            let eof = match running.as_deref() {
                Some(c) if c.key == k => waiting(c),
                _ => self
                    .clients
                    .get(k)
                    .and_then(|c| c.as_ref())
                    .and_then(|c| waiting(&c.st)),
            };
            if let Some(eof) = eof {
                keys.push(k);
                all_eof &= eof;
            }
        }
        let socket = self.cfg.repl_diskless_sync && all_eof && !keys.is_empty();
        info!(
            "Starting BGSAVE for SYNC with target: {}",
            if socket { "replicas sockets" } else { "disk" }
        );
        let res = if socket {
            let (tx, rx) = std::sync::mpsc::sync_channel(crate::snapshot::SOCK_CHUNKS_IN_FLIGHT);
            let mark = crate::server::random_hex(40);
            let res = self.start_snapshot_with(Target::ReplSockets { mark }, Some(tx));
            if res.is_ok() {
                info!("Background RDB transfer started by pid {}", self.pid);
                self.repl.diskless = Some(Diskless {
                    rx,
                    targets: keys,
                    drained: false,
                    complete: false,
                    writer_ok: None,
                });
            }
            res
        } else {
            let res = self.rdb_bgsave();
            if res.is_ok() {
                self.repl.rdb_for_replication = true;
            }
            res
        };
        let offset = self.repl.offset;
        for key in self.repl.replicas.clone() {
            let slot_client = match running.as_deref_mut() {
                Some(c) if c.key == key => None,
                _ => Some(key),
            };
            let with = |srv: &mut Server, st: &mut ClientState| {
                if st.repl.as_ref().and_then(|r| r.state) != Some(ReplState::WaitBgsaveStart) {
                    return;
                }
                if let Err(e) = &res {
                    warn!("BGSAVE for replication failed: {e}");
                    st.reply
                        .error_line(b"ERR BGSAVE failed, maybe there is no disk space available?");
                    st.close_after_reply = true;
                    srv.forget_replica(st.key);
                    return;
                }
                srv.setup_full_resync(st, offset);
                st.repl_mut().socket = socket;
            };
            match slot_client {
                None => {
                    if let Some(c) = running.as_deref_mut() {
                        with(self, c);
                    }
                }
                Some(k) => {
                    if let Some(Some(mut c)) = self.clients.get_mut(k).map(Option::take) {
                        with(self, &mut c.st);
                        self.put_back(k, c);
                    }
                }
            }
        }
    }

    /// replicationSetupSlaveForFullResync: the replica gets +FULLRESYNC and
    /// collects the stream from `offset` on.
    fn setup_full_resync(&mut self, c: &mut ClientState, offset: i64) {
        let r = c.repl_mut();
        r.initial_offset = offset;
        r.state = Some(ReplState::WaitBgsaveEnd);
        let pre_psync = r.pre_psync;
        // The replica's db after loading the file is 0: make the stream
        // select its db again.
        self.repl.seldb = -1;
        if !pre_psync {
            c.reply
                .raw(format!("+FULLRESYNC {} {offset}\r\n", self.replid).as_bytes());
        }
    }

    /// A snapshot finished (or was killed: `ok` false): replicas waiting
    /// for it get the file or are closed (updateSlavesWaitingBgsave).
    pub fn repl_bgsave_done(&mut self, ok: bool) {
        for key in self.repl.replicas.clone() {
            let Some(Some(c)) = self.clients.get_mut(key) else {
                continue;
            };
            let Some(r) = c.st.repl.as_deref_mut() else { continue };
            if r.state != Some(ReplState::WaitBgsaveEnd) || (ok && r.socket) {
                continue;
            }
            let file = if ok {
                File::open(&self.cfg.dbfilename).and_then(|f| Ok((f.metadata()?.len(), f)))
            } else {
                Err(std::io::Error::other("the snapshot failed"))
            };
            match file {
                Ok((len, f)) => {
                    r.state = Some(ReplState::SendBulk);
                    r.bulk = Some((f, len));
                    c.st.reply.raw(format!("${len}\r\n").as_bytes());
                    c.queue_write(&mut self.pending_writes);
                }
                Err(e) => {
                    warn!("SYNC failed. BGSAVE child returned an error: {e}");
                    c.st.close_asap = true;
                    c.queue_write(&mut self.pending_writes);
                }
            }
        }
    }

    /// Starts a snapshot for replicas waiting for one, when none runs.
    /// With `repl-diskless-sync`, only once the longest waiting replica
    /// waited `repl-diskless-sync-delay` s, or `repl-diskless-sync-max-replicas`
    /// are waiting (shouldStartChildReplication).
    pub fn repl_start_waiting_sync(&mut self) {
        if self.persist.bgsave.is_some() || self.loading.is_some() || self.repl.diskless.is_some() {
            return;
        }
        let now = self.now_ms;
        let (mut waiting, mut max_idle) = (0i64, 0i64);
        for st in self.replicas_iter() {
            if st.repl.as_ref().and_then(|r| r.state) == Some(ReplState::WaitBgsaveStart) {
                waiting += 1;
                max_idle = max_idle.max(now.saturating_sub(st.last_interaction_ms) / 1000);
            }
        }
        let max = i64::from(self.cfg.repl_diskless_sync_max_replicas);
        if waiting > 0
            && (!self.cfg.repl_diskless_sync
                || (max > 0 && waiting >= max)
                || max_idle >= i64::from(self.cfg.repl_diskless_sync_delay))
        {
            self.start_bgsave_for_replication(None);
        }
    }

    /// The writer of a diskless sync finished (its completion ran).
    pub fn repl_diskless_writer_done(&mut self, ok: bool) {
        if let Some(x) = &mut self.repl.diskless {
            x.writer_ok = Some(ok);
        }
        self.pump_diskless();
    }

    /// Moves the RDB chunks of a diskless sync into the output of its
    /// replicas while all of them are below the high water (the loop
    /// reads the pipe only when every connection drained, as Redis's
    /// rdbPipeReadHandler); at the end the replicas are online, their
    /// stream waiting for their first ACK.
    fn pump_diskless(&mut self) {
        let Some(mut x) = self.repl.diskless.take() else { return };
        x.targets.retain(|&k| {
            self.clients.get(k).and_then(|c| c.as_ref()).is_some_and(|c| {
                c.st.repl
                    .as_deref()
                    .is_some_and(|r| r.socket && r.state == Some(ReplState::WaitBgsaveEnd))
            })
        });
        if x.targets.is_empty() {
            if !x.drained {
                warn!("Diskless rdb transfer, last replica dropped, killing fork child.");
                if self
                    .persist
                    .bgsave
                    .as_ref()
                    .is_some_and(|b| matches!(b.target, Target::ReplSockets { .. }))
                {
                    // Dropping `x` makes the writer's next send fail.
                    drop(x);
                    self.kill_bgsave();
                    self.repl_start_waiting_sync();
                }
            }
            return;
        }
        while !x.drained {
            let full = x.targets.iter().any(|&k| {
                self.clients
                    .get(k)
                    .and_then(|c| c.as_ref())
                    .is_some_and(|c| c.st.reply.buf.len() - c.sent >= BULK_HIGH_WATER)
            });
            if full {
                break;
            }
            match x.rx.try_recv() {
                Ok(SockChunk::Data(chunk)) => {
                    for &k in &x.targets {
                        let Some(Some(c)) = self.clients.get_mut(k) else {
                            continue;
                        };
                        c.st.reply.raw(&chunk);
                        c.queue_write(&mut self.pending_writes);
                    }
                }
                Ok(SockChunk::End) => {
                    x.drained = true;
                    x.complete = true;
                    info!(
                        "Diskless rdb transfer, done reading from pipe, {} replicas still up.",
                        x.targets.len()
                    );
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => x.drained = true,
            }
        }
        let Some(writer_ok) = x.writer_ok.filter(|_| x.drained) else {
            self.repl.diskless = Some(x);
            return;
        };
        // updateSlavesWaitingBgsave for a socket target.
        let ok = writer_ok && x.complete;
        let now = self.now_ms / 1000;
        for &k in &x.targets {
            let Some(Some(c)) = self.clients.get_mut(k) else {
                continue;
            };
            let name = replica_name(&c.st);
            let Some(r) = c.st.repl.as_deref_mut() else { continue };
            if ok {
                info!(
                    "Streamed RDB transfer with replica {name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming"
                );
                r.state = Some(ReplState::Online);
                r.ack_time = now;
                r.stream_on_ack = true;
                info!("Synchronization with replica {name} succeeded");
            } else {
                warn!("SYNC failed. BGSAVE child returned an error");
                c.st.close_asap = true;
                c.queue_write(&mut self.pending_writes);
            }
        }
        self.refresh_good_replicas();
    }

    /// Moves file bytes into the output of replicas receiving the RDB, a
    /// chunk at a time while their output is small (sendBulkToSlave); at
    /// the end, the stream collected meanwhile follows and the replica is
    /// online.
    pub fn pump_bulk(&mut self) {
        let mut online = false;
        for key in self.repl.replicas.clone() {
            let Some(Some(c)) = self.clients.get_mut(key) else {
                continue;
            };
            let Some(r) = c.st.repl.as_deref_mut() else { continue };
            let Some((file, left)) = &mut r.bulk else { continue };
            let mut failed = false;
            while *left > 0 && c.st.reply.buf.len() - c.sent < BULK_HIGH_WATER {
                let want = BULK_CHUNK.min(usize::try_from(*left).unwrap_or(BULK_CHUNK));
                let at = c.st.reply.buf.len();
                c.st.reply.buf.resize(at + want, 0);
                match file.read(&mut c.st.reply.buf[at..]) {
                    Ok(n) if n > 0 => {
                        c.st.reply.buf.truncate(at + n);
                        *left -= n as u64;
                    }
                    res => {
                        c.st.reply.buf.truncate(at);
                        warn!("Read error sending DB to replica: {res:?}");
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                c.st.close_asap = true;
            } else if *left == 0 {
                r.bulk = None;
                r.state = Some(ReplState::Online);
                r.ack_time = self.now_ms / 1000;
                let pending = std::mem::take(&mut r.pending);
                c.st.reply.raw(&pending);
                info!("Synchronization with replica {} succeeded", replica_name(&c.st));
                online = true;
            }
            c.queue_write(&mut self.pending_writes);
        }
        if online {
            self.refresh_good_replicas();
        }
    }

    /// The loop must not sleep while a replica can take more of its file.
    pub fn bulk_poll_timeout(&self) -> Option<std::time::Duration> {
        // A diskless transfer: the writer wakes the loop for each chunk,
        // and a replica that drained its output wakes it as writable.
        self.repl
            .replicas
            .iter()
            .any(|&k| {
                self.clients
                    .get(k)
                    .and_then(|c| c.as_ref())
                    .is_some_and(|c| c.st.repl.as_ref().is_some_and(|r| r.bulk.is_some()) && !c.has_pending_output())
            })
            .then_some(std::time::Duration::ZERO)
    }

    /// A replica client is going away (freeClient).
    pub fn forget_replica(&mut self, key: usize) {
        let before = self.repl.replicas.len();
        self.repl.replicas.retain(|&k| k != key);
        if before > 0 && self.repl.replicas.is_empty() {
            self.repl.no_replicas_since = self.now_ms / 1000;
        }
        self.refresh_good_replicas();
    }

    /// Redis's refreshGoodSlavesCount: online replicas that acked within
    /// `min-replicas-max-lag` seconds (only kept when the feature is on).
    pub fn refresh_good_replicas(&mut self) {
        let (min, lag) = (self.cfg.min_replicas_to_write, self.cfg.min_replicas_max_lag);
        if min == 0 || lag == 0 {
            return;
        }
        let now = self.now_ms / 1000;
        self.repl.good_replicas = self
            .replicas_iter()
            .filter_map(|st| st.repl.as_deref())
            .filter(|r| r.state == Some(ReplState::Online) && now.saturating_sub(r.ack_time) <= i64::from(lag))
            .count();
    }

    /// Redis's checkGoodReplicasStatus: false when `min-replicas-to-write`
    /// is set (with a non-zero `min-replicas-max-lag`) and fewer good
    /// replicas are attached; writes then get -NOREPLICAS. A replica is
    /// not subject to it (its writes come from its master).
    pub fn good_replicas_ok(&self) -> bool {
        let (min, lag) = (self.cfg.min_replicas_to_write, self.cfg.min_replicas_max_lag);
        self.has_master()
            || min == 0
            || lag == 0
            || self.repl.good_replicas >= usize::try_from(min).unwrap_or(usize::MAX)
    }

    /// Redis's changeReplicationId + clearReplicationId2: a new history
    /// (DEBUG CHANGE-REPL-ID, a new backlog, the backlog freed by
    /// `repl-backlog-ttl`).
    pub fn change_replication_id(&mut self) {
        self.replid = crate::server::random_hex(40);
        self.clear_replication_id2();
    }

    /// Redis's clearReplicationId2: no previous history to continue.
    pub fn clear_replication_id2(&mut self) {
        self.repl.replid2 = "0".repeat(40);
        self.repl.second_offset = -1;
    }

    /// REPLCONF ACK from a replica.
    pub fn repl_ack(&mut self, c: &mut ClientState, offset: i64) {
        let now = self.now_ms / 1000;
        let r = c.repl_mut();
        r.ack_off = r.ack_off.max(offset);
        r.ack_time = now;
        if r.stream_on_ack && r.state == Some(ReplState::Online) {
            // replicaStartCommandStream: the replica loaded the RDB. Its
            // stream goes out from before_sleep: output added by its own
            // command would be taken for a reply.
            self.repl.start_stream.push(c.key);
        }
    }

    /// The collected stream of replicas that ACKed after a diskless sync.
    fn start_command_streams(&mut self) {
        for key in std::mem::take(&mut self.repl.start_stream) {
            let Some(Some(c)) = self.clients.get_mut(key) else {
                continue;
            };
            let Some(r) = c.st.repl.as_deref_mut() else { continue };
            if !r.stream_on_ack || r.state != Some(ReplState::Online) {
                continue;
            }
            r.stream_on_ack = false;
            let pending = std::mem::take(&mut r.pending);
            c.st.reply.raw(&pending);
            c.queue_write(&mut self.pending_writes);
        }
    }

    /// Asks every replica for an ACK now (REPLCONF GETACK * in the stream).
    pub fn send_getack_to_replicas(&mut self) {
        let argv = OwnedArgv::from_slices([&b"REPLCONF"[..], b"GETACK", b"*"].into_iter());
        self.repl_feed(None, &argv);
    }

    /// Online replicas that acknowledged `offset` (replicationCountAcksByOffset).
    pub fn replicas_acked(&self, offset: i64) -> i64 {
        self.replicas_iter()
            .filter(|st| {
                st.repl
                    .as_ref()
                    .is_some_and(|r| r.state == Some(ReplState::Online) && r.ack_off >= offset)
            })
            .count() as i64
    }

    /// How many online replicas acknowledged fsyncing `offset` to their
    /// AOF (replicationCountAOFAcksByOffset).
    pub fn replicas_aof_acked(&self, offset: i64) -> i64 {
        self.replicas_iter()
            .filter(|st| {
                st.repl
                    .as_ref()
                    .is_some_and(|r| r.state == Some(ReplState::Online) && r.ack_aof_off >= offset)
            })
            .count() as i64
    }

    /// WAITAOF's reply for `offset`: whether the local AOF fsynced it (0
    /// or 1; never with the AOF off, whose fsynced offset is -1), and how
    /// many replicas did.
    pub fn aof_acks(&self, offset: i64) -> (i64, i64) {
        let local = i64::from(self.aof.fsynced_reploff >= offset);
        (local, self.replicas_aof_acked(offset))
    }

    /// Replica clients in their slots (a running one is skipped).
    pub fn replicas_iter(&self) -> impl Iterator<Item = &ClientState> + '_ {
        self.repl
            .replicas
            .iter()
            .filter_map(|&k| self.clients.get(k).and_then(|c| c.as_ref()).map(|c| &c.st))
    }

    /// From before_sleep: WAITs that are satisfied, the GETACK a new WAIT
    /// asked for, the file of syncing replicas, replicas the stream missed.
    pub fn replication_before_sleep(&mut self) {
        if !self.repl.waiting.is_empty() {
            self.process_clients_waiting_replicas();
        }
        if std::mem::take(&mut self.repl.get_ack) && self.pause.is_none() {
            self.send_getack_to_replicas();
        }
        self.pump_bulk();
        self.pump_diskless();
        if !self.repl.start_stream.is_empty() {
            self.start_command_streams();
        }
        for key in std::mem::take(&mut self.repl.broken) {
            warn!("Closing a replica whose replication stream could not be written");
            if let Some(Some(c)) = self.clients.get_mut(key) {
                c.st.close_asap = true;
                c.queue_write(&mut self.pending_writes);
            } else {
                self.forget_replica(key);
            }
        }
    }

    /// Unblocks WAIT and WAITAOF clients whose replicas (and local AOF)
    /// acknowledged enough (processClientsWaitingReplicas). The list is
    /// rebuilt with the clients still waiting: those that timed out or
    /// were unblocked otherwise drop out here.
    pub fn process_clients_waiting_replicas(&mut self) {
        let mut still = Vec::new();
        for key in std::mem::take(&mut self.repl.waiting) {
            let Some(Some(mut c)) = self.clients.get_mut(key).map(Option::take) else {
                continue;
            };
            match c.st.blocked.as_ref().map(|b| b.on_timeout) {
                Some(crate::blocking::TimeoutReply::Acked { offset, numreplicas }) => {
                    let acked = self.replicas_acked(offset);
                    if acked >= numreplicas {
                        c.st.reply.int(acked);
                        self.unblock(&mut c, None);
                    } else if !still.contains(&key) {
                        still.push(key);
                    }
                }
                Some(crate::blocking::TimeoutReply::AofAcked {
                    offset,
                    numlocal,
                    numreplicas,
                }) => {
                    if numlocal > 0 && !self.cfg.appendonly {
                        // CONFIG SET appendonly no while it waited: the
                        // local fsync it wants will never come.
                        let msg = "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.";
                        c.st.reply.error_line(msg.as_bytes());
                        self.stats.record_error(msg.as_bytes());
                        self.unblock(&mut c, None);
                    } else {
                        let (local, replicas) = self.aof_acks(offset);
                        if replicas >= numreplicas && local >= numlocal {
                            c.st.reply.array_len(2);
                            c.st.reply.int(local);
                            c.st.reply.int(replicas);
                            self.unblock(&mut c, None);
                        } else if !still.contains(&key) {
                            still.push(key);
                        }
                    }
                }
                _ => {}
            }
            self.put_back(key, c);
        }
        self.repl.waiting = still;
    }

    /// Once a second from cron (replicationCron): PINGs into the stream,
    /// newlines to replicas waiting for their file so the link stays
    /// alive, timed out replicas closed, queued syncs started.
    pub fn replication_cron(&mut self) {
        let hz = self.hz.clamp(1, 500) as u64;
        let period = self.cfg.repl_ping_replica_period.max(1) as u64;
        if self.cronloops.is_multiple_of(period * hz) && !self.repl.replicas.is_empty() && self.pause.is_none() {
            let ping = OwnedArgv::from_slices([&b"PING"[..]].into_iter());
            self.repl_feed(None, &ping);
        }
        if !self.cronloops.is_multiple_of(hz) {
            return;
        }
        self.remove_rdb_used_to_sync_replicas();
        let now = self.now_ms / 1000;
        let timeout = i64::from(self.cfg.repl_timeout);
        for key in self.repl.replicas.clone() {
            let Some(Some(c)) = self.clients.get_mut(key) else {
                continue;
            };
            let Some(r) = c.st.repl.as_deref() else { continue };
            match r.state {
                // Not into an RDB streamed to the socket.
                Some(ReplState::WaitBgsaveStart) => c.st.reply.raw(b"\n"),
                Some(ReplState::WaitBgsaveEnd) if !r.socket => c.st.reply.raw(b"\n"),
                Some(ReplState::WaitBgsaveEnd) if r.last_partial_write != 0 && now - r.last_partial_write > timeout => {
                    warn!("Disconnecting timedout replica (full sync): {}", replica_name(&c.st));
                    c.st.close_asap = true;
                }
                Some(ReplState::Online) if !r.pre_psync && now - r.ack_time > timeout => {
                    warn!(
                        "Disconnecting timedout replica (streaming sync): {}",
                        replica_name(&c.st)
                    );
                    c.st.close_asap = true;
                }
                _ => continue,
            }
            c.queue_write(&mut self.pending_writes);
        }
        self.repl_start_waiting_sync();
        self.free_idle_backlog(now);
        self.refresh_good_replicas();
    }

    /// `repl-backlog-ttl`: without replicas for longer than that, the
    /// backlog is freed, with a new replication id (without a backlog the
    /// offset no longer follows the stream's bytes, so the old id could
    /// name two histories).
    fn free_idle_backlog(&mut self, now: i64) {
        let ttl = self.cfg.repl_backlog_ttl;
        // A replica keeps its backlog: it serves its replicas after a
        // promotion.
        if self.has_master() || !self.repl.replicas.is_empty() || ttl == 0 || self.repl.backlog.is_none() {
            return;
        }
        if now.saturating_sub(self.repl.no_replicas_since) > ttl {
            self.change_replication_id();
            self.repl.backlog = None;
            info!("Replication backlog freed after {ttl} seconds without connected replicas.");
        }
    }
}

impl Server {
    /// `rdb-del-sync-files`: without save points or an AOF, the file
    /// written only to feed replicas is deleted once no replica still
    /// needs it (removeRDBUsedToSyncReplicas).
    fn remove_rdb_used_to_sync_replicas(&mut self) {
        if !self.cfg.rdb_del_sync_files {
            self.repl.rdb_for_replication = false;
            return;
        }
        let persistence_off = self.cfg.save.is_empty() && self.aof.state == crate::aof::AofState::Off;
        if !persistence_off || !self.repl.rdb_for_replication {
            return;
        }
        let still_needed = self.repl.replicas.iter().any(|&key| {
            let state = self
                .clients
                .get(key)
                .and_then(|c| c.as_ref())
                .and_then(|c| c.st.repl.as_deref())
                .and_then(|r| r.state);
            matches!(
                state,
                Some(ReplState::WaitBgsaveStart | ReplState::WaitBgsaveEnd | ReplState::SendBulk)
            )
        });
        let path = std::path::PathBuf::from(&self.cfg.dbfilename);
        if still_needed || std::fs::symlink_metadata(&path).is_err() {
            return;
        }
        self.repl.rdb_for_replication = false;
        info!("Removing the RDB file used to feed replicas in a persistence-less instance");
        self.bio.pool().execute(move || {
            let _ = std::fs::remove_file(path);
        });
    }
}

/// The targets `propagate_now` sends to replicas.
pub fn goes_to_replicas(target: u8) -> bool {
    target & propagate::REPL != 0
}
