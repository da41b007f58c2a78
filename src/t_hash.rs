//! Hashes (Redis's t_hash.c): the value type and its two encodings.
//!
//! * `listpack`: field and value entries alternate in one [`Listpack`], in
//!   insertion order, exactly as Redis stores them (integer-looking strings
//!   are stored as integers). Lookups are linear, which is why it is kept
//!   for small hashes only.
//! * `hashtable`: a [`Dict`] from field to value.
//!
//! A hash starts as a listpack and converts (one way, as in Redis) when it
//! gets more than `hash-max-listpack-entries` fields, when a field or value
//! longer than `hash-max-listpack-value` bytes is written, or when the
//! listpack would grow past its 1 GB safety limit. The conversion points
//! follow Redis: [`Hash::try_conversion`] (`hashTypeTryConversion`, before
//! HSET/HSETNX write anything) and [`Hash::set`] (`hashTypeSet`).
//!
//! After every change of a listpack the element count is read with
//! [`Listpack::recount`] where Redis calls `hashTypeLength` (`lpLength`), so
//! a header count that had saturated at 65535 is written back the same way.

use crate::dict::Dict;
use crate::listpack::{Listpack, LpValue};
use crate::sbytes::SBytes;
use rand::Rng;
use std::sync::Arc;

/// A field or a value as stored: listpack entries may be integers; hash
/// table entries are always strings.
pub type HVal<'a> = LpValue<'a>;

/// Conversion thresholds, read from the config when a command runs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `hash-max-listpack-entries`: most fields a listpack may hold.
    pub max_entries: u64,
    /// `hash-max-listpack-value`: longest field or value (bytes) it may hold.
    pub max_value: u64,
}

/// Fields sampled by a fair random pick (Redis's `GETFAIR_NUM_ENTRIES`).
const FAIR_SAMPLE: usize = 15;

/// A hash value, held in the `Value` itself (16 bytes).
///
/// A listpack is one exact-size allocation and nothing else, as in Redis
/// (no `Arc` block around it): a snapshot copies it when it captures the
/// key, as it copies a string, which costs about what a small hash is. A
/// hash table is shared with a snapshot by its `Arc` and copied on the
/// first write after a capture (`Arc::make_mut`).
#[derive(Clone)]
pub enum Hash {
    Listpack(Listpack),
    Table(Arc<Table>),
}

/// The `hashtable` encoding.
pub struct Table(Dict<SBytes>);

impl Clone for Table {
    fn clone(&self) -> Self {
        let mut n = Dict::with_capacity(self.0.len());
        for (k, v) in self.0.iter() {
            n.insert_new(k.clone(), v.clone());
        }
        Table(n)
    }
}

impl std::ops::Deref for Table {
    type Target = Dict<SBytes>;
    fn deref(&self) -> &Dict<SBytes> {
        &self.0
    }
}

impl std::ops::DerefMut for Table {
    fn deref_mut(&mut self) -> &mut Dict<SBytes> {
        &mut self.0
    }
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

/// A uniform integer in `0..n` (`n` > 0).
fn below<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

impl Hash {
    /// An empty listpack-encoded hash.
    pub fn new() -> Hash {
        Hash::Listpack(Listpack::new())
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    /// Bytes allocated for the hash (MEMORY USAGE): the listpack, or the
    /// table's `Arc` block (two counters and the dict) and what it owns.
    #[cfg(test)]
    pub fn heap_size(&self) -> usize {
        self.heap_size_sampled(usize::MAX)
    }

    /// The same, the fields' and values' own heap bytes estimated from the
    /// first `samples` pairs (MEMORY USAGE ... SAMPLES).
    pub fn heap_size_sampled(&self, samples: usize) -> usize {
        match self {
            Hash::Listpack(lp) => lp.alloc_size(),
            Hash::Table(d) => {
                let pairs = d.iter().map(|(k, v)| k.heap_size() + v.heap_size());
                let strings = crate::object::sampled_total(d.len(), pairs, samples);
                2 * std::mem::size_of::<usize>() + std::mem::size_of::<Table>() + d.mem_overhead() + strings
            }
        }
    }

    /// Allocations freed when the hash is dropped (Redis's
    /// `lazyfreeGetFreeEffort`: the number of fields of a hash table).
    pub fn free_effort(&self) -> usize {
        match self {
            Hash::Listpack(_) => 1,
            Hash::Table(d) => d.len(),
        }
    }

    /// Adopts a listpack of alternating fields and values, e.g. loaded from
    /// an RDB file or a DUMP payload, which the caller has validated (an
    /// even number of entries, no field twice). Like Redis, the caller
    /// converts it with [`Hash::convert`] if it is over the limits.
    #[allow(dead_code)] // for RDB loading and RESTORE
    pub fn from_listpack(lp: Listpack) -> Hash {
        Hash::Listpack(lp)
    }

    /// Builds a hash from field/value pairs as Redis loads an RDB_TYPE_HASH
    /// value: a hash table from the start when there are more pairs than
    /// `max_entries`, else a listpack until a field or value is longer than
    /// `max_value`. `None` if a field repeats.
    #[allow(dead_code)] // for RDB loading and RESTORE
    pub fn from_pairs<'a>(pairs: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>, lim: Limits) -> Option<Hash> {
        let mut h = if pairs.len() as u64 > lim.max_entries {
            Hash::Table(Arc::new(Table(Dict::with_capacity(pairs.len()))))
        } else {
            Hash::new()
        };
        for (f, v) in pairs {
            if let Hash::Listpack(lp) = &h {
                let too_long = f.len() as u64 > lim.max_value || v.len() as u64 > lim.max_value;
                if too_long || !lp.safe_to_add(f.len() + v.len()) {
                    h.convert();
                }
            }
            match &mut h {
                Hash::Listpack(lp) => {
                    if lp.first().and_then(|p| lp.find(p, f, 1)).is_some() {
                        return None;
                    }
                    lp.append(f)?;
                    lp.append(v)?;
                }
                Hash::Table(d) => {
                    if d.contains_key(f) {
                        return None;
                    }
                    Arc::make_mut(d).insert_new(SBytes::new(f), SBytes::new(v));
                }
            }
        }
        Some(h)
    }

    /// The listpack of a listpack-encoded hash (for RDB saving and DUMP,
    /// which store it verbatim).
    #[allow(dead_code)] // for RDB saving and DUMP
    pub fn as_listpack(&self) -> Option<&Listpack> {
        match self {
            Hash::Listpack(lp) => Some(lp),
            Hash::Table(_) => None,
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.len() / 2,
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Hash::Listpack(lp) => lp.is_empty(),
            Hash::Table(d) => d.is_empty(),
        }
    }

    /// Redis's `hashTypeLength` on a write path: also writes a listpack's
    /// real count back to a saturated header (`lpLength`).
    fn recount(&mut self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.recount() / 2,
            Hash::Table(d) => d.len(),
        }
    }

    /// Position of the value of `field` in a listpack.
    fn lp_value_pos(lp: &Listpack, field: &[u8]) -> Option<(usize, usize)> {
        let f = lp.find(lp.first()?, field, 1)?;
        Some((f, lp.next(f)?))
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<HVal<'_>> {
        match self {
            Hash::Listpack(lp) => {
                let (_, v) = Self::lp_value_pos(lp, field)?;
                lp.try_get(v)
            }
            Hash::Table(d) => d.get(field).map(|v| LpValue::Str(v)),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => lp.first().and_then(|p| lp.find(p, field, 1)).is_some(),
            Hash::Table(d) => d.contains_key(field),
        }
    }

    /// Converts a listpack to a hash table (Redis's `hashTypeConvert`).
    pub fn convert(&mut self) {
        let Hash::Listpack(lp) = self else { return };
        let mut d = Dict::with_capacity(lp.len() / 2);
        let mut it = lp.iter();
        while let (Some(f), Some(v)) = (it.next(), it.next()) {
            let field = SBytes::from_vec(f.to_vec());
            let value = SBytes::from_vec(v.to_vec());
            d.insert(field, value);
        }
        *self = Hash::Table(Arc::new(Table(d)));
    }

    /// Redis's `hashTypeTryConversion`: before fields and values are
    /// written, converts a listpack if any of them is longer than
    /// `max_value`, or if together they would take the listpack past its
    /// safety limit.
    pub fn try_conversion<'a>(&mut self, args: impl IntoIterator<Item = &'a [u8]>, max_value: u64) {
        let Hash::Listpack(lp) = self else { return };
        let mut sum = 0usize;
        for a in args {
            if a.len() as u64 > max_value {
                self.convert();
                return;
            }
            sum = sum.saturating_add(a.len());
        }
        if !lp.safe_to_add(sum) {
            self.convert();
        }
    }

    /// Redis's `hashTypeSet`: sets `field` to `value`; true if the field
    /// existed (an update), false if it was added. Converts to a hash table
    /// when the field or value is too long for a listpack, or when the
    /// listpack gets too many fields.
    pub fn set(&mut self, field: &[u8], value: &[u8], lim: Limits) -> bool {
        if let Hash::Listpack(lp) = self {
            let too_long = field.len() as u64 > lim.max_value || value.len() as u64 > lim.max_value;
            // Past the 1 GB safety limit Redis would have converted in
            // `try_conversion`; appends never fail below it.
            let unsafe_size = !lp.safe_to_add(Listpack::entry_size_for(field) + Listpack::entry_size_for(value));
            if too_long || unsafe_size {
                self.convert();
            }
        }
        match self {
            Hash::Listpack(lp) => {
                let update;
                let stored;
                if let Some((_, vpos)) = Self::lp_value_pos(lp, field) {
                    update = true;
                    stored = lp.replace(vpos, value).is_some();
                } else {
                    update = false;
                    stored = lp.append(field).is_some() && {
                        let ok = lp.append(value).is_some();
                        if !ok {
                            // Keep the pairs whole: drop the field just added.
                            if let Some(last) = lp.last() {
                                lp.delete(last);
                            }
                        }
                        ok
                    };
                }
                if !stored {
                    self.convert();
                    return self.set(field, value, lim);
                }
                if self.recount() as u64 > lim.max_entries {
                    self.convert();
                }
                update
            }
            Hash::Table(d) => match Arc::make_mut(d).get_mut(field) {
                Some(v) => {
                    *v = SBytes::new(value);
                    true
                }
                None => {
                    Arc::make_mut(d).insert_new(SBytes::new(field), SBytes::new(value));
                    false
                }
            },
        }
    }

    /// Redis's `hashTypeDelete`: removes `field`; true if it was there.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => {
                let Some(f) = lp.first().and_then(|p| lp.find(p, field, 1)) else {
                    return false;
                };
                lp.delete_range_at(f, 2);
                self.recount();
                true
            }
            Hash::Table(d) => {
                let d = Arc::make_mut(d);
                if d.remove(field).is_none() {
                    return false;
                }
                // Redis shrinks a hash's table right away (htNeedsResize).
                d.try_shrink();
                true
            }
        }
    }

    /// Fields and values, in listpack order or in table order.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Hash::Listpack(lp) => Iter::Lp(lp.iter()),
            Hash::Table(d) => Iter::Table(d.iter()),
        }
    }

    /// A random field and its value, each field equally likely for a
    /// listpack (Redis's `lpRandomPair`) and nearly so for a table
    /// (`dictGetFairRandomKey`). `None` when empty.
    pub fn random_pair<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<(HVal<'_>, HVal<'_>)> {
        match self {
            Hash::Listpack(lp) => {
                let n = lp.len() / 2;
                if n == 0 {
                    return None;
                }
                let f = lp.seek(2 * below(rng, n) as i64)?;
                let v = lp.next(f)?;
                Some((lp.try_get(f)?, lp.try_get(v)?))
            }
            Hash::Table(d) => {
                let (k, v) = Self::fair_random(d, rng)?;
                Some((LpValue::Str(k), LpValue::Str(v)))
            }
        }
    }

    /// Redis's `dictGetFairRandomKey`: a random element among a sample of
    /// consecutive buckets, which evens out the bias of chain lengths.
    fn fair_random<'a, R: Rng + ?Sized>(d: &'a Dict<SBytes>, rng: &mut R) -> Option<(&'a [u8], &'a [u8])> {
        // The sample callback cannot hand out borrows of the dict, so the
        // sampled fields are copied (inline for fields up to 22 bytes) and
        // the chosen one is looked up again.
        let mut sample: Vec<SBytes> = Vec::with_capacity(FAIR_SAMPLE);
        d.sample(FAIR_SAMPLE, rng, |k, _| sample.push(k.clone()));
        let picked = match sample.len() {
            0 => None,
            n => d.get_key_value(&sample[below(rng, n)]),
        };
        picked
            .or_else(|| d.random_entry(rng))
            .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
    }

    /// One step of HSCAN on a hash table: reports the elements of the
    /// bucket(s) at `cursor` and returns the next cursor (0 at the end).
    /// A listpack has no cursor: the caller reports it whole.
    pub fn scan_table(&self, cursor: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match self {
            Hash::Listpack(_) => 0,
            Hash::Table(d) => d.scan(cursor, |k, v| f(k, v)),
        }
    }
}

/// Iterator over `(field, value)` pairs.
pub enum Iter<'a> {
    Lp(crate::listpack::Iter<'a>),
    Table(crate::dict::Iter<'a, SBytes>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (HVal<'a>, HVal<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Lp(it) => {
                let f = it.next()?;
                let v = it.next()?;
                Some((f, v))
            }
            Iter::Table(it) => it
                .next()
                .map(|(k, v)| (LpValue::Str(k.as_bytes()), LpValue::Str(v.as_bytes()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits {
        max_entries: 4,
        max_value: 8,
    };

    /// Limits that make every hash a table from its first field.
    const TABLE_ONLY: Limits = Limits {
        max_entries: 0,
        max_value: 64,
    };

    fn pairs(h: &Hash) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut v: Vec<_> = h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
        v.sort();
        v
    }

    #[test]
    fn listpack_set_get_delete() {
        let mut h = Hash::new();
        assert!(h.is_empty());
        assert!(!h.set(b"a", b"1", LIM));
        assert!(!h.set(b"b", b"xyz", LIM));
        assert!(h.set(b"a", b"-7", LIM));
        assert_eq!(h.encoding(), "listpack");
        assert_eq!(h.len(), 2);
        assert_eq!(h.get(b"a"), Some(LpValue::Int(-7)));
        assert_eq!(h.get(b"b"), Some(LpValue::Str(b"xyz")));
        assert_eq!(h.get(b"c"), None);
        // Insertion order, field and value entries alternating.
        let order: Vec<_> = h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
        assert_eq!(
            order,
            vec![(b"a".to_vec(), b"-7".to_vec()), (b"b".to_vec(), b"xyz".to_vec())]
        );
        assert!(h.delete(b"a"));
        assert!(!h.delete(b"a"));
        assert!(h.delete(b"b"));
        assert!(h.is_empty());
        assert_eq!(h.len(), 0);
    }

    #[test]
    fn numeric_fields_are_matched_as_strings() {
        let mut h = Hash::new();
        h.set(b"1", b"one", LIM);
        h.set(b"01", b"zero-one", LIM);
        assert_eq!(h.get(b"1"), Some(LpValue::Str(b"one")));
        assert_eq!(h.get(b"01"), Some(LpValue::Str(b"zero-one")));
        assert_eq!(h.get(b"+1"), None);
        // A value equal to a field is never taken for a field.
        let mut h = Hash::new();
        h.set(b"x", b"y", LIM);
        assert!(!h.contains(b"y"));
        assert!(!h.delete(b"y"));
    }

    #[test]
    fn converts_past_the_entry_limit() {
        let mut h = Hash::new();
        for i in 0..4 {
            h.set(format!("f{i}").as_bytes(), b"v", LIM);
        }
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f0", b"w", LIM);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f4", b"v", LIM);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 5);
        assert_eq!(h.get(b"f0"), Some(LpValue::Str(b"w")));
        // One way.
        for i in 0..4 {
            assert!(h.delete(format!("f{i}").as_bytes()));
        }
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(pairs(&h), vec![(b"f4".to_vec(), b"v".to_vec())]);
        assert_eq!(h.free_effort(), 1);
    }

    #[test]
    fn converts_on_long_fields_and_values() {
        let mut h = Hash::new();
        h.set(b"f", b"12345678", LIM);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f", b"123456789", LIM);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"f"), Some(LpValue::Str(b"123456789")));

        let mut h = Hash::new();
        h.set(b"123456789", b"v", LIM);
        assert_eq!(h.encoding(), "hashtable");

        let mut h = Hash::new();
        h.set(b"a", b"1", LIM);
        h.try_conversion([&b"b"[..], &b"12345678"[..]], LIM.max_value);
        assert_eq!(h.encoding(), "listpack");
        h.try_conversion([&b"b"[..], &b"123456789"[..]], LIM.max_value);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(pairs(&h), vec![(b"a".to_vec(), b"1".to_vec())]);
    }

    #[test]
    fn table_set_get_delete_and_clone() {
        let lim = TABLE_ONLY;
        let mut h = Hash::new();
        assert!(!h.set(b"a", b"1", lim));
        assert_eq!(h.encoding(), "hashtable");
        for i in 0..1000 {
            h.set(format!("k{i}").as_bytes(), format!("v{i}").as_bytes(), lim);
        }
        assert!(h.set(b"a", b"2", lim));
        assert_eq!(h.len(), 1001);
        assert_eq!(h.get(b"a"), Some(LpValue::Str(b"2")));
        let c = h.clone();
        for i in 0..1000 {
            assert!(h.delete(format!("k{i}").as_bytes()));
        }
        assert_eq!(pairs(&h), vec![(b"a".to_vec(), b"2".to_vec())]);
        assert_eq!(c.len(), 1001);
        assert_eq!(c.get(b"k999"), Some(LpValue::Str(b"v999")));
        assert!(c.heap_size() > h.heap_size());
    }

    #[test]
    fn a_clone_shares_a_table_until_a_write() {
        let lim = TABLE_ONLY;
        let mut h = Hash::new();
        h.set(b"a", b"1", lim);
        let snap = h.clone();
        let (Hash::Table(x), Hash::Table(y)) = (&h, &snap) else {
            panic!("not a table")
        };
        assert!(Arc::ptr_eq(x, y));
        assert!(!h.delete(b"missing"));
        h.set(b"a", b"2", lim);
        assert_eq!(snap.get(b"a"), Some(LpValue::Str(b"1")));
        assert_eq!(h.get(b"a"), Some(LpValue::Str(b"2")));
        // A listpack is copied outright.
        let mut lp = Hash::new();
        lp.set(b"a", b"x", LIM);
        let snap = lp.clone();
        lp.set(b"a", b"y", LIM);
        assert_eq!(snap.get(b"a"), Some(LpValue::Str(b"x")));
    }

    #[test]
    fn conversion_keeps_every_pair() {
        let lim = Limits {
            max_entries: 100,
            max_value: 64,
        };
        let mut h = Hash::new();
        for i in 0..50 {
            h.set(format!("{i}").as_bytes(), format!("{}", i * -3).as_bytes(), lim);
        }
        let before = pairs(&h);
        h.convert();
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(pairs(&h), before);
        assert_eq!(h.get(b"7"), Some(LpValue::Str(b"-21")));
    }

    #[test]
    fn random_pairs_cover_the_hash() {
        let mut rng = <rand::rngs::SmallRng as rand::SeedableRng>::seed_from_u64(7);
        for max_entries in [512, 0] {
            let lim = Limits {
                max_entries,
                max_value: 64,
            };
            let mut h = Hash::new();
            assert!(h.random_pair(&mut rng).is_none());
            for i in 0..10 {
                h.set(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), lim);
            }
            let mut seen = std::collections::HashMap::new();
            for _ in 0..2000 {
                let (f, v) = h.random_pair(&mut rng).unwrap();
                let (f, v) = (f.to_vec(), v.to_vec());
                assert_eq!(f[1..], v[1..]);
                *seen.entry(f).or_insert(0) += 1;
            }
            assert_eq!(seen.len(), 10);
            assert!(seen.values().all(|&n| n > 100), "{seen:?}");
        }
    }

    #[test]
    fn from_pairs_follows_rdb_loading() {
        type Pairs<'a> = &'a [(&'a [u8], &'a [u8])];
        let load = |v: Pairs| Hash::from_pairs(v.iter().copied(), LIM);
        let h = load(&[(b"a", b"1"), (b"b", b"2")]).unwrap();
        assert_eq!(h.encoding(), "listpack");
        assert_eq!(h.as_listpack().map(Listpack::len), Some(4));
        // A long value converts from there on.
        let h = load(&[(b"a", b"1"), (b"b", b"123456789"), (b"c", b"3")]).unwrap();
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 3);
        // More pairs than the entry limit: a table from the start.
        let five: Pairs = &[(b"a", b"1"), (b"b", b"1"), (b"c", b"1"), (b"d", b"1"), (b"e", b"1")];
        let h = load(five).unwrap();
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 5);
        // A repeated field is refused in either encoding.
        assert!(load(&[(b"a", b"1"), (b"a", b"2")]).is_none());
        assert!(load(&[(b"a", b"1"), (b"b", b"1"), (b"c", b"1"), (b"d", b"1"), (b"a", b"1")]).is_none());
        // A listpack adopted as is.
        let lp = load(&[(b"x", b"y")]).unwrap().as_listpack().unwrap().clone();
        let mut back = Hash::from_listpack(lp);
        assert_eq!(back.get(b"x"), Some(LpValue::Str(b"y")));
        back.convert();
        assert_eq!(back.encoding(), "hashtable");
        assert!(back.as_listpack().is_none());
    }

    #[test]
    fn scan_visits_every_table_element() {
        let lim = TABLE_ONLY;
        let mut h = Hash::new();
        for i in 0..300 {
            h.set(format!("f{i}").as_bytes(), b"v", lim);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = h.scan_table(cursor, |f, _| {
                seen.insert(f.to_vec());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 300);
        assert_eq!(Hash::new().scan_table(5, |_, _| panic!()), 0);
    }
}
