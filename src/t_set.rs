//! Sets (Redis 7.0's t_set.c): the set type and its two encodings.
//!
//! * `intset` ([`Intset`], byte-compatible with Redis's) while every member
//!   is an integer as Redis's `string2ll` reads it and there are at most
//!   `set-max-intset-entries` of them (capped at 2^30, as Redis 7.0 does);
//! * `hashtable` (a [`Dict<()>`] of the members' bytes) otherwise.
//!
//! A new set starts as an intset when its first member is an integer
//! (Redis's `setTypeCreate`); adding a non-integer or one member too many
//! converts it, once and for all. Redis 7.0 has no listpack set encoding.
//!
//! Members come and go as [`Member`]: an integer read from an intset, or the
//! bytes of a hashtable member (or of a command argument), so that integers
//! are never formatted or parsed without need.

use crate::dict::{self, Dict};
use crate::intset::{self, Intset};
use crate::reply::ReplyBuf;
use crate::sbytes::SBytes;
use crate::util;
use rand::rngs::SmallRng;
use rand::{Rng, RngExt, SeedableRng};

/// Redis 7.0 limits an intset to 2^30 entries whatever
/// `set-max-intset-entries` says.
const INTSET_MAX_ENTRIES: u64 = 1 << 30;

/// Elements sampled to pick a fair random member of a hashtable (Redis's
/// `GETFAIR_NUM_ENTRIES`).
const FAIR_SAMPLE: usize = 15;

/// A hashtable with at most this many members finishes a resize at once
/// rather than a bucket per write: a few microseconds at most, and most
/// sets are small, so they do not keep two tables.
const EAGER_REHASH_MAX: usize = 1024;

/// A set member: an integer (from an intset) or bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Member<'_> {
    /// The integer value if the member is one as Redis reads it.
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            Member::Int(v) => Some(v),
            Member::Str(b) => util::string2ll(b),
        }
    }

    /// The member's bytes, formatting an integer into `tmp`.
    pub fn bytes<'b>(&'b self, tmp: &'b mut [u8; 20]) -> &'b [u8] {
        match self {
            Member::Int(v) => util::fmt_i64(tmp, *v),
            Member::Str(b) => b,
        }
    }

    fn to_sbytes(self) -> SBytes {
        let mut tmp = [0u8; 20];
        SBytes::new(self.bytes(&mut tmp))
    }

    /// Appends the member as a bulk string.
    pub fn reply(&self, r: &mut ReplyBuf) {
        match self {
            Member::Int(v) => r.bulk_int(*v),
            Member::Str(b) => r.bulk(b),
        }
    }
}

/// An owned [`Member`] (a popped or sampled one).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owned {
    Int(i64),
    Str(SBytes),
}

impl Owned {
    pub fn as_member(&self) -> Member<'_> {
        match self {
            Owned::Int(v) => Member::Int(*v),
            Owned::Str(b) => Member::Str(b.as_bytes()),
        }
    }
}

/// A set value.
pub enum Set {
    Intset(Intset),
    // Boxed: the dict is 100+ bytes, the intset 24, and most sets are small.
    #[allow(clippy::box_collection)]
    Hashtable(Box<Dict<()>>),
}

impl Default for Set {
    fn default() -> Self {
        Set::Intset(Intset::new())
    }
}

impl Clone for Set {
    fn clone(&self) -> Self {
        match self {
            Set::Intset(is) => Set::Intset(is.clone()),
            Set::Hashtable(d) => {
                let mut n = Dict::with_capacity(d.len());
                for k in d.keys() {
                    n.insert_new(k.clone(), ());
                }
                Set::Hashtable(Box::new(n))
            }
        }
    }
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Set::Intset(is) => is.fmt(f),
            Set::Hashtable(d) => write!(f, "Hashtable({} members)", d.len()),
        }
    }
}

impl Set {
    /// An empty intset-encoded set (what Redis's `createIntsetObject` gives
    /// the *STORE commands to fill).
    pub fn new() -> Set {
        Set::default()
    }

    /// An empty set with the encoding Redis chooses for a set about to
    /// receive `first` (`setTypeCreate`).
    pub fn for_member(first: Member) -> Set {
        if first.as_int().is_some() {
            Set::new()
        } else {
            Set::Hashtable(Box::default())
        }
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Hashtable(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(is) => is.len(),
            Set::Hashtable(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes allocated for the set: the shared block holding it (counts
    /// included), the intset's buffer, or the dict's tables and entries and
    /// the members longer than fit inline.
    #[cfg(test)]
    pub fn heap_size(&self) -> usize {
        self.heap_size_sampled(usize::MAX)
    }

    /// Bytes allocated for the set, the members' own heap bytes estimated
    /// from the first `samples` members (MEMORY USAGE ... SAMPLES).
    pub fn heap_size_sampled(&self, samples: usize) -> usize {
        let own = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<Set>();
        own + match self {
            Set::Intset(is) => is.bytes(),
            Set::Hashtable(d) => {
                let members = crate::object::sampled_total(d.len(), d.keys().map(SBytes::heap_size), samples);
                std::mem::size_of::<Dict<()>>() + d.mem_overhead() + members
            }
        }
    }

    /// Allocations to free (Redis's lazyfreeGetFreeEffort): one per member of
    /// a hashtable, 1 for an intset.
    pub fn free_effort(&self) -> usize {
        match self {
            Set::Intset(_) => 1,
            Set::Hashtable(d) => d.len(),
        }
    }

    /// Converts an intset to a hashtable sized for its members.
    fn convert_to_hashtable(&mut self) {
        if let Set::Intset(is) = self {
            let mut d = Dict::with_capacity(is.len());
            for v in is.iter() {
                d.insert_new(Member::Int(v).to_sbytes(), ());
            }
            *self = Set::Hashtable(Box::new(d));
        }
    }

    /// Adds `m`; false if it was already there (Redis's `setTypeAdd`).
    /// `max_intset` is `set-max-intset-entries`.
    pub fn add(&mut self, m: Member, max_intset: u64) -> bool {
        match self {
            Set::Hashtable(d) => add_to_dict(d, m),
            Set::Intset(is) => match m.as_int() {
                Some(v) => {
                    if !is.add(v) {
                        return false;
                    }
                    if is.len() as u64 > max_intset.min(INTSET_MAX_ENTRIES) {
                        self.convert_to_hashtable();
                    }
                    true
                }
                None => {
                    self.convert_to_hashtable();
                    if let Set::Hashtable(d) = self {
                        add_to_dict(d, m);
                    }
                    true
                }
            },
        }
    }

    /// Removes `m`; false if it was not there (Redis's `setTypeRemove`,
    /// which also shrinks a hashtable that became less than 10% full).
    pub fn remove(&mut self, m: Member) -> bool {
        match self {
            Set::Hashtable(d) => {
                let mut tmp = [0u8; 20];
                let removed = d.remove(m.bytes(&mut tmp)).is_some();
                if removed {
                    d.try_shrink();
                    settle(d);
                }
                removed
            }
            Set::Intset(is) => m.as_int().is_some_and(|v| is.remove(v)),
        }
    }

    /// Whether `m` is a member (Redis's `setTypeIsMember`).
    pub fn contains(&self, m: Member) -> bool {
        match self {
            Set::Hashtable(d) => {
                let mut tmp = [0u8; 20];
                d.contains_key(m.bytes(&mut tmp))
            }
            Set::Intset(is) => m.as_int().is_some_and(|v| is.contains(v)),
        }
    }

    /// The members: ascending for an intset, in table order for a hashtable.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Set::Intset(is) => Iter::Int(is.iter()),
            Set::Hashtable(d) => Iter::Ht(d.iter()),
        }
    }

    /// A random member, `None` when empty (Redis's `setTypeRandomElement`:
    /// uniform over an intset; over a hashtable, one of up to 20 members of
    /// neighbouring buckets, as `dictGetFairRandomKey`).
    pub fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<Owned> {
        match self {
            Set::Intset(is) => {
                if is.is_empty() {
                    return None;
                }
                is.get(rng.random_range(0..is.len())).map(Owned::Int)
            }
            Set::Hashtable(d) => {
                let mut seen = 0u64;
                let mut pick: Option<SBytes> = None;
                // A reservoir of one gives a uniform pick among the sampled
                // members. The closure cannot keep references, so the pick
                // is cloned (a few times at most, on average; inline for
                // members of up to 22 bytes).
                let mut local = SmallRng::seed_from_u64(rng.random());
                d.sample(FAIR_SAMPLE, rng, |k, _| {
                    seen += 1;
                    if local.random_range(0..seen) == 0 {
                        pick = Some(k.clone());
                    }
                });
                match pick {
                    Some(k) => Some(Owned::Str(k)),
                    None => d.random_entry(rng).map(|(k, _)| Owned::Str(k.clone())),
                }
            }
        }
    }

    /// Removes and returns a random member (SPOP).
    pub fn pop_random<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<Owned> {
        if let Set::Hashtable(d) = self {
            // As dictGetSomeKeys, a rehash step per member sampled: a set
            // emptied by SPOP keeps shrinking, and sampling a half-moved
            // table visits mostly empty buckets until its rehash ends.
            if d.is_rehashing() {
                d.rehash_steps(FAIR_SAMPLE);
            }
        }
        let m = self.random(rng)?;
        self.remove(m.as_member());
        Some(m)
    }

    /// One SSCAN step over a hashtable (`None` for an intset, which SSCAN
    /// returns whole).
    pub fn scan_hashtable(&self, cursor: u64, f: impl FnMut(&SBytes)) -> Option<u64> {
        match self {
            Set::Intset(_) => None,
            Set::Hashtable(d) => Some(d.scan_keys(cursor, f)),
        }
    }
}

fn add_to_dict(d: &mut Dict<()>, m: Member) -> bool {
    let mut tmp = [0u8; 20];
    let b = m.bytes(&mut tmp);
    match d.entry(b) {
        dict::EntryRef::Occupied(_) => false,
        dict::EntryRef::Vacant(v) => {
            v.insert(SBytes::new(b), ());
            settle(d);
            true
        }
    }
}

/// Finishes the resize of a small dict.
fn settle(d: &mut Dict<()>) {
    if d.is_rehashing() && d.len() <= EAGER_REHASH_MAX {
        d.rehash_steps(d.buckets());
    }
}

/// Iterator of [`Set::iter`].
pub enum Iter<'a> {
    Int(intset::Iter<'a>),
    Ht(dict::Iter<'a, ()>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;
    fn next(&mut self) -> Option<Member<'a>> {
        match self {
            Iter::Int(it) => it.next().map(Member::Int),
            Iter::Ht(it) => it.next().map(|(k, _)| Member::Str(k.as_bytes())),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Int(it) => it.size_hint(),
            Iter::Ht(it) => it.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    fn s(b: &str) -> Member<'_> {
        Member::Str(b.as_bytes())
    }

    fn members(set: &Set) -> BTreeSet<Vec<u8>> {
        let mut tmp = [0u8; 20];
        set.iter().map(|m| m.bytes(&mut tmp).to_vec()).collect()
    }

    #[test]
    fn encodings_and_conversions() {
        let mut set = Set::for_member(s("1"));
        assert_eq!(set.encoding(), "intset");
        assert!(set.add(s("1"), 3));
        assert!(!set.add(Member::Int(1), 3));
        assert!(set.add(s("-5"), 3));
        assert!(set.add(s("9223372036854775807"), 3));
        assert_eq!(set.encoding(), "intset");
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Member::Int(-5), Member::Int(1), Member::Int(i64::MAX)]
        );
        assert!(set.add(s("2"), 3), "the 4th member exceeds 3");
        assert_eq!(set.encoding(), "hashtable");
        assert_eq!(set.len(), 4);
        assert!(set.contains(Member::Int(2)) && set.contains(s("-5")) && !set.contains(s("3")));
        assert!(set.remove(Member::Int(2)));
        assert_eq!(set.encoding(), "hashtable", "never converts back");
        for m in ["01", "-0", "+1", " 1", "1 ", "0x1", "", "99999999999999999999"] {
            assert_eq!(Set::for_member(s(m)).encoding(), "hashtable", "{m:?}");
            let mut set = Set::for_member(s("7"));
            set.add(s("7"), 512);
            assert!(set.add(s(m), 512));
            assert_eq!(set.encoding(), "hashtable");
            assert!(set.contains(s(m)) && set.contains(Member::Int(7)));
            assert!(!set.contains(Member::Int(1)) || m == "1");
        }
        let mut set = Set::new();
        assert!(!set.remove(s("a")) && !set.contains(s("a")));
        assert!(set.add(s("a"), 0));
        assert_eq!(set.encoding(), "hashtable");
        let mut set = Set::new();
        assert!(set.add(Member::Int(1), 0), "0 entries: the first add converts");
        assert_eq!(set.encoding(), "hashtable");
    }

    #[test]
    fn clone_and_sizes() {
        // With the counts of its Arc, a set value is one 32-byte block (plus
        // the intset buffer or the dict).
        assert_eq!(std::mem::size_of::<Set>(), 16);
        let mut set = Set::new();
        for i in 0..100 {
            set.add(Member::Int(i), 512);
        }
        let c = set.clone();
        assert_eq!(members(&c), members(&set));
        assert_eq!(set.free_effort(), 1);
        set.add(s("a long member that does not fit inline"), 512);
        let c = set.clone();
        assert_eq!(c.encoding(), "hashtable");
        assert_eq!(members(&c), members(&set));
        assert_eq!(c.free_effort(), 101);
        assert!(c.heap_size() > 101 * 32);
    }

    #[test]
    fn random_members_are_fair() {
        let mut rng = SmallRng::seed_from_u64(7);
        // Uniform over an intset, and over a hashtable of at most 20 members
        // (all sampled each time). With more, as with Redis's
        // dictGetFairRandomKey, members after runs of empty buckets come up
        // more often.
        for (hashtable, n, lo, hi) in [(false, 50, 800, 1200), (true, 15, 800, 1200), (true, 50, 300, 2000)] {
            let mut set = Set::new();
            for i in 0..n {
                set.add(Member::Int(i), if hashtable { 0 } else { 512 });
            }
            assert_eq!(set.encoding(), if hashtable { "hashtable" } else { "intset" });
            let mut hist: HashMap<Owned, usize> = HashMap::new();
            for _ in 0..n * 1000 {
                *hist.entry(set.random(&mut rng).unwrap()).or_default() += 1;
            }
            assert_eq!(hist.len(), n as usize);
            assert!(hist.values().all(|&c| (lo..hi).contains(&c)), "{hist:?}");
            let mut popped = BTreeSet::new();
            while let Some(m) = set.pop_random(&mut rng) {
                let mut tmp = [0u8; 20];
                assert!(popped.insert(m.as_member().bytes(&mut tmp).to_vec()));
            }
            assert_eq!(popped.len(), n as usize);
            assert!(set.is_empty() && set.random(&mut rng).is_none());
        }
    }

    #[test]
    fn scan_covers_hashtable() {
        let mut set = Set::new();
        assert_eq!(set.scan_hashtable(0, |_| {}), None);
        for i in 0..1000 {
            set.add(Member::Str(format!("m{i}").as_bytes()), 512);
        }
        let mut seen = BTreeSet::new();
        let mut cursor = 0;
        loop {
            cursor = set
                .scan_hashtable(cursor, |k| {
                    seen.insert(k.as_bytes().to_vec());
                })
                .unwrap();
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen, members(&set));
    }
}
