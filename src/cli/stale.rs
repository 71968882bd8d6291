//! `ken stale`: the pages unchanged for longer than `--older-than`, oldest first, grouped by
//! source (for a site, by the repository each page comes from); as text, as JSON, or as `ken check`'s CI formats (the findings of the `stale/*`
//! rules), so that a scheduled job can report them. Exit status as `ken check`'s: 1 when a
//! finding is at or above `--fail-on` (the rules are warnings, so by default 0).

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::check::{CheckFormat, FailOn, print_report};
use super::sync::ensure_synced;
use crate::base::Base;
use crate::check::{self, Finding, Pos, Report, RuleId};
use crate::history::stale::{self, Reason, SourceStale, StalePage};
use crate::history::{self, History};
use crate::sanitize;

pub struct Args {
    pub older_than: Age,
    pub json: bool,
    pub format: CheckFormat,
    pub fail_on: FailOn,
    pub offline: bool,
    pub color: bool,
}

/// `--older-than`: as written (`18months`) and in whole days.
#[derive(Debug, Clone)]
pub struct Age {
    pub text: String,
    pub days: u64,
}

/// Parses `--older-than`: a humantime duration (`365d`, `18months`, `2y`).
pub fn parse_age(s: &str) -> Result<Age, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("{e}; write a duration such as 365d, 18months or 2y"))?;
    Ok(Age {
        text: s.trim().to_string(),
        days: d.as_secs() / 86_400,
    })
}

fn rule_of(reason: Reason) -> RuleId {
    match reason {
        Reason::Unchanged => check::STALE_UNCHANGED,
        Reason::DraftIdle => check::STALE_DRAFT_IDLE,
        Reason::DeprecatedAtPassed => check::STALE_DEPRECATED_AT_PASSED,
    }
}

/// "unchanged for 412 days, since 2023-01-05 (Bob: Edit a)": one sanitized sentence.
fn message(p: &StalePage) -> String {
    let day = |t: i64| history::date(t)[..10].to_string();
    let by = p
        .changed
        .as_ref()
        .map(|c| {
            format!(
                " ({}: {})",
                c.author_shown().unwrap_or_default(),
                c.subject_shown().unwrap_or_default()
            )
        })
        .filter(|s| s != " (: )")
        .unwrap_or_default();
    let reviewed = match p.last_reviewed {
        Some(r) if r == p.since => ", when it was last reviewed",
        _ => "",
    };
    match p.reason {
        Reason::Unchanged => format!(
            "unchanged for {} days, since {}{reviewed}{by}",
            p.age_days,
            day(p.since)
        ),
        Reason::DraftIdle => format!(
            "a Draft unchanged for {} days (over a year), since {}{reviewed}{by}: finish it or reject it",
            p.age_days,
            day(p.since)
        ),
        Reason::DeprecatedAtPassed => format!(
            "deprecated_at {} has passed, but the status is still Stable: set `status: Deprecated`",
            p.deprecated_at.map(day).unwrap_or_default()
        ),
    }
}

pub fn run(base: &mut Base, args: &Args) -> anyhow::Result<ExitCode> {
    ensure_synced(base, args.offline);
    let now = history::now();
    let specs = base.config.sources.clone();
    let several = specs.len() > 1;
    let mut groups: Vec<SourceStale> = Vec::new();
    let mut failed = false;
    for spec in &specs {
        let docs = match base.catalog(spec) {
            Ok(c) => c.docs,
            Err(e) => {
                eprintln!("ken stale: {}", sanitize::line(&e.to_string(), 0));
                failed = true;
                continue;
            }
        };
        let h = match History::of(base, spec) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("ken stale: {}", sanitize::line(&e.to_string(), 0));
                failed = true;
                continue;
            }
        };
        for g in stale::stale(&docs, &h, args.older_than.days, now) {
            if !g.unknown.is_empty() {
                let why = g
                    .gap
                    .map(|g| g.explain())
                    .unwrap_or("their history does not reach them");
                eprintln!(
                    "note: {}: {} pages not judged: {why}",
                    sanitize::line(&group_name(&g), 0),
                    g.unknown.len()
                );
            }
            groups.push(g);
        }
    }

    let findings: Vec<Finding> = groups
        .iter()
        .flat_map(|g| {
            g.pages.iter().map(move |p| {
                let file = if several {
                    format!("{}:{}", g.source, p.path)
                } else {
                    p.path.clone()
                };
                Finding::new(rule_of(p.reason), &file, Pos::START, message(p))
            })
        })
        .collect();
    let checked = groups.iter().map(|g| g.checked).sum();
    let config = base.config.check_rules.restricted(check::is_stale_rule);
    let report = Report::new(findings, checked, &config);

    let mut out = std::io::stdout().lock();
    match args.format {
        _ if args.json => print_json(&mut out, args, now, &groups)?,
        CheckFormat::Json => print_json(&mut out, args, now, &groups)?,
        CheckFormat::Human => print_human(&mut out, args, now, &groups)?,
        f => {
            drop(out);
            if !print_report(&report, f.into(), args.color, "ken stale")? {
                return Ok(ExitCode::from(check::EXIT_USAGE));
            }
        }
    }
    if failed {
        return Ok(ExitCode::from(check::EXIT_USAGE));
    }
    Ok(ExitCode::from(report.exit_code(args.fail_on.into())))
}

/// `kb`, or for an imported repository of a site `kb: org/guides` (the site's own repository
/// is named as the source).
fn group_name(g: &SourceStale) -> String {
    match &g.repo {
        Some(r) if *r != g.source => format!("{}: {r}", g.source),
        _ => g.source.clone(),
    }
}

fn print_json(
    out: &mut impl Write,
    args: &Args,
    now: i64,
    groups: &[SourceStale],
) -> anyhow::Result<()> {
    let v = json!({
        "older_than": args.older_than.text,
        "older_than_days": args.older_than.days,
        "now": history::date(now),
        "sources": groups,
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    Ok(())
}

fn print_human(
    out: &mut impl Write,
    args: &Args,
    now: i64,
    groups: &[SourceStale],
) -> anyhow::Result<()> {
    let paint = |code: &str, s: &str| {
        if args.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut total = 0;
    for g in groups.iter().filter(|g| !g.pages.is_empty()) {
        total += g.pages.len();
        writeln!(
            out,
            "{} — {} of {} pages",
            paint("1", &sanitize::line(&group_name(g), 0)),
            g.pages.len(),
            g.checked
        )?;
        let w = g
            .pages
            .iter()
            .map(|p| p.path.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for p in &g.pages {
            let why = match p.reason {
                Reason::Unchanged if p.last_reviewed == Some(p.since) => "last reviewed".into(),
                Reason::Unchanged => p
                    .changed
                    .as_ref()
                    .map(|c| {
                        format!(
                            "{}: {}",
                            c.author_shown().unwrap_or_default(),
                            c.subject_shown().unwrap_or_default()
                        )
                    })
                    .filter(|s| s != ": ")
                    .unwrap_or_default(),
                _ => message(p),
            };
            writeln!(
                out,
                "  {}  {:>14}  {:<w$}  {}",
                &history::date(p.since)[..10],
                history::ago(p.since, now),
                sanitize::line(&p.path, 0),
                paint("2", &why),
            )?;
        }
    }
    if total == 0 {
        writeln!(
            out,
            "no page is older than {}",
            sanitize::line(&args.older_than.text, 0)
        )?;
    }
    Ok(())
}
