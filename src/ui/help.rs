//! The help screen's state: which screen's keys it shows and how far it is scrolled. The
//! rows come from the keymap, so help can only show what is bound.

use super::cursor;
use super::msg::{Outcome, Screen};
use crate::keymap::{Action, Context, HelpRow, Keymap};

#[derive(Debug, Default)]
pub struct HelpState {
    /// The screen whose keys are shown.
    pub of: Option<Screen>,
    pub scroll: usize,
}

impl HelpState {
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

    /// What an action does on the help screen (`lines`: how many it has).
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
