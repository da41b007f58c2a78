//! A base file in command form (`aof-use-rdb-preamble no`): each key as the
//! commands that rebuild it (Redis's rewriteAppendOnlyFileRio). The output
//! is byte for byte what Redis 7.0 writes for the same iteration order.

use super::cat_command;
use crate::listpack::LpValue;
use crate::object::Value;
use crate::t_stream::{Group, Stream, StreamId};
use crate::util::{fmt_double, fmt_i64, fmt_u64, push_u64};
use std::io::{self, Write};

/// Redis's AOF_REWRITE_ITEMS_PER_CMD: a big collection becomes several
/// commands, so that replaying one never needs a huge query buffer.
pub const ITEMS_PER_CMD: usize = 64;

/// The buffer goes to the file once it holds this much.
const FLUSH_AT: usize = 64 * 1024;

/// Writes the dataset as commands.
pub struct AofWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
}

/// `*<n>\r\n`: the start of a command whose arguments follow one by one.
fn array_len(out: &mut Vec<u8>, n: usize) {
    out.push(b'*');
    push_u64(out, n as u64);
    out.extend_from_slice(b"\r\n");
}

fn bulk(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'$');
    push_u64(out, s.len() as u64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(s);
    out.extend_from_slice(b"\r\n");
}

/// Listpack integers go out in decimal, as rioWriteBulkLongLong does.
fn bulk_lp(out: &mut Vec<u8>, v: LpValue<'_>) {
    v.with_bytes(|b| bulk(out, b));
}

/// A header promised a number of items the iterator did not deliver: the
/// value changed under the writer or its length is wrong. The file would
/// not parse, so the rewrite fails instead.
fn count_mismatch(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{what}: the element count does not match its length"),
    )
}

impl<W: Write> AofWriter<W> {
    pub fn new(out: W) -> Self {
        AofWriter { out, buf: Vec::new() }
    }

    /// A `#TS:<unix seconds>` line (aof-timestamp-enabled), which loaders
    /// skip.
    pub fn timestamp(&mut self, unix_secs: i64) -> io::Result<()> {
        self.buf.extend_from_slice(format!("#TS:{unix_secs}\r\n").as_bytes());
        self.drain()
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
        match value {
            Value::List(l) => self.batched(b"RPUSH", key, l.len(), 1, l.iter(), bulk_lp)?,
            Value::Set(s) => self.batched(b"SADD", key, s.len(), 1, s.iter(), |out, m| {
                let mut tmp = [0u8; 20];
                bulk(out, m.bytes(&mut tmp));
            })?,
            Value::ZSet(z) => {
                let mut score = Vec::with_capacity(32);
                self.batched(b"ZADD", key, z.len(), 2, z.iter(), |out, (m, s)| {
                    // rioWriteBulkDouble is a plain "%.17g".
                    score.clear();
                    fmt_double(&mut score, s);
                    bulk(out, &score);
                    bulk_lp(out, m);
                })?
            }
            Value::Hash(h) => self.batched(b"HMSET", key, h.len(), 2, h.iter(), |out, (f, v)| {
                bulk_lp(out, f);
                bulk_lp(out, v);
            })?,
            Value::Stream(st) => self.stream(key, st)?,
            s => self.string(key, s)?,
        }
        if let Some(t) = expire {
            let mut tmp = [0u8; 20];
            cat_command(
                &mut self.buf,
                [&b"PEXPIREAT"[..], key, fmt_i64(&mut tmp, t)].into_iter(),
            );
        }
        self.drain()
    }

    fn string(&mut self, key: &[u8], v: &Value) -> io::Result<()> {
        let mut tmp = Vec::new();
        let s = v
            .str_bytes(&mut tmp)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a value of unknown type"))?;
        cat_command(&mut self.buf, [&b"SET"[..], key, s].into_iter());
        Ok(())
    }

    /// `cmd key item...` commands of at most ITEMS_PER_CMD items of `width`
    /// arguments each (rewriteListObject and its siblings). `len` must be
    /// the number of items: each header announces its count up front.
    fn batched<T>(
        &mut self,
        cmd: &[u8],
        key: &[u8],
        len: usize,
        width: usize,
        items: impl Iterator<Item = T>,
        mut put: impl FnMut(&mut Vec<u8>, T),
    ) -> io::Result<()> {
        let mut left = len;
        let mut in_cmd = 0;
        for item in items {
            if in_cmd == 0 {
                if left == 0 {
                    return Err(count_mismatch("collection"));
                }
                array_len(&mut self.buf, 2 + left.min(ITEMS_PER_CMD) * width);
                bulk(&mut self.buf, cmd);
                bulk(&mut self.buf, key);
            }
            put(&mut self.buf, item);
            left -= 1;
            in_cmd += 1;
            if in_cmd == ITEMS_PER_CMD {
                in_cmd = 0;
                // A big collection must not be held in memory whole.
                self.drain()?;
            }
        }
        if left != 0 {
            return Err(count_mismatch("collection"));
        }
        Ok(())
    }

    /// rewriteStreamObject: the entries, the stream's IDs and counters,
    /// then its groups.
    fn stream(&mut self, key: &[u8], st: &Stream) -> io::Result<()> {
        if st.length > 0 {
            self.stream_entries(key, st)?;
        } else {
            // XADD with MAXLEN 0 is the only command that leaves an
            // empty stream behind.
            cat_command(
                &mut self.buf,
                [&b"XADD"[..], key, b"MAXLEN", b"0", b"0-1", b"x", b"y"].into_iter(),
            );
        }
        // XDEL and trimming do not lower the last ID, so it is set
        // explicitly, with the counters XINFO reports.
        let last = st.last_id.to_bytes();
        let max_deleted = st.max_deleted_id.to_bytes();
        let mut tmp = [0u8; 20];
        let added = fmt_u64(&mut tmp, st.entries_added);
        cat_command(
            &mut self.buf,
            [
                &b"XSETID"[..],
                key,
                &last,
                b"ENTRIESADDED",
                added,
                b"MAXDELETEDID",
                &max_deleted,
            ]
            .into_iter(),
        );
        for (name, g) in &st.groups {
            self.stream_group(key, name, g)?;
        }
        Ok(())
    }

    fn stream_entries(&mut self, key: &[u8], st: &Stream) -> io::Result<()> {
        let mut res = Ok(());
        st.range(StreamId::MIN, StreamId::MAX, false, |e| {
            res = self.xadd(key, e.id(), e.nfields(), e.pairs());
            res.is_ok()
        });
        res
    }

    /// `XADD key id field value...` for one entry.
    fn xadd<'a>(
        &mut self,
        key: &[u8],
        id: StreamId,
        nfields: usize,
        pairs: impl Iterator<Item = (LpValue<'a>, LpValue<'a>)>,
    ) -> io::Result<()> {
        array_len(&mut self.buf, 3 + nfields * 2);
        bulk(&mut self.buf, b"XADD");
        bulk(&mut self.buf, key);
        bulk(&mut self.buf, &id.to_bytes());
        let mut n = 0;
        for (f, v) in pairs {
            bulk_lp(&mut self.buf, f);
            bulk_lp(&mut self.buf, v);
            n += 1;
        }
        if n != nfields {
            return Err(count_mismatch("stream entry"));
        }
        self.drain()
    }

    /// The group, then per consumer (in name order, as Redis's rax) either
    /// an XCLAIM per pending entry or, with none, XGROUP CREATECONSUMER.
    fn stream_group(&mut self, key: &[u8], name: &[u8], g: &Group) -> io::Result<()> {
        let last = g.last_id.to_bytes();
        let mut tmp = [0u8; 20];
        let read = fmt_i64(&mut tmp, g.entries_read);
        cat_command(
            &mut self.buf,
            [&b"XGROUP"[..], b"CREATE", key, name, &last, b"ENTRIESREAD", read].into_iter(),
        );
        for (cname, c) in &g.consumers {
            if c.pel.is_empty() {
                cat_command(
                    &mut self.buf,
                    [&b"XGROUP"[..], b"CREATECONSUMER", key, name, cname].into_iter(),
                );
                continue;
            }
            for id in &c.pel {
                // The group's PEL holds the delivery data of the entry.
                if let Some(nack) = g.pel.get(id) {
                    self.xclaim(key, name, cname, *id, nack.delivery_time, nack.delivery_count);
                }
            }
            self.drain()?;
        }
        Ok(())
    }

    /// rioWriteStreamPendingEntry: JUSTID keeps the delivery count as
    /// given, FORCE creates the PEL entry the group does not have yet.
    fn xclaim(&mut self, key: &[u8], group: &[u8], consumer: &[u8], id: StreamId, time: i64, count: u64) {
        let id = id.to_bytes();
        let (mut t, mut c) = ([0u8; 20], [0u8; 20]);
        let argv: [&[u8]; 12] = [
            b"XCLAIM",
            key,
            group,
            consumer,
            b"0",
            &id,
            b"TIME",
            fmt_i64(&mut t, time),
            b"RETRYCOUNT",
            fmt_u64(&mut c, count),
            b"JUSTID",
            b"FORCE",
        ];
        cat_command(&mut self.buf, argv.into_iter());
    }

    fn drain(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::t_set::Member;
    use crate::t_stream::{Consumer, Nack};
    use std::sync::Arc;

    /// The RESP form of one command, built independently of the writer.
    fn cmd(args: &[&str]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
        }
        out
    }

    fn written(key: &[u8], v: &Value, expire: Option<i64>) -> Vec<u8> {
        let mut w = AofWriter::new(Vec::new());
        w.entry(key, v, expire).unwrap();
        w.finish().unwrap()
    }

    fn show(b: &[u8]) -> String {
        b.escape_ascii().to_string()
    }

    fn assert_bytes(got: Vec<u8>, want: Vec<u8>) {
        assert_eq!(show(&got), show(&want));
    }

    /// `cmd key` followed by each item's arguments.
    fn batch(name: &str, key: &str, items: &[Vec<String>]) -> Vec<u8> {
        let mut args = vec![name, key];
        args.extend(items.iter().flatten().map(String::as_str));
        cmd(&args)
    }

    #[test]
    fn strings_and_ttl() {
        let got = written(b"k", &Value::string(b"v"), Some(1_700_000_000_123));
        let mut want = cmd(&["SET", "k", "v"]);
        want.extend(cmd(&["PEXPIREAT", "k", "1700000000123"]));
        assert_bytes(got, want);
        assert_bytes(written(b"n", &Value::Int(-42), None), cmd(&["SET", "n", "-42"]));
    }

    #[test]
    fn list_batches_at_64() {
        let items: Vec<Vec<String>> = (0..65).map(|i| vec![format!("e{i}")]).collect();
        let mut l = crate::t_list::List::new_quicklist(-2, 0);
        for it in &items {
            l.push(it[0].as_bytes(), false);
        }
        let got = written(b"l", &Value::List(l), Some(5));
        let mut want = batch("RPUSH", "l", &items[..64]);
        want.extend(batch("RPUSH", "l", &items[64..]));
        want.extend(cmd(&["PEXPIREAT", "l", "5"]));
        assert_bytes(got, want);
    }

    #[test]
    fn exactly_64_items_is_one_command() {
        let mut l = crate::t_list::List::new_quicklist(-2, 0);
        for i in 0..64 {
            l.push(i.to_string().as_bytes(), false);
        }
        let items: Vec<Vec<String>> = (0..64).map(|i| vec![i.to_string()]).collect();
        assert_bytes(written(b"l", &Value::List(l), None), batch("RPUSH", "l", &items));
    }

    #[test]
    fn intset_batches() {
        let lim = crate::t_set::Limits::default();
        let mut s = crate::t_set::Set::new();
        for i in 1..=130 {
            s.add(Member::Int(i), &lim);
        }
        let items: Vec<Vec<String>> = (1..=130).map(|i| vec![i.to_string()]).collect();
        let mut want = batch("SADD", "s", &items[..64]);
        want.extend(batch("SADD", "s", &items[64..128]));
        want.extend(batch("SADD", "s", &items[128..]));
        assert_bytes(written(b"s", &Value::Set(s), None), want);
    }

    #[test]
    fn listpack_set_in_insertion_order() {
        let lim = crate::t_set::Limits::default();
        let mut s = crate::t_set::Set::new_listpack();
        for m in ["z", "3", "a"] {
            s.add(Member::Str(m.as_bytes()), &lim);
        }
        assert_eq!(s.encoding(), "listpack");
        let items: Vec<Vec<String>> = ["z", "3", "a"].iter().map(|m| vec![m.to_string()]).collect();
        assert_bytes(written(b"s", &Value::Set(s), None), batch("SADD", "s", &items));
    }

    #[test]
    fn zset_scores_in_percent_17g() {
        let mut z = crate::t_zset::ZSet::new_listpack();
        let lim = crate::t_zset::Limits::NONE;
        for (m, s) in [
            ("a", 1.5),
            ("b", 0.1),
            ("c", f64::NEG_INFINITY),
            ("d", 1e20),
            ("e", 3.0),
        ] {
            z.insert_new(m.as_bytes(), s, lim);
        }
        let want = cmd(&[
            "ZADD",
            "z",
            "-inf",
            "c",
            "0.10000000000000001",
            "b",
            "1.5",
            "a",
            "3",
            "e",
            "1e+20",
            "d",
        ]);
        assert_bytes(written(b"z", &Value::ZSet(z), None), want);
    }

    #[test]
    fn hash_pairs_batch_at_64_fields() {
        let items: Vec<Vec<String>> = (0..65).map(|i| vec![format!("f{i}"), i.to_string()]).collect();
        let pairs: Vec<(&[u8], &[u8])> = items.iter().map(|p| (p[0].as_bytes(), p[1].as_bytes())).collect();
        let lim = crate::t_hash::Limits {
            max_entries: 1000,
            max_value: 64,
        };
        let h = crate::t_hash::Hash::from_pairs(pairs.into_iter(), lim).unwrap();
        let mut want = batch("HMSET", "h", &items[..64]);
        want.extend(batch("HMSET", "h", &items[64..]));
        assert_bytes(written(b"h", &Value::Hash(h), None), want);
    }

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId::new(ms, seq)
    }

    #[test]
    fn stream_with_a_group_a_pending_entry_and_an_idle_consumer() {
        let mut st = Stream::new();
        assert!(st.append(id(1, 1), &[(b"f", b"v")], 4096, 100));
        assert!(st.append(id(2, 1), &[(b"f", b"v"), (b"g", b"7")], 4096, 100));
        assert!(st.append(id(3, 0), &[(b"x", b"y")], 4096, 100));
        assert!(st.delete(id(3, 0)));
        st.max_deleted_id = id(3, 0);
        let mut g = Group::new(id(2, 1), 2);
        let nack = Nack {
            delivery_time: 1_700_000_000_000,
            delivery_count: 3,
            consumer: (*b"alice").into(),
        };
        g.pel.insert(id(1, 1), nack);
        let mut alice = Consumer::default();
        alice.pel.insert(id(1, 1));
        g.consumers.insert((*b"alice").into(), alice);
        g.consumers.insert((*b"bob").into(), Consumer::default());
        st.groups.insert((*b"g1").into(), g);

        let mut want = cmd(&["XADD", "st", "1-1", "f", "v"]);
        want.extend(cmd(&["XADD", "st", "2-1", "f", "v", "g", "7"]));
        want.extend(cmd(&[
            "XSETID",
            "st",
            "3-0",
            "ENTRIESADDED",
            "3",
            "MAXDELETEDID",
            "3-0",
        ]));
        want.extend(cmd(&["XGROUP", "CREATE", "st", "g1", "2-1", "ENTRIESREAD", "2"]));
        want.extend(cmd(&[
            "XCLAIM",
            "st",
            "g1",
            "alice",
            "0",
            "1-1",
            "TIME",
            "1700000000000",
            "RETRYCOUNT",
            "3",
            "JUSTID",
            "FORCE",
        ]));
        want.extend(cmd(&["XGROUP", "CREATECONSUMER", "st", "g1", "bob"]));
        assert_bytes(written(b"st", &Value::Stream(Arc::new(st)), None), want);
    }

    #[test]
    fn empty_stream_is_xadd_maxlen_0_then_xsetid() {
        let mut st = Stream::new();
        assert!(st.append(id(5, 5), &[(b"a", b"b")], 4096, 100));
        assert!(st.delete(id(5, 5)));
        st.max_deleted_id = id(5, 5);
        let mut g = Group::new(StreamId::MIN, -1);
        g.consumers.insert((*b"c").into(), Consumer::default());
        st.groups.insert((*b"g").into(), g);
        let mut want = cmd(&["XADD", "e", "MAXLEN", "0", "0-1", "x", "y"]);
        want.extend(cmd(&["XSETID", "e", "5-5", "ENTRIESADDED", "1", "MAXDELETEDID", "5-5"]));
        want.extend(cmd(&["XGROUP", "CREATE", "e", "g", "0-0", "ENTRIESREAD", "-1"]));
        want.extend(cmd(&["XGROUP", "CREATECONSUMER", "e", "g", "c"]));
        want.extend(cmd(&["PEXPIREAT", "e", "9"]));
        assert_bytes(written(b"e", &Value::Stream(Arc::new(st)), Some(9)), want);
    }

    #[test]
    fn functions_come_before_the_first_select() {
        let mut w = AofWriter::new(Vec::new());
        w.functions(&[b"#!lua name=l1\nbody".to_vec()]).unwrap();
        w.select_db(3).unwrap();
        w.entry(b"k", &Value::string(b"v"), None).unwrap();
        let mut want = cmd(&["FUNCTION", "LOAD", "#!lua name=l1\nbody"]);
        want.extend(cmd(&["SELECT", "3"]));
        want.extend(cmd(&["SET", "k", "v"]));
        assert_bytes(w.finish().unwrap(), want);
    }

    #[test]
    fn big_values_reach_the_output_in_pieces() {
        let mut s = crate::t_set::Set::new();
        for i in 0..20_000 {
            s.add(
                Member::Str(format!("member-{i}").as_bytes()),
                &crate::t_set::Limits::default(),
            );
        }
        let mut w = AofWriter::new(Vec::new());
        w.entry(b"s", &Value::Set(s), None).unwrap();
        // Everything but the last partial buffer is already out.
        assert!(w.buf.len() < FLUSH_AT);
        assert!(w.out.len() > 200_000);
    }
}
