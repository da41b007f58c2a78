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

/// A key a client watches (kept by the client, for cleanup and EXEC).
pub struct Watched {
    pub db: usize,
    pub key: SBytes,
}

/// One client watching a key, and whether the key was already logically
/// expired when watched: deleting such a key is no change, re-creating it is.
#[derive(Clone, Copy)]
struct Watcher {
    client: usize,
    expired: bool,
}

/// Which clients watch each key: (db, key) -> watchers.
#[derive(Default)]
pub struct WatchedKeys {
    map: HashMap<(usize, SBytes), Vec<Watcher>>,
}

impl WatchedKeys {
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn add(&mut self, db: usize, key: &[u8], client: usize, expired: bool) {
        self.map
            .entry((db, SBytes::new(key)))
            .or_default()
            .push(Watcher { client, expired });
    }

    pub fn remove(&mut self, db: usize, key: &SBytes, client: usize) {
        let k = (db, key.clone());
        if let Some(v) = self.map.get_mut(&k) {
            v.retain(|w| w.client != client);
            if v.is_empty() {
                self.map.remove(&k);
            }
        }
    }

    /// Whether `client`'s watch on the key started on an expired key.
    pub fn watched_expired(&self, db: usize, key: &SBytes, client: usize) -> bool {
        self.map
            .get(&(db, key.clone()))
            .and_then(|v| v.iter().find(|w| w.client == client))
            .is_some_and(|w| w.expired)
    }
}

impl Server {
    /// Marks the transactions of every client watching `key` as failed
    /// (Redis's touchWatchedKey). A watch that began on an already expired
    /// key ignores the key's deletion: logically nothing changed.
    pub fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if self.watched_keys.is_empty() {
            return;
        }
        let k = (db, SBytes::new(key));
        let exists = self.dbs[db].contains_key(key);
        let Some(watchers) = self.watched_keys.map.get_mut(&k) else {
            return;
        };
        let mut dirty = Vec::new();
        for w in watchers.iter_mut() {
            if w.expired && !exists {
                w.expired = false;
            } else {
                dirty.push(w.client);
            }
        }
        for c in dirty {
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
    /// transactions watching a key of `db` that exists in `db` (and is going
    /// away) or in `other`, the db whose contents take its place.
    pub fn touch_all_watched_keys_in_db(&mut self, db: usize, other: Option<usize>) {
        if self.watched_keys.is_empty() {
            return;
        }
        let now = self.cmd_time_ms;
        let keys: Vec<SBytes> = self
            .watched_keys
            .map
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect();
        for key in keys {
            let deleted = self.dbs[db].contains_key(&key);
            let replacement = other.filter(|&o| self.dbs[o].contains_key(&key));
            if !deleted && replacement.is_none() {
                continue;
            }
            let replacement_expired = replacement.is_some_and(|o| self.dbs[o].is_expired_at(&key, now));
            let Some(watchers) = self.watched_keys.map.get_mut(&(db, key.clone())) else {
                continue;
            };
            let mut dirty = Vec::new();
            for w in watchers.iter_mut() {
                if w.expired {
                    // Gone and not replaced, or replaced by an expired key:
                    // still logically absent.
                    if replacement.is_none() {
                        w.expired = false;
                        continue;
                    } else if replacement_expired {
                        continue;
                    }
                }
                dirty.push(w.client);
            }
            for c in dirty {
                self.mark_dirty_cas(c);
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
