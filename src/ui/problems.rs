//! The problems `ken check` finds in the pages the reader shows: each page shown is checked
//! alone against its source's whole copy in a background job ([`crate::check::page`]: the
//! same findings `ken check` gives the page, cross-document rules included, in milliseconds
//! on a source of any size), kept here by page until the library changes; and where each
//! problem of the open page is in the page as laid out, to jump to it.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Parser, Tag};

use super::msg::Effect;
use crate::check::Finding;
use crate::markdown::Layout;

/// The findings of every page checked so far, for the library shown.
#[derive(Debug, Default)]
pub struct Problems {
    /// Each page's findings (by source and path), or why its source could not be checked.
    by_page: HashMap<(String, String), Result<Vec<Finding>, String>>,
    asked: HashSet<(String, String)>,
    /// Which library the findings are of: answers asked for an earlier one are dropped.
    generation: u64,
}

impl Problems {
    /// A new library: its pages are checked again when shown, against its copies.
    pub fn clear(&mut self) {
        let generation = self.generation + 1;
        *self = Problems {
            generation,
            ..Problems::default()
        };
    }

    /// The job to ask for when a page is shown whose findings are not known or asked yet.
    pub fn want(&mut self, source: &str, path: &str) -> Option<Effect> {
        self.asked
            .insert((source.to_string(), path.to_string()))
            .then(|| Effect::Check {
                source: source.to_string(),
                path: path.to_string(),
                generation: self.generation,
            })
    }

    /// A page's findings arrived (or why its source could not be checked); an answer for an
    /// earlier library is dropped (false).
    pub fn checked(
        &mut self,
        generation: u64,
        source: String,
        path: String,
        result: Result<Vec<Finding>, String>,
    ) -> bool {
        let current = generation == self.generation;
        if current {
            self.by_page.insert((source, path), result);
        }
        current
    }

    /// A page's findings: `None` while it is being checked (and until asked for), or when it
    /// could not be.
    pub fn of(&self, source: &str, path: &str) -> Option<Vec<Finding>> {
        self.by_page
            .get(&(source.to_string(), path.to_string()))?
            .as_ref()
            .ok()
            .cloned()
    }
}

/// A problem of the open page, where it is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The laid-out line to jump to.
    pub line: usize,
    /// `12:5 error: … [rule]`, sanitized.
    pub text: String,
}

/// The page's source lines of its headings, in order (1-based, counted in the body), as the
/// reader's model finds them (the same Markdown options).
pub fn heading_lines(body: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut at = 0;
    for (ev, range) in
        Parser::new_ext(body, crate::markdown::model::cmark_options()).into_offset_iter()
    {
        if let Event::Start(Tag::Heading { .. }) = ev {
            line += body[at..range.start].matches('\n').count();
            at = range.start;
            out.push(line);
        }
    }
    out
}

/// What a source line shows in the reader, to find it there: the text of the link whose
/// target the column points into (`[the guide](missing.md)` → `the guide`), else the line
/// without Markdown's marks.
fn shown_text(line: &str, column: usize) -> String {
    let before: String = line.chars().take(column.saturating_sub(1)).collect();
    if let Some(open) = before.rfind("](")
        && let Some(start) = before[..open].rfind('[')
    {
        return before[start + 1..open].to_string();
    }
    line.trim()
        .trim_start_matches(['#', '>', '-', '*', '+', ' '])
        .replace(['*', '_', '`', '[', ']'], "")
        .trim()
        .to_string()
}

/// Where each finding is in the laid-out page: a finding in the front matter at the top, else
/// in the section of the heading above its line, at the first laid-out line there that shows
/// its text (the section's heading when none does).
pub fn locate(
    findings: &[Finding],
    body: &str,
    body_line: usize,
    headings: &[usize],
    layout: &Layout,
) -> Vec<Problem> {
    let lines: Vec<&str> = body.lines().collect();
    let texts: Vec<String> = layout.lines.iter().map(|l| l.text()).collect();
    let mut out: Vec<Problem> = findings
        .iter()
        .map(|f| {
            let text = crate::sanitize::line(
                &format!(
                    "{}:{} {}: {} [{}]",
                    f.line,
                    f.column,
                    f.severity.as_str(),
                    f.message,
                    f.rule.as_str()
                ),
                0,
            )
            .into_owned();
            let line = f.line as usize;
            if line < body_line {
                return Problem { line: 0, text };
            }
            let b = line - body_line + 1;
            let k = headings.iter().filter(|&&h| h <= b).count();
            let start = k
                .checked_sub(1)
                .and_then(|i| layout.heading_lines.get(i).copied())
                .unwrap_or(0);
            let end = layout.heading_lines.get(k).copied().unwrap_or(texts.len());
            let want = lines
                .get(b - 1)
                .map(|l| shown_text(l, f.column as usize))
                .unwrap_or_default();
            // A wrapped line shows only its beginning on the first laid-out line.
            let want: String = want.chars().take(24).collect();
            let found = (start..end.max(start)).find(|&i| {
                !want.trim().is_empty() && texts.get(i).is_some_and(|t| t.contains(want.trim()))
            });
            Problem {
                line: found.unwrap_or(start),
                text,
            }
        })
        .collect();
    out.sort_by_key(|p| p.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_s_finding_is_found_where_its_text_is_drawn() {
        assert_eq!(shown_text("See [the guide](gone.md) now.", 17), "the guide");
        assert_eq!(shown_text("## Keys and *more*", 1), "Keys and more");
        let body = "# Top\n\nIntro.\n\n## Keys\n\nText.\n\nSee [the guide](gone.md).\n";
        assert_eq!(heading_lines(body), [1, 5]);
    }
}
