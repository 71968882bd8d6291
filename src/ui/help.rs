//! The help screen's state: which screen it tells about, what that screen is for, and how far
//! it is scrolled. The keys come from the keymap, so help can only show what is bound.

use super::cursor;
use super::msg::{Outcome, Screen};
use crate::keymap::{Action, Context, HelpRow, Keymap};

#[derive(Debug, Default)]
pub struct HelpState {
    /// The screen whose keys are shown.
    pub of: Option<Screen>,
    pub scroll: usize,
}

/// One line of the help screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// What the screen is for.
    About(&'static str),
    Blank,
    /// The keys of one keymap table follow.
    Section(Context),
    Row(HelpRow),
}

/// What a screen is for, in a few short lines.
fn about(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::Library => &[
            "The library: every page, in the site's order. Open folders and pages,",
            "filter them by name, or search all pages.",
        ],
        Screen::Search => &[
            "Search: type words; the results come as you type, and a hit opens its",
            "page at the section. Back from a page the list has the keys, and the",
            "search key edits the query again.",
        ],
        Screen::Reader => &[
            "The reader: one page. Scroll, find in the page, select and follow",
            "links, go back and forward, open the outline, bookmark, copy, edit.",
        ],
        Screen::News => &[
            "What's new: the pages added, changed, deleted and renamed by the last",
            "sync, the standards that changed status, and the commits. Enter opens a page.",
        ],
        Screen::Help => &[],
    }
}

impl HelpState {
    /// The help of `screen`, at its top.
    pub fn of(screen: Screen) -> HelpState {
        HelpState {
            of: Some(screen),
            scroll: 0,
        }
    }

    /// The lines of the help: what the screen is for, then its keys by table.
    pub fn lines(&self, keymap: &Keymap) -> Vec<HelpLine> {
        let about = about(self.of.unwrap_or(Screen::Library));
        let mut out: Vec<HelpLine> = about.iter().map(|l| HelpLine::About(l)).collect();
        if !out.is_empty() {
            out.push(HelpLine::Blank);
        }
        let mut last = None;
        for r in self.rows(keymap) {
            if last != Some(r.screen) {
                if last.is_some() {
                    out.push(HelpLine::Blank);
                }
                out.push(HelpLine::Section(r.screen));
                last = Some(r.screen);
            }
            out.push(HelpLine::Row(r));
        }
        out
    }

    /// The help rows of the screen under the help: its own, those for typing where it has a
    /// field, and the global ones.
    pub fn rows(&self, keymap: &Keymap) -> Vec<HelpRow> {
        let of = self.of.unwrap_or(Screen::Library);
        let mut rows = keymap.help_rows(of.context());
        if matches!(of, Screen::Search | Screen::Library | Screen::Reader) {
            let global_at = rows
                .iter()
                .position(|r| r.screen == Context::Global)
                .unwrap_or(rows.len());
            let input: Vec<_> = keymap
                .help_rows(Context::Input)
                .into_iter()
                .filter(|r| r.screen == Context::Input)
                .collect();
            rows.splice(global_at..global_at, input);
        }
        rows
    }

    /// What an action does on the help screen (`lines`: how many it has, so that the last
    /// one can be scrolled to).
    pub fn act(&mut self, a: Action, rows: usize, lines: usize) -> Outcome {
        let out = match a {
            Action::Back | Action::Cancel => Outcome::Back,
            _ if cursor::scroll(&mut self.scroll, a, rows) => Outcome::Done,
            _ => Outcome::Ignored,
        };
        self.scroll = self.scroll.min(lines.saturating_sub(rows));
        out
    }
}
