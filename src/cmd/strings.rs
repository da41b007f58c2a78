//! String commands (Redis's t_string.c).
//!
//! Variants share generic implementations: SET, SETNX, SETEX, PSETEX and
//! GETSET go through `set_generic`; GET, GETDEL and GETEX through
//! `get_string`; INCR/DECR/INCRBY/DECRBY through `incr_generic`.

use super::{acl, err, ev, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::object::Value;
use crate::reply::ReplyBuf;

const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];
const KS_RO_NOACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
const KS_RW_NOACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::UPDATE)];
const KS_RW_UPDATE: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE)];
const KS_OW_UPDATE: &[KeySpec] = &[KeySpec::one(1, ks::OW | ks::UPDATE)];
const KS_RW_INSERT: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::INSERT)];

pub static COMMANDS: &[Command] = &[
    Command::new("get", 2, Group::String, get)
        .flags(READONLY | FAST)
        .acl(acl::STRING)
        .keys(KS_RO)
        .doc("1.0.0", "O(1)", "Get the value of a key")
        .args("key"),
    Command::new("set", -3, Group::String, set)
        .flags(WRITE | DENYOOM)
        .acl(acl::STRING)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE | ks::VARIABLE_FLAGS)
            .notes("RW and ACCESS due to the optional `GET` argument")])
        .doc("1.0.0", "O(1)", "Set the string value of a key")
        .args("key value condition=[NX | XX]@2.6.12 [GET]@6.2.0 expiration=[EX seconds:integer@2.6.12 | PX milliseconds:integer@2.6.12 | EXAT unix-time-seconds:unix-time@6.2.0 | PXAT unix-time-milliseconds:unix-time@6.2.0 | KEEPTTL@6.0.0]")
        .history(&[
            ("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."),
            ("6.0.0", "Added the `KEEPTTL` option."),
            ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."),
            ("7.0.0", "Allowed the `NX` and `GET` options to be used together."),
        ]),
    Command::new("setnx", 3, Group::String, setnx)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(&[KeySpec::one(1, ks::OW | ks::INSERT)])
        .doc("1.0.0", "O(1)", "Set the value of a key, only if the key does not exist")
        .args("key value"),
    Command::new("setex", 4, Group::String, setex)
        .flags(WRITE | DENYOOM)
        .acl(acl::STRING)
        .keys(KS_OW_UPDATE)
        .doc("2.0.0", "O(1)", "Set the value and expiration of a key")
        .args("key seconds:integer value"),
    Command::new("psetex", 4, Group::String, psetex)
        .flags(WRITE | DENYOOM)
        .acl(acl::STRING)
        .keys(KS_OW_UPDATE)
        .doc("2.6.0", "O(1)", "Set the value and expiration in milliseconds of a key")
        .args("key milliseconds:integer value"),
    Command::new("getset", 3, Group::String, getset)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(KS_RW_UPDATE)
        .doc("1.0.0", "O(1)", "Set the string value of a key and return its old value")
        .args("key value")
        .deprecated("6.2.0", "`SET` with the `!GET` argument"),
    Command::new("getdel", 2, Group::String, getdel)
        .flags(WRITE | FAST)
        .acl(acl::STRING)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE)])
        .doc("6.2.0", "O(1)", "Get the value of a key and delete the key")
        .args("key"),
    Command::new("getex", -2, Group::String, getex)
        .flags(WRITE | FAST)
        .acl(acl::STRING)
        .keys(&[KeySpec::one(1, ks::RW | ks::ACCESS | ks::UPDATE).notes("RW and UPDATE because it changes the TTL")])
        .doc("6.2.0", "O(1)", "Get the value of a key and optionally set its expiration")
        .args("key expiration=[EX seconds:integer | PX milliseconds:integer | EXAT unix-time-seconds:unix-time | PXAT unix-time-milliseconds:unix-time | PERSIST]"),
    Command::new("mget", -2, Group::String, mget)
        .flags(READONLY | FAST)
        .acl(acl::STRING)
        .keys(&[KeySpec::range(1, -1, 1, ks::RO | ks::ACCESS)])
        .doc("1.0.0", "O(N) where N is the number of keys to retrieve.", "Get the values of all the given keys")
        .args("key [key ...]")
        .tips(&["request_policy:multi_shard"]),
    Command::new("mset", -3, Group::String, mset)
        .flags(WRITE | DENYOOM)
        .acl(acl::STRING)
        .keys(&[KeySpec::range(1, -1, 2, ks::OW | ks::UPDATE)])
        .doc("1.0.1", "O(N) where N is the number of keys to set.", "Set multiple keys to multiple values")
        .args("key value [key value ...]")
        .tips(&["request_policy:multi_shard", "response_policy:all_succeeded"]),
    Command::new("msetnx", -3, Group::String, msetnx)
        .flags(WRITE | DENYOOM)
        .acl(acl::STRING)
        .keys(&[KeySpec::range(1, -1, 2, ks::OW | ks::INSERT)])
        .doc("1.0.1", "O(N) where N is the number of keys to set.", "Set multiple keys to multiple values, only if none of the keys exist")
        .args("key value [key value ...]")
        .tips(&["request_policy:multi_shard", "response_policy:agg_min"]),
    Command::new("append", 3, Group::String, append)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(KS_RW_INSERT)
        .doc("2.0.0", "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.", "Append a value to a key")
        .args("key value"),
    Command::new("strlen", 2, Group::String, strlen)
        .flags(READONLY | FAST)
        .acl(acl::STRING)
        .keys(KS_RO_NOACCESS)
        .doc("2.2.0", "O(1)", "Get the length of the value stored in a key")
        .args("key"),
    Command::new("setrange", 4, Group::String, setrange)
        .flags(WRITE | DENYOOM)
        .acl(acl::STRING)
        .keys(KS_RW_NOACCESS)
        .doc("2.2.0", "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.", "Overwrite part of a string at key starting at the specified offset")
        .args("key offset:integer value"),
    Command::new("getrange", 4, Group::String, getrange)
        .flags(READONLY)
        .acl(acl::STRING)
        .keys(KS_RO)
        .doc("2.4.0", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", "Get a substring of the string stored at a key")
        .args("key start:integer end:integer"),
    Command::new("substr", 4, Group::String, getrange)
        .flags(READONLY)
        .acl(acl::STRING)
        .keys(KS_RO)
        .doc("1.0.0", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", "Get a substring of the string stored at a key")
        .args("key start:integer end:integer")
        .deprecated("2.0.0", "`GETRANGE`"),
    Command::new("incr", 2, Group::String, incr)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(KS_RW_UPDATE)
        .doc("1.0.0", "O(1)", "Increment the integer value of a key by one")
        .args("key"),
    Command::new("decr", 2, Group::String, decr)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(KS_RW_UPDATE)
        .doc("1.0.0", "O(1)", "Decrement the integer value of a key by one")
        .args("key"),
    Command::new("incrby", 3, Group::String, incrby)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(KS_RW_UPDATE)
        .doc("1.0.0", "O(1)", "Increment the integer value of a key by the given amount")
        .args("key increment:integer"),
    Command::new("decrby", 3, Group::String, decrby)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(KS_RW_UPDATE)
        .doc("1.0.0", "O(1)", "Decrement the integer value of a key by the given number")
        .args("key decrement:integer"),
    Command::new("incrbyfloat", 3, Group::String, incrbyfloat)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STRING)
        .keys(KS_RW_UPDATE)
        .doc("2.6.0", "O(1)", "Increment the float value of a key by the given amount")
        .args("key increment:double"),
    Command::new("lcs", -3, Group::String, lcs)
        .flags(READONLY)
        .acl(acl::STRING)
        .keys(&[KeySpec::range(1, 1, 1, ks::RO | ks::ACCESS)])
        .doc("7.0.0", "O(N*M) where N and M are the lengths of s1 and s2, respectively", "Find longest common substring")
        .args("key1:key key2:key [LEN] [IDX] [MINMATCHLEN len:integer] [WITHMATCHLEN]"),
];

/// Appends a string value as a bulk reply (callers check the type).
pub fn reply_string(r: &mut ReplyBuf, v: &Value) {
    match v {
        Value::Int(n) => r.bulk_int(*n),
        Value::Inline { len, buf } => r.bulk(&buf[..*len as usize]),
        Value::Heap(b) => r.bulk(b),
        Value::Raw(b) => r.bulk(b),
        _ => r.null(),
    }
}

/// Looks up `key` for reading and replies with its string value, nil if it
/// is missing, or WRONGTYPE. Returns false after an error.
fn get_generic(ctx: &mut Ctx) -> bool {
    let db = ctx.c.db;
    match ctx.srv.lookup_read(db, ctx.argv.get(1)) {
        None => ctx.c.reply.null(),
        Some(o) if o.v.is_string() => reply_string(&mut ctx.c.reply, &o.v),
        Some(_) => {
            ctx.wrong_type();
            return false;
        }
    }
    true
}

/// GET key
fn get(ctx: &mut Ctx) {
    get_generic(ctx);
}

/// How an expire argument is given.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ExpireUnit {
    Seconds,
    Millis,
}

/// Redis's getExpireMillisecondsOrReply: parses an EX/PX/EXAT/PXAT argument
/// into an absolute unix time in ms, or replies with the error.
pub fn parse_expire_arg(ctx: &mut Ctx, i: usize, unit: ExpireUnit, absolute: bool) -> Option<i64> {
    let v = ctx.int_arg(i)?;
    let invalid = |ctx: &mut Ctx| {
        let msg = format!("ERR invalid expire time in '{}' command", ctx.cmd.name);
        ctx.error(&msg);
    };
    if v <= 0 || (unit == ExpireUnit::Seconds && v > i64::MAX / 1000) {
        invalid(ctx);
        return None;
    }
    let mut ms = if unit == ExpireUnit::Seconds { v * 1000 } else { v };
    if !absolute {
        match ms.checked_add(ctx.srv.cmd_time_ms) {
            Some(t) => ms = t,
            None => {
                invalid(ctx);
                return None;
            }
        }
    }
    Some(ms)
}

/// Options of SET and GETEX (Redis's parseExtendedStringArgumentsOrReply).
#[derive(Default)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    /// Absolute expire time in ms.
    expire_at: Option<i64>,
}

#[derive(PartialEq, Eq)]
enum OptsFor {
    Set,
    GetEx,
}

fn parse_set_options(ctx: &mut Ctx, start: usize, kind: OptsFor) -> Option<SetOptions> {
    let mut o = SetOptions::default();
    // (argument index, unit, absolute, option name): the last one given wins;
    // repeating the same option is allowed, mixing two kinds is not.
    let mut expire: Option<(usize, ExpireUnit, bool, &[u8])> = None;
    let set_cmd = kind == OptsFor::Set;
    let mut j = start;
    let n = ctx.argv.len();
    while j < n {
        let a = ctx.argv.get(j);
        let has_next = j + 1 < n;
        let is = |s: &str| a.eq_ignore_ascii_case(s.as_bytes());
        let same_expire_kind = expire.is_none_or(|(_, _, _, name)| name.eq_ignore_ascii_case(a));
        if set_cmd && is("NX") && !o.xx {
            o.nx = true;
        } else if set_cmd && is("XX") && !o.nx {
            o.xx = true;
        } else if set_cmd && is("GET") {
            o.get = true;
        } else if set_cmd && is("KEEPTTL") && !o.persist && expire.is_none() {
            o.keepttl = true;
        } else if !set_cmd && is("PERSIST") && expire.is_none() && !o.keepttl {
            o.persist = true;
        } else if (is("EX") || is("PX") || is("EXAT") || is("PXAT"))
            && !o.keepttl
            && !o.persist
            && same_expire_kind
            && has_next
        {
            let unit = if is("EX") || is("EXAT") {
                ExpireUnit::Seconds
            } else {
                ExpireUnit::Millis
            };
            let absolute = is("EXAT") || is("PXAT");
            expire = Some((j + 1, unit, absolute, a));
            j += 1;
        } else {
            ctx.syntax_error();
            return None;
        }
        j += 1;
    }
    if let Some((i, unit, absolute, _)) = expire {
        o.expire_at = Some(parse_expire_arg(ctx, i, unit, absolute)?);
    }
    Some(o)
}

/// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT ts | PXAT ms-ts | KEEPTTL]
fn set(ctx: &mut Ctx) {
    let Some(opts) = parse_set_options(ctx, 3, OptsFor::Set) else {
        return;
    };
    set_generic(ctx, opts, 2, Reply::Ok);
}

/// What a SET variant answers on success and on an unmet NX/XX condition.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reply {
    /// +OK / nil (SET, SETEX, PSETEX).
    Ok,
    /// :1 / :0 (SETNX).
    Bool,
}

/// Redis's setGenericCommand.
fn set_generic(ctx: &mut Ctx, opts: SetOptions, val_idx: usize, reply: Reply) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if opts.get && !get_generic(ctx) {
        return;
    }
    let exists = ctx.srv.key_exists(db, key);
    if (opts.nx && exists) || (opts.xx && !exists) {
        if !opts.get {
            match reply {
                Reply::Ok => ctx.c.reply.null(),
                Reply::Bool => ctx.c.reply.int(0),
            }
        }
        return;
    }
    let value = ctx.argv.get(val_idx);
    ctx.srv.set_key(db, key, Value::string(value), opts.keepttl);
    ctx.written(key, ev::STRING, "set");
    if let Some(at) = opts.expire_at {
        ctx.srv.dbs[db].set_expire(key, at);
        ctx.notify(ev::GENERIC, "expire", key);
        // A relative TTL replayed later would expire later (SETEX and
        // PSETEX too); Redis 7.0 keeps only the value and the time.
        ctx.propagate_as(&[&b"SET"[..], key, value, b"PXAT", &crate::propagate::num(at)]);
    } else if opts.get {
        // Replaying GET is useless work; GETSET is a plain SET as well.
        let mut args: Vec<&[u8]> = vec![b"SET"];
        let argv = ctx.argv;
        args.extend((1..argv.len()).map(|j| argv.get(j)).enumerate().filter_map(|(j, a)| {
            // Options start at index 3 (key and value may be spelled "get").
            (j < 2 || !a.eq_ignore_ascii_case(b"GET")).then_some(a)
        }));
        ctx.propagate_as(&args);
    }
    if !opts.get {
        match reply {
            Reply::Ok => ctx.c.reply.ok(),
            Reply::Bool => ctx.c.reply.int(1),
        }
    }
}

/// SETNX key value
fn setnx(ctx: &mut Ctx) {
    let opts = SetOptions {
        nx: true,
        ..Default::default()
    };
    set_generic(ctx, opts, 2, Reply::Bool);
}

/// SETEX key seconds value
fn setex(ctx: &mut Ctx) {
    let Some(at) = parse_expire_arg(ctx, 2, ExpireUnit::Seconds, false) else {
        return;
    };
    let opts = SetOptions {
        expire_at: Some(at),
        ..Default::default()
    };
    set_generic(ctx, opts, 3, Reply::Ok);
}

/// PSETEX key milliseconds value
fn psetex(ctx: &mut Ctx) {
    let Some(at) = parse_expire_arg(ctx, 2, ExpireUnit::Millis, false) else {
        return;
    };
    let opts = SetOptions {
        expire_at: Some(at),
        ..Default::default()
    };
    set_generic(ctx, opts, 3, Reply::Ok);
}

/// GETSET key value
fn getset(ctx: &mut Ctx) {
    let opts = SetOptions {
        get: true,
        ..Default::default()
    };
    set_generic(ctx, opts, 2, Reply::Ok);
}

/// GETDEL key
fn getdel(ctx: &mut Ctx) {
    if !get_generic(ctx) {
        return;
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let lazy = ctx.srv.cfg.lazyfree_lazy_user_del;
    if ctx.srv.delete_key(db, key, lazy) {
        ctx.propagate_as(&[if lazy { &b"UNLINK"[..] } else { b"DEL" }, key]);
        ctx.written(key, ev::GENERIC, "del");
    }
}

/// GETEX key [EX s | PX ms | EXAT ts | PXAT ms-ts | PERSIST]
fn getex(ctx: &mut Ctx) {
    let Some(opts) = parse_set_options(ctx, 2, OptsFor::GetEx) else {
        return;
    };
    if !get_generic(ctx) {
        return;
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if !ctx.srv.dbs[db].contains_key(key) {
        return;
    }
    if let Some(at) = opts.expire_at {
        if ctx.srv.already_expired(at) {
            // An absolute time already past deletes the key, as Redis does.
            let lazy = ctx.srv.cfg.lazyfree_lazy_expire;
            ctx.srv.delete_key(db, key, lazy);
            ctx.propagate_as(&[if lazy { &b"UNLINK"[..] } else { b"DEL" }, key]);
            ctx.written(key, ev::GENERIC, "del");
        } else {
            ctx.srv.dbs[db].set_expire(key, at);
            ctx.propagate_as(&[&b"PEXPIREAT"[..], key, &crate::propagate::num(at)]);
            ctx.written(key, ev::GENERIC, "expire");
        }
    } else if opts.persist && ctx.srv.dbs[db].remove_expire(key) {
        ctx.propagate_as(&[&b"PERSIST"[..], key]);
        ctx.written(key, ev::GENERIC, "persist");
    }
}

/// MGET key [key ...]: nil for missing keys and for non-strings.
fn mget(ctx: &mut Ctx) {
    let db = ctx.c.db;
    ctx.c.reply.array_len(ctx.argv.len() - 1);
    for i in 1..ctx.argv.len() {
        match ctx.srv.lookup_read(db, ctx.argv.get(i)) {
            Some(o) if o.v.is_string() => reply_string(&mut ctx.c.reply, &o.v),
            _ => ctx.c.reply.null(),
        }
    }
}

/// MSET key value [key value ...]
fn mset(ctx: &mut Ctx) {
    mset_generic(ctx, false);
}

/// MSETNX key value [key value ...]
fn msetnx(ctx: &mut Ctx) {
    mset_generic(ctx, true);
}

fn mset_generic(ctx: &mut Ctx, nx: bool) {
    if ctx.argv.len().is_multiple_of(2) {
        return ctx.arity_error();
    }
    let db = ctx.c.db;
    if nx {
        for i in (1..ctx.argv.len()).step_by(2) {
            if ctx.srv.key_exists(db, ctx.argv.get(i)) {
                return ctx.c.reply.int(0);
            }
        }
    }
    for i in (1..ctx.argv.len()).step_by(2) {
        let key = ctx.argv.get(i);
        ctx.srv.set_key(db, key, Value::string(ctx.argv.get(i + 1)), false);
        ctx.written(key, ev::STRING, "set");
    }
    if nx {
        ctx.c.reply.int(1);
    } else {
        ctx.c.reply.ok();
    }
}

/// Fails with Redis's error if a string would exceed proto-max-bulk-len.
fn check_string_length(ctx: &mut Ctx, size: u64) -> bool {
    if size > ctx.srv.cfg.proto_max_bulk_len as u64 {
        ctx.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return false;
    }
    true
}

/// APPEND key value
fn append(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let add = ctx.argv.get(2);
    let cur_len = match ctx.srv.lookup_write(db, key) {
        None => None,
        Some(o) => match o.v.str_len() {
            Some(l) if o.v.is_string() => Some(l),
            _ => return ctx.wrong_type(),
        },
    };
    let new_len = match cur_len {
        None => {
            ctx.srv.add_key(db, key, Value::string(add));
            add.len()
        }
        Some(l) => {
            if !check_string_length(ctx, l as u64 + add.len() as u64) {
                return;
            }
            let Some(o) = ctx.srv.dbs[db].get_mut(key) else {
                return;
            };
            let Some(buf) = o.v.make_raw() else { return };
            buf.extend_from_slice(add);
            buf.len()
        }
    };
    ctx.written(key, ev::STRING, "append");
    ctx.c.reply.int(new_len as i64);
}

/// STRLEN key
fn strlen(ctx: &mut Ctx) {
    let db = ctx.c.db;
    match ctx.srv.lookup_read(db, ctx.argv.get(1)) {
        None => ctx.c.reply.int(0),
        Some(o) if o.v.is_string() => {
            let n = o.v.str_len().unwrap_or(0);
            ctx.c.reply.int(n as i64)
        }
        Some(_) => ctx.wrong_type(),
    }
}

/// SETRANGE key offset value
fn setrange(ctx: &mut Ctx) {
    let Some(offset) = ctx.int_arg(2) else { return };
    if offset < 0 {
        return ctx.error("ERR offset is out of range");
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let val = ctx.argv.get(3);
    let cur_len = match ctx.srv.lookup_write(db, key) {
        None => None,
        Some(o) if o.v.is_string() => o.v.str_len(),
        Some(_) => return ctx.wrong_type(),
    };
    if val.is_empty() {
        // Nothing to write: report the current length, create nothing.
        return ctx.c.reply.int(cur_len.unwrap_or(0) as i64);
    }
    if !check_string_length(ctx, offset as u64 + val.len() as u64) {
        return;
    }
    let off = offset as usize;
    if cur_len.is_none() {
        ctx.srv.add_key(db, key, Value::Raw(Box::default()));
    }
    let Some(o) = ctx.srv.dbs[db].get_mut(key) else {
        return;
    };
    let Some(buf) = o.v.make_raw() else { return };
    if buf.len() < off + val.len() {
        buf.resize(off + val.len(), 0);
    }
    buf[off..off + val.len()].copy_from_slice(val);
    let len = buf.len();
    ctx.written(key, ev::STRING, "setrange");
    ctx.c.reply.int(len as i64);
}

/// GETRANGE key start end (and SUBSTR)
fn getrange(ctx: &mut Ctx) {
    let Some(mut start) = ctx.int_arg(2) else { return };
    let Some(mut end) = ctx.int_arg(3) else { return };
    let db = ctx.c.db;
    let mut tmp = Vec::new();
    let s = match ctx.srv.lookup_read(db, ctx.argv.get(1)) {
        None => return ctx.c.reply.bulk(b""),
        Some(o) if o.v.is_string() => o.v.str_bytes(&mut tmp).map(<[u8]>::to_vec).unwrap_or_default(),
        Some(_) => return ctx.wrong_type(),
    };
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return ctx.c.reply.bulk(b"");
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return ctx.c.reply.bulk(b"");
    }
    ctx.c.reply.bulk(&s[start as usize..=end as usize]);
}

/// INCR key
fn incr(ctx: &mut Ctx) {
    incr_generic(ctx, 1);
}

/// DECR key
fn decr(ctx: &mut Ctx) {
    incr_generic(ctx, -1);
}

/// INCRBY key increment
fn incrby(ctx: &mut Ctx) {
    let Some(by) = ctx.int_arg(2) else { return };
    incr_generic(ctx, by);
}

/// DECRBY key decrement
fn decrby(ctx: &mut Ctx) {
    let Some(by) = ctx.int_arg(2) else { return };
    if by == i64::MIN {
        return ctx.error("ERR decrement would overflow");
    }
    incr_generic(ctx, -by);
}

/// Redis's incrDecrCommand: the value must be an integer string.
fn incr_generic(ctx: &mut Ctx, by: i64) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let cur = match ctx.srv.lookup_write(db, key) {
        None => 0,
        Some(o) => match &o.v {
            Value::Int(n) => *n,
            v if v.is_string() => {
                let mut tmp = Vec::new();
                match v.str_bytes(&mut tmp).and_then(crate::util::string2ll) {
                    Some(n) => n,
                    None => return ctx.error(err::NOT_INT),
                }
            }
            _ => return ctx.wrong_type(),
        },
    };
    let Some(new) = cur.checked_add(by) else {
        return ctx.error(err::OVERFLOW);
    };
    // Updating in place keeps the key's TTL and avoids a dict insert.
    match ctx.srv.dbs[db].get_mut(key) {
        Some(o) => o.v = Value::Int(new),
        None => ctx.srv.add_key(db, key, Value::Int(new)),
    }
    ctx.written(key, ev::STRING, "incrby");
    ctx.c.reply.int(new);
}

/// INCRBYFLOAT key increment: computed in long double precision and printed
/// as Redis does, so results match byte for byte.
fn incrbyfloat(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let mut tmp = Vec::new();
    let cur: Vec<u8> = match ctx.srv.lookup_write(db, key) {
        None => b"0".to_vec(),
        Some(o) if o.v.is_string() => o.v.str_bytes(&mut tmp).map(<[u8]>::to_vec).unwrap_or_default(),
        Some(_) => return ctx.wrong_type(),
    };
    let out = match crate::util::incr_by_float(&cur, ctx.argv.get(2)) {
        Ok(v) => v,
        Err(e) => return ctx.error(e.message()),
    };
    match ctx.srv.dbs[db].get_mut(key) {
        Some(o) => o.v = Value::string_no_int(&out),
        None => ctx.srv.add_key(db, key, Value::string_no_int(&out)),
    }
    // The result, not the increment: float formatting and precision
    // must not make a replay differ.
    ctx.propagate_as(&[&b"SET"[..], key, &out, b"KEEPTTL"]);
    ctx.written(key, ev::STRING, "incrbyfloat");
    ctx.c.reply.bulk(&out);
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
fn lcs(ctx: &mut Ctx) {
    // Redis checks the keys' types before it parses the options.
    let db = ctx.c.db;
    let mut strs: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    for (k, s) in strs.iter_mut().enumerate() {
        let mut tmp = Vec::new();
        match ctx.srv.lookup_read(db, ctx.argv.get(1 + k)) {
            None => {}
            Some(o) if o.v.is_string() => *s = o.v.str_bytes(&mut tmp).map(<[u8]>::to_vec).unwrap_or_default(),
            Some(_) => return ctx.error("ERR The specified keys must contain string values"),
        }
    }
    let (mut want_len, mut want_idx, mut with_match_len) = (false, false, false);
    let mut min_match_len: u64 = 0;
    let mut j = 3;
    while j < ctx.argv.len() {
        let a = ctx.argv.get(j);
        if a.eq_ignore_ascii_case(b"IDX") {
            want_idx = true;
        } else if a.eq_ignore_ascii_case(b"LEN") {
            want_len = true;
        } else if a.eq_ignore_ascii_case(b"WITHMATCHLEN") {
            with_match_len = true;
        } else if a.eq_ignore_ascii_case(b"MINMATCHLEN") && j + 1 < ctx.argv.len() {
            let Some(m) = ctx.int_arg(j + 1) else { return };
            min_match_len = m.max(0) as u64;
            j += 1;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    if want_len && want_idx {
        return ctx.error("ERR If you want both the length and indexes, please just use IDX.");
    }
    let (a, b) = (&strs[0], &strs[1]);
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return ctx.error("ERR String too long for LCS");
    }
    let table_bytes = (a.len() as u128 + 1) * (b.len() as u128 + 1) * 4;
    if table_bytes > ctx.srv.cfg.proto_max_bulk_len as u128 {
        return ctx.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    }
    let result = lcs_compute(a, b);
    if want_len {
        return ctx.c.reply.int(result.string.len() as i64);
    }
    if !want_idx {
        return ctx.c.reply.bulk(&result.string);
    }
    let r = &mut ctx.c.reply;
    r.map_len(2);
    r.bulk(b"matches");
    let kept: Vec<&LcsRange> = result
        .ranges
        .iter()
        .filter(|m| min_match_len == 0 || m.len() >= min_match_len)
        .collect();
    r.array_len(kept.len());
    for m in kept {
        r.array_len(if with_match_len { 3 } else { 2 });
        r.array_len(2);
        r.int(m.a.0 as i64);
        r.int(m.a.1 as i64);
        r.array_len(2);
        r.int(m.b.0 as i64);
        r.int(m.b.1 as i64);
        if with_match_len {
            r.int(m.len() as i64);
        }
    }
    r.bulk(b"len");
    r.int(result.string.len() as i64);
}

/// A common run: inclusive ranges in each string.
struct LcsRange {
    a: (u32, u32),
    b: (u32, u32),
}

impl LcsRange {
    fn len(&self) -> u64 {
        (self.a.1 - self.a.0 + 1) as u64
    }
}

struct LcsResult {
    string: Vec<u8>,
    /// Matching runs, from the ends of the strings backwards.
    ranges: Vec<LcsRange>,
}

/// The classic dynamic-programming LCS, walked back from the ends so runs
/// come out in Redis's order (and ties resolved as Redis does: step in `b`
/// unless stepping in `a` keeps a strictly longer LCS).
fn lcs_compute(a: &[u8], b: &[u8]) -> LcsResult {
    let w = b.len() + 1;
    let mut t = vec![0u32; (a.len() + 1) * w];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            t[i * w + j] = if a[i - 1] == b[j - 1] {
                t[(i - 1) * w + j - 1] + 1
            } else {
                t[(i - 1) * w + j].max(t[i * w + j - 1])
            };
        }
    }
    let total = t[a.len() * w + b.len()] as usize;
    let mut string = vec![0u8; total];
    let mut idx = total;
    let mut ranges = Vec::new();
    let mut open: Option<LcsRange> = None;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            string[idx - 1] = a[i - 1];
            let (ai, bj) = ((i - 1) as u32, (j - 1) as u32);
            match &mut open {
                None => {
                    open = Some(LcsRange {
                        a: (ai, ai),
                        b: (bj, bj),
                    })
                }
                // Matches walked back-to-back extend the run; any other
                // match can only follow a mismatch, which closed the run.
                Some(r) => {
                    r.a.0 = ai;
                    r.b.0 = bj;
                }
            }
            if ai == 0 || bj == 0 {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            j -= 1;
        } else {
            if t[(i - 1) * w + j] > t[i * w + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = open.is_some();
        }
        if emit {
            if let Some(r) = open.take() {
                ranges.push(r);
            }
        }
    }
    LcsResult { string, ranges }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs_matches_redis_example() {
        let r = lcs_compute(b"ohmytext", b"mynewtext");
        assert_eq!(r.string, b"mytext");
        let got: Vec<_> = r.ranges.iter().map(|m| (m.a, m.b)).collect();
        assert_eq!(got, vec![((4, 7), (5, 8)), ((2, 3), (0, 1))]);
        assert_eq!(lcs_compute(b"", b"abc").string, b"");
    }
}
