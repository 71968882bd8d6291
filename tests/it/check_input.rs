//! `ken check` on hostile pages: a page over the size cap is a finding of its own (the rest is
//! still checked); 100,000 links on one line and a link of 1 MiB are checked and reported at
//! the right places, with messages of a readable length. (How long they take is measured in
//! docs/performance.md, not asserted here.)

use crate::common;

use std::path::Path;

use common::{Ken, run};
use serde_json::Value;

fn write(dir: &Path, p: &str, data: &[u8]) {
    let path = dir.join(p);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

fn check_json(ken: &Ken, dir: &Path) -> (i32, Vec<Value>, String) {
    let src = dir.display().to_string();
    let r = run(ken.cmd(&["--source", &src, "check", "--format", "json"]));
    let v: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", &r.stdout[..r.stdout.len().min(500)]));
    (r.code, v.as_array().unwrap().clone(), r.stderr)
}

#[test]
fn a_page_over_the_size_cap_is_a_finding_and_the_others_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let big = format!("# Big\n\n{}\n[gone](gone.md)\n", "word ".repeat(400));
    write(tmp.path(), "big.md", big.as_bytes());
    write(tmp.path(), "small.md", b"# Small\n\n[gone](gone.md)\n");
    let ken = Ken::new();
    ken.config("max_file_size = 1000\n");
    let (code, found, stderr) = check_json(&ken, tmp.path());
    assert_eq!(code, 1, "{stderr}");
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    // The big page's own broken link is not read, so not judged.
    assert_eq!(
        got,
        [
            ("big.md", "file/unreadable"),
            ("small.md", "link/missing-page")
        ]
    );
    let msg = found[0]["message"].as_str().unwrap();
    assert!(msg.contains("1000"), "{msg}");
    assert_eq!(found[0]["severity"], "warning");
}

#[test]
fn a_hundred_thousand_links_on_one_line_are_each_placed_and_judged() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "b.md", b"# B\n\n## Usage\n");
    // Every link is 12 characters wide and followed by a space; every 1000th is broken.
    let mut line = String::new();
    let mut want = Vec::new();
    for i in 0..100_000u64 {
        let column = line.chars().count() as u64 + 1;
        if i % 1000 == 999 {
            line.push_str("[x](bad.md) ");
            want.push((
                "link/missing-page".to_string(),
                3,
                column + 4,
                "bad.md".to_string(),
            ));
        } else if i % 1000 == 500 {
            line.push_str("[x](b.md#no)");
            line.push(' ');
            want.push((
                "link/missing-anchor".to_string(),
                3,
                column + 4,
                "b.md#no".to_string(),
            ));
        } else {
            line.push_str("[x](b.md#usage) ");
        }
    }
    write(
        tmp.path(),
        "many.md",
        format!("# Many\n\n{line}\n").as_bytes(),
    );
    let ken = Ken::new();
    let (code, found, stderr) = check_json(&ken, tmp.path());
    assert_eq!(code, 1, "{stderr}");
    let mut got: Vec<(String, u64, u64, String)> = found
        .iter()
        .map(|f| {
            assert_eq!(f["file"], "many.md");
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["target"]["written"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort_by_key(|g| g.2);
    assert_eq!(got.len(), 200);
    assert_eq!(got, want);
}

#[test]
fn a_link_of_one_mebibyte_is_one_finding_with_a_short_message() {
    let tmp = tempfile::tempdir().unwrap();
    let long = format!("{}.md", "a/".repeat(512 * 1024));
    write(
        tmp.path(),
        "long.md",
        format!("# Long\n\nBefore [the long one]({long}) after [gone](gone.md).\n").as_bytes(),
    );
    let ken = Ken::new();
    let (code, found, stderr) = check_json(&ken, tmp.path());
    assert_eq!(code, 1, "{stderr}");
    let got: Vec<(u64, u64)> = found
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
        .collect();
    let second = 7 + "[the long one](".len() + long.len() + ") after [gone](".len();
    assert_eq!(got, [(3, 23), (3, second as u64 + 1)]);
    for f in &found {
        assert_eq!(f["rule"], "link/missing-page");
        let msg = f["message"].as_str().unwrap();
        assert!(msg.len() < 1000, "{} bytes", msg.len());
        assert!(f["target"]["written"].as_str().unwrap().len() < 1000);
    }
}
