//! The pre-7.0 compact encodings that RDB files may still hold, checked as
//! deeply as Redis 7.0 checks them on load and converted to listpacks, plus
//! builders that produce them (for tests and tools: Redis 7.0 never writes
//! them).
//!
//! **Ziplist** (RDB_TYPE_LIST_ZIPLIST, ZSET_ZIPLIST, HASH_ZIPLIST and the
//! nodes of LIST_QUICKLIST):
//!
//! ```text
//! <zlbytes: u32 LE> <zltail: u32 LE, offset of the last entry> <zllen: u16 LE, 65535 = unknown>
//! <entry>* <0xFF>
//! entry = <prevlen: 1 byte if < 254, else 0xFE + u32 LE> <encoding> <data>
//! ```
//!
//! | encoding                 | meaning                                  |
//! |--------------------------|------------------------------------------|
//! | `00llllll`               | string, 6-bit length                     |
//! | `01llllll llllllll`      | string, 14-bit length (big-endian)       |
//! | `10______` + u32 BE      | string, 32-bit length                    |
//! | `0xC0` / `0xD0` / `0xE0` | int16 / int32 / int64, little-endian     |
//! | `0xF0`                   | int24 LE                                 |
//! | `0xFE`                   | int8                                     |
//! | `0xF1..=0xFD`            | immediate 0..=12 (low nibble minus one)  |
//!
//! **Zipmap** (RDB_TYPE_HASH_ZIPMAP, Redis 2.x hashes):
//!
//! ```text
//! <zmlen: u8, count if < 254> (<len>key <len><free: u8>value <free bytes>)* <0xFF>
//! len = 1 byte if < 254, else 0xFE (or 0xFF) + u32 LE
//! ```

use crate::listpack::{Listpack, LpValue};
use crate::util::{push_i64, string2ll};
use std::borrow::Cow;
use std::collections::HashSet;

const ZIP_END: u8 = 0xFF;
const ZIP_BIG_PREVLEN: u8 = 254;
const ZL_HEADER: usize = 10;

// ---------------------------------------------------------------------------
// Listpack builder (amortized growth; the Listpack type reallocates exactly)
// ---------------------------------------------------------------------------

/// Builds a listpack by appending, with the encodings `lpAppend` chooses.
pub(crate) struct LpBuilder {
    buf: Vec<u8>,
    count: usize,
}

fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

impl LpBuilder {
    pub(crate) fn new(capacity: usize) -> LpBuilder {
        let mut buf = Vec::with_capacity(capacity.saturating_add(7).min(1 << 20));
        buf.extend_from_slice(&[0; 6]);
        LpBuilder { buf, count: 0 }
    }

    /// Appends a value (a string holding a canonical integer is stored as
    /// an integer, as Redis does). `None` past the 32-bit size limit.
    pub(crate) fn push(&mut self, v: LpValue<'_>) -> Option<()> {
        let v = match v {
            LpValue::Str(s) => LpValue::from_bytes(s),
            v => v,
        };
        let start = self.buf.len();
        match v {
            LpValue::Int(i) => {
                if (0..=127).contains(&i) {
                    self.buf.push(i as u8);
                } else if (-4096..=4095).contains(&i) {
                    let u = (i & 0x1FFF) as u16;
                    self.buf.push(0xC0 | (u >> 8) as u8);
                    self.buf.push(u as u8);
                } else if let Ok(x) = i16::try_from(i) {
                    self.buf.push(0xF1);
                    self.buf.extend_from_slice(&x.to_le_bytes());
                } else if (-(1 << 23)..(1 << 23)).contains(&i) {
                    self.buf.push(0xF2);
                    self.buf.extend_from_slice(&(i as i32).to_le_bytes()[..3]);
                } else if let Ok(x) = i32::try_from(i) {
                    self.buf.push(0xF3);
                    self.buf.extend_from_slice(&x.to_le_bytes());
                } else {
                    self.buf.push(0xF4);
                    self.buf.extend_from_slice(&i.to_le_bytes());
                }
            }
            LpValue::Str(s) => {
                let n = s.len();
                if n < 64 {
                    self.buf.push(0x80 | n as u8);
                } else if n < 4096 {
                    self.buf.push(0xE0 | (n >> 8) as u8);
                    self.buf.push(n as u8);
                } else {
                    let n32 = u32::try_from(n).ok()?;
                    self.buf.push(0xF0);
                    self.buf.extend_from_slice(&n32.to_le_bytes());
                }
                self.buf.extend_from_slice(s);
            }
        }
        let l = self.buf.len() - start;
        let n = backlen_size(l);
        for i in 0..n {
            let group = ((l >> (7 * (n - 1 - i))) & 0x7F) as u8;
            self.buf.push(if i == 0 { group } else { group | 0x80 });
        }
        self.count += 1;
        if self.buf.len() >= u32::MAX as usize {
            return None;
        }
        Some(())
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The finished listpack (validated again by `Listpack::from_bytes`).
    pub(crate) fn finish(mut self) -> Option<Listpack> {
        self.buf.push(0xFF);
        let total = u32::try_from(self.buf.len()).ok()?;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let count = self.count.min(usize::from(u16::MAX)) as u16;
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        Listpack::from_bytes(self.buf)
    }
}

/// The string form of a value, borrowed when it is a string.
fn string_form<'a>(v: LpValue<'a>) -> Cow<'a, [u8]> {
    match v {
        LpValue::Str(s) => Cow::Borrowed(s),
        LpValue::Int(i) => {
            let mut out = Vec::with_capacity(20);
            push_i64(&mut out, i);
            Cow::Owned(out)
        }
    }
}

// ---------------------------------------------------------------------------
// Ziplist
// ---------------------------------------------------------------------------

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Walks a ziplist with the checks of Redis `ziplistValidateIntegrity`
/// (deep): header size and terminator, tail offset, every entry inside the
/// blob with a known encoding, each prevlen equal to the previous entry's
/// size, the tail pointing at the last entry and a known count matching.
/// `f` sees every entry in order and may stop the walk by returning false.
/// Returns whether the ziplist is valid and `f` accepted every entry.
pub fn ziplist_walk<'a>(zl: &'a [u8], mut f: impl FnMut(LpValue<'a>) -> bool) -> bool {
    let size = zl.len();
    if size < ZL_HEADER + 1 {
        return false;
    }
    if u32_le(zl, 0).map(|b| b as usize) != Some(size) || zl[size - 1] != ZIP_END {
        return false;
    }
    let Some(tail) = u32_le(zl, 4) else { return false };
    let tail = tail as usize;
    if tail > size - 1 {
        return false;
    }
    let header_count = u16::from_le_bytes([zl[8], zl[9]]);
    let last = size - 1; // position of the terminator
    let mut p = ZL_HEADER;
    let mut prev: Option<usize> = None;
    let mut prev_raw = 0usize;
    let mut count = 0usize;
    while zl[p] != ZIP_END {
        let Some((value, entry_size, prevlen)) = ziplist_entry(zl, p, last) else {
            return false;
        };
        if prevlen != prev_raw || !f(value) {
            return false;
        }
        prev_raw = entry_size;
        prev = Some(p);
        p += entry_size;
        count += 1;
    }
    if p != last {
        return false;
    }
    if prev.is_some_and(|q| q != tail) {
        return false;
    }
    header_count == u16::MAX || usize::from(header_count) == count
}

/// Decodes the entry at `p`: its value, total size and prevlen field. The
/// entry must end at or before `last` (the terminator's position).
fn ziplist_entry(zl: &[u8], p: usize, last: usize) -> Option<(LpValue<'_>, usize, usize)> {
    let first = *zl.get(p)?;
    let (prevlen, pls) = if first < ZIP_BIG_PREVLEN {
        (usize::from(first), 1)
    } else {
        (u32_le(zl, p + 1)? as usize, 5)
    };
    let e = p + pls;
    let enc = *zl.get(e)?;
    let byte = |k: usize| zl.get(e + k).copied();
    // (header bytes after prevlen, data bytes, integer value if any)
    let (hl, dl, int): (usize, usize, Option<i64>) = if enc < 0xC0 {
        match enc >> 6 {
            0 => (1, usize::from(enc & 0x3F), None),
            1 => (2, (usize::from(enc & 0x3F) << 8) | usize::from(byte(1)?), None),
            _ => {
                let b = zl.get(e + 1..e + 5)?;
                (5, u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize, None)
            }
        }
    } else {
        let le = |n: usize| -> Option<u64> {
            let b = zl.get(e + 1..e + 1 + n)?;
            Some(b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
        };
        match enc {
            0xC0 => (1, 2, Some(i64::from(le(2)? as u16 as i16))),
            0xD0 => (1, 4, Some(i64::from(le(4)? as u32 as i32))),
            0xE0 => (1, 8, Some(le(8)? as i64)),
            0xF0 => (1, 3, Some(i64::from(((le(3)? as u32) << 8) as i32 >> 8))),
            0xFE => (1, 1, Some(i64::from(le(1)? as u8 as i8))),
            0xF1..=0xFD => (1, 0, Some(i64::from(enc & 0x0F) - 1)),
            _ => return None,
        }
    };
    let data = e.checked_add(hl)?;
    let end = data.checked_add(dl)?;
    if end > last {
        return None;
    }
    let value = match int {
        Some(v) => LpValue::Int(v),
        None => LpValue::Str(&zl[data..end]),
    };
    Some((value, end - p, prevlen))
}

/// A validated ziplist converted to a listpack (Redis's conversion of
/// quicklist ziplist nodes). `None` if invalid.
pub fn ziplist_to_listpack(zl: &[u8]) -> Option<Listpack> {
    let mut b = LpBuilder::new(zl.len());
    let mut ok = true;
    let valid = ziplist_walk(zl, |v| {
        ok = b.push(v).is_some();
        ok
    });
    if !valid || !ok {
        return None;
    }
    b.finish()
}

/// A ziplist of field/value pairs (hash or sorted set) converted to a
/// listpack, with Redis's extra checks: an even number of entries and no
/// duplicate field (compared by string form).
pub fn ziplist_pairs_to_listpack(zl: &[u8]) -> Option<Listpack> {
    let mut b = LpBuilder::new(zl.len());
    let mut seen: HashSet<Cow<'_, [u8]>> = HashSet::new();
    let mut ok = true;
    let valid = ziplist_walk(zl, |v| {
        if b.len().is_multiple_of(2) && !seen.insert(string_form(v)) {
            ok = false;
            return false;
        }
        ok = b.push(v).is_some();
        ok
    });
    if !valid || !ok || !b.len().is_multiple_of(2) {
        return None;
    }
    b.finish()
}

/// The elements of a validated ziplist as strings (RDB_TYPE_LIST_ZIPLIST,
/// whose elements Redis pushes one by one into a new quicklist).
pub fn ziplist_to_elements(zl: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    ziplist_walk(zl, |v| {
        out.push(v.to_vec());
        true
    })
    .then_some(out)
}

/// Builds a ziplist as Redis 6 would have (strings holding a canonical
/// integer of up to 32 bytes stored as integers). For tests and tools.
pub fn build_ziplist(items: &[&[u8]]) -> Vec<u8> {
    let mut zl = vec![0u8; ZL_HEADER];
    let mut prev_size = 0usize;
    let mut tail = ZL_HEADER;
    for item in items {
        let start = zl.len();
        tail = start;
        if prev_size < usize::from(ZIP_BIG_PREVLEN) {
            zl.push(prev_size as u8);
        } else {
            zl.push(ZIP_BIG_PREVLEN);
            zl.extend_from_slice(&(prev_size as u32).to_le_bytes());
        }
        match (item.len() <= 32).then(|| string2ll(item)).flatten() {
            Some(v) if (0..=12).contains(&v) => zl.push(0xF1 + v as u8),
            Some(v) if i8::try_from(v).is_ok() => {
                zl.push(0xFE);
                zl.push(v as i8 as u8);
            }
            Some(v) if i16::try_from(v).is_ok() => {
                zl.push(0xC0);
                zl.extend_from_slice(&(v as i16).to_le_bytes());
            }
            Some(v) if (-(1 << 23)..(1 << 23)).contains(&v) => {
                zl.push(0xF0);
                zl.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
            }
            Some(v) if i32::try_from(v).is_ok() => {
                zl.push(0xD0);
                zl.extend_from_slice(&(v as i32).to_le_bytes());
            }
            Some(v) => {
                zl.push(0xE0);
                zl.extend_from_slice(&v.to_le_bytes());
            }
            None => {
                let n = item.len();
                if n <= 0x3F {
                    zl.push(n as u8);
                } else if n <= 0x3FFF {
                    zl.push(0x40 | (n >> 8) as u8);
                    zl.push(n as u8);
                } else {
                    zl.push(0x80);
                    zl.extend_from_slice(&(n as u32).to_be_bytes());
                }
                zl.extend_from_slice(item);
            }
        }
        prev_size = zl.len() - start;
    }
    zl.push(ZIP_END);
    let total = zl.len() as u32;
    zl[0..4].copy_from_slice(&total.to_le_bytes());
    zl[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
    let count = items.len().min(usize::from(u16::MAX)) as u16;
    zl[8..10].copy_from_slice(&count.to_le_bytes());
    zl
}

// ---------------------------------------------------------------------------
// Zipmap
// ---------------------------------------------------------------------------

const ZIPMAP_BIGLEN: u8 = 254;

/// A zipmap length at `p`: (value, bytes it takes). The length must leave
/// at least one byte after it inside the blob.
fn zipmap_len(zm: &[u8], p: usize) -> Option<(usize, usize)> {
    let b = *zm.get(p)?;
    let (len, s) = if b < ZIPMAP_BIGLEN {
        (usize::from(b), 1)
    } else {
        (u32_le(zm, p + 1)? as usize, 5)
    };
    (p + s < zm.len()).then_some((len, s))
}

/// Walks a zipmap with the checks of Redis `zipmapValidateIntegrity`
/// (deep): everything inside the blob, no duplicate key, at least one
/// pair, a count byte of 254 or the real count, and the terminator last.
pub fn zipmap_walk<'a>(zm: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8]) -> bool) -> bool {
    let size = zm.len();
    if size < 2 {
        return false;
    }
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut p = 1usize;
    let mut count = 0usize;
    loop {
        let Some(&b) = zm.get(p) else { return false };
        if b == ZIP_END {
            break;
        }
        let Some((klen, s)) = zipmap_len(zm, p) else {
            return false;
        };
        let kstart = p + s;
        let Some(kend) = kstart.checked_add(klen).filter(|&e| e < size) else {
            return false;
        };
        let key = &zm[kstart..kend];
        if !seen.insert(key) {
            return false;
        }
        let Some((vlen, s)) = zipmap_len(zm, kend) else {
            return false;
        };
        let free_at = kend + s;
        let free = usize::from(zm[free_at]);
        let vstart = free_at + 1;
        let Some(next) = vstart
            .checked_add(vlen)
            .and_then(|e| e.checked_add(free))
            .filter(|&e| e < size)
        else {
            return false;
        };
        if !f(key, &zm[vstart..vstart + vlen]) {
            return false;
        }
        count += 1;
        p = next;
    }
    count != 0 && (zm[0] == ZIPMAP_BIGLEN || usize::from(zm[0]) == count) && p == size - 1
}

/// A validated zipmap converted to a hash listpack (field, value, ...).
pub fn zipmap_to_listpack(zm: &[u8]) -> Option<Listpack> {
    let mut b = LpBuilder::new(zm.len());
    let mut ok = true;
    let valid = zipmap_walk(zm, |k, v| {
        ok = b.push(LpValue::Str(k)).is_some() && b.push(LpValue::Str(v)).is_some();
        ok
    });
    if !valid || !ok {
        return None;
    }
    b.finish()
}

/// Builds a zipmap as Redis 2.x would have (no free bytes). For tests.
pub fn build_zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    fn put_len(out: &mut Vec<u8>, n: usize) {
        if n < usize::from(ZIPMAP_BIGLEN) {
            out.push(n as u8);
        } else {
            out.push(ZIPMAP_BIGLEN);
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
    }
    let mut zm = vec![pairs.len().min(usize::from(ZIPMAP_BIGLEN)) as u8];
    for (k, v) in pairs {
        put_len(&mut zm, k.len());
        zm.extend_from_slice(k);
        put_len(&mut zm, v.len());
        zm.push(0);
        zm.extend_from_slice(v);
    }
    zm.push(ZIP_END);
    zm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lp_strings(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|v| v.to_vec()).collect()
    }

    fn samples() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = [
            "0",
            "12",
            "13",
            "-1",
            "127",
            "-128",
            "128",
            "32767",
            "-32768",
            "40000",
            "8388607",
            "-8388608",
            "8388608",
            "2147483647",
            "-2147483648",
            "2147483648",
            "9223372036854775807",
            "-9223372036854775808",
            "",
            "a",
            "hello",
            "007",
            "-0",
            "+1",
            "1.5",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        v.push(vec![b'x'; 63]);
        v.push(vec![b'y'; 64]);
        v.push(vec![b'z'; 300]);
        v.push(vec![b'w'; 16383]);
        v.push(vec![b'q'; 16384]);
        v.push(vec![0u8, 255, 254, 1]);
        v
    }

    #[test]
    fn ziplist_roundtrip_all_encodings() {
        let items = samples();
        let refs: Vec<&[u8]> = items.iter().map(|v| v.as_slice()).collect();
        let zl = build_ziplist(&refs);
        let lp = ziplist_to_listpack(&zl).expect("valid");
        assert_eq!(lp_strings(&lp), items);
        assert_eq!(ziplist_to_elements(&zl).unwrap(), items);
        // Same bytes as building the listpack directly.
        let mut direct = Listpack::new();
        for i in &items {
            direct.append(i);
        }
        assert_eq!(lp.as_bytes(), direct.as_bytes());
    }

    #[test]
    fn ziplist_empty_and_big_prevlen() {
        let zl = build_ziplist(&[]);
        assert_eq!(zl, vec![11, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xFF]);
        assert_eq!(ziplist_to_listpack(&zl).unwrap().len(), 0);
        let big = vec![b'b'; 300];
        let zl = build_ziplist(&[&big, b"x"]);
        assert!(ziplist_to_listpack(&zl).is_some());
    }

    #[test]
    fn ziplist_rejects_corruption() {
        let zl = build_ziplist(&[b"a", b"bb", b"12"]);
        assert!(ziplist_walk(&zl, |_| true));
        for i in 0..zl.len() {
            for delta in [1u8, 0x40, 0x80, 0xFF] {
                let mut bad = zl.clone();
                bad[i] = bad[i].wrapping_add(delta);
                // Must not panic; most mutations are caught.
                let _ = ziplist_to_listpack(&bad);
            }
        }
        let mut bad = zl.clone();
        bad[8] = 2; // wrong count
        assert!(!ziplist_walk(&bad, |_| true));
        let mut bad = zl.clone();
        bad[4] = 10; // tail not on the last entry
        assert!(!ziplist_walk(&bad, |_| true));
        assert!(!ziplist_walk(&zl[..zl.len() - 1], |_| true));
        // Pairs: odd count and duplicate fields.
        assert!(ziplist_pairs_to_listpack(&zl).is_none());
        let zl = build_ziplist(&[b"f", b"1", b"f", b"2"]);
        assert!(ziplist_pairs_to_listpack(&zl).is_none());
        let zl = build_ziplist(&[b"7", b"1", b"g", b"2"]);
        assert_eq!(ziplist_pairs_to_listpack(&zl).unwrap().len(), 4);
        // Unknown count is accepted.
        let mut zl = build_ziplist(&[b"a"]);
        zl[8] = 0xFF;
        zl[9] = 0xFF;
        assert!(ziplist_walk(&zl, |_| true));
    }

    #[test]
    fn zipmap_roundtrip_and_checks() {
        let long = vec![b'v'; 400];
        let zm = build_zipmap(&[(b"name", b"redis"), (b"n", b"12"), (b"long", &long)]);
        let lp = zipmap_to_listpack(&zm).unwrap();
        assert_eq!(
            lp_strings(&lp),
            vec![
                b"name".to_vec(),
                b"redis".to_vec(),
                b"n".to_vec(),
                b"12".to_vec(),
                b"long".to_vec(),
                long.clone()
            ]
        );
        // Free bytes after a value are skipped.
        let zm2 = vec![1, 1, b'k', 1, 2, b'v', 0, 0, 0xFF];
        assert_eq!(
            lp_strings(&zipmap_to_listpack(&zm2).unwrap()),
            vec![b"k".to_vec(), b"v".to_vec()]
        );
        assert!(zipmap_to_listpack(&[0, 0xFF]).is_none()); // empty
        assert!(zipmap_to_listpack(&build_zipmap(&[(b"a", b"1"), (b"a", b"2")])).is_none()); // dup
        let mut bad = zm.clone();
        bad[0] = 2; // wrong count
        assert!(zipmap_to_listpack(&bad).is_none());
        for cut in 0..zm.len() {
            assert!(zipmap_to_listpack(&zm[..cut]).is_none());
        }
        for i in 0..zm.len() {
            let mut bad = zm.clone();
            bad[i] ^= 0xA5;
            let _ = zipmap_to_listpack(&bad);
        }
    }
}
