//! Between the server's values and the RDB format: what SAVE/BGSAVE/DUMP
//! write for each encoding, and how a loaded value becomes an in-memory
//! encoding under the current config (Redis's rdbSaveObject and
//! rdbLoadObject conversions).

use super::format::{
    rdb_type, write_hash_pairs, write_members, write_quicklist, write_zset_pairs, HashRepr, ListNode, ListNodeRef,
    ListRepr, RdbEncode, RdbValue, SetRepr, Writer, ZSetRepr,
};
use crate::config::Config;
use crate::object::Value;
use crate::t_hash::Hash;
use crate::t_list::{List, NodeRef, Quicklist};
use crate::t_set::{Enc, Set};
use crate::t_zset::ZSet;
use std::sync::Arc;

impl RdbEncode for Value {
    fn rdb_type(&self) -> u8 {
        match self {
            Value::Int(_) | Value::Inline { .. } | Value::Heap(_) | Value::Raw(_) => rdb_type::STRING,
            Value::List(_) => rdb_type::LIST_QUICKLIST_2,
            // A listpack set is saved as a plain SET (Redis 7.2's
            // SET_LISTPACK is type 20, which Redis 7.0 cannot load).
            Value::Set(s) => match s.enc() {
                Enc::Intset(_) => rdb_type::SET_INTSET,
                Enc::Listpack(_) | Enc::Hashtable(_) => rdb_type::SET,
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
            Value::Set(s) => match s.enc() {
                Enc::Intset(is) => w.string(is.as_bytes()),
                Enc::Listpack(lp) => {
                    let members: Vec<Vec<u8>> = lp.iter().map(|v| v.to_vec()).collect();
                    write_members(w, members.iter().map(|m| m.as_slice()));
                }
                Enc::Hashtable(d) => {
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
        RdbValue::Set(repr) => Value::Set(set_from_rdb(repr, cfg)?),
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
    let lim = crate::t_set::Limits::new(cfg);
    match repr {
        SetRepr::Intset(is) => Ok(Set::from_intset(is, &lim)),
        SetRepr::Listpack(lp) => Ok(Set::from_listpack(lp, &lim)),
        SetRepr::Members(members) => Set::from_members(members.iter().map(|m| m.as_slice()), &lim)
            .ok_or(LoadError::BadData("Duplicate set members detected")),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listpack::Listpack;

    fn cfg(max_intset: u64, lp_entries: u64, lp_value: u64) -> Config {
        Config {
            set_max_intset_entries: max_intset,
            set_max_listpack_entries: lp_entries,
            set_max_listpack_value: lp_value,
            ..Config::default()
        }
    }

    fn set_encoding(repr: SetRepr, c: &Config) -> &'static str {
        match value_from_rdb(RdbValue::Set(repr), c) {
            Ok(Value::Set(s)) => s.encoding(),
            _ => panic!("not a set"),
        }
    }

    #[test]
    fn loaded_sets_get_redis_7_2_encodings() {
        let members = |ms: &[&str]| SetRepr::Members(ms.iter().map(|m| m.as_bytes().to_vec()).collect());
        let c = cfg(512, 128, 64);
        assert_eq!(set_encoding(members(&["1", "2"]), &c), "intset");
        assert_eq!(set_encoding(members(&["1", "x"]), &c), "listpack");
        let long = "x".repeat(65);
        assert_eq!(set_encoding(members(&["1", &long]), &c), "hashtable");
        assert_eq!(set_encoding(members(&["a", "b", "c"]), &cfg(512, 2, 64)), "hashtable");
        assert_eq!(set_encoding(members(&["a", "b", "c"]), &cfg(2, 128, 64)), "hashtable");
        let lp = |ms: &[&str]| {
            let mut l = Listpack::new();
            for m in ms {
                l.append(m.as_bytes());
            }
            SetRepr::Listpack(l)
        };
        assert_eq!(set_encoding(lp(&["a", "1"]), &c), "listpack");
        assert_eq!(set_encoding(lp(&["a", "1", "b"]), &cfg(512, 2, 64)), "hashtable");
        assert!(matches!(
            value_from_rdb(RdbValue::Set(members(&["x", "1", "x"])), &c),
            Err(LoadError::BadData(_))
        ));
    }

    #[test]
    fn listpack_sets_are_saved_as_plain_sets() {
        let lim = crate::t_set::Limits::default();
        let mut s = Set::new_listpack();
        for m in ["b", "7", "a"] {
            s.add(crate::t_set::Member::Str(m.as_bytes()), &lim);
        }
        let v = Value::Set(s);
        assert_eq!(v.rdb_type(), rdb_type::SET);
        let payload = super::super::format::dump_payload(&v, false);
        let back = super::super::format::decode_dump_payload(&payload, false).unwrap();
        let want: Vec<Vec<u8>> = ["b", "7", "a"].iter().map(|m| m.as_bytes().to_vec()).collect();
        assert_eq!(back, RdbValue::Set(SetRepr::Members(want)));
    }
}
