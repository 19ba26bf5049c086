//! The commands of each control that can let a scanner through, in its own syntax: UFW,
//! firewalld, iptables/nftables, Cisco ASA access lists, pfSense pass rules, PAN-OS security rules,
//! Junos policies, and the names (zones, interfaces) they need, read from the logged line. Which
//! control to address is [`super::advice`]'s choice.

use std::net::IpAddr;

use portmortem_parsers::Proto;

use crate::scan::PortCase;

/// Which netfilter front end wrote a log prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Netfilter {
    /// `[UFW BLOCK]`, `[UFW LIMIT BLOCK]`.
    Ufw,
    /// firewalld's `LogDenied` prefixes: `filter_IN_<zone>_REJECT`/`_DROP` (nftables),
    /// `IN_<zone>_DROP` (iptables backend), `FINAL_REJECT`, `STATE_INVALID_DROP`.
    Firewalld { zone: Option<String>, invalid: bool },
    /// Anything else: a hand-written iptables/nftables `LOG` rule.
    Plain,
}

pub(super) fn netfilter_flavour(rule: Option<&str>) -> Netfilter {
    let r = rule
        .unwrap_or_default()
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ':'));
    let up = r.to_ascii_uppercase();
    if up.starts_with("UFW ") && up.contains("BLOCK") {
        return Netfilter::Ufw;
    }
    if r == "FINAL_REJECT" || r == "FINAL_DROP" {
        return Netfilter::Firewalld {
            zone: None,
            invalid: false,
        };
    }
    if r.starts_with("STATE_INVALID") {
        return Netfilter::Firewalld {
            zone: None,
            invalid: true,
        };
    }
    let body = r.strip_prefix("filter_").unwrap_or(r);
    let zoned = body
        .strip_prefix("IN_")
        .or_else(|| body.strip_prefix("FWD_"));
    if let Some(rest) = zoned
        && let Some((zone, verdict)) = rest.rsplit_once('_')
        && matches!(verdict, "REJECT" | "DROP" | "DENY")
        && !zone.is_empty()
    {
        return Netfilter::Firewalld {
            zone: Some(zone.to_string()),
            invalid: false,
        };
    }
    Netfilter::Plain
}

pub(super) fn proto_word(case: &PortCase) -> &str {
    match &case.protocol {
        Proto::Udp => "udp",
        _ => "tcp",
    }
}

pub(super) fn ufw_cmd(case: &PortCase, addr: &str) -> String {
    format!(
        "ufw insert 1 allow from {addr} to any port {} proto {}",
        case.port,
        proto_word(case)
    )
}

pub(super) fn iptables_cmd(case: &PortCase, addr: &str, ip: Option<IpAddr>) -> String {
    format!(
        "{} -I INPUT -s {addr} -p {} --dport {} -j ACCEPT",
        if ip.is_some_and(|a| a.is_ipv6()) {
            "ip6tables"
        } else {
            "iptables"
        },
        proto_word(case),
        case.port
    )
}

pub(super) fn netfilter_allow(
    case: &PortCase,
    addr: &str,
    ip: Option<IpAddr>,
    rule: Option<&str>,
) -> String {
    let v6 = ip.is_some_and(|a| a.is_ipv6());
    match netfilter_flavour(rule) {
        Netfilter::Ufw => format!("UFW logged it, so `{}`", ufw_cmd(case, addr)),
        Netfilter::Firewalld { zone, invalid } => {
            let family = if v6 { "ipv6" } else { "ipv4" };
            let zone_opt = zone
                .as_deref()
                .map(|z| format!(" --zone={z}"))
                .unwrap_or_default();
            let mut s = format!(
                "firewalld logged it{}, so `firewall-cmd --permanent{zone_opt} --add-rich-rule='rule family=\"{family}\" source address=\"{addr}\" accept'` and `firewall-cmd --reload` (or put the scanner in the trusted zone: `firewall-cmd --permanent --zone=trusted --add-source={addr}`)",
                zone.as_deref()
                    .map(|z| format!(" in zone '{z}'"))
                    .unwrap_or_else(|| {
                        " (the prefix names no zone: add --zone= for the interface's zone)".into()
                    })
            );
            if invalid {
                s.push_str("; STATE_INVALID_DROP drops packets conntrack cannot place (asymmetric routing, a full or flushed table), before any zone rule: look at those too");
            }
            s
        }
        Netfilter::Plain => format!(
            "insert an accept for it ahead of the rule that logged {}: `{}` (nftables: `nft insert rule inet filter input {} saddr {addr} {} dport {} accept`)",
            rule.map(|r| format!("'{r}'"))
                .unwrap_or_else(|| "the deny".into()),
            iptables_cmd(case, addr, ip),
            if v6 { "ip6" } else { "ip" },
            proto_word(case),
            case.port
        ),
    }
}

pub(super) fn asa_allow(
    case: &PortCase,
    addr: &str,
    dst: Option<IpAddr>,
    acl: Option<&str>,
) -> String {
    let dst = dst.map_or_else(|| case.host.clone(), |d| d.to_string());
    let entry = format!(
        "access-list {} line 1 extended permit {} host {addr} host {dst} eq {}",
        acl.unwrap_or("ACL"),
        proto_word(case),
        case.port
    );
    match acl {
        Some(a) => format!(
            "add an entry for it at the top of access-list '{a}' (the access-group that denied it): `{entry}`"
        ),
        None => format!(
            "add an entry for it at the top of the access-list the ingress interface's access-group applies (`show running-config access-group`): `{entry}`"
        ),
    }
}

/// pfSense/OPNsense filterlog CSV: the interface is two fields before the action (`…,em0,match,block,in,…`).
pub(super) fn pfsense_interface(text: &str) -> Option<&str> {
    let f: Vec<&str> = text.split(',').collect();
    (2..f.len().saturating_sub(1))
        .find(|&k| matches!(f[k], "block" | "reject" | "pass") && matches!(f[k + 1], "in" | "out"))
        .map(|k| f[k - 2].trim())
        .filter(|i| !i.is_empty())
}

pub(super) fn pfsense_allow(
    case: &PortCase,
    addr: &str,
    dst: Option<IpAddr>,
    rule: Option<&str>,
    text: &str,
) -> String {
    let iface = pfsense_interface(text);
    format!(
        "add a pass rule on interface {} (Firewall > Rules, that interface's tab) above the block rule{}, source {addr} (or a firewall alias holding the scanner addresses), destination {} port {}/{}",
        iface.unwrap_or("the one that logged it"),
        rule.map(|r| format!(" ({r})")).unwrap_or_default(),
        dst.map_or_else(|| case.host.clone(), |d| d.to_string()),
        case.port,
        proto_word(case)
    )
}

/// PAN-OS TRAFFIC/THREAT CSV: source and destination zones (fields 16 and 17).
pub(super) fn panos_zones(text: &str) -> (Option<&str>, Option<&str>) {
    let at = text
        .find(",TRAFFIC,")
        .map(|p| p + ",TRAFFIC,".len())
        .or_else(|| text.find(",THREAT,").map(|p| p + ",THREAT,".len()));
    let Some(at) = at else {
        return (None, None);
    };
    // The text after the type starts at field 4.
    let f: Vec<&str> = text[at..].split(',').collect();
    let z = |i: usize| f.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
    (z(12), z(13))
}

pub(super) fn panos_allow(
    case: &PortCase,
    addr: &str,
    dst: Option<IpAddr>,
    rule: Option<&str>,
    text: &str,
) -> String {
    let (from, to) = panos_zones(text);
    let dst = dst.map_or_else(|| case.host.clone(), |d| d.to_string());
    let before = rule
        .map(|r| format!(", `move rulebase security rules allow-scanner before \"{r}\"`"))
        .unwrap_or_default();
    format!(
        "add a security rule allowing it above {}: `set rulebase security rules allow-scanner from {} to {} source {addr} destination {dst} application any service any action allow`{before}, then commit",
        rule.map(|r| format!("the rule '{r}' that denied it"))
            .unwrap_or_else(|| "the rule that denied it".into()),
        from.unwrap_or("any"),
        to.unwrap_or("any"),
    )
}

/// `ADDR/32` (or `/128`).
pub(super) fn host_prefix(addr: &str, ip: Option<IpAddr>) -> String {
    format!(
        "{addr}/{}",
        if ip.is_some_and(|a| a.is_ipv6()) {
            128
        } else {
            32
        }
    )
}

/// Junos from-zone / to-zone of an `RT_FLOW_SESSION_DENY` line: structured-data
/// `source-zone-name="…"`, or the plain form's words after the policy.
pub(super) fn junos_zones(text: &str) -> (Option<&str>, Option<&str>) {
    let sd = |key: &str| {
        let k = format!("{key}=\"");
        let start = text.find(&k)? + k.len();
        let end = start + text[start..].find('"')?;
        Some(&text[start..end]).filter(|s| !s.is_empty())
    };
    if let (Some(f), t) = (sd("source-zone-name"), sd("destination-zone-name")) {
        return (Some(f), t);
    }
    let Some(at) = text.find("session denied ") else {
        return (None, None);
    };
    // FLOW SERVICE PROTO POLICY FROM-ZONE TO-ZONE …
    let mut w = text[at + "session denied ".len()..]
        .split_whitespace()
        .skip(4);
    (w.next(), w.next())
}

/// The zone of a Junos `RT_SCREEN` line (`zone name: untrust,`).
pub(super) fn junos_screen_zone(text: &str) -> Option<&str> {
    let start = text.find("zone name: ")? + "zone name: ".len();
    let rest = &text[start..];
    let end = rest.find(',').unwrap_or(rest.len());
    Some(rest[..end].trim()).filter(|z| !z.is_empty())
}

pub(super) fn junos_allow(
    addr: &str,
    ip: Option<IpAddr>,
    rule: Option<&str>,
    text: &str,
) -> String {
    let (from, to) = junos_zones(text);
    let (policy, global) = match rule {
        Some(r) => match r.strip_suffix("(global)") {
            Some(p) => (Some(p), true),
            None => (Some(r), false),
        },
        None => (None, false),
    };
    let book = format!(
        "`set security address-book global address scanner {}`",
        host_prefix(addr, ip)
    );
    let ctx = if global {
        "global".to_string()
    } else {
        format!(
            "from-zone {} to-zone {}",
            from.unwrap_or("FROM-ZONE"),
            to.unwrap_or("TO-ZONE")
        )
    };
    let insert = policy
        .map(|p| {
            format!(", `insert security policies {ctx} policy allow-scanner before policy {p}`")
        })
        .unwrap_or_default();
    format!(
        "add a security policy permitting it ahead of {}: {book}, `set security policies {ctx} policy allow-scanner match source-address scanner destination-address any application any`, `set security policies {ctx} policy allow-scanner then permit`{insert}, then commit",
        policy
            .map(|p| format!("the deny policy '{p}'"))
            .unwrap_or_else(|| "the policy that denied it".into())
    )
}

/// AWS: a VPC flow log REJECT is a security group (stateful, allow-only) or a network ACL
/// (stateless, numbered rules, deny entries) of the interface the record names; from v11 the
/// `reject-reason` `BPA` names VPC Block Public Access instead.
pub(super) fn aws_vpc_allow(
    case: &PortCase,
    addr: &str,
    ip: Option<IpAddr>,
    rule: Option<&str>,
) -> String {
    let cidr = host_prefix(addr, ip);
    let eni = rule
        .and_then(|r| r.split_whitespace().next())
        .filter(|r| r.starts_with("eni-"));
    if rule.is_some_and(|r| r.contains("(BPA)") || r == "BPA") {
        return format!(
            "VPC Block Public Access rejected it (reject-reason BPA): exclude the VPC or subnet of {} from it (`aws ec2 create-vpc-block-public-access-exclusion --subnet-id SUBNET_ID --internet-gateway-exclusion-mode allow-bidirectional`), or scan from inside the VPC",
            eni.unwrap_or("the interface")
        );
    }
    let (range, proto) = (case.port, proto_word(case));
    let v6 = ip.is_some_and(|a| a.is_ipv6());
    format!(
        "find the security groups and network ACL of {} (`aws ec2 describe-network-interfaces --network-interface-ids {}`), then allow it in the security group (`aws ec2 authorize-security-group-ingress --group-id SG_ID --ip-permissions IpProtocol={proto},FromPort={range},ToPort={range},{}=[{{CidrIp{}={cidr}}}]`) and, if the subnet's network ACL denies it, add an allow entry numbered below that deny (`aws ec2 create-network-acl-entry --network-acl-id ACL_ID --ingress --rule-number 90 --protocol {proto} --port-range From={range},To={range} --{} {cidr} --rule-action allow`)",
        eni.unwrap_or("the interface"),
        eni.unwrap_or("ENI_ID"),
        if v6 { "Ipv6Ranges" } else { "IpRanges" },
        if v6 { "v6" } else { "" },
        if v6 { "ipv6-cidr-block" } else { "cidr-block" },
    )
}

/// Windows Defender Firewall: an inbound allow rule for the scanner. Block rules outrank allow
/// rules there, so an explicit block rule that names the scanner must be changed instead.
pub(super) fn winfw_allow(case: &PortCase, addr: &str) -> String {
    let proto = proto_word(case).to_ascii_uppercase();
    format!(
        "on {}, `New-NetFirewallRule -DisplayName \"Allow vulnerability scanner\" -Direction Inbound -Action Allow -RemoteAddress {addr} -Protocol {proto} -LocalPort {}` (or `netsh advfirewall firewall add rule name=\"Allow vulnerability scanner\" dir=in action=allow remoteip={addr} protocol={proto} localport={}`); an explicit block rule wins over any allow rule in Windows Firewall, so if one matches the scanner (`Get-NetFirewallRule -Action Block -Enabled True`), take the scanner out of its remote addresses instead",
        case.host, case.port, case.port
    )
}

/// The vendor and product a CEF or LEEF record names in its header.
pub(super) fn cef_device(text: &str) -> Option<(String, String)> {
    if let Some((_, rec)) = text.split_once("LEEF:") {
        let l = portmortem_parsers::siem::leef::parse(rec).ok()?;
        return Some((l.vendor.to_string(), l.product.to_string()));
    }
    let rec =
        portmortem_parsers::siem::cef::start(text.split_once("CEF:").map_or(text, |(_, r)| r))
            .or_else(|| portmortem_parsers::siem::cef::start(text))?;
    let c = portmortem_parsers::siem::cef::parse(rec).ok()?;
    Some((c.vendor, c.product))
}

/// A device known only by the CEF it wrote: name it, and say where its exception lives when the
/// vendor is one we know.
pub(super) fn cef_exception(text: &str, addr: &str, ips: bool, sid: Option<u64>) -> String {
    let (vendor, product) =
        cef_device(text).unwrap_or_else(|| ("the vendor".into(), "device".into()));
    let sid = sid.map(|s| format!(" {s}")).unwrap_or_default();
    match (vendor.as_str(), ips) {
        ("Ubiquiti", true) => format!(
            "{vendor} {product} (CEF): add {addr} to the IPS allow list (Settings > Security > Intrusion Prevention > Allow List; older releases: Threat Management > Allow List), or suppress signature{sid} for it"
        ),
        ("Ubiquiti", false) => format!(
            "{vendor} {product} (CEF): a firewall rule allowing {addr} above the one that blocked it (Settings > Security > Firewall / Traffic Rules)"
        ),
        (_, true) => format!(
            "{vendor} {product} (the device that wrote the SIEM record): an IPS exception or allow-list entry for {addr}, or a suppression of signature{sid} for it"
        ),
        (_, false) => format!(
            "{vendor} {product} (the device that wrote the SIEM record): an allow rule for {addr} ahead of the rule that denied it"
        ),
    }
}

/// The RouterOS chain a firewall line names (`… drop-tcp input: in:…` → `input`).
pub(super) fn mikrotik_chain(text: &str) -> Option<&str> {
    let head = &text[..text.find(": in:")?];
    head.rsplit(' ').next().filter(|c| !c.is_empty())
}

pub(super) fn mikrotik_allow(
    case: &PortCase,
    addr: &str,
    ip: Option<IpAddr>,
    text: &str,
) -> String {
    let family = if ip.is_some_and(|a| a.is_ipv6()) {
        "ipv6"
    } else {
        "ip"
    };
    format!(
        "on the RouterOS device, an accept rule for it at the top of chain {chain}: `/{family} firewall filter add chain={chain} src-address={addr} protocol={} dst-port={} action=accept place-before=0 comment=\"vulnerability scanner\"` (or an address list `scanners` accepted ahead of the drop rule)",
        proto_word(case),
        case.port,
        chain = mikrotik_chain(text).unwrap_or("input"),
    )
}

/// Proxmox VE: the chain in the rule (`PVEFW-HOST-IN policy DROP`, `tap101i0-IN REJECT`) says
/// whether the host's or a guest's firewall dropped it, and so which `.fw` file takes the rule.
pub(super) fn proxmox_allow(case: &PortCase, addr: &str, rule: Option<&str>) -> String {
    let chain = rule
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_default();
    let file = match chain
        .strip_prefix("tap")
        .and_then(|t| t.split_once('i'))
        .map(|(vmid, _)| vmid)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
    {
        Some(vmid) => format!("the guest's /etc/pve/firewall/{vmid}.fw"),
        None if chain.starts_with("PVEFW-HOST") => "the node's /etc/pve/nodes/NODE/host.fw".into(),
        None => {
            "/etc/pve/firewall/cluster.fw (or the host.fw / VMID.fw of the chain that logged it)"
                .into()
        }
    };
    format!(
        "in the Proxmox VE firewall, a rule in the [RULES] section of {file}: `IN ACCEPT -source {addr} -p {} -dport {} # vulnerability scanner` above the rules that drop it (or add {addr} to an IPSet such as `[IPSET scanners]` in cluster.fw and accept `+scanners`)",
        proto_word(case),
        case.port
    )
}

/// A FortiOS log field (`srcintf="wan1"`).
fn forti_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    portmortem_parsers::firewall::fortigate::pairs(text)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

pub(super) fn fortigate_allow(
    case: &PortCase,
    addr: &str,
    ip: Option<IpAddr>,
    text: &str,
) -> String {
    let (from, to) = (
        forti_field(text, "srcintf").unwrap_or("SRC-INTF"),
        forti_field(text, "dstintf").unwrap_or("DST-INTF"),
    );
    let policy = forti_field(text, "policyid").filter(|p| *p != "0");
    let subnet = if ip.is_some_and(|a| a.is_ipv6()) {
        format!("config firewall address6`, `edit \"scanner\"`, `set ip6 {addr}/128")
    } else {
        format!("config firewall address`, `edit \"scanner\"`, `set subnet {addr} 255.255.255.255")
    };
    format!(
        "on the FortiGate, `{subnet}`, `end`; then a policy accepting it ahead of {}: `config firewall policy`, `edit 0`, `set srcintf \"{from}\"`, `set dstintf \"{to}\"`, `set srcaddr \"scanner\"`, `set dstaddr \"all\"`, `set service \"ALL\"`, `set schedule \"always\"`, `set action accept`, `next`, `end`{} (port {}/{})",
        policy.map_or_else(
            || "the implicit deny (policy 0)".to_string(),
            |p| format!("policy {p}")
        ),
        policy
            .map(|p| format!(", then `move NEW-ID before {p}`"))
            .unwrap_or_default(),
        case.port,
        proto_word(case)
    )
}

pub(super) fn fortigate_ips_exempt(addr: &str, text: &str, sid: Option<u64>) -> String {
    if forti_field(text, "subtype") == Some("anomaly") {
        return format!(
            "the FortiGate DoS policy that matched it ('{}'): leave the scanner out of its source addresses (`config firewall DoS-policy`, its `set srcaddr`), or raise that anomaly's threshold (`config anomaly`, `edit \"{}\"`, `set threshold N`)",
            forti_field(text, "policyid").unwrap_or("DoS policy"),
            forti_field(text, "attack").unwrap_or("ANOMALY"),
        );
    }
    let sensor = forti_field(text, "profile").unwrap_or("SENSOR");
    format!(
        "an exemption in the FortiGate IPS sensor '{sensor}': `config ips sensor`, `edit \"{sensor}\"`, `config entries`, `edit ENTRY`{}, `config exempt-ip`, `edit 0`, `set src-ip {addr} 255.255.255.255`, `next`, `end`, `next`, `end`, `end`",
        sid.map(|s| format!(" (the entry holding rule {s})"))
            .unwrap_or_default()
    )
}

/// The control behind an ECS document: its `observer.vendor`/`observer.product`.
pub(super) fn ecs_exception(text: &str, addr: &str, ips: bool) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let v = v.get("_source").cloned().unwrap_or(v);
    let get = |k: &str| {
        v.get(k)
            .or_else(|| {
                v.get("observer")
                    .and_then(|o| o.get(k.trim_start_matches("observer.")))
            })
            .and_then(|x| x.as_str())
            .map(str::to_string)
    };
    let device = [get("observer.vendor"), get("observer.product")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let device = if device.is_empty() {
        "the device named by the document's observer fields".to_string()
    } else {
        device
    };
    if ips {
        format!("{device} (exported as ECS): an IPS exception or allow-list entry for {addr}")
    } else {
        format!(
            "{device} (exported as ECS): an allow rule for {addr} ahead of the rule that denied it"
        )
    }
}

/// pf: a `pass quick` for the scanner ahead of the block rule, on the interface the log names
/// (`rule 3 on em0`).
pub(super) fn pf_allow(
    case: &PortCase,
    addr: &str,
    dst: Option<IpAddr>,
    rule: Option<&str>,
) -> String {
    let iface = rule.and_then(|r| r.rsplit_once(" on ")).map(|(_, i)| i);
    format!(
        "in /etc/pf.conf, ahead of the block ({}): `pass in quick{} proto {} from {addr} to {} port {}` (or `table <scanners> {{ {addr} }}` and `pass in quick from <scanners>`), then `pfctl -f /etc/pf.conf`; `pfctl -vvsr` shows which rule number {} is",
        rule.unwrap_or("the rule that logged it"),
        iface.map(|i| format!(" on {i}")).unwrap_or_default(),
        proto_word(case),
        dst.map_or_else(|| case.host.clone(), |d| d.to_string()),
        case.port,
        rule.and_then(|r| r.split(" on ").next())
            .unwrap_or("the block"),
    )
}

/// Sophos Firewall: an allow rule above the one that denied it (its ID from the log).
pub(super) fn sophos_allow(case: &PortCase, addr: &str, rule: Option<&str>) -> String {
    format!(
        "on the Sophos Firewall, a firewall rule allowing it above {} (Protect > Rules and policies > Add firewall rule: source {addr} as an IP host object, destination {} service {}/{}, action Accept), and exempt the scanner host from the IPS policy of that rule if IDP logged it too",
        rule.map_or_else(
            || "the rule that denied it".to_string(),
            |r| format!("{r}, which denied it")
        ),
        case.host,
        proto_word(case).to_ascii_uppercase(),
        case.port
    )
}

/// Check Point: an access rule above the one that dropped it, in the layer the log names; or a
/// Threat Prevention exception.
pub(super) fn checkpoint_allow(
    case: &PortCase,
    addr: &str,
    rule: Option<&str>,
    ips: Option<&str>,
) -> String {
    match ips {
        Some(protection) => format!(
            "in SmartConsole, a Threat Prevention exception for source {addr} (Security Policies > Threat Prevention > Exceptions, protection '{protection}' or any, action Detect/Inactive), then install the policy"
        ),
        None => format!(
            "in SmartConsole, a host object for {addr} and an access rule above {}: source that host, destination {}, services {}/{}, action Accept (`mgmt_cli add access-rule layer \"Network\" position top source SCANNER destination {} service any action Accept`), then install the policy",
            rule.map_or_else(
                || "the rule that dropped it".to_string(),
                |r| format!("'{r}'")
            ),
            case.host,
            proto_word(case),
            case.port,
            case.host,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netfilter_prefixes() {
        assert_eq!(netfilter_flavour(Some("UFW BLOCK")), Netfilter::Ufw);
        assert_eq!(netfilter_flavour(Some("[UFW LIMIT BLOCK]")), Netfilter::Ufw);
        assert_eq!(
            netfilter_flavour(Some("filter_IN_internal_DROP")),
            Netfilter::Firewalld {
                zone: Some("internal".into()),
                invalid: false
            }
        );
        assert_eq!(
            netfilter_flavour(Some("IN_public_REJECT:")),
            Netfilter::Firewalld {
                zone: Some("public".into()),
                invalid: false
            }
        );
        assert_eq!(netfilter_flavour(Some("UFW AUDIT")), Netfilter::Plain);
        assert_eq!(netfilter_flavour(Some("DROP-IN")), Netfilter::Plain);
        assert_eq!(netfilter_flavour(None), Netfilter::Plain);
    }

    #[test]
    fn names_read_from_the_logged_line() {
        assert_eq!(
            pfsense_interface("filterlog[1]: 5,,,1000000103,igb1,match,block,in,4,0x0"),
            Some("igb1")
        );
        assert_eq!(pfsense_interface("no csv here"), None);
        assert_eq!(
            panos_zones(
                "1,2026/11/20 02:12:00,0128,TRAFFIC,deny,2561,t,a,b,c,d,rule,,,app,vsys1,untrust,trust,eth1"
            ),
            (Some("untrust"), Some("trust"))
        );
        assert_eq!(panos_zones("1,2,3,TRAFFIC,deny"), (None, None));
        assert_eq!(
            junos_zones(
                r#"RT_FLOW_SESSION_DENY [junos@2636 source-zone-name="untrust" destination-zone-name="trust"]"#
            ),
            (Some("untrust"), Some("trust"))
        );
        assert_eq!(
            junos_zones(
                "RT_FLOW_SESSION_DENY: session denied 203.0.113.5/40000->192.0.2.10/443 junos-https 6(0) deny-all(global) untrust dmz UNKNOWN"
            ),
            (Some("untrust"), Some("dmz"))
        );
        assert_eq!(
            junos_screen_zone(
                "RT_SCREEN_TCP: TCP port scan! source: 203.0.113.5:40000, destination: 192.0.2.10:22, zone name: untrust, interface name: ge-0/0/0.0, action: drop"
            ),
            Some("untrust")
        );
        assert_eq!(
            host_prefix("2001:db8::5", "2001:db8::5".parse().ok()),
            "2001:db8::5/128"
        );
    }
}
