//! Service-manager lines: systemd (PID 1, also logged as `init`, and user managers) unit lifecycle,
//! plus the host shutdown / boot signals of systemd-logind, systemd-shutdown, `Reached target
//! Reboot`, `Startup finished`, and classic shutdown(8) / reboot(8) / halt(8).
//!
//! Follows real lines from jtmoon79/super-speedy-syslog-searcher `logs/RockyLinux9/messages` (`Starting
//! The nginx HTTP and reverse proxy server...`, `kdump.service: Main process exited, code=exited,
//! status=1/FAILURE`, `dbus-:1.2-org.fedoraproject.Setroubleshootd@0.service: Failed with result
//! 'signal'`, `systemd-journald.service: Scheduled restart job, restart counter is at 1.`, `Stopped
//! target …` switch-root sequences, user managers' `systemd[18805]: Startup finished in 95ms.`),
//! `logs/Ubuntu22/syslog` (`logrotate.service: Deactivated successfully.`) and `logs/OpenBSD7.2/
//! messages` (`halt: halted by root`):
//! <https://github.com/jtmoon79/super-speedy-syslog-searcher/tree/main/logs>.
//!
//! Rules:
//! - Only services count. New wording names the unit (`Stopped nginx.service - A high performance
//!   …`): anything but `*.service` (targets, sockets, mounts, scopes, slices, timers) is `None`. Old
//!   wording gives only the description (`Stopped The Apache HTTP Server.`): well-known descriptions
//!   map to a unit name (`apache2`), others are kept as written, minus the trailing `.` / `...`.
//!   `… target …`, `Session N of user …` and descriptions that are themselves non-service unit names
//!   are `None`.
//! - `Main process exited, code=exited, status=0/SUCCESS` is `None`; any other exit is `Crashed`.
//!   `Failed with result 'oom-kill'` is `OomKilled`, every other result `Crashed`; `Failed to start`
//!   and `Start request repeated too quickly` are `Crashed` too (the service is down).
//! - `Startup finished in` is a `Boot` only from PID 1 (or no PID): user managers log it per login.
//! - systemd-shutdown's `Syncing filesystems and block devices.` / `Sending SIGTERM to remaining
//!   processes...` do not say whether the host reboots or powers off: they are `Shutdown{Reboot}`
//!   (a host that comes back is the common case; the kind matters less than the time).

use crate::{Boot, EventKind, Lifecycle, LifecycleState, Shutdown, ShutdownKind};

const UNIT_SUFFIXES: [&str; 11] = [
    ".service",
    ".socket",
    ".target",
    ".device",
    ".mount",
    ".automount",
    ".swap",
    ".path",
    ".timer",
    ".slice",
    ".scope",
];

/// Classify a message from a service manager or shutdown tool, by tag.
pub fn classify(app: &str, pid: Option<u32>, msg: &str) -> Option<EventKind> {
    match app {
        "systemd" | "init" => manager(pid, msg),
        "systemd-logind" => logind(msg),
        "systemd-shutdown" => systemd_shutdown(msg),
        "shutdown" | "reboot" | "halt" | "poweroff" => classic_shutdown(msg),
        _ => None,
    }
}

fn shutdown(kind: ShutdownKind) -> Option<EventKind> {
    Some(EventKind::Shutdown(Shutdown { kind }))
}

fn life(unit: String, state: LifecycleState, detail: Option<String>) -> Option<EventKind> {
    Some(EventKind::Lifecycle(Lifecycle {
        unit,
        state,
        detail,
    }))
}

/// The service manager itself (PID 1 or a user manager).
fn manager(pid: Option<u32>, msg: &str) -> Option<EventKind> {
    let system = pid.is_none_or(|p| p == 1);
    if msg.starts_with("Startup finished in ") {
        return system.then_some(EventKind::Boot(Boot {}));
    }
    if let Some(t) = msg.strip_prefix("Reached target ") {
        return if system { reached_target(t) } else { None };
    }
    for (verb, state) in [
        ("Starting ", LifecycleState::Starting),
        ("Started ", LifecycleState::Started),
        ("Stopping ", LifecycleState::Stopping),
        ("Stopped ", LifecycleState::Stopped),
        ("Failed to start ", LifecycleState::Crashed),
    ] {
        if let Some(rest) = msg.strip_prefix(verb) {
            let (unit, mut detail) = verb_object(rest)?;
            if state == LifecycleState::Crashed {
                detail = Some(match detail {
                    Some(d) => format!("failed to start: {d}"),
                    None => "failed to start".to_string(),
                });
            }
            return life(unit, state, detail);
        }
    }
    unit_message(msg)
}

/// `nginx.service: <what happened>`.
fn unit_message(msg: &str) -> Option<EventKind> {
    let colon = msg.find(": ")?;
    let unit = msg.get(..colon)?;
    if unit.contains(' ') {
        return None;
    }
    let unit = unit.strip_suffix(".service")?;
    if unit.is_empty() {
        return None;
    }
    let text = msg.get(colon + 2..)?.trim();
    let unit = unit.to_string();
    use LifecycleState::*;
    if let Some(how) = text.strip_prefix("Main process exited, ") {
        let how = how.trim_end_matches('.');
        let clean =
            how.contains("code=exited") && (how.contains("status=0/") || how.ends_with("status=0"));
        return if clean {
            None
        } else {
            life(unit, Crashed, Some(how.to_string()))
        };
    }
    if let Some(r) = text.strip_prefix("Failed with result '") {
        let result = r.split('\'').next().unwrap_or_default().to_string();
        let state = if result == "oom-kill" {
            OomKilled
        } else {
            Crashed
        };
        return life(unit, state, Some(result));
    }
    if let Some(r) = text.strip_prefix("Scheduled restart job") {
        let detail = r
            .trim_start_matches([',', ' '])
            .trim_end_matches('.')
            .to_string();
        return life(
            unit,
            RestartScheduled,
            (!detail.is_empty()).then_some(detail),
        );
    }
    if text.starts_with("Deactivated successfully") || text.starts_with("Succeeded") {
        return life(unit, Stopped, None);
    }
    if text.starts_with("A process of this unit has been killed by the OOM killer") {
        return life(unit, OomKilled, Some("oom-kill".to_string()));
    }
    if text.starts_with("Start request repeated too quickly") {
        return life(
            unit,
            Crashed,
            Some("start request repeated too quickly".to_string()),
        );
    }
    None
}

/// The object of `Started …` / `Stopping …`: `(unit, detail)`, or `None` for non-services.
fn verb_object(rest: &str) -> Option<(String, Option<String>)> {
    let text = rest.trim().trim_end_matches('.').trim_end();
    if text.is_empty() || text.starts_with("target ") {
        return None;
    }
    // New wording: `nginx.service - Description` (or a bare unit name).
    let (first, desc) = match text.split_once(" - ") {
        Some((f, d)) => (f, Some(d.trim())),
        None => (text, None),
    };
    if !first.contains(' ') && UNIT_SUFFIXES.iter().any(|s| first.ends_with(s)) {
        let unit = first.strip_suffix(".service")?;
        if unit.is_empty() {
            return None;
        }
        return Some((
            unit.to_string(),
            desc.filter(|d| !d.is_empty()).map(str::to_string),
        ));
    }
    // Old wording: description only.
    if is_session(text) {
        return None;
    }
    match well_known(text) {
        Some(unit) => Some((unit.to_string(), Some(text.to_string()))),
        None => Some((text.to_string(), None)),
    }
}

/// `Session 3 of user root` / `Session c1 of User debian` (logind scopes).
fn is_session(text: &str) -> bool {
    text.strip_prefix("Session ").is_some_and(|r| {
        r.split_once(' ')
            .is_some_and(|(_, tail)| tail.starts_with("of user ") || tail.starts_with("of User "))
    })
}

/// Unit name for a well-known service description (old systemd wording gives only this).
pub fn well_known(desc: &str) -> Option<&'static str> {
    let d = desc.trim().to_ascii_lowercase();
    let exact: &[(&str, &str)] = &[
        (
            "a high performance web server and a reverse proxy server",
            "nginx",
        ),
        ("the nginx http and reverse proxy server", "nginx"),
        ("nginx - high performance web server", "nginx"),
        ("the apache http server", "apache2"),
        ("the apache http server (instance)", "apache2"),
        ("openbsd secure shell server", "sshd"),
        ("openssh server daemon", "sshd"),
        ("openssh daemon", "sshd"),
        ("openssh server", "sshd"),
        ("mysql community server", "mysql"),
        ("mysql server", "mysql"),
        ("postfix mail transport agent", "postfix"),
        ("bind domain name server", "named"),
        ("samba smb daemon", "smbd"),
        ("docker application container engine", "docker"),
        ("advanced key-value store", "redis"),
        ("jenkins continuous integration server", "jenkins"),
    ];
    if let Some((_, u)) = exact.iter().find(|(k, _)| *k == d) {
        return Some(u);
    }
    let prefixed: &[(&str, &str)] = &[
        ("mariadb", "mariadb"),
        ("postgresql", "postgresql"),
        ("apache tomcat", "tomcat"),
        ("dovecot", "dovecot"),
        ("redis", "redis"),
        ("mongodb", "mongod"),
        ("vsftpd", "vsftpd"),
        ("proftpd", "proftpd"),
        ("haproxy", "haproxy"),
        ("varnish", "varnish"),
        ("squid", "squid"),
        ("lighttpd", "lighttpd"),
        ("memcached", "memcached"),
        ("elasticsearch", "elasticsearch"),
    ];
    if let Some((_, u)) = prefixed.iter().find(|(k, _)| d.starts_with(k)) {
        return Some(u);
    }
    // `MySQL 8.0 database server`, `MySQL Community Server`.
    if d.starts_with("mysql ") && d.ends_with("server") {
        return Some("mysql");
    }
    None
}

/// `Reached target Reboot.`, `Reached target reboot.target - System Reboot.`, `… Power-Off.`.
fn reached_target(t: &str) -> Option<EventKind> {
    let t = t.trim().trim_end_matches('.');
    let name = t.split(" - ").next().unwrap_or(t).trim();
    match name.to_ascii_lowercase().as_str() {
        "reboot" | "reboot.target" | "system reboot" | "kexec.target" | "reboot via kexec" => {
            shutdown(ShutdownKind::Reboot)
        }
        "power-off" | "poweroff.target" | "system power off" | "halt" | "halt.target"
        | "system halt" => shutdown(ShutdownKind::Poweroff),
        _ => None,
    }
}

/// `System is rebooting.`, `System is powering down.`, `System is halting.`
fn logind(msg: &str) -> Option<EventKind> {
    let rest = msg.strip_prefix("System is ")?;
    if rest.starts_with("rebooting") {
        shutdown(ShutdownKind::Reboot)
    } else if rest.starts_with("powering down") || rest.starts_with("halting") {
        shutdown(ShutdownKind::Poweroff)
    } else {
        None
    }
}

/// systemd-shutdown (the final stage after PID 1 exec'd it).
fn systemd_shutdown(msg: &str) -> Option<EventKind> {
    if msg.starts_with("Powering off") || msg.starts_with("Halting system") {
        shutdown(ShutdownKind::Poweroff)
    } else if msg.starts_with("Rebooting")
        || msg.starts_with("Syncing filesystems and block devices")
        || msg.starts_with("Sending SIGTERM to remaining processes")
    {
        shutdown(ShutdownKind::Reboot)
    } else {
        None
    }
}

/// shutdown(8) `shutting down for system reboot` / `… halt`, BSD `reboot: rebooted by root`,
/// `halt: halted by root`, FreeBSD `shutdown: power-down by root:`. A scheduled (future) shutdown is
/// `None`.
fn classic_shutdown(msg: &str) -> Option<EventKind> {
    let m = msg.to_ascii_lowercase();
    if m.contains("scheduled") || m.contains("cancel") {
        return None;
    }
    if m.contains("reboot") {
        shutdown(ShutdownKind::Reboot)
    } else if m.contains("halt") || m.contains("power") {
        shutdown(ShutdownKind::Poweroff)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleState::*;

    fn sd(msg: &str) -> Option<EventKind> {
        classify("systemd", Some(1), msg)
    }

    fn l(unit: &str, state: LifecycleState, detail: Option<&str>) -> Option<EventKind> {
        life(unit.into(), state, detail.map(Into::into))
    }

    const NGINX: &str = "A high performance web server and a reverse proxy server";

    #[test]
    fn verbs_new_and_old_wording() {
        assert_eq!(
            sd(&format!("Stopping nginx.service - {NGINX}...")),
            l("nginx", Stopping, Some(NGINX))
        );
        assert_eq!(
            sd(&format!("Stopping {NGINX}...")),
            l("nginx", Stopping, Some(NGINX))
        );
        assert_eq!(
            sd(&format!("Stopped nginx.service - {NGINX}.")),
            l("nginx", Stopped, Some(NGINX))
        );
        assert_eq!(
            sd("Stopped The Apache HTTP Server."),
            l("apache2", Stopped, Some("The Apache HTTP Server"))
        );
        assert_eq!(
            sd("Starting OpenBSD Secure Shell server..."),
            l("sshd", Starting, Some("OpenBSD Secure Shell server"))
        );
        assert_eq!(
            sd("Started OpenSSH server daemon."),
            l("sshd", Started, Some("OpenSSH server daemon"))
        );
        assert_eq!(
            sd("Started ssh.service - OpenBSD Secure Shell server."),
            l("ssh", Started, Some("OpenBSD Secure Shell server"))
        );
        assert_eq!(
            sd("Starting The nginx HTTP and reverse proxy server..."),
            l(
                "nginx",
                Starting,
                Some("The nginx HTTP and reverse proxy server")
            )
        );
        assert_eq!(
            sd("Stopped MySQL Community Server."),
            l("mysql", Stopped, Some("MySQL Community Server"))
        );
        assert_eq!(
            sd("Started MariaDB 10.11.4 database server."),
            l("mariadb", Started, Some("MariaDB 10.11.4 database server"))
        );
        assert_eq!(
            sd("Stopping PostgreSQL RDBMS..."),
            l("postgresql", Stopping, Some("PostgreSQL RDBMS"))
        );
        assert_eq!(
            sd("Started PostgreSQL database server."),
            l("postgresql", Started, Some("PostgreSQL database server"))
        );
        assert_eq!(
            sd("Stopped Apache Tomcat 9 Web Application Server."),
            l(
                "tomcat",
                Stopped,
                Some("Apache Tomcat 9 Web Application Server")
            )
        );
        assert_eq!(
            sd("Started OpenSSH Daemon."),
            l("sshd", Started, Some("OpenSSH Daemon"))
        );
        // Unknown description: kept as the unit.
        assert_eq!(
            sd("Started Daily apt download activities."),
            l("Daily apt download activities", Started, None)
        );
        // Bare unit name (no Description=).
        assert_eq!(
            sd("Starting man-db-cache-update.service..."),
            l("man-db-cache-update", Starting, None)
        );
        assert_eq!(
            sd(
                "Failed to start nginx.service - A high performance web server and a reverse proxy server."
            ),
            l("nginx", Crashed, Some(&format!("failed to start: {NGINX}")))
        );
        assert_eq!(
            sd("Failed to start The Apache HTTP Server."),
            l(
                "apache2",
                Crashed,
                Some("failed to start: The Apache HTTP Server")
            )
        );
        // init as the tag of PID 1.
        assert_eq!(
            classify("init", Some(1), "Stopped The Apache HTTP Server."),
            l("apache2", Stopped, Some("The Apache HTTP Server"))
        );
    }

    #[test]
    fn non_services_are_none() {
        for m in [
            "Stopped target Multi-User System.",
            "Stopped target multi-user.target - Multi-User System.",
            "Stopping sshd-keygen.target...",
            "Started session-1.scope - Session 1 of User root.",
            "Started Session 1 of user root.",
            "Started Session c2 of User debian.",
            "Stopped dnf-makecache.timer - dnf makecache --timer.",
            "Started dbus.socket - D-Bus System Message Bus Socket.",
            "Finished Rotate log files.",
            "Reached target Basic System.",
            "Listening on udev Kernel Socket.",
            "tmp-snap.rootfs_KSvaiJ.mount: Deactivated successfully.",
            "session-2.scope: Succeeded.",
            "system-postgresql.slice: A process of this unit has been killed by the OOM killer.",
            "rsyslog.service: Sent signal SIGHUP to main process 757 (rsyslogd) on client request.",
            "nginx.service: Main process exited, code=exited, status=0/SUCCESS",
            "Reloading.",
            "Started .",
            "Stopped ",
            "Stopped ",
            ".service: Succeeded.",
        ] {
            assert_eq!(sd(m), None, "{m}");
        }
        assert_eq!(
            classify("sshd", Some(1), "Started The Apache HTTP Server."),
            None
        );
    }

    #[test]
    fn unit_messages() {
        assert_eq!(
            sd("nginx.service: Main process exited, code=killed, status=9/KILL"),
            l("nginx", Crashed, Some("code=killed, status=9/KILL"))
        );
        assert_eq!(
            sd("mysql.service: Main process exited, code=dumped, status=11/SEGV"),
            l("mysql", Crashed, Some("code=dumped, status=11/SEGV"))
        );
        assert_eq!(
            sd("kdump.service: Main process exited, code=exited, status=1/FAILURE"),
            l("kdump", Crashed, Some("code=exited, status=1/FAILURE"))
        );
        assert_eq!(
            sd("mysql.service: Failed with result 'oom-kill'."),
            l("mysql", OomKilled, Some("oom-kill"))
        );
        for r in ["core-dump", "signal", "exit-code", "timeout"] {
            assert_eq!(
                sd(&format!("nginx.service: Failed with result '{r}'.")),
                l("nginx", Crashed, Some(r))
            );
        }
        assert_eq!(
            sd(
                "dbus-:1.2-org.fedoraproject.Setroubleshootd@0.service: Failed with result 'signal'."
            ),
            l(
                "dbus-:1.2-org.fedoraproject.Setroubleshootd@0",
                Crashed,
                Some("signal")
            )
        );
        assert_eq!(
            sd("nginx.service: Scheduled restart job, restart counter is at 1."),
            l("nginx", RestartScheduled, Some("restart counter is at 1"))
        );
        assert_eq!(
            sd("nginx.service: Deactivated successfully."),
            l("nginx", Stopped, None)
        );
        assert_eq!(sd("nginx.service: Succeeded."), l("nginx", Stopped, None));
        assert_eq!(
            sd("mariadb.service: A process of this unit has been killed by the OOM killer."),
            l("mariadb", OomKilled, Some("oom-kill"))
        );
        assert_eq!(
            sd("nginx.service: Start request repeated too quickly."),
            l("nginx", Crashed, Some("start request repeated too quickly"))
        );
    }

    #[test]
    fn shutdown_and_boot() {
        let s = |k| Some(EventKind::Shutdown(Shutdown { kind: k }));
        use ShutdownKind::*;
        assert_eq!(
            classify("systemd-logind", Some(700), "System is rebooting."),
            s(Reboot)
        );
        assert_eq!(
            classify("systemd-logind", Some(700), "System is powering down."),
            s(Poweroff)
        );
        assert_eq!(
            classify("systemd-logind", Some(700), "New seat seat0."),
            None
        );
        assert_eq!(sd("Reached target Reboot."), s(Reboot));
        assert_eq!(
            sd("Reached target reboot.target - System Reboot."),
            s(Reboot)
        );
        assert_eq!(sd("Reached target Power-Off."), s(Poweroff));
        assert_eq!(
            sd("Reached target poweroff.target - System Power Off."),
            s(Poweroff)
        );
        assert_eq!(sd("Reached target Shutdown."), None);
        assert_eq!(
            classify("systemd", Some(900), "Reached target Reboot."),
            None
        );
        for m in [
            "Syncing filesystems and block devices.",
            "Sending SIGTERM to remaining processes...",
            "Rebooting.",
        ] {
            assert_eq!(classify("systemd-shutdown", Some(1), m), s(Reboot), "{m}");
        }
        assert_eq!(
            classify("systemd-shutdown", Some(1), "Powering off."),
            s(Poweroff)
        );
        assert_eq!(classify("halt", None, "halted by root"), s(Poweroff));
        assert_eq!(classify("reboot", None, "rebooted by root"), s(Reboot));
        assert_eq!(
            classify("shutdown", Some(4242), "shutting down for system reboot"),
            s(Reboot)
        );
        assert_eq!(
            classify(
                "shutdown",
                Some(4242),
                "Shutdown scheduled for Fri 2026-11-20 02:20:00 UTC, use 'shutdown -c' to cancel."
            ),
            None
        );
        let boot = Some(EventKind::Boot(Boot {}));
        assert_eq!(
            sd(
                "Startup finished in 1.461s (kernel) + 3.105s (initrd) + 39.840s (userspace) = 44.407s."
            ),
            boot
        );
        assert_eq!(classify("systemd", None, "Startup finished in 2.1s."), boot);
        assert_eq!(
            classify("systemd", Some(18805), "Startup finished in 95ms."),
            None
        );
    }
}
