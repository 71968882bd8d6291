//! The index through the real binary, syncing over `git daemon`: incremental updates, deleted
//! pages, automatic rebuilds, two processes at once, a process killed mid-index, and the
//! `ken search` command's output and exit codes.

use crate::common;

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use common::{GitDaemon, Ken, Repo, run, wait_until};
use serde_json::Value;

fn page(i: usize, extra: &str) -> String {
    format!(
        "---\ntitle: Runbook {i}\n---\n# Runbook {i}\n\nGeneral steps for service{i} operations.\n\n\
         ## Details\n\n{extra}\n"
    )
}

/// A repository of `n` pages, committed.
fn repo_with_pages(base: &Path, n: usize) -> Repo {
    let repo = Repo::init(base, "kb");
    for i in 0..n {
        repo.write(
            &format!("pages/p{i:04}.md"),
            page(i, "Nothing special here."),
        );
    }
    repo.write(
        "pages/keystone.md",
        "# Keystone fernet keys\n\nRotate them with keystone-manage.\n",
    );
    repo.write(
        "pages/doomed.md",
        "# Doomed\n\nThe zanzibarite procedure.\n",
    );
    repo.commit("first");
    repo
}

fn status(ken: &Ken, src: &str) -> Value {
    let r = run(ken.cmd(&["--source", src, "status", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("status --json is JSON")
}

fn search_json(ken: &Ken, src: &str, q: &str) -> (i32, Vec<Value>, String) {
    let r = run(ken.cmd(&["--source", src, "--offline", "search", "--json", q]));
    let hits = if r.code == 0 {
        serde_json::from_str(&r.stdout).expect("search --json is JSON")
    } else {
        Vec::new()
    };
    (r.code, hits, r.stderr)
}

fn sync(ken: &Ken, src: &str) -> common::Run {
    let r = run(ken.cmd(&["--source", src, "sync"]));
    assert_eq!(r.code, 0, "sync failed: {}", r.stderr);
    r
}

#[test]
fn a_sync_reindexes_exactly_the_changed_pages_and_drops_deleted_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = repo_with_pages(tmp.path(), 20);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));

    sync(&ken, &src);
    let st = status(&ken, &src);
    assert_eq!(st["index"]["pages"], 22, "{st:#}");
    assert_eq!(st["index"]["last_update_indexed"], 22);
    assert_eq!(
        st["index"]["sources"]["kb"]["commit"].as_str(),
        Some(repo.head().as_str())
    );
    let (code, hits, _) = search_json(&ken, &src, "zanzibarite");
    assert_eq!(code, 0);
    assert_eq!(hits[0]["path"], "pages/doomed.md");

    // Change three pages (two edited, one added) and delete one.
    repo.write(
        "pages/p0003.md",
        page(3, "Now mentions the quokka failover."),
    );
    repo.write("pages/p0007.md", page(7, "Now mentions the quokka too."));
    repo.write("pages/new.md", "# New page\n\nAbout the quokka cluster.\n");
    repo.remove("pages/doomed.md");
    repo.commit("change three, delete one");
    sync(&ken, &src);

    let st = status(&ken, &src);
    assert_eq!(st["index"]["last_update_indexed"], 3, "{st:#}");
    assert_eq!(st["index"]["last_update_removed"], 1);
    assert_eq!(st["index"]["last_update_full"], false);
    assert_eq!(st["index"]["pages"], 22);
    assert_eq!(
        st["index"]["sources"]["kb"]["commit"].as_str(),
        Some(repo.head().as_str())
    );

    let (code, _, stderr) = search_json(&ken, &src, "zanzibarite");
    assert_eq!(code, 1, "a deleted page no longer matches");
    assert!(stderr.contains("no matches"), "{stderr}");
    let (code, hits, _) = search_json(&ken, &src, "quokka");
    assert_eq!(code, 0);
    let mut found: Vec<&str> = hits.iter().filter_map(|h| h["path"].as_str()).collect();
    found.sort();
    assert_eq!(
        found,
        vec!["pages/new.md", "pages/p0003.md", "pages/p0007.md"]
    );
    // An unchanged page still has its old text, once.
    let (_, hits, _) = search_json(&ken, &src, "service5");
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0]["path"], "pages/p0005.md");

    // A sync with nothing new indexes nothing and keeps the record.
    sync(&ken, &src);
    assert_eq!(status(&ken, &src)["index"]["last_update_indexed"], 3);
}

#[test]
fn search_syncs_first_when_nothing_was_synced_and_prints_hits() {
    let tmp = tempfile::tempdir().unwrap();
    let _repo = repo_with_pages(tmp.path(), 3);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));

    // --offline never syncs: nothing to search.
    let r = run(ken.cmd(&["--source", &src, "--offline", "search", "keystone"]));
    assert_eq!(r.code, 1, "{}", r.stderr);

    let r = run(ken.cmd(&["--source", &src, "search", "keystone", "fernet"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "Keystone fernet keys  (kb)");
    assert!(
        lines[1].contains("pages/keystone.md#keystone-fernet-keys"),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].contains("Rotate them with keystone-manage."),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains('\u{1b}'), "no colour when piped");

    let r = run(ken.cmd(&["--source", &src, "--color", "always", "search", "rotate"]));
    assert!(
        r.stdout.contains("\u{1b}[1;33mRotate\u{1b}[0m"),
        "{}",
        r.stdout
    );

    // --json: the documented fields, highlights as character ranges of the snippet.
    let (code, hits, _) = search_json(&ken, &src, "keystone-manage");
    assert_eq!(code, 0);
    let h = &hits[0];
    for key in [
        "title",
        "source",
        "path",
        "section",
        "anchor",
        "score",
        "snippet",
        "highlights",
    ] {
        assert!(h.get(key).is_some(), "{key} missing in {h}");
    }
    let snippet: Vec<char> = h["snippet"].as_str().unwrap().chars().collect();
    let words: Vec<String> = h["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            snippet[a..b].iter().collect()
        })
        .collect();
    assert_eq!(words, vec!["keystone", "manage"]);

    // --limit counts pages.
    let r = run(ken.cmd(&[
        "--source", &src, "search", "--json", "--limit", "1", "runbook",
    ]));
    let hits: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let pages: std::collections::BTreeSet<_> = hits.iter().map(|h| h["path"].to_string()).collect();
    assert_eq!(pages.len(), 1);

    // Usage errors exit 2.
    assert_eq!(run(ken.cmd(&["--source", &src, "search"])).code, 2);
    assert_eq!(
        run(ken.cmd(&["--source", &src, "search", "--limit", "0", "x"])).code,
        2
    );
    let r = run(ken.cmd(&["--source", &src, "search", "--", "-"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Replaces the content of every file under `dir` with junk of the same length.
fn scribble(dir: &Path, only: impl Fn(&str) -> bool) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_file() && only(&name) {
            let len = std::fs::metadata(e.path()).unwrap().len() as usize;
            std::fs::write(e.path(), vec![b'#'; len.max(1)]).unwrap();
            n += 1;
        }
    }
    n
}

#[test]
fn a_damaged_or_outdated_index_is_rebuilt_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let _repo = repo_with_pages(tmp.path(), 5);
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    sync(&ken, &src);
    let index = ken.data_dir().join("index");

    let check = |what: &str| {
        let (code, hits, stderr) = search_json(&ken, &src, "keystone");
        assert_eq!(code, 0, "{what}: {stderr}");
        assert_eq!(hits[0]["path"], "pages/keystone.md", "{what}");
        let notes: Vec<&str> = stderr.lines().filter(|l| l.contains("index")).collect();
        assert_eq!(notes.len(), 1, "{what}: one line: {stderr}");
        assert!(notes[0].contains("building it"), "{what}: {stderr}");
        let (code, _, stderr) = search_json(&ken, &src, "keystone");
        assert_eq!(code, 0);
        assert!(stderr.is_empty(), "{what}: quiet once rebuilt: {stderr}");
    };

    // Garbage in meta.json.
    std::fs::write(index.join("meta.json"), "{ not json").unwrap();
    check("meta.json");
    // Every segment file overwritten.
    assert!(scribble(&index, |n| n != "meta.json" && !n.starts_with('.')) > 0);
    check("segments");
    // Another schema version.
    let meta = std::fs::read_to_string(index.join("meta.json")).unwrap();
    let at = meta
        .find(r#"\"schema\":"#)
        .expect("the record names its schema")
        + 11;
    let digits = meta[at..].chars().take_while(char::is_ascii_digit).count();
    assert!(digits > 0, "{meta}");
    std::fs::write(
        index.join("meta.json"),
        format!("{}999{}", &meta[..at], &meta[at + digits..]),
    )
    .unwrap();
    check("schema");
    // Gone.
    std::fs::remove_dir_all(&index).unwrap();
    check("missing");
}

/// Whether some process holds the index write lock.
fn index_locked(data: &Path) -> bool {
    match File::options().write(true).open(data.join("index.lock")) {
        Ok(f) => match f.try_lock() {
            Ok(()) => false,
            Err(std::fs::TryLockError::WouldBlock) => true,
            Err(_) => false,
        },
        Err(_) => false,
    }
}

/// A repository where a second commit changes many pages, so that indexing it takes a while.
fn big_change(base: &Path) -> Repo {
    let repo = repo_with_pages(base, 1500);
    for i in 0..1500 {
        repo.write(
            &format!("pages/p{i:04}.md"),
            page(i, &"Updated text about the wombat migration. ".repeat(40)),
        );
    }
    repo.commit("rewrite everything");
    repo
}

#[test]
fn a_second_ken_searches_while_the_first_indexes() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "kb");
    repo.write("a.md", "# Keystone\n\nFirst version.\n");
    repo.commit("one");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    sync(&ken, &src);
    drop(repo);
    std::fs::remove_dir_all(tmp.path().join("kb")).unwrap();
    let _repo = big_change(tmp.path());

    let mut child = ken.std_cmd(&["--source", &src, "sync"]).spawn().unwrap();
    assert!(
        wait_until(Duration::from_secs(60), || index_locked(&ken.data_dir())),
        "the sync starts indexing"
    );
    let mut searched_while_locked = 0;
    while index_locked(&ken.data_dir()) {
        let (code, hits, stderr) = search_json(&ken, &src, "keystone");
        assert_eq!(code, 0, "search during indexing: {stderr}");
        assert!(!hits.is_empty());
        searched_while_locked += 1;
    }
    assert!(child.wait().unwrap().success());
    assert!(searched_while_locked > 0);
    let (code, hits, _) = search_json(&ken, &src, "wombat");
    assert_eq!(code, 0);
    assert!(!hits.is_empty());
}

#[test]
fn a_ken_killed_mid_index_leaves_a_usable_index() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "kb");
    repo.write("a.md", "# Keystone\n\nFirst version.\n");
    repo.commit("one");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    sync(&ken, &src);
    drop(repo);
    std::fs::remove_dir_all(tmp.path().join("kb")).unwrap();
    let _repo = big_change(tmp.path());

    let mut child = ken.std_cmd(&["--source", &src, "sync"]).spawn().unwrap();
    assert!(wait_until(Duration::from_secs(60), || index_locked(
        &ken.data_dir()
    )));
    child.kill().unwrap();
    child.wait().unwrap();

    // The old index answers (offline, nothing else running)...
    let r = run(ken.cmd(&["--source", &src, "--offline", "status", "--json"]));
    let st: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(st["index"]["state"], "ready", "{st:#}");
    // ...and the next search brings it up to date from the mirror.
    let (code, hits, stderr) = search_json(&ken, &src, "wombat");
    assert_eq!(code, 0, "{stderr}");
    assert!(!hits.is_empty());
    let (code, _, _) = search_json(&ken, &src, "keystone");
    assert_eq!(code, 0);
}
