//! The Nessus CSV export (Nessus Professional "Export → CSV", and Tenable.sc / Tenable.io CSVs that
//! name the same columns differently): one row per finding, `Plugin ID`, `Host` (or `IP Address`),
//! `Protocol`, `Port`, `Name`, `Plugin Output` (or `Plugin Text`), optional `FQDN`/`DNS Name` and
//! `NetBIOS Name`. Rows of one host need not be adjacent. 10919 and 19506 rows are read by the same
//! logic as the XML export ([`super::nessus`]): the affected ports, scanner IP, settings, times.

use std::io::BufRead;

use super::nessus::{Row, RowHost, report_from_rows};
use super::{ScanFormat, ScanReport, ScanSpec};
use crate::error::ParseError;

pub const FORMAT: ScanFormat = ScanFormat::new(&ScanSpec {
    name: "nessus_csv",
    aliases: &["nessus-csv", "tenable_csv"],
    description: "Nessus / Tenable CSV export: 10919 rows with their Plugin Output, 19506 scanner IP and times, open ports per host",
    example: r#""Plugin ID","CVE","CVSS v2.0 Base Score","Risk","Host","Protocol","Port","Name","Synopsis","Description","Solution","See Also","Plugin Output""#,
    looks_like,
    read: |r, tz| parse(r, tz),
    read_growing: None,
});

/// Column names (lower case) for each fact, as the Tenable products write them.
const PLUGIN: &[&str] = &["plugin id", "plugin", "pluginid"];
const HOST: &[&str] = &["host", "ip address", "ip", "host ip"];
const PROTOCOL: &[&str] = &["protocol"];
const PORT: &[&str] = &["port"];
const NAME: &[&str] = &["name", "plugin name"];
const FAMILY: &[&str] = &["family", "plugin family"];
const OUTPUT: &[&str] = &["plugin output", "plugin text", "output"];
const FQDN: &[&str] = &["fqdn", "dns name"];
const NETBIOS: &[&str] = &["netbios name", "netbios"];
const SERVICE: &[&str] = &["service", "svc_name"];

fn header_fields(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    r.records()
        .next()
        .and_then(|x| x.ok())
        .map(|rec| {
            rec.iter()
                .map(|f| f.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

fn looks_like(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let Some(first) = text.lines().next() else {
        return false;
    };
    let f = header_fields(first);
    let has = |names: &[&str]| f.iter().any(|c| names.contains(&c.as_str()));
    has(PLUGIN) && has(HOST) && has(PORT) && has(OUTPUT)
}

fn parse<R: BufRead>(r: R, tz: chrono_tz::Tz) -> Result<ScanReport, ParseError> {
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    let headers: Vec<String> = rd
        .headers()
        .map_err(|e| ParseError::Report(format!("CSV header: {e}")))?
        .iter()
        .map(|f| f.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let (Some(pc), Some(hc), Some(portc), Some(oc)) =
        (col(PLUGIN), col(HOST), col(PORT), col(OUTPUT))
    else {
        return Err(ParseError::NotFormat("Nessus CSV export"));
    };
    let (protoc, namec, famc, fqdnc, nbc, svcc) = (
        col(PROTOCOL),
        col(NAME),
        col(FAMILY),
        col(FQDN),
        col(NETBIOS),
        col(SERVICE),
    );
    let mut hosts: Vec<RowHost> = Vec::new();
    let mut bad = 0u64;
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                if e.is_io_error() {
                    return Err(ParseError::Report(format!("CSV: {e}")));
                }
                bad += 1;
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
        let host = get(Some(hc));
        if host.is_empty() {
            bad += 1;
            continue;
        }
        let plugin_id = get(Some(pc)).parse::<u32>().ok();
        // Keep the big text only where the plugin logic reads it.
        let output = matches!(plugin_id, Some(10919 | 19506))
            .then(|| get(Some(oc)).to_string())
            .filter(|o| !o.is_empty());
        let row = Row {
            plugin_id,
            port: get(Some(portc)).parse().ok(),
            protocol: get(protoc).to_string(),
            svc_name: get(svcc).to_string(),
            family: get(famc).to_string(),
            plugin_name: get(namec).to_string(),
            output,
        };
        let i = match hosts.iter().position(|h| h.name == host) {
            Some(i) => i,
            None => {
                hosts.push(RowHost {
                    name: host.to_string(),
                    ..RowHost::default()
                });
                hosts.len() - 1
            }
        };
        let h = &mut hosts[i];
        for (slot, c) in [(&mut h.fqdn, fqdnc), (&mut h.netbios, nbc)] {
            let v = get(c);
            if slot.is_none() && !v.is_empty() {
                *slot = Some(v.to_string());
            }
        }
        h.rows.push(row);
    }
    let mut rep = report_from_rows(hosts, tz, "nessus_csv");
    if bad > 0 {
        rep.notes.push(format!(
            "{bad} CSV row(s) could not be read and were skipped"
        ));
    }
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Proto;
    use crate::scan::ScanState;

    const CSV: &str = "\"Plugin ID\",\"CVE\",\"CVSS v2.0 Base Score\",\"Risk\",\"Host\",\"Protocol\",\"Port\",\"Name\",\"Synopsis\",\"Description\",\"Solution\",\"See Also\",\"Plugin Output\"
\"19506\",\"\",\"\",\"None\",\"192.0.2.10\",\"tcp\",\"0\",\"Nessus Scan Information\",\"\",\"\",\"\",\"\",\"Information about this scan : 

Nessus version : 10.6.1
Scanner IP : 203.0.113.5
Port scanner(s) : nessus_syn_scanner 
Port range : default
Max hosts : 30
Max checks : 4
Recv timeout : 5
Scan Start Date : 2026/11/20 2:00 UTC
Scan duration : 1800 sec
\"
\"22964\",\"\",\"\",\"None\",\"192.0.2.10\",\"tcp\",\"443\",\"Service Detection\",\"\",\"\",\"\",\"\",\"A web server is running on this port.\"
\"10919\",\"\",\"\",\"None\",\"192.0.2.10\",\"tcp\",\"0\",\"Open Port Re-check\",\"\",\"\",\"\",\"\",\"Port 443 was detected as being open but is now unresponsive
\"
";

    #[test]
    fn a_csv_export_gives_the_same_facts_as_the_xml() {
        assert!(looks_like(CSV.as_bytes()));
        let r = parse(CSV.as_bytes(), chrono_tz::UTC).unwrap();
        assert_eq!(r.format, "nessus_csv");
        assert_eq!(
            r.scanner_ips,
            vec!["203.0.113.5".parse::<std::net::IpAddr>().unwrap()]
        );
        let h = &r.hosts[0];
        assert_eq!(h.affected.len(), 1);
        assert_eq!(h.affected[0].port, 443);
        assert_eq!(h.affected[0].state, ScanState::Unresponsive);
        assert!(h.open_ports.contains(&(443, Proto::Tcp)));
        assert_eq!(r.settings.checks_read_timeout, Some(5));
        assert!(h.start.is_some() && h.end.is_some(), "{:?}", r.notes);
        assert!(!looks_like(b"time,src,dst\n1,2,3\n"));
    }
}
