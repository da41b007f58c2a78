//! Lists (Redis 7.2's quicklist.c and the list half of t_list.c).
//!
//! A small list is one listpack (OBJECT ENCODING `listpack`, Redis 7.2's
//! encoding for lists): it stays one while it is within the
//! `list-max-listpack-size` limit of a single node, and becomes a quicklist
//! before an addition would take it past that limit. A quicklist goes back
//! to a listpack when a removal leaves it one node of at most half the
//! limit, so that a list hovering at the limit does not flip on every
//! change; a list built in one go (RDB load, RESTORE, SORT STORE) becomes a
//! listpack whenever it fits a node. The checks take the limit from the
//! configuration at the time, as Redis's do. A listpack list is held in
//! the `Value` itself ([`List`]), with no header of its own, as Redis's
//! object points straight to its listpack.
//!
//! A quicklist is a sequence of nodes, each a listpack holding a
//! run of elements (or, for an element of at least the packed threshold,
//! a "plain" node holding just that element's bytes). The nodes live in a
//! `VecDeque`, so both ends are O(1) and finding an index walks node
//! counts rather than elements.
//!
//! Node sizes follow `list-max-listpack-size` (the list's `fill`, fixed
//! when the list is created, as Redis does):
//!
//! - negative: a size limit of 4, 8, 16, 32 or 64 KB for -1 ... -5; an
//!   element joins a node while `node bytes + element length + 8` stays
//!   within it (Redis's `SIZE_ESTIMATE_OVERHEAD` estimate);
//! - positive: at most that many entries per node, and never past the 8 KB
//!   safety limit.
//!
//! Inserting into the middle of a full node splits it and then tries to
//! merge the split halves with their neighbours, exactly as
//! `_quicklistInsert` and `_quicklistMergeNodes` do, so node layouts (and
//! so `DEBUG OBJECT`'s `ql_nodes`) match Redis's. Deletions never merge,
//! as in Redis 7.0. `list-compress-depth` is recorded but nodes are not
//! compressed.

use crate::listpack::{Listpack, LpValue};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Size limits of listpack nodes for fill -1 ... -5.
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Largest node when the limit is an entry count.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Overestimate of an entry's encoding overhead when checking a limit.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// Bytes saved by merging two listpacks (one header and terminator).
const LP_HDR_AND_EOF: usize = 7;
/// Redis's quicklist keeps `fill` in 16 signed bits, `compress` in 16.
const FILL_MAX: i32 = (1 << 15) - 1;
const COMPRESS_MAX: i32 = (1 << 16) - 1;
/// Default size from which an element gets a plain node of its own.
const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;
/// Redis's `LIST_MAX_ITEM_SIZE`: the largest element a list accepts.
pub const MAX_ITEM_SIZE: usize = (1 << 32) - 1024;

/// The packed threshold, process-wide as in Redis (DEBUG
/// QUICKLIST-PACKED-THRESHOLD changes it for every list).
static PACKED_THRESHOLD: AtomicUsize = AtomicUsize::new(DEFAULT_PACKED_THRESHOLD);

/// Redis's `quicklistisSetPackedThreshold`: 0 restores the default; values
/// close to 4 GB are refused.
pub fn set_packed_threshold(sz: u64) -> bool {
    if sz > (1u64 << 32) - (1 << 20) {
        return false;
    }
    let sz = if sz == 0 { DEFAULT_PACKED_THRESHOLD } else { sz as usize };
    PACKED_THRESHOLD.store(sz, Ordering::Relaxed);
    true
}

fn is_large(sz: usize) -> bool {
    sz >= PACKED_THRESHOLD.load(Ordering::Relaxed)
}

/// The limit `fill` puts on one node: bytes (negative fill) or entries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NodeLimit {
    Bytes(usize),
    Entries(usize),
}

/// Redis's `quicklistNodeLimit`: settings below -5 count as -5, and an
/// entry limit of 0 as 1.
fn node_limit(fill: i32) -> NodeLimit {
    if fill >= 0 {
        NodeLimit::Entries((fill as usize).max(1))
    } else {
        let offset = ((-(fill as i64)) - 1) as usize;
        NodeLimit::Bytes(OPTIMIZATION_LEVEL[offset.min(OPTIMIZATION_LEVEL.len() - 1)])
    }
}

/// Redis's `quicklistNodeExceedsLimit`: is a listpack of `sz` bytes and
/// `count` entries past what `fill` allows one node? An entry limit is
/// also bounded by the 8 KB safety limit.
fn exceeds_limit(fill: i32, sz: usize, count: usize) -> bool {
    match node_limit(fill) {
        NodeLimit::Bytes(limit) => sz > limit,
        NodeLimit::Entries(limit) => sz > SIZE_SAFETY_LIMIT || count > limit,
    }
}

/// Whether `sz` is within the size limit that a negative `fill` sets.
fn meets_size_limit(sz: usize, fill: i32) -> bool {
    if fill >= 0 {
        return false;
    }
    let offset = (-(fill as i64) - 1) as usize;
    OPTIMIZATION_LEVEL.get(offset).is_some_and(|&limit| sz <= limit)
}

/// One quicklist node.
#[derive(Clone)]
enum Node {
    Packed(Listpack),
    /// One element too big for a listpack (Redis's PLAIN container).
    Plain(Box<[u8]>),
}

impl Node {
    fn packed_with(v: &[u8]) -> Node {
        let mut lp = Listpack::new();
        lp.append(v);
        Node::Packed(lp)
    }

    fn count(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.len(),
            Node::Plain(_) => 1,
        }
    }

    /// Redis's `node->sz`: listpack bytes, or the plain element's length.
    fn sz(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.bytes(),
            Node::Plain(b) => b.len(),
        }
    }

    fn is_plain(&self) -> bool {
        matches!(self, Node::Plain(_))
    }

    fn alloc_size(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.alloc_size(),
            Node::Plain(b) => b.len(),
        }
    }

    /// Position of the first / last element (0 stands for a plain node's).
    fn first_pos(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.first().unwrap_or(0),
            Node::Plain(_) => 0,
        }
    }

    fn last_pos(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.last().unwrap_or(0),
            Node::Plain(_) => 0,
        }
    }

    fn value_at(&self, pos: usize) -> LpValue<'_> {
        match self {
            Node::Packed(lp) => lp.get(pos),
            Node::Plain(b) => LpValue::Str(b),
        }
    }

    /// Position of element `offset` of the node.
    fn seek(&self, offset: usize) -> Option<usize> {
        match self {
            Node::Packed(lp) => lp.seek(i64::try_from(offset).ok()?),
            Node::Plain(_) => (offset == 0).then_some(0),
        }
    }
}

/// Redis's `_quicklistNodeAllowInsert`: may an element of `sz` bytes join
/// `node` under `fill`?
fn allow_insert(node: Option<&Node>, fill: i32, sz: usize) -> bool {
    let Some(node) = node else { return false };
    if node.is_plain() || is_large(sz) {
        return false;
    }
    let new_sz = node.sz().saturating_add(sz).saturating_add(SIZE_ESTIMATE_OVERHEAD);
    if meets_size_limit(new_sz, fill) {
        true
    } else if new_sz > SIZE_SAFETY_LIMIT {
        false
    } else {
        (node.count() as i64) < i64::from(fill)
    }
}

/// Redis's `_quicklistNodeAllowMerge`.
fn allow_merge(a: &Node, b: &Node, fill: i32) -> bool {
    if a.is_plain() || b.is_plain() {
        return false;
    }
    let merge_sz = (a.sz() + b.sz()).saturating_sub(LP_HDR_AND_EOF);
    if meets_size_limit(merge_sz, fill) {
        true
    } else if merge_sz > SIZE_SAFETY_LIMIT {
        false
    } else {
        ((a.count() + b.count()) as i64) <= i64::from(fill)
    }
}

/// The elements of `a` followed by those of `b`, in one listpack (Redis's
/// `lpMerge`).
fn lp_concat(a: &Listpack, b: &Listpack) -> Listpack {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let total = ab.len() + bb.len() - LP_HDR_AND_EOF;
    let count = (a.len() + b.len()).min(usize::from(crate::listpack::NUMELE_UNKNOWN));
    let joined = u32::try_from(total).ok().and_then(|t| {
        let mut buf = Vec::with_capacity(total);
        buf.extend_from_slice(&t.to_le_bytes());
        buf.extend_from_slice(&(count as u16).to_le_bytes());
        buf.extend_from_slice(&ab[crate::listpack::HDR_SIZE..ab.len() - 1]);
        buf.extend_from_slice(&bb[crate::listpack::HDR_SIZE..]);
        Listpack::from_bytes(buf)
    });
    joined.unwrap_or_else(|| {
        // Not reached with well-formed nodes; rebuild element by element.
        let mut lp = a.clone();
        for v in b.iter() {
            lp.append_value(v);
        }
        lp
    })
}

/// The node array: most lists have one node, kept inline; more go into a
/// deque. A `VecDeque` of its own would cost every small list a second
/// allocation.
#[derive(Clone)]
enum NodeList {
    Inline(Option<Node>),
    Deque(VecDeque<Node>),
}

static NO_NODE: Option<Node> = None;
static NO_NODES: VecDeque<Node> = VecDeque::new();

type NodeIter<'a> = std::iter::Chain<std::option::Iter<'a, Node>, std::collections::vec_deque::Iter<'a, Node>>;

impl NodeList {
    fn len(&self) -> usize {
        match self {
            NodeList::Inline(o) => usize::from(o.is_some()),
            NodeList::Deque(d) => d.len(),
        }
    }

    /// Node slots allocated outside the list itself.
    fn capacity(&self) -> usize {
        match self {
            NodeList::Inline(_) => 0,
            NodeList::Deque(d) => d.capacity(),
        }
    }

    fn get(&self, i: usize) -> Option<&Node> {
        match self {
            NodeList::Inline(o) => o.as_ref().filter(|_| i == 0),
            NodeList::Deque(d) => d.get(i),
        }
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut Node> {
        match self {
            NodeList::Inline(o) => o.as_mut().filter(|_| i == 0),
            NodeList::Deque(d) => d.get_mut(i),
        }
    }

    fn front(&self) -> Option<&Node> {
        self.get(0)
    }

    fn back(&self) -> Option<&Node> {
        self.get(self.len().checked_sub(1)?)
    }

    fn front_mut(&mut self) -> Option<&mut Node> {
        self.get_mut(0)
    }

    fn back_mut(&mut self) -> Option<&mut Node> {
        let i = self.len().checked_sub(1)?;
        self.get_mut(i)
    }

    fn iter(&self) -> NodeIter<'_> {
        match self {
            NodeList::Inline(o) => o.iter().chain(NO_NODES.iter()),
            NodeList::Deque(d) => NO_NODE.iter().chain(d.iter()),
        }
    }

    /// Inserts `n` at position `i` (at most `len`).
    fn insert(&mut self, i: usize, n: Node) {
        match self {
            NodeList::Inline(None) => *self = NodeList::Inline(Some(n)),
            NodeList::Inline(Some(_)) => {
                let NodeList::Inline(Some(old)) = std::mem::replace(self, NodeList::Inline(None)) else {
                    return;
                };
                let mut d = VecDeque::with_capacity(2);
                d.push_back(old);
                d.insert(i.min(1), n);
                *self = NodeList::Deque(d);
            }
            NodeList::Deque(d) => d.insert(i.min(d.len()), n),
        }
    }

    fn push_front(&mut self, n: Node) {
        self.insert(0, n);
    }

    fn push_back(&mut self, n: Node) {
        self.insert(self.len(), n);
    }

    /// Drops the nodes left without elements, in one pass.
    fn remove_empty(&mut self) {
        match self {
            NodeList::Inline(o) => {
                if o.as_ref().is_some_and(|n| n.count() == 0) {
                    *o = None;
                }
            }
            NodeList::Deque(d) => {
                d.retain(|n| n.count() > 0);
                if d.len() <= 1 {
                    *self = NodeList::Inline(d.pop_front());
                } else if d.capacity() > 8 && d.len() * 4 < d.capacity() {
                    d.shrink_to(d.len() * 2);
                }
            }
        }
    }

    /// Removes node `i`; a deque down to one node goes back inline, and
    /// one mostly empty gives memory back.
    fn remove(&mut self, i: usize) -> Option<Node> {
        match self {
            NodeList::Inline(o) => {
                if i == 0 {
                    o.take()
                } else {
                    None
                }
            }
            NodeList::Deque(d) => {
                let r = d.remove(i);
                if d.len() <= 1 {
                    *self = NodeList::Inline(d.pop_front());
                } else if d.capacity() > 8 && d.len() * 4 < d.capacity() {
                    d.shrink_to(d.len() * 2);
                }
                r
            }
        }
    }
}

impl std::ops::Index<usize> for NodeList {
    type Output = Node;
    fn index(&self, i: usize) -> &Node {
        match self.get(i) {
            Some(n) => n,
            None => panic!("quicklist node {i} out of {}", self.len()),
        }
    }
}

impl std::ops::IndexMut<usize> for NodeList {
    fn index_mut(&mut self, i: usize) -> &mut Node {
        let len = self.len();
        match self.get_mut(i) {
            Some(n) => n,
            None => panic!("quicklist node {i} out of {len}"),
        }
    }
}

/// The `quicklist` encoding: nodes of listpacks (or single big elements).
#[derive(Clone)]
pub struct Quicklist {
    nodes: NodeList,
    count: usize,
    /// `list-max-listpack-size` when the quicklist was made, clamped.
    fill: i16,
    /// `list-compress-depth` when the quicklist was made, clamped (unused).
    compress: u16,
}

impl Default for Quicklist {
    fn default() -> Self {
        Quicklist::new(-2, 0)
    }
}

impl Quicklist {
    /// An empty quicklist with Redis's clamping of the two settings.
    pub fn new(fill: i32, compress: i32) -> Quicklist {
        Quicklist {
            nodes: NodeList::Inline(None),
            count: 0,
            fill: fill.clamp(-5, FILL_MAX) as i16,
            compress: compress.clamp(0, COMPRESS_MAX) as u16,
        }
    }

    /// A listpack grown past one node's limit: it becomes the first node
    /// whole (Redis's `quicklistAppendListpack`).
    fn from_listpack(lp: Listpack, fill: i32, compress: i32) -> Quicklist {
        let mut q = Quicklist::new(fill, compress);
        q.append_listpack_node(lp);
        q
    }

    /// Redis's `listTypeTryConvertQuicklist`: the listpack of a quicklist
    /// that is one packed node within the `fill` limit divided by `div`.
    fn take_small_listpack(&mut self, fill: i32, div: usize) -> Option<Listpack> {
        if self.nodes.len() != 1 {
            return None;
        }
        let Some(Node::Packed(lp)) = self.nodes.front() else {
            return None;
        };
        // The dimension `fill` does not limit is unbounded (Redis's
        // SIZE_MAX or UINT_MAX, halved).
        let fits = match node_limit(fill) {
            NodeLimit::Bytes(limit) => lp.bytes() <= limit / div,
            NodeLimit::Entries(limit) => self.count <= limit / div,
        };
        if !fits {
            return None;
        }
        self.count = 0;
        match self.nodes.remove(0) {
            Some(Node::Packed(lp)) => Some(lp),
            _ => None,
        }
    }

    /// Bytes allocated for the quicklist: the `Arc` block holding it, the
    /// node array and every node's buffer.
    fn heap_size(&self) -> usize {
        let arc = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<Quicklist>();
        let nodes = self.nodes.capacity() * std::mem::size_of::<Node>();
        arc + nodes + self.nodes.iter().map(Node::alloc_size).sum::<usize>()
    }

    /// Redis's lazyfree effort for a quicklist: its number of nodes.
    pub fn free_effort(&self) -> usize {
        self.nodes.len()
    }

    pub fn len(&self) -> usize {
        self.count
    }

    fn fill(&self) -> i32 {
        i32::from(self.fill)
    }

    /// The `ql_*` fields DEBUG OBJECT adds for a quicklist.
    fn debug_info(&self) -> String {
        let nodes = self.nodes.len();
        let avg = self.count as f64 / nodes as f64;
        let size: usize = self.nodes.iter().map(Node::sz).sum();
        format!(
            " ql_nodes:{} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{}",
            nodes,
            avg,
            self.fill,
            (self.compress != 0) as u8,
            size
        )
    }

    fn push_node(&mut self, node: Node, front: bool) {
        if front {
            self.nodes.push_front(node);
        } else {
            self.nodes.push_back(node);
        }
    }

    fn insert_node(&mut self, at: usize, node: Node) {
        self.nodes.insert(at, node);
    }

    // --- push and pop ------------------------------------------------------

    /// LPUSH (`front`) or RPUSH of one element (quicklistPushHead/Tail).
    pub fn push(&mut self, v: &[u8], front: bool) {
        let sz = v.len();
        self.count += 1;
        if is_large(sz) {
            self.push_node(Node::Plain(v.into()), front);
            return;
        }
        let fill = self.fill();
        let end = if front { self.nodes.front() } else { self.nodes.back() };
        if allow_insert(end, fill, sz) {
            let node = if front {
                self.nodes.front_mut()
            } else {
                self.nodes.back_mut()
            };
            if let Some(Node::Packed(lp)) = node {
                if front {
                    lp.prepend(v);
                } else {
                    lp.append(v);
                }
            }
        } else {
            self.push_node(Node::packed_with(v), front);
        }
    }

    /// LPOP (`front`) or RPOP of one element.
    pub fn pop(&mut self, front: bool) -> Option<Vec<u8>> {
        let ni = if front { 0 } else { self.nodes.len().checked_sub(1)? };
        let (v, gone) = match self.nodes.get_mut(ni)? {
            Node::Plain(b) => (std::mem::take(b).into_vec(), true),
            Node::Packed(lp) => {
                let pos = if front { lp.first()? } else { lp.last()? };
                let v = lp.get(pos).to_vec();
                lp.delete(pos);
                (v, lp.is_empty())
            }
        };
        if gone {
            self.nodes.remove(ni);
        }
        self.count -= 1;
        Some(v)
    }

    // --- positions ----------------------------------------------------------

    /// Node and offset in it of element `index` (0-based from the head),
    /// walking from the nearer end.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.count {
            return None;
        }
        if index <= (self.count - 1) / 2 {
            let mut acc = 0;
            for (ni, n) in self.nodes.iter().enumerate() {
                let c = n.count();
                if index < acc + c {
                    return Some((ni, index - acc));
                }
                acc += c;
            }
        } else {
            let mut acc = self.count;
            for ni in (0..self.nodes.len()).rev() {
                let c = self.nodes[ni].count();
                acc -= c;
                if index >= acc {
                    return Some((ni, index - acc));
                }
            }
        }
        None
    }

    /// Converts a Redis index (negative from the tail) to a 0-based one.
    fn resolve_index(&self, index: i64) -> Option<usize> {
        let i = if index < 0 {
            index.checked_add(self.count as i64)?
        } else {
            index
        };
        usize::try_from(i).ok().filter(|&i| i < self.count)
    }

    /// LINDEX.
    pub fn get(&self, index: i64) -> Option<LpValue<'_>> {
        let (ni, off) = self.locate(self.resolve_index(index)?)?;
        let node = &self.nodes[ni];
        Some(node.value_at(node.seek(off)?))
    }

    /// Elements from `index` towards the tail, or towards the head when
    /// `reverse`.
    fn iter_from(&self, index: usize, reverse: bool) -> NodesIter<'_> {
        match self
            .locate(index)
            .and_then(|(ni, off)| Some((ni, self.nodes[ni].seek(off)?)))
        {
            Some((ni, pos)) => NodesIter {
                nodes: &self.nodes,
                ni,
                pos,
                reverse,
                done: false,
            },
            None => NodesIter {
                nodes: &self.nodes,
                ni: 0,
                pos: 0,
                reverse,
                done: true,
            },
        }
    }

    #[cfg(test)]
    fn iter(&self) -> NodesIter<'_> {
        self.iter_from(0, false)
    }

    // --- edits in the middle -------------------------------------------------

    /// LSET: false if `index` is out of range.
    pub fn set(&mut self, index: i64, v: &[u8]) -> bool {
        let Some((ni, off)) = self.resolve_index(index).and_then(|i| self.locate(i)) else {
            return false;
        };
        self.replace_entry(ni, off, v);
        true
    }

    /// LINSERT: inserts `v` before or after the first element equal to
    /// `pivot`; false if there is none.
    pub fn insert_at_pivot(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        let pint = crate::util::string2ll(pivot);
        let mut found = None;
        'outer: for (ni, n) in self.nodes.iter().enumerate() {
            match n {
                Node::Plain(b) => {
                    if &b[..] == pivot {
                        found = Some((ni, 0));
                        break;
                    }
                }
                Node::Packed(lp) => {
                    for (off, e) in lp.iter().enumerate() {
                        if elem_eq(e, pivot, pint) {
                            found = Some((ni, off));
                            break 'outer;
                        }
                    }
                }
            }
        }
        match found {
            Some((ni, off)) => {
                self.insert_at(ni, off, v, after);
                true
            }
            None => false,
        }
    }

    /// LREM: removes up to `limit` elements equal to `v` (all of them when
    /// `limit` is None), from the tail when `from_tail`. Returns how many.
    pub fn remove(&mut self, v: &[u8], limit: Option<usize>, from_tail: bool) -> usize {
        let vint = crate::util::string2ll(v);
        let mut removed = 0usize;
        let n = self.nodes.len();
        let order: Box<dyn Iterator<Item = usize>> = if from_tail {
            Box::new((0..n).rev())
        } else {
            Box::new(0..n)
        };
        let mut emptied = false;
        for ni in order {
            if limit.is_some_and(|l| removed >= l) {
                break;
            }
            match &mut self.nodes[ni] {
                Node::Plain(b) => {
                    if &b[..] == v {
                        removed += 1;
                        emptied = true;
                        // An empty packed node: dropped with the others below.
                        self.nodes[ni] = Node::Packed(Listpack::new());
                    }
                }
                Node::Packed(lp) => {
                    removed += lp_remove(lp, v, vint, limit.map(|l| l - removed), from_tail);
                    emptied |= lp.is_empty();
                }
            }
        }
        if emptied {
            self.nodes.remove_empty();
        }
        self.count -= removed;
        removed
    }

    /// Deletes `n` elements from element `start` on (quicklistDelRange).
    pub fn delete_range(&mut self, start: usize, n: usize) {
        let n = n.min(self.count.saturating_sub(start));
        if n == 0 {
            return;
        }
        let Some((mut ni, mut off)) = self.locate(start) else {
            return;
        };
        let mut left = n;
        while left > 0 && ni < self.nodes.len() {
            let c = self.nodes[ni].count();
            let del = (c - off).min(left);
            if del == c {
                self.nodes.remove(ni);
            } else {
                if let Node::Packed(lp) = &mut self.nodes[ni] {
                    lp.delete_range(off as i64, del);
                }
                ni += 1;
            }
            left -= del;
            off = 0;
        }
        self.count -= n;
    }

    /// Redis's `_quicklistInsert`: inserts `v` before or after element
    /// `off` of node `ni`.
    fn insert_at(&mut self, ni: usize, off: usize, v: &[u8], after: bool) {
        let fill = self.fill();
        let sz = v.len();
        let node_count = self.nodes[ni].count();
        let full = !allow_insert(self.nodes.get(ni), fill, sz);
        let mut at_tail = false;
        let mut at_head = false;
        let mut avail_next = false;
        let mut avail_prev = false;
        if after && off + 1 == node_count {
            at_tail = true;
            avail_next = allow_insert(self.nodes.get(ni + 1), fill, sz);
        }
        if !after && off == 0 {
            at_head = true;
            avail_prev = ni > 0 && allow_insert(self.nodes.get(ni - 1), fill, sz);
        }
        self.count += 1;
        if is_large(sz) {
            if self.nodes[ni].is_plain() || at_tail || at_head {
                let at = if after { ni + 1 } else { ni };
                self.insert_node(at, Node::Plain(v.into()));
            } else {
                // [left part][plain][right part], the node keeping the part
                // holding the entry.
                let new_node = self.split_node(ni, off, after);
                if after {
                    self.insert_node(ni + 1, Node::Plain(v.into()));
                    self.insert_node(ni + 2, new_node);
                } else {
                    self.insert_node(ni, Node::Plain(v.into()));
                    self.insert_node(ni, new_node);
                }
            }
            return;
        }
        if !full {
            self.insert_in_node(ni, off, v, after);
        } else if at_tail && avail_next {
            if let Some(Node::Packed(lp)) = self.nodes.get_mut(ni + 1) {
                lp.prepend(v);
            }
        } else if at_head && avail_prev {
            if let Some(Node::Packed(lp)) = self.nodes.get_mut(ni - 1) {
                lp.append(v);
            }
        } else if at_tail || at_head {
            let at = if after { ni + 1 } else { ni };
            self.insert_node(at, Node::packed_with(v));
        } else {
            let mut new_node = self.split_node(ni, off, after);
            if let Node::Packed(lp) = &mut new_node {
                if after {
                    lp.prepend(v);
                } else {
                    lp.append(v);
                }
            }
            let center = if after {
                self.insert_node(ni + 1, new_node);
                ni
            } else {
                self.insert_node(ni, new_node);
                ni + 1
            };
            self.merge_around(center);
        }
    }

    /// Inserts `v` next to element `off` of packed node `ni`, which has
    /// room for it (the caller counts it).
    fn insert_in_node(&mut self, ni: usize, off: usize, v: &[u8], after: bool) {
        if let Some(Node::Packed(lp)) = self.nodes.get_mut(ni) {
            if let Some(pos) = lp.seek(off as i64) {
                if after {
                    lp.insert_after(pos, v);
                } else {
                    lp.insert_before(pos, v);
                }
            }
        }
    }

    /// Redis's `_quicklistSplitNode`: node `ni` keeps elements up to and
    /// including `off` (`after`) or from `off` on; the returned node holds
    /// the rest.
    fn split_node(&mut self, ni: usize, off: usize, after: bool) -> Node {
        let Node::Packed(lp) = &mut self.nodes[ni] else {
            return Node::Packed(Listpack::new());
        };
        let mut rest = lp.clone();
        if after {
            lp.delete_range(off as i64 + 1, usize::MAX);
            rest.delete_range(0, off + 1);
        } else {
            lp.delete_range(0, off);
            rest.delete_range(off as i64, usize::MAX);
        }
        Node::Packed(rest)
    }

    /// Merges nodes `a` and `a + 1` into `a`.
    fn merge_pair(&mut self, a: usize) {
        let (Some(Node::Packed(x)), Some(Node::Packed(y))) = (self.nodes.get(a), self.nodes.get(a + 1)) else {
            return;
        };
        let joined = lp_concat(x, y);
        self.nodes[a] = Node::Packed(joined);
        self.nodes.remove(a + 1);
    }

    fn can_merge(&self, a: usize, b: usize) -> bool {
        match (self.nodes.get(a), self.nodes.get(b)) {
            (Some(x), Some(y)) => allow_merge(x, y, self.fill()),
            _ => false,
        }
    }

    /// Redis's `_quicklistMergeNodes` around node `center`: tries
    /// (prev-prev, prev), (next, next-next), (prev, center) and then the
    /// result with its next.
    fn merge_around(&mut self, mut center: usize) {
        if center >= 2 && self.can_merge(center - 1, center - 2) {
            self.merge_pair(center - 2);
            center -= 1;
        }
        if self.can_merge(center + 1, center + 2) {
            self.merge_pair(center + 1);
        }
        let target = if center >= 1 && self.can_merge(center, center - 1) {
            self.merge_pair(center - 1);
            center - 1
        } else {
            center
        };
        if self.can_merge(target, target + 1) {
            self.merge_pair(target);
        }
    }

    /// Redis's `quicklistReplaceEntry` for element `off` of node `ni`.
    fn replace_entry(&mut self, ni: usize, off: usize, v: &[u8]) {
        let large = is_large(v.len());
        match &mut self.nodes[ni] {
            Node::Packed(lp) if !large => {
                if let Some(pos) = lp.seek(off as i64) {
                    lp.replace(pos, v);
                }
            }
            Node::Plain(b) if large => *b = v.into(),
            Node::Plain(_) => {
                // A small value replacing a plain node goes into a packed
                // node after it; the plain node is dropped.
                self.insert_at(ni, 0, v, true);
                self.nodes.remove(ni);
                self.count -= 1;
            }
            Node::Packed(_) => {
                // A large value: a plain node after the entry (splitting
                // the node if needed), then the old entry, now the node's
                // last, is deleted.
                self.insert_at(ni, off, v, true);
                match &mut self.nodes[ni] {
                    Node::Packed(lp) if lp.len() > 1 => {
                        if let Some(pos) = lp.last() {
                            lp.delete(pos);
                        }
                    }
                    _ => {
                        self.nodes.remove(ni);
                    }
                }
                self.count -= 1;
            }
        }
    }
}

/// One node as stored, for RDB and DUMP (RDB_TYPE_LIST_QUICKLIST_2 keeps
/// the node layout).
pub enum NodeRef<'a> {
    Packed(&'a Listpack),
    Plain(&'a [u8]),
}

// The serialization side (RDB, DUMP/RESTORE) uses these.
impl Quicklist {
    /// The nodes, head to tail.
    pub fn nodes(&self) -> impl Iterator<Item = NodeRef<'_>> {
        self.nodes.iter().map(|n| match n {
            Node::Packed(lp) => NodeRef::Packed(lp),
            Node::Plain(b) => NodeRef::Plain(b),
        })
    }

    /// Appends a listpack as a node of its own, as loaded (Redis's
    /// quicklistAppendListpack); an empty one is skipped.
    pub fn append_listpack_node(&mut self, mut lp: Listpack) {
        let n = lp.recount();
        if n > 0 {
            self.count += n;
            self.nodes.push_back(Node::Packed(lp));
        }
    }

    /// Appends a plain node holding one element (quicklistAppendPlainNode).
    pub fn append_plain_node(&mut self, v: Vec<u8>) {
        self.count += 1;
        self.nodes.push_back(Node::Plain(v.into_boxed_slice()));
    }
}

/// Whether a stored element equals `s` (`sint` is `s` parsed as a
/// canonical integer), as Redis's `lpCompare`.
pub fn elem_eq(e: LpValue<'_>, s: &[u8], sint: Option<i64>) -> bool {
    match e {
        LpValue::Str(x) => x == s,
        LpValue::Int(i) => sint == Some(i),
    }
}

/// Deletes up to `budget` elements equal to `v` (every one when `None`)
/// from `lp`, found from the tail when `from_tail`; returns how many.
fn lp_remove(lp: &mut Listpack, v: &[u8], vint: Option<i64>, budget: Option<usize>, from_tail: bool) -> usize {
    let mut hits = Vec::new();
    let mut entries = lp.entries();
    while budget.is_none_or(|b| hits.len() < b) {
        let next = if from_tail { entries.next_back() } else { entries.next() };
        match next {
            Some((p, e)) if elem_eq(e, v, vint) => hits.push(p),
            Some(_) => {}
            None => break,
        }
    }
    if hits.is_empty() {
        0
    } else {
        lp.delete_many(&hits)
    }
}

/// A list value, held in the `Value` itself (16 bytes).
///
/// A small list is its listpack and nothing else, as in Redis 7.2 (no
/// `Arc` or quicklist header around it); a snapshot copies it when it
/// captures the key. A quicklist is shared with a snapshot by its `Arc` and
/// copied on the first write after a capture (`Arc::make_mut`).
#[derive(Clone)]
pub enum List {
    Listpack(Listpack),
    Quicklist(Arc<Quicklist>),
}

impl List {
    /// An empty listpack-encoded list, as a push to a missing key makes
    /// (Redis's `createListListpackObject`).
    pub fn new_listpack() -> List {
        List::Listpack(Listpack::new())
    }

    /// An empty quicklist, for a list built in one go that then calls
    /// [`List::convert_if_fits`].
    pub fn new_quicklist(fill: i32, compress: i32) -> List {
        List::Quicklist(Arc::new(Quicklist::new(fill, compress)))
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            List::Listpack(_) => "listpack",
            List::Quicklist(_) => "quicklist",
        }
    }

    /// Bytes allocated for the list outside the `Value`.
    pub fn heap_size(&self) -> usize {
        match self {
            List::Listpack(lp) => lp.alloc_size(),
            List::Quicklist(q) => q.heap_size(),
        }
    }

    /// Redis's lazyfree effort: 1 for a listpack, the nodes of a quicklist.
    pub fn free_effort(&self) -> usize {
        match self {
            List::Listpack(_) => 1,
            List::Quicklist(q) => q.free_effort(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            List::Listpack(lp) => lp.len(),
            List::Quicklist(q) => q.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `ql_*` fields DEBUG OBJECT adds for a quicklist (none for a
    /// listpack, as in Redis).
    pub fn debug_info(&self) -> String {
        match self {
            List::Listpack(_) => String::new(),
            List::Quicklist(q) => q.debug_info(),
        }
    }

    // --- encoding conversions (Redis's listTypeTryConversion*) --------------

    /// Before adding `add_len` elements of `add_bytes` bytes in all: a
    /// listpack that would then be past the `fill` limit becomes a
    /// quicklist of the current settings, the listpack its first node.
    pub fn prepare_growth(&mut self, fill: i32, compress: i32, add_bytes: usize, add_len: usize) {
        let List::Listpack(lp) = self else { return };
        let sz = lp.bytes().saturating_add(add_bytes);
        if exceeds_limit(fill, sz, lp.len().saturating_add(add_len)) {
            let lp = std::mem::take(lp);
            *self = List::Quicklist(Arc::new(Quicklist::from_listpack(lp, fill, compress)));
        }
    }

    /// After a removal: a quicklist left as one packed node within half
    /// the `fill` limit goes back to a listpack.
    pub fn shrink_if_small(&mut self, fill: i32) {
        self.quicklist_to_listpack(fill, 2);
    }

    /// After building a list in one go: a quicklist of one packed node
    /// within the `fill` limit becomes a listpack.
    pub fn convert_if_fits(&mut self, fill: i32) {
        self.quicklist_to_listpack(fill, 1);
    }

    fn quicklist_to_listpack(&mut self, fill: i32, div: usize) {
        let List::Quicklist(q) = self else { return };
        if q.nodes.len() != 1 {
            return;
        }
        if let Some(lp) = Arc::make_mut(q).take_small_listpack(fill, div) {
            *self = List::Listpack(lp);
        }
    }

    // --- reads ----------------------------------------------------------------

    /// LINDEX.
    pub fn get(&self, index: i64) -> Option<LpValue<'_>> {
        match self {
            // lpSeek takes a Redis index, negative from the tail.
            List::Listpack(lp) => Some(lp.get(lp.seek(index)?)),
            List::Quicklist(q) => q.get(index),
        }
    }

    /// Elements from `index` towards the tail, or towards the head when
    /// `reverse`.
    pub fn iter_from(&self, index: usize, reverse: bool) -> Iter<'_> {
        match self {
            List::Listpack(lp) => Iter::Listpack {
                lp,
                pos: i64::try_from(index).ok().and_then(|i| lp.seek(i)),
                reverse,
            },
            List::Quicklist(q) => Iter::Nodes(q.iter_from(index, reverse)),
        }
    }

    /// All elements, head to tail.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0, false)
    }

    /// The nodes as stored, head to tail, for RDB and DUMP: a listpack is
    /// saved as a quicklist of one node, as Redis 7.2 does.
    pub fn nodes(&self) -> Box<dyn Iterator<Item = NodeRef<'_>> + '_> {
        match self {
            List::Listpack(lp) => Box::new(std::iter::once(NodeRef::Packed(lp))),
            List::Quicklist(q) => Box::new(q.nodes()),
        }
    }

    // --- writes ----------------------------------------------------------------

    /// LPUSH (`front`) or RPUSH of one element. A listpack takes it whatever
    /// its size: the caller has called [`List::prepare_growth`].
    pub fn push(&mut self, v: &[u8], front: bool) {
        match self {
            List::Listpack(lp) => {
                if front {
                    lp.prepend(v);
                } else {
                    lp.append(v);
                }
            }
            List::Quicklist(q) => Arc::make_mut(q).push(v, front),
        }
    }

    /// LPOP (`front`) or RPOP of one element.
    pub fn pop(&mut self, front: bool) -> Option<Vec<u8>> {
        match self {
            List::Listpack(lp) => {
                let pos = if front { lp.first()? } else { lp.last()? };
                let v = lp.get(pos).to_vec();
                lp.delete(pos);
                Some(v)
            }
            List::Quicklist(q) => Arc::make_mut(q).pop(front),
        }
    }

    /// LSET: false if `index` is out of range.
    pub fn set(&mut self, index: i64, v: &[u8]) -> bool {
        match self {
            List::Listpack(lp) => lp.seek(index).and_then(|pos| lp.replace(pos, v)).is_some(),
            List::Quicklist(q) => Arc::make_mut(q).set(index, v),
        }
    }

    /// LINSERT: inserts `v` before or after the first element equal to
    /// `pivot`; false if there is none.
    pub fn insert_at_pivot(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        match self {
            List::Listpack(lp) => {
                let pint = crate::util::string2ll(pivot);
                let Some((pos, _)) = lp.entries().find(|&(_, e)| elem_eq(e, pivot, pint)) else {
                    return false;
                };
                if after {
                    lp.insert_after(pos, v);
                } else {
                    lp.insert_before(pos, v);
                }
                true
            }
            List::Quicklist(q) => Arc::make_mut(q).insert_at_pivot(pivot, v, after),
        }
    }

    /// LREM: removes up to `limit` elements equal to `v` (all of them when
    /// `limit` is None), from the tail when `from_tail`. Returns how many.
    pub fn remove(&mut self, v: &[u8], limit: Option<usize>, from_tail: bool) -> usize {
        match self {
            List::Listpack(lp) => lp_remove(lp, v, crate::util::string2ll(v), limit, from_tail),
            List::Quicklist(q) => Arc::make_mut(q).remove(v, limit, from_tail),
        }
    }

    /// Deletes `n` elements from element `start` on.
    pub fn delete_range(&mut self, start: usize, n: usize) {
        match self {
            List::Listpack(lp) => {
                if let Ok(start) = i64::try_from(start) {
                    lp.delete_range(start, n);
                }
            }
            List::Quicklist(q) => Arc::make_mut(q).delete_range(start, n),
        }
    }
}

/// Iterator over a list's elements from a position, either way.
pub enum Iter<'a> {
    Listpack {
        lp: &'a Listpack,
        pos: Option<usize>,
        reverse: bool,
    },
    Nodes(NodesIter<'a>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpValue<'a>;

    fn next(&mut self) -> Option<LpValue<'a>> {
        match self {
            Iter::Listpack { lp, pos, reverse } => {
                let lp: &'a Listpack = lp;
                let p = (*pos)?;
                *pos = if *reverse { lp.prev(p) } else { lp.next(p) };
                Some(lp.get(p))
            }
            Iter::Nodes(it) => it.next(),
        }
    }
}

/// Iterator over a quicklist's elements from a position, either way.
pub struct NodesIter<'a> {
    nodes: &'a NodeList,
    ni: usize,
    pos: usize,
    reverse: bool,
    done: bool,
}

impl<'a> Iterator for NodesIter<'a> {
    type Item = LpValue<'a>;

    fn next(&mut self) -> Option<LpValue<'a>> {
        if self.done {
            return None;
        }
        let nodes: &'a NodeList = self.nodes;
        let node = nodes.get(self.ni)?;
        let v = node.value_at(self.pos);
        let step = match node {
            Node::Packed(lp) if self.reverse => lp.prev(self.pos),
            Node::Packed(lp) => lp.next(self.pos),
            Node::Plain(_) => None,
        };
        match step {
            Some(p) => self.pos = p,
            None if self.reverse => {
                if self.ni == 0 {
                    self.done = true;
                } else {
                    self.ni -= 1;
                    self.pos = nodes[self.ni].last_pos();
                }
            }
            None => {
                self.ni += 1;
                match nodes.get(self.ni) {
                    Some(n) => self.pos = n.first_pos(),
                    None => self.done = true,
                }
            }
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &Quicklist) -> Vec<Vec<u8>> {
        l.iter().map(|v| v.to_vec()).collect()
    }

    fn check(l: &Quicklist) {
        let total: usize = l.nodes.iter().map(Node::count).sum();
        assert_eq!(total, l.count);
        assert!(l.nodes.iter().all(|n| n.count() > 0));
        let fwd = items(l);
        let mut back: Vec<Vec<u8>> = if l.count > 0 {
            l.iter_from(l.count - 1, true).map(|v| v.to_vec()).collect()
        } else {
            Vec::new()
        };
        back.reverse();
        assert_eq!(fwd, back);
        assert_eq!(fwd.len(), l.count);
    }

    #[test]
    fn node_is_small() {
        assert_eq!(std::mem::size_of::<Node>(), 24);
        assert_eq!(std::mem::size_of::<NodeList>(), 32);
        assert_eq!(std::mem::size_of::<Quicklist>(), 48);
        assert_eq!(std::mem::size_of::<List>(), 16);
    }

    #[test]
    fn push_pop_index() {
        let mut l = Quicklist::new(3, 0);
        for i in 0..10 {
            l.push(format!("e{i}").as_bytes(), false);
        }
        assert_eq!(l.nodes.len(), 4);
        l.push(b"123", true);
        check(&l);
        assert_eq!(l.nodes.len(), 5);
        assert_eq!(l.get(0).unwrap().to_vec(), b"123");
        assert_eq!(l.get(-1).unwrap().to_vec(), b"e9");
        assert_eq!(l.get(5).unwrap().to_vec(), b"e4");
        assert!(l.get(11).is_none());
        assert!(l.get(-12).is_none());
        assert!(l.get(i64::MIN).is_none());
        assert_eq!(l.pop(true).unwrap(), b"123");
        assert_eq!(l.pop(false).unwrap(), b"e9");
        check(&l);
        let mid: Vec<Vec<u8>> = l.iter_from(3, false).take(3).map(|v| v.to_vec()).collect();
        assert_eq!(mid, vec![b"e3".to_vec(), b"e4".to_vec(), b"e5".to_vec()]);
        let back: Vec<Vec<u8>> = l.iter_from(3, true).map(|v| v.to_vec()).collect();
        assert_eq!(
            back,
            vec![b"e3".to_vec(), b"e2".to_vec(), b"e1".to_vec(), b"e0".to_vec()]
        );
        while l.pop(true).is_some() {}
        assert_eq!(l.len(), 0);
        assert_eq!(l.nodes.len(), 0);
    }

    /// The model's side of a pop.
    fn model_pop(m: &mut Vec<Vec<u8>>, front: bool) -> Option<Vec<u8>> {
        if m.is_empty() {
            None
        } else if front {
            Some(m.remove(0))
        } else {
            m.pop()
        }
    }

    /// A seeded xorshift generator: `rnd(n)` is in `0..n`.
    fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n.max(1)
        }
    }

    /// A reference model: a plain vector driven alongside the quicklist.
    #[test]
    fn random_ops_match_a_vec() {
        let mut rnd = xorshift(0x9E37_79B9_7F4A_7C15);
        for fill in [-1, -2, 1, 2, 5, 0] {
            let mut l = Quicklist::new(fill, 0);
            let mut m: Vec<Vec<u8>> = Vec::new();
            for _ in 0..3000 {
                let val = match rnd(4) {
                    0 => rnd(300).to_string().into_bytes(),
                    1 => vec![b'a' + rnd(3) as u8; 1 + rnd(5) as usize],
                    2 => vec![b'x'; rnd(3000) as usize],
                    _ => format!("v{}", rnd(20)).into_bytes(),
                };
                match rnd(9) {
                    0 | 1 => {
                        l.push(&val, true);
                        m.insert(0, val);
                    }
                    2 | 3 => {
                        l.push(&val, false);
                        m.push(val);
                    }
                    4 => {
                        let front = rnd(2) == 0;
                        assert_eq!(l.pop(front), model_pop(&mut m, front));
                    }
                    5 if !m.is_empty() => {
                        let i = rnd(m.len() as u64) as usize;
                        assert!(l.set(i as i64, &val));
                        m[i] = val;
                    }
                    6 if !m.is_empty() => {
                        let pivot = m[rnd(m.len() as u64) as usize].clone();
                        let after = rnd(2) == 0;
                        assert!(l.insert_at_pivot(&pivot, &val, after));
                        let i = m.iter().position(|x| *x == pivot).unwrap();
                        m.insert(if after { i + 1 } else { i }, val);
                    }
                    7 if !m.is_empty() => {
                        let target = m[rnd(m.len() as u64) as usize].clone();
                        let lim = rnd(3) as usize;
                        let tail = rnd(2) == 0;
                        let n = l.remove(&target, (lim > 0).then_some(lim), tail);
                        let mut removed = 0;
                        if tail {
                            let mut i = m.len();
                            while i > 0 && (lim == 0 || removed < lim) {
                                i -= 1;
                                if m[i] == target {
                                    m.remove(i);
                                    removed += 1;
                                }
                            }
                        } else {
                            let mut i = 0;
                            while i < m.len() && (lim == 0 || removed < lim) {
                                if m[i] == target {
                                    m.remove(i);
                                    removed += 1;
                                } else {
                                    i += 1;
                                }
                            }
                        }
                        assert_eq!(n, removed);
                    }
                    8 if !m.is_empty() => {
                        let s = rnd(m.len() as u64) as usize;
                        let n = rnd(8) as usize;
                        l.delete_range(s, n);
                        let e = (s + n).min(m.len());
                        m.drain(s..e);
                    }
                    _ => {}
                }
                assert_eq!(l.len(), m.len());
            }
            check(&l);
            assert_eq!(items(&l), m);
            for n in l.nodes.iter() {
                if let Node::Packed(lp) = n {
                    assert!(lp.len() < 65535);
                    if fill < 0 {
                        // A node passes its limit only by one element.
                        assert!(lp.len() == 1 || lp.bytes() <= OPTIMIZATION_LEVEL[(-fill - 1) as usize] + 3100);
                    }
                }
            }
        }
    }

    #[test]
    fn nodes_round_trip() {
        let mut l = Quicklist::new(2, 0);
        for v in [&b"a"[..], b"b", b"c", b"12345"] {
            l.push(v, false);
        }
        let mut copy = Quicklist::new(-2, 0);
        for n in l.nodes() {
            match n {
                NodeRef::Packed(lp) => copy.append_listpack_node(lp.clone()),
                NodeRef::Plain(b) => copy.append_plain_node(b.to_vec()),
            }
        }
        copy.append_listpack_node(Listpack::new());
        copy.append_plain_node(b"plain".to_vec());
        check(&copy);
        assert_eq!(copy.nodes.len(), 3);
        assert_eq!(copy.len(), 5);
        assert_eq!(copy.get(-1).unwrap().to_vec(), b"plain");
        assert_eq!(copy.get(3).unwrap().to_vec(), b"12345");
    }

    #[test]
    fn node_limits_as_redis() {
        assert_eq!(node_limit(-2), NodeLimit::Bytes(8192));
        assert_eq!(node_limit(-100), NodeLimit::Bytes(65536));
        assert_eq!(node_limit(0), NodeLimit::Entries(1));
        assert_eq!(node_limit(5), NodeLimit::Entries(5));
        assert!(!exceeds_limit(-1, 4096, 1000));
        assert!(exceeds_limit(-1, 4097, 1));
        assert!(!exceeds_limit(5, 8192, 5));
        assert!(exceeds_limit(5, 8192, 6));
        assert!(exceeds_limit(i32::MAX, 8193, 1));
    }

    fn list_items(l: &List) -> Vec<Vec<u8>> {
        let fwd: Vec<Vec<u8>> = l.iter().map(|v| v.to_vec()).collect();
        let mut back: Vec<Vec<u8>> = match l.len() {
            0 => Vec::new(),
            n => l.iter_from(n - 1, true).map(|v| v.to_vec()).collect(),
        };
        back.reverse();
        assert_eq!(fwd, back);
        assert_eq!(fwd.len(), l.len());
        fwd
    }

    fn quicklist(l: &List) -> &Quicklist {
        match l {
            List::Quicklist(q) => q,
            List::Listpack(_) => panic!("a listpack"),
        }
    }

    fn owned(vs: &[&[u8]]) -> Vec<Vec<u8>> {
        vs.iter().map(|v| v.to_vec()).collect()
    }

    #[test]
    fn listpack_grows_into_a_quicklist_and_shrinks_back() {
        let mut l = List::new_listpack();
        assert_eq!(l.encoding(), "listpack");
        l.prepare_growth(4, 0, 4, 4);
        for v in [b"a", b"b", b"c", b"d"] {
            l.push(v, false);
        }
        assert_eq!(l.encoding(), "listpack");
        // Growth past the limit: the whole listpack becomes the first node,
        // with the settings of the moment.
        l.prepare_growth(3, 0, 1, 1);
        assert_eq!(l.encoding(), "quicklist");
        assert_eq!(quicklist(&l).fill(), 3);
        l.push(b"e", false);
        check(quicklist(&l));
        assert_eq!(quicklist(&l).nodes.len(), 2);
        // Shrinking needs one node within half the limit.
        l.pop(false);
        l.shrink_if_small(4);
        assert_eq!(l.encoding(), "quicklist");
        l.pop(false);
        l.pop(false);
        l.shrink_if_small(4);
        assert_eq!(l.encoding(), "listpack");
        assert_eq!(list_items(&l), owned(&[b"a", b"b"]));
        // A list built in one go only needs to fit.
        let mut q = List::new_quicklist(-2, 0);
        for v in [b"1", b"2", b"3", b"4"] {
            q.push(v, false);
        }
        q.convert_if_fits(3);
        assert_eq!(q.encoding(), "quicklist");
        q.convert_if_fits(4);
        assert_eq!(q.encoding(), "listpack");
        assert!(q.debug_info().is_empty());
        assert_eq!(list_items(&q), owned(&[b"1", b"2", b"3", b"4"]));
    }

    /// The command layer's calls (growth check before an addition, shrink
    /// check after a removal) under a small limit, so that lists flip
    /// between encodings often, against a plain vector.
    #[test]
    fn conversions_keep_the_elements() {
        let mut rnd = xorshift(0x2545_F491_4F6C_DD1D);
        for fill in [4, -1] {
            let mut l = List::new_listpack();
            let mut m: Vec<Vec<u8>> = Vec::new();
            let mut flips = 0;
            for step in 0..4000 {
                let enc = l.encoding();
                // Phases of 100 steps that mostly add, then mostly remove.
                let adding = (step / 100) % 2 == 0;
                let val = match rnd(3) {
                    0 => rnd(50).to_string().into_bytes(),
                    1 => vec![b'x'; rnd(900) as usize],
                    _ => format!("v{}", rnd(5)).into_bytes(),
                };
                let op = match rnd(10) {
                    n if adding && n >= 4 && rnd(4) != 0 => rnd(2),
                    n if !adding && n < 4 && rnd(4) != 0 => 4 + rnd(6),
                    n => n,
                };
                match op {
                    0 | 1 => {
                        let front = rnd(2) == 0;
                        l.prepare_growth(fill, 0, val.len(), 1);
                        l.push(&val, front);
                        if front {
                            m.insert(0, val);
                        } else {
                            m.push(val);
                        }
                    }
                    2 if !m.is_empty() => {
                        let i = rnd(m.len() as u64) as usize;
                        l.prepare_growth(fill, 0, val.len(), 1);
                        assert!(l.set(i as i64, &val));
                        l.shrink_if_small(fill);
                        m[i] = val;
                    }
                    3 if !m.is_empty() => {
                        let pivot = m[rnd(m.len() as u64) as usize].clone();
                        let at = m.iter().position(|e| *e == pivot).unwrap_or(0);
                        l.prepare_growth(fill, 0, val.len(), 1);
                        assert!(l.insert_at_pivot(&pivot, &val, true));
                        m.insert(at + 1, val);
                    }
                    4..=6 => {
                        let front = rnd(2) == 0;
                        assert_eq!(l.pop(front), model_pop(&mut m, front));
                        l.shrink_if_small(fill);
                    }
                    7 => {
                        let v = format!("v{}", rnd(5)).into_bytes();
                        let n = l.remove(&v, None, false);
                        let before = m.len();
                        m.retain(|e| *e != v);
                        assert_eq!(n, before - m.len());
                        l.shrink_if_small(fill);
                    }
                    _ => {
                        let n = rnd(3) as usize;
                        let start = m.len().saturating_sub(n);
                        l.delete_range(start, n);
                        m.truncate(start);
                        l.shrink_if_small(fill);
                    }
                }
                flips += usize::from(enc != l.encoding());
                assert_eq!(l.len(), m.len());
                if let List::Quicklist(q) = &l {
                    check(q);
                }
            }
            assert_eq!(list_items(&l), m);
            assert!(flips > 20, "fill {fill}: only {flips} conversions");
        }
    }

    #[test]
    fn listpack_edits_in_place() {
        let mut l = List::new_listpack();
        for v in [b"a", b"b", b"c", b"b"] {
            l.push(v, false);
        }
        l.push(b"7", true);
        assert!(l.insert_at_pivot(b"b", b"x", true));
        assert!(l.insert_at_pivot(b"7", b"y", false));
        assert!(!l.insert_at_pivot(b"nope", b"y", false));
        assert!(l.set(-1, b"z"));
        assert!(!l.set(9, b"z"));
        assert_eq!(list_items(&l), owned(&[b"y", b"7", b"a", b"b", b"x", b"c", b"z"]));
        assert_eq!(l.get(1).map(|v| v.to_vec()), Some(b"7".to_vec()));
        assert_eq!(l.get(-7).map(|v| v.to_vec()), Some(b"y".to_vec()));
        assert!(l.get(7).is_none());
        assert_eq!(l.pop(true), Some(b"y".to_vec()));
        assert_eq!(l.pop(false), Some(b"z".to_vec()));
        assert_eq!(l.remove(b"7", None, false), 1);
        l.delete_range(1, 2);
        assert_eq!(list_items(&l), owned(&[b"a", b"c"]));
        assert_eq!(l.nodes().count(), 1);
        assert_eq!(l.encoding(), "listpack");
    }

    #[test]
    fn plain_nodes() {
        // The only test touching the process-wide threshold.
        assert!(set_packed_threshold(10));
        let mut l = Quicklist::new(-2, 0);
        l.push(b"small", false);
        l.push(b"a big element", false);
        l.push(b"tail", false);
        assert_eq!(l.nodes.len(), 3);
        assert!(l.nodes[1].is_plain());
        assert!(l.insert_at_pivot(b"small", b"another big one", true));
        assert_eq!(l.nodes.len(), 4);
        assert!(l.set(1, b"tiny"));
        assert!(l.set(0, b"now large value"));
        check(&l);
        assert_eq!(
            items(&l),
            vec![
                b"now large value".to_vec(),
                b"tiny".to_vec(),
                b"a big element".to_vec(),
                b"tail".to_vec()
            ]
        );
        assert_eq!(l.remove(b"a big element", None, false), 1);
        assert_eq!(l.pop(true).unwrap(), b"now large value");
        check(&l);
        assert!(!set_packed_threshold(u64::MAX));
        assert!(set_packed_threshold(0));
        assert_eq!(PACKED_THRESHOLD.load(Ordering::Relaxed), DEFAULT_PACKED_THRESHOLD);
    }
}
