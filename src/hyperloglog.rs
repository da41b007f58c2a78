//! HyperLogLog sketches in Redis's exact string format (hyperloglog.c), so a
//! value moved between Redis and fastkey stays valid, counts the same, and
//! the same PFADDs produce the same bytes.
//!
//! A value is a string: a 16-byte header (`HYLL`, the encoding byte, three
//! unused bytes, the cached cardinality as 8 little-endian bytes whose top
//! bit marks the cache invalid) followed by the registers, either
//!
//! - dense: 16384 registers of 6 bits, packed LSB-first (12288 bytes), or
//! - sparse: a run-length sequence of opcodes, `ZERO` (`00xxxxxx`, 1..64
//!   zero registers), `XZERO` (`01xxxxxx yyyyyyyy`, 1..16384 zero
//!   registers) and `VAL` (`1vvvvvxx`, 1..4 registers holding 1..32).
//!
//! Elements are hashed with MurmurHash64A (seed `0xadc83b19`): the low 14
//! bits pick the register, the run of zero bits above them (plus one) is the
//! value. A sparse sketch becomes dense when a value above 32 is needed or
//! when it would grow beyond `hll-sparse-max-bytes`. The cardinality is
//! Ertl's improved estimator ("New cardinality estimation algorithms for
//! HyperLogLog sketches", 2017), as Redis 5+ computes it.
//!
//! Where Redis reads one byte past the end of a string it reads the sds
//! terminator, a zero; `at` reproduces that so corrupt values are judged
//! alike.

/// Register index bits.
pub const HLL_P: u32 = 14;
/// Hash bits used for the run length.
pub const HLL_Q: usize = 64 - HLL_P as usize;
pub const REGISTERS: usize = 1 << HLL_P;
const P_MASK: u64 = REGISTERS as u64 - 1;
const BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << BITS) - 1;
pub const HDR_SIZE: usize = 16;
/// Length of a dense value: header plus 16384 6-bit registers.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;
const ENC_BYTE: usize = 4;
const CARD_BYTE: usize = 8;
const SEED: u64 = 0xadc8_3b19;

const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
/// 0.5 / ln(2), the limit of the bias-correction constant.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// The value is not a well-formed sketch (`-INVALIDOBJ`).
#[derive(Debug, PartialEq, Eq)]
pub struct Corrupt;

/// Redis's `-INVALIDOBJ` reply text.
pub const INVALID_ERR: &str = "INVALIDOBJ Corrupted HLL object detected";
/// A string that is not a sketch at all.
pub const WRONGTYPE_ERR: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";

/// Byte `i`, or the zero terminator Redis's sds strings keep past the end.
#[inline]
fn at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

#[inline]
fn is_zero(b: u8) -> bool {
    b & 0xc0 == 0
}
#[inline]
fn is_xzero(b: u8) -> bool {
    b & 0xc0 == 0x40
}
#[inline]
fn is_val(b: u8) -> bool {
    b & 0x80 != 0
}
#[inline]
fn zero_len(b: u8) -> usize {
    (b & 0x3f) as usize + 1
}
#[inline]
fn xzero_len(v: &[u8], p: usize) -> usize {
    ((((v[p] & 0x3f) as usize) << 8) | at(v, p + 1) as usize) + 1
}
#[inline]
fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}
#[inline]
fn val_len(b: u8) -> usize {
    (b & 3) as usize + 1
}
#[inline]
fn val_op(value: u8, len: usize) -> u8 {
    ((value - 1) << 2) | (len as u8 - 1) | 0x80
}
#[inline]
fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}
#[inline]
fn xzero_op(len: usize) -> [u8; 2] {
    let l = len - 1;
    [(l >> 8) as u8 | 0x40, (l & 0xff) as u8]
}

/// One decoded sparse opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `ZERO` or `XZERO` (the bool: extended) covering this many registers.
    Zero(usize, bool),
    /// `VAL`: value, run length.
    Val(u8, usize),
}

/// The opcodes of a sparse body (bytes after the header), as Redis walks
/// them, with the length of each.
fn ops(v: &[u8]) -> impl Iterator<Item = (Op, usize)> + '_ {
    let mut p = HDR_SIZE;
    std::iter::from_fn(move || {
        if p >= v.len() {
            return None;
        }
        let b = v[p];
        let r = if is_zero(b) {
            (Op::Zero(zero_len(b), false), 1)
        } else if is_xzero(b) {
            (Op::Zero(xzero_len(v, p), true), 2)
        } else {
            (Op::Val(val_value(b), val_len(b)), 1)
        };
        p += r.1;
        Some(r)
    })
}

/// MurmurHash64A, little-endian reads, as Redis uses it.
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    // Redis passes the length as an int.
    let len = data.len() as i32 as i64 as u64;
    let mut h = seed ^ len.wrapping_mul(M);
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element maps to and the value it offers (Redis's
/// `hllPatLen`): 1 + the number of zero bits above the index bits, at most
/// `HLL_Q + 1`.
pub fn pat_len(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, SEED);
    let index = (hash & P_MASK) as usize;
    let rest = (hash >> HLL_P) | (1u64 << HLL_Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Reads dense register `i` from the register area.
#[inline]
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = regs[byte] as u32;
    let b1 = at(regs, byte + 1) as u32;
    (((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX as u32) as u8
}

/// Writes dense register `i` (the value must fit 6 bits).
#[inline]
pub fn dense_put(regs: &mut [u8], i: usize, val: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let v = val as u32;
    regs[byte] &= !((REGISTER_MAX as u32) << fb) as u8;
    regs[byte] |= (v << fb) as u8;
    if let Some(b) = regs.get_mut(byte + 1) {
        *b &= !((REGISTER_MAX as u32) >> (8 - fb)) as u8;
        *b |= (v >> (8 - fb)) as u8;
    }
}

/// Raises dense register `i` to `count`; true if it changed.
fn dense_set(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_put(regs, i, count);
        true
    } else {
        false
    }
}

/// A new, empty sketch: sparse, all registers zero (one `XZERO` of 16384),
/// cached cardinality 0 and valid.
pub fn create() -> Vec<u8> {
    let mut v = Vec::with_capacity(HDR_SIZE + 2);
    v.extend_from_slice(b"HYLL");
    v.extend_from_slice(&[SPARSE, 0, 0, 0]);
    v.extend_from_slice(&[0; 8]);
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(SPARSE_XZERO_MAX_LEN);
        v.extend_from_slice(&xzero_op(n));
        left -= n;
    }
    v
}

/// Redis's `isHLLObjectOrReply` checks on a string value: length, magic,
/// encoding, and the exact length of a dense sketch.
pub fn is_hll(v: &[u8]) -> bool {
    v.len() >= HDR_SIZE
        && &v[..4] == b"HYLL"
        && v[ENC_BYTE] <= MAX_ENCODING
        && (v[ENC_BYTE] != DENSE || v.len() == DENSE_SIZE)
}

pub fn encoding(v: &[u8]) -> u8 {
    v[ENC_BYTE]
}

/// The cached cardinality, if the cache is valid.
pub fn cached_card(v: &[u8]) -> Option<u64> {
    if v[CARD_BYTE + 7] & 0x80 != 0 {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&v[CARD_BYTE..CARD_BYTE + 8]);
    Some(u64::from_le_bytes(b))
}

pub fn set_cached_card(v: &mut [u8], card: u64) {
    v[CARD_BYTE..CARD_BYTE + 8].copy_from_slice(&card.to_le_bytes());
}

/// Marks the cache invalid; the other cardinality bytes keep their old
/// value, as in Redis.
pub fn invalidate_cache(v: &mut [u8]) {
    v[CARD_BYTE + 7] |= 0x80;
}

/// Adds an element; true if a register changed. `sparse_max` is
/// `hll-sparse-max-bytes`.
pub fn add(v: &mut Vec<u8>, ele: &[u8], sparse_max: u64) -> Result<bool, Corrupt> {
    let (index, count) = pat_len(ele);
    match v[ENC_BYTE] {
        DENSE => Ok(dense_set(&mut v[HDR_SIZE..], index, count)),
        SPARSE => sparse_set(v, index, count, sparse_max),
        _ => Err(Corrupt),
    }
}

/// Raises register `index` to `count` in any encoding (PFMERGE's write
/// step); true if it changed.
pub fn set_register(v: &mut Vec<u8>, index: usize, count: u8, sparse_max: u64) -> Result<bool, Corrupt> {
    match v[ENC_BYTE] {
        DENSE => Ok(dense_set(&mut v[HDR_SIZE..], index, count)),
        _ => sparse_set(v, index, count, sparse_max),
    }
}

/// Converts a sparse sketch to dense in place (a dense one is left alone).
/// The header, cached cardinality included, is carried over. A `VAL` run
/// reaching past register 16383 is corrupt even when the runs before it
/// covered exactly 16384 registers (as redis-server 7.0.15 judges it).
pub fn sparse_to_dense(v: &mut Vec<u8>) -> Result<(), Corrupt> {
    if v[ENC_BYTE] == DENSE {
        return Ok(());
    }
    let mut d = vec![0u8; DENSE_SIZE];
    d[..HDR_SIZE].copy_from_slice(&v[..HDR_SIZE]);
    d[ENC_BYTE] = DENSE;
    let regs = &mut d[HDR_SIZE..];
    let mut idx = 0usize;
    for (op, _) in ops(v) {
        match op {
            Op::Zero(n, _) => idx += n,
            Op::Val(val, n) => {
                if idx + n > REGISTERS {
                    return Err(Corrupt);
                }
                for r in idx..idx + n {
                    dense_put(regs, r, val);
                }
                idx += n;
            }
        }
    }
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    *v = d;
    Ok(())
}

/// Redis's `hllSparseSet`: raises register `index` to `count` by editing
/// the opcode sequence in place, promoting to dense when needed. The edits
/// (and the merging of adjacent equal `VAL`s after them) follow Redis step
/// by step so the resulting bytes are identical.
fn sparse_set(v: &mut Vec<u8>, index: usize, count: u8, sparse_max: u64) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(v, index, count);
    }
    // Step 1: find the opcode covering the register.
    let end = v.len();
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    while p < end {
        let b = v[p];
        let oplen;
        if is_zero(b) {
            span = zero_len(b);
            oplen = 1;
        } else if is_val(b) {
            span = val_len(b);
            oplen = 1;
        } else {
            span = xzero_len(v, p);
            oplen = 2;
        }
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Corrupt);
    }
    let b = v[p];
    let oldlen = if is_xzero(b) { 2 } else { 1 };
    let has_next = p + oldlen < end;
    let runlen = if is_zero(b) {
        zero_len(b)
    } else if is_xzero(b) {
        xzero_len(v, p)
    } else {
        val_len(b)
    };

    // Step 2: the trivial cases, updated in place.
    let mut done = false;
    if is_val(b) {
        if val_value(b) >= count {
            return Ok(false);
        }
        if runlen == 1 {
            v[p] = val_op(count, 1);
            done = true;
        }
    }
    if !done && is_zero(b) && runlen == 1 {
        v[p] = val_op(count, 1);
        done = true;
    }

    // Otherwise split the opcode into up to three.
    if !done {
        let mut seq: Vec<u8> = Vec::with_capacity(5);
        let last = first + span - 1;
        let push_zeros = |seq: &mut Vec<u8>, len: usize| {
            if len > SPARSE_ZERO_MAX_LEN {
                seq.extend_from_slice(&xzero_op(len));
            } else {
                seq.push(zero_op(len));
            }
        };
        if !is_val(b) {
            if index != first {
                push_zeros(&mut seq, index - first);
            }
            seq.push(val_op(count, 1));
            if index != last {
                push_zeros(&mut seq, last - index);
            }
        } else {
            let cur = val_value(b);
            if index != first {
                seq.push(val_op(cur, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(cur, last - index));
            }
        }
        // Step 3: substitute the sequence for the old opcode.
        let delta = seq.len() as isize - oldlen as isize;
        if delta > 0 && (v.len() as u64).saturating_add(delta as u64) > sparse_max {
            return promote(v, index, count);
        }
        if has_next {
            v.splice(p..p + oldlen, seq);
        } else {
            // The opcode is the last one (possibly an XZERO cut short by the
            // end of the string): the string ends where Redis's would.
            let new_len = (end as isize + delta) as usize;
            v.truncate(p);
            v.extend_from_slice(&seq);
            v.resize(new_len, 0);
        }
    }

    // Step 4: merge adjacent VALs of equal value, scanning up to five
    // opcodes from the one before the edit.
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scan = 5;
    while p < v.len() && scan > 0 {
        scan -= 1;
        let b = v[p];
        if is_xzero(b) {
            p += 2;
            continue;
        }
        if is_zero(b) {
            p += 1;
            continue;
        }
        if p + 1 < v.len() && is_val(v[p + 1]) {
            let (v1, v2) = (val_value(b), val_value(v[p + 1]));
            if v1 == v2 {
                let len = val_len(b) + val_len(v[p + 1]);
                if len <= SPARSE_VAL_MAX_LEN {
                    v[p + 1] = val_op(v1, len);
                    v.remove(p);
                    continue;
                }
            }
        }
        p += 1;
    }
    invalidate_cache(v);
    Ok(true)
}

fn promote(v: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(v)?;
    dense_set(&mut v[HDR_SIZE..], index, count);
    Ok(true)
}

/// Raises `max[i]` to each register of the sketch (PFMERGE, multi-key
/// PFCOUNT).
pub fn merge_into(max: &mut [u8; REGISTERS], v: &[u8]) -> Result<(), Corrupt> {
    if v[ENC_BYTE] == DENSE {
        let regs = &v[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate() {
            let r = dense_get(regs, i);
            if r > *m {
                *m = r;
            }
        }
        return Ok(());
    }
    let mut i = 0usize;
    for (op, _) in ops(v) {
        match op {
            Op::Zero(n, _) => i += n,
            Op::Val(val, n) => {
                if i + n > REGISTERS {
                    return Err(Corrupt);
                }
                for m in &mut max[i..i + n] {
                    if val > *m {
                        *m = val;
                    }
                }
                i += n;
            }
        }
    }
    if i != REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

/// The register histogram of a sketch; `Err` for a sparse sketch whose
/// runs do not cover exactly 16384 registers.
fn histogram(v: &[u8]) -> Result<[u32; 64], Corrupt> {
    let mut h = [0u32; 64];
    if v[ENC_BYTE] == DENSE {
        let regs = &v[HDR_SIZE..];
        for i in 0..REGISTERS {
            h[dense_get(regs, i) as usize] += 1;
        }
        return Ok(h);
    }
    let mut idx = 0usize;
    for (op, _) in ops(v) {
        match op {
            Op::Zero(n, _) => {
                idx += n;
                h[0] += n as u32;
            }
            Op::Val(val, n) => {
                idx += n;
                h[val as usize] += n as u32;
            }
        }
    }
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    Ok(h)
}

/// The estimated cardinality of a sketch (Redis's `hllCount`).
pub fn count(v: &[u8]) -> Result<u64, Corrupt> {
    Ok(estimate(&histogram(v)?))
}

/// The estimated cardinality of one-byte-per-register data (the union
/// PFCOUNT builds for several keys).
pub fn count_raw(regs: &[u8; REGISTERS]) -> u64 {
    let mut h = [0u32; 64];
    for &r in regs.iter() {
        h[(r & 63) as usize] += 1;
    }
    estimate(&h)
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if prev == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if prev == z {
            return z / 3.0;
        }
    }
}

/// Ertl's estimator over the register histogram, in Redis's order of
/// floating-point operations.
fn estimate(h: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - h[HLL_Q + 1] as f64) / m);
    for j in (1..=HLL_Q).rev() {
        z += h[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(h[0] as f64 / m);
    let e = (ALPHA_INF * m * m / z).round();
    // llroundl gives LLONG_MIN when the result does not fit (z = 0 when
    // every register is above 50), and Redis converts that to unsigned.
    let ll = if e.is_finite() && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&e) {
        e as i64
    } else {
        i64::MIN
    };
    ll as u64
}

/// PFDEBUG DECODE's text: `z:N`, `Z:N`, `v:value,len` separated by spaces.
pub fn decode(v: &[u8]) -> String {
    let mut out = String::new();
    for (op, _) in ops(v) {
        if !out.is_empty() {
            out.push(' ');
        }
        match op {
            Op::Zero(n, false) => out.push_str(&format!("z:{n}")),
            Op::Zero(n, true) => out.push_str(&format!("Z:{n}")),
            Op::Val(val, n) => out.push_str(&format!("v:{val},{n}")),
        }
    }
    out
}

/// All 16384 register values of a dense sketch.
pub fn dense_registers(v: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let regs = &v[HDR_SIZE..];
    (0..REGISTERS).map(move |i| dense_get(regs, i))
}

/// PFSELFTEST: checks register packing and the estimator's error against
/// known cardinalities with a dense and a sparse sketch side by side, as
/// Redis's self test does. `Err` holds the error reply text.
pub fn selftest(sparse_max: u64, mut seed: u64) -> Result<(), String> {
    let mut rnd = move || {
        // xorshift64*
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    // Test 1: registers keep their values and leave their neighbours alone.
    let mut dense = vec![0u8; DENSE_SIZE];
    let mut bytes = vec![0u8; REGISTERS];
    for _ in 0..1000 {
        let regs = &mut dense[HDR_SIZE..];
        for (i, b) in bytes.iter_mut().enumerate() {
            let r = (rnd() & REGISTER_MAX as u64) as u8;
            *b = r;
            dense_put(regs, i, r);
        }
        for (i, &b) in bytes.iter().enumerate() {
            let got = dense_get(regs, i);
            if got != b {
                return Err(format!("TESTFAILED Register {i} should be {b} but is {got}"));
            }
        }
    }
    // Test 2: the approximation error.
    dense[HDR_SIZE..].fill(0);
    dense[ENC_BYTE] = DENSE;
    let mut sparse = create();
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let salt = rnd();
    for j in 1..=10_000_000u64 {
        let ele = (j ^ salt).to_le_bytes();
        let (index, cnt) = pat_len(&ele);
        dense_set(&mut dense[HDR_SIZE..], index, cnt);
        add(&mut sparse, &ele, sparse_max).map_err(|_| "TESTFAILED sparse HLL corrupted".to_string())?;
        if j != checkpoint {
            continue;
        }
        if j < sparse_max / 2 && sparse[ENC_BYTE] != SPARSE {
            return Err("TESTFAILED sparse encoding not used".into());
        }
        let dcount = count(&dense).unwrap_or(0);
        if Ok(dcount) != count(&sparse) {
            return Err("TESTFAILED dense/sparse disagree".into());
        }
        let abserr = (checkpoint as i64 - dcount as i64).unsigned_abs();
        let maxerr = if j == 10 {
            1
        } else {
            (relerr * 6.0 * checkpoint as f64).ceil() as u64
        };
        if abserr > maxerr {
            return Err(format!("TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}"));
        }
        checkpoint *= 10;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn pfadd(v: &mut Vec<u8>, eles: &[&[u8]]) -> bool {
        let mut updated = false;
        for e in eles {
            updated |= add(v, e, 3000).unwrap();
        }
        if updated {
            invalidate_cache(v);
        }
        updated
    }

    #[test]
    fn empty_sketch_matches_redis() {
        let v = create();
        assert_eq!(v, hex("48594c4c 01000000 00000000 00000000 7fff"));
        assert!(is_hll(&v));
        assert_eq!(count(&v), Ok(0));
        assert_eq!(cached_card(&v), Some(0));
        assert_eq!(decode(&v), "Z:16384");
    }

    /// Byte vectors produced by redis-server 7.0.15 for the same PFADDs
    /// (and PFCOUNTs, which store the cache).
    #[test]
    fn sparse_bytes_match_redis() {
        let mut v = create();
        pfadd(&mut v, &[b"a", b"b", b"c"]);
        assert_eq!(v, hex("48594c4c 01000000 00000000 00000080 60f38050b1844bfb80425a"));
        assert_eq!(decode(&v), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
        assert_eq!(cached_card(&v), None);
        let c = count(&v).unwrap();
        assert_eq!(c, 3);
        set_cached_card(&mut v, c);
        assert_eq!(v, hex("48594c4c 01000000 03000000 00000000 60f38050b1844bfb80425a"));
        pfadd(&mut v, &[b"d"]);
        assert_eq!(
            v,
            hex("48594c4c 01000000 03000000 00000080 5c7b8044768050b1844bfb80425a")
        );
    }

    #[test]
    fn murmur_known_values() {
        // The registers Redis's PFDEBUG DECODE shows after PFADD a b c:
        // Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603.
        assert_eq!(pat_len(b"a"), (12711, 2));
        let mut bc = [pat_len(b"b"), pat_len(b"c")];
        bc.sort();
        assert_eq!(bc, [(8436, 1), (15780, 1)]);
        // Tails of every length go through the switch.
        let data: Vec<u8> = (0u8..32).collect();
        let hs: Vec<u64> = (0..17).map(|n| murmur64a(&data[..n], SEED)).collect();
        let mut uniq = hs.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), hs.len());
    }

    #[test]
    fn dense_registers_pack_six_bits() {
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        for i in 0..REGISTERS {
            dense_put(&mut regs, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&regs, i), (i % 64) as u8);
        }
        dense_put(&mut regs, 1, 0);
        assert_eq!(dense_get(&regs, 0), 0);
        assert_eq!(dense_get(&regs, 2), 2);
        assert_eq!(regs[0], 0);
    }

    #[test]
    fn sparse_and_dense_agree_and_round_trip() {
        let mut s = create();
        let mut d = create();
        sparse_to_dense(&mut d).unwrap();
        assert_eq!(d.len(), DENSE_SIZE);
        assert!(is_hll(&d));
        for i in 0..2000u32 {
            let e = format!("element:{i}");
            add(&mut s, e.as_bytes(), 1 << 20).unwrap();
            add(&mut d, e.as_bytes(), 1 << 20).unwrap();
        }
        assert_eq!(encoding(&s), SPARSE);
        assert_eq!(count(&s), count(&d));
        let mut max_s = [0u8; REGISTERS];
        let mut max_d = [0u8; REGISTERS];
        merge_into(&mut max_s, &s).unwrap();
        merge_into(&mut max_d, &d).unwrap();
        assert!(max_s[..] == max_d[..]);
        assert_eq!(count_raw(&max_s), count(&d).unwrap());
        let mut s2 = s.clone();
        sparse_to_dense(&mut s2).unwrap();
        assert_eq!(s2[HDR_SIZE..], d[HDR_SIZE..]);
        let c = count(&d).unwrap();
        assert!((1900..2100).contains(&c), "{c}");
    }

    #[test]
    fn promotion_by_size_and_by_value() {
        let mut v = create();
        let mut i = 0;
        while encoding(&v) == SPARSE {
            add(&mut v, format!("{i}").as_bytes(), 300).unwrap();
            assert!(v.len() <= 300 || encoding(&v) == DENSE);
            i += 1;
        }
        assert_eq!(v.len(), DENSE_SIZE);
        // A value above 32 cannot be sparse.
        let mut v = create();
        assert_eq!(sparse_set(&mut v, 5, 33, 3000), Ok(true));
        assert_eq!(encoding(&v), DENSE);
        assert_eq!(dense_get(&v[HDR_SIZE..], 5), 33);
    }

    #[test]
    fn split_and_merge_opcodes() {
        let mut v = create();
        assert_eq!(sparse_set(&mut v, 0, 3, 3000), Ok(true));
        assert_eq!(decode(&v), "v:3,1 Z:16383");
        assert_eq!(sparse_set(&mut v, 1, 3, 3000), Ok(true));
        assert_eq!(decode(&v), "v:3,2 Z:16382");
        assert_eq!(sparse_set(&mut v, 1, 2, 3000), Ok(false));
        assert_eq!(sparse_set(&mut v, 70, 1, 3000), Ok(true));
        // Zero runs longer than 64 need an XZERO.
        assert_eq!(decode(&v), "v:3,2 Z:68 v:1,1 Z:16313");
        assert_eq!(sparse_set(&mut v, 100, 1, 3000), Ok(true));
        assert_eq!(decode(&v), "v:3,2 Z:68 v:1,1 z:29 v:1,1 Z:16283");
        assert_eq!(sparse_set(&mut v, 16383, 32, 3000), Ok(true));
        assert_eq!(decode(&v), "v:3,2 Z:68 v:1,1 z:29 v:1,1 Z:16282 v:32,1");
        // Filling the gap merges the neighbours: v:1,1 v:1,1 v:1,1 -> v:1,3.
        let mut w = create();
        sparse_set(&mut w, 10, 1, 3000).unwrap();
        sparse_set(&mut w, 12, 1, 3000).unwrap();
        assert_eq!(decode(&w), "z:10 v:1,1 z:1 v:1,1 Z:16371");
        sparse_set(&mut w, 11, 1, 3000).unwrap();
        assert_eq!(decode(&w), "z:10 v:1,3 Z:16371");
        assert_eq!(count(&v), Ok(5));
    }

    #[test]
    fn corrupt_sparse_values_are_detected() {
        // Runs covering fewer registers than 16384.
        let mut v = create();
        v[HDR_SIZE + 1] = 0;
        assert_eq!(count(&v), Err(Corrupt));
        let mut m = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut m, &v), Err(Corrupt));
        assert_eq!(sparse_to_dense(&mut v.clone()), Err(Corrupt));
        // Too many.
        let mut v = create();
        v.push(0x80);
        assert_eq!(count(&v), Err(Corrupt));
        // Header checks.
        assert!(!is_hll(b"HYLL"));
        let mut d = create();
        sparse_to_dense(&mut d).unwrap();
        d.push(0);
        assert!(!is_hll(&d));
        let mut e = create();
        e[ENC_BYTE] = 2;
        assert!(!is_hll(&e));
    }

    #[test]
    fn estimator_small_and_large() {
        let mut h = [0u32; 64];
        h[0] = REGISTERS as u32;
        assert_eq!(estimate(&h), 0);
        h[0] -= 1;
        h[1] = 1;
        assert_eq!(estimate(&h), 1);
        // Every register at 63: the estimate overflows as in Redis.
        let mut h = [0u32; 64];
        h[63] = REGISTERS as u32;
        assert_eq!(estimate(&h), 1 << 63);
    }
}
