//! NTPv4 client/server packets (RFC 5905) as a systemd-timesyncd client and a stratum-2 server
//! exchange them; timestamps follow the capture clock.

use super::trace::EPOCH_SECS;

/// Seconds from the NTP era 0 origin (1900-01-01) to the Unix epoch.
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// The 64-bit NTP timestamp of an instant `at` microseconds into the capture.
fn ntp_time(at: u64) -> [u8; 8] {
    let secs = EPOCH_SECS + at / 1_000_000 + NTP_UNIX_OFFSET;
    let frac = ((at % 1_000_000) << 32) / 1_000_000;
    let mut out = [0; 8];
    out[..4].copy_from_slice(&(secs as u32).to_be_bytes());
    out[4..].copy_from_slice(&(frac as u32).to_be_bytes());
    out
}

/// A client request (mode 3) sent at `sent`: only the transmit timestamp is set.
pub(crate) fn request(sent: u64) -> Vec<u8> {
    let mut out = vec![0u8; 48];
    out[0] = 0x23; // LI 0, version 4, mode 3
    out[40..48].copy_from_slice(&ntp_time(sent));
    out
}

/// The server's reply (mode 4) to a request sent at `sent`, received at `received` and answered
/// at `replied`; the server last synchronised 64 s before.
pub(crate) fn response(sent: u64, received: u64, replied: u64) -> Vec<u8> {
    let mut out = vec![0u8; 48];
    out[0] = 0x24; // LI 0, version 4, mode 4
    out[1] = 2; // stratum
    out[2] = 6; // poll 64 s
    out[3] = 0xe9; // precision 2^-23 s
    out[4..8].copy_from_slice(&0x0000_02a1u32.to_be_bytes()); // root delay ~10 ms
    out[8..12].copy_from_slice(&0x0000_0342u32.to_be_bytes()); // root dispersion ~13 ms
    out[12..16].copy_from_slice(&[198, 18, 0, 1]); // reference id: upstream server
    out[16..24].copy_from_slice(&ntp_time(replied.saturating_sub(64_000_000)));
    out[24..32].copy_from_slice(&ntp_time(sent));
    out[32..40].copy_from_slice(&ntp_time(received));
    out[40..48].copy_from_slice(&ntp_time(replied));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_use_the_ntp_era() {
        // 2026-01-01T00:00:00.5Z: 3976214400 s since 1900, half a second = 0x80000000.
        assert_eq!(ntp_time(500_000), [0xED, 0x00, 0x37, 0x80, 0x80, 0, 0, 0]);
    }

    #[test]
    fn response_echoes_the_client_transmit_time() {
        let q = request(1_000_000);
        let r = response(1_000_000, 1_007_000, 1_007_050);
        assert_eq!((q.len(), r.len()), (48, 48));
        assert_eq!((q[0], r[0], r[1]), (0x23, 0x24, 2));
        assert_eq!(&r[24..32], &q[40..48]);
    }
}
