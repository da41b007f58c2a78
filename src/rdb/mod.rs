//! Redis's persistence formats: RDB files (version 10, as Redis 7.0 writes
//! them, loading every older version Redis 7.0 loads) and DUMP/RESTORE
//! payloads.
//!
//! | module     | what                                                        |
//! |------------|-------------------------------------------------------------|
//! | `format`   | primitives ([`Reader`], [`StreamInput`], [`Writer`]), values ([`RdbValue`], [`read_value`], [`RdbEncode`]), DUMP payloads |
//! | `stream`   | stream values ([`StreamRepr`])                              |
//! | `file`     | whole files: [`RdbReader`] (events) and [`RdbWriter`]       |
//! | `legacy`   | ziplist and zipmap validation and conversion to listpacks   |
//! | `lzf`      | LZF compression (liblzf-compatible)                         |
//! | `crc64`    | CRC-64/Jones as Redis computes it                           |

// A foundation module: the server uses it piece by piece.
#![allow(dead_code)]

pub mod crc64;
pub mod file;
pub mod format;
pub mod legacy;
pub mod lzf;
pub mod stream;

pub use file::{AuxInfo, ChecksumStatus, KeyLru, RdbEntry, RdbEvent, RdbReader, RdbWriter, ReplAux, SaveOptions};
pub use format::{
    decode_dump_payload, dump_payload, listpack_pairs_ok, module_type_name, opcode, rdb_type, read_value,
    verify_dump_payload, write_hash_pairs, write_members, write_quicklist, write_value, write_zset_pairs, HashRepr,
    Input, LenOrEnc, ListNode, ListNodeRef, ListRepr, RdbEncode, RdbError, RdbValue, Reader, SetRepr, StreamInput,
    Writer, ZSetRepr, RDB_VERSION, REDIS_VERSION,
};
pub use stream::{StreamConsumer, StreamGroup, StreamId, StreamNack, StreamNode, StreamRepr};
