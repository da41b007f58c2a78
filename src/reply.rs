//! Reply encoding into a client's output buffer, in RESP2 or RESP3.
//!
//! Every helper appends straight into the buffer; constant replies are
//! static bytes and numbers are formatted without allocating. Where RESP2
//! and RESP3 differ (maps, sets, nulls, doubles, booleans, push frames) the
//! helper picks the form for the client's protocol, as Redis's `addReply*`
//! family does.

use crate::util;

pub const OK: &[u8] = b"+OK\r\n";
pub const PONG: &[u8] = b"+PONG\r\n";
pub const ZERO: &[u8] = b":0\r\n";
pub const ONE: &[u8] = b":1\r\n";
pub const NULL_BULK2: &[u8] = b"$-1\r\n";
pub const NULL3: &[u8] = b"_\r\n";

/// A client's pending output and the protocol it speaks.
pub struct ReplyBuf {
    pub buf: Vec<u8>,
    pub resp: u8,
}

impl ReplyBuf {
    pub fn new() -> Self {
        ReplyBuf {
            buf: Vec::new(),
            resp: 2,
        }
    }

    #[inline]
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    #[inline]
    pub fn ok(&mut self) {
        self.raw(OK);
    }

    /// `+<s>\r\n`; the text must not contain CR or LF.
    pub fn status(&mut self, s: &[u8]) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(s);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `-<s>\r\n`, with CR/LF replaced by spaces so the reply stays one line.
    /// Callers count the error in errorstats; see `Ctx::error`.
    pub fn error_line(&mut self, s: &[u8]) {
        self.buf.push(b'-');
        self.buf
            .extend(s.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
        self.buf.extend_from_slice(b"\r\n");
    }

    #[inline]
    pub fn int(&mut self, v: i64) {
        match v {
            0 => self.raw(ZERO),
            1 => self.raw(ONE),
            _ => self.prefixed_int(b':', v),
        }
    }

    #[inline]
    fn prefixed_int(&mut self, prefix: u8, v: i64) {
        self.buf.push(prefix);
        util::push_i64(&mut self.buf, v);
        self.buf.extend_from_slice(b"\r\n");
    }

    #[inline]
    pub fn bulk(&mut self, b: &[u8]) {
        self.prefixed_int(b'$', b.len() as i64);
        self.buf.extend_from_slice(b);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An integer sent as a bulk string (e.g. GET of an int-encoded value).
    pub fn bulk_int(&mut self, v: i64) {
        let mut tmp = Vec::with_capacity(20);
        util::push_i64(&mut tmp, v);
        self.bulk(&tmp);
    }

    /// The null bulk string: `$-1` in RESP2, `_` in RESP3.
    #[inline]
    pub fn null(&mut self) {
        if self.resp >= 3 {
            self.raw(NULL3)
        } else {
            self.raw(NULL_BULK2)
        }
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        if self.resp >= 3 {
            self.raw(NULL3)
        } else {
            self.raw(b"*-1\r\n")
        }
    }

    #[inline]
    pub fn array_len(&mut self, n: usize) {
        self.prefixed_int(b'*', n as i64);
    }

    /// A map header: `%n` in RESP3, an array of 2n in RESP2.
    pub fn map_len(&mut self, n: usize) {
        if self.resp >= 3 {
            self.prefixed_int(b'%', n as i64)
        } else {
            self.array_len(n * 2)
        }
    }

    /// A set header: `~n` in RESP3, an array in RESP2.
    pub fn set_len(&mut self, n: usize) {
        if self.resp >= 3 {
            self.prefixed_int(b'~', n as i64)
        } else {
            self.array_len(n)
        }
    }

    /// A push header: `>n` in RESP3, an array in RESP2 (pub/sub messages).
    pub fn push_len(&mut self, n: usize) {
        if self.resp >= 3 {
            self.prefixed_int(b'>', n as i64)
        } else {
            self.array_len(n)
        }
    }

    /// An attribute header (`|n`, RESP3 only; callers skip it in RESP2).
    pub fn attribute_len(&mut self, n: usize) {
        self.prefixed_int(b'|', n as i64)
    }

    /// A double: `,<d>` in RESP3, a bulk string in RESP2, printed as Redis 7.0
    /// prints doubles (`%.17g`, `inf`, `-inf`).
    pub fn double(&mut self, d: f64) {
        let mut tmp = Vec::with_capacity(32);
        util::fmt_double(&mut tmp, d);
        if self.resp >= 3 {
            self.buf.push(b',');
            self.buf.extend_from_slice(&tmp);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(&tmp);
        }
    }

    /// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn bool(&mut self, b: bool) {
        if self.resp >= 3 {
            self.raw(if b { b"#t\r\n" } else { b"#f\r\n" })
        } else {
            self.int(b as i64)
        }
    }

    /// A big number: `(n` in RESP3, a bulk string in RESP2.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.resp >= 3 {
            self.buf.push(b'(');
            self.buf.extend_from_slice(digits);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(digits)
        }
    }

    /// Verbatim text (`=len\r\ntxt:...`) in RESP3, a bulk string in RESP2.
    pub fn verbatim(&mut self, text: &[u8], format: &[u8; 3]) {
        if self.resp >= 3 {
            self.prefixed_int(b'=', text.len() as i64 + 4);
            self.buf.extend_from_slice(format);
            self.buf.push(b':');
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text)
        }
    }

    /// Starts an aggregate whose length is not yet known; see `set_deferred`.
    pub fn defer_len(&mut self) -> usize {
        self.buf.len()
    }

    /// Inserts the header of a deferred aggregate at `pos`. `kind` is one of
    /// `b'*'`, `b'%'` (map, n pairs), `b'~'` (set).
    pub fn set_deferred(&mut self, pos: usize, kind: u8, n: usize) {
        let (prefix, count) = match kind {
            b'%' if self.resp < 3 => (b'*', n * 2),
            b'~' if self.resp < 3 => (b'*', n),
            k => (k, n),
        };
        let mut hdr = Vec::with_capacity(24);
        hdr.push(prefix);
        util::push_u64(&mut hdr, count as u64);
        hdr.extend_from_slice(b"\r\n");
        self.buf.splice(pos..pos, hdr);
    }
}

impl Default for ReplyBuf {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_and_resp3_forms() {
        let mut r = ReplyBuf::new();
        r.map_len(2);
        r.null();
        r.double(1.5);
        r.bool(true);
        assert_eq!(r.buf, b"*4\r\n$-1\r\n$3\r\n1.5\r\n:1\r\n");
        let mut r = ReplyBuf { buf: vec![], resp: 3 };
        r.map_len(2);
        r.null();
        r.double(1.5);
        r.bool(true);
        assert_eq!(r.buf, b"%2\r\n_\r\n,1.5\r\n#t\r\n");
    }

    #[test]
    fn deferred_header() {
        let mut r = ReplyBuf::new();
        r.raw(b"+x\r\n");
        let p = r.defer_len();
        r.bulk(b"a");
        r.bulk(b"b");
        r.set_deferred(p, b'%', 1);
        assert_eq!(r.buf, b"+x\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    }

    #[test]
    fn errors_stay_one_line() {
        let mut r = ReplyBuf::new();
        r.error_line(b"ERR a\r\nb");
        assert_eq!(r.buf, b"-ERR a  b\r\n");
    }
}
