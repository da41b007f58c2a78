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
pub mod value;

pub use file::{AuxInfo, KeyLru, RdbEvent, RdbReader, RdbWriter, ReplAux, SaveOptions};
