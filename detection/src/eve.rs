//! EVE JSON: Suricata's event format, one JSON object per line. The field names are Suricata's
//! (`timestamp`, `flow_id`, `pcap_cnt`, `event_type`, `src_ip`, `src_port`, `dest_ip`,
//! `dest_port`, `proto`, `alert.{action,gid,signature_id,rev,signature,category,severity}`) so
//! every EVE consumer (SIEM pipelines, suricata-verify's checks) reads ours unchanged.

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::engine::{AlertEvent, DropEvent, MlInfo, PacketMeta, RuleInfo};
use crate::time::Timestamp;

/// Formats a timestamp as Suricata does: `2026-01-01T00:00:01.123456+0000` (UTC).
pub fn format_timestamp(ts: Timestamp) -> String {
    let secs = ts.secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(32);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}+0000",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        ts.subsec_micros()
    );
    out
}

/// Days since 1970-01-01 to a (year, month, day) date (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The protocol name Suricata prints for an IP protocol number.
pub fn proto_name(proto: u8) -> String {
    match proto {
        1 => "ICMP".into(),
        2 => "IGMP".into(),
        6 => "TCP".into(),
        17 => "UDP".into(),
        47 => "GRE".into(),
        50 => "ESP".into(),
        51 => "AH".into(),
        58 => "IPv6-ICMP".into(),
        132 => "SCTP".into(),
        n => n.to_string(),
    }
}

/// The fields every packet event shares, in Suricata's order.
fn packet_fields(event_type: &str, p: &PacketMeta) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("timestamp".into(), format_timestamp(p.ts).into());
    if let Some(id) = p.flow_id {
        m.insert("flow_id".into(), id.into());
    }
    m.insert("pcap_cnt".into(), p.packet_no.into());
    m.insert("event_type".into(), event_type.into());
    m.insert("src_ip".into(), p.src_ip.to_string().into());
    if has_ports(p.proto) {
        m.insert("src_port".into(), p.src_port.into());
    }
    m.insert("dest_ip".into(), p.dest_ip.to_string().into());
    if has_ports(p.proto) {
        m.insert("dest_port".into(), p.dest_port.into());
    }
    m.insert("proto".into(), proto_name(p.proto).into());
    if let Some(to_server) = p.to_server {
        let dir = if to_server { "to_server" } else { "to_client" };
        m.insert("direction".into(), dir.into());
    }
    m
}

fn has_ports(proto: u8) -> bool {
    matches!(proto, 6 | 17 | 132)
}

fn flow_object(p: &PacketMeta) -> Value {
    json!({
        "pkts_toserver": p.flow_pkts[0],
        "pkts_toclient": p.flow_pkts[1],
        "bytes_toserver": p.flow_bytes[0],
        "bytes_toclient": p.flow_bytes[1],
        "start": format_timestamp(p.flow_start),
    })
}

fn alert_object(rule: &RuleInfo, blocked: bool) -> Value {
    json!({
        "action": if blocked { "blocked" } else { "allowed" },
        "gid": rule.gid,
        "signature_id": rule.sid,
        "rev": rule.rev,
        "signature": &*rule.msg,
        "category": &*rule.category,
        "severity": rule.severity,
    })
}

/// The `ml` object of an anomaly alert (Portcullis' own; Suricata's `anomaly` event type means
/// decoder anomalies, so it is not reused).
fn ml_object(ml: &MlInfo) -> Value {
    let top: Vec<Value> = ml
        .top_features
        .iter()
        .map(|t| json!({"name": t.name, "value": t.value, "z": t.z}))
        .collect();
    json!({
        "score": ml.score,
        "threshold": ml.threshold,
        "model_version": &*ml.model_version,
        "action": ml.action.name(),
        "top_features": top,
    })
}

/// One `alert` record.
pub fn alert_record(a: &AlertEvent) -> Value {
    let mut m = packet_fields("alert", &a.packet);
    m.insert("alert".into(), alert_object(&a.rule, a.blocked));
    if let Some(ml) = &a.ml {
        m.insert("ml".into(), ml_object(ml));
    }
    if a.packet.flow_id.is_some() {
        m.insert("flow".into(), flow_object(&a.packet));
    }
    Value::Object(m)
}

/// One `drop` record.
pub fn drop_record(d: &DropEvent) -> Value {
    let mut m = packet_fields("drop", &d.packet);
    let mut drop = Map::new();
    drop.insert("len".into(), d.len.into());
    drop.insert("tos".into(), d.tos.into());
    drop.insert("ttl".into(), d.ttl.into());
    drop.insert("ipid".into(), d.ip_id.into());
    if let Some((seq, ack, win, flags)) = d.tcp {
        use crate::decode::tcp_flags::*;
        drop.insert("tcpseq".into(), seq.into());
        drop.insert("tcpack".into(), ack.into());
        drop.insert("tcpwin".into(), win.into());
        for (name, bit) in [
            ("syn", SYN),
            ("ack", ACK),
            ("psh", PSH),
            ("rst", RST),
            ("urg", URG),
            ("fin", FIN),
        ] {
            drop.insert(name.into(), (flags & bit != 0).into());
        }
    }
    let reason = if d.rule.is_some() {
        "rules"
    } else {
        "flow drop"
    };
    drop.insert("reason".into(), reason.into());
    m.insert("drop".into(), Value::Object(drop));
    if let Some(rule) = &d.rule {
        m.insert("alert".into(), alert_object(rule, true));
    }
    if d.packet.flow_id.is_some() {
        m.insert("flow".into(), flow_object(&d.packet));
    }
    Value::Object(m)
}

/// The final `stats` record wrapping a counters object.
pub fn stats_record(ts: Timestamp, uptime_secs: u64, stats: Value) -> Value {
    let mut counters = match stats {
        Value::Object(m) => m,
        other => {
            let mut m = Map::new();
            m.insert("counters".into(), other);
            m
        }
    };
    counters.insert("uptime".into(), uptime_secs.into());
    json!({
        "timestamp": format_timestamp(ts),
        "event_type": "stats",
        "stats": Value::Object(counters),
    })
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};
    use std::sync::Arc;

    use super::*;

    fn meta() -> PacketMeta {
        PacketMeta {
            ts: Timestamp::from_secs_micros(1_767_225_601, 42),
            packet_no: 7,
            flow_id: Some(99),
            src_ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            src_port: 1234,
            dest_ip: IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1)),
            dest_port: 80,
            proto: 6,
            to_server: Some(true),
            flow_pkts: [3, 2],
            flow_bytes: [300, 200],
            flow_start: Timestamp::from_secs_micros(1_767_225_600, 0),
        }
    }

    #[test]
    fn timestamps_are_suricata_format() {
        assert_eq!(
            format_timestamp(Timestamp::from_secs_micros(0, 0)),
            "1970-01-01T00:00:00.000000+0000"
        );
        assert_eq!(
            format_timestamp(Timestamp::from_secs_micros(1_767_225_601, 42)),
            "2026-01-01T00:00:01.000042+0000"
        );
        assert_eq!(
            format_timestamp(Timestamp::from_secs_micros(951_827_696, 999_999)),
            "2000-02-29T12:34:56.999999+0000"
        );
    }

    #[test]
    fn alert_record_has_suricata_fields() {
        let a = AlertEvent {
            packet: meta(),
            rule: RuleInfo {
                gid: 1,
                sid: 2100498,
                rev: 7,
                msg: Arc::from("GPL ATTACK_RESPONSE id check returned root"),
                category: Arc::from("Potentially Bad Traffic"),
                severity: 2,
            },
            blocked: false,
            stream_match: true,
            ml: None,
        };
        let v = alert_record(&a);
        assert_eq!(v["event_type"], "alert");
        assert_eq!(v["flow_id"], 99);
        assert_eq!(v["pcap_cnt"], 7);
        assert_eq!(v["src_ip"], "10.0.0.1");
        assert_eq!(v["dest_port"], 80);
        assert_eq!(v["proto"], "TCP");
        assert_eq!(v["direction"], "to_server");
        assert_eq!(v["alert"]["action"], "allowed");
        assert_eq!(v["alert"]["signature_id"], 2100498);
        assert_eq!(v["alert"]["severity"], 2);
        assert_eq!(v["flow"]["bytes_toclient"], 200);
        assert_eq!(v["timestamp"], "2026-01-01T00:00:01.000042+0000");
    }

    #[test]
    fn drop_record_has_tcp_fields_and_icmp_has_no_ports() {
        let mut p = meta();
        let d = DropEvent {
            packet: p.clone(),
            len: 60,
            ttl: 64,
            tos: 0,
            ip_id: 5,
            tcp: Some((1, 2, 512, 0x18)),
            rule: None,
            source_blocked: false,
        };
        let v = drop_record(&d);
        assert_eq!(v["event_type"], "drop");
        assert_eq!(v["drop"]["psh"], true);
        assert_eq!(v["drop"]["syn"], false);
        assert_eq!(v["drop"]["tcpwin"], 512);
        assert_eq!(v["drop"]["reason"], "flow drop");
        assert!(v.get("alert").is_none());
        p.proto = 1;
        let v = drop_record(&DropEvent { packet: p, ..d });
        assert!(v.get("src_port").is_none());
        assert_eq!(v["proto"], "ICMP");
    }
}
