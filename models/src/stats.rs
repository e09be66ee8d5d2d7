//! Incremental statistics in constant memory: Welford's running mean and variance with min and
//! max, and Kitsune-style damped windows (counts and a distinct-count sketch) over several
//! decay rates at once.

use crate::schema::LAMBDAS;

/// Number of damped time scales.
pub const SCALES: usize = LAMBDAS.len();

/// Running count, mean, population variance, min and max (Welford's algorithm: stable, O(1)).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Welford {
    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        if self.n == 1 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Population standard deviation (0 with fewer than two observations).
    pub fn std(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / self.n as f64).max(0.0).sqrt()
        }
    }

    /// Smallest observation (0 when empty).
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Largest observation (0 when empty).
    pub fn max(&self) -> f64 {
        self.max
    }

    /// `[mean, std, min, max]`, the order of the schema's statistic groups.
    pub fn summary(&self) -> [f64; 4] {
        [self.mean(), self.std(), self.min(), self.max()]
    }
}

/// The weight an observation `age_us` old keeps at decay rate `lambda`: `2^(-λ·age)`.
#[inline]
pub fn decay(lambda: f64, age_us: u64) -> f64 {
    (-lambda * age_us as f64 / 1e6).exp2()
}

/// A damped event count per time scale: each event adds 1, and the total decays by
/// [`decay`]. At rate λ, a steady `r` events per second converge to about `r / (λ ln 2)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DampedCount {
    w: [f64; SCALES],
    last_us: u64,
}

impl DampedCount {
    /// Decays to `now_us` and adds `amount`. Times before the last update count as the last.
    pub fn add(&mut self, now_us: u64, amount: f64) {
        self.w = self.at(now_us);
        self.last_us = self.last_us.max(now_us);
        for w in &mut self.w {
            *w += amount;
        }
    }

    /// The decayed weights at `now_us`, without changing the state.
    pub fn at(&self, now_us: u64) -> [f64; SCALES] {
        let age = now_us.saturating_sub(self.last_us);
        let mut out = self.w;
        if age > 0 {
            for (o, &l) in out.iter_mut().zip(&LAMBDAS) {
                *o *= decay(l, age);
            }
        }
        out
    }
}

/// Buckets of the distinct-count sketch.
pub const SKETCH_BUCKETS: usize = 64;

/// An approximate, damped distinct count (linear counting over a "damped bitmap"): a key hashes
/// to one of 64 buckets that remembers when it was last hit; at rate λ a bucket counts as
/// occupied with weight [`decay`] of its age, and the estimate is `-m ln(1 - k/m)` for the
/// weighted occupancy `k`. Exact while keys land in distinct buckets, saturating near
/// 300 distinct keys.
///
/// Every bucket's weight decays at the same rate, so the occupancy sum is kept incrementally
/// (a [`DampedCount`]): a hit decays the sum, removes the bucket's old weight and adds 1, and an
/// estimate decays the sum once. O(scales) per call instead of O(buckets × scales). 520 bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct DampedSketch {
    /// Last hit per bucket in µs; 0 means never hit.
    last_us: [u64; SKETCH_BUCKETS],
    /// Weighted occupancy per scale.
    occupancy: DampedCount,
}

impl Default for DampedSketch {
    fn default() -> Self {
        DampedSketch {
            last_us: [0; SKETCH_BUCKETS],
            occupancy: DampedCount::default(),
        }
    }
}

impl DampedSketch {
    /// Records key hash `h` seen at `now_us`.
    pub fn insert(&mut self, now_us: u64, h: u64) {
        let b = (h % SKETCH_BUCKETS as u64) as usize;
        let now = now_us.max(1).max(self.occupancy.last_us);
        let mut w = self.occupancy.at(now);
        let last = self.last_us[b];
        for (wi, &l) in w.iter_mut().zip(&LAMBDAS) {
            if last != 0 {
                *wi -= decay(l, now - last);
            }
            *wi = (*wi + 1.0).max(0.0);
        }
        self.occupancy = DampedCount { w, last_us: now };
        self.last_us[b] = now;
    }

    /// Estimated distinct keys per time scale at `now_us`.
    pub fn estimate(&self, now_us: u64) -> [f64; SCALES] {
        let m = SKETCH_BUCKETS as f64;
        self.occupancy
            .at(now_us)
            .map(|k| -m * (1.0 - k.min(m - 0.5) / m).ln())
    }
}

/// A fixed 64-bit mixer (splitmix64's finalizer): spreads keys over sketch buckets and table
/// shards identically on every run and platform.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_known_values() {
        let mut w = Welford::default();
        assert_eq!(w.summary(), [0.0, 0.0, 0.0, 0.0]);
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            w.push(x);
        }
        assert_eq!(w.count(), 8);
        assert_eq!(w.mean(), 5.0);
        assert_eq!(w.std(), 2.0);
        assert_eq!(w.min(), 2.0);
        assert_eq!(w.max(), 9.0);
        let mut one = Welford::default();
        one.push(-3.0);
        assert_eq!(one.summary(), [-3.0, 0.0, -3.0, -3.0]);
    }

    #[test]
    fn damped_count_halves_every_one_over_lambda() {
        let mut c = DampedCount::default();
        c.add(1_000_000, 1.0);
        c.add(1_000_000, 1.0);
        assert_eq!(c.at(1_000_000), [2.0; SCALES]);
        // One second later: λ=1 halves, λ=5 is 2^-5, λ=0.01 barely moves.
        let w = c.at(2_000_000);
        assert_eq!(w[2], 1.0);
        assert_eq!(w[0], 2.0 / 32.0);
        assert!((w[4] - 2.0 * 2f64.powf(-0.01)).abs() < 1e-15);
        // Out-of-order time never increases weights.
        c.add(500_000, 1.0);
        assert_eq!(c.at(1_000_000), [3.0; SCALES]);
    }

    #[test]
    fn sketch_counts_distinct_keys_and_decays() {
        let mut s = DampedSketch::default();
        assert_eq!(s.estimate(5), [0.0; SCALES]);
        s.insert(1_000_000, 3);
        s.insert(1_000_000, 3);
        s.insert(1_000_000, 4);
        let m = SKETCH_BUCKETS as f64;
        let two = -m * (1.0 - 2.0 / m).ln();
        assert!((s.estimate(1_000_000)[0] - two).abs() < 1e-12);
        assert!((two - 2.03).abs() < 0.01);
        // After 1 s at λ=1 each bucket weighs 1/2: occupancy 1.
        let one = -m * (1.0 - 1.0 / m).ln();
        assert!((s.estimate(2_000_000)[2] - one).abs() < 1e-12);
        // Saturation is bounded.
        for h in 0..1000 {
            s.insert(3_000_000, h);
        }
        let full = -m * (0.5f64 / m).ln();
        assert!((s.estimate(3_000_000)[0] - full).abs() < 1e-9);
    }

    #[test]
    fn mix64_is_fixed() {
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0x5692_161d_100b_05e5);
    }
}
