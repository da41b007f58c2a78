//! Redis's geohash: the 52-bit interleaved encoding stored as sorted set
//! scores by the GEO commands, its neighbour boxes and the search-area
//! computation, and the haversine distance (geohash.c, geohash_helper.c).
//!
//! Every float operation is written in the order Redis's C code performs
//! it, so scores, decoded coordinates and distances are the same doubles
//! redis-server computes (the transcendental functions are the platform's
//! libm through `f64::sin` & co., as in Redis).

/// Longitude and latitude limits (EPSG:900913): the poles cannot be
/// geocoded.
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;

/// Bits per coordinate of a stored score (52 bits in all).
pub const STEP_MAX: u8 = 26;

/// Redis's quadratic mean radius of the Earth for WGS-84, in meters.
pub const EARTH_RADIUS_IN_METERS: f64 = 6372797.560856;

const MERCATOR_MAX: f64 = 20037726.37;

/// `M_PI / 180.0`, as the C macro `D_R` folds it.
const D_R: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(ang: f64) -> f64 {
    ang * D_R
}

fn rad_deg(ang: f64) -> f64 {
    ang / D_R
}

/// A coordinate interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// The WGS-84 ranges Redis encodes scores with.
pub const LONG_RANGE: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
pub const LAT_RANGE: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// A geohash of `step` bits per coordinate; all zero is "no box".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bits {
    pub bits: u64,
    pub step: u8,
}

impl Bits {
    pub fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

/// The box a hash stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

/// Spreads the low 32 bits of `v` to the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

/// Gathers the even bits of `x` into the low 32 bits.
fn squash(x: u64) -> u64 {
    let mut x = x & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x
}

/// Latitude bits in the even positions, longitude bits in the odd ones.
fn interleave(lat: u32, lon: u32) -> u64 {
    spread(lat) | (spread(lon) << 1)
}

/// The inverse: latitude in the low 32 bits, longitude in the high 32.
fn deinterleave(h: u64) -> u64 {
    squash(h) | (squash(h >> 1) << 32)
}

/// C's `(uint32_t)d` for the offsets `geohashEncode` computes (within
/// `[0, 2^32)`).
fn to_u32(d: f64) -> u32 {
    d as u32
}

/// Redis `geohashEncode`: `None` outside the WGS-84 limits or the ranges.
pub fn encode(long_range: Range, lat_range: Range, longitude: f64, latitude: f64, step: u8) -> Option<Bits> {
    if step > 32 || step == 0 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&longitude) || !(LAT_MIN..=LAT_MAX).contains(&latitude) {
        return None;
    }
    if latitude < lat_range.min || latitude > lat_range.max || longitude < long_range.min || longitude > long_range.max
    {
        return None;
    }
    let mut lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min);
    let mut long_offset = (longitude - long_range.min) / (long_range.max - long_range.min);
    let scale = (1u64 << step) as f64;
    lat_offset *= scale;
    long_offset *= scale;
    Some(Bits {
        bits: interleave(to_u32(lat_offset), to_u32(long_offset)),
        step,
    })
}

/// Redis `geohashEncodeWGS84`.
pub fn encode_wgs84(longitude: f64, latitude: f64, step: u8) -> Option<Bits> {
    encode(LONG_RANGE, LAT_RANGE, longitude, latitude, step)
}

/// Redis `geohashDecode`: `None` for the zero hash.
pub fn decode(long_range: Range, lat_range: Range, hash: Bits) -> Option<Area> {
    if hash.is_zero() {
        return None;
    }
    let step = hash.step;
    let sep = deinterleave(hash.bits);
    let lat_scale = lat_range.max - lat_range.min;
    let long_scale = long_range.max - long_range.min;
    let ilato = sep as u32;
    let ilono = (sep >> 32) as u32;
    let div = (1u64 << step) as f64;
    Some(Area {
        latitude: Range {
            min: lat_range.min + (f64::from(ilato) * 1.0 / div) * lat_scale,
            max: lat_range.min + (f64::from(ilato.wrapping_add(1)) * 1.0 / div) * lat_scale,
        },
        longitude: Range {
            min: long_range.min + (f64::from(ilono) * 1.0 / div) * long_scale,
            max: long_range.min + (f64::from(ilono.wrapping_add(1)) * 1.0 / div) * long_scale,
        },
    })
}

/// Redis `geohashDecodeAreaToLongLat`: the centre, clamped to the limits.
pub fn area_center(a: &Area) -> (f64, f64) {
    let x = (a.longitude.min + a.longitude.max) / 2.0;
    let x = x.clamp(LONG_MIN, LONG_MAX);
    let y = (a.latitude.min + a.latitude.max) / 2.0;
    let y = y.clamp(LAT_MIN, LAT_MAX);
    (x, y)
}

/// C's `(uint64_t)d` as gcc compiles it for x86-64 (what Redis's
/// `decodeGeohash` does to any score, geo or not): truncation, with the
/// hardware's answers for values out of range.
pub fn score_to_bits(d: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if d >= TWO63 {
        let t = d - TWO63;
        if t >= TWO63 {
            0
        } else {
            (t as i64 as u64) ^ (1 << 63)
        }
    } else if d.is_nan() {
        1 << 63
    } else {
        // Below -2^63 `as` saturates to i64::MIN, cvttsd2si's answer too.
        d as i64 as u64
    }
}

/// Redis `decodeGeohash`: the (longitude, latitude) a sorted set score
/// stands for.
pub fn decode_score(score: f64) -> (f64, f64) {
    let hash = Bits {
        bits: score_to_bits(score),
        step: STEP_MAX,
    };
    match decode(LONG_RANGE, LAT_RANGE, hash) {
        Some(a) => area_center(&a),
        None => (0.0, 0.0),
    }
}

/// Redis `geohashAlign52Bits`: the hash as a 52-bit score.
pub fn align52(h: Bits) -> u64 {
    h.bits << (52 - u32::from(h.step) * 2)
}

/// The score GEOADD stores for a valid position.
pub fn score_of(longitude: f64, latitude: f64) -> Option<u64> {
    encode_wgs84(longitude, latitude, STEP_MAX).map(align52)
}

/// The 11-character standard geohash of a stored score (GEOHASH): decoded,
/// then re-encoded on the standard latitude range -90..90.
pub fn standard_geohash(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (x, y) = decode_score(score);
    let r_lon = Range {
        min: -180.0,
        max: 180.0,
    };
    let r_lat = Range { min: -90.0, max: 90.0 };
    let bits = encode(r_lon, r_lat, x, y, 26).map_or(0, |h| h.bits);
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate().take(10) {
        let idx = (bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[idx as usize];
    }
    out
}

fn move_x(h: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> (64 - u32::from(h.step) * 2);
    if d > 0 {
        x = x.wrapping_add(zz.wrapping_add(1));
    } else {
        x |= zz;
        x = x.wrapping_sub(zz.wrapping_add(1));
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64 >> (64 - u32::from(h.step) * 2);
    h.bits = x | y;
}

fn move_y(h: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let x = h.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = h.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> (64 - u32::from(h.step) * 2);
    if d > 0 {
        y = y.wrapping_add(zz.wrapping_add(1));
    } else {
        y |= zz;
        y = y.wrapping_sub(zz.wrapping_add(1));
    }
    y &= 0x5555_5555_5555_5555u64 >> (64 - u32::from(h.step) * 2);
    h.bits = x | y;
}

fn moved(h: Bits, dx: i8, dy: i8) -> Bits {
    let mut n = h;
    move_x(&mut n, dx);
    move_y(&mut n, dy);
    n
}

/// The boxes a search scans: the centre box, then north, south, east,
/// west, north-east, north-west, south-east, south-west (Redis's order);
/// zero for the neighbours the area does not reach.
pub fn search_boxes(shape: &Shape) -> [Bits; 9] {
    let (min_lon, min_lat, max_lon, max_lat) = shape.bounding_box();
    let (longitude, latitude) = shape.center;
    let radius_meters = match shape.kind {
        ShapeKind::Radius(r) => r,
        ShapeKind::Box { width, height } => ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt(),
    } * shape.conversion;
    let mut steps = estimate_steps(radius_meters, latitude);
    let boxes = |steps: u8| {
        let hash = encode(LONG_RANGE, LAT_RANGE, longitude, latitude, steps).unwrap_or(Bits { bits: 0, step: steps });
        let nb = [
            moved(hash, 0, 1),
            moved(hash, 0, -1),
            moved(hash, 1, 0),
            moved(hash, -1, 0),
            moved(hash, 1, 1),
            moved(hash, -1, 1),
            moved(hash, 1, -1),
            moved(hash, -1, -1),
        ];
        (hash, nb)
    };
    let (mut hash, mut nb) = boxes(steps);
    let area_of = |h: Bits| decode(LONG_RANGE, LAT_RANGE, h);
    // A step too coarse near the edges of the area: one of the four direct
    // neighbours does not reach far enough.
    let decrease = {
        let n = area_of(nb[0]);
        let s = area_of(nb[1]);
        let e = area_of(nb[2]);
        let w = area_of(nb[3]);
        n.is_some_and(|a| a.latitude.max < max_lat)
            || s.is_some_and(|a| a.latitude.min > min_lat)
            || e.is_some_and(|a| a.longitude.max < max_lon)
            || w.is_some_and(|a| a.longitude.min > min_lon)
    };
    if steps > 1 && decrease {
        steps -= 1;
        (hash, nb) = boxes(steps);
    }
    // Drop the neighbours on sides the area does not cross.
    if steps >= 2 {
        if let Some(area) = area_of(hash) {
            const N: usize = 0;
            const S: usize = 1;
            const E: usize = 2;
            const W: usize = 3;
            const NE: usize = 4;
            const NW: usize = 5;
            const SE: usize = 6;
            const SW: usize = 7;
            let zero = Bits::default();
            if area.latitude.min < min_lat {
                nb[S] = zero;
                nb[SW] = zero;
                nb[SE] = zero;
            }
            if area.latitude.max > max_lat {
                nb[N] = zero;
                nb[NE] = zero;
                nb[NW] = zero;
            }
            if area.longitude.min < min_lon {
                nb[W] = zero;
                nb[SW] = zero;
                nb[NW] = zero;
            }
            if area.longitude.max > max_lon {
                nb[E] = zero;
                nb[SE] = zero;
                nb[NE] = zero;
            }
        }
    }
    [hash, nb[0], nb[1], nb[2], nb[3], nb[4], nb[5], nb[6], nb[7]]
}

/// The score interval `[min, max)` holding every point of box `h`.
pub fn box_scores(h: Bits) -> (f64, f64) {
    let min = align52(h);
    let max = align52(Bits {
        bits: h.bits.wrapping_add(1),
        step: h.step,
    });
    (min as f64, max as f64)
}

/// Redis `geohashEstimateStepsByRadius`: the bits per coordinate of the
/// nine search boxes.
pub fn estimate_steps(range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut range = range_meters;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// Redis `geohashGetDistance`: haversine great-circle distance in meters.
pub fn distance(lon1d: f64, lat1d: f64, lon2d: f64, lat2d: f64) -> f64 {
    let lat1r = deg_rad(lat1d);
    let lon1r = deg_rad(lon1d);
    let lat2r = deg_rad(lat2d);
    let lon2r = deg_rad(lon2d);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let v = ((lon2r - lon1r) / 2.0).sin();
    2.0 * EARTH_RADIUS_IN_METERS * (u * u + lat1r.cos() * lat2r.cos() * v * v).sqrt().asin()
}

/// What a search covers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ShapeKind {
    /// A circle of this radius (in the unit).
    Radius(f64),
    /// A box of this width and height (in the unit).
    Box { width: f64, height: f64 },
}

/// Redis's `GeoShape`: a centre, a shape and the unit's size in meters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    pub center: (f64, f64),
    pub conversion: f64,
    pub kind: ShapeKind,
}

impl Shape {
    /// Redis `geohashBoundingBox`: (min lon, min lat, max lon, max lat).
    pub fn bounding_box(&self) -> (f64, f64, f64, f64) {
        let (longitude, latitude) = self.center;
        let (height, width) = match self.kind {
            ShapeKind::Radius(r) => (self.conversion * r, self.conversion * r),
            ShapeKind::Box { width, height } => (self.conversion * (height / 2.0), self.conversion * (width / 2.0)),
        };
        let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
        let long_delta_top = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude + lat_delta).cos());
        let long_delta_bottom = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude - lat_delta).cos());
        let southern = latitude < 0.0;
        let delta = if southern { long_delta_bottom } else { long_delta_top };
        (
            longitude - delta,
            latitude - lat_delta,
            longitude + delta,
            latitude + lat_delta,
        )
    }

    /// Redis `geoAppendIfWithinShape`'s test: the distance in meters from
    /// the centre to the point, if the point is inside.
    pub fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        let (cx, cy) = self.center;
        match self.kind {
            ShapeKind::Radius(r) => {
                let d = distance(cx, cy, lon, lat);
                (d <= r * self.conversion).then_some(d)
            }
            ShapeKind::Box { width, height } => {
                let width_m = width * self.conversion;
                let height_m = height * self.conversion;
                let lon_distance = distance(lon, lat, cx, lat);
                let lat_distance = distance(lon, lat, lon, cy);
                if lon_distance > width_m / 2.0 || lat_distance > height_m / 2.0 {
                    return None;
                }
                Some(distance(cx, cy, lon, lat))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_round_trips() {
        for (lat, lon) in [(0u32, 0u32), (1, 0), (0, 1), (0x3ff_ffff, 0x155_5555), (u32::MAX, 7)] {
            let h = interleave(lat, lon);
            assert_eq!(deinterleave(h), u64::from(lat) | (u64::from(lon) << 32));
        }
        assert_eq!(interleave(1, 0), 1);
        assert_eq!(interleave(0, 1), 2);
    }

    // Scores and positions checked against redis-server 7.0.15.
    #[test]
    fn scores_match_redis() {
        assert_eq!(score_of(13.361389, 38.115556), Some(3479099956230698));
        assert_eq!(score_of(15.087269, 37.502669), Some(3479447370796909));
        assert_eq!(score_of(10.0, 20.0), Some(3403951602136190));
        assert_eq!(score_of(-180.0, -85.05112878), Some(0));
        assert_eq!(score_of(180.1, 0.0), None);
        assert_eq!(score_of(0.0, 85.06), None);
    }

    #[test]
    fn decoding_matches_redis() {
        let (x, y) = decode_score(3403951602136190.0);
        assert_eq!(x, 10.000002086162567);
        assert_eq!(y, 20.000000589104864);
        // Negative scores are garbage to Redis too: they decode to the
        // clamped corner.
        assert_eq!(decode_score(-1.0), (180.0, 85.05112878));
    }

    #[test]
    fn standard_geohash_matches_redis() {
        assert_eq!(&standard_geohash(3479099956230698.0), b"sqc8b49rny0");
        assert_eq!(&standard_geohash(3479447370796909.0), b"sqdtr74hyu0");
    }

    #[test]
    fn distances_match_redis() {
        let (a, b) = (decode_score(3479099956230698.0), decode_score(3479447370796909.0));
        assert_eq!(format!("{:.4}", distance(a.0, a.1, b.0, b.1)), "166274.1516");
        assert_eq!(distance(1.0, 2.0, 1.0, 2.0), 0.0);
    }

    #[test]
    fn steps_by_radius() {
        assert_eq!(estimate_steps(0.0, 0.0), 26);
        assert_eq!(estimate_steps(1000.0, 0.0), 14);
        assert_eq!(estimate_steps(1000.0, 70.0), 13);
        assert_eq!(estimate_steps(1000.0, -85.0), 12);
        assert_eq!(estimate_steps(1e9, 0.0), 1);
        assert_eq!(estimate_steps(f64::INFINITY, 0.0), 1);
    }

    #[test]
    fn neighbours_wrap_and_move() {
        let h = Bits { bits: 0b1100, step: 2 };
        let e = moved(h, 1, 0);
        let w = moved(h, -1, 0);
        assert_eq!(moved(e, -1, 0), h);
        assert_eq!(moved(w, 1, 0), h);
        let n = moved(h, 0, 1);
        assert_eq!(moved(n, 0, -1), h);
        assert!(e.bits < 16 && w.bits < 16 && n.bits < 16);
    }

    #[test]
    fn out_of_range_scores_cast_like_x86() {
        assert_eq!(score_to_bits(-1.0), u64::MAX);
        assert_eq!(score_to_bits(1e300), 0);
        assert_eq!(score_to_bits(f64::NEG_INFINITY), 1 << 63);
        assert_eq!(score_to_bits(f64::INFINITY), 0);
        assert_eq!(score_to_bits(9_223_372_036_854_775_808.0), 1 << 63);
        assert_eq!(score_to_bits(1.9), 1);
    }
}
