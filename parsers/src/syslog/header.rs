//! Syslog framing: RFC 3164 (`Nov 20 02:13:44 host app[pid]: msg`), RFC 5424
//! (`<13>1 2026-11-20T02:13:44Z host app pid msgid [sd] msg`) and rsyslog's high-precision ISO 8601
//! header (`2026-11-20T02:13:44.123456+00:00 host app[pid]: msg`). Loose like real syslog: an optional
//! `<PRI>` prefix, single-digit days padded with a space or not, a missing tag (ulogd LOGEMU, kernel
//! lines relayed without one).

use chrono::{DateTime, NaiveDateTime, Utc};
use nom::{
    IResult, Parser,
    bytes::complete::{tag, take_while, take_while_m_n, take_while1},
    character::complete::{char, digit1},
    combinator::{opt, recognize},
    sequence::delimited,
};

use crate::{ParseError, TimeContext, time::month_from_abbr};

/// When a header's timestamp says it happened, before the time context is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderTime {
    /// RFC 3164: no year, no zone.
    Yearless {
        month: u32,
        day: u32,
        hour: u32,
        min: u32,
        sec: u32,
        nanos: u32,
    },
    /// ISO 8601 with an offset.
    Absolute(DateTime<Utc>),
    /// ISO 8601 without an offset.
    Local(NaiveDateTime),
}

impl HeaderTime {
    pub fn resolve(self, ctx: &TimeContext) -> Option<DateTime<Utc>> {
        match self {
            HeaderTime::Yearless {
                month,
                day,
                hour,
                min,
                sec,
                nanos,
            } => ctx.yearless_to_utc(month, day, hour, min, sec, nanos),
            HeaderTime::Absolute(t) => Some(t),
            HeaderTime::Local(n) => ctx.local_to_utc(n),
        }
    }
}

/// A parsed syslog header; `msg` is the rest of the line after the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    pub time: HeaderTime,
    pub host: Option<&'a str>,
    /// The tag / APP-NAME (`sshd`, `kernel`, `systemd`), without the `[pid]`.
    pub app: Option<&'a str>,
    pub pid: Option<u32>,
    pub msg: &'a [u8],
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn spaces(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while1(is_space)(i)
}

fn num<const MIN: usize, const MAX: usize>(i: &[u8]) -> IResult<&[u8], u32> {
    let (i, d) = take_while_m_n(MIN, MAX, |b: u8| b.is_ascii_digit())(i)?;
    // At most MAX (≤ 9) ASCII digits: always fits in u32.
    let n = d.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    Ok((i, n))
}

fn pri(i: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize(delimited(char('<'), digit1, char('>'))).parse(i)
}

/// `Nov 20 02:13:44` / `Nov  2 02:13:44` / `Nov 20 02:13:44.123` (some relays add fractions), and
/// Cisco's `Nov 20 2026 02:13:44` (ASA / FTD with `logging timestamp`: a year after the day, which
/// makes the time [`HeaderTime::Local`]).
fn rfc3164_time(i: &[u8]) -> IResult<&[u8], HeaderTime> {
    let (i, mon) = take_while_m_n(3, 3, |b: u8| b.is_ascii_alphabetic())(i)?;
    let month = month_from_abbr(mon)
        .ok_or_else(|| nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify)))?;
    let (i, _) = spaces(i)?;
    let (i, day) = num::<1, 2>(i)?;
    let (i, _) = spaces(i)?;
    let (i, year) = opt((num::<4, 4>, spaces)).parse(i)?;
    let (i, hour) = num::<2, 2>(i)?;
    let (i, _) = char(':')(i)?;
    let (i, min) = num::<2, 2>(i)?;
    let (i, _) = char(':')(i)?;
    let (i, sec) = num::<2, 2>(i)?;
    let (i, frac) = opt((char('.'), take_while1(|b: u8| b.is_ascii_digit()))).parse(i)?;
    let nanos = frac.map(|(_, d)| frac_nanos(d)).unwrap_or(0);
    if let Some((year, _)) = year {
        let t = i32::try_from(year)
            .ok()
            .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, month, day))
            .and_then(|d| d.and_hms_nano_opt(hour, min, sec, nanos))
            .ok_or_else(|| {
                nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify))
            })?;
        return Ok((i, HeaderTime::Local(t)));
    }
    Ok((
        i,
        HeaderTime::Yearless {
            month,
            day,
            hour,
            min,
            sec,
            nanos,
        },
    ))
}

fn frac_nanos(d: &[u8]) -> u32 {
    let mut n = 0u32;
    for k in 0..9 {
        n = n * 10 + d.get(k).map(|b| u32::from(b - b'0')).unwrap_or(0);
    }
    n
}

/// `2026-11-20T02:13:44(.frac)?(Z|±hh:mm|±hhmm)?` (a space instead of `T` is accepted too).
pub fn iso_time(i: &[u8]) -> IResult<&[u8], HeaderTime> {
    let (rest, text) = recognize((
        take_while_m_n(4, 4, |b: u8| b.is_ascii_digit()),
        char('-'),
        take_while_m_n(2, 2, |b: u8| b.is_ascii_digit()),
        char('-'),
        take_while_m_n(2, 2, |b: u8| b.is_ascii_digit()),
        take_while_m_n(1, 1, |b: u8| b == b'T' || b == b' '),
        take_while_m_n(2, 2, |b: u8| b.is_ascii_digit()),
        char(':'),
        take_while_m_n(2, 2, |b: u8| b.is_ascii_digit()),
        char(':'),
        take_while_m_n(2, 2, |b: u8| b.is_ascii_digit()),
        opt((take_while_m_n(1, 1, |b: u8| b == b'.' || b == b','), digit1)),
        opt(take_while1(|b: u8| {
            b == b'Z' || b == b'+' || b == b'-' || b == b':' || b.is_ascii_digit()
        })),
    ))
    .parse(i)?;
    let fail = || nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify));
    // The recognizer only accepts ASCII, so this never fails; still no unwrap on input data.
    let s = std::str::from_utf8(text)
        .map_err(|_| fail())?
        .replace(',', ".");
    let s = s.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Ok((rest, HeaderTime::Absolute(t.with_timezone(&Utc))));
    }
    if let Ok(t) = DateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Ok((rest, HeaderTime::Absolute(t.with_timezone(&Utc))));
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok((rest, HeaderTime::Local(n)));
    }
    Err(fail())
}

fn token(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while1(|b: u8| !is_space(b))(i)
}

/// `app[pid]:` or `app:`; the tag must end with a colon to count as one.
fn app_tag(i: &[u8]) -> IResult<&[u8], (&[u8], Option<u32>)> {
    let (i, name) = take_while1(|b: u8| !is_space(b) && b != b'[' && b != b':')(i)?;
    let (i, pid) = opt(delimited(char('['), num::<1, 9>, char(']'))).parse(i)?;
    let (i, _) = char(':')(i)?;
    Ok((i, (name, pid)))
}

fn as_str(b: &[u8]) -> Option<&str> {
    std::str::from_utf8(b).ok()
}

/// Hostnames are letters, digits, `-`, `.`, `_` and `:` (IPv6 literal); anything else (an `IN=` of
/// a tag-less netfilter line, say) is not a host.
fn looks_like_host(b: &[u8]) -> bool {
    !b.is_empty()
        && !b.contains(&b'=')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b':'))
}

/// RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD|-] MSG`.
fn rfc5424(i: &[u8]) -> IResult<&[u8], Header<'_>> {
    let (i, _) = pri(i)?;
    let (i, _) = tag(&b"1 "[..])(i)?;
    let (i, time) = iso_time(i)?;
    let (i, _) = spaces(i)?;
    let (i, host) = token(i)?;
    let (i, _) = spaces(i)?;
    let (i, app) = token(i)?;
    let (i, _) = spaces(i)?;
    let (i, procid) = token(i)?;
    let (i, _) = spaces(i)?;
    let (i, _msgid) = token(i)?;
    let (i, _) = take_while(is_space)(i)?;
    let i = skip_structured_data(i);
    let i = i.trim_ascii_start();
    let dash = |b: &'_ [u8]| b != b"-";
    Ok((
        &i[i.len()..],
        Header {
            time,
            host: Some(host).filter(|h| dash(h)).and_then(as_str),
            app: Some(app).filter(|a| dash(a)).and_then(as_str),
            pid: as_str(procid).and_then(|p| p.parse().ok()),
            msg: i,
        },
    ))
}

/// `APP PROCID MSGID SD` of RFC 5424, when the PROCID is digits or `-` and the SD is `-` or
/// starts with `[`: the message and the app and pid.
fn rfc5424_fields(i: &[u8]) -> Option<(&[u8], &[u8], Option<u32>)> {
    let (i, app) = token(i).ok()?;
    let (i, _) = spaces(i).ok()?;
    let (i, procid) = token(i).ok()?;
    if !(procid == b"-" || procid.iter().all(u8::is_ascii_digit)) {
        return None;
    }
    let (i, _) = spaces(i).ok()?;
    let (i, _msgid) = token(i).ok()?;
    let (i, _) = spaces(i).ok()?;
    if !(i.starts_with(b"- ") || i == b"-" || i.starts_with(b"[")) {
        return None;
    }
    let rest = skip_structured_data(i).trim_ascii_start();
    let pid = as_str(procid).and_then(|p| p.parse().ok());
    Some((rest, app, pid))
}

/// Skip `-` or one or more `[...]` SD elements (with `\]` escapes inside values).
fn skip_structured_data(i: &[u8]) -> &[u8] {
    if let Some(rest) = i.strip_prefix(b"-") {
        return rest;
    }
    let mut rest = i;
    while rest.first() == Some(&b'[') {
        let mut k = 1;
        let mut in_quotes = false;
        while k < rest.len() {
            match rest[k] {
                b'\\' => k += 1,
                b'"' => in_quotes = !in_quotes,
                b']' if !in_quotes => break,
                _ => {}
            }
            k += 1;
        }
        rest = rest.get(k + 1..).unwrap_or(&[]);
    }
    rest
}

/// RFC 3164 or ISO-timestamped BSD-style line.
fn bsd(i: &[u8]) -> IResult<&[u8], Header<'_>> {
    let (i, _) = opt(pri).parse(i)?;
    let (i, time) = if i.first().is_some_and(|b| b.is_ascii_digit()) {
        iso_time(i)?
    } else {
        rfc3164_time(i)?
    };
    // Cisco ASA without `logging device-id`: `Aug 28 2026 19:34:14: %ASA-4-106023: …` (a colon
    // right after the time, no host).
    let (i, _) = opt(char(':')).parse(i)?;
    let (i, _) = spaces(i)?;
    // Host is optional in practice: `Nov 20 02:13:44 kernel: ...` exists (no host), so a token that is
    // itself a tag is taken as the tag.
    let (host, i) = match app_tag(i) {
        Ok(_) => (None, i),
        Err(_) => match token(i) {
            Ok((rest, h)) if looks_like_host(h) => (as_str(h), rest.trim_ascii_start()),
            _ => (None, i),
        },
    };
    let (i, app, pid) = match app_tag(i) {
        Ok((rest, (name, pid))) => (rest.trim_ascii_start(), as_str(name), pid),
        // RFC 5424 fields after an ISO time without the `<PRI>1 ` (rsyslog's
        // RSYSLOG_SyslogProtocol23Format stripped by a relay, lnav's samples):
        // `APP PROCID MSGID [SD|-] MSG`.
        Err(_) if matches!(time, HeaderTime::Absolute(_) | HeaderTime::Local(_)) => {
            match rfc5424_fields(i) {
                Some((rest, app, pid)) => (rest, as_str(app), pid),
                None => (i, None, None),
            }
        }
        Err(_) => (i, None, None),
    };
    Ok((
        &i[i.len()..],
        Header {
            time,
            host,
            app,
            pid,
            msg: i,
        },
    ))
}

/// Parse a syslog header; `None` when the line does not start like syslog.
pub fn parse_header(line: &[u8]) -> Option<Header<'_>> {
    if let Ok((_, h)) = rfc5424(line) {
        return Some(h);
    }
    bsd(line).ok().map(|(_, h)| h)
}

/// Parse a header and resolve its time; errors are framing failures (malformed lines).
pub fn parse_header_ctx<'a>(
    line: &'a [u8],
    ctx: &TimeContext,
) -> Result<(Header<'a>, DateTime<Utc>), ParseError> {
    let h = parse_header(line).ok_or(ParseError::Header("not a syslog header"))?;
    let t = h
        .time
        .resolve(ctx)
        .ok_or(ParseError::Timestamp("impossible date"))?;
    Ok((h, t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::ctx;

    #[test]
    fn rfc3164_with_pid() {
        let (h, t) = parse_header_ctx(
            b"Nov 20 02:13:44 web01 sshd[812]: Server listening on 0.0.0.0 port 22.",
            &ctx(),
        )
        .unwrap();
        assert_eq!(h.host, Some("web01"));
        assert_eq!(h.app, Some("sshd"));
        assert_eq!(h.pid, Some(812));
        assert_eq!(h.msg, b"Server listening on 0.0.0.0 port 22.");
        assert_eq!(t.to_rfc3339(), "2026-11-20T02:13:44+00:00");
    }

    #[test]
    fn rfc3164_single_digit_day_double_space() {
        let (h, t) = parse_header_ctx(b"Nov  2 02:13:44 web01 kernel: x", &ctx()).unwrap();
        assert_eq!(h.app, Some("kernel"));
        assert_eq!(t.to_rfc3339(), "2026-11-02T02:13:44+00:00");
        // SuSE sample: "Mar 8 22:35:42 linux kernel: ..." (single space, single digit)
        let h = parse_header(b"Mar 8 22:35:42 linux kernel: SuSE-FW-DROP-DEFAULT IN=ppp0").unwrap();
        assert_eq!(h.host, Some("linux"));
    }

    #[test]
    fn rfc5424_with_sd() {
        let line = br#"<13>1 2026-11-20T02:13:44.5+01:00 fw01 filterlog 4242 - [meta sequenceId="1"] 5,,,1000,em0"#;
        let (h, t) = parse_header_ctx(line, &ctx()).unwrap();
        assert_eq!(h.host, Some("fw01"));
        assert_eq!(h.app, Some("filterlog"));
        assert_eq!(h.pid, Some(4242));
        assert_eq!(h.msg, b"5,,,1000,em0");
        assert_eq!(t.to_rfc3339(), "2026-11-20T01:13:44.500+00:00");
    }

    #[test]
    fn rsyslog_iso() {
        let (h, t) = parse_header_ctx(
            b"2026-11-20T02:13:44.123456+00:00 db01 systemd[1]: Stopped MySQL Community Server.",
            &ctx(),
        )
        .unwrap();
        assert_eq!(h.host, Some("db01"));
        assert_eq!(h.app, Some("systemd"));
        assert_eq!(t.timestamp_subsec_micros(), 123456);
    }

    #[test]
    fn ulogd_without_tag() {
        let h =
            parse_header(b"Nov 20 02:13:44 fw01 [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1").unwrap();
        assert_eq!(h.host, Some("fw01"));
        assert_eq!(h.app, None);
        assert!(h.msg.starts_with(b"[UFW BLOCK]"));
        let h = parse_header(b"Nov 20 02:13:44 fw01  IN=eth0 OUT= SRC=192.0.2.1").unwrap();
        assert_eq!(h.host, Some("fw01"));
        assert!(h.msg.starts_with(b"IN=eth0"));
    }

    #[test]
    fn cisco_timestamp_with_year() {
        let (h, t) = parse_header_ctx(
            b"Nov 20 2026 02:13:44 fw01 : %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000",
            &ctx(),
        )
        .unwrap();
        assert_eq!(h.host, Some("fw01"));
        assert_eq!(h.app, None);
        assert!(h.msg.starts_with(b": %ASA-4-106023: Deny"));
        assert_eq!(t.to_rfc3339(), "2026-11-20T02:13:44+00:00");
        // The year wins over the context's year; fractions and a single-digit day still work.
        let (_, t) =
            parse_header_ctx(b"<166>Jan  5 2025 23:59:58.250 fw01 %ASA-6-1: x", &ctx()).unwrap();
        assert_eq!(t.to_rfc3339(), "2025-01-05T23:59:58.250+00:00");
        // Without a year, unchanged.
        let (_, t) = parse_header_ctx(b"Nov 20 02:13:44 fw01 %ASA-6-1: x", &ctx()).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-20T02:13:44+00:00");
        // An impossible date with a year does not frame.
        assert!(parse_header_ctx(b"Feb 30 2026 02:13:44 fw01 : x", &ctx()).is_err());
    }

    #[test]
    fn cisco_colon_after_time_without_host() {
        let h = parse_header(
            b"<164>Nov 20 2026 02:13:44: %ASA-4-106023: Deny tcp src outside:203.0.113.5/40000 dst inside:192.0.2.10/443 by access-group \"outside_in\" [0x0, 0x0]",
        )
        .unwrap();
        assert_eq!(h.host, None);
        assert_eq!(h.app, Some("%ASA-4-106023"));
        assert!(h.msg.starts_with(b"Deny tcp"));
    }

    #[test]
    fn rfc5424_fields_without_pri() {
        let h = parse_header(
            b"2022-08-27T17:22:01.694554+03:00 space01.example CRON 20856 - -  (root) CMD (true)",
        )
        .unwrap();
        assert_eq!(h.host, Some("space01.example"));
        assert_eq!(h.app, Some("CRON"));
        assert_eq!(h.pid, Some(20856));
        assert_eq!(h.msg, b"(root) CMD (true)");
        let h = parse_header(br#"2022-08-27T14:22:01.888Z edge01 NSX 4828 SWITCHING [abc@6876 comp="x"] arp entry created"#).unwrap();
        assert_eq!(h.app, Some("NSX"));
        assert_eq!(h.msg, b"arp entry created");
        // A plain ISO line whose second word is not a PROCID stays tag-less.
        let h = parse_header(b"2026-11-20T02:13:44Z fw01 hello world - - x").unwrap();
        assert_eq!(h.app, None);
    }

    #[test]
    fn garbage_is_not_a_header() {
        assert!(parse_header(b"hello world").is_none());
        assert!(parse_header(b"").is_none());
        assert!(parse_header(b"\xff\xfe\x00garbage").is_none());
        assert!(parse_header_ctx(b"Feb 31 00:00:00 h a: m", &ctx()).is_err());
    }
}
