//! DEBUG DIGEST and DIGEST-VALUE: Redis's SHA1-based fingerprint of the
//! dataset (debug.c), equal for equal data whatever the encodings, so two
//! servers (fastkey and Redis, a primary and its replica) can be compared.
//!
//! Unordered collections XOR the digests of their elements (order does not
//! matter); ordered ones mix them in sequence.

use crate::db::Db;
use crate::listpack::LpValue;
use crate::object::Value;
use crate::rdb::stream::StreamId;
use sha1_smol::Sha1;

pub type Digest = [u8; 20];

fn sha1(data: &[u8]) -> Digest {
    Sha1::from(data).digest().bytes()
}

/// XORs the SHA1 of `data` into `d` (order-independent "add").
fn xor(d: &mut Digest, data: &[u8]) {
    for (a, b) in d.iter_mut().zip(sha1(data)) {
        *a ^= b;
    }
}

/// XOR then re-hash: order-dependent.
fn mix(d: &mut Digest, data: &[u8]) {
    xor(d, data);
    *d = sha1(&d[..]);
}

fn lp_bytes<'a>(v: &LpValue<'a>, tmp: &'a mut Vec<u8>) -> &'a [u8] {
    match *v {
        LpValue::Str(s) => s,
        LpValue::Int(n) => {
            tmp.clear();
            crate::util::push_i64(tmp, n);
            tmp
        }
    }
}

/// Redis's xorObjectDigest: the digest of one value (and whether it has
/// a TTL), starting from `d`.
pub fn value_digest(d: &mut Digest, v: &Value, has_expire: bool) {
    let type_code: u32 = match v.type_of() {
        crate::object::Type::String => 0,
        crate::object::Type::List => 1,
        crate::object::Type::Set => 2,
        crate::object::Type::ZSet => 3,
        crate::object::Type::Hash => 4,
        crate::object::Type::Stream => 6,
    };
    mix(d, &type_code.to_be_bytes());
    let mut tmp = Vec::new();
    match v {
        Value::List(l) => {
            for e in l.iter() {
                mix(d, lp_bytes(&e, &mut tmp));
            }
        }
        Value::Set(s) => {
            let mut buf = [0u8; 20];
            for m in s.iter() {
                xor(d, m.bytes(&mut buf));
            }
        }
        Value::ZSet(z) => {
            let mut score = Vec::new();
            for (m, s) in z.iter() {
                let mut ele: Digest = [0; 20];
                mix(&mut ele, lp_bytes(&m, &mut tmp));
                score.clear();
                crate::util::fmt_double(&mut score, s);
                mix(&mut ele, &score);
                xor(d, &ele);
            }
        }
        Value::Hash(h) => {
            let mut tmp2 = Vec::new();
            for (f, val) in h.iter() {
                let mut ele: Digest = [0; 20];
                mix(&mut ele, lp_bytes(&f, &mut tmp));
                mix(&mut ele, lp_bytes(&val, &mut tmp2));
                xor(d, &ele);
            }
        }
        Value::Stream(st) => {
            let (mut tf, mut tv) = (Vec::new(), Vec::new());
            st.range(
                StreamId { ms: 0, seq: 0 },
                StreamId {
                    ms: u64::MAX,
                    seq: u64::MAX,
                },
                false,
                |e| {
                    let id = e.id();
                    mix(d, format!("{}.{}", id.ms, id.seq).as_bytes());
                    for (f, v) in e.pairs() {
                        mix(d, lp_bytes(&f, &mut tf));
                        mix(d, lp_bytes(&v, &mut tv));
                    }
                    true
                },
            );
        }
        s => {
            let mut buf = Vec::new();
            mix(d, s.str_bytes(&mut buf).unwrap_or_default());
        }
    }
    if has_expire {
        xor(d, b"!!expire!!");
    }
}

/// Redis's computeDatasetDigest: all zeros for an empty dataset.
pub fn dataset_digest(dbs: &[Db]) -> Digest {
    let mut fin: Digest = [0; 20];
    for (i, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix(&mut fin, &(i as u32).to_be_bytes());
        for (k, o) in db.dict().iter() {
            let mut d: Digest = [0; 20];
            mix(&mut d, k);
            value_digest(&mut d, &o.v, o.has_expire);
            xor(&mut fin, &d);
        }
    }
    fin
}

pub fn hex(d: &Digest) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}
