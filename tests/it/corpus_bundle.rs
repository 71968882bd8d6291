//! The whole SCS site carried by a bundle: node A syncs the real repositories over `git://`
//! (the docs bundle `KEN_SCS_BUNDLE` and the 18 of `KEN_SCS_SITE`, served by one `git daemon`
//! under `SovereignCloudStack/`) and writes a bundle; node B, offline with the daemon stopped,
//! imports it and must list and search exactly what A does. Then the release notes move
//! upstream, A writes an incremental bundle holding only them, and B matches A again. Ignored
//! in the plain `cargo test`; `.ci/run` runs it.
//!
//! ```sh
//! KEN_SCS_BUNDLE=../shared/corpus/scs-docs.bundle KEN_SCS_SITE=../shared/corpus/site \
//!     cargo test --test it corpus_bundle -- --ignored
//! ```

use crate::bundle::sorted_hits;
use crate::common;
use crate::corpus_site::{docs_bundle, site_bundles};

use std::path::Path;
use std::process::Command;

use common::{GitDaemon, Ken, git, run};
use serde_json::Value;

fn ok(ken: &Ken, args: &[&str]) -> String {
    let r = run(ken.cmd(args));
    assert_eq!(r.code, 0, "ken {args:?}: {}{}", r.stdout, r.stderr);
    r.stdout
}

/// What a reader sees: every page with its origin, and what some searches find (see
/// `bundle::sorted_hits` for why without scores and in a fixed order). Not "status page":
/// many of its sections score within a hair of each other, so which of them make the cut of
/// three per page depends on the index's segments (see `sorted_hits`).
fn view(ken: &Ken, src: &str) -> (Value, Vec<Value>) {
    let list: Value =
        serde_json::from_str(&ok(ken, &["--offline", "--source", src, "list", "--json"])).unwrap();
    let searches = [
        "keystone",
        "flavor naming",
        "cluster stack operator",
        "release notes",
    ]
    .iter()
    .map(|q| {
        let r = run(ken.cmd(&["--offline", "--source", src, "search", "--json", q]));
        assert!(r.code <= 1, "search {q}: {}", r.stderr);
        let mut v: Value = serde_json::from_str(&r.stdout).unwrap();
        sorted_hits(&mut v);
        v
    })
    .collect();
    (list, searches)
}

/// Asserts two views are the same, naming the first line of their JSON that differs.
fn assert_same(b: &(Value, Vec<Value>), a: &(Value, Vec<Value>)) {
    let (sb, sa) = (
        serde_json::to_string_pretty(b).unwrap(),
        serde_json::to_string_pretty(a).unwrap(),
    );
    if let Some((i, (x, y))) = sb
        .lines()
        .zip(sa.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
    {
        panic!("B differs from A at line {i}: {x} vs {y}");
    }
    assert_eq!(
        sb.lines().count(),
        sa.lines().count(),
        "B and A differ in length"
    );
}

fn manifest(ken: &Ken, bundle: &Path) -> Value {
    let out = ok(
        ken,
        &["bundle", "inspect", "--json", bundle.to_str().unwrap()],
    );
    serde_json::from_str::<Value>(&out).unwrap()["manifest"].clone()
}

#[test]
#[ignore = "needs ../shared/corpus (scs-docs.bundle, site/); run by .ci/run"]
fn the_scs_site_travels_in_a_bundle_full_then_incremental() {
    let tmp = tempfile::tempdir().unwrap();
    let served = tmp.path().join("srv");
    let org = served.join("SovereignCloudStack");
    std::fs::create_dir_all(&org).unwrap();
    let docs = docs_bundle();
    let bundles = site_bundles(&docs);
    let clone_bare = |bundle: &Path, name: &str| {
        git(
            &org,
            &[
                "clone",
                "-q",
                "--bare",
                bundle.to_str().unwrap(),
                &format!("{name}.git"),
            ],
        );
    };
    clone_bare(&docs, "docs");
    for e in std::fs::read_dir(&bundles).unwrap().flatten() {
        let file = e.file_name().to_string_lossy().to_string();
        if let Some(name) = file.strip_suffix(".bundle") {
            clone_bare(&e.path(), name);
        }
    }
    let mut daemon = GitDaemon::start(&served);
    let src = format!("scs={}", daemon.url("SovereignCloudStack/docs"));
    let a = Ken::new();
    ok(&a, &["--source", &src, "sync"]);
    let full = tmp.path().join("full.kenbundle");
    ok(
        &a,
        &["--source", &src, "bundle", "create", full.to_str().unwrap()],
    );
    let m = manifest(&a, &full);
    let repos = m["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 19, "{m}");
    assert_eq!(repos[0]["site_manifest"], "docs.package.json");
    assert!(repos[1..].iter().all(|r| r["site"] == "scs"), "{m}");

    // Every part is a git bundle git takes as it is.
    let parts = tmp.path().join("parts");
    std::fs::create_dir_all(&parts).unwrap();
    let st = Command::new("tar")
        .arg("xf")
        .arg(&full)
        .arg("-C")
        .arg(&parts)
        .status()
        .unwrap();
    assert!(st.success());
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    git(&empty, &["init", "-q"]);
    for r in repos {
        let part = parts.join(r["part"].as_str().unwrap());
        git(&empty, &["bundle", "verify", "-q", part.to_str().unwrap()]);
    }

    daemon.stop();
    let b = Ken::new();
    let out = ok(
        &b,
        &[
            "--offline",
            "--source",
            &src,
            "bundle",
            "import",
            full.to_str().unwrap(),
        ],
    );
    assert!(out.contains("scs: imported at "), "{out}");
    assert!(out.contains("18 repositories: 18 cloned"), "{out}");
    assert_same(&view(&b, &src), &view(&a, &src));

    // The release notes move upstream; the incremental bundle holds them alone.
    daemon.restart();
    let work = tmp.path().join("release-notes");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            org.join("release-notes.git").to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );
    std::fs::write(work.join("Release99.md"), "# Release 99\n\nNot yet.\n").unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "Release 99 notes"]);
    git(&work, &["push", "-q", "origin", "HEAD:main"]);
    ok(&a, &["--source", &src, "sync"]);
    let incr = tmp.path().join("incr.kenbundle");
    ok(
        &a,
        &[
            "--source",
            &src,
            "bundle",
            "create",
            incr.to_str().unwrap(),
            "--since",
            full.to_str().unwrap(),
        ],
    );
    let m = manifest(&a, &incr);
    let with_part: Vec<&str> = m["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["part"].is_string())
        .map(|r| r["repo"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(with_part, ["SovereignCloudStack/release-notes"]);
    let (full_size, incr_size) = (
        std::fs::metadata(&full).unwrap().len(),
        std::fs::metadata(&incr).unwrap().len(),
    );
    assert!(
        incr_size * 50 < full_size,
        "{incr_size} vs {full_size} bytes"
    );

    daemon.stop();
    let out = ok(
        &b,
        &[
            "--offline",
            "--source",
            &src,
            "bundle",
            "import",
            incr.to_str().unwrap(),
        ],
    );
    assert!(
        out.contains("from the bundle: 1 added, 0 modified"),
        "{out}"
    );
    assert!(
        out.contains("18 repositories: 1 updated, 17 up to date"),
        "{out}"
    );
    assert_same(&view(&b, &src), &view(&a, &src));
}
