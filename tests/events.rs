//! `portmortem events`: streamed in file order, exact line numbers across chunk boundaries, the
//! same output for any thread count.

mod common;

use common::*;

#[test]
fn events_stream_in_file_order_across_chunks_for_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    // ~12 MiB of UFW lines: more than one 8 MiB streaming chunk; lengths vary so boundaries fall
    // mid-line.
    let mut text = String::new();
    let mut n = 0u32;
    while text.len() < 12 * 1024 * 1024 {
        n += 1;
        text.push_str(&format!(
            "Nov 20 02:{:02}:{:02} web01 kernel: [{n}.0] [UFW BLOCK] IN=eth0 OUT= MAC={} SRC=203.0.113.5 DST=192.0.2.10 LEN=60 PROTO=TCP SPT={} DPT={} WINDOW=64240 SYN URGP=0\n",
            (n / 60) % 60,
            n % 60,
            "52:54:00".repeat((n % 7) as usize + 1),
            1024 + n % 60000,
            n % 65535
        ));
    }
    std::fs::write(d.path().join("kern.log"), &text).unwrap();
    let run = |threads: &str| {
        let o = run_in(
            d.path(),
            &[
                "events",
                "--threads",
                threads,
                "--reference",
                "2026-11-20T00:00:00Z",
                "kern.log",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o.stdout
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one, two, "same output for 1 and 2 threads");
    let mut count = 0u32;
    for (i, l) in String::from_utf8(one).unwrap().lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let want = i as u64 + 1;
        assert_eq!(v["line"], want, "line numbers follow the file");
        assert_eq!(v["dport"], want % 65535, "each line is read whole: {l}");
        count += 1;
    }
    assert_eq!(count, n);
}
