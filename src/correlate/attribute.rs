//! Host attribution: which scanned host an event happened on (DESIGN.md step 6). Order: the
//! `--config` source → host mapping; the line's own host field when it names a scanned host; the
//! destination address of a network event; a directory or file-name component of the source path;
//! the only scanned host when there is just one.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;

use portmortem_parsers::Event;

use crate::config::{GlobRule, first_match};

/// How an event's host was decided (said in explanations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Config,
    HostField,
    Destination,
    Path,
    OnlyHost,
}

impl How {
    pub fn describe(self) -> &'static str {
        match self {
            How::Config => "the --config source mapping",
            How::HostField => "the log line's host name",
            How::Destination => "the destination address",
            How::Path => "the log file's path",
            How::OnlyHost => "being the only scanned host",
        }
    }
}

/// A scanned host, as attribution sees it.
#[derive(Debug, Clone)]
pub struct Target {
    /// IP text or name: the key ports refer to.
    pub key: String,
    pub ip: Option<IpAddr>,
    /// Lower-case names: FQDNs, short names, NetBIOS, aliases, the IP text.
    pub names: Vec<String>,
}

/// All scanned hosts with affected ports, plus the lookup tables.
#[derive(Debug, Clone)]
pub struct Targets {
    pub hosts: Vec<Target>,
    by_name: BTreeMap<String, usize>,
    by_ip: BTreeMap<IpAddr, usize>,
}

fn short(name: &str) -> &str {
    if name.parse::<IpAddr>().is_ok() {
        return name;
    }
    name.split('.').next().unwrap_or(name)
}

impl Targets {
    pub fn new(hosts: Vec<Target>, aliases: &BTreeMap<String, String>) -> Self {
        let mut t = Targets {
            hosts,
            by_name: BTreeMap::new(),
            by_ip: BTreeMap::new(),
        };
        for (i, h) in t.hosts.iter_mut().enumerate() {
            let mut names: Vec<String> = Vec::new();
            for n in &h.names {
                let n = n.to_ascii_lowercase();
                let s = short(&n).to_string();
                names.push(n);
                names.push(s);
            }
            if let Some(ip) = h.ip {
                let ip = ip.to_canonical();
                names.push(ip.to_string());
                t.by_ip.insert(ip, i);
            }
            names.sort();
            names.dedup();
            h.names = names;
        }
        for (alias, host) in aliases {
            if let Some(i) = t.find(host) {
                let a = alias.to_ascii_lowercase();
                t.hosts[i].names.push(a);
            }
        }
        for (i, h) in t.hosts.iter().enumerate() {
            for n in &h.names {
                t.by_name.entry(n.clone()).or_insert(i);
            }
        }
        t
    }

    /// The target a host name or address names, if any.
    pub fn find(&self, name: &str) -> Option<usize> {
        // A host field may be an address in any textual form: `[2001:db8::10]`, `::ffff:192.0.2.10`.
        if let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            return self.by_ip.get(&ip.to_canonical()).copied();
        }
        let n = name.to_ascii_lowercase();
        self.by_name
            .get(&n)
            .or_else(|| self.by_name.get(short(&n)))
            .copied()
    }

    pub fn by_ip(&self, ip: IpAddr) -> Option<usize> {
        self.by_ip.get(&ip.to_canonical()).copied()
    }

    /// A path component naming a host: `web01/var/log/syslog`, `bastion01-fail2ban.log`,
    /// `192.0.2.10/kern.log`. Names shorter than 3 characters are not trusted.
    pub fn named_in_path(&self, display: &str) -> Option<usize> {
        // Archive members are `archive.tar.gz!web01/var/log/syslog`: the member path counts too.
        let display = display.replace('!', "/");
        for comp in Path::new(&display).components().rev() {
            let c = comp.as_os_str().to_string_lossy().to_ascii_lowercase();
            for (i, h) in self.hosts.iter().enumerate() {
                for n in &h.names {
                    if n.len() < 3 {
                        continue;
                    }
                    if c == *n
                        || c.strip_prefix(n.as_str())
                            .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
                    {
                        return Some(i);
                    }
                }
            }
        }
        None
    }
}

/// Per-source attribution facts computed once.
#[derive(Debug, Clone, Copy)]
pub struct SourceHost {
    pub config: Option<usize>,
    pub path: Option<usize>,
    /// The source's lines name more than one host: a central log server's file, where a host
    /// field that names no scanned host is some other machine, not the only scanned host.
    pub many_hosts: bool,
}

impl SourceHost {
    pub fn new(
        targets: &Targets,
        display: &str,
        rules: &[GlobRule<String>],
        hostnames: &BTreeSet<String>,
    ) -> Self {
        SourceHost {
            config: first_match(rules, display).and_then(|r| targets.find(&r.value)),
            path: targets.named_in_path(display),
            many_hosts: hostnames.len() > 1,
        }
    }
}

/// Attribute one event.
pub fn attribute(targets: &Targets, src: SourceHost, ev: &Event) -> Option<(usize, How)> {
    if let Some(i) = src.config {
        return Some((i, How::Config));
    }
    if let Some(i) = ev.host.as_deref().and_then(|h| targets.find(h)) {
        return Some((i, How::HostField));
    }
    if let Some(i) = ev.kind.destination().and_then(|ip| targets.by_ip(ip)) {
        return Some((i, How::Destination));
    }
    if let Some(i) = src.path {
        return Some((i, How::Path));
    }
    // One scanned host: a line without a host field, or from a single-host file (whose host field
    // may be a name the scan does not know), is that host's. A multi-host file's other names are not.
    if targets.hosts.len() == 1 && (ev.host.is_none() || !src.many_hosts) {
        return Some((0, How::OnlyHost));
    }
    None
}
