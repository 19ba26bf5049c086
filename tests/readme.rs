//! The README shows the demo's real output: keep it so.

mod common;

use common::*;

#[test]
fn readme_demo_output_is_the_real_output() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("The real output:\n\n```\n")
        .expect("demo block")
        + "The real output:\n\n```\n".len();
    let end = start + readme[start..].find("```\n").expect("end of demo block");
    let shown = &readme[start..end];
    let o = run_in(&root(), &["analyze", "samples/nov20-webfarm"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        shown,
        stdout(&o),
        "README demo output is stale: regenerate it"
    );
    // The first fenced block with `cargo run` is the demo command.
    let first_run = readme.find("cargo run").unwrap();
    assert!(
        readme[..first_run].matches("```").count() % 2 == 1,
        "cargo run is inside a fence"
    );
    assert!(
        readme[first_run..].starts_with("cargo run --release -- analyze samples/nov20-webfarm")
    );
}

/// The README's nmap baseline/rescan example shows its real output.
#[test]
fn readme_comparison_output_is_the_real_output() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let marker = "The comparison's real output:\n\n```\n";
    let start = readme.find(marker).expect("comparison block") + marker.len();
    let end = start + readme[start..].find("```\n").expect("end of block");
    let cmd = "cargo run --release -- analyze --baseline samples/nmap-rescan/base.xml --scan samples/nmap-rescan/rescan.xml samples/nmap-rescan/logs";
    assert!(readme[..start].contains(cmd), "the command shown");
    let args: Vec<&str> = cmd.split(' ').skip(4).collect();
    let o = run_in(&root(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        &readme[start..end],
        stdout(&o),
        "README comparison output is stale: regenerate it"
    );
}

/// The README's format tables name exactly what the registries hold (`portmortem formats`).
#[test]
fn readme_format_tables_match_the_registries() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("## Formats read").expect("formats section");
    let end = start + readme[start + 3..].find("\n## ").expect("next section") + 3;
    let section = &readme[start..end];
    let in_readme: std::collections::BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once("` |").map(|(n, _)| n.to_string()))
        .collect();
    let o = run_in(&root(), &["formats"]);
    assert_eq!(o.status.code(), Some(0));
    let registered: std::collections::BTreeSet<String> = stdout(&o)
        .lines()
        .filter(|l| {
            !l.starts_with(' ')
                && !l.is_empty()
                && !l.ends_with(':')
                && !l.starts_with("Compressed")
        })
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(registered.len() >= 15, "{registered:?}");
    assert_eq!(
        in_readme, registered,
        "README format tables vs `portmortem formats`"
    );
}
