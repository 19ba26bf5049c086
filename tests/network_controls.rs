//! Issue 8's network controls end to end: in each scenario one format alone explains the port
//! (verdict, cause, evidence file:line) and the advice speaks that control's language.

mod common;

use chrono::{TimeZone, Utc};
use common::*;

fn t(h: u32, m: u32, s: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, s)
        .unwrap()
        .timestamp()
}

/// A scan of web10 (192.0.2.10, 02:00–02:30 UTC) that lost the `affected` ports, and the logs
/// given (path, text).
fn setup(affected: &[(u16, &str, &str)], logs: &[(&str, &str)]) -> tempfile::TempDir {
    let scan = nessus(&[Host {
        ip: "192.0.2.10",
        fqdn: "web10.example.com",
        start: t(2, 0, 0),
        end: t(2, 30, 0),
        affected,
    }]);
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("scan.nessus"), scan).unwrap();
    for (rel, text) in logs {
        let path = d.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    d
}

/// One lost port and one log at `rel`.
fn scenario(port: u16, svc: &str, state: &str, rel: &str, log: &str) -> tempfile::TempDir {
    setup(&[(port, svc, state)], &[(rel, log)])
}

/// The JSON of the one port of a [`scenario`], its log read as `format`.
fn one_port(
    port: u16,
    svc: &str,
    state: &str,
    rel: &str,
    log: &str,
    format: &str,
) -> serde_json::Value {
    the_port(&scenario(port, svc, state, rel, log), &[], format)
}

/// The report of a scan that lost 22 and 443 over the logs given.
fn ssh_and_https(logs: &[(&str, &str)]) -> serde_json::Value {
    let d = setup(
        &[(22, "ssh", "unresponsive"), (443, "www", "unresponsive")],
        logs,
    );
    let (code, report) = analyze_json(d.path(), &["."]);
    assert_eq!(code, 0, "{report:#}");
    assert_schema_valid(&report);
    report
}

/// The one port's JSON, after checking the run, the schema, the format the source was read as.
fn the_port(d: &tempfile::TempDir, args: &[&str], format: &str) -> serde_json::Value {
    let mut a = vec!["."];
    a.extend_from_slice(args);
    let (code, report) = analyze_json(d.path(), &a);
    assert_eq!(code, 0, "{report:#}");
    assert_schema_valid(&report);
    assert!(
        report["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["format"] == format && s["malformed"] == 0),
        "{:#}",
        report["sources"]
    );
    report["ports"][0].clone()
}

/// The port has this verdict and cause, its first evidence on `line`.
fn explained(p: &serde_json::Value, verdict: &str, cause: &str, line: u64) {
    assert_eq!(p["verdict"], verdict, "{p:#}");
    assert_eq!(p["cause"], cause, "{p:#}");
    assert_eq!(p["evidence"][0]["line"], line, "{p:#}");
}

fn advice(p: &serde_json::Value) -> String {
    p["advice"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_aws_vpc_flow_reject_explains_an_unresponsive_port() {
    let log = format!(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
         2 123456789010 eni-0a1b2c3d4e5f60718 203.0.113.5 192.0.2.10 40000 443 6 1 60 {a} {b} ACCEPT OK\n\
         2 123456789010 eni-0a1b2c3d4e5f60718 203.0.113.5 192.0.2.10 40001 443 6 1 60 {c} {d} REJECT OK\n",
        a = t(2, 5, 0),
        b = t(2, 6, 0),
        c = t(2, 13, 44),
        d = t(2, 14, 44)
    );
    let p = one_port(
        443,
        "www",
        "unresponsive",
        "aws/123456789010_vpcflowlogs_eu-west-1_fl-0123456789abcdef0_20261120T0215Z_0a1b2c3d.log",
        &log,
        "aws_vpc_flow",
    );
    explained(&p, "blocked", "firewall_drop", 3);
    assert_eq!(p["evidence"][0]["observer"], "aws_vpc", "{p:#}");
    assert!(
        p["evidence"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("_0a1b2c3d.log"),
        "{p:#}"
    );
    let a = advice(&p);
    assert!(a.contains("aws ec2 authorize-security-group-ingress --group-id SG_ID --ip-permissions IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=203.0.113.5/32}]"), "{a}");
    assert!(
        a.contains("--network-interface-ids eni-0a1b2c3d4e5f60718"),
        "{a}"
    );
    assert!(a.contains("create-network-acl-entry"), "{a}");
    assert!(!a.contains("iptables") && !a.contains("ufw"), "{a}");
}

#[test]
fn a_windows_firewall_drop_in_local_time_explains_rdp() {
    // The machine's clock is Berlin time (UTC+1 in November): 03:13:44 local = 02:13:44 UTC.
    let log = "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n\r\n2026-11-20 03:10:00 ALLOW TCP 192.0.2.99 192.0.2.10 50000 3389 52 S 1 0 64240 - - - RECEIVE\r\n2026-11-20 03:13:44 DROP TCP 203.0.113.5 192.0.2.10 40000 3389 52 S 1 0 64240 - - - RECEIVE\r\n";
    let d = scenario(3389, "msrdp", "unresponsive", "web10/pfirewall.log", log);
    let p = the_port(
        &d,
        &["--source-tz", "pfirewall.log=Europe/Berlin"],
        "windows_firewall",
    );
    explained(&p, "blocked", "firewall_drop", 7);
    assert_eq!(p["evidence"][0]["file"], "./web10/pfirewall.log", "{p:#}");
    assert_eq!(p["evidence"][0]["time"], "2026-11-20T02:13:44Z", "{p:#}");
    let a = advice(&p);
    assert!(a.contains("New-NetFirewallRule -DisplayName \"Allow vulnerability scanner\" -Direction Inbound -Action Allow -RemoteAddress 203.0.113.5 -Protocol TCP -LocalPort 3389"), "{a}");
    assert!(a.contains("block rule wins"), "{a}");

    // Read as UTC, the drop is an hour late: outside the window, the port stays unexplained.
    let p = the_port(&d, &[], "windows_firewall");
    assert_eq!(p["verdict"], "unexplained", "{p:#}");
}

#[test]
fn a_suricata_fast_log_drop_explains_ssh_and_a_plain_alert_does_not() {
    let log = "11/20/2026-02:12:00.000001  [**] [1:2001219:20] ET SCAN Potential SSH Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {TCP} 203.0.113.5:39999 -> 192.0.2.10:22\n\
               11/20/2026-02:13:44.100000  [Drop] [**] [1:2001219:20] ET SCAN Potential SSH Scan [**] [Classification: Attempted Information Leak] [Priority: 2] {TCP} 203.0.113.5:40000 -> 192.0.2.10:22\n";
    let p = one_port(22, "ssh", "unresponsive", "ids01/fast.log", log, "fast_log");
    explained(&p, "blocked", "ips_block", 2);
    assert_eq!(p["evidence"][0]["file"], "./ids01/fast.log", "{p:#}");
    assert_eq!(p["evidence"][0]["observer"], "suricata", "{p:#}");
    let a = advice(&p);
    assert!(
        a.contains("suppress gen_id 1, sig_id 2001219, track by_src, ip 203.0.113.5"),
        "{a}"
    );

    // Without the [Drop] line the sensor only alerted: no block.
    let p = one_port(
        22,
        "ssh",
        "unresponsive",
        "ids01/fast.log",
        log.lines().next().unwrap(),
        "fast_log",
    );
    assert_eq!(p["verdict"], "unexplained", "{p:#}");
}

#[test]
fn a_snort3_alert_json_drop_explains_ssh_in_snort_terms() {
    let log = format!(
        "{{\"seconds\":{},\"action\":\"allow\",\"dst_ap\":\"192.0.2.10:22\",\"proto\":\"TCP\",\"rule\":\"1:19559:1\",\"src_ap\":\"203.0.113.5:39999\",\"timestamp\":\"11/20-02:12:00.000000\"}}\n\
         {{\"seconds\":{},\"action\":\"drop\",\"dst_ap\":\"192.0.2.10:22\",\"proto\":\"TCP\",\"rule\":\"1:19559:1\",\"msg\":\"SCAN SSH brute force login attempt\",\"src_ap\":\"203.0.113.5:40000\",\"timestamp\":\"11/20-02:13:44.000000\"}}\n",
        t(2, 12, 0),
        t(2, 13, 44)
    );
    let p = one_port(
        22,
        "ssh",
        "unresponsive",
        "ids02/alert_json.txt",
        &log,
        "snort_json",
    );
    explained(&p, "blocked", "ips_block", 2);
    assert_eq!(p["evidence"][0]["observer"], "snort", "{p:#}");
    let a = advice(&p);
    assert!(
        a.contains("suppress = { { gid = 1, sid = 19559, track = 'by_src', ip = '203.0.113.5' } }"),
        "{a}"
    );
    assert!(!a.contains("Suricata"), "{a}");
}

#[test]
fn a_unifi_cef_ips_block_after_a_syslog_header_explains_https() {
    let log = "Nov 20 02:05:00 gw01 CEF:0|Ubiquiti|UniFi Network|10.0.140|544|Admin Accessed UniFi Network|1|UNIFIcategory=System src=192.0.2.222 msg=Admin accessed UniFi Network\n\
               Nov 20 02:13:44 gw01 CEF:0|Ubiquiti|UniFi Network|10.0.140|201|Threat Detected and Blocked|7|proto=TCP src=203.0.113.5 spt=40000 dst=192.0.2.10 dpt=443 act=blocked UNIFIcategory=Security UNIFIsubCategory=Intrusion Prevention UNIFIipsSignature=ET SCAN Nessus User Agent UNIFIipsSignatureId=2002664 msg=A network intrusion attempt from 203.0.113.5 has been detected and blocked.\n";
    let p = one_port(443, "www", "unresponsive", "gw01/cef.log", log, "syslog");
    explained(&p, "blocked", "ips_block", 2);
    assert_eq!(p["evidence"][0]["observer"], "cef", "{p:#}");
    let a = advice(&p);
    assert!(
        a.contains("Ubiquiti UniFi Network (CEF): add 203.0.113.5 to the IPS allow list"),
        "{a}"
    );
    assert!(a.contains("suppress signature 2002664"), "{a}");
}

#[test]
fn a_portsentry_block_explains_every_port_and_scanlogd_is_only_context() {
    let log = format!(
        "{} - 11/20/2026 02:13:44 Host: 203.0.113.5/203.0.113.5 Port: 1 TCP Blocked\n",
        t(2, 13, 44)
    );
    let p = one_port(
        443,
        "www",
        "unresponsive",
        "web10/portsentry.history",
        &log,
        "portsentry",
    );
    assert_eq!(p["verdict"], "blocked", "{p:#}");
    assert_eq!(p["cause"], "ban", "{p:#}");
    assert_eq!(
        p["evidence"][0]["file"], "./web10/portsentry.history",
        "{p:#}"
    );
    assert_eq!(p["evidence"][0]["line"], 1, "{p:#}");
    let a = advice(&p);
    assert!(a.contains("PortSentry's IGNORE_FILE"), "{a}");
    assert!(a.contains("never expire"), "{a}");

    let log = "Nov 20 02:10:00 web10 scanlogd: 203.0.113.5 to 192.0.2.10 ports 22, 80, 443, 3389, 8080, 8443, ..., fSrpauxy, TOS 00, TTL 49 @02:09:58\n";
    let p = one_port(443, "www", "unresponsive", "web10/syslog", log, "syslog");
    assert_eq!(p["verdict"], "unexplained", "{p:#}");
    assert!(
        p["explanation"]
            .as_str()
            .unwrap()
            .contains("alert only, no block"),
        "{p:#}"
    );
}

#[test]
fn a_mikrotik_prefixed_drop_explains_ssh_in_routeros_terms() {
    let log = "2026-11-20T03:13:44.000000+01:00 192.0.2.1 firewall,info drop-tcp forward: in:ether1-WAN out:bridge, connection-state:new src-mac 00:17:10:88:bc:02, proto TCP (SYN), 203.0.113.5:40000->192.0.2.10:22, len 60\n";
    let p = one_port(
        22,
        "ssh",
        "unresponsive",
        "gw01/routeros.log",
        log,
        "syslog",
    );
    explained(&p, "blocked", "firewall_drop", 1);
    assert_eq!(p["evidence"][0]["observer"], "mikrotik", "{p:#}");
    let a = advice(&p);
    assert!(a.contains("`/ip firewall filter add chain=forward src-address=203.0.113.5 protocol=tcp dst-port=22 action=accept place-before=0"), "{a}");
    assert!(!a.contains("iptables"), "{a}");
}

#[test]
fn a_proxmox_guest_reject_explains_a_closed_port_in_its_fw_file() {
    let log = "101 1 tap101i0-IN 20/Nov/2026:03:13:44 +0100 REJECT: IN=fwbr101i0 OUT=fwbr101i0 PHYSIN=fwln101i0 PHYSOUT=tap101i0 MAC=a2:1b:bb:df:61:a5:6e:68:28:cc:2a:0c:08:00 SRC=203.0.113.5 DST=192.0.2.10 LEN=60 TOS=0x10 PREC=0x00 TTL=63 ID=37700 DF PROTO=TCP SPT=51604 DPT=5432 SEQ=1 ACK=0 WINDOW=64240 SYN\n";
    let p = one_port(
        5432,
        "postgresql",
        "closed",
        "pve01/pve-firewall.log",
        log,
        "proxmox_firewall",
    );
    explained(&p, "blocked", "firewall_reject", 1);
    assert_eq!(p["evidence"][0]["time"], "2026-11-20T02:13:44Z", "{p:#}");
    let a = advice(&p);
    assert!(
        a.contains("/etc/pve/firewall/101.fw: `IN ACCEPT -source 203.0.113.5 -p tcp -dport 5432"),
        "{a}"
    );
}

#[test]
fn a_zeek_notice_drop_explains_a_port_and_a_plain_port_scan_notice_does_not() {
    let drop = format!(
        "{{\"_path\":\"notice\",\"ts\":{}.5,\"note\":\"Scan::Port_Scan\",\"msg\":\"203.0.113.5 scanned at least 15 unique ports of host 192.0.2.10 in 0m2s\",\"src\":\"203.0.113.5\",\"dst\":\"192.0.2.10\",\"actions\":[\"Notice::ACTION_LOG\",\"Notice::ACTION_DROP\"]}}\n",
        t(2, 13, 44)
    );
    let p = one_port(
        8443,
        "pcsync-https",
        "unresponsive",
        "zeek/notice.log",
        &drop,
        "zeek_notice",
    );
    explained(&p, "blocked", "ips_block", 1);
    let a = advice(&p);
    assert!(a.contains("delete n$actions[Notice::ACTION_DROP]"), "{a}");

    let log = drop.replace(",\"Notice::ACTION_DROP\"", "");
    let p = one_port(
        8443,
        "pcsync-https",
        "unresponsive",
        "zeek/notice.log",
        &log,
        "zeek_notice",
    );
    assert_eq!(p["verdict"], "unexplained", "{p:#}");
    assert!(
        p["explanation"].as_str().unwrap().contains("alert only"),
        "{p:#}"
    );
}

#[test]
fn a_bare_fortigate_deny_and_ips_drop_each_explain_a_port_in_fortios_terms() {
    let log = format!(
        "<189>date=2026-11-20 time=03:13:44 devname=\"fw01\" devid=\"FGT60E0000000001\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" eventtime={}000000000 tz=\"+0100\" srcip=203.0.113.5 srcport=40000 srcintf=\"wan1\" srcintfrole=\"wan\" dstip=192.0.2.10 dstport=443 dstintf=\"internal\" dstintfrole=\"lan\" sessionid=1 proto=6 action=\"deny\" policyid=7 policytype=\"policy\" policyname=\"block-scanners\" service=\"HTTPS\"\n\
         <185>date=2026-11-20 time=03:14:00 devname=\"fw01\" devid=\"FGT60E0000000001\" logid=\"0419016384\" type=\"utm\" subtype=\"ips\" eventtype=\"signature\" level=\"alert\" vd=\"root\" tz=\"+0100\" severity=\"high\" srcip=203.0.113.5 srcintf=\"wan1\" dstip=192.0.2.10 dstintf=\"internal\" srcport=40001 dstport=22 proto=6 action=\"dropped\" profile=\"default\" attack=\"SSH.Connection.Brute.Force\" attackid=19322\n",
        t(2, 13, 44)
    );
    let report = ssh_and_https(&[("fortigate.log", &log)]);
    let facts = port_facts(&report);
    assert_eq!(
        facts,
        vec![
            (
                "192.0.2.10".to_string(),
                22,
                "blocked".to_string(),
                "ips_block".to_string(),
                vec!["./fortigate.log:2".to_string()]
            ),
            (
                "192.0.2.10".to_string(),
                443,
                "blocked".to_string(),
                "firewall_drop".to_string(),
                vec!["./fortigate.log:1".to_string()]
            ),
        ],
        "{report:#}"
    );
    let ports = report["ports"].as_array().unwrap();
    let a22 = advice(&ports[0]);
    assert!(
        a22.contains("`config ips sensor`, `edit \"default\"`"),
        "{a22}"
    );
    assert!(
        a22.contains("`set src-ip 203.0.113.5 255.255.255.255`"),
        "{a22}"
    );
    let a443 = advice(&ports[1]);
    assert!(
        a443.contains("`set srcintf \"wan1\"`, `set dstintf \"internal\"`"),
        "{a443}"
    );
    assert!(a443.contains("`move NEW-ID before 7`"), "{a443}");
    assert_eq!(ports[1]["evidence"][0]["time"], "2026-11-20T02:13:44Z");
    assert_eq!(ports[0]["evidence"][0]["time"], "2026-11-20T02:14:00Z");
}

#[test]
fn rate_limits_and_overload_of_nginx_and_sshd_explain_their_ports() {
    let log = "Nov 20 02:13:44 web10 nginx: 2026/11/20 02:13:44 [error] 1234#1234: *5678 limiting requests, excess: 10.500 by zone \"one\", client: 203.0.113.5, server: example.com, request: \"GET / HTTP/1.1\", host: \"192.0.2.10\"\n\
               Nov 20 02:14:00 web10 sshd[620]: error: beginning MaxStartups throttling\n";
    let report = ssh_and_https(&[("web10/syslog", log)]);
    let facts = port_facts(&report);
    assert_eq!(
        facts,
        vec![
            (
                "192.0.2.10".to_string(),
                22,
                "blocked".to_string(),
                "host_overload".to_string(),
                vec!["./web10/syslog:2".to_string()]
            ),
            (
                "192.0.2.10".to_string(),
                443,
                "blocked".to_string(),
                "rate_limit".to_string(),
                vec!["./web10/syslog:1".to_string()]
            ),
        ],
        "{report:#}"
    );
    let ports = report["ports"].as_array().unwrap();
    let a22 = advice(&ports[0]);
    assert!(a22.contains("MaxStartups 100:30:200"), "{a22}");
    let a443 = advice(&ports[1]);
    assert!(
        a443.contains("`geo $limited { default 1; 203.0.113.5 0; }`"),
        "{a443}"
    );
    assert!(a443.contains("Lower max_checks"), "{a443}");
}

#[test]
fn a_pretty_printed_crowdsec_decision_list_bans_the_scanner_host_wide() {
    let log = "[\n  {\n    \"created_at\": \"2026-11-20T02:10:08Z\",\n    \"machine_id\": \"web10\",\n    \"scenario\": \"crowdsecurity/http-probing\",\n    \"scenario_hash\": \"0a1b\",\n    \"decisions\": [\n      {\n        \"duration\": \"4h\",\n        \"origin\": \"crowdsec\",\n        \"scenario\": \"crowdsecurity/http-probing\",\n        \"scope\": \"Ip\",\n        \"type\": \"ban\",\n        \"value\": \"203.0.113.5\"\n      }\n    ]\n  }\n]\n";
    let p = one_port(
        8080,
        "www",
        "unresponsive",
        "web10/decisions.json",
        log,
        "crowdsec_json",
    );
    explained(&p, "blocked", "ban", 17);
    let a = advice(&p);
    assert!(a.contains("cscli decisions delete --ip 203.0.113.5"), "{a}");
}

#[test]
fn a_leef_firewall_deny_explains_a_port_naming_its_vendor() {
    let log = "Nov 20 02:13:44 fw01 LEEF:2.0|Example|EdgeWall|3.1|Connection Denied|^|src=203.0.113.5^dst=192.0.2.10^srcPort=40000^dstPort=993^proto=TCP^action=deny\n";
    let p = one_port(993, "imap", "unresponsive", "fw01/leef.log", log, "syslog");
    explained(&p, "blocked", "firewall_drop", 1);
    assert_eq!(p["evidence"][0]["observer"], "leef", "{p:#}");
    let a = advice(&p);
    assert!(
        a.contains("Example EdgeWall (the device that wrote the SIEM record)"),
        "{a}"
    );
}

#[test]
fn ecs_exports_and_wazuh_alerts_each_explain_a_port() {
    let ecs = "{\"@timestamp\":\"2026-11-20T02:13:44.000Z\",\"event\":{\"category\":[\"network\"],\"type\":[\"connection\",\"denied\"],\"action\":\"drop\"},\"source\":{\"ip\":\"203.0.113.5\",\"port\":40000},\"destination\":{\"ip\":\"192.0.2.10\",\"port\":443},\"network\":{\"transport\":\"tcp\"},\"observer\":{\"vendor\":\"Example\",\"product\":\"EdgeWall\",\"type\":\"firewall\"},\"rule\":{\"name\":\"deny-scanners\"}}\n";
    let p = one_port(
        443,
        "www",
        "unresponsive",
        "export/ecs.ndjson",
        ecs,
        "ecs_json",
    );
    assert_eq!(
        (p["verdict"].as_str(), p["cause"].as_str()),
        (Some("blocked"), Some("firewall_drop")),
        "{p:#}"
    );
    assert_eq!(p["evidence"][0]["line"], 1, "{p:#}");
    assert!(
        advice(&p).contains("Example EdgeWall (exported as ECS)"),
        "{p:#}"
    );

    let wazuh = "{\"timestamp\":\"2026-11-20T02:05:00.000+0000\",\"rule\":{\"level\":5,\"id\":\"5710\",\"description\":\"sshd: Attempt to login using a non-existent user\"},\"agent\":{\"id\":\"001\",\"name\":\"web10\"},\"manager\":{\"name\":\"wazuh\"},\"data\":{\"srcip\":\"203.0.113.5\"}}\n\
                 {\"timestamp\":\"2026-11-20T02:10:08.123+0000\",\"rule\":{\"level\":3,\"description\":\"Host Blocked by firewall-drop Active Response\",\"id\":\"651\",\"groups\":[\"ossec\",\"active_response\"]},\"agent\":{\"id\":\"001\",\"name\":\"web10\"},\"manager\":{\"name\":\"wazuh\"},\"decoder\":{\"name\":\"ar_log_json\"},\"data\":{\"srcip\":\"203.0.113.5\",\"command\":\"add\"},\"location\":\"/var/ossec/logs/active-responses.log\"}\n";
    let p = one_port(
        3306,
        "mysql",
        "unresponsive",
        "wazuh/alerts.json",
        wazuh,
        "wazuh_alerts",
    );
    assert_eq!(
        (p["verdict"].as_str(), p["cause"].as_str()),
        (Some("blocked"), Some("ban")),
        "{p:#}"
    );
    assert_eq!(p["evidence"][0]["line"], 2, "{p:#}");
    assert!(advice(&p).contains("<white_list>"), "{p:#}");
}

#[test]
fn a_pf_block_read_with_tcpdump_explains_a_port_in_pf_conf_terms() {
    let log = "Nov 20 02:12:00.000001 rule 1/(match) pass in on em0: 192.0.2.99.50000 > 192.0.2.10.25: S 1:1(0) win 65535\n\
               Nov 20 02:13:44.123456 rule 3/(match) block in on em0: 203.0.113.5.40000 > 192.0.2.10.25: S 1234:1234(0) win 65535 <mss 1460>\n";
    let p = one_port(
        25,
        "smtp",
        "unresponsive",
        "fw01/pflog.txt",
        log,
        "pf_tcpdump",
    );
    explained(&p, "blocked", "firewall_drop", 2);
    let a = advice(&p);
    assert!(
        a.contains("`pass in quick on em0 proto tcp from 203.0.113.5 to 192.0.2.10 port 25`"),
        "{a}"
    );
    assert!(!a.contains("iptables"), "{a}");
}

#[test]
fn a_snort_alert_full_drop_record_explains_ssh() {
    let log = "[**] [1:1000006:0] TCP connection [**]\n[Priority: 0] \n11/20-02:12:00.000001 192.0.2.99:50000 -> 192.0.2.10:22\nTCP TTL:64 TOS:0x0 ID:1 IpLen:20 DgmLen:60 DF\n\n[Drop] [**] [1:2001219:20] ET SCAN Potential SSH Scan [**]\n[Classification: Attempted Information Leak] [Priority: 2] \n11/20-02:13:44.100000 203.0.113.5:40000 -> 192.0.2.10:22\nTCP TTL:64 TOS:0x0 ID:2 IpLen:20 DgmLen:60 DF\n******S* Seq: 0x1  Ack: 0x0  Win: 0xFAF0  TcpLen: 40\n";
    let p = one_port(22, "ssh", "unresponsive", "ids03/alert", log, "snort_full");
    explained(&p, "blocked", "ips_block", 8);
    assert!(advice(&p).contains("Snort 2 threshold.conf"), "{p:#}");
}

#[test]
fn a_sophos_denied_rule_explains_https() {
    let log = "<30>device=\"SFW\" date=2026-11-19 time=18:13:44 timezone=\"PST\" device_name=\"XG135\" device_id=C1B0A6JC7TCVBEA log_id=010101600001 log_type=\"Firewall\" log_component=\"Firewall Rule\" log_subtype=\"Denied\" status=\"Deny\" priority=Information fw_rule_id=8 fw_rule_name=\"Drop scanners\" src_ip=203.0.113.5 dst_ip=192.0.2.10 protocol=\"TCP\" src_port=40000 dst_port=443\n";
    let p = one_port(443, "www", "unresponsive", "xg/syslog.log", log, "syslog");
    explained(&p, "blocked", "firewall_drop", 1);
    assert_eq!(p["evidence"][0]["time"], "2026-11-20T02:13:44Z", "{p:#}");
    assert!(
        advice(&p).contains("above rule 8 (Drop scanners), which denied it"),
        "{p:#}"
    );
}

#[test]
fn a_check_point_log_exporter_drop_explains_ssh_in_smartconsole_terms() {
    let log = "<134>1 2026-11-20T02:13:44Z cp-gw-01 CheckPoint 26045 - [action:\"Drop\"; flags:\"411908\"; ifdir:\"inbound\"; ifname:\"eth1\"; origin:\"192.0.2.1\"; product:\"VPN-1 & FireWall-1\"; proto:\"6\"; rule_name:\"Cleanup rule\"; layer_name:\"Network\"; s_port:\"40000\"; service:\"22\"; src:\"203.0.113.5\"; dst:\"192.0.2.10\"]\n";
    let p = one_port(22, "ssh", "unresponsive", "cp/cp.log", log, "syslog");
    explained(&p, "blocked", "firewall_drop", 1);
    assert_eq!(p["evidence"][0]["observer"], "checkpoint", "{p:#}");
    assert!(
        advice(&p).contains("an access rule above 'Cleanup rule (layer Network)'"),
        "{p:#}"
    );
}
