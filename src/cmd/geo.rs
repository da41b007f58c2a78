//! Geo commands (Redis 7.0's geo.c): positions stored as sorted set
//! scores, the 52-bit geohash of `crate::geohash`.
//!
//! GEOADD encodes the positions and hands them to ZADD's code
//! (`zsets::zadd_apply`), as Redis rewrites GEOADD into a ZADD. Every
//! search (GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH and
//! GEOSEARCHSTORE) goes through `georadius_generic`, which scans the nine
//! geohash boxes around the centre in Redis's order, so replies (order of
//! unsorted results included), errors and their order, stored sets and
//! keyspace events are Redis 7.0.15's.

use super::{acl, cstr, err, ev, flags::*, ks, zsets, BeginSearch, Command, Ctx, FindKeys, Group, KeySpec};
use crate::geohash::{self, Shape, ShapeKind, LAT_MAX, LAT_MIN, LONG_MAX, LONG_MIN};
use crate::object::Value;
use crate::reply::ReplyBuf;
use crate::sbytes::SBytes;
use crate::server::Server;
use crate::t_zset::{AddFlags, ScoreRange, ZSet};
use crate::util;

const KS_RO: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS)];

/// The key specs of GEORADIUS(BYMEMBER): the source, then the STORE and
/// STOREDIST keys searched from the first option.
const fn radius_keys(startfrom: i32) -> [KeySpec; 3] {
    const fn kw(keyword: &'static str, startfrom: i32) -> KeySpec {
        KeySpec {
            notes: "",
            flags: ks::OW | ks::UPDATE,
            begin: BeginSearch::Keyword { keyword, startfrom },
            find: FindKeys::Range {
                lastkey: 0,
                step: 1,
                limit: 0,
            },
        }
    }
    [
        KeySpec::one(1, ks::RO | ks::ACCESS),
        kw("STORE", startfrom),
        kw("STOREDIST", startfrom),
    ]
}

const KS_GEORADIUS: &[KeySpec] = &radius_keys(6);
const KS_GEORADIUSBYMEMBER: &[KeySpec] = &radius_keys(5);

const RADIUS_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const SEARCH_COMPLEXITY: &str = "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";
const UPPERCASE_UNITS: (&str, &str) = ("7.0.0", "Added support for uppercase unit names.");
const ANY_OPTION: (&str, &str) = ("6.2.0", "Added the `ANY` option for `COUNT`.");

pub static COMMANDS: &[Command] = &[
    Command::new("geoadd", -5, Group::Geo, geoadd)
        .flags(WRITE | DENYOOM)
        .acl(acl::GEO)
        .keys(&[KeySpec::one(1, ks::RW | ks::UPDATE)])
        .doc("3.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.", "Add one or more geospatial items in the geospatial index represented using a sorted set")
        .args("key condition=[NX | XX]@6.2.0 change=[CH]@6.2.0 longitude:double latitude:double member [longitude:double latitude:double member ...]")
        .history(&[("6.2.0", "Added the `CH`, `NX` and `XX` options.")]),
    Command::new("geodist", -4, Group::Geo, geodist)
        .flags(READONLY)
        .acl(acl::GEO)
        .keys(KS_RO)
        .doc("3.2.0", "O(log(N))", "Returns the distance between two members of a geospatial index")
        .args("key member1 member2 unit=[M | KM | FT | MI]"),
    Command::new("geohash", -2, Group::Geo, geohash)
        .flags(READONLY)
        .acl(acl::GEO)
        .keys(KS_RO)
        .doc("3.2.0", "O(log(N)) for each member requested, where N is the number of elements in the sorted set.", "Returns members of a geospatial index as standard geohash strings")
        .args("key member [member ...]"),
    Command::new("geopos", -2, Group::Geo, geopos)
        .flags(READONLY)
        .acl(acl::GEO)
        .keys(KS_RO)
        .doc("3.2.0", "O(N) where N is the number of members requested.", "Returns longitude and latitude of members of a geospatial index")
        .args("key member [member ...]"),
    Command::new("georadius", -6, Group::Geo, georadius)
        .flags(WRITE | DENYOOM)
        .acl(acl::GEO)
        .keys(KS_GEORADIUS)
        .doc("3.2.0", RADIUS_COMPLEXITY, "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point")
        .args("key longitude:double latitude:double radius:double unit=(M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] count=[count=COUNT count:integer [ANY]@6.2.0] order=[ASC | DESC] [STORE key] [STOREDIST key]")
        .history(&[ANY_OPTION, UPPERCASE_UNITS])
        .deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
    Command::new("georadiusbymember", -5, Group::Geo, georadiusbymember)
        .flags(WRITE | DENYOOM)
        .acl(acl::GEO)
        .keys(KS_GEORADIUSBYMEMBER)
        .doc("3.2.0", RADIUS_COMPLEXITY, "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member")
        .args("key member radius:double unit=(M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] count=[count=COUNT count:integer [ANY]] order=[ASC | DESC] [STORE key] [STOREDIST key]")
        .history(&[UPPERCASE_UNITS])
        .deprecated("6.2.0", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
    Command::new("georadius_ro", -6, Group::Geo, georadius_ro)
        .flags(READONLY)
        .acl(acl::GEO)
        .keys(KS_RO)
        .doc("3.2.10", RADIUS_COMPLEXITY, "A read-only variant for GEORADIUS")
        .args("key longitude:double latitude:double radius:double unit=(M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] count=[count=COUNT count:integer [ANY]@6.2.0] order=[ASC | DESC]")
        .history(&[ANY_OPTION])
        .deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` argument"),
    Command::new("georadiusbymember_ro", -5, Group::Geo, georadiusbymember_ro)
        .flags(READONLY)
        .acl(acl::GEO)
        .keys(KS_RO)
        .doc("3.2.10", RADIUS_COMPLEXITY, "A read-only variant for GEORADIUSBYMEMBER")
        .args("key member radius:double unit=(M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] count=[count=COUNT count:integer [ANY]] order=[ASC | DESC]")
        .deprecated("6.2.0", "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
    Command::new("geosearch", -7, Group::Geo, geosearch)
        .flags(READONLY)
        .acl(acl::GEO)
        .keys(KS_RO)
        .doc("6.2.0", SEARCH_COMPLEXITY, "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.")
        .args("key from=(FROMMEMBER member | FROMLONLAT longitude:double latitude:double) by=(circle=(radius=BYRADIUS radius:double unit=(M | KM | FT | MI)) | box=(width=BYBOX width:double height:double unit=(M | KM | FT | MI))) order=[ASC | DESC] count=[count=COUNT count:integer [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]")
        .history(&[UPPERCASE_UNITS]),
    Command::new("geosearchstore", -8, Group::Geo, geosearchstore)
        .flags(WRITE | DENYOOM)
        .acl(acl::GEO)
        .keys(&[KeySpec::one(1, ks::OW | ks::UPDATE), KeySpec::one(2, ks::RO | ks::ACCESS)])
        .doc("6.2.0", SEARCH_COMPLEXITY, "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.")
        .args("destination:key source:key from=(FROMMEMBER member | FROMLONLAT longitude:double latitude:double) by=(circle=(radius=BYRADIUS radius:double unit=(M | KM | FT | MI)) | box=(width=BYBOX width:double height:double unit=(M | KM | FT | MI))) order=[ASC | DESC] count=[count=COUNT count:integer [ANY]] [STOREDIST]")
        .history(&[UPPERCASE_UNITS]),
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Redis compares option names with `strcasecmp` on the C string.
fn kw(arg: &[u8], name: &str) -> bool {
    cstr(arg).eq_ignore_ascii_case(name.as_bytes())
}

/// A key holding something other than a sorted set.
struct WrongType;

/// Looks `key` up for reading (stats, expiry, access time).
fn lookup_zset(srv: &mut Server, db: usize, key: &[u8]) -> Result<bool, WrongType> {
    match srv.lookup_read(db, key) {
        None => Ok(false),
        Some(o) => match o.v {
            Value::ZSet(_) => Ok(true),
            _ => Err(WrongType),
        },
    }
}

/// A sorted set already looked up in this command, without the side
/// effects of another lookup.
fn zset_again<'s>(srv: &'s Server, db: usize, key: &[u8]) -> Option<&'s ZSet> {
    match srv.dbs[db].get(key).map(|o| &o.v) {
        Some(Value::ZSet(z)) => Some(z),
        _ => None,
    }
}

/// Redis `extractLongLatOrReply`: the longitude at `i`, the latitude at
/// `i + 1`, within the limits.
fn lon_lat_arg(ctx: &mut Ctx, i: usize) -> Option<(f64, f64)> {
    let mut xy = [0.0; 2];
    for (k, v) in xy.iter_mut().enumerate() {
        match util::string2d(ctx.argv.get(i + k)) {
            Some(d) => *v = d,
            None => {
                ctx.error(err::NOT_FLOAT);
                return None;
            }
        }
    }
    let (x, y) = (xy[0], xy[1]);
    if !(LONG_MIN..=LONG_MAX).contains(&x) || !(LAT_MIN..=LAT_MAX).contains(&y) {
        ctx.error(&format!("ERR invalid longitude,latitude pair {x:.6},{y:.6}"));
        return None;
    }
    Some((x, y))
}

/// Redis `extractUnitOrReply`: meters per unit.
fn unit_arg(ctx: &mut Ctx, i: usize) -> Option<f64> {
    let u = ctx.argv.get(i);
    let f = if kw(u, "m") {
        1.0
    } else if kw(u, "km") {
        1000.0
    } else if kw(u, "ft") {
        0.3048
    } else if kw(u, "mi") {
        1609.34
    } else {
        ctx.error("ERR unsupported unit provided. please use M, KM, FT, MI");
        return None;
    };
    Some(f)
}

/// A double argument, or the error `msg` (Redis's
/// `getDoubleFromObjectOrReply` with a message).
fn double_arg(ctx: &mut Ctx, i: usize, msg: &str) -> Option<f64> {
    let v = util::string2d(ctx.argv.get(i));
    if v.is_none() {
        ctx.error(msg);
    }
    v
}

/// Redis `extractDistanceOrReply`: (radius, meters per unit).
fn distance_arg(ctx: &mut Ctx, i: usize) -> Option<(f64, f64)> {
    let d = double_arg(ctx, i, "ERR need numeric radius")?;
    if d < 0.0 {
        ctx.error("ERR radius cannot be negative");
        return None;
    }
    let conv = unit_arg(ctx, i + 1)?;
    Some((d, conv))
}

/// Redis `extractBoxOrReply`: (width, height, meters per unit).
fn box_arg(ctx: &mut Ctx, i: usize) -> Option<(f64, f64, f64)> {
    let w = double_arg(ctx, i, "ERR need numeric width")?;
    let h = double_arg(ctx, i + 1, "ERR need numeric height")?;
    if h < 0.0 || w < 0.0 {
        ctx.error("ERR height or width cannot be negative");
        return None;
    }
    let conv = unit_arg(ctx, i + 2)?;
    Some((w, h, conv))
}

/// `%.4f` as glibc prints it (`nan` with its sign, `inf`).
fn fmt_distance(d: f64) -> String {
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    format!("{d:.4}")
}

/// Redis `addReplyDoubleDistance`: a bulk string with 4 decimals, in RESP3
/// too.
fn reply_distance(r: &mut ReplyBuf, d: f64) {
    r.bulk(fmt_distance(d).as_bytes());
}

/// Redis `addReplyHumanLongDouble`: a bulk string in RESP2, a double in
/// RESP3, printed as `%.17Lf` without trailing zeros.
fn reply_human(r: &mut ReplyBuf, d: f64) {
    let mut text = Vec::with_capacity(24);
    util::push_human_double(&mut text, d);
    if r.resp >= 3 {
        let mut line = Vec::with_capacity(text.len() + 3);
        line.push(b',');
        line.extend_from_slice(&text);
        line.extend_from_slice(b"\r\n");
        r.raw(&line);
    } else {
        r.bulk(&text);
    }
}

/// The position of `member`, if it is in `z`.
fn member_pos(z: &ZSet, member: &[u8]) -> Option<(f64, f64)> {
    z.score(member).map(geohash::decode_score)
}

// ---------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS
// ---------------------------------------------------------------------------

/// GEOADD key [NX|XX] [CH] longitude latitude member [...]
fn geoadd(ctx: &mut Ctx) {
    let argc = ctx.argv.len();
    let (mut nx, mut xx, mut ch) = (false, false, false);
    let mut longidx = 2;
    while longidx < argc {
        let opt = ctx.argv.get(longidx);
        if kw(opt, "nx") {
            nx = true;
        } else if kw(opt, "xx") {
            xx = true;
        } else if kw(opt, "ch") {
            ch = true;
        } else {
            break;
        }
        longidx += 1;
    }
    // ZADD (which Redis hands the rewritten command to) refuses no
    // elements with the same error.
    if !(argc - longidx).is_multiple_of(3) || (xx && nx) || argc == longidx {
        return ctx.syntax_error();
    }
    let mut pairs: Vec<(f64, &[u8])> = Vec::with_capacity((argc - longidx) / 3);
    for i in (longidx..argc).step_by(3) {
        let Some((x, y)) = lon_lat_arg(ctx, i) else { return };
        let Some(score) = geohash::score_of(x, y) else {
            return ctx.error(&format!("ERR invalid longitude,latitude pair {x:.6},{y:.6}"));
        };
        pairs.push((score as f64, ctx.argv.get(i + 2)));
    }
    let flags = AddFlags {
        nx,
        xx,
        ..AddFlags::default()
    };
    let key = ctx.argv.get(1);
    zsets::zadd_apply(ctx, key, flags, ch, &pairs);
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
fn geodist(ctx: &mut Ctx) {
    let argc = ctx.argv.len();
    let mut to_meter = 1.0;
    if argc == 5 {
        let Some(u) = unit_arg(ctx, 4) else { return };
        to_meter = u;
    } else if argc > 5 {
        return ctx.syntax_error();
    }
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    match lookup_zset(ctx.srv, db, key) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(false) => return ctx.c.reply.null(),
        Ok(true) => {}
    }
    let Some(z) = zset_again(ctx.srv, db, key) else {
        return ctx.c.reply.null();
    };
    match (z.score(ctx.argv.get(2)), z.score(ctx.argv.get(3))) {
        (Some(s1), Some(s2)) => {
            let (x1, y1) = geohash::decode_score(s1);
            let (x2, y2) = geohash::decode_score(s2);
            reply_distance(&mut ctx.c.reply, geohash::distance(x1, y1, x2, y2) / to_meter);
        }
        _ => ctx.c.reply.null(),
    }
}

/// GEOHASH key [member ...]
fn geohash(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if lookup_zset(ctx.srv, db, key).is_err() {
        return ctx.wrong_type();
    }
    let z = zset_again(ctx.srv, db, key);
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for j in 2..ctx.argv.len() {
        match z.and_then(|z| z.score(ctx.argv.get(j))) {
            Some(s) => r.bulk(&geohash::standard_geohash(s)),
            None => r.null(),
        }
    }
}

/// GEOPOS key [member ...]
fn geopos(ctx: &mut Ctx) {
    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    if lookup_zset(ctx.srv, db, key).is_err() {
        return ctx.wrong_type();
    }
    let z = zset_again(ctx.srv, db, key);
    let r = &mut ctx.c.reply;
    r.array_len(ctx.argv.len() - 2);
    for j in 2..ctx.argv.len() {
        match z.and_then(|z| member_pos(z, ctx.argv.get(j))) {
            Some((x, y)) => {
                r.array_len(2);
                reply_human(r, x);
                reply_human(r, y);
            }
            None => r.null_array(),
        }
    }
}

// ---------------------------------------------------------------------------
// Searches
// ---------------------------------------------------------------------------

/// Which search command is running (Redis's RADIUS_* / GEOSEARCH flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// GEORADIUS(_RO): the centre is a longitude and latitude.
    Coords { nostore: bool },
    /// GEORADIUSBYMEMBER(_RO): the centre is a member.
    Member { nostore: bool },
    /// GEOSEARCH / GEOSEARCHSTORE.
    Search { store: bool },
}

impl Mode {
    fn nostore(self) -> bool {
        match self {
            Mode::Coords { nostore } | Mode::Member { nostore } => nostore,
            Mode::Search { .. } => true,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// GEORADIUS key longitude latitude radius unit [options]
fn georadius(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, Mode::Coords { nostore: false });
}

/// GEORADIUSBYMEMBER key member radius unit [options]
fn georadiusbymember(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, Mode::Member { nostore: false });
}

/// GEORADIUS_RO key longitude latitude radius unit [options]
fn georadius_ro(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, Mode::Coords { nostore: true });
}

/// GEORADIUSBYMEMBER_RO key member radius unit [options]
fn georadiusbymember_ro(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, Mode::Member { nostore: true });
}

/// GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r u|BYBOX w h u [options]
fn geosearch(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, Mode::Search { store: false });
}

/// GEOSEARCHSTORE dst src FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r u|BYBOX w h u [options]
fn geosearchstore(ctx: &mut Ctx) {
    georadius_generic(ctx, 2, Mode::Search { store: true });
}

/// A point found by a search.
struct Point {
    member: Vec<u8>,
    /// Meters until the reply divides by the unit.
    dist: f64,
    score: f64,
    lon: f64,
    lat: f64,
}

/// Redis `georadiusGeneric`: `src` is the index of the source key.
fn georadius_generic(ctx: &mut Ctx, src: usize, mode: Mode) {
    let db = ctx.c.db;
    let srckey = ctx.argv.get(src);
    let exists = match lookup_zset(ctx.srv, db, srckey) {
        Err(WrongType) => return ctx.wrong_type(),
        Ok(e) => e,
    };
    let argc = ctx.argv.len();
    let mut storekey: Option<&[u8]> = None;
    let mut storedist = false;
    let mut center: Option<(f64, f64)> = None;
    let mut kind: Option<ShapeKind> = None;
    let mut conversion = 0.0;
    let base_args = match mode {
        Mode::Coords { .. } => {
            let Some(c) = lon_lat_arg(ctx, 2) else { return };
            let Some((r, conv)) = distance_arg(ctx, 4) else { return };
            center = Some(c);
            kind = Some(ShapeKind::Radius(r));
            conversion = conv;
            6
        }
        Mode::Member { .. } => {
            // Without the key the arguments are still parsed, for the reply
            // STORE asks for.
            if exists {
                let pos = zset_again(ctx.srv, db, srckey).and_then(|z| member_pos(z, ctx.argv.get(2)));
                let Some(c) = pos else {
                    return ctx.error("ERR could not decode requested zset member");
                };
                let Some((r, conv)) = distance_arg(ctx, 3) else { return };
                center = Some(c);
                kind = Some(ShapeKind::Radius(r));
                conversion = conv;
            }
            5
        }
        Mode::Search { store } => {
            if store {
                storekey = Some(ctx.argv.get(1));
                3
            } else {
                2
            }
        }
    };
    let search = matches!(mode, Mode::Search { .. });
    let (mut withdist, mut withhash, mut withcoords) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut any = false;
    let mut count: i64 = 0;
    let remaining = argc.saturating_sub(base_args);
    let mut i = 0;
    while i < remaining {
        let at = base_args + i;
        let arg = ctx.argv.get(at);
        if kw(arg, "withdist") {
            withdist = true;
        } else if kw(arg, "withhash") {
            withhash = true;
        } else if kw(arg, "withcoord") {
            withcoords = true;
        } else if kw(arg, "any") {
            any = true;
        } else if kw(arg, "asc") {
            sort = Sort::Asc;
        } else if kw(arg, "desc") {
            sort = Sort::Desc;
        } else if kw(arg, "count") && i + 1 < remaining {
            let Some(c) = ctx.int_arg(at + 1) else { return };
            if c <= 0 {
                return ctx.error("ERR COUNT must be > 0");
            }
            count = c;
            i += 1;
        } else if kw(arg, "store") && i + 1 < remaining && !mode.nostore() {
            storekey = Some(ctx.argv.get(at + 1));
            storedist = false;
            i += 1;
        } else if kw(arg, "storedist") && i + 1 < remaining && !mode.nostore() {
            storekey = Some(ctx.argv.get(at + 1));
            storedist = true;
            i += 1;
        } else if kw(arg, "storedist") && mode == (Mode::Search { store: true }) {
            storedist = true;
        } else if kw(arg, "frommember") && i + 1 < remaining && search && !fromloc {
            if exists {
                let pos = zset_again(ctx.srv, db, srckey).and_then(|z| member_pos(z, ctx.argv.get(at + 1)));
                let Some(c) = pos else {
                    return ctx.error("ERR could not decode requested zset member");
                };
                center = Some(c);
            }
            frommember = true;
            i += 1;
        } else if kw(arg, "fromlonlat") && i + 2 < remaining && search && !frommember {
            let Some(c) = lon_lat_arg(ctx, at + 1) else { return };
            center = Some(c);
            fromloc = true;
            i += 2;
        } else if kw(arg, "byradius") && i + 2 < remaining && search && !bybox {
            let Some((r, conv)) = distance_arg(ctx, at + 1) else {
                return;
            };
            kind = Some(ShapeKind::Radius(r));
            conversion = conv;
            byradius = true;
            i += 2;
        } else if kw(arg, "bybox") && i + 3 < remaining && search && !byradius {
            let Some((w, h, conv)) = box_arg(ctx, at + 1) else {
                return;
            };
            kind = Some(ShapeKind::Box { width: w, height: h });
            conversion = conv;
            bybox = true;
            i += 3;
        } else {
            return ctx.syntax_error();
        }
        i += 1;
    }

    if storekey.is_some() && (withdist || withhash || withcoords) {
        let what = if mode == (Mode::Search { store: true }) {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return ctx.error(&format!(
            "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        ));
    }
    let name = super::arg_text(ctx.argv.get(0));
    if search && !(frommember || fromloc) {
        return ctx.error(&format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        ));
    }
    if search && !(byradius || bybox) {
        return ctx.error(&format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        ));
    }
    if any && count == 0 {
        return ctx.error("ERR the ANY argument requires COUNT argument");
    }

    if !exists {
        match storekey {
            Some(dst) => {
                let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
                if ctx.srv.delete_key(db, dst, lazy) {
                    ctx.written(dst, ev::GENERIC, "del");
                }
                ctx.c.reply.int(0);
            }
            None => ctx.c.reply.array_len(0),
        }
        return;
    }
    // COUNT returns the closest ones unless ANY was asked for.
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let (Some(center), Some(kind)) = (center, kind) else {
        return ctx.c.reply.array_len(0);
    };
    let shape = Shape {
        center,
        conversion,
        kind,
    };
    let limit = if any {
        usize::try_from(count).unwrap_or(usize::MAX)
    } else {
        0
    };
    let mut points = match zset_again(ctx.srv, db, srckey) {
        Some(z) => points_in_shape(z, &shape, limit),
        None => Vec::new(),
    };
    if points.is_empty() && storekey.is_none() {
        return ctx.c.reply.array_len(0);
    }
    let returned = if count == 0 {
        points.len()
    } else {
        points.len().min(usize::try_from(count).unwrap_or(usize::MAX))
    };
    if sort != Sort::None {
        let mut by_dist = |a: &Point, b: &Point| {
            let o = a.dist.partial_cmp(&b.dist).unwrap_or(std::cmp::Ordering::Equal);
            if sort == Sort::Desc {
                o.reverse()
            } else {
                o
            }
        };
        if returned == points.len() {
            // Stable, as glibc's qsort (a merge sort) is in practice.
            points.sort_by(by_dist);
        } else {
            // Redis sorts only the COUNT closest.
            crate::pqsort::pqsort(&mut points, 0, returned as i64, &mut by_dist);
        }
    }
    points.truncate(returned);
    for p in &mut points {
        p.dist /= conversion;
    }
    match storekey {
        None => reply_points(&mut ctx.c.reply, &points, withdist, withhash, withcoords),
        Some(dst) => {
            let event = if search { "geosearchstore" } else { "georadiusstore" };
            store_points(ctx, dst, points, storedist, event);
        }
    }
}

/// Redis `membersOfAllNeighbors`: the points of `z` inside `shape`, box
/// by box; stops once `limit` (if not 0) points are found.
fn points_in_shape(z: &ZSet, shape: &Shape, limit: usize) -> Vec<Point> {
    let boxes = geohash::search_boxes(shape);
    let mut out = Vec::new();
    let full = |out: &Vec<Point>| limit != 0 && out.len() >= limit;
    // Index 0 (the centre) doubles as "nothing processed yet", as in Redis.
    let mut last_processed = 0;
    for (i, b) in boxes.iter().enumerate() {
        if b.is_zero() {
            continue;
        }
        // Huge radii make adjacent boxes the same: skip repeats.
        if last_processed != 0 && *b == boxes[last_processed] {
            continue;
        }
        if full(&out) {
            break;
        }
        let (min, max) = geohash::box_scores(*b);
        let range = ScoreRange {
            min,
            max,
            minex: false,
            maxex: true,
        };
        for (m, score) in z.iter_from(z.first_in_range(&range), false) {
            if !range.lte_max(score) {
                break;
            }
            let (lon, lat) = geohash::decode_score(score);
            if let Some(dist) = shape.contains(lon, lat) {
                out.push(Point {
                    member: m.to_vec(),
                    dist,
                    score,
                    lon,
                    lat,
                });
            }
            if full(&out) {
                break;
            }
        }
        last_processed = i;
    }
    out
}

fn reply_points(r: &mut ReplyBuf, points: &[Point], withdist: bool, withhash: bool, withcoords: bool) {
    let options = withdist as usize + withhash as usize + withcoords as usize;
    r.array_len(points.len());
    for p in points {
        if options > 0 {
            r.array_len(options + 1);
        }
        r.bulk(&p.member);
        if withdist {
            reply_distance(r, p.dist);
        }
        if withhash {
            r.int(p.score as i64);
        }
        if withcoords {
            r.array_len(2);
            reply_human(r, p.lon);
            reply_human(r, p.lat);
        }
    }
}

/// STORE / STOREDIST / GEOSEARCHSTORE: the points as a sorted set scored by
/// geohash or by distance, replacing `dst` (deleted when nothing was found).
fn store_points(ctx: &mut Ctx, dst: &[u8], points: Vec<Point>, storedist: bool, event: &str) {
    let db = ctx.c.db;
    let n = points.len();
    if n == 0 {
        let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
        if ctx.srv.delete_key(db, dst, lazy) {
            ctx.written(dst, ev::GENERIC, "del");
        }
        return ctx.c.reply.int(0);
    }
    let (mut maxelelen, mut totelelen) = (0usize, 0usize);
    let mut pairs: Vec<(SBytes, f64)> = Vec::with_capacity(n);
    let mut seen: std::collections::HashSet<&[u8], ahash::RandomState> = Default::default();
    for p in &points {
        // A member reached through two boxes counts once in a set.
        if !seen.insert(&p.member) {
            continue;
        }
        maxelelen = maxelelen.max(p.member.len());
        totelelen += p.member.len();
        pairs.push((SBytes::new(&p.member), if storedist { p.dist } else { p.score }));
    }
    pairs.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
    });
    let z = zsets::build_result(pairs, maxelelen, totelelen, zsets::limits(ctx.srv));
    ctx.srv.set_key(db, dst, Value::ZSet(z), false);
    ctx.written(dst, ev::ZSET, event);
    ctx.srv.dirty += (n as u64).saturating_sub(1);
    ctx.c.reply.int(n as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_text_is_printf_like() {
        assert_eq!(fmt_distance(166274.15156960033), "166274.1516");
        assert_eq!(fmt_distance(0.0), "0.0000");
        assert_eq!(fmt_distance(f64::INFINITY), "inf");
        assert_eq!(fmt_distance(-f64::NAN), "-nan");
    }

    #[test]
    fn option_names_are_c_strings() {
        assert!(kw(b"WithDist", "withdist"));
        assert!(kw(b"km\0junk", "km"));
        assert!(!kw(b"kms", "km"));
    }
}
