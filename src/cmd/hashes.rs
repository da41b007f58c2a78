//! Hash commands (Redis's t_hash.c). The value type and its encodings are
//! in `t_hash.rs`; this file parses arguments, looks keys up, replies and
//! publishes keyspace events in Redis's order.

use super::keyspace::{parse_cursor, parse_scan_options};
use super::{acl, err, ev, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::glob::glob_match;
use crate::object::Value;
use crate::reply::ReplyBuf;
use crate::sbytes::SBytes;
use crate::server::Server;
use crate::t_hash::{HVal, Hash, Limits};
use crate::util;

const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
const KS_RO_ACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];
const KS_RW_UPDATE: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::UPDATE)];
const KS_RW_ACCESS_UPDATE: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE)];

pub static COMMANDS: &[Command] = &[
    Command::new("hset", -4, Group::Hash, hset)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::HASH)
        .keys(KS_RW_UPDATE)
        .doc("2.0.0", "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", "Set the string value of a hash field")
        .args("key field value [field value ...]")
        .history(&[("4.0.0", "Accepts multiple `field` and `value` arguments.")]),
    Command::new("hsetnx", 4, Group::Hash, hsetnx)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::HASH)
        .keys(&[KeySpec::one(1, ks::RW | ks::INSERT)])
        .doc("2.0.0", "O(1)", "Set the value of a hash field, only if the field does not exist")
        .args("key field value"),
    Command::new("hmset", -4, Group::Hash, hmset)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::HASH)
        .keys(KS_RW_UPDATE)
        .doc("2.0.0", "O(N) where N is the number of fields being set.", "Set multiple hash fields to multiple values")
        .args("key field value [field value ...]")
        .deprecated("4.0.0", "`HSET` with multiple field-value pairs"),
    Command::new("hget", 3, Group::Hash, hget)
        .flags(READONLY | FAST)
        .acl(acl::HASH)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(1)", "Get the value of a hash field")
        .args("key field"),
    Command::new("hmget", -3, Group::Hash, hmget)
        .flags(READONLY | FAST)
        .acl(acl::HASH)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(N) where N is the number of fields being requested.", "Get the values of all the given hash fields")
        .args("key field [field ...]"),
    Command::new("hdel", -3, Group::Hash, hdel)
        .flags(WRITE | FAST)
        .acl(acl::HASH)
        .keys(&[KeySpec::one(1, ks::RW | ks::DELETE)])
        .doc("2.0.0", "O(N) where N is the number of fields to be removed.", "Delete one or more hash fields")
        .args("key field [field ...]")
        .history(&[("2.4.0", "Accepts multiple `field` arguments.")]),
    Command::new("hlen", 2, Group::Hash, hlen)
        .flags(READONLY | FAST)
        .acl(acl::HASH)
        .keys(KS_RO)
        .doc("2.0.0", "O(1)", "Get the number of fields in a hash")
        .args("key"),
    Command::new("hstrlen", 3, Group::Hash, hstrlen)
        .flags(READONLY | FAST)
        .acl(acl::HASH)
        .keys(KS_RO)
        .doc("3.2.0", "O(1)", "Get the length of the value of a hash field")
        .args("key field"),
    Command::new("hexists", 3, Group::Hash, hexists)
        .flags(READONLY | FAST)
        .acl(acl::HASH)
        .keys(KS_RO)
        .doc("2.0.0", "O(1)", "Determine if a hash field exists")
        .args("key field"),
    Command::new("hkeys", 2, Group::Hash, hkeys)
        .flags(READONLY)
        .acl(acl::HASH)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(N) where N is the size of the hash.", "Get all the fields in a hash")
        .args("key")
        .tips(&["nondeterministic_output_order"]),
    Command::new("hvals", 2, Group::Hash, hvals)
        .flags(READONLY)
        .acl(acl::HASH)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(N) where N is the size of the hash.", "Get all the values in a hash")
        .args("key")
        .tips(&["nondeterministic_output_order"]),
    Command::new("hgetall", 2, Group::Hash, hgetall)
        .flags(READONLY)
        .acl(acl::HASH)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(N) where N is the size of the hash.", "Get all the fields and values in a hash")
        .args("key")
        .tips(&["nondeterministic_output_order"]),
    Command::new("hincrby", 4, Group::Hash, hincrby)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::HASH)
        .keys(KS_RW_ACCESS_UPDATE)
        .doc("2.0.0", "O(1)", "Increment the integer value of a hash field by the given number")
        .args("key field increment:integer"),
    Command::new("hincrbyfloat", 4, Group::Hash, hincrbyfloat)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::HASH)
        .keys(KS_RW_ACCESS_UPDATE)
        .doc("2.6.0", "O(1)", "Increment the float value of a hash field by the given amount")
        .args("key field increment:double"),
    Command::new("hrandfield", -2, Group::Hash, hrandfield)
        .flags(READONLY)
        .acl(acl::HASH)
        .keys(KS_RO_ACCESS)
        .doc("6.2.0", "O(N) where N is the number of fields returned", "Get one or multiple random fields from a hash")
        .args("key options=[count:integer [WITHVALUES]]")
        .tips(&["nondeterministic_output"]),
    Command::new("hscan", -3, Group::Hash, hscan)
        .flags(READONLY)
        .acl(acl::HASH)
        .keys(KS_RO_ACCESS)
        .doc("2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", "Incrementally iterate hash fields and associated values")
        .args("key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]")
        .tips(&["nondeterministic_output"]),
];

// ---------------------------------------------------------------- helpers

/// The conversion thresholds in force.
fn limits(srv: &Server) -> Limits {
    Limits {
        max_entries: srv.cfg.hash_max_listpack_entries,
        max_value: srv.cfg.hash_max_listpack_value,
    }
}

/// Outcome of a hash lookup.
enum Found<T> {
    Missing,
    WrongType,
    Hash(T),
}

/// Looks `key` up for reading (Redis's lookupKeyRead + checkType).
fn read_hash<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Found<&'s Hash> {
    match srv.lookup_read(db, key) {
        None => Found::Missing,
        Some(o) => match &o.v {
            Value::Hash(h) => Found::Hash(h),
            _ => Found::WrongType,
        },
    }
}

/// Looks `key` up for writing (lookupKeyWrite + checkType), unsharing the
/// value for modification.
fn write_hash<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Found<&'s mut Hash> {
    match srv.lookup_write(db, key) {
        None => Found::Missing,
        Some(o) => match &mut o.v {
            Value::Hash(h) => Found::Hash(h),
            _ => Found::WrongType,
        },
    }
}

/// Redis's hashTypeLookupWriteOrCreate: the hash at `key`, created empty
/// (publishing `new`) when missing; `None` if the key holds another type.
fn write_or_create<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Option<&'s mut Hash> {
    match srv.lookup_write(db, key).map(|o| matches!(o.v, Value::Hash(_))) {
        Some(false) => return None,
        Some(true) => {}
        None => srv.add_key(db, key, Value::Hash(Hash::new())),
    }
    match &mut srv.dbs[db].get_mut(key)?.v {
        Value::Hash(h) => Some(h),
        _ => None,
    }
}

/// A field or value as a bulk string.
fn reply_hval(r: &mut ReplyBuf, v: HVal) {
    match v {
        HVal::Str(s) => r.bulk(s),
        HVal::Int(n) => r.bulk_int(n),
    }
}

/// Deletes a key whose hash became empty (Redis's dbDelete); the caller
/// publishes `del` after the command's own event, as Redis does.
fn delete_emptied(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.c.db;
    let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
    ctx.srv.delete_key(db, key, lazy);
}

// ---------------------------------------------------------------- writes

/// HSET key field value [field value ...]
fn hset(ctx: &mut Ctx) {
    hset_generic(ctx, true);
}

/// HMSET key field value [field value ...]
fn hmset(ctx: &mut Ctx) {
    hset_generic(ctx, false);
}

fn hset_generic(ctx: &mut Ctx, is_hset: bool) {
    let argv = ctx.argv;
    if !argv.len().is_multiple_of(2) {
        return ctx.arity_error();
    }
    let (db, key, lim) = (ctx.c.db, argv.get(1), limits(ctx.srv));
    let Some(h) = write_or_create(ctx.srv, db, key) else {
        return ctx.wrong_type();
    };
    h.try_conversion(argv.iter().skip(2), lim.max_value);
    let mut created = 0;
    for i in (2..argv.len()).step_by(2) {
        if !h.set(argv.get(i), argv.get(i + 1), lim) {
            created += 1;
        }
    }
    if is_hset {
        ctx.c.reply.int(created);
    } else {
        ctx.c.reply.ok();
    }
    ctx.written(key, ev::HASH, "hset");
    // Redis counts one change per pair.
    ctx.srv.dirty += ((argv.len() - 2) / 2 - 1) as u64;
}

/// HSETNX key field value
fn hsetnx(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, key, lim) = (ctx.c.db, argv.get(1), limits(ctx.srv));
    let Some(h) = write_or_create(ctx.srv, db, key) else {
        return ctx.wrong_type();
    };
    if h.contains(argv.get(2)) {
        return ctx.c.reply.int(0);
    }
    h.try_conversion([argv.get(2), argv.get(3)], lim.max_value);
    h.set(argv.get(2), argv.get(3), lim);
    ctx.c.reply.int(1);
    ctx.written(key, ev::HASH, "hset");
}

/// HDEL key field [field ...]
fn hdel(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, key) = (ctx.c.db, argv.get(1));
    let h = match write_hash(ctx.srv, db, key) {
        Found::Missing => return ctx.c.reply.int(0),
        Found::WrongType => return ctx.wrong_type(),
        Found::Hash(h) => h,
    };
    let mut deleted = 0;
    let mut emptied = false;
    for f in argv.iter().skip(2) {
        if h.delete(f) {
            deleted += 1;
            if h.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if emptied {
        delete_emptied(ctx, key);
    }
    if deleted > 0 {
        ctx.written(key, ev::HASH, "hdel");
        if emptied {
            ctx.notify(ev::GENERIC, "del", key);
        }
        ctx.srv.dirty += deleted - 1;
    }
    ctx.c.reply.int(deleted as i64);
}

/// HINCRBY key field increment
fn hincrby(ctx: &mut Ctx) {
    let Some(incr) = ctx.int_arg(3) else { return };
    let argv = ctx.argv;
    let (db, key, field, lim) = (ctx.c.db, argv.get(1), argv.get(2), limits(ctx.srv));
    let Some(h) = write_or_create(ctx.srv, db, key) else {
        return ctx.wrong_type();
    };
    let old = match h.get(field) {
        None => 0,
        Some(v) => match v.as_i64() {
            Some(n) => n,
            None => return ctx.error("ERR hash value is not an integer"),
        },
    };
    let Some(new) = old.checked_add(incr) else {
        return ctx.error(err::OVERFLOW);
    };
    let mut buf = [0u8; 20];
    h.set(field, util::fmt_i64(&mut buf, new), lim);
    ctx.c.reply.int(new);
    ctx.written(key, ev::HASH, "hincrby");
}

/// HINCRBYFLOAT key field increment: long double arithmetic and output as
/// Redis's, so results match byte for byte.
fn hincrbyfloat(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let incr = match util::hincr_by_float_parse_incr(argv.get(3)) {
        Ok(v) => v,
        Err(e) => return ctx.error(e.message()),
    };
    let (db, key, field, lim) = (ctx.c.db, argv.get(1), argv.get(2), limits(ctx.srv));
    let Some(h) = write_or_create(ctx.srv, db, key) else {
        return ctx.wrong_type();
    };
    let mut tmp = Vec::new();
    let cur = h.get(field).map(|v| {
        v.write_to(&mut tmp);
        &tmp[..]
    });
    let out = match util::hincr_by_float_apply(cur, incr) {
        Ok(v) => v,
        Err(e) => return ctx.error(e.message()),
    };
    h.set(field, &out, lim);
    ctx.c.reply.bulk(&out);
    // The result, so float precision and formatting cannot make a replay differ.
    ctx.propagate_as(&[&b"HSET"[..], key, field, &out]);
    ctx.written(key, ev::HASH, "hincrbyfloat");
}

// ---------------------------------------------------------------- reads

/// HGET key field
fn hget(ctx: &mut Ctx) {
    let (db, key, field) = (ctx.c.db, ctx.argv.get(1), ctx.argv.get(2));
    match read_hash(ctx.srv, db, key) {
        Found::Missing => ctx.c.reply.null(),
        Found::WrongType => ctx.wrong_type(),
        Found::Hash(h) => match h.get(field) {
            Some(v) => reply_hval(&mut ctx.c.reply, v),
            None => ctx.c.reply.null(),
        },
    }
}

/// HMGET key field [field ...]: nil for missing fields (and all of them
/// for a missing key).
fn hmget(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let db = ctx.c.db;
    let h = match read_hash(ctx.srv, db, argv.get(1)) {
        Found::Missing => None,
        Found::WrongType => return ctx.wrong_type(),
        Found::Hash(h) => Some(h),
    };
    let r = &mut ctx.c.reply;
    r.array_len(argv.len() - 2);
    for f in argv.iter().skip(2) {
        match h.and_then(|h| h.get(f)) {
            Some(v) => reply_hval(r, v),
            None => r.null(),
        }
    }
}

/// HLEN key
fn hlen(ctx: &mut Ctx) {
    let db = ctx.c.db;
    match read_hash(ctx.srv, db, ctx.argv.get(1)) {
        Found::Missing => ctx.c.reply.int(0),
        Found::WrongType => ctx.wrong_type(),
        Found::Hash(h) => ctx.c.reply.int(h.len() as i64),
    }
}

/// HSTRLEN key field
fn hstrlen(ctx: &mut Ctx) {
    let (db, key, field) = (ctx.c.db, ctx.argv.get(1), ctx.argv.get(2));
    match read_hash(ctx.srv, db, key) {
        Found::Missing => ctx.c.reply.int(0),
        Found::WrongType => ctx.wrong_type(),
        Found::Hash(h) => {
            let n = h.get(field).map_or(0, HVal::str_len);
            ctx.c.reply.int(n as i64)
        }
    }
}

/// HEXISTS key field
fn hexists(ctx: &mut Ctx) {
    let (db, key, field) = (ctx.c.db, ctx.argv.get(1), ctx.argv.get(2));
    match read_hash(ctx.srv, db, key) {
        Found::Missing => ctx.c.reply.int(0),
        Found::WrongType => ctx.wrong_type(),
        Found::Hash(h) => {
            let n = h.contains(field) as i64;
            ctx.c.reply.int(n)
        }
    }
}

/// What HKEYS, HVALS and HGETALL return.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Fields,
    Values,
    Both,
}

/// Redis's genericHgetallCommand.
fn getall_generic(ctx: &mut Ctx, part: Part) {
    let db = ctx.c.db;
    let h = match read_hash(ctx.srv, db, ctx.argv.get(1)) {
        Found::Missing => {
            // An empty map in RESP3 for HGETALL, an empty array otherwise.
            return match part {
                Part::Both => ctx.c.reply.map_len(0),
                _ => ctx.c.reply.array_len(0),
            };
        }
        Found::WrongType => return ctx.wrong_type(),
        Found::Hash(h) => h,
    };
    let r = &mut ctx.c.reply;
    match part {
        Part::Both => r.map_len(h.len()),
        _ => r.array_len(h.len()),
    }
    for (f, v) in h.iter() {
        if part != Part::Values {
            reply_hval(r, f);
        }
        if part != Part::Fields {
            reply_hval(r, v);
        }
    }
}

/// HKEYS key
fn hkeys(ctx: &mut Ctx) {
    getall_generic(ctx, Part::Fields);
}

/// HVALS key
fn hvals(ctx: &mut Ctx) {
    getall_generic(ctx, Part::Values);
}

/// HGETALL key: a map in RESP3.
fn hgetall(ctx: &mut Ctx) {
    getall_generic(ctx, Part::Both);
}

// ---------------------------------------------------------------- HRANDFIELD

/// Picks with replacement are made in batches of this many for a listpack
/// (Redis's HRANDFIELD_RANDOM_SAMPLE_LIMIT).
const RANDOM_SAMPLE_LIMIT: usize = 1000;
/// Above `count * SUB_STRATEGY_MUL > size`, distinct picks are made by
/// removing random fields from a copy (Redis's HRANDFIELD_SUB_STRATEGY_MUL).
const SUB_STRATEGY_MUL: usize = 3;
/// A reply of picks with replacement stops growing here, and the client is
/// closed, as when Redis closes a client over its output buffer limit
/// (Redis itself would grow without bound with the default unlimited
/// normal-client limit). A set hard limit applies when lower.
const MAX_RANDOM_REPLY: usize = 1 << 30;

/// HRANDFIELD key [count [WITHVALUES]]
fn hrandfield(ctx: &mut Ctx) {
    let argv = ctx.argv;
    if argv.len() >= 3 {
        let Some(l) = ctx.int_arg(2) else { return };
        if l == i64::MIN {
            return ctx
                .error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        }
        let withvalues = match argv.len() {
            3 => false,
            4 if argv.get(3).eq_ignore_ascii_case(b"WITHVALUES") => true,
            _ => return ctx.syntax_error(),
        };
        if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return ctx.error("ERR value is out of range");
        }
        return hrandfield_count(ctx, l, withvalues);
    }
    let db = ctx.c.db;
    let h = match read_hash_shared(ctx.srv, db, argv.get(1)) {
        Found::Missing => return ctx.c.reply.null(),
        Found::WrongType => return ctx.wrong_type(),
        Found::Hash(h) => h,
    };
    match h.random_pair(&mut ctx.srv.rng) {
        Some((f, _)) => reply_hval(&mut ctx.c.reply, f),
        None => ctx.c.reply.null(),
    }
}

/// [`read_hash`] handing out a clone of the value, so that the server (its
/// random generator) stays usable while the hash is read: a table's `Arc`,
/// or a copy of a listpack, which is small.
fn read_hash_shared(srv: &mut Server, db: usize, key: &[u8]) -> Found<Hash> {
    match srv.lookup_read(db, key) {
        None => Found::Missing,
        Some(o) => match &o.v {
            Value::Hash(h) => Found::Hash(h.clone()),
            _ => Found::WrongType,
        },
    }
}

/// Whether a reply being built has grown past what a client may be sent
/// (see [`MAX_RANDOM_REPLY`]); if so the client is marked to be closed.
fn reply_too_big(ctx: &mut Ctx) -> bool {
    let hard = ctx.srv.cfg.client_output_buffer_limit[0].hard;
    let cap = match usize::try_from(hard) {
        Ok(h) if h > 0 => h.min(MAX_RANDOM_REPLY),
        _ => MAX_RANDOM_REPLY,
    };
    if ctx.c.reply.buf.len() > cap {
        ctx.c.close_asap = true;
        return true;
    }
    false
}

/// One picked field (and value) of an HRANDFIELD reply: a two-element
/// array per pair in RESP3, flat in RESP2.
fn reply_pick(r: &mut ReplyBuf, f: HVal, v: HVal, withvalues: bool) {
    if withvalues && r.resp > 2 {
        r.array_len(2);
    }
    reply_hval(r, f);
    if withvalues {
        reply_hval(r, v);
    }
}

/// Redis's hrandfieldWithCountCommand: a negative count picks with
/// replacement, a positive one distinct fields (the whole hash when the
/// count reaches its size).
fn hrandfield_count(ctx: &mut Ctx, l: i64, withvalues: bool) {
    let db = ctx.c.db;
    let h = match read_hash_shared(ctx.srv, db, ctx.argv.get(1)) {
        Found::Missing => return ctx.c.reply.array_len(0),
        Found::WrongType => return ctx.wrong_type(),
        Found::Hash(h) => h,
    };
    let size = h.len();
    let uniq = l >= 0;
    let count = l.unsigned_abs();
    // (An empty hash is never stored; the size test only guards the picks.)
    if count == 0 || size == 0 {
        return ctx.c.reply.array_len(0);
    }
    let resp2_flat = withvalues && ctx.c.reply.resp == 2;
    let items = |n: u64| if resp2_flat { n.saturating_mul(2) } else { n } as usize;

    // Picks with replacement (count 1 too: one pick is always distinct).
    if !uniq || count == 1 {
        ctx.c.reply.array_len(items(count));
        match &h {
            Hash::Listpack(lp) => {
                let mut pairs: Vec<usize> = Vec::with_capacity(size);
                let mut it = lp.entries();
                while let (Some((f, _)), Some(_)) = (it.next(), it.next()) {
                    pairs.push(f);
                }
                let mut left = count;
                while left > 0 {
                    let batch = left.min(RANDOM_SAMPLE_LIMIT as u64);
                    left -= batch;
                    for _ in 0..batch {
                        let f = pairs[below(&mut ctx.srv.rng, pairs.len())];
                        let v = lp.next(f).unwrap_or(f);
                        reply_pick(&mut ctx.c.reply, lp.get(f), lp.get(v), withvalues);
                    }
                    if reply_too_big(ctx) {
                        break;
                    }
                }
            }
            Hash::Table(_) => {
                for i in 0..count {
                    let Some((f, v)) = h.random_pair(&mut ctx.srv.rng) else {
                        break;
                    };
                    reply_pick(&mut ctx.c.reply, f, v, withvalues);
                    if i % RANDOM_SAMPLE_LIMIT as u64 == 0 && reply_too_big(ctx) {
                        break;
                    }
                }
            }
        }
        return;
    }

    let count = usize::try_from(count).unwrap_or(usize::MAX);
    ctx.c.reply.array_len(items(count.min(size) as u64));

    // The whole hash.
    if count >= size {
        for (f, v) in h.iter() {
            reply_pick(&mut ctx.c.reply, f, v, withvalues);
        }
        return;
    }

    // Many of the fields: drop random ones from a copy.
    if count.saturating_mul(SUB_STRATEGY_MUL) > size {
        let mut all: Vec<(HVal, HVal)> = h.iter().collect();
        while all.len() > count {
            let i = below(&mut ctx.srv.rng, all.len());
            all.swap_remove(i);
        }
        for (f, v) in all {
            reply_pick(&mut ctx.c.reply, f, v, withvalues);
        }
        return;
    }

    // Few of the fields.
    match &h {
        Hash::Listpack(lp) => {
            // Selection sampling (Knuth's algorithm S): each pair is taken
            // with probability needed / left, so the picks come out
            // distinct and in listpack order, as Redis's lpRandomPairsUnique.
            let mut needed = count;
            let mut left = size;
            let mut it = lp.iter();
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                if needed == 0 {
                    break;
                }
                if below(&mut ctx.srv.rng, left) < needed {
                    reply_pick(&mut ctx.c.reply, f, v, withvalues);
                    needed -= 1;
                }
                left -= 1;
            }
        }
        Hash::Table(_) => {
            // Random picks, skipping fields already picked.
            let mut seen: std::collections::HashSet<&[u8], ahash::RandomState> =
                std::collections::HashSet::with_capacity_and_hasher(count, ahash::RandomState::new());
            while seen.len() < count {
                let Some((HVal::Str(f), v)) = h.random_pair(&mut ctx.srv.rng) else {
                    break;
                };
                if seen.insert(f) {
                    reply_pick(&mut ctx.c.reply, HVal::Str(f), v, withvalues);
                }
            }
        }
    }
}

/// A uniform integer in `0..n` (`n` > 0).
fn below(rng: &mut impl rand::Rng, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

// ---------------------------------------------------------------- HSCAN

/// HSCAN key cursor [MATCH pattern] [COUNT count]: a listpack is returned
/// whole with cursor 0, a hash table bucket by bucket (Redis's
/// scanGenericCommand).
fn hscan(ctx: &mut Ctx) {
    let Some(mut cursor) = parse_cursor(ctx, 2) else { return };
    let db = ctx.c.db;
    let h = match read_hash_shared(ctx.srv, db, ctx.argv.get(1)) {
        Found::Missing => {
            ctx.c.reply.raw(b"*2\r\n$1\r\n0\r\n*0\r\n");
            return;
        }
        Found::WrongType => return ctx.wrong_type(),
        Found::Hash(h) => h,
    };
    let Some(opts) = parse_scan_options(ctx, 3, false) else {
        return;
    };
    let mut out: Vec<(HVal, HVal)> = Vec::new();
    match &h {
        Hash::Listpack(_) => {
            out.extend(h.iter());
            cursor = 0;
        }
        Hash::Table(_) => {
            // Copies, as Redis's scanCallback makes: the dict's scan
            // callback cannot lend its elements out.
            let mut found: Vec<(SBytes, SBytes)> = Vec::new();
            let mut max_iterations = opts.count.saturating_mul(10);
            loop {
                cursor = h.scan_table(cursor, |k, v| found.push((SBytes::new(k), SBytes::new(v))));
                if cursor == 0 || max_iterations == 0 {
                    break;
                }
                max_iterations -= 1;
                if found.len() >= opts.count {
                    break;
                }
            }
            if let Some(p) = opts.pattern {
                found.retain(|(f, _)| glob_match(p, f, false));
            }
            return reply_scan(
                &mut ctx.c.reply,
                cursor,
                found.iter().map(|(k, v)| (HVal::Str(k), HVal::Str(v))),
            );
        }
    }
    if let Some(p) = opts.pattern {
        out.retain(|(f, _)| f.with_bytes(|b| glob_match(p, b, false)));
    }
    reply_scan(&mut ctx.c.reply, cursor, out.into_iter());
}

/// `[cursor, [field, value, ...]]`.
fn reply_scan<'a>(r: &mut ReplyBuf, cursor: u64, pairs: impl ExactSizeIterator<Item = (HVal<'a>, HVal<'a>)>) {
    r.array_len(2);
    let mut buf = [0u8; 20];
    r.bulk(util::fmt_u64(&mut buf, cursor));
    r.array_len(pairs.len() * 2);
    for (f, v) in pairs {
        reply_hval(r, f);
        reply_hval(r, v);
    }
}
