//! Where the reader has been and what it kept: the back and forward stacks, the recent pages
//! and the bookmarks, as places (page, section, lines below its heading) that survive
//! re-wrapping and re-syncs. Saved through the data dir's [`Store`] when there is one.

use super::msg::Message;
use super::reader::Reader;
use crate::store::{self, Bookmark, Bookmarks, Place, Store};

#[derive(Debug, Default)]
pub struct History {
    pub history: store::History,
    pub bookmarks: Bookmarks,
    /// Set while history itself moves, so that the move is not recorded again.
    pub navigating: bool,
    /// History as last read from or written to the store: saving what is there already
    /// writes nothing (quitting where the last save left the reader costs no write).
    saved: Option<store::History>,
}

impl History {
    /// History and bookmarks from the data dir.
    pub fn load(store: Option<&Store>) -> History {
        store.map_or_else(History::default, |s| {
            let history = s.history();
            History {
                saved: Some(history.clone()),
                history,
                bookmarks: s.bookmarks(),
                navigating: false,
            }
        })
    }

    /// The reader leaves `here` for another page: it goes on the back stack (unless history
    /// itself is moving), and its place is remembered.
    pub fn leave(&mut self, here: &Place) {
        self.remember(here);
        if !self.navigating {
            self.history.push(here.clone());
        }
    }

    /// The reader moves within a page: the place it was at goes on the back stack.
    pub fn push(&mut self, here: Place) {
        self.history.push(here);
    }

    /// The reader shows a page.
    pub fn visit(&mut self, here: Place) {
        self.history.visit(here);
    }

    /// Updates the recent list's place for that page, keeping the order.
    pub fn remember(&mut self, p: &Place) {
        if let Some(r) = self.history.recent.iter_mut().find(|r| r.same_page(p)) {
            *r = p.clone();
        }
    }

    /// Takes the place one step back (or forward), leaving `here` on the other stack.
    pub fn step(&mut self, back: bool, here: Option<Place>) -> Option<Place> {
        let h = &mut self.history;
        let (from, to) = if back {
            (&mut h.back, &mut h.forward)
        } else {
            (&mut h.forward, &mut h.back)
        };
        let target = from.pop()?;
        if let Some(here) = here {
            to.push(here);
        }
        Some(target)
    }

    /// The step's place could not be opened (its page is gone): the reader stays where it
    /// is, so `here` leaves the other stack again.
    pub fn step_failed(&mut self, back: bool) {
        let h = &mut self.history;
        if back {
            h.forward.pop();
        } else {
            h.back.pop();
        }
    }

    /// Bookmarks where the reader is (at its section) and saves the bookmarks; the message
    /// says what happened.
    pub fn bookmark(
        &mut self,
        reader: Option<&Reader>,
        now: u64,
        store: Option<&Store>,
    ) -> Message {
        let Some(r) = reader else {
            return Message::info("open a page to bookmark it");
        };
        let place = r.place();
        if self
            .bookmarks
            .items
            .iter()
            .any(|b| b.place.same_page(&place) && b.place.anchor == place.anchor)
        {
            return Message::info("already bookmarked");
        }
        let section = r.section_name();
        let what = match &section {
            Some(s) => format!("{} › {s}", place.title),
            None => place.title.clone(),
        };
        self.bookmarks.items.push(Bookmark {
            place: Place { offset: 0, ..place },
            section,
            added: now,
        });
        match self.save_bookmarks(store) {
            Ok(()) => Message::info(format!("bookmarked {what}")),
            Err(e) => Message::error(e),
        }
    }

    /// Deletes bookmark `i` and saves the bookmarks; `None` when there is no such bookmark.
    pub fn delete_bookmark(&mut self, i: usize, store: Option<&Store>) -> Option<Message> {
        if i >= self.bookmarks.items.len() {
            return None;
        }
        let b = self.bookmarks.items.remove(i);
        Some(match self.save_bookmarks(store) {
            Ok(()) => Message::info(format!("bookmark deleted: {}", b.place.title)),
            Err(e) => Message::error(e),
        })
    }

    /// Saves history unless the store has it as it is; the error says why not.
    pub fn save_history(&mut self, store: Option<&Store>) -> Result<(), String> {
        let Some(s) = store else {
            return Ok(());
        };
        if self.saved.as_ref() == Some(&self.history) {
            return Ok(());
        }
        s.save_history(&self.history)
            .map_err(|e| format!("history not saved: {e}"))?;
        self.saved = Some(self.history.clone());
        Ok(())
    }

    /// Saves the bookmarks; the error says why not.
    pub fn save_bookmarks(&self, store: Option<&Store>) -> Result<(), String> {
        match store {
            Some(s) => s
                .save_bookmarks(&self.bookmarks)
                .map_err(|e| format!("bookmarks not saved: {e}")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(path: &str) -> Place {
        Place {
            source: "s".into(),
            path: path.into(),
            title: path.into(),
            anchor: None,
            offset: 0,
        }
    }

    #[test]
    fn history_is_written_only_when_it_changed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::new(dir.path());
        let file = dir.path().join("history.json");
        let mut h = History::load(Some(&store));
        // As loaded: nothing to write.
        h.save_history(Some(&store)).expect("saved");
        assert!(!file.exists());
        h.visit(place("a.md"));
        h.save_history(Some(&store)).expect("saved");
        assert!(file.exists());
        // Unchanged since that save (quitting where the reader was): no write.
        std::fs::remove_file(&file).expect("removed");
        h.remember(&place("a.md"));
        h.save_history(Some(&store)).expect("saved");
        assert!(!file.exists());
        // A change is written, and read back as it was.
        h.visit(place("b.md"));
        h.save_history(Some(&store)).expect("saved");
        let back = History::load(Some(&store));
        let paths: Vec<&str> = back
            .history
            .recent
            .iter()
            .map(|p| p.path.as_str())
            .collect();
        assert_eq!(paths, ["b.md", "a.md"]);
    }
}
