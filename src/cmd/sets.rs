//! Set commands (Redis 7.2's t_set.c): SADD SREM SCARD SISMEMBER SMISMEMBER
//! SMEMBERS SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION
//! SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
//!
//! SMEMBERS, SINTER, SINTERCARD and SINTERSTORE share `sinter_generic`;
//! SUNION, SDIFF and their STORE forms share `sunion_diff_generic`, which
//! builds the result as Redis does (a new intset-encoded set that converts
//! as members are added), so a stored result gets Redis's encoding and an
//! intset result is returned in ascending order, a listpack one in the
//! order the members were added.
//!
//! Listpack-encoded sets take Redis 7.2's dedicated paths where it has
//! them: SPOP and SRANDMEMBER with a count pick distinct members in one
//! walk and return them in listpack order, and SRANDMEMBER with a negative
//! count picks in batches of 1000.

use super::keyspace::{parse_cursor, parse_scan_options};
use super::{acl, err, ev, flags::*, ks, BeginSearch, Command, Ctx, FindKeys, Group, KeySpec};
use crate::db::Db;
use crate::glob::glob_match;
use crate::object::Value;
use crate::sbytes::SBytes;
use crate::t_set::{Enc, Limits, Member, Set};

const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
const KS_RO_ACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];
const KS_ALL_RO_ACCESS: &[KeySpec] = &[KeySpec::range(1, -1, 1, ks::RO | ks::ACCESS)];
const KS_STORE_OW: &[KeySpec] = &[
    KeySpec::one(1, ks::OW | ks::UPDATE),
    KeySpec::range(2, -1, 1, ks::RO | ks::ACCESS),
];
const STORE_COMPLEXITY: &str = "O(N) where N is the total number of elements in all given sets.";
const INTER_COMPLEXITY: &str =
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";

pub static COMMANDS: &[Command] = &[
    Command::new("sadd", -3, Group::Set, sadd)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::SET)
        .keys(&[KeySpec::one(1, ks::RW | ks::INSERT)])
        .doc("1.0.0", "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", "Add one or more members to a set")
        .args("key member [member ...]")
        .history(&[("2.4.0", "Accepts multiple `member` arguments.")]),
    Command::new("srem", -3, Group::Set, srem)
        .flags(WRITE | FAST)
        .acl(acl::SET)
        .keys(&[KeySpec::one(1, ks::RW | ks::DELETE)])
        .doc("1.0.0", "O(N) where N is the number of members to be removed.", "Remove one or more members from a set")
        .args("key member [member ...]")
        .history(&[("2.4.0", "Accepts multiple `member` arguments.")]),
    Command::new("scard", 2, Group::Set, scard)
        .flags(READONLY | FAST)
        .acl(acl::SET)
        .keys(KS_RO)
        .doc("1.0.0", "O(1)", "Get the number of members in a set")
        .args("key"),
    Command::new("sismember", 3, Group::Set, sismember)
        .flags(READONLY | FAST)
        .acl(acl::SET)
        .keys(KS_RO)
        .doc("1.0.0", "O(1)", "Determine if a given value is a member of a set")
        .args("key member"),
    Command::new("smismember", -3, Group::Set, smismember)
        .flags(READONLY | FAST)
        .acl(acl::SET)
        .keys(KS_RO_ACCESS)
        .doc("6.2.0", "O(N) where N is the number of elements being checked for membership", "Returns the membership associated with the given elements for a set")
        .args("key member [member ...]"),
    Command::new("smembers", 2, Group::Set, smembers)
        .flags(READONLY)
        .acl(acl::SET)
        .keys(KS_RO_ACCESS)
        .doc("1.0.0", "O(N) where N is the set cardinality.", "Get all the members in a set")
        .args("key")
        .tips(&["nondeterministic_output_order"]),
    Command::new("spop", -2, Group::Set, spop)
        .flags(WRITE | FAST)
        .acl(acl::SET)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE)])
        .doc("1.0.0", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", "Remove and return one or multiple random members from a set")
        .args("key [count:integer@3.2.0]")
        .history(&[("3.2.0", "Added the `count` argument.")])
        .tips(&["nondeterministic_output"]),
    Command::new("srandmember", -2, Group::Set, srandmember)
        .flags(READONLY)
        .acl(acl::SET)
        .keys(KS_RO_ACCESS)
        .doc("1.0.0", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", "Get one or multiple random members from a set")
        .args("key [count:integer@2.6.0]")
        .history(&[("2.6.0", "Added the optional `count` argument.")])
        .tips(&["nondeterministic_output"]),
    Command::new("smove", 4, Group::Set, smove)
        .flags(WRITE | FAST)
        .acl(acl::SET)
        .keys(&[
            KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE),
            KeySpec::one(2, ks::RW | ks::INSERT),
        ])
        .doc("1.0.0", "O(1)", "Move a member from one set to another")
        .args("source:key destination:key member"),
    Command::new("sinter", -2, Group::Set, sinter)
        .flags(READONLY)
        .acl(acl::SET)
        .keys(KS_ALL_RO_ACCESS)
        .doc("1.0.0", INTER_COMPLEXITY, "Intersect multiple sets")
        .args("key [key ...]")
        .tips(&["nondeterministic_output_order"]),
    Command::new("sintercard", -3, Group::Set, sintercard)
        .flags(READONLY)
        .acl(acl::SET)
        .keys(&[KeySpec {
            notes: "",
            flags: ks::RO | ks::ACCESS,
            begin: BeginSearch::Index(1),
            find: FindKeys::Keynum {
                keynumidx: 0,
                firstkey: 1,
                step: 1,
            },
        }])
        .doc("7.0.0", INTER_COMPLEXITY, "Intersect multiple sets and return the cardinality of the result")
        .args("numkeys:integer key [key ...] [LIMIT limit:integer]"),
    Command::new("sinterstore", -3, Group::Set, sinterstore)
        .flags(WRITE | DENYOOM)
        .acl(acl::SET)
        .keys(&[
            KeySpec::one(1, ks::RW | ks::UPDATE),
            KeySpec::range(2, -1, 1, ks::RO | ks::ACCESS),
        ])
        .doc("1.0.0", INTER_COMPLEXITY, "Intersect multiple sets and store the resulting set in a key")
        .args("destination:key key [key ...]"),
    Command::new("sunion", -2, Group::Set, sunion)
        .flags(READONLY)
        .acl(acl::SET)
        .keys(KS_ALL_RO_ACCESS)
        .doc("1.0.0", STORE_COMPLEXITY, "Add multiple sets")
        .args("key [key ...]")
        .tips(&["nondeterministic_output_order"]),
    Command::new("sunionstore", -3, Group::Set, sunionstore)
        .flags(WRITE | DENYOOM)
        .acl(acl::SET)
        .keys(KS_STORE_OW)
        .doc("1.0.0", STORE_COMPLEXITY, "Add multiple sets and store the resulting set in a key")
        .args("destination:key key [key ...]"),
    Command::new("sdiff", -2, Group::Set, sdiff)
        .flags(READONLY)
        .acl(acl::SET)
        .keys(KS_ALL_RO_ACCESS)
        .doc("1.0.0", STORE_COMPLEXITY, "Subtract multiple sets")
        .args("key [key ...]")
        .tips(&["nondeterministic_output_order"]),
    Command::new("sdiffstore", -3, Group::Set, sdiffstore)
        .flags(WRITE | DENYOOM)
        .acl(acl::SET)
        .keys(KS_STORE_OW)
        .doc("1.0.0", STORE_COMPLEXITY, "Subtract multiple sets and store the resulting set in a key")
        .args("destination:key key [key ...]"),
    Command::new("sscan", -3, Group::Set, sscan)
        .flags(READONLY)
        .acl(acl::SET)
        .keys(KS_RO_ACCESS)
        .doc("2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..", "Incrementally iterate Set elements")
        .args("key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]")
        .tips(&["nondeterministic_output"]),
];

/// SPOP with a count builds a new set from the members that stay when it
/// returns more than this many times their number (Redis's
/// SPOP_MOVE_STRATEGY_MUL).
const SPOP_MOVE_STRATEGY_MUL: u64 = 5;
/// SRANDMEMBER with a count copies the set and removes members when it asks
/// for more than 1/3 of them (SRANDMEMBER_SUB_STRATEGY_MUL).
const SRANDMEMBER_SUB_STRATEGY_MUL: u64 = 3;
/// SRANDMEMBER with a negative count picks from a listpack this many
/// members at a time (Redis's SRANDFIELD_RANDOM_SAMPLE_LIMIT).
const SRANDMEMBER_LP_BATCH: u64 = 1000;
/// A reply that could grow without bound (SRANDMEMBER with a huge negative
/// count) stops and closes the client once it reaches the normal clients'
/// hard output limit, or this size when there is none (where Redis would
/// run out of memory).
const MAX_UNBOUNDED_REPLY: u64 = 1 << 30;

/// What a lookup found under a key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    Missing,
    Set,
    WrongType,
}

fn found(v: Option<&Value>) -> Found {
    match v {
        None => Found::Missing,
        Some(Value::Set(_)) => Found::Set,
        Some(_) => Found::WrongType,
    }
}

/// The set stored under `key`, for writing (copy-on-write).
fn set_mut<'d>(d: &'d mut Db, key: &[u8]) -> Option<&'d mut Set> {
    match d.get_mut(key).map(|o| &mut o.v) {
        Some(Value::Set(s)) => Some(s),
        _ => None,
    }
}

/// The set stored under `key`, for reading.
fn set_ref<'d>(d: &'d Db, key: &[u8]) -> Option<&'d Set> {
    match d.get(key).map(|o| &o.v) {
        Some(Value::Set(s)) => Some(s),
        _ => None,
    }
}

fn limits(ctx: &Ctx) -> Limits {
    Limits::new(&ctx.srv.cfg)
}

/// Redis's getRangeLongFromObjectOrReply: an integer in `min..=max`, else
/// `msg` (or the generic errors when `msg` is `None`).
fn range_long(ctx: &mut Ctx, i: usize, min: i64, max: i64, msg: Option<&str>) -> Option<i64> {
    match crate::util::string2ll(ctx.argv.get(i)) {
        Some(v) if (min..=max).contains(&v) => Some(v),
        parsed => {
            match (msg, parsed) {
                (Some(m), _) => ctx.error(&format!("ERR {m}")),
                (None, None) => ctx.error(err::NOT_INT),
                (None, Some(_)) => ctx.error(&format!(
                    "ERR value is out of range, value must between {min} and {max}"
                )),
            }
            None
        }
    }
}

/// Redis's getPositiveLongFromObjectOrReply (every failure gets the one
/// message).
fn positive_long(ctx: &mut Ctx, i: usize, msg: &str) -> Option<u64> {
    range_long(ctx, i, 0, i64::MAX, Some(msg)).map(|v| v as u64)
}

/// Deletes a set that became empty and publishes `del` (after the
/// command's own event, as Redis).
fn delete_emptied(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.c.db;
    let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
    ctx.srv.delete_key(db, key, lazy);
    ctx.notify(ev::GENERIC, "del", key);
}

// ---- SADD SREM SCARD SISMEMBER SMISMEMBER SMOVE -----------------------------

/// SADD key member [member ...]
fn sadd(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let lim = limits(ctx);
    // Redis's size hint: as many members as the command names.
    let hint = ctx.argv.len() - 2;
    let missing = match found(ctx.srv.lookup_write(db, key).map(|o| &o.v)) {
        Found::WrongType => return ctx.wrong_type(),
        Found::Missing => true,
        Found::Set => false,
    };
    if missing {
        let set = Set::create(Member::Str(ctx.argv.get(2)), hint, &lim);
        ctx.srv.add_key(db, key, Value::Set(set));
    }
    let Some(set) = set_mut(&mut ctx.srv.dbs[db], key) else {
        return;
    };
    if !missing {
        set.maybe_convert(hint, &lim);
    }
    let mut added = 0u64;
    for i in 2..ctx.argv.len() {
        if set.add(Member::Str(ctx.argv.get(i)), &lim) {
            added += 1;
        }
    }
    if added > 0 {
        ctx.written(key, ev::SET, "sadd");
        ctx.srv.dirty += added - 1;
    }
    ctx.c.reply.int(added as i64);
}

/// SREM key member [member ...]
fn srem(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let set = match ctx.srv.lookup_write(db, key).map(|o| &mut o.v) {
        None => return ctx.c.reply.int(0),
        Some(Value::Set(s)) => s,
        Some(_) => return ctx.wrong_type(),
    };
    let mut deleted = 0u64;
    let mut emptied = false;
    for i in 2..ctx.argv.len() {
        if set.remove(Member::Str(ctx.argv.get(i))) {
            deleted += 1;
            if set.is_empty() {
                emptied = true;
                break;
            }
        }
    }
    if emptied {
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        ctx.srv.delete_key(db, key, lazy);
    }
    if deleted > 0 {
        ctx.written(key, ev::SET, "srem");
        if emptied {
            ctx.notify(ev::GENERIC, "del", key);
        }
        ctx.srv.dirty += deleted - 1;
    }
    ctx.c.reply.int(deleted as i64);
}

/// SCARD key
fn scard(ctx: &mut Ctx) {
    let db = ctx.c.db;
    match ctx.srv.lookup_read(db, ctx.argv.get(1)).map(|o| &o.v) {
        None => ctx.c.reply.int(0),
        Some(Value::Set(s)) => ctx.c.reply.int(s.len() as i64),
        Some(_) => ctx.wrong_type(),
    }
}

/// SISMEMBER key member
fn sismember(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let m = Member::Str(ctx.argv.get(2));
    match ctx.srv.lookup_read(db, ctx.argv.get(1)).map(|o| &o.v) {
        None => ctx.c.reply.int(0),
        Some(Value::Set(s)) => ctx.c.reply.int(i64::from(s.contains(m))),
        Some(_) => ctx.wrong_type(),
    }
}

/// SMISMEMBER key member [member ...]: a missing key is an empty set.
fn smismember(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let set = match ctx.srv.lookup_read(db, ctx.argv.get(1)).map(|o| &o.v) {
        None => None,
        Some(Value::Set(s)) => Some(s),
        Some(_) => return ctx.wrong_type(),
    };
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for i in 2..ctx.argv.len() {
        let m = Member::Str(ctx.argv.get(i));
        r.int(i64::from(set.is_some_and(|s| s.contains(m))));
    }
}

/// SMOVE source destination member
fn smove(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let (src, dst) = (ctx.argv.get(1), ctx.argv.get(2));
    let m = Member::Str(ctx.argv.get(3));
    let lim = limits(ctx);
    let src_found = found(ctx.srv.lookup_write(db, src).map(|o| &o.v));
    let dst_found = found(ctx.srv.lookup_write(db, dst).map(|o| &o.v));
    if src_found == Found::Missing {
        return ctx.c.reply.int(0);
    }
    if src_found == Found::WrongType || dst_found == Found::WrongType {
        return ctx.wrong_type();
    }
    if src == dst {
        let is_member = set_ref(&ctx.srv.dbs[db], src).is_some_and(|s| s.contains(m));
        return ctx.c.reply.int(i64::from(is_member));
    }
    let Some(src_set) = set_mut(&mut ctx.srv.dbs[db], src) else {
        return;
    };
    if !src_set.remove(m) {
        return ctx.c.reply.int(0);
    }
    let emptied = src_set.is_empty();
    ctx.notify(ev::SET, "srem", src);
    if emptied {
        delete_emptied(ctx, src);
    }
    if dst_found == Found::Missing {
        ctx.srv.add_key(db, dst, Value::Set(Set::create(m, 1, &lim)));
    }
    ctx.srv.signal_modified_key(db, src);
    ctx.srv.dirty += 1;
    let added = set_mut(&mut ctx.srv.dbs[db], dst).is_some_and(|s| s.add(m, &lim));
    if added {
        ctx.written(dst, ev::SET, "sadd");
    }
    ctx.c.reply.int(1);
}

// ---- SPOP SRANDMEMBER --------------------------------------------------------

/// SPOP key [count]
fn spop(ctx: &mut Ctx) {
    if ctx.argv.len() == 3 {
        return spop_with_count(ctx);
    }
    if ctx.argv.len() > 3 {
        return ctx.syntax_error();
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match found(ctx.srv.lookup_write(db, key).map(|o| &o.v)) {
        Found::Missing => return ctx.c.reply.null(),
        Found::WrongType => return ctx.wrong_type(),
        Found::Set => {}
    }
    let srv = &mut *ctx.srv;
    let Some(set) = set_mut(&mut srv.dbs[db], key) else {
        return;
    };
    let Some(popped) = set.pop_random(&mut srv.rng) else {
        return;
    };
    let emptied = set.is_empty();
    let mut tmp = [0u8; 20];
    // What was picked at random, so a replay removes the same member.
    ctx.propagate_as(&[&b"SREM"[..], key, popped.as_member().bytes(&mut tmp)]);
    ctx.written(key, ev::SET, "spop");
    popped.as_member().reply(&mut ctx.c.reply);
    if emptied {
        delete_emptied(ctx, key);
    }
}

/// SPOP key count
fn spop_with_count(ctx: &mut Ctx) {
    let Some(count) = positive_long(ctx, 2, "value is out of range, must be positive") else {
        return;
    };
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match found(ctx.srv.lookup_write(db, key).map(|o| &o.v)) {
        Found::Missing => return ctx.c.reply.set_len(0),
        Found::WrongType => return ctx.wrong_type(),
        Found::Set => {}
    }
    if count == 0 {
        return ctx.c.reply.set_len(0);
    }
    let lim = limits(ctx);
    let srv = &mut *ctx.srv;
    let Some(set) = set_mut(&mut srv.dbs[db], key) else {
        return;
    };
    let size = set.len() as u64;
    if count >= size {
        // The whole set, as SUNION of the key would return it.
        let all = union_of(&[set], &lim);
        ctx.notify(ev::SET, "spop", key);
        ctx.srv.dirty += size;
        // SUNION's lookup, for the keyspace hit it counts.
        ctx.srv.lookup_read(db, key);
        reply_members(&mut ctx.c.reply, &all);
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        ctx.srv.delete_key(db, key, lazy);
        ctx.propagate_as(&[&b"DEL"[..], key]);
        ctx.notify(ev::GENERIC, "del", key);
        ctx.srv.signal_modified_key(db, key);
        return;
    }
    let r = &mut ctx.c.reply;
    r.set_len(count as usize);
    let remaining = size - count;
    // One SREM per member popped, as Redis 7.0 propagates them.
    let mut popped: Vec<Vec<u8>> = Vec::with_capacity(count.min(1024) as usize);
    let mut tmp = [0u8; 20];
    if remaining.saturating_mul(SPOP_MOVE_STRATEGY_MUL) > count {
        // Few members asked for: pop them (a listpack in one walk).
        let members = pop_members(set, count as usize, &mut srv.rng);
        for m in &members {
            m.as_member().reply(r);
            popped.push(m.as_member().bytes(&mut tmp).to_vec());
        }
    } else {
        // Most of the set asked for: move the members that stay to a new
        // set (an intset for an intset, else a listpack that converts as
        // it grows, as Redis builds it) and return what is left of the
        // old one.
        let mut kept = match set.enc() {
            Enc::Intset(_) => Set::new(),
            _ => Set::new_listpack(),
        };
        for m in pop_members(set, remaining as usize, &mut srv.rng) {
            kept.add(m.as_member(), &lim);
        }
        reply_iter(r, set);
        popped.extend(set.iter().map(|m| m.bytes(&mut tmp).to_vec()));
        *set = kept;
    }
    for m in &popped {
        ctx.srv
            .also_propagate(db, &[&b"SREM"[..], key, m], crate::propagate::ALL);
    }
    ctx.prevent_propagation();
    ctx.notify(ev::SET, "spop", key);
    ctx.srv.dirty += count;
    ctx.srv.signal_modified_key(db, key);
}

/// Removes `count` random members: a listpack's in one walk (returned in
/// listpack order), the others' one at a time.
fn pop_members(set: &mut Set, count: usize, rng: &mut impl rand::Rng) -> Vec<crate::t_set::Owned> {
    if let Some(members) = set.lp_pop_sample(count, rng) {
        return members;
    }
    (0..count).map_while(|_| set.pop_random(rng)).collect()
}

/// SRANDMEMBER key [count]
fn srandmember(ctx: &mut Ctx) {
    if ctx.argv.len() == 3 {
        return srandmember_with_count(ctx);
    }
    if ctx.argv.len() > 3 {
        return ctx.syntax_error();
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match found(ctx.srv.lookup_read(db, key).map(|o| &o.v)) {
        Found::Missing => return ctx.c.reply.null(),
        Found::WrongType => return ctx.wrong_type(),
        Found::Set => {}
    }
    let srv = &mut *ctx.srv;
    if let Some(m) = set_ref(&srv.dbs[db], key).and_then(|s| s.random(&mut srv.rng)) {
        m.as_member().reply(&mut ctx.c.reply);
    }
}

/// SRANDMEMBER key count: distinct members, or with a negative count
/// `-count` members that may repeat.
fn srandmember_with_count(ctx: &mut Ctx) {
    let Some(l) = range_long(ctx, 2, -i64::MAX, i64::MAX, None) else {
        return;
    };
    let (count, uniq) = (l.unsigned_abs(), l >= 0);
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match found(ctx.srv.lookup_read(db, key).map(|o| &o.v)) {
        Found::Missing => return ctx.c.reply.array_len(0),
        Found::WrongType => return ctx.wrong_type(),
        Found::Set => {}
    }
    if count == 0 {
        return ctx.c.reply.array_len(0);
    }
    let lim = limits(ctx);
    let srv = &mut *ctx.srv;
    let Some(set) = set_ref(&srv.dbs[db], key) else { return };
    let size = set.len() as u64;

    // Repeats allowed (or a single member): independent picks.
    if !uniq || count == 1 {
        ctx.c.reply.array_len(count as usize);
        if set.as_listpack().is_some() && count > 1 {
            // Redis picks from a listpack in batches, walking it once per
            // batch, and checks the output limit between batches.
            let mut left = count;
            while left > 0 {
                let batch = left.min(SRANDMEMBER_LP_BATCH);
                left -= batch;
                for m in set.lp_random_members(batch as usize, &mut srv.rng).unwrap_or_default() {
                    m.reply(&mut ctx.c.reply);
                }
                if reply_over_limit(srv, ctx.c) {
                    break;
                }
            }
            return;
        }
        for i in 0..count {
            if let Some(m) = set.random(&mut srv.rng) {
                m.as_member().reply(&mut ctx.c.reply);
            }
            if i % 1024 == 1023 && reply_over_limit(srv, ctx.c) {
                break;
            }
        }
        return;
    }
    // At least the whole set: all of it.
    if count >= size {
        reply_array(&mut ctx.c.reply, set);
        return;
    }
    // Distinct members of a listpack: picked in one walk, in listpack
    // order, straight to the reply (Redis's case 2.5).
    if let Some(members) = set.lp_sample(count as usize, &mut srv.rng) {
        ctx.c.reply.array_len(members.len());
        for m in members {
            m.reply(&mut ctx.c.reply);
        }
        return;
    }
    // Distinct members: a copy that loses random members when most of the
    // set is asked for, else random members gathered until there are enough.
    // The copy is a hash table whatever the limits say (they never apply
    // to one).
    let mut picked = Set::new_hashtable(count as usize);
    if count.saturating_mul(SRANDMEMBER_SUB_STRATEGY_MUL) > size {
        for m in set.iter() {
            picked.add(m, &lim);
        }
        while picked.len() as u64 > count {
            picked.pop_random(&mut srv.rng);
        }
    } else {
        while (picked.len() as u64) < count {
            if let Some(m) = set.random(&mut srv.rng) {
                picked.add(m.as_member(), &lim);
            }
        }
    }
    reply_array(&mut ctx.c.reply, &picked);
}

/// True (after dropping the reply and marking the client to be closed)
/// when a reply whose size the client chose went past the limit.
fn reply_over_limit(srv: &crate::server::Server, c: &mut crate::client::ClientState) -> bool {
    let hard = srv.cfg.client_output_buffer_limit[0].hard;
    let limit = if hard > 0 { hard } else { MAX_UNBOUNDED_REPLY };
    if (c.reply.buf.len() as u64) < limit {
        return false;
    }
    log::warn!(
        "Client id={} scheduled to be closed ASAP for overcoming of output buffer limits.",
        c.id
    );
    c.reply.buf = Vec::new();
    c.close_asap = true;
    true
}

// ---- replies -----------------------------------------------------------------

fn reply_iter(r: &mut crate::reply::ReplyBuf, set: &Set) {
    for m in set.iter() {
        m.reply(r);
    }
}

/// The members as a set reply (`~` in RESP3).
fn reply_members(r: &mut crate::reply::ReplyBuf, set: &Set) {
    r.set_len(set.len());
    reply_iter(r, set);
}

/// The members as an array reply (SRANDMEMBER).
fn reply_array(r: &mut crate::reply::ReplyBuf, set: &Set) {
    r.array_len(set.len());
    reply_iter(r, set);
}

// ---- SINTER SMEMBERS SINTERCARD SINTERSTORE ----------------------------------

/// SMEMBERS key (Redis 7.0 serves it with SINTER's code).
fn smembers(ctx: &mut Ctx) {
    sinter_generic(ctx, 1, ctx.argv.len(), None, Inter::Members, 0);
}

/// SINTER key [key ...]
fn sinter(ctx: &mut Ctx) {
    sinter_generic(ctx, 1, ctx.argv.len(), None, Inter::Members, 0);
}

/// SINTERSTORE destination key [key ...]
fn sinterstore(ctx: &mut Ctx) {
    let dst = ctx.argv.get(1);
    sinter_generic(ctx, 2, ctx.argv.len(), Some(dst), Inter::Store, 0);
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
fn sintercard(ctx: &mut Ctx) {
    const NUMKEYS: &str = "numkeys should be greater than 0";
    let Some(numkeys) = range_long(ctx, 1, 1, i64::MAX, Some(NUMKEYS)) else {
        return;
    };
    let numkeys = numkeys as u64;
    if numkeys > (ctx.argv.len() - 2) as u64 {
        return ctx.error("ERR Number of keys can't be greater than number of args");
    }
    let end = 2 + numkeys as usize;
    let mut limit = 0;
    let mut j = end;
    while j < ctx.argv.len() {
        let more = ctx.argv.len() - 1 - j;
        if ctx.argv.get(j).eq_ignore_ascii_case(b"LIMIT") && more > 0 {
            j += 1;
            let Some(l) = positive_long(ctx, j, "LIMIT can't be negative") else {
                return;
            };
            limit = l;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    sinter_generic(ctx, 2, end, None, Inter::Card, limit);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Inter {
    /// Reply with the members (SINTER, SMEMBERS).
    Members,
    /// Reply with their number, up to a limit (SINTERCARD).
    Card,
    /// Store them (SINTERSTORE).
    Store,
}

/// Redis's sinterGenericCommand over the keys `argv[first..end]`.
fn sinter_generic(ctx: &mut Ctx, first: usize, end: usize, dst: Option<&[u8]>, mode: Inter, limit: u64) {
    let db = ctx.c.db;
    let mut empty = false;
    for i in first..end {
        match found(ctx.srv.lookup_read(db, ctx.argv.get(i)).map(|o| &o.v)) {
            Found::Missing => empty = true,
            Found::WrongType => return ctx.wrong_type(),
            Found::Set => {}
        }
    }
    if empty {
        return match (mode, dst) {
            (Inter::Store, Some(dst)) => {
                let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
                if ctx.srv.delete_key(db, dst, lazy) {
                    ctx.written(dst, ev::GENERIC, "del");
                }
                ctx.c.reply.int(0)
            }
            (Inter::Card, _) => ctx.c.reply.int(0),
            _ => ctx.c.reply.set_len(0),
        };
    }
    let lim = limits(ctx);
    let d = &ctx.srv.dbs[db];
    let mut sets: Vec<&Set> = (first..end).filter_map(|i| set_ref(d, ctx.argv.get(i))).collect();
    // Smallest first (a stable sort, as glibc's qsort is in practice).
    sets.sort_by_key(|s| s.len());
    let r = &mut ctx.c.reply;
    if mode == Inter::Members && sets.iter().all(|s| std::ptr::eq(*s, sets[0])) {
        // SMEMBERS (or one key named N times): the length is known.
        return reply_members(r, sets[0]);
    }
    let pos = r.defer_len();
    // A stored result starts as an intset when the smallest set is one (its
    // members come in ascending order, cheap to insert), else as a
    // listpack (cheap to append to); it converts as it grows, and becomes
    // an intset at the end if every member turned out to be an integer.
    let mut stored = (mode == Inter::Store).then(|| match sets[0].enc() {
        Enc::Intset(_) => Set::new(),
        _ => Set::new_listpack(),
    });
    let mut only_integers = true;
    let mut cardinality = 0u64;
    for m in sets[0].iter() {
        let in_all = sets[1..].iter().all(|s| std::ptr::eq(*s, sets[0]) || s.contains(m));
        if !in_all {
            continue;
        }
        match mode {
            Inter::Card => {
                cardinality += 1;
                if limit > 0 && cardinality >= limit {
                    break;
                }
            }
            Inter::Members => {
                m.reply(r);
                cardinality += 1;
            }
            Inter::Store => {
                if let Some(st) = stored.as_mut() {
                    only_integers = only_integers && m.as_int().is_some();
                    st.add(m, &lim);
                }
            }
        }
    }
    match (mode, dst) {
        (Inter::Members, _) => r.set_deferred(pos, b'~', cardinality as usize),
        (Inter::Card, _) => r.int(cardinality as i64),
        (Inter::Store, Some(dst)) => {
            let mut result = stored.unwrap_or_default();
            if only_integers {
                result.maybe_convert_to_intset(&lim);
            }
            store_result(ctx, dst, result, "sinterstore")
        }
        (Inter::Store, None) => {}
    }
}

/// Stores a *STORE result: replaces the destination (dropping its TTL) or,
/// for an empty result, deletes it.
fn store_result(ctx: &mut Ctx, dst: &[u8], result: Set, event: &str) {
    let db = ctx.c.db;
    let n = result.len();
    if n > 0 {
        ctx.srv.set_key(db, dst, Value::Set(result), false);
        ctx.c.reply.int(n as i64);
        ctx.written(dst, ev::SET, event);
    } else {
        ctx.c.reply.int(0);
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        if ctx.srv.delete_key(db, dst, lazy) {
            ctx.written(dst, ev::GENERIC, "del");
        }
    }
}

// ---- SUNION SDIFF and their STORE forms --------------------------------------

/// The union of `sets`, built as Redis builds it: a new intset-encoded set
/// the members are added to.
fn union_of(sets: &[&Set], lim: &Limits) -> Set {
    let mut out = Set::new();
    for s in sets {
        for m in s.iter() {
            out.add(m, lim);
        }
    }
    out
}

/// SUNION key [key ...]
fn sunion(ctx: &mut Ctx) {
    sunion_diff_generic(ctx, 1, None, false);
}

/// SUNIONSTORE destination key [key ...]
fn sunionstore(ctx: &mut Ctx) {
    let dst = ctx.argv.get(1);
    sunion_diff_generic(ctx, 2, Some(dst), false);
}

/// SDIFF key [key ...]
fn sdiff(ctx: &mut Ctx) {
    sunion_diff_generic(ctx, 1, None, true);
}

/// SDIFFSTORE destination key [key ...]
fn sdiffstore(ctx: &mut Ctx) {
    let dst = ctx.argv.get(1);
    sunion_diff_generic(ctx, 2, Some(dst), true);
}

/// Redis's sunionDiffGenericCommand over the keys `argv[first..]`; missing
/// keys are empty sets.
fn sunion_diff_generic(ctx: &mut Ctx, first: usize, dst: Option<&[u8]>, diff: bool) {
    let db = ctx.c.db;
    let end = ctx.argv.len();
    for i in first..end {
        if found(ctx.srv.lookup_read(db, ctx.argv.get(i)).map(|o| &o.v)) == Found::WrongType {
            return ctx.wrong_type();
        }
    }
    let lim = limits(ctx);
    let d = &ctx.srv.dbs[db];
    let mut sets: Vec<Option<&Set>> = (first..end).map(|i| set_ref(d, ctx.argv.get(i))).collect();
    let result = if !diff {
        union_of(&sets.iter().flatten().copied().collect::<Vec<_>>(), &lim)
    } else {
        let mut out = Set::new();
        if let Some(s0) = sets[0] {
            // A key named again after the first: the difference is empty.
            let sameset = sets[1..].iter().flatten().any(|s| std::ptr::eq(*s, s0));
            if !sameset {
                diff_into(&mut out, s0, &mut sets, &lim);
            }
        }
        out
    };
    match dst {
        None => reply_members(&mut ctx.c.reply, &result),
        Some(dst) => store_result(ctx, dst, result, if diff { "sdiffstore" } else { "sunionstore" }),
    }
}

/// SDIFF with Redis's choice of algorithm (which decides, for a stored
/// result, the encoding): members of the first set checked against the
/// others, or the first set copied and the others' members removed.
fn diff_into(out: &mut Set, s0: &Set, sets: &mut [Option<&Set>], lim: &Limits) {
    let present = sets.iter().flatten();
    let algo_one = (present.clone().count() as u64 * s0.len() as u64) / 2;
    let algo_two: u64 = present.map(|s| s.len() as u64).sum();
    if algo_one <= algo_two {
        // Biggest first: members are more likely to be found early.
        sets[1..].sort_by_key(|s| std::cmp::Reverse(s.map_or(0, |s| s.len())));
        for m in s0.iter() {
            if !sets[1..].iter().flatten().any(|s| s.contains(m)) {
                out.add(m, lim);
            }
        }
    } else {
        for m in s0.iter() {
            out.add(m, lim);
        }
        for s in sets[1..].iter().flatten() {
            if out.is_empty() {
                break;
            }
            for m in s.iter() {
                out.remove(m);
            }
        }
    }
}

// ---- SSCAN -------------------------------------------------------------------

/// SSCAN key cursor [MATCH pattern] [COUNT count]: an intset or a listpack
/// is returned whole with cursor 0, as Redis does.
fn sscan(ctx: &mut Ctx) {
    let Some(mut cursor) = parse_cursor(ctx, 2) else { return };
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match found(ctx.srv.lookup_read(db, key).map(|o| &o.v)) {
        Found::Missing => {
            let r = &mut ctx.c.reply;
            r.array_len(2);
            r.bulk(b"0");
            return r.array_len(0);
        }
        Found::WrongType => return ctx.wrong_type(),
        Found::Set => {}
    }
    let Some(opts) = parse_scan_options(ctx, 3, false) else {
        return;
    };
    let Some(set) = set_ref(&ctx.srv.dbs[db], key) else {
        return;
    };
    let matches = |b: &[u8]| opts.pattern.is_none_or(|p| glob_match(p, b, false));
    let mut found: Vec<SBytes> = Vec::new();
    let mut tmp = [0u8; 20];
    if let Enc::Intset(_) | Enc::Listpack(_) = set.enc() {
        for m in set.iter() {
            let b = m.bytes(&mut tmp);
            if matches(b) {
                found.push(SBytes::new(b));
            }
        }
        cursor = 0;
    } else {
        // Redis's loop: one bucket, then up to 10*COUNT more while fewer
        // than COUNT members were seen (MATCH filters them afterwards).
        let mut iterations = opts.count.saturating_mul(10);
        let mut seen = 0usize;
        loop {
            cursor = set
                .scan_hashtable(cursor, |k| {
                    seen += 1;
                    if matches(k) {
                        found.push(k.clone());
                    }
                })
                .unwrap_or(0);
            if cursor == 0 || iterations == 0 || seen >= opts.count {
                break;
            }
            iterations -= 1;
        }
    }
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk(cursor.to_string().as_bytes());
    r.array_len(found.len());
    for m in &found {
        r.bulk(m);
    }
}
