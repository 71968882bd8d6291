//! End to end: the real `ken` binary in tmux, reading a repository that it fetches itself
//! from `git daemon` on 127.0.0.1. Every step waits (with a deadline) for text on the screen
//! via `capture-pane`; nothing sleeps to synchronise.
//!
//! Needs tmux and git (`.ci/run` installs both).

use crate::common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{GitDaemon, Ken, Repo, wait_until};

/// A tmux server of its own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

static N: AtomicUsize = AtomicUsize::new(0);

impl Tmux {
    /// Starts `script` (run by sh) in a new session of `w`×`h`, with `env`.
    fn start(w: u16, h: u16, env: &[(&str, &str)], script: &str) -> Tmux {
        let socket = format!(
            "ken-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = Command::new("tmux");
        c.args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "ken",
        ])
        .args(["-x", &w.to_string(), "-y", &h.to_string()])
        .args(["sh", "-c", script])
        .env("TERM", "xterm-256color")
        .env_remove("TMUX");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().expect("tmux runs (install tmux)");
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "ken"])
    }

    /// Keys by tmux name (`Enter`, `Escape`, `C-c`, `q`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "ken"];
        args.extend(keys);
        self.tmux(&args);
    }

    fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "ken", "-l", s]);
    }

    fn format(&self, f: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "ken", f])
            .trim()
            .to_string()
    }

    /// Waits until every one of `texts` is on screen; fails with the screen otherwise.
    fn wait_for(&self, texts: &[&str]) -> String {
        let mut last = String::new();
        let ok = wait_until(Duration::from_secs(20), || {
            last = self.screen();
            texts.iter().all(|t| last.contains(t))
        });
        assert!(ok, "waited for {texts:?}, the screen shows:\n{last}");
        last
    }

    /// Waits until the screen satisfies `cond`; fails with the screen otherwise.
    fn wait_screen(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        let ok = wait_until(Duration::from_secs(20), || {
            last = self.screen();
            cond(&last)
        });
        assert!(ok, "waited for {what}, the screen shows:\n{last}");
        last
    }

    /// The pid of the program the pane's shell runs (ken).
    fn child_pid(&self) -> u32 {
        let shell = self.format("#{pane_pid}");
        let mut pid = None;
        wait_until(Duration::from_secs(10), || {
            let path = format!("/proc/{shell}/task/{shell}/children");
            pid = std::fs::read_to_string(path)
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok());
            pid.is_some()
        });
        pid.expect("ken runs under the pane's shell")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// After ken: its exit code, then the terminal modes, on the normal screen.
const AFTER: &str = "echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo END; exec sleep 600";

/// The reader's position (`line/lines`) in the status bar.
fn position(screen: &str) -> Option<String> {
    let status = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    status
        .split_whitespace()
        .find(|w| {
            let mut parts = w.split('/');
            matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None)
                if !a.is_empty() && !b.is_empty()
                    && a.chars().all(|c| c.is_ascii_digit())
                    && b.chars().all(|c| c.is_ascii_digit()))
        })
        .map(str::to_string)
}

fn site_repo(base: &Path) -> Repo {
    let repo = Repo::init(base, "site");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    fn copy(root: &Path, dir: &Path, repo: &Repo) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                copy(root, &p, repo);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                repo.write(&rel, std::fs::read(&p).unwrap());
            }
        }
    }
    copy(&root, &root, &repo);
    repo.commit("the runbooks");
    repo
}

fn ken_env(ken: &Ken) -> Vec<(String, String)> {
    vec![
        ("KEN_DATA_DIR".into(), ken.data_dir().display().to_string()),
        (
            "KEN_CONFIG_DIR".into(),
            ken.config_dir().display().to_string(),
        ),
        ("HOME".into(), ken.home.path().display().to_string()),
    ]
}

fn start(ken: &Ken, args: &str, w: u16, h: u16) -> Tmux {
    let env = ken_env(ken);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let bin = common::ken_bin();
    Tmux::start(w, h, &env, &format!("'{}' {args}; {AFTER}", bin.display()))
}

fn assert_restored(t: &Tmux, code: i32) {
    let s = t.wait_for(&[&format!("EXIT={code}"), "END"]);
    assert_eq!(
        t.format("#{alternate_on}"),
        "0",
        "left the alternate screen"
    );
    assert_eq!(t.format("#{cursor_flag}"), "1", "cursor visible");
    assert_eq!(t.format("#{mouse_any_flag}"), "0", "mouse released");
    let modes = s
        .lines()
        .skip_while(|l| !l.contains("EXIT="))
        .nth(1)
        .unwrap_or_default();
    assert!(
        modes.contains("icanon") && !modes.contains("-icanon") && !modes.contains("-echo"),
        "raw mode left on: {modes:?}\n{s}"
    );
}

#[test]
fn search_open_scroll_help_quit() {
    let dir = tempfile::tempdir().unwrap();
    let _repo = site_repo(dir.path());
    let daemon = GitDaemon::start(dir.path());
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"runbooks\"\nurl = \"{}\"\n",
        daemon.url("site")
    ));
    let t = start(&ken, "", 100, 30);
    // First run: nothing synced. ken fetches in the background, then shows the library.
    t.wait_for(&[
        "Library",
        "Welcome to the runbooks",
        "Operations",
        "synced just now",
    ]);

    t.keys(&["s"]);
    t.wait_for(&["Search:"]);
    t.text("primary node");
    t.wait_for(&["Rotate the Fernet keys", "§ Rotate the keys", "1 page"]);

    t.keys(&["Enter"]);
    let s = t.wait_for(&["Rotate the keys\n", "status: Draft · version: v2"]);
    assert!(s.contains("keystone-manage fernet_rotate"), "{s}");

    // Top, then a page down: the first paragraph scrolls away and the position moves.
    t.keys(&["g"]);
    let s = t.wait_screen("the top", |s| {
        s.contains("Keystone signs tokens") && position(s).is_some_and(|p| p.starts_with("1/"))
    });
    let lines: usize = position(&s)
        .and_then(|p| p.split('/').nth(1)?.parse().ok())
        .expect("a position");
    t.keys(&["Space"]);
    let s = t.wait_screen("a page further", |s| {
        !s.contains("Keystone signs tokens") && position(s).is_some_and(|p| !p.starts_with("1/"))
    });
    let pos = position(&s).expect("a position");
    // A page is the screen's height less the title, facts and status lines.
    assert_eq!(pos, format!("{}/{lines}", 1 + 30 - 3), "{s}");

    t.keys(&["?"]);
    t.wait_for(&["Keys: reader", "find in this page", "move down one page"]);

    // Close help, back to the results, back to the library, quit.
    t.keys(&["q"]);
    t.wait_screen("the page again", |s| {
        position(s).as_deref() == Some(pos.as_str())
    });
    t.keys(&["q"]);
    t.wait_for(&["Search: primary node"]);
    t.keys(&["Escape"]);
    t.wait_for(&["Library"]);
    t.keys(&["q"]);
    assert_restored(&t, 0);
}

#[test]
fn unreachable_and_never_synced_shows_the_guide() {
    let ken = Ken::new();
    let port = common::free_port();
    ken.config(&format!(
        "[[source]]\nname = \"runbooks\"\nurl = \"git://127.0.0.1:{port}/none\"\n"
    ));
    let t = start(&ken, "", 100, 30);
    t.wait_for(&[
        "No knowledge base yet",
        "ken user guide",
        "offline",
        "built-in guide",
    ]);
    t.keys(&["C-c"]);
    assert_restored(&t, 0);
}

fn signal_test(sig: &str, code: i32) {
    let ken = Ken::new();
    let t = start(&ken, "--offline", 80, 24);
    t.wait_for(&["ken guide", "built-in guide"]);
    let pid = t.child_pid();
    let out = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_restored(&t, code);
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_test("TERM", 128 + 15);
}

#[test]
fn sighup_restores_the_terminal() {
    signal_test("HUP", 128 + 1);
}

#[test]
fn terminal_gone_exits_within_two_seconds() {
    let ken = Ken::new();
    let t = start(&ken, "--offline", 80, 24);
    t.wait_for(&["ken guide"]);
    let pid = t.child_pid();
    let started = Instant::now();
    t.tmux(&["kill-session", "-t", "ken"]);
    let gone = wait_until(Duration::from_secs(2), || {
        !Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.split_whitespace().nth(2) == Some("Z"))
    });
    assert!(
        gone,
        "ken still running {:?} after the terminal went away",
        started.elapsed()
    );
}

#[test]
fn ken_doc_opens_the_page_and_too_small_is_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let _repo = site_repo(dir.path());
    let daemon = GitDaemon::start(dir.path());
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"runbooks\"\nurl = \"{}\"\n",
        daemon.url("site")
    ));
    let r = common::run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = start(
        &ken,
        "--offline docs/02-operations/guides/02-backup",
        80,
        24,
    );
    t.wait_for(&[
        "Back up the databases",
        "status: Stable",
        "Take a backup every night.",
    ]);
    t.tmux(&["resize-window", "-t", "ken", "-x", "15", "-y", "4"]);
    t.wait_for(&["15×4"]);
    t.tmux(&["resize-window", "-t", "ken", "-x", "80", "-y", "24"]);
    t.wait_for(&["Take a backup every night."]);
    t.keys(&["q"]);
    t.wait_for(&["Library", "Welcome to the runbooks"]);
    t.keys(&["q"]);
    assert_restored(&t, 0);
}

#[test]
fn ctrl_z_suspends_and_fg_redraws() {
    let ken = Ken::new();
    let env = ken_env(&ken);
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("PS1", "$ "));
    // An interactive shell with job control, as a user has.
    let t = Tmux::start(80, 24, &env, "exec bash --norc --noprofile -i");
    t.wait_for(&["$"]);
    t.text(&format!("'{}' --offline", common::ken_bin().display()));
    t.keys(&["Enter"]);
    t.wait_for(&["ken guide", "built-in guide"]);
    t.keys(&["C-z"]);
    t.wait_for(&["Stopped"]);
    assert_eq!(
        t.format("#{alternate_on}"),
        "0",
        "the shell's screen while suspended"
    );
    t.text("fg");
    t.keys(&["Enter"]);
    t.wait_for(&["ken guide", "built-in guide"]);
    assert_eq!(t.format("#{alternate_on}"), "1");
    t.keys(&["q"]);
    t.wait_screen("the shell again", |s| !s.contains("built-in guide"));
    t.text("echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo END");
    t.keys(&["Enter"]);
    // bash itself turns raw mode on while it reads a line; look at what ken left: the exit
    // code, and that the screen and mouse are back.
    t.wait_for(&["EXIT=0", "END"]);
    assert_eq!(t.format("#{alternate_on}"), "0");
    assert_eq!(t.format("#{mouse_any_flag}"), "0");
}

#[test]
fn back_from_a_page_the_results_have_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let _repo = site_repo(dir.path());
    let daemon = GitDaemon::start(dir.path());
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"runbooks\"\nurl = \"{}\"\n",
        daemon.url("site")
    ));
    let t = start(&ken, "", 100, 30);
    t.wait_for(&["Library", "synced just now"]);
    t.keys(&["s"]);
    t.wait_for(&["Search:"]);
    t.text("keys");
    t.wait_for(&["Rotate the Fernet keys", "1 page"]);

    // The first hit, then back: `q` goes back to the results and types nothing.
    t.keys(&["Enter"]);
    let first = t.wait_screen("the first hit's page", |s| position(s).is_some());
    let first = position(&first).expect("a position");
    t.keys(&["q"]);
    t.wait_screen("the results, the query as it was", |s| {
        s.contains("Search: keys\n") && position(s).is_none()
    });

    // `j` moves to the next hit (another section, so another place in the page), `k` back.
    t.keys(&["j"]);
    t.keys(&["Enter"]);
    let second = t.wait_screen("the second hit's page", |s| position(s).is_some());
    assert_ne!(
        position(&second).as_deref(),
        Some(first.as_str()),
        "{second}"
    );
    t.keys(&["q"]);
    t.wait_for(&["Search: keys\n"]);
    t.keys(&["k"]);
    t.keys(&["Enter"]);
    t.wait_screen("the first hit again", |s| {
        position(s).as_deref() == Some(first.as_str())
    });
    t.keys(&["q"]);
    t.wait_for(&["Search: keys\n"]);

    // `/` edits the query again: now letters are typed.
    t.keys(&["/"]);
    t.text(" rotate");
    t.wait_for(&["Search: keys rotate"]);
    t.keys(&["Escape"]);
    t.wait_for(&["Library"]);
    t.keys(&["q"]);
    assert_restored(&t, 0);
}

/// A local folder of runbooks (the site fixture) and a ken configured to read it, synced once
/// by `ken sync`, which builds the index.
fn synced_local_folder() -> (tempfile::TempDir, Ken) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    let out = Command::new("cp")
        .arg("-r")
        .arg(&root)
        .arg(dir.path().join("kb"))
        .output()
        .unwrap();
    assert!(out.status.success(), "cp: {out:?}");
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"kb\"\nurl = \"{}\"\n",
        dir.path().join("kb").display()
    ));
    let r = common::run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    (dir, ken)
}

/// The index folder's `meta.json`: what its last commit was.
fn index_record(ken: &Ken) -> String {
    std::fs::read_to_string(ken.data_dir().join("index/meta.json")).expect("an index")
}

#[test]
fn after_ken_sync_the_ui_searches_the_index_sync_built_and_writes_nothing_to_stderr() {
    let (dir, ken) = synced_local_folder();
    let built = index_record(&ken);
    let err = dir.path().join("stderr");
    let t = start(&ken, &format!("2>'{}'", err.display()), 100, 30);
    t.wait_for(&["Library", "Welcome to the runbooks", "synced just now"]);
    t.keys(&["s"]);
    t.wait_for(&["Search:"]);
    t.text("primary node");
    let s = t.wait_for(&["Rotate the Fernet keys", "1 page"]);
    assert!(!s.contains("search index"), "no index notice: {s}");
    // Whatever else writes to ken's stderr meanwhile (here: from outside, through its fd 2)
    // is shown in the status bar, not written to the terminal or the file.
    let fd2 = format!("/proc/{}/fd/2", t.child_pid());
    std::fs::OpenOptions::new()
        .append(true)
        .open(&fd2)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"ken: a stray warning\n"))
        .expect("ken's stderr takes a line");
    t.wait_for(&["a stray warning"]);
    t.keys(&["Escape"]);
    t.wait_for(&["Library"]);
    t.keys(&["q"]);
    assert_restored(&t, 0);
    assert_eq!(
        std::fs::read_to_string(&err).unwrap(),
        "",
        "nothing reached stderr"
    );
    assert_eq!(index_record(&ken), built, "the index was not built again");
}

#[test]
fn an_index_rebuilt_by_the_ui_says_so_in_the_status_bar_not_on_stderr() {
    let (dir, ken) = synced_local_folder();
    std::fs::remove_dir_all(ken.data_dir().join("index")).unwrap();
    let err = dir.path().join("stderr");
    let t = start(&ken, &format!("2>'{}'", err.display()), 100, 30);
    // The library's search index is made when the library is in, before any key.
    t.wait_for(&[
        "Library",
        "Welcome to the runbooks",
        "search index is missing: building it from the sources",
    ]);
    t.keys(&["s"]);
    t.wait_for(&["Search:"]);
    t.text("primary node");
    t.wait_for(&["Rotate the Fernet keys", "1 page"]);
    t.keys(&["Escape"]);
    t.wait_for(&["Library"]);
    t.keys(&["q"]);
    assert_restored(&t, 0);
    assert_eq!(
        std::fs::read_to_string(&err).unwrap(),
        "",
        "nothing reached stderr"
    );
}

#[test]
fn the_ui_sees_a_local_folder_change_while_it_runs() {
    let (dir, ken) = synced_local_folder();
    let kb = dir.path().join("kb");
    let page = kb.join("docs/02-operations/guides/01-rotate-fernet-keys.md");
    let t = start(&ken, "", 100, 30);
    t.wait_for(&["Library", "Welcome to the runbooks"]);
    // Open the page by search, then edit it in place (as `>>` or an editor that writes into
    // the file does): the reader shows the new text, no key pressed.
    t.keys(&["s"]);
    t.wait_for(&["Search:"]);
    t.text("primary node");
    t.wait_for(&["Rotate the Fernet keys", "1 page"]);
    t.keys(&["Enter"]);
    t.wait_for(&["Rotate the keys\n"]);
    t.keys(&["g"]);
    t.wait_for(&["Keystone signs tokens with Fernet keys"]);
    let text = std::fs::read_to_string(&page).unwrap().replace(
        "Keystone signs tokens with Fernet keys.",
        "Keystone signs tokens with okapi keys.",
    );
    std::fs::write(&page, text).unwrap();
    t.wait_for(&["Keystone signs tokens with okapi keys", "changed on disk"]);
    // A page added: the UI brings the index up to date (the changed pages, not the folder).
    // (`ken status` reads the index without updating it.)
    let pages = |ken: &Ken| {
        let r = common::run(ken.cmd(&["--offline", "status", "--json"]));
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        (
            v["index"]["pages"].clone(),
            v["index"]["last_update_full"].clone(),
        )
    };
    let before = pages(&ken).0.as_u64().unwrap();
    std::fs::write(
        kb.join("docs/zebra.md"),
        "# Zebra crossings\n\nMind the zebra.\n",
    )
    .unwrap();
    let mut seen = None;
    let ok = wait_until(Duration::from_secs(20), || {
        seen = Some(pages(&ken));
        seen.as_ref().is_some_and(|p| p.0 == before + 1)
    });
    assert!(ok, "index pages {seen:?}, before {before}:\n{}", t.screen());
    assert_eq!(pages(&ken), ((before + 1).into(), false.into()));
    t.keys(&["C-c"]);
    assert_restored(&t, 0);
}

#[test]
fn what_s_new_the_page_s_changes_and_its_problems_without_a_word_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path(), "docs");
    repo.write("backup.md", "# Backups\n\nRun the nightly backup.\n")
        .write("guide.md", "# Guide\n\nRead the runbooks.\n");
    repo.commit("Start");
    let daemon = GitDaemon::start(dir.path());
    let ken = Ken::new();
    let source = format!("kb={}", daemon.url("docs"));
    let sync = || {
        let r = common::run(ken.cmd(&["--source", &source, "sync"]));
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    sync();
    std::fs::create_dir_all(repo.dir.join("ops")).unwrap();
    repo.git(&["mv", "backup.md", "ops/backups.md"]);
    repo.write(
        "guide.md",
        "# Guide\n\nRead the runbooks.\n\nThen see [the plan](plan.md).\n",
    );
    repo.commit("Move backups, point at the plan");
    sync();

    let err = dir.path().join("stderr");
    let t = start(
        &ken,
        &format!("--offline --source '{source}' 2>'{}'", err.display()),
        100,
        30,
    );
    t.wait_for(&["Library", "Guide"]);
    t.keys(&["W"]);
    t.wait_for(&[
        "What's new since the last sync",
        "renamed  ops/backups.md (from backup.md)",
        "changed  guide.md",
    ]);
    t.keys(&["q"]);
    t.wait_for(&["Library"]);
    t.keys(&[":"]);
    t.text("guide.md");
    t.keys(&["Enter"]);
    // The source's check runs in the background and the header says what it found.
    t.wait_for(&["changed today by", "1 problem (P)"]);
    t.keys(&["D"]);
    t.wait_for(&["changes: 1 line added, 0 removed", "+ Then see the plan."]);
    t.keys(&["D"]);
    t.wait_screen("the page again", |s| !s.contains("+ Then see"));
    t.keys(&["P"]);
    t.wait_for(&["Problems (ken check)", "the link \"plan.md\" leads nowhere"]);
    t.keys(&["Enter"]);
    t.wait_screen("the list closed", |s| !s.contains("Problems (ken check)"));
    t.keys(&["q"]);
    t.wait_for(&["Library"]);
    t.keys(&["q"]);
    assert_restored(&t, 0);
    assert_eq!(
        std::fs::read_to_string(&err).unwrap(),
        "",
        "nothing reached stderr"
    );
}
