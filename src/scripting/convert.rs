//! Conversions between RESP replies and Lua values, as Redis 7.0 documents
//! them (script_lua.c's redisProtocolToLuaType and luaReplyToRedisReply).
//!
//! RESP → Lua reads the bytes a command left in the script client's reply
//! buffer, so whatever protocol `redis.setresp` chose is parsed back.
//! Lua → RESP writes into the caller's `ReplyBuf`, whose protocol decides
//! the final encoding (a RESP3 map becomes a flat array for RESP2).

use crate::reply::ReplyBuf;
use mlua::{Lua, Table, Value};

/// How deep a returned table may nest before Redis's stack limit error
/// (Redis reaches it near 8000 levels; mlua keeps a reference per level on
/// a stack of its own that holds about 8000, so fastkey stops earlier).
const MAX_DEPTH: usize = 1000;

/// The error text Redis keeps for an error reply or an error message:
/// `-CODE msg` keeps its code, a bare message gets `ERR` (luaPushErrorBuff).
pub fn error_text(raw: &[u8]) -> Vec<u8> {
    let (code, msg): (&[u8], &[u8]) = match raw.strip_prefix(b"-") {
        Some(rest) => match memchr::memchr(b' ', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (b"ERR", rest),
        },
        None => (b"ERR", raw),
    };
    let mut msg = msg;
    while let Some((&last, head)) = msg.split_last() {
        if last == b'\r' || last == b'\n' {
            msg = head;
        } else {
            break;
        }
    }
    while let Some((&first, tail)) = msg.split_first() {
        if first == b'\r' || first == b'\n' {
            msg = tail;
        } else {
            break;
        }
    }
    let mut out = code.to_vec();
    out.push(b' ');
    out.extend_from_slice(msg);
    out
}

/// A Lua error table `{err = text}`.
pub fn error_table(lua: &Lua, text: &[u8]) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("err", lua.create_string(text)?)?;
    Ok(t)
}

fn line(buf: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let rest = buf.get(*pos..)?;
    let end = memchr::memmem::find(rest, b"\r\n")?;
    let l = rest[..end].to_vec();
    *pos += end + 2;
    Some(l)
}

fn num(l: &[u8]) -> i64 {
    crate::util::string2ll(l).unwrap_or(0)
}

fn bulk(buf: &[u8], pos: &mut usize, len: i64) -> Option<Vec<u8>> {
    let len = usize::try_from(len).ok()?;
    let b = buf.get(*pos..*pos + len)?.to_vec();
    *pos += len + 2;
    Some(b)
}

/// Parses one reply at `buf[*pos..]` into a Lua value. A truncated buffer
/// (which a well-behaved command never leaves) gives nil.
pub fn resp_to_lua(lua: &Lua, buf: &[u8], pos: &mut usize) -> mlua::Result<Value> {
    let Some(&kind) = buf.get(*pos) else {
        return Ok(Value::Nil);
    };
    *pos += 1;
    let Some(l) = line(buf, pos) else {
        return Ok(Value::Nil);
    };
    Ok(match kind {
        b'+' => {
            let t = lua.create_table()?;
            t.raw_set("ok", lua.create_string(&l)?)?;
            Value::Table(t)
        }
        b'-' => {
            let mut raw = b"-".to_vec();
            raw.extend_from_slice(&l);
            Value::Table(error_table(lua, &error_text(&raw))?)
        }
        b':' => Value::Number(num(&l) as f64),
        b'$' => {
            let n = num(&l);
            if n < 0 {
                Value::Boolean(false)
            } else {
                match bulk(buf, pos, n) {
                    Some(b) => Value::String(lua.create_string(&b)?),
                    None => Value::Nil,
                }
            }
        }
        b'*' | b'>' => {
            let n = num(&l);
            if n < 0 {
                Value::Boolean(false)
            } else {
                let t = lua.create_table()?;
                for i in 1..=n {
                    let v = resp_to_lua(lua, buf, pos)?;
                    t.raw_set(i, v)?;
                }
                Value::Table(t)
            }
        }
        b'%' => {
            let inner = lua.create_table()?;
            for _ in 0..num(&l).max(0) {
                let k = resp_to_lua(lua, buf, pos)?;
                let v = resp_to_lua(lua, buf, pos)?;
                if !k.is_nil() {
                    inner.raw_set(k, v)?;
                }
            }
            let t = lua.create_table()?;
            t.raw_set("map", inner)?;
            Value::Table(t)
        }
        b'~' => {
            let inner = lua.create_table()?;
            for _ in 0..num(&l).max(0) {
                let k = resp_to_lua(lua, buf, pos)?;
                if !k.is_nil() {
                    inner.raw_set(k, true)?;
                }
            }
            let t = lua.create_table()?;
            t.raw_set("set", inner)?;
            Value::Table(t)
        }
        b'_' => Value::Nil,
        b'#' => Value::Boolean(l == b"t"),
        b',' => {
            let d = crate::util::string2d(&l).unwrap_or(match &l[..] {
                b"inf" => f64::INFINITY,
                b"-inf" => f64::NEG_INFINITY,
                _ => f64::NAN,
            });
            let t = lua.create_table()?;
            t.raw_set("double", d)?;
            Value::Table(t)
        }
        b'(' => {
            let t = lua.create_table()?;
            t.raw_set("big_number", lua.create_string(&l)?)?;
            Value::Table(t)
        }
        b'=' => {
            let b = bulk(buf, pos, num(&l)).unwrap_or_default();
            let (format, text) = if b.len() >= 4 {
                (&b[..3], &b[4..])
            } else {
                (&b"txt"[..], &b[..])
            };
            let inner = lua.create_table()?;
            inner.raw_set("string", lua.create_string(text)?)?;
            inner.raw_set("format", lua.create_string(format)?)?;
            let t = lua.create_table()?;
            t.raw_set("verbatim_string", inner)?;
            Value::Table(t)
        }
        b'|' => {
            // Attributes are skipped: the value follows them.
            for _ in 0..num(&l).max(0) * 2 {
                resp_to_lua(lua, buf, pos)?;
            }
            resp_to_lua(lua, buf, pos)?
        }
        _ => Value::Nil,
    })
}

/// What the script's return value became, for the caller's stats.
pub enum Outcome {
    Ok,
    /// An error reply; the flag says whether it counts in errorstats (an
    /// error already counted when a command inside the script failed
    /// does not count again).
    Error {
        counted: bool,
        text: Vec<u8>,
    },
}

/// Writes a Lua value as a reply, as Redis's luaReplyToRedisReply.
/// `script_resp` is the protocol chosen with `redis.setresp`, which decides
/// how booleans convert.
pub fn lua_to_resp(r: &mut ReplyBuf, v: &Value, script_resp: u8) -> Outcome {
    let mut out = Outcome::Ok;
    write_value(r, v, script_resp, 0, &mut out);
    out
}

fn set_error(out: &mut Outcome, counted: bool, text: Vec<u8>) {
    if matches!(out, Outcome::Ok) {
        *out = Outcome::Error { counted, text };
    }
}

fn status_text(b: &[u8]) -> Vec<u8> {
    b.iter()
        .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c })
        .collect()
}

fn write_value(r: &mut ReplyBuf, v: &Value, resp: u8, depth: usize, out: &mut Outcome) {
    if depth > MAX_DEPTH {
        let msg = b"ERR reached lua stack limit".to_vec();
        r.error_line(&msg);
        set_error(out, true, msg);
        return;
    }
    match v {
        Value::String(s) => r.bulk(&s.as_bytes()),
        Value::Boolean(b) => {
            if resp == 2 {
                if *b {
                    r.int(1)
                } else {
                    r.null()
                }
            } else {
                r.bool(*b)
            }
        }
        Value::Number(n) => r.int(f64_to_i64(*n)),
        Value::Integer(n) => r.int(*n),
        Value::Table(t) => write_table(r, t, resp, depth, out),
        _ => r.null(),
    }
}

/// C's `(long long)` cast of a double: truncation, saturating here where C
/// is undefined.
pub fn f64_to_i64(n: f64) -> i64 {
    // x86's cvttsd2si: NaN and out-of-range values give i64::MIN.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if n.is_nan() || !(-TWO_POW_63..TWO_POW_63).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

fn write_table(r: &mut ReplyBuf, t: &Table, resp: u8, depth: usize, out: &mut Outcome) {
    // Error reply: {err = "..."}.
    if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
        let text = e.as_bytes().to_vec();
        let ignore = matches!(
            t.raw_get::<Value>("ignore_error_stats_update"),
            Ok(Value::Boolean(true))
        );
        let mut line = text.clone();
        if line.first() == Some(&b'-') {
            line.remove(0);
        }
        r.error_line(&line);
        set_error(out, !ignore, line);
        return;
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("ok") {
        r.status(&status_text(&s.as_bytes()));
        return;
    }
    if let Ok(Value::Number(d)) = t.raw_get::<Value>("double") {
        r.double(d);
        return;
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("big_number") {
        let digits: Vec<u8> = status_text(&s.as_bytes());
        r.big_number(&digits);
        return;
    }
    if let Ok(Value::Table(m)) = t.raw_get::<Value>("map") {
        let pos = r.defer_len();
        let mut n = 0;
        for (k, v) in m.pairs::<Value, Value>().flatten() {
            write_value(r, &k, resp, depth + 1, out);
            write_value(r, &v, resp, depth + 1, out);
            n += 1;
        }
        r.set_deferred(pos, b'%', n);
        return;
    }
    if let Ok(Value::Table(s)) = t.raw_get::<Value>("set") {
        let pos = r.defer_len();
        let mut n = 0;
        for (k, _) in s.pairs::<Value, Value>().flatten() {
            write_value(r, &k, resp, depth + 1, out);
            n += 1;
        }
        r.set_deferred(pos, b'~', n);
        return;
    }
    if let Ok(Value::Table(vs)) = t.raw_get::<Value>("verbatim_string") {
        let text = match vs.raw_get::<Value>("string") {
            Ok(Value::String(s)) => s.as_bytes().to_vec(),
            _ => Vec::new(),
        };
        let format = match vs.raw_get::<Value>("format") {
            Ok(Value::String(s)) if s.as_bytes().len() == 3 => {
                let b = s.as_bytes();
                [b[0], b[1], b[2]]
            }
            _ => *b"txt",
        };
        r.verbatim(&text, &format);
        return;
    }
    // An array: elements 1, 2, ... up to the first nil.
    let pos = r.defer_len();
    let mut n = 0;
    loop {
        let v: Value = t.raw_get(n + 1).unwrap_or(Value::Nil);
        if v.is_nil() {
            break;
        }
        write_value(r, &v, resp, depth + 1, out);
        n += 1;
    }
    r.set_deferred(pos, b'*', n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_texts() {
        assert_eq!(error_text(b"-WRONGTYPE Operation"), b"WRONGTYPE Operation");
        assert_eq!(error_text(b"-FOO"), b"ERR FOO");
        assert_eq!(error_text(b"plain words"), b"ERR plain words");
        assert_eq!(error_text(b"-ERR x\r\n"), b"ERR x");
    }

    #[test]
    fn truncation() {
        assert_eq!(f64_to_i64(3.99), 3);
        assert_eq!(f64_to_i64(-3.99), -3);
        assert_eq!(f64_to_i64(1e300), i64::MIN);
        assert_eq!(f64_to_i64(f64::INFINITY), i64::MIN);
    }
}
