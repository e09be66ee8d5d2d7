//! DNS message encoding (RFC 1035) for the demo's lookups: a recursive query with one question,
//! and its answer with the owner name compressed to a pointer at the question.

/// QTYPE A (IPv4 address).
pub(crate) const TYPE_A: u16 = 1;
/// QTYPE AAAA (IPv6 address).
pub(crate) const TYPE_AAAA: u16 = 28;
/// CLASS IN.
const CLASS_IN: u16 = 1;
/// Offset of the question's name in a message: right after the 12-byte header.
const QNAME_POINTER: u16 = 0xC000 | 12;

/// The answer data of one resource record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rdata {
    /// An IPv4 address.
    A([u8; 4]),
    /// An IPv6 address.
    Aaaa([u8; 16]),
}

/// Appends `name` as a sequence of length-prefixed labels ending with the root label.
fn encode_name(name: &str, out: &mut Vec<u8>) {
    for label in name.split('.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
}

/// Header and question section shared by queries and responses.
fn header_and_question(id: u16, flags: u16, answers: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    for field in [id, flags, 1, answers, 0, 0] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    encode_name(name, &mut out);
    out.extend_from_slice(&qtype.to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    out
}

/// A standard query with recursion desired for `name`/`qtype`.
pub(crate) fn query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    header_and_question(id, 0x0100, 0, name, qtype)
}

/// The resolver's answer to [`query`]: QR, RD, RA set, NOERROR, `answers` with TTL `ttl`.
pub(crate) fn response(id: u16, name: &str, qtype: u16, answers: &[Rdata], ttl: u32) -> Vec<u8> {
    let mut out = header_and_question(id, 0x8180, answers.len() as u16, name, qtype);
    for rdata in answers {
        let (rtype, data): (u16, &[u8]) = match rdata {
            Rdata::A(a) => (TYPE_A, a),
            Rdata::Aaaa(a) => (TYPE_AAAA, a),
        };
        out.extend_from_slice(&QNAME_POINTER.to_be_bytes());
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&CLASS_IN.to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(data);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_rfc1035_encoded() {
        let q = query(0xbeef, "malware-c2.example", TYPE_A);
        let mut expected = vec![0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        expected.extend_from_slice(b"\x0amalware-c2\x07example\x00\x00\x01\x00\x01");
        assert_eq!(q, expected);
    }

    #[test]
    fn response_compresses_the_owner_name() {
        let r = response(7, "a.example", TYPE_AAAA, &[Rdata::Aaaa([0x20; 16])], 300);
        assert_eq!(&r[..12], &[0, 7, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
        let answer = &r[12 + 11 + 4..];
        assert_eq!(
            &answer[..12],
            &[0xc0, 0x0c, 0, 28, 0, 1, 0, 0, 1, 0x2c, 0, 16]
        );
        assert_eq!(answer.len(), 12 + 16);
    }
}
