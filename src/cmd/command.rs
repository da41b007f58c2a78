//! COMMAND and its subcommands (COUNT, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP,
//! INFO, LIST), answered from the command table, and the grammar of the
//! table's `args` strings behind COMMAND DOCS.
//!
//! # Argument syntax (`Command::args`)
//!
//! The string is the command's arguments (the name excluded) as the docs
//! write them, with a few annotations so that COMMAND DOCS can report the
//! structure Redis reports:
//!
//! | syntax | meaning |
//! |---|---|
//! | `name`, `name:type` | an argument; types `key string integer double pattern unix-time`. Without a type: `key` if the name is `key` or ends in `key` (`newkey`), else `string`. A name may contain `:` (`ip:port`) when what follows the last `:` is not a type |
//! | `NX`, `"*"` | a token: a word without lower-case letters (and with an upper-case one), or any text in double quotes. Alone it is a `pure-token` argument named after the token in lower case |
//! | `TOKEN arg`, `TOKEN (...)` | a token followed by an argument or a parenthesised group is one argument carrying the token |
//! | `[ ... ]` | optional |
//! | `( ... )` | a group that is not optional: a `oneof` if it has alternatives, else a `block` (even of one argument) |
//! | `a \| b \| c` | alternatives (lowest precedence, inside a group or for the whole string): a `oneof`. An alternative of several arguments is a `block` |
//! | `[TOKEN a b ...]` | a group starting with a token followed by two or more arguments is a `block` carrying the token (`[AUTH username password]`) |
//! | `x [x ...]`, `a b [a b ...]` | repetition: the preceding element(s) become `multiple` (several become a `block`); when the repeated part starts with a token, also `multiple_token` (`GET pattern [GET pattern ...]`). `[x [x ...]]` is optional and multiple, `[x ...]` alone too |
//! | `elem ...` | `...` as a word after any element marks it `multiple` (`new-format=(...) ...`) |
//! | `TOKEN x [x ...]` | the token goes on the repeated argument (`KEYS key [key ...]`); `[ID (x [x ...])]` makes a block carrying the token instead |
//! | `name=elem` | names the argument the element produces (`condition=[NX \| XX]`, `limit=[LIMIT offset count]`) |
//! | `elem@6.2.0` | the argument's `since` (after a word, a token or a closing bracket) |
//! | `elem!2.8.12` | the argument's `deprecated_since` |
//! | `elem#1` | the argument's `key_spec_index` |
//!
//! Default names: a token's is the token in lower case; a `oneof`'s or a
//! `block`'s joins its members' names with `_` (`nosave_save`,
//! `key_value`). Key arguments get `key_spec_index` in order of appearance
//! (0, 1, ...), capped at the last key spec of the command (`LCS key1 key2`
//! share the one range spec). A test parses every table entry, so a
//! string that does not parse fails `cargo test`.

use super::{acl, flags, ks, BeginSearch, CmdId, Command, Ctx, FindKeys, Group, KeySpec, Table};
use crate::reply::ReplyBuf;

const LS: u64 = flags::LOADING | flags::STALE;

pub static COMMANDS: &[Command] = &[Command {
    subcommands: SUBCOMMANDS,
    ..Command::new("command", -1, Group::Server, command)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc(
            "2.8.13",
            "O(N) where N is the total number of Redis commands",
            "Returns detailed information about all commands.",
        )
        .tips(&["nondeterministic_output_order"])
}];

static SUBCOMMANDS: &[Command] = &[
    Command::new("count", 2, Group::Server, command_count)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc("2.8.13", "O(1)", "Returns a count of commands."),
    Command::new("docs", -2, Group::Server, command_docs)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc(
            "7.0.0",
            "O(N) where N is the number of commands to look up",
            "Returns documentary information about one, multiple or all commands.",
        )
        .args("[command-name [command-name ...]]")
        .tips(&["nondeterministic_output_order"]),
    Command::new("getkeys", -4, Group::Server, command_getkeys)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc(
            "2.8.13",
            "O(N) where N is the number of arguments to the command",
            "Extracts the key names from an arbitrary command.",
        ),
    Command::new("getkeysandflags", -4, Group::Server, command_getkeysandflags)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc(
            "7.0.0",
            "O(N) where N is the number of arguments to the command",
            "Extracts the key names and access flags for an arbitrary command.",
        ),
    Command::new("help", 2, Group::Server, command_help)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc("5.0.0", "O(1)", "Returns helpful text about the different subcommands."),
    Command::new("info", -2, Group::Server, command_info)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc(
            "2.8.13",
            "O(N) where N is the number of commands to look up",
            "Returns information about one, multiple or all commands.",
        )
        .args("[command-name [command-name ...]]")
        .history(&[(
            "7.0.0",
            "Allowed to be called with no argument to get info on all commands.",
        )])
        .tips(&["nondeterministic_output_order"]),
    Command::new("list", -2, Group::Server, command_list)
        .flags(LS)
        .acl(acl::CONNECTION)
        .doc(
            "7.0.0",
            "O(N) where N is the total number of Redis commands",
            "Returns a list of command names.",
        )
        .args("[FILTERBY filterby=(MODULE module-name | ACLCAT category | PATTERN pattern:pattern)]")
        .tips(&["nondeterministic_output_order"]),
];

// ---- handlers ---------------------------------------------------------------

/// COMMAND: every top-level command's info (subcommands nested).
fn command(ctx: &mut Ctx) {
    if ctx.argv.len() > 1 {
        return ctx.unknown_subcommand();
    }
    reply_all_info(ctx);
}

fn reply_all_info(ctx: &mut Ctx) {
    let t = &ctx.srv.table;
    let r = &mut ctx.c.reply;
    let ids: Vec<CmdId> = t.top_level().collect();
    r.array_len(ids.len());
    for id in ids {
        reply_info(r, t, id);
    }
}

fn command_count(ctx: &mut Ctx) {
    let n = ctx.srv.table.top_level().count();
    ctx.c.reply.int(n as i64);
}

/// COMMAND INFO [name ...]: an entry per name (null when unknown), or every
/// command without names.
fn command_info(ctx: &mut Ctx) {
    if ctx.argv.len() == 2 {
        return reply_all_info(ctx);
    }
    let t = &ctx.srv.table;
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for name in ctx.argv.iter().skip(2) {
        match lookup_by_name(t, name) {
            Some(id) => reply_info(r, t, id),
            None => r.null(),
        }
    }
}

/// COMMAND DOCS [name ...]: a map of full name to docs; unknown names are
/// left out.
fn command_docs(ctx: &mut Ctx) {
    let t = &ctx.srv.table;
    let r = &mut ctx.c.reply;
    let ids: Vec<CmdId> = if ctx.argv.len() == 2 {
        t.top_level().collect()
    } else {
        ctx.argv.iter().skip(2).filter_map(|n| lookup_by_name(t, n)).collect()
    };
    r.map_len(ids.len());
    for id in ids {
        r.bulk(t.full_names[id as usize].as_bytes());
        reply_docs(r, t, id);
    }
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT cat | PATTERN pattern]
fn command_list(ctx: &mut Ctx) {
    enum Filter<'a> {
        All,
        None,
        Acl(u64),
        Pattern(&'a [u8]),
    }
    let argv = ctx.argv;
    let mut filter = Filter::All;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if argv.get(i).eq_ignore_ascii_case(b"filterby") && more == 2 {
            let kind = argv.get(i + 1);
            let arg = argv.get(i + 2);
            filter = if kind.eq_ignore_ascii_case(b"module") {
                // No modules: nothing matches.
                Filter::None
            } else if kind.eq_ignore_ascii_case(b"aclcat") {
                match acl::NAMES.iter().find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(arg)) {
                    Some(&(bit, _)) => Filter::Acl(bit),
                    None => Filter::None,
                }
            } else if kind.eq_ignore_ascii_case(b"pattern") {
                Filter::Pattern(arg)
            } else {
                return ctx.syntax_error();
            };
            i += 3;
        } else {
            return ctx.syntax_error();
        }
    }
    let t = &ctx.srv.table;
    let r = &mut ctx.c.reply;
    let ids: Vec<usize> = (0..t.cmds.len())
        .filter(|&id| match filter {
            Filter::All => true,
            Filter::None => false,
            Filter::Acl(bit) => t.cmds[id].acl_categories() & bit != 0,
            Filter::Pattern(p) => crate::glob::glob_match(p, t.full_names[id].as_bytes(), true),
        })
        .collect();
    r.array_len(ids.len());
    for id in ids {
        r.bulk(t.full_names[id].as_bytes());
    }
}

fn command_getkeys(ctx: &mut Ctx) {
    getkeys_generic(ctx, false)
}

fn command_getkeysandflags(ctx: &mut Ctx) {
    getkeys_generic(ctx, true)
}

fn getkeys_generic(ctx: &mut Ctx, with_flags: bool) {
    let args: Vec<&[u8]> = ctx.argv.iter().skip(2).collect();
    let t = &ctx.srv.table;
    let Some(id) = lookup_argv(t, &args) else {
        return ctx.error("ERR Invalid command specified");
    };
    let c = t.cmds[id as usize];
    let name = t.full_names[id as usize].as_str();
    if !has_keys(c, name) {
        return ctx.error("ERR The command has no key arguments");
    }
    let n = args.len() as i32;
    if (c.arity > 0 && c.arity != n) || n < -c.arity {
        return ctx.error("ERR Invalid number of arguments specified for command");
    }
    let keys = get_keys(c, name, &args);
    if keys.is_empty() {
        if c.has(flags::NO_MANDATORY_KEYS) {
            ctx.c.reply.array_len(0);
        } else {
            ctx.error("ERR Invalid arguments specified for command");
        }
        return;
    }
    let r = &mut ctx.c.reply;
    r.array_len(keys.len());
    for (pos, f) in keys {
        if with_flags {
            r.array_len(2);
            r.bulk(args[pos]);
            reply_key_flags(r, f);
        } else {
            r.bulk(args[pos]);
        }
    }
}

fn command_help(ctx: &mut Ctx) {
    ctx.help(&[
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    ]);
}

// ---- lookups ------------------------------------------------------------------

/// Redis's `lookupCommandBySds`: `get` or `config|get` (case-insensitive);
/// only one level of subcommands, and a full name must name a subcommand.
pub fn lookup_by_name(t: &Table, name: &[u8]) -> Option<CmdId> {
    let parts: Vec<&[u8]> = if name.is_empty() {
        Vec::new()
    } else {
        name.split(|&b| b == b'|').collect()
    };
    match parts.as_slice() {
        [top] => t.lookup(top),
        [top, sub] => {
            let id = t.lookup(top)?;
            if t.cmds[id as usize].subcommands.is_empty() {
                return None;
            }
            t.lookup_sub(id, sub)
        }
        _ => None,
    }
}

/// Redis's `lookupCommand(argv, argc)` as GETKEYS uses it: a container's
/// unknown subcommand is no command at all; a container alone is itself.
fn lookup_argv(t: &Table, args: &[&[u8]]) -> Option<CmdId> {
    let id = t.lookup(args.first()?)?;
    if args.len() == 1 || t.cmds[id as usize].subcommands.is_empty() {
        return Some(id);
    }
    t.lookup_sub(id, args[1])
}

/// The ids of a command's subcommands, in table order.
fn subcommand_ids(t: &Table, id: CmdId) -> Vec<CmdId> {
    t.cmds[id as usize]
        .subcommands
        .iter()
        .filter_map(|s| t.lookup_sub(id, s.name.as_bytes()))
        .collect()
}

// ---- key extraction ---------------------------------------------------------

/// A key found in a command line: its argument index and key-spec flags.
pub type KeyRef = (usize, u32);

/// A key extraction procedure: the keys of a whole command line.
type GetKeysProc = fn(&[&[u8]]) -> Vec<KeyRef>;

/// Key extraction procedures for commands whose key specs cannot tell the
/// flags (`variable_flags`) or the keys (`incomplete`) by themselves, as
/// Redis's `getkeys_proc`s. Keyed by full command name.
fn getkeys_proc(name: &str) -> Option<GetKeysProc> {
    match name {
        "set" => Some(set_getkeys),
        "bitfield" => Some(bitfield_getkeys),
        _ => None,
    }
}

/// Redis's `setGetKeys`: the key is read too when GET is given.
fn set_getkeys(args: &[&[u8]]) -> Vec<KeyRef> {
    let get = args.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
    let f = if get {
        ks::RW | ks::ACCESS | ks::UPDATE
    } else {
        ks::OW | ks::UPDATE
    };
    vec![(1, f)]
}

/// Redis's `bitfieldGetKeys`: read-only while only GET (and OVERFLOW)
/// operations are given; anything else, a syntax error included, writes.
fn bitfield_getkeys(args: &[&[u8]]) -> Vec<KeyRef> {
    let mut readonly = true;
    let mut i = 2;
    while i < args.len() {
        let remaining = args.len() - i - 1;
        let a = args[i];
        if a.eq_ignore_ascii_case(b"get") && remaining >= 2 {
            i += 2;
        } else if (a.eq_ignore_ascii_case(b"set") || a.eq_ignore_ascii_case(b"incrby")) && remaining >= 3 {
            readonly = false;
            break;
        } else if a.eq_ignore_ascii_case(b"overflow") && remaining >= 1 {
            i += 1;
        } else {
            readonly = false;
            break;
        }
        i += 1;
    }
    let f = if readonly {
        ks::RO | ks::ACCESS
    } else {
        ks::RW | ks::ACCESS | ks::UPDATE
    };
    vec![(1, f)]
}

/// Redis's `doesCommandHaveKeys`.
fn has_keys(c: &Command, name: &str) -> bool {
    getkeys_proc(name).is_some() || c.keys.iter().any(|s| s.flags & ks::NOT_KEY == 0)
}

/// Redis's `getKeysFromCommandWithSpecs`: the key specs unless a spec has
/// variable flags or the specs fail, then the command's procedure, if any.
/// `args[0]` is the command name.
pub fn get_keys(c: &Command, name: &str, args: &[&[u8]]) -> Vec<KeyRef> {
    let has_spec = c.keys.iter().any(|s| s.flags & ks::NOT_KEY == 0);
    let varflags = c.keys.iter().any(|s| s.flags & ks::VARIABLE_FLAGS != 0);
    if has_spec && !varflags {
        if let Some(keys) = keys_from_specs(c, args) {
            return keys;
        }
    }
    match getkeys_proc(name) {
        Some(p) => p(args),
        None => Vec::new(),
    }
}

/// Redis's `getKeysUsingKeySpecs` (not-key specs skipped, no partial
/// results): None when a spec does not fit the arguments or is incomplete.
pub fn keys_from_specs(c: &Command, args: &[&[u8]]) -> Option<Vec<KeyRef>> {
    let argc = args.len() as i64;
    let mut keys = Vec::new();
    for spec in c.keys {
        if spec.flags & ks::NOT_KEY != 0 {
            continue;
        }
        let mut first: i64 = 0;
        match spec.begin {
            BeginSearch::Index(pos) => first = pos as i64,
            BeginSearch::Keyword { keyword, startfrom } => {
                let startfrom = startfrom as i64;
                let (start, end) = if startfrom > 0 {
                    (startfrom, argc - 1)
                } else {
                    (argc + startfrom, 0)
                };
                let mut i = start;
                while i != end {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if args[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
                        first = i + 1;
                        break;
                    }
                    i = if start <= end { i + 1 } else { i - 1 };
                }
                if first == 0 {
                    continue;
                }
            }
        }
        let (last, step) = match spec.find {
            FindKeys::Range { lastkey, step, limit } => {
                let lastkey = lastkey as i64;
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit == 0 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / limit as i64 + lastkey)
                };
                (last, step as i64)
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                step,
            } => {
                let idx = first + keynumidx as i64;
                if idx < 0 || idx >= argc {
                    return None;
                }
                let numkeys = crate::util::string2ll(args[idx as usize]).filter(|&n| n >= 0)?;
                first += firstkey as i64;
                (first + numkeys - 1, step as i64)
            }
        };
        if last >= argc || last < first || first >= argc || first < 0 || step <= 0 {
            return None;
        }
        let mut i = first;
        while i <= last {
            keys.push((i as usize, spec.flags));
            i += step;
        }
        if spec.flags & ks::INCOMPLETE != 0 {
            return None;
        }
    }
    Some(keys)
}

/// Redis's `populateCommandLegacyRangeSpec`: the (first key, last key
/// relative to the first, step) of COMMAND INFO, and whether the specs
/// need the `movablekeys` flag.
pub fn legacy_range(specs: &[KeySpec]) -> (Option<(i32, i32, i32)>, bool) {
    if let [KeySpec {
        flags: f,
        begin: BeginSearch::Index(pos),
        find: FindKeys::Range { lastkey, step, .. },
    }] = specs
    {
        return (Some((*pos, *lastkey, *step)), f & ks::INCOMPLETE != 0);
    }
    let mut movable = false;
    let mut firstkey = i32::MAX;
    let mut lastkey: i32 = 0;
    let mut prev_lastkey: i32 = 0;
    for s in specs {
        let (BeginSearch::Index(pos), FindKeys::Range { lastkey: lk, step, .. }) = (s.begin, s.find) else {
            movable = true;
            continue;
        };
        if step != 1 || (prev_lastkey != 0 && prev_lastkey != pos - 1) {
            movable = true;
            continue;
        }
        if s.flags & ks::INCOMPLETE != 0 {
            movable = true;
        }
        firstkey = firstkey.min(pos);
        let abs = if lk >= 0 { lk + pos } else { lk };
        // Unsigned comparison: a negative (from the end) last key wins.
        lastkey = (lastkey as u32).max(abs as u32) as i32;
        prev_lastkey = lastkey;
    }
    if firstkey == i32::MAX {
        return (None, movable);
    }
    let rel = if lastkey < 0 { lastkey } else { lastkey - firstkey };
    (Some((firstkey, rel, 1)), movable)
}

// ---- COMMAND INFO -------------------------------------------------------------

fn reply_info(r: &mut ReplyBuf, t: &Table, id: CmdId) {
    let c = t.cmds[id as usize];
    let (range, movable) = legacy_range(c.keys);
    let (first, last, step) = match range {
        Some((f, l, s)) => (f, if l >= 0 { l + f } else { l }, s),
        None => (0, 0, 0),
    };
    r.array_len(10);
    r.bulk(t.full_names[id as usize].as_bytes());
    r.int(c.arity as i64);
    let f = c.flags | if movable { flags::MOVABLE_KEYS } else { 0 };
    // MAY_REPLICATE is hidden, as in Redis.
    let names: Vec<&str> = flags::NAMES
        .iter()
        .filter(|(b, _)| f & b != 0 && *b != flags::MAY_REPLICATE)
        .map(|(_, n)| *n)
        .collect();
    r.set_len(names.len());
    for n in names {
        r.status(n.as_bytes());
    }
    r.int(first as i64);
    r.int(last as i64);
    r.int(step as i64);
    let cats = c.acl_categories();
    let names: Vec<&str> = acl::NAMES
        .iter()
        .filter(|(b, _)| cats & b != 0)
        .map(|(_, n)| *n)
        .collect();
    r.set_len(names.len());
    for n in names {
        let mut s = Vec::with_capacity(n.len() + 1);
        s.push(b'@');
        s.extend_from_slice(n.as_bytes());
        r.status(&s);
    }
    r.set_len(c.tips.len());
    for tip in c.tips {
        r.bulk(tip.as_bytes());
    }
    r.set_len(c.keys.len());
    for spec in c.keys {
        reply_key_spec(r, spec, super::scripting::key_spec_notes(c.name));
    }
    if c.subcommands.is_empty() {
        r.set_len(0);
    } else {
        let subs = subcommand_ids(t, id);
        r.array_len(subs.len());
        for s in subs {
            reply_info(r, t, s);
        }
    }
}

fn reply_key_flags(r: &mut ReplyBuf, f: u32) {
    let names: Vec<&str> = ks::NAMES.iter().filter(|(b, _)| f & b != 0).map(|(_, n)| *n).collect();
    r.set_len(names.len());
    for n in names {
        r.status(n.as_bytes());
    }
}

fn reply_key_spec(r: &mut ReplyBuf, spec: &KeySpec, notes: Option<&str>) {
    r.map_len(3 + notes.is_some() as usize);
    if let Some(n) = notes {
        r.bulk(b"notes");
        r.bulk(n.as_bytes());
    }
    r.bulk(b"flags");
    reply_key_flags(r, spec.flags);
    r.bulk(b"begin_search");
    r.map_len(2);
    r.bulk(b"type");
    match spec.begin {
        BeginSearch::Index(pos) => {
            r.bulk(b"index");
            r.bulk(b"spec");
            r.map_len(1);
            r.bulk(b"index");
            r.int(pos as i64);
        }
        BeginSearch::Keyword { keyword, startfrom } => {
            r.bulk(b"keyword");
            r.bulk(b"spec");
            r.map_len(2);
            r.bulk(b"keyword");
            r.bulk(keyword.as_bytes());
            r.bulk(b"startfrom");
            r.int(startfrom as i64);
        }
    }
    r.bulk(b"find_keys");
    r.map_len(2);
    r.bulk(b"type");
    match spec.find {
        FindKeys::Range { lastkey, step, limit } => {
            r.bulk(b"range");
            r.bulk(b"spec");
            r.map_len(3);
            r.bulk(b"lastkey");
            r.int(lastkey as i64);
            r.bulk(b"keystep");
            r.int(step as i64);
            r.bulk(b"limit");
            r.int(limit as i64);
        }
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            step,
        } => {
            r.bulk(b"keynum");
            r.bulk(b"spec");
            r.map_len(3);
            r.bulk(b"keynumidx");
            r.int(keynumidx as i64);
            r.bulk(b"firstkey");
            r.int(firstkey as i64);
            r.bulk(b"keystep");
            r.int(step as i64);
        }
    }
}

// ---- COMMAND DOCS -------------------------------------------------------------

fn reply_docs(r: &mut ReplyBuf, t: &Table, id: CmdId) {
    let c = t.cmds[id as usize];
    let args = command_args(c);
    let mut n = 1;
    for present in [
        !c.summary.is_empty(),
        !c.since.is_empty(),
        !c.complexity.is_empty(),
        c.deprecated.is_some(),
        c.deprecated.is_some_and(|(s, _)| !s.is_empty()),
        c.deprecated.is_some_and(|(_, by)| !by.is_empty()),
        !c.history.is_empty(),
        !args.is_empty(),
        !c.subcommands.is_empty(),
    ] {
        n += present as usize;
    }
    r.map_len(n);
    if !c.summary.is_empty() {
        r.bulk(b"summary");
        r.bulk(c.summary.as_bytes());
    }
    if !c.since.is_empty() {
        r.bulk(b"since");
        r.bulk(c.since.as_bytes());
    }
    r.bulk(b"group");
    r.bulk(c.group.name().as_bytes());
    if !c.complexity.is_empty() {
        r.bulk(b"complexity");
        r.bulk(c.complexity.as_bytes());
    }
    if let Some((since, by)) = c.deprecated {
        r.bulk(b"doc_flags");
        r.set_len(1);
        r.status(b"deprecated");
        if !since.is_empty() {
            r.bulk(b"deprecated_since");
            r.bulk(since.as_bytes());
        }
        if !by.is_empty() {
            r.bulk(b"replaced_by");
            r.bulk(by.as_bytes());
        }
    }
    if !c.history.is_empty() {
        r.bulk(b"history");
        r.set_len(c.history.len());
        for (version, what) in c.history {
            r.array_len(2);
            r.bulk(version.as_bytes());
            r.bulk(what.as_bytes());
        }
    }
    if !args.is_empty() {
        r.bulk(b"arguments");
        reply_args(r, &args);
    }
    if !c.subcommands.is_empty() {
        r.bulk(b"subcommands");
        let subs = subcommand_ids(t, id);
        r.map_len(subs.len());
        for s in subs {
            r.bulk(t.full_names[s as usize].as_bytes());
            reply_docs(r, t, s);
        }
    }
}

fn reply_args(r: &mut ReplyBuf, args: &[Arg]) {
    r.array_len(args.len());
    for a in args {
        let has_flags = a.optional || a.multiple || a.multiple_token;
        let group = matches!(a.kind, ArgType::Oneof | ArgType::Block);
        let n = 2
            + a.key_spec_index.is_some() as usize
            + a.token.is_some() as usize
            + a.since.is_some() as usize
            + a.deprecated_since.is_some() as usize
            + has_flags as usize
            + group as usize;
        r.map_len(n);
        r.bulk(b"name");
        r.bulk(a.name.as_bytes());
        r.bulk(b"type");
        r.bulk(a.kind.name().as_bytes());
        if let Some(i) = a.key_spec_index {
            r.bulk(b"key_spec_index");
            r.int(i as i64);
        }
        if let Some(tok) = &a.token {
            r.bulk(b"token");
            r.bulk(tok.as_bytes());
        }
        if let Some(v) = &a.since {
            r.bulk(b"since");
            r.bulk(v.as_bytes());
        }
        if let Some(v) = &a.deprecated_since {
            r.bulk(b"deprecated_since");
            r.bulk(v.as_bytes());
        }
        if has_flags {
            let names: Vec<&[u8]> = [
                (a.optional, &b"optional"[..]),
                (a.multiple, b"multiple"),
                (a.multiple_token, b"multiple_token"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| n)
            .collect();
            r.bulk(b"flags");
            r.set_len(names.len());
            for n in names {
                r.status(n);
            }
        }
        if group {
            r.bulk(b"arguments");
            reply_args(r, &a.args);
        }
    }
}

/// A command's parsed arguments with key-spec indexes assigned. A syntax
/// string that does not parse gives no arguments (the table test rejects
/// such strings).
pub fn command_args(c: &Command) -> Vec<Arg> {
    let mut args = parse_args(c.args).unwrap_or_default();
    let mut next = 0;
    assign_key_specs(&mut args, c.keys.len() as i32, &mut next);
    args
}

fn assign_key_specs(args: &mut [Arg], nspecs: i32, next: &mut i32) {
    for a in args {
        if a.kind == ArgType::Key && a.key_spec_index.is_none() && nspecs > 0 {
            a.key_spec_index = Some((*next).min(nspecs - 1));
            *next += 1;
        }
        assign_key_specs(&mut a.args, nspecs, next);
    }
}

// ---- the argument grammar ---------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ArgType {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    Oneof,
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::Oneof => "oneof",
            ArgType::Block => "block",
        }
    }

    /// The types a word may declare (`name:type`).
    fn declared(s: &str) -> Option<ArgType> {
        Some(match s {
            "string" => ArgType::String,
            "integer" => ArgType::Integer,
            "double" => ArgType::Double,
            "key" => ArgType::Key,
            "pattern" => ArgType::Pattern,
            "unix-time" => ArgType::UnixTime,
            _ => return None,
        })
    }
}

/// One argument of COMMAND DOCS.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: String,
    pub kind: ArgType,
    pub key_spec_index: Option<i32>,
    pub token: Option<String>,
    pub since: Option<String>,
    pub deprecated_since: Option<String>,
    pub optional: bool,
    pub multiple: bool,
    pub multiple_token: bool,
    /// Members of a oneof or block.
    pub args: Vec<Arg>,
}

impl Arg {
    fn new(name: String, kind: ArgType) -> Arg {
        Arg {
            name,
            kind,
            key_spec_index: None,
            token: None,
            since: None,
            deprecated_since: None,
            optional: false,
            multiple: false,
            multiple_token: false,
            args: Vec::new(),
        }
    }

    fn group(kind: ArgType, args: Vec<Arg>) -> Arg {
        let name = args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join("_");
        let mut a = Arg::new(name, kind);
        a.args = args;
        a
    }
}

/// Annotations of an element: `name=`, `@since`, `!deprecated`, `#index`.
#[derive(Clone, Debug, Default, PartialEq)]
struct Ann {
    name: Option<String>,
    since: Option<String>,
    deprecated: Option<String>,
    key_spec: Option<i32>,
}

impl Ann {
    fn apply(&self, a: &mut Arg) {
        if let Some(n) = &self.name {
            a.name = n.clone();
        }
        if self.since.is_some() {
            a.since = self.since.clone();
        }
        if self.deprecated.is_some() {
            a.deprecated_since = self.deprecated.clone();
        }
        if self.key_spec.is_some() {
            a.key_spec_index = self.key_spec;
        }
    }
}

/// An element as written, before the arguments are built.
#[derive(Clone, Debug)]
enum Raw {
    /// A token (`NX`, `"*"`).
    Token(String, Ann),
    /// An argument word: `name` or `name:type`.
    Word(String, Ann),
    /// `[...]` (optional) or `(...)`: alternatives of sequences.
    Group(bool, Vec<Vec<Raw>>, Ann),
    /// `...`
    Ellipsis,
    /// Elements repeated (`x [x ...]`, `elem ...`).
    Repeat(Vec<Raw>, Ann),
}

impl Raw {
    /// Same shape, for recognising `x [x ...]`: annotations and declared
    /// types are ignored.
    fn same(&self, o: &Raw) -> bool {
        match (self, o) {
            (Raw::Token(a, _), Raw::Token(b, _)) => a == b,
            (Raw::Word(a, _), Raw::Word(b, _)) => split_type(a).0 == split_type(b).0,
            (Raw::Group(oa, a, _), Raw::Group(ob, b, _)) => {
                oa == ob && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_seq(x, y))
            }
            (Raw::Ellipsis, Raw::Ellipsis) => true,
            (Raw::Repeat(a, _), Raw::Repeat(b, _)) => same_seq(a, b),
            _ => false,
        }
    }

    fn is_token(&self) -> bool {
        matches!(self, Raw::Token(..))
    }
}

fn same_seq(a: &[Raw], b: &[Raw]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
}

/// `name:type` → (name, type); a name may itself contain `:`.
fn split_type(w: &str) -> (&str, Option<ArgType>) {
    if let Some(i) = w.rfind(':') {
        if let Some(t) = ArgType::declared(&w[i + 1..]) {
            return (&w[..i], Some(t));
        }
    }
    (w, None)
}

#[derive(Debug)]
enum Lex {
    Open(u8),
    Close(u8, Ann),
    Bar,
    Prefix(String),
    Token(String, Ann),
    Word(String, Ann),
}

fn is_special(c: u8) -> bool {
    matches!(c, b'[' | b']' | b'(' | b')' | b'|') || c.is_ascii_whitespace()
}

fn lex(s: &str) -> Result<Vec<Lex>, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // Annotations run until whitespace or a bracket.
    let annotations = |i: &mut usize| -> Result<Ann, String> {
        let mut ann = Ann::default();
        while *i < b.len() && matches!(b[*i], b'@' | b'!' | b'#') {
            let kind = b[*i];
            let start = *i + 1;
            let mut j = start;
            while j < b.len() && !is_special(b[j]) && !matches!(b[j], b'@' | b'!' | b'#') {
                j += 1;
            }
            let v = &s[start..j];
            if v.is_empty() {
                return Err(format!("empty annotation at {}", *i));
            }
            match kind {
                b'@' => ann.since = Some(v.to_string()),
                b'!' => ann.deprecated = Some(v.to_string()),
                _ => ann.key_spec = Some(v.parse().map_err(|_| format!("bad key spec index {v}"))?),
            }
            *i = j;
        }
        Ok(ann)
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'[' || c == b'(' {
            out.push(Lex::Open(c));
            i += 1;
        } else if c == b']' || c == b')' {
            i += 1;
            let ann = annotations(&mut i)?;
            out.push(Lex::Close(c, ann));
        } else if c == b'|' {
            out.push(Lex::Bar);
            i += 1;
        } else if c == b'"' {
            let end = s[i + 1..].find('"').ok_or("unterminated quote")? + i + 1;
            let text = s[i + 1..end].to_string();
            i = end + 1;
            let ann = annotations(&mut i)?;
            out.push(Lex::Token(text, ann));
        } else {
            let start = i;
            while i < b.len() && !is_special(b[i]) && !matches!(b[i], b'@' | b'!' | b'#' | b'=' | b'"') {
                i += 1;
            }
            let w = &s[start..i];
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if w.is_empty() {
                    return Err("empty name before =".into());
                }
                out.push(Lex::Prefix(w.to_string()));
                continue;
            }
            if w.is_empty() {
                return Err(format!("unexpected {:?} at {}", c as char, start));
            }
            let ann = annotations(&mut i)?;
            let token = w.bytes().any(|c| c.is_ascii_uppercase()) && !w.bytes().any(|c| c.is_ascii_lowercase());
            out.push(if token {
                Lex::Token(w.to_string(), ann)
            } else {
                Lex::Word(w.to_string(), ann)
            });
        }
    }
    Ok(out)
}

struct Parser {
    toks: std::vec::IntoIter<Lex>,
}

impl Parser {
    /// Alternatives up to the closing bracket `close` (or the end), and
    /// the annotations after that bracket.
    fn alts(&mut self, close: Option<u8>) -> Result<(Vec<Vec<Raw>>, Ann), String> {
        let mut alts: Vec<Vec<Raw>> = vec![Vec::new()];
        let mut name: Option<String> = None;
        let named = |mut ann: Ann, name: &mut Option<String>| {
            if let Some(n) = name.take() {
                ann.name = Some(n);
            }
            ann
        };
        loop {
            let Some(t) = self.toks.next() else {
                if close.is_some() {
                    return Err("unclosed group".into());
                }
                break;
            };
            let cur = alts.last_mut().unwrap();
            match t {
                Lex::Close(c, ann) => {
                    if Some(c) != close {
                        return Err(format!("unexpected {}", c as char));
                    }
                    if name.is_some() {
                        return Err("name= before a closing bracket".into());
                    }
                    if alts.iter().any(Vec::is_empty) {
                        return Err("empty alternative".into());
                    }
                    return Ok((alts, ann));
                }
                Lex::Bar => {
                    if name.is_some() || cur.is_empty() {
                        return Err("empty alternative".into());
                    }
                    alts.push(Vec::new());
                }
                Lex::Open(c) => {
                    let (inner, ann) = self.alts(Some(if c == b'[' { b']' } else { b')' }))?;
                    let ann = named(ann, &mut name);
                    alts.last_mut().unwrap().push(Raw::Group(c == b'[', inner, ann));
                }
                Lex::Prefix(n) => {
                    if name.is_some() {
                        return Err("two names".into());
                    }
                    name = Some(n);
                }
                Lex::Token(t, ann) => cur.push(Raw::Token(t, named(ann, &mut name))),
                Lex::Word(w, ann) => {
                    if w == "..." {
                        if name.is_some() {
                            return Err("name= before ...".into());
                        }
                        cur.push(Raw::Ellipsis);
                    } else {
                        cur.push(Raw::Word(w, named(ann, &mut name)));
                    }
                }
            }
        }
        if name.is_some() {
            return Err("name= at the end".into());
        }
        if alts.len() != 1 && alts.iter().any(Vec::is_empty) {
            return Err("empty alternative".into());
        }
        Ok((alts, Ann::default()))
    }
}

/// Parses an `args` string (see the module docs) into COMMAND DOCS
/// arguments, without key-spec indexes (see `command_args`).
pub fn parse_args(s: &str) -> Result<Vec<Arg>, String> {
    let mut p = Parser {
        toks: lex(s)?.into_iter(),
    };
    let (alts, _) = p.alts(None)?;
    if alts.len() == 1 {
        build_seq(&alts[0])
    } else {
        Ok(vec![build_oneof(&alts)?])
    }
}

/// Recognises repetitions: `x [x ...]` and `elem ...`.
fn fold_repeats(elems: &[Raw]) -> Result<Vec<Raw>, String> {
    let mut out: Vec<Raw> = Vec::new();
    for e in elems {
        match e {
            Raw::Group(true, alts, ann) if alts.len() == 1 && matches!(alts[0].last(), Some(Raw::Ellipsis)) => {
                let inner = &alts[0][..alts[0].len() - 1];
                let k = inner.len();
                if k == 0 {
                    return Err("[...] repeats nothing".into());
                }
                if out.len() >= k && same_seq(&out[out.len() - k..], inner) {
                    let rep = out.split_off(out.len() - k);
                    out.push(Raw::Repeat(rep, ann.clone()));
                } else {
                    // `[x ...]`: optional and multiple.
                    out.push(Raw::Group(
                        true,
                        vec![vec![Raw::Repeat(inner.to_vec(), Ann::default())]],
                        ann.clone(),
                    ));
                }
            }
            Raw::Ellipsis => {
                let prev = out.pop().ok_or("... repeats nothing")?;
                out.push(Raw::Repeat(vec![prev], Ann::default()));
            }
            e => out.push(e.clone()),
        }
    }
    Ok(out)
}

/// A sequence: the arguments it lists, merging each token with the
/// argument or parenthesised group after it.
fn build_seq(elems: &[Raw]) -> Result<Vec<Arg>, String> {
    let elems = fold_repeats(elems)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < elems.len() {
        if let (Raw::Token(tok, tann), Some(next)) = (&elems[i], elems.get(i + 1)) {
            let takes = match next {
                Raw::Word(..) | Raw::Group(false, ..) => true,
                Raw::Repeat(r, _) => !r[0].is_token(),
                _ => false,
            };
            if takes {
                let mut a = build_elem(next)?;
                a.token = Some(tok.clone());
                // The token's annotations count unless the argument has its own.
                if a.since.is_none() {
                    a.since = tann.since.clone();
                }
                if a.deprecated_since.is_none() {
                    a.deprecated_since = tann.deprecated.clone();
                }
                if let Some(n) = &tann.name {
                    if !matches!(
                        next,
                        Raw::Word(_, Ann { name: Some(_), .. }) | Raw::Group(_, _, Ann { name: Some(_), .. })
                    ) {
                        a.name = n.clone();
                    }
                }
                out.push(a);
                i += 2;
                continue;
            }
        }
        out.push(build_elem(&elems[i])?);
        i += 1;
    }
    Ok(out)
}

/// A group's sequence: `TOKEN a b ...` (two or more arguments after a
/// leading token) is a block carrying the token; otherwise `build_seq`.
fn build_group_seq(elems: &[Raw]) -> Result<Vec<Arg>, String> {
    let folded = fold_repeats(elems)?;
    if let [Raw::Token(tok, tann), rest @ ..] = folded.as_slice() {
        let inner = build_seq(rest)?;
        if inner.len() >= 2 {
            let mut b = Arg::group(ArgType::Block, inner);
            b.token = Some(tok.clone());
            tann.apply(&mut b);
            return Ok(vec![b]);
        }
    }
    build_seq(&folded)
}

/// One alternative of a oneof: a single argument or a block.
fn build_oneof(alts: &[Vec<Raw>]) -> Result<Arg, String> {
    let mut members = Vec::new();
    for alt in alts {
        let mut items = build_group_seq(alt)?;
        members.push(if items.len() == 1 {
            items.pop().unwrap()
        } else {
            Arg::group(ArgType::Block, items)
        });
    }
    Ok(Arg::group(ArgType::Oneof, members))
}

fn build_elem(e: &Raw) -> Result<Arg, String> {
    let mut a = match e {
        Raw::Token(t, ann) => {
            let mut a = Arg::new(t.to_ascii_lowercase(), ArgType::PureToken);
            a.token = Some(t.clone());
            ann.apply(&mut a);
            return Ok(a);
        }
        Raw::Word(w, ann) => {
            let (name, declared) = split_type(w);
            if name.is_empty() {
                return Err(format!("no name in {w:?}"));
            }
            let kind = declared.unwrap_or(if name.ends_with("key") {
                ArgType::Key
            } else {
                ArgType::String
            });
            let mut a = Arg::new(name.to_string(), kind);
            ann.apply(&mut a);
            return Ok(a);
        }
        Raw::Ellipsis => return Err("misplaced ...".into()),
        Raw::Group(optional, alts, ann) => {
            let mut a = if alts.len() > 1 {
                build_oneof(alts)?
            } else {
                let mut items = build_group_seq(&alts[0])?;
                if items.len() == 1 && (*optional || matches!(items[0].kind, ArgType::Oneof | ArgType::Block)) {
                    items.pop().unwrap()
                } else {
                    Arg::group(ArgType::Block, items)
                }
            };
            if *optional {
                a.optional = true;
            }
            ann.apply(&mut a);
            a
        }
        Raw::Repeat(elems, ann) => {
            let mut items = build_group_seq(elems)?;
            let mut a = if items.len() == 1 {
                items.pop().unwrap()
            } else {
                Arg::group(ArgType::Block, items)
            };
            a.multiple = true;
            if elems[0].is_token() {
                a.multiple_token = true;
            }
            ann.apply(&mut a);
            a
        }
    };
    if a.name.is_empty() {
        a.name = a.kind.name().to_string();
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact rendering: `name:type[TOKEN,since,!dep,#ksi,flags]{members}`.
    fn render(args: &[Arg]) -> String {
        args.iter()
            .map(|a| {
                let mut s = format!("{}:{}", a.name, a.kind.name());
                let mut attrs = Vec::new();
                if let Some(t) = &a.token {
                    attrs.push(t.clone());
                }
                if let Some(v) = &a.since {
                    attrs.push(format!("@{v}"));
                }
                if let Some(v) = &a.deprecated_since {
                    attrs.push(format!("!{v}"));
                }
                if let Some(i) = a.key_spec_index {
                    attrs.push(format!("#{i}"));
                }
                if a.optional {
                    attrs.push("opt".into());
                }
                if a.multiple {
                    attrs.push("mult".into());
                }
                if a.multiple_token {
                    attrs.push("multtok".into());
                }
                if !attrs.is_empty() {
                    s += &format!("[{}]", attrs.join(","));
                }
                if !a.args.is_empty() {
                    s += &format!("{{{}}}", render(&a.args));
                }
                s
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn p(s: &str) -> String {
        render(&parse_args(s).unwrap_or_else(|e| panic!("{s}: {e}")))
    }

    #[test]
    fn grammar_basics() {
        assert_eq!(p(""), "");
        assert_eq!(p("key"), "key:key");
        assert_eq!(
            p("key newkey source:key destination:key value"),
            "key:key newkey:key source:key destination:key value:string"
        );
        assert_eq!(
            p("seconds:integer ip:port ip:port:string yes/no"),
            "seconds:integer ip:port:string ip:port:string yes/no:string"
        );
        assert_eq!(p("[GET]@6.2.0"), "get:pure-token[GET,@6.2.0,opt]");
        assert_eq!(p("key [key ...]"), "key:key[mult]");
        assert_eq!(p("[section [section ...]]"), "section:string[opt,mult]");
        assert_eq!(p("[section ...]"), "section:string[opt,mult]");
        assert_eq!(
            p("key value [key value ...]"),
            "key_value:block[mult]{key:key value:string}"
        );
        assert_eq!(
            p("[GET pattern [GET pattern ...]]"),
            "pattern:string[GET,opt,mult,multtok]"
        );
        assert_eq!(p("[KEYS key [key ...]]"), "key:key[KEYS,opt,mult]");
        assert_eq!(p("[NX | XX]"), "nx_xx:oneof[opt]{nx:pure-token[NX] xx:pure-token[XX]}");
        assert_eq!(
            p("ON | OFF | SKIP"),
            "on_off_skip:oneof{on:pure-token[ON] off:pure-token[OFF] skip:pure-token[SKIP]}"
        );
        assert_eq!(
            p("enabled=(ON | OFF)"),
            "enabled:oneof{on:pure-token[ON] off:pure-token[OFF]}"
        );
        assert_eq!(
            p("[MATCH pattern:pattern] [COUNT count:integer]"),
            "pattern:pattern[MATCH,opt] count:integer[COUNT,opt]"
        );
        assert_eq!(
            p("[LIMIT offset:integer count:integer]"),
            "offset_count:block[LIMIT,opt]{offset:integer count:integer}"
        );
        assert_eq!(
            p("limit=[LIMIT offset:integer count:integer]"),
            "limit:block[LIMIT,opt]{offset:integer count:integer}"
        );
        assert_eq!(
            p("auto_id=\"*\" | id"),
            "auto_id_id:oneof{auto_id:pure-token[*] id:string}"
        );
        assert_eq!(p("x#2 y:integer#0"), "x:string[#2] y:integer[#0]");
        assert_eq!(p("(a | b) ..."), "a_b:oneof[mult]{a:string b:string}");
    }

    #[test]
    fn grammar_redis_shapes() {
        assert_eq!(
            p("key value condition=[NX | XX]@2.6.12 [GET]@6.2.0 expiration=[EX seconds:integer@2.6.12 | PX milliseconds:integer@2.6.12 | EXAT unix-time-seconds:unix-time@6.2.0 | PXAT unix-time-milliseconds:unix-time@6.2.0 | KEEPTTL@6.0.0]"),
            "key:key value:string condition:oneof[@2.6.12,opt]{nx:pure-token[NX] xx:pure-token[XX]} get:pure-token[GET,@6.2.0,opt] \
             expiration:oneof[opt]{seconds:integer[EX,@2.6.12] milliseconds:integer[PX,@2.6.12] unix-time-seconds:unix-time[EXAT,@6.2.0] \
             unix-time-milliseconds:unix-time[PXAT,@6.2.0] keepttl:pure-token[KEEPTTL,@6.0.0]}"
        );
        assert_eq!(
            p("arguments=[protover:integer [AUTH username password] [SETNAME clientname]]"),
            "arguments:block[opt]{protover:integer username_password:block[AUTH,opt]{username:string password:string} clientname:string[SETNAME,opt]}"
        );
        assert_eq!(
            p("[TYPE (NORMAL | MASTER | REPLICA | PUBSUB)]@5.0.0 id=[ID (client-id:integer [client-id:integer ...])]@6.2.0"),
            "normal_master_replica_pubsub:oneof[TYPE,@5.0.0,opt]{normal:pure-token[NORMAL] master:pure-token[MASTER] replica:pure-token[REPLICA] pubsub:pure-token[PUBSUB]} \
             id:block[ID,@6.2.0,opt]{client-id:integer[mult]}"
        );
        assert_eq!(
            p("filter=(ip:port!2.8.12 | new-format=([ID client-id:integer]@2.8.12 | [TYPE normal_master_slave_pubsub=(NORMAL | MASTER@3.2.0 | SLAVE | REPLICA@5.0.0 | PUBSUB)]@2.8.12 | [USER username] | [ADDR ip:port] | [LADDR ip:port]@6.2.0 | [SKIPME yes/no]) ...)"),
            "filter:oneof{ip:port:string[!2.8.12] new-format:oneof[mult]{client-id:integer[ID,@2.8.12,opt] \
             normal_master_slave_pubsub:oneof[TYPE,@2.8.12,opt]{normal:pure-token[NORMAL] master:pure-token[MASTER,@3.2.0] slave:pure-token[SLAVE] replica:pure-token[REPLICA,@5.0.0] pubsub:pure-token[PUBSUB]} \
             username:string[USER,opt] ip:port:string[ADDR,opt] ip:port:string[LADDR,@6.2.0,opt] yes/no:string[SKIPME,opt]}}"
        );
        assert_eq!(
            p("[FILTERBY filterby=(MODULE module-name | ACLCAT category | PATTERN pattern:pattern)]"),
            "filterby:oneof[FILTERBY,opt]{module-name:string[MODULE] category:string[ACLCAT] pattern:pattern[PATTERN]}"
        );
        assert_eq!(
            p("[BY pattern#1] [GET pattern [GET pattern ...]] [ASC | DESC] [STORE destination:key]"),
            "pattern:string[BY,#1,opt] pattern:string[GET,opt,mult,multtok] asc_desc:oneof[opt]{asc:pure-token[ASC] desc:pure-token[DESC]} destination:key[STORE,opt]"
        );
        assert_eq!(
            p("streams=(STREAMS key [key ...] id [id ...])"),
            "streams:block[STREAMS]{key:key[mult] id:string[mult]}"
        );
    }

    #[test]
    fn grammar_errors() {
        for bad in [
            "[NX", "NX]", "[NX | ]", "| a", "a=", "[...]", "...", "x@", "\"a", "a=b=c",
        ] {
            assert!(parse_args(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn every_table_entry_parses() {
        let t = Table::build();
        for (i, c) in t.cmds.iter().enumerate() {
            let args = parse_args(c.args).unwrap_or_else(|e| panic!("{}: {e}", t.full_names[i]));
            let mut keys = 0;
            fn count(a: &[Arg], n: &mut usize) {
                for x in a {
                    *n += (x.kind == ArgType::Key) as usize;
                    count(&x.args, n);
                }
            }
            count(&args, &mut keys);
            if keys > 0 {
                assert!(
                    !c.keys.is_empty(),
                    "{} has key arguments but no key specs",
                    t.full_names[i]
                );
            }
        }
    }

    fn cmd_with(keys: &'static [KeySpec], arity: i32) -> Command {
        fn nop(_: &mut Ctx) {}
        Command::new("x", arity, Group::Generic, nop).keys(keys)
    }

    fn getkeys(c: &Command, line: &str) -> Option<Vec<String>> {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        keys_from_specs(c, &args).map(|k| {
            k.iter()
                .map(|&(p, _)| line.split(' ').nth(p).unwrap().to_string())
                .collect()
        })
    }

    #[test]
    fn key_extraction() {
        // Fixed position.
        const GET: &[KeySpec] = &[KeySpec::one(1, ks::RO)];
        let get = cmd_with(GET, 2);
        assert_eq!(getkeys(&get, "get k").unwrap(), ["k"]);
        // Two fixed keys.
        const RENAME: &[KeySpec] = &[KeySpec::one(1, ks::RW), KeySpec::one(2, ks::OW)];
        let rename = cmd_with(RENAME, 3);
        assert_eq!(getkeys(&rename, "rename a b").unwrap(), ["a", "b"]);
        // Range to the end, and with a step.
        const DEL: &[KeySpec] = &[KeySpec::range(1, -1, 1, ks::RM)];
        let del = cmd_with(DEL, -2);
        assert_eq!(getkeys(&del, "del a b c").unwrap(), ["a", "b", "c"]);
        const MSET: &[KeySpec] = &[KeySpec::range(1, -1, 2, ks::OW)];
        let mset = cmd_with(MSET, -3);
        assert_eq!(getkeys(&mset, "mset a 1 b 2").unwrap(), ["a", "b"]);
        assert_eq!(getkeys(&mset, "mset a 1 b").unwrap(), ["a", "b"]);
        // Range with a limit: the first half (as MSETNX-like specs with limit 2).
        static HALF: &[KeySpec] = &[KeySpec {
            flags: ks::RO,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range {
                lastkey: -1,
                step: 1,
                limit: 2,
            },
        }];
        assert_eq!(getkeys(&cmd_with(HALF, -2), "x a b c d").unwrap(), ["a", "b"]);
        // Keyword search from the end (XREAD ... STREAMS k1 k2 id1 id2).
        static XREAD: &[KeySpec] = &[KeySpec {
            flags: ks::RO,
            begin: BeginSearch::Keyword {
                keyword: "STREAMS",
                startfrom: 1,
            },
            find: FindKeys::Range {
                lastkey: -1,
                step: 1,
                limit: 2,
            },
        }];
        let xread = cmd_with(XREAD, -4);
        assert_eq!(
            getkeys(&xread, "xread COUNT 2 streams k1 k2 0 0").unwrap(),
            ["k1", "k2"]
        );
        // Keyword absent: the spec finds nothing.
        assert_eq!(getkeys(&xread, "xread COUNT 2 x k1 0").unwrap(), Vec::<String>::new());
        // Keyword from the end (MIGRATE ... KEYS k1 k2).
        static MIGRATE: &[KeySpec] = &[KeySpec {
            flags: ks::RW,
            begin: BeginSearch::Keyword {
                keyword: "KEYS",
                startfrom: -2,
            },
            find: FindKeys::Range {
                lastkey: -1,
                step: 1,
                limit: 0,
            },
        }];
        assert_eq!(
            getkeys(&cmd_with(MIGRATE, -6), "migrate h p \"\" 0 5 KEYS a b").unwrap(),
            ["a", "b"]
        );
        // Keynum (EVAL script numkeys key ... arg ...).
        static EVAL: &[KeySpec] = &[KeySpec {
            flags: ks::RW,
            begin: BeginSearch::Index(2),
            find: FindKeys::Keynum {
                keynumidx: 0,
                firstkey: 1,
                step: 1,
            },
        }];
        let eval = cmd_with(EVAL, -3);
        assert_eq!(getkeys(&eval, "eval s 2 a b c").unwrap(), ["a", "b"]);
        assert!(getkeys(&eval, "eval s 3 a b").is_none());
        assert!(getkeys(&eval, "eval s x a b").is_none());
        assert!(getkeys(&eval, "eval s -1 a").is_none());
        assert!(getkeys(&eval, "eval s 0").is_none());
        // Incomplete specs fail.
        static INCOMPLETE: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::INCOMPLETE)];
        assert!(getkeys(&cmd_with(INCOMPLETE, -2), "x a").is_none());
        // Not-key specs are skipped.
        static NOTKEY: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::NOT_KEY), KeySpec::one(2, ks::RO)];
        assert_eq!(getkeys(&cmd_with(NOTKEY, 3), "x a b").unwrap(), ["b"]);
    }

    #[test]
    fn set_keys_flags() {
        let t = Table::build();
        let set = t.cmds[t.lookup(b"set").unwrap() as usize];
        let k = get_keys(set, "set", &[b"set", b"k", b"v"]);
        assert_eq!(k, vec![(1, ks::OW | ks::UPDATE)]);
        let k = get_keys(set, "set", &[b"set", b"k", b"v", b"NX", b"get"]);
        assert_eq!(k, vec![(1, ks::RW | ks::ACCESS | ks::UPDATE)]);
    }

    #[test]
    fn bitfield_keys_flags() {
        let ro = vec![(1, ks::RO | ks::ACCESS)];
        let rw = vec![(1, ks::RW | ks::ACCESS | ks::UPDATE)];
        let f = |line: &str| bitfield_getkeys(&line.split(' ').map(str::as_bytes).collect::<Vec<_>>());
        assert_eq!(f("bitfield k"), ro);
        assert_eq!(f("bitfield k GET u8 0 overflow wrap"), ro);
        assert_eq!(f("bitfield k get u8"), rw);
        assert_eq!(f("bitfield k set u8 0 1"), rw);
        assert_eq!(f("bitfield k overflow"), rw);
        assert_eq!(f("bitfield k foo"), rw);
    }

    #[test]
    fn legacy_ranges() {
        assert_eq!(legacy_range(&[]), (None, false));
        assert_eq!(legacy_range(&[KeySpec::one(1, 0)]), (Some((1, 0, 1)), false));
        assert_eq!(legacy_range(&[KeySpec::range(1, -1, 2, 0)]), (Some((1, -1, 2)), false));
        assert_eq!(
            legacy_range(&[KeySpec::one(1, 0), KeySpec::one(2, 0)]),
            (Some((1, 1, 1)), false)
        );
        // Not consecutive: the second is left out and keys are movable.
        assert_eq!(
            legacy_range(&[KeySpec::one(1, 0), KeySpec::one(3, 0)]),
            (Some((1, 0, 1)), true)
        );
        let kw = KeySpec {
            flags: 0,
            begin: BeginSearch::Keyword {
                keyword: "STREAMS",
                startfrom: 1,
            },
            find: FindKeys::Range {
                lastkey: -1,
                step: 1,
                limit: 2,
            },
        };
        assert_eq!(legacy_range(&[kw]), (None, true));
        assert_eq!(legacy_range(&[KeySpec::one(1, 0), kw]), (Some((1, 0, 1)), true));
    }

    /// COMMAND INFO's key-spec encoding for keyword and keynum specs, as
    /// Redis 7.0 sends them (XREAD's and EVAL's first spec, RESP3).
    #[test]
    fn key_spec_encoding() {
        let mut r = ReplyBuf { buf: vec![], resp: 3 };
        reply_key_spec(
            &mut r,
            &KeySpec {
                flags: ks::RO | ks::ACCESS,
                begin: BeginSearch::Keyword {
                    keyword: "STREAMS",
                    startfrom: 1,
                },
                find: FindKeys::Range {
                    lastkey: -1,
                    step: 1,
                    limit: 2,
                },
            },
            None,
        );
        assert_eq!(
            String::from_utf8(r.buf).unwrap(),
            "%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n\
             $4\r\nspec\r\n%2\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n\
             $4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n"
        );
        let mut r = ReplyBuf { buf: vec![], resp: 2 };
        reply_key_spec(
            &mut r,
            &KeySpec {
                flags: ks::RW | ks::ACCESS | ks::UPDATE,
                begin: BeginSearch::Index(2),
                find: FindKeys::Keynum {
                    keynumidx: 0,
                    firstkey: 1,
                    step: 1,
                },
            },
            None,
        );
        assert_eq!(
            String::from_utf8(r.buf).unwrap(),
            "*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n\
             $4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n\
             $9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n"
        );
    }
}
