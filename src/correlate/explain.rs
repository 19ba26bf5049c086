//! The prose of explanations: what a candidate's evidence shows, in one sentence with times and
//! file:line; the whole explanation of a port (winner, fit with the scan's state, how the host was
//! decided, the other candidates, notes); and, when nothing explains a port, what was missing.
//! Deciding is [`super::evidence`]'s and [`super::rank`]'s job; this module only words it.

use std::fmt::Write as _;

use portmortem_parsers::{EventKind, OverloadKind, scan::ScanState};

use super::EVIDENCE_CAP;
use super::candidate::{Basis, Candidate, Coverage, Note, fmt_t};
use super::evidence::Ctx;
use super::rank::consistency;
use super::services::{JailPorts, MappingHow, PortService, default_ports, family};

/// `file:line` of event `i`.
pub fn where_(c: &Ctx<'_, '_>, i: usize) -> String {
    let e = &c.w.input.events[i];
    format!("{}:{}", c.w.input.sources[e.source].display, e.line)
}

/// `at T (file:line)`, or `N times between A and B (first at file:line)` (N ≥ 2).
fn span(c: &Ctx<'_, '_>, ev: &[usize]) -> String {
    match (ev.first(), ev.last()) {
        (Some(&a), Some(&b)) if ev.len() > 1 => format!(
            "{} times between {} and {} (first at {})",
            ev.len(),
            fmt_t(c.time(a)),
            fmt_t(c.time(b)),
            where_(c, a)
        ),
        (Some(&a), _) => format!("at {} ({})", fmt_t(c.time(a)), where_(c, a)),
        _ => String::new(),
    }
}

/// One sentence (no final full stop) saying what the candidate's evidence shows.
pub fn summary(c: &Ctx<'_, '_>, cand: &Candidate) -> String {
    let case = c.case;
    let proto_port = format!("{}/{}", case.protocol, case.port);
    let dropped = cand.cause == super::Cause::FirewallDrop;
    match &cand.basis {
        Basis::Deny { rules } => {
            let rules = if rules.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = rules.iter().map(|r| format!("'{r}'")).collect();
                format!(" (rule {})", names.join(", "))
            };
            format!(
                "the firewall {} the scanner's {} to {} {proto_port}{rules} {}",
                if dropped { "dropped" } else { "rejected" },
                if dropped { "packets" } else { "connections" },
                case.host,
                span(c, &cand.evidence)
            )
        }
        Basis::Ips { signature } => format!(
            "the IPS blocked the scanner on {} {proto_port} (signature '{signature}') {}",
            case.host,
            span(c, &cand.evidence)
        ),
        Basis::Flow => format!(
            "a network sensor saw the scanner's connection attempts to {} {proto_port} that {} {}",
            case.host,
            if dropped {
                "went unanswered (Zeek S0)"
            } else {
                "were refused (Zeek REJ)"
            },
            span(c, &cand.evidence)
        ),
        Basis::RateLimit => format!(
            "a rate limit caught the scanner on {} {}",
            case.host,
            span(c, &cand.evidence)
        ),
        Basis::Ban {
            tool,
            ip,
            scope,
            ports,
            shun,
        } => {
            let i = cand.evidence[0];
            let scope = match (scope, ports) {
                (Some(s), JailPorts::Ports(p)) => format!("{s}, ports {p:?}"),
                (Some(s), JailPorts::All) => format!("{s}, all ports"),
                (Some(s), JailPorts::Unknown) => format!("{s}, ports unknown: assumed all"),
                (None, _) => "host-wide".into(),
            };
            format!(
                "{tool} {} the scanner {ip} ({scope}) at {} ({}), still active at the recheck {}",
                if *shun { "shunned" } else { "banned" },
                fmt_t(c.time(i)),
                where_(c, i),
                fmt_t(c.recheck)
            )
        }
        Basis::Reboot {
            unannounced: true, ..
        } => {
            let b = cand.evidence[0];
            format!(
                "{} booted at {} ({}) inside the window with no shutdown logged before it: it was down just before (a crash, a power loss or a reset)",
                case.host,
                fmt_t(c.time(b)),
                where_(c, b)
            )
        }
        Basis::Reboot {
            poweroff,
            boot,
            back_before_recheck,
            ..
        } => {
            let s0 = cand.evidence[0];
            let back = match boot {
                Some(b) if *back_before_recheck => {
                    format!(
                        ", booted again at {} ({})",
                        fmt_t(c.time(*b)),
                        where_(c, *b)
                    )
                }
                Some(b) => format!(
                    ", booted again only at {}, after the recheck",
                    fmt_t(c.time(*b))
                ),
                None => ", no boot seen before the recheck".to_string(),
            };
            format!(
                "{} {} at {} ({}){back}",
                case.host,
                if *poweroff {
                    "powered off"
                } else {
                    "shut down / rebooted"
                },
                fmt_t(c.time(s0)),
                where_(c, s0)
            )
        }
        Basis::Overload { kind } => {
            let what = match kind {
                OverloadKind::SynCookies => "SYN flooding (sending cookies)",
                OverloadKind::SynDrop => "SYN flooding (dropping requests)",
                OverloadKind::ConntrackFull => "a full conntrack table (dropping packets)",
                OverloadKind::ConnectionLimit => {
                    "sshd throttling unauthenticated connections (MaxStartups)"
                }
            };
            format!("{} reported {what} {}", case.host, span(c, &cand.evidence))
        }
        Basis::Lifecycle {
            unit,
            key,
            families,
            how,
            back,
        } => {
            let verb = match cand.cause {
                super::Cause::OomKill => "was OOM-killed",
                super::Cause::ServiceCrash => "crashed",
                _ => "stopped",
            };
            let back = match back {
                Some(s) => format!(
                    "; back only at {} ({}), after the recheck",
                    fmt_t(c.time(*s)),
                    where_(c, *s)
                ),
                None => "; not seen back before the recheck".into(),
            };
            format!(
                "{unit} on {} {verb} at {} ({}){back} ({})",
                case.host,
                fmt_t(c.time(*key)),
                where_(c, *key),
                mapping(c, families, *how, *key)
            )
        }
    }
}

/// Which rule mapped the port to the unit's family, as a parenthesis' text: `port 8080 ↔ tomcat by
/// the service's default port`; a listening line is cited by `file:line`; a mapping by the scan's
/// service name alone says so, with the unit's own default ports when they are others.
fn mapping(c: &Ctx<'_, '_>, families: &[String], how: MappingHow, key: usize) -> String {
    let port = c.case.port;
    let fams = families.join("/");
    match how {
        MappingHow::Listening => match listening_line(c, families, key) {
            Some(i) => format!(
                "port {port} ↔ {fams} by {} at {}",
                how.describe(),
                where_(c, i)
            ),
            None => format!("port {port} ↔ {fams} by {}", how.describe()),
        },
        MappingHow::SvcName => {
            let svc = c.case.service.as_deref().unwrap_or_default();
            let own: Vec<String> = families
                .iter()
                .filter(|f| !default_ports(f).is_empty())
                .map(|f| {
                    let ports: Vec<String> = default_ports(f).iter().map(u16::to_string).collect();
                    format!("{f}'s default ports are {}", ports.join("/"))
                })
                .collect();
            let own = if own.is_empty() {
                String::new()
            } else {
                format!(": {}", own.join(", "))
            };
            format!("port {port} ↔ {fams} only by the scan's service name '{svc}'{own}")
        }
        _ => format!("port {port} ↔ {fams} by {}", how.describe()),
    }
}

/// The host's "listening on" line of one of `families` on the case's port: the last one at or
/// before event `key`, else the first after it.
fn listening_line(c: &Ctx<'_, '_>, families: &[String], key: usize) -> Option<usize> {
    let events = c.w.input.events;
    let lines: Vec<usize> = c.w.by_target[c.target]
        .iter()
        .copied()
        .filter(|&i| {
            c.on_host(i)
                && matches!(&events[i].event.kind, EventKind::Listening(l)
                    if l.port == c.case.port && families.contains(&family(&l.service)))
        })
        .collect();
    let t = c.time(key);
    lines
        .iter()
        .copied()
        .rfind(|&i| c.time(i) <= t)
        .or_else(|| lines.first().copied())
}

/// `1h10m`, `45m`, `30s`.
fn human(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().abs();
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, _) => format!("{m}m"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// A note as a clause (no final full stop).
pub fn note(c: &Ctx<'_, '_>, n: &Note) -> String {
    let case = c.case;
    match n {
        Note::IdsAlertOnly(ev) => format!(
            "the IDS alerted on the scanner {} (alert only, no block)",
            span(c, ev)
        ),
        Note::Recovered { units, down, up } => format!(
            "{} went down at {} but was back at {} ({}), before the recheck",
            units.join("/"),
            fmt_t(c.time(*down)),
            fmt_t(c.time(*up)),
            where_(c, *up)
        ),
        Note::NearMiss { gap, at } => format!(
            "the scanner was denied on this port at {} ({}), {} {} the window: if that log's zone or clock is off, set --source-tz or --offset for it, or widen --slack",
            fmt_t(c.time(*at)),
            where_(c, *at),
            human(*gap),
            if *gap < chrono::TimeDelta::zero() {
                "before"
            } else {
                "after"
            }
        ),
        Note::OtherPorts { ports, first } => {
            let list: Vec<String> = ports
                .iter()
                .take(8)
                .map(|p| format!("{}/{p}", case.protocol))
                .collect();
            format!(
                "inside the window the scanner was denied on other ports of this host ({}{}; first at {}), not on {}/{}",
                list.join(", "),
                if ports.len() > 8 { ", …" } else { "" },
                where_(c, *first),
                case.protocol,
                case.port
            )
        }
    }
}

/// Capitalize sentences that start with a plain word ("the firewall …"), not with a unit name.
fn capitalize(s: &str) -> String {
    match s.strip_prefix("the ") {
        Some(rest) => format!("The {rest}"),
        None => s.to_string(),
    }
}

/// The explanation of an explained port: `ranked` best first (non-empty), `total_evidence` lines
/// before the cap.
pub fn explained(
    c: &Ctx<'_, '_>,
    ranked: &[Candidate],
    notes: &[Note],
    total_evidence: usize,
) -> String {
    let case = c.case;
    let Some(win) = ranked.first() else {
        return String::new();
    };
    let mut text = capitalize(&summary(c, win));
    text.push('.');
    match consistency(win.cause, case.state) {
        Some(true) => text.push_str(&format!(" This fits the scan's '{}'.", case.state.as_str())),
        Some(false) => text.push_str(&format!(
            " The scan saw '{}', which fits {} better, so confidence is lowered.",
            case.state.as_str(),
            match case.state {
                ScanState::Closed => "a reject or a stopped service",
                ScanState::Unresponsive => "a silent drop, a ban or a host going down",
            }
        )),
        None => {}
    }
    if let Some((_, h)) = win.evidence.first().and_then(|&i| c.w.attr[i]) {
        text.push_str(&format!(" Host decided by {}.", h.describe()));
    }
    if ranked.len() > 1 {
        let others: Vec<String> = ranked[1..]
            .iter()
            .map(|o| format!("{} ({})", o.cause.as_str(), summary(c, o)))
            .collect();
        text.push_str(&format!(" Also seen: {}.", others.join("; ")));
    }
    for n in notes {
        text.push_str(&format!(" Note: {}.", note(c, n)));
    }
    if total_evidence > EVIDENCE_CAP {
        text.push_str(&format!(
            " {total_evidence} evidence lines in all; the first {EVIDENCE_CAP} are listed."
        ));
    }
    if case.window_guessed {
        text.push_str(" The scan gave no complete time for this host; the window was estimated.");
    }
    text
}

/// What was missing, when nothing explains the port.
/// The whole number of hours (±14 at most, smallest first) by which a source's span `a`–`b`,
/// read `k` hours earlier, would overlap `window`: the offset of the zone its times were written
/// in, when they were read as UTC.
pub fn zone_hint(
    a: chrono::DateTime<chrono::Utc>,
    b: chrono::DateTime<chrono::Utc>,
    window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
) -> Option<i64> {
    let overlaps = |d: chrono::Duration| a - d <= window.1 && b - d >= window.0;
    if overlaps(chrono::Duration::zero()) {
        return None;
    }
    portmortem_parsers::time::whole_hour_shift(overlaps)
}

pub fn unexplained(
    c: &Ctx<'_, '_>,
    ps: Option<&PortService>,
    cov: &Coverage,
    notes: &[Note],
) -> String {
    let case = c.case;
    let sources = c.w.input.sources;
    let window = format!("{} – {}", fmt_t(case.window.0), fmt_t(case.window.1));
    let names = |v: &[usize]| -> String {
        let list: Vec<String> = v.iter().map(|&i| sources[i].display.clone()).collect();
        if list.len() > 5 {
            format!("{} and {} more", list[..5].join(", "), list.len() - 5)
        } else {
            list.join(", ")
        }
    };
    let mut text = if cov.covering.is_empty() {
        format!(
            "No log source covers host {}{}: none names it, is mapped to it, or logs traffic to it from the scanner. Read {}.",
            case.host,
            if case.hostnames.is_empty() {
                String::new()
            } else {
                format!(" ({})", case.hostnames.join(", "))
            },
            crate::words::count(
                sources.iter().filter(|s| s.lines > 0).count() as u64,
                "log source",
                "log sources"
            )
        )
    } else if cov.in_window.is_empty() {
        let spans: Vec<String> = cov
            .covering
            .iter()
            .map(|&i| {
                let s = &sources[i];
                match (s.first_time, s.last_time) {
                    (Some(a), Some(b)) => format!("{} ({} – {})", s.display, fmt_t(a), fmt_t(b)),
                    _ => format!("{} (no readable times)", s.display),
                }
            })
            .collect();
        let mut t = format!(
            "Logs cover host {} but none covers the window {window}: {}.",
            case.host,
            spans.join("; ")
        );
        // A whole-hour gap is the usual zone mistake: name the --source-tz that fixes it.
        for &i in &cov.covering {
            let s = &sources[i];
            if let (Some(a), Some(b)) = (s.first_time, s.last_time)
                && s.tz.as_deref().is_none_or(|z| z == "UTC")
                && s.offset.is_none()
                && let Some(k) = zone_hint(a, b, case.window)
            {
                let _ = write!(
                    t,
                    " {}'s times are {} h {} the window: if they are local times of a UTC{:+} zone, `--source-tz '{}={:+03}:00'` (or the zone's IANA name) reads them right.",
                    s.display,
                    k.abs(),
                    if k > 0 { "after" } else { "before" },
                    k,
                    s.display,
                    k
                );
            }
        }
        t
    } else {
        let units = ps
            .map(|p| p.families.iter().cloned().collect::<Vec<_>>().join("/"))
            .unwrap_or_else(|| {
                "the service (unknown: no listening line, config entry or known default port)"
                    .into()
            });
        format!(
            "Logs covering host {} and the window {window} ({}) show no deny, ban, IPS block or rate limit of the scanner on {}/{}, no stop or crash of {units}, and no reboot.",
            case.host,
            names(&cov.in_window),
            case.protocol,
            case.port
        )
    };
    if case.scanner_nets.is_empty() {
        text.push_str(" The scanner IP is unknown (no plugin 19506, no --scanner-ip), so firewall and IPS lines could not be matched.");
    }
    for n in notes {
        text.push_str(&format!(" Note: {}.", note(c, n)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::candidate::Basis;
    use super::super::evidence::{Ctx, coverage, near_misses};
    use super::super::rank::rank;
    use super::super::testkit::*;

    #[test]
    fn zone_hint_is_the_smallest_whole_hour_shift_onto_the_window() {
        use chrono::TimeZone;
        let t = |h, m| chrono::Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).unwrap();
        let w = (t(2, 0), t(2, 30));
        assert_eq!(super::zone_hint(t(3, 5), t(3, 40), w), Some(1));
        assert_eq!(super::zone_hint(t(0, 5), t(0, 20), w), Some(-2));
        assert_eq!(super::zone_hint(t(2, 10), t(5, 0), w), None);
        assert_eq!(super::zone_hint(t(20, 0), t(21, 0), w), None);
    }
    use super::*;
    use portmortem_parsers::{BanTool, LifecycleState};

    #[test]
    fn deny_summary_names_rule_count_times_and_first_line() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 12),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "UFW BLOCK"),
            )
            .event(
                0,
                at(2, 29),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "UFW BLOCK"),
            );
        let (cands, _) = k.collect(0);
        let text = k.with(|w| explained(&Ctx::new(w, 0), &cands, &[], 2));
        assert_eq!(
            text,
            "The firewall dropped the scanner's packets to 192.0.2.10 tcp/443 (rule 'UFW BLOCK') 2 times between 2026-11-20T02:12:00Z and 2026-11-20T02:29:00Z (first at logs/kern.log:1). This fits the scan's 'unresponsive'. Host decided by the destination address."
        );
    }

    #[test]
    fn mismatch_others_and_notes_are_said() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Closed)])
            .event(
                0,
                at(2, 10),
                "suricata",
                ips(SCANNER, "192.0.2.10", 443, "ET ALERT", false),
            )
            .event(
                0,
                at(2, 12),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, ""),
            )
            .event(
                0,
                at(2, 13),
                "fail2ban",
                ban(SCANNER, BanTool::Fail2ban, Some("nginx-http-auth")),
            );
        let (mut cands, notes) = k.collect(0);
        rank(&mut cands, ScanState::Closed);
        let text = k.with(|w| explained(&Ctx::new(w, 0), &cands, &notes, 30));
        assert!(text.starts_with("The firewall dropped the scanner's packets to 192.0.2.10 tcp/443 at 2026-11-20T02:12:00Z (logs/kern.log:2)."), "{text}");
        assert!(text.contains("The scan saw 'closed', which fits a reject or a stopped service better, so confidence is lowered."), "{text}");
        assert!(text.contains("Also seen: ban (fail2ban banned the scanner 203.0.113.5 (nginx-http-auth, ports [80, 443]) at 2026-11-20T02:13:00Z (logs/kern.log:3), still active at the recheck 2026-11-20T02:30:00Z)."), "{text}");
        assert!(text.contains("Note: the IDS alerted on the scanner at 2026-11-20T02:10:00Z (logs/kern.log:1) (alert only, no block)."), "{text}");
        assert!(
            text.contains("30 evidence lines in all; the first 25 are listed."),
            "{text}"
        );
    }

    #[test]
    fn lifecycle_and_reboot_summaries() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Closed)])
            .event(0, at(2, 10), "systemd", shutdown())
            .event(
                0,
                at(2, 20),
                "systemd",
                lifecycle("nginx", LifecycleState::Crashed),
            )
            .event(
                0,
                at(2, 40),
                "systemd",
                lifecycle("nginx", LifecycleState::Started),
            );
        let (mut cands, _) = k.collect(0);
        rank(&mut cands, ScanState::Closed);
        let texts: Vec<String> = k.with(|w| {
            let c = Ctx::new(w, 0);
            cands.iter().map(|x| summary(&c, x)).collect()
        });
        assert_eq!(
            texts,
            vec![
                "192.0.2.10 shut down / rebooted at 2026-11-20T02:10:00Z (logs/kern.log:1), no boot seen before the recheck".to_string(),
                "nginx on 192.0.2.10 crashed at 2026-11-20T02:20:00Z (logs/kern.log:2); back only at 2026-11-20T02:40:00Z (logs/kern.log:3), after the recheck (port 443 ↔ nginx by the service's default port)".to_string(),
            ]
        );
    }

    /// Scan: 8080 `www` closed on 192.0.2.20; `events` as given.
    fn web_8080(events: &[(u32, EventKind)]) -> Kit {
        let mut c = case("192.0.2.20", 8080, ScanState::Closed);
        c.service = Some("www".into());
        let mut k = Kit::new(vec![c]);
        for (m, e) in events {
            k = k.event(0, at(2, *m), "systemd", e.clone());
        }
        k
    }

    fn winner_summary(k: &Kit) -> String {
        let (mut cands, _) = k.collect(0);
        rank(&mut cands, ScanState::Closed);
        k.with(|w| summary(&Ctx::new(w, 0), &cands[0]))
    }

    #[test]
    fn the_mapping_rule_is_said() {
        let stopped = |u: &str| lifecycle(u, LifecycleState::Stopped);
        // Default port: tomcat, not nginx, for 8080.
        let s = winner_summary(&web_8080(&[
            (10, stopped("nginx")),
            (11, stopped("tomcat9")),
        ]));
        assert!(
            s.starts_with(
                "tomcat9 on 192.0.2.20 stopped at 2026-11-20T02:11:00Z (logs/kern.log:2)"
            ),
            "{s}"
        );
        assert!(
            s.ends_with("(port 8080 ↔ tomcat by the service's default port)"),
            "{s}"
        );
        // The scan's service name only: said, with nginx's own ports.
        let s = winner_summary(&web_8080(&[(10, stopped("nginx"))]));
        assert!(
            s.ends_with(
                "(port 8080 ↔ nginx only by the scan's service name 'www': nginx's default ports are 80/443)"
            ),
            "{s}"
        );
        // A listening line: cited by file:line (the last one before the stop).
        let s = winner_summary(&web_8080(&[
            (1, listening("nginx", 8080)),
            (2, listening("nginx", 8080)),
            (10, stopped("nginx")),
            (20, listening("nginx", 8080)),
        ]));
        assert!(
            s.ends_with(
                "(port 8080 ↔ nginx by the service's own \"listening on\" line at logs/kern.log:2)"
            ),
            "{s}"
        );
        // --config [services].
        let mut k = web_8080(&[(10, stopped("nginx"))]);
        k.services.insert("8080".into(), "nginx".into());
        let s = winner_summary(&k);
        assert!(
            s.ends_with("(port 8080 ↔ nginx by the --config service map)"),
            "{s}"
        );
    }

    #[test]
    fn unexplained_says_what_was_missing() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)]);
        let text = k.with(|w| {
            let c = Ctx::new(w, 0);
            unexplained(&c, None, &coverage(&c), &[])
        });
        assert_eq!(
            text,
            "No log source covers host 192.0.2.10: none names it, is mapped to it, or logs traffic to it from the scanner. Read 0 log sources."
        );
        // Logs cover the window; a deny 30 minutes after it is pointed out.
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 10),
                "systemd",
                lifecycle("cron", LifecycleState::Started),
            )
            .event(
                0,
                at(3, 0),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "X"),
            );
        let text = k.with(|w| {
            let c = Ctx::new(w, 0);
            unexplained(&c, None, &coverage(&c), &near_misses(&c))
        });
        assert!(text.starts_with("Logs covering host 192.0.2.10 and the window 2026-11-20T02:00:00Z – 2026-11-20T02:30:00Z (logs/kern.log) show no deny"), "{text}");
        assert!(text.contains("Note: the scanner was denied on this port at 2026-11-20T03:00:00Z (logs/kern.log:2), 30m after the window"), "{text}");
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(chrono::TimeDelta::seconds(30)), "30s");
        assert_eq!(human(chrono::TimeDelta::minutes(-45)), "45m");
        assert_eq!(human(chrono::TimeDelta::minutes(120)), "2h");
        assert_eq!(human(chrono::TimeDelta::minutes(70)), "1h10m");
    }

    #[test]
    fn basis_of_a_ban_in_words() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)]).event(
            0,
            at(2, 7),
            "fail2ban",
            ban(SCANNER, BanTool::Fail2ban, Some("pam-generic")),
        );
        let (cands, _) = k.collect(0);
        assert!(matches!(cands[0].basis, Basis::Ban { .. }));
        let s = k.with(|w| summary(&Ctx::new(w, 0), &cands[0]));
        assert!(
            s.contains("(pam-generic, ports unknown: assumed all)"),
            "{s}"
        );
    }
}
