//! One rule's text to an [`ast::Rule`]: header, then options in order, then final checks.
//!
//! [`ast::Rule`]: super::ast::Rule

use super::ast::{Origin, Rule};
use super::error::PResult;
use super::header::parse_header;
use super::lexer::split_rule;
use super::options::RuleBuilder;
use super::vars::Vars;

/// Parses one complete rule (continuation lines already joined).
pub fn parse_rule(text: &str, vars: &Vars, origin: Origin) -> PResult<Rule> {
    let (header_text, options) = split_rule(text.trim())?;
    let h = parse_header(header_text, vars)?;
    let mut builder = RuleBuilder::new(Rule::new(h, origin));
    for opt in options {
        builder.apply(opt)?;
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ast::*;
    use crate::rules::error::ParseError;
    use std::sync::Arc;

    fn origin() -> Origin {
        Origin {
            file: Arc::from("t.rules"),
            line: 7,
        }
    }

    fn parse(text: &str) -> PResult<Rule> {
        parse_rule(text, &Vars::default(), origin())
    }

    fn content(pattern: &[u8]) -> Content {
        Content {
            pattern: pattern.to_vec(),
            ..Content::default()
        }
    }

    #[test]
    fn whole_rule() {
        let r = parse(
            r#"alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:"ET \"test\"\; x"; flow:established,to_server; content:"GET "; depth:4; content:!"|0d 0a|"; distance:0; within:10; nocase; pcre:"/a\/b/iR"; classtype:trojan-activity; priority:2; reference:url,example.com/a,b; metadata:created_at 2024_01_01, signature_severity Major, deployment; sid:2000001; rev:3; gid:1;)"#,
        )
        .unwrap();
        assert_eq!(r.action, Action::Alert);
        assert_eq!(r.proto, RuleProto::Tcp);
        assert!(matches!(r.src_addr, AddrExpr::Not(_)));
        assert_eq!(r.dst_port, PortExpr::Range(80, 80));
        assert_eq!(r.msg, "ET \"test\"; x");
        assert_eq!((r.sid, r.rev, r.gid), (2000001, 3, 1));
        assert_eq!(r.classtype.as_deref(), Some("trojan-activity"));
        assert_eq!(r.priority, Some(2));
        assert_eq!(
            r.references,
            vec![("url".to_string(), "example.com/a,b".to_string())]
        );
        assert_eq!(
            r.metadata,
            vec![
                ("created_at".to_string(), "2024_01_01".to_string()),
                ("signature_severity".to_string(), "Major".to_string()),
                ("deployment".to_string(), String::new()),
            ]
        );
        assert!(r.flow.established && r.flow.to_server);
        assert_eq!(
            r.payload,
            vec![
                PayloadMatch::Content(Content {
                    depth: Some(Value::Lit(4)),
                    ..content(b"GET ")
                }),
                PayloadMatch::Content(Content {
                    negated: true,
                    nocase: true,
                    distance: Some(Value::Lit(0)),
                    within: Some(Value::Lit(10)),
                    ..content(b"\r\n")
                }),
                PayloadMatch::Pcre(Pcre {
                    pattern: "a\\/b".into(),
                    flags: "i".into(),
                    negated: false,
                    relative: true,
                    suricata_flags: String::new(),
                }),
            ]
        );
        assert_eq!(r.origin, origin());
    }

    #[test]
    fn foundation_style_rules() {
        let r = parse("alert tcp-pkt any any -> any any (msg:\"byte extract test 5\"; byte_extract:1,2,twow,string,dec; byte_extract:1,3,sixd2,string,dec; content:\"|31 30|\"; content:\"|33 34|\"; distance:sixd2; within:twow; sid: 5; rev:1;)").unwrap();
        assert_eq!(r.sid, 5);
        let PayloadMatch::Content(c) = &r.payload[3] else {
            panic!("expected content")
        };
        assert_eq!(c.distance, Some(Value::Var("sixd2".into())));
        assert_eq!(c.within, Some(Value::Var("twow".into())));
        let r = parse("alert ip any any -> any any (msg:\"Flowbit set\"; flowbits:noalert; flowbits:isnotset,fb1; flowbits:set,fb1; content:\"GET \"; sid:8;)").unwrap();
        assert!(r.noalert);
        assert_eq!(
            r.flowbits,
            vec![
                FlowbitOp::IsNotSet(vec!["fb1".into()], false),
                FlowbitOp::Set(vec!["fb1".into()])
            ]
        );
        let r = parse("alert icmp any any -> any any (content:\"a\"; depth:1; isdataat:!30,relative; itype:7<>20; sid:21;)").unwrap();
        assert_eq!(
            r.payload[1],
            PayloadMatch::IsDataAt(IsDataAt {
                offset: Value::Lit(30),
                negated: true,
                relative: true
            })
        );
        assert_eq!(
            r.header_checks,
            vec![HeaderCheck::Itype(NumCmp::Between(7, 20))]
        );
        let r = parse("alert tcp any any -> any any (noalert; threshold: type limit, track by_src, count 1, seconds 60; target:dest_ip; tag:session,5,packets; sid:9;)").unwrap();
        assert!(r.noalert);
        assert_eq!(r.threshold.unwrap().kind, ThresholdKind::Limit);
        assert_eq!(r.detection_filter, None);
        let r = parse("alert tcp any any -> any any (detection_filter:track by_dst, count 5, seconds 10; sid:9;)").unwrap();
        assert_eq!(r.detection_filter.unwrap().count, 5);
    }

    #[test]
    fn unsupported_keywords() {
        for (rule, what) in [
            (
                "alert tcp any any -> any any (http.uri; content:\"a\"; sid:1;)",
                "http.uri",
            ),
            (
                "alert tcp any any -> any any (content:\"a\"; http_uri; sid:1;)",
                "http_uri",
            ),
            (
                "alert tcp any any -> any any (file_data; sid:1;)",
                "file_data",
            ),
            ("alert tcp any any -> any any (urilen:5; sid:1;)", "urilen"),
            (
                "alert tcp any any -> any any (xbits:set,a,track ip_src; sid:1;)",
                "xbits",
            ),
            (
                "alert tcp any any -> any any (pcre:\"/a/U\"; sid:1;)",
                "pcre flag U",
            ),
            (
                "alert dns any any -> any any (dns.query; sid:1;)",
                "protocol dns",
            ),
        ] {
            assert_eq!(
                parse(rule).unwrap_err(),
                ParseError::unsupported(what),
                "{rule}"
            );
        }
    }

    #[test]
    fn malformed_rules() {
        for (rule, reason) in [
            ("alert tcp any any -> any any (msg:\"x\";)", "missing sid"),
            ("alert tcp any any -> any any (nocase; content:\"a\"; sid:1;)", "nocase needs a preceding content"),
            ("alert tcp any any -> any any (depth:3; sid:1;)", "depth needs a preceding content"),
            ("alert tcp any any -> any any (content:\"ab\"; fast_pattern; content:\"cd\"; fast_pattern; sid:1;)", "fast_pattern can be used on only one content in a rule"),
            ("alert tcp any any -> any any (flow:sideways; sid:1;)", "unknown flow option 'sideways'"),
            ("alert tcp any any -> any any (content:\"ab\"; sid:1; sid:2;)", "sid given twice"),
            ("alert tcp any any -> any any (sid:0;)", "sid must not be 0"),
            ("alert tcp any any -> any any (sid;)", "sid needs a value"),
            ("alert tcp $NOPE any -> any any (sid:1;)", "undefined variable $NOPE"),
            ("alert tcp any any -> any any (content:\"abc\"; offset:x; sid:1;)", "offset uses undefined byte_extract variable 'x'"),
            ("alert tcp any any -> any any (noalert:1; sid:1;)", "noalert takes no value"),
            ("alert tcp any any -> any any (reference:cve; sid:1;)", "reference needs <system>,<id>"),
            ("alert tcp any any -> any any (content:!\"a\"; fast_pattern:only; sid:1;)", "fast_pattern:only cannot be used on a negated or positioned content"),
            ("alert tcp any any -> any any (threshold:type limit, track by_src, count 1, seconds 1; detection_filter:track by_src, count 1, seconds 1; sid:1;)", "threshold and detection_filter are not allowed in the same rule"),
        ] {
            assert_eq!(parse(rule).unwrap_err(), ParseError::malformed(reason), "{rule}");
        }
    }

    #[test]
    fn never_panics_on_mangled_rules() {
        let samples = [
            r#"alert tcp [1.1.1.1,!$HOME_NET] [80,1024:] <> any :1023 (msg:"a\"é;"; content:!"|41 42|c\;"; offset:1; depth:10; byte_extract:2,0,v,relative,string,dec; byte_test:2,!=,v,0,relative,bitmask 0xf0; byte_jump:4,v,align,post_offset -2; isdataat:!v,relative; pcre:"/x[;\/]/smiR"; flow:established,to_server; flowbits:isset,a|b; flags:S+,12; fragbits:!D; ttl:1<>9; ip_proto:!tcp; threshold:type both, track by_src, count 2, seconds 9; sid:1;)"#,
            "alert icmp 1.2.3.0/255.255.255.0 any -> ::1/64 any (itype:>7; icode:!0; icmp_id:\"5\"; tos:x1f; window:!5; content:\"ab\"; fast_pattern:only; sid:2; rev:1;)",
        ];
        let vars = Vars::default();
        let mut checked = 0;
        for sample in samples {
            let chars: Vec<(usize, char)> = sample.char_indices().collect();
            for &(i, c) in &chars {
                let end = i + c.len_utf8();
                let prefix = &sample[..i];
                let without = format!("{}{}", prefix, &sample[end..]);
                let doubled = format!("{}{}{}", prefix, c, &sample[i..]);
                for text in [prefix, without.as_str(), doubled.as_str()] {
                    let _ = parse_rule(text, &vars, origin());
                    checked += 1;
                }
            }
            assert!(parse_rule(sample, &vars, origin()).is_ok(), "{sample}");
        }
        assert!(checked > 1000);
    }
}
