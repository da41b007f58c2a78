//! The slow log (Redis's slowlog.c): commands that took longer than
//! `slowlog-log-slower-than` microseconds, newest first, at most
//! `slowlog-max-len` of them.

use crate::resp::Argv;
use std::collections::VecDeque;

/// Arguments kept per entry; the last slot says how many were dropped.
const MAX_ARGC: usize = 32;
/// Bytes kept per argument.
const MAX_STRING: usize = 128;

pub struct Entry {
    pub id: u64,
    pub time: i64,
    pub duration_us: u64,
    pub args: Vec<Vec<u8>>,
    pub peer: String,
    pub name: Vec<u8>,
}

#[derive(Default)]
pub struct SlowLog {
    pub entries: VecDeque<Entry>,
    next_id: u64,
}

impl SlowLog {
    /// Records a command if it was slow enough; `redact` gives the indices
    /// of arguments hidden as `(redacted)` (passwords).
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        threshold_us: i64,
        max_len: usize,
        argv: &Argv,
        redact: &[usize],
        duration_us: u64,
        peer: &str,
        name: &[u8],
    ) {
        if threshold_us < 0 || (duration_us as i64) < threshold_us {
            return;
        }
        let argc = argv.len().min(MAX_ARGC);
        let mut args = Vec::with_capacity(argc);
        for j in 0..argc {
            if argc != argv.len() && j == argc - 1 {
                let more = argv.len() - argc + 1;
                args.push(format!("... ({more} more arguments)").into_bytes());
            } else if redact.contains(&j) {
                args.push(b"(redacted)".to_vec());
            } else {
                let a = argv.get(j);
                if a.len() > MAX_STRING {
                    let mut v = a[..MAX_STRING].to_vec();
                    v.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes());
                    args.push(v);
                } else {
                    args.push(a.to_vec());
                }
            }
        }
        self.entries.push_front(Entry {
            id: self.next_id,
            time: crate::server::mstime() / 1000,
            duration_us,
            args,
            peer: peer.to_string(),
            name: name.to_vec(),
        });
        self.next_id += 1;
        self.entries.truncate(max_len);
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

/// Arguments of a command that must not appear in the slow log or MONITOR:
/// AUTH's and HELLO's credentials.
pub fn redacted_args(name: &str, argv: &Argv) -> Vec<usize> {
    match name {
        "auth" => (1..argv.len()).collect(),
        "hello" => {
            let mut r = Vec::new();
            let mut j = 2;
            while j < argv.len() {
                if argv.get(j).eq_ignore_ascii_case(b"AUTH") && j + 2 < argv.len() {
                    r.extend([j + 1, j + 2]);
                    j += 3;
                } else {
                    j += 1;
                }
            }
            r
        }
        _ => Vec::new(),
    }
}
