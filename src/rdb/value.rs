//! Between the server's values and the RDB format: what SAVE/BGSAVE/DUMP
//! write for each encoding, and how a loaded value becomes an in-memory
//! encoding under the current config (Redis's rdbSaveObject and
//! rdbLoadObject conversions).

use super::format::{
    rdb_type, write_hash_pairs, write_members, write_quicklist, write_zset_pairs, HashRepr, ListNode, ListNodeRef,
    ListRepr, RdbEncode, RdbValue, SetRepr, Writer, ZSetRepr,
};
use crate::config::Config;
use crate::dict::Dict;
use crate::object::Value;
use crate::sbytes::SBytes;
use crate::t_hash::Hash;
use crate::t_list::{List, NodeRef, Quicklist};
use crate::t_set::Set;
use crate::t_zset::ZSet;
use std::sync::Arc;

impl RdbEncode for Value {
    fn rdb_type(&self) -> u8 {
        match self {
            Value::Int(_) | Value::Inline { .. } | Value::Heap(_) | Value::Raw(_) => rdb_type::STRING,
            Value::List(_) => rdb_type::LIST_QUICKLIST_2,
            Value::Set(s) => match &**s {
                Set::Intset(_) => rdb_type::SET_INTSET,
                Set::Hashtable(_) => rdb_type::SET,
            },
            Value::ZSet(z) => match z {
                ZSet::Listpack(_) => rdb_type::ZSET_LISTPACK,
                ZSet::Skiplist(_) => rdb_type::ZSET_2,
            },
            Value::Hash(h) => match h {
                Hash::Listpack(_) => rdb_type::HASH_LISTPACK,
                Hash::Table(_) => rdb_type::HASH,
            },
            // What Redis 7.0 writes (7.2's _3 adds consumer active-time).
            Value::Stream(_) => rdb_type::STREAM_LISTPACKS_2,
        }
    }

    fn encode_value(&self, w: &mut Writer) {
        match self {
            Value::Int(n) => w.int_string(*n),
            Value::Inline { len, buf } => w.string(&buf[..*len as usize]),
            Value::Heap(b) => w.string(b),
            Value::Raw(b) => w.string(b),
            Value::List(l) => {
                let nodes: Vec<ListNodeRef> = l
                    .nodes()
                    .map(|n| match n {
                        NodeRef::Packed(lp) => ListNodeRef::Packed(lp.as_bytes()),
                        NodeRef::Plain(b) => ListNodeRef::Plain(b),
                    })
                    .collect();
                write_quicklist(w, nodes.into_iter());
            }
            Value::Set(s) => match &**s {
                Set::Intset(is) => w.string(is.as_bytes()),
                Set::Hashtable(d) => {
                    let members: Vec<&[u8]> = d.keys().map(|k| &k[..]).collect();
                    write_members(w, members.into_iter());
                }
            },
            Value::ZSet(z) => match z {
                ZSet::Listpack(lp) => w.string(lp.as_bytes()),
                // Redis saves a skiplist from the highest score down, so a
                // loader inserting at the head builds it in order.
                ZSet::Skiplist(_) => {
                    let pairs: Vec<(Vec<u8>, f64)> = z.iter_rev().map(|(m, s)| (m.to_vec(), s)).collect();
                    write_zset_pairs(
                        w,
                        pairs.iter().map(|(m, s)| (&m[..], *s)).collect::<Vec<_>>().into_iter(),
                    );
                }
            },
            Value::Hash(h) => match h {
                Hash::Listpack(lp) => w.string(lp.as_bytes()),
                Hash::Table(d) => {
                    let pairs: Vec<(&[u8], &[u8])> = d.iter().map(|(f, v)| (&f[..], &v[..])).collect();
                    write_hash_pairs(w, pairs.into_iter());
                }
            },
            Value::Stream(s) => super::stream::write_stream(w, &s.to_rdb()),
        }
    }
}

/// Why a loaded value cannot be used.
#[derive(Debug)]
pub enum LoadError {
    /// A type fastkey does not have (module values).
    #[allow(dead_code)]
    Unsupported(&'static str),
    /// Redis's rdbLoadObject would reject it (duplicate hash field...).
    BadData(&'static str),
}

/// Turns a decoded value into the encoding Redis would choose for it
/// under `cfg` (list node layout kept; sets, sorted sets and hashes
/// converted past their thresholds).
pub fn value_from_rdb(v: RdbValue, cfg: &Config) -> Result<Value, LoadError> {
    Ok(match v {
        RdbValue::String(b) => Value::string_from_vec(b),
        RdbValue::List(repr) => Value::List(list_from_rdb(repr, cfg)),
        RdbValue::Set(repr) => Value::Set(Arc::new(set_from_rdb(repr, cfg)?)),
        RdbValue::ZSet(repr) => Value::ZSet(zset_from_rdb(repr, cfg)?),
        RdbValue::Hash(repr) => Value::Hash(hash_from_rdb(repr, cfg)?),
        RdbValue::Stream(r) => Value::Stream(Arc::new(
            crate::t_stream::Stream::from_rdb(*r).map_err(LoadError::BadData)?,
        )),
    })
}

fn list_from_rdb(repr: ListRepr, cfg: &Config) -> List {
    let mut q = Quicklist::new(cfg.list_max_listpack_size, cfg.list_compress_depth);
    match repr {
        // Nodes are kept as they were saved, as Redis does.
        ListRepr::Quicklist(nodes) => {
            for n in nodes {
                match n {
                    ListNode::Packed(lp) => q.append_listpack_node(lp),
                    ListNode::Plain(b) => q.append_plain_node(b),
                }
            }
        }
        ListRepr::Elements(elems) => {
            for e in elems {
                q.push(&e, false);
            }
        }
    }
    // Redis 7.2's LIST_CONV_AUTO after a load: one node that fits makes a
    // listpack-encoded list.
    let mut l = List::Quicklist(Arc::new(q));
    l.convert_if_fits(cfg.list_max_listpack_size);
    l
}

fn set_from_rdb(repr: SetRepr, cfg: &Config) -> Result<Set, LoadError> {
    let max_intset = cfg.set_max_intset_entries;
    match repr {
        SetRepr::Intset(is) if is.len() as u64 <= max_intset => Ok(Set::Intset(is)),
        SetRepr::Intset(is) => {
            let mut d = Dict::with_capacity(is.len());
            for n in is.iter() {
                d.insert(SBytes::from_vec(n.to_string().into_bytes()), ());
            }
            Ok(Set::Hashtable(Box::new(d)))
        }
        SetRepr::Members(members) => {
            let ints: Option<Vec<i64>> = members.iter().map(|m| crate::util::string2ll(m)).collect();
            match ints {
                Some(ints) if ints.len() as u64 <= max_intset => {
                    let mut is = crate::intset::Intset::new();
                    for n in ints {
                        if !is.add(n) {
                            return Err(LoadError::BadData("Duplicate set members detected"));
                        }
                    }
                    Ok(Set::Intset(is))
                }
                _ => {
                    let mut d = Dict::with_capacity(members.len());
                    for m in members {
                        if d.insert(SBytes::from_vec(m), ()).is_some() {
                            return Err(LoadError::BadData("Duplicate set members detected"));
                        }
                    }
                    Ok(Set::Hashtable(Box::new(d)))
                }
            }
        }
    }
}

fn zset_from_rdb(repr: ZSetRepr, cfg: &Config) -> Result<ZSet, LoadError> {
    let limits = crate::t_zset::Limits::new(cfg.zset_max_listpack_entries, cfg.zset_max_listpack_value);
    match repr {
        ZSetRepr::Listpack(lp) => {
            let mut z = ZSet::Listpack(lp);
            if z.len() as u64 > cfg.zset_max_listpack_entries {
                z.convert_to_skiplist();
            }
            Ok(z)
        }
        ZSetRepr::Pairs(pairs) => {
            let mut z = ZSet::new_skiplist(pairs.len());
            let (mut maxelelen, mut totelelen) = (0, 0);
            for (m, s) in &pairs {
                if z.contains(m) {
                    return Err(LoadError::BadData("Duplicate zset fields detected"));
                }
                maxelelen = maxelelen.max(m.len());
                totelelen += m.len();
                z.insert_new(m, *s, limits);
            }
            z.convert_to_listpack_if_needed(maxelelen, totelelen, limits);
            Ok(z)
        }
    }
}

fn hash_from_rdb(repr: HashRepr, cfg: &Config) -> Result<Hash, LoadError> {
    let lim = crate::t_hash::Limits {
        max_entries: cfg.hash_max_listpack_entries,
        max_value: cfg.hash_max_listpack_value,
    };
    match repr {
        HashRepr::Listpack(lp) => {
            let mut h = Hash::from_listpack(lp);
            if h.len() as u64 > cfg.hash_max_listpack_entries {
                h.convert();
            }
            Ok(h)
        }
        HashRepr::Pairs(pairs) => Hash::from_pairs(pairs.iter().map(|(f, v)| (&f[..], &v[..])), lim)
            .ok_or(LoadError::BadData("Duplicate hash fields detected")),
    }
}
