//! Daemons refusing clients for being too many or too fast, as they log it through syslog:
//!
//! - nginx (`error_log syslog:…`, tag `nginx`): `*5 limiting requests, excess: 10.500 by zone
//!   "one", client: 203.0.113.5, server: example.com, request: "GET / HTTP/1.1", host:
//!   "192.0.2.10"` (`limit_req`, answered 503) and `limiting connections by zone "addr", client: …`
//!   (`limit_conn`): a [`RateLimit`] of the client. `delaying request` (a `limit_req` delay, no
//!   refusal) is no event.
//! - sshd: `drop connection #10 from [203.0.113.5]:46482 on [192.0.2.10]:22 past MaxStartups`
//!   (OpenSSH 8.2+, at `LogLevel VERBOSE`): a [`RateLimit`] of that client on that port; `error:
//!   beginning MaxStartups throttling` (logged at the default level, naming no client): the host's
//!   sshd refused unauthenticated connections — an [`Overload`] of kind `connection_limit`, on
//!   sshd's port (22 unless the line says otherwise; sshd does not say).

use std::net::IpAddr;

use crate::{EventKind, Overload, OverloadKind, RateLimit};

/// nginx's `key: value` after `limiting …`.
fn nginx_field<'a>(msg: &'a str, key: &str) -> Option<&'a str> {
    let k = format!(", {key}: ");
    let start = msg.find(&k)? + k.len();
    let rest = &msg[start..];
    let end = rest.find(", ").unwrap_or(rest.len());
    Some(rest[..end].trim_matches('"'))
}

/// Classify an nginx error-log message (its own timestamp and level may lead it).
pub fn nginx(msg: &str) -> Option<EventKind> {
    let (what, rest) = if let Some(at) = msg.find(" limiting requests") {
        ("limit_req", &msg[at..])
    } else if let Some(at) = msg.find(" limiting connections") {
        ("limit_conn", &msg[at..])
    } else {
        return None;
    };
    let zone = rest
        .split_once("by zone \"")
        .and_then(|(_, z)| z.split_once('"'))
        .map(|(z, _)| z);
    let src: IpAddr = nginx_field(rest, "client")?.parse().ok()?;
    // `host: "192.0.2.10"` or `host: "192.0.2.10:8443"` when the client sent an address.
    let host = nginx_field(rest, "host");
    let (dst, dport) = match host.and_then(|h| h.rsplit_once(':')) {
        Some((a, p)) if a.parse::<IpAddr>().is_ok() => (a.parse().ok(), p.parse().ok()),
        _ => (host.and_then(|h| h.parse().ok()), None),
    };
    Some(EventKind::RateLimit(RateLimit {
        src: Some(src),
        dst,
        dport,
        what: match zone {
            Some(z) => format!("nginx {what} zone \"{z}\""),
            None => format!("nginx {what}"),
        },
        service: Some("nginx".into()),
    }))
}

/// `[ADDR]:PORT`
fn bracketed(s: &str) -> Option<(IpAddr, u16)> {
    let (a, p) = s.strip_prefix('[')?.split_once("]:")?;
    Some((a.parse().ok()?, p.trim().parse().ok()?))
}

/// Classify an sshd message.
pub fn sshd(msg: &str) -> Option<EventKind> {
    let msg = msg.trim();
    if msg.ends_with("beginning MaxStartups throttling") {
        return Some(EventKind::Overload(Overload {
            kind: OverloadKind::ConnectionLimit,
            port: Some(22),
        }));
    }
    let rest = msg.strip_prefix("drop connection #")?;
    let rest = rest.strip_suffix(" past MaxStartups")?;
    let (_, rest) = rest.split_once(" from ")?;
    let (from, on) = rest.split_once(" on ")?;
    let (src, _) = bracketed(from)?;
    let (dst, dport) = bracketed(on)?;
    Some(EventKind::RateLimit(RateLimit {
        src: Some(src),
        dst: Some(dst),
        dport: Some(dport),
        what: "sshd MaxStartups".into(),
        service: Some("sshd".into()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::a;

    #[test]
    fn nginx_limit_req_and_limit_conn() {
        match nginx(
            "2026/11/20 02:13:44 [error] 1234#1234: *5678 limiting requests, excess: 10.500 by zone \"one\", client: 203.0.113.5, server: example.com, request: \"GET / HTTP/1.1\", host: \"192.0.2.10:8443\"",
        ) {
            Some(EventKind::RateLimit(r)) => {
                assert_eq!(r.src, Some(a("203.0.113.5")));
                assert_eq!((r.dst, r.dport), (Some(a("192.0.2.10")), Some(8443)));
                assert_eq!(r.what, "nginx limit_req zone \"one\"");
            }
            other => panic!("{other:?}"),
        }
        match nginx(
            "2026/11/20 02:13:44 [error] 1234#1234: *9 limiting connections by zone \"addr\", client: 2001:db8::5, server: example.com, request: \"GET / HTTP/1.1\", host: \"www.example.com\"",
        ) {
            Some(EventKind::RateLimit(r)) => {
                assert_eq!(r.src, Some(a("2001:db8::5")));
                assert_eq!((r.dst, r.dport), (None, None));
                assert_eq!(r.what, "nginx limit_conn zone \"addr\"");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            nginx(
                "2026/11/20 02:13:44 [warn] 1#1: *1 delaying request, excess: 0.5, by zone \"one\", client: 203.0.113.5"
            ),
            None
        );
    }

    #[test]
    fn sshd_max_startups() {
        // The wording of OpenSSH's sshd.c and of auth.log excerpts quoting it.
        match sshd(
            "drop connection #10 from [203.0.113.5]:46482 on [192.0.2.10]:22 past MaxStartups",
        ) {
            Some(EventKind::RateLimit(r)) => {
                assert_eq!(r.src, Some(a("203.0.113.5")));
                assert_eq!((r.dst, r.dport), (Some(a("192.0.2.10")), Some(22)));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            sshd("error: beginning MaxStartups throttling"),
            Some(EventKind::Overload(Overload {
                kind: OverloadKind::ConnectionLimit,
                port: Some(22)
            }))
        ));
        assert_eq!(
            sshd("exited MaxStartups throttling after 00:00:12, 5 connections dropped"),
            None
        );
        assert_eq!(sshd("Accepted publickey for root"), None);
    }
}
