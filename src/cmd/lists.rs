//! List commands (Redis 7.0's t_list.c), including the blocking ones.
//!
//! Variants share generic implementations: LPUSH/RPUSH/LPUSHX/RPUSHX go
//! through `push_generic`, LPOP/RPOP through `pop_generic`, LMOVE and
//! RPOPLPUSH (and their blocking forms once they have data) through
//! `move_generic`, LMPOP/BLMPOP through `mpop_generic`.
//!
//! Blocking commands that find nothing park the client
//! (`Ctx::block_on_keys`) and are re-run when a key they wait on is
//! written; a re-run serves only from the key that became ready, as Redis
//! 7.0 does.

use super::{acl, err, ev, flags::*, ks, BeginSearch, Command, Ctx, FindKeys, Group, KeySpec};
use crate::blocking::{parse_timeout_secs, TimeoutReply};
use crate::listpack::LpValue;
use crate::object::{Type, Value};
use crate::reply::ReplyBuf;
use crate::server::Server;
use crate::t_list::{elem_eq, List, MAX_ITEM_SIZE};

const KS_INSERT: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::INSERT)];
const KS_POP: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE)];
const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
const KS_RO_ACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];
const KS_MOVE: &[KeySpec] = &[
    KeySpec::one(1, ks::RW | ks::ACCESS | ks::DELETE),
    KeySpec::one(2, ks::RW | ks::INSERT),
];
const KS_BPOP: &[KeySpec] = &[KeySpec::range(1, -2, 1, ks::RW | ks::ACCESS | ks::DELETE)];
const fn ks_mpop(index: i32) -> [KeySpec; 1] {
    [KeySpec {
        notes: "",
        flags: ks::RW | ks::ACCESS | ks::DELETE,
        begin: BeginSearch::Index(index),
        find: FindKeys::Keynum {
            keynumidx: 0,
            firstkey: 1,
            step: 1,
        },
    }]
}
const KS_LMPOP: &[KeySpec] = &ks_mpop(1);
const KS_BLMPOP: &[KeySpec] = &ks_mpop(2);

const PUSH_COMPLEXITY: &str =
    "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const MPOP_COMPLEXITY: &str = "O(N+M) where N is the number of provided keys and M is the number of elements returned.";

pub static COMMANDS: &[Command] = &[
    Command::new("lpush", -3, Group::List, lpush)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::LIST)
        .keys(KS_INSERT)
        .doc("1.0.0", PUSH_COMPLEXITY, "Prepend one or multiple elements to a list")
        .args("key element [element ...]")
        .history(&[("2.4.0", "Accepts multiple `element` arguments.")]),
    Command::new("rpush", -3, Group::List, rpush)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::LIST)
        .keys(KS_INSERT)
        .doc("1.0.0", PUSH_COMPLEXITY, "Append one or multiple elements to a list")
        .args("key element [element ...]")
        .history(&[("2.4.0", "Accepts multiple `element` arguments.")]),
    Command::new("lpushx", -3, Group::List, lpushx)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::LIST)
        .keys(KS_INSERT)
        .doc("2.2.0", PUSH_COMPLEXITY, "Prepend an element to a list, only if the list exists")
        .args("key element [element ...]")
        .history(&[("4.0.0", "Accepts multiple `element` arguments.")]),
    Command::new("rpushx", -3, Group::List, rpushx)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::LIST)
        .keys(KS_INSERT)
        .doc("2.2.0", PUSH_COMPLEXITY, "Append an element to a list, only if the list exists")
        .args("key element [element ...]")
        .history(&[("4.0.0", "Accepts multiple `element` arguments.")]),
    Command::new("lpop", -2, Group::List, lpop)
        .flags(WRITE | FAST)
        .acl(acl::LIST)
        .keys(KS_POP)
        .doc("1.0.0", "O(N) where N is the number of elements returned", "Remove and get the first elements in a list")
        .args("key [count:integer@6.2.0]")
        .history(&[("6.2.0", "Added the `count` argument.")]),
    Command::new("rpop", -2, Group::List, rpop)
        .flags(WRITE | FAST)
        .acl(acl::LIST)
        .keys(KS_POP)
        .doc("1.0.0", "O(N) where N is the number of elements returned", "Remove and get the last elements in a list")
        .args("key [count:integer@6.2.0]")
        .history(&[("6.2.0", "Added the `count` argument.")]),
    Command::new("llen", 2, Group::List, llen)
        .flags(READONLY | FAST)
        .acl(acl::LIST)
        .keys(KS_RO)
        .doc("1.0.0", "O(1)", "Get the length of a list")
        .args("key"),
    Command::new("lrange", 4, Group::List, lrange)
        .flags(READONLY)
        .acl(acl::LIST)
        .keys(KS_RO_ACCESS)
        .doc("1.0.0", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", "Get a range of elements from a list")
        .args("key start:integer stop:integer"),
    Command::new("lindex", 3, Group::List, lindex)
        .flags(READONLY)
        .acl(acl::LIST)
        .keys(KS_RO_ACCESS)
        .doc("1.0.0", "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", "Get an element from a list by its index")
        .args("key index:integer"),
    Command::new("lset", 4, Group::List, lset)
        .flags(WRITE | DENYOOM)
        .acl(acl::LIST)
        .keys(&[KeySpec::one(1, ks::RW | ks::UPDATE)])
        .doc("1.0.0", "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", "Set the value of an element in a list by its index")
        .args("key index:integer element"),
    Command::new("linsert", 5, Group::List, linsert)
        .flags(WRITE | DENYOOM)
        .acl(acl::LIST)
        .keys(KS_INSERT)
        .doc("2.2.0", "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", "Insert an element before or after another element in a list")
        .args("key where=(BEFORE | AFTER) pivot element"),
    Command::new("lrem", 4, Group::List, lrem)
        .flags(WRITE)
        .acl(acl::LIST)
        .keys(&[KeySpec::one(1, ks::RW | ks::DELETE)])
        .doc("1.0.0", "O(N+M) where N is the length of the list and M is the number of elements removed.", "Remove elements from a list")
        .args("key count:integer element"),
    Command::new("ltrim", 4, Group::List, ltrim)
        .flags(WRITE)
        .acl(acl::LIST)
        .keys(&[KeySpec::one(1, ks::RW | ks::DELETE)])
        .doc("1.0.0", "O(N) where N is the number of elements to be removed by the operation.", "Trim a list to the specified range")
        .args("key start:integer stop:integer"),
    Command::new("lpos", -3, Group::List, lpos)
        .flags(READONLY)
        .acl(acl::LIST)
        .keys(KS_RO_ACCESS)
        .doc("6.0.6", "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", "Return the index of matching elements on a list")
        .args("key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN len:integer]"),
    Command::new("lmove", 5, Group::List, lmove)
        .flags(WRITE | DENYOOM)
        .acl(acl::LIST)
        .keys(KS_MOVE)
        .doc("6.2.0", "O(1)", "Pop an element from a list, push it to another list and return it")
        .args("source:key destination:key wherefrom=(LEFT | RIGHT) whereto=(LEFT | RIGHT)"),
    Command::new("rpoplpush", 3, Group::List, rpoplpush)
        .flags(WRITE | DENYOOM)
        .acl(acl::LIST)
        .keys(KS_MOVE)
        .doc("1.2.0", "O(1)", "Remove the last element in a list, prepend it to another list and return it")
        .args("source:key destination:key")
        .deprecated("6.2.0", "`LMOVE` with the `RIGHT` and `LEFT` arguments"),
    Command::new("lmpop", -4, Group::List, lmpop)
        .flags(WRITE | MOVABLE_KEYS)
        .acl(acl::LIST)
        .keys(KS_LMPOP)
        .doc("7.0.0", MPOP_COMPLEXITY, "Pop elements from a list")
        .args("numkeys:integer key [key ...] where=(LEFT | RIGHT) [COUNT count:integer]"),
    Command::new("blpop", -3, Group::List, blpop)
        .flags(WRITE | NOSCRIPT | BLOCKING)
        .acl(acl::LIST)
        .keys(KS_BPOP)
        .doc("2.0.0", "O(N) where N is the number of provided keys.", "Remove and get the first element in a list, or block until one is available")
        .args("key [key ...] timeout:double")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    Command::new("brpop", -3, Group::List, brpop)
        .flags(WRITE | NOSCRIPT | BLOCKING)
        .acl(acl::LIST)
        .keys(KS_BPOP)
        .doc("2.0.0", "O(N) where N is the number of provided keys.", "Remove and get the last element in a list, or block until one is available")
        .args("key [key ...] timeout:double")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")]),
    Command::new("blmove", 6, Group::List, blmove)
        .flags(WRITE | DENYOOM | NOSCRIPT | BLOCKING)
        .acl(acl::LIST)
        .keys(KS_MOVE)
        .doc("6.2.0", "O(1)", "Pop an element from a list, push it to another list and return it; or block until one is available")
        .args("source:key destination:key wherefrom=(LEFT | RIGHT) whereto=(LEFT | RIGHT) timeout:double"),
    Command::new("brpoplpush", 4, Group::List, brpoplpush)
        .flags(WRITE | DENYOOM | NOSCRIPT | BLOCKING)
        .acl(acl::LIST)
        .keys(KS_MOVE)
        .doc("2.2.0", "O(1)", "Pop an element from a list, push it to another list and return it; or block until one is available")
        .args("source:key destination:key timeout:double")
        .history(&[("6.0.0", "`timeout` is interpreted as a double instead of an integer.")])
        .deprecated("6.2.0", "`BLMOVE` with the `RIGHT` and `LEFT` arguments"),
    Command::new("blmpop", -5, Group::List, blmpop)
        .flags(WRITE | BLOCKING | MOVABLE_KEYS)
        .acl(acl::LIST)
        .keys(KS_BLMPOP)
        .doc("7.0.0", MPOP_COMPLEXITY, "Pop elements from a list, or block until one is available")
        .args("timeout:double numkeys:integer key [key ...] where=(LEFT | RIGHT) [COUNT count:integer]"),
];

// ---- helpers --------------------------------------------------------------

/// The list in a looked-up entry, for writing: `Err` if the key holds
/// another type.
fn as_list(o: Option<&mut crate::object::Obj>) -> Result<Option<&mut List>, ()> {
    match o {
        None => Ok(None),
        Some(o) => match &mut o.v {
            Value::List(l) => Ok(Some(l)),
            _ => Err(()),
        },
    }
}

/// The same for reading (no copy of a shared value).
fn as_list_ref(o: Option<&crate::object::Obj>) -> Result<Option<&List>, ()> {
    match o {
        None => Ok(None),
        Some(o) => match &o.v {
            Value::List(l) => Ok(Some(l)),
            _ => Err(()),
        },
    }
}

/// A list already looked up in this command, reached again without the
/// side effects of a lookup (access time, stats, expiry).
fn list_again<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a mut List> {
    as_list(srv.dbs[db].get_mut(key)).ok().flatten()
}

/// A new (listpack-encoded) list for a push to a missing key.
fn new_list() -> List {
    List::new_listpack()
}

/// `list-max-listpack-size` and `list-compress-depth` as they are now: a
/// list changing encoding takes them at that moment, as in Redis.
#[derive(Clone, Copy)]
struct Shape {
    fill: i32,
    compress: i32,
}

fn shape(srv: &Server) -> Shape {
    Shape {
        fill: srv.cfg.list_max_listpack_size,
        compress: srv.cfg.list_compress_depth,
    }
}

/// Before adding elements of `add_bytes` bytes in all: a listpack about
/// to outgrow one node becomes a quicklist.
fn grow(l: &mut List, s: Shape, add_bytes: usize, add_len: usize) {
    l.prepare_growth(s.fill, s.compress, add_bytes, add_len);
}

/// After removing elements: whether the list is now empty (the key goes);
/// if not, a quicklist left small becomes a listpack again.
fn shrunk(l: &mut List, s: Shape) -> bool {
    if l.is_empty() {
        return true;
    }
    l.shrink_if_small(s.fill);
    false
}

fn reply_elem(r: &mut ReplyBuf, v: LpValue<'_>) {
    v.with_bytes(|b| r.bulk(b));
}

/// An integer argument within `[min, max]`, else `msg` for any failure
/// (Redis's getRangeLongFromObjectOrReply with a message).
fn range_arg(ctx: &mut Ctx, i: usize, min: i64, max: i64, msg: &str) -> Option<i64> {
    match crate::util::string2ll(ctx.argv.get(i)) {
        Some(v) if (min..=max).contains(&v) => Some(v),
        _ => {
            ctx.error(msg);
            None
        }
    }
}

/// LEFT (true, the head) or RIGHT, else a syntax error.
fn where_arg(ctx: &mut Ctx, i: usize) -> Option<bool> {
    let a = ctx.argv.get(i);
    if a.eq_ignore_ascii_case(b"left") {
        Some(true)
    } else if a.eq_ignore_ascii_case(b"right") {
        Some(false)
    } else {
        ctx.syntax_error();
        None
    }
}

/// Deletes a key whose list was emptied, with its `del` event.
fn delete_emptied(ctx: &mut Ctx, key: &[u8]) {
    let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
    ctx.srv.delete_key(ctx.c.db, key, lazy);
    ctx.notify(ev::GENERIC, "del", key);
}

/// Redis's listElementsRemoved: the pop event, the key's deletion if the
/// list is now empty, and `count` changes.
fn elements_removed(ctx: &mut Ctx, key: &[u8], front: bool, count: usize, empty: bool) {
    ctx.notify(ev::LIST, if front { "lpop" } else { "rpop" }, key);
    if empty {
        delete_emptied(ctx, key);
    }
    ctx.srv.signal_modified_key(ctx.c.db, key);
    ctx.srv.dirty += count as u64;
}

/// Replies with the elements from `start` to `end` (Redis indexes,
/// negative from the tail), as LRANGE.
fn range_reply(r: &mut ReplyBuf, l: &List, start: i64, end: i64) {
    let llen = l.len() as i64;
    let start = if start < 0 { llen + start } else { start }.max(0);
    let end = if end < 0 { llen + end } else { end };
    if start > end || start >= llen {
        return r.array_len(0);
    }
    let end = end.min(llen - 1);
    let n = (end - start + 1) as usize;
    r.array_len(n);
    for v in l.iter_from(start as usize, false).take(n) {
        reply_elem(r, v);
    }
}

/// Pops up to `count` elements from one end, replying with them as an
/// array; returns how many.
fn pop_range_reply(r: &mut ReplyBuf, l: &mut List, front: bool, count: usize) -> usize {
    let len = l.len();
    let n = count.min(len);
    r.array_len(n);
    if n == 0 {
        return 0;
    }
    let (from, start) = if front { (0, 0) } else { (len - 1, len - n) };
    for v in l.iter_from(from, !front).take(n) {
        reply_elem(r, v);
    }
    l.delete_range(start, n);
    n
}

// ---- push and pop -----------------------------------------------------------

fn lpush(ctx: &mut Ctx) {
    push_generic(ctx, true, false)
}

fn rpush(ctx: &mut Ctx) {
    push_generic(ctx, false, false)
}

fn lpushx(ctx: &mut Ctx) {
    push_generic(ctx, true, true)
}

fn rpushx(ctx: &mut Ctx) {
    push_generic(ctx, false, true)
}

/// [L|R]PUSH[X] key element [element ...]
fn push_generic(ctx: &mut Ctx, front: bool, only_existing: bool) {
    let n = ctx.argv.len();
    if (2..n).any(|j| ctx.argv.get(j).len() > MAX_ITEM_SIZE) {
        return ctx.error("ERR Element too large");
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let s = shape(ctx.srv);
    let add_bytes: usize = (2..n).map(|j| ctx.argv.get(j).len()).sum();
    let len = match as_list(ctx.srv.lookup_write(db, key)) {
        Err(()) => return ctx.wrong_type(),
        Ok(Some(l)) => {
            grow(l, s, add_bytes, n - 2);
            for j in 2..n {
                l.push(ctx.argv.get(j), front);
            }
            l.len()
        }
        Ok(None) if only_existing => return ctx.c.reply.int(0),
        Ok(None) => {
            let mut l = new_list();
            grow(&mut l, s, add_bytes, n - 2);
            for j in 2..n {
                l.push(ctx.argv.get(j), front);
            }
            let len = l.len();
            ctx.srv.add_key(db, key, Value::List(l));
            len
        }
    };
    ctx.c.reply.int(len as i64);
    // One change per element, as Redis counts them.
    ctx.srv.dirty += (n - 3) as u64;
    ctx.written(key, ev::LIST, if front { "lpush" } else { "rpush" });
}

fn lpop(ctx: &mut Ctx) {
    pop_generic(ctx, true)
}

fn rpop(ctx: &mut Ctx) {
    pop_generic(ctx, false)
}

/// [L|R]POP key [count]
fn pop_generic(ctx: &mut Ctx, front: bool) {
    if ctx.argv.len() > 3 {
        return ctx.arity_error();
    }
    let count = if ctx.argv.len() == 3 {
        match range_arg(ctx, 2, 0, i64::MAX, "ERR value is out of range, must be positive") {
            Some(c) => Some(c as usize),
            None => return,
        }
    } else {
        None
    };
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let s = shape(ctx.srv);
    let (n, empty) = match as_list(ctx.srv.lookup_write(db, key)) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) if count.is_some() => return ctx.c.reply.null_array(),
        Ok(None) => return ctx.c.reply.null(),
        Ok(Some(l)) => {
            let r = &mut ctx.c.reply;
            match count {
                Some(0) => return r.array_len(0),
                Some(c) => (pop_range_reply(r, l, front, c), shrunk(l, s)),
                None => match l.pop(front) {
                    Some(v) => {
                        r.bulk(&v);
                        (1, shrunk(l, s))
                    }
                    None => return r.null(),
                },
            }
        }
    };
    elements_removed(ctx, key, front, n, empty);
}

// ---- reads ---------------------------------------------------------------------

/// LLEN key
fn llen(ctx: &mut Ctx) {
    let db = ctx.c.db;
    match as_list_ref(ctx.srv.lookup_read(db, ctx.argv.get(1))) {
        Err(()) => ctx.wrong_type(),
        Ok(l) => ctx.c.reply.int(l.map_or(0, List::len) as i64),
    }
}

/// LRANGE key start stop
fn lrange(ctx: &mut Ctx) {
    let Some(start) = ctx.int_arg(2) else { return };
    let Some(end) = ctx.int_arg(3) else { return };
    let db = ctx.c.db;
    match as_list_ref(ctx.srv.lookup_read(db, ctx.argv.get(1))) {
        Err(()) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.array_len(0),
        Ok(Some(l)) => range_reply(&mut ctx.c.reply, l, start, end),
    }
}

/// LINDEX key index
fn lindex(ctx: &mut Ctx) {
    let index = crate::util::string2ll(ctx.argv.get(2));
    let db = ctx.c.db;
    match as_list_ref(ctx.srv.lookup_read(db, ctx.argv.get(1))) {
        Err(()) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.null(),
        Ok(Some(l)) => match index {
            None => ctx.error(err::NOT_INT),
            Some(i) => match l.get(i) {
                Some(v) => reply_elem(&mut ctx.c.reply, v),
                None => ctx.c.reply.null(),
            },
        },
    }
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
fn lpos(ctx: &mut Ctx) {
    let ele = ctx.argv.get(2);
    let argc = ctx.argv.len();
    let (mut rank, mut count, mut maxlen) = (1i64, None, 0i64);
    let mut j = 3;
    while j < argc {
        let opt = ctx.argv.get(j);
        let more = j + 1 < argc;
        if opt.eq_ignore_ascii_case(b"RANK") && more {
            j += 1;
            let Some(r) = ctx.int_arg(j) else { return };
            if r == 0 {
                return ctx.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
            }
            rank = r;
        } else if opt.eq_ignore_ascii_case(b"COUNT") && more {
            j += 1;
            let Some(c) = range_arg(ctx, j, 0, i64::MAX, "ERR COUNT can't be negative") else {
                return;
            };
            count = Some(c);
        } else if opt.eq_ignore_ascii_case(b"MAXLEN") && more {
            j += 1;
            let Some(m) = range_arg(ctx, j, 0, i64::MAX, "ERR MAXLEN can't be negative") else {
                return;
            };
            maxlen = m;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    // A negative rank searches from the tail (i64::MIN stays negative, as
    // in Redis, and then matches from the first hit on).
    let from_tail = rank < 0;
    if from_tail {
        rank = rank.wrapping_neg();
    }
    let db = ctx.c.db;
    let l = match as_list_ref(ctx.srv.lookup_read(db, ctx.argv.get(1))) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) if count.is_some() => return ctx.c.reply.array_len(0),
        Ok(None) => return ctx.c.reply.null(),
        Ok(Some(l)) => l,
    };
    let r = &mut ctx.c.reply;
    let llen = l.len();
    let iter = if from_tail {
        l.iter_from(llen.saturating_sub(1), true)
    } else {
        l.iter_from(0, false)
    };
    let eint = crate::util::string2ll(ele);
    let deferred = count.map(|_| r.defer_len());
    let mut matches = 0i64;
    let mut arraylen = 0usize;
    let mut found = None;
    for (index, v) in iter.enumerate() {
        if maxlen != 0 && index as i64 >= maxlen {
            break;
        }
        if !elem_eq(v, ele, eint) {
            continue;
        }
        matches += 1;
        if matches < rank {
            continue;
        }
        let at = if from_tail { llen - index - 1 } else { index } as i64;
        match count {
            Some(c) => {
                arraylen += 1;
                r.int(at);
                if c != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= c {
                    break;
                }
            }
            None => {
                found = Some(at);
                break;
            }
        }
    }
    match (deferred, found) {
        (Some(pos), _) => r.set_deferred(pos, b'*', arraylen),
        (None, Some(at)) => r.int(at),
        (None, None) => r.null(),
    }
}

// ---- edits -------------------------------------------------------------------

/// LSET key index element
fn lset(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let value = ctx.argv.get(3);
    let index = crate::util::string2ll(ctx.argv.get(2));
    let s = shape(ctx.srv);
    let done = match as_list(ctx.srv.lookup_write(db, key)) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.error(err::NO_SUCH_KEY),
        Ok(Some(l)) => match index {
            None => return ctx.error(err::NOT_INT),
            Some(_) if value.len() > MAX_ITEM_SIZE => return ctx.error("ERR Element too large"),
            Some(i) => {
                // As Redis: the growth check counts the new value as an
                // addition, and a smaller value may let a quicklist shrink.
                grow(l, s, value.len(), 1);
                let done = l.set(i, value);
                if done {
                    shrunk(l, s);
                }
                done
            }
        },
    };
    if !done {
        return ctx.error(err::OUT_OF_RANGE);
    }
    ctx.c.reply.ok();
    ctx.written(key, ev::LIST, "lset");
}

/// LINSERT key BEFORE|AFTER pivot element
fn linsert(ctx: &mut Ctx) {
    let w = ctx.argv.get(2);
    let after = if w.eq_ignore_ascii_case(b"after") {
        true
    } else if w.eq_ignore_ascii_case(b"before") {
        false
    } else {
        return ctx.syntax_error();
    };
    let (key, pivot, value) = (ctx.argv.get(1), ctx.argv.get(3), ctx.argv.get(4));
    if value.len() > MAX_ITEM_SIZE {
        return ctx.error("ERR Element too large");
    }
    let db = ctx.c.db;
    let s = shape(ctx.srv);
    let len = match as_list(ctx.srv.lookup_write(db, key)) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.int(0),
        Ok(Some(l)) => {
            // Before the pivot is searched for, as Redis (which cannot
            // convert while iterating): a missing pivot may still leave the
            // list a quicklist.
            grow(l, s, value.len(), 1);
            if !l.insert_at_pivot(pivot, value, after) {
                return ctx.c.reply.int(-1);
            }
            l.len()
        }
    };
    ctx.c.reply.int(len as i64);
    ctx.written(key, ev::LIST, "linsert");
}

/// LREM key count element
fn lrem(ctx: &mut Ctx) {
    let Some(count) = ctx.int_arg(2) else { return };
    let (key, value) = (ctx.argv.get(1), ctx.argv.get(3));
    // count < 0 removes from the tail; i64::MIN negates to itself in
    // Redis and so never reaches its limit.
    let (limit, from_tail) = match count {
        0 => (None, false),
        c if c > 0 => (Some(c as usize), false),
        c => (usize::try_from(c.wrapping_neg()).ok(), true),
    };
    let db = ctx.c.db;
    let s = shape(ctx.srv);
    let (removed, empty) = match as_list(ctx.srv.lookup_write(db, key)) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.int(0),
        Ok(Some(l)) => {
            let removed = l.remove(value, limit, from_tail);
            let empty = if removed > 0 { shrunk(l, s) } else { l.is_empty() };
            (removed, empty)
        }
    };
    if removed > 0 {
        ctx.srv.signal_modified_key(db, key);
        ctx.notify(ev::LIST, "lrem", key);
        ctx.srv.dirty += removed as u64;
    }
    if empty {
        delete_emptied(ctx, key);
    }
    ctx.c.reply.int(removed as i64);
}

/// LTRIM key start stop
fn ltrim(ctx: &mut Ctx) {
    let Some(start) = ctx.int_arg(2) else { return };
    let Some(end) = ctx.int_arg(3) else { return };
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let s = shape(ctx.srv);
    let (trimmed, empty) = match as_list(ctx.srv.lookup_write(db, key)) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.ok(),
        Ok(Some(l)) => {
            let llen = l.len() as i64;
            let start = if start < 0 { llen + start } else { start }.max(0);
            let end = if end < 0 { llen + end } else { end };
            let (ltrim, rtrim) = if start > end || start >= llen {
                (llen, 0)
            } else {
                (start, llen - end.min(llen - 1) - 1)
            };
            l.delete_range(0, ltrim as usize);
            let left = l.len();
            l.delete_range(left - rtrim as usize, rtrim as usize);
            ((ltrim + rtrim) as u64, shrunk(l, s))
        }
    };
    ctx.notify(ev::LIST, "ltrim", key);
    if empty {
        delete_emptied(ctx, key);
    }
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.dirty += trimmed;
    ctx.c.reply.ok();
}

// ---- moves ---------------------------------------------------------------------

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
fn lmove(ctx: &mut Ctx) {
    let Some(from_front) = where_arg(ctx, 3) else { return };
    let Some(to_front) = where_arg(ctx, 4) else { return };
    move_generic(ctx, from_front, to_front, None);
}

/// RPOPLPUSH source destination
fn rpoplpush(ctx: &mut Ctx) {
    move_generic(ctx, false, true, None);
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
fn blmove(ctx: &mut Ctx) {
    let Some(from_front) = where_arg(ctx, 3) else { return };
    let Some(to_front) = where_arg(ctx, 4) else { return };
    let Some(deadline) = parse_timeout_secs(ctx, 5) else {
        return;
    };
    move_generic(ctx, from_front, to_front, Some(deadline));
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(ctx: &mut Ctx) {
    let Some(deadline) = parse_timeout_secs(ctx, 3) else {
        return;
    };
    move_generic(ctx, false, true, Some(deadline));
}

/// Moves one element from `source` to `destination`. `blocking` holds the
/// deadline of the blocking forms, which wait while the source is empty.
fn move_generic(ctx: &mut Ctx, from_front: bool, to_front: bool, blocking: Option<Option<i64>>) {
    let db = ctx.c.db;
    let (src, dst) = (ctx.argv.get(1), ctx.argv.get(2));
    let has_data = match as_list_ref(ctx.srv.lookup_write(db, src).map(|o| &*o)) {
        Err(()) => return ctx.wrong_type(),
        Ok(l) => l.is_some_and(|l| !l.is_empty()),
    };
    if !has_data {
        return match blocking {
            Some(deadline) if ctx.can_block() => {
                ctx.block_on_keys(&[src], Type::List, deadline, TimeoutReply::NullArray)
            }
            _ => ctx.c.reply.null(),
        };
    }
    if as_list_ref(ctx.srv.lookup_write(db, dst).map(|o| &*o)).is_err() {
        return ctx.wrong_type();
    }
    let s = shape(ctx.srv);
    let Some((value, add_bytes)) = list_again(ctx.srv, db, src).and_then(|l| {
        // Redis's growth check skips a value it holds as an integer, which
        // a pop from a quicklist gives for an integer element.
        let from_quicklist = matches!(l, List::Quicklist(_));
        let v = l.pop(from_front)?;
        let as_int = from_quicklist && crate::util::string2ll(&v).is_some();
        let bytes = if as_int { 0 } else { v.len() };
        Some((v, bytes))
    }) else {
        return ctx.c.reply.null();
    };
    match list_again(ctx.srv, db, dst) {
        Some(l) => {
            grow(l, s, add_bytes, 1);
            l.push(&value, to_front);
        }
        None => {
            let mut l = new_list();
            grow(&mut l, s, add_bytes, 1);
            l.push(&value, to_front);
            ctx.srv.add_key(db, dst, Value::List(l));
        }
    }
    ctx.srv.signal_modified_key(db, dst);
    ctx.notify(ev::LIST, if to_front { "lpush" } else { "rpush" }, dst);
    ctx.c.reply.bulk(&value);
    ctx.notify(ev::LIST, if from_front { "lpop" } else { "rpop" }, src);
    if list_again(ctx.srv, db, src).is_some_and(|l| shrunk(l, s)) {
        delete_emptied(ctx, src);
    }
    ctx.srv.signal_modified_key(db, src);
    ctx.srv.dirty += 1;
    if blocking.is_some() {
        propagate_move(ctx, from_front, to_front);
    }
}

/// A blocking move propagates as the non-blocking one: a replay must not
/// wait (Redis propagates LMOVE/RPOPLPUSH for a served blocked client).
fn propagate_move(ctx: &mut Ctx, from_front: bool, to_front: bool) {
    let (src, dst) = (ctx.argv.get(1), ctx.argv.get(2));
    if ctx.cmd.name == "brpoplpush" {
        ctx.propagate_as(&[&b"RPOPLPUSH"[..], src, dst]);
    } else {
        let side = |front: bool| if front { &b"LEFT"[..] } else { b"RIGHT" };
        ctx.propagate_as(&[&b"LMOVE"[..], src, dst, side(from_front), side(to_front)]);
    }
}

// ---- blocking and multi-key pops ----------------------------------------------------

/// Pops from the first non-empty list of `keys` (on a re-run for a ready
/// key, from that key only): one element as `[key, element]`, or with
/// `count` as `[key, [elements]]`. False if every list was empty; true
/// after a reply (including WRONGTYPE).
fn serve_pop(ctx: &mut Ctx, keys: &[&[u8]], front: bool, count: Option<usize>) -> bool {
    let ready = ctx.ready_key();
    let db = ctx.c.db;
    let s = shape(ctx.srv);
    for &key in keys {
        if ready.as_ref().is_some_and(|r| r.as_bytes() != key) {
            continue;
        }
        let (n, empty) = match as_list(ctx.srv.lookup_write(db, key)) {
            Err(()) => {
                ctx.wrong_type();
                return true;
            }
            Ok(None) => continue,
            Ok(Some(l)) if l.is_empty() => continue,
            Ok(Some(l)) => {
                let r = &mut ctx.c.reply;
                match count {
                    Some(c) => {
                        r.array_len(2);
                        r.bulk(key);
                        (pop_range_reply(r, l, front, c), shrunk(l, s))
                    }
                    None => {
                        let Some(v) = l.pop(front) else { continue };
                        r.array_len(2);
                        r.bulk(key);
                        r.bulk(&v);
                        (1, shrunk(l, s))
                    }
                }
            }
        };
        // As the plain pop: a replay must neither block nor pick another key.
        let pop: &[u8] = if front { b"LPOP" } else { b"RPOP" };
        match count {
            Some(_) => ctx.propagate_as(&[pop, key, &crate::propagate::num(n as i64)]),
            None => ctx.propagate_as(&[pop, key]),
        }
        elements_removed(ctx, key, front, n, empty);
        return true;
    }
    false
}

fn blpop(ctx: &mut Ctx) {
    blocking_pop(ctx, true)
}

fn brpop(ctx: &mut Ctx) {
    blocking_pop(ctx, false)
}

/// B[L|R]POP key [key ...] timeout
fn blocking_pop(ctx: &mut Ctx, front: bool) {
    let argc = ctx.argv.len();
    let Some(deadline) = parse_timeout_secs(ctx, argc - 1) else {
        return;
    };
    let argv = ctx.argv;
    let keys: Vec<&[u8]> = (1..argc - 1).map(|j| argv.get(j)).collect();
    if serve_pop(ctx, &keys, front, None) {
        return;
    }
    if !ctx.can_block() {
        return ctx.c.reply.null_array();
    }
    ctx.block_on_keys(&keys, Type::List, deadline, TimeoutReply::NullArray);
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop(ctx: &mut Ctx) {
    mpop_generic(ctx, 1, false)
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn blmpop(ctx: &mut Ctx) {
    mpop_generic(ctx, 2, true)
}

fn mpop_generic(ctx: &mut Ctx, numkeys_idx: usize, block: bool) {
    let argc = ctx.argv.len();
    let Some(numkeys) = range_arg(ctx, numkeys_idx, 1, i64::MAX, "ERR numkeys should be greater than 0") else {
        return;
    };
    let where_idx = match usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_idx + 1))
    {
        Some(i) if i < argc => i,
        _ => return ctx.syntax_error(),
    };
    let Some(front) = where_arg(ctx, where_idx) else { return };
    let mut count = None;
    let mut j = where_idx + 1;
    while j < argc {
        if count.is_none() && ctx.argv.get(j).eq_ignore_ascii_case(b"COUNT") && j + 1 < argc {
            j += 1;
            let Some(c) = range_arg(ctx, j, 1, i64::MAX, "ERR count should be greater than 0") else {
                return;
            };
            count = Some(c as usize);
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    let deadline = if block {
        let Some(d) = parse_timeout_secs(ctx, 1) else { return };
        Some(d)
    } else {
        None
    };
    let argv = ctx.argv;
    let keys: Vec<&[u8]> = (numkeys_idx + 1..where_idx).map(|j| argv.get(j)).collect();
    if serve_pop(ctx, &keys, front, Some(count.unwrap_or(1))) {
        return;
    }
    match deadline {
        Some(d) if ctx.can_block() => ctx.block_on_keys(&keys, Type::List, d, TimeoutReply::NullArray),
        _ => ctx.c.reply.null_array(),
    }
}
