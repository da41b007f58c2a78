//! Incremental RESP request parser (multibulk and inline), in the manner of
//! Redis's `processMultibulkBuffer` / `processInlineBuffer`.
//!
//! The parser never copies a multibulk argument: it records each argument as
//! a span of the client's query buffer, and its state (arguments still
//! expected, length of the current bulk, position) survives between reads,
//! so a big argument arriving in many pieces is never rescanned. It never
//! writes a reply either: it returns an error kind and the caller answers
//! `-ERR Protocol error: ...` and closes the connection after the reply.

use memchr::memchr;
use std::ops::Range;

/// Longest inline request, and longest count line Redis waits for.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// A client that has not authenticated may send at most this many arguments...
const UNAUTH_MAX_MULTIBULK: i64 = 10;
/// ...each at most this long.
const UNAUTH_MAX_BULK: i64 = 16384;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtoError {
    TooBigInline,
    UnbalancedQuotes,
    TooBigMbulkCount,
    InvalidMultibulkLength,
    UnauthMultibulkLength,
    TooBigBulkCount,
    ExpectedDollar(u8),
    InvalidBulkLength,
    UnauthBulkLength,
}

impl ProtoError {
    /// The reply text after `-ERR `, exactly as Redis words it.
    pub fn message(&self) -> String {
        let what = match self {
            ProtoError::TooBigInline => "too big inline request".to_string(),
            ProtoError::UnbalancedQuotes => "unbalanced quotes in request".to_string(),
            ProtoError::TooBigMbulkCount => "too big mbulk count string".to_string(),
            ProtoError::InvalidMultibulkLength => "invalid multibulk length".to_string(),
            ProtoError::UnauthMultibulkLength => "unauthenticated multibulk length".to_string(),
            ProtoError::TooBigBulkCount => "too big bulk count string".to_string(),
            ProtoError::ExpectedDollar(c) => format!("expected '$', got '{}'", *c as char),
            ProtoError::InvalidBulkLength => "invalid bulk length".to_string(),
            ProtoError::UnauthBulkLength => "unauthenticated bulk length".to_string(),
        };
        format!("Protocol error: {what}")
    }

    /// The wording Redis logs for this error (setProtocolError), which
    /// differs from the reply.
    pub fn log_reason(&self) -> &'static str {
        match self {
            ProtoError::TooBigInline => "too big inline request",
            ProtoError::UnbalancedQuotes => "unbalanced quotes in inline request",
            ProtoError::TooBigMbulkCount => "too big mbulk count string",
            ProtoError::InvalidMultibulkLength => "invalid mbulk count",
            ProtoError::UnauthMultibulkLength => "unauth mbulk count",
            ProtoError::TooBigBulkCount => "too big bulk count string",
            ProtoError::ExpectedDollar(_) => "expected $ but got something else",
            ProtoError::InvalidBulkLength => "invalid bulk length",
            ProtoError::UnauthBulkLength => "unauth bulk length",
        }
    }
}

/// The sample of the query buffer Redis logs with a protocol error: up to
/// 128 bytes (head and tail of a longer buffer), non-printable bytes as
/// `.`, each part ending at a NUL byte as C strings do.
pub fn protocol_dump(q: &[u8]) -> String {
    const DUMP: usize = 128;
    let cstr = |b: &[u8]| -> Vec<u8> { b.iter().take_while(|&&c| c != 0).copied().collect() };
    let mut s: Vec<u8> = b"Query buffer during protocol error: '".to_vec();
    if q.len() < DUMP {
        s.extend(cstr(q));
    } else {
        s.extend(cstr(&q[..DUMP / 2]));
        s.extend_from_slice(format!("' (... more {} bytes ...) '", q.len() - DUMP).as_bytes());
        s.extend(cstr(&q[q.len() - DUMP / 2..]));
    }
    s.push(b'\'');
    s.truncate(255);
    s.iter()
        .map(|&c| if (0x20..0x7f).contains(&c) { c as char } else { '.' })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole command is ready: its arguments are `Parser::argv(buf)`.
    Command,
    /// More bytes are needed.
    Incomplete,
    Error(ProtoError),
}

/// Limits that depend on the client and the configuration.
#[derive(Clone, Copy)]
pub struct Limits {
    pub authenticated: bool,
    pub proto_max_bulk_len: i64,
}

#[derive(Default)]
pub struct Parser {
    /// Where parsing resumes in the query buffer.
    pos: usize,
    /// Start of the command being parsed: everything before it is consumed.
    cmd_start: usize,
    /// Bulk arguments still expected; 0 when not inside a multibulk.
    multibulk_left: i64,
    /// Length of the bulk being read, or -1 while its `$` header is pending.
    bulk_len: i64,
    /// Arguments of the current command, as spans of the query buffer (or of
    /// `inline_args` for an inline command).
    spans: Vec<Range<usize>>,
    inline: bool,
    inline_args: Vec<u8>,
}

impl Parser {
    pub fn new() -> Parser {
        Parser {
            bulk_len: -1,
            ..Default::default()
        }
    }

    /// Bytes of the query buffer already consumed by complete commands.
    pub fn consumed(&self) -> usize {
        self.cmd_start
    }

    /// How many more bytes the current bulk argument needs, for sizing reads
    /// of big arguments. 0 when unknown.
    pub fn pending_bulk_bytes(&self, buf_len: usize) -> usize {
        if self.multibulk_left > 0 && self.bulk_len >= 0 {
            let need = self.pos + self.bulk_len as usize + 2;
            need.saturating_sub(buf_len)
        } else {
            0
        }
    }

    /// The arguments of the command just returned by `parse`.
    pub fn argv<'a>(&'a self, buf: &'a [u8]) -> Argv<'a> {
        Argv {
            buf: if self.inline { &self.inline_args } else { buf },
            spans: &self.spans,
        }
    }

    /// Marks the last parsed command as done, ready to parse the next one.
    pub fn command_done(&mut self) {
        self.spans.clear();
        self.inline = false;
        self.cmd_start = self.pos;
    }

    /// Forgets a command just returned by `parse`, so the next `parse`
    /// returns it again (a client postponed by CLIENT PAUSE).
    pub fn rewind_command(&mut self) {
        self.pos = self.cmd_start;
        self.multibulk_left = 0;
        self.bulk_len = -1;
        self.spans.clear();
        self.inline = false;
    }

    /// Forgets the first `n` bytes, after the caller removed them from the
    /// front of the query buffer (`n <= consumed()`).
    pub fn shift(&mut self, n: usize) {
        debug_assert!(n <= self.cmd_start);
        self.pos -= n;
        self.cmd_start -= n;
        for s in self.spans.iter_mut() {
            *s = (s.start - n)..(s.end - n);
        }
    }

    pub fn parse(&mut self, buf: &[u8], limits: Limits) -> Parsed {
        loop {
            if self.pos >= buf.len() {
                return Parsed::Incomplete;
            }
            if self.multibulk_left == 0 {
                if buf[self.pos] == b'*' {
                    match self.multibulk_header(buf, limits) {
                        Ok(Some(0)) => {
                            // `*0` or a negative count: an empty command.
                            self.cmd_start = self.pos;
                            continue;
                        }
                        Ok(Some(_)) => {}
                        Ok(None) => return Parsed::Incomplete,
                        Err(e) => return Parsed::Error(e),
                    }
                } else {
                    match self.inline_command(buf) {
                        Ok(Some(true)) => return Parsed::Command,
                        Ok(Some(false)) => continue, // empty line
                        Ok(None) => return Parsed::Incomplete,
                        Err(e) => return Parsed::Error(e),
                    }
                }
            }
            match self.bulks(buf, limits) {
                Ok(true) => return Parsed::Command,
                Ok(false) => return Parsed::Incomplete,
                Err(e) => return Parsed::Error(e),
            }
        }
    }

    /// Parses `*<count>\r\n`. Returns the count, 0 for an empty command.
    fn multibulk_header(&mut self, buf: &[u8], limits: Limits) -> Result<Option<i64>, ProtoError> {
        let rest = &buf[self.pos..];
        let Some(cr) = memchr(b'\r', rest) else {
            if rest.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtoError::TooBigMbulkCount);
            }
            return Ok(None);
        };
        if cr + 2 > rest.len() {
            return Ok(None);
        }
        let count = parse_len(&rest[1..cr]).ok_or(ProtoError::InvalidMultibulkLength)?;
        if count > i32::MAX as i64 {
            return Err(ProtoError::InvalidMultibulkLength);
        }
        if !limits.authenticated && count > UNAUTH_MAX_MULTIBULK {
            return Err(ProtoError::UnauthMultibulkLength);
        }
        self.pos += cr + 2;
        if count <= 0 {
            return Ok(Some(0));
        }
        self.multibulk_left = count;
        self.bulk_len = -1;
        self.spans.clear();
        // Never reserve more than a modest amount on the word of a header.
        self.spans.reserve(count.min(1024) as usize);
        Ok(Some(count))
    }

    /// Reads bulk arguments; true when the command is complete.
    fn bulks(&mut self, buf: &[u8], limits: Limits) -> Result<bool, ProtoError> {
        while self.multibulk_left > 0 {
            if self.bulk_len == -1 {
                let rest = &buf[self.pos..];
                if rest.is_empty() {
                    return Ok(false);
                }
                let Some(cr) = memchr(b'\r', rest) else {
                    if rest.len() > PROTO_INLINE_MAX_SIZE {
                        return Err(ProtoError::TooBigBulkCount);
                    }
                    return Ok(false);
                };
                if cr + 2 > rest.len() {
                    return Ok(false);
                }
                if rest[0] != b'$' {
                    return Err(ProtoError::ExpectedDollar(rest[0]));
                }
                let len = parse_len(&rest[1..cr]).ok_or(ProtoError::InvalidBulkLength)?;
                if len < 0 || len > limits.proto_max_bulk_len {
                    return Err(ProtoError::InvalidBulkLength);
                }
                if !limits.authenticated && len > UNAUTH_MAX_BULK {
                    return Err(ProtoError::UnauthBulkLength);
                }
                self.pos += cr + 2;
                self.bulk_len = len;
            }
            let len = self.bulk_len as usize;
            // As in Redis, the two bytes after the payload are skipped unchecked.
            let Some(end) = self.pos.checked_add(len + 2) else {
                return Err(ProtoError::InvalidBulkLength);
            };
            if end > buf.len() {
                return Ok(false);
            }
            self.spans.push(self.pos..self.pos + len);
            self.pos = end;
            self.bulk_len = -1;
            self.multibulk_left -= 1;
        }
        Ok(true)
    }

    /// Parses one inline line. Some(false) for an empty line.
    fn inline_command(&mut self, buf: &[u8]) -> Result<Option<bool>, ProtoError> {
        let rest = &buf[self.pos..];
        let Some(nl) = memchr(b'\n', rest) else {
            if rest.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtoError::TooBigInline);
            }
            return Ok(None);
        };
        let mut line = &rest[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let args = split_args(line).ok_or(ProtoError::UnbalancedQuotes)?;
        self.pos += nl + 1;
        if args.is_empty() {
            self.cmd_start = self.pos;
            return Ok(Some(false));
        }
        self.inline_args.clear();
        self.spans.clear();
        for a in args {
            let start = self.inline_args.len();
            self.inline_args.extend_from_slice(&a);
            self.spans.push(start..self.inline_args.len());
        }
        self.inline = true;
        Ok(Some(true))
    }
}

/// Lengths are parsed with Redis's strict `string2ll` (which rejects "-0"
/// and accepts i64::MIN, as `*-9223372036854775808` shows).
fn parse_len(s: &[u8]) -> Option<i64> {
    crate::util::string2ll(s)
}

/// The arguments of one command: byte slices, looked up by index.
#[derive(Clone, Copy)]
pub struct Argv<'a> {
    buf: &'a [u8],
    spans: &'a [Range<usize>],
}

impl<'a> Argv<'a> {
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    #[inline]
    pub fn get(&self, i: usize) -> &'a [u8] {
        &self.buf[self.spans[i].clone()]
    }
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.spans.iter().map(|s| &self.buf[s.clone()])
    }
}

impl std::ops::Index<usize> for Argv<'_> {
    type Output = [u8];
    fn index(&self, i: usize) -> &[u8] {
        &self.buf[self.spans[i].clone()]
    }
}

/// Arguments owned outside the query buffer: queued MULTI commands (and
/// later blocked commands, scripts, the AOF and replication).
#[derive(Clone, Default, Debug)]
pub struct OwnedArgv {
    buf: Vec<u8>,
    spans: Vec<Range<usize>>,
}

impl OwnedArgv {
    pub fn from_argv(argv: &Argv) -> Self {
        let mut o = OwnedArgv {
            buf: Vec::with_capacity(argv.iter().map(<[u8]>::len).sum()),
            spans: Vec::with_capacity(argv.len()),
        };
        for a in argv.iter() {
            let start = o.buf.len();
            o.buf.extend_from_slice(a);
            o.spans.push(start..o.buf.len());
        }
        o
    }

    /// From owned arguments (a blocked command saved with its IDs resolved).
    pub fn from_vecs(args: &[Vec<u8>]) -> Self {
        Self::from_slices(args.iter().map(|a| &a[..]))
    }

    /// Arguments copied from byte slices (commands called by scripts).
    pub fn from_slices<'a>(args: impl Iterator<Item = &'a [u8]>) -> Self {
        let mut o = OwnedArgv::default();
        for a in args {
            let start = o.buf.len();
            o.buf.extend_from_slice(a);
            o.spans.push(start..o.buf.len());
        }
        o
    }

    pub fn view(&self) -> Argv<'_> {
        Argv {
            buf: &self.buf,
            spans: &self.spans,
        }
    }

    /// Bytes held, for CLIENT LIST's `multi-mem`.
    pub fn mem(&self) -> usize {
        self.buf.capacity() + self.spans.capacity() * std::mem::size_of::<Range<usize>>()
    }
}

/// Splits a line into arguments the way Redis's `sdssplitargs` does (inline
/// commands, config files, redis-cli): spaces separate, double quotes allow
/// `\n \r \t \b \a \\ \" \xHH`, single quotes allow `\'`; a closing quote
/// must be followed by a space or the end. None for unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(args);
        }
        let mut cur = Vec::new();
        let (mut inq, mut insq) = (false, false);
        loop {
            if inq {
                if i >= n {
                    return None;
                }
                if line[i] == b'\\' && i + 3 < n && line[i + 1] == b'x' {
                    if let (Some(h), Some(l)) = (hex(line[i + 2]), hex(line[i + 3])) {
                        cur.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if line[i] == b'\\' && i + 1 < n {
                    cur.push(match line[i + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        c => c,
                    });
                    i += 2;
                    continue;
                }
                if line[i] == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                cur.push(line[i]);
                i += 1;
            } else if insq {
                if i >= n {
                    return None;
                }
                if line[i] == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    cur.push(b'\'');
                    i += 2;
                    continue;
                }
                if line[i] == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                cur.push(line[i]);
                i += 1;
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    c if is_space(c) => break,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    c => cur.push(c),
                }
                i += 1;
            }
        }
        args.push(cur);
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits {
        authenticated: true,
        proto_max_bulk_len: 512 * 1024 * 1024,
    };

    /// Parses `input` fed in the given chunk sizes; returns the commands
    /// or the first error.
    fn feed(input: &[u8], chunks: &[usize]) -> Result<Vec<Vec<Vec<u8>>>, ProtoError> {
        let mut p = Parser::new();
        let mut buf = Vec::new();
        let mut out = Vec::new();
        let mut off = 0;
        let mut ci = 0;
        while off < input.len() {
            let step = chunks[ci % chunks.len()].max(1).min(input.len() - off);
            ci += 1;
            buf.extend_from_slice(&input[off..off + step]);
            off += step;
            loop {
                match p.parse(&buf, LIM) {
                    Parsed::Command => {
                        out.push(p.argv(&buf).iter().map(|a| a.to_vec()).collect());
                        p.command_done();
                    }
                    Parsed::Incomplete => break,
                    Parsed::Error(e) => return Err(e),
                }
            }
            let n = p.consumed();
            buf.drain(..n);
            p.shift(n);
        }
        Ok(out)
    }

    fn cmds(v: &[&[&str]]) -> Vec<Vec<Vec<u8>>> {
        v.iter()
            .map(|c| c.iter().map(|a| a.as_bytes().to_vec()).collect())
            .collect()
    }

    #[test]
    fn multibulk_and_inline() {
        let input =
            b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\nPING\r\nset a \"b c\"\n\r\n*0\r\n*1\r\n$0\r\n\r\n";
        let want = cmds(&[&["SET", "key", "va\r\nl"], &["PING"], &["set", "a", "b c"], &[""]]);
        assert_eq!(feed(input, &[input.len()]).unwrap(), want);
    }

    #[test]
    fn random_chunk_splits_match_one_shot() {
        let mut input = Vec::new();
        for i in 0..200 {
            let v = "x".repeat(i * 7 % 300);
            input.extend_from_slice(
                format!(
                    "*3\r\n$3\r\nSET\r\n${}\r\nk{}\r\n${}\r\n{}\r\n",
                    1 + i.to_string().len(),
                    i,
                    v.len(),
                    v
                )
                .as_bytes(),
            );
            if i % 10 == 0 {
                input.extend_from_slice(b"GET 'a b' c\r\n");
            }
        }
        let one = feed(&input, &[input.len()]).unwrap();
        assert_eq!(one.len(), 220);
        let mut seed = 12345u64;
        for _ in 0..50 {
            let chunks: Vec<usize> = (0..16)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    1 + (seed >> 33) as usize % 40
                })
                .collect();
            assert_eq!(feed(&input, &chunks).unwrap(), one);
        }
    }

    #[test]
    fn errors() {
        assert_eq!(feed(b"*abc\r\n", &[100]), Err(ProtoError::InvalidMultibulkLength));
        assert_eq!(feed(b"*2\r\n+3\r\n", &[100]), Err(ProtoError::ExpectedDollar(b'+')));
        assert_eq!(feed(b"*1\r\n$-1\r\n", &[100]), Err(ProtoError::InvalidBulkLength));
        assert_eq!(feed(b"*1\r\n$x\r\n", &[100]), Err(ProtoError::InvalidBulkLength));
        assert_eq!(
            feed(b"*3000000000\r\n", &[100]),
            Err(ProtoError::InvalidMultibulkLength)
        );
        assert_eq!(feed(b"set a \"b\n", &[100]), Err(ProtoError::UnbalancedQuotes));
        let big = vec![b'a'; PROTO_INLINE_MAX_SIZE + 1];
        assert_eq!(feed(&big, &[big.len()]), Err(ProtoError::TooBigInline));
        let mut big = b"*".to_vec();
        big.extend(vec![b'1'; PROTO_INLINE_MAX_SIZE + 1]);
        assert_eq!(feed(&big, &[big.len()]), Err(ProtoError::TooBigMbulkCount));
        assert_eq!(
            ProtoError::ExpectedDollar(b'+').message(),
            "Protocol error: expected '$', got '+'"
        );
    }

    #[test]
    fn unauthenticated_limits() {
        let lim = Limits {
            authenticated: false,
            ..LIM
        };
        let mut p = Parser::new();
        assert_eq!(
            p.parse(b"*11\r\n", lim),
            Parsed::Error(ProtoError::UnauthMultibulkLength)
        );
        let mut p = Parser::new();
        assert_eq!(
            p.parse(b"*1\r\n$16385\r\n", lim),
            Parsed::Error(ProtoError::UnauthBulkLength)
        );
    }

    #[test]
    fn huge_header_does_not_preallocate() {
        let mut p = Parser::new();
        assert_eq!(p.parse(b"*2147483647\r\n$536870912\r\nab", LIM), Parsed::Incomplete);
        assert!(p.spans.capacity() <= 1024);
        assert_eq!(p.pending_bulk_bytes(27), 536870912 + 2 - 2);
    }

    #[test]
    fn split_args_rules() {
        let s = |l: &str| {
            split_args(l.as_bytes()).map(|v| {
                v.into_iter()
                    .map(|a| String::from_utf8_lossy(&a).into_owned())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(s("  a  b "), Some(vec!["a".into(), "b".into()]));
        assert_eq!(s("\"a\\x41\\n\" 'it\\'s'"), Some(vec!["aA\n".into(), "it's".into()]));
        assert_eq!(s("foo\"bar baz\""), Some(vec!["foobar baz".into()]));
        assert_eq!(s("\"a\"b"), None);
        assert_eq!(s("'a"), None);
        assert_eq!(s(""), Some(vec![]));
        assert_eq!(s("\"\""), Some(vec!["".into()]));
    }
}
