//! Streams in RDB (RDB_TYPE_STREAM_LISTPACKS 15, written by Redis 5/6,
//! RDB_TYPE_STREAM_LISTPACKS_2 19, written by Redis 7.0, and
//! RDB_TYPE_STREAM_LISTPACKS_3 21, Redis 7.2's, read only):
//!
//! ```text
//! <node count> (<master ID: 16-byte string, ms and seq big-endian> <listpack string>)*
//! <length> <last ID: ms len, seq len>
//! [v2: <first ID> <max deleted ID> <entries added>]
//! <group count> (
//!     <name> <last delivered ID> [v2: <entries read, -1 as u64::MAX>]
//!     <PEL count> (<raw 16-byte ID> <delivery time: i64 LE ms> <delivery count len>)*
//!     <consumer count> (<name> <seen time: i64 LE ms> [v3: <active time: i64 LE ms>]
//!                       <PEL count> <raw 16-byte ID>*)*
//! )*
//! ```
//!
//! Each node listpack holds a master entry (`count, deleted, nfields,
//! field..., 0`) then entries (`flags, ms-delta, seq-delta, [nfields,
//! field, value...] | [value...], lp-count`), checked here as Redis's deep
//! `streamValidateListpackIntegrity` does. A v1 stream gets the v2 fields
//! Redis 7.0 derives on load (first ID from the first live entry, entries
//! added = length, group entries-read estimated).

use super::format::{capacity_for, rdb_type, Input, Result, Writer};
use crate::listpack::{Listpack, LpValue};
use std::collections::{HashMap, HashSet};

/// A stream entry ID.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// The 16-byte big-endian form (radix tree keys, PEL IDs in RDB).
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.ms.to_be_bytes());
        b[8..].copy_from_slice(&self.seq.to_be_bytes());
        b
    }

    pub fn from_be_bytes(b: [u8; 16]) -> StreamId {
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&b[..8]);
        seq.copy_from_slice(&b[8..]);
        StreamId {
            ms: u64::from_be_bytes(ms),
            seq: u64::from_be_bytes(seq),
        }
    }
}

/// One radix-tree node: its master ID and listpack (validated, non-empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamNode {
    pub master_id: StreamId,
    pub listpack: Listpack,
}

/// A pending entry of a consumer group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamNack {
    pub id: StreamId,
    pub delivery_time: i64,
    pub delivery_count: u64,
}

/// A consumer and the IDs it owns in the group PEL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamConsumer {
    pub name: Vec<u8>,
    pub seen_time: i64,
    pub pending: Vec<StreamId>,
}

/// A consumer group. Every PEL entry is owned by exactly one consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamGroup {
    pub name: Vec<u8>,
    pub last_id: StreamId,
    /// Logical reads counter; -1 when unknown (SCG_INVALID_ENTRIES_READ).
    pub entries_read: i64,
    pub pel: Vec<StreamNack>,
    pub consumers: Vec<StreamConsumer>,
}

/// A stream as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamRepr {
    /// In file order (Redis writes them by ascending master ID); distinct.
    pub nodes: Vec<StreamNode>,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    pub groups: Vec<StreamGroup>,
}

/// Flag of an entry deleted in place.
pub const STREAM_ITEM_FLAG_DELETED: i64 = 1;
/// Flag of an entry with the master entry's fields.
pub const STREAM_ITEM_FLAG_SAMEFIELDS: i64 = 2;

/// Walks a stream node listpack with Redis's deep structure checks,
/// calling `f(flags, ms_delta, seq_delta)` for every entry (deleted ones
/// included). Whether the structure is valid.
pub fn walk_stream_listpack(lp: &Listpack, mut f: impl FnMut(i64, i64, i64)) -> bool {
    let vals: Vec<LpValue<'_>> = lp.iter().collect();
    let int = |i: usize| vals.get(i).and_then(|v| v.as_i64());
    let (Some(count), Some(deleted), Some(master_fields)) = (int(0), int(1), int(2)) else {
        return false;
    };
    let Ok(master_fields) = usize::try_from(master_fields) else {
        return false;
    };
    let Some(mut i) = master_fields.checked_add(3).filter(|&i| i < vals.len()) else {
        return false;
    };
    if int(i) != Some(0) {
        return false;
    }
    i += 1;
    let Some(total) = count.checked_add(deleted) else {
        return false;
    };
    let mut left = total;
    while left > 0 {
        let (Some(flags), Some(ms), Some(seq)) = (int(i), int(i + 1), int(i + 2)) else {
            return false;
        };
        i += 3;
        let (fields, extra) = if flags & STREAM_ITEM_FLAG_SAMEFIELDS == 0 {
            let Some(n) = int(i).and_then(|n| usize::try_from(n).ok()) else {
                return false;
            };
            i += 1;
            let Some(next) = i.checked_add(n).filter(|&x| x <= vals.len()) else {
                return false;
            };
            i = next;
            (n, 3 + n + 1)
        } else {
            (master_fields, 3)
        };
        let Some(next) = i.checked_add(fields).filter(|&x| x < vals.len()) else {
            return false;
        };
        i = next;
        let Some(lp_count) = int(i) else { return false };
        if usize::try_from(lp_count).ok() != fields.checked_add(extra) {
            return false;
        }
        i += 1;
        f(flags, ms, seq);
        left -= 1;
    }
    i == vals.len()
}

/// Redis `streamEstimateDistanceFromFirstEverEntry`, to fill a v1 group's
/// entries-read.
fn estimate_entries_read(s: &StreamRepr, id: StreamId) -> i64 {
    let added = s.entries_added as i64;
    if s.entries_added == 0 {
        return 0;
    }
    if s.length == 0 && id <= s.last_id {
        return added;
    }
    if id == s.last_id {
        return added;
    } else if id > s.last_id {
        return -1;
    }
    if s.max_deleted_id == StreamId::default() || s.max_deleted_id < s.first_id {
        if id < s.first_id {
            return added.wrapping_sub(s.length as i64);
        } else if id == s.first_id {
            return added.wrapping_sub(s.length as i64).wrapping_add(1);
        }
    }
    -1
}

/// The first live entry's ID, `StreamId::MAX` when there is none
/// (`streamGetEdgeID(first, skip tombstones)`).
fn first_live_id(nodes: &[StreamNode]) -> StreamId {
    let mut order: Vec<&StreamNode> = nodes.iter().collect();
    order.sort_by_key(|n| n.master_id);
    for n in order {
        let mut found = None;
        walk_stream_listpack(&n.listpack, |flags, ms, seq| {
            if found.is_none() && flags & STREAM_ITEM_FLAG_DELETED == 0 {
                found = Some(StreamId {
                    ms: n.master_id.ms.wrapping_add(ms as u64),
                    seq: n.master_id.seq.wrapping_add(seq as u64),
                });
            }
        });
        if let Some(id) = found {
            return id;
        }
    }
    StreamId::MAX
}

fn read_id(inp: &mut impl Input) -> Result<StreamId> {
    Ok(StreamId {
        ms: inp.read_len()?,
        seq: inp.read_len()?,
    })
}

/// Decodes a stream of type 15, 19 or 21 with Redis 7.0's checks (plus: a
/// PEL entry may not be owned by two consumers).
pub fn read_stream(inp: &mut impl Input, t: u8) -> Result<StreamRepr> {
    let v3 = t == rdb_type::STREAM_LISTPACKS_3;
    let v2 = v3 || t == rdb_type::STREAM_LISTPACKS_2;
    let n = inp.read_len()?;
    let mut nodes = Vec::with_capacity(capacity_for(n, inp));
    let mut keys = HashSet::new();
    for _ in 0..n {
        let key = inp.read_string()?;
        let Ok(raw) = <[u8; 16]>::try_from(key.as_slice()) else {
            return Err(inp.corrupt("Stream node key entry is not the size of a stream ID"));
        };
        let master_id = StreamId::from_be_bytes(raw);
        let blob = inp.read_string()?;
        let Some(lp) = Listpack::from_bytes(blob) else {
            return Err(inp.corrupt("Stream listpack integrity check failed."));
        };
        if lp.is_empty() {
            return Err(inp.corrupt("Empty listpack inside stream"));
        }
        if !walk_stream_listpack(&lp, |_, _, _| {}) {
            return Err(inp.corrupt("Stream listpack integrity check failed."));
        }
        if !keys.insert(master_id) {
            return Err(inp.corrupt("Listpack re-added with existing key"));
        }
        nodes.push(StreamNode {
            master_id,
            listpack: lp,
        });
    }
    let length = inp.read_len()?;
    let last_id = read_id(inp)?;
    let mut s = StreamRepr {
        nodes,
        length,
        last_id,
        first_id: StreamId::default(),
        max_deleted_id: StreamId::default(),
        entries_added: length,
        groups: Vec::new(),
    };
    if v2 {
        s.first_id = read_id(inp)?;
        s.max_deleted_id = read_id(inp)?;
        s.entries_added = inp.read_len()?;
    } else {
        s.first_id = first_live_id(&s.nodes);
    }
    let ngroups = inp.read_len()?;
    let mut names = HashSet::new();
    for _ in 0..ngroups {
        let name = inp.read_string()?;
        let last_id = read_id(inp)?;
        let entries_read = if v2 {
            inp.read_len()? as i64
        } else {
            estimate_entries_read(&s, last_id)
        };
        if !names.insert(name.clone()) {
            return Err(inp.corrupt(format!(
                "Duplicated consumer group name {}",
                String::from_utf8_lossy(&name)
            )));
        }
        let npel = inp.read_len()?;
        let mut pel = Vec::with_capacity(capacity_for(npel, inp));
        let mut index: HashMap<StreamId, usize> = HashMap::new();
        for _ in 0..npel {
            let id = StreamId::from_be_bytes(inp.read_array()?);
            let delivery_time = inp.read_millis()?;
            let delivery_count = inp.read_len()?;
            if index.insert(id, pel.len()).is_some() {
                return Err(inp.corrupt("Duplicated global PEL entry loading stream consumer group"));
            }
            pel.push(StreamNack {
                id,
                delivery_time,
                delivery_count,
            });
        }
        let mut owned = vec![false; pel.len()];
        let nconsumers = inp.read_len()?;
        let mut consumers = Vec::with_capacity(capacity_for(nconsumers, inp));
        let mut cnames = HashSet::new();
        for _ in 0..nconsumers {
            let cname = inp.read_string()?;
            if !cnames.insert(cname.clone()) {
                return Err(inp.corrupt("Duplicate stream consumer detected."));
            }
            let seen_time = inp.read_millis()?;
            if v3 {
                // Redis 7.2's last successful interaction; a 7.0 consumer
                // (and so fastkey's) has only the seen time.
                inp.read_millis()?;
            }
            let np = inp.read_len()?;
            let mut pending = Vec::with_capacity(capacity_for(np, inp));
            for _ in 0..np {
                let id = StreamId::from_be_bytes(inp.read_array()?);
                let Some(&k) = index.get(&id) else {
                    return Err(inp.corrupt("Consumer entry not found in group global PEL"));
                };
                if owned[k] {
                    return Err(inp.corrupt("Duplicated consumer PEL entry  loading a stream consumer group"));
                }
                owned[k] = true;
                pending.push(id);
            }
            consumers.push(StreamConsumer {
                name: cname,
                seen_time,
                pending,
            });
        }
        if owned.iter().any(|&o| !o) {
            return Err(inp.corrupt("Stream CG PEL entry without consumer"));
        }
        s.groups.push(StreamGroup {
            name,
            last_id,
            entries_read,
            pel,
            consumers,
        });
    }
    Ok(s)
}

/// Writes a stream body in the STREAM_LISTPACKS_2 layout.
pub fn write_stream(w: &mut Writer, s: &StreamRepr) {
    w.length(s.nodes.len() as u64);
    for n in &s.nodes {
        w.string(&n.master_id.to_be_bytes());
        w.string(n.listpack.as_bytes());
    }
    w.length(s.length);
    for id in [s.last_id, s.first_id, s.max_deleted_id] {
        w.length(id.ms);
        w.length(id.seq);
    }
    w.length(s.entries_added);
    w.length(s.groups.len() as u64);
    for g in &s.groups {
        w.string(&g.name);
        w.length(g.last_id.ms);
        w.length(g.last_id.seq);
        w.length(g.entries_read as u64);
        w.length(g.pel.len() as u64);
        for nack in &g.pel {
            w.raw(&nack.id.to_be_bytes());
            w.millis(nack.delivery_time);
            w.length(nack.delivery_count);
        }
        w.length(g.consumers.len() as u64);
        for c in &g.consumers {
            w.string(&c.name);
            w.millis(c.seen_time);
            w.length(c.pending.len() as u64);
            for id in &c.pending {
                w.raw(&id.to_be_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::format::{decode_dump_payload, dump_payload, RdbValue, Reader};

    /// A node with entries (ms-delta, seq-delta, deleted) using the master
    /// fields ["f"].
    pub(crate) fn node(master: StreamId, entries: &[(i64, i64, bool)]) -> StreamNode {
        let mut lp = Listpack::new();
        let live = entries.iter().filter(|e| !e.2).count() as i64;
        lp.append_int(live);
        lp.append_int(entries.len() as i64 - live);
        lp.append_int(1);
        lp.append(b"f");
        lp.append_int(0);
        for &(ms, seq, del) in entries {
            let flags = STREAM_ITEM_FLAG_SAMEFIELDS | if del { STREAM_ITEM_FLAG_DELETED } else { 0 };
            lp.append_int(flags);
            lp.append_int(ms);
            lp.append_int(seq);
            lp.append(b"v");
            lp.append_int(4);
        }
        StreamNode {
            master_id: master,
            listpack: lp,
        }
    }

    pub(crate) fn sample() -> StreamRepr {
        let a = StreamId { ms: 1000, seq: 0 };
        StreamRepr {
            nodes: vec![node(a, &[(0, 0, true), (5, 1, false)])],
            length: 1,
            last_id: StreamId { ms: 1005, seq: 1 },
            first_id: StreamId { ms: 1005, seq: 1 },
            max_deleted_id: StreamId { ms: 1000, seq: 0 },
            entries_added: 2,
            groups: vec![StreamGroup {
                name: b"g".to_vec(),
                last_id: StreamId { ms: 1005, seq: 1 },
                entries_read: 2,
                pel: vec![StreamNack {
                    id: StreamId { ms: 1005, seq: 1 },
                    delivery_time: 1_700_000_000_000,
                    delivery_count: 3,
                }],
                consumers: vec![
                    StreamConsumer {
                        name: b"alice".to_vec(),
                        seen_time: 1_700_000_000_001,
                        pending: vec![StreamId { ms: 1005, seq: 1 }],
                    },
                    StreamConsumer {
                        name: b"bob".to_vec(),
                        seen_time: 5,
                        pending: vec![],
                    },
                ],
            }],
        }
    }

    #[test]
    fn roundtrip_v2() {
        let v = RdbValue::Stream(Box::new(sample()));
        for comp in [false, true] {
            assert_eq!(decode_dump_payload(&dump_payload(&v, comp), false).unwrap(), v);
        }
    }

    /// Redis 7.2's layout: the v2 one with an active time after each
    /// consumer's seen time, which is read and dropped.
    #[test]
    fn v3_is_read_without_the_active_times() {
        let mut s = sample();
        s.groups[0].consumers[0].seen_time = 0x0102_0304_0506_0708;
        s.groups[0].consumers[1].seen_time = 0x1112_1314_1516_1718;
        let mut w = Writer::new(false);
        write_stream(&mut w, &s);
        let mut v3 = w.as_bytes().to_vec();
        for c in &s.groups[0].consumers {
            let seen = c.seen_time.to_le_bytes();
            let at = v3.windows(8).position(|b| b == seen).unwrap() + 8;
            v3.splice(at..at, 1_800_000_000_000i64.to_le_bytes());
        }
        let mut r = Reader::new(&v3);
        assert_eq!(read_stream(&mut r, rdb_type::STREAM_LISTPACKS_3).unwrap(), s);
        // Read as v2, the same bytes are not a stream.
        let mut r = Reader::new(&v3);
        assert!(read_stream(&mut r, rdb_type::STREAM_LISTPACKS_2).is_err());
    }

    #[test]
    fn v1_gets_derived_fields() {
        let s = sample();
        let mut w = Writer::new(false);
        w.length(1);
        w.string(&s.nodes[0].master_id.to_be_bytes());
        w.string(s.nodes[0].listpack.as_bytes());
        w.length(1);
        w.length(1005);
        w.length(1);
        w.length(0); // no groups
        let mut r = Reader::new(w.as_bytes());
        let got = read_stream(&mut r, rdb_type::STREAM_LISTPACKS).unwrap();
        assert_eq!(got.first_id, StreamId { ms: 1005, seq: 1 });
        assert_eq!(got.entries_added, 1);
        assert_eq!(got.max_deleted_id, StreamId::default());
    }

    #[test]
    fn structure_checks() {
        let n = node(StreamId::default(), &[(1, 0, false)]);
        assert!(walk_stream_listpack(&n.listpack, |_, _, _| {}));
        // Wrong lp-count.
        let mut lp = n.listpack.clone();
        let last = lp.last().unwrap();
        lp.replace_int(last, 5);
        assert!(!walk_stream_listpack(&lp, |_, _, _| {}));
        // Extra trailing element.
        let mut lp = n.listpack.clone();
        lp.append(b"junk");
        assert!(!walk_stream_listpack(&lp, |_, _, _| {}));
        // Count larger than the entries.
        let mut lp = n.listpack.clone();
        let first = lp.first().unwrap();
        lp.replace_int(first, 1000);
        assert!(!walk_stream_listpack(&lp, |_, _, _| {}));
        // Entries with their own fields.
        let mut lp = Listpack::new();
        for v in [1, 0, 0, 0, 0, 5, 0, 2] {
            lp.append_int(v);
        }
        lp.append(b"a");
        lp.append(b"1");
        lp.append(b"b");
        lp.append(b"2");
        lp.append_int(8);
        assert!(walk_stream_listpack(&lp, |_, _, _| {}));
    }

    #[test]
    fn group_checks() {
        let mut s = sample();
        s.groups[0].consumers[1].pending.push(StreamId { ms: 1005, seq: 1 });
        let e = decode_dump_payload(&dump_payload(&RdbValue::Stream(Box::new(s)), false), false).unwrap_err();
        assert!(e.to_string().contains("Duplicated consumer PEL"), "{e}");
        let mut s = sample();
        s.groups[0].consumers[0].pending.clear();
        let e = decode_dump_payload(&dump_payload(&RdbValue::Stream(Box::new(s)), false), false).unwrap_err();
        assert!(e.to_string().contains("without consumer"), "{e}");
        let mut s = sample();
        s.groups[0].consumers[0].pending[0].seq = 9;
        let e = decode_dump_payload(&dump_payload(&RdbValue::Stream(Box::new(s)), false), false).unwrap_err();
        assert!(e.to_string().contains("not found"), "{e}");
        let mut s = sample();
        let g = s.groups[0].clone();
        s.groups.push(g);
        let e = decode_dump_payload(&dump_payload(&RdbValue::Stream(Box::new(s)), false), false).unwrap_err();
        assert!(e.to_string().contains("Duplicated consumer group"), "{e}");
    }

    #[test]
    fn estimate() {
        let s = sample();
        assert_eq!(estimate_entries_read(&s, s.last_id), 2);
        assert_eq!(estimate_entries_read(&s, StreamId { ms: 2000, seq: 0 }), -1);
        let mut s2 = s.clone();
        s2.max_deleted_id = StreamId::default();
        assert_eq!(estimate_entries_read(&s2, StreamId { ms: 1, seq: 0 }), 1);
        assert_eq!(estimate_entries_read(&s, StreamId { ms: 1, seq: 0 }), 1);
        let mut s3 = s.clone();
        s3.max_deleted_id = StreamId { ms: 1005, seq: 5 };
        assert_eq!(estimate_entries_read(&s3, StreamId { ms: 1, seq: 0 }), -1);
        assert_eq!(estimate_entries_read(&s2, s2.first_id), 2);
    }
}
