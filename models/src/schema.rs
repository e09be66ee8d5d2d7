//! The feature schema: every feature's name, position and scaling transform, with a version and
//! a hash a model file must repeat. Changing a name, the order or a transform changes the hash,
//! so a model trained on other features is refused instead of silently scoring garbage.
//!
//! Per-flow features come first (direction "fwd" is client → server, "bwd" server → client;
//! sizes are frame bytes, times are milliseconds), then the per-source host features at each of
//! the Kitsune time scales in [`LAMBDAS`].

/// Version of the feature definitions; bump when a feature's meaning changes without its name.
pub const SCHEMA_VERSION: u32 = 1;

/// Decay rates of the host features' damped windows, in 1/s (Kitsune's λ): a window of rate λ
/// halves its weight every 1/λ seconds, so 5 sees the last ~0.2 s and 0.01 the last ~100 s.
pub const LAMBDAS: [f64; 5] = [5.0, 3.0, 1.0, 0.1, 0.01];

/// How a raw feature is mapped before standard scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// Used as is (ratios, entropies, indicators).
    Linear,
    /// `ln(1 + x)`: counts, sizes and times, whose tails span orders of magnitude.
    Log1p,
}

impl Transform {
    /// Applies the transform to one raw value.
    #[inline]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Transform::Linear => x,
            Transform::Log1p => ln1p_fast(x.max(0.0)),
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Transform::Linear => "linear",
            Transform::Log1p => "log1p",
        }
    }
}

/// One feature: its name in model files and reports, and its transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureDef {
    /// Stable name.
    pub name: &'static str,
    /// Mapping applied before scaling.
    pub transform: Transform,
}

const fn lin(name: &'static str) -> FeatureDef {
    FeatureDef {
        name,
        transform: Transform::Linear,
    }
}

const fn log(name: &'static str) -> FeatureDef {
    FeatureDef {
        name,
        transform: Transform::Log1p,
    }
}

/// Positions of the per-flow features.
pub mod idx {
    /// Flow duration, ms.
    pub const DURATION: usize = 0;
    /// Packets per direction (fwd, bwd).
    pub const PKTS: [usize; 2] = [1, 2];
    /// Frame bytes per direction.
    pub const BYTES: [usize; 2] = [3, 4];
    /// Frame size mean, std, min, max per direction.
    pub const SIZE: [usize; 2] = [5, 9];
    /// Inter-arrival time mean, std, min, max per direction, ms.
    pub const IAT: [usize; 2] = [13, 17];
    /// TCP flag counts, both directions: SYN, FIN, RST, PSH, ACK, URG.
    pub const FLAGS: usize = 21;
    /// SYN → SYN/ACK → ACK time, ms (0 when the handshake was not seen whole).
    pub const HANDSHAKE_RTT: usize = 27;
    /// Payload byte entropy of the sampled prefix per direction, bits per byte.
    pub const ENTROPY: [usize; 2] = [28, 29];
    /// Protocol indicators: TCP, UDP, ICMP/ICMPv6.
    pub const PROTO: usize = 30;
    /// First host feature.
    pub const HOST: usize = 33;
}

/// Host feature kinds, each repeated over [`LAMBDAS`] starting at `idx::HOST + kind * 5`.
pub mod host_kind {
    /// Damped count of flows the source started.
    pub const CONN_RATE: usize = 0;
    /// Approximate distinct destination ports of the source's flows.
    pub const DST_PORTS: usize = 1;
    /// Approximate distinct destination hosts of the source's flows.
    pub const DST_HOSTS: usize = 2;
    /// Share of the source's TCP SYNs that never got a SYN/ACK.
    pub const SYN_NOACK: usize = 3;
    /// Number of kinds.
    pub const COUNT: usize = 4;
}

/// Number of host features.
pub const HOST_FEATURES: usize = host_kind::COUNT * LAMBDAS.len();

/// Number of features.
pub const NUM_FEATURES: usize = idx::HOST + HOST_FEATURES;

/// A flow's feature vector, raw (before [`transform`]).
pub type FeatureVector = [f64; NUM_FEATURES];

/// The schema, in vector order.
pub const FEATURES: [FeatureDef; NUM_FEATURES] = [
    log("duration_ms"),
    log("fwd_pkts"),
    log("bwd_pkts"),
    log("fwd_bytes"),
    log("bwd_bytes"),
    log("fwd_size_mean"),
    log("fwd_size_std"),
    log("fwd_size_min"),
    log("fwd_size_max"),
    log("bwd_size_mean"),
    log("bwd_size_std"),
    log("bwd_size_min"),
    log("bwd_size_max"),
    log("fwd_iat_mean_ms"),
    log("fwd_iat_std_ms"),
    log("fwd_iat_min_ms"),
    log("fwd_iat_max_ms"),
    log("bwd_iat_mean_ms"),
    log("bwd_iat_std_ms"),
    log("bwd_iat_min_ms"),
    log("bwd_iat_max_ms"),
    log("syn_count"),
    log("fin_count"),
    log("rst_count"),
    log("psh_count"),
    log("ack_count"),
    log("urg_count"),
    log("handshake_rtt_ms"),
    lin("fwd_payload_entropy"),
    lin("bwd_payload_entropy"),
    lin("proto_tcp"),
    lin("proto_udp"),
    lin("proto_icmp"),
    log("src_conn_rate_l5"),
    log("src_conn_rate_l3"),
    log("src_conn_rate_l1"),
    log("src_conn_rate_l0.1"),
    log("src_conn_rate_l0.01"),
    log("src_dst_ports_l5"),
    log("src_dst_ports_l3"),
    log("src_dst_ports_l1"),
    log("src_dst_ports_l0.1"),
    log("src_dst_ports_l0.01"),
    log("src_dst_hosts_l5"),
    log("src_dst_hosts_l3"),
    log("src_dst_hosts_l1"),
    log("src_dst_hosts_l0.1"),
    log("src_dst_hosts_l0.01"),
    lin("src_syn_noack_l5"),
    lin("src_syn_noack_l3"),
    lin("src_syn_noack_l1"),
    lin("src_syn_noack_l0.1"),
    lin("src_syn_noack_l0.01"),
];

/// The feature names in order, as written into model files.
pub fn feature_names() -> Vec<String> {
    FEATURES.iter().map(|f| f.name.to_string()).collect()
}

/// The schema hash: FNV-1a (64-bit) over the version and every name and transform, as
/// `fnv1a64:<16 hex digits>`. Stable across platforms and builds.
pub fn schema_hash() -> String {
    let mut text = format!("portcullis-features v{SCHEMA_VERSION}\n");
    for f in &FEATURES {
        text.push_str(f.name);
        text.push(':');
        text.push_str(f.transform.tag());
        text.push('\n');
    }
    format!("fnv1a64:{:016x}", fnv1a64(text.as_bytes()))
}

/// 64-bit FNV-1a: a tiny, fixed, platform-independent hash for identifiers (not for security).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `ln(1 + x)` for `x >= 0`, within 1e-7 relative of `f64::ln_1p`, in a few nanoseconds:
/// scoring transforms every feature, and the libm call dominated its cost. Pure IEEE
/// arithmetic, so the trainer and the data plane compute identical values on every platform.
#[inline]
pub fn ln1p_fast(x: f64) -> f64 {
    if x.is_nan() || x >= 1e300 {
        return x.ln_1p();
    }
    if x < 1e-4 {
        // Series: x - x²/2 + x³/3, exact to ~x⁴/4 < 2.5e-17.
        return x - x * x * (0.5 - x / 3.0);
    }
    let y = 1.0 + x;
    let bits = y.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    // Mantissa m in [1, 2), folded into [√½, √2) so t below stays within ±0.172.
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh t = 2 (t + t³/3 + t⁵/5 + t⁷/7 + t⁹/9 + t¹¹/11), t = (m-1)/(m+1).
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let series =
        1.0 + t2 * (1.0 / 3.0 + t2 * (0.2 + t2 * (1.0 / 7.0 + t2 * (1.0 / 9.0 + t2 / 11.0))));
    e as f64 * std::f64::consts::LN_2 + 2.0 * t * series
}

/// Applies every feature's transform: the input of standard scaling.
#[inline]
pub fn transform(raw: &FeatureVector) -> FeatureVector {
    let mut out = [0.0; NUM_FEATURES];
    for ((o, &x), def) in out.iter_mut().zip(raw).zip(&FEATURES) {
        *o = def.transform.apply(x);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_counted() {
        assert_eq!(NUM_FEATURES, 53);
        let mut names = feature_names();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), NUM_FEATURES);
        assert_eq!(FEATURES[idx::HOST].name, "src_conn_rate_l5");
        assert_eq!(
            FEATURES[idx::HOST + host_kind::SYN_NOACK * 5 + 4].name,
            "src_syn_noack_l0.01"
        );
        assert_eq!(FEATURES[idx::PROTO].name, "proto_tcp");
        assert_eq!(FEATURES[idx::HANDSHAKE_RTT].name, "handshake_rtt_ms");
        assert_eq!(FEATURES[idx::ENTROPY[1]].name, "bwd_payload_entropy");
        assert_eq!(FEATURES[idx::IAT[1] + 3].name, "bwd_iat_max_ms");
    }

    #[test]
    fn schema_hash_is_stable() {
        // Pinned: a change here means every existing model file is refused. Bump
        // SCHEMA_VERSION when that is intended.
        assert_eq!(schema_hash(), "fnv1a64:03cd4ae7e0744da5");
        assert_eq!(schema_hash(), schema_hash());
    }

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn fast_ln1p_matches_libm() {
        let mut x = 0.0;
        while x < 1e12 {
            let (fast, exact) = (ln1p_fast(x), x.ln_1p());
            assert!((fast - exact).abs() <= 1e-7 * exact.max(1e-300), "x = {x}");
            x = x * 1.37 + 1e-6;
        }
        assert_eq!(ln1p_fast(0.0), 0.0);
        assert_eq!(ln1p_fast(1.0), std::f64::consts::LN_2);
        assert_eq!(ln1p_fast(f64::INFINITY), f64::INFINITY);
        assert!(ln1p_fast(f64::NAN).is_nan());
    }

    #[test]
    fn transform_applies_log1p_and_linear() {
        let mut raw = [0.0; NUM_FEATURES];
        raw[idx::PKTS[0]] = std::f64::consts::E - 1.0;
        raw[idx::ENTROPY[0]] = 3.5;
        raw[idx::DURATION] = -4.0;
        let t = transform(&raw);
        assert!((t[idx::PKTS[0]] - 1.0).abs() < 1e-9);
        assert_eq!(t[idx::ENTROPY[0]], 3.5);
        assert_eq!(t[idx::DURATION], 0.0);
    }
}
