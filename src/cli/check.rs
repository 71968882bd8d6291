//! `ken check`: runs the check rules over every configured source's documents (or the
//! `--source` given, a local folder as it is on disk) and prints the report in the format
//! asked for. Exit status: 0 no finding at or above `--fail-on`, 1 findings, 2 usage or
//! internal error (a source that cannot be read, a PATH that names no document).

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;

use std::collections::HashSet;

use super::sync::ensure_synced;
use crate::base::Base;
use crate::check::format::{self, Format};
use crate::check::run::check_copy;
use crate::check::{self, Report, Severity, online};
use crate::config::SourceSpec;
use crate::corpus::{self, ChangeStatus, Filter};
use crate::history::news::{self, Since};
use crate::library::SourceCopy;
use crate::sanitize;
use crate::source::{self, Snapshot};

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people: `file:line:col: severity: message [rule]`, and a summary line.
    Human,
    /// A JSON list of findings.
    Json,
    /// GitHub Actions workflow commands (+ $GITHUB_STEP_SUMMARY when set).
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

impl From<CheckFormat> for Format {
    fn from(f: CheckFormat) -> Format {
        match f {
            CheckFormat::Human => Format::Human,
            CheckFormat::Json => Format::Json,
            CheckFormat::Github => Format::Github,
            CheckFormat::Sarif => Format::Sarif,
            CheckFormat::Junit => Format::Junit,
            CheckFormat::Gitlab => Format::Gitlab,
        }
    }
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        }
    }
}

/// What `ken check` was asked.
pub struct Args {
    pub paths: Vec<String>,
    pub format: CheckFormat,
    pub fail_on: FailOn,
    /// `--changed-since`: only what changed since then, and what the change broke.
    pub changed_since: Option<String>,
    /// `--online`: ask the external links too, this many at a time, each within `timeout`.
    pub online: bool,
    pub concurrency: usize,
    pub timeout: std::time::Duration,
    pub offline: bool,
    pub color: bool,
}

pub fn run(base: &mut Base, args: &Args) -> anyhow::Result<ExitCode> {
    if args.online && args.offline {
        eprintln!(
            "ken check: --online asks the network, which --offline forbids: give one of them"
        );
        return Ok(ExitCode::from(check::EXIT_USAGE));
    }
    ensure_synced(base, args.offline);
    let since = args
        .changed_since
        .as_deref()
        .map(|s| Since::parse(s, crate::history::now()));
    let specs = base.config.sources.clone();
    let several = specs.len() > 1;
    let cap = base.config.max_file_size;
    let mut findings = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut externals: Vec<online::External> = Vec::new();
    let mut incomplete = false;
    for spec in &specs {
        let name = |path: &str| {
            if several {
                format!("{}:{path}", spec.name)
            } else {
                path.to_string()
            }
        };
        let copy = match base.copy(spec) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("ken check: {}", sanitize::line(&e.to_string(), 0));
                incomplete = true;
                continue;
            }
        };
        let cat = match copy.docs() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("ken check: {}", sanitize::line(&e.to_string(), 0));
                incomplete = true;
                continue;
            }
        };
        let site = base.site(&spec.name);
        let (mut found, checked, mut external) =
            check_copy(&name, &copy.snapshot, &copy.filter, &cat, cap, &site);
        files.extend(checked);
        if let Some(since) = &since {
            match range(base, spec, &copy, since) {
                Ok(Range::Everything(why)) => {
                    eprintln!(
                        "ken check: {}: {why}; every page counts as changed",
                        spec.name
                    );
                }
                Ok(Range::Since {
                    old,
                    filter,
                    changes,
                }) => {
                    let old_filter = filter.as_ref().unwrap_or(&copy.filter);
                    let routing = base.site_routing(&spec.name).routing;
                    let now = check::changed::Now {
                        snapshot: &copy.snapshot,
                        filter: &copy.filter,
                        cat: &cat,
                        site: &site,
                        findings: &found,
                    };
                    let start = check::changed::Start {
                        snapshot: &old,
                        filter: old_filter,
                        changes: &changes,
                        routing: &routing,
                    };
                    let before = match check::changed::before(&name, &spec.name, &now, &start, cap)
                    {
                        Ok(b) => b,
                        Err(e) => {
                            eprintln!(
                                "ken check: {}: the copy at the start of --changed-since: {}",
                                spec.name,
                                sanitize::line(&e.to_string(), 0)
                            );
                            return Ok(ExitCode::from(check::EXIT_USAGE));
                        }
                    };
                    let changed: HashSet<String> = changes
                        .iter()
                        .filter(|c| c.status != ChangeStatus::Deleted)
                        .map(|c| name(&c.path))
                        .collect();
                    found = check::changed::caused(found, &before, &changed);
                    // An external link breaks by itself, not by a change here: only the
                    // changed pages' are asked.
                    external.retain(|e| changed.contains(&e.file));
                }
                Err(e) => {
                    eprintln!(
                        "ken check: {}: --changed-since: {}",
                        spec.name,
                        sanitize::line(&e, 0)
                    );
                    return Ok(ExitCode::from(check::EXIT_USAGE));
                }
            }
        }
        findings.extend(found);
        externals.extend(external);
    }

    // PATH arguments select documents (a file, or every document under a folder); the
    // rules still see every document, so a target outside the selection is found.
    let mut checked = files.len();
    if !args.paths.is_empty() {
        let wanted: Vec<String> = args
            .paths
            .iter()
            .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string())
            .collect();
        let selected = |file: &str| wanted.iter().any(|w| under(file, w));
        for (w, raw) in wanted.iter().zip(&args.paths) {
            if !files.iter().any(|f| under(f, w)) {
                eprintln!(
                    "ken check: {}: no document there (paths are as `ken list` shows them)",
                    sanitize::line(raw, 0)
                );
                return Ok(ExitCode::from(check::EXIT_USAGE));
            }
        }
        findings.retain(|f| selected(&f.file));
        externals.retain(|e| selected(&e.file));
        checked = files.iter().filter(|f| selected(f)).count();
    }

    // Nothing is asked when both external rules are turned off.
    let rules = &base.config.check_rules;
    let asked = [
        check::LINK_EXTERNAL_STATUS,
        check::LINK_EXTERNAL_UNREACHABLE,
    ]
    .iter()
    .any(|r| rules.severity(*r).is_some());
    if args.online && asked {
        let opts = online::Online {
            concurrency: args.concurrency,
            timeout: args.timeout,
            now: crate::state::now(),
        };
        let cache = base.data_dir().join(online::CACHE_FILE);
        let (found, notes) = online::check(&externals, &opts, &cache);
        for n in notes {
            eprintln!("ken check: {}", sanitize::line(&n, 0));
        }
        findings.extend(found);
    }

    // `ken stale`'s rules share the registry but are not run here.
    let config = base
        .config
        .check_rules
        .restricted(|r| !check::is_stale_rule(r));
    let report = Report::new(findings, checked, &config);
    if !print_report(&report, args.format.into(), args.color, "ken check")? {
        return Ok(ExitCode::from(check::EXIT_USAGE));
    }
    if incomplete {
        return Ok(ExitCode::from(check::EXIT_USAGE));
    }
    Ok(ExitCode::from(report.exit_code(args.fail_on.into())))
}

/// Prints a report in `format` on stdout; for `github`, the annotations past GitHub's limit
/// go to `$GITHUB_STEP_SUMMARY` when it is set. False (after one line naming `who` and the
/// problem) when the step summary could not be written.
pub(super) fn print_report(
    report: &Report,
    format: Format,
    color: bool,
    who: &str,
) -> anyhow::Result<bool> {
    let mut stdout = std::io::stdout().lock();
    if format == Format::Github {
        let summary_file = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty());
        let out = format::github(report, summary_file.is_some());
        stdout.write_all(out.annotations.as_bytes())?;
        if let (Some(path), Some(summary)) = (summary_file, out.summary) {
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| f.write_all(summary.as_bytes()));
            if let Err(e) = written {
                eprintln!(
                    "{who}: GITHUB_STEP_SUMMARY {}: {e}",
                    sanitize::line(&path.to_string_lossy(), 0)
                );
                return Ok(false);
            }
        }
    } else {
        stdout.write_all(format::render(report, format, color).as_bytes())?;
    }
    stdout.flush()?;
    Ok(true)
}

/// `file` is the document `path` or under the folder `path` (`.` or empty: everything).
fn under(file: &str, path: &str) -> bool {
    path.is_empty()
        || path == "."
        || file == path
        || file
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What `--changed-since` compares the copy with.
enum Range {
    /// Nothing to compare with (the reason): every page counts as changed.
    Everything(String),
    /// The copy at the start of the range, and the documents changed since.
    Since {
        old: Snapshot,
        /// How the old copy is read, when not as the source's own filter says (a local
        /// folder's repository holds it under the folder's path).
        filter: Option<Filter>,
        changes: Vec<corpus::DocChange>,
    },
}

/// The copy of `spec` at the start of `since`: for a repository the commit `since` names
/// (as `ken news` reads it); for a site each repository's own start (a commit names one in
/// the repositories that have it, `last-sync` the copy before the most recent sync that
/// brought changes), laid out again as the site's manifest at that start says.
fn range(
    base: &Base,
    spec: &SourceSpec,
    copy: &SourceCopy,
    since: &Since,
) -> Result<Range, String> {
    let name = spec.name.as_str();
    let dates = base.config.dates;
    let no_previous = || Range::Everything("no earlier sync to compare with".into());
    match &copy.snapshot {
        Snapshot::Dir { root } => {
            // A writer's working copy: the folder's repository at the start, against the
            // files on disk as they are (edits not yet committed included).
            let no_history = || {
                format!(
                    "{} is in no git repository, so it has no history to compare with",
                    root.display()
                )
            };
            let repo = git2::Repository::discover(root).map_err(|_| no_history())?;
            let top = repo
                .workdir()
                .and_then(|w| w.canonicalize().ok())
                .ok_or_else(no_history)?;
            let here = root.canonicalize().map_err(|e| e.to_string())?;
            let prefix = here
                .strip_prefix(&top)
                .map_err(|_| no_history())?
                .to_string_lossy()
                .replace('\\', "/");
            if matches!(since, Since::LastSync) {
                return Err(
                    "a local folder is never synced: name a commit (`main`, `HEAD~3`) or a date"
                        .into(),
                );
            }
            let head = repo
                .head()
                .and_then(|h| h.peel_to_commit())
                .map_err(|e| format!("{}: {}", top.display(), e.message()))?
                .id();
            let start = news::start_commit(name, &repo, head, since, None, dates)
                .map_err(|e| e.to_string())?
                .flatten();
            let Some(old) = start else {
                return Ok(Range::Everything(
                    "the whole history is in the range".into(),
                ));
            };
            // Paths of the diff are the repository's; the source's are the folder's.
            let inside = |p: &str| -> Option<String> {
                if prefix.is_empty() {
                    Some(p.to_string())
                } else {
                    p.strip_prefix(&prefix)?
                        .strip_prefix('/')
                        .map(str::to_string)
                }
            };
            let diff = source::worktree_changes(&repo, old).map_err(|e| e.to_string())?;
            let diff: Vec<source::Change> = diff
                .into_iter()
                .filter_map(|c| {
                    let kind = match c.kind {
                        source::ChangeKind::Renamed { from } => match inside(&from) {
                            Some(f) => source::ChangeKind::Renamed { from: f },
                            None => source::ChangeKind::Added,
                        },
                        k => k,
                    };
                    Some(source::Change {
                        path: inside(&c.path)?,
                        kind,
                    })
                })
                .collect();
            let mut old_spec = spec.clone();
            old_spec.root = Some(
                [prefix.as_str(), copy.filter.root().unwrap_or("")]
                    .iter()
                    .map(|s| s.trim_matches('/'))
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
            .filter(|r| !r.is_empty());
            let filter = Filter::new(&old_spec).map_err(|e| e.to_string())?;
            let repo = git2::Repository::open(repo.path()).map_err(|e| e.message().to_string())?;
            Ok(Range::Since {
                old: Snapshot::Git { repo, commit: old },
                filter: Some(filter),
                changes: corpus::doc_changes(&copy.filter, &diff),
            })
        }
        Snapshot::Git { repo, commit } => {
            let previous = base.state_of(spec).and_then(|s| s.previous.clone());
            let start = news::start_commit(name, repo, *commit, since, previous.as_deref(), dates)
                .map_err(|e| e.to_string())?;
            let Some(start) = start else {
                return Ok(no_previous());
            };
            let Some(old) = start else {
                return Ok(Range::Everything(
                    "the whole history is in the range".into(),
                ));
            };
            let mirror = source::mirror_path(base.data_dir(), name);
            let diff = source::changes(&mirror, old, *commit).map_err(|e| e.to_string())?;
            Ok(Range::Since {
                old: Snapshot::git(&mirror, old).map_err(|e| e.to_string())?,
                filter: None,
                changes: corpus::doc_changes(&copy.filter, &diff),
            })
        }
        Snapshot::Site(snap) => {
            let state = base.site_state(spec);
            let previous = state.and_then(|s| s.previous.clone());
            if matches!(since, Since::LastSync) && previous.is_none() {
                return Ok(no_previous());
            }
            let mut starts: Vec<Option<git2::Oid>> = Vec::new();
            let mut named = false;
            for (i, part) in snap.site.parts.iter().enumerate() {
                let repo = git2::Repository::open_bare(&part.mirror)
                    .map_err(|e| format!("{}: {}", part.repo, e.message()))?;
                let prev = previous.as_ref().and_then(|p| {
                    if i == 0 {
                        Some(p.commit.clone())
                    } else {
                        let key = crate::site::repo_key(&part.url);
                        p.repos
                            .iter()
                            .find(|(u, _)| crate::site::repo_key(u) == key)
                            .and_then(|(_, c)| c.clone())
                    }
                });
                let start = match news::start_commit(
                    &part.repo,
                    &repo,
                    part.commit,
                    since,
                    prev.as_deref(),
                    dates,
                ) {
                    Ok(s) => {
                        named = true;
                        s.flatten()
                    }
                    // A commit names a start in the repositories that have it; the others
                    // are compared with themselves.
                    Err(_) if matches!(since, Since::Rev(_)) => Some(part.commit),
                    Err(e) => return Err(e.to_string()),
                };
                starts.push(start);
            }
            if let (false, Since::Rev(r)) = (named, since) {
                return Err(format!(
                    "{r:?} is a commit of none of the site's repositories"
                ));
            }
            let Some(Some(own)) = starts.first().copied() else {
                return Ok(Range::Everything(
                    "the site's own repository has no commit at the start".into(),
                ));
            };
            let mut old_state = state.cloned().unwrap_or_default();
            old_state.repos.retain_mut(|r| {
                let key = crate::site::repo_key(&r.url);
                let start = snap
                    .site
                    .parts
                    .iter()
                    .zip(&starts)
                    .skip(1)
                    .find(|(p, _)| crate::site::repo_key(&p.url) == key)
                    .and_then(|(_, s)| *s);
                // A repository without a copy at the start adds all its pages.
                r.commit = start.map(|s| s.to_string());
                r.commit.is_some()
            });
            let old = base
                .assemble_at(spec, own, Some(&old_state))
                .map_err(|e| e.to_string())?;
            let changes = crate::site::doc_changes(&copy.filter, &old, &snap.site);
            Ok(Range::Since {
                filter: None,
                old: Snapshot::Site(crate::site::SiteSnapshot::new(std::sync::Arc::new(old))),
                changes,
            })
        }
    }
}
