//! Network daemons logging their own start / stop / listen lines through syslog: sshd, Apache httpd,
//! MySQL / MariaDB and PostgreSQL. Recognised by tag, or by a wording that only that daemon uses
//! (Apache's `AH0xxxx:` codes, `mysqld:` / `mariadbd:` in the message).
//!
//! Follows real lines from jtmoon79/super-speedy-syslog-searcher `logs/Debian11/apache2/error.log`
//! (`AH00489: Apache/2.4.54 (Debian) configured -- resuming normal operations`, `AH00492: caught
//! SIGWINCH, shutting down gracefully`) and `logs/synology-DS6/postgresql.log` (`postgres[7839]: [3-1]
//! LOG:  database system is ready to accept connections`, with the `[n-n]` syslog sequence number),
//! lnav's `test/logfile_postgres.0` (`LOG:  listening on IPv4 address "0.0.0.0", port 5432`, `received
//! fast shutdown request`, `database system is shut down`):
//! <https://github.com/jtmoon79/super-speedy-syslog-searcher/tree/main/logs>,
//! <https://github.com/tstack/lnav/tree/master/test>. MySQL 8 / MariaDB wordings follow the servers'
//! own messages: MariaDB prints `Version: '…'  socket: '…'  port: 3306` on a separate line after
//! `mariadbd: ready for connections.`, which syslog turns into its own line.
//!
//! Choices: `ready for connections` with a port > 0 is `Listening`; without one (MariaDB, or port 0 with
//! skip-networking) it is `Started`. `database system was shut down at …` (said at startup) is not a
//! stop. Unit names: `sshd`, `apache2`, `mysql` / `mariadb`, `postgresql`.

use std::net::IpAddr;

use crate::{EventKind, Lifecycle, LifecycleState, Listening};

use super::{contains_ci, leading_u16};

/// Classify a daemon's message by its tag and wording.
pub fn classify(app: &str, msg: &str) -> Option<EventKind> {
    let app_starts = |p: &str| {
        app.as_bytes()
            .get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
    };
    if app.eq_ignore_ascii_case("sshd") {
        return sshd(msg);
    }
    if app_starts("postgres") || app.eq_ignore_ascii_case("postmaster") {
        return postgres(msg);
    }
    let mariadb_app = contains_ci(app, "mariadb");
    let mysql_like = mariadb_app
        || contains_ci(app, "mysql")
        || msg.contains("mysqld:")
        || msg.contains("mariadbd:");
    if let Some(ev) = mysql_like.then(|| mysql(mariadb_app, msg)).flatten() {
        return Some(ev);
    }
    if app_starts("apache") || app_starts("httpd") || msg.contains("AH00") {
        return apache(msg);
    }
    if app.eq_ignore_ascii_case("postfix/master") {
        return postfix_master(msg);
    }
    if app.eq_ignore_ascii_case("dovecot") {
        return dovecot(msg);
    }
    if app_starts("exim") {
        return exim(msg);
    }
    if app.eq_ignore_ascii_case("named") {
        return named(msg);
    }
    if app.eq_ignore_ascii_case("haproxy") {
        return haproxy(msg);
    }
    None
}

/// Postfix's master: `daemon started -- version 3.6.4, configuration /etc/postfix`, `terminating
/// on signal 15`; `reload -- version …` keeps it up.
fn postfix_master(msg: &str) -> Option<EventKind> {
    if msg.starts_with("daemon started") {
        return life("postfix", LifecycleState::Started, None);
    }
    if msg.starts_with("terminating on signal") {
        return life("postfix", LifecycleState::Stopped, Some(msg.to_string()));
    }
    None
}

/// Dovecot's master: `master: Dovecot v2.3.16 (7e2e900c1a) starting up for imap, pop3`,
/// `master: Warning: Killed with signal 15 (by pid=1 uid=0 code=kill)`.
fn dovecot(msg: &str) -> Option<EventKind> {
    let m = msg.strip_prefix("master: ")?;
    if m.starts_with("Dovecot v") && m.contains(" starting up") {
        return life("dovecot", LifecycleState::Started, None);
    }
    if m.contains("Killed with signal") {
        return life(
            "dovecot",
            LifecycleState::Stopped,
            Some(m.trim_start_matches("Warning: ").to_string()),
        );
    }
    None
}

/// Exim: `exim 4.96 daemon started: pid=1234, -q30m, listening for SMTP on port 25 (IPv6 and
/// IPv4) port 587 …`, `pid 1234: SIGTERM received: daemon terminating`.
fn exim(msg: &str) -> Option<EventKind> {
    if msg.contains(" daemon started") {
        return match msg
            .split_once("listening for SMTP on port ")
            .and_then(|(_, r)| leading_u16(r))
        {
            Some(p) => listening("exim", p, None),
            None => life("exim", LifecycleState::Started, None),
        };
    }
    if msg.contains("daemon terminating") {
        return life("exim", LifecycleState::Stopped, Some(msg.to_string()));
    }
    None
}

/// BIND's named: `starting BIND 9.18.18 …`, `running`, `listening on IPv4 interface eth0,
/// 192.0.2.5#53`, `shutting down`, `exiting`.
fn named(msg: &str) -> Option<EventKind> {
    if let Some(rest) = msg.strip_prefix("listening on IPv") {
        let (addr, port) = rest.rsplit_once(", ")?.1.rsplit_once('#')?;
        return listening("named", leading_u16(port)?, addr.parse().ok());
    }
    match msg.trim() {
        "running" => life("named", LifecycleState::Started, None),
        "shutting down" => life("named", LifecycleState::Stopping, None),
        "exiting" => life("named", LifecycleState::Stopped, None),
        _ => None,
    }
}

/// HAProxy: `Proxy fe_http started.`, `Stopping frontend fe_http in 0 ms.`, `Proxy fe_http stopped
/// (cumulated conns: FE: 42, BE: 0).`, 2.x's `[WARNING]  (1) : Exiting Master process...`.
fn haproxy(msg: &str) -> Option<EventKind> {
    let detail = || Some(msg.trim_end_matches('.').to_string());
    if msg.starts_with("Proxy ") && msg.trim_end().ends_with(" started.") {
        return life("haproxy", LifecycleState::Started, detail());
    }
    if msg.starts_with("Stopping frontend ") || msg.contains("Exiting Master process") {
        return life("haproxy", LifecycleState::Stopping, detail());
    }
    if msg.starts_with("Proxy ") && msg.contains(" stopped (") {
        return life("haproxy", LifecycleState::Stopped, detail());
    }
    None
}

fn life(unit: &str, state: LifecycleState, detail: Option<String>) -> Option<EventKind> {
    Some(EventKind::Lifecycle(Lifecycle {
        unit: unit.to_string(),
        state,
        detail,
    }))
}

fn listening(service: &str, port: u16, addr: Option<IpAddr>) -> Option<EventKind> {
    Some(EventKind::Listening(Listening {
        service: service.to_string(),
        port,
        addr,
    }))
}

/// `Server listening on 0.0.0.0 port 22.`, `Server listening on :: port 22.`, `Received signal 15;
/// terminating.`
fn sshd(msg: &str) -> Option<EventKind> {
    if let Some(rest) = msg.strip_prefix("Server listening on ") {
        let (addr, port) = rest.split_once(" port ")?;
        let port = leading_u16(port)?;
        return listening("sshd", port, addr.trim().parse().ok());
    }
    if msg.starts_with("Received signal ") && msg.contains("terminating") {
        let detail = msg.trim_end_matches('.').to_string();
        return life("sshd", LifecycleState::Stopped, Some(detail));
    }
    None
}

/// `AH00489: Apache/2.4.57 (Debian) configured -- resuming normal operations`, `AH00491: caught
/// SIGTERM, shutting down`, `AH00492: caught SIGWINCH, shutting down gracefully` (anywhere in the
/// message: syslog output keeps the `[mpm_event:notice] [pid …]` preamble).
pub(crate) fn apache(msg: &str) -> Option<EventKind> {
    if let Some(i) = msg.find(" configured -- resuming normal operations") {
        let head = msg.get(..i)?;
        let server = head.rfind("Apache/").and_then(|s| head.get(s..));
        return life(
            "apache2",
            LifecycleState::Started,
            server.map(str::to_string),
        );
    }
    for (w, detail) in [
        ("caught SIGTERM, shutting down", "caught SIGTERM"),
        (
            "caught SIGWINCH, shutting down gracefully",
            "caught SIGWINCH",
        ),
    ] {
        if msg.contains(w) {
            return life("apache2", LifecycleState::Stopped, Some(detail.to_string()));
        }
    }
    None
}

/// MySQL / MariaDB: `ready for connections` (+ `port: N`), the separate MariaDB `Version: …  port: N`
/// line, `X Plugin ready for connections. Bind-address: '::' port: 33060`, `Shutdown complete`,
/// `InnoDB: Starting shutdown...`, `Normal shutdown`, `Received SHUTDOWN from user`.
pub(crate) fn mysql(mariadb_app: bool, msg: &str) -> Option<EventKind> {
    let service = if mariadb_app || msg.contains("mariadbd") || msg.contains("MariaDB") {
        "mariadb"
    } else {
        "mysql"
    };
    let port = || {
        msg.find("port: ")
            .and_then(|i| msg.get(i + 6..))
            .and_then(leading_u16)
            .filter(|p| *p > 0)
    };
    // The crash banner: `mysqld got signal 11 ;` (MySQL 5.x/8, MariaDB before 10.5's `mariadbd`).
    if let Some(i) = msg.find("d got signal ") {
        let sig = msg.get(i + 13..).and_then(leading_u16);
        if msg
            .get(..i)
            .is_some_and(|h| h.ends_with("mysql") || h.ends_with("mariadb"))
        {
            return life(
                service,
                LifecycleState::Crashed,
                sig.map(|n| format!("got signal {n}")),
            );
        }
    }
    if msg.contains("X Plugin ready for connections") {
        let addr = msg
            .split_once("Bind-address: '")
            .and_then(|(_, r)| r.split_once('\''))
            .and_then(|(a, _)| a.parse().ok());
        return listening(service, port()?, addr);
    }
    if msg.contains("ready for connections") || msg.trim_start().starts_with("Version: '") {
        return match port() {
            Some(p) => listening(service, p, None),
            None if msg.contains("ready for connections") => {
                life(service, LifecycleState::Started, None)
            }
            None => None,
        };
    }
    if let Some(i) = msg.find(": Shutdown complete") {
        // Not InnoDB's `Shutdown completed; log sequence number …`.
        if !msg.get(i..)?.starts_with(": Shutdown completed") {
            return life(service, LifecycleState::Stopped, None);
        }
        return None;
    }
    if msg.contains("InnoDB: Starting shutdown")
        || msg.contains("): Normal shutdown")
        || msg.contains(": Normal shutdown")
        || msg.contains("Received SHUTDOWN from user")
    {
        return life(service, LifecycleState::Stopping, None);
    }
    None
}

/// PostgreSQL: the text after `LOG:` (any log_line_prefix or `[n-n]` sequence number before it).
pub(crate) fn postgres(msg: &str) -> Option<EventKind> {
    let i = msg.find("LOG:")?;
    let text = msg.get(i + 4..)?.trim();
    const SVC: &str = "postgresql";
    if let Some(rest) = text.strip_prefix("listening on IPv") {
        // `4 address "0.0.0.0", port 5432`
        let addr = rest
            .split_once('"')
            .and_then(|(_, r)| r.split_once('"'))
            .and_then(|(a, _)| a.parse().ok());
        let port = rest
            .rsplit_once("port ")
            .and_then(|(_, p)| leading_u16(p))?;
        return listening(SVC, port, addr);
    }
    // `server process (PID 123) was terminated by signal 9: Killed`: the postmaster resets every
    // backend and recovers; clients are refused meanwhile.
    if text.contains(" was terminated by signal ") {
        let detail = text
            .split_once(" was ")
            .map(|(_, r)| r.trim_end_matches('.').to_string());
        return life(SVC, LifecycleState::Crashed, detail);
    }
    if text.starts_with("database system is ready to accept") {
        return life(SVC, LifecycleState::Started, None);
    }
    if text.starts_with("database system is shut down") {
        return life(SVC, LifecycleState::Stopped, None);
    }
    if text.starts_with("received ") && text.contains(" shutdown request") {
        let kind = text
            .strip_prefix("received ")
            .and_then(|r| r.split(' ').next())
            .unwrap_or_default();
        return life(
            SVC,
            LifecycleState::Stopping,
            Some(format!("{kind} shutdown")),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(unit: &str, state: LifecycleState, detail: Option<&str>) -> Option<EventKind> {
        life(unit, state, detail.map(Into::into))
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn mail_dns_and_proxy_master_lines() {
        use LifecycleState::*;
        let st = |app: &str, m: &str| match classify(app, m) {
            Some(EventKind::Lifecycle(l)) => Some((l.unit, l.state)),
            Some(EventKind::Listening(l)) => Some((format!("{}:{}", l.service, l.port), Started)),
            _ => None,
        };
        let s = |u: &str, x| Some((u.to_string(), x));
        assert_eq!(
            st(
                "postfix/master",
                "daemon started -- version 3.6.4, configuration /etc/postfix"
            ),
            s("postfix", Started)
        );
        assert_eq!(
            st("postfix/master", "terminating on signal 15"),
            s("postfix", Stopped)
        );
        assert_eq!(
            st(
                "postfix/master",
                "reload -- version 3.6.4, configuration /etc/postfix"
            ),
            None
        );
        assert_eq!(
            st(
                "dovecot",
                "master: Dovecot v2.3.16 (7e2e900c1a) starting up for imap, pop3"
            ),
            s("dovecot", Started)
        );
        assert_eq!(
            st(
                "dovecot",
                "master: Warning: Killed with signal 15 (by pid=1 uid=0 code=kill)"
            ),
            s("dovecot", Stopped)
        );
        assert_eq!(
            st(
                "exim",
                "exim 4.96 daemon started: pid=1234, -q30m, listening for SMTP on port 25 (IPv6 and IPv4) port 587 (IPv6 and IPv4)"
            ),
            s("exim:25", Started)
        );
        assert_eq!(
            st("exim", "pid 1234: SIGTERM received: daemon terminating"),
            s("exim", Stopped)
        );
        assert_eq!(
            st("named", "listening on IPv4 interface eth0, 192.0.2.5#53"),
            s("named:53", Started)
        );
        assert_eq!(st("named", "exiting"), s("named", Stopped));
        assert_eq!(
            st("haproxy", "Proxy fe_http started."),
            s("haproxy", Started)
        );
        assert_eq!(
            st("haproxy", "Stopping frontend fe_http in 0 ms."),
            s("haproxy", Stopping)
        );
        assert_eq!(
            st(
                "haproxy",
                "Proxy fe_http stopped (cumulated conns: FE: 42, BE: 0)."
            ),
            s("haproxy", Stopped)
        );
    }

    #[test]
    fn sshd_lines() {
        assert_eq!(
            classify("sshd", "Server listening on 0.0.0.0 port 22."),
            listening("sshd", 22, ip("0.0.0.0"))
        );
        assert_eq!(
            classify("sshd", "Server listening on :: port 2222."),
            listening("sshd", 2222, ip("::"))
        );
        assert_eq!(
            classify("sshd", "Server listening on 2001:db8::5 port 22."),
            listening("sshd", 22, ip("2001:db8::5"))
        );
        assert_eq!(
            classify("sshd", "Received signal 15; terminating."),
            l(
                "sshd",
                LifecycleState::Stopped,
                Some("Received signal 15; terminating")
            )
        );
        assert_eq!(
            classify(
                "sshd",
                "Accepted publickey for root from 192.0.2.4 port 50000 ssh2"
            ),
            None
        );
        assert_eq!(
            classify("sshd", "Server listening on 0.0.0.0 port x."),
            None
        );
    }

    #[test]
    fn apache_lines() {
        assert_eq!(
            classify(
                "apache2",
                "[mpm_event:notice] [pid 11709:tid 140582486756672] AH00489: Apache/2.4.57 (Debian) configured -- resuming normal operations"
            ),
            l(
                "apache2",
                LifecycleState::Started,
                Some("Apache/2.4.57 (Debian)")
            )
        );
        assert_eq!(
            classify("httpd", "AH00491: caught SIGTERM, shutting down"),
            l("apache2", LifecycleState::Stopped, Some("caught SIGTERM"))
        );
        assert_eq!(
            classify(
                "local1",
                "AH00492: caught SIGWINCH, shutting down gracefully"
            ),
            l("apache2", LifecycleState::Stopped, Some("caught SIGWINCH"))
        );
        assert_eq!(
            classify("apache2", "AH00094: Command line: '/usr/sbin/apache2'"),
            None
        );
        assert_eq!(classify("nginx", "caught SIGTERM, shutting down"), None);
    }

    #[test]
    fn mysql_lines() {
        assert_eq!(
            classify(
                "mysqld",
                "2026-11-20T02:13:44.123456Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.35'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."
            ),
            listening("mysql", 3306, None)
        );
        assert_eq!(
            classify(
                "mysqld",
                "2026-11-20T02:13:44.2Z 0 [System] [MY-011323] [Server] X Plugin ready for connections. Bind-address: '::' port: 33060, socket: /var/run/mysqld/mysqlx.sock"
            ),
            listening("mysql", 33060, ip("::"))
        );
        assert_eq!(
            classify(
                "mariadbd",
                "2026-11-20  2:13:44 0 [Note] /usr/sbin/mariadbd: ready for connections."
            ),
            l("mariadb", LifecycleState::Started, None)
        );
        assert_eq!(
            classify(
                "mariadbd",
                "Version: '10.11.4-MariaDB-1~deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12"
            ),
            listening("mariadb", 3306, None)
        );
        assert_eq!(
            classify(
                "mysqld",
                "[Note] mariadbd: ready for connections. Version: '10.6.12-MariaDB'  socket: '/run/mysqld/mysqld.sock'  port: 3307  MariaDB Server"
            ),
            listening("mariadb", 3307, None)
        );
        assert_eq!(
            classify("mysqld", "[Note] /usr/sbin/mysqld: Shutdown complete"),
            l("mysql", LifecycleState::Stopped, None)
        );
        assert_eq!(
            classify("mysqld", "mysqld: Shutdown complete"),
            l("mysql", LifecycleState::Stopped, None)
        );
        assert_eq!(
            classify(
                "mysqld",
                "2026-11-20T02:13:44Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.0.35)  MySQL Community Server - GPL."
            ),
            l("mysql", LifecycleState::Stopped, None)
        );
        assert_eq!(
            classify(
                "mysqld",
                "[Note] InnoDB: Shutdown completed; log sequence number 1234"
            ),
            None
        );
        assert_eq!(
            classify("mysqld", "[Note] InnoDB: Starting shutdown..."),
            l("mysql", LifecycleState::Stopping, None)
        );
        assert_eq!(
            classify(
                "mariadbd",
                "[Note] /usr/sbin/mariadbd (initiated by: unknown): Normal shutdown"
            ),
            l("mariadb", LifecycleState::Stopping, None)
        );
        assert_eq!(
            classify("mysqld", "[Note] InnoDB: Buffer pool(s) load completed"),
            None
        );
        // Tag unknown, wording distinctive.
        assert_eq!(
            classify(
                "db-container",
                "/usr/sbin/mysqld: ready for connections. Version: '8.0.35'  socket: '/tmp/mysql.sock'  port: 3306"
            ),
            listening("mysql", 3306, None)
        );
    }

    #[test]
    fn postgres_lines() {
        assert_eq!(
            classify(
                "postgres",
                "[2-1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432"
            ),
            listening("postgresql", 5432, ip("0.0.0.0"))
        );
        assert_eq!(
            classify(
                "postgres",
                "LOG:  listening on IPv6 address \"::\", port 5433"
            ),
            listening("postgresql", 5433, ip("::"))
        );
        assert_eq!(
            classify(
                "postgres",
                "LOG:  listening on Unix socket \"/var/run/postgresql/.s.PGSQL.5432\""
            ),
            None
        );
        assert_eq!(
            classify(
                "postgres",
                "[3-1] LOG:  database system is ready to accept connections"
            ),
            l("postgresql", LifecycleState::Started, None)
        );
        assert_eq!(
            classify("postgres", "LOG:  database system is shut down"),
            l("postgresql", LifecycleState::Stopped, None)
        );
        assert_eq!(
            classify("postgres", "LOG:  received fast shutdown request"),
            l(
                "postgresql",
                LifecycleState::Stopping,
                Some("fast shutdown")
            )
        );
        assert_eq!(
            classify(
                "postgres",
                "[3-1] LOG:  database system was shut down at 2026-11-20 02:13:40 UTC"
            ),
            None
        );
        assert_eq!(
            classify("postgres", "ERROR:  relation \"x\" does not exist"),
            None
        );
        assert_eq!(classify("postgres", "LOG:"), None);
    }
}
