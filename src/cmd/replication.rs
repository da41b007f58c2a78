//! Replication commands, master side (replication.c): REPLCONF, SYNC,
//! PSYNC, ROLE, WAIT, WAITAOF. The machinery is in `crate::replication`.

use super::{acl, flags::*, Command, Ctx, Group};
use crate::blocking::TimeoutReply;
use crate::object::Type;
use crate::replication::ReplState;

/// Redis's NET_HOST_STR_LEN: the longest ip-address a replica may announce.
const NET_HOST_STR_LEN: usize = 256;

pub static COMMANDS: &[Command] = &[
    Command::new("replconf", -1, Group::Server, replconf)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE | ALLOW_BUSY)
        .acl(acl::DANGEROUS)
        .doc("3.0.0", "O(1)", "An internal command for configuring the replication stream")
        .syscmd(),
    Command::new("sync", 1, Group::Server, sync)
        .flags(ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI)
        .acl(acl::DANGEROUS)
        .doc("1.0.0", "", "Internal command used for replication"),
    Command::new("psync", -3, Group::Server, psync)
        .flags(ADMIN | NOSCRIPT | NO_ASYNC_LOADING | NO_MULTI)
        .acl(acl::DANGEROUS)
        .doc("2.8.0", "", "Internal command used for replication")
        .args("replicationid:string offset:integer"),
    Command::new("role", 1, Group::Server, role)
        .flags(NOSCRIPT | LOADING | STALE | FAST)
        .acl(acl::ADMIN | acl::DANGEROUS)
        .doc(
            "2.8.12",
            "O(1)",
            "Return the role of the instance in the context of replication",
        ),
    Command::new("replicaof", 3, Group::Server, replicaof)
        .flags(ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING)
        .acl(acl::DANGEROUS)
        .doc(
            "5.0.0",
            "O(1)",
            "Make the server a replica of another instance, or promote it as master.",
        )
        .args(REPLICAOF_ARGS),
    Command::new("slaveof", 3, Group::Server, replicaof)
        .flags(ADMIN | NOSCRIPT | STALE | NO_ASYNC_LOADING)
        .acl(acl::DANGEROUS)
        .doc(
            "1.0.0",
            "O(1)",
            "Make the server a replica of another instance, or promote it as master.",
        )
        .deprecated("5.0.0", "`REPLICAOF`")
        .args(REPLICAOF_ARGS),
    Command::new("failover", -1, Group::Server, failover)
        .flags(ADMIN | NOSCRIPT | STALE)
        .acl(acl::DANGEROUS)
        .doc(
            "6.2.0",
            "O(1)",
            "Start a coordinated failover between this server and one of its replicas.",
        )
        .args("target=[TO host:string port:integer [FORCE]] [ABORT] [TIMEOUT milliseconds:integer]"),
    Command::new("wait", 3, Group::Generic, wait)
        .flags(NOSCRIPT)
        .acl(acl::CONNECTION)
        .doc(
            "3.0.0",
            "O(1)",
            "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
        )
        .args("numreplicas:integer timeout:integer")
        .tips(&["request_policy:all_shards", "response_policy:agg_min"]),
    Command::new("waitaof", 4, Group::Generic, waitaof)
        .flags(NOSCRIPT)
        .acl(acl::CONNECTION)
        .doc(
            "7.2.0",
            "O(1)",
            "Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.",
        )
        .args("numlocal:integer numreplicas:integer timeout:integer")
        .tips(&["request_policy:all_shards", "response_policy:agg_min"]),
];

const REPLICAOF_ARGS: &str = "args=(host-port=(host:string port:integer) | no-one=(NO ONE))";

/// REPLICAOF host port | NO ONE (replicaofCommand).
fn replicaof(ctx: &mut Ctx) {
    if ctx.srv.cfg.cluster_enabled {
        return ctx.error("ERR REPLICAOF not allowed in cluster mode.");
    }
    if ctx.srv.link.failover.state != crate::replica::FailoverState::None {
        return ctx.error("ERR REPLICAOF not allowed while failing over.");
    }
    if ctx.argv.get(1).eq_ignore_ascii_case(b"no") && ctx.argv.get(2).eq_ignore_ascii_case(b"one") {
        if ctx.srv.has_master() {
            ctx.srv.unset_master();
            let who = super::client::client_line(ctx.srv, ctx.c, ctx.srv.now_ms);
            log::info!("MASTER MODE enabled (user request from '{who}')");
        }
        return ctx.c.reply.ok();
    }
    if ctx.c.is_replica() {
        // Our replica must not make us its own replica.
        return ctx.error("ERR Command is not valid when client is a replica.");
    }
    let port = match crate::util::string2ll(ctx.argv.get(2)) {
        Some(p @ 0..=65535) => p as u16,
        _ => return ctx.error("ERR Invalid master port"),
    };
    let host = String::from_utf8_lossy(ctx.argv.get(1)).into_owned();
    if ctx
        .srv
        .cfg
        .replicaof
        .as_ref()
        .is_some_and(|(h, p)| h.eq_ignore_ascii_case(&host) && *p == port)
    {
        log::info!("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
        return ctx.c.reply.raw(b"+OK Already connected to specified master\r\n");
    }
    ctx.srv.set_master(host.clone(), port);
    let who = super::client::client_line(ctx.srv, ctx.c, ctx.srv.now_ms);
    log::info!("REPLICAOF {host}:{port} enabled (user request from '{who}')");
    ctx.c.reply.ok();
}

/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]
fn failover(ctx: &mut Ctx) {
    use crate::replica::FailoverState;
    if ctx.srv.cfg.cluster_enabled {
        return ctx.error("ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.");
    }
    if ctx.argv.len() == 2 && ctx.argv.get(1).eq_ignore_ascii_case(b"abort") {
        if ctx.srv.link.failover.state == FailoverState::None {
            return ctx.error("ERR No failover in progress.");
        }
        ctx.srv.failover_abort("Failover manually aborted");
        return ctx.c.reply.ok();
    }
    let (mut timeout, mut force, mut target) = (0i64, false, None);
    let mut j = 1;
    while j < ctx.argv.len() {
        let a = ctx.argv.get(j);
        let left = ctx.argv.len() - j - 1;
        if a.eq_ignore_ascii_case(b"timeout") && left >= 1 && timeout == 0 {
            let Some(t) = ctx.int_arg(j + 1) else { return };
            if t <= 0 {
                return ctx.error("ERR FAILOVER timeout must be greater than 0");
            }
            timeout = t;
            j += 2;
        } else if a.eq_ignore_ascii_case(b"to") && left >= 2 && target.is_none() {
            let Some(port) = ctx.int_arg(j + 2) else { return };
            target = Some((String::from_utf8_lossy(ctx.argv.get(j + 1)).into_owned(), port));
            j += 3;
        } else if a.eq_ignore_ascii_case(b"force") && !force {
            force = true;
            j += 1;
        } else {
            return ctx.syntax_error();
        }
    }
    if ctx.srv.link.failover.state != FailoverState::None {
        return ctx.error("ERR FAILOVER already in progress.");
    }
    if ctx.srv.has_master() {
        return ctx.error("ERR FAILOVER is not valid when server is a replica.");
    }
    if ctx.srv.repl.replicas.is_empty() {
        return ctx.error("ERR FAILOVER requires connected replicas.");
    }
    if force && (timeout == 0 || target.is_none()) {
        return ctx.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
    }
    let target = match target {
        Some((host, port)) => {
            // A port no replica can have matches none.
            let key = u16::try_from(port).ok().and_then(|p| ctx.srv.find_replica(&host, p));
            let Some(key) = key else {
                return ctx.error("ERR FAILOVER target HOST and PORT is not a replica.");
            };
            let online = ctx
                .srv
                .clients
                .get(key)
                .and_then(|c| c.as_ref())
                .and_then(|c| c.st.repl.as_deref())
                .is_some_and(|r| r.state == Some(ReplState::Online));
            if !online {
                return ctx.error("ERR FAILOVER target replica is not online.");
            }
            Some((host, port as u16))
        }
        None => None,
    };
    ctx.srv.failover_start(target, timeout, force);
    ctx.c.reply.ok();
}

/// REPLCONF <option> <value> [<option> <value> ...]
fn replconf(ctx: &mut Ctx) {
    if ctx.argv.len().is_multiple_of(2) {
        // Every option needs its value.
        return ctx.syntax_error();
    }
    let mut j = 1;
    while j < ctx.argv.len() {
        let opt = ctx.argv.get(j).to_ascii_lowercase();
        let val = ctx.argv.get(j + 1);
        match opt.as_slice() {
            b"listening-port" => {
                let Some(port) = ctx.int_arg(j + 1) else { return };
                ctx.c.repl_mut().listening_port = port;
            }
            b"ip-address" => {
                if val.len() >= NET_HOST_STR_LEN {
                    let msg = format!(
                        "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                        val.len()
                    );
                    return ctx.error(&msg);
                }
                ctx.c.repl_mut().ip_address = Some(String::from_utf8_lossy(val).into_owned());
            }
            b"capa" => {
                // Capabilities this master does not know are ignored.
                if val.eq_ignore_ascii_case(b"eof") {
                    ctx.c.repl_mut().capa_eof = true;
                } else if val.eq_ignore_ascii_case(b"psync2") {
                    ctx.c.repl_mut().capa_psync2 = true;
                }
            }
            b"ack" => return replconf_ack(ctx, j),
            // Only a replica answers GETACK, to its master, once the
            // command is done (the ACK is the offset before it).
            b"getack" => {
                if ctx.c.master {
                    ctx.srv.link.ack_requested = true;
                }
                return;
            }
            b"rdb-only" => {
                // Accepted for compatibility; a full sync always streams.
                match crate::util::string2ll(val) {
                    Some(0 | 1) => {}
                    Some(_) => return ctx.error("ERR value is out of range, value must between 0 and 1"),
                    None => return ctx.error("ERR value is not an integer or out of range"),
                }
            }
            _ => {
                let msg = format!("ERR Unrecognized REPLCONF option: {}", super::arg_text(ctx.argv.get(j)));
                return ctx.error(&msg);
            }
        }
        j += 2;
    }
    ctx.c.reply.ok();
}

/// REPLCONF ACK <offset> [FACK <offset>]: never answered (the reply would
/// go into the stream).
fn replconf_ack(ctx: &mut Ctx, j: usize) {
    if !ctx.c.is_replica() {
        return;
    }
    let Some(offset) = crate::util::string2ll(ctx.argv.get(j + 1)) else {
        return;
    };
    // Redis 7.2 replicas add the offset their AOF fsynced (for WAITAOF).
    if ctx.argv.len() > j + 3 && ctx.argv.get(j + 2).eq_ignore_ascii_case(b"fack") {
        let Some(fsynced) = crate::util::string2ll(ctx.argv.get(j + 3)) else {
            return;
        };
        let r = ctx.c.repl_mut();
        r.ack_aof_off = r.ack_aof_off.max(fsynced);
    }
    ctx.srv.repl_ack(ctx.c, offset);
}

/// SYNC: the pre-PSYNC protocol (no +FULLRESYNC line).
fn sync(ctx: &mut Ctx) {
    if sync_refused(ctx) {
        return;
    }
    ctx.srv.repl_sync(ctx.c, None);
}

/// PSYNC <replid> <offset>
fn psync(ctx: &mut Ctx) {
    if ctx.c.is_replica() {
        return;
    }
    if ctx.argv.len() > 3 && ctx.argv.get(3).eq_ignore_ascii_case(b"failover") {
        // Our master hands over (its FAILOVER): we become the master.
        let replid = ctx.argv.get(1).to_vec();
        if let Err(e) = ctx.srv.failover_requested(&replid) {
            return ctx.error(e);
        }
        let who = super::client::client_line(ctx.srv, ctx.c, ctx.srv.now_ms);
        log::info!("MASTER MODE enabled (failover request from '{who}')");
    }
    if sync_refused(ctx) {
        return;
    }
    let Some(offset) = ctx.int_arg(2) else { return };
    let replid = ctx.argv.get(1).to_vec();
    ctx.srv.repl_sync(ctx.c, Some((&replid, offset)));
}

/// The checks of syncCommand before any sync starts. True when refused.
fn sync_refused(ctx: &mut Ctx) -> bool {
    if ctx.c.is_replica() {
        // Already one: ignored.
        return true;
    }
    if ctx.srv.link.failover.state != crate::replica::FailoverState::None {
        ctx.error("NOMASTERLINK Can't SYNC while failing over");
        return true;
    }
    if ctx.srv.has_master() && !ctx.srv.master_link_up() {
        ctx.error("NOMASTERLINK Can't SYNC while not connected with my master");
        return true;
    }
    if !ctx.c.reply.buf.is_empty() {
        // The stream must start on a fresh output buffer.
        ctx.error("ERR SYNC and PSYNC are invalid with pending output");
        return true;
    }
    false
}

/// ROLE, master form: master, offset, [ip, port, ack offset] per online
/// replica.
fn role(ctx: &mut Ctx) {
    if let Some((host, port)) = ctx.srv.cfg.replicaof.clone() {
        let state = ctx.srv.link.state.role_name();
        let offset = if ctx.srv.link.master_key.is_some() {
            ctx.srv.link.reploff
        } else {
            -1
        };
        let r = &mut ctx.c.reply;
        r.array_len(5);
        r.bulk(b"slave");
        r.bulk(host.as_bytes());
        r.int(i64::from(port));
        r.bulk(state.as_bytes());
        r.int(offset);
        return;
    }
    let rows: Vec<(String, i64, i64)> = ctx
        .srv
        .replicas_iter()
        .filter_map(|st| {
            let r = st.repl.as_deref()?;
            if r.state != Some(ReplState::Online) {
                return None;
            }
            let ip = crate::replication::replica_ip(st).to_string();
            Some((ip, r.listening_port, r.ack_off))
        })
        .collect();
    let r = &mut ctx.c.reply;
    r.array_len(3);
    r.bulk(b"master");
    r.int(ctx.srv.repl.offset);
    r.array_len(rows.len());
    for (ip, port, off) in rows {
        r.array_len(3);
        r.bulk(ip.as_bytes());
        r.bulk_int(port);
        r.bulk_int(off);
    }
}

/// WAIT numreplicas timeout
fn wait(ctx: &mut Ctx) {
    if ctx.srv.has_master() {
        return ctx.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
    }
    let Some(numreplicas) = ctx.int_arg(1) else { return };
    let Some(deadline) = crate::blocking::parse_timeout_ms(ctx, 2) else {
        return;
    };
    let offset = ctx.c.woff;
    let acked = ctx.srv.replicas_acked(offset);
    if acked >= numreplicas || !ctx.can_block() {
        return ctx.c.reply.int(acked);
    }
    ctx.block_on_keys(&[], Type::String, deadline, TimeoutReply::Acked { offset, numreplicas });
    let key = ctx.c.key;
    ctx.srv.repl.waiting.push(key);
    // Replicas ACK once a second on their own; ask now.
    ctx.srv.repl.get_ack = true;
}

/// WAITAOF numlocal numreplicas timeout: blocks until the local AOF
/// (`numlocal` 1) and `numreplicas` replicas fsynced every write of this
/// connection, or the timeout; replies [local, replicas] either way.
fn waitaof(ctx: &mut Ctx) {
    // Arguments first, then the state checks, in Redis 7.2's order.
    let numlocal = match crate::util::string2ll(ctx.argv.get(1)) {
        Some(n @ 0..=1) => n,
        Some(_) => return ctx.error("ERR value is out of range, value must between 0 and 1"),
        None => return ctx.error(super::err::NOT_INT),
    };
    let numreplicas = match crate::util::string2ll(ctx.argv.get(2)) {
        Some(n) if n >= 0 => n,
        Some(_) => return ctx.error("ERR value is out of range, must be positive"),
        None => return ctx.error(super::err::NOT_INT),
    };
    let Some(deadline) = crate::blocking::parse_timeout_ms(ctx, 3) else {
        return;
    };
    if ctx.srv.has_master() {
        return ctx.error("ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.");
    }
    // The configured state, as Redis's aof_enabled: an AOF still writing
    // its first base is on, and its fsynced offset (0) says what it holds.
    if numlocal > 0 && !ctx.srv.cfg.appendonly {
        return ctx.error("ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
    }
    let offset = ctx.c.woff;
    let (local, replicas) = ctx.srv.aof_acks(offset);
    if (replicas >= numreplicas && local >= numlocal) || !ctx.can_block() {
        let r = &mut ctx.c.reply;
        r.array_len(2);
        r.int(local);
        r.int(replicas);
        return;
    }
    ctx.block_on_keys(
        &[],
        Type::String,
        deadline,
        TimeoutReply::AofAcked {
            offset,
            numlocal,
            numreplicas,
        },
    );
    let key = ctx.c.key;
    ctx.srv.repl.waiting.push(key);
    // Replicas ACK once a second on their own; ask now.
    ctx.srv.repl.get_ack = true;
}
