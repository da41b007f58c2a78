//! Transactions (Redis's multi.c): the queue of a client in MULTI, and the
//! watched keys that make EXEC fail when touched.

use crate::cmd::CmdId;
use crate::resp::OwnedArgv;
use crate::sbytes::SBytes;
use crate::server::Server;
use std::collections::HashMap;

/// A client between MULTI and EXEC/DISCARD.
#[derive(Default)]
pub struct MultiState {
    pub queue: Vec<(CmdId, OwnedArgv)>,
    /// A command was refused while queueing: EXEC answers EXECABORT.
    pub aborted: bool,
}

impl MultiState {
    pub fn mem(&self) -> usize {
        self.queue.iter().map(|(_, a)| a.mem()).sum()
    }
}

/// A key a client watches, and whether it was already logically expired
/// when watched (so that its expiry later does not count as a change).
pub struct Watched {
    pub db: usize,
    pub key: SBytes,
    pub expired_when_watched: bool,
}

/// Which clients watch each key: (db, key) -> client slab keys.
#[derive(Default)]
pub struct WatchedKeys {
    map: HashMap<(usize, SBytes), Vec<usize>>,
}

impl WatchedKeys {
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn add(&mut self, db: usize, key: &[u8], client: usize) {
        self.map.entry((db, SBytes::new(key))).or_default().push(client);
    }

    pub fn remove(&mut self, db: usize, key: &SBytes, client: usize) {
        let k = (db, key.clone());
        if let Some(v) = self.map.get_mut(&k) {
            v.retain(|&c| c != client);
            if v.is_empty() {
                self.map.remove(&k);
            }
        }
    }

    fn watchers(&self, db: usize, key: &[u8]) -> Option<&Vec<usize>> {
        self.map.get(&(db, SBytes::new(key)))
    }

    /// Watched keys of `db`, with their watchers.
    fn in_db(&self, db: usize) -> Vec<(SBytes, Vec<usize>)> {
        self.map
            .iter()
            .filter(|((d, _), _)| *d == db)
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect()
    }
}

impl Server {
    /// Marks the transactions of every client watching `key` as failed
    /// (Redis's touchWatchedKey).
    pub fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if self.watched_keys.is_empty() {
            return;
        }
        let Some(clients) = self.watched_keys.watchers(db, key).cloned() else {
            return;
        };
        for c in clients {
            self.mark_dirty_cas(c);
        }
    }

    fn mark_dirty_cas(&mut self, client: usize) {
        if self.running_client == Some(client) {
            self.running_client_dirty_cas = true;
        } else if let Some(Some(c)) = self.clients.get_mut(client) {
            c.st.dirty_cas = true;
        }
    }

    /// FLUSHDB/FLUSHALL (before emptying) and SWAPDB: fails the
    /// transactions watching a key of `db` that exists in `db` or in
    /// `other`, the db whose contents take its place.
    pub fn touch_all_watched_keys_in_db(&mut self, db: usize, other: Option<usize>) {
        if self.watched_keys.is_empty() {
            return;
        }
        for (key, clients) in self.watched_keys.in_db(db) {
            let exists = |d: usize| self.dbs[d].dict.contains_key(&key);
            if exists(db) || other.is_some_and(exists) {
                for c in clients {
                    self.mark_dirty_cas(c);
                }
            }
        }
    }

    /// Forgets every key a client watches (EXEC, DISCARD, UNWATCH, close).
    pub fn unwatch_all(&mut self, client: usize, watched: &mut Vec<Watched>) {
        for w in watched.drain(..) {
            self.watched_keys.remove(w.db, &w.key, client);
        }
    }
}
