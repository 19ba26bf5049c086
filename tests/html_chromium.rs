//! The HTML report in a real headless Chromium: the page parses as meant (one SVG timeline per
//! host, window/recheck/evidence marks with their data attributes and hover text, summary links
//! that reach their sections, provenance), every mark is drawn inside its timeline, nothing
//! overflows the page sideways, and a screenshot is taken (kept under target/ for a person to
//! look at). Skips with a message when no Chromium is installed, unless
//! PORTMORTEM_REQUIRE_CHROMIUM is set (CI sets it: `.ci/run` installs Chromium).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const SAMPLE: &str = "samples/nov20-webfarm";

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PORTMORTEM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn require() -> Option<PathBuf> {
    let c = chromium();
    if c.is_none() {
        assert!(
            std::env::var_os("PORTMORTEM_REQUIRE_CHROMIUM").is_none(),
            "PORTMORTEM_REQUIRE_CHROMIUM is set but no chromium is on PATH"
        );
        eprintln!("skipping: no chromium on PATH (apt-get install chromium)");
    }
    c
}

/// Run headless Chromium with `args` on `page`; its stdout. Bounded to 90 s.
fn run_chromium(bin: &Path, profile: &Path, args: &[&str], page: &Path) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let t0 = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if t0.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("reader")
}

/// Layout checks the page itself cannot carry (it has no script): added to a copy for the test.
const PROBE_SCRIPT: &str = r##"<script>
addEventListener('load', () => {
  const outside = [];
  for (const svg of document.querySelectorAll('svg.timeline')) {
    const b = svg.getBoundingClientRect();
    for (const el of svg.querySelectorAll('[data-evidence],[data-kind]')) {
      const r = el.getBoundingClientRect();
      const ok = r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1
        && r.bottom <= b.bottom + 1 && (r.width > 0 || r.height > 0);
      if (!ok) outside.push(el.getAttribute('data-evidence') || el.getAttribute('data-kind'));
    }
  }
  // A window ends where its recheck is drawn.
  const misplaced = [];
  for (const lane of document.querySelectorAll('svg.timeline')) {
    const wins = lane.querySelectorAll('[data-kind="window"]');
    const checks = lane.querySelectorAll('[data-kind="recheck"]');
    wins.forEach((w, i) => {
      const c = checks[i];
      if (!c || Math.abs(w.getBoundingClientRect().right - c.getBoundingClientRect().left
          - c.getBoundingClientRect().width / 2) > 2) misplaced.push(w.getAttribute('data-port'));
    });
  }
  const links = [...document.querySelectorAll('table.summary a[href^="#"]')]
    .filter(a => !document.getElementById(a.getAttribute('href').slice(1)));
  document.body.setAttribute('data-outside', outside.join(' '));
  document.body.setAttribute('data-misplaced', misplaced.join(' '));
  document.body.setAttribute('data-dead-links', links.length);
  document.body.setAttribute('data-overflow',
    document.documentElement.scrollWidth > innerWidth + 1 ? 'yes' : 'no');
  document.body.setAttribute('data-checked', 'yes');
});
</script>"##;

fn attr(dom: &str, name: &str) -> String {
    let key = format!("{name}=\"");
    let i = dom
        .find(&key)
        .unwrap_or_else(|| panic!("{name} missing from the DOM"));
    let rest = &dom[i + key.len()..];
    rest[..rest.find('"').unwrap_or(0)].to_string()
}

#[test]
fn html_report_renders_in_chromium_with_timelines_links_and_provenance() {
    let Some(bin) = require() else { return };
    let d = tempfile::tempdir().unwrap();
    let page = d.path().join("report.html");
    let o = run_in(
        &root(),
        &[
            "analyze",
            "-o",
            page.to_str().unwrap(),
            "--no-progress",
            SAMPLE,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "-o .html writes HTML");
    assert!(
        !html.contains("<script") && !html.contains("http://") && !html.contains("https://"),
        "self-contained: no script, no external resource"
    );

    // The DOM as Chromium parsed it.
    let profile = d.path().join("profile");
    let dom = run_chromium(&bin, &profile, &["--dump-dom"], &page);
    assert!(dom.contains("</html>"), "no DOM dumped: {dom:.200}");
    let count = |needle: &str| dom.matches(needle).count();
    assert_eq!(count("<svg class=\"timeline\""), 7, "one timeline per host");
    assert_eq!(count("data-kind=\"window\""), 7);
    assert_eq!(count("data-kind=\"recheck\""), 7);
    assert_eq!(count("data-kind=\"slack\""), 7);
    // Each evidence line is one mark with hover text: time, event, text.
    for (ev, time) in [
        ("web01/kern.log:6", "2026-11-20T02:12:03Z"),
        ("web01/kern.log:11", "2026-11-20T02:30:58Z"),
        ("app01/syslog:14", "2026-11-20T02:21:17Z"),
        ("db01/syslog.1.gz:7", ""),
        ("ids01/eve.json:3", ""),
        ("bastion01/fail2ban.log:10", ""),
    ] {
        let key = format!("data-evidence=\"{SAMPLE}/{ev}\"");
        let i = dom.find(&key).unwrap_or_else(|| panic!("{key} missing"));
        let mark = &dom[i..i + dom[i..].find("</circle>").unwrap()];
        assert!(mark.contains("<title>"), "{ev}: no hover text");
        assert!(mark.contains(time), "{ev}: hover lacks its time: {mark}");
    }
    assert_eq!(count("data-evidence="), 15, "every evidence line once");
    // Sections: headings with host name, state, verdict, cause and confidence.
    let i = dom
        .find("id=\"p-192.0.2.10-tcp-443\"")
        .expect("port section");
    let heading = &dom[i..i + dom[i..].find("</h4>").unwrap()];
    for want in [
        "web01.example.com",
        "unresponsive",
        "blocked",
        "firewall_drop",
        "high confidence",
    ] {
        assert!(heading.contains(want), "heading lacks {want}: {heading}");
    }
    assert!(
        dom.contains("href=\"#p-192.0.2.70-tcp-22\""),
        "summary links"
    );
    // The re-probe plan and the provenance.
    assert!(dom.contains("id=\"reprobe\""));
    assert!(dom.contains("nmap -Pn -sT --reason -p 443 192.0.2.10"));
    assert!(dom.contains("id=\"provenance\""));
    assert!(dom.contains(&format!("portmortem {}", env!("CARGO_PKG_VERSION"))));
    let scan_digest =
        blake3::hash(&std::fs::read(root().join(SAMPLE).join("scan.nessus")).unwrap())
            .to_hex()
            .to_string();
    assert!(dom.contains(&scan_digest), "scan digest missing");

    // Layout in the real engine: marks inside their timelines, windows end at their recheck,
    // every summary link has a target, no sideways overflow.
    let probe = d.path().join("probe.html");
    std::fs::write(
        &probe,
        html.replace("</body>", &format!("{PROBE_SCRIPT}</body>")),
    )
    .unwrap();
    // At a desktop and a narrow window: wide tables scroll inside their box, the page does not.
    for size in ["--window-size=1280,900", "--window-size=800,900"] {
        let dom = run_chromium(&bin, &profile, &[size, "--dump-dom"], &probe);
        assert_eq!(
            attr(&dom, "data-checked"),
            "yes",
            "the layout probe did not run"
        );
        assert_eq!(
            attr(&dom, "data-outside"),
            "",
            "{size}: marks drawn outside their timeline"
        );
        assert_eq!(
            attr(&dom, "data-misplaced"),
            "",
            "{size}: window not ending at its recheck"
        );
        assert_eq!(attr(&dom, "data-dead-links"), "0");
        assert_eq!(
            attr(&dom, "data-overflow"),
            "no",
            "{size}: the page overflows sideways"
        );
    }

    // A screenshot of the page, kept for a person to look at.
    let shot_dir = root().join("target/html-report");
    std::fs::create_dir_all(&shot_dir).unwrap();
    let shot = shot_dir.join("sample.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &bin,
        &profile,
        &[
            "--window-size=1280,2400",
            &format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    // A blank page of that size compresses to a few KB; the report's text and colours do not.
    assert!(
        png.len() > 60_000,
        "screenshot looks blank: {} bytes",
        png.len()
    );
    std::fs::copy(&page, shot_dir.join("sample.html")).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// A file name is attacker-chosen too (an archive's member names): in the page it is text, in an
/// attribute it stays inside its quotes, and Chromium builds no element from it.
#[test]
fn hostile_file_names_stay_text_in_chromium() {
    let Some(bin) = require() else { return };
    let d = tempfile::tempdir().unwrap();
    let case = d.path().join("case");
    copy_dir(&root().join(SAMPLE), &case);
    let evil = "k\"><img src=x onerror=alert(1)><svg onload=alert(2)>.log";
    std::fs::rename(case.join("web01/kern.log"), case.join("web01").join(evil)).unwrap();
    let page = d.path().join("r.html");
    let o = run_in(
        d.path(),
        &[
            "analyze",
            "--no-progress",
            "-o",
            page.to_str().unwrap(),
            "case",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dom = run_chromium(&bin, &d.path().join("profile"), &["--dump-dom"], &page);
    assert!(dom.contains("</html>"));
    assert!(
        !dom.contains("<img"),
        "an element was built from a file name"
    );
    assert_eq!(dom.matches("<svg").count(), 7, "only the timelines are SVG");
    assert!(
        dom.contains("data-evidence=\"case/web01/k&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
    );
}
