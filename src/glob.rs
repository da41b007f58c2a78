//! Glob-style pattern matching with the syntax and results of Redis 7.0's
//! `stringmatchlen` (util.c), used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET
//! and friends.
//!
//! Redis matches recursively, one level per `*`; this module gets the same
//! answers iteratively, backtracking only to the most recent `*`. That is
//! enough because every token other than `*` consumes exactly one byte, so a
//! failure after the last star can never be fixed by stretching an earlier
//! star. Time is O(pattern * string) at worst and the stack depth is constant.
//!
//! Syntax, as Redis reads it:
//! - `*` any run of bytes (consecutive stars act as one), `?` any one byte.
//! - `\x` the byte `x` literally (a lone `\` at the end is a literal `\`).
//! - `[...]` one byte from a set; `[^...]` negates it. Inside a set, `\x` is
//!   `x` (compared case-sensitively even when `nocase`), `a-z` is a range
//!   whose ends are swapped when reversed, and `]` right after `[` or `[^`
//!   closes an empty set. A set with no closing `]` runs to the end of the
//!   pattern and still matches one byte. Range ends and the tested byte are
//!   compared as C `char`s, which are signed on x86-64, so bytes >= 0x80 sort
//!   below `\0` inside ranges.
//! - `nocase` folds ASCII `A-Z` only (Redis runs with the C `LC_CTYPE`).
//!
//! Redis quirks kept on purpose:
//! - An empty string matches only the empty pattern (so `*` does not match
//!   the empty key; KEYS short-circuits the exact pattern `*` itself, which is
//!   the caller's business).
//! - Redis stops recursing at 1000 nested stars: a pattern with more than
//!   1000 star runs that are followed by another token never matches.

// A shared toolbox: not every helper is used by every build of the server.
#![allow(dead_code)]

/// Redis gives up (no match) when a pattern needs more nested `*` levels than
/// this.
const MAX_STAR_NESTING: usize = 1000;

/// ASCII-only `tolower`, applied to a C `char` value (signed on x86-64), as
/// glibc does in the C locale.
#[inline]
fn c_tolower(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// The byte as a signed C `char`.
#[inline]
fn c_char(b: u8) -> i32 {
    i32::from(b as i8)
}

#[inline]
fn eq_byte(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// Matches the single non-star token that starts at `pat[p]` against byte
/// `c`. Returns whether it matched and where the next token starts. The token
/// length never depends on `c`.
fn match_token(pat: &[u8], p: usize, c: u8, nocase: bool) -> (bool, usize) {
    let len = pat.len();
    match pat[p] {
        b'?' => (true, p + 1),
        b'\\' if p + 1 < len => (eq_byte(pat[p + 1], c, nocase), p + 2),
        b'[' => {
            let mut j = p + 1;
            let negate = j < len && pat[j] == b'^';
            if negate {
                j += 1;
            }
            let mut matched = false;
            let next = loop {
                if j >= len {
                    // No closing bracket: the set runs to the end of the
                    // pattern.
                    break len;
                }
                let b = pat[j];
                if b == b'\\' && len - j >= 2 {
                    // Escapes inside a set compare exactly, even with nocase.
                    if pat[j + 1] == c {
                        matched = true;
                    }
                    j += 2;
                } else if b == b']' {
                    break j + 1;
                } else if len - j >= 3 && pat[j + 1] == b'-' {
                    let mut start = c_char(b);
                    let mut end = c_char(pat[j + 2]);
                    let mut ch = c_char(c);
                    if start > end {
                        std::mem::swap(&mut start, &mut end);
                    }
                    // Redis lowercases after swapping, so a nocase range like
                    // `[Z-a]` becomes empty; keep that order.
                    if nocase {
                        start = c_tolower(start);
                        end = c_tolower(end);
                        ch = c_tolower(ch);
                    }
                    if ch >= start && ch <= end {
                        matched = true;
                    }
                    j += 3;
                } else {
                    if eq_byte(b, c, nocase) {
                        matched = true;
                    }
                    j += 1;
                }
            };
            (matched != negate, next)
        }
        b => (eq_byte(b, c, nocase), p + 1),
    }
}

/// Redis `stringmatchlen(pattern, s, nocase)`: does `s` match the glob
/// `pattern`? See the module docs for the exact syntax and quirks.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    if s.is_empty() {
        return pattern.is_empty();
    }
    let plen = pattern.len();
    let mut p = 0;
    let mut i = 0;
    // Star runs passed so far that are followed by another token; Redis
    // recurses once for each.
    let mut nesting = 0usize;
    // Where to resume after the most recent star: (pattern index just after
    // it, string index its current attempt starts at).
    let mut back: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < plen && pattern[p] == b'*' {
            while p < plen && pattern[p] == b'*' {
                p += 1;
            }
            if p == plen {
                return true;
            }
            nesting += 1;
            if nesting > MAX_STAR_NESTING {
                return false;
            }
            back = Some((p, i));
            continue;
        }
        if p < plen {
            let (ok, next) = match_token(pattern, p, s[i], nocase);
            if ok {
                p = next;
                i += 1;
                continue;
            }
        }
        match back {
            Some((bp, bi)) => {
                p = bp;
                i = bi + 1;
                back = Some((bp, bi + 1));
            }
            None => return false,
        }
    }
    while p < plen && pattern[p] == b'*' {
        p += 1;
    }
    p == plen
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    /// (pattern, string, nocase, Redis 7.0.15's answer). Answers with
    /// nocase = false were checked with KEYS (PSUBSCRIBE for `*` against the
    /// empty string, since KEYS short-circuits `*`), with nocase = true with
    /// CONFIG GET (whose patterns must contain `*`, `?` or `[`, else it does
    /// an exact lookup), on a real redis-server 7.0.15.
    const CASES: &[(&[u8], &[u8], bool, bool)] = &[
        (b"", b"", false, true),
        (b"*", b"", false, false),
        (b"**", b"", false, false),
        (b"", b"a", false, false),
        (b"*", b"abc", false, true),
        (b"a*", b"a", false, true),
        (b"a*b", b"ab", false, true),
        (b"a?", b"a", false, false),
        (b"?", b"a", false, true),
        (b"*?", b"a", false, true),
        (b"*??", b"a", false, false),
        (b"h?llo", b"hello", false, true),
        (b"h*llo", b"heeeello", false, true),
        (b"h[ae]llo", b"hallo", false, true),
        (b"h[^e]llo", b"hello", false, false),
        (b"h[^e]llo", b"hallo", false, true),
        (b"h[a-b]llo", b"hbllo", false, true),
        (b"h[b-a]llo", b"hallo", false, true),
        (b"[", b"[", false, false),
        (b"[^", b"x", false, true),
        (b"[abc", b"b", false, true),
        (b"[abc", b"d", false, false),
        (b"[]", b"]", false, false),
        (b"[]]", b"]", false, false),
        (b"[^]", b"x", false, true),
        (b"[^]]", b"]", false, false),
        (b"[a-]", b"_", false, true),
        (b"[a-]", b"]", false, true),
        (b"[a-]x", b"ax", false, false),
        (b"[\\]]", b"]", false, true),
        (b"[\\", b"\\", false, true),
        (b"\\", b"\\", false, true),
        (b"\\*", b"*", false, true),
        (b"\\*", b"a", false, false),
        (b"a\\", b"a\\", false, true),
        (b"[a\\-z]", b"-", false, true),
        (b"[a\\-z]", b"b", false, false),
        (b"[-a]", b"-", false, true),
        (b"[a-\xff]", b"\xff", false, true),
        (b"[a-\xff]", b"b", false, false),
        (b"[a-\xff]", b"A", false, true),
        (b"[\x80-\xff]", b"\x90", false, true),
        (b"*a*a*a*a*b", b"aaaaaaaaaaaaaaaaaaaaaaaa", false, false),
        (b"MAXMEMOR?", b"maxmemory", true, true),
        (b"MAX[L-N]EMORY", b"maxmemory", true, true),
        (b"[Z-a]axmemory", b"maxmemory", true, false),
        (b"\\Maxmemor?", b"maxmemory", true, true),
        (b"[\\M]axmemory", b"maxmemory", true, false),
        (b"[M]axmemory", b"maxmemory", true, true),
    ];

    #[test]
    fn redis_verified_cases() {
        for &(p, s, nocase, want) in CASES {
            assert_eq!(
                glob_match(p, s, nocase),
                want,
                "pattern {:?} string {:?} nocase {nocase}",
                String::from_utf8_lossy(p),
                String::from_utf8_lossy(s)
            );
        }
    }

    #[test]
    fn star_nesting_limit() {
        let s = vec![b'a'; 3000];
        let runs = |n: usize, tail: &[u8]| {
            let mut p = b"a*".repeat(n);
            p.extend_from_slice(tail);
            p
        };
        assert!(glob_match(&runs(1000, b"a"), &s, false));
        assert!(!glob_match(&runs(1001, b"a"), &s, false));
        assert!(glob_match(&runs(1001, b""), &s, false));
        assert!(!glob_match(&runs(1002, b""), &s, false));
        assert!(glob_match(&b"*a".repeat(1000), &s, false));
        assert!(!glob_match(&b"*a".repeat(1001), &s, false));
    }

    #[test]
    fn hostile_pattern_completes() {
        let s = vec![b'a'; 100 * 1024];
        let p = b"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        assert!(!glob_match(p, &s, false));
        let mut s2 = s.clone();
        s2.push(b'b');
        assert!(glob_match(p, &s2, false));
        assert!(!glob_match(b"*?*?*?*?*?*?*?*?*[b]", &s, true));
    }
}
