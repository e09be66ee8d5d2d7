//! `threshold:` and `detection_filter:`: comma-separated `name value` pairs in any order.

use super::ast::{DetectionFilter, Threshold, ThresholdKind, TrackBy};
use super::error::{bad, PResult, ParseError};
use super::num::parse_bounded;

/// The pairs both keywords share.
#[derive(Default)]
struct Pairs {
    kind: Option<ThresholdKind>,
    track: Option<TrackBy>,
    count: Option<u32>,
    seconds: Option<u32>,
}

/// Reads `type`, `track`, `count`, `seconds` pairs; `type` only when `with_type`.
fn parse_pairs(value: &str, kw: &str, with_type: bool) -> PResult<Pairs> {
    let mut p = Pairs::default();
    for item in value.split(',').map(str::trim) {
        let Some((name, arg)) = item.split_once(char::is_whitespace) else {
            return bad(format!("{kw} item '{item}' needs a value"));
        };
        let arg = arg.trim();
        let duplicate = match name {
            "type" if with_type => {
                let kind = match arg {
                    "limit" => ThresholdKind::Limit,
                    "threshold" => ThresholdKind::Threshold,
                    "both" => ThresholdKind::Both,
                    "backoff" => return Err(ParseError::unsupported(format!("{kw} type backoff"))),
                    _ => return bad(format!("unknown {kw} type '{arg}'")),
                };
                p.kind.replace(kind).is_some()
            }
            "track" => {
                let track = match arg {
                    "by_src" => TrackBy::Src,
                    "by_dst" => TrackBy::Dst,
                    "by_rule" => TrackBy::Rule,
                    "by_both" => TrackBy::Both,
                    "by_flow" => {
                        return Err(ParseError::unsupported(format!("{kw} track by_flow")))
                    }
                    _ => return bad(format!("unknown {kw} track '{arg}'")),
                };
                p.track.replace(track).is_some()
            }
            "count" => {
                let n = parse_bounded(arg, u32::MAX.into(), &format!("{kw} count"))? as u32;
                p.count.replace(n).is_some()
            }
            "seconds" => {
                let n = parse_bounded(arg, u32::MAX.into(), &format!("{kw} seconds"))? as u32;
                p.seconds.replace(n).is_some()
            }
            _ => return bad(format!("unknown {kw} item '{name}'")),
        };
        if duplicate {
            return bad(format!("{kw} item '{name}' given twice"));
        }
    }
    Ok(p)
}

/// Error for a missing pair.
fn missing<T>(kw: &str, what: &str) -> PResult<T> {
    bad(format!("{kw} needs {what}"))
}

/// `threshold: type <limit|threshold|both>, track <by_src|by_dst|by_rule|by_both>, count <n>,
/// seconds <n>`.
pub fn parse_threshold(value: &str) -> PResult<Threshold> {
    const KW: &str = "threshold";
    let p = parse_pairs(value, KW, true)?;
    Ok(Threshold {
        kind: p.kind.map_or_else(|| missing(KW, "type"), Ok)?,
        track: p.track.map_or_else(|| missing(KW, "track"), Ok)?,
        count: p.count.map_or_else(|| missing(KW, "count"), Ok)?,
        seconds: p.seconds.map_or_else(|| missing(KW, "seconds"), Ok)?,
    })
}

/// `detection_filter: track <by_src|by_dst|...>, count <n>, seconds <n>`.
pub fn parse_detection_filter(value: &str) -> PResult<DetectionFilter> {
    const KW: &str = "detection_filter";
    let p = parse_pairs(value, KW, false)?;
    Ok(DetectionFilter {
        track: p.track.map_or_else(|| missing(KW, "track"), Ok)?,
        count: p.count.map_or_else(|| missing(KW, "count"), Ok)?,
        seconds: p.seconds.map_or_else(|| missing(KW, "seconds"), Ok)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_any_order() {
        assert_eq!(
            parse_threshold("type limit, track by_src, count 1, seconds 60").unwrap(),
            Threshold {
                kind: ThresholdKind::Limit,
                track: TrackBy::Src,
                count: 1,
                seconds: 60
            }
        );
        assert_eq!(
            parse_threshold("seconds 5,count 10 , track by_both,type both").unwrap(),
            Threshold {
                kind: ThresholdKind::Both,
                track: TrackBy::Both,
                count: 10,
                seconds: 5
            }
        );
        let t = parse_threshold("type threshold, track by_rule, count 3, seconds 1").unwrap();
        assert_eq!((t.kind, t.track), (ThresholdKind::Threshold, TrackBy::Rule));
    }

    #[test]
    fn detection_filter_form() {
        assert_eq!(
            parse_detection_filter("track by_dst, count 5, seconds 60").unwrap(),
            DetectionFilter {
                track: TrackBy::Dst,
                count: 5,
                seconds: 60
            }
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_threshold("type limit, track by_src, count 1").unwrap_err(),
            ParseError::malformed("threshold needs seconds")
        );
        assert_eq!(
            parse_threshold("type lots, track by_src, count 1, seconds 1").unwrap_err(),
            ParseError::malformed("unknown threshold type 'lots'")
        );
        assert_eq!(
            parse_threshold("type limit, type limit").unwrap_err(),
            ParseError::malformed("threshold item 'type' given twice")
        );
        assert_eq!(
            parse_threshold("type backoff, track by_flow").unwrap_err(),
            ParseError::unsupported("threshold type backoff")
        );
        assert_eq!(
            parse_detection_filter("type limit, track by_src, count 1, seconds 1").unwrap_err(),
            ParseError::malformed("unknown detection_filter item 'type'")
        );
        assert_eq!(
            parse_detection_filter("track by_src, count x, seconds 1").unwrap_err(),
            ParseError::malformed("invalid detection_filter count value 'x'")
        );
        assert_eq!(
            parse_detection_filter("track by_src, count").unwrap_err(),
            ParseError::malformed("detection_filter item 'count' needs a value")
        );
    }
}
