//! Daemons' own logs explain ports on their own, each attributed by its folder (the log names no
//! host): nginx's SIGQUIT explains web01's 80, MySQL's `Shutdown complete` db01's 3306, and
//! PostgreSQL's shutdown explains 5433 because its own `listening on … port 5433` line says that is
//! its port, with the zone in the line (CET) winning over `--tz`. Decoys: Apache stopping and
//! resuming before the recheck, and nginx stopping on another host.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

fn t(h: u32, m: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .unwrap()
        .timestamp()
}

fn port<'a>(r: &'a serde_json::Value, host: &str, n: u64) -> &'a serde_json::Value {
    r["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["port"] == n && p["host"] == host)
        .unwrap_or_else(|| panic!("{host}:{n} in {r:#}"))
}

fn write(d: &std::path::Path, rel: &str, text: &str) {
    let p = d.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn each_daemon_log_alone_explains_its_port_and_the_decoys_do_not() {
    let d = tempfile::tempdir().unwrap();
    let scan = nessus(&[
        Host {
            ip: "192.0.2.51",
            fqdn: "web01.example.com",
            start: t(2, 0),
            end: t(2, 30),
            affected: &[(80, "www", "closed")],
        },
        Host {
            ip: "192.0.2.52",
            fqdn: "web02.example.com",
            start: t(2, 0),
            end: t(2, 30),
            affected: &[(443, "www", "closed")],
        },
    ]);
    write(d.path(), "scan.nessus", &scan);
    write(
        d.path(),
        "web01/nginx/error.log",
        concat!(
            "2026/11/20 01:00:00 [notice] 1042#1042: start worker processes\n",
            "2026/11/20 02:10:00 [notice] 1042#1042: signal 3 (SIGQUIT) received from 1, shutting down\n",
            "2026/11/20 02:10:00 [notice] 1043#1043: gracefully shutting down\n",
            "2026/11/20 02:10:01 [notice] 1042#1042: exit\n",
        ),
    );
    write(
        d.path(),
        "web02/apache2/error.log",
        concat!(
            "[Fri Nov 20 02:10:00.100000 2026] [mpm_event:notice] [pid 700:tid 1] AH00491: caught SIGTERM, shutting down\n",
            "[Fri Nov 20 02:10:05.200000 2026] [mpm_event:notice] [pid 701:tid 1] AH00489: Apache/2.4.57 (Debian) configured -- resuming normal operations\n",
        ),
    );
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let p = port(&r, "192.0.2.51", 80);
    assert_eq!(p["verdict"], "service_restart", "{p:#}");
    assert_eq!(p["cause"], "service_stop", "{p:#}");
    assert_eq!(p["evidence"][0]["line"], 2, "{p:#}");
    assert!(
        p["evidence"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("web01/nginx/error.log"),
        "{p:#}"
    );
    let p = port(&r, "192.0.2.52", 443);
    assert_ne!(p["cause"], "service_stop", "back before the recheck: {p:#}");
    let sources = r["sources"].as_array().unwrap();
    for (file, format) in [("error.log", "nginx_error"), ("error.log", "apache_error")] {
        assert!(
            sources.iter().any(|s| s["format"] == format
                && s["file"].as_str().unwrap().ends_with(file)
                && s["malformed"] == 0),
            "{format}: {sources:#?}"
        );
    }
}

#[test]
fn database_logs_explain_their_ports_and_the_line_zone_wins_over_tz() {
    let d = tempfile::tempdir().unwrap();
    let scan = nessus(&[Host {
        ip: "192.0.2.53",
        fqdn: "db01.example.com",
        start: t(2, 0),
        end: t(2, 30),
        affected: &[(3306, "mysql", "closed"), (5433, "postgresql", "closed")],
    }]);
    write(d.path(), "scan.nessus", &scan);
    write(
        d.path(),
        "db01/mysql/error.log",
        concat!(
            "2026-11-19T23:00:00.000001Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.35'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.\n",
            "2026-11-20T02:12:00.000001Z 0 [System] [MY-013172] [Server] Received SHUTDOWN from user <via user signal>. Shutting down mysqld (Version: 8.0.35).\n",
            "2026-11-20T02:12:02.000001Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.0.35)  MySQL Community Server - GPL.\n",
        ),
    );
    write(
        d.path(),
        "db01/postgresql/postgresql-15-main.log",
        concat!(
            "2026-11-19 23:00:00.000 CET [900] LOG:  listening on IPv4 address \"0.0.0.0\", port 5433\n",
            "2026-11-19 23:00:00.100 CET [900] LOG:  database system is ready to accept connections\n",
            "2026-11-20 03:11:00.000 CET [900] LOG:  received fast shutdown request\n",
            "2026-11-20 03:11:01.000 CET [902] LOG:  shutting down\n",
            "2026-11-20 03:11:02.000 CET [900] LOG:  database system is shut down\n",
        ),
    );
    // A wrong --tz must not move the zoned lines.
    let (code, r) = analyze_json(d.path(), &["--tz", "Asia/Tokyo", "."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let p = port(&r, "192.0.2.53", 3306);
    assert_eq!(p["verdict"], "service_restart", "{p:#}");
    assert_eq!(p["cause"], "service_stop", "{p:#}");
    assert!(
        p["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["line"] == 3),
        "{p:#}"
    );
    let p = port(&r, "192.0.2.53", 5433);
    assert_eq!(p["verdict"], "service_restart", "{p:#}");
    assert_eq!(p["cause"], "service_stop", "{p:#}");
    assert!(
        p["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["line"] == 3
                && e["time"]
                    .as_str()
                    .unwrap()
                    .starts_with("2026-11-20T02:11:00")),
        "{p:#}"
    );
    assert!(
        p["explanation"].as_str().unwrap().contains("listening"),
        "{p:#}"
    );
}

#[test]
fn redis_and_tomcat_logs_explain_their_ports_tomcat_by_its_connector_line() {
    let d = tempfile::tempdir().unwrap();
    let scan = nessus(&[Host {
        ip: "192.0.2.54",
        fqdn: "cache01.example.com",
        start: t(2, 0),
        end: t(2, 30),
        affected: &[
            (6379, "redis", "closed"),
            (8081, "www", "closed"),
            (25, "smtp", "closed"),
        ],
    }]);
    write(d.path(), "scan.nessus", &scan);
    write(
        d.path(),
        "cache01/redis/redis-server.log",
        concat!(
            "1:M 20 Nov 2026 01:00:00.000 * Ready to accept connections tcp\n",
            "1:signal-handler (1795140600) Received SIGTERM scheduling shutdown...\n",
            "1:M 20 Nov 2026 02:10:00.123 # User requested shutdown...\n",
            "1:M 20 Nov 2026 02:10:00.200 # Redis is now ready to exit, bye bye...\n",
        ),
    );
    write(
        d.path(),
        "cache01/tomcat/catalina.out",
        concat!(
            "20-Nov-2026 01:00:00.100 INFO [main] org.apache.coyote.AbstractProtocol.start Starting ProtocolHandler [\"http-nio-8081\"]\n",
            "20-Nov-2026 01:00:01.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds\n",
            "Hello from the application\n",
            "20-Nov-2026 02:12:00.000 INFO [main] org.apache.catalina.core.StandardServer.await A valid shutdown command was received via the shutdown port. Stopping the Server instance.\n",
        ),
    );
    // Postfix through syslog stopped and came back before the recheck: no explanation of 25.
    write(
        d.path(),
        "cache01/mail.log",
        concat!(
            "Nov 20 02:11:00 cache01 postfix/master[900]: terminating on signal 15\n",
            "Nov 20 02:11:03 cache01 postfix/master[950]: daemon started -- version 3.6.4, configuration /etc/postfix\n",
        ),
    );
    let (code, r) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let p = port(&r, "192.0.2.54", 6379);
    assert_eq!(
        (p["verdict"].as_str(), p["cause"].as_str()),
        (Some("service_restart"), Some("service_stop")),
        "{p:#}"
    );
    let p = port(&r, "192.0.2.54", 8081);
    assert_eq!(
        (p["verdict"].as_str(), p["cause"].as_str()),
        (Some("service_restart"), Some("service_stop")),
        "{p:#}"
    );
    assert_eq!(p["evidence"][0]["line"], 4, "{p:#}");
    assert!(
        p["explanation"].as_str().unwrap().contains("listening"),
        "{p:#}"
    );
    let p = port(&r, "192.0.2.54", 25);
    assert_ne!(p["cause"], "service_stop", "{p:#}");
    for s in r["sources"].as_array().unwrap() {
        assert_eq!(s["malformed"], 0, "{s:#}");
    }
}
