//! Client-side caching (Redis's tracking.c): remembers which clients read
//! which keys, and tells them when those keys change.
//!
//! Default mode: after a read-only command, its keys are recorded for the
//! client; the first write to such a key sends one `invalidate` message to
//! every client that read it and forgets the key. BCAST mode: clients
//! register prefixes instead; every modified key matching a prefix is
//! collected and sent in one message per prefix before the loop sleeps.
//! Messages go out as RESP3 pushes, or, for a client redirecting to a RESP2
//! connection in pub/sub mode, as messages on `__redis__:invalidate`.

use crate::reply::ReplyBuf;
use crate::sbytes::SBytes;
use crate::server::Server;
use std::collections::{BTreeMap, HashMap};

pub const CHANNEL: &[u8] = b"__redis__:invalidate";

/// A client's tracking options (CLIENT TRACKING ON ...).
#[derive(Clone, Default, Debug)]
pub struct Mode {
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
    /// Id of the client receiving the messages; 0 for itself.
    pub redirect: u64,
    pub prefixes: Vec<Vec<u8>>,
    /// CLIENT CACHING was given for the next command.
    pub caching: bool,
    /// The redirect target has gone away.
    pub broken_redirect: bool,
}

/// Keys modified since the last broadcast, with the first client that
/// modified each (for NOLOOP), sorted as Redis's radix tree returns them.
#[derive(Default)]
struct Prefix {
    clients: Vec<u64>,
    pending: BTreeMap<Vec<u8>, Option<u64>>,
}

#[derive(Default)]
pub struct Tracking {
    /// Tracking clients by id.
    pub clients: HashMap<u64, Mode>,
    /// Key -> ids of the clients that read it.
    table: HashMap<SBytes, Vec<u64>>,
    items: usize,
    prefixes: BTreeMap<Vec<u8>, Prefix>,
    /// Invalidations for the running client, sent after its reply.
    pending_for_running: Vec<Option<SBytes>>,
}

impl Tracking {
    pub fn total_keys(&self) -> usize {
        self.table.len()
    }
    pub fn total_items(&self) -> usize {
        self.items
    }
    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

/// The body of an invalidation: one key, several keys, or nil (flush).
enum Keys<'a> {
    One(&'a [u8]),
    Many(&'a [Vec<u8>]),
    All,
}

impl Server {
    /// CLIENT TRACKING ON for client `id`, with its complete validated
    /// options (a BCAST client without prefixes gets every key, prefix "").
    pub fn enable_tracking(&mut self, id: u64, mut mode: Mode) {
        if mode.bcast {
            if mode.prefixes.is_empty() {
                mode.prefixes.push(Vec::new());
            }
            for p in &mode.prefixes {
                let pre = self.tracking.prefixes.entry(p.clone()).or_default();
                if !pre.clients.contains(&id) {
                    pre.clients.push(id);
                }
            }
        }
        self.tracking.clients.insert(id, mode);
    }

    /// CLIENT TRACKING OFF, or the client went away.
    pub fn disable_tracking(&mut self, id: u64) {
        let Some(mode) = self.tracking.clients.remove(&id) else {
            return;
        };
        for p in mode.prefixes {
            if let Some(pre) = self.tracking.prefixes.get_mut(&p) {
                pre.clients.retain(|&c| c != id);
                if pre.clients.is_empty() {
                    self.tracking.prefixes.remove(&p);
                }
            }
        }
    }

    /// After a read-only command of a tracking client (default mode):
    /// remember its keys, honouring OPTIN/OPTOUT and CLIENT CACHING.
    pub fn tracking_remember_keys(&mut self, id: u64, keys: &[&[u8]]) {
        let Some(m) = self.tracking.clients.get(&id) else {
            return;
        };
        if m.bcast || (m.optin && !m.caching) || (m.optout && m.caching) {
            return;
        }
        for k in keys {
            let ids = self.tracking.table.entry(SBytes::new(k)).or_default();
            if !ids.contains(&id) {
                ids.push(id);
                self.tracking.items += 1;
            }
        }
    }

    /// A key changed (or expired): invalidate it for the clients that read
    /// it, and queue it for BCAST prefixes that match.
    pub fn tracking_invalidate_key(&mut self, key: &[u8]) {
        if self.tracking.clients.is_empty() {
            return;
        }
        let modifier = self.running_client.and_then(|k| self.client_id_of(k));
        for (p, pre) in self.tracking.prefixes.iter_mut() {
            if key.starts_with(p) {
                pre.pending.entry(key.to_vec()).or_insert(modifier);
            }
        }
        let Some(ids) = self.tracking.table.remove(key) else {
            return;
        };
        self.tracking.items -= ids.len();
        for id in ids {
            let Some(m) = self.tracking.clients.get(&id) else {
                continue;
            };
            if m.bcast {
                continue;
            }
            let is_running = modifier == Some(id);
            if is_running && m.noloop {
                continue;
            }
            if is_running {
                // After the running command's reply, as Redis 7.0 does.
                self.tracking.pending_for_running.push(Some(SBytes::new(key)));
            } else {
                self.send_tracking_message(id, Keys::One(key));
            }
        }
    }

    /// FLUSHDB/FLUSHALL: every tracking client is told to drop everything.
    pub fn tracking_invalidate_all(&mut self) {
        let ids: Vec<u64> = self.tracking.clients.keys().copied().collect();
        let running = self.running_client.and_then(|k| self.client_id_of(k));
        for id in ids {
            if Some(id) == running {
                self.tracking.pending_for_running.push(None);
            } else {
                self.send_tracking_message(id, Keys::All);
            }
        }
        self.tracking.table.clear();
        self.tracking.items = 0;
    }

    /// Sends the invalidations owed to the running client, after its reply.
    pub fn tracking_flush_pending(&mut self, st: &mut crate::client::ClientState) {
        if self.tracking.pending_for_running.is_empty() {
            return;
        }
        for key in std::mem::take(&mut self.tracking.pending_for_running) {
            let keys = match &key {
                Some(k) => Keys::One(k),
                None => Keys::All,
            };
            self.send_tracking_message_to(st.id, Some(st), keys);
        }
    }

    /// BCAST: one message per prefix with the keys modified since the last
    /// call (without each NOLOOP client's own modifications).
    pub fn tracking_broadcast(&mut self) {
        if self.tracking.prefixes.values().all(|p| p.pending.is_empty()) {
            return;
        }
        let mut sends = Vec::new();
        for pre in self.tracking.prefixes.values_mut() {
            if pre.pending.is_empty() {
                continue;
            }
            let pending = std::mem::take(&mut pre.pending);
            for &id in &pre.clients {
                let noloop = self.tracking.clients.get(&id).is_some_and(|m| m.noloop);
                let keys: Vec<Vec<u8>> = pending
                    .iter()
                    .filter(|(_, who)| !(noloop && **who == Some(id)))
                    .map(|(k, _)| k.clone())
                    .collect();
                if !keys.is_empty() {
                    sends.push((id, keys));
                }
            }
        }
        for (id, keys) in sends {
            self.send_tracking_message(id, Keys::Many(&keys));
        }
    }

    /// Keeps the tracking table within `tracking-table-max-keys` by
    /// invalidating keys, as if they had changed.
    pub fn tracking_limit_table(&mut self) {
        let max = self.cfg.tracking_table_max_keys as usize;
        if max == 0 || self.tracking.table.len() <= max {
            return;
        }
        let excess: Vec<SBytes> = self
            .tracking
            .table
            .keys()
            .take(self.tracking.table.len() - max)
            .cloned()
            .collect();
        for k in excess {
            self.tracking_invalidate_key(&k);
        }
    }

    fn send_tracking_message(&mut self, id: u64, keys: Keys) {
        self.send_tracking_message_to(id, None, keys);
    }

    /// Redis's sendTrackingMessage. `running` is the state of client `id`
    /// when it is the one running a command (out of its slot).
    fn send_tracking_message_to(&mut self, id: u64, running: Option<&mut crate::client::ClientState>, keys: Keys) {
        let Some(redirect) = self.tracking.clients.get(&id).map(|m| m.redirect) else {
            return;
        };
        let own_resp = match &running {
            Some(st) => st.reply.resp,
            None => self.client_id_of_resp(id).unwrap_or(2),
        };
        // The target: the client itself, or the one it redirects to.
        let target_key = if redirect != 0 {
            match self.clients_by_id.get(&redirect).copied() {
                Some(k) => Some(k),
                None => {
                    if let Some(m) = self.tracking.clients.get_mut(&id) {
                        m.broken_redirect = true;
                    }
                    if own_resp > 2 {
                        let write = |r: &mut ReplyBuf| {
                            r.push_len(2);
                            r.bulk(b"tracking-redir-broken");
                            r.int(redirect as i64);
                        };
                        match running {
                            Some(st) => write(&mut st.reply),
                            None => self.write_to_id(id, write),
                        }
                    }
                    return;
                }
            }
        } else {
            None
        };
        let redirected = target_key.is_some();
        let target_in_pubsub = target_key.is_some_and(|k| self.pubsub_client_active(k));
        let write = |r: &mut ReplyBuf| {
            if r.resp > 2 {
                r.push_len(2);
                r.bulk(b"invalidate");
            } else if redirected && target_in_pubsub {
                r.array_len(3);
                r.bulk(b"message");
                r.bulk(CHANNEL);
            } else {
                return; // RESP2 without redirection: nowhere to send it
            }
            match keys {
                Keys::One(k) => {
                    r.array_len(1);
                    r.bulk(k);
                }
                Keys::Many(ks) => {
                    r.array_len(ks.len());
                    for k in ks {
                        r.bulk(k);
                    }
                }
                // The nil of the *tracking* client's protocol, as Redis.
                Keys::All => r.raw(if own_resp > 2 { b"_\r\n" } else { b"$-1\r\n" }),
            }
        };
        match (target_key, running) {
            (Some(k), _) => self.write_to_client(k, write),
            (None, Some(st)) => write(&mut st.reply),
            (None, None) => self.write_to_id(id, write),
        }
    }

    fn write_to_id(&mut self, id: u64, f: impl FnOnce(&mut ReplyBuf)) {
        if let Some(k) = self.clients_by_id.get(&id).copied() {
            self.write_to_client(k, f);
        }
    }

    fn client_id_of(&self, key: usize) -> Option<u64> {
        if self.running_client == Some(key) {
            return self.running_client_id;
        }
        match self.clients.get(key) {
            Some(Some(c)) => Some(c.st.id),
            _ => None,
        }
    }

    fn client_id_of_resp(&self, id: u64) -> Option<u8> {
        let key = self.clients_by_id.get(&id)?;
        if self.running_client == Some(*key) {
            return Some(self.running_client_resp);
        }
        match self.clients.get(*key) {
            Some(Some(c)) => Some(c.st.reply.resp),
            _ => None,
        }
    }

    /// Whether a client is in pub/sub mode (any subscription).
    fn pubsub_client_active(&self, key: usize) -> bool {
        match self.clients.get(key) {
            Some(Some(c)) => c.st.subs.active(),
            _ => self.running_client == Some(key) && self.running_client_subscribed,
        }
    }
}
