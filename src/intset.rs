//! Redis intset (intset.c): a sorted set of integers in one exact-size
//! buffer, byte-compatible with the blob RDB files store for
//! RDB_TYPE_SET_INTSET.
//!
//! ```text
//! <encoding: u32 LE = 2, 4 or 8> <length: u32 LE> <values, ascending, LE>
//! ```
//!
//! Every value takes the width of the encoding. Adding a value that needs a
//! wider one rewrites the whole set at that width; removing never narrows it.

// A foundation module: not every helper is used by every build.
#![allow(dead_code)]

use std::fmt;
use std::iter::FusedIterator;

/// Header size: encoding (4) + length (4).
pub const HDR_SIZE: usize = 8;

/// Smallest width (2, 4 or 8 bytes) that holds `v`, as `_intsetValueEncoding`.
pub fn value_width(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

/// Reads the value of width `w` at `off` (0 if out of range, which the
/// invariants rule out).
fn read(buf: &[u8], off: usize, w: usize) -> i64 {
    match (w, buf.get(off..off.saturating_add(w))) {
        (2, Some(b)) => i64::from(i16::from_le_bytes([b[0], b[1]])),
        (4, Some(b)) => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        (8, Some(b)) => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        _ => 0,
    }
}

/// Writes `v` at `off` with width `w` (`v` must fit).
fn write(buf: &mut [u8], off: usize, w: usize, v: i64) {
    let bytes = v.to_le_bytes();
    if let Some(dst) = buf.get_mut(off..off + w) {
        dst.copy_from_slice(&bytes[..w]);
    }
}

/// A Redis intset. The buffer is a boxed slice, always of the exact size
/// (16 bytes for the handle, so a set value stays small).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Intset {
    buf: Box<[u8]>,
}

impl Default for Intset {
    fn default() -> Self {
        Intset::new()
    }
}

impl Intset {
    /// An empty set with the 16-bit encoding (8 bytes).
    pub fn new() -> Intset {
        Intset {
            buf: Box::new([2, 0, 0, 0, 0, 0, 0, 0]),
        }
    }

    /// Adopts a blob after validation (Redis `intsetValidateIntegrity` with
    /// deep checks): a known encoding, a length that matches the size, and
    /// strictly increasing values. Unlike Redis, an empty set is accepted;
    /// the RDB loader must reject empty keys itself.
    pub fn from_bytes(buf: Vec<u8>) -> Option<Intset> {
        if !Intset::validate(&buf) {
            return None;
        }
        Some(Intset {
            buf: buf.into_boxed_slice(),
        })
    }

    /// The checks of [`Self::from_bytes`] without taking the blob.
    pub fn validate(buf: &[u8]) -> bool {
        if buf.len() < HDR_SIZE {
            return false;
        }
        let w = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
        if !matches!(w, 2 | 4 | 8) {
            return false;
        }
        let n = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
        if n.checked_mul(w).and_then(|b| b.checked_add(HDR_SIZE)) != Some(buf.len()) {
            return false;
        }
        let mut prev = None;
        for i in 0..n {
            let v = read(buf, HDR_SIZE + i * w, w);
            if prev.is_some_and(|p| v <= p) {
                return false;
            }
            prev = Some(v);
        }
        true
    }

    /// Gives the buffer back.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf.into_vec()
    }

    /// The buffer, to be kept elsewhere (a small set's shared buffer, see
    /// `t_set::Set`) and given back to [`Self::from_box_trusted`].
    pub fn into_box(self) -> Box<[u8]> {
        self.buf
    }

    /// Takes back a buffer that [`Self::into_box`] gave out.
    pub fn from_box_trusted(buf: Box<[u8]>) -> Intset {
        Intset { buf }
    }

    /// The read side, borrowed.
    pub fn view(&self) -> IntsetRef<'_> {
        IntsetRef { buf: &self.buf }
    }

    /// The raw bytes, exactly as Redis would store them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Total size in bytes (Redis `intsetBlobLen`).
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.view().len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.view().is_empty()
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: i64) -> bool {
        self.view().contains(v)
    }

    /// The element at `index` in ascending order.
    pub fn get(&self, index: usize) -> Option<i64> {
        self.view().get(index)
    }

    /// Elements in ascending order (double-ended, exact size).
    pub fn iter(&self) -> Iter<'_> {
        self.view().iter()
    }

    fn set_len(&mut self, n: usize) {
        // add() refuses to pass u32::MAX elements.
        self.buf[4..8].copy_from_slice(&(n as u32).to_le_bytes());
    }

    /// Adds `v`; `false` if it was already there (or the set is full at
    /// `u32::MAX` elements).
    pub fn add(&mut self, v: i64) -> bool {
        let n = self.len();
        if n >= u32::MAX as usize {
            return false;
        }
        let w = self.view().encoding_width();
        let vw = value_width(v);
        if vw > w {
            self.upgrade_and_add(v, vw);
            return true;
        }
        let Err(i) = self.view().search(v) else {
            return false;
        };
        let off = HDR_SIZE + i * w;
        let old = self.buf.len();
        // Grown in place when the allocator can (a realloc), and exact.
        let mut buf = std::mem::take(&mut self.buf).into_vec();
        buf.reserve_exact(w);
        buf.resize(old + w, 0);
        buf.copy_within(off..old, off + w);
        write(&mut buf, off, w, v);
        self.buf = buf.into_boxed_slice();
        self.set_len(n + 1);
        true
    }

    /// Rewrites the set at width `nw` with `v`, which lies outside the old
    /// range: first if negative, last otherwise.
    fn upgrade_and_add(&mut self, v: i64, nw: usize) {
        let n = self.len();
        let mut buf = Vec::with_capacity(HDR_SIZE + (n + 1) * nw);
        buf.extend_from_slice(&(nw as u32).to_le_bytes());
        buf.extend_from_slice(&((n + 1) as u32).to_le_bytes());
        let push = |buf: &mut Vec<u8>, x: i64| buf.extend_from_slice(&x.to_le_bytes()[..nw]);
        if v < 0 {
            push(&mut buf, v);
        }
        for x in self.iter() {
            push(&mut buf, x);
        }
        if v >= 0 {
            push(&mut buf, v);
        }
        self.buf = buf.into_boxed_slice();
    }

    /// Removes `v`; `false` if it was not there.
    pub fn remove(&mut self, v: i64) -> bool {
        let Ok(i) = self.view().search(v) else {
            return false;
        };
        let w = self.view().encoding_width();
        let off = HDR_SIZE + i * w;
        let old = self.buf.len();
        self.buf.copy_within(off + w..old, off);
        let mut buf = std::mem::take(&mut self.buf).into_vec();
        buf.truncate(old - w);
        self.buf = buf.into_boxed_slice();
        let n = self.len();
        self.set_len(n - 1);
        true
    }
}

/// The read side of an intset, over bytes known to hold one (an
/// [`Intset`]'s, or a small set's shared buffer).
#[derive(Clone, Copy)]
pub struct IntsetRef<'a> {
    buf: &'a [u8],
}

impl<'a> IntsetRef<'a> {
    /// A view of `buf`, which the caller knows to be a valid intset.
    pub fn new_trusted(buf: &'a [u8]) -> IntsetRef<'a> {
        IntsetRef { buf }
    }

    /// The raw bytes, exactly as Redis would store them.
    pub fn as_bytes(self) -> &'a [u8] {
        self.buf
    }

    /// Total size in bytes (Redis `intsetBlobLen`).
    pub fn bytes(self) -> usize {
        self.buf.len()
    }

    /// An owned copy.
    pub fn to_intset(self) -> Intset {
        Intset { buf: self.buf.into() }
    }

    /// Bytes per element: 2, 4 or 8.
    pub fn encoding_width(self) -> usize {
        match self.buf.first() {
            Some(4) => 4,
            Some(8) => 8,
            _ => 2,
        }
    }

    /// Number of elements.
    pub fn len(self) -> usize {
        match self.buf.get(4..8) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
            None => 0,
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    fn at(self, i: usize) -> i64 {
        let w = self.encoding_width();
        read(self.buf, HDR_SIZE + i * w, w)
    }

    /// Binary search: `Ok(index)` if present, else `Err(insertion index)`.
    pub fn search(self, v: i64) -> Result<usize, usize> {
        let n = self.len();
        if value_width(v) > self.encoding_width() {
            // Outside the range of every stored value.
            return Err(if v < 0 { 0 } else { n });
        }
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.at(mid).cmp(&v) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Whether `v` is in the set.
    pub fn contains(self, v: i64) -> bool {
        self.search(v).is_ok()
    }

    /// The element at `index` in ascending order.
    pub fn get(self, index: usize) -> Option<i64> {
        (index < self.len()).then(|| self.at(index))
    }

    /// The smallest element.
    pub fn min(self) -> Option<i64> {
        self.get(0)
    }

    /// The largest element.
    pub fn max(self) -> Option<i64> {
        self.len().checked_sub(1).map(|i| self.at(i))
    }

    /// Elements in ascending order (double-ended, exact size).
    pub fn iter(self) -> Iter<'a> {
        Iter {
            set: self,
            front: 0,
            back: self.len(),
        }
    }
}

impl fmt::Debug for IntsetRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Elems<'a>(IntsetRef<'a>);
        impl fmt::Debug for Elems<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut s = f.debug_set();
                s.entries(self.0.iter().take(32));
                if self.0.len() > 32 {
                    s.finish_non_exhaustive()
                } else {
                    s.finish()
                }
            }
        }
        f.debug_struct("Intset")
            .field("width", &self.encoding_width())
            .field("elements", &Elems(*self))
            .finish()
    }
}

impl fmt::Debug for Intset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

impl<'a> IntoIterator for &'a Intset {
    type Item = i64;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Ascending iterator over an [`Intset`].
#[derive(Clone)]
pub struct Iter<'a> {
    set: IntsetRef<'a>,
    front: usize,
    back: usize,
}

impl Iterator for Iter<'_> {
    type Item = i64;
    fn next(&mut self) -> Option<i64> {
        (self.front < self.back).then(|| {
            self.front += 1;
            self.set.at(self.front - 1)
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<i64> {
        (self.front < self.back).then(|| {
            self.back -= 1;
            self.set.at(self.back)
        })
    }
}

impl ExactSizeIterator for Iter<'_> {}
impl FusedIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn value(&mut self) -> i64 {
            match self.below(4) {
                0 => self.below(200) as i64 - 100,
                1 => i64::from(self.next() as i16),
                2 => i64::from(self.next() as i32),
                _ => self.next() as i64 >> self.below(64),
            }
        }
    }

    enum Op {
        Add(i64),
        Rem(i64),
    }
    use Op::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // Generated by gen3.py from redis-server 7.0.15 DUMP (SADD/SREM, RDB_TYPE_SET_INTSET = 11).
    const INTSET_VECTORS: &[(&[Op], &str)] = &[
        (&[Add(1), Add(2), Add(3)], "0200000003000000010002000300"),
        (&[Add(3), Add(1), Add(2)], "0200000003000000010002000300"),
        (&[Add(-32768), Add(32767)], "02000000020000000080ff7f"),
        (&[Add(32768)], "040000000100000000800000"),
        (&[Add(-32769)], "0400000001000000ff7fffff"),
        (&[Add(2147483647), Add(-2147483648)], "040000000200000000000080ffffff7f"),
        (&[Add(2147483648)], "08000000010000000000008000000000"),
        (&[Add(-2147483649)], "0800000001000000ffffff7fffffffff"),
        (
            &[Add(i64::MIN), Add(9223372036854775807), Add(0)],
            "080000000300000000000000000000800000000000000000ffffffffffffff7f",
        ),
        (
            &[Add(5), Add(3), Add(1), Add(-70000)],
            "040000000400000090eefeff010000000300000005000000",
        ),
        (
            &[Add(5), Add(3), Add(1), Add(-70000), Add(1099511627776)],
            "080000000500000090eefeffffffffff0100000000000000030000000000000005000000000000000000000000010000",
        ),
        (
            &[Add(1), Add(2), Add(-1099511627776)],
            "08000000030000000000000000ffffff01000000000000000200000000000000",
        ),
        (&[Add(1), Add(70000), Rem(70000)], "040000000100000001000000"),
        (
            &[Add(1), Add(1099511627776), Rem(1099511627776), Rem(1), Add(7)],
            "02000000010000000700",
        ),
        (&[Add(0)], "02000000010000000000"),
        (&[Add(-1)], "0200000001000000ffff"),
        (
            &[Add(100), Add(-100), Add(0), Add(50), Add(-50)],
            "02000000050000009cffceff000032006400",
        ),
    ];

    fn check(s: &Intset, model: &BTreeSet<i64>) {
        assert!(Intset::validate(s.as_bytes()));
        assert_eq!(s.len(), model.len());
        assert_eq!(s.is_empty(), model.is_empty());
        assert_eq!(s.bytes(), HDR_SIZE + s.len() * s.view().encoding_width());
        assert_eq!(s.as_bytes().len(), s.bytes());
        assert_eq!(s.buf.len(), s.bytes(), "buffer not exact-size");
        assert!(s.iter().eq(model.iter().copied()));
        assert!(s.iter().rev().eq(model.iter().rev().copied()));
        assert_eq!(s.iter().len(), model.len());
        assert_eq!(s.view().min(), model.first().copied());
        assert_eq!(s.view().max(), model.last().copied());
        for (i, &v) in model.iter().enumerate() {
            assert_eq!(s.get(i), Some(v));
            assert_eq!(s.view().search(v), Ok(i));
            assert!(s.contains(v));
        }
        assert_eq!(s.get(model.len()), None);
        let need = model.iter().map(|&v| value_width(v)).max().unwrap_or(2);
        assert!(s.view().encoding_width() >= need);
    }

    #[test]
    fn redis_vectors() {
        for (ops, expected) in INTSET_VECTORS {
            let mut s = Intset::new();
            let mut model = BTreeSet::new();
            for op in ops.iter() {
                match *op {
                    Add(v) => assert_eq!(s.add(v), model.insert(v)),
                    Rem(v) => {
                        assert_eq!(s.remove(v), model.remove(&v));
                        // Redis deletes a key whose set became empty; the
                        // next SADD starts a new intset.
                        if s.is_empty() {
                            s = Intset::new();
                        }
                    }
                }
            }
            assert_eq!(s.as_bytes(), &hex(expected)[..], "{s:?}");
            check(&s, &model);
            assert_eq!(Intset::from_bytes(hex(expected)).unwrap(), s);
        }
    }

    #[test]
    fn random_ops_match_model() {
        for seed in 1..=20u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut s = Intset::new();
            let mut model = BTreeSet::new();
            for step in 0..1500 {
                let v = if !model.is_empty() && rng.below(3) == 0 {
                    *model.iter().nth(rng.below(model.len())).unwrap()
                } else {
                    rng.value()
                };
                let width = s.view().encoding_width();
                if rng.below(5) < 3 {
                    assert_eq!(s.add(v), model.insert(v));
                } else {
                    assert_eq!(s.remove(v), model.remove(&v));
                    assert_eq!(s.view().encoding_width(), width, "never downgrades");
                }
                let probe = rng.value();
                assert_eq!(s.contains(probe), model.contains(&probe));
                assert_eq!(s.len(), model.len());
                if step % 16 == 0 {
                    check(&s, &model);
                }
            }
            check(&s, &model);
            let again = Intset::from_bytes(s.as_bytes().to_vec()).unwrap();
            assert_eq!(again, s);
        }
    }

    #[test]
    fn widths_and_upgrades() {
        assert_eq!(value_width(i64::from(i16::MIN)), 2);
        assert_eq!(value_width(i64::from(i16::MAX) + 1), 4);
        assert_eq!(value_width(i64::from(i32::MIN)), 4);
        assert_eq!(value_width(i64::from(i32::MIN) - 1), 8);
        let mut s = Intset::new();
        assert_eq!(s.as_bytes(), &[2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!((s.view().min(), s.view().max(), s.get(0)), (None, None, None));
        assert!(!s.remove(5));
        assert!(!s.contains(1 << 40));
        assert!(s.add(1 << 40));
        assert_eq!(s.view().encoding_width(), 8);
        assert!(!s.add(1 << 40));
        assert!(s.remove(1 << 40));
        assert_eq!(s.view().encoding_width(), 8);
        assert_eq!(s.as_bytes(), &[8, 0, 0, 0, 0, 0, 0, 0]);
        assert!(s.add(3));
        assert_eq!(s.view().search(2), Err(0));
        assert_eq!(s.view().search(4), Err(1));
        assert_eq!(format!("{s:?}"), "Intset { width: 8, elements: {3} }");
        assert_eq!((&s).into_iter().collect::<Vec<_>>(), [3]);
        for i in 10..50 {
            s.add(i);
        }
        let d = format!("{s:?}");
        assert!(d.ends_with(", 40, ..} }"), "{d}");
    }

    #[test]
    fn rejects_malformed() {
        let ok = |b: &[u8]| Intset::from_bytes(b.to_vec()).is_some();
        assert!(
            ok(&[2, 0, 0, 0, 0, 0, 0, 0]),
            "empty is accepted (Redis's RDB check rejects it)"
        );
        assert!(ok(&hex("0200000003000000010002000300")));
        assert!(!ok(&[]));
        assert!(!ok(&[2, 0, 0, 0, 0, 0, 0]));
        assert!(!ok(&hex("0300000001000000010002")), "encoding 3");
        assert!(!ok(&hex("0000000000000000")), "encoding 0");
        assert!(!ok(&hex("0200000100000000")), "encoding 2^24+2");
        assert!(!ok(&hex("02000000030000000100020003")), "short");
        assert!(!ok(&hex("020000000300000001000200030000")), "long");
        assert!(!ok(&hex("0200000003000000010003000200")), "unsorted");
        assert!(!ok(&hex("0200000003000000010002000200")), "duplicate");
        assert!(!ok(&hex("02000000ffffffff")), "huge count");
        assert!(!ok(&hex("08000000ffffffff0000000000000000")), "huge count");
    }

    #[test]
    fn fuzz_mutated_blobs() {
        let mut rng = Rng(7);
        let seeds: Vec<Vec<u8>> = INTSET_VECTORS.iter().map(|(_, h)| hex(h)).collect();
        let mut accepted = 0;
        for _ in 0..100_000 {
            let mut b = seeds[rng.below(seeds.len())].clone();
            let len = b.len();
            match rng.below(4) {
                0 => {
                    let i = rng.below(len);
                    b[i] ^= 1 << rng.below(8);
                }
                1 => b.truncate(rng.below(len + 1)),
                2 => {
                    let i = rng.below(len + 1);
                    b.insert(i, rng.next() as u8);
                }
                _ => {
                    let i = rng.below(len);
                    b[i] = rng.next() as u8;
                }
            }
            if let Some(mut s) = Intset::from_bytes(b) {
                accepted += 1;
                let model: BTreeSet<i64> = s.iter().collect();
                check(&s, &model);
                let v = rng.value();
                s.add(v);
                s.remove(rng.value());
                assert!(Intset::validate(s.as_bytes()));
            }
        }
        assert!(accepted > 1000, "{accepted}");
    }
}
