//! Scripts of the benign conversations: web page loads, DNS lookups, HTTPS sessions, pings and
//! NTP polls. None of them may match a demo rule. Each script starts at a given time (in
//! microseconds into the capture) and writes its frames into the [`World`]'s trace.

use super::dns::{self, Rdata};
use super::http;
use super::ntp;
use super::prng::Prng;
use super::tcp::{Side, TcpConn};
use super::tls;
use super::trace::EPOCH_SECS;
use super::wire::{icmp_echo_frame, udp_frame, Endpoint};
use super::world::{Site, World};

/// Browser and tool identities of the workstations.
const USER_AGENTS: [&str; 3] = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "curl/8.5.0",
];

/// One request/response pair on a web connection: the request bytes and the parts of the
/// response; the response's `Date` is stamped when the server sends it.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    /// The complete request.
    pub(crate) request: Vec<u8>,
    /// Status code and reason phrase.
    pub(crate) status: (u16, &'static str),
    /// Response headers other than Date, Server and Content-Length.
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Response body.
    pub(crate) body: Vec<u8>,
    /// When set, the client sends the request as two segments split at this byte offset (the
    /// evasion trick that only stream reassembly defeats); otherwise in MSS-sized segments.
    pub(crate) split_at: Option<usize>,
}

/// What a benign web exchange fetches.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resource {
    /// An HTML page of at least this many bytes.
    Page(&'static str, usize),
    /// A JSON catalogue page with this many items.
    Catalogue(u32, usize),
    /// A JSON login POST.
    Login,
    /// The site's style sheet of at least this many bytes.
    Style(usize),
    /// An image of exactly this many bytes.
    Image(&'static str, usize),
    /// A conditional GET answered 304.
    Revalidate(&'static str),
    /// A missing favicon, answered 404.
    Missing,
}

/// Entity tag of the cached copy that [`Resource::Revalidate`] asks about.
const CACHED_ETAG: &str = "\"65f1c2a0-1a2b\"";

/// The content of one benign exchange before headers are added.
struct Fetch {
    method: &'static str,
    target: String,
    accept: &'static str,
    request_body: Vec<u8>,
    status: (u16, &'static str),
    content_type: &'static str,
    body: Vec<u8>,
}

impl Fetch {
    /// A GET of `target` answered 200 with `body` of `content_type`.
    fn get(
        target: String,
        accept: &'static str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Self {
        Fetch {
            method: "GET",
            target,
            accept,
            request_body: vec![],
            status: (200, "OK"),
            content_type,
            body,
        }
    }
}

/// nginx's stock 404 page.
const NOT_FOUND_PAGE: &[u8] = b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n\
<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";

impl Resource {
    /// What fetching this resource from `site` sends and receives.
    fn fetch(self, rng: &mut Prng, site: &Site) -> Fetch {
        const HTML: &str = "text/html; charset=utf-8";
        const JSON: &str = "application/json";
        const PAGE_ACCEPT: &str = "text/html,application/xhtml+xml";
        const IMAGE_ACCEPT: &str = "image/avif,image/webp,*/*";
        match self {
            Resource::Page(path, size) => {
                let title = format!("{} | {}", site.name, path.trim_matches('/'));
                Fetch::get(
                    path.into(),
                    PAGE_ACCEPT,
                    HTML,
                    http::html_page(rng, &title, size),
                )
            }
            Resource::Catalogue(page, items) => {
                let target = format!("/api/v1/items?page={page}&per_page={items}");
                Fetch::get(target, JSON, JSON, http::json_items(rng, page, items))
            }
            Resource::Login => {
                let token: String = rng.bytes(24).iter().map(|b| format!("{b:02x}")).collect();
                Fetch {
                    method: "POST",
                    target: "/api/v1/session".into(),
                    accept: JSON,
                    request_body: br#"{"username":"alice","password":"correct-horse-battery","remember":true}"#.to_vec(),
                    status: (201, "Created"),
                    content_type: JSON,
                    body: format!("{{\"token\":\"{token}\",\"expires_in\":3600}}").into_bytes(),
                }
            }
            Resource::Style(size) => Fetch::get(
                "/assets/site.css".into(),
                "text/css,*/*;q=0.1",
                "text/css",
                http::stylesheet(rng, size),
            ),
            Resource::Image(path, size) => Fetch::get(
                path.into(),
                IMAGE_ACCEPT,
                "image/png",
                http::image(rng, size),
            ),
            Resource::Revalidate(path) => Fetch {
                status: (304, "Not Modified"),
                content_type: "",
                ..Fetch::get(path.into(), PAGE_ACCEPT, "", vec![])
            },
            Resource::Missing => Fetch {
                status: (404, "Not Found"),
                ..Fetch::get(
                    "/favicon.ico".into(),
                    IMAGE_ACCEPT,
                    HTML,
                    NOT_FOUND_PAGE.to_vec(),
                )
            },
        }
    }
}

/// Builds the exchange that fetches `resource` from `site`, with browser and nginx headers.
fn exchange(
    world: &mut World,
    site: &Site,
    agent: &'static str,
    resource: Resource,
    close: bool,
) -> Exchange {
    let fetch = resource.fetch(&mut world.rng, site);
    let connection = if close { "close" } else { "keep-alive" };
    let mut headers = vec![
        ("User-Agent", agent),
        ("Accept", fetch.accept),
        ("Accept-Language", "en-US,en;q=0.8"),
        ("Connection", connection),
    ];
    if !fetch.request_body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    let revalidating = matches!(resource, Resource::Revalidate(_));
    if revalidating {
        headers.push(("If-None-Match", CACHED_ETAG));
    }
    let request = http::request(
        fetch.method,
        site.name,
        &fetch.target,
        &headers,
        &fetch.request_body,
    );
    let mut reply_headers = Vec::new();
    if !fetch.content_type.is_empty() {
        reply_headers.push(("Content-Type", fetch.content_type.to_string()));
    }
    if fetch.status.0 != 404 {
        let etag = if revalidating {
            CACHED_ETAG.to_string()
        } else {
            format!("\"{:x}-{:x}\"", world.rng.next_u32(), fetch.body.len())
        };
        reply_headers.push(("ETag", etag));
        reply_headers.push(("Cache-Control", "max-age=600".to_string()));
    }
    reply_headers.push(("Connection", connection.to_string()));
    Exchange {
        request,
        status: fetch.status,
        headers: reply_headers,
        body: fetch.body,
        split_at: None,
    }
}

/// A web connection from `client` to `site` port 80 carrying `exchanges` in order; the side that
/// asked for `Connection: close` closes it (the server after a `close` response, otherwise the
/// client when it is done).
pub(crate) fn web_connection(
    world: &mut World,
    at: u64,
    client: Endpoint,
    site: &Site,
    exchanges: &[Exchange],
) {
    let port = world.client_port();
    let mut conn = TcpConn::open(
        &mut world.trace,
        &mut world.rng,
        (client, site.endpoint()),
        (port, 80),
        at,
        site.rtt,
    );
    let mut server_closes = false;
    for ex in exchanges {
        conn.wait(world.rng.range(300, 4_000));
        match ex.split_at {
            Some(at) => {
                let (head, tail) = ex.request.split_at(at);
                conn.send_chunks(&mut world.trace, Side::Client, &[head, tail]);
            }
            None => conn.send(&mut world.trace, Side::Client, &ex.request),
        }
        conn.wait(site.rtt + world.rng.range(400, 25_000));
        let headers: Vec<(&str, &str)> = ex.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let response = http::response(conn.now(), ex.status.0, ex.status.1, &headers, &ex.body);
        conn.send(&mut world.trace, Side::Server, &response);
        server_closes = ex
            .headers
            .iter()
            .any(|(n, v)| *n == "Connection" && v == "close");
    }
    if server_closes {
        conn.wait(90);
        conn.close(&mut world.trace, Side::Server);
    } else {
        conn.wait(world.rng.range(50_000, 400_000));
        conn.close(&mut world.trace, Side::Client);
    }
}

/// A benign page load: fetches `resources` from `site` on one connection (keep-alive between
/// them, `Connection: close` on the last when `close_last`).
pub(crate) fn web_visit(
    world: &mut World,
    at: u64,
    client: Endpoint,
    site: &Site,
    resources: &[Resource],
    close_last: bool,
) {
    let agent = USER_AGENTS[usize::from(client.ip[3]) % USER_AGENTS.len()];
    let exchanges: Vec<Exchange> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            exchange(
                world,
                site,
                agent,
                *r,
                close_last && i + 1 == resources.len(),
            )
        })
        .collect();
    web_connection(world, at, client, site, &exchanges);
}

/// One DNS lookup over UDP: `client` asks the resolver for `name`/`qtype`, the resolver answers
/// with `answers` one round trip (plus its own lookup time) later.
pub(crate) fn dns_lookup(
    world: &mut World,
    at: u64,
    client: Endpoint,
    resolver: &Site,
    query: (&str, u16),
    answers: &[Rdata],
) {
    world.trace.new_flow();
    let (name, qtype) = query;
    let port = world.client_port();
    let id = world.rng.next_u16();
    let server = resolver.endpoint();
    let q = dns::query(id, name, qtype);
    let ip_id = world.rng.next_u16();
    world
        .trace
        .push(at, udp_frame(&client, &server, ip_id, (port, 53), &q));
    let r = dns::response(id, name, qtype, answers, world.rng.range(60, 3600) as u32);
    let answered = at + resolver.rtt + world.rng.range(200, 30_000);
    let ip_id = world.rng.next_u16();
    world
        .trace
        .push(answered, udp_frame(&server, &client, ip_id, (53, port), &r));
}

/// A resolver answer for `site`: its A or AAAA record.
pub(crate) fn site_records(site: &Site, qtype: u16) -> Vec<Rdata> {
    if qtype == dns::TYPE_AAAA {
        vec![Rdata::Aaaa(site.ip6)]
    } else {
        vec![Rdata::A(site.ip)]
    }
}

/// An HTTPS session to `site`: full TLS 1.2 handshake, `requests` encrypted request/response
/// pairs, close_notify, client FIN.
pub(crate) fn tls_session(
    world: &mut World,
    at: u64,
    client: Endpoint,
    site: &Site,
    requests: usize,
) {
    let port = world.client_port();
    let mut conn = TcpConn::open(
        &mut world.trace,
        &mut world.rng,
        (client, site.endpoint()),
        (port, 443),
        at,
        site.rtt,
    );
    let rtt = site.rtt;
    let hello = tls::client_hello(&mut world.rng, site.name);
    let flight = tls::server_hello_flight(&mut world.rng);
    conn.wait(200);
    conn.exchange(&mut world.trace, &hello, &flight, 900);
    let kx = tls::client_key_exchange_flight(&mut world.rng);
    let fin = tls::server_finished_flight(&mut world.rng);
    conn.wait(1_200);
    conn.exchange(&mut world.trace, &kx, &fin, 300);
    for _ in 0..requests {
        let req_len = world.rng.range(380, 900) as usize;
        let resp_len = world.rng.range(600, 48_000) as usize;
        let request = tls::application_data(&mut world.rng, req_len);
        let response = tls::application_data(&mut world.rng, resp_len);
        conn.wait(world.rng.range(500, 3_000));
        conn.exchange(
            &mut world.trace,
            &request,
            &response,
            world.rng.range(2_000, 40_000),
        );
    }
    conn.wait(world.rng.range(100_000, 600_000));
    let alert = tls::close_notify(&mut world.rng);
    conn.send(&mut world.trace, Side::Client, &alert);
    conn.wait(rtt + 100);
    conn.close(&mut world.trace, Side::Client);
}

/// A Linux `ping -c count`: echo requests one second apart with the 56-byte payload of iputils
/// (a timeval, then bytes 0x10..0x37), each answered one round trip later.
pub(crate) fn ping(world: &mut World, at: u64, client: Endpoint, target: &Site, count: u16) {
    world.trace.new_flow();
    let ident = world.rng.next_u16();
    let server = target.endpoint();
    let mut ip_id = world.rng.next_u16();
    for seq in 1..=count {
        let sent = at + u64::from(seq - 1) * 1_000_000 + world.rng.range(0, 300);
        let mut payload = (EPOCH_SECS + sent / 1_000_000).to_le_bytes().to_vec();
        payload.extend_from_slice(&(sent % 1_000_000).to_le_bytes());
        payload.extend(0x10u8..0x38);
        world.trace.push(
            sent,
            icmp_echo_frame(&client, &server, ip_id, false, (ident, seq), &payload),
        );
        let back = sent + target.rtt + world.rng.range(0, 900);
        world.trace.push(
            back,
            icmp_echo_frame(
                &server,
                &client,
                world.rng.next_u16(),
                true,
                (ident, seq),
                &payload,
            ),
        );
        ip_id = ip_id.wrapping_add(1);
    }
}

/// One SNTP poll of `server` from an ephemeral port (systemd-timesyncd).
pub(crate) fn ntp_poll(world: &mut World, at: u64, client: Endpoint, server: &Site) {
    world.trace.new_flow();
    let port = world.client_port();
    let far = server.endpoint();
    let received = at + server.rtt / 2;
    let replied = received + world.rng.range(20, 120);
    let ip_id = world.rng.next_u16();
    world.trace.push(
        at,
        udp_frame(&client, &far, ip_id, (port, 123), &ntp::request(at)),
    );
    let back = ntp::response(at, received, replied);
    let ip_id = world.rng.next_u16();
    world.trace.push(
        replied + server.rtt / 2,
        udp_frame(&far, &client, ip_id, (123, port), &back),
    );
}
