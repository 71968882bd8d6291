//! An index held in memory, built from pages already read (ken's built-in guide, and the
//! library when the index on disk cannot be opened), through the same schema, sectioning
//! and page code as the index on disk, so it is searched by the same
//! [`SearchIndex::search`]: one engine for every search.

use std::path::PathBuf;

use tantivy::{IndexWriter, TantivyDocument};

use super::build::add_page;
use super::schema;
use super::{IndexError, Meta, SearchIndex};
use crate::corpus::Parsed;

/// What tantivy lets one writer thread use at least; these indexes are small.
const MEMORY_BUDGET: usize = 15_000_000;

/// A page to index: its source, its path as the reader sees it, its text.
pub struct MemoryPage {
    pub source: String,
    pub path: String,
    pub parsed: Parsed,
}

impl SearchIndex {
    /// An index in memory of `pages`, committed and ready to search.
    pub fn in_memory(
        pages: impl IntoIterator<Item = MemoryPage>,
    ) -> Result<SearchIndex, IndexError> {
        let path = PathBuf::from("(in memory)");
        let err = |source| IndexError::Tantivy {
            path: path.display().to_string(),
            source,
        };
        let (schema, fields) = schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        schema::register(index.tokenizers());
        let mut writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, MEMORY_BUDGET)
            .map_err(err)?;
        let mut meta = Meta {
            schema: schema::SCHEMA_VERSION,
            ..Meta::default()
        };
        for p in pages {
            add_page(&writer, &fields, &p.source, &p.path, &p.parsed)?;
            meta.sources.entry(p.source).or_default().pages += 1;
        }
        meta.last_update_indexed = meta.pages();
        meta.last_update_full = true;
        let payload =
            serde_json::to_string(&meta).map_err(|e| IndexError::Source(e.to_string()))?;
        let mut commit = writer.prepare_commit().map_err(err)?;
        commit.set_payload(&payload);
        commit.commit().map_err(err)?;
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        Ok(SearchIndex {
            path,
            index,
            reader,
            fields,
        })
    }
}
