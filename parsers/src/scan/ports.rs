//! Port lists as scanners write them: `1,3-4,6-7,9` (nmap `scaninfo services`, `-p`), with
//! optional protocol prefixes `T:`/`U:`/`S:` (nmap `-p U:53,T:21-25`) or `/tcp` suffixes.

use serde::Serialize;

use crate::Proto;

/// A set of ports as sorted, merged inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PortSet(Vec<(u16, u16)>);

impl PortSet {
    /// Read `1,3-4,6-7`. `None` when an item is not a port or a range of ports (`-` alone, a
    /// reversed range, a number above 65535).
    pub fn parse(s: &str) -> Option<PortSet> {
        let mut v = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (a, b) = match item.split_once('-') {
                Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
                None => {
                    let p: u16 = item.parse().ok()?;
                    (p, p)
                }
            };
            if a > b {
                return None;
            }
            v.push((a, b));
        }
        Some(PortSet::from_ranges(v))
    }

    pub fn from_ranges(mut v: Vec<(u16, u16)>) -> PortSet {
        v.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        PortSet(out)
    }

    pub fn contains(&self, port: u16) -> bool {
        self.0
            .binary_search_by(|&(a, b)| {
                if b < port {
                    std::cmp::Ordering::Less
                } else if a > port {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many ports.
    pub fn len(&self) -> usize {
        self.0.iter().map(|&(a, b)| usize::from(b - a) + 1).sum()
    }

    /// Every port, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.0.iter().flat_map(|&(a, b)| a..=b)
    }
}

/// Read a port list naming protocols: `22,80,443`, `22/tcp,53/udp`, `T:22,80,U:53`. Items without
/// a protocol are TCP (after `U:` they are UDP, as in nmap's `-p`). Returns `(port, protocol)`
/// pairs in order, without repeats, or the item that is not a port.
pub fn parse_port_list(s: &str) -> Result<Vec<(u16, Proto)>, String> {
    let mut out: Vec<(u16, Proto)> = Vec::new();
    let mut proto = Proto::Tcp;
    for raw in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let mut item = raw;
        if let Some((p, rest)) = item.split_once(':') {
            proto = match p.to_ascii_uppercase().as_str() {
                "T" => Proto::Tcp,
                "U" => Proto::Udp,
                "S" => Proto::Other("sctp".into()),
                _ => return Err(raw.to_string()),
            };
            item = rest;
        }
        let (item, this) = match item.rsplit_once('/') {
            Some((n, p)) => (n, Proto::from_text(p)),
            None => (item, proto.clone()),
        };
        let set = PortSet::parse(item).filter(|s| !s.is_empty());
        let Some(set) = set else {
            return Err(raw.to_string());
        };
        if set.len() > 65536 {
            return Err(raw.to_string());
        }
        for p in set.iter() {
            if !out.iter().any(|(q, pr)| *q == p && *pr == this) {
                out.push((p, this.clone()));
            }
        }
    }
    if out.is_empty() {
        return Err(s.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nmap_service_lists() {
        let s = PortSet::parse("1,3-4,6-7,9,13,17,19-26,8080-8090,65389").unwrap();
        assert!(s.contains(1) && s.contains(4) && s.contains(22) && s.contains(8085));
        assert!(!s.contains(2) && !s.contains(27) && !s.contains(65535));
        assert_eq!(s.len(), 1 + 2 + 2 + 1 + 1 + 1 + 8 + 11 + 1);
        assert_eq!(PortSet::parse("5-3"), None);
        assert_eq!(PortSet::parse("70000"), None);
        assert_eq!(PortSet::parse("1-3,2-5").unwrap(), PortSet(vec![(1, 5)]));
    }

    #[test]
    fn port_lists_with_protocols() {
        assert_eq!(
            parse_port_list("22,443/tcp,53/udp").unwrap(),
            vec![(22, Proto::Tcp), (443, Proto::Tcp), (53, Proto::Udp)]
        );
        assert_eq!(
            parse_port_list("T:22-23,U:53,161").unwrap(),
            vec![
                (22, Proto::Tcp),
                (23, Proto::Tcp),
                (53, Proto::Udp),
                (161, Proto::Udp)
            ]
        );
        assert_eq!(parse_port_list("22,http"), Err("http".to_string()));
        assert!(parse_port_list("").is_err());
    }
}
