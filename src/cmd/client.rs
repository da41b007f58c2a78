//! CLIENT subcommands: ID SETNAME GETNAME SETINFO LIST INFO KILL NO-EVICT
//! NO-TOUCH REPLY UNBLOCK HELP.

use super::{acl, flags::*, Command, Ctx, Group};
use crate::client::ClientState;
use crate::server::{PausePurpose, Server};

const CONN: u64 = acl::CONNECTION;

pub static COMMANDS: &[Command] = &[Command::container("client", Group::Connection, SUBCOMMANDS).doc(
    "2.4.0",
    "Depends on subcommand.",
    "A container for client connection commands",
)];

static SUBCOMMANDS: &[Command] = &[
    Command::new("id", 2, Group::Connection, client_id)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("5.0.0", "O(1)", "Returns the client ID for the current connection"),
    Command::new("setname", 3, Group::Connection, client_setname)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("2.6.9", "O(1)", "Set the current connection name")
        .args("connection-name:string"),
    Command::new("getname", 2, Group::Connection, client_getname)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("2.6.9", "O(1)", "Get the current connection name"),
    Command::new("list", -2, Group::Connection, client_list)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("2.4.0", "O(N) where N is the number of client connections", "Get the list of client connections")
        .args("[TYPE (NORMAL | MASTER | REPLICA | PUBSUB)]@5.0.0 id=[ID (client-id:integer [client-id:integer ...])]@6.2.0")
        .history(&[
            ("2.8.12", "Added unique client `id` field."),
            ("5.0.0", "Added optional `TYPE` filter."),
            ("6.0.0", "Added `user` field."),
            ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."),
            ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
            ("7.0.3", "Added `ssub` field."),
        ])
        .tips(&["nondeterministic_output"]),
    Command::new("info", 2, Group::Connection, client_info)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("6.2.0", "O(1)", "Returns information about the current client connection.")
        .tips(&["nondeterministic_output"]),
    Command::new("kill", -3, Group::Connection, client_kill)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("2.4.0", "O(N) where N is the number of client connections", "Kill the connection of a client")
        .args("filter=(ip:port!2.8.12 | new-format=([ID client-id:integer]@2.8.12 | [TYPE normal_master_slave_pubsub=(NORMAL | MASTER@3.2.0 | SLAVE | REPLICA@5.0.0 | PUBSUB)]@2.8.12 | [USER username] | [ADDR ip:port] | [LADDR ip:port]@6.2.0 | [SKIPME yes/no]) ...)")
        .history(&[
            ("2.8.12", "Added new filter format."),
            ("2.8.12", "`ID` option."),
            ("3.2.0", "Added `master` type in for `TYPE` option."),
            ("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."),
            ("6.2.0", "`LADDR` option."),
        ]),
    Command::new("no-evict", 3, Group::Connection, client_no_evict)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("7.0.0", "O(1)", "Set client eviction mode for the current connection")
        .args("enabled=(ON | OFF)"),
    Command::new("no-touch", 3, Group::Connection, client_no_touch)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("7.2.0", "O(1)", "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.")
        .args("enabled=(ON | OFF)"),
    // Redis 7.2: client libraries send it right after connecting.
    Command::new("setinfo", 4, Group::Connection, client_setinfo)
        .flags(NOSCRIPT | LOADING | STALE | SENTINEL)
        .acl(CONN)
        .doc("7.2.0", "O(1)", "Sets information specific to the client or connection.")
        .args("attr=(LIB-NAME libname:string | LIB-VER libver:string)")
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
    Command::new("reply", 3, Group::Connection, client_reply)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("3.2.0", "O(1)", "Instruct the server whether to reply to commands")
        .args("ON | OFF | SKIP"),
    Command::new("pause", -3, Group::Connection, client_pause)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("2.9.50", "O(1)", "Stop processing commands from clients for some time")
        .args("timeout:integer mode=[WRITE | ALL]@6.2.0")
        .history(&[("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option.")]),
    Command::new("unpause", 2, Group::Connection, client_unpause)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("6.2.0", "O(N) Where N is the number of paused clients", "Resume processing of clients that were paused"),
    Command::new("tracking", -3, Group::Connection, client_tracking)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("6.0.0", "O(1). Some options may introduce additional complexity.", "Enable or disable server assisted client side caching support")
        .args("status=(ON | OFF) [REDIRECT client-id:integer] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]"),
    Command::new("caching", 3, Group::Connection, client_caching)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("6.0.0", "O(1)", "Instruct the server about tracking or not keys in the next request")
        .args("mode=(YES | NO)"),
    Command::new("getredir", 2, Group::Connection, client_getredir)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("6.0.0", "O(1)", "Get tracking notifications redirection client ID if any"),
    Command::new("trackinginfo", 2, Group::Connection, client_trackinginfo)
        .flags(NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("6.2.0", "O(1)", "Return information about server assisted client side caching for the current connection"),
    Command::new("unblock", -3, Group::Connection, client_unblock)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE)
        .acl(CONN)
        .doc("5.0.0", "O(log N) where N is the number of client connections", "Unblock a client blocked in a blocking command from a different connection")
        .args("client-id:integer [TIMEOUT | ERROR]"),
    Command::new("help", 2, Group::Connection, client_help)
        .flags(LOADING | STALE)
        .acl(CONN)
        .doc("5.0.0", "O(1)", "Show helpful text about the different subcommands"),
];

/// Redis's rule for client names: printable ASCII, no spaces.
pub fn validate_name(name: &[u8]) -> Result<(), &'static str> {
    if name.iter().all(|&c| (b'!'..=b'~').contains(&c)) {
        Ok(())
    } else {
        Err("ERR Client names cannot contain spaces, newlines or special characters.")
    }
}

fn client_id(ctx: &mut Ctx) {
    let id = ctx.c.id as i64;
    ctx.c.reply.int(id);
}

fn client_setname(ctx: &mut Ctx) {
    let name = ctx.argv.get(2);
    if let Err(e) = validate_name(name) {
        return ctx.error(e);
    }
    ctx.c.name = if name.is_empty() { None } else { Some(name.to_vec()) };
    ctx.c.reply.ok();
}

fn client_getname(ctx: &mut Ctx) {
    match &ctx.c.name {
        Some(n) => ctx.c.reply.bulk(n),
        None => ctx.c.reply.null(),
    }
}

/// What CLIENT LIST knows of a connection beyond its `ClientState`.
struct IoInfo {
    qbuf: usize,
    qbuf_free: usize,
    pending_out: usize,
    writable: bool,
}

fn io_info(srv: &Server, st: &ClientState) -> IoInfo {
    match srv.clients.get(st.key) {
        Some(Some(c)) => IoInfo {
            qbuf: c.qlen,
            qbuf_free: c.querybuf.len() - c.qlen,
            pending_out: c.st.reply.buf.len() - c.sent,
            writable: c.has_pending_output(),
        },
        // The client running this command is not in its slot.
        _ => IoInfo {
            qbuf: st.qbuf_len,
            qbuf_free: st.qbuf_cap.saturating_sub(st.qbuf_len),
            pending_out: st.reply.buf.len(),
            writable: false,
        },
    }
}

/// One CLIENT LIST line, fields as Redis 7.0 prints them.
pub fn client_line(srv: &Server, st: &ClientState, now_ms: i64) -> String {
    let io = io_info(srv, st);
    let mut flags = String::new();
    if st.subs.active() {
        flags.push('P');
    }
    if st.multi.is_some() {
        flags.push('x');
    }
    if st.blocked.is_some() || st.postponed {
        flags.push('b');
    }
    let tracking = srv.tracking.clients.get(&st.id);
    if let Some(m) = tracking {
        flags.push('t');
        if m.broken_redirect {
            flags.push('R');
        }
        if m.bcast {
            flags.push('B');
        }
    }
    if st.dirty_cas {
        flags.push('d');
    }
    if st.close_after_reply {
        flags.push('c');
    }
    if st.close_asap {
        flags.push('A');
    }
    if st.monitor {
        flags.insert(0, 'O');
    } else if st.is_replica() {
        flags.insert(0, 'S');
    } else if st.master {
        flags.insert(0, 'M');
    }
    if st.unix_socket {
        flags.push('U');
    }
    if st.no_evict {
        flags.push('e');
    }
    if st.no_touch {
        flags.push('T');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let cmd = st
        .last_cmd
        .map(|id| srv.table.full_names[id as usize].as_str())
        .unwrap_or("NULL");
    let rbs = st.reply.buf.capacity();
    let tot_mem = io.qbuf + io.qbuf_free + rbs + std::mem::size_of::<crate::client::Client>();
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll=0 omem=0 tot-mem={} events={} cmd={} user={} redir={} resp={} lib-name={} lib-ver={}",
        st.id,
        st.addr,
        st.laddr,
        st.fd,
        String::from_utf8_lossy(st.name.as_deref().unwrap_or(b"")),
        (now_ms - st.ctime_ms).max(0) / 1000,
        (now_ms - st.last_interaction_ms).max(0) / 1000,
        flags,
        st.db,
        st.subs.channels.len(),
        st.subs.patterns.len(),
        st.subs.shard.len(),
        st.multi.as_ref().map_or(-1, |m| m.queue.len() as i64),
        io.qbuf,
        io.qbuf_free,
        st.argv_mem,
        st.multi.as_ref().map_or(0, |m| m.mem()),
        rbs,
        st.reply_peak.max(rbs),
        io.pending_out,
        tot_mem,
        if io.writable { "rw" } else { "r" },
        cmd,
        // The master's connection has no user: Redis shows its superuser.
        if st.master { "(superuser)" } else { "default" },
        tracking.map_or(-1, |m| m.redirect as i64),
        st.reply.resp,
        String::from_utf8_lossy(st.lib_name.as_deref().unwrap_or(b"")),
        String::from_utf8_lossy(st.lib_ver.as_deref().unwrap_or(b"")),
    )
}

/// Calls `f` for every client in slab order, the running one included.
fn for_each_client(ctx: &Ctx, mut f: impl FnMut(&ClientState)) {
    let me = ctx.c.key;
    for (key, slot) in ctx.srv.clients.iter() {
        if key == me {
            f(ctx.c);
        } else if let Some(c) = slot {
            f(&c.st);
        }
    }
}

/// A client's type for CLIENT LIST/KILL TYPE (getClientType).
pub fn client_type(st: &ClientState) -> &'static str {
    if st.master {
        "master"
    } else if st.is_replica() && !st.monitor {
        "replica"
    } else if st.subs.active() {
        "pubsub"
    } else {
        "normal"
    }
}

/// The client types CLIENT LIST/KILL TYPE accept.
fn parse_client_type(ctx: &mut Ctx, i: usize) -> Option<&'static str> {
    let t = ctx.argv.get(i).to_ascii_lowercase();
    let ty = match t.as_slice() {
        b"normal" => "normal",
        b"master" => "master",
        b"replica" | b"slave" => "replica",
        b"pubsub" => "pubsub",
        _ => {
            let msg = format!("ERR Unknown client type '{}'", super::arg_text(ctx.argv.get(i)));
            ctx.error(&msg);
            return None;
        }
    };
    Some(ty)
}

/// CLIENT LIST [TYPE type] [ID id [id ...]]
fn client_list(ctx: &mut Ctx) {
    let mut type_filter = None;
    let mut ids: Option<Vec<u64>> = None;
    let n = ctx.argv.len();
    if n == 4 && ctx.argv.get(2).eq_ignore_ascii_case(b"TYPE") {
        let Some(t) = parse_client_type(ctx, 3) else { return };
        type_filter = Some(t);
    } else if n >= 4 && ctx.argv.get(2).eq_ignore_ascii_case(b"ID") {
        // Ids that name no client (0, negative, unknown) simply match nothing.
        let mut v = Vec::new();
        for i in 3..n {
            match crate::util::string2ll(ctx.argv.get(i)) {
                Some(id) => v.extend(u64::try_from(id).ok()),
                None => return ctx.error("ERR Invalid client ID"),
            }
        }
        ids = Some(v);
    } else if n != 2 {
        return ctx.syntax_error();
    }
    let now = ctx.srv.now_ms;
    let mut out = String::new();
    for_each_client(ctx, |st| {
        if type_filter.is_some_and(|t| t != client_type(st)) {
            return;
        }
        if ids.as_ref().is_some_and(|v| !v.contains(&st.id)) {
            return;
        }
        out.push_str(&client_line(ctx.srv, st, now));
        out.push('\n');
    });
    ctx.c.reply.verbatim(out.as_bytes(), b"txt");
}

fn client_info(ctx: &mut Ctx) {
    let mut line = client_line(ctx.srv, ctx.c, ctx.srv.now_ms);
    line.push('\n');
    ctx.c.reply.verbatim(line.as_bytes(), b"txt");
}

/// CLIENT KILL ip:port | CLIENT KILL <filter> <value> ...
fn client_kill(ctx: &mut Ctx) {
    let n = ctx.argv.len();
    let mut id = None;
    let mut addr = None;
    let mut laddr = None;
    let mut ty = None;
    let mut skipme = true;
    let mut max_age = None;
    let old_form = n == 3;
    if old_form {
        addr = Some(ctx.argv.get(2).to_vec());
        skipme = false;
    } else {
        if !n.is_multiple_of(2) {
            return ctx.syntax_error();
        }
        let mut i = 2;
        while i < n {
            let (opt, val) = (ctx.argv.get(i), ctx.argv.get(i + 1));
            if opt.eq_ignore_ascii_case(b"ID") {
                match crate::util::string2ll(val) {
                    Some(v) if v > 0 => id = Some(v as u64),
                    _ => return ctx.error("ERR client-id should be greater than 0"),
                }
            } else if opt.eq_ignore_ascii_case(b"TYPE") {
                let Some(t) = parse_client_type(ctx, i + 1) else { return };
                ty = Some(t);
            } else if opt.eq_ignore_ascii_case(b"ADDR") {
                addr = Some(val.to_vec());
            } else if opt.eq_ignore_ascii_case(b"LADDR") {
                laddr = Some(val.to_vec());
            } else if opt.eq_ignore_ascii_case(b"USER") {
                // Every connection belongs to the only user, `default`.
                if val != b"default" {
                    let msg = format!("ERR No such user '{}'", super::arg_text(val));
                    return ctx.error(&msg);
                }
            } else if opt.eq_ignore_ascii_case(b"MAXAGE") {
                // Redis 7.4: connections older than this many seconds.
                match crate::util::string2ll(val) {
                    Some(v) if v > 0 => max_age = Some(v),
                    Some(_) => return ctx.error("ERR maxage should be greater than 0"),
                    None => return ctx.error("ERR maxage is not an integer or out of range"),
                }
            } else if opt.eq_ignore_ascii_case(b"SKIPME") {
                if val.eq_ignore_ascii_case(b"yes") {
                    skipme = true;
                } else if val.eq_ignore_ascii_case(b"no") {
                    skipme = false;
                } else {
                    return ctx.syntax_error();
                }
            } else {
                return ctx.syntax_error();
            }
            i += 2;
        }
    }
    let now_ms = ctx.srv.now_ms;
    let matches = |st: &ClientState| {
        max_age.is_none_or(|m| (now_ms - st.ctime_ms) / 1000 > m)
            && id.is_none_or(|v| v == st.id)
            && addr.as_deref().is_none_or(|a| a == st.addr.as_bytes())
            && laddr.as_deref().is_none_or(|a| a == st.laddr.as_bytes())
            && ty.is_none_or(|t| t == client_type(st))
    };
    let me = ctx.c.key;
    let mut victims = Vec::new();
    for (key, slot) in ctx.srv.clients.iter() {
        if let Some(c) = slot {
            if matches(&c.st) {
                victims.push(key);
            }
        }
    }
    let kill_me = !skipme && matches(ctx.c);
    let killed = victims.len() + kill_me as usize;
    for key in victims {
        if key != me {
            ctx.srv.close_client(key);
        }
    }
    if old_form {
        if killed == 0 {
            return ctx.error("ERR No such client");
        }
        ctx.c.reply.ok();
    } else {
        ctx.c.reply.int(killed as i64);
    }
    if kill_me {
        ctx.c.close_after_reply = true;
    }
}

/// Parses ON|OFF; None after a syntax error.
fn on_off(ctx: &mut Ctx) -> Option<bool> {
    let a = ctx.argv.get(2);
    if a.eq_ignore_ascii_case(b"ON") {
        Some(true)
    } else if a.eq_ignore_ascii_case(b"OFF") {
        Some(false)
    } else {
        ctx.syntax_error();
        None
    }
}

fn client_no_evict(ctx: &mut Ctx) {
    let Some(on) = on_off(ctx) else { return };
    ctx.c.no_evict = on;
    ctx.c.reply.ok();
}

/// CLIENT SETINFO LIB-NAME|LIB-VER value: an empty value clears it; the
/// value must survive CLIENT LIST's space-separated format.
fn client_setinfo(ctx: &mut Ctx) {
    let attr = ctx.argv.get(2);
    let val = ctx.argv.get(3);
    let lib_name = attr.eq_ignore_ascii_case(b"lib-name");
    if !lib_name && !attr.eq_ignore_ascii_case(b"lib-ver") {
        let msg = format!("ERR Unrecognized option '{}'", super::arg_text(attr));
        return ctx.error(&msg);
    }
    if val.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        let msg = format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            super::arg_text(attr)
        );
        return ctx.error(&msg);
    }
    let v = (!val.is_empty()).then(|| val.to_vec());
    if lib_name {
        ctx.c.lib_name = v;
    } else {
        ctx.c.lib_ver = v;
    }
    ctx.c.reply.ok();
}

fn client_no_touch(ctx: &mut Ctx) {
    let Some(on) = on_off(ctx) else { return };
    ctx.c.no_touch = on;
    ctx.c.reply.ok();
}

/// CLIENT REPLY ON|OFF|SKIP: OFF and SKIP are not answered.
fn client_reply(ctx: &mut Ctx) {
    let a = ctx.argv.get(2);
    if a.eq_ignore_ascii_case(b"ON") {
        ctx.c.reply_off = false;
        ctx.c.reply_skip = false;
        ctx.c.reply_skip_next = false;
        ctx.c.reply.ok();
    } else if a.eq_ignore_ascii_case(b"OFF") {
        ctx.c.reply_off = true;
    } else if a.eq_ignore_ascii_case(b"SKIP") {
        if !ctx.c.reply_off {
            ctx.c.reply_skip_next = true;
        }
    } else {
        ctx.syntax_error();
    }
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
/// [OPTOUT] [NOLOOP], with Redis's rules on combining them.
fn client_tracking(ctx: &mut Ctx) {
    let on = ctx.argv.get(2);
    let on = if on.eq_ignore_ascii_case(b"ON") {
        true
    } else if on.eq_ignore_ascii_case(b"OFF") {
        false
    } else {
        return ctx.syntax_error();
    };
    let mut m = crate::tracking::Mode::default();
    let mut new_prefixes: Vec<Vec<u8>> = Vec::new();
    let mut j = 3;
    while j < ctx.argv.len() {
        let a = ctx.argv.get(j);
        let more = j + 1 < ctx.argv.len();
        if a.eq_ignore_ascii_case(b"REDIRECT") && more {
            j += 1;
            if m.redirect != 0 {
                return ctx.error("ERR A client can only redirect to a single other client");
            }
            let Some(id) = ctx.int_arg(j) else { return };
            if id <= 0 || !ctx.srv.clients_by_id.contains_key(&(id as u64)) {
                return ctx.error("ERR The client ID you want redirect to does not exist");
            }
            m.redirect = id as u64;
        } else if a.eq_ignore_ascii_case(b"BCAST") {
            m.bcast = true;
        } else if a.eq_ignore_ascii_case(b"OPTIN") {
            m.optin = true;
        } else if a.eq_ignore_ascii_case(b"OPTOUT") {
            m.optout = true;
        } else if a.eq_ignore_ascii_case(b"NOLOOP") {
            m.noloop = true;
        } else if a.eq_ignore_ascii_case(b"PREFIX") && more {
            j += 1;
            new_prefixes.push(ctx.argv.get(j).to_vec());
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    let id = ctx.c.id;
    if !on {
        ctx.srv.disable_tracking(id);
        return ctx.c.reply.ok();
    }
    let current = ctx.srv.tracking.clients.get(&id).cloned();
    if !m.bcast && !new_prefixes.is_empty() {
        return ctx.error("ERR PREFIX option requires BCAST mode to be enabled");
    }
    if let Some(cur) = &current {
        if cur.bcast != m.bcast {
            return ctx.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
        }
    }
    if m.optin && m.optout {
        return ctx.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    }
    if let Some(cur) = &current {
        if (m.optin && cur.optout) || (m.optout && cur.optin) {
            return ctx.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
        }
    }
    if m.bcast && (m.optin || m.optout) {
        return ctx.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    }
    let existing = current.as_ref().map(|c| c.prefixes.clone()).unwrap_or_default();
    if let Some(msg) = prefix_collision(&existing, &new_prefixes) {
        return ctx.error(&msg);
    }
    m.prefixes = existing;
    m.prefixes.extend(new_prefixes);
    ctx.srv.enable_tracking(id, m);
    ctx.c.reply.ok();
}

/// The error for prefixes that overlap (one starts with the other), among
/// the client's existing ones or the new ones.
fn prefix_collision(existing: &[Vec<u8>], new: &[Vec<u8>]) -> Option<String> {
    let overlap = |a: &[u8], b: &[u8]| a.starts_with(b) || b.starts_with(a);
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    for (i, p) in new.iter().enumerate() {
        if let Some(e) = existing.iter().find(|e| overlap(p, e)) {
            return Some(format!(
                "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                text(p),
                text(e)
            ));
        }
        if let Some(o) = new[i + 1..].iter().find(|o| overlap(p, o)) {
            return Some(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                text(p),
                text(o)
            ));
        }
    }
    None
}

/// CLIENT CACHING YES|NO: for the next command, in OPTIN/OPTOUT mode.
fn client_caching(ctx: &mut Ctx) {
    let id = ctx.c.id;
    let Some(m) = ctx.srv.tracking.clients.get(&id).cloned() else {
        return ctx.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
    };
    let a = ctx.argv.get(2);
    if a.eq_ignore_ascii_case(b"YES") {
        if !m.optin {
            return ctx.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
        }
    } else if a.eq_ignore_ascii_case(b"NO") {
        if !m.optout {
            return ctx.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
        }
    } else {
        return ctx.syntax_error();
    }
    if let Some(m) = ctx.srv.tracking.clients.get_mut(&id) {
        m.caching = true;
    }
    ctx.c.reply.ok();
}

/// CLIENT GETREDIR: -1 when not tracking, 0 without redirection.
fn client_getredir(ctx: &mut Ctx) {
    let r = match ctx.srv.tracking.clients.get(&ctx.c.id) {
        Some(m) => m.redirect as i64,
        None => -1,
    };
    ctx.c.reply.int(r);
}

/// CLIENT TRACKINGINFO: flags, redirect and prefixes.
fn client_trackinginfo(ctx: &mut Ctx) {
    let m = ctx.srv.tracking.clients.get(&ctx.c.id).cloned();
    let mut flags: Vec<&str> = Vec::new();
    let redirect = match &m {
        None => {
            flags.push("off");
            -1
        }
        Some(m) => {
            flags.push("on");
            for (on, name) in [(m.bcast, "bcast"), (m.optin, "optin"), (m.optout, "optout")] {
                if on {
                    flags.push(name);
                }
            }
            if m.caching {
                flags.push(if m.optin { "caching-yes" } else { "caching-no" });
            }
            if m.noloop {
                flags.push("noloop");
            }
            if m.broken_redirect {
                flags.push("broken_redirect");
            }
            m.redirect as i64
        }
    };
    let r = &mut ctx.c.reply;
    r.map_len(3);
    r.bulk(b"flags");
    r.set_len(flags.len());
    for f in flags {
        r.bulk(f.as_bytes());
    }
    r.bulk(b"redirect");
    r.int(redirect);
    r.bulk(b"prefixes");
    // Sorted, as Redis keeps them in a radix tree.
    let mut prefixes = m
        .map(|m| if m.bcast { m.prefixes } else { Vec::new() })
        .unwrap_or_default();
    prefixes.sort();
    r.array_len(prefixes.len());
    for p in prefixes {
        r.bulk(&p);
    }
}

/// CLIENT PAUSE timeout [WRITE|ALL]
fn client_pause(ctx: &mut Ctx) {
    let Some(deadline) = crate::blocking::parse_timeout_ms(ctx, 2) else {
        return;
    };
    let all = match ctx.argv.len() {
        3 => true,
        4 if ctx.argv.get(3).eq_ignore_ascii_case(b"ALL") => true,
        4 if ctx.argv.get(3).eq_ignore_ascii_case(b"WRITE") => false,
        4 => return ctx.error("ERR CLIENT PAUSE mode must be WRITE or ALL"),
        _ => return ctx.subcommand_syntax_error(),
    };
    // A zero timeout pauses nothing but still answers OK.
    let end = deadline.unwrap_or(ctx.srv.cmd_time_ms);
    ctx.srv.pause_clients(PausePurpose::ClientCommand, end, all);
    ctx.c.reply.ok();
}

/// CLIENT UNPAUSE
fn client_unpause(ctx: &mut Ctx) {
    ctx.srv.unpause(PausePurpose::ClientCommand);
    ctx.c.reply.ok();
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if a blocked client was unblocked.
fn client_unblock(ctx: &mut Ctx) {
    let Some(id) = ctx.int_arg(2) else { return };
    let mut how = crate::blocking::Unblocked::Timeout;
    if ctx.argv.len() == 4 {
        let r = ctx.argv.get(3);
        if r.eq_ignore_ascii_case(b"ERROR") {
            how = crate::blocking::Unblocked::Error;
        } else if !r.eq_ignore_ascii_case(b"TIMEOUT") {
            return ctx.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
    } else if ctx.argv.len() > 4 {
        return ctx.subcommand_syntax_error();
    }
    let unblocked = u64::try_from(id).is_ok_and(|id| ctx.srv.client_unblock(id, how));
    ctx.c.reply.int(unblocked as i64);
}

fn client_help(ctx: &mut Ctx) {
    // Redis 7.0.15's text, plus what fastkey has of later versions:
    // SETINFO and NO-TOUCH (7.2), KILL MAXAGE (7.4), in their words.
    ctx.help(&[
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * MAXAGE <maxage>",
        "      Kill connections older than the specified age.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
    ]);
}
