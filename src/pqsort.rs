//! Partial quicksort as Redis's pqsort.c does it (Bentley & McIlroy's
//! three-way partitioning quicksort, skipping the parts that fall outside
//! the range asked for). SORT ... LIMIT with BY and GEORADIUS ... COUNT use
//! it in Redis; doing the same comparisons and the same swaps puts equal
//! elements where Redis puts them, so replies match even with ties.

use std::cmp::Ordering;

/// Sorts `v` enough that positions `lo..hi` (half-open; `hi` may be at or
/// below `lo`, as Redis's callers sometimes pass) hold what a full sort
/// would put there.
pub fn pqsort<T>(v: &mut [T], lo: i64, hi: i64, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    let n = v.len();
    sort_part(v, 0, n, lo, hi, cmp);
}

/// Whether the part `s..s + m` lies wholly before or wholly after the
/// range (Redis compares byte addresses; this is the same test on indexes).
fn outside(s: usize, m: usize, lo: i64, hi: i64) -> bool {
    let (s, e) = (s as i64, (s + m) as i64);
    (lo < s && hi <= s) || (lo >= e && hi > e)
}

/// The median of three positions, with the comparisons in Redis's order.
fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &mut impl FnMut(&T, &T) -> Ordering) -> usize {
    if cmp(&v[a], &v[b]) == Ordering::Less {
        if cmp(&v[b], &v[c]) == Ordering::Less {
            b
        } else if cmp(&v[a], &v[c]) == Ordering::Less {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]) == Ordering::Greater {
        b
    } else if cmp(&v[a], &v[c]) == Ordering::Less {
        a
    } else {
        c
    }
}

/// Swaps the `n` elements from `a` with the `n` from `b`, pairwise.
fn vecswap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

fn sort_part<T>(v: &mut [T], mut a: usize, mut n: usize, lo: i64, hi: i64, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    loop {
        if n < 7 {
            // Insertion sort for small parts.
            for m in a + 1..a + n {
                let mut l = m;
                while l > a && cmp(&v[l - 1], &v[l]) == Ordering::Greater {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pm = a + n / 2;
        if n > 7 {
            let mut pl = a;
            let mut pn = a + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
                pm = med3(v, pm - d, pm, pm + d, cmp);
                pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(v, pl, pm, pn, cmp);
        }
        v.swap(a, pm);
        // Partition around v[a]: equal elements gather at both ends
        // (a+1..pa and pd+1..), smaller ones before pb, greater after pc.
        let (mut pa, mut pb) = (a + 1, a + 1);
        let (mut pc, mut pd) = (a + n - 1, a + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[a]);
                if r == Ordering::Greater {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[a]);
                if r == Ordering::Less {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        // Move the equal elements to the middle.
        let pn = a + n;
        let r = (pa - a).min(pb - pa);
        vecswap(v, a, pb - r, r);
        let r = (pd - pc).min(pn - pd - 1);
        vecswap(v, pb, pn - r, r);
        let r = pb - pa;
        if r > 1 && !outside(a, r, lo, hi) {
            sort_part(v, a, r, lo, hi, cmp);
        }
        let r = pd - pc;
        if r > 1 {
            a = pn - r;
            n = r;
            if !outside(a, n, lo, hi) {
                continue;
            }
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn full_range_sorts_everything() {
        let mut seed = 7;
        for n in [0usize, 1, 5, 7, 8, 40, 41, 200, 1000] {
            let mut v: Vec<u64> = (0..n).map(|_| lcg(&mut seed) % 50).collect();
            let mut want = v.clone();
            want.sort();
            pqsort(&mut v, 0, n as i64, &mut |a: &u64, b: &u64| a.cmp(b));
            assert_eq!(v, want);
        }
    }

    #[test]
    fn partial_range_is_right_where_asked() {
        let mut seed = 11;
        for (n, lo, hi) in [
            (100usize, 10i64, 20i64),
            (500, 0, 10),
            (500, 490, 500),
            (60, 30, 31),
            (1000, 0, 1),
        ] {
            let mut v: Vec<u64> = (0..n).map(|_| lcg(&mut seed) % 1000).collect();
            let mut want = v.clone();
            want.sort();
            pqsort(&mut v, lo, hi, &mut |a: &u64, b: &u64| a.cmp(b));
            assert_eq!(v[lo as usize..hi as usize], want[lo as usize..hi as usize]);
        }
    }

    #[test]
    fn ties_stay_where_the_algorithm_puts_them() {
        // Keys with ties, tagged by their original position: the result
        // is deterministic (and is Redis's, as the interop test checks).
        let mut v: Vec<(u8, usize)> = (0..50).map(|i| ((i % 3) as u8, i)).collect();
        pqsort(&mut v, 0, 10, &mut |a: &(u8, usize), b: &(u8, usize)| a.0.cmp(&b.0));
        assert!(v[..10].iter().all(|e| e.0 == 0));
    }
}
