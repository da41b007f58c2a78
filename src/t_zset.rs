//! Sorted sets (Redis 7.0's t_zset.c): the zset type and its two encodings.
//!
//! * `listpack`: member, score pairs in one [`Listpack`], ordered by score
//!   then by member bytes, while there are at most
//!   `zset-max-listpack-entries` members of at most `zset-max-listpack-value`
//!   bytes each. Scores are stored as Redis 7.0's `zzlInsertAt` stores them:
//!   an integral score within ±2^62 as an integer entry (so `-0` is stored,
//!   and read back, as `0`), any other as its `%.17g` text; the bytes are
//!   Redis's.
//! * `skiplist`: Redis's skiplist with rank spans (ranks and ranges by index
//!   in O(log N)) plus a member -> score [`Dict`]. The skiplist is an arena of
//!   nodes linked by `u32` indices with a free list (compacted when mostly
//!   free), in safe Rust.
//!
//! A listpack becomes a skiplist when an insert would break a limit (one way,
//! as in Redis); a skiplist becomes a listpack only when a value built by
//! ZUNIONSTORE and friends fits the limits
//! ([`ZSet::convert_to_listpack_if_needed`]).
//!
//! The API used by the commands (and by GEO, which is a sorted set of
//! geohash scores): [`ZSet::add`] (ZADD's semantics, flags included),
//! [`ZSet::score`], [`ZSet::remove`], [`ZSet::rank`], positions
//! ([`Cursor`]: [`ZSet::first`], [`ZSet::next`], [`ZSet::at_rank`],
//! [`ZSet::first_in_range`], ...), [`ZSet::iter`] / [`ZSet::iter_rev`] in
//! score order, [`ZSet::range_by_score`] / [`ZSet::range_by_lex`] with
//! Redis's offset/limit rules, range deletions and [`ZSet::insert_new`] for
//! building a result set. Members are handed out as [`LpValue`]: an integer
//! (a listpack entry stored as one) or bytes.

// The GEO commands will use parts of this API that the zset commands don't.
#![allow(dead_code)]

use crate::dict::Dict;
use crate::listpack::{Listpack, LpValue};
use crate::sbytes::SBytes;
use crate::util;
use rand::{Rng, RngExt};
use std::cell::Cell;
use std::cmp::Ordering;
use std::sync::Arc;

/// Redis `ZSKIPLIST_MAXLEVEL`.
pub const MAXLEVEL: usize = 32;
/// No node.
const NIL: u32 = u32::MAX;
/// The header "node" (its levels live in `SkipList::head`).
const HEAD: u32 = u32::MAX - 1;
/// The arena is rebuilt when more than this many slots are free and they
/// outnumber the live nodes.
const COMPACT_MIN_FREE: usize = 1024;

// ---------------------------------------------------------------------------
// Limits, ranges
// ---------------------------------------------------------------------------

/// Listpack limits (`zset-max-listpack-entries`, `zset-max-listpack-value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_entries: usize,
    pub max_value: usize,
}

impl Limits {
    pub fn new(max_entries: u64, max_value: u64) -> Limits {
        Limits {
            max_entries: usize::try_from(max_entries).unwrap_or(usize::MAX),
            max_value: usize::try_from(max_value).unwrap_or(usize::MAX),
        }
    }

    /// No limits: a set stays in the encoding it has.
    pub const NONE: Limits = Limits {
        max_entries: usize::MAX,
        max_value: usize::MAX,
    };
}

/// A score interval (Redis `zrangespec`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    /// Every score.
    pub const ALL: ScoreRange = ScoreRange {
        min: f64::NEG_INFINITY,
        max: f64::INFINITY,
        minex: false,
        maxex: false,
    };

    /// Redis `zslParseRange`: `(` makes a bound exclusive; the number is read
    /// by C `strtod` ([`util::strtod_relaxed`]). `None`: "min or max is not a
    /// float".
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let (min, minex) = parse_score_bound(min)?;
        let (max, maxex) = parse_score_bound(max)?;
        Some(ScoreRange { min, max, minex, maxex })
    }

    pub fn inclusive(min: f64, max: f64) -> ScoreRange {
        ScoreRange {
            min,
            max,
            minex: false,
            maxex: false,
        }
    }

    #[inline]
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    #[inline]
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    #[inline]
    pub fn contains(&self, v: f64) -> bool {
        self.gte_min(v) && self.lte_max(v)
    }

    /// A range no score can be in.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

fn parse_score_bound(s: &[u8]) -> Option<(f64, bool)> {
    match s.split_first() {
        Some((b'(', rest)) => Some((util::strtod_relaxed(rest)?, true)),
        _ => Some((util::strtod_relaxed(s)?, false)),
    }
}

/// One end of a lex range: `-`, `+` or a string (Redis's
/// `shared.minstring`/`maxstring` or an sds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexItem {
    Min,
    Max,
    Str(Vec<u8>),
}

/// A lexicographic interval (Redis `zlexrangespec`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexItem,
    pub max: LexItem,
    pub minex: bool,
    pub maxex: bool,
}

impl LexRange {
    /// Redis `zslParseLexRange`: `[x` inclusive, `(x` exclusive, `-`, `+`.
    /// `None`: "min or max not valid string range item".
    pub fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        let (min, minex) = parse_lex_item(min)?;
        let (max, maxex) = parse_lex_item(max)?;
        Some(LexRange { min, max, minex, maxex })
    }

    #[inline]
    pub fn gte_min(&self, v: &[u8]) -> bool {
        let c = cmp_lex_value(v, &self.min);
        if self.minex {
            c == Ordering::Greater
        } else {
            c != Ordering::Less
        }
    }

    #[inline]
    pub fn lte_max(&self, v: &[u8]) -> bool {
        let c = cmp_lex_value(v, &self.max);
        if self.maxex {
            c == Ordering::Less
        } else {
            c != Ordering::Greater
        }
    }

    fn gte_min_v(&self, v: LpValue) -> bool {
        v.with_bytes(|b| self.gte_min(b))
    }

    fn lte_max_v(&self, v: LpValue) -> bool {
        v.with_bytes(|b| self.lte_max(b))
    }

    /// A range no member can be in (Redis's `sdscmplex(min, max)` test).
    pub fn is_empty(&self) -> bool {
        let c = cmp_lex_items(&self.min, &self.max);
        c == Ordering::Greater || (c == Ordering::Equal && (self.minex || self.maxex))
    }
}

fn parse_lex_item(s: &[u8]) -> Option<(LexItem, bool)> {
    // C-string semantics: "+" must be followed by the terminating NUL.
    let alone = s.get(1).is_none_or(|&c| c == 0);
    match *s.first()? {
        b'+' => alone.then_some((LexItem::Max, true)),
        b'-' => alone.then_some((LexItem::Min, true)),
        b'(' => Some((LexItem::Str(s[1..].to_vec()), true)),
        b'[' => Some((LexItem::Str(s[1..].to_vec()), false)),
        _ => None,
    }
}

/// Redis `sdscmplex` of two range ends (the shared min/max strings compare
/// equal only to themselves).
fn cmp_lex_items(a: &LexItem, b: &LexItem) -> Ordering {
    match (a, b) {
        (LexItem::Min, LexItem::Min) | (LexItem::Max, LexItem::Max) => Ordering::Equal,
        (LexItem::Min, _) | (_, LexItem::Max) => Ordering::Less,
        (LexItem::Max, _) | (_, LexItem::Min) => Ordering::Greater,
        (LexItem::Str(x), LexItem::Str(y)) => x.as_slice().cmp(y.as_slice()),
    }
}

/// `sdscmplex(member, item)`.
#[inline]
fn cmp_lex_value(v: &[u8], item: &LexItem) -> Ordering {
    match item {
        LexItem::Min => Ordering::Greater,
        LexItem::Max => Ordering::Less,
        LexItem::Str(s) => v.cmp(s.as_slice()),
    }
}

// ---------------------------------------------------------------------------
// Listpack scores
// ---------------------------------------------------------------------------

/// Redis `double2ll`: the integer equal to `d` if `|d| <= 2^62`.
fn double2ll(d: f64) -> Option<i64> {
    const LIM: f64 = (i64::MAX / 2) as f64;
    if !(-LIM..=LIM).contains(&d) {
        return None;
    }
    let ll = d as i64;
    (ll as f64 == d).then_some(ll)
}

/// How `zzlInsertAt` stores a score: an integer, or `%.17g` text in `buf`.
fn score_entry(score: f64, buf: &mut Vec<u8>) -> LpValue<'_> {
    match double2ll(score) {
        Some(v) => LpValue::Int(v),
        None => {
            buf.clear();
            util::fmt_double(buf, score);
            LpValue::Str(buf)
        }
    }
}

/// Redis `zzlGetScore`: an integer entry, or `strtod` of the text.
#[inline]
fn lp_score(v: LpValue) -> f64 {
    match v {
        LpValue::Int(i) => i as f64,
        LpValue::Str(s) => std::str::from_utf8(s)
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .or_else(|| util::strtod_relaxed(s))
            .unwrap_or(0.0),
    }
}

/// Position of `member`'s entry and its score.
fn lp_find(lp: &Listpack, member: &[u8]) -> Option<(usize, f64)> {
    let first = lp.first()?;
    let pos = lp.find(first, member, 1)?;
    let sp = lp.next(pos)?;
    Some((pos, lp_score(lp.get(sp))))
}

/// Redis `zzlInsert`: inserts a pair (the member must be absent) at its
/// place in score, member order.
fn lp_insert(lp: &mut Listpack, member: &[u8], score: f64) {
    let mut at = None;
    let mut p = lp.first();
    while let Some(e) = p {
        let Some(sp) = lp.next(e) else { break };
        let s = lp_score(lp.get(sp));
        if s > score || (s == score && lp.get(e).cmp_bytes(member) == Ordering::Greater) {
            at = Some(e);
            break;
        }
        p = lp.next(sp);
    }
    let mut buf = Vec::new();
    let sv = score_entry(score, &mut buf);
    match at {
        Some(e) => {
            if let Some(np) = lp.insert_value_before(e, LpValue::Str(member)) {
                lp.insert_value_after(np, sv);
            }
        }
        None => {
            lp.append_value(LpValue::Str(member));
            lp.append_value(sv);
        }
    }
}

/// Deletes the pair whose member is at `pos`.
fn lp_delete_pair(lp: &mut Listpack, pos: usize) {
    lp.delete_range_at(pos, 2);
}

/// Redis calls `lpLength` (which writes a real count back into a saturated
/// header) after most changes; so do we.
fn lp_fix_count(lp: &mut Listpack) {
    if lp.header_count() == crate::listpack::NUMELE_UNKNOWN {
        lp.recount();
    }
}

// ---------------------------------------------------------------------------
// Skiplist
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Level {
    forward: u32,
    span: u32,
}

impl Level {
    const NONE: Level = Level { forward: NIL, span: 0 };
}

#[derive(Clone)]
struct Node {
    ele: SBytes,
    score: f64,
    backward: u32,
    l0: Level,
    /// Levels 1 and up (a quarter of the nodes have any).
    up: Option<Box<[Level]>>,
}

impl Node {
    fn height(&self) -> usize {
        1 + self.up.as_ref().map_or(0, |u| u.len())
    }

    /// Whether this node sorts before (`score`, `ele`).
    #[inline]
    fn before(&self, score: f64, ele: &[u8]) -> bool {
        self.score < score || (self.score == score && self.ele.as_bytes() < ele)
    }
}

thread_local! {
    static LEVEL_RNG: Cell<u64> = Cell::new(rand::rng().random::<u64>() | 1);
}

/// Redis `zslRandomLevel`: 1 + a geometric variable with p = 1/4, capped.
fn random_level() -> usize {
    LEVEL_RNG.with(|c| {
        // xorshift64*
        let mut x = c.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        c.set(x);
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        // Two bits per level: each pair is 0 with probability 1/4.
        let mut level = 1;
        let mut bits = r;
        while level < MAXLEVEL && bits & 3 == 0 {
            level += 1;
            bits >>= 2;
        }
        level
    })
}

/// Redis's skiplist (`zskiplist`), its nodes in an arena.
#[derive(Clone)]
pub struct SkipList {
    nodes: Vec<Node>,
    free: Vec<u32>,
    head: [Level; MAXLEVEL],
    tail: u32,
    len: usize,
    level: usize,
    /// Upper level slots allocated, and heap bytes of the members, for
    /// `heap_size` in O(1).
    up_slots: usize,
    ele_heap: usize,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList::new()
    }
}

impl SkipList {
    pub fn new() -> SkipList {
        SkipList {
            nodes: Vec::new(),
            free: Vec::new(),
            head: [Level::NONE; MAXLEVEL],
            tail: NIL,
            len: 0,
            level: 1,
            up_slots: 0,
            ele_heap: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn node(&self, x: u32) -> &Node {
        &self.nodes[x as usize]
    }

    #[inline]
    fn lv(&self, x: u32, i: usize) -> Level {
        if x == HEAD {
            return self.head[i];
        }
        let n = self.node(x);
        if i == 0 {
            n.l0
        } else {
            n.up.as_ref().and_then(|u| u.get(i - 1)).copied().unwrap_or(Level::NONE)
        }
    }

    #[inline]
    fn lv_mut(&mut self, x: u32, i: usize) -> &mut Level {
        if x == HEAD {
            return &mut self.head[i];
        }
        let n = &mut self.nodes[x as usize];
        if i == 0 {
            &mut n.l0
        } else {
            match n.up.as_mut().and_then(|u| u.get_mut(i - 1)) {
                Some(l) => l,
                None => unreachable!("skiplist level {i} above a node's height"),
            }
        }
    }

    #[inline]
    fn fwd(&self, x: u32, i: usize) -> u32 {
        self.lv(x, i).forward
    }

    fn alloc(&mut self, ele: SBytes, score: f64, height: usize) -> u32 {
        self.ele_heap += ele.heap_size();
        self.up_slots += height - 1;
        let node = Node {
            ele,
            score,
            backward: NIL,
            l0: Level::NONE,
            up: (height > 1).then(|| vec![Level::NONE; height - 1].into_boxed_slice()),
        };
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, x: u32) -> SBytes {
        let n = &mut self.nodes[x as usize];
        let ele = std::mem::take(&mut n.ele);
        self.up_slots -= n.height() - 1;
        n.up = None;
        self.ele_heap -= ele.heap_size();
        self.free.push(x);
        ele
    }

    /// Redis `zslInsert`: the element must not be in the list yet.
    pub fn insert(&mut self, score: f64, ele: SBytes) -> u32 {
        let mut update = [HEAD; MAXLEVEL];
        let mut rank = [0u32; MAXLEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                let l = self.lv(x, i);
                if l.forward != NIL && self.node(l.forward).before(score, &ele) {
                    rank[i] = rank[i].wrapping_add(l.span);
                    x = l.forward;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let level = random_level();
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = HEAD;
                self.head[i].span = self.len as u32;
            }
            self.level = level;
        }
        let x = self.alloc(ele, score, level);
        for i in 0..level {
            let u = update[i];
            let ul = self.lv(u, i);
            let passed = rank[0].wrapping_sub(rank[i]);
            *self.lv_mut(x, i) = Level {
                forward: ul.forward,
                span: ul.span.wrapping_sub(passed),
            };
            *self.lv_mut(u, i) = Level {
                forward: x,
                span: passed.wrapping_add(1),
            };
        }
        for (i, &u) in update.iter().enumerate().take(self.level).skip(level) {
            let l = self.lv_mut(u, i);
            l.span = l.span.wrapping_add(1);
        }
        let back = if update[0] == HEAD { NIL } else { update[0] };
        self.nodes[x as usize].backward = back;
        let f = self.fwd(x, 0);
        if f != NIL {
            self.nodes[f as usize].backward = x;
        } else {
            self.tail = x;
        }
        self.len += 1;
        x
    }

    /// Redis `zslDeleteNode`: unlinks `x` given the predecessors at each level.
    fn delete_node(&mut self, x: u32, update: &[u32; MAXLEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            let xl = self.lv(x, i);
            let ul = self.lv_mut(u, i);
            if ul.forward == x {
                ul.span = ul.span.wrapping_add(xl.span).wrapping_sub(1);
                ul.forward = xl.forward;
            } else {
                ul.span = ul.span.wrapping_sub(1);
            }
        }
        let (f, back) = (self.fwd(x, 0), self.node(x).backward);
        if f != NIL {
            self.nodes[f as usize].backward = back;
        } else {
            self.tail = back;
        }
        while self.level > 1 && self.head[self.level - 1].forward == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// Predecessors of (`score`, `ele`) at every level.
    fn find_update(&self, score: f64, ele: &[u8]) -> [u32; MAXLEVEL] {
        self.update_until(|n| !n.before(score, ele))
    }

    /// Predecessors of the first node for which `stop` is true.
    fn update_until(&self, mut stop: impl FnMut(&Node) -> bool) -> [u32; MAXLEVEL] {
        let mut update = [HEAD; MAXLEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && !stop(self.node(f)) {
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        update
    }

    /// Redis `zslDelete`: removes (`score`, `ele`) and returns its member.
    pub fn delete(&mut self, score: f64, ele: &[u8]) -> Option<SBytes> {
        let update = self.find_update(score, ele);
        let x = self.fwd(update[0], 0);
        if x != NIL && self.node(x).score == score && self.node(x).ele.as_bytes() == ele {
            self.delete_node(x, &update);
            Some(self.release(x))
        } else {
            None
        }
    }

    /// Redis `zslUpdateScore`: the element must be there with `cur`.
    pub fn update_score(&mut self, cur: f64, ele: &[u8], new: f64) {
        let update = self.find_update(cur, ele);
        let x = self.fwd(update[0], 0);
        if x == NIL || self.node(x).ele.as_bytes() != ele {
            return;
        }
        let (back, f) = (self.node(x).backward, self.fwd(x, 0));
        if (back == NIL || self.node(back).score < new) && (f == NIL || self.node(f).score > new) {
            self.nodes[x as usize].score = new;
            return;
        }
        self.delete_node(x, &update);
        let ele = self.release(x);
        self.insert(new, ele);
    }

    /// Redis `zslGetRank`: 1-based rank of (`score`, `ele`), 0 if absent.
    pub fn rank(&self, score: f64, ele: &[u8]) -> usize {
        let mut rank = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let l = self.lv(x, i);
                if l.forward == NIL {
                    break;
                }
                let n = self.node(l.forward);
                if n.score < score || (n.score == score && n.ele.as_bytes() <= ele) {
                    rank += l.span as usize;
                    x = l.forward;
                } else {
                    break;
                }
            }
            if x != HEAD && self.node(x).score == score && self.node(x).ele.as_bytes() == ele {
                return rank;
            }
        }
        0
    }

    /// Redis `zslGetElementByRank` (1-based); NIL if out of range.
    fn by_rank(&self, rank: usize) -> u32 {
        let mut traversed = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let l = self.lv(x, i);
                if l.forward != NIL && traversed + l.span as usize <= rank {
                    traversed += l.span as usize;
                    x = l.forward;
                } else {
                    break;
                }
            }
            if traversed == rank {
                return if x == HEAD { NIL } else { x };
            }
        }
        NIL
    }

    fn first(&self) -> u32 {
        self.head[0].forward
    }

    fn is_in_range(&self, r: &ScoreRange) -> bool {
        if r.is_empty() || self.tail == NIL || !r.gte_min(self.node(self.tail).score) {
            return false;
        }
        let f = self.first();
        f != NIL && r.lte_max(self.node(f).score)
    }

    fn first_in_range(&self, r: &ScoreRange) -> u32 {
        if !self.is_in_range(r) {
            return NIL;
        }
        let update = self.update_until(|n| r.gte_min(n.score));
        let x = self.fwd(update[0], 0);
        if x == NIL || !r.lte_max(self.node(x).score) {
            NIL
        } else {
            x
        }
    }

    fn last_in_range(&self, r: &ScoreRange) -> u32 {
        if !self.is_in_range(r) {
            return NIL;
        }
        let x = self.update_until(|n| !r.lte_max(n.score))[0];
        if x == HEAD || !r.gte_min(self.node(x).score) {
            NIL
        } else {
            x
        }
    }

    fn is_in_lex_range(&self, r: &LexRange) -> bool {
        if r.is_empty() || self.tail == NIL || !r.gte_min(&self.node(self.tail).ele) {
            return false;
        }
        let f = self.first();
        f != NIL && r.lte_max(&self.node(f).ele)
    }

    fn first_in_lex_range(&self, r: &LexRange) -> u32 {
        if !self.is_in_lex_range(r) {
            return NIL;
        }
        let update = self.update_until(|n| r.gte_min(&n.ele));
        let x = self.fwd(update[0], 0);
        if x == NIL || !r.lte_max(&self.node(x).ele) {
            NIL
        } else {
            x
        }
    }

    fn last_in_lex_range(&self, r: &LexRange) -> u32 {
        if !self.is_in_lex_range(r) {
            return NIL;
        }
        let x = self.update_until(|n| !r.lte_max(&n.ele))[0];
        if x == HEAD || !r.gte_min(&self.node(x).ele) {
            NIL
        } else {
            x
        }
    }

    /// Deletes the nodes from the one after `update[0]` while `keep_going`
    /// (given the node and how many were deleted) holds; hands each removed
    /// (member, score) to `removed`.
    fn delete_while(
        &mut self,
        update: [u32; MAXLEVEL],
        mut keep_going: impl FnMut(&Node, usize) -> bool,
        mut removed: impl FnMut(SBytes, f64),
    ) -> usize {
        let mut x = self.fwd(update[0], 0);
        let mut n = 0;
        while x != NIL && keep_going(self.node(x), n) {
            let next = self.fwd(x, 0);
            let score = self.node(x).score;
            self.delete_node(x, &update);
            let ele = self.release(x);
            removed(ele, score);
            n += 1;
            x = next;
        }
        n
    }

    /// Redis `zslDeleteRangeByScore`.
    fn delete_range_by_score(&mut self, r: &ScoreRange, removed: impl FnMut(SBytes, f64)) -> usize {
        let update = self.update_until(|n| r.gte_min(n.score));
        self.delete_while(update, |n, _| r.lte_max(n.score), removed)
    }

    /// Redis `zslDeleteRangeByLex`.
    fn delete_range_by_lex(&mut self, r: &LexRange, removed: impl FnMut(SBytes, f64)) -> usize {
        let update = self.update_until(|n| r.gte_min(&n.ele));
        self.delete_while(update, |n, _| r.lte_max(&n.ele), removed)
    }

    /// Redis `zslDeleteRangeByRank` (1-based, inclusive).
    fn delete_range_by_rank(&mut self, start: usize, end: usize, removed: impl FnMut(SBytes, f64)) -> usize {
        let mut update = [HEAD; MAXLEVEL];
        let mut traversed = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let l = self.lv(x, i);
                if l.forward != NIL && traversed + (l.span as usize) < start {
                    traversed += l.span as usize;
                    x = l.forward;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let count = (end + 1).saturating_sub(start);
        self.delete_while(update, |_, n| n < count, removed)
    }

    /// Rebuilds the arena without its free slots when they dominate it.
    fn maybe_compact(&mut self) {
        if self.free.len() <= COMPACT_MIN_FREE || self.free.len() <= self.len {
            return;
        }
        let mut items = Vec::with_capacity(self.len);
        let mut x = self.first();
        while x != NIL {
            let next = self.fwd(x, 0);
            let n = &mut self.nodes[x as usize];
            items.push((n.score, std::mem::take(&mut n.ele)));
            x = next;
        }
        *self = SkipList::new();
        self.nodes.reserve_exact(items.len());
        for (score, ele) in items {
            self.insert(score, ele);
        }
    }

    fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.free.capacity() * std::mem::size_of::<u32>()
            + self.up_slots * std::mem::size_of::<Level>()
            + self.ele_heap
    }
}

// ---------------------------------------------------------------------------
// Skiplist + dict
// ---------------------------------------------------------------------------

/// The `skiplist` encoding: Redis's `zset` struct.
pub struct Sorted {
    zsl: SkipList,
    dict: Dict<f64>,
}

impl Clone for Sorted {
    fn clone(&self) -> Self {
        let zsl = self.zsl.clone();
        let mut dict = Dict::with_capacity(zsl.len);
        let mut x = zsl.first();
        while x != NIL {
            let n = zsl.node(x);
            dict.insert_new(n.ele.clone(), n.score);
            x = n.l0.forward;
        }
        Sorted { zsl, dict }
    }
}

impl Sorted {
    fn new(capacity: usize) -> Sorted {
        Sorted {
            zsl: SkipList::new(),
            dict: Dict::with_capacity(capacity),
        }
    }

    /// Adds a member known to be absent.
    fn insert_new(&mut self, member: &[u8], score: f64) {
        let ele = SBytes::new(member);
        self.dict.insert_new(ele.clone(), score);
        self.zsl.insert(score, ele);
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (_, score) = self.dict.remove(member)?;
        self.zsl.delete(score, member);
        Some(score)
    }

    /// After removals: shrink the dict (Redis's `dictResize`) and the arena.
    fn after_removals(&mut self) {
        self.dict.try_shrink();
        self.zsl.maybe_compact();
    }
}

// ---------------------------------------------------------------------------
// ZSet
// ---------------------------------------------------------------------------

/// ZADD's input flags (Redis `ZADD_IN_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddFlags {
    pub incr: bool,
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
}

/// What [`ZSet::add`] did (Redis `ZADD_OUT_*` and `newscore`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AddResult {
    /// New member, with this score.
    Added(f64),
    /// The score changed to this.
    Updated(f64),
    /// Processed, but the score was already this.
    Unchanged(f64),
    /// Nothing done because of NX, XX, GT or LT.
    Nop,
    /// The (incremented) score would be NaN; nothing done.
    Nan,
}

/// A position in a sorted set (a listpack offset or a skiplist node), valid
/// until the set changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(usize);

/// A sorted set value, held in the `Value` itself (16 bytes). As for
/// hashes (`t_hash::Hash`), a listpack is a single exact-size allocation
/// that a snapshot copies when it captures the key, and a skiplist is
/// shared with a snapshot by its `Arc` until a write copies it.
#[derive(Clone)]
pub enum ZSet {
    Listpack(Listpack),
    Skiplist(Arc<Sorted>),
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Listpack(Listpack::new())
    }
}

impl std::fmt::Debug for ZSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        for (m, s) in self.iter().take(32) {
            l.entry(&(m, s));
        }
        l.finish()
    }
}

impl ZSet {
    /// An empty listpack-encoded set.
    pub fn new_listpack() -> ZSet {
        ZSet::Listpack(Listpack::new())
    }

    /// An empty skiplist-encoded set sized for `capacity` members.
    pub fn new_skiplist(capacity: usize) -> ZSet {
        ZSet::Skiplist(Arc::new(Sorted::new(capacity)))
    }

    /// The encoding ZADD creates a key with, given its first member's
    /// length (Redis `zaddGenericCommand`).
    pub fn for_first_member(member_len: usize, limits: Limits) -> ZSet {
        if limits.max_entries == 0 || limits.max_value < member_len {
            ZSet::new_skiplist(0)
        } else {
            ZSet::new_listpack()
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            ZSet::Listpack(_) => "listpack",
            ZSet::Skiplist(_) => "skiplist",
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self, ZSet::Listpack(_))
    }

    /// Bytes allocated for the set: the listpack buffer, or the skiplist's
    /// `Arc` block (counts included), arena, dict and long members.
    pub fn heap_size(&self) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.alloc_size(),
            ZSet::Skiplist(s) => {
                2 * std::mem::size_of::<usize>()
                    + std::mem::size_of::<Sorted>()
                    + s.zsl.heap_size()
                    + s.dict.mem_overhead()
                    + s.zsl.ele_heap
            }
        }
    }

    /// Allocations to free (Redis's `lazyfreeGetFreeEffort`): the number of
    /// members of a skiplist, 1 for a listpack.
    pub fn free_effort(&self) -> usize {
        match self {
            ZSet::Listpack(_) => 1,
            ZSet::Skiplist(s) => s.zsl.len,
        }
    }

    /// The raw listpack (for DUMP/RDB), if listpack-encoded.
    pub fn listpack(&self) -> Option<&Listpack> {
        match self {
            ZSet::Listpack(lp) => Some(lp),
            ZSet::Skiplist(_) => None,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.len() / 2,
            ZSet::Skiplist(s) => s.zsl.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            ZSet::Listpack(lp) => lp.is_empty(),
            ZSet::Skiplist(s) => s.zsl.len == 0,
        }
    }

    /// Redis `zsetScore`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(lp) => lp_find(lp, member).map(|(_, s)| s),
            ZSet::Skiplist(s) => s.dict.get(member).copied(),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        self.score(member).is_some()
    }

    /// Redis `zsetConvert` to a skiplist.
    pub fn convert_to_skiplist(&mut self) {
        if let ZSet::Listpack(lp) = self {
            let mut s = Sorted::new(lp.len() / 2);
            let mut it = lp.iter();
            while let (Some(m), Some(sc)) = (it.next(), it.next()) {
                m.with_bytes(|b| s.insert_new(b, lp_score(sc)));
            }
            *self = ZSet::Skiplist(Arc::new(s));
        }
    }

    /// Redis `zsetConvert` to a listpack.
    pub fn convert_to_listpack(&mut self) {
        if let ZSet::Skiplist(s) = self {
            let mut lp = Listpack::new();
            let mut buf = Vec::new();
            let mut x = s.zsl.first();
            while x != NIL {
                let n = s.zsl.node(x);
                lp.append_value(LpValue::Str(&n.ele));
                lp.append_value(score_entry(n.score, &mut buf));
                x = n.l0.forward;
            }
            *self = ZSet::Listpack(lp);
        }
    }

    /// Redis `zsetConvertToListpackIfNeeded`, for a set built by a command
    /// (`maxelelen`: its longest member; `totelelen`: all members' bytes).
    pub fn convert_to_listpack_if_needed(&mut self, maxelelen: usize, totelelen: usize, limits: Limits) {
        if let ZSet::Skiplist(s) = self {
            if s.zsl.len <= limits.max_entries
                && maxelelen <= limits.max_value
                && totelelen <= crate::listpack::MAX_SAFETY_SIZE
            {
                self.convert_to_listpack();
            }
        }
    }

    /// Redis `zsetAdd`: adds `member` or updates its score, with ZADD's
    /// flags; may convert a listpack to a skiplist.
    pub fn add(&mut self, member: &[u8], score: f64, flags: AddFlags, limits: Limits) -> AddResult {
        if score.is_nan() {
            return AddResult::Nan;
        }
        if let ZSet::Listpack(lp) = self {
            match lp_find(lp, member) {
                Some((pos, cur)) => {
                    return match update_decision(cur, score, flags) {
                        Err(r) => r,
                        Ok(new) if new != cur => {
                            lp_delete_pair(lp, pos);
                            lp_insert(lp, member, new);
                            lp_fix_count(lp);
                            AddResult::Updated(new)
                        }
                        Ok(new) => AddResult::Unchanged(new),
                    };
                }
                None if flags.xx => return AddResult::Nop,
                None => {
                    if lp.len() / 2 + 1 > limits.max_entries
                        || member.len() > limits.max_value
                        || !lp.safe_to_add(member.len())
                    {
                        self.convert_to_skiplist();
                    } else {
                        lp_insert(lp, member, score);
                        lp_fix_count(lp);
                        return AddResult::Added(score);
                    }
                }
            }
        }
        let ZSet::Skiplist(s) = self else {
            return AddResult::Nop;
        };
        let s = Arc::make_mut(s);
        match s.dict.get(member).copied() {
            Some(cur) => match update_decision(cur, score, flags) {
                Err(r) => r,
                Ok(new) if new != cur => {
                    s.zsl.update_score(cur, member, new);
                    if let Some(v) = s.dict.get_mut(member) {
                        *v = new;
                    }
                    AddResult::Updated(new)
                }
                Ok(new) => AddResult::Unchanged(new),
            },
            None if flags.xx => AddResult::Nop,
            None => {
                s.insert_new(member, score);
                AddResult::Added(score)
            }
        }
    }

    /// Adds a member known to be absent (building a result set: ZRANGESTORE,
    /// GEOSEARCHSTORE...), converting at `limits`.
    pub fn insert_new(&mut self, member: &[u8], score: f64, limits: Limits) {
        self.add(member, score, AddFlags::default(), limits);
    }

    /// Redis `zsetDel`.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            ZSet::Listpack(lp) => match lp_find(lp, member) {
                Some((pos, _)) => {
                    lp_delete_pair(lp, pos);
                    lp_fix_count(lp);
                    true
                }
                None => false,
            },
            ZSet::Skiplist(s) => {
                let s = Arc::make_mut(s);
                let found = s.remove(member).is_some();
                if found {
                    s.after_removals();
                }
                found
            }
        }
    }

    /// Redis `zsetRank`: 0-based rank, from the highest score if `reverse`.
    pub fn rank(&self, member: &[u8], reverse: bool) -> Option<usize> {
        let len = self.len();
        let rank = match self {
            ZSet::Listpack(lp) => {
                let mut it = lp.iter();
                let mut rank = 0usize;
                loop {
                    let m = it.next()?;
                    it.next()?;
                    if m.eq_bytes(member) {
                        break rank;
                    }
                    rank += 1;
                }
            }
            ZSet::Skiplist(s) => {
                let score = *s.dict.get(member)?;
                s.zsl.rank(score, member).checked_sub(1)?
            }
        };
        Some(if reverse { len - 1 - rank } else { rank })
    }

    // --- positions ---------------------------------------------------------

    fn from_node(x: u32) -> Option<Cursor> {
        (x != NIL && x != HEAD).then_some(Cursor(x as usize))
    }

    /// The lowest member.
    pub fn first(&self) -> Option<Cursor> {
        match self {
            ZSet::Listpack(lp) => lp.first().map(Cursor),
            ZSet::Skiplist(s) => Self::from_node(s.zsl.first()),
        }
    }

    /// The highest member.
    pub fn last(&self) -> Option<Cursor> {
        match self {
            ZSet::Listpack(lp) => lp.last().and_then(|p| lp.prev(p)).map(Cursor),
            ZSet::Skiplist(s) => Self::from_node(s.zsl.tail),
        }
    }

    pub fn next(&self, c: Cursor) -> Option<Cursor> {
        match self {
            ZSet::Listpack(lp) => lp.next(c.0).and_then(|sp| lp.next(sp)).map(Cursor),
            ZSet::Skiplist(s) => Self::from_node(s.zsl.fwd(c.0 as u32, 0)),
        }
    }

    pub fn prev(&self, c: Cursor) -> Option<Cursor> {
        match self {
            ZSet::Listpack(lp) => lp.prev(c.0).and_then(|sp| lp.prev(sp)).map(Cursor),
            ZSet::Skiplist(s) => Self::from_node(s.zsl.node(c.0 as u32).backward),
        }
    }

    /// The member and score at `c`.
    pub fn get(&self, c: Cursor) -> (LpValue<'_>, f64) {
        match self {
            ZSet::Listpack(lp) => {
                let sc = lp.next(c.0).map_or(0.0, |sp| lp_score(lp.get(sp)));
                (lp.get(c.0), sc)
            }
            ZSet::Skiplist(s) => {
                let n = s.zsl.node(c.0 as u32);
                (LpValue::Str(n.ele.as_bytes()), n.score)
            }
        }
    }

    /// The member at 0-based `rank` from the lowest score.
    pub fn at_rank(&self, rank: usize) -> Option<Cursor> {
        match self {
            ZSet::Listpack(lp) => {
                let i = i64::try_from(rank.checked_mul(2)?).ok()?;
                lp.seek(i).map(Cursor)
            }
            ZSet::Skiplist(s) => Self::from_node(s.zsl.by_rank(rank.checked_add(1)?)),
        }
    }

    /// Redis `zzlFirstInRange` / `zslFirstInRange`.
    pub fn first_in_range(&self, r: &ScoreRange) -> Option<Cursor> {
        match self {
            ZSet::Listpack(_) => {
                if !self.lp_is_in_range(r) {
                    return None;
                }
                self.lp_seek_bound(false, |s| r.gte_min(s.1), |s| r.lte_max(s.1))
            }
            ZSet::Skiplist(s) => Self::from_node(s.zsl.first_in_range(r)),
        }
    }

    /// Redis `zzlLastInRange` / `zslLastInRange`.
    pub fn last_in_range(&self, r: &ScoreRange) -> Option<Cursor> {
        match self {
            ZSet::Listpack(_) => {
                if !self.lp_is_in_range(r) {
                    return None;
                }
                self.lp_seek_bound(true, |s| r.lte_max(s.1), |s| r.gte_min(s.1))
            }
            ZSet::Skiplist(s) => Self::from_node(s.zsl.last_in_range(r)),
        }
    }

    /// The listpack walk of the four range lookups: from the head (or the
    /// tail), the first element past the near bound (`reached`), if it is
    /// also within the far one.
    fn lp_seek_bound<'a>(
        &'a self,
        from_tail: bool,
        reached: impl Fn((LpValue<'a>, f64)) -> bool,
        within: impl Fn((LpValue<'a>, f64)) -> bool,
    ) -> Option<Cursor> {
        let mut c = if from_tail { self.last() } else { self.first() };
        while let Some(p) = c {
            if reached(self.get(p)) {
                return within(self.get(p)).then_some(p);
            }
            c = if from_tail { self.prev(p) } else { self.next(p) };
        }
        None
    }

    fn lp_is_in_range(&self, r: &ScoreRange) -> bool {
        if r.is_empty() {
            return false;
        }
        match (self.last(), self.first()) {
            (Some(l), Some(f)) => r.gte_min(self.get(l).1) && r.lte_max(self.get(f).1),
            _ => false,
        }
    }

    fn lp_is_in_lex_range(&self, r: &LexRange) -> bool {
        if r.is_empty() {
            return false;
        }
        match (self.last(), self.first()) {
            (Some(l), Some(f)) => r.gte_min_v(self.get(l).0) && r.lte_max_v(self.get(f).0),
            _ => false,
        }
    }

    /// Redis `zzlFirstInLexRange` / `zslFirstInLexRange`.
    pub fn first_in_lex_range(&self, r: &LexRange) -> Option<Cursor> {
        match self {
            ZSet::Listpack(_) => {
                if !self.lp_is_in_lex_range(r) {
                    return None;
                }
                self.lp_seek_bound(false, |m| r.gte_min_v(m.0), |m| r.lte_max_v(m.0))
            }
            ZSet::Skiplist(s) => Self::from_node(s.zsl.first_in_lex_range(r)),
        }
    }

    /// Redis `zzlLastInLexRange` / `zslLastInLexRange`.
    pub fn last_in_lex_range(&self, r: &LexRange) -> Option<Cursor> {
        match self {
            ZSet::Listpack(_) => {
                if !self.lp_is_in_lex_range(r) {
                    return None;
                }
                self.lp_seek_bound(true, |m| r.lte_max_v(m.0), |m| r.gte_min_v(m.0))
            }
            ZSet::Skiplist(s) => Self::from_node(s.zsl.last_in_lex_range(r)),
        }
    }

    /// Members and scores from the lowest score up.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            z: self,
            cur: self.first(),
            rev: false,
        }
    }

    /// Members and scores from the highest score down.
    pub fn iter_rev(&self) -> Iter<'_> {
        Iter {
            z: self,
            cur: self.last(),
            rev: true,
        }
    }

    /// Members and scores from `c` on (towards lower scores if `rev`).
    pub fn iter_from(&self, c: Option<Cursor>, rev: bool) -> Iter<'_> {
        Iter { z: self, cur: c, rev }
    }

    /// Redis `genericZrangebyscoreCommand`'s walk: the members in `r`, from
    /// the highest if `rev`, skipping `offset` (a negative offset skips
    /// everything), at most `limit` of them (negative: no limit).
    pub fn range_by_score(&self, r: &ScoreRange, rev: bool, offset: i64, limit: i64, mut f: impl FnMut(LpValue, f64)) {
        if offset > 0 && offset as u64 >= self.len() as u64 {
            return;
        }
        let start = if rev {
            self.last_in_range(r)
        } else {
            self.first_in_range(r)
        };
        let mut it = self.iter_from(start, rev);
        if !skip(&mut it, offset) {
            return;
        }
        let mut left = limit;
        for (m, s) in it {
            if left == 0 {
                break;
            }
            left = left.wrapping_sub(1);
            if !(if rev { r.gte_min(s) } else { r.lte_max(s) }) {
                break;
            }
            f(m, s);
        }
    }

    /// The same for a lex range (`genericZrangebylexCommand`).
    pub fn range_by_lex(&self, r: &LexRange, rev: bool, offset: i64, limit: i64, mut f: impl FnMut(LpValue, f64)) {
        let start = if rev {
            self.last_in_lex_range(r)
        } else {
            self.first_in_lex_range(r)
        };
        let mut it = self.iter_from(start, rev);
        if !skip(&mut it, offset) {
            return;
        }
        let mut left = limit;
        for (m, s) in it {
            if left == 0 {
                break;
            }
            left = left.wrapping_sub(1);
            if !(if rev { r.gte_min_v(m) } else { r.lte_max_v(m) }) {
                break;
            }
            f(m, s);
        }
    }

    /// ZCOUNT.
    pub fn count_in_range(&self, r: &ScoreRange) -> usize {
        match self {
            ZSet::Listpack(_) => self
                .iter_from(self.first_in_range(r), false)
                .take_while(|(_, s)| r.lte_max(*s))
                .count(),
            ZSet::Skiplist(s) => {
                let zsl = &s.zsl;
                let first = zsl.first_in_range(r);
                if first == NIL {
                    return 0;
                }
                let n = zsl.node(first);
                let mut count = zsl.len - zsl.rank(n.score, &n.ele).saturating_sub(1);
                let last = zsl.last_in_range(r);
                if last != NIL {
                    let n = zsl.node(last);
                    count = count.saturating_sub(zsl.len - zsl.rank(n.score, &n.ele));
                }
                count
            }
        }
    }

    /// ZLEXCOUNT.
    pub fn count_in_lex_range(&self, r: &LexRange) -> usize {
        match self {
            ZSet::Listpack(_) => self
                .iter_from(self.first_in_lex_range(r), false)
                .take_while(|(m, _)| r.lte_max_v(*m))
                .count(),
            ZSet::Skiplist(s) => {
                let zsl = &s.zsl;
                let first = zsl.first_in_lex_range(r);
                if first == NIL {
                    return 0;
                }
                let n = zsl.node(first);
                let mut count = zsl.len - zsl.rank(n.score, &n.ele).saturating_sub(1);
                let last = zsl.last_in_lex_range(r);
                if last != NIL {
                    let n = zsl.node(last);
                    count = count.saturating_sub(zsl.len - zsl.rank(n.score, &n.ele));
                }
                count
            }
        }
    }

    // --- removals ----------------------------------------------------------

    /// Removes the member at `c`.
    pub fn remove_at(&mut self, c: Cursor) {
        match self {
            ZSet::Listpack(lp) => {
                lp_delete_pair(lp, c.0);
                lp_fix_count(lp);
            }
            ZSet::Skiplist(s) => {
                let s = Arc::make_mut(s);
                let ele = s.zsl.node(c.0 as u32).ele.clone();
                s.remove(&ele);
                s.after_removals();
            }
        }
    }

    /// ZREMRANGEBYRANK with sanitized 0-based inclusive indexes.
    pub fn delete_range_by_rank(&mut self, start: usize, end: usize) -> usize {
        if end < start {
            return 0;
        }
        match self {
            ZSet::Listpack(lp) => {
                let (Some(s2), Some(n2)) = (start.checked_mul(2), (end - start + 1).checked_mul(2)) else {
                    return 0;
                };
                let n = lp.delete_range(i64::try_from(s2).unwrap_or(i64::MAX), n2) / 2;
                lp_fix_count(lp);
                n
            }
            ZSet::Skiplist(s) => {
                let s = Arc::make_mut(s);
                let Sorted { zsl, dict } = &mut *s;
                let n = zsl.delete_range_by_rank(start + 1, end + 1, |e, _| {
                    dict.remove(&e);
                });
                s.after_removals();
                n
            }
        }
    }

    /// ZREMRANGEBYSCORE.
    pub fn delete_range_by_score(&mut self, r: &ScoreRange) -> usize {
        match self {
            ZSet::Listpack(_) => {
                let Some(start) = self.first_in_range(r) else {
                    return 0;
                };
                let ZSet::Listpack(lp) = self else { return 0 };
                let mut n = 0;
                while lp.next(start.0).is_some_and(|sp| r.lte_max(lp_score(lp.get(sp)))) {
                    lp_delete_pair(lp, start.0);
                    n += 1;
                }
                lp_fix_count(lp);
                n
            }
            ZSet::Skiplist(s) => {
                let s = Arc::make_mut(s);
                let Sorted { zsl, dict } = &mut *s;
                let n = zsl.delete_range_by_score(r, |e, _| {
                    dict.remove(&e);
                });
                s.after_removals();
                n
            }
        }
    }

    /// ZREMRANGEBYLEX.
    pub fn delete_range_by_lex(&mut self, r: &LexRange) -> usize {
        match self {
            ZSet::Listpack(_) => {
                let Some(start) = self.first_in_lex_range(r) else {
                    return 0;
                };
                let ZSet::Listpack(lp) = self else { return 0 };
                let mut n = 0;
                while lp.next(start.0).is_some() && r.lte_max_v(lp.get(start.0)) {
                    lp_delete_pair(lp, start.0);
                    n += 1;
                }
                lp_fix_count(lp);
                n
            }
            ZSet::Skiplist(s) => {
                let s = Arc::make_mut(s);
                let Sorted { zsl, dict } = &mut *s;
                let n = zsl.delete_range_by_lex(r, |e, _| {
                    dict.remove(&e);
                });
                s.after_removals();
                n
            }
        }
    }

    // --- random and scan ---------------------------------------------------

    /// A random member and its score (Redis `zsetTypeRandomElement`).
    pub fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<(LpValue<'_>, f64)> {
        match self {
            ZSet::Listpack(lp) => {
                let n = lp.len() / 2;
                if n == 0 {
                    return None;
                }
                let i = rng.random_range(0..n);
                let p = lp.seek(i64::try_from(i * 2).ok()?)?;
                Some(self.get(Cursor(p)))
            }
            ZSet::Skiplist(s) => s.dict.random_entry(rng).map(|(k, v)| (LpValue::Str(k.as_bytes()), *v)),
        }
    }

    /// Positions of all members (for sampling a listpack).
    pub fn cursors(&self) -> Vec<Cursor> {
        let mut v = Vec::with_capacity(self.len());
        let mut c = self.first();
        while let Some(p) = c {
            v.push(p);
            c = self.next(p);
        }
        v
    }

    /// `count` distinct random members in set order (Redis
    /// `lpRandomPairsUnique`'s selection sampling).
    pub fn random_unique<R: Rng + ?Sized>(&self, count: usize, rng: &mut R, mut f: impl FnMut(LpValue, f64)) {
        let total = self.len();
        let mut remaining = count.min(total);
        for (i, (m, s)) in self.iter().enumerate() {
            if remaining == 0 {
                break;
            }
            let r: f64 = rng.random();
            let threshold = remaining as f64 / (total - i) as f64;
            if r <= threshold {
                f(m, s);
                remaining -= 1;
            }
        }
    }

    /// One ZSCAN step: for a skiplist, buckets of the dict until `count`
    /// members or `20 count` more buckets (Redis 7.0 doubles COUNT for
    /// member/score pairs and allows ten times that in steps), with scores
    /// formatted `%.17Lg`; for a listpack, every entry as stored, and
    /// cursor 0.
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(LpValue, LpValue)) -> u64 {
        match self {
            ZSet::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(m), Some(s)) = (it.next(), it.next()) {
                    f(m, s);
                }
                0
            }
            ZSet::Skiplist(s) => {
                let mut items = 0usize;
                let mut cur = cursor;
                let count = count.saturating_mul(2);
                let mut iterations = count.saturating_mul(10);
                let mut buf = Vec::new();
                loop {
                    cur = s.dict.scan(cur, |k, v| {
                        buf.clear();
                        util::fmt_double(&mut buf, *v);
                        f(LpValue::Str(k.as_bytes()), LpValue::Str(&buf));
                        items += 2;
                    });
                    if cur == 0 || iterations == 0 || items >= count {
                        break;
                    }
                    iterations -= 1;
                }
                cur
            }
        }
    }

    /// Checks the structure (tests).
    pub fn check(&self) -> Result<(), String> {
        let mut prev: Option<(Vec<u8>, f64)> = None;
        let mut n = 0;
        for (m, s) in self.iter() {
            let m = m.to_vec();
            if let Some((pm, ps)) = &prev {
                if !(*ps < s || (*ps == s && pm.as_slice() < m.as_slice())) {
                    return Err(format!("order broken at {:?}", String::from_utf8_lossy(&m)));
                }
            }
            if self.score(&m) != Some(s) {
                return Err("score lookup mismatch".into());
            }
            prev = Some((m, s));
            n += 1;
        }
        if n != self.len() {
            return Err(format!("length {} but {} members", self.len(), n));
        }
        if let ZSet::Skiplist(s) = self {
            if s.dict.len() != s.zsl.len {
                return Err("dict and skiplist sizes differ".into());
            }
            for (i, (m, _)) in self.iter().enumerate() {
                if self.rank(&m.to_vec(), false) != Some(i) {
                    return Err(format!("rank of member {i} is wrong"));
                }
                if self.at_rank(i).map(|c| self.get(c).0.to_vec()) != Some(m.to_vec()) {
                    return Err(format!("member at rank {i} is wrong"));
                }
            }
            let mut back = 0;
            let mut x = s.zsl.tail;
            while x != NIL {
                back += 1;
                x = s.zsl.node(x).backward;
            }
            if back != s.zsl.len {
                return Err("backward links broken".into());
            }
        }
        Ok(())
    }
}

/// Skips `offset` items (Redis's `while (ln && offset--)`: a negative
/// offset walks off the end). False if nothing is left.
fn skip(it: &mut Iter, offset: i64) -> bool {
    if offset < 0 {
        it.cur = None;
        return false;
    }
    for _ in 0..offset {
        if it.next().is_none() {
            return false;
        }
    }
    it.cur.is_some()
}

/// The new score of an existing member under ZADD's flags, or what to
/// report instead (Redis `zsetAdd`'s update branch).
fn update_decision(cur: f64, score: f64, flags: AddFlags) -> Result<f64, AddResult> {
    if flags.nx {
        return Err(AddResult::Nop);
    }
    let mut score = score;
    if flags.incr {
        score += cur;
        if score.is_nan() {
            return Err(AddResult::Nan);
        }
    }
    if (flags.lt && score >= cur) || (flags.gt && score <= cur) {
        return Err(AddResult::Nop);
    }
    Ok(score)
}

/// Iterator of [`ZSet::iter`]: (member, score) pairs.
pub struct Iter<'a> {
    z: &'a ZSet,
    cur: Option<Cursor>,
    rev: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (LpValue<'a>, f64);
    fn next(&mut self) -> Option<Self::Item> {
        let c = self.cur?;
        self.cur = if self.rev { self.z.prev(c) } else { self.z.next(c) };
        Some(self.z.get(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LP: Limits = Limits {
        max_entries: 128,
        max_value: 64,
    };

    fn members(z: &ZSet) -> Vec<(String, f64)> {
        z.iter()
            .map(|(m, s)| (String::from_utf8_lossy(&m.to_vec()).into_owned(), s))
            .collect()
    }

    #[test]
    fn listpack_scores_are_stored_like_redis() {
        // ZADD z 1 a 2.5 b -3 c 1e3 d 0.1 e; the vector of listpack.rs.
        let mut z = ZSet::new_listpack();
        for (s, m) in [(1.0, "a"), (2.5, "b"), (-3.0, "c"), (1e3, "d"), (0.1, "e")] {
            assert_eq!(z.add(m.as_bytes(), s, AddFlags::default(), LP), AddResult::Added(s));
        }
        let lp = z.listpack().unwrap();
        let want: Vec<Vec<u8>> = [
            &b"c"[..],
            b"-3",
            b"e",
            b"0.10000000000000001",
            b"a",
            b"1",
            b"b",
            b"2.5",
            b"d",
            b"1000",
        ]
        .iter()
        .map(|b| b.to_vec())
        .collect();
        let got: Vec<Vec<u8>> = lp.iter().map(|v| v.to_vec()).collect();
        assert_eq!(got, want);
        let mut direct = Listpack::new();
        for e in &want {
            direct.append(e);
        }
        assert_eq!(lp.as_bytes(), direct.as_bytes());
        // -0 is stored as the integer 0.
        z.add(b"z", -0.0, AddFlags::default(), LP);
        assert!(z.score(b"z").unwrap().is_sign_positive());
    }

    #[test]
    fn a_clone_shares_a_skiplist_until_a_write() {
        let mut z = ZSet::new_skiplist(0);
        for (i, m) in ["a", "b", "c"].iter().enumerate() {
            z.add(m.as_bytes(), i as f64, AddFlags::default(), LP);
        }
        let snap = z.clone();
        let (ZSet::Skiplist(x), ZSet::Skiplist(y)) = (&z, &snap) else {
            panic!("not a skiplist")
        };
        assert!(Arc::ptr_eq(x, y));
        assert!(z.remove(b"a"));
        z.add(b"b", 9.0, AddFlags::default(), LP);
        assert_eq!(
            members(&snap),
            vec![("a".into(), 0.0), ("b".into(), 1.0), ("c".into(), 2.0)]
        );
        assert_eq!(members(&z), vec![("c".into(), 2.0), ("b".into(), 9.0)]);
    }

    #[test]
    fn add_flags() {
        let mut z = ZSet::new_listpack();
        let f = |incr, nx, xx, gt, lt| AddFlags { incr, nx, xx, gt, lt };
        assert_eq!(
            z.add(b"a", 1.0, f(false, false, true, false, false), LP),
            AddResult::Nop
        );
        assert_eq!(
            z.add(b"a", 1.0, f(false, true, false, false, false), LP),
            AddResult::Added(1.0)
        );
        assert_eq!(
            z.add(b"a", 5.0, f(false, true, false, false, false), LP),
            AddResult::Nop
        );
        assert_eq!(
            z.add(b"a", 0.5, f(false, false, false, true, false), LP),
            AddResult::Nop
        );
        assert_eq!(
            z.add(b"a", 2.0, f(false, false, false, true, false), LP),
            AddResult::Updated(2.0)
        );
        assert_eq!(z.add(b"a", 2.0, AddFlags::default(), LP), AddResult::Unchanged(2.0));
        assert_eq!(
            z.add(b"a", 3.0, f(true, false, false, false, false), LP),
            AddResult::Updated(5.0)
        );
        let inf = f64::INFINITY;
        assert_eq!(
            z.add(b"a", inf, f(true, false, false, false, false), LP),
            AddResult::Updated(inf)
        );
        assert_eq!(
            z.add(b"a", -inf, f(true, false, false, false, false), LP),
            AddResult::Nan
        );
        assert_eq!(z.add(b"a", f64::NAN, AddFlags::default(), LP), AddResult::Nan);
    }

    fn random_ops(limits: Limits, rounds: usize) {
        let mut z = ZSet::new_listpack();
        let mut model: std::collections::BTreeMap<Vec<u8>, f64> = Default::default();
        let mut rng = rand::rng();
        for round in 0..rounds {
            let m = format!("m{}", rng.random_range(0..300)).into_bytes();
            let op = rng.random_range(0..10);
            if op < 6 {
                let s = f64::from(rng.random_range(-20i32..20));
                z.add(&m, s, AddFlags::default(), limits);
                model.insert(m, s);
            } else if op < 9 {
                assert_eq!(z.remove(&m), model.remove(&m).is_some());
            } else {
                let r = ScoreRange::inclusive(-5.0, 5.0);
                let want = model.values().filter(|s| r.contains(**s)).count();
                assert_eq!(z.count_in_range(&r), want);
                let n = z.delete_range_by_score(&r);
                assert_eq!(n, want);
                model.retain(|_, s| !r.contains(*s));
            }
            if round % 97 == 0 {
                z.check().unwrap();
            }
            assert_eq!(z.len(), model.len());
        }
        z.check().unwrap();
        let mut want: Vec<(String, f64)> = model
            .iter()
            .map(|(m, s)| (String::from_utf8_lossy(m).into_owned(), *s))
            .collect();
        want.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then_with(|| a.0.cmp(&b.0)));
        assert_eq!(members(&z), want);
    }

    #[test]
    fn random_operations_match_a_model() {
        random_ops(LP, 3000);
        random_ops(
            Limits {
                max_entries: 0,
                max_value: 0,
            },
            20000,
        );
    }

    #[test]
    fn ranks_ranges_and_compaction() {
        let mut z = ZSet::new_skiplist(0);
        for i in 0..5000 {
            z.add(format!("{i:05}").as_bytes(), f64::from(i / 3), AddFlags::default(), LP);
        }
        z.check().unwrap();
        assert_eq!(z.rank(b"00010", false), Some(10));
        assert_eq!(z.rank(b"00010", true), Some(4989));
        assert_eq!(z.delete_range_by_rank(0, 3999), 4000);
        z.check().unwrap();
        if let ZSet::Skiplist(s) = &z {
            assert!(s.zsl.free.len() <= COMPACT_MIN_FREE.max(s.zsl.len));
        }
        let r = LexRange::parse(b"[04000", b"(04010").unwrap();
        assert_eq!(z.count_in_lex_range(&r), 10);
        let mut got = Vec::new();
        z.range_by_lex(&r, true, 2, 3, |m, _| got.push(m.to_vec()));
        assert_eq!(got, vec![b"04007".to_vec(), b"04006".to_vec(), b"04005".to_vec()]);
        assert_eq!(z.delete_range_by_lex(&r), 10);
        z.check().unwrap();
        let mut lp = z.clone();
        lp.convert_to_listpack();
        assert_eq!(members(&lp), members(&z));
        lp.check().unwrap();
    }

    #[test]
    fn ranges_parse_like_redis() {
        let r = ScoreRange::parse(b"(1", b"+inf").unwrap();
        assert_eq!((r.min, r.max, r.minex, r.maxex), (1.0, f64::INFINITY, true, false));
        assert!(ScoreRange::parse(b"(", b"1").unwrap().minex);
        assert!(ScoreRange::parse(b"nan", b"1").is_none());
        assert!(ScoreRange::parse(b"1 ", b"1").is_none());
        assert!(LexRange::parse(b"-", b"+").is_some());
        assert!(LexRange::parse(b"-x", b"+").is_none());
        assert!(LexRange::parse(b"a", b"+").is_none());
        assert!(LexRange::parse(b"", b"+").is_none());
        assert!(LexRange::parse(b"+\0x", b"-").unwrap().is_empty());
        assert!(!LexRange::parse(b"[a", b"[a").unwrap().is_empty());
        assert!(LexRange::parse(b"(a", b"[a").unwrap().is_empty());
    }
}
