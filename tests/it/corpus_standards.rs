//! The standards overview pages ken generates (`ken::site::standards`), compared with what
//! the site's own `populateStds.js` generated for the corpus (`../shared/corpus/scs`, built
//! 2026-11-27: SOURCES.md).
//!
//! The standards are read from the standards bundle with git (not with ken's code), their
//! front matter with serde_norway; ken's pages for 2026-11-27 must equal the script's, page
//! for page, once the parts ken leaves out on purpose are taken from the script's: the React
//! snippet that colours table cells and its `<div>` anchors, and `undefined` for a missing
//! value (ken writes `-`); ken's front-matter line saying it generated the page is taken off.
//! The sidebar must be the same JSON. Ignored in the plain `cargo test`; `.ci/run` runs it.

use crate::common;
use crate::corpus_site::{docs_bundle, site_bundles};

use std::collections::BTreeSet;

use common::git;
use ken::site::standards::{Standard, pages};

/// Runs of blank lines as one: where the snippet was taken out, the script leaves more.
fn blank_runs(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for l in text.lines() {
        if !(l.trim().is_empty() && out.last().is_some_and(|p| p.trim().is_empty())) {
            out.push(l);
        }
    }
    out.join("\n")
}

/// The script's page as ken writes it: no React snippet, no `<div>` anchors, `-` for a
/// missing value.
fn without_react(text: &str) -> String {
    let mut out = text.to_string();
    if let (Some(start), Some(end)) = (
        out.find("\nimport { useEffect } from 'react';"),
        out.find("<TableCellStyleApplier />\n\n"),
    ) {
        out.replace_range(start + 1..end + "<TableCellStyleApplier />\n\n".len(), "");
    }
    out.lines()
        .filter(|l| !l.starts_with("<div id=\"color-table-cells-"))
        .map(|l| l.replace("| undefined  |", "| -  |"))
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

#[test]
#[ignore = "needs ../shared/corpus (site/standards.bundle, scs/); run by .ci/run"]
fn generated_standards_pages_are_the_sites_own() {
    let tmp = tempfile::tempdir().unwrap();
    let bundles = site_bundles(&docs_bundle());
    let corpus = common::scs_corpus();
    let repo = tmp.path().join("standards.git");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            bundles.join("standards.bundle").to_str().unwrap(),
            repo.to_str().unwrap(),
        ],
    );
    let files = git(&repo, &["ls-tree", "--name-only", "HEAD", "Standards/"]);
    let mut standards = Vec::new();
    for path in files.lines() {
        let name = path.trim_start_matches("Standards/");
        if !(name.starts_with("scs-") && name.ends_with(".md")) || name.starts_with("scs-X") {
            continue;
        }
        let text = git(&repo, &["show", &format!("HEAD:{path}")]);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        // The front matter with its last line's newline (a `|` block keeps it).
        let fm = text
            .strip_prefix("---\n")
            .and_then(|r| r.split_once("\n---").map(|(f, _)| format!("{f}\n")))
            .unwrap_or_default();
        standards.push(Standard {
            filename: name.to_string(),
            front_matter: serde_norway::from_str(&fm).unwrap_or(serde_json::Value::Null),
        });
    }
    assert!(standards.len() > 100, "{}", standards.len());
    let made = pages(&standards, "2026-11-27");

    let mut theirs = BTreeSet::new();
    for track in ["global", "iaas", "kaas", "iam", "ops", "scopes"] {
        for e in std::fs::read_dir(corpus.join("standards").join(track))
            .unwrap()
            .flatten()
        {
            theirs.insert(format!(
                "standards/{track}/{}",
                e.file_name().to_string_lossy()
            ));
        }
    }
    theirs.insert("standards/standards/overview.mdx".into());
    theirs.insert("sidebarsStandardsItems.js".into());
    let ours: BTreeSet<String> = made.keys().cloned().collect();
    assert_eq!(ours, theirs);

    let mut same = 0;
    for (path, text) in &made {
        let script = std::fs::read_to_string(corpus.join(path)).unwrap();
        if path == "sidebarsStandardsItems.js" {
            let json = |t: &str| -> serde_json::Value {
                serde_json::from_str(t.trim().trim_start_matches("module.exports = ")).unwrap()
            };
            assert_eq!(json(text), json(&script), "{path}");
            same += 1;
            continue;
        }
        let body = text
            .strip_prefix("---\n")
            .and_then(|r| r.split_once("\n---\n"))
            .map(|(fm, b)| {
                assert!(
                    fm.starts_with("generated: \"2026-11-27, by ken"),
                    "{path}: {fm}"
                );
                b
            })
            .unwrap_or_else(|| panic!("{path}: no front matter saying it is generated"));
        let (body, want) = (blank_runs(body), blank_runs(&without_react(&script)));
        if body != want {
            let at = body
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{path} differs at line {}:\n ken:    {:?}\n script: {:?}",
                at + 1,
                body.lines().nth(at),
                want.lines().nth(at)
            );
        }
        same += 1;
    }
    println!("corpus_standards: all {same} generated files are the script's");
}
