//! A re-probe's result read against the port's verdict, written into its explanation and advice:
//! blocked and open now → the block has lifted; a ban whose end is still ahead → probably still
//! active (not "filtered"); service_restart and closed → still down; unexplained and open →
//! transient. Also the one thing a ban's known end says without a probe: when a probe can succeed.

use chrono::{DateTime, Utc};

use super::PortOut;
use crate::correlate::{Cause, Verdict};

/// The latest announced end of a ban among the port's evidence.
pub fn ban_end(p: &PortOut) -> Option<DateTime<Utc>> {
    p.evidence
        .iter()
        .filter_map(|e| e.until.as_deref())
        .filter_map(|u| DateTime::parse_from_rfc3339(u).ok())
        .map(|t| t.with_timezone(&Utc))
        .max()
}

fn hhmm(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Without a probe: a ban with a known end tells when a probe or rescan can succeed.
pub fn note_ban_end(p: &mut PortOut) {
    if p.cause != Some(Cause::Ban) {
        return;
    }
    if let Some(end) = ban_end(p) {
        // After the control's own advice, before "Then rescan …".
        let at = p
            .advice
            .iter()
            .position(|a| a.starts_with("Then rescan"))
            .unwrap_or(p.advice.len());
        p.advice.insert(
            at,
            format!(
                "The ban lasts until {}: a probe or rescan from the scanner before then will still fail.",
                hhmm(end)
            ),
        );
    }
}

/// What a probe in `state` at `at` means for the port, and the advice it adds, if any.
fn reading(p: &PortOut, state: &str, at: DateTime<Utc>) -> (String, Option<String>) {
    let ban_ahead = ban_end(p).filter(|end| *end > at);
    match (p.verdict, state) {
        (Verdict::Blocked, "open") => (
            "open now: the block has lifted".into(),
            Some("The block has lifted since the scan: rescan now, after allowing the scanner so that it does not recur.".into()),
        ),
        (Verdict::Blocked, _) if ban_ahead.is_some() => {
            let end = hhmm(ban_ahead.unwrap_or(at));
            (
                format!("no answer: the ban is probably still active (until {end})"),
                Some(format!(
                    "A probe before {end} will still fail: re-probe or rescan after it, or lift the ban first."
                )),
            )
        }
        (Verdict::Blocked, "closed") => (
            "closed now: refused, by a rejecting rule or a service that is now down".into(),
            None,
        ),
        (Verdict::Blocked, _) => (
            "still no answer: the block is probably still in place".into(),
            None,
        ),
        (Verdict::ServiceRestart, "closed") => (
            "closed now: the service is still down".into(),
            Some("The service is still down: start it and find why it stopped before rescanning.".into()),
        ),
        (Verdict::ServiceRestart, "open") => ("open now: the service is back".into(), None),
        (Verdict::ServiceRestart, _) => (
            "no answer now: the host is down, or a firewall drops the connect".into(),
            None,
        ),
        (Verdict::Unexplained, "open") => (
            "open now: the failure was transient (a time-out under load or a short outage)".into(),
            Some("The port answers again, so the failure was transient: a larger checks_read_timeout or fewer max_checks lets the recheck ride it out.".into()),
        ),
        (Verdict::Unexplained, "closed") => (
            "closed now: the service is down or a rule rejects; the log that says why was not among the inputs".into(),
            None,
        ),
        (Verdict::Unexplained, _) => (
            "still no answer: a silent drop, a ban, or the host is down; the log that says why was not among the inputs".into(),
            None,
        ),
    }
}

/// Fold the port's re-probe result (probed at `at`) into its explanation and advice.
pub fn fold(p: &mut PortOut, at: DateTime<Utc>) {
    let Some(r) = &p.reprobe else { return };
    let (reading, advice) = reading(p, &r.state, at);
    let attempts = if r.attempts > 1 {
        format!(", {} tries", r.attempts)
    } else {
        String::new()
    };
    let sentence = format!(
        " Re-probe of {} at {}{attempts}: {reading}.",
        r.address, r.at
    );
    p.explanation.push_str(&sentence);
    if let Some(a) = advice {
        p.advice.insert(0, a);
    }
    if let Some(r) = &mut p.reprobe {
        r.reading = reading;
    }
}

/// Undo [`fold`] (a saved report probed again): the probe's sentence and advice go, the result
/// with them.
pub fn unfold(p: &mut PortOut) {
    let Some(old) = p.reprobe.take() else { return };
    if let Some(i) = p.explanation.find(" Re-probe of ") {
        p.explanation.truncate(i);
    }
    let at = DateTime::parse_from_rfc3339(&old.at)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    if let (_, Some(a)) = reading(p, &old.state, at) {
        p.advice.retain(|x| *x != a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::Confidence;
    use crate::report::{EvidenceOut, ReprobeOut, Window};

    fn port(verdict: Verdict, cause: Option<Cause>, state: &str, until: Option<&str>) -> PortOut {
        PortOut {
            host: "127.0.0.1".into(),
            hostnames: vec![],
            port: 22,
            protocol: "tcp".into(),
            service: None,
            scan_state: "unresponsive".into(),
            window: Window {
                start: "2026-11-20T02:00:00Z".into(),
                end: "2026-11-20T02:30:00Z".into(),
                slack_s: 300.0,
            },
            verdict,
            cause,
            confidence: Confidence::High,
            explanation: "E.".into(),
            evidence: vec![EvidenceOut {
                file: "f2b.log".into(),
                line: 3,
                time: "2026-11-20T02:10:00Z".into(),
                format: "crowdsec".into(),
                observer: String::new(),
                event: "ban".into(),
                text: "t".into(),
                until: until.map(str::to_string),
            }],
            reprobe: Some(ReprobeOut {
                state: state.into(),
                at: "2026-11-20T03:00:00.000Z".into(),
                elapsed_ms: 1.0,
                address: "127.0.0.1:22".into(),
                attempts: 2,
                reading: String::new(),
            }),
            advice: vec!["old".into()],
            scan_file: "s".into(),
        }
    }

    fn at() -> DateTime<Utc> {
        "2026-11-20T03:00:00Z".parse().unwrap()
    }

    #[test]
    fn blocked_and_open_now_means_the_block_lifted() {
        let mut p = port(Verdict::Blocked, Some(Cause::FirewallDrop), "open", None);
        fold(&mut p, at());
        assert!(
            p.explanation
                .ends_with("2 tries: open now: the block has lifted."),
            "{}",
            p.explanation
        );
        assert!(p.advice[0].starts_with("The block has lifted"));
        assert_eq!(p.advice[1], "old");
    }

    #[test]
    fn a_ban_still_ahead_is_probably_active_not_filtered() {
        let mut p = port(
            Verdict::Blocked,
            Some(Cause::Ban),
            "filtered",
            Some("2026-11-20T04:15:00Z"),
        );
        fold(&mut p, at());
        let r = p.reprobe.as_ref().unwrap();
        assert_eq!(
            r.reading,
            "no answer: the ban is probably still active (until 2026-11-20 04:15 UTC)"
        );
        assert!(p.advice[0].starts_with("A probe before 2026-11-20 04:15 UTC will still fail"));
        // Over: the same result is read as a block still in place.
        let mut p = port(
            Verdict::Blocked,
            Some(Cause::Ban),
            "filtered",
            Some("2026-11-20T02:45:00Z"),
        );
        fold(&mut p, at());
        assert!(
            p.reprobe
                .unwrap()
                .reading
                .contains("block is probably still in place")
        );
    }

    #[test]
    fn restart_closed_is_still_down_and_unexplained_open_is_transient() {
        let mut p = port(
            Verdict::ServiceRestart,
            Some(Cause::ServiceStop),
            "closed",
            None,
        );
        fold(&mut p, at());
        assert!(p.explanation.contains("the service is still down"));
        let mut p = port(Verdict::Unexplained, None, "open", None);
        fold(&mut p, at());
        assert!(p.explanation.contains("transient"));
        assert!(p.advice[0].contains("checks_read_timeout"));
    }

    #[test]
    fn unfold_takes_back_what_fold_added() {
        let mut p = port(Verdict::Blocked, Some(Cause::FirewallDrop), "open", None);
        fold(&mut p, at());
        unfold(&mut p);
        assert_eq!(p.explanation, "E.");
        assert_eq!(p.advice, vec!["old".to_string()]);
        assert!(p.reprobe.is_none());
    }

    #[test]
    fn a_known_ban_end_is_told_without_a_probe() {
        let mut p = port(
            Verdict::Blocked,
            Some(Cause::Ban),
            "filtered",
            Some("2026-11-20T04:15:00Z"),
        );
        p.reprobe = None;
        note_ban_end(&mut p);
        assert_eq!(p.advice[0], "old");
        assert!(
            p.advice[1].contains("until 2026-11-20 04:15 UTC"),
            "{:?}",
            p.advice
        );
    }
}
