//! HTTP/1.1 message encoders and deterministic page bodies for the demo conversations. Bodies
//! are plain (no Content-Encoding) so every byte on the wire is inspectable text.

use super::prng::Prng;

/// The `Server` header of every demo web server.
const SERVER: &str = "nginx/1.24.0";

/// A request: request line, `Host`, the given headers, `Content-Length` when there is a body.
pub(crate) fn request(
    method: &str,
    host: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    finish(head, body, method == "POST")
}

/// A response sent `at` microseconds into the capture: status line, `Date`, `Server`, the given
/// headers and `Content-Length`.
pub(crate) fn response(
    at: u64,
    status: u16,
    reason: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nDate: {}\r\nServer: {SERVER}\r\n",
        http_date(at)
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    finish(head, body, status != 304)
}

/// Appends `Content-Length` (when `with_length`), the blank line and the body.
fn finish(mut head: String, body: &[u8], with_length: bool) -> Vec<u8> {
    if with_length || !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// The IMF-fixdate of an instant `at` microseconds into the capture. The capture starts at
/// [`super::trace::EPOCH_SECS`], Thursday 2026-01-01 00:00 UTC, and lasts well under a month, so
/// only January's days are needed.
pub(crate) fn http_date(at: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let secs = at / 1_000_000;
    let day = secs / 86_400;
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    format!(
        "{}, {:02} Jan 2026 {h:02}:{m:02}:{s:02} GMT",
        DAYS[(day % 7) as usize],
        day + 1
    )
}

/// Words the page generator draws sentences from.
const WORDS: [&str; 48] = [
    "network",
    "release",
    "quarterly",
    "report",
    "customers",
    "service",
    "update",
    "security",
    "performance",
    "team",
    "announced",
    "today",
    "new",
    "features",
    "available",
    "for",
    "all",
    "users",
    "the",
    "and",
    "with",
    "improved",
    "support",
    "storage",
    "region",
    "latency",
    "data",
    "center",
    "open",
    "source",
    "project",
    "community",
    "meeting",
    "notes",
    "weekly",
    "summary",
    "roadmap",
    "product",
    "launch",
    "partners",
    "pricing",
    "plans",
    "documentation",
    "guide",
    "install",
    "configure",
    "monitor",
    "backup",
];

/// A sentence of 6 to 16 words, capitalised, with a full stop.
fn sentence(rng: &mut Prng) -> String {
    let n = rng.range(6, 16);
    let mut words: Vec<&str> = (0..n).map(|_| *rng.pick(&WORDS)).collect();
    let first = words[0];
    let capital = first[..1].to_ascii_uppercase() + &first[1..];
    words[0] = &capital;
    words.join(" ") + "."
}

/// An HTML page of at least `min_len` bytes: head, navigation, articles of generated prose.
pub(crate) fn html_page(rng: &mut Prng, title: &str, min_len: usize) -> Vec<u8> {
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"/assets/site.css\">\n</head>\n\
         <body>\n<header><h1>{title}</h1>\n<nav><a href=\"/\">Home</a> <a href=\"/news/\">News</a> \
         <a href=\"/products/\">Products</a> <a href=\"/about\">About</a></nav></header>\n<main>\n"
    );
    let mut article = 0;
    while page.len() < min_len {
        article += 1;
        page.push_str(&format!(
            "<article id=\"a{article}\">\n<h2>{}</h2>\n",
            sentence(rng).trim_end_matches('.')
        ));
        for _ in 0..rng.range(2, 4) {
            let para: Vec<String> = (0..rng.range(3, 6)).map(|_| sentence(rng)).collect();
            page.push_str(&format!("<p>{}</p>\n", para.join(" ")));
        }
        page.push_str("</article>\n");
    }
    page.push_str("</main>\n<footer><p>&copy; 2026 Example Org</p></footer>\n</body>\n</html>\n");
    page.into_bytes()
}

/// A JSON catalogue page with `items` products.
pub(crate) fn json_items(rng: &mut Prng, page: u32, items: usize) -> Vec<u8> {
    let list: Vec<String> = (0..items)
        .map(|_| {
            let id = rng.range(1000, 9999);
            let cents = rng.range(199, 49_999);
            format!(
                "{{\"id\":{id},\"name\":\"{} {}\",\"price\":{}.{:02},\"in_stock\":{},\"tags\":[\"{}\",\"{}\"]}}",
                rng.pick(&WORDS),
                rng.pick(&WORDS),
                cents / 100,
                cents % 100,
                rng.range(0, 1) == 1,
                rng.pick(&WORDS),
                rng.pick(&WORDS)
            )
        })
        .collect();
    format!(
        "{{\"page\":{page},\"per_page\":{items},\"items\":[{}]}}",
        list.join(",")
    )
    .into_bytes()
}

/// A style sheet of at least `min_len` bytes.
pub(crate) fn stylesheet(rng: &mut Prng, min_len: usize) -> Vec<u8> {
    const SELECTORS: [&str; 8] = [
        "body", "header", "nav a", "main", "article", "h1", "h2", "footer",
    ];
    let mut css = String::new();
    let mut i = 0;
    while css.len() < min_len {
        let sel = SELECTORS[i % SELECTORS.len()];
        css.push_str(&format!(
            "{sel}.v{i} {{\n  margin: {}px {}px;\n  padding: {}px;\n  color: #{:06x};\n  font-size: {}px;\n}}\n",
            rng.range(0, 24),
            rng.range(0, 24),
            rng.range(0, 16),
            rng.range(0, 0xff_ffff),
            rng.range(11, 32)
        ));
        i += 1;
    }
    css.into_bytes()
}

/// A PNG-like image of exactly `len` bytes (>= 16): the PNG signature and IHDR chunk start,
/// then compressed-looking bytes.
pub(crate) fn image(rng: &mut Prng, len: usize) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    let rest = len.saturating_sub(out.len());
    out.extend(rng.bytes(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_has_host_headers_and_length() {
        let r = request(
            "POST",
            "api.example.org",
            "/v1/login",
            &[("Content-Type", "application/json")],
            b"{}",
        );
        assert_eq!(
            r,
            b"POST /v1/login HTTP/1.1\r\nHost: api.example.org\r\nContent-Type: application/json\r\n\
              Content-Length: 2\r\n\r\n{}"
                .to_vec()
        );
        let g = request("GET", "h", "/", &[], b"");
        assert_eq!(g, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n".to_vec());
    }

    #[test]
    fn response_carries_date_server_and_length() {
        let r = response(3_723_000_000, 404, "Not Found", &[], b"no");
        assert_eq!(
            r,
            b"HTTP/1.1 404 Not Found\r\nDate: Thu, 01 Jan 2026 01:02:03 GMT\r\nServer: nginx/1.24.0\r\n\
              Content-Length: 2\r\n\r\nno"
                .to_vec()
        );
        let not_modified = response(0, 304, "Not Modified", &[], b"");
        assert!(!String::from_utf8_lossy(&not_modified).contains("Content-Length"));
    }

    #[test]
    fn http_date_rolls_over_days() {
        assert_eq!(http_date(0), "Thu, 01 Jan 2026 00:00:00 GMT");
        assert_eq!(
            http_date(86_400_000_000 * 3 + 59_000_000),
            "Sun, 04 Jan 2026 00:00:59 GMT"
        );
    }

    #[test]
    fn bodies_reach_their_sizes_and_are_deterministic() {
        let page = html_page(&mut Prng::new(1), "Home", 5000);
        assert!(page.len() >= 5000 && page.ends_with(b"</html>\n"));
        assert_eq!(page, html_page(&mut Prng::new(1), "Home", 5000));
        assert!(stylesheet(&mut Prng::new(2), 3000).len() >= 3000);
        assert_eq!(image(&mut Prng::new(3), 4096).len(), 4096);
        let json = json_items(&mut Prng::new(4), 2, 3);
        let text = String::from_utf8(json).expect("utf-8");
        assert!(text.starts_with("{\"page\":2,\"per_page\":3,\"items\":[{\"id\":"));
        assert_eq!(text.matches("\"id\":").count(), 3);
    }
}
