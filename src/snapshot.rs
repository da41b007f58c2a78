//! RDB snapshots: SAVE, BGSAVE without fork(), save points, and the save at
//! shutdown (Redis's rdb.c rdbSave / rdbSaveBackground and the save part of
//! serverCron).
//!
//! Redis gets a point-in-time copy from fork(). Fastkey gets it from the
//! keyspace itself: a BGSAVE starts a new *epoch*, and every key is saved
//! exactly once, as it was at that moment, by whichever comes first:
//!
//! - the walker, which scans each db's dict a slice per loop turn (the main
//!   thread keeps serving clients in between), or
//! - the key's first write (or removal) after the start, which captures the
//!   old value before the change (`Db::capture_key`).
//!
//! `Obj::snap` records the epoch a key was captured in; keys created after
//! the start are stamped with it at birth and so are never saved. Captured
//! values are clones: a string or a listpack-encoded hash or sorted set is
//! copied, another collection is an `Arc` shared with the keyspace until a
//! write copies it (`Arc::make_mut`), the way
//! fork shares pages. Captured keys go to a worker on the pool, which
//! serializes, compresses, writes, fsyncs and renames the file; the main
//! thread only clones and sends.

use crate::aof::rewrite::AofWriter;
use crate::bio::Completion;
use crate::db::SnapItem;
use crate::evict;
use crate::rdb::{AuxInfo, KeyLru, RdbWriter, SaveOptions};
use crate::server::{mstime, Server};
use log::{info, warn};
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Captured keys waiting to be written before the walker pauses.
const MAX_BACKLOG: usize = 200_000;
/// Keys sent to the writer in one message.
const BATCH: usize = 1024;
/// Main-thread time the walker takes per loop turn.
const WALK_SLICE: Duration = Duration::from_millis(2);
/// Redis's CONFIG_BGSAVE_RETRY_DELAY: seconds between attempts at a save
/// point after a failed one.
const BGSAVE_RETRY_DELAY: i64 = 5;

/// How LRU/LFU data is saved before each key, per `maxmemory-policy`.
#[derive(Clone, Copy)]
pub enum LruMode {
    None,
    Lru { clock: u32 },
    Lfu { decay_minutes: i32, now_ms: i64 },
}

impl LruMode {
    pub fn of(srv: &Server) -> LruMode {
        let p = srv.policy();
        if p.is_lfu() {
            LruMode::Lfu {
                decay_minutes: srv.cfg.lfu_decay_time,
                now_ms: srv.now_ms,
            }
        } else if p.tracks_lru_or_lfu() {
            LruMode::Lru { clock: srv.lru_clock }
        } else {
            LruMode::None
        }
    }

    pub fn key_lru(self, lru: u32) -> KeyLru {
        match self {
            LruMode::None => KeyLru::None,
            LruMode::Lru { clock } => KeyLru::Idle(evict::lru_idle_ms(lru, clock) / 1000),
            LruMode::Lfu { decay_minutes, now_ms } => {
                KeyLru::Freq(evict::lfu_decayed(lru, decay_minutes, now_ms).min(255) as u8)
            }
        }
    }
}

/// What a killed snapshot was writing, for the log line its end gets
/// (Redis logs a killed child by its kind).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Killed {
    Save,
    Transfer,
    AofRewrite,
}

/// What a snapshot writes.
#[derive(Clone, Debug)]
pub enum Target {
    /// `dbfilename` (BGSAVE).
    Rdb,
    /// The base of an AOF rewrite at `path`: an RDB file marked
    /// `aof-base`, or commands (`aof-use-rdb-preamble no`).
    AofBase { path: PathBuf, rdb: bool },
    /// A diskless full sync (rdbSaveToSlavesSockets): the RDB in the
    /// EOF-mark form, `$EOF:<mark>\r\n<rdb><mark>`, goes back to the loop
    /// in chunks (`SockChunk`) for the replicas' sockets; no file.
    ReplSockets { mark: String },
}

/// What the writer of a diskless sync sends to the loop.
pub enum SockChunk {
    Data(Vec<u8>),
    /// Everything was sent.
    End,
}

/// Bytes of a diskless sync per `SockChunk::Data`.
const SOCK_CHUNK: usize = 64 * 1024;
/// Chunks the writer may have in flight before it waits for the loop:
/// with the replicas' output high water, what a slow replica can hold.
pub const SOCK_CHUNKS_IN_FLIGHT: usize = 4;

/// The writer's output for a diskless sync: chunks over a bounded
/// channel, each waking the loop.
struct ChunkSink {
    tx: mpsc::SyncSender<SockChunk>,
    buf: Vec<u8>,
    waker: crate::reactor::Waker,
}

impl ChunkSink {
    fn send(&mut self, chunk: SockChunk) -> io::Result<()> {
        // Fails when the loop dropped the transfer (no replica left, or
        // the save was killed).
        self.tx
            .send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the replicas are gone"))?;
        self.waker.wake();
        Ok(())
    }
}

impl io::Write for ChunkSink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= SOCK_CHUNK {
            let chunk = std::mem::take(&mut self.buf);
            self.send(SockChunk::Data(chunk))?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            self.send(SockChunk::Data(chunk))?;
        }
        Ok(())
    }
}

/// Everything a file holds besides the keys, taken when the save starts.
pub struct FileHeader {
    pub opts: SaveOptions,
    pub ctime: i64,
    pub used_mem: u64,
    /// Function libraries (their code), saved before the databases.
    pub functions: Vec<Vec<u8>>,
    /// Per db: (keys, keys with a TTL) when the save started; empty dbs
    /// are skipped, as Redis does.
    pub db_sizes: Vec<(u64, u64)>,
    pub lru: LruMode,
    /// The file is an AOF base (the `aof-base` aux field).
    pub aof_base: bool,
    /// A command-form base starts with this time annotation
    /// (aof-timestamp-enabled).
    pub timestamp: Option<i64>,
    /// The replication position the data set stands for: stream db, id,
    /// offset (the repl-* aux fields), so a replica restarted from the
    /// file can resume with a partial resync.
    pub repl: Option<(i64, String, i64)>,
}

/// Opens the temp file a save writes before renaming it into place.
fn create_temp(name: &str) -> Result<File, String> {
    File::create(name).map_err(|e| {
        let dir = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        format!("Failed opening the temp RDB file {name} (in server root dir {dir}) for saving: {e}")
    })
}

/// The writer of a file: RDB, or AOF commands.
enum Sink<W: io::Write> {
    Rdb(RdbWriter<BufWriter<W>>),
    Aof(AofWriter<BufWriter<W>>),
}

impl<W: io::Write> Sink<W> {
    fn start(out: W, h: &FileHeader, rdb: bool) -> io::Result<Sink<W>> {
        let out = BufWriter::with_capacity(64 * 1024, out);
        if !rdb {
            let mut w = AofWriter::new(out);
            if let Some(t) = h.timestamp {
                w.timestamp(t)?;
            }
            w.functions(&h.functions)?;
            return Ok(Sink::Aof(w));
        }
        let mut rw = RdbWriter::new(out, h.opts)?;
        rw.info_aux(&AuxInfo {
            ctime: h.ctime,
            used_mem: h.used_mem,
            aof_base: h.aof_base,
            repl: h.repl.as_ref().map(|(db, id, offset)| crate::rdb::ReplAux {
                stream_db: *db,
                repl_id: id.as_bytes(),
                offset: *offset,
            }),
        })?;
        for f in &h.functions {
            rw.function(f)?;
        }
        Ok(Sink::Rdb(rw))
    }

    fn select_db(&mut self, db: usize, h: &FileHeader) -> io::Result<()> {
        match self {
            Sink::Rdb(rw) => {
                let (keys, expires) = h.db_sizes.get(db).copied().unwrap_or((0, 0));
                rw.select_db(db as u64, keys, expires)
            }
            Sink::Aof(w) => w.select_db(db),
        }
    }

    fn entry(&mut self, key: &[u8], v: &crate::object::Value, expire: Option<i64>, lru: KeyLru) -> io::Result<()> {
        match self {
            Sink::Rdb(rw) => rw.entry(key, v, expire, lru),
            Sink::Aof(w) => w.entry(key, v, expire),
        }
    }

    /// Ends the output: trailer and flush; gives the writer back.
    fn end(self) -> io::Result<W> {
        let out = match self {
            Sink::Rdb(rw) => rw.finish()?,
            Sink::Aof(w) => w.finish()?,
        };
        out.into_inner().map_err(|e| e.into_error())
    }
}

impl Sink<File> {
    /// Ends a file: trailer, flush, fsync, and the atomic rename.
    fn finish(self, tmp: &str, path: &std::path::Path) -> io::Result<()> {
        let file = self.end()?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(tmp, path)
    }
}

/// Writes a whole file from `items` (db, key, value, expire) on this
/// thread: the base of a new AOF at start-up.
pub fn write_base_file(
    h: &FileHeader,
    tmp: &str,
    path: &std::path::Path,
    rdb: bool,
    items: Vec<(usize, Vec<u8>, crate::object::Value, Option<i64>)>,
) -> io::Result<()> {
    let mut sink = Sink::start(File::create(tmp)?, h, rdb)?;
    let mut current_db = None;
    for (db, key, value, expire) in items {
        if current_db != Some(db) {
            sink.select_db(db, h)?;
            current_db = Some(db);
        }
        sink.entry(&key, &value, expire, KeyLru::None)?;
    }
    sink.finish(tmp, path)
}

/// One message from the walker to the writer.
struct Batch {
    db: usize,
    items: Vec<SnapItem>,
}

/// Where the walker is.
struct Walk {
    /// Index in `Server::dbs` being walked...
    pos: usize,
    /// ...and the db it held when the save started (SWAPDB moves dicts).
    db: usize,
    cursor: u64,
}

/// A running BGSAVE or AOF rewrite.
pub struct Bgsave {
    id: u64,
    pub target: Target,
    tmp: String,
    tx: Option<mpsc::Sender<Batch>>,
    /// Keys sent and not yet written: the walker waits while it is high,
    /// so a slow disk bounds the memory a save holds.
    backlog: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    walk: Option<Walk>,
    pub start: Instant,
    dirty_at_start: u64,
    pub keys_total: u64,
    pub keys_sent: u64,
}

/// Persistence state and INFO persistence counters.
pub struct Persistence {
    pub bgsave: Option<Bgsave>,
    pub bgsave_scheduled: bool,
    /// The epoch of the last snapshot started.
    pub epoch: u16,
    pub last_bgsave_ok: bool,
    pub last_bgsave_try: i64,
    pub last_bgsave_time_sec: i64,
    pub rdb_saves: u64,
    /// Numbers BGSAVEs, so the completion of a killed one is recognized.
    bgsave_ids: u64,
    /// The last snapshot killed: its id and what it was writing.
    killed: Option<(u64, Killed)>,
    /// The main-thread pause taken to start the last BGSAVE (µs), the
    /// counterpart of Redis's `latest_fork_usec`.
    pub latest_fork_usec: u64,
}

impl Default for Persistence {
    fn default() -> Self {
        Persistence {
            bgsave: None,
            bgsave_scheduled: false,
            epoch: 0,
            last_bgsave_ok: true,
            last_bgsave_try: 0,
            last_bgsave_time_sec: -1,
            rdb_saves: 0,
            bgsave_ids: 0,
            killed: None,
            latest_fork_usec: 0,
        }
    }
}

impl Bgsave {
    pub fn is_aof(&self) -> bool {
        matches!(self.target, Target::AofBase { .. })
    }
}

impl Persistence {
    /// An RDB save runs (not an AOF rewrite).
    pub fn rdb_save_running(&self) -> bool {
        self.bgsave.as_ref().is_some_and(|b| !b.is_aof())
    }

    /// An AOF rewrite runs.
    pub fn aof_rewrite_running(&self) -> bool {
        self.bgsave.as_ref().is_some_and(Bgsave::is_aof)
    }

    /// BGSAVEs started: INFO's `total_forks` (fastkey's saves start
    /// without a fork, but tools read the counter).
    pub fn bgsaves_started(&self) -> u64 {
        self.bgsave_ids
    }
}

impl Server {
    pub fn file_header(&self, aof_base: bool) -> FileHeader {
        FileHeader {
            opts: SaveOptions {
                compression: self.cfg.rdbcompression,
                checksum: self.cfg.rdbchecksum,
            },
            ctime: self.now_ms / 1000,
            used_mem: crate::info::mem_stats().allocated,
            functions: self.function_libraries().map(<[u8]>::to_vec).collect(),
            db_sizes: self
                .dbs
                .iter()
                .map(|d| (d.len() as u64, d.expires().len() as u64))
                .collect(),
            lru: LruMode::of(self),
            aof_base,
            timestamp: (aof_base && self.cfg.aof_timestamp_enabled).then_some(self.now_ms / 1000),
            // An AOF base carries no replication position, as in Redis.
            repl: if aof_base { None } else { self.repl_save_info() },
        }
    }

    fn rdb_path(&self) -> PathBuf {
        PathBuf::from(&self.cfg.dbfilename)
    }

    /// Redis's rdbSave: writes the whole dataset now, on this thread (SAVE,
    /// shutdown, FLUSHALL with save points, DEBUG RELOAD).
    pub fn rdb_save(&mut self) -> Result<(), String> {
        if self.persist.rdb_save_running() {
            return Err("Background save already in progress".into());
        }
        let h = self.file_header(false);
        let tmp = format!("temp-{}.rdb", self.pid);
        let res = create_temp(&tmp).and_then(|f| {
            self.write_dataset(f, &h, &tmp)
                .map_err(|e| format!("Write error saving DB on disk: {e}"))
        });
        match res {
            Ok(()) => {
                info!("DB saved on disk");
                self.dirty = 0;
                self.lastsave_unix = mstime() / 1000;
                self.persist.last_bgsave_ok = true;
                self.persist.rdb_saves += 1;
                Ok(())
            }
            Err(e) => {
                warn!("{e}");
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    fn write_dataset(&self, f: File, h: &FileHeader, tmp: &str) -> io::Result<()> {
        let mut rw = Sink::start(f, h, true)?;
        for (i, db) in self.dbs.iter().enumerate() {
            if db.is_empty() {
                continue;
            }
            rw.select_db(i, h)?;
            for (k, o) in db.dict().iter() {
                let expire = if o.has_expire {
                    db.expires().get(k).copied()
                } else {
                    None
                };
                rw.entry(k, &o.v, expire, h.lru.key_lru(o.lru))?;
            }
        }
        rw.finish(tmp, &self.rdb_path())
    }

    /// Redis's rdbSaveBackground: starts a point-in-time save that runs
    /// while the loop keeps serving. Errors only if one already runs.
    pub fn rdb_bgsave(&mut self) -> Result<(), String> {
        if let Some(bg) = &self.persist.bgsave {
            return Err(if bg.is_aof() {
                "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."
            } else {
                "Background save already in progress"
            }
            .into());
        }
        self.persist.last_bgsave_try = self.now_ms / 1000;
        self.start_snapshot(Target::Rdb)?;
        info!("Background saving started by pid {}", self.pid);
        Ok(())
    }

    /// Starts a point-in-time snapshot of the dataset, written by a pool
    /// thread to `target` (an RDB save or an AOF rewrite's base).
    pub fn start_snapshot(&mut self, target: Target) -> Result<(), String> {
        self.start_snapshot_with(target, None)
    }

    /// `start_snapshot`; a `Target::ReplSockets` sends its chunks to `sock`.
    pub fn start_snapshot_with(
        &mut self,
        target: Target,
        sock: Option<mpsc::SyncSender<SockChunk>>,
    ) -> Result<(), String> {
        if self.persist.bgsave.is_some() {
            return Err("Background save already in progress".into());
        }
        let started = Instant::now();
        let epoch = self.next_snapshot_epoch();
        let (path, rdb, tmp_prefix) = match &target {
            Target::Rdb | Target::ReplSockets { .. } => (self.rdb_path(), true, "temp"),
            Target::AofBase { path, rdb } => (path.clone(), *rdb, "temp-rewriteaof-bg"),
        };
        let sock = match (&target, sock) {
            (Target::ReplSockets { mark }, Some(tx)) => Some((
                mark.clone(),
                ChunkSink {
                    tx,
                    buf: Vec::new(),
                    waker: self.bio.waker(),
                },
            )),
            (Target::ReplSockets { .. }, None) => return Err("no replicas to stream to".into()),
            _ => None,
        };
        let header = self.file_header(target_is_aof(&target));
        let mut keys_total = 0;
        for (i, db) in self.dbs.iter_mut().enumerate() {
            db.epoch = epoch;
            keys_total += db.len() as u64;
            db.capture = (!db.is_empty()).then(|| crate::db::Capture {
                db: i,
                items: Vec::new(),
            });
        }
        let (tx, rx) = mpsc::channel();
        let backlog = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        self.persist.bgsave_ids += 1;
        let id = self.persist.bgsave_ids;
        let tmp = match sock {
            // No file: nothing for a kill to remove.
            Some(_) => String::new(),
            None => format!("{tmp_prefix}-{}-{id}.{}", self.pid, if rdb { "rdb" } else { "aof" }),
        };
        let (bl, cn, tmp_name) = (backlog.clone(), cancel.clone(), tmp.clone());
        self.bio.spawn_with_completion(move || {
            let res = match sock {
                Some((mark, out)) => stream_snapshot(rx, &header, &mark, out, &bl, &cn),
                None => {
                    let res = write_snapshot(rx, &header, &tmp, &path, rdb, &bl, &cn);
                    if res.is_err() {
                        let _ = std::fs::remove_file(&tmp);
                    }
                    res
                }
            };
            Box::new(move |srv: &mut Server| srv.snapshot_done(id, res)) as Completion
        });
        self.persist.bgsave = Some(Bgsave {
            id,
            target,
            tmp: tmp_name,
            tx: Some(tx),
            backlog,
            cancel,
            walk: None,
            start: started,
            dirty_at_start: self.dirty,
            keys_total,
            keys_sent: 0,
        });
        self.persist.latest_fork_usec = started.elapsed().as_micros() as u64;
        Ok(())
    }

    /// A new epoch, different from every stamp in the keyspace.
    fn next_snapshot_epoch(&mut self) -> u16 {
        let (next, wrapped) = self.persist.epoch.overflowing_add(1);
        self.persist.epoch = next;
        if wrapped || next == 0 {
            // Every 65536 saves: clear old stamps so none can collide.
            for db in &mut self.dbs {
                db.epoch = 0;
                db.reset_stamps();
            }
            self.persist.epoch = 1;
        }
        self.persist.epoch
    }

    /// How long the loop may sleep for the sake of a running save: not at
    /// all while the walker has keys to visit and the writer keeps up; a
    /// millisecond while the writer catches up (no busy spin).
    pub fn snapshot_poll_timeout(&self) -> Option<Duration> {
        let bg = self.persist.bgsave.as_ref()?;
        bg.tx.as_ref()?;
        if bg.backlog.load(Ordering::Relaxed) < MAX_BACKLOG {
            Some(Duration::ZERO)
        } else {
            Some(Duration::from_millis(1))
        }
    }

    /// One slice of the walk (from before_sleep): sends what writes
    /// captured, then visits keys until the slice or the backlog is used up.
    pub fn snapshot_step(&mut self) {
        let Some(bg) = &mut self.persist.bgsave else { return };
        if bg.tx.is_none() {
            return;
        }
        let deadline = Instant::now() + WALK_SLICE;
        for db in &mut self.dbs {
            if let Some(cap) = &mut db.capture {
                if !cap.items.is_empty() {
                    send_batch(bg, cap.db, std::mem::take(&mut cap.items));
                }
            }
        }
        let mut steps = 0u32;
        while bg.backlog.load(Ordering::Relaxed) < MAX_BACKLOG {
            steps += 1;
            if steps.is_multiple_of(64) && Instant::now() >= deadline {
                return;
            }
            let walk = match bg.walk.take() {
                Some(w) if self.dbs[w.pos].capture.as_ref().is_some_and(|c| c.db == w.db) => w,
                // Not started, or SWAPDB moved the dict: (re)start a db.
                _ => match self.dbs.iter().position(|d| d.capture.is_some()) {
                    Some(pos) => Walk {
                        pos,
                        db: self.dbs[pos].capture.as_ref().map_or(0, |c| c.db),
                        cursor: 0,
                    },
                    None => {
                        // Everything captured: closing the channel tells
                        // the writer to finish the file.
                        bg.tx = None;
                        return;
                    }
                },
            };
            let db = &mut self.dbs[walk.pos];
            let cursor = db.capture_step(walk.cursor);
            let Some(cap) = &mut db.capture else { continue };
            if cursor == 0 {
                send_batch(bg, walk.db, std::mem::take(&mut cap.items));
                db.capture = None;
                continue;
            }
            if cap.items.len() >= BATCH {
                send_batch(bg, walk.db, std::mem::take(&mut cap.items));
            }
            bg.walk = Some(Walk { cursor, ..walk });
        }
    }

    /// Stops a running BGSAVE (FLUSHALL, shutdown): the temp file is
    /// removed and the old dump stays.
    pub fn kill_bgsave(&mut self) {
        if let Some(bg) = self.persist.bgsave.take() {
            let what = match bg.target {
                _ if bg.is_aof() => Killed::AofRewrite,
                Target::ReplSockets { .. } => Killed::Transfer,
                _ => Killed::Save,
            };
            self.persist.killed = Some((bg.id, what));
            bg.cancel.store(true, Ordering::Relaxed);
            // The writer checks `cancel` before renaming, and removes the
            // file too; removing it here covers an exit that comes first.
            if !bg.tmp.is_empty() {
                let _ = std::fs::remove_file(&bg.tmp);
            }
            for db in &mut self.dbs {
                db.capture = None;
            }
            if let Target::ReplSockets { .. } = bg.target {
                // The writer's next chunk finds no receiver and stops.
                self.repl.diskless = None;
            }
            if !bg.is_aof() {
                // Replicas waiting for this file will not get it.
                self.repl_bgsave_done(false);
            }
        }
    }

    fn snapshot_done(&mut self, id: u64, res: Result<(), String>) {
        if self.persist.bgsave.as_ref().is_none_or(|b| b.id != id) {
            // Killed: Redis stops its child with SIGUSR1, which does not
            // count as a failed save (it does as a failed rewrite).
            // A killed rewrite is just gone: whoever killed it (turning the
            // AOF off or on, shutdown) has already moved on.
            match self.persist.killed {
                Some((k, Killed::AofRewrite)) if k == id => {}
                Some((k, Killed::Transfer)) if k == id => warn!("Background transfer terminated by signal 10"),
                _ => warn!("Background saving terminated by signal 10"),
            }
            self.repl_start_waiting_sync();
            return;
        }
        let Some(bg) = self.persist.bgsave.take() else { return };
        for db in &mut self.dbs {
            db.capture = None;
        }
        let elapsed = bg.start.elapsed().as_secs() as i64;
        if let Target::ReplSockets { .. } = bg.target {
            // backgroundSaveDoneHandlerSocket: no file, so neither the
            // dirty counter nor LASTSAVE nor the save status move.
            self.persist.last_bgsave_time_sec = elapsed;
            match &res {
                Ok(()) => info!("Background RDB transfer terminated with success"),
                Err(e) => {
                    warn!("{e}");
                    warn!("Background transfer error");
                }
            }
            self.repl_diskless_writer_done(res.is_ok());
            self.repl_start_waiting_sync();
            return;
        }
        if let Target::AofBase { path, .. } = &bg.target {
            self.aof_rewrite_done(path, &bg.tmp, res, elapsed);
            self.repl_start_waiting_sync();
            return;
        }
        self.persist.last_bgsave_time_sec = elapsed;
        match res {
            Ok(()) => {
                info!("Background saving terminated with success");
                self.dirty = self.dirty.saturating_sub(bg.dirty_at_start);
                self.lastsave_unix = mstime() / 1000;
                self.persist.last_bgsave_ok = true;
                self.persist.rdb_saves += 1;
            }
            Err(e) => {
                warn!("{e}");
                warn!("Background saving error");
                self.persist.last_bgsave_ok = false;
            }
        }
        let ok = self.persist.last_bgsave_ok;
        self.repl_bgsave_done(ok);
        // Replicas that could not use this snapshot get their own.
        self.repl_start_waiting_sync();
    }

    /// The save part of serverCron: scheduled BGSAVEs and save points.
    pub fn save_cron(&mut self) {
        // Never while loading: a save of half the dataset would replace the
        // file being loaded.
        if self.persist.bgsave.is_some() || self.loading.is_some() {
            return;
        }
        let now = self.now_ms / 1000;
        if self.aof.rewrite_scheduled {
            // The AOF rewrite that waited for a save goes first (aof_cron).
            return;
        }
        if self.persist.bgsave_scheduled {
            self.persist.bgsave_scheduled = false;
            let _ = self.rdb_bgsave();
            return;
        }
        let retry_ok = now - self.persist.last_bgsave_try > BGSAVE_RETRY_DELAY || self.persist.last_bgsave_ok;
        let due = self.cfg.save.iter().copied().find(|&(secs, changes)| {
            self.dirty >= changes.max(0) as u64 && now - self.lastsave_unix > secs && retry_ok
        });
        if let Some((secs, changes)) = due {
            info!("{changes} changes in {secs} seconds. Saving...");
            let _ = self.rdb_bgsave();
        }
    }

    /// Redis's writeCommandsDeniedByDiskError for RDB: with save points
    /// and `stop-writes-on-bgsave-error`, a failed save stops writes.
    pub fn rdb_denies_writes(&self) -> bool {
        self.cfg.stop_writes_on_bgsave_error && !self.cfg.save.is_empty() && !self.persist.last_bgsave_ok
    }

    /// (keys handed to the writer, keys in the dataset when it started):
    /// INFO's current_save_keys_processed / _total.
    pub fn bgsave_progress(&self) -> (u64, u64) {
        self.persist
            .bgsave
            .as_ref()
            .map_or((0, 0), |b| (b.keys_sent, b.keys_total))
    }
}

fn send_batch(bg: &mut Bgsave, db: usize, items: Vec<SnapItem>) {
    if items.is_empty() {
        return;
    }
    let Some(tx) = &bg.tx else { return };
    bg.keys_sent += items.len() as u64;
    bg.backlog.fetch_add(items.len(), Ordering::Relaxed);
    // The writer only hangs up after an error; it reports that itself.
    let _ = tx.send(Batch { db, items });
}

/// The writer side of a BGSAVE, on a pool thread: writes batches as they
/// come (a SELECTDB whenever the db changes; loaders accept a db in
/// several runs), and finishes the file when the walker hangs up.
fn write_snapshot(
    rx: mpsc::Receiver<Batch>,
    h: &FileHeader,
    tmp: &str,
    path: &std::path::Path,
    rdb: bool,
    backlog: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<(), String> {
    let write_err = |e: io::Error| format!("Write error saving DB on disk: {e}");
    let out = create_temp(tmp)?;
    let mut rw = Sink::start(out, h, rdb).map_err(write_err)?;
    write_batches(rx, h, &mut rw, backlog, cancel)?;
    rw.finish(tmp, path).map_err(write_err)?;
    if rdb && !h.aof_base {
        info!("DB saved on disk");
    } else {
        info!("Successfully created the temporary AOF base file {tmp}");
    }
    Ok(())
}

/// The writer of a diskless sync (rdbSaveRioWithEOFMark): the mark line,
/// the RDB, the mark again, then `SockChunk::End`.
fn stream_snapshot(
    rx: mpsc::Receiver<Batch>,
    h: &FileHeader,
    mark: &str,
    mut out: ChunkSink,
    backlog: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<(), String> {
    use io::Write;
    let write_err = |e: io::Error| format!("Diskless rdb transfer, write error sending DB to replicas: {e}");
    out.write_all(format!("$EOF:{mark}\r\n").as_bytes())
        .map_err(write_err)?;
    let mut rw = Sink::start(out, h, true).map_err(write_err)?;
    write_batches(rx, h, &mut rw, backlog, cancel)?;
    let mut out = rw.end().map_err(write_err)?;
    out.write_all(mark.as_bytes()).map_err(write_err)?;
    out.flush().map_err(write_err)?;
    out.send(SockChunk::End).map_err(write_err)
}

/// Writes the batches as they come until the walker hangs up.
fn write_batches<W: io::Write>(
    rx: mpsc::Receiver<Batch>,
    h: &FileHeader,
    rw: &mut Sink<W>,
    backlog: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<(), String> {
    let write_err = |e: io::Error| format!("Write error saving DB on disk: {e}");
    let mut current_db = None;
    for batch in rx {
        if cancel.load(Ordering::Relaxed) {
            return Err("save aborted".into());
        }
        if current_db != Some(batch.db) {
            rw.select_db(batch.db, h).map_err(write_err)?;
            current_db = Some(batch.db);
        }
        let n = batch.items.len();
        for it in batch.items {
            rw.entry(&it.key, &it.value, it.expire, h.lru.key_lru(it.lru))
                .map_err(write_err)?;
            // When the keyspace has replaced the value since, this is its
            // last reference: the free happens here, off the loop.
        }
        backlog.fetch_sub(n, Ordering::Relaxed);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err("save aborted".into());
    }
    Ok(())
}

fn target_is_aof(t: &Target) -> bool {
    matches!(t, Target::AofBase { .. })
}
