//! Each page's last change and creation, from the history of repositories built here with
//! fixed dates, served by `git daemon` and fetched by ken (`ken list --json`, `ken search
//! --json`).

use crate::common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{GitDaemon, Ken, Repo, git, run};
use serde_json::Value;

fn list(ken: &Ken, args: &[&str]) -> (Vec<Value>, String) {
    let mut all = args.to_vec();
    all.extend(["list", "--json"]);
    let r = run(ken.cmd(&all));
    assert_eq!(r.code, 0, "ken list failed: {}", r.stderr);
    (
        serde_json::from_str(&r.stdout).expect("list --json is JSON"),
        r.stderr,
    )
}

fn page<'a>(list: &'a [Value], path: &str) -> &'a Value {
    list.iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("{path} not listed in {list:?}"))
}

fn sync(ken: &Ken, src: &str) {
    let r = run(ken.cmd(&["--source", src, "sync"]));
    assert_eq!(r.code, 0, "ken sync failed: {}", r.stderr);
}

const LONG: &str = "This page explains how the service is run, who is called when it fails, and \
    which steps bring it back. Every step is written out in full so that the page stays similar \
    when it is moved.\n";

#[test]
fn each_page_has_its_last_change_and_creation_by_committer_or_author_date() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("a.md", "# A\n\nfirst\n")
        .write("b.md", "# B\n")
        .write("guide/c.md", "# C\n");
    let c1 = repo.commit_at(
        "Start the runbooks",
        "Alice",
        "2020-01-01 10:00:00 +0000",
        "2020-01-02 10:00:00 +0000",
    );
    repo.write("a.md", "# A\n\nsecond keystone\n");
    let c2 = repo.commit_at(
        "Edit a",
        "Bob",
        "2021-03-01 08:00:00 +0200",
        "2021-06-01 12:00:00 +0000",
    );
    repo.write("notes.txt", "not a page\n");
    repo.commit_at(
        "Notes",
        "Carol",
        "2022-01-01 00:00:00 +0000",
        "2022-01-01 00:00:00 +0000",
    );
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync(&ken, &src);

    let (l, _) = list(&ken, &["--source", &src]);
    let a = page(&l, "a.md");
    assert_eq!(a["changed"]["commit"], c2.as_str());
    assert_eq!(a["changed"]["date"], "2021-06-01T12:00:00Z");
    assert_eq!(a["changed"]["author"], "Bob");
    assert_eq!(a["changed"]["subject"], "Edit a");
    assert_eq!(a["created"]["commit"], c1.as_str());
    assert_eq!(a["created"]["date"], "2020-01-02T10:00:00Z");
    // A page never edited was last changed when it was created; a later commit that touches
    // other files is no page's change.
    for p in ["b.md", "guide/c.md"] {
        assert_eq!(page(&l, p)["changed"]["commit"], c1.as_str(), "{p}");
        assert_eq!(page(&l, p)["created"]["commit"], c1.as_str(), "{p}");
        assert_eq!(page(&l, p)["changed"]["author"], "Alice", "{p}");
    }

    // The author date instead, by flag and by config.
    let (l, _) = list(&ken, &["--source", &src, "--author-date"]);
    assert_eq!(page(&l, "a.md")["changed"]["date"], "2021-03-01T06:00:00Z");
    assert_eq!(page(&l, "a.md")["created"]["date"], "2020-01-01T10:00:00Z");
    ken.config("dates = \"author\"\n");
    let (l, _) = list(&ken, &["--source", &src]);
    assert_eq!(page(&l, "a.md")["changed"]["date"], "2021-03-01T06:00:00Z");

    // Search results carry the page's last change too.
    let r = run(ken.cmd(&["--source", &src, "search", "--json", "keystone"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hits: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(hits[0]["path"], "a.md");
    assert_eq!(hits[0]["changed"]["commit"], c2.as_str());
    assert_eq!(hits[0]["changed"]["date"], "2021-03-01T06:00:00Z");
}

#[test]
fn commits_in_git_blame_ignore_revs_are_no_page_s_change() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    let at = |d: &str| format!("{d} 12:00:00 +0000");
    repo.write("a.md", "# A\n\none\n");
    repo.commit_at("Add a", "T", &at("2020-01-01"), &at("2020-01-01"));
    repo.write("a.md", "# A\n\ntwo\n");
    let edit = repo.commit_at("Real edit", "T", &at("2020-02-01"), &at("2020-02-01"));
    repo.write("a.md", "# A\n\n  two\n");
    let reformat = repo.commit_at("Reformat", "T", &at("2020-03-01"), &at("2020-03-01"));
    repo.write(
        ".git-blame-ignore-revs",
        format!("# formatting only\n{reformat} # the reformat\n\nnot-an-id\n"),
    );
    repo.commit_at(
        "Ignore the reformat",
        "T",
        &at("2020-04-01"),
        &at("2020-04-01"),
    );
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync(&ken, &src);
    let (l, _) = list(&ken, &["--source", &src]);
    assert_eq!(page(&l, "a.md")["changed"]["commit"], edit.as_str());
    assert_eq!(page(&l, "a.md")["changed"]["subject"], "Real edit");

    // Once the file no longer lists it, the reformat is the last change again.
    repo.write(".git-blame-ignore-revs", "# nothing ignored\n");
    repo.commit_at("Stop ignoring", "T", &at("2020-05-01"), &at("2020-05-01"));
    sync(&ken, &src);
    let (l, _) = list(&ken, &["--source", &src]);
    assert_eq!(page(&l, "a.md")["changed"]["commit"], reformat.as_str());
}

#[test]
fn renames_are_followed_to_the_name_a_page_was_created_under() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    let at = |d: &str| format!("{d} 12:00:00 +0000");
    repo.write("old/x.md", format!("# X\n\n{LONG}"))
        .write("v.md", format!("# V\n\n{LONG}"));
    let created = repo.commit_at("Add x and v", "T", &at("2019-01-01"), &at("2019-01-01"));
    repo.write("old/x.md", format!("# X\n\n{LONG}\nEdited.\n"))
        .write("v.md", format!("# V\n\n{LONG}\nEdited.\n"));
    let edited = repo.commit_at("Edit x and v", "T", &at("2019-02-01"), &at("2019-02-01"));
    repo.git(&["mv", "old/x.md", "y.md"]);
    repo.git(&["mv", "v.md", "w.md"]);
    repo.commit_at(
        "Move x to y, v to w",
        "T",
        &at("2019-03-01"),
        &at("2019-03-01"),
    );

    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync(&ken, &src);
    // A rename that keeps the text is not a change of the page.
    let (l, _) = list(&ken, &["--source", &src]);
    for p in ["y.md", "w.md"] {
        assert_eq!(page(&l, p)["changed"]["commit"], edited.as_str(), "{p}");
        assert_eq!(page(&l, p)["created"]["commit"], created.as_str(), "{p}");
    }

    // Renamed again with an edit, after the last sync: the walk from the stored tip follows
    // the page back to the name it had there.
    repo.git(&["mv", "y.md", "z.md"]);
    repo.write("z.md", format!("# Z\n\n{LONG}\nEdited.\n"));
    let moved = repo.commit_at(
        "Rename y to z, retitled",
        "T",
        &at("2019-04-01"),
        &at("2019-04-01"),
    );
    sync(&ken, &src);
    let (l, _) = list(&ken, &["--source", &src]);
    let z = page(&l, "z.md");
    assert_eq!(z["changed"]["commit"], moved.as_str());
    assert_eq!(z["created"]["commit"], created.as_str());
    assert_eq!(page(&l, "w.md")["changed"]["commit"], edited.as_str());

    // A fresh ken walking the whole history at once says the same.
    let fresh = Ken::new();
    sync(&fresh, &src);
    let (again, _) = list(&fresh, &["--source", &src]);
    assert_eq!(again, l);
}

#[test]
fn a_force_push_between_syncs_is_walked_again_from_the_new_tip() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    let at = |d: &str| format!("{d} 12:00:00 +0000");
    repo.write("a.md", "# A\n").write("b.md", "# B\n");
    let first = repo.commit_at("Start", "T", &at("2020-01-01"), &at("2020-01-01"));
    repo.write("a.md", "# A\n\nedited\n");
    repo.commit_at("Edit a", "T", &at("2021-01-01"), &at("2021-01-01"));
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync(&ken, &src);

    // Upstream rewrites history: the edit of a.md is gone, b.md is edited instead.
    repo.git(&["reset", "-q", "--hard", &first]);
    repo.write("b.md", "# B\n\nrewritten\n");
    let rewrite = repo.commit_at(
        "Edit b instead",
        "Eve",
        &at("2022-01-01"),
        &at("2022-01-01"),
    );
    sync(&ken, &src);
    let (l, _) = list(&ken, &["--source", &src]);
    assert_eq!(page(&l, "a.md")["changed"]["commit"], first.as_str());
    assert_eq!(page(&l, "b.md")["changed"]["commit"], rewrite.as_str());
    assert_eq!(page(&l, "b.md")["changed"]["author"], "Eve");
    let fresh = Ken::new();
    sync(&fresh, &src);
    assert_eq!(list(&fresh, &["--source", &src]).0, l);
}

#[test]
fn escapes_in_author_and_subject_never_reach_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("a.md", "# A\n");
    repo.commit_at(
        "Fix \x1b[31mred\x1b[0m \u{202e}txt.exe \x07",
        "Mal\x1b]0;owned\x07lory",
        "2020-01-01 00:00:00 +0000",
        "2020-01-01 00:00:00 +0000",
    );
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync(&ken, &src);
    let out = ken
        .cmd(&["--source", &src, "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0x1b), "an ESC byte was printed");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{202e}'), "a bidi override was printed");
    let l: Vec<Value> = serde_json::from_str(&text).unwrap();
    let changed = &page(&l, "a.md")["changed"];
    assert_eq!(changed["author"], "Mal␛]0;owned␇lory");
    assert_eq!(changed["subject"], "Fix ␛[31mred␛[0m <U+202E>txt.exe ␇");
}

#[test]
fn future_and_skewed_dates_are_shown_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("a.md", "# A\n").write("b.md", "# B\n");
    repo.commit_at(
        "Start",
        "T",
        "2020-01-01 00:00:00 +0000",
        "2020-01-01 00:00:00 +0000",
    );
    // A commit whose clock was behind its parent's: history order, not date order, decides.
    repo.write("a.md", "# A\n\nedited\n");
    let skewed = repo.commit_at(
        "Skewed",
        "T",
        "2010-01-01 00:00:00 +0000",
        "2010-01-01 00:00:00 +0000",
    );
    repo.write("b.md", "# B\n\nfrom the future\n");
    let future = repo.commit_at(
        "Future",
        "T",
        "2099-01-01 00:00:00 +0000",
        "2099-01-01 00:00:00 +0000",
    );
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync(&ken, &src);
    let (l, _) = list(&ken, &["--source", &src]);
    assert_eq!(page(&l, "a.md")["changed"]["commit"], skewed.as_str());
    assert_eq!(page(&l, "a.md")["changed"]["date"], "2010-01-01T00:00:00Z");
    assert_eq!(page(&l, "b.md")["changed"]["commit"], future.as_str());
    assert_eq!(page(&l, "b.md")["changed"]["date"], "2099-01-01T00:00:00Z");
}

#[test]
fn a_shallow_mirror_says_its_dates_are_unknown_rather_than_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    let at = |d: &str| format!("{d} 12:00:00 +0000");
    repo.write("a.md", "# A\n").write("b.md", "# B\n");
    repo.commit_at("Start", "T", &at("2020-01-01"), &at("2020-01-01"));
    repo.write("b.md", "# B\n\nedited\n");
    repo.commit_at("Edit b", "T", &at("2020-06-01"), &at("2020-06-01"));
    repo.write("a.md", "# A\n\nedited\n");
    let top = repo.commit_at("Edit a", "T", &at("2021-01-01"), &at("2021-01-01"));
    // Two commits deep: the edit of b is the boundary, whose parent is not there.
    let shallow = tmp.path().join("shallow");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &format!("file://{}", repo.dir.display()),
            &shallow.display().to_string(),
        ],
    );
    let ken = Ken::new();
    let src = format!("kb={}", shallow.display());
    sync(&ken, &src);
    let (l, stderr) = list(&ken, &["--source", &src]);
    // What the mirror shows is known; what lies below its boundary is not guessed.
    assert_eq!(page(&l, "a.md")["changed"]["commit"], top.as_str());
    assert_eq!(page(&l, "a.md")["created"], Value::Null);
    assert_eq!(page(&l, "b.md")["changed"], Value::Null);
    assert!(
        stderr.contains("kb: the mirror is a shallow clone, so dates it cannot see are unknown"),
        "{stderr}"
    );
}

#[test]
fn a_local_folder_is_dated_by_modification_times() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("notes");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.md"), "# A\n").unwrap();
    std::fs::write(dir.join("sub/b.md"), "# B\n").unwrap();
    for (file, when) in [
        ("a.md", "2021-05-05 10:00:00Z"),
        ("sub/b.md", "2030-01-01 00:00:00Z"),
    ] {
        let ok = Command::new("touch")
            .args(["-d", when])
            .arg(dir.join(file))
            .status()
            .unwrap()
            .success();
        assert!(ok, "touch -d works");
    }
    let ken = Ken::new();
    let src = format!("notes={}", dir.display());
    let (l, _) = list(&ken, &["--source", &src]);
    assert_eq!(page(&l, "a.md")["changed"]["date"], "2021-05-05T10:00:00Z");
    assert_eq!(page(&l, "a.md")["changed"].get("commit"), None);
    assert_eq!(page(&l, "a.md")["created"], Value::Null);
    assert_eq!(
        page(&l, "sub/b.md")["changed"]["date"],
        "2030-01-01T00:00:00Z"
    );
}

/// `count` commits on `main` through `git fast-import`: `pages` pages are added by commit
/// `added_at` (0 is the root), page 0 is edited by commit `count - 10`, and every other commit
/// changes nothing (so the repository stays small while its history is long). Commit `i` is
/// dated 2017-07-14 plus `i` minutes.
fn long_history(dir: &Path, count: usize, pages: usize, added_at: usize) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    let mut stream = String::new();
    for i in 0..count {
        let t = 1_500_000_000 + i * 60;
        let msg = format!("commit {i}");
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter T <t@example.org> {t} +0000\ndata {}\n{msg}\n",
            msg.len()
        ));
        let mut file = |path: String, text: String| {
            stream.push_str(&format!(
                "M 100644 inline {path}\ndata {}\n{text}\n",
                text.len()
            ));
        };
        if i == added_at {
            for k in 0..pages {
                file(format!("docs/p{k}.md"), format!("# Page {k}\n"));
            }
        }
        if i == count - 10 {
            file("docs/p0.md".into(), "# Page 0, edited\n".into());
        }
        if i == 0 && added_at != 0 {
            file("README.txt".into(), "not a page\n".into());
        }
        stream.push('\n');
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "git fast-import");
    git(dir, &["reset", "-q", "--hard", "main"]);
}

fn minutes_after_start(i: usize) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_500_000_000 + i as u64 * 60);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// The CPU time (user + system) of one child process, from wait4(2): unlike the wall clock,
/// it does not grow when other builds share the machine.
fn cpu_time(mut cmd: Command) -> (bool, std::time::Duration) {
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI call with valid out-pointers; the child is ours and not yet waited for.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &mut status, 0, &mut ru);
        assert_eq!(r, pid);
        ru
    };
    std::mem::forget(child);
    let t = |tv: libc::timeval| {
        std::time::Duration::from_secs(tv.tv_sec as u64)
            + std::time::Duration::from_micros(tv.tv_usec as u64)
    };
    (
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        t(ru.ru_utime) + t(ru.ru_stime),
    )
}

#[test]
fn a_history_of_100000_commits_is_walked_once_in_bounded_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("long");
    long_history(&dir, 100_000, 40, 0);
    let ken = Ken::new();
    let src = format!("long={}", dir.display());
    sync(&ken, &src);
    let stored = ken.data_dir().join("page-dates/long");
    let before = std::fs::read(&stored).expect("the walk is stored at sync");
    let (l, stderr) = list(&ken, &["--source", &src]);
    assert!(!stderr.contains("note:"), "{stderr}");
    assert_eq!(l.len(), 40);
    assert_eq!(
        page(&l, "docs/p0.md")["changed"]["date"],
        minutes_after_start(99_990)
    );
    assert_eq!(
        page(&l, "docs/p0.md")["created"]["date"],
        minutes_after_start(0)
    );
    assert_eq!(
        page(&l, "docs/p7.md")["changed"]["date"],
        minutes_after_start(0)
    );
    // Listing reads the stored walk; it walks nothing again.
    assert_eq!(std::fs::read(&stored).unwrap(), before);

    // Without the stored walk, a command walks the whole history once for all pages (every
    // page was created by the root commit, so nothing stops the walk early). A walk per page,
    // 40 times 100,000 commits, would take tens of seconds of CPU even in a release build;
    // one walk takes about a second in a debug build.
    std::fs::remove_file(&stored).unwrap();
    let (ok, cpu) = cpu_time(ken.std_cmd(&["--source", &src, "--offline", "list", "--json"]));
    assert!(ok, "ken list failed");
    assert!(
        cpu.as_secs() < 10,
        "the walk of 100,000 commits took {cpu:?} of CPU"
    );
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        before,
        "the same walk, stored again"
    );
}

#[test]
fn the_first_walk_stops_once_every_page_has_its_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("full");
    long_history(&full, 20_000, 10, 19_900);
    // A mirror of only the last 1,000 commits: a walk that went on below the pages'
    // creation would reach the cut and report the dates as partly unknown.
    let cut = tmp.path().join("cut");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1000",
            &format!("file://{}", full.display()),
            &cut.display().to_string(),
        ],
    );
    let ken = Ken::new();
    let src = format!("cut={}", cut.display());
    sync(&ken, &src);
    let (l, stderr) = list(&ken, &["--source", &src]);
    assert!(!stderr.contains("shallow"), "{stderr}");
    assert_eq!(
        page(&l, "docs/p3.md")["created"]["date"],
        minutes_after_start(19_900)
    );
    assert_eq!(
        page(&l, "docs/p0.md")["changed"]["date"],
        minutes_after_start(19_990)
    );
}

#[test]
fn a_commit_s_author_and_subject_are_sanitized_in_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("a.md", "# A\n\nkeystone\n");
    repo.commit_at(
        "Start",
        "T",
        "2019-01-01 00:00:00 +0000",
        "2019-01-01 00:00:00 +0000",
    );
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    sync(&ken, &src);
    repo.write("a.md", "# A\n\nkeystone, edited\n");
    repo.commit_at(
        "Fix \x1b[31mred\x1b[0m \u{202e}txt.exe \x07\x1b]8;;http://x\x07link",
        "Mal\x1b]0;owned\x07lory\u{2066}",
        "2020-01-01 00:00:00 +0000",
        "2020-01-01 00:00:00 +0000",
    );
    sync(&ken, &src);
    let outputs: &[&[&str]] = &[
        &["list", "--json"],
        &["search", "--json", "keystone"],
        &["news"],
        &["news", "--json"],
        &["stale", "--older-than", "0d"],
        &["stale", "--older-than", "0d", "--json"],
        &["stale", "--older-than", "0d", "--format", "github"],
        &["stale", "--older-than", "0d", "--format", "sarif"],
        &["stale", "--older-than", "0d", "--format", "junit"],
        &["stale", "--older-than", "0d", "--format", "gitlab"],
    ];
    for args in outputs {
        let mut all = vec!["--source", src.as_str()];
        all.extend_from_slice(args);
        let out = ken.cmd(&all).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!bytes.contains(&0x1b), "{args:?}: an ESC byte on {name}");
            assert!(!bytes.contains(&0x07), "{args:?}: a BEL byte on {name}");
            let text = String::from_utf8_lossy(bytes);
            for c in ['\u{202e}', '\u{2066}'] {
                assert!(!text.contains(c), "{args:?}: {c:?} on {name}: {text}");
            }
        }
        // The author is there, made visible, not dropped.
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Mal␛]0;owned␇lory"), "{args:?}: {text}");
    }
}
