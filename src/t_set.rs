//! Sets (Redis 7.2's t_set.c): the set type and its three encodings.
//!
//! * `intset` ([`Intset`], byte-compatible with Redis's) while every member
//!   is an integer as Redis's `string2ll` reads it and there are at most
//!   `set-max-intset-entries` of them (capped at 2^30, as Redis does);
//! * `listpack` ([`Listpack`], byte-compatible with Redis's): members in
//!   insertion order, integer-looking ones stored as integers, while there
//!   are fewer than `set-max-listpack-entries` of them and none is longer
//!   than `set-max-listpack-value` bytes. Lookups are linear, which is why
//!   it is kept for small sets only;
//! * `hashtable` (a [`Dict<()>`] of the members' bytes) otherwise.
//!
//! The conversions are Redis 7.2's (`setTypeCreate`, `setTypeAddAux`,
//! `setTypeMaybeConvert`, `maybeConvertToIntset`): a set created for a
//! first member that is an integer starts as an intset when the expected
//! size fits, else as a listpack when that fits, else as a pre-sized hash
//! table. An intset receiving a non-integer becomes a listpack when the
//! listpack would respect both limits (its longest integer counted), else
//! a hash table; an intset growing past `set-max-intset-entries` becomes a
//! hash table; a listpack that would get too many or too long members
//! becomes a hash table. A hash table never goes back; only sets built anew
//! (the *STORE results, SPOP's kept members, RDB loading) choose again.
//!
//! Members come and go as [`Member`]: an integer read from an intset or a
//! listpack, or bytes, so that integers are never formatted or parsed
//! without need.

use crate::config::Config;
use crate::dict::{self, Dict};
use crate::intset::{self, Intset, IntsetRef};
use crate::listpack::{self, Listpack, LpValue};
use crate::reply::ReplyBuf;
use crate::sbytes::SBytes;
use crate::util;
use rand::rngs::SmallRng;
use rand::{Rng, RngExt, SeedableRng};
use std::sync::Arc;

/// Redis limits an intset to 2^30 entries whatever `set-max-intset-entries`
/// says (`intsetMaxEntries`).
const INTSET_MAX_ENTRIES: u64 = 1 << 30;

/// Elements sampled to pick a fair random member of a hashtable (Redis's
/// `GETFAIR_NUM_ENTRIES`).
const FAIR_SAMPLE: usize = 15;

/// A hashtable with at most this many members finishes a resize at once
/// rather than a bucket per write: a few microseconds at most, and most
/// sets are small, so they do not keep two tables.
const EAGER_REHASH_MAX: usize = 1024;

/// Conversion thresholds, read from the config when a command runs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `set-max-intset-entries`.
    pub max_intset: u64,
    /// `set-max-listpack-entries`.
    pub max_lp_entries: u64,
    /// `set-max-listpack-value`: longest member (bytes) a listpack holds.
    pub max_lp_value: u64,
}

impl Default for Limits {
    /// Redis's defaults.
    fn default() -> Limits {
        Limits {
            max_intset: 512,
            max_lp_entries: 128,
            max_lp_value: 64,
        }
    }
}

impl Limits {
    pub fn new(cfg: &Config) -> Limits {
        Limits {
            max_intset: cfg.set_max_intset_entries,
            max_lp_entries: cfg.set_max_listpack_entries,
            max_lp_value: cfg.set_max_listpack_value,
        }
    }

    /// Most members an intset may hold (`intsetMaxEntries`).
    fn intset_max(&self) -> u64 {
        self.max_intset.min(INTSET_MAX_ENTRIES)
    }

    /// Whether a listpack may take a member of `len` bytes when it holds
    /// `n` and its buffer is `lp_bytes` long (`setTypeAddAux`'s check;
    /// Redis's `lpSafeToAdd` counts the member's raw length).
    fn lp_fits(&self, n: usize, len: usize, lp_bytes: usize) -> bool {
        (n as u64) < self.max_lp_entries
            && len as u64 <= self.max_lp_value
            && lp_bytes.saturating_add(len) <= listpack::MAX_SAFETY_SIZE
    }
}

/// A set member: an integer (from an intset or an integer listpack entry)
/// or bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl<'a> Member<'a> {
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

    /// Length of the string form.
    fn str_len(&self) -> usize {
        match *self {
            Member::Int(v) => util::sdigits10(v),
            Member::Str(b) => b.len(),
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

    pub fn owned(self) -> Owned {
        match self {
            Member::Int(v) => Owned::Int(v),
            Member::Str(b) => Owned::Str(SBytes::new(b)),
        }
    }

    fn from_lp(v: LpValue<'a>) -> Member<'a> {
        match v {
            LpValue::Int(i) => Member::Int(i),
            LpValue::Str(s) => Member::Str(s),
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

/// A set value, held in the `Value` itself (16 bytes).
///
/// A small set is one exact-size buffer and nothing else, as in Redis (no
/// `Arc` block around it, which would cost 32 bytes per key): a snapshot
/// copies it when it captures the key, which costs about what the set is.
/// Intsets and listpacks share the `Packed` variant, as a third 16-byte
/// variant would need a tag of its own and make every `Value` 8 bytes
/// bigger; the bytes tell the two apart (see [`holds_intset`]). A hash
/// table is shared with a snapshot by an `Arc` and copied on the first
/// write after a capture (`Arc::make_mut`).
#[derive(Clone)]
pub enum Set {
    /// A listpack, or the bytes of an intset kept in the same buffer type:
    /// only [`Set::enc`] and [`Set::enc_mut`] look inside.
    Packed(Listpack),
    Hashtable(Arc<Table>),
}

/// The `hashtable` encoding.
pub struct Table(Dict<()>);

impl Clone for Table {
    fn clone(&self) -> Self {
        let mut n = Dict::with_capacity(self.0.len());
        for k in self.0.keys() {
            n.insert_new(k.clone(), ());
        }
        Table(n)
    }
}

/// Whether a small set's buffer holds an intset rather than a listpack:
/// an intset starts with its encoding (2, 4 or 8), a listpack with its
/// total size, which is 7 when empty and at least 9 otherwise (header 6,
/// terminator 1, and 2 bytes for the smallest entry).
fn holds_intset(buf: &[u8]) -> bool {
    matches!(buf.get(..4), Some([2 | 4 | 8, 0, 0, 0]))
}

/// A set seen by its encoding.
pub enum Enc<'a> {
    Intset(IntsetRef<'a>),
    Listpack(&'a Listpack),
    Hashtable(&'a Dict<()>),
}

/// A set seen by its encoding, for writing (an intset is reached with
/// [`Set::with_intset`]).
enum EncMut<'a> {
    Intset,
    Listpack(&'a mut Listpack),
    Hashtable(&'a mut Dict<()>),
}

impl Default for Set {
    fn default() -> Self {
        Set::of_intset(Intset::new())
    }
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.enc() {
            Enc::Intset(is) => is.fmt(f),
            Enc::Listpack(lp) => lp.fmt(f),
            Enc::Hashtable(d) => write!(f, "Hashtable({} members)", d.len()),
        }
    }
}

/// A uniform integer in `0..n` (`n` > 0).
fn below<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

impl Set {
    /// An empty intset-encoded set (Redis's `createIntsetObject`, what
    /// SUNIONSTORE and SDIFFSTORE fill).
    pub fn new() -> Set {
        Set::default()
    }

    /// An empty listpack-encoded set (`createSetListpackObject`).
    pub fn new_listpack() -> Set {
        Set::Packed(Listpack::new())
    }

    /// An empty hashtable-encoded set sized for `cap` members.
    pub fn new_hashtable(cap: usize) -> Set {
        Set::of_table(Dict::with_capacity(cap))
    }

    fn of_intset(is: Intset) -> Set {
        Set::Packed(Listpack::from_box_trusted(is.into_box()))
    }

    fn of_table(d: Dict<()>) -> Set {
        Set::Hashtable(Arc::new(Table(d)))
    }

    /// The set by its encoding.
    pub fn enc(&self) -> Enc<'_> {
        match self {
            Set::Packed(lp) if holds_intset(lp.as_bytes()) => Enc::Intset(IntsetRef::new_trusted(lp.as_bytes())),
            Set::Packed(lp) => Enc::Listpack(lp),
            Set::Hashtable(t) => Enc::Hashtable(&t.0),
        }
    }

    /// The set by its encoding, for writing (a table shared with a
    /// snapshot is copied first).
    fn enc_mut(&mut self) -> EncMut<'_> {
        match self {
            Set::Packed(lp) if holds_intset(lp.as_bytes()) => EncMut::Intset,
            Set::Packed(lp) => EncMut::Listpack(lp),
            Set::Hashtable(t) => EncMut::Hashtable(&mut Arc::make_mut(t).0),
        }
    }

    /// Runs `f` on the intset of an intset-encoded set (its buffer moves
    /// out of the `Listpack` handle and back, with no allocation).
    fn with_intset<R>(&mut self, f: impl FnOnce(&mut Intset) -> R) -> Option<R> {
        let Set::Packed(lp) = self else { return None };
        if !holds_intset(lp.as_bytes()) {
            return None;
        }
        let buf = std::mem::replace(lp, Listpack::from_box_trusted(Box::default())).into_box();
        let mut is = Intset::from_box_trusted(buf);
        let r = f(&mut is);
        *lp = Listpack::from_box_trusted(is.into_box());
        Some(r)
    }

    /// The listpack of a listpack-encoded set, for writing.
    fn listpack_mut(&mut self) -> Option<&mut Listpack> {
        match self.enc_mut() {
            EncMut::Listpack(lp) => Some(lp),
            _ => None,
        }
    }

    /// An empty set with the encoding Redis chooses for a set about to
    /// receive `first` and about `size_hint` members in all
    /// (`setTypeCreate`). The hint is a member count the client sent, so a
    /// table sized for it is bounded by the request.
    pub fn create(first: Member, size_hint: usize, lim: &Limits) -> Set {
        let hint = size_hint as u64;
        if first.as_int().is_some() && hint <= lim.max_intset {
            Set::new()
        } else if hint <= lim.max_lp_entries {
            Set::new_listpack()
        } else {
            Set::new_hashtable(size_hint)
        }
    }

    /// Converts to a pre-sized hash table when about `size_hint` members
    /// are coming that the encoding could not take (`setTypeMaybeConvert`).
    pub fn maybe_convert(&mut self, size_hint: usize, lim: &Limits) {
        let hint = size_hint as u64;
        let too_many = match self.enc() {
            Enc::Listpack(_) => hint > lim.max_lp_entries,
            Enc::Intset(_) => hint > lim.max_intset,
            Enc::Hashtable(_) => false,
        };
        if too_many {
            self.convert_to_hashtable(size_hint);
        }
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self.enc() {
            Enc::Intset(_) => "intset",
            Enc::Listpack(_) => "listpack",
            Enc::Hashtable(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self.enc() {
            Enc::Intset(is) => is.len(),
            Enc::Listpack(lp) => lp.len(),
            Enc::Hashtable(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self.enc() {
            Enc::Intset(is) => is.is_empty(),
            Enc::Listpack(lp) => lp.is_empty(),
            Enc::Hashtable(d) => d.is_empty(),
        }
    }

    /// The listpack of a listpack-encoded set.
    pub fn as_listpack(&self) -> Option<&Listpack> {
        match self.enc() {
            Enc::Listpack(lp) => Some(lp),
            _ => None,
        }
    }

    /// Bytes allocated for the set.
    #[cfg(test)]
    pub fn heap_size(&self) -> usize {
        self.heap_size_sampled(usize::MAX)
    }

    /// Bytes allocated for the set (MEMORY USAGE): the intset's or the
    /// listpack's buffer; or the `Arc` block (two counters and the dict),
    /// the dict's tables and entries, and the members' own heap bytes
    /// estimated from the first `samples` members (MEMORY USAGE ...
    /// SAMPLES).
    pub fn heap_size_sampled(&self, samples: usize) -> usize {
        match self.enc() {
            Enc::Listpack(lp) => lp.alloc_size(),
            Enc::Intset(is) => is.bytes(),
            Enc::Hashtable(d) => {
                let members = crate::object::sampled_total(d.len(), d.keys().map(SBytes::heap_size), samples);
                2 * std::mem::size_of::<usize>() + std::mem::size_of::<Table>() + d.mem_overhead() + members
            }
        }
    }

    /// Allocations to free (Redis's lazyfreeGetFreeEffort): one per member of
    /// a hashtable, 1 for an intset or a listpack.
    pub fn free_effort(&self) -> usize {
        match self.enc() {
            Enc::Intset(_) | Enc::Listpack(_) => 1,
            Enc::Hashtable(d) => d.len(),
        }
    }

    /// The table of a hashtable-encoded set, for writing (copied first if a
    /// snapshot shares it).
    fn table_mut(&mut self) -> Option<&mut Dict<()>> {
        match self.enc_mut() {
            EncMut::Hashtable(d) => Some(d),
            _ => None,
        }
    }

    /// Converts to a hash table sized for `cap` members
    /// (`setTypeConvertAndExpand(.., OBJ_ENCODING_HT, cap)`).
    pub fn convert_to_hashtable(&mut self, cap: usize) {
        if let Enc::Hashtable(_) = self.enc() {
            return;
        }
        let mut d = Dict::with_capacity(cap.max(self.len()));
        for m in self.iter() {
            d.insert_new(m.to_sbytes(), ());
        }
        *self = Set::of_table(d);
    }

    /// Converts an intset to a listpack of its members in ascending order
    /// (`setTypeConvertAndExpand(.., OBJ_ENCODING_LISTPACK, ..)`).
    fn convert_intset_to_listpack(&mut self) {
        if let Enc::Intset(is) = self.enc() {
            let mut lp = Listpack::new();
            for v in is.iter() {
                // An integer entry is at most 10 bytes: the intset's size
                // was checked against the safety limit by the caller.
                let _ = lp.append_int(v);
            }
            *self = Set::Packed(lp);
        }
    }

    /// Redis's `maybeConvertToIntset`: when every member is known to be an
    /// integer, an intset if there are not too many of them.
    pub fn maybe_convert_to_intset(&mut self, lim: &Limits) {
        if matches!(self.enc(), Enc::Intset(_)) || self.len() as u64 > lim.intset_max() {
            return;
        }
        let mut is = Intset::new();
        for m in self.iter() {
            match m.as_int() {
                Some(v) => {
                    is.add(v);
                }
                // Not all integers after all: the set stays as it is.
                None => return,
            }
        }
        *self = Set::of_intset(is);
    }

    /// Adds `m`; false if it was already there (Redis's `setTypeAddAux`).
    pub fn add(&mut self, m: Member, lim: &Limits) -> bool {
        match self.enc_mut() {
            EncMut::Hashtable(d) => add_to_dict(d, m),
            EncMut::Listpack(lp) => {
                let mut tmp = [0u8; 20];
                let bytes = m.bytes(&mut tmp);
                if lp.first().and_then(|p| lp.find(p, bytes, 0)).is_some() {
                    return false;
                }
                if lim.lp_fits(lp.len(), bytes.len(), lp.bytes()) && lp.append(bytes).is_some() {
                    return true;
                }
                let cap = lp.len() + 1;
                self.convert_to_hashtable(cap);
                self.table_mut().is_some_and(|d| add_to_dict(d, m))
            }
            EncMut::Intset => match m.as_int() {
                Some(v) => {
                    let (added, len) = self.with_intset(|is| (is.add(v), is.len())).unwrap_or_default();
                    if added && len as u64 > lim.intset_max() {
                        self.convert_to_hashtable(0);
                    }
                    added
                }
                None => {
                    let Enc::Intset(is) = self.enc() else { return false };
                    let (fits, cap) = (intset_fits_listpack(is, m.str_len(), lim), is.len() + 1);
                    if fits {
                        self.convert_intset_to_listpack();
                    } else {
                        self.convert_to_hashtable(cap);
                    }
                    self.add(m, lim)
                }
            },
        }
    }

    /// Removes `m`; false if it was not there (Redis's `setTypeRemoveAux`,
    /// which also shrinks a hashtable that became less than 10% full).
    pub fn remove(&mut self, m: Member) -> bool {
        // A member that is not there copies nothing a snapshot shares.
        if !self.contains(m) {
            return false;
        }
        let mut tmp = [0u8; 20];
        let key = m.bytes(&mut tmp);
        match self.enc_mut() {
            EncMut::Hashtable(d) => {
                d.remove(key);
                d.try_shrink();
                settle(d);
            }
            EncMut::Listpack(lp) => {
                if let Some(p) = lp.first().and_then(|p| lp.find(p, key, 0)) {
                    lp.delete(p);
                }
            }
            EncMut::Intset => {
                if let Some(v) = m.as_int() {
                    self.with_intset(|is| is.remove(v));
                }
            }
        }
        true
    }

    /// Whether `m` is a member (Redis's `setTypeIsMemberAux`).
    pub fn contains(&self, m: Member) -> bool {
        let mut tmp = [0u8; 20];
        match self.enc() {
            Enc::Hashtable(d) => d.contains_key(m.bytes(&mut tmp)),
            Enc::Listpack(lp) => lp.first().and_then(|p| lp.find(p, m.bytes(&mut tmp), 0)).is_some(),
            Enc::Intset(is) => m.as_int().is_some_and(|v| is.contains(v)),
        }
    }

    /// The members: ascending for an intset, in insertion order for a
    /// listpack, in table order for a hashtable.
    pub fn iter(&self) -> Iter<'_> {
        match self.enc() {
            Enc::Intset(is) => Iter::Int(is.iter()),
            Enc::Listpack(lp) => Iter::Lp(lp.iter()),
            Enc::Hashtable(d) => Iter::Ht(d.iter()),
        }
    }

    /// A random member, `None` when empty (Redis's `setTypeRandomElement`:
    /// uniform over an intset or a listpack; over a hashtable, one of up to
    /// 20 members of neighbouring buckets, as `dictGetFairRandomKey`).
    pub fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<Owned> {
        match self.enc() {
            Enc::Intset(is) => {
                if is.is_empty() {
                    return None;
                }
                is.get(below(rng, is.len())).map(Owned::Int)
            }
            Enc::Listpack(lp) => {
                let n = lp.len();
                if n == 0 {
                    return None;
                }
                let p = lp.seek(below(rng, n) as i64)?;
                lp.try_get(p).map(|v| Member::from_lp(v).owned())
            }
            Enc::Hashtable(d) => {
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

    /// Removes and returns a random member (SPOP, `setTypePopRandom`).
    pub fn pop_random<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<Owned> {
        if let EncMut::Hashtable(d) = self.enc_mut() {
            // As dictGetSomeKeys, a rehash step per member sampled: a set
            // emptied by SPOP keeps shrinking, and sampling a half-moved
            // table visits mostly empty buckets until its rehash ends.
            if d.is_rehashing() {
                d.rehash_steps(FAIR_SAMPLE);
            }
        }
        if let Some(lp) = self.listpack_mut() {
            // Picked and deleted where it lies, without a second search.
            let n = lp.len();
            if n == 0 {
                return None;
            }
            let p = lp.seek(below(rng, n) as i64)?;
            let m = Member::from_lp(lp.try_get(p)?).owned();
            lp.delete(p);
            return Some(m);
        }
        let m = self.random(rng)?;
        self.remove(m.as_member());
        Some(m)
    }

    /// `count` distinct members of a listpack-encoded set, picked at random
    /// but returned in listpack order (Redis's `lpNextRandom` walk); `None`
    /// for other encodings.
    pub fn lp_sample<R: Rng + ?Sized>(&self, count: usize, rng: &mut R) -> Option<Vec<Member<'_>>> {
        let lp = self.as_listpack()?;
        let picked = lp_pick(lp, count, rng);
        Some(picked.into_iter().map(|p| Member::from_lp(lp.get(p))).collect())
    }

    /// Removes `count` distinct members of a listpack-encoded set, picked
    /// at random, in one pass (`lpNextRandom` then `lpBatchDelete`), and
    /// returns them in listpack order; `None` for other encodings.
    pub fn lp_pop_sample<R: Rng + ?Sized>(&mut self, count: usize, rng: &mut R) -> Option<Vec<Owned>> {
        let lp = self.listpack_mut()?;
        let picked = lp_pick(lp, count, rng);
        let members = picked.iter().map(|&p| Member::from_lp(lp.get(p)).owned()).collect();
        lp.delete_many(&picked);
        Some(members)
    }

    /// `count` members of a listpack-encoded set picked independently at
    /// random (repeats allowed; Redis's `lpRandomEntries`), walking the
    /// listpack once; `None` for other encodings.
    pub fn lp_random_members<R: Rng + ?Sized>(&self, count: usize, rng: &mut R) -> Option<Vec<Member<'_>>> {
        let lp = self.as_listpack()?;
        let all: Vec<LpValue> = lp.iter().collect();
        if all.is_empty() {
            return Some(Vec::new());
        }
        Some(
            (0..count)
                .map(|_| Member::from_lp(all[below(rng, all.len())]))
                .collect(),
        )
    }

    /// One SSCAN step over a hashtable (`None` for an intset or a listpack,
    /// which SSCAN returns whole).
    pub fn scan_hashtable(&self, cursor: u64, f: impl FnMut(&SBytes)) -> Option<u64> {
        match self.enc() {
            Enc::Hashtable(d) => Some(d.scan_keys(cursor, f)),
            _ => None,
        }
    }

    /// Builds a set from RDB_TYPE_SET members as Redis 7.2's rdbLoadObject
    /// does: a hash table from the start when there are more members than
    /// an intset may hold, else an intset while the members are integers,
    /// then a listpack while they respect its limits (the longest member so
    /// far counted), then a hash table. `None` if a member repeats.
    pub fn from_members<'a>(members: impl ExactSizeIterator<Item = &'a [u8]>, lim: &Limits) -> Option<Set> {
        let n = members.len();
        let mut set = if n as u64 > lim.intset_max() {
            Set::new_hashtable(n)
        } else {
            Set::new()
        };
        let (mut maxlen, mut sumlen) = (0usize, 0usize);
        for m in members {
            maxlen = maxlen.max(m.len());
            sumlen = sumlen.saturating_add(m.len());
            if let Enc::Intset(is) = set.enc() {
                if util::string2ll(m).is_none() {
                    let fits = (is.len() as u64) < lim.max_lp_entries
                        && maxlen as u64 <= lim.max_lp_value
                        && sumlen <= listpack::MAX_SAFETY_SIZE;
                    if fits {
                        set.convert_intset_to_listpack();
                    } else {
                        set.convert_to_hashtable(n);
                    }
                }
            }
            if let Enc::Listpack(lp) = set.enc() {
                if !lim.lp_fits(lp.len(), m.len(), lp.bytes()) {
                    set.convert_to_hashtable(n);
                }
            }
            if !set.add_new(m) {
                return None;
            }
        }
        Some(set)
    }

    /// Adds `m` during a load, without converting; false if it was there.
    fn add_new(&mut self, m: &[u8]) -> bool {
        match self.enc_mut() {
            EncMut::Intset => util::string2ll(m).is_some_and(|v| self.with_intset(|is| is.add(v)) == Some(true)),
            EncMut::Listpack(lp) => lp.first().and_then(|p| lp.find(p, m, 0)).is_none() && lp.append(m).is_some(),
            EncMut::Hashtable(d) => add_to_dict(d, Member::Str(m)),
        }
    }

    /// Adopts a listpack of distinct members (RDB_TYPE_SET_LISTPACK, which
    /// the caller validated), converted to a hash table when it has more
    /// than `set-max-listpack-entries` members, as Redis 7.2 loads it.
    pub fn from_listpack(lp: Listpack, lim: &Limits) -> Set {
        // A listpack is never taken for an intset: its first four bytes are
        // its size, at least 7.
        let mut set = Set::Packed(lp);
        if set.len() as u64 > lim.max_lp_entries {
            set.convert_to_hashtable(0);
        }
        set
    }

    /// Adopts a loaded intset, converted to a hash table when it has more
    /// than `set-max-intset-entries` members (rdbLoadObject).
    pub fn from_intset(is: Intset, lim: &Limits) -> Set {
        let mut set = Set::of_intset(is);
        if set.len() as u64 > lim.max_intset {
            set.convert_to_hashtable(0);
        }
        set
    }
}

/// Whether an intset receiving a non-integer of `len` bytes may become a
/// listpack (`setTypeAddAux`): room for one more entry, the new member and
/// the longest integer within `set-max-listpack-value`, and the listpack
/// within its safety size even if every integer were the widest one
/// (`lpEstimateBytesRepeatedInteger`).
fn intset_fits_listpack(is: IntsetRef, len: usize, lim: &Limits) -> bool {
    let n = is.len();
    let (mut maxelelen, mut totsize) = (0usize, 0usize);
    if let (Some(min), Some(max)) = (is.min(), is.max()) {
        maxelelen = util::sdigits10(min).max(util::sdigits10(max));
        let widest = Listpack::entry_size_int(min).max(Listpack::entry_size_int(max));
        totsize = (listpack::HDR_SIZE + 1).saturating_add(widest.saturating_mul(n));
    }
    (n as u64) < lim.max_lp_entries
        && len as u64 <= lim.max_lp_value
        && maxelelen as u64 <= lim.max_lp_value
        && totsize.saturating_add(len) <= listpack::MAX_SAFETY_SIZE
}

/// Positions of `count` distinct entries of `lp` chosen uniformly, in
/// listpack order: selection sampling, where each entry is taken with
/// probability (still needed) / (still available), as Redis's
/// `lpNextRandom`. All of them when `count` is at least the length.
fn lp_pick<R: Rng + ?Sized>(lp: &Listpack, count: usize, rng: &mut R) -> Vec<usize> {
    let total = lp.len();
    let mut need = count.min(total);
    let mut picked = Vec::with_capacity(need);
    for (i, (pos, _)) in lp.entries().enumerate() {
        if need == 0 {
            break;
        }
        if below(rng, total - i) < need {
            picked.push(pos);
            need -= 1;
        }
    }
    picked
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
    Lp(listpack::Iter<'a>),
    Ht(dict::Iter<'a, ()>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;
    fn next(&mut self) -> Option<Member<'a>> {
        match self {
            Iter::Int(it) => it.next().map(Member::Int),
            Iter::Lp(it) => it.next().map(Member::from_lp),
            Iter::Ht(it) => it.next().map(|(k, _)| Member::Str(k.as_bytes())),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Int(it) => it.size_hint(),
            Iter::Lp(it) => it.size_hint(),
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

    /// Limits with the given intset, listpack entries and value sizes.
    fn lim(max_intset: u64, max_lp_entries: u64, max_lp_value: u64) -> Limits {
        Limits {
            max_intset,
            max_lp_entries,
            max_lp_value,
        }
    }

    const DEFAULT: Limits = Limits {
        max_intset: 512,
        max_lp_entries: 128,
        max_lp_value: 64,
    };

    fn members(set: &Set) -> BTreeSet<Vec<u8>> {
        let mut tmp = [0u8; 20];
        set.iter().map(|m| m.bytes(&mut tmp).to_vec()).collect()
    }

    fn in_order(set: &Set) -> Vec<String> {
        let mut tmp = [0u8; 20];
        set.iter()
            .map(|m| String::from_utf8_lossy(m.bytes(&mut tmp)).into_owned())
            .collect()
    }

    #[test]
    fn intsets_and_listpacks_share_a_buffer_and_tell_apart() {
        assert_eq!(std::mem::size_of::<Set>(), 16);
        assert!(!holds_intset(Listpack::new().as_bytes()));
        // A listpack of 258 bytes starts 02 01 00 00: not an intset.
        let mut lp = Listpack::new();
        lp.append(&[b'x'; 247]);
        assert_eq!(&lp.as_bytes()[..4], &[2, 1, 0, 0]);
        assert!(!holds_intset(lp.as_bytes()));
        for w in [2u8, 4, 8] {
            assert!(holds_intset(&[w, 0, 0, 0, 0, 0, 0, 0]));
        }
        // Writes through the shared buffer keep the intset an intset, and
        // a copy (as a snapshot takes) is independent.
        let mut s = Set::new();
        for v in [5i64, -3, 70000, 1 << 40] {
            assert!(s.add(Member::Int(v), &DEFAULT));
        }
        assert!(!s.add(Member::Int(5), &DEFAULT));
        let copy = s.clone();
        assert!(s.remove(Member::Int(-3)));
        assert_eq!(s.encoding(), "intset");
        assert_eq!(
            s.iter().map(|m| m.as_int()).collect::<Vec<_>>(),
            [Some(5), Some(70000), Some(1 << 40)]
        );
        assert_eq!(copy.len(), 4);
        assert!(copy.contains(Member::Int(-3)));
        assert_eq!(s.heap_size(), 8 + 3 * 8);
    }

    #[test]
    fn create_follows_the_size_hint() {
        let l = lim(4, 6, 64);
        assert_eq!(Set::create(s("1"), 4, &l).encoding(), "intset");
        assert_eq!(Set::create(s("1"), 5, &l).encoding(), "listpack");
        assert_eq!(Set::create(s("a"), 1, &l).encoding(), "listpack");
        assert_eq!(Set::create(s("a"), 6, &l).encoding(), "listpack");
        assert_eq!(Set::create(s("a"), 7, &l).encoding(), "hashtable");
        assert_eq!(Set::create(s("1"), 7, &l).encoding(), "hashtable");
        // SADD on an existing set: converted before the members arrive.
        let mut set = Set::create(s("1"), 1, &l);
        set.maybe_convert(4, &l);
        assert_eq!(set.encoding(), "intset");
        set.maybe_convert(5, &l);
        assert_eq!(set.encoding(), "hashtable");
        let mut set = Set::new_listpack();
        set.maybe_convert(6, &l);
        assert_eq!(set.encoding(), "listpack");
        set.maybe_convert(7, &l);
        assert_eq!(set.encoding(), "hashtable");
    }

    #[test]
    fn intset_conversions() {
        let mut set = Set::create(s("1"), 1, &DEFAULT);
        assert!(set.add(s("1"), &DEFAULT));
        assert!(!set.add(Member::Int(1), &DEFAULT));
        assert!(set.add(s("-5"), &DEFAULT));
        assert_eq!(set.encoding(), "intset");
        // A non-integer: a listpack of the integers in ascending order,
        // then the new member.
        assert!(set.add(s("x"), &DEFAULT));
        assert_eq!(set.encoding(), "listpack");
        assert_eq!(in_order(&set), ["-5", "1", "x"]);
        assert!(set.remove(s("x")));
        assert_eq!(set.encoding(), "listpack", "never converts back");

        // Growing past set-max-intset-entries: a hashtable (not a listpack).
        let l = lim(3, 128, 64);
        let mut set = Set::new();
        for i in 0..3 {
            set.add(Member::Int(i), &l);
        }
        assert_eq!(set.encoding(), "intset");
        assert!(set.add(Member::Int(3), &l));
        assert_eq!(set.encoding(), "hashtable");
        assert_eq!(set.len(), 4);

        // An intset with set-max-listpack-entries members or more: a
        // hashtable at the first string.
        let l = lim(512, 3, 64);
        for (n, want) in [(2, "listpack"), (3, "hashtable")] {
            let mut set = Set::new();
            for i in 0..n {
                set.add(Member::Int(i), &l);
            }
            set.add(s("a"), &l);
            assert_eq!(set.encoding(), want, "{n} integers");
            assert_eq!(set.len(), n as usize + 1);
        }
    }

    #[test]
    fn intset_to_listpack_counts_the_longest_integer() {
        // The string fits, but the widest integer (as text) does not.
        let l = lim(512, 128, 5);
        let mut set = Set::new();
        set.add(Member::Int(12345), &l);
        set.add(s("abcde"), &l);
        assert_eq!(set.encoding(), "listpack");
        let mut set = Set::new();
        set.add(Member::Int(-12345), &l);
        set.add(s("a"), &l);
        assert_eq!(set.encoding(), "hashtable", "-12345 is 6 bytes");
        let mut set = Set::new();
        set.add(Member::Int(1), &l);
        set.add(s("abcdef"), &l);
        assert_eq!(set.encoding(), "hashtable", "the new member is 6 bytes");
        // An empty intset (SUNIONSTORE's start) takes any short string.
        let mut set = Set::new();
        set.add(s("abcde"), &l);
        assert_eq!(set.encoding(), "listpack");
    }

    #[test]
    fn listpack_conversions() {
        let l = lim(512, 3, 4);
        let mut set = Set::create(s("a"), 1, &l);
        assert!(set.add(s("a"), &l));
        assert!(set.add(s("1234"), &l), "4 bytes fit");
        assert!(set.add(Member::Int(7), &l));
        assert!(!set.add(s("7"), &l));
        assert!(!set.add(Member::Int(1234), &l), "integers match their text");
        assert_eq!(set.encoding(), "listpack");
        assert_eq!(in_order(&set), ["a", "1234", "7"]);
        // A member already there never converts, even at the limit.
        assert!(!set.add(s("a"), &l));
        assert_eq!(set.encoding(), "listpack");
        assert!(set.add(s("b"), &l), "the 4th member converts");
        assert_eq!(set.encoding(), "hashtable");
        assert_eq!(members(&set).len(), 4);

        let mut set = Set::create(s("a"), 1, &l);
        set.add(s("a"), &l);
        assert!(set.add(s("abcde"), &l), "5 bytes convert");
        assert_eq!(set.encoding(), "hashtable");
        assert!(set.contains(s("a")) && set.contains(s("abcde")));

        // Integers as text against integer entries: "01" is not 1.
        let mut set = Set::new_listpack();
        set.add(Member::Int(1), &DEFAULT);
        assert!(set.contains(s("1")) && !set.contains(s("01")));
        assert!(set.add(s("01"), &DEFAULT));
        assert!(!set.remove(s("+1")));
        assert!(set.remove(s("1")) && set.remove(s("01")));
        assert!(set.is_empty() && !set.remove(s("1")));
    }

    #[test]
    fn maybe_convert_to_intset() {
        let mut set = Set::new_listpack();
        for i in [5, 3, 9] {
            set.add(Member::Int(i), &DEFAULT);
        }
        set.maybe_convert_to_intset(&DEFAULT);
        assert_eq!(set.encoding(), "intset");
        assert_eq!(in_order(&set), ["3", "5", "9"]);
        // Too many for an intset: stays.
        let mut set = Set::new_listpack();
        for i in 0..4 {
            set.add(Member::Int(i), &DEFAULT);
        }
        set.maybe_convert_to_intset(&lim(3, 128, 64));
        assert_eq!(set.encoding(), "listpack");
        // Not all integers: stays.
        let mut set = Set::new_hashtable(0);
        set.add(s("1"), &DEFAULT);
        set.add(s("x"), &DEFAULT);
        set.maybe_convert_to_intset(&DEFAULT);
        assert_eq!(set.encoding(), "hashtable");
    }

    #[test]
    fn loading_chooses_the_encoding() {
        let load = |ms: &[&str], l: &Limits| {
            Set::from_members(ms.iter().map(|m| m.as_bytes()), l).map(|s| (s.encoding(), in_order(&s)))
        };
        assert_eq!(load(&["3", "1"], &DEFAULT).unwrap().0, "intset");
        assert_eq!(
            load(&["3", "x", "1"], &DEFAULT).unwrap(),
            ("listpack", vec!["3".into(), "x".into(), "1".into()])
        );
        assert_eq!(
            load(&["1", "2", "3", "x"], &lim(3, 128, 64)).unwrap().0,
            "hashtable",
            "too many for an intset"
        );
        assert_eq!(load(&["1", "x", "y"], &lim(512, 2, 64)).unwrap().0, "hashtable");
        assert_eq!(load(&["1", "x", "y"], &lim(512, 3, 64)).unwrap().0, "listpack");
        assert_eq!(load(&["xx", "abc"], &lim(512, 3, 2)).unwrap().0, "hashtable");
        assert_eq!(load(&["abc", "1"], &lim(512, 3, 2)).unwrap().0, "hashtable");
        for dup in [
            &["1", "1"][..],
            &["x", "1", "x"],
            &["1", "x", "1"],
            &["1", "2", "3", "x", "x"],
        ] {
            assert!(load(dup, &lim(3, 4, 64)).is_none(), "{dup:?}");
        }
        let lp = {
            let mut lp = Listpack::new();
            for m in ["a", "b", "c"] {
                lp.append(m.as_bytes());
            }
            lp
        };
        assert_eq!(Set::from_listpack(lp.clone(), &lim(512, 3, 64)).encoding(), "listpack");
        assert_eq!(Set::from_listpack(lp, &lim(512, 2, 64)).encoding(), "hashtable");
        let mut is = Intset::new();
        for i in 0..3 {
            is.add(i);
        }
        assert_eq!(Set::from_intset(is.clone(), &lim(3, 128, 64)).encoding(), "intset");
        assert_eq!(Set::from_intset(is, &lim(2, 128, 64)).encoding(), "hashtable");
    }

    #[test]
    fn clone_and_sizes() {
        // Held in the `Value` beside its tag: no `Arc` block for the small
        // encodings.
        assert_eq!(std::mem::size_of::<Set>(), 16);
        let mut set = Set::new();
        for i in 0..100 {
            set.add(Member::Int(i), &DEFAULT);
        }
        assert_eq!(set.free_effort(), 1);
        set.add(s("a"), &DEFAULT);
        assert_eq!(set.encoding(), "listpack");
        let c = set.clone();
        assert_eq!(members(&c), members(&set));
        assert_eq!(c.free_effort(), 1);
        // 100 small integers take 2 bytes each, "a" 3, the header 7.
        assert_eq!(c.heap_size(), 7 + 100 * 2 + 3);
        for i in 0..100 {
            set.add(s(&format!("a long member that does not fit inline {i}")), &DEFAULT);
        }
        let c = set.clone();
        assert_eq!(c.encoding(), "hashtable");
        assert_eq!(members(&c), members(&set));
        assert_eq!(c.free_effort(), 201);
        assert!(c.heap_size() > 201 * 32);
    }

    #[test]
    fn random_members_are_fair() {
        let mut rng = SmallRng::seed_from_u64(7);
        // Uniform over an intset, a listpack, and a hashtable of at most 20
        // members (all sampled each time). With more, as with Redis's
        // dictGetFairRandomKey, members after runs of empty buckets come up
        // more often.
        for (enc, n, lo, hi) in [
            ("intset", 50, 800, 1200),
            ("listpack", 50, 800, 1200),
            ("hashtable", 15, 800, 1200),
            ("hashtable", 50, 300, 2000),
        ] {
            let mut set = match enc {
                "intset" => Set::new(),
                "listpack" => Set::new_listpack(),
                _ => Set::new_hashtable(0),
            };
            for i in 0..n {
                set.add(Member::Int(i), &DEFAULT);
            }
            assert_eq!(set.encoding(), enc);
            let mut hist: HashMap<Owned, usize> = HashMap::new();
            for _ in 0..n * 1000 {
                *hist.entry(set.random(&mut rng).unwrap()).or_default() += 1;
            }
            assert_eq!(hist.len(), n as usize);
            assert!(hist.values().all(|&c| (lo..hi).contains(&c)), "{enc}: {hist:?}");
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
    fn listpack_samples() {
        let mut rng = SmallRng::seed_from_u64(3);
        let mut set = Set::new_listpack();
        for i in 0..10 {
            set.add(s(&format!("m{i}")), &DEFAULT);
        }
        let order = in_order(&set);
        let pos = |m: &Member| {
            let mut tmp = [0u8; 20];
            let b = String::from_utf8_lossy(m.bytes(&mut tmp)).into_owned();
            order.iter().position(|o| *o == b).unwrap()
        };
        // Distinct, in listpack order, each member equally likely.
        let mut hist = [0usize; 10];
        for _ in 0..10_000 {
            let picked = set.lp_sample(3, &mut rng).unwrap();
            let idx: Vec<usize> = picked.iter().map(pos).collect();
            assert_eq!(idx.len(), 3);
            assert!(idx.windows(2).all(|w| w[0] < w[1]), "{idx:?}");
            for i in idx {
                hist[i] += 1;
            }
        }
        assert!(hist.iter().all(|&c| (2700..3300).contains(&c)), "{hist:?}");
        assert_eq!(set.lp_sample(20, &mut rng).unwrap().len(), 10);
        // With repeats: uniform too.
        let mut hist = [0usize; 10];
        for m in set.lp_random_members(10_000, &mut rng).unwrap() {
            hist[pos(&m)] += 1;
        }
        assert!(hist.iter().all(|&c| (800..1200).contains(&c)), "{hist:?}");
        // Popping a sample removes exactly those members.
        let popped = set.lp_pop_sample(4, &mut rng).unwrap();
        assert_eq!(popped.len(), 4);
        assert_eq!(set.len(), 6);
        assert!(popped.iter().all(|m| !set.contains(m.as_member())));
        assert!(Set::new().lp_sample(1, &mut rng).is_none());
        assert!(Set::new_hashtable(0).lp_pop_sample(1, &mut rng).is_none());
    }

    #[test]
    fn scan_covers_hashtable() {
        let mut set = Set::new();
        assert_eq!(set.scan_hashtable(0, |_| {}), None);
        for i in 0..1000 {
            set.add(Member::Str(format!("m{i}").as_bytes()), &DEFAULT);
        }
        assert_eq!(set.encoding(), "hashtable");
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
