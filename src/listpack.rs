//! Redis 7 listpack (listpack.c): a sequence of strings and integers packed
//! in one exact-size buffer. The bytes are exactly Redis's, so a listpack is
//! what RDB files store raw for RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK,
//! RDB_TYPE_LIST_QUICKLIST_2 nodes and stream nodes.
//!
//! ```text
//! <total bytes: u32 LE> <count: u16 LE> <entry>* <0xFF>
//! entry = <encoding> [<data>] <backlen>
//! ```
//!
//! | first byte  | encoding                                   | bytes before backlen |
//! |-------------|--------------------------------------------|----------------------|
//! | `0xxxxxxx`  | uint 0..=127 in the byte                   | 1                    |
//! | `10llllll`  | string, length < 64                        | 1 + len              |
//! | `110vvvvv`  | 13-bit signed int (+ 1 byte)               | 2                    |
//! | `1110llll`  | string, 12-bit length (+ 1 byte)           | 2 + len              |
//! | `0xF0`      | string, 32-bit LE length                   | 5 + len              |
//! | `0xF1..F4`  | i16 / i24 / i32 / i64 LE                   | 3 / 4 / 5 / 9        |
//!
//! `backlen` is the length of encoding + data in 1 to 5 bytes, big-endian
//! groups of 7 bits where every byte but the first has bit 7 set, so it can
//! be read from its last byte backwards. Its size follows Redis's
//! `lpEncodeBacklen` thresholds exactly (a length of 16383 takes 3 bytes).
//!
//! A string that is a canonical `i64` (Redis `string2ll` rules: no sign `+`,
//! no leading zeros, no spaces, no `-0`) is stored as the smallest integer
//! encoding, as `lpStringToInt64` does. The count saturates at 65535
//! ("unknown"): once there, inserts and deletes leave it alone and only
//! [`Listpack::recount`] (Redis `lpLength`) writes a real count back.
//!
//! Positions are byte offsets of entries in the buffer, valid until the next
//! edit. Every read is bounds-checked: a position that is not an entry start
//! gives garbage (or `None`), never a panic.

// A foundation module: not every helper is used by every build.
#![allow(dead_code)]

use crate::util::{fmt_i64, string2ll};
use std::cmp::Ordering;
use std::fmt;
use std::iter::FusedIterator;

/// Header size: total bytes (4) + element count (2).
pub const HDR_SIZE: usize = 6;
/// The terminator byte (and the one invalid first byte of an entry).
pub const EOF: u8 = 0xFF;
/// Header count meaning "too many to count here, walk the entries".
pub const NUMELE_UNKNOWN: u16 = u16::MAX;
/// Redis `LISTPACK_MAX_SAFETY_SIZE`: higher layers convert to a bigger
/// encoding before a listpack grows past 1 GB.
pub const MAX_SAFETY_SIZE: usize = 1 << 30;

const EMPTY: [u8; HDR_SIZE + 1] = [7, 0, 0, 0, 0, 0, EOF];

const ENC_STR32: u8 = 0xF0;
const ENC_INT16: u8 = 0xF1;
const ENC_INT24: u8 = 0xF2;
const ENC_INT32: u8 = 0xF3;
const ENC_INT64: u8 = 0xF4;

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// One element as stored: an integer or a byte string borrowed from the
/// listpack (or, as an argument, from the caller).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum LpValue<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl<'a> LpValue<'a> {
    /// How Redis stores `s`: `Int` when it is a canonical `i64`, else `Str`.
    pub fn from_bytes(s: &'a [u8]) -> LpValue<'a> {
        match string2ll(s) {
            Some(v) => LpValue::Int(v),
            None => LpValue::Str(s),
        }
    }

    /// The string form (integers in decimal).
    pub fn to_vec(self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v);
        v
    }

    /// Appends the string form to `out` (integers are formatted on the
    /// stack, no allocation besides `out` growing).
    pub fn write_to(self, out: &mut Vec<u8>) {
        self.with_bytes(|b| out.extend_from_slice(b));
    }

    /// Calls `f` with the string form, formatting integers on the stack.
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            LpValue::Str(s) => f(s),
            LpValue::Int(v) => {
                let mut buf = [0u8; 20];
                f(fmt_i64(&mut buf, v))
            }
        }
    }

    /// Whether the string form equals `s` (an `Int` equals its decimal form
    /// and nothing else).
    pub fn eq_bytes(self, s: &[u8]) -> bool {
        match self {
            LpValue::Str(x) => x == s,
            LpValue::Int(v) => string2ll(s) == Some(v),
        }
    }

    /// Byte-wise (memcmp) order of the string form against `s`, as Redis
    /// compares listpack elements for ZRANGEBYLEX and friends.
    pub fn cmp_bytes(self, s: &[u8]) -> Ordering {
        self.with_bytes(|b| b.cmp(s))
    }

    /// The integer value: `Int` as is, a `Str` only if it is a canonical
    /// integer (which Redis would not have stored as a string).
    pub fn as_i64(self) -> Option<i64> {
        match self {
            LpValue::Int(v) => Some(v),
            LpValue::Str(s) => string2ll(s),
        }
    }

    /// Length of the string form.
    pub fn str_len(self) -> usize {
        match self {
            LpValue::Str(s) => s.len(),
            LpValue::Int(v) => crate::util::sdigits10(v),
        }
    }

    /// The canonical storage form: a `Str` holding a canonical integer
    /// becomes `Int`.
    fn canonical(self) -> LpValue<'a> {
        match self {
            LpValue::Str(s) => LpValue::from_bytes(s),
            v => v,
        }
    }
}

impl fmt::Debug for LpValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LpValue::Int(v) => write!(f, "Int({v})"),
            LpValue::Str(s) => write!(f, "Str(\"{}\")", s.escape_ascii()),
        }
    }
}

// ---------------------------------------------------------------------------
// Entry encoding and decoding (all reads bounds-checked)
// ---------------------------------------------------------------------------

/// What an entry's encoding bytes say.
#[derive(Clone, Copy)]
enum Head {
    Int(i64),
    /// A string of this many data bytes.
    Str(usize),
}

/// Parses the encoding at `pos`: what it holds and how many bytes the
/// encoding takes. `None` for the terminator, an unknown encoding byte or
/// encoding bytes past the end of `buf`.
fn parse_head(buf: &[u8], pos: usize) -> Option<(Head, usize)> {
    let b = buf.get(pos..)?;
    let b0 = *b.first()?;
    let le = |n: usize| -> Option<u64> {
        let bytes = b.get(1..=n)?;
        Some(bytes.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    };
    Some(match b0 {
        0x00..=0x7F => (Head::Int(i64::from(b0)), 1),
        0x80..=0xBF => (Head::Str(usize::from(b0 & 0x3F)), 1),
        0xC0..=0xDF => {
            let u = (i64::from(b0 & 0x1F) << 8) | i64::from(*b.get(1)?);
            let v = if u >= 1 << 12 { u - (1 << 13) } else { u };
            (Head::Int(v), 2)
        }
        0xE0..=0xEF => {
            let len = (usize::from(b0 & 0x0F) << 8) | usize::from(*b.get(1)?);
            (Head::Str(len), 2)
        }
        ENC_STR32 => (Head::Str(usize::try_from(le(4)?).ok()?), 5),
        ENC_INT16 => (Head::Int(i64::from(le(2)? as u16 as i16)), 3),
        ENC_INT24 => {
            // Sign-extend the 24-bit value through the top of an i32.
            let v = ((le(3)? as u32) << 8) as i32 >> 8;
            (Head::Int(i64::from(v)), 4)
        }
        ENC_INT32 => (Head::Int(i64::from(le(4)? as u32 as i32)), 5),
        ENC_INT64 => (Head::Int(le(8)? as i64), 9),
        _ => return None,
    })
}

/// Bytes of encoding + data of the entry at `pos` (what backlen stores).
fn encoded_len(buf: &[u8], pos: usize) -> Option<usize> {
    let (head, hl) = parse_head(buf, pos)?;
    match head {
        Head::Int(_) => Some(hl),
        Head::Str(n) => hl.checked_add(n),
    }
}

/// The value at `pos` and its encoding + data length.
fn value_at(buf: &[u8], pos: usize) -> Option<(LpValue<'_>, usize)> {
    let (head, hl) = parse_head(buf, pos)?;
    match head {
        Head::Int(v) => Some((LpValue::Int(v), hl)),
        Head::Str(n) => {
            let start = pos.checked_add(hl)?;
            let end = start.checked_add(n)?;
            Some((LpValue::Str(buf.get(start..end)?), hl + n))
        }
    }
}

/// Size of the backlen of an entry whose encoding + data take `l` bytes
/// (Redis's thresholds, including their `<` that makes 16383 take 3 bytes).
fn backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// Writes the backlen of `l` into `out`; returns its size.
fn encode_backlen(l: usize, out: &mut [u8; 5]) -> usize {
    let n = backlen_size(l);
    for (i, slot) in out.iter_mut().take(n).enumerate() {
        let group = ((l >> (7 * (n - 1 - i))) & 0x7F) as u8;
        *slot = if i == 0 { group } else { group | 0x80 };
    }
    n
}

/// Reads a backlen backwards from its last byte at `last`.
fn decode_backlen(buf: &[u8], last: usize) -> Option<usize> {
    let mut v = 0usize;
    let mut i = last;
    for shift in (0..35).step_by(7) {
        let b = *buf.get(i)?;
        v |= usize::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        i = i.checked_sub(1)?;
    }
    None
}

/// Full size of the entry at `pos` (encoding + data + backlen).
#[inline]
fn entry_size_at(buf: &[u8], pos: usize) -> Option<usize> {
    // Fast paths for the common one- and two-byte encodings.
    match *buf.get(pos)? {
        0x00..=0x7F => Some(2),
        b @ 0x80..=0xBF => Some(usize::from(b & 0x3F) + 2),
        0xC0..=0xDF => Some(3),
        _ => {
            let l = encoded_len(buf, pos)?;
            l.checked_add(backlen_size(l))
        }
    }
}

/// Equality of two same-length strings, checking the last byte before the
/// memcmp (keys often share a prefix).
#[inline]
fn str_eq(a: &[u8], b: &[u8]) -> bool {
    a.last() == b.last() && a == b
}

/// Encoding of an integer, smallest first, as `lpEncodeIntegerGetType`.
fn encode_int(v: i64, out: &mut [u8; 9]) -> usize {
    if (0..=127).contains(&v) {
        out[0] = v as u8;
        1
    } else if (-4096..=4095).contains(&v) {
        let u = (v & 0x1FFF) as u16;
        out[0] = 0xC0 | (u >> 8) as u8;
        out[1] = u as u8;
        2
    } else if i16::try_from(v).is_ok() {
        out[0] = ENC_INT16;
        out[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        3
    } else if (-(1 << 23)..(1 << 23)).contains(&v) {
        out[0] = ENC_INT24;
        out[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
        4
    } else if i32::try_from(v).is_ok() {
        out[0] = ENC_INT32;
        out[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        5
    } else {
        out[0] = ENC_INT64;
        out[1..9].copy_from_slice(&v.to_le_bytes());
        9
    }
}

/// Encoding bytes of a string of `len` bytes; `None` past `u32::MAX`.
fn encode_str_head(len: usize, out: &mut [u8; 9]) -> Option<usize> {
    if len < 64 {
        out[0] = 0x80 | len as u8;
        Some(1)
    } else if len < 4096 {
        out[0] = 0xE0 | (len >> 8) as u8;
        out[1] = len as u8;
        Some(2)
    } else {
        out[0] = ENC_STR32;
        out[1..5].copy_from_slice(&u32::try_from(len).ok()?.to_le_bytes());
        Some(5)
    }
}

/// Size a value takes as an entry (`None` for a string past `u32::MAX`).
fn value_entry_size(v: LpValue<'_>) -> usize {
    let mut hdr = [0u8; 9];
    let l = match v.canonical() {
        LpValue::Int(i) => encode_int(i, &mut hdr),
        LpValue::Str(s) => encode_str_head(s.len(), &mut hdr).unwrap_or(5) + s.len(),
    };
    l + backlen_size(l)
}

/// Deep structural check, as Redis `lpValidateIntegrity(deep=1)`: header
/// total matches the size, every entry has a known encoding, lies inside the
/// buffer and its backlen (of the size Redis would write) reads back as its
/// length, the terminator is the last byte, and a known count matches the
/// entries.
fn validate(buf: &[u8]) -> bool {
    if buf.len() < HDR_SIZE + 1 {
        return false;
    }
    let total = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if total != buf.len() {
        return false;
    }
    let eof = buf.len() - 1;
    if buf[eof] != EOF {
        return false;
    }
    let numele = u16::from_le_bytes([buf[4], buf[5]]);
    let mut pos = HDR_SIZE;
    let mut count = 0usize;
    while pos < eof {
        let Some(l) = encoded_len(buf, pos) else {
            return false;
        };
        let Some(end) = pos.checked_add(l).and_then(|x| x.checked_add(backlen_size(l))) else {
            return false;
        };
        // Like Redis, compare the value read backwards from the entry's
        // last byte (what prev() will read), not the bytes: a backlen whose
        // continuation runs into the data but decodes right is accepted.
        if end > eof || decode_backlen(buf, end - 1) != Some(l) {
            return false;
        }
        count += 1;
        pos = end;
    }
    numele == NUMELE_UNKNOWN || usize::from(numele) == count
}

// ---------------------------------------------------------------------------
// Listpack
// ---------------------------------------------------------------------------

/// A Redis listpack in an exact-size buffer (Redis reallocates on every
/// change). A boxed slice rather than a `Vec`: no capacity word, so a
/// `Listpack` is 16 bytes and fits in a `Value` beside its tag.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Listpack {
    buf: Box<[u8]>,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

impl Listpack {
    /// An empty listpack (7 bytes).
    pub fn new() -> Listpack {
        Listpack { buf: EMPTY.into() }
    }

    /// Adopts a blob (e.g. from an RDB file) after deep validation; `None`
    /// if it is not a well-formed listpack.
    pub fn from_bytes(buf: Vec<u8>) -> Option<Listpack> {
        if !validate(&buf) {
            return None;
        }
        Some(Listpack {
            buf: buf.into_boxed_slice(),
        })
    }

    /// Deep validation of a blob without taking it (see [`Self::from_bytes`]).
    pub fn validate(buf: &[u8]) -> bool {
        validate(buf)
    }

    /// The raw bytes, exactly as Redis would store them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Gives the buffer back.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf.into_vec()
    }

    /// The buffer, to be handed back to [`Self::from_box_trusted`].
    pub fn into_box(self) -> Box<[u8]> {
        self.buf
    }

    /// Wraps a buffer without checking it: one [`Self::into_box`] gave
    /// out, or (in `t_set::Set` only, which tells them apart) an intset's.
    pub fn from_box_trusted(buf: Box<[u8]>) -> Listpack {
        Listpack { buf }
    }

    /// Total size in bytes (the header's total-bytes field).
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Bytes allocated for the buffer.
    pub fn alloc_size(&self) -> usize {
        self.buf.len()
    }

    /// The count stored in the header (65535 = unknown).
    pub fn header_count(&self) -> u16 {
        u16::from_le_bytes([self.buf[4], self.buf[5]])
    }

    /// Number of elements; walks the entries when the header says unknown.
    pub fn len(&self) -> usize {
        match self.header_count() {
            NUMELE_UNKNOWN => self.entries().count(),
            n => usize::from(n),
        }
    }

    /// Redis `lpLength`: the number of elements, and when the header says
    /// unknown but the real count fits, writes the count back to the header
    /// (which changes the serialized bytes, exactly as HLEN does in Redis).
    pub fn recount(&mut self) -> usize {
        let n = self.len();
        if self.header_count() == NUMELE_UNKNOWN && n < usize::from(NUMELE_UNKNOWN) {
            self.set_count(n as u16);
        }
        n
    }

    /// Whether there are no elements (O(1) even with an unknown count).
    pub fn is_empty(&self) -> bool {
        self.buf.get(HDR_SIZE) == Some(&EOF)
    }

    /// Position of the terminator.
    fn eof(&self) -> usize {
        self.buf.len() - 1
    }

    fn set_count(&mut self, n: u16) {
        self.buf[4..6].copy_from_slice(&n.to_le_bytes());
    }

    fn set_total(&mut self) {
        // Edits refuse to grow past u32::MAX, so this never truncates.
        let t = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&t.to_le_bytes());
    }

    fn count_added(&mut self, k: usize) {
        let n = self.header_count();
        if n != NUMELE_UNKNOWN {
            let v = usize::from(n).saturating_add(k);
            self.set_count(v.min(usize::from(NUMELE_UNKNOWN)) as u16);
        }
    }

    fn count_removed(&mut self, k: usize) {
        let n = self.header_count();
        if n != NUMELE_UNKNOWN {
            self.set_count(usize::from(n).saturating_sub(k) as u16);
        }
    }

    /// Size of the entry at `pos` if it lies entirely before the terminator.
    fn checked_entry(&self, pos: usize) -> Option<usize> {
        if pos < HDR_SIZE {
            return None;
        }
        let size = entry_size_at(&self.buf, pos)?;
        (pos.checked_add(size)? <= self.eof()).then_some(size)
    }

    // --- navigation -------------------------------------------------------

    /// Position of the first element.
    pub fn first(&self) -> Option<usize> {
        (!self.is_empty()).then_some(HDR_SIZE)
    }

    /// Position of the last element.
    pub fn last(&self) -> Option<usize> {
        self.prev(self.eof())
    }

    /// Position of the element after the one at `pos`.
    pub fn next(&self, pos: usize) -> Option<usize> {
        let n = pos.checked_add(entry_size_at(&self.buf, pos)?)?;
        (n < self.eof()).then_some(n)
    }

    /// Position of the element before the one at `pos` (`pos` may also be
    /// the terminator's position).
    pub fn prev(&self, pos: usize) -> Option<usize> {
        if pos <= HDR_SIZE || pos > self.eof() {
            return None;
        }
        let l = decode_backlen(&self.buf, pos - 1)?;
        let start = pos.checked_sub(l.checked_add(backlen_size(l))?)?;
        (start >= HDR_SIZE).then_some(start)
    }

    /// Position of element `index` (negative counts from the end, -1 being
    /// the last), walking from the closer end when the count is known.
    pub fn seek(&self, index: i64) -> Option<usize> {
        let hc = self.header_count();
        let (mut index, forward) = if hc == NUMELE_UNKNOWN {
            (index, index >= 0)
        } else {
            let n = i64::from(hc);
            let i = if index < 0 { index.checked_add(n)? } else { index };
            if i < 0 || i >= n {
                return None;
            }
            if i > n / 2 {
                (i - n, false)
            } else {
                (i, true)
            }
        };
        if forward {
            let mut p = self.first()?;
            while index > 0 {
                p = self.next(p)?;
                index -= 1;
            }
            Some(p)
        } else {
            let mut p = self.last()?;
            while index < -1 {
                p = self.prev(p)?;
                index += 1;
            }
            Some(p)
        }
    }

    /// The element at `pos` (an empty string if `pos` is not an element).
    pub fn get(&self, pos: usize) -> LpValue<'_> {
        self.try_get(pos).unwrap_or(LpValue::Str(&[]))
    }

    /// The element at `pos`, `None` if there is none.
    pub fn try_get(&self, pos: usize) -> Option<LpValue<'_>> {
        if pos < HDR_SIZE {
            return None;
        }
        value_at(&self.buf, pos).map(|(v, _)| v)
    }

    /// Elements front to back (double-ended: `.rev()` goes back to front).
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries())
    }

    /// Elements back to front.
    pub fn iter_rev(&self) -> std::iter::Rev<Iter<'_>> {
        self.iter().rev()
    }

    /// Elements from the one at `pos` to the last.
    pub fn iter_from(&self, pos: usize) -> Iter<'_> {
        Iter(self.entries_from(pos))
    }

    /// Elements from the one at `pos` back to the first.
    pub fn iter_rev_from(&self, pos: usize) -> std::iter::Rev<Iter<'_>> {
        let back = self.checked_entry(pos).map_or(0, |size| pos + size);
        Iter(Entries {
            buf: &self.buf,
            front: HDR_SIZE,
            back,
        })
        .rev()
    }

    /// `(position, element)` pairs front to back (double-ended).
    pub fn entries(&self) -> Entries<'_> {
        self.entries_from(HDR_SIZE)
    }

    /// `(position, element)` pairs from the one at `pos` to the last.
    pub fn entries_from(&self, pos: usize) -> Entries<'_> {
        Entries {
            buf: &self.buf,
            front: pos.max(HDR_SIZE),
            back: self.eof(),
        }
    }

    // --- search -----------------------------------------------------------

    /// Redis `lpFind`: the first element equal to `value`, comparing the
    /// element at `start` and then every `skip + 1`-th one (skip 1 visits the
    /// fields of a field/value listpack). Integer elements are compared
    /// numerically against `value` parsed once.
    pub fn find(&self, start: usize, value: &[u8], skip: usize) -> Option<usize> {
        if start < HDR_SIZE {
            return None;
        }
        let vint = string2ll(value);
        let buf = &self.buf[..];
        let eof = self.eof();
        let mut pos = start;
        let mut skipcnt = 0usize;
        while pos < eof {
            if skipcnt > 0 {
                skipcnt -= 1;
                pos = pos.checked_add(entry_size_at(buf, pos)?)?;
                continue;
            }
            skipcnt = skip;
            // Fast paths: small uint and short string.
            let b0 = *buf.get(pos)?;
            if b0 < 0x80 {
                if vint == Some(i64::from(b0)) {
                    return Some(pos);
                }
                pos += 2;
                continue;
            }
            if b0 < 0xC0 {
                let n = usize::from(b0 & 0x3F);
                if n == value.len() && str_eq(buf.get(pos + 1..pos + 1 + n)?, value) {
                    return Some(pos);
                }
                pos += n + 2;
                continue;
            }
            let (head, hl) = parse_head(buf, pos)?;
            let l = match head {
                Head::Int(v) => {
                    if vint == Some(v) {
                        return Some(pos);
                    }
                    hl
                }
                Head::Str(n) => {
                    if n == value.len() {
                        let s = pos + hl;
                        if str_eq(buf.get(s..s + n)?, value) {
                            return Some(pos);
                        }
                    }
                    hl.checked_add(n)?
                }
            };
            pos = pos.checked_add(l)?.checked_add(backlen_size(l))?;
        }
        None
    }

    // --- sizes ------------------------------------------------------------

    /// Bytes `s` would take as an entry (encoding + data + backlen), to check
    /// `*-max-listpack-value`-style limits and sizes before inserting.
    pub fn entry_size_for(s: &[u8]) -> usize {
        value_entry_size(LpValue::Str(s))
    }

    /// Bytes the integer `v` would take as an entry.
    pub fn entry_size_int(v: i64) -> usize {
        value_entry_size(LpValue::Int(v))
    }

    /// Redis `lpSafeToAdd`: whether growing by `add` bytes keeps the
    /// listpack within the 1 GB safety limit.
    pub fn safe_to_add(&self, add: usize) -> bool {
        self.buf.len().saturating_add(add) <= MAX_SAFETY_SIZE
    }

    // --- edits ------------------------------------------------------------

    /// Writes `v` at `at`, replacing the `remove` bytes there. `None` (and no
    /// change) if the result would not fit the 32-bit total.
    fn splice(&mut self, at: usize, remove: usize, v: LpValue<'_>) -> Option<()> {
        let mut hdr = [0u8; 9];
        let (hl, data): (usize, &[u8]) = match v.canonical() {
            LpValue::Int(i) => (encode_int(i, &mut hdr), &[]),
            LpValue::Str(s) => (encode_str_head(s.len(), &mut hdr)?, s),
        };
        let l = hl + data.len();
        let mut bk = [0u8; 5];
        let bl = encode_backlen(l, &mut bk);
        let new_len = l + bl;
        let old_total = self.buf.len();
        let new_total = (old_total - remove).checked_add(new_len)?;
        if new_total > u32::MAX as usize {
            return None;
        }
        let tail = at + remove..old_total;
        if new_len > remove {
            self.resize_exact(new_total);
            self.buf.copy_within(tail, at + new_len);
        } else if new_len < remove {
            self.buf.copy_within(tail, at + new_len);
            self.resize_exact(new_total);
        }
        self.buf[at..at + hl].copy_from_slice(&hdr[..hl]);
        self.buf[at + hl..at + l].copy_from_slice(data);
        self.buf[at + l..at + new_len].copy_from_slice(&bk[..bl]);
        self.set_total();
        Some(())
    }

    /// Reallocates the buffer to exactly `len` bytes (zero-filled when it
    /// grows), as Redis's `lp_realloc`: the common path of a write.
    fn resize_exact(&mut self, len: usize) {
        let mut v = std::mem::take(&mut self.buf).into_vec();
        if len > v.len() {
            v.reserve_exact(len - v.len());
            v.resize(len, 0);
        } else {
            v.truncate(len);
        }
        // Capacity is exactly `len` here (or shrunk to it), so this is the
        // realloc itself, never an extra copy.
        self.buf = v.into_boxed_slice();
    }

    /// Removes `n` bytes at `at` and shrinks the allocation.
    fn remove_bytes(&mut self, at: usize, n: usize) {
        let len = self.buf.len();
        self.buf.copy_within(at + n..len, at);
        self.resize_exact(len - n);
        self.set_total();
    }

    /// Inserts `v` before the element at `pos` (or at the end when `pos` is
    /// the terminator's position); returns the new element's position.
    /// `None` (no change) if `pos` is out of range or the listpack would
    /// pass 4 GB.
    pub fn insert_value_before(&mut self, pos: usize, v: LpValue<'_>) -> Option<usize> {
        if pos < HDR_SIZE || pos > self.eof() {
            return None;
        }
        self.splice(pos, 0, v)?;
        self.count_added(1);
        Some(pos)
    }

    /// Inserts `v` after the element at `pos`; returns its position.
    pub fn insert_value_after(&mut self, pos: usize, v: LpValue<'_>) -> Option<usize> {
        let at = pos + self.checked_entry(pos)?;
        self.insert_value_before(at, v)
    }

    /// Replaces the element at `pos` with `v`; returns `pos`.
    pub fn replace_value(&mut self, pos: usize, v: LpValue<'_>) -> Option<usize> {
        let old = self.checked_entry(pos)?;
        self.splice(pos, old, v)?;
        Some(pos)
    }

    /// Appends `v`; returns its position.
    pub fn append_value(&mut self, v: LpValue<'_>) -> Option<usize> {
        self.insert_value_before(self.eof(), v)
    }

    /// Appends a string (stored as an integer when it is a canonical one).
    pub fn append(&mut self, s: &[u8]) -> Option<usize> {
        self.append_value(LpValue::Str(s))
    }

    /// Appends an integer.
    pub fn append_int(&mut self, v: i64) -> Option<usize> {
        self.append_value(LpValue::Int(v))
    }

    /// Inserts a string at the front; returns its position.
    pub fn prepend(&mut self, s: &[u8]) -> Option<usize> {
        self.insert_value_before(HDR_SIZE, LpValue::Str(s))
    }

    /// Inserts an integer at the front.
    pub fn prepend_int(&mut self, v: i64) -> Option<usize> {
        self.insert_value_before(HDR_SIZE, LpValue::Int(v))
    }

    /// Inserts a string before the element at `pos` (or appends, at the
    /// terminator); returns the new element's position.
    pub fn insert_before(&mut self, pos: usize, s: &[u8]) -> Option<usize> {
        self.insert_value_before(pos, LpValue::Str(s))
    }

    /// Inserts a string after the element at `pos`; returns its position.
    pub fn insert_after(&mut self, pos: usize, s: &[u8]) -> Option<usize> {
        self.insert_value_after(pos, LpValue::Str(s))
    }

    /// Replaces the element at `pos` with a string; returns `pos`.
    pub fn replace(&mut self, pos: usize, s: &[u8]) -> Option<usize> {
        self.replace_value(pos, LpValue::Str(s))
    }

    /// Replaces the element at `pos` with an integer; returns `pos`.
    pub fn replace_int(&mut self, pos: usize, v: i64) -> Option<usize> {
        self.replace_value(pos, LpValue::Int(v))
    }

    /// Deletes the element at `pos`; returns the position of the element
    /// that followed it (`None` if it was the last, or `pos` is invalid).
    pub fn delete(&mut self, pos: usize) -> Option<usize> {
        let size = self.checked_entry(pos)?;
        self.remove_bytes(pos, size);
        self.count_removed(1);
        (pos < self.eof()).then_some(pos)
    }

    /// Deletes up to `count` elements starting at the one at `pos` (Redis
    /// `lpDeleteRangeWithEntry`); returns how many were deleted.
    pub fn delete_range_at(&mut self, pos: usize, count: usize) -> usize {
        if pos < HDR_SIZE || count == 0 {
            return 0;
        }
        let eof = self.eof();
        let mut end = pos;
        let mut deleted = 0;
        while deleted < count && end < eof {
            match entry_size_at(&self.buf, end).and_then(|s| end.checked_add(s)) {
                Some(e) if e <= eof => end = e,
                _ => break,
            }
            deleted += 1;
        }
        if deleted > 0 {
            self.remove_bytes(pos, end - pos);
            self.count_removed(deleted);
        }
        deleted
    }

    /// Redis `lpDeleteRange`: deletes up to `count` elements starting at
    /// element `index` (negative from the end); returns how many.
    pub fn delete_range(&mut self, index: i64, count: usize) -> usize {
        match self.seek(index) {
            Some(p) => self.delete_range_at(p, count),
            None => 0,
        }
    }

    /// Deletes the elements at the given positions (any order, duplicates
    /// ignored) in one pass, as Redis 7.2 `lpBatchDelete`; returns how many.
    pub fn delete_many(&mut self, positions: &[usize]) -> usize {
        let mut ps: Vec<usize> = positions.to_vec();
        ps.sort_unstable();
        ps.dedup();
        let mut write = 0usize;
        let mut read = 0usize;
        let mut deleted = 0;
        for &p in &ps {
            if p < HDR_SIZE || p < read {
                continue;
            }
            let Some(size) = self.checked_entry(p) else {
                continue;
            };
            if deleted == 0 {
                write = p;
            } else {
                self.buf.copy_within(read..p, write);
                write += p - read;
            }
            read = p + size;
            deleted += 1;
        }
        if deleted == 0 {
            return 0;
        }
        let len = self.buf.len();
        self.buf.copy_within(read..len, write);
        self.resize_exact(write + (len - read));
        self.set_total();
        self.count_removed(deleted);
        deleted
    }
}

impl fmt::Debug for Listpack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Elems<'a>(&'a Listpack);
        impl fmt::Debug for Elems<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut l = f.debug_list();
                l.entries(self.0.iter().take(32));
                if self.0.iter().nth(32).is_some() {
                    l.finish_non_exhaustive()
                } else {
                    l.finish()
                }
            }
        }
        f.debug_struct("Listpack")
            .field("bytes", &self.bytes())
            .field("header_count", &self.header_count())
            .field("elements", &Elems(self))
            .finish()
    }
}

impl<'a> IntoIterator for &'a Listpack {
    type Item = LpValue<'a>;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

// ---------------------------------------------------------------------------
// Iterators
// ---------------------------------------------------------------------------

/// `(position, element)` pairs; double-ended.
#[derive(Clone)]
pub struct Entries<'a> {
    buf: &'a [u8],
    /// Position of the next element from the front.
    front: usize,
    /// End of the last element not yet yielded from the back.
    back: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = (usize, LpValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        let pos = self.front;
        let Some((v, l)) = value_at(self.buf, pos) else {
            self.front = self.back;
            return None;
        };
        self.front = pos + l + backlen_size(l);
        Some((pos, v))
    }
}

impl DoubleEndedIterator for Entries<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        let start = self.back.checked_sub(1).and_then(|last| {
            let l = decode_backlen(self.buf, last)?;
            self.back.checked_sub(l.checked_add(backlen_size(l))?)
        });
        match start.and_then(|p| Some((p, value_at(self.buf, p)?.0))) {
            Some((p, v)) if p >= self.front => {
                self.back = p;
                Some((p, v))
            }
            _ => {
                self.back = self.front;
                None
            }
        }
    }
}

impl FusedIterator for Entries<'_> {}

/// Elements; double-ended.
#[derive(Clone)]
pub struct Iter<'a>(Entries<'a>);

impl<'a> Iter<'a> {
    /// Position of the element the next `next()` call returns, if any.
    pub fn pos(&self) -> Option<usize> {
        (self.0.front < self.0.back).then_some(self.0.front)
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpValue<'a>;
    fn next(&mut self) -> Option<LpValue<'a>> {
        self.0.next().map(|(_, v)| v)
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(_, v)| v)
    }
}

impl FusedIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: a small deterministic PRNG for the randomized tests.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Rng {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    // --- Redis-verified vectors ---------------------------------------------

    /// An element: literal bytes, or a byte repeated n times.
    enum El {
        B(&'static [u8]),
        X(u8, usize),
    }
    /// Part of an expected blob: hex, or a byte repeated n times.
    enum P {
        H(&'static str),
        R(u8, usize),
    }
    use El::*;
    use P::*;

    fn el(e: &El) -> Vec<u8> {
        match *e {
            B(b) => b.to_vec(),
            X(c, n) => vec![c; n],
        }
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn blob(parts: &[P]) -> Vec<u8> {
        let mut v = Vec::new();
        for p in parts {
            match *p {
                H(h) => v.extend(hex(h)),
                R(c, n) => v.extend(std::iter::repeat_n(c, n)),
            }
        }
        v
    }

    // Generated by gen.py from redis-server 7.0.15 DUMP (RPUSH, one quicklist node).
    const LIST_VECTORS: &[(&[El], &[P])] = &[
    (&[B(b"0")], &[H("0900000001000001ff")]),
    (&[B(b"1")], &[H("0900000001000101ff")]),
    (&[B(b"127")], &[H("0900000001007f01ff")]),
    (&[B(b"128")], &[H("0a0000000100c08002ff")]),
    (&[B(b"-1")], &[H("0a0000000100dfff02ff")]),
    (&[B(b"4095")], &[H("0a0000000100cfff02ff")]),
    (&[B(b"4096")], &[H("0b0000000100f1001003ff")]),
    (&[B(b"-4096")], &[H("0a0000000100d00002ff")]),
    (&[B(b"-4097")], &[H("0b0000000100f1ffef03ff")]),
    (&[B(b"32767")], &[H("0b0000000100f1ff7f03ff")]),
    (&[B(b"32768")], &[H("0c0000000100f200800004ff")]),
    (&[B(b"-32768")], &[H("0b0000000100f1008003ff")]),
    (&[B(b"-32769")], &[H("0c0000000100f2ff7fff04ff")]),
    (&[B(b"8388607")], &[H("0c0000000100f2ffff7f04ff")]),
    (&[B(b"8388608")], &[H("0d0000000100f30000800005ff")]),
    (&[B(b"-8388608")], &[H("0c0000000100f200008004ff")]),
    (&[B(b"-8388609")], &[H("0d0000000100f3ffff7fff05ff")]),
    (&[B(b"2147483647")], &[H("0d0000000100f3ffffff7f05ff")]),
    (&[B(b"2147483648")], &[H("110000000100f4000000800000000009ff")]),
    (&[B(b"-2147483648")], &[H("0d0000000100f30000008005ff")]),
    (&[B(b"-2147483649")], &[H("110000000100f4ffffff7fffffffff09ff")]),
    (&[B(b"9223372036854775807")], &[H("110000000100f4ffffffffffffff7f09ff")]),
    (&[B(b"-9223372036854775808")], &[H("110000000100f4000000000000008009ff")]),
    (&[B(b"9223372036854775808")], &[H("1c0000000100933932323333373230333638353437373538303814ff")]),
    (&[B(b"-9223372036854775809")], &[H("1d0000000100942d3932323333373230333638353437373538303915ff")]),
    (&[B(b"18446744073709551616")], &[H("1d000000010094313834343637343430373337303935353136313615ff")]),
    (&[B(b"100000000000000000000")], &[H("1e00000001009531303030303030303030303030303030303030303016ff")]),
    (&[B(b"01")], &[H("0b000000010082303103ff")]),
    (&[B(b"00")], &[H("0b000000010082303003ff")]),
    (&[B(b" 1")], &[H("0b000000010082203103ff")]),
    (&[B(b"1 ")], &[H("0b000000010082312003ff")]),
    (&[B(b"+1")], &[H("0b0000000100822b3103ff")]),
    (&[B(b"-0")], &[H("0b0000000100822d3003ff")]),
    (&[B(b"-")], &[H("0a0000000100812d02ff")]),
    (&[B(b"1.0")], &[H("0c000000010083312e3004ff")]),
    (&[B(b"1e3")], &[H("0c00000001008331653304ff")]),
    (&[B(b"0x10")], &[H("0d0000000100843078313005ff")]),
    (&[B(b"-01")], &[H("0c0000000100832d303104ff")]),
    (&[B(b"007")], &[H("0c00000001008330303704ff")]),
    (&[B(b"")], &[H("0900000001008001ff")]),
    (&[B(b"a")], &[H("0a0000000100816102ff")]),
    (&[B(b"\x00")], &[H("0a0000000100810002ff")]),
    (&[B(b"\xff")], &[H("0a000000010081ff02ff")]),
    (&[B(b"\xff\xff")], &[H("0b000000010082ffff03ff")]),
    (&[X(0xff, 64)], &[H("4a0000000100e040"), R(0xff, 64), H("42ff")]),
    (&[B(b"-9223372036854775808")], &[H("110000000100f4000000000000008009ff")]),
    (&[B(b"99999999999999999999")], &[H("1d000000010094393939393939393939393939393939393939393915ff")]),
    (&[B(b"-99999999999999999999")], &[H("1e0000000100952d393939393939393939393939393939393939393916ff")]),
    (&[B(b"x")], &[H("0a0000000100817802ff")]),
    (&[X(0x78, 62)], &[H("470000000100be"), R(0x78, 62), H("3fff")]),
    (&[X(0x78, 63)], &[H("480000000100bf"), R(0x78, 63), H("40ff")]),
    (&[X(0x78, 64)], &[H("4a0000000100e040"), R(0x78, 64), H("42ff")]),
    (&[X(0x78, 65)], &[H("4b0000000100e041"), R(0x78, 65), H("43ff")]),
    (&[X(0x78, 125)], &[H("870000000100e07d"), R(0x78, 125), H("7fff")]),
    (&[X(0x78, 126)], &[H("890000000100e07e"), R(0x78, 126), H("0180ff")]),
    (&[X(0x78, 127)], &[H("8a0000000100e07f"), R(0x78, 127), H("0181ff")]),
    (&[X(0x78, 4094)], &[H("091000000100effe"), R(0x78, 4094), H("2080ff")]),
    (&[X(0x78, 4095)], &[H("0a1000000100efff"), R(0x78, 4095), H("2081ff")]),
    (&[X(0x78, 4096)], &[H("0e1000000100f000100000"), R(0x78, 4096), H("2085ff")]),
    (&[X(0x78, 4097)], &[H("0f1000000100f001100000"), R(0x78, 4097), H("2086ff")]),
    (&[X(0x78, 16377)], &[H("074000000100f0f93f0000"), R(0x78, 16377), H("7ffeff")]),
    (&[X(0x78, 16378)], &[H("094000000100f0fa3f0000"), R(0x78, 16378), H("00ffffff")]),
    (&[X(0x78, 16379)], &[H("0a4000000100f0fb3f0000"), R(0x78, 16379), H("018080ff")]),
    (&[X(0x78, 100000)], &[H("af8601000100f0a0860100"), R(0x78, 100000), H("068da5ff")]),
    (&[X(0x78, 2097145)], &[H("080020000100f0f9ff1f00"), R(0x78, 2097145), H("7ffffeff")]),
    (&[X(0x78, 2097146)], &[H("0a0020000100f0faff1f00"), R(0x78, 2097146), H("00ffffffff")]),
    (&[X(0x78, 2097147)], &[H("0b0020000100f0fbff1f00"), R(0x78, 2097147), H("01808080ff")]),
    (&[B(b"hello"), B(b"1"), B(b"-1"), B(b""), B(b"300"), B(b"12345678901234567890"), B(b"-100000"), X(0x78, 70), B(b"5000000000"), B(b"-0"), B(b"0")], &[H("8c0000000b008568656c6c6f060101dfff028001c12c0294313233343536373839303132333435363738393015f26079fe04e046"), R(0x78, 70), H("48f400f2052a0100000009822d30030001ff")]),
    (&[X(0x79, 200), X(0x7a, 5000), B(b"7"), B(b""), X(0x77, 17000)], &[H("d65600000500e0c8"), R(0x79, 200), H("01caf088130000"), R(0x7a, 5000), H("278d07018001f068420000"), R(0x77, 17000), H("0184edff")]),
];
    // HSET h f1 v1 f2 2 f3 -300 (RDB_TYPE_HASH_LISTPACK = 16)
    const HASH_VECTOR: &[P] = &[H("1c0000000600826631038276310382663203020182663303ded402ff")];
    // ZADD z 1 a 2.5 b -3 c 1e3 d 0.1 e (RDB_TYPE_ZSET_LISTPACK = 17)
    const ZSET_VECTOR: &[P] = &[H("380000000a00816302dffd0281650293302e313030303030303030303030303030303114816102010181620283322e3504816402c3e802ff")];

    fn build(elems: &[Vec<u8>]) -> Listpack {
        let mut lp = Listpack::new();
        for e in elems {
            lp.append(e).unwrap();
        }
        lp
    }

    fn fnv(b: &[u8]) -> u64 {
        b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
            (h ^ u64::from(c)).wrapping_mul(0x100_0000_01b3)
        })
    }

    /// Checks everything observable about `lp` against `model`.
    fn check(lp: &Listpack, model: &[Vec<u8>]) {
        assert!(Listpack::validate(lp.as_bytes()), "{lp:?}");
        assert_eq!(lp.len(), model.len());
        assert_eq!(lp.is_empty(), model.is_empty());
        assert_eq!(lp.alloc_size(), lp.bytes(), "buffer not exact-size");
        assert_eq!(lp.bytes(), lp.as_bytes().len());
        let fwd: Vec<Vec<u8>> = lp.iter().map(|v| v.to_vec()).collect();
        assert_eq!(fwd, model);
        let mut back: Vec<Vec<u8>> = lp.iter_rev().map(|v| v.to_vec()).collect();
        back.reverse();
        assert_eq!(back, model);
        let pos: Vec<usize> = lp.entries().map(|(p, _)| p).collect();
        let mut rpos: Vec<usize> = lp.entries().rev().map(|(p, _)| p).collect();
        rpos.reverse();
        assert_eq!(pos, rpos);
        assert_eq!(lp.first(), pos.first().copied());
        assert_eq!(lp.last(), pos.last().copied());
        let n = model.len() as i64;
        for (i, &p) in pos.iter().enumerate() {
            assert_eq!(lp.seek(i as i64), Some(p));
            assert_eq!(lp.seek(i as i64 - n), Some(p));
            assert!(lp.get(p).eq_bytes(&model[i]));
            assert_eq!(lp.next(p), pos.get(i + 1).copied());
            assert_eq!(lp.prev(p), i.checked_sub(1).map(|j| pos[j]));
        }
        assert_eq!(lp.seek(n), None);
        assert_eq!(lp.seek(-n - 1), None);
        // The canonical encoding does not depend on the edit history (only
        // the header count can, once it saturated).
        if lp.header_count() != NUMELE_UNKNOWN {
            assert_eq!(build(model).as_bytes(), lp.as_bytes());
        }
    }

    #[test]
    fn redis_list_vectors() {
        for (elems, expected) in LIST_VECTORS {
            let elems: Vec<Vec<u8>> = elems.iter().map(el).collect();
            let expected = blob(expected);
            let lp = build(&elems);
            assert!(
                lp.as_bytes() == &expected[..],
                "{:?}: got {:02x?}, redis {:02x?}",
                lp,
                &lp.as_bytes()[..lp.bytes().min(40)],
                &expected[..expected.len().min(40)]
            );
            check(&lp, &elems);
            let parsed = Listpack::from_bytes(expected.clone()).unwrap();
            assert_eq!(parsed, lp);
            // Prepending in reverse order and sizes agree.
            let mut pre = Listpack::new();
            for e in elems.iter().rev() {
                pre.prepend(e).unwrap();
            }
            assert_eq!(pre.as_bytes(), &expected[..]);
            let sum: usize = elems.iter().map(|e| Listpack::entry_size_for(e)).sum();
            assert_eq!(sum + HDR_SIZE + 1, expected.len());
        }
    }

    #[test]
    fn redis_hash_and_zset_vectors() {
        let mut h = Listpack::new();
        for e in [&b"f1"[..], b"v1", b"f2", b"2", b"f3", b"-300"] {
            h.append(e);
        }
        assert_eq!(h.as_bytes(), &blob(HASH_VECTOR)[..]);
        // A zset listpack is member, score pairs sorted by score; Redis
        // writes scores with %.17g, so 1e3 is the integer 1000 and 0.1 is
        // the string "0.10000000000000001".
        let mut z = Listpack::new();
        for e in [
            &b"c"[..],
            b"-3",
            b"e",
            b"0.10000000000000001",
            b"a",
            b"1",
            b"b",
            b"2.5",
            b"d",
            b"1000",
        ] {
            z.append(e);
        }
        assert_eq!(z.as_bytes(), &blob(ZSET_VECTOR)[..]);
        let p = h.find(h.first().unwrap(), b"f2", 1).unwrap();
        assert_eq!(h.get(h.next(p).unwrap()), LpValue::Int(2));
        assert_eq!(h.find(h.first().unwrap(), b"2", 1), None);
        assert_eq!(h.find(h.next(h.first().unwrap()).unwrap(), b"2", 1), h.next(p));
    }

    /// Redis 7.0.15, HSET of fields f0.. with values 0..: sizes, header
    /// counts and FNV-1a 64 of the DUMPed listpack. HDEL calls lpLength after
    /// every delete (to see if the key became empty), which writes the real
    /// count back once it fits: that is `recount`.
    #[test]
    fn redis_header_count_saturation() {
        let mut lp = Listpack::new();
        let add = |lp: &mut Listpack, a: i64, b: i64| {
            for i in a..b {
                lp.append(format!("f{i}").as_bytes()).unwrap();
                lp.append_int(i).unwrap();
            }
        };
        add(&mut lp, 0, 32767);
        assert_eq!((lp.bytes(), lp.header_count()), (377877, 65534));
        assert_eq!(fnv(lp.as_bytes()), 0xb1c3de6705ead18f);
        add(&mut lp, 32767, 32768);
        assert_eq!((lp.bytes(), lp.header_count()), (377889, 65535));
        assert_eq!(fnv(lp.as_bytes()), 0xf5e536e0154ebcf4);
        assert_eq!(lp.len(), 65536);
        add(&mut lp, 32768, 32800);
        assert_eq!((lp.bytes(), lp.header_count()), (378305, 65535));
        assert_eq!(fnv(lp.as_bytes()), 0xdfbab63ca3b2a9b1);
        assert_eq!(lp.len(), 65600);
        assert!(Listpack::validate(lp.as_bytes()));
        // Deleting keeps the count unknown until lpLength runs.
        let mut plain = lp.clone();
        for i in 0..1000 {
            let p = plain.find(plain.first().unwrap(), format!("f{i}").as_bytes(), 1);
            assert_eq!(plain.delete_range_at(p.unwrap(), 2), 2);
        }
        assert_eq!(plain.header_count(), NUMELE_UNKNOWN);
        assert_eq!(plain.len(), 63600);
        assert!(Listpack::validate(plain.as_bytes()));
        // HDEL: delete the pair, then lpLength.
        for i in 0..1000 {
            let p = lp.find(lp.first().unwrap(), format!("f{i}").as_bytes(), 1);
            lp.delete_range_at(p.unwrap(), 2);
            lp.recount();
        }
        assert_eq!((lp.bytes(), lp.header_count()), (369543, 63600));
        assert_eq!(fnv(lp.as_bytes()), 0x2efe1106f8d3cf8d);
        plain.recount();
        assert_eq!(plain, lp);
    }

    #[test]
    fn count_saturation_edges() {
        let mut lp = Listpack::new();
        for i in 0..65534 {
            lp.append_int(i % 100);
        }
        assert_eq!(lp.header_count(), 65534);
        lp.prepend(b"x");
        assert_eq!(lp.header_count(), NUMELE_UNKNOWN);
        assert_eq!(lp.len(), 65535);
        assert_eq!(lp.recount(), 65535);
        assert_eq!(lp.header_count(), NUMELE_UNKNOWN, "65535 is not storable");
        lp.append(b"y");
        assert_eq!(lp.len(), 65536);
        // seek with an unknown count walks from the end for negative indexes.
        assert!(lp.get(lp.seek(-1).unwrap()).eq_bytes(b"y"));
        assert!(lp.get(lp.seek(0).unwrap()).eq_bytes(b"x"));
        assert!(lp.get(lp.seek(-65536).unwrap()).eq_bytes(b"x"));
        assert_eq!(lp.seek(-65537), None);
        assert_eq!(lp.seek(65536), None);
        assert_eq!(lp.get(lp.seek(65534).unwrap()), LpValue::Int(33));
        lp.delete(lp.first().unwrap());
        lp.delete(lp.first().unwrap());
        assert_eq!(lp.header_count(), NUMELE_UNKNOWN);
        assert_eq!(lp.delete_range(-3, 10), 3);
        assert_eq!(lp.delete_many(&[lp.first().unwrap()]), 1);
        assert_eq!(lp.header_count(), NUMELE_UNKNOWN);
        assert_eq!(lp.len(), 65530);
        assert_eq!(lp.recount(), 65530);
        assert_eq!(lp.header_count(), 65530);
        assert!(Listpack::validate(lp.as_bytes()));
        // An accepted blob may say "unknown" for any count.
        let mut b = build(&[b"a".to_vec(), b"b".to_vec()]).into_bytes();
        b[4] = 0xFF;
        b[5] = 0xFF;
        let lp = Listpack::from_bytes(b).unwrap();
        assert_eq!(lp.len(), 2);
        assert_eq!(lp.seek(-2), lp.first());
    }

    // --- random operations against a Vec model ----------------------------

    fn rand_elem(rng: &mut Rng) -> Vec<u8> {
        const EDGES: [i64; 22] = [
            0,
            127,
            128,
            -1,
            4095,
            4096,
            -4096,
            -4097,
            32767,
            32768,
            -32768,
            -32769,
            8388607,
            8388608,
            -8388608,
            -8388609,
            2147483647,
            2147483648,
            -2147483648,
            -2147483649,
            i64::MAX,
            i64::MIN,
        ];
        const LENS: [usize; 14] = [0, 1, 62, 63, 64, 65, 125, 126, 127, 4094, 4095, 4096, 4097, 16378];
        match rng.below(20) {
            0..=2 => rng.below(130).to_string().into_bytes(),
            3..=4 => (rng.below(10000) as i64 - 5000).to_string().into_bytes(),
            5..=6 => {
                let v = EDGES[rng.below(EDGES.len())];
                v.saturating_add(rng.below(3) as i64 - 1).to_string().into_bytes()
            }
            7 => (rng.next() as i64 >> rng.below(64)).to_string().into_bytes(),
            8 => {
                let forms: [&[u8]; 10] = [
                    b"-0",
                    b"01",
                    b" 1",
                    b"+7",
                    b"1.5",
                    b"9223372036854775808",
                    b"-9223372036854775809",
                    b"",
                    b"-",
                    b"00",
                ];
                forms[rng.below(forms.len())].to_vec()
            }
            9 => {
                let n = LENS[rng.below(LENS.len())];
                if n > 4096 && rng.below(4) != 0 {
                    b"big".to_vec()
                } else {
                    rng.bytes(n)
                }
            }
            10..=12 => {
                let n = rng.below(80);
                rng.bytes(n)
            }
            _ => {
                let n = rng.below(12);
                (0..n).map(|_| b'a' + rng.below(26) as u8).collect()
            }
        }
    }

    fn run_model(seed: u64, ops: usize) {
        let mut rng = Rng::new(seed);
        let mut lp = Listpack::new();
        let mut model: Vec<Vec<u8>> = Vec::new();
        for step in 0..ops {
            let n = model.len();
            let grow = n < 100;
            match rng.below(13) {
                0 | 1 if grow || rng.below(3) == 0 => {
                    let e = rand_elem(&mut rng);
                    let p = lp.append(&e).unwrap();
                    assert_eq!(Some(p), lp.last());
                    model.push(e);
                }
                2 if grow => {
                    let e = rand_elem(&mut rng);
                    assert_eq!(lp.prepend(&e), Some(HDR_SIZE));
                    model.insert(0, e);
                }
                3 | 4 if grow && n > 0 => {
                    let i = rng.below(n);
                    let e = rand_elem(&mut rng);
                    let p = lp.seek(i as i64).unwrap();
                    assert_eq!(lp.insert_before(p, &e), Some(p));
                    model.insert(i, e);
                }
                5 if grow && n > 0 => {
                    let i = rng.below(n);
                    let e = rand_elem(&mut rng);
                    let p = lp.seek(i as i64 - n as i64).unwrap();
                    let q = lp.insert_after(p, &e).unwrap();
                    model.insert(i + 1, e);
                    assert_eq!(lp.seek(i as i64 + 1), Some(q));
                }
                6 if n > 0 => {
                    let i = rng.below(n);
                    let e = rand_elem(&mut rng);
                    let p = lp.seek(i as i64).unwrap();
                    assert_eq!(lp.replace(p, &e), Some(p));
                    model[i] = e;
                }
                7 if n > 0 => {
                    let i = rng.below(n);
                    let p = lp.seek(i as i64).unwrap();
                    let next = lp.delete(p);
                    model.remove(i);
                    assert_eq!(next, (i < model.len()).then_some(p));
                }
                8 if n > 0 => {
                    let i = rng.below(n);
                    let k = rng.below(5);
                    let del = if rng.below(2) == 0 {
                        lp.delete_range(i as i64, k)
                    } else {
                        lp.delete_range(i as i64 - n as i64, k)
                    };
                    let end = (i + k).min(n);
                    assert_eq!(del, end - i);
                    model.drain(i..end);
                }
                9 if n > 0 => {
                    let mut idx: Vec<usize> = (0..rng.below(6)).map(|_| rng.below(n)).collect();
                    let ps: Vec<usize> = idx.iter().map(|&i| lp.seek(i as i64).unwrap()).collect();
                    idx.sort_unstable();
                    idx.dedup();
                    assert_eq!(lp.delete_many(&ps), idx.len());
                    for &i in idx.iter().rev() {
                        model.remove(i);
                    }
                }
                10 if grow => {
                    let v = rng.next() as i64 >> rng.below(64);
                    lp.append_int(v).unwrap();
                    model.push(v.to_string().into_bytes());
                }
                11 => {
                    // find with skip 0 and 1 against the model.
                    let probe = if n > 0 && rng.below(2) == 0 {
                        model[rng.below(n)].clone()
                    } else {
                        rand_elem(&mut rng)
                    };
                    for skip in [0usize, 1, 2] {
                        let start = if n > 0 { rng.below(n) } else { 0 };
                        let got = lp.seek(start as i64).and_then(|p| lp.find(p, &probe, skip));
                        let want = (start..n)
                            .step_by(skip + 1)
                            .find(|&i| model[i] == probe)
                            .map(|i| lp.seek(i as i64).unwrap());
                        assert_eq!(got, want, "find {probe:?} skip {skip}");
                    }
                }
                _ => {
                    // Round trip through bytes.
                    let b = lp.as_bytes().to_vec();
                    lp = Listpack::from_bytes(b).unwrap();
                }
            }
            if step % 4 == 0 {
                check(&lp, &model);
            } else {
                assert!(lp.iter().map(|v| v.to_vec()).eq(model.iter().cloned()));
                assert_eq!(lp.bytes(), lp.alloc_size());
            }
        }
        check(&lp, &model);
    }

    #[test]
    fn random_ops_match_model() {
        for seed in 1..=24 {
            run_model(seed, 600);
        }
    }

    #[test]
    fn big_strings_and_backlen_boundaries() {
        // encoding + data lengths around every backlen size change.
        let mut model = Vec::new();
        let mut lp = Listpack::new();
        for n in [
            122usize, 123, 124, 125, 126, 16376, 16377, 16378, 16379, 2_097_144, 2_097_146, 2_097_147,
        ] {
            let e = vec![b'q'; n];
            lp.append(&e);
            model.push(e);
        }
        check(&lp, &model);
        let p = lp.seek(3).unwrap();
        lp.replace(p, b"1");
        model[3] = b"1".to_vec();
        let p = lp.seek(-2).unwrap();
        lp.delete(p);
        model.remove(model.len() - 2);
        check(&lp, &model);
        assert_eq!(Listpack::entry_size_for(&[0; 16378]), 16386);
        assert_eq!(Listpack::entry_size_for(&[0; 16377]), 16384);
        assert_eq!(Listpack::entry_size_int(-4096), 3);
        assert_eq!(Listpack::entry_size_int(i64::MIN), 10);
        assert_eq!(Listpack::entry_size_for(b"-4096"), 3);
        assert_eq!(Listpack::entry_size_for(b"-0"), 4);
    }

    /// Backlen bytes at every size change, as redis-server 7.0.15 wrote
    /// them (the last two from a DUMP of 268 MB list elements). Redis's `<`
    /// thresholds give 16383, 2097151 and 268435455 one byte more than they
    /// need, with a leading zero group.
    #[test]
    fn backlen_matches_redis() {
        let cases: [(usize, &str); 10] = [
            (1, "01"),
            (127, "7f"),
            (128, "0180"),
            (16382, "7ffe"),
            (16383, "00ffff"),
            (2_097_150, "7ffffe"),
            (2_097_151, "00ffffff"),
            (268_435_454, "7ffffffe"),
            (268_435_455, "00ffffffff"),
            (u32::MAX as usize, "0fffffffff"),
        ];
        for (l, h) in cases {
            let mut out = [0u8; 5];
            let n = encode_backlen(l, &mut out);
            assert_eq!(&out[..n], &hex(h)[..], "{l}");
            assert_eq!(decode_backlen(&out[..n], n - 1), Some(l));
        }
        let mut rng = Rng::new(5);
        for _ in 0..10_000 {
            let l = (rng.next() as u32 >> rng.below(32)) as usize;
            let mut out = [0u8; 5];
            let n = encode_backlen(l, &mut out);
            assert_eq!(decode_backlen(&out[..n], n - 1), Some(l));
        }
    }

    #[test]
    fn values() {
        let v = LpValue::Int(-42);
        assert!(v.eq_bytes(b"-42"));
        assert!(!v.eq_bytes(b"-042"));
        assert!(!v.eq_bytes(b"-42 "));
        assert_eq!(v.to_vec(), b"-42");
        assert_eq!(v.as_i64(), Some(-42));
        assert_eq!(v.str_len(), 3);
        assert_eq!(v.cmp_bytes(b"-5"), Ordering::Less);
        assert_eq!(LpValue::Int(i64::MIN).to_vec(), b"-9223372036854775808");
        assert_eq!(LpValue::Int(i64::MIN).str_len(), 20);
        let mut out = b"x".to_vec();
        LpValue::Int(7).write_to(&mut out);
        LpValue::Str(b"yz").write_to(&mut out);
        assert_eq!(out, b"x7yz");
        assert_eq!(LpValue::Str(b"12").as_i64(), Some(12));
        assert_eq!(LpValue::Str(b"012").as_i64(), None);
        assert_eq!(LpValue::from_bytes(b"-0"), LpValue::Str(b"-0"));
        assert_eq!(LpValue::from_bytes(b"-1"), LpValue::Int(-1));
        assert_eq!(format!("{:?}", LpValue::Str(b"a\x00\"")), "Str(\"a\\x00\\\"\")");
        let mut lp = Listpack::new();
        lp.append(b"abc");
        lp.append(b"0");
        assert_eq!(
            format!("{lp:?}"),
            "Listpack { bytes: 14, header_count: 2, elements: [Str(\"abc\"), Int(0)] }"
        );
        assert_eq!((&lp).into_iter().count(), 2);
        for i in 0..40 {
            lp.append_int(i);
        }
        let d = format!("{lp:?}");
        assert!(d.ends_with("Int(29), ..] }"), "{d}");
    }

    #[test]
    fn find_semantics() {
        let lp = build(&[
            b"1".to_vec(),
            b"01".to_vec(),
            b"-0".to_vec(),
            b"0".to_vec(),
            b"x".to_vec(),
            b"1".to_vec(),
        ]);
        let f = lp.first().unwrap();
        let at = |i: i64| lp.seek(i);
        assert_eq!(lp.find(f, b"1", 0), at(0));
        assert_eq!(lp.find(lp.next(f).unwrap(), b"1", 0), at(5));
        assert_eq!(lp.find(f, b"01", 0), at(1));
        assert_eq!(lp.find(f, b"-0", 0), at(2));
        assert_eq!(lp.find(f, b"0", 0), at(3));
        assert_eq!(lp.find(f, b"0", 1), None);
        assert_eq!(lp.find(f, b"x", 1), at(4));
        assert_eq!(lp.find(f, b"x", 2), None);
        assert_eq!(lp.find(f, b"1", 4), at(0));
        assert_eq!(lp.find(lp.next(f).unwrap(), b"1", 3), at(5));
        assert_eq!(lp.find(f, b"", 0), None);
        assert_eq!(Listpack::new().find(HDR_SIZE, b"a", 0), None);
    }

    #[test]
    fn iter_from_and_rev_from() {
        let model: Vec<Vec<u8>> = (0..10).map(|i| format!("e{i}").into_bytes()).collect();
        let lp = build(&model);
        let p = lp.seek(4).unwrap();
        let fwd: Vec<Vec<u8>> = lp.iter_from(p).map(|v| v.to_vec()).collect();
        assert_eq!(fwd, &model[4..]);
        let back: Vec<Vec<u8>> = lp.iter_rev_from(p).map(|v| v.to_vec()).collect();
        let want: Vec<Vec<u8>> = model[..=4].iter().rev().cloned().collect();
        assert_eq!(back, want);
        // Double-ended iteration meets in the middle.
        let mut it = lp.iter();
        let mut got = Vec::new();
        while let Some(a) = it.next() {
            got.push(a.to_vec());
            if let Some(b) = it.next_back() {
                got.push(b.to_vec());
            }
        }
        assert_eq!(got.len(), 10);
        assert_eq!(it.next(), None);
        assert_eq!(it.next_back(), None);
        let mut it = lp.iter();
        it.next();
        assert_eq!(it.pos(), lp.seek(1));
        assert_eq!(Listpack::new().iter().pos(), None);
    }

    #[test]
    fn memory_is_exact() {
        let mut lp = Listpack::new();
        assert_eq!((lp.bytes(), lp.alloc_size()), (7, 7));
        assert_eq!(lp.as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
        for i in 0..200 {
            lp.append(format!("value-{i}").as_bytes());
            assert_eq!(lp.alloc_size(), lp.bytes());
        }
        while let Some(p) = lp.first() {
            lp.delete(p);
            assert_eq!(lp.alloc_size(), lp.bytes());
        }
        assert_eq!(lp.as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
        let mut v = Vec::with_capacity(100);
        v.extend_from_slice(&[7, 0, 0, 0, 0, 0, 0xFF]);
        assert_eq!(Listpack::from_bytes(v).unwrap().alloc_size(), 7);
        assert!(lp.safe_to_add(MAX_SAFETY_SIZE - 7));
        assert!(!lp.safe_to_add(MAX_SAFETY_SIZE - 6));
        assert!(!lp.safe_to_add(usize::MAX));
    }

    // --- corrupt blobs ----------------------------------------------------

    #[test]
    fn rejects_malformed() {
        let good = build(&[b"ab".to_vec(), b"5".to_vec(), vec![b'z'; 200]]).into_bytes();
        assert!(Listpack::from_bytes(good.clone()).is_some());
        let bad = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = good.clone();
            f(&mut b);
            Listpack::from_bytes(b).is_none()
        };
        let fix_total = |b: &mut Vec<u8>| {
            let t = (b.len() as u32).to_le_bytes();
            b[..4].copy_from_slice(&t);
        };
        assert!(Listpack::from_bytes(vec![]).is_none());
        assert!(Listpack::from_bytes(vec![7, 0, 0, 0, 0, 0]).is_none());
        assert!(Listpack::from_bytes(vec![6, 0, 0, 0, 0, 0]).is_none());
        assert!(Listpack::from_bytes(vec![7, 0, 0, 0, 1, 0, 0xFF]).is_none(), "count");
        assert!(Listpack::from_bytes(vec![8, 0, 0, 0, 0, 0, 0xFF, 0xFF]).is_none());
        assert!(bad(&|b| b[0] += 1), "total bytes");
        assert!(bad(&|b| b[4] = 2), "count too small");
        assert!(bad(&|b| b[4] = 4), "count too big");
        assert!(bad(&|b| *b.last_mut().unwrap() = 0), "no terminator");
        assert!(bad(&|b| {
            b.pop();
            fix_total(b)
        }));
        assert!(
            bad(&|b| {
                b.truncate(b.len() - 2);
                b.push(0xFF);
                fix_total(b)
            }),
            "truncated entry"
        );
        assert!(bad(&|b| b[6] = 0xF5), "unknown encoding");
        assert!(bad(&|b| b[6] = 0xFF), "early terminator");
        assert!(bad(&|b| b[9] = 4), "backlen");
        assert!(bad(&|b| b[6] = 0x83), "string length");
        assert!(bad(&|b| {
            // A stray byte before the terminator.
            b.insert(b.len() - 1, 0);
            fix_total(b)
        }));
        // encoding + data of 16383 bytes with a 2-byte backlen (Redis
        // writes 3 bytes, so it reads one byte past the entry).
        let mut b = build(&[vec![b'q'; 16378]]).into_bytes();
        let eof = b.len() - 1;
        b.splice(eof - 3..eof, [0x7F, 0xFF]);
        fix_total(&mut b);
        assert!(Listpack::from_bytes(b).is_none());
        // Backlens that are not canonical bytes but read back right, from
        // mutated blobs that redis-server 7.0.15 RESTOREs with
        // sanitize-dump-payload yes: accepted, and walk back correctly.
        for h in [
            "220000000500d00002cfff02f2ff7fff04f30000000085f4ffffff7fffffffff09ff",
            "2500000006008568656c6c6f06dfff02c12c02f270110104f400f2052a01000000898001ff",
        ] {
            let lp = Listpack::from_bytes(hex(h)).unwrap();
            let fwd: Vec<_> = lp.entries().collect();
            let mut back: Vec<_> = lp.entries().rev().collect();
            back.reverse();
            assert_eq!(fwd, back);
            assert_eq!(fwd.len(), 5 + usize::from(h.len() == 74));
        }
        // Non-canonical (but well-formed) entries are accepted, as Redis does.
        let wide = vec![12, 0, 0, 0, 1, 0, 0xF1, 5, 0, 3, 0xFF];
        assert!(Listpack::from_bytes(wide.clone()).is_none(), "total");
        let wide = vec![11, 0, 0, 0, 1, 0, 0xF1, 5, 0, 3, 0xFF];
        let lp = Listpack::from_bytes(wide).unwrap();
        assert_eq!(lp.get(HDR_SIZE), LpValue::Int(5));
        assert_eq!(lp.find(HDR_SIZE, b"5", 0), Some(HDR_SIZE));
        let s5 = vec![10, 0, 0, 0, 1, 0, 0x81, b'5', 2, 0xFF];
        let lp = Listpack::from_bytes(s5).unwrap();
        assert_eq!(lp.get(HDR_SIZE), LpValue::Str(b"5"));
        assert_eq!(lp.find(HDR_SIZE, b"5", 0), Some(HDR_SIZE));
        // Huge declared string lengths.
        let huge = vec![16, 0, 0, 0, 1, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF];
        assert!(Listpack::from_bytes(huge).is_none());
    }

    /// Exercises an accepted (possibly odd) listpack; must not panic and
    /// must stay valid through edits.
    fn exercise(mut lp: Listpack, rng: &mut Rng) {
        let fwd: Vec<(usize, Vec<u8>)> = lp.entries().map(|(p, v)| (p, v.to_vec())).collect();
        let mut back: Vec<(usize, Vec<u8>)> = lp.entries().rev().map(|(p, v)| (p, v.to_vec())).collect();
        back.reverse();
        assert_eq!(fwd, back);
        assert_eq!(lp.len(), fwd.len());
        for (i, (p, v)) in fwd.iter().enumerate() {
            assert_eq!(lp.seek(i as i64), Some(*p));
            assert_eq!(lp.find(lp.first().unwrap(), v, 0).map(|q| q <= *p), Some(true));
        }
        for _ in 0..4 {
            let n = lp.len();
            match rng.below(4) {
                0 => {
                    lp.append(&rand_elem(rng));
                }
                1 if n > 0 => {
                    let p = lp.seek(rng.below(n) as i64).unwrap();
                    lp.replace(p, &rand_elem(rng));
                }
                2 if n > 0 => {
                    let p = lp.seek(rng.below(n) as i64).unwrap();
                    lp.delete(p);
                }
                _ => {
                    lp.prepend(&rand_elem(rng));
                }
            }
            assert!(Listpack::validate(lp.as_bytes()));
        }
    }

    #[test]
    fn fuzz_mutated_blobs() {
        let mut rng = Rng::new(99);
        let mut seeds: Vec<Vec<u8>> = LIST_VECTORS
            .iter()
            .map(|(_, b)| blob(b))
            .filter(|b| b.len() < 6000)
            .collect();
        for _ in 0..20 {
            let elems: Vec<Vec<u8>> = (0..rng.below(12)).map(|_| rand_elem(&mut rng)).collect();
            let b = build(&elems).into_bytes();
            if b.len() < 6000 {
                seeds.push(b);
            }
        }
        let mut accepted = 0;
        for round in 0..200_000 {
            let mut b = seeds[rng.below(seeds.len())].clone();
            for _ in 0..1 + rng.below(3) {
                let len = b.len();
                if len == 0 {
                    break;
                }
                match rng.below(7) {
                    0 => {
                        let i = rng.below(len);
                        b[i] ^= 1 << rng.below(8);
                    }
                    1 => {
                        let i = rng.below(len);
                        b[i] = rng.next() as u8;
                    }
                    2 => b.truncate(rng.below(len + 1)),
                    3 => {
                        let i = rng.below(len + 1);
                        let k = 1 + rng.below(4);
                        let extra = rng.bytes(k);
                        b.splice(i..i, extra);
                    }
                    4 => {
                        let i = rng.below(len);
                        b.remove(i);
                    }
                    5 if len > HDR_SIZE => {
                        // Mutate entries only.
                        let i = HDR_SIZE + rng.below(len - HDR_SIZE);
                        b[i] = [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xDF, 0xE0, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF][rng.below(12)];
                    }
                    _ => {}
                }
            }
            // Usually make the header consistent so validation goes deeper.
            if b.len() >= HDR_SIZE && rng.below(4) != 0 {
                let t = (b.len() as u32).to_le_bytes();
                b[..4].copy_from_slice(&t);
                if rng.below(2) == 0 {
                    b[4] = 0xFF;
                    b[5] = 0xFF;
                }
            }
            let _ = round;
            if let Some(lp) = Listpack::from_bytes(b) {
                accepted += 1;
                exercise(lp, &mut rng);
            }
        }
        assert!(accepted > 500, "fuzz reached too few valid blobs: {accepted}");
    }

    /// Positions that are not entry starts give garbage, never a panic.
    #[test]
    fn bad_positions_do_not_panic() {
        let lp = build(&[b"hello".to_vec(), b"-300".to_vec(), vec![7; 300], b"".to_vec()]);
        let n = lp.bytes();
        for p in (0..n + 3).chain([usize::MAX, usize::MAX - 1]) {
            let _ = lp.get(p);
            let _ = lp.try_get(p);
            let _ = lp.next(p);
            let _ = lp.prev(p);
            let _ = lp.find(p, b"x", 1);
            let _ = lp.iter_from(p).count();
            let _ = lp.iter_rev_from(p).count();
            let _ = lp.entries_from(p).rev().count();
            let mut c = lp.clone();
            let _ = c.insert_after(p, b"abc");
            let _ = c.iter().count();
            let mut c = lp.clone();
            let _ = c.insert_before(p, b"abc");
            let _ = c.replace(p, b"12");
            let _ = c.delete(p);
            let _ = c.delete_range_at(p, 2);
            let _ = c.delete_many(&[p, p.wrapping_add(1), 0]);
            let _ = c.len();
            let _ = c.seek(-1);
            let _ = c.iter_rev().count();
            let _ = c.recount();
            let _ = format!("{c:?}");
        }
        for i in [i64::MIN, i64::MIN + 1, -5, -4, 3, 4, i64::MAX] {
            let _ = lp.seek(i);
            let mut c = lp.clone();
            c.delete_range(i, usize::MAX);
        }
    }

    // --- benchmark ----------------------------------------------------------

    #[test]
    #[ignore]
    fn bench_128() {
        use std::hint::black_box;
        use std::time::Instant;
        let fields: Vec<Vec<u8>> = (0..64)
            .flat_map(|i| [format!("field:{i}").into_bytes(), (i * 1000).to_string().into_bytes()])
            .collect();
        let rounds = 20_000;
        let t = Instant::now();
        for _ in 0..rounds {
            let mut lp = Listpack::new();
            for f in &fields {
                lp.append(f);
            }
            black_box(&lp);
        }
        let el = t.elapsed();
        println!("append: {:.1} ns/element", el.as_nanos() as f64 / (rounds * 128) as f64);
        let lp = build(&fields);
        let t = Instant::now();
        for _ in 0..rounds / 10 {
            for i in 0..128 {
                black_box(lp.seek(black_box(i)));
            }
        }
        println!(
            "seek: {:.1} ns/op",
            t.elapsed().as_nanos() as f64 / (rounds / 10 * 128) as f64
        );
        let t = Instant::now();
        let first = lp.first().unwrap();
        for _ in 0..rounds / 10 {
            for f in fields.iter().step_by(2) {
                black_box(lp.find(first, black_box(f), 1));
            }
        }
        println!(
            "find field (skip 1): {:.1} ns/op",
            t.elapsed().as_nanos() as f64 / (rounds / 10 * 64) as f64
        );
        let probes: Vec<Vec<u8>> = fields.iter().skip(1).step_by(2).cloned().collect();
        let t = Instant::now();
        for _ in 0..rounds / 10 {
            for p in &probes {
                black_box(lp.find(first, black_box(p), 0));
            }
        }
        println!(
            "find int value (skip 0): {:.1} ns/op",
            t.elapsed().as_nanos() as f64 / (rounds / 10 * 64) as f64
        );
        let t = Instant::now();
        let mut sum = 0usize;
        for _ in 0..rounds {
            for v in lp.iter() {
                sum += v.str_len();
            }
        }
        black_box(sum);
        println!(
            "iterate: {:.1} ns/element",
            t.elapsed().as_nanos() as f64 / (rounds * 128) as f64
        );
        println!("bytes: {}", lp.bytes());
    }
}
