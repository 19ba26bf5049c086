//! Apache Tomcat's `catalina.out` / `catalina.YYYY-MM-DD.log` (the `OneLineFormatter` of Tomcat
//! 8.5+): `20-Nov-2026 02:10:00.123 INFO [main] org.apache.coyote.AbstractProtocol.start Starting
//! ProtocolHandler ["http-nio-8080"]`, local time. Events: `Starting ProtocolHandler […-8080]`
//! (the connector's port, learned), `Server startup in [N] milliseconds` (started), `A valid
//! shutdown command was received`, `Pausing`/`Stopping ProtocolHandler`, `Stopping service`
//! (stopping), `Destroying ProtocolHandler` (stopped), `Failed to initialize end point` /
//! `Failed to start connector` (could not start). Application output mixed into catalina.out is
//! no event. Tomcat 7's two-line `Nov 20, 2026 2:10:00 AM class method` + `INFO: …` form is not
//! read.

use chrono::NaiveDateTime;

use crate::{
    EventKind, Lifecycle, LifecycleState, Listening, LogFormat, LogSpec, ParseError, Score,
    TimeContext, Words, registry::Parse,
};

pub const FORMAT: LogFormat = LogFormat::new(&LogSpec {
    name: "tomcat",
    aliases: &["catalina", "catalina.out"],
    description: "Tomcat catalina.out (8.5+ one-line form): Starting ProtocolHandler (port learned), Server startup (start), shutdown command / Stopping / Destroying ProtocolHandler (stop)",
    example: "20-Nov-2026 02:10:00.123 INFO [main] org.apache.coyote.AbstractProtocol.pause Pausing ProtocolHandler [\"http-nio-8080\"]",
    detect: |l| Score::claims_if(split(l).is_some()),
    parse: Parse::Lines(parse_line),
    line_time: |l, ctx| split(l).and_then(|(t, _)| ctx.local_to_utc(t)),
    words: &[Words {
        near_scan: &[
            "ProtocolHandler",
            "shutdown command",
            "Stopping service",
            "Server startup",
            "Failed to",
        ],
        always: &["Starting ProtocolHandler"],
    }],
    ..LogSpec::NETWORK
});

/// Time and message (after the level, thread and logger) of a line.
fn split(line: &[u8]) -> Option<(NaiveDateTime, &str)> {
    let s = std::str::from_utf8(line).ok()?;
    let mut it = s.splitn(4, ' ');
    let (d, t, level, rest) = (it.next()?, it.next()?, it.next()?, it.next()?);
    let n = NaiveDateTime::parse_from_str(&format!("{d} {t}"), "%d-%b-%Y %H:%M:%S%.f").ok()?;
    if !matches!(
        level,
        "SEVERE" | "WARNING" | "INFO" | "CONFIG" | "FINE" | "FINER" | "FINEST"
    ) {
        return None;
    }
    // `[thread] logger.method message`
    let (_, rest) = rest.strip_prefix('[')?.split_once("] ")?;
    let (_logger, msg) = rest.split_once(' ').unwrap_or((rest, ""));
    Some((n, msg))
}

pub fn parse_line(line: &[u8], ctx: &TimeContext) -> Result<Option<crate::Event>, ParseError> {
    let s = super::text(line)?;
    let Some((n, msg)) = split(line) else {
        // catalina.out also holds the applications' own output: not Tomcat's framing, no event.
        return if super::continuation(s) || s.get(2..3).is_none_or(|c| c != "-") {
            Ok(None)
        } else {
            Err(ParseError::Header("not a Tomcat log line"))
        };
    };
    let time = ctx
        .local_to_utc(n)
        .ok_or(ParseError::Timestamp("local time"))?;
    Ok(super::event(time, "tomcat", classify(msg)))
}

fn life(state: LifecycleState, detail: &str) -> Option<EventKind> {
    Some(EventKind::Lifecycle(Lifecycle {
        unit: "tomcat".into(),
        state,
        detail: Some(detail.to_string()),
    }))
}

/// The port a ProtocolHandler's name ends with: `"http-nio-8080"`, `"ajp-nio-127.0.0.1-8009"`.
fn handler_port(msg: &str) -> Option<u16> {
    let name = msg.split_once("[\"")?.1.split_once("\"]")?.0;
    name.rsplit('-').next()?.parse().ok().filter(|p| *p > 0)
}

/// A Tomcat message.
pub fn classify(msg: &str) -> Option<EventKind> {
    if msg.starts_with("Starting ProtocolHandler") {
        return handler_port(msg).map(|port| {
            EventKind::Listening(Listening {
                service: "tomcat".into(),
                port,
                addr: None,
            })
        });
    }
    if msg.starts_with("Server startup in") {
        return life(LifecycleState::Started, msg);
    }
    if msg.starts_with("A valid shutdown command was received")
        || msg.starts_with("Pausing ProtocolHandler")
        || msg.starts_with("Stopping ProtocolHandler")
        || msg.starts_with("Stopping service")
    {
        return life(LifecycleState::Stopping, msg);
    }
    if msg.starts_with("Destroying ProtocolHandler") {
        return life(LifecycleState::Stopped, msg);
    }
    if msg.starts_with("Failed to initialize end point")
        || msg.starts_with("Failed to start connector")
    {
        return life(LifecycleState::Crashed, msg);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;

    fn kind(l: &str) -> Option<EventKind> {
        parse_line(l.as_bytes(), &ctx()).unwrap().map(|e| e.kind)
    }

    #[test]
    fn connector_ports_start_and_stop() {
        assert!(
            matches!(kind("20-Nov-2026 01:00:00.100 INFO [main] org.apache.coyote.AbstractProtocol.start Starting ProtocolHandler [\"https-jsse-nio-8443\"]"), Some(EventKind::Listening(l)) if l.port == 8443)
        );
        assert!(
            matches!(kind("20-Nov-2026 01:00:00.100 INFO [main] org.apache.coyote.AbstractProtocol.start Starting ProtocolHandler [\"ajp-nio-127.0.0.1-8009\"]"), Some(EventKind::Listening(l)) if l.port == 8009)
        );
        assert!(
            matches!(kind("20-Nov-2026 01:00:01.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds"), Some(EventKind::Lifecycle(l)) if l.state == LifecycleState::Started)
        );
        assert!(
            matches!(kind("20-Nov-2026 02:10:00.000 INFO [main] org.apache.catalina.core.StandardServer.await A valid shutdown command was received via the shutdown port. Stopping the Server instance."), Some(EventKind::Lifecycle(l)) if l.state == LifecycleState::Stopping)
        );
        assert!(
            matches!(kind("20-Nov-2026 02:10:02.000 INFO [main] org.apache.coyote.AbstractProtocol.destroy Destroying ProtocolHandler [\"http-nio-8080\"]"), Some(EventKind::Lifecycle(l)) if l.state == LifecycleState::Stopped)
        );
        assert_eq!(kind("Hello from the app"), None);
        assert_eq!(
            kind(
                "20-Nov-2026 01:00:00.100 INFO [main] org.apache.catalina.startup.VersionLoggerListener.log Server version name:   Apache Tomcat/9.0.83"
            ),
            None
        );
        assert!(parse_line(b"20-Nov-2026 nonsense", &ctx()).is_err());
    }
}
