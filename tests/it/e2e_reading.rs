//! End to end, the reading features: the real `ken` in tmux, on a repository it fetches from
//! `git daemon` on 127.0.0.1: search, open, follow an internal link to its anchor, go back to
//! the same place, find in page, copy a code block (the OSC 52 sequence reaches tmux, whose
//! paste buffer must then hold exactly the block's text), quit.
//!
//! Every step waits (with a deadline) for text on the screen via `capture-pane`; nothing
//! sleeps to synchronise. Needs tmux and git (`.ci/run` installs both).

use crate::common;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{GitDaemon, Ken, Repo, wait_until};

struct Tmux {
    socket: String,
}

static N: AtomicUsize = AtomicUsize::new(0);

impl Tmux {
    fn start(w: u16, h: u16, env: &[(String, String)], script: &str) -> Tmux {
        let socket = format!(
            "ken-e2e-read-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = Command::new("tmux");
        c.args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-s", "ken", "-x", &w.to_string(), "-y", &h.to_string()])
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

    fn tmux(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "ken"]).1
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "ken"];
        args.extend(keys);
        self.tmux(&args);
    }

    fn text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "ken", "-l", s]);
    }

    fn wait_for(&self, texts: &[&str]) -> String {
        let mut last = String::new();
        let ok = wait_until(Duration::from_secs(20), || {
            last = self.screen();
            texts.iter().all(|t| last.contains(t))
        });
        assert!(ok, "waited for {texts:?}, the screen shows:\n{last}");
        last
    }

    fn wait_screen(&self, cond: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        let ok = wait_until(Duration::from_secs(20), || {
            last = self.screen();
            cond(&last)
        });
        assert!(ok, "waited, the screen shows:\n{last}");
        last
    }

    /// The position indicator of the reader's status bar: " 12/80 ".
    fn position(&self) -> String {
        let s = self.screen();
        position_in(&s).unwrap_or_else(|| panic!("no position in the status bar:\n{s}"))
    }
}

/// The position indicator ("12/80") in a screen's status bar.
fn position_in(screen: &str) -> Option<String> {
    let status = screen.lines().rev().find(|l| !l.trim().is_empty())?;
    status
        .split_whitespace()
        .find(|w| {
            w.split_once('/').is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && b.bytes().all(|c| c.is_ascii_digit())
            })
        })
        .map(str::to_string)
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

const BLOCK_2: &str = "rsync -a /etc/keystone/fernet-keys/ node2:/etc/keystone/fernet-keys/\nsystemctl restart apache2\n";

fn filler(name: &str, n: usize) -> String {
    (1..=n)
        .map(|i| format!("Paragraph {i} about {name}.\n\n"))
        .collect()
}

#[test]
fn search_open_follow_back_find_copy_quit() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::init(dir.path(), "site");
    repo.write(
        "docs/index.md",
        format!(
            "# Welcome to the runbooks\n\n{}Next: [rotate the keys](ops/rotate.md#rotate-the-keys).\n\n{}",
            filler("welcoming", 30),
            filler("more welcoming", 20)
        ),
    );
    repo.write(
        "docs/ops/rotate.md",
        format!(
            "# Rotate the Fernet keys\n\n{}## Rotate the keys\n\nRun this on the primary node:\n\n\
             ```sh\nkeystone-manage fernet_rotate\n```\n\nThen copy the keys:\n\n```sh\n{BLOCK_2}```\n\n{}",
            filler("preparing", 15),
            filler("checking", 15)
        ),
    );
    repo.commit("runbooks");
    let daemon = GitDaemon::start(dir.path());
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"runbooks\"\nurl = \"{}\"\n",
        daemon.url("site")
    ));
    let env = vec![
        ("KEN_DATA_DIR".into(), ken.data_dir().display().to_string()),
        (
            "KEN_CONFIG_DIR".into(),
            ken.config_dir().display().to_string(),
        ),
        ("HOME".into(), ken.home.path().display().to_string()),
    ];
    let bin = common::ken_bin();
    let t = Tmux::start(
        100,
        30,
        &env,
        &format!("'{}'; echo EXIT=$?; exec sleep 600", bin.display()),
    );
    // tmux takes an application's OSC 52 into its paste buffer.
    assert!(t.tmux(&["set-option", "-g", "set-clipboard", "on"]).0);
    t.wait_for(&["Library", "synced just now"]);

    // Search, open the page.
    t.keys(&["s"]);
    t.wait_for(&["Search:"]);
    t.text("welcoming");
    t.wait_for(&["Welcome to the runbooks", "1 page"]);
    t.keys(&["Enter"]);
    t.wait_for(&["Welcome to the runbooks\n═══"]);

    // Two pages down the link is on screen: remember the place, select the link.
    let top = t.position();
    t.keys(&["Space"]);
    t.wait_screen(|s| !s.contains(&top));
    let one = t.position();
    t.keys(&["Space"]);
    t.wait_screen(|s| !s.contains(&one));
    t.wait_for(&["Next: rotate the keys."]);
    let before = t.position();
    t.keys(&["Tab"]);
    t.wait_for(&["link → docs/ops/rotate.md#rotate-the-keys"]);

    // Follow it: the other page, at the section.
    t.keys(&["Enter"]);
    let s = t.wait_for(&["docs/ops/rotate.md", "Run this on the primary node:"]);
    let body: Vec<&str> = s.lines().skip(2).collect();
    assert_eq!(
        body[0].trim(),
        "Rotate the keys",
        "the section is at the top:\n{s}"
    );

    // Back: the first page, at the same place.
    t.keys(&["BSpace"]);
    // Wait for the first page's header and its old place (the screen may still show the
    // other page for a moment under load); on timeout the screen is shown.
    t.wait_screen(|s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.contains("docs/index.md"))
            && position_in(s).as_deref() == Some(before.as_str())
    });

    // Forward again, find in page.
    t.keys(&["L"]);
    t.wait_for(&["docs/ops/rotate.md"]);
    t.keys(&["/"]);
    t.text("fernet");
    t.keys(&["Enter"]);
    // Four matches (the title's too); the first one on screen is the current one.
    t.wait_for(&["Find: fernet  2/4"]);
    t.keys(&["n", "n"]);
    t.wait_for(&["Find: fernet  4/4"]);
    t.keys(&["n"]);
    t.wait_for(&["Find: fernet  1/4", "Rotate the Fernet keys\n═"]);
    t.keys(&["Escape"]);
    // Wait for the find bar to go: a key sent right after Escape can arrive with it in one
    // read, and the terminal then reports alt and that key.
    t.wait_screen(|s| !s.contains("Find: fernet"));

    // Copy block 2: confirmed in the status bar, and the tmux buffer holds exactly the code.
    t.keys(&["y"]);
    t.wait_for(&["Copy code block (1–2):"]);
    t.keys(&["2"]);
    t.wait_for(&["copied code block 2 (2 lines) to the clipboard"]);
    let mut buffer = String::new();
    let got = wait_until(Duration::from_secs(10), || {
        let (ok, b) = t.tmux(&["show-buffer"]);
        buffer = b;
        ok && buffer == BLOCK_2
    });
    assert!(got, "the tmux buffer holds {buffer:?}");

    t.keys(&["C-c"]);
    t.wait_for(&["EXIT=0"]);
}
