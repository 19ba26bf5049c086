//! Windows Service Control Manager event 7036 relayed through syslog (NXLog, Snare, rsyslog
//! `@cee:` JSON): `The Remote Desktop Services service entered the stopped state.` Follows the
//! relayed lines in Zed's sample `syslog.log` (`EvntSLog … @cee: {… "msg": "The Multimedia Class
//! Scheduler service entered the stopped state.", … "id": "7036" …}`) and the native 7036 event
//! (<https://learn.microsoft.com/windows/win32/eventlog/event-identifiers>). Units keep the display
//! name (`Remote Desktop Services`); the service map knows the ones that hold ports.

use crate::{EventKind, Lifecycle, LifecycleState};

/// `The X service entered the stopped|running state.` anywhere in the message.
pub fn classify(msg: &str) -> Option<EventKind> {
    let end = msg.find(" service entered the ")?;
    let start = msg[..end].rfind("The ")? + "The ".len();
    let unit = msg[start..end].trim();
    let rest = &msg[end + " service entered the ".len()..];
    let state = if rest.starts_with("stopped state") {
        LifecycleState::Stopped
    } else if rest.starts_with("running state") {
        LifecycleState::Started
    } else {
        return None;
    };
    if unit.is_empty() {
        return None;
    }
    Some(EventKind::Lifecycle(Lifecycle {
        unit: unit.to_string(),
        state,
        detail: Some("Service Control Manager 7036".into()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn life(msg: &str) -> Option<(String, LifecycleState)> {
        match classify(msg)? {
            EventKind::Lifecycle(l) => Some((l.unit, l.state)),
            _ => None,
        }
    }

    #[test]
    fn scm_7036_plain_and_cee() {
        assert_eq!(
            life(
                "Service Control Manager: 7036: The Remote Desktop Services service entered the stopped state."
            ),
            Some(("Remote Desktop Services".into(), LifecycleState::Stopped))
        );
        assert_eq!(
            life(
                r#"@cee: {"source": "web02", "msg": "The World Wide Web Publishing Service service entered the running state.", "id": "7036"}"#
            ),
            Some((
                "World Wide Web Publishing Service".into(),
                LifecycleState::Started
            ))
        );
        assert_eq!(life("The X service entered the paused state."), None);
        assert_eq!(life("nothing to see"), None);
    }
}
