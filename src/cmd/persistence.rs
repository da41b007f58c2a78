//! Persistence commands: SAVE BGSAVE (rdb.c), BGREWRITEAOF (aof.c) and
//! DUMP RESTORE (cluster.c).

use super::{acl, ev, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::rdb::format::{decode_dump_payload, dump_payload, RdbError};
use crate::rdb::value::value_from_rdb;

pub static COMMANDS: &[Command] = &[
    Command::new("save", 1, Group::Server, save)
        .flags(ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI)
        .acl(acl::DANGEROUS)
        .doc(
            "1.0.0",
            "O(N) where N is the total number of keys in all databases",
            "Synchronously save the dataset to disk",
        ),
    Command::new("bgsave", -1, Group::Server, bgsave)
        .flags(ADMIN | NOSCRIPT | NO_ASYNC_LOADING)
        .acl(acl::DANGEROUS)
        .doc("1.0.0", "O(1)", "Asynchronously save the dataset to disk")
        .args("[SCHEDULE]@3.2.2")
        .history(&[("3.2.2", "Added the `SCHEDULE` option.")]),
    Command::new("bgrewriteaof", 1, Group::Server, bgrewriteaof)
        .flags(ADMIN | NOSCRIPT | NO_ASYNC_LOADING)
        .acl(acl::DANGEROUS)
        .doc("1.0.0", "O(1)", "Asynchronously rewrite the append-only file"),
    Command::new("dump", 2, Group::Generic, dump)
        .flags(READONLY)
        .acl(acl::KEYSPACE)
        .keys(&[KeySpec::one(1, ks::RO | ks::ACCESS)])
        .doc(
            "2.6.0",
            "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
            "Return a serialized version of the value stored at the specified key.",
        )
        .args("key")
        .tips(&["nondeterministic_output"]),
    Command::new("restore", -4, Group::Generic, restore)
        .flags(WRITE | DENYOOM)
        .acl(acl::KEYSPACE | acl::DANGEROUS)
        .keys(&[KeySpec::one(1, ks::OW | ks::UPDATE)])
        .doc(
            "2.6.0",
            "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
            "Create a key using the provided serialized value, previously obtained using DUMP.",
        )
        .args("key ttl:integer serialized-value:string [REPLACE]@3.0.0 [ABSTTL]@5.0.0 [IDLETIME seconds:integer]@5.0.0 [FREQ frequency:integer]@5.0.0")
        .history(&[
            ("3.0.0", "Added the `REPLACE` modifier."),
            ("5.0.0", "Added the `ABSTTL` modifier."),
            ("5.0.0", "Added the `IDLETIME` and `FREQ` options."),
        ]),
];

fn save(ctx: &mut Ctx) {
    if ctx.srv.persist.rdb_save_running() {
        return ctx.error("ERR Background save already in progress");
    }
    match ctx.srv.rdb_save() {
        Ok(()) => ctx.c.reply.ok(),
        Err(_) => ctx.error("ERR"),
    }
}

/// BGREWRITEAOF
fn bgrewriteaof(ctx: &mut Ctx) {
    if ctx.srv.persist.aof_rewrite_running() {
        return ctx.error("ERR Background append only file rewriting already in progress");
    }
    if ctx.srv.persist.bgsave.is_some() || ctx.srv.in_exec {
        ctx.srv.aof.rewrite_scheduled = true;
        return ctx.c.reply.status(b"Background append only file rewriting scheduled");
    }
    match ctx.srv.aof_rewrite_start() {
        Ok(()) => ctx.c.reply.status(b"Background append only file rewriting started"),
        Err(_) => ctx
            .error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information."),
    }
}

/// BGSAVE [SCHEDULE]
fn bgsave(ctx: &mut Ctx) {
    let schedule = match ctx.argv.len() {
        1 => false,
        2 if ctx.argv.get(1).eq_ignore_ascii_case(b"schedule") => true,
        _ => return ctx.syntax_error(),
    };
    if ctx.srv.persist.rdb_save_running() {
        return ctx.error("ERR Background save already in progress");
    }
    // Inside EXEC, or while an AOF rewrite runs, the save can wait for
    // the cron (Redis defers it in EXEC, SCHEDULE or not).
    if ctx.srv.in_exec || (schedule && ctx.srv.persist.bgsave.is_some()) {
        ctx.srv.persist.bgsave_scheduled = true;
        return ctx.c.reply.status(b"Background saving scheduled");
    }
    match ctx.srv.rdb_bgsave() {
        Ok(()) => ctx.c.reply.status(b"Background saving started"),
        Err(e) => ctx.error(&format!("ERR {e}")),
    }
}

fn dump(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let compress = ctx.srv.cfg.rdbcompression;
    match ctx.srv.lookup_read(db, ctx.argv.get(1)) {
        Some(o) => {
            let payload = dump_payload(&o.v, compress);
            ctx.c.reply.bulk(&payload);
        }
        None => ctx.c.reply.null(),
    }
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f],
/// checked in Redis's order: options, existing key, TTL, payload.
fn restore(ctx: &mut Ctx) {
    let (mut replace, mut absttl) = (false, false);
    let mut idle: Option<i64> = None;
    let mut freq: Option<i64> = None;
    let mut j = 4;
    while j < ctx.argv.len() {
        let a = ctx.argv.get(j);
        let more = ctx.argv.len() - j - 1;
        if a.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if a.eq_ignore_ascii_case(b"absttl") {
            absttl = true;
        } else if a.eq_ignore_ascii_case(b"idletime") && more >= 1 && freq.is_none() {
            let Some(v) = ctx.int_arg(j + 1) else { return };
            if v < 0 {
                return ctx.error("ERR Invalid IDLETIME value, must be >= 0");
            }
            idle = Some(v);
            j += 1;
        } else if a.eq_ignore_ascii_case(b"freq") && more >= 1 && idle.is_none() {
            let Some(v) = ctx.int_arg(j + 1) else { return };
            if !(0..=255).contains(&v) {
                return ctx.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
            }
            freq = Some(v);
            j += 1;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if !replace && ctx.srv.lookup_write(db, key).is_some() {
        return ctx.error("BUSYKEY Target key name already exists.");
    }
    let Some(mut ttl) = ctx.int_arg(2) else { return };
    if ttl < 0 {
        return ctx.error("ERR Invalid TTL value, must be >= 0");
    }
    let value = match decode_dump_payload(ctx.argv.get(3), ctx.srv.skip_checksum_validation) {
        Ok(v) => v,
        Err(RdbError::DumpPayload) => return ctx.error("ERR DUMP payload version or checksum are wrong"),
        Err(_) => return ctx.error("ERR Bad data format"),
    };
    let Ok(value) = value_from_rdb(value, &ctx.srv.cfg) else {
        return ctx.error("ERR Bad data format");
    };
    let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
    let deleted = replace && ctx.srv.delete_key(db, key, lazy);
    if ttl > 0 && !absttl {
        ttl = ttl.saturating_add(ctx.srv.cmd_time_ms);
    }
    if ttl > 0 && ctx.srv.already_expired(ttl) {
        // Already expired: the key is gone (as a DEL of the old one).
        if deleted {
            ctx.propagate_as(&[if lazy { &b"UNLINK"[..] } else { b"DEL" }, key]);
            ctx.written(key, ev::GENERIC, "del");
        }
        return ctx.c.reply.ok();
    }
    ctx.srv.add_key(db, key, value);
    if ttl > 0 {
        ctx.srv.dbs[db].set_expire(key, ttl);
        if !absttl {
            // A relative TTL replayed later would expire later.
            let ttl_text = crate::propagate::num(ttl);
            let mut args: Vec<&[u8]> = ctx.argv.iter().collect();
            args[2] = &ttl_text;
            args.push(b"ABSTTL");
            ctx.propagate_as(&args);
        }
    }
    let (clock, now) = (ctx.srv.lru_clock, ctx.srv.now_ms);
    let lfu = ctx.srv.policy().is_lfu();
    if let Some(o) = ctx.srv.dbs[db].get_mut(key) {
        o.lru = crate::evict::restored_lru(o.lru, lfu, idle, freq, clock, now);
    }
    ctx.written(key, ev::GENERIC, "restore");
    ctx.c.reply.ok();
}
