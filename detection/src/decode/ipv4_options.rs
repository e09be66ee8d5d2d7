//! IPv4 option list validation (etherparse hands the options over as raw bytes).
//!
//! Follows Suricata's `DecodeIPV4Options`: every option after EOL/NOP needs a length byte of at
//! least 2 that stays inside the header; record/source-route and timestamp options need a sane
//! pointer; router-alert and stream-id are exactly 4 bytes. Suricata splits these into
//! `opt_invalid_len`, `opt_malformed`, `opt_pad_required`; we have one event for all of them.

/// End of option list.
const EOL: u8 = 0;
/// No operation (padding).
const NOP: u8 = 1;
/// Record route.
const RR: u8 = 7;
/// Timestamp.
const TS: u8 = 68;
/// Loose source and record route.
const LSRR: u8 = 131;
/// Stream identifier.
const SID: u8 = 136;
/// Strict source and record route.
const SSRR: u8 = 137;
/// Router alert.
const RTRALT: u8 = 148;

/// Whether the option bytes of an IPv4 header (after the 20 fixed bytes) are well formed.
pub(super) fn options_valid(mut opts: &[u8]) -> bool {
    while let Some(&kind) = opts.first() {
        match kind {
            EOL => return true,
            NOP => opts = &opts[1..],
            _ => {
                let Some(&len) = opts.get(1) else {
                    return false;
                };
                let Some(option) = opts.get(..usize::from(len)).filter(|_| len >= 2) else {
                    return false;
                };
                if !option_valid(kind, option) {
                    return false;
                }
                opts = &opts[option.len()..];
            }
        }
    }
    true
}

/// Checks one whole option (`option[0]` = kind, `option[1]` = its length = `option.len()`).
fn option_valid(kind: u8, option: &[u8]) -> bool {
    let len = option.len();
    let pointer = option.get(2).copied().map_or(0, usize::from);
    match kind {
        // Pointer is 1-based, past type/len/ptr, a multiple of 4, at most one past the end.
        RR | LSRR | SSRR => len >= 3 && pointer >= 4 && pointer % 4 == 0 && pointer <= len + 1,
        // Pointer past type/len/ptr/flags, on a record boundary, at most one past the end.
        TS => {
            let record = match option.get(3).map(|f| f & 0x0f) {
                Some(1) | Some(3) => 8,
                _ => 4,
            };
            len >= 4 && pointer >= 5 && (pointer - 5) % record == 0 && pointer <= len + 1
        }
        SID | RTRALT => len == 4,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_lists() {
        assert!(options_valid(&[]));
        assert!(options_valid(&[NOP, NOP, NOP, EOL]));
        assert!(options_valid(&[RTRALT, 4, 0, 0]));
        // Record route with room for one address, pointer at the first slot.
        assert!(options_valid(&[RR, 7, 4, 0, 0, 0, 0, EOL]));
        // Timestamp-only option, pointer at the first record.
        assert!(options_valid(&[TS, 8, 5, 0, 0, 0, 0, 0]));
        // Garbage after EOL is padding.
        assert!(options_valid(&[EOL, 0xff, 0xff, 0xff]));
        // Unknown option with a sane length.
        assert!(options_valid(&[0x99, 3, 0, EOL]));
    }

    #[test]
    fn rejects_malformed_lists() {
        // Length runs past the header.
        assert!(!options_valid(&[0x99, 8, 0, 0]));
        // Length below 2.
        assert!(!options_valid(&[0x99, 1, 0, 0]));
        assert!(!options_valid(&[0x99, 0, 0, 0]));
        // Missing length byte.
        assert!(!options_valid(&[NOP, NOP, NOP, 0x99]));
        // Router alert of the wrong size.
        assert!(!options_valid(&[RTRALT, 3, 0, EOL]));
        // Route pointer not on an address boundary / before the data.
        assert!(!options_valid(&[RR, 7, 5, 0, 0, 0, 0, EOL]));
        assert!(!options_valid(&[LSRR, 3, 0, EOL]));
        // Route pointer beyond the option.
        assert!(!options_valid(&[SSRR, 3, 8, EOL]));
        // Timestamp pointer off a record boundary.
        assert!(!options_valid(&[TS, 8, 6, 0, 0, 0, 0, 0]));
    }
}
