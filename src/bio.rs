//! Background jobs on a fixed worker pool, as Redis's bio threads.
//!
//! Jobs own their data (`'static + Send`); they never touch the keyspace.
//! A job that has a result for the main thread sends back a closure that the
//! loop runs with `&mut Server` (after `Waker::wake` interrupts its poll).

use crate::reactor::Waker;
use crate::server::Server;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use threadpool::ThreadPool;

pub type Completion = Box<dyn FnOnce(&mut Server) + Send>;

/// Values whose free effort exceeds this are dropped on the pool
/// (Redis's LAZYFREE_THRESHOLD).
pub const LAZYFREE_THRESHOLD: usize = 64;

pub struct Bio {
    pool: ThreadPool,
    tx: Sender<Completion>,
    rx: Receiver<Completion>,
    waker: Waker,
    /// Objects queued for freeing and not yet freed (INFO lazyfree_pending_objects).
    lazyfree_pending: Arc<AtomicUsize>,
    /// Objects freed in the background since start (INFO lazyfreed_objects).
    lazyfreed: Arc<AtomicUsize>,
}

impl Bio {
    pub fn new(threads: usize, waker: Waker) -> Bio {
        let (tx, rx) = channel();
        Bio {
            pool: threadpool::Builder::new()
                .num_threads(threads)
                .thread_name("fastkey-bio".into())
                .build(),
            tx,
            rx,
            waker,
            lazyfree_pending: Arc::new(AtomicUsize::new(0)),
            lazyfreed: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn pool(&self) -> ThreadPool {
        self.pool.clone()
    }

    /// Runs `job` on the pool; nothing comes back.
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        self.pool.execute(job);
    }

    /// Runs `job` on the pool; the closure it returns runs on the loop.
    pub fn spawn_with_completion(&self, job: impl FnOnce() -> Completion + Send + 'static) {
        let tx = self.tx.clone();
        let waker = self.waker.clone();
        self.pool.execute(move || {
            // The receiver lives as long as the server; a send can only fail
            // during exit, when the result no longer matters.
            let _ = tx.send(job());
            waker.wake();
        });
    }

    /// Drops `value` on the pool (UNLINK, FLUSHALL ASYNC, lazyfree-lazy-*).
    pub fn lazy_free<T: Send + 'static>(&self, value: T, objects: usize) {
        self.lazyfree_pending.fetch_add(objects, Ordering::Relaxed);
        let pending = self.lazyfree_pending.clone();
        let freed = self.lazyfreed.clone();
        self.pool.execute(move || {
            drop(value);
            pending.fetch_sub(objects, Ordering::Relaxed);
            freed.fetch_add(objects, Ordering::Relaxed);
        });
    }

    pub fn lazyfree_pending(&self) -> usize {
        self.lazyfree_pending.load(Ordering::Relaxed)
    }

    pub fn lazyfreed(&self) -> usize {
        self.lazyfreed.load(Ordering::Relaxed)
    }

    /// Completions that have arrived, to run on the loop.
    pub fn take_completions(&self) -> Vec<Completion> {
        self.rx.try_iter().collect()
    }

    /// Waits for every queued job (shutdown, tests).
    pub fn join(&self) {
        self.pool.join();
    }
}
