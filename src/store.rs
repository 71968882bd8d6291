//! What the reader remembers between runs: history (back, forward, recent pages) and
//! bookmarks, as JSON files in the data dir, replaced atomically (`durable`); a damaged file is
//! set aside with one line, never trusted or crashed on.
//!
//! Places are kept by source and path, with the section (anchor) they were at, so that they
//! survive a re-sync that moves lines around; a place whose page is gone is reported, not
//! dropped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::durable;

/// A position in a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub source: String,
    pub path: String,
    /// The page's title when the place was taken (to list a page that is gone).
    #[serde(default)]
    pub title: String,
    /// The section at the top of the screen.
    #[serde(default)]
    pub anchor: Option<String>,
    /// Lines below the section's heading (or below the top without a section).
    #[serde(default)]
    pub offset: usize,
}

impl Place {
    pub fn same_page(&self, other: &Place) -> bool {
        self.source == other.source && self.path == other.path
    }
}

/// How many pages the recent list and each history direction keep.
pub const HISTORY_LIMIT: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Places to go back to, the newest last.
    #[serde(default)]
    pub back: Vec<Place>,
    /// Places to go forward to, the nearest last.
    #[serde(default)]
    pub forward: Vec<Place>,
    /// Pages read, the most recent first, one place per page.
    #[serde(default)]
    pub recent: Vec<Place>,
    /// The version of each page last read, by source and path: the time (Unix seconds) of
    /// the page's last change as known then, or the time it was read when its date was not
    /// known. A page whose last change is newer changed since it was read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub read: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The most pages whose reading time is kept.
pub const READ_LIMIT: usize = 10_000;

impl History {
    /// Notes that `place` is being read now (the most recent page).
    pub fn visit(&mut self, place: Place) {
        self.recent.retain(|p| !p.same_page(&place));
        self.recent.insert(0, place);
        self.recent.truncate(HISTORY_LIMIT);
    }

    /// Notes that a page was read at version `seen` (see [`History::read`]).
    pub fn mark_read(&mut self, source: &str, path: &str, seen: u64) {
        self.read
            .entry(source.to_string())
            .or_default()
            .insert(path.to_string(), seen);
        let total: usize = self.read.values().map(BTreeMap::len).sum();
        if total > READ_LIMIT {
            // The page read longest ago goes.
            let oldest = self
                .read
                .iter()
                .flat_map(|(s, m)| m.iter().map(move |(p, t)| (*t, s.clone(), p.clone())))
                .min();
            if let Some((_, s, p)) = oldest
                && let Some(m) = self.read.get_mut(&s)
            {
                m.remove(&p);
            }
        }
    }

    /// The version of a page last read (see [`History::read`]).
    pub fn read_at(&self, source: &str, path: &str) -> Option<u64> {
        self.read.get(source)?.get(path).copied()
    }

    /// Leaving `from` for a new page: `from` goes on the back stack, forward is cleared.
    pub fn push(&mut self, from: Place) {
        self.back.push(from);
        if self.back.len() > HISTORY_LIMIT {
            self.back.remove(0);
        }
        self.forward.clear();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bookmark {
    pub place: Place,
    /// The heading text of the section, for the list.
    #[serde(default)]
    pub section: Option<String>,
    /// Unix time it was made.
    #[serde(default)]
    pub added: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bookmarks {
    #[serde(default)]
    pub items: Vec<Bookmark>,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct StoreError {
    path: String,
    source: std::io::Error,
}

/// The files in the data dir.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(data_dir: &Path) -> Store {
        Store {
            dir: data_dir.to_path_buf(),
        }
    }

    fn history_path(&self) -> PathBuf {
        self.dir.join("history.json")
    }

    fn bookmarks_path(&self) -> PathBuf {
        self.dir.join("bookmarks.json")
    }

    /// A missing or unreadable file is an empty history; a damaged one is set aside.
    pub fn history(&self) -> History {
        load(&self.history_path(), "starting a new history")
    }

    pub fn save_history(&self, h: &History) -> Result<(), StoreError> {
        save(&self.history_path(), h)
    }

    /// A missing or unreadable file is an empty list; a damaged one is set aside (so the
    /// bookmarks in it can still be copied back by hand).
    pub fn bookmarks(&self) -> Bookmarks {
        load(&self.bookmarks_path(), "starting a new list of bookmarks")
    }

    pub fn save_bookmarks(&self, b: &Bookmarks) -> Result<(), StoreError> {
        save(&self.bookmarks_path(), b)
    }
}

fn load<T: DeserializeOwned + Default>(path: &Path, what_next: &str) -> T {
    match durable::read_json(path, what_next) {
        durable::Read::Ok(v) => v,
        _ => T::default(),
    }
}

fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
    let io = |source| StoreError {
        path: path.display().to_string(),
        source,
    };
    let json = serde_json::to_vec_pretty(value).map_err(|e| io(e.into()))?;
    durable::write(path, &json, durable::Sync::Yes, None).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(p: &str) -> Place {
        Place {
            source: "s".into(),
            path: p.into(),
            title: p.into(),
            anchor: None,
            offset: 0,
        }
    }

    #[test]
    fn recent_keeps_one_place_per_page_newest_first() {
        let mut h = History::default();
        h.visit(place("a"));
        h.visit(place("b"));
        h.visit(place("a"));
        let paths: Vec<_> = h.recent.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["a", "b"]);
    }

    #[test]
    fn saved_and_loaded_and_a_broken_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::new(&dir.path().join("data"));
        let mut h = History::default();
        h.push(place("a"));
        h.visit(place("b"));
        s.save_history(&h).unwrap();
        assert_eq!(s.history(), h);
        std::fs::write(s.bookmarks_path(), b"{ not json").unwrap();
        assert_eq!(s.bookmarks(), Bookmarks::default());
        assert!(
            std::fs::read_dir(dir.path().join("data"))
                .unwrap()
                .flatten()
                .any(|e| e
                    .file_name()
                    .to_string_lossy()
                    .starts_with("bookmarks.json.damaged-")),
            "the damaged file is kept aside"
        );
    }
}
