//! Network firewalls whose deny / block lines arrive through syslog: one module per vendor.
//!
//! - [`asa`]: Cisco ASA / FTD (and PIX / FWSM) `%ASA-4-106023:`-style messages: ACL and
//!   connection denies → `FirewallDeny`, threat detection → `RateLimit` / `IpsAlert`, shuns → `Ban`.
//! - [`checkpoint`]: Check Point Log Exporter (`CheckPoint` app, `key:"value";` record) → drops,
//!   rejects, Threat Prevention blocks.
//! - [`fortigate`]: FortiOS key=value traffic denies → `FirewallDeny`, `server-rst` → `Flow`, IPS /
//!   anomaly → `IpsAlert`.
//! - [`pf`]: OpenBSD/FreeBSD pf log as tcpdump prints it (a format of its own, and relayed with
//!   `logger -t pf`) → `FirewallDeny`.
//! - [`pfsense`]: pfSense / OPNsense `filterlog` CSV → `FirewallDeny`.
//! - [`paloalto`]: PAN-OS CSV `TRAFFIC` denies → `FirewallDeny`, `THREAT` → `IpsAlert`.
//! - [`juniper`]: Junos SRX `RT_FLOW_SESSION_DENY` (plain and structured-data) → `FirewallDeny`,
//!   `RT_SCREEN_*` → `IpsAlert`.
//! - [`mikrotik`]: RouterOS firewall lines (`drop-tcp input: in:… proto TCP (SYN), SRC->DST`) → `FirewallDeny`
//!   when the log prefix names the action.
//! - [`proxmox`]: Proxmox VE `pve-firewall.log` (a file format of its own, netfilter fields) →
//!   `FirewallDeny`.
//! - [`sophos`]: Sophos Firewall (XG / SFOS) key=value: denied rules → `FirewallDeny`, IDP →
//!   `IpsAlert`.
//! - [`winfw`]: Windows Firewall `pfirewall.log` (a file format of its own, W3C `#Fields:`) → `FirewallDeny`.
//!
//! The syslog framing is already read when these run; which vendor a message belongs to is decided
//! by the payload registry ([`crate::syslog::payload`]) from its tag or first bytes, so that every
//! other line pays a couple of byte comparisons.

pub mod asa;
pub mod checkpoint;
pub mod fortigate;
pub mod juniper;
pub mod mikrotik;
pub mod paloalto;
pub mod pf;
pub mod pfsense;
pub mod proxmox;
pub mod sophos;
pub mod winfw;

use std::net::IpAddr;

use crate::{EventKind, ParseError};

/// What a vendor classifier returns: `Err` for a line of that vendor that fails its framing.
pub type Classified = Result<Option<EventKind>, ParseError>;

/// An address, trimmed; `None` when it is not one.
pub(crate) fn ip(s: &str) -> Option<IpAddr> {
    s.trim().parse().ok()
}

/// A port number made only of ASCII digits.
pub(crate) fn port(s: &str) -> Option<u16> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_ignores_other_tags_and_messages() {
        use crate::syslog::classify;
        assert_eq!(classify(Some("sshd"), None, "Accepted password"), Ok(None));
        assert_eq!(classify(Some("%"), None, "x"), Ok(None));
        assert_eq!(classify(Some("%foo-bar"), None, "x"), Ok(None));
        // No vendor claims these bare lines.
        for bare in [
            "",
            "[UFW BLOCK] IN=eth0",
            "12 apples, 3 pears",
            ": hello",
            "%PDF-1.4",
        ] {
            let p = crate::syslog::payload::unframed(bare);
            assert!(
                p.is_none_or(|p| !matches!(
                    (p.classify)(&crate::syslog::payload::Msg {
                        app: None,
                        pid: None,
                        text: bare,
                        time: None,
                    }),
                    Ok(Some(_))
                )),
                "{bare}"
            );
        }
    }

    /// Every truncation of a set of real-looking lines, and each with one character replaced by a
    /// separator, runs through the syslog path without panicking.
    #[test]
    fn truncated_and_mangled_lines_do_not_panic() {
        let ctx = crate::TimeContext::utc(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        let lines = [
            r#"Nov 20 2026 02:13:44 fw01 : %ASA-4-106023: Deny tcp src outside:2001:db8::5/40000(LOCAL\a b) dst inside:192.0.2.10/443 by access-group "outside_in" [0x0, 0x0]"#,
            "Nov 20 02:13:44 fw01 %ASA-6-106100: access-list outside_in denied tcp outside/203.0.113.5(40000) -> inside/192.0.2.10(443) hit-cnt 1 first hit [0x0, 0x0]",
            "Nov 20 02:13:44 fw01 %ASA-2-106001: Inbound TCP connection denied from 203.0.113.5/40000 to 192.0.2.10/22 flags SYN on interface outside",
            "Nov 20 02:13:44 fw01 %ASA-4-401004: Shunned packet: 203.0.113.5 ==> 192.0.2.10 on interface outside",
            "Nov 20 02:13:44 fw01 %ASA-4-733100: [ 203.0.113.5] drop rate-1 exceeded. Current burst rate is 1 per second",
            "Nov 20 02:13:44 fw01 filterlog: 5,,,1,igb0,match,block,in,6,0x00,0x0,51,tcp,6,40,2001:db8::5,2001:db8::10,40000,22,0,S",
            "Nov 20 02:13:44 PA-VM 1,2026/11/20 02:13:44,0,THREAT,scan,1,2026/11/20 02:13:44,203.0.113.5,192.0.2.10,0.0.0.0,0.0.0.0,r,,,a,v,u,t,e1,e2,d,2026/11/20 02:13:44,0,1,40000,22,0,0,0x0,tcp,drop,\"\",\"TCP Port Scan(8001)\",any",
            r#"<14>1 2026-11-20T02:13:44Z srx1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.26 source-address="203.0.113.5" source-port="1" policy-name="a\"b" reason="policy reject"] session denied 203.0.113.5/1->192.0.2.10/22 x 6(0) p a b"#,
            "Nov 20 02:13:44 srx1 RT_IDS: RT_SCREEN_TCP: TCP port scan! source: 203.0.113.5:1, destination: 192.0.2.10:23, action: drop",
        ];
        for line in lines {
            let cuts: Vec<usize> = line.char_indices().map(|(k, _)| k).collect();
            for &k in &cuts {
                let _ =
                    crate::syslog::parse_line(line.get(..k).unwrap_or_default().as_bytes(), &ctx);
                for sep in ["", " ", ":", "/", ",", "(", "\"", "]", "é"] {
                    let mut m = String::from(line.get(..k).unwrap_or_default());
                    m.push_str(sep);
                    m.push_str(line.get(k..).and_then(|r| r.get(1..)).unwrap_or_default());
                    let _ = crate::syslog::parse_line(m.as_bytes(), &ctx);
                }
            }
        }
    }

    #[test]
    fn ports_are_digits_only() {
        assert_eq!(port("443"), Some(443));
        assert_eq!(port(" 22 "), Some(22));
        assert_eq!(port("+22"), None);
        assert_eq!(port("70000"), None);
        assert_eq!(port(""), None);
    }
}
