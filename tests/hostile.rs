//! End-to-end hostile-input tests (DESIGN.md "Data flow" step 5 and "Safety and bad input"): the
//! built binary is run on fixtures written at test time into temporary directories, next to a copy
//! of the sample scan `samples/nov20-webfarm/scan.nessus` (scanner 203.0.113.5; web01 is
//! 192.0.2.10 with tcp/443 unresponsive, vpn01 is 192.0.2.50 with tcp/22 unresponsive).
//!
//! Every run asserts that nothing panicked; each test checks the exit code and the exact per-source
//! counts of the JSON report's `sources[]`.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

const SCANNER: &str = "203.0.113.5";
/// How long any single run may take before the test calls it a hang.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A valid UFW BLOCK line from the scanner to web01:443 at `time` (`DPT=` last, so a stray `\r`
/// would spoil the port).
fn ufw(time: &str, dst: &str, dport: u16) -> String {
    format!(
        "Nov 20 {time} web01 kernel: [815906.331870] [UFW BLOCK] IN=eth0 OUT= \
         MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC={SCANNER} DST={dst} LEN=60 TOS=0x00 \
         PREC=0x00 TTL=63 ID=52011 DF PROTO=TCP SPT=40422 DPT={dport}"
    )
}

struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
}

impl Out {
    fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); stderr: {}\nstdout: {}",
                self.stderr,
                self.stdout_str()
            )
        })
    }

    /// `portmortem events` output: one JSON object per line.
    fn json_lines(&self) -> Vec<Value> {
        self.stdout_str()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

/// Run the binary in `dir` with `args`, optional stdin bytes; stdout/stderr go to files outside
/// `dir` (so a run over `.` never sees them). Asserts: finished within [`TIMEOUT`], not killed by a
/// signal, no panic message.
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    let out_f = tempfile::tempfile().expect("stdout capture file");
    let err_f = tempfile::tempfile().expect("stderr capture file");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portmortem"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::from(out_f.try_clone().unwrap()))
        .stderr(Stdio::from(err_f.try_clone().unwrap()))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn portmortem");
    if let Some(bytes) = stdin {
        let mut w = child.stdin.take().unwrap();
        w.write_all(bytes).expect("write stdin");
    }
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("portmortem {args:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let read_all = |mut f: fs::File| {
        use std::io::Seek;
        f.rewind().unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        v
    };
    let stdout = read_all(out_f);
    let stderr = String::from_utf8_lossy(&read_all(err_f)).into_owned();
    let code = status
        .code()
        .unwrap_or_else(|| panic!("portmortem {args:?} killed by a signal: {status:?}; {stderr}"));
    assert!(
        !stderr.contains("panicked"),
        "portmortem {args:?} panicked:\n{stderr}"
    );
    assert_ne!(
        code, 101,
        "exit 101 is Rust's panic status; stderr:\n{stderr}"
    );
    Out {
        code,
        stdout,
        stderr,
        elapsed,
    }
}

/// A temp dir holding a copy of the sample scan as `scan.nessus`.
fn fixture() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let scan = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/nov20-webfarm/scan.nessus");
    fs::copy(&scan, dir.path().join("scan.nessus")).expect("copy sample scan");
    dir
}

fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&p, bytes).unwrap();
    p
}

/// The `sources[]` entry whose file is `file` (as given on the command line).
fn source<'a>(report: &'a Value, file: &str) -> &'a Value {
    report["sources"]
        .as_array()
        .expect("sources[]")
        .iter()
        .find(|s| s["file"] == file)
        .unwrap_or_else(|| panic!("no source {file:?} in {:#}", report["sources"]))
}

#[derive(Debug, PartialEq, Eq)]
struct Counts {
    lines: u64,
    parsed: u64,
    ignored: u64,
    malformed: u64,
    events: u64,
}

fn counts(src: &Value) -> Counts {
    let n = |k: &str| {
        src[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} missing in {src}"))
    };
    Counts {
        lines: n("lines"),
        parsed: n("parsed"),
        ignored: n("ignored"),
        malformed: n("malformed"),
        events: n("events"),
    }
}

fn assert_balanced(src: &Value) {
    let c = counts(src);
    assert_eq!(
        c.lines,
        c.parsed + c.ignored + c.malformed,
        "lines != parsed + ignored + malformed in {src}"
    );
}

fn port<'a>(report: &'a Value, host: &str, port: u64) -> &'a Value {
    report["ports"]
        .as_array()
        .expect("ports[]")
        .iter()
        .find(|p| p["host"] == host && p["port"] == port)
        .unwrap_or_else(|| panic!("no port {host}:{port} in the report"))
}

/// The sample scan's affected ports are all listed (web01 tcp/443 and vpn01 tcp/22 among them).
fn assert_sample_ports(report: &Value) {
    let ports = report["ports"].as_array().expect("ports[]");
    assert!(ports.len() >= 2, "{ports:?}");
    port(report, "192.0.2.10", 443);
    port(report, "192.0.2.50", 22);
}

fn event_lines(events: &[Value], file: &str) -> Vec<u64> {
    events
        .iter()
        .filter(|e| e["file"] == file)
        .map(|e| e["line"].as_u64().unwrap())
        .collect()
}

const REF: &str = "--reference=2026-11-20T00:00:00Z";

// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_and_nul_bytes_are_malformed_lines_not_a_binary_file() {
    let dir = fixture();
    let good = ufw("02:12:03", "192.0.2.10", 443);
    let mut data: Vec<u8> = Vec::new();
    // 1: no syslog header at all (binary junk) but names the scanner → malformed.
    data.extend_from_slice(b"\xff\xfe\x00\x01 203.0.113.5 \x00garbage\xc3\x28\n");
    // 2: a framed header, netfilter line whose SRC= has invalid UTF-8 glued on → bad SRC → malformed.
    data.extend_from_slice(
        b"Nov 20 02:12:04 web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5\xff\xfe DST=192.0.2.10 PROTO=TCP DPT=443\n",
    );
    // 3: NUL inside SRC= → not an address → malformed.
    data.extend_from_slice(
        b"Nov 20 02:12:05 web01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=\x00203.0.113.5 DST=192.0.2.10 PROTO=TCP DPT=443\n",
    );
    // 4: header frames, junk only in the message of a daemon line → parsed (no event).
    data.extend_from_slice(
        b"Nov 20 02:12:06 web01 myapp[812]: note \xff\x00\xfe peer 203.0.113.5 seen\n",
    );
    // 5: unrelated line: the prefilter skips it → ignored.
    data.extend_from_slice(b"Nov 20 02:12:07 web01 CRON[99]: (root) CMD (true)\n");
    // 6 and 7: valid deny lines after the damage → parsed, events.
    data.extend_from_slice(good.as_bytes());
    data.push(b'\n');
    data.extend_from_slice(ufw("02:12:09", "192.0.2.10", 443).as_bytes());
    data.push(b'\n');
    write(dir.path(), "web01/syslog", &data);

    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "web01/syslog", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "web01/syslog");
    assert_eq!(
        s["format"], "syslog",
        "NUL/invalid UTF-8 must not make it binary"
    );
    assert_eq!(
        counts(s),
        Counts {
            lines: 7,
            parsed: 3,
            ignored: 1,
            malformed: 3,
            events: 2
        }
    );
    assert_balanced(s);
    assert!(s.get("error").is_none(), "{s}");
    // The later good lines are evidence.
    let p = port(&r, "192.0.2.10", 443);
    assert_eq!(p["verdict"], "blocked", "{p:#}");
    let ev_lines: Vec<u64> = p["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(ev_lines, vec![6, 7]);

    // `events` parses every line (no prefilter): the same two events at lines 6 and 7.
    let ev = run_in(dir.path(), &["events", "web01/syslog", REF], None);
    assert_eq!(ev.code, 0, "{}", ev.stderr);
    let events = ev.json_lines();
    assert_eq!(event_lines(&events, "web01/syslog"), vec![6, 7]);
    assert!(events.iter().all(|e| e["event"] == "firewall_deny"));
}

#[test]
fn binary_garbage_is_unrecognised_and_exit_0() {
    let dir = fixture();
    // Deterministic pseudo-random bytes (xorshift), no newline framing worth anything.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    write(dir.path(), "junk.bin", &bytes);
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "junk.bin", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "junk.bin");
    assert_eq!(s["format"], "unrecognised");
    assert_eq!(
        counts(s),
        Counts {
            lines: 0,
            parsed: 0,
            ignored: 0,
            malformed: 0,
            events: 0
        }
    );
    assert!(s.get("error").is_none());
    assert_sample_ports(&r);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A good log for vpn01 (192.0.2.50:22) so "the other sources are still processed" is visible.
fn good_vpn_log(dir: &Path) {
    let line = ufw("02:20:00", "192.0.2.50", 22).replace("web01", "vpn01");
    write(dir, "vpn01/kern.log", format!("{line}\n"));
}

#[test]
fn truncated_gzip_is_a_source_error_exit_2_others_processed() {
    let dir = fixture();
    good_vpn_log(dir.path());
    let plain: String = (0..200)
        .map(|i| ufw(&format!("02:12:{:02}", i % 60), "192.0.2.10", 443) + "\n")
        .collect();
    let gz = gzip(plain.as_bytes());
    write(dir.path(), "web01/syslog.2.gz", &gz[..gz.len() / 2]);

    let out = run_in(
        dir.path(),
        &[
            "analyze",
            ".",
            "--format",
            "json",
            "--output",
            "report.json",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("syslog.2.gz"), "{}", out.stderr);
    let text = fs::read_to_string(dir.path().join("report.json")).expect("report still written");
    let r: Value = serde_json::from_str(&text).unwrap();
    let s = source(&r, "./web01/syslog.2.gz");
    // Decompression fails inside the sniff window here: the source cannot be read at all.
    assert_eq!(s["format"], "unreadable", "{s}");
    assert!(
        s["error"].as_str().is_some_and(|e| !e.is_empty()),
        "error field expected: {s}"
    );
    // The other source was read and used.
    let v = source(&r, "./vpn01/kern.log");
    assert_eq!(
        counts(v),
        Counts {
            lines: 1,
            parsed: 1,
            ignored: 0,
            malformed: 0,
            events: 1
        }
    );
    assert_sample_ports(&r);
    assert_eq!(port(&r, "192.0.2.50", 22)["verdict"], "blocked");
}

/// Incompressible syslog text, so that half of its gzip still decompresses past the 64 KiB sniff
/// window: the failure then comes from the streaming read, not from sniffing.
fn big_syslog(n: usize) -> String {
    let mut x: u64 = 88172645463325252;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            format!(
                "{} ID={x:016x}\n",
                ufw(
                    &format!("02:{:02}:{:02}", 10 + i % 20, i % 60),
                    "192.0.2.10",
                    443
                )
            )
        })
        .collect()
}

#[test]
fn truncated_gzip_past_the_sniff_window_is_a_read_error_exit_2() {
    let dir = fixture();
    good_vpn_log(dir.path());
    let gz = gzip(big_syslog(4000).as_bytes());
    write(dir.path(), "web01/syslog.3.gz", &gz[..gz.len() / 2]);
    let out = run_in(
        dir.path(),
        &["analyze", ".", "--format", "json", "-o", "report.json"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("syslog.3.gz"), "{}", out.stderr);
    let r: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    let s = source(&r, "./web01/syslog.3.gz");
    assert!(
        s["error"].as_str().is_some_and(|e| !e.is_empty()),
        "error field expected: {s}"
    );
    assert!(
        s["format"] == "syslog" || s["format"] == "unreadable",
        "{s}"
    );
    assert_eq!(port(&r, "192.0.2.50", 22)["verdict"], "blocked");
    assert_sample_ports(&r);
}

#[test]

fn truncated_gzip_partial_counts_stay_consistent() {
    let dir = fixture();
    let gz = gzip(big_syslog(4000).as_bytes());
    write(dir.path(), "syslog.3.gz", &gz[..gz.len() / 2]);
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "syslog.3.gz", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "syslog.3.gz");
    assert!(s["error"].is_string());
    let c = counts(s);
    assert!(c.parsed > 0, "{s}");
    assert!(
        c.lines > 0,
        "lines read before the error must be counted: {s}"
    );
    assert_balanced(s);
}

#[test]
fn truncated_nessus_next_to_a_good_one_exit_2_good_scan_analysed() {
    let dir = fixture();
    let full = fs::read_to_string(dir.path().join("scan.nessus")).unwrap();
    // Cut in the middle of a tag, and cut cleanly after a complete element (still unclosed root).
    write(dir.path(), "cut-mid.nessus", &full[..full.len() / 2]);
    let at = full.find("</ReportHost>").unwrap() + "</ReportHost>".len();
    write(dir.path(), "cut-clean.nessus", &full[..at]);
    for cut in ["cut-mid.nessus", "cut-clean.nessus"] {
        let out = run_in(
            dir.path(),
            &["analyze", cut, "scan.nessus", "--format", "json"],
            None,
        );
        assert_eq!(out.code, 2, "{cut}: {}", out.stderr);
        assert!(out.stderr.contains(cut), "{cut}: {}", out.stderr);
        let r = out.json();
        let s = source(&r, cut);
        assert_eq!(s["format"], "unreadable", "{s}");
        assert!(s["error"].is_string(), "{s}");
        let scans: Vec<&str> = r["scans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["file"].as_str().unwrap())
            .collect();
        assert_eq!(scans, vec!["scan.nessus"], "{cut}");
        assert_sample_ports(&r);
    }
}

#[test]
fn entity_bomb_nessus_is_not_expanded() {
    let dir = fixture();
    let mut dtd = String::from("<!ENTITY lol0 \"lollollollollollollollollollol\">\n");
    for i in 1..=12 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!(" <!ENTITY lol{i} \"{refs}\">\n"));
    }
    let bomb = "&lol12;".repeat(20);
    let doc = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE NessusClientData_v2 [\n{dtd}]>\n\
<NessusClientData_v2><Report name=\"r\"><ReportHost name=\"192.0.2.99\"><HostProperties>\
<tag name=\"host-fqdn\">a{bomb}b</tag>\
<tag name=\"HOST_START_TIMESTAMP\">1795140005</tag><tag name=\"HOST_END_TIMESTAMP\">1795141000</tag>\
</HostProperties>\n<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" pluginID=\"10919\" \
pluginName=\"Open Port Re-check\"><plugin_output>{bomb}Port 8443 was detected as being open but is \
now closed{bomb}</plugin_output></ReportItem>\n</ReportHost></Report></NessusClientData_v2>\n"
    );
    write(dir.path(), "bomb.nessus", &doc);
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "bomb.nessus",
            "--format",
            "json",
            "--scanner-ip",
            SCANNER,
        ],
        None,
    );
    assert!(
        out.elapsed < Duration::from_secs(10),
        "took {:?}",
        out.elapsed
    );
    assert!(
        out.stdout.len() < 1 << 20,
        "output blew up: {} bytes",
        out.stdout.len()
    );
    match out.code {
        // Read, with the entities dropped: at most the one port, names not expanded.
        0 => {
            let r = out.json();
            let ports = r["ports"].as_array().unwrap();
            assert!(ports.len() <= 1, "{ports:?}");
            for p in ports {
                assert_eq!(p["port"], 8443);
                for h in p["hostnames"].as_array().unwrap() {
                    assert!(!h.as_str().unwrap().contains("lol"), "entity expanded: {h}");
                }
            }
        }
        2 => assert!(!out.stderr.is_empty()),
        c => panic!("unexpected exit {c}: {}", out.stderr),
    }
}

#[test]
fn three_mib_line_is_malformed_and_line_numbers_stay_exact() {
    let dir = fixture();
    let mut data = Vec::new();
    data.extend_from_slice(ufw("02:12:03", "192.0.2.10", 443).as_bytes()); // 1
    data.push(b'\n');
    data.extend_from_slice(b"Nov 20 02:12:04 web01 CRON[1]: (root) CMD (true)\n"); // 2
    // 3: a 3 MiB line naming the scanner (longer than the 1 MiB MAX_LINE and the 2 MiB buffer).
    data.extend_from_slice(ufw("02:12:05", "192.0.2.10", 443).as_bytes());
    data.extend(std::iter::repeat_n(b'A', 3 << 20));
    data.push(b'\n');
    data.extend_from_slice(ufw("02:12:06", "192.0.2.10", 443).as_bytes()); // 4
    data.push(b'\n');
    write(dir.path(), "kern.log", &data);

    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "kern.log", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "kern.log");
    assert_eq!(
        counts(s),
        Counts {
            lines: 4,
            parsed: 2,
            ignored: 1,
            malformed: 1,
            events: 2
        }
    );
    let ev = run_in(dir.path(), &["events", "kern.log", REF], None);
    assert_eq!(ev.code, 0, "{}", ev.stderr);
    let events = ev.json_lines();
    assert_eq!(event_lines(&events, "kern.log"), vec![1, 4]);
    let last = events.iter().find(|e| e["line"] == 4).unwrap();
    assert_eq!(last["event"], "firewall_deny");
    assert_eq!(last["dport"], 443);
    assert_eq!(last["time"], "2026-11-20T02:12:06Z");
}

#[test]

fn line_between_max_line_and_buffer_is_malformed() {
    let dir = fixture();
    let mut data = Vec::new();
    data.extend_from_slice(b"Nov 20 02:12:04 web01 CRON[1]: (root) CMD (true)\n");
    data.extend_from_slice(ufw("02:12:05", "192.0.2.10", 443).as_bytes());
    data.extend_from_slice(b" X=");
    data.extend(std::iter::repeat_n(b'A', 1536 * 1024)); // 1.5 MiB
    data.push(b'\n');
    write(dir.path(), "kern.log", &data);
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "kern.log", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    assert_eq!(
        counts(source(&r, "kern.log")),
        Counts {
            lines: 2,
            parsed: 0,
            ignored: 1,
            malformed: 1,
            events: 0
        }
    );
}

#[test]
fn symlink_loop_in_log_dir_is_a_note_unreadable_link_exit_2_others_processed() {
    let dir = fixture();
    good_vpn_log(dir.path());
    fs::create_dir_all(dir.path().join("vpn01/sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("vpn01/sub/loop")).unwrap();
    // A symlink to itself (ELOOP on open).
    std::os::unix::fs::symlink("self.log", dir.path().join("vpn01/self.log")).unwrap();

    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "vpn01", "--format", "json"],
        None,
    );
    // The directory loop is a note (nothing is lost: its files are read through their own path);
    // the self-link is an unreadable file, and that is what makes the exit code 2.
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("vpn01/sub/loop: a symlink back to"),
        "{}",
        out.stderr
    );
    let r = out.json();
    assert!(
        !r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["file"] == "vpn01/sub/loop"),
        "{r:#}"
    );
    let selfl = source(&r, "vpn01/self.log");
    assert_eq!(selfl["format"], "unreadable");
    assert!(selfl["error"].is_string());
    // The real file is read exactly once (the loop does not revisit it).
    let n = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["file"].as_str().unwrap().ends_with("kern.log"))
        .count();
    assert_eq!(n, 1);
    assert_eq!(counts(source(&r, "vpn01/kern.log")).events, 1);
    assert_eq!(port(&r, "192.0.2.50", 22)["verdict"], "blocked");
}

#[test]
fn a_directory_symlink_loop_alone_is_a_note_and_exit_0() {
    let dir = fixture();
    good_vpn_log(dir.path());
    fs::create_dir_all(dir.path().join("vpn01/sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("vpn01/sub/loop")).unwrap();
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "vpn01", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("a symlink back to"), "{}", out.stderr);
}

#[test]
fn unreadable_file_is_a_source_error_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = fixture();
    good_vpn_log(dir.path());
    let p = write(
        dir.path(),
        "vpn01/secret.log",
        ufw("02:20:01", "192.0.2.50", 22),
    );
    fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&p).is_ok() {
        eprintln!("running as root (chmod 000 file still readable): skipping");
        return;
    }
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "vpn01", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "vpn01/secret.log");
    assert_eq!(s["format"], "unreadable");
    assert!(s["error"].is_string());
    assert_eq!(counts(source(&r, "vpn01/kern.log")).events, 1);
}

#[test]
fn empty_and_blank_files_exit_0() {
    let dir = fixture();
    write(dir.path(), "empty.log", b"");
    write(dir.path(), "blank.log", b"\n\n\n");
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "scan.nessus",
            "empty.log",
            "blank.log",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    for (f, want_lines) in [("empty.log", 0), ("blank.log", 3)] {
        let s = source(&r, f);
        let c = counts(s);
        assert_eq!((c.parsed, c.malformed, c.events), (0, 0, 0), "{s}");
        if s["format"] == "unrecognised" {
            assert_eq!(c.lines, 0, "{s}");
        } else {
            assert_eq!(c.lines, want_lines, "{s}");
            assert_balanced(s);
        }
        assert!(s.get("error").is_none(), "{s}");
    }
    assert_sample_ports(&r);
    // `events` on them: nothing, exit 0.
    let ev = run_in(dir.path(), &["events", "empty.log", "blank.log"], None);
    assert_eq!(ev.code, 0, "{}", ev.stderr);
    assert!(ev.stdout.is_empty());
}

#[test]
fn crlf_lines_parse_with_exact_line_numbers() {
    let dir = fixture();
    let text = [
        "Nov 20 02:11:00 web01 CRON[1]: (root) CMD (true)".to_string(),
        ufw("02:12:03", "192.0.2.10", 443),
        "Nov 20 02:11:30 web01 CRON[2]: (root) CMD (true)".to_string(),
        ufw("02:12:33", "192.0.2.10", 443),
    ]
    .join("\r\n")
        + "\r\n";
    write(dir.path(), "crlf.log", &text);
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "crlf.log", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "crlf.log");
    assert_eq!(s["format"], "syslog");
    assert_eq!(
        counts(s),
        Counts {
            lines: 4,
            parsed: 2,
            ignored: 2,
            malformed: 0,
            events: 2
        }
    );
    let p = port(&r, "192.0.2.10", 443);
    assert_eq!(p["verdict"], "blocked");
    for e in p["evidence"].as_array().unwrap() {
        assert!(!e["text"].as_str().unwrap().contains('\r'));
    }

    let ev = run_in(dir.path(), &["events", "crlf.log", REF], None);
    assert_eq!(ev.code, 0, "{}", ev.stderr);
    let events = ev.json_lines();
    assert_eq!(event_lines(&events, "crlf.log"), vec![2, 4]);
    for e in &events {
        assert_eq!(e["dport"], 443, "a trailing \\r must not spoil DPT=: {e}");
        assert_eq!(e["src"], SCANNER);
    }
}

#[test]
fn strict_with_an_unreadable_input_exits_2_and_writes_no_report() {
    let dir = fixture();
    good_vpn_log(dir.path());
    let gz = gzip(b"Nov 20 02:12:03 web01 CRON[1]: x\n".repeat(100).as_slice());
    write(dir.path(), "bad.gz", &gz[..gz.len() / 2]);
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "scan.nessus",
            "vpn01/kern.log",
            "bad.gz",
            "--strict",
            "--format",
            "json",
            "-o",
            "report.json",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        !dir.path().join("report.json").exists(),
        "--strict wrote a report"
    );
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("bad.gz"), "{}", out.stderr);
    // Without --strict the same inputs give a report and still exit 2.
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "scan.nessus",
            "vpn01/kern.log",
            "bad.gz",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(source(&out.json(), "bad.gz")["format"], "unreadable");
}

#[test]
fn stdin_is_read_as_dash() {
    let dir = fixture();
    let line = ufw("02:12:03", "192.0.2.10", 443) + "\n";
    let ev = run_in(dir.path(), &["events", "-", REF], Some(line.as_bytes()));
    assert_eq!(ev.code, 0, "{}", ev.stderr);
    let events = ev.json_lines();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    // Named `<stdin>` in evidence and reports (`<stdin>:1`, not `-:1`).
    assert_eq!(e["file"], "<stdin>");
    assert_eq!(e["line"], 1);
    assert_eq!(e["format"], "syslog");
    assert_eq!(e["event"], "firewall_deny");
    assert_eq!(e["time"], "2026-11-20T02:12:03Z");

    // And as an analyze input next to the scan.
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "-", "--format", "json"],
        Some(line.as_bytes()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    assert_eq!(
        counts(source(&r, "<stdin>")),
        Counts {
            lines: 1,
            parsed: 1,
            ignored: 0,
            malformed: 0,
            events: 1
        }
    );
    assert_eq!(
        port(&r, "192.0.2.10", 443)["evidence"][0]["file"],
        "<stdin>"
    );
}

fn escape_fixture() -> TempDir {
    let dir = fixture();
    let line = ufw("02:12:03", "192.0.2.10", 443).replace(
        "[UFW BLOCK]",
        "[UFW BLOCK] \x1b[31mEVIL\x1b[0m\x1b]0;pwned\x07\u{9b}2J\u{202e}",
    );
    write(dir.path(), "web01/kern.log", format!("{line}\n"));
    dir
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n')
}

#[test]
fn escape_sequences_never_reach_json_evidence_or_events_output() {
    let dir = escape_fixture();
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "scan.nessus",
            "web01/kern.log",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(&0x1b), "raw ESC in JSON output");
    let r = out.json();
    let p = port(&r, "192.0.2.10", 443);
    assert_eq!(p["verdict"], "blocked");
    let ev = p["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 1);
    let text = ev[0]["text"].as_str().unwrap();
    assert!(
        !has_control(text),
        "control characters in evidence text: {text:?}"
    );
    assert!(text.contains("EVIL"));
    let expl = p["explanation"].as_str().unwrap();
    assert!(
        !has_control(expl),
        "control characters in explanation: {expl:?}"
    );

    // `events` is JSON: the bytes may be escaped but never raw on stdout.
    let ev = run_in(dir.path(), &["events", "web01/kern.log", REF], None);
    assert_eq!(ev.code, 0, "{}", ev.stderr);
    assert!(!ev.stdout.contains(&0x1b), "raw ESC on stdout");
    assert!(!ev.stdout.contains(&0x07), "raw BEL on stdout");
    assert_eq!(ev.json_lines().len(), 1);
}

#[test]

fn escape_sequences_never_reach_the_text_report_or_advice() {
    let dir = escape_fixture();
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "web01/kern.log"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.stdout_str();
    assert!(text.contains("EVIL"), "{text}");
    for (i, l) in text.lines().enumerate() {
        assert!(
            !has_control(l),
            "control characters in text line {}: {l:?}",
            i + 1
        );
    }
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "scan.nessus",
            "web01/kern.log",
            "--format",
            "json",
        ],
        None,
    );
    let r = out.json();
    for a in port(&r, "192.0.2.10", 443)["advice"].as_array().unwrap() {
        let a = a.as_str().unwrap();
        assert!(!has_control(a), "control characters in advice: {a:?}");
    }
}

#[test]
fn no_scan_and_missing_paths_exit_2() {
    let dir = fixture();
    good_vpn_log(dir.path());
    // Logs only.
    let out = run_in(dir.path(), &["analyze", "vpn01/kern.log"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no scan report"),
        "unclear message: {}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
    // Only a missing path.
    let out = run_in(dir.path(), &["analyze", "does-not-exist.nessus"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("does-not-exist.nessus"),
        "{}",
        out.stderr
    );
    // A missing path next to a good scan: report written, the path listed, exit 2.
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "scan.nessus",
            "nope/missing.log",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("nope/missing.log"), "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "nope/missing.log");
    assert_eq!(s["format"], "unreadable");
    assert!(s["error"].is_string());
    assert_sample_ports(&r);
    // `events` with a missing path.
    let out = run_in(dir.path(), &["events", "nope/missing.log"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nope/missing.log"), "{}", out.stderr);
}

/// Uncompressed files over 64 MiB are read in parallel chunks (pipeline::CHUNK); a line that
/// crosses a chunk boundary must still reach the parser whole.
const CHUNK: usize = 64 << 20;

/// A file just over one chunk whose boundary falls inside a deny line, between `DPT=44` and `3`.
/// Returns the line numbers of the two deny lines (the cut one, then a normal one).
fn chunk_boundary_fixture(dir: &Path) -> (u64, u64) {
    let cut_line = ufw("02:12:09", "192.0.2.10", 443) + "\n";
    let tail_line = ufw("02:12:03", "192.0.2.10", 443) + "\n";
    let filler = "Nov 20 02:12:04 web01 CRON[1]: (root) CMD (true) padding padding padding\n";
    // Bytes before the cut line: the boundary (CHUNK) lands after `DPT=44`.
    let before = CHUNK - (cut_line.len() - 2);
    let n = before / filler.len() - 1;
    let rest = before - n * filler.len();
    let head = "Nov 20 02:12:04 web01 CRON[2]: ";
    let pad = format!("{head}{}\n", "x".repeat(rest - head.len() - 1));
    let mut f = std::io::BufWriter::new(fs::File::create(dir.join("big.log")).unwrap());
    for _ in 0..n {
        f.write_all(filler.as_bytes()).unwrap();
    }
    f.write_all(pad.as_bytes()).unwrap();
    f.write_all(cut_line.as_bytes()).unwrap();
    f.write_all(tail_line.as_bytes()).unwrap();
    f.flush().unwrap();
    drop(f);
    let bytes = fs::metadata(dir.join("big.log")).unwrap().len() as usize;
    assert_eq!(
        bytes,
        CHUNK - (cut_line.len() - 2) + cut_line.len() + tail_line.len()
    );
    (n as u64 + 2, n as u64 + 3)
}

#[test]

fn line_across_the_first_chunk_boundary_is_parsed_whole() {
    let dir = fixture();
    let (cut, tail) = chunk_boundary_fixture(dir.path());
    let out = run_in(
        dir.path(),
        &["analyze", "scan.nessus", "big.log", "--format", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = out.json();
    let s = source(&r, "big.log");
    let c = counts(s);
    assert_eq!(c.lines, tail, "{s}");
    assert_eq!((c.parsed, c.malformed, c.events), (2, 0, 2), "{s}");
    assert_balanced(s);
    let mut ev: Vec<u64> = port(&r, "192.0.2.10", 443)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    ev.sort_unstable();
    assert_eq!(
        ev,
        vec![cut, tail],
        "the deny line crossing the boundary lost its port"
    );
}

#[test]
fn quiet_and_verbose_together_is_a_usage_error() {
    let dir = fixture();
    let out = run_in(dir.path(), &["analyze", "-q", "-v", "scan.nessus"], None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("'--quiet' cannot be used with '--verbose'"),
        "{}",
        out.stderr
    );
}

#[test]
fn probe_timeout_zero_says_what_is_allowed() {
    let dir = fixture();
    let out = run_in(
        dir.path(),
        &[
            "analyze",
            "--reprobe",
            "--probe-timeout",
            "0",
            "scan.nessus",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "--probe-timeout must be more than 0 and at most 5m (e.g. 500ms, 10s), got \"0\""
        ),
        "{}",
        out.stderr
    );
}
