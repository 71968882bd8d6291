//! Corpus test on 30 real commits of the SCS docs repository (`../shared/corpus/scs-docs.bundle`,
//! or the bundle named by `KEN_SCS_BUNDLE`): served by `git daemon`, synced by ken at `HEAD~10`
//! and then at `HEAD`; ken's change list and `ken list` must agree with git.
//!
//! Ignored in the plain `cargo test` (a fresh clone has no ../shared); `.ci/run` runs it with
//! `cargo test --test corpus_sync -- --ignored`, and then it fails if the bundle is missing.

use crate::common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{GitDaemon, Ken, git, run};
use serde_json::Value;

fn bundle() -> PathBuf {
    let p = std::env::var_os("KEN_SCS_BUNDLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/scs-docs.bundle")
        });
    assert!(
        p.is_file(),
        "{}: the SCS bundle is missing (set KEN_SCS_BUNDLE)",
        p.display()
    );
    p
}

fn is_doc(p: &str) -> bool {
    let l = p.to_lowercase();
    [".md", ".mdx", ".markdown"].iter().any(|e| l.ends_with(e))
}

fn rows(v: &Value) -> BTreeSet<(String, String, String)> {
    v["changes"]
        .as_array()
        .expect("changes array")
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap_or_default().to_string(),
                c["path"].as_str().unwrap_or_default().to_string(),
                c["from"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs ../shared/corpus/scs-docs.bundle; run by .ci/run"]
fn scs_history_changes_and_list_match_git() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = bundle();
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            bundle.to_str().unwrap(),
            "docs.git",
        ],
    );
    let repo = tmp.path().join("docs.git");
    let head = git(&repo, &["rev-parse", "HEAD"]).trim().to_string();
    let old = git(&repo, &["rev-parse", "HEAD~10"]).trim().to_string();
    let branch = git(&repo, &["symbolic-ref", "--short", "HEAD"])
        .trim()
        .to_string();
    git(
        &repo,
        &["update-ref", &format!("refs/heads/{branch}"), &old],
    );

    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    // The docs repository alone: its docs.package.json names repositories this daemon does
    // not serve (the whole site is tests/it/corpus_site_sync.rs).
    ken.config(&format!(
        "[[source]]\nname = \"scs\"\nurl = \"{}\"\nsite = false\n",
        daemon.url("docs.git")
    ));

    let r = run(ken.cmd(&["sync", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(first[0]["new"], old.as_str());

    git(
        &repo,
        &["update-ref", &format!("refs/heads/{branch}"), &head],
    );
    let r = run(ken.cmd(&["sync", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let second: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(second[0]["old"], old.as_str());
    assert_eq!(second[0]["new"], head.as_str());

    // git's view of the same two commits, restricted to documents.
    let mut expected = BTreeSet::new();
    for line in git(&repo, &["diff", "--name-status", "-M", &old, &head]).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match &f[0][..1] {
            "R" => match (is_doc(f[1]), is_doc(f[2])) {
                (true, true) => expected.insert(("R".into(), f[2].into(), f[1].into())),
                (true, false) => expected.insert(("D".into(), f[1].into(), String::new())),
                (false, true) => expected.insert(("A".into(), f[2].into(), String::new())),
                _ => false,
            },
            s if is_doc(f[1]) => expected.insert((s.to_string(), f[1].into(), String::new())),
            _ => false,
        };
    }
    let got = rows(&second[0]);
    assert!(!expected.is_empty(), "the 10 commits change documents");
    assert_eq!(got, expected);
    eprintln!(
        "HEAD~10..HEAD: {} document changes, all matching git diff --name-status -M",
        got.len()
    );

    // `ken list` is exactly the documents git has at HEAD.
    let r = run(ken.cmd(&["list", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let listed: BTreeSet<String> = list
        .iter()
        .map(|d| d["path"].as_str().unwrap_or_default().to_string())
        .collect();
    let in_git: BTreeSet<String> = git(&repo, &["ls-tree", "-r", "--name-only", &head])
        .lines()
        .filter(|p| is_doc(p))
        .map(str::to_string)
        .collect();
    assert_eq!(listed, in_git);
    assert!(
        list.iter()
            .all(|d| !d["title"].as_str().unwrap_or_default().is_empty()),
        "every document has a title"
    );
    let status = run(ken.cmd(&["status", "--json"]));
    let s: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(s["sources"][0]["docs"], listed.len());
}
