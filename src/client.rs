//! A connected client: its socket and query buffer (`Client`), and the state
//! command handlers read and change (`ClientState`).
//!
//! The split exists for the borrow checker and mirrors the life of a
//! command: while a client's commands run, the parser's argument spans
//! borrow the query buffer immutably and the handler gets `&mut
//! ClientState` for its reply, so neither needs copying.

use crate::reactor::Registered;
use crate::reply::ReplyBuf;
use crate::resp::Parser;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::net::UnixStream;

pub enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl AsFd for Stream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Stream::Tcp(s) => s.as_fd(),
            Stream::Unix(s) => s.as_fd(),
        }
    }
}

impl Stream {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => (&*s).read(buf),
            Stream::Unix(s) => (&*s).read(buf),
        }
    }
    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => (&*s).write(buf),
            Stream::Unix(s) => (&*s).write(buf),
        }
    }
}

/// The part of a client handlers see.
pub struct ClientState {
    pub id: u64,
    /// Slab key of this client (also its poller key).
    pub key: usize,
    pub reply: ReplyBuf,
    pub db: usize,
    pub name: Option<Vec<u8>>,
    /// CLIENT SETINFO LIB-NAME / LIB-VER (Redis 7.2), shown by CLIENT LIST.
    pub lib_name: Option<Vec<u8>>,
    pub lib_ver: Option<Vec<u8>>,
    pub authenticated: bool,
    pub addr: String,
    pub laddr: String,
    pub fd: i32,
    pub unix_socket: bool,
    /// Creation time and last interaction, milliseconds since the epoch.
    pub ctime_ms: i64,
    pub last_interaction_ms: i64,
    /// The last command run, for CLIENT LIST's `cmd=`.
    pub last_cmd: Option<crate::cmd::CmdId>,
    /// CLIENT REPLY OFF: every reply is dropped.
    pub reply_off: bool,
    /// CLIENT REPLY SKIP ran: the next command's reply is dropped.
    pub reply_skip_next: bool,
    /// The current command's reply is dropped.
    pub reply_skip: bool,
    /// Close once the pending output is written (QUIT, protocol errors).
    pub close_after_reply: bool,
    /// Close at the next opportunity, dropping pending output (CLIENT KILL).
    pub close_asap: bool,
    pub no_evict: bool,
    pub no_touch: bool,
    /// Bytes in the query buffer when the current batch started (CLIENT LIST).
    pub qbuf_len: usize,
    pub qbuf_cap: usize,
    /// Bytes of the current command's arguments (CLIENT LIST argv-mem).
    pub argv_mem: usize,
    /// Largest reply buffer seen (CLIENT LIST rbp).
    pub reply_peak: usize,
    pub subs: crate::pubsub::ClientSubs,
    /// Set between MULTI and EXEC/DISCARD.
    pub multi: Option<crate::multi::MultiState>,
    pub watched: Vec<crate::multi::Watched>,
    /// A watched key was touched: EXEC will fail.
    pub dirty_cas: bool,
    /// Set while the client waits in a blocking command.
    pub blocked: Option<crate::blocking::Blocked>,
    /// The command being run asked to block (see `Ctx::block_on_keys`).
    pub block_requested: bool,
    /// Waiting for CLIENT PAUSE to end before running its next command.
    pub postponed: bool,
    /// MONITOR was run: every command run is copied to this client.
    pub monitor: bool,
    /// When the output first went over the soft limit (ms), or 0.
    pub obuf_soft_limit_since: i64,
    /// This is our master's connection (Redis's CLIENT_MASTER).
    pub master: bool,
    /// REPLCONF options and, for a replica, its sync state.
    pub repl: Option<Box<crate::replication::ReplClient>>,
    /// The stream offset right after this client's last propagated write
    /// (what WAIT waits for).
    pub woff: i64,
}

impl ClientState {
    pub fn new(id: u64, key: usize, now_ms: i64) -> ClientState {
        ClientState {
            id,
            key,
            reply: ReplyBuf::new(),
            db: 0,
            name: None,
            lib_name: None,
            lib_ver: None,
            authenticated: false,
            addr: String::new(),
            laddr: String::new(),
            fd: -1,
            unix_socket: false,
            ctime_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: None,
            reply_off: false,
            reply_skip_next: false,
            reply_skip: false,
            close_after_reply: false,
            close_asap: false,
            no_evict: false,
            no_touch: false,
            qbuf_len: 0,
            qbuf_cap: 0,
            argv_mem: 0,
            reply_peak: 0,
            subs: Default::default(),
            multi: None,
            watched: Vec::new(),
            dirty_cas: false,
            blocked: None,
            block_requested: false,
            postponed: false,
            monitor: false,
            obuf_soft_limit_since: 0,
            master: false,
            repl: None,
            woff: 0,
        }
    }
}

/// Bytes read per readable event, as Redis's PROTO_IOBUF_LEN.
pub const IOBUF_LEN: usize = 16 * 1024;

pub struct Client {
    pub conn: Registered<Stream>,
    /// Query buffer storage; only `querybuf[..qlen]` holds data. The storage
    /// stays initialised, so a read never zero-fills its target first.
    pub querybuf: Vec<u8>,
    pub qlen: usize,
    pub parser: Parser,
    /// Bytes of `st.reply.buf` already written to the socket.
    pub sent: usize,
    /// Whether this client is queued for a write before the next sleep.
    pub pending_write: bool,
    pub st: ClientState,
}

pub enum ReadOutcome {
    Data,
    WouldBlock,
    Closed,
    Error(io::Error),
}

impl Client {
    pub fn new(conn: Registered<Stream>, st: ClientState) -> Client {
        Client {
            conn,
            querybuf: Vec::new(),
            qlen: 0,
            parser: Parser::new(),
            sent: 0,
            pending_write: false,
            st,
        }
    }

    pub fn raw_fd(&self) -> i32 {
        self.conn.fd().as_raw_fd()
    }

    /// The bytes received and not yet consumed.
    pub fn query(&self) -> &[u8] {
        &self.querybuf[..self.qlen]
    }

    /// One read into the query buffer. Reads are sized for the bulk argument
    /// being received (so a big value arrives in few reads), but the buffer
    /// grows geometrically with what actually arrived, never by a length
    /// header's word alone.
    pub fn read(&mut self) -> ReadOutcome {
        let pending = self.parser.pending_bulk_bytes(self.qlen);
        let want = IOBUF_LEN.max(pending.min(self.qlen.max(IOBUF_LEN)));
        if self.querybuf.len() - self.qlen < want {
            let new_len = (self.qlen + want).max(self.querybuf.len() * 2).max(IOBUF_LEN);
            self.querybuf.resize(new_len, 0);
        }
        match self.conn.get().read(&mut self.querybuf[self.qlen..]) {
            Ok(0) => ReadOutcome::Closed,
            Ok(n) => {
                self.qlen += n;
                ReadOutcome::Data
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {
                ReadOutcome::WouldBlock
            }
            Err(e) => ReadOutcome::Error(e),
        }
    }

    /// Drops the bytes of commands already executed from the query buffer.
    pub fn trim_querybuf(&mut self) {
        let n = self.parser.consumed();
        if n > 0 {
            self.querybuf.copy_within(n..self.qlen, 0);
            self.qlen -= n;
            self.parser.shift(n);
        }
        // Give back a big buffer once it is idle, as Redis's clientsCron does.
        if self.qlen == 0 && self.querybuf.len() > 4 * IOBUF_LEN {
            self.querybuf = Vec::new();
        }
    }

    /// Frees the query and reply buffers of a client with nothing pending.
    pub fn release_idle_buffers(&mut self) {
        // An unfinished command always leaves bytes in the buffer.
        if self.qlen == 0 {
            self.querybuf = Vec::new();
        }
        if !self.has_pending_output() {
            self.st.reply.buf = Vec::new();
        }
    }

    /// Redis's checkClientOutputBufferLimits for this client's class
    /// (pub/sub when subscribed, else normal): the hard limit, or the soft
    /// limit held for longer than its seconds. Output up to the 16 KB Redis
    /// keeps in its static buffer is not counted.
    pub fn output_limit_reached(&mut self, limits: &[crate::config::Cobl; 3], now_ms: i64) -> bool {
        let class = if self.st.is_replica() {
            1
        } else if self.st.subs.active() {
            2
        } else {
            0
        };
        let l = &limits[class];
        // A syncing replica's stream waits in `pending`: it counts too, as
        // in Redis, where it is the output buffer.
        let pending = self.st.repl.as_ref().map_or(0, |r| r.pending.len());
        let used = (self.st.reply.buf.len() - self.sent + pending).saturating_sub(IOBUF_LEN) as u64;
        if l.hard > 0 && used >= l.hard {
            return true;
        }
        if l.soft > 0 && used >= l.soft {
            if self.st.obuf_soft_limit_since == 0 {
                self.st.obuf_soft_limit_since = now_ms;
            } else if now_ms - self.st.obuf_soft_limit_since > l.soft_seconds * 1000 {
                return true;
            }
        } else {
            self.st.obuf_soft_limit_since = 0;
        }
        false
    }

    /// Puts the client on the list of the next write pass, once.
    pub fn queue_write(&mut self, pending_writes: &mut Vec<usize>) {
        if !self.pending_write {
            self.pending_write = true;
            pending_writes.push(self.st.key);
        }
    }

    pub fn has_pending_output(&self) -> bool {
        self.sent < self.st.reply.buf.len()
    }

    /// Writes pending output. Returns the bytes written and whether
    /// everything was. Stops after `max_bytes` so one client with a huge
    /// reply cannot starve the others.
    pub fn write_pending(&mut self, max_bytes: usize) -> io::Result<(usize, bool)> {
        let mut written = 0;
        while self.sent < self.st.reply.buf.len() && written < max_bytes {
            let end = self.st.reply.buf.len().min(self.sent + (max_bytes - written));
            match self.conn.get().write(&self.st.reply.buf[self.sent..end]) {
                Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "write returned 0")),
                Ok(n) => {
                    self.sent += n;
                    written += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        if self.sent >= self.st.reply.buf.len() {
            self.st.reply.buf.clear();
            self.sent = 0;
            // Don't keep a huge buffer around after a big reply.
            if self.st.reply.buf.capacity() > 1 << 20 {
                self.st.reply.buf = Vec::new();
            }
            return Ok((written, true));
        }
        // Compact once most of a big buffer has been sent.
        if self.sent > (1 << 20) && self.sent * 2 > self.st.reply.buf.len() {
            self.st.reply.buf.drain(..self.sent);
            self.sent = 0;
        }
        Ok((written, false))
    }
}
