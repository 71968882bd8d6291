//! `ken news`: what changed between syncs, over a repository built here with fixed dates,
//! served by `git daemon` and fetched by ken: every kind of page change, sections, minor
//! changes, standards' status changes, and a force-push between syncs.

use crate::common;

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

const GUIDE: &str = "# Guide\n\nIntro text.\n\n## Install\n\nRun the installer.\n\n## Upgrade\n\nRun the upgrade.\n";
const LONG: &str = "This page explains how the service is run, who is called when it fails, and \
    which steps bring it back. Every step is written out in full so that the page stays similar \
    when it is moved.\n";

fn standard(status: &str, extra: &str) -> String {
    format!(
        "---\ntype: Standard\nstatus: {status}\ntrack: KaaS\n{extra}---\n# A standard\n\nText.\n"
    )
}

fn at(day: &str) -> String {
    format!("{day} 12:00:00 +0000")
}

struct Fixture {
    _tmp: tempfile::TempDir,
    _daemon: GitDaemon,
    repo: Repo,
    ken: Ken,
    src: String,
    first: String,
    edit: String,
    last: String,
}

/// Synced twice: at `first`, then at `last` (after `edit` and `last`).
fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("guide.md", GUIDE)
        .write("links.md", "# Links\n\nSee [the guide](guide.md) first.\n")
        .write("ws.md", "# Spaces\n\nOne line of text.\n")
        .write("gone.md", "# Gone\n")
        .write("old-name.md", format!("# Moved\n\n{LONG}"))
        .write(
            "Standards/scs-0214-v2-node-distribution.md",
            standard("Draft", ""),
        )
        .write(
            "Standards/scs-0002-v1-docs-org.md",
            standard("Stable", "stabilized_at: 2019-01-01\n"),
        );
    let first = repo.commit_at("Start", "Olga", &at("2020-01-01"), &at("2020-01-01"));
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);

    repo.write(
        "guide.md",
        GUIDE.replace("Run the installer.", "Run the new installer."),
    )
    .write(
        "links.md",
        "# Links\n\nSee [the guide](guide.md#install) first.\n",
    )
    .write("ws.md", "# Spaces\n\nOne   line\nof text.\n");
    let edit = repo.commit_at(
        "Edit install",
        "Alice",
        &at("2020-07-01"),
        &at("2020-07-01"),
    );
    repo.remove("gone.md");
    repo.git(&["mv", "old-name.md", "new-name.md"]);
    repo.write("new.md", "# New page\n")
        .write(
            "Standards/scs-0214-v2-node-distribution.md",
            standard("Stable", "stabilized_at: 2020-08-01\n"),
        )
        .write(
            "Standards/scs-0002-v1-docs-org.md",
            standard(
                "Deprecated",
                "stabilized_at: 2019-01-01\ndeprecated_at: 2020-08-01\nreplaced_by: scs-0002-v2-docs-org.md\n",
            ),
        )
        .write("Standards/scs-0123-v1-services.md", standard("Draft", ""));
    let last = repo.commit_at(
        "Lifecycle \x1b[1mday",
        "Bob\x1b]0;x\x07b",
        &at("2020-08-01"),
        &at("2020-08-01"),
    );
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    Fixture {
        _tmp: tmp,
        _daemon: daemon,
        repo,
        ken,
        src,
        first,
        edit,
        last,
    }
}

fn news_json(f: &Fixture, args: &[&str]) -> Value {
    let mut all = vec!["--source", f.src.as_str(), "news", "--json"];
    all.extend(args);
    let r = run(f.ken.cmd(&all));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("news --json is JSON");
    v["sources"][0].clone()
}

fn page<'a>(n: &'a Value, path: &str) -> &'a Value {
    n["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in the news: {n}"))
}

fn subjects(n: &Value, p: &Value) -> Vec<String> {
    p["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            n["commits"][i.as_u64().unwrap() as usize]["subject"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn news_since_the_last_sync_has_every_kind_of_change() {
    let f = fixture();
    let n = news_json(&f, &[]);
    assert_eq!(n["old"], f.first.as_str());
    assert_eq!(n["new"], f.last.as_str());
    assert_eq!(n["rewritten"], false);
    let commits: Vec<(&str, &str)> = n["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["author"].as_str().unwrap(),
                c["subject"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        commits,
        [
            ("Bob␛]0;x␇b", "Lifecycle ␛[1mday"),
            ("Alice", "Edit install")
        ]
    );

    let guide = page(&n, "guide.md");
    assert_eq!(guide["change"], "changed");
    assert_eq!(guide["minor"], false);
    assert_eq!(guide["sections"].as_array().unwrap().len(), 1);
    assert_eq!(guide["sections"][0]["heading"], "Install");
    assert_eq!(guide["sections"][0]["heading_path"], "Guide › Install");
    assert_eq!(guide["sections"][0]["anchor"], "install");
    assert_eq!(guide["sections"][0]["change"], "changed");
    assert_eq!(subjects(&n, guide), ["Edit install"]);
    // A new link target or reflowed text is a change nobody needs to read again.
    for p in ["links.md", "ws.md"] {
        assert_eq!(page(&n, p)["change"], "changed", "{p}");
        assert_eq!(page(&n, p)["minor"], true, "{p}");
        assert_eq!(page(&n, p)["sections"], serde_json::json!([]), "{p}");
    }
    assert_eq!(page(&n, "gone.md")["change"], "deleted");
    assert_eq!(page(&n, "gone.md")["title"], "Gone");
    let moved = page(&n, "new-name.md");
    assert_eq!(moved["change"], "renamed");
    assert_eq!(moved["from"], "old-name.md");
    assert_eq!(moved["title"], "Moved");
    assert_eq!(page(&n, "new.md")["change"], "added");
    assert_eq!(page(&n, "new.md")["title"], "New page");
    assert_eq!(subjects(&n, page(&n, "new.md")), ["Lifecycle ␛[1mday"]);

    let mut events: Vec<(String, String)> = n["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            (
                "became-stable".to_string(),
                "scs-0214-v2 became Stable".to_string()
            ),
            (
                "deprecated".to_string(),
                "scs-0002-v1 deprecated, replaced by v2".to_string()
            ),
            ("new".to_string(), "new draft scs-0123-v1".to_string()),
        ]
    );
    assert_eq!(n["pages"].as_array().unwrap().len(), 9);
}

#[test]
fn text_news_are_readable_and_sanitized() {
    let f = fixture();
    let out = f.ken.cmd(&["--source", &f.src, "news"]).output().unwrap();
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0x1b), "an ESC byte was printed");
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        &format!("kb: {} → {}", &f.first[..10], &f.last[..10]),
        "  scs-0214-v2 became Stable",
        "  scs-0002-v1 deprecated, replaced by v2",
        "  new draft scs-0123-v1",
        "  changed  guide.md  Guide",
        "           sections: Install",
        "Alice: Edit install",
        "  changed  links.md  Links — minor: whitespace or links only",
        "  deleted  gone.md  Gone",
        "  renamed  new-name.md (from old-name.md)  Moved",
        "  added    new.md  New page",
        "Bob␛]0;x␇b: Lifecycle ␛[1mday",
        "  2 commits",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
}

#[test]
fn since_a_commit_or_a_date_and_a_no_op_sync_changes_nothing() {
    let f = fixture();
    // From the edit: only the last commit's changes.
    let n = news_json(&f, &["--since", &f.edit]);
    assert_eq!(n["old"], f.edit.as_str());
    assert_eq!(n["commits"].as_array().unwrap().len(), 1);
    assert!(
        n["pages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["path"] != "guide.md")
    );
    // A date picks the last commit at or before it.
    let n = news_json(&f, &["--since", "2020-06-30"]);
    assert_eq!(n["old"], f.first.as_str());
    let n = news_json(&f, &["--since", "2020-07-01T12:00:00Z"]);
    assert_eq!(n["old"], f.edit.as_str());
    // Before the history began, everything is new.
    let n = news_json(&f, &["--since", "2019-01-01"]);
    assert_eq!(n["old"], Value::Null);
    assert!(
        n["pages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["change"] == "added")
    );
    assert_eq!(n["pages"].as_array().unwrap().len(), 8);

    // A sync that brings nothing keeps "since the last sync" where it was.
    let r = run(f.ken.cmd(&["--source", &f.src, "sync"]));
    assert_eq!(r.code, 0);
    assert_eq!(news_json(&f, &[])["old"], f.first.as_str());

    // A revision the mirror does not have is one clear line.
    let r = run(f
        .ken
        .cmd(&["--source", &f.src, "news", "--since", "no-such-rev"]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("kb: \"no-such-rev\" is not a commit of this mirror"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_force_push_between_syncs_compares_the_two_tips() {
    let f = fixture();
    f.repo.git(&["reset", "-q", "--hard", &f.first]);
    f.repo.write("gone.md", "# Gone, but rewritten\n");
    let rewrite = f
        .repo
        .commit_at("Rewrite", "Eve", &at("2021-01-01"), &at("2021-01-01"));
    let r = run(f.ken.cmd(&["--source", &f.src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let n = news_json(&f, &[]);
    assert_eq!(n["old"], f.last.as_str());
    assert_eq!(n["new"], rewrite.as_str());
    assert_eq!(n["rewritten"], true);
    // Only the commit the new tip has; the pages are what differs between the tips.
    let commits = n["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0]["subject"], "Rewrite");
    assert_eq!(page(&n, "gone.md")["change"], "added");
    assert_eq!(page(&n, "new.md")["change"], "deleted");
    assert_eq!(page(&n, "old-name.md")["change"], "renamed");
    assert_eq!(page(&n, "old-name.md")["from"], "new-name.md");
    assert_eq!(page(&n, "guide.md")["sections"][0]["heading"], "Install");
    let text = run(f.ken.cmd(&["--source", &f.src, "news"])).stdout;
    assert!(
        text.contains("(history was rewritten: the two tips compared)"),
        "{text}"
    );
}

#[test]
fn a_source_synced_once_has_no_news_yet() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("a.md", "# A\n");
    repo.commit("one");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    let r = run(ken.cmd(&["--source", &src, "news", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["sources"], serde_json::json!([]));
    assert!(r.stderr.contains("kb: synced once so far"), "{}", r.stderr);
}
