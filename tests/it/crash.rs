//! Crash-proof knowledge (issue 16): ken killed at every named point of a sync
//! (`KEN_FAULT`), and by SIGKILL at random moments, must leave a knowledge base that lists and
//! searches (from the old or the new commit, never a mix), that the next sync brings exactly
//! to upstream's state, and that holds no file a dead process left behind.

use crate::common;

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

/// Pages that both upstream states share, so that an update has a segment to delete from.
const FILLER: usize = 20;

/// The two upstream states a served repository moves between. Both have `common.md`; `A`
/// has `only-a.md`, `B` has `only-b.md`; every page the word `aardvark` is on says which
/// state it belongs to (`edition alpha` / `edition beta`).
struct Upstream {
    repo: Repo,
    a: String,
    b: String,
}

impl Upstream {
    fn new(base: &Path) -> Upstream {
        let repo = Repo::init(base, "kb");
        for i in 0..FILLER {
            repo.write(
                &format!("filler/p{i:02}.md"),
                format!("# Filler {i}\n\nNothing to see on page {i}.\n"),
            );
        }
        repo.write(
            "common.md",
            "# Common\n\nShared page, edition alpha: the aardvark.\n",
        );
        repo.write(
            "only-a.md",
            "# Only A\n\nThe aardvark procedure, edition alpha.\n",
        );
        let a = repo.commit("state A");
        repo.remove("only-a.md");
        repo.write(
            "common.md",
            "# Common\n\nShared page, edition beta: the aardvark.\n",
        );
        repo.write(
            "only-b.md",
            "# Only B\n\nThe aardvark procedure, edition beta.\n",
        );
        let b = repo.commit("state B");
        let up = Upstream { repo, a, b };
        up.serve('A');
        up
    }

    /// Moves the served branch to state `A` or `B`.
    fn serve(&self, state: char) {
        let commit = if state == 'A' { &self.a } else { &self.b };
        self.repo.git(&["update-ref", "refs/heads/main", commit]);
    }

    fn commit(&self, state: char) -> &str {
        if state == 'A' { &self.a } else { &self.b }
    }
}

/// The pages `ken list` shows in state `A` or `B`.
fn pages(state: char) -> BTreeSet<String> {
    let mut p: BTreeSet<String> = (0..FILLER).map(|i| format!("filler/p{i:02}.md")).collect();
    p.insert("common.md".into());
    p.insert(
        if state == 'A' {
            "only-a.md"
        } else {
            "only-b.md"
        }
        .into(),
    );
    p
}

/// Which state `ken list --json` shows; panics on anything else.
fn listed_state(ken: &Ken, src: &str) -> char {
    let r = run(ken.cmd(&["--source", src, "--offline", "list", "--json"]));
    assert_eq!(r.code, 0, "ken list fails: {}", r.stderr);
    let v: Vec<Value> = serde_json::from_str(&r.stdout).expect("list --json is JSON");
    let got: BTreeSet<String> = v
        .iter()
        .map(|d| d["path"].as_str().unwrap_or_default().to_string())
        .collect();
    ['A', 'B']
        .into_iter()
        .find(|s| pages(*s) == got)
        .unwrap_or_else(|| panic!("ken list shows neither state: {got:?}"))
}

/// Which state `ken search aardvark` answers from; panics on a mix, on no answer, or on a
/// failing search. Returns the state and the search's stderr.
fn searched_state(ken: &Ken, src: &str) -> (char, String) {
    let r = run(ken.cmd(&["--source", src, "--offline", "search", "--json", "aardvark"]));
    assert_eq!(r.code, 0, "ken search fails: {}", r.stderr);
    let hits: Vec<Value> = serde_json::from_str(&r.stdout).expect("search --json is JSON");
    let got: BTreeSet<(String, String)> = hits
        .iter()
        .map(|h| {
            let path = h["path"].as_str().unwrap_or_default().to_string();
            let snippet = h["snippet"].as_str().unwrap_or_default();
            let edition = if snippet.contains("alpha") {
                "alpha"
            } else if snippet.contains("beta") {
                "beta"
            } else {
                "?"
            };
            (path, edition.to_string())
        })
        .collect();
    let expect = |s: char| -> BTreeSet<(String, String)> {
        let (only, ed) = if s == 'A' {
            ("only-a.md", "alpha")
        } else {
            ("only-b.md", "beta")
        };
        [("common.md", ed), (only, ed)]
            .into_iter()
            .map(|(p, e)| (p.to_string(), e.to_string()))
            .collect()
    };
    let state = ['A', 'B']
        .into_iter()
        .find(|s| expect(*s) == got)
        .unwrap_or_else(|| panic!("ken search answers neither state: {got:?}\n{}", r.stderr));
    (state, r.stderr)
}

/// Runs `ken sync` with `KEN_FAULT=point` and checks that it died there (SIGKILL).
fn sync_killed_at(ken: &Ken, src: &str, point: &str) {
    let out = ken
        .std_cmd(&["--source", src, "sync"])
        .env("KEN_FAULT", point)
        .output()
        .expect("ken runs");
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGKILL),
        "ken sync with KEN_FAULT={point} was not killed there: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn status(ken: &Ken, src: &str) -> Value {
    let r = run(ken.cmd(&["--source", src, "--offline", "status", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("status --json is JSON")
}

/// Checks that the synced copy, the recorded state and the index are all at `commit`.
fn assert_at(ken: &Ken, src: &str, commit: &str) {
    let st = status(ken, src);
    assert_eq!(st["sources"][0]["commit"], commit, "state: {st:#}");
    assert_eq!(
        st["index"]["sources"]["kb"]["commit"], commit,
        "index: {st:#}"
    );
    assert_eq!(st["index"]["state"], "ready", "{st:#}");
}

/// Every file under the data dir that no living part of ken uses: temporary files of atomic
/// writes, index files the last commit does not name, git lock and temporary files in the
/// mirrors, and anything else at the top level.
pub fn garbage(data: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let top_ok = [
        "state.json",
        "sync.lock",
        "index.lock",
        "index",
        "mirrors",
        "cache",
        "history.json",
        "bookmarks.json",
        "page-dates",
        "catalog",
    ];
    for e in std::fs::read_dir(data).expect("data dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !top_ok.contains(&name.as_str()) {
            out.push(name);
        }
    }
    // A catalogue's temporary file is a writer's that died.
    for e in std::fs::read_dir(data.join("catalog"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            out.push(format!("catalog/{name}"));
        }
    }
    let index = data.join("index");
    if index.is_dir() {
        let meta: Value = serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap())
            .expect("meta.json is JSON");
        let mut living = BTreeSet::new();
        for s in meta["segments"].as_array().expect("segments") {
            let id = s["segment_id"]
                .as_str()
                .expect("segment id")
                .replace('-', "");
            for ext in ["idx", "pos", "term", "store", "fast", "fieldnorm"] {
                living.insert(format!("{id}.{ext}"));
            }
            if let Some(op) = s["deletes"]["opstamp"].as_u64() {
                living.insert(format!("{id}.{op}.del"));
            }
        }
        for e in std::fs::read_dir(&index).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ok = name == "meta.json"
                || name == ".managed.json"
                || name.starts_with(".tantivy-")
                || living.contains(&name);
            if !ok {
                out.push(format!("index/{name}"));
            }
        }
    }
    let mut stack = vec![data.join("mirrors")];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = e.path().strip_prefix(data).unwrap().display().to_string();
            if name.ends_with(".lock") || name.starts_with(".tmp") || name.contains("tmp_") {
                out.push(rel);
            } else if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
    out
}

/// One fault point: synced at A, upstream moves to B, ken dies at `point` while syncing.
/// Search answers from one state; the next sync reaches B with the index current and no
/// garbage left.
fn killed_at(point: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(searched_state(&ken, &src).0, 'A');
    up.serve('B');

    sync_killed_at(&ken, &src, point);
    let listed = listed_state(&ken, &src);
    let (searched, stderr) = searched_state(&ken, &src);
    assert!(
        !stderr.contains("rror"),
        "{point}: search after the kill: {stderr}"
    );
    // A second search (the first may have brought the index up to date) still answers.
    let (again, _) = searched_state(&ken, &src);
    assert_eq!(
        (listed, again),
        (listed, listed),
        "{point}: list and search agree once the index caught up (first search: {searched})"
    );

    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{point}: the next sync: {}", r.stderr);
    assert!(!r.stderr.contains("rror"), "{point}: {}", r.stderr);
    assert_at(&ken, &src, up.commit('B'));
    assert_eq!(listed_state(&ken, &src), 'B');
    assert_eq!(searched_state(&ken, &src).0, 'B', "{point}");
    let g = garbage(&ken.data_dir());
    assert!(g.is_empty(), "{point}: left behind: {g:?}");
}

#[test]
fn killed_after_fetch() {
    killed_at("after-fetch");
}

#[test]
fn killed_mid_index_write() {
    killed_at("mid-index-write");
}

#[test]
fn killed_before_index_commit() {
    killed_at("before-index-commit");
}

#[test]
fn killed_mid_index_commit() {
    killed_at("mid-index-commit");
}

#[test]
fn killed_after_index_commit() {
    killed_at("after-index-commit");
}

/// An incremental update that fails is redone as a full rebuild from the mirrors, saying so;
/// killed before that rebuild commits, search answers from the old index, and the next sync
/// completes it.
#[test]
fn a_failed_update_is_rebuilt_and_the_old_index_answers_meanwhile() {
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    up.serve('B');

    // Killed in the rebuild, before it commits: the old commit answers.
    sync_killed_at(&ken, &src, "incremental-update-fails,before-index-commit");
    let r = run(ken.cmd(&["--source", &src, "--offline", "status", "--json"]));
    let st: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        st["index"]["sources"]["kb"]["commit"],
        up.commit('A'),
        "{st:#}"
    );

    // The rebuild itself, told in one line.
    let mut cmd = ken.cmd(&["--source", &src, "sync"]);
    cmd.env("KEN_FAULT", "incremental-update-fails");
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].contains("could not be updated") && lines[0].contains("rebuilding it"),
        "{}",
        r.stderr
    );
    assert_at(&ken, &src, up.commit('B'));
    assert_eq!(status(&ken, &src)["index"]["last_update_full"], true);
    assert_eq!(searched_state(&ken, &src).0, 'B');
    let g = garbage(&ken.data_dir());
    assert!(g.is_empty(), "left behind: {g:?}");
}

/// A search whose index lags the synced copy and cannot be updated now (another process
/// holds the index lock) answers from the index as it is, saying so in one line.
#[test]
fn a_search_that_cannot_update_answers_from_the_last_commit_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    up.serve('B');
    // The copy moves to B; the index stays at A.
    sync_killed_at(&ken, &src, "before-index-commit");
    let lock = std::fs::File::options()
        .write(true)
        .open(ken.data_dir().join("index.lock"))
        .unwrap();
    lock.lock().unwrap();
    let (state, stderr) = searched_state(&ken, &src);
    assert_eq!(state, 'A');
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("results may be behind") && lines[0].contains("another ken"),
        "{stderr}"
    );
    drop(lock);
    let (state, stderr) = searched_state(&ken, &src);
    assert_eq!(state, 'B');
    assert!(stderr.is_empty(), "{stderr}");
}
