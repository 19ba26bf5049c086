//! Syslog classifiers against the third-party sample corpus in `../shared/realworld` (see its
//! README.md; override the location with `PORTMORTEM_REALWORLD_DIR`). The corpus is not part of the
//! repository: when it is missing, every test here prints a note and passes.
//!
//! Expected values were worked out by reading the sample files, not by recording parser output.

mod common;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use portmortem_parsers::{
    DenyAction, Event, EventKind, LifecycleState, OverloadKind, ParseError, Proto, ShutdownKind,
    TimeContext, syslog::parse_line,
};

fn corpus() -> Option<PathBuf> {
    // The corpus root (tests join `logs/...`).
    common::realworld("logs").and_then(|logs| logs.parent().map(PathBuf::from))
}

fn ctx() -> TimeContext {
    // A leap year, so a year-less `Feb 29` would still resolve.
    TimeContext::utc(
        DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    )
}

/// Every line of a corpus file (fail2ban `#` annotation lines dropped when `skip_comments`).
fn lines(rel: &str, skip_comments: bool) -> Option<Vec<Vec<u8>>> {
    let dir = corpus()?;
    let data = std::fs::read(dir.join("logs").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    // Like `grep -c ''`: a final newline does not start another (empty) line.
    let data = data.strip_suffix(b"\n").unwrap_or(&data);
    Some(
        data.split(|b| *b == b'\n')
            .filter(|l| !(skip_comments && l.starts_with(b"#")))
            .map(<[u8]>::to_vec)
            .collect(),
    )
}

struct Outcome {
    total: usize,
    errors: Vec<ParseError>,
    none: usize,
    events: Vec<Event>,
}

fn run(rel: &str, skip_comments: bool) -> Option<Outcome> {
    let lines = lines(rel, skip_comments)?;
    let mut o = Outcome {
        total: lines.len(),
        errors: vec![],
        none: 0,
        events: vec![],
    };
    for l in &lines {
        match parse_line(l, &ctx()) {
            Ok(Some(e)) => o.events.push(e),
            Ok(None) => o.none += 1,
            Err(e) => o.errors.push(e),
        }
    }
    Some(o)
}

fn lifecycles(o: &Outcome) -> Vec<(&str, LifecycleState, Option<&str>)> {
    o.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Lifecycle(l) => Some((l.unit.as_str(), l.state, l.detail.as_deref())),
            _ => None,
        })
        .collect()
}

fn count_kind(o: &Outcome, name: &str) -> usize {
    o.events.iter().filter(|e| e.kind.name() == name).count()
}

#[test]
fn crowdsec_iptables_no_prefix_and_iptables_drop() {
    let Some(o) = run("netfilter/crowdsec-hub_iptables-logs.log", false) else {
        return;
    };
    // 4 lines: two bare `-j LOG` lines (one with IN=enp.1s0), the mangled `XX=` line (no IN=, not
    // netfilter), and `IPTABLES-DROP:` on loopback UDP 53.
    assert_eq!(o.total, 4);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    assert_eq!(o.none, 1);
    let denies: Vec<_> = o
        .events
        .iter()
        .map(|e| match &e.kind {
            EventKind::FirewallDeny(d) => (e.host.as_deref(), d),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(denies.len(), 3);
    assert!(denies.iter().all(|(_, d)| d.action == DenyAction::Drop));
    let (host, first) = denies[0];
    assert_eq!(host, Some("sd-126005"));
    assert_eq!(
        first.src,
        "195.54.160.107".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(first.dst, Some("51.15.166.67".parse().unwrap()));
    assert_eq!(first.proto, Some(Proto::Tcp));
    assert_eq!((first.sport, first.dport), (Some(8080), Some(8123)));
    assert_eq!(first.rule, None);
    let (host, last) = denies[2];
    assert_eq!(host, Some("ubuntu-focal"));
    assert_eq!(last.rule.as_deref(), Some("IPTABLES-DROP"));
    assert_eq!(last.proto, Some(Proto::Udp));
    assert_eq!(last.dport, Some(53));
}

#[test]
fn suse_firewall_drops_and_accepts() {
    let Some(o) = run(
        "netfilter/logstash-patterns_firewalls_spec_suse-netfilter.extracted.log",
        false,
    ) else {
        return;
    };
    // SFW2-INext-DROP-DEFLT and SuSE-FW-DROP-DEFAULT are drops; three SFW2-*-ACC-* lines accept.
    assert_eq!(o.total, 5);
    assert!(o.errors.is_empty(), "{:?}", o.errors);
    assert_eq!(o.none, 3);
    let rules: Vec<_> = o
        .events
        .iter()
        .map(|e| match &e.kind {
            EventKind::FirewallDeny(d) => {
                assert_eq!(d.action, DenyAction::Drop);
                (d.rule.as_deref().unwrap_or(""), d.dport)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("SFW2-INext-DROP-DEFLT", Some(1026)),
            ("SuSE-FW-DROP-DEFAULT", Some(3127))
        ]
    );
}

#[test]
fn proxmox_firewall_log_is_not_syslog() {
    // pvefw-logger's own format (`0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 …`) has no syslog
    // header: all 10 lines are malformed for this parser.
    let Some(o) = run("netfilter/crowdsec-hub_proxmox-iptables.log", false) else {
        return;
    };
    assert_eq!(o.total, 10);
    assert_eq!(o.errors.len(), 10);
}

#[test]
fn mikrotik_drop_lines_are_mikrotik_denies_not_netfilter() {
    let Some(o) = run(
        "netfilter/crowdsec-hub_mikrotik-scan-multi-ports.log",
        false,
    ) else {
        return;
    };
    // Every line is a `drop-tcp` prefixed RouterOS line (the mikrotik payload; see
    // realworld_network_controls.rs for the events).
    assert_eq!((o.total, o.none), (19, 0));
    assert!(o.errors.is_empty());
}

#[test]
fn segfault_lines() {
    let Some(o) = run("crash/crowdsec-hub_segfault-logs.log", false) else {
        return;
    };
    // Two `su[pid]: segfault at …` lines; the `Code:` dump and a usb line are not events.
    assert_eq!(o.total, 4);
    assert!(o.errors.is_empty());
    assert_eq!(
        lifecycles(&o),
        vec![
            (
                "su",
                LifecycleState::Crashed,
                Some(
                    "segfault at 7f1f9b891000 ip 00007f1f9b870d7d sp 00007ffd5dab97f0 error 6 in ld-linux-x86-64.so.2[7f1f9b85e000+25000]"
                )
            ),
            (
                "su",
                LifecycleState::Crashed,
                Some(
                    "segfault at 7f69e5a10000 ip 00007f69e59efd7d sp 00007ffff8da8b50 error 6 in ld-linux-x86-64.so.2[7f69e59dd000+25000]"
                )
            ),
        ]
    );
    assert!(o.events.iter().all(|e| e.host.as_deref() == Some("leto")));
}

/// The OOMAnalyser reports are bare kernel lines: give each a syslog header (and drop the `dmesg -T`
/// `[Di Aug 12 03:54:03 2025] ` stamp of the Proxmox one) so they run through `parse_line`.
fn oom_report(rel: &str) -> Option<(Vec<Event>, usize)> {
    let raw = lines(rel, false)?;
    let mut events = vec![];
    let mut errors = 0;
    for l in &raw {
        // Unwrapped, these lines are not syslog: never an event.
        assert!(!matches!(parse_line(l, &ctx()), Ok(Some(_))));
        let body = match l.strip_prefix(b"[") {
            Some(r) => match r.windows(2).position(|w| w == b"] ") {
                Some(i) => &r[i + 2..],
                None => &l[..],
            },
            None => &l[..],
        };
        let mut line = b"Nov 20 02:13:44 oomhost kernel: ".to_vec();
        line.extend_from_slice(body);
        match parse_line(&line, &ctx()) {
            Ok(Some(e)) => events.push(e),
            Ok(None) => {}
            Err(_) => errors += 1,
        }
    }
    Some((events, errors))
}

fn oom_victim(events: &[Event]) -> Vec<(&str, LifecycleState, Option<&str>)> {
    events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Lifecycle(l) => (l.unit.as_str(), l.state, l.detail.as_deref()),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn oom_reports_yield_one_kill_each() {
    use LifecycleState::OomKilled;
    let cases: [(&str, Vec<(&str, &str)>); 4] = [
        // `Out of memory: Killed process 473206 (doxygen) …`, then `oom_reaper: reaped …` (not counted).
        // Its `oom-kill:constraint=` line names a session scope, not a service: no event.
        (
            "crash/oomanalyser_archlinux-6.1.1.extracted.log",
            vec![("doxygen", "oom-kill pid 473206")],
        ),
        // `Memory cgroup out of memory: Killed process 3902942 (php-fpm) …` (docker scope cgroup).
        (
            "crash/oomanalyser_proxmox-cgroup.extracted.log",
            vec![("php-fpm", "memory cgroup, oom-kill pid 3902942")],
        ),
        // RHEL 7: `Out of memory: Kill process 6576 (mysqld) score 651 or sacrifice child`, then the
        // separate `Killed process 6576 (mysqld) total-vm…` line (not counted again).
        (
            "crash/oomanalyser_rhel7.extracted.log",
            vec![("mysqld", "oom-kill pid 6576")],
        ),
        // The comm is cut to 15 characters by the kernel: `(unattended-upgr)`; the preceding
        // `oom-kill:constraint=` line names the whole unit through its cgroup.
        (
            "crash/oomanalyser_ubuntu2110.extracted.log",
            vec![
                (
                    "unattended-upgrades",
                    "oom-kill of unattended-upgr pid 651 in /system.slice/unattended-upgrades.service",
                ),
                ("unattended-upgr", "oom-kill pid 651"),
            ],
        ),
    ];
    for (rel, want) in cases {
        let Some((events, errors)) = oom_report(rel) else {
            return;
        };
        assert_eq!(errors, 0, "{rel}");
        let want: Vec<_> = want
            .into_iter()
            .map(|(unit, detail)| (unit, OomKilled, Some(detail)))
            .collect();
        assert_eq!(oom_victim(&events), want, "{rel}");
    }
}

#[test]
fn wazuh_benchmark_syn_flood_and_started() {
    let Some(o) = run("syslog/wazuh_benchmark_syslog.log", false) else {
        return;
    };
    // 100 repetitions of 10 lines: one `Possible SYN flooding on port 80. Sending cookies.`, one
    // `Started Daily apt download activities.`; sshd auth, cron, sudo, dbus, NetworkManager and
    // `session-2.scope: Succeeded.` are not events.
    assert_eq!(o.total, 1000);
    assert!(o.errors.is_empty());
    assert_eq!(o.none, 800);
    let syn = o
        .events
        .iter()
        .filter(|e| {
            matches!(&e.kind, EventKind::Overload(ov)
                if ov.kind == OverloadKind::SynCookies && ov.port == Some(80))
        })
        .count();
    assert_eq!(syn, 100);
    let started = lifecycles(&o)
        .into_iter()
        .filter(|l| {
            *l == (
                "Daily apt download activities",
                LifecycleState::Started,
                None,
            )
        })
        .count();
    assert_eq!(started, 100);
    assert!(o.events.iter().all(|e| e.host.as_deref() == Some("host01")));
}

#[test]
fn rocky_linux_messages() {
    let Some(o) = run("syslog/s4_rockylinux9_messages.log", false) else {
        return;
    };
    use LifecycleState::*;
    assert_eq!(o.total, 2432); // no newline after the last line
    assert!(o.errors.is_empty(), "{:?}", o.errors.first());
    // Boots: 1 `Linux version`, 2 `Command line:`, 2 `systemd[1]: Startup finished`; the user
    // managers' `systemd[18805]: Startup finished in 95ms.` lines are not boots.
    assert_eq!(count_kind(&o, "boot"), 5);
    assert_eq!(count_kind(&o, "shutdown"), 0);
    assert_eq!(count_kind(&o, "firewall_deny"), 0);
    assert_eq!(count_kind(&o, "overload"), 0);
    let life = lifecycles(&o);
    let n = |unit: &str, state: LifecycleState| {
        life.iter()
            .filter(|(u, s, _)| *u == unit && *s == state)
            .count()
    };
    // kdump: `Main process exited, code=exited, status=1/FAILURE` + `Failed with result
    // 'exit-code'`, in both boots.
    assert_eq!(n("kdump", Crashed), 4);
    assert!(life.contains(&("kdump", Crashed, Some("code=exited, status=1/FAILURE"))));
    assert!(life.contains(&("kdump", Crashed, Some("exit-code"))));
    // setroubleshoot's D-Bus activated services died of SIGALRM (unit names contain `:`).
    assert_eq!(
        n(
            "dbus-:1.2-org.fedoraproject.SetroubleshootPrivileged@0",
            Crashed
        ),
        2
    );
    assert!(life.contains(&(
        "dbus-:1.2-org.fedoraproject.Setroubleshootd@0",
        Crashed,
        Some("code=killed, status=14/ALRM")
    )));
    assert_eq!(n("systemd-journald", RestartScheduled), 2);
    // `Starting/Started The nginx HTTP and reverse proxy server` (RHEL's description).
    assert_eq!(n("nginx", Starting), 1);
    assert_eq!(n("nginx", Started), 1);
    // RHEL's `OpenSSH server daemon`: started in each boot and restarted once in the first
    // (`Stopping …`, then both `sshd.service: Deactivated successfully.` and `Stopped …`).
    assert_eq!(n("sshd", Starting), 3);
    assert_eq!(n("sshd", Started), 3);
    assert_eq!(n("sshd", Stopping), 1);
    assert_eq!(n("sshd", Stopped), 2);
    // 87 `<x>.service: Deactivated successfully.` lines among the Stopped events.
    assert!(life.iter().filter(|l| l.1 == Stopped).count() >= 87);
    // No target, session, slice or OOM noise.
    assert!(life.iter().all(|(u, _, _)| !u.starts_with("target ")
        && !u.starts_with("Session ")
        && !u.ends_with(".target")));
    assert_eq!(n("dnf-makecache", Stopped), 11);
}

#[test]
fn ubuntu_syslog_deactivated_services_only() {
    let Some(o) = run("syslog/s4_ubuntu22_syslog.log", false) else {
        return;
    };
    // logrotate.service and dmesg.service deactivate; the two *.mount ones and `Finished Rotate log
    // files.` are not service lifecycle events.
    assert_eq!(o.total, 14);
    assert!(o.errors.is_empty());
    assert_eq!(
        lifecycles(&o),
        vec![
            ("logrotate", LifecycleState::Stopped, None),
            ("dmesg", LifecycleState::Stopped, None)
        ]
    );
    assert_eq!(o.events.len(), 2);
}

#[test]
fn openbsd_boots_and_halt() {
    let Some(o) = run("syslog/s4_openbsd72_messages.log", false) else {
        return;
    };
    // Four `/bsd: OpenBSD 7.2 (GENERIC.MP) #404: …` kernel banners and one `halt: halted by root`.
    assert_eq!(o.total, 386);
    assert!(o.errors.is_empty());
    assert_eq!(count_kind(&o, "boot"), 4);
    let shut: Vec<_> = o
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Shutdown(s) => Some((e.host.as_deref(), s.kind)),
            _ => None,
        })
        .collect();
    assert_eq!(shut, vec![(Some("crumb"), ShutdownKind::Poweroff)]);
    assert_eq!(o.events.len(), 5);
}

#[test]
fn synology_postgres_via_syslog() {
    let Some(o) = run("syslog/s4_synology_postgresql.log", false) else {
        return;
    };
    // `postgres[7839]: [3-1] LOG:  database system is ready to accept connections` is the one start;
    // `database system was shut down at …` is said at startup and is not a stop.
    assert_eq!(o.total, 19);
    assert!(o.errors.is_empty());
    assert_eq!(
        lifecycles(&o),
        vec![("postgresql", LifecycleState::Started, None)]
    );
    assert_eq!(o.events.len(), 1);
    assert_eq!(o.events[0].host.as_deref(), Some("DiskStation"));
}

#[test]
fn sshd_corpora_have_no_lifecycle() {
    // fail2ban's sshd sample: 224 non-comment lines, 69 of them empty (malformed); only auth
    // messages, no `Server listening` / `Received signal`.
    if let Some(o) = run("syslog/fail2ban-tests_sshd.log", true) {
        assert_eq!(o.total, 224);
        assert_eq!(o.errors.len(), 69);
        assert!(o.events.is_empty());
    }
    for (rel, total) in [
        ("syslog/crowdsec-hub_opnsense-sshd-rfc5424.log", 10),
        ("syslog/crowdsec-hub_ssh-timeout.log", 8),
        ("syslog/lnav_syslog.0.log", 4),
        ("syslog/lnav_rfc5424_with_zones.log", 3),
        ("syslog/lnav_mysql_error.log", 4),
        ("syslog/s4_freebsd13_daemon.log", 99),
    ] {
        let Some(o) = run(rel, false) else { return };
        assert_eq!((o.total, o.none), (total, total), "{rel}");
    }
}

#[test]
fn non_syslog_files_are_malformed() {
    // Console boot log (ANSI colours), Apache's own error_log, RancherOS logfmt: no syslog header.
    for (rel, total) in [
        ("syslog/s4_centos7_boot.log", 617),
        ("syslog/s4_debian11_apache2_error.log", 5),
        ("syslog/s4_rancheros_shutdown.log", 10),
    ] {
        let Some(o) = run(rel, false) else { return };
        assert_eq!(o.total, total, "{rel}");
        assert_eq!(o.errors.len(), total, "{rel}");
    }
    // Postgres' stderr log frames (zone abbreviation read as the host) but carries no tag, so its
    // lines are not classified; its 7 blank lines are malformed.
    if let Some(o) = run("syslog/lnav_postgres.0.log", false) {
        assert_eq!(o.total, 28);
        assert_eq!(o.errors.len(), 7);
        assert!(o.events.is_empty());
    }
}

#[test]
fn every_corpus_line_parses_without_panicking() {
    let Some(dir) = corpus() else {
        return;
    };
    let mut stack = vec![dir.join("logs")];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let data = std::fs::read(&p).unwrap();
            for line in data.split(|b| *b == b'\n') {
                let _ = parse_line(line, &ctx());
                // Truncations must not panic either.
                for cut in [1, line.len() / 2, line.len().saturating_sub(1)] {
                    let _ = parse_line(line.get(..cut).unwrap_or_default(), &ctx());
                }
            }
            files += 1;
        }
    }
    assert!(files > 10);
}
