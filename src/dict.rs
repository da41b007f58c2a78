//! `Dict<V>`: the chained hash table behind the keyspace (and big hashes and
//! sets), after the ideas of Redis's `dict.c`, in safe Rust.
//!
//! * Buckets are singly linked chains of boxed entries; table sizes are powers
//!   of two; the load factor is kept at most 1 (growth doubles the table) and
//!   [`Dict::try_shrink`] shrinks tables less than 10% full.
//! * Resizing never stops the world: a resize sets up a second table and
//!   every write moves one bucket of the old table into it (Redis's
//!   `_dictRehashStep`), while the server's cron moves more with
//!   [`Dict::rehash_for`].
//! * Bucket arrays are split into segments of 4096 buckets (32 KiB),
//!   allocated on first write and freed as soon as a rehash has emptied them,
//!   so neither starting nor finishing the resize of a 16M-bucket table
//!   allocates, touches or frees more than one segment at a time (a single
//!   128 MiB array costs ~16 ms just to give back to the kernel).
//! * The table being rehashed gives its buckets away from the *end*: its
//!   buckets `0..live` are still in place, everything above has moved.
//! * [`Dict::scan`] uses Redis's reverse-binary cursor, so a full scan reports
//!   every element that was present for the whole scan, however the table was
//!   resized between calls.
//! * Hashing uses one per-process random `ahash` seed, so collisions cannot be
//!   precomputed (hash flooding).

use std::fmt;
use std::iter::{Chain, Flatten};
use std::slice;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ahash::RandomState;
use rand::Rng;

use crate::sbytes::SBytes;

/// Size of the first table allocated, and the smallest a table shrinks to.
const INITIAL_SIZE: usize = 4;
/// A table is shrunk when less than this percentage of its buckets is used.
const MIN_FILL_PERCENT: usize = 10;
/// One shrink divides the size by at most `2^MAX_SHRINK_SHIFT` (later shrinks
/// go on), so that a scan call during that rehash visits at most 65 buckets.
const MAX_SHRINK_SHIFT: u32 = 6;
/// [`Dict::reserve`] multiplies the size of a non-empty table by at most
/// `2^MAX_RESERVE_SHIFT`.
const MAX_RESERVE_SHIFT: u32 = 10;
/// Empty buckets a rehash step may visit for each bucket it should move (an
/// unallocated segment counts as one).
const EMPTY_VISITS_PER_STEP: usize = 10;
/// Buckets moved between two clock checks in [`Dict::rehash_for`].
const CRON_BATCH: usize = 100;
/// Random buckets tried by [`Dict::random_entry`] before a linear probe.
const RANDOM_TRIES: usize = 100;
/// Largest table a size hint ([`Dict::with_capacity`], [`Dict::reserve`])
/// sets up front: 2^27 buckets (its segments are still allocated lazily).
/// Bigger dicts still grow past it as elements are inserted.
const MAX_PRESIZE: usize = 1 << 27;
/// Buckets per segment (tables smaller than that have one segment of their
/// own size).
const SEG_SHIFT: u32 = 12;
const SEG: usize = 1 << SEG_SHIFT;
const SEG_MASK: usize = SEG - 1;

type Link<V> = Option<Box<Entry<V>>>;
type Segment<V> = Box<[Link<V>]>;

struct Entry<V> {
    next: Link<V>,
    key: SBytes,
    val: V,
}

/// Bytes of one entry allocation with a 32-byte value such as the keyspace's
/// `Obj` (chain pointer + key + value), for MEMORY USAGE;
/// [`Dict::entry_size`] gives it for any value type (40 for `i64`).
pub const ENTRY_SIZE: usize = std::mem::size_of::<Entry<[u64; 4]>>();

/// Hash of a key with the per-process random seed.
#[inline]
fn hash_key(key: &[u8]) -> usize {
    static SEED: OnceLock<RandomState> = OnceLock::new();
    SEED.get_or_init(RandomState::new).hash_one(key) as usize
}

/// A uniform-enough integer in `0..n` (0 when `n` is 0).
#[inline]
fn below<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Next power of two at or above `n`, at least `INITIAL_SIZE`, at most
/// `limit` (itself a power of two).
fn table_size_for(n: usize, limit: usize) -> usize {
    n.max(INITIAL_SIZE)
        .checked_next_power_of_two()
        .unwrap_or(limit)
        .min(limit)
}

/// The link holding the entry with `key`, or the empty link at the end of
/// the chain when there is none.
#[inline]
fn find_link<'a, V>(mut link: &'a mut Link<V>, key: &[u8]) -> &'a mut Link<V> {
    loop {
        if !matches!(link, Some(e) if e.key.as_bytes() != key) {
            return link;
        }
        if let Some(e) = link {
            link = &mut e.next;
        }
    }
}

/// Drops a chain one entry at a time (a recursive drop of a long chain could
/// overflow the stack).
fn drop_chain<V>(mut chain: Link<V>) {
    while let Some(mut e) = chain {
        chain = e.next.take();
    }
}

fn new_segment<V>(len: usize) -> Segment<V> {
    std::iter::repeat_with(|| None).take(len).collect()
}

/// Bucket `i` of a segment directory; with `alloc_len`, allocates its
/// segment (of that many buckets) when missing. `None` when the bucket is out
/// of range, or unallocated (hence empty) without `alloc_len`.
#[inline]
fn slot_in<V>(segs: &mut [Option<Segment<V>>], i: usize, alloc_len: Option<usize>) -> Option<&mut Link<V>> {
    let seg = segs.get_mut(i >> SEG_SHIFT)?;
    let seg = match (seg, alloc_len) {
        (Some(s), _) => s,
        (seg, Some(len)) => seg.insert(new_segment(len)),
        (None, None) => return None,
    };
    seg.get_mut(i & SEG_MASK)
}

struct Table<V> {
    /// Segments of `SEG` buckets (one of `size` buckets for a small table);
    /// `None`: not allocated yet, all empty. The table being rehashed pops
    /// its segments as they are emptied.
    segs: Vec<Option<Segment<V>>>,
    /// Number of buckets: 0 or a power of two.
    size: usize,
    /// Number of entries.
    used: usize,
    /// Buckets `0..live` are in place; above, they have moved to the other
    /// table. `live == size` except in the table being rehashed.
    live: usize,
}

impl<V> Table<V> {
    const fn empty() -> Self {
        Table {
            segs: Vec::new(),
            size: 0,
            used: 0,
            live: 0,
        }
    }

    fn with_size(size: usize) -> Self {
        debug_assert!(size.is_power_of_two());
        let segs = if size <= SEG {
            vec![Some(new_segment(size))]
        } else {
            std::iter::repeat_with(|| None).take(size >> SEG_SHIFT).collect()
        };
        Table {
            segs,
            size,
            used: 0,
            live: size,
        }
    }

    /// Bucket index mask (`usize::MAX` for an empty table, where every
    /// lookup misses anyway).
    #[inline]
    fn mask(&self) -> usize {
        self.size.wrapping_sub(1)
    }

    #[inline]
    fn seg_len(&self) -> usize {
        self.size.min(SEG)
    }

    /// Bucket `i` (`None`: out of range, moved, or in an unallocated segment).
    #[inline]
    fn slot(&self, i: usize) -> Option<&Link<V>> {
        self.segs.get(i >> SEG_SHIFT)?.as_deref()?.get(i & SEG_MASK)
    }

    #[inline]
    fn head(&self, i: usize) -> Option<&Entry<V>> {
        self.slot(i)?.as_deref()
    }

    /// Bucket `i` for writing, allocating its segment if needed.
    #[inline]
    fn slot_alloc(&mut self, i: usize) -> Option<&mut Link<V>> {
        let len = self.seg_len();
        slot_in(&mut self.segs, i, Some(len))
    }
}

impl<V> Drop for Table<V> {
    fn drop(&mut self) {
        for seg in self.segs.iter_mut().flatten() {
            for slot in seg.iter_mut() {
                drop_chain(slot.take());
            }
        }
    }
}

/// A hash table from binary-safe keys ([`SBytes`], looked up by `&[u8]`) to
/// `V`, with incremental rehashing. See the module documentation.
pub struct Dict<V> {
    /// `ht[0]` is the main table; `ht[1]` is the rehash target, empty unless
    /// `rehashing`.
    ht: [Table<V>; 2],
    rehashing: bool,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Dict<V> {
    /// An empty dict; allocates nothing until the first insert.
    pub const fn new() -> Self {
        Dict {
            ht: [Table::empty(), Table::empty()],
            rehashing: false,
        }
    }

    /// An empty dict that holds `n` elements before it first grows (the hint
    /// is capped at 2^27 buckets).
    pub fn with_capacity(n: usize) -> Self {
        let mut d = Self::new();
        if n > 0 {
            d.ht[0] = Table::with_size(table_size_for(n, MAX_PRESIZE));
        }
        d
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a resize is in progress (two tables in use).
    #[inline]
    pub fn is_rehashing(&self) -> bool {
        self.rehashing
    }

    /// Total bucket slots of both tables (for INFO and DEBUG HTSTATS).
    pub fn buckets(&self) -> usize {
        self.ht[0].size + self.ht[1].size
    }

    /// `(size, used)` of the main table and of the rehash target (`(0, 0)`
    /// when not rehashing), for DEBUG HTSTATS.
    pub fn tables(&self) -> [(usize, usize); 2] {
        [(self.ht[0].size, self.ht[0].used), (self.ht[1].size, self.ht[1].used)]
    }

    /// Bytes of one entry allocation: chain pointer, inline key and inline
    /// value (not counting the allocator's own overhead).
    pub const fn entry_size() -> usize {
        std::mem::size_of::<Entry<V>>()
    }

    /// Approximate memory of the table itself: bucket arrays plus one entry
    /// allocation per element (including the inline part of keys and values,
    /// excluding heap memory that keys and values own, see
    /// [`SBytes::heap_size`], and allocator overhead).
    pub fn mem_overhead(&self) -> usize {
        let tables: usize = self
            .ht
            .iter()
            .map(|t| {
                t.segs.capacity() * std::mem::size_of::<Option<Segment<V>>>() + t.live * std::mem::size_of::<Link<V>>()
            })
            .sum();
        tables + self.len() * Self::entry_size()
    }

    // ---------------------------------------------------------------- reads

    fn find(&self, key: &[u8]) -> Option<&Entry<V>> {
        if self.is_empty() {
            return None;
        }
        let h = hash_key(key);
        let tables = if self.rehashing { 2 } else { 1 };
        for t in &self.ht[..tables] {
            let mut e = t.head(h & t.mask());
            while let Some(x) = e {
                if x.key.as_bytes() == key {
                    return Some(x);
                }
                e = x.next.as_deref();
            }
        }
        None
    }

    /// The value for `key`.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|e| &e.val)
    }

    /// The stored key and the value for `key`.
    #[inline]
    pub fn get_key_value(&self, key: &[u8]) -> Option<(&SBytes, &V)> {
        self.find(key).map(|e| (&e.key, &e.val))
    }

    #[inline]
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    // --------------------------------------------------------------- writes

    /// The link holding `key` and the counter of its table. When the key is
    /// absent: with `alloc`, the empty link ending its chain in the table new
    /// keys go to (allocating its segment; `None` only if the dict has no
    /// table); without, `None` or an empty link.
    fn find_slot_mut(&mut self, key: &[u8], h: usize, alloc: bool) -> Option<(&mut Link<V>, &mut usize)> {
        let rehashing = self.rehashing;
        let [t0, t1] = &mut self.ht;
        let i0 = h & t0.mask();
        let len0 = t0.seg_len();
        let Table { segs: s0, used: u0, .. } = t0;
        // While rehashing, the old table is only searched (never allocated),
        // and its bucket may already have moved.
        let alloc0 = (alloc && !rehashing).then_some(len0);
        if let Some(slot) = slot_in(s0, i0, alloc0) {
            let link = find_link(slot, key);
            if link.is_some() || !rehashing {
                return Some((link, u0));
            }
        }
        if !rehashing {
            return None;
        }
        let i1 = h & t1.mask();
        let len1 = t1.seg_len();
        let Table { segs: s1, used: u1, .. } = t1;
        let slot = slot_in(s1, i1, alloc.then_some(len1))?;
        Some((find_link(slot, key), u1))
    }

    /// The value for `key`, mutably. Moves one bucket if rehashing.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let (link, _) = self.find_slot_mut(key, hash_key(key), false)?;
        link.as_deref_mut().map(|e| &mut e.val)
    }

    /// Inserts or replaces. On replace the stored key is kept, `key` is
    /// dropped and the old value returned (like Redis's `dictReplace`).
    pub fn insert(&mut self, key: SBytes, val: V) -> Option<V> {
        match self.entry(&key) {
            EntryRef::Occupied(mut o) => Some(o.insert(val)),
            EntryRef::Vacant(v) => {
                v.insert(key, val);
                None
            }
        }
    }

    /// Inserts a key the caller knows is absent (checked in debug builds),
    /// without searching its chain. Returns the stored value.
    pub fn insert_new(&mut self, key: SBytes, val: V) -> &mut V {
        debug_assert!(!self.contains_key(&key), "insert_new of a present key");
        self.rehash_step();
        self.grow_if_needed();
        let h = hash_key(&key);
        let t = &mut self.ht[usize::from(self.rehashing)];
        t.used += 1;
        let slot = t
            .slot_alloc(h & t.mask())
            .expect("grow_if_needed allocates the table written to");
        let next = slot.take();
        &mut slot.insert(Box::new(Entry { next, key, val })).val
    }

    /// The entry for `key`, hashing it once, to read, update, remove or
    /// insert. Moves one bucket if rehashing, and may start a growth.
    pub fn entry(&mut self, key: &[u8]) -> EntryRef<'_, V> {
        self.rehash_step();
        self.grow_if_needed();
        let hash = hash_key(key);
        let (link, used) = self
            .find_slot_mut(key, hash, true)
            .expect("grow_if_needed allocates the table written to");
        if link.is_some() {
            EntryRef::Occupied(OccupiedEntry { link, used })
        } else {
            EntryRef::Vacant(VacantEntry { link, used, hash })
        }
    }

    /// Removes `key`, returning the stored key and its value. Moves one
    /// bucket if rehashing. Never shrinks by itself: see [`Dict::try_shrink`].
    pub fn remove(&mut self, key: &[u8]) -> Option<(SBytes, V)> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let (link, used) = self.find_slot_mut(key, hash_key(key), false)?;
        let (k, v) = unlink(link)?;
        *used -= 1;
        Some((k, v))
    }

    /// Drops every element and frees the tables (walks the whole table: for
    /// a big dict prefer [`Dict::take_all`] and drop the result elsewhere).
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Takes the whole content out, leaving an empty dict (so the caller can
    /// drop a big one on another thread).
    pub fn take_all(&mut self) -> Dict<V> {
        std::mem::take(self)
    }

    // ------------------------------------------------------------ resizing

    /// Grows when the load factor reaches 1; allocates the first table.
    #[inline]
    fn grow_if_needed(&mut self) {
        if self.rehashing {
            return;
        }
        let t0 = &self.ht[0];
        if t0.size == 0 {
            self.ht[0] = Table::with_size(INITIAL_SIZE);
        } else if t0.used >= t0.size {
            if let Some(size) = t0.used.saturating_mul(2).checked_next_power_of_two() {
                self.start_resize(size);
            }
        }
    }

    /// Starts moving everything to a table of `size` buckets.
    fn start_resize(&mut self, size: usize) {
        debug_assert!(!self.rehashing && size.is_power_of_two());
        let t0 = &self.ht[0];
        if t0.size == 0 || (t0.used == 0 && t0.size <= SEG) {
            // Nothing to move, and dropping the old table is cheap.
            self.ht[0] = Table::with_size(size);
        } else if size != t0.size {
            // A big old table is rehashed even when empty: dropping it
            // here would walk every bucket at once.
            self.ht[1] = Table::with_size(size);
            self.rehashing = true;
        }
    }

    /// Makes room for `additional` more elements (a hint, capped at 2^27
    /// buckets), by starting an incremental resize. A dict that already
    /// holds elements grows by at most 1024x at a time (so a scan call
    /// during that rehash visits at most 1025 buckets). Does nothing while
    /// rehashing. Returns whether a resize started.
    pub fn reserve(&mut self, additional: usize) -> bool {
        if self.rehashing {
            return false;
        }
        let t0 = &self.ht[0];
        let mut want = table_size_for(self.len().saturating_add(additional), MAX_PRESIZE);
        if t0.used > 0 {
            want = want.min(t0.size << MAX_RESERVE_SHIFT);
        }
        if want <= t0.size {
            return false;
        }
        self.start_resize(want);
        true
    }

    /// Shrinks when the table is less than 10% full (and bigger than 4
    /// buckets), like Redis's `htNeedsResize` + `dictResize`: to the smallest
    /// power of two >= len, but dividing the size by at most 64 at a time.
    /// O(1); meant for the cron and for callers after removals. Returns
    /// whether a resize started.
    pub fn try_shrink(&mut self) -> bool {
        if self.rehashing {
            return false;
        }
        let t0 = &self.ht[0];
        if t0.size <= INITIAL_SIZE || t0.used * 100 / t0.size >= MIN_FILL_PERCENT {
            return false;
        }
        let target = table_size_for(t0.used, t0.size).max(t0.size >> MAX_SHRINK_SHIFT);
        if target >= t0.size {
            return false;
        }
        self.start_resize(target);
        true
    }

    /// One step for a write operation.
    #[inline]
    fn rehash_step(&mut self) {
        if self.rehashing {
            self.rehash(1);
        }
    }

    /// Moves up to `n` non-empty buckets (visiting at most `10 n` empty ones)
    /// of the old table. Returns whether the rehash is still in progress.
    fn rehash(&mut self, n: usize) -> bool {
        if !self.rehashing {
            return false;
        }
        let mut moves = n;
        let mut empty_visits = n.saturating_mul(EMPTY_VISITS_PER_STEP);
        let [t0, t1] = &mut self.ht;
        let shrinking = t1.size < t0.size;
        let mask1 = t1.mask();
        while moves > 0 && t0.live > 0 {
            // Invariant: `segs.len()` is the number of segments `0..live`
            // spans, so the last one holds bucket `live - 1`.
            let i = t0.live - 1;
            let Some(last) = t0.segs.last_mut() else {
                debug_assert!(false, "rehash: live buckets without segments");
                break;
            };
            let Some(seg) = last else {
                // A segment never written to: skip all of it at once.
                t0.segs.pop();
                t0.live = i & !SEG_MASK;
                empty_visits -= 1;
                if empty_visits == 0 {
                    break;
                }
                continue;
            };
            let chain = seg.get_mut(i & SEG_MASK).and_then(Option::take);
            t0.live = i;
            if i & SEG_MASK == 0 {
                // Emptied: free it now (at most 32 KiB).
                t0.segs.pop();
            }
            let Some(mut e) = chain else {
                empty_visits -= 1;
                if empty_visits == 0 {
                    break;
                }
                continue;
            };
            moves -= 1;
            loop {
                let rest = e.next.take();
                // Shrinking keeps the low bits: no need to hash again.
                let j = if shrinking { i & mask1 } else { hash_key(&e.key) & mask1 };
                let dst = t1.slot_alloc(j).expect("rehash target has buckets");
                e.next = dst.take();
                *dst = Some(e);
                t0.used -= 1;
                t1.used += 1;
                match rest {
                    Some(next) => e = next,
                    None => break,
                }
            }
        }
        if t0.live > 0 {
            return true;
        }
        debug_assert_eq!(t0.used, 0);
        // Every segment of the old table is already freed.
        self.ht[0] = std::mem::replace(&mut self.ht[1], Table::empty());
        self.rehashing = false;
        false
    }

    /// Does up to `n` rehash steps (each moves one bucket). Returns whether
    /// the rehash is still in progress.
    pub fn rehash_steps(&mut self, n: usize) -> bool {
        self.rehash(n)
    }

    /// Rehashes in batches of 100 buckets until done or `budget` is spent
    /// (Redis's `dictRehashMilliseconds`, for the cron). Returns whether the
    /// rehash is still in progress.
    pub fn rehash_for(&mut self, budget: Duration) -> bool {
        if !self.rehashing {
            return false;
        }
        let start = Instant::now();
        while self.rehash(CRON_BATCH) {
            if start.elapsed() >= budget {
                return true;
            }
        }
        false
    }

    // ------------------------------------------------------ scan and random

    /// One step of a SCAN: reports the elements of one bucket (while
    /// rehashing: one bucket of the smaller table and the buckets of the
    /// larger table that expand from it) and returns the next cursor, 0 when
    /// the scan is complete. Start with cursor 0. Every element present for
    /// the whole scan is reported at least once, however the table is
    /// resized between calls; some may be reported more than once.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&SBytes, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        if !self.rehashing {
            let t = &self.ht[0];
            let m = t.mask() as u64;
            visit_bucket(t, v & m, &mut f);
            v = next_cursor(v, m);
        } else {
            let (small, large) = if self.ht[0].size <= self.ht[1].size {
                (&self.ht[0], &self.ht[1])
            } else {
                (&self.ht[1], &self.ht[0])
            };
            let m0 = small.mask() as u64;
            let m1 = large.mask() as u64;
            visit_bucket(small, v & m0, &mut f);
            // Buckets of the larger table that expand from that bucket.
            loop {
                visit_bucket(large, v & m1, &mut f);
                v = next_cursor(v, m1);
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// [`Dict::scan`] with mutable access to the values (the keys and the
    /// table's shape stay as they are), for walks that mark entries.
    pub fn scan_mut(&mut self, cursor: u64, mut f: impl FnMut(&SBytes, &mut V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        if !self.rehashing {
            let t = &mut self.ht[0];
            let m = t.mask() as u64;
            visit_bucket_mut(t, v & m, &mut f);
            v = next_cursor(v, m);
        } else {
            let [a, b] = &mut self.ht;
            let (small, large) = if a.size <= b.size { (a, b) } else { (b, a) };
            let m0 = small.mask() as u64;
            let m1 = large.mask() as u64;
            visit_bucket_mut(small, v & m0, &mut f);
            loop {
                visit_bucket_mut(large, v & m1, &mut f);
                v = next_cursor(v, m1);
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// [`Dict::scan`] reporting keys only.
    pub fn scan_keys(&self, cursor: u64, mut f: impl FnMut(&SBytes)) -> u64 {
        self.scan(cursor, |k, _| f(k))
    }

    /// Bucket `i` of the live buckets of both tables taken as one sequence.
    #[inline]
    fn live_head(&self, i: usize) -> Option<&Entry<V>> {
        let live0 = self.ht[0].live;
        if i < live0 {
            self.ht[0].head(i)
        } else {
            self.ht[1].head(i - live0)
        }
    }

    /// A random element, or `None` when empty: a random non-empty bucket
    /// (up to 100 random tries, then a linear probe from a random bucket, so
    /// it always finds one), then a random element of its chain. Elements in
    /// longer chains are slightly less likely (Redis's `dictGetRandomKey`).
    pub fn random_entry<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<(&SBytes, &V)> {
        if self.is_empty() {
            return None;
        }
        let span = self.ht[0].live + self.ht[1].live;
        let mut found = None;
        for _ in 0..RANDOM_TRIES {
            found = self.live_head(below(rng, span));
            if found.is_some() {
                break;
            }
        }
        if found.is_none() {
            // Very sparse table: probe linearly from a random bucket.
            let start = below(rng, span);
            found = (start..span).chain(0..start).find_map(|i| self.live_head(i));
        }
        let head = found?;
        let mut len = 0;
        let mut e = Some(head);
        while let Some(x) = e {
            len += 1;
            e = x.next.as_deref();
        }
        let mut e = head;
        for _ in 0..below(rng, len) {
            e = e.next.as_deref()?;
        }
        Some((&e.key, &e.val))
    }

    /// Reports up to `count` elements from consecutive buckets starting at a
    /// random one, jumping elsewhere after runs of empty buckets, in at most
    /// `10 count` bucket visits (Redis's `dictGetSomeKeys`, for eviction and
    /// active expire). Like Redis it walks each chain from its head, may
    /// report fewer (sparse tables) and, rarely, the same element twice.
    /// Returns how many were reported.
    pub fn sample<R: Rng + ?Sized>(&self, count: usize, rng: &mut R, mut f: impl FnMut(&SBytes, &V)) -> usize {
        let count = count.min(self.len());
        if count == 0 {
            return 0;
        }
        // Past both live ranges every bucket is empty.
        let span = self.ht[0].live.max(self.ht[1].live);
        let mut i = below(rng, span);
        let mut steps = count.saturating_mul(10);
        let mut empty_run = 0usize;
        let mut got = 0;
        while got < count && steps > 0 {
            steps -= 1;
            let mut empty = true;
            for t in &self.ht {
                let mut e = t.head(i);
                empty &= e.is_none();
                while let Some(x) = e {
                    if got == count {
                        break;
                    }
                    f(&x.key, &x.val);
                    got += 1;
                    e = x.next.as_deref();
                }
            }
            if empty {
                empty_run += 1;
                if empty_run >= 5 && empty_run > count {
                    i = below(rng, span);
                    empty_run = 0;
                    continue;
                }
            } else {
                empty_run = 0;
            }
            i += 1;
            if i == span {
                i = 0;
            }
        }
        got
    }

    // ------------------------------------------------------------ iteration

    /// All elements, in no particular order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter {
            segs: self.ht[0].segs.iter().flatten().chain(self.ht[1].segs.iter().flatten()),
            slots: [].iter(),
            chain: None,
            remaining: self.len(),
        }
    }

    /// All elements with mutable values.
    pub fn iter_mut(&mut self) -> IterMut<'_, V> {
        let remaining = self.len();
        let [t0, t1] = &mut self.ht;
        IterMut {
            segs: t0.segs.iter_mut().flatten().chain(t1.segs.iter_mut().flatten()),
            slots: [].iter_mut(),
            chain: None,
            remaining,
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &SBytes> + '_ {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        self.iter_mut().map(|(_, v)| v)
    }
}

/// Takes the entry out of a link that holds it, relinking the rest.
fn unlink<V>(link: &mut Link<V>) -> Option<(SBytes, V)> {
    let mut e = link.take()?;
    *link = e.next.take();
    let Entry { key, val, .. } = *e;
    Some((key, val))
}

fn visit_bucket<V>(t: &Table<V>, idx: u64, f: &mut impl FnMut(&SBytes, &V)) {
    let mut e = t.head(idx as usize);
    while let Some(x) = e {
        f(&x.key, &x.val);
        e = x.next.as_deref();
    }
}

fn visit_bucket_mut<V>(t: &mut Table<V>, idx: u64, f: &mut impl FnMut(&SBytes, &mut V)) {
    let mut e = slot_in(&mut t.segs, idx as usize, None).and_then(|l| l.as_deref_mut());
    while let Some(x) = e {
        f(&x.key, &mut x.val);
        e = x.next.as_deref_mut();
    }
}

/// Increments the bits of `v` under `mask` as a reversed number.
#[inline]
fn next_cursor(v: u64, mask: u64) -> u64 {
    (v | !mask).reverse_bits().wrapping_add(1).reverse_bits()
}

// ------------------------------------------------------------------ entries

/// The result of [`Dict::entry`].
pub enum EntryRef<'a, V> {
    Occupied(OccupiedEntry<'a, V>),
    Vacant(VacantEntry<'a, V>),
}

/// A present key.
pub struct OccupiedEntry<'a, V> {
    /// Always `Some`.
    link: &'a mut Link<V>,
    used: &'a mut usize,
}

impl<'a, V> OccupiedEntry<'a, V> {
    fn entry(&self) -> &Entry<V> {
        self.link.as_deref().expect("occupied entry holds an element")
    }

    fn entry_mut(&mut self) -> &mut Entry<V> {
        self.link.as_deref_mut().expect("occupied entry holds an element")
    }

    /// The stored key.
    pub fn key(&self) -> &SBytes {
        &self.entry().key
    }

    pub fn get(&self) -> &V {
        &self.entry().val
    }

    pub fn get_mut(&mut self) -> &mut V {
        &mut self.entry_mut().val
    }

    /// The value, borrowed for as long as the dict.
    pub fn into_mut(self) -> &'a mut V {
        &mut self.link.as_deref_mut().expect("occupied entry holds an element").val
    }

    /// Replaces the value, returning the old one.
    pub fn insert(&mut self, val: V) -> V {
        std::mem::replace(self.get_mut(), val)
    }

    /// Removes the element, returning the stored key and the value.
    pub fn remove(self) -> (SBytes, V) {
        let kv = unlink(self.link).expect("occupied entry holds an element");
        *self.used -= 1;
        kv
    }
}

/// An absent key.
pub struct VacantEntry<'a, V> {
    /// The empty link ending the key's chain in the table new keys go to.
    link: &'a mut Link<V>,
    used: &'a mut usize,
    hash: usize,
}

impl<'a, V> VacantEntry<'a, V> {
    /// Inserts `key` (which must be the key looked up) with `val`.
    pub fn insert(self, key: SBytes, val: V) -> &'a mut V {
        debug_assert_eq!(hash_key(&key), self.hash, "vacant entry given another key");
        *self.used += 1;
        &mut self.link.insert(Box::new(Entry { next: None, key, val })).val
    }
}

// ---------------------------------------------------------------- iterators

type SegIter<'a, V> = Flatten<slice::Iter<'a, Option<Segment<V>>>>;
type SegIterMut<'a, V> = Flatten<slice::IterMut<'a, Option<Segment<V>>>>;

/// Iterator of [`Dict::iter`].
pub struct Iter<'a, V> {
    segs: Chain<SegIter<'a, V>, SegIter<'a, V>>,
    slots: slice::Iter<'a, Link<V>>,
    chain: Option<&'a Entry<V>>,
    remaining: usize,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a SBytes, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.chain {
                self.chain = e.next.as_deref();
                self.remaining -= 1;
                return Some((&e.key, &e.val));
            }
            if self.remaining == 0 {
                return None;
            }
            match self.slots.next() {
                Some(slot) => self.chain = slot.as_deref(),
                None => self.slots = self.segs.next()?.iter(),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

/// Iterator of [`Dict::iter_mut`].
pub struct IterMut<'a, V> {
    segs: Chain<SegIterMut<'a, V>, SegIterMut<'a, V>>,
    slots: slice::IterMut<'a, Link<V>>,
    chain: Option<&'a mut Entry<V>>,
    remaining: usize,
}

impl<'a, V> Iterator for IterMut<'a, V> {
    type Item = (&'a SBytes, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.chain.take() {
                let Entry { next, key, val } = e;
                self.chain = next.as_deref_mut();
                self.remaining -= 1;
                return Some((&*key, val));
            }
            if self.remaining == 0 {
                return None;
            }
            match self.slots.next() {
                Some(slot) => self.chain = slot.as_deref_mut(),
                None => self.slots = self.segs.next()?.iter_mut(),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<V> ExactSizeIterator for IterMut<'_, V> {}

/// Owning iterator (`dict.into_iter()`), yielding `(key, value)`.
pub struct IntoIter<V> {
    /// What is left, taken a segment at a time.
    dict: Dict<V>,
    slots: std::vec::IntoIter<Link<V>>,
    chain: Link<V>,
    remaining: usize,
}

impl<V> Iterator for IntoIter<V> {
    type Item = (SBytes, V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(kv) = unlink(&mut self.chain) {
                self.remaining -= 1;
                return Some(kv);
            }
            if self.remaining == 0 {
                return None;
            }
            if let Some(slot) = self.slots.next() {
                self.chain = slot;
                continue;
            }
            let [t0, t1] = &mut self.dict.ht;
            if let Some(seg) = t0.segs.pop().or_else(|| t1.segs.pop())? {
                self.slots = seg.into_vec().into_iter();
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<V> ExactSizeIterator for IntoIter<V> {}

impl<V> Drop for IntoIter<V> {
    fn drop(&mut self) {
        drop_chain(self.chain.take());
        for slot in &mut self.slots {
            drop_chain(slot);
        }
        // The rest goes with `dict` (Table::drop is iterative).
    }
}

impl<V> IntoIterator for Dict<V> {
    type Item = (SBytes, V);
    type IntoIter = IntoIter<V>;

    fn into_iter(self) -> IntoIter<V> {
        let remaining = self.len();
        IntoIter {
            dict: self,
            slots: Vec::new().into_iter(),
            chain: None,
            remaining,
        }
    }
}

impl<'a, V> IntoIterator for &'a Dict<V> {
    type Item = (&'a SBytes, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<V> FromIterator<(SBytes, V)> for Dict<V> {
    fn from_iter<I: IntoIterator<Item = (SBytes, V)>>(iter: I) -> Self {
        let mut d = Dict::new();
        d.extend(iter);
        d
    }
}

impl<V> Extend<(SBytes, V)> for Dict<V> {
    fn extend<I: IntoIterator<Item = (SBytes, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod scan_mut_tests {
    use super::*;

    #[test]
    fn scan_mut_reaches_every_entry_while_rehashing() {
        let mut d: Dict<u32> = Dict::new();
        for i in 0..5000u32 {
            d.insert(SBytes::new(format!("k{i}").as_bytes()), 0);
        }
        d.reserve(20000);
        assert!(d.is_rehashing());
        let mut cursor = 0;
        loop {
            cursor = d.scan_mut(cursor, |_, v| *v += 1);
            if cursor == 0 {
                break;
            }
        }
        assert!(d.values().all(|&v| v >= 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};
    use std::collections::{HashMap, HashSet};

    fn k(s: &str) -> SBytes {
        SBytes::new(s.as_bytes())
    }

    /// Checks every structural invariant.
    fn check<V>(d: &Dict<V>) {
        for (t, table) in d.ht.iter().enumerate() {
            assert!(table.size == 0 || table.size.is_power_of_two());
            assert!(table.live <= table.size);
            let segs = if table.size == 0 {
                0
            } else {
                table.live.div_ceil(table.seg_len())
            };
            assert_eq!(table.segs.len(), segs, "segments of table {t}");
            for seg in table.segs.iter().flatten() {
                assert_eq!(seg.len(), table.seg_len());
            }
            let mut n = 0;
            for i in 0..table.size {
                let mut e = table.head(i);
                if i >= table.live {
                    assert!(e.is_none(), "moved bucket not empty");
                }
                while let Some(x) = e {
                    assert_eq!(hash_key(&x.key) & table.mask(), i, "entry in wrong bucket");
                    n += 1;
                    e = x.next.as_deref();
                }
            }
            assert_eq!(n, table.used, "used count of table {t}");
        }
        if d.rehashing {
            assert!(d.ht[0].size > 0 && d.ht[1].size > 0);
            assert_ne!(d.ht[0].size, d.ht[1].size);
            assert!(d.ht[0].live > 0);
            assert_eq!(d.ht[1].live, d.ht[1].size);
        } else {
            assert_eq!(d.ht[0].live, d.ht[0].size);
            assert_eq!(d.ht[1].size, 0);
            assert!(d.ht[1].segs.is_empty());
        }
        assert_eq!(d.iter().count(), d.len());
    }

    fn key_name(i: u64) -> String {
        // Some keys longer than the inline capacity.
        if i.is_multiple_of(7) {
            format!("a-rather-long-key-name-{i:08}")
        } else {
            format!("k{i}")
        }
    }

    #[test]
    fn entry_is_64_bytes() {
        assert_eq!(std::mem::size_of::<Entry<[u64; 4]>>(), 64);
        assert_eq!(Dict::<[u64; 4]>::entry_size(), 64);
        assert_eq!(ENTRY_SIZE, 64);
        assert_eq!(Dict::<i64>::entry_size(), 40);
    }

    #[test]
    fn dict_is_send_and_sync() {
        fn is_send<T: Send>() {}
        fn is_sync<T: Sync>() {}
        is_send::<Dict<Vec<u8>>>();
        is_sync::<Dict<Vec<u8>>>();
        is_send::<IntoIter<Vec<u8>>>();
    }

    #[test]
    fn basics() {
        let mut d: Dict<u32> = Dict::new();
        assert!(d.is_empty());
        assert_eq!(d.get(b"a"), None);
        assert_eq!(d.remove(b"a"), None);
        assert_eq!(d.get_mut(b"a"), None);
        assert_eq!(d.buckets(), 0);
        assert_eq!(d.insert(k("a"), 1), None);
        assert_eq!(d.insert(k("a"), 2), Some(1));
        assert_eq!(d.get(b"a"), Some(&2));
        *d.get_mut(b"a").unwrap() += 1;
        assert_eq!(d.get_key_value(b"a"), Some((&k("a"), &3)));
        *d.insert_new(k("b"), 10) += 1;
        assert_eq!(d.get(b"b"), Some(&11));
        match d.entry(b"c") {
            EntryRef::Vacant(v) => *v.insert(k("c"), 5) *= 2,
            EntryRef::Occupied(_) => panic!(),
        }
        match d.entry(b"c") {
            EntryRef::Occupied(mut o) => {
                assert_eq!(o.key(), &k("c"));
                assert_eq!(*o.get(), 10);
                *o.get_mut() += 1;
                assert_eq!(o.insert(20), 11);
                assert_eq!(*o.into_mut(), 20);
            }
            EntryRef::Vacant(_) => panic!(),
        }
        match d.entry(b"a") {
            EntryRef::Occupied(o) => assert_eq!(o.remove(), (k("a"), 3)),
            EntryRef::Vacant(_) => panic!(),
        }
        assert_eq!(d.len(), 2);
        assert!(!d.contains_key(b"a"));
        assert_eq!(d.remove(b"b"), Some((k("b"), 11)));
        assert_eq!(d.len(), 1);
        assert!(d.mem_overhead() >= d.buckets() * 8 + Dict::<u32>::entry_size());
        let s = format!("{d:?}");
        assert_eq!(s, r#"{"c": 20}"#);
        let mut all: Vec<_> = d.take_all().into_iter().collect();
        all.sort();
        assert_eq!(all, vec![(k("c"), 20)]);
        assert!(d.is_empty());
        assert_eq!(d.buckets(), 0);
    }

    #[test]
    fn binary_and_empty_keys() {
        let mut d: Dict<usize> = Dict::new();
        let keys: Vec<Vec<u8>> = vec![vec![], vec![0], vec![0, 0], vec![255; 22], vec![255; 23], vec![0; 100]];
        for (i, key) in keys.iter().enumerate() {
            d.insert(SBytes::new(key), i);
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(d.get(key), Some(&i));
        }
        check(&d);
    }

    #[test]
    fn model_random_ops_with_grow_and_shrink_cycles() {
        for seed in 0..3u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut d: Dict<u64> = Dict::new();
            let mut model: HashMap<Vec<u8>, u64> = HashMap::new();
            let mut grows = 0;
            let mut shrinks = 0;
            // Alternate between filling up to `hi` keys and draining to `lo`.
            for (cycle, &(hi, lo)) in [(3000, 10), (20000, 100), (500, 0), (8000, 3)].iter().enumerate() {
                for phase_fill in [true, false] {
                    let mut ops = 0;
                    loop {
                        let n = model.len();
                        if (phase_fill && n >= hi) || (!phase_fill && n <= lo) || ops > 200_000 {
                            break;
                        }
                        ops += 1;
                        let was_rehashing = d.is_rehashing();
                        let i = rng.random_range(0..(hi as u64 * 2));
                        let name = key_name(i);
                        let key = name.as_bytes();
                        let v = rng.random::<u64>();
                        let r = rng.random_range(0..100u32);
                        // Bias towards insert when filling, remove when draining.
                        let insert_p = if phase_fill { 60 } else { 25 };
                        if r < insert_p {
                            match rng.random_range(0..3) {
                                0 => {
                                    assert_eq!(d.insert(k(&name), v), model.insert(key.to_vec(), v))
                                }
                                1 => {
                                    if !model.contains_key(key) {
                                        d.insert_new(k(&name), v);
                                        model.insert(key.to_vec(), v);
                                    }
                                }
                                _ => match d.entry(key) {
                                    EntryRef::Occupied(mut o) => {
                                        let old = model.insert(key.to_vec(), v);
                                        assert_eq!(Some(o.insert(v)), old);
                                    }
                                    EntryRef::Vacant(vac) => {
                                        assert!(model.insert(key.to_vec(), v).is_none());
                                        assert_eq!(*vac.insert(k(&name), v), v);
                                    }
                                },
                            }
                        } else if r < 90 {
                            // Draining: mostly remove a present key.
                            let drained;
                            let key = if !phase_fill && rng.random_range(0..4) != 0 {
                                drained = d.random_entry(&mut rng).map(|(k, _)| k.to_vec());
                                drained.as_deref().unwrap_or(key)
                            } else {
                                key
                            };
                            if rng.random_range(0..2) == 0 {
                                let got = d.remove(key);
                                let want = model.remove(key);
                                assert_eq!(got.as_ref().map(|(_, v)| v), want.as_ref());
                                if let Some((sk, _)) = got {
                                    assert_eq!(sk.as_bytes(), key);
                                }
                            } else {
                                match d.entry(key) {
                                    EntryRef::Occupied(o) => {
                                        let (sk, sv) = o.remove();
                                        assert_eq!(sk.as_bytes(), key);
                                        assert_eq!(model.remove(key), Some(sv));
                                    }
                                    EntryRef::Vacant(_) => assert!(!model.contains_key(key)),
                                }
                            }
                        } else if r < 96 {
                            assert_eq!(d.get(key), model.get(key));
                            if let Some(x) = d.get_mut(key) {
                                *x = x.wrapping_add(1);
                                *model.get_mut(key).unwrap() = *x;
                            }
                        } else if r < 98 {
                            if d.try_shrink() {
                                shrinks += 1;
                            }
                        } else {
                            d.rehash_steps(rng.random_range(1..50));
                        }
                        if !was_rehashing && d.is_rehashing() && d.ht[1].size > d.ht[0].size {
                            grows += 1;
                        }
                        assert_eq!(d.len(), model.len());
                        if ops % 5000 == 0 {
                            check(&d);
                        }
                    }
                    check(&d);
                    assert_eq!(d.len(), model.len(), "cycle {cycle}");
                    for (key, v) in &model {
                        assert_eq!(d.get(key), Some(v));
                    }
                    let seen: HashMap<Vec<u8>, u64> = d.iter().map(|(k, v)| (k.to_vec(), *v)).collect();
                    assert_eq!(seen, model);
                }
            }
            // Drain completely and shrink down to the minimum.
            let keys: Vec<Vec<u8>> = model.keys().cloned().collect();
            for key in keys {
                assert!(d.remove(&key).is_some());
                model.remove(&key);
            }
            loop {
                while d.rehash_for(Duration::from_millis(10)) {}
                if !d.try_shrink() {
                    break;
                }
            }
            check(&d);
            assert_eq!(d.buckets(), INITIAL_SIZE);
            assert!(grows >= 10, "grows {grows}");
            assert!(shrinks >= 3, "shrinks {shrinks}");
        }
    }

    #[test]
    fn growth_policy() {
        let mut d: Dict<()> = Dict::new();
        d.insert(k("0"), ());
        assert_eq!(d.buckets(), 4);
        for i in 1..4 {
            d.insert(k(&i.to_string()), ());
        }
        assert!(!d.is_rehashing());
        assert_eq!(d.tables(), [(4, 4), (0, 0)]);
        // used == size: the next insert starts a growth to 8.
        d.insert(k("4"), ());
        assert!(d.is_rehashing() || d.buckets() == 8);
        while d.rehash_steps(1) {}
        assert_eq!(d.tables(), [(8, 5), (0, 0)]);
        let d2: Dict<()> = Dict::with_capacity(1000);
        assert_eq!(d2.buckets(), 1024);
        assert_eq!(table_size_for(usize::MAX, MAX_PRESIZE), MAX_PRESIZE);
        assert_eq!(table_size_for(MAX_PRESIZE + 1, MAX_PRESIZE), MAX_PRESIZE);
        assert_eq!(table_size_for(0, MAX_PRESIZE), INITIAL_SIZE);
        let mut d4: Dict<()> = Dict::new();
        assert!(d4.reserve(100));
        assert_eq!(d4.buckets(), 128);
        assert!(!d4.reserve(100));
        d4.insert(k("x"), ());
        assert!(d4.reserve(1000));
        assert!(d4.is_rehashing());
        while d4.rehash_for(Duration::from_millis(1)) {}
        assert_eq!(d4.tables(), [(1024, 1), (0, 0)]);
        check(&d4);
        // Non-empty: at most 1024x at a time.
        assert!(d4.reserve(1 << 26));
        assert_eq!(d4.tables()[1].0, 1 << 20);
        while d4.rehash_for(Duration::from_millis(1)) {}
        check(&d4);
        // Empty small table: replaced at once.
        let mut d5: Dict<()> = Dict::new();
        d5.insert(k("x"), ());
        d5.remove(b"x");
        assert!(d5.reserve(1 << 20));
        assert!(!d5.is_rehashing());
        assert_eq!(d5.buckets(), 1 << 20);
    }

    #[test]
    fn shrink_policy() {
        let mut d: Dict<u32> = Dict::new();
        for i in 0..10_000u32 {
            d.insert(k(&i.to_string()), i);
        }
        while d.rehash_steps(100) {}
        assert_eq!(d.buckets(), 16384);
        assert!(!d.try_shrink(), "fill above 10%");
        for i in 10..10_000u32 {
            d.remove(i.to_string().as_bytes());
        }
        while d.rehash_steps(100) {}
        assert!(d.try_shrink());
        assert!(!d.try_shrink(), "already rehashing");
        // At most a factor 64 at a time.
        assert_eq!(d.tables()[1].0, 16384 / 64);
        while d.rehash_steps(100) {}
        assert!(d.try_shrink());
        while d.rehash_steps(100) {}
        assert_eq!(d.buckets(), 16);
        assert!(!d.try_shrink());
        check(&d);
        for i in 0..10u32 {
            assert_eq!(d.get(i.to_string().as_bytes()), Some(&i));
        }
    }

    #[test]
    fn rehash_step_visits_bounded_empty_buckets() {
        let mut d: Dict<u32> = Dict::with_capacity(1 << 16);
        for i in 0..30_000u32 {
            d.insert(k(&i.to_string()), i);
        }
        assert_eq!(d.buckets(), 1 << 16);
        assert!(d.ht[0].segs.iter().all(|s| s.is_some()));
        for i in 1..30_000u32 {
            d.remove(i.to_string().as_bytes());
        }
        assert!(d.try_shrink());
        let mut steps = 0;
        while d.is_rehashing() {
            let before = d.ht[0].live;
            let moved_before = d.ht[1].used;
            steps += 1;
            if !d.rehash_steps(1) {
                break;
            }
            let visited = before - d.ht[0].live;
            let moved = d.ht[1].used - moved_before;
            // One non-empty bucket, or at most 10 empty ones.
            assert!(visited <= 11 && (visited == 10 || moved > 0));
        }
        assert!(steps >= (1 << 16) / 11);
        assert_eq!(d.get(b"0"), Some(&0));
        check(&d);
        // Unallocated segments are skipped at once.
        let mut d: Dict<u32> = Dict::with_capacity(1 << 20);
        d.insert(k("only"), 1);
        assert!(d.try_shrink());
        assert!(d.rehash_for(Duration::ZERO));
        while d.rehash_for(Duration::from_millis(50)) {}
        assert!(!d.is_rehashing());
        assert_eq!(d.get(b"only"), Some(&1));
        check(&d);
    }

    /// A dict caught in the middle of a growth.
    fn mid_rehash(n: u64) -> Dict<u64> {
        let mut d = Dict::new();
        for i in 0..n {
            d.insert(SBytes::from(key_name(i).into_bytes()), i);
            if d.is_rehashing() && i > n * 3 / 4 && d.ht[0].used > 10 {
                break;
            }
        }
        d
    }

    #[test]
    fn scan_reports_each_once_on_a_stable_table() {
        let mut stable = Dict::new();
        for i in 0..1000u64 {
            stable.insert(SBytes::from(key_name(i).into_bytes()), i);
        }
        while stable.rehash_steps(100) {}
        let rehashing = mid_rehash(5000);
        assert!(rehashing.is_rehashing());
        let mut shrinking = Dict::new();
        for i in 0..5000u64 {
            shrinking.insert(SBytes::from(key_name(i).into_bytes()), i);
        }
        while shrinking.rehash_steps(100) {}
        for i in 100..5000u64 {
            shrinking.remove(key_name(i).as_bytes());
        }
        while shrinking.rehash_steps(100) {}
        assert!(shrinking.try_shrink());
        shrinking.rehash_steps(20);
        assert!(shrinking.is_rehashing());
        for d in [&stable, &rehashing, &shrinking] {
            let mut counts: HashMap<Vec<u8>, usize> = HashMap::new();
            let mut cursor = 0;
            let mut calls = 0;
            loop {
                cursor = d.scan(cursor, |k, _| *counts.entry(k.to_vec()).or_default() += 1);
                calls += 1;
                if cursor == 0 {
                    break;
                }
            }
            assert_eq!(counts.len(), d.len());
            assert!(counts.values().all(|&c| c == 1));
            assert!(calls <= d.buckets());
        }
        let empty: Dict<u8> = Dict::new();
        assert_eq!(empty.scan(0, |_, _| panic!()), 0);
        let mut emptied: Dict<u8> = Dict::new();
        emptied.insert(k("x"), 1);
        emptied.remove(b"x");
        assert_eq!(emptied.scan(0, |_, _| panic!()), 0);
        assert_eq!(emptied.scan(12345, |_, _| panic!()), 0);
    }

    #[test]
    fn scan_guarantee_across_grow_and_shrink() {
        let mut total_calls = 0;
        for seed in 0..10u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut d: Dict<u64> = Dict::new();
            // Keys "s.." stay for the whole scan; "t.." come and go.
            let stable: Vec<String> = (0..300).map(|i| format!("s{i}")).collect();
            for s in &stable {
                d.insert(k(s), 0);
            }
            let mut next_tmp = 0u64;
            let mut tmp: Vec<String> = Vec::new();
            let initial_tmp = rng.random_range(0..3000);
            for _ in 0..initial_tmp {
                let name = format!("t{next_tmp}");
                next_tmp += 1;
                d.insert(k(&name), 1);
                tmp.push(name);
            }
            let mut ever_present: HashSet<Vec<u8>> = d.keys().map(|k| k.to_vec()).collect();
            let mut reported: HashSet<Vec<u8>> = HashSet::new();
            let mut cursor = 0u64;
            let mut calls = 0;
            let mut sizes = HashSet::new();
            loop {
                cursor = d.scan(cursor, |k, _| {
                    reported.insert(k.to_vec());
                });
                calls += 1;
                assert!(calls < 1_000_000, "scan does not terminate");
                if cursor == 0 {
                    break;
                }
                match rng.random_range(0..30) {
                    // Grow: add many temporary keys.
                    0..=2 if tmp.len() < 8_000 => {
                        for _ in 0..rng.random_range(1..800) {
                            let name = format!("t{next_tmp}");
                            next_tmp += 1;
                            d.insert(k(&name), 1);
                            ever_present.insert(name.clone().into_bytes());
                            tmp.push(name);
                        }
                    }
                    // Shrink: remove many temporary keys, then try to shrink.
                    3..=5 => {
                        let n = rng.random_range(0..=tmp.len());
                        for _ in 0..n {
                            let i = rng.random_range(0..tmp.len());
                            let name = tmp.swap_remove(i);
                            assert!(d.remove(name.as_bytes()).is_some());
                        }
                        d.try_shrink();
                    }
                    6 => {
                        d.rehash_steps(rng.random_range(1..200));
                    }
                    7 => {
                        d.try_shrink();
                    }
                    _ => {}
                }
                sizes.insert(d.tables());
            }
            for s in &stable {
                assert!(reported.contains(s.as_bytes()), "seed {seed}: {s} never reported");
            }
            assert!(reported.is_subset(&ever_present));
            assert!(sizes.len() > 3, "seed {seed}: the table never changed");
            total_calls += calls;
            check(&d);
        }
        println!("{total_calls} scan calls");
    }

    #[test]
    fn random_entry_and_sample_cover_small_dict() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut d: Dict<usize> = Dict::new();
        assert!(d.random_entry(&mut rng).is_none());
        assert_eq!(d.sample(5, &mut rng, |_, _| panic!()), 0);
        for i in 0..10 {
            d.insert(k(&format!("x{i}")), i);
        }
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let (key, v) = d.random_entry(&mut rng).unwrap();
            assert_eq!(d.get(key), Some(v));
            seen.insert(key.clone());
        }
        assert_eq!(seen.len(), 10);
        // Like Redis, a sample walks each chain from its head, so an element
        // deep in a chain is only reported when `count` is big enough.
        let mut total = 0;
        for _ in 0..2000 {
            let n = d.sample(3, &mut rng, |key, v| assert_eq!(d.get(key), Some(v)));
            assert!(n <= 3);
            total += n;
        }
        assert!(total > 5000, "{total}");
        let mut seen = HashSet::new();
        for _ in 0..100 {
            let n = d.sample(10, &mut rng, |key, v| {
                assert_eq!(d.get(key), Some(v));
                seen.insert(key.clone());
            });
            assert_eq!(n, 10);
        }
        assert_eq!(seen.len(), 10);
        let n = d.sample(100, &mut rng, |_, _| {});
        assert_eq!(n, 10);
    }

    #[test]
    fn random_entry_and_sample_while_rehashing() {
        let mut rng = StdRng::seed_from_u64(8);
        let d = mid_rehash(3000);
        assert!(d.is_rehashing());
        let mut seen = HashSet::new();
        for _ in 0..100_000 {
            let (key, v) = d.random_entry(&mut rng).unwrap();
            assert_eq!(d.get(key), Some(v));
            seen.insert(key.clone());
        }
        assert!(seen.len() > d.len() * 9 / 10);
        let mut got = 0;
        for _ in 0..100 {
            got += d.sample(10, &mut rng, |key, v| assert_eq!(d.get(key), Some(v)));
        }
        assert!(got > 500);
    }

    #[test]
    fn random_entry_on_very_sparse_table_is_quick() {
        let mut rng = StdRng::seed_from_u64(9);
        let mut d: Dict<u64> = Dict::new();
        for i in 0..100_000u64 {
            d.insert(k(&format!("r{i}")), i);
        }
        while d.rehash_steps(1000) {}
        for i in 3..100_000u64 {
            d.remove(format!("r{i}").as_bytes());
        }
        while d.rehash_steps(1000) {}
        assert_eq!(d.len(), 3);
        assert_eq!(d.buckets(), 131072);
        let start = Instant::now();
        let mut seen = HashSet::new();
        for _ in 0..300 {
            let (key, _) = d.random_entry(&mut rng).unwrap();
            seen.insert(key.clone());
            d.sample(5, &mut rng, |key, _| assert!(d.contains_key(key)));
        }
        assert_eq!(seen.len(), 3);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(5), "took {took:?}");
        // And in the middle of the shrink.
        assert!(d.try_shrink());
        d.rehash_steps(3);
        assert!(d.is_rehashing());
        for _ in 0..300 {
            let (key, _) = d.random_entry(&mut rng).unwrap();
            assert!(d.contains_key(key));
        }
    }

    #[test]
    fn iterators() {
        let mut d = mid_rehash(2000);
        assert!(d.is_rehashing());
        let model: HashMap<Vec<u8>, u64> = d.iter().map(|(k, v)| (k.to_vec(), *v)).collect();
        assert_eq!(model.len(), d.len());
        assert_eq!(d.iter().len(), d.len());
        for (_, v) in d.iter_mut() {
            *v += 1;
        }
        for v in d.values_mut() {
            *v *= 2;
        }
        for (key, v) in &model {
            assert_eq!(d.get(key), Some(&((v + 1) * 2)));
        }
        assert_eq!(d.keys().count(), d.len());
        assert_eq!(d.values().count(), d.len());
        let n = d.len();
        let mut it = d.take_all().into_iter();
        assert_eq!(it.len(), n);
        let some: Vec<_> = it.by_ref().take(10).collect();
        assert_eq!(some.len(), 10);
        assert_eq!(it.len(), n - 10);
        drop(it); // drops the rest
        let d2: Dict<u64> = model.iter().map(|(k, v)| (SBytes::new(k), *v)).collect();
        let back: HashMap<Vec<u8>, u64> = d2.into_iter().map(|(k, v)| (k.to_vec(), v)).collect();
        assert_eq!(back, model);
    }

    /// A dict whose only bucket holds a chain of `n` entries (impossible to
    /// get through the API with a random hasher).
    fn one_long_chain(n: usize) -> Dict<u64> {
        let mut chain: Link<u64> = None;
        for i in 0..n {
            chain = Some(Box::new(Entry {
                next: chain,
                key: SBytes::new(&(i as u64).to_le_bytes()),
                val: i as u64,
            }));
        }
        let mut d = Dict::new();
        d.ht[0] = Table {
            segs: vec![Some(vec![chain].into_boxed_slice())],
            size: 1,
            used: n,
            live: 1,
        };
        d
    }

    #[test]
    fn long_chains_drop_without_recursion() {
        let n = 1_000_000;
        drop(one_long_chain(n));
        let mut d = one_long_chain(n);
        d.clear();
        assert!(d.is_empty());
        let mut it = one_long_chain(n).into_iter();
        assert!(it.next().is_some());
        drop(it);
        let mut d = one_long_chain(n);
        let (_, v) = d.remove(&0u64.to_le_bytes()).unwrap();
        assert_eq!(v, 0);
        assert_eq!(d.len(), n - 1);
        drop(d);
    }

    #[test]
    fn big_dict_drop_and_clear() {
        let mut d: Dict<u64> = Dict::new();
        for i in 0..1_000_000u64 {
            d.insert_new(SBytes::new(&i.to_le_bytes()), i);
        }
        assert_eq!(d.len(), 1_000_000);
        assert_eq!(d.get(&123_456u64.to_le_bytes()), Some(&123_456));
        let old = d.take_all();
        std::thread::spawn(move || drop(old)).join().unwrap();
        for i in 0..1000u64 {
            d.insert(SBytes::new(&i.to_le_bytes()), i);
        }
        d.clear();
        assert!(d.is_empty());
        assert_eq!(d.buckets(), 0);
        d.insert(k("again"), 1);
        assert_eq!(d.get(b"again"), Some(&1));
    }

    /// `cargo test --release -- --ignored --nocapture worst_pause`
    #[test]
    #[ignore]
    fn worst_pause_inserting_10m_keys() {
        let n = 10_000_000u64;
        let mut d: Dict<u64> = Dict::new();
        let mut worst = Duration::ZERO;
        let mut worst_at = 0;
        let mut slow = [0usize; 4]; // > 10 µs, 100 µs, 1 ms, 10 ms
        let start = Instant::now();
        let mut key = Vec::with_capacity(32);
        use std::io::Write;
        for i in 0..n {
            key.clear();
            write!(key, "key:{i}").unwrap();
            let sk = SBytes::new(&key);
            let t = Instant::now();
            d.insert(sk, i);
            let el = t.elapsed();
            if el > worst {
                worst = el;
                worst_at = i;
            }
            for (j, limit) in [10u64, 100, 1000, 10_000].iter().enumerate() {
                if el > Duration::from_micros(*limit) {
                    slow[j] += 1;
                }
            }
        }
        let total = start.elapsed();
        println!(
            "inserted {n} keys in {total:?} ({:.0} ns/insert); worst single insert {worst:?} at #{worst_at}; \
             inserts over 10us/100us/1ms/10ms: {slow:?}; tables {:?}; mem_overhead {} MB ({} B/entry)",
            total.as_nanos() as f64 / n as f64,
            d.tables(),
            d.mem_overhead() >> 20,
            d.mem_overhead() / d.len()
        );
        let t = Instant::now();
        let mut worst_get = Duration::ZERO;
        for i in (0..n).step_by(7) {
            key.clear();
            write!(key, "key:{i}").unwrap();
            let t = Instant::now();
            assert_eq!(d.get(&key), Some(&i));
            worst_get = worst_get.max(t.elapsed());
        }
        println!("1/7 gets in {:?}, worst {worst_get:?}", t.elapsed());
        let t = Instant::now();
        let mut worst_rm = Duration::ZERO;
        for i in 0..n {
            key.clear();
            write!(key, "key:{i}").unwrap();
            let t = Instant::now();
            assert!(d.remove(&key).is_some());
            if i % 1024 == 0 {
                d.try_shrink();
            }
            worst_rm = worst_rm.max(t.elapsed());
        }
        println!(
            "removed all (with try_shrink every 1024) in {:?}, worst {worst_rm:?}; tables {:?}",
            t.elapsed(),
            d.tables()
        );
    }
}
