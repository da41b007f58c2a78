//! LZF, the compression Redis uses for RDB strings (`rdbcompression yes`)
//! and compressed quicklist nodes. The stream is a sequence of runs:
//!
//! | control byte   | meaning                                                   |
//! |----------------|-----------------------------------------------------------|
//! | `000LLLLL`     | literal run: the next `L + 1` bytes (1..=32) are output   |
//! | `LLLooooo`, L<7| back reference of `L + 2` bytes, next byte = offset low   |
//! | `111ooooo`     | back reference of `7 + n + 2` bytes, `n` in the next byte, then offset low |
//!
//! A back reference copies from `offset + 1` bytes behind the output end
//! (offset up to 8191; the copy may overlap what it writes, run-length
//! style). [`decompress`] accepts everything liblzf's decoder accepts and
//! nothing it rejects: it must consume the whole input and fill the output
//! exactly. [`compress`] is a greedy single-probe hash matcher; its output
//! differs from liblzf's bytes but uses only the forms above, so Redis's
//! decoder reads it.

/// Longest back reference: 7 + 255 + 2 bytes.
const MAX_REF: usize = 264;
/// Farthest back reference: offsets are 13 bits, stored minus one.
const MAX_OFF: usize = 1 << 13;
/// Longest literal run.
const MAX_LIT: usize = 32;
/// Hash table size (log2).
const HLOG: u32 = 14;

/// Largest output one input byte can produce (a 3-byte back reference
/// expands to 264 bytes): a decompressed length above `88 * input` is
/// certainly corrupt, which bounds what a loader allocates.
pub const MAX_RATIO: u64 = 88;

/// Decompresses `input`, which must expand to exactly `out_len` bytes.
/// `None` if the stream is malformed, references before the start, or
/// does not produce exactly `out_len` bytes. The caller bounds `out_len`
/// (e.g. by [`MAX_RATIO`]) before calling: it is allocated up front.
pub fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut ip = 0usize;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            if out.len() + n > out_len {
                return None;
            }
            out.extend_from_slice(input.get(ip..ip + n)?);
            ip += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(ip)?);
                ip += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + usize::from(*input.get(ip)?) + 1;
            ip += 1;
            let len = len + 2;
            if out.len() + len > out_len {
                return None;
            }
            let start = out.len().checked_sub(back)?;
            if back >= len {
                out.extend_from_within(start..start + len);
            } else {
                // Overlapping copy: each byte may be one this run wrote.
                for k in start..start + len {
                    let b = out[k];
                    out.push(b);
                }
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

#[inline]
fn hash3(b: &[u8], i: usize) -> usize {
    let v = (u32::from(b[i]) << 16) | (u32::from(b[i + 1]) << 8) | u32::from(b[i + 2]);
    (v.wrapping_mul(2_654_435_761) >> (32 - HLOG)) as usize
}

/// Appends literal runs for `lit` to `out`.
fn push_literals(out: &mut Vec<u8>, lit: &[u8]) {
    for chunk in lit.chunks(MAX_LIT) {
        out.push((chunk.len() - 1) as u8);
        out.extend_from_slice(chunk);
    }
}

/// Compresses `input`; `None` if the result would exceed `max_out` bytes
/// (Redis asks for at least 4 bytes of savings: `max_out = len - 4`) or the
/// input is empty. Allocates a fresh hash table: use a [`Compressor`] for
/// many strings.
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    Compressor::new().compress_into(input, max_out, &mut out).then_some(out)
}

/// A reusable compressor. Its hash table is never cleared: a stale slot
/// only proposes a candidate, which is used only if it lies before the
/// current position, within the window, and its bytes really match.
#[derive(Clone, Debug)]
pub struct Compressor {
    table: Vec<u32>,
}

impl Default for Compressor {
    fn default() -> Self {
        Compressor::new()
    }
}

impl Compressor {
    pub fn new() -> Compressor {
        Compressor {
            table: vec![0u32; 1 << HLOG],
        }
    }

    /// Appends the compressed form of `input` to `out` and returns true,
    /// or leaves `out` as it was and returns false when the result would
    /// exceed `max_out` bytes or `input` is empty.
    pub fn compress_into(&mut self, input: &[u8], max_out: usize, out: &mut Vec<u8>) -> bool {
        let base = out.len();
        let ok = self.run(input, max_out, base, out);
        if !ok {
            out.truncate(base);
        }
        ok
    }

    fn run(&mut self, input: &[u8], max_out: usize, base: usize, out: &mut Vec<u8>) -> bool {
        let n = input.len();
        if n == 0 {
            return false;
        }
        let table = &mut self.table;
        out.reserve(max_out.min(n + n / 32 + 1));
        let mut lit = 0usize;
        let mut i = 0usize;
        while i + 2 < n {
            let h = hash3(input, i);
            let cand = table[h] as usize;
            table[h] = (i + 1) as u32;
            if cand != 0 && cand <= i {
                let r = cand - 1;
                let off = i - r - 1;
                if off < MAX_OFF && input[r..r + 3] == input[i..i + 3] {
                    let max = MAX_REF.min(n - i);
                    let mut len = 3;
                    while len < max && input[r + len] == input[i + len] {
                        len += 1;
                    }
                    push_literals(out, &input[lit..i]);
                    let l = len - 2;
                    let hi = (off >> 8) as u8;
                    if l < 7 {
                        out.push(((l as u8) << 5) | hi);
                    } else {
                        out.push((7 << 5) | hi);
                        out.push((l - 7) as u8);
                    }
                    out.push(off as u8);
                    if out.len() - base > max_out {
                        return false;
                    }
                    // Index the positions the match covered, for later matches.
                    let end = i + len;
                    let mut p = i + 1;
                    while p < end && p + 2 < n {
                        table[hash3(input, p)] = (p + 1) as u32;
                        p += 1;
                    }
                    i = end;
                    lit = i;
                    continue;
                }
            }
            i += 1;
            // Literals alone already cost more than allowed.
            if out.len() - base + (i - lit) > max_out {
                return false;
            }
        }
        push_literals(out, &input[lit..]);
        out.len() - base <= max_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(data: &[u8]) {
        let c = compress(data, data.len() + data.len() / 16 + 8).expect("fits");
        assert_eq!(decompress(&c, data.len()).as_deref(), Some(data));
    }

    #[test]
    fn roundtrips() {
        roundtrip(b"a");
        roundtrip(b"ab");
        roundtrip(b"abc");
        roundtrip(&[b'a'; 1000]);
        roundtrip(b"hello hello hello hello hello world world world");
        let mut x = 12345u64;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 56) as u8
            })
            .collect();
        roundtrip(&noise);
        let text: Vec<u8> = (0..20000)
            .map(|i| b"the quick brown fox "[i % 20] ^ ((i / 997) as u8 & 1))
            .collect();
        roundtrip(&text);
        // Matches far apart (beyond the 8 KB window) and long runs.
        let mut far = noise.clone();
        far.extend_from_slice(&[0u8; 700]);
        far.extend_from_slice(&noise[..3000]);
        roundtrip(&far);
    }

    #[test]
    fn compress_respects_limit() {
        assert!(compress(&[b'x'; 100], 96).is_some());
        let noise: Vec<u8> = (0..64u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        assert!(compress(&noise, 60).is_none());
        assert!(compress(b"", 10).is_none());
    }

    #[test]
    fn reused_compressor_is_correct() {
        let mut c = Compressor::new();
        let mut out = Vec::new();
        let inputs: Vec<Vec<u8>> = (0..200u32)
            .map(|k| {
                (0..(k * 37 % 3000 + 1))
                    .map(|i| (i.wrapping_mul(k + 1) % (k % 7 + 2)) as u8)
                    .collect()
            })
            .collect();
        for inp in &inputs {
            out.clear();
            if c.compress_into(inp, inp.len() + 64, &mut out) {
                assert_eq!(decompress(&out, inp.len()).as_deref(), Some(&inp[..]));
            }
        }
        // A failed attempt leaves the output untouched.
        out.clear();
        out.extend_from_slice(b"keep");
        assert!(!c.compress_into(&inputs[1], 0, &mut out));
        assert_eq!(out, b"keep");
    }

    #[test]
    fn liblzf_streams() {
        // Literal "abc", then a reference of 5 bytes at offset 3 (overlap).
        let s = [2, b'a', b'b', b'c', (3 << 5), 2];
        assert_eq!(decompress(&s, 8).as_deref(), Some(&b"abcabcab"[..]));
        // Long reference form: 7 + 10 + 2 = 19 bytes of 'z'.
        let s = [0, b'z', (7 << 5), 10, 0];
        assert_eq!(decompress(&s, 20).unwrap(), vec![b'z'; 20]);
    }

    #[test]
    fn rejects_bad_streams() {
        assert!(decompress(&[2, b'a', b'b'], 3).is_none()); // short literal
        assert!(decompress(&[0, b'a', (1 << 5), 5], 4).is_none()); // before start
        assert!(decompress(&[0, b'a', (1 << 5)], 4).is_none()); // missing offset
        assert!(decompress(&[0, b'a', (7 << 5)], 12).is_none()); // missing length
        assert!(decompress(&[1, b'a', b'b'], 1).is_none()); // overflow
        assert!(decompress(&[1, b'a', b'b'], 3).is_none()); // underflow
        assert_eq!(decompress(&[], 0), Some(vec![]));
    }

    #[test]
    fn decompress_never_panics() {
        let mut x = 99u64;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 24) as usize;
            let data: Vec<u8> = (0..len).map(|k| (x >> (k % 8 * 8)) as u8 ^ k as u8).collect();
            let _ = decompress(&data, (x >> 40) as usize % 300);
        }
    }
}
