//! `ken stale`: pages unchanged for longer than a threshold, over repositories built here
//! with commits dated relative to now, served by `git daemon` and fetched by ken.

use crate::common;

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

const DAY: u64 = 86_400;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A git date `days` days before now.
fn ago(days: u64) -> String {
    format!("@{} +0000", now() - days * DAY)
}

/// `YYYY-MM-DD` of `days` days before now.
fn day_ago(days: u64) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_secs(now() - days * DAY);
    humantime::format_rfc3339_seconds(t).to_string()[..10].to_string()
}

fn commit(repo: &Repo, msg: &str, author: &str, days: u64) -> String {
    repo.commit_at(msg, author, &ago(days), &ago(days))
}

fn standard(status: &str, extra: &str) -> String {
    format!(
        "---\ntitle: A standard\ntype: Standard\nstatus: {status}\ntrack: Global\n{extra}---\n# Standard\n"
    )
}

/// Pages last changed 800, 400 and 10 days ago, one reviewed, and standards in each status.
fn fixture(base: &std::path::Path) -> Repo {
    let repo = Repo::init(base, "docs");
    repo.write("old.md", "# Old\n")
        .write(
            "reviewed.md",
            format!("---\nlast_reviewed: {}\n---\n# Reviewed\n", day_ago(30)),
        )
        .write(
            "Standards/scs-0001-v1-retired.md",
            standard("Deprecated", "deprecated_at: 2020-01-01\n"),
        )
        .write(
            "Standards/scs-0004-v1-refused.md",
            standard("Rejected", "rejected_at: 2020-01-01\n"),
        );
    commit(&repo, "Old pages", "Olga", 800);
    repo.write("mid.md", "# Mid\n")
        .write("Standards/scs-0002-v1-draft.md", standard("Draft", ""));
    commit(&repo, "Mid pages", "Mia", 400);
    repo.write("new.md", "# New\n")
        .write(
            "Standards/scs-0003-v1-overdue.md",
            standard(
                "Stable",
                "stabilized_at: 2019-01-01\ndeprecated_at: 2020-01-01\n",
            ),
        )
        .write(
            "Standards/scs-0005-v1-current.md",
            standard(
                "Stable",
                "stabilized_at: 2019-01-01\ndeprecated_at: 2999-01-01\n",
            ),
        );
    commit(&repo, "New pages", "Nina", 10);
    repo
}

fn stale_json(ken: &Ken, src: &str, older: &str) -> Value {
    let r = run(ken.cmd(&["--source", src, "stale", "--older-than", older, "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("stale --json is JSON")
}

/// (path, reason) of the first source's pages, in the order given.
fn reported(v: &Value) -> Vec<(String, String)> {
    v["sources"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn thresholds_reviews_and_standards_decide_what_is_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let _repo = fixture(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));

    // A year: the 800- and 400-day-old pages, oldest first. A reviewed page is fresh, a
    // Deprecated or Rejected standard is never stale, a Stable one past its deprecated_at is
    // reported however recent its last change.
    let v = stale_json(&ken, &src, "365d");
    assert_eq!(
        reported(&v),
        pairs(&[
            ("old.md", "unchanged"),
            ("Standards/scs-0002-v1-draft.md", "draft-idle"),
            ("mid.md", "unchanged"),
            ("Standards/scs-0003-v1-overdue.md", "deprecated-at-passed"),
        ])
    );
    let old = &v["sources"][0]["pages"][0];
    assert_eq!(old["age_days"], 800);
    assert_eq!(old["changed"]["author"], "Olga");
    assert_eq!(old["changed"]["subject"], "Old pages");
    assert_eq!(v["sources"][0]["source"], "kb");
    assert_eq!(v["sources"][0]["checked"], 9);
    assert_eq!(
        v["sources"][0]["pages"][3]["deprecated_at"],
        "2020-01-01T00:00:00Z"
    );

    // Two years (humantime: 730.5 days): only the oldest page, but a Draft idle for over a
    // year is reported under any threshold.
    for older in ["2y", "18months"] {
        assert_eq!(
            reported(&stale_json(&ken, &src, older)),
            pairs(&[
                ("old.md", "unchanged"),
                ("Standards/scs-0002-v1-draft.md", "draft-idle"),
                ("Standards/scs-0003-v1-overdue.md", "deprecated-at-passed"),
            ]),
            "{older}"
        );
    }

    // Under a week, the review (30 days ago) is what counts for the reviewed page.
    let v = stale_json(&ken, &src, "7d");
    let reviewed = v["sources"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == "reviewed.md")
        .expect("reviewed.md is stale under a week");
    assert_eq!(reviewed["age_days"], 30);
    assert_eq!(reviewed["since"], format!("{}T00:00:00Z", day_ago(30)));
    let paths: Vec<&str> = v["sources"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"new.md"), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("scs-0001") || p.contains("scs-0004"))
    );
    // A Stable standard whose deprecated_at is still ahead is judged by its age alone.
    let current = v["sources"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == "Standards/scs-0005-v1-current.md")
        .expect("10 days old is over a week");
    assert_eq!(current["reason"], "unchanged");
}

#[test]
fn text_output_is_grouped_by_source_oldest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let _repo = fixture(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let folder = tmp.path().join("notes");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("ancient.md"), "# Ancient\n").unwrap();
    std::fs::write(folder.join("fresh.md"), "# Fresh\n").unwrap();
    let touched = Command::new("touch")
        .env("TZ", "UTC")
        .args(["-d", &format!("{} 12:00:00", day_ago(1000))])
        .arg(folder.join("ancient.md"))
        .status()
        .unwrap();
    assert!(touched.success());
    let ken = Ken::new();
    let a = format!("kb={}", daemon.url("docs"));
    let b = format!("notes={}", folder.display());
    let r = run(ken.cmd(&[
        "--source",
        &a,
        "--source",
        &b,
        "stale",
        "--older-than",
        "2y",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "kb — 3 of 9 pages", "{}", r.stdout);
    assert!(
        lines[1].contains("old.md") && lines[1].contains("2 years ago"),
        "{}",
        r.stdout
    );
    assert!(lines[1].contains("Olga: Old pages"), "{}", r.stdout);
    assert!(lines[2].contains("scs-0002-v1-draft.md"), "{}", r.stdout);
    assert!(
        lines[2].contains("a Draft unchanged for 400 days"),
        "{}",
        r.stdout
    );
    assert!(
        lines[3].contains("deprecated_at 2020-01-01 has passed"),
        "{}",
        r.stdout
    );
    assert_eq!(lines[4], "notes — 1 of 2 pages", "{}", r.stdout);
    assert!(
        lines[5].starts_with(&format!("  {}", day_ago(1000))) && lines[5].contains("ancient.md"),
        "{}",
        r.stdout
    );
    assert_eq!(lines.len(), 6, "{}", r.stdout);
}

#[test]
fn ci_formats_report_the_stale_rules_and_fail_on_sets_the_exit_status() {
    let tmp = tempfile::tempdir().unwrap();
    let _repo = fixture(tmp.path());
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    let r = run(ken.cmd(&[
        "--source",
        &src,
        "stale",
        "--older-than",
        "2y",
        "--format",
        "github",
    ]));
    assert_eq!(r.code, 0, "warnings do not fail by default: {}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::warning file=old.md,line=1,col=1,title=stale/unchanged::unchanged for 800 days, since "
        )),
        "{}",
        r.stdout
    );
    assert!(lines.iter().any(|l| l.starts_with(
        "::warning file=Standards/scs-0003-v1-overdue.md,line=1,col=1,title=stale/deprecated-at-passed::"
    )));

    let r = run(ken.cmd(&[
        "--source",
        &src,
        "stale",
        "--older-than",
        "2y",
        "--format",
        "sarif",
    ]));
    let v: Value = serde_json::from_str(&r.stdout).expect("SARIF is JSON");
    let rules: Vec<&str> = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "stale/unchanged",
            "stale/draft-idle",
            "stale/deprecated-at-passed"
        ]
    );
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 3);

    let r = run(ken.cmd(&[
        "--source",
        &src,
        "stale",
        "--older-than",
        "2y",
        "--fail-on",
        "warning",
    ]));
    assert_eq!(r.code, 1);
    // Severities come from [check.rules], as for ken check.
    ken.config("[check.rules]\n\"stale/unchanged\" = \"error\"\n\"stale/draft-idle\" = \"off\"\n");
    let r = run(ken.cmd(&[
        "--source",
        &src,
        "stale",
        "--older-than",
        "2y",
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 1, "the exit status does not depend on the format");
    let r = run(ken.cmd(&[
        "--source",
        &src,
        "stale",
        "--older-than",
        "2y",
        "--format",
        "github",
    ]));
    assert_eq!(r.code, 1, "an error-level finding fails");
    assert!(r.stdout.contains("\n::error file=old.md,"), "{}", r.stdout);
    assert!(!r.stdout.contains("draft-idle"), "{}", r.stdout);
}

#[test]
fn future_dates_are_never_stale_and_commit_strings_are_sanitized() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("future.md", "# Future\n");
    repo.commit_at(
        "From the future",
        "T",
        "2099-01-01 00:00:00 +0000",
        "2099-01-01 00:00:00 +0000",
    );
    repo.write("past.md", "# Past\n");
    repo.commit_at(
        "\x1b]0;owned\x07 \x1b[2J",
        "Ev\x1b[31mil",
        &ago(500),
        &ago(500),
    );
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    let out = ken
        .cmd(&["--source", &src, "stale", "--older-than", "0d"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0x1b), "an ESC byte was printed");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Ev␛[31mil: ␛]0;owned␇ ␛[2J"), "{text}");
    assert!(!text.contains("future.md"), "{text}");
    let v = stale_json(&ken, &src, "0d");
    assert_eq!(reported(&v), pairs(&[("past.md", "unchanged")]));
}
