//! HyperLogLog commands (Redis's hyperloglog.c): PFADD PFCOUNT PFMERGE
//! PFDEBUG PFSELFTEST. The sketches are string values in Redis's format;
//! `crate::hyperloglog` has the codec.

use super::{acl, ev, flags::*, ks, Command, Ctx, Group, KeySpec};
use crate::hyperloglog as hll;
use crate::object::Value;

pub static COMMANDS: &[Command] = &[
    Command::new("pfadd", -2, Group::Hyperloglog, pfadd)
        .flags(WRITE | DENYOOM | FAST)
        .acl(acl::HYPERLOGLOG)
        .keys(&[KeySpec::one(1, ks::RW | ks::INSERT)])
        .doc("2.8.9", "O(1) to add every element.", "Adds the specified elements to the specified HyperLogLog.")
        .args("key [element [element ...]]"),
    Command::new("pfcount", -2, Group::Hyperloglog, pfcount)
        .flags(READONLY)
        .acl(acl::HYPERLOGLOG)
        .keys(&[KeySpec::range(1, -1, 1, ks::RW | ks::ACCESS)
            .notes("RW because it may change the internal representation of the key, and propagate to replicas")])
        .doc(
            "2.8.9",
            "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
            "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
        )
        .args("key [key ...]"),
    Command::new("pfmerge", -2, Group::Hyperloglog, pfmerge)
        .flags(WRITE | DENYOOM)
        .acl(acl::HYPERLOGLOG)
        .keys(&[
            KeySpec::one(1, ks::RW | ks::ACCESS | ks::INSERT),
            KeySpec::range(2, -1, 1, ks::RO | ks::ACCESS),
        ])
        .doc("2.8.9", "O(N) to merge N HyperLogLogs, but with high constant times.", "Merge N different HyperLogLogs into a single one.")
        .args("destkey sourcekey [sourcekey ...]"),
    Command::new("pfdebug", 3, Group::Hyperloglog, pfdebug)
        .flags(WRITE | DENYOOM | ADMIN)
        .acl(acl::HYPERLOGLOG)
        .keys(&[KeySpec::one(2, ks::RW | ks::ACCESS)])
        .doc("2.8.9", "N/A", "Internal commands for debugging HyperLogLog values")
        .syscmd()
        .args("subcommand key"),
    Command::new("pfselftest", 1, Group::Hyperloglog, pfselftest)
        .flags(ADMIN)
        .acl(acl::HYPERLOGLOG)
        .doc("2.8.9", "N/A", "An internal command for testing HyperLogLog values")
        .syscmd()
        .args(""),
];

/// What a lookup of a would-be sketch found.
enum Sketch {
    Missing,
    /// Not a string, or a string that is not a sketch: the error to reply.
    Bad(&'static str),
    Ok,
}

/// Looks the key at `argv[i]` up (for reading or writing) and checks it the
/// way Redis's isHLLObjectOrReply does.
fn check_sketch(ctx: &mut Ctx, i: usize, write: bool) -> Sketch {
    let db = ctx.c.db;
    let key = ctx.argv.get(i);
    let o = if write {
        ctx.srv.lookup_write(db, key).map(|o| &*o)
    } else {
        ctx.srv.lookup_read(db, key)
    };
    let Some(o) = o else { return Sketch::Missing };
    if !o.v.is_string() {
        return Sketch::Bad(super::err::WRONGTYPE);
    }
    let ok = match &o.v {
        // An int-encoded string is never a sketch.
        Value::Int(_) => false,
        v => {
            let mut tmp = Vec::new();
            v.str_bytes(&mut tmp).is_some_and(hll::is_hll)
        }
    };
    if ok {
        Sketch::Ok
    } else {
        Sketch::Bad(hll::WRONGTYPE_ERR)
    }
}

/// The raw (unshared) bytes of a key known to hold a sketch.
fn sketch_buf<'a>(ctx: &'a mut Ctx, i: usize) -> &'a mut Vec<u8> {
    let db = ctx.c.db;
    let key = ctx.argv.get(i);
    ctx.srv.dbs[db]
        .get_mut(key)
        .and_then(|o| o.v.make_raw())
        .expect("the sketch was just looked up")
}

/// The bytes of a key known to hold a sketch, without converting it.
fn with_sketch<R>(ctx: &mut Ctx, i: usize, f: impl FnOnce(&[u8]) -> R) -> R {
    let db = ctx.c.db;
    let key = ctx.argv.get(i);
    let o = ctx.srv.dbs[db].get_mut(key).expect("the sketch was just looked up");
    let mut tmp = Vec::new();
    f(o.v.str_bytes(&mut tmp).unwrap_or_default())
}

/// PFADD key [element ...]
fn pfadd(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let mut updated: u64 = 0;
    match check_sketch(ctx, 1, true) {
        Sketch::Bad(e) => return ctx.error(e),
        Sketch::Missing => {
            let empty = Value::Raw(Box::new(hll::create()));
            ctx.srv.add_key(db, ctx.argv.get(1), empty);
            updated += 1;
        }
        Sketch::Ok => {}
    }
    let sparse_max = ctx.srv.cfg.hll_sparse_max_bytes;
    let argv = ctx.argv;
    let v = sketch_buf(ctx, 1);
    let mut corrupt = false;
    for j in 2..argv.len() {
        match hll::add(v, argv.get(j), sparse_max) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(_) => {
                corrupt = true;
                break;
            }
        }
    }
    if corrupt {
        return ctx.error(hll::INVALID_ERR);
    }
    if updated > 0 {
        hll::invalidate_cache(v);
        let key = ctx.argv.get(1);
        ctx.srv.signal_modified_key(db, key);
        ctx.notify(ev::STRING, "pfadd", key);
        ctx.srv.dirty += updated;
    }
    ctx.c.reply.int((updated > 0) as i64);
}

/// PFCOUNT key [key ...]
fn pfcount(ctx: &mut Ctx) {
    if ctx.argv.len() > 2 {
        // The union: the maximum of each register over all the sketches.
        let mut max = Box::new([0u8; hll::REGISTERS]);
        for j in 1..ctx.argv.len() {
            match check_sketch(ctx, j, false) {
                Sketch::Missing => continue,
                Sketch::Bad(e) => return ctx.error(e),
                Sketch::Ok => {}
            }
            if with_sketch(ctx, j, |v| hll::merge_into(&mut max, v)).is_err() {
                return ctx.error(hll::INVALID_ERR);
            }
        }
        let n = hll::count_raw(&max);
        return ctx.c.reply.int(n as i64);
    }
    match check_sketch(ctx, 1, false) {
        Sketch::Missing => return ctx.c.reply.int(0),
        Sketch::Bad(e) => return ctx.error(e),
        Sketch::Ok => {}
    }
    let v = sketch_buf(ctx, 1);
    let card = match hll::cached_card(v) {
        Some(c) => c,
        None => {
            let Ok(c) = hll::count(v) else {
                return ctx.error(hll::INVALID_ERR);
            };
            // Storing the estimate modifies the value (and is propagated by
            // Redis as a change).
            hll::set_cached_card(v, c);
            ctx.srv.signal_modified_key(ctx.c.db, ctx.argv.get(1));
            ctx.srv.dirty += 1;
            c
        }
    };
    ctx.c.reply.int(card as i64);
}

/// PFMERGE destkey [sourcekey ...]
fn pfmerge(ctx: &mut Ctx) {
    let mut max = Box::new([0u8; hll::REGISTERS]);
    let mut use_dense = false;
    // The destination is one of the inputs.
    for j in 1..ctx.argv.len() {
        match check_sketch(ctx, j, false) {
            Sketch::Missing => continue,
            Sketch::Bad(e) => return ctx.error(e),
            Sketch::Ok => {}
        }
        let r = with_sketch(ctx, j, |v| {
            let dense = hll::encoding(v) == hll::DENSE;
            hll::merge_into(&mut max, v).map(|_| dense)
        });
        match r {
            Ok(d) => use_dense |= d,
            Err(_) => return ctx.error(hll::INVALID_ERR),
        }
    }
    let db = ctx.c.db;
    if ctx.srv.lookup_write(db, ctx.argv.get(1)).is_none() {
        let empty = Value::Raw(Box::new(hll::create()));
        ctx.srv.add_key(db, ctx.argv.get(1), empty);
    }
    let sparse_max = ctx.srv.cfg.hll_sparse_max_bytes;
    let v = sketch_buf(ctx, 1);
    if use_dense && hll::sparse_to_dense(v).is_err() {
        return ctx.error(hll::INVALID_ERR);
    }
    for (i, &m) in max.iter().enumerate() {
        if m != 0 {
            // As in Redis, a corrupt destination is not reported here (it
            // was checked by the merge above).
            let _ = hll::set_register(v, i, m, sparse_max);
        }
    }
    hll::invalidate_cache(v);
    // Redis publishes `pfadd` for a merge too.
    ctx.written(ctx.argv.get(1), ev::STRING, "pfadd");
    ctx.c.reply.ok();
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
fn pfdebug(ctx: &mut Ctx) {
    match check_sketch(ctx, 2, true) {
        Sketch::Missing => return ctx.error("ERR The specified key does not exist"),
        Sketch::Bad(e) => return ctx.error(e),
        Sketch::Ok => {}
    }
    let sub = ctx.argv.get(1);
    let is = |w: &str| super::bitmaps::cstr(sub).eq_ignore_ascii_case(w.as_bytes());
    let v = sketch_buf(ctx, 2);
    if is("getreg") {
        if hll::encoding(v) == hll::SPARSE {
            if hll::sparse_to_dense(v).is_err() {
                return ctx.error(hll::INVALID_ERR);
            }
            ctx.srv.dirty += 1;
        }
        let v = sketch_buf(ctx, 2);
        let regs: Vec<u8> = hll::dense_registers(v).collect();
        let r = &mut ctx.c.reply;
        r.array_len(regs.len());
        for x in regs {
            r.int(x as i64);
        }
    } else if is("decode") {
        if hll::encoding(v) != hll::SPARSE {
            return ctx.error("ERR HLL encoding is not sparse");
        }
        let text = hll::decode(v);
        ctx.c.reply.bulk(text.as_bytes());
    } else if is("encoding") {
        let name: &[u8] = if hll::encoding(v) == hll::DENSE {
            b"dense"
        } else {
            b"sparse"
        };
        ctx.c.reply.status(name);
    } else if is("todense") {
        let mut conv = false;
        if hll::encoding(v) == hll::SPARSE {
            if hll::sparse_to_dense(v).is_err() {
                return ctx.error(hll::INVALID_ERR);
            }
            conv = true;
            ctx.srv.dirty += 1;
        }
        ctx.c.reply.int(conv as i64);
    } else {
        let name = String::from_utf8_lossy(super::bitmaps::cstr(sub)).into_owned();
        ctx.error(&format!("ERR Unknown PFDEBUG subcommand '{name}'"));
    }
}

/// PFSELFTEST
fn pfselftest(ctx: &mut Ctx) {
    let sparse_max = ctx.srv.cfg.hll_sparse_max_bytes;
    let seed = (crate::server::ustime() as u64) | 1;
    match hll::selftest(sparse_max, seed) {
        Ok(()) => ctx.c.reply.ok(),
        Err(e) => ctx.error(&e),
    }
}
