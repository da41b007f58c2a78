//! Loading an AOF at start-up (and for DEBUG LOADAOF): the manifest's files
//! in order, an RDB base through the RDB loader, command files replayed by
//! a client of their own (Redis's loadAppendOnlyFiles and
//! loadSingleAppendOnlyFile). Like an RDB load, it runs a slice per loop
//! turn while other clients get `-LOADING`.

use super::manifest::{AofFile, FileKind, Manifest};
use super::strerror;
use crate::client::ClientState;
use crate::resp::OwnedArgv;
use crate::server::Server;
use log::{info, warn};
use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Slab key of the AOF client (never a real slot).
pub const AOF_CLIENT_KEY: usize = usize::MAX - 101;
/// Longest `*<argc>` / `$<len>` line accepted.
const MAX_HEADER_LINE: u64 = 128;

/// A file of the AOF and where it comes in the load.
pub struct Part {
    name: String,
    path: PathBuf,
    len: u64,
    kind: FileKind,
    last: bool,
}

/// The AOF files left to load and the one being replayed.
pub struct AofLoad {
    parts: VecDeque<Part>,
    current: Option<Part>,
    replay: Option<Replay>,
    /// Bytes of the files done, for the progress INFO shows.
    done_bytes: u64,
    part_start: Instant,
}

/// Commands of one file being replayed.
struct Replay {
    input: BufReader<File>,
    /// Bytes consumed.
    pos: u64,
    /// End of the last complete command (where a torn file is cut).
    valid_up_to: u64,
    valid_before_multi: u64,
    client: Box<ClientState>,
}

/// Why a file stopped replaying early.
enum Stop {
    /// The file ends inside a command (or a MULTI block).
    Truncated,
    Format,
    Fatal(String),
}

impl Server {
    /// Reads the manifest, whether the AOF is on or not, so that files are
    /// numbered on from what is on disk (aofLoadManifestFromDisk). An
    /// invalid manifest is fatal, as in Redis.
    pub fn aof_load_manifest(&mut self) -> Result<(), String> {
        let manifest_path = self.aof_dir().join(format!("{}.manifest", self.cfg.appendfilename));
        self.aof.manifest = match fs::read(&manifest_path) {
            Ok(text) => Manifest::parse(&text)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Manifest::default(),
            Err(e) => return Err(format!("Can't open the AOF manifest file: {}", strerror(&e))),
        };
        Ok(())
    }

    /// Loads the files the manifest names (migrating an old single-file
    /// AOF into the directory first); false if there is no AOF.
    pub fn start_loading_aof(&mut self, at_startup: bool) -> Result<bool, String> {
        let dir = self.aof_dir();
        if self.aof.manifest.files().next().is_none() {
            match self.aof_upgrade_old_file()? {
                Some(m) => self.aof.manifest = m,
                None => return Ok(false),
            }
        }
        let files: Vec<AofFile> = self.aof.manifest.files().cloned().collect();
        let count = files.len();
        let mut parts = VecDeque::new();
        let mut total = 0;
        for (i, f) in files.into_iter().enumerate() {
            let path = dir.join(&f.name);
            let len = match fs::metadata(&path) {
                Ok(m) => m.len(),
                Err(e) => {
                    warn!(
                        "Unable to obtain the AOF file {} length. stat: {}",
                        f.name,
                        strerror(&e)
                    );
                    return Err(if e.kind() == io::ErrorKind::NotFound {
                        format!("The append log file {} doesn't exist: {}", f.name, strerror(&e))
                    } else {
                        format!(
                            "Fatal error: can't open the append log file {} for reading: {}",
                            f.name,
                            strerror(&e)
                        )
                    });
                }
            };
            total += len;
            parts.push_back(Part {
                name: f.name,
                path,
                len,
                kind: f.kind,
                last: i + 1 == count,
            });
        }
        if parts.iter().all(|p| p.len == 0) {
            // Only empty files: nothing to load, nothing to say.
            return Ok(false);
        }
        let load = AofLoad {
            parts,
            current: None,
            replay: None,
            done_bytes: 0,
            part_start: Instant::now(),
        };
        self.begin_loading(at_startup, total, Box::new(load));
        self.aof_next_part();
        Ok(true)
    }

    /// An `appendonly.aof` of Redis before 7.0 in `dir`: moved into the
    /// directory as its base (aofUpgradePrepare).
    fn aof_upgrade_old_file(&mut self) -> Result<Option<Manifest>, String> {
        let old = PathBuf::from(&self.cfg.appendfilename);
        if !fs::metadata(&old).is_ok_and(|m| m.is_file()) {
            return Ok(None);
        }
        let dir = self.create_aof_dir()?;
        let name = self.cfg.appendfilename.clone();
        let mut m = Manifest {
            base_seq: 1,
            ..Default::default()
        };
        m.base = Some(AofFile {
            name: name.clone(),
            seq: 1,
            kind: FileKind::Base,
        });
        self.aof.manifest = m.clone();
        self.persist_manifest()
            .map_err(|e| format!("Can't persist the AOF manifest: {}", strerror(&e)))?;
        fs::rename(&old, dir.join(&name))
            .map_err(|e| format!("Error trying to rename the old AOF file: {}", strerror(&e)))?;
        super::fsync_dir(&dir).map_err(|e| strerror(&e))?;
        info!(
            "Successfully migrated an old-style AOF file ({name}) into the AOF directory ({}).",
            self.cfg.appenddirname
        );
        Ok(Some(m))
    }

    /// Starts the next file, or ends the load after the last one.
    fn aof_next_part(&mut self) {
        loop {
            let Some(load) = self.loading.as_deref_mut().and_then(|l| l.aof.as_deref_mut()) else {
                return;
            };
            if let Some(done) = load.current.take() {
                load.done_bytes += done.len;
                let what = if done.kind == FileKind::Base { "base" } else { "incr" };
                info!(
                    "DB loaded from {what} file {}: {:.3} seconds",
                    done.name,
                    load.part_start.elapsed().as_secs_f64()
                );
            }
            let Some(part) = load.parts.pop_front() else {
                self.finish_loading(Ok(()));
                return;
            };
            load.part_start = Instant::now();
            if part.len == 0 {
                // An empty file (a fresh incr file): nothing in it.
                continue;
            }
            let base = load.done_bytes;
            let file = match File::open(&part.path) {
                Ok(f) => f,
                Err(e) => {
                    let msg = format!("Fatal error: can't open the AOF file {}: {}", part.name, strerror(&e));
                    return self.finish_loading(Err(msg));
                }
            };
            let is_rdb = is_rdb_file(&file);
            let len = part.len;
            if is_rdb {
                if part.name == self.cfg.appendfilename {
                    info!("Reading RDB preamble from AOF file...");
                } else {
                    info!("Reading RDB base file on AOF loading...");
                }
            }
            load.current = Some(part);
            if is_rdb {
                self.start_rdb_reader(file, len, base);
            } else {
                self.aof_start_replay(file, 0);
            }
            return;
        }
    }

    /// The RDB part of a file was read: its tail (if any) holds commands.
    pub fn aof_rdb_part_done(&mut self, res: Result<u64, String>) {
        let Some(load) = self.loading.as_deref_mut().and_then(|l| l.aof.as_deref_mut()) else {
            return;
        };
        let Some(part) = &load.current else { return };
        let end = match res {
            Ok(end) => end,
            Err(e) => {
                warn!("{e}");
                let msg = format!("Error reading the RDB base file {}, AOF loading aborted", part.name);
                return self.finish_loading(Err(msg));
            }
        };
        if end >= part.len {
            return self.aof_next_part();
        }
        info!("Reading the remaining AOF tail...");
        match File::open(&part.path) {
            Ok(f) => self.aof_start_replay(f, end),
            Err(e) => {
                let msg = format!("Fatal error: can't open the AOF file {}: {}", part.name, strerror(&e));
                self.finish_loading(Err(msg));
            }
        }
    }

    fn aof_start_replay(&mut self, mut file: File, from: u64) {
        if from > 0 && file.seek(SeekFrom::Start(from)).is_err() {
            return self.finish_loading(Err("Unrecoverable error seeking in the append only file".into()));
        }
        let Some(load) = self.loading.as_deref_mut().and_then(|l| l.aof.as_deref_mut()) else {
            return;
        };
        load.replay = Some(Replay {
            input: BufReader::with_capacity(256 * 1024, file),
            pos: from,
            valid_up_to: from,
            valid_before_multi: from,
            client: Box::new(ClientState::new(u64::MAX, AOF_CLIENT_KEY, self.now_ms)),
        });
    }

    /// Replays commands until `deadline` or the end of the file.
    pub fn aof_replay_step(&mut self, deadline: Instant) {
        let Some(load) = self.loading.as_deref_mut().and_then(|l| l.aof.as_deref_mut()) else {
            // Nothing left to read: the load is over.
            return self.finish_loading(Ok(()));
        };
        let Some(mut r) = load.replay.take() else {
            return self.aof_next_part();
        };
        let base = load.done_bytes;
        let mut n = 0u32;
        let outcome = loop {
            n += 1;
            if n.is_multiple_of(64) && Instant::now() >= deadline {
                break None;
            }
            let args = match r.read_command() {
                Ok(Some(args)) => args,
                Ok(None) if r.client.multi.is_some() => {
                    break Some(Err(Stop::Truncated));
                }
                Ok(None) => break Some(Ok(())),
                Err(stop) => break Some(Err(stop)),
            };
            if let Err(stop) = self.aof_run_command(&mut r, &args) {
                break Some(Err(stop));
            }
        };
        if let Some(l) = self.loading.as_deref() {
            l.loaded_bytes.store(base + r.pos, Ordering::Relaxed);
        }
        match outcome {
            None => {
                if let Some(load) = self.loading.as_deref_mut().and_then(|l| l.aof.as_deref_mut()) {
                    load.replay = Some(r);
                }
            }
            Some(Ok(())) => self.aof_next_part(),
            Some(Err(stop)) => self.aof_replay_stopped(r, stop),
        }
    }

    /// Runs one command of the file as the AOF client.
    fn aof_run_command(&mut self, r: &mut Replay, args: &[Vec<u8>]) -> Result<(), Stop> {
        let owned = OwnedArgv::from_vecs(args);
        let argv = owned.view();
        let Some(id) = self.table.resolve(&argv) else {
            let name = self.aof_current_name();
            return Err(Stop::Fatal(format!(
                "Unknown command '{}' reading the append only file {name}",
                String::from_utf8_lossy(&args[0])
            )));
        };
        let cmd = self.table.cmds[id as usize];
        let argc = argv.len() as i32;
        if cmd.handler.is_none() || (cmd.arity > 0 && argc != cmd.arity) || argc < -cmd.arity {
            return Err(Stop::Format);
        }
        let is_exec = cmd.name == "exec" && self.table.parent[id as usize].is_none();
        let is_multi = cmd.name == "multi";
        let before = r.valid_up_to;
        self.aof.replaying = true;
        match &mut r.client.multi {
            // Inside MULTI commands are queued, as the real client did.
            Some(m) if !is_exec => m.queue.push((id, owned.clone())),
            _ => self.call(&mut r.client, id, argv),
        }
        self.aof.replaying = false;
        r.client.reply.buf.clear();
        if is_multi {
            r.valid_before_multi = before;
        }
        r.valid_up_to = r.pos;
        Ok(())
    }

    fn aof_current_name(&self) -> String {
        self.loading
            .as_deref()
            .and_then(|l| l.aof.as_deref())
            .and_then(|a| a.current.as_ref())
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// A file that ends early or is malformed: a torn tail of the last
    /// file is cut off with `aof-load-truncated`; anything else is fatal.
    fn aof_replay_stopped(&mut self, r: Replay, stop: Stop) {
        let Some(load) = self.loading.as_deref().and_then(|l| l.aof.as_deref()) else {
            return;
        };
        let Some(part) = &load.current else { return };
        let (name, path, last) = (part.name.clone(), part.path.clone(), part.last);
        let fmterr = format!(
            "Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
        );
        let mut valid_up_to = r.valid_up_to;
        match stop {
            Stop::Fatal(msg) => return self.finish_loading(Err(msg)),
            Stop::Format => return self.finish_loading(Err(fmterr)),
            Stop::Truncated => {}
        }
        if r.client.multi.is_some() {
            warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
            valid_up_to = r.valid_before_multi;
        }
        drop(r);
        if self.cfg.aof_load_truncated {
            warn!("!!! Warning: short read while loading the AOF file {name}!!!");
            warn!("!!! Truncating the AOF {name} at offset {valid_up_to} !!!");
            let cut = fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_len(valid_up_to));
            match cut {
                Err(e) => warn!("Error truncating the AOF file {name}: {}", strerror(&e)),
                Ok(()) => {
                    warn!("AOF {name} loaded anyway because aof-load-truncated is enabled");
                    if !last {
                        return self.finish_loading(Err("Fatal error: the truncated file is not the last file".into()));
                    }
                    if let Some(p) = self
                        .loading
                        .as_deref_mut()
                        .and_then(|l| l.aof.as_deref_mut())
                        .and_then(|a| a.current.as_mut())
                    {
                        p.len = valid_up_to;
                    }
                    return self.aof_next_part();
                }
            }
        }
        self.finish_loading(Err(format!(
            "Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
        )))
    }

    /// DEBUG LOADAOF: writes out what is buffered, empties the dataset and
    /// loads the AOF again, on this thread.
    pub fn load_aof_blocking(&mut self) -> Result<(), String> {
        self.aof_flush_and_sync();
        self.empty_data(None, false);
        self.aof_load_manifest()?;
        self.aof_delete_history();
        match self.start_loading_aof(false) {
            Ok(true) => self.finish_loading_blocking(),
            Ok(false) => {}
            Err(e) => return Err(e),
        }
        if self.load_stats.failed {
            return Err("loading failed".into());
        }
        // A torn tail may have been cut off the file being appended to.
        if let Some(len) = self.aof_open_file_len() {
            self.aof_set_incr_size(len);
        }
        Ok(())
    }
}

/// True if the file starts with the RDB signature (a preamble base).
fn is_rdb_file(f: &File) -> bool {
    let mut sig = [0u8; 5];
    let mut r = f;
    let ok = r.read_exact(&mut sig).is_ok() && &sig == b"REDIS";
    let _ = r.seek(SeekFrom::Start(0));
    ok
}

impl Replay {
    /// The next command; None at a clean end of file.
    fn read_command(&mut self) -> Result<Option<Vec<Vec<u8>>>, Stop> {
        let mut line = Vec::with_capacity(32);
        loop {
            line.clear();
            if !self.read_line(&mut line)? {
                return Ok(None);
            }
            // Annotations (`#TS:...`) are skipped.
            if line[0] != b'#' {
                break;
            }
        }
        if line[0] != b'*' {
            return Err(Stop::Format);
        }
        let argc = parse_header(&line[1..]).filter(|&n| n >= 1).ok_or(Stop::Format)?;
        let mut args = Vec::with_capacity(argc.min(1024) as usize);
        for _ in 0..argc {
            line.clear();
            if !self.read_line(&mut line)? {
                return Err(Stop::Truncated);
            }
            if line[0] != b'$' {
                return Err(Stop::Format);
            }
            let len = parse_header(&line[1..]).ok_or(Stop::Format)?;
            // Grows as data arrives: a bogus length cannot allocate ahead.
            let mut arg = Vec::new();
            let want = len.checked_add(2).ok_or(Stop::Format)?;
            let got = (&mut self.input).take(want).read_to_end(&mut arg).map_err(|e| {
                Stop::Fatal(format!(
                    "Unrecoverable error reading the append only file: {}",
                    strerror(&e)
                ))
            })?;
            self.pos += got as u64;
            if (got as u64) < want {
                return Err(Stop::Truncated);
            }
            arg.truncate(len as usize);
            args.push(arg);
        }
        Ok(Some(args))
    }

    /// Reads a header line; false at a clean end of file.
    fn read_line(&mut self, line: &mut Vec<u8>) -> Result<bool, Stop> {
        let got = (&mut self.input)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', line)
            .map_err(|e| {
                Stop::Fatal(format!(
                    "Unrecoverable error reading the append only file: {}",
                    strerror(&e)
                ))
            })?;
        self.pos += got as u64;
        if got == 0 {
            return Ok(false);
        }
        if !line.ends_with(b"\n") {
            // Cut off by the end of the file, or an absurdly long line.
            return Err(if (got as u64) < MAX_HEADER_LINE {
                Stop::Truncated
            } else {
                Stop::Format
            });
        }
        Ok(true)
    }
}

/// The number after `*` or `$` (atoi-like, as Redis reads it).
fn parse_header(s: &[u8]) -> Option<u64> {
    let s = s.strip_suffix(b"\n").unwrap_or(s);
    let s = s.strip_suffix(b"\r").unwrap_or(s);
    let n = crate::util::string2ll(s)?;
    u64::try_from(n).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_numbers() {
        assert_eq!(parse_header(b"3\r\n"), Some(3));
        assert_eq!(parse_header(b"-1\r\n"), None);
        assert_eq!(parse_header(b"x\r\n"), None);
    }
}
