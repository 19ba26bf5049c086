//! Windows event logs: one record model ([`WinEvent`]) read from every form people hand over —
//! native `.evtx` ([`evtx`]), `wevtutil qe /f:xml` and Event Viewer "Save as XML" ([`xml`]),
//! `Get-WinEvent | ConvertTo-Json`, NXLog and Winlogbeat JSON ([`json`]), the Event Viewer CSV
//! export ([`csv`]) — and one classifier ([`classify`]) that turns the records that matter into
//! events:
//!
//! - Service Control Manager 7036 (entered the running/stopped state), 7031/7034 (terminated
//!   unexpectedly), 7023/7024 (terminated with an error); 7040 (start type changed) is read, not an
//!   event. The service's key name (`W3SVC`) comes from the record's binary data (`W3SVC/1`: the
//!   UTF-16 name and the state number) when present, else the display name is kept as the unit.
//! - EventLog 6005 (log service started: boot), 6006 (stopped: clean shutdown), 6008 (the previous
//!   shutdown was unexpected), User32 1074 (a process initiated a restart or power off),
//!   Kernel-General 12/13 (OS start/shutdown).
//! - Security 5152/5157 (the Windows Filtering Platform blocked a packet/connection).
//!
//! Times are the record's `SystemTime` (UTC as stored). Message ids and field names follow
//! Microsoft's event documentation; field positions are those of the insertion strings
//! (`Properties` in Get-WinEvent), so a record whose fields are unnamed still reads.

pub mod csv;
pub mod evtx;
pub mod json;

pub mod xml;

use std::net::IpAddr;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::{
    Boot, DenyAction, Event, EventKind, FirewallDeny, Lifecycle, LifecycleState, Proto, Shutdown,
    ShutdownKind, TimeContext, Words,
};

/// Observer names: advice speaks of the control that logged the event.
pub const OBSERVER_SCM: &str = "windows_scm";
pub const OBSERVER_FIREWALL: &str = "windows_firewall";
pub const OBSERVER_SYSTEM: &str = "windows";

/// The prefilter's words for every Windows form: providers of lifecycle and shutdown records
/// (firewall drops name the scanner's address).
pub const WORDS: [Words; 1] = [Words {
    near_scan: &[
        "Service Control Manager",
        "EventLog",
        "User32",
        "Kernel-General",
        "7036",
        "7031",
        "7034",
        "6005",
        "6006",
        "6008",
        "1074",
    ],
    always: &[],
}];

/// One Windows event record, whatever form it came in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WinEvent {
    /// Provider (`Service Control Manager`, `Microsoft-Windows-Security-Auditing`).
    pub provider: String,
    pub event_id: u32,
    pub time: Option<DateTime<Utc>>,
    /// `Computer` / `MachineName` / `computer_name`.
    pub computer: Option<String>,
    /// Insertion strings in order, with their names where the form keeps them (`param1`,
    /// `SourceAddress`); unnamed ones have an empty name.
    pub data: Vec<(String, String)>,
    /// The record's binary data, as hex text (`<Binary>` in XML).
    pub binary: Option<String>,
    /// The rendered message, when the form carries one.
    pub message: Option<String>,
}

impl WinEvent {
    /// The field called `name` (case-insensitive), else the insertion string at `index`.
    pub fn field(&self, name: &str, index: usize) -> Option<&str> {
        self.data
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .or_else(|| {
                self.data
                    .get(index)
                    .filter(|(n, _)| n.is_empty() || n.starts_with("param"))
            })
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn provider_is(&self, short: &str) -> bool {
        let p = self.provider.trim();
        let p = p.strip_prefix("Microsoft-Windows-").unwrap_or(p);
        p.eq_ignore_ascii_case(short)
    }
}

/// The service key name and state a 7036/7031 record's binary data spells: UTF-16LE hex of
/// `NAME/STATE` (`W3SVC/4`), or of `NAME` alone. Hex as XML writes it, or a byte list (Get-WinEvent).
pub fn binary_service(hex: &str) -> Option<(String, Option<u32>)> {
    let h: Vec<u8> = hex.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    if h.len() < 4 || !h.len().is_multiple_of(4) {
        return None;
    }
    let mut units = Vec::with_capacity(h.len() / 4);
    for c in h.chunks(4) {
        let s = std::str::from_utf8(c).ok()?;
        let v = u16::from_str_radix(s, 16).ok()?;
        // Little-endian: the first byte written is the low one.
        units.push(v.rotate_left(8));
    }
    let text = String::from_utf16(&units).ok()?;
    let text = text.trim_end_matches('\0');
    if text.is_empty() || !text.chars().all(|c| !c.is_control()) {
        return None;
    }
    Some(match text.rsplit_once('/') {
        Some((name, state)) if !name.is_empty() => (name.to_string(), state.parse().ok()),
        _ => (text.to_string(), None),
    })
}

/// SCM's state words (`running`, `stopped`) in the languages people run servers in.
fn state_word(s: &str) -> Option<LifecycleState> {
    let s = s.trim().to_lowercase();
    const UP: &[&str] = &[
        "running",
        "ausgeführt",
        "wird ausgeführt",
        "en cours d'exécution",
        "en ejecución",
        "in esecuzione",
        "actief",
    ];
    const DOWN: &[&str] = &[
        "stopped",
        "beendet",
        "arrêté",
        "detenido",
        "arrestato",
        "gestopt",
    ];
    if UP.contains(&s.as_str()) {
        Some(LifecycleState::Started)
    } else if DOWN.contains(&s.as_str()) {
        Some(LifecycleState::Stopped)
    } else {
        None
    }
}

/// `The X service entered the Y state.` / `The X service terminated unexpectedly. …`: the display
/// name from an English message (forms that keep only the message: CSV, some JSON).
fn message_service(msg: &str) -> Option<(&str, &str)> {
    let rest = msg.trim().strip_prefix("The ")?;
    let (name, tail) = rest.split_once(" service ")?;
    Some((name, tail))
}

/// What a record says, as an event kind and the observer to name; `None` for records that are
/// read but are no event (7040, 7045, everything else).
pub fn classify(
    ev: &WinEvent,
    ctx: &TimeContext,
) -> Option<(EventKind, &'static str, Option<DateTime<Utc>>)> {
    if ev.provider_is("Service Control Manager") || ev.provider_is("Service-Control-Manager") {
        return scm(ev).map(|k| (k, OBSERVER_SCM, None));
    }
    if ev.provider_is("EventLog") || ev.provider_is("Eventlog") {
        return match ev.event_id {
            6005 => Some((EventKind::Boot(Boot {}), OBSERVER_SYSTEM, None)),
            6006 => Some((
                EventKind::Shutdown(Shutdown {
                    kind: ShutdownKind::Reboot,
                }),
                OBSERVER_SYSTEM,
                None,
            )),
            // Logged at the next boot; the shutdown's own time is in the first two strings
            // (local time of the host, often with U+200E marks around the date).
            6008 => Some((
                EventKind::Shutdown(Shutdown {
                    kind: ShutdownKind::Reboot,
                }),
                OBSERVER_SYSTEM,
                unexpected_shutdown_time(ev, ctx),
            )),
            _ => None,
        };
    }
    if ev.provider_is("User32") && ev.event_id == 1074 {
        let kind = ev
            .field("param5", 4)
            .map(|t| t.to_ascii_lowercase())
            .or_else(|| ev.message.as_ref().map(|m| m.to_ascii_lowercase()));
        let poweroff = kind.as_deref().is_some_and(|k| {
            k.contains("power off") || k.contains("shutdown") && !k.contains("restart")
        });
        return Some((
            EventKind::Shutdown(Shutdown {
                kind: if poweroff {
                    ShutdownKind::Poweroff
                } else {
                    ShutdownKind::Reboot
                },
            }),
            OBSERVER_SYSTEM,
            None,
        ));
    }
    if ev.provider_is("Kernel-General") {
        return match ev.event_id {
            12 => Some((EventKind::Boot(Boot {}), OBSERVER_SYSTEM, None)),
            13 => Some((
                EventKind::Shutdown(Shutdown {
                    kind: ShutdownKind::Reboot,
                }),
                OBSERVER_SYSTEM,
                None,
            )),
            _ => None,
        };
    }
    if ev.provider_is("Security-Auditing") && matches!(ev.event_id, 5152 | 5157) {
        return wfp_drop(ev).map(|k| (k, OBSERVER_FIREWALL, None));
    }
    None
}

fn scm(ev: &WinEvent) -> Option<EventKind> {
    // Some converters (Apache NiFi's JSON) put the binary data in place of the last string.
    let bin = ev.binary.as_deref().and_then(binary_service).or_else(|| {
        let (_, last) = ev.data.last().filter(|_| ev.data.len() >= 2)?;
        let hex = last.len() >= 8 && last.bytes().all(|b| b.is_ascii_hexdigit());
        hex.then(|| binary_service(last)).flatten()
    });
    let display = ev.field("param1", 0).map(str::to_string).or_else(|| {
        ev.message
            .as_deref()
            .and_then(message_service)
            .map(|(n, _)| n.to_string())
    });
    let (state, detail) = match ev.event_id {
        7036 => {
            let by_code = bin.as_ref().and_then(|(_, s)| *s).and_then(|s| match s {
                1 => Some(LifecycleState::Stopped),
                4 => Some(LifecycleState::Started),
                _ => None,
            });
            let by_word = ev.field("param2", 1).and_then(state_word).or_else(|| {
                let (_, tail) = message_service(ev.message.as_deref()?)?;
                let w = tail.strip_prefix("entered the ")?.split(" state").next()?;
                state_word(w)
            });
            (by_code.or(by_word)?, None)
        }
        7031 | 7034 => (
            LifecycleState::Crashed,
            Some(match ev.field("param2", 1) {
                Some(n) => format!("terminated unexpectedly ({n} times)"),
                None => "terminated unexpectedly".to_string(),
            }),
        ),
        7023 | 7024 => (
            LifecycleState::Crashed,
            Some(match ev.field("param2", 1) {
                Some(e) => format!("terminated with an error: {e}"),
                None => "terminated with an error".to_string(),
            }),
        ),
        _ => return None,
    };
    let key = bin.map(|(n, _)| n);
    let unit = key.clone().or_else(|| display.clone())?;
    let detail = match (detail, display) {
        (Some(d), Some(name)) if key.is_some() => Some(format!("{name}: {d}")),
        (None, Some(name)) if key.is_some() => Some(name),
        (d, _) => d,
    };
    Some(EventKind::Lifecycle(Lifecycle {
        unit,
        state,
        detail,
    }))
}

/// 6008's `previous system shutdown at TIME on DATE`: local time, US or ISO date forms.
fn unexpected_shutdown_time(ev: &WinEvent, ctx: &TimeContext) -> Option<DateTime<Utc>> {
    let clean = |s: &str| {
        s.chars()
            .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}'))
            .collect::<String>()
    };
    let time = clean(ev.field("param1", 0)?);
    let date = clean(ev.field("param2", 1)?);
    let s = format!("{} {}", date.trim(), time.trim());
    [
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
    .and_then(|n| ctx.local_to_utc(n))
}

/// 5152/5157: the WFP blocked a packet or connection. Per Microsoft's field docs `SourceAddress`
/// is the local side for an inbound record (`Direction` `%%14592` or `Inbound`) and the remote one
/// is `DestAddress`; the port the scanner hit is then `SourcePort`. Outbound records are not a
/// block of the scanner and are read as no event.
fn wfp_drop(ev: &WinEvent) -> Option<EventKind> {
    let dir = ev.field("Direction", 2).unwrap_or_default();
    let inbound = dir.contains("14592") || dir.eq_ignore_ascii_case("inbound");
    if !inbound {
        return None;
    }
    let ip = |n: &str, i: usize| ev.field(n, i).and_then(|v| v.parse::<IpAddr>().ok());
    let port = |n: &str, i: usize| ev.field(n, i).and_then(|v| v.parse::<u16>().ok());
    let local = ip("SourceAddress", 3);
    let remote = ip("DestAddress", 5)?;
    Some(EventKind::FirewallDeny(FirewallDeny {
        action: DenyAction::Drop,
        src: remote,
        dst: local,
        proto: ev.field("Protocol", 7).map(Proto::from_text),
        sport: port("DestPort", 6),
        dport: port("SourcePort", 4),
        rule: ev
            .field("FilterRTID", 8)
            .filter(|f| *f != "0")
            .map(|f| format!("WFP filter {f}")),
    }))
}

/// A record as an [`Event`]: `Ok(None)` when it is read but is no event.
pub fn to_event(ev: &WinEvent, ctx: &TimeContext) -> Result<Option<Event>, crate::ParseError> {
    let time = ev
        .time
        .ok_or(crate::ParseError::Timestamp("no SystemTime"))?;
    Ok(classify(ev, ctx).map(|(kind, observer, at)| Event {
        time: at.unwrap_or(time),
        host: ev.computer.clone().filter(|c| !c.is_empty()),
        observer,
        kind,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;

    #[test]
    fn binary_data_names_the_service_and_its_state() {
        // The nifi sample's 7036 binary: "ScDeviceEnum/4".
        assert_eq!(
            binary_service("5300630044006500760069006300650045006E0075006D002F0034000000"),
            Some(("ScDeviceEnum".to_string(), Some(4)))
        );
        assert_eq!(binary_service("zz"), None);
        assert_eq!(binary_service(""), None);
    }

    #[test]
    fn scm_stop_by_words_and_by_message() {
        let mut ev = WinEvent {
            provider: "Service Control Manager".into(),
            event_id: 7036,
            time: Some(ctx().reference),
            data: vec![
                ("param1".into(), "World Wide Web Publishing Service".into()),
                ("param2".into(), "stopped".into()),
            ],
            ..Default::default()
        };
        let (k, obs, _) = classify(&ev, &ctx()).unwrap();
        assert_eq!(obs, OBSERVER_SCM);
        assert!(
            matches!(&k, EventKind::Lifecycle(l) if l.unit == "World Wide Web Publishing Service" && l.state == LifecycleState::Stopped),
            "{k:?}"
        );
        ev.data.clear();
        ev.message = Some("The Remote Desktop Services service entered the running state.".into());
        let (k, _, _) = classify(&ev, &ctx()).unwrap();
        assert!(
            matches!(&k, EventKind::Lifecycle(l) if l.unit == "Remote Desktop Services" && l.state == LifecycleState::Started),
            "{k:?}"
        );
        ev.event_id = 7040;
        assert_eq!(classify(&ev, &ctx()), None);
    }

    #[test]
    fn wfp_inbound_block_is_a_drop_of_the_remote_address() {
        let ev = WinEvent {
            provider: "Microsoft-Windows-Security-Auditing".into(),
            event_id: 5157,
            time: Some(ctx().reference),
            data: [
                ("ProcessID", "4"),
                ("Application", "System"),
                ("Direction", "%%14592"),
                ("SourceAddress", "192.0.2.20"),
                ("SourcePort", "3389"),
                ("DestAddress", "203.0.113.5"),
                ("DestPort", "51514"),
                ("Protocol", "6"),
                ("FilterRTID", "0"),
            ]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
            ..Default::default()
        };
        let (k, obs, _) = classify(&ev, &ctx()).unwrap();
        assert_eq!(obs, OBSERVER_FIREWALL);
        match k {
            EventKind::FirewallDeny(d) => {
                assert_eq!(d.src.to_string(), "203.0.113.5");
                assert_eq!(d.dst.map(|a| a.to_string()).as_deref(), Some("192.0.2.20"));
                assert_eq!(d.dport, Some(3389));
                assert_eq!(d.proto, Some(Proto::Tcp));
            }
            other => panic!("{other:?}"),
        }
    }
}
