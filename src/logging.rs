//! Logging in Redis's line format, written off the event loop.
//!
//! `pid:R dd Mon yyyy hh:mm:ss.mmm <mark> message`, where R is the role
//! (M master, S replica, C child) and the mark gives the level (`.` debug,
//! `-` verbose, `*` notice, `#` warning). fern formats each record on the
//! calling thread and appends it to a shared buffer; the bytes are written
//! to the log file by a job on the worker pool, so a slow disk never stalls
//! the loop. Ordering holds because a writer takes the buffer only while
//! holding the file lock.

use log::{Level, LevelFilter};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use threadpool::ThreadPool;

/// Redis log levels mapped onto the `log` crate's.
pub fn level_filter(redis_level: &str) -> LevelFilter {
    match redis_level {
        "debug" => LevelFilter::Trace,
        "verbose" => LevelFilter::Debug,
        "notice" => LevelFilter::Info,
        "warning" => LevelFilter::Warn,
        _ => LevelFilter::Off, // "nothing"
    }
}

fn mark(level: Level) -> char {
    match level {
        Level::Trace => '.',
        Level::Debug => '-',
        Level::Info => '*',
        Level::Warn | Level::Error => '#',
    }
}

/// The role letter in every line; changes when the server becomes a replica.
static ROLE: AtomicU8 = AtomicU8::new(b'M');

pub fn set_role(role: u8) {
    ROLE.store(role, Ordering::Relaxed);
}

enum Target {
    Stdout,
    File(File),
}

struct Sink {
    pending: Mutex<Vec<u8>>,
    target: Mutex<Target>,
    pool: Mutex<Option<ThreadPool>>,
}

static SINK: OnceLock<Arc<Sink>> = OnceLock::new();

impl Sink {
    fn append(self: &Arc<Self>, line: &[u8]) {
        let was_empty = {
            let mut p = lock(&self.pending);
            let was_empty = p.is_empty();
            p.extend_from_slice(line);
            was_empty
        };
        if !was_empty {
            return; // a flush job is already on its way
        }
        let pool = lock(&self.pool).clone();
        match pool {
            Some(pool) => {
                let me = self.clone();
                pool.execute(move || me.flush());
            }
            None => self.flush(),
        }
    }

    fn flush(&self) {
        let mut target = lock(&self.target);
        let bytes = std::mem::take(&mut *lock(&self.pending));
        if bytes.is_empty() {
            return;
        }
        // A failing log write has nowhere to be reported; drop it.
        let _ = match &mut *target {
            Target::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(&bytes).and_then(|_| out.flush())
            }
            Target::File(f) => f.write_all(&bytes),
        };
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the logger. `logfile` "" means standard output. Called once,
/// before the server starts; a later call only changes the level.
pub fn init(logfile: &str, level: &str) -> io::Result<()> {
    let target = open_target(logfile)?;
    let sink = Arc::new(Sink {
        pending: Mutex::new(Vec::new()),
        target: Mutex::new(target),
        pool: Mutex::new(None),
    });
    if SINK.set(sink.clone()).is_err() {
        set_level(level);
        return Ok(());
    }
    let pid = std::process::id();
    let dispatch = fern::Dispatch::new()
        .format(move |out, message, record| {
            let now = chrono::Local::now();
            out.finish(format_args!(
                "{}:{} {} {} {}",
                pid,
                ROLE.load(Ordering::Relaxed) as char,
                now.format("%d %b %Y %H:%M:%S%.3f"),
                mark(record.level()),
                message
            ))
        })
        .level(LevelFilter::Trace)
        .chain(fern::Output::call(move |record| {
            let mut line = record.args().to_string().into_bytes();
            line.push(b'\n');
            sink.append(&line);
        }));
    dispatch.apply().map_err(|e| io::Error::other(e.to_string()))?;
    set_level(level);
    Ok(())
}

fn open_target(logfile: &str) -> io::Result<Target> {
    if logfile.is_empty() {
        return Ok(Target::Stdout);
    }
    let f = OpenOptions::new().create(true).append(true).open(logfile)?;
    Ok(Target::File(f))
}

/// A line in the log format, for the few messages printed before the
/// logger exists (role `C`, as Redis before its config is loaded).
pub fn early_line(mark: char, msg: &str) -> String {
    format!(
        "{}:C {} {} {}",
        std::process::id(),
        chrono::Local::now().format("%d %b %Y %H:%M:%S%.3f"),
        mark,
        msg
    )
}

pub fn set_level(level: &str) {
    log::set_max_level(level_filter(level));
}

/// From now on, writes happen on `pool` instead of the calling thread.
pub fn use_pool(pool: ThreadPool) {
    if let Some(s) = SINK.get() {
        *lock(&s.pool) = Some(pool);
    }
}

/// Writes everything pending now, on this thread (at exit, after a crash).
pub fn flush() {
    if let Some(s) = SINK.get() {
        s.flush();
    }
}

/// Logs a raw block (the start-up logo) without the line prefix.
pub fn raw(text: &str) {
    if let Some(s) = SINK.get() {
        s.append(text.as_bytes());
    }
}
