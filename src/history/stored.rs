//! `page-dates/<source>.json` in the data dir: the result of one source's walk (the commits that
//! last changed or created a page, once each, and per page their indices), written through a
//! temporary file and a rename, read back without trusting it: a file that does not parse,
//! or names commits it does not hold, is no history, and the next command walks again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Change, PageDates};
use crate::config::DateKind;

/// Bumped when the meaning of the file changes; an older file is walked again.
pub(super) const VERSION: u32 = 1;

/// Where a source's history is kept.
pub fn history_path(data_dir: &Path, source: &str) -> PathBuf {
    data_dir.join("page-dates").join(format!("{source}.json"))
}

/// A commit as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CommitInfo {
    pub id: String,
    /// Committer date, Unix seconds.
    pub committed: i64,
    /// Author date, Unix seconds.
    pub authored: i64,
    /// Raw (capped in length, not sanitized: that happens when shown).
    pub author: String,
    pub subject: String,
}

/// A page's two commits, as indices into [`Stored::commits`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Rec {
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<u32>,
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub created: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Stored {
    pub version: u32,
    /// The source's URL when walked: a source that now names another repository is walked
    /// again.
    pub url: String,
    /// The commit walked from.
    pub tip: String,
    /// What else decides the walk (the filter's root and globs, the ignore-revs file); a
    /// change means a new walk.
    pub settings: String,
    /// The walk met a shallow boundary with pages still undated.
    pub shallow: bool,
    /// The walk stopped at its commit cap with pages still undated.
    pub truncated: bool,
    pub commits: Vec<CommitInfo>,
    /// By repository path.
    pub pages: BTreeMap<String, Rec>,
}

impl Stored {
    /// The stored history, if it reads back whole.
    pub fn load(path: &Path) -> Option<Stored> {
        let bytes = std::fs::read(path).ok()?;
        let s: Stored = serde_json::from_slice(&bytes).ok()?;
        let n = s.commits.len() as u32;
        let sound = s.version == VERSION
            && s.pages
                .values()
                .all(|r| r.changed.is_none_or(|i| i < n) && r.created.is_none_or(|i| i < n));
        sound.then_some(s)
    }

    /// Whether this is the walk of `tip` under these settings.
    pub fn is_current(&self, tip: git2::Oid, settings: &str) -> bool {
        self.version == VERSION && self.tip == tip.to_string() && self.settings == settings
    }

    /// Writes the history atomically (`durable::write`): a kill leaves the old file or the
    /// new one, and the next write removes a killed writer's temporary file. Not synced: a
    /// file torn by a power cut does not load, and the walk is simply done again.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        crate::durable::write(path, &json, crate::durable::Sync::No, None)
    }

    fn change(&self, i: Option<u32>, dates: DateKind) -> Option<Change> {
        let c = self.commits.get(i? as usize)?;
        Some(Change {
            time: match dates {
                DateKind::Committer => c.committed,
                DateKind::Author => c.authored,
            },
            commit: Some(c.id.clone()),
            author: Some(c.author.clone()),
            subject: Some(c.subject.clone()),
        })
    }

    /// The dates of a page by repository path.
    pub fn page(&self, repo_path: &str, dates: DateKind) -> PageDates {
        let Some(r) = self.pages.get(repo_path) else {
            return PageDates::default();
        };
        PageDates {
            changed: self.change(r.changed, dates),
            created: self.change(r.created, dates),
        }
    }
}
