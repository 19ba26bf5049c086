//! Verdict ranking and confidence (DESIGN.md step 7, "consistency"): closed fits a reject or a
//! stopped service, unresponsive fits a drop, ban or overload. A mismatch lowers a candidate's score
//! and confidence, it never hides it. Candidates are ordered by score, then cause, so equal scores
//! resolve the same way every run; every candidate's evidence is kept, the winner's first.

use portmortem_parsers::scan::ScanState;

use super::candidate::{Candidate, Coverage};
use super::{Cause, Confidence};

/// Does the cause fit the scan's state? `None` = says nothing either way (a rate limit can look
/// like both, a reboot both closes and silences ports).
pub fn consistency(cause: Cause, state: ScanState) -> Option<bool> {
    use Cause::*;
    match (state, cause) {
        (_, RateLimit | HostReboot) => None,
        (ScanState::Closed, FirewallReject | ServiceStop | ServiceCrash | OomKill) => Some(true),
        (ScanState::Closed, _) => Some(false),
        (ScanState::Unresponsive, FirewallDrop | IpsBlock | Ban | HostOverload) => Some(true),
        (ScanState::Unresponsive, _) => Some(false),
    }
}

/// Strength adjusted by consistency: +10 when the cause fits the state, −20 when it does not.
pub fn score(c: &Candidate, state: ScanState) -> i32 {
    c.strength
        + match consistency(c.cause, state) {
            Some(true) => 10,
            Some(false) => -20,
            None => 0,
        }
}

/// High from strength 85, medium from 65, else low; one step lower when the cause does not fit.
pub fn confidence(c: &Candidate, state: ScanState) -> Confidence {
    let base = if c.strength >= 85 {
        Confidence::High
    } else if c.strength >= 65 {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    if consistency(c.cause, state) == Some(false) {
        base.lower()
    } else {
        base
    }
}

/// Order candidates best first: score, then cause order.
pub fn rank(cands: &mut [Candidate], state: ScanState) {
    cands.sort_by(|a, b| {
        score(b, state)
            .cmp(&score(a, state))
            .then(a.cause.cmp(&b.cause))
    });
}

/// The evidence of ranked candidates, the winner's first, without repeats, capped at `cap`; and how
/// many lines there were before the cap.
pub fn evidence(cands: &[Candidate], cap: usize) -> (Vec<usize>, usize) {
    let mut out: Vec<usize> = Vec::new();
    for c in cands {
        for &i in &c.evidence {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    let total = out.len();
    out.truncate(cap);
    (out, total)
}

/// Confidence in "unexplained": medium when logs covered the host and the window (the cause is not
/// in them), low when logs are missing (it may well be there).
pub fn unexplained_confidence(cov: &Coverage) -> Confidence {
    if cov.missing_logs() {
        Confidence::Low
    } else {
        Confidence::Medium
    }
}

#[cfg(test)]
mod tests {
    use super::super::candidate::Basis;
    use super::super::testkit::*;
    use super::*;

    fn cand(cause: Cause, strength: i32, evidence: Vec<usize>) -> Candidate {
        Candidate {
            cause,
            strength,
            evidence,
            basis: Basis::RateLimit,
        }
    }

    #[test]
    fn the_scan_state_decides_between_equally_strong_causes() {
        let mut c = vec![
            cand(Cause::FirewallDrop, 100, vec![0]),
            cand(Cause::FirewallReject, 100, vec![1]),
        ];
        rank(&mut c, ScanState::Closed);
        assert_eq!(causes(&c), vec![Cause::FirewallReject, Cause::FirewallDrop]);
        rank(&mut c, ScanState::Unresponsive);
        assert_eq!(causes(&c), vec![Cause::FirewallDrop, Cause::FirewallReject]);
    }

    #[test]
    fn a_mismatch_lowers_score_and_confidence_but_keeps_the_candidate() {
        let stop = cand(Cause::ServiceStop, 85, vec![3]);
        assert_eq!(score(&stop, ScanState::Closed), 95);
        assert_eq!(score(&stop, ScanState::Unresponsive), 65);
        assert_eq!(confidence(&stop, ScanState::Closed), Confidence::High);
        assert_eq!(
            confidence(&stop, ScanState::Unresponsive),
            Confidence::Medium
        );
        let weak = cand(Cause::FirewallDrop, 60, vec![0]);
        assert_eq!(confidence(&weak, ScanState::Unresponsive), Confidence::Low);
        assert_eq!(confidence(&weak, ScanState::Closed), Confidence::Low);
        let reboot = cand(Cause::HostReboot, 90, vec![0]);
        assert_eq!(consistency(Cause::HostReboot, ScanState::Closed), None);
        assert_eq!(score(&reboot, ScanState::Closed), 90);
    }

    #[test]
    fn confidence_orders_by_strength() {
        let c = |s| confidence(&cand(Cause::Ban, s, vec![]), ScanState::Unresponsive);
        assert!(c(90) > c(70));
        assert!(c(70) > c(50));
        assert_eq!(c(85), Confidence::High);
        assert_eq!(c(65), Confidence::Medium);
        assert_eq!(c(64), Confidence::Low);
    }

    #[test]
    fn ties_resolve_by_cause_order() {
        let mut c = vec![
            cand(Cause::HostReboot, 90, vec![1]),
            cand(Cause::RateLimit, 90, vec![0]),
        ];
        rank(&mut c, ScanState::Unresponsive);
        assert_eq!(causes(&c), vec![Cause::RateLimit, Cause::HostReboot]);
    }

    #[test]
    fn evidence_winner_first_without_repeats_and_capped() {
        let c = vec![
            cand(Cause::FirewallDrop, 100, vec![4, 5]),
            cand(Cause::Ban, 90, vec![1, 4]),
            cand(Cause::RateLimit, 80, vec![2]),
        ];
        assert_eq!(evidence(&c, 25), (vec![4, 5, 1, 2], 4));
        assert_eq!(evidence(&c, 2), (vec![4, 5], 4));
    }

    #[test]
    fn unexplained_is_medium_only_with_logs_covering_the_window() {
        let mut cov = Coverage::default();
        assert_eq!(unexplained_confidence(&cov), Confidence::Low);
        cov.covering.insert(0);
        assert_eq!(unexplained_confidence(&cov), Confidence::Low);
        cov.in_window.push(0);
        assert_eq!(unexplained_confidence(&cov), Confidence::Medium);
    }

    #[test]
    fn a_stop_outranks_a_sensors_refusal_on_a_closed_port() {
        let k = Kit::new(vec![case("192.0.2.10", 8443, ScanState::Closed)])
            .event(
                0,
                at(2, 20),
                "systemd",
                lifecycle("tomcat9", LifecycleState::Crashed),
            )
            .event(
                0,
                at(2, 29),
                "zeek",
                flow(SCANNER, "192.0.2.10", 8443, "REJ"),
            );
        let (mut c, _) = k.collect(0);
        rank(&mut c, ScanState::Closed);
        assert_eq!(causes(&c), vec![Cause::ServiceCrash, Cause::FirewallReject]);
        assert_eq!(confidence(&c[0], ScanState::Closed), Confidence::Medium);
        assert_eq!(evidence(&c, 25).0, vec![0, 1]);
    }

    #[test]
    fn a_stop_mapped_by_the_scans_service_name_only_is_low_confidence() {
        let kit = |units: &[&str]| {
            let mut c = case("192.0.2.20", 8080, ScanState::Closed);
            c.service = Some("www".into());
            let mut k = Kit::new(vec![c]);
            for (n, u) in units.iter().enumerate() {
                k = k.event(
                    0,
                    at(2, 10 + n as u32),
                    "systemd",
                    lifecycle(u, LifecycleState::Stopped),
                );
            }
            k
        };
        // tomcat's own default port: medium.
        let (mut c, _) = kit(&["nginx", "tomcat9"]).collect(0);
        rank(&mut c, ScanState::Closed);
        assert_eq!(c[0].detail(), Some("tomcat9"));
        assert_eq!(confidence(&c[0], ScanState::Closed), Confidence::Medium);
        // nginx by `www` alone: low, below the direct match.
        let (mut n, _) = kit(&["nginx"]).collect(0);
        rank(&mut n, ScanState::Closed);
        assert_eq!(n[0].detail(), Some("nginx"));
        assert_eq!(confidence(&n[0], ScanState::Closed), Confidence::Low);
        assert!(score(&n[0], ScanState::Closed) < score(&c[0], ScanState::Closed));
    }

    use portmortem_parsers::LifecycleState;
}
