//! One source's last good copy seen through its filter: the snapshot, the filter and its
//! root put together once, so that no reader of a source writes "snapshot + `Filter::new` +
//! `filter.root()`" again.

use crate::base::{Base, SourceFailure};
use crate::config::SourceSpec;
use crate::corpus::{self, Catalog, Document, Filter, Parsed};
use crate::source::{Content, Entry, FileOrigin, Snapshot, SourceError};

/// The biggest root file (`docusaurus.config.js`, `sidebars.js`) that is read.
const ROOT_FILE_CAP: u64 = 1 << 20;

/// A source's last good copy and the filter that says which of its files are documents.
pub struct SourceCopy {
    pub spec: SourceSpec,
    pub snapshot: Snapshot,
    pub filter: Filter,
    /// Files over this size are skipped.
    cap: u64,
    /// For a single repository: its URL, branch and commit, which every document's origin
    /// names (a site's documents carry their own).
    origin: Option<(String, Option<String>, String)>,
}

impl Base {
    /// The last good copy of a source, with its filter.
    pub fn copy(&self, spec: &SourceSpec) -> Result<SourceCopy, SourceFailure> {
        let snapshot = self.snapshot(spec)?;
        let filter = Filter::new(spec).map_err(|e| SourceFailure::new(&spec.name, e))?;
        let origin = match &snapshot {
            Snapshot::Git { commit, .. } => Some((
                spec.url.clone(),
                self.state_of(spec).and_then(|s| s.branch.clone()),
                commit.to_string(),
            )),
            _ => None,
        };
        Ok(SourceCopy {
            spec: spec.clone(),
            snapshot,
            filter,
            cap: self.config.max_file_size,
            origin,
        })
    }
}

impl SourceCopy {
    fn failure(&self, cause: impl ToString) -> SourceFailure {
        SourceFailure::new(&self.spec.name, cause)
    }

    /// Every document, with notes about the files skipped.
    pub fn docs(&self) -> Result<Catalog, SourceFailure> {
        let mut cat = corpus::scan(&self.spec.name, &self.filter, &self.snapshot, self.cap)
            .map_err(|e| self.failure(e))?;
        for d in &mut cat.docs {
            self.give_origin(d);
        }
        Ok(cat)
    }

    /// Where a document of a single repository comes from (a site's have theirs already).
    fn give_origin(&self, doc: &mut Document) {
        if let (None, Some((repo, branch, commit))) = (&doc.origin, &self.origin) {
            doc.origin = Some(FileOrigin {
                repo: repo.clone(),
                branch: branch.clone(),
                commit: commit.clone(),
                path: crate::forge::repo_path(self.filter.root(), &doc.rel),
            });
        }
    }

    /// Every file under the root.
    pub fn entries(&self) -> Result<Vec<Entry>, SourceFailure> {
        self.snapshot
            .entries(self.filter.root())
            .map_err(|e| self.failure(e))
    }

    /// The file at `rel` (relative to the root), looked up without listing the others.
    pub fn entry(&self, rel: &str) -> Result<Option<Entry>, SourceFailure> {
        self.snapshot
            .entry(self.filter.root(), rel)
            .map_err(|e| self.failure(e))
    }

    /// The document at a reader's path (`mount` included), looked up without listing the
    /// others; `None` when there is none, or the file there is not a document or unreadable.
    pub fn doc(&self, path: &str) -> Option<Document> {
        let rel = self
            .filter
            .unmounted(path)
            .filter(|r| self.filter.is_doc(r))?;
        let entry = self.entry(rel).ok()??;
        let mut notes = Vec::new();
        let mut doc = corpus::load(
            &self.spec.name,
            &self.filter,
            &self.snapshot,
            entry,
            self.cap,
            &mut notes,
        )
        .ok()
        .flatten()?;
        self.give_origin(&mut doc);
        Some(doc)
    }

    /// Reads one document: decoded, front matter split off.
    pub fn read(&self, doc: &Document) -> Result<Parsed, SourceFailure> {
        let fail = |e: String| self.failure(format!("{}: {e}", doc.path));
        if let Some(target) = &doc.link {
            return Err(fail(format!("a symlink to {target}, never followed")));
        }
        match self.read_entry(&doc.entry, self.cap) {
            Err(e) => Err(fail(e.to_string())),
            Ok(Content::TooLarge(n)) => Err(fail(format!(
                "{} is over the size cap",
                corpus::human_bytes(n)
            ))),
            Ok(Content::Bytes(b)) if corpus::is_binary(&b) => Err(fail("binary content".into())),
            Ok(Content::Bytes(b)) => Ok(corpus::parse(&corpus::decode(b), &doc.rel)),
        }
    }

    fn read_entry(&self, entry: &Entry, cap: u64) -> Result<Content, SourceError> {
        self.snapshot.read(self.filter.root(), entry, cap)
    }

    /// The text of a file at the root of the source (`docusaurus.config.js`), up to 1 MiB;
    /// `None` when there is none or it cannot be read.
    pub fn root_file(&self, name: &str) -> Option<String> {
        let entry = self.entry(name).ok()??;
        self.text_of(&entry)
    }

    /// The text of a listed file, up to 1 MiB.
    pub fn text_of(&self, entry: &Entry) -> Option<String> {
        match self.read_entry(entry, ROOT_FILE_CAP).ok()? {
            Content::Bytes(b) => Some(corpus::decode(b)),
            Content::TooLarge(_) => None,
        }
    }
}
