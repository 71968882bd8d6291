//! `ken check --changed-since`: findings in the pages a range changed, plus those the change
//! caused in pages it did not touch (a renamed heading, a deleted page), and never the old
//! findings of untouched pages; over a repository and over a site whose repositories move
//! separately, each built here and served by `git daemon`, and over a working copy with
//! edits not yet committed.

use crate::common;

use common::{GitDaemon, Ken, Repo, run};
use serde_json::Value;

/// `(file, rule, line)` of each finding of a `--format json` report.
fn findings(out: &str) -> Vec<(String, String, u64)> {
    let v: Value = serde_json::from_str(out).expect("JSON");
    v.as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn owned(v: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    v.iter()
        .map(|(f, r, l)| (f.to_string(), r.to_string(), *l))
        .collect()
}

fn check(ken: &Ken, src: &str, args: &[&str]) -> common::Run {
    let mut all = vec!["--source", src, "check", "--format", "json"];
    all.extend_from_slice(args);
    run(ken.cmd(&all))
}

#[test]
fn a_range_reports_its_pages_and_the_links_it_broke_elsewhere_but_not_old_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("a.md", "# A\n\n## Usage\n\nText.\n")
        .write("b.md", "# B\n\nSee [usage](a.md#usage).\n")
        .write("c.md", "# C\n\nSee [the old page](old.md).\n")
        .write("old.md", "# Old\n")
        .write("d.md", "# D\n\nAn old mistake: [nowhere](missing.md).\n")
        .write("e.md", "# E\n\nAn old mistake: [x](missing.md).\n");
    let first = repo.commit("start");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("docs"));
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Synced once: nothing to compare with, so every page counts as changed.
    let r = check(&ken, &src, &["--changed-since", "last-sync"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("every page counts as changed"),
        "{}",
        r.stderr
    );
    assert_eq!(
        findings(&r.stdout),
        owned(&[
            ("d.md", "link/missing-page", 3),
            ("e.md", "link/missing-page", 3),
        ])
    );

    // The heading b.md links to is renamed, the page c.md links to deleted, and e.md
    // (with its old mistake) edited; b.md, c.md and d.md are untouched.
    repo.write("a.md", "# A\n\n## Using it\n\nText.\n")
        .write("e.md", "# E\n\nEdited. An old mistake: [x](missing.md).\n");
    repo.remove("old.md");
    repo.commit("rename, delete, edit");
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);

    let want = owned(&[
        ("b.md", "link/missing-anchor", 3),
        ("c.md", "link/missing-page", 3),
        ("e.md", "link/missing-page", 3),
    ]);
    let r = check(&ken, &src, &["--changed-since", "last-sync"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(findings(&r.stdout), want);
    // A commit names the same start.
    let r = check(&ken, &src, &["--changed-since", &first]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(findings(&r.stdout), want);
    // So does a branch of the remote, as the mirror keeps it (`origin/main`).
    let r = check(&ken, &src, &["--changed-since", "main~1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(findings(&r.stdout), want);
    // Without the range, d.md's old mistake is there too.
    let r = check(&ken, &src, &[]);
    assert!(
        findings(&r.stdout).contains(&("d.md".into(), "link/missing-page".into(), 3)),
        "{}",
        r.stdout
    );
    // An empty range has nothing to report.
    let r = check(&ken, &src, &["--changed-since", "HEAD"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(findings(&r.stdout), []);
    // A name that is no commit is a usage error naming it.
    let r = check(&ken, &src, &["--changed-since", "no-such-rev"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such-rev"), "{}", r.stderr);
}

#[test]
fn a_local_folder_outside_git_has_no_range_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a.md"), "# A\n").unwrap();
    let ken = Ken::new();
    let src = tmp.path().display().to_string();
    let r = check(&ken, &src, &["--changed-since", "HEAD~1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no git repository"), "{}", r.stderr);
}

/// A writer's working copy before a pull request: the folder `docs/` of a repository, with
/// edits not yet committed, compared with a commit.
#[test]
fn a_working_copy_is_compared_with_a_commit_edits_on_disk_included() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "work");
    repo.write("README.md", "# Not in the source\n")
        .write("docs/a.md", "# A\n\n## Usage\n\nText.\n")
        .write("docs/b.md", "# B\n\nSee [usage](a.md#usage).\n")
        .write("docs/c.md", "# C\n\nSee [the old page](old.md).\n")
        .write("docs/old.md", "# Old\n")
        .write(
            "docs/d.md",
            "# D\n\nAn old mistake: [nowhere](missing.md).\n",
        );
    repo.commit("start");
    // Not committed: a heading renamed, a page deleted, a new page with a mistake.
    repo.write("docs/a.md", "# A\n\n## Using it\n\nText.\n")
        .write("docs/new.md", "# New\n\n[nowhere](gone.md)\n");
    std::fs::remove_file(repo.dir.join("docs/old.md")).unwrap();
    let ken = Ken::new();
    let src = repo.dir.join("docs").display().to_string();
    let r = check(&ken, &src, &["--changed-since", "HEAD"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        owned(&[
            ("b.md", "link/missing-anchor", 3),
            ("c.md", "link/missing-page", 3),
            ("new.md", "link/missing-page", 3),
        ])
    );
    // `last-sync` means nothing for a folder.
    let r = check(&ken, &src, &["--changed-since", "last-sync"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("never synced"), "{}", r.stderr);
}

/// A site `org/docs` whose manifest brings in `org/guides` at `docs/guides`: a heading
/// renamed and a page deleted in the guides break links in the site's own pages.
#[test]
fn in_a_site_a_change_in_one_repository_breaks_links_in_another() {
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    let docs = Repo::init(&org, "docs");
    docs.write(
        "docs.package.json",
        r#"[{"repo": "org/guides", "source": "docs", "target": "docs/guides", "label": ""}]"#,
    )
    .write(
        "docs/intro.md",
        "# Intro\n\nRead [install](guides/docs/install.md#keys) and [tuning](guides/docs/tuning.md).\n",
    )
    .write("docs/old.md", "# Old\n\n[broken long ago](nothing.md)\n");
    docs.commit("site");
    let guides = Repo::init(&org, "guides");
    guides
        .write("docs/install.md", "# Install\n\n## Keys\n\nSteps.\n")
        .write("docs/tuning.md", "# Tuning\n");
    guides.commit("guides");
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);

    guides.write("docs/install.md", "# Install\n\n## SSH keys\n\nSteps.\n");
    guides.remove("docs/tuning.md");
    guides.commit("rename and delete");
    let r = run(ken.cmd(&["--source", &src, "sync"]));
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = check(&ken, &src, &["--changed-since", "last-sync"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        owned(&[
            ("docs/intro.md", "link/missing-anchor", 3),
            ("docs/intro.md", "link/missing-page", 3),
        ])
    );
    // The guides' first commit, named in the one repository that has it, is the same start.
    let first = guides.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let r = check(&ken, &src, &["--changed-since", &first]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(findings(&r.stdout).len(), 2, "{}", r.stdout);
}

/// `--changed-since` reads the copy at the start of its range from the copy now and the
/// pages the range changed, and checks only the untouched pages that have findings now:
/// it must report exactly what checking the whole old copy reports. The range renames a
/// page, deletes a page, a picture and a standard, renames a heading, edits a page with an
/// old mistake and adds one; untouched pages link into all of them, have old mistakes of
/// their own (of links, and of their own text), and a standard names the deleted one. In
/// the standards' folder, old findings of untouched standards depend on other standards
/// (two Stable versions of one number, a name that is no standard, a name offered in a
/// finding). The source has a root and a mount point, and a file outside the root.
#[test]
fn the_start_laid_out_from_the_changed_pages_reports_what_the_whole_old_copy_does() {
    use ken::corpus::{self, Filter};
    use ken::source::{self, Snapshot};

    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    let moved = "# Moved\n\nA page long enough for git to see it moved:\n\none,\ntwo,\nthree,\nfour,\nfive.\n";
    let standard = |n: &str, replaces: &str| {
        format!(
            "---\ntitle: Standard {n}\ntype: Standard\nstatus: Draft\ntrack: IaaS\n{replaces}---\n\n## Introduction\n\nText.\n"
        )
    };
    let stable = |n: &str| {
        format!(
            "---\ntitle: Standard {n}\ntype: Standard\nstatus: Stable\nstabilized_at: 2024-01-01\ntrack: IaaS\n---\n\n## Introduction\n\nText.\n"
        )
    };
    repo.write("README.md", "# Outside\n\n[nowhere](nothing.md)\n")
        .write("docs/a.md", "# A\n\n## Usage\n\nText.\n")
        .write(
            "docs/b.md",
            "# B\n\nSee [usage](a.md#usage) and [intro](sub/g.md#intro).\n",
        )
        .write(
            "docs/c.md",
            "# C\n\nSee [the old page](old.md) and [the moved one](moved.md).\n",
        )
        .write("docs/old.md", "# Old\n")
        .write("docs/moved.md", moved)
        .write(
            "docs/d.md",
            "# D\n\nOld mistakes: [nowhere](missing.md), [no section](sub/g.md#nothing).\n",
        )
        .write("docs/sub/g.md", "# G\n\n## Intro\n\nText.\n")
        .write("docs/e.md", "# E\n\n![picture](pic.png)\n")
        .write("docs/pic.png", "not really a picture")
        .write("docs/f.md", "# F\n\nAn old mistake: [x](missing.md).\n")
        .write(
            "docs/bom.md",
            "\u{feff}---\ntitle: BOM\n---\n# An old mistake of its own text\n",
        )
        .write(
            "docs/h.md",
            "# H\n\nSee [new](new.md) and [using](a.md#using-it).\n",
        )
        .write(
            "docs/std/scs-0001-v1-first.md",
            standard(
                "1",
                "replaces:\n  - scs-0002-v1-second.md\n  - scs-0005.md\n",
            ),
        )
        .write("docs/std/scs-0002-v1-second.md", standard("2", ""))
        // Two Stable versions of one number: the first, untouched, has an old finding the
        // second (edited in the range) causes, so the start must read both.
        .write("docs/std/scs-0004-v1-fourth.md", stable("4"))
        .write("docs/std/scs-0004-v2-fourth.md", stable("4"))
        // Named like a generated overview page, and without front matter: no standard, so
        // scs-0001's `replaces` names nothing there at both ends.
        .write("docs/std/scs-0005.md", "# Overview\n")
        // Close enough to that name to be offered in its finding at both ends; the start
        // need not read it, but must count it.
        .write("docs/std/scs-0005-v1-a.md", standard("5", ""));
    let first = repo.commit("start");
    repo.write("docs/a.md", "# A\n\n## Using it\n\nText.\n")
        .write(
            "docs/f.md",
            "# F\n\nEdited. An old mistake: [x](missing.md).\n",
        )
        .write("docs/new.md", "# New\n\n[nowhere](gone.md)\n")
        .write(
            "docs/std/scs-0004-v2-fourth.md",
            format!("{}Edited.\n", stable("4")),
        );
    std::fs::create_dir_all(repo.dir.join("docs/elsewhere")).unwrap();
    repo.git(&["mv", "docs/moved.md", "docs/elsewhere/moved.md"]);
    repo.remove("docs/old.md")
        .remove("docs/pic.png")
        .remove("docs/std/scs-0002-v1-second.md");
    let second = repo.commit("rename, delete, edit, add");

    let spec = ken::config::SourceSpec {
        root: Some("docs".into()),
        mount: Some("m".into()),
        ..ken::config::SourceSpec::new("kb", repo.dir.display().to_string())
    };
    let filter = Filter::new(&spec).unwrap();
    let git = repo.dir.join(".git");
    let at = |c: &str| Snapshot::git(&git, git2::Oid::from_str(c).unwrap()).unwrap();
    let (old, new) = (at(&first), at(&second));
    let routing = ken::library::SiteRouting::fallback(Some(&spec)).routing;
    let raw = source::changes(
        &git,
        git2::Oid::from_str(&first).unwrap(),
        git2::Oid::from_str(&second).unwrap(),
    )
    .unwrap();
    let changes = corpus::doc_changes(&filter, &raw);
    assert!(
        changes
            .iter()
            .any(|c| c.status == corpus::ChangeStatus::Renamed
                && c.from.as_deref() == Some("m/moved.md")),
        "{changes:?}"
    );
    let BothWays {
        found,
        laid_out,
        whole,
        caused,
    } = both_ways(&old, &new, &filter, &routing, &raw);
    let got: Vec<(&str, &str, u32)> = caused
        .iter()
        .map(|f| (f.file.as_str(), f.rule.as_str(), f.line))
        .collect();
    // Each inbound breakage once; the old mistakes of d.md and bom.md gone, f.md's kept (it
    // changed).
    assert!(found.iter().any(|f| f.file == "m/bom.md"), "{found:?}");
    assert!(
        found.iter().any(|f| f.file == "m/std/scs-0004-v1-fourth.md"
            && f.rule.as_str() == "std/duplicate-stable"),
        "{found:?}"
    );
    assert!(
        found.iter().any(
            |f| f.message.contains("\"scs-0005.md\"") && f.message.contains("scs-0005-v1-a.md")
        ),
        "{found:?}"
    );
    assert_eq!(
        got,
        [
            ("m/std/scs-0001-v1-first.md", "std/target-missing", 7),
            // The edited standard keeps all its findings.
            ("m/std/scs-0004-v2-fourth.md", "std/replaces-missing", 1),
            ("m/std/scs-0004-v2-fourth.md", "std/missing-section", 9),
            ("m/std/scs-0004-v2-fourth.md", "std/missing-section", 9),
            ("m/std/scs-0004-v2-fourth.md", "std/track-number", 6),
            ("m/std/scs-0004-v2-fourth.md", "std/duplicate-stable", 4),
            ("m/b.md", "link/missing-anchor", 3),
            ("m/c.md", "link/missing-page", 3),
            ("m/c.md", "link/missing-page", 3),
            ("m/e.md", "link/missing-file", 3),
            ("m/f.md", "link/missing-page", 3),
            ("m/new.md", "link/missing-page", 3),
        ]
    );
    // And the changed pages were not checked again at the start (f.md had a finding there).
    assert!(whole.iter().any(|f| f.file == "m/f.md"));
    assert!(!laid_out.iter().any(|f| f.file == "m/f.md"), "{laid_out:?}");
}

/// A site's copy at the start is laid out the same way: from the copy now and the pages the
/// range changed, read back from the start's layout. A site `org/docs` brings in
/// `org/guides` at `docs/guides`; both repositories move: in the guides a heading is
/// renamed, a page deleted and one moved, in the site's own repository a page with an old
/// mistake is edited and one added. The site's untouched page links into all of them and
/// has an old mistake of its own. The fast path must report exactly what checking the
/// whole old layout reports.
#[test]
fn a_site_laid_out_at_the_start_from_the_changed_pages_reports_what_the_whole_old_site_does() {
    use ken::corpus::{self, Filter};
    use ken::site::{Part, SiteSnapshot};
    use ken::source::Snapshot;
    use std::sync::Arc;

    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    let docs = Repo::init(&org, "docs");
    let standard = |status: &str| {
        format!(
            "---\ntitle: Flavors\ntype: Standard\nstatus: {status}\ntrack: IaaS\nstabilized_at: 2024-01-01\n---\n\n# Flavors\n\n## Introduction\n\n## Motivation\n\n## Conformance Tests\n"
        )
    };
    let manifest =
        r#"[{"repo": "org/guides", "source": "docs", "target": "docs/guides", "label": ""}]"#;
    docs.write("docs.package.json", manifest)
        .write(
            "docs/intro.md",
            "# Intro\n\nRead [install](guides/docs/install.md#keys), [tuning](guides/docs/tuning.md), \
             [moved](guides/docs/moved.md), [same](guides/docs/same.md#part), [never](guides/docs/install.md#never) \
             and [nothing](nothing.md).\n",
        )
        .write("docs/old.md", "# Old\n\n[broken long ago](nothing.md)\n")
        // The site generates the standards' overview pages, which are not checked.
        .write("populateStds.js", "// generates the overview\n")
        .write("standards/scs-0100-v1-flavors.md", standard("Draft"))
        .write(
            "docs/overview.md",
            "# Overview\n\nSee [the flavors](/standards/iaas/scs-0100#nothing).\n",
        );
    let docs_first = docs.commit("site");
    let guides = Repo::init(&org, "guides");
    let moved = "# Moved\n\nA page long enough for git to see it moved:\n\none,\ntwo,\nthree,\nfour,\nfive.\n";
    guides
        .write("docs/install.md", "# Install\n\n## Keys\n\nSteps.\n")
        .write("docs/tuning.md", "# Tuning\n")
        .write("docs/moved.md", moved)
        .write(
            "docs/same.md",
            "# Same\n\n## Part\n\n[back](../../intro.md#nothing)\n",
        );
    let guides_first = guides.commit("guides");
    guides.write("docs/install.md", "# Install\n\n## SSH keys\n\nSteps.\n");
    guides.remove("docs/tuning.md");
    std::fs::create_dir_all(guides.dir.join("docs/sub")).unwrap();
    guides.git(&["mv", "docs/moved.md", "docs/sub/moved.md"]);
    let guides_second = guides.commit("rename, delete, move");
    docs.write(
        "docs/old.md",
        "# Old\n\nEdited. [broken long ago](nothing.md)\n",
    )
    .write("docs/new.md", "# New\n\n[nowhere](gone.md)\n")
    .write("standards/scs-0100-v1-flavors.md", standard("Stable"));
    let docs_second = docs.commit("edit, add");

    let site_url = "https://example.org/org/docs";
    let plan = ken::site::plan("docs.package.json", manifest, None, site_url).unwrap();
    assert!(plan.refused.is_empty(), "{:?}", plan.refused);
    let oid = |c: &str| git2::Oid::from_str(c).unwrap();
    let at = |own: &str, theirs: &str| {
        let part = |repo: &str, url: &str, dir: &std::path::Path, commit: &str| Part {
            repo: repo.into(),
            url: url.into(),
            branch: None,
            commit: oid(commit),
            mirror: dir.join(".git"),
        };
        let own = part("kb", site_url, &docs.dir, own);
        let guides = part("org/guides", &plan.repos[0].url, &guides.dir, theirs);
        Arc::new(ken::site::assemble(&plan, own, vec![guides], Some("2025-01-01")).unwrap())
    };
    let (old_site, new_site) = (
        at(&docs_first, &guides_first),
        at(&docs_second, &guides_second),
    );
    let spec = ken::config::SourceSpec::new("kb", site_url);
    let filter = Filter::new(&spec).unwrap();
    let raw = ken::site::file_changes(&old_site, &new_site);
    let changes = corpus::doc_changes(&filter, &raw);
    assert!(
        changes
            .iter()
            .any(|c| c.status == corpus::ChangeStatus::Renamed
                && c.from.as_deref() == Some("docs/guides/docs/moved.md")),
        "{changes:?}"
    );
    // The standards' overview page changed with the standard it is made from.
    assert!(
        changes
            .iter()
            .any(|c| c.path == "standards/iaas/scs-0100.md"),
        "{changes:?}"
    );
    let old = Snapshot::Site(SiteSnapshot::new(old_site));
    let new = Snapshot::Site(SiteSnapshot::new(new_site));
    let routing = ken::library::SiteRouting::fallback(Some(&spec)).routing;
    let BothWays {
        found,
        laid_out,
        whole,
        caused,
    } = both_ways(&old, &new, &filter, &routing, &raw);
    let got: Vec<(&str, &str, u32)> = caused
        .iter()
        .map(|f| (f.file.as_str(), f.rule.as_str(), f.line))
        .collect();
    // The old mistakes of intro.md (one into a page the range changed) and same.md are gone;
    // old.md's is kept (it changed).
    assert!(
        found.iter().any(|f| f.message.contains("#never")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.file == "docs/guides/docs/same.md"),
        "{found:?}"
    );
    assert_eq!(
        got,
        [
            ("docs/intro.md", "link/missing-anchor", 3),
            ("docs/intro.md", "link/missing-page", 3),
            ("docs/intro.md", "link/missing-page", 3),
            ("docs/new.md", "link/missing-page", 3),
            ("docs/old.md", "link/missing-page", 3),
        ]
    );
    // The changed pages were not checked again at the start (old.md had a finding there).
    assert!(whole.iter().any(|f| f.file == "docs/old.md"));
    assert!(
        !laid_out.iter().any(|f| f.file == "docs/old.md"),
        "{laid_out:?}"
    );
}

/// What `--changed-since` works out for the file changes `raw` from the copy `old` to the
/// copy `new` (one source, `kb`), with the start laid out both ways.
struct BothWays {
    /// The findings of the copy now.
    found: Vec<ken::check::Finding>,
    /// The start's findings, laid out from the copy now and the pages the range changed...
    laid_out: Vec<ken::check::Finding>,
    /// ...and from checking the whole old copy.
    whole: Vec<ken::check::Finding>,
    /// What the range reports: the same both ways (asserted).
    caused: Vec<ken::check::Finding>,
}

fn both_ways(
    old: &ken::source::Snapshot,
    new: &ken::source::Snapshot,
    filter: &ken::corpus::Filter,
    routing: &ken::markdown::Routing,
    raw: &[ken::source::Change],
) -> BothWays {
    use ken::check::changed::{self, Now, Start};
    use ken::corpus;

    let cap = 1 << 20;
    let name = |p: &str| p.to_string();
    let cat = corpus::scan("kb", filter, new, cap).unwrap();
    let site = ken::markdown::Site::new(ken::library::site_docs(&cat.docs, "kb"), routing.clone());
    let (found, _, _) = ken::check::run::check_copy(&name, new, filter, &cat, cap, &site);
    let changes = corpus::doc_changes(filter, raw);
    let touched = changed::touched(filter, raw);
    let files_now = std::sync::Arc::new(ken::check::run::files_of(
        new,
        filter,
        &cat.docs.iter().collect::<Vec<_>>(),
    ));
    let now = Now {
        snapshot: new,
        filter,
        cat: &cat,
        site: &site,
        findings: &found,
    };
    let start = Start {
        snapshot: old,
        filter,
        changes: &changes,
        touched: Some((&files_now, &touched)),
        routing,
    };
    let changed: std::collections::HashSet<String> = changes
        .iter()
        .filter(|c| c.status != corpus::ChangeStatus::Deleted)
        .map(|c| c.path.clone())
        .collect();
    let laid_out = changed::before(&name, "kb", &now, &start, cap).unwrap();
    let whole = changed::before_whole(&name, "kb", &start, cap).unwrap();
    let caused = changed::caused(found.clone(), &laid_out, &changed);
    assert_eq!(caused, changed::caused(found.clone(), &whole, &changed));
    BothWays {
        found,
        laid_out,
        whole,
        caused,
    }
}

/// The findings `--changed-since` reports for the range `first..second` of the repository
/// at `dir` (as `(file, rule, line)`), after checking that laying out the start from the
/// copy now gives exactly what checking the whole old copy gives.
fn fast_path_against_whole(
    dir: &std::path::Path,
    first: &str,
    second: &str,
) -> Vec<(String, String, u64)> {
    use ken::source::Snapshot;

    let spec = ken::config::SourceSpec::new("kb", dir.display().to_string());
    let filter = ken::corpus::Filter::new(&spec).unwrap();
    let git = dir.join(".git");
    let oid = |c: &str| git2::Oid::from_str(c).unwrap();
    let (old, new) = (
        Snapshot::git(&git, oid(first)).unwrap(),
        Snapshot::git(&git, oid(second)).unwrap(),
    );
    let routing = ken::library::SiteRouting::fallback(Some(&spec)).routing;
    let raw = ken::source::changes(&git, oid(first), oid(second)).unwrap();
    both_ways(&old, &new, &filter, &routing, &raw)
        .caused
        .iter()
        .map(|f| (f.file.clone(), f.rule.as_str().to_string(), f.line as u64))
        .collect()
}

/// A range that only edits pages leaves the site's pages and routes as they are, and the
/// start is judged against the site now; one edit that moves a page's route (its `slug`)
/// breaks a link elsewhere, and the site at the start is made again.
#[test]
fn edits_that_keep_every_route_and_one_that_moves_a_route_report_what_the_whole_old_copy_does() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::init(tmp.path(), "docs");
    repo.write("docs/a.md", "# A\n\n## Usage\n\nText.\n")
        .write(
            "docs/b.md",
            "# B\n\nSee [usage](a.md#usage) and [an old mistake](a.md#nothing).\n",
        )
        .write("docs/c.md", "---\nslug: /sea\n---\n# C\n\nText.\n")
        .write("docs/d.md", "# D\n\nSee [the sea](/docs/sea).\n");
    let first = repo.commit("start");
    repo.write("docs/a.md", "# A\n\n## Using it\n\nText.\n")
        .write("docs/c.md", "---\nslug: /sea\n---\n# C\n\nOther text.\n");
    let edits = repo.commit("edits that keep every route");
    repo.write("docs/c.md", "---\nslug: /ocean\n---\n# C\n\nOther text.\n");
    let moved = repo.commit("a route moved");

    assert_eq!(
        fast_path_against_whole(&repo.dir, &first, &edits),
        owned(&[("docs/b.md", "link/missing-anchor", 3)])
    );
    assert_eq!(
        fast_path_against_whole(&repo.dir, &edits, &moved),
        owned(&[("docs/d.md", "link/missing-page", 3)])
    );
    assert_eq!(
        fast_path_against_whole(&repo.dir, &first, &moved),
        owned(&[
            ("docs/b.md", "link/missing-anchor", 3),
            ("docs/d.md", "link/missing-page", 3),
        ])
    );
}
