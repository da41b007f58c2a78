//! The AOF manifest of Redis 7's multi-part AOF: which files, in which
//! order, make up the dataset (aof.c's aofManifest).
//!
//! ```text
//! file appendonly.aof.1.base.rdb seq 1 type b
//! file appendonly.aof.1.incr.aof seq 1 type i
//! ```
//!
//! One base file (an RDB or a command log), then incremental command logs
//! in order; `h` files are history, left over by a rewrite and deleted.

use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Base,
    Incr,
    History,
}

impl FileKind {
    fn letter(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::Incr => 'i',
            FileKind::History => 'h',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofFile {
    pub name: String,
    pub seq: i64,
    pub kind: FileKind,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofFile>,
    pub incr: Vec<AofFile>,
    pub history: Vec<AofFile>,
    pub base_seq: i64,
    pub incr_seq: i64,
}

/// Redis's AOF_MANIFEST_MAX_LINE: longer lines make the manifest invalid.
const MAX_LINE: usize = 1024;

impl Manifest {
    /// Parses a manifest as Redis's aofLoadManifestFromFile does; the error
    /// is the reason Redis logs.
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        let mut m = Manifest::default();
        let mut lines = 0;
        for raw in text.split_inclusive(|&b| b == b'\n') {
            if raw.len() > MAX_LINE || !raw.ends_with(b"\n") {
                return Err("The AOF manifest file contains too long line".into());
            }
            if raw.starts_with(b"#") {
                continue;
            }
            let line = raw.trim_ascii();
            if line.is_empty() {
                return Err("Invalid AOF manifest file format".into());
            }
            lines += 1;
            let args = crate::resp::split_args(line).ok_or("Invalid AOF manifest file format")?;
            if args.len() < 6 || args.len() % 2 != 0 {
                return Err("Invalid AOF manifest file format".into());
            }
            let (mut name, mut seq, mut kind) = (None, None, None);
            for pair in args.chunks(2) {
                match &pair[0].to_ascii_lowercase()[..] {
                    b"file" => name = Some(String::from_utf8_lossy(&pair[1]).into_owned()),
                    b"seq" => seq = crate::util::string2ll(&pair[1]),
                    b"type" => kind = pair[1].first().copied(),
                    // Unknown keys are for future versions.
                    _ => {}
                }
            }
            let (Some(name), Some(seq), Some(kind)) = (name, seq, kind) else {
                return Err("Invalid AOF manifest file format".into());
            };
            if name.contains('/') {
                return Err("File can't be a path, just a filename".into());
            }
            let kind = match kind {
                b'b' => FileKind::Base,
                b'i' => FileKind::Incr,
                b'h' => FileKind::History,
                _ => return Err("Unknown AOF file type".into()),
            };
            let f = AofFile { name, seq, kind };
            match kind {
                FileKind::Base => {
                    if m.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    m.base_seq = seq;
                    m.base = Some(f);
                }
                FileKind::History => m.history.push(f),
                FileKind::Incr => {
                    if seq <= m.incr_seq {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    m.incr_seq = seq;
                    m.incr.push(f);
                }
            }
        }
        if lines == 0 {
            return Err("Found an empty AOF manifest".into());
        }
        Ok(m)
    }

    /// The manifest text: base, history, then the incremental files.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for f in self.base.iter().chain(&self.history).chain(&self.incr) {
            let _ = writeln!(s, "file {} seq {} type {}", quoted(&f.name), f.seq, f.kind.letter());
        }
        s
    }

    /// A new base file name, the old base becoming history
    /// (getNewBaseFileNameAndMarkPreAsHistory).
    pub fn new_base(&mut self, prefix: &str, rdb: bool) -> Result<String, String> {
        let seq = next_seq(self.base_seq)?;
        if let Some(mut old) = self.base.take() {
            old.kind = FileKind::History;
            self.history.push(old);
        }
        self.base_seq = seq;
        let name = format!("{prefix}.{seq}.base.{}", if rdb { "rdb" } else { "aof" });
        self.base = Some(AofFile {
            name: name.clone(),
            seq,
            kind: FileKind::Base,
        });
        Ok(name)
    }

    /// Appends a new incremental file (getNewIncrAofName).
    pub fn new_incr(&mut self, prefix: &str) -> Result<String, String> {
        let seq = next_seq(self.incr_seq)?;
        let name = format!("{prefix}.{seq}.incr.aof");
        self.incr_seq = seq;
        self.incr.push(AofFile {
            name: name.clone(),
            seq,
            kind: FileKind::Incr,
        });
        Ok(name)
    }

    /// After a rewrite: every incremental file but the one being written
    /// (the last, if `keep_last`) is in the new base
    /// (markRewrittenIncrAofAsHistory).
    pub fn mark_rewritten_incr_as_history(&mut self, keep_last: bool) {
        let keep = if keep_last { self.incr.pop() } else { None };
        for mut f in self.incr.drain(..) {
            f.kind = FileKind::History;
            self.history.push(f);
        }
        self.incr.extend(keep);
    }

    /// Files that make up the dataset, in load order.
    pub fn files(&self) -> impl Iterator<Item = &AofFile> {
        self.base.iter().chain(&self.incr)
    }
}

/// The sequence number after `seq` (a manifest may carry any number).
fn next_seq(seq: i64) -> Result<i64, String> {
    seq.checked_add(1)
        .ok_or_else(|| "the AOF file sequence number overflows".to_string())
}

/// A file name as Redis writes it in the manifest: plain, or quoted with
/// escapes when it has spaces or unusual bytes (sdscatrepr).
fn quoted(name: &str) -> String {
    if name
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\')
    {
        return name.to_string();
    }
    crate::config::repr(name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders_redis_manifest() {
        let text = b"file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n";
        let m = Manifest::parse(text).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "appendonly.aof.1.base.rdb");
        assert_eq!(m.incr.len(), 1);
        assert_eq!(m.render().as_bytes(), text);
    }

    #[test]
    fn rewrite_moves_files_to_history() {
        let mut m = Manifest::default();
        m.new_base("appendonly.aof", true).unwrap();
        m.new_incr("appendonly.aof").unwrap();
        m.new_incr("appendonly.aof").unwrap();
        m.new_base("appendonly.aof", true).unwrap();
        m.mark_rewritten_incr_as_history(true);
        assert_eq!(
            m.render(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n"
        );
    }

    #[test]
    fn rejects_bad_manifests() {
        assert!(Manifest::parse(b"").is_err());
        assert!(Manifest::parse(b"file a seq 1\n").is_err());
        assert!(Manifest::parse(b"file a seq 1 type x\n").is_err());
        assert!(Manifest::parse(b"file a/b seq 1 type b\n").is_err());
        assert!(Manifest::parse(b"file a seq 2 type i\nfile b seq 1 type i\n").is_err());
        assert!(Manifest::parse(b"file a seq 1 type b").is_err());
        let long = format!("file {} seq 1 type b\n", "x".repeat(2000));
        assert!(Manifest::parse(long.as_bytes()).is_err());
        assert!(Manifest::parse(b"# comment\nfile a seq 1 type b\n").is_ok());
        assert!(Manifest::parse(b"FILE a SEQ 1 TYPE b\n").is_ok());
        assert!(Manifest::parse(b"file a seq 1 type b\n\n").is_err());
        let mut m = Manifest::parse(b"file a seq 9223372036854775807 type i\n").unwrap();
        assert!(m.new_incr("x").is_err());
    }
}
