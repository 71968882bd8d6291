//! Search that knows the lifecycle: `changed:<30d` / `changed:>1y`, `--sort changed` (and
//! `sort:changed`), and Stable standards above their Draft, Deprecated and Rejected versions
//! when the text matches equally, over repositories built here with commits dated relative to
//! now (served by `git daemon`), and on the SCS corpus.

use crate::common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

fn ago(days: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    format!("@{} +0000", now - days * 86_400)
}

/// The distinct pages of `ken search --json`, in order.
fn pages(ken: &Ken, args: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.push("--json");
    let r = run(ken.cmd(&all));
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let hits: Vec<Value> = serde_json::from_str(&r.stdout).unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for h in hits {
        let p = h["path"].as_str().unwrap().to_string();
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn standard(status: &str, extra: &str) -> String {
    format!(
        "---\ntitle: Node distribution\ntype: Standard\nstatus: {status}\ntrack: KaaS\n{extra}---\n# Node distribution\n\nNodes are spread over failure zones.\n"
    )
}

#[test]
fn changed_filters_and_sorting_by_the_last_change() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write(
        "ancient.md",
        "# Ancient\n\nKeystone fernet keys, the old way.\n",
    );
    repo.commit_at("Ancient", "T", &ago(800), &ago(800));
    repo.write(
        "middle.md",
        "# Middle\n\nKeystone fernet keys, rotated monthly.\n",
    );
    repo.commit_at("Middle", "T", &ago(200), &ago(200));
    repo.write(
        "recent.md",
        "# Recent\n\nKeystone fernet keys and more keystone fernet keys.\n",
    );
    repo.commit_at("Recent", "T", &ago(5), &ago(5));
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    assert_eq!(run(ken.cmd(&["--source", &src, "sync"])).code, 0);
    let s = ["--source", src.as_str(), "search"];
    let with = |extra: &[&str]| {
        let mut a = s.to_vec();
        a.extend(extra);
        pages(&ken, &a)
    };

    assert_eq!(with(&["changed:<30d", "fernet"]), ["recent.md"]);
    assert_eq!(with(&["changed:<1y", "fernet"]).len(), 2);
    assert_eq!(with(&["changed:>1y", "fernet"]), ["ancient.md"]);
    assert_eq!(with(&["fernet -changed:>1y"]).len(), 2);
    // A filter alone lists every page it keeps.
    assert_eq!(with(&["changed:>100d"]).len(), 2);
    // Newest first, whatever the relevance.
    let sorted = ["recent.md", "middle.md", "ancient.md"];
    assert_eq!(with(&["--sort", "changed", "fernet"]), sorted);
    assert_eq!(with(&["sort:changed", "keystone"]), sorted);

    // The text form says when each page changed, and a filter it cannot read is one notice.
    let r = run(ken.cmd(&["--source", &src, "search", "--sort", "changed", "fernet"]));
    assert!(
        r.stdout.contains("Recent  (kb, changed 5 days ago)"),
        "{}",
        r.stdout
    );
    let r = run(ken.cmd(&["--source", &src, "search", "changed:soon", "fernet"]));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("“changed:soon” was left out"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_stable_standard_ranks_above_its_other_versions_when_the_text_matches_equally() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    // The same text in every version: only the status differs. The names sort the Stable
    // version last, so path order cannot put it first.
    repo.write(
        "Standards/scs-0214-v1-node-distribution.md",
        standard(
            "Deprecated",
            "replaced_by:\n  - scs-0214-v4-node-distribution.md\n",
        ),
    )
    .write(
        "Standards/scs-0214-v2-node-distribution.md",
        standard("Rejected", ""),
    )
    .write(
        "Standards/scs-0214-v3-node-distribution.md",
        standard("Draft", ""),
    )
    .write(
        "Standards/scs-0214-v4-node-distribution.md",
        standard("Stable", ""),
    );
    repo.commit("four versions");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    let found = pages(&ken, &["--source", &src, "search", "node distribution"]);
    assert_eq!(found.len(), 4);
    assert_eq!(found[0], "Standards/scs-0214-v4-node-distribution.md");
    assert_eq!(found[1], "Standards/scs-0214-v3-node-distribution.md");

    // Retired versions are marked, with what replaces them.
    let r = run(ken.cmd(&["--source", &src, "search", "--json", "node distribution"]));
    let hits: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let v1 = hits
        .iter()
        .find(|h| h["path"] == "Standards/scs-0214-v1-node-distribution.md")
        .unwrap();
    assert_eq!(v1["status"], "Deprecated");
    assert_eq!(
        v1["replaced_by"],
        serde_json::json!(["scs-0214-v4-node-distribution.md"])
    );
    assert_eq!(hits[0]["status"], "Stable");
    let r = run(ken.cmd(&["--source", &src, "search", "node distribution"]));
    assert!(
        r.stdout
            .contains("\n  Deprecated, replaced by scs-0214-v4-node-distribution.md\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\n  Rejected\n"), "{}", r.stdout);
    assert_eq!(r.stdout.matches("replaced by").count(), 1, "{}", r.stdout);
}

#[test]
#[ignore = "needs the SCS corpus: set KEN_SCS_CORPUS (run by .ci/run)"]
fn flavor_naming_finds_the_stable_scs_0100_v3_first_in_the_scs_corpus() {
    let corpus = common::scs_corpus();
    let ken = Ken::new();
    let src = format!("scs={}", corpus.display());
    let found = pages(&ken, &["--source", &src, "search", "flavor naming"]);
    assert_eq!(
        found.first().map(String::as_str),
        Some("standards/scs-0100-v3-flavor-naming.md"),
        "{found:?}"
    );
    // Its Deprecated predecessors still follow.
    for older in [
        "standards/scs-0100-v2-flavor-naming.md",
        "standards/scs-0100-v1-flavor-naming.md",
    ] {
        assert!(found.iter().any(|p| p == older), "{older} in {found:?}");
    }
}
