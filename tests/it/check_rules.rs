//! The rules of `ken check` over documents: one fixture per rule under
//! tests/fixtures/check/Standards (each file breaks one rule, the `clean` ones none), the
//! positions each finding points at, the cases a fixture file cannot show, the severity
//! configuration (`[check.rules]`), and the exit code for `--fail-on`.
//!
//! The corpus test at the end runs the standards repository's own `Tests/chk_adrs.py` and
//! ken's rules over the same files (the real `Standards/` folder from
//! `../shared/corpus/site/standards.bundle`, and the fixtures): every error chk_adrs reports
//! must be a ken finding in the same file under the matching rule.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ken::check::standards::{self, Input};
use ken::check::{self, Finding, Report, RuleConfig, RuleSetting, Severity};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

/// Every file of `dir` (not recursive) as `(prefix/name, text)`, sorted.
fn read_folder(dir: &Path, prefix: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let text = std::fs::read_to_string(e.path()).expect("fixture is UTF-8");
            (format!("{prefix}/{name}"), text)
        })
        .collect();
    files.sort();
    files
}

fn run(files: &[(String, String)]) -> Vec<Finding> {
    let inputs: Vec<Input> = files
        .iter()
        .map(|(p, t)| Input { path: p, text: t })
        .collect();
    let mut f = standards::check(&inputs);
    f.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    f
}

fn one(path: &str, text: &str) -> Vec<Finding> {
    run(&[(path.to_string(), text.to_string())])
}

fn rules_of(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.rule.as_str()).collect()
}

/// (file, rule, line, column) of every finding on the fixtures, checked by hand.
const EXPECTED: &[(&str, &str, u32, u32)] = &[
    // The `status` key of a supplement.
    (
        "scs-0001-w2-supplement-status.md",
        "std/supplement-status",
        4,
        1,
    ),
    // The string value of `supplements`.
    (
        "scs-0001-w3-supplements-value.md",
        "std/supplements-value",
        5,
        14,
    ),
    // libyaml notices the unclosed `[Draft` of line 4 when `track:` begins on line 5.
    (
        "scs-0010-v1-invalid-yaml.md",
        "frontmatter/invalid-yaml",
        5,
        6,
    ),
    // The list starts on line 2, the first line of the block.
    (
        "scs-0011-v1-not-a-mapping.md",
        "frontmatter/not-a-mapping",
        2,
        1,
    ),
    ("scs-0012-v1-bom.md", "frontmatter/bom", 1, 1),
    ("scs-0014-v1-Bad_Slug.md", "std/slug", 1, 1),
    ("scs-0015-v1-slug--style.md", "std/slug-style", 1, 1),
    (
        "scs-0016-v1-duplicate-one.md",
        "std/duplicate-document",
        1,
        1,
    ),
    (
        "scs-0016-v1-duplicate-two.md",
        "std/duplicate-document",
        1,
        1,
    ),
    // The `Stable` value of each.
    ("scs-0017-v1-stable-twice.md", "std/duplicate-stable", 4, 9),
    ("scs-0017-v2-stable-twice.md", "std/duplicate-stable", 4, 9),
    (
        "scs-0018-v1-no-front-matter.md",
        "std/missing-front-matter",
        1,
        1,
    ),
    // A missing key has no place of its own: the start of the file.
    ("scs-0019-v1-missing-key.md", "std/missing-key", 1, 1),
    ("scs-0020-v1-type-value.md", "std/type-value", 3, 7),
    ("scs-0021-v1-status-value.md", "std/status-value", 4, 9),
    ("scs-0022-v1-track-value.md", "std/track-value", 5, 8),
    ("scs-0024-v1-date-value.md", "std/date-value", 5, 16),
    // The `Deprecated` value that asks for the date.
    ("scs-0025-v1-status-date.md", "std/status-date", 4, 9),
    // The `replaced_by` key.
    (
        "scs-0026-v1-replaced-by-status.md",
        "std/replaced-by-status",
        6,
        1,
    ),
    (
        "scs-0027-v2-replaces-missing.md",
        "std/replaces-missing",
        1,
        1,
    ),
    ("scs-0029-v2-list-value.md", "std/list-value", 6, 11),
    // The list item naming the missing document.
    ("scs-0030-v2-target-missing.md", "std/target-missing", 7, 5),
    ("scs-0031-v1-unknown-key.md", "std/unknown-key", 6, 1),
    // The first line of text after the front matter.
    (
        "scs-0032-v1-missing-section.md",
        "std/missing-section",
        8,
        1,
    ),
    ("scs-013-v1-file-name.md", "std/file-name", 1, 1),
    // The `track` value.
    ("scs-0230-v1-track-number.md", "std/track-number", 5, 8),
];

#[test]
fn each_fixture_breaks_exactly_its_rule_at_the_right_place() {
    let files = read_folder(&fixtures().join("Standards"), "Standards");
    let got: Vec<(String, &str, u32, u32)> = run(&files)
        .iter()
        .map(|f| {
            (
                f.file.trim_start_matches("Standards/").to_string(),
                f.rule.as_str(),
                f.line,
                f.column,
            )
        })
        .collect();
    let want: Vec<(String, &str, u32, u32)> = EXPECTED
        .iter()
        .map(|(f, r, l, c)| (f.to_string(), *r, *l, *c))
        .collect();
    assert_eq!(got, want);
    // Every rule of the registry has its fixture here, or (links, unreadable files, which
    // need a source) in tests/it/check_cli.rs, external links in tests/it/check_online.rs.
    let covered: BTreeSet<&str> = EXPECTED.iter().map(|e| e.1).collect();
    // The stale/* rules are `ken stale`'s, over page histories: tests/it/stale.rs.
    let elsewhere = [
        "file/unreadable",
        "link/missing-anchor",
        "link/missing-page",
        "link/missing-file",
        "link/external-status",
        "link/external-unreachable",
        "stale/unchanged",
        "stale/draft-idle",
        "stale/deprecated-at-passed",
    ];
    let all: BTreeSet<&str> = check::RULES
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !elsewhere.contains(id))
        .collect();
    assert_eq!(covered, all, "rules without a fixture");
}

#[test]
fn messages_say_what_to_do() {
    let files = read_folder(&fixtures().join("Standards"), "Standards");
    let found = run(&files);
    let msg = |rule: &str| {
        found
            .iter()
            .find(|f| f.rule.as_str() == rule)
            .map(|f| f.message.clone())
            .unwrap_or_else(|| panic!("no {rule}"))
    };
    assert!(msg("std/status-value").contains("\"Final\" is not one of Draft, Stable"));
    assert!(
        msg("std/slug").contains("\"bad-slug\""),
        "{}",
        msg("std/slug")
    );
    assert!(msg("std/list-value").contains("`replaces: [scs-0029-v1-list-value.md]`"));
    assert!(msg("std/replaces-missing").contains("scs-0027-v1-replaces-missing.md"));
    assert!(msg("std/track-number").contains("KaaS"));
    assert!(msg("std/status-date").contains("deprecated_at"));
    // YAML positions in the message are the file's lines, not the block's.
    assert!(
        msg("frontmatter/invalid-yaml").contains("line 5 column 6"),
        "{}",
        msg("frontmatter/invalid-yaml")
    );
    let missing = found
        .iter()
        .find(|f| f.rule.as_str() == "std/target-missing")
        .expect("target-missing");
    let t = missing.target.as_ref().expect("a target");
    assert_eq!(t.written, "scs-0030-v1-target-missing.md");
    assert_eq!(t.resolved, None);
    // Every finding starts at the rule's default severity.
    for f in &found {
        assert_eq!(f.severity, f.rule.rule().severity, "{}", f.rule);
    }
}

const CLEAN: &str = "---\ntype: Procedural\nstatus: Draft\ntrack: Global\n---\n\ntext\n";

#[test]
fn file_names_chk_adrs_accepts_and_scs_0001_does_not() {
    // Templates and proposals are fine.
    assert!(one("S/scs-XXXX-vN-standard-template.md", CLEAN).is_empty());
    assert!(one("S/scs-xxxx-v1-new-idea.md", CLEAN).is_empty());
    // Too few parts, a version 0, a proposal at version 2, a version that is not vN/wN.
    assert_eq!(rules_of(&one("S/scs-0001-v1.md", CLEAN)), ["std/file-name"]);
    let f = one("S/scs-0001-v0-zero.md", CLEAN);
    assert_eq!(rules_of(&f), ["std/file-name"]);
    assert!(f[0].message.contains("start at 1"));
    // (Its version 2 also asks for `replaces`.)
    let f = one("S/scs-xxxx-v2-proposal.md", CLEAN);
    assert_eq!(rules_of(&f), ["std/file-name", "std/replaces-missing"]);
    assert!(f[0].message.contains("v1"));
    assert_eq!(
        rules_of(&one("S/scs-0001-x1-odd.md", CLEAN)),
        ["std/file-name"]
    );
    // A slug with a trailing hyphen, and one starting with a digit: SHOULD, not MUST.
    assert_eq!(
        rules_of(&one("S/scs-0001-v1-end-.md", CLEAN)),
        ["std/slug-style"]
    );
    assert_eq!(
        rules_of(&one("S/scs-0001-v1-9lives.md", CLEAN)),
        ["std/slug-style"]
    );
    // An empty slug, and one starting with a hyphen: MUST.
    assert_eq!(rules_of(&one("S/scs-0001-v1-.md", CLEAN)), ["std/slug"]);
    assert_eq!(
        rules_of(&one("S/scs-0001-v1--lead.md", CLEAN)),
        ["std/slug"]
    );
}

#[test]
fn field_cases_a_fixture_file_does_not_show() {
    let std = |front: &str| one("S/scs-0001-v1-x.md", &format!("---\n{front}---\ntext\n"));
    // A proposal is a Draft now.
    let f = std("type: Procedural\nstatus: Proposal\ntrack: Global\n");
    assert_eq!(rules_of(&f), ["std/status-value"]);
    assert!(f[0].message.contains("Draft"));
    // An impossible date, and a date that YAML reads as a number.
    let f = std("type: Procedural\nstatus: Stable\nstabilized_at: 2023-02-30\ntrack: Global\n");
    assert_eq!(rules_of(&f), ["std/date-value"]);
    let f = std("type: Procedural\nstatus: Stable\nstabilized_at: 20230228\ntrack: Global\n");
    assert_eq!(rules_of(&f), ["std/date-value"]);
    // `replaced_by` is fine on a Rejected document with its date.
    assert!(
        std("type: Procedural\nstatus: Rejected\nrejected_at: 2024-01-01\ntrack: Global\nreplaced_by: [scs-0001-v1-x.md]\n")
            .is_empty()
    );
    // Rejected without its date.
    let f = std("type: Procedural\nstatus: Rejected\ntrack: Global\n");
    assert_eq!(rules_of(&f), ["std/status-date"]);
    // A Supplement in a -v file; `supplements` on a Standard.
    let f = std("type: Supplement\nstatus: Draft\ntrack: Global\n");
    assert_eq!(rules_of(&f), ["std/type-value"]);
    assert!(f[0].message.contains("-wN-"));
    let f =
        std("type: Procedural\nstatus: Draft\ntrack: Global\nsupplements: [scs-0001-v1-x.md]\n");
    assert_eq!(rules_of(&f), ["std/supplements-value"]);
    // Each missing required field is its own finding.
    let f = std("title: only a title\n");
    assert_eq!(
        rules_of(&f),
        ["std/missing-key", "std/missing-key", "std/missing-key"]
    );
    // Scopes are numbered 05xx.
    let f = one(
        "S/scs-0500-v1-scopes.md",
        "---\ntype: Procedural\nstatus: Draft\ntrack: Scopes\n---\n",
    );
    assert!(f.is_empty(), "{f:?}");
    // A supplement without a type, with an empty list.
    let f = one(
        "S/scs-0001-w1-x.md",
        "---\ntrack: Global\nsupplements: []\n---\n",
    );
    assert_eq!(rules_of(&f), ["std/missing-key", "std/supplements-value"]);
    // A supplement without track.
    let f = one(
        "S/scs-0001-w1-x.md",
        "---\ntype: Supplement\nsupplements: [scs-0001-w1-x.md]\n---\n",
    );
    assert_eq!(rules_of(&f), ["std/missing-key"]);
    // Front matter opened and never closed.
    let f = one("S/scs-0001-v1-x.md", "---\ntype: Procedural\n\ntext\n");
    assert_eq!(rules_of(&f), ["std/missing-front-matter"]);
    assert!(f[0].message.contains("never closed"));
}

#[test]
fn positions_count_characters_and_survive_crlf() {
    let f = one(
        "S/scs-0001-v1-x.md",
        "---\r\ntitle: \"Größe\"\r\ntype: Procedural\r\nstatus: Draft\r\ntrack: Glöbal\r\n---\r\n",
    );
    assert_eq!(rules_of(&f), ["std/track-value"]);
    assert_eq!((f[0].line, f[0].column), (5, 8));
    let f = one(
        "S/scs-0001-v1-x.md",
        "---\ntitle: Ünïcödé\ntype: Procedural\nstatus: Draft\ntrack: Global\nweiß: ä\n---\n",
    );
    assert_eq!(rules_of(&f), ["std/unknown-key"]);
    assert_eq!((f[0].line, f[0].column), (6, 1));
    let f = one(
        "S/scs-0001-v1-x.md",
        "---\ntype: Procedural\nstatus: Draft\ntrack: Global\nreplaced_by: [\"a.md\", ö.md]\n---\n",
    );
    assert_eq!(
        f.iter()
            .map(|f| (f.rule.as_str(), f.line, f.column))
            .collect::<Vec<_>>(),
        [
            ("std/replaced-by-status", 5, 1),
            ("std/target-missing", 5, 15),
            ("std/target-missing", 5, 23)
        ]
    );
}

#[test]
fn other_documents_get_only_the_front_matter_rules() {
    // Unknown keys and missing fields are no business of an ordinary page.
    assert!(
        one(
            "docs/guide.md",
            "---\ntitle: A page\nauthors: me\n---\n# Hi\n"
        )
        .is_empty()
    );
    let f = one("docs/guide.md", "---\ntitle: [oops\n---\n# Hi\n");
    assert_eq!(rules_of(&f), ["frontmatter/invalid-yaml"]);
    let f = one("docs/guide.md", "\u{feff}---\ntitle: BOM\n---\n# Hi\n");
    assert_eq!(rules_of(&f), ["frontmatter/bom"]);
    // A BOM without front matter is harmless.
    assert!(one("docs/guide.md", "\u{feff}# Hi\n").is_empty());
    // The overview pages a site generates per standard (populateStds.js) are not standards.
    assert!(one("standards/iaas/scs-0100.md", "# scs-0100: Flavor naming\n").is_empty());
    let f = one("standards/iaas/scs-0100.md", "---\ntitle: x\n---\n");
    assert!(rules_of(&f).contains(&"std/file-name"), "{f:?}");
    // Targets are looked up in the document's own folder.
    let f = run(&[
        ("a/scs-0001-v1-one.md".into(), CLEAN.into()),
        (
            "b/scs-0001-w1-notes.md".into(),
            "---\ntype: Supplement\ntrack: Global\nsupplements: [scs-0001-v1-one.md]\n---\n".into(),
        ),
    ]);
    assert_eq!(rules_of(&f), ["std/target-missing"]);
    assert_eq!(f[0].file, "b/scs-0001-w1-notes.md");
}

fn setting(rule: &str, level: &str, line: usize) -> RuleSetting {
    RuleSetting {
        rule: rule.into(),
        rule_line: line,
        level: level.into(),
        level_line: line,
    }
}

#[test]
fn configuration_changes_severities_and_turns_rules_off() {
    let files = read_folder(&fixtures().join("Standards"), "Standards");
    let found = run(&files);
    let config = RuleConfig::from_settings(
        &[
            setting("std/unknown-key", "off", 3),
            setting("std/list-value", "error", 4),
            setting("std/missing-section", "note", 5),
        ],
        "config.toml",
    )
    .expect("valid settings");
    let report = Report::new(found.clone(), files.len(), &config);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.rule.as_str() != "std/unknown-key")
    );
    assert_eq!(report.findings.len(), found.len() - 1);
    let sev = |rule: &str| {
        report
            .findings
            .iter()
            .find(|f| f.rule.as_str() == rule)
            .map(|f| f.severity)
    };
    assert_eq!(sev("std/list-value"), Some(Severity::Error));
    assert_eq!(sev("std/missing-section"), Some(Severity::Note));
    assert_eq!(sev("std/slug-style"), Some(Severity::Warning));
    // Rules that are off are not listed among the enabled (SARIF's rules).
    assert!(
        config
            .enabled()
            .all(|(r, _)| r.id.as_str() != "std/unknown-key")
    );
}

#[test]
fn unknown_rule_ids_and_levels_are_config_errors_with_file_and_line() {
    let err = RuleConfig::from_settings(&[setting("std/stauts-value", "off", 7)], "/etc/ken.toml")
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("/etc/ken.toml:7: "), "{msg}");
    assert!(msg.contains("unknown rule \"std/stauts-value\""), "{msg}");
    assert!(msg.contains("did you mean \"std/status-value\""), "{msg}");
    let err = RuleConfig::from_settings(
        &[RuleSetting {
            rule: "std/slug".into(),
            rule_line: 2,
            level: "fatal".into(),
            level_line: 3,
        }],
        "c.toml",
    )
    .unwrap_err();
    assert_eq!(err.line, 3);
    assert!(
        err.to_string()
            .contains("\"error\", \"warning\", \"note\" or \"off\"")
    );
}

#[test]
fn config_file_check_rules_are_read_and_validated() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    let inputs = ken::config::Inputs {
        config_file_flag: Some(file.clone()),
        env_config_dir: Some(dir.path().into()),
        env_data_dir: Some(dir.path().join("data")),
        ..Default::default()
    };
    std::fs::write(
        &file,
        "[check.rules]\n\"std/unknown-key\" = \"off\"\n\"std/list-value\" = \"error\"\n",
    )
    .unwrap();
    let c = ken::config::Config::load(&inputs).expect("valid config");
    assert_eq!(c.check_rules.severity(check::STD_UNKNOWN_KEY), None);
    assert_eq!(
        c.check_rules.severity(check::STD_LIST_VALUE),
        Some(Severity::Error)
    );
    assert_eq!(
        c.check_rules.severity(check::STD_SLUG),
        Some(Severity::Error)
    );
    std::fs::write(
        &file,
        "max_file_size = 1000\n\n[check.rules]\n\"std/no-such-rule\" = \"off\"\n",
    )
    .unwrap();
    let msg = ken::config::Config::load(&inputs).unwrap_err().to_string();
    assert!(msg.starts_with(&format!("{}:4: ", file.display())), "{msg}");
    assert!(msg.contains("unknown rule \"std/no-such-rule\""), "{msg}");
    // `[check]` takes no other keys.
    std::fs::write(&file, "[check]\nrulez = {}\n").unwrap();
    let msg = ken::config::Config::load(&inputs).unwrap_err().to_string();
    assert!(msg.contains(":2: ") && msg.contains("rulez"), "{msg}");
}

#[test]
fn fail_on_levels_decide_the_exit_code() {
    let warn = one(
        "S/scs-0001-v1-x.md",
        "---\ntype: Procedural\nstatus: Draft\ntrack: Global\nauthors: me\n---\n",
    );
    assert_eq!(rules_of(&warn), ["std/unknown-key"]);
    let report = Report::new(warn, 1, &RuleConfig::default());
    assert_eq!(report.exit_code(Severity::Error), 0);
    assert_eq!(report.exit_code(Severity::Warning), 1);
    assert_eq!(report.exit_code(Severity::Note), 1);
    let clean = Report::new(Vec::new(), 1, &RuleConfig::default());
    assert_eq!(clean.exit_code(Severity::Note), 0);
    let err = Report::new(
        one("S/scs-0001-v1-x.md", "no front matter\n"),
        1,
        &RuleConfig::default(),
    );
    assert_eq!(err.exit_code(Severity::Error), 1);
    // A note fails only `--fail-on note`.
    let noted = Report::new(
        one(
            "S/scs-0001-v1-x.md",
            "---\ntype: Procedural\nstatus: Draft\ntrack: Global\nauthors: me\n---\n",
        ),
        1,
        &RuleConfig::from_settings(&[setting("std/unknown-key", "note", 1)], "c").unwrap(),
    );
    assert_eq!(noted.exit_code(Severity::Warning), 0);
    assert_eq!(noted.exit_code(Severity::Note), 1);
    assert_eq!(check::EXIT_USAGE, 2);
}

// ---- corpus: parity with Tests/chk_adrs.py ----

/// The standards repository's bundle: `site/standards.bundle` next to `KEN_SCS_BUNDLE`.
fn standards_bundle() -> PathBuf {
    let docs = std::env::var_os("KEN_SCS_BUNDLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/scs-docs.bundle")
        });
    let p = docs
        .parent()
        .map(|d| d.join("site/standards.bundle"))
        .unwrap_or_default();
    assert!(
        p.is_file(),
        "{}: the standards bundle is missing (set KEN_SCS_BUNDLE to ../shared/corpus/scs-docs.bundle)",
        p.display()
    );
    p
}

/// One error of chk_adrs: the files it is about and the ken rules that count as the same.
#[derive(Debug)]
struct ChkError {
    line: String,
    files: Vec<String>,
    rules: Vec<&'static str>,
}

/// Runs `python3 Tests/chk_adrs.py FOLDER` in `repo` and parses every `ERROR:` line. A line
/// this parser does not know, or a crash (`CRITICAL:`), fails the test.
fn chk_adrs(repo: &Path, folder: &str) -> Vec<ChkError> {
    let out = std::process::Command::new("python3")
        .arg("Tests/chk_adrs.py")
        .arg(folder)
        .current_dir(repo)
        .output()
        .expect("python3 runs (it is needed for the chk_adrs parity test)");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !stderr.contains("CRITICAL:") && !stderr.contains("Traceback"),
        "chk_adrs crashed:\n{stderr}"
    );
    let names: Vec<String> = std::fs::read_dir(repo.join(folder))
        .expect("folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("scs-") && n.ends_with(".md"))
        .collect();
    let part = |n: &str, i: usize| n.split('-').nth(i).unwrap_or_default().to_string();
    let mut errors = Vec::new();
    for line in stderr.lines() {
        let Some(msg) = line.strip_prefix("ERROR: ") else {
            continue;
        };
        let (files, rules): (Vec<String>, Vec<&'static str>) = if let Some(rest) =
            msg.strip_prefix("in ")
        {
            let (file, what) = rest.split_once(": ").expect("in FILE: what");
            let rules: Vec<&'static str> = if what.starts_with("type must be Supplement") {
                vec!["std/type-value", "std/missing-key"]
            } else if what.starts_with("Supplement shouldn't have status") {
                vec!["std/supplement-status"]
            } else if what.starts_with("field 'supplements' must be a list") {
                vec!["std/supplements-value"]
            } else if what.starts_with("field 'supplements' refers to unknown") {
                // chk_adrs walks a string character by character: ken says "not a list".
                vec!["std/target-missing", "std/supplements-value"]
            } else if what.starts_with("is missing front matter") {
                vec!["std/missing-front-matter"]
            } else if let Some(keys) = what.strip_prefix("syntax errors with key(s) ") {
                let mut r = Vec::new();
                for k in keys.split(", ") {
                    r.extend(match k {
                        "type" => ["std/type-value", "std/missing-key"].as_slice(),
                        "status" => &["std/status-value", "std/missing-key"],
                        "track" => &["std/track-value", "std/missing-key"],
                        "deprecated_at" | "stabilized_at" | "rejected_at" => &["std/date-value"],
                        other => panic!("chk_adrs key {other:?} unknown to this test"),
                    });
                }
                r
            } else if what.starts_with("missing replaces field") {
                vec!["std/replaces-missing"]
            } else if what.starts_with("original version(s)") {
                vec!["std/target-missing"]
            } else if what.starts_with("replaced_by is set, but status does not match") {
                vec!["std/replaced-by-status"]
            } else if what.starts_with("status is ") && what.contains("date is missing") {
                vec!["std/status-date"]
            } else {
                panic!("chk_adrs message unknown to this test: {line}");
            };
            (vec![file.to_string()], rules)
        } else if let Some(code) = msg.strip_prefix("document code must have format NNNN, found ") {
            let files = names
                .iter()
                .filter(|n| part(n, 1) == code)
                .cloned()
                .collect();
            (files, vec!["std/file-name"])
        } else if let Some(v) =
            msg.strip_prefix("document version must have format vN or wN, found: ")
        {
            let files = names.iter().filter(|n| part(n, 2) == v).cloned().collect();
            (files, vec!["std/file-name"])
        } else if let Some(n) =
            msg.strip_prefix("document name must have at least four components separated by '-': ")
        {
            (vec![n.to_string()], vec!["std/file-name"])
        } else if let Some(list) = msg.strip_prefix("duplicates found: ") {
            (
                list.split(", ").map(String::from).collect(),
                vec!["std/duplicate-document"],
            )
        } else if let Some(set) = msg.strip_prefix("duplicate stable: ") {
            let files = set
                .trim_matches(|c| c == '{' || c == '}')
                .split(", ")
                .map(|s| s.trim_matches('\'').to_string())
                .collect();
            (files, vec!["std/duplicate-stable"])
        } else {
            panic!("chk_adrs message unknown to this test: {line}");
        };
        assert!(!files.is_empty(), "no file for: {line}");
        errors.push(ChkError {
            line: line.to_string(),
            files,
            rules,
        });
    }
    errors
}

/// Every chk_adrs error has a ken finding in each of its files under one of its rules.
fn assert_parity(errors: &[ChkError], found: &[Finding], folder: &str) {
    let by_file: BTreeMap<String, BTreeSet<&str>> =
        found.iter().fold(BTreeMap::new(), |mut m, f| {
            m.entry(f.file.trim_start_matches(&format!("{folder}/")).to_string())
                .or_default()
                .insert(f.rule.as_str());
            m
        });
    for e in errors {
        for file in &e.files {
            let ken = by_file.get(file).cloned().unwrap_or_default();
            assert!(
                e.rules.iter().any(|r| ken.contains(r)),
                "chk_adrs: {}\nken has for {file}: {ken:?} (wanted one of {:?})",
                e.line,
                e.rules
            );
        }
    }
}

/// Counts per rule of ken's findings on `Standards/` of the standards repository at the
/// commit the corpus holds, each checked by hand (see the comments).
const CORPUS_COUNTS: &[(&str, usize)] = &[
    // scs-0007-v1 and -v2 start with U+FEFF.
    ("frontmatter/bom", 2),
    // `replaces:`/`replaced_by:` given as a string: 0002-v1 (replaced_by), 0002-v2, 0005-v2,
    // 0100-v2, 0100-v3, 0102-v1, 0102-v2, 0104-v2, 0123-v2, 0210-v2, 0211-v2, 0214-v2.
    ("std/list-value", 12),
    // 19 Decision Records without Abstract, 19 without Context; 27 Standards (of 42, the
    // template included) without "Conformance Tests", 8 without Motivation, 3 without
    // Introduction. Many keep their tests in a -w supplement: warnings, not errors.
    ("std/missing-section", 76),
    // Upper case in 0121-v1/w1 (Availability-Zones-Standard) and 0123-v1/w1 (IaaS), an
    // underscore in 0411-v1 (publishing_method_for_metering_data).
    ("std/slug", 5),
    // scs-0102-v1 `replaces: Image-Metadata-Spec.md`, a file that left the repository.
    ("std/target-missing", 1),
    // version + authors (0002-v2, 0100-v1, 0109-v1), state (0100-v1), enhances (0110-v1,
    // 0400-v1): 9 fields in 5 files.
    ("std/unknown-key", 9),
];

#[test]
#[ignore = "needs ../shared/corpus/site/standards.bundle and python3 with PyYAML"]
fn chk_adrs_errors_are_ken_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("standards");
    common::git(
        tmp.path(),
        &[
            "clone",
            "-q",
            &standards_bundle().display().to_string(),
            "standards",
        ],
    );
    assert!(
        repo.join("Tests/chk_adrs.py").is_file(),
        "the standards repository has no Tests/chk_adrs.py"
    );

    // 1. The real Standards/ folder: chk_adrs finds nothing there today, ken the counts above.
    let real = chk_adrs(&repo, "Standards");
    let files = read_folder(&repo.join("Standards"), "Standards");
    let found = run(&files);
    assert_parity(&real, &found, "Standards");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &found {
        *counts.entry(f.rule.as_str()).or_default() += 1;
    }
    let want: BTreeMap<&str, usize> = CORPUS_COUNTS.iter().copied().collect();
    assert_eq!(counts, want);

    // 2. The fixtures, where chk_adrs does report errors. chk_adrs stops at the first file
    //    it cannot load (YAML that does not parse, front matter that is not a mapping, no
    //    front matter), so those three stay out of its run.
    let fx = repo.join("Fixtures");
    std::fs::create_dir(&fx).unwrap();
    let crashes = ["scs-0010-", "scs-0011-", "scs-0018-"];
    for e in std::fs::read_dir(fixtures().join("Standards"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().to_string();
        if !crashes.iter().any(|c| name.starts_with(c)) {
            std::fs::copy(e.path(), fx.join(&name)).unwrap();
        }
    }
    let errors = chk_adrs(&repo, "Fixtures");
    assert!(
        errors.len() >= 15,
        "chk_adrs should find the fixtures' errors: {errors:?}"
    );
    let found = run(&read_folder(&fx, "Fixtures"));
    assert_parity(&errors, &found, "Fixtures");
}
