//! The what's-new screen's state: what changed in each source since the last sync, as
//! `ken news --since last-sync` tells it ([`crate::history::news`] computes it, in a
//! background job), turned into rows: a source's range, the standards' events, each page
//! added, changed, deleted or renamed (with its old path) with its changed sections and
//! commits, and the commit count. `Enter` opens the page of the selected row.

use super::cursor::{ListCursor, Paging};
use super::data::{Library, Terms};
use super::msg::{Message, Outcome};
use crate::history::news::{AllNews, PageChange};
use crate::history::{self};
use crate::keymap::Action;
use crate::sanitize;

/// What a row of the screen is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A source and the commits compared.
    Source,
    /// A standard's lifecycle event.
    Event,
    Page,
    /// A page's changed sections or one of its commits.
    Detail,
    /// Why a source has no news.
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsRow {
    pub kind: RowKind,
    /// Sanitized.
    pub text: String,
    /// The page the row is about: (source, path), and whether it was deleted.
    pub page: Option<(String, String, bool)>,
}

#[derive(Debug, Default)]
pub struct NewsState {
    /// Asked for and not answered yet.
    pub loading: bool,
    pub rows: Vec<NewsRow>,
    pub cursor: ListCursor,
}

fn clean(s: &str) -> String {
    sanitize::line(s, 0).into_owned()
}

impl NewsState {
    /// The news arrived: rows from them, read at `now` (for "3 weeks ago").
    pub fn loaded(&mut self, all: &AllNews, now: i64, rows: usize) {
        self.loading = false;
        self.rows = news_rows(all, now);
        self.cursor.clamp(self.rows.len());
        self.cursor.show(rows);
    }

    /// What an action does on the what's-new screen.
    pub fn act(&mut self, a: Action, lib: &Library, rows: usize) -> Outcome {
        let paging = Paging {
            page: rows.max(1),
            half: Some((rows / 2).max(1)),
        };
        let out = if self.cursor.act(a, self.rows.len(), paging) {
            Outcome::Done
        } else {
            match a {
                Action::Open => self.open(lib),
                Action::Back | Action::Cancel => Outcome::Back,
                _ => Outcome::Ignored,
            }
        };
        self.cursor.show(rows);
        out
    }

    fn open(&self, lib: &Library) -> Outcome {
        let Some(row) = self.rows.get(self.cursor.selected) else {
            return Outcome::Done;
        };
        match &row.page {
            Some((_, path, true)) => {
                Message::info(format!("{} was deleted in this sync", clean(path))).into()
            }
            Some((source, path, false)) => match lib.find(source, path) {
                Some(doc) => Outcome::Open {
                    doc,
                    anchor: None,
                    terms: Terms::default(),
                },
                None => Message::error(format!("{} is not in the library", clean(path))).into(),
            },
            None => Outcome::Done,
        }
    }
}

/// The rows of the news of every source, then the notes of those without.
pub fn news_rows(all: &AllNews, now: i64) -> Vec<NewsRow> {
    let mut out = Vec::new();
    let row =
        |kind, text: String, page: Option<(String, String, bool)>| NewsRow { kind, text, page };
    for n in &all.news {
        let commits = history::news::commits_text(n.commits.len(), n.commits_truncated);
        out.push(row(
            RowKind::Source,
            format!("{}: {}, {commits}", clean(&n.source), n.range_line()),
            None,
        ));
        // A site: each repository that moved, with its own range (as `ken news` says).
        for r in &n.repos {
            out.push(row(
                RowKind::Detail,
                format!("  {}  {}", clean(&r.repo), r.range_line()),
                None,
            ));
        }
        if n.pages.is_empty() {
            out.push(row(RowKind::Note, "  no page changed".into(), None));
        }
        let page = |path: &str, deleted| Some((n.source.clone(), path.to_string(), deleted));
        for e in &n.events {
            let deleted = e.kind == history::news::EventKind::Removed;
            out.push(row(
                RowKind::Event,
                format!("  {}", clean(&e.text)),
                page(&e.path, deleted),
            ));
        }
        for p in &n.pages {
            let deleted = p.change == PageChange::Deleted;
            let what = p.change.verb();
            let from = p
                .from
                .as_deref()
                .map(|f| format!(" (from {})", clean(f)))
                .unwrap_or_default();
            let minor = if p.minor { " — minor" } else { "" };
            let repo = p
                .repo
                .as_deref()
                .map(|r| format!("  [{}]", clean(r)))
                .unwrap_or_default();
            out.push(row(
                RowKind::Page,
                format!(
                    "  {what:<8} {}{from}  {}{repo}{minor}",
                    clean(&p.path),
                    clean(&p.title)
                ),
                page(&p.path, deleted),
            ));
            if let Some(sections) = p.sections_line() {
                out.push(row(
                    RowKind::Detail,
                    format!("           sections: {sections}"),
                    page(&p.path, deleted),
                ));
            }
            for &c in &p.commits {
                let Some(c) = n.commits.get(c) else { continue };
                out.push(row(
                    RowKind::Detail,
                    format!(
                        "           {}  {}: {}",
                        history::ago(c.time, now),
                        c.author_shown().unwrap_or_default(),
                        c.subject_shown().unwrap_or_default()
                    ),
                    page(&p.path, deleted),
                ));
            }
        }
    }
    for note in &all.notes {
        out.push(row(RowKind::Note, clean(note), None));
    }
    out
}
