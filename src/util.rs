//! Number parsing and formatting that reproduce Redis 7.0 (util.c, object.c)
//! byte for byte, in safe Rust and without C.
//!
//! | Rust                          | Redis 7.0                                         |
//! |-------------------------------|---------------------------------------------------|
//! | [`string2ll`], [`string2l`]   | `string2ll`, `string2l` (strict integers)         |
//! | [`string2ull`]                | `string2ull` (stream IDs)                         |
//! | [`push_i64`], [`push_u64`]    | `ll2string`, `ull2string`                         |
//! | [`memtoull`]                  | `memtoull` (CONFIG SET memory sizes)              |
//! | [`string2d`]                  | `string2d` / `getDoubleFromObject` (ZADD scores)  |
//! | [`strtod_relaxed`]            | `strtod` in `zslParseRange` (ZCOUNT etc. bounds)  |
//! | [`fmt_double`]                | `printf("%.17g")`, `addReplyDouble`, `d2string`   |
//! | [`LongDouble::parse`]         | `string2ld` / `getLongDoubleFromObject`           |
//! | [`LongDouble::push_human`]    | `ld2string(.., LD_STR_HUMAN)` (`%.17Lf` trimmed)  |
//! | [`push_human_double`]         | `addReplyHumanLongDouble` of a `double` (GEO)     |
//! | [`incr_by_float`]             | `incrbyfloatCommand` arithmetic and errors        |
//! | [`hincr_by_float_parse_incr`], [`hincr_by_float_apply`] | `hincrbyfloatCommand`   |
//!
//! Floating point: `string2d` rounds like glibc's `strtod` and [`LongDouble`]
//! is the x86-64 80-bit x87 `long double` (64-bit significand, round to
//! nearest even, with subnormals), implemented in software with exact
//! big-integer arithmetic where decimal conversion needs it.

// A shared toolbox: not every helper is used by every build of the server.
#![allow(dead_code)]

use std::cmp::Ordering;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------

/// Longest string `string2ll` accepts (Redis `LONG_STR_SIZE` - 1).
pub const MAX_LL_STR_LEN: usize = 20;

/// Redis `string2ll`: strict base-10 `i64`. Accepts `0` or an optional `-`
/// followed by digits without a leading zero; at most 20 bytes; no `+`, no
/// spaces, no `-0`; `None` on overflow.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > MAX_LL_STR_LEN {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (&first, rest) = digits.split_first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v = u64::from(first - b'0');
    for &c in rest {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        // 2^63 becomes i64::MIN through the wrapping negation.
        (v <= 1u64 << 63).then(|| (v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Redis `string2l`; `long` is 64-bit on the platforms Redis targets, so this
/// is [`string2ll`].
pub fn string2l(s: &[u8]) -> Option<i64> {
    string2ll(s)
}

/// C `isspace` in the C locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Redis `string2ull` (used for the two halves of stream IDs). The input is
/// read as a C string, so anything from the first NUL byte on is ignored.
/// First tries [`string2ll`] (and then rejects negatives); otherwise falls
/// back to `strtoull(s, 10)` rules: leading C whitespace, an optional `+` or
/// `-` (a `-` negates modulo 2^64), leading zeros, and the whole rest must be
/// digits without overflow.
pub fn string2ull(s: &[u8]) -> Option<u64> {
    let s = match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    if let Some(v) = string2ll(s) {
        return u64::try_from(v).ok();
    }
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while i < s.len() && s[i].is_ascii_digit() {
        match v.checked_mul(10).and_then(|x| x.checked_add(u64::from(s[i] - b'0'))) {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start || i != s.len() || overflow {
        return None;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Redis `memtoull`, the memory-size parser of CONFIG SET (e.g. maxmemory)
/// and redis.conf. Read as a C string (stops at the first NUL). Digits then
/// an optional unit, case-insensitive: `b` 1, `k` 1000, `kb` 1024, `m`
/// 1000^2, `mb` 1024^2, `g` 1000^3, `gb` 1024^3. Rejects a leading `-`, any
/// other unit or byte (spaces, `+`, `.`), and 128 or more digits. Quirks kept:
/// no digits means 0 (`""` and `"gb"` are 0), too many for `u64` saturates
/// at `u64::MAX`, and the unit multiplication wraps modulo 2^64.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    let s = match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    if s.first() == Some(&b'-') {
        return None;
    }
    let ndig = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = &s[ndig..];
    let units: [(&[u8], u64); 7] = [
        (b"b", 1),
        (b"k", 1000),
        (b"kb", 1024),
        (b"m", 1000 * 1000),
        (b"mb", 1024 * 1024),
        (b"g", 1000 * 1000 * 1000),
        (b"gb", 1024 * 1024 * 1024),
    ];
    let mul = if unit.is_empty() {
        1
    } else {
        units
            .iter()
            .find(|(u, _)| unit.eq_ignore_ascii_case(u))
            .map(|&(_, m)| m)?
    };
    if ndig >= 128 {
        return None;
    }
    let val = s[..ndig].iter().fold(0u64, |a, &c| {
        a.checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(c - b'0')))
            .unwrap_or(u64::MAX)
    });
    Some(val.wrapping_mul(mul))
}

const fn make_digit_pairs() -> [u8; 200] {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
}

static DIGIT_PAIRS: [u8; 200] = make_digit_pairs();

/// Formats `v` in decimal at the end of `buf`; returns the digits. Like
/// Redis `ull2string`.
pub fn fmt_u64(buf: &mut [u8; 20], mut v: u64) -> &[u8] {
    let mut i = buf.len();
    while v >= 100 {
        let r = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
    }
    if v >= 10 {
        let r = v as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    &buf[i..]
}

/// Formats `v` in decimal (with a leading `-` if negative) at the end of
/// `buf`; returns the text. Like Redis `ll2string`. 20 bytes fit
/// `-9223372036854775808`.
pub fn fmt_i64(buf: &mut [u8; 20], v: i64) -> &[u8] {
    let len = fmt_u64(buf, v.unsigned_abs()).len();
    let mut start = buf.len() - len;
    if v < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

/// Appends the decimal form of `v` to `out` (Redis `ll2string`).
pub fn push_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    out.extend_from_slice(fmt_i64(&mut buf, v));
}

/// Appends the decimal form of `v` to `out` (Redis `ull2string`).
pub fn push_u64(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    out.extend_from_slice(fmt_u64(&mut buf, v));
}

/// Number of decimal digits of `v` (Redis `digits10`).
pub fn digits10(v: u64) -> usize {
    let mut n = 1;
    let mut x = v;
    while x >= 10 {
        x /= 10;
        n += 1;
    }
    n
}

/// Length of the decimal form of `v`, sign included (Redis `sdigits10`).
pub fn sdigits10(v: i64) -> usize {
    digits10(v.unsigned_abs()) + usize::from(v < 0)
}

// ---------------------------------------------------------------------------
// Binary floating point core: exact rounding to a given format.
// ---------------------------------------------------------------------------

/// A binary floating-point format with subnormals.
#[derive(Clone, Copy)]
struct BinFormat {
    /// Significand bits, the leading one included.
    prec: i32,
    /// Exponent of the leading bit of the smallest normal number.
    emin: i32,
    /// Exponent of the leading bit of the largest finite number.
    emax: i32,
}

/// x87 80-bit extended precision, C `long double` on x86-64.
const X87: BinFormat = BinFormat {
    prec: 64,
    emin: -16382,
    emax: 16383,
};

/// IEEE binary64, C `double`.
const F64: BinFormat = BinFormat {
    prec: 53,
    emin: -1022,
    emax: 1023,
};

/// Clamp for intermediate binary exponents: far outside both formats, far
/// inside `i32`.
const EXP_CLAMP: i64 = 1 << 20;

/// Rounds `(q + tail) * 2^e` to `fmt` with round-to-nearest-even, where
/// `tail` is in (0, 1) when `sticky` and 0 otherwise. Callers keep at least
/// two bits below the rounding point whenever `sticky` is set, and keep
/// `q < 2^127`. Returns the value as `m * 2^exp` (`m == 0` for zero, which is
/// `(0, 0)`), or `None` on overflow to infinity. Normal results have the
/// top bit of a `prec`-bit `m` set; subnormals have `exp = emin - prec + 1`.
fn round_bin(fmt: BinFormat, q: u128, e: i32, sticky: bool) -> Option<(u64, i32)> {
    if q == 0 {
        return Some((0, 0));
    }
    let bits = 128 - q.leading_zeros() as i32;
    let lead = e + bits - 1;
    if lead < fmt.emin - fmt.prec {
        // Below half the smallest subnormal.
        return Some((0, 0));
    }
    let mut exp = lead.max(fmt.emin) - (fmt.prec - 1);
    let shift = exp - e;
    let mut m: u128 = if shift <= 0 {
        // Exact: fits in prec bits by construction.
        q << (-shift) as u32
    } else if shift > 128 {
        return Some((0, 0));
    } else {
        let shift = shift as u32;
        let (kept, rem, half) = if shift == 128 {
            (0, q, 1u128 << 127)
        } else {
            (q >> shift, q & ((1u128 << shift) - 1), 1u128 << (shift - 1))
        };
        let up = match rem.cmp(&half) {
            Ordering::Greater => true,
            Ordering::Equal => sticky || kept & 1 == 1,
            Ordering::Less => false,
        };
        kept + u128::from(up)
    };
    if m == 1u128 << fmt.prec {
        m >>= 1;
        exp += 1;
    }
    if m == 0 {
        return Some((0, 0));
    }
    let top = exp + (128 - m.leading_zeros() as i32) - 1;
    if top > fmt.emax {
        return None;
    }
    Some((m as u64, exp))
}

fn f64_to_parts(d: f64) -> (bool, u64, i32) {
    let bits = d.to_bits();
    let neg = bits >> 63 != 0;
    let bexp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if bexp == 0 {
        (neg, frac, -1074)
    } else {
        (neg, frac | (1u64 << 52), bexp - 1075)
    }
}

/// Builds an `f64` from a finite result of `round_bin(F64, ..)`.
fn f64_from_parts(neg: bool, m: u64, e: i32) -> f64 {
    let sign = u64::from(neg) << 63;
    if m == 0 {
        return f64::from_bits(sign);
    }
    if m < 1u64 << 52 {
        // Subnormal: e == -1074.
        return f64::from_bits(sign | m);
    }
    let bexp = (e + 1075) as u64;
    f64::from_bits(sign | (bexp << 52) | (m & ((1u64 << 52) - 1)))
}

// ---------------------------------------------------------------------------
// Minimal unsigned big integers (little-endian u64 limbs), just what exact
// decimal <-> binary conversion needs.
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Big(Vec<u64>);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v]);
        b.trim();
        b
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> usize {
        match self.0.last() {
            Some(&top) => self.0.len() * 64 - top.leading_zeros() as usize,
            None => 0,
        }
    }

    /// self = self * mul + add
    fn mul_add_small(&mut self, mul: u64, add: u64) {
        let mut carry = add;
        for limb in self.0.iter_mut() {
            let t = u128::from(*limb) * u128::from(mul) + u128::from(carry);
            *limb = t as u64;
            carry = (t >> 64) as u64;
        }
        if carry != 0 {
            self.0.push(carry);
        }
        self.trim();
    }

    /// self = self * 10^k
    fn mul_pow10(&mut self, mut k: u64) {
        const P19: u64 = 10_000_000_000_000_000_000;
        while k >= 19 {
            self.mul_add_small(P19, 0);
            k -= 19;
        }
        if k > 0 {
            self.mul_add_small(10u64.pow(k as u32), 0);
        }
    }

    /// self = self / d; returns the remainder. `d != 0`.
    fn div_rem_small(&mut self, d: u64) -> u64 {
        let mut rem: u128 = 0;
        for limb in self.0.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / u128::from(d)) as u64;
            rem = cur % u128::from(d);
        }
        self.trim();
        rem as u64
    }

    fn shl(&mut self, bits: usize) {
        if self.is_zero() {
            return;
        }
        let limbs = bits / 64;
        let sh = (bits % 64) as u32;
        if sh != 0 {
            let mut carry = 0u64;
            for limb in self.0.iter_mut() {
                let v = *limb;
                *limb = (v << sh) | carry;
                carry = v >> (64 - sh);
            }
            if carry != 0 {
                self.0.push(carry);
            }
        }
        if limbs > 0 {
            self.0.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    fn shr1(&mut self) {
        let mut carry = 0u64;
        for limb in self.0.iter_mut().rev() {
            let v = *limb;
            *limb = (v >> 1) | carry;
            carry = v << 63;
        }
        self.trim();
    }

    fn cmp(&self, other: &Big) -> Ordering {
        match self.0.len().cmp(&other.0.len()) {
            Ordering::Equal => {}
            o => return o,
        }
        for (a, b) in self.0.iter().rev().zip(other.0.iter().rev()) {
            match a.cmp(b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        Ordering::Equal
    }

    /// self -= other; requires self >= other.
    fn sub_assign(&mut self, other: &Big) {
        let mut borrow = false;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let o = other.0.get(i).copied().unwrap_or(0);
            let (v1, b1) = limb.overflowing_sub(o);
            let (v2, b2) = v1.overflowing_sub(u64::from(borrow));
            *limb = v2;
            borrow = b1 || b2;
        }
        self.trim();
    }

    /// Appends the decimal digits of self (which it consumes) to `out`.
    fn push_decimal(mut self, out: &mut Vec<u8>) {
        const P19: u64 = 10_000_000_000_000_000_000;
        if self.is_zero() {
            out.push(b'0');
            return;
        }
        let mut chunks = Vec::new();
        while !self.is_zero() {
            chunks.push(self.div_rem_small(P19));
        }
        let mut buf = [0u8; 20];
        let mut iter = chunks.iter().rev();
        if let Some(&top) = iter.next() {
            out.extend_from_slice(fmt_u64(&mut buf, top));
        }
        for &c in iter {
            let d = fmt_u64(&mut buf, c);
            out.extend(std::iter::repeat_n(b'0', 19 - d.len()));
            out.extend_from_slice(d);
        }
    }
}

/// Exactly rounds the positive rational `num / den` (`den != 0`) to `fmt`.
fn round_ratio(fmt: BinFormat, mut num: Big, mut den: Big) -> Option<(u64, i32)> {
    if num.is_zero() {
        return Some((0, 0));
    }
    // Scale so that the quotient has 68 to 70 bits: plenty of room for
    // rounding with a sticky bit, and well below 2^127.
    let k = num.bit_len() as i64 - den.bit_len() as i64;
    let s = 69 - k;
    if s >= 0 {
        num.shl(s as usize);
    } else {
        den.shl((-s) as usize);
    }
    let qbits = num.bit_len().saturating_sub(den.bit_len()) + 1;
    let mut q: u128 = 0;
    den.shl(qbits - 1);
    for i in (0..qbits).rev() {
        if num.cmp(&den) != Ordering::Less {
            num.sub_assign(&den);
            q |= 1u128 << i;
        }
        den.shr1();
    }
    let e = (-s).clamp(-EXP_CLAMP, EXP_CLAMP) as i32;
    round_bin(fmt, q, e, !num.is_zero())
}

// ---------------------------------------------------------------------------
// strtod / strtold syntax
// ---------------------------------------------------------------------------

/// What a full-string `strtod`-style parse found.
enum Scanned<'a> {
    Inf,
    /// Digits (with the radix point) and a decimal exponent.
    Decimal {
        int: &'a [u8],
        frac: &'a [u8],
        exp: i64,
    },
    /// Hex digits (with the radix point) and a binary exponent.
    Hex {
        int: &'a [u8],
        frac: &'a [u8],
        exp: i64,
    },
}

/// Parses the exponent digits; saturates far beyond any useful range.
fn parse_exp_digits(s: &[u8]) -> i64 {
    let mut v: i64 = 0;
    for &c in s {
        v = (v * 10 + i64::from(c - b'0')).min(1 << 40);
    }
    v
}

/// Reads an optional exponent (`e`/`p` style, decimal digits) at `s[i..]`
/// and requires that it ends the string. Returns the exponent.
fn scan_exponent(s: &[u8], i: usize, marker: u8) -> Option<i64> {
    if i == s.len() {
        return Some(0);
    }
    if s[i].to_ascii_lowercase() != marker {
        return None;
    }
    let mut j = i + 1;
    let mut neg = false;
    if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
        neg = s[j] == b'-';
        j += 1;
    }
    let digits = &s[j..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        // strtod would stop before the marker, leaving text unparsed.
        return None;
    }
    let v = parse_exp_digits(digits);
    Some(if neg { -v } else { v })
}

/// Reads `digits [. digits]` from `s[from..]`. Returns the integer and
/// fraction digits and where the mantissa ends; a lone `.` is not consumed.
fn scan_mantissa(s: &[u8], from: usize, is_digit: fn(&u8) -> bool) -> (&[u8], &[u8], usize) {
    let n_int = s[from..].iter().take_while(|c| is_digit(c)).count();
    let int = &s[from..from + n_int];
    let dot = from + n_int;
    if s.get(dot) == Some(&b'.') {
        let n_frac = s[dot + 1..].iter().take_while(|c| is_digit(c)).count();
        if n_int + n_frac > 0 {
            return (int, &s[dot + 1..dot + 1 + n_frac], dot + 1 + n_frac);
        }
    }
    (int, &[], dot)
}

/// glibc `strtod`/`strtold` syntax in the C locale, requiring that the whole
/// input is consumed and that it does not start with whitespace (as Redis's
/// callers check). NaN spellings are rejected here since Redis rejects NaN
/// results anyway. Returns the sign and what was found.
fn scan_float(s: &[u8]) -> Option<(bool, Scanned<'_>)> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        Some(_) => (false, s),
        None => return None,
    };
    if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
        return Some((neg, Scanned::Inf));
    }
    let hex_prefix = body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x';
    if hex_prefix {
        let (int, frac, end) = scan_mantissa(body, 2, u8::is_ascii_hexdigit);
        if int.is_empty() && frac.is_empty() {
            // "0x" with no hex digits parses as "0" and stops at the 'x'.
            return None;
        }
        let exp = scan_exponent(body, end, b'p')?;
        return Some((neg, Scanned::Hex { int, frac, exp }));
    }
    let (int, frac, end) = scan_mantissa(body, 0, u8::is_ascii_digit);
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let exp = scan_exponent(body, end, b'e')?;
    Some((neg, Scanned::Decimal { int, frac, exp }))
}

/// Result of converting a scanned number to a binary format.
enum Conv {
    /// `m * 2^e`, `m == 0` for an exact zero.
    Finite(u64, i32),
    /// Literal infinity.
    Inf,
    /// A finite number too large for the format (strtod: `ERANGE` and
    /// infinity).
    Overflow,
    /// A nonzero number that rounds to zero (strtod: `ERANGE` and zero).
    Underflow,
}

fn hex_val(c: u8) -> u32 {
    (c as char).to_digit(16).unwrap_or(0)
}

const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Rounds `mant * 10^e10` to `fmt` with plain 128-bit arithmetic, for
/// `mant < 10^19` and `|e10| <= 19`, the common case.
fn small_decimal(fmt: BinFormat, mant: u64, e10: i64) -> Option<(u64, i32)> {
    if e10 >= 0 {
        // Exact: below 10^38 < 2^127.
        let q = u128::from(mant) * u128::from(POW10[e10 as usize]);
        return round_bin(fmt, q, 0, false);
    }
    // floor(mant * 2^s / 10^k) with s chosen for a 68-69 bit quotient,
    // by long division over 64-bit limbs; the remainder is the sticky bit.
    let p = POW10[(-e10) as usize];
    let bits = |v: u64| 64 - v.leading_zeros() as i32;
    let s = (68 - bits(mant) + bits(p)) as u32;
    let wide = u128::from(mant) << (s % 64);
    let mut limbs = [0u64; 5];
    let at = (s / 64) as usize;
    limbs[at] = wide as u64;
    limbs[at + 1] = (wide >> 64) as u64;
    let (mut q, mut rem) = (0u128, 0u128);
    for &limb in limbs.iter().rev() {
        let cur = (rem << 64) | u128::from(limb);
        q = (q << 64) | (cur / u128::from(p));
        rem = cur % u128::from(p);
    }
    round_bin(fmt, q, -(s as i32), rem != 0)
}

/// Correctly rounded conversion, like glibc.
fn convert(fmt: BinFormat, sc: &Scanned<'_>) -> Conv {
    let res = match *sc {
        Scanned::Inf => return Conv::Inf,
        Scanned::Hex { int, frac, exp } => {
            // Significant hex digits: the first 30 go into q (at most 120
            // bits), later ones only matter as a sticky bit.
            let mut q: u128 = 0;
            let mut taken = 0usize;
            let mut sticky = false;
            // Binary exponent of q's last bit.
            let mut e2 = exp - 4 * frac.len() as i64;
            for &c in int.iter().chain(frac.iter()) {
                let v = hex_val(c);
                if q == 0 && v == 0 {
                    continue;
                }
                if taken < 30 {
                    q = (q << 4) | u128::from(v);
                    taken += 1;
                } else {
                    sticky |= v != 0;
                    e2 += 4;
                }
            }
            if q == 0 {
                return Conv::Finite(0, 0);
            }
            let e = e2.clamp(-EXP_CLAMP, EXP_CLAMP) as i32;
            round_bin(fmt, q, e, sticky)
        }
        Scanned::Decimal { int, frac, exp } => {
            // The digits, radix point removed, are d[0..total]; the
            // significant ones are d[first..end].
            let total = int.len() + frac.len();
            let d = |i: usize| {
                if i < int.len() {
                    int[i]
                } else {
                    frac[i - int.len()]
                }
            };
            let first = (0..total).take_while(|&i| d(i) == b'0').count();
            if first == total {
                return Conv::Finite(0, 0);
            }
            let end = total - (first..total).rev().take_while(|&i| d(i) == b'0').count();
            let nsig = end - first;
            // value = 0.d[first..end] * 10^point
            let point = int.len() as i64 - first as i64 + exp.clamp(-(1 << 40), 1 << 40);
            // value is in [10^(point-1), 10^point): settle clear overflow and
            // underflow without big numbers.
            let (max_point, min_point) = if fmt.prec == 64 { (4933, -4951) } else { (309, -324) };
            if point > max_point {
                return Conv::Overflow;
            }
            if point < min_point {
                return Conv::Underflow;
            }
            if nsig <= 19 && (-19..=19).contains(&(point - nsig as i64)) {
                let mant = (first..end).fold(0u64, |a, i| a * 10 + u64::from(d(i) - b'0'));
                small_decimal(fmt, mant, point - nsig as i64)
            } else {
                // More digits than can affect rounding only add a sticky
                // "nonzero tail": keep a prefix and append a digit 1.
                let limit = if fmt.prec == 64 { 12000 } else { 800 };
                let used = nsig.min(limit);
                let mut num = Big(Vec::new());
                let mut i = first;
                while i < first + used {
                    let n = (first + used - i).min(19);
                    let v = (i..i + n).fold(0u64, |a, j| a * 10 + u64::from(d(j) - b'0'));
                    num.mul_add_small(POW10[n], v);
                    i += n;
                }
                let mut ndig = used as i64;
                if used < nsig {
                    num.mul_add_small(10, 1);
                    ndig += 1;
                }
                // value = num * 10^e10
                let e10 = point - ndig;
                let mut den = Big::from_u64(1);
                if e10 >= 0 {
                    num.mul_pow10(e10 as u64);
                } else {
                    den.mul_pow10((-e10) as u64);
                }
                round_ratio(fmt, num, den)
            }
        }
    };
    match res {
        Some((0, _)) => Conv::Underflow,
        Some((m, e)) => Conv::Finite(m, e),
        None => Conv::Overflow,
    }
}

// ---------------------------------------------------------------------------
// double
// ---------------------------------------------------------------------------

/// Redis `string2d` (what `getDoubleFromObject` uses for ZADD scores, ZRANGE
/// BYSCORE bounds, ...): glibc `strtod` over the whole input with
/// correctly rounded results. Accepts decimal (`1`, `-1.5e3`, `.5`, `5.`),
/// hex floats (`0x10`, `0x1.8p3`), and `inf`/`infinity` in any case with an
/// optional sign. Rejects the empty string, leading or trailing whitespace,
/// any other trailing byte (embedded NUL included), NaN, and nonzero values
/// that overflow to infinity or underflow to zero (`1e400`, `1e-400`).
/// Signed zero is kept (`-0` gives `-0.0`).
pub fn string2d(s: &[u8]) -> Option<f64> {
    match strtod_full(s)? {
        (v, false) => Some(v),
        (_, true) => None,
    }
}

/// Redis `zslParseRange`'s number rule for score range bounds (ZCOUNT,
/// ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZREMRANGEBYSCORE, ZRANGE/ZRANGESTORE
/// BYSCORE), applied after the caller strips one leading `(`: plain C
/// `strtod`, which must consume everything up to the first NUL byte. Laxer
/// than [`string2d`]: leading C whitespace is skipped, overflow gives
/// `inf`/`-inf` (`1e400`), underflow gives 0, the empty string is 0 (so a
/// bare `(` is "exclusive 0"), and bytes after a NUL are ignored. Still
/// rejects NaN, trailing bytes (`1 `) and whitespace-only input. The caller
/// replies `ERR min or max is not a float` on `None`.
pub fn strtod_relaxed(s: &[u8]) -> Option<f64> {
    let s = match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    if s.is_empty() {
        // No conversion; the end pointer is at the terminating NUL.
        return Some(0.0);
    }
    let ws = s.iter().take_while(|&&c| is_c_space(c)).count();
    strtod_full(&s[ws..]).map(|(v, _)| v)
}

/// glibc `strtod` over all of `s` (no leading whitespace): the correctly
/// rounded value and whether `errno` would be `ERANGE` with an infinite or
/// zero result. `None` if `s` is not entirely a number, or is NaN.
fn strtod_full(s: &[u8]) -> Option<(f64, bool)> {
    let (neg, sc) = scan_float(s)?;
    if let Scanned::Decimal { int, frac, .. } = sc {
        // The syntax was checked above and is also Rust's, whose parser is
        // correctly rounded and fast; only ERANGE needs deciding here.
        let v: f64 = std::str::from_utf8(s).ok()?.parse().ok()?;
        let nonzero = int.iter().chain(frac.iter()).any(|&c| c != b'0');
        return Some((v, !v.is_finite() || (v == 0.0 && nonzero)));
    }
    let inf = if neg { f64::NEG_INFINITY } else { f64::INFINITY };
    Some(match convert(F64, &sc) {
        Conv::Inf => (inf, false),
        Conv::Finite(m, e) => (f64_from_parts(neg, m, e), false),
        Conv::Overflow => (inf, true),
        Conv::Underflow => (f64_from_parts(neg, 0, 0), true),
    })
}

/// A fixed-size stack buffer for `fmt::Write`.
struct StackBuf {
    buf: [u8; 48],
    len: usize,
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let b = s.as_bytes();
        let end = self.len + b.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(b);
        self.len = end;
        Ok(())
    }
}

/// Appends `d` formatted exactly like C `printf("%.17g", d)` with glibc,
/// which is how Redis 7.0 prints doubles: ZSCORE and other score replies
/// (`addReplyDouble`, RESP2 bulk and RESP3 `,` alike) and `d2string` (the
/// listpack score text). `inf`, `-inf` and `nan` print as such; `-0.0` prints
/// `-0`. Examples: `0.1` -> `0.10000000000000001`, `1e17` -> `1e+17`,
/// `1e16` -> `10000000000000000`, `1e-5` -> `1.0000000000000001e-05`.
pub fn fmt_double(out: &mut Vec<u8>, d: f64) {
    if d.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if d.is_infinite() {
        out.extend_from_slice(if d > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    // Integers below 2^53 print as themselves (Redis's d2string shortcut).
    if d.trunc() == d && d.abs() < 9_007_199_254_740_992.0 {
        if d == 0.0 && d.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            push_i64(out, d as i64);
        }
        return;
    }
    // Rust's `{:.16e}` gives the exactly rounded (ties to even) 17
    // significant digits; then apply the %g rules.
    let mut sb = StackBuf { buf: [0; 48], len: 0 };
    if write!(sb, "{:.16e}", d).is_err() {
        return;
    }
    let text = &sb.buf[..sb.len];
    let (neg, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // text = "d.dddddddddddddddde[-]x"
    let mut digits = [b'0'; 17];
    let mut nd = 0;
    let mut pos = 0;
    while pos < text.len() && text[pos] != b'e' {
        if text[pos].is_ascii_digit() && nd < 17 {
            digits[nd] = text[pos];
            nd += 1;
        }
        pos += 1;
    }
    let exp_text = text.get(pos + 1..).unwrap_or(b"");
    let (eneg, exp_digits) = match exp_text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, exp_text),
    };
    let mut x: i32 = 0;
    for &c in exp_digits {
        x = x * 10 + i32::from(c.wrapping_sub(b'0'));
    }
    if eneg {
        x = -x;
    }
    if neg {
        out.push(b'-');
    }
    // Significant digits without trailing zeros (at least one).
    let mut sig = 17;
    while sig > 1 && digits[sig - 1] == b'0' {
        sig -= 1;
    }
    if (-4..17).contains(&x) {
        if x >= 0 {
            let int_len = x as usize + 1;
            out.extend_from_slice(&digits[..int_len]);
            if sig > int_len {
                out.push(b'.');
                out.extend_from_slice(&digits[int_len..sig]);
            }
        } else {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-x - 1) as usize));
            out.extend_from_slice(&digits[..sig]);
        }
    } else {
        out.push(digits[0]);
        if sig > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..sig]);
        }
        out.push(b'e');
        out.push(if x < 0 { b'-' } else { b'+' });
        let ax = x.unsigned_abs();
        if ax < 10 {
            out.push(b'0');
        }
        push_u64(out, u64::from(ax));
    }
}

/// Appends `%.17Lf` of the double `d` as a `long double`, trimmed the
/// `LD_STR_HUMAN` way: Redis `addReplyHumanLongDouble(c, d)` as GEOPOS and
/// GEOSEARCH WITHCOORD use it. See [`LongDouble::push_human`].
pub fn push_human_double(out: &mut Vec<u8>, d: f64) {
    LongDouble::from_f64(d).push_human(out);
}

// ---------------------------------------------------------------------------
// long double
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LdKind {
    /// `m * 2^e`, canonical: zero is `(0, 0)`, normal numbers have bit 63
    /// of `m` set, subnormals have `e == -16445`.
    Finite {
        m: u64,
        e: i32,
    },
    Inf,
    Nan,
}

/// An x86-64 C `long double` (x87 80-bit extended precision) in software:
/// the type Redis 7.0 computes INCRBYFLOAT and HINCRBYFLOAT in. Arithmetic
/// rounds to nearest even, like the x87 FPU in its default mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongDouble {
    neg: bool,
    kind: LdKind,
}

/// Longest input `string2ld` accepts: Redis copies it into a
/// `MAX_LONG_DOUBLE_CHARS` (5 * 1024) buffer with its NUL.
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

impl LongDouble {
    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble {
        neg: false,
        kind: LdKind::Finite { m: 0, e: 0 },
    };

    fn from_round(neg: bool, r: Option<(u64, i32)>) -> LongDouble {
        match r {
            Some((m, e)) => LongDouble {
                neg,
                kind: LdKind::Finite { m, e },
            },
            None => LongDouble { neg, kind: LdKind::Inf },
        }
    }

    /// Redis `string2ld` (used by `getLongDoubleFromObject`): glibc `strtold`
    /// over the whole input, at most 5119 bytes. Same syntax and rejections
    /// as [`string2d`] but with the `long double` range and precision, so
    /// `1e400` is accepted while `1e5000` and `1e-5000` are not. `inf` is
    /// accepted (the addition then fails).
    ///
    /// Known difference: glibc 2.36 misrounds some hex-float inputs with more
    /// than 16 significant hex digits whose value is an x87 subnormal (below
    /// 3.4e-4932), e.g. `0x1.0000000000000001p-16446` gives 0 there (so
    /// Redis rejects it) while this rounds correctly to the smallest
    /// subnormal. Decimal input showed no such difference.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        let (neg, sc) = scan_float(s)?;
        match convert(X87, &sc) {
            Conv::Inf => Some(LongDouble { neg, kind: LdKind::Inf }),
            Conv::Finite(m, e) => Some(LongDouble {
                neg,
                kind: LdKind::Finite { m, e },
            }),
            Conv::Overflow | Conv::Underflow => None,
        }
    }

    /// Exact conversion from `i64`.
    pub fn from_i64(v: i64) -> LongDouble {
        let r = round_bin(X87, u128::from(v.unsigned_abs()), 0, false);
        Self::from_round(v < 0, r)
    }

    /// Exact conversion from `f64` (C `(long double)d`).
    pub fn from_f64(d: f64) -> LongDouble {
        if d.is_nan() {
            return LongDouble {
                neg: d.is_sign_negative(),
                kind: LdKind::Nan,
            };
        }
        if d.is_infinite() {
            return LongDouble {
                neg: d < 0.0,
                kind: LdKind::Inf,
            };
        }
        let (neg, m, e) = f64_to_parts(d);
        Self::from_round(neg, round_bin(X87, u128::from(m), e, false))
    }

    /// C `(double)ld`: rounds to nearest even.
    pub fn to_f64(self) -> f64 {
        match self.kind {
            LdKind::Nan => f64::NAN,
            LdKind::Inf => {
                if self.neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            LdKind::Finite { m, e } => match round_bin(F64, u128::from(m), e, false) {
                Some((m, e)) => f64_from_parts(self.neg, m, e),
                None if self.neg => f64::NEG_INFINITY,
                None => f64::INFINITY,
            },
        }
    }

    /// The x87 80-bit encoding: (sign bit and 15-bit biased exponent, 64-bit
    /// significand with its explicit integer bit), as stored in memory on
    /// x86-64. NaN gives the x87 default NaN.
    pub fn to_x87_bits(self) -> (u16, u64) {
        let sign = if self.neg { 0x8000u16 } else { 0 };
        match self.kind {
            LdKind::Nan => (sign | 0x7fff, 0xc000_0000_0000_0000),
            LdKind::Inf => (sign | 0x7fff, 0x8000_0000_0000_0000),
            LdKind::Finite { m, e } => {
                if m >> 63 == 0 {
                    // Zero or subnormal.
                    (sign, m)
                } else {
                    (sign | (e + 63 + 16383) as u16, m)
                }
            }
        }
    }

    /// True unless infinite or NaN.
    pub fn is_finite(self) -> bool {
        matches!(self.kind, LdKind::Finite { .. })
    }

    /// True for NaN.
    pub fn is_nan(self) -> bool {
        self.kind == LdKind::Nan
    }

    /// True for either infinity.
    pub fn is_infinite(self) -> bool {
        self.kind == LdKind::Inf
    }

    /// True if the sign bit is set (also for `-0`).
    pub fn is_sign_negative(self) -> bool {
        self.neg
    }

    /// `self + other` rounded to nearest even, as the x87 FPU does it.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, other: LongDouble) -> LongDouble {
        let nan = LongDouble {
            neg: true,
            kind: LdKind::Nan,
        };
        let (ma, ea, mb, eb) = match (self.kind, other.kind) {
            (LdKind::Nan, _) | (_, LdKind::Nan) => return nan,
            (LdKind::Inf, LdKind::Inf) => {
                return if self.neg == other.neg { self } else { nan };
            }
            (LdKind::Inf, _) => return self,
            (_, LdKind::Inf) => return other,
            (LdKind::Finite { m: ma, e: ea }, LdKind::Finite { m: mb, e: eb }) => (ma, ea, mb, eb),
        };
        if ma == 0 && mb == 0 {
            // -0 + -0 = -0, any other mix of zeros is +0.
            return LongDouble {
                neg: self.neg && other.neg,
                kind: LdKind::Finite { m: 0, e: 0 },
            };
        }
        if ma == 0 {
            return other;
        }
        if mb == 0 {
            return self;
        }
        // Order by exponent so that `a` has the larger one.
        let (a_neg, ma, ea, b_neg, mb, eb) = if ea >= eb {
            (self.neg, ma, ea, other.neg, mb, eb)
        } else {
            (other.neg, mb, eb, self.neg, ma, ea)
        };
        // 62 guard bits below each significand.
        let a = u128::from(ma) << 62;
        let b_full = u128::from(mb) << 62;
        let d = (ea - eb) as u32;
        let (b, sticky) = if d >= 128 {
            (0, true)
        } else {
            (b_full >> d, b_full & ((1u128 << d) - 1) != 0)
        };
        let e = ea - 62;
        if a_neg == b_neg {
            return Self::from_round(a_neg, round_bin(X87, a + b, e, sticky));
        }
        // Opposite signs: |a| - |b|. When bits were shifted out (d > 0, so
        // |a| > |b|), a - (b + t) = (a - b - 1) + (1 - t) with t in (0, 1).
        match a.cmp(&b) {
            Ordering::Equal if !sticky => LongDouble::ZERO,
            Ordering::Less => Self::from_round(b_neg, round_bin(X87, b - a, e, false)),
            _ => {
                let diff = (a - b).saturating_sub(u128::from(sticky));
                Self::from_round(a_neg, round_bin(X87, diff, e, sticky))
            }
        }
    }

    /// Appends Redis `ld2string(.., LD_STR_HUMAN)`: `%.17Lf`, then trailing
    /// zeros and a trailing `.` removed, and `-0` turned into `0`. Infinities
    /// print as `inf`/`-inf` and NaN as `nan`/`-nan`.
    pub fn push_human(self, out: &mut Vec<u8>) {
        let (m, e) = match self.kind {
            LdKind::Inf => {
                out.extend_from_slice(if self.neg { b"-inf" } else { b"inf" });
                return;
            }
            LdKind::Nan => {
                out.extend_from_slice(if self.neg { b"-nan" } else { b"nan" });
                return;
            }
            LdKind::Finite { m, e } => (m, e),
        };
        let start = out.len();
        if self.neg {
            out.push(b'-');
        }
        push_fixed17(out, m, e);
        // Trim "%.17Lf" the LD_STR_HUMAN way.
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
        if &out[start..] == b"-0" {
            out.truncate(start);
            out.push(b'0');
        }
    }

    /// The `LD_STR_HUMAN` text as a new vector.
    pub fn to_human(self) -> Vec<u8> {
        let mut v = Vec::new();
        self.push_human(&mut v);
        v
    }
}

/// Appends `%.17Lf` of the nonnegative value `m * 2^e`, rounded to 17
/// decimals with ties to even (glibc honours the current rounding mode).
fn push_fixed17(out: &mut Vec<u8>, m: u64, e: i32) {
    const P17: u128 = 100_000_000_000_000_000;
    if e >= 0 {
        let mut big = Big::from_u64(m);
        big.shl(e as usize);
        big.push_decimal(out);
        out.extend_from_slice(b".00000000000000000");
        return;
    }
    // round(m * 10^17 / 2^k); m * 10^17 < 2^121.
    let k = e.unsigned_abs();
    let n = u128::from(m) * P17;
    let r = if k >= 122 {
        0
    } else {
        let q = n >> k;
        let rem = n & ((1u128 << k) - 1);
        let half = 1u128 << (k - 1);
        match rem.cmp(&half) {
            Ordering::Greater => q + 1,
            Ordering::Equal => q + (q & 1),
            Ordering::Less => q,
        }
    };
    let int_part = r / P17;
    let frac = (r % P17) as u64;
    // int_part < 2^64 / 10^17 * 10^... fits comfortably: r < 2^121 / 2^k.
    let mut buf = [0u8; 20];
    if let Ok(ip) = u64::try_from(int_part) {
        out.extend_from_slice(fmt_u64(&mut buf, ip));
    } else {
        let mut big = Big(vec![int_part as u64, (int_part >> 64) as u64]);
        big.trim();
        big.push_decimal(out);
    }
    out.push(b'.');
    let f = fmt_u64(&mut buf, frac);
    out.extend(std::iter::repeat_n(b'0', 17 - f.len()));
    out.extend_from_slice(f);
}

// ---------------------------------------------------------------------------
// INCRBYFLOAT / HINCRBYFLOAT
// ---------------------------------------------------------------------------

/// Errors of INCRBYFLOAT / HINCRBYFLOAT. [`IncrFloatError::message`] is the
/// exact Redis error text (without the leading `-`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncrFloatError {
    /// `ERR value is not a valid float`: the stored value (INCRBYFLOAT) or
    /// the increment (both commands) fails `string2ld`.
    NotAFloat,
    /// `ERR hash value is not a float`: HINCRBYFLOAT's stored field value
    /// fails `string2ld`.
    HashValueNotAFloat,
    /// `ERR value is NaN or Infinity`: HINCRBYFLOAT's increment is `inf`.
    IncrNanOrInfinity,
    /// `ERR increment would produce NaN or Infinity`: the sum is not finite.
    WouldProduceNanOrInfinity,
}

impl IncrFloatError {
    /// The Redis error reply text, e.g. `ERR value is not a valid float`.
    pub fn message(self) -> &'static str {
        match self {
            IncrFloatError::NotAFloat => "ERR value is not a valid float",
            IncrFloatError::HashValueNotAFloat => "ERR hash value is not a float",
            IncrFloatError::IncrNanOrInfinity => "ERR value is NaN or Infinity",
            IncrFloatError::WouldProduceNanOrInfinity => "ERR increment would produce NaN or Infinity",
        }
    }
}

impl std::fmt::Display for IncrFloatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for IncrFloatError {}

/// INCRBYFLOAT after the type check: parses the current string value `cur`
/// (pass `b"0"` for a missing key) and then `incr`, both with `string2ld`,
/// adds them in `long double` and returns the `LD_STR_HUMAN` text that Redis
/// both stores and replies. Errors in Redis's order: `NotAFloat` (value,
/// then increment), then `WouldProduceNanOrInfinity`.
pub fn incr_by_float(cur: &[u8], incr: &[u8]) -> Result<Vec<u8>, IncrFloatError> {
    let value = LongDouble::parse(cur).ok_or(IncrFloatError::NotAFloat)?;
    let incr = LongDouble::parse(incr).ok_or(IncrFloatError::NotAFloat)?;
    let sum = value.add(incr);
    if !sum.is_finite() {
        return Err(IncrFloatError::WouldProduceNanOrInfinity);
    }
    Ok(sum.to_human())
}

/// HINCRBYFLOAT step 1, before the key is looked up (so before WRONGTYPE):
/// parses the increment. `NotAFloat` if `string2ld` rejects it,
/// `IncrNanOrInfinity` if it is infinite.
pub fn hincr_by_float_parse_incr(incr: &[u8]) -> Result<LongDouble, IncrFloatError> {
    let v = LongDouble::parse(incr).ok_or(IncrFloatError::NotAFloat)?;
    if !v.is_finite() {
        return Err(IncrFloatError::IncrNanOrInfinity);
    }
    Ok(v)
}

/// HINCRBYFLOAT step 2: `cur` is the field's current value (`None` if the
/// field is missing, meaning 0). Returns the `LD_STR_HUMAN` text to store
/// and reply, or `HashValueNotAFloat` / `WouldProduceNanOrInfinity`.
pub fn hincr_by_float_apply(cur: Option<&[u8]>, incr: LongDouble) -> Result<Vec<u8>, IncrFloatError> {
    let value = match cur {
        Some(c) => LongDouble::parse(c).ok_or(IncrFloatError::HashValueNotAFloat)?,
        None => LongDouble::ZERO,
    };
    let sum = value.add(incr);
    if !sum.is_finite() {
        return Err(IncrFloatError::WouldProduceNanOrInfinity);
    }
    Ok(sum.to_human())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Vec<&str> {
        line.split('\t').collect()
    }

    fn table(t: &str) -> impl Iterator<Item = Vec<&str>> {
        t.lines().filter(|l| !l.is_empty()).map(fields)
    }

    fn ld_bits(v: LongDouble) -> String {
        let (se, m) = v.to_x87_bits();
        format!("{se:04x}:{m:016x}")
    }

    fn human(v: LongDouble) -> String {
        String::from_utf8(v.to_human()).unwrap()
    }

    fn g17(d: f64) -> String {
        let mut out = Vec::new();
        fmt_double(&mut out, d);
        String::from_utf8(out).unwrap()
    }

    /// Tiny deterministic PRNG for the randomized tests.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    // -- integers (answers checked with INCR / INCRBY / XADD on 7.0.15) ----

    #[test]
    fn string2ll_matches_redis() {
        let cases: &[(&[u8], Option<i64>)] = &[
            (b"0", Some(0)),
            (b"1", Some(1)),
            (b"-1", Some(-1)),
            (b"007", None),
            (b"00", None),
            (b"01", None),
            (b"-0", None),
            (b"-", None),
            (b"", None),
            (b"+1", None),
            (b"1 ", None),
            (b" 1", None),
            (b"1a", None),
            (b"9223372036854775807", Some(i64::MAX)),
            (b"9223372036854775808", None),
            (b"-9223372036854775808", Some(i64::MIN)),
            (b"-9223372036854775809", None),
            (b"18446744073709551615", None),
            (b"99999999999999999999", None),
            (b"123456789012345678901", None),
            (b"-1234567890123456789", Some(-1234567890123456789)),
            (b"-12345678901234567890", None),
        ];
        for &(s, want) in cases {
            assert_eq!(string2ll(s), want, "{:?}", String::from_utf8_lossy(s));
            assert_eq!(string2l(s), want);
        }
    }

    #[test]
    fn string2ull_matches_redis_stream_ids() {
        let cases: &[(&[u8], Option<u64>)] = &[
            (b"5", Some(5)),
            (b" 6", Some(6)),
            (b"\t9", Some(9)),
            (b"+7", Some(7)),
            (b"008", Some(8)),
            (b"00000000000000000000000000000000011", Some(11)),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", None),
            (b"99999999999999999999", None),
            (b"10 ", None),
            (b"1a", None),
            (b"0x5", None),
            (b"", None),
            (b"-", None),
            (b"+", None),
            (b" ", None),
            (b"-5", None),
            (b"-05", Some(u64::MAX - 4)),
            (b"-0", Some(0)),
            (b" -1", Some(u64::MAX)),
            (b"4\x005", Some(4)),
            (b"\x00", None),
        ];
        for &(s, want) in cases {
            assert_eq!(string2ull(s), want, "{:?}", String::from_utf8_lossy(s));
        }
    }

    /// CONFIG SET maxmemory <input>; CONFIG GET maxmemory on 7.0.15.
    #[test]
    fn memtoull_matches_redis() {
        let d127 = format!("{}5", "0".repeat(126));
        let d128 = format!("{}5", "0".repeat(127));
        let cases: &[(&[u8], Option<u64>)] = &[
            (b"1gb", Some(1 << 30)),
            (b"1GB", Some(1 << 30)),
            (b"1g", Some(1_000_000_000)),
            (b"1G", Some(1_000_000_000)),
            (b"100", Some(100)),
            (b"1b", Some(1)),
            (b"1B", Some(1)),
            (b"2k", Some(2000)),
            (b"2kb", Some(2048)),
            (b"1kB", Some(1024)),
            (b"1Kb", Some(1024)),
            (b"3m", Some(3_000_000)),
            (b"3mb", Some(3 << 20)),
            (b"0", Some(0)),
            (b"", Some(0)),
            (b"gb", Some(0)),
            (b"007", Some(7)),
            (b"18446744073709551615", Some(u64::MAX)),
            (b"18446744073709551616", Some(u64::MAX)),
            (b"17179869184gb", Some(0)),
            (b"18014398509481984kb", Some(0)),
            (b"99999999999999999999999kb", Some(18446744073709550592)),
            (b"1\x00gb", Some(1)),
            (d127.as_bytes(), Some(5)),
            (d128.as_bytes(), None),
            (b"-1", None),
            (b"1.5gb", None),
            (b" 1gb", None),
            (b"1 gb", None),
            (b"5 ", None),
            (b"1gbx", None),
            (b"+5", None),
            (b"1bb", None),
            (b"1tb", None),
        ];
        for &(s, want) in cases {
            assert_eq!(memtoull(s), want, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn integer_formatting() {
        let vals = [
            0i64,
            1,
            -1,
            9,
            10,
            99,
            100,
            -100,
            12345,
            i64::MAX,
            i64::MIN,
            -9,
            1_000_000_007,
        ];
        for v in vals {
            let mut out = b"x".to_vec();
            push_i64(&mut out, v);
            assert_eq!(out, format!("x{v}").into_bytes());
            assert_eq!(sdigits10(v), v.to_string().len());
        }
        let mut r = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let sh = r.below(64);
            let v = r.next() >> sh;
            let mut out = Vec::new();
            push_u64(&mut out, v);
            assert_eq!(out, v.to_string().into_bytes());
            assert_eq!(digits10(v), v.to_string().len());
            let s = v as i64;
            let mut buf = [0u8; 20];
            assert_eq!(fmt_i64(&mut buf, s), s.to_string().as_bytes());
        }
        let mut out = Vec::new();
        push_u64(&mut out, u64::MAX);
        assert_eq!(out, b"18446744073709551615");
    }

    // -- doubles -------------------------------------------------------------

    /// ZADD z <input> m; ZSCORE z m on 7.0.15 (skiplist encoding; a listpack
    /// zset would show `-0` as `0`). `None` = "ERR value is not a valid
    /// float".
    #[test]
    fn string2d_matches_redis_zadd() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"0x10", Some("16")),
            (b"0X1p4", Some("16")),
            (b"0x1P-2", Some("0.25")),
            (b"0x.8", Some("0.5")),
            (b"1e3", Some("1000")),
            (b".5", Some("0.5")),
            (b"5.", Some("5")),
            (b"+.5", Some("0.5")),
            (b"-.5e1", Some("-5")),
            (b"00001", Some("1")),
            (b"+0", Some("0")),
            (b"-0", Some("-0")),
            (b"-0.0", Some("-0")),
            (b"0e99999", Some("0")),
            (b"0e99999999999999999999999", Some("0")),
            (b"inf", Some("inf")),
            (b"+inf", Some("inf")),
            (b"-inf", Some("-inf")),
            (b"Inf", Some("inf")),
            (b"INFINITY", Some("inf")),
            (b"infinity", Some("inf")),
            (b"1.5e308", Some("1.5e+308")),
            (b"4.9e-324", Some("4.9406564584124654e-324")),
            (b"3e-324", Some("4.9406564584124654e-324")),
            (b"0x1p-1074", Some("4.9406564584124654e-324")),
            (b"0x1.8p-1075", Some("4.9406564584124654e-324")),
            (b"0.1", Some("0.10000000000000001")),
            (b"9007199254740993", Some("9007199254740992")),
            (b" 1", None),
            (b"1 ", None),
            (b"\t1", None),
            (b"1\t", None),
            (b"0x", None),
            (b".", None),
            (b"infinit", None),
            (b"nan", None),
            (b"-nan", None),
            (b"NaN", None),
            (b"nan(1)", None),
            (b"1e400", None),
            (b"-1e400", None),
            (b"2e308", None),
            (b"1e-400", None),
            (b"2e-324", None),
            (b"1e-330", None),
            (b"0x1p-1075", None),
            (b"1e99999999999999999999999", None),
            (b"1e-99999999999999999999999", None),
            (b"1e", None),
            (b"1e+", None),
            (b"e5", None),
            (b"1_0", None),
            (b"1,5", None),
            (b"1e2.5", None),
            (b"0x1p", None),
            (b"\x00", None),
            (b"5\x00abc", None),
            (b"", None),
        ];
        for &(s, want) in cases {
            assert_eq!(
                string2d(s).map(g17).as_deref(),
                want,
                "{:?}",
                String::from_utf8_lossy(s)
            );
        }
        // Long inputs are fine (no length limit for string2d).
        let mut long = vec![b'0'; 100_000];
        long.push(b'1');
        assert_eq!(string2d(&long), Some(1.0));
        let mut long = b"1.".to_vec();
        long.extend(std::iter::repeat_n(b'0', 100_000));
        long.push(b'1');
        assert_eq!(string2d(&long), Some(1.0));
        let mut long = b"9007199254740993.".to_vec();
        long.extend(std::iter::repeat_n(b'0', 10_000));
        long.push(b'1');
        assert_eq!(string2d(&long).map(g17).as_deref(), Some("9007199254740994"));
    }

    /// ZADD z 1 a 2 b inf c -inf d 0 e; ZCOUNT z <input> +inf on 7.0.15.
    #[test]
    fn strtod_relaxed_matches_redis_zcount() {
        let cases: &[(&[u8], Option<f64>)] = &[
            (b" 1", Some(1.0)),
            (b"\t2", Some(2.0)),
            (b"\n1", Some(1.0)),
            (b"1 ", None),
            (b" ", None),
            (b"1e400", Some(f64::INFINITY)),
            (b"-1e400", Some(f64::NEG_INFINITY)),
            (b"1e-400", Some(0.0)),
            (b"2e-324", Some(0.0)),
            (b"inf", Some(f64::INFINITY)),
            (b"+inf", Some(f64::INFINITY)),
            (b"nan", None),
            (b"0x2", Some(2.0)),
            (b"1\x00zz", Some(1.0)),
            (b"", Some(0.0)),
            (b"-0", Some(-0.0)),
            (b"-", None),
            (b"0x1p99999", Some(f64::INFINITY)),
            (b"-0x1p-99999", Some(-0.0)),
        ];
        for &(s, want) in cases {
            let got = strtod_relaxed(s);
            assert_eq!(
                got.map(f64::to_bits),
                want.map(f64::to_bits),
                "{:?}",
                String::from_utf8_lossy(s)
            );
        }
        let mut long = b"1.".to_vec();
        long.extend(std::iter::repeat_n(b'0', 6000));
        assert_eq!(strtod_relaxed(&long), Some(1.0));
    }

    #[test]
    fn string2d_matches_glibc_vectors() {
        for f in table(D_PARSE) {
            let got = string2d(f[0].as_bytes()).map(|d| format!("{:016x}", d.to_bits()));
            let want = (f[1] == "1").then(|| f[2].to_string());
            assert_eq!(got, want, "{:?}", f[0]);
        }
    }

    /// The exact big-integer path agrees with Rust's own (correctly rounded)
    /// decimal parser on `double`s, which checks the code the `long double`
    /// parser relies on.
    #[test]
    fn bigint_conversion_agrees_with_rust_parser() {
        let mut r = XorShift(12345);
        for _ in 0..6000 {
            let mut s = String::new();
            let max_digits = if r.below(4) == 0 { 60 } else { 20 };
            let nd = 1 + r.below(max_digits);
            for i in 0..nd {
                s.push(char::from(b'0' + r.below(10) as u8));
                if i == r.below(nd + 1) && !s.contains('.') {
                    s.push('.');
                }
            }
            let e = if r.below(2) == 0 {
                r.below(700) as i64 - 350
            } else {
                r.below(50) as i64 - 25
            };
            s.push_str(&format!("e{e}"));
            let (_, sc) = scan_float(s.as_bytes()).unwrap();
            let ours = match convert(F64, &sc) {
                Conv::Finite(m, e) => Some(f64_from_parts(false, m, e)),
                Conv::Inf | Conv::Overflow | Conv::Underflow => None,
            };
            let theirs: f64 = s.parse().unwrap();
            let theirs = (theirs.is_finite()
                && (theirs != 0.0 || !s[..s.find('e').unwrap()].bytes().any(|c| (b'1'..=b'9').contains(&c))))
            .then_some(theirs);
            assert_eq!(ours.map(f64::to_bits), theirs.map(f64::to_bits), "{s}");
        }
    }

    #[test]
    #[allow(clippy::approx_constant)]
    fn fmt_double_matches_redis_zscore() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.1, "0.10000000000000001"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1e-5, "1.0000000000000001e-05"),
            (0.0001, "0.0001"),
            (1.5e-7, "1.4999999999999999e-07"),
            (3.14159, "3.1415899999999999"),
            (1e300, "1.0000000000000001e+300"),
            (100.0, "100"),
            (2.5, "2.5"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for &(d, want) in cases {
            assert_eq!(g17(d), want);
        }
    }

    #[test]
    fn fmt_double_matches_glibc_vectors() {
        for f in table(G17) {
            let d = f64::from_bits(u64::from_str_radix(f[0], 16).unwrap());
            let want = if d.is_nan() { "nan" } else { f[1] };
            assert_eq!(g17(d), want, "{}", f[0]);
        }
    }

    // -- long double (answers checked with INCRBYFLOAT / HINCRBYFLOAT) ------

    #[test]
    fn incr_by_float_matches_redis() {
        use IncrFloatError::*;
        let e1e300 = "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144";
        let e1e400 = "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880";
        let neg_e1e400 = format!("-{e1e400}");
        let e15e308 = "149999999999999999999901476489468468031016840965060944967133685421180106066691046036756664728216022031902928370522024964340854582506645209487860806577896175175227643677561112877760303256738896516844124921428435196017215141331511736789270744288327321353040504243421434090049846615188904452633296864511849922560";
        type Case<'a> = (&'a [u8], &'a [u8], Result<&'a str, IncrFloatError>);
        let cases: &[Case] = &[
            (b"10.5", b"0.1", Ok("10.6")),
            (b"10.6", b"5.0e3", Ok("5010.60000000000000009")),
            (b"5010.60000000000000009", b"1e300", Ok(e1e300)),
            (b"1", b"-1.0000000000000000001", Ok("0")),
            (b"1", b"-1", Ok("0")),
            (b"-1e-30", b"0", Ok("0")),
            (b"0x1p-18", b"0", Ok("0.00000381469726562")),
            (b"0x3p-18", b"0", Ok("0.00001144409179688")),
            (b"0x3p-19", b"0", Ok("0.00000572204589844")),
            (b"0", b"0x10", Ok("16")),
            (b"0", b"0X1p4", Ok("16")),
            (b"0", b"0x1P-2", Ok("0.25")),
            (b"0", b"0x.8", Ok("0.5")),
            (b"0", b"1e3", Ok("1000")),
            (b"0", b".5", Ok("0.5")),
            (b"0", b"5.", Ok("5")),
            (b"0", b"-.5e1", Ok("-5")),
            (b"0", b"00001", Ok("1")),
            (b"0", b"-0", Ok("0")),
            (b"0", b"0e99999", Ok("0")),
            (b"0", b"1e400", Ok(e1e400)),
            (b"0", b"-1e400", Ok(&neg_e1e400)),
            (b"0", b"1.5e308", Ok(e15e308)),
            (b"0", b"1e-400", Ok("0")),
            (b"0", b"1e-4950", Ok("0")),
            (b"0", b"4.9e-324", Ok("0")),
            (b"0", b"0x1p-16445", Ok("0")),
            (b"0", b"1e-4951", Err(NotAFloat)),
            (b"0", b"1e-5000", Err(NotAFloat)),
            (b"0", b"1e4933", Err(NotAFloat)),
            (b"0", b"0x1p-16446", Err(NotAFloat)),
            (b"0", b"0x1.ffffffffffffffffp16383", Err(NotAFloat)),
            (b"0", b"1e-99999999999999999999999", Err(NotAFloat)),
            (b"0", b" 1", Err(NotAFloat)),
            (b"0", b"1 ", Err(NotAFloat)),
            (b"0", b"\t1", Err(NotAFloat)),
            (b"0", b"0x", Err(NotAFloat)),
            (b"0", b".", Err(NotAFloat)),
            (b"0", b"infinit", Err(NotAFloat)),
            (b"0", b"nan", Err(NotAFloat)),
            (b"0", b"nan(1)", Err(NotAFloat)),
            (b"0", b"1e", Err(NotAFloat)),
            (b"0", b"0x1p", Err(NotAFloat)),
            (b"0", b"\x00", Err(NotAFloat)),
            (b"0", b"5\x00abc", Err(NotAFloat)),
            (b"0", b"x", Err(NotAFloat)),
            (b"0", b"", Err(NotAFloat)),
            (b"0", b"inf", Err(WouldProduceNanOrInfinity)),
            (b"0", b"-INFINITY", Err(WouldProduceNanOrInfinity)),
            (
                b"1.18973149535723176502e+4932",
                b"1e4932",
                Err(WouldProduceNanOrInfinity),
            ),
            (b"abc", b"nan", Err(NotAFloat)),
            (b"x", b"inf", Err(NotAFloat)),
        ];
        for &(cur, incr, ref want) in cases {
            let got = incr_by_float(cur, incr);
            let got = got.as_ref().map(|v| std::str::from_utf8(v).unwrap());
            assert_eq!(
                got,
                want.as_ref().map(|s| *s),
                "{:?} + {:?}",
                String::from_utf8_lossy(cur),
                String::from_utf8_lossy(incr)
            );
        }
        // Length limit: 5119 bytes are read, 5120 are not.
        let mut s = vec![b'0'; 5118];
        s.push(b'1');
        assert_eq!(incr_by_float(b"0", &s), Ok(b"1".to_vec()));
        s.insert(0, b'0');
        assert_eq!(incr_by_float(b"0", &s), Err(NotAFloat));
        // The largest long double prints all 4933 digits.
        let max = incr_by_float(b"0", b"0x1.fffffffffffffffep16383").unwrap();
        assert_eq!(max.len(), 4933);
        assert!(max.starts_with(b"1189731495357231765021263853030970205169063322294624200440323733891737005522970722616410290336528882853545697807495577314427443153670288434198125573853743678673593200706973263201915918282961524365529510646791086614311790632169778838896134786560600399148753433211454911160088679845154866512852340149773037600009125479393966223151383622417838542743917838138717805889487540575168226347659235576974805113725649020884855222494791399377585026011773549180099796226026859508558883608159846900235645132346594476384939859276456284579661772930407806609229102715046085388087959327781622986827547830768080040150694942303411728957777100335714010559775242124057347007386251660110828379119623008469277200965153500208474470792443848545912886723000619085126472111951361467527633519562927597957250278002980795904193139603021470997035276467445530922022679656280991498232083329641241038509239184734786121921697210543484287048353408113042573002216421348917347174234800714880751002064390517234247656004721768096486107994943415703476320643558624207443504424380566136017608837478165389027809576975977286860071487028287955567141404632615832623602762896316173978484254486860609948270867968048078702511858930838546584223040908805996294594586201903766048446790926002225410530775901065760671347200125846406957030257138960983757998926954553052368560758683179223113639519468850880771872104705203957587480013143131444254943919940175753169339392366881856189129931729104252921236835159922322050998001677102784035360140829296398115122877768135706045789343535451696539561254048846447169786893211671087229088082778350518228857646062218739702851655083720992349483334435228984751232753726636066213902281264706234075352071724058665079518217303463782631353393706774901950197841690441824738063162828586857741432581165364040218402724913393320949219498422442730427019873044536620350262386957804682003601447291997123095530057206141866974852846856186514832715974481203121946751686379343096189615107330065552421485195201762858595091051839472502863871632494167613804996319791441870254302706758495192008837915169401581740046711477877201459644461175204059453504764721807975761111720846273639279600339670470037613374509553184150073796412605047923251661354841291884211340823015473304754067072818763503617332908005951896325207071673904547777129682265206225651439919376804400292380903112437912614776255964694221981375146967079446870358004392507659451618379811859392049544036114915310782251072691486979809240946772142727012404377187409216756613634938900451232351668146089322400697993176017805338191849981933008410985993938760292601390911414526003720284872132411955424282101831204216104467404621635336900583664606591156298764745525068145003932941404131495400677602951005962253022823003631473824681059648442441324864573137437595096416168048024129351876204668135636877532814675538798871771836512893947195335061885003267607354388673368002074387849657014576090349857571243045102038730494854256702479339322809110526041538528994849203991091946129912491633289917998094380337879522093131466946149705939664152375949285890960489916121944989986384837022486672249148924678410206183364627416969576307632480235587975245253737035433882960862753427740016333434055083537048507374544819754722228975281083020898682633020285259923084168054539687911418297629988964576482765287504562854924265165217750799516259669229114977788962356670956627138482018191348321687995863652637620978285070099337294396784639879024914514222742527006363942327998483976739987154418554201562244154926653014515504685489258620276085761837129763358761215382565129633538141663949516556000264159186554850057052611431952919918807954522394649627635630178580896692226406235382898535867595990647008385687123810329591926494846250768992258419305480763620215089022149220528069842018350840586938493815498909445461977893029113576516775406232278298314033473276603952231603422824717528181818844304880921321933550869873395861276073670866652375555675803171490108477320096424318780070008797346032906278943553743564448851907191616455141155761939399690767415156402826543664026760095087523945507341556135867933066031744720924446513532366647649735400851967040771103640538150073486891798364049570606189535005089840913826869535090066783324472578712196604415284924840041850932811908963634175739897166596000759487800619164094854338758520657116541072260996288150123144377944008749301944744330784388995701842710004808305012177123560622895076269042856800047718893158089358515593863176652948089031267747029662545110861548958395087796755464137944895960527975209874813839762578592105756284401759349324162148339565350189196811389091843795734703269406342890087805846940352453479398080674273236297887100867175802531561302356064878709259865288416350972529537091114317204887747405539054009425375424119317944175137064689643861517718849867010341532542385911089624710885385808688837777258648564145934262121086647588489260031762345960769508849149662444156604419552086811989770240"));
    }

    #[test]
    fn hincr_by_float_matches_redis() {
        use IncrFloatError::*;
        assert_eq!(hincr_by_float_parse_incr(b"inf"), Err(IncrNanOrInfinity));
        assert_eq!(hincr_by_float_parse_incr(b"-inf"), Err(IncrNanOrInfinity));
        assert_eq!(hincr_by_float_parse_incr(b"nan"), Err(NotAFloat));
        assert_eq!(hincr_by_float_parse_incr(b"x"), Err(NotAFloat));
        let one = hincr_by_float_parse_incr(b"1").unwrap();
        assert_eq!(hincr_by_float_apply(Some(b"abc"), one), Err(HashValueNotAFloat));
        assert_eq!(hincr_by_float_apply(Some(b" 1"), one), Err(HashValueNotAFloat));
        let big = hincr_by_float_parse_incr(b"1e4932").unwrap();
        assert_eq!(
            hincr_by_float_apply(Some(b"1e4932"), big),
            Err(WouldProduceNanOrInfinity)
        );
        let tenth = hincr_by_float_parse_incr(b"0.1").unwrap();
        assert_eq!(hincr_by_float_apply(Some(b"10.5"), tenth), Ok(b"10.6".to_vec()));
        assert_eq!(hincr_by_float_apply(None, tenth), Ok(b"0.1".to_vec()));
        assert_eq!(NotAFloat.message(), "ERR value is not a valid float");
        assert_eq!(HashValueNotAFloat.message(), "ERR hash value is not a float");
        assert_eq!(IncrNanOrInfinity.message(), "ERR value is NaN or Infinity");
        assert_eq!(
            WouldProduceNanOrInfinity.to_string(),
            "ERR increment would produce NaN or Infinity"
        );
    }

    #[test]
    fn long_double_parse_matches_glibc_vectors() {
        for f in table(LD_PARSE) {
            let got = LongDouble::parse(f[0].as_bytes());
            match got {
                None => assert_eq!(f[1], "0", "{:?} should parse", f[0]),
                Some(v) => {
                    assert_eq!(f[1], "1", "{:?} should not parse", f[0]);
                    assert_eq!(ld_bits(v), f[2], "{:?}", f[0]);
                    assert_eq!(human(v), f[3], "{:?}", f[0]);
                }
            }
        }
    }

    #[test]
    fn long_double_add_matches_glibc_vectors() {
        for f in table(LD_ADD) {
            let got = incr_by_float(f[0].as_bytes(), f[1].as_bytes());
            match f[2] {
                "parse" => assert_eq!(got, Err(IncrFloatError::NotAFloat)),
                "notfinite" => assert_eq!(got, Err(IncrFloatError::WouldProduceNanOrInfinity)),
                _ => {
                    let a = LongDouble::parse(f[0].as_bytes()).unwrap();
                    let b = LongDouble::parse(f[1].as_bytes()).unwrap();
                    assert_eq!(ld_bits(a.add(b)), f[3], "{} + {}", f[0], f[1]);
                    assert_eq!(ld_bits(b.add(a)), f[3], "{} + {}", f[1], f[0]);
                    assert_eq!(got, Ok(f[4].as_bytes().to_vec()), "{} + {}", f[0], f[1]);
                }
            }
        }
    }

    #[test]
    fn long_double_to_double_matches_glibc_vectors() {
        for f in table(LD_TO_D) {
            let v = LongDouble::parse(f[0].as_bytes()).unwrap();
            let d = v.to_f64();
            assert_eq!(format!("{:016x}", d.to_bits()), f[1], "{}", f[0]);
            let mut h = Vec::new();
            push_human_double(&mut h, d);
            assert_eq!(h, f[2].as_bytes(), "{}", f[0]);
        }
    }

    #[test]
    fn long_double_misc() {
        assert_eq!(human(LongDouble::from_i64(i64::MIN)), "-9223372036854775808");
        assert_eq!(human(LongDouble::from_i64(i64::MAX)), "9223372036854775807");
        assert_eq!(human(LongDouble::from_i64(0)), "0");
        assert_eq!(human(LongDouble::from_f64(-0.0)), "0");
        assert_eq!(human(LongDouble::from_f64(f64::INFINITY)), "inf");
        assert_eq!(human(LongDouble::from_f64(f64::NEG_INFINITY)), "-inf");
        let z = LongDouble::parse(b"-0").unwrap();
        assert!(z.is_sign_negative());
        assert!(z.add(z).is_sign_negative());
        assert!(!z.add(LongDouble::ZERO).is_sign_negative());
        let inf = LongDouble::parse(b"inf").unwrap();
        let ninf = LongDouble::parse(b"-inf").unwrap();
        assert!(inf.is_infinite() && !inf.is_finite());
        assert!(inf.add(ninf).is_nan());
        assert_eq!(LongDouble::parse(b"1").unwrap().to_f64(), 1.0);
        // GEOPOS replies on 7.0.15 (addReplyHumanLongDouble of a double).
        for s in [
            "13.36138933897018433",
            "38.11555639549629859",
            "0.00000268220901489",
            "-10.00000208616256714",
        ] {
            let d = string2d(s.as_bytes()).unwrap();
            let mut out = Vec::new();
            push_human_double(&mut out, d);
            assert_eq!(out, s.as_bytes());
        }
    }

    /// No input may panic; run every entry point over random byte strings
    /// biased towards number syntax.
    #[test]
    fn no_panics_on_garbage() {
        const ALPHA: &[u8] = b"0123456789.eEpPxX+-infatyINFATY \t\x00\xff19abcdef";
        let mut r = XorShift(0xdead_beef_cafe_f00d);
        let mut s = Vec::new();
        for round in 0..20_000 {
            s.clear();
            let len = if round % 2000 == 0 { 6000 } else { r.below(40) };
            for _ in 0..len {
                s.push(ALPHA[r.below(ALPHA.len())]);
            }
            if round % 3 == 0 && !s.is_empty() {
                s[0] = b'0';
                if s.len() > 1 {
                    s[1] = b'x';
                }
            }
            let _ = string2ll(&s);
            let _ = string2ull(&s);
            let _ = memtoull(&s);
            let _ = strtod_relaxed(&s);
            if let Some(d) = string2d(&s) {
                let mut out = Vec::new();
                fmt_double(&mut out, d);
                push_human_double(&mut out, d);
            }
            if let Some(v) = LongDouble::parse(&s) {
                let _ = v.to_human();
                let _ = v.add(v).to_f64();
            }
            let _ = incr_by_float(&s, b"1");
            let _ = incr_by_float(b"1e40", &s);
        }
        // Extreme exponents and sizes.
        for s in [
            &b"0x1p99999999999999999999999999"[..],
            b"0x1p-99999999999999999999999999",
            b"0x0p99999999999999999999",
            b"1e-4951999999999999999999",
            b"0.0000000000000000000000000001e-4930",
        ] {
            let _ = LongDouble::parse(s);
            let _ = string2d(s);
        }
        let mut r = XorShift(77);
        for _ in 0..20_000 {
            let d = f64::from_bits(r.next());
            let mut out = Vec::new();
            fmt_double(&mut out, d);
            push_human_double(&mut out, d);
            let a = LongDouble::from_f64(d);
            let _ = a.add(LongDouble::from_f64(f64::from_bits(r.next()))).to_human();
        }
    }

    /// glibc 2.36 `strtold` under Redis `string2ld` rules: input, accepted,
    /// x87 bits (sign+exponent:significand), `LD_STR_HUMAN` text.
    const LD_PARSE: &str = r#"
0	1	0000:0000000000000000	0
-0	1	8000:0000000000000000	0
+0	1	0000:0000000000000000	0
0.0	1	0000:0000000000000000	0
.0	1	0000:0000000000000000	0
0.	1	0000:0000000000000000	0
.	0	-	-
1e	0	-	-
1e+	0	-	-
1e-	0	-	-
e5	0	-	-
+	0	-	-
-	0	-	-
++1	0	-	-
+-1	0	-	-
inf	1	7fff:8000000000000000	inf
-inf	1	ffff:8000000000000000	-inf
+inf	1	7fff:8000000000000000	inf
Inf	1	7fff:8000000000000000	inf
INF	1	7fff:8000000000000000	inf
infinity	1	7fff:8000000000000000	inf
INFINITY	1	7fff:8000000000000000	inf
infinit	0	-	-
infx	0	-	-
nan	0	-	-
-nan	0	-	-
NaN	0	-	-
nan(1)	0	-	-
nan()	0	-	-
0x	0	-	-
0X	0	-	-
0x.	0	-	-
0x.p1	0	-	-
0xp1	0	-	-
0x1p	0	-	-
0x1p+	0	-	-
0x1P-2	1	3ffd:8000000000000000	0.25
0x10	1	4003:8000000000000000	16
0x.8	1	3ffe:8000000000000000	0.5
0x8.	1	4002:8000000000000000	8
0xg	0	-	-
0x1.8p1	1	4000:c000000000000000	3
0x1e5	1	4007:f280000000000000	485
0x1e+5	0	-	-
1e-400	1	3ace:95fe7e07c91efafa	0
1e4933	0	-	-
-1e4933	0	-	-
1e-4950	1	0000:0000000000000003	0
1e-4951	0	-	-
1e-4955	0	-	-
1.18973149535723176508e+4932	0	-	-
1.1897314953572317651e+4932	0	-	-
3.6451995318824746025e-4951	1	0000:0000000000000001	0
1.8225997659412373012e-4951	0	-	-
1.8225997659412373013e-4951	1	0000:0000000000000001	0
1.8225997659412373e-4951	0	-	-
1.82259976594123730126e-4951	0	-	-
0x1p-16445	1	0000:0000000000000001	0
0x1p-16446	0	-	-
0x1.8p-16446	1	0000:0000000000000001	0
0x1.00000000000000000001p-16446	1	0000:0000000000000001	0
0x1p16384	0	-	-
0x1.ffffffffffffffffp16383	0	-	-
4.9e-324	1	3bcc:fde4b4fb194fced9	0
2e-324	1	3bcb:cf42894a5dce35ea	0
2.4703282292062327e-324	1	3bcb:ffffffffffffff64	0
2.4703282292062328e-324	1	3bcc:8000000000000127	0
3e-324	1	3bcc:9b71e6f7c65aa870	0
1e-330	1	3bb6:d953e8624b85dd79	0
0x1p-1074	1	3bcd:8000000000000000	0
0x1p-1075	1	3bcc:8000000000000000	0
0x1.8p-1075	1	3bcc:c000000000000000	0
0x1.0000000000001p-1075	1	3bcc:8000000000000800	0
0x1.00000000000008p0	1	3fff:8000000000000400	1.00000000000000011
0x1.00000000000018p0	1	3fff:8000000000000c00	1.00000000000000033
0x1.000000000000080000001p0	1	3fff:8000000000000400	1.00000000000000011
1e23	1	404b:a968163f0a57b400	100000000000000000000000
8.589973e9	1	4020:8000258200000000	8589973000
9007199254740993	1	4034:8000000000000400	9007199254740993
9007199254740993.0000000000000000000001	1	4034:8000000000000400	9007199254740993
10.5	1	4002:a800000000000000	10.5
5.0e3	1	400b:9c40000000000000	5000
0.1	1	3ffb:cccccccccccccccd	0.1
-1e-30	1	bf9b:a2425ff75e14fc32	0
00001	1	3fff:8000000000000000	1
1_0	0	-	-
1,5	0	-	-
1e2.5	0	-	-
1.e3	1	4008:fa00000000000000	1000
.e3	0	-	-
0e99999	1	0000:0000000000000000	0
0e99999999999999999999999	1	0000:0000000000000000	0
1e99999999999999999999999	0	-	-
1e-99999999999999999999999	0	-	-
0.000001e6	1	3fff:8000000000000000	1
123456789012345678901234567890	1	405f:c77487fb61b9f077	123456789012345678899921813504
0x123456789abcdef123456789abcdef	1	4073:91a2b3c4d5e6f789	94522879700260683141539594867048448
0x.000000000000000000000000000001p200	1	404f:8000000000000000	1208925819614629174706176
0x0000000000000000000000000000001p0	1	3fff:8000000000000000	1
x	0	-	-
1x	0	-	-
0x1x	0	-	-
--1	0	-	-
99603082462819482.1993	1	4037:b0ee3ce65d7a4d1a	99603082462819482.203125
555.E-3427	1	138f:e9bd8553dae1cb7f	0
-563e-1160	1	b0fa:cffe92935007a8d9	0
8.	1	4002:8000000000000000	8
2E-3298	1	1534:9b8a461d7b7f92b8	0
0.000000000000000000000000280385280841485253888539	1	3fad:ad8cd239c9095363	0
.75	1	3ffe:c000000000000000	0.75
20	1	4003:a000000000000000	20
52882001826330434.839e-2813	1	1bb5:fab6a27453ac15f8	0
-868282880729022	1	c030:c56cb72ae7ef8000	-868282880729022
71803340187801759.89834	1	4036:ff18c1e994989fe6	71803340187801759.8984375
48372616751361341252427	1	404a:a3e48e936416acbe	48372616751361341251584
+.8e-1216	1	3037:946aa56b5c251445	0
-0.00000000000000000000026	1	bfb7:9d290d2079871040	0
5140261401.4193141	1	401f:9931150cb5ac159d	5140261401.41931409994140267
0.0000000031E-1655	1	2a68:f63d4f0ad5babb72	0
82	1	4005:a400000000000000	82
70	1	4005:8c00000000000000	70
-.43E-3586	1	9175:a2f278592b4dcfd9	0
1	1	3fff:8000000000000000	1
82.	1	4005:a400000000000000	82
3.1e27	1	405a:a044288bc398d89a	3100000000000000000067108864
7	1	4001:e000000000000000	7
8	1	4002:8000000000000000	8
0.000000000000008	1	3fd0:901d7cf73ab0acd9	0.000000000000008
845	1	4008:d340000000000000	845
760	1	4008:be00000000000000	760
0X8F9.FB02fCc01cep69	1	404f:8f9fb02fcc01ce00	1356488269896523576246272
-0XE5fC2e08Afd19A	1	c036:e5fc2e08afd19a00	-64735044311175578
3E-3011	1	18ee:99388974233a1219	0
62.502538308037925e+26	1	405b:a190b5d8c6feec3c	6250253830803792499866337280
80	1	4005:a000000000000000	80
0xD1DA3eb29p-49	1	3ff1:d1da3eb290000000	0.00010006547889141
1178269927681634134.075e40	1	40bf:f0448f6889bdf2e2	11782699276816341340748814731011253894053500493192115519488
.867651394E-35	1	3f8a:b8876f69662674fe	0
0Xb.C071aC12121b503ABDEa48EP-14699	1	0697:bc071ac12121b504	0
.6E23	1	404a:cb49b44ba602d800	60000000000000000000000
0.00000017E11	1	400d:84d0000000000000	17000
0XDC52.b4C812bFp-28	1	3ff2:dc52b4c812bf0000	0.00021011645413144
4	1	4001:8000000000000000	4
193.1824	1	4006:c12eb1c432ca57a8	193.18240000000000001
-0x15	1	c003:a800000000000000	-21
0xFfdp-5835	1	293f:ffd0000000000000	0
+0.000000000036950756310126828e-16	1	3fa7:926084cba4701f3c	0
0xD9FeEfF.4	1	401a:d9feeff400000000	228585215.25
17883999941636361062711296	1	4052:ecb15945851a0d2e	17883999941636361063235584
+3707	1	400a:e7b0000000000000	3707
.2976863038089303e24	1	404c:fc266d6e225a7ede	297686303808930300002304
92515206195354725.65020593E15	1	4069:91f6981dcbecc9cd	92515206195354725646805023850496
0.491347922665181728512	1	3ffd:fb91f4759be676fd	0.49134792266518173
0xcC37E5aaB342b1ee6a2BF	1	4052:cc37e5aab342b1ee	15430302122661462553919488
-6672145452	1	c01f:c6d86e1600000000	-6672145452
-7.77	1	c001:f8a3d70a3d70a3d7	-7.77
.918e-2405	1	20c9:c7658f5257f57eb6	0
0XB.7B482p-23	1	3feb:b7b4820000000000	0.00000136870971801
0x6.97d9d	1	4001:d2fb3a0000000000	6.59316730499267578
0.0000000000000000000000018475	1	3fb0:8ef181ef892873eb	0
0x.7A9f	1	3ffd:f53e000000000000	0.4789886474609375
41177170204158668265759573047	1	405e:850cf4f59b92ea8f	41177170204158668265144451072
9021704248789712.2318993e-2645	1	1de1:b555a8831fbba58e	0
11.1	1	4002:b19999999999999a	11.1
0xfp-17	1	3ff1:f000000000000000	0.00011444091796875
-0.00000883	1	bfee:94248fac5ae7573d	-0.00000883
-0.0606E-744	1	b653:adc2c51c558e42c0	0
1072751.825891232	1	4013:82f37e9b6cdcbbf2	1072751.82589123200000358
-0xDcBa23	1	c016:dcba230000000000	-14465571
2.4	1	4000:999999999999999a	2.4
213.3408054573096E-729	1	3691:84a551bd25a170c2	0
+67.51E-3544	1	1208:8f6560a969e4c3fe	0
0xDAc5baf.p-49	1	3fe9:dac5baf000000000	0.00000040749531927
4.0	1	4001:8000000000000000	4
0x6fp-20	1	3ff1:de00000000000000	0.00010585784912109
00364656897650985	1	402f:a5d3a66cb8948000	364656897650985
-7	1	c001:e000000000000000	-7
-.21E-1721	1	a9a7:d169d46790dc5056	0
-49743880.416	1	c018:bdc2021a9fbe76c9	-49743880.41600000000107684
201448534455096850254	1	4042:aeba8f6c44f16375	201448534455096850256
0xC0b4p3	1	4011:c0b4000000000000	394656
4939209243759.207569367890E-322	1	3bfb:b5d87d151b483feb	0
-1	1	bfff:8000000000000000	-1
7.	1	4001:e000000000000000	7
-1864.76e17	1	c042:a1bdfd601ffbe000	-186476000000000000000
+1.	1	3fff:8000000000000000	1
-0X049176ACbc5dA069	1	c039:922ed5978bb40d20	-329174732041461865
0x.E6f1p-7598	1	2250:e6f1000000000000	0
04.E-3228	1	161d:e15d0aa42ac1b452	0
-280.	1	c007:8c00000000000000	-280
.1576737056055324e+14	1	402a:e57208574293d70a	15767370560553.23999977111816406
-0Xb950f32aF93ep-14632	1	8706:b950f32af93e0000	0
.9e-3527	1	123a:a9ca324f8205140f	0
0.00000000000000000001532634757435217989180266	1	3fbd:90c0d5a8bde365f9	0
0xab5p-17	1	3ff9:ab50000000000000	0.02091217041015625
.14280E-13	1	3fd1:809f702c0319d7b5	0.00000000000001428
-0.00000309E-1729	1	a97d:87852030f9a69757	0
4.24	1	4001:87ae147ae147ae14	4.24
8e+35	1	4076:9a130b963a6c115c	799999999999999999982971588542726144
0x67b5fC9e3p-27	1	4006:cf6bf93c60000000	207.42177178710699081
12356.1	1	400c:c110666666666666	12356.09999999999999964
0x30Ff9bbEdEbbba7C5CP-44	1	4018:c3fe6efb7aeee9f1	51378619.92937825055923895
26.1	1	4003:d0cccccccccccccd	26.1
2318434924286011.7167e-27	1	3fd8:a32535ecca696fce	0.00000000000231843
0X7Ad8.c8af1dP-4891	1	2cf2:f5b1915e3a000000	0
0X1E240AaeD5eF2B53P-62	1	3ffd:f1205576af795a98	0.47094981263920728
4.783798282315616156556279	1	4001:9914e022a69c077f	4.78379828231561616
-834	1	c008:d080000000000000	-834
0.00000029	1	3fe9:9bb14be7dff8a395	0.00000029
515	1	4008:80c0000000000000	515
0x1P-4658	1	2dcd:8000000000000000	0
0xdC2.314P-3074	1	3408:dc23140000000000	0
+40.5	1	4004:a200000000000000	40.5
8.3E-884	1	3489:b1219daea880f6b7	0
-0.007003	1	bff7:e5796bfca85caafc	-0.007003
.63780	1	3ffe:a346dc5d63886595	0.6378
-.21953494	1	bffc:e0cdc46e846d0c9e	-0.21953494
0.00000000000000000048E+6	1	3fd6:871ba527c705a20b	0.00000000000048
2.	1	4000:8000000000000000	2
8137.834915	1	400b:fe4eade7ea5f84cb	8137.83491500000000007
8	1	4002:8000000000000000	8
16027.4965109300253423008086883783107623457908630371093749999	1	400c:fa6dfc6d5c7a42f5	16027.49651093002534186
0xAb4F13cBee0A72FAp62	1	407c:ab4f13cbee0a72fa	56927145063453597495936210305082720256
-19798333764164.1743437874346e11	1	c04f:d19f7dbf11f83609	-1979833376416417434435584
.7589367242443438	1	3ffe:c249ad5a5ce239d8	0.7589367242443438
0XcCc.3P-642	1	3d88:ccc3000000000000	0
9.	1	4002:9000000000000000	9
0xddp-19	1	3ff3:dd00000000000000	0.00042152404785156
0XdAef15db48p-95	1	3fc7:daef15db48000000	0.00000000000000002
0.0000000000008	1	3fd6:e12e13424bb40e13	0.0000000000008
0X78aca37cD3.Ab98P-46	1	3ff7:f15946f9a7573000	0.00736537900530252
-71.1	1	c005:8e33333333333333	-71.1
0.00000000000000000000000000000008	1	3f97:cfb11ead453994ba	0
-7669526688572607.4	1	c033:d9fb26aef125fb33	-7669526688572607.39990234375
-0X.5fA75P-9068	1	9c91:bf4ea00000000000	0
748.E-1594	1	2b59:a8239a40cf5b8341	0
4.E+32	1	406b:9dc5ada82b70b59e	400000000000000000002181843386368
0.640E40	1	4083:96769950b50d88f4	6399999999999999999956006428710356910080
6540793976e-1949	1	26d5:8fe764bf22c9b294	0
0xb693D4ed8.a6dcf77P139	1	40ad:b693d4ed8a6dcf77	34155170315293980102157298669887730345993035965267968
0x9p-17	1	3ff1:9000000000000000	0.00006866455078125
0x7p-19	1	3fee:e000000000000000	0.00001335144042969
0x1p-18	1	3fed:8000000000000000	0.00000381469726562
0x1p-19	1	3fec:8000000000000000	0.00000190734863281
0x3p-17	1	3fef:c000000000000000	0.00002288818359375
0x3p-17	1	3fef:c000000000000000	0.00002288818359375
0x1p-17	1	3fee:8000000000000000	0.00000762939453125
0x5p-18	1	3fef:a000000000000000	0.00001907348632812
0x1p-17	1	3fee:8000000000000000	0.00000762939453125
0x5p-18	1	3fef:a000000000000000	0.00001907348632812
0xdp-17	1	3ff1:d000000000000000	0.00009918212890625
0x1p-17	1	3fee:8000000000000000	0.00000762939453125
0x3p-19	1	3fed:c000000000000000	0.00000572204589844
0x7p-17	1	3ff0:e000000000000000	0.00005340576171875
0x1p-18	1	3fed:8000000000000000	0.00000381469726562
0x17p-18	1	3ff1:b800000000000000	0.00008773803710938
0x1p-18	1	3fed:8000000000000000	0.00000381469726562
0xbp-19	1	3fef:b000000000000000	0.00002098083496094
0x5p-17	1	3ff0:a000000000000000	0.00003814697265625
0x1p-17	1	3fee:8000000000000000	0.00000762939453125
0x5p-19	1	3fee:a000000000000000	0.00000953674316406
0x5p-19	1	3fee:a000000000000000	0.00000953674316406
0xdp-19	1	3fef:d000000000000000	0.00002479553222656
0x1p-19	1	3fec:8000000000000000	0.00000190734863281
0x11p-19	1	3ff0:8800000000000000	0.00003242492675781
"#;

    /// glibc `long double` addition: a, b, status, sum bits, human text.
    const LD_ADD: &str = r#"
.67514045e7	1	1	4015:ce095b0000000000	6751405.5
0x40610f8bfee8c1bp-16493	-0xe3144b62b74dcecp-16453	1	8000:000e3144b62b70d7	0
-0Xbc.2f9FCBfp-13824	528100740.47	1	401b:fbd16c23c28f5c29	528100740.47000000000116415
+0.00000000037877E14	-+0.00000000037877E14	parse	-	-
+2.	-0.1	1	3fff:f333333333333333	1.9
0.0000000946	37209e+10	1	402f:a934fa2322000000	372090000000000
-945.e+8	513	1	c023:b0051c77f8000000	-94499999487
0xAF85cb7f83	1e-20	1	4026:af85cb7f83000000	753863982979
3.0	0.00000000000000888584315052e-801	1	4000:c000000000000000	3
-0x1p-16445	231E-16	1	3fd1:d010f93823224659	0.0000000000000231
6.1E14	57e-23	1	4030:8ab2ac5408000000	610000000000000
-0	+3.	1	4000:c000000000000000	3
85238052657	-85238052657	1	0000:0000000000000000	0
0x435dc508f4a69c0p-16485	-0x8834563ecac784dp-16487	1	0000:000000000002150b	0
0xa01ae884b60b57bp-16466	-0xb1b0d4827f7a0fcp-16494	1	0000:000000500d743ccd	0
0xa3a92d01e0861fa1p-38	-0xf94531b02dd8de67p-118	1	4018:a3a92d01e0861fa1	42902708.02932885254631401
0xdc840a9f16bbd059p-2	0xa3339494e3035b42p-30	1	403c:dc840aa949f519a7	3972459276869125737.75
-0.1	2.5	1	4000:999999999999999a	2.4
-0x6f85cbd.fCAf57FP-4836	-0.1	1	bffb:cccccccccccccccd	-0.1
+6e-17	-0xe8c	1	c00a:e8c0000000000000	-3724
0x1p-16445	10.5	1	4002:a800000000000000	10.5
0x90caa1a3493894a0p-49	-0xdcb74ba4c60a0acdp-101	1	400d:90caa1a3493886d5	18533.31569889845870058
+4.	-+4.	parse	-	-
0.000000000000006e-10	-0.000000000000006e-10	1	0000:0000000000000000	0
1.e-6	1.1	1	3fff:8cccd530489d27c4	1.100001
-98E-2571	0X800Ef1a9624.EP-9157	1	9ea8:f528e07a685b9ab3	0
30.	0X0FDfB.36BFp-9641	1	4003:f000000000000000	30
-4.6E-2675	0.2	1	3ffc:cccccccccccccccd	0.2
76653688.2462	-76653688.2462	1	0000:0000000000000000	0
0xc84c897a2299bbabp28	-0x8a8921d31e190bc1p-95	1	405a:c84c897a2299bbab	3874345596485242869252096000
+8.	-+8.1	parse	-	-
0xb0f0a85b96f735p-16450	-0xc7af92a5445bf52p-16497	1	0000:0005878542dcb6f2	0
6.E+21	1	1	4047:a2a15d09519be000	6000000000000000000000
0x6ba09e93a330c3dp-16457	0x408143b33c7c124p-16476	1	0000:00006ba0a6a3cba7	0
0.07	0.000000000647	1	3ffb:8f5c290bfda1d6e7	0.070000000647
0x2754b86d53cfe80p-16472	-0x260827f1ee20743p-16454	1	8000:00013040f0e60029	0
+0.00000000000009E21	-8e-24	1	4019:aba9500000000000	90000000
0xF6aCAc4DDa1p-194	0.00000000002194026464823430894	1	3fdb:c0fd157700e448e5	0.00000000002194026
211713e-25	4	1	4001:8000000000000000	4
38.6E-1211	-0	1	304d:aabbe3395e0d091e	0
7	-7	1	0000:0000000000000000	0
0xeb759f032e09a4d5p-91	0xebee112a74813f19p-128	1	3fe3:eb759f033569155e	0.00000000685277213
0xa9a9a84b372f158bp-65	-0xbe0d6989711e4572p-176	1	3ffd:a9a9a84b372f158b	0.33137250822218626
0x33ef843a22fa608p-16480	0x6f6f0de58b5fac0p-16462	1	0000:0000037b78d70b63	0
-0.1	1	1	3ffe:e666666666666666	0.9
-1	-0x4cEC3C1a6dA.	1	c029:99d87834db600000	-5286094022363
.7	3.0	1	4000:eccccccccccccccd	3.7
526.E-9	-526.E-9	1	0000:0000000000000000	0
0.1	11858296095937809E-8	1	4019:e22dd621e66ce155	118582961.05937809000170091
.25	+0.0000000000000000000000000000005096503307238796E27	1	3ffd:8042cd0701762a0e	0.25050965033072388
0x6a790C25	100	1	401d:d4f2191200000000	1786317961
5138	+5.8e-5	1	400b:a090001e68a0d34a	5138.00005800000000011
1e4932	1e4932	notfinite	-	-
0.0057	-0.00571	1	bfee:a7c5ac471b478400	-0.00001
-0	-8e-29	1	bfa1:cad2f7f5359a3b3e	0
0.000000000009745	-0.0000000000097451	1	bfc9:e69594bec44e0000	-0.0000000000000001
0xaa37225a94876318p-22	0x8439ea5aa1541375p-49	1	4028:aa37226b1bc4ae6c	2924277771375.07314586639404297
2986.5068174701e6	3.0	1	401e:b2027a447858793e	2986506820.47010000003501773
9E+19	1.1	1	4041:9c2007651b250000	90000000000000000000
0.000000088	0.00000000000000000000000919E-1	1	3fe7:bcfa82f9ab38643e	0.000000088
0.1	0	1	3ffb:cccccccccccccccd	0.1
0x81285a7341e4cc17p30	-0x9d767e3f466c8d26p20	1	405c:8100fcd3b21330f4	9981190052100462539161206784
7	1.1	1	4002:819999999999999a	8.1
0.00000000000002E-17	-0.00000000000002E-17	1	0000:0000000000000000	0
0x864b515817eaef41p-86	0xc052ba11e6a7db7cp-120	1	3fe8:864b515847ff9dc5	0.00000012507122939
1e-20	0.000000000000000000000000000009	1	3fbc:bce508676c3bcac4	0
2	45580337573382072E-21	1	4000:8000bf2d83ca3b9f	2.00004558033757338
0.0000000000145e14	-0.0000000000145e14	1	0000:0000000000000000	0
.9	472627	1	4011:e6c67ccccccccccd	472627.90000000000000568
-0x4E41bF6045.bb	2805648603515948350422e-2637	1	c025:9c837ec08b760000	-336110510149.73046875
0.1	1e-20	1	3ffb:ccccccccccccccce	0.1
+0.00000000254E11	-+0.00000000254E11	parse	-	-
4.035e+4	4.6	1	400e:9da299999999999a	40354.60000000000000142
0xed44a03e085fd96cp-55	0xf302289cb1841064p-174	1	4007:ed44a03e085fd96c	474.53614020737559132
+.5	1.1	1	3fff:cccccccccccccccd	1.6
6	.1e-19	1	4001:c000000000000000	6
+9	+0.000000000000000000651	1	4002:9000000000000001	9
-77.e+19	0.2	1	c044:a6f7962175eb2000	-770000000000000000000
8813128763441843013e-3955	0.08	1	3ffb:a3d70a3d70a3d70a	0.08
0x1p-16445	0x333bf9FE.aa7E46Cafap-15005	1	057f:ccefe7faa9f91b2c	0
+.9	-+.9	parse	-	-
-276099	0.000000000000000022	1	c011:86d0600000000000	-276099
10.5	+2.2	1	4002:cb33333333333333	12.7
587e-9	-587e-9	1	0000:0000000000000000	0
0xab2d159c4ea41a8p-16484	0xb2560149978a91p-16500	1	0000:00000000001565a4	0
+604.E-12	0	1	3fe0:a606b8b321510161	0.000000000604
+3891668552e-21	0.000000000000000000000000000845465651233086	1	3fd9:88ed08b98ce28021	0.00000000000389167
0x5f68314179b9235p-16475	0xa9a97bc85d80f05p-16458	1	0000:000054d4d5be3b10	0
0x29dacb5e4791c4ep-16459	0x77b6bda9c5aba1cp-16461	1	0000:000011f21eb22e3f	0
0X6C1d3.dEp-11358	0.0000000000076	1	3fda:85b35b6f5cf2e85b	0.0000000000076
.7	0.000000000000086	1	3ffe:b3333333334b6827	0.700000000000086
0X3.4efa9efD1p-15177	4145316	1	4014:fd02900000000000	4145316
-95.4e-26	-22	1	c003:b000000000000000	-22
0xa6477c7f48b05703p-96	-0xc3f92f461b18392ep-220	1	3fde:a6477c7f48b05703	0.00000000015123009
0XDF.B	-0xa5E679	1	c016:a5e5995000000000	-10872217.3125
230.5e+14	-230.5e+14	1	0000:0000000000000000	0
+0.00000000000000000000000005276454630060257518	-+0.000000000000000000000000052764546300602575181	parse	-	-
0xd66897cb39458857p-15	0xeea713bcd3eb86fbp-91	1	402f:d66897cb39458857	471489423241867.065155029296875
1.6	-1.61	1	bff8:a3d70a3d70a3d700	-0.01
.6	-.61	1	bff8:a3d70a3d70a3d700	-0.01
-.6502405373972337767	.6502405373972337767	1	0000:0000000000000000	0
.8e1	-758.e-342	1	4002:8000000000000000	8
33.E17	1.5e-2	1	403c:b72fd2103b280000	3300000000000000000
+0.000000000000104945692e+2	.42	1	3ffd:d70a3d70baeaf50d	0.42000000001049457
+8e-15	-0	1	3fd0:901d7cf73ab0acd9	0.000000000000008
-1	3.0	1	4000:8000000000000000	2
1727.11303921743E-11	0x1p-16445	1	3fe5:945b9e0cc0365ee0	0.00000001727113039
4.	03e15	1	4032:aa87bee538004000	3000000000000004
+942352732761919.8089	0x1p-16445	1	4030:d64425f8ebcff3c5	942352732761919.80889892578125
+0.00000000000000000000000063e-6	-+0.00000000000000000000000063e-6	parse	-	-
0x779f6ba43609b98p-16487	0xcaacd2b055323cdp-16455	1	0000:00032ab34ac33347	0
0xa38e205855579cap-16488	0x2ddfdb3c34d5220p-16490	1	0000:0000000000015e0c	0
0.00000000000000001	5.0e3	1	400b:9c40000000000000	5000
0xff2d2d827270cb9p-16471	-0xafd89bac3b57a37p-16496	1	0000:00000003fcb4b4aa	0
82.9e+21	0xa1Fc4a3236.ddP-10602	1	404b:8c7024dfc7ce5680	82900000000000000000000
1E-28	0x.B5Bp-10948	1	3fa1:fd87b5f28300ca0e	0
0x997ee490c1e72cdp-16449	-0x5bfa544d0c9814p-16465	1	0000:00997eded11ca25c	0
0xfe739139f8b8515cp-73	-0xa7041a9f6ba406ccp-117	1	3ff5:fe739139f8ade11a	0.00194131038459609
14863087921264E11	-3.13E-3021	1	404f:9d5e7b045abd9d23	1486308792126400000032768
+2.e-9	0X6fEd.DEFefcP-2223	1	3fe2:89705f4136b4a597	0.000000002
0.000000000000000000000000000003	-0	1	3f9c:f3638ff30d1f7a4a	0
-0X63B0.Ba32e0Cd2B	0.0000000000000000000000000000261850033271451	1	c00d:c7617465c19a5600	-25520.72733883866294491
.419e-19	0.0000000359597	1	3fe6:9a721bb8542572ba	0.0000000359597
0.000000000009E-4185	.63	1	3ffe:a147ae147ae147ae	0.63
0xddf5cd7b9d6e33f2p-56	0xc95f0a2e5d4a475dp-87	1	4006:ddf5cd7d302c484f	221.96016676355455498
0xe9f7fb9c60141e39p-77	-0xeb050247ece3674cp-142	1	3ff1:e9f7fb9c60141e39	0.000111564961923
-1	0x1.22ee	1	3ffc:8bb8000000000000	0.136444091796875
0xc9c376c2e4b58923p-34	0xa0078bab43a7bed7p-133	1	401c:c9c376c2e4b58923	846257584.72334875370142981
-0XfBP-9096	0x.B74279B3p-756	1	3d0a:b74279b300000000	0
-0	27.	1	4003:d800000000000000	27
+946	0.2	1	4008:ec8ccccccccccccd	946.20000000000000001
.860e-2254	.7643416564146	1	3ffe:c3abe511456bc3e6	0.7643416564146
7	-7	1	0000:0000000000000000	0
-0X6ecdE56.d	614048437.4e20	1	405e:c668e57133b94f69	61404843739999999998625316864
7.78	6.	1	4002:dc7ae147ae147ae2	13.78
7	-7	1	0000:0000000000000000	0
0.00000000000000000000053e+17	100	1	4005:c80006f262888b54	100.000053
0x18f25bfcb98527ap-16491	-0x2f235abdcc2b3fcp-16496	1	0000:00000000000005df	0
5	1e-20	1	4001:a000000000000000	5
9981056.61893	+8.8	1	4016:984c896b3eff1950	9981065.41892999999981839
750944022137528.6230240	0.000000009713351879	1	4030:aabeb1ebe2ae27e0	750944022137528.623046875
0.0000000000000000000000000000007e10	-.3	1	bffd:999999999999999a	-0.3
0.000000000001E-2125	+6.49e10	1	4022:f1c5769000000000	64900000000
78530112541.38	.4402713706869366E-4663	1	4023:92461360eb0a3d71	78530112541.38000000268220901
+0.0000676	0.0000000000000000000098146981521575e-11	1	3ff1:8dc47941347db60e	0.0000676
-1	.39	1	bffe:9c28f5c28f5c28f6	-0.61
0xb076cce740e16942p-15	-0xb039afb665bef68dp-24	1	402f:b01eb00f65ae89c7	387291698613085.076385498046875
44.03169e11	-44.03169e11	1	0000:0000000000000000	0
0XaD0bc61dDCBCc57	-1	1	403a:ad0bc61ddcbcc560	779329864054066262
0x83bda39a8cc50969p-9	0xe62c1c556456f22dp-107	1	4035:83bda39a8cc50969	18540866159665796.705078125
816605507976.292	-81977152570243366323	1	c041:8e352b25f6bc0185	-81977151753637858344
0x1175e27451e4505p-16446	-0x2f5101c1595908bp-16471	1	0000:008baf12e54b1b7d	0
8.48e+8	-8.48e+8	1	0000:0000000000000000	0
25.7	4e+14	1	402f:b5e620f4800cd99a	400000000000025.70001220703125
2.E+18	-2.E+18	1	0000:0000000000000000	0
7E27	0X.FC2B6e0FB6a8	1	405b:b4f21d42f59c0d53	7000000000000000000134217728
0xc8a931e8c0824eep-16478	0xcb2ce06030ca3c7p-16452	1	0000:0019659c124b62d7	0
.4E+27	0.0000087	1	4057:a56fa5b99019a5c8	400000000000000000000000000
5.0e3	100	1	400b:9f60000000000000	5100
3.0	0.000000000000000000000000000967724E-1180	1	4000:c000000000000000	3
+98.75421461796	-+98.754214617961	parse	-	-
+628377	-+628377	parse	-	-
+0.0000000000000000000000008E-17	-+0.0000000000000000000000008E-17	parse	-	-
+4.03	-+4.03	parse	-	-
+444	-+4441	parse	-	-
+0.0000000000000000000000000018E-4	-+0.0000000000000000000000000018E-4	parse	-	-
+3525	-+35251	parse	-	-
+3	-+31	parse	-	-
+.153E-14	-+.153E-14	parse	-	-
+48.807176523179267956e-13	-+48.807176523179267956e-13	parse	-	-
+7396.9529585E-8	-+7396.9529585E-8	parse	-	-
+0.00000000000000000000000617E-3	-+0.00000000000000000000000617E-3	parse	-	-
"#;

    /// glibc `strtod` under Redis `string2d` rules: input, accepted, f64 bits.
    const D_PARSE: &str = r#"
0	1	0000000000000000
-0	1	8000000000000000
+0	1	0000000000000000
0.0	1	0000000000000000
.0	1	0000000000000000
0.	1	0000000000000000
.	0	-
1e	0	-
1e+	0	-
1e-	0	-
e5	0	-
+	0	-
-	0	-
++1	0	-
+-1	0	-
inf	1	7ff0000000000000
-inf	1	fff0000000000000
+inf	1	7ff0000000000000
Inf	1	7ff0000000000000
INF	1	7ff0000000000000
infinity	1	7ff0000000000000
INFINITY	1	7ff0000000000000
infinit	0	-
infx	0	-
nan	0	-
-nan	0	-
NaN	0	-
nan(1)	0	-
nan()	0	-
0x	0	-
0X	0	-
0x.	0	-
0x.p1	0	-
0xp1	0	-
0x1p	0	-
0x1p+	0	-
0x1P-2	1	3fd0000000000000
0x10	1	4030000000000000
0x.8	1	3fe0000000000000
0x8.	1	4020000000000000
0xg	0	-
0x1.8p1	1	4008000000000000
0x1e5	1	407e500000000000
0x1e+5	0	-
1e400	0	-
-1e400	0	-
1e-400	0	-
1e4932	0	-
1e4933	0	-
-1e4933	0	-
1e-4950	0	-
1e-4951	0	-
1e-4955	0	-
1.18973149535723176502e+4932	0	-
1.18973149535723176508e+4932	0	-
1.1897314953572317651e+4932	0	-
1.18973149535723176502126e4932	0	-
3.6451995318824746025e-4951	0	-
1.8225997659412373012e-4951	0	-
1.8225997659412373013e-4951	0	-
1.8225997659412373e-4951	0	-
1.82259976594123730126e-4951	0	-
0x1p-16445	0	-
0x1p-16446	0	-
0x1.8p-16446	0	-
0x1.00000000000000000001p-16446	0	-
0x1p16383	0	-
0x1p16384	0	-
0x1.fffffffffffffffep16383	0	-
0x1.ffffffffffffffffp16383	0	-
0x1.fffffffffffffffe7p16383	0	-
0x1.fffffffffffffffe8p16383	0	-
0x1.fffffffffffffffe80001p16383	0	-
1.5e308	1	7feab36d48e1acf0
2e308	0	-
1.7976931348623157e308	1	7fefffffffffffff
1.7976931348623158e308	1	7fefffffffffffff
1.797693134862315807e308	1	7fefffffffffffff
1.797693134862315808e308	0	-
4.9e-324	1	0000000000000001
2e-324	0	-
2.4703282292062327e-324	0	-
2.4703282292062328e-324	1	0000000000000001
3e-324	1	0000000000000001
1e-330	0	-
0x1p-1074	1	0000000000000001
0x1p-1075	0	-
0x1.8p-1075	1	0000000000000001
0x1.0000000000001p-1075	1	0000000000000001
0x1.00000000000008p0	1	3ff0000000000000
0x1.00000000000018p0	1	3ff0000000000002
0x1.000000000000080000001p0	1	3ff0000000000001
1e23	1	44b52d02c7e14af6
8.589973e9	1	42000004b0400000
9007199254740993	1	4340000000000000
9007199254740993.0000000000000000000001	1	4340000000000001
10.5	1	4025000000000000
5.0e3	1	40b3880000000000
0.1	1	3fb999999999999a
1e300	1	7e37e43c8800759c
-1e-30	1	b9b4484bfeebc2a0
00001	1	3ff0000000000000
1_0	0	-
1,5	0	-
1e2.5	0	-
1.e3	1	408f400000000000
.e3	0	-
0e99999	1	0000000000000000
0e99999999999999999999999	1	0000000000000000
1e99999999999999999999999	0	-
1e-99999999999999999999999	0	-
0.000001e6	1	3ff0000000000000
123456789012345678901234567890	1	45f8ee90ff6c373e
0x123456789abcdef123456789abcdef	1	47323456789abcdf
0x.000000000000000000000000000001p200	1	44f0000000000000
0x0000000000000000000000000000001p0	1	3ff0000000000000
x	0	-
1x	0	-
0x1x	0	-
--1	0	-
0.0000000000000000000000000032E180	1	5fce8ca3185deb72
0.000000000000000000000000000051e281	1	7466428ac7cdd8b2
856.e-138	1	23e3e8d956e24173
+266632999890722.E150	1	621285496306aed2
.584558452e-101	1	2aea2f6b85535775
0.0000047377E-23	1	3a0e075b960ce80b
3.2E-144	1	2223faac3e3fa1f3
+7762.241143276E+230	1	707f3fa3d6ed9802
7.73	1	401eeb851eb851ec
+46188.4500064138	1	40e68d8e6673d9c8
8.e+53	1	4b20b46c6cdd6e3e
0.0000000000000000000062243E-197	1	12d5f8cda0428042
7459216557615751.083921	1	433a801e31382a87
34.2e138	1	5ce6f9a2882195c6
144	1	4062000000000000
50755	1	40e8c86000000000
0.000000000000000000000000000054	1	3a111d001f16ec37
39361135874782.90	1	42c1e63d42c96f73
448754.73992e-101	1	2c232bb2162a0a55
.55	1	3fe199999999999a
+9E+231	1	70173029a71ab9a5
-97e106	1	d65a6ef443d1492b
17.2e9	1	421004ccb0000000
642565589799.03630500e-333	1	0000000000000082
0.000000000000004	1	3cf203af9ee75616
3976807403068972795E+97	1	57f0260de36b6034
0.00000000000000000000000000000092	1	39b2a8e9c191382c
532634957500.86636E255	1	775084c39a3bafdd
2	1	4000000000000000
185195525704686667E-37	1	3bd5dd30fa2fa6c3
+0.0000000198e249	1	7207c154a01e6b29
7.e210	1	6bb54acf4b0c1e44
0.1E-161	1	1e4ccb0536608d61
1289.9E-147	1	22101b62a2e354f2
257e58	1	4c7996cb3f8efdb8
0.000000000000000000000000549347447751	1	3ae540793e6673db
2.	1	4000000000000000
.91	1	3fed1eb851eb851f
80	1	4054000000000000
-66.	1	c050800000000000
0X3ee.4B7P-1015	1	011f725b80000000
-2797803864.0469	1	c1e4d8632b018034
4519985531806E+161	1	63fd3d7a27da98cb
.82	1	3fea3d70a3d70a3d
768467418536771222260540243968	1	4623661ab3323082
0x33A7f4Cp40	1	4409d3fa60000000
9	1	4022000000000000
542970128.6	1	41c02e88884ccccd
.70E-53	1	34e57476c9e9fccf
+0.0004e+21	1	4396345785d8a000
-39.e107	1	d67a91d5da999f51
9	1	4022000000000000
-0XCEEacd530fbfcD4p-746	1	9509dd59aa61f7fa
-0.000000000003065408836139345840628E-252	1	8938b5eeb94cbffb
-0X19b3P18	1	c1d9b30000000000
6	1	4018000000000000
0.00000000000000007429822089270697070203	1	3c956a3db65ac064
-475039541	1	c1bc508735000000
0.0000068E+38	1	46c0c36740449d93
+0.00000000000000000000773	1	3bc2407f901e1d1c
0xb7baC25ecaD9dC8ap614	1	6a46f7584bd95b3c
4167517990238248680554664916768784384	1	4789151401d4b84c
-0X.ed9bC91334CcAP-120	1	b86db37922669994
0x3ff0160p-691	1	165ff80b00000000
830.8e-18	1	3ccdeec70977c968
315017431286900890215677901718683648	1	474e55c77cf063d6
+.277e-277	1	064f6cfe6b11e3d6
3.	1	4008000000000000
.81E-329	0	-
0.000219652352319114194307593523891597442343481816351413726806640625	1	3f2cca4f56e2ed4c
+.2e-12	1	3d4c25c268497682
25916297005306603.1326867e-150	1	2432d6438d2ddfe4
7.38E-42	1	3764928b42ac0c85
+498	1	407f200000000000
0.00527067909	1	3f7596b5251bb177
83.5e+199	1	69a5d1352148cea8
78.9	1	4053b9999999999a
0Xb.C0A3aa618ebA94318E6P-944	1	0527814754c31d75
0.000000000000000096	1	3c9bab8cbabb6581
+1.4	1	3ff6666666666666
59890078.537801E-19	1	3d9a5705fc89563c
77948005876E195	1	6aaf13b0f3bc2bbf
-0xE29P866	1	f6cc520000000000
395941609358209.3e+25	1	482745779a775a9f
+5375491	1	41548180c0000000
.6	1	3fe3333333333333
0Xa.bB	1	4025760000000000
124.	1	405f000000000000
-0.00000000000000000000000749e-19	1	b730b408b9f2c8d0
098450	1	40f8092000000000
95.e+230	1	701879f313f18b12
+6.E+184	1	664c3dc274d690db
23433310362283094555208811585327857664	1	47b1a11766cba28a
0.137	1	3fc189374bc6a7f0
+01e-10	1	3ddb7cdfd9d7bdbb
-0X8Cbe9d.p-735	1	937197d3a0000000
8.2	1	4020666666666666
98	1	4058800000000000
7.E+9	1	41fa13b860000000
-23.	1	c037000000000000
-0.30E-12	1	bd551c51ce3718e1
0.000000000000000000000000000963767268706	1	3a5316e170bf0d2c
-0X.5C9b13394P183	1	cb4726c4ce500000
9	1	4022000000000000
594.e-225	1	11cb7bcb9169ceb8
287554247892004337683160125931520	1	46ac5ae3c5d3baa4
6909262791108373e-92	1	30200031c5d9983a
-19543976.300E-228	1	921c422fb584fc2e
0X5a03AE.B	1	415680ebac000000
0xdE.1FP484	1	5eabc3e000000000
0X7aBCp427	1	5b8eaf0000000000
-0xDE0p769	1	f0bbc00000000000
1.e10	1	4202a05f20000000
0.000000672e-10	1	3c935e7c1c4ffa41
0.00000000000000000000000000705066586473e+178	1	5f758a11e4cd3242
0X.3d2FfAfE450fBfD1e2p-277	1	2e7e97fd7f2287e0
-503487.8099639373267841	1	c11ebaff3d672fb7
-3.E42	1	c8c1381a93a87849
0.00000000000000000000000000006	1	3a1303c73efd0676
.8	1	3fe999999999999a
0.001520863832266260910579258602837171565624885261058807373046875	1	3f58eaf71af5ce64
0x73519D6p434	1	5cbcd46758000000
9.90	1	4023cccccccccccd
+5.	1	4014000000000000
-6829644.544e-154	1	a1617738074847ad
.6e+162	1	618556a6e318fcf7
0X894a.0Bp-201	1	3451294160000000
308552361133724077203156639940608.1	1	46ae6cf4e62caf8f
148.5341577685435510147726745344698429107666015625	1	40629117d2085990
-8.6	1	c021333333333333
2.1881E-11	1	3db80ef43713abb3
0.00000003	1	3e601b2b29a4692b
+355817712985855.E-183	1	1cf57c489ad866f2
-69	1	c051400000000000
123809973150534139229555064034748965432776982528.1	1	49b5afd4ca08e757
0x64f91EFfdf12d0eB.A8	1	43d93e47bff7c4b4
76E+8	1	41fc4fecc0000000
0xDEBe3dd.181CaP699	1	6d5bd7c7ba303940
0.00000000000000000000000000083297973	1	3a507fb58242641d
0.00000000000000326965851480991259	1	3ced7351b8fc0c7e
+.218e-19	1	3bd9bca54db3e6d0
+0.0000000000000000085E6	1	3da2b1131940c8b2
6	1	4018000000000000
1.48e-15	1	3cdaa94b9941e5ce
.1E-4	1	3ee4f8b588e368f1
84655013.234756641089916229248046875	1	41942eee94f0640c
+91.2	1	4056cccccccccccd
0X9e6C56d5945C1e3E0.p-525	1	2353cd8adab28b84
-0Xda6dbB58C25dp-280	1	b16b4db76b184ba0
"#;

    /// glibc `printf("%.17g")`: f64 bits, text.
    const G17: &str = r#"
be52e79e210a2a2b	-1.7606426596633914e-08
db5b95a5c10c235f	-1.2237259968637619e+132
144208b68094c649	4.2855439244294721e-211
7a7b784724f6923a	9.9726830997072587e+281
b48eaa9acef63e15	-1.5633418597134089e-55
fc4da3d0999a0c49	-5.7770029932004681e+290
1503bb7ed25c722c	1.9206710594184287e-207
cfd1b165e0338b41	-3.2011013908874378e+76
5f72cee424aec4c3	6.1566482742766899e+151
e0fbd46e4799acb0	-1.5283679921418163e+159
075202388de88b34	2.0805862169710323e-273
7ea958179b00aaa1	1.3578216105579471e+302
98ac5d541cf67ce6	-7.9577239196181575e-190
ce791f35ffa8478b	-1.083656898370215e+70
f5850d05e2d2d79b	-1.2643181501729379e+258
713b4cd2135548c0	2.7776692318690015e+237
21d963d914f94ec8	1.2708238041583643e-145
22ae1361236f658c	1.2331837947306843e-141
79d66680afd91ad3	7.9416692738160997e+278
55dc6115726328d8	4.0679832975651755e+105
6ec5bf38abe0bc79	4.0248091820998112e+225
0924e73da83fd158	1.2965472633976489e-264
1e242f3d91b00833	1.7525526491626864e-163
43521496d47c3af3	20356750493412300
5d3f9cfa7e617710	1.5058662814949755e+141
3573b5351a75756f	3.2921514617451767e-51
bc8e0612068e3f30	-5.2082838994643745e-17
897616ef0f796b80	-4.3844120281448479e-263
420f56ff1a22fb59	16825443140.372728
8b6d55a9c4ebf719	-1.2503573638730226e-253
ccc0dbbe485271d3	-5.4180719403427781e+61
4ce6d19156a04e97	2.9334491938551928e+62
0f638af1f62d8bcb	1.5365941085155473e-234
e37c88f08d2df848	-1.723035485665634e+171
0f1727976c5ab7fb	5.6893376526626629e-236
d455754b43acbe4e	-1.8333757455407555e+98
e386a15f52e00239	-2.7329961991636852e+171
dbbc401456c07f69	-8.0208670051866305e+133
f67a53e2a130b452	-5.1814197354766133e+262
beeeb0bd6696745a	-1.4634318364065646e-05
72f9eac274d32bba	7.0785076382170967e+245
ac6d498afc63dc76	-1.0969084180376563e-94
cc83d71fb9e85a15	-3.9852722047787591e+60
54f869e0c5df9b38	2.1359453480531165e+101
921b6df21bd0ef2f	-1.8970584135729965e-221
245b54eb282eea35	1.5041418293735726e-133
0e7e2ab2b367cfda	7.2385660376746069e-239
1b4103caf6b012c2	2.0994223322466186e-177
64a3c7fe96c7565c	6.2623989491202139e+176
a2a10520a9e2a049	-6.9786651967889595e-142
219f266d60c7aa4f	9.7445471234122145e-147
b43b30bde003d839	-4.3316801940909454e-57
c500a40a00fbcb9c	-2.5146832194174395e+24
84ea7cb66dafb8e3	-5.5663368903247969e-285
b1d1b079ac52df7c	-1.0252104725927347e-68
ba23517439399aba	-1.2191485367927094e-28
fb89a42ce2c0dd1a	-1.2201299641663625e+287
0c1d5be7f413a0ee	2.5628606599218877e-250
b55da33f94caebaa	-1.2377276412593754e-51
c4327e49d929bac3	-3.4114143662210096e+20
625fed359ccc82ae	7.3541129244946323e+165
27dc1577f3c6f099	1.1136751132419278e-116
6884c0af8e0ca618	3.0298516632248875e+195
3daeadd2d775b7a4	1.3951193267580473e-11
89131d70144d4754	-5.9281329139032938e-265
c94d620767a0c773	-1.3105222690011308e+45
95a72b49ac06a75e	-2.3093086572604629e-204
2d190e688a7b57b9	1.9219317736127893e-91
7c2460f41ae9d63e	9.9298535913967507e+289
b25290d706340bb8	-2.7545723644944213e-66
84c782a72a3d3966	-1.2351891342296022e-285
abeb88bfcbca8271	-4.0283157318726948e-97
851f3ffca3c54163	-5.2537984854384807e-284
9efd5abf25461fa8	-2.0879336117808164e-159
a745cf17be2c5869	-1.6891437364313738e-119
612a909c7637658b	1.1671204926988021e+160
9f6ea650437a599e	-2.790473927870649e-157
52df054dedb29f10	1.5797580838464338e+91
f47648a9c6ae94cf	-1.0210956307838574e+253
5e50848ddf64aaf6	2.0625754550689006e+146
7b53ca44508d360d	1.1771288242088958e+286
3d305c26dc4409bf	5.8122281966346539e-14
a0edff70952030cc	-4.5820702776198903e-150
d270368a7740f17d	-1.2901002652314591e+89
e71b129cd1a60e05	-4.7118229139671056e+188
b5588494a1d6f766	-1.0239149849225089e-51
e39f5f8024ba6c3a	-7.5776453324971706e+171
49fa10aff67b81f6	2.3808944078122636e+48
76fc12225a51f87b	1.4142674926450839e+265
19c0f5d4268c106e	1.2473415454354886e-184
c542d6cb3952ae71	-4.5550000000000002e+25
3b9252a1d68e2b22	9.7000000000000008e-22
ba33ce9a36f23c10	-2.5000000000000001e-28
bef453c9a9a05896	-1.9385620000000001e-05
4073900000000000	313
43a42050b456dc63	7.2512390774745946e+17
c3aae36a4be9eeb4	-9.6875456948963584e+17
40a6386666666666	2844.1999999999998
401199999999999a	4.4000000000000004
bcfe5ab0e1833dda	-6.7399999999999999e-15
c11552b400000000	-349357
405e000000000000	120
401c000000000000	7
3f15cf751db94e6b	8.3200000000000003e-05
3a7745f533c30693	4.7000000000000003e-27
c3a1f98d763ca2f0	-6.4761095340434842e+17
451d542fc0a148dd	8.8641021077031003e+24
429cea245ea61fec	7947989526919.9805
4125e6b400000000	717658
3ff8000000000000	1.5
43502e23e5dda81e	18217325370450040
c39325d082f6b2f9	-3.4493453044054381e+17
416da8c5a0000000	15549997
43a812bb734ccbbe	8.6732745518755814e+17
43740d3173fa7610	90304089353052416
c3a88938ce524e59	-8.8400339375745754e+17
c04d000000000000	-58
4263b40b06400000	677000000000
4390b6aa2f239a48	3.0108426745142118e+17
b9c13d73cbe1ff08	-1.7000000000000001e-30
438a8b8823c3f3bf	2.3909651924270896e+17
c3869b56b78209c9	-2.0362387954815619e+17
3a04ea8e5ee320b5	3.3000000000000003e-29
400d1eb851eb851f	3.6400000000000001
4120cef600000000	550779
c0fa020000000000	-106528
4106ce2000000000	186820
401224e33dc9dc7a	4.5360231070000001
c04fb33333333333	-63.399999999999999
4124873400000000	672666
bc99a70a77c8661b	-8.9000000000000004e-17
c12cd0e600000000	-944243
4035000000000000	21
3b7cb644dc1633c1	3.8000000000000002e-22
45bba064ecbcd048	8.5499999999999995e+27
411e606400000000	497689
40c6dd5e4be9e35e	11706.7366917
3c2d83c94fb6d2ac	7.9999999999999998e-19
3bc76f3a671df078	9.9248904086640787e-21
40f7616a62c12ad8	95766.649109999998
43a241912427eb6d	6.5774607532174298e+17
c117bf3400000000	-389069
41217b5800000000	572844
bd877c4e356a187b	-2.6700000000000001e-12
418fc400f8000000	66617375
c3880772f8e1b528	-2.1643487437643085e+17
c0ddab0000000000	-30380
3a825914bef1f59e	7.4106872000000002e-27
c396f4d346e16a47	-4.1354481613370618e+17
4015cccccccccccd	5.4500000000000002
bf12500000000000	-6.9856643676757812e-05
bef3400000000000	-1.8358230590820312e-05
4189e513cf3e0000	54305401.905273438
3f93878000000000	0.019071578979492188
3e78000000000000	8.9406967163085938e-08
c316316b01ea6a8f	-1561696287759011.8
3ee2c00000000000	8.9406967163085938e-06
c1f9bbfac812f000	-6907997313.1835938
415b21c851980000	7112481.2749023438
41f0cce66ecf5000	4509820652.9570312
4056230ac0000000	88.547531127929688
3ef3400000000000	1.8358230590820312e-05
bfc0d2a000000000	-0.13142776489257812
3fe8b56800000000	0.77214431762695312
c083bd4db0000000	-631.66293334960938
406635ff40000000	177.68740844726562
c2002f99cf7be800	-8689760751.4882812
40905a3cb0000000	1046.5592651367188
be78000000000000	-8.9406967163085938e-08
c0bffd57ec000000	-8189.3434448242188
bee3400000000000	-9.1791152954101562e-06
3eae000000000000	8.9406967163085938e-07
be78000000000000	-8.9406967163085938e-08
c11a56b181400000	-431532.37622070312
3f79330000000000	0.0061521530151367188
c1bebc2f538b8000	-515649363.54492188
c1ea052d2988e000	-3492374860.2773438
3f02a00000000000	3.5524368286132812e-05
425445ece9fd9700	348290000886.35938
42bd3d1b6abbfa10	32148290190330.062
4056670bc0000000	89.610092163085938
4121f727b0600000	588691.84448242188
4232adee0122f200	80227467554.945312
41b59de22b0f8000	362668587.06054688
3fb5c0e000000000	0.084974288940429688
42d75b96a1e4f088	102728546620354.12
c1fe6ee2e46c1000	-8169336390.7539062
c1749a7ece140000	-21604332.879882812
42a1704911960270	9586979949313.2188
c017a55200000000	-5.9114456176757812
c121b37c3a200000	-580030.11352539062
c0d14e8c1a000000	-17722.189086914062
c2f2eec847583172	-333068346163991.12
40ba407ec4000000	6720.4951782226562
43024d528aa95d5f	643945811225515.88
c2a1966feb1bc090	-9668910222816.2812
4235ec03d87d6a00	94153988221.414062
bf80ce8000000000	-0.0082063674926757812
42f7a2af20132852	415799844090501.12
c29f2cc788975fe0	-8569296659927.9688
414a0b3a60100000	3413620.7504882812
40b9ce38cc000000	6606.2218627929688
bfb7be6000000000	-0.092748641967773438
be88000000000000	-1.7881393432617188e-07
bf3d080000000000	-0.00044298171997070312
bf53ec0000000000	-0.0012159347534179688
c15b21c851980000	-7112481.2749023438
bfe67dc800000000	-0.70285415649414062
431a33d9a1e903e5	1843839802949881.2
c2366aeb35326200	-96283079986.382812
415826cd04380000	6331188.0659179688
3fb84ca000000000	0.094919204711914062
c31edbf72e4ec825	-2171525995409929.2
c056230ac0000000	-88.547531127929688
4055569940000000	85.353103637695312
bfeaf75800000000	-0.84269332885742188
bfe68f5800000000	-0.70499801635742188
c2f7a2af20132852	-415799844090501.12
3fc2d8e000000000	0.14724349975585938
4113f42470400000	326921.10961914062
c25ca4b0ffea0f00	-492088590248.23438
431358e711f2d63f	1361443504829839.8
bfe06c0800000000	-0.51318740844726562
bed4800000000000	-4.8875808715820312e-06
3febdff800000000	0.87108993530273438
be88000000000000	-1.7881393432617188e-07
c2c72554d87062f8	-50898209398981.938
42f7736feee21842	412553065668996.12
431edbf72e4ec825	2171525995409929.2
4242031920a73600	154722779470.42188
41805ea094020000	34329618.500976562
42bd3ee329615230	32155936317778.188
40e6552c97000000	45737.393432617188
c0ad87ed68000000	-3779.9636840820312
c22435dd19f71400	-43401514235.539062
407f3df720000000	499.87283325195312
c2d2a774d6606884	-82041716179362.062
c050ab82c0000000	-66.679855346679688
3f9ef08000000000	0.030214309692382812
c2e2bf548a43347c	-164903731206563.88
0000000000000000	0
8000000000000000	-0
3ff0000000000000	1
3fb999999999999a	0.10000000000000001
4376345785d8a000	1e+17
4341c37937e08000	10000000000000000
3ee4f8b588e368f1	1.0000000000000001e-05
3f1a36e2eb1c432d	0.0001
437b69b4ba630f35	1.2345678901234568e+17
0000000000000001	4.9406564584124654e-324
7fefffffffffffff	1.7976931348623157e+308
0010000000000000	2.2250738585072014e-308
3fe0000000000000	0.5
444b1ae4d6e2ef50	1e+21
4480f0cf064dd592	1e+22
4376345785d89fff	99999999999999984
3ee4f8b588e368f1	1.0000000000000001e-05
3f1a36e2eb1c432c	9.9999999999999991e-05
"#;

    /// glibc `(double)strtold(s)`: input, f64 bits, human text of the double.
    const LD_TO_D: &str = r#"
0.0000000008	3e0b7cdfd9d7bdbb	0.0000000008
2434061142	41e2229a6ac00000	2434061142
+567.e-104	2ae966118e37ee96	0
-6e11	c26176592e000000	-600000000000
66490714885e-2	41c3d0d6c66ccccd	664907148.85000002384185791
-67	c050c00000000000	-67
15e-216	1354af06b33efe2b	0
0095e+4	412cfde000000000	950000
443132234668176633e+1	43cebf9c191b9bc9	4431322346681766400
61.812	404ee7ef9db22d0e	61.81199999999999761
0xDF1FP-326	2c8be3e000000000	0
15E+7	41a1e1a300000000	150000000
+3.E3	40a7700000000000	3000
-80e-248	8cd65fc7e170b33e	0
+0.0671	3fb12d77318fc505	0.06710000000000001
-2	c000000000000000	-2
0X3D733.c5p-353	2afeb99e28000000	0
1978040351534e+1	42b1fd7beccfcc00	19780403515340
170044928.26212763412760	41a4455c00863598	170044928.26212763786315918
+9.764625202065e-235	0f58d6768b62c403	0
7.9753E-327	0000000000000000	0
.0	0000000000000000	0
701102046249191265500E18	48007b9abd6d9fd9	701102046249191211115116105992801091584
-0x.eD6fCE6EFF5352eA	bfedadf9cddfea6a	-0.92748727998634917
+695592	41253a5000000000	695592
1.e+18	43abc16d674ec800	1000000000000000000
-.62972754172844e-4	bf108207adc8d41a	-0.00006297275417284
8.8	402199999999999a	8.80000000000000071
-6.	c018000000000000	-6
431e+11	42c39980184c0000	43100000000000
9.04	4022147ae147ae14	9.03999999999999915
836.e-18	3cce1ebd3099527e	0.00000000000000084
0X48b48P-1020	01522d2000000000	0
.1734e-204	156bd5d72172bc4f	0
0xeBD45cadp-355	2bbd7a8b95a00000	0
-0.00000000674139954349	be3cf43f478d61e7	-0.00000000674139954
997.e-4	3fb985f06f694467	0.0997
-0XAabC3d5063F77BdA1FF8	c4e55787aa0c7eef	-806274708114846053826560
0xc.Bc74CDc42069e7b0cP-703	143978e99b8840d4	0
24612982.132877E17	45004999f2afa2b4	2461298213287700067254272
"#;
}

/// C's `atof`: the longest decimal prefix (after leading spaces) as a
/// double, 0 when there is none. Redis parses a few debugging arguments
/// (DEBUG SLEEP, DEBUG SET-ACTIVE-EXPIRE) this way, accepting garbage.
pub fn atof(s: &[u8]) -> f64 {
    let s = match s.iter().position(|c| !c.is_ascii_whitespace()) {
        Some(i) => &s[i..],
        None => return 0.0,
    };
    let mut end = 0;
    let digits = |s: &[u8], mut i: usize| {
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    if end < s.len() && (s[end] == b'+' || s[end] == b'-') {
        end += 1;
    }
    let int_end = digits(s, end);
    let mut mant_end = int_end;
    if mant_end < s.len() && s[mant_end] == b'.' {
        mant_end = digits(s, mant_end + 1);
    }
    if mant_end == end || (mant_end == end + 1 && s[end] == b'.') {
        return 0.0;
    }
    end = mant_end;
    if end < s.len() && (s[end] == b'e' || s[end] == b'E') {
        let mut e = end + 1;
        if e < s.len() && (s[e] == b'+' || s[e] == b'-') {
            e += 1;
        }
        let e_end = digits(s, e);
        if e_end > e {
            end = e_end;
        }
    }
    std::str::from_utf8(&s[..end])
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod atof_tests {
    use super::atof;

    #[test]
    fn prefixes_like_c() {
        assert_eq!(atof(b"0.5"), 0.5);
        assert_eq!(atof(b" 2xyz"), 2.0);
        assert_eq!(atof(b"abc"), 0.0);
        assert_eq!(atof(b"-1.5e2s"), -150.0);
        assert_eq!(atof(b"3e"), 3.0);
        assert_eq!(atof(b"."), 0.0);
        assert_eq!(atof(b""), 0.0);
    }
}
