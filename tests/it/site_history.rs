//! A site's history: `ken news` over every repository of a site (each repository's own range,
//! pages at their site paths, the repository named), page dates from each page's own
//! repository, and `ken stale` grouped by the site's repositories. Repositories built here
//! with fixed dates, served by one `git daemon` under `org/`.

use crate::common;

use common::{GitDaemon, Ken, Repo, git_with, run};
use serde_json::Value;

const MANIFEST: &str = r#"[
  {"repo": "org/guides", "source": "docs", "target": "docs/guides", "label": ""},
  {"repo": "org/notes", "source": ["*.md"], "target": "docs/releases", "label": "all"}
]"#;

const LONG: &str = "This page explains how the service is run, who is called when it fails, and \
    which steps bring it back. Every step is written out in full so that the page stays similar \
    when it is moved.\n";

fn at(day: &str) -> String {
    format!("{day} 12:00:00 +0000")
}

struct Site {
    _tmp: tempfile::TempDir,
    _daemon: GitDaemon,
    docs: Repo,
    guides: Repo,
    notes: Repo,
    ken: Ken,
    src: String,
    /// Each repository's first commit (2020-01-01), in the order docs, guides, notes.
    first: [String; 3],
}

/// `org/docs` (the site), `org/guides` and `org/notes`, every commit on 2020-01-01, synced once.
fn site() -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    let docs = Repo::init(&org, "docs");
    docs.write("docs/intro.md", "# Intro\n\nWelcome.\n")
        .write("docs.package.json", MANIFEST);
    let d1 = docs.commit_at("Site", "Dora", &at("2020-01-01"), &at("2020-01-01"));
    let guides = Repo::init(&org, "guides");
    guides
        .write("docs/install.md", "---\ntitle: Installing\n---\nSteps.\n")
        .write("docs/old-name.md", format!("# Moved\n\n{LONG}"))
        .write("docs/deep/tuning.md", "# Tuning\n");
    let g1 = guides.commit_at("Guides", "Gus", &at("2020-01-01"), &at("2020-01-01"));
    let notes = Repo::init(&org, "notes");
    notes
        .write("r1.md", "# Release 1\n")
        .write("r2.md", "# Release 2\n");
    let n1 = notes.commit_at("Notes", "Nina", &at("2020-01-01"), &at("2020-01-01"));
    let daemon = GitDaemon::start(tmp.path());
    let ken = Ken::new();
    let src = format!("kb={}", daemon.url("org/docs"));
    let s = Site {
        _tmp: tmp,
        _daemon: daemon,
        docs,
        guides,
        notes,
        ken,
        src,
        first: [d1, g1, n1],
    };
    s.sync();
    s
}

impl Site {
    fn sync(&self) {
        let r = run(self.ken.cmd(&["--source", &self.src, "sync"]));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }

    fn news(&self, args: &[&str]) -> Value {
        let mut all = vec!["--source", self.src.as_str(), "news", "--json"];
        all.extend(args);
        let r = run(self.ken.cmd(&all));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: Value = serde_json::from_str(&r.stdout).expect("news --json is JSON");
        v["sources"][0].clone()
    }

    /// The guides reworked on 2020-06-01: a section added to one page, another renamed (and
    /// edited a little) in its repository.
    fn rework_guides(&self) -> String {
        self.guides.write(
            "docs/install.md",
            "---\ntitle: Installing\n---\nSteps.\n\n## Keys\n\nRotate them.\n",
        );
        self.guides
            .git(&["mv", "docs/old-name.md", "docs/new-name.md"]);
        self.guides.write(
            "docs/new-name.md",
            format!("# Moved\n\n{LONG}One more line.\n"),
        );
        self.guides.commit_at(
            "Rework \x1b[2Jguides",
            "Alice",
            &at("2020-06-01"),
            &at("2020-06-01"),
        )
    }
}

/// `(change, path, from, repo)` of every page in the news, sorted by path.
fn pages(n: &Value) -> Vec<(String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let mut out: Vec<_> = n["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (s(&p["change"]), s(&p["path"]), s(&p["from"]), s(&p["repo"])))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
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
            let c = &n["commits"][i.as_u64().unwrap() as usize];
            c["subject"].as_str().unwrap().to_string()
        })
        .collect()
}

/// `(repo, old, new, rewritten, number of commits)` of each repository that moved.
fn repos(n: &Value) -> Vec<(String, String, String, bool, u64)> {
    n["repos"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r["repo"].as_str().unwrap().to_string(),
                r["old"].as_str().unwrap_or("").to_string(),
                r["new"].as_str().unwrap().to_string(),
                r["rewritten"].as_bool().unwrap(),
                r["commits"]["end"].as_u64().unwrap() - r["commits"]["start"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn strings(v: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    v.iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

#[test]
fn news_of_a_site_covers_every_repository_at_site_paths() {
    let s = site();
    let g2 = s.rework_guides();
    s.sync();

    let n = s.news(&[]);
    assert_eq!(
        pages(&n),
        strings(&[
            ("changed", "docs/guides/docs/install.md", "", "org/guides"),
            (
                "renamed",
                "docs/guides/docs/new-name.md",
                "docs/guides/docs/old-name.md",
                "org/guides"
            ),
        ])
    );
    // Only the repository that moved, with its own range.
    assert_eq!(
        repos(&n),
        [(
            "org/guides".to_string(),
            s.first[1].clone(),
            g2.clone(),
            false,
            1
        )]
    );
    let install = page(&n, "docs/guides/docs/install.md");
    assert_eq!(install["title"], "Installing");
    assert_eq!(install["sections"][0]["heading"], "Keys");
    assert_eq!(install["sections"][0]["change"], "added");
    assert_eq!(subjects(&n, install), ["Rework ␛[2Jguides"]);
    assert_eq!(
        subjects(&n, page(&n, "docs/guides/docs/new-name.md")),
        ["Rework ␛[2Jguides"]
    );
    assert_eq!(n["commits"][0]["author"], "Alice");

    // The text form names the repository of each page, and of each range; nothing from a
    // commit reaches the terminal unsanitized.
    let r = run(s.ken.cmd(&["--source", &s.src, "news"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(out.contains("kb: site, 1 repository moved"), "{out}");
    assert!(
        out.contains(&format!(
            "org/guides  {} → {}, 1 commit",
            &s.first[1][..10],
            &g2[..10]
        )),
        "{out}"
    );
    assert!(
        out.contains(
            "renamed  docs/guides/docs/new-name.md (from docs/guides/docs/old-name.md)  Moved  [org/guides]"
        ),
        "{out}"
    );
    assert!(out.contains("sections: Keys (new)"), "{out}");
    assert!(out.contains("Alice: Rework ␛[2Jguides"), "{out}");
    assert!(!out.contains('\x1b'), "{out:?}");
}

#[test]
fn a_force_push_of_an_imported_repository_and_the_last_sync_of_a_site() {
    let s = site();
    s.rework_guides();
    s.sync();
    // Then the site's own page changes, and the notes' history is rewritten (the one commit
    // amended): the news since this last sync are those two repositories', not the guides'.
    s.docs
        .write("docs/intro.md", "# Intro\n\nWelcome, operators.\n");
    let d2 = s
        .docs
        .commit_at("Greet", "Dora", &at("2020-09-01"), &at("2020-09-01"));
    s.notes.write("r1.md", "# Release 1\n\nFixed.\n");
    s.notes.git(&["add", "-A"]);
    git_with(
        &s.notes.dir,
        &["commit", "-q", "--amend", "-m", "Notes, rewritten"],
        &[
            ("GIT_AUTHOR_DATE", &at("2020-09-01")),
            ("GIT_COMMITTER_DATE", &at("2020-09-01")),
        ],
    );
    let n2 = s.notes.head();
    s.sync();

    let n = s.news(&["--since", "last-sync"]);
    assert_eq!(
        pages(&n),
        strings(&[
            ("changed", "docs/intro.md", "", "kb"),
            ("changed", "docs/releases/all/r1.md", "", "org/notes"),
        ])
    );
    assert_eq!(
        repos(&n),
        [
            ("kb".to_string(), s.first[0].clone(), d2.clone(), false, 1),
            ("org/notes".to_string(), s.first[2].clone(), n2, true, 1),
        ]
    );
    assert_eq!(n["rewritten"], true);
    assert_eq!(
        subjects(&n, page(&n, "docs/releases/all/r1.md")),
        ["Notes, rewritten"]
    );
    let r = run(s.ken.cmd(&["--source", &s.src, "news"]));
    assert!(
        r.stdout
            .contains("(history was rewritten: the two tips compared), 1 commit"),
        "{}",
        r.stdout
    );

    // A sync that brings nothing keeps the last sync's news.
    s.sync();
    assert_eq!(pages(&s.news(&[])).len(), 2);

    // Since a date, every repository from its own last commit before it: the guides' rework
    // too; the notes' only commit is newer, so all their pages are new.
    let n = s.news(&["--since", "2020-03-01"]);
    assert_eq!(
        pages(&n),
        strings(&[
            ("changed", "docs/guides/docs/install.md", "", "org/guides"),
            (
                "renamed",
                "docs/guides/docs/new-name.md",
                "docs/guides/docs/old-name.md",
                "org/guides"
            ),
            ("changed", "docs/intro.md", "", "kb"),
            ("added", "docs/releases/all/r1.md", "", "org/notes"),
            ("added", "docs/releases/all/r2.md", "", "org/notes"),
        ])
    );
    // Since a commit: the news of the repository that has it, the others compared with
    // themselves.
    let n = s.news(&["--since", &s.first[1]]);
    assert_eq!(
        pages(&n),
        strings(&[
            ("changed", "docs/guides/docs/install.md", "", "org/guides"),
            (
                "renamed",
                "docs/guides/docs/new-name.md",
                "docs/guides/docs/old-name.md",
                "org/guides"
            ),
        ])
    );
    let r = run(s
        .ken
        .cmd(&["--source", &s.src, "news", "--since", "0123456789abcdef"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("is a commit of none of the site's repositories"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_site_s_pages_are_dated_by_their_own_repository() {
    let s = site();
    let g2 = s.rework_guides();
    s.sync();
    let r = run(s.ken.cmd(&["--source", &s.src, "list", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let l: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    let page = |p: &str| {
        l.iter()
            .find(|d| d["path"] == p)
            .unwrap_or_else(|| panic!("{p} not listed"))
            .clone()
    };
    let install = page("docs/guides/docs/install.md");
    assert_eq!(install["changed"]["commit"], g2.as_str());
    assert_eq!(install["changed"]["date"], "2020-06-01T12:00:00Z");
    assert_eq!(install["changed"]["author"], "Alice");
    assert_eq!(install["created"]["commit"], s.first[1].as_str());
    // A rename in its repository is followed to the page's creation there.
    let moved = page("docs/guides/docs/new-name.md");
    assert_eq!(moved["changed"]["commit"], g2.as_str());
    assert_eq!(moved["created"]["commit"], s.first[1].as_str());
    assert_eq!(
        page("docs/guides/docs/deep/tuning.md")["changed"]["author"],
        "Gus"
    );
    assert_eq!(
        page("docs/intro.md")["changed"]["commit"],
        s.first[0].as_str()
    );
    let r1 = page("docs/releases/all/r1.md");
    assert_eq!(r1["changed"]["commit"], s.first[2].as_str());
    assert_eq!(r1["changed"]["author"], "Nina");
}

#[test]
fn stale_pages_of_a_site_are_grouped_by_their_own_repository() {
    let s = site();
    s.rework_guides();
    s.sync();
    let r = run(s
        .ken
        .cmd(&["--source", &s.src, "stale", "--older-than", "30d", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let groups: Vec<(String, String, u64, Vec<String>)> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["source"].as_str().unwrap().to_string(),
                g["repo"].as_str().unwrap().to_string(),
                g["checked"].as_u64().unwrap(),
                g["pages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["path"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    let group = |repo: &str, n: u64, pages: &[&str]| {
        (
            "kb".to_string(),
            repo.to_string(),
            n,
            pages.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        groups,
        [
            group("kb", 1, &["docs/intro.md"]),
            // Oldest first within each repository.
            group(
                "org/guides",
                3,
                &[
                    "docs/guides/docs/deep/tuning.md",
                    "docs/guides/docs/install.md",
                    "docs/guides/docs/new-name.md"
                ]
            ),
            group(
                "org/notes",
                2,
                &["docs/releases/all/r1.md", "docs/releases/all/r2.md"]
            ),
        ]
    );
    assert_eq!(v["sources"][1]["url"], s._daemon.url("org/guides"));

    let r = run(s
        .ken
        .cmd(&["--source", &s.src, "stale", "--older-than", "30d"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let heads: Vec<&str> = r.stdout.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        heads,
        [
            "kb — 1 of 1 pages",
            "kb: org/guides — 3 of 3 pages",
            "kb: org/notes — 2 of 2 pages"
        ],
        "{}",
        r.stdout
    );
    let guides = r
        .stdout
        .lines()
        .position(|l| l.starts_with("kb: org/guides"))
        .unwrap();
    let next = r.stdout.lines().nth(guides + 1).unwrap();
    assert!(
        next.contains("2020-01-01") && next.contains("docs/guides/docs/deep/tuning.md"),
        "{}",
        r.stdout
    );
    assert!(next.contains("Gus: Guides"), "{}", r.stdout);
}

#[test]
fn a_repository_added_to_or_dropped_from_the_manifest_is_in_the_news() {
    let s = site();
    // The manifest drops the notes and takes in a new repository.
    let extra = Repo::init(&s._daemon.base.join("org"), "extra");
    extra.write("faq.md", "# FAQ\n");
    let e1 = extra.commit_at("FAQ", "Eli", &at("2020-02-01"), &at("2020-02-01"));
    s.docs.write(
        "docs.package.json",
        r#"[
  {"repo": "org/guides", "source": "docs", "target": "docs/guides", "label": ""},
  {"repo": "org/extra", "source": ["*.md"], "target": "docs/extra", "label": ""}
]"#,
    );
    let d2 = s.docs.commit_at(
        "Swap notes for extra",
        "Dora",
        &at("2020-03-01"),
        &at("2020-03-01"),
    );
    s.sync();

    let n = s.news(&[]);
    assert_eq!(
        pages(&n),
        strings(&[
            ("added", "docs/extra/faq.md", "", "org/extra"),
            ("deleted", "docs/releases/all/r1.md", "", "org/notes"),
            ("deleted", "docs/releases/all/r2.md", "", "org/notes"),
        ])
    );
    assert_eq!(
        repos(&n),
        [
            ("kb".to_string(), s.first[0].clone(), d2, false, 1),
            ("org/extra".to_string(), String::new(), e1.clone(), false, 1),
        ]
    );
    let r = run(s.ken.cmd(&["--source", &s.src, "news"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains(&format!("org/extra  new, up to {}, 1 commit", &e1[..10])),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("deleted  docs/releases/all/r1.md  Release 1  [org/notes]"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_what_s_new_screen_of_a_site_lists_each_repository_that_moved() {
    let s = site();
    let g2 = s.rework_guides();
    s.sync();
    let config = s.ken.config_for(&s.src);
    // What the screen's job computes, turned into the screen's rows.
    let all = ken::history::news::all(
        &ken::base::Base::open(config),
        &ken::history::news::Since::LastSync,
    );
    let rows: Vec<String> = ken::ui::news::news_rows(&all, 0)
        .into_iter()
        .map(|r| r.text)
        .collect();
    let shown = rows.join("\n");
    // As `ken news` says it: the site, then the one repository that moved with its range.
    assert_eq!(rows[0], "kb: site, 1 repository moved, 1 commit", "{shown}");
    assert_eq!(
        rows[1],
        format!(
            "  org/guides  {} → {}, 1 commit",
            &s.first[1][..10],
            &g2[..10]
        ),
        "{shown}"
    );
    // Each page names the repository it comes from.
    assert!(
        rows.iter()
            .any(|r| r.starts_with("  changed  docs/guides/docs/install.md")
                && r.ends_with("[org/guides]")),
        "{shown}"
    );
}

#[test]
fn a_page_moved_to_another_repository_of_the_site_and_edited_is_one_move() {
    let s = site();
    // The long page leaves the guides and, a line longer, joins the release notes; a short
    // page is deleted from the guides and another, unrelated one added to the notes.
    s.guides
        .git(&["rm", "-q", "docs/old-name.md", "docs/deep/tuning.md"]);
    s.guides
        .commit_at("Hand over", "Gus", &at("2020-06-01"), &at("2020-06-01"));
    s.notes
        .write(
            "moved.md",
            format!("# Moved\n\n{LONG}Now kept with the notes.\n"),
        )
        .write("r3.md", "# Release 3\n");
    s.notes
        .commit_at("Take over", "Nina", &at("2020-06-02"), &at("2020-06-02"));
    s.sync();

    let n = s.news(&[]);
    assert_eq!(
        pages(&n),
        strings(&[
            (
                "deleted",
                "docs/guides/docs/deep/tuning.md",
                "",
                "org/guides"
            ),
            (
                "renamed",
                "docs/releases/all/moved.md",
                "docs/guides/docs/old-name.md",
                "org/notes"
            ),
            ("added", "docs/releases/all/r3.md", "", "org/notes"),
        ])
    );
    // The move is in the commits of both repositories: the one it left and the one it joined.
    assert_eq!(
        subjects(&n, page(&n, "docs/releases/all/moved.md")),
        ["Hand over", "Take over"]
    );
}
