//! The label file: which flows of which capture are attacks.
//!
//! CSV with the header `capture,src_ip,start_epoch,end_epoch,attack` (the lab generator's
//! contract). `capture` is a capture's file name, times are epoch seconds (fractions allowed),
//! `src_ip` is an address or `*`. A flow is an attack of type `attack` when one of its
//! endpoints is `src_ip` (any with `*`) and it starts inside `[start_epoch, end_epoch]`; the
//! first matching row wins; every other flow is benign. Blank lines are ignored.

use std::net::IpAddr;
use std::path::Path;

/// The header a label file must start with.
pub const HEADER: &str = "capture,src_ip,start_epoch,end_epoch,attack";

/// One row.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Capture file name.
    pub capture: String,
    /// Attacker address; `None` for `*`.
    pub src_ip: Option<IpAddr>,
    /// Window start, epoch seconds.
    pub start: f64,
    /// Window end, epoch seconds (inclusive).
    pub end: f64,
    /// Attack type.
    pub attack: String,
}

/// All rows of a label file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels {
    rows: Vec<Label>,
}

impl Labels {
    /// Reads and parses a label file.
    pub fn load(path: &Path) -> Result<Labels, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Labels::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses label CSV text.
    pub fn parse(text: &str) -> Result<Labels, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, h)) if h.trim().trim_start_matches('\u{feff}') == HEADER => {}
            _ => return Err(format!("line 1: expected the header {HEADER:?}")),
        }
        let rows = lines
            .map(|(i, line)| parse_row(line).map_err(|e| format!("line {}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Labels { rows })
    }

    /// The rows, in file order.
    pub fn rows(&self) -> &[Label] {
        &self.rows
    }

    /// The attack type of a flow of `capture` between `a` and `b` starting at `start` (epoch
    /// seconds), or `None` when benign.
    pub fn attack_of(&self, capture: &str, a: IpAddr, b: IpAddr, start: f64) -> Option<&str> {
        self.rows
            .iter()
            .find(|l| {
                l.capture == capture
                    && l.src_ip.map_or(true, |ip| ip == a || ip == b)
                    && (l.start..=l.end).contains(&start)
            })
            .map(|l| l.attack.as_str())
    }
}

fn parse_row(line: &str) -> Result<Label, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [capture, src, start, end, attack] = fields[..] else {
        return Err(format!("expected 5 fields, found {}", fields.len()));
    };
    let src_ip = match src {
        "*" => None,
        s => Some(
            s.parse::<IpAddr>()
                .map_err(|_| format!("src_ip {s:?} is not an address or *"))?,
        ),
    };
    let time = |s: &str, what: &str| {
        s.parse::<f64>()
            .ok()
            .filter(|t| t.is_finite())
            .ok_or_else(|| format!("{what} {s:?} is not a number"))
    };
    let (start, end) = (time(start, "start_epoch")?, time(end, "end_epoch")?);
    if end < start {
        return Err("end_epoch is before start_epoch".into());
    }
    if capture.is_empty() || attack.is_empty() {
        return Err("capture and attack must not be empty".into());
    }
    Ok(Label {
        capture: capture.to_string(),
        src_ip,
        start,
        end,
        attack: attack.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "capture,src_ip,start_epoch,end_epoch,attack
lab1.pcap,198.18.0.66,100.5,200,nmap-syn

lab1.pcap,*,300,300.25,synflood
lab2.pcap,2001:db8::1,0,10,ssh-brute
";

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_rows() {
        let l = Labels::parse(CSV).unwrap();
        assert_eq!(l.rows().len(), 3);
        assert_eq!(
            l.rows()[0],
            Label {
                capture: "lab1.pcap".into(),
                src_ip: Some(ip("198.18.0.66")),
                start: 100.5,
                end: 200.0,
                attack: "nmap-syn".into(),
            }
        );
        assert_eq!(l.rows()[1].src_ip, None);
        assert_eq!(l.rows()[2].src_ip, Some(ip("2001:db8::1")));
    }

    #[test]
    fn matches_endpoint_window_and_capture() {
        let l = Labels::parse(CSV).unwrap();
        let (att, vic, other) = (ip("198.18.0.66"), ip("198.18.1.1"), ip("198.18.2.2"));
        assert_eq!(l.attack_of("lab1.pcap", att, vic, 100.5), Some("nmap-syn"));
        // Either endpoint: the reply direction's client can be the victim.
        assert_eq!(l.attack_of("lab1.pcap", vic, att, 200.0), Some("nmap-syn"));
        assert_eq!(l.attack_of("lab1.pcap", att, vic, 100.4), None);
        assert_eq!(l.attack_of("lab1.pcap", vic, other, 150.0), None);
        assert_eq!(l.attack_of("lab2.pcap", att, vic, 150.0), None);
        // `*` matches any endpoint.
        assert_eq!(
            l.attack_of("lab1.pcap", vic, other, 300.25),
            Some("synflood")
        );
        assert_eq!(
            l.attack_of("lab2.pcap", ip("2001:db8::1"), vic, 10.0),
            Some("ssh-brute")
        );
    }

    #[test]
    fn rejects_bad_files() {
        assert_eq!(
            Labels::parse("a,b\n").unwrap_err(),
            format!("line 1: expected the header {HEADER:?}")
        );
        let bad = |row: &str| Labels::parse(&format!("{HEADER}\n{row}\n")).unwrap_err();
        assert_eq!(bad("x,1.2.3.4,1,2"), "line 2: expected 5 fields, found 4");
        assert_eq!(
            bad("x,host,1,2,a"),
            "line 2: src_ip \"host\" is not an address or *"
        );
        assert_eq!(
            bad("x,*,NaN,2,a"),
            "line 2: start_epoch \"NaN\" is not a number"
        );
        assert_eq!(bad("x,*,3,2,a"), "line 2: end_epoch is before start_epoch");
        assert_eq!(Labels::parse(HEADER).unwrap().rows().len(), 0);
    }
}
