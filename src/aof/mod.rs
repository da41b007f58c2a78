//! The append-only file, in Redis 7's multi-part layout (aof.c).
//!
//! `appenddirname` holds a manifest, one base file (an RDB file, or a
//! command log with `aof-use-rdb-preamble no`) and incremental command
//! logs. Propagated writes (`crate::propagate`) are appended to `Aof::buf`
//! as RESP commands; the buffer is written to the current incremental file
//! before any reply of the same loop turn leaves (`Server::aof_flush`), and
//! fsynced per `appendfsync`: before the replies for `always`, on the pool
//! once a second for `everysec`, never for `no`.
//!
//! A rewrite (BGREWRITEAOF, `auto-aof-rewrite-*`, CONFIG SET appendonly
//! yes) opens a new incremental file for the writes that follow and saves
//! a point-in-time base with the snapshot machinery (`crate::snapshot`);
//! once the base is on disk, the manifest names it and the older files
//! become history and are deleted.
//!
//! For WAITAOF, `Aof::fsynced_reploff` is the replication offset every
//! write up to which is known to be fsynced (Redis's fsynced_reploff); -1
//! while the AOF is off. Fsyncs report the offset they cover into
//! `fsynced_pending`, which `before_sleep` copies into it while the AOF is
//! on (not while the first base of an AOF turned on at runtime is written:
//! until then the file alone does not hold the dataset).

pub mod load;
pub mod manifest;
pub mod rewrite;

use crate::resp::OwnedArgv;
use crate::server::Server;
use log::{info, warn};
use manifest::Manifest;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AofState {
    Off,
    On,
    /// Turned on at runtime: writes are logged to a temporary incremental
    /// file until the first base exists.
    WaitRewrite,
}

/// The state of fsyncs run on the pool (everysec).
#[derive(Default)]
struct BioFsync {
    pending: AtomicUsize,
    /// The last background fsync failed (Redis's aof_bio_fsync_status).
    error: Mutex<Option<String>>,
}

pub struct Aof {
    pub state: AofState,
    /// Propagated commands not yet written (Redis's aof_buf).
    pub buf: Vec<u8>,
    /// The db the last command in the file ran in (SELECT is written when
    /// it changes).
    selected_db: Option<usize>,
    /// The incremental file being appended to.
    file: Option<File>,
    /// Its name: in the manifest, or the temporary one in WaitRewrite.
    file_name: String,
    pub manifest: Manifest,
    /// Bytes of the base plus every incremental file (aof_current_size).
    pub current_size: u64,
    /// Bytes after the last rewrite or start (aof_rewrite_base_size).
    pub base_size: u64,
    /// Bytes in the current incremental file (to undo a short write).
    incr_size: u64,
    /// Data written since the last fsync was started.
    unsynced: bool,
    last_fsync_ms: i64,
    bio: Arc<BioFsync>,
    /// The last write failed: writes are refused with MISCONF until a
    /// retry succeeds (aof_last_write_status, aof_last_write_errno).
    pub write_error: Option<String>,
    last_error_log_ms: i64,
    /// Second of the last `#TS:` annotation (aof-timestamp-enabled).
    last_ts: i64,
    pub rewrite_scheduled: bool,
    /// No retry of a failed scheduled rewrite before this time (ms).
    retry_at_ms: i64,
    pub last_rewrite_ok: bool,
    pub rewrites: u64,
    pub rewrite_failures: u64,
    pub last_rewrite_time_sec: i64,
    /// Commands of an incremental file are being replayed (not counted
    /// in command stats).
    pub replaying: bool,
    /// The replication offset covered by completed fsyncs, as WAITAOF and
    /// a replica's `REPLCONF ACK .. FACK` report it (fsynced_reploff): -1
    /// with the AOF off, 0 while the first base of an AOF turned on at
    /// runtime is written.
    pub fsynced_reploff: i64,
    /// The highest offset an fsync of this generation covered, applied to
    /// `fsynced_reploff` before the loop sleeps (fsynced_reploff_pending).
    fsynced_pending: i64,
    /// Bumped whenever offsets start over (AOF off, the first rewrite of
    /// an AOF turned on): a pool fsync started before reports an offset of
    /// another history and is ignored. Redis drains its fsync thread
    /// instead (bioDrainWorker); this never blocks the loop.
    fsync_generation: u64,
}

impl Default for Aof {
    fn default() -> Self {
        Aof {
            state: AofState::Off,
            buf: Vec::new(),
            selected_db: None,
            file: None,
            file_name: String::new(),
            manifest: Manifest::default(),
            current_size: 0,
            base_size: 0,
            incr_size: 0,
            unsynced: false,
            last_fsync_ms: 0,
            bio: Arc::default(),
            write_error: None,
            last_error_log_ms: 0,
            last_ts: 0,
            rewrite_scheduled: false,
            retry_at_ms: 0,
            last_rewrite_ok: true,
            rewrites: 0,
            rewrite_failures: 0,
            last_rewrite_time_sec: -1,
            replaying: false,
            fsynced_reploff: -1,
            fsynced_pending: 0,
            fsync_generation: 0,
        }
    }
}

impl Aof {
    pub fn pending_bio_fsync(&self) -> usize {
        self.bio.pending.load(Ordering::Relaxed)
    }

    /// Why writes are refused, if they are (MISCONF).
    pub fn error(&self) -> Option<String> {
        if self.state == AofState::Off {
            return None;
        }
        self.write_error
            .clone()
            .or_else(|| self.bio.error.lock().ok().and_then(|e| e.clone()))
    }
}

/// The text of an OS error as strerror() gives it, without Rust's
/// " (os error N)" suffix.
pub fn strerror(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Appends `argv` as a RESP multibulk, the form of every AOF command.
pub fn cat_command<'a>(out: &mut Vec<u8>, argv: impl ExactSizeIterator<Item = &'a [u8]>) {
    out.push(b'*');
    crate::util::push_u64(out, argv.len() as u64);
    out.extend_from_slice(b"\r\n");
    for a in argv {
        out.push(b'$');
        crate::util::push_u64(out, a.len() as u64);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Writes `text` to `dir/name` through a temp file, fsynced and renamed,
/// then fsyncs the directory (Redis's persistAofManifest).
fn write_atomically(dir: &Path, name: &str, text: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("temp-{name}"));
    let mut f = File::create(&tmp)?;
    f.write_all(text)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, dir.join(name))?;
    fsync_dir(dir)
}

pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl Server {
    pub fn aof_dir(&self) -> PathBuf {
        PathBuf::from(&self.cfg.appenddirname)
    }

    /// The AOF directory, created if missing.
    pub fn create_aof_dir(&self) -> Result<PathBuf, String> {
        let dir = self.aof_dir();
        fs::create_dir_all(&dir).map_err(|e| {
            format!(
                "Can't open or create append-only dir {}: {}",
                dir.display(),
                strerror(&e)
            )
        })?;
        Ok(dir)
    }

    fn manifest_name(&self) -> String {
        format!("{}.manifest", self.cfg.appendfilename)
    }

    /// Writes the manifest (persistAofManifest).
    pub fn persist_manifest(&mut self) -> io::Result<()> {
        let text = self.aof.manifest.render();
        write_atomically(&self.aof_dir(), &self.manifest_name(), text.as_bytes())
    }

    /// Appends a propagated command (feedAppendOnlyFile).
    pub fn aof_feed(&mut self, db: usize, argv: &OwnedArgv) {
        // Turned on at runtime: writes count from the rewrite's start.
        if self.aof.state == AofState::Off
            || (self.aof.state == AofState::WaitRewrite && !self.persist.aof_rewrite_running())
        {
            return;
        }
        if self.cfg.aof_timestamp_enabled {
            let now = self.now_ms / 1000;
            if now != self.aof.last_ts {
                self.aof.last_ts = now;
                self.aof.buf.extend_from_slice(format!("#TS:{now}\r\n").as_bytes());
            }
        }
        if self.aof.selected_db != Some(db) {
            let db_text = db.to_string();
            cat_command(&mut self.aof.buf, [&b"SELECT"[..], db_text.as_bytes()].into_iter());
            self.aof.selected_db = Some(db);
        }
        let v = argv.view();
        cat_command(&mut self.aof.buf, v.iter().collect::<Vec<_>>().into_iter());
    }

    /// Writes the buffer to the incremental file, and fsyncs per policy
    /// (flushAppendOnlyFile). Runs before replies are written, so a reply
    /// never leaves before its write reached the kernel.
    pub fn aof_flush(&mut self, force: bool) {
        if self.aof.buf.is_empty() {
            if self.aof.state == AofState::Off {
                return;
            }
            if !self.aof.unsynced {
                // Everything written is fsynced (or being fsynced): once no
                // fsync runs, the whole stream so far is covered. Offsets of
                // ops that reached replicas but not the AOF (a script's
                // redis.set_repl) would otherwise hold WAITAOF forever.
                if self.aof.pending_bio_fsync() == 0 {
                    self.aof_fsynced_up_to(self.aof.fsync_generation, self.repl.offset);
                }
            } else if self.cfg.appendfsync.as_str() == "always" {
                // Written under `everysec` before CONFIG SET appendfsync
                // always: fsynced now, as any write would be.
                self.aof_fsync_always();
            } else if self.now_ms - self.aof.last_fsync_ms >= 1000 && self.cfg.appendfsync.as_str() == "everysec" {
                // Data written earlier still owes its once-a-second fsync.
                // (Checked every loop turn: the cheap tests come first.)
                self.aof_background_fsync();
            }
            return;
        }
        let Some(file) = &mut self.aof.file else {
            self.aof.buf.clear();
            return;
        };
        let (written, res) = write_some(file, &self.aof.buf);
        if let Err(e) = res {
            self.aof_write_failed(written, &e);
            return;
        }
        self.aof.incr_size += written as u64;
        self.aof.current_size += written as u64;
        if self.aof.buf.capacity() > 4 << 20 {
            self.aof.buf = Vec::new();
        } else {
            self.aof.buf.clear();
        }
        if self.aof.write_error.take().is_some() {
            warn!("AOF write error looks solved, Redis can write again.");
        }
        self.aof.unsynced = true;
        match self.cfg.appendfsync.as_str() {
            "always" => self.aof_fsync_always(),
            "everysec" if force || self.now_ms - self.aof.last_fsync_ms >= 1000 => self.aof_background_fsync(),
            _ => {}
        }
    }

    /// `appendfsync always`: the file is fsynced before any reply leaves;
    /// a failure leaves nothing that could be promised, so the server exits.
    fn aof_fsync_always(&mut self) {
        let Some(file) = &self.aof.file else { return };
        if let Err(e) = file.sync_data() {
            warn!(
                "Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...",
                strerror(&e)
            );
            crate::logging::flush();
            std::process::exit(1);
        }
        self.aof.unsynced = false;
        self.aof.last_fsync_ms = self.now_ms;
        self.aof_fsynced_up_to(self.aof.fsync_generation, self.repl.offset);
    }

    /// A failed or short write: the partial command is cut off again so
    /// the file stays replayable, and writes are refused until a retry
    /// succeeds. With `always` nothing can be promised any more: exit.
    fn aof_write_failed(&mut self, written: usize, e: &io::Error) {
        if self.cfg.appendfsync.as_str() == "always" {
            warn!(
                "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting... ({})",
                strerror(e)
            );
            crate::logging::flush();
            std::process::exit(1);
        }
        if written > 0 {
            let undone = self
                .aof
                .file
                .as_ref()
                .is_some_and(|f| f.set_len(self.aof.incr_size).is_ok());
            if !undone {
                // Keep what reached the file and drop it from the buffer.
                self.aof.incr_size += written as u64;
                self.aof.current_size += written as u64;
                self.aof.buf.drain(..written);
            }
        }
        if self.now_ms - self.aof.last_error_log_ms > 30_000 {
            self.aof.last_error_log_ms = self.now_ms;
            warn!("Error writing to the AOF file: {}", strerror(e));
        }
        self.aof.write_error = Some(strerror(e));
    }

    /// Starts an fsync on the pool unless one is running (everysec). What
    /// it covers is the stream up to the offset of now; its completion
    /// reports that offset back to the loop.
    fn aof_background_fsync(&mut self) {
        let Some(file) = &self.aof.file else { return };
        if self.aof.bio.pending.load(Ordering::Relaxed) > 0 {
            return;
        }
        let Ok(f) = file.try_clone() else { return };
        self.aof.unsynced = false;
        self.aof.last_fsync_ms = self.now_ms;
        let (generation, offset) = (self.aof.fsync_generation, self.repl.offset);
        let bio = self.aof.bio.clone();
        bio.pending.fetch_add(1, Ordering::Relaxed);
        self.bio.spawn_with_completion(move || {
            let res = f.sync_data();
            let ok = res.is_ok();
            if let Ok(mut err) = bio.error.lock() {
                match res {
                    Ok(()) => {
                        if err.take().is_some() {
                            warn!("AOF fsync error looks solved, Redis can write again.");
                        }
                    }
                    Err(e) => {
                        warn!("Error trying to fsync the AOF file: {}", strerror(&e));
                        *err = Some(strerror(&e));
                    }
                }
            }
            bio.pending.fetch_sub(1, Ordering::Relaxed);
            Box::new(move |srv: &mut Server| {
                if ok {
                    srv.aof_fsynced_up_to(generation, offset);
                }
            })
        });
    }

    /// An fsync of `generation` covered the stream up to `offset`. Within
    /// a generation offsets only grow; a completion arriving after a later
    /// fsync was already counted must not move it back.
    fn aof_fsynced_up_to(&mut self, generation: u64, offset: i64) {
        if generation == self.aof.fsync_generation {
            self.aof.fsynced_pending = self.aof.fsynced_pending.max(offset);
        }
    }

    /// From before_sleep: the offset completed fsyncs cover becomes the
    /// one WAITAOF and ACKs report (beforeSleep's fsynced_reploff update).
    /// True when it moved.
    pub fn aof_update_fsynced(&mut self) -> bool {
        if self.aof.state != AofState::On || self.aof.fsynced_reploff == -1 {
            return false;
        }
        let prev = std::mem::replace(&mut self.aof.fsynced_reploff, self.aof.fsynced_pending);
        prev != self.aof.fsynced_reploff
    }

    /// Writes and fsyncs everything now (shutdown, appendonly no).
    pub fn aof_flush_and_sync(&mut self) {
        self.aof_flush(true);
        if let Some(f) = &self.aof.file {
            let _ = f.sync_data();
        }
        self.aof.unsynced = false;
    }

    /// The AOF part of serverCron: retry failed writes, the once-a-second
    /// fsync, scheduled and automatic rewrites.
    pub fn aof_cron(&mut self) {
        if self.aof.state != AofState::Off && (self.aof.write_error.is_some() || self.aof.unsynced) {
            self.aof_flush(false);
        }
        if self.persist.bgsave.is_some() || self.loading.is_some() {
            return;
        }
        if self.aof.rewrite_scheduled {
            if self.now_ms >= self.aof.retry_at_ms {
                let _ = self.aof_rewrite_start();
            }
            return;
        }
        if self.aof.state == AofState::On && self.cfg.auto_aof_rewrite_percentage > 0 {
            let base = self.aof.base_size.max(1);
            let size = self.aof.current_size;
            let growth = (size.saturating_sub(base) * 100 / base) as i64;
            if size >= self.cfg.auto_aof_rewrite_min_size.max(0) as u64
                && growth >= self.cfg.auto_aof_rewrite_percentage as i64
            {
                info!("Starting automatic rewriting of AOF on {growth}% growth");
                let _ = self.aof_rewrite_start();
            }
        }
    }

    /// After the start-up load (aofOpenIfNeededOnServerStart): creates the
    /// directory, a base for a new AOF, and opens the last incremental
    /// file (or a new one) for appending.
    pub fn aof_open_on_startup(&mut self) -> Result<(), String> {
        let dir = self.create_aof_dir()?;
        let prefix = self.cfg.appendfilename.clone();
        let fresh = self.aof.manifest.base.is_none() && self.aof.manifest.incr.is_empty();
        if fresh {
            let name = self.aof.manifest.new_base(&prefix, self.cfg.aof_use_rdb_preamble)?;
            self.write_base_now(&dir.join(&name))
                .map_err(|e| format!("Can't create the AOF base file {name}: {e}"))?;
            info!("Creating AOF base file {name} on server start");
        }
        let name = match self.aof.manifest.incr.last() {
            Some(f) => {
                info!("Opening AOF incr file {} on server start", f.name);
                f.name.clone()
            }
            None => {
                let name = self.aof.manifest.new_incr(&prefix)?;
                info!("Creating AOF incr file {name} on server start");
                name
            }
        };
        let file = open_append(&dir.join(&name))
            .map_err(|e| format!("Can't open the append-only file {name}: {}", strerror(&e)))?;
        self.aof.incr_size = file.metadata().map_or(0, |m| m.len());
        self.aof.file = Some(file);
        self.aof.file_name = name;
        self.persist_manifest()
            .map_err(|e| format!("Can't persist the AOF manifest: {}", strerror(&e)))?;
        // As Redis counts them: what was loaded, and the base alone as the
        // size a rewrite last left (a new AOF starts from zero).
        if fresh {
            self.aof.current_size = 0;
            self.aof.base_size = 0;
        } else {
            self.aof.current_size = self.aof_files_size();
            self.aof.base_size = self.aof_base_file_size();
        }
        self.aof.selected_db = None;
        self.aof.state = AofState::On;
        // Enabled from the start: the loaded files are the dataset, and the
        // next loop turn counts the whole stream as fsynced.
        if self.aof.fsynced_reploff == -1 {
            self.aof.fsynced_reploff = 0;
        }
        self.aof_delete_history();
        Ok(())
    }

    /// The length of the incr file being appended to, as the file says.
    pub fn aof_open_file_len(&self) -> Option<u64> {
        self.aof.file.as_ref().and_then(|f| f.metadata().ok()).map(|m| m.len())
    }

    pub fn aof_set_incr_size(&mut self, len: u64) {
        self.aof.incr_size = len;
    }

    fn aof_base_file_size(&self) -> u64 {
        let dir = self.aof_dir();
        self.aof
            .manifest
            .base
            .as_ref()
            .map_or(0, |f| fs::metadata(dir.join(&f.name)).map_or(0, |m| m.len()))
    }

    /// Bytes of every file the manifest names.
    fn aof_files_size(&self) -> u64 {
        let dir = self.aof_dir();
        self.aof
            .manifest
            .files()
            .map(|f| fs::metadata(dir.join(&f.name)).map_or(0, |m| m.len()))
            .sum()
    }

    /// Writes a base of the whole dataset now, on this thread (a new AOF
    /// at start-up, where the dataset is empty or small).
    fn write_base_now(&mut self, path: &Path) -> Result<(), String> {
        let header = self.file_header(true);
        let tmp = format!("temp-rewriteaof-{}.aof", self.pid);
        let items = self.dbs.iter().enumerate().flat_map(|(i, db)| {
            db.dict().iter().map(move |(k, o)| {
                let expire = if o.has_expire {
                    db.expires().get(k).copied()
                } else {
                    None
                };
                (i, k.to_vec(), o.v.clone(), expire)
            })
        });
        let items: Vec<_> = items.collect();
        let res = crate::snapshot::write_base_file(&header, &tmp, path, self.cfg.aof_use_rdb_preamble, items)
            .and_then(|()| fsync_dir(&self.aof_dir()));
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res.map_err(|e| strerror(&e))
    }

    /// CONFIG SET appendonly yes (startAppendOnly): writes go to a
    /// temporary incremental file while the first base is written.
    pub fn aof_enable(&mut self) -> Result<(), String> {
        if self.aof.state != AofState::Off {
            return Ok(());
        }
        self.create_aof_dir()?;
        self.aof.state = AofState::WaitRewrite;
        if self.persist.rdb_save_running() {
            // A save runs: the rewrite waits for it (aof_rewrite_scheduled).
            self.aof.rewrite_scheduled = true;
            warn!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
            return Ok(());
        }
        if self.in_exec {
            self.aof.rewrite_scheduled = true;
            warn!("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
            return Ok(());
        }
        if self.persist.aof_rewrite_running() {
            // A rewrite started while off has no incremental file to keep.
            warn!("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
            self.kill_bgsave();
        }
        if let Err(e) = self.aof_rewrite_start() {
            self.aof.state = AofState::Off;
            warn!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return Err(e);
        }
        Ok(())
    }

    /// CONFIG SET appendonly no (stopAppendOnly).
    pub fn aof_disable(&mut self) {
        if self.aof.state == AofState::Off {
            return;
        }
        self.aof_flush_and_sync();
        if self.persist.aof_rewrite_running() {
            warn!("Killing running AOF rewrite child: {}", self.pid);
            self.kill_bgsave();
        }
        self.aof.file = None;
        self.aof.state = AofState::Off;
        self.aof.rewrite_scheduled = false;
        self.aof.write_error = None;
        self.aof.buf.clear();
        self.aof.unsynced = false;
        // Nothing is promised while off; a replica turned on again may
        // follow another history with other offsets.
        self.aof.fsynced_reploff = -1;
        self.aof.fsynced_pending = 0;
        self.aof.fsync_generation += 1;
        if self.aof.file_name.starts_with("temp-") {
            let _ = fs::remove_file(self.aof_dir().join(&self.aof.file_name));
        }
    }

    /// BGREWRITEAOF (rewriteAppendOnlyFileBackground): later writes go to
    /// a new incremental file; the base is saved in the background.
    pub fn aof_rewrite_start(&mut self) -> Result<(), String> {
        if self.persist.bgsave.is_some() {
            return Err("Background save already in progress".into());
        }
        let dir = match self.create_aof_dir() {
            Ok(d) => d,
            Err(e) => return self.aof_rewrite_not_started(e),
        };
        self.aof_flush(true);
        if !self.aof.buf.is_empty() {
            // Writes the file refused are in the dataset the base would
            // hold, and would follow it again in the new incr file.
            return self.aof_rewrite_not_started("Can't rewrite the AOF while it can't be written".into());
        }
        let mut m = self.aof.manifest.clone();
        let base = match m.new_base(&self.cfg.appendfilename, self.cfg.aof_use_rdb_preamble) {
            Ok(b) => b,
            Err(e) => return self.aof_rewrite_not_started(e),
        };
        if let Err(e) = self.open_new_incr() {
            return self.aof_rewrite_not_started(format!("Can't open new incr AOF file: {e}"));
        }
        if self.aof.state == AofState::WaitRewrite {
            // The base will hold the stream up to here, fsynced; it counts
            // once the base exists (`aof_rewrite_done`). Fsyncs of another
            // history (a replica's former master) are ignored from now.
            self.aof.fsync_generation += 1;
            self.aof.fsynced_pending = self.repl.offset;
            self.aof.fsynced_reploff = 0;
        }
        self.start_snapshot(crate::snapshot::Target::AofBase {
            path: dir.join(base),
            rdb: self.cfg.aof_use_rdb_preamble,
        })?;
        self.aof.rewrite_scheduled = false;
        self.aof.rewrites += 1;
        info!("Background append only file rewriting started by pid {}", self.pid);
        Ok(())
    }

    /// A rewrite that could not start; turning the AOF on retries it.
    fn aof_rewrite_not_started(&mut self, why: String) -> Result<(), String> {
        warn!("{why}");
        self.aof.last_rewrite_ok = false;
        self.aof_retry_if_waiting();
        Err(why)
    }

    /// While the AOF waits for its first base, a failed rewrite is retried
    /// (from the cron, at most once a second).
    fn aof_retry_if_waiting(&mut self) {
        if self.aof.state == AofState::WaitRewrite {
            self.aof.rewrite_scheduled = true;
            self.aof.retry_at_ms = self.now_ms + 1000;
        }
    }

    /// The writes after a rewrite starts go to a new incremental file
    /// (openNewIncrAofForAppend); in WaitRewrite it is a temporary one
    /// that the manifest will name once the base exists.
    fn open_new_incr(&mut self) -> Result<(), String> {
        if self.aof.state == AofState::Off {
            // BGREWRITEAOF with the AOF off only writes a base.
            return Ok(());
        }
        let dir = self.aof_dir();
        let (name, mut m) = match self.aof.state {
            AofState::On => {
                let mut m = self.aof.manifest.clone();
                (m.new_incr(&self.cfg.appendfilename)?, Some(m))
            }
            _ => (format!("temp-{}.incr", self.cfg.appendfilename), None),
        };
        info!("Creating AOF incr file {name} on background rewrite");
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(dir.join(&name))
            .map_err(|e| strerror(&e))?;
        if let Some(m) = m.take() {
            let old = std::mem::replace(&mut self.aof.manifest, m);
            if let Err(e) = self.persist_manifest() {
                self.aof.manifest = old;
                let _ = fs::remove_file(dir.join(&name));
                return Err(strerror(&e));
            }
        }
        // The old file's data is complete: one last fsync for it, which
        // covers the stream so far (bioCreateCloseAofJob).
        if let Some(old) = self.aof.file.replace(file) {
            let (generation, offset) = (self.aof.fsync_generation, self.repl.offset);
            let bio = self.aof.bio.clone();
            bio.pending.fetch_add(1, Ordering::Relaxed);
            self.bio.spawn_with_completion(move || {
                let ok = old.sync_data().is_ok();
                bio.pending.fetch_sub(1, Ordering::Relaxed);
                Box::new(move |srv: &mut Server| {
                    if ok {
                        srv.aof_fsynced_up_to(generation, offset);
                    }
                })
            });
        }
        // The new file holds nothing yet, so nothing of it is unsynced.
        self.aof.unsynced = false;
        self.aof.file_name = name;
        self.aof.incr_size = 0;
        self.aof.selected_db = None;
        Ok(())
    }

    /// The base of a rewrite is on disk (backgroundRewriteDoneHandler):
    /// the manifest now names it, older files become history.
    pub fn aof_rewrite_done(&mut self, base: &Path, tmp: &str, res: Result<(), String>, elapsed_sec: i64) {
        self.aof.last_rewrite_time_sec = elapsed_sec;
        if let Err(e) = res {
            warn!("{e}");
            warn!("Background AOF rewrite terminated with error");
            return self.aof_rewrite_failed();
        }
        let prefix = self.cfg.appendfilename.clone();
        let mut m = self.aof.manifest.clone();
        let Ok(name) = m.new_base(&prefix, base.extension().is_some_and(|e| e == "rdb")) else {
            return self.aof_rewrite_failed();
        };
        info!("Successfully renamed the temporary AOF base file {tmp} into {name}");
        let dir = self.aof_dir();
        let mut renamed_incr = None;
        if self.aof.state == AofState::WaitRewrite {
            // The temporary incremental file becomes the first one.
            let incr = match m.new_incr(&prefix) {
                Ok(i) => i,
                Err(e) => {
                    warn!("{e}");
                    return self.aof_rewrite_failed();
                }
            };
            if let Err(e) = fs::rename(dir.join(&self.aof.file_name), dir.join(&incr)) {
                warn!("Error trying to rename the temporary AOF incr file: {}", strerror(&e));
                let _ = fs::remove_file(base);
                return self.aof_rewrite_failed();
            }
            info!(
                "Successfully renamed the temporary AOF incr file {} into {incr}",
                self.aof.file_name
            );
            renamed_incr = Some(incr);
        }
        // The file being appended to stays; with the AOF off, none does.
        m.mark_rewritten_incr_as_history(self.aof.file.is_some());
        let old = std::mem::replace(&mut self.aof.manifest, m);
        if debug_assert_same(base, &dir.join(&name)).is_err() || self.persist_manifest().is_err() {
            warn!("Background AOF rewrite failed to persist the manifest");
            self.aof.manifest = old;
            if let Some(incr) = renamed_incr {
                let _ = fs::rename(dir.join(incr), dir.join(&self.aof.file_name));
            }
            return self.aof_rewrite_failed();
        }
        if let Some(incr) = renamed_incr {
            self.aof.file_name = incr;
            self.aof.state = AofState::On;
            // The offset taken at the rewrite's start, or a later one an
            // fsync of the incr file reported meanwhile, is now valid.
            self.aof.fsynced_reploff = self.aof.fsynced_pending;
            info!("Background AOF rewrite finished successfully");
        }
        self.aof.last_rewrite_ok = true;
        self.aof.rewrite_failures = 0;
        self.aof.rewrite_scheduled = false;
        self.aof.current_size = self.aof_files_size();
        self.aof.base_size = self.aof.current_size;
        self.aof_delete_history();
        info!("Background AOF rewrite terminated with success");
    }

    fn aof_rewrite_failed(&mut self) {
        self.aof.last_rewrite_ok = false;
        self.aof.rewrite_failures += 1;
        self.aof_retry_if_waiting();
    }

    /// Deletes the files a rewrite made history (aofDelHistoryFiles),
    /// unless `aof-disable-auto-gc`.
    pub fn aof_delete_history(&mut self) {
        if self.cfg.aof_disable_auto_gc || self.aof.manifest.history.is_empty() {
            return;
        }
        let dir = self.aof_dir();
        let files: Vec<PathBuf> = self.aof.manifest.history.iter().map(|f| dir.join(&f.name)).collect();
        for f in &self.aof.manifest.history {
            info!("Removing the history file {} in the background", f.name);
        }
        self.aof.manifest.history.clear();
        if self.persist_manifest().is_ok() {
            self.bio.pool().execute(move || {
                for f in files {
                    let _ = fs::remove_file(f);
                }
            });
        }
    }

    /// MISCONF text when AOF writes fail (writeCommandsDeniedByDiskError).
    pub fn aof_denies_writes(&self) -> Option<String> {
        self.aof
            .error()
            .map(|e| format!("MISCONF Errors writing to the AOF file: {e}"))
    }
}

/// The rewrite's writer chose the base name from the same manifest the
/// completion derives it from: they must agree.
fn debug_assert_same(a: &Path, b: &Path) -> Result<(), ()> {
    if a == b {
        Ok(())
    } else {
        warn!("AOF base {} does not match the manifest's {}", a.display(), b.display());
        Err(())
    }
}

/// Writes as much of `buf` as the file takes: (bytes written, error).
fn write_some(f: &mut File, buf: &[u8]) -> (usize, io::Result<()>) {
    let mut done = 0;
    while done < buf.len() {
        match f.write(&buf[done..]) {
            Ok(0) => return (done, Err(io::Error::from(io::ErrorKind::WriteZero))),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (done, Err(e)),
        }
    }
    (done, Ok(()))
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}
