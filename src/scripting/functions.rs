//! Redis 7.0 functions: libraries loaded with FUNCTION LOAD into their
//! own Lua state, the functions they register, and the DUMP/RESTORE
//! payload (an RDB FUNCTION2 opcode and the library code per library,
//! then the RDB version and a CRC64, as Redis writes it).

use super::{fail_here, ok_values, sflags, Vm};
use crate::rdb::format::{Input, Reader, Writer};
use mlua::{Function, Lua, MultiValue, Table, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// The only engine, as FUNCTION LIST and STATS name it.
pub const ENGINE: &str = "LUA";
/// FUNCTION LOAD's limit on running library code (Redis's 500 ms).
const LOAD_TIMEOUT_MS: u64 = 500;
const OPCODE_FUNCTION_PRE_GA: u8 = 246;
const OPCODE_FUNCTION2: u8 = 245;

pub struct FunctionDef {
    pub name: String,
    pub desc: Option<Vec<u8>>,
    pub flags: u64,
    pub func: Function,
}

pub struct Library {
    pub name: String,
    /// The code as loaded, shebang line included.
    pub code: Vec<u8>,
    pub functions: BTreeMap<String, FunctionDef>,
}

pub struct Functions {
    pub vm: Vm,
    pub libs: BTreeMap<String, Library>,
    /// Lower-cased function name -> library name (names are
    /// case-insensitive, as Redis's functions dict).
    pub funcs: HashMap<String, String>,
}

thread_local! {
    /// Functions registered by the library code being loaded.
    static PENDING: RefCell<Option<Vec<FunctionDef>>> = const { RefCell::new(None) };
}

impl Default for Functions {
    fn default() -> Self {
        Functions::new()
    }
}

/// Redis's functionsVerifyName.
fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The library name and the code without its shebang (newline kept), as
/// Redis's functionExtractLibMetaData.
fn metadata(code: &[u8]) -> Result<(String, String, usize), String> {
    if !code.starts_with(b"#!") {
        return Err("ERR Missing library metadata".into());
    }
    let Some(end) = memchr::memchr(b'\n', code) else {
        return Err("ERR Invalid library metadata".into());
    };
    let parts = match crate::resp::split_args(&code[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("ERR Invalid library metadata".into()),
    };
    let engine = String::from_utf8_lossy(&parts[0][2..]).into_owned();
    let mut name: Option<String> = None;
    for p in &parts[1..] {
        if p.len() >= 5 && p[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err("ERR Invalid metadata value, name argument was given multiple times".into());
            }
            name = Some(String::from_utf8_lossy(&p[5..]).into_owned());
            continue;
        }
        return Err(format!(
            "ERR Invalid metadata value given: {}",
            String::from_utf8_lossy(p)
        ));
    }
    let Some(name) = name else {
        return Err("ERR Library name was not given".into());
    };
    Ok((engine, name, end))
}

impl Functions {
    pub fn new() -> Functions {
        Functions {
            vm: super::new_vm("functions").expect("creating the functions Lua state"),
            libs: BTreeMap::new(),
            funcs: HashMap::new(),
        }
    }

    #[allow(dead_code)]
    pub fn libraries(&self) -> impl Iterator<Item = &[u8]> {
        self.libs.values().map(|l| l.code.as_slice())
    }

    pub fn function_count(&self) -> usize {
        self.funcs.len()
    }

    /// Bytes held for libraries outside the Lua state (used_memory_functions).
    pub fn overhead(&self) -> usize {
        self.libs
            .values()
            .map(|l| l.code.len() + l.name.len() + 64 + l.functions.keys().map(|k| k.len() + 96).sum::<usize>())
            .sum::<usize>()
            + 200
    }

    pub fn find(&self, name: &[u8]) -> Option<&FunctionDef> {
        let lower = String::from_utf8_lossy(name).to_lowercase();
        let lib = self.funcs.get(&lower)?;
        self.libs
            .get(lib)?
            .functions
            .values()
            .find(|f| f.name.to_lowercase() == lower)
    }

    /// FUNCTION FLUSH: every library goes, with a new Lua state.
    pub fn flush(&mut self) {
        self.libs.clear();
        self.funcs.clear();
        if let Ok(vm) = super::new_vm("functions") {
            self.vm = vm;
        }
    }

    /// Runs a library's code and collects what it registers, without
    /// installing anything.
    pub fn compile(&self, code: &[u8]) -> Result<Library, String> {
        let (engine, name, shebang_len) = metadata(code)?;
        if !engine.eq_ignore_ascii_case(ENGINE) {
            return Err(format!("ERR Engine '{engine}' not found"));
        }
        if !valid_name(name.as_bytes()) {
            return Err("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long".into());
        }
        let lua = &self.vm.lua;
        let f = lua
            .load(&code[shebang_len..])
            .set_name("@user_function")
            .into_function()
            .map_err(|e| format!("ERR Error compiling function: {}", super::lua_error_message(&e)))?;
        let sandbox: Function = self.vm.api.get("sandbox").map_err(|e| e.to_string())?;
        let set_loading: Function = self.vm.api.get("set_loading").map_err(|e| e.to_string())?;
        let f: Function = sandbox.call(f).map_err(|e| e.to_string())?;
        PENDING.with(|p| *p.borrow_mut() = Some(Vec::new()));
        let _ = set_loading.call::<()>(true);
        let run: Function = self.vm.api.get("run").map_err(|e| e.to_string())?;
        let handler: Function = self
            .vm
            .api
            .get::<Table>("env")
            .and_then(|e| e.raw_get("__redis__err__handler"))
            .map_err(|e| e.to_string())?;
        let r = super::with_load_deadline(LOAD_TIMEOUT_MS, || run.call::<MultiValue>((f, handler)));
        let _ = set_loading.call::<()>(false);
        let defs = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
        let failure = match r {
            Err(e) => Some(format!("ERR {}", load_error_text(&e))),
            Ok(vals) => {
                let mut it = vals.into_iter();
                match (it.next(), it.next()) {
                    (Some(Value::Boolean(true)), _) => None,
                    (_, Some(Value::Table(t))) => Some(match t.raw_get::<Value>("err") {
                        Ok(Value::String(s)) => s.to_string_lossy().to_string(),
                        _ => "ERR unknown error".into(),
                    }),
                    _ => Some("ERR unknown error".into()),
                }
            }
        };
        if let Some(msg) = failure {
            return Err(format!("ERR Error registering functions: {msg}"));
        }
        if defs.is_empty() {
            return Err("ERR No functions registered".into());
        }
        let mut functions = BTreeMap::new();
        for d in defs {
            functions.insert(d.name.clone(), d);
        }
        Ok(Library {
            name,
            code: code.to_vec(),
            functions,
        })
    }

    /// Checks that `lib`'s functions clash with no other library's, then
    /// installs it (replacing a library of the same name).
    fn install(&mut self, lib: Library) -> Result<(), String> {
        for f in lib.functions.values() {
            if let Some(owner) = self.funcs.get(&f.name.to_lowercase()) {
                if *owner != lib.name {
                    return Err(format!("ERR Function {} already exists", f.name));
                }
            }
        }
        self.unlink(&lib.name.clone());
        for f in lib.functions.values() {
            self.funcs.insert(f.name.to_lowercase(), lib.name.clone());
        }
        self.libs.insert(lib.name.clone(), lib);
        Ok(())
    }

    fn unlink(&mut self, name: &str) -> Option<Library> {
        let lib = self.libs.remove(name)?;
        for f in lib.functions.keys() {
            self.funcs.remove(&f.to_lowercase());
        }
        Some(lib)
    }

    /// FUNCTION LOAD [REPLACE]: the library's name, or the error reply.
    pub fn load(&mut self, code: &[u8], replace: bool) -> Result<String, String> {
        let (_, name, _) = metadata(code)?;
        if self.libs.contains_key(&name) && !replace {
            let (engine, _, _) = metadata(code)?;
            if engine.eq_ignore_ascii_case(ENGINE) {
                return Err(format!("ERR Library '{name}' already exists"));
            }
        }
        let lib = self.compile(code)?;
        let name = lib.name.clone();
        self.install(lib)?;
        Ok(name)
    }

    pub fn delete(&mut self, name: &[u8]) -> bool {
        self.unlink(&String::from_utf8_lossy(name)).is_some()
    }

    /// FUNCTION DUMP's payload.
    pub fn dump(&self) -> Vec<u8> {
        let mut w = Writer::new(true);
        for lib in self.libs.values() {
            w.u8(OPCODE_FUNCTION2);
            w.string(&lib.code);
        }
        w.raw(&crate::rdb::format::RDB_VERSION.to_le_bytes());
        let crc = crate::rdb::crc64::crc64(0, w.as_bytes());
        w.raw(&crc.to_le_bytes());
        w.into_bytes()
    }

    /// FUNCTION RESTORE with a policy: "append", "replace" or "flush".
    pub fn restore(&mut self, payload: &[u8], policy: &str) -> Result<(), String> {
        let body = crate::rdb::format::verify_dump_payload(payload, false)
            .map_err(|_| "ERR DUMP payload version or checksum are wrong".to_string())?;
        let mut rd = Reader::new(body);
        let mut codes = Vec::new();
        while (rd.offset() as usize) < body.len() {
            let mut t = [0u8];
            if rd.read_into(&mut t).is_err() {
                return Err("ERR can not read data type".into());
            }
            if t[0] == OPCODE_FUNCTION_PRE_GA {
                return Err("ERR Pre-GA function format not supported".into());
            }
            if t[0] != OPCODE_FUNCTION2 {
                return Err("ERR given type is not a function".into());
            }
            match rd.read_string() {
                Ok(code) => codes.push(code),
                Err(_) => return Err("ERR failed loading the given functions payload".into()),
            }
        }
        // Everything is compiled (and checked against itself) first.
        let mut new: BTreeMap<String, Library> = BTreeMap::new();
        let mut new_funcs: HashMap<String, String> = HashMap::new();
        for code in &codes {
            let lib = self.compile(code)?;
            if new.contains_key(&lib.name) {
                return Err(format!("ERR Library '{}' already exists", lib.name));
            }
            for f in lib.functions.keys() {
                if new_funcs.insert(f.to_lowercase(), lib.name.clone()).is_some() {
                    return Err(format!("ERR Function {f} already exists"));
                }
            }
            new.insert(lib.name.clone(), lib);
        }
        match policy {
            "flush" => {
                self.libs = new;
                self.funcs = new_funcs;
                Ok(())
            }
            _ => {
                let replace = policy == "replace";
                for lib in new.values() {
                    if !replace && self.libs.contains_key(&lib.name) {
                        return Err(format!("ERR Library {} already exists", lib.name));
                    }
                    for f in lib.functions.values() {
                        if let Some(owner) = self.funcs.get(&f.name.to_lowercase()) {
                            if !(replace && *owner == lib.name) {
                                return Err(format!("ERR Function {} already exists", f.name));
                            }
                        }
                    }
                }
                for (_, lib) in new {
                    self.install(lib)?;
                }
                Ok(())
            }
        }
    }
}

/// The message of an error raised while library code ran (Redis's
/// luaExtractErrorInformation: a table's `err`, or the string).
fn load_error_text(e: &mlua::Error) -> String {
    super::lua_error_message(e)
}

/// `redis.register_function`, positional or with a table of named
/// arguments (Redis's luaRegisterFunction).
pub fn register_function_callback(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let loading = PENDING.with(|p| p.borrow().is_some());
    let v: Vec<Value> = args.into_iter().collect();
    let fail = |lua: &Lua, msg: &str| -> mlua::Result<MultiValue> {
        let _ = lua;
        Ok(MultiValue::from_vec(vec![
            Value::Boolean(false),
            Value::Table(super::convert::error_table(lua, format!("ERR {msg}").as_bytes())?),
        ]))
    };
    if !loading {
        return fail(
            lua,
            "redis.register_function can only be called on FUNCTION LOAD command",
        );
    }
    if v.is_empty() || v.len() > 2 {
        return fail(lua, "wrong number of arguments to redis.register_function");
    }
    let as_str = |v: &Value| -> Option<Vec<u8>> { super::arg_bytes(lua, v) };
    let (name, desc, func, flags) = if v.len() == 2 {
        let Some(name) = as_str(&v[0]) else {
            return fail(lua, "first argument to redis.register_function must be a string");
        };
        let Value::Function(f) = &v[1] else {
            return fail(lua, "second argument to redis.register_function must be a function");
        };
        (name, None, f.clone(), 0)
    } else {
        let Value::Table(t) = &v[0] else {
            return fail(
                lua,
                "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).",
            );
        };
        let mut name = None;
        let mut desc = None;
        let mut func = None;
        let mut flags = 0;
        for pair in t.clone().pairs::<Value, Value>() {
            let (k, val) = pair?;
            let Some(key) = (match &k {
                Value::String(_) | Value::Number(_) | Value::Integer(_) => as_str(&k),
                _ => None,
            }) else {
                return fail(
                    lua,
                    "named argument key given to redis.register_function is not a string",
                );
            };
            let key = String::from_utf8_lossy(&key).to_lowercase();
            match key.as_str() {
                "function_name" => match as_str(&val) {
                    Some(s) => name = Some(s),
                    None => {
                        return fail(
                            lua,
                            "function_name argument given to redis.register_function must be a string",
                        )
                    }
                },
                "description" => match as_str(&val) {
                    Some(s) => desc = Some(s),
                    None => {
                        return fail(
                            lua,
                            "description argument given to redis.register_function must be a string",
                        )
                    }
                },
                "callback" => match &val {
                    Value::Function(f) => func = Some(f.clone()),
                    _ => {
                        return fail(
                            lua,
                            "callback argument given to redis.register_function must be a function",
                        )
                    }
                },
                "flags" => {
                    let Value::Table(ft) = &val else {
                        return fail(
                            lua,
                            "flags argument to redis.register_function must be a table representing function flags",
                        );
                    };
                    match read_flags(ft) {
                        Some(f) => flags = f,
                        None => return fail(lua, "unknown flag given"),
                    }
                }
                _ => return fail(lua, "unknown argument given to redis.register_function"),
            }
        }
        let Some(name) = name else {
            return fail(lua, "redis.register_function must get a function name argument");
        };
        let Some(func) = func else {
            return fail(lua, "redis.register_function must get a callback argument");
        };
        (name, desc, func, flags)
    };
    if !valid_name(&name) {
        // Redis 7.0 words this one as for library names.
        return fail(
            lua,
            "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
        );
    }
    let name = String::from_utf8_lossy(&name).into_owned();
    let dup = PENDING.with(|p| {
        p.borrow()
            .as_ref()
            .is_some_and(|defs| defs.iter().any(|d| d.name.eq_ignore_ascii_case(&name)))
    });
    if dup {
        return fail(lua, "Function already exists in the library");
    }
    PENDING.with(|p| {
        if let Some(defs) = p.borrow_mut().as_mut() {
            defs.push(FunctionDef {
                name,
                desc,
                flags,
                func,
            });
        }
    });
    let _ = fail_here;
    ok_values(vec![])
}

fn read_flags(t: &Table) -> Option<u64> {
    let mut f = 0;
    for pair in t.clone().pairs::<Value, Value>() {
        let (_, v) = pair.ok()?;
        let Value::String(s) = v else { return None };
        f |= sflags::by_name(&s.as_bytes())?;
    }
    Some(f)
}
