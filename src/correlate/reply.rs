//! What the rescan's own answer says (nmap's `reason`, DESIGN.md step 3): an ICMP
//! "administratively prohibited" is a firewall's reject, a reset with a TTL unlike the host's own
//! came from a device in between, a reset with the host's TTL is the host refusing (nothing
//! listens), no answer is a drop or a host that is gone. This is evidence in its own right: it is
//! said in the explanation and moves confidence; alone, a firewall's answer is a verdict.

use portmortem_parsers::scan::{ReasonKind, ScanReason};

use crate::scan::PortCase;

/// What the reply shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// A firewall rejected the probe (ICMP prohibited / port unreachable to TCP).
    FirewallReject,
    /// A reset sent by a device between scanner and host (TTL unlike the host's).
    Middlebox,
    /// The host itself refused (reset with its own TTL): nothing listened.
    HostRefused,
    /// No answer, or the host was found down.
    Silence,
    /// Nothing either way.
    Nothing,
}

impl Shows {
    /// Does it point at a control in the path (a block)?
    pub fn is_block(self) -> bool {
        matches!(self, Shows::FirewallReject | Shows::Middlebox)
    }
}

/// Hops by which two TTLs may differ and still be the same sender (routes change a little).
const TTL_SLACK: u8 = 3;

/// The reply of the rescan and its sentence for the explanation.
pub fn read(case: &PortCase) -> Option<(Shows, String)> {
    let r: &ScanReason = case.reason.as_ref()?;
    // Where the rescan says it, and which report saw the port open: "(rescan.xml:12; open in
    // base.xml)".
    let at = {
        let place = match r.line {
            Some(l) => format!("{}:{l}", case.scan_file),
            None => case.scan_file.clone(),
        };
        match case.seen_open_in.as_deref() {
            Some(f) => format!(" ({place}; open in {f})"),
            None => format!(" ({place})"),
        }
    };
    let seen = "";
    let ttl = r.ttl.map(|t| format!(" with TTL {t}")).unwrap_or_default();
    let from = r
        .from
        .filter(|f| Some(*f) != case.ip)
        .map(|f| format!(" from {f}"))
        .unwrap_or_default();
    Some(match r.kind(&case.protocol) {
        ReasonKind::FirewallReject => (
            Shows::FirewallReject,
            format!(
                "The rescan's probe of port {} was answered by ICMP {}{from}{ttl}{at}{seen}: a firewall rejected it.",
                case.port, r.reason
            ),
        ),
        ReasonKind::Reset => match (r.ttl, case.host_ttl) {
            (Some(t), Some(h)) if t.abs_diff(h) > TTL_SLACK => (
                Shows::Middlebox,
                format!(
                    "The rescan got a {} on port {}{ttl}{at}, while the host's own replies came with TTL {h}{seen}: the reset was sent by a device in between (a firewall or IPS), not by the host.",
                    r.reason, case.port
                ),
            ),
            (Some(_), Some(h)) => (
                Shows::HostRefused,
                format!(
                    "The rescan got a {} on port {}{ttl}{at}, the host's own TTL ({h}){seen}: the host itself refused, nothing listened on the port.",
                    r.reason, case.port
                ),
            ),
            _ => (
                Shows::HostRefused,
                format!(
                    "The rescan got a {} on port {}{at}{seen}: the port refused the connection.",
                    r.reason, case.port
                ),
            ),
        },
        ReasonKind::Unreachable => (
            Shows::Silence,
            format!(
                "The rescan's probe of port {} got ICMP {}{from}{at}{seen}: the host was unreachable (down, or a router refused the route).",
                case.port, r.reason
            ),
        ),
        ReasonKind::NoResponse => (
            Shows::Silence,
            format!(
                "The rescan got no answer on port {} ({}){at}.",
                case.port, r.reason
            ),
        ),
        ReasonKind::Other => (
            Shows::Nothing,
            format!(
                "The rescan reports port {} as {} (reason {}){at}{seen}.",
                case.port,
                case.state.as_str(),
                r.reason
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::testkit::case;
    use portmortem_parsers::scan::ScanState;

    fn with(reason: &str, ttl: Option<u8>, host_ttl: Option<u8>) -> PortCase {
        let mut c = case("192.0.2.10", 443, ScanState::Closed);
        c.reason = Some(ScanReason {
            reason: reason.into(),
            ttl,
            from: Some("192.0.2.1".parse().unwrap()),
            line: Some(16),
        });
        c.host_ttl = host_ttl;
        c.scan_file = "new.xml".into();
        c
    }

    #[test]
    fn replies_say_who_answered() {
        let (s, t) = read(&with("admin-prohibited", Some(253), Some(63))).unwrap();
        assert_eq!(s, Shows::FirewallReject);
        assert!(
            t.contains("ICMP admin-prohibited from 192.0.2.1 with TTL 253 (new.xml:16)"),
            "{t}"
        );
        assert_eq!(
            read(&with("reset", Some(250), Some(63))).unwrap().0,
            Shows::Middlebox
        );
        assert_eq!(
            read(&with("reset", Some(62), Some(63))).unwrap().0,
            Shows::HostRefused
        );
        assert_eq!(
            read(&with("no-response", None, None)).unwrap().0,
            Shows::Silence
        );
        let mut none = with("reset", None, None);
        none.reason = None;
        assert!(read(&none).is_none());
    }
}
