//! A tiny deterministic pseudo-random generator (SplitMix64). The demo capture must be the same
//! bytes on every machine and every run, so nothing here may depend on the OS or a crate's
//! seeding policy.

/// SplitMix64 state: a seed that is advanced by a fixed odd constant per draw.
#[derive(Debug, Clone)]
pub(crate) struct Prng(u64);

impl Prng {
    /// A generator whose whole output is a function of `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Prng(seed)
    }

    /// The next 64 pseudo-random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `lo..=hi` (`hi >= lo`); the tiny modulo bias is irrelevant for demo traffic.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// A 32-bit value, e.g. an initial sequence number.
    pub(crate) fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A 16-bit value, e.g. a DNS transaction id.
    pub(crate) fn next_u16(&mut self) -> u16 {
        (self.next_u64() >> 48) as u16
    }

    /// `len` pseudo-random bytes: stands in for ciphertext, keys and compressed media.
    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // Reference outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut p = Prng::new(0);
        assert_eq!(p.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(p.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn range_bytes_and_pick_stay_in_bounds() {
        let mut p = Prng::new(7);
        for _ in 0..1000 {
            let v = p.range(10, 12);
            assert!((10..=12).contains(&v));
        }
        assert_eq!(p.bytes(13).len(), 13);
        assert_eq!(p.bytes(0).len(), 0);
        let items = [1, 2, 3];
        assert!(items.contains(p.pick(&items)));
    }
}
