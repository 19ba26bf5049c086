//! Apache httpd's own `error_log`: `[Www Mmm dd HH:MM:SS(.uuuuuu) YYYY] [module:level] [pid N(:tid
//! M)] AHnnnnn: message` (2.4) or `[…] [level] message` (2.2), in the server's local time. The
//! wordings are [`crate::syslog::daemons::apache`]'s (`AH00489 … resuming normal operations`,
//! `AH00491/AH00169 caught SIGTERM, shutting down`, `AH00492/AH00170 caught SIGWINCH, shutting down
//! gracefully`); a graceful restart (`AH00171 Graceful restart requested, doing restart`) keeps
//! the server up and is no event. The real sample is super-speedy-syslog-searcher's Debian11
//! `apache2/error.log`.

use chrono::NaiveDateTime;

use crate::{LogFormat, LogSpec, ParseError, Score, TimeContext, Words, registry::Parse};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "apache_error",
    aliases: &["apache", "httpd"],
    description: "Apache httpd error_log: caught SIGTERM/SIGWINCH, shutting down (stop), resuming normal operations (start)",
    example: "[Fri Nov 20 02:10:00.204202 2026] [mpm_event:notice] [pid 11709:tid 140582486756672] AH00491: caught SIGTERM, shutting down",
    detect: |l| Score::claims_if(split(l).is_some()),
    parse: Parse::Lines(parse_line),
    line_time: |l, ctx| split(l).and_then(|(t, _)| ctx.local_to_utc(t)),
    words: &[Words {
        near_scan: &["shutting down", "resuming normal operations"],
        always: &[],
    }],
    ..LogSpec::NETWORK
});

/// Time and message (after the `[module:level]` and `[pid …]` fields) of a line.
fn split(line: &[u8]) -> Option<(NaiveDateTime, &str)> {
    let s = std::str::from_utf8(line).ok()?;
    let (stamp, rest) = s.strip_prefix('[')?.split_once("] [")?;
    let t = NaiveDateTime::parse_from_str(stamp, "%a %b %d %H:%M:%S%.f %Y").ok()?;
    let (_level, mut msg) = rest.split_once("] ")?;
    // `[pid N:tid M]`, `[client A:P]` fields before the message.
    while let Some(r) = msg.strip_prefix('[') {
        msg = r.split_once("] ").map_or("", |(_, m)| m);
    }
    Some((t, msg))
}

pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<crate::Event>, ParseError> {
    let s = super::text(line)?;
    let Some((t, msg)) = split(line) else {
        return if super::continuation(s) && !s.starts_with('[') {
            Ok(None)
        } else {
            Err(ParseError::Header("not an Apache error_log line"))
        };
    };
    let time = ctx
        .local_to_utc(t)
        .ok_or(ParseError::Timestamp("local time"))?;
    Ok(super::event(
        time,
        "apache",
        crate::syslog::daemons::apache(msg),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;
    use crate::{EventKind, LifecycleState};

    fn state(l: &str) -> Option<LifecycleState> {
        match parse_line(l.as_bytes(), &ctx()).unwrap()?.kind {
            EventKind::Lifecycle(x) => Some(x.state),
            _ => None,
        }
    }

    #[test]
    fn real_debian_lines_and_the_2_2_form() {
        use LifecycleState::*;
        assert_eq!(
            state(
                "[Mon Oct 10 23:56:29.204202 2022] [mpm_event:notice] [pid 11709:tid 140582486756672] AH00489: Apache/2.4.54 (Debian) configured -- resuming normal operations"
            ),
            Some(Started)
        );
        assert_eq!(
            state(
                "[Mon Oct 10 23:56:29.204401 2022] [core:notice] [pid 11709:tid 140582486756672] AH00094: Command line: '/usr/sbin/apache2'"
            ),
            None
        );
        assert_eq!(
            state(
                "[Tue Oct 11 00:02:22.680476 2022] [mpm_event:notice] [pid 11709:tid 140582486756672] AH00492: caught SIGWINCH, shutting down gracefully"
            ),
            Some(Stopped)
        );
        assert_eq!(
            state("[Fri Nov 20 02:10:00 2026] [notice] caught SIGTERM, shutting down"),
            Some(Stopped)
        );
        assert_eq!(
            state(
                "[Fri Nov 20 02:10:00.1 2026] [mpm_prefork:notice] [pid 1] AH00171: Graceful restart requested, doing restart"
            ),
            None
        );
        assert!(parse_line(b"[garbage] x", &ctx()).is_err());
    }
}
