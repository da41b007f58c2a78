//! Databases: the keyspace dict, the expires dict, and the lookups every
//! command goes through (Redis's db.c), including lazy expiry on access and
//! the active expire cycle (expire.c).
//!
//! As in Redis, TTLs live in a second dict holding only keys that have one;
//! `Obj::has_expire` tells the common path not to look there at all.

use crate::config::notify;
use crate::dict::Dict;
use crate::evict;
use crate::object::{Obj, Value};
use crate::sbytes::SBytes;
use crate::server::Server;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Db {
    pub id: usize,
    /// Private so that every write goes through the methods below, which
    /// capture the key's old value first while a BGSAVE is walking this db.
    dict: Dict<Obj>,
    expires: Dict<i64>,
    /// Running average TTL of keys sampled by the active cycle (INFO keyspace).
    pub avg_ttl: i64,
    /// Where the active expire cycle resumes scanning `expires`.
    pub expires_cursor: u64,
    /// The stamp new keys get: the epoch of the running (or last) snapshot,
    /// so a snapshot never saves a key created after it started.
    pub epoch: u16,
    /// Set while a snapshot still has to visit keys of this db.
    pub capture: Option<Capture>,
}

/// A running snapshot's view of one db: keys captured as they were when it
/// started, waiting to be handed to the writer.
#[derive(Default)]
pub struct Capture {
    /// The db this dict was when the snapshot started (SWAPDB moves it).
    pub db: usize,
    pub items: Vec<SnapItem>,
}

/// A key as a snapshot saves it.
pub struct SnapItem {
    pub key: SBytes,
    pub value: Value,
    pub expire: Option<i64>,
    /// The raw LRU/LFU field, turned into RDB idle/freq data by the writer.
    pub lru: u32,
}

impl Db {
    pub fn new(id: usize) -> Db {
        Db {
            id,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// The keyspace, for reading.
    pub fn dict(&self) -> &Dict<Obj> {
        &self.dict
    }

    /// The TTL dict, for reading.
    pub fn expires(&self) -> &Dict<i64> {
        &self.expires
    }

    pub fn get(&self, key: &[u8]) -> Option<&Obj> {
        self.dict.get(key)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.dict.contains_key(key)
    }

    /// Mutable access to a key: the one door to in-place writes.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Obj> {
        self.capture_key(key);
        self.dict.get_mut(key)
    }

    /// Updates a key's access data only, and returns it for reading: not
    /// a change of the value, so a running snapshot does not capture it.
    pub fn touch(&mut self, key: &[u8], f: impl FnOnce(u32) -> u32) -> Option<&Obj> {
        let o = self.dict.get_mut(key)?;
        o.lru = f(o.lru);
        Some(o)
    }

    /// Before `key` changes: a running snapshot that has not saved it yet
    /// takes a copy now (cheap: big collections are shared until written,
    /// what is copied is small). Costs one branch when no snapshot runs.
    #[inline]
    fn capture_key(&mut self, key: &[u8]) {
        let Some(cap) = &mut self.capture else { return };
        let Some(o) = self.dict.get_mut(key) else { return };
        capture_obj(cap, self.epoch, &self.expires, key, o);
    }

    /// Visits one scan step of the keyspace for the snapshot walker,
    /// capturing the keys it has not saved yet. Returns the next cursor.
    pub fn capture_step(&mut self, cursor: u64) -> u64 {
        let Some(cap) = &mut self.capture else { return 0 };
        let (epoch, expires) = (self.epoch, &self.expires);
        self.dict
            .scan_mut(cursor, |k, o| capture_obj(cap, epoch, expires, k, o))
    }

    /// Captures every key not saved yet (before the db is emptied or
    /// swapped under a running snapshot).
    pub fn capture_all(&mut self) {
        let mut cursor = 0;
        while self.capture.is_some() {
            cursor = self.capture_step(cursor);
            if cursor == 0 {
                break;
            }
        }
    }

    /// Maintenance that moves entries without changing them.
    pub fn shrink_and_rehash(&mut self, budget: Option<std::time::Duration>) -> bool {
        match budget {
            None => {
                self.dict.try_shrink();
                self.expires.try_shrink();
                false
            }
            Some(b) => {
                if self.dict.is_rehashing() {
                    self.dict.rehash_for(b);
                    true
                } else if self.expires.is_rehashing() {
                    self.expires.rehash_for(b);
                    true
                } else {
                    false
                }
            }
        }
    }

    /// Makes room for `n` more keys (DEBUG POPULATE, loading).
    pub fn reserve(&mut self, n: usize) {
        self.dict.reserve(n);
    }

    /// The absolute expire time (ms) of a key, if it has one.
    pub fn expire_of(&self, key: &[u8]) -> Option<i64> {
        match self.dict.get(key) {
            Some(o) if o.has_expire => self.expires.get(key).copied(),
            _ => None,
        }
    }

    /// Sets the expire time of an existing key.
    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) {
        self.capture_key(key);
        if let Some(o) = self.dict.get_mut(key) {
            o.has_expire = true;
            match self.expires.get_mut(key) {
                Some(w) => *w = when_ms,
                None => {
                    self.expires.insert(SBytes::new(key), when_ms);
                }
            }
        }
    }

    /// Removes a key's TTL; true if it had one.
    pub fn remove_expire(&mut self, key: &[u8]) -> bool {
        self.capture_key(key);
        match self.dict.get_mut(key) {
            Some(o) if o.has_expire => {
                o.has_expire = false;
                self.expires.remove(key).is_some()
            }
            _ => false,
        }
    }

    /// Adds a key that the caller knows is absent.
    pub fn add(&mut self, key: &[u8], v: Value, lru: u32) {
        self.insert_new(SBytes::new(key), Obj::new(v, lru));
    }

    /// Adds an entry (with whatever access data it carries) under a key
    /// the caller knows is absent.
    pub fn insert_new(&mut self, key: SBytes, mut o: Obj) {
        o.snap = self.epoch;
        o.has_expire = false;
        self.dict.insert_new(key, o);
    }

    /// Redis's `setKey`: stores `v` under `key`, creating or overwriting it;
    /// an existing TTL is dropped unless `keep_ttl`. Returns the old value,
    /// so the caller can free a big one on the pool.
    pub fn set(&mut self, key: &[u8], v: Value, keep_ttl: bool, lru: u32) -> Option<Value> {
        use crate::dict::EntryRef;
        self.capture_key(key);
        let epoch = self.epoch;
        match self.dict.entry(key) {
            EntryRef::Occupied(mut e) => {
                let o = e.get_mut();
                let old = std::mem::replace(&mut o.v, v);
                o.lru = lru;
                if o.has_expire && !keep_ttl {
                    o.has_expire = false;
                    self.expires.remove(key);
                }
                Some(old)
            }
            EntryRef::Vacant(e) => {
                let mut o = Obj::new(v, lru);
                o.snap = epoch;
                e.insert(SBytes::new(key), o);
                None
            }
        }
    }

    /// Removes a key and its TTL; returns the removed entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<(SBytes, Obj)> {
        self.capture_key(key);
        let (k, o) = self.dict.remove(key)?;
        if o.has_expire {
            self.expires.remove(key);
        }
        Some((k, o))
    }

    pub fn is_expired_at(&self, key: &[u8], now_ms: i64) -> bool {
        matches!(self.expire_of(key), Some(w) if w <= now_ms)
    }

    /// Takes every key out, leaving the db empty (FLUSHDB, SWAPDB). A
    /// running snapshot captures what it has not saved first.
    pub fn take(&mut self) -> (Dict<Obj>, Dict<i64>) {
        self.capture_all();
        self.avg_ttl = 0;
        self.expires_cursor = 0;
        (self.dict.take_all(), self.expires.take_all())
    }

    /// Clears every snapshot stamp (before the epoch counter wraps).
    pub fn reset_stamps(&mut self) {
        let mut cursor = 0;
        loop {
            cursor = self.dict.scan_mut(cursor, |_, o| o.snap = 0);
            if cursor == 0 {
                break;
            }
        }
    }
}

/// Saves `o` into the capture unless this snapshot already has it.
#[inline]
fn capture_obj(cap: &mut Capture, epoch: u16, expires: &Dict<i64>, key: &[u8], o: &mut Obj) {
    if o.snap == epoch {
        return;
    }
    o.snap = epoch;
    let expire = if o.has_expire { expires.get(key).copied() } else { None };
    cap.items.push(SnapItem {
        key: SBytes::new(key),
        value: o.v.clone(),
        expire,
        lru: o.lru,
    });
}

/// Options of a lookup, as Redis's LOOKUP_* flags.
#[derive(Clone, Copy, Default)]
pub struct Lookup {
    /// Don't update the LRU/LFU data (OBJECT, TYPE, CLIENT NO-TOUCH).
    pub no_touch: bool,
    /// Don't count keyspace hits and misses (write lookups).
    pub no_stats: bool,
    /// Don't publish a `keymiss` event (write and internal lookups).
    pub no_notify: bool,
}

impl Lookup {
    pub const READ: Lookup = Lookup {
        no_touch: false,
        no_stats: false,
        no_notify: false,
    };
    pub const WRITE: Lookup = Lookup {
        no_touch: false,
        no_stats: true,
        no_notify: true,
    };
    pub const NO_TOUCH: Lookup = Lookup {
        no_touch: true,
        no_stats: true,
        no_notify: true,
    };
    /// EXISTS, TYPE, TTL...: counted and notified, but the access data
    /// is left alone.
    pub const NOTOUCH_STATS: Lookup = Lookup {
        no_touch: true,
        no_stats: false,
        no_notify: false,
    };
}

impl Server {
    /// Redis's `lookupKey`: expires the key if its time has come, updates
    /// hit/miss stats and the LRU clock, and returns the live value, for
    /// reading: a read does not copy the value for a running snapshot.
    pub fn lookup(&mut self, db: usize, key: &[u8], how: Lookup) -> Option<&Obj> {
        if !self.lookup_access(db, key, how) {
            return None;
        }
        if how.no_touch {
            return self.dbs[db].get(key);
        }
        let touch = self.lru_touch();
        self.dbs[db].touch(key, touch)
    }

    /// The lookup of a write: the value is the caller's to change.
    pub fn lookup_write(&mut self, db: usize, key: &[u8]) -> Option<&mut Obj> {
        if !self.lookup_access(db, key, Lookup::WRITE) {
            return None;
        }
        let touch = self.lru_touch();
        let o = self.dbs[db].get_mut(key)?;
        o.lru = touch(o.lru);
        Some(o)
    }

    pub fn lookup_read(&mut self, db: usize, key: &[u8]) -> Option<&Obj> {
        self.lookup(db, key, Lookup::READ)
    }

    /// Lazy expiry, hit/miss stats and the keymiss event of a lookup; true
    /// if the key exists.
    fn lookup_access(&mut self, db: usize, key: &[u8], how: Lookup) -> bool {
        if self.expire_if_needed(db, key) || !self.dbs[db].contains_key(key) {
            if !how.no_stats {
                self.stats.keyspace_misses += 1;
            }
            if !how.no_notify {
                self.notify_keyspace_event(notify::KEY_MISS, "keymiss", key, db);
            }
            return false;
        }
        if !how.no_stats {
            self.stats.keyspace_hits += 1;
        }
        true
    }

    /// What an access does to a value's LRU/LFU field now.
    fn lru_touch(&mut self) -> impl Fn(u32) -> u32 {
        let lfu = self.policy.is_lfu();
        let r: f64 = if lfu { rand::RngExt::random(&mut self.rng) } else { 0.0 };
        let (clock, now) = (self.lru_clock, self.now_ms);
        let (log_factor, decay) = (self.cfg.lfu_log_factor, self.cfg.lfu_decay_time);
        move |lru| {
            if lfu {
                evict::lfu_touch(lru, log_factor, decay, now, r)
            } else {
                clock
            }
        }
    }

    /// True if the key exists (after lazy expiry), without touching it.
    pub fn key_exists(&mut self, db: usize, key: &[u8]) -> bool {
        self.lookup(db, key, Lookup::NO_TOUCH).is_some()
    }

    /// Deletes `key` if it is past its TTL; true if it was (and is now gone).
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8]) -> bool {
        // A file being loaded is replayed as it was written: its keys
        // expire once it is in (Redis's keyIsExpired while loading).
        if self.loading.is_some() {
            return false;
        }
        let now = self.cmd_time_ms;
        if self.has_master() {
            if let Some(expired) = self.replica_expiry(db, key, now) {
                return expired;
            }
        }
        if !self.dbs[db].is_expired_at(key, now) {
            return false;
        }
        self.delete_expired(db, key);
        true
    }

    /// Whether an absolute expiry time given to a command is already past,
    /// so the key is deleted instead (Redis's checkAlreadyExpired): never
    /// while a file is replayed, which must rebuild what was written.
    pub fn already_expired(&self, when_ms: i64) -> bool {
        when_ms <= self.cmd_time_ms && self.loading.is_none()
    }

    /// Removes an expired key: the one place expiry deletes, so stats,
    /// notifications and propagation happen alike for lazy and active expiry.
    pub fn delete_expired(&mut self, db: usize, key: &[u8]) {
        if let Some((_, o)) = self.dbs[db].remove(key) {
            self.stats.expired_keys += 1;
            let lazy = self.cfg.lazyfree_lazy_expire;
            self.free_value(o.v, lazy);
            self.notify_keyspace_event(notify::EXPIRED, "expired", key, db);
            self.signal_modified_key(db, key);
            self.propagate_deletion(db, key, lazy);
        }
    }

    /// Generic delete of a user key (DEL, UNLINK, overwrites...): frees big
    /// values on the pool when `lazy`. True if the key existed.
    pub fn delete_key(&mut self, db: usize, key: &[u8], lazy: bool) -> bool {
        match self.dbs[db].remove(key) {
            Some((_, o)) => {
                self.free_value(o.v, lazy);
                true
            }
            None => false,
        }
    }

    /// Adds a key known to be absent (Redis's dbAdd): publishes `new`.
    pub fn add_key(&mut self, db: usize, key: &[u8], v: Value) {
        let lru = self.lru_init();
        self.dbs[db].add(key, v, lru);
        self.notify_keyspace_event(notify::NEW, "new", key, db);
    }

    /// Redis's setKey: creates or overwrites `key` (dropping its TTL unless
    /// `keep_ttl`); the old value is freed, on the pool if big and
    /// lazyfree-lazy-server-del says so.
    pub fn set_key(&mut self, db: usize, key: &[u8], v: Value, keep_ttl: bool) {
        let lru = self.lru_init();
        match self.dbs[db].set(key, v, keep_ttl, lru) {
            Some(old) => {
                let lazy = self.cfg.lazyfree_lazy_server_del;
                self.free_value(old, lazy);
            }
            None => self.notify_keyspace_event(notify::NEW, "new", key, db),
        }
    }

    /// Moves a key with its TTL (and access data) to `dst_key` in `dst_db`,
    /// which must be free: RENAME and MOVE. Publishes `new` for the target.
    pub fn move_key(&mut self, src_db: usize, src_key: &[u8], dst_db: usize, dst_key: &[u8]) -> bool {
        let expire = self.dbs[src_db].expire_of(src_key);
        let Some((_, obj)) = self.dbs[src_db].remove(src_key) else {
            return false;
        };
        let d = &mut self.dbs[dst_db];
        d.insert_new(SBytes::new(dst_key), obj);
        if let Some(when) = expire {
            d.set_expire(dst_key, when);
        }
        self.notify_keyspace_event(notify::NEW, "new", dst_key, dst_db);
        true
    }

    /// Redis's signalModifiedKey: a write touched `key`. WATCH (and later
    /// blocked clients and client tracking) learn about it here.
    pub fn signal_modified_key(&mut self, db: usize, key: &[u8]) {
        self.touch_watched_key(db, key);
        self.signal_key_as_ready(db, key);
        self.tracking_invalidate_key(key);
    }

    /// The access data a new value starts with.
    pub fn lru_init(&self) -> u32 {
        if self.policy.is_lfu() {
            evict::lfu_init(self.now_ms)
        } else {
            self.lru_clock
        }
    }

    /// Drops a value, on the pool if asked and worth it.
    pub fn free_value(&mut self, v: Value, lazy: bool) {
        let effort = v.free_effort();
        if lazy && effort > crate::bio::LAZYFREE_THRESHOLD {
            self.lazy_free(v, 1);
        }
    }

    /// Redis's emptyData: empties one database or all of them (FLUSHDB,
    /// FLUSHALL), failing the transactions watching their keys and telling
    /// tracking clients to drop everything. Returns the keys removed.
    pub fn empty_data(&mut self, which: Option<usize>, lazy: bool) -> usize {
        let dbs: Vec<usize> = match which {
            Some(db) => vec![db],
            None => (0..self.dbs.len()).collect(),
        };
        for &db in &dbs {
            self.touch_all_watched_keys_in_db(db, None);
        }
        self.tracking_invalidate_all();
        let mut removed = 0;
        for db in dbs {
            removed += self.empty_db(db, lazy);
            // Blocked XREADGROUP clients learn that their stream is gone.
            self.scan_db_for_ready_keys(db);
        }
        removed
    }

    /// Empties a database; the old contents are freed on the pool when
    /// `lazy`. Returns the number of keys removed.
    fn empty_db(&mut self, db: usize, lazy: bool) -> usize {
        let n = self.dbs[db].len();
        let (dict, expires) = self.dbs[db].take();
        if lazy && n > 0 {
            self.lazy_free((dict, expires), n);
        }
        n
    }

    /// Redis's active expire cycle (slow mode from cron, fast mode before
    /// sleeping): samples keys with a TTL and deletes expired ones, within
    /// a time budget, repeating in a db while many sampled keys had expired.
    pub fn active_expire_cycle(&mut self, fast: bool) {
        if self.has_master() {
            // A replica's keys expire when its master's DELs arrive.
            return;
        }
        let effort = self.cfg.active_expire_effort.saturating_sub(1) as u64; // 0..9
        let keys_per_loop = 20 + 20 / 4 * effort;
        let fast_duration = Duration::from_micros(1000 + 1000 / 4 * effort);
        let slow_perc = 25 + 2 * effort;
        let acceptable_stale = 10 - effort;
        let budget = if fast {
            // Only worth it if the last slow cycle gave up for lack of time.
            if !self.expire_timelimit_exit {
                return;
            }
            fast_duration
        } else {
            Duration::from_micros(1_000_000 * slow_perc / self.hz.max(1) as u64 / 100)
        };
        let start = Instant::now();
        self.expire_timelimit_exit = false;
        let ndbs = self.dbs.len();
        let dbs_per_call = ndbs.min(16);
        let mut iteration = 0u64;
        for _ in 0..dbs_per_call {
            let db = self.expire_next_db % ndbs;
            self.expire_next_db = (self.expire_next_db + 1) % ndbs;
            loop {
                if self.dbs[db].expires.is_empty() {
                    break;
                }
                iteration += 1;
                let (sampled, expired) = self.expire_sample(db, keys_per_loop as usize);
                if iteration.is_multiple_of(16) && start.elapsed() > budget {
                    self.expire_timelimit_exit = true;
                    return;
                }
                if sampled == 0 || expired * 100 <= sampled * acceptable_stale as usize {
                    break;
                }
            }
        }
    }

    /// Scans `expires` from its cursor until `want` keys were sampled (or a
    /// bucket budget ran out); deletes the expired ones. Returns (sampled, expired).
    fn expire_sample(&mut self, db: usize, want: usize) -> (usize, usize) {
        let now = crate::server::mstime();
        let mut sampled = 0;
        let mut expired_keys: Vec<SBytes> = Vec::new();
        let mut ttl_sum: i64 = 0;
        let mut ttl_samples: i64 = 0;
        let max_buckets = want * 20;
        let mut buckets = 0;
        let d = &mut self.dbs[db];
        let mut cursor = d.expires_cursor;
        loop {
            cursor = d.expires.scan(cursor, |k, &when| {
                sampled += 1;
                if when <= now {
                    expired_keys.push(k.clone());
                } else {
                    ttl_sum += when - now;
                    ttl_samples += 1;
                }
            });
            buckets += 1;
            if cursor == 0 || sampled >= want || buckets >= max_buckets {
                break;
            }
        }
        d.expires_cursor = cursor;
        if ttl_samples > 0 {
            let avg = ttl_sum / ttl_samples;
            // Running average weighted towards history, as Redis does.
            d.avg_ttl = if d.avg_ttl == 0 {
                avg
            } else {
                (d.avg_ttl / 50) * 49 + avg / 50
            };
        }
        let n = expired_keys.len();
        for k in expired_keys {
            self.delete_expired(db, &k);
        }
        (sampled, n)
    }
}
