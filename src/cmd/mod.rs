//! The command table: the one source of command metadata (dispatch, arity
//! errors, COMMAND INFO/DOCS/LIST/GETKEYS, ACL categories, stats), and the
//! context handed to every handler.
//!
//! Each family file (`strings.rs`, `keyspace.rs`, ...) exports a static
//! `COMMANDS` slice; `FAMILIES` lists them. At start-up `Table::build`
//! flattens them (subcommands included) into a vector indexed by command id,
//! which is also the index of the per-command stats.

pub mod bitmaps;
pub mod client;
pub mod command;
pub mod config;
pub mod connection;
pub mod geo;
pub mod hashes;
pub mod hyperloglog;
pub mod introspection;
pub mod keyspace;
pub mod lists;
pub mod persistence;
pub mod pubsub;
pub mod replication;
pub mod scripting;
pub mod server;
pub mod sets;
pub mod sort;
pub mod streams;
pub mod strings;
pub mod transactions;
pub mod zsets;

use crate::client::ClientState;
use crate::resp::Argv;
use crate::server::Server;
use std::collections::HashMap;

pub type Handler = fn(&mut Ctx);

// The table's vocabulary covers all of Redis 7; families not built yet
// will use the rest.
#[allow(dead_code)]
/// Command flags, as COMMAND INFO reports them.
pub mod flags {
    pub const WRITE: u64 = 1 << 0;
    pub const READONLY: u64 = 1 << 1;
    pub const DENYOOM: u64 = 1 << 2;
    pub const ADMIN: u64 = 1 << 4;
    pub const PUBSUB: u64 = 1 << 5;
    pub const NOSCRIPT: u64 = 1 << 6;
    pub const BLOCKING: u64 = 1 << 8;
    pub const LOADING: u64 = 1 << 9;
    pub const STALE: u64 = 1 << 10;
    pub const SKIP_MONITOR: u64 = 1 << 11;
    pub const SKIP_SLOWLOG: u64 = 1 << 12;
    pub const ASKING: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const NO_AUTH: u64 = 1 << 15;
    pub const MAY_REPLICATE: u64 = 1 << 16;
    pub const SENTINEL: u64 = 1 << 17;
    pub const ONLY_SENTINEL: u64 = 1 << 18;
    pub const NO_MANDATORY_KEYS: u64 = 1 << 19;
    pub const PROTECTED: u64 = 1 << 20;
    pub const NO_ASYNC_LOADING: u64 = 1 << 23;
    pub const NO_MULTI: u64 = 1 << 24;
    pub const MOVABLE_KEYS: u64 = 1 << 25;
    pub const ALLOW_BUSY: u64 = 1 << 26;
    pub const TOUCHES_ARBITRARY_KEYS: u64 = 1 << 28;

    /// Names in the order Redis lists them in COMMAND INFO.
    pub const NAMES: &[(u64, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

// The table's vocabulary covers all of Redis 7; families not built yet
// will use the rest.
#[allow(dead_code)]
/// ACL categories. Those implied by flags (write, read, admin, dangerous,
/// pubsub, fast, slow, blocking) are added by `Command::acl_categories`.
pub mod acl {
    pub const KEYSPACE: u64 = 1 << 0;
    pub const READ: u64 = 1 << 1;
    pub const WRITE: u64 = 1 << 2;
    pub const SET: u64 = 1 << 3;
    pub const SORTEDSET: u64 = 1 << 4;
    pub const LIST: u64 = 1 << 5;
    pub const HASH: u64 = 1 << 6;
    pub const STRING: u64 = 1 << 7;
    pub const BITMAP: u64 = 1 << 8;
    pub const HYPERLOGLOG: u64 = 1 << 9;
    pub const GEO: u64 = 1 << 10;
    pub const STREAM: u64 = 1 << 11;
    pub const PUBSUB: u64 = 1 << 12;
    pub const ADMIN: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const SLOW: u64 = 1 << 15;
    pub const BLOCKING: u64 = 1 << 16;
    pub const DANGEROUS: u64 = 1 << 17;
    pub const CONNECTION: u64 = 1 << 18;
    pub const TRANSACTION: u64 = 1 << 19;
    pub const SCRIPTING: u64 = 1 << 20;

    pub const NAMES: &[(u64, &str)] = &[
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];
}

// The table's vocabulary covers all of Redis 7; families not built yet
// will use the rest.
#[allow(dead_code)]
/// Key-spec flags (COMMAND INFO's key specifications).
pub mod ks {
    pub const RO: u32 = 1 << 0;
    pub const RW: u32 = 1 << 1;
    pub const OW: u32 = 1 << 2;
    pub const RM: u32 = 1 << 3;
    pub const ACCESS: u32 = 1 << 4;
    pub const UPDATE: u32 = 1 << 5;
    pub const INSERT: u32 = 1 << 6;
    pub const DELETE: u32 = 1 << 7;
    pub const NOT_KEY: u32 = 1 << 8;
    pub const INCOMPLETE: u32 = 1 << 9;
    pub const VARIABLE_FLAGS: u32 = 1 << 10;

    pub const NAMES: &[(u32, &str)] = &[
        (RO, "RO"),
        (RW, "RW"),
        (OW, "OW"),
        (RM, "RM"),
        (ACCESS, "access"),
        (UPDATE, "update"),
        (INSERT, "insert"),
        (DELETE, "delete"),
        (NOT_KEY, "not_key"),
        (INCOMPLETE, "incomplete"),
        (VARIABLE_FLAGS, "variable_flags"),
    ];
}

// The table's vocabulary covers all of Redis 7; families not built yet
// will use the rest.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug)]
pub enum BeginSearch {
    /// The first key is at this argument index.
    Index(i32),
    /// The first key follows this keyword, searched from `startfrom`
    /// (negative: from the end).
    Keyword { keyword: &'static str, startfrom: i32 },
    /// Keys that cannot be found from the arguments alone (SORT's BY/GET
    /// patterns); the command's key procedure finds what can be found.
    Unknown,
}

// The table's vocabulary covers all of Redis 7; families not built yet
// will use the rest.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug)]
pub enum FindKeys {
    /// Keys up to `lastkey` (relative to the first; -1 = the last argument),
    /// every `step` arguments; `limit` > 1 takes 1/limit of the rest.
    Range { lastkey: i32, step: i32, limit: i32 },
    /// The number of keys is at `keynumidx`, keys start at `firstkey`
    /// (both relative to the begin-search result).
    Keynum { keynumidx: i32, firstkey: i32, step: i32 },
    /// Goes with `BeginSearch::Unknown`.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    /// COMMAND INFO's `notes` of the spec (empty: none).
    pub notes: &'static str,
    pub flags: u32,
    pub begin: BeginSearch,
    pub find: FindKeys,
}

impl KeySpec {
    /// One key at `index`.
    pub const fn one(index: i32, flags: u32) -> KeySpec {
        KeySpec {
            notes: "",
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::Range {
                lastkey: 0,
                step: 1,
                limit: 0,
            },
        }
    }
    /// Keys from `index` to the end (lastkey relative: -1), every `step`.
    pub const fn range(index: i32, lastkey: i32, step: i32, flags: u32) -> KeySpec {
        KeySpec {
            notes: "",
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::Range {
                lastkey,
                step,
                limit: 0,
            },
        }
    }
    /// The spec with COMMAND INFO `notes`.
    pub const fn notes(mut self, notes: &'static str) -> KeySpec {
        self.notes = notes;
        self
    }
}

// The table's vocabulary covers all of Redis 7; families not built yet
// will use the rest.
#[allow(dead_code)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Group {
    Generic,
    String,
    List,
    Set,
    SortedSet,
    Hash,
    Pubsub,
    Transactions,
    Connection,
    Server,
    Scripting,
    Hyperloglog,
    Cluster,
    Sentinel,
    Geo,
    Stream,
    Bitmap,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Hash => "hash",
            Group::Pubsub => "pubsub",
            Group::Transactions => "transactions",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Scripting => "scripting",
            Group::Hyperloglog => "hyperloglog",
            Group::Cluster => "cluster",
            Group::Sentinel => "sentinel",
            Group::Geo => "geo",
            Group::Stream => "stream",
            Group::Bitmap => "bitmap",
        }
    }
}

/// One command (or subcommand) of the table.
pub struct Command {
    /// Lower case; subcommands have their own name only (`get` of `config`).
    pub name: &'static str,
    /// Redis's convention: n exactly, -n at least n (the name included).
    pub arity: i32,
    pub handler: Option<Handler>,
    pub group: Group,
    pub flags: u64,
    /// Categories beyond those implied by the flags.
    pub acl: u64,
    pub keys: &'static [KeySpec],
    pub since: &'static str,
    pub complexity: &'static str,
    pub summary: &'static str,
    /// Argument syntax, as the docs write it (`key [NX | XX] ...`); parsed
    /// for COMMAND DOCS by `command::parse_args`.
    pub args: &'static str,
    pub tips: &'static [&'static str],
    /// `(version, description)` pairs for COMMAND DOCS's history.
    pub history: &'static [(&'static str, &'static str)],
    /// For deprecated commands: (since, replaced by).
    pub deprecated: Option<(&'static str, &'static str)>,
    /// The `syscmd` doc flag of COMMAND DOCS (a command for internal use).
    pub syscmd: bool,
    pub subcommands: &'static [Command],
}

impl Command {
    pub const fn new(name: &'static str, arity: i32, group: Group, handler: Handler) -> Command {
        Command {
            name,
            arity,
            handler: Some(handler),
            group,
            flags: 0,
            acl: 0,
            keys: &[],
            since: "1.0.0",
            complexity: "",
            summary: "",
            args: "",
            tips: &[],
            history: &[],
            deprecated: None,
            syscmd: false,
            subcommands: &[],
        }
    }
    /// A command that only dispatches to subcommands (`CONFIG`, `CLIENT`...).
    pub const fn container(name: &'static str, group: Group, subcommands: &'static [Command]) -> Command {
        Command {
            name,
            arity: -2,
            handler: None,
            group,
            flags: 0,
            acl: 0,
            keys: &[],
            since: "1.0.0",
            complexity: "Depends on subcommand.",
            summary: "",
            args: "",
            tips: &[],
            history: &[],
            deprecated: None,
            syscmd: false,
            subcommands,
        }
    }
    pub const fn flags(mut self, f: u64) -> Self {
        self.flags = f;
        self
    }
    pub const fn acl(mut self, a: u64) -> Self {
        self.acl = a;
        self
    }
    pub const fn keys(mut self, k: &'static [KeySpec]) -> Self {
        self.keys = k;
        self
    }
    pub const fn doc(mut self, since: &'static str, complexity: &'static str, summary: &'static str) -> Self {
        self.since = since;
        self.complexity = complexity;
        self.summary = summary;
        self
    }
    pub const fn args(mut self, a: &'static str) -> Self {
        self.args = a;
        self
    }
    pub const fn tips(mut self, t: &'static [&'static str]) -> Self {
        self.tips = t;
        self
    }
    pub const fn history(mut self, h: &'static [(&'static str, &'static str)]) -> Self {
        self.history = h;
        self
    }
    pub const fn deprecated(mut self, since: &'static str, replaced_by: &'static str) -> Self {
        self.deprecated = Some((since, replaced_by));
        self
    }

    pub const fn syscmd(mut self) -> Self {
        self.syscmd = true;
        self
    }

    pub fn has(&self, f: u64) -> bool {
        self.flags & f != 0
    }

    /// ACL categories including those Redis derives from the flags.
    pub fn acl_categories(&self) -> u64 {
        let mut a = self.acl;
        if self.has(flags::WRITE) {
            a |= acl::WRITE;
        }
        if self.has(flags::READONLY) && a & acl::SCRIPTING == 0 {
            a |= acl::READ;
        }
        if self.has(flags::ADMIN) {
            a |= acl::ADMIN | acl::DANGEROUS;
        }
        if self.has(flags::PUBSUB) {
            a |= acl::PUBSUB;
        }
        if self.has(flags::FAST) {
            a |= acl::FAST;
        }
        if self.has(flags::BLOCKING) {
            a |= acl::BLOCKING;
        }
        if a & acl::FAST == 0 {
            a |= acl::SLOW;
        }
        a
    }
}

/// Every family's commands. Adding a family is one line here.
pub static FAMILIES: &[&[Command]] = &[
    connection::COMMANDS,
    strings::COMMANDS,
    keyspace::COMMANDS,
    server::COMMANDS,
    client::COMMANDS,
    command::COMMANDS,
    introspection::COMMANDS,
    config::COMMANDS,
    pubsub::COMMANDS,
    transactions::COMMANDS,
    lists::COMMANDS,
    hashes::COMMANDS,
    sets::COMMANDS,
    zsets::COMMANDS,
    bitmaps::COMMANDS,
    hyperloglog::COMMANDS,
    persistence::COMMANDS,
    replication::COMMANDS,
    geo::COMMANDS,
    sort::COMMANDS,
    streams::COMMANDS,
    scripting::COMMANDS,
];

/// Command id: index into `Table::cmds` and into the per-command stats.
pub type CmdId = u16;

/// The flattened table built once at start-up.
pub struct Table {
    pub cmds: Vec<&'static Command>,
    /// Full names as stats report them: `get`, `config|get`.
    pub full_names: Vec<String>,
    /// The parent of a subcommand.
    pub parent: Vec<Option<CmdId>>,
    top: HashMap<&'static [u8], CmdId, ahash::RandomState>,
    subs: HashMap<(CmdId, &'static [u8]), CmdId, ahash::RandomState>,
}

impl Table {
    pub fn build() -> Table {
        let mut t = Table {
            cmds: Vec::new(),
            full_names: Vec::new(),
            parent: Vec::new(),
            top: HashMap::default(),
            subs: HashMap::default(),
        };
        for fam in FAMILIES {
            for c in fam.iter() {
                let id = t.push(c, None);
                t.top.insert(c.name.as_bytes(), id);
                for s in c.subcommands {
                    let sid = t.push(s, Some(id));
                    t.subs.insert((id, s.name.as_bytes()), sid);
                }
            }
        }
        t
    }

    fn push(&mut self, c: &'static Command, parent: Option<CmdId>) -> CmdId {
        let id = self.cmds.len() as CmdId;
        self.cmds.push(c);
        self.full_names.push(match parent {
            Some(p) => format!("{}|{}", self.cmds[p as usize].name, c.name),
            None => c.name.to_string(),
        });
        self.parent.push(parent);
        id
    }

    /// Case-insensitive lookup of a top-level command, without allocating.
    pub fn lookup(&self, name: &[u8]) -> Option<CmdId> {
        let mut buf = [0u8; 32];
        let lower = lowercase(name, &mut buf)?;
        self.top.get(lower).copied()
    }

    pub fn lookup_sub(&self, parent: CmdId, name: &[u8]) -> Option<CmdId> {
        let mut buf = [0u8; 32];
        let lower = lowercase(name, &mut buf)?;
        self.subs.get(&(parent, lower)).copied()
    }

    /// Resolves argv to a command id, descending into subcommands.
    pub fn resolve(&self, argv: &Argv) -> Option<CmdId> {
        let id = self.lookup(argv.get(0))?;
        if !self.cmds[id as usize].subcommands.is_empty() && argv.len() >= 2 {
            if let Some(sid) = self.lookup_sub(id, argv.get(1)) {
                return Some(sid);
            }
        }
        Some(id)
    }

    /// Top-level commands in table order.
    pub fn top_level(&self) -> impl Iterator<Item = CmdId> + '_ {
        (0..self.cmds.len() as CmdId).filter(|&i| self.parent[i as usize].is_none())
    }
}

fn lowercase<'a>(name: &[u8], buf: &'a mut [u8; 32]) -> Option<&'a [u8]> {
    if name.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Some(&buf[..name.len()])
}

/// The bytes up to the first NUL, as Redis's `%s` formatting of an argument
/// prints them.
pub fn cstr(b: &[u8]) -> &[u8] {
    match memchr::memchr(0, b) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// Text of an argument in an error message: C-string semantics, at most
/// 128 bytes (Redis's `%.128s`).
pub fn arg_text(b: &[u8]) -> String {
    let b = cstr(b);
    String::from_utf8_lossy(&b[..b.len().min(128)]).into_owned()
}

/// Everything a handler can reach: the server, its own client, its args.
pub struct Ctx<'a> {
    pub srv: &'a mut Server,
    pub c: &'a mut ClientState,
    pub argv: Argv<'a>,
    pub cmd: &'static Command,
    pub id: CmdId,
    /// Set when the handler replied with an error (counted as a failed call).
    pub failed: bool,
    /// How the command is propagated if it changes the dataset.
    pub prop: crate::propagate::PropagateAs,
    /// Propagate to these targets even if the dataset did not change
    /// (0: only if it did).
    pub force_prop: u8,
}

// The table's vocabulary covers all of Redis 7; families not built yet
// will use the rest.
#[allow(dead_code)]
/// Errors shared by many commands, worded as Redis's shared objects.
pub mod err {
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    pub const SYNTAX: &str = "ERR syntax error";
    pub const NOT_INT: &str = "ERR value is not an integer or out of range";
    pub const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub const NO_SUCH_KEY: &str = "ERR no such key";
    pub const OUT_OF_RANGE: &str = "ERR index out of range";
    pub const DB_INDEX: &str = "ERR DB index is out of range";
    pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
}

/// Keyspace event classes, for `Ctx::written` and `Ctx::notify`.
pub use crate::config::notify as ev;

impl Ctx<'_> {
    /// A write changed `key` in the selected db: what Redis does after every
    /// change (signalModifiedKey, notifyKeyspaceEvent, dirty++).
    pub fn written(&mut self, key: &[u8], class: u32, event: &str) {
        self.srv.dirty += 1;
        self.srv.signal_modified_key(self.c.db, key);
        self.notify(class, event, key);
    }

    /// Publishes a keyspace event for `key` in the selected db.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        self.srv.notify_keyspace_event(class, event, key, self.c.db);
    }

    /// Replies with an error line and records it for errorstats and the
    /// command's failed calls. `msg` starts with its code (`ERR ...`).
    pub fn error(&mut self, msg: &str) {
        self.error_bytes(msg.as_bytes());
    }

    pub fn error_bytes(&mut self, msg: &[u8]) {
        self.c.reply.error_line(msg);
        self.srv.stats.record_error(msg);
        self.failed = true;
    }

    pub fn wrong_type(&mut self) {
        self.error(err::WRONGTYPE)
    }

    pub fn syntax_error(&mut self) {
        self.error(err::SYNTAX)
    }

    /// "ERR wrong number of arguments for '<cmd>' command".
    pub fn arity_error(&mut self) {
        let msg = format!(
            "ERR wrong number of arguments for '{}' command",
            self.srv.table.full_names[self.id as usize]
        );
        self.error(&msg);
    }

    /// Parses argument `i` as an integer or replies with Redis's error.
    pub fn int_arg(&mut self, i: usize) -> Option<i64> {
        let v = crate::util::string2ll(self.argv.get(i));
        if v.is_none() {
            self.error(err::NOT_INT);
        }
        v
    }

    /// Parses argument `i` as a 32-bit integer, with Redis's two errors
    /// (getIntFromObjectOrReply).
    pub fn i32_arg(&mut self, i: usize) -> Option<i32> {
        let v = self.int_arg(i)?;
        let r = i32::try_from(v).ok();
        if r.is_none() {
            self.error("ERR value is out of range, value must between -2147483648 and 2147483647");
        }
        r
    }

    /// "ERR unknown subcommand 'x'. Try CMD HELP."
    pub fn unknown_subcommand(&mut self) {
        let sub = arg_text(self.argv.get(1));
        let msg = format!(
            "ERR unknown subcommand '{}'. Try {} HELP.",
            sub,
            self.srv.table.cmds[self.id as usize].name.to_uppercase()
        );
        self.error(&msg);
    }

    /// "ERR unknown subcommand or wrong number of arguments for 'x'. Try CMD
    /// HELP." (Redis's addReplySubcommandSyntaxError), for a subcommand
    /// whose handler finds its arguments malformed.
    pub fn subcommand_syntax_error(&mut self) {
        let sub = arg_text(self.argv.get(1));
        let parent = match self.srv.table.parent[self.id as usize] {
            Some(p) => self.srv.table.cmds[p as usize].name,
            None => self.cmd.name,
        };
        let msg = format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
            sub,
            parent.to_uppercase()
        );
        self.error(&msg);
    }

    /// Replies with a HELP text (array of status lines, as Redis's
    /// `addReplyHelp`), framing it with the command name.
    pub fn help(&mut self, lines: &[&str]) {
        let name = self.argv.get(0).to_ascii_uppercase();
        let r = &mut self.c.reply;
        r.array_len(lines.len() + 3);
        let mut head = name.clone();
        head.extend_from_slice(b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        r.status(&head);
        for l in lines {
            r.status(l.as_bytes());
        }
        r.status(b"HELP");
        r.status(b"    Prints this help.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_invariants() {
        let t = Table::build();
        let mut seen = std::collections::HashSet::new();
        for (i, c) in t.cmds.iter().enumerate() {
            assert!(seen.insert(t.full_names[i].clone()), "duplicate {}", t.full_names[i]);
            assert_eq!(c.name, c.name.to_ascii_lowercase(), "{} not lower case", c.name);
            assert!(c.arity != 0, "{} has arity 0", c.name);
            assert!(
                c.handler.is_some() || !c.subcommands.is_empty(),
                "{} has no handler",
                c.name
            );
            assert!(!c.summary.is_empty(), "{} has no summary", t.full_names[i]);
            assert!(c.name.len() <= 32);
            if c.has(flags::WRITE) {
                assert!(!c.has(flags::READONLY), "{} both write and readonly", c.name);
            }
            if t.parent[i].is_some() {
                assert!(c.arity.unsigned_abs() >= 2, "{} subcommand arity", t.full_names[i]);
            }
        }
        assert!(t.lookup(b"GeT").is_some());
    }
}
