//! Which service (unit family) serves a port on a host. First match wins: `--config [services]`; a
//! "listening on … port N" line of that host; the default port of a unit seen on that host; the scan's
//! `svc_name` family. The first two are explicit, the last two inferred; a unit whose own default
//! port is the affected port outranks a family guess from the scan's `svc_name` (an nginx stop does
//! not explain tomcat's 8080 because the scan called it `www`), and a mapping by `svc_name` alone is
//! the weakest ([`MappingHow::strength`]).

use std::collections::{BTreeMap, BTreeSet};

/// How the port → service mapping was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingHow {
    Config,
    Listening,
    DefaultPort,
    SvcName,
}

impl MappingHow {
    pub fn explicit(self) -> bool {
        matches!(self, MappingHow::Config | MappingHow::Listening)
    }
    /// How strongly a stop of the mapped unit shows the port's cause: a unit known to serve the
    /// port (config, listening line) 85; a unit seen on the host whose own default port it is 70;
    /// a unit only in the family the scan's `svc_name` suggests 60 (low confidence at best).
    pub fn strength(self) -> i32 {
        match self {
            _ if self.explicit() => 85,
            MappingHow::DefaultPort => 70,
            _ => 60,
        }
    }
    pub fn describe(self) -> &'static str {
        match self {
            MappingHow::Config => "the --config service map",
            MappingHow::Listening => "the service's own \"listening on\" line",
            MappingHow::DefaultPort => "the service's default port",
            MappingHow::SvcName => "the service name the scan saw on the port",
        }
    }
}

/// The services that may serve a port.
#[derive(Debug, Clone)]
pub struct PortService {
    /// Unit families (see [`family`]).
    pub families: BTreeSet<String>,
    pub how: MappingHow,
}

/// Canonical family of a unit or process name: `sshd`/`ssh`/`openssh-server` → `ssh`,
/// `httpd`/`apache2` → `apache`, `mysqld`/`mariadb` → `mysql`, `postgresql@15-main` → `postgresql`.
pub fn family(unit: &str) -> String {
    let u = unit.trim().to_ascii_lowercase();
    let u = u.strip_suffix(".service").unwrap_or(&u);
    let u = u.split('@').next().unwrap_or(u);
    let f = match u {
        "ssh" | "sshd" | "openssh" | "openssh-server" | "opensshd" => "ssh",
        "apache" | "apache2" | "httpd" | "apache-httpd" => "apache",
        "nginx" | "openresty" => "nginx",
        "mysql" | "mysqld" | "mariadb" | "mariadbd" | "mysql-server" => "mysql",
        "postgresql" | "postgres" | "postmaster" => "postgresql",
        "named" | "bind9" | "bind" => "named",
        "redis" | "redis-server" => "redis",
        "mongod" | "mongodb" => "mongod",
        "vsftpd" => "vsftpd",
        "proftpd" => "proftpd",
        "postfix" | "master" => "postfix",
        "dovecot" => "dovecot",
        "smbd" | "smb" | "samba" => "smbd",
        "xrdp" => "xrdp",
        "squid" => "squid",
        "haproxy" => "haproxy",
        "lighttpd" => "lighttpd",
        "caddy" => "caddy",
        "memcached" => "memcached",
        "elasticsearch" => "elasticsearch",
        "rabbitmq-server" | "rabbitmq" | "beam.smp" => "rabbitmq",
        "snmpd" => "snmpd",
        "exim" | "exim4" => "exim",
        // Windows services by display or service (key) name: SCM 7036 names the display name,
        // its binary data (and 7040, sc.exe) the key name.
        "remote desktop services" | "termservice" => "rdp",
        "world wide web publishing service"
        | "w3svc"
        | "iis admin service"
        | "iisadmin"
        | "windows process activation service"
        | "was" => "iis",
        "remote procedure call (rpc)" | "rpcss" => "rpcss",
        "windows remote management (ws-management)" | "winrm" => "winrm",
        "dns server" | "dns" => "named",
        "openssh ssh server" => "ssh",
        "server" | "lanmanserver" => "smbd",
        "microsoft ftp service" | "ftpsvc" | "msftpsvc" => "iis-ftp",
        "simple mail transfer protocol (smtp)" | "smtpsvc" => "iis-smtp",
        "sql server browser" | "sqlbrowser" => "sqlbrowser",
        "snmp service" | "snmp" => "snmpd",
        "remote access auto connection manager" => "rasauto",
        other if other.starts_with("sql server (") || other == "mssqlserver" => "mssql",
        other if other.starts_with("mssql$") => "mssql",
        other if other.starts_with("microsoft exchange") || other.starts_with("msexchange") => {
            "exchange"
        }
        other if other.starts_with("tomcat") => "tomcat",
        other if other.starts_with("php") && other.contains("fpm") => "php-fpm",
        other => other,
    };
    f.to_string()
}

/// Default ports of a unit family.
pub fn default_ports(family: &str) -> &'static [u16] {
    match family {
        "ssh" => &[22],
        "nginx" | "apache" | "lighttpd" | "caddy" | "haproxy" => &[80, 443],
        "tomcat" => &[8080, 8443, 8009],
        "mysql" => &[3306],
        "postgresql" => &[5432],
        "redis" => &[6379],
        "mongod" => &[27017],
        "vsftpd" | "proftpd" => &[21],
        "postfix" | "exim" => &[25, 465, 587],
        "dovecot" => &[110, 143, 993, 995],
        "named" => &[53],
        "smbd" => &[139, 445],
        "xrdp" | "rdp" => &[3389],
        "iis" => &[80, 443],
        "rpcss" => &[135],
        "winrm" => &[5985, 5986],
        "mssql" => &[1433],
        "sqlbrowser" => &[1434],
        "iis-ftp" => &[21],
        "iis-smtp" => &[25],
        "exchange" => &[25, 443, 587, 993, 995, 110, 143],
        "squid" => &[3128],
        "memcached" => &[11211],
        "elasticsearch" => &[9200, 9300],
        "rabbitmq" => &[5672],
        "snmpd" => &[161],
        _ => &[],
    }
}

/// Unit families a Nessus `svc_name` suggests.
pub fn svc_families(svc: &str) -> &'static [&'static str] {
    match svc.trim_end_matches('?') {
        "www" | "http" | "https" | "http-alt" | "http_proxy" => &[
            "nginx", "apache", "tomcat", "lighttpd", "caddy", "haproxy", "iis",
        ],
        "ssh" => &["ssh"],
        "mysql" => &["mysql"],
        "postgresql" => &["postgresql"],
        "smtp" => &["postfix", "exim", "exchange", "iis-smtp"],
        "ftp" => &["vsftpd", "proftpd", "iis-ftp"],
        "dns" | "domain" => &["named"],
        "pop3" | "imap" => &["dovecot"],
        "msrdp" => &["xrdp", "rdp"],
        "epmap" | "msrpc" => &["rpcss"],
        "mssql" => &["mssql"],
        "redis" => &["redis"],
        "mongodb" => &["mongod"],
        "cifs" | "smb" => &["smbd"],
        _ => &[],
    }
}

/// The ports a fail2ban jail blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JailPorts {
    /// The service's ports (from [`default_ports`]).
    Ports(Vec<u16>),
    /// Every port: `recidive`, `*-allports` actions, and every ban that is not fail2ban's.
    All,
    /// A jail whose name says no service we know: treated as host-wide, with less confidence.
    Unknown,
}

/// Words of jail names that are no unit family but name one (fail2ban's stock jails: `php-url-fopen`,
/// `postfix-sasl`, `pure-ftpd`, `nginx-http-auth`, `roundcube-auth`, `wordpress`).
const JAIL_WORDS: &[(&str, &str)] = &[
    ("http", "apache"),
    ("https", "apache"),
    ("php", "apache"),
    ("wordpress", "apache"),
    ("roundcube", "apache"),
    ("phpmyadmin", "apache"),
    ("sasl", "postfix"),
    ("smtp", "postfix"),
    ("ftp", "vsftpd"),
    ("ftpd", "vsftpd"),
    ("imap", "dovecot"),
    ("pop3", "dovecot"),
    ("dropbear", "ssh"),
];

/// Which ports the fail2ban jail `jail` blocks, from the one service → port table: the first word
/// of the jail's name (split at `-`/`_`) that names a unit family with default ports decides
/// (`sshd` → ssh → 22, `nginx-http-auth` → nginx → 80/443, `mysqld-auth` → mysql → 3306,
/// `postfix-sasl` → 25/465/587, `dovecot` → 110/143/993/995). `recidive` and `…allports…` block
/// every port.
pub fn jail_ports(jail: &str) -> JailPorts {
    let j = jail.trim().to_ascii_lowercase();
    if j.contains("recidive") || j.contains("allports") || j.contains("all-ports") {
        return JailPorts::All;
    }
    for word in j.split(['-', '_', '.', ' ']).filter(|w| !w.is_empty()) {
        let fam = JAIL_WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .map_or_else(|| family(word), |(_, f)| f.to_string());
        let ports = default_ports(&fam);
        if !ports.is_empty() {
            return JailPorts::Ports(ports.to_vec());
        }
    }
    JailPorts::Unknown
}

/// What is known on one host: listening announcements and units seen.
#[derive(Debug, Default, Clone)]
pub struct HostServices {
    /// port → families announced as listening there.
    pub listening: BTreeMap<u16, BTreeSet<String>>,
    /// Families of units with any lifecycle event on the host.
    pub units_seen: BTreeSet<String>,
}

/// Decide the families serving `port` on a host.
pub fn port_service(
    config: &BTreeMap<String, String>,
    host_names: &[String],
    host_key: &str,
    port: u16,
    svc_name: Option<&str>,
    known: &HostServices,
) -> Option<PortService> {
    let port_s = port.to_string();
    let mut keys: Vec<String> = vec![format!("{host_key}:{port}")];
    keys.extend(host_names.iter().map(|n| format!("{n}:{port}")));
    keys.push(port_s);
    for k in &keys {
        if let Some(u) = config
            .iter()
            .find(|(ck, _)| ck.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
        {
            return Some(PortService {
                families: [family(u)].into(),
                how: MappingHow::Config,
            });
        }
    }
    if let Some(f) = known.listening.get(&port) {
        return Some(PortService {
            families: f.clone(),
            how: MappingHow::Listening,
        });
    }
    let by_default: BTreeSet<String> = known
        .units_seen
        .iter()
        .filter(|f| default_ports(f).contains(&port))
        .cloned()
        .collect();
    if !by_default.is_empty() {
        return Some(PortService {
            families: by_default,
            how: MappingHow::DefaultPort,
        });
    }
    let by_svc: BTreeSet<String> = svc_name
        .map(svc_families)
        .unwrap_or(&[])
        .iter()
        .map(|s| s.to_string())
        .collect();
    if !by_svc.is_empty() {
        return Some(PortService {
            families: by_svc,
            how: MappingHow::SvcName,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family("sshd.service"), "ssh");
        assert_eq!(family("postgresql@15-main"), "postgresql");
        assert_eq!(family("mysqld"), "mysql");
        assert_eq!(family("tomcat9"), "tomcat");
        assert_eq!(family("Apache2"), "apache");
    }

    #[test]
    fn jail_ports_come_from_the_service_table() {
        let p = |j: &str| jail_ports(j);
        assert_eq!(p("sshd"), JailPorts::Ports(vec![22]));
        assert_eq!(p("sshd-ddos"), JailPorts::Ports(vec![22]));
        assert_eq!(p("selinux-ssh"), JailPorts::Ports(vec![22]));
        assert_eq!(p("nginx-http-auth"), JailPorts::Ports(vec![80, 443]));
        assert_eq!(p("apache-auth"), JailPorts::Ports(vec![80, 443]));
        assert_eq!(p("php-url-fopen"), JailPorts::Ports(vec![80, 443]));
        assert_eq!(p("postfix"), JailPorts::Ports(vec![25, 465, 587]));
        assert_eq!(p("postfix-sasl"), JailPorts::Ports(vec![25, 465, 587]));
        assert_eq!(p("exim-spam"), JailPorts::Ports(vec![25, 465, 587]));
        assert_eq!(p("dovecot"), JailPorts::Ports(vec![110, 143, 993, 995]));
        assert_eq!(p("vsftpd"), JailPorts::Ports(vec![21]));
        assert_eq!(p("pure-ftpd"), JailPorts::Ports(vec![21]));
        assert_eq!(p("mysqld-auth"), JailPorts::Ports(vec![3306]));
        assert_eq!(p("postgresql"), JailPorts::Ports(vec![5432]));
        assert_eq!(p("tomcat-auth"), JailPorts::Ports(vec![8080, 8443, 8009]));
        assert_eq!(p("recidive"), JailPorts::All);
        assert_eq!(p("sshd-allports"), JailPorts::All);
        assert_eq!(p("pam-generic"), JailPorts::Unknown);
        assert_eq!(p(""), JailPorts::Unknown);
        // Every jail port is a default port of some family: one table, not two.
        for j in ["sshd", "nginx-http-auth", "dovecot", "mysqld-auth"] {
            let JailPorts::Ports(ports) = p(j) else {
                panic!("{j}")
            };
            assert!(ports.iter().all(|port| {
                ["ssh", "nginx", "dovecot", "mysql"]
                    .iter()
                    .any(|f| default_ports(f).contains(port))
            }));
        }
    }

    #[test]
    fn first_match_wins() {
        let mut known = HostServices::default();
        known.units_seen.insert("nginx".into());
        let cfg = BTreeMap::new();
        let ps = port_service(&cfg, &[], "192.0.2.10", 443, Some("www"), &known).unwrap();
        assert_eq!(ps.how, MappingHow::DefaultPort);
        known.listening.insert(443, ["apache".to_string()].into());
        let ps = port_service(&cfg, &[], "192.0.2.10", 443, Some("www"), &known).unwrap();
        assert_eq!(ps.how, MappingHow::Listening);
        assert!(ps.families.contains("apache"));
        let cfg: BTreeMap<String, String> =
            [("192.0.2.10:443".to_string(), "tomcat9".to_string())].into();
        let ps = port_service(&cfg, &[], "192.0.2.10", 443, Some("www"), &known).unwrap();
        assert_eq!(ps.how, MappingHow::Config);
        assert!(ps.families.contains("tomcat"));
        let ps = port_service(
            &BTreeMap::new(),
            &[],
            "h",
            8081,
            Some("www"),
            &HostServices::default(),
        )
        .unwrap();
        assert_eq!(ps.how, MappingHow::SvcName);
        assert!(
            port_service(
                &BTreeMap::new(),
                &[],
                "h",
                9999,
                None,
                &HostServices::default()
            )
            .is_none()
        );
    }

    #[test]
    fn a_units_own_default_port_outranks_the_scans_service_name() {
        let cfg = BTreeMap::new();
        let mut known = HostServices::default();
        known.units_seen.insert("nginx".into());
        known.units_seen.insert("tomcat".into());
        // Scan: 8080 `www`. Tomcat serves 8080 by default, nginx does not: tomcat only.
        let ps = port_service(&cfg, &[], "h", 8080, Some("www"), &known).unwrap();
        assert_eq!(ps.how, MappingHow::DefaultPort);
        assert_eq!(ps.families, ["tomcat".to_string()].into());
        let ps = port_service(&cfg, &[], "h", 443, Some("www"), &known).unwrap();
        assert_eq!(ps.how, MappingHow::DefaultPort);
        assert_eq!(ps.families, ["nginx".to_string()].into());
        // Only nginx seen: 8080 falls to the scan's service name, the weakest rule.
        known.units_seen.remove("tomcat");
        let ps = port_service(&cfg, &[], "h", 8080, Some("www"), &known).unwrap();
        assert_eq!(ps.how, MappingHow::SvcName);
        assert!(ps.families.contains("nginx"));
        // nginx announced listening on 8080: explicit, whatever the default table says.
        known.listening.insert(8080, ["nginx".to_string()].into());
        let ps = port_service(&cfg, &[], "h", 8080, Some("www"), &known).unwrap();
        assert_eq!(ps.how, MappingHow::Listening);
        assert_eq!(ps.families, ["nginx".to_string()].into());
    }

    #[test]
    fn strength_follows_the_rule_order() {
        use MappingHow::*;
        assert_eq!(Config.strength(), 85);
        assert_eq!(Listening.strength(), 85);
        assert_eq!(DefaultPort.strength(), 70);
        assert_eq!(SvcName.strength(), 60);
        assert!(DefaultPort.strength() > SvcName.strength());
    }
}
