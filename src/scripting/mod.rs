//! Lua scripting as Redis 7.0 runs it: the EVAL state and its script
//! cache, the functions state (`functions.rs`), the `redis` API, the
//! sandbox, and the run machinery shared by EVAL and FCALL.
//!
//! # Re-entrancy
//!
//! A script runs inside its caller's command: `Server::call` took the
//! caller out of its slab slot, and the EVAL handler holds `&mut Server`.
//! Lua calls back into Rust (`redis.call`, the count hook) without any way
//! to pass that borrow along, so for the duration of a run the handler
//! stores a raw pointer to the server in a thread-local (`ServerGuard`)
//! and does not touch its own `&mut Server` until the Lua call returns.
//! Each callback turns the pointer back into `&mut Server` for its own
//! duration only (`with_srv`); callbacks never nest, because Lua code only
//! runs inside the EVAL/FCALL handler and commands that would start Lua
//! again (EVAL, FCALL, FUNCTION LOAD, ...) are refused while a script runs
//! (`noscript` inside scripts, `BUSY` for other clients).
//!
//! `redis.call` runs commands through `Server::call` as a client command
//! does, with the script client (`RunState::client`, Redis's Lua client)
//! as the running client, so keyspace events, WATCH, blocked clients,
//! tracking, stats and the slow log see the command exactly as Redis's do.
//!
//! Once a script has run longer than `busy-reply-threshold`, the count hook
//! polls the reactor (`Server::process_events_while_blocked`, Redis's
//! processEventsWhileBlocked): other clients are accepted, read and
//! answered, and `Server::dispatch` refuses every command without the
//! `allow_busy` flag with `-BUSY`. SCRIPT KILL / FUNCTION KILL set a flag
//! the next hook call turns into an error inside the script.

pub mod convert;
pub mod functions;
pub mod libs;

use crate::client::ClientState;
use crate::cmd::{flags, Ctx};
use crate::server::Server;
use mlua::{Function, HookTriggers, Lua, LuaOptions, MultiValue, StdLib, Table, Value, VmState};
use std::cell::Cell;
use std::collections::HashMap;
use std::time::Instant;

/// The slab key the script client answers to (never a real slot).
pub const SCRIPT_CLIENT_KEY: usize = usize::MAX - 100;
/// What one Lua state may allocate: past it allocations fail and the
/// script gets Lua's "not enough memory" error instead of the process
/// being killed (Redis has no such limit; a script this big would take the
/// server down there).
const LUA_MEMORY_LIMIT: usize = 1 << 30;
/// Lua instructions between two calls of the busy hook (as Redis).
const HOOK_INSTRUCTIONS: u32 = 100_000;

pub const BUSY_EVAL: &str = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
pub const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
pub const UNKILLABLE: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
const KILLED: &[u8] = b"ERR Script killed by user with SCRIPT KILL...";
const OOM: &[u8] = b"-OOM command not allowed when used memory > 'maxmemory'.";

/// Script flags (shebang `flags=` and `redis.register_function`).
pub mod sflags {
    pub const NO_WRITES: u64 = 1 << 0;
    pub const ALLOW_OOM: u64 = 1 << 1;
    pub const ALLOW_STALE: u64 = 1 << 2;
    pub const NO_CLUSTER: u64 = 1 << 3;
    /// A script without a shebang (EVAL's compatibility mode).
    pub const EVAL_COMPAT: u64 = 1 << 4;
    pub const ALLOW_CROSS_SLOT: u64 = 1 << 5;

    pub const NAMES: &[(u64, &str)] = &[
        (NO_WRITES, "no-writes"),
        (ALLOW_OOM, "allow-oom"),
        (ALLOW_STALE, "allow-stale"),
        (NO_CLUSTER, "no-cluster"),
        (ALLOW_CROSS_SLOT, "allow-cross-slot-keys"),
    ];

    pub fn by_name(name: &[u8]) -> Option<u64> {
        NAMES.iter().find(|(_, n)| n.as_bytes() == name).map(|(f, _)| *f)
    }
}

thread_local! {
    static SERVER: Cell<*mut Server> = const { Cell::new(std::ptr::null_mut()) };
    /// Set while FUNCTION LOAD runs library code: when it must give up.
    static LOAD_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Publishes the server to Lua callbacks for the lifetime of the guard.
struct ServerGuard {
    prev: *mut Server,
}

impl ServerGuard {
    fn new(srv: &mut Server) -> ServerGuard {
        let prev = SERVER.with(|c| c.replace(srv as *mut Server));
        ServerGuard { prev }
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        SERVER.with(|c| c.set(self.prev));
    }
}

/// Runs `f` with the server of the script being run, if any.
fn with_srv<R>(f: impl FnOnce(&mut Server) -> R) -> Option<R> {
    let p = SERVER.with(|c| c.get());
    if p.is_null() {
        return None;
    }
    // SAFETY: the pointer was made from the `&mut Server` of the command
    // handler running this script (`ServerGuard::new`), which stays alive
    // and unused until the Lua call returns and the guard is dropped. Lua
    // callbacks run one at a time on this thread and none of them calls
    // back into Lua while it holds the reference (see the module docs), so
    // this is the only live reference derived from it.
    Some(f(unsafe { &mut *p }))
}

/// A cached EVAL script.
pub struct Script {
    /// The source, kept as Redis keeps it (for a future SCRIPT DEBUG or
    /// replication of EVALSHA as EVAL).
    #[allow(dead_code)]
    pub body: Vec<u8>,
    pub func: Function,
    pub flags: u64,
}

/// The script being run (Redis's scriptRunCtx).
pub struct RunState {
    /// The sha for EVAL, the function name for FCALL.
    pub name: String,
    pub eval: bool,
    pub start: Instant,
    pub flags: u64,
    pub read_only: bool,
    pub oom_at_start: bool,
    pub wrote: bool,
    pub timed_out: bool,
    pub killed: bool,
    /// `redis.setresp`.
    pub resp: u8,
    /// `redis.set_repl`: where the script's commands propagate to (a mask
    /// of `propagate::AOF` / `REPL`, the values of `redis.REPL_*`).
    pub repl: u8,
    /// Redis's Lua client, out of `Scripting::client` while it runs.
    pub client: Option<Box<ClientState>>,
    /// The caller's command line, for FUNCTION STATS.
    pub command: Vec<Vec<u8>>,
}

/// One Lua state with its sandbox.
pub struct Vm {
    pub lua: Lua,
    /// The table `bootstrap.lua` returned.
    pub api: Table,
}

pub struct Scripting {
    pub eval: Vm,
    pub scripts: HashMap<String, Script>,
    /// Bytes of script bodies and names (used_memory_scripts_eval).
    pub scripts_mem: usize,
    pub functions: functions::Functions,
    pub run: Option<RunState>,
    client: Option<Box<ClientState>>,
}

impl Default for Scripting {
    fn default() -> Self {
        Scripting::new()
    }
}

impl Scripting {
    pub fn new() -> Scripting {
        Scripting {
            eval: new_vm("eval").expect("creating the Lua state"),
            scripts: HashMap::new(),
            scripts_mem: 0,
            functions: functions::Functions::new(),
            run: None,
            client: None,
        }
    }

    /// A script has run past the busy threshold: other clients get BUSY.
    pub fn busy(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.timed_out)
    }

    pub fn running(&self) -> bool {
        self.run.is_some()
    }

    /// SCRIPT FLUSH: forgets every script and starts a new Lua state.
    pub fn flush(&mut self) {
        self.scripts.clear();
        self.scripts_mem = 0;
        if let Ok(vm) = new_vm("eval") {
            self.eval = vm;
        }
    }

    /// Compiles and caches `body` under its sha; returns the sha.
    pub fn load_script(&mut self, body: &[u8]) -> Result<String, String> {
        let sha = sha1_hex(body);
        if self.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let (flags, shebang_len) = parse_shebang(body)?;
        let func = compile(&self.eval, &body[shebang_len..], "@user_script")
            .map_err(|e| format!("ERR Error compiling script (new function): {e}"))?;
        self.scripts_mem += body.len() + sha.len() + 64;
        self.scripts.insert(
            sha.clone(),
            Script {
                body: body.to_vec(),
                func,
                flags,
            },
        );
        Ok(sha)
    }
}

/// SHA1 of `data` in lower-case hex.
pub fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

/// Compiles `code` under `chunkname` in the sandbox of `vm`. The error is
/// Lua's message (`user_script:1: ...`).
fn compile(vm: &Vm, code: &[u8], chunkname: &str) -> Result<Function, String> {
    let f = vm
        .lua
        .load(code)
        .set_name(chunkname)
        .into_function()
        .map_err(|e| lua_error_message(&e))?;
    let sandbox: Function = vm.api.get("sandbox").map_err(|e| e.to_string())?;
    sandbox.call::<Function>(f).map_err(|e| lua_error_message(&e))
}

/// The message of a Lua error as Lua itself prints it.
pub fn lua_error_message(e: &mlua::Error) -> String {
    match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::MemoryError(m) => m.clone(),
        mlua::Error::CallbackError { cause, .. } => lua_error_message(cause),
        other => other.to_string(),
    }
}

/// Redis's evalExtractShebangFlags: the flags and the length of the
/// shebang line (the newline stays, to keep line numbers).
pub fn parse_shebang(body: &[u8]) -> Result<(u64, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((sflags::EVAL_COMPAT, 0));
    }
    let Some(end) = memchr::memchr(b'\n', body) else {
        return Err("ERR Invalid script shebang".into());
    };
    let parts = match crate::resp::split_args(&body[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("ERR Invalid engine in script shebang".into()),
    };
    if parts[0] != b"#!lua" {
        return Err(format!(
            "ERR Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(&parts[0])
        ));
    }
    let mut f = 0;
    for p in &parts[1..] {
        let Some(list) = p.strip_prefix(b"flags=") else {
            return Err(format!(
                "ERR Unknown lua shebang option: {}",
                String::from_utf8_lossy(p)
            ));
        };
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&c| c == b',') {
            match sflags::by_name(name) {
                Some(x) => f |= x,
                None => {
                    return Err(format!(
                        "ERR Unexpected flag in script shebang: {}",
                        String::from_utf8_lossy(name)
                    ))
                }
            }
        }
    }
    Ok((f, end))
}

// ---------------------------------------------------------------------------
// Lua states
// ---------------------------------------------------------------------------

/// `file:line: ` of the innermost frame of user code, as luaL_where.
fn script_where(lua: &Lua) -> String {
    match user_frame(lua, 1) {
        Some((src, line)) => {
            let short = src.strip_prefix('@').unwrap_or(&src).to_string();
            format!("{short}:{line}: ")
        }
        None => String::new(),
    }
}

/// The source and current line of the first frame from `level` up that
/// is neither C nor fastkey's own glue code.
fn user_frame(lua: &Lua, level: usize) -> Option<(String, usize)> {
    for l in level..level + 12 {
        let found = lua.inspect_stack(l, |d| {
            let s = d.source();
            let what = s.what.to_string();
            let src = s.source.map(|c| c.to_string()).unwrap_or_default();
            (what, src, d.current_line())
        })?;
        let (what, src, line) = found;
        if what == "C" || what == "tail" || src.starts_with("=fastkey") || src == "=(tail call)" {
            continue;
        }
        return Some((src, line.unwrap_or(0)));
    }
    None
}

/// `(false, message)` for a Lua wrapper to raise.
fn fail(lua: &Lua, msg: &str) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_vec(vec![
        Value::Boolean(false),
        Value::String(lua.create_string(msg)?),
    ]))
}

/// `(false, {err = "ERR message"})`: Redis 7.0's luaPushError + luaError.
fn fail_table(lua: &Lua, msg: &str) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_vec(vec![
        Value::Boolean(false),
        Value::Table(convert::error_table(lua, format!("ERR {msg}").as_bytes())?),
    ]))
}

/// `(false, message)` with the caller's position in front, as luaL_error.
fn fail_here(lua: &Lua, msg: &str) -> mlua::Result<MultiValue> {
    let m = format!("{}{}", script_where(lua), msg);
    fail(lua, &m)
}

fn ok1(v: Value) -> mlua::Result<MultiValue> {
    Ok(MultiValue::from_vec(vec![Value::Boolean(true), v]))
}

fn ok_values(mut vs: Vec<Value>) -> mlua::Result<MultiValue> {
    vs.insert(0, Value::Boolean(true));
    Ok(MultiValue::from_vec(vs))
}

/// Lua's own string conversion of a string or number argument.
fn arg_bytes(lua: &Lua, v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Number(_) | Value::Integer(_) => lua
            .coerce_string(v.clone())
            .ok()
            .flatten()
            .map(|s| s.as_bytes().to_vec()),
        _ => None,
    }
}

fn version_num() -> f64 {
    let mut n = 0u32;
    for p in crate::server::VERSION.split('.') {
        n = (n << 8) | p.parse::<u32>().unwrap_or(0);
    }
    n as f64
}

/// Calls the Lua function in its upvalue with all its arguments and
/// returns all its results: a C frame around Lua glue code, so that a
/// script's `return redis.call(...)` stays a normal call (Lua 5.1 turns a
/// tail call of a Lua function into a "(tail call)" frame, losing the
/// script's line that Redis reports for errors of its C functions).
unsafe extern "C-unwind" fn c_trampoline(state: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    use mlua::ffi;
    // SAFETY: Lua calls this with a valid state; the closure was created
    // with one upvalue (`c_wrap`). lua_call may raise a Lua error, which
    // unwinds through this frame: it owns nothing that needs dropping.
    unsafe {
        let n = ffi::lua_gettop(state);
        ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
        ffi::lua_insert(state, 1);
        ffi::lua_call(state, n, ffi::LUA_MULTRET);
        ffi::lua_gettop(state)
    }
}

/// Wraps a Lua function in `c_trampoline`.
fn c_wrap(lua: &Lua, f: Function) -> mlua::Result<Function> {
    // SAFETY: `f` is pushed by exec_raw; the closure takes it as its one
    // upvalue and is left as the single result.
    unsafe {
        lua.exec_raw::<Function>(f, |state| {
            mlua::ffi::lua_pushcclosure(state, c_trampoline, 1);
        })
    }
}

/// Replaces every function of `t` by its C-wrapped form.
fn c_wrap_table(lua: &Lua, t: &Table) -> mlua::Result<()> {
    let fs: Vec<(Value, Function)> = t
        .pairs::<Value, Value>()
        .filter_map(|p| match p {
            // C functions are already frames of their own.
            Ok((k, Value::Function(f))) if f.info().what != "C" => Some((k, f)),
            _ => None,
        })
        .collect();
    for (k, f) in fs {
        t.raw_set(k, c_wrap(lua, f)?)?;
    }
    Ok(())
}

/// Creates a Lua state with the libraries Redis loads and the sandbox.
pub fn new_vm(kind: &str) -> mlua::Result<Vm> {
    let lua = Lua::new_with(StdLib::TABLE | StdLib::STRING | StdLib::MATH, LuaOptions::new())?;
    let _ = lua.set_memory_limit(LUA_MEMORY_LIMIT);
    let fk = lua.create_table()?;
    fk.set(
        "call",
        lua.create_function(|lua, args: MultiValue| {
            let mut it = args.into_iter();
            let raise = matches!(it.next(), Some(Value::Boolean(true)));
            let rest: Vec<Value> = it.collect();
            match with_srv(|srv| srv.script_command(lua, &rest)) {
                Some(Ok(Ok(v))) => ok1(v),
                Some(Ok(Err(t))) => {
                    if raise {
                        Ok(MultiValue::from_vec(vec![Value::Boolean(false), Value::Table(t)]))
                    } else {
                        ok1(Value::Table(t))
                    }
                }
                Some(Err(e)) => Err(e),
                None => fail_here(lua, "redis.call is not available here"),
            }
        })?,
    )?;
    fk.set(
        "error_reply",
        lua.create_function(|lua, args: MultiValue| {
            let v: Vec<Value> = args.into_iter().collect();
            let text = match (v.len(), v.first()) {
                (1, Some(Value::String(s))) => {
                    let b = s.as_bytes();
                    if b.first() == Some(&b'-') {
                        b.to_vec()
                    } else {
                        let mut x = b"-".to_vec();
                        x.extend_from_slice(&b);
                        x
                    }
                }
                _ => b"wrong number or type of arguments".to_vec(),
            };
            ok1(Value::Table(convert::error_table(lua, &convert::error_text(&text))?))
        })?,
    )?;
    fk.set(
        "status_reply",
        lua.create_function(|lua, args: MultiValue| {
            let v: Vec<Value> = args.into_iter().collect();
            match (v.len(), v.first()) {
                (1, Some(Value::String(s))) => {
                    let t = lua.create_table()?;
                    t.raw_set("ok", s.clone())?;
                    ok1(Value::Table(t))
                }
                _ => ok1(Value::Table(convert::error_table(
                    lua,
                    b"ERR wrong number or type of arguments",
                )?)),
            }
        })?,
    )?;
    fk.set(
        "sha1hex",
        lua.create_function(|lua, args: MultiValue| {
            let v: Vec<Value> = args.into_iter().collect();
            if v.len() != 1 {
                return fail_table(lua, "wrong number of arguments");
            }
            let data = arg_bytes(lua, &v[0]).unwrap_or_default();
            ok1(Value::String(lua.create_string(sha1_hex(&data))?))
        })?,
    )?;
    fk.set(
        "log",
        lua.create_function(|lua, args: MultiValue| {
            let v: Vec<Value> = args.into_iter().collect();
            if v.len() < 2 {
                return fail_table(lua, "redis.log() requires two arguments or more.");
            }
            let level = match &v[0] {
                Value::Number(n) => *n as i64,
                Value::Integer(n) => *n,
                _ => return fail_table(lua, "First argument must be a number (log level)."),
            };
            if !(0..=3).contains(&level) {
                return fail_table(lua, "Invalid debug level.");
            }
            let mut msg = Vec::new();
            for (i, a) in v[1..].iter().enumerate() {
                if i > 0 {
                    msg.push(b' ');
                }
                if let Some(b) = arg_bytes(lua, a) {
                    msg.extend_from_slice(&b);
                }
            }
            let text = String::from_utf8_lossy(&msg);
            match level {
                0 => log::debug!("{text}"),
                1 => log::debug!("{text}"),
                2 => log::info!("{text}"),
                _ => log::warn!("{text}"),
            }
            ok_values(vec![])
        })?,
    )?;
    fk.set(
        "setresp",
        lua.create_function(|lua, args: MultiValue| {
            let v: Vec<Value> = args.into_iter().collect();
            if v.len() != 1 {
                return fail_table(lua, "redis.setresp() requires one argument.");
            }
            let n = match &v[0] {
                Value::Number(n) => *n as i64,
                Value::Integer(n) => *n,
                Value::String(s) => crate::util::string2ll(&s.as_bytes()).unwrap_or(0),
                _ => 0,
            };
            if n != 2 && n != 3 {
                return fail_table(lua, "RESP version must be 2 or 3.");
            }
            with_srv(|srv| {
                if let Some(r) = &mut srv.scripting.run {
                    r.resp = n as u8;
                }
            });
            ok_values(vec![])
        })?,
    )?;
    fk.set(
        "set_repl",
        lua.create_function(|lua, args: MultiValue| {
            let v: Vec<Value> = args.into_iter().collect();
            if v.len() != 1 {
                return fail_table(lua, "redis.set_repl() requires one argument.");
            }
            let n = match &v[0] {
                Value::Number(n) => *n as i64,
                Value::Integer(n) => *n,
                _ => -1,
            };
            if !(0..=3).contains(&n) {
                return fail_table(
                    lua,
                    "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
                );
            }
            with_srv(|srv| {
                if let Some(r) = &mut srv.scripting.run {
                    r.repl = n as u8;
                }
            });
            ok_values(vec![])
        })?,
    )?;
    fk.set(
        "err_handler",
        lua.create_function(|lua, err: Value| err_handler(lua, err))?,
    )?;
    fk.set(
        "register_function",
        lua.create_function(functions::register_function_callback)?,
    )?;
    fk.set("version", crate::server::VERSION)?;
    fk.set("version_num", version_num())?;
    libs::install(&lua, &fk)?;
    let api: Table = lua
        .load(include_str!("bootstrap.lua"))
        .set_name("=fastkey")
        .call((fk, kind))?;
    for name in ["redis", "lredis", "cjson", "cmsgpack", "bit", "struct", "env", "tlib"] {
        c_wrap_table(&lua, &api.get::<Table>(name)?)?;
    }
    lua.set_hook(HookTriggers::new().every_nth_instruction(HOOK_INSTRUCTIONS), hook)?;
    Ok(Vm { lua, api })
}

/// Redis's `__redis__err__handler`: turns any error into a table with
/// `err`, plus the `source` and `line` of the user code that raised it.
fn err_handler(lua: &Lua, err: Value) -> mlua::Result<Value> {
    let killed = with_srv(|srv| srv.scripting.run.as_ref().is_some_and(|r| r.killed)).unwrap_or(false);
    let t = match err {
        Value::Table(t) => t,
        Value::String(s) => {
            let mut text = b"ERR ".to_vec();
            text.extend_from_slice(&s.as_bytes());
            convert::error_table(lua, &text)?
        }
        Value::Error(_) | Value::UserData(_) if killed => convert::error_table(lua, KILLED)?,
        Value::Error(e) => {
            let text = format!("ERR {}", lua_error_message(&e));
            convert::error_table(lua, text.as_bytes())?
        }
        other => {
            let s = match &other {
                Value::Nil => "nil".to_string(),
                Value::Boolean(b) => b.to_string(),
                Value::Number(_) | Value::Integer(_) => arg_bytes(lua, &other)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default(),
                other => other.to_string().unwrap_or_default(),
            };
            convert::error_table(lua, format!("ERR {s}").as_bytes())?
        }
    };
    if let Some((source, line)) = user_frame(lua, 1) {
        t.raw_set("source", source)?;
        t.raw_set("line", line)?;
    }
    Ok(Value::Table(t))
}

/// The count hook: FUNCTION LOAD's time limit, and for scripts the busy
/// threshold, serving other clients and SCRIPT KILL.
fn hook(lua: &Lua, _: &mlua::Debug) -> mlua::Result<VmState> {
    if let Some(deadline) = LOAD_DEADLINE.with(|c| c.get()) {
        if Instant::now() > deadline {
            return Err(mlua::Error::RuntimeError("FUNCTION LOAD timeout".into()));
        }
        return Ok(VmState::Continue);
    }
    let kill = with_srv(|srv| srv.script_interrupt()).unwrap_or(false);
    if kill {
        // From now on the hook runs on every line, so that a pcall cannot
        // swallow the error for long.
        let _ = lua.set_hook(HookTriggers::EVERY_LINE, hook);
        return Err(mlua::Error::RuntimeError(String::from_utf8_lossy(KILLED).into_owned()));
    }
    Ok(VmState::Continue)
}

// ---------------------------------------------------------------------------
// Running scripts
// ---------------------------------------------------------------------------

/// What to run: EVAL's script or an FCALL function.
pub struct RunSpec<'a> {
    pub func: Function,
    pub name: String,
    pub flags: u64,
    pub eval: bool,
    /// EVAL_RO / EVALSHA_RO / FCALL_RO.
    pub ro_command: bool,
    pub keys: Vec<&'a [u8]>,
    pub args: Vec<&'a [u8]>,
}

impl Server {
    /// Whether the calling command found memory over `maxmemory` with
    /// nothing to evict (Redis's pre_command_oom_state; script OOM rules).
    fn over_maxmemory(&self) -> bool {
        self.cfg.maxmemory > 0 && self.evict.oom
    }

    /// Runs a script for the client of `ctx` and replies with its result
    /// (Redis's scriptPrepareForRun + luaCallFunction + scriptResetRun).
    pub fn run_script(ctx: &mut Ctx, spec: RunSpec) {
        // EVAL and FCALL skip the usual after-the-command MONITOR feed:
        // monitors see them before the commands they run, as in Redis.
        if !ctx.srv.monitors.is_empty() && !ctx.srv.reprocessing {
            let argv = ctx.argv;
            ctx.srv.feed_monitors(ctx.c, &argv, &[]);
        }
        let srv = &mut *ctx.srv;
        let oom = srv.over_maxmemory();
        if spec.flags & sflags::EVAL_COMPAT == 0 {
            // Redis's scriptPrepareForRun: the write checks, then OOM
            // (no-writes implies allow-oom).
            if spec.flags & sflags::NO_WRITES == 0 && spec.ro_command {
                return ctx.error("ERR Can not execute a script with write flag using *_ro command.");
            }
            if spec.flags & sflags::NO_WRITES == 0 && !srv.good_replicas_ok() {
                return ctx.error(crate::replication::NOREPLICAS);
            }
            if spec.flags & (sflags::ALLOW_OOM | sflags::NO_WRITES) == 0 && oom {
                return ctx.error(
                    "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
                );
            }
        }
        // As Redis's call(): the script failed if any error reply was
        // counted while it ran (its own or one of its commands').
        let errors_before = srv.stats.total_error_replies;
        let read_only =
            spec.flags & sflags::NO_WRITES != 0 || (spec.flags & sflags::EVAL_COMPAT != 0 && spec.ro_command);
        let mut client = srv.scripting.client.take().unwrap_or_else(|| {
            let mut st = ClientState::new(0, SCRIPT_CLIENT_KEY, srv.now_ms);
            st.addr = "lua".into();
            st.authenticated = true;
            Box::new(st)
        });
        client.id = ctx.c.id;
        client.db = ctx.c.db;
        client.reply.resp = 2;
        client.reply.buf.clear();
        srv.scripting.run = Some(RunState {
            name: spec.name.clone(),
            eval: spec.eval,
            start: Instant::now(),
            flags: spec.flags,
            read_only,
            oom_at_start: oom,
            wrote: false,
            timed_out: false,
            killed: false,
            resp: 2,
            repl: crate::propagate::ALL,
            client: Some(client),
            command: ctx.argv.iter().map(<[u8]>::to_vec).collect(),
        });
        let vm = if spec.eval {
            &srv.scripting.eval
        } else {
            &srv.scripting.functions.vm
        };
        let lua = vm.lua.clone();
        let api = vm.api.clone();
        let result = Self::call_lua(srv, &lua, &api, &spec);
        let run = srv.scripting.run.take();
        if let Some(mut run) = run {
            if let Some(c) = run.client.take() {
                srv.scripting.client = Some(c);
            }
            if run.timed_out {
                log::warn!(
                    "Slow script detected: script {} finished after {} milliseconds.",
                    run.name,
                    run.start.elapsed().as_millis()
                );
            }
            let resp = run.resp;
            match result {
                Ok(v) => {
                    let out = convert::lua_to_resp(&mut ctx.c.reply, &v, resp);
                    if let convert::Outcome::Error { counted: true, text } = out {
                        ctx.srv.stats.record_error(&text);
                        ctx.failed = true;
                    }
                }
                Err((text, counted)) => {
                    ctx.c.reply.error_line(&text);
                    if counted {
                        ctx.srv.stats.record_error(&text);
                        ctx.failed = true;
                    }
                }
            }
        }
        if ctx.srv.stats.total_error_replies > errors_before {
            ctx.failed = true;
        }
        let _ = lua.gc_step();
    }

    /// Calls the script's function in protected mode; the first value it
    /// returned, or the error reply text and whether it counts in stats.
    fn call_lua(srv: &mut Server, lua: &Lua, api: &Table, spec: &RunSpec) -> Result<Value, (Vec<u8>, bool)> {
        let internal = |e: mlua::Error| (format!("ERR {}", lua_error_message(&e)).into_bytes(), true);
        let mk = |items: &[&[u8]]| -> mlua::Result<Table> {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, a) in items.iter().enumerate() {
                t.raw_set(i + 1, lua.create_string(a)?)?;
            }
            Ok(t)
        };
        let keys = mk(&spec.keys).map_err(internal)?;
        let args = mk(&spec.args).map_err(internal)?;
        let run: Function = api.get("run").map_err(internal)?;
        let handler: Function = api
            .get::<Table>("env")
            .and_then(|e| e.raw_get("__redis__err__handler"))
            .map_err(internal)?;
        lua.set_hook(HookTriggers::new().every_nth_instruction(HOOK_INSTRUCTIONS), hook)
            .map_err(internal)?;
        let ret = {
            let _guard = ServerGuard::new(srv);
            if spec.eval {
                let set_keys: Function = api.get("set_keys").map_err(internal)?;
                set_keys.call::<()>((keys, args)).map_err(internal)?;
                run.call::<MultiValue>((spec.func.clone(), handler))
            } else {
                run.call::<MultiValue>((spec.func.clone(), handler, keys, args))
            }
        };
        let mut vals = ret.map_err(internal)?.into_iter();
        let ok = matches!(vals.next(), Some(Value::Boolean(true)));
        let first = vals.next().unwrap_or(Value::Nil);
        if ok {
            return Ok(first);
        }
        let killed = srv.scripting.run.as_ref().is_some_and(|r| r.killed);
        match first {
            Value::Table(t) => {
                let msg = match t.raw_get::<Value>("err") {
                    Ok(Value::String(s)) => s.as_bytes().to_vec(),
                    Ok(v @ Value::Number(_)) => arg_bytes(lua, &v).unwrap_or_default(),
                    _ => b"ERR unknown error".to_vec(),
                };
                let mut text = msg;
                if text.first() == Some(&b'-') {
                    text.remove(0);
                }
                let source: Option<String> = t.raw_get("source").ok();
                let line: Option<Value> = t.raw_get("line").ok();
                if let (Some(source), Some(line)) = (source, line) {
                    if let Some(l) = arg_bytes(lua, &line) {
                        text.extend_from_slice(
                            format!(" script: {}, on {}:{}.", spec.name, source, String::from_utf8_lossy(&l))
                                .as_bytes(),
                        );
                    }
                }
                let ignore = matches!(
                    t.raw_get::<Value>("ignore_error_stats_update"),
                    Ok(Value::Boolean(true))
                );
                Err((text, !ignore))
            }
            other => {
                let msg = if killed {
                    String::from_utf8_lossy(KILLED).into_owned()
                } else {
                    match &other {
                        Value::String(s) => s.to_string_lossy().to_string(),
                        _ => "execution failure".into(),
                    }
                };
                Err((
                    format!("ERR Error running script {}, {:.100}", spec.name, msg).into_bytes(),
                    true,
                ))
            }
        }
    }

    /// `redis.call` / `redis.pcall`: Redis's scriptCall. Ok(Ok(value)) for a
    /// reply, Ok(Err(error table)) for an error.
    fn script_command(&mut self, lua: &Lua, args: &[Value]) -> mlua::Result<Result<Value, Table>> {
        let err = |lua: &Lua, text: &[u8]| -> mlua::Result<Result<Value, Table>> {
            Ok(Err(convert::error_table(lua, &convert::error_text(text))?))
        };
        if args.is_empty() {
            return err(lua, b"Please specify at least one argument for this redis lib call");
        }
        let mut parts: Vec<Vec<u8>> = Vec::with_capacity(args.len());
        for a in args {
            // Numbers are sent as C's %.17g prints them (3, 0.10000000000000001).
            let bytes = match a {
                Value::Number(n) => {
                    let mut b = Vec::new();
                    crate::util::fmt_double(&mut b, *n);
                    Some(b)
                }
                Value::Integer(n) => Some(n.to_string().into_bytes()),
                other => arg_bytes(lua, other),
            };
            match bytes {
                Some(b) => parts.push(b),
                None => return err(lua, b"Lua redis lib command arguments must be strings or integers"),
            }
        }
        let owned = crate::resp::OwnedArgv::from_slices(parts.iter().map(Vec::as_slice));
        let argv = owned.view();
        let rejected = |srv: &mut Server, id: Option<crate::cmd::CmdId>, text: &[u8]| {
            let msg = convert::error_text(text);
            srv.stats.record_error(&msg);
            if let Some(id) = id {
                srv.stats.cmds[id as usize].rejected_calls += 1;
            }
            let t = convert::error_table(lua, &msg)?;
            t.raw_set("ignore_error_stats_update", true)?;
            Ok(Err(t))
        };
        let Some(mut id) = self.table.lookup(argv.get(0)) else {
            return rejected(self, None, b"Unknown Redis command called from script");
        };
        let top = self.table.cmds[id as usize];
        if !top.subcommands.is_empty() && argv.len() >= 2 {
            match self.table.lookup_sub(id, argv.get(1)) {
                Some(sid) => id = sid,
                None => return rejected(self, None, b"Unknown Redis command called from script"),
            }
        }
        let cmd = self.table.cmds[id as usize];
        let n = argv.len() as i32;
        if cmd.handler.is_none() || (cmd.arity > 0 && n != cmd.arity) || n < -cmd.arity {
            return rejected(
                self,
                Some(id),
                b"Wrong number of args calling Redis command from script",
            );
        }
        if cmd.has(flags::NOSCRIPT) {
            return rejected(self, Some(id), b"This Redis command is not allowed from script");
        }
        let Some(run) = self.scripting.run.as_mut() else {
            return err(lua, b"redis.call is not available here");
        };
        if run.read_only && cmd.has(flags::WRITE | flags::MAY_REPLICATE) {
            return rejected(
                self,
                Some(id),
                b"Write commands are not allowed from read-only scripts.",
            );
        }
        if cmd.has(flags::WRITE) && self.cfg.replica_read_only && self.cfg.replicaof.is_some() {
            return rejected(
                self,
                Some(id),
                b"-READONLY You can't write against a read only replica.",
            );
        }
        // Before its first write a script can still fail cleanly
        // (scriptVerifyWriteCommandAllow).
        if cmd.has(flags::WRITE) && !run.wrote && !self.good_replicas_ok() {
            let msg = format!("-{}", crate::replication::NOREPLICAS);
            return rejected(self, Some(id), msg.as_bytes());
        }
        let Some(run) = self.scripting.run.as_mut() else {
            return err(lua, b"redis.call is not available here");
        };
        if run.flags & sflags::ALLOW_OOM == 0
            && !run.wrote
            && run.oom_at_start
            && cmd.has(flags::DENYOOM)
            && self.cfg.maxmemory > 0
        {
            return rejected(self, Some(id), OOM);
        }
        if cmd.has(flags::WRITE) {
            run.wrote = true;
        }
        let resp = run.resp;
        let Some(mut c) = run.client.take() else {
            return err(lua, b"redis.call is not available here");
        };
        c.reply.buf.clear();
        c.reply.resp = resp;
        self.call(&mut c, id, argv);
        let mut pos = 0;
        let v = convert::resp_to_lua(lua, &c.reply.buf, &mut pos);
        c.reply.buf.clear();
        if let Some(run) = self.scripting.run.as_mut() {
            run.client = Some(c);
        }
        match v? {
            Value::Table(t) if matches!(t.raw_get::<Value>("err"), Ok(Value::String(_))) => {
                t.raw_set("ignore_error_stats_update", true)?;
                Ok(Err(t))
            }
            v => Ok(Ok(v)),
        }
    }

    /// Called by the hook: true when the script must be killed.
    fn script_interrupt(&mut self) -> bool {
        let threshold = self.cfg.busy_reply_threshold;
        let Some(run) = self.scripting.run.as_mut() else {
            return false;
        };
        if !run.timed_out {
            let elapsed = run.start.elapsed().as_millis() as i64;
            if threshold <= 0 || elapsed < threshold {
                return false;
            }
            run.timed_out = true;
            log::warn!(
                "Slow script detected: still in execution after {} milliseconds. You can try killing the script using the {} command. Script name is: {}.",
                elapsed,
                if run.eval { "SCRIPT KILL" } else { "FUNCTION KILL" },
                run.name
            );
        }
        self.process_events_while_blocked();
        self.scripting.run.as_ref().is_some_and(|r| r.killed)
    }

    /// SCRIPT KILL / FUNCTION KILL (Redis's scriptKill).
    pub fn script_kill(ctx: &mut Ctx, eval: bool) {
        let Some(run) = ctx.srv.scripting.run.as_mut() else {
            return ctx.error("NOTBUSY No scripts in execution right now.");
        };
        if run.wrote {
            return ctx.error(UNKILLABLE);
        }
        if eval && !run.eval {
            return ctx.error(BUSY_FUNCTION);
        }
        if !eval && run.eval {
            return ctx.error(BUSY_EVAL);
        }
        run.killed = true;
        ctx.c.reply.ok();
    }

    /// The BUSY error for the script running now.
    pub fn busy_error(&self) -> &'static str {
        match &self.scripting.run {
            Some(r) if !r.eval => BUSY_FUNCTION,
            _ => BUSY_EVAL,
        }
    }

    /// Library source code, one per library, for the RDB saver.
    pub fn function_libraries(&self) -> impl Iterator<Item = &[u8]> {
        self.scripting.functions.libraries()
    }

    /// Loads a library from its code (RDB or AOF loading at start-up);
    /// `replace` overwrites a library of the same name.
    pub fn load_function_library(&mut self, code: &[u8], replace: bool) -> Result<String, String> {
        self.scripting.functions.load(code, replace)
    }
}

/// Runs library code with FUNCTION LOAD's time limit in force.
pub(crate) fn with_load_deadline<R>(ms: u64, f: impl FnOnce() -> R) -> R {
    let prev = LOAD_DEADLINE.with(|c| c.replace(Some(Instant::now() + std::time::Duration::from_millis(ms))));
    let r = f();
    LOAD_DEADLINE.with(|c| c.set(prev));
    r
}
