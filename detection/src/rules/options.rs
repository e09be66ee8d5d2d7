//! Applies a rule's options, in order, to the rule being built: dispatches each keyword to its
//! parser, attaches content modifiers to the most recent content, tracks byte_extract names,
//! and refuses any keyword Portcullis does not know as [`ParseErrorKind::Unsupported`].
//!
//! [`ParseErrorKind::Unsupported`]: super::error::ParseErrorKind::Unsupported

use super::ast::{IsDataAt, PayloadMatch, Rule};
use super::bytes::{parse_byte_extract, parse_byte_jump, parse_byte_test};
use super::content::parse_content_value;
use super::error::{bad, PResult, ParseError};
use super::flow::{parse_flow, parse_flowbits, Flowbits};
use super::lexer::{unescape, unquote, RawOption};
use super::modifiers::{apply_modifier, check_content, is_modifier};
use super::num::{parse_bounded, parse_value};
use super::packet::parse_header_check;
use super::pcre::parse_pcre;
use super::threshold::{parse_detection_filter, parse_threshold};
use crate::rules::ast::Content;

/// A rule whose options are being applied.
pub struct RuleBuilder {
    rule: Rule,
    sid: Option<u32>,
    last_content: Option<usize>,
    extracted: Vec<String>,
    fast_pattern_seen: bool,
}

/// Keywords accepted and ignored because they only affect output.
const OUTPUT_ONLY: &[&str] = &["target", "tag"];

impl RuleBuilder {
    /// Starts from a rule holding the header and defaults (gid 1, rev 0, no options).
    pub fn new(rule: Rule) -> Self {
        RuleBuilder {
            rule,
            sid: None,
            last_content: None,
            extracted: Vec::new(),
            fast_pattern_seen: false,
        }
    }

    /// Applies one option.
    pub fn apply(&mut self, opt: RawOption<'_>) -> PResult<()> {
        let keyword = opt.keyword.to_ascii_lowercase();
        let kw = keyword.as_str();
        if is_modifier(kw) {
            return self.modifier(kw, opt.value);
        }
        if let Some(check) = parse_header_check(kw, opt.value) {
            self.rule.header_checks.push(check?);
            return Ok(());
        }
        if OUTPUT_ONLY.contains(&kw) {
            return Ok(());
        }
        if kw == "noalert" {
            if opt.value.is_some() {
                return bad("noalert takes no value");
            }
            self.rule.noalert = true;
            return Ok(());
        }
        self.keyword(kw, opt.value)
    }

    /// A keyword that takes a value; anything unknown is unsupported.
    fn keyword(&mut self, kw: &str, value: Option<&str>) -> PResult<()> {
        let r = &mut self.rule;
        let need = || value.map_or_else(|| bad(format!("{kw} needs a value")), Ok);
        match kw {
            "msg" => r.msg = unescape(unquote(need()?)?),
            "sid" => {
                let sid = parse_bounded(need()?, u32::MAX.into(), "sid")? as u32;
                if sid == 0 {
                    return bad("sid must not be 0");
                }
                if self.sid.replace(sid).is_some() {
                    return bad("sid given twice");
                }
            }
            "rev" => r.rev = parse_bounded(need()?, u32::MAX.into(), "rev")? as u32,
            "gid" => r.gid = parse_bounded(need()?, u32::MAX.into(), "gid")? as u32,
            "classtype" => {
                let c = need()?.trim();
                if c.is_empty()
                    || !c
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return bad(format!("invalid classtype '{c}'"));
                }
                r.classtype = Some(c.to_string());
            }
            "priority" => match parse_bounded(need()?, 255, "priority")? {
                0 => return bad("priority must be 1..=255"),
                p => r.priority = Some(p as u8),
            },
            "metadata" => {
                for item in need()?.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    let (k, v) = item.split_once(char::is_whitespace).unwrap_or((item, ""));
                    r.metadata.push((k.to_string(), v.trim().to_string()));
                }
            }
            "reference" => match need()?.split_once(',') {
                Some((sys, id)) if !sys.trim().is_empty() && !id.trim().is_empty() => {
                    r.references
                        .push((sys.trim().to_string(), id.trim().to_string()));
                }
                _ => return bad("reference needs <system>,<id>"),
            },
            "content" => {
                let (negated, pattern) = parse_content_value(need()?)?;
                r.payload.push(PayloadMatch::Content(Content {
                    pattern,
                    negated,
                    ..Content::default()
                }));
                self.last_content = Some(r.payload.len() - 1);
            }
            "pcre" => r.payload.push(PayloadMatch::Pcre(parse_pcre(need()?)?)),
            "byte_test" => r.payload.push(PayloadMatch::ByteTest(parse_byte_test(
                need()?,
                &self.extracted,
            )?)),
            "byte_jump" => r.payload.push(PayloadMatch::ByteJump(parse_byte_jump(
                need()?,
                &self.extracted,
            )?)),
            "byte_extract" => {
                let x = parse_byte_extract(need()?, &self.extracted)?;
                self.extracted.push(x.name.clone());
                r.payload.push(PayloadMatch::ByteExtract(x));
            }
            "isdataat" => r.payload.push(PayloadMatch::IsDataAt(parse_isdataat(
                need()?,
                &self.extracted,
            )?)),
            "flow" => parse_flow(need()?, &mut r.flow)?,
            "flowbits" => match parse_flowbits(need()?)? {
                Flowbits::NoAlert => r.noalert = true,
                Flowbits::Op(op) => r.flowbits.push(op),
            },
            "threshold" => {
                if r.threshold.replace(parse_threshold(need()?)?).is_some() {
                    return bad("threshold given twice");
                }
            }
            "detection_filter" => {
                if r.detection_filter
                    .replace(parse_detection_filter(need()?)?)
                    .is_some()
                {
                    return bad("detection_filter given twice");
                }
            }
            _ => return Err(ParseError::unsupported(kw)),
        }
        Ok(())
    }

    /// A content modifier: applies to the most recent content.
    fn modifier(&mut self, kw: &str, value: Option<&str>) -> PResult<()> {
        let Some(PayloadMatch::Content(content)) =
            self.last_content.and_then(|i| self.rule.payload.get_mut(i))
        else {
            return bad(format!("{kw} needs a preceding content"));
        };
        if kw == "fast_pattern" {
            if self.fast_pattern_seen {
                return bad("fast_pattern can be used on only one content in a rule");
            }
            self.fast_pattern_seen = true;
        }
        apply_modifier(content, kw, value, &self.extracted)
    }

    /// Final checks: the rule needs a sid, cannot combine threshold and detection_filter
    /// (as in Suricata), and each content's modifiers must agree.
    pub fn finish(mut self) -> PResult<Rule> {
        let Some(sid) = self.sid else {
            return bad("missing sid");
        };
        if self.rule.threshold.is_some() && self.rule.detection_filter.is_some() {
            return bad("threshold and detection_filter are not allowed in the same rule");
        }
        for m in &self.rule.payload {
            if let PayloadMatch::Content(c) = m {
                check_content(c)?;
            }
        }
        self.rule.sid = sid;
        Ok(self.rule)
    }
}

/// `isdataat:[!]<n|var>[,relative][,rawbytes]`.
fn parse_isdataat(value: &str, extracted: &[String]) -> PResult<IsDataAt> {
    let mut parts = value.split(',');
    let first = parts.next().unwrap_or("").trim();
    let (negated, pos) = match first.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, first),
    };
    let mut d = IsDataAt {
        offset: parse_value(pos, extracted, "isdataat")?,
        negated,
        relative: false,
    };
    for opt in parts.map(str::trim) {
        match opt {
            "relative" => d.relative = true,
            "rawbytes" => {}
            _ => return bad(format!("unknown isdataat option '{opt}'")),
        }
    }
    Ok(d)
}
