//! Streams (Redis 7.0's t_stream.c): the value type, its node format, ID
//! parsing and consumer groups.
//!
//! Entries live in listpack nodes keyed by their master ID in a `BTreeMap`
//! (Redis keeps them in a radix tree keyed by the 128-bit big-endian ID,
//! which orders them the same way). Each node is byte-identical to Redis's
//! stream node, so RDB can store it verbatim:
//!
//! ```text
//! master entry: count deleted nfields field_1 ... field_N 0
//! entry:        flags ms-delta seq-delta [nfields field value ...] | [value ...] lp-count
//! ```
//!
//! `flags` has `SAMEFIELDS` when the entry uses the master entry's fields
//! (only the values are stored) and `DELETED` for an entry removed by XDEL
//! or exact trimming: deleted entries stay in place until the whole node
//! goes. A node is closed when it reaches `stream-node-max-bytes` or
//! `stream-node-max-entries` (live and deleted entries counted).
//!
//! Consumer groups, their pending entries lists (PEL) and consumers are
//! ordered maps, so every listing comes out in Redis's (byte) order.

use crate::listpack::{Listpack, LpValue};
pub use crate::rdb::stream::StreamId;
use crate::rdb::stream::{StreamConsumer, StreamGroup, StreamNack, StreamNode, StreamRepr};
use crate::rdb::stream::{STREAM_ITEM_FLAG_DELETED as FLAG_DELETED, STREAM_ITEM_FLAG_SAMEFIELDS as FLAG_SAMEFIELDS};
use std::collections::{BTreeMap, BTreeSet};

/// Redis `STREAM_LISTPACK_MAX_SIZE`: no node grows past 1 GB.
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// A group's entries-read when unknown (`SCG_INVALID_ENTRIES_READ`).
pub const INVALID_ENTRIES_READ: i64 = -1;

// ---- IDs -------------------------------------------------------------------------

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };

    pub fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(self) -> bool {
        self.ms == 0 && self.seq == 0
    }

    /// Redis `streamIncrID`: the next ID, None after the last possible one.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                return None;
            }
            return Some(StreamId::new(self.ms + 1, 0));
        }
        Some(StreamId::new(self.ms, self.seq + 1))
    }

    /// Redis `streamDecrID`: the previous ID, None before 0-0.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                return None;
            }
            return Some(StreamId::new(self.ms - 1, u64::MAX));
        }
        Some(StreamId::new(self.ms, self.seq - 1))
    }

    /// `<ms>-<seq>` as Redis prints it.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(24);
        self.write_to(&mut v);
        v
    }

    pub fn write_to(self, out: &mut Vec<u8>) {
        let mut buf = itoa_u64(self.ms);
        out.extend_from_slice(buf.as_slice());
        out.push(b'-');
        buf = itoa_u64(self.seq);
        out.extend_from_slice(buf.as_slice());
    }
}

/// Decimal digits of a u64 on the stack.
pub struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

fn itoa_u64(mut v: u64) -> Digits {
    let mut buf = [0u8; 20];
    let mut i = 20;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    Digits { buf, start: i }
}

/// Redis `string2ull`: `string2ll` for canonical numbers (negative ones
/// rejected), else `strtoull` rules: leading white space, an optional sign
/// (a `-` negates modulo 2^64, as C does), digits to the end, no overflow.
pub fn string2ull(s: &[u8]) -> Option<u64> {
    if let Some(v) = crate::util::string2ll(s) {
        return u64::try_from(v).ok();
    }
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    if i >= s.len() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in &s[i..] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// The outcome of parsing an ID argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedId {
    pub id: StreamId,
    /// False for the `<ms>-*` form (XADD).
    pub seq_given: bool,
}

/// Redis `streamGenericParseIDOrReply`: `-`, `+` (unless strict), `<ms>`
/// (the sequence is `missing_seq`), `<ms>-<seq>`, and `<ms>-*` when
/// `allow_auto_seq`. The argument is read as a C string (up to a NUL) and
/// may not be longer than 127 bytes. None when invalid.
pub fn parse_id(arg: &[u8], missing_seq: u64, strict: bool, allow_auto_seq: bool) -> Option<ParsedId> {
    if arg.len() > 127 {
        return None;
    }
    let b = crate::cmd::cstr(arg);
    if b == b"-" || b == b"+" {
        if strict {
            return None;
        }
        let id = if b == b"-" { StreamId::MIN } else { StreamId::MAX };
        return Some(ParsedId { id, seq_given: true });
    }
    let (ms_part, seq_part) = match memchr::memchr(b'-', b) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let ms = string2ull(ms_part)?;
    let (seq, seq_given) = match seq_part {
        Some(b"*") if allow_auto_seq => (0, false),
        Some(s) => (string2ull(s)?, true),
        None => (missing_seq, true),
    };
    Some(ParsedId {
        id: StreamId::new(ms, seq),
        seq_given,
    })
}

// ---- node format -----------------------------------------------------------------

/// One entry of a decoded node.
#[derive(Clone, Copy, Debug)]
pub struct Ent {
    pub id: StreamId,
    pub deleted: bool,
    /// Byte position of the flags element.
    flag_pos: usize,
    /// Index (in the node's elements) of the first field (own fields) or
    /// value (same fields).
    first: usize,
    nfields: usize,
    same: bool,
}

/// A node's elements decoded once, for walking its entries.
#[allow(dead_code)]
pub struct Node<'a> {
    pub master: StreamId,
    vals: Vec<(usize, LpValue<'a>)>,
    pub entries: Vec<Ent>,
    pub count: i64,
    pub deleted: i64,
}

fn int_at(vals: &[(usize, LpValue<'_>)], i: usize) -> Option<i64> {
    vals.get(i).and_then(|v| v.1.as_i64())
}

impl<'a> Node<'a> {
    /// Decodes a node; a malformed one (impossible for nodes built here or
    /// validated on load) decodes to the entries read before the damage.
    pub fn decode(master: StreamId, lp: &'a Listpack) -> Node<'a> {
        let vals: Vec<(usize, LpValue<'a>)> = lp.entries().collect();
        let mut n = Node {
            master,
            count: int_at(&vals, 0).unwrap_or(0),
            deleted: int_at(&vals, 1).unwrap_or(0),
            entries: Vec::new(),
            vals,
        };
        let master_fields = int_at(&n.vals, 2).and_then(|v| usize::try_from(v).ok()).unwrap_or(0);
        let mut i = master_fields.saturating_add(4);
        while i < n.vals.len() {
            let (Some(flags), Some(ms), Some(seq)) =
                (int_at(&n.vals, i), int_at(&n.vals, i + 1), int_at(&n.vals, i + 2))
            else {
                break;
            };
            let flag_pos = n.vals[i].0;
            i += 3;
            let same = flags & FLAG_SAMEFIELDS != 0;
            let (nfields, first, next) = if same {
                (master_fields, i, i.saturating_add(master_fields))
            } else {
                let Some(nf) = int_at(&n.vals, i).and_then(|v| usize::try_from(v).ok()) else {
                    break;
                };
                (nf, i + 1, (i + 1).saturating_add(nf.saturating_mul(2)))
            };
            if next >= n.vals.len() {
                break;
            }
            n.entries.push(Ent {
                id: StreamId::new(master.ms.wrapping_add(ms as u64), master.seq.wrapping_add(seq as u64)),
                deleted: flags & FLAG_DELETED != 0,
                flag_pos,
                first,
                nfields,
                same,
            });
            i = next + 1; // skip lp-count
        }
        n
    }

    /// The field/value pairs of an entry.
    pub fn pairs<'s>(&'s self, e: &'s Ent) -> impl Iterator<Item = (LpValue<'a>, LpValue<'a>)> + 's {
        let none = LpValue::Str(b"");
        (0..e.nfields).map(move |k| {
            let get = |i: usize| self.vals.get(i).map(|v| v.1).unwrap_or(none);
            if e.same {
                (get(3 + k), get(e.first + k))
            } else {
                (get(e.first + 2 * k), get(e.first + 2 * k + 1))
            }
        })
    }

    /// The ID of the last entry (deleted or not).
    pub fn last_id(&self) -> Option<StreamId> {
        self.entries.last().map(|e| e.id)
    }
}

/// Marks entries of a node deleted (by flag position) and fixes the
/// master entry's counters. Returns the new live count.
fn mark_deleted(lp: &mut Listpack, node: &[Ent], which: &[usize]) -> i64 {
    for &k in which {
        let e = &node[k];
        let flags = if e.same { FLAG_SAMEFIELDS } else { 0 } | FLAG_DELETED;
        // A flag value below 128 keeps its one-byte encoding, so the other
        // positions stay valid.
        lp.replace_int(e.flag_pos, flags);
    }
    let Some(p0) = lp.first() else { return 0 };
    let count = lp.get(p0).as_i64().unwrap_or(0) - which.len() as i64;
    lp.replace_int(p0, count);
    if let Some(p1) = lp.next(p0) {
        let deleted = lp.get(p1).as_i64().unwrap_or(0) + which.len() as i64;
        lp.replace_int(p1, deleted);
    }
    count
}

// ---- the stream ------------------------------------------------------------------

/// A pending entry: delivered to `consumer`, not acknowledged yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nack {
    pub delivery_time: i64,
    pub delivery_count: u64,
    pub consumer: Box<[u8]>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consumer {
    pub seen_time: i64,
    pub pel: BTreeSet<StreamId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub last_id: StreamId,
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    pub consumers: BTreeMap<Box<[u8]>, Consumer>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Removes a pending entry from the group and its consumer.
    pub fn remove_nack(&mut self, id: StreamId) -> Option<Nack> {
        let nack = self.pel.remove(&id)?;
        if let Some(c) = self.consumers.get_mut(&nack.consumer) {
            c.pel.remove(&id);
        }
        Some(nack)
    }

    /// Gives a pending entry to `consumer` (which must exist).
    /// Marks consumer `name` as seen at `now`, creating it if needed
    /// (Redis's streamLookupConsumer + streamCreateConsumer). True if it
    /// was created.
    pub fn seen_consumer(&mut self, name: &[u8], now: i64) -> bool {
        match self.consumers.get_mut(name) {
            Some(c) => {
                c.seen_time = now;
                false
            }
            None => {
                self.consumers.insert(
                    name.into(),
                    Consumer {
                        seen_time: now,
                        ..Consumer::default()
                    },
                );
                true
            }
        }
    }

    pub fn assign_nack(&mut self, id: StreamId, consumer: &[u8]) {
        let Some(nack) = self.pel.get_mut(&id) else { return };
        if &*nack.consumer != consumer {
            let old = std::mem::replace(&mut nack.consumer, consumer.into());
            if let Some(c) = self.consumers.get_mut(&old) {
                c.pel.remove(&id);
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Deletes a consumer and its pending entries; how many it had.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }
}

/// How XADD/XTRIM trim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stream {
    nodes: BTreeMap<StreamId, Listpack>,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    pub groups: BTreeMap<Box<[u8]>, Group>,
}

/// An entry as the range walkers hand it out.
pub struct EntryRef<'n, 'a> {
    pub node: &'n Node<'a>,
    pub ent: &'n Ent,
}

impl<'a> EntryRef<'_, 'a> {
    pub fn id(&self) -> StreamId {
        self.ent.id
    }
    pub fn nfields(&self) -> usize {
        self.ent.nfields
    }
    pub fn pairs(&self) -> impl Iterator<Item = (LpValue<'a>, LpValue<'a>)> + '_ {
        self.node.pairs(self.ent)
    }
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// Number of nodes (XINFO's radix-tree-keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Redis `streamAppendItem` once the ID is known to be greater than
    /// the last one: appends to the last node or opens a new one. False
    /// when the fields and values are too large for a node.
    pub fn append(&mut self, id: StreamId, pairs: &[(&[u8], &[u8])], max_bytes: u64, max_entries: i64) -> bool {
        let total: usize = pairs.iter().map(|(f, v)| f.len() + v.len()).sum();
        if total > LISTPACK_MAX_SIZE {
            return false;
        }
        let node_max_bytes = match usize::try_from(max_bytes) {
            Ok(0) | Err(_) => LISTPACK_MAX_SIZE,
            Ok(b) => b.min(LISTPACK_MAX_SIZE),
        };
        let mut use_last = None;
        if let Some((&master, lp)) = self.nodes.iter().next_back() {
            let mut full = lp.bytes() + total >= node_max_bytes;
            if !full && max_entries > 0 {
                let mut it = lp.iter();
                let count = it.next().and_then(LpValue::as_i64).unwrap_or(0);
                let deleted = it.next().and_then(LpValue::as_i64).unwrap_or(0);
                full = count.saturating_add(deleted) >= max_entries;
            }
            if !full {
                use_last = Some(master);
            }
        }
        let numfields = pairs.len() as i64;
        let (master, lp, same) = match use_last {
            None => {
                let mut lp = Listpack::new();
                lp.append_int(1);
                lp.append_int(0);
                lp.append_int(numfields);
                for (f, _) in pairs {
                    lp.append(f);
                }
                lp.append_int(0);
                (id, self.nodes.entry(id).or_insert(lp), true)
            }
            Some(master) => {
                let Some(lp) = self.nodes.get_mut(&master) else {
                    return false;
                };
                let mut it = lp.entries();
                let (p0, count) = match it.next() {
                    Some((p, v)) => (p, v.as_i64().unwrap_or(0)),
                    None => return false,
                };
                it.next();
                let mf = it.next().and_then(|v| v.1.as_i64()).unwrap_or(-1);
                let same = mf == numfields
                    && it
                        .zip(pairs.iter())
                        .take(pairs.len())
                        .all(|((_, v), (f, _))| v.eq_exact(f));
                let same = same && (pairs.len() as i64) == mf;
                lp.replace_int(p0, count + 1);
                (master, lp, same)
            }
        };
        lp.append_int(if same { FLAG_SAMEFIELDS } else { 0 });
        lp.append_int(id.ms.wrapping_sub(master.ms) as i64);
        lp.append_int(id.seq.wrapping_sub(master.seq) as i64);
        if !same {
            lp.append_int(numfields);
        }
        for (f, v) in pairs {
            if !same {
                lp.append(f);
            }
            lp.append(v);
        }
        let lp_count = numfields + 3 + if same { 0 } else { numfields + 1 };
        lp.append_int(lp_count);
        self.length += 1;
        self.entries_added = self.entries_added.wrapping_add(1);
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        true
    }

    /// Walks entries with IDs in `start..=end` (live ones only), forward or
    /// backward, until `f` returns false.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool, mut f: impl FnMut(EntryRef<'_, '_>) -> bool) {
        if start > end {
            return;
        }
        if !rev {
            let first = self.nodes.range(..=start).next_back().map(|(k, _)| *k).unwrap_or(start);
            for (master, lp) in self.nodes.range(first..) {
                if *master > end {
                    return;
                }
                let node = Node::decode(*master, lp);
                for ent in &node.entries {
                    if ent.deleted || ent.id < start {
                        continue;
                    }
                    if ent.id > end {
                        return;
                    }
                    if !f(EntryRef { node: &node, ent }) {
                        return;
                    }
                }
            }
        } else {
            for (master, lp) in self.nodes.range(..=end).rev() {
                let node = Node::decode(*master, lp);
                for ent in node.entries.iter().rev() {
                    if ent.deleted || ent.id > end {
                        continue;
                    }
                    if ent.id < start {
                        return;
                    }
                    if !f(EntryRef { node: &node, ent }) {
                        return;
                    }
                }
                if *master < start {
                    return;
                }
            }
        }
    }

    /// Calls `f` with the live entry `id`, if there is one.
    pub fn with_entry<R>(&self, id: StreamId, f: impl FnOnce(EntryRef<'_, '_>) -> R) -> Option<R> {
        let mut f = Some(f);
        let mut out = None;
        self.range(id, id, false, |e| {
            if let Some(f) = f.take() {
                out = Some(f(e));
            }
            false
        });
        out
    }

    pub fn entry_exists(&self, id: StreamId) -> bool {
        self.with_entry(id, |_| ()).is_some()
    }

    /// The first (or last) live entry's ID (Redis `streamGetEdgeID` with
    /// tombstones skipped).
    pub fn edge_id(&self, first: bool) -> Option<StreamId> {
        let mut out = None;
        self.range(StreamId::MIN, StreamId::MAX, !first, |e| {
            out = Some(e.id());
            false
        });
        out
    }

    /// Redis `streamDeleteItem`: marks a live entry deleted; the node goes
    /// when its last live entry does.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&master, lp)) = self.nodes.range_mut(..=id).next_back() else {
            return false;
        };
        let node = Node::decode(master, lp);
        let Some(k) = node.entries.iter().position(|e| e.id == id && !e.deleted) else {
            return false;
        };
        let entries = node.entries.clone();
        drop(node);
        let live = mark_deleted(&mut *lp, &entries, &[k]);
        if live <= 0 {
            self.nodes.remove(&master);
        }
        self.length = self.length.saturating_sub(1);
        true
    }

    /// Redis `streamTrim`: removes whole nodes from the head while the
    /// strategy allows, then (unless `approx`) marks entries deleted inside
    /// the next node. `limit` (0 = none) caps the entries removed, whole
    /// nodes only. Returns how many entries were removed.
    pub fn trim(&mut self, how: Trim, approx: bool, limit: u64) -> u64 {
        let mut deleted: u64 = 0;
        while let Some((&master, lp)) = self.nodes.iter_mut().next() {
            if let Trim::MaxLen(maxlen) = how {
                if self.length <= maxlen {
                    break;
                }
            }
            let node = Node::decode(master, lp);
            let entries = node.count.max(0) as u64;
            if limit != 0 && deleted.saturating_add(entries) > limit {
                break;
            }
            let remove_node = match how {
                Trim::MaxLen(maxlen) => self.length.saturating_sub(entries) >= maxlen,
                Trim::MinId(min) => node.last_id().is_some_and(|l| l < min),
            };
            if remove_node {
                drop(node);
                self.nodes.remove(&master);
                self.length = self.length.saturating_sub(entries);
                deleted = deleted.saturating_add(entries);
                continue;
            }
            if approx {
                break;
            }
            let mut which = Vec::new();
            let mut length = self.length;
            for (k, e) in node.entries.iter().enumerate() {
                let stop = match how {
                    Trim::MaxLen(maxlen) => length <= maxlen,
                    Trim::MinId(min) => e.id >= min,
                };
                if stop {
                    break;
                }
                if !e.deleted {
                    which.push(k);
                    length -= 1;
                }
            }
            let ents = node.entries.clone();
            drop(node);
            if !which.is_empty() {
                mark_deleted(&mut *lp, &ents, &which);
                self.length = self.length.saturating_sub(which.len() as u64);
                deleted += which.len() as u64;
            }
            break;
        }
        if deleted > 0 {
            self.first_id = if self.length == 0 {
                StreamId::MIN
            } else {
                self.edge_id(true).unwrap_or(StreamId::MIN)
            };
        }
        deleted
    }

    /// Redis `streamRangeHasTombstones`.
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        let start = start.unwrap_or(StreamId::MIN);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// Redis `streamEstimateDistanceFromFirstEverEntry`: an ID's logical
    /// read counter, or -1 when it cannot be known.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return added;
        }
        if id == self.last_id {
            return added;
        } else if id > self.last_id {
            return INVALID_ENTRIES_READ;
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            if id < self.first_id {
                return added.wrapping_sub(self.length as i64);
            } else if id == self.first_id {
                return added.wrapping_sub(self.length as i64).wrapping_add(1);
            }
        }
        INVALID_ENTRIES_READ
    }

    /// A group's lag (XINFO), None when it cannot be computed.
    pub fn group_lag(&self, g: &Group) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(Some(g.last_id), None) {
            return Some((self.entries_added as i64).wrapping_sub(g.entries_read));
        }
        let read = self.estimate_distance(g.last_id);
        (read != INVALID_ENTRIES_READ).then(|| (self.entries_added as i64).wrapping_sub(read))
    }

    /// What a group does when it delivers `id` beyond its last ID.
    pub fn advance_group(&self, g: &mut Group, id: StreamId) {
        if g.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(Some(id), None) {
            g.entries_read = g.entries_read.wrapping_add(1);
        } else if self.entries_added != 0 {
            g.entries_read = self.estimate_distance(id);
        }
        g.last_id = id;
    }

    /// The number of nodes of the radix tree Redis would hold for these
    /// node keys (XINFO's radix-tree-nodes): a compressed trie of the
    /// 16-byte big-endian master IDs, as rax builds it.
    pub fn rax_nodes(&self) -> u64 {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.to_be_bytes()).collect();
        if keys.is_empty() {
            return 1;
        }
        rax_count(&keys, 0)
    }

    /// Bytes allocated, roughly (MEMORY USAGE).
    pub fn heap_size(&self) -> usize {
        let nodes: usize = self.nodes.values().map(|lp| lp.alloc_size() + 48).sum();
        let groups: usize = self
            .groups
            .iter()
            .map(|(n, g)| {
                n.len()
                    + 96
                    + g.pel.values().map(|x| x.consumer.len() + 64).sum::<usize>()
                    + g.consumers
                        .iter()
                        .map(|(n, c)| n.len() + 64 + c.pel.len() * 24)
                        .sum::<usize>()
            })
            .sum();
        std::mem::size_of::<Stream>() + nodes + groups
    }

    pub fn free_effort(&self) -> usize {
        self.nodes.len()
            + self
                .groups
                .values()
                .map(|g| g.pel.len() + g.consumers.len() + 1)
                .sum::<usize>()
    }

    // ---- RDB ------------------------------------------------------------------

    /// The stream in the RDB layer's representation (STREAM_LISTPACKS_2/3).
    pub fn to_rdb(&self) -> StreamRepr {
        StreamRepr {
            nodes: self
                .nodes
                .iter()
                .map(|(k, lp)| StreamNode {
                    master_id: *k,
                    listpack: lp.clone(),
                })
                .collect(),
            length: self.length,
            last_id: self.last_id,
            first_id: self.first_id,
            max_deleted_id: self.max_deleted_id,
            entries_added: self.entries_added,
            groups: self
                .groups
                .iter()
                .map(|(name, g)| StreamGroup {
                    name: name.to_vec(),
                    last_id: g.last_id,
                    entries_read: g.entries_read,
                    pel: g
                        .pel
                        .iter()
                        .map(|(id, n)| StreamNack {
                            id: *id,
                            delivery_time: n.delivery_time,
                            delivery_count: n.delivery_count,
                        })
                        .collect(),
                    consumers: g
                        .consumers
                        .iter()
                        .map(|(cname, c)| StreamConsumer {
                            name: cname.to_vec(),
                            seen_time: c.seen_time,
                            pending: c.pel.iter().copied().collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Builds a stream from its RDB representation (as `read_stream`
    /// validated it). Errors when the parts contradict each other: nodes
    /// with no live entry, a length that is not the live entry count,
    /// entries out of order, a PEL entry owned by no or two consumers,
    /// duplicate group or consumer names.
    pub fn from_rdb(r: StreamRepr) -> Result<Stream, &'static str> {
        let mut s = Stream {
            length: r.length,
            last_id: r.last_id,
            first_id: r.first_id,
            max_deleted_id: r.max_deleted_id,
            entries_added: r.entries_added,
            ..Stream::default()
        };
        let mut live: u64 = 0;
        let mut prev: Option<StreamId> = None;
        let mut nodes = r.nodes;
        nodes.sort_by_key(|n| n.master_id);
        for n in nodes {
            let node = Node::decode(n.master_id, &n.listpack);
            let l = node.entries.iter().filter(|e| !e.deleted).count() as u64;
            if l == 0 {
                return Err("Empty listpack inside stream");
            }
            if node.count != l as i64 || node.deleted != (node.entries.len() as u64 - l) as i64 {
                return Err("Stream node counters do not match its entries");
            }
            for e in &node.entries {
                if prev.is_some_and(|p| e.id <= p) || e.id < n.master_id {
                    return Err("Stream entries out of order");
                }
                prev = Some(e.id);
            }
            live += l;
            drop(node);
            if s.nodes.insert(n.master_id, n.listpack).is_some() {
                return Err("Listpack re-added with existing key");
            }
        }
        if live != s.length {
            return Err("Stream length does not match its entries");
        }
        if prev.is_some_and(|p| p > s.last_id) {
            return Err("Stream last ID is smaller than an entry");
        }
        for g in r.groups {
            let mut group = Group::new(g.last_id, g.entries_read);
            for n in &g.pel {
                group.pel.insert(
                    n.id,
                    Nack {
                        delivery_time: n.delivery_time,
                        delivery_count: n.delivery_count,
                        consumer: Box::default(),
                    },
                );
            }
            if group.pel.len() != g.pel.len() {
                return Err("Duplicated global PEL entry loading stream consumer group");
            }
            for c in g.consumers {
                let name: Box<[u8]> = c.name.into();
                let mut cons = Consumer {
                    seen_time: c.seen_time,
                    pel: BTreeSet::new(),
                };
                for id in c.pending {
                    let Some(nack) = group.pel.get_mut(&id) else {
                        return Err("Consumer entry not found in group global PEL");
                    };
                    if !nack.consumer.is_empty() || !cons.pel.insert(id) {
                        return Err("Duplicated consumer PEL entry loading a stream consumer group");
                    }
                    nack.consumer = name.clone();
                }
                if group.consumers.insert(name, cons).is_some() {
                    return Err("Duplicate stream consumer detected.");
                }
            }
            if group.pel.values().any(|n| !group.consumers.contains_key(&n.consumer)) {
                return Err("Stream CG PEL entry without consumer");
            }
            if s.groups.insert(g.name.into(), group).is_some() {
                return Err("Duplicated consumer group name");
            }
        }
        Ok(s)
    }
}

/// Nodes of a compressed radix tree holding `keys` (sorted, distinct,
/// same length) below a node at `depth`.
fn rax_count(keys: &[[u8; 16]], depth: usize) -> u64 {
    if depth >= 16 {
        return 1;
    }
    let first = keys[0];
    let last = keys[keys.len() - 1];
    if first[depth] == last[depth] {
        // One child: a compressed node up to where the keys diverge (or
        // the end of the key), then the node there.
        let mut d = depth;
        while d < 16 && first[d] == last[d] {
            d += 1;
        }
        return 1 + rax_count(keys, d);
    }
    let mut total = 1;
    let mut i = 0;
    while i < keys.len() {
        let b = keys[i][depth];
        let j = i + keys[i..].iter().take_while(|k| k[depth] == b).count();
        total += rax_count(&keys[i..j], depth + 1);
        i = j;
    }
    total
}

trait EqExact {
    fn eq_exact(self, s: &[u8]) -> bool;
}

impl EqExact for LpValue<'_> {
    /// Byte equality of the stored form with `s` (Redis compares the
    /// field bytes as `lpGet` renders them).
    fn eq_exact(self, s: &[u8]) -> bool {
        self.eq_bytes(s) && self.str_len() == s.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId::new(ms, seq)
    }

    fn add(s: &mut Stream, i: StreamId, pairs: &[(&[u8], &[u8])]) {
        assert!(s.append(i, pairs, 4096, 100));
    }

    fn ids(s: &Stream, rev: bool) -> Vec<StreamId> {
        let mut v = Vec::new();
        s.range(StreamId::MIN, StreamId::MAX, rev, |e| {
            v.push(e.id());
            true
        });
        v
    }

    #[test]
    fn id_parsing() {
        let p = |s: &[u8]| parse_id(s, 0, true, false).map(|p| p.id);
        assert_eq!(p(b"5"), Some(id(5, 0)));
        assert_eq!(p(b"5-3"), Some(id(5, 3)));
        assert_eq!(p(b"-"), None);
        assert_eq!(parse_id(b"-", 0, false, false).unwrap().id, StreamId::MIN);
        assert_eq!(parse_id(b"+", 0, false, false).unwrap().id, StreamId::MAX);
        assert_eq!(parse_id(b"7", u64::MAX, false, false).unwrap().id, id(7, u64::MAX));
        assert_eq!(p(b"18446744073709551615-18446744073709551615"), Some(StreamId::MAX));
        assert_eq!(p(b"18446744073709551616-0"), None);
        assert_eq!(p(b"1-"), None);
        assert_eq!(p(b""), None);
        assert_eq!(p(b"a-1"), None);
        assert_eq!(p(b"-1"), None);
        assert_eq!(p(b"+5"), Some(id(5, 0)));
        assert_eq!(p(b" 5"), Some(id(5, 0)));
        assert_eq!(p(b"1-05"), Some(id(1, 5)));
        assert_eq!(p(&[b'1'; 128]), None);
        assert_eq!(p(b"3\0junk"), Some(id(3, 0)));
        let auto = parse_id(b"5-*", 0, true, true).unwrap();
        assert_eq!((auto.id, auto.seq_given), (id(5, 0), false));
        assert_eq!(p(b"5-*"), None);
    }

    #[test]
    fn id_arith() {
        assert_eq!(id(1, u64::MAX).incr(), Some(id(2, 0)));
        assert_eq!(StreamId::MAX.incr(), None);
        assert_eq!(id(2, 0).decr(), Some(id(1, u64::MAX)));
        assert_eq!(StreamId::MIN.decr(), None);
        assert_eq!(id(12, 345).to_bytes(), b"12-345");
        assert_eq!(StreamId::MAX.to_bytes(), b"18446744073709551615-18446744073709551615");
    }

    #[test]
    fn node_format_matches_redis() {
        let mut s = Stream::new();
        add(&mut s, id(1000, 0), &[(b"f", b"v")]);
        add(&mut s, id(1005, 1), &[(b"f", b"12")]);
        add(&mut s, id(1006, 0), &[(b"a", b"x"), (b"b", b"y")]);
        let lp = s.nodes.get(&id(1000, 0)).unwrap();
        let vals: Vec<Vec<u8>> = lp.iter().map(|v| v.to_vec()).collect();
        let want: Vec<&[u8]> = vec![
            b"3", b"0", b"1", b"f", b"0", // master entry
            b"2", b"0", b"0", b"v", b"4", // same fields
            b"2", b"5", b"1", b"12", b"4", // same fields
            b"0", b"6", b"0", b"2", b"a", b"x", b"b", b"y", b"8", // own fields
        ];
        assert_eq!(vals, want.iter().map(|v| v.to_vec()).collect::<Vec<_>>());
        // The RDB layer's deep check accepts it.
        assert!(crate::rdb::stream::walk_stream_listpack(lp, |_, _, _| {}));
        let mut got = Vec::new();
        s.range(StreamId::MIN, StreamId::MAX, false, |e| {
            got.push((
                e.id(),
                e.pairs().map(|(f, v)| (f.to_vec(), v.to_vec())).collect::<Vec<_>>(),
            ));
            true
        });
        assert_eq!(
            got[2].1,
            vec![(b"a".to_vec(), b"x".to_vec()), (b"b".to_vec(), b"y".to_vec())]
        );
        assert_eq!(got[1].1, vec![(b"f".to_vec(), b"12".to_vec())]);
    }

    #[test]
    fn nodes_split_by_entries_and_bytes() {
        let mut s = Stream::new();
        for i in 0..250 {
            assert!(s.append(id(i, 0), &[(b"f", b"v")], 4096, 100));
        }
        assert_eq!(s.node_count(), 3);
        let mut s = Stream::new();
        let big = vec![b'x'; 1000];
        for i in 0..10 {
            assert!(s.append(id(i, 0), &[(b"f", &big)], 4096, 100));
        }
        // A node takes an entry while its size plus the entry's fields and
        // values stays under 4096 bytes: 4 entries of ~1 KB per node.
        assert!(s.nodes.values().all(|lp| lp.bytes() < 4096 + 1100));
        assert_eq!(s.node_count(), 3);
        // 0 means no limit for both.
        let mut s = Stream::new();
        for i in 0..500 {
            assert!(s.append(id(i, 0), &[(b"f", b"v")], 0, 0));
        }
        assert_eq!(s.node_count(), 1);
    }

    #[test]
    fn ranges_and_deletes() {
        let mut s = Stream::new();
        for i in 1..=10 {
            add(&mut s, id(i, 0), &[(b"f", b"v")]);
        }
        s.nodes.clear();
        s.length = 0;
        for i in 1..=10 {
            assert!(s.append(id(i, 0), &[(b"f", b"v")], 4096, 3));
        }
        assert_eq!(s.node_count(), 4);
        assert_eq!(ids(&s, false).len(), 10);
        let mut r = ids(&s, true);
        r.reverse();
        assert_eq!(r, ids(&s, false));
        assert!(s.delete(id(5, 0)));
        assert!(!s.delete(id(5, 0)));
        assert!(!s.delete(id(50, 0)));
        assert_eq!(s.length, 9);
        assert!(!s.entry_exists(id(5, 0)));
        assert!(s.entry_exists(id(6, 0)));
        // Deleting a node's last live entry drops the node.
        assert!(s.delete(id(4, 0)));
        assert!(s.delete(id(6, 0)));
        assert_eq!(s.node_count(), 3);
        let mut v = Vec::new();
        s.range(id(3, 0), id(8, 0), false, |e| {
            v.push(e.id().ms);
            true
        });
        assert_eq!(v, vec![3, 7, 8]);
        let mut v = Vec::new();
        s.range(id(3, 0), id(8, 0), true, |e| {
            v.push(e.id().ms);
            v.len() < 2
        });
        assert_eq!(v, vec![8, 7]);
        assert_eq!(s.edge_id(true), Some(id(1, 0)));
        assert_eq!(s.edge_id(false), Some(id(10, 0)));
    }

    #[test]
    fn trimming() {
        let mk = || {
            let mut s = Stream::new();
            for i in 1..=10 {
                assert!(s.append(id(i, 0), &[(b"f", b"v")], 4096, 4));
            }
            s
        };
        let mut s = mk();
        assert_eq!(s.trim(Trim::MaxLen(5), false, 0), 5);
        assert_eq!(s.length, 5);
        assert_eq!(s.first_id, id(6, 0));
        assert_eq!(ids(&s, false).first(), Some(&id(6, 0)));
        // Approximate: whole nodes only.
        let mut s = mk();
        assert_eq!(s.trim(Trim::MaxLen(5), true, 0), 4);
        assert_eq!(s.length, 6);
        // A limit stops before a node that would pass it.
        let mut s = mk();
        assert_eq!(s.trim(Trim::MaxLen(0), true, 6), 4);
        let mut s = mk();
        assert_eq!(s.trim(Trim::MinId(id(7, 0)), false, 0), 6);
        assert_eq!(s.first_id, id(7, 0));
        let mut s = mk();
        assert_eq!(s.trim(Trim::MinId(id(7, 0)), true, 0), 4);
        let mut s = mk();
        assert_eq!(s.trim(Trim::MaxLen(0), false, 0), 10);
        assert_eq!(s.node_count(), 0);
        assert_eq!(s.first_id, StreamId::MIN);
    }

    #[test]
    fn rax_node_counts() {
        let mut s = Stream::new();
        assert_eq!(s.rax_nodes(), 1);
        add(&mut s, id(1, 1), &[(b"a", b"1")]);
        assert_eq!(s.rax_nodes(), 2);
    }

    #[test]
    fn lag_and_estimates() {
        let mut s = Stream::new();
        for i in 1..=5 {
            add(&mut s, id(i, 0), &[(b"f", b"v")]);
        }
        let mut g = Group::new(StreamId::MIN, INVALID_ENTRIES_READ);
        assert_eq!(s.group_lag(&g), Some(5));
        s.advance_group(&mut g, id(1, 0));
        assert_eq!(g.entries_read, 1);
        assert_eq!(s.group_lag(&g), Some(4));
        s.delete(id(3, 0));
        s.max_deleted_id = id(3, 0);
        assert_eq!(s.group_lag(&g), None);
        assert_eq!(s.estimate_distance(id(5, 0)), 5);
        assert_eq!(s.estimate_distance(id(9, 0)), -1);
    }

    #[test]
    fn rdb_roundtrip_with_groups() {
        let mut s = Stream::new();
        for i in 1..=300 {
            add(&mut s, id(i, 0), &[(b"f", b"v"), (b"n", format!("{i}").as_bytes())]);
        }
        s.delete(id(2, 0));
        s.max_deleted_id = id(2, 0);
        let mut g = Group::new(id(10, 0), 9);
        g.consumers.insert(
            b"alice"[..].into(),
            Consumer {
                seen_time: 123,
                pel: BTreeSet::new(),
            },
        );
        g.consumers.insert(b"bob"[..].into(), Consumer::default());
        for (i, who) in [(1u64, &b"alice"[..]), (5, b"bob"), (10, b"alice")] {
            g.pel.insert(
                id(i, 0),
                Nack {
                    delivery_time: 1000 + i as i64,
                    delivery_count: i,
                    consumer: who.into(),
                },
            );
            g.consumers.get_mut(who).unwrap().pel.insert(id(i, 0));
        }
        s.groups.insert(b"g1"[..].into(), g);
        s.groups.insert(b"g0"[..].into(), Group::new(StreamId::MIN, 0));
        let r = s.to_rdb();
        assert_eq!(r.groups[0].name, b"g0");
        // Through the RDB codec and back.
        let v = crate::rdb::format::RdbValue::Stream(Box::new(r.clone()));
        let back = crate::rdb::format::decode_dump_payload(&crate::rdb::format::dump_payload(&v, true), false).unwrap();
        let crate::rdb::format::RdbValue::Stream(back) = back else {
            panic!("not a stream")
        };
        let s2 = Stream::from_rdb(*back).unwrap();
        assert_eq!(s2, s);
        assert_eq!(s2.to_rdb(), r);
        // Contradictions are refused.
        let mut bad = r.clone();
        bad.length += 1;
        assert!(Stream::from_rdb(bad).is_err());
        let mut bad = r.clone();
        bad.groups[1].consumers[1].pending.push(id(1, 0));
        assert!(Stream::from_rdb(bad).is_err());
        let mut bad = r;
        bad.groups[1].consumers[0].pending.clear();
        assert!(Stream::from_rdb(bad).is_err());
    }

    /// A tiny RESP client for the redis-server interop test.
    struct Redis {
        s: std::net::TcpStream,
        buf: Vec<u8>,
    }

    impl Redis {
        fn cmd(&mut self, args: &[&[u8]]) -> Vec<u8> {
            use std::io::Write;
            let mut out = format!("*{}\r\n", args.len()).into_bytes();
            for a in args {
                out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                out.extend_from_slice(a);
                out.extend_from_slice(b"\r\n");
            }
            self.s.write_all(&out).unwrap();
            self.reply()
        }

        fn line(&mut self) -> Vec<u8> {
            use std::io::Read;
            loop {
                if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                    let l = self.buf[..i].to_vec();
                    self.buf.drain(..i + 2);
                    return l;
                }
                let mut tmp = [0u8; 65536];
                let n = self.s.read(&mut tmp).unwrap();
                assert!(n > 0, "redis-server closed the connection");
                self.buf.extend_from_slice(&tmp[..n]);
            }
        }

        /// The whole reply as sent (nested replies included).
        fn reply(&mut self) -> Vec<u8> {
            use std::io::Read;
            let l = self.line();
            let mut out = l.clone();
            out.extend_from_slice(b"\r\n");
            let n: i64 = std::str::from_utf8(&l[1..]).unwrap_or("0").parse().unwrap_or(0);
            match l.first() {
                Some(b'$') if n >= 0 => {
                    let need = n as usize + 2;
                    while self.buf.len() < need {
                        let mut tmp = [0u8; 65536];
                        let k = self.s.read(&mut tmp).unwrap();
                        assert!(k > 0);
                        self.buf.extend_from_slice(&tmp[..k]);
                    }
                    out.extend(self.buf.drain(..need));
                }
                Some(b'*') => {
                    for _ in 0..n.max(0) {
                        out.extend(self.reply());
                    }
                }
                _ => {}
            }
            out
        }

        /// The bytes of a bulk reply.
        fn bulk(&mut self, args: &[&[u8]]) -> Vec<u8> {
            let r = self.cmd(args);
            let start = r.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
            r[start..r.len() - 2].to_vec()
        }
    }

    /// A stream with groups goes from redis-server to fastkey's type and
    /// back through DUMP payloads: redis-server's nodes are byte-identical
    /// to the ones XADD builds here, and RESTORE of our payload gives the
    /// same XINFO STREAM FULL. Skipped when redis-server is not installed.
    #[test]
    fn rdb_interop_with_redis_server() {
        let Ok(out) = std::process::Command::new("redis-server").arg("--version").output() else {
            eprintln!("SKIPPED: redis-server is not installed");
            return;
        };
        assert!(out.status.success());
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut conn = None;
        for _ in 0..100 {
            if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                conn = Some(s);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let mut r = Redis {
            s: conn.expect("redis-server did not start"),
            buf: Vec::new(),
        };
        r.cmd(&[b"CONFIG", b"SET", b"stream-node-max-entries", b"7"]);
        let mut mine = Stream::new();
        for i in 1..=40u64 {
            let (ms, seq) = (1000 + i / 3, i % 3);
            let idtxt = format!("{ms}-{seq}");
            let v = format!("{}", i * 7);
            let pairs: Vec<(&[u8], &[u8])> = if i % 5 == 0 {
                vec![(b"other", v.as_bytes()), (b"x", b"-12")]
            } else {
                vec![(b"field", v.as_bytes()), (b"name", b"a b c")]
            };
            let mut args: Vec<&[u8]> = vec![b"XADD", b"s", idtxt.as_bytes()];
            for (f, v) in &pairs {
                args.push(f);
                args.push(v);
            }
            r.cmd(&args);
            assert!(mine.append(StreamId::new(ms, seq), &pairs, 4096, 7));
        }
        r.cmd(&[b"XDEL", b"s", b"1001-0", b"1004-1"]);
        assert!(mine.delete(StreamId::new(1001, 0)) && mine.delete(StreamId::new(1004, 1)));
        for cmd in [
            &[&b"XGROUP"[..], b"CREATE", b"s", b"g1", b"0"][..],
            &[b"XGROUP", b"CREATE", b"s", b"g2", b"$", b"ENTRIESREAD", b"38"],
            &[
                b"XREADGROUP",
                b"GROUP",
                b"g1",
                b"alice",
                b"COUNT",
                b"5",
                b"STREAMS",
                b"s",
                b">",
            ],
            &[
                b"XREADGROUP",
                b"GROUP",
                b"g1",
                b"bob",
                b"COUNT",
                b"3",
                b"STREAMS",
                b"s",
                b">",
            ],
            &[b"XGROUP", b"CREATECONSUMER", b"s", b"g2", b"carol"],
            &[
                b"XCLAIM",
                b"s",
                b"g1",
                b"bob",
                b"0",
                b"1001-1",
                b"TIME",
                b"12345",
                b"RETRYCOUNT",
                b"9",
                b"JUSTID",
            ],
        ] {
            r.cmd(cmd);
        }
        let payload = r.bulk(&[b"DUMP", b"s"]);
        let v = crate::rdb::format::decode_dump_payload(&payload, false).unwrap();
        let crate::rdb::format::RdbValue::Stream(repr) = v else {
            panic!("not a stream")
        };
        let theirs = Stream::from_rdb(*repr).unwrap();
        // The same entries make the same node bytes.
        assert_eq!(theirs.nodes, mine.nodes);
        assert_eq!((theirs.length, theirs.last_id), (38, StreamId::new(1013, 1)));
        assert_eq!(theirs.max_deleted_id, StreamId::new(1004, 1));
        assert_eq!(theirs.entries_added, 40);
        let g1 = &theirs.groups[&b"g1"[..]];
        assert_eq!(g1.pel.len(), 8);
        assert_eq!(g1.consumers[&b"bob"[..]].pel.len(), 4);
        assert_eq!(g1.pel[&StreamId::new(1001, 1)].delivery_count, 9);
        assert_eq!(g1.pel[&StreamId::new(1001, 1)].delivery_time, 12345);
        assert_eq!(theirs.groups[&b"g2"[..]].entries_read, 38);
        // Back to redis-server: RESTORE of our payload reads the same.
        let ours =
            crate::rdb::format::dump_payload(&crate::rdb::format::RdbValue::Stream(Box::new(theirs.to_rdb())), true);
        let ok = r.cmd(&[b"RESTORE", b"s2", b"0", &ours]);
        assert_eq!(ok, b"+OK\r\n");
        let a = r.cmd(&[b"XINFO", b"STREAM", b"s", b"FULL"]);
        let b = r.cmd(&[b"XINFO", b"STREAM", b"s2", b"FULL"]);
        assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        // SHUTDOWN closes the connection without a reply.
        {
            use std::io::Write;
            let _ = r.s.write_all(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n");
        }
        let _ = child.wait();
    }

    #[test]
    fn string2ull_rules() {
        assert_eq!(string2ull(b"0"), Some(0));
        assert_eq!(string2ull(b"-0"), Some(0));
        assert_eq!(string2ull(b"-1"), None);
        assert_eq!(string2ull(b"-05"), Some(5u64.wrapping_neg()));
        assert_eq!(string2ull(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(string2ull(b"18446744073709551616"), None);
        assert_eq!(string2ull(b"5 "), None);
        assert_eq!(string2ull(b""), None);
        assert_eq!(string2ull(b"+"), None);
    }
}
