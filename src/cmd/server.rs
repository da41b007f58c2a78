//! Server administration commands: INFO TIME LASTSAVE SHUTDOWN DEBUG MEMORY
//! (the MEMORY figures come from `memory.rs`).

use super::{acl, err, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::blocking::TimeoutReply;
use crate::object::Type;
use crate::object::Value;
use crate::server::{ShutdownFlags, ShutdownStart};

pub static COMMANDS: &[Command] = &[
    Command::new("info", -1, Group::Server, info)
        .flags(LOADING | STALE | SENTINEL)
        .acl(acl::DANGEROUS)
        .doc("1.0.0", "O(1)", "Get information and statistics about the server")
        .args("[section [section ...]]")
        .history(&[("7.0.0", "Added support for taking multiple section arguments.")])
        .tips(&[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ]),
    Command::new("time", 1, Group::Server, time)
        .flags(LOADING | STALE | FAST)
        .doc("2.6.0", "O(1)", "Return the current server time")
        .tips(&["nondeterministic_output"]),
    Command::new("lastsave", 1, Group::Server, lastsave)
        .flags(LOADING | STALE | FAST)
        .acl(acl::ADMIN | acl::DANGEROUS)
        .doc(
            "1.0.0",
            "O(1)",
            "Get the UNIX time stamp of the last successful save to disk",
        )
        .tips(&["nondeterministic_output"]),
    Command::new("shutdown", -1, Group::Server, shutdown)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | SENTINEL | ALLOW_BUSY)
        .doc(
            "1.0.0",
            "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
            "Synchronously save the dataset to disk and then shut down the server",
        )
        .args("[NOSAVE | SAVE] [NOW]@7.0.0 [FORCE]@7.0.0 [ABORT]@7.0.0")
        .history(&[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")]),
    Command::new("debug", -2, Group::Server, debug)
        .flags(ADMIN | NOSCRIPT | LOADING | STALE | PROTECTED)
        .doc("1.0.0", "Depends on subcommand.", "A container for debugging commands")
        .syscmd()
        .args(""),
    Command::container("memory", Group::Server, MEMORY_SUBCOMMANDS).doc(
        "4.0.0",
        "Depends on subcommand.",
        "A container for memory diagnostics commands",
    ),
];

static MEMORY_SUBCOMMANDS: &[Command] = &[
    Command::new("usage", -3, Group::Server, memory_usage)
        .flags(READONLY)
        .keys(&[KeySpec::one(2, ks::RO)])
        .doc(
            "4.0.0",
            "O(N) where N is the number of samples.",
            "Estimate the memory usage of a key",
        )
        .args("key [SAMPLES count:integer]"),
    Command::new("help", 2, Group::Server, memory_help)
        .flags(LOADING | STALE)
        .doc("4.0.0", "O(1)", "Show helpful text about the different subcommands"),
    Command::new("stats", 2, Group::Server, memory_stats)
        .doc("4.0.0", "O(1)", "Show memory usage details")
        .tips(&[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ]),
    Command::new("doctor", 2, Group::Server, memory_doctor)
        .doc("4.0.0", "O(1)", "Outputs memory problems report")
        .tips(&[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ]),
    Command::new("malloc-stats", 2, Group::Server, memory_malloc_stats)
        .doc(
            "4.0.0",
            "Depends on how much memory is allocated, could be slow",
            "Show allocator internal stats",
        )
        .tips(&[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ]),
    Command::new("purge", 2, Group::Server, memory_purge)
        .doc(
            "4.0.0",
            "Depends on how much memory is allocated, could be slow",
            "Ask the allocator to release memory",
        )
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
];

/// INFO [section ...]
fn info(ctx: &mut Ctx) {
    let args: Vec<&[u8]> = ctx.argv.iter().skip(1).collect();
    let sections = crate::info::select_sections(&args);
    let text = ctx.srv.gen_info(&sections);
    ctx.c.reply.verbatim(text.as_bytes(), b"txt");
}

/// TIME: [seconds, microseconds] as bulk strings.
fn time(ctx: &mut Ctx) {
    let us = crate::server::ustime();
    let r = &mut ctx.c.reply;
    r.array_len(2);
    r.bulk((us / 1_000_000).to_string().as_bytes());
    r.bulk((us % 1_000_000).to_string().as_bytes());
}

/// LASTSAVE
fn lastsave(ctx: &mut Ctx) {
    let t = ctx.srv.lastsave_unix;
    ctx.c.reply.int(t);
}

/// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: on success the client
/// gets no reply; the connection closes as the server exits.
fn shutdown(ctx: &mut Ctx) {
    let mut f = ShutdownFlags::default();
    let mut abort = false;
    let argv = ctx.argv;
    for a in argv.iter().skip(1) {
        if a.eq_ignore_ascii_case(b"nosave") {
            f.nosave = true;
        } else if a.eq_ignore_ascii_case(b"save") {
            f.save = true;
        } else if a.eq_ignore_ascii_case(b"now") {
            f.now = true;
        } else if a.eq_ignore_ascii_case(b"force") {
            f.force = true;
        } else if a.eq_ignore_ascii_case(b"abort") {
            abort = true;
        } else {
            return ctx.syntax_error();
        }
    }
    if (abort && ctx.argv.len() != 2) || (f.save && f.nosave) {
        return ctx.syntax_error();
    }
    if abort {
        return match ctx.srv.abort_shutdown() {
            true => ctx.c.reply.ok(),
            false => ctx.error("ERR No shutdown in progress."),
        };
    }
    // While a script is busy only SHUTDOWN NOSAVE may stop the server,
    // and it does so at once: the loop cannot turn to hear from replicas
    // (the script never returns).
    if ctx.srv.scripting.busy() {
        if !f.nosave {
            let msg = ctx.srv.busy_error();
            return ctx.error(msg);
        }
        f.now = true;
        if ctx.srv.start_shutdown(f) == ShutdownStart::Exit {
            crate::logging::flush();
            std::process::exit(0);
        }
        return ctx.error("ERR Errors trying to SHUTDOWN. Check logs.");
    }
    if !f.now && !ctx.can_block() {
        return ctx.error("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
    }
    match ctx.srv.start_shutdown(f) {
        ShutdownStart::Exit => {
            ctx.c.close_asap = true;
            ctx.srv.request_exit(0);
        }
        // The client waits, without a reply, for the end of the process,
        // or for an error if the shutdown is cancelled.
        ShutdownStart::Waiting => ctx.block_on_keys(&[], Type::String, None, TimeoutReply::Shutdown),
        ShutdownStart::Failed => ctx.error("ERR Errors trying to SHUTDOWN. Check logs."),
    }
}

/// DEBUG DIGEST-VALUE key...: each value's digest, all zeros when
/// missing (logically expired keys count: no lookup, as Redis).
fn debug_digest_value(ctx: &mut Ctx) {
    let db = ctx.c.db;
    ctx.c.reply.array_len(ctx.argv.len() - 2);
    for i in 2..ctx.argv.len() {
        let mut d = [0u8; 20];
        if let Some(o) = ctx.srv.dbs[db].get(ctx.argv.get(i)) {
            crate::digest::value_digest(&mut d, &o.v, o.has_expire);
        }
        ctx.c.reply.status(crate::digest::hex(&d).as_bytes());
    }
}

/// DEBUG LOADAOF: empty the dataset and replay the AOF. A failure leaves
/// half a dataset, so Redis exits, and so does fastkey.
fn debug_loadaof(ctx: &mut Ctx) {
    if ctx.srv.loading.is_some() {
        return ctx.error("ERR Error trying to load the AOF, check server logs.");
    }
    ctx.srv.scripting.functions.flush();
    if let Err(e) = ctx.srv.load_aof_blocking() {
        log::warn!("{e}");
        crate::logging::flush();
        std::process::exit(1);
    }
    // Nothing of this is propagated.
    ctx.srv.dirty = 0;
    log::warn!("Append Only File loaded by DEBUG LOADAOF");
    ctx.c.reply.ok();
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back.
fn debug_reload(ctx: &mut Ctx) {
    let (mut merge, mut flush, mut save) = (false, true, true);
    let argv = ctx.argv;
    for a in argv.iter().skip(2) {
        if a.eq_ignore_ascii_case(b"merge") {
            merge = true;
        } else if a.eq_ignore_ascii_case(b"noflush") {
            flush = false;
        } else if a.eq_ignore_ascii_case(b"nosave") {
            save = false;
        } else {
            return ctx.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        }
    }
    // The start-up load still runs (DEBUG is allowed while loading).
    if ctx.srv.loading.is_some() {
        return ctx.error("ERR Error trying to load the RDB dump, check server logs.");
    }
    if save && ctx.srv.rdb_save().is_err() {
        return ctx.error("ERR");
    }
    if flush {
        // Unlike FLUSHALL, Redis's emptyData here drops the function
        // libraries too: the file brings them back.
        ctx.srv.empty_data(None, false);
        ctx.srv.scripting.functions.flush();
    }
    if ctx.srv.load_blocking(merge).is_err() {
        return ctx.error("ERR Error trying to load the RDB dump, check server logs.");
    }
    log::warn!("DB reloaded by DEBUG RELOAD");
    ctx.c.reply.ok();
}

/// Whether DEBUG may run for this client (`enable-debug-command`).
fn debug_allowed(ctx: &Ctx) -> bool {
    match ctx.srv.cfg.enable_debug_command.as_str() {
        "yes" => true,
        "local" => ctx.c.unix_socket || ctx.c.addr.starts_with("127.") || ctx.c.addr.starts_with("[::1]"),
        _ => false,
    }
}

/// DEBUG <subcommand> [args]
fn debug(ctx: &mut Ctx) {
    if !debug_allowed(ctx) {
        return ctx.error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
    }
    let sub = ctx.argv.get(1).to_ascii_lowercase();
    let n = ctx.argv.len();
    match (sub.as_slice(), n) {
        (b"help", 2) => debug_help(ctx),
        (b"sleep", 3) => {
            // Redis parses the delay with atof: garbage means 0.
            let secs = crate::util::atof(ctx.argv.get(2));
            if secs > 0.0 {
                std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(1e9)));
            }
            ctx.c.reply.ok();
        }
        (b"object", 3) => debug_object(ctx),
        (b"populate", 3..=5) => debug_populate(ctx),
        (b"set-active-expire", 3) => {
            // atoi, as Redis: anything that does not start with a non-zero
            // number disables.
            ctx.srv.active_expire_enabled = crate::util::atof(ctx.argv.get(2)) as i64 != 0;
            ctx.c.reply.ok();
        }
        (b"quicklist-packed-threshold", 3) => match crate::util::memtoull(ctx.argv.get(2)) {
            Some(sz) if crate::t_list::set_packed_threshold(sz) => ctx.c.reply.ok(),
            _ => ctx.error("ERR argument must be a memory value bigger than 1 and smaller than 4gb"),
        },
        (b"log", 3) => {
            log::warn!("DEBUG LOG: {}", String::from_utf8_lossy(ctx.argv.get(2)));
            ctx.c.reply.ok();
        }
        (b"error", 3) => {
            let msg = ctx.argv.get(2).to_vec();
            ctx.error_bytes(&msg);
        }
        (b"protocol", 3) => debug_protocol(ctx),
        (b"reload", _) => debug_reload(ctx),
        (b"loadaof", 2) => debug_loadaof(ctx),
        (b"digest", 2) => {
            let d = crate::digest::dataset_digest(&ctx.srv.dbs);
            ctx.c.reply.status(crate::digest::hex(&d).as_bytes());
        }
        (b"digest-value", _) => debug_digest_value(ctx),
        (b"change-repl-id", 2) => {
            log::warn!("Changing replication IDs after receiving DEBUG change-repl-id");
            ctx.srv.change_replication_id();
            ctx.c.reply.ok();
        }
        (b"set-skip-checksum-validation", 3) => match crate::util::string2ll(ctx.argv.get(2)) {
            Some(n) => {
                ctx.srv.skip_checksum_validation = n != 0;
                ctx.c.reply.ok();
            }
            None => ctx.error(err::NOT_INT),
        },
        _ => {
            let msg = format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                super::arg_text(ctx.argv.get(1))
            );
            ctx.error(&msg);
        }
    }
}

fn debug_help(ctx: &mut Ctx) {
    ctx.help(&[
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
    ]);
}

/// The length of a string value as the RDB format stores it without
/// compression: an integer encoding when it fits 8/16/32 bits, otherwise
/// a length prefix and the bytes.
fn rdb_string_len(v: &Value) -> usize {
    fn len_prefix(n: usize) -> usize {
        match n {
            0..=63 => 1,
            64..=16383 => 2,
            _ if n <= u32::MAX as usize => 5,
            _ => 9,
        }
    }
    match v {
        Value::Int(n) if i8::try_from(*n).is_ok() => 2,
        Value::Int(n) if i16::try_from(*n).is_ok() => 3,
        Value::Int(n) if i32::try_from(*n).is_ok() => 5,
        other => {
            let n = other.str_len().unwrap_or(0);
            len_prefix(n) + n
        }
    }
}

/// DEBUG OBJECT key
fn debug_object(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let clock = ctx.srv.lru_clock;
    let policy = ctx.srv.policy();
    let key = ctx.argv.get(2);
    let Some(o) = ctx.srv.lookup(db, key, crate::db::Lookup::NO_TOUCH) else {
        return ctx.error(err::NO_SUCH_KEY);
    };
    let refcount = o.v.refcount(policy);
    let mut line = format!(
        "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
        &o.v as *const Value,
        refcount,
        o.v.encoding(),
        rdb_string_len(&o.v),
        o.lru,
        crate::evict::lru_idle_ms(o.lru, clock) / 1000
    );
    if let Value::List(l) = &o.v {
        line.push_str(&l.debug_info());
    }
    ctx.c.reply.status(line.as_bytes());
}

/// DEBUG POPULATE count [prefix] [size]: string keys `prefix:N` holding
/// `value:N` (cut or zero-padded to `size`); existing keys are skipped.
fn debug_populate(ctx: &mut Ctx) {
    // getPositiveLongFromObjectOrReply with a message: one error for both
    // non-numbers and negative numbers.
    let positive = |ctx: &mut Ctx, i: usize| -> Option<u64> {
        match crate::util::string2ll(ctx.argv.get(i)) {
            Some(v) if v >= 0 => Some(v as u64),
            _ => {
                ctx.error("ERR value is out of range, must be positive");
                None
            }
        }
    };
    let Some(count) = positive(ctx, 2) else { return };
    let size = if ctx.argv.len() == 5 {
        let Some(s) = positive(ctx, 4) else { return };
        // Size 0 means the plain `value:N`.
        (s > 0).then_some(s as usize)
    } else {
        None
    };
    let prefix = if ctx.argv.len() >= 4 { ctx.argv.get(3) } else { b"key" };
    let db = ctx.c.db;
    let lru = ctx.srv.lru_init();
    ctx.srv.dbs[db].reserve(count as usize);
    let mut key = Vec::with_capacity(prefix.len() + 21);
    let mut val = Vec::new();
    for j in 0..count {
        key.clear();
        key.extend_from_slice(prefix);
        key.push(b':');
        crate::util::push_u64(&mut key, j);
        if ctx.srv.lookup_write(db, &key).is_some() {
            continue;
        }
        val.clear();
        val.extend_from_slice(b"value:");
        crate::util::push_u64(&mut val, j);
        if let Some(s) = size {
            val.resize(s, 0);
        }
        ctx.srv.dbs[db].add(&key, Value::string_no_int(&val), lru);
        ctx.srv.signal_modified_key(db, &key);
        ctx.srv.notify_keyspace_event(super::ev::NEW, "new", &key, db);
    }
    ctx.c.reply.ok();
}

/// DEBUG PROTOCOL type: a sample reply of each RESP3 type.
fn debug_protocol(ctx: &mut Ctx) {
    let t = ctx.argv.get(2).to_ascii_lowercase();
    let r = &mut ctx.c.reply;
    match t.as_slice() {
        b"string" => r.bulk(b"Hello World"),
        b"integer" => r.int(12345),
        // The literal Redis sends, not an approximation of pi.
        #[allow(clippy::approx_constant)]
        b"double" => r.double(3.141),
        b"bignum" => r.big_number(b"1234567999999999999999999999999999999"),
        b"null" => r.null(),
        b"array" | b"set" => {
            if t == b"set" {
                r.set_len(3)
            } else {
                r.array_len(3)
            }
            for j in 0..3 {
                r.int(j);
            }
        }
        b"map" => {
            r.map_len(3);
            for j in 0..3 {
                r.int(j);
                r.bool(j == 1);
            }
        }
        b"attrib" => {
            if r.resp >= 3 {
                r.attribute_len(1);
                r.bulk(b"key-popularity");
                r.array_len(2);
                r.bulk(b"key:123");
                r.int(90);
            }
            r.bulk(b"Some real reply following the attribute");
        }
        b"push" => {
            if r.resp < 3 {
                return ctx.error("ERR RESP2 is not supported by this command");
            }
            r.push_len(2);
            r.bulk(b"server-cpu-usage");
            r.int(42);
            r.bulk(b"Some real reply following the push reply");
        }
        b"true" => r.bool(true),
        b"false" => r.bool(false),
        b"verbatim" => r.verbatim(b"This is a verbatim\nstring", b"txt"),
        _ => ctx.error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"),
    }
}

/// MEMORY USAGE key [SAMPLES count]: bytes of the entry, key and value;
/// the elements of big hashes and sets are sized from `count` samples
/// (default 5, 0 for all), as Redis does.
fn memory_usage(ctx: &mut Ctx) {
    let mut j = 3;
    let mut samples = 5usize;
    while j < ctx.argv.len() {
        if ctx.argv.get(j).eq_ignore_ascii_case(b"SAMPLES") && j + 1 < ctx.argv.len() {
            let Some(n) = ctx.int_arg(j + 1) else { return };
            if n < 0 {
                return ctx.syntax_error();
            }
            samples = match usize::try_from(n) {
                Ok(0) | Err(_) => usize::MAX,
                Ok(n) => n,
            };
            j += 2;
        } else {
            return ctx.syntax_error();
        }
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(2);
    let Some(o) = ctx.srv.lookup(db, key, crate::db::Lookup::NO_TOUCH) else {
        return ctx.c.reply.null();
    };
    let value = o.v.heap_size_sampled(samples);
    let entry = crate::dict::ENTRY_SIZE;
    let key_heap = crate::sbytes::SBytes::new(key).heap_size();
    let expire = if o.has_expire { crate::dict::ENTRY_SIZE } else { 0 };
    ctx.c.reply.int((entry + key_heap + value + expire) as i64);
}

/// MEMORY STATS: Redis 7.0's map of 27 fields plus one nested map per
/// non-empty db, in Redis's order.
fn memory_stats(ctx: &mut Ctx) {
    let mh = ctx.srv.memory_overhead_data();
    let r = &mut ctx.c.reply;
    let int = |r: &mut crate::reply::ReplyBuf, name: &[u8], v: u64| {
        r.bulk(name);
        r.int(i64::try_from(v).unwrap_or(i64::MAX));
    };
    let dbl = |r: &mut crate::reply::ReplyBuf, name: &[u8], v: f32| {
        r.bulk(name);
        r.double(f64::from(v));
    };
    let signed = |r: &mut crate::reply::ReplyBuf, name: &[u8], v: i64| {
        r.bulk(name);
        r.int(v);
    };
    r.map_len(27 + mh.dbs.len());
    int(r, b"peak.allocated", mh.peak_allocated);
    int(r, b"total.allocated", mh.total_allocated);
    int(r, b"startup.allocated", mh.startup_allocated);
    int(r, b"replication.backlog", mh.repl_backlog);
    int(r, b"clients.slaves", mh.clients_slaves);
    int(r, b"clients.normal", mh.clients_normal);
    // No cluster bus: no links.
    int(r, b"cluster.links", 0);
    int(r, b"aof.buffer", mh.aof_buffer);
    int(r, b"lua.caches", mh.lua_caches);
    int(r, b"functions.caches", mh.functions_caches);
    for db in &mh.dbs {
        r.bulk(format!("db.{}", db.id).as_bytes());
        r.map_len(3);
        int(r, b"overhead.hashtable.main", db.main);
        int(r, b"overhead.hashtable.expires", db.expires);
        // The slot-to-keys index exists only in cluster mode.
        int(r, b"overhead.hashtable.slot-to-keys", 0);
    }
    int(r, b"overhead.total", mh.overhead_total);
    int(r, b"keys.count", mh.total_keys);
    int(r, b"keys.bytes-per-key", mh.bytes_per_key);
    int(r, b"dataset.bytes", mh.dataset);
    dbl(r, b"dataset.percentage", mh.dataset_perc);
    dbl(r, b"peak.percentage", mh.peak_perc);
    int(r, b"allocator.allocated", mh.alloc.allocated);
    int(r, b"allocator.active", mh.alloc.active);
    int(r, b"allocator.resident", mh.alloc.resident);
    dbl(r, b"allocator-fragmentation.ratio", mh.allocator_frag);
    signed(r, b"allocator-fragmentation.bytes", mh.allocator_frag_bytes);
    dbl(r, b"allocator-rss.ratio", mh.allocator_rss);
    signed(r, b"allocator-rss.bytes", mh.allocator_rss_bytes);
    dbl(r, b"rss-overhead.ratio", mh.rss_extra);
    signed(r, b"rss-overhead.bytes", mh.rss_extra_bytes);
    dbl(r, b"fragmentation", mh.total_frag);
    signed(r, b"fragmentation.bytes", mh.total_frag_bytes);
}

/// MEMORY DOCTOR: a verbatim text report.
fn memory_doctor(ctx: &mut Ctx) {
    let report = ctx.srv.memory_doctor_report();
    ctx.c.reply.verbatim(report.as_bytes(), b"txt");
}

/// MEMORY MALLOC-STATS: jemalloc's statistics report as verbatim text.
fn memory_malloc_stats(ctx: &mut Ctx) {
    let text = crate::memory::malloc_stats();
    ctx.c.reply.verbatim(&text, b"txt");
}

/// MEMORY PURGE: returns dirty pages to the kernel.
fn memory_purge(ctx: &mut Ctx) {
    if crate::memory::purge() {
        ctx.c.reply.ok();
    } else {
        ctx.error("ERR Error purging dirty pages");
    }
}

fn memory_help(ctx: &mut Ctx) {
    ctx.help(&[
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
    ]);
}
