//! CrowdSec's own log (`/var/log/crowdsec.log`, logrus text format): the decision lines
//! `time="2026-11-20T02:10:08Z" level=info msg="crowdsecurity/ssh-bf by ip 203.0.113.5 (FR/16276) :
//! 4h ban on Ip 203.0.113.5"` (older releases put `(machine/crowdsec) ` before the scenario).
//! A CrowdSec ban is enforced by bouncers for the whole host: scope = the scenario, `until` = time +
//! duration. Range decisions (`ban on Range 203.0.113.0/24`) are not events yet: a ban names one
//! address.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};

use crate::{
    Ban, BanAction, BanTool, Event, EventKind, ParseError, TimeContext, time::parse_iso8601,
};

/// CrowdSec's own log. Its logrus framing is shared with many Go daemons, so a file needs at least
/// one line only CrowdSec writes.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "crowdsec",
    aliases: &["crowdsec.log"],
    description: "crowdsec.log: ban decisions (scenario, duration)",
    example: r#"time="2026-11-20T02:10:08Z" level=info msg="crowdsecurity/ssh-bf by ip 203.0.113.5 (FR/16276) : 4h ban on Ip 203.0.113.5""#,
    detect: |line| {
        let t = line.trim_ascii_start();
        if !looks_native(t) {
            return crate::Score::No;
        }
        let has = |n: &[u8]| memchr::memmem::find(t, n).is_some();
        if has(b"crowdsec")
            || has(b"Crowdsec")
            || has(b" ban on ")
            || has(b" by ip ")
            || has(b"cscli")
        {
            crate::Score::Claims
        } else {
            crate::Score::Frames
        }
    },
    parse: crate::registry::Parse::Lines(parse_line),
    line_time,
    ..crate::LogSpec::NETWORK
});

/// Does this line look like a logrus text line (`time="…" level=…`)?
pub fn looks_native(line: &[u8]) -> bool {
    line.starts_with(b"time=\"") && memchr::memmem::find(line, b" level=").is_some()
}

/// Go duration: `4h`, `3h59m59.9s`, `30m`.
fn go_duration(s: &str) -> Option<Duration> {
    // Go's `time.Duration` text (`3h59m59.9s`): the one duration reader.
    crate::time::parse_duration(s).ok()
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let k = format!("{key}=\"");
    let start = line.find(&k)? + k.len();
    let end = start + line[start..].find('"')?;
    Some(&line[start..end])
}

/// The time of a line (for source coverage).
pub fn line_time(line: &[u8], ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(line).ok()?;
    parse_iso8601(field(text, "time")?, ctx)
}

/// Parse one crowdsec.log line.
pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
    let time = field(text, "time")
        .and_then(|t| parse_iso8601(t, ctx))
        .ok_or(ParseError::Timestamp("no time=\"…\""))?;
    let Some(msg) = field(text, "msg") else {
        return Ok(None);
    };
    // `… : 4h ban on Ip 203.0.113.5`
    let Some((head, decision)) = msg.rsplit_once(" : ") else {
        return Ok(None);
    };
    let mut w = decision.split_whitespace();
    let (Some(dur), Some("ban"), Some("on"), Some(scope_kind), Some(value)) =
        (w.next(), w.next(), w.next(), w.next(), w.next())
    else {
        return Ok(None);
    };
    if !scope_kind.eq_ignore_ascii_case("ip") {
        return Ok(None);
    }
    let ip: IpAddr = value
        .parse()
        .map_err(|_| ParseError::Field("banned address"))?;
    let scenario = head
        .split_whitespace()
        .find(|t| t.contains('/') && !t.starts_with('('))
        .map(str::to_string);
    Ok(Some(Event {
        observer: "crowdsec",
        time,
        host: None,
        kind: EventKind::Ban(Ban {
            ip,
            by: BanTool::Crowdsec,
            scope: scenario,
            action: BanAction::Ban,
            until: go_duration(dur).map(|d| time + d),
            target: None,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use crate::test_util::ctx;
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn decision_lines() {
        let ev = parse_line(
            br#"time="2026-11-20T02:10:08Z" level=info msg="crowdsecurity/ssh-bf by ip 203.0.113.5 (FR/16276) : 4h ban on Ip 203.0.113.5""#,
            &ctx(),
        )
        .unwrap()
        .unwrap();
        let EventKind::Ban(b) = ev.kind else { panic!() };
        assert_eq!(b.scope.as_deref(), Some("crowdsecurity/ssh-bf"));
        assert_eq!(
            b.until,
            Some(Utc.with_ymd_and_hms(2026, 11, 20, 6, 10, 8).unwrap())
        );
        let ev = parse_line(
            br#"time="2026-11-20T02:10:08+01:00" level=info msg="(test/crowdsec) crowdsecurity/http-probing by ip 2001:db8::5 : 3h59m59.5s ban on Ip 2001:db8::5""#,
            &ctx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            ev.time,
            Utc.with_ymd_and_hms(2026, 11, 20, 1, 10, 8).unwrap()
        );
        let EventKind::Ban(b) = ev.kind else { panic!() };
        assert_eq!(b.scope.as_deref(), Some("crowdsecurity/http-probing"));
        assert_eq!(b.ip, "2001:db8::5".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn other_lines() {
        for l in [
            &br#"time="2026-11-20T02:10:07Z" level=info msg="Ip 203.0.113.5 performed 'crowdsecurity/ssh-bf' (6 events over 1.5s) at 2026-11-20 02:10:07 +0000 UTC""#[..],
            br#"time="2026-11-20T02:10:08Z" level=info msg="crowdsecurity/ssh-bf by ip 203.0.113.0 : 4h ban on Range 203.0.113.0/24""#,
            br#"time="2026-11-20T02:10:08Z" level=warning msg="no acquisition file""#,
        ] {
            assert_eq!(parse_line(l, &ctx()).unwrap(), None);
        }
        assert!(parse_line(b"level=info msg=x", &ctx()).is_err());
        assert!(looks_native(
            br#"time="2026-11-20T02:10:08Z" level=info msg="x""#
        ));
        assert_eq!(go_duration("1h30m"), Some(Duration::minutes(90)));
        assert_eq!(go_duration("4x"), None);
    }
}
