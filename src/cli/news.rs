//! `ken news`: what changed in each source since the last sync (or a date, or a commit), as
//! text or JSON. Every string from a repository passes `sanitize::line` in the text form.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::{Out, short};
use crate::base::Base;
use crate::history;
use crate::history::news::{self, News, Since};
use crate::sanitize;

pub fn run(base: &Base, since: &str, json: bool, out: &Out) -> anyhow::Result<ExitCode> {
    let since_arg = since;
    let since = Since::parse(since, history::now());
    let news::AllNews {
        news: all,
        notes,
        tried,
        failed,
    } = news::all(base, &since);
    for n in &notes {
        eprintln!("note: {}", sanitize::line(n, 0));
    }
    let mut stdout = std::io::stdout().lock();
    if json {
        let v = json!({"since": since_arg, "sources": all});
        writeln!(stdout, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        text(&mut stdout, &all, out)?;
    }
    Ok(if tried > 0 && failed == tried {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn text(w: &mut impl Write, all: &[News], out: &Out) -> anyhow::Result<()> {
    let now = history::now();
    let clean = |s: &str| sanitize::line(s, 0).into_owned();
    for (i, n) in all.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let range = match &n.old {
            Some(o) => format!("{} → {}", short(o), short(&n.new)),
            None => format!("everything up to {}", short(&n.new)),
        };
        let rewritten = if n.rewritten {
            " (history was rewritten: the two tips compared)"
        } else {
            ""
        };
        if n.repos.is_empty() {
            writeln!(w, "{}: {range}{rewritten}", out.bold(&clean(&n.source)))?;
        } else {
            // A site: each repository that moved, with its own range.
            let moved = n.repos.len();
            let s = if moved == 1 { "y" } else { "ies" };
            writeln!(
                w,
                "{}: site, {moved} repositor{s} moved",
                out.bold(&clean(&n.source))
            )?;
            for r in &n.repos {
                let range = match &r.old {
                    Some(o) => format!("{} → {}", short(o), short(&r.new)),
                    None => format!("new, up to {}", short(&r.new)),
                };
                let rewritten = if r.rewritten {
                    " (history was rewritten: the two tips compared)"
                } else {
                    ""
                };
                let count = r.commits.len();
                let more = if r.commits_truncated { "+" } else { "" };
                let s = if count == 1 { "" } else { "s" };
                writeln!(
                    w,
                    "  {}  {range}{rewritten}, {count}{more} commit{s}",
                    clean(&r.repo)
                )?;
            }
        }
        if n.pages.is_empty() {
            writeln!(w, "  no page changed")?;
        }
        for e in &n.events {
            writeln!(w, "  {}", out.bold(&clean(&e.text)))?;
        }
        for p in &n.pages {
            let what = p.change.verb();
            let from = p
                .from
                .as_deref()
                .map(|f| format!(" (from {})", clean(f)))
                .unwrap_or_default();
            let minor = if p.minor {
                out.dim(" — minor: whitespace or links only")
            } else {
                String::new()
            };
            let repo = p
                .repo
                .as_deref()
                .map(|r| out.dim(&format!("  [{}]", clean(r))))
                .unwrap_or_default();
            writeln!(
                w,
                "  {what:<8} {}{from}  {}{repo}{minor}",
                clean(&p.path),
                out.dim(&clean(&p.title))
            )?;
            if let Some(sections) = p.sections_line() {
                writeln!(w, "           sections: {sections}")?;
            }
            for &c in p.commits.iter().take(3) {
                let c = &n.commits[c];
                writeln!(
                    w,
                    "           {}  {}: {}",
                    out.dim(&history::ago(c.time, now)),
                    c.author_shown().unwrap_or_default(),
                    c.subject_shown().unwrap_or_default()
                )?;
            }
            if p.commits.len() > 3 {
                writeln!(w, "           … and {} more commits", p.commits.len() - 3)?;
            }
        }
        let more = if n.commits_truncated { "+" } else { "" };
        writeln!(w, "  {} commits{more}", n.commits.len())?;
    }
    Ok(())
}
