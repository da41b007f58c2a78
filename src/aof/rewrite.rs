//! A base file in command form (`aof-use-rdb-preamble no`): each key as the
//! commands that rebuild it (Redis's rewriteAppendOnlyFileRio).

use super::cat_command;
use crate::object::Value;
use std::io::{self, Write};

/// Writes the dataset as commands.
pub struct AofWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> AofWriter<W> {
    pub fn new(out: W) -> Self {
        AofWriter { out, buf: Vec::new() }
    }

    /// Function libraries come first, as `FUNCTION LOAD` commands.
    pub fn functions(&mut self, libs: &[Vec<u8>]) -> io::Result<()> {
        for code in libs {
            cat_command(&mut self.buf, [&b"FUNCTION"[..], b"LOAD", code].into_iter());
        }
        self.drain()
    }

    pub fn select_db(&mut self, db: usize) -> io::Result<()> {
        let n = db.to_string();
        cat_command(&mut self.buf, [&b"SELECT"[..], n.as_bytes()].into_iter());
        self.drain()
    }

    /// The commands that recreate `key` with `value` and its expiry.
    pub fn entry(&mut self, key: &[u8], value: &Value, expire: Option<i64>) -> io::Result<()> {
        let mut tmp = Vec::new();
        match value.str_bytes(&mut tmp) {
            Some(s) => cat_command(&mut self.buf, [&b"SET"[..], key, s].into_iter()),
            None => {
                return Err(io::Error::other(
                    "collections in a command-form AOF base are not written yet",
                ))
            }
        }
        if let Some(t) = expire {
            let t = t.to_string();
            cat_command(&mut self.buf, [&b"PEXPIREAT"[..], key, t.as_bytes()].into_iter());
        }
        self.drain()
    }

    fn drain(&mut self) -> io::Result<()> {
        if self.buf.len() >= 64 * 1024 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}
