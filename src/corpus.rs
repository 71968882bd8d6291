//! Which files of a source are documents, and what each one is: its path as the reader sees
//! it (after `root` and `mount`), its title and its front matter.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::config::SourceSpec;
use crate::source::{Change, ChangeKind, Content, Entry, EntryKind, Snapshot, SourceError};

/// Extensions taken as Markdown when a source names no `include` globs.
pub const DOC_EXTENSIONS: [&str; 3] = ["md", "mdx", "markdown"];
/// How many leading bytes are checked for NUL to call a file binary.
const BINARY_PROBE: usize = 8000;

/// Decides which files of a source are documents and where they appear.
#[derive(Debug, Clone)]
pub struct Filter {
    root: Option<String>,
    mount: Option<String>,
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Filter {
    pub fn new(spec: &SourceSpec) -> Result<Filter, globset::Error> {
        let build = |globs: &[String]| -> Result<GlobSet, globset::Error> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(Glob::new(g)?);
            }
            b.build()
        };
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(|s| s.trim_matches('/').to_string())
                .filter(|s| !s.is_empty())
        };
        Ok(Filter {
            root: clean(&spec.root),
            mount: clean(&spec.mount),
            include: if spec.include.is_empty() {
                None
            } else {
                Some(build(&spec.include)?)
            },
            exclude: build(&spec.exclude)?,
        })
    }

    pub fn root(&self) -> Option<&str> {
        self.root.as_deref()
    }

    /// Whether a path relative to the root is a document.
    pub fn is_doc(&self, rel: &str) -> bool {
        let included = match &self.include {
            Some(set) => set.is_match(rel),
            None => Path::new(rel)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| DOC_EXTENSIONS.iter().any(|d| e.eq_ignore_ascii_case(d))),
        };
        included && !self.exclude.is_match(rel)
    }

    /// The path a reader sees for a path relative to the root.
    pub fn mounted(&self, rel: &str) -> String {
        match &self.mount {
            Some(m) => format!("{m}/{rel}"),
            None => rel.to_string(),
        }
    }

    /// [`Filter::mounted`], copying only when there is a mount point to add.
    pub fn mounted_cow<'a>(&self, rel: std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
        match &self.mount {
            Some(m) => std::borrow::Cow::Owned(format!("{m}/{rel}")),
            None => rel,
        }
    }

    /// The path relative to the root of a path a reader sees, or `None` when it lies outside
    /// the mount point.
    pub fn unmounted<'a>(&self, path: &'a str) -> Option<&'a str> {
        match &self.mount {
            Some(m) => path.strip_prefix(m.as_str())?.strip_prefix('/'),
            None => Some(path),
        }
    }

    /// A repository path relative to the root, or `None` when it lies outside the root.
    pub fn relative<'a>(&self, repo_path: &'a str) -> Option<&'a str> {
        match &self.root {
            None => Some(repo_path),
            Some(r) => repo_path
                .strip_prefix(r.as_str())
                .and_then(|p| p.strip_prefix('/')),
        }
    }
}

/// One document of a source.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub source: String,
    /// The path the reader sees (under `mount`).
    pub path: String,
    /// The path inside the source's root.
    #[serde(skip)]
    pub rel: String,
    pub title: String,
    /// For a symlink: where it points (never followed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The parsed front matter, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub front_matter: Option<serde_json::Value>,
    /// For a page of a site: the repository, branch, commit and path it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<crate::source::FileOrigin>,
    #[serde(skip)]
    pub entry: Entry,
}

/// Something about a file a person should know: skipped, or listed with a problem.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub source: String,
    pub path: String,
    pub problem: String,
}

/// All documents of one source at one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub docs: Vec<Document>,
    pub notes: Vec<Note>,
}

/// The text of a document after reading: decoded, with its front matter split off.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub title: String,
    pub front_matter: Option<serde_json::Value>,
    /// The Markdown after the front matter.
    pub body: String,
    /// A problem with the front matter, if it could not be parsed.
    pub front_matter_error: Option<String>,
    /// The line of the file (from 1) on which `body` begins: 1 without front matter.
    pub body_line: usize,
}

/// Reads every document of a snapshot.
pub fn scan(
    name: &str,
    filter: &Filter,
    snap: &Snapshot,
    cap: u64,
) -> Result<Catalog, SourceError> {
    let mut cat = Catalog::default();
    for entry in snap.entries(filter.root())? {
        if !filter.is_doc(&entry.path) {
            continue;
        }
        if let Some(doc) = load(name, filter, snap, entry, cap, &mut cat.notes)? {
            cat.docs.push(doc);
        }
    }
    Ok(cat)
}

/// Reads one document; `None` (with a note) when it is skipped.
pub fn load(
    name: &str,
    filter: &Filter,
    snap: &Snapshot,
    entry: Entry,
    cap: u64,
    notes: &mut Vec<Note>,
) -> Result<Option<Document>, SourceError> {
    Ok(load_read(name, filter, snap, entry, cap, notes)?.map(|(doc, _)| doc))
}

/// [`load`], keeping the text read: the document and, unless it is a symlink, its parsed
/// text (what [`crate::base::Base::read`] would read again).
pub fn load_read(
    name: &str,
    filter: &Filter,
    snap: &Snapshot,
    entry: Entry,
    cap: u64,
    notes: &mut Vec<Note>,
) -> Result<Option<(Document, Option<Parsed>)>, SourceError> {
    let path = filter.mounted(&entry.path);
    let note = |problem: String| Note {
        source: name.to_string(),
        path: path.clone(),
        problem,
    };
    let origin = snap.origin(filter.root(), &entry.path);
    if let EntryKind::Symlink { target } = &entry.kind {
        let doc = Document {
            source: name.to_string(),
            title: file_title(&entry.path),
            link: Some(target.clone()),
            front_matter: None,
            origin,
            rel: entry.path.clone(),
            path,
            entry,
        };
        return Ok(Some((doc, None)));
    }
    let bytes = match snap.read(filter.root(), &entry, cap) {
        Ok(Content::Bytes(b)) => b,
        Ok(Content::TooLarge(size)) => {
            notes.push(note(format!(
                "skipped: {} is over the size cap of {}",
                human_bytes(size),
                human_bytes(cap)
            )));
            return Ok(None);
        }
        Err(e) => {
            notes.push(note(format!("skipped: {e}")));
            return Ok(None);
        }
    };
    if is_binary(&bytes) {
        notes.push(note("skipped: binary content (NUL bytes)".into()));
        return Ok(None);
    }
    let text = decode(bytes);
    let parsed = parse(&text, &entry.path);
    if let Some(e) = &parsed.front_matter_error {
        notes.push(note(format!("front matter: {e}")));
    }
    let doc = Document {
        source: name.to_string(),
        title: parsed.title.clone(),
        link: None,
        front_matter: parsed.front_matter.clone(),
        origin,
        rel: entry.path.clone(),
        path,
        entry,
    };
    Ok(Some((doc, Some(parsed))))
}

pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_PROBE)].contains(&0)
}

/// UTF-8, with invalid sequences replaced; a BOM dropped.
pub fn decode(bytes: Vec<u8>) -> String {
    let s = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    match s.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// Splits front matter from the body and finds the title: front matter `title`, else the
/// first H1, else the file name.
pub fn parse(text: &str, rel_path: &str) -> Parsed {
    let (fm_text, body) = split_front_matter(text);
    let mut front_matter = None;
    let mut front_matter_error = None;
    if let Some(fm) = fm_text {
        match serde_norway::from_str::<serde_json::Value>(fm) {
            Ok(serde_json::Value::Null) => {}
            Ok(v @ serde_json::Value::Object(_)) => front_matter = Some(v),
            Ok(_) => front_matter_error = Some("not a mapping of fields".into()),
            Err(e) => {
                let mut msg = e.to_string();
                msg = msg.lines().next().unwrap_or_default().to_string();
                front_matter_error = Some(msg);
            }
        }
    }
    let fm_title = front_matter
        .as_ref()
        .and_then(|v| v.get("title"))
        .and_then(|t| match t {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|t| !t.is_empty());
    let title = fm_title
        .or_else(|| first_h1(body))
        .unwrap_or_else(|| file_title(rel_path));
    Parsed {
        title,
        front_matter,
        body: body.to_string(),
        front_matter_error,
        body_line: 1 + text[..text.len() - body.len()].matches('\n').count(),
    }
}

/// `---\n…\n---\n` at the very start of the text.
pub fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let fm = &rest[..offset];
            return (Some(fm), &rest[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, text)
}

/// The text of the first `# ` heading outside code fences.
fn first_h1(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") {
            fence = Some("```");
            continue;
        }
        if t.starts_with("~~~") {
            fence = Some("~~~");
            continue;
        }
        if line.len() - t.len() > 3 {
            continue;
        }
        if let Some(h) = t
            .strip_prefix("# ")
            .or(if t == "#" { Some("") } else { None })
        {
            let h = h.trim().trim_end_matches('#').trim();
            let h = strip_inline(h);
            if !h.is_empty() {
                return Some(h);
            }
        }
    }
    None
}

/// Drops the simplest inline Markdown (emphasis, code ticks, `{#id}`) from a heading.
fn strip_inline(s: &str) -> String {
    let (s, _) = crate::slug::split_id(s);
    s.chars().filter(|c| !matches!(c, '`' | '*')).collect()
}

/// `docs/02-iaas/getting-started.md` → `getting-started`.
pub fn file_title(rel_path: &str) -> String {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    let stem = match name.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => name,
    };
    stem.to_string()
}

pub fn human_bytes(n: u64) -> String {
    const KI: f64 = 1024.0;
    let f = n as f64;
    if f >= KI * KI {
        format!("{:.1} MiB", f / KI / KI)
    } else if f >= KI {
        format!("{:.1} KiB", f / KI)
    } else {
        format!("{n} B")
    }
}

/// How a document changed, written in JSON as the letter `git diff --name-status` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChangeStatus {
    #[serde(rename = "A")]
    Added,
    #[serde(rename = "M")]
    Modified,
    #[serde(rename = "D")]
    Deleted,
    #[serde(rename = "R")]
    Renamed,
}

impl From<&ChangeKind> for ChangeStatus {
    fn from(k: &ChangeKind) -> ChangeStatus {
        match k {
            ChangeKind::Added => ChangeStatus::Added,
            ChangeKind::Modified => ChangeStatus::Modified,
            ChangeKind::Deleted => ChangeStatus::Deleted,
            ChangeKind::Renamed { .. } => ChangeStatus::Renamed,
        }
    }
}

/// A change to a document of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocChange {
    pub status: ChangeStatus,
    /// The reader's path (after `mount`).
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Maps repository changes to document changes: a file moved out of the documents becomes a
/// deletion, one moved in an addition.
pub fn doc_changes(filter: &Filter, changes: &[Change]) -> Vec<DocChange> {
    let doc = |p: &str| {
        filter
            .relative(p)
            .filter(|r| filter.is_doc(r))
            .map(|r| filter.mounted(r))
    };
    let mut out = Vec::new();
    for c in changes {
        let new = doc(&c.path);
        match &c.kind {
            ChangeKind::Renamed { from } => match (doc(from), new) {
                (Some(f), Some(n)) => out.push(DocChange {
                    status: ChangeStatus::Renamed,
                    path: n,
                    from: Some(f),
                }),
                (Some(f), None) => out.push(DocChange {
                    status: ChangeStatus::Deleted,
                    path: f,
                    from: None,
                }),
                (None, Some(n)) => out.push(DocChange {
                    status: ChangeStatus::Added,
                    path: n,
                    from: None,
                }),
                (None, None) => {}
            },
            _ => {
                if let Some(p) = new {
                    out.push(DocChange {
                        status: (&c.kind).into(),
                        path: p,
                        from: None,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_from_front_matter_then_h1_then_name() {
        let p = parse(
            "---\ntitle: Flavor naming\nstatus: Stable\n---\n# Other\n",
            "a.md",
        );
        assert_eq!(p.title, "Flavor naming");
        assert_eq!(p.body_line, 5);
        assert_eq!(parse("# x\n", "a.md").body_line, 1);
        assert_eq!(p.front_matter.unwrap()["status"], "Stable");
        assert_eq!(
            parse("```\n# not\n```\n# Real `one`\n", "a.md").title,
            "Real one"
        );
        assert_eq!(parse("no heading", "dir/runbook.md").title, "runbook");
    }

    #[test]
    fn broken_front_matter_is_reported_and_doc_kept() {
        let p = parse("---\ntitle: [unclosed\n---\n# Heading\n", "a.md");
        assert!(p.front_matter_error.is_some());
        assert_eq!(p.title, "Heading");
        assert_eq!(p.body, "# Heading\n");
    }

    #[test]
    fn filter_root_mount_include_exclude() {
        let spec = SourceSpec {
            name: "x".into(),
            url: "/x".into(),
            branch: None,
            include: vec![],
            exclude: vec!["drafts/**".into()],
            root: Some("docs/".into()),
            mount: Some("iaas".into()),
            site: None,
        };
        let f = Filter::new(&spec).unwrap();
        assert_eq!(f.relative("docs/a/b.md"), Some("a/b.md"));
        assert_eq!(f.relative("docsx/b.md"), None);
        assert!(f.is_doc("a/b.MD"));
        assert!(f.is_doc("a/b.mdx"));
        assert!(!f.is_doc("a/b.txt"));
        assert!(!f.is_doc("drafts/b.md"));
        assert_eq!(f.mounted("a/b.md"), "iaas/a/b.md");
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        assert_eq!(decode(b"ok \xff done".to_vec()), "ok \u{fffd} done");
        assert!(is_binary(b"abc\0def"));
    }
}
