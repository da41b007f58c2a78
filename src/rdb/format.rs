//! RDB primitives and values, as Redis 7.0 (RDB version 10) writes and
//! loads them (rdb.c). Everything here is independent of the server: a
//! value decodes into a neutral [`RdbValue`] the server turns into its own
//! encodings (a validated listpack or intset blob is kept as is), and the
//! server's values encode through [`RdbEncode`] and the [`Writer`]
//! primitives.
//!
//! ## Lengths
//!
//! | first byte   | meaning                                            |
//! |--------------|----------------------------------------------------|
//! | `00vvvvvv`   | 6-bit length                                       |
//! | `01vvvvvv` + 1 byte | 14-bit length, big-endian                   |
//! | `0x80` + u32 BE | 32-bit length                                   |
//! | `0x81` + u64 BE | 64-bit length                                   |
//! | `11eeeeee`   | a string in a special encoding `e`: 0 = int8, 1 = int16 LE, 2 = int32 LE, 3 = LZF (`<clen><len><data>`) |
//!
//! ## Values (type byte, then)
//!
//! | type | layout |
//! |------|--------|
//! | STRING 0 | string |
//! | LIST 1, SET 2 | len, len × string |
//! | ZSET 3 / ZSET_2 5 | len, len × (string, score) — score as text double (3) or f64 LE (5) |
//! | HASH 4 | len, len × (field, value) |
//! | MODULE_2 7 | module id (len), opcodes…, EOF — needs the module |
//! | HASH_ZIPMAP 9, LIST_ZIPLIST 10, SET_INTSET 11, ZSET_ZIPLIST 12, HASH_ZIPLIST 13, HASH_LISTPACK 16, ZSET_LISTPACK 17 | one string holding the blob |
//! | LIST_QUICKLIST 14 | len, len × ziplist string |
//! | LIST_QUICKLIST_2 18 | len, len × (container len: 1 plain, 2 packed; string) |
//! | STREAM_LISTPACKS 15 / _2 19 | see [`super::stream`] |
//!
//! Redis 7.0 writes STRING, LIST_QUICKLIST_2, SET_INTSET, SET, ZSET_LISTPACK,
//! ZSET_2, HASH_LISTPACK, HASH, STREAM_LISTPACKS_2 (and MODULE_2); the rest
//! it only loads, converting on the way, as [`read_value`] does.
//!
//! Lengths read from the input are checked against what remains before
//! anything is allocated; a corrupt or hostile input gives an [`RdbError`],
//! never a panic.

use super::crc64::crc64;
use super::legacy;
use super::lzf;
use super::stream::{read_stream, write_stream, StreamRepr};
use crate::intset::Intset;
use crate::listpack::{Listpack, LpValue};
use crate::util::{fmt_double, push_i64, string2ll, strtod_relaxed};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::{self, Read};

/// RDB format version Redis 7.0 writes (and fastkey, so that Redis 7.0
/// loads its files).
pub const RDB_VERSION: u16 = 10;
/// The highest version fastkey loads: Redis 7.2's, which adds listpack
/// sets (SET_LISTPACK) and consumers' active time (STREAM_LISTPACKS_3).
pub const RDB_LOAD_VERSION: u16 = 11;
/// The `redis-ver` aux field fastkey writes.
pub const REDIS_VERSION: &str = "7.0.15";

/// Value type bytes (`RDB_TYPE_*`).
pub mod rdb_type {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    /// Pre-GA module values (Redis 4.0 RCs): never loadable.
    pub const MODULE: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
    /// Redis 7.2's listpack set (RDB version 11). fastkey loads it where
    /// the version footer or header lets the value through, and never
    /// writes it: Redis 7.0 cannot load it.
    pub const SET_LISTPACK: u8 = 20;
    /// Redis 7.2's streams, whose consumers also have an active time (RDB
    /// version 11); read, never written.
    pub const STREAM_LISTPACKS_3: u8 = 21;

    /// Redis 7.0 `rdbIsObjectType` (0..=7 and 9..=19), plus Redis 7.2's
    /// SET_LISTPACK and STREAM_LISTPACKS_3.
    pub fn is_object_type(t: u8) -> bool {
        t <= 7 || (9..=STREAM_LISTPACKS_3).contains(&t)
    }
}

/// Opcodes that may appear where a value type is expected in a file.
pub mod opcode {
    /// A function library (its code) — Redis 7.0 GA.
    pub const FUNCTION2: u8 = 0xF5;
    /// A function library in the 7.0 release-candidate format.
    pub const FUNCTION: u8 = 0xF6;
    pub const MODULE_AUX: u8 = 0xF7;
    pub const IDLE: u8 = 0xF8;
    pub const FREQ: u8 = 0xF9;
    pub const AUX: u8 = 0xFA;
    pub const RESIZEDB: u8 = 0xFB;
    pub const EXPIRETIME_MS: u8 = 0xFC;
    pub const EXPIRETIME: u8 = 0xFD;
    pub const SELECTDB: u8 = 0xFE;
    pub const EOF: u8 = 0xFF;
}

/// Module serialization opcodes (`RDB_MODULE_OPCODE_*`).
pub mod module_opcode {
    pub const EOF: u64 = 0;
    pub const SINT: u64 = 1;
    pub const UINT: u64 = 2;
    pub const FLOAT: u64 = 3;
    pub const DOUBLE: u64 = 4;
    pub const STRING: u64 = 5;
}

/// Quicklist node containers in LIST_QUICKLIST_2.
pub const QUICKLIST_NODE_PLAIN: u64 = 1;
pub const QUICKLIST_NODE_PACKED: u64 = 2;

const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why an RDB file or payload could not be read.
#[derive(Debug)]
pub enum RdbError {
    /// The input ended inside an item (Redis: "Unexpected EOF reading RDB
    /// file").
    Truncated { offset: u64 },
    /// The content is invalid (Redis's `rdbReportCorruptRDB` cases; the
    /// message is Redis's where it has one).
    Corrupt { offset: u64, msg: Cow<'static, str> },
    /// A key whose collection is empty. Redis skips such keys when loading
    /// a file ([`RdbReader`] reports them as [`RdbEvent::EmptyKey`]) and
    /// RESTORE fails with "Bad data format".
    EmptyKey,
    /// The file does not start with `REDIS`.
    BadSignature,
    /// A version outside 1..=10.
    BadVersion(u32),
    /// The trailer does not match the CRC64 of the file.
    Checksum { computed: u64, stored: u64 },
    /// A DUMP payload footer (version or CRC) is wrong.
    DumpPayload,
    /// An I/O error from the underlying reader.
    Io(io::Error),
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdbError::Truncated { offset } => write!(f, "Unexpected EOF reading RDB file (offset {offset})"),
            RdbError::Corrupt { offset, msg } => write!(f, "Internal error in RDB reading offset {offset} -> {msg}"),
            RdbError::EmptyKey => f.write_str("Empty keys skipped"),
            RdbError::BadSignature => f.write_str("Wrong signature trying to load DB from file"),
            RdbError::BadVersion(v) => write!(f, "Can't handle RDB format version {v}"),
            RdbError::Checksum { computed, stored } => {
                write!(
                    f,
                    "Wrong RDB checksum expected: ({computed:x}) but got ({stored:x}). Aborting now."
                )
            }
            RdbError::DumpPayload => f.write_str("DUMP payload version or checksum are wrong"),
            RdbError::Io(e) => write!(f, "I/O error reading RDB: {e}"),
        }
    }
}

impl std::error::Error for RdbError {}

impl From<io::Error> for RdbError {
    fn from(e: io::Error) -> Self {
        RdbError::Io(e)
    }
}

pub type Result<T> = std::result::Result<T, RdbError>;

// ---------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------

/// A length as read: a plain number or a special string encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LenOrEnc {
    Len(u64),
    Enc(u8),
}

/// A source of RDB bytes: an in-memory [`Reader`] or a buffered
/// [`StreamInput`]. The provided methods decode the primitives.
pub trait Input {
    /// Bytes consumed so far.
    fn offset(&self) -> u64;
    /// At most this many bytes remain (`u64::MAX` when unknown).
    fn remaining(&self) -> u64;
    /// Fills `buf` exactly, or fails with `Truncated`.
    fn read_into(&mut self, buf: &mut [u8]) -> Result<()>;
    /// Reads exactly `n` bytes into a new vector. Fails with `Truncated`
    /// before allocating when `n` exceeds [`Input::remaining`]; otherwise
    /// the vector grows with the data actually read.
    fn read_vec(&mut self, n: u64) -> Result<Vec<u8>>;
    /// CRC64 of everything consumed so far, `None` if not tracked.
    fn checksum(&mut self) -> Option<u64>;

    /// A `Truncated` error at the current offset.
    fn truncated(&self) -> RdbError {
        RdbError::Truncated { offset: self.offset() }
    }

    /// A `Corrupt` error at the current offset.
    fn corrupt(&self, msg: impl Into<Cow<'static, str>>) -> RdbError {
        RdbError::Corrupt {
            offset: self.offset(),
            msg: msg.into(),
        }
    }

    fn read_u8(&mut self) -> Result<u8> {
        let mut b = [0u8; 1];
        self.read_into(&mut b)?;
        Ok(b[0])
    }

    fn read_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        self.read_into(&mut b)?;
        Ok(b)
    }

    /// A length or a special string encoding (`rdbLoadLenByRef`).
    fn read_len_or_enc(&mut self) -> Result<LenOrEnc> {
        let b = self.read_u8()?;
        Ok(match b >> 6 {
            0 => LenOrEnc::Len(u64::from(b & 0x3F)),
            1 => LenOrEnc::Len((u64::from(b & 0x3F) << 8) | u64::from(self.read_u8()?)),
            3 => LenOrEnc::Enc(b & 0x3F),
            _ => match b {
                0x80 => LenOrEnc::Len(u64::from(u32::from_be_bytes(self.read_array()?))),
                0x81 => LenOrEnc::Len(u64::from_be_bytes(self.read_array()?)),
                _ => return Err(self.corrupt(format!("Unknown length encoding {} in rdbLoadLen()", b >> 6))),
            },
        })
    }

    /// A plain length (`rdbLoadLen`). Like Redis, a special-encoding byte
    /// here reads as its 6-bit code.
    fn read_len(&mut self) -> Result<u64> {
        Ok(match self.read_len_or_enc()? {
            LenOrEnc::Len(n) => n,
            LenOrEnc::Enc(e) => u64::from(e),
        })
    }

    /// A string in any encoding: raw, int8/16/32 (as decimal text) or LZF.
    fn read_string(&mut self) -> Result<Vec<u8>> {
        match self.read_len_or_enc()? {
            LenOrEnc::Len(n) => self.read_vec(n),
            LenOrEnc::Enc(ENC_INT8) => Ok(int_text(i64::from(self.read_u8()? as i8))),
            LenOrEnc::Enc(ENC_INT16) => Ok(int_text(i64::from(i16::from_le_bytes(self.read_array()?)))),
            LenOrEnc::Enc(ENC_INT32) => Ok(int_text(i64::from(i32::from_le_bytes(self.read_array()?)))),
            LenOrEnc::Enc(ENC_LZF) => {
                let clen = self.read_len()?;
                let len = self.read_len()?;
                if len > clen.saturating_mul(lzf::MAX_RATIO) {
                    return Err(self.corrupt("Invalid LZF compressed string"));
                }
                let c = self.read_vec(clen)?;
                if len == 0 {
                    // liblzf reports 0 bytes for any input with no room to
                    // write, which Redis takes as success.
                    return Ok(Vec::new());
                }
                let len = usize::try_from(len).map_err(|_| self.corrupt("Invalid LZF compressed string"))?;
                lzf::decompress(&c, len).ok_or_else(|| self.corrupt("Invalid LZF compressed string"))
            }
            LenOrEnc::Enc(e) => Err(self.corrupt(format!("Unknown RDB string encoding type {e}"))),
        }
    }

    /// A double in the text form of RDB_TYPE_ZSET (`rdbLoadDoubleValue`):
    /// a length byte, 253 = NaN, 254 = +inf, 255 = -inf, else that many
    /// bytes of text read as `sscanf("%lg")`.
    fn read_double_text(&mut self) -> Result<f64> {
        let n = self.read_u8()?;
        match n {
            255 => Ok(f64::NEG_INFINITY),
            254 => Ok(f64::INFINITY),
            253 => Ok(f64::NAN),
            _ => {
                let text = self.read_vec(u64::from(n))?;
                parse_double_text(&text).ok_or_else(|| self.corrupt("Invalid double value"))
            }
        }
    }

    /// A binary double (ZSET_2 scores): IEEE 754 little-endian.
    fn read_double_binary(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.read_array()?))
    }

    /// A millisecond time: i64 little-endian.
    fn read_millis(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.read_array()?))
    }

    /// A second time (RDB_OPCODE_EXPIRETIME): i32 little-endian.
    fn read_seconds(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.read_array()?))
    }
}

fn int_text(v: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    push_i64(&mut out, v);
    out
}

/// `sscanf(text, "%lg")`: leading white space skipped, the longest prefix
/// that is a number taken; `nan`/`inf` accepted.
fn parse_double_text(text: &[u8]) -> Option<f64> {
    let end = text.iter().position(|&c| c == 0).unwrap_or(text.len());
    let s = &text[..end];
    let start = s
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))?;
    let s = &s[start..];
    let unsigned = s.strip_prefix(b"-").or_else(|| s.strip_prefix(b"+")).unwrap_or(s);
    if unsigned.len() >= 3 && unsigned[..3].eq_ignore_ascii_case(b"nan") {
        return Some(f64::NAN);
    }
    (1..=s.len()).rev().find_map(|n| strtod_relaxed(&s[..n]))
}

/// A cursor over bytes in memory (a whole file, a DUMP payload).
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    /// Current position.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes not consumed yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    /// Whether everything was consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next `n` bytes, borrowed.
    pub fn read_slice(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| self.truncated())?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
}

impl Input for Reader<'_> {
    fn offset(&self) -> u64 {
        self.pos as u64
    }

    fn read_u8(&mut self) -> Result<u8> {
        let b = *self.data.get(self.pos).ok_or_else(|| self.truncated())?;
        self.pos += 1;
        Ok(b)
    }

    fn remaining(&self) -> u64 {
        (self.data.len() - self.pos) as u64
    }

    fn read_into(&mut self, buf: &mut [u8]) -> Result<()> {
        let s = self.read_slice(buf.len())?;
        buf.copy_from_slice(s);
        Ok(())
    }

    fn read_vec(&mut self, n: u64) -> Result<Vec<u8>> {
        let n = usize::try_from(n).map_err(|_| self.truncated())?;
        Ok(self.read_slice(n)?.to_vec())
    }

    fn checksum(&mut self) -> Option<u64> {
        Some(crc64(0, &self.data[..self.pos]))
    }
}

/// A buffered [`Input`] over any `Read` (a file, a replication socket),
/// tracking the CRC64 of what it hands out.
pub struct StreamInput<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// Bytes of `buf` before this are already in `crc`.
    crc_pos: usize,
    /// Bytes consumed before the current buffer contents.
    base: u64,
    limit: Option<u64>,
    crc: Option<u64>,
}

const STREAM_BUF: usize = 64 * 1024;
/// Largest piece a growing `read_vec` allocates ahead of the data.
const VEC_CHUNK: u64 = 1 << 20;

impl<R: Read> StreamInput<R> {
    /// `total_len`: the input's size when known (a file's length, a
    /// replication `$<len>` preamble): lengths beyond it are rejected up
    /// front. `checksum`: whether to compute the CRC64 (off for
    /// `rdbchecksum no`).
    pub fn new(inner: R, total_len: Option<u64>, checksum: bool) -> StreamInput<R> {
        StreamInput {
            inner,
            buf: vec![0u8; STREAM_BUF].into_boxed_slice(),
            start: 0,
            end: 0,
            crc_pos: 0,
            base: 0,
            limit: total_len,
            crc: checksum.then_some(0),
        }
    }

    /// The underlying reader (bytes already buffered are lost).
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The underlying reader and the bytes read from it but not consumed
    /// (what follows the RDB: an AOF tail after an RDB preamble, the
    /// `$EOF:` mark of a diskless transfer).
    pub fn into_parts(self) -> (R, Vec<u8>) {
        let rest = self.buf[self.start..self.end].to_vec();
        (self.inner, rest)
    }

    /// Folds the consumed bytes not yet in the CRC into it.
    fn sync_crc(&mut self) {
        if let Some(c) = self.crc.as_mut() {
            *c = crc64(*c, &self.buf[self.crc_pos..self.start]);
        }
        self.crc_pos = self.start;
    }

    /// Refills the (fully consumed) buffer; `Truncated` at end of input.
    fn refill(&mut self) -> Result<()> {
        self.sync_crc();
        self.base += self.end as u64;
        self.start = 0;
        self.end = 0;
        self.crc_pos = 0;
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(0) => return Err(self.truncated()),
                Ok(n) => {
                    self.end = n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(RdbError::Io(e)),
            }
        }
    }
}

impl<R: Read> Input for StreamInput<R> {
    fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    fn remaining(&self) -> u64 {
        self.limit.map_or(u64::MAX, |l| l.saturating_sub(self.offset()))
    }

    fn read_u8(&mut self) -> Result<u8> {
        if self.start == self.end {
            if self.remaining() == 0 {
                return Err(self.truncated());
            }
            self.refill()?;
        }
        let b = self.buf[self.start];
        self.start += 1;
        Ok(b)
    }

    fn read_into(&mut self, out: &mut [u8]) -> Result<()> {
        if out.len() as u64 > self.remaining() {
            return Err(self.truncated());
        }
        let mut done = 0;
        while done < out.len() {
            if self.start == self.end {
                self.refill()?;
            }
            let k = (self.end - self.start).min(out.len() - done);
            out[done..done + k].copy_from_slice(&self.buf[self.start..self.start + k]);
            self.start += k;
            done += k;
        }
        Ok(())
    }

    fn read_vec(&mut self, n: u64) -> Result<Vec<u8>> {
        if n > self.remaining() {
            return Err(self.truncated());
        }
        let total = usize::try_from(n).map_err(|_| self.truncated())?;
        let mut v = Vec::with_capacity(n.min(VEC_CHUNK) as usize);
        while v.len() < total {
            if self.start == self.end {
                self.refill()?;
            }
            let k = (self.end - self.start).min(total - v.len());
            if v.capacity() - v.len() < k {
                v.reserve(k.max((total - v.len()).min(VEC_CHUNK as usize)));
            }
            v.extend_from_slice(&self.buf[self.start..self.start + k]);
            self.start += k;
        }
        Ok(v)
    }

    fn checksum(&mut self) -> Option<u64> {
        self.sync_crc();
        self.crc
    }
}

// ---------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------

/// Appends RDB primitives to a byte vector.
#[derive(Clone, Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    compress: bool,
    lzf: Option<Box<lzf::Compressor>>,
    scratch: Vec<u8>,
}

impl Writer {
    /// `compress`: LZF-compress strings over 20 bytes when it saves at
    /// least 4 bytes (`rdbcompression yes`).
    pub fn new(compress: bool) -> Writer {
        Writer::with_buffer(Vec::new(), compress)
    }

    /// Continues an existing buffer.
    pub fn with_buffer(buf: Vec<u8>, compress: bool) -> Writer {
        Writer {
            buf,
            compress,
            lzf: None,
            scratch: Vec::new(),
        }
    }

    pub fn compression(&self) -> bool {
        self.compress
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// One byte (a type or opcode).
    pub fn u8(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// Bytes as they are.
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// A length in the shortest form (`rdbSaveLen`).
    pub fn length(&mut self, n: u64) {
        if n < 1 << 6 {
            self.buf.push(n as u8);
        } else if n < 1 << 14 {
            self.buf.push(0x40 | (n >> 8) as u8);
            self.buf.push(n as u8);
        } else if let Ok(n32) = u32::try_from(n) {
            self.buf.push(0x80);
            self.buf.extend_from_slice(&n32.to_be_bytes());
        } else {
            self.buf.push(0x81);
            self.buf.extend_from_slice(&n.to_be_bytes());
        }
    }

    /// An integer in the int8/16/32 string encodings if it fits, `false`
    /// otherwise (`rdbEncodeInteger`).
    fn encoded_int(&mut self, v: i64) -> bool {
        if let Ok(x) = i8::try_from(v) {
            self.buf.extend_from_slice(&[0xC0 | ENC_INT8, x as u8]);
        } else if let Ok(x) = i16::try_from(v) {
            self.buf.push(0xC0 | ENC_INT16);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else if let Ok(x) = i32::try_from(v) {
            self.buf.push(0xC0 | ENC_INT32);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else {
            return false;
        }
        true
    }

    /// A string as `rdbSaveRawString`: integer-encoded when it is a
    /// canonical integer of up to 11 bytes that fits 32 bits, else
    /// LZF-compressed when enabled, longer than 20 bytes and at least 4
    /// bytes shorter that way, else raw.
    pub fn string(&mut self, s: &[u8]) {
        if s.len() <= 11 {
            if let Some(v) = string2ll(s) {
                if self.encoded_int(v) {
                    return;
                }
            }
        }
        if self.compress && s.len() > 20 {
            let lzf = self.lzf.get_or_insert_with(Default::default);
            let mut c = std::mem::take(&mut self.scratch);
            c.clear();
            let ok = lzf.compress_into(s, s.len() - 4, &mut c);
            if ok {
                self.lzf_blob(&c, s.len());
            }
            self.scratch = c;
            if ok {
                return;
            }
        }
        self.length(s.len() as u64);
        self.raw(s);
    }

    /// An integer value as a string (`rdbSaveLongLongAsStringObject`).
    pub fn int_string(&mut self, v: i64) {
        if !self.encoded_int(v) {
            let mut s = Vec::with_capacity(20);
            push_i64(&mut s, v);
            self.length(s.len() as u64);
            self.raw(&s);
        }
    }

    /// Already-compressed LZF data (a compressed quicklist node).
    pub fn lzf_blob(&mut self, compressed: &[u8], original_len: usize) {
        self.buf.push(0xC0 | ENC_LZF);
        self.length(compressed.len() as u64);
        self.length(original_len as u64);
        self.raw(compressed);
    }

    /// A double in the text form (`rdbSaveDoubleValue`, RDB_TYPE_ZSET):
    /// integral values within ±2^52 as integers, else `%.17g`.
    pub fn double_text(&mut self, d: f64) {
        if d.is_nan() {
            self.buf.push(253);
        } else if d.is_infinite() {
            self.buf.push(if d < 0.0 { 255 } else { 254 });
        } else {
            let mut s = Vec::with_capacity(32);
            if d > -4_503_599_627_370_495.0 && d < 4_503_599_627_370_496.0 && d == (d as i64) as f64 {
                push_i64(&mut s, d as i64);
            } else {
                fmt_double(&mut s, d);
            }
            self.buf.push(s.len() as u8);
            self.raw(&s);
        }
    }

    /// A binary double (ZSET_2 scores).
    pub fn double_binary(&mut self, d: f64) {
        self.raw(&d.to_le_bytes());
    }

    /// A millisecond time, i64 LE.
    pub fn millis(&mut self, t: i64) {
        self.raw(&t.to_le_bytes());
    }

    /// A second time, i32 LE (only old files use it).
    pub fn seconds(&mut self, t: i32) {
        self.raw(&t.to_le_bytes());
    }
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// A decoded value, in the form closest to what Redis 7.0 holds after
/// loading it. Listpack and intset blobs are validated (deeply, duplicates
/// included) and kept as they are.
#[derive(Clone, Debug, PartialEq)]
pub enum RdbValue {
    String(Vec<u8>),
    List(ListRepr),
    Set(SetRepr),
    ZSet(ZSetRepr),
    Hash(HashRepr),
    Stream(Box<StreamRepr>),
}

/// A list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListRepr {
    /// Quicklist nodes, kept as nodes (Redis appends them as they are,
    /// whatever `list-max-listpack-size` says). Never empty; no empty node.
    Quicklist(Vec<ListNode>),
    /// Plain elements (RDB_TYPE_LIST and RDB_TYPE_LIST_ZIPLIST, which Redis
    /// pushes one by one into a quicklist built with the current config).
    Elements(Vec<Vec<u8>>),
}

/// One quicklist node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListNode {
    /// A listpack of elements (ziplist nodes of LIST_QUICKLIST converted).
    Packed(Listpack),
    /// One element stored alone (an element over `packed_threshold`).
    Plain(Vec<u8>),
}

/// A set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetRepr {
    /// SET_INTSET: non-empty, sorted, no duplicates. Redis converts it to a
    /// hashtable past `set-max-intset-entries`.
    Intset(Intset),
    /// SET: distinct members. Redis 7.2 builds an intset when there are at
    /// most `set-max-intset-entries` members, all integers, else a listpack
    /// when they fit its limits, else a hashtable.
    Members(Vec<Vec<u8>>),
    /// SET_LISTPACK (Redis 7.2): non-empty, distinct members. Redis
    /// converts it to a hashtable past `set-max-listpack-entries`.
    Listpack(Listpack),
}

/// A sorted set.
#[derive(Clone, Debug, PartialEq)]
pub enum ZSetRepr {
    /// Member, score, member, score... (ZSET_LISTPACK, ZSET_ZIPLIST): even,
    /// no duplicate member; scores as stored (Redis parses them with
    /// `zzlStrtod` when used). Redis converts it to a skiplist past
    /// `zset-max-listpack-entries`.
    Listpack(Listpack),
    /// (member, score), distinct members, no NaN (ZSET_2, ZSET), in file
    /// order (Redis writes from the highest score down). Redis converts to
    /// a listpack when within `zset-max-listpack-entries` and
    /// `zset-max-listpack-value`.
    Pairs(Vec<(Vec<u8>, f64)>),
}

/// A hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashRepr {
    /// Field, value, ... (HASH_LISTPACK, HASH_ZIPLIST, HASH_ZIPMAP): even,
    /// no duplicate field. Redis converts it to a hashtable past
    /// `hash-max-listpack-entries` (and, for zipmaps, values longer than
    /// `hash-max-listpack-value`).
    Listpack(Listpack),
    /// (field, value), distinct fields (HASH). Redis keeps a listpack while
    /// within `hash-max-listpack-entries` and `hash-max-listpack-value`.
    Pairs(Vec<(Vec<u8>, Vec<u8>)>),
}

impl RdbValue {
    /// The type byte [`RdbEncode`] writes for this value.
    pub fn rdb_type(&self) -> u8 {
        match self {
            RdbValue::String(_) => rdb_type::STRING,
            RdbValue::List(ListRepr::Quicklist(_)) => rdb_type::LIST_QUICKLIST_2,
            RdbValue::List(ListRepr::Elements(_)) => rdb_type::LIST,
            RdbValue::Set(SetRepr::Intset(_)) => rdb_type::SET_INTSET,
            RdbValue::Set(SetRepr::Members(_)) => rdb_type::SET,
            RdbValue::Set(SetRepr::Listpack(_)) => rdb_type::SET_LISTPACK,
            RdbValue::ZSet(ZSetRepr::Listpack(_)) => rdb_type::ZSET_LISTPACK,
            RdbValue::ZSet(ZSetRepr::Pairs(_)) => rdb_type::ZSET_2,
            RdbValue::Hash(HashRepr::Listpack(_)) => rdb_type::HASH_LISTPACK,
            RdbValue::Hash(HashRepr::Pairs(_)) => rdb_type::HASH,
            RdbValue::Stream(_) => rdb_type::STREAM_LISTPACKS_2,
        }
    }
}

/// What can be written as an RDB value: the server implements it for its
/// own value type with the `Writer` primitives and the `write_*` helpers.
pub trait RdbEncode {
    /// The type byte.
    fn rdb_type(&self) -> u8;
    /// The value after the type byte.
    fn encode_value(&self, w: &mut Writer);
}

impl RdbEncode for RdbValue {
    fn rdb_type(&self) -> u8 {
        RdbValue::rdb_type(self)
    }

    fn encode_value(&self, w: &mut Writer) {
        match self {
            RdbValue::String(s) => w.string(s),
            RdbValue::List(ListRepr::Quicklist(nodes)) => write_quicklist(
                w,
                nodes.iter().map(|n| match n {
                    ListNode::Packed(lp) => ListNodeRef::Packed(lp.as_bytes()),
                    ListNode::Plain(b) => ListNodeRef::Plain(b),
                }),
            ),
            RdbValue::List(ListRepr::Elements(els)) => write_members(w, els.iter().map(|e| e.as_slice())),
            RdbValue::Set(SetRepr::Intset(is)) => w.string(is.as_bytes()),
            RdbValue::Set(SetRepr::Members(m)) => write_members(w, m.iter().map(|e| e.as_slice())),
            RdbValue::ZSet(ZSetRepr::Listpack(lp))
            | RdbValue::Hash(HashRepr::Listpack(lp))
            | RdbValue::Set(SetRepr::Listpack(lp)) => w.string(lp.as_bytes()),
            RdbValue::ZSet(ZSetRepr::Pairs(p)) => write_zset_pairs(w, p.iter().map(|(m, s)| (m.as_slice(), *s))),
            RdbValue::Hash(HashRepr::Pairs(p)) => {
                write_hash_pairs(w, p.iter().map(|(f, v)| (f.as_slice(), v.as_slice())))
            }
            RdbValue::Stream(s) => write_stream(w, s),
        }
    }
}

/// A quicklist node to write.
#[derive(Clone, Copy, Debug)]
pub enum ListNodeRef<'a> {
    /// A listpack blob.
    Packed(&'a [u8]),
    /// A lone element.
    Plain(&'a [u8]),
}

/// LIST_QUICKLIST_2 body: node count, then per node its container and blob.
pub fn write_quicklist<'a>(w: &mut Writer, nodes: impl ExactSizeIterator<Item = ListNodeRef<'a>>) {
    w.length(nodes.len() as u64);
    for n in nodes {
        match n {
            ListNodeRef::Packed(b) => {
                w.length(QUICKLIST_NODE_PACKED);
                w.string(b);
            }
            ListNodeRef::Plain(b) => {
                w.length(QUICKLIST_NODE_PLAIN);
                w.string(b);
            }
        }
    }
}

/// SET (and LIST) body: count, then each member.
pub fn write_members<'a>(w: &mut Writer, members: impl ExactSizeIterator<Item = &'a [u8]>) {
    w.length(members.len() as u64);
    for m in members {
        w.string(m);
    }
}

/// ZSET_2 body: count, then member and binary score. Redis writes from the
/// highest score down so that loading inserts at the skiplist head.
pub fn write_zset_pairs<'a>(w: &mut Writer, pairs: impl ExactSizeIterator<Item = (&'a [u8], f64)>) {
    w.length(pairs.len() as u64);
    for (m, s) in pairs {
        w.string(m);
        w.double_binary(s);
    }
}

/// HASH body: count, then field and value.
pub fn write_hash_pairs<'a>(w: &mut Writer, pairs: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>) {
    w.length(pairs.len() as u64);
    for (f, v) in pairs {
        w.string(f);
        w.string(v);
    }
}

/// Initial capacity for `n` items read from `inp`: never more than the
/// bytes left (each item takes at least one) nor a fixed cap.
pub(crate) fn capacity_for(n: u64, inp: &impl Input) -> usize {
    n.min(inp.remaining()).min(1 << 16) as usize
}

/// Whether `items` has a duplicate.
fn has_duplicates<'a>(items: impl Iterator<Item = &'a [u8]>, n: usize) -> bool {
    let mut seen = HashSet::with_capacity(n);
    for it in items {
        if !seen.insert(it) {
            return true;
        }
    }
    false
}

/// Whether a listpack holds pairs: an even count and no duplicate key
/// (compared by string form, as Redis's `lpPairsValidateIntegrityAndDups`).
pub fn listpack_pairs_ok(lp: &Listpack) -> bool {
    let mut seen: HashSet<LpValue<'_>> = HashSet::new();
    let mut n = 0usize;
    for v in lp.iter() {
        if n.is_multiple_of(2) {
            let key = match v {
                LpValue::Str(s) => LpValue::from_bytes(s),
                v => v,
            };
            if !seen.insert(key) {
                return false;
            }
        }
        n += 1;
    }
    n.is_multiple_of(2)
}

/// Whether no two members of a set listpack are equal (compared by string
/// form, as Redis's `lpValidateIntegrityAndDups` without pairs).
fn listpack_members_distinct(lp: &Listpack) -> bool {
    let mut seen: HashSet<LpValue<'_>> = HashSet::new();
    lp.iter().all(|v| match v {
        LpValue::Str(s) => seen.insert(LpValue::from_bytes(s)),
        v => seen.insert(v),
    })
}

/// Reads a blob-typed value's string and validates it as a listpack.
fn read_listpack(inp: &mut impl Input, what: &'static str) -> Result<Listpack> {
    let blob = inp.read_string()?;
    Listpack::from_bytes(blob).ok_or_else(|| inp.corrupt(what))
}

/// Decodes the value of type `t` (after the type byte and, in a file, the
/// key), with Redis 7.0's checks and conversions.
pub fn read_value(inp: &mut impl Input, t: u8) -> Result<RdbValue> {
    use rdb_type::*;
    Ok(match t {
        STRING => RdbValue::String(inp.read_string()?),
        LIST => {
            let n = inp.read_len()?;
            if n == 0 {
                return Err(RdbError::EmptyKey);
            }
            let mut els = Vec::with_capacity(capacity_for(n, inp));
            for _ in 0..n {
                els.push(inp.read_string()?);
            }
            RdbValue::List(ListRepr::Elements(els))
        }
        SET => {
            let n = inp.read_len()?;
            if n == 0 {
                return Err(RdbError::EmptyKey);
            }
            let mut m = Vec::with_capacity(capacity_for(n, inp));
            for _ in 0..n {
                m.push(inp.read_string()?);
            }
            if has_duplicates(m.iter().map(|x| x.as_slice()), m.len()) {
                return Err(inp.corrupt("Duplicate set members detected"));
            }
            RdbValue::Set(SetRepr::Members(m))
        }
        ZSET | ZSET_2 => {
            let n = inp.read_len()?;
            if n == 0 {
                return Err(RdbError::EmptyKey);
            }
            let mut p = Vec::with_capacity(capacity_for(n, inp));
            for _ in 0..n {
                let m = inp.read_string()?;
                let s = if t == ZSET_2 {
                    inp.read_double_binary()?
                } else {
                    inp.read_double_text()?
                };
                if s.is_nan() {
                    return Err(inp.corrupt("Zset with NAN score detected"));
                }
                p.push((m, s));
            }
            if has_duplicates(p.iter().map(|x| x.0.as_slice()), p.len()) {
                return Err(inp.corrupt("Duplicate zset fields detected"));
            }
            RdbValue::ZSet(ZSetRepr::Pairs(p))
        }
        HASH => {
            let n = inp.read_len()?;
            if n == 0 {
                return Err(RdbError::EmptyKey);
            }
            let mut p = Vec::with_capacity(capacity_for(n, inp));
            for _ in 0..n {
                let f = inp.read_string()?;
                let v = inp.read_string()?;
                p.push((f, v));
            }
            if has_duplicates(p.iter().map(|x| x.0.as_slice()), p.len()) {
                return Err(inp.corrupt("Duplicate hash fields detected"));
            }
            RdbValue::Hash(HashRepr::Pairs(p))
        }
        LIST_QUICKLIST | LIST_QUICKLIST_2 => {
            let n = inp.read_len()?;
            if n == 0 {
                return Err(RdbError::EmptyKey);
            }
            let mut nodes = Vec::with_capacity(capacity_for(n, inp));
            for _ in 0..n {
                let container = if t == LIST_QUICKLIST_2 {
                    let c = inp.read_len()?;
                    if c != QUICKLIST_NODE_PACKED && c != QUICKLIST_NODE_PLAIN {
                        return Err(inp.corrupt("Quicklist integrity check failed."));
                    }
                    c
                } else {
                    QUICKLIST_NODE_PACKED
                };
                let data = inp.read_string()?;
                if data.is_empty() {
                    return Err(inp.corrupt("Empty quicklist node"));
                }
                if container == QUICKLIST_NODE_PLAIN {
                    nodes.push(ListNode::Plain(data));
                    continue;
                }
                let lp = if t == LIST_QUICKLIST_2 {
                    Listpack::from_bytes(data).ok_or_else(|| inp.corrupt("Listpack integrity check failed."))?
                } else {
                    legacy::ziplist_to_listpack(&data).ok_or_else(|| inp.corrupt("Ziplist integrity check failed."))?
                };
                // Redis silently skips empty nodes.
                if !lp.is_empty() {
                    nodes.push(ListNode::Packed(lp));
                }
            }
            if nodes.is_empty() {
                return Err(RdbError::EmptyKey);
            }
            RdbValue::List(ListRepr::Quicklist(nodes))
        }
        HASH_ZIPMAP => {
            let blob = inp.read_string()?;
            let lp = legacy::zipmap_to_listpack(&blob).ok_or_else(|| inp.corrupt("Zipmap integrity check failed."))?;
            RdbValue::Hash(HashRepr::Listpack(lp))
        }
        LIST_ZIPLIST => {
            let blob = inp.read_string()?;
            let els = legacy::ziplist_to_elements(&blob)
                .ok_or_else(|| inp.corrupt("List ziplist integrity check failed."))?;
            if els.is_empty() {
                return Err(RdbError::EmptyKey);
            }
            RdbValue::List(ListRepr::Elements(els))
        }
        SET_INTSET => {
            let blob = inp.read_string()?;
            match Intset::from_bytes(blob) {
                Some(is) if !is.is_empty() => RdbValue::Set(SetRepr::Intset(is)),
                _ => return Err(inp.corrupt("Intset integrity check failed.")),
            }
        }
        ZSET_ZIPLIST | HASH_ZIPLIST => {
            let blob = inp.read_string()?;
            let what = if t == ZSET_ZIPLIST {
                "Zset ziplist integrity check failed."
            } else {
                "Hash ziplist integrity check failed."
            };
            let lp = legacy::ziplist_pairs_to_listpack(&blob).ok_or_else(|| inp.corrupt(what))?;
            if lp.is_empty() {
                return Err(RdbError::EmptyKey);
            }
            if t == ZSET_ZIPLIST {
                RdbValue::ZSet(ZSetRepr::Listpack(lp))
            } else {
                RdbValue::Hash(HashRepr::Listpack(lp))
            }
        }
        ZSET_LISTPACK | HASH_LISTPACK => {
            let what = if t == ZSET_LISTPACK {
                "Zset listpack integrity check failed."
            } else {
                "Hash listpack integrity check failed."
            };
            let lp = read_listpack(inp, what)?;
            if !listpack_pairs_ok(&lp) {
                return Err(inp.corrupt(what));
            }
            if lp.is_empty() {
                return Err(RdbError::EmptyKey);
            }
            if t == ZSET_LISTPACK {
                RdbValue::ZSet(ZSetRepr::Listpack(lp))
            } else {
                RdbValue::Hash(HashRepr::Listpack(lp))
            }
        }
        SET_LISTPACK => {
            const WHAT: &str = "Set listpack integrity check failed.";
            let lp = read_listpack(inp, WHAT)?;
            if !listpack_members_distinct(&lp) {
                return Err(inp.corrupt(WHAT));
            }
            if lp.is_empty() {
                return Err(RdbError::EmptyKey);
            }
            RdbValue::Set(SetRepr::Listpack(lp))
        }
        STREAM_LISTPACKS | STREAM_LISTPACKS_2 | STREAM_LISTPACKS_3 => RdbValue::Stream(Box::new(read_stream(inp, t)?)),
        MODULE | MODULE_2 => {
            let id = inp.read_len()?;
            return Err(inp.corrupt(format!(
                "The RDB file contains module data I can't load: no matching module type '{}'",
                module_type_name(id)
            )));
        }
        _ => return Err(inp.corrupt(format!("Unknown RDB encoding type {t}"))),
    })
}

/// Writes a value's type byte and body.
pub fn write_value<V: RdbEncode + ?Sized>(w: &mut Writer, v: &V) {
    w.u8(v.rdb_type());
    v.encode_value(w);
}

/// The 9-character module type name in a 64-bit module id (the low 10
/// bits are the encoding version), as `moduleTypeNameByID`.
pub fn module_type_name(id: u64) -> String {
    const CSET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut id = id >> 10;
    let mut name = [0u8; 9];
    for slot in name.iter_mut().rev() {
        *slot = CSET[(id & 63) as usize];
        id >>= 6;
    }
    String::from_utf8_lossy(&name).into_owned()
}

/// Skips serialized module data up to its EOF opcode, the way
/// `redis-check-rdb` does (opcodes: signed/unsigned ints, strings, floats,
/// doubles).
pub fn skip_module_value(inp: &mut impl Input) -> Result<()> {
    loop {
        match inp.read_len()? {
            module_opcode::EOF => return Ok(()),
            module_opcode::SINT | module_opcode::UINT => {
                inp.read_len()?;
            }
            module_opcode::STRING => {
                let n = match inp.read_len_or_enc()? {
                    LenOrEnc::Len(n) => n,
                    LenOrEnc::Enc(ENC_INT8) => 1,
                    LenOrEnc::Enc(ENC_INT16) => 2,
                    LenOrEnc::Enc(ENC_INT32) => 4,
                    LenOrEnc::Enc(ENC_LZF) => {
                        let clen = inp.read_len()?;
                        inp.read_len()?;
                        clen
                    }
                    LenOrEnc::Enc(e) => return Err(inp.corrupt(format!("Unknown RDB string encoding type {e}"))),
                };
                skip(inp, n)?;
            }
            module_opcode::FLOAT => skip(inp, 4)?,
            module_opcode::DOUBLE => skip(inp, 8)?,
            op => return Err(inp.corrupt(format!("Unknown module opcode {op}"))),
        }
    }
}

/// Consumes `n` bytes without keeping them.
fn skip(inp: &mut impl Input, mut n: u64) -> Result<()> {
    if n > inp.remaining() {
        return Err(inp.truncated());
    }
    let mut scratch = [0u8; 4096];
    while n > 0 {
        let k = n.min(scratch.len() as u64) as usize;
        inp.read_into(&mut scratch[..k])?;
        n -= k as u64;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// DUMP / RESTORE payloads
// ---------------------------------------------------------------------------

/// A DUMP payload: `<type><value><RDB version: u16 LE><CRC64 LE of all
/// that precedes>`.
pub fn dump_payload<V: RdbEncode + ?Sized>(v: &V, compress: bool) -> Vec<u8> {
    let mut w = Writer::new(compress);
    write_value(&mut w, v);
    w.raw(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, w.as_bytes());
    w.raw(&crc.to_le_bytes());
    w.into_bytes()
}

/// Redis `verifyDumpPayload`: at least the 10-byte footer, a version not
/// above 11 (Redis 7.2's) and (unless `skip_checksum`, Redis's
/// `skip-checksum-validation`) a matching CRC. Returns the type byte and
/// value bytes; `DumpPayload` otherwise (the RESTORE error text).
pub fn verify_dump_payload(p: &[u8], skip_checksum: bool) -> Result<&[u8]> {
    if p.len() < 10 {
        return Err(RdbError::DumpPayload);
    }
    let footer = p.len() - 10;
    let ver = u16::from_le_bytes([p[footer], p[footer + 1]]);
    if ver > RDB_LOAD_VERSION {
        return Err(RdbError::DumpPayload);
    }
    if !skip_checksum {
        let stored = u64::from_le_bytes(p[footer + 2..].try_into().map_err(|_| RdbError::DumpPayload)?);
        if crc64(0, &p[..footer + 2]) != stored {
            return Err(RdbError::DumpPayload);
        }
    }
    Ok(&p[..footer])
}

/// Decodes a RESTORE payload. `DumpPayload` for a bad footer ("DUMP
/// payload version or checksum are wrong"); any other error means "Bad
/// data format". Like Redis, bytes left between the value and the footer
/// are ignored.
pub fn decode_dump_payload(p: &[u8], skip_checksum: bool) -> Result<RdbValue> {
    let body = verify_dump_payload(p, skip_checksum)?;
    let mut r = Reader::new(body);
    let t = r.read_u8()?;
    if !rdb_type::is_object_type(t) {
        return Err(r.corrupt(format!("Unknown RDB encoding type {t}")));
    }
    read_value(&mut r, t)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn enc_len(n: u64) -> Vec<u8> {
        let mut w = Writer::new(false);
        w.length(n);
        w.into_bytes()
    }

    #[test]
    fn lengths() {
        assert_eq!(enc_len(0), [0]);
        assert_eq!(enc_len(63), [63]);
        assert_eq!(enc_len(64), [0x40, 64]);
        assert_eq!(enc_len(16383), [0x7F, 0xFF]);
        assert_eq!(enc_len(16384), [0x80, 0, 0, 0x40, 0]);
        assert_eq!(enc_len(u32::MAX as u64), [0x80, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(enc_len(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
        for n in [
            0,
            1,
            63,
            64,
            300,
            16383,
            16384,
            1 << 20,
            u32::MAX as u64,
            1 << 32,
            u64::MAX,
        ] {
            let b = enc_len(n);
            let mut r = Reader::new(&b);
            assert_eq!(r.read_len().unwrap(), n);
            assert!(r.is_empty());
        }
        assert!(matches!(Reader::new(&[0x82]).read_len(), Err(RdbError::Corrupt { .. })));
        assert!(matches!(
            Reader::new(&[0x40]).read_len(),
            Err(RdbError::Truncated { .. })
        ));
    }

    fn enc_str(s: &[u8], compress: bool) -> Vec<u8> {
        let mut w = Writer::new(compress);
        w.string(s);
        w.into_bytes()
    }

    #[test]
    fn strings() {
        assert_eq!(enc_str(b"12", false), [0xC0, 12]);
        assert_eq!(enc_str(b"-128", false), [0xC0, 0x80]);
        assert_eq!(enc_str(b"128", false), [0xC1, 128, 0]);
        assert_eq!(enc_str(b"-32769", false), [0xC2, 0xFF, 0x7F, 0xFF, 0xFF]);
        assert_eq!(
            enc_str(b"2147483648", false),
            [10, b'2', b'1', b'4', b'7', b'4', b'8', b'3', b'6', b'4', b'8']
        );
        assert_eq!(enc_str(b"012", false), [3, b'0', b'1', b'2']);
        assert_eq!(enc_str(b"", false), [0]);
        let long = vec![b'a'; 100];
        let c = enc_str(&long, true);
        assert_eq!(c[0], 0xC3);
        assert!(c.len() < 20);
        assert_eq!(enc_str(&long, false).len(), 102);
        // 20 bytes are never compressed.
        assert_eq!(enc_str(&[b'a'; 20], true).len(), 21);
        for s in [
            &b"12"[..],
            b"-128",
            b"128",
            b"-32769",
            b"2147483647",
            b"",
            b"hello",
            &long,
            b"-0",
            b"00",
        ] {
            for comp in [false, true] {
                let b = enc_str(s, comp);
                let mut r = Reader::new(&b);
                assert_eq!(r.read_string().unwrap(), s);
                assert!(r.is_empty());
            }
        }
        let mut w = Writer::new(false);
        w.int_string(i64::MAX);
        w.int_string(-5);
        let b = w.into_bytes();
        let mut r = Reader::new(&b);
        assert_eq!(r.read_string().unwrap(), b"9223372036854775807");
        assert_eq!(r.read_string().unwrap(), b"-5");
        // Bad encodings.
        assert!(matches!(
            Reader::new(&[0xC4]).read_string(),
            Err(RdbError::Corrupt { .. })
        ));
        assert!(matches!(
            Reader::new(&[0xC3, 2, 5, 0, 1]).read_string(),
            Err(RdbError::Corrupt { .. })
        ));
        assert!(matches!(
            Reader::new(&[5, 1, 2]).read_string(),
            Err(RdbError::Truncated { .. })
        ));
        assert!(matches!(
            Reader::new(&[0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).read_string(),
            Err(RdbError::Truncated { .. })
        ));
    }

    #[test]
    fn doubles() {
        let mut w = Writer::new(false);
        for d in [
            0.0,
            1.0,
            -3.0,
            1.5,
            0.1,
            1e300,
            -2.5e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4_503_599_627_370_496.0,
        ] {
            w.double_text(d);
        }
        w.double_text(f64::NAN);
        let b = w.into_bytes();
        assert_eq!(&b[..2], &[1, b'0']);
        let mut r = Reader::new(&b);
        for d in [
            0.0,
            1.0,
            -3.0,
            1.5,
            0.1,
            1e300,
            -2.5e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4_503_599_627_370_496.0,
        ] {
            assert_eq!(r.read_double_text().unwrap(), d);
        }
        assert!(r.read_double_text().unwrap().is_nan());
        // sscanf-style leniency.
        assert_eq!(parse_double_text(b" 2.5xyz"), Some(2.5));
        assert_eq!(parse_double_text(b"1e400"), Some(f64::INFINITY));
        assert_eq!(parse_double_text(b"abc"), None);
        assert_eq!(parse_double_text(b""), None);
        // Never panics on junk.
        let alphabet = b"0123456789.eEpPxX+-infaIN \t\0";
        let mut x = 7u64;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 40) as usize;
            let t: Vec<u8> = (0..n)
                .map(|k| alphabet[((x >> (k % 16 * 4)) as usize + k) % alphabet.len()])
                .collect();
            let _ = parse_double_text(&t);
        }
        let mut w = Writer::new(false);
        w.double_binary(-0.25);
        assert_eq!(Reader::new(w.as_bytes()).read_double_binary().unwrap(), -0.25);
    }

    #[test]
    fn module_names() {
        // "mymodule1" type with encoding version 0 round-trips through the id.
        let cset = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut id = 0u64;
        for c in b"MyType-_9" {
            id = (id << 6) | cset.iter().position(|x| x == c).unwrap() as u64;
        }
        assert_eq!(module_type_name((id << 10) | 3), "MyType-_9");
    }

    fn roundtrip(v: &RdbValue, compress: bool) {
        let p = dump_payload(v, compress);
        let back = decode_dump_payload(&p, false).unwrap();
        assert_eq!(&back, v);
    }

    fn lp(items: &[&[u8]]) -> Listpack {
        let mut l = Listpack::new();
        for i in items {
            l.append(i);
        }
        l
    }

    pub(crate) fn sample_values() -> Vec<RdbValue> {
        let mut is = Intset::new();
        for v in [1, -5, 70000, 1 << 40] {
            is.add(v);
        }
        let big = vec![b'x'; 5000];
        vec![
            RdbValue::String(b"hello".to_vec()),
            RdbValue::String(b"12345".to_vec()),
            RdbValue::String(big.clone()),
            RdbValue::List(ListRepr::Quicklist(vec![
                ListNode::Packed(lp(&[b"a", b"1", &big])),
                ListNode::Plain(big.clone()),
            ])),
            RdbValue::List(ListRepr::Elements(vec![b"x".to_vec(), b"y".to_vec()])),
            RdbValue::Set(SetRepr::Intset(is)),
            RdbValue::Set(SetRepr::Members(vec![b"a".to_vec(), b"b".to_vec(), b"1".to_vec()])),
            RdbValue::ZSet(ZSetRepr::Listpack(lp(&[b"a", b"1.5", b"b", b"2"]))),
            RdbValue::ZSet(ZSetRepr::Pairs(vec![
                (b"a".to_vec(), f64::INFINITY),
                (b"b".to_vec(), -0.1),
                (b"c".to_vec(), f64::NEG_INFINITY),
            ])),
            RdbValue::Hash(HashRepr::Listpack(lp(&[b"f", b"v", b"g", b"12"]))),
            RdbValue::Hash(HashRepr::Pairs(vec![
                (b"f".to_vec(), big.clone()),
                (b"g".to_vec(), b"".to_vec()),
            ])),
        ]
    }

    #[test]
    fn value_roundtrips() {
        for v in sample_values() {
            roundtrip(&v, false);
            roundtrip(&v, true);
        }
    }

    #[test]
    fn dump_payload_checks() {
        let v = RdbValue::String(b"abc".to_vec());
        let p = dump_payload(&v, false);
        assert_eq!(&p[..5], &[0, 3, b'a', b'b', b'c']);
        assert_eq!(&p[5..7], &[10, 0]);
        let mut bad = p.clone();
        bad[2] ^= 1;
        assert!(matches!(decode_dump_payload(&bad, false), Err(RdbError::DumpPayload)));
        assert!(decode_dump_payload(&bad, true).is_ok());
        // Redis 7.2's payloads (version 11) are taken; 7.4's (12) are not.
        let mut v11 = p.clone();
        v11[5] = 11;
        assert!(decode_dump_payload(&v11, true).is_ok());
        let mut newer = p.clone();
        newer[5] = 12;
        assert!(matches!(decode_dump_payload(&newer, true), Err(RdbError::DumpPayload)));
        assert!(matches!(
            decode_dump_payload(&p[..9], false),
            Err(RdbError::DumpPayload)
        ));
        // Unknown type.
        let mut w = Writer::new(false);
        w.u8(8);
        w.raw(&[10, 0]);
        let crc = crc64(0, w.as_bytes());
        w.raw(&crc.to_le_bytes());
        assert!(matches!(
            decode_dump_payload(w.as_bytes(), false),
            Err(RdbError::Corrupt { .. })
        ));
    }

    fn payload(t: u8, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
        let mut w = Writer::new(false);
        w.u8(t);
        body(&mut w);
        w.raw(&RDB_VERSION.to_le_bytes());
        let crc = crc64(0, w.as_bytes());
        w.raw(&crc.to_le_bytes());
        w.into_bytes()
    }

    #[test]
    fn rejects_bad_values() {
        use rdb_type::*;
        let err = |p: Vec<u8>| decode_dump_payload(&p, false).unwrap_err();
        assert!(matches!(err(payload(SET, |w| w.length(0))), RdbError::EmptyKey));
        let e = err(payload(SET, |w| {
            w.length(2);
            w.string(b"a");
            w.string(b"a");
        }));
        assert!(e.to_string().contains("Duplicate set members"));
        let e = err(payload(ZSET_2, |w| {
            w.length(1);
            w.string(b"a");
            w.double_binary(f64::NAN);
        }));
        assert!(e.to_string().contains("NAN"));
        let e = err(payload(HASH, |w| {
            w.length(2);
            for _ in 0..2 {
                w.string(b"f");
                w.string(b"v");
            }
        }));
        assert!(e.to_string().contains("Duplicate hash fields"));
        let e = err(payload(LIST_QUICKLIST_2, |w| {
            w.length(1);
            w.length(3);
            w.string(b"x");
        }));
        assert!(e.to_string().contains("Quicklist integrity"));
        // Empty listpack nodes are skipped; all-empty is an empty key.
        assert!(matches!(
            err(payload(LIST_QUICKLIST_2, |w| {
                w.length(1);
                w.length(2);
                w.string(Listpack::new().as_bytes());
            })),
            RdbError::EmptyKey
        ));
        // Odd hash listpack, duplicate field (int and string forms).
        assert!(matches!(
            err(payload(HASH_LISTPACK, |w| w.string(lp(&[b"a", b"1", b"b"]).as_bytes()))),
            RdbError::Corrupt { .. }
        ));
        // 5 (int), "x", "5" (string form), "y": a duplicate by string form.
        let raw = vec![
            18, 0, 0, 0, 4, 0, 5, 1, 0x81, b'x', 2, 0x81, b'5', 2, 0x81, b'y', 2, 0xFF,
        ];
        let l = Listpack::from_bytes(raw).unwrap();
        assert!(!listpack_pairs_ok(&l));
        assert!(matches!(
            err(payload(SET_INTSET, |w| w.string(Intset::new().as_bytes()))),
            RdbError::Corrupt { .. }
        ));
        assert!(err(payload(MODULE_2, |w| w.length(12345 << 10)))
            .to_string()
            .contains("module"));
    }

    #[test]
    fn set_listpack_of_redis_7_2() {
        use rdb_type::*;
        let dec = |p: Vec<u8>| decode_dump_payload(&p, false);
        let good = lp(&[b"a", b"1", b"-7"]);
        assert_eq!(
            dec(payload(SET_LISTPACK, |w| w.string(good.as_bytes()))).unwrap(),
            RdbValue::Set(SetRepr::Listpack(good.clone()))
        );
        // Written back as it came (a round trip of the decoded value).
        let mut w = Writer::new(false);
        write_value(&mut w, &RdbValue::Set(SetRepr::Listpack(good)));
        assert_eq!(w.as_bytes()[0], SET_LISTPACK);
        // A duplicate, even between an integer entry and its string form.
        assert!(matches!(
            dec(payload(SET_LISTPACK, |w| w.string(lp(&[b"a", b"b", b"a"]).as_bytes()))),
            Err(RdbError::Corrupt { .. })
        ));
        let raw = vec![12, 0, 0, 0, 2, 0, 5, 1, 0x81, b'5', 2, 0xFF];
        assert!(Listpack::from_bytes(raw.clone()).is_some());
        assert!(matches!(
            dec(payload(SET_LISTPACK, |w| w.string(&raw))),
            Err(RdbError::Corrupt { .. })
        ));
        // Not a listpack; an empty one.
        assert!(matches!(
            dec(payload(SET_LISTPACK, |w| w.string(b"\x01\x02"))),
            Err(RdbError::Corrupt { .. })
        ));
        assert!(matches!(
            dec(payload(SET_LISTPACK, |w| w.string(Listpack::new().as_bytes()))),
            Err(RdbError::EmptyKey)
        ));
        assert!(rdb_type::is_object_type(SET_LISTPACK) && !rdb_type::is_object_type(22));
    }

    #[test]
    fn legacy_types_convert() {
        use rdb_type::*;
        let ok = |p: Vec<u8>| decode_dump_payload(&p, false).unwrap();
        let zl = legacy::build_ziplist(&[b"a", b"1", b"b", b"2.5"]);
        assert_eq!(
            ok(payload(ZSET_ZIPLIST, |w| w.string(&zl))),
            RdbValue::ZSet(ZSetRepr::Listpack(lp(&[b"a", b"1", b"b", b"2.5"])))
        );
        assert_eq!(
            ok(payload(HASH_ZIPLIST, |w| w.string(&zl))),
            RdbValue::Hash(HashRepr::Listpack(lp(&[b"a", b"1", b"b", b"2.5"])))
        );
        assert_eq!(
            ok(payload(LIST_ZIPLIST, |w| w.string(&zl))),
            RdbValue::List(ListRepr::Elements(vec![
                b"a".to_vec(),
                b"1".to_vec(),
                b"b".to_vec(),
                b"2.5".to_vec()
            ]))
        );
        assert_eq!(
            ok(payload(LIST_QUICKLIST, |w| {
                w.length(2);
                w.string(&zl);
                w.string(&legacy::build_ziplist(&[]));
            })),
            RdbValue::List(ListRepr::Quicklist(vec![ListNode::Packed(lp(&[
                b"a", b"1", b"b", b"2.5"
            ]))]))
        );
        let zm = legacy::build_zipmap(&[(b"k", b"v")]);
        assert_eq!(
            ok(payload(HASH_ZIPMAP, |w| w.string(&zm))),
            RdbValue::Hash(HashRepr::Listpack(lp(&[b"k", b"v"])))
        );
        assert_eq!(
            ok(payload(ZSET, |w| {
                w.length(2);
                w.string(b"a");
                w.double_text(1.5);
                w.string(b"b");
                w.double_text(f64::NEG_INFINITY);
            })),
            RdbValue::ZSet(ZSetRepr::Pairs(vec![
                (b"a".to_vec(), 1.5),
                (b"b".to_vec(), f64::NEG_INFINITY)
            ]))
        );
    }

    /// Random mutations of valid payloads never panic (the CRC is skipped so
    /// the mutated bytes reach the decoders).
    #[test]
    fn fuzz_payloads() {
        let mut seeds: Vec<Vec<u8>> = sample_values().iter().map(|v| dump_payload(v, true)).collect();
        seeds.extend(sample_values().iter().map(|v| dump_payload(v, false)));
        let zl = legacy::build_ziplist(&[b"a", b"1", b"b", b"2.5", b"hello world"]);
        for t in [rdb_type::ZSET_ZIPLIST, rdb_type::HASH_ZIPLIST, rdb_type::LIST_ZIPLIST] {
            seeds.push(payload(t, |w| w.string(&zl)));
        }
        seeds.push(payload(rdb_type::HASH_ZIPMAP, |w| {
            w.string(&legacy::build_zipmap(&[(b"k", b"v"), (b"a", b"b")]))
        }));
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..60_000 {
            let seed = &seeds[(rnd() % seeds.len() as u64) as usize];
            let mut p = seed.clone();
            let body = p.len() - 10;
            for _ in 0..1 + rnd() % 4 {
                let i = (rnd() % body as u64) as usize;
                match rnd() % 4 {
                    0 => p[i] = rnd() as u8,
                    1 => p[i] ^= 1 << (rnd() % 8),
                    2 => p[i] = [0, 0xFF, 0x80, 0x40, 0xC3][(rnd() % 5) as usize],
                    _ => {
                        let cut = (rnd() % body as u64) as usize;
                        p.drain(cut..body);
                        break;
                    }
                }
            }
            let _ = decode_dump_payload(&p, true);
        }
    }
}
