//! `ken search`: the hits of a query, as text or JSON.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::progress::{index_progress, say};
use crate::base::Base;
use crate::history::{self, Histories, lifecycle};
use crate::index::{self, IndexError, Order, SearchIndex, SearchOptions, Snippet};
use crate::sanitize;

/// [`index::open_current`], with progress on stderr.
pub fn open_current(base: &Base) -> Result<SearchIndex, IndexError> {
    index::open_current(base, &mut index_progress(), &mut |n| say(n))
}

/// `--sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    /// Best match first.
    Relevance,
    /// Most recently changed first (pages with unknown dates last).
    Changed,
}

/// `ken search`: exit 0 with hits, 1 with none, 2 for a query with nothing to search.
pub fn run(
    base: &Base,
    query: &str,
    limit: usize,
    json: bool,
    sort: SortBy,
    color: bool,
) -> anyhow::Result<ExitCode> {
    let opts = SearchOptions {
        limit,
        ..SearchOptions::default()
    };
    let order = match sort {
        SortBy::Relevance => Order::Relevance,
        SortBy::Changed => Order::Changed,
    };
    // The pages' dates are read only when something asks for them.
    let uses_dates = order == Order::Changed
        || index::query::parse(query, false)
            .clauses
            .iter()
            .any(|c| matches!(c.field.as_deref(), Some("changed" | "sort")));
    let now = history::now();
    let histories = (json || uses_dates).then(|| Histories::load(base));
    let dates = histories
        .as_ref()
        .filter(|_| uses_dates)
        .map(|h| h.search_dates(now));
    let search = |ix: &SearchIndex| ix.search_with(query, &opts, dates.as_ref(), order);
    let mut ix = open_current(base)?;
    let results = match search(&ix) {
        Ok(r) => r,
        Err(IndexError::Query(m)) => {
            say(&m);
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            // Damaged in a way only reading shows: rebuild once, then try again.
            say(&format!("{e}; rebuilding the search index"));
            index::rebuild(base, &mut index_progress(), &mut |n| say(n))?;
            ix = SearchIndex::open(base.data_dir())?;
            search(&ix)?
        }
    };
    for n in &results.notices {
        say(n);
    }
    let mut out = std::io::stdout().lock();
    let histories = histories.unwrap_or_default();
    let lives = lifecycle::of_pages(
        base,
        results
            .pages
            .iter()
            .map(|p| (p.source.as_str(), p.path.as_str())),
    );
    let life_of = |p: &index::PageHits| lives.get(&(p.source.clone(), p.path.clone()));
    if json {
        let hits: Vec<_> = results
            .pages
            .iter()
            .flat_map(|p| {
                let changed = histories.last_changed(&p.source, &p.path);
                let life = life_of(p);
                let status = life.as_ref().and_then(|l| l.status).map(|s| s.as_str());
                let replaced_by = life.map(|l| l.replaced_by.clone()).unwrap_or_default();
                p.sections.iter().map(move |s| {
                    json!({
                        "changed": changed,
                        "status": status,
                        "replaced_by": replaced_by,
                        "title": p.title,
                        "source": p.source,
                        "path": p.path,
                        "section": s.section,
                        "anchor": s.anchor,
                        "score": s.score,
                        "snippet": s.snippet.text,
                        "highlights": s.snippet.highlights.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
                    })
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&hits)?)?;
    } else {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        for (i, p) in results.pages.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            let changed = match histories.last_changed(&p.source, &p.path) {
                Some(c) if uses_dates => format!(", changed {}", history::ago(c.time, now)),
                _ => String::new(),
            };
            // A Deprecated or Rejected standard says so, and what replaces it.
            let retired = life_of(p).and_then(lifecycle::retired_note);
            writeln!(
                out,
                "{}  {}",
                paint("1", &sanitize::line(&p.title, 0)),
                paint("2", &format!("({}{changed})", sanitize::line(&p.source, 0)))
            )?;
            if let Some(note) = retired {
                writeln!(out, "  {}", paint("33", &sanitize::line(&note, 0)))?;
            }
            for s in &p.sections {
                let target = if s.anchor.is_empty() {
                    p.path.clone()
                } else {
                    format!("{}#{}", p.path, s.anchor)
                };
                let heading = if s.section.is_empty() {
                    String::new()
                } else {
                    format!("  › {}", s.section)
                };
                writeln!(
                    out,
                    "  {}{}",
                    paint("36", &sanitize::line(&target, 0)),
                    paint("2", &sanitize::line(&heading, 0))
                )?;
                if !s.snippet.text.is_empty() {
                    writeln!(out, "    {}", highlighted(&s.snippet, color))?;
                }
            }
        }
    }
    if results.pages.is_empty() {
        eprintln!("no matches");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The snippet with its highlights in bold yellow (or as is without colour).
fn highlighted(s: &Snippet, color: bool) -> String {
    if !color {
        return s.text.clone();
    }
    let mut out = String::new();
    for (i, c) in s.text.chars().enumerate() {
        if s.highlights.iter().any(|r| r.start == i) {
            out.push_str("\x1b[1;33m");
        }
        out.push(c);
        if s.highlights.iter().any(|r| r.end == i + 1) {
            out.push_str("\x1b[0m");
        }
    }
    out
}
