//! The output formats of `ken check`: for people (grouped by file, `file:line:col`, a
//! summary line, colour only when the caller asks), and for machines: JSON, GitHub workflow
//! commands (+ a step-summary table), SARIF 2.1.0, JUnit XML and GitLab Code Quality.
//!
//! Text meant for a terminal or a CI log passes `sanitize::line`; JSON formats carry the
//! strings as they are (JSON escapes every control character). Fingerprints hash the rule,
//! the file and what the finding is about, never the line, so a finding keeps its identity
//! when lines above it move.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Finding, Report, Severity};
use crate::sanitize;

/// Where people can read about the rules ken checks (scs-0001 on the SCS site).
pub const INFORMATION_URI: &str =
    "https://docs.scs.community/standards/scs-0001-v1-sovereign-cloud-standards";

/// GitHub shows at most this many annotations of one level per step.
pub const GITHUB_ANNOTATIONS_PER_LEVEL: usize = 10;

/// The output formats, as `--format` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
    Junit,
    Gitlab,
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// `3 errors, 1 warning, 0 notes in 2 of 104 files`.
pub fn summary_line(report: &Report) -> String {
    let (e, w, n) = report.counts();
    let files = {
        let mut f: Vec<&str> = report.findings.iter().map(|f| f.file.as_str()).collect();
        f.dedup();
        f.len()
    };
    if report.findings.is_empty() {
        return format!(
            "ken check: no findings in {}",
            plural(report.files_checked, "file")
        );
    }
    format!(
        "ken check: {}, {}, {} in {} of {}",
        plural(e, "error"),
        plural(w, "warning"),
        plural(n, "note"),
        files,
        plural(report.files_checked, "file")
    )
}

/// For people: one line per finding, `file:line:col: severity: message [rule]`, a blank
/// line between files, the link target under a finding that has one, and a summary line.
pub fn human(report: &Report, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let mut last_file: Option<&str> = None;
    for f in &report.findings {
        if last_file.is_some_and(|l| l != f.file) {
            out.push('\n');
        }
        last_file = Some(&f.file);
        let sev = match f.severity {
            Severity::Error => paint("1;31", "error"),
            Severity::Warning => paint("1;33", "warning"),
            Severity::Note => paint("1;36", "note"),
        };
        let place = format!("{}:{}:{}", sanitize::line(&f.file, 0), f.line, f.column);
        let _ = writeln!(
            out,
            "{}: {sev}: {} {}",
            paint("1", &place),
            sanitize::line(&f.message, 0),
            paint("2", &format!("[{}]", f.rule))
        );
        if let Some(t) = &f.target {
            let resolved = t
                .resolved
                .as_deref()
                .map(|r| sanitize::line(r, 0).into_owned())
                .unwrap_or_else(|| "nothing".to_string());
            let _ = writeln!(out, "    {} → {resolved}", sanitize::line(&t.written, 0));
        }
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// A JSON array of the findings: `rule`, `severity`, `file`, `line`, `column`, `message`,
/// `target` (`{written, resolved}` or null).
pub fn json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&report.findings).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// A stable fingerprint per finding (same order as `findings`): the rule, the file and what
/// the finding is about (its target as written, else its message), plus how many identical
/// ones came before it in the file. Lines do not enter, so a finding keeps its fingerprint
/// when the text above it moves.
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    let mut seen: std::collections::HashMap<(String, String, String), usize> =
        std::collections::HashMap::new();
    findings
        .iter()
        .map(|f| {
            let about = f
                .target
                .as_ref()
                .map(|t| t.written.clone())
                .unwrap_or_else(|| f.message.clone());
            let key = (f.rule.0.to_string(), f.file.clone(), about);
            let n = seen.entry(key.clone()).or_insert(0);
            let index = *n;
            *n += 1;
            let mut h = Sha256::new();
            for part in [key.0.as_str(), key.1.as_str(), key.2.as_str()] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            h.update(index.to_string().as_bytes());
            h.finalize()
                .iter()
                .take(16)
                .fold(String::with_capacity(32), |mut s, b| {
                    let _ = write!(s, "{b:02x}");
                    s
                })
        })
        .collect()
}

/// What `--format github` writes: workflow commands for stdout, and (when a step summary
/// is wanted) the Markdown for `$GITHUB_STEP_SUMMARY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Github {
    pub annotations: String,
    pub summary: Option<String>,
}

/// GitHub's escaping of a workflow command's message (actions/toolkit `escapeData`), then
/// the sanitizer for what is left: no character of the message can end the command.
pub fn github_escape_data(s: &str) -> String {
    let escaped = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    sanitize::line(&escaped, 0).into_owned()
}

/// GitHub's escaping of a workflow command's property value (`escapeProperty`).
pub fn github_escape_property(s: &str) -> String {
    github_escape_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// `::error file=…,line=…,col=…,title=…::message` per finding. GitHub shows only the first
/// ten annotations of each level in a step; with `step_summary`, the findings past those go
/// into a Markdown table for `$GITHUB_STEP_SUMMARY` instead (headed by the summary line),
/// otherwise every finding is written as a command (the log keeps them all).
pub fn github(report: &Report, step_summary: bool) -> Github {
    let mut annotations = String::new();
    let mut rest = Vec::new();
    let mut shown = [0usize; 3];
    for f in &report.findings {
        let slot = &mut shown[f.severity as usize];
        if step_summary && *slot >= GITHUB_ANNOTATIONS_PER_LEVEL {
            rest.push(f);
            continue;
        }
        *slot += 1;
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let _ = writeln!(
            annotations,
            "::{level} file={},line={},col={},title={}::{}",
            github_escape_property(&f.file),
            f.line,
            f.column,
            github_escape_property(f.rule.0),
            github_escape_data(&f.message)
        );
    }
    let summary = step_summary.then(|| {
        let mut s = format!("### {}\n\n", markdown_cell(&summary_line(report)));
        if !rest.is_empty() {
            let _ = writeln!(
                s,
                "{} more than the annotations show:\n",
                plural(rest.len(), "finding")
            );
            s.push_str("| Severity | File | Line | Column | Rule | Message |\n");
            s.push_str("|---|---|---|---|---|---|\n");
            for f in rest {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |",
                    f.severity,
                    markdown_cell(&f.file),
                    f.line,
                    f.column,
                    f.rule,
                    markdown_cell(&f.message)
                );
            }
        }
        s
    });
    Github {
        annotations,
        summary,
    }
}

/// A string safe inside a Markdown table cell: no raw HTML, no cell breaks, no controls.
fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in sanitize::line(s, 0).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            c => out.push(c),
        }
    }
    out
}

/// Characters a path must not carry unescaped in a URI reference.
const URI_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// SARIF 2.1.0: one run, the enabled rules with their configured level, one result per
/// finding with a repository-relative URI and a line-independent fingerprint.
pub fn sarif(report: &Report) -> String {
    let enabled: Vec<_> = report.config.enabled().collect();
    let rules: Vec<Value> = enabled
        .iter()
        .map(|(r, sev)| {
            json!({
                "id": r.id.0,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.help },
                "help": { "text": r.help },
                "helpUri": INFORMATION_URI,
                "defaultConfiguration": { "level": sarif_level(*sev) },
            })
        })
        .collect();
    let prints = fingerprints(&report.findings);
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(&prints)
        .map(|(f, fp)| {
            let mut r = json!({
                "ruleId": f.rule.0,
                "level": sarif_level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": utf8_percent_encode(&f.file, URI_PATH).to_string(),
                        },
                        "region": { "startLine": f.line, "startColumn": f.column },
                    }
                }],
                "partialFingerprints": { "primaryLocationLineHash": fp },
            });
            if let Some(i) = enabled.iter().position(|(r, _)| r.id == f.rule) {
                r["ruleIndex"] = json!(i);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ken",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// JUnit XML: one test case per finding (class = file, name = rule and place, so GitLab,
/// which keeps only the first of equal names, shows each), failing with the severity as its
/// type; a clean check is one passing case.
pub fn junit(report: &Report) -> String {
    use quick_xml::Writer;
    use quick_xml::events::{BytesDecl, BytesText, Event};

    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let clean = |s: &str| sanitize::line(s, 0).into_owned();
    let tests = report.findings.len().max(1).to_string();
    let failures = report.findings.len().to_string();
    let written: std::io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("testsuites")
            .with_attribute(("name", "ken check"))
            .with_attribute(("tests", tests.as_str()))
            .with_attribute(("failures", failures.as_str()))
            .write_inner_content(|w| {
                w.create_element("testsuite")
                    .with_attribute(("name", "ken check"))
                    .with_attribute(("tests", tests.as_str()))
                    .with_attribute(("failures", failures.as_str()))
                    .write_inner_content(|w| {
                        if report.findings.is_empty() {
                            w.create_element("testcase")
                                .with_attribute(("classname", "ken check"))
                                .with_attribute(("name", "no findings"))
                                .write_empty()?;
                        }
                        for f in &report.findings {
                            let file = clean(&f.file);
                            let name = format!("{} {}:{}:{}", f.rule, file, f.line, f.column);
                            let line = f.line.to_string();
                            let message = clean(&f.message);
                            let mut body = format!(
                                "{}:{}:{}: {}: {}",
                                file, f.line, f.column, f.severity, message
                            );
                            if let Some(t) = &f.target {
                                let _ = write!(
                                    body,
                                    " (link {} → {})",
                                    clean(&t.written),
                                    t.resolved.as_deref().map(clean).unwrap_or("nothing".into())
                                );
                            }
                            w.create_element("testcase")
                                .with_attribute(("classname", file.as_str()))
                                .with_attribute(("name", name.as_str()))
                                .with_attribute(("file", file.as_str()))
                                .with_attribute(("line", line.as_str()))
                                .write_inner_content(|w| {
                                    w.create_element("failure")
                                        .with_attribute(("message", message.as_str()))
                                        .with_attribute(("type", f.severity.as_str()))
                                        .write_text_content(BytesText::new(&body))?;
                                    Ok(())
                                })?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })();
    // Writing into a Vec cannot fail; should it ever, the report is still a document.
    if written.is_err() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites/>\n".to_string();
    }
    let mut s = String::from_utf8(w.into_inner()).unwrap_or_default();
    s.push('\n');
    s
}

/// GitLab Code Quality: `description`, `check_name`, `fingerprint`, `severity` (error →
/// major, warning → minor, note → info), `location.path`, `location.lines.begin`.
pub fn gitlab(report: &Report) -> String {
    let prints = fingerprints(&report.findings);
    let issues: Vec<Value> = report
        .findings
        .iter()
        .zip(prints)
        .map(|(f, fp)| {
            json!({
                "description": f.message,
                "check_name": f.rule.0,
                "fingerprint": fp,
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Note => "info",
                },
                "location": { "path": f.file, "lines": { "begin": f.line } },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// The report in `format`. For `Github`, the step summary is returned apart (see [`github`]).
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human(report, color),
        Format::Json => json(report),
        Format::Github => github(report, false).annotations,
        Format::Sarif => sarif(report),
        Format::Junit => junit(report),
        Format::Gitlab => gitlab(report),
    }
}
