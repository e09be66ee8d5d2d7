//! TCP option parsing on top of `etherparse::TcpOptionsIterator`.
//!
//! etherparse validates the options it knows (MSS, window scale, SACK-permitted, SACK,
//! timestamps) but stops at any other kind; we skip unknown kinds by their length byte (as
//! Suricata does, e.g. for MPTCP or TCP Fast Open) and resume the iterator after them.

use etherparse::{TcpOptionElement, TcpOptionReadError, TcpOptionsIterator};

/// The option values the engine keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct TcpOptions {
    /// MSS option value.
    pub mss: Option<u16>,
    /// Window-scale shift.
    pub window_scale: Option<u8>,
    /// SACK-permitted present.
    pub sack_permitted: bool,
    /// Timestamp (TSval, TSecr).
    pub timestamp: Option<(u32, u32)>,
    /// The list was malformed (a length running past the header or a wrong fixed size).
    /// Values read before the bad option are kept.
    pub invalid: bool,
}

/// Parses the option bytes of a TCP header (after the 20 fixed bytes).
pub(super) fn parse(options: &[u8]) -> TcpOptions {
    let mut out = TcpOptions::default();
    let mut iter = TcpOptionsIterator::from_slice(options);
    loop {
        let rest = iter.rest();
        match iter.next() {
            None => return out,
            Some(Ok(TcpOptionElement::MaximumSegmentSize(v))) => out.mss = Some(v),
            Some(Ok(TcpOptionElement::WindowScale(v))) => out.window_scale = Some(v),
            Some(Ok(TcpOptionElement::SelectiveAcknowledgementPermitted)) => {
                out.sack_permitted = true
            }
            Some(Ok(TcpOptionElement::Timestamp(a, b))) => out.timestamp = Some((a, b)),
            Some(Ok(TcpOptionElement::Noop | TcpOptionElement::SelectiveAcknowledgement(..))) => {}
            Some(Err(TcpOptionReadError::UnknownId(_))) => match skip_unknown(rest) {
                Some(after) => iter = TcpOptionsIterator::from_slice(after),
                None => {
                    out.invalid = true;
                    return out;
                }
            },
            Some(Err(_)) => {
                out.invalid = true;
                return out;
            }
        }
    }
}

/// The bytes after the unknown option at the start of `rest`, or `None` when its length byte
/// is missing, below 2, or runs past the end.
fn skip_unknown(rest: &[u8]) -> Option<&[u8]> {
    let len = usize::from(*rest.get(1)?);
    if len < 2 {
        return None;
    }
    rest.get(len..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_typical_syn_option_list() {
        let opts = [
            2, 4, 0x05, 0xb4, // MSS 1460
            4, 2, // SACK permitted
            8, 10, 0, 0, 0, 1, 0, 0, 0, 2, // timestamps 1, 2
            1, // NOP
            3, 3, 7, // window scale 7
        ];
        assert_eq!(
            parse(&opts),
            TcpOptions {
                mss: Some(1460),
                window_scale: Some(7),
                sack_permitted: true,
                timestamp: Some((1, 2)),
                invalid: false,
            }
        );
    }

    #[test]
    fn skips_unknown_kinds_and_stops_at_eol() {
        // TFO cookie (kind 34, len 6), then MSS, then EOL followed by junk.
        let opts = [34, 6, 1, 2, 3, 4, 2, 4, 0x02, 0x18, 0, 0xff, 0xff];
        let parsed = parse(&opts);
        assert_eq!(parsed.mss, Some(0x218));
        assert!(!parsed.invalid);
    }

    #[test]
    fn flags_malformed_lists() {
        // MSS with length 5.
        assert!(parse(&[2, 5, 0, 0, 0]).invalid);
        // Window scale cut off by the header end.
        assert!(parse(&[1, 3, 3]).invalid);
        // Unknown kind whose length runs past the end.
        assert!(parse(&[30, 8, 0, 0]).invalid);
        // Unknown kind with length 0 (would loop forever if trusted).
        assert!(parse(&[30, 0, 0, 0]).invalid);
        // Values before the bad option survive.
        let parsed = parse(&[2, 4, 0x05, 0xb4, 30, 1]);
        assert_eq!((parsed.mss, parsed.invalid), (Some(1460), true));
    }
}
