//! Fleet mirrors: `[mirrors]` in config.toml and `KEN_MIRROR` rewrite the URLs ken fetches by
//! prefix (git's `insteadOf`), and `ken status` says which URL was used and why. The sources
//! are configured with URLs that cannot resolve (`.invalid` is reserved for that), so a sync
//! that works can only have gone through the mirror, a `git daemon` on 127.0.0.1.

use crate::common;

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

const UPSTREAM: &str = "https://git.invalid/org/docs";

fn serve() -> (tempfile::TempDir, GitDaemon) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(&tmp.path().join("org"), "docs");
    repo.write("runbook.md", "# Restart nova\n\nDrain first.\n");
    repo.commit("first");
    let daemon = GitDaemon::start(tmp.path());
    (tmp, daemon)
}

fn status_json(ken: &Ken) -> Value {
    let r = run(ken.cmd(&["status", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn a_source_at_an_unreachable_url_syncs_through_its_mirror() {
    let (_tmp, daemon) = serve();
    let mirror = format!("git://127.0.0.1:{}/", daemon.port);
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"docs\"\nurl = \"{UPSTREAM}\"\n\n[mirrors]\n\"https://git.invalid/\" = \"{mirror}\"\n"
    ));
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("docs: cloned at "), "{}", r.stdout);

    // The copy is recorded under the configured URL: list and status read it.
    let r = run(ken.cmd(&["--offline", "list"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("runbook.md"), "{}", r.stdout);

    let r = run(ken.cmd(&["status"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let used = format!(
        "fetched from {mirror}org/docs (by [mirrors] \"https://git.invalid/\" = \"{mirror}\")"
    );
    assert!(r.stdout.contains(&used), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("  docs  {UPSTREAM}")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Mirrors\n  https://git.invalid/ → "),
        "{}",
        r.stdout
    );

    let v = status_json(&ken);
    let s = &v["sources"][0];
    assert_eq!(s["url"], UPSTREAM);
    assert_eq!(s["fetch_url"], format!("{mirror}org/docs"));
    assert_eq!(s["fetch_url_why"]["via"], "mirror");
    assert_eq!(s["fetch_url_why"]["from"], "https://git.invalid/");
    assert_eq!(s["fetch_url_why"]["origin"], "config");
    assert!(s["commit"].is_string(), "{s}");
    assert_eq!(v["mirror_rules"][0]["to"], mirror);
}

#[test]
fn without_the_mirror_the_same_source_fails() {
    let ken = Ken::new();
    ken.config(&format!(
        "[[source]]\nname = \"docs\"\nurl = \"{UPSTREAM}\"\n"
    ));
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.starts_with("ken: sync docs: "), "{}", r.stderr);
    let v = status_json(&ken);
    assert_eq!(v["sources"][0]["fetch_url"], UPSTREAM);
    assert_eq!(v["sources"][0]["fetch_url_why"]["via"], "configured");
}

#[test]
fn ken_mirror_from_the_environment_and_the_longest_prefix_win() {
    let (_tmp, daemon) = serve();
    let good = format!("git://127.0.0.1:{}/", daemon.port);
    let ken = Ken::new();
    // The shorter rule points at a port nothing listens on; the longer one at the daemon.
    ken.config(&format!(
        "[[source]]\nname = \"docs\"\nurl = \"{UPSTREAM}\"\n\n[mirrors]\n\"https://git.invalid/\" = \"git://127.0.0.1:1/\"\n\"https://git.invalid/org/\" = \"{good}org/\"\n"
    ));
    let r = run(ken.cmd(&["sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        status_json(&ken)["sources"][0]["fetch_url_why"]["from"],
        "https://git.invalid/org/"
    );

    // KEN_MIRROR replaces the file's rule for the same prefix.
    let dead = "git://127.0.0.1:1/org/";
    let mut cmd = ken.cmd(&["sync"]);
    cmd.env("KEN_MIRROR", format!("https://git.invalid/org/={dead}"));
    let r = run(cmd);
    assert_eq!(r.code, 1, "{}", r.stdout);
    // The failure names the URL fetched and the rule that chose it.
    let line = r.stderr.lines().next().unwrap_or_default();
    assert!(
        line.starts_with("ken: sync docs: ")
            && line.ends_with(&format!(
                "(fetching {dead}docs, by KEN_MIRROR=https://git.invalid/org/={dead})"
            )),
        "{}",
        r.stderr
    );
    let mut cmd = ken.cmd(&["status", "--json"]);
    cmd.env("KEN_MIRROR", format!("https://git.invalid/org/={good}org/"));
    let r = run(cmd);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["sources"][0]["fetch_url_why"]["origin"], "env");
    assert_eq!(v["sources"][0]["fetch_url"], format!("{good}org/docs"));
    // The last good copy stays after the failed sync.
    assert!(v["sources"][0]["commit"].is_string(), "{v}");
}

#[test]
fn a_bad_mirror_rule_is_one_line_before_anything_is_done() {
    let ken = Ken::new();
    ken.config("[mirrors]\n\"\" = \"https://x/\"\n");
    let r = run(ken.cmd(&["status"]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("[mirrors] \"\": the prefix is empty"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);

    let ken = Ken::new();
    let mut cmd = ken.cmd(&["status"]);
    cmd.env("KEN_MIRROR", "https://github.com/");
    let r = run(cmd);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.trim(),
        "ken: KEN_MIRROR=\"https://github.com/\": expected FROM=TO, as in https://github.com/=https://git.example/github/"
    );
}
