//! Kernel messages other than netfilter: the OOM killer's verdict, user-space segfaults, SYN flood
//! and conntrack-table overload, `reboot:` lines, and boot banners.
//!
//! Follows real reports: the OOMAnalyser examples (CarstenGrohmann/OOMAnalyser `OOMAnalyser.py`:
//! Arch 6.1 `Out of memory: Killed process 473206 (doxygen) total-vm:…`, RHEL 7 `Out of memory: Kill
//! process 6576 (mysqld) score 651 or sacrifice child`, Proxmox `Memory cgroup out of memory: Killed
//! process …`), crowdsecurity/hub `.tests/segfault-logs/segfault-logs.log` (`su[1433535]: segfault
//! at … error 6 in ld-linux-x86-64.so.2[…] likely on CPU 2`), wazuh `tools/manager_benchmark/
//! sample_payloads/engine/syslog.log` (`TCP: request_sock_TCP: Possible SYN flooding on port 80.
//! Sending cookies.`) and jtmoon79/super-speedy-syslog-searcher `logs/RockyLinux9/messages`
//! (`Linux version …`, `Command line: BOOT_IMAGE=…`):
//! <https://github.com/CarstenGrohmann/OOMAnalyser/blob/master/OOMAnalyser.py>,
//! <https://github.com/crowdsecurity/hub/blob/master/.tests/segfault-logs/segfault-logs.log>.
//!
//! Choices: only the `Out of memory: Kill(ed) process` verdict line counts as the OOM kill. RHEL 7's
//! follow-up `Killed process N (x) total-vm:…` line and `oom_reaper: reaped process` are `None`, so a
//! kill is counted once. A boot logs several banner lines (`Linux version`, `Command line:`); each is a
//! `Boot` event, and consumers should treat Boot events close together on one host as one boot.

use crate::{
    Boot, EventKind, Lifecycle, LifecycleState, Overload, OverloadKind, Shutdown, ShutdownKind,
};

/// Classify a kernel message (uptime stamp already stripped).
pub fn classify(msg: &str) -> Option<EventKind> {
    oom_kill(msg)
        .or_else(|| oom_memcg_unit(msg))
        .or_else(|| segfault(msg))
        .or_else(|| syn_flood(msg))
        .or_else(|| conntrack_full(msg))
        .or_else(|| reboot(msg))
        .or_else(|| boot(msg))
}

/// `Out of memory: Killed process 1234 (mysqld) total-vm:…`, `Out of memory: Kill process 1234
/// (mysqld) score 1 or sacrifice child`, `Memory cgroup out of memory: Killed process 1234 (java) …`.
fn oom_kill(msg: &str) -> Option<EventKind> {
    let at = msg
        .find("Out of memory")
        .or_else(|| msg.find("out of memory"))?;
    let after = msg.get(at..)?;
    let rest = ["Killed process ", "Kill process "]
        .iter()
        .find_map(|w| after.find(w).and_then(|i| after.get(i + w.len()..)))?;
    let pid_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let pid = rest.get(..pid_len).filter(|p| !p.is_empty())?;
    let name = paren_name(rest.get(pid_len..)?.trim_start())?;
    let scope = if msg.get(..at)?.ends_with("Memory cgroup ") {
        "memory cgroup, "
    } else {
        ""
    };
    Some(EventKind::Lifecycle(Lifecycle {
        unit: name.to_string(),
        state: LifecycleState::OomKilled,
        detail: Some(format!("{scope}oom-kill pid {pid}")),
    }))
}

/// `oom-kill:constraint=…,task_memcg=/system.slice/tomcat9.service,task=java,pid=2211,uid=997`
/// (kernels ≥ 4.19): the cgroup names the systemd unit the killed process belonged to, which the
/// `Killed process N (java)` line does not. Only `.service` cgroups give an event.
fn oom_memcg_unit(msg: &str) -> Option<EventKind> {
    let rest = msg.get(msg.find("oom-kill:constraint=")?..)?;
    let field = |key: &str| {
        rest.split(',').find_map(|kv| {
            kv.trim()
                .strip_prefix(key)
                .and_then(|v| v.strip_prefix('='))
        })
    };
    let memcg = field("task_memcg")?;
    let unit = memcg.rsplit('/').next()?.strip_suffix(".service")?;
    if unit.is_empty() {
        return None;
    }
    let task = field("task").unwrap_or("?");
    let pid = field("pid").unwrap_or("?");
    Some(EventKind::Lifecycle(Lifecycle {
        unit: unit.to_string(),
        state: LifecycleState::OomKilled,
        detail: Some(format!("oom-kill of {task} pid {pid} in {memcg}")),
    }))
}

/// `(comm) …`: the command name, which may itself hold spaces or `)` (`(Web Content)`). It ends at
/// the first `)` followed by a space, a comma or the end of the message.
fn paren_name(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('(')?;
    let b = inner.as_bytes();
    let end = (0..b.len())
        .find(|&i| b.get(i) == Some(&b')') && matches!(b.get(i + 1), None | Some(b' ' | b',')))?;
    inner.get(..end).filter(|n| !n.is_empty())
}

/// `nginx[1234]: segfault at 0 ip … sp … error 4 in libc.so.6[…]` and `traps: nginx[1234] general
/// protection fault ip:…`.
fn segfault(msg: &str) -> Option<EventKind> {
    let (head, tail) = if let Some(i) = msg.find("]: segfault at ") {
        (msg.get(..i)?, msg.get(i + 3..)?)
    } else {
        let rest = msg.strip_prefix("traps: ")?;
        let i = rest.find("] general protection fault")?;
        (rest.get(..i)?, rest.get(i + 2..)?)
    };
    let lb = head.rfind('[')?;
    let pid = head.get(lb + 1..)?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let name = head.get(..lb)?.trim();
    if name.is_empty() {
        return None;
    }
    let detail = match tail.find(" likely on CPU") {
        Some(i) => tail.get(..i)?,
        None => tail,
    };
    Some(EventKind::Lifecycle(Lifecycle {
        unit: name.to_string(),
        state: LifecycleState::Crashed,
        detail: Some(detail.trim().to_string()),
    }))
}

/// `TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.  Check SNMP counters.`
/// (and `… Dropping request.`, the older lower-case `possible SYN flooding on port 80. …`, and newer
/// kernels' `on port [::]:80.` / `on port 0.0.0.0:443.`).
fn syn_flood(msg: &str) -> Option<EventKind> {
    const W: &str = "SYN flooding on port ";
    let i = msg.find(W)?;
    let rest = msg.get(i + W.len()..)?;
    let end = rest.find(". ").unwrap_or(rest.len());
    let text = rest.get(..end)?.trim_end_matches('.');
    let port_text = match text.rfind(':') {
        Some(c) => text.get(c + 1..)?,
        None => text,
    };
    let kind = if rest.contains("Dropping request") {
        OverloadKind::SynDrop
    } else {
        OverloadKind::SynCookies
    };
    Some(EventKind::Overload(Overload {
        kind,
        port: port_text.parse().ok(),
    }))
}

/// `nf_conntrack: table full, dropping packet` (also doubled `nf_conntrack: nf_conntrack: …` and the
/// old `ip_conntrack: table full, dropping packet.`).
fn conntrack_full(msg: &str) -> Option<EventKind> {
    (msg.contains("conntrack") && msg.contains("table full, dropping packet")).then_some(
        EventKind::Overload(Overload {
            kind: OverloadKind::ConntrackFull,
            port: None,
        }),
    )
}

/// `reboot: Restarting system`, `reboot: Power down`, `reboot: System halted`.
fn reboot(msg: &str) -> Option<EventKind> {
    let rest = msg.strip_prefix("reboot: ")?;
    let kind = if rest.starts_with("Restarting system") {
        ShutdownKind::Reboot
    } else if rest.starts_with("Power down") || rest.starts_with("System halted") {
        ShutdownKind::Poweroff
    } else {
        return None;
    };
    Some(EventKind::Shutdown(Shutdown { kind }))
}

/// Boot banners: `Linux version 6.1.0-…`, `Command line: BOOT_IMAGE=…` (x86), `Booting Linux on
/// physical CPU 0x0` (ARM), and the BSD kernels' `OpenBSD 7.2 (GENERIC.MP) #404: …` /
/// `FreeBSD 13.1-RELEASE …`.
fn boot(msg: &str) -> Option<EventKind> {
    let digit_after = |p: &str| {
        msg.strip_prefix(p)
            .is_some_and(|r| r.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    };
    let is_boot = digit_after("Linux version ")
        || msg.starts_with("Command line: ")
        || msg.starts_with("Booting Linux on physical CPU")
        || (digit_after("OpenBSD ") && msg.contains(" #"))
        || (digit_after("FreeBSD ") && msg.contains("-RELEASE"));
    is_boot.then_some(EventKind::Boot(Boot {}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn life(unit: &str, state: LifecycleState, detail: &str) -> Option<EventKind> {
        Some(EventKind::Lifecycle(Lifecycle {
            unit: unit.into(),
            state,
            detail: Some(detail.into()),
        }))
    }

    fn overload(kind: OverloadKind, port: Option<u16>) -> Option<EventKind> {
        Some(EventKind::Overload(Overload { kind, port }))
    }

    #[test]
    fn oom_constraint_names_the_unit() {
        assert_eq!(
            classify(
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/tomcat9.service,task=java,pid=2211,uid=997"
            ),
            life(
                "tomcat9",
                LifecycleState::OomKilled,
                "oom-kill of java pid 2211 in /system.slice/tomcat9.service"
            )
        );
        // A user session or container cgroup names no service: no event from this line.
        assert_eq!(
            classify(
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/user.slice/user-1000.slice,task_memcg=/user.slice/user-1000.slice/session-2.scope,task=stress,pid=7,uid=1000"
            ),
            None
        );
    }

    #[test]
    fn oom_wordings() {
        use LifecycleState::OomKilled;
        assert_eq!(
            classify(
                "Out of memory: Killed process 1234 (mysqld) total-vm:2000kB, anon-rss:1000kB, file-rss:0kB, shmem-rss:0kB, UID:27 pgtables:100kB oom_score_adj:0"
            ),
            life("mysqld", OomKilled, "oom-kill pid 1234")
        );
        assert_eq!(
            classify("Out of memory: Kill process 1234 (mysqld) score 1 or sacrifice child"),
            life("mysqld", OomKilled, "oom-kill pid 1234")
        );
        assert_eq!(
            classify("Memory cgroup out of memory: Killed process 99 (java) total-vm:1kB"),
            life("java", OomKilled, "memory cgroup, oom-kill pid 99")
        );
        assert_eq!(
            classify(
                "Memory cgroup out of memory: Kill process 99 (Web Content) score 900 or sacrifice child"
            ),
            life("Web Content", OomKilled, "memory cgroup, oom-kill pid 99")
        );
        assert_eq!(
            classify("Out of memory: Killed process 7 (sd-pam)"),
            life("sd-pam", OomKilled, "oom-kill pid 7")
        );
        // Follow-ups of the same kill are not counted again.
        assert_eq!(
            classify(
                "oom_reaper: reaped process 1234 (mysqld), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"
            ),
            None
        );
        assert_eq!(
            classify("Killed process 1234 (mysqld) total-vm:2000kB, anon-rss:1000kB"),
            None
        );
        assert_eq!(
            classify("mysqld invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0"),
            None
        );
        assert_eq!(classify("Out of memory: Killed process x (y)"), None);
        assert_eq!(classify("Out of memory: Killed process 1 (y"), None);
    }

    #[test]
    fn segfaults() {
        assert_eq!(
            classify(
                "nginx[1234]: segfault at 0 ip 00007f0000000000 sp 00007ffd00000000 error 4 in libc.so.6[7f0000000000+195000] likely on CPU 1 (core 1, socket 0)"
            ),
            life(
                "nginx",
                LifecycleState::Crashed,
                "segfault at 0 ip 00007f0000000000 sp 00007ffd00000000 error 4 in libc.so.6[7f0000000000+195000]"
            )
        );
        assert_eq!(
            classify(
                "traps: php-fpm[42] general protection fault ip:55d0 sp:7ffc error:0 in php-fpm[55d0+1000]"
            ),
            life(
                "php-fpm",
                LifecycleState::Crashed,
                "general protection fault ip:55d0 sp:7ffc error:0 in php-fpm[55d0+1000]"
            )
        );
        assert_eq!(classify("[1234]: segfault at 0 ip 0"), None);
        assert_eq!(classify("x[12a]: segfault at 0 ip 0"), None);
    }

    #[test]
    fn syn_flood_and_conntrack() {
        use OverloadKind::*;
        assert_eq!(
            classify(
                "TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.  Check SNMP counters."
            ),
            overload(SynCookies, Some(80))
        );
        assert_eq!(
            classify(
                "TCP: request_sock_TCP: Possible SYN flooding on port 8443. Dropping request.  Check SNMP counters."
            ),
            overload(SynDrop, Some(8443))
        );
        assert_eq!(
            classify("TCP: possible SYN flooding on port 80. Sending cookies."),
            overload(SynCookies, Some(80))
        );
        assert_eq!(
            classify(
                "TCP: request_sock_TCP: Possible SYN flooding on port [::]:80. Sending cookies.  Check SNMP counters."
            ),
            overload(SynCookies, Some(80))
        );
        assert_eq!(
            classify(
                "TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:443. Sending cookies."
            ),
            overload(SynCookies, Some(443))
        );
        assert_eq!(
            classify(
                "TCP: request_sock_TCP: Possible SYN flooding on port 192.0.2.1:8080. Dropping request.  Check SNMP counters."
            ),
            overload(SynDrop, Some(8080))
        );
        assert_eq!(
            classify("Possible SYN flooding on port "),
            overload(SynCookies, None)
        );
        assert_eq!(
            classify("nf_conntrack: table full, dropping packet"),
            overload(ConntrackFull, None)
        );
        assert_eq!(
            classify("nf_conntrack: nf_conntrack: table full, dropping packet"),
            overload(ConntrackFull, None)
        );
        assert_eq!(
            classify("ip_conntrack: table full, dropping packet."),
            overload(ConntrackFull, None)
        );
    }

    #[test]
    fn reboot_and_boot() {
        let sd = |kind| Some(EventKind::Shutdown(Shutdown { kind }));
        assert_eq!(
            classify("reboot: Restarting system"),
            sd(ShutdownKind::Reboot)
        );
        assert_eq!(classify("reboot: Power down"), sd(ShutdownKind::Poweroff));
        assert_eq!(
            classify("reboot: System halted"),
            sd(ShutdownKind::Poweroff)
        );
        let boot = Some(EventKind::Boot(Boot {}));
        assert_eq!(
            classify(
                "Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)"
            ),
            boot
        );
        assert_eq!(
            classify("Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=0 ro quiet"),
            boot
        );
        assert_eq!(
            classify("Booting Linux on physical CPU 0x0000000000 [0x410fd083]"),
            boot
        );
        assert_eq!(
            classify("OpenBSD 7.2 (GENERIC.MP) #404: Tue Sep 27 12:54:46 MDT 2022"),
            boot
        );
        assert_eq!(
            classify("FreeBSD 13.1-RELEASE releng/13.1-n250148-fc952ac2212 GENERIC amd64"),
            boot
        );
        assert_eq!(
            classify("Kernel command line: BOOT_IMAGE=/boot/vmlinuz ro"),
            None
        );
        assert_eq!(classify("Linux version"), None);
        assert_eq!(
            classify("loop6: detected capacity change from 0 to 8"),
            None
        );
    }
}
