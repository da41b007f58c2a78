//! Connection commands: PING ECHO QUIT AUTH HELLO SELECT RESET.

use super::{acl, err, flags::*, Command, Ctx, Group};
use crate::server::VERSION;

pub static COMMANDS: &[Command] = &[
    Command::new("ping", -1, Group::Connection, ping)
        .flags(FAST | SENTINEL)
        .acl(acl::CONNECTION)
        .doc("1.0.0", "O(1)", "Ping the server")
        .args("[message]")
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
    Command::new("echo", 2, Group::Connection, echo)
        .flags(LOADING | STALE | FAST)
        .acl(acl::CONNECTION)
        .doc("1.0.0", "O(1)", "Echo the given string")
        .args("message"),
    Command::new("quit", -1, Group::Connection, quit)
        .flags(NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY)
        .acl(acl::CONNECTION)
        .doc("1.0.0", "O(1)", "Close the connection"),
    Command::new("auth", -2, Group::Connection, auth)
        .flags(NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | SENTINEL | ALLOW_BUSY)
        .acl(acl::CONNECTION)
        .doc("1.0.0", "O(N) where N is the number of passwords defined for the user", "Authenticate to the server")
        .args("[username]@6.0.0 password")
        .history(&[("6.0.0", "Added ACL style (username and password).")]),
    Command::new("hello", -1, Group::Connection, hello)
        .flags(NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | SENTINEL | ALLOW_BUSY)
        .acl(acl::CONNECTION)
        .doc("6.0.0", "O(1)", "Handshake with Redis")
        .args("arguments=[protover:integer [AUTH username password] [SETNAME clientname]]")
        .history(&[("6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context.")]),
    Command::new("select", 2, Group::Connection, select)
        .flags(LOADING | STALE | FAST)
        .acl(acl::CONNECTION)
        .doc("1.0.0", "O(1)", "Change the selected database for the current connection")
        .args("index:integer"),
    Command::new("reset", 1, Group::Connection, reset)
        .flags(NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY)
        .acl(acl::CONNECTION)
        .doc("6.2.0", "O(1)", "Reset the connection"),
];

/// PING [message]. A RESP2 client in the subscribed state gets
/// `["pong", message]` instead, as it could not tell a reply from a message.
fn ping(ctx: &mut Ctx) {
    if ctx.argv.len() > 2 {
        return ctx.arity_error();
    }
    if ctx.c.reply.resp == 2 && ctx.c.subs.active() {
        let msg = if ctx.argv.len() == 2 { ctx.argv.get(1) } else { b"" };
        let r = &mut ctx.c.reply;
        r.array_len(2);
        r.bulk(b"pong");
        r.bulk(msg);
        return;
    }
    match ctx.argv.len() {
        1 => ctx.c.reply.raw(crate::reply::PONG),
        2 => ctx.c.reply.bulk(ctx.argv.get(1)),
        _ => ctx.arity_error(),
    }
}

/// ECHO message
fn echo(ctx: &mut Ctx) {
    ctx.c.reply.bulk(ctx.argv.get(1));
}

/// QUIT: replies +OK and closes once the reply is written.
fn quit(ctx: &mut Ctx) {
    ctx.c.reply.ok();
    ctx.c.close_after_reply = true;
}

/// True if `user`/`pass` are valid credentials. Without ACLs there is one
/// user, `default`, whose password is `requirepass` (or none: any password).
fn check_credentials(ctx: &Ctx, user: &[u8], pass: &[u8]) -> bool {
    if user != b"default" {
        return false;
    }
    match &ctx.srv.cfg.requirepass {
        None => true,
        Some(p) => constant_time_eq(p, pass),
    }
}

/// Compares secrets in time independent of where they differ, so a
/// password cannot be guessed byte by byte from reply latency.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= (x ^ y) as usize;
    }
    diff == 0
}

/// AUTH [username] password
fn auth(ctx: &mut Ctx) {
    let (user, pass) = match ctx.argv.len() {
        2 => {
            if ctx.srv.cfg.requirepass.is_none() {
                return ctx.error(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
                );
            }
            (&b"default"[..], ctx.argv.get(1))
        }
        3 => (ctx.argv.get(1), ctx.argv.get(2)),
        _ => return ctx.syntax_error(),
    };
    if check_credentials(ctx, user, pass) {
        ctx.c.authenticated = true;
        ctx.c.reply.ok();
    } else {
        ctx.error("WRONGPASS invalid username-password pair or user is disabled.");
    }
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
fn hello(ctx: &mut Ctx) {
    let mut ver = None;
    if ctx.argv.len() >= 2 {
        match crate::util::string2ll(ctx.argv.get(1)) {
            Some(v) if (2..=3).contains(&v) => ver = Some(v as u8),
            Some(_) => return ctx.error("NOPROTO unsupported protocol version"),
            None => return ctx.error("ERR Protocol version is not an integer or out of range"),
        }
    }
    let mut creds = None;
    let mut setname = None;
    let mut j = 2;
    while j < ctx.argv.len() {
        let opt = ctx.argv.get(j);
        let left = ctx.argv.len() - j - 1;
        if opt.eq_ignore_ascii_case(b"AUTH") && left >= 2 {
            creds = Some((ctx.argv.get(j + 1), ctx.argv.get(j + 2)));
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"SETNAME") && left >= 1 {
            setname = Some(ctx.argv.get(j + 1));
            j += 2;
        } else {
            let msg = format!("ERR Syntax error in HELLO option '{}'", super::arg_text(opt));
            return ctx.error(&msg);
        }
    }
    if creds.is_none() && !ctx.c.authenticated {
        return ctx.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
    }
    if let Some((user, pass)) = creds {
        if !check_credentials(ctx, user, pass) {
            return ctx.error("WRONGPASS invalid username-password pair or user is disabled.");
        }
        ctx.c.authenticated = true;
    }
    if let Some(name) = setname {
        if let Err(e) = super::client::validate_name(name) {
            return ctx.error(e);
        }
        ctx.c.name = if name.is_empty() { None } else { Some(name.to_vec()) };
    }
    if let Some(v) = ver {
        ctx.c.reply.resp = v;
    }
    let id = ctx.c.id as i64;
    let r = &mut ctx.c.reply;
    r.map_len(7);
    r.bulk(b"server");
    r.bulk(b"redis");
    r.bulk(b"version");
    r.bulk(VERSION.as_bytes());
    r.bulk(b"proto");
    r.int(r.resp as i64);
    r.bulk(b"id");
    r.int(id);
    r.bulk(b"mode");
    r.bulk(b"standalone");
    r.bulk(b"role");
    r.bulk(b"master");
    r.bulk(b"modules");
    r.array_len(0);
}

/// SELECT index
fn select(ctx: &mut Ctx) {
    let Some(idx) = ctx.i32_arg(1) else { return };
    if idx < 0 || idx as usize >= ctx.srv.dbs.len() {
        return ctx.error(err::DB_INDEX);
    }
    ctx.c.db = idx as usize;
    ctx.c.reply.ok();
}

/// RESET: back to a fresh connection's state (db 0, RESP2, no name,
/// replies on, not authenticated if a password is required).
fn reset(ctx: &mut Ctx) {
    let c = &mut *ctx.c;
    c.db = 0;
    c.name = None;
    c.reply.resp = 2;
    c.reply_off = false;
    c.reply_skip = false;
    c.reply_skip_next = false;
    c.no_evict = false;
    c.no_touch = false;
    c.authenticated = ctx.srv.cfg.requirepass.is_none();
    let subs = std::mem::take(&mut c.subs);
    ctx.srv.pubsub_forget_client(c.key, &subs);
    c.multi = None;
    ctx.srv.disable_tracking(c.id);
    if c.monitor {
        c.monitor = false;
        ctx.srv.monitors.retain(|&m| m != c.key);
    }
    let mut watched = std::mem::take(&mut c.watched);
    ctx.srv.unwatch_all(c.key, &mut watched);
    c.dirty_cas = false;
    c.reply.status(b"RESET");
}
