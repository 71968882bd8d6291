//! One page checked alone against its source's copy (`ken::check::page`, what the terminal
//! UI's problems job runs for the page it shows): every page gets exactly the findings the
//! whole check of its source gives it (cross-page rules too: broken links and anchors, files,
//! duplicate standards, missing replacement targets), while only the page is read as a page;
//! and the UI's job, asked for a newer library, reads the copy again.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use common::Ken;
use ken::base::Base;
use ken::check::Finding;
use ken::check::page::PageCheck;
use ken::ui::msg::{JobMsg, Msg};

/// A knowledge folder with findings of many rules, some only visible across pages, and 40
/// plain pages besides.
fn folder(dir: &Path) {
    let write = |p: &str, data: &[u8]| {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    };
    write(
        "docs/a.md",
        b"# A\n\nSee [b](b.md#usage), [the gone page](gone.md)\nand [a bad anchor](b.md#nope).\n\n## Here\n\n[up](#here) and [down](#there).\n\n![missing](img/none.png) and [c](c.md#from-c)\n",
    );
    write(
        "docs/b.md",
        b"# B\n\n## Usage\n\nText, and [back](a.md#here).\n",
    );
    write(
        "docs/c.md",
        b"# C\n\n## From C\n\n[a gone section](a.md#gone) [a route](/docs/b) [no route](/docs/none)\n",
    );
    write("docs/binary.md", b"PK\x03\x04\x00\x00binary");
    write("docs/latin1.md", b"# Caf\xe9\n\n[b](b.md)\n");
    for i in 0..40 {
        write(
            &format!("docs/plain/p{i:02}.md"),
            format!(
                "# Plain {i}\n\n[next](p{:02}.md) [b](../b.md#usage)\n",
                i + 1
            )
            .as_bytes(),
        );
    }
    // The standards fixtures: every standards rule, the duplicates and missing targets
    // among them.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/Standards");
    for e in std::fs::read_dir(&fixtures).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        write(
            &format!("Standards/{name}"),
            &std::fs::read(e.path()).unwrap(),
        );
    }
}

fn sorted(mut f: Vec<Finding>) -> Vec<Finding> {
    f.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.rule, &b.message))
    });
    f
}

#[test]
fn each_page_alone_gets_exactly_the_findings_of_the_whole_check() {
    let tmp = tempfile::tempdir().unwrap();
    folder(tmp.path());
    let ken = Ken::new();
    // A rule turned off and another's severity changed: both runs are configured alike.
    ken.config("[check.rules]\n\"std/unknown-key\" = \"off\"\n\"link/missing-file\" = \"note\"\n");
    let config = ken.config_for(&format!("kb={}", tmp.path().display()));
    let base = Base::open(config.clone());
    let spec = &config.sources[0];
    let whole = ken::check::run::source(&base, spec).unwrap();
    let rules: BTreeSet<&str> = whole.iter().map(|f| f.rule.as_str()).collect();
    for r in [
        "link/missing-page",
        "link/missing-anchor",
        "link/missing-file",
        "file/unreadable",
        "std/duplicate-document",
        "std/duplicate-stable",
        "std/target-missing",
        "std/status-value",
        "frontmatter/invalid-yaml",
    ] {
        assert!(
            rules.contains(r),
            "the fixture has findings of {r}: {rules:?}"
        );
    }
    assert!(!rules.contains("std/unknown-key"), "turned off");
    assert!(
        whole
            .iter()
            .filter(|f| f.rule.as_str() == "link/missing-file")
            .all(|f| f.severity == ken::check::Severity::Note)
    );

    let checker = PageCheck::new(&base, spec).unwrap();
    let docs = base.copy(spec).unwrap().docs().unwrap().docs;
    assert!(docs.len() > 70, "{} pages", docs.len());
    let files: BTreeSet<&str> = whole
        .iter()
        .map(|f| f.file.as_str())
        .chain(docs.iter().map(|d| d.path.as_str()))
        .collect();
    for path in files {
        let one = checker.page(path);
        let want: Vec<Finding> = whole.iter().filter(|f| f.file == path).cloned().collect();
        assert_eq!(sorted(one.findings), sorted(want), "{path}");
    }
    // A page that is not a standard is the only page read as one (the folder's unreadable
    // file is a finding of its own, counted too), not the 80 others.
    let a = checker.page("docs/a.md");
    assert_eq!(a.checked, 2, "docs/a.md and docs/binary.md");
    assert_eq!(
        sorted(a.findings)
            .iter()
            .map(|f| (f.rule.as_str(), f.line))
            .collect::<Vec<_>>(),
        [
            ("link/missing-page", 3),
            ("link/missing-anchor", 4),
            ("link/missing-anchor", 8),
            ("link/missing-file", 10),
        ]
    );
    // A standard is judged with the others of its folder.
    let dup = checker.page("Standards/scs-0016-v1-duplicate-one.md");
    assert!(
        dup.findings
            .iter()
            .any(|f| f.rule.as_str() == "std/duplicate-document"),
        "{:?}",
        dup.findings
    );
}

/// The next page's findings the job reports.
fn answer(rx: &Receiver<Msg>) -> (u64, String, Vec<(String, u32)>) {
    loop {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Msg::Job(JobMsg::Checked {
                generation,
                path,
                result,
                ..
            })) => {
                let found = result
                    .unwrap()
                    .iter()
                    .map(|f| (f.rule.as_str().to_string(), f.line))
                    .collect();
                return (generation, path, found);
            }
            Ok(_) => continue,
            Err(e) => panic!("no answer from the check job: {e}"),
        }
    }
}

#[test]
fn the_ui_job_checks_the_page_asked_and_reads_a_changed_copy_again_for_a_new_library() {
    let tmp = tempfile::tempdir().unwrap();
    folder(tmp.path());
    let ken = Ken::new();
    let config = ken.config_for(&format!("kb={}", tmp.path().display()));
    let (tx, rx) = channel();
    let jobs = ken::ui::jobs::Jobs::start(tx, ken::ui::jobs::memory_factory());
    jobs.check(config.clone(), "kb".into(), "docs/a.md".into(), 1);
    let (generation, path, found) = answer(&rx);
    assert_eq!((generation, path.as_str()), (1, "docs/a.md"));
    let gone = ("link/missing-page".to_string(), 3);
    assert!(found.contains(&gone), "{found:?}");
    // The page it linked to is written: the library is loaded again (a newer generation),
    // and the job judges the page against the copy as it is now.
    std::fs::write(tmp.path().join("docs/gone.md"), "# Gone no more\n").unwrap();
    jobs.check(config.clone(), "kb".into(), "docs/a.md".into(), 2);
    let (generation, _, found) = answer(&rx);
    assert_eq!(generation, 2);
    assert!(!found.contains(&gone), "the page now exists: {found:?}");
    assert_eq!(found.len(), 3, "{found:?}");
    // An unknown source is said, not a panic.
    jobs.check(config, "nope".into(), "docs/a.md".into(), 2);
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Msg::Job(JobMsg::Checked { result, .. })) => {
            assert_eq!(result.unwrap_err(), "nope: no such source")
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}
