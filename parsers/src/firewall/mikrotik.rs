//! MikroTik RouterOS firewall log lines (a rule with `log=yes`, topic `firewall,info`):
//!
//! ```text
//! 2023-03-18T20:36:59.594792+01:00 192.0.2.1 firewall,info drop-tcp input: in:ether1-WAN out:(unknown 0), connection-state:new src-mac 00:17:10:88:bc:02, proto TCP (SYN), 203.0.113.5:59388->192.0.2.145:23, len 40
//! Nov 20 02:13:44 gw01 input: in:ether1 out:(unknown 0), src-mac 52:54:00:12:34:56, proto TCP (SYN), 203.0.113.5:40000->192.0.2.10:22, len 60
//! ```
//!
//! `[topics] [log-prefix] CHAIN: in:IF out:IF, …, proto P (FLAGS), SRC:PORT->DST:PORT, …`. RouterOS
//! does not log the rule's action: only the `log-prefix` the admin gave can say it (`drop-tcp`,
//! `BLOCK`, `reject`), so a line is a [`FirewallDeny`] when its prefix names a drop, block, deny,
//! reject or tarpit (reject → reject), and no event otherwise (an accept or passthrough rule
//! logging too). IPv6 endpoints are written `[ADDR]:PORT`; ICMP has no ports.

use std::net::IpAddr;

use crate::{DenyAction, EventKind, FirewallDeny, ParseError, Proto};

/// Does this (tag and) message look like a RouterOS firewall line?
pub fn looks_like(app: Option<&str>, text: &str) -> bool {
    let _ = app;
    text.contains("in:")
        && text.contains(" out:")
        && text.contains(", proto ")
        && text.contains("->")
}

fn endpoint(s: &str) -> Option<(IpAddr, Option<u16>)> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[') {
        let (a, p) = rest.split_once("]:")?;
        return Some((a.parse().ok()?, p.parse().ok()));
    }
    if let Ok(a) = s.parse() {
        return Some((a, None));
    }
    let (a, p) = s.rsplit_once(':')?;
    Some((a.parse().ok()?, p.parse().ok()))
}

/// Classify a RouterOS firewall line: `app` is the tag the syslog header found (RouterOS's chain
/// when no prefix and no topics precede it), `text` the message.
pub fn classify(app: Option<&str>, text: &str) -> Result<Option<EventKind>, ParseError> {
    // Everything before `in:` is `[topics] [prefix] chain:`; with a tag, the chain was the tag.
    let Some(at) = text.find("in:") else {
        return Ok(None);
    };
    let head = text[..at].trim().trim_end_matches(':');
    let mut words: Vec<&str> = head.split_whitespace().collect();
    if app.is_none() {
        words.pop(); // the chain
    }
    let words: Vec<&str> = words
        .into_iter()
        .filter(|w| !w.starts_with("firewall,"))
        .collect();
    let prefix = words.join(" ");
    let low = prefix.to_ascii_lowercase();
    let action = if low.contains("reject") {
        DenyAction::Reject
    } else if ["drop", "block", "deny", "tarpit"]
        .iter()
        .any(|w| low.contains(w))
    {
        DenyAction::Drop
    } else {
        return Ok(None);
    };
    let (_, rest) = text
        .split_once(", proto ")
        .ok_or(ParseError::Field("proto"))?;
    let (proto, rest) = rest.split_once(", ").ok_or(ParseError::Field("proto"))?;
    let proto = Proto::from_text(proto.split_whitespace().next().unwrap_or_default());
    let flow = rest.split(',').next().unwrap_or_default();
    // NAT rewrites are logged as `SRC->DST, NAT (…)->…`: the first pair is the packet as it came.
    let (src, dst) = flow.split_once("->").ok_or(ParseError::Field("SRC->DST"))?;
    let (src, sport) = endpoint(src).ok_or(ParseError::Field("source address"))?;
    let (dst, dport) = endpoint(dst).ok_or(ParseError::Field("destination address"))?;
    Ok(Some(EventKind::FirewallDeny(FirewallDeny {
        action,
        src,
        dst: Some(dst),
        proto: Some(proto),
        sport,
        dport,
        rule: Some(prefix).filter(|p| !p.is_empty()),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};

    fn deny(line: &str) -> FirewallDeny {
        match crate::syslog::parse_line(line.as_bytes(), &ctx()) {
            Ok(Some(crate::Event {
                kind: EventKind::FirewallDeny(d),
                observer: "mikrotik",
                ..
            })) => d,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn prefixed_drops_with_topics_or_without() {
        // crowdsecurity/hub's RouterOS test line (addresses replaced).
        let d = deny(
            "2023-03-18T20:36:59.594792+01:00 192.0.2.1 firewall,info drop-tcp input: in:ether1-WAN out:(unknown 0), connection-state:new src-mac 00:17:10:88:bc:02, proto TCP (SYN), 203.0.113.5:59388->192.0.2.145:23, len 40",
        );
        assert_eq!(d.action, DenyAction::Drop);
        assert_eq!(d.src, a("203.0.113.5"));
        assert_eq!(
            (d.dst, d.sport, d.dport),
            (Some(a("192.0.2.145")), Some(59388), Some(23))
        );
        assert_eq!(d.proto, Some(Proto::Tcp));
        assert_eq!(d.rule.as_deref(), Some("drop-tcp"));
        let d = deny(
            "Nov 20 02:13:44 gw01 REJECT forward: in:ether1 out:bridge, src-mac 52:54:00:12:34:56, proto UDP, [2001:db8::5]:40000->[2001:db8::10]:161, len 60",
        );
        assert_eq!(d.action, DenyAction::Reject);
        assert_eq!((d.src, d.dport), (a("2001:db8::5"), Some(161)));
    }

    #[test]
    fn no_prefix_no_action_known() {
        // The chain became the tag; nothing says the rule dropped.
        let line = "Nov 20 02:13:44 gw01 input: in:ether1 out:(unknown 0), src-mac 52:54:00:12:34:56, proto TCP (SYN), 203.0.113.5:40000->192.0.2.10:22, len 60";
        assert_eq!(crate::syslog::parse_line(line.as_bytes(), &ctx()), Ok(None));
        assert_eq!(
            classify(
                None,
                "firewall,info accept-ssh input: in:e1 out:e2, proto TCP (SYN), 203.0.113.5:1->192.0.2.10:22, len 60"
            ),
            Ok(None)
        );
        assert!(
            classify(
                None,
                "drop input: in:e1 out:e2, proto TCP (SYN), nonsense, len 60"
            )
            .is_err()
        );
    }
}
