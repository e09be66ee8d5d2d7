//! `flow:` and `flowbits:`.

use super::ast::{FlowOpts, FlowbitOp};
use super::error::{bad, PResult, ParseError};

/// `flow:<opt>[,<opt>...]`. Conflicting pairs (both directions, established with
/// not_established/stateless, only_stream with no_stream) are errors, as in Suricata.
/// `only_frag`/`no_frag` are valid Suricata but unsupported here.
pub fn parse_flow(value: &str, flow: &mut FlowOpts) -> PResult<()> {
    for opt in value.split(',').map(str::trim) {
        let slot = match opt.to_ascii_lowercase().as_str() {
            "established" => &mut flow.established,
            "not_established" => &mut flow.not_established,
            "stateless" => &mut flow.stateless,
            "to_server" | "from_client" => &mut flow.to_server,
            "to_client" | "from_server" => &mut flow.to_client,
            "only_stream" => &mut flow.only_stream,
            "no_stream" => &mut flow.no_stream,
            "only_frag" | "no_frag" => return Err(ParseError::unsupported(format!("flow:{opt}"))),
            _ => return bad(format!("unknown flow option '{opt}'")),
        };
        *slot = true;
    }
    let state_count = [flow.established, flow.not_established, flow.stateless]
        .iter()
        .filter(|b| **b)
        .count();
    if state_count > 1 {
        return bad("flow states established/not_established/stateless are exclusive");
    }
    if flow.to_server && flow.to_client {
        return bad("flow cannot be both to_server and to_client");
    }
    if flow.only_stream && flow.no_stream {
        return bad("flow cannot be both only_stream and no_stream");
    }
    Ok(())
}

/// What a `flowbits` option parsed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flowbits {
    /// `flowbits:noalert`.
    NoAlert,
    /// Any other form.
    Op(FlowbitOp),
}

/// `flowbits:<set|unset|toggle|isset|isnotset>,<names>` or `flowbits:noalert`. Names are
/// joined by `|` (any) or `&` (all); set/unset/toggle accept `&` only.
pub fn parse_flowbits(value: &str) -> PResult<Flowbits> {
    let (cmd, names) = match value.split_once(',') {
        Some((c, n)) => (c.trim(), Some(n.trim())),
        None => (value.trim(), None),
    };
    let cmd = cmd.to_ascii_lowercase();
    if cmd == "noalert" {
        return match names {
            None => Ok(Flowbits::NoAlert),
            Some(_) => bad("flowbits:noalert takes no name"),
        };
    }
    let Some(names) = names else {
        return bad(format!("flowbits:{cmd} needs a name"));
    };
    let any = names.contains('|');
    let all = names.contains('&');
    if any && all {
        return bad(format!("flowbits '{names}' mixes '|' and '&'"));
    }
    let list: Vec<String> = names
        .split(['|', '&'])
        .map(|n| n.trim().to_string())
        .collect();
    if list
        .iter()
        .any(|n| n.is_empty() || n.contains(char::is_whitespace) || n.contains(','))
    {
        return bad(format!("invalid flowbit name in '{names}'"));
    }
    let op = match cmd.as_str() {
        "isset" => FlowbitOp::IsSet(list, all),
        "isnotset" => FlowbitOp::IsNotSet(list, all),
        "set" | "unset" | "toggle" if any => return bad(format!("flowbits:{cmd} cannot use '|'")),
        "set" => FlowbitOp::Set(list),
        "unset" => FlowbitOp::Unset(list),
        "toggle" => FlowbitOp::Toggle(list),
        _ => return bad(format!("unknown flowbits command '{cmd}'")),
    };
    Ok(Flowbits::Op(op))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_options() {
        let mut f = FlowOpts::default();
        parse_flow("to_server, established", &mut f).unwrap();
        assert_eq!(
            f,
            FlowOpts {
                established: true,
                to_server: true,
                ..FlowOpts::default()
            }
        );
        let mut f = FlowOpts::default();
        parse_flow("from_server,not_established,only_stream", &mut f).unwrap();
        assert!(f.to_client && f.not_established && f.only_stream);
        let mut f = FlowOpts::default();
        parse_flow("stateless,no_stream,from_client", &mut f).unwrap();
        assert!(f.stateless && f.no_stream && f.to_server);
    }

    #[test]
    fn flow_errors() {
        let e = |s| parse_flow(s, &mut FlowOpts::default()).unwrap_err();
        assert_eq!(
            e("to_server,wat"),
            ParseError::malformed("unknown flow option 'wat'")
        );
        assert_eq!(
            e("to_server,to_client"),
            ParseError::malformed("flow cannot be both to_server and to_client")
        );
        assert_eq!(
            e("established,stateless"),
            ParseError::malformed(
                "flow states established/not_established/stateless are exclusive"
            )
        );
        assert_eq!(
            e("only_stream,no_stream"),
            ParseError::malformed("flow cannot be both only_stream and no_stream")
        );
        assert_eq!(e("only_frag"), ParseError::unsupported("flow:only_frag"));
    }

    #[test]
    fn flowbits_forms() {
        let op = |s| match parse_flowbits(s).unwrap() {
            Flowbits::Op(op) => op,
            Flowbits::NoAlert => panic!("unexpected noalert"),
        };
        assert_eq!(parse_flowbits("noalert").unwrap(), Flowbits::NoAlert);
        assert_eq!(
            op("set,smtp.helo.found"),
            FlowbitOp::Set(vec!["smtp.helo.found".into()])
        );
        assert_eq!(op("set, a&b"), FlowbitOp::Set(vec!["a".into(), "b".into()]));
        assert_eq!(op("unset,a"), FlowbitOp::Unset(vec!["a".into()]));
        assert_eq!(op("toggle,a"), FlowbitOp::Toggle(vec!["a".into()]));
        assert_eq!(
            op("isset,fb3|fb4"),
            FlowbitOp::IsSet(vec!["fb3".into(), "fb4".into()], false)
        );
        assert_eq!(
            op("isset,a&b"),
            FlowbitOp::IsSet(vec!["a".into(), "b".into()], true)
        );
        assert_eq!(
            op("isnotset, fb1|fb2 "),
            FlowbitOp::IsNotSet(vec!["fb1".into(), "fb2".into()], false)
        );
    }

    #[test]
    fn flowbits_errors() {
        let e = |s| parse_flowbits(s).unwrap_err();
        assert_eq!(e("set"), ParseError::malformed("flowbits:set needs a name"));
        assert_eq!(
            e("set,a|b"),
            ParseError::malformed("flowbits:set cannot use '|'")
        );
        assert_eq!(
            e("isset,a|b&c"),
            ParseError::malformed("flowbits 'a|b&c' mixes '|' and '&'")
        );
        assert_eq!(
            e("isset,a|"),
            ParseError::malformed("invalid flowbit name in 'a|'")
        );
        assert_eq!(
            e("flip,a"),
            ParseError::malformed("unknown flowbits command 'flip'")
        );
        assert_eq!(
            e("noalert,a"),
            ParseError::malformed("flowbits:noalert takes no name")
        );
    }
}
