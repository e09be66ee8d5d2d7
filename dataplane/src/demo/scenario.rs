//! The demo's timeline: which conversation starts when. Conversations start 120 to 650 ms
//! apart and may overlap (pings last seconds, big downloads hundreds of milliseconds); the
//! attacks are spread among the benign traffic.

use super::attacks;
use super::benign::{dns_lookup, ntp_poll, ping, site_records, tls_session, web_visit, Resource};
use super::dns::{TYPE_A, TYPE_AAAA};
use super::world::{workstation, Site, World, NTP_SERVERS, RESOLVER, SITES};

/// One conversation of the timeline; `u8` fields pick the workstation (10.0.1.10 + n).
enum Step {
    /// A DNS lookup of a site's A or AAAA record.
    Lookup(u8, &'static Site, u16),
    /// A web connection fetching resources, `true` if the last request asks to close.
    Web(u8, &'static Site, &'static [Resource], bool),
    /// An HTTPS session with this many requests.
    Tls(u8, &'static Site, usize),
    /// A ping series of this many echoes.
    Ping(u8, &'static Site, u16),
    /// An NTP poll.
    Ntp(u8, &'static Site),
    /// One of the attack scripts.
    Attack(fn(&mut World, u64)),
}

/// The conversations of the capture, in order of their start.
fn script() -> Vec<Step> {
    use Resource::*;
    use Step::*;
    let [www, shop, api, news, stat, docs, mail, login, cdn, legacy] = {
        let s = &SITES;
        [
            &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7], &s[8], &s[9],
        ]
    };
    vec![
        Ntp(0, &NTP_SERVERS[0]),
        Lookup(0, www, TYPE_A),
        Lookup(0, www, TYPE_AAAA),
        Web(0, www, &[Page("/", 14_000), Style(6_000)], false),
        Ping(1, www, 4),
        Lookup(1, shop, TYPE_A),
        Web(1, shop, &[Page("/", 9_000)], true),
        Web(1, shop, &[Catalogue(1, 12)], false),
        Lookup(2, api, TYPE_A),
        Lookup(2, api, TYPE_AAAA),
        Web(2, api, &[Login], false),
        Attack(attacks::sql_injection),
        Web(2, api, &[Catalogue(2, 60)], false),
        Lookup(2, login, TYPE_A),
        Tls(2, login, 2),
        Lookup(3, news, TYPE_A),
        Web(
            3,
            news,
            &[Page("/news/", 22_000), Image("/images/lead.png", 18_000)],
            false,
        ),
        Lookup(3, stat, TYPE_A),
        Lookup(3, stat, TYPE_AAAA),
        Web(3, stat, &[Image("/img/banner.png", 45_000)], false),
        Attack(attacks::syn_scan),
        Web(4, stat, &[Style(3_000)], true),
        Lookup(4, mail, TYPE_A),
        Lookup(4, mail, TYPE_AAAA),
        Tls(4, mail, 3),
        Attack(attacks::c2_lookup),
        Ntp(5, &NTP_SERVERS[1]),
        Lookup(5, docs, TYPE_A),
        Web(5, docs, &[Page("/guide/install", 30_000)], false),
        Attack(attacks::path_traversal),
        Web(5, docs, &[Missing], true),
        Web(6, www, &[Revalidate("/")], false),
        Tls(6, api, 1),
        Web(6, www, &[Page("/about", 4_000), Missing], false),
        Attack(attacks::split_command_injection),
        Ping(8, &RESOLVER, 3),
        Lookup(8, news, TYPE_AAAA),
        Web(
            8,
            news,
            &[Page("/news/2026/01/weekly-summary", 11_000)],
            true,
        ),
        Lookup(8, cdn, TYPE_A),
        Web(8, cdn, &[Image("/v2/thumb/1.png", 2_500)], false),
        Lookup(9, shop, TYPE_AAAA),
        Web(9, shop, &[Catalogue(3, 8), Catalogue(4, 8)], false),
        Attack(attacks::shellshock),
        Web(9, mail, &[Page("/webmail/", 7_000)], true),
        Lookup(10, legacy, TYPE_A),
        Web(10, legacy, &[Page("/", 3_000)], false),
        Attack(attacks::root_id_response),
        Lookup(10, docs, TYPE_AAAA),
        Tls(10, docs, 2),
        Lookup(11, login, TYPE_A),
        Web(11, api, &[Login], false),
        Ntp(11, &NTP_SERVERS[0]),
        Web(11, docs, &[Revalidate("/guide/install")], false),
        Lookup(12, www, TYPE_A),
        Lookup(12, cdn, TYPE_AAAA),
        Web(12, www, &[Page("/products/", 16_000)], true),
        Tls(12, cdn, 1),
    ]
}

/// Writes every conversation of the timeline into `world`.
pub(crate) fn play(world: &mut World) {
    let mut at = 250_000;
    for step in script() {
        match step {
            Step::Lookup(ws, site, qtype) => {
                let answers = site_records(site, qtype);
                dns_lookup(
                    world,
                    at,
                    workstation(ws),
                    &RESOLVER,
                    (site.name, qtype),
                    &answers,
                );
            }
            Step::Web(ws, site, resources, close) => {
                web_visit(world, at, workstation(ws), site, resources, close)
            }
            Step::Tls(ws, site, requests) => {
                tls_session(world, at, workstation(ws), site, requests)
            }
            Step::Ping(ws, site, count) => ping(world, at, workstation(ws), site, count),
            Step::Ntp(ws, server) => ntp_poll(world, at, workstation(ws), server),
            Step::Attack(script) => script(world, at),
        }
        at += world.rng.range(120_000, 650_000);
    }
}
