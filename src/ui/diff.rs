//! The reader's view of what changed in a page in the last sync: the page as it reads now,
//! with the lines the sync added marked `+` and the lines it removed shown struck through
//! after a `-`, rendered (both versions laid out by the markdown module at the same width and
//! compared line by line with `similar`), not a patch of the Markdown source.
//!
//! The two versions are the page at the two commits `ken news --since last-sync` compares
//! ([`crate::history::news`]), read in a background job ([`since_last_sync`]); the comparison
//! of the laid-out lines is made again on the UI thread only when the width changes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::text::{Line, Span};
use similar::{Algorithm, DiffTag};

use super::cursor;
use super::page::{self, Page};
use crate::base::Base;
use crate::history::news::{self, PageChange, Since};
use crate::keymap::Action;
use crate::theme::Theme;

/// The two versions of a page in the last sync, as the job reads them.
#[derive(Debug, Clone)]
pub struct Compared {
    /// Before the sync; `None` for a page the sync added.
    pub old: Option<Arc<Page>>,
    pub new: Arc<Page>,
    /// The commit before the sync (short).
    pub since: String,
    /// The page's path before the sync, when it was renamed.
    pub from: Option<String>,
    /// False when the sync did not change this page.
    pub changed: bool,
}

/// Reads the open page before and after the last sync of its source. An error says why there
/// is nothing to compare (a local folder, a source synced once).
pub fn since_last_sync(base: &Base, source: &str, path: &str) -> Result<Compared, String> {
    let spec = base
        .spec(source)
        .ok_or_else(|| format!("{source}: no such source"))?;
    let n = news::news(base, spec, &Since::LastSync)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{source} was synced once so far: nothing to compare with yet"))?;
    let old_commit = n.old.clone().unwrap_or_default();
    let read = |commit: &str, path: &str| {
        news::page_at(base, spec, commit, path).map_err(|e| e.to_string())
    };
    let new = read(&n.new, path)?.ok_or_else(|| format!("{path} is not in the synced copy"))?;
    let p = n.pages.iter().find(|p| p.path == path);
    let old_path = match p.map(|p| p.change) {
        None => None,
        Some(PageChange::Added) => None,
        Some(_) => Some(
            p.and_then(|p| p.from.clone())
                .unwrap_or_else(|| path.to_string()),
        ),
    };
    let old = match &old_path {
        Some(op) => read(&old_commit, op)?,
        None => None,
    };
    Ok(Compared {
        old: old.map(|o| page::highlighted(&o.body)),
        new: page::highlighted(&new.body),
        since: old_commit.chars().take(10).collect(),
        from: p.and_then(|p| p.from.clone()),
        changed: p.is_some(),
    })
}

/// How a line of the view changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Same,
    Added,
    Removed,
}

impl Mark {
    /// The gutter before the line.
    pub fn gutter(self) -> &'static str {
        match self {
            Mark::Same => "  ",
            Mark::Added => "+ ",
            Mark::Removed => "- ",
        }
    }
}

/// The lines with their marks, at one width.
pub struct DiffView {
    pub compared: Compared,
    pub lines: Vec<(Mark, Line<'static>)>,
    pub scroll: usize,
    pub added: usize,
    pub removed: usize,
    width: u16,
}

/// A comparison of two pages' lines gives up finding the shortest edit after this long and
/// gives a longer (still correct) one.
const DEADLINE: Duration = Duration::from_millis(200);

impl DiffView {
    pub fn new(compared: Compared, width: u16, theme: &Theme) -> DiffView {
        let mut v = DiffView {
            compared,
            lines: Vec::new(),
            scroll: 0,
            added: 0,
            removed: 0,
            width: 0,
        };
        v.resize(width, theme);
        v
    }

    /// Lays both versions out at `width` (less the gutter) and compares their lines.
    pub fn resize(&mut self, width: u16, theme: &Theme) {
        if width == self.width {
            return;
        }
        self.width = width;
        let w = (width as usize).saturating_sub(2).max(1);
        let styled = |p: &Page| {
            let layout = p.doc.layout(w);
            let texts: Vec<String> = layout.lines.iter().map(|l| l.text()).collect();
            (texts, page::styled(&layout, theme).lines)
        };
        let (new_text, new_lines) = styled(&self.compared.new);
        let (old_text, old_lines) = match &self.compared.old {
            Some(o) => styled(o),
            None => (Vec::new(), Vec::new()),
        };
        let ops = similar::capture_diff_slices_deadline(
            Algorithm::Myers,
            &old_text,
            &new_text,
            Some(Instant::now() + DEADLINE),
        );
        let added = theme.style("diff.added");
        let removed = theme.style("diff.removed");
        let mark = |m: Mark, line: &Line<'static>| {
            let style = match m {
                Mark::Same => return (m, line.clone()),
                Mark::Added => added,
                Mark::Removed => removed,
            };
            let mut spans = vec![Span::styled(m.gutter(), style)];
            spans.extend(
                line.spans
                    .iter()
                    .map(|s| Span::styled(s.content.clone(), s.style.patch(style))),
            );
            (m, Line::from(spans))
        };
        self.lines.clear();
        for op in ops {
            let (tag, old, new) = op.as_tag_tuple();
            if matches!(tag, DiffTag::Delete | DiffTag::Replace) {
                self.lines
                    .extend(old_lines[old].iter().map(|l| mark(Mark::Removed, l)));
            }
            if tag == DiffTag::Equal {
                self.lines
                    .extend(new_lines[new].iter().map(|l| mark(Mark::Same, l)));
            } else if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
                self.lines
                    .extend(new_lines[new].iter().map(|l| mark(Mark::Added, l)));
            }
        }
        // Blank lines are marked but not counted: "1 line added" is the line of text.
        let count = |m: Mark| {
            let text = |l: &Line| l.spans.iter().skip(1).any(|s| !s.content.trim().is_empty());
            self.lines.iter().filter(|l| l.0 == m && text(&l.1)).count()
        };
        self.added = count(Mark::Added);
        self.removed = count(Mark::Removed);
    }

    /// What an action does in the view: `None` when it closes it (the diff key again, back,
    /// cancel); `Some(false)` when it is not the view's.
    pub fn act(&mut self, a: Action, rows: usize) -> Option<bool> {
        match a {
            Action::Diff | Action::Back | Action::Cancel => return None,
            Action::FindNext | Action::FindPrev => self.next_change(a == Action::FindNext, rows),
            _ if cursor::scroll(&mut self.scroll, a, rows) => {}
            _ => return Some(false),
        }
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(rows));
        Some(true)
    }

    /// The first line of each run of changed lines.
    fn change_starts(&self) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|&i| {
                self.lines[i].0 != Mark::Same && (i == 0 || self.lines[i - 1].0 == Mark::Same)
            })
            .collect()
    }

    /// Scrolls to the next (or previous) change, a third of the screen down.
    fn next_change(&mut self, forward: bool, rows: usize) {
        let starts = self.change_starts();
        let at = self.scroll + rows / 3;
        let target = if forward {
            starts.iter().find(|&&s| s > at).or(starts.first())
        } else {
            starts.iter().rev().find(|&&s| s < at).or(starts.last())
        };
        if let Some(&t) = target {
            self.scroll = t.saturating_sub(rows / 3);
        }
    }

    /// Scrolls to the first change (the view opens there).
    pub fn first_change(&mut self, rows: usize) {
        if let Some(&t) = self.change_starts().first() {
            self.scroll = t.saturating_sub(rows / 3);
        }
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(rows));
    }

    /// "3 lines added, 1 removed since 3eaaa9a043 (renamed from old.md)".
    pub fn summary(&self) -> String {
        let from = self
            .compared
            .from
            .as_deref()
            .map(|f| format!(" (renamed from {f})"))
            .unwrap_or_default();
        let what = if self.compared.old.is_none() {
            "new in the last sync".to_string()
        } else {
            format!(
                "{} line{} added, {} removed since {}",
                self.added,
                if self.added == 1 { "" } else { "s" },
                self.removed,
                self.compared.since
            )
        };
        crate::sanitize::line(&format!("{what}{from}"), 0).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::Depth;

    #[test]
    fn added_and_removed_lines_are_marked_in_the_rendered_page() {
        let c = Compared {
            old: Some(page::parse("# T\n\nKeep this.\n\nDrop this.\n", false)),
            new: page::parse("# T\n\nKeep this.\n\nAdd this.\n", false),
            since: "abc".into(),
            from: None,
            changed: true,
        };
        let mut v = DiffView::new(c, 40, &Theme::plain(Depth::None));
        let text = |m: Mark| -> Vec<String> {
            v.lines
                .iter()
                .filter(|l| l.0 == m)
                .map(|l| l.1.to_string().trim_end().to_string())
                .collect()
        };
        assert_eq!(text(Mark::Added), ["+ Add this."]);
        assert_eq!(text(Mark::Removed), ["- Drop this."]);
        assert_eq!(v.summary(), "1 line added, 1 removed since abc");
        v.first_change(10);
        assert!(v.act(Action::Diff, 10).is_none(), "the key closes the view");
    }
}
