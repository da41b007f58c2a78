//! Values stored in the keyspace and their encodings.
//!
//! Collections live in their own modules (Redis's t_*.c split):
//! `t_list::List`, `t_hash::Hash`, `t_set::Set`, `t_zset::ZSet`,
//! `t_stream::Stream`. Lists, sets and streams are behind an `Arc`, as are
//! the big encodings of hashes and sorted sets; writers mutate them through
//! `Arc::make_mut`, which is a plain pointer access unless a snapshot shares
//! the value (copy-on-write). A listpack-encoded hash or sorted set is held
//! in the `Value` itself, its bytes in one exact-size allocation as in
//! Redis: an `Arc` block around it would add a 32-byte allocation per key,
//! a fifth of a small hash. A snapshot copies such a listpack, as it copies
//! a string.
//!
//! `Value` is 24 bytes, so with its metadata (`Obj`) and its key it fits a
//! 64-byte dict entry. Strings have Redis's three encodings: `int`, `embstr`
//! (short strings, here stored inline when they fit in 22 bytes, otherwise
//! in one exact-size allocation) and `raw` (long strings, and any string
//! modified in place by APPEND/SETRANGE/SETBIT, which keeps spare capacity
//! so repeated appends are amortised O(1) as with sds).

use crate::sbytes::INLINE_CAP;
use crate::util;
use std::sync::Arc;

/// Strings up to this length are reported as `embstr`, as in Redis.
pub const EMBSTR_LIMIT: usize = 44;

#[derive(Clone)]
pub enum Value {
    Int(i64),
    Inline {
        len: u8,
        buf: [u8; INLINE_CAP],
    },
    Heap(Box<[u8]>),
    // Boxed so that `Value` stays 24 bytes; only strings modified in place
    // pay for the extra indirection.
    #[allow(clippy::box_collection)]
    Raw(Box<Vec<u8>>),
    List(crate::t_list::List),
    // Small lists, hashes, sets and sorted sets keep their listpack right
    // here (see `t_hash::Hash`): no `Arc` block, which would cost a 32- or
    // 48-byte allocation per key.
    Hash(crate::t_hash::Hash),
    Set(crate::t_set::Set),
    ZSet(crate::t_zset::ZSet),
    Stream(Arc<crate::t_stream::Stream>),
}

/// The type name as TYPE reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Type {
    String,
    List,
    Hash,
    Set,
    ZSet,
    Stream,
}

impl Type {
    pub const ALL: [Type; 6] = [
        Type::String,
        Type::List,
        Type::Hash,
        Type::Set,
        Type::ZSet,
        Type::Stream,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::List => "list",
            Type::Hash => "hash",
            Type::Set => "set",
            Type::ZSet => "zset",
            Type::Stream => "stream",
        }
    }

    pub fn from_name(name: &[u8]) -> Option<Type> {
        Type::ALL
            .into_iter()
            .find(|t| name.eq_ignore_ascii_case(t.name().as_bytes()))
    }
}

impl Value {
    /// A string value with Redis's `createStringObject` + `tryObjectEncoding`
    /// choice: integers that print back identically become `int`.
    pub fn string(b: &[u8]) -> Value {
        if b.len() <= 20 {
            if let Some(n) = util::string2ll(b) {
                return Value::Int(n);
            }
        }
        Value::string_no_int(b)
    }

    /// A string value that is never int-encoded (Redis keeps some values,
    /// e.g. those stored by APPEND, as strings).
    pub fn string_no_int(b: &[u8]) -> Value {
        if b.len() <= INLINE_CAP {
            let mut buf = [0u8; INLINE_CAP];
            buf[..b.len()].copy_from_slice(b);
            Value::Inline {
                len: b.len() as u8,
                buf,
            }
        } else {
            Value::Heap(b.into())
        }
    }

    /// Takes an owned buffer (a loaded value), without copying when long.
    pub fn string_from_vec(v: Vec<u8>) -> Value {
        if v.len() <= 20 {
            if let Some(n) = util::string2ll(&v) {
                return Value::Int(n);
            }
        }
        if v.len() <= INLINE_CAP {
            Value::string_no_int(&v)
        } else {
            Value::Heap(v.into_boxed_slice())
        }
    }

    pub fn type_of(&self) -> Type {
        match self {
            Value::Int(_) | Value::Inline { .. } | Value::Heap(_) | Value::Raw(_) => Type::String,
            Value::List(_) => Type::List,
            Value::Hash(_) => Type::Hash,
            Value::Set(_) => Type::Set,
            Value::ZSet(_) => Type::ZSet,
            Value::Stream(_) => Type::Stream,
        }
    }

    pub fn is_string(&self) -> bool {
        self.type_of() == Type::String
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Inline { .. } => "embstr",
            Value::Heap(b) if b.len() <= EMBSTR_LIMIT => "embstr",
            Value::Heap(_) | Value::Raw(_) => "raw",
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(_) => "stream",
        }
    }

    /// The bytes of a string value. For `Int`, formats into `tmp`.
    pub fn str_bytes<'a>(&'a self, tmp: &'a mut Vec<u8>) -> Option<&'a [u8]> {
        match self {
            Value::Int(n) => {
                tmp.clear();
                util::push_i64(tmp, *n);
                Some(&tmp[..])
            }
            Value::Inline { len, buf } => Some(&buf[..*len as usize]),
            Value::Heap(b) => Some(b),
            Value::Raw(v) => Some(v),
            _ => None,
        }
    }

    /// Length of a string value (STRLEN), without formatting integers.
    pub fn str_len(&self) -> Option<usize> {
        match self {
            Value::Int(n) => Some(util::sdigits10(*n)),
            Value::Inline { len, .. } => Some(*len as usize),
            Value::Heap(b) => Some(b.len()),
            Value::Raw(v) => Some(v.len()),
            _ => None,
        }
    }

    /// Converts a string to the mutable `raw` form and returns its buffer,
    /// as Redis's `dbUnshareStringValue` does before APPEND/SETRANGE.
    pub fn make_raw(&mut self) -> Option<&mut Vec<u8>> {
        if !matches!(self, Value::Raw(_)) {
            let mut tmp = Vec::new();
            let bytes = self.str_bytes(&mut tmp)?.to_vec();
            *self = Value::Raw(Box::new(bytes));
        }
        match self {
            Value::Raw(v) => Some(v),
            _ => None,
        }
    }

    /// The reference count OBJECT REFCOUNT and DEBUG OBJECT report: Redis
    /// shares the integers 0..9999 (refcount INT_MAX) unless an LRU/LFU
    /// maxmemory policy needs per-key access data.
    pub fn refcount(&self, policy: crate::evict::Policy) -> i64 {
        match self {
            Value::Int(n) if !policy.tracks_lru_or_lfu() && (0..10000).contains(n) => i32::MAX as i64,
            _ => 1,
        }
    }

    /// Bytes allocated for this value beyond the 24 bytes of `Value` itself,
    /// as MEMORY USAGE estimates them: the elements of a hash table encoded
    /// hash or set are sized from the first `samples` of them (Redis's
    /// objectComputeSize; `usize::MAX` for all), so a key of millions of
    /// elements costs O(samples), not a walk that would stall the loop.
    pub fn heap_size_sampled(&self, samples: usize) -> usize {
        match self {
            Value::Int(_) | Value::Inline { .. } => 0,
            Value::Heap(b) => b.len(),
            Value::Raw(v) => std::mem::size_of::<Vec<u8>>() + v.capacity(),
            Value::List(l) => l.heap_size(),
            Value::Hash(h) => h.heap_size_sampled(samples),
            Value::Set(s) => s.heap_size_sampled(samples),
            Value::ZSet(z) => z.heap_size(),
            Value::Stream(s) => s.heap_size(),
        }
    }

    /// Rough cost of freeing the value, in allocations: big values are
    /// freed on the pool (Redis's `lazyfreeGetFreeEffort`).
    pub fn free_effort(&self) -> usize {
        match self {
            Value::List(l) => l.free_effort(),
            Value::Hash(h) => h.free_effort(),
            Value::Set(s) => s.free_effort(),
            Value::ZSet(z) => z.free_effort(),
            Value::Stream(s) => s.free_effort(),
            _ => 1,
        }
    }
}

/// A keyspace entry's value plus its metadata.
#[derive(Clone)]
pub struct Obj {
    pub v: Value,
    /// LRU clock (seconds, 24 bits) or LFU data, as Redis's `robj.lru`.
    pub lru: u32,
    /// True when the key also has an entry in the db's expires dict, so the
    /// common path never consults it.
    pub has_expire: bool,
    /// The snapshot epoch this key was last captured in (or created
    /// during): a BGSAVE saves each key once, as it was when the save
    /// started (`snapshot.rs`). Fits in the padding: `Obj` stays 32 bytes.
    pub snap: u16,
}

impl Obj {
    pub fn new(v: Value, lru: u32) -> Obj {
        Obj {
            v,
            lru,
            has_expire: false,
            snap: 0,
        }
    }
}

/// The total of `len` element sizes estimated from the first `samples` of
/// `sizes` (their mean times `len`; exact when all are sampled), as Redis's
/// objectComputeSize extrapolates.
pub fn sampled_total(len: usize, sizes: impl Iterator<Item = usize>, samples: usize) -> usize {
    let (mut sum, mut n) = (0usize, 0usize);
    for s in sizes.take(samples) {
        sum = sum.saturating_add(s);
        n += 1;
    }
    if n == 0 || n >= len {
        return sum;
    }
    (sum as f64 / n as f64 * len as f64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_total_extrapolates_the_mean() {
        // Exact when every element is sampled (or more samples than elements).
        assert_eq!(sampled_total(3, [1, 2, 3].into_iter(), usize::MAX), 6);
        assert_eq!(sampled_total(3, [1, 2, 3].into_iter(), 3), 6);
        // Mean of the first two (1.5) times 10 elements.
        assert_eq!(sampled_total(10, [1, 2, 3].into_iter(), 2), 15);
        assert_eq!(sampled_total(0, std::iter::empty(), 5), 0);
        // A huge count does not overflow.
        assert_eq!(sampled_total(usize::MAX, [usize::MAX].into_iter(), 1), usize::MAX);
    }

    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(std::mem::size_of::<Obj>(), 32);
        // Fits beside `Value`'s tag only while 16 bytes.
        assert_eq!(std::mem::size_of::<crate::t_hash::Hash>(), 16);
        assert_eq!(std::mem::size_of::<crate::t_zset::ZSet>(), 16);
        assert_eq!(std::mem::size_of::<crate::t_set::Set>(), 16);
        assert_eq!(std::mem::size_of::<crate::t_list::List>(), 16);
    }

    #[test]
    fn encodings() {
        assert_eq!(Value::string(b"12345").encoding(), "int");
        assert_eq!(Value::string(b"012").encoding(), "embstr");
        assert_eq!(Value::string(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(Value::string(&[b'a'; 45]).encoding(), "raw");
        let mut v = Value::string(b"abc");
        v.make_raw().unwrap().extend_from_slice(b"d");
        assert_eq!(v.encoding(), "raw");
        let mut t = Vec::new();
        assert_eq!(v.str_bytes(&mut t).unwrap(), b"abcd");
    }
}
