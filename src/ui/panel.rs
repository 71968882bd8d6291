//! The lists over the reader: the page's outline, the bookmarks and the recent pages, and
//! what their keys do. Picking an entry is answered as an [`Outcome`] for the app.

use super::cursor::{ListCursor, Paging};
use super::history::History;
use super::msg::{Message, Outcome};
use super::reader::Reader;
use crate::keymap::Action;

/// A list over the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    Outline,
    Bookmarks,
    Recent,
    /// The page's problems found by `ken check`.
    Problems,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub kind: PanelKind,
    pub cursor: ListCursor,
}

impl Panel {
    /// A panel with `selected` selected.
    pub fn new(kind: PanelKind, selected: usize) -> Panel {
        Panel {
            kind,
            cursor: ListCursor {
                selected,
                offset: 0,
            },
        }
    }

    /// Opens the panel of `kind` in `open`, or closes it if it is the one open. A panel
    /// that would be empty is not opened: the message says why.
    pub fn toggle(
        open: &mut Option<Panel>,
        kind: PanelKind,
        history: &History,
        reader: Option<&Reader>,
    ) -> Outcome {
        if open.as_ref().is_some_and(|p| p.kind == kind) {
            *open = None;
            return Outcome::Done;
        }
        if kind == PanelKind::Outline && reader.is_none() {
            return Message::info("open a page to see its outline").into();
        }
        let selected = match kind {
            PanelKind::Outline => reader.and_then(Reader::section),
            _ => None,
        };
        let panel = Panel::new(kind, selected.unwrap_or(0));
        if panel.len(history, reader) == 0 {
            *open = None;
            return Message::info(match kind {
                PanelKind::Outline => "this page has no headings",
                PanelKind::Bookmarks => "no bookmarks yet",
                PanelKind::Recent => "no pages read yet",
                PanelKind::Problems if reader.is_some_and(|r| r.findings.is_none()) => {
                    "this page's source is still being checked"
                }
                PanelKind::Problems => "ken check finds no problem in this page",
            })
            .into();
        }
        *open = Some(panel);
        Outcome::Done
    }

    /// The list in `open` has `left` entries now (one was deleted): the selection stays in
    /// it, and an empty panel closes.
    pub fn shrunk(open: &mut Option<Panel>, left: usize) {
        if let Some(p) = open {
            p.cursor.clamp(left);
        }
        if left == 0 {
            *open = None;
        }
    }

    /// Whether jumping to a line of the page closes the panel: the outline stays beside the
    /// page it moves, the problems' list covers it.
    pub fn closes_on_jump(&self) -> bool {
        self.kind == PanelKind::Problems
    }

    /// The number of entries.
    pub fn len(&self, history: &History, reader: Option<&Reader>) -> usize {
        match self.kind {
            PanelKind::Outline => reader.map_or(0, |r| r.doc().headings.len()),
            PanelKind::Bookmarks => history.bookmarks.items.len(),
            PanelKind::Recent => history.history.recent.len(),
            PanelKind::Problems => reader.and_then(|r| r.findings.as_ref()).map_or(0, Vec::len),
        }
    }

    /// What an action does while the panel is open; actions that are not the panel's go on
    /// to the reader.
    pub fn act(
        &mut self,
        a: Action,
        rows: usize,
        history: &History,
        reader: Option<&Reader>,
    ) -> Outcome {
        let half = rows / 2;
        let paging = Paging {
            page: half,
            half: Some(half),
        };
        if self.cursor.act(a, self.len(history, reader), paging) {
            return Outcome::Done;
        }
        let i = self.cursor.selected;
        match (a, self.kind) {
            (Action::Cancel | Action::Back, _) => Outcome::Close,
            (Action::Open | Action::FollowLink, PanelKind::Outline) => reader
                .and_then(|r| r.layout.heading_lines.get(i).copied())
                .map_or(Outcome::Done, Outcome::ScrollTo),
            (Action::Open | Action::FollowLink, PanelKind::Bookmarks) => history
                .bookmarks
                .items
                .get(i)
                .map_or(Outcome::Done, |b| Outcome::OpenPlace(b.place.clone())),
            (Action::Open | Action::FollowLink, PanelKind::Recent) => history
                .history
                .recent
                .get(i)
                .map_or(Outcome::Done, |p| Outcome::OpenPlace(p.clone())),
            (Action::Open | Action::FollowLink, PanelKind::Problems) => reader
                .and_then(|r| r.problems().get(i).map(|p| p.line))
                .map_or(Outcome::Done, Outcome::ScrollTo),
            (Action::DeleteItem, PanelKind::Bookmarks) => Outcome::DeleteBookmark(i),
            _ => Outcome::Ignored,
        }
    }
}
