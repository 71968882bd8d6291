//! Search hits open the reader at their section: on every page of the SCS corpus, each anchor
//! the index records must be a heading anchor of the rendered page.
//! Run by `.ci/run` (`KEN_SCS_CORPUS=… cargo test -- --ignored`).

use crate::common;

#[test]
#[ignore = "needs ../shared/corpus/scs; run by .ci/run"]
fn index_anchors_are_reader_anchors_on_every_scs_page() {
    let root = common::scs_corpus();
    let files: Vec<_> = common::corpus_pages(&root)
        .into_iter()
        .map(|p| root.join(p))
        .collect();
    assert!(files.len() > 300, "{} pages", files.len());
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        let parsed = ken::corpus::parse(&text, &f.display().to_string());
        let doc = ken::markdown::parse(&parsed.body, parsed.front_matter.as_ref());
        for s in ken::index::sections::split(&parsed.body) {
            if s.anchor.is_empty() {
                continue;
            }
            checked += 1;
            if doc.heading_by_anchor(&s.anchor).is_none() {
                mismatches.push(format!(
                    "{}#{} ({:?})",
                    f.strip_prefix(&root).unwrap_or(f).display(),
                    s.anchor,
                    s.heading
                ));
            }
        }
    }
    eprintln!(
        "{checked} section anchors checked over {} pages",
        files.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} index anchors the reader does not have:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The same promise on hand-made headings that once disagreed, with the anchors the site makes.
#[test]
fn index_and_reader_agree_on_tricky_headings() {
    let body = "# Guide\n\n## Step 2 –\u{a0}Cloning the repository\n\n## Per Installation  Steps\n\n\
                ##### MACsec[^ms]\n\n## Usage\n\n## Usage\n\n## Custom {#my-id}\n\n## `code` and *emphasis*\n\n\
                [^ms]: MACsec standard\n";
    let doc = ken::markdown::parse(body, None);
    let reader: Vec<&str> = doc.headings.iter().map(|h| h.anchor.as_str()).collect();
    let index: Vec<String> = ken::index::sections::split(body)
        .into_iter()
        .map(|s| s.anchor)
        .filter(|a| !a.is_empty())
        .collect();
    let expected = [
        "guide",
        "step-2-cloning-the-repository",
        "per-installation--steps",
        "macsec",
        "usage",
        "usage-1",
        "my-id",
        "code-and-emphasis",
    ];
    assert_eq!(reader, expected);
    assert_eq!(index, expected);
}
