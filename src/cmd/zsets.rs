//! Sorted set commands (Redis 7.0's t_zset.c).
//!
//! The structure follows Redis: ZADD and ZINCRBY share `zadd_generic`; every
//! ZRANGE flavour (and ZRANGESTORE) goes through `zrange_generic` with a
//! range type and a direction; ZUNION/ZINTER/ZDIFF, their STORE forms and
//! ZINTERCARD through `set_op`; ZPOPMIN/ZPOPMAX/ZMPOP and the blocking
//! BZPOPMIN/BZPOPMAX/BZMPOP through `generic_zpop`. Replies, errors,
//! argument checks (and their order), keyspace events and encodings are
//! Redis 7.0.15's.

use super::keyspace::{parse_cursor, parse_scan_options};
use super::{acl, ev, flags::*, ks, BeginSearch, Command, Ctx, FindKeys, Group, KeySpec};
use crate::blocking::{parse_timeout_secs, TimeoutReply};
use crate::glob::glob_match;
use crate::listpack::LpValue;
use crate::object::{Type, Value};
use crate::reply::ReplyBuf;
use crate::sbytes::SBytes;
use crate::server::Server;
use crate::t_set::{Member, Set};
use crate::t_zset::{AddFlags, AddResult, LexRange, Limits, ScoreRange, ZSet};
use crate::util;
use rand::RngExt;
use std::collections::HashMap;

const fn keynum(begin: i32, flags: u32) -> KeySpec {
    KeySpec {
        notes: "",
        flags,
        begin: BeginSearch::Index(begin),
        find: FindKeys::Keynum {
            keynumidx: 0,
            firstkey: 1,
            step: 1,
        },
    }
}

const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
const KS_RO_ACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];
const KS_RW_DELETE: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::DELETE)];
const KS_POP: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE)];
const KS_NUMKEYS: &[KeySpec] = &[keynum(1, ks::RO | ks::ACCESS)];
const KS_STORE_NUMKEYS: &[KeySpec] = &[KeySpec::one(1, ks::OW | ks::UPDATE), keynum(2, ks::RO | ks::ACCESS)];
const BYSCORE_COMPLEXITY: &str = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).";

pub static COMMANDS: &[Command] = &[
    Command::new("zadd", -4, Group::SortedSet, zadd)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::SORTEDSET)
        .keys(&[KeySpec::one(1, ks::RW | ks::UPDATE)])
        .doc("1.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", "Add one or more members to a sorted set, or update its score if it already exists")
        .args("key condition=[NX | XX]@3.0.2 comparison=[GT | LT]@6.2.0 change=[CH]@3.0.2 increment=[INCR]@3.0.2 score:double member [score:double member ...]")
        .history(&[
            ("2.4.0", "Accepts multiple elements."),
            ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."),
            ("6.2.0", "Added the `GT` and `LT` options."),
        ]),
    Command::new("zincrby", 4, Group::SortedSet, zincrby)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::SORTEDSET)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE)])
        .doc("1.2.0", "O(log(N)) where N is the number of elements in the sorted set.", "Increment the score of a member in a sorted set")
        .args("key increment:integer member"),
    Command::new("zrem", -3, Group::SortedSet, zrem)
        .flags(WRITE | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RW_DELETE)
        .doc("1.2.0", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.", "Remove one or more members from a sorted set")
        .args("key member [member ...]")
        .history(&[("2.4.0", "Accepts multiple elements.")]),
    Command::new("zcard", 2, Group::SortedSet, zcard)
        .flags(READONLY | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RO)
        .doc("1.2.0", "O(1)", "Get the number of members in a sorted set")
        .args("key"),
    Command::new("zcount", 4, Group::SortedSet, zcount)
        .flags(READONLY | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(log(N)) with N being the number of elements in the sorted set.", "Count the members in a sorted set with scores within the given values")
        .args("key min:double max:double"),
    Command::new("zlexcount", 4, Group::SortedSet, zlexcount)
        .flags(READONLY | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.8.9", "O(log(N)) with N being the number of elements in the sorted set.", "Count the number of members in a sorted set between a given lexicographical range")
        .args("key min max"),
    Command::new("zscore", 3, Group::SortedSet, zscore)
        .flags(READONLY | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("1.2.0", "O(1)", "Get the score associated with the given member in a sorted set")
        .args("key member"),
    Command::new("zmscore", -3, Group::SortedSet, zmscore)
        .flags(READONLY | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("6.2.0", "O(N) where N is the number of members being requested.", "Get the score associated with the given members in a sorted set")
        .args("key member [member ...]"),
    Command::new("zrank", 3, Group::SortedSet, zrank)
        .flags(READONLY | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(log(N))", "Determine the index of a member in a sorted set")
        .args("key member"),
    Command::new("zrevrank", 3, Group::SortedSet, zrevrank)
        .flags(READONLY | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.0.0", "O(log(N))", "Determine the index of a member in a sorted set, with scores ordered from high to low")
        .args("key member"),
    Command::new("zrange", -4, Group::SortedSet, zrange)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", "Return a range of members in a sorted set")
        .args("key start stop sortby=[BYSCORE | BYLEX]@6.2.0 [REV]@6.2.0 [LIMIT offset:integer count:integer]@6.2.0 [WITHSCORES]")
        .history(&[("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.")]),
    Command::new("zrangestore", -5, Group::SortedSet, zrangestore)
        .flags(WRITE | DENYOOM)
        .acl(acl::SORTEDSET)
        .keys(&[KeySpec::one(1, ks::OW | ks::UPDATE), KeySpec::one(2, ks::RO | ks::ACCESS)])
        .doc("6.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.", "Store a range of members from sorted set into another key")
        .args("dst:key src:key min max sortby=[BYSCORE | BYLEX] [REV] [LIMIT offset:integer count:integer]"),
    Command::new("zrevrange", -4, Group::SortedSet, zrevrange)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.", "Return a range of members in a sorted set, by index, with scores ordered from high to low")
        .args("key start:integer stop:integer [WITHSCORES]")
        .deprecated("6.2.0", "`ZRANGE` with the `REV` argument"),
    Command::new("zrangebyscore", -4, Group::SortedSet, zrangebyscore)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("1.0.5", BYSCORE_COMPLEXITY, "Return a range of members in a sorted set, by score")
        .args("key min:double max:double [WITHSCORES]@2.0.0 [LIMIT offset:integer count:integer]")
        .history(&[("2.0.0", "Added the `WITHSCORES` modifier.")])
        .deprecated("6.2.0", "`ZRANGE` with the `BYSCORE` argument"),
    Command::new("zrevrangebyscore", -4, Group::SortedSet, zrevrangebyscore)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.2.0", BYSCORE_COMPLEXITY, "Return a range of members in a sorted set, by score, with scores ordered from high to low")
        .args("key max:double min:double [WITHSCORES] [LIMIT offset:integer count:integer]")
        .history(&[("2.1.6", "`min` and `max` can be exclusive.")])
        .deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYSCORE` arguments"),
    Command::new("zrangebylex", -4, Group::SortedSet, zrangebylex)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.8.9", BYSCORE_COMPLEXITY, "Return a range of members in a sorted set, by lexicographical range")
        .args("key min max [LIMIT offset:integer count:integer]")
        .deprecated("6.2.0", "`ZRANGE` with the `BYLEX` argument"),
    Command::new("zrevrangebylex", -4, Group::SortedSet, zrevrangebylex)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.8.9", BYSCORE_COMPLEXITY, "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.")
        .args("key max min [LIMIT offset:integer count:integer]")
        .deprecated("6.2.0", "`ZRANGE` with the `REV` and `BYLEX` arguments"),
    Command::new("zremrangebyrank", 4, Group::SortedSet, zremrangebyrank)
        .flags(WRITE)
        .acl(acl::SORTEDSET)
        .keys(KS_RW_DELETE)
        .doc("2.0.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", "Remove all members in a sorted set within the given indexes")
        .args("key start:integer stop:integer"),
    Command::new("zremrangebyscore", 4, Group::SortedSet, zremrangebyscore)
        .flags(WRITE)
        .acl(acl::SORTEDSET)
        .keys(KS_RW_DELETE)
        .doc("1.2.0", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", "Remove all members in a sorted set within the given scores")
        .args("key min:double max:double"),
    Command::new("zremrangebylex", 4, Group::SortedSet, zremrangebylex)
        .flags(WRITE)
        .acl(acl::SORTEDSET)
        .keys(KS_RW_DELETE)
        .doc("2.8.9", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.", "Remove all members in a sorted set between the given lexicographical range")
        .args("key min max"),
    Command::new("zpopmin", -2, Group::SortedSet, zpopmin)
        .flags(WRITE | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_POP)
        .doc("5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", "Remove and return members with the lowest scores in a sorted set")
        .args("key [count:integer]"),
    Command::new("zpopmax", -2, Group::SortedSet, zpopmax)
        .flags(WRITE | FAST)
        .acl(acl::SORTEDSET)
        .keys(KS_POP)
        .doc("5.0.0", "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.", "Remove and return members with the highest scores in a sorted set")
        .args("key [count:integer]"),
    Command::new("zmpop", -4, Group::SortedSet, zmpop)
        .flags(WRITE | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(&[keynum(1, ks::RW | ks::ACCESS | ks::DELETE)])
        .doc("7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", "Remove and return members with scores in a sorted set")
        .args("numkeys:integer key [key ...] where=(MIN | MAX) [COUNT count:integer]"),
    Command::new("zrandmember", -2, Group::SortedSet, zrandmember)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("6.2.0", "O(N) where N is the number of elements returned", "Get one or multiple random elements from a sorted set")
        .args("key options=[count:integer [WITHSCORES]]")
        .tips(&["nondeterministic_output"]),
    Command::new("zunion", -3, Group::SortedSet, zunion)
        .flags(READONLY | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(KS_NUMKEYS)
        .doc("6.2.0", "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", "Add multiple sorted sets")
        .args("numkeys:integer key [key ...] [WEIGHTS weight:integer [weight:integer ...]] aggregate=[AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]"),
    Command::new("zunionstore", -4, Group::SortedSet, zunionstore)
        .flags(WRITE | DENYOOM | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(KS_STORE_NUMKEYS)
        .doc("2.0.0", "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.", "Add multiple sorted sets and store the resulting sorted set in a new key")
        .args("destination:key numkeys:integer key [key ...] [WEIGHTS weight:integer [weight:integer ...]] aggregate=[AGGREGATE (SUM | MIN | MAX)]"),
    Command::new("zinter", -3, Group::SortedSet, zinter)
        .flags(READONLY | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(KS_NUMKEYS)
        .doc("6.2.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", "Intersect multiple sorted sets")
        .args("numkeys:integer key [key ...] [WEIGHTS weight:integer [weight:integer ...]] aggregate=[AGGREGATE (SUM | MIN | MAX)] [WITHSCORES]"),
    Command::new("zinterstore", -4, Group::SortedSet, zinterstore)
        .flags(WRITE | DENYOOM | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(KS_STORE_NUMKEYS)
        .doc("2.0.0", "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.", "Intersect multiple sorted sets and store the resulting sorted set in a new key")
        .args("destination:key numkeys:integer key [key ...] [WEIGHTS weight:integer [weight:integer ...]] aggregate=[AGGREGATE (SUM | MIN | MAX)]"),
    Command::new("zintercard", -3, Group::SortedSet, zintercard)
        .flags(READONLY | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(KS_NUMKEYS)
        .doc("7.0.0", "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.", "Intersect multiple sorted sets and return the cardinality of the result")
        .args("numkeys:integer key [key ...] [LIMIT limit:integer]"),
    Command::new("zdiff", -3, Group::SortedSet, zdiff)
        .flags(READONLY | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(KS_NUMKEYS)
        .doc("6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", "Subtract multiple sorted sets")
        .args("numkeys:integer key [key ...] [WITHSCORES]"),
    Command::new("zdiffstore", -4, Group::SortedSet, zdiffstore)
        .flags(WRITE | DENYOOM | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(KS_STORE_NUMKEYS)
        .doc("6.2.0", "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.", "Subtract multiple sorted sets and store the resulting sorted set in a new key")
        .args("destination:key numkeys:integer key [key ...]"),
    Command::new("zscan", -3, Group::SortedSet, zscan)
        .flags(READONLY)
        .acl(acl::SORTEDSET)
        .keys(KS_RO_ACCESS)
        .doc("2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", "Incrementally iterate sorted sets elements and associated scores")
        .args("key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]")
        .tips(&["nondeterministic_output"]),
    Command::new("bzpopmin", -3, Group::SortedSet, bzpopmin)
        .flags(WRITE | NOSCRIPT | BLOCKING | FAST)
        .acl(acl::SORTEDSET)
        .keys(&[KeySpec::range(1, -2, 1, ks::RW | ks::ACCESS | ks::DELETE)])
        .doc("5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available")
        .args("key [key ...] timeout:double")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    Command::new("bzpopmax", -3, Group::SortedSet, bzpopmax)
        .flags(WRITE | NOSCRIPT | BLOCKING | FAST)
        .acl(acl::SORTEDSET)
        .keys(&[KeySpec::range(1, -2, 1, ks::RW | ks::ACCESS | ks::DELETE)])
        .doc("5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available")
        .args("key [key ...] timeout:double")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    Command::new("bzmpop", -5, Group::SortedSet, bzmpop)
        .flags(WRITE | BLOCKING | MOVABLE_KEYS)
        .acl(acl::SORTEDSET)
        .keys(&[keynum(2, ks::RW | ks::ACCESS | ks::DELETE)])
        .doc("7.0.0", "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.", "Remove and return members with scores in a sorted set or block until one is available")
        .args("timeout:double numkeys:integer key [key ...] where=(MIN | MAX) [COUNT count:integer]"),
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The listpack limits from the config.
pub fn limits(srv: &Server) -> Limits {
    Limits::new(srv.cfg.zset_max_listpack_entries, srv.cfg.zset_max_listpack_value)
}

/// A key holding something other than a sorted set.
struct WrongType;

/// Looks `key` up for reading: `Ok(None)` when missing.
fn get_read<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s ZSet>, WrongType> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(o) => match &o.v {
            Value::ZSet(z) => Ok(Some(z)),
            _ => Err(WrongType),
        },
    }
}

/// Looks `key` up for writing: `Ok(None)` when missing. A skiplist shared
/// with a snapshot is copied only by the methods that change it.
fn get_write<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut ZSet>, WrongType> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(o) => match &mut o.v {
            Value::ZSet(z) => Ok(Some(z)),
            _ => Err(WrongType),
        },
    }
}

/// A member as a bulk string.
fn reply_member(r: &mut ReplyBuf, m: LpValue) {
    match m {
        LpValue::Int(v) => r.bulk_int(v),
        LpValue::Str(s) => r.bulk(s),
    }
}

/// Deletes a key whose set became empty, with Redis's `del` event.
fn delete_emptied(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.c.db;
    let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
    ctx.srv.delete_key(db, key, lazy);
    ctx.notify(ev::GENERIC, "del", key);
}

/// A write of `n` changes to `key`: `written` once (signal, event, dirty)
/// plus the rest of the dirty count.
fn written_n(ctx: &mut Ctx, key: &[u8], event: &str, n: usize) {
    ctx.written(key, ev::ZSET, event);
    ctx.srv.dirty += n.saturating_sub(1) as u64;
}

/// Redis `getPositiveLongFromObjectOrReply`: errors use `msg` (or "value is
/// out of range, must be positive"), for non-integers too.
fn positive_long_arg(ctx: &mut Ctx, i: usize, msg: Option<&str>) -> Option<i64> {
    let msg = msg.unwrap_or("value is out of range, must be positive");
    range_long_arg(ctx, i, 0, i64::MAX, Some(msg))
}

/// Redis `getRangeLongFromObjectOrReply`.
fn range_long_arg(ctx: &mut Ctx, i: usize, min: i64, max: i64, msg: Option<&str>) -> Option<i64> {
    let Some(v) = util::string2ll(ctx.argv.get(i)) else {
        match msg {
            Some(m) => ctx.error(&format!("ERR {m}")),
            None => ctx.error(super::err::NOT_INT),
        }
        return None;
    };
    if v < min || v > max {
        match msg {
            Some(m) => ctx.error(&format!("ERR {m}")),
            None => ctx.error(&format!(
                "ERR value is out of range, value must between {min} and {max}"
            )),
        }
        return None;
    }
    Some(v)
}

// ---------------------------------------------------------------------------
// ZADD, ZINCRBY
// ---------------------------------------------------------------------------

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
fn zadd(ctx: &mut Ctx) {
    zadd_generic(ctx, false);
}

/// ZINCRBY key increment member
fn zincrby(ctx: &mut Ctx) {
    zadd_generic(ctx, true);
}

/// Redis `zaddGenericCommand` (ZINCRBY parses options too, as in Redis).
fn zadd_generic(ctx: &mut Ctx, incr: bool) {
    let mut flags = AddFlags {
        incr,
        ..AddFlags::default()
    };
    let mut ch = false;
    let argc = ctx.argv.len();
    let mut idx = 2;
    while idx < argc {
        let opt = ctx.argv.get(idx);
        let is = |s: &str| opt.eq_ignore_ascii_case(s.as_bytes());
        if is("nx") {
            flags.nx = true;
        } else if is("xx") {
            flags.xx = true;
        } else if is("ch") {
            ch = true;
        } else if is("incr") {
            flags.incr = true;
        } else if is("gt") {
            flags.gt = true;
        } else if is("lt") {
            flags.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let elements = argc - idx;
    if !elements.is_multiple_of(2) || elements == 0 {
        return ctx.syntax_error();
    }
    if flags.nx && flags.xx {
        return ctx.error("ERR XX and NX options at the same time are not compatible");
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return ctx.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if flags.incr && elements > 2 {
        return ctx.error("ERR INCR option supports a single increment-element pair");
    }
    let mut pairs: Vec<(f64, &[u8])> = Vec::with_capacity(elements / 2);
    for j in (idx..argc).step_by(2) {
        let Some(score) = util::string2d(ctx.argv.get(j)) else {
            return ctx.error(super::err::NOT_FLOAT);
        };
        pairs.push((score, ctx.argv.get(j + 1)));
    }
    let key = ctx.argv.get(1);
    zadd_apply(ctx, key, flags, ch, &pairs);
}

/// The part of ZADD after argument parsing, for GEOADD too: adds `pairs`
/// (score, member) to `key` with `flags` and replies as ZADD (CH: count
/// the updated members too) or, with INCR, as ZINCRBY. Emits `zadd` or
/// `zincr`.
pub fn zadd_apply(ctx: &mut Ctx, key: &[u8], flags: AddFlags, ch: bool, pairs: &[(f64, &[u8])]) {
    let db = ctx.c.db;
    let lim = limits(ctx.srv);
    let (mut added, mut updated, mut processed) = (0usize, 0usize, 0usize);
    let mut last_score = 0.0;
    let mut nan = false;
    match get_write(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(Some(arc)) => {
            let z = arc;
            for &(score, member) in pairs {
                match z.add(member, score, flags, lim) {
                    AddResult::Added(s) => {
                        added += 1;
                        processed += 1;
                        last_score = s;
                    }
                    AddResult::Updated(s) => {
                        updated += 1;
                        processed += 1;
                        last_score = s;
                    }
                    AddResult::Unchanged(s) => {
                        processed += 1;
                        last_score = s;
                    }
                    AddResult::Nop => {}
                    AddResult::Nan => {
                        nan = true;
                        break;
                    }
                }
            }
        }
        Ok(None) if flags.xx || pairs.is_empty() => {}
        Ok(None) => {
            let first_len = pairs.first().map_or(0, |p| p.1.len());
            let mut z = ZSet::for_first_member(first_len, lim);
            for &(score, member) in pairs {
                match z.add(member, score, flags, lim) {
                    AddResult::Added(s) => {
                        added += 1;
                        processed += 1;
                        last_score = s;
                    }
                    AddResult::Updated(s) => {
                        updated += 1;
                        processed += 1;
                        last_score = s;
                    }
                    AddResult::Unchanged(s) => {
                        processed += 1;
                        last_score = s;
                    }
                    AddResult::Nop | AddResult::Nan => {}
                }
            }
            ctx.srv.add_key(db, key, Value::ZSet(z));
        }
    }
    let event = if flags.incr { "zincr" } else { "zadd" };
    if nan {
        ctx.error("ERR resulting score is not a number (NaN)");
        if added + updated > 0 {
            ctx.srv.signal_modified_key(db, key);
            ctx.notify(ev::ZSET, event, key);
        }
        return;
    }
    if flags.incr {
        if processed > 0 {
            ctx.c.reply.double(last_score);
        } else {
            ctx.c.reply.null();
        }
    } else {
        ctx.c.reply.int((if ch { added + updated } else { added }) as i64);
    }
    if added + updated > 0 {
        written_n(ctx, key, event, added + updated);
    }
}

// ---------------------------------------------------------------------------
// ZREM, ZREMRANGEBY*
// ---------------------------------------------------------------------------

/// ZREM key member [member ...]
fn zrem(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let mut deleted = 0;
    let mut emptied = false;
    match get_write(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.int(0),
        Ok(Some(arc)) => {
            let z = arc;
            for j in 2..ctx.argv.len() {
                if z.remove(ctx.argv.get(j)) {
                    deleted += 1;
                }
                if z.is_empty() {
                    emptied = true;
                    break;
                }
            }
        }
    }
    if emptied {
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        ctx.srv.delete_key(db, key, lazy);
    }
    if deleted > 0 {
        written_n(ctx, key, "zrem", deleted);
        if emptied {
            ctx.notify(ev::GENERIC, "del", key);
        }
    }
    ctx.c.reply.int(deleted as i64);
}

enum RemRange {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// ZREMRANGEBYRANK key start stop
fn zremrangebyrank(ctx: &mut Ctx) {
    let Some(start) = ctx.int_arg(2) else { return };
    let Some(end) = ctx.int_arg(3) else { return };
    zremrange_generic(ctx, RemRange::Rank(start, end), "zremrangebyrank");
}

/// ZREMRANGEBYSCORE key min max
fn zremrangebyscore(ctx: &mut Ctx) {
    let Some(r) = ScoreRange::parse(ctx.argv.get(2), ctx.argv.get(3)) else {
        return ctx.error("ERR min or max is not a float");
    };
    zremrange_generic(ctx, RemRange::Score(r), "zremrangebyscore");
}

/// ZREMRANGEBYLEX key min max
fn zremrangebylex(ctx: &mut Ctx) {
    let Some(r) = LexRange::parse(ctx.argv.get(2), ctx.argv.get(3)) else {
        return ctx.error("ERR min or max not valid string range item");
    };
    zremrange_generic(ctx, RemRange::Lex(r), "zremrangebylex");
}

/// Redis `zremrangeGenericCommand`.
fn zremrange_generic(ctx: &mut Ctx, range: RemRange, event: &str) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let (deleted, emptied) = match get_write(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.int(0),
        Ok(Some(arc)) => {
            let len = arc.len() as i64;
            let deleted = match range {
                RemRange::Rank(mut start, mut end) => {
                    if start < 0 {
                        start = len.saturating_add(start);
                    }
                    if end < 0 {
                        end = len.saturating_add(end);
                    }
                    start = start.max(0);
                    if start > end || start >= len {
                        return ctx.c.reply.int(0);
                    }
                    end = end.min(len - 1);
                    arc.delete_range_by_rank(start as usize, end as usize)
                }
                RemRange::Score(r) => {
                    if arc.first_in_range(&r).is_none() {
                        0
                    } else {
                        arc.delete_range_by_score(&r)
                    }
                }
                RemRange::Lex(r) => {
                    if arc.first_in_lex_range(&r).is_none() {
                        0
                    } else {
                        arc.delete_range_by_lex(&r)
                    }
                }
            };
            (deleted, arc.is_empty())
        }
    };
    if emptied {
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        ctx.srv.delete_key(db, key, lazy);
    }
    if deleted > 0 {
        written_n(ctx, key, event, deleted);
        if emptied {
            ctx.notify(ev::GENERIC, "del", key);
        }
    }
    ctx.c.reply.int(deleted as i64);
}

// ---------------------------------------------------------------------------
// ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK
// ---------------------------------------------------------------------------

/// ZCARD key
fn zcard(ctx: &mut Ctx) {
    let db = ctx.c.db;
    match get_read(ctx.srv, db, ctx.argv.get(1)) {
        Err(WrongType) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.int(0),
        Ok(Some(z)) => ctx.c.reply.int(z.len() as i64),
    }
}

/// ZCOUNT key min max
fn zcount(ctx: &mut Ctx) {
    let Some(r) = ScoreRange::parse(ctx.argv.get(2), ctx.argv.get(3)) else {
        return ctx.error("ERR min or max is not a float");
    };
    let db = ctx.c.db;
    match get_read(ctx.srv, db, ctx.argv.get(1)) {
        Err(WrongType) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.int(0),
        Ok(Some(z)) => ctx.c.reply.int(z.count_in_range(&r) as i64),
    }
}

/// ZLEXCOUNT key min max
fn zlexcount(ctx: &mut Ctx) {
    let Some(r) = LexRange::parse(ctx.argv.get(2), ctx.argv.get(3)) else {
        return ctx.error("ERR min or max not valid string range item");
    };
    let db = ctx.c.db;
    match get_read(ctx.srv, db, ctx.argv.get(1)) {
        Err(WrongType) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.int(0),
        Ok(Some(z)) => ctx.c.reply.int(z.count_in_lex_range(&r) as i64),
    }
}

/// ZSCORE key member
fn zscore(ctx: &mut Ctx) {
    let db = ctx.c.db;
    match get_read(ctx.srv, db, ctx.argv.get(1)) {
        Err(WrongType) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.null(),
        Ok(Some(z)) => match z.score(ctx.argv.get(2)) {
            Some(s) => ctx.c.reply.double(s),
            None => ctx.c.reply.null(),
        },
    }
}

/// ZMSCORE key member [member ...]
fn zmscore(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let z = match get_read(ctx.srv, db, ctx.argv.get(1)) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(z) => z,
    };
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for j in 2..ctx.argv.len() {
        match z.and_then(|z| z.score(ctx.argv.get(j))) {
            Some(s) => r.double(s),
            None => r.null(),
        }
    }
}

/// ZRANK key member
fn zrank(ctx: &mut Ctx) {
    zrank_generic(ctx, false);
}

/// ZREVRANK key member
fn zrevrank(ctx: &mut Ctx) {
    zrank_generic(ctx, true);
}

fn zrank_generic(ctx: &mut Ctx, reverse: bool) {
    let db = ctx.c.db;
    match get_read(ctx.srv, db, ctx.argv.get(1)) {
        Err(WrongType) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.null(),
        Ok(Some(z)) => match z.rank(ctx.argv.get(2), reverse) {
            Some(r) => ctx.c.reply.int(r as i64),
            None => ctx.c.reply.null(),
        },
    }
}

// ---------------------------------------------------------------------------
// ZRANGE and friends
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
fn zrange(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, false, RangeType::Auto, Direction::Auto);
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
fn zrangestore(ctx: &mut Ctx) {
    zrange_generic(ctx, 2, true, RangeType::Auto, Direction::Auto);
}

/// ZREVRANGE key start stop [WITHSCORES]
fn zrevrange(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, false, RangeType::Rank, Direction::Reverse);
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
fn zrangebyscore(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, false, RangeType::Score, Direction::Forward);
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
fn zrevrangebyscore(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, false, RangeType::Score, Direction::Reverse);
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
fn zrangebylex(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, false, RangeType::Lex, Direction::Forward);
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
fn zrevrangebylex(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, false, RangeType::Lex, Direction::Reverse);
}

/// A parsed range.
enum Range {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Where the members of a range go: the reply (with scores or not), or a
/// new set for ZRANGESTORE (Redis's `zrange_result_handler`).
struct Sink {
    withscores: bool,
    /// Deferred array header position when the length is not known.
    deferred: Option<usize>,
    count: usize,
    store: Option<(ZSet, Limits)>,
}

impl Sink {
    /// Redis `beginResultEmission`: a known length (> 0) is written now.
    /// A set being stored is created for the length when it is known
    /// (Redis 7.0's `zsetTypeCreate`): a skiplist from the start if the
    /// length is over the limit (so it keeps -0 scores), else a listpack.
    fn begin(&mut self, r: &mut ReplyBuf, len: Option<usize>) {
        if let Some((z, lim)) = &mut self.store {
            if let Some(n) = len {
                if n > lim.max_entries {
                    *z = ZSet::new_skiplist(n);
                }
            }
            return;
        }
        match len {
            Some(n) if n > 0 => r.array_len(if self.withscores && r.resp == 2 { n * 2 } else { n }),
            _ => self.deferred = Some(r.defer_len()),
        }
    }

    fn emit(&mut self, r: &mut ReplyBuf, m: LpValue, score: f64) {
        self.count += 1;
        if let Some((z, lim)) = &mut self.store {
            m.with_bytes(|b| z.insert_new(b, score, *lim));
            return;
        }
        if self.withscores && r.resp > 2 {
            r.array_len(2);
        }
        reply_member(r, m);
        if self.withscores {
            r.double(score);
        }
    }

    fn finish_reply(&self, r: &mut ReplyBuf) {
        if let Some(pos) = self.deferred {
            let n = if self.withscores && r.resp == 2 {
                self.count * 2
            } else {
                self.count
            };
            r.set_deferred(pos, b'*', n);
        }
    }
}

/// Redis `zrangeGenericCommand`: `src` is the index of the source key.
fn zrange_generic(ctx: &mut Ctx, src: usize, store: bool, mut rangetype: RangeType, mut direction: Direction) {
    let argc = ctx.argv.len();
    let (mut minidx, mut maxidx) = (src + 1, src + 2);
    let mut withscores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut j = src + 3;
    while j < argc {
        let a = ctx.argv.get(j);
        let leftargs = argc - j - 1;
        if !store && a.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
        } else if a.eq_ignore_ascii_case(b"limit") && leftargs >= 2 {
            let Some(o) = ctx.int_arg(j + 1) else { return };
            let Some(l) = ctx.int_arg(j + 2) else { return };
            offset = o;
            limit = l;
            j += 2;
        } else if direction == Direction::Auto && a.eq_ignore_ascii_case(b"rev") {
            direction = Direction::Reverse;
        } else if rangetype == RangeType::Auto && a.eq_ignore_ascii_case(b"bylex") {
            rangetype = RangeType::Lex;
        } else if rangetype == RangeType::Auto && a.eq_ignore_ascii_case(b"byscore") {
            rangetype = RangeType::Score;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    if direction == Direction::Auto {
        direction = Direction::Forward;
    }
    if rangetype == RangeType::Auto {
        rangetype = RangeType::Rank;
    }
    if limit != -1 && rangetype == RangeType::Rank {
        return ctx.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }
    if withscores && rangetype == RangeType::Lex {
        return ctx.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    let reverse = direction == Direction::Reverse;
    if reverse && rangetype != RangeType::Rank {
        std::mem::swap(&mut minidx, &mut maxidx);
    }
    let range = match rangetype {
        RangeType::Score => match ScoreRange::parse(ctx.argv.get(minidx), ctx.argv.get(maxidx)) {
            Some(r) => Range::Score(r),
            None => return ctx.error("ERR min or max is not a float"),
        },
        RangeType::Lex => match LexRange::parse(ctx.argv.get(minidx), ctx.argv.get(maxidx)) {
            Some(r) => Range::Lex(r),
            None => return ctx.error("ERR min or max not valid string range item"),
        },
        _ => {
            let Some(start) = ctx.int_arg(minidx) else { return };
            let Some(end) = ctx.int_arg(maxidx) else { return };
            Range::Rank(start, end)
        }
    };
    let db = ctx.c.db;
    let key = ctx.argv.get(src);
    let lim = limits(ctx.srv);
    let mut sink = Sink {
        withscores,
        deferred: None,
        count: 0,
        store: store.then(|| (ZSet::new_listpack(), lim)),
    };
    let z = match get_read(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(None) if store => return store_range_result(ctx, sink),
        Ok(None) => return ctx.c.reply.array_len(0),
        Ok(Some(z)) => z,
    };
    let r = &mut ctx.c.reply;
    match range {
        Range::Rank(start, end) => {
            let len = z.len() as i64;
            let (mut start, mut end) = (start, end);
            if start < 0 {
                start = len.saturating_add(start);
            }
            if end < 0 {
                end = len.saturating_add(end);
            }
            start = start.max(0);
            if start > end || start >= len {
                sink.begin(r, Some(0));
            } else {
                end = end.min(len - 1);
                let n = (end - start + 1) as usize;
                sink.begin(r, Some(n));
                let first = if reverse {
                    z.at_rank((len - 1 - start) as usize)
                } else {
                    z.at_rank(start as usize)
                };
                for (m, s) in z.iter_from(first, reverse).take(n) {
                    sink.emit(r, m, s);
                }
            }
        }
        Range::Score(rg) => {
            sink.begin(r, None);
            z.range_by_score(&rg, reverse, offset, limit, |m, s| sink.emit(r, m, s));
        }
        Range::Lex(rg) => {
            sink.begin(r, None);
            z.range_by_lex(&rg, reverse, offset, limit, |m, s| sink.emit(r, m, s));
        }
    }
    if store {
        store_range_result(ctx, sink);
    } else {
        sink.finish_reply(r);
    }
}

/// Redis `zrangeResultFinalizeStore`.
fn store_range_result(ctx: &mut Ctx, sink: Sink) {
    let Some((z, _)) = sink.store else { return };
    let count = sink.count;
    let db = ctx.c.db;
    let dst = ctx.argv.get(1);
    if count > 0 {
        ctx.srv.set_key(db, dst, Value::ZSet(z), false);
        ctx.c.reply.int(count as i64);
        ctx.written(dst, ev::ZSET, "zrangestore");
    } else {
        ctx.c.reply.int(0);
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        if ctx.srv.delete_key(db, dst, lazy) {
            ctx.written(dst, ev::GENERIC, "del");
        }
    }
}

// ---------------------------------------------------------------------------
// Pops
// ---------------------------------------------------------------------------

/// ZPOPMIN key [count]
fn zpopmin(ctx: &mut Ctx) {
    zpop_minmax(ctx, false);
}

/// ZPOPMAX key [count]
fn zpopmax(ctx: &mut Ctx) {
    zpop_minmax(ctx, true);
}

fn zpop_minmax(ctx: &mut Ctx, max: bool) {
    if ctx.argv.len() > 3 {
        return ctx.syntax_error();
    }
    let mut count = -1;
    if ctx.argv.len() == 3 {
        let Some(c) = positive_long_arg(ctx, 2, None) else {
            return;
        };
        count = c;
    }
    let nested = ctx.c.reply.resp > 2 && count != -1;
    let key = ctx.argv.get(1);
    generic_zpop(ctx, &[key], max, false, count, nested, false);
}

/// Redis `genericZpopCommand`: pops up to `count` members (-1: one, flat
/// reply) from the first of `keys` that exists. `emitkey` prefixes the key
/// name; `nested` makes member, score pairs arrays; `nil_when_empty`
/// answers a null array rather than an empty one when no key exists.
/// Returns whether something was popped.
fn generic_zpop(
    ctx: &mut Ctx,
    keys: &[&[u8]],
    max: bool,
    emitkey: bool,
    count: i64,
    nested: bool,
    nil_when_empty: bool,
) -> bool {
    let db = ctx.c.db;
    let mut found = None;
    for &k in keys {
        match get_write(ctx.srv, db, k) {
            Err(WrongType) => {
                ctx.wrong_type();
                return false;
            }
            Ok(None) => continue,
            Ok(Some(_)) => {
                found = Some(k);
                break;
            }
        }
    }
    let Some(key) = found else {
        if nil_when_empty {
            ctx.c.reply.null_array();
        } else {
            ctx.c.reply.array_len(0);
        }
        return false;
    };
    if count == 0 {
        ctx.c.reply.array_len(0);
        return false;
    }
    let count = if count == -1 { 1 } else { count };
    let Some(Value::ZSet(arc)) = ctx.srv.dbs[db].get_mut(key).map(|o| &mut o.v) else {
        return false;
    };
    let z = arc;
    let len = z.len();
    let n = usize::try_from(count).unwrap_or(usize::MAX).min(len);
    let r = &mut ctx.c.reply;
    match (nested, emitkey) {
        (false, false) => r.array_len(n * 2),
        (true, false) => r.array_len(n),
        (false, true) => {
            r.array_len(n * 2 + 1);
            r.bulk(key);
        }
        (true, true) => {
            r.array_len(2);
            r.bulk(key);
            r.array_len(n);
        }
    }
    for _ in 0..n {
        let Some(c) = (if max { z.last() } else { z.first() }) else {
            break;
        };
        let (m, s) = z.get(c);
        if nested {
            r.array_len(2);
        }
        reply_member(r, m);
        r.double(s);
        z.remove_at(c);
    }
    let emptied = z.is_empty();
    written_n(ctx, key, if max { "zpopmax" } else { "zpopmin" }, n);
    if emptied {
        delete_emptied(ctx, key);
    }
    propagate_pop(ctx, key, max, count);
    true
}

/// The multi-key and blocking pops propagate as the plain pop of the key
/// they popped from, as Redis 7.0 does: a replay must neither block nor
/// pick another key. ZMPOP/BZMPOP keep the count asked for.
fn propagate_pop(ctx: &mut Ctx, key: &[u8], max: bool, count: i64) {
    let pop: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
    match ctx.cmd.name {
        "zmpop" | "bzmpop" => ctx.propagate_as(&[pop, key, &crate::propagate::num(count)]),
        "bzpopmin" | "bzpopmax" => ctx.propagate_as(&[pop, key]),
        _ => {}
    }
}

/// Parses ZMPOP/BZMPOP's `numkeys key... MIN|MAX [COUNT count]` with
/// numkeys at `numkeys_idx`: (first key index, number of keys, max, count).
fn parse_mpop(ctx: &mut Ctx, numkeys_idx: usize) -> Option<(usize, usize, bool, i64)> {
    let numkeys = range_long_arg(ctx, numkeys_idx, 1, i64::MAX, Some("numkeys should be greater than 0"))?;
    let argc = ctx.argv.len();
    let where_idx = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_idx + 1))
        .filter(|&w| w < argc);
    let Some(where_idx) = where_idx else {
        ctx.syntax_error();
        return None;
    };
    let w = ctx.argv.get(where_idx);
    let max = if w.eq_ignore_ascii_case(b"min") {
        false
    } else if w.eq_ignore_ascii_case(b"max") {
        true
    } else {
        ctx.syntax_error();
        return None;
    };
    let mut count = -1;
    let mut j = where_idx + 1;
    while j < argc {
        let moreargs = argc - 1 - j;
        if count == -1 && ctx.argv.get(j).eq_ignore_ascii_case(b"count") && moreargs > 0 {
            j += 1;
            count = range_long_arg(ctx, j, 1, i64::MAX, Some("count should be greater than 0"))?;
        } else {
            ctx.syntax_error();
            return None;
        }
        j += 1;
    }
    if count == -1 {
        count = 1;
    }
    Some((numkeys_idx + 1, where_idx - numkeys_idx - 1, max, count))
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
fn zmpop(ctx: &mut Ctx) {
    let Some((first, n, max, count)) = parse_mpop(ctx, 1) else {
        return;
    };
    let keys: Vec<&[u8]> = (first..first + n).map(|i| ctx.argv.get(i)).collect();
    generic_zpop(ctx, &keys, max, true, count, true, true);
}

/// BZPOPMIN key [key ...] timeout
fn bzpopmin(ctx: &mut Ctx) {
    bzpop_minmax(ctx, false);
}

/// BZPOPMAX key [key ...] timeout
fn bzpopmax(ctx: &mut Ctx) {
    bzpop_minmax(ctx, true);
}

fn bzpop_minmax(ctx: &mut Ctx, max: bool) {
    let argc = ctx.argv.len();
    let keys: Vec<&[u8]> = (1..argc - 1).map(|i| ctx.argv.get(i)).collect();
    blocking_zpop(ctx, &keys, max, argc - 1, -1, false, false);
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
fn bzmpop(ctx: &mut Ctx) {
    let Some((first, n, max, count)) = parse_mpop(ctx, 2) else {
        return;
    };
    let keys: Vec<&[u8]> = (first..first + n).map(|i| ctx.argv.get(i)).collect();
    blocking_zpop(ctx, &keys, max, 1, count, true, true);
}

/// Redis `blockingGenericZpopCommand`.
fn blocking_zpop(
    ctx: &mut Ctx,
    keys: &[&[u8]],
    max: bool,
    timeout_idx: usize,
    count: i64,
    nested: bool,
    nil_when_empty: bool,
) {
    let Some(deadline) = parse_timeout_secs(ctx, timeout_idx) else {
        return;
    };
    let db = ctx.c.db;
    // Re-run for a key that became ready: Redis 7.0 serves from that key.
    let ready = ctx.ready_key();
    let ready: Option<&[u8]> = ready.as_deref().and_then(|r| keys.iter().copied().find(|k| *k == r));
    for &k in ready.iter().chain(keys.iter()) {
        match get_write(ctx.srv, db, k) {
            Err(WrongType) => return ctx.wrong_type(),
            Ok(None) => continue,
            Ok(Some(z)) if z.is_empty() => continue,
            Ok(Some(_)) => {
                generic_zpop(ctx, &[k], max, true, count, nested, nil_when_empty);
                return;
            }
        }
    }
    if !ctx.can_block() {
        return ctx.c.reply.null_array();
    }
    ctx.block_on_keys(keys, Type::ZSet, deadline, TimeoutReply::NullArray);
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER
// ---------------------------------------------------------------------------

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(ctx: &mut Ctx) {
    let argc = ctx.argv.len();
    if argc >= 3 {
        let Some(l) = range_long_arg(ctx, 2, -i64::MAX, i64::MAX, None) else {
            return;
        };
        if argc > 4 || (argc == 4 && !ctx.argv.get(3).eq_ignore_ascii_case(b"withscores")) {
            return ctx.syntax_error();
        }
        let withscores = argc == 4;
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return ctx.error("ERR value is out of range");
        }
        return zrandmember_with_count(ctx, l, withscores);
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match get_read(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.null(),
        Ok(Some(_)) => {}
    }
    let srv = &mut *ctx.srv;
    if let Some(Value::ZSet(z)) = srv.dbs[db].get(key).map(|o| &o.v) {
        match z.random(&mut srv.rng) {
            Some((m, _)) => reply_member(&mut ctx.c.reply, m),
            None => ctx.c.reply.null(),
        }
    }
}

/// Redis `zrandmemberWithCountCommand`.
fn zrandmember_with_count(ctx: &mut Ctx, l: i64, withscores: bool) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match get_read(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.array_len(0),
        Ok(Some(_)) => {}
    }
    let Some(Value::ZSet(z)) = ctx.srv.dbs[db].get(key).map(|o| &o.v) else {
        return;
    };
    let rng = &mut ctx.srv.rng;
    let r = &mut ctx.c.reply;
    let size = z.len();
    let uniq = l >= 0;
    let count = l.unsigned_abs() as usize;
    if count == 0 {
        return r.array_len(0);
    }
    let emit = |r: &mut ReplyBuf, m: LpValue, s: f64| {
        if withscores && r.resp > 2 {
            r.array_len(2);
        }
        reply_member(r, m);
        if withscores {
            r.double(s);
        }
    };
    // Case 1: repetitions allowed (or a single member).
    if !uniq || count == 1 {
        r.array_len(if withscores && r.resp == 2 { count * 2 } else { count });
        if z.is_listpack() {
            let cursors = z.cursors();
            for _ in 0..count {
                let c = cursors[rng.random_range(0..cursors.len())];
                let (m, s) = z.get(c);
                emit(r, m, s);
            }
        } else {
            for _ in 0..count {
                if let Some((m, s)) = z.random(rng) {
                    emit(r, m, s);
                }
            }
        }
        return;
    }
    let reply_size = count.min(size);
    r.array_len(if withscores && r.resp == 2 {
        reply_size * 2
    } else {
        reply_size
    });
    // Case 2: everything, in Redis's iteration order (highest score first).
    if count >= size {
        for (m, s) in z.iter_rev() {
            emit(r, m, s);
        }
        return;
    }
    // Case 3: most of the set: drop random members until `count` are left.
    if count * 3 > size {
        let mut cs = z.cursors();
        while cs.len() > count {
            let i = rng.random_range(0..cs.len());
            cs.swap_remove(i);
        }
        for c in cs {
            let (m, s) = z.get(c);
            emit(r, m, s);
        }
        return;
    }
    // Case 4: few of many.
    if z.is_listpack() {
        z.random_unique(count, rng, |m, s| emit(r, m, s));
        return;
    }
    let mut seen: std::collections::HashSet<Vec<u8>, ahash::RandomState> = Default::default();
    while seen.len() < count {
        let Some((m, s)) = z.random(rng) else { break };
        if seen.insert(m.to_vec()) {
            emit(r, m, s);
        }
    }
}

// ---------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// Redis `zunionInterAggregate` (an inf - inf sum counts as 0).
#[inline]
fn aggregate(target: &mut f64, val: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += val;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val;
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

/// An input of a set operation: a sorted set, a set (scores 1) or nothing.
#[derive(Clone, Copy)]
enum Src<'a> {
    None,
    Z(&'a ZSet),
    S(&'a Set),
}

impl<'a> Src<'a> {
    fn len(&self) -> usize {
        match self {
            Src::None => 0,
            Src::Z(z) => z.len(),
            Src::S(s) => s.len(),
        }
    }

    /// Same value (the same key given twice).
    fn same(&self, o: &Src) -> bool {
        match (self, o) {
            (Src::Z(a), Src::Z(b)) => std::ptr::eq(*a, *b),
            (Src::S(a), Src::S(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }

    /// Every member with its score; sorted sets from the highest score down
    /// (Redis's `zuiNext`).
    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Src::None => {}
            Src::Z(z) => {
                for (m, s) in z.iter_rev() {
                    m.with_bytes(|b| f(b, s));
                }
            }
            Src::S(set) => {
                for m in set.iter() {
                    let mut tmp = [0u8; 20];
                    f(m.bytes(&mut tmp), 1.0);
                }
            }
        }
    }

    fn find(&self, member: &[u8]) -> Option<f64> {
        match self {
            Src::None => None,
            Src::Z(z) => z.score(member),
            Src::S(s) => s.contains(Member::Str(member)).then_some(1.0),
        }
    }
}

/// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zunion(ctx: &mut Ctx) {
    set_op(ctx, false, 1, SetOp::Union, false);
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
fn zunionstore(ctx: &mut Ctx) {
    set_op(ctx, true, 2, SetOp::Union, false);
}

/// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zinter(ctx: &mut Ctx) {
    set_op(ctx, false, 1, SetOp::Inter, false);
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
fn zinterstore(ctx: &mut Ctx) {
    set_op(ctx, true, 2, SetOp::Inter, false);
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
fn zintercard(ctx: &mut Ctx) {
    set_op(ctx, false, 1, SetOp::Inter, true);
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
fn zdiff(ctx: &mut Ctx) {
    set_op(ctx, false, 1, SetOp::Diff, false);
}

/// ZDIFFSTORE destination numkeys key [key ...]
fn zdiffstore(ctx: &mut Ctx) {
    set_op(ctx, true, 2, SetOp::Diff, false);
}

/// Redis `zunionInterDiffGenericCommand`.
fn set_op(ctx: &mut Ctx, store: bool, numkeys_idx: usize, op: SetOp, cardinality_only: bool) {
    let Some(setnum) = ctx.int_arg(numkeys_idx) else { return };
    if setnum < 1 {
        let msg = format!(
            "ERR at least 1 input key is needed for '{}' command",
            ctx.srv.table.full_names[ctx.id as usize]
        );
        return ctx.error(&msg);
    }
    let argc = ctx.argv.len();
    if setnum > (argc - (numkeys_idx + 1)) as i64 {
        return ctx.syntax_error();
    }
    let setnum = setnum as usize;
    let db = ctx.c.db;
    let first = numkeys_idx + 1;
    // Look every input up (stats, expiry, type) before parsing options.
    let mut present = vec![false; setnum];
    for (i, p) in present.iter_mut().enumerate() {
        if let Some(o) = ctx.srv.lookup_read(db, ctx.argv.get(first + i)) {
            if !matches!(o.v, Value::ZSet(_) | Value::Set(_)) {
                return ctx.wrong_type();
            }
            *p = true;
        }
    }
    let mut weights = vec![1.0f64; setnum];
    let mut how = Aggregate::Sum;
    let mut withscores = false;
    let mut limit: i64 = 0;
    let mut j = first + setnum;
    while j < argc {
        let remaining = argc - j;
        let a = ctx.argv.get(j);
        if op != SetOp::Diff && !cardinality_only && remaining > setnum && a.eq_ignore_ascii_case(b"weights") {
            j += 1;
            for w in weights.iter_mut() {
                match util::string2d(ctx.argv.get(j)) {
                    Some(v) => *w = v,
                    None => return ctx.error("ERR weight value is not a float"),
                }
                j += 1;
            }
        } else if op != SetOp::Diff && !cardinality_only && remaining >= 2 && a.eq_ignore_ascii_case(b"aggregate") {
            let v = ctx.argv.get(j + 1);
            how = if v.eq_ignore_ascii_case(b"sum") {
                Aggregate::Sum
            } else if v.eq_ignore_ascii_case(b"min") {
                Aggregate::Min
            } else if v.eq_ignore_ascii_case(b"max") {
                Aggregate::Max
            } else {
                return ctx.syntax_error();
            };
            j += 2;
        } else if !store && !cardinality_only && a.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
            j += 1;
        } else if cardinality_only && remaining >= 2 && a.eq_ignore_ascii_case(b"limit") {
            let Some(l) = positive_long_arg(ctx, j + 1, Some("LIMIT can't be negative")) else {
                return;
            };
            limit = l;
            j += 2;
        } else {
            return ctx.syntax_error();
        }
    }

    let srv = &*ctx.srv;
    let mut srcs: Vec<(Src, f64)> = (0..setnum)
        .map(|i| {
            let src = if present[i] {
                match srv.dbs[db].get(ctx.argv.get(first + i)).map(|o| &o.v) {
                    Some(Value::ZSet(z)) => Src::Z(z),
                    Some(Value::Set(s)) => Src::S(s),
                    _ => Src::None,
                }
            } else {
                Src::None
            };
            (src, weights[i])
        })
        .collect();
    if op != SetOp::Diff {
        srcs.sort_by_key(|(s, _)| s.len());
    }

    let mut result: Vec<(SBytes, f64)> = Vec::new();
    let mut maxelelen = 0usize;
    let mut totelelen = 0usize;
    let mut cardinality = 0usize;
    let mut track = |m: &[u8]| {
        maxelelen = maxelelen.max(m.len());
        totelelen += m.len();
    };
    match op {
        SetOp::Inter => {
            if srcs[0].0.len() > 0 {
                let (first, w0) = srcs[0];
                let mut done = false;
                first.for_each(|m, s| {
                    if done {
                        return;
                    }
                    let mut score = w0 * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    for (src, w) in &srcs[1..] {
                        let v = if src.same(&first) {
                            s * w
                        } else {
                            match src.find(m) {
                                Some(v) => v * w,
                                None => return,
                            }
                        };
                        aggregate(&mut score, v, how);
                    }
                    if cardinality_only {
                        cardinality += 1;
                        if limit > 0 && cardinality as i64 >= limit {
                            done = true;
                        }
                    } else {
                        track(m);
                        result.push((SBytes::new(m), score));
                    }
                });
            }
        }
        SetOp::Union => {
            let mut acc: HashMap<SBytes, f64, ahash::RandomState> = HashMap::default();
            if let Some((last, _)) = srcs.last() {
                acc.reserve(last.len());
            }
            for (src, w) in &srcs {
                src.for_each(|m, s| {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(t) => aggregate(t, score, how),
                        None => {
                            track(m);
                            acc.insert(SBytes::new(m), score);
                        }
                    }
                });
            }
            result = acc.into_iter().collect();
        }
        SetOp::Diff => {
            result = zdiff_compute(&mut srcs, &mut track);
        }
    }
    // The result set's order: score, then member bytes (-0 equals 0).
    result.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
    });

    if store {
        let dst = ctx.argv.get(1);
        if result.is_empty() {
            ctx.c.reply.int(0);
            let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
            if ctx.srv.delete_key(db, dst, lazy) {
                ctx.written(dst, ev::GENERIC, "del");
            }
            return;
        }
        let n = result.len();
        let z = build_result(result, maxelelen, totelelen, limits(ctx.srv));
        ctx.srv.set_key(db, dst, Value::ZSet(z), false);
        ctx.c.reply.int(n as i64);
        let event = match op {
            SetOp::Union => "zunionstore",
            SetOp::Inter => "zinterstore",
            SetOp::Diff => "zdiffstore",
        };
        ctx.written(dst, ev::ZSET, event);
    } else if cardinality_only {
        ctx.c.reply.int(cardinality as i64);
    } else {
        let r = &mut ctx.c.reply;
        r.array_len(if withscores && r.resp == 2 {
            result.len() * 2
        } else {
            result.len()
        });
        for (m, s) in &result {
            if withscores && r.resp > 2 {
                r.array_len(2);
            }
            r.bulk(m);
            if withscores {
                r.double(*s);
            }
        }
    }
}

/// Builds a result set from sorted (member, score) pairs: a skiplist, or a
/// listpack when it fits (Redis's `zsetConvertToListpackIfNeeded`).
pub fn build_result(pairs: Vec<(SBytes, f64)>, maxelelen: usize, totelelen: usize, lim: Limits) -> ZSet {
    let fits =
        pairs.len() <= lim.max_entries && maxelelen <= lim.max_value && totelelen <= crate::listpack::MAX_SAFETY_SIZE;
    let mut z = if fits {
        ZSet::new_listpack()
    } else {
        ZSet::new_skiplist(pairs.len())
    };
    let unlimited = Limits {
        max_entries: usize::MAX,
        max_value: usize::MAX,
    };
    // Appending in order to a listpack walks it each time; build the
    // skiplist first and convert, as Redis does.
    if fits && pairs.len() > 16 {
        let mut s = ZSet::new_skiplist(pairs.len());
        for (m, sc) in &pairs {
            s.insert_new(m, *sc, unlimited);
        }
        s.convert_to_listpack();
        return s;
    }
    for (m, sc) in &pairs {
        z.insert_new(m, *sc, unlimited);
    }
    z
}

/// Redis `zdiff`: picks algorithm 1 (probe the other sets for each member of
/// the first) or 2 (copy the first, remove the others' members).
fn zdiff_compute(srcs: &mut [(Src, f64)], track: &mut impl FnMut(&[u8])) -> Vec<(SBytes, f64)> {
    let first = srcs[0].0;
    if first.len() == 0 {
        return Vec::new();
    }
    let mut algo_one: i64 = 0;
    let mut algo_two: i64 = 0;
    for (j, (s, _)) in srcs.iter().enumerate() {
        if j > 0 && s.same(&first) {
            return Vec::new();
        }
        algo_one += first.len() as i64;
        algo_two += s.len() as i64;
    }
    algo_one /= 2;
    let mut out = Vec::new();
    if algo_one <= algo_two {
        srcs[1..].sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        first.for_each(|m, s| {
            if srcs[1..].iter().any(|(o, _)| o.same(&first) || o.find(m).is_some()) {
                return;
            }
            track(m);
            out.push((SBytes::new(m), s));
        });
    } else {
        let mut acc: HashMap<SBytes, f64, ahash::RandomState> = HashMap::default();
        first.for_each(|m, s| {
            acc.insert(SBytes::new(m), s);
        });
        for (o, _) in &srcs[1..] {
            if acc.is_empty() {
                break;
            }
            o.for_each(|m, _| {
                acc.remove(m);
            });
        }
        for (m, s) in acc {
            track(&m);
            out.push((m, s));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// ZSCAN
// ---------------------------------------------------------------------------

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
fn zscan(ctx: &mut Ctx) {
    let Some(cursor) = parse_cursor(ctx, 2) else { return };
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match get_read(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(None) => {
            let r = &mut ctx.c.reply;
            r.array_len(2);
            r.bulk(b"0");
            return r.array_len(0);
        }
        Ok(Some(_)) => {}
    }
    let Some(opts) = parse_scan_options(ctx, 3, false) else {
        return;
    };
    let Some(Value::ZSet(z)) = ctx.srv.dbs[db].get(key).map(|o| &o.v) else {
        return;
    };
    let mut items: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let next = z.scan(cursor, opts.count, |m, s| items.push((m.to_vec(), s.to_vec())));
    if let Some(p) = opts.pattern {
        items.retain(|(m, _)| glob_match(p, m, false));
    }
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk(next.to_string().as_bytes());
    r.array_len(items.len() * 2);
    for (m, s) in &items {
        r.bulk(m);
        r.bulk(s);
    }
}
