//! Transaction commands: MULTI EXEC DISCARD WATCH UNWATCH. Queueing itself
//! happens in `Server::dispatch`, where every command passes.

use super::{acl, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::multi::{MultiState, Watched};

const TX_FLAGS: u64 = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY;

pub static COMMANDS: &[Command] = &[
    Command::new("multi", 1, Group::Transactions, multi)
        .flags(TX_FLAGS)
        .acl(acl::TRANSACTION)
        .doc("1.2.0", "O(1)", "Mark the start of a transaction block"),
    Command::new("exec", 1, Group::Transactions, exec)
        .flags(NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG)
        .acl(acl::TRANSACTION)
        .doc(
            "1.2.0",
            "Depends on commands in the transaction",
            "Execute all commands issued after MULTI",
        ),
    Command::new("discard", 1, Group::Transactions, discard)
        .flags(TX_FLAGS)
        .acl(acl::TRANSACTION)
        .doc(
            "2.0.0",
            "O(N), when N is the number of queued commands",
            "Discard all commands issued after MULTI",
        ),
    Command::new("watch", -2, Group::Transactions, watch)
        .flags(TX_FLAGS)
        .acl(acl::TRANSACTION)
        .keys(&[KeySpec::range(1, -1, 1, ks::RO)])
        .doc(
            "2.2.0",
            "O(1) for every key.",
            "Watch the given keys to determine execution of the MULTI/EXEC block",
        )
        .args("key [key ...]"),
    Command::new("unwatch", 1, Group::Transactions, unwatch)
        .flags(TX_FLAGS)
        .acl(acl::TRANSACTION)
        .doc("2.2.0", "O(1)", "Forget about all watched keys"),
];

/// The commands that run at once even between MULTI and EXEC.
pub fn runs_inside_multi(name: &str) -> bool {
    matches!(name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset")
}

fn multi(ctx: &mut Ctx) {
    if ctx.c.multi.is_some() {
        return ctx.error("ERR MULTI calls can not be nested");
    }
    ctx.c.multi = Some(MultiState::default());
    ctx.c.reply.ok();
}

/// Drops the client's watched keys and the failed-transaction mark.
fn unwatch_all(ctx: &mut Ctx) {
    let mut watched = std::mem::take(&mut ctx.c.watched);
    ctx.srv.unwatch_all(ctx.c.key, &mut watched);
    ctx.c.dirty_cas = false;
}

/// True if a watched key has expired since it was watched: Redis counts
/// that as a change even if nothing deleted the key yet.
fn watched_key_expired(ctx: &Ctx) -> bool {
    let now = ctx.srv.cmd_time_ms;
    ctx.c.watched.iter().any(|w| {
        !ctx.srv.watched_keys.watched_expired(w.db, &w.key, ctx.c.key) && ctx.srv.dbs[w.db].is_expired_at(&w.key, now)
    })
}

fn exec(ctx: &mut Ctx) {
    // The queued commands propagate themselves, as one MULTI/EXEC block.
    ctx.prevent_propagation();
    let Some(state) = &mut ctx.c.multi else {
        return ctx.error("ERR EXEC without MULTI");
    };
    let (queue, aborted) = (std::mem::take(&mut state.queue), state.aborted);
    let failed_cas = ctx.c.dirty_cas || watched_key_expired(ctx);
    unwatch_all(ctx);
    if aborted {
        ctx.c.multi = None;
        return ctx.error("EXECABORT Transaction discarded because of previous errors.");
    }
    if failed_cas {
        ctx.c.multi = None;
        return ctx.c.reply.null_array();
    }
    // The client stays in MULTI state (flag x) while its queue runs.
    ctx.c.reply.array_len(queue.len());
    ctx.srv.in_exec = true;
    for (id, argv) in &queue {
        ctx.srv.call(ctx.c, *id, argv.view());
    }
    ctx.srv.in_exec = false;
    ctx.c.multi = None;
}

fn discard(ctx: &mut Ctx) {
    if ctx.c.multi.take().is_none() {
        return ctx.error("ERR DISCARD without MULTI");
    }
    unwatch_all(ctx);
    ctx.c.reply.ok();
}

fn watch(ctx: &mut Ctx) {
    if ctx.c.multi.is_some() {
        return ctx.error("ERR WATCH inside MULTI is not allowed");
    }
    let db = ctx.c.db;
    let now = ctx.srv.cmd_time_ms;
    for i in 1..ctx.argv.len() {
        let key = ctx.argv.get(i);
        if ctx.c.watched.iter().any(|w| w.db == db && &w.key[..] == key) {
            continue;
        }
        let expired = ctx.srv.dbs[db].is_expired_at(key, now);
        ctx.srv.watched_keys.add(db, key, ctx.c.key, expired);
        ctx.c.watched.push(Watched {
            db,
            key: crate::sbytes::SBytes::new(key),
        });
    }
    ctx.c.reply.ok();
}

fn unwatch(ctx: &mut Ctx) {
    unwatch_all(ctx);
    ctx.c.reply.ok();
}
