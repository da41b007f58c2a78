//! Scripting commands: EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT FCALL
//! FCALL_RO FUNCTION. The engine is in `crate::scripting`.
//!
//! EVAL script numkeys [key ...] [arg ...]
//! EVALSHA sha1 numkeys [key ...] [arg ...]
//! FCALL function numkeys [key ...] [arg ...]
//! SCRIPT LOAD|EXISTS|FLUSH [ASYNC|SYNC]|KILL|DEBUG|HELP
//! FUNCTION LOAD [REPLACE] code | DELETE name | FLUSH [ASYNC|SYNC] |
//!          LIST [LIBRARYNAME pattern] [WITHCODE] | STATS | DUMP |
//!          RESTORE payload [FLUSH|APPEND|REPLACE] | KILL | HELP

use super::{acl, flags::*, ks, BeginSearch, Command, Ctx, FindKeys, Group, KeySpec};
use crate::scripting::{sflags, RunSpec};
use crate::server::Server;

const fn keynum(flags: u32) -> KeySpec {
    KeySpec {
        notes: "",
        flags,
        begin: BeginSearch::Index(2),
        find: FindKeys::Keynum {
            keynumidx: 0,
            firstkey: 1,
            step: 1,
        },
    }
}

const KS_RW: &[KeySpec] = &[keynum(ks::RW | ks::ACCESS | ks::UPDATE)];
const KS_RO: &[KeySpec] = &[keynum(ks::RO | ks::ACCESS)];
// EVAL, FCALL and their _RO forms carry notes in Redis; EVALSHA does not.
const KS_RW_NOTED: &[KeySpec] = &[keynum(ks::RW | ks::ACCESS | ks::UPDATE)
    .notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")];
const KS_RO_NOTED: &[KeySpec] =
    &[keynum(ks::RO | ks::ACCESS)
        .notes("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS")];
const RUN_FLAGS: u64 = NOSCRIPT | STALE | SKIP_MONITOR | NO_MANDATORY_KEYS | MOVABLE_KEYS;
const EVAL_COMPLEXITY: &str = "Depends on the script that is executed.";
const FCALL_COMPLEXITY: &str = "Depends on the function that is executed.";

pub static COMMANDS: &[Command] = &[
    Command::new("eval", -3, Group::Scripting, eval)
        .flags(RUN_FLAGS)
        .acl(acl::SCRIPTING)
        .keys(KS_RW_NOTED)
        .doc("2.6.0", EVAL_COMPLEXITY, "Execute a Lua script server side")
        .args("script numkeys:integer [key [key ...]] [arg [arg ...]]"),
    Command::new("evalsha", -3, Group::Scripting, evalsha)
        .flags(RUN_FLAGS)
        .acl(acl::SCRIPTING)
        .keys(KS_RW)
        .doc("2.6.0", EVAL_COMPLEXITY, "Execute a Lua script server side")
        .args("sha1 numkeys:integer [key [key ...]] [arg [arg ...]]"),
    Command::new("eval_ro", -3, Group::Scripting, eval_ro)
        .flags(READONLY | RUN_FLAGS)
        .acl(acl::SCRIPTING)
        .keys(KS_RO_NOTED)
        .doc("7.0.0", EVAL_COMPLEXITY, "Execute a read-only Lua script server side")
        .args("script numkeys:integer [key [key ...]] [arg [arg ...]]"),
    Command::new("evalsha_ro", -3, Group::Scripting, evalsha_ro)
        .flags(READONLY | RUN_FLAGS)
        .acl(acl::SCRIPTING)
        .keys(KS_RO)
        .doc("7.0.0", EVAL_COMPLEXITY, "Execute a read-only Lua script server side")
        .args("sha1 numkeys:integer [key [key ...]] [arg [arg ...]]"),
    Command::new("fcall", -3, Group::Scripting, fcall)
        .flags(RUN_FLAGS)
        .acl(acl::SCRIPTING)
        .keys(KS_RW_NOTED)
        .doc("7.0.0", FCALL_COMPLEXITY, "Invoke a function")
        .args("function numkeys:integer [key [key ...]] [arg [arg ...]]"),
    Command::new("fcall_ro", -3, Group::Scripting, fcall_ro)
        .flags(READONLY | RUN_FLAGS)
        .acl(acl::SCRIPTING)
        .keys(KS_RO_NOTED)
        .doc("7.0.0", FCALL_COMPLEXITY, "Invoke a read-only function")
        .args("function numkeys:integer [key [key ...]] [arg [arg ...]]"),
    Command {
        subcommands: SCRIPT_SUBCOMMANDS,
        ..Command::container("script", Group::Scripting, &[]).doc(
            "2.6.0",
            "Depends on subcommand.",
            "A container for Lua scripts management commands",
        )
    },
    Command {
        subcommands: FUNCTION_SUBCOMMANDS,
        ..Command::container("function", Group::Scripting, &[]).doc(
            "7.0.0",
            "Depends on subcommand.",
            "A container for function commands",
        )
    },
];

static SCRIPT_SUBCOMMANDS: &[Command] = &[
    Command::new("debug", 3, Group::Scripting, script_debug)
        .flags(NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc("3.2.0", "O(1)", "Set the debug mode for executed scripts.")
        .args("mode=(YES | SYNC | NO)"),
    Command::new("kill", 2, Group::Scripting, script_kill)
        .flags(NOSCRIPT | ALLOW_BUSY)
        .acl(acl::SCRIPTING)
        .doc("2.6.0", "O(1)", "Kill the script currently in execution.")
        .tips(&["request_policy:all_shards", "response_policy:one_succeeded"]),
    Command::new("exists", -3, Group::Scripting, script_exists)
        .flags(NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc(
            "2.6.0",
            "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
            "Check existence of scripts in the script cache.",
        )
        .args("sha1 [sha1 ...]")
        .tips(&["request_policy:all_shards", "response_policy:agg_logical_and"]),
    Command::new("help", 2, Group::Scripting, script_help)
        .flags(LOADING | STALE)
        .acl(acl::SCRIPTING)
        .doc("5.0.0", "O(1)", "Show helpful text about the different subcommands"),
    Command::new("load", 3, Group::Scripting, script_load)
        .flags(NOSCRIPT | STALE)
        .acl(acl::SCRIPTING)
        .doc(
            "2.6.0",
            "O(N) with N being the length in bytes of the script body.",
            "Load the specified Lua script into the script cache.",
        )
        .args("script")
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
    Command::new("flush", -2, Group::Scripting, script_flush)
        .flags(NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc(
            "2.6.0",
            "O(N) with N being the number of scripts in cache",
            "Remove all the scripts from the script cache.",
        )
        .args("async=[ASYNC | SYNC]@6.2.0")
        .history(&[("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers.")])
        .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
];

static FUNCTION_SUBCOMMANDS: &[Command] = &[
    Command::new("kill", 2, Group::Scripting, function_kill)
        .flags(NOSCRIPT | ALLOW_BUSY)
        .acl(acl::SCRIPTING)
        .doc("7.0.0", "O(1)", "Kill the function currently in execution.")
        .tips(&["request_policy:all_shards", "response_policy:one_succeeded"]),
    Command::new("load", -3, Group::Scripting, function_load)
        .flags(WRITE | DENYOOM | NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc(
            "7.0.0",
            "O(1) (considering compilation time is redundant)",
            "Create a function with the given arguments (name, code, description)",
        )
        .args("[REPLACE] function-code")
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
    Command::new("help", 2, Group::Scripting, function_help)
        .flags(LOADING | STALE)
        .acl(acl::SCRIPTING)
        .doc("7.0.0", "O(1)", "Show helpful text about the different subcommands"),
    Command::new("dump", 2, Group::Scripting, function_dump)
        .flags(NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc(
            "7.0.0",
            "O(N) where N is the number of functions",
            "Dump all functions into a serialized binary payload",
        ),
    Command::new("flush", -2, Group::Scripting, function_flush)
        .flags(WRITE | NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc(
            "7.0.0",
            "O(N) where N is the number of functions deleted",
            "Deleting all functions",
        )
        .args("async=[ASYNC | SYNC]")
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
    Command::new("list", -2, Group::Scripting, function_list)
        .flags(NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc(
            "7.0.0",
            "O(N) where N is the number of functions",
            "List information about all the functions",
        )
        .args("[LIBRARYNAME library-name-pattern] [WITHCODE]")
        .tips(&["nondeterministic_output_order"]),
    Command::new("delete", 3, Group::Scripting, function_delete)
        .flags(WRITE | NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc("7.0.0", "O(1)", "Delete a function by name")
        .args("library-name")
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
    Command::new("restore", -3, Group::Scripting, function_restore)
        .flags(WRITE | DENYOOM | NOSCRIPT)
        .acl(acl::SCRIPTING)
        .doc(
            "7.0.0",
            "O(N) where N is the number of functions on the payload",
            "Restore all the functions on the given payload",
        )
        .args("serialized-value policy=[FLUSH | APPEND | REPLACE]")
        .tips(&["request_policy:all_shards", "response_policy:all_succeeded"]),
    Command::new("stats", 2, Group::Scripting, function_stats)
        .flags(NOSCRIPT | ALLOW_BUSY)
        .acl(acl::SCRIPTING)
        .doc(
            "7.0.0",
            "O(1)",
            "Return information about the function currently running (name, description, duration)",
        )
        .tips(&[
            "nondeterministic_output",
            "request_policy:all_shards",
            "response_policy:special",
        ]),
];

// ---- EVAL family -----------------------------------------------------------

/// Parses numkeys (argument 2) and splits keys from args, with EVAL's
/// errors. `bad_numkeys` is the text for a non-integer.
/// The keys and the other arguments of a script call.
type KeysArgs<'a> = (Vec<&'a [u8]>, Vec<&'a [u8]>);

fn split_keys<'a>(ctx: &mut Ctx<'a>, bad_numkeys: Option<&str>) -> Option<KeysArgs<'a>> {
    let argv = ctx.argv;
    let numkeys = match crate::util::string2ll(argv.get(2)) {
        Some(n) => n,
        None => {
            ctx.error(bad_numkeys.unwrap_or(super::err::NOT_INT));
            return None;
        }
    };
    if numkeys > argv.len() as i64 - 3 {
        ctx.error("ERR Number of keys can't be greater than number of args");
        return None;
    }
    if numkeys < 0 {
        ctx.error("ERR Number of keys can't be negative");
        return None;
    }
    let split = 3 + numkeys as usize;
    let keys = (3..split).map(|i| argv.get(i)).collect();
    let args = (split..argv.len()).map(|i| argv.get(i)).collect();
    Some((keys, args))
}

fn eval_generic(ctx: &mut Ctx, by_sha: bool, ro: bool) {
    // Effects replication: the script's writes propagate themselves.
    ctx.prevent_propagation();
    let Some((keys, args)) = split_keys(ctx, None) else {
        return;
    };
    let sha = if by_sha {
        let given = ctx.argv.get(1);
        let sha = String::from_utf8_lossy(given).to_lowercase();
        if given.len() != 40 || !ctx.srv.scripting.scripts.contains_key(&sha) {
            return ctx.error("NOSCRIPT No matching script. Please use EVAL.");
        }
        sha
    } else {
        match ctx.srv.scripting.load_script(ctx.argv.get(1)) {
            Ok(sha) => sha,
            Err(e) => return ctx.error(&e),
        }
    };
    let Some(script) = ctx.srv.scripting.scripts.get(&sha) else {
        return ctx.error("NOSCRIPT No matching script. Please use EVAL.");
    };
    let spec = RunSpec {
        func: script.func.clone(),
        name: sha,
        flags: script.flags,
        eval: true,
        ro_command: ro,
        keys,
        args,
    };
    Server::run_script(ctx, spec);
}

fn eval(ctx: &mut Ctx) {
    eval_generic(ctx, false, false);
}

fn evalsha(ctx: &mut Ctx) {
    eval_generic(ctx, true, false);
}

fn eval_ro(ctx: &mut Ctx) {
    eval_generic(ctx, false, true);
}

fn evalsha_ro(ctx: &mut Ctx) {
    eval_generic(ctx, true, true);
}

fn fcall_generic(ctx: &mut Ctx, ro: bool) {
    ctx.prevent_propagation();
    let Some(f) = ctx.srv.scripting.functions.find(ctx.argv.get(1)) else {
        return ctx.error("ERR Function not found");
    };
    let (func, name, fl) = (f.func.clone(), f.name.clone(), f.flags);
    let Some((keys, args)) = split_keys(ctx, Some("ERR Bad number of keys provided")) else {
        return;
    };
    let spec = RunSpec {
        func,
        name,
        flags: fl & !sflags::EVAL_COMPAT,
        eval: false,
        ro_command: ro,
        keys,
        args,
    };
    Server::run_script(ctx, spec);
}

fn fcall(ctx: &mut Ctx) {
    fcall_generic(ctx, false);
}

fn fcall_ro(ctx: &mut Ctx) {
    fcall_generic(ctx, true);
}

// ---- SCRIPT ------------------------------------------------------------------

fn script_load(ctx: &mut Ctx) {
    match ctx.srv.scripting.load_script(ctx.argv.get(2)) {
        Ok(sha) => ctx.c.reply.bulk(sha.as_bytes()),
        Err(e) => ctx.error(&e),
    }
}

fn script_exists(ctx: &mut Ctx) {
    let n = ctx.argv.len() - 2;
    ctx.c.reply.array_len(n);
    for i in 2..ctx.argv.len() {
        let sha = String::from_utf8_lossy(ctx.argv.get(i)).to_lowercase();
        let found = ctx.argv.get(i).len() == 40 && ctx.srv.scripting.scripts.contains_key(&sha);
        ctx.c.reply.int(found as i64);
    }
}

/// `[ASYNC | SYNC]` of the FLUSH subcommands; false after an error reply.
fn flush_mode(ctx: &mut Ctx, err: &str) -> bool {
    match ctx.argv.len() {
        2 => true,
        3 if ctx.argv.get(2).eq_ignore_ascii_case(b"async") || ctx.argv.get(2).eq_ignore_ascii_case(b"sync") => true,
        _ => {
            ctx.error(err);
            false
        }
    }
}

fn script_flush(ctx: &mut Ctx) {
    if !flush_mode(ctx, "ERR SCRIPT FLUSH only support SYNC|ASYNC option") {
        return;
    }
    ctx.srv.scripting.flush();
    ctx.c.reply.ok();
}

fn script_kill(ctx: &mut Ctx) {
    Server::script_kill(ctx, true);
}

fn script_debug(ctx: &mut Ctx) {
    let mode = ctx.argv.get(2);
    if mode.eq_ignore_ascii_case(b"no") {
        ctx.c.reply.ok();
    } else if mode.eq_ignore_ascii_case(b"yes") || mode.eq_ignore_ascii_case(b"sync") {
        ctx.error("ERR The Lua debugger is not supported by this server")
    } else {
        ctx.error("ERR Use SCRIPT DEBUG YES/SYNC/NO")
    }
}

fn script_help(ctx: &mut Ctx) {
    ctx.help(&[
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
    ]);
}

// ---- FUNCTION ----------------------------------------------------------------

fn function_load(ctx: &mut Ctx) {
    let mut replace = false;
    let mut i = 2;
    while i < ctx.argv.len() - 1 {
        if ctx.argv.get(i).eq_ignore_ascii_case(b"replace") {
            replace = true;
            i += 1;
        } else {
            let msg = format!("ERR Unknown option given: {}", super::arg_text(ctx.argv.get(i)));
            return ctx.error(&msg);
        }
    }
    if i != ctx.argv.len() - 1 {
        return ctx.error("ERR Function code was not given");
    }
    let code = ctx.argv.get(i);
    match ctx.srv.scripting.functions.load(code, replace) {
        Ok(name) => {
            ctx.srv.dirty += 1;
            ctx.c.reply.bulk(name.as_bytes());
        }
        Err(e) => ctx.error(&e),
    }
}

fn function_delete(ctx: &mut Ctx) {
    if ctx.srv.scripting.functions.delete(ctx.argv.get(2)) {
        ctx.srv.dirty += 1;
        ctx.c.reply.ok();
    } else {
        ctx.error("ERR Library not found");
    }
}

fn function_flush(ctx: &mut Ctx) {
    if !flush_mode(ctx, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option") {
        return;
    }
    ctx.srv.scripting.functions.flush();
    ctx.srv.dirty += 1;
    ctx.c.reply.ok();
}

fn function_kill(ctx: &mut Ctx) {
    Server::script_kill(ctx, false);
}

fn function_list(ctx: &mut Ctx) {
    let mut with_code = false;
    let mut pattern: Option<&[u8]> = None;
    let argv = ctx.argv;
    let mut i = 2;
    while i < argv.len() {
        let a = argv.get(i);
        if !with_code && a.eq_ignore_ascii_case(b"withcode") {
            with_code = true;
        } else if pattern.is_none() && a.eq_ignore_ascii_case(b"libraryname") {
            if i + 1 >= argv.len() {
                return ctx.error("ERR library name argument was not given");
            }
            i += 1;
            pattern = Some(argv.get(i));
        } else {
            let msg = format!("ERR Unknown argument {}", String::from_utf8_lossy(super::cstr(a)));
            return ctx.error(&msg);
        }
        i += 1;
    }
    let libs: Vec<&crate::scripting::functions::Library> = ctx
        .srv
        .scripting
        .functions
        .libs
        .values()
        .filter(|l| pattern.is_none_or(|p| crate::glob::glob_match(p, l.name.as_bytes(), true)))
        .collect();
    let r = &mut ctx.c.reply;
    r.array_len(libs.len());
    for lib in libs {
        r.map_len(if with_code { 4 } else { 3 });
        r.bulk(b"library_name");
        r.bulk(lib.name.as_bytes());
        r.bulk(b"engine");
        r.bulk(crate::scripting::functions::ENGINE.as_bytes());
        r.bulk(b"functions");
        r.array_len(lib.functions.len());
        for f in lib.functions.values() {
            r.map_len(3);
            r.bulk(b"name");
            r.bulk(f.name.as_bytes());
            r.bulk(b"description");
            match &f.desc {
                Some(d) => r.bulk(d),
                None => r.null(),
            }
            r.bulk(b"flags");
            let names: Vec<&str> = sflags::NAMES
                .iter()
                .filter(|(b, _)| f.flags & b != 0)
                .map(|(_, n)| *n)
                .collect();
            r.set_len(names.len());
            for n in names {
                r.status(n.as_bytes());
            }
        }
        if with_code {
            r.bulk(b"library_code");
            r.bulk(&lib.code);
        }
    }
}

fn function_stats(ctx: &mut Ctx) {
    let srv = &*ctx.srv;
    if srv.scripting.run.as_ref().is_some_and(|r| r.eval) {
        return ctx.error(crate::scripting::BUSY_EVAL);
    }
    let funcs = &srv.scripting.functions;
    let r = &mut ctx.c.reply;
    r.map_len(2);
    r.bulk(b"running_script");
    match &srv.scripting.run {
        None => r.null(),
        Some(run) => {
            r.map_len(3);
            r.bulk(b"name");
            r.bulk(run.name.as_bytes());
            r.bulk(b"command");
            r.array_len(run.command.len());
            for a in &run.command {
                r.bulk(a);
            }
            r.bulk(b"duration_ms");
            r.int(run.start.elapsed().as_millis() as i64);
        }
    }
    r.bulk(b"engines");
    r.map_len(1);
    r.bulk(crate::scripting::functions::ENGINE.as_bytes());
    r.map_len(2);
    r.bulk(b"libraries_count");
    r.int(funcs.libs.len() as i64);
    r.bulk(b"functions_count");
    r.int(funcs.function_count() as i64);
}

fn function_dump(ctx: &mut Ctx) {
    let payload = ctx.srv.scripting.functions.dump();
    ctx.c.reply.bulk(&payload);
}

fn function_restore(ctx: &mut Ctx) {
    if ctx.argv.len() > 4 {
        return ctx.subcommand_syntax_error();
    }
    let policy = if ctx.argv.len() == 4 {
        let p = ctx.argv.get(3);
        if p.eq_ignore_ascii_case(b"append") {
            "append"
        } else if p.eq_ignore_ascii_case(b"replace") {
            "replace"
        } else if p.eq_ignore_ascii_case(b"flush") {
            "flush"
        } else {
            return ctx.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
        }
    } else {
        "append"
    };
    match ctx.srv.scripting.functions.restore(ctx.argv.get(2), policy) {
        Ok(()) => {
            ctx.srv.dirty += 1;
            ctx.c.reply.ok();
        }
        Err(e) => ctx.error(&e),
    }
}

fn function_help(ctx: &mut Ctx) {
    ctx.help(&[
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
    ]);
}
