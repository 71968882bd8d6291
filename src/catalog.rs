//! The catalogue: what reading every file of a source's copy tells (each document's path,
//! title, front matter, symlink target and object, the files skipped and why), kept per
//! source in `<data dir>/catalog/<source>` with the name of the copy it describes, so that
//! `ken list`, the library, `ken check` and the index need no blob read unless the source
//! changed.
//!
//! For a git source (or a site) the name is the synced commit (`SourceState::copy_id`),
//! known from `state.json` without opening the mirror. A new commit is caught up from the
//! old catalogue and the diff between the two commits, reading only the changed files.
//!
//! For a local folder the name is a fingerprint of its documents' sizes and modification
//! times, and the catalogue also keeps each folder's modification time and when the files
//! were last compared with the disk (a *full check*: every file stat-ed, only the changed
//! ones read). Whether a folder is still as catalogued is decided:
//! - by `ken sync`, and by the terminal UI when its file watcher reports a change: a full
//!   check, always ([`Check::Full`]);
//! - by every other command ([`Check::Trust`]): from the folders' times (adding, removing or
//!   renaming a file changes its folder's time, and so does an editor that saves by writing
//!   a new file), plus a full check when the last one is older than [`FOLDER_TRUST`].
//!
//! A time within [`RACY_NS`] of the check that read it is not trusted (a second change in the
//! same clock tick would leave it equal): it is recorded as unknown, so the next check
//! compares that file or folder again. For the index, a folder's catalogue also remembers
//! which documents changed since each of its last few names ([`changed_since`]), so an edit
//! re-indexes that page, not the folder.
//!
//! The file is postcard (serde, compact, read without copying its strings); front matter is
//! kept as JSON text and parsed only for callers that want it (`ken list` does not). A file
//! that cannot be read, or of another format, is as if there were none: it is made again.
//! A catalogue file is named by its source (the config allows no name starting with `.`,
//! so none is taken for a temporary file).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::corpus::{self, Catalog, Document, Filter, Note};
use crate::source::{self, Entry, EntryKind, FileOrigin, Snapshot, SourceError};

/// The format of the catalogue files; another number is made again. (3: origins stored with
/// every field; postcard cannot read a struct that skipped one.)
const VERSION: u32 = 3;
/// How long commands that do not sync trust a folder's last full check, as long as none of
/// its folders changed (see the module's comment).
pub const FOLDER_TRUST_SECS: i64 = 30;
/// A time this close to the check that read it (or after it) is not trusted.
pub const RACY_NS: i64 = 1_000_000_000;
/// How many earlier names of a folder's catalogue keep their list of changed documents.
const SINCE_KEPT: usize = 4;
/// A list of changed documents longer than this is dropped (re-indexing the folder is then
/// as cheap).
const SINCE_MAX: usize = 5_000;

/// How a local folder is compared with its catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Check {
    /// The folders' times, and a full check when the last one is over [`FOLDER_TRUST_SECS`]
    /// old.
    #[default]
    Trust,
    /// Every file stat-ed now.
    Full,
}

/// The stored form. The header comes first, so a caller that wants only the folder's state
/// reads no document.
#[derive(Serialize, Deserialize)]
struct Header<'a> {
    version: u32,
    /// The copy described: a commit, a site's copy id, or a folder's `dir:` fingerprint.
    #[serde(borrow)]
    copy: Cow<'a, str>,
    /// The source's settings that decide its documents (root, mount, globs, size cap).
    #[serde(borrow)]
    settings: Cow<'a, str>,
    #[serde(borrow)]
    folder: Option<FolderState<'a>>,
}

#[derive(Serialize, Deserialize, Clone)]
struct FolderState<'a> {
    /// When the last full check started, in nanoseconds since the epoch.
    checked_at: i64,
    /// Every folder and its time (`-1`: unknown, compare again).
    #[serde(borrow)]
    dirs: Vec<(Cow<'a, str>, i64)>,
    /// For each of the last few names of this catalogue, the documents (paths under the
    /// root) that changed since.
    #[serde(borrow)]
    since: Vec<(Cow<'a, str>, Vec<Cow<'a, str>>)>,
}

#[derive(Serialize, Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    docs: Vec<Doc<'a>>,
    #[serde(borrow)]
    skipped: Vec<Skipped<'a>>,
}

#[derive(Serialize, Deserialize)]
struct Doc<'a> {
    /// The path under the source's root.
    #[serde(borrow)]
    rel: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    link: Option<Cow<'a, str>>,
    /// JSON text.
    #[serde(borrow)]
    front_matter: Option<Cow<'a, str>>,
    #[serde(borrow)]
    origin: Option<Origin<'a>>,
    size: u64,
    oid: Option<[u8; 20]>,
    /// A folder's file: its time (`-1`: unknown).
    mtime: i64,
    /// A folder's file: a hash of its content (what names the copy; the time only says
    /// whether to read it again).
    hash: u64,
    /// A problem worth a note (front matter that does not parse).
    #[serde(borrow)]
    note: Option<Cow<'a, str>>,
}

/// Where a site's document comes from ([`FileOrigin`], every field written: postcard reads
/// fields in order, so none may be left out).
#[derive(Serialize, Deserialize)]
struct Origin<'a> {
    #[serde(borrow)]
    repo: Cow<'a, str>,
    #[serde(borrow)]
    branch: Option<Cow<'a, str>>,
    #[serde(borrow)]
    commit: Cow<'a, str>,
    #[serde(borrow)]
    path: Cow<'a, str>,
}

impl Origin<'_> {
    fn of(o: &FileOrigin) -> Origin<'static> {
        Origin {
            repo: Cow::Owned(o.repo.clone()),
            branch: o.branch.clone().map(Cow::Owned),
            commit: Cow::Owned(o.commit.clone()),
            path: Cow::Owned(o.path.clone()),
        }
    }

    fn file_origin(&self) -> FileOrigin {
        FileOrigin {
            repo: self.repo.to_string(),
            branch: self.branch.as_ref().map(|b| b.to_string()),
            commit: self.commit.to_string(),
            path: self.path.to_string(),
        }
    }
}

/// A file that is a document by its name but was skipped (binary, over the cap, unreadable).
#[derive(Serialize, Deserialize)]
struct Skipped<'a> {
    #[serde(borrow)]
    rel: Cow<'a, str>,
    #[serde(borrow)]
    problem: Cow<'a, str>,
    size: u64,
    mtime: i64,
    hash: u64,
}

/// One line of `ken list`: what the catalogue knows of a document without parsing its
/// front matter, borrowed from the catalogue file where it can be (a listing of 40,000
/// pages then makes no string per page).
#[derive(Debug, Clone)]
pub struct Listed<'a> {
    pub source: &'a str,
    pub path: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub link: Option<Cow<'a, str>>,
    pub origin: Option<ListedOrigin<'a>>,
}

/// [`FileOrigin`], borrowed; its JSON is the same.
#[derive(Debug, Clone, Serialize)]
pub struct ListedOrigin<'a> {
    pub repo: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<Cow<'a, str>>,
    pub commit: Cow<'a, str>,
    pub path: Cow<'a, str>,
}

impl<'a> ListedOrigin<'a> {
    pub fn of(o: &'a FileOrigin) -> ListedOrigin<'a> {
        ListedOrigin {
            repo: Cow::Borrowed(&o.repo),
            branch: o.branch.as_deref().map(Cow::Borrowed),
            commit: Cow::Borrowed(&o.commit),
            path: Cow::Borrowed(&o.path),
        }
    }
}

/// A git source's or site's catalogue, read for `ken list` ([`listing`]): the file is read
/// once and its documents decoded on demand, borrowing from it ([`Listing::docs`]).
pub struct Listing {
    loaded: Loaded,
    source: String,
    filter: Filter,
}

impl Listing {
    /// The documents and the notes about skipped or odd files; `None` when the documents do
    /// not decode (a torn file).
    pub fn docs(&self) -> Option<(Vec<Listed<'_>>, Vec<Note>)> {
        let (_, rest) = self.loaded.parts()?;
        let seed = ListedBody {
            source: &self.source,
            filter: &self.filter,
        };
        let mut de = postcard::Deserializer::from_bytes(rest);
        let (docs, mut notes) = serde::de::DeserializeSeed::deserialize(seed, &mut de).ok()?;
        notes.sort_by(|a, b| a.path.cmp(&b.path));
        Some((docs, notes))
    }
}

/// Decodes a [`Body`] straight into what `ken list` shows: each document becomes a
/// [`Listed`] as it is read, so no `Doc` of 40,000 is kept (front matter, sizes and object
/// ids are read past).
struct ListedBody<'a> {
    source: &'a str,
    filter: &'a Filter,
}

impl<'a> ListedBody<'a> {
    fn listed(&self, d: Doc<'a>, notes: &mut Vec<Note>) -> Listed<'a> {
        let path = self.filter.mounted_cow(d.rel);
        if let Some(n) = &d.note {
            notes.push(Note {
                source: self.source.to_string(),
                path: path.to_string(),
                problem: n.to_string(),
            });
        }
        Listed {
            source: self.source,
            path,
            title: d.title,
            link: d.link,
            origin: d.origin.map(|o| ListedOrigin {
                repo: o.repo,
                branch: o.branch,
                commit: o.commit,
                path: o.path,
            }),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for ListedBody<'de> {
    type Value = (Vec<Listed<'de>>, Vec<Note>);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // `Body` is two fields, in order: the documents, then the files skipped.
        d.deserialize_tuple(2, self)
    }
}

impl<'de> serde::de::Visitor<'de> for ListedBody<'de> {
    type Value = (Vec<Listed<'de>>, Vec<Note>);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a catalogue's documents")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let mut notes = Vec::new();
        let docs = seq
            .next_element_seed(ListedDocs {
                body: &self,
                notes: &mut notes,
            })?
            .ok_or_else(|| A::Error::custom("no documents"))?;
        let skipped: Vec<Skipped<'de>> = seq
            .next_element()?
            .ok_or_else(|| A::Error::custom("no skipped files"))?;
        notes.extend(skipped.iter().map(|s| Note {
            source: self.source.to_string(),
            path: self.filter.mounted(&s.rel),
            problem: s.problem.to_string(),
        }));
        Ok((docs, notes))
    }
}

/// The documents of a [`ListedBody`].
struct ListedDocs<'b, 'a> {
    body: &'b ListedBody<'a>,
    notes: &'b mut Vec<Note>,
}

impl<'de> serde::de::DeserializeSeed<'de> for ListedDocs<'_, 'de> {
    type Value = Vec<Listed<'de>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ListedDocs<'_, 'de> {
    type Value = Vec<Listed<'de>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of documents")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Capped: the length is the file's word, and the file is not trusted.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(d) = seq.next_element::<Doc<'de>>()? {
            out.push(self.body.listed(d, self.notes));
        }
        Ok(out)
    }
}

/// A catalogue file read into memory, or mapped.
struct Loaded {
    bytes: Bytes,
}

enum Bytes {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Read(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

impl Loaded {
    /// The whole file, if its header is of this format (the documents are decoded when
    /// asked for: [`Loaded::body`]).
    fn read(path: &Path) -> Option<Loaded> {
        let bytes = std::fs::read(path).ok()?;
        let l = Loaded {
            bytes: Bytes::Read(bytes),
        };
        (l.parts()?.0.version == VERSION).then_some(l)
    }

    /// [`Loaded::read`], the file mapped rather than copied: `ken list` of 40,000 pages
    /// spent a tenth of its time copying the 7.6 MB file into fresh memory.
    fn map(path: &Path) -> Option<Loaded> {
        let file = std::fs::File::open(path).ok()?;
        // SAFETY: a mapping is undefined behaviour if the file changes under it. A catalogue
        // is never written in place: `durable::write` writes a new file and renames it over
        // the old, whose mapped content stays as it was. (As for tantivy's mapped index
        // files, a person truncating the file meanwhile would end the process, by SIGBUS.)
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let l = Loaded {
            bytes: Bytes::Mapped(map),
        };
        (l.parts()?.0.version == VERSION).then_some(l)
    }

    /// Only as much of the file as its header takes (a folder's state is all a search
    /// needs; the documents may be megabytes).
    fn head(path: &Path) -> Option<Loaded> {
        use std::io::Read;
        let mut file = std::fs::File::open(path).ok()?;
        let mut bytes = Vec::new();
        let mut chunk = 64 * 1024;
        loop {
            let got = (&mut file)
                .take(chunk as u64)
                .read_to_end(&mut bytes)
                .ok()?;
            let version = postcard::take_from_bytes::<Header>(&bytes)
                .ok()
                .map(|(h, _)| h.version);
            if let Some(v) = version {
                return (v == VERSION).then_some(Loaded {
                    bytes: Bytes::Read(bytes),
                });
            }
            if got == 0 {
                return None;
            }
            chunk *= 2;
        }
    }

    fn parts(&self) -> Option<(Header<'_>, &[u8])> {
        postcard::take_from_bytes::<Header>(&self.bytes).ok()
    }

    fn header(&self) -> Header<'_> {
        self.parts().expect("checked when read").0
    }

    /// The documents; `None` when they do not decode (a torn or foreign file: made again).
    fn body(&self) -> Option<Body<'_>> {
        postcard::from_bytes(self.parts()?.1).ok()
    }
}

/// The catalogue file of a source.
pub fn path(data_dir: &Path, source: &str) -> PathBuf {
    data_dir.join("catalog").join(source)
}

/// The settings of a source that decide which documents it has (and so whether a catalogue
/// made under other settings can be used).
pub fn settings(spec: &crate::config::SourceSpec, cap: u64) -> String {
    serde_json::json!([spec.root, spec.mount, spec.include, spec.exclude, cap]).to_string()
}

fn oid_bytes(oid: Option<git2::Oid>) -> Option<[u8; 20]> {
    oid.and_then(|o| o.as_bytes().try_into().ok())
}

impl Doc<'_> {
    fn entry(&self) -> Entry {
        Entry {
            path: self.rel.to_string(),
            kind: match &self.link {
                Some(t) => EntryKind::Symlink {
                    target: t.to_string(),
                },
                None => EntryKind::File {
                    size: self.size,
                    oid: self.oid.and_then(|b| git2::Oid::from_bytes(&b).ok()),
                },
            },
        }
    }

    fn document(&self, source: &str, filter: &Filter) -> Document {
        Document {
            source: source.to_string(),
            path: filter.mounted(&self.rel),
            rel: self.rel.to_string(),
            title: self.title.to_string(),
            link: self.link.as_ref().map(|l| l.to_string()),
            front_matter: self
                .front_matter
                .as_ref()
                .and_then(|j| serde_json::from_str(j).ok()),
            origin: self.origin.as_ref().map(Origin::file_origin),
            entry: self.entry(),
        }
    }

    fn of(d: &Document, note: Option<&str>, mtime: i64, hash: u64) -> Doc<'static> {
        let (size, oid) = match &d.entry.kind {
            EntryKind::File { size, oid } => (*size, oid_bytes(*oid)),
            EntryKind::Symlink { .. } => (0, None),
        };
        Doc {
            rel: Cow::Owned(d.rel.clone()),
            title: Cow::Owned(d.title.clone()),
            link: d.link.clone().map(Cow::Owned),
            front_matter: d.front_matter.as_ref().map(|v| Cow::Owned(v.to_string())),
            origin: d.origin.as_ref().map(Origin::of),
            size,
            oid,
            mtime,
            hash,
            note: note.map(|n| Cow::Owned(n.to_string())),
        }
    }
}

/// Everything a catalogue knows, as the reader of a copy wants it.
fn catalog_of(l: &Loaded, source: &str, filter: &Filter) -> Option<Catalog> {
    let body = l.body()?;
    let mut notes = Vec::new();
    let docs = body
        .docs
        .iter()
        .map(|d| {
            if let Some(n) = &d.note {
                notes.push(Note {
                    source: source.to_string(),
                    path: filter.mounted(&d.rel),
                    problem: n.to_string(),
                });
            }
            d.document(source, filter)
        })
        .collect();
    notes.extend(body.skipped.iter().map(|s| Note {
        source: source.to_string(),
        path: filter.mounted(&s.rel),
        problem: s.problem.to_string(),
    }));
    notes.sort_by(|a, b| a.path.cmp(&b.path));
    Some(Catalog { docs, notes })
}

/// Writes a catalogue atomically (`durable::write`: a reader sees the old file or the new
/// one; a killed writer's temporary file is removed by the next write). Not synced: a torn
/// file after a power cut does not decode and is made again. A failure only costs the next
/// command a scan.
fn store(path: &Path, header: &Header, body: &Body) {
    let Ok(mut bytes) = postcard::to_stdvec(header) else {
        return;
    };
    let Ok(b) = postcard::to_stdvec(body) else {
        return;
    };
    bytes.extend_from_slice(&b);
    let _ = crate::durable::write(path, &bytes, crate::durable::Sync::No, None);
}

/// The stored form of a git source's catalogue: its documents, each with its note (front
/// matter that does not parse), and the files skipped.
fn body_of(cat: &Catalog, filter: &Filter) -> Body<'static> {
    let notes: HashMap<&str, &str> = cat
        .notes
        .iter()
        .map(|n| (n.path.as_str(), n.problem.as_str()))
        .collect();
    let doc_paths: BTreeSet<&str> = cat.docs.iter().map(|d| d.path.as_str()).collect();
    let docs = cat
        .docs
        .iter()
        .map(|d| Doc::of(d, notes.get(d.path.as_str()).copied(), 0, 0))
        .collect();
    let skipped = cat
        .notes
        .iter()
        .filter(|n| !doc_paths.contains(n.path.as_str()))
        .filter_map(|n| {
            Some(Skipped {
                rel: Cow::Owned(filter.unmounted(&n.path)?.to_string()),
                problem: Cow::Owned(n.problem.clone()),
                size: 0,
                mtime: 0,
                hash: 0,
            })
        })
        .collect();
    Body { docs, skipped }
}

// ---- git sources and sites --------------------------------------------------------------

/// The listing of a git source or site at copy `id` (the commit `state.json` records), if
/// its catalogue is of that copy: no mirror opened, no front matter parsed.
pub fn listing(
    data_dir: &Path,
    source: &str,
    filter: &Filter,
    settings: &str,
    id: &str,
) -> Option<Listing> {
    let l = Loaded::map(&path(data_dir, source))?;
    let h = l.header();
    if h.copy != id || h.settings != settings || h.folder.is_some() {
        return None;
    }
    Some(Listing {
        loaded: l,
        source: source.to_string(),
        filter: filter.clone(),
    })
}

/// The documents of a git source or site at copy `id`, if its catalogue is of that copy
/// (no mirror opened).
pub fn stored(
    data_dir: &Path,
    source: &str,
    filter: &Filter,
    settings: &str,
    id: &str,
) -> Option<Catalog> {
    let l = Loaded::read(&path(data_dir, source))?;
    let h = l.header();
    if h.copy == id && h.settings == settings && h.folder.is_none() {
        catalog_of(&l, source, filter)
    } else {
        None
    }
}

/// The front matter of the documents at `paths` (the reader's paths) of a git source or site
/// at copy `id`, if its catalogue is of that copy: no mirror opened, and only those
/// documents' front matter parsed. A path without a document, or whose document has no
/// front matter, is absent from the map.
pub fn front_matters(
    data_dir: &Path,
    source: &str,
    filter: &Filter,
    settings: &str,
    id: &str,
    paths: &BTreeSet<&str>,
) -> Option<HashMap<String, serde_json::Value>> {
    let l = Loaded::read(&path(data_dir, source))?;
    let h = l.header();
    if h.copy != id || h.settings != settings || h.folder.is_some() {
        return None;
    }
    let body = l.body()?;
    Some(
        body.docs
            .iter()
            .filter_map(|d| {
                let path = filter.mounted(&d.rel);
                if !paths.contains(path.as_str()) {
                    return None;
                }
                let fm = serde_json::from_str(d.front_matter.as_deref()?).ok()?;
                Some((path, fm))
            })
            .collect(),
    )
}

/// The documents of a git source's or site's copy `id`: from the catalogue when it is of
/// that copy; else read, only the files changed since the catalogue's commit when both are
/// commits of the source's mirror, and stored.
pub fn git_docs(
    data_dir: &Path,
    source: &str,
    filter: &Filter,
    settings: &str,
    snap: &Snapshot,
    cap: u64,
    id: &str,
) -> Result<Catalog, SourceError> {
    let file = path(data_dir, source);
    let old = Loaded::read(&file);
    if let Some(l) = &old {
        let h = l.header();
        if h.settings == settings
            && h.folder.is_none()
            && h.copy == id
            && let Some(cat) = catalog_of(l, source, filter)
        {
            return Ok(cat);
        }
    }
    let caught_up = old.as_ref().and_then(|l| {
        let h = l.header();
        if h.settings != settings || h.folder.is_some() {
            return None;
        }
        let Snapshot::Git { commit, .. } = snap else {
            return None;
        };
        let from = git2::Oid::from_str(&h.copy).ok()?;
        let raw = source::changes(&source::mirror_path(data_dir, source), from, *commit).ok()?;
        let changes = corpus::doc_changes(filter, &raw);
        catch_up(
            catalog_of(l, source, filter)?,
            &changes,
            source,
            filter,
            snap,
            cap,
        )
        .ok()
    });
    let cat = match caught_up {
        Some(c) => c,
        None => corpus::scan(source, filter, snap, cap)?,
    };
    let header = Header {
        version: VERSION,
        copy: Cow::Borrowed(id),
        settings: Cow::Borrowed(settings),
        folder: None,
    };
    store(&file, &header, &body_of(&cat, filter));
    Ok(cat)
}

/// A catalogue brought from one commit to the next by the documents that changed (or back:
/// `ken check --changed-since` lays out the copy at the start of its range this way).
pub(crate) fn catch_up(
    mut cat: Catalog,
    changes: &[corpus::DocChange],
    source: &str,
    filter: &Filter,
    snap: &Snapshot,
    cap: u64,
) -> Result<Catalog, SourceError> {
    let mut gone: BTreeSet<&str> = BTreeSet::new();
    for c in changes {
        gone.insert(c.path.as_str());
        if let Some(f) = &c.from {
            gone.insert(f.as_str());
        }
    }
    cat.docs.retain(|d| !gone.contains(d.path.as_str()));
    cat.notes.retain(|n| !gone.contains(n.path.as_str()));
    for c in changes {
        if c.status == corpus::ChangeStatus::Deleted {
            continue;
        }
        let Some(rel) = filter.unmounted(&c.path) else {
            continue;
        };
        if let Some(entry) = snap.entry(filter.root(), rel)?
            && let Some(doc) = corpus::load(source, filter, snap, entry, cap, &mut cat.notes)?
        {
            cat.docs.push(doc);
        }
    }
    cat.docs.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(cat)
}

// ---- local folders ----------------------------------------------------------------------

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos().min(i64::MAX as u128) as i64)
}

/// A time as recorded at a check that started at `at`: unknown (`-1`) when too recent.
fn trusted(mtime: i64, at: i64) -> i64 {
    if mtime > at - RACY_NS { -1 } else { mtime }
}

/// The name of a folder's copy: its documents' and skipped files' paths and contents (not
/// their times: a file read again because its time was too recent to trust, and found the
/// same, leaves the name, and so the index, as they were).
fn fingerprint(body: &Body) -> String {
    let mut h = std::hash::DefaultHasher::new();
    for d in &body.docs {
        (&*d.rel, d.hash, d.link.as_deref()).hash(&mut h);
    }
    for s in &body.skipped {
        (&*s.rel, s.hash).hash(&mut h);
    }
    format!("dir:{:016x}", h.finish())
}

/// A hash of what a folder's file holds: its bytes, a symlink's target, or its size when
/// over the cap (its content is never read then).
fn content_hash(snap: &Snapshot, filter: &Filter, entry: &Entry, cap: u64) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    match &entry.kind {
        EntryKind::Symlink { target } => ("link", target).hash(&mut h),
        EntryKind::File { .. } => match snap.read(filter.root(), entry, cap) {
            Ok(source::Content::Bytes(b)) => ("bytes", b).hash(&mut h),
            Ok(source::Content::TooLarge(n)) => ("large", n).hash(&mut h),
            Err(e) => ("error", e.to_string()).hash(&mut h),
        },
    }
    h.finish()
}

/// From this many folders on, the cheap test looks at them on every core: it is one `stat`
/// a folder, nearly all of what `ken search` costs on a big folder (8,700 folders: about
/// 24 ms of system time on one core).
const PARALLEL_DIRS: usize = 1024;

/// Whether a folder is as its catalogue says by the cheap test: checked fully not long ago,
/// and no folder's time changed.
fn still_trusted(base: &Path, f: &FolderState) -> bool {
    use rayon::prelude::*;
    let age = now_ns().saturating_sub(f.checked_at);
    if !(0..FOLDER_TRUST_SECS * 1_000_000_000).contains(&age) {
        return false;
    }
    let same = |(rel, t): &(Cow<str>, i64)| {
        *t >= 0
            && std::fs::symlink_metadata(base.join(&**rel))
                .is_ok_and(|m| m.is_dir() && source::mtime_ns(&m) == *t)
    };
    if f.dirs.len() >= PARALLEL_DIRS {
        f.dirs.par_iter().all(same)
    } else {
        f.dirs.iter().all(same)
    }
}

/// The name of a local folder's copy (`dir:…`), after comparing it with its catalogue as
/// `check` says (and bringing the catalogue up to date if it changed).
pub fn folder_id(
    data_dir: &Path,
    source: &str,
    filter: &Filter,
    settings: &str,
    root: &Path,
    cap: u64,
    check: Check,
) -> Result<String, SourceError> {
    let file = path(data_dir, source);
    let base = folder_base(root, filter);
    // The cheap test reads only the header (the folder's state), not the documents.
    if check == Check::Trust
        && let Some(l) = Loaded::head(&file)
    {
        let h = l.header();
        if h.settings == settings
            && let Some(f) = &h.folder
            && still_trusted(&base, f)
        {
            return Ok(h.copy.into_owned());
        }
    }
    let old = Loaded::read(&file);
    full_check(&file, old.as_ref(), source, filter, settings, root, cap)
}

/// The documents of a local folder, after comparing it with its catalogue as `check` says.
pub fn folder_docs(
    data_dir: &Path,
    source: &str,
    filter: &Filter,
    settings: &str,
    root: &Path,
    cap: u64,
    check: Check,
) -> Result<(Catalog, String), SourceError> {
    let id = folder_id(data_dir, source, filter, settings, root, cap, check)?;
    let l = Loaded::read(&path(data_dir, source)).filter(|l| l.header().copy == id);
    match l.and_then(|l| catalog_of(&l, source, filter)) {
        Some(cat) => Ok((cat, id)),
        // The catalogue could not be written (a read-only data dir): read the folder.
        None => Ok((
            corpus::scan(
                source,
                filter,
                &Snapshot::Dir {
                    root: root.to_path_buf(),
                },
                cap,
            )?,
            id,
        )),
    }
}

fn folder_base(root: &Path, filter: &Filter) -> PathBuf {
    match filter.root() {
        Some(r) => root.join(r),
        None => root.to_path_buf(),
    }
}

/// Every file of the folder stat-ed and compared with the catalogue; the files whose size or
/// time changed are read again. Returns the folder's name and stores the catalogue.
fn full_check(
    file: &Path,
    old: Option<&Loaded>,
    source: &str,
    filter: &Filter,
    settings: &str,
    root: &Path,
    cap: u64,
) -> Result<String, SourceError> {
    let at = now_ns();
    let base = folder_base(root, filter);
    let walk = match source::walk_folder(&base) {
        Ok(w) => w,
        Err(_) if filter.root().is_some() && !base.exists() => source::FolderWalk::default(),
        Err(e) => return Err(e),
    };
    let (old_header, old_body) = match old {
        Some(l) if l.header().settings == settings && l.header().folder.is_some() => {
            (Some(l.header()), l.body())
        }
        _ => (None, None),
    };
    let old_docs: HashMap<&str, &Doc> = old_body
        .iter()
        .flat_map(|b| b.docs.iter())
        .map(|d| (&*d.rel, d))
        .collect();
    let old_skipped: HashMap<&str, &Skipped> = old_body
        .iter()
        .flat_map(|b| b.skipped.iter())
        .map(|s| (&*s.rel, s))
        .collect();
    let snap = Snapshot::Dir {
        root: root.to_path_buf(),
    };
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    let mut changed: BTreeSet<String> = BTreeSet::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (entry, mtime) in walk.entries.into_iter().zip(walk.mtimes) {
        if !filter.is_doc(&entry.path) {
            continue;
        }
        let size = match &entry.kind {
            EntryKind::File { size, .. } => *size,
            EntryKind::Symlink { .. } => 0,
        };
        let rel = entry.path.clone();
        seen.insert(rel.clone());
        let link = match &entry.kind {
            EntryKind::Symlink { target } => Some(target.as_str()),
            EntryKind::File { .. } => None,
        };
        let same = |s: u64, t: i64| s == size && t == mtime && t >= 0;
        let old_doc = old_docs.get(rel.as_str());
        if let Some(d) = old_doc
            && same(d.size, d.mtime)
            && d.link.as_deref() == link
        {
            docs.push(Doc {
                rel: Cow::Owned(rel),
                title: Cow::Owned(d.title.to_string()),
                link: d.link.as_ref().map(|l| Cow::Owned(l.to_string())),
                front_matter: d.front_matter.as_ref().map(|f| Cow::Owned(f.to_string())),
                origin: None,
                size,
                oid: None,
                mtime: trusted(mtime, at),
                hash: d.hash,
                note: d.note.as_ref().map(|n| Cow::Owned(n.to_string())),
            });
            continue;
        }
        let old_skip = old_skipped.get(rel.as_str());
        if let Some(s) = old_skip
            && link.is_none()
            && same(s.size, s.mtime)
        {
            skipped.push(Skipped {
                rel: Cow::Owned(rel),
                problem: Cow::Owned(s.problem.to_string()),
                size,
                mtime: trusted(mtime, at),
                hash: s.hash,
            });
            continue;
        }
        // Read again: changed only if what it holds changed.
        let hash = content_hash(&snap, filter, &entry, cap);
        let mut notes = Vec::new();
        match corpus::load(source, filter, &snap, entry, cap, &mut notes)? {
            Some(d) => {
                if old_doc.is_none_or(|o| o.hash != hash) {
                    changed.insert(rel);
                }
                let note = notes.first().map(|n| n.problem.as_str());
                docs.push(Doc::of(&d, note, trusted(mtime, at), hash));
            }
            None => {
                if old_skip.is_none_or(|o| o.hash != hash) || old_doc.is_some() {
                    changed.insert(rel.clone());
                }
                skipped.push(Skipped {
                    rel: Cow::Owned(rel),
                    problem: Cow::Owned(notes.first().map_or(String::new(), |n| n.problem.clone())),
                    size,
                    mtime: trusted(mtime, at),
                    hash,
                })
            }
        }
    }
    // Documents gone since.
    for rel in old_docs.keys().chain(old_skipped.keys()) {
        if !seen.contains(*rel) {
            changed.insert(rel.to_string());
        }
    }
    let body = Body { docs, skipped };
    let id = fingerprint(&body);
    // What changed since each earlier name, for the index (the newest first).
    let mut since: Vec<(Cow<str>, Vec<Cow<str>>)> = Vec::new();
    if let Some(h) = &old_header
        && h.copy != id
    {
        since.push((
            Cow::Owned(h.copy.to_string()),
            changed.iter().map(|c| Cow::Owned(c.clone())).collect(),
        ));
        for (name, list) in h.folder.iter().flat_map(|f| f.since.iter()) {
            let mut all: BTreeSet<String> = list.iter().map(|c| c.to_string()).collect();
            all.extend(changed.iter().cloned());
            since.push((
                Cow::Owned(name.to_string()),
                all.into_iter().map(Cow::Owned).collect(),
            ));
        }
    } else if let Some(h) = &old_header {
        since = h
            .folder
            .iter()
            .flat_map(|f| f.since.iter())
            .map(|(n, l)| {
                (
                    Cow::Owned(n.to_string()),
                    l.iter().map(|c| Cow::Owned(c.to_string())).collect(),
                )
            })
            .collect();
    }
    since.retain(|(_, l)| l.len() <= SINCE_MAX);
    since.truncate(SINCE_KEPT);
    let header = Header {
        version: VERSION,
        copy: Cow::Borrowed(&id),
        settings: Cow::Borrowed(settings),
        folder: Some(FolderState {
            checked_at: at,
            dirs: walk
                .dirs
                .into_iter()
                .map(|(rel, t)| (Cow::Owned(rel), trusted(t, at)))
                .collect(),
            since,
        }),
    };
    store(file, &header, &body);
    Ok(id)
}

/// The name of the copy a source's catalogue describes, as stored (nothing compared).
pub fn stored_id(data_dir: &Path, source: &str) -> Option<String> {
    let l = Loaded::head(&path(data_dir, source))?;
    Some(l.header().copy.into_owned())
}

/// How many pages (documents that are not symlinks) a source's catalogue of copy `id` has.
pub fn pages(data_dir: &Path, source: &str, id: &str) -> Option<usize> {
    let l = Loaded::read(&path(data_dir, source))?;
    if l.header().copy != id {
        return None;
    }
    Some(l.body()?.docs.iter().filter(|d| d.link.is_none()).count())
}

/// The documents (paths under the root) of a local folder that changed between its copy
/// `from` and its current one `to`, if its catalogue still knows; `None` when it does not
/// (the index then reads the folder in full).
pub fn changed_since(data_dir: &Path, source: &str, from: &str, to: &str) -> Option<Vec<String>> {
    let l = Loaded::head(&path(data_dir, source))?;
    let h = l.header();
    if h.copy != to {
        return None;
    }
    if from == to {
        return Some(Vec::new());
    }
    let f = h.folder?;
    let (_, list) = f.since.iter().find(|(name, _)| name == from)?;
    Some(list.iter().map(|c| c.to_string()).collect())
}
