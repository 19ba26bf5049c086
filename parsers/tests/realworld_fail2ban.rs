//! Real-world fail2ban log (fail2ban's own test file, from the shared corpus; never copied here).
//! It mixes native lines with syslog-relayed ones, and ends with a line that has no timestamp.

mod common;

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use portmortem_parsers::{BanAction, EventKind, TimeContext, detect_log_format, parse_line};

fn corpus_file(rel: &str) -> Option<PathBuf> {
    common::realworld(rel)
}

#[test]
fn recidive_test_log_bans_and_unbans() {
    let Some(path) = corpus_file("logs/fail2ban/fail2ban-tests_recidive.log") else {
        return;
    };
    let data = std::fs::read(&path).unwrap();
    assert_eq!(
        detect_log_format(&data),
        Some(portmortem_parsers::ban::fail2ban::FORMAT)
    );
    let ctx = TimeContext::utc(Utc.with_ymd_and_hms(2006, 2, 13, 0, 0, 0).unwrap());
    let (mut bans, mut unbans, mut errors) = (Vec::new(), 0, 0);
    for line in data.split(|b| *b == b'\n') {
        // The file annotates expectations with `# failJSON:` lines.
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        match parse_line(portmortem_parsers::ban::fail2ban::FORMAT, line, &ctx) {
            Ok(Some(ev)) => match ev.kind {
                EventKind::Ban(b) if b.action == BanAction::Ban => {
                    bans.push(b.scope.unwrap_or_default())
                }
                EventKind::Ban(b) if b.action == BanAction::Unban => unbans += 1,
                other => panic!("{other:?}"),
            },
            Ok(None) => panic!(
                "every line of this file is a ban or unban: {}",
                String::from_utf8_lossy(line)
            ),
            Err(_) => errors += 1,
        }
    }
    // Native: sendmail ×3, recidive; syslog-relayed: jail, postfix-auth ×2. The last line
    // (`host fail2ban[15699]: [postfix-sasl] Ban 192.0.2.3`) has no timestamp: malformed.
    assert_eq!(
        bans,
        vec![
            "sendmail",
            "sendmail",
            "recidive",
            "jail",
            "sendmail",
            "postfix-auth",
            "postfix-auth"
        ]
    );
    assert_eq!(unbans, 1);
    assert_eq!(errors, 1);
}
