//! Generic keyspace commands (Redis's db.c and expire.c commands): DEL
//! UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN TOUCH OBJECT RANDOMKEY
//! DBSIZE SWAPDB MOVE COPY FLUSHDB FLUSHALL and the EXPIRE/TTL family.

use super::{acl, err, ev, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::db::Lookup;
use crate::glob::glob_match;
use crate::object::Type;
use crate::sbytes::SBytes;

const KS_RO_NOACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
const KS_RO_ACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];
const KS_OBJECT: &[KeySpec] = &[KeySpec::one(2, ks::RO)];
const KS_RW_UPDATE: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::UPDATE)];
const KS_ALL_RM: &[KeySpec] = &[KeySpec::range(1, -1, 1, ks::RM | ks::DELETE)];
const KS_ALL_RO: &[KeySpec] = &[KeySpec::range(1, -1, 1, ks::RO)];
const KS_SRC_DST: &[KeySpec] = &[
    KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE),
    KeySpec::one(2, ks::OW | ks::INSERT),
];

pub static COMMANDS: &[Command] = &[
    Command::new("del", -2, Group::Generic, del)
        .flags(WRITE)
        .acl(acl::KEYSPACE)
        .keys(KS_ALL_RM)
        .doc("1.0.0", "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).", "Delete a key")
        .args("key [key ...]")
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"]),
    Command::new("unlink", -2, Group::Generic, unlink)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_ALL_RM)
        .doc("4.0.0", "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.", "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.")
        .args("key [key ...]")
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"]),
    Command::new("exists", -2, Group::Generic, exists)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_ALL_RO)
        .doc("1.0.0", "O(N) where N is the number of keys to check.", "Determine if a key exists")
        .args("key [key ...]")
        .history(&[("3.0.3", "Accepts multiple `key` arguments.")])
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"]),
    Command::new("type", 2, Group::Generic, type_cmd)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RO_NOACCESS)
        .doc("1.0.0", "O(1)", "Determine the type stored at key")
        .args("key"),
    Command::new("rename", 3, Group::Generic, rename)
        .flags(WRITE)
        .acl(acl::KEYSPACE)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE), KeySpec::one(2, ks::OW | ks::UPDATE)])
        .doc("1.0.0", "O(1)", "Rename a key")
        .args("key newkey:key"),
    Command::new("renamenx", 3, Group::Generic, renamenx)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_SRC_DST)
        .doc("1.0.0", "O(1)", "Rename a key, only if the new key does not exist")
        .args("key newkey:key")
        .history(&[("3.2.0", "The command no longer returns an error when source and destination names are the same.")]),
    Command::new("keys", 2, Group::Generic, keys)
        .flags(READONLY)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .doc("1.0.0", "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.", "Find all keys matching the given pattern")
        .args("pattern:pattern")
        .tips(&["request_policy:all_shards", "nondeterministic_output_order"]),
    Command::new("scan", -2, Group::Generic, scan)
        .flags(READONLY)
        .acl(acl::KEYSPACE)
        .doc("2.8.0", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.", "Incrementally iterate the keys space")
        .args("cursor:integer [MATCH pattern:pattern] [COUNT count:integer] [TYPE type:string]@6.0.0")
        .history(&[("6.0.0", "Added the `TYPE` subcommand.")])
        .tips(&["nondeterministic_output", "request_policy:special"]),
    Command::new("touch", -2, Group::Generic, touch)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_ALL_RO)
        .doc("3.2.1", "O(N) where N is the number of keys that will be touched.", "Alters the last access time of a key(s). Returns the number of existing keys specified.")
        .args("key [key ...]")
        .tips(&["request_policy:multi_shard", "response_policy:agg_sum"]),
    Command::container("object", Group::Generic, OBJECT_SUBCOMMANDS)
        .doc("2.2.3", "Depends on subcommand.", "A container for object introspection commands"),
    Command::new("randomkey", 1, Group::Generic, randomkey)
        .flags(READONLY)
        .acl(acl::KEYSPACE)
        .doc("1.0.0", "O(1)", "Return a random key from the keyspace")
        .tips(&["request_policy:all_shards", "nondeterministic_output"]),
    Command::new("dbsize", 1, Group::Server, dbsize)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .doc("1.0.0", "O(1)", "Return the number of keys in the selected database")
        .tips(&["request_policy:all_shards", "response_policy:agg_sum"]),
    Command::new("swapdb", 3, Group::Server, swapdb)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .doc("4.0.0", "O(N) where N is the count of clients watching or blocking on keys from both databases.", "Swaps two Redis databases")
        .args("index1:integer index2:integer"),
    Command::new("move", 3, Group::Generic, move_cmd)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE)])
        .doc("1.0.0", "O(1)", "Move a key to another database")
        .args("key db:integer"),
    Command::new("copy", -3, Group::Generic, copy)
        .flags(WRITE | DENYOOM)
        .acl(acl::KEYSPACE)
        .keys(&[KeySpec::one(1, ks::RO | ks::ACCESS), KeySpec::one(2, ks::OW | ks::UPDATE)])
        .doc("6.2.0", "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.", "Copy a key")
        .args("source:key destination:key [DB destination-db:integer] [REPLACE]"),
    Command::new("flushdb", -1, Group::Server, flushdb)
        .flags(WRITE)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .doc("1.0.0", "O(N) where N is the number of keys in the selected database", "Remove all keys from the current database")
        .args("async=[ASYNC@4.0.0 | SYNC@6.2.0]")
        .history(&[("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")])
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
    Command::new("flushall", -1, Group::Server, flushall)
        .flags(WRITE)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .doc("1.0.0", "O(N) where N is the total number of keys in all databases", "Remove all keys from all databases")
        .args("async=[ASYNC@4.0.0 | SYNC@6.2.0]")
        .history(&[("4.0.0", "Added the `ASYNC` flushing mode modifier."), ("6.2.0", "Added the `SYNC` flushing mode modifier.")])
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
    Command::new("expire", -3, Group::Generic, expire)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RW_UPDATE)
        .doc("1.0.0", "O(1)", "Set a key's time to live in seconds")
        .args("key seconds:integer condition=[NX | XX | GT | LT]@7.0.0")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    Command::new("pexpire", -3, Group::Generic, pexpire)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RW_UPDATE)
        .doc("2.6.0", "O(1)", "Set a key's time to live in milliseconds")
        .args("key milliseconds:integer condition=[NX | XX | GT | LT]@7.0.0")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    Command::new("expireat", -3, Group::Generic, expireat)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RW_UPDATE)
        .doc("1.2.0", "O(1)", "Set the expiration for a key as a UNIX timestamp")
        .args("key unix-time-seconds:unix-time condition=[NX | XX | GT | LT]@7.0.0")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    Command::new("pexpireat", -3, Group::Generic, pexpireat)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RW_UPDATE)
        .doc("2.6.0", "O(1)", "Set the expiration for a key as a UNIX timestamp specified in milliseconds")
        .args("key unix-time-milliseconds:unix-time condition=[NX | XX | GT | LT]@7.0.0")
        .history(&[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")]),
    Command::new("ttl", 2, Group::Generic, ttl)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RO_ACCESS)
        .doc("1.0.0", "O(1)", "Get the time to live for a key in seconds")
        .args("key")
        .history(&[("2.8.0", "Added the -2 reply.")])
        .tips(&["nondeterministic_output"]),
    Command::new("pttl", 2, Group::Generic, pttl)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RO_ACCESS)
        .doc("2.6.0", "O(1)", "Get the time to live for a key in milliseconds")
        .args("key")
        .history(&[("2.8.0", "Added the -2 reply.")])
        .tips(&["nondeterministic_output"]),
    Command::new("expiretime", 2, Group::Generic, expiretime)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RO_ACCESS)
        .doc("7.0.0", "O(1)", "Get the expiration Unix timestamp for a key")
        .args("key"),
    Command::new("pexpiretime", 2, Group::Generic, pexpiretime)
        .flags(READONLY | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RO_ACCESS)
        .doc("7.0.0", "O(1)", "Get the expiration Unix timestamp for a key in milliseconds")
        .args("key"),
    Command::new("persist", 2, Group::Generic, persist)
        .flags(WRITE | FAST)
        .acl(acl::KEYSPACE)
        .keys(KS_RW_UPDATE)
        .doc("2.2.0", "O(1)", "Remove the expiration from a key")
        .args("key"),
];

static OBJECT_SUBCOMMANDS: &[Command] = &[
    Command::new("encoding", 3, Group::Generic, object_encoding)
        .flags(READONLY)
        .acl(acl::KEYSPACE)
        .keys(KS_OBJECT)
        .doc("2.2.3", "O(1)", "Inspect the internal encoding of a Redis object")
        .args("key")
        .tips(&["nondeterministic_output"]),
    Command::new("freq", 3, Group::Generic, object_freq)
        .flags(READONLY)
        .acl(acl::KEYSPACE)
        .keys(KS_OBJECT)
        .doc(
            "4.0.0",
            "O(1)",
            "Get the logarithmic access frequency counter of a Redis object",
        )
        .args("key")
        .tips(&["nondeterministic_output"]),
    Command::new("idletime", 3, Group::Generic, object_idletime)
        .flags(READONLY)
        .acl(acl::KEYSPACE)
        .keys(KS_OBJECT)
        .doc("2.2.3", "O(1)", "Get the time since a Redis object was last accessed")
        .args("key")
        .tips(&["nondeterministic_output"]),
    Command::new("refcount", 3, Group::Generic, object_refcount)
        .flags(READONLY)
        .acl(acl::KEYSPACE)
        .keys(KS_OBJECT)
        .doc("2.2.3", "O(1)", "Get the number of references to the value of the key")
        .args("key")
        .tips(&["nondeterministic_output"]),
    Command::new("help", 2, Group::Generic, object_help)
        .flags(LOADING | STALE)
        .acl(acl::KEYSPACE)
        .doc("6.2.0", "O(1)", "Show helpful text about the different subcommands"),
];

/// EXISTS/TYPE/TTL style lookups: no LRU update, but hits/misses count.
const NOTOUCH_STATS: Lookup = Lookup::NOTOUCH_STATS;
/// OBJECT's lookup: like NOTOUCH_STATS, without a keymiss event.
const OBJECT_LOOKUP: Lookup = Lookup {
    no_notify: true,
    ..Lookup::NOTOUCH_STATS
};

/// DEL key [key ...]
fn del(ctx: &mut Ctx) {
    let lazy = ctx.srv.cfg.lazyfree_lazy_user_del;
    del_generic(ctx, lazy);
}

/// UNLINK key [key ...]: like DEL, freeing big values on the pool.
fn unlink(ctx: &mut Ctx) {
    del_generic(ctx, true);
}

fn del_generic(ctx: &mut Ctx, lazy: bool) {
    let db = ctx.c.db;
    let mut n = 0;
    for i in 1..ctx.argv.len() {
        let key = ctx.argv.get(i);
        ctx.srv.expire_if_needed(db, key);
        if ctx.srv.delete_key(db, key, lazy) {
            ctx.written(key, ev::GENERIC, "del");
            n += 1;
        }
    }
    ctx.c.reply.int(n);
}

/// EXISTS key [key ...]: a key named twice counts twice.
fn exists(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let mut n = 0;
    for i in 1..ctx.argv.len() {
        if ctx.srv.lookup(db, ctx.argv.get(i), NOTOUCH_STATS).is_some() {
            n += 1;
        }
    }
    ctx.c.reply.int(n);
}

/// TYPE key
fn type_cmd(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let name = match ctx.srv.lookup(db, ctx.argv.get(1), NOTOUCH_STATS) {
        None => "none",
        Some(o) => o.v.type_of().name(),
    };
    ctx.c.reply.status(name.as_bytes());
}

/// RENAME key newkey
fn rename(ctx: &mut Ctx) {
    rename_generic(ctx, false);
}

/// RENAMENX key newkey
fn renamenx(ctx: &mut Ctx) {
    rename_generic(ctx, true);
}

fn rename_generic(ctx: &mut Ctx, nx: bool) {
    let db = ctx.c.db;
    let (src, dst) = (ctx.argv.get(1), ctx.argv.get(2));
    if ctx.srv.lookup_write(db, src).is_none() {
        return ctx.error(err::NO_SUCH_KEY);
    }
    if src == dst {
        return if nx { ctx.c.reply.int(0) } else { ctx.c.reply.ok() };
    }
    let dst_exists = ctx.srv.lookup_write(db, dst).is_some();
    if nx && dst_exists {
        return ctx.c.reply.int(0);
    }
    if dst_exists {
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        ctx.srv.delete_key(db, dst, lazy);
    }
    ctx.srv.move_key(db, src, db, dst);
    ctx.srv.signal_modified_key(db, src);
    ctx.srv.signal_modified_key(db, dst);
    ctx.notify(ev::GENERIC, "rename_from", src);
    ctx.notify(ev::GENERIC, "rename_to", dst);
    ctx.srv.dirty += 1;
    if nx {
        ctx.c.reply.int(1)
    } else {
        ctx.c.reply.ok()
    }
}

/// KEYS pattern: expired keys are skipped (not deleted), as in Redis.
fn keys(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let pattern = ctx.argv.get(1);
    let all = pattern == b"*";
    let now = ctx.srv.cmd_time_ms;
    let d = &ctx.srv.dbs[db];
    let r = &mut ctx.c.reply;
    let pos = r.defer_len();
    let mut n = 0;
    for (k, o) in d.dict().iter() {
        if (all || glob_match(pattern, k, false)) && !(o.has_expire && d.is_expired_at(k, now)) {
            r.bulk(k);
            n += 1;
        }
    }
    r.set_deferred(pos, b'*', n);
}

/// Parses a SCAN cursor as Redis does, with strtoul's rules: an optional
/// sign (a negative value wraps around), decimal digits, nothing after them;
/// an empty string is cursor 0; a leading space or overflow is an error.
pub fn parse_cursor(ctx: &mut Ctx, i: usize) -> Option<u64> {
    let v = strtoul_cursor(ctx.argv.get(i));
    if v.is_none() {
        ctx.error("ERR invalid cursor");
    }
    v
}

fn strtoul_cursor(a: &[u8]) -> Option<u64> {
    if a.is_empty() {
        return Some(0);
    }
    let (neg, digits) = match a[0] {
        b'-' => (true, &a[1..]),
        b'+' => (false, &a[1..]),
        _ => (false, a),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Options shared by SCAN, HSCAN, SSCAN and ZSCAN.
pub struct ScanOptions<'a> {
    pub pattern: Option<&'a [u8]>,
    pub count: usize,
    pub type_filter: Option<&'a [u8]>,
}

/// Parses `[MATCH pattern] [COUNT count] [TYPE type]` from argument `start`
/// (TYPE only when `allow_type`), replying with Redis's errors.
pub fn parse_scan_options<'a>(ctx: &mut Ctx<'a>, start: usize, allow_type: bool) -> Option<ScanOptions<'a>> {
    let mut o = ScanOptions {
        pattern: None,
        count: 10,
        type_filter: None,
    };
    let mut j = start;
    while j < ctx.argv.len() {
        let a = ctx.argv.get(j);
        if j + 1 >= ctx.argv.len() {
            ctx.syntax_error();
            return None;
        }
        if a.eq_ignore_ascii_case(b"COUNT") {
            let c = ctx.int_arg(j + 1)?;
            if c < 1 {
                ctx.syntax_error();
                return None;
            }
            o.count = c as usize;
        } else if a.eq_ignore_ascii_case(b"MATCH") {
            let p = ctx.argv.get(j + 1);
            o.pattern = if p == b"*" { None } else { Some(p) };
        } else if allow_type && a.eq_ignore_ascii_case(b"TYPE") {
            o.type_filter = Some(ctx.argv.get(j + 1));
        } else {
            ctx.syntax_error();
            return None;
        }
        j += 2;
    }
    Some(o)
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
fn scan(ctx: &mut Ctx) {
    let Some(mut cursor) = parse_cursor(ctx, 1) else { return };
    let Some(opts) = parse_scan_options(ctx, 2, true) else {
        return;
    };
    let db = ctx.c.db;
    let want_type = opts.type_filter.map(Type::from_name);
    // As Redis: COUNT bounds the keys collected before MATCH and TYPE
    // filter them, so a selective pattern may return fewer (or none).
    let mut found: Vec<SBytes> = Vec::new();
    let mut collected = 0;
    let mut iterations = opts.count * 10;
    let d = &ctx.srv.dbs[db];
    loop {
        cursor = d.dict().scan(cursor, |k, o| {
            collected += 1;
            let type_ok = match want_type {
                None => true,
                Some(Some(t)) => o.v.type_of() == t,
                Some(None) => false, // an unknown type name matches nothing
            };
            if type_ok && opts.pattern.is_none_or(|p| glob_match(p, k, false)) {
                found.push(k.clone());
            }
        });
        iterations -= 1;
        if cursor == 0 || iterations == 0 || collected >= opts.count {
            break;
        }
    }
    // Expired keys are deleted rather than returned.
    found.retain(|k| !ctx.srv.expire_if_needed(db, k));
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk(cursor.to_string().as_bytes());
    r.array_len(found.len());
    for k in &found {
        r.bulk(k);
    }
}

/// TOUCH key [key ...]
fn touch(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let mut n = 0;
    for i in 1..ctx.argv.len() {
        if ctx.srv.lookup_read(db, ctx.argv.get(i)).is_some() {
            n += 1;
        }
    }
    ctx.c.reply.int(n);
}

/// Looks up the key of an OBJECT subcommand; replies nil when missing.
fn object_lookup<'a>(ctx: &'a mut Ctx) -> Option<&'a crate::object::Obj> {
    let db = ctx.c.db;
    let key = ctx.argv.get(2);
    if ctx.srv.lookup(db, key, OBJECT_LOOKUP).is_none() {
        ctx.c.reply.null();
        return None;
    }
    ctx.srv.dbs[db].get(key)
}

/// OBJECT ENCODING key
fn object_encoding(ctx: &mut Ctx) {
    let Some(o) = object_lookup(ctx) else { return };
    let enc = o.v.encoding();
    ctx.c.reply.bulk(enc.as_bytes());
}

/// OBJECT REFCOUNT key
fn object_refcount(ctx: &mut Ctx) {
    let policy = ctx.srv.policy();
    let Some(o) = object_lookup(ctx) else { return };
    let rc = o.v.refcount(policy);
    ctx.c.reply.int(rc);
}

/// OBJECT IDLETIME key
fn object_idletime(ctx: &mut Ctx) {
    let lfu = ctx.srv.policy().is_lfu();
    let clock = ctx.srv.lru_clock;
    let Some(o) = object_lookup(ctx) else { return };
    let lru = o.lru;
    if lfu {
        return ctx.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    ctx.c.reply.int((crate::evict::lru_idle_ms(lru, clock) / 1000) as i64);
}

/// OBJECT FREQ key
fn object_freq(ctx: &mut Ctx) {
    let lfu = ctx.srv.policy().is_lfu();
    let decay = ctx.srv.cfg.lfu_decay_time;
    let Some(o) = object_lookup(ctx) else { return };
    let lru = o.lru;
    if !lfu {
        return ctx.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    let now = crate::server::mstime();
    ctx.c.reply.int(crate::evict::lfu_decayed(lru, decay, now) as i64);
}

fn object_help(ctx: &mut Ctx) {
    ctx.help(&[
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    ]);
}

/// RANDOMKEY: expired keys met on the way are deleted.
fn randomkey(ctx: &mut Ctx) {
    let db = ctx.c.db;
    loop {
        let picked = {
            let srv = &mut *ctx.srv;
            srv.dbs[db].dict().random_entry(&mut srv.rng).map(|(k, _)| k.clone())
        };
        let Some(k) = picked else {
            return ctx.c.reply.null();
        };
        if ctx.srv.expire_if_needed(db, &k) {
            continue;
        }
        return ctx.c.reply.bulk(&k);
    }
}

/// DBSIZE
fn dbsize(ctx: &mut Ctx) {
    let n = ctx.srv.dbs[ctx.c.db].len();
    ctx.c.reply.int(n as i64);
}

/// Parses a db index argument: "invalid first DB index" style errors for
/// non-integers (`what` names it), Redis's out-of-range error otherwise.
fn db_index_arg(ctx: &mut Ctx, i: usize, not_int_msg: &str) -> Option<usize> {
    let Some(v) = crate::util::string2ll(ctx.argv.get(i)).filter(|v| i32::try_from(*v).is_ok()) else {
        ctx.error(not_int_msg);
        return None;
    };
    if v < 0 || v as usize >= ctx.srv.dbs.len() {
        ctx.error(err::DB_INDEX);
        return None;
    }
    Some(v as usize)
}

/// A db index argument parsed as SELECT does.
fn db_index(ctx: &mut Ctx, i: usize) -> Option<usize> {
    let v = ctx.i32_arg(i)?;
    if v < 0 || v as usize >= ctx.srv.dbs.len() {
        ctx.error(err::DB_INDEX);
        return None;
    }
    Some(v as usize)
}

/// SWAPDB index1 index2
fn swapdb(ctx: &mut Ctx) {
    let Some(a) = db_index_arg(ctx, 1, "ERR invalid first DB index") else {
        return;
    };
    let Some(b) = db_index_arg(ctx, 2, "ERR invalid second DB index") else {
        return;
    };
    if a != b {
        ctx.srv.touch_all_watched_keys_in_db(a, Some(b));
        ctx.srv.touch_all_watched_keys_in_db(b, Some(a));
        ctx.srv.dbs.swap(a, b);
        ctx.srv.dbs[a].id = a;
        ctx.srv.dbs[b].id = b;
        ctx.srv.scan_db_for_ready_keys(a);
        ctx.srv.scan_db_for_ready_keys(b);
        ctx.srv.dirty += 1;
    }
    ctx.c.reply.ok();
}

/// MOVE key db
fn move_cmd(ctx: &mut Ctx) {
    let Some(dst) = db_index(ctx, 2) else { return };
    let src = ctx.c.db;
    if src == dst {
        return ctx.error("ERR source and destination objects are the same");
    }
    let key = ctx.argv.get(1);
    if ctx.srv.lookup_write(src, key).is_none() || ctx.srv.lookup_write(dst, key).is_some() {
        return ctx.c.reply.int(0);
    }
    ctx.srv.move_key(src, key, dst, key);
    ctx.srv.signal_modified_key(src, key);
    ctx.srv.signal_modified_key(dst, key);
    ctx.srv.notify_keyspace_event(ev::GENERIC, "move_from", key, src);
    ctx.srv.notify_keyspace_event(ev::GENERIC, "move_to", key, dst);
    ctx.srv.dirty += 1;
    ctx.c.reply.int(1);
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(ctx: &mut Ctx) {
    let src_db = ctx.c.db;
    let mut dst_db = src_db;
    let mut replace = false;
    let mut j = 3;
    while j < ctx.argv.len() {
        let a = ctx.argv.get(j);
        if a.eq_ignore_ascii_case(b"REPLACE") {
            replace = true;
        } else if a.eq_ignore_ascii_case(b"DB") && j + 1 < ctx.argv.len() {
            let Some(d) = db_index(ctx, j + 1) else { return };
            dst_db = d;
            j += 1;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    let (src, dst) = (ctx.argv.get(1), ctx.argv.get(2));
    if src_db == dst_db && src == dst {
        return ctx.error("ERR source and destination objects are the same");
    }
    let Some(value) = ctx.srv.lookup_read(src_db, src).map(|o| o.v.clone()) else {
        return ctx.c.reply.int(0);
    };
    let expire = ctx.srv.dbs[src_db].expire_of(src);
    if ctx.srv.lookup_write(dst_db, dst).is_some() {
        if !replace {
            return ctx.c.reply.int(0);
        }
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        ctx.srv.delete_key(dst_db, dst, lazy);
    }
    ctx.srv.add_key(dst_db, dst, value);
    if let Some(when) = expire {
        ctx.srv.dbs[dst_db].set_expire(dst, when);
    }
    ctx.srv.signal_modified_key(dst_db, dst);
    ctx.srv.notify_keyspace_event(ev::GENERIC, "copy_to", dst, dst_db);
    ctx.srv.dirty += 1;
    ctx.c.reply.int(1);
}

/// `[ASYNC | SYNC]` of FLUSHDB/FLUSHALL; the default follows
/// lazyfree-lazy-user-flush. None after replying with an error.
fn flush_mode(ctx: &mut Ctx) -> Option<bool> {
    match ctx.argv.len() {
        1 => Some(ctx.srv.cfg.lazyfree_lazy_user_flush),
        2 if ctx.argv.get(1).eq_ignore_ascii_case(b"ASYNC") => Some(true),
        2 if ctx.argv.get(1).eq_ignore_ascii_case(b"SYNC") => Some(false),
        _ => {
            ctx.syntax_error();
            None
        }
    }
}

/// FLUSHDB [ASYNC | SYNC]
fn flushdb(ctx: &mut Ctx) {
    let Some(lazy) = flush_mode(ctx) else { return };
    let db = ctx.c.db;
    let removed = ctx.srv.empty_data(Some(db), lazy);
    ctx.srv.dirty += removed as u64;
    // Even an empty db is flushed on replay: what it holds then may differ.
    ctx.force_propagation();
    ctx.c.reply.ok();
}

/// FLUSHALL [ASYNC | SYNC]
/// Like Redis, a running BGSAVE is stopped and, with save points
/// configured, the now empty dataset is saved at once.
fn flushall(ctx: &mut Ctx) {
    let Some(lazy) = flush_mode(ctx) else { return };
    // An AOF rewrite goes on: its base plus this FLUSHALL in the new incr
    // file replay to the empty dataset.
    if ctx.srv.persist.rdb_save_running() {
        ctx.srv.kill_bgsave();
    }
    ctx.force_propagation();
    let removed = ctx.srv.empty_data(None, lazy);
    ctx.srv.dirty += removed as u64;
    if !ctx.srv.cfg.save.is_empty() {
        // A save resets the dirty counter; FLUSHALL still counts as a write.
        let dirty = ctx.srv.dirty;
        let _ = ctx.srv.rdb_save();
        ctx.srv.dirty = dirty;
    }
    ctx.srv.dirty += 1;
    ctx.c.reply.ok();
}

/// Redis's parseExtendedExpireArgumentsOrReply.
#[derive(Default, Clone, Copy)]
struct ExpireFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_expire_flags(ctx: &mut Ctx) -> Option<ExpireFlags> {
    let mut f = ExpireFlags::default();
    for j in 3..ctx.argv.len() {
        let a = ctx.argv.get(j);
        if a.eq_ignore_ascii_case(b"NX") {
            f.nx = true;
        } else if a.eq_ignore_ascii_case(b"XX") {
            f.xx = true;
        } else if a.eq_ignore_ascii_case(b"GT") {
            f.gt = true;
        } else if a.eq_ignore_ascii_case(b"LT") {
            f.lt = true;
        } else {
            let msg = format!("ERR Unsupported option {}", super::arg_text(a));
            ctx.error(&msg);
            return None;
        }
    }
    if f.nx && (f.xx || f.gt || f.lt) {
        ctx.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        return None;
    }
    if f.gt && f.lt {
        ctx.error("ERR GT and LT options at the same time are not compatible");
        return None;
    }
    Some(f)
}

fn expire(ctx: &mut Ctx) {
    let now = ctx.srv.cmd_time_ms;
    expire_generic(ctx, now, true);
}

fn pexpire(ctx: &mut Ctx) {
    let now = ctx.srv.cmd_time_ms;
    expire_generic(ctx, now, false);
}

fn expireat(ctx: &mut Ctx) {
    expire_generic(ctx, 0, true);
}

fn pexpireat(ctx: &mut Ctx) {
    expire_generic(ctx, 0, false);
}

/// Redis's expireGenericCommand: `basetime` is added to the argument
/// (now for relative forms, 0 for absolute ones). Negative values are
/// allowed and delete the key.
fn expire_generic(ctx: &mut Ctx, basetime: i64, seconds: bool) {
    let Some(f) = parse_expire_flags(ctx) else { return };
    let Some(mut when) = ctx.int_arg(2) else { return };
    let invalid = |ctx: &mut Ctx| {
        let msg = format!("ERR invalid expire time in '{}' command", ctx.cmd.name);
        ctx.error(&msg);
    };
    if seconds {
        match when.checked_mul(1000) {
            Some(w) => when = w,
            None => return invalid(ctx),
        }
    }
    let Some(when) = when.checked_add(basetime).filter(|_| when <= i64::MAX - basetime) else {
        return invalid(ctx);
    };
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if ctx.srv.lookup_write(db, key).is_none() {
        return ctx.c.reply.int(0);
    }
    let current = ctx.srv.dbs[db].expire_of(key);
    let refused = (f.nx && current.is_some())
        || (f.xx && current.is_none())
        || (f.gt && current.is_none_or(|c| when <= c))
        || (f.lt && current.is_some_and(|c| when >= c));
    if refused {
        return ctx.c.reply.int(0);
    }
    if ctx.srv.already_expired(when) {
        let lazy = ctx.srv.cfg.lazyfree_lazy_expire;
        ctx.srv.delete_key(db, key, lazy);
        ctx.propagate_as(&[if lazy { &b"UNLINK"[..] } else { b"DEL" }, key]);
        ctx.written(key, ev::GENERIC, "del");
    } else {
        ctx.srv.dbs[db].set_expire(key, when);
        // Replayed later, a relative time would mean a later expiry.
        let when_text = when.to_string();
        let mut args: Vec<&[u8]> = vec![b"PEXPIREAT", key, when_text.as_bytes()];
        args.extend(ctx.argv.iter().skip(3));
        ctx.propagate_as(&args);
        ctx.written(key, ev::GENERIC, "expire");
    }
    ctx.c.reply.int(1);
}

/// What the TTL family reports: -2 missing, -1 no TTL, else the value.
fn ttl_generic(ctx: &mut Ctx, f: impl Fn(i64, i64) -> i64) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if ctx.srv.lookup(db, key, NOTOUCH_STATS).is_none() {
        return ctx.c.reply.int(-2);
    }
    match ctx.srv.dbs[db].expire_of(key) {
        None => ctx.c.reply.int(-1),
        Some(when) => {
            let v = f(when, ctx.srv.cmd_time_ms);
            ctx.c.reply.int(v)
        }
    }
}

/// Milliseconds to seconds rounded to the nearest, without overflowing
/// near i64::MAX (Redis reports 9223372036854776 for PEXPIREAT LLONG_MAX).
fn ms_to_rounded_secs(ms: i64) -> i64 {
    ms / 1000 + i64::from(ms % 1000 >= 500)
}

/// TTL key: remaining seconds, rounded.
fn ttl(ctx: &mut Ctx) {
    ttl_generic(ctx, |when, now| ms_to_rounded_secs((when - now).max(0)));
}

/// PTTL key
fn pttl(ctx: &mut Ctx) {
    ttl_generic(ctx, |when, now| (when - now).max(0));
}

/// EXPIRETIME key
fn expiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, |when, _| ms_to_rounded_secs(when));
}

/// PEXPIRETIME key
fn pexpiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, |when, _| when);
}

/// PERSIST key
fn persist(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if ctx.srv.lookup_write(db, key).is_none() {
        return ctx.c.reply.int(0);
    }
    if ctx.srv.dbs[db].remove_expire(key) {
        ctx.written(key, ev::GENERIC, "persist");
        ctx.c.reply.int(1)
    } else {
        ctx.c.reply.int(0)
    }
}
