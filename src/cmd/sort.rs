//! SORT and SORT_RO (Redis 7.0's sort.c).
//!
//! The elements of a list, set or sorted set are copied into a vector,
//! weighted by themselves or by the keys a BY pattern names, sorted
//! (numerically or, with ALPHA, as strings), cut by LIMIT, and replied to
//! (or stored as a list) either themselves or through GET patterns. The
//! argument checks and their order, the LIMIT arithmetic, the orders of
//! `BY nosort` and the errors are Redis 7.0.15's.

use super::{acl, cstr, err, ev, flags::*, ks, BeginSearch, Command, Ctx, FindKeys, Group, KeySpec};
use crate::listpack::LpValue;
use crate::object::Value;
use crate::sbytes::SBytes;
use crate::t_list::List;
use crate::util;
use std::cmp::Ordering;

const NOTE_PATTERN: &str = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort";
const NOTE_STORE: &str =
    "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array";

/// The key named by a BY/GET pattern: not a position in the command.
const UNKNOWN_KEY: KeySpec = KeySpec {
    notes: NOTE_PATTERN,
    flags: ks::RO | ks::ACCESS,
    begin: BeginSearch::Unknown,
    find: FindKeys::Unknown,
};

const SORT_KEYS: &[KeySpec] = &[
    KeySpec::one(1, ks::RO | ks::ACCESS),
    UNKNOWN_KEY,
    KeySpec {
        notes: NOTE_STORE,
        flags: ks::OW | ks::UPDATE,
        begin: BeginSearch::Unknown,
        find: FindKeys::Unknown,
    },
];

const SORT_RO_KEYS: &[KeySpec] = &[KeySpec::one(1, ks::RO | ks::ACCESS), UNKNOWN_KEY];

const COMPLEXITY: &str = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

pub static COMMANDS: &[Command] = &[
    Command::new("sort", -2, Group::Generic, sort)
        .flags(WRITE | DENYOOM)
        .acl(acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS)
        .keys(SORT_KEYS)
        .doc("1.0.0", COMPLEXITY, "Sort the elements in a list, set or sorted set")
        .args("key [BY pattern:pattern#1] [LIMIT offset:integer count:integer] [GET pattern:pattern#1 [GET pattern:pattern#1 ...]] order=[ASC | DESC] sorting=[ALPHA] [STORE destination:key#2]"),
    Command::new("sort_ro", -2, Group::Generic, sort_ro)
        .flags(READONLY)
        .acl(acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS)
        .keys(SORT_RO_KEYS)
        .doc("7.0.0", COMPLEXITY, "Sort the elements in a list, set or sorted set. Read-only variant of SORT.")
        .args("key [BY pattern:pattern#1] [LIMIT offset:integer count:integer] [GET pattern:pattern#1 [GET pattern:pattern#1 ...]] order=[ASC | DESC] sorting=[ALPHA]"),
];

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE dst]
fn sort(ctx: &mut Ctx) {
    sort_generic(ctx, false);
}

/// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
fn sort_ro(ctx: &mut Ctx) {
    sort_generic(ctx, true);
}

/// Redis compares option names with `strcasecmp` on the C string.
fn kw(arg: &[u8], name: &str) -> bool {
    cstr(arg).eq_ignore_ascii_case(name.as_bytes())
}

/// One element being sorted (Redis's `redisSortObject`).
struct Item {
    /// Inline when short: no allocation per element.
    obj: SBytes,
    /// The numeric weight (0 when a BY key is missing).
    score: f64,
    /// The ALPHA weight from a BY pattern (`None`: the key is missing).
    cmpobj: Option<Vec<u8>>,
}

/// How the vector is compared (Redis's `server.sort_*` globals).
struct Cmp {
    desc: bool,
    alpha: bool,
    bypattern: bool,
    store: bool,
}

/// Redis `compareStringObjects`: bytes, then length.
fn binary_cmp(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

/// `strcoll` in the C (and C.UTF-8) locale: `strcmp` of the C strings.
fn coll_cmp(a: &[u8], b: &[u8]) -> Ordering {
    cstr(a).cmp(cstr(b))
}

impl Cmp {
    /// Redis `sortCompare`.
    fn compare(&self, a: &Item, b: &Item) -> Ordering {
        let ord = if !self.alpha {
            if a.score > b.score {
                Ordering::Greater
            } else if a.score < b.score {
                Ordering::Less
            } else {
                // Same weight: the elements decide, so the result is
                // deterministic.
                binary_cmp(a.obj.as_bytes(), b.obj.as_bytes())
            }
        } else if self.bypattern {
            match (&a.cmpobj, &b.cmpobj) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) if self.store => binary_cmp(x, y),
                (Some(x), Some(y)) => coll_cmp(x, y),
            }
        } else if self.store {
            binary_cmp(a.obj.as_bytes(), b.obj.as_bytes())
        } else {
            coll_cmp(a.obj.as_bytes(), b.obj.as_bytes())
        };
        if self.desc {
            ord.reverse()
        } else {
            ord
        }
    }
}

/// The weight of an element as SORT reads it: C `strtod` up to the first
/// NUL, which must end the number; NaN and ERANGE (overflow, underflow,
/// subnormal results) are conversion errors. An empty string weighs 0.
fn sort_weight(b: &[u8]) -> Option<f64> {
    // Canonical integers (most weights) convert exactly as strtod would.
    if let Some(n) = util::string2ll(b) {
        return Some(n as f64);
    }
    let s = cstr(b);
    let v = util::strtod_relaxed(s)?;
    let ws = s
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .count();
    let t = &s[ws..];
    let t = t.strip_prefix(b"+").or_else(|| t.strip_prefix(b"-")).unwrap_or(t);
    let hex = t.len() >= 2 && t[0] == b'0' && (t[1] == b'x' || t[1] == b'X');
    if v.is_infinite() {
        // Only a spelled-out infinity is not an overflow.
        let spelled = t.first().is_some_and(|c| c.eq_ignore_ascii_case(&b'i'));
        return spelled.then_some(v);
    }
    if v == 0.0 {
        let mantissa = if hex {
            t[2..]
                .iter()
                .take_while(|&&c| c != b'p' && c != b'P')
                .any(|&c| c.is_ascii_hexdigit() && c != b'0')
        } else {
            t.iter()
                .take_while(|&&c| c != b'e' && c != b'E')
                .any(|&c| (b'1'..=b'9').contains(&c))
        };
        return (!mantissa).then_some(v);
    }
    if v.abs() < f64::MIN_POSITIVE {
        return None;
    }
    Some(v)
}

/// Redis `lookupKeyByPattern`: `#` is the element itself; otherwise the
/// first `*` of the pattern is replaced by the element and the key read (a
/// string, or with `->field` a hash field). `None` when there is no `*` or
/// no such value.
fn lookup_by_pattern(ctx: &mut Ctx, pattern: &[u8], subst: &[u8]) -> Option<Vec<u8>> {
    let p = cstr(pattern);
    if p == b"#" {
        return Some(subst.to_vec());
    }
    let star = memchr::memchr(b'*', p)?;
    // A field after the `*`, if `->` is followed by something.
    let arrow = memchr::memmem::find(&p[star + 1..], b"->")
        .map(|f| f + star + 1)
        .filter(|&f| f + 2 < p.len());
    let postfix_end = arrow.unwrap_or(pattern.len());
    let mut key = Vec::with_capacity(pattern.len() + subst.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(subst);
    key.extend_from_slice(&pattern[star + 1..postfix_end]);
    let db = ctx.c.db;
    let o = ctx.srv.lookup_read(db, &key)?;
    match arrow {
        Some(f) => match &o.v {
            Value::Hash(h) => h.get(&pattern[f + 2..]).map(LpValue::to_vec),
            _ => None,
        },
        None => {
            let mut tmp = Vec::new();
            o.v.str_bytes(&mut tmp).map(<[u8]>::to_vec)
        }
    }
}

/// Redis `sortCommandGeneric`.
fn sort_generic(ctx: &mut Ctx, readonly: bool) {
    let argc = ctx.argv.len();
    let (mut desc, mut alpha, mut dontsort) = (false, false, false);
    let (mut limit_start, mut limit_count): (i64, i64) = (0, -1);
    let mut sortby: Option<&[u8]> = None;
    let mut storekey: Option<&[u8]> = None;
    let mut gets: Vec<&[u8]> = Vec::new();
    let mut j = 2;
    while j < argc {
        let leftargs = argc - j - 1;
        let a = ctx.argv.get(j);
        if kw(a, "asc") {
            desc = false;
        } else if kw(a, "desc") {
            desc = true;
        } else if kw(a, "alpha") {
            alpha = true;
        } else if kw(a, "limit") && leftargs >= 2 {
            let Some(s) = ctx.int_arg(j + 1) else { return };
            let Some(c) = ctx.int_arg(j + 2) else { return };
            limit_start = s;
            limit_count = c;
            j += 2;
        } else if !readonly && kw(a, "store") && leftargs >= 1 {
            storekey = Some(ctx.argv.get(j + 1));
            j += 1;
        } else if kw(a, "by") && leftargs >= 1 {
            let p = ctx.argv.get(j + 1);
            sortby = Some(p);
            // A pattern without `*` names one key for every element:
            // nothing to sort by.
            if !cstr(p).contains(&b'*') {
                dontsort = true;
            }
            j += 1;
        } else if kw(a, "get") && leftargs >= 1 {
            gets.push(ctx.argv.get(j + 1));
            j += 1;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }

    let db = ctx.c.db;
    let key = ctx.argv.get(1);
    let kind = match ctx.srv.lookup_read(db, key).map(|o| &o.v) {
        None => None,
        Some(Value::List(_)) => Some(Kind::List),
        Some(Value::Set(_)) => Some(Kind::Set),
        Some(Value::ZSet(_)) => Some(Kind::ZSet),
        Some(_) => return ctx.error(err::WRONGTYPE),
    };
    // A set has no order of its own: sort it when the result must be
    // reproducible (stored).
    if dontsort && kind == Some(Kind::Set) && storekey.is_some() {
        dontsort = false;
        alpha = true;
        sortby = None;
    }
    // Redis converts a listpack sorted set to a skiplist here, for good.
    if kind == Some(Kind::ZSet) {
        if let Some(Value::ZSet(z)) = ctx.srv.dbs[db].get_mut(key).map(|o| &mut o.v) {
            if z.is_listpack() {
                z.convert_to_skiplist();
            }
        }
    }
    let vectorlen_full = match ctx.srv.dbs[db].get(key).map(|o| &o.v) {
        Some(Value::List(l)) => l.len(),
        Some(Value::Set(s)) => s.len(),
        Some(Value::ZSet(z)) => z.len(),
        _ => 0,
    } as i64;

    // LIMIT, with Redis's (wrapping) arithmetic.
    let mut start = limit_start.max(0);
    let mut end = if limit_count < 0 {
        vectorlen_full - 1
    } else {
        start.wrapping_add(limit_count).wrapping_sub(1)
    };
    if start >= vectorlen_full {
        start = vectorlen_full - 1;
        end = vectorlen_full - 2;
    }
    if end >= vectorlen_full {
        end = vectorlen_full - 1;
    }
    let mut vectorlen = vectorlen_full;
    if matches!(kind, Some(Kind::List | Kind::ZSet)) && dontsort && (start != 0 || end != vectorlen_full - 1) {
        vectorlen = end - start + 1;
    }

    // Load the elements.
    let mut items: Vec<Item> = Vec::new();
    {
        let item = |obj: SBytes| Item {
            obj,
            score: 0.0,
            cmpobj: None,
        };
        match ctx.srv.dbs[db].get(key).map(|o| &o.v) {
            // The range asked for, in list order (reversed for DESC).
            Some(Value::List(l)) if dontsort && end >= start => {
                let len = l.len() as i64;
                let from = if desc { len - start - 1 } else { start };
                let n = usize::try_from(vectorlen).unwrap_or(0);
                if let Ok(from) = usize::try_from(from) {
                    items.extend(l.iter_from(from, desc).take(n).map(|v| item(v.with_bytes(SBytes::new))));
                }
                end -= start;
                start = 0;
            }
            // An empty range: nothing to load.
            Some(Value::List(_)) if dontsort => {}
            Some(Value::List(l)) => {
                items.extend(l.iter_from(0, false).map(|v| item(v.with_bytes(SBytes::new))));
            }
            Some(Value::Set(s)) => {
                items.extend(s.iter().map(|m| {
                    let mut tmp = [0u8; 20];
                    item(SBytes::new(m.bytes(&mut tmp)))
                }));
            }
            Some(Value::ZSet(z)) if dontsort => {
                let n = usize::try_from(vectorlen).unwrap_or(0);
                let len = z.len() as i64;
                let first = if desc {
                    usize::try_from(len - 1 - start).ok().and_then(|r| z.at_rank(r))
                } else {
                    usize::try_from(start).ok().and_then(|r| z.at_rank(r))
                };
                items.extend(
                    z.iter_from(first, desc)
                        .take(n)
                        .map(|(m, _)| item(m.with_bytes(SBytes::new))),
                );
                end -= start;
                start = 0;
            }
            Some(Value::ZSet(z)) => {
                items.extend(z.iter().map(|(m, _)| item(m.with_bytes(SBytes::new))));
            }
            _ => {}
        }
    }

    // Weigh and sort.
    let mut conversion_error = false;
    if !dontsort {
        match sortby {
            // ALPHA without BY compares the elements themselves.
            None if alpha => {}
            None => {
                for it in items.iter_mut() {
                    match sort_weight(it.obj.as_bytes()) {
                        Some(v) => it.score = v,
                        None => conversion_error = true,
                    }
                }
            }
            Some(p) => {
                for it in items.iter_mut() {
                    let Some(byval) = lookup_by_pattern(ctx, p, it.obj.as_bytes()) else {
                        continue;
                    };
                    if alpha {
                        it.cmpobj = Some(byval);
                    } else {
                        match sort_weight(&byval) {
                            Some(v) => it.score = v,
                            None => conversion_error = true,
                        }
                    }
                }
            }
        }
        let cmp = Cmp {
            desc,
            alpha,
            bypattern: sortby.is_some(),
            store: storekey.is_some(),
        };
        if sortby.is_some() && (start != 0 || end != vectorlen - 1) {
            // Redis sorts only the LIMIT range here.
            crate::pqsort::pqsort(&mut items, start, end.wrapping_add(1), &mut |a, b| cmp.compare(a, b));
        } else {
            // Stable, like glibc's qsort (a merge sort) in practice.
            items.sort_by(|a, b| cmp.compare(a, b));
        }
    }

    let n = if end >= start { (end - start + 1) as usize } else { 0 };
    // Never more than the vector holds (the reply length is sent first).
    let n = n.min(items.len().saturating_sub(start.max(0) as usize));
    let outputlen = if gets.is_empty() {
        n
    } else {
        gets.len().saturating_mul(n)
    };
    if conversion_error {
        return ctx.error("ERR One or more scores can't be converted into double");
    }
    let range = || (start.max(0) as usize..).take(n);
    match storekey {
        None => {
            ctx.c.reply.array_len(outputlen);
            if gets.is_empty() {
                for it in items.iter().skip(start.max(0) as usize).take(n) {
                    ctx.c.reply.bulk(it.obj.as_bytes());
                }
                return;
            }
            for i in range() {
                let Some(obj) = items.get(i).map(|it| it.obj.clone()) else {
                    break;
                };
                for &g in &gets {
                    match lookup_by_pattern(ctx, g, obj.as_bytes()) {
                        Some(v) => ctx.c.reply.bulk(&v),
                        None => ctx.c.reply.null(),
                    }
                }
            }
        }
        Some(dst) => {
            let mut list = List::new_quicklist(ctx.srv.cfg.list_max_listpack_size, ctx.srv.cfg.list_compress_depth);
            for i in range() {
                let Some(obj) = items.get(i).map(|it| it.obj.clone()) else {
                    break;
                };
                if gets.is_empty() {
                    list.push(obj.as_bytes(), false);
                }
                for &g in &gets {
                    let v = lookup_by_pattern(ctx, g, obj.as_bytes()).unwrap_or_default();
                    list.push(&v, false);
                }
            }
            if outputlen > 0 {
                list.convert_if_fits(ctx.srv.cfg.list_max_listpack_size);
                ctx.srv.set_key(db, dst, Value::List(list), false);
                ctx.written(dst, ev::LIST, "sortstore");
                ctx.srv.dirty += (outputlen as u64).saturating_sub(1);
            } else {
                let lazy = ctx.srv.cfg.lazyfree_lazy_server_del;
                if ctx.srv.delete_key(db, dst, lazy) {
                    ctx.written(dst, ev::GENERIC, "del");
                }
            }
            ctx.c.reply.int(outputlen as i64);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    List,
    Set,
    ZSet,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_like_strtod() {
        assert_eq!(sort_weight(b"1.5"), Some(1.5));
        assert_eq!(sort_weight(b""), Some(0.0));
        assert_eq!(sort_weight(b" 3"), Some(3.0));
        assert_eq!(sort_weight(b"0x10"), Some(16.0));
        assert_eq!(sort_weight(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(sort_weight(b"2\0junk"), Some(2.0));
        assert_eq!(sort_weight(b"0e5"), Some(0.0));
        assert_eq!(sort_weight(b"1 "), None);
        assert_eq!(sort_weight(b"   "), None);
        assert_eq!(sort_weight(b"nan"), None);
        assert_eq!(sort_weight(b"1e400"), None);
        assert_eq!(sort_weight(b"1e-400"), None);
        assert_eq!(sort_weight(b"1e-310"), None);
        assert_eq!(sort_weight(b"abc"), None);
    }

    #[test]
    fn compare_numeric_ties_by_bytes() {
        let it = |o: &str, s: f64| Item {
            obj: SBytes::new(o.as_bytes()),
            score: s,
            cmpobj: None,
        };
        let c = Cmp {
            desc: false,
            alpha: false,
            bypattern: false,
            store: false,
        };
        assert_eq!(c.compare(&it("b", 1.0), &it("a", 1.0)), Ordering::Greater);
        assert_eq!(c.compare(&it("b", 0.0), &it("a", 1.0)), Ordering::Less);
        let d = Cmp { desc: true, ..c };
        assert_eq!(d.compare(&it("b", 0.0), &it("a", 1.0)), Ordering::Greater);
    }
}
