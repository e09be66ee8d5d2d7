//! The rule header: `action proto src_addr src_port -> dst_addr dst_port`.

use super::addr::parse_addr;
use super::ast::{Action, RuleHeader, RuleProto};
use super::error::{bad, PResult, ParseError};
use super::port::parse_port;
use super::vars::Vars;

/// Protocols Suricata accepts in a header that Portcullis does not inspect (yet): app-layer
/// protocols need their parsers, `pkthdr` and `sctp` their decoders.
const OTHER_PROTOCOLS: &[&str] = &[
    "pkthdr",
    "sctp",
    "http",
    "http1",
    "http2",
    "ftp",
    "ftp-data",
    "smtp",
    "tls",
    "ssl",
    "ssh",
    "imap",
    "pop3",
    "smb",
    "dcerpc",
    "dns",
    "modbus",
    "enip",
    "dnp3",
    "nfs",
    "ntp",
    "tftp",
    "ike",
    "ikev2",
    "krb5",
    "dhcp",
    "snmp",
    "sip",
    "rfb",
    "mqtt",
    "pgsql",
    "telnet",
    "rdp",
    "bittorrent-dht",
    "quic",
    "ldap",
    "websocket",
    "template",
];

/// Parses the header text (everything before the options' `(`).
pub fn parse_header(text: &str, vars: &Vars) -> PResult<RuleHeader> {
    let tokens = tokenize(text)?;
    let [action, proto, src_addr, src_port, dir, dst_addr, dst_port] = tokens[..] else {
        return bad(format!(
            "header needs 7 fields (action proto src sport -> dst dport), found {}",
            tokens.len()
        ));
    };
    let action = parse_action(action)?;
    let proto = parse_proto(proto)?;
    let bidirectional = match dir {
        "->" => false,
        "<>" => true,
        other => return bad(format!("invalid direction '{other}'")),
    };
    Ok(RuleHeader {
        action,
        proto,
        src_addr: parse_addr(src_addr, vars)?,
        src_port: parse_port(src_port, vars)?,
        bidirectional,
        dst_addr: parse_addr(dst_addr, vars)?,
        dst_port: parse_port(dst_port, vars)?,
    })
}

/// Splits at whitespace outside brackets (lists may contain spaces).
fn tokenize(text: &str) -> PResult<Vec<&str>> {
    let mut tokens = Vec::with_capacity(7);
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if b.is_ascii_whitespace() && depth == 0 {
            if let Some(s) = start.take() {
                tokens.push(&text[s..i]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        tokens.push(&text[s..]);
    }
    if depth != 0 {
        return bad("unbalanced brackets in header");
    }
    Ok(tokens)
}

/// The action word.
fn parse_action(word: &str) -> PResult<Action> {
    Ok(match word.to_ascii_lowercase().as_str() {
        "alert" => Action::Alert,
        "pass" => Action::Pass,
        "drop" => Action::Drop,
        "reject" => Action::Reject,
        "rejectsrc" => Action::RejectSrc,
        "rejectdst" => Action::RejectDst,
        "rejectboth" => Action::RejectBoth,
        _ => return bad(format!("unknown action '{word}'")),
    })
}

/// The protocol word: supported ones, known-but-unsupported ones, anything else is an error.
fn parse_proto(word: &str) -> PResult<RuleProto> {
    let lower = word.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "ip" => RuleProto::Ip,
        "tcp" => RuleProto::Tcp,
        "tcp-pkt" => RuleProto::TcpPkt,
        "tcp-stream" => RuleProto::TcpStream,
        "udp" => RuleProto::Udp,
        "icmp" => RuleProto::Icmp,
        "icmpv4" => RuleProto::Icmpv4,
        "icmpv6" => RuleProto::Icmpv6,
        p if OTHER_PROTOCOLS.contains(&p) => {
            return Err(ParseError::unsupported(format!("protocol {p}")))
        }
        _ => return bad(format!("unknown protocol '{word}'")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ast::{AddrExpr, PortExpr};

    fn h(s: &str) -> PResult<RuleHeader> {
        parse_header(s, &Vars::default())
    }

    #[test]
    fn full_header() {
        let got = h("drop tcp [1.1.1.1, 2.2.2.2] any <> !$HOME_NET [80, 443]").unwrap();
        assert_eq!(got.action, Action::Drop);
        assert_eq!(got.proto, RuleProto::Tcp);
        assert_eq!(
            got.src_addr,
            AddrExpr::List(vec![
                AddrExpr::Net("1.1.1.1".parse().unwrap(), 32),
                AddrExpr::Net("2.2.2.2".parse().unwrap(), 32)
            ])
        );
        assert_eq!(got.src_port, PortExpr::Any);
        assert!(got.bidirectional);
        assert!(matches!(got.dst_addr, AddrExpr::Not(_)));
        assert_eq!(
            got.dst_port,
            PortExpr::List(vec![PortExpr::Range(80, 80), PortExpr::Range(443, 443)])
        );
    }

    #[test]
    fn actions_and_protocols() {
        for (word, action) in [
            ("alert", Action::Alert),
            ("pass", Action::Pass),
            ("reject", Action::Reject),
            ("rejectsrc", Action::RejectSrc),
            ("rejectdst", Action::RejectDst),
            ("rejectboth", Action::RejectBoth),
        ] {
            assert_eq!(
                h(&format!("{word} ip any any -> any any")).unwrap().action,
                action
            );
        }
        for (word, proto) in [
            ("ip", RuleProto::Ip),
            ("tcp-pkt", RuleProto::TcpPkt),
            ("tcp-stream", RuleProto::TcpStream),
            ("udp", RuleProto::Udp),
            ("icmp", RuleProto::Icmp),
            ("icmpv4", RuleProto::Icmpv4),
            ("icmpv6", RuleProto::Icmpv6),
        ] {
            assert_eq!(
                h(&format!("alert {word} any any -> any any"))
                    .unwrap()
                    .proto,
                proto
            );
        }
        assert!(!h("alert tcp any any -> any any").unwrap().bidirectional);
    }

    #[test]
    fn errors() {
        assert_eq!(
            h("alert http any any -> any any").unwrap_err(),
            ParseError::unsupported("protocol http")
        );
        assert_eq!(
            h("alert pkthdr any any -> any any").unwrap_err(),
            ParseError::unsupported("protocol pkthdr")
        );
        assert_eq!(
            h("alert tcpp any any -> any any").unwrap_err(),
            ParseError::malformed("unknown protocol 'tcpp'")
        );
        assert_eq!(
            h("block tcp any any -> any any").unwrap_err(),
            ParseError::malformed("unknown action 'block'")
        );
        assert_eq!(
            h("alert tcp any any <- any any").unwrap_err(),
            ParseError::malformed("invalid direction '<-'")
        );
        assert_eq!(
            h("alert tcp any any -> any").unwrap_err(),
            ParseError::malformed(
                "header needs 7 fields (action proto src sport -> dst dport), found 6"
            )
        );
        assert_eq!(
            h("alert tcp [1.1.1.1 any -> any any").unwrap_err(),
            ParseError::malformed("unbalanced brackets in header")
        );
    }
}
