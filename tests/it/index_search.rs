//! Search behaviour over a small fixture knowledge base (a local directory source): ranking,
//! every query form, filters, typo tolerance, highlights, sections and anchors.

use std::path::Path;

use ken::base::Base;
use ken::config::{Config, Inputs};
use ken::index::{self, Results, SearchIndex, SearchOptions};

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

struct Fixture {
    _tmp: tempfile::TempDir,
    ix: SearchIndex,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("kb");
    write(
        &docs,
        "iaas/keystone-fernet.md",
        "---\ntitle: Keystone fernet key rotation\nstatus: Stable\ntrack: IaaS\ntags: [identity, keys]\n---\n\
         # Keystone fernet key rotation\n\nOverview of the token keys.\n\n\
         ## Rotate the keys\n\nRun `keystone-manage fernet_rotate` on every controller, then \
         distribute the fernet keys.\n\n```sh\nkeystone-manage fernet_rotate --keystone-user keystone\n```\n\n\
         ## Usage\n\nFirst usage section.\n\n## Usage\n\nSecond usage section about distribution.\n",
    );
    write(
        &docs,
        "iaas/nova.md",
        "---\ntitle: Nova scheduling\nstatus: Draft\ntrack: IaaS\n---\n# Nova scheduling\n\n\
         The scheduler places instances. It talks to keystone for tokens once.\n\n\
         ## Backups\n\nBackups of instances are snapshots.\n",
    );
    write(
        &docs,
        "kaas/cluster-stacks.md",
        "---\ntitle: Cluster stacks\nstatus: Stable\ntrack: KaaS\n---\n# Cluster stacks\n\n\
         A cluster stack bundles Kubernetes, addons and node images.\n\n## Upgrades\n\n\
         Upgrade a cluster by pointing it at a newer cluster stack release.\n",
    );
    write(
        &docs,
        "ops/monitoring.md",
        "# Monitoring\n\nPrometheus scrapes the exporters. Alerts go to the on-call rotation.\n\n\
         ## Dashboards\n\nGrafana dashboards show the keys metrics: latency and errors.\n",
    );
    write(
        &docs,
        "ops/disaster-recovery.md",
        "# Disaster recovery\n\nRestore the database from backups, then the keys, then restart \
         the services. The fernet material lives elsewhere, far from any rotation talk, so this \
         page mentions keys and fernet but never the two words together.\n",
    );
    write(
        &docs,
        "ops/escape.md",
        "# Odd \u{1b}[31mtitle\n\nThis page has an escape \u{1b}]52;c;ZXZpbA==\u{7} sequence near maintenance.\n",
    );
    let data = tmp.path().join("data");
    let inputs = Inputs {
        source_flags: vec![format!("kb={}", docs.display())],
        env_data_dir: Some(data.clone()),
        env_config_dir: Some(tmp.path().join("config")),
        ..Default::default()
    };
    let base = Base::open(Config::load(&inputs).unwrap());
    let report = index::update(&base, &mut |_| {}, &mut |_| {}).unwrap();
    assert_eq!(report.indexed, 6);
    let ix = SearchIndex::open(&data).unwrap();
    Fixture { _tmp: tmp, ix }
}

fn search(f: &Fixture, q: &str) -> Results {
    f.ix.search(q, &SearchOptions::default()).unwrap()
}

fn typing(f: &Fixture, q: &str) -> Results {
    let opts = SearchOptions {
        as_you_type: true,
        ..SearchOptions::default()
    };
    f.ix.search(q, &opts).unwrap()
}

fn paths(r: &Results) -> Vec<&str> {
    r.pages.iter().map(|p| p.path.as_str()).collect()
}

/// The highlighted words of the first hit's snippet, lower case.
fn highlighted(r: &Results) -> Vec<String> {
    let s = &r.pages[0].sections[0].snippet;
    let chars: Vec<char> = s.text.chars().collect();
    s.highlights
        .iter()
        .map(|h| chars[h.clone()].iter().collect::<String>().to_lowercase())
        .collect()
}

#[test]
fn a_title_match_outranks_a_body_match() {
    let f = fixture();
    let r = search(&f, "keystone");
    assert_eq!(
        paths(&r),
        vec!["iaas/keystone-fernet.md", "iaas/nova.md"],
        "{r:#?}"
    );
    assert!(r.pages[0].score > r.pages[1].score);
}

#[test]
fn a_heading_match_outranks_a_body_match() {
    let f = fixture();
    let r = search(&f, "backups");
    assert_eq!(paths(&r)[0], "iaas/nova.md");
    assert_eq!(r.pages[0].sections[0].anchor, "backups");
    assert!(paths(&r).contains(&"ops/disaster-recovery.md"));
}

#[test]
fn hits_name_the_section_and_its_anchor_as_the_reader_makes_them() {
    let f = fixture();
    let r = search(&f, "distribution");
    let page = &r.pages[0];
    assert_eq!(page.path, "iaas/keystone-fernet.md");
    assert_eq!(page.title, "Keystone fernet key rotation");
    assert_eq!(page.source, "kb");
    // The second "Usage" heading gets the anchor `usage-1`, as github-slugger numbers it.
    assert_eq!(page.sections[0].section, "Usage");
    assert_eq!(page.sections[0].anchor, "usage-1");
    assert_eq!(
        page.sections[0].heading_path,
        "Keystone fernet key rotation › Usage"
    );
}

#[test]
fn several_hits_in_one_page_are_grouped_under_it() {
    let f = fixture();
    let r = search(&f, "fernet");
    let first = &r.pages[0];
    assert_eq!(first.path, "iaas/keystone-fernet.md");
    assert!(first.sections.len() >= 2, "{first:#?}");
    let unique: std::collections::HashSet<_> = paths(&r).into_iter().collect();
    assert_eq!(unique.len(), r.pages.len(), "each page appears once");
}

#[test]
fn all_words_must_match_else_partial_matches_with_a_notice() {
    let f = fixture();
    let r = search(&f, "keys rotate");
    assert!(!r.partial);
    assert_eq!(paths(&r)[0], "iaas/keystone-fernet.md");
    assert!(!paths(&r).contains(&"ops/monitoring.md"));
    let r = search(&f, "prometheus kubernetes");
    assert!(r.partial);
    assert_eq!(r.pages.len(), 2);
    assert!(
        r.notices.iter().any(|n| n.contains("partial")),
        "{:?}",
        r.notices
    );
}

#[test]
fn phrases_match_adjacent_words_only() {
    let f = fixture();
    let r = search(&f, "\"fernet keys\"");
    assert_eq!(paths(&r), vec!["iaas/keystone-fernet.md"]);
    let r = search(&f, "fernet keys");
    assert!(paths(&r).contains(&"ops/disaster-recovery.md"));
}

#[test]
fn prefixes_match_and_are_highlighted() {
    let f = fixture();
    let r = search(&f, "schedul*");
    assert_eq!(paths(&r)[0], "iaas/nova.md");
    assert!(
        highlighted(&r).contains(&"scheduler".to_string()),
        "{:?}",
        highlighted(&r)
    );
}

#[test]
fn while_typing_the_last_word_is_a_prefix() {
    let f = fixture();
    let r = typing(&f, "prometheus scra");
    assert_eq!(paths(&r), vec!["ops/monitoring.md"]);
    assert!(!r.partial);
    assert!(highlighted(&r).contains(&"scrapes".to_string()));
    // Not while typing, and not once the word is followed by a space.
    assert!(search(&f, "prometheus scra").partial);
    assert!(typing(&f, "prometheus scra ").partial);
}

#[test]
fn typos_are_tolerated_and_highlighted() {
    let f = fixture();
    // 8+ letters: two edits.
    let r = search(&f, "keystnoe");
    assert_eq!(paths(&r)[0], "iaas/keystone-fernet.md");
    assert!(
        r.notices.iter().any(|n| n.contains("keystone")),
        "{:?}",
        r.notices
    );
    let r = search(&f, "schdeuler");
    assert_eq!(paths(&r), vec!["iaas/nova.md"]);
    assert!(highlighted(&r).contains(&"scheduler".to_string()));
    // 4–7 letters: one edit (a swap counts as one).
    assert_eq!(paths(&search(&f, "fernte"))[0], "iaas/keystone-fernet.md");
    assert!(
        search(&f, "frenet")
            .pages
            .iter()
            .any(|p| p.path == "iaas/keystone-fernet.md")
    );
    // Two edits in a short word are too many; words under 4 letters are never fuzzy.
    assert!(search(&f, "frneet").pages.is_empty());
    assert!(
        search(&f, "nvoa")
            .pages
            .iter()
            .any(|p| p.path == "iaas/nova.md")
    );
    assert!(search(&f, "nva").pages.is_empty());
}

#[test]
fn stemming_and_ascii_folding() {
    let f = fixture();
    assert_eq!(paths(&search(&f, "rotating"))[0], "iaas/keystone-fernet.md");
    assert_eq!(paths(&search(&f, "Schedúler"))[0], "iaas/nova.md");
}

#[test]
fn filters_narrow_the_results() {
    let f = fixture();
    assert_eq!(paths(&search(&f, "title:nova")), vec!["iaas/nova.md"]);
    assert_eq!(paths(&search(&f, "keys path:ops")).len(), 2);
    assert!(
        paths(&search(&f, "keys path:ops"))
            .iter()
            .all(|p| p.starts_with("ops/"))
    );
    assert_eq!(paths(&search(&f, "keystone source:kb")).len(), 2);
    assert!(search(&f, "keystone source:other").pages.is_empty());
    assert_eq!(
        paths(&search(&f, "status:stable track:iaas")),
        vec!["iaas/keystone-fernet.md"]
    );
    let stable = search(&f, "status:stable");
    let mut kaas = paths(&stable);
    kaas.sort();
    assert_eq!(
        kaas,
        vec!["iaas/keystone-fernet.md", "kaas/cluster-stacks.md"]
    );
    assert_eq!(
        paths(&search(&f, "tags:identity")),
        vec!["iaas/keystone-fernet.md"]
    );
    assert_eq!(
        paths(&search(&f, "track:kaas upgrade")),
        vec!["kaas/cluster-stacks.md"]
    );
}

#[test]
fn minus_excludes() {
    let f = fixture();
    assert_eq!(
        paths(&search(&f, "keystone -scheduler")),
        vec!["iaas/keystone-fernet.md"]
    );
    assert_eq!(
        paths(&search(&f, "keystone -title:nova")),
        vec!["iaas/keystone-fernet.md"]
    );
    let r = search(&f, "-keystone -fernet -keys");
    assert!(!r.pages.is_empty());
    assert!(!paths(&r).contains(&"iaas/keystone-fernet.md"));
}

#[test]
fn malformed_queries_are_searched_leniently_and_never_panic() {
    let f = fixture();
    let r = search(&f, "\"fernet keys");
    assert_eq!(paths(&r), vec!["iaas/keystone-fernet.md"]);
    assert!(r.notices.iter().any(|n| n.contains("quote")));
    let r = search(&f, "colour:blue keystone");
    assert!(
        r.notices.iter().any(|n| n.contains("colour")),
        "{:?}",
        r.notices
    );
    let long = "keystone ".repeat(1200);
    assert!(long.len() > 10_000);
    let r = search(&f, &long);
    assert!(!r.notices.is_empty());
    for q in [
        "",
        " ",
        "-",
        "\"",
        "\"\"",
        "*",
        "**",
        ":",
        "a:",
        ":b",
        "title:",
        "-title:",
        "(((",
        "status:\"",
        "keystone AND OR NOT",
        "\u{0}\u{1b}",
        "ü*",
        "-\"\"",
        "path:/",
        "'",
        "~",
    ] {
        match f.ix.search(q, &SearchOptions::default()) {
            Ok(_) | Err(index::IndexError::Query(_)) => {}
            Err(e) => panic!("{q:?}: {e}"),
        }
        let opts = SearchOptions {
            as_you_type: true,
            ..SearchOptions::default()
        };
        let _ = f.ix.search(q, &opts);
    }
    assert!(matches!(
        f.ix.search("  ", &SearchOptions::default()),
        Err(index::IndexError::Query(_))
    ));
}

#[test]
fn snippets_are_safe_for_the_terminal() {
    let f = fixture();
    let r = search(&f, "escape maintenance");
    let s = &r.pages[0].sections[0].snippet;
    assert!(
        !s.text.contains('\u{1b}') && !s.text.contains('\u{7}'),
        "{s:?}"
    );
    assert!(s.text.contains("␛]52"), "{s:?}");
    assert_eq!(highlighted(&r), vec!["escape", "maintenance"]);
}

#[test]
fn code_blocks_are_searchable() {
    let f = fixture();
    let r = search(&f, "fernet_rotate");
    assert_eq!(paths(&r), vec!["iaas/keystone-fernet.md"]);
    assert_eq!(r.pages[0].sections[0].anchor, "rotate-the-keys");
}

#[test]
fn the_matched_terms_highlight_the_opened_page() {
    let f = fixture();
    let r = search(&f, "rota*");
    let terms = r.terms.iter().cloned().collect();
    let text = "Rotate keys; rotation policy.";
    let ranges = index::snippet::highlight_ranges(&terms, text);
    let words: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(words, vec!["Rotate", "rotation"]);
}
