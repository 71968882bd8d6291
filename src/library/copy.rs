//! One source's last good copy seen through its filter: the snapshot, the filter and its
//! root put together once, so that no reader of a source writes "snapshot + `Filter::new` +
//! `filter.root()`" again.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use crate::base::{Base, SourceFailure};
use crate::catalog::{self, Check, Listed, ListedOrigin};
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
    /// Where the source's catalogue is kept (`crate::catalog`).
    data_dir: PathBuf,
    /// How a local folder is compared with its catalogue.
    check: Check,
}

impl Base {
    /// The last good copy of a source, with its filter. A local folder is trusted to be as
    /// its catalogue says within the limits of [`Check::Trust`].
    pub fn copy(&self, spec: &SourceSpec) -> Result<SourceCopy, SourceFailure> {
        self.copy_checked(spec, Check::Trust)
    }

    /// The same, with a local folder compared with its catalogue as `check` says (`ken
    /// sync` and the UI's file watcher: [`Check::Full`]).
    pub fn copy_checked(
        &self,
        spec: &SourceSpec,
        check: Check,
    ) -> Result<SourceCopy, SourceFailure> {
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
            data_dir: self.data_dir().to_path_buf(),
            check,
        })
    }

    /// The front matter of the documents of a source at `paths` (the reader's paths): from
    /// the catalogue when it is of the synced copy (no mirror opened, only those documents'
    /// front matter parsed), else read from the copy one document at a time.
    pub fn front_matters(
        &self,
        spec: &SourceSpec,
        paths: &BTreeSet<&str>,
    ) -> HashMap<String, serde_json::Value> {
        if let Ok(filter) = Filter::new(spec)
            && let Some(id) = self.copy_id(spec)
        {
            let settings = catalog::settings(spec, self.config.max_file_size);
            if let Some(found) =
                catalog::front_matters(self.data_dir(), &spec.name, &filter, &settings, &id, paths)
            {
                return found;
            }
        }
        let Ok(copy) = self.copy(spec) else {
            return HashMap::new();
        };
        paths
            .iter()
            .filter_map(|p| Some((p.to_string(), copy.doc(p)?.front_matter?)))
            .collect()
    }

    /// What `ken list` shows of a source's documents (path, title, symlink target, origin)
    /// and the notes about its files: from the catalogue, without opening the mirror, when
    /// it is of the synced copy; else read (and catalogued) first ([`Listing::docs`]).
    pub fn listing(&self, spec: &SourceSpec) -> Result<Listing<'_>, SourceFailure> {
        let filter = Filter::new(spec).map_err(|e| SourceFailure::new(&spec.name, e))?;
        let settings = catalog::settings(spec, self.config.max_file_size);
        let stored = self
            .copy_id(spec)
            .and_then(|id| catalog::listing(self.data_dir(), &spec.name, &filter, &settings, &id));
        // A single repository's documents name it as their origin, as `SourceCopy::docs`
        // gives them. A site's catalogue holds each page's own, and a page ken generated
        // for a site comes from no repository: it has none.
        let origin = match (self.state_of(spec), crate::source::location(spec)) {
            (Some(st), crate::source::Location::Git(_)) if st.site.is_none() => st
                .commit
                .clone()
                .map(|c| (spec.url.clone(), st.branch.clone(), c)),
            _ => None,
        };
        Ok(Listing {
            base: self,
            spec: spec.clone(),
            filter,
            stored,
            origin,
            read: std::cell::OnceCell::new(),
        })
    }
}

/// One source's documents as `ken list` shows them ([`Base::listing`]).
pub struct Listing<'b> {
    base: &'b Base,
    spec: SourceSpec,
    filter: Filter,
    /// The catalogue of the synced copy, when there is one.
    stored: Option<catalog::Listing>,
    /// The URL, branch and commit of a git source, for the documents that do not carry
    /// their own origin.
    origin: Option<(String, Option<String>, String)>,
    /// The documents read from the copy when the catalogue did not have them.
    read: std::cell::OnceCell<Result<Catalog, String>>,
}

impl Listing<'_> {
    /// The documents and the notes about the source's files, borrowed from the catalogue
    /// where they can be.
    pub fn docs(&self) -> Result<(Vec<Listed<'_>>, Vec<corpus::Note>), SourceFailure> {
        if let Some((mut docs, notes)) = self.stored.as_ref().and_then(|l| l.docs()) {
            if let Some((repo, branch, commit)) = &self.origin {
                for d in docs.iter_mut().filter(|d| d.origin.is_none()) {
                    let rel = match &d.path {
                        Cow::Borrowed(p) => self.filter.unmounted(p).map(Cow::Borrowed),
                        Cow::Owned(p) => self.filter.unmounted(p).map(|r| Cow::Owned(r.into())),
                    };
                    if let Some(rel) = rel {
                        d.origin = Some(ListedOrigin {
                            repo: Cow::Borrowed(repo),
                            branch: branch.as_deref().map(Cow::Borrowed),
                            commit: Cow::Borrowed(commit),
                            path: match self.filter.root() {
                                Some(root) => Cow::Owned(crate::forge::repo_path(Some(root), &rel)),
                                None => rel,
                            },
                        });
                    }
                }
            }
            return Ok((docs, notes));
        }
        let cat = self
            .read
            .get_or_init(|| self.base.catalog(&self.spec).map_err(|e| e.cause));
        let cat = cat
            .as_ref()
            .map_err(|cause| SourceFailure::new(&self.spec.name, cause))?;
        let docs = cat
            .docs
            .iter()
            .map(|d| Listed {
                source: &d.source,
                path: Cow::Borrowed(&d.path),
                title: Cow::Borrowed(&d.title),
                link: d.link.as_deref().map(Cow::Borrowed),
                origin: d.origin.as_ref().map(ListedOrigin::of),
            })
            .collect();
        Ok((docs, cat.notes.clone()))
    }
}

impl SourceCopy {
    fn failure(&self, cause: impl ToString) -> SourceFailure {
        SourceFailure::new(&self.spec.name, cause)
    }

    /// Every document, with notes about the files skipped: from the source's catalogue when
    /// it is of this copy, else read (for a git source only the files changed since the
    /// catalogued commit) and catalogued.
    pub fn docs(&self) -> Result<Catalog, SourceFailure> {
        let settings = catalog::settings(&self.spec, self.cap);
        let name = &self.spec.name;
        let mut cat = match &self.snapshot {
            Snapshot::Dir { root } => catalog::folder_docs(
                &self.data_dir,
                name,
                &self.filter,
                &settings,
                root,
                self.cap,
                self.check,
            )
            .map(|(cat, _)| cat),
            snap => catalog::git_docs(
                &self.data_dir,
                name,
                &self.filter,
                &settings,
                snap,
                self.cap,
                &self.id()?,
            ),
        }
        .map_err(|e| self.failure(e))?;
        for d in &mut cat.docs {
            self.give_origin(d);
        }
        Ok(cat)
    }

    /// Where a document of a single repository comes from (a site's have theirs already).
    pub(crate) fn give_origin(&self, doc: &mut Document) {
        if let (None, Some((repo, branch, commit))) = (&doc.origin, &self.origin) {
            doc.origin = Some(FileOrigin {
                repo: repo.clone(),
                branch: branch.clone(),
                commit: commit.clone(),
                path: crate::forge::repo_path(self.filter.root(), &doc.rel),
            });
        }
    }

    /// The name of this copy: the commit, a site's copy id (`COMMIT+HASH`), or a local
    /// folder's fingerprint of its documents' sizes and times (`dir:…`, from its catalogue,
    /// compared with the disk as the copy's [`Check`] says).
    pub fn id(&self) -> Result<String, SourceFailure> {
        match &self.snapshot {
            Snapshot::Git { commit, .. } => Ok(commit.to_string()),
            Snapshot::Site(site) => Ok(site.site.id()),
            Snapshot::Dir { root } => catalog::folder_id(
                &self.data_dir,
                &self.spec.name,
                &self.filter,
                &catalog::settings(&self.spec, self.cap),
                root,
                self.cap,
                self.check,
            )
            .map_err(|e| self.failure(e)),
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
        self.doc_read(path).map(|(doc, _)| doc)
    }

    /// [`doc`](Self::doc), with its text as [`read`](Self::read) gives it when it was read
    /// (not for a symlink): the lookup reads the file once.
    pub fn doc_read(&self, path: &str) -> Option<(Document, Option<Parsed>)> {
        let rel = self
            .filter
            .unmounted(path)
            .filter(|r| self.filter.is_doc(r))?;
        let entry = self.entry(rel).ok()??;
        let mut notes = Vec::new();
        let (mut doc, parsed) = corpus::load_read(
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
        Some((doc, parsed))
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
