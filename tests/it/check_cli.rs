//! `ken check` end to end on a local folder (checked as it is on disk): links, anchors and
//! standards rules together, PATH selection, `--fail-on`, every `--format`, the GitHub step
//! summary, `[check.rules]` in config.toml, and exit codes 0, 1 and 2.

use crate::common;

use std::path::Path;

use common::{Ken, run};
use serde_json::Value;

/// A small knowledge folder with one problem of each kind the command finds.
fn folder(dir: &Path) {
    let write = |p: &str, data: &[u8]| {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    };
    write(
        "docs/a.md",
        b"# A\n\nSee [b](b.md#usage), [the gone page](gone.md)\nand [a bad anchor](b.md#nope).\n\n## Here\n\n[up](#here) and [down](#there).\n\n```\n[not a link](nowhere.md)\n```\n",
    );
    write("docs/b.md", b"# B\n\n## Usage\n\nText.\n");
    write(
        "Standards/scs-0001-v1-rules.md",
        b"---\ntype: Procedural\nstatus: Final\ntrack: Global\n---\n\ntext\n",
    );
    write(
        "Standards/scs-0002-v1-notes.md",
        b"---\ntype: Procedural\nstatus: Draft\ntrack: Global\nauthors: me\n---\n\ntext\n",
    );
    write("docs/binary.md", b"PK\x03\x04\x00\x00binary");
    write("docs/latin1.md", b"# Caf\xe9\n\nText.\n");
}

fn check(ken: &Ken, dir: &Path, args: &[&str]) -> common::Run {
    let src = dir.display().to_string();
    let mut all = vec!["--source", src.as_str(), "check"];
    all.extend_from_slice(args);
    run(ken.cmd(&all))
}

fn json_findings(out: &str) -> Vec<(String, String, u64, u64)> {
    let v: Value = serde_json::from_str(out).expect("JSON");
    v.as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn finds_links_anchors_standards_and_unreadable_files() {
    let tmp = tempfile::tempdir().unwrap();
    folder(tmp.path());
    let ken = Ken::new();
    let r = check(&ken, tmp.path(), &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let got = json_findings(&r.stdout);
    let want: Vec<(String, String, u64, u64)> = [
        ("Standards/scs-0001-v1-rules.md", "std/status-value", 3, 9),
        ("Standards/scs-0002-v1-notes.md", "std/unknown-key", 5, 1),
        // `gone.md` on line 3 at column 38, `b.md#nope` on line 4, `#there` on line 8;
        // the link inside the code block is no link.
        ("docs/a.md", "link/missing-page", 3, 38),
        ("docs/a.md", "link/missing-anchor", 4, 20),
        ("docs/a.md", "link/missing-anchor", 8, 24),
        ("docs/binary.md", "file/unreadable", 1, 1),
        ("docs/latin1.md", "file/unreadable", 1, 1),
    ]
    .iter()
    .map(|(f, r, l, c)| (f.to_string(), r.to_string(), *l, *c))
    .collect();
    assert_eq!(got, want);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let anchor = &v[3];
    assert_eq!(anchor["target"]["written"], "b.md#nope");
    assert_eq!(anchor["target"]["resolved"], "docs/b.md#nope");
    assert!(
        v[2]["message"]
            .as_str()
            .unwrap()
            .contains("no page docs/gone.md")
    );
}

#[test]
fn human_output_exit_codes_and_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    folder(tmp.path());
    let ken = Ken::new();
    let r = check(&ken, tmp.path(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("docs/a.md:3:38: error: the link \"gone.md\" leads nowhere: no page docs/gone.md [link/missing-page]\n    gone.md → nothing\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("\nken check: 4 errors, 3 warnings, 0 notes in 5 of 6 files\n"),
        "{}",
        r.stdout
    );
    // A clean page: 0. A page with only a warning: 0, unless --fail-on warning.
    let r = check(&ken, tmp.path(), &["docs/b.md"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "ken check: no findings in 1 file\n")
    );
    let r = check(&ken, tmp.path(), &["Standards/scs-0002-v1-notes.md"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = check(
        &ken,
        tmp.path(),
        &["--fail-on", "warning", "./Standards/scs-0002-v1-notes.md"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    // A folder selects what is under it.
    let r = check(&ken, tmp.path(), &["--format", "json", "Standards/"]);
    let files: Vec<String> = json_findings(&r.stdout).into_iter().map(|f| f.0).collect();
    assert_eq!(
        files,
        [
            "Standards/scs-0001-v1-rules.md",
            "Standards/scs-0002-v1-notes.md"
        ]
    );
    // Usage errors: 2.
    let r = check(&ken, tmp.path(), &["docs/none.md"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("docs/none.md: no document there"),
        "{}",
        r.stderr
    );
    let r = check(&ken, tmp.path(), &["--format", "xml"]);
    assert_eq!(r.code, 2);
    let r = check(&ken, tmp.path(), &["--fail-on", "fatal"]);
    assert_eq!(r.code, 2);
}

#[test]
fn config_turns_rules_off_and_unknown_rules_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    folder(tmp.path());
    let ken = Ken::new();
    ken.config(
        "[check.rules]\n\"link/missing-anchor\" = \"off\"\n\"std/unknown-key\" = \"error\"\n",
    );
    let r = check(&ken, tmp.path(), &["--format", "json"]);
    let got = json_findings(&r.stdout);
    assert!(got.iter().all(|f| f.1 != "link/missing-anchor"), "{got:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let unknown = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "std/unknown-key")
        .unwrap();
    assert_eq!(unknown["severity"], "error");
    // With the warning turned into an error, the notes page fails.
    let r = check(&ken, tmp.path(), &["Standards/scs-0002-v1-notes.md"]);
    assert_eq!(r.code, 1);
    ken.config("\n[check.rules]\n\"link/missing-anchr\" = \"off\"\n");
    let r = check(&ken, tmp.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let file = ken.config_dir().join("config.toml");
    assert!(
        r.stderr.contains(&format!(
            "{}:3: [check.rules]: unknown rule \"link/missing-anchr\"; did you mean \"link/missing-anchor\"?",
            file.display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn machine_formats_and_the_github_step_summary() {
    let tmp = tempfile::tempdir().unwrap();
    folder(tmp.path());
    let ken = Ken::new();
    let r = check(&ken, tmp.path(), &["--format", "github"]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 7);
    // `:` is escaped in properties only, not in the message.
    assert!(
        lines.contains(
            &"::error file=docs/a.md,line=3,col=38,title=link/missing-page::the link \"gone.md\" leads nowhere: no page docs/gone.md"
        ),
        "{}",
        r.stdout
    );
    // With $GITHUB_STEP_SUMMARY, the summary is appended to that file.
    // (Outside the folder checked, or it would be a document of it.)
    let out = tempfile::tempdir().unwrap();
    let summary = out.path().join("summary.md");
    std::fs::write(&summary, "before\n").unwrap();
    let src = tmp.path().display().to_string();
    let mut cmd = ken.cmd(&["--source", &src, "check", "--format", "github"]);
    cmd.env("GITHUB_STEP_SUMMARY", &summary);
    let r = run(cmd);
    assert_eq!(r.code, 1);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("before\n### ken check: 4 errors, 3 warnings, 0 notes in 5 of 6 files\n"),
        "{text}"
    );
    for format in ["sarif", "gitlab", "json"] {
        let r = check(&ken, tmp.path(), &["--format", format]);
        assert_eq!(r.code, 1);
        let v: Value = serde_json::from_str(&r.stdout).expect(format);
        let n = match format {
            "sarif" => v["runs"][0]["results"].as_array().unwrap().len(),
            _ => v.as_array().unwrap().len(),
        };
        assert_eq!(n, 7, "{format}");
    }
    let r = check(&ken, tmp.path(), &["--format", "junit"]);
    assert!(
        r.stdout
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    assert_eq!(r.stdout.matches("<testcase ").count(), 7);
}

#[test]
fn links_and_images_to_files_that_are_not_pages_must_be_there() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let write = |p: &str, data: &[u8]| {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    };
    write("docs/img/there.png", b"\x89PNG");
    write("docs/data/values.yaml", b"a: 1\n");
    write("static/img/logo.svg", b"<svg/>");
    write(
        "docs/page.md",
        concat!(
            "# Page\n",
            "\n",
            "![there](img/there.png) ![gone](img/gone.png \"title\")\n",
            "![out](../../x.png) ![far](https://example.org/x.png)\n",
            "[values](data/values.yaml) and [no values](data/none.yaml?raw=1#top)\n",
            "![logo](/img/logo.svg) ![no logo](/img/none.svg)\n",
            "![encoded](img/there%2Epng) [a route](../other/) [mail](mailto:a@b.c)\n",
            "\n",
            "```md\n![in code](img/gone.png)\n```\n",
            "\n",
            "A picture <img alt=\"x\" src=\"img/html-gone.png\"> and <IMG SRC='img/there.png'/>\n",
            "\n",
            "<p align=\"center\">\n  <img width=100 src=img/block-gone.svg />\n</p>\n",
            "\n",
            "`<img src=\"img/in-code.png\">` <imgur src=\"img/not-img.png\">\n",
        )
        .as_bytes(),
    );
    let ken = Ken::new();
    let r = check(&ken, dir, &["--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let got: Vec<(u64, u64, String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "link/missing-file")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["target"]["written"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        (3, 33, "img/gone.png", "no file docs/img/gone.png"),
        (4, 8, "../../x.png", "it leads out of the source"),
        (
            5,
            44,
            "data/none.yaml?raw=1#top",
            "no file docs/data/none.yaml",
        ),
        (6, 35, "/img/none.svg", "no file static/img/none.svg"),
        // HTML pictures, inline and in a block (not in code, not another tag).
        (
            13,
            29,
            "img/html-gone.png",
            "no file docs/img/html-gone.png",
        ),
        (
            16,
            22,
            "img/block-gone.svg",
            "no file docs/img/block-gone.svg",
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.1, g.2.as_str()), (w.0, w.1, w.2), "{g:?}");
        assert!(g.3.ends_with(w.3), "{g:?}");
    }
    // Nothing else on the page is a finding: the route is a page route (checked by
    // link/missing-page), the mail address and the external image are not files.
    let others: Vec<&Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "docs/page.md" && f["rule"] != "link/missing-file")
        .collect();
    assert!(
        others.iter().all(|f| f["rule"] == "link/missing-page"),
        "{others:#?}"
    );
}
