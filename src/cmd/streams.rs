//! Stream commands (Redis 7.0's t_stream.c): XADD, XRANGE, XREAD, consumer
//! groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM) and XINFO.
//!
//! XADD/XTRIM share `parse_add_trim` (Redis's
//! `streamParseAddOrTrimArgsOrReply`), XRANGE/XREVRANGE `range_generic`,
//! XREAD/XREADGROUP `read_generic`. A blocking read that finds nothing
//! parks the client with `$` already resolved to the stream's last ID in
//! its saved command, and is re-run for the key that became ready, which
//! it serves alone, as Redis 7.0 does.
//!
//! Propagation follows Redis 7.0: what XREADGROUP, XCLAIM and XAUTOCLAIM
//! do to a group goes out as `XCLAIM ... FORCE JUSTID LASTID` per entry
//! (plus `XGROUP SETID` / `XGROUP CREATECONSUMER` where no XCLAIM carries
//! it), XADD with the ID it generated, approximate trims as the exact trim
//! they amounted to.

use super::{acl, err, ev, flags::*, ks, BeginSearch, Command, Ctx, FindKeys, Group, KeySpec};
use crate::blocking::{parse_timeout_ms, TimeoutReply};
use crate::listpack::LpValue;
use crate::object::{Type, Value};
use crate::reply::ReplyBuf;
use crate::server::Server;
use crate::t_stream::{self as ts, parse_id, Consumer, Nack, Stream, StreamId, Trim, INVALID_ENTRIES_READ};
use std::sync::Arc;

const KS_RW_UPDATE: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::UPDATE)];
const KS_XADD: &[KeySpec] =
    &[KeySpec::one(1, ks::RW | ks::UPDATE).notes("UPDATE instead of INSERT because of the optional trimming feature")];
const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
const KS_RO_ACCESS: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];
const KS_RW_DELETE: &[KeySpec] = &[KeySpec::one(1, ks::RW | ks::DELETE)];
const KS_SUB_RO: &[KeySpec] = &[KeySpec::one(2, ks::RO | ks::ACCESS)];
const KS_SUB_INSERT: &[KeySpec] = &[KeySpec::one(2, ks::RW | ks::INSERT)];
const KS_SUB_UPDATE: &[KeySpec] = &[KeySpec::one(2, ks::RW | ks::UPDATE)];
const KS_SUB_DELETE: &[KeySpec] = &[KeySpec::one(2, ks::RW | ks::DELETE)];
const fn ks_read(startfrom: i32) -> [KeySpec; 1] {
    [KeySpec {
        notes: "",
        flags: ks::RO | ks::ACCESS,
        begin: BeginSearch::Keyword {
            keyword: "STREAMS",
            startfrom,
        },
        find: FindKeys::Range {
            lastkey: -1,
            step: 1,
            limit: 2,
        },
    }]
}
const KS_XREAD: &[KeySpec] = &ks_read(1);
const KS_XREADGROUP: &[KeySpec] = &ks_read(4);
const ND: &[&str] = &["nondeterministic_output"];
const RANGE_COMPLEXITY: &str = "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).";

pub static COMMANDS: &[Command] = &[
    Command::new("xadd", -5, Group::Stream, xadd)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STREAM)
        .keys(KS_XADD)
        .doc(
            "5.0.0",
            "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
            "Appends a new entry to a stream",
        )
        .args("key [NOMKSTREAM@6.2.0] [trim=(strategy=(MAXLEN | MINID@6.2.0) operator=[equal=\"=\" | approximately=\"~\"] threshold [LIMIT count:integer@6.2.0])] id_or_auto=(auto_id=\"*\" | id) field_value=(field value) ...")
        .tips(ND)
        .history(&[
            ("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."),
            ("7.0.0", "Added support for the `<ms>-*` explicit ID form."),
        ]),
    Command::new("xack", -4, Group::Stream, xack)
        .flags(WRITE | FAST)
        .acl(acl::STREAM)
        .keys(KS_RW_UPDATE)
        .doc(
            "5.0.0",
            "O(1) for each message ID processed.",
            "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
        )
        .args("key group id [id ...]"),
    Command::new("xautoclaim", -6, Group::Stream, xautoclaim)
        .flags(WRITE | FAST)
        .acl(acl::STREAM)
        .keys(KS_RW_DELETE)
        .doc(
            "6.2.0",
            "O(1) if COUNT is small.",
            "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
        )
        .args("key group consumer min-idle-time start [COUNT count:integer] [JUSTID]")
        .tips(ND)
        .history(&[
            ("7.0.0", "Added an element to the reply array, containing deleted entries the command cleared from the PEL"),
        ]),
    Command::new("xclaim", -6, Group::Stream, xclaim)
        .flags(WRITE | FAST)
        .acl(acl::STREAM)
        .keys(KS_RW_UPDATE)
        .doc(
            "5.0.0",
            "O(log N) with N being the number of messages in the PEL of the consumer group.",
            "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
        )
        .args("key group consumer min-idle-time id [id ...] [IDLE ms:integer] [TIME unix-time-milliseconds:unix-time] [RETRYCOUNT count:integer] [FORCE] [JUSTID] [LASTID id]")
        .tips(ND),
    Command::new("xdel", -3, Group::Stream, xdel)
        .flags(WRITE | FAST)
        .acl(acl::STREAM)
        .keys(KS_RW_DELETE)
        .doc(
            "5.0.0",
            "O(1) for each single item to delete in the stream, regardless of the stream size.",
            "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
        )
        .args("key id [id ...]"),
    Command::container("xgroup", Group::Stream, XGROUP_SUBS).doc("5.0.0", "Depends on subcommand.", "A container for consumer groups commands"),
    Command::container("xinfo", Group::Stream, XINFO_SUBS).doc("5.0.0", "Depends on subcommand.", "A container for stream introspection commands"),
    Command::new("xlen", 2, Group::Stream, xlen)
        .flags(READONLY | FAST)
        .acl(acl::STREAM)
        .keys(KS_RO)
        .doc("5.0.0", "O(1)", "Return the number of entries in a stream")
        .args("key"),
    Command::new("xpending", -3, Group::Stream, xpending)
        .flags(READONLY)
        .acl(acl::STREAM)
        .keys(KS_RO_ACCESS)
        .doc(
            "5.0.0",
            "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
            "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
        )
        .args("key group filters=[[IDLE min-idle-time:integer@6.2.0] start end count:integer [consumer]]")
        .tips(ND)
        .history(&[("6.2.0", "Added the `IDLE` option and exclusive range intervals.")]),
    Command::new("xrange", -4, Group::Stream, xrange)
        .flags(READONLY)
        .acl(acl::STREAM)
        .keys(KS_RO_ACCESS)
        .doc("5.0.0", RANGE_COMPLEXITY, "Return a range of elements in a stream, with IDs matching the specified IDs interval")
        .args("key start end [COUNT count:integer]")
        .history(&[("6.2.0", "Added exclusive ranges.")]),
    Command::new("xread", -4, Group::Stream, xread)
        .flags(READONLY | BLOCKING | MOVABLE_KEYS)
        .acl(acl::STREAM)
        .keys(KS_XREAD)
        .doc(
            "5.0.0",
            "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
            "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
        )
        .args("[COUNT count:integer] [BLOCK milliseconds:integer] streams=(STREAMS key [key ...] id [id ...])"),
    Command::new("xreadgroup", -7, Group::Stream, xreadgroup)
        .flags(WRITE | BLOCKING | MOVABLE_KEYS)
        .acl(acl::STREAM)
        .keys(KS_XREADGROUP)
        .doc(
            "5.0.0",
            "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
            "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
        )
        .args("group_consumer=(GROUP group consumer) [COUNT count:integer] [BLOCK milliseconds:integer] [NOACK] streams=(STREAMS key [key ...] id [id ...])"),
    Command::new("xrevrange", -4, Group::Stream, xrevrange)
        .flags(READONLY)
        .acl(acl::STREAM)
        .keys(KS_RO_ACCESS)
        .doc(
            "5.0.0",
            "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
            "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
        )
        .args("key end start [COUNT count:integer]")
        .history(&[("6.2.0", "Added exclusive ranges.")]),
    Command::new("xsetid", -3, Group::Stream, xsetid)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::STREAM)
        .keys(KS_RW_UPDATE)
        .doc("5.0.0", "O(1)", "An internal command for replicating stream values")
        .args("key last-id [ENTRIESADDED entries_added:integer@7.0.0] [MAXDELETEDID max_deleted_entry_id@7.0.0]")
        .history(&[("7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments.")]),
    Command::new("xtrim", -4, Group::Stream, xtrim)
        .flags(WRITE)
        .acl(acl::STREAM)
        .keys(KS_RW_DELETE)
        .doc(
            "5.0.0",
            "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
            "Trims the stream to (approximately if '~' is passed) a certain size",
        )
        .args("key trim=(strategy=(MAXLEN | MINID@6.2.0) operator=[equal=\"=\" | approximately=\"~\"] threshold [LIMIT count:integer@6.2.0])")
        .tips(ND)
        .history(&[("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option.")]),
];

static XGROUP_SUBS: &[Command] = &[
    Command::new("createconsumer", 5, Group::Stream, xgroup_createconsumer)
        .flags(WRITE | DENYOOM)
        .acl(acl::STREAM)
        .keys(KS_SUB_INSERT)
        .doc("6.2.0", "O(1)", "Create a consumer in a consumer group.")
        .args("key groupname consumername"),
    Command::new("setid", -5, Group::Stream, xgroup_setid)
        .flags(WRITE)
        .acl(acl::STREAM)
        .keys(KS_SUB_UPDATE)
        .doc(
            "5.0.0",
            "O(1)",
            "Set a consumer group to an arbitrary last delivered ID value.",
        )
        .args("key groupname id=(id | new_id=\"$\") [ENTRIESREAD entries_read:integer]")
        .history(&[("7.0.0", "Added the optional `entries_read` argument.")]),
    Command::new("help", 2, Group::Stream, xgroup_help)
        .flags(LOADING | STALE)
        .acl(acl::STREAM)
        .doc("5.0.0", "O(1)", "Show helpful text about the different subcommands"),
    Command::new("create", -5, Group::Stream, xgroup_create)
        .flags(WRITE | DENYOOM)
        .acl(acl::STREAM)
        .keys(KS_SUB_INSERT)
        .doc("5.0.0", "O(1)", "Create a consumer group.")
        .args("key groupname id=(id | new_id=\"$\") [MKSTREAM] [ENTRIESREAD entries_read:integer]")
        .history(&[("7.0.0", "Added the `entries_read` named argument.")]),
    Command::new("delconsumer", 5, Group::Stream, xgroup_delconsumer)
        .flags(WRITE)
        .acl(acl::STREAM)
        .keys(KS_SUB_DELETE)
        .doc("5.0.0", "O(1)", "Delete a consumer from a consumer group.")
        .args("key groupname consumername"),
    Command::new("destroy", 4, Group::Stream, xgroup_destroy)
        .flags(WRITE)
        .acl(acl::STREAM)
        .keys(KS_SUB_DELETE)
        .doc(
            "5.0.0",
            "O(N) where N is the number of entries in the group's pending entries list (PEL).",
            "Destroy a consumer group.",
        )
        .args("key groupname"),
];

static XINFO_SUBS: &[Command] = &[
    Command::new("groups", 3, Group::Stream, xinfo_groups)
        .flags(READONLY)
        .acl(acl::STREAM)
        .keys(KS_SUB_RO)
        .doc("5.0.0", "O(1)", "List the consumer groups of a stream")
        .args("key")
        .history(&[("7.0.0", "Added the `entries-read` and `lag` fields")]),
    Command::new("consumers", 4, Group::Stream, xinfo_consumers)
        .flags(READONLY)
        .acl(acl::STREAM)
        .keys(KS_SUB_RO)
        .doc("5.0.0", "O(1)", "List the consumers in a consumer group")
        .args("key groupname")
        .tips(ND),
    Command::new("stream", -3, Group::Stream, xinfo_stream)
        .flags(READONLY)
        .acl(acl::STREAM)
        .keys(KS_SUB_RO)
        .doc("5.0.0", "O(1)", "Get information about a stream")
        .args("key full=[FULL ([COUNT count:integer])]")
        .history(&[
            ("6.0.0", "Added the `FULL` modifier."),
            ("7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields"),
        ]),
    Command::new("help", 2, Group::Stream, xinfo_help)
        .flags(LOADING | STALE)
        .acl(acl::STREAM)
        .doc("5.0.0", "O(1)", "Show helpful text about the different subcommands"),
];

// ---- helpers ------------------------------------------------------------------------

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// An argument as Redis's `%s` prints it: up to the first NUL, whole.
fn c_text(b: &[u8]) -> String {
    String::from_utf8_lossy(super::cstr(b)).into_owned()
}

/// Looks up a stream (with the lookup's side effects): Err for another
/// type.
fn lookup<'a>(srv: &'a mut Server, db: usize, key: &[u8], write: bool) -> Result<Option<&'a mut Arc<Stream>>, ()> {
    // A read then reaches the value through `get_mut` (the callers share
    // one signature): for a running snapshot that is an `Arc` clone.
    let o = if write {
        srv.lookup_write(db, key)
    } else if srv.lookup_read(db, key).is_some() {
        srv.dbs[db].get_mut(key)
    } else {
        None
    };
    match o {
        None => Ok(None),
        Some(o) => match &mut o.v {
            Value::Stream(s) => Ok(Some(s)),
            _ => Err(()),
        },
    }
}

/// A stream already looked up in this command, reached again without the
/// side effects of a lookup.
fn again<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a mut Stream> {
    match srv.dbs[db].get_mut(key) {
        Some(o) => match &mut o.v {
            Value::Stream(s) => Some(Arc::make_mut(s)),
            _ => None,
        },
        None => None,
    }
}

/// The same for reading: no copy of a shared value.
fn peek<'a>(srv: &'a Server, db: usize, key: &[u8]) -> Option<&'a Stream> {
    match srv.dbs[db].get(key) {
        Some(o) => match &o.v {
            Value::Stream(s) => Some(s),
            _ => None,
        },
        None => None,
    }
}

/// A strict ID argument (no `-`/`+`) or the error reply.
fn id_arg(ctx: &mut Ctx, i: usize) -> Option<StreamId> {
    match parse_id(ctx.argv.get(i), 0, true, false) {
        Some(p) => Some(p.id),
        None => {
            ctx.error(INVALID_ID);
            None
        }
    }
}

/// Redis `streamParseIntervalIDOrReply`: an ID that may be `-`/`+`, or
/// exclusive with `(` (then strict). Returns the ID and whether exclusive.
fn interval_arg(ctx: &mut Ctx, i: usize, missing_seq: u64) -> Option<(StreamId, bool)> {
    let a = ctx.argv.get(i);
    let exclusive = a.len() > 1 && a[0] == b'(';
    let parsed = if exclusive {
        parse_id(&a[1..], missing_seq, true, false)
    } else {
        parse_id(a, missing_seq, false, false)
    };
    match parsed {
        Some(p) => Some((p.id, exclusive)),
        None => {
            ctx.error(INVALID_ID);
            None
        }
    }
}

/// Range start: an exclusive start moves up by one.
fn start_arg(ctx: &mut Ctx, i: usize) -> Option<StreamId> {
    let (id, ex) = interval_arg(ctx, i, 0)?;
    if !ex {
        return Some(id);
    }
    let r = id.incr();
    if r.is_none() {
        ctx.error("ERR invalid start ID for the interval");
    }
    r
}

/// Range end: an exclusive end moves down by one.
fn end_arg(ctx: &mut Ctx, i: usize) -> Option<StreamId> {
    let (id, ex) = interval_arg(ctx, i, u64::MAX)?;
    if !ex {
        return Some(id);
    }
    let r = id.decr();
    if r.is_none() {
        ctx.error("ERR invalid end ID for the interval");
    }
    r
}

/// An integer argument with a custom error text.
fn int_arg_msg(ctx: &mut Ctx, i: usize, msg: &str) -> Option<i64> {
    let v = crate::util::string2ll(ctx.argv.get(i));
    if v.is_none() {
        ctx.error(msg);
    }
    v
}

fn reply_id(r: &mut ReplyBuf, id: StreamId) {
    let mut b = Vec::with_capacity(44);
    id.write_to(&mut b);
    r.bulk(&b);
}

fn reply_lp(r: &mut ReplyBuf, v: LpValue<'_>) {
    v.with_bytes(|b| r.bulk(b));
}

/// `[id, [field, value, ...]]`.
fn reply_entry(r: &mut ReplyBuf, e: &ts::EntryRef<'_, '_>) {
    r.array_len(2);
    reply_id(r, e.id());
    r.array_len(e.nfields() * 2);
    for (f, v) in e.pairs() {
        reply_lp(r, f);
        reply_lp(r, v);
    }
}

/// Replies with the entries in `start..=end` (`count` 0: all) as an array;
/// returns their IDs.
fn reply_range(r: &mut ReplyBuf, s: &Stream, start: StreamId, end: StreamId, count: usize, rev: bool) -> Vec<StreamId> {
    let pos = r.defer_len();
    let mut ids = Vec::new();
    s.range(start, end, rev, |e| {
        reply_entry(r, &e);
        ids.push(e.id());
        count == 0 || ids.len() < count
    });
    r.set_deferred(pos, b'*', ids.len());
    ids
}

/// The entry `id` alone (XCLAIM/XAUTOCLAIM/XINFO first/last entry).
fn reply_one(r: &mut ReplyBuf, s: &Stream, id: StreamId) -> bool {
    s.with_entry(id, |e| reply_entry(r, &e)).is_some()
}

/// Creates a consumer (Redis `streamCreateConsumer`): seen now, notified.
fn create_consumer(ctx: &mut Ctx, key: &[u8], gname: &[u8], cname: &[u8]) -> bool {
    let now = ctx.srv.cmd_time_ms;
    let db = ctx.c.db;
    let Some(g) = again(ctx.srv, db, key).and_then(|s| s.groups.get_mut(gname)) else {
        return false;
    };
    // An existing consumer is left as it is (its seen time too).
    if g.consumers.contains_key(cname) {
        return false;
    }
    g.seen_consumer(cname, now);
    ctx.srv.dirty += 1;
    ctx.notify(ev::STREAM, "xgroup-createconsumer", key);
    true
}

/// Looks a consumer up, creating it if needed; refreshes its seen time.
/// True if it was created.
fn touch_consumer(ctx: &mut Ctx, key: &[u8], gname: &[u8], cname: &[u8]) -> bool {
    if create_consumer(ctx, key, gname, cname) {
        return true;
    }
    let now = ctx.srv.cmd_time_ms;
    let db = ctx.c.db;
    if let Some(c) = again(ctx.srv, db, key)
        .and_then(|s| s.groups.get_mut(gname))
        .and_then(|g| g.consumers.get_mut(cname))
    {
        c.seen_time = now;
    }
    false
}

/// Commands a group change propagates as, gathered while the stream is
/// borrowed and queued afterwards.
type Ops = Vec<Vec<Vec<u8>>>;

/// Redis's streamPropagateXCLAIM: an idempotent XCLAIM that gives the
/// entry's pending state (or, for an entry gone from the stream, removes
/// it) and carries the group's last ID.
fn xclaim_op(key: &[u8], gname: &[u8], id: StreamId, nack: &Nack, last_id: StreamId) -> Vec<Vec<u8>> {
    let num = crate::propagate::num;
    vec![
        b"XCLAIM".to_vec(),
        key.to_vec(),
        gname.to_vec(),
        nack.consumer.to_vec(),
        b"0".to_vec(),
        id.to_bytes(),
        b"TIME".to_vec(),
        num(nack.delivery_time),
        b"RETRYCOUNT".to_vec(),
        num(i64::try_from(nack.delivery_count).unwrap_or(i64::MAX)),
        b"FORCE".to_vec(),
        b"JUSTID".to_vec(),
        b"LASTID".to_vec(),
        last_id.to_bytes(),
    ]
}

/// Redis's streamPropagateGroupID: the group's last ID and read counter.
fn setid_op(key: &[u8], gname: &[u8], g: &ts::Group) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"SETID".to_vec(),
        key.to_vec(),
        gname.to_vec(),
        g.last_id.to_bytes(),
        b"ENTRIESREAD".to_vec(),
        crate::propagate::num(g.entries_read),
    ]
}

/// Queues `ops`; the command itself is never propagated (it would not
/// replay to the same state: times, idle checks, consumers).
fn propagate_ops(ctx: &mut Ctx, ops: Ops) {
    for op in &ops {
        ctx.srv.also_propagate(ctx.c.db, op, crate::propagate::ALL);
    }
    ctx.prevent_propagation();
}

// ---- XADD / XTRIM -------------------------------------------------------------------

struct AddTrim {
    trim: Option<Trim>,
    approx: bool,
    /// Index of the threshold argument (the `~` is just before it).
    threshold_idx: usize,
    limit: u64,
    nomkstream: bool,
    /// XADD: the ID (None for `*`) and its argument index.
    id: Option<ts::ParsedId>,
    id_idx: usize,
}

/// Redis `streamParseAddOrTrimArgsOrReply`.
fn parse_add_trim(ctx: &mut Ctx, xadd: bool) -> Option<AddTrim> {
    let argc = ctx.argv.len();
    let mut a = AddTrim {
        trim: None,
        approx: false,
        threshold_idx: 0,
        limit: 0,
        nomkstream: false,
        id: None,
        id_idx: argc,
    };
    let mut limit_given = false;
    let mut i = 2;
    while i < argc {
        let more = argc - 1 - i;
        let opt = ctx.argv.get(i);
        if xadd && opt == b"*" {
            a.id_idx = i;
            break;
        } else if (opt.eq_ignore_ascii_case(b"MAXLEN") || opt.eq_ignore_ascii_case(b"MINID")) && more > 0 {
            let maxlen = opt.eq_ignore_ascii_case(b"MAXLEN");
            if a.trim.is_some() {
                ctx.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                return None;
            }
            a.approx = false;
            let next = ctx.argv.get(i + 1);
            if more >= 2 && next == b"~" {
                a.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            a.threshold_idx = i + 1;
            if maxlen {
                let v = ctx.int_arg(i + 1)?;
                if v < 0 {
                    ctx.error("ERR The MAXLEN argument must be >= 0.");
                    return None;
                }
                a.trim = Some(Trim::MaxLen(v as u64));
            } else {
                a.trim = Some(Trim::MinId(id_arg(ctx, i + 1)?));
            }
            i += 1;
        } else if opt.eq_ignore_ascii_case(b"LIMIT") && more > 0 {
            let v = ctx.int_arg(i + 1)?;
            if v < 0 {
                ctx.error("ERR The LIMIT argument must be >= 0.");
                return None;
            }
            a.limit = v as u64;
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"NOMKSTREAM") {
            a.nomkstream = true;
        } else if xadd {
            match parse_id(opt, 0, true, true) {
                Some(p) => a.id = Some(p),
                None => {
                    ctx.error(INVALID_ID);
                    return None;
                }
            }
            a.id_idx = i;
            break;
        } else {
            ctx.syntax_error();
            return None;
        }
        i += 1;
    }
    if a.limit != 0 && a.trim.is_none() {
        ctx.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return None;
    }
    if !xadd && a.trim.is_none() {
        ctx.error("ERR syntax error, XTRIM must be called with a trimming strategy");
        return None;
    }
    if ctx.srv.aof.replaying {
        // The file holds the exact trim an approximate one amounted to,
        // with its LIMIT: no limit applies, as Redis does for its AOF client.
        a.limit = 0;
    } else if limit_given {
        if !a.approx {
            ctx.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
            return None;
        }
    } else if a.approx {
        let l = ctx.srv.cfg.stream_node_max_entries.saturating_mul(100);
        a.limit = if l <= 0 { 10000 } else { l as u64 };
    } else {
        a.limit = 0;
    }
    Some(a)
}

/// XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]
fn xadd(ctx: &mut Ctx) {
    let Some(a) = parse_add_trim(ctx, true) else { return };
    let argc = ctx.argv.len();
    let field_pos = a.id_idx + 1;
    if field_pos >= argc || (argc - field_pos) % 2 == 1 {
        return ctx.arity_error();
    }
    if let Some(p) = a.id {
        if p.seq_given && p.id.is_zero() {
            return ctx.error("ERR The ID specified in XADD must be greater than 0-0");
        }
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match lookup(ctx.srv, db, key, true) {
        Err(()) => return ctx.wrong_type(),
        Ok(Some(_)) => {}
        Ok(None) if a.nomkstream => return ctx.c.reply.null(),
        Ok(None) => ctx.srv.add_key(db, key, Value::Stream(Arc::new(Stream::new()))),
    }
    let now = ctx.srv.cmd_time_ms.max(0) as u64;
    let (max_bytes, max_entries) = (ctx.srv.cfg.stream_node_max_bytes, ctx.srv.cfg.stream_node_max_entries);
    let argv = ctx.argv;
    let pairs: Vec<(&[u8], &[u8])> = (field_pos..argc)
        .step_by(2)
        .map(|j| (argv.get(j), argv.get(j + 1)))
        .collect();
    let Some(s) = again(ctx.srv, db, key) else { return };
    let last = s.last_id;
    if last == StreamId::MAX {
        return ctx.error("ERR The stream has exhausted the last possible ID, unable to add more items");
    }
    let id = match a.id {
        Some(p) if p.seq_given => Some(p.id),
        Some(p) => {
            if last.ms == p.id.ms {
                (last.seq != u64::MAX).then(|| StreamId::new(last.ms, last.seq + 1))
            } else {
                Some(p.id)
            }
        }
        None => Some(if now > last.ms {
            StreamId::new(now, 0)
        } else {
            last.incr().unwrap_or(StreamId::MAX)
        }),
    };
    let Some(id) = id.filter(|&id| id > last) else {
        return ctx.error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    };
    if !s.append(id, &pairs, max_bytes, max_entries) {
        return ctx.error("ERR Elements are too large to be stored");
    }
    let trimmed = match a.trim {
        Some(t) => s.trim(t, a.approx, a.limit),
        None => 0,
    };
    let trim_arg = a.approx.then(|| exact_trim_arg(s, a.trim));
    let mut args: Vec<Vec<u8>> = argv.iter().map(<[u8]>::to_vec).collect();
    if !a.id.is_some_and(|p| p.seq_given) {
        // The ID generated here, not `*` or `<ms>-*` (another time, another seq).
        args[a.id_idx] = id.to_bytes();
    }
    if let Some(t) = trim_arg {
        set_exact_trim(&mut args, a.threshold_idx, t);
    }
    ctx.propagate_as(&args);
    reply_id(&mut ctx.c.reply, id);
    ctx.written(key, ev::STREAM, "xadd");
    if trimmed > 0 {
        ctx.notify(ev::STREAM, "xtrim", key);
    }
}

/// XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]
fn xtrim(ctx: &mut Ctx) {
    let Some(a) = parse_add_trim(ctx, false) else { return };
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let s = match lookup(ctx.srv, db, key, true) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.int(0),
        Ok(Some(s)) => Arc::make_mut(s),
    };
    let Some(t) = a.trim else { return };
    let n = s.trim(t, a.approx, a.limit);
    if n > 0 {
        if a.approx {
            let mut args: Vec<Vec<u8>> = ctx.argv.iter().map(<[u8]>::to_vec).collect();
            set_exact_trim(&mut args, a.threshold_idx, exact_trim_arg(s, Some(t)));
            ctx.propagate_as(&args);
        }
        ctx.notify(ev::STREAM, "xtrim", key);
        ctx.srv.signal_modified_key(db, key);
        ctx.srv.dirty += n;
    }
    ctx.c.reply.int(n as i64);
}

/// What an approximate trim amounted to, as the threshold of an exact one
/// (Redis's streamRewriteTrimArgument): the length left, or the first ID.
fn exact_trim_arg(s: &Stream, trim: Option<Trim>) -> Vec<u8> {
    match trim {
        Some(Trim::MinId(_)) => s.first_id.to_bytes(),
        _ => crate::propagate::num(i64::try_from(s.length).unwrap_or(i64::MAX)),
    }
}

/// `~ threshold` → `= exact`, so a replay trims exactly as much.
fn set_exact_trim(args: &mut [Vec<u8>], threshold_idx: usize, exact: Vec<u8>) {
    if let Some(op) = args.get_mut(threshold_idx - 1) {
        *op = b"=".to_vec();
    }
    if let Some(t) = args.get_mut(threshold_idx) {
        *t = exact;
    }
}

// ---- XLEN / XRANGE / XDEL / XSETID ----------------------------------------------------

fn xlen(ctx: &mut Ctx) {
    let db = ctx.c.db;
    match lookup(ctx.srv, db, ctx.argv.get(1), false) {
        Err(()) => ctx.wrong_type(),
        Ok(None) => ctx.c.reply.int(0),
        Ok(Some(s)) => {
            let n = s.length as i64;
            ctx.c.reply.int(n)
        }
    }
}

fn xrange(ctx: &mut Ctx) {
    range_generic(ctx, false)
}

fn xrevrange(ctx: &mut Ctx) {
    range_generic(ctx, true)
}

/// XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count]
fn range_generic(ctx: &mut Ctx, rev: bool) {
    let (si, ei) = if rev { (3, 2) } else { (2, 3) };
    let Some(start) = start_arg(ctx, si) else { return };
    let Some(end) = end_arg(ctx, ei) else { return };
    let argc = ctx.argv.len();
    let mut count: i64 = -1;
    let mut j = 4;
    while j < argc {
        if ctx.argv.get(j).eq_ignore_ascii_case(b"COUNT") && j + 1 < argc {
            let Some(c) = ctx.int_arg(j + 1) else { return };
            count = c.max(0);
            j += 2;
        } else {
            return ctx.syntax_error();
        }
    }
    let db = ctx.c.db;
    let s = match lookup(ctx.srv, db, ctx.argv.get(1), false) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.array_len(0),
        Ok(Some(s)) => s,
    };
    if count == 0 {
        return ctx.c.reply.null_array();
    }
    let count = usize::try_from(count).unwrap_or(0);
    reply_range(&mut ctx.c.reply, s, start, end, count, rev);
}

/// XDEL key id [id ...]
fn xdel(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match lookup(ctx.srv, db, key, true) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.c.reply.int(0),
        Ok(Some(_)) => {}
    }
    let mut ids = Vec::with_capacity(ctx.argv.len().min(1024));
    for j in 2..ctx.argv.len() {
        let Some(id) = id_arg(ctx, j) else { return };
        ids.push(id);
    }
    let Some(s) = again(ctx.srv, db, key) else { return };
    let mut deleted = 0u64;
    let mut first_entry = false;
    for id in ids {
        if s.delete(id) {
            if id == s.first_id {
                first_entry = true;
            }
            if id > s.max_deleted_id {
                s.max_deleted_id = id;
            }
            deleted += 1;
        }
    }
    if deleted > 0 {
        if s.length == 0 {
            s.first_id = StreamId::MIN;
        } else if first_entry {
            s.first_id = s.edge_id(true).unwrap_or(StreamId::MAX);
        }
        ctx.written(key, ev::STREAM, "xdel");
        ctx.srv.dirty += deleted - 1;
    }
    ctx.c.reply.int(deleted as i64);
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
fn xsetid(ctx: &mut Ctx) {
    let Some(id) = id_arg(ctx, 2) else { return };
    let mut entries_added: i64 = -1;
    let mut max_xdel = StreamId::MIN;
    let argc = ctx.argv.len();
    let mut i = 3;
    while i < argc {
        let more = argc - 1 - i;
        let opt = ctx.argv.get(i);
        if opt.eq_ignore_ascii_case(b"ENTRIESADDED") && more > 0 {
            let Some(v) = ctx.int_arg(i + 1) else { return };
            if v < 0 {
                return ctx.error("ERR entries_added must be positive");
            }
            entries_added = v;
            i += 2;
        } else if opt.eq_ignore_ascii_case(b"MAXDELETEDID") && more > 0 {
            let Some(v) = id_arg(ctx, i + 1) else { return };
            if id < v {
                return ctx.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
            }
            max_xdel = v;
            i += 2;
        } else {
            return ctx.syntax_error();
        }
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let s = match lookup(ctx.srv, db, key, true) {
        Err(()) => return ctx.wrong_type(),
        Ok(None) => return ctx.error(err::NO_SUCH_KEY),
        Ok(Some(s)) => Arc::make_mut(s),
    };
    // Redis 7.0 does not compare the ID with the current max deleted ID
    // (7.2 does).
    if s.length > 0 {
        let maxid = s.edge_id(false).unwrap_or(s.last_id);
        if id < maxid {
            return ctx.error("ERR The ID specified in XSETID is smaller than the target stream top item");
        }
        if entries_added != -1 && s.length > entries_added as u64 {
            return ctx.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_id = max_xdel;
    }
    ctx.c.reply.ok();
    ctx.written(key, ev::STREAM, "xsetid");
}

// ---- XREAD / XREADGROUP ---------------------------------------------------------------

fn xread(ctx: &mut Ctx) {
    read_generic(ctx, false)
}

fn xreadgroup(ctx: &mut Ctx) {
    read_generic(ctx, true)
}

/// What a read asks for on one stream.
#[derive(Clone, Copy)]
enum Want {
    /// Entries after this ID (XREAD, or XREADGROUP history from here).
    After(StreamId),
    /// `>`: entries never delivered to the group.
    New,
}

struct ReadArgs {
    count: usize,
    block: Option<Option<i64>>,
    noack: bool,
    group: Option<(usize, usize)>,
    streams: usize,
    nkeys: usize,
}

fn parse_read(ctx: &mut Ctx, xreadgroup: bool) -> Option<ReadArgs> {
    let argc = ctx.argv.len();
    let mut a = ReadArgs {
        count: 0,
        block: None,
        noack: false,
        group: None,
        streams: 0,
        nkeys: 0,
    };
    let mut i = 1;
    while i < argc {
        let more = argc - i - 1;
        let o = ctx.argv.get(i);
        if o.eq_ignore_ascii_case(b"BLOCK") && more > 0 {
            i += 1;
            a.block = Some(parse_timeout_ms(ctx, i)?);
        } else if o.eq_ignore_ascii_case(b"COUNT") && more > 0 {
            i += 1;
            let c = ctx.int_arg(i)?;
            a.count = usize::try_from(c.max(0)).unwrap_or(usize::MAX);
        } else if o.eq_ignore_ascii_case(b"STREAMS") && more > 0 {
            a.streams = i + 1;
            let n = argc - a.streams;
            if !n.is_multiple_of(2) {
                // Redis 7.0 says XREAD and '$' for XREADGROUP too.
                ctx.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                return None;
            }
            a.nkeys = n / 2;
            break;
        } else if o.eq_ignore_ascii_case(b"GROUP") && more >= 2 {
            if !xreadgroup {
                ctx.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                return None;
            }
            a.group = Some((i + 1, i + 2));
            i += 2;
        } else if o.eq_ignore_ascii_case(b"NOACK") {
            if !xreadgroup {
                ctx.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                return None;
            }
            a.noack = true;
        } else {
            ctx.syntax_error();
            return None;
        }
        i += 1;
    }
    if a.streams == 0 {
        ctx.syntax_error();
        return None;
    }
    if xreadgroup && a.group.is_none() {
        ctx.error("ERR Missing GROUP option for XREADGROUP");
        return None;
    }
    Some(a)
}

fn nogroup_read(key: &[u8], group: &[u8]) -> String {
    format!(
        "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
        c_text(key),
        c_text(group)
    )
}

/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
fn read_generic(ctx: &mut Ctx, xreadgroup: bool) {
    if xreadgroup {
        // What it does to the group goes out as XCLAIM/XGROUP (`serve_key`).
        ctx.prevent_propagation();
    }
    let Some(a) = parse_read(ctx, xreadgroup) else { return };
    let argv = ctx.argv;
    let gname = a.group.map(|(g, _)| argv.get(g));
    let cname = a.group.map(|(_, c)| argv.get(c));
    let db = ctx.c.db;
    if let Some(ready) = ctx.ready_key() {
        return serve_blocked(ctx, &a, ready.as_bytes(), gname, cname);
    }
    // Resolve every key and ID first: errors before any reply.
    let mut wants: Vec<Want> = Vec::with_capacity(a.nkeys.min(1024));
    for k in 0..a.nkeys {
        let key = argv.get(a.streams + k);
        let idarg = argv.get(a.streams + a.nkeys + k);
        let s = match lookup(ctx.srv, db, key, false) {
            Err(()) => return ctx.wrong_type(),
            Ok(s) => s.map(|s| &**s),
        };
        if let Some(g) = gname {
            if !s.is_some_and(|s| s.groups.contains_key(g)) {
                return ctx.error(&nogroup_read(key, g));
            }
        }
        let last = s.map(|s| s.last_id).unwrap_or(StreamId::MIN);
        if idarg == b"$" {
            if xreadgroup {
                return ctx.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
            }
            wants.push(Want::After(last));
        } else if idarg == b">" {
            if !xreadgroup {
                return ctx.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
            }
            wants.push(Want::New);
        } else {
            let Some(id) = id_arg(ctx, a.streams + a.nkeys + k) else {
                return;
            };
            wants.push(Want::After(id));
        }
    }
    let resp3 = ctx.c.reply.resp >= 3;
    let top = ctx.c.reply.defer_len();
    let mut served = 0;
    for (k, want) in wants.iter().enumerate() {
        let key = argv.get(a.streams + k);
        let Some(s) = peek(ctx.srv, db, key) else { continue };
        let (from, history) = match (*want, gname) {
            (Want::After(id), Some(_)) => (id, true),
            (Want::After(id), None) => {
                if s.length == 0 || s.edge_id(false).is_none_or(|m| m <= id) {
                    continue;
                }
                (id, false)
            }
            (Want::New, Some(g)) => {
                let Some(glast) = s.groups.get(g).map(|g| g.last_id) else {
                    continue;
                };
                if s.length == 0 || s.edge_id(false).is_none_or(|m| m <= glast) {
                    continue;
                }
                (glast, false)
            }
            (Want::New, None) => continue,
        };
        served += 1;
        serve_key(ctx, &a, key, from, history, gname, cname, resp3);
    }
    if served > 0 {
        let kind = if resp3 { b'%' } else { b'*' };
        ctx.c.reply.set_deferred(top, kind, served);
        return;
    }
    if let Some(deadline) = a.block {
        if !ctx.can_block() {
            return ctx.c.reply.null_array();
        }
        let keys: Vec<&[u8]> = (0..a.nkeys).map(|k| argv.get(a.streams + k)).collect();
        ctx.block_on_keys(&keys, Type::Stream, deadline, TimeoutReply::NullArray);
        // Save the command with `$` resolved, so a re-run waits for entries
        // after the ID the stream had now.
        let mut saved: Vec<Vec<u8>> = argv.iter().map(<[u8]>::to_vec).collect();
        for (k, want) in wants.iter().enumerate() {
            if let Want::After(id) = want {
                saved[a.streams + a.nkeys + k] = id.to_bytes();
            }
        }
        if let Some(b) = ctx.c.blocked.as_mut() {
            b.argv = crate::resp::OwnedArgv::from_vecs(&saved);
            if xreadgroup {
                b.gone_error = Some("UNBLOCKED the stream key no longer exists");
            }
        }
        return;
    }
    ctx.c.reply.null_array();
}

/// Serves a blocked read re-run because `ready` got written: only that
/// key, and only if it has entries past what the client waits for.
fn serve_blocked(ctx: &mut Ctx, a: &ReadArgs, ready: &[u8], gname: Option<&[u8]>, cname: Option<&[u8]>) {
    let argv = ctx.argv;
    let db = ctx.c.db;
    let Some(k) = (0..a.nkeys).find(|&k| argv.get(a.streams + k) == ready) else {
        return ctx.block_on_keys(&[], Type::Stream, None, TimeoutReply::NullArray);
    };
    let Some(s) = peek(ctx.srv, db, ready) else {
        return ctx.block_on_keys(&[], Type::Stream, None, TimeoutReply::NullArray);
    };
    let gt = match gname {
        Some(g) => match s.groups.get(g) {
            Some(g) => g.last_id,
            None => return ctx.error("NOGROUP the consumer group this client was blocked on no longer exists"),
        },
        None => match parse_id(argv.get(a.streams + a.nkeys + k), 0, true, false) {
            Some(p) => p.id,
            None => return ctx.error(INVALID_ID),
        },
    };
    if s.last_id <= gt {
        return ctx.block_on_keys(&[], Type::Stream, None, TimeoutReply::NullArray);
    }
    let resp3 = ctx.c.reply.resp >= 3;
    if resp3 {
        ctx.c.reply.map_len(1);
    } else {
        ctx.c.reply.array_len(1);
    }
    serve_key(ctx, a, ready, gt, false, gname, cname, resp3);
}

/// One key's part of a read reply: `[key, entries]` (RESP3: `key entries`
/// inside the map), delivering to the group when there is one.
#[allow(clippy::too_many_arguments)]
fn serve_key(
    ctx: &mut Ctx,
    a: &ReadArgs,
    key: &[u8],
    after: StreamId,
    history: bool,
    gname: Option<&[u8]>,
    cname: Option<&[u8]>,
    resp3: bool,
) {
    let db = ctx.c.db;
    let mut ops: Ops = Vec::new();
    if let (Some(g), Some(c)) = (gname, cname) {
        if touch_consumer(ctx, key, g, c) && a.noack {
            // No XCLAIM will create it on a replay (Redis 7.0 propagates
            // this for NOACK reads only).
            ops.push(
                [&b"XGROUP"[..], b"CREATECONSUMER", key, g, c]
                    .map(<[u8]>::to_vec)
                    .to_vec(),
            );
        }
    }
    if !resp3 {
        ctx.c.reply.array_len(2);
    }
    ctx.c.reply.bulk(key);
    let now = ctx.srv.cmd_time_ms;
    let (Some(gname), Some(cname)) = (gname, cname) else {
        let r = &mut ctx.c.reply;
        match (peek(ctx.srv, db, key), after.incr()) {
            (Some(s), Some(start)) => {
                reply_range(r, s, start, StreamId::MAX, a.count, false);
            }
            _ => r.array_len(0),
        }
        return;
    };
    let Some(s) = again(ctx.srv, db, key) else {
        return ctx.c.reply.array_len(0);
    };
    let r = &mut ctx.c.reply;
    let Some(mut g) = s.groups.remove(gname) else {
        return r.array_len(0);
    };
    if history {
        // The consumer's own pending entries after `after`.
        let start = after.incr();
        let pending: Vec<StreamId> = match (start, g.consumers.get(cname)) {
            (Some(start), Some(c)) => c
                .pel
                .range(start..)
                .take(if a.count == 0 { usize::MAX } else { a.count })
                .copied()
                .collect(),
            _ => Vec::new(),
        };
        r.array_len(pending.len());
        for id in pending {
            if reply_one(r, s, id) {
                if let Some(n) = g.pel.get_mut(&id) {
                    n.delivery_time = now;
                    n.delivery_count = n.delivery_count.wrapping_add(1);
                }
            } else {
                r.array_len(2);
                reply_id(r, id);
                r.null_array();
            }
        }
    } else {
        let Some(start) = after.incr() else {
            s.groups.insert(gname.into(), g);
            return r.array_len(0);
        };
        let ids = reply_range(r, s, start, StreamId::MAX, a.count, false);
        let mut advanced = false;
        for id in ids {
            if id > g.last_id {
                s.advance_group(&mut g, id);
                advanced = true;
            }
            if !a.noack {
                match g.pel.get_mut(&id) {
                    Some(n) => {
                        n.delivery_time = now;
                        n.delivery_count = 1;
                        g.assign_nack(id, cname);
                    }
                    None => {
                        g.pel.insert(
                            id,
                            Nack {
                                delivery_time: now,
                                delivery_count: 1,
                                consumer: cname.into(),
                            },
                        );
                        if let Some(c) = g.consumers.get_mut(cname) {
                            c.pel.insert(id);
                        }
                    }
                }
                if let Some(n) = g.pel.get(&id) {
                    ops.push(xclaim_op(key, gname, id, n, g.last_id));
                }
            }
        }
        if a.noack && advanced {
            // Without XCLAIMs, the last ID needs its own command.
            ops.push(setid_op(key, gname, &g));
        }
    }
    s.groups.insert(gname.into(), g);
    ctx.srv.dirty += 1;
    propagate_ops(ctx, ops);
}

// ---- XACK / XPENDING / XCLAIM / XAUTOCLAIM ----------------------------------------------

/// XACK key group id [id ...]
fn xack(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let has_group = match lookup(ctx.srv, db, key, false) {
        Err(()) => return ctx.wrong_type(),
        Ok(s) => s.is_some_and(|s| s.groups.contains_key(ctx.argv.get(2))),
    };
    if !has_group {
        return ctx.c.reply.int(0);
    }
    let mut ids = Vec::with_capacity(ctx.argv.len().min(1024));
    for j in 3..ctx.argv.len() {
        let Some(id) = id_arg(ctx, j) else { return };
        ids.push(id);
    }
    let gname = ctx.argv.get(2);
    let Some(g) = again(ctx.srv, db, key).and_then(|s| s.groups.get_mut(gname)) else {
        return ctx.c.reply.int(0);
    };
    let n = ids.into_iter().filter(|&id| g.remove_nack(id).is_some()).count();
    ctx.srv.dirty += n as u64;
    ctx.c.reply.int(n as i64);
}

fn nogroup(key: &[u8], group: &[u8]) -> String {
    format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        c_text(key),
        c_text(group)
    )
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
fn xpending(ctx: &mut Ctx) {
    let argc = ctx.argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return ctx.syntax_error();
    }
    let mut range = None;
    let mut minidle = 0i64;
    let mut consumer = None;
    if argc >= 6 {
        let mut si = 3;
        if ctx.argv.get(3).eq_ignore_ascii_case(b"IDLE") {
            let Some(v) = ctx.int_arg(4) else { return };
            minidle = v;
            if argc < 8 {
                return ctx.syntax_error();
            }
            si += 2;
        }
        let Some(count) = ctx.int_arg(si + 2) else { return };
        let Some(start) = start_arg(ctx, si) else { return };
        let Some(end) = end_arg(ctx, si + 1) else { return };
        if si + 3 < argc {
            consumer = Some(ctx.argv.get(si + 3));
        }
        range = Some((start, end, count.max(0)));
    }
    let db = ctx.c.db;
    let now = ctx.srv.cmd_time_ms;
    let (key, gname) = (ctx.argv.get(1), ctx.argv.get(2));
    let s = match lookup(ctx.srv, db, key, false) {
        Err(()) => return ctx.wrong_type(),
        Ok(s) => s.map(|s| &**s),
    };
    let Some(g) = s.and_then(|s| s.groups.get(gname)) else {
        return ctx.error(&nogroup(key, gname));
    };
    let r = &mut ctx.c.reply;
    let Some((start, end, mut count)) = range else {
        r.array_len(4);
        r.int(g.pel.len() as i64);
        match (g.pel.keys().next(), g.pel.keys().next_back()) {
            (Some(&first), Some(&last)) => {
                reply_id(r, first);
                reply_id(r, last);
                let with: Vec<(&Box<[u8]>, &Consumer)> =
                    g.consumers.iter().filter(|(_, c)| !c.pel.is_empty()).collect();
                r.array_len(with.len());
                for (name, c) in with {
                    r.array_len(2);
                    r.bulk(name);
                    r.bulk_int(c.pel.len() as i64);
                }
            }
            _ => {
                r.null();
                r.null();
                r.null_array();
            }
        }
        return;
    };
    let ids: Vec<StreamId> = match consumer {
        Some(c) => match g.consumers.get(c) {
            None => return r.array_len(0),
            Some(c) if start <= end => c.pel.range(start..=end).copied().collect(),
            Some(_) => Vec::new(),
        },
        None if start <= end => g.pel.range(start..=end).map(|(k, _)| *k).collect(),
        None => Vec::new(),
    };
    let pos = r.defer_len();
    let mut n = 0;
    for id in ids {
        if count == 0 {
            break;
        }
        let Some(nack) = g.pel.get(&id) else { continue };
        let idle = now.saturating_sub(nack.delivery_time);
        if minidle != 0 && idle < minidle {
            continue;
        }
        n += 1;
        count -= 1;
        r.array_len(4);
        reply_id(r, id);
        r.bulk(&nack.consumer);
        r.int(idle.max(0));
        r.int(nack.delivery_count as i64);
    }
    r.set_deferred(pos, b'*', n);
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
fn xclaim(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let (key, gname, cname) = (ctx.argv.get(1), ctx.argv.get(2), ctx.argv.get(3));
    let has_group = match lookup(ctx.srv, db, key, false) {
        Err(()) => return ctx.wrong_type(),
        Ok(s) => s.is_some_and(|s| s.groups.contains_key(gname)),
    };
    if !has_group {
        return ctx.error(&nogroup(key, gname));
    }
    let Some(minidle) = int_arg_msg(ctx, 4, "ERR Invalid min-idle-time argument for XCLAIM") else {
        return;
    };
    let minidle = minidle.max(0);
    let argc = ctx.argv.len();
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argc {
        match parse_id(ctx.argv.get(j), 0, true, false) {
            Some(p) => ids.push(p.id),
            None => break,
        }
        j += 1;
    }
    let now = ctx.srv.cmd_time_ms;
    let (mut force, mut justid) = (false, false);
    let mut retrycount: i64 = -1;
    let mut deliverytime: i64 = -1;
    let mut last_id = StreamId::MIN;
    while j < argc {
        let more = argc - 1 - j;
        let opt = ctx.argv.get(j);
        if opt.eq_ignore_ascii_case(b"FORCE") {
            force = true;
        } else if opt.eq_ignore_ascii_case(b"JUSTID") {
            justid = true;
        } else if opt.eq_ignore_ascii_case(b"IDLE") && more > 0 {
            j += 1;
            let Some(v) = int_arg_msg(ctx, j, "ERR Invalid IDLE option argument for XCLAIM") else {
                return;
            };
            deliverytime = now.wrapping_sub(v);
        } else if opt.eq_ignore_ascii_case(b"TIME") && more > 0 {
            j += 1;
            let Some(v) = int_arg_msg(ctx, j, "ERR Invalid TIME option argument for XCLAIM") else {
                return;
            };
            deliverytime = v;
        } else if opt.eq_ignore_ascii_case(b"RETRYCOUNT") && more > 0 {
            j += 1;
            let Some(v) = int_arg_msg(ctx, j, "ERR Invalid RETRYCOUNT option argument for XCLAIM") else {
                return;
            };
            retrycount = v;
        } else if opt.eq_ignore_ascii_case(b"LASTID") && more > 0 {
            j += 1;
            let Some(v) = id_arg(ctx, j) else { return };
            last_id = v;
        } else {
            return ctx.error(&format!("ERR Unrecognized XCLAIM option '{}'", c_text(opt)));
        }
        j += 1;
    }
    if deliverytime != -1 {
        if deliverytime < 0 || deliverytime > now {
            deliverytime = now;
        }
    } else {
        deliverytime = now;
    }
    let Some(s) = again(ctx.srv, db, key) else { return };
    let Some(mut g) = s.groups.remove(gname) else { return };
    // Each XCLAIM propagated carries the last ID; without one it needs its own.
    let mut propagate_last_id = false;
    if last_id > g.last_id {
        g.last_id = last_id;
        propagate_last_id = true;
    }
    let mut ops: Ops = Vec::new();
    let mut have_consumer = false;
    let mut created = false;
    let r = &mut ctx.c.reply;
    let pos = r.defer_len();
    let mut n = 0;
    let mut dirty = 0u64;
    for id in ids {
        let exists = s.entry_exists(id);
        if !exists {
            if let Some(n) = g.remove_nack(id) {
                // Replayed, the same XCLAIM finds no entry and drops the NACK too.
                ops.push(xclaim_op(key, gname, id, &n, g.last_id));
                propagate_last_id = false;
                dirty += 1;
            }
            continue;
        }
        if force && !g.pel.contains_key(&id) {
            g.pel.insert(
                id,
                Nack {
                    delivery_time: now,
                    delivery_count: 0,
                    consumer: Box::default(),
                },
            );
        }
        let Some(nack) = g.pel.get(&id) else { continue };
        if !nack.consumer.is_empty() && minidle != 0 && now.saturating_sub(nack.delivery_time) < minidle {
            continue;
        }
        if !have_consumer {
            have_consumer = true;
            created = g.seen_consumer(cname, now);
        }
        g.assign_nack(id, cname);
        if let Some(nack) = g.pel.get_mut(&id) {
            nack.delivery_time = deliverytime;
            if retrycount >= 0 {
                nack.delivery_count = retrycount as u64;
            } else if !justid {
                nack.delivery_count = nack.delivery_count.wrapping_add(1);
            }
        }
        if justid {
            reply_id(r, id);
        } else {
            reply_one(r, s, id);
        }
        if let Some(nack) = g.pel.get(&id) {
            ops.push(xclaim_op(key, gname, id, nack, g.last_id));
            propagate_last_id = false;
        }
        n += 1;
        dirty += 1;
    }
    r.set_deferred(pos, b'*', n);
    if propagate_last_id {
        ops.push(setid_op(key, gname, &g));
        dirty += 1;
    }
    s.groups.insert(gname.into(), g);
    ctx.srv.dirty += dirty;
    if created {
        ctx.srv.dirty += 1;
        ctx.notify(ev::STREAM, "xgroup-createconsumer", key);
    }
    propagate_ops(ctx, ops);
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
fn xautoclaim(ctx: &mut Ctx) {
    let Some(minidle) = int_arg_msg(ctx, 4, "ERR Invalid min-idle-time argument for XAUTOCLAIM") else {
        return;
    };
    let minidle = minidle.max(0);
    let Some(start) = start_arg(ctx, 5) else { return };
    let argc = ctx.argv.len();
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argc {
        let more = argc - 1 - j;
        let opt = ctx.argv.get(j);
        if opt.eq_ignore_ascii_case(b"COUNT") && more > 0 {
            let max = i64::MAX / 16;
            match crate::util::string2ll(ctx.argv.get(j + 1)) {
                Some(v) if (1..=max).contains(&v) => count = v,
                _ => return ctx.error("ERR COUNT must be > 0"),
            }
            j += 1;
        } else if opt.eq_ignore_ascii_case(b"JUSTID") {
            justid = true;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    let db = ctx.c.db;
    let (key, gname, cname) = (ctx.argv.get(1), ctx.argv.get(2), ctx.argv.get(3));
    let has_group = match lookup(ctx.srv, db, key, false) {
        Err(()) => return ctx.wrong_type(),
        Ok(s) => s.is_some_and(|s| s.groups.contains_key(gname)),
    };
    if !has_group {
        return ctx.error(&nogroup(key, gname));
    }
    let now = ctx.srv.cmd_time_ms;
    let Some(s) = again(ctx.srv, db, key) else { return };
    let Some(mut g) = s.groups.remove(gname) else { return };
    let mut attempts = count.saturating_mul(10);
    let mut deleted: Vec<StreamId> = Vec::new();
    let mut claimed: Vec<StreamId> = Vec::new();
    let mut created = false;
    let mut have_consumer = false;
    let mut cursor = start;
    let mut exhausted = false;
    let mut ops: Ops = Vec::new();
    loop {
        if attempts == 0 || count == 0 {
            break;
        }
        attempts -= 1;
        let Some((&id, nack)) = g.pel.range(cursor..).next() else {
            exhausted = true;
            break;
        };
        let delivery_time = nack.delivery_time;
        // Everything up to `id` is examined; continue after it.
        let next = id.incr();
        if !s.entry_exists(id) {
            if let Some(n) = g.remove_nack(id) {
                ops.push(xclaim_op(key, gname, id, &n, g.last_id));
            }
            deleted.push(id);
            count -= 1;
        } else if minidle == 0 || now.saturating_sub(delivery_time) >= minidle {
            if !have_consumer {
                have_consumer = true;
                created = g.seen_consumer(cname, now);
            }
            g.assign_nack(id, cname);
            if let Some(n) = g.pel.get_mut(&id) {
                n.delivery_time = now;
                if !justid {
                    n.delivery_count = n.delivery_count.wrapping_add(1);
                }
                ops.push(xclaim_op(key, gname, id, n, g.last_id));
            }
            claimed.push(id);
            count -= 1;
        }
        match next {
            Some(n) => cursor = n,
            None => {
                exhausted = true;
                break;
            }
        }
    }
    let end = if exhausted {
        StreamId::MIN
    } else {
        g.pel.range(cursor..).next().map(|(k, _)| *k).unwrap_or(StreamId::MIN)
    };
    let r = &mut ctx.c.reply;
    r.array_len(3);
    reply_id(r, end);
    r.array_len(claimed.len());
    for &id in &claimed {
        if justid {
            reply_id(r, id);
        } else if !reply_one(r, s, id) {
            r.null_array();
        }
    }
    r.array_len(deleted.len());
    for &id in &deleted {
        reply_id(r, id);
    }
    s.groups.insert(gname.into(), g);
    ctx.srv.dirty += (claimed.len() + deleted.len()) as u64;
    if created {
        ctx.srv.dirty += 1;
        ctx.notify(ev::STREAM, "xgroup-createconsumer", key);
    }
    propagate_ops(ctx, ops);
}

// ---- XGROUP -----------------------------------------------------------------------------

const NEEDS_KEY: &str = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";

/// The common start of XGROUP subcommands: the stream (None after an
/// error reply, or when absent and `mkstream`), and whether the group
/// exists. Replies NOGROUP when `needs_group`.
fn xgroup_lookup(ctx: &mut Ctx, mkstream: bool, needs_group: bool) -> Option<(bool, bool)> {
    let db = ctx.c.db;
    let (key, gname) = (ctx.argv.get(2), ctx.argv.get(3));
    let (exists, has_group) = match lookup(ctx.srv, db, key, true) {
        Err(()) => {
            ctx.wrong_type();
            return None;
        }
        Ok(None) => (false, false),
        Ok(Some(s)) => (true, s.groups.contains_key(gname)),
    };
    if !exists && !mkstream {
        ctx.error(NEEDS_KEY);
        return None;
    }
    if needs_group && !has_group {
        ctx.error(&format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            c_text(gname),
            c_text(key)
        ));
        return None;
    }
    Some((exists, has_group))
}

fn entries_read_arg(ctx: &mut Ctx, i: usize) -> Option<i64> {
    let v = ctx.int_arg(i)?;
    if v < 0 && v != INVALID_ENTRIES_READ {
        ctx.error("ERR value for ENTRIESREAD must be positive or -1");
        return None;
    }
    Some(v)
}

/// XGROUP CREATE key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]
fn xgroup_create(ctx: &mut Ctx) {
    let argc = ctx.argv.len();
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut i = 5;
    while i < argc {
        let o = ctx.argv.get(i);
        if o.eq_ignore_ascii_case(b"MKSTREAM") {
            mkstream = true;
            i += 1;
        } else if o.eq_ignore_ascii_case(b"ENTRIESREAD") && i + 1 < argc {
            let Some(v) = entries_read_arg(ctx, i + 1) else { return };
            entries_read = v;
            i += 2;
        } else {
            return ctx.subcommand_syntax_error();
        }
    }
    let Some((exists, has_group)) = xgroup_lookup(ctx, mkstream, false) else {
        return;
    };
    if argc > 8 {
        return ctx.subcommand_syntax_error();
    }
    let db = ctx.c.db;
    let (key, gname) = (ctx.argv.get(2), ctx.argv.get(3));
    let id = if ctx.argv.get(4) == b"$" {
        match again(ctx.srv, db, key) {
            Some(s) => s.last_id,
            None => StreamId::MIN,
        }
    } else {
        let Some(id) = id_arg(ctx, 4) else { return };
        id
    };
    if !exists {
        ctx.srv.add_key(db, key, Value::Stream(Arc::new(Stream::new())));
        ctx.srv.signal_modified_key(db, key);
    }
    if has_group {
        return ctx.error("BUSYGROUP Consumer Group name already exists");
    }
    let Some(s) = again(ctx.srv, db, key) else { return };
    s.groups.insert(gname.into(), ts::Group::new(id, entries_read));
    ctx.c.reply.ok();
    ctx.srv.dirty += 1;
    ctx.notify(ev::STREAM, "xgroup-create", key);
}

/// XGROUP SETID key group <id | $> [ENTRIESREAD entries-read]
fn xgroup_setid(ctx: &mut Ctx) {
    let argc = ctx.argv.len();
    // ENTRIESREAD is checked before the key, as Redis 7.0 does.
    let mut entries_read = INVALID_ENTRIES_READ;
    if argc != 5 {
        if argc != 7 || !ctx.argv.get(5).eq_ignore_ascii_case(b"ENTRIESREAD") {
            return ctx.subcommand_syntax_error();
        }
        let Some(v) = entries_read_arg(ctx, 6) else { return };
        entries_read = v;
    }
    let Some(_) = xgroup_lookup(ctx, false, true) else {
        return;
    };
    let db = ctx.c.db;
    let (key, gname) = (ctx.argv.get(2), ctx.argv.get(3));
    let id = if ctx.argv.get(4) == b"$" {
        match again(ctx.srv, db, key) {
            Some(s) => s.last_id,
            None => return,
        }
    } else {
        match parse_id(ctx.argv.get(4), 0, false, false) {
            Some(p) => p.id,
            None => return ctx.error(INVALID_ID),
        }
    };
    let Some(g) = again(ctx.srv, db, key).and_then(|s| s.groups.get_mut(gname)) else {
        return;
    };
    g.last_id = id;
    g.entries_read = entries_read;
    ctx.c.reply.ok();
    ctx.srv.dirty += 1;
    ctx.notify(ev::STREAM, "xgroup-setid", key);
}

/// XGROUP DESTROY key group
fn xgroup_destroy(ctx: &mut Ctx) {
    let Some((_, has_group)) = xgroup_lookup(ctx, false, false) else {
        return;
    };
    if !has_group {
        return ctx.c.reply.int(0);
    }
    let db = ctx.c.db;
    let (key, gname) = (ctx.argv.get(2), ctx.argv.get(3));
    if let Some(s) = again(ctx.srv, db, key) {
        s.groups.remove(gname);
    }
    ctx.c.reply.int(1);
    ctx.srv.dirty += 1;
    ctx.notify(ev::STREAM, "xgroup-destroy", key);
    // Blocked XREADGROUP clients of this group get their NOGROUP error.
    ctx.srv.signal_key_as_ready(db, key);
}

/// XGROUP CREATECONSUMER key group consumer
fn xgroup_createconsumer(ctx: &mut Ctx) {
    let Some(_) = xgroup_lookup(ctx, false, true) else {
        return;
    };
    let (key, gname, cname) = (ctx.argv.get(2), ctx.argv.get(3), ctx.argv.get(4));
    let created = create_consumer(ctx, key, gname, cname);
    ctx.c.reply.int(created as i64);
}

/// XGROUP DELCONSUMER key group consumer
fn xgroup_delconsumer(ctx: &mut Ctx) {
    let Some(_) = xgroup_lookup(ctx, false, true) else {
        return;
    };
    let db = ctx.c.db;
    let (key, gname, cname) = (ctx.argv.get(2), ctx.argv.get(3), ctx.argv.get(4));
    let pending = again(ctx.srv, db, key)
        .and_then(|s| s.groups.get_mut(gname))
        .and_then(|g| g.delete_consumer(cname));
    if pending.is_some() {
        ctx.srv.dirty += 1;
        ctx.notify(ev::STREAM, "xgroup-delconsumer", key);
    }
    ctx.c.reply.int(pending.unwrap_or(0) as i64);
}

fn xgroup_help(ctx: &mut Ctx) {
    ctx.help(&[
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
    ]);
}

// ---- XINFO ------------------------------------------------------------------------------

fn xinfo_help(ctx: &mut Ctx) {
    ctx.help(&[
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
    ]);
}

/// The stream of an XINFO subcommand, or the error reply.
fn xinfo_stream_ref<'a>(ctx: &'a mut Ctx) -> Option<&'a Stream> {
    let db = ctx.c.db;
    match lookup(ctx.srv, db, ctx.argv.get(2), false) {
        Err(()) => {
            ctx.wrong_type();
            None
        }
        Ok(None) => {
            ctx.error(err::NO_SUCH_KEY);
            None
        }
        Ok(Some(_)) => peek(ctx.srv, db, ctx.argv.get(2)),
    }
}

fn reply_lag(r: &mut ReplyBuf, s: &Stream, g: &ts::Group) {
    match s.group_lag(g) {
        Some(l) => r.int(l),
        None => r.null(),
    }
}

fn reply_entries_read(r: &mut ReplyBuf, g: &ts::Group) {
    if g.entries_read != INVALID_ENTRIES_READ {
        r.int(g.entries_read);
    } else {
        r.null();
    }
}

/// XINFO CONSUMERS key group
fn xinfo_consumers(ctx: &mut Ctx) {
    if xinfo_stream_ref(ctx).is_none() {
        return;
    }
    let db = ctx.c.db;
    let (key, gname) = (ctx.argv.get(2), ctx.argv.get(3));
    let now = crate::server::mstime();
    let Some(s) = peek(ctx.srv, db, key) else { return };
    let Some(g) = s.groups.get(gname) else {
        let msg = format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            c_text(gname),
            c_text(key)
        );
        return ctx.error(&msg);
    };
    let r = &mut ctx.c.reply;
    r.array_len(g.consumers.len());
    for (name, c) in &g.consumers {
        r.map_len(3);
        r.bulk(b"name");
        r.bulk(name);
        r.bulk(b"pending");
        r.int(c.pel.len() as i64);
        r.bulk(b"idle");
        r.int(now.saturating_sub(c.seen_time).max(0));
    }
}

/// XINFO GROUPS key
fn xinfo_groups(ctx: &mut Ctx) {
    if xinfo_stream_ref(ctx).is_none() {
        return;
    }
    let db = ctx.c.db;
    let Some(s) = peek(ctx.srv, db, ctx.argv.get(2)) else {
        return;
    };
    let r = &mut ctx.c.reply;
    r.array_len(s.groups.len());
    for (name, g) in &s.groups {
        r.map_len(6);
        r.bulk(b"name");
        r.bulk(name);
        r.bulk(b"consumers");
        r.int(g.consumers.len() as i64);
        r.bulk(b"pending");
        r.int(g.pel.len() as i64);
        r.bulk(b"last-delivered-id");
        reply_id(r, g.last_id);
        r.bulk(b"entries-read");
        reply_entries_read(r, g);
        r.bulk(b"lag");
        reply_lag(r, s, g);
    }
}

/// XINFO STREAM key [FULL [COUNT count]]
fn xinfo_stream(ctx: &mut Ctx) {
    if xinfo_stream_ref(ctx).is_none() {
        return;
    }
    let argc = ctx.argv.len();
    let mut full = false;
    let mut count: i64 = 10;
    if argc > 3 {
        if !ctx.argv.get(3).eq_ignore_ascii_case(b"FULL") {
            return ctx.subcommand_syntax_error();
        }
        full = true;
        if argc > 4 {
            if argc != 6 || !ctx.argv.get(4).eq_ignore_ascii_case(b"COUNT") {
                return ctx.subcommand_syntax_error();
            }
            let Some(c) = ctx.int_arg(5) else { return };
            count = if c < 0 { 10 } else { c };
        }
    }
    let count = usize::try_from(count).unwrap_or(10);
    let db = ctx.c.db;
    let Some(s) = peek(ctx.srv, db, ctx.argv.get(2)) else {
        return;
    };
    let r = &mut ctx.c.reply;
    r.map_len(if full { 9 } else { 10 });
    r.bulk(b"length");
    r.int(s.length as i64);
    r.bulk(b"radix-tree-keys");
    r.int(s.node_count() as i64);
    r.bulk(b"radix-tree-nodes");
    r.int(s.rax_nodes() as i64);
    r.bulk(b"last-generated-id");
    reply_id(r, s.last_id);
    r.bulk(b"max-deleted-entry-id");
    reply_id(r, s.max_deleted_id);
    r.bulk(b"entries-added");
    r.int(s.entries_added as i64);
    r.bulk(b"recorded-first-entry-id");
    reply_id(r, s.first_id);
    if !full {
        r.bulk(b"groups");
        r.int(s.groups.len() as i64);
        r.bulk(b"first-entry");
        match s.edge_id(true) {
            Some(id) => {
                reply_one(r, s, id);
            }
            None => r.null(),
        }
        r.bulk(b"last-entry");
        match s.edge_id(false) {
            Some(id) => {
                reply_one(r, s, id);
            }
            None => r.null(),
        }
        return;
    }
    r.bulk(b"entries");
    reply_range(r, s, StreamId::MIN, StreamId::MAX, count, false);
    r.bulk(b"groups");
    r.array_len(s.groups.len());
    let lim = if count == 0 { usize::MAX } else { count };
    for (name, g) in &s.groups {
        r.map_len(7);
        r.bulk(b"name");
        r.bulk(name);
        r.bulk(b"last-delivered-id");
        reply_id(r, g.last_id);
        r.bulk(b"entries-read");
        reply_entries_read(r, g);
        r.bulk(b"lag");
        reply_lag(r, s, g);
        r.bulk(b"pel-count");
        r.int(g.pel.len() as i64);
        r.bulk(b"pending");
        let n = g.pel.len().min(lim);
        r.array_len(n);
        for (id, nack) in g.pel.iter().take(n) {
            r.array_len(4);
            reply_id(r, *id);
            r.bulk(&nack.consumer);
            r.int(nack.delivery_time);
            r.int(nack.delivery_count as i64);
        }
        r.bulk(b"consumers");
        r.array_len(g.consumers.len());
        for (cname, c) in &g.consumers {
            r.map_len(4);
            r.bulk(b"name");
            r.bulk(cname);
            r.bulk(b"seen-time");
            r.int(c.seen_time);
            r.bulk(b"pel-count");
            r.int(c.pel.len() as i64);
            r.bulk(b"pending");
            let n = c.pel.len().min(lim);
            r.array_len(n);
            for id in c.pel.iter().take(n) {
                let nack = g.pel.get(id);
                r.array_len(3);
                reply_id(r, *id);
                r.int(nack.map_or(0, |n| n.delivery_time));
                r.int(nack.map_or(0, |n| n.delivery_count as i64));
            }
        }
    }
}
