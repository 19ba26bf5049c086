//! AWS VPC flow log records, as delivered to S3 (`…_vpcflowlogs_REGION_fl-…_YYYYMMDDTHHMMZ_….log.gz`,
//! a header line naming the fields, then one record a line) or exported from CloudWatch Logs (no
//! header: the default v2 order). Fields are space-separated, `-` is "no value". Follows the AWS
//! documentation (<https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html>) and its
//! record examples as Vector's `parse_aws_vpc_flow_log` tests quote them.
//!
//! - Default format (v2): `version account-id interface-id srcaddr dstaddr srcport dstport protocol
//!   packets bytes start end action log-status`.
//! - Custom formats: any subset and order of the v2–v11 fields (`vpc-id`, `pkt-srcaddr`,
//!   `tcp-flags`, `flow-direction`, `reject-reason`, …). The header is the field list with hyphens
//!   (S3), or with underscores as `${…}`-less names (Vector, Athena); `# format: …` (a header kept as a
//!   comment) is read too.
//!
//! A `REJECT` record is a [`FirewallDeny`] with action drop: security groups and network ACLs drop
//! silently (no RST), so the scanner sees an unresponsive port. The source is `pkt-srcaddr` when the
//! format has it (the packet's original source, past a NAT gateway or load balancer), else `srcaddr`;
//! the destination likewise. The rule is the interface (`eni-…`) and, from v11, the `reject-reason`
//! (`BPA`: VPC Block Public Access). `ACCEPT`, `NODATA` and `SKIPDATA` records are no events. The
//! record's time is `start` (the aggregation interval's first packet); a custom format without
//! `start` gives records no time, and they are no events.
//!
//! Quirk: for traffic to a public or Elastic IP, `dstaddr` is the interface's private address, not
//! the address the scan targeted: map one to the other with `--config` `[nat]`.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::{DenyAction, Event, EventKind, FirewallDeny, ParseError, Proto, TimeContext};

/// AWS VPC flow logs.
pub const FORMAT: crate::LogFormat = crate::LogFormat::new(&crate::LogSpec {
    name: "aws_vpc_flow",
    aliases: &["vpc_flow", "aws_vpc", "vpcflowlogs"],
    description: "AWS VPC flow logs (default v2 and custom v3-v11 field orders, header line or none): REJECT records (security group / network ACL drops)",
    example: "2 123456789010 eni-0a1b2c3d4e5f60718 203.0.113.5 192.0.2.10 40000 443 6 1 60 1795140824 1795140884 REJECT OK",
    detect,
    parse: crate::registry::Parse::Stateful(|| Box::new(FlowParser::default())),
    line_time,
    header_prefixes: &["srcaddr"],
    ..crate::LogSpec::NETWORK
});

/// The v2 default field order (used until a header says otherwise).
const DEFAULT: &[&str] = &[
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];

/// The fields versions 3–11 added (AWS "Available fields"), after the v2 ones of [`DEFAULT`].
const LATER: &[&str] = &[
    "vpc-id",
    "subnet-id",
    "instance-id",
    "tcp-flags",
    "type",
    "pkt-srcaddr",
    "pkt-dstaddr",
    "region",
    "az-id",
    "sublocation-type",
    "sublocation-id",
    "pkt-src-aws-service",
    "pkt-dst-aws-service",
    "flow-direction",
    "traffic-path",
    "ecs-cluster-arn",
    "ecs-cluster-name",
    "ecs-container-instance-arn",
    "ecs-container-instance-id",
    "ecs-container-id",
    "ecs-second-container-id",
    "ecs-service-name",
    "ecs-task-definition-arn",
    "ecs-task-arn",
    "ecs-task-id",
    "reject-reason",
    "resource-id",
    "encryption-status",
    "instance-tag",
    "instance-tag-2",
    "interface-tag",
    "interface-tag-2",
    "asg-tag",
    "asg-tag-2",
    "interface-type",
    "next-hop-interface-id",
    "next-hop-subnet-id",
    "next-hop-az-id",
    "next-hop-vpc-id",
    "next-hop-interface-type",
];

/// A header line's field names (hyphenated), or `None` when the line is not a header.
fn header_fields(line: &[u8]) -> Option<Vec<&'static str>> {
    let text = std::str::from_utf8(line).ok()?.trim();
    let text = text
        .strip_prefix('#')
        .map(|t| {
            let t = t.trim_start();
            t.strip_prefix("format:").unwrap_or(t)
        })
        .unwrap_or(text);
    let mut out = Vec::new();
    for w in text.split_ascii_whitespace() {
        // `${srcaddr}` (the console's format string), `src_addr`-less underscores.
        let w = w.trim_start_matches("${").trim_end_matches('}');
        let name = w.replace('_', "-");
        out.push(*DEFAULT.iter().chain(LATER).find(|k| **k == name)?);
    }
    // A header names at least the addresses.
    (out.contains(&"srcaddr") || out.contains(&"pkt-srcaddr")).then_some(out)
}

/// Does this record fit the default v2 order (version 2, an action, a log status)?
fn default_record(line: &[u8]) -> bool {
    let f: Vec<&[u8]> = line
        .split(|&b| b == b' ')
        .filter(|f| !f.is_empty())
        .collect();
    f.len() == 14
        && f[0] == b"2"
        && matches!(f[12], b"ACCEPT" | b"REJECT" | b"-")
        && matches!(f[13], b"OK" | b"NODATA" | b"SKIPDATA")
}

fn detect(line: &[u8]) -> crate::Score {
    let t = line.trim_ascii();
    if header_fields(t).is_some() {
        crate::Score::Decides
    } else if default_record(t) {
        crate::Score::Claims
    } else {
        crate::Score::No
    }
}

/// A record's time without its header: the first 10-digit field (`start` and `end` are the only
/// epoch-second fields; account IDs have 12 digits, counters are small or vary).
pub fn line_time(line: &[u8], _: &TimeContext) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(line).ok()?;
    text.split_ascii_whitespace()
        .find(|w| w.len() == 10 && w.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|w| DateTime::from_timestamp(w.parse().ok()?, 0))
}

/// Reads one flow log object in order: a header line (if any) sets the field order.
#[derive(Debug, Clone)]
pub struct FlowParser {
    fields: Vec<&'static str>,
}

impl Default for FlowParser {
    fn default() -> Self {
        FlowParser {
            fields: DEFAULT.to_vec(),
        }
    }
}

impl crate::LineParser for FlowParser {
    fn parse(&mut self, line: &[u8], _: &TimeContext) -> Result<Option<Event>, ParseError> {
        let t = line.trim_ascii();
        if t.is_empty() {
            return Ok(None);
        }
        if let Some(fields) = header_fields(t) {
            self.fields = fields;
            return Ok(None);
        }
        if t.starts_with(b"#") {
            return Ok(None);
        }
        self.record(t)
    }
}

impl FlowParser {
    fn record(&self, line: &[u8]) -> Result<Option<Event>, ParseError> {
        let text = std::str::from_utf8(line).map_err(|_| ParseError::Encoding)?;
        let values: Vec<&str> = text.split_ascii_whitespace().collect();
        if values.len() != self.fields.len() {
            return Err(ParseError::Field(
                "field count differs from the format's fields",
            ));
        }
        let get = |name: &str| {
            self.fields
                .iter()
                .position(|f| *f == name)
                .map(|i| values[i])
                .filter(|v| *v != "-")
        };
        match get("action") {
            Some("REJECT") => {}
            Some("ACCEPT") | None => return Ok(None),
            Some(_) => return Err(ParseError::Field("action")),
        }
        let Some(start) = get("start") else {
            return Ok(None);
        };
        let time = start
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or(ParseError::Timestamp("start is not epoch seconds"))?;
        let addr = |pkt: &str, own: &'static str| -> Result<Option<IpAddr>, ParseError> {
            match get(pkt).or_else(|| get(own)) {
                None => Ok(None),
                Some(a) => a.parse().map(Some).map_err(|_| ParseError::Field(own)),
            }
        };
        let Some(src) = addr("pkt-srcaddr", "srcaddr")? else {
            return Ok(None);
        };
        let dst = addr("pkt-dstaddr", "dstaddr")?;
        let port = |name: &'static str| -> Result<Option<u16>, ParseError> {
            get(name)
                .map(|p| p.parse().map_err(|_| ParseError::Field(name)))
                .transpose()
        };
        let proto = get("protocol").map(Proto::from_text);
        // ICMP records carry port 0: no port.
        let ports = |p: Option<u16>| p.filter(|_| proto != Some(Proto::Icmp));
        let rule = match (get("interface-id"), get("reject-reason")) {
            (Some(i), Some(r)) => Some(format!("{i} ({r})")),
            (Some(i), None) => Some(i.to_string()),
            (None, Some(r)) => Some(r.to_string()),
            (None, None) => get("resource-id").map(str::to_string),
        };
        Ok(Some(Event {
            time,
            host: None,
            observer: "aws_vpc",
            kind: EventKind::FirewallDeny(FirewallDeny {
                action: DenyAction::Drop,
                src,
                dst,
                sport: ports(port("srcport")?),
                dport: ports(port("dstport")?),
                proto,
                rule,
            }),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LineParser;
    use crate::test_util::{a, ctx};

    fn parse_all(text: &str) -> Vec<Result<Option<Event>, ParseError>> {
        let mut p = FlowParser::default();
        text.lines()
            .map(|l| p.parse(l.as_bytes(), &ctx()))
            .collect()
    }

    fn deny(ev: &Event) -> &FirewallDeny {
        match &ev.kind {
            EventKind::FirewallDeny(d) => d,
            other => panic!("{other:?}"),
        }
    }

    // The AWS documentation's own example records (default format).
    const V2: &str = "\
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK
2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA
2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA
2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK
2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 REJECT OK";

    #[test]
    fn default_records_reject_is_a_silent_drop() {
        let r = parse_all(V2);
        assert_eq!(r[0], Ok(None));
        let ev = r[1].clone().unwrap().unwrap();
        assert_eq!(ev.observer, "aws_vpc");
        assert_eq!(ev.time.timestamp(), 1418530010);
        let d = deny(&ev);
        assert_eq!(d.action, DenyAction::Drop);
        assert_eq!(d.src, a("172.31.9.69"));
        assert_eq!(d.dst, Some(a("172.31.9.12")));
        assert_eq!((d.sport, d.dport), (Some(49761), Some(3389)));
        assert_eq!(d.proto, Some(Proto::Tcp));
        assert_eq!(d.rule.as_deref(), Some("eni-1235b8ca123456789"));
        assert_eq!(r[2], Ok(None), "NODATA");
        assert_eq!(r[3], Ok(None), "SKIPDATA");
        let icmp = r[4].clone().unwrap().unwrap();
        assert_eq!(deny(&icmp).dport, None, "ICMP has no port");
        let v6 = r[5].clone().unwrap().unwrap();
        assert_eq!(deny(&v6).src, a("2001:db8:1234:a100:8d6e:3477:df66:f105"));
    }

    #[test]
    fn a_header_sets_the_custom_order_and_pkt_addresses_win() {
        // S3 header (hyphens), a v3 NAT-gateway layout: pkt-srcaddr is the original client.
        let text = "\
version interface-id account-id vpc-id subnet-id instance-id srcaddr dstaddr srcport dstport protocol tcp-flags type pkt-srcaddr pkt-dstaddr action log-status
3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb - 10.40.1.175 10.40.2.236 39812 443 6 2 IPv4 203.0.113.5 10.40.2.236 REJECT OK";
        let r = parse_all(text);
        assert_eq!(r[0], Ok(None));
        // No start field: no time, no event.
        assert_eq!(r[1], Ok(None));

        let text = "\
# format: version srcaddr dstaddr srcport dstport protocol start end action log_status reject_reason resource_id pkt_srcaddr
11 10.0.0.71 192.0.2.10 34210 443 6 1616729292 1616729349 REJECT OK BPA - 203.0.113.5";
        let r = parse_all(text);
        let ev = r[1].clone().unwrap().unwrap();
        let d = deny(&ev);
        assert_eq!(d.src, a("203.0.113.5"));
        assert_eq!(d.rule.as_deref(), Some("BPA"));
    }

    #[test]
    fn broken_records_are_malformed() {
        let r = parse_all(concat!(
            "2 123456789010 eni-1 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 REJECT OK\n",
            "2 123456789010 eni-1 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 yesterday 1418530070 REJECT OK\n",
            "2 123456789010 eni-1 not-an-ip 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK\n",
            "2 123456789010 eni-1 172.31.9.69 172.31.9.12 49761 99999 6 20 4249 1418530010 1418530070 REJECT OK\n",
            "2 123456789010 eni-1 172.31.9.69 172.31.9.12 49761 22 6 20 4249 1418530010 1418530070 MAYBE OK\n",
        ));
        for (i, x) in r.iter().enumerate() {
            assert!(x.is_err(), "{i}: {x:?}");
        }
    }

    #[test]
    fn detection_and_time() {
        assert_eq!(detect(DEFAULT.join(" ").as_bytes()), crate::Score::Decides);
        assert_eq!(
            detect(b"# format: instance_id interface_id srcaddr dstaddr pkt_srcaddr pkt_dstaddr"),
            crate::Score::Decides
        );
        assert_eq!(
            detect(b"${version} ${srcaddr} ${dstaddr} ${action}"),
            crate::Score::Decides
        );
        assert_eq!(
            detect(V2.lines().next().unwrap().as_bytes()),
            crate::Score::Claims
        );
        assert_eq!(detect(b"version 1.2.3 released"), crate::Score::No);
        assert_eq!(detect(b"#Fields: date time action"), crate::Score::No);
        assert_eq!(
            line_time(V2.lines().nth(1).unwrap().as_bytes(), &ctx()).map(|t| t.timestamp()),
            Some(1418530010)
        );
    }
}
