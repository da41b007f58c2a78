//! Bitmap commands (Redis's bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP
//! BITFIELD BITFIELD_RO, on string values.
//!
//! Bits are numbered from the most significant bit of the first byte. Bytes
//! past the end of a string read as zero; writes grow the string with zero
//! bytes. Writes convert the value to the `raw` encoding, as Redis's
//! `dbUnshareStringValue` does, and count as changes (`dirty`) only when the
//! string grew or a bit actually changed.

use super::{acl, ev, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::object::Value;
use crate::server::Server;

const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];

pub static COMMANDS: &[Command] = &[
    Command::new("setbit", 4, Group::Bitmap, setbit)
        .flags(WRITE | DENYOOM)
        .acl(acl::BITMAP)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE)])
        .doc("2.2.0", "O(1)", "Sets or clears the bit at offset in the string value stored at key")
        .args("key offset:integer value:integer"),
    Command::new("getbit", 3, Group::Bitmap, getbit)
        .flags(READONLY | FAST)
        .acl(acl::BITMAP)
        .keys(KS_RO)
        .doc("2.2.0", "O(1)", "Returns the bit value at offset in the string value stored at key")
        .args("key offset:integer"),
    Command::new("bitcount", -2, Group::Bitmap, bitcount)
        .flags(READONLY)
        .acl(acl::BITMAP)
        .keys(KS_RO)
        .doc("2.6.0", "O(N)", "Count set bits in a string")
        .args("key index=[start:integer end:integer index_unit=[BYTE | BIT]@7.0.0]")
        .history(&[("7.0.0", "Added the `BYTE|BIT` option.")]),
    Command::new("bitpos", -3, Group::Bitmap, bitpos)
        .flags(READONLY)
        .acl(acl::BITMAP)
        .keys(KS_RO)
        .doc("2.8.7", "O(N)", "Find first bit set or clear in a string")
        .args("key bit:integer index=[start:integer end_index=[end:integer index_unit=[BYTE | BIT]@7.0.0]]")
        .history(&[("7.0.0", "Added the `BYTE|BIT` option.")]),
    Command::new("bitop", -4, Group::Bitmap, bitop)
        .flags(WRITE | DENYOOM)
        .acl(acl::BITMAP)
        .keys(&[
            KeySpec::one(2, ks::OW | ks::UPDATE),
            KeySpec::range(3, -1, 1, ks::RO | ks::ACCESS),
        ])
        .doc("2.6.0", "O(N)", "Perform bitwise operations between strings")
        .args("operation destkey key [key ...]"),
    Command::new("bitfield", -2, Group::Bitmap, bitfield)
        .flags(WRITE | DENYOOM)
        .acl(acl::BITMAP)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE | ks::VARIABLE_FLAGS)
            .notes("This command allows both access and modification of the key")])
        .doc("3.2.0", "O(1) for each subcommand specified", "Perform arbitrary bitfield integer operations on strings")
        .args("key [operation=(GET (encoding offset:integer) | write=([OVERFLOW (WRAP | SAT | FAIL)] write_operation=(SET (encoding offset:integer value:integer) | INCRBY (encoding offset:integer increment:integer)))) ...]"),
    Command::new("bitfield_ro", -2, Group::Bitmap, bitfield_ro)
        .flags(READONLY | FAST)
        .acl(acl::BITMAP)
        .keys(KS_RO)
        .doc("6.0.0", "O(1) for each subcommand specified", "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD")
        .args("key [GET (encoding offset:integer) [GET (encoding offset:integer) ...]]"),
];

const OFFSET_ERR: &str = "ERR bit offset is not an integer or out of range";
const TYPE_ERR: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/// An argument as C's `strcasecmp` sees it: up to the first NUL byte.
pub(super) fn cstr(a: &[u8]) -> &[u8] {
    match a.iter().position(|&b| b == 0) {
        Some(n) => &a[..n],
        None => a,
    }
}

fn is_word(a: &[u8], w: &str) -> bool {
    cstr(a).eq_ignore_ascii_case(w.as_bytes())
}

/// Redis's getBitOffsetFromArgument: a non-negative bit offset whose byte
/// is below proto-max-bulk-len. With `hash`, `#n` means n * `bits`.
fn bit_offset(ctx: &mut Ctx, i: usize, hash: bool, bits: u32) -> Option<u64> {
    let a = ctx.argv.get(i);
    let usehash = hash && bits > 0 && a.first() == Some(&b'#');
    let Some(mut off) = crate::util::string2ll(if usehash { &a[1..] } else { a }) else {
        ctx.error(OFFSET_ERR);
        return None;
    };
    if usehash {
        // Redis multiplies in C, wrapping on overflow.
        off = off.wrapping_mul(bits as i64);
    }
    if off < 0 || (off >> 3) >= ctx.srv.cfg.proto_max_bulk_len {
        ctx.error(OFFSET_ERR);
        return None;
    }
    Some(off as u64)
}

/// Looks the key at argv[i] up for reading (lazy expiry, keyspace hits
/// and misses, access time) and returns the length of its string value:
/// `Ok(None)` if it is missing, `Err` after a WRONGTYPE reply.
fn lookup_len(ctx: &mut Ctx, i: usize) -> Result<Option<usize>, ()> {
    let db = ctx.c.db;
    let len = match ctx.srv.lookup_read(db, ctx.argv.get(i)) {
        None => return Ok(None),
        Some(o) if o.v.is_string() => o.v.str_len(),
        Some(_) => None,
    };
    match len {
        Some(n) => Ok(Some(n)),
        None => {
            ctx.wrong_type();
            Err(())
        }
    }
}

/// The bytes of a string key already looked up, borrowed from the keyspace
/// (an integer is formatted into `tmp`); empty if the key is missing.
fn peek<'a>(srv: &'a Server, db: usize, key: &[u8], tmp: &'a mut Vec<u8>) -> &'a [u8] {
    srv.dbs[db].get(key).and_then(|o| o.v.str_bytes(tmp)).unwrap_or(&[])
}

/// Redis's lookupStringForBitCommand: makes the key at argv[1] a raw string
/// at least `maxbit / 8 + 1` bytes long, creating it if needed. Returns
/// whether it was created or grown, or `None` after a WRONGTYPE reply.
fn bit_target(ctx: &mut Ctx, maxbit: u64) -> Option<bool> {
    enum Found {
        Missing,
        WrongType,
        Resized(bool),
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let need = (maxbit >> 3) as usize + 1;
    let found = match ctx.srv.lookup_write(db, key) {
        None => Found::Missing,
        Some(o) if !o.v.is_string() => Found::WrongType,
        Some(o) => match o.v.make_raw() {
            Some(buf) if buf.len() < need => {
                buf.resize(need, 0);
                Found::Resized(true)
            }
            _ => Found::Resized(false),
        },
    };
    match found {
        Found::Resized(g) => Some(g),
        Found::WrongType => {
            ctx.wrong_type();
            None
        }
        Found::Missing => {
            ctx.srv.add_key(db, key, Value::Raw(Box::new(vec![0; need])));
            Some(true)
        }
    }
}

/// The raw buffer of argv[1], which `bit_target` made sure exists.
fn target_buf<'a>(ctx: &'a mut Ctx) -> &'a mut Vec<u8> {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    ctx.srv.dbs[db]
        .get_mut(key)
        .and_then(|o| o.v.make_raw())
        .expect("bit_target created the key")
}

#[inline]
fn get_bit(s: &[u8], off: u64) -> bool {
    match s.get((off >> 3) as usize) {
        Some(&b) => b & (0x80 >> (off & 7)) != 0,
        None => false,
    }
}

#[inline]
fn put_bit(s: &mut [u8], off: u64, on: bool) {
    let byte = &mut s[(off >> 3) as usize];
    let mask = 0x80u8 >> (off & 7);
    if on {
        *byte |= mask;
    } else {
        *byte &= !mask;
    }
}

/// SETBIT key offset value
fn setbit(ctx: &mut Ctx) {
    let Some(off) = bit_offset(ctx, 2, false, 0) else {
        return;
    };
    let on = match crate::util::string2ll(ctx.argv.get(3)) {
        Some(v) if v & !1 == 0 => v == 1,
        _ => return ctx.error("ERR bit is not an integer or out of range"),
    };
    let Some(grown) = bit_target(ctx, off) else { return };
    let buf = target_buf(ctx);
    let old = get_bit(buf, off);
    if grown || old != on {
        put_bit(buf, off, on);
        ctx.written(ctx.argv.get(1), ev::STRING, "setbit");
    }
    ctx.c.reply.int(old as i64);
}

/// GETBIT key offset
fn getbit(ctx: &mut Ctx) {
    let Some(off) = bit_offset(ctx, 2, false, 0) else {
        return;
    };
    let db = ctx.c.db;
    let mut tmp = Vec::new();
    let bit = match ctx.srv.lookup_read(db, ctx.argv.get(1)) {
        None => false,
        Some(o) if o.v.is_string() => o.v.str_bytes(&mut tmp).is_some_and(|s| get_bit(s, off)),
        Some(_) => return ctx.wrong_type(),
    };
    ctx.c.reply.int(bit as i64);
}

/// The unit of a BITCOUNT/BITPOS range, or `None` after a syntax error.
fn range_unit(ctx: &mut Ctx, i: usize) -> Option<bool> {
    let a = ctx.argv.get(i);
    if is_word(a, "bit") {
        Some(true)
    } else if is_word(a, "byte") {
        Some(false)
    } else {
        ctx.syntax_error();
        None
    }
}

/// Set bits of `s` in the inclusive bit range `sb..=eb` (within `s`).
fn popcount_bits(s: &[u8], sb: u64, eb: u64) -> u64 {
    let (first, last) = ((sb >> 3) as usize, (eb >> 3) as usize);
    let mut n: u64 = s[first..=last].iter().map(|b| b.count_ones() as u64).sum();
    let head = s[first] & !(0xffu8 >> (sb & 7));
    let tail = s[last] & ((1u8 << (7 - (eb & 7))) - 1);
    n -= head.count_ones() as u64 + tail.count_ones() as u64;
    n
}

/// BITCOUNT key [start end [BYTE | BIT]]
fn bitcount(ctx: &mut Ctx) {
    // Redis looks the key up before it reads the range.
    let len = match lookup_len(ctx, 1) {
        Err(()) => return,
        Ok(None) => return ctx.c.reply.int(0),
        Ok(Some(n)) => n,
    };
    let argc = ctx.argv.len();
    let (sb, eb) = if argc == 4 || argc == 5 {
        let Some(mut start) = ctx.int_arg(2) else { return };
        let Some(mut end) = ctx.int_arg(3) else { return };
        // Redis answers this empty range before it reads the unit.
        if start < 0 && end < 0 && start > end {
            return ctx.c.reply.int(0);
        }
        let isbit = if argc == 5 {
            let Some(u) = range_unit(ctx, 4) else { return };
            u
        } else {
            false
        };
        let totlen = (len as i64) << if isbit { 3 } else { 0 };
        if start < 0 {
            start += totlen;
        }
        if end < 0 {
            end += totlen;
        }
        start = start.max(0);
        end = end.max(0);
        if end >= totlen {
            end = totlen - 1;
        }
        if start > end {
            return ctx.c.reply.int(0);
        }
        if isbit {
            (start as u64, end as u64)
        } else {
            (start as u64 * 8, end as u64 * 8 + 7)
        }
    } else if argc == 2 {
        if len == 0 {
            return ctx.c.reply.int(0);
        }
        (0, len as u64 * 8 - 1)
    } else {
        return ctx.syntax_error();
    };
    let mut tmp = Vec::new();
    let n = popcount_bits(peek(ctx.srv, ctx.c.db, ctx.argv.get(1), &mut tmp), sb, eb);
    ctx.c.reply.int(n as i64);
}

/// The first bit equal to `bit` in `s` within the bit range `sb..=eb`.
fn find_bit(s: &[u8], bit: bool, sb: u64, eb: u64) -> Option<u64> {
    let skip = if bit { 0u8 } else { 0xff };
    let mut pos = sb;
    // Bit by bit up to a byte boundary, then whole bytes.
    while pos <= eb && pos & 7 != 0 {
        if get_bit(s, pos) == bit {
            return Some(pos);
        }
        pos += 1;
    }
    while pos <= eb {
        let b = s[(pos >> 3) as usize];
        if b == skip && pos + 7 <= eb {
            pos += 8;
            continue;
        }
        if get_bit(s, pos) == bit {
            return Some(pos);
        }
        pos += 1;
    }
    None
}

/// BITPOS key bit [start [end [BYTE | BIT]]]
fn bitpos(ctx: &mut Ctx) {
    let Some(bit) = ctx.int_arg(2) else { return };
    if bit != 0 && bit != 1 {
        return ctx.error("ERR The bit argument must be 1 or 0.");
    }
    let bit = bit == 1;
    // A missing key is an endless run of zero bits.
    let len = match lookup_len(ctx, 1) {
        Err(()) => return,
        Ok(None) => return ctx.c.reply.int(if bit { -1 } else { 0 }),
        Ok(Some(n)) => n,
    };
    let argc = ctx.argv.len();
    let mut end_given = false;
    let (sb, eb) = if (4..=6).contains(&argc) {
        let Some(mut start) = ctx.int_arg(3) else { return };
        let isbit = if argc == 6 {
            let Some(u) = range_unit(ctx, 5) else { return };
            u
        } else {
            false
        };
        let totlen = (len as i64) << if isbit { 3 } else { 0 };
        let mut end = if argc >= 5 {
            let Some(e) = ctx.int_arg(4) else { return };
            end_given = true;
            e
        } else {
            totlen - 1
        };
        if start < 0 {
            start += totlen;
        }
        if end < 0 {
            end += totlen;
        }
        start = start.max(0);
        end = end.max(0);
        if end >= totlen {
            end = totlen - 1;
        }
        if start > end {
            return ctx.c.reply.int(-1);
        }
        if isbit {
            (start as u64, end as u64)
        } else {
            (start as u64 * 8, end as u64 * 8 + 7)
        }
    } else if argc == 3 {
        if len == 0 {
            return ctx.c.reply.int(-1);
        }
        (0, len as u64 * 8 - 1)
    } else {
        return ctx.syntax_error();
    };
    let mut tmp = Vec::new();
    let found = find_bit(peek(ctx.srv, ctx.c.db, ctx.argv.get(1), &mut tmp), bit, sb, eb);
    let pos = match found {
        Some(p) => p as i64,
        // No set bit; no clear bit: the first bit after the range counts
        // as clear (the string is zero padded) unless an end was given.
        None if bit || end_given => -1,
        None => eb as i64 + 1,
    };
    ctx.c.reply.int(pos);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...]
fn bitop(ctx: &mut Ctx) {
    let name = ctx.argv.get(1);
    let op = if is_word(name, "and") {
        BitOp::And
    } else if is_word(name, "or") {
        BitOp::Or
    } else if is_word(name, "xor") {
        BitOp::Xor
    } else if is_word(name, "not") {
        BitOp::Not
    } else {
        return ctx.syntax_error();
    };
    if op == BitOp::Not && ctx.argv.len() != 4 {
        return ctx.error("ERR BITOP NOT must be called with a single source key.");
    }
    // Missing keys are empty strings (zero bytes for the operation).
    let mut maxlen = 0;
    for i in 3..ctx.argv.len() {
        match lookup_len(ctx, i) {
            Err(()) => return,
            Ok(n) => maxlen = maxlen.max(n.unwrap_or(0)),
        }
    }
    let db = ctx.c.db;
    let dest = ctx.argv.get(2);
    if maxlen > 0 {
        let argv = ctx.argv;
        let mut tmps = vec![Vec::new(); argv.len() - 3];
        let srcs: Vec<&[u8]> = tmps
            .iter_mut()
            .enumerate()
            .map(|(i, t)| peek(ctx.srv, db, argv.get(i + 3), t))
            .collect();
        // One pass per source over the whole result (bytes past the end of
        // a source are zero), which the compiler vectorises.
        let mut res = vec![0u8; maxlen];
        res[..srcs[0].len()].copy_from_slice(srcs[0]);
        for src in &srcs[1..] {
            let (head, tail) = res.split_at_mut(src.len());
            match op {
                BitOp::And => {
                    head.iter_mut().zip(src.iter()).for_each(|(r, b)| *r &= b);
                    tail.fill(0);
                }
                BitOp::Or => head.iter_mut().zip(src.iter()).for_each(|(r, b)| *r |= b),
                BitOp::Xor => head.iter_mut().zip(src.iter()).for_each(|(r, b)| *r ^= b),
                BitOp::Not => {}
            }
        }
        if op == BitOp::Not {
            res.iter_mut().for_each(|r| *r = !*r);
        }
        // The result is a raw string and replaces the destination, TTL
        // included, whatever its type.
        ctx.srv.set_key(db, dest, Value::Raw(Box::new(res)), false);
        ctx.written(dest, ev::STRING, "set");
    } else {
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        if ctx.srv.delete_key(db, dest, lazy) {
            ctx.written(dest, ev::GENERIC, "del");
        }
    }
    ctx.c.reply.int(maxlen as i64);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldOp {
    Get,
    Set,
    Incrby,
}

struct Field {
    op: FieldOp,
    signed: bool,
    bits: u32,
    offset: u64,
    value: i64,
    overflow: Overflow,
}

/// `i1`..`i64` or `u1`..`u63` (Redis's getBitfieldTypeFromArgument).
fn field_type(ctx: &mut Ctx, i: usize) -> Option<(bool, u32)> {
    let a = ctx.argv.get(i);
    let signed = match a.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => {
            ctx.error(TYPE_ERR);
            return None;
        }
    };
    match crate::util::string2ll(cstr(&a[1..])) {
        Some(b) if b >= 1 && b <= if signed { 64 } else { 63 } => Some((signed, b as u32)),
        _ => {
            ctx.error(TYPE_ERR);
            None
        }
    }
}

/// Reads `bits` bits at bit `offset`, most significant first (zero past
/// the end).
fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for j in 0..bits as u64 {
        v = (v << 1) | get_bit(s, offset + j) as u64;
    }
    v
}

fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let v = get_unsigned(s, offset, bits);
    if bits < 64 && v & (1 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

fn set_unsigned(s: &mut [u8], offset: u64, bits: u32, v: u64) {
    for j in 0..bits as u64 {
        put_bit(s, offset + j, v & (1u64 << (bits as u64 - 1 - j)) != 0);
    }
}

/// Redis's checkUnsignedBitfieldOverflow: `Some(limit)` on overflow (the
/// wrapped or saturated value; unused with FAIL).
fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<u64> {
    let max = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = value.wrapping_neg() as i64;
    let wrap = || value.wrapping_add(incr as u64) & !u64::MAX.checked_shl(bits).unwrap_or(0);
    if value > max || (incr > 0 && incr > maxincr) {
        Some(match ow {
            Overflow::Wrap => wrap(),
            Overflow::Sat => max,
            Overflow::Fail => 0,
        })
    } else if incr < 0 && incr < minincr {
        Some(match ow {
            Overflow::Wrap => wrap(),
            _ => 0,
        })
    } else {
        None
    }
}

/// Redis's checkSignedBitfieldOverflow.
fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<i64> {
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & (1u64 << (bits - 1)) != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        Some(match ow {
            Overflow::Wrap => wrap(),
            Overflow::Sat => max,
            Overflow::Fail => 0,
        })
    } else if value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr) {
        Some(match ow {
            Overflow::Wrap => wrap(),
            Overflow::Sat => min,
            Overflow::Fail => 0,
        })
    } else {
        None
    }
}

/// BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset
/// value | INCRBY type offset increment ...]
fn bitfield(ctx: &mut Ctx) {
    bitfield_generic(ctx, false);
}

/// BITFIELD_RO key [GET type offset ...]
fn bitfield_ro(ctx: &mut Ctx) {
    bitfield_generic(ctx, true);
}

fn bitfield_generic(ctx: &mut Ctx, ro: bool) {
    let mut fields: Vec<Field> = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut readonly = true;
    let mut highest: u64 = 0;
    let argc = ctx.argv.len();
    let mut j = 2;
    while j < argc {
        let remargs = argc - j - 1;
        let sub = ctx.argv.get(j);
        let op = if is_word(sub, "get") && remargs >= 2 {
            FieldOp::Get
        } else if is_word(sub, "set") && remargs >= 3 {
            FieldOp::Set
        } else if is_word(sub, "incrby") && remargs >= 3 {
            FieldOp::Incrby
        } else if is_word(sub, "overflow") && remargs >= 1 {
            let t = ctx.argv.get(j + 1);
            overflow = if is_word(t, "wrap") {
                Overflow::Wrap
            } else if is_word(t, "sat") {
                Overflow::Sat
            } else if is_word(t, "fail") {
                Overflow::Fail
            } else {
                return ctx.error("ERR Invalid OVERFLOW type specified");
            };
            j += 2;
            continue;
        } else {
            return ctx.syntax_error();
        };
        let Some((signed, bits)) = field_type(ctx, j + 1) else {
            return;
        };
        let Some(offset) = bit_offset(ctx, j + 2, true, bits) else {
            return;
        };
        let mut value = 0;
        if op != FieldOp::Get {
            readonly = false;
            highest = highest.max(offset + bits as u64 - 1);
            let Some(v) = ctx.int_arg(j + 3) else { return };
            value = v;
        }
        fields.push(Field {
            op,
            signed,
            bits,
            offset,
            value,
            overflow,
        });
        j += if op == FieldOp::Get { 3 } else { 4 };
    }

    if readonly {
        if lookup_len(ctx, 1).is_err() {
            return;
        }
        let mut tmp = Vec::new();
        let s = peek(ctx.srv, ctx.c.db, ctx.argv.get(1), &mut tmp);
        let r = &mut ctx.c.reply;
        r.array_len(fields.len());
        for f in &fields {
            if f.signed {
                r.int(get_signed(s, f.offset, f.bits));
            } else {
                r.int(get_unsigned(s, f.offset, f.bits) as i64);
            }
        }
        return;
    }
    if ro {
        return ctx.error("ERR BITFIELD_RO only supports the GET subcommand");
    }
    let Some(grown) = bit_target(ctx, highest) else { return };
    // Replies are collected first: the buffer borrows the keyspace.
    enum Out {
        Int(i64),
        Null,
    }
    let mut out = Vec::with_capacity(fields.len());
    let mut changes = 0u64;
    let buf = target_buf(ctx);
    for f in &fields {
        if f.op == FieldOp::Get {
            out.push(Out::Int(if f.signed {
                get_signed(buf, f.offset, f.bits)
            } else {
                get_unsigned(buf, f.offset, f.bits) as i64
            }));
            continue;
        }
        let (old, new, ret, over) = if f.signed {
            let old = get_signed(buf, f.offset, f.bits);
            let (new, ret, over) = if f.op == FieldOp::Incrby {
                let over = signed_overflow(old, f.value, f.bits, f.overflow);
                let new = over.unwrap_or_else(|| old.wrapping_add(f.value));
                (new, new, over.is_some())
            } else {
                let over = signed_overflow(f.value, 0, f.bits, f.overflow);
                (over.unwrap_or(f.value), old, over.is_some())
            };
            (old as u64, new as u64, ret, over)
        } else {
            let old = get_unsigned(buf, f.offset, f.bits);
            let (new, ret, over) = if f.op == FieldOp::Incrby {
                let over = unsigned_overflow(old, f.value, f.bits, f.overflow);
                let new = over.unwrap_or_else(|| old.wrapping_add(f.value as u64));
                (new, new as i64, over.is_some())
            } else {
                let over = unsigned_overflow(f.value as u64, 0, f.bits, f.overflow);
                (over.unwrap_or(f.value as u64), old as i64, over.is_some())
            };
            (old, new, ret, over)
        };
        if over && f.overflow == Overflow::Fail {
            out.push(Out::Null);
            continue;
        }
        out.push(Out::Int(ret));
        set_unsigned(buf, f.offset, f.bits, new);
        if grown || old != new {
            changes += 1;
        }
    }
    if changes > 0 {
        let key = ctx.argv.get(1);
        ctx.srv.signal_modified_key(ctx.c.db, key);
        ctx.notify(ev::STRING, "setbit", key);
        ctx.srv.dirty += changes;
    }
    let r = &mut ctx.c.reply;
    r.array_len(out.len());
    for o in out {
        match o {
            Out::Int(v) => r.int(v),
            Out::Null => r.null(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitfield_overflow_rules() {
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Wrap), Some(4));
        assert_eq!(unsigned_overflow(250, 10, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_overflow(5, -10, 8, Overflow::Wrap), Some(251));
        assert_eq!(unsigned_overflow(-5i64 as u64, 0, 8, Overflow::Sat), Some(255));
        assert_eq!(unsigned_overflow(5, 5, 8, Overflow::Fail), None);
        assert_eq!(signed_overflow(127, 1, 8, Overflow::Wrap), Some(-128));
        assert_eq!(signed_overflow(-128, -1, 8, Overflow::Sat), Some(-128));
        assert_eq!(signed_overflow(128, 0, 8, Overflow::Wrap), Some(-128));
        assert_eq!(signed_overflow(i64::MAX, 1, 64, Overflow::Wrap), Some(i64::MIN));
        assert_eq!(signed_overflow(i64::MIN, -1, 64, Overflow::Sat), Some(i64::MIN));
        assert_eq!(signed_overflow(-1, i64::MAX, 64, Overflow::Sat), None);
    }

    #[test]
    fn bit_helpers() {
        let mut s = vec![0u8; 3];
        set_unsigned(&mut s, 5, 8, 0xff);
        assert_eq!(s, [0x07, 0xf8, 0]);
        assert_eq!(get_unsigned(&s, 5, 8), 0xff);
        assert_eq!(get_signed(&s, 5, 8), -1);
        assert_eq!(get_unsigned(&s, 20, 10), 0);
        assert_eq!(popcount_bits(&s, 0, 23), 8);
        assert_eq!(popcount_bits(&s, 6, 11), 6);
        assert_eq!(popcount_bits(&s, 6, 6), 1);
        assert_eq!(find_bit(&s, true, 0, 23), Some(5));
        assert_eq!(find_bit(&s, false, 5, 12), None);
        assert_eq!(find_bit(&s, false, 5, 13), Some(13));
    }
}
