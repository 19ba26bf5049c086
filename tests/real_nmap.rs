//! The real nmap, end to end: two listeners on 127.0.0.1, an nmap baseline, one listener stopped,
//! the rescan, and portmortem analyzing both with a log of our own that explains the stop. Only
//! 127.0.0.1 is ever scanned. Skips (saying so) when nmap is not installed; `.ci/run` installs it.

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;

fn nmap_available() -> bool {
    Command::new("nmap")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A listener accepting (and dropping) connections until `stop`; dropping it closes the port.
fn listen() -> (u16, Arc<AtomicBool>, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let h = std::thread::spawn(move || {
        while !s.load(Ordering::Relaxed) {
            let _ = l.accept();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    });
    (port, stop, h)
}

fn scan(ports: &str, out: &std::path::Path) {
    let o = Command::new("nmap")
        .args([
            "-sT",
            "-Pn",
            "-n",
            "--reason",
            "-T4",
            "--max-retries",
            "1",
            "-p",
            ports,
        ])
        .arg("-oX")
        .arg(out)
        .arg("127.0.0.1")
        .output()
        .expect("run nmap");
    assert!(
        o.status.success(),
        "nmap failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn real_nmap_baseline_and_rescan_explained_by_a_log() {
    if !nmap_available() {
        eprintln!("nmap is not installed: skipping the real-nmap end-to-end test");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let (keep, stop_keep, h_keep) = listen();
    let (gone, stop_gone, h_gone) = listen();
    let ports = format!("{keep},{gone}");
    scan(&ports, &d.path().join("base.xml"));
    // nmap's times are whole seconds: make the stop fall strictly inside the window.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    stop_gone.store(true, Ordering::Relaxed);
    h_gone.join().unwrap();
    let stopped = chrono::Local::now().with_timezone(&chrono::Utc);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    scan(&ports, &d.path().join("rescan.xml"));
    stop_keep.store(true, Ordering::Relaxed);
    h_keep.join().unwrap();

    std::fs::create_dir(d.path().join("lo")).unwrap();
    std::fs::write(
        d.path().join("lo/syslog"),
        format!(
            "{} lo systemd[1]: Stopped demo-app.service - Demo application.\n",
            stopped.format("%b %e %H:%M:%S")
        ),
    )
    .unwrap();
    std::fs::write(
        d.path().join("cfg.toml"),
        format!(
            "[services]\n\"{gone}\" = \"demo-app\"\n\n[sources.\"lo/*\"]\nhost = \"127.0.0.1\"\n"
        ),
    )
    .unwrap();
    let (code, r) = analyze_json(
        d.path(),
        &[
            "--baseline",
            "base.xml",
            "--scan",
            "rescan.xml",
            "--config",
            "cfg.toml",
            "lo",
        ],
    );
    assert_eq!(code, 0, "{r:#}");
    assert_schema_valid(&r);
    let ports = r["ports"].as_array().unwrap();
    assert_eq!(
        ports.len(),
        1,
        "only the stopped listener is affected: {r:#}"
    );
    let p = &ports[0];
    assert_eq!(p["host"], "127.0.0.1");
    assert_eq!(p["port"], gone);
    assert_eq!(p["scan_state"], "closed");
    assert_eq!(p["verdict"], "service_restart", "{p:#}");
    assert_eq!(p["cause"], "service_stop");
    assert_eq!(p["evidence"][0]["file"], "lo/syslog");
    assert_eq!(p["evidence"][0]["line"], 1);
    let e = p["explanation"].as_str().unwrap();
    assert!(e.contains("conn-refused") || e.contains("reset"), "{e}");
    assert_eq!(r["scans"][0]["format"], "nmap");
}
