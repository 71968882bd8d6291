//! `ken news`: what changed in each source since the last sync (or a date, or a commit), as
//! text or JSON. Every string from a repository passes `sanitize::line` in the text form.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::Out;
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
        writeln!(w, "{}: {}", out.bold(&clean(&n.source)), n.range_line())?;
        // A site: each repository that moved, with its own range.
        for r in &n.repos {
            writeln!(w, "  {}  {}", clean(&r.repo), r.range_line())?;
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
        writeln!(
            w,
            "  {}",
            history::news::commits_text(n.commits.len(), n.commits_truncated)
        )?;
    }
    Ok(())
}
