//! Proxmox VE firewall log, `/var/log/pve-firewall.log` (pvefw-logger): one packet a line,
//! `VMID LOGID CHAIN TIMESTAMP POLICY: PACKET`, the packet in netfilter's own `IN= … SRC= DST= …`
//! fields:
//!
//! ```text
//! 0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0.94 … SRC=192.0.2.11 DST=192.0.2.12 … PROTO=UDP SPT=49152 DPT=3784 LEN=32
//! 101 1 tap101i0-IN 20/Jun/2022:13:13:32 +0200 PVEFW-reject: IN=fwbr101i0 … PROTO=TCP SPT=59368 DPT=22 …
//! ```
//!
//! VMID 0 is the host; other numbers are the guest whose `tapNNNiM` chain logged it. `DROP`,
//! `policy DROP` → drop; `REJECT`, `policy REJECT`, `PVEFW-reject` → reject; `ACCEPT` → no event;
//! a line without a `POLICY:` (a group rule logging without its verdict) → no event. The rule is
//! `CHAIN POLICY`, which the advice reads (host vs guest firewall).

use chrono::{DateTime, Utc};

use crate::{Event, EventKind, ParseError, TimeContext};

/// Proxmox VE `pve-firewall.log`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "proxmox_firewall",
    aliases: &["pve-firewall", "pvefw"],
    description: "Proxmox VE pve-firewall.log (VMID LOGID CHAIN time POLICY: netfilter fields): DROP/REJECT of host and guest chains",
    example: "0 3 PVEFW-HOST-IN 20/Nov/2026:02:13:44 +0000 policy DROP: IN=vmbr0 MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=52011 DF PROTO=TCP SPT=40000 DPT=22 SEQ=1 ACK=0 WINDOW=64240 SYN",
    detect: |line| crate::Score::claims_if(split(line).is_some()),
    parse: crate::registry::Parse::Lines(parse_line),
    line_time: |line, _| split(line).map(|s| s.time),
    ..crate::LogSpec::NETWORK
});

struct Line<'a> {
    chain: &'a str,
    time: DateTime<Utc>,
    rest: &'a str,
}

fn split(line: &[u8]) -> Option<Line<'_>> {
    let text = std::str::from_utf8(line).ok()?.trim();
    let mut w = text.splitn(6, ' ');
    let vmid = w.next()?;
    let logid = w.next()?;
    if !vmid.bytes().all(|b| b.is_ascii_digit()) || !logid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let chain = w.next()?;
    let ts = format!("{} {}", w.next()?, w.next()?);
    let time = DateTime::parse_from_str(&ts, "%d/%b/%Y:%H:%M:%S %z")
        .ok()?
        .with_timezone(&Utc);
    Some(Line {
        chain,
        time,
        rest: w.next().unwrap_or_default(),
    })
}

/// Parse one pve-firewall.log line.
pub fn parse_line(line: &[u8], _: &TimeContext) -> Result<Option<Event>, ParseError> {
    let l = split(line).ok_or(ParseError::NotFormat("pve-firewall.log"))?;
    let Some(at) = l.rest.find("IN=").or_else(|| l.rest.find("OUT=")) else {
        return Err(ParseError::Field("no packet fields"));
    };
    let policy = l.rest[..at].trim().trim_end_matches(':').trim();
    if policy.is_empty() {
        return Ok(None);
    }
    // An outgoing packet (`PVEFW-HOST-OUT`) has no `IN=` at all: netfilter's reader starts there.
    let fields = &l.rest[at..];
    let fields = if fields.starts_with("IN=") {
        std::borrow::Cow::Borrowed(fields)
    } else {
        std::borrow::Cow::Owned(format!("IN= {fields}"))
    };
    let Some(mut kind) = crate::syslog::netfilter::classify(Some(policy), &fields)? else {
        return Ok(None);
    };
    if let EventKind::FirewallDeny(d) = &mut kind {
        d.rule = Some(format!("{} {policy}", l.chain));
    }
    Ok(Some(Event {
        time: l.time,
        host: None,
        observer: "proxmox",
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{a, ctx};
    use crate::{DenyAction, FirewallDeny};

    fn deny(line: &str) -> (DateTime<Utc>, FirewallDeny) {
        crate::test_util::the_deny(&parse_line(line.as_bytes(), &ctx()))
    }

    #[test]
    fn host_and_guest_chains() {
        // crowdsecurity/hub's Proxmox test lines, addresses replaced.
        let (t, d) = deny(
            "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0.94 MAC=24:8a:07:9a:2a:f2:24:8a:07:50:2c:9e:08:00 SRC=192.0.2.11 DST=192.0.2.12 LEN=52 TOS=0x00 PREC=0xC0 TTL=255 ID=64317 DF PROTO=UDP SPT=49152 DPT=3784 LEN=32",
        );
        assert_eq!(t.to_rfc3339(), "2022-06-20T11:09:14+00:00");
        assert_eq!(d.action, DenyAction::Drop);
        assert_eq!((d.src, d.dport), (a("192.0.2.11"), Some(3784)));
        assert_eq!(d.rule.as_deref(), Some("PVEFW-HOST-IN policy DROP"));
        let (_, d) = deny(
            "101 1 tap101i0-IN 20/Jun/2022:13:13:32 +0200 PVEFW-reject: IN=fwbr101i0 OUT=fwbr101i0 PHYSIN=fwln101i0 PHYSOUT=tap101i0 MAC=24:8a:07:50:2c:ef:5e:29:c3:7c:13:a3:86:dd SRC=2001:db8::a DST=2001:db8::17 LEN=40 TC=0 FLOWLBL=634336 HOPLIMIT=64 PROTO=TCP SPT=59368 DPT=22 SEQ=3146558957 ACK=0 WINDOW=64800 SYN",
        );
        assert_eq!(d.action, DenyAction::Reject);
        assert_eq!(d.dst, Some(a("2001:db8::17")));
        // Outgoing: no IN= field at all.
        let (_, d) = deny(
            "0 1 PVEFW-HOST-OUT 20/Jun/2022:13:16:23 +0200 REJECT: OUT=vmbr0.94 SRC=192.0.2.12 DST=192.0.2.10 LEN=60 TOS=0x10 PREC=0x00 TTL=64 ID=59156 DF PROTO=TCP SPT=49566 DPT=22 SEQ=708451139 ACK=0 WINDOW=64240 SYN",
        );
        assert_eq!((d.action, d.dport), (DenyAction::Reject, Some(22)));
        for none in [
            "0 0 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 ACCEPT: IN=vmbr0.94 SRC=192.0.2.34 DST=192.0.2.12 PROTO=TCP SPT=56386 DPT=8006",
            "0 5 GROUP-security1-IN 20/Jun/2022:15:52:26 +0200 IN=fwbr101i0 SRC=192.0.2.34 DST=192.0.2.200 PROTO=TCP SPT=51606 DPT=22",
        ] {
            assert_eq!(parse_line(none.as_bytes(), &ctx()), Ok(None), "{none}");
        }
        for bad in [
            "101 1 tap101i0-IN 20/Jun/2022:16:20:14 +0200 ",
            "0 3 PVEFW-HOST-IN 32/Jun/2022:13:09:14 +0200 DROP: IN=x SRC=192.0.2.1",
            "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 DROP: IN=x SRC=nope",
        ] {
            assert!(parse_line(bad.as_bytes(), &ctx()).is_err(), "{bad}");
        }
    }
}
