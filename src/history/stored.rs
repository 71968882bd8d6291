//! `page-dates/<source>` in the data dir: the result of one source's walk (the commits that
//! last changed or created a page, once each, and per page their indices), written through a
//! temporary file and a rename, read back without trusting it: a file that does not decode,
//! or names commits it does not hold, is no history, and the next command walks again.
//!
//! The file is postcard (serde, compact): `ken list --json` of 40,000 pages reads it on every
//! run, and reading the same as JSON was a fifth of that command's time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Dated, DatesRef, When};
use crate::config::DateKind;

/// Bumped when the meaning of the file changes; an older file is walked again. (2: postcard,
/// no longer JSON.)
pub(super) const VERSION: u32 = 2;

/// Where a source's history is kept.
pub fn history_path(data_dir: &Path, source: &str) -> PathBuf {
    data_dir.join("page-dates").join(source)
}

/// Where versions before 2 kept it, as JSON (removed when the new file is written).
fn json_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".json");
    path.with_file_name(name)
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

/// A page's two commits, as indices into [`Stored::commits`]. (No field is ever skipped:
/// postcard reads them in order.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Rec {
    pub changed: Option<u32>,
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
    /// By repository path. (A hash map: `ken list --json` looks up every page, and a tree
    /// compares whole paths at each level; foldhash, seeded per process, hashes a path in a
    /// few nanoseconds. Written sorted, so a walk gives the same file.)
    #[serde(serialize_with = "sorted")]
    pub pages: Pages,
}

/// [`Stored::pages`].
pub(super) type Pages = foldhash::HashMap<String, Rec>;

fn sorted<S: serde::Serializer>(pages: &Pages, s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pages.iter().collect::<BTreeMap<_, _>>())
}

impl Stored {
    /// The stored history, if it reads back whole.
    pub fn load(path: &Path) -> Option<Stored> {
        let bytes = std::fs::read(path).ok()?;
        let s: Stored = postcard::from_bytes(&bytes).ok()?;
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

    /// Whether this is the walk of commit `tip` (its full id) under the configured part of
    /// the settings (`walk::configured`): the rest of them (the ignore-revs file's blob id)
    /// is read from the tip's tree, so the same tip gives the same.
    pub fn is_current_at(&self, tip: &str, configured: &str) -> bool {
        self.version == VERSION
            && self.tip == tip
            && self
                .settings
                .strip_prefix(configured)
                .is_some_and(|rest| rest.starts_with("ignore="))
    }

    /// Writes the history atomically (`durable::write`): a kill leaves the old file or the
    /// new one, and the next write removes a killed writer's temporary file. Not synced: a
    /// file torn by a power cut does not load, and the walk is simply done again.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = postcard::to_stdvec(self).map_err(std::io::Error::other)?;
        crate::durable::write(path, &bytes, crate::durable::Sync::No, None)?;
        // An older ken's file of the same walk: no longer read, so no longer kept.
        let _ = std::fs::remove_file(json_path(path));
        Ok(())
    }

    fn dated(&self, i: Option<u32>, dates: DateKind) -> Option<Dated<'_>> {
        let c = self.commits.get(i? as usize)?;
        Some(Dated(When::Commit(c, dates)))
    }

    /// The dates of a page by repository path.
    pub fn page(&self, repo_path: &str, dates: DateKind) -> DatesRef<'_> {
        let Some(r) = self.pages.get(repo_path) else {
            return DatesRef::default();
        };
        DatesRef {
            changed: self.dated(r.changed, dates),
            created: self.dated(r.created, dates),
        }
    }
}
