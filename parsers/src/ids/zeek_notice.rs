//! Zeek `notice.log` (TSV with its `#fields` header, or JSON), read for the scan detector's notices
//! (<https://docs.zeek.org/en/master/scripts/policy/misc/scan.zeek.html>):
//!
//! - `Scan::Port_Scan` (`src` probed many ports of `dst`) and `Scan::Address_Scan` (`src` probed
//!   port `p` on many hosts): the scanner was noticed, an [`IpsAlert`] alerted — context for a
//!   port, never a block by itself;
//! - any notice whose `actions` hold `Notice::ACTION_DROP` (NetControl / the catch-and-release
//!   framework dropped the source): [`IpsAction::Blocked`].
//!
//! Every other notice (`SSL::Invalid_Server_Cert`, …) is a well-framed line and no event.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{Event, EventKind, IpsAction, IpsAlert, ParseError, Proto, TimeContext};

/// Zeek `notice.log`.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "zeek_notice",
    aliases: &["notice", "notice.log"],
    description: "Zeek notice.log (TSV or JSON): Scan::Port_Scan / Scan::Address_Scan of the scanner as context, Notice::ACTION_DROP as a block",
    example: r#"{"_path":"notice","ts":1795140824.1,"note":"Scan::Port_Scan","msg":"203.0.113.5 scanned at least 15 unique ports of host 192.0.2.10 in 0m2s","sub":"local","src":"203.0.113.5","dst":"192.0.2.10","peer_descr":"zeek","actions":["Notice::ACTION_LOG","Notice::ACTION_DROP"],"suppress_for":3600.0}"#,
    detect: |line| {
        let t = line.trim_ascii();
        let has = |n: &[u8]| memchr::memmem::find(t, n).is_some();
        if t == b"#path\tnotice" || (t.starts_with(b"#fields") && has(b"\tnote\t") && has(b"\tmsg"))
        {
            crate::Score::Decides
        } else {
            crate::Score::claims_if(
                t.starts_with(b"{")
                    && (has(b"\"_path\":\"notice\"")
                        || (has(b"\"note\"") && has(b"\"msg\"") && has(b"\"actions\""))),
            )
        }
    },
    parse: crate::registry::Parse::Stateful(|| Box::new(NoticeParser::default())),
    line_time: |line, ctx| {
        let text = std::str::from_utf8(line).ok()?;
        if text.starts_with('{') {
            let v: Value = serde_json::from_str(text).ok()?;
            return json_ts(&v, ctx);
        }
        super::zeek::ts(text.split('\t').next()?.trim(), ctx)
    },
    header_prefixes: &["#separator", "#fields"],
    ..crate::LogSpec::NETWORK
});

fn json_ts(v: &Value, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    match v.get("ts")? {
        Value::Number(n) => super::zeek::ts(&n.as_f64()?.to_string(), ctx),
        Value::String(t) => super::zeek::ts(t, ctx),
        _ => None,
    }
}

/// Reads one notice.log in order (the `#fields` header of TSV files).
#[derive(Debug, Default)]
pub struct NoticeParser {
    fields: Vec<String>,
}

/// The fields a notice is read from, as text (`-` / empty = absent).
struct Notice {
    time: DateTime<Utc>,
    note: String,
    src: Option<String>,
    dst: Option<String>,
    p: Option<String>,
    proto: Option<String>,
    msg: String,
    actions: String,
}

impl crate::LineParser for NoticeParser {
    fn parse(&mut self, line: &[u8], ctx: &TimeContext) -> Result<Option<Event>, ParseError> {
        let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let text = text.trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            return Ok(None);
        }
        if let Some(f) = text.strip_prefix("#fields") {
            self.fields = f
                .split('\t')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            return Ok(None);
        }
        if text.starts_with('#') {
            return Ok(None);
        }
        let n = if text.starts_with('{') {
            from_json(text, ctx)?
        } else {
            self.read_tsv(text, ctx)?
        };
        Ok(event(n))
    }
}

impl NoticeParser {
    fn read_tsv(&self, text: &str, ctx: &TimeContext) -> Result<Notice, ParseError> {
        if self.fields.is_empty() {
            return Err(ParseError::Header("data line before a #fields header"));
        }
        let cols: Vec<&str> = text.split('\t').collect();
        if cols.len() != self.fields.len() {
            return Err(ParseError::Field("column count differs from #fields"));
        }
        let get = |n: &str| {
            self.fields
                .iter()
                .position(|f| f == n)
                .map(|i| cols[i])
                .filter(|v| !v.is_empty() && *v != "-" && *v != "(empty)")
                .map(str::to_string)
        };
        let time = get("ts")
            .and_then(|t| super::zeek::ts(&t, ctx))
            .ok_or(ParseError::Timestamp("ts"))?;
        Ok(Notice {
            time,
            note: get("note").unwrap_or_default(),
            src: get("src").or_else(|| get("id.orig_h")),
            dst: get("dst").or_else(|| get("id.resp_h")),
            p: get("p").or_else(|| get("id.resp_p")),
            proto: get("proto"),
            msg: get("msg").unwrap_or_default(),
            actions: get("actions").unwrap_or_default(),
        })
    }
}

fn from_json(text: &str, ctx: &TimeContext) -> Result<Notice, ParseError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ParseError::Json(e.to_string()))?;
    if !v.is_object() {
        return Err(ParseError::Json("not an object".into()));
    }
    let time = json_ts(&v, ctx).ok_or(ParseError::Timestamp("ts"))?;
    let s = |k: &str| match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let actions = match v.get("actions") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    };
    Ok(Notice {
        time,
        note: s("note").unwrap_or_default(),
        src: s("src").or_else(|| s("id.orig_h")),
        dst: s("dst").or_else(|| s("id.resp_h")),
        p: s("p").or_else(|| s("id.resp_p")),
        proto: s("proto"),
        msg: s("msg").unwrap_or_default(),
        actions,
    })
}

fn event(n: Notice) -> Option<Event> {
    let dropped = n.actions.contains("Notice::ACTION_DROP");
    let scan = matches!(n.note.as_str(), "Scan::Port_Scan" | "Scan::Address_Scan");
    if !dropped && !scan {
        return None;
    }
    let src: IpAddr = n.src.as_deref()?.parse().ok()?;
    // A port scan names no one port; an address scan names no one host.
    let dst = n
        .dst
        .as_deref()
        .and_then(|d| d.parse().ok())
        .filter(|_| n.note != "Scan::Address_Scan");
    let dport =
        n.p.as_deref()
            .and_then(|p| p.parse().ok())
            .filter(|_| n.note != "Scan::Port_Scan");
    Some(Event {
        time: n.time,
        host: None,
        observer: "zeek",
        kind: EventKind::IpsAlert(IpsAlert {
            action: IpsAction::blocked_if(dropped),
            src,
            dst,
            proto: n.proto.as_deref().map(Proto::from_text),
            dport,
            signature: if n.msg.is_empty() {
                n.note
            } else {
                format!("{}: {}", n.note, n.msg)
            },
            signature_id: None,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LineParser;
    use crate::test_util::{a, ctx};

    fn all(text: &str) -> Vec<Result<Option<Event>, ParseError>> {
        let mut p = NoticeParser::default();
        text.lines()
            .map(|l| p.parse(l.as_bytes(), &ctx()))
            .collect()
    }

    fn alert(r: &Result<Option<Event>, ParseError>) -> IpsAlert {
        match r {
            Ok(Some(Event {
                kind: EventKind::IpsAlert(x),
                ..
            })) => x.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tsv_scans_are_context_and_a_drop_blocks() {
        let text = "#separator \\x09\n#path\tnotice\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tnote\tmsg\tsub\tsrc\tdst\tp\tactions\n\
1795140824.100000\t-\t-\t-\t-\t-\t-\tScan::Port_Scan\t203.0.113.5 scanned at least 15 unique ports of host 192.0.2.10 in 0m2s\tlocal\t203.0.113.5\t192.0.2.10\t-\tNotice::ACTION_LOG\n\
1795140825.100000\t-\t-\t-\t-\t-\t-\tScan::Address_Scan\t203.0.113.5 scanned at least 25 unique hosts on port 22/tcp in 0m3s\tlocal\t203.0.113.5\t-\t22\tNotice::ACTION_LOG,Notice::ACTION_DROP\n\
1795140826.100000\t-\t-\t-\t-\t-\t-\tSSL::Invalid_Server_Cert\tx\t-\t192.0.2.1\t192.0.2.2\t443\tNotice::ACTION_LOG\n";
        let r = all(text);
        assert_eq!(&r[..3], &[Ok(None), Ok(None), Ok(None)]);
        let x = alert(&r[3]);
        assert_eq!(x.action, IpsAction::Alerted);
        assert_eq!(
            (x.src, x.dst, x.dport),
            (a("203.0.113.5"), Some(a("192.0.2.10")), None)
        );
        assert!(x.signature.starts_with("Scan::Port_Scan: "));
        let x = alert(&r[4]);
        assert_eq!(x.action, IpsAction::Blocked);
        assert_eq!((x.dst, x.dport), (None, Some(22)));
        assert_eq!(r[5], Ok(None));
    }

    #[test]
    fn json_and_malformed() {
        let r = all(FORMAT.example());
        assert_eq!(alert(&r[0]).action, IpsAction::Blocked);
        let r = all("1795140824.1\tx\n{\"ts\":\"never\",\"note\":\"Scan::Port_Scan\"}\n{");
        assert!(r.iter().all(Result::is_err), "{r:?}");
    }
}
