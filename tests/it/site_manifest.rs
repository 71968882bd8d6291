//! Sites (`ken::site`): the manifest `docs.package.json` read entry by entry, repository
//! URLs resolved against the site's own URL, every bad input refused with one line, the
//! `cp -r`/glob layout of `getDocs.js` computed from tree listings, and `site.lock`.
//! Self-made fixtures only: the SCS corpus comparison is in corpus_site.rs.

use std::collections::HashMap;

use ken::site::{
    self, Kind, Layout, Lock, LockEntry, MAX_REPOSITORIES, Plan, SiteError, TreeEntry,
};

const SITE: &str = "https://github.com/SovereignCloudStack/docs";

fn folders() -> Vec<String> {
    [
        "blog",
        "community",
        "contributor-docs",
        "docs",
        "standards",
        "user-docs",
    ]
    .map(String::from)
    .to_vec()
}

fn plan_at(site_url: &str, json: &str) -> Plan {
    Plan::new("docs.package.json", json, site_url, &folders()).expect("a valid manifest")
}

fn plan(json: &str) -> Plan {
    plan_at(SITE, json)
}

/// A manifest of one entry taking `source` from `repo` into `docs/<label>`.
fn one(repo: &str, source: &str, label: &str) -> String {
    serde_json::json!([{ "repo": repo, "source": source, "target": "docs", "label": label }])
        .to_string()
}

/// The one refusal of a manifest of one entry.
fn refusal(json: &str) -> String {
    let p = plan(json);
    assert!(p.repos.is_empty(), "nothing is used: {:?}", p.repos);
    assert_eq!(p.refused.len(), 1, "{:?}", p.refused);
    p.refused[0].to_string()
}

fn url_of(repo: &str) -> Result<String, String> {
    let p = plan(&one(repo, "docs", "x"));
    match (p.repos.first(), p.refused.first()) {
        (Some(r), None) => Ok(r.url.clone()),
        (None, Some(r)) => Err(r.to_string()),
        _ => panic!("{repo}: {p:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The manifest as a whole

#[test]
fn the_real_scs_manifest_names_18_repositories_in_19_entries() {
    let text = include_str!("../fixtures/manifest/docs.package.json");
    let p = plan(text);
    assert!(p.refused.is_empty(), "{:?}", p.refused);
    assert!(p.notes.is_empty(), "{:?}", p.notes);
    assert_eq!(p.repos.len(), 18);
    assert_eq!(p.entries().len(), 19);
    let pentest = p
        .repos
        .iter()
        .find(|r| r.url.ends_with("/security-infra-scan-pipeline"))
        .expect("listed");
    assert_eq!(
        pentest.url,
        "https://github.com/SovereignCloudStack/security-infra-scan-pipeline"
    );
    assert_eq!(pentest.entries.len(), 2, "both of its entries kept");
    let standards = &p.repos[1];
    assert_eq!(
        standards.entries[0].sources,
        ["Standards/*.md", "Tests/scs-*.yaml"]
    );
    assert_eq!(standards.entries[0].dest, "standards", "empty label");
}

#[test]
fn malformed_json_is_one_error_with_file_line_and_column() {
    let text = "[\n  {\"repo\": \"a/b\",\n   \"source\": \"docs\" \"target\": \"docs\"}\n]\n";
    let e = Plan::new("docs.package.json", text, SITE, &folders()).unwrap_err();
    let SiteError::Json { line, column, .. } = &e else {
        panic!("{e:?}")
    };
    // Column 21 is the `"` of `"target"`, where a `,` was expected.
    assert_eq!((*line, *column), (3, 21));
    let msg = e.to_string();
    assert!(
        msg.starts_with("docs.package.json:3:21: not valid JSON: expected"),
        "{msg}"
    );
    assert!(!msg.contains("at line"), "the position is said once: {msg}");
}

#[test]
fn a_manifest_that_is_not_a_list_is_refused_whole() {
    let e = Plan::new("m.json", r#"{"repo": "a/b"}"#, SITE, &folders()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "m.json: expected a list of entries, found an object"
    );
}

#[test]
fn a_byte_order_mark_is_accepted_as_getdocs_accepts_it() {
    let p = plan(&format!("\u{feff}{}", one("o/n", "docs", "x")));
    assert_eq!(p.repos.len(), 1);
}

#[test]
fn an_entry_missing_a_field_is_refused_and_the_others_still_count() {
    let json = r#"[
        {"repo": "o/good", "source": "docs", "target": "docs", "label": "good"},
        {"source": "docs", "target": "docs", "label": "x"},
        {"repo": "o/nosource", "target": "docs", "label": "x"},
        {"repo": "o/notarget", "source": "docs", "label": "x"},
        "o/astring",
        {"repo": 7, "source": "docs", "target": "docs"},
        {"repo": "o/badsource", "source": {"a": 1}, "target": "docs"},
        {"repo": "o/badlist", "source": ["docs", 3], "target": "docs"},
        {"repo": "o/emptylist", "source": [], "target": "docs"},
        {"repo": "o/badlabel", "source": "docs", "target": "docs", "label": true},
        {"repo": "o/also-good", "source": "docs", "target": "docs"}
    ]"#;
    let p = plan(json);
    let used: Vec<&str> = p.entries().iter().map(|(_, e)| e.repo.as_str()).collect();
    assert_eq!(used, ["o/good", "o/also-good"]);
    let lines: Vec<String> = p.refused.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        lines,
        [
            "docs.package.json: entry 2 refused: has no `repo`",
            "docs.package.json: entry 3 (o/nosource) refused: has no `source`",
            "docs.package.json: entry 4 (o/notarget) refused: has no `target`",
            "docs.package.json: entry 5 refused: is a string, not an object",
            "docs.package.json: entry 6 refused: `repo` is a number, not a string",
            "docs.package.json: entry 7 (o/badsource) refused: `source` is an object, not a path or a list of paths",
            "docs.package.json: entry 8 (o/badlist) refused: `source` lists a number, not a path",
            "docs.package.json: entry 9 (o/emptylist) refused: `source` is an empty list",
            "docs.package.json: entry 10 (o/badlabel) refused: `label` is a boolean, not a path",
        ]
    );
}

#[test]
fn a_missing_label_is_an_empty_one() {
    let p = plan(r#"[{"repo": "o/n", "source": "x.md", "target": "docs/turnkey"}]"#);
    let (_, e) = p.entries()[0];
    assert_eq!(e.label, "");
    assert_eq!(e.dest, "docs/turnkey");
}

#[test]
fn a_repository_listed_several_times_is_mirrored_once_with_all_its_entries() {
    let json = r#"[
        {"repo": "o/a", "source": "docs/*.md", "target": "docs", "label": "a"},
        {"repo": "o/b", "source": "docs", "target": "docs", "label": "b"},
        {"repo": "o/a", "source": "docs/images/*.png", "target": "docs", "label": "a/images"},
        {"repo": "https://github.com/o/a.git", "source": "x.md", "target": "docs", "label": "a"}
    ]"#;
    let p = plan(json);
    assert_eq!(p.repos.len(), 2);
    assert_eq!(
        p.repos[0].url, "https://github.com/o/a",
        "the first spelling"
    );
    let numbers: Vec<usize> = p.repos[0].entries.iter().map(|e| e.number).collect();
    assert_eq!(numbers, [1, 3, 4]);
    let order: Vec<usize> = p.entries().iter().map(|(_, e)| e.number).collect();
    assert_eq!(order, [1, 2, 3, 4], "copies happen in manifest order");
}

#[test]
fn more_than_64_repositories_are_cut_to_the_first_64_with_a_note() {
    let entries: Vec<serde_json::Value> = (0..1000)
        .map(|i| {
            serde_json::json!({"repo": format!("o/r{i}"), "source": "docs", "target": "docs", "label": format!("r{i}")})
        })
        .collect();
    // One more entry of an already-kept repository still counts.
    let mut entries = entries;
    entries.push(serde_json::json!({"repo": "o/r3", "source": "x.md", "target": "docs"}));
    let p = plan(&serde_json::Value::Array(entries).to_string());
    assert_eq!(p.repos.len(), MAX_REPOSITORIES);
    assert_eq!(p.repos[63].url, "https://github.com/o/r63");
    assert_eq!(p.repos[3].entries.len(), 2);
    assert_eq!(
        p.notes,
        [
            "docs.package.json: names 1000 repositories; only the first 64 are used (936 entries of 936 more repositories left out)"
        ]
    );
    assert!(p.refused.is_empty());
}

// ---------------------------------------------------------------------------------------
// Where the repositories come from

#[test]
fn owner_name_resolves_against_the_sites_own_url() {
    let cases = [
        (
            "https://github.com/SovereignCloudStack/docs",
            "https://github.com/SovereignCloudStack/release-notes",
        ),
        (
            "git://127.0.0.1:41234/SovereignCloudStack/docs",
            "git://127.0.0.1:41234/SovereignCloudStack/release-notes",
        ),
        (
            "git@github.com:SovereignCloudStack/docs",
            "git@github.com:SovereignCloudStack/release-notes",
        ),
        (
            "git@gitlab.example:SovereignCloudStack/docs.git",
            "git@gitlab.example:SovereignCloudStack/release-notes.git",
        ),
        (
            "https://github.com/SovereignCloudStack/docs.git",
            "https://github.com/SovereignCloudStack/release-notes.git",
        ),
        (
            "ssh://git@host:2222/SovereignCloudStack/docs",
            "ssh://git@host:2222/SovereignCloudStack/release-notes",
        ),
    ];
    for (site, want) in cases {
        let p = plan_at(
            site,
            &one("SovereignCloudStack/release-notes", "*.md", "06-releases"),
        );
        assert_eq!(p.repos[0].url, want, "site {site}");
    }
    // A `.git` on the entry's name is the same repository.
    let p = plan_at(
        "git://127.0.0.1:41234/SovereignCloudStack/docs",
        &one("SovereignCloudStack/release-notes.git", "*.md", "r"),
    );
    assert_eq!(
        p.repos[0].url,
        "git://127.0.0.1:41234/SovereignCloudStack/release-notes"
    );
}

#[test]
fn full_https_and_git_at_urls_are_used_as_written() {
    for url in [
        "https://gitlab.com/group/sub/handbook.git",
        "https://github.com/other/thing",
        "git@gitlab.com:group/handbook.git",
    ] {
        assert_eq!(url_of(url).as_deref(), Ok(url));
    }
}

#[test]
fn a_site_with_a_local_url_cannot_resolve_owner_name() {
    let p = plan_at("/srv/git/docs", &one("o/n", "docs", "x"));
    assert_eq!(
        p.refused[0].to_string(),
        "docs.package.json: entry 1 (o/n) refused: owner/name needs a site fetched from a server, and the site's URL `/srv/git/docs` is a local path"
    );
}

#[test]
fn refused_repositories_each_get_one_line_naming_the_entry_and_why() {
    let cases = [
        ("/srv/git/thing", "local paths are refused"),
        ("./thing", "local paths are refused"),
        ("~/thing", "local paths are refused"),
        ("C:/thing", "local paths are refused"),
        (
            "file:///srv/git/thing",
            "file:// URLs (local repositories) are refused",
        ),
        ("ext::sh -c touch% /tmp/pwned", "whitespace"),
        ("ext::sh%-c%touch", "the `ext::` transport is refused"),
        ("fd::17", "the `fd::` transport is refused"),
        (
            "http://example.org/o/n",
            "plain http:// is refused: use https://",
        ),
        ("ssh://host/o/n", "the `ssh://` transport is refused"),
        ("git://host/o/n", "the `git://` transport is refused"),
        ("-uhttps://evil", "`repo` looks like a command-line option"),
        (
            "--upload-pack=touch",
            "`repo` looks like a command-line option",
        ),
        ("o/../n", "`..` is not allowed in `repo`"),
        (
            "https://github.com/o/../../etc",
            "`..` is not allowed in `repo`",
        ),
        ("git@host:../x", "`..` is not allowed in `repo`"),
        (
            "git@host:-oProxyCommand=x",
            "looks like a command-line option",
        ),
        ("https:///nohost", "the URL names no host"),
        ("https://github.com/", "the URL names no repository"),
        (
            "justaname",
            "is neither owner/name nor an https:// or git@host: URL",
        ),
        ("o/n/extra", "is neither owner/name"),
        ("o/n$(id)", "is neither owner/name"),
        ("", "`repo` is empty"),
    ];
    for (repo, why) in cases {
        let line = url_of(repo).expect_err(repo);
        assert!(
            line.starts_with("docs.package.json: entry 1"),
            "{repo}: {line}"
        );
        assert!(line.contains(why), "{repo}: {line}");
        assert_eq!(line.lines().count(), 1, "{repo}: one line: {line}");
    }
}

#[test]
fn refused_paths_each_get_one_line() {
    let entry = |source: &str, target: &str, label: &str| {
        serde_json::json!([{"repo": "o/n", "source": source, "target": target, "label": label}])
            .to_string()
    };
    let cases = [
        (
            entry("/etc/passwd", "docs", "x"),
            "`source` is an absolute path",
        ),
        (entry("docs", "/tmp", "x"), "`target` is an absolute path"),
        (entry("docs", "docs", "/x"), "`label` is an absolute path"),
        (
            entry("../secret", "docs", "x"),
            "`..` is not allowed in `source`",
        ),
        (
            entry("docs/../..", "docs", "x"),
            "`..` is not allowed in `source`",
        ),
        (
            entry("docs", "docs/../../etc", "x"),
            "`..` is not allowed in `target`",
        ),
        (
            entry("docs", "docs", "a/../../b"),
            "`..` is not allowed in `label`",
        ),
        (
            entry("docs", "static", "x"),
            "`target` static is outside the site's folders (blog, community, contributor-docs, docs, standards, user-docs)",
        ),
        (entry("docs", "docsx", ""), "outside the site's folders"),
        (entry("docs", ".", ""), "outside the site's folders"),
        (entry("docs", "", "x"), "`target` is empty"),
        (entry("", "docs", "x"), "`source` has an empty path"),
        (
            entry("my docs", "docs", "x"),
            "`source` contains whitespace, which getDocs.js strips",
        ),
        (entry("docs", "docs", "a b"), "`label` contains whitespace"),
        (
            entry("-rf", "docs", "x"),
            "`source` has a part that looks like a command-line option",
        ),
        (
            entry("docs", "docs/-x", ""),
            "`target` has a part that looks like a command-line option",
        ),
        (entry("docs/$(id)", "docs", "x"), "`source` contains `$`"),
        (entry("docs;rm", "docs", "x"), "`source` contains `;`"),
        (entry("docs/{a,b}", "docs", "x"), "`source` contains `{`"),
        (entry("docs", "docs", "x`id`"), "`label` contains `"),
        (entry("~/docs", "docs", "x"), "`source` starts with `~`"),
        (
            entry("docs", "docs", "*"),
            "`label` contains `*`: only `source` may be a pattern",
        ),
        (entry("docs", "docs/[a]", ""), "`target` contains `[`"),
        (
            entry("docs\u{1b}[2J", "docs", "x"),
            "`source` contains control characters",
        ),
    ];
    for (json, why) in cases {
        let line = refusal(&json);
        assert!(
            line.starts_with("docs.package.json: entry 1 (o/n) refused: "),
            "{json}: {line}"
        );
        assert!(line.contains(why), "{json}: {line}");
        assert!(!line.contains('\u{1b}'), "sanitized: {line:?}");
    }
}

#[test]
fn a_refused_line_never_carries_control_characters_from_the_manifest() {
    let json = r#"[{"repo": "o/n\u001b]0;owned\u0007", "source": "docs", "target": "docs"}]"#;
    let line = refusal(json);
    assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
    assert!(
        line.starts_with("docs.package.json: entry 1 (o/n␛]0;owned␇) refused"),
        "{line}"
    );
}

// ---------------------------------------------------------------------------------------
// The layout, as `cp -r` makes it

fn files(paths: &[&str]) -> Vec<TreeEntry> {
    paths.iter().map(|p| TreeEntry::file(p)).collect()
}

/// Lays out `json` with the repositories `repos` (URL → tree) over an empty site.
fn lay(json: &str, repos: &[(&str, Vec<TreeEntry>)]) -> Layout {
    let p = plan(json);
    assert!(p.refused.is_empty(), "{:?}", p.refused);
    let trees: HashMap<String, Vec<TreeEntry>> = repos
        .iter()
        .map(|(u, t)| (format!("https://github.com/{u}"), t.clone()))
        .collect();
    site::layout(&p, &[], &trees)
}

/// `site path ← path in repo` for every file.
fn arrangement(l: &Layout) -> Vec<String> {
    l.files
        .iter()
        .map(|(at, o)| {
            let repo = o.repo.rsplit('/').next().unwrap_or_default();
            format!("{at} ← {repo}:{}", o.path)
        })
        .collect()
}

#[test]
fn a_file_lands_in_the_target_folder_by_its_name() {
    let l = lay(
        &one("o/n", "documentation/overview.md", ""),
        &[("o/n", files(&["documentation/overview.md", "other.md"]))],
    );
    assert_eq!(
        arrangement(&l),
        ["docs/overview.md ← n:documentation/overview.md"]
    );
    assert!(l.notes.is_empty(), "{:?}", l.notes);
}

#[test]
fn a_folder_lands_below_the_target_under_its_own_name() {
    let tree = files(&[
        "docs/a.md",
        "docs/sub/b.md",
        "docs/sub/deep/c.md",
        "src/main.rs",
    ]);
    let l = lay(&one("o/n", "docs", "component"), &[("o/n", tree.clone())]);
    assert_eq!(
        arrangement(&l),
        [
            "docs/component/docs/a.md ← n:docs/a.md",
            "docs/component/docs/sub/b.md ← n:docs/sub/b.md",
            "docs/component/docs/sub/deep/c.md ← n:docs/sub/deep/c.md",
        ]
    );
    // A trailing slash changes nothing for a folder (GNU cp uses the name without it).
    assert_eq!(
        lay(&one("o/n", "docs/", "component"), &[("o/n", tree.clone())]).files,
        l.files
    );
    // `docs/.` copies the folder's contents, not the folder.
    let contents = lay(&one("o/n", "docs/.", "component"), &[("o/n", tree)]);
    assert_eq!(
        arrangement(&contents),
        [
            "docs/component/a.md ← n:docs/a.md",
            "docs/component/sub/b.md ← n:docs/sub/b.md",
            "docs/component/sub/deep/c.md ← n:docs/sub/deep/c.md",
        ]
    );
}

#[test]
fn a_glob_of_files_and_folders_lands_flat_with_folders_kept_whole() {
    let tree = files(&[
        "docs/overview.md",
        "docs/providers/openstack/quickstart.md",
        "docs/.hidden/x.md",
        "docs/.dotfile.md",
        "notes.md",
    ]);
    let l = lay(&one("o/n", "docs/*", "stacks"), &[("o/n", tree.clone())]);
    assert_eq!(
        arrangement(&l),
        [
            "docs/stacks/overview.md ← n:docs/overview.md",
            "docs/stacks/providers/openstack/quickstart.md ← n:docs/providers/openstack/quickstart.md",
        ]
    );
    // `*/` matches folders only.
    let dirs = lay(&one("o/n", "docs/*/", "stacks"), &[("o/n", tree.clone())]);
    assert_eq!(
        arrangement(&dirs),
        [
            "docs/stacks/providers/openstack/quickstart.md ← n:docs/providers/openstack/quickstart.md"
        ]
    );
    // `*.md` at the top does not reach into folders.
    let top = lay(&one("o/n", "*.md", "r"), &[("o/n", tree)]);
    assert_eq!(arrangement(&top), ["docs/r/notes.md ← n:notes.md"]);
}

#[test]
fn a_list_of_sources_is_copied_one_after_the_other() {
    let json = r#"[{"repo": "o/std", "source": ["Standards/*.md", "Tests/scs-*.yaml"], "target": "standards", "label": ""}]"#;
    let l = lay(
        json,
        &[(
            "o/std",
            files(&[
                "Standards/scs-0001-v1-x.md",
                "Standards/scs-0002-v1-y.md",
                "Tests/scs-compatible-iaas.yaml",
                "Tests/chk_adrs.py",
            ]),
        )],
    );
    assert_eq!(
        arrangement(&l),
        [
            "standards/scs-0001-v1-x.md ← std:Standards/scs-0001-v1-x.md",
            "standards/scs-0002-v1-y.md ← std:Standards/scs-0002-v1-y.md",
            "standards/scs-compatible-iaas.yaml ← std:Tests/scs-compatible-iaas.yaml",
        ]
    );
}

#[test]
fn every_readme_of_an_imported_repository_is_dropped_but_the_sites_own_stay() {
    let p = plan(&one("o/n", "docs", "c"));
    let trees = HashMap::from([(
        "https://github.com/o/n".to_string(),
        files(&[
            "README.md",
            "docs/README.md",
            "docs/x/README.md",
            "docs/x/readme.md",
            "docs/a.md",
        ]),
    )]);
    let own = files(&["README.md", "docs/README.md", "docs/intro.md"]);
    let l = site::layout(&p, &own, &trees);
    assert_eq!(
        arrangement(&l),
        [
            "README.md ← docs:README.md",
            "docs/README.md ← docs:docs/README.md",
            "docs/c/docs/a.md ← n:docs/a.md",
            "docs/c/docs/x/readme.md ← n:docs/x/readme.md",
            "docs/intro.md ← docs:docs/intro.md",
        ]
    );
    // A source naming a README names nothing: getDocs deleted it before copying.
    let gone = lay(
        &one("o/n", "README.md", "c"),
        &[("o/n", files(&["README.md"]))],
    );
    assert!(gone.files.is_empty());
    assert_eq!(
        gone.notes,
        ["docs.package.json: entry 1 (o/n): `README.md` is not in the repository"]
    );
}

#[test]
fn a_glob_matching_nothing_is_a_note_and_the_rest_is_still_copied() {
    let json = r#"[{"repo": "o/n", "source": ["docs/images/*.png", "docs/*.md", "missing.md", "docs/a.md/"], "target": "docs", "label": "c"}]"#;
    let l = lay(json, &[("o/n", files(&["docs/a.md"]))]);
    assert_eq!(arrangement(&l), ["docs/c/a.md ← n:docs/a.md"]);
    assert_eq!(
        l.notes,
        [
            "docs.package.json: entry 1 (o/n): `docs/images/*.png` matches nothing in the repository",
            "docs.package.json: entry 1 (o/n): `missing.md` is not in the repository",
            "docs.package.json: entry 1 (o/n): `docs/a.md/` is not a folder, so cp copies nothing",
        ]
    );
}

#[test]
fn two_entries_giving_the_same_site_path_the_later_wins_with_a_note() {
    let json = r#"[
        {"repo": "o/a", "source": "docs/*.md", "target": "docs", "label": "c"},
        {"repo": "o/b", "source": "guide/*.md", "target": "docs", "label": "c"}
    ]"#;
    let l = lay(
        json,
        &[
            ("o/a", files(&["docs/overview.md", "docs/a.md"])),
            ("o/b", files(&["guide/overview.md"])),
        ],
    );
    assert_eq!(
        arrangement(&l),
        [
            "docs/c/a.md ← a:docs/a.md",
            "docs/c/overview.md ← b:guide/overview.md"
        ]
    );
    assert_eq!(
        l.notes,
        [
            "docs.package.json: entry 2 (o/b): `docs/c/overview.md`: guide/overview.md of https://github.com/o/b replaces docs/overview.md of https://github.com/o/a (the later copy wins, as with cp)"
        ]
    );
}

#[test]
fn within_one_copy_the_first_file_stays_as_gnu_cp_will_not_overwrite_a_file_it_just_made() {
    let l = lay(
        &one("o/n", "*/index.md", "c"),
        &[("o/n", files(&["a/index.md", "b/index.md"]))],
    );
    assert_eq!(arrangement(&l), ["docs/c/index.md ← n:a/index.md"]);
    assert_eq!(l.notes.len(), 1);
    assert!(
        l.notes[0].contains("will not overwrite it with b/index.md"),
        "{:?}",
        l.notes
    );
}

#[test]
fn the_same_file_copied_twice_is_no_conflict() {
    let json = r#"[
        {"repo": "o/n", "source": "docs/*.md", "target": "docs", "label": "c"},
        {"repo": "o/n", "source": ["docs/a.md", "docs/a.md"], "target": "docs", "label": "c"}
    ]"#;
    let l = lay(json, &[("o/n", files(&["docs/a.md"]))]);
    assert_eq!(arrangement(&l), ["docs/c/a.md ← n:docs/a.md"]);
    assert!(l.notes.is_empty(), "{:?}", l.notes);
}

#[test]
fn an_imported_file_replaces_the_sites_own_with_a_note() {
    let p = plan(&one("o/n", "intro.md", ""));
    let trees = HashMap::from([("https://github.com/o/n".to_string(), files(&["intro.md"]))]);
    let l = site::layout(&p, &files(&["docs/intro.md"]), &trees);
    assert_eq!(arrangement(&l), ["docs/intro.md ← n:intro.md"]);
    assert_eq!(
        l.notes,
        [
            "docs.package.json: entry 1 (o/n): `docs/intro.md`: intro.md of https://github.com/o/n replaces docs/intro.md of https://github.com/SovereignCloudStack/docs (the later copy wins, as with cp)"
        ]
    );
}

#[test]
fn a_file_never_replaces_a_folder_nor_a_folder_a_file() {
    let json = r#"[
        {"repo": "o/a", "source": "guide", "target": "docs", "label": ""},
        {"repo": "o/b", "source": "guide", "target": "docs", "label": ""},
        {"repo": "o/c", "source": "x", "target": "docs", "label": "guide"}
    ]"#;
    let l = lay(
        json,
        &[
            ("o/a", files(&["guide/x.md"])),
            ("o/b", files(&["guide"])),
            ("o/c", files(&["x/y.md"])),
        ],
    );
    assert_eq!(
        arrangement(&l),
        [
            "docs/guide/x.md ← a:guide/x.md",
            "docs/guide/x/y.md ← c:x/y.md"
        ]
    );
    assert_eq!(
        l.notes,
        [
            "docs.package.json: entry 2 (o/b): `docs/guide` is a folder already, so cp does not put guide there"
        ]
    );
    let json = r#"[
        {"repo": "o/a", "source": "guide", "target": "docs", "label": ""},
        {"repo": "o/c", "source": "x.md", "target": "docs", "label": "guide"}
    ]"#;
    let l = lay(
        json,
        &[
            ("o/a", files(&["guide/x.md"])),
            ("o/c", files(&["x.md/y.md"])),
        ],
    );
    assert_eq!(arrangement(&l), ["docs/guide/x.md ← a:guide/x.md"]);
    assert_eq!(
        l.notes,
        [
            "docs.package.json: entry 2 (o/c): `docs/guide/x.md` is a file already, so cp does not put x.md/y.md below it"
        ]
    );
}

#[test]
fn symlinks_are_copied_as_links_and_never_followed() {
    let tree = vec![
        TreeEntry::file("docs/a.md"),
        TreeEntry::symlink("docs/link.md"),
        TreeEntry::symlink("docs/linkdir"),
        TreeEntry::file("elsewhere/secret.md"),
    ];
    let l = lay(&one("o/n", "docs/*", "c"), &[("o/n", tree.clone())]);
    assert_eq!(l.files["docs/c/link.md"].kind, Kind::Symlink);
    assert_eq!(l.files["docs/c/linkdir"].kind, Kind::Symlink);
    assert_eq!(l.files["docs/c/a.md"].kind, Kind::File);
    assert_eq!(l.files.len(), 3);
    // A link is no folder to a pattern, even if it points at one.
    let through = lay(&one("o/n", "docs/linkdir/*", "c"), &[("o/n", tree)]);
    assert!(through.files.is_empty());
}

#[test]
fn an_imported_manifest_is_not_followed() {
    let l = lay(
        &one("o/n", "*", "c"),
        &[("o/n", files(&["docs.package.json", "page.md"]))],
    );
    // The file itself is copied like any other (cp would), but nothing it names is fetched.
    assert_eq!(
        arrangement(&l),
        [
            "docs/c/docs.package.json ← n:docs.package.json",
            "docs/c/page.md ← n:page.md"
        ]
    );
    assert_eq!(
        l.notes,
        [
            "docs.package.json: entry 1 (o/n): https://github.com/o/n has a docs.package.json of its own; it is not followed (a site is one level deep)"
        ]
    );
}

#[test]
fn a_repository_without_a_copy_leaves_its_entries_out_with_one_note() {
    let json = r#"[
        {"repo": "o/gone", "source": "docs", "target": "docs", "label": "a"},
        {"repo": "o/gone", "source": "more", "target": "docs", "label": "b"},
        {"repo": "o/here", "source": "x.md", "target": "docs", "label": "c"}
    ]"#;
    let l = lay(json, &[("o/here", files(&["x.md"]))]);
    assert_eq!(arrangement(&l), ["docs/c/x.md ← here:x.md"]);
    assert_eq!(
        l.notes,
        [
            "docs.package.json: entry 1 (o/gone): no copy of https://github.com/o/gone yet, so the files it gives are missing"
        ]
    );
}

#[test]
fn notes_are_capped() {
    let json =
        serde_json::json!([{"repo": "o/n", "source": "*/x.md", "target": "docs", "label": "c"}])
            .to_string();
    let tree: Vec<String> = (0..1000).map(|i| format!("d{i:04}/x.md")).collect();
    let tree: Vec<&str> = tree.iter().map(String::as_str).collect();
    let l = lay(&json, &[("o/n", files(&tree))]);
    assert_eq!(l.files.len(), 1);
    assert_eq!(l.notes.len(), site::MAX_NOTES + 1);
    assert_eq!(
        l.notes.last().map(String::as_str),
        Some("… and 799 more notes")
    );
}

#[test]
fn a_folder_snapshot_is_laid_out_like_a_git_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("docs/sub")).unwrap();
    std::fs::write(root.join("docs/a.md"), "# A").unwrap();
    std::fs::write(root.join("docs/README.md"), "# dropped").unwrap();
    std::fs::write(root.join("docs/sub/b.md"), "# B").unwrap();
    std::os::unix::fs::symlink("/etc", root.join("docs/etc")).unwrap();
    let snapshot = ken::source::Snapshot::Dir {
        root: root.to_path_buf(),
    };
    let tree: Vec<TreeEntry> = snapshot
        .entries(None)
        .unwrap()
        .iter()
        .map(TreeEntry::from)
        .collect();
    let l = lay(&one("o/n", "docs/*", "c"), &[("o/n", tree)]);
    assert_eq!(
        arrangement(&l),
        [
            "docs/c/a.md ← n:docs/a.md",
            "docs/c/etc ← n:docs/etc",
            "docs/c/sub/b.md ← n:docs/sub/b.md",
        ]
    );
    assert_eq!(
        l.files["docs/c/etc"].kind,
        Kind::Symlink,
        "listed, not followed"
    );
}

// ---------------------------------------------------------------------------------------
// site.lock

fn oid(hex: &str) -> git2::Oid {
    git2::Oid::from_str(hex).expect("hex")
}

#[test]
fn the_lock_round_trips_through_an_atomic_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join(site::LOCK_FILE);
    assert_eq!(Lock::read(&path).unwrap(), None, "no lock yet");
    let lock = Lock {
        entries: vec![
            LockEntry {
                repo: "SovereignCloudStack/docs".into(),
                url: "https://github.com/SovereignCloudStack/docs".into(),
                commit: oid("6317d735fdd124786406054b19c4dfff2d180a43"),
            },
            LockEntry {
                repo: "SovereignCloudStack/release-notes".into(),
                url: "https://github.com/SovereignCloudStack/release-notes".into(),
                commit: oid("204389e5345f8bf645fd031e701ddf428462a2c6"),
            },
        ],
    };
    lock.write(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with(
        "SovereignCloudStack/release-notes https://github.com/SovereignCloudStack/release-notes 204389e5345f8bf645fd031e701ddf428462a2c6\n"
    ));
    assert_eq!(Lock::read(&path).unwrap().as_ref(), Some(&lock));
    assert_eq!(
        lock.commit_of("https://github.com/SovereignCloudStack/release-notes"),
        Some(oid("204389e5345f8bf645fd031e701ddf428462a2c6"))
    );
    // Rewritten in place: the old content replaced whole, no temporary file left behind.
    let one = Lock {
        entries: lock.entries[..1].to_vec(),
    };
    one.write(&path).unwrap();
    assert_eq!(Lock::read(&path).unwrap(), Some(one));
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [site::LOCK_FILE]);
}

#[test]
fn a_bad_lock_line_is_named_by_file_and_line() {
    let cases = [
        (
            "# c\n\na b\n",
            "site.lock:3: expected `repo url commit`, found 2 fields",
        ),
        (
            "a u 1234\n",
            "site.lock:1: `1234` is not a commit id (40 hex digits)",
        ),
        (
            "a u 6317d735fdd124786406054b19c4dfff2d180a43\nb u 204389e5345f8bf645fd031e701ddf428462a2c6\n",
            "site.lock:2: u is locked twice",
        ),
        (
            "a u 6317d735fdd124786406054b19c4dfff2d180a4z\n",
            "site.lock:1: `6317d735fdd124786406054b19c4dfff2d180a4z` is not a commit id",
        ),
    ];
    for (text, want) in cases {
        let e = Lock::parse("site.lock", text).unwrap_err().to_string();
        assert!(e.starts_with(want), "{text:?}: {e}");
    }
}

#[test]
fn a_lock_entry_that_would_not_read_back_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(site::LOCK_FILE);
    let lock = Lock {
        entries: vec![LockEntry {
            repo: "o/n".into(),
            url: "https://h/o n".into(),
            commit: oid("6317d735fdd124786406054b19c4dfff2d180a43"),
        }],
    };
    let e = lock.write(&path).unwrap_err().to_string();
    assert!(e.contains("cannot write url `https://h/o n`"), "{e}");
    assert!(!path.exists());
}
