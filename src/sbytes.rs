//! `SBytes`: the compact, binary-safe byte string used for keys, hash fields
//! and set members.
//!
//! Most keys are short, so a string of up to 22 bytes lives inline in the
//! 24-byte value itself (no allocation, one cache line with its neighbours);
//! longer ones go to a boxed slice sized exactly, with no spare capacity.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Longest string stored inline.
pub const INLINE_CAP: usize = 22;

#[derive(Clone)]
pub enum SBytes {
    Inline { len: u8, buf: [u8; INLINE_CAP] },
    Heap(Box<[u8]>),
}

impl SBytes {
    pub fn new(b: &[u8]) -> SBytes {
        if b.len() <= INLINE_CAP {
            let mut buf = [0u8; INLINE_CAP];
            buf[..b.len()].copy_from_slice(b);
            SBytes::Inline {
                len: b.len() as u8,
                buf,
            }
        } else {
            SBytes::Heap(b.into())
        }
    }

    /// Takes ownership of a vector, keeping its allocation when it is long.
    pub fn from_vec(v: Vec<u8>) -> SBytes {
        if v.len() <= INLINE_CAP {
            SBytes::new(&v)
        } else {
            SBytes::Heap(v.into_boxed_slice())
        }
    }

    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SBytes::Inline { len, buf } => &buf[..*len as usize],
            SBytes::Heap(b) => b,
        }
    }

    /// Heap bytes owned beyond the 24 bytes of the value itself.
    pub fn heap_size(&self) -> usize {
        match self {
            SBytes::Inline { .. } => 0,
            SBytes::Heap(b) => b.len(),
        }
    }
}

impl Default for SBytes {
    fn default() -> Self {
        SBytes::new(b"")
    }
}

impl Deref for SBytes {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for SBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for SBytes {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for SBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for SBytes {}

impl PartialOrd for SBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for SBytes {
    /// Hashes exactly as `[u8]` does, so lookups by `&[u8]` find the entry.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl From<&[u8]> for SBytes {
    fn from(b: &[u8]) -> Self {
        SBytes::new(b)
    }
}

impl From<Vec<u8>> for SBytes {
    fn from(v: Vec<u8>) -> Self {
        SBytes::from_vec(v)
    }
}

impl fmt::Debug for SBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_three_words() {
        assert_eq!(std::mem::size_of::<SBytes>(), 24);
    }

    #[test]
    fn inline_and_heap_round_trip() {
        for n in [0usize, 1, 21, 22, 23, 100] {
            let v: Vec<u8> = (0..n as u8).collect();
            let s = SBytes::new(&v);
            assert_eq!(s.as_bytes(), &v[..]);
            assert_eq!(matches!(s, SBytes::Inline { .. }), n <= INLINE_CAP);
            assert_eq!(SBytes::from_vec(v.clone()), s);
        }
    }
}
