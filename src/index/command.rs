//! What the CLI does with the index: `ken search`, the update after `ken sync`, the index
//! facts of `ken status`. Formatting only; the work is in the rest of this module.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use serde_json::json;

use super::{IndexError, Progress, SearchIndex, SearchOptions, build};
use crate::base::Base;
use crate::sanitize;

/// A progress bar for full builds on stderr when it is a terminal; nothing otherwise.
fn progress_bar() -> impl FnMut(Progress) {
    let enabled = std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    move |p: Progress| {
        if !enabled || p.total < 200 {
            return;
        }
        let b = bar.get_or_insert_with(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(p.total as u64),
                indicatif::ProgressDrawTarget::stderr(),
            );
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "indexing {prefix:.bold} [{bar:30}] {pos}/{len} pages  {per_sec}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b.set_prefix(sanitize::line(&p.source, 0).into_owned());
            b
        });
        b.set_length(p.total as u64);
        b.set_position(p.done as u64);
        if p.done >= p.total {
            b.finish_and_clear();
            bar = None;
        }
    }
}

fn say(line: &str) {
    eprintln!("ken: {}", sanitize::line(line, 0));
}

/// Brings the index up to date after a sync; problems are reported on stderr, never fatal
/// to the sync. Returns whether the index is usable.
pub fn after_sync(base: &Base) -> bool {
    match build::update(base, &mut progress_bar(), &mut |n| say(n)) {
        Ok(r) => {
            for f in &r.failures {
                say(&format!("index {f}"));
            }
            true
        }
        Err(e) => {
            say(&e.to_string());
            false
        }
    }
}

/// [`super::open_current`], with progress on stderr.
pub fn open_current(base: &Base) -> Result<SearchIndex, IndexError> {
    super::open_current(base, &mut progress_bar(), &mut |n| say(n))
}

/// Whether every configured source is in the index already (so it was synced once), checked
/// without touching git.
pub fn indexed_all(base: &Base) -> bool {
    SearchIndex::open(base.data_dir()).is_ok_and(|ix| {
        let meta = ix.meta();
        base.config
            .sources
            .iter()
            .all(|s| meta.sources.get(&s.name).is_some_and(|o| o.url == s.url))
    })
}

/// `ken search`: exit 0 with hits, 1 with none, 2 for a query with nothing to search.
pub fn search(
    base: &Base,
    query: &str,
    limit: usize,
    json: bool,
    color: bool,
) -> anyhow::Result<ExitCode> {
    let opts = SearchOptions {
        limit,
        ..SearchOptions::default()
    };
    let mut ix = open_current(base)?;
    let results = match ix.search(query, &opts) {
        Ok(r) => r,
        Err(IndexError::Query(m)) => {
            say(&m);
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            // Damaged in a way only reading shows: rebuild once, then try again.
            say(&format!("{e}; rebuilding the search index"));
            build::rebuild(base, &mut progress_bar(), &mut |n| say(n))?;
            ix = SearchIndex::open(base.data_dir())?;
            ix.search(query, &opts)?
        }
    };
    for n in &results.notices {
        say(n);
    }
    let mut out = std::io::stdout().lock();
    if json {
        let hits: Vec<_> = results
            .pages
            .iter()
            .flat_map(|p| {
                p.sections.iter().map(move |s| {
                    json!({
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
            writeln!(
                out,
                "{}  {}",
                paint("1", &sanitize::line(&p.title, 0)),
                paint("2", &format!("({})", sanitize::line(&p.source, 0)))
            )?;
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
fn highlighted(s: &super::Snippet, color: bool) -> String {
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

/// The index facts for `ken status --json`.
pub fn status_json(base: &Base) -> serde_json::Value {
    super::status_json(base.data_dir())
}

/// One line about the index for `ken status`.
pub fn status_line(base: &Base) -> String {
    let v = super::status_json(base.data_dir());
    match v["state"].as_str() {
        Some("ready") => format!(
            "{} pages, {} sections; last update indexed {} pages",
            v["pages"], v["sections"], v["last_update_indexed"]
        ),
        _ => format!(
            "the index {}; `ken sync` or `ken search` builds it",
            v["problem"].as_str().unwrap_or("is missing")
        ),
    }
}
