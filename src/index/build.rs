//! Building and updating the index from the sources' last good copies.

use std::hash::{Hash, Hasher};
use std::path::Path;

use tantivy::directory::Directory;
use tantivy::schema::Term;
use tantivy::{IndexWriter, TantivyDocument};

use super::schema::{self, Fields};
use super::sections;
use super::{IndexError, IndexedSource, Meta, SearchIndex, WriteLock, index_path};
use crate::base::Base;
use crate::config::SourceSpec;
use crate::corpus::{self, ChangeStatus, DocChange, Filter};
use crate::fault;
use crate::source::{self, Content, Entry, EntryKind, Snapshot};

/// Memory the writer may use for documents not yet written out, all threads together.
const WRITER_BUDGET: usize = 64 * 1024 * 1024;
/// Updates of at most this many pages do not wait for segment merges.
const INCREMENTAL_PAGES: usize = 100;
/// Longest front-matter value indexed as a filter term.
const MAX_META_VALUE: usize = 100;

/// How far a full build of one source has come.
#[derive(Debug, Clone)]
pub struct Progress {
    pub source: String,
    pub done: usize,
    pub total: usize,
}

/// What an update did.
#[derive(Debug, Clone, Default)]
pub struct UpdateReport {
    /// Pages (re-)indexed.
    pub indexed: usize,
    /// Pages removed.
    pub removed: usize,
    /// Set when the whole index was rebuilt, with the reason.
    pub rebuilt: Option<String>,
    /// Whether anything was committed.
    pub committed: bool,
    /// Sources that could not be indexed (each keeps what the index had).
    pub failures: Vec<String>,
    pub meta: Meta,
}

/// Brings the index up to date with every configured source's last good copy: unchanged
/// sources are skipped, a git source whose indexed commit is known is updated from the diff
/// (only the changed pages), anything else is re-indexed in full. Sources no longer
/// configured are removed. A missing, damaged or outdated index is rebuilt, and `notice` is
/// told so in one line. Waits for any other process updating the index.
pub fn update(
    base: &Base,
    progress: &mut dyn FnMut(Progress),
    notice: &mut dyn FnMut(&str),
) -> Result<UpdateReport, IndexError> {
    let data = base.data_dir();
    let _lock = WriteLock::acquire(data)?;
    update_locked(base, progress, notice)
}

/// Like [`update`], but returns `None` at once when another process is updating the index.
pub fn try_update(
    base: &Base,
    progress: &mut dyn FnMut(Progress),
    notice: &mut dyn FnMut(&str),
) -> Result<Option<UpdateReport>, IndexError> {
    match WriteLock::try_acquire(base.data_dir())? {
        Some(_lock) => update_locked(base, progress, notice).map(Some),
        None => Ok(None),
    }
}

/// Opens the index for searching. Answering never waits for bringing it up to date: an index
/// that lags the sources' current copies is updated first when that can be done at once, and
/// otherwise (another ken is updating it, the update failed, the disk is full) it is searched
/// as it is, its last commit, and `notice` gets one line saying that results may be behind and
/// why. Only a missing or unreadable index is built before answering (waiting for any other
/// writer), since there is nothing to answer from.
pub fn open_current(
    base: &Base,
    progress: &mut dyn FnMut(Progress),
    notice: &mut dyn FnMut(&str),
) -> Result<SearchIndex, IndexError> {
    let data = base.data_dir();
    match SearchIndex::open(data) {
        Ok(ix) if is_current(base, &ix.meta()) => Ok(ix),
        Ok(ix) => {
            let behind = match try_update(base, progress, notice) {
                Ok(Some(r)) if r.failures.is_empty() => None,
                Ok(Some(r)) => Some(format!("the index lacks {}", r.failures.join("; "))),
                Ok(None) => Some("another ken is updating the index".to_string()),
                Err(e) => Some(format!("the index could not be updated ({e})")),
            };
            match behind {
                Some(why) => {
                    notice(&format!("results may be behind the synced copies: {why}"));
                    Ok(ix)
                }
                // The update committed: open what it committed.
                None => SearchIndex::open(data).or(Ok(ix)),
            }
        }
        Err(IndexError::Unusable { .. }) => {
            update(base, progress, notice)?;
            SearchIndex::open(data)
        }
        Err(e) => Err(e),
    }
}

/// Removes the index and builds it again from the sources.
pub fn rebuild(
    base: &Base,
    progress: &mut dyn FnMut(Progress),
    notice: &mut dyn FnMut(&str),
) -> Result<UpdateReport, IndexError> {
    let _lock = WriteLock::acquire(base.data_dir())?;
    let path = index_path(base.data_dir());
    if path.exists() {
        std::fs::remove_dir_all(&path).map_err(|source| IndexError::Io {
            path: path.display().to_string(),
            source,
        })?;
    }
    update_locked(base, progress, notice)
}

/// Whether the index reflects every configured source's current copy (cheap: no document
/// is read).
pub fn is_current(base: &Base, meta: &Meta) -> bool {
    meta.schema == schema::SCHEMA_VERSION && behind(base, meta).is_empty()
}

/// The sources whose current copy the index does not reflect: synced to another commit (or,
/// for a directory, changed) since it was indexed, never indexed, or no longer configured.
pub fn behind(base: &Base, meta: &Meta) -> Vec<String> {
    let mut out: Vec<String> = meta
        .sources
        .keys()
        .filter(|n| !base.config.sources.iter().any(|s| &s.name == *n))
        .cloned()
        .collect();
    for spec in &base.config.sources {
        let indexed = |commit: &str| {
            meta.sources.get(&spec.name).is_some_and(|o| {
                o.url == spec.url && o.filter == filter_key(spec) && o.commit == commit
            })
        };
        // A synced git source: its commit is in the state (no need to open the mirror, or
        // even to initialise libgit2, which costs more than a search).
        let current = match base.copy_id(spec) {
            Some(commit) => indexed(&commit),
            None => match state_of(base, spec) {
                Ok((_, _, commit)) => indexed(&commit),
                // Nothing to index from (never synced): nothing an update could do.
                Err(_) => true,
            },
        };
        if !current {
            out.push(spec.name.clone());
        }
    }
    out
}

/// A source's last good copy, its filter, and the commit (or directory fingerprint) it is at.
fn state_of(base: &Base, spec: &SourceSpec) -> Result<(Snapshot, Filter, String), String> {
    let copy = base.copy(spec).map_err(|e| e.cause)?;
    // A folder's fingerprint comes from its catalogue, compared with the disk as
    // `catalog::Check::Trust` says (not every file stat-ed on every search).
    let commit = copy.id().map_err(|e| e.cause)?;
    Ok((copy.snapshot, copy.filter, commit))
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy {
        path: path.display().to_string(),
        source,
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn create_fresh(path: &Path) -> Result<tantivy::Index, IndexError> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(io_err(path))?;
    }
    std::fs::create_dir_all(path).map_err(io_err(path))?;
    let (schema, _) = schema::build();
    let dir = crate::fault::index_directory(path).map_err(|reason| IndexError::Unusable {
        path: path.display().to_string(),
        reason,
    })?;
    let index = tantivy::Index::create(dir, schema, tantivy::IndexSettings::default())
        .map_err(tantivy_err(path))?;
    schema::register(index.tokenizers());
    Ok(index)
}

/// Removes every file of the index folder that its last commit does not use: the segments,
/// delete files and temporary files of a writer that was killed or failed, and the files of
/// merges it abandoned. The caller holds the index's write lock, so no living writer owns
/// any of them.
///
/// This is what makes an interrupted update harmless: tantivy numbers its operations from
/// the last commit, so the next writer doing the same work would try to create a killed
/// writer's `<segment>.<opstamp>.del` again and fail with `FileAlreadyExists` (issue 16).
fn remove_garbage(index: &tantivy::Index, writer: &IndexWriter<TantivyDocument>, path: &Path) {
    // tantivy's own collection first: it also drops the files from its list of managed files.
    let _ = writer.garbage_collect_files().wait();
    // Then whatever tantivy does not track (the temporary files of its atomic writes), and
    // anything else the last commit does not name. Readers only open the files of a commit,
    // and tantivy's meta lock keeps one from opening an older commit while files go.
    let Ok(_meta) = index
        .directory()
        .acquire_lock(&tantivy::directory::META_LOCK)
    else {
        return;
    };
    let Ok(metas) = index.load_metas() else {
        return;
    };
    let living = metas.list_segment_files();
    let Ok(dir) = std::fs::read_dir(path) else {
        return;
    };
    for e in dir.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let keep = name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(".tantivy-")
            || living.contains(Path::new(name.as_ref()));
        if !keep && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn update_locked(
    base: &Base,
    progress: &mut dyn FnMut(Progress),
    notice: &mut dyn FnMut(&str),
) -> Result<UpdateReport, IndexError> {
    let path = index_path(base.data_dir());
    let (index, prev, rebuilt) = match SearchIndex::open(base.data_dir()) {
        Ok(ix) => {
            let m = ix.meta();
            (ix.index, m, None)
        }
        Err(IndexError::Unusable { reason, .. }) => {
            notice(&format!(
                "search index {reason}: building it from the sources"
            ));
            (create_fresh(&path)?, Meta::default(), Some(reason))
        }
        Err(e) => return Err(e),
    };
    match write(base, &index, &prev, rebuilt.clone(), progress) {
        Ok(r) => Ok(r),
        // An incremental update that failed (a damaged segment, a diff that cannot be read)
        // is retried as a full rebuild into the same index: its old commit stays what every
        // search answers from until the new one is committed.
        // (Not on a full disk: a rebuild needs more space than the update did.)
        Err(e) if rebuilt.is_none() && !crate::durable::is_disk_full(&e.to_string()) => {
            let reason = format!("could not be updated ({e})");
            notice(&format!(
                "search index {reason}: rebuilding it from the mirrors"
            ));
            write(base, &index, &prev, Some(reason), progress)
        }
        Err(e) => Err(e),
    }
}

/// One update of the index: incremental from `prev`, or, with `rebuild` set, every source
/// indexed again in full (the old documents deleted in the same commit).
fn write(
    base: &Base,
    index: &tantivy::Index,
    prev: &Meta,
    rebuild: Option<String>,
    progress: &mut dyn FnMut(Progress),
) -> Result<UpdateReport, IndexError> {
    let path = index_path(base.data_dir());
    let mut report = UpdateReport {
        rebuilt: rebuild,
        ..UpdateReport::default()
    };
    let (_, fields) = schema::build();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 2);
    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(threads, WRITER_BUDGET)
        .map_err(tantivy_err(&path))?;
    remove_garbage(index, &writer, &path);
    let full = report.rebuilt.is_some();
    if full {
        writer.delete_all_documents().map_err(tantivy_err(&path))?;
    } else if fault::armed(fault::Point::IncrementalUpdateFails) {
        return Err(IndexError::Source(
            "a fault test made the update fail".into(),
        ));
    }
    // In a rebuild nothing of the old index is kept, whatever it recorded.
    let empty = Meta::default();
    let prev_kept = if full { &empty } else { prev };
    let mut meta = Meta {
        schema: schema::SCHEMA_VERSION,
        ..prev.clone()
    };
    meta.sources.clear();
    let mut changed = full;
    let cap = base.config.max_file_size;
    for spec in &base.config.sources {
        let name = spec.name.as_str();
        let old = prev_kept
            .sources
            .get(name)
            .filter(|o| o.url == spec.url && o.filter == filter_key(spec));
        let failed = |report: &mut UpdateReport, meta: &mut Meta, e: String| {
            report.failures.push(format!("{name}: {e}"));
            if let Some(o) = prev_kept.sources.get(name) {
                meta.sources.insert(name.to_string(), o.clone());
            }
        };
        if !base.has_copy(spec) {
            // Never synced: its sync has said why, and there is nothing to index.
            if let Some(o) = prev_kept.sources.get(name) {
                meta.sources.insert(name.to_string(), o.clone());
            }
            continue;
        }
        let (snap, filter, commit) = match state_of(base, spec) {
            Ok(s) => s,
            Err(e) => {
                failed(&mut report, &mut meta, e);
                continue;
            }
        };
        if let Some(o) = old.filter(|o| o.commit == commit) {
            meta.sources.insert(name.to_string(), o.clone());
            continue;
        }
        changed = true;
        let mut ctx = Ctx {
            writer: &writer,
            fields: &fields,
            name,
            filter: &filter,
            snap: &snap,
            cap,
        };
        // Incremental: the changes between the indexed commit and the new one.
        let diff = match (old, &snap) {
            (Some(o), Snapshot::Git { commit: new, .. }) => git2::Oid::from_str(&o.commit)
                .ok()
                .and_then(|from| {
                    let mirror = source::mirror_path(base.data_dir(), name);
                    source::changes(&mirror, from, *new).ok()
                })
                .map(|raw| (o.pages, corpus::doc_changes(&filter, &raw))),
            // A site: the old copy laid out again and compared with the new one, so only the
            // pages that changed (in any repository, or by a changed manifest) are indexed.
            (Some(o), Snapshot::Site(new)) => old_site(base, spec, o)
                .map(|old| (o.pages, crate::site::doc_changes(&filter, &old, &new.site))),
            // A local folder: the documents its catalogue saw change since the fingerprint
            // indexed (each deleted and added again if it is still a document).
            (Some(o), Snapshot::Dir { .. }) => {
                crate::catalog::changed_since(base.data_dir(), name, &o.commit, &commit).map(
                    |rels| {
                        let changes = rels
                            .iter()
                            .map(|rel| DocChange {
                                status: ChangeStatus::Modified,
                                path: filter.mounted(rel),
                                from: None,
                            })
                            .collect();
                        (o.pages, changes)
                    },
                )
            }
            _ => None,
        };
        let pages = match diff {
            Some((before, changes)) => {
                let (indexed, removed, net) = ctx.apply(&changes)?;
                report.indexed += indexed;
                report.removed += removed;
                match &snap {
                    // A folder's changes do not say which documents are new: its catalogue
                    // counts the pages.
                    Snapshot::Dir { .. } => crate::catalog::pages(base.data_dir(), name, &commit)
                        .unwrap_or_else(|| before.saturating_add_signed(net)),
                    _ => before.saturating_add_signed(net),
                }
            }
            None => {
                writer.delete_term(Term::from_field_text(fields.source, name));
                // On an error the deletion above is never committed.
                let n = ctx.full(progress)?;
                report.indexed += n;
                n
            }
        };
        meta.sources.insert(
            name.to_string(),
            IndexedSource {
                url: spec.url.clone(),
                commit,
                pages,
                filter: filter_key(spec),
                repos: match &snap {
                    Snapshot::Site(site) => site
                        .site
                        .parts
                        .iter()
                        .skip(1)
                        .map(|p| (p.url.clone(), p.commit.to_string()))
                        .collect(),
                    _ => Default::default(),
                },
                generated_on: match &snap {
                    Snapshot::Site(site) => site.site.generated_on.clone(),
                    _ => None,
                },
            },
        );
    }
    for (name, _) in prev.sources.iter() {
        if !base.config.sources.iter().any(|s| &s.name == name) {
            writer.delete_term(Term::from_field_text(fields.source, name));
            changed = true;
        }
    }
    if !changed {
        report.meta = prev.clone();
        return Ok(report);
    }
    meta.last_update_indexed = report.indexed;
    meta.last_update_removed = report.removed;
    meta.last_update_full = report.rebuilt.is_some();
    meta.updated_at = crate::state::now();
    let payload = serde_json::to_string(&meta).map_err(|e| io_err(&path)(e.into()))?;
    let mut commit = writer.prepare_commit().map_err(tantivy_err(&path))?;
    fault::hit(fault::Point::BeforeIndexCommit);
    commit.set_payload(&payload);
    commit.commit().map_err(tantivy_err(&path))?;
    fault::hit(fault::Point::AfterIndexCommit);
    // After a full build, wait for the merges: a compact index answers faster. After a few
    // changed pages, don't: the merge of a tiny segment can wait for the next writer (the
    // files of an abandoned merge are removed by the next writer's `remove_garbage`).
    if report.indexed + report.removed > INCREMENTAL_PAGES {
        writer.wait_merging_threads().map_err(tantivy_err(&path))?;
    }
    report.committed = true;
    report.meta = meta;
    Ok(report)
}

/// The copy of a site the index recorded: its own commit (before the `+`) with each
/// repository at the commit indexed (`None` when that cannot be laid out any more).
fn old_site(base: &Base, spec: &SourceSpec, o: &IndexedSource) -> Option<crate::site::Assembled> {
    let own = o.commit.split('+').next()?;
    let own = git2::Oid::from_str(own).ok()?;
    let site = match spec.manifest() {
        Some((manifest, _)) if o.commit.contains('+') => Some(crate::state::SiteState {
            manifest: manifest.to_string(),
            repos: o
                .repos
                .iter()
                .map(|(url, commit)| crate::state::RepoState {
                    url: url.clone(),
                    commit: Some(commit.clone()),
                    ..Default::default()
                })
                .collect(),
            generated_on: o.generated_on.clone(),
            previous: None,
        }),
        _ => None,
    };
    base.assemble_at(spec, own, site.as_ref()).ok()
}

/// What of a source's configuration decides which pages it has, and where.
fn filter_key(spec: &SourceSpec) -> String {
    serde_json::json!([spec.root, spec.mount, spec.include, spec.exclude]).to_string()
}

struct Ctx<'a> {
    writer: &'a IndexWriter<TantivyDocument>,
    fields: &'a Fields,
    name: &'a str,
    filter: &'a Filter,
    snap: &'a Snapshot,
    cap: u64,
}

impl Ctx<'_> {
    fn page_term(&self, path: &str) -> Term {
        Term::from_field_text(self.fields.page, &page_key(self.name, path))
    }

    /// Indexes every document; returns how many.
    fn full(&mut self, progress: &mut dyn FnMut(Progress)) -> Result<usize, IndexError> {
        let entries: Vec<Entry> = self
            .snap
            .entries(self.filter.root())
            .map_err(|e| IndexError::Source(format!("{}: {e}", self.name)))?
            .into_iter()
            .filter(|e| self.filter.is_doc(&e.path))
            .collect();
        let total = entries.len();
        let mut n = 0;
        for (i, e) in entries.iter().enumerate() {
            if self.add(e)? {
                n += 1;
            }
            if i % 64 == 63 || i + 1 == total {
                progress(Progress {
                    source: self.name.to_string(),
                    done: i + 1,
                    total,
                });
            }
        }
        Ok(n)
    }

    /// Applies a change list; returns (pages indexed, pages removed, net change in pages).
    fn apply(&mut self, changes: &[DocChange]) -> Result<(usize, usize, isize), IndexError> {
        let (mut indexed, mut removed, mut net) = (0, 0, 0isize);
        for c in changes {
            if let Some(from) = &c.from {
                self.writer.delete_term(self.page_term(from));
                removed += 1;
                net -= 1;
            }
            // Deleting first makes re-adding an update; deleting an absent page is harmless.
            self.writer.delete_term(self.page_term(&c.path));
            if c.status == ChangeStatus::Deleted {
                removed += 1;
                net -= 1;
                continue;
            }
            let Some(rel) = self.filter.unmounted(&c.path) else {
                continue;
            };
            let entry = self
                .snap
                .entry(self.filter.root(), rel)
                .map_err(|e| IndexError::Source(format!("{}: {rel}: {e}", self.name)))?;
            let added = match entry {
                Some(e) => self.add(&e)?,
                None => false,
            };
            if added {
                indexed += 1;
            }
            // An `M` page that was indexed before and is still a page: no net change.
            net += match (c.status, added) {
                (ChangeStatus::Modified, true) => 0,
                (ChangeStatus::Modified, false) => -1,
                (_, true) => 1,
                _ => 0,
            };
        }
        Ok((indexed, removed, net))
    }

    /// Indexes one document, section by section. `false` when it is not indexable (a
    /// symlink, binary, over the size cap, unreadable).
    fn add(&mut self, entry: &Entry) -> Result<bool, IndexError> {
        if matches!(entry.kind, EntryKind::Symlink { .. }) {
            return Ok(false);
        }
        let bytes = match self.snap.read(self.filter.root(), entry, self.cap) {
            Ok(Content::Bytes(b)) if !corpus::is_binary(&b) => b,
            _ => return Ok(false),
        };
        let text = corpus::decode(bytes);
        let parsed = corpus::parse(&text, &entry.path);
        let path = self.filter.mounted(&entry.path);
        add_page(self.writer, self.fields, self.name, &path, &parsed)?;
        Ok(true)
    }
}

/// Adds one page to the index, a tantivy document per section: what the disk index and an
/// index in memory (the built-in guide) both do with a page.
pub(super) fn add_page(
    writer: &IndexWriter<TantivyDocument>,
    f: &Fields,
    source: &str,
    path: &str,
    parsed: &corpus::Parsed,
) -> Result<(), IndexError> {
    let metas = meta_terms(parsed.front_matter.as_ref());
    let key = page_key(source, path);
    let page_id = page_id_of_key(&key);
    let sections = sections::split(&parsed.body);
    let vocabulary = vocabulary(&parsed.title, &sections);
    for (i, s) in sections.iter().enumerate() {
        let mut d = TantivyDocument::new();
        d.add_text(f.page, &key);
        d.add_u64(f.page_id, page_id);
        d.add_text(f.source, source);
        d.add_text(f.path, path);
        d.add_text(f.title, &parsed.title);
        d.add_text(f.heading, &s.heading_path);
        d.add_text(f.section, &s.heading);
        d.add_text(f.anchor, &s.anchor);
        d.add_text(f.body, &s.body);
        d.add_text(f.code, &s.code);
        if i == 0 {
            d.add_text(f.words, &vocabulary);
        }
        for m in &metas {
            d.add_text(f.meta, m);
        }
        d.add_u64(f.ord, i as u64);
        writer.add_document(d).map_err(|e| IndexError::Tantivy {
            path: path.to_string(),
            source: e,
        })?;
    }
    Ok(())
}

/// The distinct unstemmed words of a page (title, headings, prose), space-separated. The
/// `words` field only serves as the vocabulary that prefixes and typos are expanded against,
/// so each word is indexed once per page, in its first section.
fn vocabulary(title: &str, sections: &[sections::Section]) -> String {
    thread_local! {
        static PLAIN: std::cell::RefCell<tantivy::tokenizer::TextAnalyzer> =
            std::cell::RefCell::new(schema::plain());
    }
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = String::new();
    PLAIN.with(|a| {
        let mut a = a.borrow_mut();
        let texts = std::iter::once(title)
            .chain(sections.iter().map(|s| s.heading.as_str()))
            .chain(sections.iter().map(|s| s.body.as_str()));
        for text in texts {
            let mut stream = a.token_stream(text);
            while let Some(t) = stream.next() {
                if !seen.contains(t.text.as_str()) {
                    out.push_str(&t.text);
                    out.push(' ');
                    seen.insert(t.text.clone());
                }
            }
        }
    });
    out
}

/// The one term naming a page: its source, NUL, its path.
pub fn page_key(source: &str, path: &str) -> String {
    format!("{source}\0{path}")
}

/// The `page_id` fast field of a page, from its [`page_key`].
pub(crate) fn page_id_of_key(key: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// Front-matter facts worth filtering on, as `key=value` terms: scalar values and lists of
/// scalars (`tags`).
fn meta_terms(fm: Option<&serde_json::Value>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(serde_json::Value::Object(map)) = fm else {
        return out;
    };
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    for (k, v) in map {
        let values: Vec<String> = match v {
            serde_json::Value::Array(a) => a.iter().filter_map(scalar).collect(),
            v => scalar(v).into_iter().collect(),
        };
        for value in values {
            if !value.trim().is_empty() && value.chars().count() <= MAX_META_VALUE {
                out.push(schema::meta_term(k, &value));
            }
        }
    }
    out
}
