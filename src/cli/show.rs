//! `ken show DOC`: one page rendered to the terminal (or a pipe), paged when it is long.

use std::io::{IsTerminal, Write};
use std::process::{Command, ExitCode, Stdio};

use clap::ValueEnum;

use crate::base::Base;

use crate::markdown::{self, ansi};

/// When to send the page through a pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Paging {
    /// When stdout is a terminal and the page is taller than it.
    #[default]
    Auto,
    Always,
    Never,
}

/// Finds the page `doc` names and renders it at `width` (the terminal's width, else 80).
fn render(base: &Base, doc: &str, width: Option<usize>, color: bool) -> anyhow::Result<String> {
    let mut found = base.find(doc)?;
    let parsed = base.read_found(&mut found)?;
    let width = width.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            crossterm::terminal::size().map_or(80, |(w, _)| w as usize)
        } else {
            80
        }
    });
    // Plain output has no use for code classes; a printed page numbers its links.
    let opts = markdown::Options {
        highlight: color,
        link_refs: true,
    };
    let (model, lay) =
        markdown::model::parse_and_layout(&parsed.body, parsed.front_matter.as_ref(), opts, width);
    let mut out = ansi::render(&lay, color);
    out.push_str(&link_list(&model));
    // `ken show` ends once the text is out: the process's exit frees the page's model and
    // layout at once, where dropping them frees their many small pieces one by one (half a
    // millisecond on a 170 KB page).
    std::mem::forget((model, lay));
    Ok(out)
}

/// The targets of the numbered links, under "References" after the page:
/// `[1] ../ops/restart.md#now`, one per line, never cut (to be copied whole), sanitized.
fn link_list(model: &markdown::Document) -> String {
    let mut out = String::new();
    for (n, &i) in model.link_refs.iter().enumerate() {
        if let Some(link) = model.links.get(i) {
            if out.is_empty() {
                out.push_str("\nReferences\n");
            }
            let url = crate::sanitize::line(link.url.trim(), 0);
            out.push_str(&format!("[{}] {url}\n", n + 1));
        }
    }
    out
}

/// `ken show`: exit 0 when shown, 1 with one line on stderr when not.
pub fn run(
    base: &Base,
    doc: &str,
    width: Option<usize>,
    paging: Paging,
    color: bool,
) -> anyhow::Result<ExitCode> {
    let text = match render(base, doc, width, color) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ken: {}", crate::sanitize::line(&e.to_string(), 0));
            return Ok(ExitCode::FAILURE);
        }
    };
    let tty = std::io::stdout().is_terminal();
    let page = match paging {
        Paging::Never => false,
        Paging::Always => true,
        Paging::Auto => {
            tty && crossterm::terminal::size()
                .is_ok_and(|(_, h)| text.lines().count() >= h as usize)
        }
    };
    if page && let Some(r) = pager(&text) {
        r?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Sends text through `$PAGER` (default `less -R`); `None` when no pager could be started.
fn pager(text: &str) -> Option<std::io::Result<()>> {
    let cmd = std::env::var("PAGER").unwrap_or_else(|_| "less -R".into());
    let mut parts = cmd.split_whitespace();
    let prog = parts.next()?;
    let mut child = Command::new(prog)
        .args(parts)
        .stdin(Stdio::piped())
        .spawn()
        .ok()?;
    if let Some(mut stdin) = child.stdin.take() {
        // The reader quitting the pager early closes the pipe: not an error.
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Some(Err(e)),
            _ => {}
        }
    }
    Some(child.wait().map(|_| ()))
}
