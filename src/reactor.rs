//! The poller: a thin wrapper over `polling` (epoll on Linux), the only
//! module with `unsafe` code.
//!
//! `Poller::add` is unsafe because the OS registration must be removed
//! before the file descriptor is closed, or a recycled descriptor could
//! deliver events under a stale key. `Registered` makes that structural: it
//! owns the source and deletes the registration in its `Drop`, before the
//! source itself is dropped and closed.
//!
//! Sources are registered level-triggered where the OS supports it (as
//! Redis's ae does with epoll), so interest never needs re-arming after an
//! event; only a change of interest (adding or dropping writability) costs
//! a system call.

use polling::{Event, Events, PollMode, Poller};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::Arc;
use std::time::Duration;

pub struct Reactor {
    poller: Arc<Poller>,
    mode: PollMode,
    events: Events,
}

/// A handle other threads use to wake the loop (job completions).
#[derive(Clone)]
pub struct Waker(Arc<Poller>);

impl Waker {
    pub fn wake(&self) {
        // A failed notify only delays the completion to the next cron tick.
        let _ = self.0.notify();
    }
}

impl Reactor {
    pub fn new() -> io::Result<Reactor> {
        let poller = Poller::new()?;
        let mode = if poller.supports_level() {
            PollMode::Level
        } else {
            PollMode::Oneshot
        };
        Ok(Reactor {
            poller: Arc::new(poller),
            mode,
            events: Events::new(),
        })
    }

    pub fn waker(&self) -> Waker {
        Waker(self.poller.clone())
    }

    /// Registers `source` under `key`, readable (and writable if asked).
    pub fn register<S: AsFd>(&self, source: S, key: usize, writable: bool) -> io::Result<Registered<S>> {
        let raw = source.as_fd().as_raw_fd();
        // SAFETY: the returned `Registered` owns `source` and deletes this
        // registration in its `Drop` before `source` is dropped, so the
        // descriptor is never closed while still registered.
        unsafe {
            self.poller.add_with_mode(raw, interest(key, writable), self.mode)?;
        }
        Ok(Registered {
            source,
            poller: self.poller.clone(),
            key,
            writable,
            mode: self.mode,
        })
    }

    /// Waits for events (or `timeout`) and calls `f(key, readable, writable)`
    /// for each. Wake-ups by `Waker` produce no event.
    pub fn poll(&mut self, timeout: Option<Duration>, mut f: impl FnMut(usize, bool, bool)) -> io::Result<()> {
        self.events.clear();
        match self.poller.wait(&mut self.events, timeout) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e),
        }
        for ev in self.events.iter() {
            f(ev.key, ev.readable, ev.writable);
        }
        Ok(())
    }
}

fn interest(key: usize, writable: bool) -> Event {
    if writable {
        Event::all(key)
    } else {
        Event::readable(key)
    }
}

/// A source registered with the poller; deregistered when dropped.
pub struct Registered<S: AsFd> {
    source: S,
    poller: Arc<Poller>,
    key: usize,
    writable: bool,
    mode: PollMode,
}

impl<S: AsFd> Registered<S> {
    pub fn get(&self) -> &S {
        &self.source
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.source.as_fd()
    }

    /// Adds or drops interest in writability; a no-op if unchanged (except in
    /// oneshot mode, where every event must be re-armed).
    pub fn set_writable(&mut self, writable: bool) -> io::Result<()> {
        if writable == self.writable && self.mode != PollMode::Oneshot {
            return Ok(());
        }
        self.writable = writable;
        self.rearm()
    }

    /// Re-arms interest after an event (needed only in oneshot mode).
    pub fn rearm_if_oneshot(&self) -> io::Result<()> {
        if self.mode == PollMode::Oneshot {
            self.rearm()
        } else {
            Ok(())
        }
    }

    fn rearm(&self) -> io::Result<()> {
        self.poller
            .modify_with_mode(self.source.as_fd(), interest(self.key, self.writable), self.mode)
    }
}

impl<S: AsFd> Drop for Registered<S> {
    fn drop(&mut self) {
        // Deleting can only fail if the fd was never registered; nothing to do.
        let _ = self.poller.delete(self.source.as_fd());
    }
}
