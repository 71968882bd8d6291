//! The output formats of `ken check`, over findings made by the real rules (the fixtures)
//! and over hand-made findings with hostile strings: JSON and SARIF validated structurally,
//! GitHub workflow commands against their exact form and escaping, the step summary past
//! GitHub's ten annotations per level, JUnit as well-formed escaped XML, GitLab Code
//! Quality, and the human format (grouping, summary, colour only on request, sanitized).

use std::path::PathBuf;

use ken::check::format::{self, Format};
use ken::check::standards::{self, Input};
use ken::check::{self, Finding, Pos, Report, RuleConfig, Severity};
use serde_json::Value;

fn fixture_report() -> Report {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/Standards");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                format!("Standards/{}", e.file_name().to_string_lossy()),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    let inputs: Vec<Input> = files
        .iter()
        .map(|(p, t)| Input { path: p, text: t })
        .collect();
    Report::new(
        standards::check(&inputs),
        files.len(),
        &RuleConfig::default(),
    )
}

fn finding(rule: check::RuleId, file: &str, line: u32, col: u32, msg: &str) -> Finding {
    Finding::new(rule, file, Pos { line, column: col }, msg)
}

/// Findings whose strings try to break every format.
fn hostile_report() -> Report {
    let findings = vec![
        finding(
            check::STD_STATUS_VALUE,
            "docs/a,b:c%d.md",
            3,
            9,
            "100% wrong\r\n::error::forged\x1b[31m <x>&\"'|",
        ),
        finding(
            check::STD_UNKNOWN_KEY,
            "docs/a,b:c%d.md",
            5,
            1,
            "second | one",
        ),
        finding(check::FM_BOM, "plain.md", 1, 1, "bom").with_target("a b#c.md", None),
    ];
    Report::new(findings, 3, &RuleConfig::default())
}

#[test]
fn json_is_a_list_of_findings_with_every_field() {
    let report = fixture_report();
    let v: Value = serde_json::from_str(&format::json(&report)).expect("valid JSON");
    let list = v.as_array().expect("a list");
    assert_eq!(list.len(), report.findings.len());
    for item in list {
        let o = item.as_object().expect("an object");
        let keys: Vec<&str> = o.keys().map(String::as_str).collect();
        for k in [
            "rule", "severity", "file", "line", "column", "message", "target",
        ] {
            assert!(keys.contains(&k), "{k} missing in {item}");
        }
        assert!(check::rule(o["rule"].as_str().unwrap()).is_some());
        assert!(matches!(
            o["severity"].as_str(),
            Some("error" | "warning" | "note")
        ));
        assert!(o["file"].as_str().unwrap().starts_with("Standards/scs-"));
        assert!(o["line"].as_u64().unwrap() >= 1);
        assert!(o["column"].as_u64().unwrap() >= 1);
        assert!(!o["message"].as_str().unwrap().is_empty());
        assert!(o["target"].is_null() || o["target"]["written"].is_string());
    }
    let with_target = list
        .iter()
        .find(|i| i["rule"] == "std/target-missing")
        .unwrap();
    assert_eq!(
        with_target["target"],
        serde_json::json!({"written": "scs-0030-v1-target-missing.md", "resolved": null})
    );
    // An empty report is an empty list.
    let empty = Report::new(vec![], 0, &RuleConfig::default());
    assert_eq!(format::json(&empty).trim(), "[]");
}

#[test]
fn sarif_has_the_2_1_0_structure_and_stable_fingerprints() {
    let report = fixture_report();
    let v: Value = serde_json::from_str(&format::sarif(&report)).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"].as_array().expect("runs")[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ken");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), check::RULES.len());
    for r in rules {
        assert!(check::rule(r["id"].as_str().unwrap()).is_some());
        assert!(r["shortDescription"]["text"].is_string());
        assert!(matches!(
            r["defaultConfiguration"]["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
    }
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), report.findings.len());
    let mut prints = std::collections::HashSet::new();
    for (res, f) in results.iter().zip(&report.findings) {
        assert_eq!(res["ruleId"], f.rule.as_str());
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], f.rule.as_str());
        assert_eq!(res["level"], f.severity.as_str());
        assert_eq!(res["message"]["text"], f.message.as_str());
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], f.file.as_str());
        assert_eq!(loc["region"]["startLine"], f.line);
        assert_eq!(loc["region"]["startColumn"], f.column);
        let fp = res["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(prints.insert(fp.to_string()), "fingerprint {fp} twice");
    }
    // A finding moved down by ten lines keeps its fingerprint; another file changes it.
    let f = finding(check::STD_SLUG, "S/scs-0001-v1-A.md", 1, 1, "m");
    let moved = Finding {
        line: 11,
        ..f.clone()
    };
    let other = Finding {
        file: "S/other.md".into(),
        ..f.clone()
    };
    let fps = format::fingerprints(std::slice::from_ref(&f));
    assert_eq!(fps, format::fingerprints(&[moved]));
    assert_ne!(fps, format::fingerprints(&[other]));
    // Two equal findings in one file still differ.
    let two = format::fingerprints(&[f.clone(), f]);
    assert_ne!(two[0], two[1]);
    // Rules turned off are not listed; overridden levels are.
    let config = RuleConfig::from_settings(
        &[
            check::RuleSetting {
                rule: "std/slug".into(),
                rule_line: 1,
                level: "off".into(),
                level_line: 1,
            },
            check::RuleSetting {
                rule: "std/list-value".into(),
                rule_line: 2,
                level: "error".into(),
                level_line: 2,
            },
        ],
        "c.toml",
    )
    .unwrap();
    let v: Value = serde_json::from_str(&format::sarif(&Report::new(vec![], 0, &config))).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["id"] != "std/slug"));
    let lv = rules.iter().find(|r| r["id"] == "std/list-value").unwrap();
    assert_eq!(lv["defaultConfiguration"]["level"], "error");
    // A path with a space or '#' is percent-encoded in the URI.
    let v: Value = serde_json::from_str(&format::sarif(&hostile_report())).unwrap();
    let uris: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris, ["docs/a,b:c%25d.md", "docs/a,b:c%25d.md", "plain.md"]);
}

#[test]
fn github_lines_are_exact_workflow_commands() {
    let out = format::github(&hostile_report(), false);
    let lines: Vec<&str> = out.annotations.lines().collect();
    assert_eq!(
        lines,
        [
            // Properties escape % CR LF : ,; the message % CR LF, and the sanitizer makes
            // the escape character visible.
            "::error file=docs/a%2Cb%3Ac%25d.md,line=3,col=9,title=std/status-value::100%25 wrong%0D%0A::error::forged␛[31m <x>&\"'|",
            "::warning file=docs/a%2Cb%3Ac%25d.md,line=5,col=1,title=std/unknown-key::second | one",
            "::warning file=plain.md,line=1,col=1,title=frontmatter/bom::bom",
        ]
    );
    assert_eq!(out.summary, None);
    // Notes are notices.
    let config = RuleConfig::from_settings(
        &[check::RuleSetting {
            rule: "frontmatter/bom".into(),
            rule_line: 1,
            level: "note".into(),
            level_line: 1,
        }],
        "c",
    )
    .unwrap();
    let r = Report::new(vec![finding(check::FM_BOM, "x.md", 1, 1, "m")], 1, &config);
    assert_eq!(
        format::github(&r, false).annotations,
        "::notice file=x.md,line=1,col=1,title=frontmatter/bom::m\n"
    );
}

#[test]
fn github_annotates_ten_per_level_and_summarizes_the_rest() {
    let mut findings = Vec::new();
    for i in 0..13 {
        findings.push(finding(
            check::STD_SLUG,
            &format!("e{i:02}.md"),
            1,
            1,
            "err | pipe",
        ));
    }
    for i in 0..11 {
        findings.push(finding(
            check::STD_UNKNOWN_KEY,
            &format!("w{i:02}.md"),
            2,
            1,
            "warn",
        ));
    }
    let report = Report::new(findings, 24, &RuleConfig::default());
    let out = format::github(&report, true);
    let errors = out
        .annotations
        .lines()
        .filter(|l| l.starts_with("::error "))
        .count();
    let warnings = out
        .annotations
        .lines()
        .filter(|l| l.starts_with("::warning "))
        .count();
    assert_eq!((errors, warnings), (10, 10));
    let summary = out.summary.expect("a step summary");
    assert!(
        summary.starts_with("### ken check: 13 errors, 11 warnings, 0 notes in 24 of 24 files\n")
    );
    assert!(summary.contains("4 findings more than the annotations show"));
    let rows: Vec<&str> = summary.lines().filter(|l| l.starts_with("| ")).collect();
    // Header + the 3 errors and 1 warning past the first ten.
    assert_eq!(rows.len(), 5, "{summary}");
    assert_eq!(
        rows[1],
        "| error | e10.md | 1 | 1 | std/slug | err \\| pipe |"
    );
    assert_eq!(
        rows[4],
        "| warning | w10.md | 2 | 1 | std/unknown-key | warn |"
    );
    // Without a step summary, every finding is a command.
    let all = format::github(&report, false);
    assert_eq!(all.annotations.lines().count(), 24);
}

#[test]
fn junit_is_well_formed_escaped_xml_with_a_case_per_finding() {
    use quick_xml::events::Event;
    let xml = format::junit(&hostile_report());
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name).unwrap().map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .to_string()
                    })
                };
                match e.name().as_ref() {
                    "testcase" => cases.push((
                        attr("classname").unwrap(),
                        attr("name").unwrap(),
                        attr("line").unwrap(),
                    )),
                    "failure" => failures.push((attr("type").unwrap(), attr("message").unwrap())),
                    "testsuite" => {
                        assert_eq!(attr("tests").as_deref(), Some("3"));
                        assert_eq!(attr("failures").as_deref(), Some("3"));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(cases.len(), 3);
    assert_eq!(
        cases[0],
        (
            "docs/a,b:c%d.md".to_string(),
            "std/status-value docs/a,b:c%d.md:3:9".to_string(),
            "3".to_string()
        )
    );
    assert_eq!(failures[0].0, "error");
    // The control characters are visible, the markup characters survive unescaping intact.
    assert_eq!(failures[0].1, "100% wrong␍␊::error::forged␛[31m <x>&\"'|");
    assert!(!xml.contains('\x1b') && !xml.contains("<x>"));
    assert_eq!(failures[2].0, "warning");
    assert!(xml.contains("(link a b#c.md → nothing)"), "{xml}");
    // A clean check is one passing case.
    let clean = format::junit(&Report::new(vec![], 5, &RuleConfig::default()));
    assert!(
        clean.contains("<testcase classname=\"ken check\" name=\"no findings\"/>"),
        "{clean}"
    );
    assert!(!clean.contains("<failure"));
}

#[test]
fn gitlab_code_quality_has_its_fields_and_vocabulary() {
    let report = fixture_report();
    let v: Value = serde_json::from_str(&format::gitlab(&report)).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), report.findings.len());
    let mut prints = std::collections::HashSet::new();
    for (item, f) in list.iter().zip(&report.findings) {
        assert_eq!(item["description"], f.message.as_str());
        assert_eq!(item["check_name"], f.rule.as_str());
        assert!(prints.insert(item["fingerprint"].as_str().unwrap().to_string()));
        let sev = item["severity"].as_str().unwrap();
        assert_eq!(
            sev,
            match f.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Note => "info",
            }
        );
        assert_eq!(item["location"]["path"], f.file.as_str());
        assert_eq!(item["location"]["lines"]["begin"], f.line);
    }
}

#[test]
fn human_output_groups_by_file_sanitizes_and_colours_only_on_request() {
    let report = hostile_report();
    let plain = format::human(&report, false);
    assert_eq!(
        plain,
        "docs/a,b:c%d.md:3:9: error: 100% wrong␍␊::error::forged␛[31m <x>&\"'| [std/status-value]\n\
         docs/a,b:c%d.md:5:1: warning: second | one [std/unknown-key]\n\
         \n\
         plain.md:1:1: warning: bom [frontmatter/bom]\n    a b#c.md → nothing\n\
         \n\
         ken check: 1 error, 2 warnings, 0 notes in 2 of 3 files\n"
    );
    assert!(!plain.contains('\x1b'));
    let coloured = format::render(&report, Format::Human, true);
    assert!(coloured.contains("\x1b[1;31merror\x1b[0m"));
    assert!(coloured.contains("\x1b[1;33mwarning\x1b[0m"));
    // The only escape sequences are ken's own: the finding's ESC is still visible.
    assert!(coloured.contains("forged␛[31m"));
    let clean = Report::new(vec![], 104, &RuleConfig::default());
    assert_eq!(
        format::human(&clean, false),
        "ken check: no findings in 104 files\n"
    );
}
