//! The whole SCS site synced by ken from real repositories over `git://`, compared with what
//! the site's own build script does with the same repositories.
//!
//! The docs bundle (`KEN_SCS_BUNDLE`) and the 18 bundles of `KEN_SCS_SITE` are served by one
//! `git daemon` under `SovereignCloudStack/`; ken syncs the docs repository's `git://` URL as
//! its only source. The expected arrangement is made without any of ken's code: a checkout of
//! the docs repository, and for each manifest entry what `getDocs.js` runs (`git clone`,
//! `find -name README.md | xargs rm -f`, `mkdir -p`, then `cp -r` in `sh`, so the shell
//! expands the patterns). `ken list --json` must list exactly the pages of that tree, each
//! with the content of its `origin` blob. Then one repository moves forward (only it is
//! fetched, only its pages are indexed again), and one goes away (its pages stay, the sync
//! fails naming it). Ignored in the plain `cargo test`; `.ci/run` runs it.
//!
//! ```sh
//! KEN_SCS_BUNDLE=../shared/corpus/scs-docs.bundle KEN_SCS_SITE=../shared/corpus/site \
//!     cargo test --test it corpus_site_sync -- --ignored --nocapture
//! ```

use crate::common;
use crate::corpus_site::{docs_bundle, site_bundles};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{GitDaemon, Ken, git, run};
use serde_json::Value;

/// Every page (`.md`, `.mdx`, `.markdown`) under `root`, files and links, `/`-separated;
/// `.git` and the build's scratch folder left out.
fn pages(root: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                if name != ".git" && name != "repo_to_be_edited" {
                    stack.push(p);
                }
            } else if [".md", ".mdx", ".markdown"]
                .iter()
                .any(|x| name.to_ascii_lowercase().ends_with(x))
            {
                let rel = p.strip_prefix(root).unwrap();
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

/// What `getDocs.js` does for one manifest entry, in `site` (a checkout of the docs
/// repository): clone, drop every README.md, make the folder, `cp -r` each source in a shell.
/// Returns the sources whose `cp` failed (a pattern that matched nothing).
fn get_docs(site: &Path, url: &str, entry: &Value) -> Vec<String> {
    let label = entry["label"].as_str().unwrap_or("");
    let target = entry["target"].as_str().unwrap();
    let clone = site.join("repo_to_be_edited").join(label);
    let _ = std::fs::remove_dir_all(site.join("repo_to_be_edited"));
    git(
        site,
        &["clone", "-q", "--depth", "1", url, clone.to_str().unwrap()],
    );
    std::fs::remove_dir_all(clone.join(".git")).unwrap();
    let sh = |script: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(site)
            .output()
            .unwrap()
            .status
            .success()
    };
    let dir = clone.strip_prefix(site).unwrap().display().to_string();
    assert!(sh(&format!("find {dir} -name README.md | xargs rm -f")));
    let sub = format!("{target}/{label}");
    std::fs::create_dir_all(site.join(&sub)).unwrap();
    let sources: Vec<String> = match &entry["source"] {
        Value::Array(a) => a.iter().map(|s| s.as_str().unwrap().to_string()).collect(),
        s => vec![s.as_str().unwrap().to_string()],
    };
    let mut failed = Vec::new();
    for source in sources {
        if !sh(&format!("cp -r {dir}/{source} {sub}")) {
            failed.push(source);
        }
    }
    std::fs::remove_dir_all(site.join("repo_to_be_edited")).unwrap();
    failed
}

/// The contents of every file of the mirrors' objects folders, to tell which were fetched.
fn objects(mirror: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![mirror.join("objects")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(e.path().display().to_string());
            }
        }
    }
    out
}

fn list(ken: &Ken) -> BTreeMap<String, Value> {
    let r = run(ken.cmd(&["list", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    v.into_iter()
        .map(|d| (d["path"].as_str().unwrap().to_string(), d))
        .collect()
}

#[test]
#[ignore = "needs ../shared/corpus (scs-docs.bundle, site/); run by .ci/run"]
fn the_scs_site_synced_by_ken_is_the_site_its_build_makes() {
    let tmp = tempfile::tempdir().unwrap();
    let served = tmp.path().join("srv");
    let org = served.join("SovereignCloudStack");
    std::fs::create_dir_all(&org).unwrap();
    let docs_bundle = docs_bundle();
    let bundles = site_bundles(&docs_bundle);
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
    clone_bare(&docs_bundle, "docs");
    let mut names = Vec::new();
    for e in std::fs::read_dir(&bundles).unwrap().flatten() {
        let file = e.file_name().to_string_lossy().to_string();
        if let Some(name) = file.strip_suffix(".bundle") {
            clone_bare(&e.path(), name);
            names.push(name.to_string());
        }
    }
    names.sort();
    assert_eq!(names.len(), 18, "{names:?}");
    let daemon = GitDaemon::start(&served);
    let site_url = daemon.url("SovereignCloudStack/docs");

    // What the site's build makes of the same repositories, by its own rules.
    let site = tmp.path().join("built");
    git(
        tmp.path(),
        &["clone", "-q", &site_url, site.to_str().unwrap()],
    );
    let manifest: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(site.join("docs.package.json")).unwrap())
            .unwrap();
    let mut failed = Vec::new();
    for entry in &manifest {
        let repo = entry["repo"].as_str().unwrap();
        let name = repo.rsplit('/').next().unwrap();
        let url = daemon.url(&format!("SovereignCloudStack/{name}"));
        for f in get_docs(&site, &url, entry) {
            failed.push(format!("{repo}: {f}"));
        }
    }
    // The two gaps of the bundles (see tests/it/corpus_site.rs): no images, and the one
    // page of openstack-health-monitor left out for its licence.
    assert_eq!(
        failed,
        [
            "SovereignCloudStack/openstack-health-monitor: docs/*.md",
            "SovereignCloudStack/security-infra-scan-pipeline: docs/images/*.png"
        ]
    );
    let expected = pages(&site);

    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"scs\"\nurl = \"{site_url}\"\n"
    ));
    let r = run(ken.cmd(&["sync", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let synced: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(synced[0]["action"], "cloned");
    let repos = synced[0]["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 18);
    assert!(repos.iter().all(|r| r["action"] == "cloned"), "{repos:?}");

    let listed = list(&ken);
    // The standards overview is generated (populateStds.js on the real site, ken here: see
    // tests/it/corpus_standards.rs): pages with no repository of origin, only there.
    let generated: BTreeSet<&String> = listed
        .iter()
        .filter(|(_, d)| d["origin"].is_null())
        .map(|(p, _)| p)
        .collect();
    assert_eq!(generated.len(), 68, "{generated:?}");
    assert!(
        generated.iter().all(|p| p.starts_with("standards/")
            && (p.matches('/').count() == 2 || *p == "standards/standards/overview.mdx")),
        "{generated:?}"
    );
    let have: BTreeSet<String> = listed
        .keys()
        .filter(|p| !generated.contains(p))
        .cloned()
        .collect();
    let missing: Vec<&String> = expected.difference(&have).collect();
    let extra: Vec<&String> = have.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not listed by ken: {missing:?}\nlisted but not built: {extra:?}"
    );
    // Each page is what the build put there, and its origin says where that came from.
    let mut imported = 0;
    for (path, doc) in listed.iter().filter(|(p, _)| !generated.contains(p)) {
        let o = &doc["origin"];
        let repo_url = o["repo"].as_str().unwrap();
        let name = repo_url.rsplit('/').next().unwrap();
        let mirror = org.join(if name.ends_with(".git") {
            name.to_string()
        } else {
            format!("{name}.git")
        });
        let spec = format!(
            "{}:{}",
            o["commit"].as_str().unwrap(),
            o["path"].as_str().unwrap()
        );
        let blob = git(&mirror, &["rev-parse", &spec]);
        let built = git2::Oid::hash_file(git2::ObjectType::Blob, site.join(path))
            .unwrap()
            .to_string();
        assert_eq!(blob.trim(), built, "{path} from {spec} of {repo_url}");
        if repo_url != site_url {
            imported += 1;
        }
    }
    println!(
        "corpus_site_sync: {} pages, {imported} from the 18 imported repositories, all as the build makes them, and {} generated",
        have.len(),
        generated.len()
    );
    assert!(imported > 150, "{imported}");
    let r = run(ken.cmd(&["search", "cluster stack operator", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "docs/03-container/components/cluster-stacks/components/cluster-stack-operator/"
        ),
        "{}",
        r.stdout
    );

    // One repository moves forward: only it is fetched, only its pages are indexed again.
    let site_dir = ken.data_dir().join("mirrors/scs.site");
    let before: BTreeMap<String, BTreeSet<String>> = names
        .iter()
        .map(|n| {
            let m = site_dir.join(format!("SovereignCloudStack+{n}.git"));
            (n.clone(), objects(&m))
        })
        .collect();
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
    let first = std::fs::read_dir(&work)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .min()
        .unwrap();
    let old_text = std::fs::read_to_string(work.join(&first)).unwrap();
    std::fs::write(
        work.join(&first),
        format!("{old_text}\nA late correction.\n"),
    )
    .unwrap();
    std::fs::write(work.join("Release99.md"), "# Release 99\n\nNot yet.\n").unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "Release 99 notes"]);
    git(&work, &["push", "-q", "origin", "HEAD:main"]);

    let r = run(ken.cmd(&["sync", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let synced: Value = serde_json::from_str(&r.stdout).unwrap();
    let moved: Vec<&str> = synced[0]["repos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] != "unchanged")
        .map(|r| r["repo"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["SovereignCloudStack/release-notes"]);
    for n in &names {
        let m = site_dir.join(format!("SovereignCloudStack+{n}.git"));
        let same = objects(&m) == before[n];
        assert_eq!(same, n != "release-notes", "{n}: fetched or not");
    }
    let changes: BTreeSet<(String, String)> = synced[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_string(),
                c["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        BTreeSet::from([
            ("M".to_string(), format!("docs/06-releases/{first}")),
            ("A".to_string(), "docs/06-releases/Release99.md".to_string()),
        ])
    );
    let r = run(ken.cmd(&["status", "--json"]));
    let status: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(status["index"]["last_update_full"], false);
    assert_eq!(status["index"]["last_update_indexed"], 2);
    assert_eq!(status["index"]["pages"], listed.len() + 1);
    let r = run(ken.cmd(&["search", "late correction", "--json"]));
    assert!(
        r.stdout.contains(&format!("docs/06-releases/{first}")),
        "{}",
        r.stdout
    );

    // One repository goes away: its pages stay, and the sync fails naming it in one line.
    let standards: Vec<&String> = listed
        .iter()
        .filter(|(_, d)| {
            d["origin"]["repo"]
                .as_str()
                .is_some_and(|r| r.contains("/standards"))
        })
        .map(|(p, _)| p)
        .collect();
    assert!(standards.len() > 50, "{}", standards.len());
    // The daemon answers every request afresh: a repository moved away is not found.
    std::fs::rename(org.join("standards.git"), tmp.path().join("standards.git")).unwrap();
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let named: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("ken: "))
        .collect();
    assert_eq!(named.len(), 1, "{}", r.stderr);
    assert!(
        named[0].starts_with("ken: sync scs: SovereignCloudStack/standards ("),
        "{}",
        r.stderr
    );
    let after = list(&ken);
    for p in &standards {
        assert!(after.contains_key(*p), "{p} is gone");
    }
    let r = run(ken.cmd(&["search", "flavor naming", "--json"]));
    assert!(r.stdout.contains("scs-0100"), "{}", r.stdout);
}
