//! Loading an RDB file into the keyspace: at start-up, while the loop
//! already accepts clients (they get `-LOADING` until it is done), and
//! synchronously for DEBUG RELOAD (Redis's rdbLoad and loadDataFromDisk).
//!
//! A worker on the pool reads and decodes the file and builds each value in
//! its final encoding (that is most of the work); the main thread only
//! inserts keys, a bounded batch per loop turn.

use crate::config::Config;
use crate::rdb::value::{value_from_rdb, LoadError};
use crate::rdb::{RdbEvent, RdbReader};
use crate::server::Server;
use log::{info, warn};
use std::fs::File;
use std::io::{self, BufReader};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Items per message from the reader.
const BATCH: usize = 512;
/// Messages queued ahead of the main thread (bounds the memory in flight).
const QUEUE: usize = 32;
/// Main-thread time spent inserting per loop turn.
const APPLY_SLICE: Duration = Duration::from_millis(5);

/// What the reader hands over.
enum Item {
    Aux(Vec<u8>, Vec<u8>),
    Function(Vec<u8>),
    Resize(usize, u64),
    /// A key whose collection was empty (Redis skips and counts them).
    EmptyKey(Vec<u8>),
    Key {
        db: usize,
        key: Vec<u8>,
        value: crate::object::Value,
        expire: Option<i64>,
        idle: Option<u64>,
        freq: Option<u8>,
    },
}

enum Msg {
    Items(Vec<Item>),
    /// The end: the offset just past the RDB data, or why it failed.
    Done(Result<u64, String>),
}

/// A load in progress (INFO's loading_* fields).
pub struct Loading {
    /// Messages from the RDB reader (None while AOF commands replay).
    rx: Option<mpsc::Receiver<Msg>>,
    /// The AOF files still to load, and the one replaying commands.
    pub aof: Option<Box<crate::aof::load::AofLoad>>,
    pub start: Instant,
    pub start_unix: i64,
    pub total_bytes: u64,
    pub loaded_bytes: Arc<AtomicU64>,
    pub rdb_used_mem: u64,
    keys_loaded: u64,
    keys_expired: u64,
    empty_keys: u64,
    /// DEBUG RELOAD MERGE: a key already present is replaced.
    merge: bool,
    /// Start-up load: failing ends the process, as in Redis.
    at_startup: bool,
    /// The repl-id, repl-offset and repl-stream-db aux fields.
    repl_id: Option<String>,
    repl_offset: Option<i64>,
    repl_stream_db: Option<i64>,
}

/// Counters of the last completed load (INFO persistence).
#[derive(Default)]
pub struct LoadStats {
    pub keys_loaded: u64,
    pub keys_expired: u64,
    /// The last load ended with an error.
    pub failed: bool,
}

impl Server {
    /// Starts loading `dbfilename` if it exists; false if there is none.
    pub fn start_loading(&mut self, at_startup: bool, merge: bool) -> io::Result<bool> {
        let file = match File::open(&self.cfg.dbfilename) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        self.begin_load(at_startup, merge, total_bytes, None);
        self.start_rdb_reader(file, total_bytes, 0);
        Ok(true)
    }

    /// Starts an empty load that AOF files are then fed to.
    pub fn begin_loading(&mut self, at_startup: bool, total_bytes: u64, aof: Box<crate::aof::load::AofLoad>) {
        self.begin_load(at_startup, false, total_bytes, Some(aof));
    }

    fn begin_load(
        &mut self,
        at_startup: bool,
        merge: bool,
        total_bytes: u64,
        aof: Option<Box<crate::aof::load::AofLoad>>,
    ) {
        self.load_stats.failed = false;
        self.loading = Some(Box::new(Loading {
            rx: None,
            aof,
            start: Instant::now(),
            start_unix: self.now_ms / 1000,
            total_bytes,
            loaded_bytes: Arc::new(AtomicU64::new(0)),
            rdb_used_mem: 0,
            keys_loaded: 0,
            keys_expired: 0,
            empty_keys: 0,
            merge,
            at_startup,
            repl_id: None,
            repl_offset: None,
            repl_stream_db: None,
        }));
    }

    /// Reads an RDB file on the pool; progress is counted from `base`
    /// bytes (the files of an AOF loaded before this one).
    pub fn start_rdb_reader(&mut self, file: File, len: u64, base: u64) {
        let Some(l) = self.loading.as_deref_mut() else { return };
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let progress = l.loaded_bytes.clone();
        let cfg = self.cfg.clone();
        let checksum = cfg.rdbchecksum && !self.skip_checksum_validation;
        let databases = self.dbs.len();
        self.bio.pool().execute(move || {
            let res = read_file(file, len, base, &cfg, checksum, databases, &tx, &progress);
            let _ = tx.send(Msg::Done(res));
        });
        l.rx = Some(rx);
    }

    /// One slice of loading (from the loop): inserts what the reader has
    /// produced, for a bounded time.
    pub fn loading_step(&mut self) {
        let deadline = Instant::now() + APPLY_SLICE;
        while Instant::now() < deadline {
            let Some(l) = &self.loading else { return };
            let Some(rx) = &l.rx else {
                self.aof_replay_step(deadline);
                return;
            };
            match rx.recv_timeout(Duration::from_millis(1)) {
                Ok(msg) => self.loading_apply(msg),
                Err(mpsc::RecvTimeoutError::Timeout) => return,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    self.loading_apply(Msg::Done(Err("the loader stopped".into())));
                }
            }
        }
    }

    /// Loads to the end on this thread (DEBUG RELOAD).
    pub fn load_blocking(&mut self, merge: bool) -> Result<(), String> {
        match self.start_loading(false, merge) {
            Ok(true) => {}
            Ok(false) => return Err("No such file or directory".into()),
            Err(e) => return Err(e.to_string()),
        }
        self.finish_loading_blocking();
        if self.load_stats.failed {
            return Err("loading failed".into());
        }
        Ok(())
    }

    /// Runs the load in progress to its end on this thread.
    pub fn finish_loading_blocking(&mut self) {
        while let Some(l) = &self.loading {
            match &l.rx {
                Some(rx) => {
                    let msg = rx.recv().unwrap_or(Msg::Done(Err("the loader stopped".into())));
                    self.loading_apply(msg);
                }
                None => self.aof_replay_step(Instant::now() + Duration::from_secs(3600)),
            }
        }
    }

    fn loading_apply(&mut self, msg: Msg) {
        match msg {
            Msg::Items(items) => {
                for it in items {
                    if let Err(e) = self.load_item(it) {
                        self.loading_apply(Msg::Done(Err(e)));
                        return;
                    }
                }
            }
            Msg::Done(res) => self.loading_done(res),
        }
    }

    fn load_item(&mut self, it: Item) -> Result<(), String> {
        let Some(l) = self.loading.as_deref_mut() else {
            return Ok(());
        };
        match it {
            Item::Aux(k, v) => {
                let v_str = String::from_utf8_lossy(&v);
                match &k[..] {
                    b"redis-ver" => info!("Loading RDB produced by version {v_str}"),
                    b"ctime" => {
                        let age = self.now_ms / 1000 - v_str.parse::<i64>().unwrap_or(0);
                        info!("RDB age {} seconds", age.max(0));
                    }
                    b"repl-id" => l.repl_id = Some(v_str.into_owned()),
                    b"repl-offset" => l.repl_offset = v_str.parse().ok(),
                    b"repl-stream-db" => l.repl_stream_db = v_str.parse().ok(),
                    b"used-mem" => {
                        l.rdb_used_mem = v_str.parse().unwrap_or(0);
                        info!(
                            "RDB memory usage when created {:.2} Mb",
                            l.rdb_used_mem as f64 / 1048576.0
                        );
                    }
                    _ => {}
                }
            }
            Item::Function(code) => {
                // As rdbLoad: an existing library is an error, unless
                // merging (DEBUG RELOAD MERGE) replaces it.
                let merge = l.merge;
                if let Err(e) = self.load_function_library(&code, merge) {
                    return Err(format!("Failed loading library: {e}"));
                }
            }
            Item::Resize(db, n) => self.dbs[db].reserve(n as usize),
            Item::EmptyKey(key) => {
                l.empty_keys += 1;
                if l.empty_keys <= 10 {
                    info!("rdbLoadObject skipping empty key: {}", String::from_utf8_lossy(&key));
                }
            }
            Item::Key {
                db,
                key,
                value,
                expire,
                idle,
                freq,
            } => {
                // A primary drops keys that expired while the file sat on
                // disk, as Redis does; not from an AOF base, whose later
                // commands expect the keyspace exactly as it was.
                // A replica keeps them: its master sends the DELs.
                if l.aof.is_none() && self.cfg.replicaof.is_none() && expire.is_some_and(|t| t < self.now_ms) {
                    l.keys_expired += 1;
                    return Ok(());
                }
                if self.dbs[db].contains_key(&key) {
                    if !l.merge {
                        return Err(format!(
                            "RDB has duplicated key '{}' in DB {db}",
                            String::from_utf8_lossy(&key)
                        ));
                    }
                    self.dbs[db].remove(&key);
                }
                l.keys_loaded += 1;
                let lfu = self.policy().is_lfu();
                let lru = crate::evict::restored_lru(
                    self.lru_init(),
                    lfu,
                    idle.map(|i| i.min(i64::MAX as u64) as i64),
                    freq.map(i64::from),
                    self.lru_clock,
                    self.now_ms,
                );
                self.dbs[db].add(&key, value, lru);
                if let Some(t) = expire {
                    self.dbs[db].set_expire(&key, t);
                }
            }
        }
        Ok(())
    }

    fn loading_done(&mut self, res: Result<u64, String>) {
        if self.loading.as_ref().is_some_and(|l| l.aof.is_some()) {
            if let Some(l) = self.loading.as_deref_mut() {
                l.rx = None;
            }
            if res.is_ok() {
                self.log_rdb_loaded();
            }
            return self.aof_rdb_part_done(res);
        }
        match res {
            Ok(_) => {
                self.log_rdb_loaded();
                self.finish_loading(Ok(()));
            }
            Err(e) => self.finish_loading(Err(e)),
        }
    }

    /// "Done loading RDB, ..." and the counters of INFO persistence.
    fn log_rdb_loaded(&mut self) {
        let Some(l) = self.loading.as_deref_mut() else { return };
        if l.empty_keys > 0 {
            info!(
                "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
                l.keys_loaded, l.keys_expired, l.empty_keys
            );
        } else {
            info!(
                "Done loading RDB, keys loaded: {}, keys expired: {}.",
                l.keys_loaded, l.keys_expired
            );
        }
        self.load_stats = LoadStats {
            keys_loaded: l.keys_loaded,
            keys_expired: l.keys_expired,
            failed: false,
        };
    }

    /// The end of a load: the dataset is ready, or the start-up fails.
    pub fn finish_loading(&mut self, res: Result<(), String>) {
        let Some(l) = self.loading.take() else { return };
        if self.link.state == crate::replica::LinkState::Loading {
            match &res {
                Ok(()) => {}
                Err(e) => warn!("{e}"),
            }
            return self.replica_load_done(res.is_ok());
        }
        match res {
            Ok(()) => {
                let secs = l.start.elapsed().as_secs_f64();
                if l.aof.is_some() {
                    info!("DB loaded from append only file: {secs:.3} seconds");
                } else if l.at_startup {
                    info!("DB loaded from disk: {secs:.3} seconds");
                }
                if let (true, Some(id), Some(offset), Some(db)) =
                    (l.at_startup, l.repl_id, l.repl_offset, l.repl_stream_db)
                {
                    self.restore_repl_position(id, offset, db);
                }
                if l.at_startup {
                    if self.cfg.appendonly {
                        if let Err(e) = self.aof_open_on_startup() {
                            warn!("{e}");
                            self.request_exit(1);
                            return;
                        }
                    }
                    self.announce_ready();
                }
            }
            Err(e) => {
                warn!("{e}");
                self.load_stats.failed = true;
                if l.at_startup {
                    if l.aof.is_none() {
                        warn!("Fatal error loading the DB: {e}. Exiting.");
                    }
                    self.request_exit(1);
                }
            }
        }
    }

    /// INFO's loading_loaded_perc and loading_eta_seconds.
    pub fn loading_progress(&self) -> Option<(f64, i64)> {
        let l = self.loading.as_ref()?;
        let loaded = l.loaded_bytes.load(Ordering::Relaxed);
        let perc = if l.total_bytes > 0 {
            loaded as f64 * 100.0 / l.total_bytes as f64
        } else {
            0.0
        };
        let elapsed = l.start.elapsed().as_secs_f64();
        let eta = if loaded > 0 {
            ((l.total_bytes.saturating_sub(loaded)) as f64 * elapsed / loaded as f64) as i64
        } else {
            1
        };
        Some((perc, eta))
    }
}

/// The reader side, on a pool thread: decodes events and builds values.
#[allow(clippy::too_many_arguments)]
fn read_file(
    file: File,
    total: u64,
    base: u64,
    cfg: &Config,
    checksum: bool,
    databases: usize,
    tx: &mpsc::SyncSender<Msg>,
    progress: &AtomicU64,
) -> Result<u64, String> {
    let input = BufReader::with_capacity(256 * 1024, file);
    let mut rd = RdbReader::from_read(input, Some(total), checksum).map_err(|e| e.to_string())?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut db = 0usize;
    let flush = |batch: &mut Vec<Item>, rd_offset: u64| -> Result<(), String> {
        progress.store(base + rd_offset, Ordering::Relaxed);
        let items = std::mem::replace(batch, Vec::with_capacity(BATCH));
        tx.send(Msg::Items(items)).map_err(|_| "loading cancelled".to_string())
    };
    let end = loop {
        let ev = rd.next_event().map_err(|e| e.to_string())?;
        match ev {
            None | Some(RdbEvent::Eof(_)) => break rd.offset(),
            Some(RdbEvent::Aux { key, value }) => batch.push(Item::Aux(key, value)),
            Some(RdbEvent::SelectDb(n)) => {
                db = usize::try_from(n).ok().filter(|&n| n < databases).ok_or_else(|| {
                    format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {databases} databases. Exiting"
                    )
                })?;
            }
            // A size hint only: capped by what the file could hold (a key
            // takes at least 3 bytes), so a bad header cannot allocate much.
            Some(RdbEvent::ResizeDb { db_size, .. }) => batch.push(Item::Resize(db, db_size.min(total / 3))),
            Some(RdbEvent::Function(code)) => batch.push(Item::Function(code)),
            Some(RdbEvent::ModuleAux { name, .. }) => {
                return Err(format!(
                    "The RDB file contains AUX module data I can't load: no matching module '{name}'"
                ));
            }
            Some(RdbEvent::EmptyKey { key, .. }) => batch.push(Item::EmptyKey(key)),
            Some(RdbEvent::Entry(e)) => {
                let e = *e;
                let value = value_from_rdb(e.value, cfg).map_err(|err| match err {
                    LoadError::Unsupported(t) => format!("Loading a {t} value is not supported yet"),
                    LoadError::BadData(m) => format!("Internal error in RDB reading: {m}"),
                })?;
                batch.push(Item::Key {
                    db,
                    key: e.key,
                    value,
                    expire: e.expire_ms,
                    idle: e.idle,
                    freq: e.freq,
                });
            }
        }
        if batch.len() >= BATCH {
            flush(&mut batch, rd.offset())?;
        }
    };
    flush(&mut batch, end)?;
    Ok(end)
}
