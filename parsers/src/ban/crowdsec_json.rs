//! CrowdSec alerts as JSON: what `cscli alerts list -o json` and `cscli decisions list -o json`
//! print and the Local API returns (`models.Alert`): an array of alerts, pretty-printed over many
//! lines (or one alert a line), each with its `decisions`:
//!
//! ```text
//! [
//!   {
//!     "created_at": "2026-11-20T02:10:08Z",
//!     "scenario": "crowdsecurity/ssh-bf",
//!     "decisions": [ { "duration": "4h", "scope": "Ip", "type": "ban", "value": "203.0.113.5", … } ],
//!     …
//!   }
//! ]
//! ```
//!
//! A document spans lines, so the parser keeps the text of the alert being read (bounded) and,
//! on the line that closes it, yields one [`Ban`]: its longest `ban` decision on an `Ip` (the
//! evidence line is that closing line). The ban starts at the alert's `created_at` (else
//! `stop_at`, `start_at`) and lasts `until` when the decision has it (newer `cscli`), else its
//! `duration` (Go syntax: `3h59m58.9s`; negative when already expired). An alert without
//! decisions (detection only, `"decisions": null`) is no event; `Range` decisions are not read yet
//! (a ban names one address).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{Ban, BanAction, BanTool, Event, EventKind, ParseError, TimeContext};

/// The largest alert text kept while reading one (a bigger one is malformed and skipped).
const MAX_ALERT: usize = 4 << 20;

/// CrowdSec alert/decision JSON.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "crowdsec_json",
    aliases: &["cscli", "crowdsec_alerts", "crowdsec_decisions"],
    description: "CrowdSec alerts/decisions JSON (cscli alerts|decisions list -o json, LAPI): ban decisions on an Ip, until created_at + duration",
    example: r#"[{"created_at":"2026-11-20T02:10:08Z","scenario":"crowdsecurity/ssh-bf","scenario_hash":"x","source":{"ip":"203.0.113.5","scope":"Ip","value":"203.0.113.5"},"decisions":[{"duration":"4h","origin":"crowdsec","scenario":"crowdsecurity/ssh-bf","scope":"Ip","type":"ban","value":"203.0.113.5"}]}]"#,
    detect: |line| {
        let has = |n: &[u8]| memchr::memmem::find(line, n).is_some();
        if has(b"\"scenario_hash\"")
            || has(b"\"machine_id\"")
            || (has(b"\"decisions\"") && has(b"\"scenario\""))
        {
            crate::Score::Decides
        } else {
            crate::Score::No
        }
    },
    parse: crate::registry::Parse::Stateful(|| Box::new(AlertParser::default())),
    line_time: |line, ctx| {
        let t = crate::json_str_field(line, b"\"created_at\"")
            .or_else(|| crate::json_str_field(line, b"\"start_at\""))?;
        crate::time::parse_iso8601(t, ctx)
    },
    // Every line of a pretty-printed document matters to the parser: let them all through.
    header_prefixes: &["\"", "{", "}", "[", "]"],
    ..crate::LogSpec::NETWORK
});

/// Reads one JSON document in order, an alert at a time.
#[derive(Debug, Default)]
pub struct AlertParser {
    depth: usize,
    in_str: bool,
    escaped: bool,
    /// The current alert's text (from its `{`).
    buf: String,
    /// Did the document open with `[` (alerts are then at depth 1)?
    array: bool,
    started: bool,
    overflow: bool,
}

impl crate::LineParser for AlertParser {
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let mut result = Ok(None);
        for (i, c) in text.char_indices() {
            let alert_depth = usize::from(self.array);
            if self.in_str {
                if self.escaped {
                    self.escaped = false;
                } else if c == '\\' {
                    self.escaped = true;
                } else if c == '"' {
                    self.in_str = false;
                }
            } else {
                match c {
                    '"' => self.in_str = true,
                    '[' | '{' if !self.started => {
                        self.started = true;
                        self.array = c == '[';
                        self.depth = 1;
                        if c == '{' {
                            self.buf.clear();
                            self.overflow = false;
                            self.push("{");
                        }
                        continue;
                    }
                    '[' | '{' => {
                        if self.depth == alert_depth && c == '{' {
                            self.buf.clear();
                            self.overflow = false;
                        }
                        self.depth += 1;
                    }
                    ']' | '}' => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == alert_depth && c == '}' {
                            self.push("}");
                            result = self.finish(ctx);
                        }
                        if self.depth == 0 {
                            // The document closed: a next one (JSON lines) starts afresh.
                            self.started = false;
                            self.array = false;
                        }
                        if self.depth <= alert_depth {
                            continue;
                        }
                    }
                    _ => {}
                }
            }
            if self.started && self.depth > usize::from(self.array) {
                self.push(&text[i..i + c.len_utf8()]);
            }
        }
        if self.started && self.depth > usize::from(self.array) {
            self.push("\n");
        }
        result
    }
}

impl AlertParser {
    fn push(&mut self, s: &str) {
        if self.buf.len() + s.len() > MAX_ALERT {
            self.overflow = true;
        } else if !self.overflow {
            self.buf.push_str(s);
        }
    }

    fn finish(&mut self, ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let text = std::mem::take(&mut self.buf);
        if std::mem::take(&mut self.overflow) {
            return Err(ParseError::Json("alert larger than 4 MiB".into()));
        }
        let v: Value = serde_json::from_str(&text).map_err(|e| ParseError::Json(e.to_string()))?;
        alert_event(&v, ctx)
    }
}

fn alert_event(v: &Value, ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
    let s = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(decisions) = v.get("decisions").and_then(Value::as_array) else {
        return Ok(None);
    };
    let time = ["created_at", "stop_at", "start_at"]
        .iter()
        .find_map(|k| s(v, k).and_then(|t| crate::time::parse_iso8601(&t, ctx)))
        .ok_or(ParseError::Timestamp(
            "alert without created_at/stop_at/start_at",
        ))?;
    let mut best: Option<(IpAddr, Option<DateTime<Utc>>, Option<String>)> = None;
    for d in decisions {
        let is_ban = s(d, "type").is_some_and(|t| t.eq_ignore_ascii_case("ban"));
        let on_ip = s(d, "scope").is_some_and(|t| t.eq_ignore_ascii_case("ip"));
        let Some(ip) = s(d, "value").and_then(|a| a.parse::<IpAddr>().ok()) else {
            continue;
        };
        if !is_ban || !on_ip {
            continue;
        }
        let until = s(d, "until")
            .and_then(|u| crate::time::parse_iso8601(&u, ctx))
            .or_else(|| {
                let dur = s(d, "duration")?;
                let (neg, dur) = match dur.strip_prefix('-') {
                    Some(rest) => (true, rest.to_string()),
                    None => (false, dur),
                };
                let d = crate::time::parse_duration(&dur).ok()?;
                Some(if neg { time - d } else { time + d })
            });
        let scenario = s(d, "scenario").or_else(|| s(v, "scenario"));
        let longer = match &best {
            None => true,
            Some((_, b, _)) => match (until, b) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(u), Some(b)) => u > *b,
            },
        };
        if longer {
            best = Some((ip, until, scenario));
        }
    }
    Ok(best.map(|(ip, until, scope)| Event {
        time,
        host: s(v, "machine_id"),
        observer: "crowdsec",
        kind: EventKind::Ban(Ban {
            ip,
            by: BanTool::Crowdsec,
            scope,
            action: BanAction::Ban,
            until,
            target: None,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::LineParser;
    use crate::test_util::{a, ctx};

    fn run(text: &str) -> Vec<(usize, Result<Option<Event>, ParseError>)> {
        let mut p = AlertParser::default();
        text.lines()
            .enumerate()
            .map(|(n, l)| (n + 1, p.parse(l.as_bytes(), &ctx())))
            .filter(|(_, r)| !matches!(r, Ok(None)))
            .collect()
    }

    // The shape of crowdsecurity/crowdsec's LAPI test alert (alert_sample.json), pretty-printed.
    const PRETTY: &str = r#"[
  {
    "id": 42,
    "machine_id": "test",
    "created_at": "2026-11-20T02:10:08Z",
    "decisions": [
      { "id": 1, "duration": "1h", "origin": "test", "scenario": "crowdsecurity/test", "scope": "Ip", "value": "203.0.113.5", "type": "ban" },
      { "id": 2, "duration": "3h", "origin": "test", "scenario": "crowdsecurity/test", "scope": "Ip", "value": "203.0.113.5", "type": "ban" },
      { "id": 3, "duration": "9h", "scope": "Range", "value": "203.0.113.0/24", "type": "ban" }
    ],
    "message": "a \"quoted\" } brace",
    "scenario": "crowdsecurity/test",
    "source": { "ip": "203.0.113.5", "range": "203.0.113.5/32", "scope": "ip", "value": "203.0.113.5" },
    "start_at": "2026-11-20T02:10:01Z",
    "stop_at": "2026-11-20T02:10:05Z"
  },
  {
    "created_at": "2026-11-20T02:11:00Z",
    "decisions": null,
    "scenario": "crowdsecurity/ssh-bf"
  }
]"#;

    #[test]
    fn one_ban_per_alert_on_its_closing_line() {
        let r = run(PRETTY);
        assert_eq!(r.len(), 1, "{r:?}");
        let (line, ev) = &r[0];
        assert_eq!(*line, 16);
        let ev = ev.clone().unwrap().unwrap();
        assert_eq!(ev.host.as_deref(), Some("test"));
        match ev.kind {
            EventKind::Ban(b) => {
                assert_eq!(b.ip, a("203.0.113.5"));
                assert_eq!(b.by, BanTool::Crowdsec);
                assert_eq!(b.scope.as_deref(), Some("crowdsecurity/test"));
                assert_eq!(
                    b.until,
                    Some(Utc.with_ymd_and_hms(2026, 11, 20, 5, 10, 8).unwrap())
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn one_alert_a_line_until_and_broken_alerts() {
        let text = concat!(
            r#"[{"created_at":"2026-11-20T02:10:08Z","decisions":[{"until":"2026-11-20T08:00:00Z","duration":"1h","scope":"Ip","type":"ban","value":"2001:db8::5"}]}]"#,
            "\n",
            r#"[{"created_at":"2026-11-20T02:10:08Z","decisions":[{"duration":"-5m","scope":"Ip","type":"ban","value":"203.0.113.5"}]}]"#,
            "\n",
            r#"[{"decisions":[{"duration":"1h","scope":"Ip","type":"ban","value":"203.0.113.5"}]}]"#,
            "\n",
        );
        let r = run(text);
        assert_eq!(r.len(), 3, "{r:?}");
        let until = |i: usize| match &r[i].1 {
            Ok(Some(Event {
                kind: EventKind::Ban(b),
                ..
            })) => b.until,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            until(0),
            Some(Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap())
        );
        assert_eq!(
            until(1),
            Some(Utc.with_ymd_and_hms(2026, 11, 20, 2, 5, 8).unwrap())
        );
        assert!(r[2].1.is_err(), "no time");
    }
}
