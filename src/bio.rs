//! Background jobs on a fixed worker pool, as Redis's bio threads.
//!
//! Jobs own their data (`'static + Send`); they never touch the keyspace.
//! A job that has a result for the main thread sends back a closure that the
//! loop runs with `&mut Server` (after `Waker::wake` interrupts its poll).

use crate::reactor::Waker;
use crate::server::Server;
use std::sync::mpsc::{channel, Receiver, Sender};
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
        }
    }

    /// Interrupts the loop's poll (a job with news that is no completion).
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    pub fn pool(&self) -> ThreadPool {
        self.pool.clone()
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

    /// Completions that have arrived, to run on the loop.
    pub fn take_completions(&self) -> Vec<Completion> {
        self.rx.try_iter().collect()
    }
}

impl Server {
    /// Drops `value` on the pool (UNLINK, FLUSHALL ASYNC, lazyfree-lazy-*);
    /// `objects` is what INFO's lazyfree counters account for it.
    pub fn lazy_free<T: Send + 'static>(&mut self, value: T, objects: usize) {
        self.lazyfree_pending += objects;
        self.bio.spawn_with_completion(move || {
            drop(value);
            Box::new(move |srv: &mut Server| {
                srv.lazyfree_pending -= objects;
                srv.lazyfreed += objects;
            })
        });
    }
}
