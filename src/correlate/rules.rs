//! The rules of DESIGN.md step 7 for one port, in order: match the evidence
//! ([`super::evidence`]), rank the candidates ([`super::rank`]), word the explanation
//! ([`super::explain`]) and the advice ([`super::advice`]) into a [`Finding`].

use super::evidence::{self, Ctx};
use super::services::port_service;
use super::{
    Cause, Confidence, EVIDENCE_CAP, Finding, Verdict, World, advice, explain, rank, reply,
};

pub use super::evidence::{AFTERMATH, NEAR_MISS};

/// Explain case `ci`.
pub fn explain(w: &World<'_>, ci: usize) -> Finding {
    let c = Ctx::new(w, ci);
    let case = c.case;
    let ps = port_service(
        w.input.services,
        &w.targets.hosts[c.target].names,
        &case.host,
        case.port,
        case.service.as_deref(),
        &w.host_services[c.target],
    );
    let (mut cands, mut notes) = evidence::collect(&c, ps.as_ref());
    rank::rank(&mut cands, case.state);
    let reply = reply::read(case);
    let Some(win) = cands.first() else {
        notes.extend(evidence::near_misses(&c));
        let cov = evidence::coverage(&c);
        let mut explanation = explain::unexplained(&c, ps.as_ref(), &cov, &notes);
        let mut advice = advice::unexplained(case, cov.missing_logs());
        if let Some((shows, said)) = &reply {
            explanation = format!("{said} {explanation}");
            // The rescan's own answer names a control in the path: that is the verdict, with
            // the medium confidence of one indirect observation (a reset whose TTL differs: low).
            if shows.is_block() {
                // The block's own advice, then the rescan line; timeouts and missing logs are
                // beside the point once the block is seen.
                let rescan = advice.pop();
                advice = vec![advice::scan_reply_block(case, *shows)];
                advice.extend(rescan);
                return finish(
                    case,
                    Finding {
                        verdict: Verdict::Blocked,
                        cause: Some(Cause::FirewallReject),
                        confidence: if *shows == reply::Shows::FirewallReject {
                            Confidence::Medium
                        } else {
                            Confidence::Low
                        },
                        explanation,
                        evidence: Vec::new(),
                        advice,
                    },
                );
            }
        }
        return finish(
            case,
            Finding {
                verdict: Verdict::Unexplained,
                cause: None,
                confidence: rank::unexplained_confidence(&cov),
                explanation,
                evidence: Vec::new(),
                advice,
            },
        );
    };
    let (evidence, total) = rank::evidence(&cands, EVIDENCE_CAP);
    let mut confidence = rank::confidence(win, case.state);
    let mut explanation = explain::explained(&c, &cands, &notes, total);
    if let Some((shows, said)) = &reply {
        let blocked = win.cause.verdict() == Verdict::Blocked;
        explanation.push(' ');
        explanation.push_str(said);
        match (
            shows.is_block(),
            blocked,
            *shows == reply::Shows::HostRefused,
        ) {
            (true, true, _) | (false, false, true) => {
                explanation.push_str(" It agrees with the logs, so confidence is raised.");
                confidence = confidence.raise();
            }
            (true, false, _) | (false, true, true) => {
                explanation
                    .push_str(" It does not fit what the logs show, so confidence is lowered.");
                confidence = confidence.lower();
            }
            _ => {}
        }
    }
    if let Some(said) = ambiguous_evidence(w, &evidence) {
        explanation.push(' ');
        explanation.push_str(&said);
        confidence = confidence.lower();
    }
    finish(
        case,
        Finding {
            verdict: win.cause.verdict(),
            cause: Some(win.cause),
            confidence,
            explanation,
            advice: advice::for_cause(case, win, w),
            evidence,
        },
    )
}

/// A key evidence line whose local time happened twice (the autumn DST fold in its source's
/// zone): it was read as the reading nearest the scan, but the other one is as possible, so the
/// explanation says so and confidence is lowered.
fn ambiguous_evidence(w: &World<'_>, evidence: &[usize]) -> Option<String> {
    evidence.iter().take(3).find_map(|&i| {
        let e = &w.input.events[i];
        let src = &w.input.sources[e.source];
        let tz: chrono_tz::Tz = src.tz.as_deref()?.parse().ok()?;
        let local = e.event.time.with_timezone(&tz).naive_local();
        use chrono::TimeZone;
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Ambiguous(a, b) => Some(format!(
                "The time of {}:{} ({local} in {tz}) happened twice at the change from summer time; it was read as {}, the reading nearest the scan ({} is the other), so confidence is lowered.",
                src.display,
                e.line,
                crate::correlate::candidate::fmt_t(e.event.time),
                crate::correlate::candidate::fmt_t(if a.with_timezone(&chrono::Utc) == e.event.time { b.with_timezone(&chrono::Utc) } else { a.with_timezone(&chrono::Utc) })
            )),
            _ => None,
        }
    })
}

/// What every explanation adds at the end: how the scanner address was found when the report
/// named none, and another source denied on exactly the affected ports (NAT).
fn finish(case: &crate::scan::PortCase, mut f: Finding) -> Finding {
    if let Some(s) = &case.scanner_inferred {
        f.explanation.push_str(&format!(" {s}"));
    }
    if let Some(h) = &case.nat_hint
        && f.verdict == Verdict::Unexplained
    {
        f.explanation.push_str(&format!(" {h}"));
        f.advice.insert(0, h.clone());
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use portmortem_parsers::{BanTool, scan::ScanState};

    #[test]
    fn a_drop_of_the_scanner_explains_an_unresponsive_port() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)])
            .event(
                0,
                at(2, 7),
                "fail2ban",
                ban(SCANNER, BanTool::Fail2ban, Some("sshd")),
            )
            .event(
                0,
                at(2, 12),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "UFW BLOCK"),
            )
            .event(
                0,
                at(2, 13),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, "UFW BLOCK"),
            );
        let f = k.finding(0);
        assert_eq!(f.verdict, Verdict::Blocked);
        assert_eq!(f.cause, Some(Cause::FirewallDrop));
        assert_eq!(f.confidence, Confidence::High);
        // The sshd ban does not cover 443: not evidence.
        assert_eq!(f.evidence, vec![1, 2]);
        assert!(
            f.explanation.contains("(rule 'UFW BLOCK')"),
            "{}",
            f.explanation
        );
        assert!(
            f.advice[0].contains("ufw insert 1 allow from 203.0.113.5 to any port 443 proto tcp"),
            "{:?}",
            f.advice
        );
    }

    #[test]
    fn nothing_found_is_unexplained_with_what_was_missing() {
        let f = Kit::new(vec![case("192.0.2.10", 443, ScanState::Unresponsive)]).finding(0);
        assert_eq!(f.verdict, Verdict::Unexplained);
        assert_eq!(f.cause, None);
        assert_eq!(f.confidence, Confidence::Low);
        assert!(f.evidence.is_empty());
        assert!(
            f.explanation
                .starts_with("No log source covers host 192.0.2.10")
        );
        assert!(
            f.advice[0].starts_with("Collect the firewall, IDS/IPS and system logs of 192.0.2.10")
        );
    }

    #[test]
    fn every_candidates_evidence_is_kept_winner_first() {
        let k = Kit::new(vec![case("192.0.2.10", 443, ScanState::Closed)])
            .event(
                0,
                at(2, 10),
                "netfilter",
                deny(SCANNER, "192.0.2.10", 443, ""),
            )
            .event(
                0,
                at(2, 11),
                "netfilter",
                reject(SCANNER, "192.0.2.10", 443, ""),
            );
        let f = k.finding(0);
        assert_eq!(f.cause, Some(Cause::FirewallReject));
        assert_eq!(f.evidence, vec![1, 0]);
        assert!(f.explanation.contains("Also seen: firewall_drop ("));
    }
}
