//! scanlogd, the port-scan detector (tag `scanlogd`): `192.0.2.123 to 192.0.2.1 ports 80, 81, 83,
//! …, f????uxy, TOS 00, TTL 49 @20:44:43` (its `log.c`: source, destination, the first ports seen —
//! cut with `...` —, the TCP flags seen, TOS, TTL, the scan's start time). scanlogd only detects:
//! the line is context (an [`IpsAlert`] alerted, never a block) saying the scanner was noticed.
//! The port list is truncated, so the alert names no port.

use std::net::IpAddr;

use crate::{EventKind, IpsAction, IpsAlert};

/// Is this tag scanlogd's?
pub fn is_scanlogd(app: &str) -> bool {
    app.eq_ignore_ascii_case("scanlogd")
}

/// Classify a scanlogd message.
pub fn classify(msg: &str) -> Option<EventKind> {
    let (src, rest) = msg.trim().split_once(" to ")?;
    let (dst, rest) = rest.split_once(' ')?;
    if !rest.starts_with("ports ") {
        return None;
    }
    let src: IpAddr = src.trim().parse().ok()?;
    let dst: IpAddr = dst.trim().parse().ok()?;
    Some(EventKind::IpsAlert(IpsAlert {
        action: IpsAction::Alerted,
        src,
        dst: Some(dst),
        proto: None,
        dport: None,
        signature: "scanlogd: port scan detected".into(),
        signature_id: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::a;

    #[test]
    fn a_scan_report_is_an_alert_not_a_block() {
        // fail2ban's scanlogd test lines.
        for msg in [
            "192.0.2.123 to 192.0.2.1 ports 80, 81, 83, 88, 99, 443, 1080, 3128, ..., f????uxy, TOS 00, TTL 49 @20:44:43",
            "192.0.2.123 to 192.0.2.1 ports 497, 515, 544, 543, 464, 513, ..., fSrpauxy, TOS 00 @09:04:25",
        ] {
            match classify(msg) {
                Some(EventKind::IpsAlert(x)) => {
                    assert_eq!(x.action, IpsAction::Alerted);
                    assert_eq!((x.src, x.dst), (a("192.0.2.123"), Some(a("192.0.2.1"))));
                    assert_eq!(x.dport, None);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(classify("Started"), None);
        assert_eq!(classify("x to y ports 1"), None);
    }
}
