//! Sync over a real network protocol: each test serves repositories it creates with
//! `git daemon` on 127.0.0.1 and ken fetches them over `git://`.

use crate::common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

fn list_json(ken: &Ken, args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["list", "--json"]);
    let r = run(ken.cmd(&all));
    assert_eq!(r.code, 0, "ken list failed: {}", r.stderr);
    serde_json::from_str::<Vec<Value>>(&r.stdout).expect("list --json is a JSON array")
}

fn paths(list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .map(|d| d["path"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn title_of<'a>(list: &'a [Value], path: &str) -> &'a str {
    list.iter()
        .find(|d| d["path"] == path)
        .and_then(|d| d["title"].as_str())
        .unwrap_or("<missing>")
}

fn sync_json(ken: &Ken, source: &str) -> Value {
    let r = run(ken.cmd(&["--source", source, "sync", "--json"]));
    assert_eq!(r.code, 0, "ken sync failed: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("sync --json is JSON");
    v[0].clone()
}

fn fixture(base: &std::path::Path) -> Repo {
    let repo = Repo::init(base, "docs");
    repo.write("README.md", "# Runbooks\n\nStart here.\n")
        .write(
            "iaas/keystone.md",
            "---\ntitle: Rotating fernet keys\nstatus: Stable\n---\n# Keystone\n\nRotate.\n",
        )
        .write("iaas/nova.mdx", "import X from 'y';\n\n# Nova scheduling\n")
        .write("notes.txt", "not a document\n")
        .write("ops/plain.markdown", "no heading at all\n");
    repo.commit("first");
    repo
}

#[test]
fn first_clone_lists_documents_with_titles() {
    let tmp = tempfile::tempdir().unwrap();
    let _repo = fixture(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));

    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("kb: cloned at "), "{}", r.stdout);
    assert!(r.stdout.contains("4 docs"), "{}", r.stdout);

    let list = list_json(&ken, &["--source", &src]);
    assert_eq!(
        paths(&list),
        BTreeSet::from([
            "README.md".to_string(),
            "iaas/keystone.md".into(),
            "iaas/nova.mdx".into(),
            "ops/plain.markdown".into()
        ])
    );
    assert_eq!(title_of(&list, "iaas/keystone.md"), "Rotating fernet keys");
    assert_eq!(title_of(&list, "iaas/nova.mdx"), "Nova scheduling");
    assert_eq!(title_of(&list, "README.md"), "Runbooks");
    assert_eq!(title_of(&list, "ops/plain.markdown"), "plain");
    assert!(list.iter().all(|d| d["source"] == "kb"));

    // The mirror is bare: nothing was checked out.
    let mirror = ken.data_dir().join("mirrors/kb.git");
    assert!(mirror.join("HEAD").is_file());
    assert!(!mirror.join("README.md").exists());
}

#[test]
fn noop_sync_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = fixture(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync_json(&ken, &src);
    let again = sync_json(&ken, &src);
    assert_eq!(again["action"], "unchanged");
    assert_eq!(again["new"], repo.head());
    assert_eq!(again["changes"].as_array().map(Vec::len), Some(0));
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert!(r.stdout.contains("up to date"), "{}", r.stdout);
}

/// `git diff --name-status -M` restricted to documents, as (status, path, from) rows.
fn git_doc_changes(repo: &Repo, old: &str, new: &str) -> BTreeSet<(String, String, String)> {
    let is_doc = |p: &str| {
        [".md", ".mdx", ".markdown"]
            .iter()
            .any(|e| p.to_lowercase().ends_with(e))
    };
    let out = repo.git(&["diff", "--name-status", "-M", old, new]);
    let mut rows = BTreeSet::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let status = &f[0][..1];
        match status {
            "R" => match (is_doc(f[1]), is_doc(f[2])) {
                (true, true) => rows.insert(("R".into(), f[2].into(), f[1].into())),
                (true, false) => rows.insert(("D".into(), f[1].into(), String::new())),
                (false, true) => rows.insert(("A".into(), f[2].into(), String::new())),
                _ => false,
            },
            s if is_doc(f[1]) => rows.insert((s.to_string(), f[1].into(), String::new())),
            _ => false,
        };
    }
    rows
}

fn ken_changes(v: &Value) -> BTreeSet<(String, String, String)> {
    v["changes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    (
                        c["status"].as_str().unwrap_or_default().to_string(),
                        c["path"].as_str().unwrap_or_default().to_string(),
                        c["from"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn adds_edits_deletes_and_renames_match_git() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = fixture(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    let old = repo.head();
    sync_json(&ken, &src);

    repo.write("iaas/new-page.md", "# Brand new\n")
        .write("README.md", "# Runbooks\n\nStart here, and read on.\n")
        .remove("ops/plain.markdown");
    repo.git(&["mv", "iaas/nova.mdx", "iaas/compute.mdx"]);
    repo.write("notes.txt", "still not a document, but changed\n");
    let new = repo.commit("second");

    let v = sync_json(&ken, &src);
    assert_eq!(v["action"], "updated");
    assert_eq!(v["old"], old.as_str());
    assert_eq!(v["new"], new.as_str());
    let expected = git_doc_changes(&repo, &old, &new);
    assert_eq!(ken_changes(&v), expected);
    // All four kinds are really exercised.
    let kinds: BTreeSet<&str> = expected.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(kinds, BTreeSet::from(["A", "D", "M", "R"]));

    let list = list_json(&ken, &["--source", &src]);
    assert!(paths(&list).contains("iaas/compute.mdx"));
    assert!(!paths(&list).contains("ops/plain.markdown"));
    assert!(!paths(&list).contains("iaas/nova.mdx"));

    let status = run(ken.cmd(&["--source", &src, "status", "--json"]));
    let s: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(s["sources"][0]["commit"], new.as_str());
    assert_eq!(s["sources"][0]["previous"], old.as_str());
    assert_eq!(s["sources"][0]["docs"], 4);
}

#[test]
fn upstream_force_push_is_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = fixture(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    repo.write("doomed.md", "# Doomed\n");
    repo.commit("to be rewritten");
    sync_json(&ken, &src);
    assert!(paths(&list_json(&ken, &["--source", &src])).contains("doomed.md"));

    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.write("rewritten.md", "# Rewritten history\n");
    let new = repo.commit("rewritten");

    let v = sync_json(&ken, &src);
    assert_eq!(v["action"], "updated");
    assert_eq!(v["new"], new.as_str());
    let changes = ken_changes(&v);
    assert!(changes.contains(&("D".into(), "doomed.md".into(), String::new())));
    assert!(changes.contains(&("A".into(), "rewritten.md".into(), String::new())));
    let list = list_json(&ken, &["--source", &src]);
    assert!(paths(&list).contains("rewritten.md"));
    assert!(!paths(&list).contains("doomed.md"));
}

#[test]
fn deleted_branch_is_a_clear_error_and_renamed_default_is_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = fixture(tmp.path());
    repo.git(&["branch", "stable"]);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let pinned = format!("kb={}#stable", daemon.url("docs"));
    sync_json(&ken, &pinned);

    repo.git(&["branch", "-D", "stable"]);
    let r = run(ken.cmd(&["--source", &pinned, "sync"]));
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", r.stderr);
    assert!(
        lines[0].starts_with("ken: sync kb: ") && lines[0].contains("\"stable\" not found"),
        "{}",
        lines[0]
    );
    // The last good copy is still there.
    assert_eq!(list_json(&ken, &["--source", &pinned]).len(), 4);

    // Following the default branch: a rename upstream is simply followed.
    let ken2 = Ken::new();
    let default = format!("kb={}", daemon.url("docs"));
    assert_eq!(sync_json(&ken2, &default)["branch"], "main");
    repo.git(&["branch", "-m", "main", "trunk"]);
    repo.write("after-rename.md", "# After\n");
    repo.commit("on trunk");
    let v = sync_json(&ken2, &default);
    assert_eq!(v["branch"], "trunk");
    assert!(paths(&list_json(&ken2, &["--source", &default])).contains("after-rename.md"));
}

#[test]
fn server_gone_fails_fast_and_keeps_last_good_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let _repo = fixture(tmp.path());
    let mut daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync_json(&ken, &src);
    daemon.stop();

    let started = Instant::now();
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", r.stderr);
    assert!(lines[0].starts_with("ken: sync kb: "), "{}", lines[0]);

    assert_eq!(list_json(&ken, &["--source", &src]).len(), 4);
    let status = run(ken.cmd(&["--source", &src, "status", "--json"]));
    let s: Value = serde_json::from_str(&status.stdout).unwrap();
    assert!(s["sources"][0]["last_error"].is_string());
    assert!(s["sources"][0]["commit"].is_string());
}

#[test]
fn offline_makes_no_connection() {
    // A listener that would see any connection attempt.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let src = format!("kb=git://127.0.0.1:{port}/docs");
    let ken = Ken::new();

    let r = run(ken.cmd(&["--offline", "--source", &src, "sync"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("kb: never synced"), "{}", r.stderr);
    let r = run(ken.cmd(&["--offline", "--source", &src, "list"]));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("kb: never synced"), "{}", r.stderr);
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "ken connected although --offline"
    );

    // Without --offline the same command does connect (so the check above can fail).
    let mut child = ken
        .std_cmd(&["--source", &src, "sync"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let connected = common::wait_until(Duration::from_secs(20), || listener.accept().is_ok());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(connected, "ken sync never connected");
}

#[test]
fn clone_killed_mid_transfer_leaves_nothing_half_made() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "big");
    // 48 MiB that does not compress: the transfer takes long enough to be interrupted.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut data = Vec::with_capacity(48 << 20);
    while data.len() < 48 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    repo.write("blob.bin", &data).write("index.md", "# Index\n");
    repo.commit("big");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("big={}", daemon.url("big"));
    let mirrors = ken.data_dir().join("mirrors");

    let mut child = ken
        .std_cmd(&["--source", &src, "sync"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until pack data is arriving in the temporary clone, then kill ken.
    let arriving = common::wait_until(Duration::from_secs(30), || {
        std::fs::read_dir(&mirrors)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
            .any(|e| {
                std::fs::read_dir(e.path().join("objects/pack"))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .any(|f| f.metadata().map(|m| m.len() > 0).unwrap_or(false))
            })
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(arriving, "the clone never started transferring");
    assert!(
        !mirrors.join("big.git").exists(),
        "ken finished before it was killed; the test proves nothing"
    );

    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(&mirrors)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(paths(&list_json(&ken, &["--source", &src])).len(), 1);
}

#[test]
fn symlink_is_listed_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "evil");
    repo.write("index.md", "# Index\n");
    std::os::unix::fs::symlink("/etc/passwd", repo.dir.join("passwd.md")).unwrap();
    std::os::unix::fs::symlink("/etc", repo.dir.join("etc")).unwrap();
    repo.commit("links");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("evil={}", daemon.url("evil"));
    sync_json(&ken, &src);

    let list = list_json(&ken, &["--source", &src]);
    let link = list.iter().find(|d| d["path"] == "passwd.md").unwrap();
    assert_eq!(link["link"], "/etc/passwd");
    let human = run(ken.cmd(&["--source", &src, "list"]));
    assert!(human.stdout.contains("passwd.md"), "{}", human.stdout);
    assert!(
        human.stdout.contains("link → /etc/passwd"),
        "{}",
        human.stdout
    );
    for out in [&human.stdout, &human.stderr] {
        assert!(!out.contains("root:"), "the target was read: {out}");
    }
    // Nothing under the `etc` link was listed.
    assert!(
        list.iter()
            .all(|d| !d["path"].as_str().unwrap().starts_with("etc/"))
    );
    // Shown by path from the mirror; neither link is ever read through.
    let shown = run(ken.cmd(&["--source", &src, "show", "index.md"]));
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains("Index"), "{}", shown.stdout);
    for doc in ["passwd.md", "etc/passwd", "etc/passwd.md"] {
        let r = run(ken.cmd(&["--source", &src, "show", doc]));
        assert_eq!(r.code, 1, "{doc}: {}", r.stdout);
        for out in [&r.stdout, &r.stderr] {
            assert!(!out.contains("root:"), "{doc}: the target was read: {out}");
        }
    }
}

#[test]
fn local_directory_source_never_follows_symlinks_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("notes");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/page.md"), "# A page\n").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd.md")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.join("etc")).unwrap();
    let ken = Ken::new();
    let src = dir.display().to_string();

    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("local directory, 2 docs"), "{}", r.stdout);
    let list = list_json(&ken, &["--source", &src]);
    assert_eq!(
        paths(&list),
        BTreeSet::from(["passwd.md".to_string(), "sub/page.md".into()])
    );
    assert_eq!(title_of(&list, "sub/page.md"), "A page");
    assert_eq!(
        list.iter().find(|d| d["path"] == "passwd.md").unwrap()["link"],
        "/etc/passwd"
    );
}

#[test]
fn binary_and_oversized_documents_are_skipped_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "odd");
    repo.write("ok.md", "# Fine\n")
        .write("binary.md", b"# Looks like\0markdown\x01\x02")
        .write("latin1.md", b"# Caf\xe9 cr\xe8me\n")
        .write("broken-fm.md", "---\ntitle: [oops\n---\n# Still listed\n");
    // 20 MiB: over the 8 MiB cap.
    repo.write("huge.md", vec![b'a'; 20 << 20]);
    repo.commit("odd files");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("odd={}", daemon.url("odd"));
    sync_json(&ken, &src);

    let r = run(ken.cmd(&["--source", &src, "list", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        paths(&list),
        BTreeSet::from([
            "ok.md".to_string(),
            "latin1.md".into(),
            "broken-fm.md".into()
        ])
    );
    assert_eq!(title_of(&list, "latin1.md"), "Caf\u{fffd} cr\u{fffd}me");
    assert_eq!(title_of(&list, "broken-fm.md"), "Still listed");
    assert!(
        r.stderr.contains("odd:binary.md: skipped: binary"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("odd:huge.md: skipped: 20.0 MiB is over the size cap"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("odd:broken-fm.md: front matter:"),
        "{}",
        r.stderr
    );
}
