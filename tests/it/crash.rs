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
    for dir in ["page-dates", "cache/highlight"] {
        for e in std::fs::read_dir(data.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                out.push(format!("{dir}/{name}"));
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
            let in_git = rel.contains(".git/");
            if (in_git && name.ends_with(".lock"))
                || name.starts_with(".tmp")
                || name.contains("tmp_")
                || name.contains("_git2_")
            {
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
    // The copy moves to B; the index stays at A (its lock cannot be opened: a folder).
    let lock_path = ken.data_dir().join("index.lock");
    std::fs::remove_file(&lock_path).unwrap();
    std::fs::create_dir(&lock_path).unwrap();
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 1);
    std::fs::remove_dir(&lock_path).unwrap();
    let lock = std::fs::File::create(&lock_path).unwrap();
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

#[test]
fn killed_mid_state_write() {
    killed_at("mid-state-write");
}

/// `ken sync` exits 1 when the mirrors moved but the index or the recorded state could not
/// follow, naming which; `ken status` shows the index behind; search still answers.
#[test]
fn sync_names_what_it_could_not_update_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    up.serve('B');

    // The index cannot be written: its lock file is a folder.
    let lock = ken.data_dir().join("index.lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].contains("the mirrors were updated but the search index was not")
            && lines[0].contains("index.lock"),
        "{}",
        r.stderr
    );
    let st = status(&ken, &src);
    assert_eq!(st["sources"][0]["commit"], up.commit('B'), "{st:#}");
    assert_eq!(st["index"]["behind"], serde_json::json!(["kb"]), "{st:#}");
    let text = run(ken.cmd(&["--source", &src, "--offline", "status"]));
    assert!(
        text.stdout.contains("behind the synced copy of kb"),
        "{}",
        text.stdout
    );
    let (state, stderr) = searched_state(&ken, &src);
    assert_eq!(state, 'A');
    assert!(stderr.contains("results may be behind"), "{stderr}");

    // The index works again; now the state cannot be recorded: state.json is a folder.
    std::fs::remove_dir(&lock).unwrap();
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    assert_eq!(status(&ken, &src)["index"]["behind"], serde_json::json!([]));
    up.serve('A');
    let state_file = ken.data_dir().join("state.json");
    let saved = std::fs::read(&state_file).unwrap();
    std::fs::remove_file(&state_file).unwrap();
    std::fs::create_dir(&state_file).unwrap();
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].contains("the mirrors were updated but the recorded state (state.json) was not"),
        "{}",
        r.stderr
    );
    std::fs::remove_dir(&state_file).unwrap();
    std::fs::write(&state_file, saved).unwrap();
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_at(&ken, &src, up.commit('A'));
    let g = garbage(&ken.data_dir());
    assert!(g.is_empty(), "left behind: {g:?}");
}

/// A truncated `state.json` is set aside with one line and repaired from the mirrors: the
/// knowledge base stays listed and searchable without a sync.
#[test]
fn a_truncated_state_file_is_set_aside_and_repaired_from_the_mirrors() {
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    let state_file = ken.data_dir().join("state.json");
    let full = std::fs::read(&state_file).unwrap();
    std::fs::write(&state_file, &full[..full.len() / 2]).unwrap();

    let r = run(ken.cmd(&["--source", &src, "--offline", "list"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].contains("state.json is damaged")
            && lines[0].contains("set aside as")
            && lines[0].contains("repaired from the mirrors"),
        "{}",
        r.stderr
    );
    let aside: Vec<String> = std::fs::read_dir(ken.data_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("state.json.damaged-"))
        .collect();
    assert_eq!(aside.len(), 1, "the damaged file is kept for a person");
    assert_eq!(
        std::fs::read(ken.data_dir().join(&aside[0])).unwrap(),
        &full[..full.len() / 2]
    );
    assert_eq!(listed_state(&ken, &src), 'A');
    let (state, stderr) = searched_state(&ken, &src);
    assert_eq!(state, 'A');
    assert!(stderr.is_empty(), "repaired once, quiet after: {stderr}");
    let st = status(&ken, &src);
    assert_eq!(st["sources"][0]["commit"], up.commit('A'), "{st:#}");
    assert_eq!(st["sources"][0]["docs"], FILLER + 2, "{st:#}");
}

/// 100 syncs of a repository whose branch alternates between two commits, each killed by
/// SIGKILL after a random delay (fixed seed, so a failure can be replayed); after each kill
/// `ken list` and `ken search` work and agree on one of the two states, and at the end one
/// sync reaches upstream's state exactly with nothing left behind.
#[test]
fn torture_100_killed_syncs() {
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);

    // How long one sync that moves the index takes here, to spread the kills over it.
    up.serve('B');
    let started = std::time::Instant::now();
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    let span = started.elapsed().as_micros() as u64;

    let mut rng = fastrand::Rng::with_seed(16);
    let (mut killed, mut finished) = (0, 0);
    let mut seen = BTreeSet::new();
    let t0 = std::time::Instant::now();
    for i in 0..100 {
        let target = if i % 2 == 0 { 'A' } else { 'B' };
        up.serve(target);
        let mut child = ken
            .std_cmd(&["--source", &src, "sync"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The kill lands anywhere from the start to a little after a typical sync's end.
        let delay = rng.u64(0..span * 5 / 4);
        std::thread::sleep(std::time::Duration::from_micros(delay));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(libc::SIGKILL) {
            killed += 1;
        } else {
            assert!(status.success(), "sync {i} (not killed) failed: {status:?}");
            finished += 1;
        }
        let listed = listed_state(&ken, &src);
        let (searched, stderr) = searched_state(&ken, &src);
        assert_eq!(
            listed, searched,
            "kill {i} after {delay} µs: list and search disagree ({stderr})"
        );
        seen.insert(listed);
        if std::env::var_os("KEN_TORTURE_TRACE").is_some() {
            println!("{i}: target {target}, delay {delay} µs, {status:?}, state {listed}");
        }
    }
    let loop_time = t0.elapsed();
    println!(
        "torture: 100 syncs, {killed} killed, {finished} finished first; a sync takes {} ms; \
         states seen {seen:?}; {:.1} s",
        span / 1000,
        loop_time.as_secs_f64()
    );
    // Upstream is at B (the last iteration served it): one sync reaches it exactly.
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_at(&ken, &src, up.commit('B'));
    assert_eq!(listed_state(&ken, &src), 'B');
    assert_eq!(searched_state(&ken, &src).0, 'B');
    let g = garbage(&ken.data_dir());
    assert!(g.is_empty(), "left behind: {g:?}");
    assert!(killed >= 30, "many syncs were killed midway ({killed})");
}

/// A tmpfs mounted for one test, unmounted when dropped (also when the test fails).
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` at `at`, or says why it cannot.
    fn mount(at: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system of `dir` with one file until a write fails for lack of space.
fn fill(dir: &Path) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join("fill");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    loop {
        match f.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
                break;
            }
        }
    }
    // The last partial chunk, byte by byte is too slow: small writes until full.
    while f.write(&[0u8; 512]).is_ok_and(|n| n > 0) {}
    path
}

/// The data dir on a full disk: sync fails with one line naming the disk, search answers from
/// what it has, and once space is freed the next sync succeeds with nothing left behind.
#[test]
fn a_full_disk_fails_the_sync_in_one_line_and_search_still_answers() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    let _disk = match Tmpfs::mount(&ken.data_dir(), "16m") {
        Ok(d) => d,
        Err(why) => {
            // Written to stderr directly, past the test harness's capture, so it shows.
            let _ = writeln!(
                std::io::stderr(),
                "NOTE: a_full_disk_fails_the_sync…: skipped, a tmpfs cannot be mounted here \
                 (needs root and mount permission): {why}"
            );
            return;
        }
    };
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let filler = fill(&ken.data_dir());
    up.serve('B');

    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", r.stderr);
    assert!(
        lines[0].contains("no space left")
            && lines[0].contains(&ken.data_dir().display().to_string()),
        "names the disk: {}",
        r.stderr
    );
    let (state, stderr) = searched_state(&ken, &src);
    assert_eq!(state, 'A', "{stderr}");
    assert_eq!(listed_state(&ken, &src), 'A');

    std::fs::remove_file(filler).unwrap();
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_at(&ken, &src, up.commit('B'));
    assert_eq!(searched_state(&ken, &src).0, 'B');
    let g = garbage(&ken.data_dir());
    assert!(g.is_empty(), "left behind: {g:?}");
}

/// A fetch killed while updating a ref leaves git's lock file, which makes every later fetch
/// fail ("failed to lock file"); the next sync removes it under the sync lock.
#[test]
fn a_killed_fetchs_git_lock_files_are_removed_by_the_next_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let up = Upstream::new(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("kb"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    let mirror = ken.data_dir().join("mirrors/kb.git");
    std::fs::write(mirror.join("refs/remotes/origin/main.lock"), "").unwrap();
    std::fs::write(
        mirror.join("objects/pack/pack_git2_0123456789abcdef"),
        "half",
    )
    .unwrap();
    up.serve('B');
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_at(&ken, &src, up.commit('B'));
    let g = garbage(&ken.data_dir());
    assert!(g.is_empty(), "left behind: {g:?}");
}
