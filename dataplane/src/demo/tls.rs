//! TLS 1.2 records for the demo's HTTPS sessions (RFC 5246, ECDHE-RSA-AES128-GCM-SHA256): a real
//! ClientHello with SNI and ALPN, a ServerHello/Certificate/ServerKeyExchange/ServerHelloDone
//! flight whose certificate, key and signature bytes are pseudo-random, and encrypted-looking
//! records. Nothing here is cryptographically meaningful; the framing is exact.

use super::prng::Prng;

/// Record content types.
const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
/// Largest plaintext per record, plus the GCM explicit nonce (8) and tag (16).
const MAX_CIPHERTEXT: usize = 16_384 + 24;

/// `body` prefixed by its length in `width` big-endian bytes (1, 2 or 3).
fn prefixed(width: usize, body: &[u8]) -> Vec<u8> {
    let len = (body.len() as u32).to_be_bytes();
    let mut out = len[4 - width..].to_vec();
    out.extend_from_slice(body);
    out
}

/// One extension: type and length-prefixed data.
fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_be_bytes().to_vec();
    out.extend(prefixed(2, data));
    out
}

/// A record of `content_type` with record-layer version `version`.
fn record(content_type: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend_from_slice(&version.to_be_bytes());
    out.extend(prefixed(2, body));
    out
}

/// A handshake message of `msg_type` wrapped in its own TLS 1.2 record.
fn handshake(msg_type: u8, body: &[u8], record_version: u16) -> Vec<u8> {
    let mut msg = vec![msg_type];
    msg.extend(prefixed(3, body));
    record(HANDSHAKE, record_version, &msg)
}

/// The client's first flight: a ClientHello naming `sni`, offering HTTP/1.1 via ALPN.
pub(crate) fn client_hello(rng: &mut Prng, sni: &str) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend(rng.bytes(32));
    body.extend(prefixed(1, &rng.bytes(32)));
    let suites: Vec<u8> = [
        0xc02bu16, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
        0x0035,
    ]
    .iter()
    .flat_map(|s| s.to_be_bytes())
    .collect();
    body.extend(prefixed(2, &suites));
    body.extend_from_slice(&[1, 0]);
    let mut name = vec![0];
    name.extend(prefixed(2, sni.as_bytes()));
    let mut exts = extension(0x0000, &prefixed(2, &name));
    exts.extend(extension(0x0017, &[]));
    exts.extend(extension(0xff01, &[0]));
    exts.extend(extension(
        0x000a,
        &prefixed(2, &[0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]),
    ));
    exts.extend(extension(0x000b, &[1, 0]));
    exts.extend(extension(0x0023, &[]));
    exts.extend(extension(0x0010, &prefixed(2, &prefixed(1, b"http/1.1"))));
    let sigalgs = [
        0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06,
        0x01,
    ];
    exts.extend(extension(0x000d, &prefixed(2, &sigalgs)));
    body.extend(prefixed(2, &exts));
    handshake(1, &body, 0x0301)
}

/// A DER-looking certificate of `len` bytes (>= 4): a SEQUENCE header, then opaque bytes.
fn certificate(rng: &mut Prng, len: usize) -> Vec<u8> {
    let inner = len.saturating_sub(4);
    let mut der = vec![0x30, 0x82];
    der.extend_from_slice(&(inner as u16).to_be_bytes());
    der.extend(rng.bytes(inner));
    der
}

/// The server's first flight: ServerHello, a two-certificate chain, an x25519
/// ServerKeyExchange signed with RSA-PSS, ServerHelloDone.
pub(crate) fn server_hello_flight(rng: &mut Prng) -> Vec<u8> {
    let mut hello = vec![0x03, 0x03];
    hello.extend(rng.bytes(32));
    hello.extend(prefixed(1, &rng.bytes(32)));
    hello.extend_from_slice(&[0xc0, 0x2f, 0]);
    let mut exts = extension(0xff01, &[0]);
    exts.extend(extension(0x000b, &[1, 0]));
    exts.extend(extension(0x0017, &[]));
    exts.extend(extension(0x0010, &prefixed(2, &prefixed(1, b"http/1.1"))));
    hello.extend(prefixed(2, &exts));
    let mut out = handshake(2, &hello, 0x0303);

    let leaf_len = rng.range(1100, 1500) as usize;
    let mut chain = prefixed(3, &certificate(rng, leaf_len));
    chain.extend(prefixed(3, &certificate(rng, 1096)));
    out.extend(handshake(11, &prefixed(3, &chain), 0x0303));

    let mut kx = vec![3, 0x00, 0x1d];
    kx.extend(prefixed(1, &rng.bytes(32)));
    kx.extend_from_slice(&[0x08, 0x04]);
    kx.extend(prefixed(2, &rng.bytes(256)));
    out.extend(handshake(12, &kx, 0x0303));
    out.extend(handshake(14, &[], 0x0303));
    out
}

/// The client's second flight: ClientKeyExchange (x25519 share), ChangeCipherSpec and the
/// encrypted Finished.
pub(crate) fn client_key_exchange_flight(rng: &mut Prng) -> Vec<u8> {
    let mut out = handshake(16, &prefixed(1, &rng.bytes(32)), 0x0303);
    out.extend(record(CHANGE_CIPHER_SPEC, 0x0303, &[1]));
    out.extend(record(HANDSHAKE, 0x0303, &rng.bytes(40)));
    out
}

/// The server's last handshake flight: ChangeCipherSpec and the encrypted Finished.
pub(crate) fn server_finished_flight(rng: &mut Prng) -> Vec<u8> {
    let mut out = record(CHANGE_CIPHER_SPEC, 0x0303, &[1]);
    out.extend(record(HANDSHAKE, 0x0303, &rng.bytes(40)));
    out
}

/// `len` bytes of application data as a series of full-size encrypted records.
pub(crate) fn application_data(rng: &mut Prng, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + len / MAX_CIPHERTEXT * 5 + 5);
    let mut left = len;
    while left > 0 {
        let n = left.min(MAX_CIPHERTEXT);
        out.extend(record(APPLICATION_DATA, 0x0303, &rng.bytes(n)));
        left -= n;
    }
    out
}

/// An encrypted close_notify alert.
pub(crate) fn close_notify(rng: &mut Prng) -> Vec<u8> {
    record(ALERT, 0x0303, &rng.bytes(26))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a byte stream into (content type, body length) per record; None if framing breaks.
    fn records(mut data: &[u8]) -> Option<Vec<(u8, usize)>> {
        let mut out = Vec::new();
        while !data.is_empty() {
            let len = usize::from(u16::from_be_bytes([*data.get(3)?, *data.get(4)?]));
            out.push((data[0], len));
            data = data.get(5 + len..)?;
        }
        Some(out)
    }

    #[test]
    fn client_hello_frames_and_carries_sni() {
        let hello = client_hello(&mut Prng::new(1), "www.example.com");
        assert_eq!(records(&hello).expect("framed").len(), 1);
        assert_eq!(&hello[..3], &[22, 3, 1]);
        assert_eq!(hello[5], 1, "ClientHello");
        let hs_len = u32::from_be_bytes([0, hello[6], hello[7], hello[8]]) as usize;
        assert_eq!(hs_len + 4 + 5, hello.len());
        let sni = b"\x00\x00\x00\x14\x00\x12\x00\x00\x0fwww.example.com";
        assert!(hello.windows(sni.len()).any(|w| w == sni));
    }

    #[test]
    fn flights_are_well_framed() {
        let mut rng = Prng::new(2);
        let kinds: Vec<u8> = records(&server_hello_flight(&mut rng))
            .expect("framed")
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(kinds, vec![22, 22, 22, 22]);
        let kx = records(&client_key_exchange_flight(&mut rng)).expect("framed");
        assert_eq!(kx, vec![(22, 37), (20, 1), (22, 40)]);
        assert_eq!(
            records(&server_finished_flight(&mut rng)).expect("framed"),
            vec![(20, 1), (22, 40)]
        );
        let data = records(&application_data(&mut rng, 20_000)).expect("framed");
        assert_eq!(data, vec![(23, 16_408), (23, 3_592)]);
        assert_eq!(
            records(&close_notify(&mut rng)).expect("framed"),
            vec![(21, 26)]
        );
    }
}
