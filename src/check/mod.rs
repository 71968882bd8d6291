//! `ken check`: rules over the knowledge, the findings they produce, and how severities are
//! configured.
//!
//! A rule has a stable id (`std/status-value`), a default severity, a one-line summary and a
//! help text; [`RULES`] is the registry every output format and the configuration read from.
//! Rules produce [`Finding`]s at their default severity; a [`RuleConfig`] (the `[check.rules]`
//! table of `config.toml`) then changes severities or drops rules that are turned off.
//! [`standards`] holds the front-matter and SCS standards rules, [`links`] the link rules
//! (through the reader's resolver), [`format`] the output formats, [`changed`] which
//! findings a change made (`--changed-since`), [`run`] the rules over a source's copy,
//! [`page`] over one page of it (what the terminal UI asks for the page it shows).

pub mod changed;
pub mod format;
pub mod links;
pub mod online;
pub mod page;
pub mod run;
pub mod standards;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// `"error"`, `"warning"` or `"note"`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's stable id, such as `std/status-value`: what configuration, SARIF and CI name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RuleId(pub &'static str);

impl RuleId {
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The registry entry of this id.
    pub fn rule(self) -> &'static Rule {
        // Every `RuleId` in the crate is one of the constants below, each in `RULES`; a test
        // checks that, so the fallback is never reached.
        rule(self.0).unwrap_or(&RULES[0])
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// One rule of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: RuleId,
    pub severity: Severity,
    /// What its findings in a page depend on (every rule of the registry says).
    pub scope: Scope,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// What to do about a finding, and where the rule comes from.
    pub help: &'static str,
}

macro_rules! rules {
    ($($konst:ident = $id:literal, $sev:ident, $scope:ident, $summary:literal, $help:literal;)*) => {
        $(pub const $konst: RuleId = RuleId($id);)*
        /// Every rule ken checks, in the order they are documented.
        pub static RULES: &[Rule] = &[
            $(Rule {
                id: $konst,
                severity: Severity::$sev,
                scope: Scope::$scope,
                summary: $summary,
                help: $help,
            },)*
        ];
    };
}

rules! {
    FILE_UNREADABLE = "file/unreadable", Warning, Page,
        "A document ken cannot read as text: binary, over the size cap, or not UTF-8",
        "Binary files and files over `max_file_size` are skipped by ken (and usually broken on the site); save text as UTF-8.";
    LINK_MISSING_PAGE = "link/missing-page", Error, AcrossPages,
        "A link to a page, route or file of the site that does not exist",
        "Links are resolved as the site does (relative .md paths by file, /docs/… routes with number prefixes, slug and index pages, client redirects, the site's own https:// URLs). Point the link at an existing page.";
    LINK_MISSING_ANCHOR = "link/missing-anchor", Error, AcrossPages,
        "A link to a section that no heading of the target page makes",
        "Anchors are made from headings by github-slugger's rules (or `{#id}`); a renamed heading breaks the links to its old anchor.";
    LINK_MISSING_FILE = "link/missing-file", Error, AcrossPages,
        "A link or image to a file of the source (not a page) that is not there",
        "Relative links and images to pictures, YAML and other files are looked up in the source (a site-absolute image in `static/`); the site build fails on a missing image. Add the file or fix the path.";
    LINK_EXTERNAL_STATUS = "link/external-status", Error, AcrossPages,
        "An external link whose server answers with an error status (checked with --online)",
        "`ken check --online` asks every http(s) link once (HEAD, then GET when HEAD is refused). A 404 or 410 is a page that moved or is gone: link its new address, or an archived copy.";
    LINK_EXTERNAL_UNREACHABLE = "link/external-unreachable", Warning, AcrossPages,
        "An external link that gave no answer: timeout, unknown host, refused connection, TLS failure, rate limit",
        "Reported by `ken check --online` with the cause. A timeout or a refused connection can be passing; a host name that no longer resolves is usually a dead site.";
    FM_INVALID_YAML = "frontmatter/invalid-yaml", Error, Page,
        "Front matter that is not valid YAML",
        "The block between the first two `---` lines must be YAML; the site build and ken both drop front matter that does not parse.";
    FM_NOT_MAPPING = "frontmatter/not-a-mapping", Error, Page,
        "Front matter that is not a mapping of fields",
        "Front matter must be `key: value` lines; a list or a lone value is not read as fields.";
    FM_BOM = "frontmatter/bom", Warning, Page,
        "A byte-order mark before the front matter",
        "Save the file as UTF-8 without a BOM: tools that expect `---` as the first bytes of the file miss the front matter.";
    STD_FILE_NAME = "std/file-name", Error, Page,
        "A standards file name not of the form scs-XXXX-vN-slug.md",
        "scs-0001: `scs-` + the zero-padded 4-digit number (`xxxx` while a proposal) + `-v` + the major version from 1 (`-w` + number for a supplement) + `-` + the slug + `.md`.";
    STD_SLUG = "std/slug", Error, Page,
        "A slug with characters other than lower-case ASCII letters, digits and hyphens, or a leading hyphen",
        "scs-0001: the slugified title MUST consist only of lower-case ASCII letters, numbers and hyphens and MUST NOT start with a hyphen. It is part of the canonical URL and MUST NOT change after acceptance.";
    STD_SLUG_STYLE = "std/slug-style", Warning, Page,
        "A slug that does not start with a letter, or has consecutive or trailing hyphens",
        "scs-0001: the slug SHOULD start with a lower-case letter and SHOULD NOT contain more than one subsequent hyphen.";
    STD_DUPLICATE = "std/duplicate-document", Error, AcrossPages,
        "Two documents with the same number and version",
        "Each `scs-NNNN-vN-` (or `-wN-`) prefix names one document; renumber one of them (proposals use `xxxx`).";
    STD_DUPLICATE_STABLE = "std/duplicate-stable", Error, AcrossPages,
        "More than one Stable version of one document number",
        "Deprecate the older version (status Deprecated, deprecated_at, replaced_by) when the newer one becomes Stable.";
    STD_NO_FRONT_MATTER = "std/missing-front-matter", Error, Page,
        "A standards document without front matter",
        "scs-0001: each document carries its metadata (type, status, track, …) in a `---` block at the top.";
    STD_MISSING_KEY = "std/missing-key", Error, Page,
        "A required front-matter field is missing",
        "scs-0001: `type` and `track` are REQUIRED; `status` is REQUIRED precisely when `type` is not Supplement.";
    STD_TYPE_VALUE = "std/type-value", Error, Page,
        "A `type` that is not Procedural, Standard, Decision Record or Supplement, or does not match the file name",
        "scs-0001: `type` is one of `Procedural`, `Standard`, `Decision Record` (in `-vN-` files) or `Supplement` (in `-wN-` files).";
    STD_STATUS_VALUE = "std/status-value", Error, Page,
        "A `status` that is not Draft, Stable, Deprecated or Rejected",
        "scs-0001: `status` is one of `Draft`, `Stable`, `Deprecated`, `Rejected` (a proposal is `Draft`).";
    STD_TRACK_VALUE = "std/track-value", Error, Page,
        "A `track` that is not Global, IaaS, KaaS, IAM, Ops or Scopes",
        "scs-0001: `track` is one of `Global`, `IaaS`, `KaaS`, `IAM`, `Ops`, `Scopes`.";
    STD_TRACK_NUMBER = "std/track-number", Error, Page,
        "The second digit of the document number does not match the `track`",
        "scs-0001: the second digit of XXXX gives the track: 0 Global, 1 IaaS, 2 KaaS, 3 IAM, 4 Ops, 5 Scopes.";
    STD_DATE_VALUE = "std/date-value", Error, Page,
        "A `deprecated_at`, `stabilized_at` or `rejected_at` that is not an ISO date",
        "scs-0001: the dates are ISO formatted, `YYYY-MM-DD`.";
    STD_STATUS_DATE = "std/status-date", Error, Page,
        "A status without the date it requires",
        "scs-0001: Stable needs `stabilized_at`, Deprecated needs `deprecated_at`, Rejected needs `rejected_at`.";
    STD_REPLACED_BY_STATUS = "std/replaced-by-status", Error, Page,
        "`replaced_by` on a document that is neither Deprecated nor Rejected",
        "scs-0001: `replaced_by` is RECOMMENDED if the status is Deprecated or Rejected, FORBIDDEN otherwise.";
    STD_REPLACES_MISSING = "std/replaces-missing", Error, Page,
        "A version above 1 without `replaces`",
        "scs-0001: a new major version MUST refer to the old document in its `replaces` metadata.";
    STD_SUPPLEMENT_STATUS = "std/supplement-status", Error, Page,
        "A supplement with a `status`",
        "scs-0001: supplements are perpetually Draft and this phase is not recorded: no `status` field.";
    STD_SUPPLEMENTS_VALUE = "std/supplements-value", Error, Page,
        "A supplement without a `supplements` list, or `supplements` on another type",
        "scs-0001: `supplements` is REQUIRED precisely when `type` is Supplement: the list of documents it extends.";
    STD_LIST_VALUE = "std/list-value", Warning, Page,
        "`replaces` or `replaced_by` given as a string instead of a list",
        "scs-0001: `replaces` and `replaced_by` are lists of documents; write `- scs-….md` items.";
    STD_TARGET_MISSING = "std/target-missing", Error, AcrossPages,
        "`replaces`, `replaced_by` or `supplements` names a document that does not exist",
        "Name the file of an existing document in the same folder, with its `.md`.";
    STD_UNKNOWN_KEY = "std/unknown-key", Warning, Page,
        "A front-matter field scs-0001 does not define",
        "scs-0001 defines type, status, track, supplements, the dates, replaced_by and replaces; the site also reads title, description and Docusaurus' own fields. Remove the field or move its content into the text.";
    STD_MISSING_SECTION = "std/missing-section", Warning, Page,
        "A Standard or Decision Record without a section scs-0001 requires",
        "scs-0001: a Standard MUST have Introduction, Motivation and Conformance Tests sections; a Decision Record MUST have Abstract and Context. Conformance tests documented in a supplement are a common, legitimate exception.";
    STALE_UNCHANGED = "stale/unchanged", Warning, History,
        "A page unchanged and unreviewed for longer than ken stale --older-than",
        "Reported by `ken stale`, from the page's last commit. Read the page: update it, or, when it is still right, add `last_reviewed: YYYY-MM-DD` to its front matter.";
    STALE_DRAFT_IDLE = "stale/draft-idle", Warning, History,
        "A Draft standard unchanged for over a year",
        "Reported by `ken stale`. A Draft is work in progress; one idle for a year is finished (status Stable) or given up (status Rejected).";
    STALE_DEPRECATED_AT_PASSED = "stale/deprecated-at-passed", Warning, History,
        "A Stable standard whose deprecated_at date has passed",
        "Reported by `ken stale`. scs-0001: a standard past its `deprecated_at` is Deprecated; set `status: Deprecated` (and `replaced_by`), as the site's overview already shows it.";
}

/// What a rule's findings in a page depend on, which `--changed-since` relies on
/// ([`changed::before`]): a page the range did not touch has, at both ends, the findings of
/// every [`Scope::Page`] rule it had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The page's own path and text only.
    Page,
    /// Also other pages (routes, anchors, the standards of its folder), other files or the
    /// network.
    AcrossPages,
    /// The page's history (`ken stale`'s rules; not run by `ken check`).
    History,
}

/// Whether a rule is one of `ken stale`'s (about the history of pages) rather than one
/// `ken check` runs over their text.
pub fn is_stale_rule(id: RuleId) -> bool {
    id.0.starts_with("stale/")
}

/// The registry entry for an id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id.0 == id)
}

/// A link as written and what it resolved to (absent when it resolves to nothing).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Target {
    pub written: String,
    pub resolved: Option<String>,
}

/// One problem found: which rule, how serious, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// The document's path as the source names it (`Standards/scs-0001-….md`).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters (Unicode scalar values).
    pub column: u32,
    /// What is wrong and how to fix it, in one sentence or two.
    pub message: String,
    pub target: Option<Target>,
}

impl Finding {
    /// A finding at the rule's default severity.
    pub fn new(rule: RuleId, file: &str, at: Pos, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.rule().severity,
            file: file.to_string(),
            line: at.line,
            column: at.column,
            message: message.into(),
            target: None,
        }
    }

    pub fn with_target(mut self, written: &str, resolved: Option<String>) -> Finding {
        self.target = Some(Target {
            written: written.to_string(),
            resolved,
        });
        self
    }
}

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    pub fn new(line: usize, column: usize) -> Pos {
        Pos {
            line: u32::try_from(line.max(1)).unwrap_or(u32::MAX),
            column: u32::try_from(column.max(1)).unwrap_or(u32::MAX),
        }
    }
}

/// What the configuration says about one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

/// One `"rule-id" = "level"` entry of `[check.rules]`, with the lines it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetting {
    pub rule: String,
    pub rule_line: usize,
    pub level: String,
    pub level_line: usize,
}

/// A `[check.rules]` entry ken cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct RuleConfigError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// Severity overrides and disabled rules, from `[check.rules]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleConfig {
    levels: BTreeMap<RuleId, Level>,
}

impl RuleConfig {
    /// Validates the entries: every id must be a rule of [`RULES`], every level one of
    /// `error`, `warning`, `note`, `off`. The error names the file and line of the entry.
    pub fn from_settings(settings: &[RuleSetting], file: &str) -> Result<Self, RuleConfigError> {
        let mut levels = BTreeMap::new();
        for s in settings {
            let err = |line: usize, problem: String| RuleConfigError {
                file: file.to_string(),
                line,
                problem,
            };
            let Some(rule) = rule(&s.rule) else {
                let closest = RULES
                    .iter()
                    .map(|r| (strsim::levenshtein(r.id.0, &s.rule), r.id.0))
                    .min()
                    .filter(|(d, _)| *d <= 4)
                    .map(|(_, id)| format!("; did you mean {id:?}?"))
                    .unwrap_or_else(|| "; docs/guide/commands.md lists the rules".to_string());
                return Err(err(
                    s.rule_line,
                    format!(
                        "[check.rules]: unknown rule {:?}{closest}",
                        crate::sanitize::line(&s.rule, 0)
                    ),
                ));
            };
            let level = match s.level.as_str() {
                "off" => Level::Off,
                other => match Severity::parse(other) {
                    Some(sev) => Level::On(sev),
                    None => {
                        return Err(err(
                            s.level_line,
                            format!(
                                "[check.rules]: {:?} = {:?}: the level must be \"error\", \"warning\", \"note\" or \"off\"",
                                rule.id.0,
                                crate::sanitize::line(&s.level, 0)
                            ),
                        ));
                    }
                },
            };
            levels.insert(rule.id, level);
        }
        Ok(RuleConfig { levels })
    }

    /// The severity findings of `rule` get, or `None` when the rule is off.
    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        match self.levels.get(&rule) {
            Some(Level::Off) => None,
            Some(Level::On(s)) => Some(*s),
            None => Some(rule.rule().severity),
        }
    }

    /// The rules that are on, with the severity their findings get.
    pub fn enabled(&self) -> impl Iterator<Item = (&'static Rule, Severity)> + '_ {
        RULES
            .iter()
            .filter_map(|r| self.severity(r.id).map(|s| (r, s)))
    }

    /// This configuration with every rule that `keep` refuses turned off, so that a report
    /// lists only the rules its command runs (`ken check` and `ken stale` share the registry).
    pub fn restricted(&self, keep: impl Fn(RuleId) -> bool) -> RuleConfig {
        let mut levels = self.levels.clone();
        for r in RULES.iter().filter(|r| !keep(r.id)) {
            levels.insert(r.id, Level::Off);
        }
        RuleConfig { levels }
    }

    /// Findings of rules that are off are dropped, the others get their configured severity.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                f.severity = self.severity(f.rule)?;
                Some(f)
            })
            .collect()
    }
}

/// The outcome of a check: findings after configuration, sorted by file, line and column.
#[derive(Debug, Clone)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// How many documents were checked.
    pub files_checked: usize,
    pub config: RuleConfig,
}

impl Report {
    pub fn new(findings: Vec<Finding>, files_checked: usize, config: &RuleConfig) -> Report {
        let mut findings = config.apply(findings);
        findings.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.rule, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.rule, &b.message))
        });
        Report {
            findings,
            files_checked,
            config: config.clone(),
        }
    }

    /// How many findings there are of each severity: (errors, warnings, notes).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (n(Severity::Error), n(Severity::Warning), n(Severity::Note))
    }

    /// The process exit code for this report: 0 when no finding is at or above `fail_on`,
    /// 1 otherwise. (2, a usage or internal error, is the caller's.)
    pub fn exit_code(&self, fail_on: Severity) -> u8 {
        exit_code(&self.findings, fail_on)
    }
}

/// 0 when no finding is at or above `fail_on`, else 1.
pub fn exit_code(findings: &[Finding], fail_on: Severity) -> u8 {
    u8::from(findings.iter().any(|f| f.severity >= fail_on))
}

/// The exit code for a usage or internal error.
pub const EXIT_USAGE: u8 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_id_is_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id.0), "{} twice", r.id);
            assert!(
                r.id.0
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c == '/'),
                "{}",
                r.id
            );
            assert!(!r.summary.contains('\n') && !r.summary.ends_with('.'));
        }
    }
}
