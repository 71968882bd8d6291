//! The search screen's state: the query, the newest answer, the selected hit, and what its
//! keys do. Each change of the query asks for a search ([`Effect::Search`] with a new id);
//! an answer for an older id is dropped, so a stale result is never drawn.

use super::cursor::{ListCursor, Paging};
use super::data::{Library, Results};
use super::msg::{Effect, Message, Outcome};
use crate::keymap::Action;

#[derive(Debug, Default)]
pub struct SearchState {
    pub query: String,
    /// The query has the keys (characters are typed into it); else the list has them.
    pub editing: bool,
    pub results: Results,
    /// Over the flattened (page, section) hits.
    pub cursor: ListCursor,
    /// The id of the newest request; older answers are dropped.
    pub requested: u64,
    /// The id of the answer on screen.
    pub shown: u64,
    pub millis: Option<f64>,
    pub error: Option<String>,
}

/// Rows a search hit takes on screen: a page's first hit also shows the page's title.
pub fn hit_height(section: usize) -> usize {
    if section == 0 { 3 } else { 2 }
}

impl SearchState {
    /// (page, section) of every selectable hit, in order.
    pub fn items(&self) -> Vec<(usize, usize)> {
        self.results
            .pages
            .iter()
            .enumerate()
            .flat_map(|(p, ph)| (0..ph.sections.len().max(1)).map(move |s| (p, s)))
            .collect()
    }

    /// Whether an answer is still to come.
    pub fn busy(&self) -> bool {
        self.requested != self.shown
    }

    /// A search for the query as it is now.
    pub fn request(&mut self) -> Effect {
        self.requested += 1;
        Effect::Search {
            id: self.requested,
            query: self.query.clone(),
        }
    }

    /// The query, while it has the keys.
    pub fn input(&mut self) -> Option<&mut String> {
        self.editing.then_some(&mut self.query)
    }

    /// The query changed: the results from the top, and a new search.
    pub fn input_changed(&mut self) -> Effect {
        self.cursor.reset();
        self.request()
    }

    /// Takes the answer to request `id`, unless a newer one is on its way.
    pub fn answered(&mut self, id: u64, result: Result<Results, String>, millis: f64, rows: usize) {
        if id != self.requested {
            return;
        }
        self.shown = id;
        self.millis = Some(millis);
        match result {
            Ok(r) => {
                self.results = r;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        self.cursor.clamp(self.items().len());
        self.show(rows);
    }

    /// Keeps the selected hit in the window of `rows` rows.
    pub fn show(&mut self, rows: usize) {
        let items = self.items();
        self.cursor
            .show_sized(rows, |i| items.get(i).map_or(1, |(_, s)| hit_height(*s)));
    }

    /// What an action does on the search screen.
    pub fn act(&mut self, a: Action, lib: &Library, rows: usize) -> Outcome {
        let items = self.items();
        let paging = Paging {
            page: (rows / 2).max(1),
            half: None,
        };
        let out = if self.cursor.act(a, items.len(), paging) {
            Outcome::Done
        } else {
            match a {
                Action::Open => match items.get(self.cursor.selected) {
                    Some(&(p, s)) => {
                        let ph = &self.results.pages[p];
                        match lib.find(&ph.source, &ph.path) {
                            Some(doc) => Outcome::Open {
                                doc,
                                anchor: ph.sections.get(s).and_then(|s| s.anchor.clone()),
                                terms: self.results.terms.clone(),
                            },
                            None => {
                                Message::error(format!("{} is no longer in the library", ph.path))
                                    .into()
                            }
                        }
                    }
                    None => Outcome::Done,
                },
                Action::Back | Action::Cancel => Outcome::Back,
                _ => Outcome::Ignored,
            }
        };
        self.show(rows);
        out
    }
}
