//! Sites synced over `git://`: a docs repository whose `docs.package.json` names further
//! repositories, all served by one `git daemon` under `org/`, each case with fixtures made
//! here (the real SCS site is tests/it/corpus_site_sync.rs).

use crate::common;

use std::collections::BTreeMap;

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

/// `org/docs` (the site), `org/guides` and `org/notes` under `base`.
fn fixture(base: &std::path::Path, manifest: &str) -> (Repo, Repo, Repo) {
    let org = base.join("org");
    let docs = Repo::init(&org, "docs");
    docs.write("README.md", "# The site\n")
        .write("docs/intro.md", "# Intro\n\nWelcome.\n")
        .write("docs.package.json", manifest);
    docs.commit("site");
    let guides = Repo::init(&org, "guides");
    guides
        .write("README.md", "# Guides repository\n")
        .write("docs/README.md", "# dropped like every README.md\n")
        .write("docs/install.md", "---\ntitle: Installing\n---\nSteps.\n")
        .write("docs/deep/tuning.md", "# Tuning\n");
    guides.commit("guides");
    let notes = Repo::init(&org, "notes");
    notes
        .write("r1.md", "# Release 1\n")
        .write("r2.md", "# Release 2\n");
    notes.commit("notes");
    (docs, guides, notes)
}

const MANIFEST: &str = r#"[
  {"repo": "org/guides", "source": "docs", "target": "docs/guides", "label": ""},
  {"repo": "org/notes", "source": ["*.md"], "target": "docs/releases", "label": "all"}
]"#;

fn list(ken: &Ken, src: &str) -> BTreeMap<String, Value> {
    let r = run(ken.cmd(&["--source", src, "list", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    v.into_iter()
        .map(|d| (d["path"].as_str().unwrap().to_string(), d))
        .collect()
}

fn sync_json(ken: &Ken, src: &str) -> (i32, Value, String) {
    let r = run(ken.cmd(&["--source", src, "sync", "--json"]));
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r.code, v, r.stderr)
}

#[test]
fn a_site_lists_every_repository_at_its_site_path_with_its_origin() {
    let tmp = tempfile::tempdir().unwrap();
    let (_docs, guides, notes) = fixture(tmp.path(), MANIFEST);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));

    let (code, v, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");
    let s = &v[0];
    assert_eq!(s["action"], "cloned");
    assert_eq!(s["docs"], 6);
    let repos: Vec<(&str, &str)> = s["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["repo"].as_str().unwrap(), r["action"].as_str().unwrap()))
        .collect();
    assert_eq!(repos, [("org/guides", "cloned"), ("org/notes", "cloned")]);

    let l = list(&ken, &src);
    let paths: Vec<&str> = l.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "README.md",
            "docs/guides/docs/deep/tuning.md",
            "docs/guides/docs/install.md",
            "docs/intro.md",
            "docs/releases/all/r1.md",
            "docs/releases/all/r2.md",
        ]
    );
    let origin = &l["docs/guides/docs/install.md"]["origin"];
    assert_eq!(origin["repo"], daemon.url("org/guides"));
    assert_eq!(origin["path"], "docs/install.md");
    assert_eq!(origin["branch"], "main");
    assert_eq!(origin["commit"], guides.head());
    assert_eq!(l["docs/guides/docs/install.md"]["title"], "Installing");
    assert_eq!(l["docs/intro.md"]["origin"]["repo"], daemon.url("org/docs"));

    // Pages read from their own repository.
    let r = run(ken.cmd(&[
        "--source",
        &src,
        "show",
        "docs/releases/all/r2.md",
        "--paging",
        "never",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Release 2"), "{}", r.stdout);

    // The lock names the site and each repository at the commit synced.
    let lock = std::fs::read_to_string(ken.data_dir().join("mirrors/kb.site/site.lock")).unwrap();
    let lines: Vec<&str> = lock.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            format!("kb {} {}", daemon.url("org/docs"), _docs.head()),
            format!("org/guides {} {}", daemon.url("org/guides"), guides.head()),
            format!("org/notes {} {}", daemon.url("org/notes"), notes.head()),
        ]
    );
    let r = run(ken.cmd(&["--source", &src, "status", "--json"]));
    let st: Value = serde_json::from_str(&r.stdout).unwrap();
    let site = &st["sources"][0]["site"];
    assert_eq!(site["repos"][1]["repo"], "org/notes");
    assert_eq!(site["repos"][1]["commit"], notes.head().as_str());
    let r = run(ken.cmd(&["--source", &src, "status"]));
    assert!(
        r.stdout
            .contains(&format!("org/guides  {}", &guides.head()[..10])),
        "{}",
        r.stdout
    );

    // A search finds an imported page at its site path.
    let r = run(ken.cmd(&["--source", &src, "search", "tuning", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("docs/guides/docs/deep/tuning.md"),
        "{}",
        r.stdout
    );
}

#[test]
fn only_the_repository_that_moved_is_fetched_and_its_pages_reindexed() {
    let tmp = tempfile::tempdir().unwrap();
    let (_docs, guides, _notes) = fixture(tmp.path(), MANIFEST);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let (code, _, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");

    guides
        .write(
            "docs/install.md",
            "---\ntitle: Installing, again\n---\nSteps.\n",
        )
        .write("docs/upgrade.md", "# Upgrading\n");
    guides.remove("docs/deep/tuning.md");
    guides.commit("move forward");

    let (code, v, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");
    let s = &v[0];
    assert_eq!(s["action"], "updated");
    let actions: Vec<&str> = s["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["updated", "unchanged"]);
    let changes: Vec<(String, String)> = s["changes"]
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
        [
            ("M".to_string(), "docs/guides/docs/install.md".to_string()),
            ("A".into(), "docs/guides/docs/upgrade.md".into()),
            ("D".into(), "docs/guides/docs/deep/tuning.md".into()),
        ]
    );
    // The index took the two pages that are new or changed, and dropped one.
    let r = run(ken.cmd(&["--source", &src, "status", "--json"]));
    let st: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(st["index"]["last_update_full"], false);
    assert_eq!(st["index"]["last_update_indexed"], 2);
    assert_eq!(st["index"]["last_update_removed"], 1);
    assert_eq!(st["index"]["pages"], 6);
    let r = run(ken.cmd(&["--source", &src, "search", "again", "--json"]));
    assert!(
        r.stdout.contains("docs/guides/docs/install.md"),
        "{}",
        r.stdout
    );
    let r = run(ken.cmd(&["--source", &src, "search", "tuning", "--json"]));
    assert!(!r.stdout.contains("tuning.md"), "{}", r.stdout);

    // Nothing moved: nothing fetched, nothing indexed.
    let (code, v, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v[0]["action"], "unchanged");
    assert!(
        v[0]["repos"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["action"] == "unchanged")
    );
}

#[test]
fn a_repository_that_cannot_be_fetched_keeps_its_pages_and_fails_the_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let (_docs, _guides, notes) = fixture(tmp.path(), MANIFEST);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let (code, _, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");

    // The notes repository goes away.
    let notes_head = notes.head();
    std::fs::rename(notes.dir.clone(), tmp.path().join("gone")).unwrap();
    let (code, v, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("org/notes")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("ken: sync kb: org/notes (git://127.0.0.1:"),
        "{stderr}"
    );
    assert!(lines[0].ends_with("keeping its last good copy"), "{stderr}");
    let notes_repo = &v[0]["repos"][1];
    assert!(notes_repo["error"].is_string(), "{v}");
    assert_eq!(notes_repo["new"], notes_head.as_str());

    let l = list(&ken, &src);
    assert!(l.contains_key("docs/releases/all/r1.md"), "{:?}", l.keys());
    assert!(l.contains_key("docs/guides/docs/install.md"));
    let r = run(ken.cmd(&["--source", &src, "status"]));
    assert!(r.stdout.contains("last fetch failed: "), "{}", r.stdout);
}

#[test]
fn a_refused_entry_is_named_and_the_rest_of_the_site_syncs() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = r#"[
      {"repo": "file:///etc", "source": "passwd", "target": "docs/x"},
      {"repo": "org/notes", "source": "r1.md", "target": "docs/releases"},
      {"repo": "org/missing", "source": "docs", "target": "docs/missing"}
    ]"#;
    let _ = fixture(tmp.path(), manifest);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let (code, v, stderr) = sync_json(&ken, &src);
    // org/missing is on no server: the one failure.
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "note: kb:docs.package.json: entry 1 (file:///etc) refused: file:// URLs (local repositories) are refused"
        ),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("ken: sync kb: org/missing"))
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(v[0]["repos"][0]["action"], "cloned");
    let l = list(&ken, &src);
    assert!(l.contains_key("docs/releases/r1.md"), "{:?}", l.keys());
    assert!(!l.keys().any(|k| k.starts_with("docs/x")));
}

#[test]
fn an_imported_repositorys_own_manifest_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let (_docs, guides, _notes) = fixture(tmp.path(), MANIFEST);
    guides.write(
        "docs.package.json",
        r#"[{"repo": "org/deeper", "source": "x.md", "target": "docs"}]"#,
    );
    guides.commit("a manifest of its own");
    let deeper = Repo::init(&tmp.path().join("org"), "deeper");
    deeper.write("x.md", "# Deeper\n");
    deeper.commit("deeper");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let (code, v, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v[0]["repos"].as_array().unwrap().len(), 2);
    assert!(
        !ken.data_dir()
            .join("mirrors/kb.site/org+deeper.git")
            .exists()
    );
    let l = list(&ken, &src);
    assert!(!l.contains_key("docs/x.md"));
    let r = run(ken.cmd(&["--source", &src, "status"]));
    assert!(
        r.stdout
            .contains("has a docs.package.json of its own; it is not followed"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_huge_file_in_an_imported_repository_is_skipped_by_the_size_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let (_docs, guides, _notes) = fixture(tmp.path(), MANIFEST);
    guides.write("docs/huge.md", "# Huge\n".repeat(400));
    guides.commit("huge");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    ken.config(&format!(
        "max_file_size = 1000\n[[source]]\nname = \"kb\"\nurl = \"{}\"\n",
        daemon.url("org/docs")
    ));
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(ken.cmd(&["list", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("huge.md"), "{}", r.stdout);
    assert!(r.stdout.contains("docs/guides/docs/install.md"));
    assert!(
        r.stderr
            .contains("note: kb:docs/guides/docs/huge.md: skipped: 2.7 KiB is over the size cap"),
        "{}",
        r.stderr
    );
}

#[test]
fn site_false_turns_the_manifest_off_and_a_broken_manifest_keeps_the_last_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let (docs, _guides, _notes) = fixture(tmp.path(), MANIFEST);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"kb\"\nurl = \"{}\"\nsite = false\n",
        daemon.url("org/docs")
    ));
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(ken.cmd(&["list"]));
    assert!(!r.stdout.contains("docs/guides"), "{}", r.stdout);
    assert!(!ken.data_dir().join("mirrors/kb.site").exists());

    ken.config(&format!(
        "[[source]]\nname = \"kb\"\nurl = \"{}\"\n",
        daemon.url("org/docs")
    ));
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(ken.cmd(&["list"]));
    assert!(
        r.stdout.contains("docs/guides/docs/install.md"),
        "{}",
        r.stdout
    );

    docs.write(
        "docs.package.json",
        "[\n  {\"repo\": \"org/guides\",\n  oops\n]\n",
    )
    .write("docs/new.md", "# New\n");
    docs.commit("broken manifest");
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("kb: kb:docs.package.json:3:3: not valid JSON: "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("keeping the last good copy"),
        "{}",
        r.stderr
    );
    let r = run(ken.cmd(&["list"]));
    assert!(
        r.stdout.contains("docs/guides/docs/install.md"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("docs/new.md"), "{}", r.stdout);
}

#[test]
fn report_and_edit_go_to_the_repository_a_page_comes_from() {
    let tmp = tempfile::tempdir().unwrap();
    let (docs, guides, _notes) = fixture(tmp.path(), MANIFEST);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    // Recorded as on GitHub, fetched from the daemon (a fleet mirror of github.com).
    ken.config("[[source]]\nname = \"kb\"\nurl = \"https://github.com/org/docs\"\n");
    let mirror = format!(
        "https://github.com/={}/",
        daemon.url("").trim_end_matches('/')
    );
    let cmd = |args: &[&str]| {
        let mut c = ken.cmd(args);
        c.env("KEN_MIRROR", &mirror);
        run(c)
    };
    let r = cmd(&["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = cmd(&[
        "report",
        "docs/guides/docs/install.md",
        "--lines",
        "4",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep: Value = serde_json::from_str(&r.stdout).unwrap();
    let permalink = format!(
        "https://github.com/org/guides/blob/{}/docs/install.md#L4",
        guides.head()
    );
    assert_eq!(rep["permalink"], permalink.as_str());
    assert_eq!(rep["origin"]["repo"], "https://github.com/org/guides");
    assert_eq!(
        rep["body"],
        format!(
            "Page: kb:docs/guides/docs/install.md\nSource: {permalink}\n\n> Steps.\n\nWhat is wrong or missing:\n\n"
        )
        .as_str()
    );
    let url = rep["url"].as_str().unwrap();
    assert!(
        url.starts_with(
            "https://github.com/org/guides/issues/new?title=Problem%20on%20the%20page%20%22Installing%22&body=Page%3A%20kb%3Adocs%2Fguides%2Fdocs%2Finstall%2Emd%0ASource%3A%20"
        ),
        "{url}"
    );

    // A section by its anchor; the plain output is the link, then what it points at.
    let r = cmd(&["report", "docs/guides/docs/deep/tuning.md#tuning"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("https://github.com/org/guides/issues/new?"),
        "{}",
        r.stdout
    );
    assert!(lines[0].contains("%3E%20%23%20Tuning%0A"), "{}", r.stdout);
    assert_eq!(
        lines[2],
        format!(
            "  permalink: https://github.com/org/guides/blob/{}/docs/deep/tuning.md#L1",
            guides.head()
        )
    );

    // The site's own page goes to the site's repository.
    let r = cmd(&["report", "docs/intro.md", "--json"]);
    let rep: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        rep["permalink"],
        format!(
            "https://github.com/org/docs/blob/{}/docs/intro.md",
            docs.head()
        )
        .as_str()
    );

    let r = cmd(&["report", "docs/guides/docs/install.md", "--lines", "3-9"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim(),
        "ken: lines 3-9: docs/guides/docs/install.md has 4 lines"
    );
}

#[test]
fn with_no_configuration_the_source_is_the_scs_site() {
    // The default source, https://github.com/SovereignCloudStack/docs, fetched through a
    // fleet mirror rule from a daemon serving a small site of that name.
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("SovereignCloudStack");
    let docs = Repo::init(&org, "docs");
    docs.write("docs/index.md", "# Welcome\n").write(
        "docs.package.json",
        r#"[{"repo": "SovereignCloudStack/standards", "source": "Standards/*.md", "target": "docs/standards", "label": ""}]"#,
    );
    docs.commit("site");
    let standards = Repo::init(&org, "standards");
    standards.write(
        "Standards/scs-0100-v3-flavor-naming.md",
        "# Flavor naming\n",
    );
    standards.commit("standards");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let mirror = format!(
        "https://github.com/={}/",
        daemon.url("").trim_end_matches('/')
    );
    let cmd = |args: &[&str]| {
        let mut c = ken.cmd(args);
        c.env("KEN_MIRROR", &mirror);
        run(c)
    };
    let r = cmd(&["sync"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("scs: cloned at "), "{}", r.stdout);
    let r = cmd(&["list"]);
    assert!(
        r.stdout
            .contains("docs/standards/scs-0100-v3-flavor-naming.md"),
        "{}",
        r.stdout
    );
    let r = cmd(&["status"]);
    assert!(
        r.stdout
            .contains("https://github.com/SovereignCloudStack/docs"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "SovereignCloudStack/standards  {}",
            &standards.head()[..10]
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn a_site_with_populate_stds_gets_the_standards_overview_generated() {
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    let docs = Repo::init(&org, "docs");
    docs.write("populateStds.js", "// the site's generator\n")
        .write("docs/index.md", "# Welcome\n")
        .write(
            "docs.package.json",
            r#"[{"repo": "org/standards", "source": "Standards/*.md", "target": "docs/x", "label": ""}]"#,
        )
        .write(
            "standards/scs-0100-v1-flavor-naming.md",
            "---\ntitle: Flavor naming\ntype: Standard\nstatus: Deprecated\ntrack: IaaS\n\
             stabilized_at: 2022-09-08\ndeprecated_at: 2023-10-31\n---\n# v1\n",
        )
        .write(
            "standards/scs-0100-v2-flavor-naming.md",
            "---\ntitle: Flavor naming\ntype: Standard\nstatus: Stable\ntrack: IaaS\n\
             stabilized_at: 2023-06-14\n---\n# v2\n",
        );
    docs.commit("site");
    let standards = Repo::init(&org, "standards");
    standards.write("Standards/other.md", "# Other\n");
    standards.commit("standards");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let (code, _, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");

    // The second listing reads the catalogue the first one wrote: the same answer.
    for _ in 0..2 {
        let l = list(&ken, &src);
        for p in [
            "standards/iaas/index.md",
            "standards/iaas/scs-0100.md",
            "standards/standards/overview.mdx",
        ] {
            assert!(l.contains_key(p), "{p} in {:?}", l.keys());
            assert!(
                l[p]["origin"].is_null(),
                "{p}: generated, from no repository"
            );
        }
    }
    let r = run(ken.cmd(&[
        "--source",
        &src,
        "show",
        "standards/iaas/scs-0100.md",
        "--paging",
        "never",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("generated: 20"),
        "marked as generated: {}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("scs-0100-v2[2] │ Standard │ Stable     │ 2023-06-14 │ -"),
        "{}",
        r.stdout
    );
    let r = run(ken.cmd(&[
        "--source",
        &src,
        "search",
        "deprecated",
        "scs-0100",
        "--json",
    ]));
    assert!(
        r.stdout.contains("standards/iaas/scs-0100.md"),
        "{}",
        r.stdout
    );
    // Nobody edits a generated page: ken check leaves it alone.
    let r = run(ken.cmd(&["--source", &src, "check", "--format", "json"]));
    assert!(!r.stdout.contains("standards/iaas/"), "{}", r.stdout);
}

#[test]
fn a_damaged_state_is_repaired_with_the_sites_repositories_from_its_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let (_docs, _guides, notes) = fixture(tmp.path(), MANIFEST);
    let mut daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let (code, _, stderr) = sync_json(&ken, &src);
    assert_eq!(code, 0, "{stderr}");
    let before = list(&ken, &src);
    daemon.stop();
    std::fs::write(ken.data_dir().join("state.json"), "{ torn").unwrap();

    let r = run(ken.cmd(&["--source", &src, "--offline", "list", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let paths: Vec<&str> = after.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(paths, before.keys().map(String::as_str).collect::<Vec<_>>());
    let r = run(ken.cmd(&["--source", &src, "status", "--json"]));
    let st: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        st["sources"][0]["site"]["repos"][1]["commit"],
        notes.head().as_str()
    );
    assert_eq!(st["sources"][0]["site"]["repos"][1]["branch"], "main");
}
