//! Sites: a repository whose `docs.package.json` names further repositories, assembled the
//! way the SCS documentation build (`getDocs.js`) assembles docs.scs.community.
//!
//! This module owns the rules, not the I/O: [`Plan::new`] reads a manifest and turns it into
//! the repositories to mirror (each once, its URL resolved against the site's own URL) and
//! the entries refused with a reason; [`layout`] lays the files of those repositories out as
//! `cp -r` would, from tree listings alone, so it serves git trees and folders alike;
//! [`Lock`] is the `site.lock` file that records the exact commit of each repository.
//! Those are pure. The I/O around them: [`fetch_all`] syncs the repositories' mirrors, several
//! at once, each through `source::sync_mirror`; [`assemble`] lays a synced site out from its
//! mirrors and [`SiteSnapshot`] reads it like any source's snapshot; `base.rs` is how the
//! knowledge base syncs, records and reads a site source.

mod base;
mod copy;
mod fetch;
mod layout;
mod lock;
mod manifest;
pub mod standards;
mod url;

use std::path::PathBuf;

pub use base::{RepoSummary, doc_changes, file_changes};
pub(crate) use base::{SiteSynced, repaired};
pub use copy::{
    Assembled, GENERATED, POPULATE_STDS, Part, SiteSnapshot, assemble, copy_id, plan,
    read_site_files,
};
pub use fetch::{Fetch, PARALLEL, fetch_all, mirror_names};
pub use layout::{Kind, Layout, MAX_NOTES, Origin, TreeEntry, layout};
pub use lock::{LOCK_FILE, Lock, LockEntry};
pub use manifest::{Entry, MANIFEST, MAX_REPOSITORIES, Plan, Refusal, SiteRepo, folders};
pub use url::{repo_key, resolve};

/// What can go wrong with a site's files as a whole. A single bad entry is not an error:
/// it becomes a [`Refusal`] and the rest of the site is used.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// The manifest is not JSON.
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The manifest is JSON but not a list of entries.
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
    /// A line of a lock file that cannot be read, or a lock entry that cannot be written.
    #[error("{file}:{line}: {message}")]
    Lock {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}
