//! The full-text index: one tantivy document per section of every page of every source,
//! kept under `<data_dir>/index`, updated incrementally after each sync, searched by the CLI
//! and the terminal UI through the same [`SearchIndex::search`].
//!
//! What the index reflects (schema version, and the commit of each source) is stored as the
//! payload of the tantivy commit itself, so the record and the documents change together: a
//! process killed mid-update leaves the previous commit, and its record, in place.

mod build;
mod memory;
pub mod query;
pub mod schema;
mod search;
pub mod sections;
pub mod snippet;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use build::{
    Progress, UpdateReport, behind, is_current, open_current, page_key, rebuild, try_update, update,
};
pub use memory::MemoryPage;
pub use search::{Dates, Order, PageHits, Results, SearchOptions, SectionHit};
pub use snippet::Snippet;

use schema::Fields;

/// Errors of the index. Each names what failed in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index {path}: {source}")]
    Tantivy {
        path: String,
        source: tantivy::TantivyError,
    },
    #[error("search index {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The index must be rebuilt: missing, damaged or of another format.
    #[error("search index {path}: {reason}")]
    Unusable { path: String, reason: String },
    #[error("{0}")]
    Source(String),
    /// The query has nothing to search for.
    #[error("{0}")]
    Query(String),
}

/// What the index reflects, stored as the payload of each tantivy commit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    pub schema: u32,
    /// Per source name.
    pub sources: BTreeMap<String, IndexedSource>,
    /// Pages indexed by the last update that changed anything.
    pub last_update_indexed: usize,
    /// Pages removed by that update.
    #[serde(default)]
    pub last_update_removed: usize,
    /// Whether that update rebuilt everything.
    #[serde(default)]
    pub last_update_full: bool,
    /// Unix time of that update.
    #[serde(default)]
    pub updated_at: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct IndexedSource {
    pub url: String,
    /// The git commit, or for a local directory a fingerprint of its files (`dir:…`), or for
    /// a site the name of its copy (`COMMIT+HASH`, see `SourceState::copy_id`).
    pub commit: String,
    pub pages: usize,
    /// The source's root, mount, include and exclude when it was indexed.
    #[serde(default)]
    pub filter: String,
    /// For a site: the commit of each repository indexed, by URL (what the next update
    /// lays the old copy out from, to index only the pages that changed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub repos: BTreeMap<String, String>,
    /// For a site that generates pages: the day they were generated for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_on: Option<String>,
}

impl Meta {
    pub fn pages(&self) -> usize {
        self.sources.values().map(|s| s.pages).sum()
    }
}

/// The index folder of a data dir.
pub fn index_path(data_dir: &Path) -> PathBuf {
    data_dir.join("index")
}

fn lock_path(data_dir: &Path) -> PathBuf {
    data_dir.join("index.lock")
}

/// Held by the one process that writes the index; readers never take it.
pub struct WriteLock {
    _file: File,
}

impl WriteLock {
    fn open(data_dir: &Path) -> Result<File, IndexError> {
        let path = lock_path(data_dir);
        let io = |source| IndexError::Io {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io)
    }

    /// Waits until no other process writes the index.
    pub fn acquire(data_dir: &Path) -> Result<WriteLock, IndexError> {
        let file = Self::open(data_dir)?;
        file.lock().map_err(|source| IndexError::Io {
            path: lock_path(data_dir).display().to_string(),
            source,
        })?;
        Ok(WriteLock { _file: file })
    }

    /// The lock if nobody else holds it.
    pub fn try_acquire(data_dir: &Path) -> Result<Option<WriteLock>, IndexError> {
        let file = Self::open(data_dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(WriteLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(source)) => Err(IndexError::Io {
                path: lock_path(data_dir).display().to_string(),
                source,
            }),
        }
    }
}

/// An open index for searching. Cheap to search from many threads; [`reload`] after an
/// update by this or another process.
///
/// [`reload`]: SearchIndex::reload
pub struct SearchIndex {
    path: PathBuf,
    index: tantivy::Index,
    reader: tantivy::IndexReader,
    fields: Fields,
}

impl SearchIndex {
    /// Opens the index of a data dir for reading. `Unusable` when it is missing, damaged or
    /// of another schema version: [`update`] rebuilds it.
    pub fn open(data_dir: &Path) -> Result<SearchIndex, IndexError> {
        let path = index_path(data_dir);
        let unusable = |reason: String| IndexError::Unusable {
            path: path.display().to_string(),
            reason,
        };
        if !path.join("meta.json").exists() {
            return Err(unusable("is missing".into()));
        }
        let dir = crate::fault::index_directory(&path)
            .map_err(|e| unusable(format!("cannot be opened ({e})")))?;
        let index = tantivy::Index::open(dir).map_err(|e| unusable(format!("is damaged ({e})")))?;
        schema::register(index.tokenizers());
        let (expected, fields) = schema::build();
        if index.schema() != expected {
            return Err(unusable("is of another format".into()));
        }
        let meta = read_meta(&index).map_err(|e| unusable(format!("is damaged ({e})")))?;
        if meta.schema != schema::SCHEMA_VERSION {
            return Err(unusable("is of another format".into()));
        }
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| unusable(format!("is damaged ({e})")))?;
        Ok(SearchIndex {
            path,
            index,
            reader,
            fields,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the index reflects, as of its last commit.
    pub fn meta(&self) -> Meta {
        read_meta(&self.index).unwrap_or_default()
    }

    /// Sees the latest commit (after an update by this or another process).
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload().map_err(|e| self.err(e))
    }

    fn err(&self, source: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            path: self.path.display().to_string(),
            source,
        }
    }
}

// The terminal UI searches on worker threads.
const _: fn() = || {
    fn is<T: Send + Sync>() {}
    is::<SearchIndex>();
    is::<Results>();
};

/// The payload of the last commit; an index with no commit yet has an empty one.
fn read_meta(index: &tantivy::Index) -> Result<Meta, String> {
    let metas = index.load_metas().map_err(|e| e.to_string())?;
    match metas.payload {
        None => Ok(Meta {
            schema: schema::SCHEMA_VERSION,
            ..Meta::default()
        }),
        Some(p) => serde_json::from_str(&p).map_err(|e| format!("unreadable record: {e}")),
    }
}

/// What `ken status --json` shows about the index: its facts, and `behind`, the sources whose
/// current copy it does not reflect yet (empty when it is current).
pub fn status_json(base: &crate::base::Base) -> serde_json::Value {
    let data_dir = base.data_dir();
    let path = index_path(data_dir);
    match SearchIndex::open(data_dir) {
        Ok(ix) => {
            let m = ix.meta();
            serde_json::json!({
                "path": path,
                "state": "ready",
                "schema": m.schema,
                "pages": m.pages(),
                "sections": ix.reader.searcher().num_docs(),
                "sources": m.sources,
                "behind": behind(base, &m),
                "last_update_indexed": m.last_update_indexed,
                "last_update_removed": m.last_update_removed,
                "last_update_full": m.last_update_full,
                "updated_at": m.updated_at,
            })
        }
        Err(e) => serde_json::json!({
            "path": path,
            "state": "unusable",
            "problem": match e {
                IndexError::Unusable { reason, .. } => reason,
                e => e.to_string(),
            },
        }),
    }
}

/// Whether every configured source is in the index already (so it was synced once), checked
/// without touching git.
pub fn indexed_all(base: &crate::base::Base) -> bool {
    SearchIndex::open(base.data_dir()).is_ok_and(|ix| {
        let meta = ix.meta();
        base.config
            .sources
            .iter()
            .all(|s| meta.sources.get(&s.name).is_some_and(|o| o.url == s.url))
    })
}
