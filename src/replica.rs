//! The replica side of replication (the slave half of Redis's
//! replication.c): REPLICAOF, the connection and handshake with the
//! master, receiving and loading a full sync, the master client whose
//! commands are applied, ACKs, partial resyncs and promotion.
//!
//! The handshake and the transfer of the RDB use a socket of their own
//! (poller key `KEY_MASTER_LINK`), driven by its events and by the cron.
//! The file is written to a temp file, renamed to `dbfilename` and loaded
//! by the ordinary loader (clients get -LOADING meanwhile); then the socket
//! becomes the *master client*: a client in the slab flagged `master`, whose
//! commands run through `process_command` with their replies dropped. The
//! bytes each command took are its part of the stream: they advance the
//! replication offset and go, as they are, to the backlog and to our own
//! replicas (`master_applied`), so a chain of replicas sees the master's
//! stream byte for byte and offsets agree all along it.

use crate::reactor::Registered;
use crate::server::Server;
use log::{info, warn};
use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;

/// Poller key of the handshake/transfer socket (below the listeners').
pub const KEY_MASTER_LINK: usize = usize::MAX - 67;

/// Redis's CONFIG_RUN_ID_SIZE: the length of the EOF mark of a diskless
/// transfer.
const EOF_MARK_SIZE: usize = 40;
/// Bytes read from the link per read call (PROTO_IOBUF_LEN) and at most
/// per event, so a fast master cannot hold the loop.
const READ_CHUNK: usize = 16 * 1024;
const READ_PER_EVENT: usize = 1024 * 1024;
/// A handshake line longer than this is not from a Redis master.
const MAX_LINE: usize = 64 * 1024;
/// The temp file is fsynced every so many bytes, as Redis's
/// REPL_MAX_WRITTEN_BEFORE_FSYNC, so the final fsync has little to do.
const FSYNC_EVERY: u64 = 8 * 1024 * 1024;

/// Redis's repl_state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LinkState {
    /// Not a replica.
    None,
    /// Must connect (the cron does it).
    Connect,
    Connecting,
    ReceivePong,
    ReceiveAuth,
    ReceivePort,
    ReceiveIp,
    ReceiveCapa,
    ReceivePsync,
    /// Receiving the RDB.
    Transfer,
    /// Loading the RDB received.
    Loading,
    Connected,
}

impl LinkState {
    /// ROLE's state of a replica.
    pub fn role_name(self) -> &'static str {
        match self {
            LinkState::None => "none",
            LinkState::Connect => "connect",
            LinkState::Connecting => "connecting",
            LinkState::Transfer | LinkState::Loading => "sync",
            LinkState::Connected => "connected",
            _ => "handshake",
        }
    }
}

/// The RDB being received.
struct Transfer {
    file: File,
    path: String,
    /// Bytes announced by `$<len>`, or `None` for the EOF-mark form.
    size: Option<u64>,
    mark: Vec<u8>,
    read: u64,
    last_fsync: u64,
    /// The last bytes received (EOF form): the transfer ends with the mark.
    tail: Vec<u8>,
}

/// What a replica knows of its master (server.master*, repl_* in Redis).
pub struct MasterLink {
    pub state: LinkState,
    sock: Option<Registered<TcpStream>>,
    /// Bytes read from the link and not consumed yet.
    buf: Vec<u8>,
    transfer: Option<Transfer>,
    /// The link while the received file loads (not polled meanwhile), and
    /// the stream bytes already read past the file.
    parked: Option<(TcpStream, Vec<u8>)>,
    /// Slab key of the master client.
    pub master_key: Option<usize>,
    /// Stream offset applied (reploff) and read (read_reploff).
    pub reploff: i64,
    pub read_reploff: i64,
    /// The db the master client has selected, kept with the cached state.
    master_db: usize,
    /// The state of a master we lost (or our own, before becoming a
    /// replica), for PSYNC: replication id, applied offset, db.
    cached: Option<(String, i64, usize)>,
    /// +FULLRESYNC's id and offset.
    sync_replid: String,
    sync_offset: i64,
    /// Last I/O of the handshake or transfer (ms).
    pub last_io_ms: i64,
    /// Unix seconds the link went down; 0 when it never was up.
    pub down_since: i64,
    /// Stream bytes of a MULTI from the master not executed yet: they
    /// count once EXEC ran, as the offset is the state applied.
    pending_applied: Vec<u8>,
    /// REPLCONF GETACK ran: an ACK goes out once the command is done.
    pub ack_requested: bool,
    /// The AOF was on when a full sync stopped it.
    aof_was_on: bool,
    /// Size and bytes read of the last transfer (INFO while it loads).
    transferred: (i64, i64),
    pub failover: Failover,
}

impl Default for MasterLink {
    fn default() -> Self {
        MasterLink {
            state: LinkState::None,
            sock: None,
            buf: Vec::new(),
            transfer: None,
            parked: None,
            master_key: None,
            reploff: 0,
            read_reploff: 0,
            master_db: 0,
            cached: None,
            sync_replid: String::new(),
            sync_offset: -1,
            last_io_ms: 0,
            down_since: 0,
            pending_applied: Vec::new(),
            ack_requested: false,
            aof_was_on: false,
            transferred: (0, 0),
            failover: Failover::default(),
        }
    }
}

impl MasterLink {
    /// A replica by configuration connects from the first cron.
    pub fn new(replica: bool) -> MasterLink {
        MasterLink {
            state: if replica { LinkState::Connect } else { LinkState::None },
            ..Default::default()
        }
    }

    /// INFO's master_sync_* figures during a transfer: (total, read), total
    /// -1 for the EOF form.
    pub fn transfer_progress(&self) -> Option<(i64, i64)> {
        match (self.state, &self.transfer) {
            (LinkState::Transfer, Some(t)) => {
                let total = t.size.map_or(-1, |s| i64::try_from(s).unwrap_or(i64::MAX));
                Some((total, i64::try_from(t.read).unwrap_or(i64::MAX)))
            }
            (LinkState::Transfer, None) => Some((0, 0)),
            (LinkState::Loading, _) => Some(self.transferred),
            _ => None,
        }
    }

    /// slave_repl_offset / slave_read_repl_offset (1 with no master known).
    pub fn offsets(&self) -> (i64, i64) {
        if self.master_key.is_some() {
            (self.reploff, self.read_reploff)
        } else {
            self.cached.as_ref().map_or((1, 1), |c| (c.1, c.1))
        }
    }
}

fn command_bytes(args: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::aof::cat_command(&mut out, args.iter().copied());
    out
}

impl Server {
    /// This server replicates from a master (Redis's server.masterhost).
    #[inline]
    pub fn has_master(&self) -> bool {
        self.cfg.replicaof.is_some()
    }

    /// The link is up and the data set is the master's.
    pub fn master_link_up(&self) -> bool {
        self.link.state == LinkState::Connected
    }

    /// REPLICAOF host port (replicationSetMaster).
    pub fn set_master(&mut self, host: String, port: u16) {
        let was_master = !self.has_master();
        // Unset first: losing the master client must not reconnect.
        self.cfg.replicaof = None;
        if let Some(key) = self.link.master_key {
            self.close_client(key);
        }
        self.disconnect_blocked_clients();
        self.cfg.replicaof = Some((host.clone(), port));
        crate::logging::set_role(b'S');
        // Our replicas stay: they may partially resync with us. They are
        // dropped when the history changes (a full sync or a new id).
        self.cancel_handshake();
        if was_master {
            self.discard_cached_master();
            self.cache_master_using_myself();
        }
        self.link.state = LinkState::Connect;
        info!("Connecting to MASTER {host}:{port}");
        self.connect_to_master();
    }

    /// REPLICAOF NO ONE (replicationUnsetMaster): the replica becomes a
    /// master with a new history id; the old one stays valid as the
    /// secondary id up to the current offset, so its replicas (and the old
    /// master) can partially resync.
    pub fn unset_master(&mut self) {
        if !self.has_master() {
            return;
        }
        self.cfg.replicaof = None;
        if let Some(key) = self.link.master_key {
            self.close_client(key);
        }
        self.discard_cached_master();
        self.cancel_handshake();
        self.shift_replication_id();
        // They learn the new id when they reconnect (a partial resync).
        self.disconnect_replicas();
        self.link.state = LinkState::None;
        self.repl.seldb = -1;
        self.link.down_since = 0;
        // The backlog's time to live counts from the promotion.
        self.repl.no_replicas_since = self.now_ms / 1000;
        crate::logging::set_role(b'M');
        if self.link.aof_was_on {
            self.link.aof_was_on = false;
            if let Err(e) = self.aof_enable() {
                warn!("Failed enabling the AOF after successful master synchronization! Trying it again in one second: {e}");
            }
        }
    }

    /// Redis's shiftReplicationId.
    fn shift_replication_id(&mut self) {
        self.repl.replid2 = std::mem::replace(&mut self.replid, crate::server::random_hex(40));
        self.repl.second_offset = self.repl.offset.saturating_add(1);
        warn!(
            "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
            self.repl.replid2, self.repl.second_offset, self.replid
        );
    }

    /// Closes every replica of ours (disconnectSlaves).
    fn disconnect_replicas(&mut self) {
        for key in self.repl.replicas.clone() {
            if let Some(Some(c)) = self.clients.get_mut(key) {
                c.st.close_asap = true;
                c.queue_write(&mut self.pending_writes);
            }
        }
    }

    /// Clients blocked in a master are told the role changed
    /// (disconnectAllBlockedClients).
    fn disconnect_blocked_clients(&mut self) {
        let keys: Vec<usize> = self
            .clients
            .iter()
            .filter(|(_, c)| c.as_ref().is_some_and(|c| c.st.blocked.is_some()))
            .map(|(k, _)| k)
            .collect();
        for key in keys {
            if let Some(Some(mut c)) = self.clients.get_mut(key).map(Option::take) {
                self.unblock(
                    &mut c,
                    Some(crate::blocking::Unblocked::Gone(
                        "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
                    )),
                );
                self.put_back(key, c);
            }
        }
    }

    fn cache_master_using_myself(&mut self) {
        self.link.cached = Some((self.replid.clone(), self.repl.offset, 0));
        info!("Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
    }

    fn discard_cached_master(&mut self) {
        if self.link.cached.take().is_some() {
            info!("Discarding previously cached master state.");
        }
    }

    /// Drops a handshake or transfer in progress; the cron reconnects.
    fn cancel_handshake(&mut self) {
        self.link.sock = None;
        self.link.parked = None;
        self.link.buf = Vec::new();
        if let Some(t) = self.link.transfer.take() {
            let _ = std::fs::remove_file(&t.path);
        }
        if self.has_master() && self.link.master_key.is_none() {
            self.link.state = LinkState::Connect;
        }
    }

    /// Starts a non-blocking connection to the master (connectWithMaster).
    fn connect_to_master(&mut self) {
        let Some((host, port)) = self.cfg.replicaof.clone() else {
            return;
        };
        match self.open_master_socket(&host, port) {
            Ok(sock) => {
                self.link.sock = Some(sock);
                self.link.state = LinkState::Connecting;
                self.link.last_io_ms = self.now_ms;
                info!("MASTER <-> REPLICA sync started");
            }
            Err(e) => {
                warn!("Unable to connect to MASTER: {e}");
            }
        }
    }

    fn open_master_socket(&mut self, host: &str, port: u16) -> std::io::Result<Registered<TcpStream>> {
        use socket2::{Domain, Protocol, SockAddr, Socket, Type};
        let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))?
            .next()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"))?;
        let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        sock.set_nonblocking(true)?;
        match sock.connect(&SockAddr::from(addr)) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        self.reactor.register(TcpStream::from(sock), KEY_MASTER_LINK, true)
    }

    /// An event on the handshake/transfer socket.
    pub fn master_link_event(&mut self, readable: bool, writable: bool) {
        if self.link.state == LinkState::Connecting {
            if writable {
                self.link_connected();
            }
            return;
        }
        if readable {
            self.link_read();
        }
    }

    fn link_connected(&mut self) {
        let Some(sock) = &mut self.link.sock else { return };
        let err = match sock.get().take_error() {
            Ok(None) => None,
            Ok(Some(e)) | Err(e) => Some(e),
        };
        if let Some(e) = err {
            warn!("Error condition on socket for SYNC: {}", crate::net::strerror(&e));
            return self.cancel_handshake();
        }
        let _ = sock.set_writable(false);
        info!("Non blocking connect for SYNC fired the event.");
        self.link.state = LinkState::ReceivePong;
        self.link.last_io_ms = self.now_ms;
        self.link_send(&command_bytes(&[b"PING"]));
    }

    /// Writes a handshake command; the socket buffer of a fresh connection
    /// takes these few bytes whole, anything else is an error.
    fn link_send(&mut self, bytes: &[u8]) {
        let Some(sock) = &self.link.sock else { return };
        match sock.get().write(bytes) {
            Ok(n) if n == bytes.len() => {}
            res => {
                warn!("Sending command to master in replication handshake: {res:?}");
                self.cancel_handshake();
            }
        }
    }

    fn link_read(&mut self) {
        let mut total = 0;
        while total < READ_PER_EVENT {
            let Some(sock) = &self.link.sock else { return };
            let at = self.link.buf.len();
            self.link.buf.resize(at + READ_CHUNK, 0);
            match sock.get().read(&mut self.link.buf[at..]) {
                Ok(0) => {
                    self.link.buf.truncate(at);
                    warn!("I/O error trying to sync with MASTER: connection lost");
                    return self.cancel_handshake();
                }
                Ok(n) => {
                    self.link.buf.truncate(at + n);
                    total += n;
                    self.stats.net_repl_input_bytes += n as u64;
                }
                Err(e) => {
                    self.link.buf.truncate(at);
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                    ) {
                        break;
                    }
                    warn!("I/O error trying to sync with MASTER: {}", crate::net::strerror(&e));
                    return self.cancel_handshake();
                }
            }
        }
        if total > 0 {
            self.link.last_io_ms = self.now_ms;
        }
        self.link_input();
    }

    /// Consumes what the link received, per state.
    fn link_input(&mut self) {
        loop {
            match self.link.state {
                LinkState::ReceivePong
                | LinkState::ReceiveAuth
                | LinkState::ReceivePort
                | LinkState::ReceiveIp
                | LinkState::ReceiveCapa
                | LinkState::ReceivePsync => {
                    let Some(line) = self.take_line() else { return };
                    self.handshake_reply(&line);
                }
                LinkState::Transfer => return self.transfer_input(),
                _ => return,
            }
        }
    }

    /// The next line of the link, without its CRLF.
    fn take_line(&mut self) -> Option<String> {
        let Some(pos) = memchr::memchr(b'\n', &self.link.buf) else {
            if self.link.buf.len() > MAX_LINE {
                warn!("Master did not respond to command during SYNC handshake");
                self.cancel_handshake();
            }
            return None;
        };
        let mut line: Vec<u8> = self.link.buf.drain(..=pos).collect();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Some(String::from_utf8_lossy(&line).into_owned())
    }

    /// One reply of the handshake (syncWithMaster's states).
    fn handshake_reply(&mut self, line: &str) {
        let err = line.starts_with('-');
        match self.link.state {
            LinkState::ReceivePong => {
                // An error about authentication is fine: AUTH comes next.
                if err
                    && !line.starts_with("-NOAUTH")
                    && !line.starts_with("-NOPERM")
                    && !line.starts_with("-ERR operation not permitted")
                {
                    warn!("Error reply to PING from master: '{line}'");
                    return self.cancel_handshake();
                }
                info!("Master replied to PING, replication can continue...");
                self.send_handshake();
            }
            LinkState::ReceiveAuth => {
                if err {
                    warn!("Unable to AUTH to MASTER: {line}");
                    return self.cancel_handshake();
                }
                self.link.state = LinkState::ReceivePort;
            }
            LinkState::ReceivePort => {
                if err {
                    info!("(Non critical) Master does not understand REPLCONF listening-port: {line}");
                }
                self.link.state = if self.cfg.replica_announce_ip.is_some() {
                    LinkState::ReceiveIp
                } else {
                    LinkState::ReceiveCapa
                };
            }
            LinkState::ReceiveIp => {
                if err {
                    info!("(Non critical) Master does not understand REPLCONF ip-address: {line}");
                }
                self.link.state = LinkState::ReceiveCapa;
            }
            LinkState::ReceiveCapa => {
                if err {
                    info!("(Non critical) Master does not understand REPLCONF capa: {line}");
                }
                self.send_psync();
            }
            LinkState::ReceivePsync => self.psync_reply(line),
            _ => {}
        }
    }

    /// AUTH, REPLCONF listening-port, ip-address and capa, pipelined.
    fn send_handshake(&mut self) {
        let mut out = Vec::new();
        if let Some(pass) = self.cfg.masterauth.clone() {
            match self.cfg.masteruser.clone() {
                Some(user) => out.extend(command_bytes(&[b"AUTH", &user, &pass])),
                None => out.extend(command_bytes(&[b"AUTH", &pass])),
            }
        }
        let port = match self.cfg.replica_announce_port {
            0 => i64::from(self.tcp_port),
            p => i64::from(p),
        };
        out.extend(command_bytes(&[
            b"REPLCONF",
            b"listening-port",
            port.to_string().as_bytes(),
        ]));
        if let Some(ip) = &self.cfg.replica_announce_ip {
            out.extend(command_bytes(&[b"REPLCONF", b"ip-address", ip.as_bytes()]));
        }
        out.extend(command_bytes(&[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]));
        self.link.state = if self.cfg.masterauth.is_some() {
            LinkState::ReceiveAuth
        } else {
            LinkState::ReceivePort
        };
        self.link_send(&out);
    }

    /// PSYNC with the cached master's id and offset, or `? -1`
    /// (slaveTryPartialResynchronization, write half).
    fn send_psync(&mut self) {
        let (id, offset) = match &self.link.cached {
            Some((id, off, _)) => {
                let next = off.saturating_add(1);
                info!("Trying a partial resynchronization (request {id}:{next}).");
                (id.clone(), next)
            }
            None => {
                info!("Partial resynchronization not possible (no cached master)");
                ("?".to_string(), -1)
            }
        };
        self.link.state = LinkState::ReceivePsync;
        let offset = offset.to_string();
        let mut args: Vec<&[u8]> = vec![b"PSYNC", id.as_bytes(), offset.as_bytes()];
        if self.link.failover.state == FailoverState::InProgress {
            // Asks our replica to take over as the master.
            args.push(b"FAILOVER");
        }
        self.link_send(&command_bytes(&args));
    }

    /// The reply to PSYNC (slaveTryPartialResynchronization, read half).
    fn psync_reply(&mut self, line: &str) {
        if line.is_empty() {
            // Newlines keep the link alive until the master answers.
            return;
        }
        if self.link.failover.state == FailoverState::InProgress {
            // A full resync would do too, though it is not expected.
            if line.starts_with("+CONTINUE") || line.starts_with("+FULLRESYNC") {
                self.failover_clear();
            } else {
                self.cancel_handshake();
                return self.failover_abort("Failover target rejected psync request");
            }
        }
        if let Some(rest) = line.strip_prefix("+FULLRESYNC") {
            let mut it = rest.split_ascii_whitespace();
            let (Some(id), Some(off)) = (it.next(), it.next().and_then(|o| o.parse::<i64>().ok())) else {
                warn!("Master replied with wrong +FULLRESYNC syntax.");
                return self.cancel_handshake();
            };
            info!("Full resync from master: {id}:{off}");
            self.discard_cached_master();
            self.link.sync_replid = id.to_string();
            self.link.sync_offset = off;
            self.link.state = LinkState::Transfer;
            return;
        }
        if let Some(rest) = line.strip_prefix("+CONTINUE") {
            info!("Successful partial resynchronization with master.");
            return self.resurrect_cached_master(rest.trim());
        }
        if line.starts_with("-NOMASTERLINK") || line.starts_with("-LOADING") {
            info!("Master is currently unable to PSYNC but should be in the future: {line}");
        } else {
            warn!("Unexpected reply to PSYNC from master: {line}");
        }
        self.cancel_handshake();
    }

    /// +CONTINUE: the stream goes on from the cached offset; a new id
    /// means the master was promoted, and ours shifts to the secondary.
    fn resurrect_cached_master(&mut self, new_id: &str) {
        let Some((old_id, offset, db)) = self.link.cached.take() else {
            warn!("Unexpected reply to PSYNC from master: +CONTINUE without a cached master");
            return self.cancel_handshake();
        };
        if !new_id.is_empty() && new_id != old_id {
            warn!("Master replication ID changed to {new_id}");
            self.repl.replid2 = old_id;
            self.replid = new_id.to_string();
            self.repl.second_offset = self.repl.offset.saturating_add(1);
            // Our replicas must learn the new id.
            self.disconnect_replicas();
        }
        info!("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        if self.repl.backlog.is_none() {
            self.repl.create_backlog();
        }
        self.link.reploff = offset;
        self.link.read_reploff = offset;
        self.attach_master_client(db);
    }

    /// The `$<len>` or `$EOF:<mark>` header, then the file's bytes
    /// (readSyncBulkPayload).
    fn transfer_input(&mut self) {
        if self.link.transfer.is_none() {
            let Some(line) = self.take_line() else { return };
            if line.is_empty() {
                // The master is still preparing the file.
                return self.transfer_input();
            }
            if let Some(msg) = line.strip_prefix('-') {
                warn!("MASTER aborted replication with an error: {msg}");
                return self.cancel_handshake();
            }
            let Some(spec) = line.strip_prefix('$') else {
                warn!("Bad protocol from MASTER, the first byte is not '$' (we received '{line}'), are you sure the host and port are right?");
                return self.cancel_handshake();
            };
            let (size, mark) = match spec.strip_prefix("EOF:") {
                Some(mark) if mark.len() == EOF_MARK_SIZE => {
                    info!("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
                    (None, mark.as_bytes().to_vec())
                }
                _ => match spec.parse::<u64>() {
                    Ok(n) => {
                        info!("MASTER <-> REPLICA sync: receiving {n} bytes from master to disk");
                        (Some(n), Vec::new())
                    }
                    Err(_) => {
                        warn!("Bad protocol from MASTER, the first byte is not '$' (we received '{line}'), are you sure the host and port are right?");
                        return self.cancel_handshake();
                    }
                },
            };
            let path = format!("temp-{}.{}.rdb", self.now_ms / 1000, self.pid);
            let file = match File::create(&path) {
                Ok(f) => f,
                Err(e) => {
                    warn!(
                        "Opening the temp file needed for MASTER <-> REPLICA synchronization: {}",
                        crate::net::strerror(&e)
                    );
                    return self.cancel_handshake();
                }
            };
            self.link.transfer = Some(Transfer {
                file,
                path,
                size,
                mark,
                read: 0,
                last_fsync: 0,
                tail: Vec::new(),
            });
        }
        let Some(t) = self.link.transfer.as_mut() else { return };
        let take = match t.size {
            Some(size) => usize::try_from(size.saturating_sub(t.read))
                .unwrap_or(usize::MAX)
                .min(self.link.buf.len()),
            None => self.link.buf.len(),
        };
        if take == 0 && t.size != Some(t.read) {
            return;
        }
        let chunk = &self.link.buf[..take];
        if let Err(e) = t.file.write_all(chunk) {
            warn!(
                "Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {}",
                crate::net::strerror(&e)
            );
            return self.cancel_handshake();
        }
        t.read += take as u64;
        let done = match t.size {
            Some(size) => t.read == size,
            None => {
                t.tail.extend_from_slice(chunk);
                let excess = t.tail.len().saturating_sub(EOF_MARK_SIZE);
                t.tail.drain(..excess);
                t.tail == t.mark
            }
        };
        self.link.buf.drain(..take);
        if t.read - t.last_fsync >= FSYNC_EVERY {
            t.last_fsync = t.read;
            let _ = t.file.sync_data();
        }
        if done {
            self.transfer_done();
        }
    }

    /// The whole file is here: it replaces the data set.
    fn transfer_done(&mut self) {
        let Some(t) = self.link.transfer.take() else { return };
        let Transfer {
            file, path, size, read, ..
        } = t;
        let read_i = i64::try_from(read).unwrap_or(i64::MAX);
        self.link.transferred = (size.map_or(-1, |_| read_i), read_i);
        let fail = |srv: &mut Server, msg: String| {
            warn!("{msg}");
            let _ = std::fs::remove_file(&path);
            srv.cancel_handshake();
        };
        if size.is_none() {
            // The mark is not part of the file.
            if let Err(e) = file.set_len(read.saturating_sub(EOF_MARK_SIZE as u64)) {
                return fail(
                    self,
                    format!("Error truncating the RDB file received from the master for SYNC: {e}"),
                );
            }
        }
        if let Err(e) = file.sync_all() {
            return fail(
                self,
                format!(
                    "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {}",
                    crate::net::strerror(&e)
                ),
            );
        }
        drop(file);
        if let Err(e) = std::fs::rename(&path, &self.cfg.dbfilename) {
            return fail(
                self,
                format!(
                    "Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {}",
                    self.cfg.dbfilename,
                    crate::net::strerror(&e)
                ),
            );
        }
        // The socket is not polled while the file loads: what arrives
        // meanwhile waits in the kernel.
        let Some(stream) = self.link.sock.take().and_then(|s| s.get().try_clone().ok()) else {
            warn!("Failed to keep the connection with the master after the transfer");
            return self.cancel_handshake();
        };
        self.link.parked = Some((stream, std::mem::take(&mut self.link.buf)));
        self.attach_to_new_master();
        if self.aof.state != crate::aof::AofState::Off {
            self.link.aof_was_on = true;
            self.aof_disable();
        }
        if self.persist.bgsave.is_some() {
            self.kill_bgsave();
        }
        info!("MASTER <-> REPLICA sync: Flushing old data");
        let lazy = self.cfg.replica_lazy_flush;
        self.empty_data(None, lazy);
        info!("MASTER <-> REPLICA sync: Loading DB in memory");
        self.link.state = LinkState::Loading;
        match self.start_loading(false, false) {
            Ok(true) => {}
            Ok(false) => self.replica_load_done(false),
            Err(e) => {
                warn!("{e}");
                self.replica_load_done(false);
            }
        }
    }

    /// A new history: our replicas resync, and the backlog of the old one
    /// must not serve them (replicationAttachToNewMaster).
    fn attach_to_new_master(&mut self) {
        self.discard_cached_master();
        self.disconnect_replicas();
        self.repl.backlog = None;
    }

    /// The end of loading a full sync (from `finish_loading`).
    pub fn replica_load_done(&mut self, ok: bool) {
        if self.link.state != LinkState::Loading {
            return;
        }
        if !ok {
            warn!("Failed trying to load the MASTER synchronization DB from disk, check server logs.");
            self.empty_data(None, self.cfg.replica_lazy_flush);
            return self.cancel_handshake();
        }
        if self.cfg.rdb_del_sync_files && self.cfg.save.is_empty() && !self.link.aof_was_on {
            info!("Removing the RDB file obtained from the master. This replica has persistence disabled");
            let path = std::path::PathBuf::from(&self.cfg.dbfilename);
            self.bio.pool().execute(move || {
                let _ = std::fs::remove_file(path);
            });
        }
        self.replid = std::mem::take(&mut self.link.sync_replid);
        self.clear_replication_id2();
        self.repl.offset = self.link.sync_offset;
        self.repl.create_backlog();
        self.link.reploff = self.link.sync_offset;
        self.link.read_reploff = self.link.sync_offset;
        self.attach_master_client(0);
        if self.link.master_key.is_some() {
            info!("MASTER <-> REPLICA sync: Finished with success");
        }
        if std::mem::take(&mut self.link.aof_was_on) {
            if let Err(e) = self.aof_enable() {
                warn!("Failed enabling the AOF after successful master synchronization! Trying it again in one second: {e}");
            }
        }
    }

    /// The link becomes the master client; an ACK tells the master we are
    /// here (it puts a replica fed from a socket online).
    fn attach_master_client(&mut self, db: usize) {
        let (stream, leftover) = match self.link.parked.take() {
            Some(p) => p,
            None => match self.link.sock.take().and_then(|s| s.get().try_clone().ok()) {
                Some(s) => (s, std::mem::take(&mut self.link.buf)),
                None => return self.cancel_handshake(),
            },
        };
        self.link.buf = Vec::new();
        self.link.pending_applied.clear();
        self.link.master_db = db;
        // Connected before the stream already read runs.
        self.link.state = LinkState::Connected;
        self.link.down_since = 0;
        match self.add_master_client(stream, db, leftover) {
            Some(_) => self.send_ack_to_master(),
            None => self.cancel_handshake(),
        }
    }

    /// REPLCONF ACK <offset> to the master (replicationSendAck).
    pub fn send_ack_to_master(&mut self) {
        let Some(key) = self.link.master_key else { return };
        let ack = self.ack_bytes();
        if let Some(Some(c)) = self.clients.get_mut(key) {
            c.st.reply.raw(&ack);
            c.queue_write(&mut self.pending_writes);
        }
    }

    /// `REPLCONF ACK <reploff>`, plus `FACK <offset>` with the offset our
    /// AOF fsynced when it is on (Redis 7.2, for the master's WAITAOF; a
    /// replica without AOF promises nothing, so it sends none). Older
    /// masters read the ACK and ignore the rest.
    fn ack_bytes(&self) -> Vec<u8> {
        let reploff = self.link.reploff.to_string();
        if self.aof.fsynced_reploff == -1 {
            return command_bytes(&[b"REPLCONF", b"ACK", reploff.as_bytes()]);
        }
        let fsynced = self.aof.fsynced_reploff.to_string();
        command_bytes(&[b"REPLCONF", b"ACK", reploff.as_bytes(), b"FACK", fsynced.as_bytes()])
    }

    /// After a command of the master client ran: its bytes are applied
    /// (unless inside MULTI), fed to the backlog and our replicas; a GETACK
    /// is answered with the offset before it.
    pub fn master_applied(&mut self, st: &mut crate::client::ClientState, bytes: &[u8]) {
        if std::mem::take(&mut self.link.ack_requested) {
            let ack = self.ack_bytes();
            st.reply.raw(&ack);
        }
        self.link.master_db = st.db;
        if st.multi.is_some() {
            self.link.pending_applied.extend_from_slice(bytes);
            return;
        }
        if self.link.pending_applied.is_empty() {
            self.link.reploff = self.link.reploff.saturating_add(bytes.len() as i64);
            self.repl_feed_bytes(bytes);
        } else {
            let mut all = std::mem::take(&mut self.link.pending_applied);
            all.extend_from_slice(bytes);
            self.link.reploff = self.link.reploff.saturating_add(all.len() as i64);
            self.repl_feed_bytes(&all);
            all.clear();
            self.link.pending_applied = all;
        }
    }

    /// The master client is gone (freeClient → replicationCacheMaster):
    /// its state is kept for a partial resync.
    pub fn master_client_lost(&mut self) {
        self.link.master_key = None;
        warn!("Connection with master lost.");
        info!("Caching the disconnected master state.");
        self.link.pending_applied.clear();
        self.link.ack_requested = false;
        self.link.cached = Some((self.replid.clone(), self.link.reploff, self.link.master_db));
        if self.has_master() {
            self.link.state = LinkState::Connect;
            self.link.down_since = self.now_ms / 1000;
        }
    }

    /// Once a second (the replica half of replicationCron): connects,
    /// times out a silent link, ACKs.
    pub fn replica_cron(&mut self) {
        if !self.has_master() {
            return;
        }
        let timeout_ms = i64::from(self.cfg.repl_timeout).saturating_mul(1000);
        let idle = self.now_ms - self.link.last_io_ms;
        match self.link.state {
            LinkState::Connect => {
                if let Some((host, port)) = &self.cfg.replicaof {
                    info!("Connecting to MASTER {host}:{port}");
                }
                self.connect_to_master();
            }
            LinkState::Transfer if idle > timeout_ms => {
                warn!("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
                self.cancel_handshake();
            }
            LinkState::Connecting
            | LinkState::ReceivePong
            | LinkState::ReceiveAuth
            | LinkState::ReceivePort
            | LinkState::ReceiveIp
            | LinkState::ReceiveCapa
            | LinkState::ReceivePsync
                if idle > timeout_ms =>
            {
                warn!("Timeout connecting to the MASTER...");
                self.cancel_handshake();
            }
            LinkState::Connected => {
                let Some(key) = self.link.master_key else { return };
                let silent = self
                    .clients
                    .get(key)
                    .and_then(|c| c.as_ref())
                    .is_some_and(|c| self.now_ms - c.st.last_interaction_ms > timeout_ms);
                if silent {
                    warn!("MASTER timeout: no data nor PING received...");
                    return self.close_client(key);
                }
                self.send_ack_to_master();
            }
            _ => {}
        }
    }

    /// The replication position saved with a snapshot (rdbPopulateSaveInfo):
    /// a master with a backlog, or a replica with a master (or a cached
    /// one); the db is the one the stream is in.
    pub fn repl_save_info(&self) -> Option<(i64, String, i64)> {
        let db = if !self.has_master() {
            self.repl.backlog.as_ref()?;
            self.repl.seldb.max(0)
        } else if self.link.master_key.is_some() {
            self.link.master_db as i64
        } else {
            self.link.cached.as_ref()?.2 as i64
        };
        Some((db, self.replid.clone(), self.repl.offset))
    }

    /// A replica restarted from a file that carries its replication
    /// position resumes from it: that position becomes the cached master
    /// its first PSYNC asks for.
    pub fn restore_repl_position(&mut self, id: String, offset: i64, db: i64) {
        if !self.has_master() || id.len() != 40 || offset < 0 {
            return;
        }
        let Ok(db) = usize::try_from(db) else { return };
        self.replid = id;
        self.repl.offset = offset;
        self.cache_master_using_myself();
        if let Some(c) = &mut self.link.cached {
            c.2 = db.min(self.dbs.len().saturating_sub(1));
        }
    }

    /// Expiry on a replica: the master decides and sends DELs; a key past
    /// its time is only hidden from other clients (Redis's expireIfNeeded
    /// on a replica). `None` when the usual rules apply (a writable
    /// replica's own clients delete, as a master does).
    #[inline]
    pub fn replica_expiry(&self, db: usize, key: &[u8], now: i64) -> Option<bool> {
        if self.running_client.is_some() && self.running_client == self.link.master_key {
            return Some(false);
        }
        if self.cfg.replica_read_only {
            return Some(self.dbs[db].is_expired_at(key, now));
        }
        None
    }
}

/// Redis's failover_state: FAILOVER's progress on the primary.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum FailoverState {
    #[default]
    None,
    /// Writes are paused; waiting for a replica to ack the whole stream.
    WaitForSync,
    /// Demoted to a replica of the target, waiting for its PSYNC reply.
    InProgress,
}

impl FailoverState {
    /// INFO's master_failover_state.
    pub fn name(self) -> &'static str {
        match self {
            FailoverState::None => "no-failover",
            FailoverState::WaitForSync => "waiting-for-sync",
            FailoverState::InProgress => "failover-in-progress",
        }
    }
}

/// A coordinated failover (FAILOVER) in progress.
#[derive(Default)]
pub struct Failover {
    pub state: FailoverState,
    target: Option<(String, u16)>,
    /// Deadline in ms, 0 without TIMEOUT.
    end_ms: i64,
    force: bool,
}

impl Server {
    /// FAILOVER accepted: writes pause until a replica has everything.
    pub fn failover_start(&mut self, target: Option<(String, u16)>, timeout_ms: i64, force: bool) {
        match &target {
            Some((host, port)) => info!("FAILOVER requested to {host}:{port}."),
            None => info!("FAILOVER requested to any replica."),
        }
        self.link.failover = Failover {
            state: FailoverState::WaitForSync,
            target,
            end_ms: if timeout_ms > 0 {
                self.now_ms.saturating_add(timeout_ms)
            } else {
                0
            },
            force,
        };
        self.pause_clients(crate::server::PausePurpose::Failover, i64::MAX, false);
    }

    /// abortFailover: back to a master serving writes.
    pub fn failover_abort(&mut self, why: &str) {
        let f = &self.link.failover;
        if f.state == FailoverState::None {
            return;
        }
        match &f.target {
            Some((host, port)) => info!("FAILOVER to {host}:{port} aborted: {why}"),
            None => info!("FAILOVER to any replica aborted: {why}"),
        }
        if f.state == FailoverState::InProgress {
            self.unset_master();
        }
        self.failover_clear();
    }

    fn failover_clear(&mut self) {
        self.link.failover = Failover::default();
        self.unpause(crate::server::PausePurpose::Failover);
    }

    /// The slab key of our replica announcing `host:port` (findReplica).
    pub fn find_replica(&self, host: &str, port: u16) -> Option<usize> {
        self.repl.replicas.iter().copied().find(|&k| {
            let Some(Some(c)) = self.clients.get(k) else {
                return false;
            };
            let Some(r) = c.st.repl.as_deref() else { return false };
            crate::replication::replica_ip(&c.st).eq_ignore_ascii_case(host) && r.listening_port == i64::from(port)
        })
    }

    /// updateFailoverStatus (before every sleep while a failover waits):
    /// the target (or the first replica) has acked our whole stream, or
    /// the timeout passed: demote ourselves to its replica.
    pub fn update_failover_status(&mut self) {
        if self.link.failover.state != FailoverState::WaitForSync {
            return;
        }
        let f = &self.link.failover;
        if f.end_ms != 0 && f.end_ms <= self.now_ms {
            if f.force {
                if let Some((host, port)) = f.target.clone() {
                    info!("FAILOVER to {host}:{port} time out exceeded, failing over.");
                    self.link.failover.state = FailoverState::InProgress;
                    self.set_master(host, port);
                    return;
                }
            }
            return self.failover_abort("Replica never caught up before timeout");
        }
        let offset = self.repl.offset;
        let synced = |srv: &Server, key: usize| {
            srv.clients
                .get(key)
                .and_then(|c| c.as_ref())
                .and_then(|c| c.st.repl.as_deref())
                .is_some_and(|r| r.ack_off == offset)
        };
        let target = match self.link.failover.target.clone() {
            Some((host, port)) => self
                .find_replica(&host, port)
                .filter(|&k| synced(self, k))
                .map(|_| (host, port)),
            None => self
                .repl
                .replicas
                .iter()
                .copied()
                .find(|&k| synced(self, k))
                .and_then(|k| {
                    let c = self.clients.get(k)?.as_ref()?;
                    let port = u16::try_from(c.st.repl.as_deref()?.listening_port).ok()?;
                    Some((crate::replication::replica_ip(&c.st).to_string(), port))
                }),
        };
        if let Some((host, port)) = target {
            self.link.failover.target = Some((host.clone(), port));
            self.link.failover.state = FailoverState::InProgress;
            info!("Failover target {host}:{port} is synced, failing over.");
            self.set_master(host, port);
        }
    }

    /// PSYNC ... FAILOVER reached us, our master's replica: we become the
    /// master if it speaks of our history.
    pub fn failover_requested(&mut self, replid: &[u8]) -> Result<(), &'static str> {
        if !self.has_master() {
            return Err("ERR PSYNC FAILOVER can't be sent to a master.");
        }
        if !replid.eq_ignore_ascii_case(self.replid.as_bytes()) {
            return Err("ERR PSYNC FAILOVER replid must match my replid.");
        }
        self.unset_master();
        Ok(())
    }
}
