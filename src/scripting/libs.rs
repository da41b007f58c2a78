//! The libraries Redis adds to Lua: `cjson` (lua-cjson 2.1), `cmsgpack`
//! (lua-cmsgpack 0.4), `bit` (LuaBitOp 1.0) and `struct` (Roberto
//! Ierusalimschy's struct), written in Rust with the same behaviour for
//! what scripts use.
//!
//! Every function here returns `(true, results...)` or `(false, message)`;
//! the Lua wrappers `bootstrap.lua` builds raise the message, so errors
//! reach scripts as plain strings with the caller's position, as
//! `luaL_error` would put them.

use super::{fail_here, ok_values};
use mlua::{Function, LightUserData, Lua, MultiValue, Table, Value};

type LResult = mlua::Result<MultiValue>;

pub fn install(lua: &Lua, fk: &Table) -> mlua::Result<()> {
    let null = Value::LightUserData(LightUserData(std::ptr::null_mut()));
    fk.set("cjson_null", null)?;

    let cjson = lua.create_table()?;
    cjson.set(
        "encode",
        lua.create_function(|lua, a: MultiValue| cjson_encode(lua, a))?,
    )?;
    cjson.set(
        "decode",
        lua.create_function(|lua, a: MultiValue| cjson_decode(lua, a))?,
    )?;
    for name in [
        "encode_keep_buffer",
        "encode_max_depth",
        "decode_max_depth",
        "encode_number_precision",
        "encode_invalid_numbers",
        "decode_invalid_numbers",
        "encode_sparse_array",
    ] {
        cjson.set(
            name,
            lua.create_function(|_, a: MultiValue| ok_values(a.into_iter().collect()))?,
        )?;
    }
    fk.set("cjson", cjson)?;

    let mp = lua.create_table()?;
    mp.set("pack", lua.create_function(|lua, a: MultiValue| msgpack_pack(lua, a))?)?;
    mp.set(
        "unpack",
        lua.create_function(|lua, a: MultiValue| msgpack_unpack(lua, a, Unpack::All))?,
    )?;
    mp.set(
        "unpack_one",
        lua.create_function(|lua, a: MultiValue| msgpack_unpack(lua, a, Unpack::One))?,
    )?;
    mp.set(
        "unpack_limit",
        lua.create_function(|lua, a: MultiValue| msgpack_unpack(lua, a, Unpack::Limit))?,
    )?;
    fk.set("cmsgpack", mp)?;

    let bit = lua.create_table()?;
    bit_install(lua, &bit)?;
    fk.set("bit", bit)?;

    let st = lua.create_table()?;
    st.set("pack", lua.create_function(|lua, a: MultiValue| struct_pack(lua, a))?)?;
    st.set(
        "unpack",
        lua.create_function(|lua, a: MultiValue| struct_unpack(lua, a))?,
    )?;
    st.set("size", lua.create_function(|lua, a: MultiValue| struct_size(lua, a))?)?;
    fk.set("struct", st)?;
    Ok(())
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::LightUserData(_) | Value::UserData(_) => "userdata",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

fn bad_arg(lua: &Lua, n: usize, func: &str, expected: &str, got: &Value) -> LResult {
    let got = if matches!(got, Value::Nil) {
        "no value"
    } else {
        type_name(got)
    };
    fail_here(
        lua,
        &format!("bad argument #{n} to '{func}' ({expected} expected, got {got})"),
    )
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Integer(n) => Some(*n as f64),
        Value::String(s) => {
            let t = s.to_str().ok()?;
            let t = t.trim();
            if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                return i64::from_str_radix(h, 16).ok().map(|x| x as f64);
            }
            t.parse::<f64>().ok()
        }
        _ => None,
    }
}

/// `%.14g`, as Lua prints numbers.
pub fn fmt_g14(n: f64) -> String {
    if n.is_nan() {
        return if n.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if n.is_infinite() {
        return if n > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if n == 0.0 {
        return if n.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let exp = n.abs().log10().floor() as i32;
    // Rounding may carry into the next power of ten: format and check.
    let sci = format!("{:.13e}", n);
    let (mant, e) = sci.split_once('e').unwrap_or((&sci, "0"));
    let e: i32 = e.parse().unwrap_or(exp);
    if !(-4..14).contains(&e) {
        let mant = trim_zeros(mant);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", e.abs());
    }
    let decimals = (13 - e).max(0) as usize;
    trim_zeros(&format!("{:.*}", decimals, n)).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

// ---------------------------------------------------------------------------
// cjson
// ---------------------------------------------------------------------------

fn cjson_encode(lua: &Lua, a: MultiValue) -> LResult {
    let v: Vec<Value> = a.into_iter().collect();
    if v.len() != 1 {
        return fail_here(lua, "bad argument #1 to 'encode' (expected 1 argument)");
    }
    let mut out = Vec::new();
    match json_write(&mut out, &v[0], 0) {
        Ok(()) => ok_values(vec![Value::String(lua.create_string(&out)?)]),
        Err(msg) => fail_here(lua, &msg),
    }
}

fn json_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            8 => out.extend_from_slice(b"\\b"),
            12 => out.extend_from_slice(b"\\f"),
            0..=31 | 127 => out.extend_from_slice(format!("\\u{:04x}", c).as_bytes()),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

fn json_number(out: &mut Vec<u8>, n: f64) -> Result<(), String> {
    if n.is_nan() || n.is_infinite() {
        return Err("Cannot serialise number: must not be NaN or Inf".into());
    }
    out.extend_from_slice(fmt_g14(n).as_bytes());
    Ok(())
}

/// lua-cjson's lua_array_length: Some(max index) for an array, None for an
/// object.
fn json_array_len(t: &Table) -> Result<Option<usize>, String> {
    let mut max = 0usize;
    let mut items = 0usize;
    for pair in t.clone().pairs::<Value, Value>() {
        let Ok((k, _)) = pair else { return Ok(None) };
        match k {
            Value::Number(n) if n >= 1.0 && n.fract() == 0.0 => {
                max = max.max(n as usize);
                items += 1;
            }
            Value::Integer(n) if n >= 1 => {
                max = max.max(n as usize);
                items += 1;
            }
            _ => return Ok(None),
        }
    }
    if max > 10 && max > items * 2 {
        return Err("Cannot serialise table: excessively sparse array".into());
    }
    Ok(Some(max))
}

fn json_write(out: &mut Vec<u8>, v: &Value, depth: usize) -> Result<(), String> {
    match v {
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => json_number(out, *n)?,
        Value::Integer(n) => json_number(out, *n as f64)?,
        Value::String(s) => json_string(out, &s.as_bytes()),
        Value::Table(t) => {
            let depth = depth + 1;
            if depth > 1000 {
                return Err(format!("Cannot serialise, excessive nesting ({depth})"));
            }
            match json_array_len(t)? {
                Some(n) if n > 0 => {
                    out.push(b'[');
                    for i in 1..=n {
                        if i > 1 {
                            out.push(b',');
                        }
                        let e: Value = t.raw_get(i).unwrap_or(Value::Nil);
                        json_write(out, &e, depth)?;
                    }
                    out.push(b']');
                }
                _ => {
                    out.push(b'{');
                    let mut first = true;
                    for pair in t.clone().pairs::<Value, Value>() {
                        let Ok((k, val)) = pair else { continue };
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        match &k {
                            Value::String(s) => json_string(out, &s.as_bytes()),
                            Value::Number(n) => {
                                let mut tmp = Vec::new();
                                json_number(&mut tmp, *n)?;
                                json_string(out, &tmp);
                            }
                            Value::Integer(n) => {
                                let mut tmp = Vec::new();
                                json_number(&mut tmp, *n as f64)?;
                                json_string(out, &tmp);
                            }
                            other => {
                                return Err(format!(
                                    "Cannot serialise {}: table key must be a number or string",
                                    type_name(other)
                                ))
                            }
                        }
                        out.push(b':');
                        json_write(out, &val, depth)?;
                    }
                    out.push(b'}');
                }
            }
        }
        other => return Err(format!("Cannot serialise {}: type not supported", type_name(other))),
    }
    Ok(())
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl JsonParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn err(&self, what: &str, found: &str) -> String {
        format!("Expected {what} but found {found} at character {}", self.i + 1)
    }

    fn token_name(&self) -> &'static str {
        match self.s.get(self.i) {
            None => "T_END",
            Some(b'{') => "T_OBJ_BEGIN",
            Some(b'}') => "T_OBJ_END",
            Some(b'[') => "T_ARR_BEGIN",
            Some(b']') => "T_ARR_END",
            Some(b',') => "T_COMMA",
            Some(b':') => "T_COLON",
            Some(b'"') => "T_STRING",
            Some(b'-' | b'0'..=b'9') => "T_NUMBER",
            Some(b't') if self.s[self.i..].starts_with(b"true") => "T_BOOLEAN",
            Some(b'f') if self.s[self.i..].starts_with(b"false") => "T_BOOLEAN",
            Some(b'n') if self.s[self.i..].starts_with(b"null") => "T_NULL",
            _ => "invalid token",
        }
    }

    fn value(&mut self, lua: &Lua) -> Result<Value, String> {
        self.ws();
        let Some(&c) = self.s.get(self.i) else {
            return Err(self.err("value", "T_END"));
        };
        match c {
            b'{' => {
                self.depth += 1;
                if self.depth > 1000 {
                    return Err(format!(
                        "Found too many nested data structures ({}) at character {}",
                        self.depth,
                        self.i + 1
                    ));
                }
                self.i += 1;
                let t = lua.create_table().map_err(|e| e.to_string())?;
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::Table(t));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.err("object key string", self.token_name()));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(self.err("colon", self.token_name()));
                    }
                    self.i += 1;
                    let v = self.value(lua)?;
                    let k = lua.create_string(&k).map_err(|e| e.to_string())?;
                    t.raw_set(k, v).map_err(|e| e.to_string())?;
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err(self.err("comma or object end", self.token_name())),
                    }
                }
                self.depth -= 1;
                Ok(Value::Table(t))
            }
            b'[' => {
                self.depth += 1;
                if self.depth > 1000 {
                    return Err(format!(
                        "Found too many nested data structures ({}) at character {}",
                        self.depth,
                        self.i + 1
                    ));
                }
                self.i += 1;
                let t = lua.create_table().map_err(|e| e.to_string())?;
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::Table(t));
                }
                let mut n = 1;
                loop {
                    let v = self.value(lua)?;
                    t.raw_set(n, v).map_err(|e| e.to_string())?;
                    n += 1;
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err(self.err("comma or array end", self.token_name())),
                    }
                }
                self.depth -= 1;
                Ok(Value::Table(t))
            }
            b'"' => {
                let s = self.string()?;
                Ok(Value::String(lua.create_string(&s).map_err(|e| e.to_string())?))
            }
            b't' if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Value::Boolean(true))
            }
            b'f' if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Value::Boolean(false))
            }
            b'n' if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Value::LightUserData(LightUserData(std::ptr::null_mut())))
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                while self.i < self.s.len() && matches!(self.s[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    self.i += 1;
                }
                let txt = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                match txt.parse::<f64>() {
                    Ok(n) => Ok(Value::Number(n)),
                    Err(_) => {
                        self.i = start;
                        Err(self.err("value", "invalid number"))
                    }
                }
            }
            _ => Err(self.err("value", self.token_name())),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        let v = u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()?;
        self.i += 4;
        Some(v)
    }

    fn string(&mut self) -> Result<Vec<u8>, String> {
        let start = self.i;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                self.i = start;
                return Err(self.err("value", "invalid token"));
            };
            self.i += 1;
            match c {
                b'"' => return Ok(out),
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        self.i = start;
                        return Err(self.err("value", "invalid token"));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let Some(mut cp) = self.hex4() else {
                                self.i = start;
                                return Err(self.err("value", "invalid token"));
                            };
                            if (0xD800..0xDC00).contains(&cp) && self.s[self.i..].starts_with(b"\\u") {
                                self.i += 2;
                                if let Some(lo) = self.hex4() {
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                                }
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => {
                            self.i = start;
                            return Err(self.err("value", "invalid token"));
                        }
                    }
                }
                _ => out.push(c),
            }
        }
    }
}

fn cjson_decode(lua: &Lua, a: MultiValue) -> LResult {
    let v: Vec<Value> = a.into_iter().collect();
    if v.len() != 1 {
        return fail_here(lua, "bad argument #1 to 'decode' (expected 1 argument)");
    }
    let s = match &v[0] {
        Value::String(s) => s.as_bytes().to_vec(),
        Value::Number(_) | Value::Integer(_) => super::arg_bytes(lua, &v[0]).unwrap_or_default(),
        other => return bad_arg(lua, 1, "decode", "string", other),
    };
    let mut p = JsonParser { s: &s, i: 0, depth: 0 };
    let r = p.value(lua).and_then(|val| {
        p.ws();
        if p.i < p.s.len() {
            Err(p.err("the end", p.token_name()))
        } else {
            Ok(val)
        }
    });
    match r {
        Ok(val) => ok_values(vec![val]),
        Err(msg) => fail_here(lua, &msg),
    }
}

// ---------------------------------------------------------------------------
// cmsgpack
// ---------------------------------------------------------------------------

const MP_MAX_NESTING: usize = 16;

fn msgpack_pack(lua: &Lua, a: MultiValue) -> LResult {
    let v: Vec<Value> = a.into_iter().collect();
    if v.is_empty() {
        return fail_here(lua, "bad argument #0 to 'pack' (MessagePack pack needs input.)");
    }
    let mut out = Vec::new();
    for x in &v {
        mp_encode(&mut out, x, 0);
    }
    ok_values(vec![Value::String(lua.create_string(&out)?)])
}

fn mp_encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        let u = n as u64;
        if u <= 127 {
            out.push(u as u8);
        } else if u <= 0xff {
            out.extend_from_slice(&[0xcc, u as u8]);
        } else if u <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(u as u16).to_be_bytes());
        } else if u <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(u as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&u.to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2147483648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn mp_encode_len(out: &mut Vec<u8>, n: usize, fix: u8, fixmax: usize, b16: u8, b32: u8) {
    if n <= fixmax {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(b16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(b32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

fn mp_encode(out: &mut Vec<u8>, v: &Value, level: usize) {
    match v {
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(n) => mp_encode_int(out, *n),
        Value::Number(n) => {
            let n = *n;
            if n.fract() == 0.0 && (-9.2e18..=1.8e19).contains(&n) {
                if n >= 0.0 && n > i64::MAX as f64 {
                    out.push(0xcf);
                    out.extend_from_slice(&(n as u64).to_be_bytes());
                } else {
                    mp_encode_int(out, n as i64);
                }
            } else if (n as f32) as f64 == n || n.is_nan() {
                out.push(0xca);
                out.extend_from_slice(&(n as f32).to_be_bytes());
            } else {
                out.push(0xcb);
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
        Value::String(s) => {
            let b = s.as_bytes();
            let n = b.len();
            if n < 32 {
                out.push(0xa0 | n as u8);
            } else if n <= 0xff {
                out.extend_from_slice(&[0xd9, n as u8]);
            } else if n <= 0xffff {
                out.push(0xda);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            } else {
                out.push(0xdb);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            }
            out.extend_from_slice(&b);
        }
        Value::Table(t) if level < MP_MAX_NESTING => {
            // An array when every key is a positive integer and they run
            // 1..n without holes (lua-cmsgpack's table_is_an_array).
            let mut count = 0usize;
            let mut max = 0usize;
            let mut is_array = true;
            for (k, _) in t.clone().pairs::<Value, Value>().flatten() {
                count += 1;
                match k {
                    Value::Number(n) if n >= 1.0 && n.fract() == 0.0 => max = max.max(n as usize),
                    Value::Integer(n) if n >= 1 => max = max.max(n as usize),
                    _ => is_array = false,
                }
            }
            if is_array && max == count {
                mp_encode_len(out, count, 0x90, 15, 0xdc, 0xdd);
                for i in 1..=count {
                    let e: Value = t.raw_get(i).unwrap_or(Value::Nil);
                    mp_encode(out, &e, level + 1);
                }
            } else {
                mp_encode_len(out, count, 0x80, 15, 0xde, 0xdf);
                for (k, val) in t.clone().pairs::<Value, Value>().flatten() {
                    mp_encode(out, &k, level + 1);
                    mp_encode(out, &val, level + 1);
                }
            }
        }
        _ => out.push(0xc0),
    }
}

enum Unpack {
    All,
    One,
    Limit,
}

struct MpReader<'a> {
    s: &'a [u8],
    i: usize,
}

enum MpErr {
    Missing,
    Bad,
}

impl MpReader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], MpErr> {
        let b = self.s.get(self.i..self.i + n).ok_or(MpErr::Missing)?;
        self.i += n;
        Ok(b)
    }

    fn be(&mut self, n: usize) -> Result<u64, MpErr> {
        let b = self.take(n)?;
        Ok(b.iter().fold(0u64, |a, &x| (a << 8) | x as u64))
    }

    fn value(&mut self, lua: &Lua, depth: usize) -> Result<Value, MpErr> {
        if depth > 1000 {
            return Err(MpErr::Bad);
        }
        let c = self.take(1)?[0];
        let num = |n: f64| Ok(Value::Number(n));
        match c {
            0x00..=0x7f => num(c as f64),
            0xe0..=0xff => num(c as i8 as f64),
            0xcc => num(self.be(1)? as f64),
            0xcd => num(self.be(2)? as f64),
            0xce => num(self.be(4)? as f64),
            0xcf => num(self.be(8)? as f64),
            0xd0 => num(self.be(1)? as u8 as i8 as f64),
            0xd1 => num(self.be(2)? as u16 as i16 as f64),
            0xd2 => num(self.be(4)? as u32 as i32 as f64),
            0xd3 => num(self.be(8)? as i64 as f64),
            0xc0 => Ok(Value::Nil),
            0xc2 => Ok(Value::Boolean(false)),
            0xc3 => Ok(Value::Boolean(true)),
            0xca => num(f32::from_bits(self.be(4)? as u32) as f64),
            0xcb => num(f64::from_bits(self.be(8)?)),
            0xa0..=0xbf => self.str(lua, (c & 0x1f) as usize),
            0xd9 | 0xc4 => {
                let n = self.be(1)? as usize;
                self.str(lua, n)
            }
            0xda | 0xc5 => {
                let n = self.be(2)? as usize;
                self.str(lua, n)
            }
            0xdb | 0xc6 => {
                let n = self.be(4)? as usize;
                self.str(lua, n)
            }
            0x90..=0x9f => self.array(lua, (c & 0x0f) as usize, depth),
            0xdc => {
                let n = self.be(2)? as usize;
                self.array(lua, n, depth)
            }
            0xdd => {
                let n = self.be(4)? as usize;
                self.array(lua, n, depth)
            }
            0x80..=0x8f => self.map(lua, (c & 0x0f) as usize, depth),
            0xde => {
                let n = self.be(2)? as usize;
                self.map(lua, n, depth)
            }
            0xdf => {
                let n = self.be(4)? as usize;
                self.map(lua, n, depth)
            }
            _ => Err(MpErr::Bad),
        }
    }

    fn str(&mut self, lua: &Lua, n: usize) -> Result<Value, MpErr> {
        let b = self.take(n)?.to_vec();
        lua.create_string(&b).map(Value::String).map_err(|_| MpErr::Bad)
    }

    fn array(&mut self, lua: &Lua, n: usize, depth: usize) -> Result<Value, MpErr> {
        if n > self.s.len() - self.i {
            return Err(MpErr::Missing);
        }
        let t = lua.create_table().map_err(|_| MpErr::Bad)?;
        for i in 1..=n {
            let v = self.value(lua, depth + 1)?;
            t.raw_set(i, v).map_err(|_| MpErr::Bad)?;
        }
        Ok(Value::Table(t))
    }

    fn map(&mut self, lua: &Lua, n: usize, depth: usize) -> Result<Value, MpErr> {
        if n > self.s.len() - self.i {
            return Err(MpErr::Missing);
        }
        let t = lua.create_table().map_err(|_| MpErr::Bad)?;
        for _ in 0..n {
            let k = self.value(lua, depth + 1)?;
            let v = self.value(lua, depth + 1)?;
            if !k.is_nil() {
                t.raw_set(k, v).map_err(|_| MpErr::Bad)?;
            }
        }
        Ok(Value::Table(t))
    }
}

fn msgpack_unpack(lua: &Lua, a: MultiValue, mode: Unpack) -> LResult {
    let v: Vec<Value> = a.into_iter().collect();
    let s = match v.first() {
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        _ => return fail_here(lua, "MessagePack unpack needs input."),
    };
    let int_arg = |i: usize| v.get(i).and_then(number).map(|n| n as i64).unwrap_or(0);
    let (limit, offset) = match mode {
        Unpack::All => (0, 0),
        Unpack::One => (1, int_arg(1)),
        Unpack::Limit => (int_arg(1), int_arg(2)),
    };
    if offset < 0 || limit < 0 {
        return fail_here(
            lua,
            &format!("Invalid request to unpack with offset of {offset} and limit of {limit}."),
        );
    }
    let offset = offset as usize;
    if offset > s.len() {
        return fail_here(lua, "Start offset greater than input length.");
    }
    let mut r = MpReader { s: &s, i: offset };
    let mut out = Vec::new();
    while r.i < s.len() && (limit == 0 || (out.len() as i64) < limit) {
        match r.value(lua, 0) {
            Ok(x) => out.push(x),
            Err(MpErr::Missing) => return fail_here(lua, "Missing bytes in input."),
            Err(MpErr::Bad) => return fail_here(lua, "Bad data format in input."),
        }
    }
    if matches!(mode, Unpack::All) {
        return ok_values(out);
    }
    let next = if r.i >= s.len() { -1.0 } else { r.i as f64 };
    out.insert(0, Value::Number(next));
    ok_values(out)
}

// ---------------------------------------------------------------------------
// bit
// ---------------------------------------------------------------------------

/// LuaBitOp's argument conversion: the low 32 bits of the number rounded
/// to an integer (the 2^52 + 2^51 trick).
fn tobit(n: f64) -> i32 {
    (n + 6_755_399_441_055_744.0).to_bits() as u32 as i32
}

fn bit_args(lua: &Lua, name: &str, a: &[Value], min: usize) -> Result<Vec<i32>, LResult> {
    let mut out = Vec::with_capacity(a.len().max(min));
    for i in 0..a.len().max(min) {
        let v = a.get(i).unwrap_or(&Value::Nil);
        match number(v) {
            Some(n) if !matches!(v, Value::String(_)) || n.is_finite() => out.push(tobit(n)),
            _ => return Err(bad_arg(lua, i + 1, name, "number", v)),
        }
    }
    Ok(out)
}

fn bit_install(lua: &Lua, t: &Table) -> mlua::Result<()> {
    type Op = fn(&[i32]) -> i32;
    let ops: &[(&str, usize, Op)] = &[
        ("tobit", 1, |a| a[0]),
        ("bnot", 1, |a| !a[0]),
        ("bswap", 1, |a| a[0].swap_bytes()),
        ("band", 1, |a| a.iter().fold(-1, |x, y| x & y)),
        ("bor", 1, |a| a.iter().fold(0, |x, y| x | y)),
        ("bxor", 1, |a| a.iter().fold(0, |x, y| x ^ y)),
        ("lshift", 2, |a| ((a[0] as u32) << (a[1] as u32 & 31)) as i32),
        ("rshift", 2, |a| ((a[0] as u32) >> (a[1] as u32 & 31)) as i32),
        ("arshift", 2, |a| a[0] >> (a[1] as u32 & 31)),
        ("rol", 2, |a| (a[0] as u32).rotate_left(a[1] as u32 & 31) as i32),
        ("ror", 2, |a| (a[0] as u32).rotate_right(a[1] as u32 & 31) as i32),
    ];
    for &(name, min, op) in ops {
        let f: Function = lua.create_function(move |lua, a: MultiValue| {
            let a: Vec<Value> = a.into_iter().collect();
            let a = match bit_args(lua, name, &a, min) {
                Ok(x) => x,
                Err(e) => return e,
            };
            ok_values(vec![Value::Number(op(&a) as f64)])
        })?;
        t.set(name, f)?;
    }
    t.set(
        "tohex",
        lua.create_function(|lua, a: MultiValue| {
            let a: Vec<Value> = a.into_iter().collect();
            let x = match bit_args(lua, "tohex", &a[..a.len().min(1)], 1) {
                Ok(x) => x[0],
                Err(e) => return e,
            };
            let mut n = match a.get(1) {
                None | Some(Value::Nil) => 8,
                Some(v) => match number(v) {
                    Some(n) => tobit(n),
                    None => return bad_arg(lua, 2, "tohex", "number", v),
                },
            };
            let upper = n < 0;
            if upper {
                n = -n;
            }
            let n = n.clamp(1, 8) as usize;
            let mut s = if upper {
                format!("{:08X}", x as u32)
            } else {
                format!("{:08x}", x as u32)
            };
            s = s[8 - n..].to_string();
            ok_values(vec![Value::String(lua.create_string(&s)?)])
        })?,
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// struct
// ---------------------------------------------------------------------------

struct Fmt<'a> {
    f: &'a [u8],
    i: usize,
    little: bool,
    align: usize,
}

enum Item {
    Pad,
    Int {
        size: usize,
        signed: bool,
    },
    Float,
    Double,
    /// Zero-terminated string.
    Zstr,
    /// Fixed-size string; 0 = the length is the previous value.
    Chars(usize),
    Align,
}

impl Fmt<'_> {
    fn num(&mut self, default: usize) -> usize {
        let start = self.i;
        let mut n = 0usize;
        while self.i < self.f.len() && self.f[self.i].is_ascii_digit() {
            n = n.saturating_mul(10).saturating_add((self.f[self.i] - b'0') as usize);
            self.i += 1;
        }
        if self.i == start {
            default
        } else {
            n
        }
    }

    /// The next item and its size, or an error message.
    fn next(&mut self) -> Option<Result<(Item, usize), String>> {
        loop {
            let c = *self.f.get(self.i)?;
            self.i += 1;
            let item = match c {
                b' ' => continue,
                b'>' => {
                    self.little = false;
                    continue;
                }
                b'<' => {
                    self.little = true;
                    continue;
                }
                b'=' => {
                    self.little = cfg!(target_endian = "little");
                    continue;
                }
                b'!' => {
                    self.align = self.num(8);
                    continue;
                }
                b'x' => (Item::Pad, 1),
                b'b' => (Item::Int { size: 1, signed: true }, 1),
                b'B' => (Item::Int { size: 1, signed: false }, 1),
                b'h' => (Item::Int { size: 2, signed: true }, 2),
                b'H' => (Item::Int { size: 2, signed: false }, 2),
                b'l' => (Item::Int { size: 8, signed: true }, 8),
                b'L' => (Item::Int { size: 8, signed: false }, 8),
                b'T' => (Item::Int { size: 8, signed: false }, 8),
                b'i' | b'I' => {
                    let n = self.num(4);
                    if n == 0 || n > 8 {
                        return Some(Err(format!("integral size {n} is larger than limit of 8")));
                    }
                    (
                        Item::Int {
                            size: n,
                            signed: c == b'i',
                        },
                        n,
                    )
                }
                b'f' => (Item::Float, 4),
                b'd' => (Item::Double, 8),
                b's' => (Item::Zstr, 0),
                b'c' => {
                    let n = self.num(1);
                    (Item::Chars(n), n)
                }
                b'0'..=b'9' => return Some(Err("invalid format option '0'".replace('0', &(c as char).to_string()))),
                b'X' => (Item::Align, 0),
                other => return Some(Err(format!("invalid format option '{}'", other as char))),
            };
            return Some(Ok(item));
        }
    }

    fn padding(&self, len: usize, size: usize) -> usize {
        let align = size.min(self.align);
        if align <= 1 || !align.is_power_of_two() {
            return 0;
        }
        (align - (len & (align - 1))) & (align - 1)
    }
}

fn struct_fmt(lua: &Lua, v: &[Value], func: &str) -> Result<Vec<u8>, LResult> {
    match v.first() {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(other) => Err(bad_arg(lua, 1, func, "string", other)),
        None => Err(bad_arg(lua, 1, func, "string", &Value::Nil)),
    }
}

fn struct_pack(lua: &Lua, a: MultiValue) -> LResult {
    let v: Vec<Value> = a.into_iter().collect();
    let f = match struct_fmt(lua, &v, "pack") {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut fmt = Fmt {
        f: &f,
        i: 0,
        little: cfg!(target_endian = "little"),
        align: 1,
    };
    let mut out: Vec<u8> = Vec::new();
    let mut arg = 1;
    while let Some(item) = fmt.next() {
        let (item, size) = match item {
            Ok(x) => x,
            Err(m) => return fail_here(lua, &format!("bad argument #1 to 'pack' ({m})")),
        };
        let pad = fmt.padding(out.len(), size);
        out.resize(out.len() + pad, 0);
        match item {
            Item::Pad => out.push(0),
            Item::Align => {}
            Item::Int { size, .. } => {
                let val = v.get(arg).unwrap_or(&Value::Nil);
                let Some(n) = number(val) else {
                    return bad_arg(lua, arg + 1, "pack", "number", val);
                };
                arg += 1;
                let x = if n < 0.0 { n as i64 as u64 } else { n as u64 };
                let bytes = x.to_le_bytes();
                if fmt.little {
                    out.extend_from_slice(&bytes[..size]);
                } else {
                    out.extend(bytes[..size].iter().rev());
                }
            }
            Item::Float | Item::Double => {
                let val = v.get(arg).unwrap_or(&Value::Nil);
                let Some(n) = number(val) else {
                    return bad_arg(lua, arg + 1, "pack", "number", val);
                };
                arg += 1;
                let bytes = if matches!(item, Item::Float) {
                    (n as f32).to_le_bytes().to_vec()
                } else {
                    n.to_le_bytes().to_vec()
                };
                if fmt.little {
                    out.extend_from_slice(&bytes);
                } else {
                    out.extend(bytes.iter().rev());
                }
            }
            Item::Zstr | Item::Chars(_) => {
                let val = v.get(arg).unwrap_or(&Value::Nil);
                let Some(s) = super::arg_bytes(lua, val) else {
                    return bad_arg(lua, arg + 1, "pack", "string", val);
                };
                arg += 1;
                match item {
                    Item::Zstr => {
                        if s.contains(&0) {
                            return fail_here(lua, &format!("bad argument #{arg} to 'pack' (string contains zeros)"));
                        }
                        out.extend_from_slice(&s);
                        out.push(0);
                    }
                    Item::Chars(n) => {
                        let n = if n == 0 { s.len() } else { n };
                        if s.len() < n {
                            return fail_here(lua, &format!("bad argument #{arg} to 'pack' (string too short)"));
                        }
                        out.extend_from_slice(&s[..n]);
                    }
                    _ => {}
                }
            }
        }
    }
    ok_values(vec![Value::String(lua.create_string(&out)?)])
}

fn struct_unpack(lua: &Lua, a: MultiValue) -> LResult {
    let v: Vec<Value> = a.into_iter().collect();
    let f = match struct_fmt(lua, &v, "unpack") {
        Ok(f) => f,
        Err(e) => return e,
    };
    let data = match v.get(1) {
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        other => return bad_arg(lua, 2, "unpack", "string", other.unwrap_or(&Value::Nil)),
    };
    let mut pos = match v.get(2) {
        None | Some(Value::Nil) => 0,
        Some(x) => match number(x) {
            Some(n) if n >= 1.0 => n as usize - 1,
            Some(_) => return fail_here(lua, "bad argument #3 to 'unpack' (offset must be 1 or greater)"),
            None => return bad_arg(lua, 3, "unpack", "number", x),
        },
    };
    let mut fmt = Fmt {
        f: &f,
        i: 0,
        little: cfg!(target_endian = "little"),
        align: 1,
    };
    let mut out: Vec<Value> = Vec::new();
    let too_short = |lua: &Lua| fail_here(lua, "bad argument #2 to 'unpack' (data string too short)");
    while let Some(item) = fmt.next() {
        let (item, size) = match item {
            Ok(x) => x,
            Err(m) => return fail_here(lua, &format!("bad argument #1 to 'unpack' ({m})")),
        };
        pos += fmt.padding(pos, size);
        match item {
            Item::Pad => pos += 1,
            Item::Align => {}
            Item::Int { size, signed } => {
                let Some(b) = data.get(pos..pos + size) else {
                    return too_short(lua);
                };
                let mut x: u64 = 0;
                if fmt.little {
                    for (i, &c) in b.iter().enumerate() {
                        x |= (c as u64) << (8 * i);
                    }
                } else {
                    for &c in b {
                        x = (x << 8) | c as u64;
                    }
                }
                let n = if signed && size < 8 && x & (1 << (size * 8 - 1)) != 0 {
                    (x as i64 - (1i64 << (size * 8))) as f64
                } else if signed {
                    x as i64 as f64
                } else {
                    x as f64
                };
                out.push(Value::Number(n));
                pos += size;
            }
            Item::Float | Item::Double => {
                let Some(b) = data.get(pos..pos + size) else {
                    return too_short(lua);
                };
                let mut bytes = b.to_vec();
                if !fmt.little {
                    bytes.reverse();
                }
                let n = if size == 4 {
                    f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as f64
                } else {
                    let mut arr = [0u8; 8];
                    arr.copy_from_slice(&bytes);
                    f64::from_le_bytes(arr)
                };
                out.push(Value::Number(n));
                pos += size;
            }
            Item::Zstr => {
                let rest = data.get(pos..).unwrap_or(&[]);
                let Some(end) = memchr::memchr(0, rest) else {
                    return fail_here(lua, "bad argument #2 to 'unpack' (unfinished string in data)");
                };
                out.push(Value::String(lua.create_string(&rest[..end])?));
                pos += end + 1;
            }
            Item::Chars(n) => {
                let n = if n == 0 {
                    match out.pop().as_ref().and_then(number) {
                        Some(x) => x as usize,
                        None => {
                            return fail_here(lua, "bad argument #1 to 'unpack' (format 'c0' needs a previous size)")
                        }
                    }
                } else {
                    n
                };
                let Some(b) = data.get(pos..pos + n) else {
                    return too_short(lua);
                };
                out.push(Value::String(lua.create_string(b)?));
                pos += n;
            }
        }
    }
    out.push(Value::Number((pos + 1) as f64));
    ok_values(out)
}

fn struct_size(lua: &Lua, a: MultiValue) -> LResult {
    let v: Vec<Value> = a.into_iter().collect();
    let f = match struct_fmt(lua, &v, "size") {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut fmt = Fmt {
        f: &f,
        i: 0,
        little: true,
        align: 1,
    };
    let mut pos = 0usize;
    while let Some(item) = fmt.next() {
        let (item, size) = match item {
            Ok(x) => x,
            Err(m) => return fail_here(lua, &format!("bad argument #1 to 'size' ({m})")),
        };
        pos += fmt.padding(pos, size);
        match item {
            Item::Zstr => return fail_here(lua, "bad argument #1 to 'size' (option 's' has no fixed size)"),
            Item::Chars(0) => return fail_here(lua, "bad argument #1 to 'size' (option 'c0' has no fixed size)"),
            _ => pos += size,
        }
    }
    ok_values(vec![Value::Number(pos as f64)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g14() {
        assert_eq!(fmt_g14(1.0), "1");
        assert_eq!(fmt_g14(0.1), "0.1");
        assert_eq!(fmt_g14(12345.678901234567), "12345.678901235");
        assert_eq!(fmt_g14(1e20), "1e+20");
        assert_eq!(fmt_g14(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(fmt_g14(0.0001), "0.0001");
        assert_eq!(fmt_g14(0.00001), "1e-05");
        assert_eq!(fmt_g14(-2.5), "-2.5");
    }

    #[test]
    fn bit_conversion() {
        assert_eq!(tobit(4294967295.0), -1);
        assert_eq!(tobit(1.0), 1);
        assert_eq!(tobit(-1.0), -1);
        assert_eq!(tobit(2147483648.0), i32::MIN);
    }
}
