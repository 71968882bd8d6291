//! "Report a problem": a ready link that opens a new issue about a page in the repository
//! the page really comes from (for a page of a site, the imported repository, not the site's),
//! its text holding the page's address, a permalink to the exact commit and lines, and the
//! quoted lines. `ken report` and the reader's key both make it here.

use serde::Serialize;

use crate::corpus::{Document, Parsed};
use crate::forge;
use crate::index::sections;
use crate::source::FileOrigin;

/// At most this many lines are quoted, so that the link stays short enough for a browser
/// (and for the forge, which refuses very long addresses).
const MAX_QUOTED_LINES: usize = 40;
const MAX_QUOTED_CHARS: usize = 2_000;

/// A ready report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The new-issue address, title and body filled in.
    pub url: String,
    /// The page's lines (or the whole file) at the commit read.
    pub permalink: String,
    /// Where the page comes from.
    pub origin: FileOrigin,
    /// The lines reported, in the file (front matter counted), when any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<(usize, usize)>,
    pub title: String,
    pub body: String,
}

/// Why no report can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error(
        "{repo} is not on GitHub or GitLab: no report link (the page is {path} at commit {commit})"
    )]
    NoForge {
        repo: String,
        path: String,
        commit: String,
    },
    #[error("{path} is not from a synced repository (a local folder's page is edited with e)")]
    NoOrigin { path: String },
    #[error("lines {a}-{b}: {path} has {count} lines")]
    Lines {
        path: String,
        a: usize,
        b: usize,
        count: usize,
    },
    #[error("{path} has no section #{anchor}")]
    NoSection { path: String, anchor: String },
}

/// The report about `doc` (read as `parsed`), to the repository of its origin: about lines `a`–`b` of the file
/// when `lines` is given, else about the section `anchor` (its heading to the next heading
/// of the same or a higher level), else about the page. `page` is the page's address (its
/// site URL, or `source:path`).
pub fn report(
    doc: &Document,
    page: &str,
    parsed: &Parsed,
    lines: Option<(usize, usize)>,
    anchor: Option<&str>,
) -> Result<Report, ReportError> {
    let origin = doc.origin.as_ref().ok_or_else(|| ReportError::NoOrigin {
        path: doc.path.clone(),
    })?;
    let body_lines: Vec<&str> = parsed.body.lines().collect();
    let count = parsed.body_line - 1 + body_lines.len();
    let range = match (lines, anchor) {
        (Some((a, b)), _) => {
            if a == 0 || a > b || b > count {
                return Err(ReportError::Lines {
                    path: doc.path.clone(),
                    a,
                    b,
                    count,
                });
            }
            Some((a, b))
        }
        (None, Some(anchor)) => {
            Some(
                section_lines(parsed, anchor).ok_or_else(|| ReportError::NoSection {
                    path: doc.path.clone(),
                    anchor: anchor.to_string(),
                })?,
            )
        }
        (None, None) => None,
    };
    let no_forge = || ReportError::NoForge {
        repo: origin.repo.clone(),
        path: origin.path.clone(),
        commit: origin.commit.clone(),
    };
    let permalink =
        forge::permalink(&origin.repo, &origin.commit, &origin.path, range).ok_or_else(no_forge)?;
    let title = format!("Problem on the page \"{}\"", parsed.title);
    let mut body = format!("Page: {page}\nSource: {permalink}\n");
    if let Some((a, b)) = range {
        // Lines of the front matter are not in the body; they are in the permalink.
        let first = a.max(parsed.body_line);
        let quoted: Vec<&str> = (first..=b)
            .filter_map(|n| body_lines.get(n - parsed.body_line).copied())
            .collect();
        if !quoted.is_empty() {
            body.push('\n');
            let mut chars = 0;
            for (i, l) in quoted.iter().enumerate() {
                chars += l.chars().count();
                if i == MAX_QUOTED_LINES || chars > MAX_QUOTED_CHARS {
                    body.push_str("> …\n");
                    break;
                }
                if l.trim().is_empty() {
                    body.push_str(">\n");
                } else {
                    body.push_str(&format!("> {l}\n"));
                }
            }
        }
    }
    body.push_str("\nWhat is wrong or missing:\n\n");
    let url = forge::issue_url(&origin.repo, &title, &body).ok_or_else(no_forge)?;
    Ok(Report {
        url,
        permalink,
        origin: origin.clone(),
        lines: range,
        title,
        body,
    })
}

/// The lines of the file that the section `anchor` covers: its heading to the line before
/// the next heading of the same or a higher level (blank lines at its end left out), or to
/// the end of the file.
fn section_lines(parsed: &Parsed, anchor: &str) -> Option<(usize, usize)> {
    let body = &parsed.body;
    let all = sections::split(body);
    let i = all.iter().position(|s| s.level > 0 && s.anchor == anchor)?;
    let line_of =
        |offset: usize| parsed.body_line + body[..offset.min(body.len())].matches('\n').count();
    let start = line_of(all[i].start);
    let end_offset = all[i + 1..]
        .iter()
        .find(|s| s.level > 0 && s.level <= all[i].level)
        .map_or(body.len(), |s| s.start);
    let mut end = line_of(end_offset);
    if end_offset < body.len() || body.ends_with('\n') {
        // The next heading's line, or the line after the last newline, is not the section's.
        end -= 1;
    }
    let lines: Vec<&str> = body.lines().collect();
    while end > start
        && lines
            .get(end - parsed.body_line)
            .is_some_and(|l| l.trim().is_empty())
    {
        end -= 1;
    }
    Some((start, end.max(start)))
}
