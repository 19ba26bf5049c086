//! Log format detection from a file's first bytes.

use serde::Serialize;

/// Line-oriented log formats the parsers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// RFC 3164 / RFC 5424 / rsyslog ISO 8601 syslog, kernel netfilter lines included.
    Syslog,
    /// ulogd2 LOGEMU netfilter log (syslog-like header, no `kernel:` tag).
    Ulogd,
    /// Suricata eve.json (one JSON object per line).
    SuricataEve,
    /// fail2ban's own log (`/var/log/fail2ban.log`).
    Fail2ban,
    /// `journalctl -o json`.
    JournaldJson,
    /// Wazuh / OSSEC `active-responses.log`.
    WazuhAr,
    /// CrowdSec's `crowdsec.log`.
    Crowdsec,
    /// Zeek `conn.log` (TSV with a `#fields` header, or JSON).
    ZeekConn,
}

impl LogFormat {
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Syslog => "syslog",
            LogFormat::Ulogd => "ulogd",
            LogFormat::SuricataEve => "suricata_eve",
            LogFormat::Fail2ban => "fail2ban",
            LogFormat::JournaldJson => "journald_json",
            LogFormat::WazuhAr => "wazuh_ar",
            LogFormat::Crowdsec => "crowdsec",
            LogFormat::ZeekConn => "zeek_conn",
        }
    }

    /// What the format is, for `portmortem formats`.
    pub fn describe(self) -> &'static str {
        match self {
            LogFormat::Syslog => {
                "RFC 3164 / RFC 5424 / rsyslog ISO 8601 syslog: netfilter/UFW/firewalld kernel lines, Cisco ASA/FTD denies and shuns, pfSense/OPNsense filterlog, PAN-OS TRAFFIC/THREAT, Junos RT_FLOW denies, systemd lifecycle, kernel OOM/segfault/SYN flood/conntrack/reboot, sshd/apache/mysql/postgres, Windows SCM 7036 and fail2ban relayed"
            }
            LogFormat::Ulogd => "ulogd2 LOGEMU netfilter log (no kernel: tag)",
            LogFormat::SuricataEve => "Suricata eve.json: alert (blocked/allowed) and drop events",
            LogFormat::Fail2ban => "fail2ban.log: Ban, Restore Ban, Unban",
            LogFormat::JournaldJson => {
                "journalctl -o json: the same events as syslog, from MESSAGE with SYSLOG_IDENTIFIER as the tag"
            }
            LogFormat::WazuhAr => {
                "Wazuh/OSSEC active-responses.log: firewall-drop/host-deny add and delete (old and 4.x JSON)"
            }
            LogFormat::Crowdsec => "crowdsec.log: ban decisions (scenario, duration)",
            LogFormat::ZeekConn => {
                "Zeek conn.log (TSV or JSON): connection attempts with no reply (S0) or rejected (REJ)"
            }
        }
    }

    /// One real-looking line that yields an event (checked by a test).
    pub fn example(self) -> &'static str {
        match self {
            LogFormat::Syslog => {
                "Nov 20 02:13:44 web01 kernel: [815906.331870] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=52011 DF PROTO=TCP SPT=40422 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0"
            }
            LogFormat::Ulogd => {
                "Nov 20 02:13:44 fw01  IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0"
            }
            LogFormat::SuricataEve => {
                r#"{"timestamp":"2026-11-20T02:18:44.571203+0000","event_type":"alert","src_ip":"203.0.113.5","src_port":53310,"dest_ip":"192.0.2.50","dest_port":22,"proto":"TCP","alert":{"action":"blocked","signature_id":2001219,"signature":"ET SCAN Potential SSH Scan"}}"#
            }
            LogFormat::Fail2ban => {
                "2026-11-20 02:07:47,552 fail2ban.actions        [702]: NOTICE  [sshd] Ban 203.0.113.5"
            }
            LogFormat::JournaldJson => {
                r#"{"__REALTIME_TIMESTAMP":"1795140464000000","_HOSTNAME":"db01","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"Stopped mysql.service - MySQL Community Server."}"#
            }
            LogFormat::WazuhAr => {
                "Fri Nov 20 02:10:08 UTC 2026 /var/ossec/active-response/bin/firewall-drop.sh add - 203.0.113.5 1795140608.94657 5712"
            }
            LogFormat::Crowdsec => {
                r#"time="2026-11-20T02:10:08Z" level=info msg="crowdsecurity/ssh-bf by ip 203.0.113.5 (FR/16276) : 4h ban on Ip 203.0.113.5""#
            }
            LogFormat::ZeekConn => {
                r#"{"ts":1795140608.25,"uid":"C1","id.orig_h":"203.0.113.5","id.orig_p":40000,"id.resp_h":"192.0.2.10","id.resp_p":443,"proto":"tcp","conn_state":"S0"}"#
            }
        }
    }

    pub fn from_name(s: &str) -> Option<LogFormat> {
        match s {
            "syslog" => Some(LogFormat::Syslog),
            "ulogd" | "netfilter" => Some(LogFormat::Ulogd),
            "suricata_eve" | "eve" | "suricata" => Some(LogFormat::SuricataEve),
            "fail2ban" => Some(LogFormat::Fail2ban),
            "journald_json" | "journald" => Some(LogFormat::JournaldJson),
            "wazuh_ar" | "wazuh" => Some(LogFormat::WazuhAr),
            "crowdsec" => Some(LogFormat::Crowdsec),
            "zeek_conn" | "zeek" | "bro" => Some(LogFormat::ZeekConn),
            _ => None,
        }
    }

    pub const ALL: [LogFormat; 8] = [
        LogFormat::Syslog,
        LogFormat::Ulogd,
        LogFormat::SuricataEve,
        LogFormat::Fail2ban,
        LogFormat::JournaldJson,
        LogFormat::WazuhAr,
        LogFormat::Crowdsec,
        LogFormat::ZeekConn,
    ];
}

/// Guess a log format from the first bytes of a file (a few KB are plenty). Looks at up to 20
/// non-empty, non-comment lines and returns the format most of them frame as.
pub fn detect_log_format(head: &[u8]) -> Option<LogFormat> {
    let mut syslog = 0usize;
    let mut ulogd = 0usize;
    let mut eve = 0usize;
    let mut f2b = 0usize;
    let mut journal = 0usize;
    let mut wazuh = 0usize;
    let mut crowdsec = 0usize;
    let mut zeek = 0usize;
    let mut seen = 0usize;
    // The last line of a head sample may be cut short: drop it unless the head is the whole file.
    let lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    for line in lines.iter().take(lines.len().saturating_sub(1).max(1)) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed = line.trim_ascii_start();
        // A conn.log header names its fields: that decides, whatever the data lines look like.
        if trimmed.starts_with(b"#") && crate::ids::zeek::looks_like_conn(trimmed) {
            return Some(LogFormat::ZeekConn);
        }
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        seen += 1;
        if seen > 20 {
            break;
        }
        if trimmed.starts_with(b"{") {
            if crate::ids::zeek::looks_like_conn(trimmed) {
                zeek += 1;
            } else if memchr::memmem::find(trimmed, b"\"event_type\"").is_some() {
                eve += 1;
            } else if memchr::memmem::find(trimmed, b"\"__REALTIME_TIMESTAMP\"").is_some() {
                journal += 1;
            }
            continue;
        }
        if crate::ban::fail2ban::looks_native(trimmed) {
            f2b += 1;
            continue;
        }
        if crate::ban::wazuh::looks_native(trimmed) {
            wazuh += 1;
            continue;
        }
        if crate::ban::crowdsec::looks_native(trimmed) {
            crowdsec += 1;
            continue;
        }
        if let Some(h) = crate::syslog::header::parse_header(line) {
            let has_nf = memchr::memmem::find(h.msg, b"IN=").is_some()
                && memchr::memmem::find(h.msg, b"SRC=").is_some();
            if has_nf && h.app.is_none() {
                ulogd += 1;
            } else if h.app.is_some() || has_nf {
                // A timestamp and a word are not enough: W3C logs (`2026-11-20 02:13:44 DROP TCP
                // …`, Windows Firewall) would frame too. Syslog lines carry a `tag:`.
                syslog += 1;
            }
        }
    }
    let best = [
        (eve, LogFormat::SuricataEve),
        (f2b, LogFormat::Fail2ban),
        (journal, LogFormat::JournaldJson),
        (wazuh, LogFormat::WazuhAr),
        (crowdsec, LogFormat::Crowdsec),
        (zeek, LogFormat::ZeekConn),
        (syslog + ulogd, LogFormat::Syslog),
    ]
    .into_iter()
    .max_by_key(|(n, _)| *n)?;
    if best.0 == 0 || best.0 * 2 < seen.min(20) {
        return None;
    }
    if best.1 == LogFormat::Syslog && ulogd > syslog {
        return Some(LogFormat::Ulogd);
    }
    Some(best.1)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn w3c_firewall_log_is_not_syslog() {
        let pfirewall = b"#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n\n2026-11-20 02:13:44 DROP TCP 203.0.113.5 192.0.2.10 40000 3389 0 - 0 0 0 - - - RECEIVE\n2026-11-20 02:13:45 DROP TCP 203.0.113.5 192.0.2.10 40001 3389 0 - 0 0 0 - - - RECEIVE\n";
        assert_eq!(detect_log_format(pfirewall), None);
    }

    #[test]
    fn every_example_is_detected_and_yields_an_event() {
        let ctx = crate::TimeContext::utc(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap());
        for f in LogFormat::ALL {
            let line = f.example();
            let ev = crate::parse_line(f, line.as_bytes(), &ctx);
            assert!(matches!(ev, Ok(Some(_))), "{f:?}: {ev:?}");
            let file = format!("{line}\n{line}\n");
            assert_eq!(detect_log_format(file.as_bytes()), Some(f), "{f:?}");
            assert_eq!(LogFormat::from_name(f.name()), Some(f));
        }
    }
}
