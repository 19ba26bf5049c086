//! Real-world Wazuh/OSSEC active-response logs (Wazuh docs and ruleset tests, from the shared corpus;
//! never copied here).

mod common;

use chrono::{TimeZone, Utc};
use portmortem_parsers::{BanAction, EventKind, TimeContext, detect_log_format, parse_line};

/// (action, scope, address) of each ban line.
type Bans = Vec<(BanAction, String, String)>;

/// The bans of a corpus file, with the counts of other lines and of malformed lines.
fn bans(rel: &str, year: i32) -> Option<(Bans, usize, usize)> {
    let path = common::realworld(rel)?;
    let data = std::fs::read(path).unwrap();
    assert_eq!(
        detect_log_format(&data),
        Some(portmortem_parsers::ban::wazuh::FORMAT),
        "{rel}"
    );
    let ctx = TimeContext::utc(Utc.with_ymd_and_hms(year, 6, 1, 0, 0, 0).unwrap());
    let (mut out, mut none, mut errors) = (Vec::new(), 0, 0);
    for line in data.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match parse_line(portmortem_parsers::ban::wazuh::FORMAT, line, &ctx) {
            Ok(Some(ev)) => match ev.kind {
                EventKind::Ban(b) => {
                    out.push((b.action, b.scope.unwrap_or_default(), b.ip.to_string()))
                }
                other => panic!("{other:?}"),
            },
            Ok(None) => none += 1,
            Err(_) => errors += 1,
        }
    }
    Some((out, none, errors))
}

#[test]
fn wazuh_4x_json_add_then_delete() {
    let Some((b, none, errors)) = bans(
        "logs/wazuh/wazuh-docs_shellshock_active-responses-4x.extracted.log",
        2022,
    ) else {
        return;
    };
    // Starting / add / check_keys / continue / Ended, then Starting / delete / Ended.
    assert_eq!(
        b,
        vec![
            (
                BanAction::Ban,
                "firewall-drop".into(),
                "192.168.56.3".into()
            ),
            (
                BanAction::Unban,
                "firewall-drop".into(),
                "192.168.56.3".into()
            )
        ]
    );
    assert_eq!((none, errors), (6, 0));
}

#[test]
fn ossec_old_format_with_zone_abbreviations() {
    let Some((b, none, errors)) = bans("logs/wazuh/wazuh-ruleset_ossec.extracted.log", 2011) else {
        return;
    };
    // host-deny and firewall-drop add, then both delete (CDT times); the last line is an
    // ossec-logcollector message that is not an active response at all.
    assert_eq!(b.len(), 4);
    assert_eq!(
        b[0],
        (BanAction::Ban, "host-deny".into(), "172.16.0.1".into())
    );
    assert_eq!(
        b[3],
        (
            BanAction::Unban,
            "firewall-drop".into(),
            "172.16.0.1".into()
        )
    );
    assert_eq!((none, errors), (0, 1));
    let Some((b, _, _)) = bans(
        "logs/wazuh/wazuh-docs_shellshock_active-responses-old.extracted.log",
        2019,
    ) else {
        return;
    };
    assert_eq!(b.len(), 2);
}
