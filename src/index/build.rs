//! Building and updating the index from the sources' last good copies.

use std::hash::{Hash, Hasher};
use std::path::Path;

use tantivy::schema::Term;
use tantivy::{IndexWriter, TantivyDocument};

use super::schema::{self, Fields};
use super::sections;
use super::{IndexError, IndexedSource, Meta, SearchIndex, WriteLock, index_path};
use crate::base::Base;
use crate::config::SourceSpec;
use crate::corpus::{self, ChangeStatus, DocChange, Filter};
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

/// Opens the index for searching, first building or updating it when it does not reflect
/// the sources' current copies. When another process is updating it, the index is searched as
/// it is (its last commit). `notice` gets the one line about a rebuild.
pub fn open_current(
    base: &Base,
    progress: &mut dyn FnMut(Progress),
    notice: &mut dyn FnMut(&str),
) -> Result<SearchIndex, IndexError> {
    let data = base.data_dir();
    match SearchIndex::open(data) {
        Ok(ix) if is_current(base, &ix.meta()) => return Ok(ix),
        Ok(ix) => {
            if try_update(base, progress, notice)?.is_none() {
                return Ok(ix);
            }
        }
        Err(IndexError::Unusable { .. }) => {
            update(base, progress, notice)?;
        }
        Err(e) => return Err(e),
    }
    SearchIndex::open(data)
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
    if meta.schema != schema::SCHEMA_VERSION {
        return false;
    }
    if meta
        .sources
        .keys()
        .any(|n| !base.config.sources.iter().any(|s| &s.name == n))
    {
        return false;
    }
    base.config.sources.iter().all(|spec| {
        let indexed = |commit: &str| {
            meta.sources.get(&spec.name).is_some_and(|o| {
                o.url == spec.url && o.filter == filter_key(spec) && o.commit == commit
            })
        };
        // A synced git source: its commit is in the state (no need to open the mirror, or
        // even to initialise libgit2, which costs more than a search).
        let synced = base.state_of(spec).and_then(|s| s.commit.as_deref());
        if let Some(commit) = synced {
            return indexed(commit);
        }
        match state_of(base, spec) {
            Ok((_, _, commit)) => indexed(&commit),
            // Nothing to index from (never synced): nothing an update could do.
            Err(_) => true,
        }
    })
}

/// A source's last good copy, its filter, and the commit (or directory fingerprint) it is at.
fn state_of(base: &Base, spec: &SourceSpec) -> Result<(Snapshot, Filter, String), String> {
    let copy = base.copy(spec).map_err(|e| e.cause)?;
    let commit = match &copy.snapshot {
        Snapshot::Git { commit, .. } => commit.to_string(),
        Snapshot::Dir { .. } => dir_fingerprint(&copy.snapshot, &copy.filter)?,
    };
    Ok((copy.snapshot, copy.filter, commit))
}

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy {
        path: path.display().to_string(),
        source,
    }
}

fn create_fresh(path: &Path) -> Result<tantivy::Index, IndexError> {
    let io = |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    };
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(io)?;
    }
    std::fs::create_dir_all(path).map_err(io)?;
    let (schema, _) = schema::build();
    let index = tantivy::Index::create_in_dir(path, schema).map_err(tantivy_err(path))?;
    schema::register(index.tokenizers());
    Ok(index)
}

fn update_locked(
    base: &Base,
    progress: &mut dyn FnMut(Progress),
    notice: &mut dyn FnMut(&str),
) -> Result<UpdateReport, IndexError> {
    let path = index_path(base.data_dir());
    let mut report = UpdateReport::default();
    let (index, prev) = match SearchIndex::open(base.data_dir()) {
        Ok(ix) => {
            let m = ix.meta();
            (ix.index, m)
        }
        Err(IndexError::Unusable { reason, .. }) => {
            notice(&format!(
                "search index {reason}: building it from the sources"
            ));
            report.rebuilt = Some(reason);
            (create_fresh(&path)?, Meta::default())
        }
        Err(e) => return Err(e),
    };
    let (_, fields) = schema::build();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 2);
    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(threads, WRITER_BUDGET)
        .map_err(tantivy_err(&path))?;
    let mut meta = Meta {
        schema: schema::SCHEMA_VERSION,
        ..prev.clone()
    };
    meta.sources.clear();
    let mut changed = report.rebuilt.is_some();
    let cap = base.config.max_file_size;
    for spec in &base.config.sources {
        let name = spec.name.as_str();
        let old = prev
            .sources
            .get(name)
            .filter(|o| o.url == spec.url && o.filter == filter_key(spec));
        let failed = |report: &mut UpdateReport, meta: &mut Meta, e: String| {
            report.failures.push(format!("{name}: {e}"));
            if let Some(o) = prev.sources.get(name) {
                meta.sources.insert(name.to_string(), o.clone());
            }
        };
        if !base.has_copy(spec) {
            // Never synced: its sync has said why, and there is nothing to index.
            if let Some(o) = prev.sources.get(name) {
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
            _ => None,
        };
        let pages = match diff {
            Some((before, changes)) => {
                let (indexed, removed, net) = ctx.apply(spec, &changes)?;
                report.indexed += indexed;
                report.removed += removed;
                before.saturating_add_signed(net)
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
        report.meta = prev;
        return Ok(report);
    }
    meta.last_update_indexed = report.indexed;
    meta.last_update_removed = report.removed;
    meta.last_update_full = report.rebuilt.is_some();
    meta.updated_at = crate::state::now();
    let payload = serde_json::to_string(&meta).map_err(|e| IndexError::Io {
        path: path.display().to_string(),
        source: e.into(),
    })?;
    let mut commit = writer.prepare_commit().map_err(tantivy_err(&path))?;
    commit.set_payload(&payload);
    commit.commit().map_err(tantivy_err(&path))?;
    // After a full build, wait for the merges: a compact index answers faster. After a few
    // changed pages, don't: the merge of a tiny segment can wait for the next writer (the
    // files of an abandoned merge are removed by tantivy's garbage collection).
    if report.indexed + report.removed > INCREMENTAL_PAGES {
        writer.wait_merging_threads().map_err(tantivy_err(&path))?;
    }
    report.committed = true;
    report.meta = meta;
    Ok(report)
}

/// What of a source's configuration decides which pages it has, and where.
fn filter_key(spec: &SourceSpec) -> String {
    serde_json::json!([spec.root, spec.mount, spec.include, spec.exclude]).to_string()
}

/// A local directory's state: its documents' paths, sizes and modification times, hashed.
fn dir_fingerprint(snap: &Snapshot, filter: &Filter) -> Result<String, String> {
    let Snapshot::Dir { root } = snap else {
        return Err("not a directory".into());
    };
    let base = match filter.root() {
        Some(r) => root.join(r),
        None => root.clone(),
    };
    let mut h = std::hash::DefaultHasher::new();
    for e in snap.entries(filter.root()).map_err(|e| e.to_string())? {
        if !filter.is_doc(&e.path) {
            continue;
        }
        e.path.hash(&mut h);
        if let Ok(m) = std::fs::symlink_metadata(base.join(&e.path)) {
            m.len().hash(&mut h);
            if let Ok(t) = m.modified() {
                t.hash(&mut h);
            }
        }
    }
    Ok(format!("dir:{:016x}", h.finish()))
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
    fn apply(
        &mut self,
        spec: &SourceSpec,
        changes: &[DocChange],
    ) -> Result<(usize, usize, isize), IndexError> {
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
            let Some(rel) = unmount(spec, &c.path) else {
                continue;
            };
            let added = match entry_at(self.snap, self.filter.root(), rel) {
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
        let f = self.fields;
        let metas = meta_terms(parsed.front_matter.as_ref());
        let key = page_key(self.name, &path);
        let page_id = {
            let mut h = std::hash::DefaultHasher::new();
            key.hash(&mut h);
            h.finish()
        };
        let sections = sections::split(&parsed.body);
        let vocabulary = vocabulary(&parsed.title, &sections);
        for (i, s) in sections.iter().enumerate() {
            let mut d = TantivyDocument::new();
            d.add_text(f.page, &key);
            d.add_u64(f.page_id, page_id);
            d.add_text(f.source, self.name);
            d.add_text(f.path, &path);
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
            self.writer
                .add_document(d)
                .map_err(|e| IndexError::Tantivy {
                    path: path.clone(),
                    source: e,
                })?;
        }
        Ok(true)
    }
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
pub(crate) fn page_key(source: &str, path: &str) -> String {
    format!("{source}\0{path}")
}

/// The path inside the source's root for a reader's path (the inverse of `Filter::mounted`).
fn unmount<'a>(spec: &SourceSpec, path: &'a str) -> Option<&'a str> {
    match spec
        .mount
        .as_deref()
        .map(|m| m.trim_matches('/'))
        .filter(|m| !m.is_empty())
    {
        None => Some(path),
        Some(m) => path.strip_prefix(m).and_then(|p| p.strip_prefix('/')),
    }
}

/// The entry of one file of a snapshot, without listing the whole tree.
fn entry_at(snap: &Snapshot, root: Option<&str>, rel: &str) -> Option<Entry> {
    let root = root.map(|r| r.trim_matches('/')).filter(|r| !r.is_empty());
    match snap {
        Snapshot::Git { repo, commit } => {
            let full = match root {
                Some(r) => format!("{r}/{rel}"),
                None => rel.to_string(),
            };
            let tree = repo.find_commit(*commit).ok()?.tree().ok()?;
            let e = tree.get_path(Path::new(&full)).ok()?;
            match e.filemode() {
                0o100644 | 0o100755 => {
                    let (size, _) = repo.odb().ok()?.read_header(e.id()).ok()?;
                    Some(Entry {
                        path: rel.to_string(),
                        kind: EntryKind::File {
                            size: size as u64,
                            oid: Some(e.id()),
                        },
                    })
                }
                _ => None,
            }
        }
        Snapshot::Dir { root: dir } => {
            let base = match root {
                Some(r) => dir.join(r),
                None => dir.clone(),
            };
            let m = std::fs::symlink_metadata(base.join(rel)).ok()?;
            m.is_file().then(|| Entry {
                path: rel.to_string(),
                kind: EntryKind::File {
                    size: m.len(),
                    oid: None,
                },
            })
        }
    }
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
