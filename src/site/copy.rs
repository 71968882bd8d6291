//! A site's copy: the files of its repositories, each at its locked commit, at the paths the
//! layout gives them, read like any other source's snapshot.
//!
//! [`assemble`] lists each repository's tree at its commit, lays the site out
//! ([`layout`](super::layout)) and keeps, for every site path, which repository it comes
//! from and the entry there (path, size, blob id). [`SiteSnapshot`] answers the questions a
//! `source::Snapshot` answers (list, look up, read) over those site paths: reading a page
//! goes to its repository's mirror at its own path, so the blob-size cap and the rule that
//! symlinks are never followed hold as for a single repository.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::SiteError;
use super::layout::{TreeEntry, layout};
use super::manifest::{Plan, folders};
use super::standards::{Standard, is_standard, pages};
use super::url::repo_key;
use crate::source::{Content, Entry, EntryKind, FileOrigin, MAX_FILES, Snapshot, SourceError};

/// One repository of a site at the commit its copy is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The manifest's `repo` field, or the source's name for the site itself.
    pub repo: String,
    pub url: String,
    pub branch: Option<String>,
    pub commit: git2::Oid,
    pub mirror: PathBuf,
}

/// The part of a file that ken generated (the standards overview): its text is in
/// [`Assembled::generated`].
pub const GENERATED: usize = usize::MAX;

/// A site laid out: every file at its site path, from which part, and what a person should
/// know (refused entries, the repository cap, patterns that match nothing, overwrites).
#[derive(Debug, Default)]
pub struct Assembled {
    /// Part 0 is the site's own repository.
    pub parts: Vec<Part>,
    /// Site path → (part, the entry in that part's tree, at its own path).
    pub files: BTreeMap<String, (usize, Entry)>,
    pub notes: Vec<String>,
    /// The pages ken generated, by site path, and the day they were made for.
    pub generated: BTreeMap<String, String>,
    pub generated_on: Option<String>,
}

/// The plan of a site: its manifest (named `manifest_name` in messages, such as
/// `scs:docs.package.json`) read against the site's URL, the targets checked against the
/// content folders of its `docusaurus.config.js`.
pub fn plan(
    manifest_name: &str,
    manifest: &str,
    docusaurus_config: Option<&str>,
    site_url: &str,
) -> Result<Plan, SiteError> {
    Plan::new(
        manifest_name,
        manifest,
        site_url,
        &folders(docusaurus_config),
    )
}

/// The manifest and `docusaurus.config.js` (or `.ts`) of a site's repository at one commit:
/// `(manifest, config)`, the manifest `None` when there is none at `manifest_path`.
pub fn read_site_files(
    own: &Snapshot,
    manifest_path: &str,
) -> Result<(Option<String>, Option<String>), SourceError> {
    let text = |path: &str| -> Result<Option<String>, SourceError> {
        let Some(entry) = own.entry(None, path)? else {
            return Ok(None);
        };
        match own.read(None, &entry, 1 << 20) {
            Ok(Content::Bytes(b)) => Ok(Some(crate::corpus::decode(b))),
            Ok(Content::TooLarge(n)) => Err(SourceError::Other(format!(
                "{path}: {} is over the 1 MiB a site file may have",
                crate::corpus::human_bytes(n)
            ))),
            // A symlink where the manifest should be is not followed.
            Err(e) => Err(e),
        }
    };
    let manifest = text(manifest_path)?;
    let mut config = None;
    for name in ["docusaurus.config.js", "docusaurus.config.ts"] {
        if let Some(t) = text(name)? {
            config = Some(t);
            break;
        }
    }
    Ok((manifest, config))
}

/// Lays out the site of `own` (part 0, the site's repository at its commit) with the
/// repositories of `plan` that have a copy in `parts` (matched by URL; one without a copy
/// leaves its files out, with a note). With `generated_on`, and a `populateStds.js` at the
/// root of the site's repository, the standards overview pages of that day are added.
pub fn assemble(
    plan: &Plan,
    own: Part,
    parts: Vec<Part>,
    generated_on: Option<&str>,
) -> Result<Assembled, SourceError> {
    let mut all = vec![own];
    all.extend(parts);
    let mut listed: Vec<Vec<Entry>> = Vec::with_capacity(all.len());
    let mut snaps: Vec<Snapshot> = Vec::with_capacity(all.len());
    for p in &all {
        let snap = Snapshot::git(&p.mirror, p.commit)
            .map_err(|e| SourceError::Other(format!("{} ({}): {e}", p.repo, p.url)))?;
        listed.push(snap.entries(None)?);
        snaps.push(snap);
    }
    let by_key: HashMap<String, usize> = all
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, p)| (repo_key(&p.url), i))
        .collect();
    let mut trees: HashMap<String, Vec<TreeEntry>> = HashMap::new();
    let mut part_of_url: HashMap<String, usize> = HashMap::new();
    part_of_url.insert(plan.site_url.clone(), 0);
    for r in &plan.repos {
        if let Some(&i) = by_key.get(&repo_key(&r.url)) {
            trees.insert(
                r.url.clone(),
                listed[i].iter().map(TreeEntry::from).collect(),
            );
            part_of_url.insert(r.url.clone(), i);
        }
    }
    let own_tree: Vec<TreeEntry> = listed[0].iter().map(TreeEntry::from).collect();
    let laid = layout(plan, &own_tree, &trees);
    let entry_at: Vec<HashMap<&str, &Entry>> = listed
        .iter()
        .map(|l| l.iter().map(|e| (e.path.as_str(), e)).collect())
        .collect();
    let mut files = BTreeMap::new();
    for (at, origin) in &laid.files {
        let Some(&part) = part_of_url.get(&origin.repo) else {
            continue;
        };
        if let Some(e) = entry_at[part].get(origin.path.as_str()) {
            files.insert(at.clone(), (part, (*e).clone()));
        }
    }
    let mut notes: Vec<String> = plan.refused.iter().map(|r| r.to_string()).collect();
    notes.extend(
        plan.notes
            .iter()
            .map(|n| crate::sanitize::line(n, 0).into_owned()),
    );
    notes.extend(laid.notes);
    let mut generated = BTreeMap::new();
    let generates = listed[0].iter().any(|e| e.path == POPULATE_STDS);
    if let (Some(day), true) = (generated_on, generates) {
        let standards: Vec<Standard> = files
            .iter()
            .filter(|(at, _)| is_standard(at))
            .filter_map(|(at, (part, e))| {
                let Ok(Content::Bytes(b)) = snaps[*part].read(None, e, 1 << 20) else {
                    return None;
                };
                let text = crate::corpus::decode(b);
                let (fm, _) = crate::corpus::split_front_matter(&text);
                let front_matter = serde_norway::from_str::<serde_json::Value>(fm?).ok()?;
                Some(Standard {
                    filename: at.rsplit('/').next().unwrap_or_default().to_string(),
                    front_matter,
                })
            })
            .collect();
        for (at, text) in pages(&standards, day) {
            let size = text.len() as u64;
            let oid = git2::Oid::hash_object(git2::ObjectType::Blob, text.as_bytes()).ok();
            files.insert(
                at.clone(),
                (
                    GENERATED,
                    Entry {
                        path: at.clone(),
                        kind: EntryKind::File { size, oid },
                    },
                ),
            );
            generated.insert(at, text);
        }
    }
    Ok(Assembled {
        parts: all,
        files,
        notes,
        generated,
        generated_on: generated_on.filter(|_| generates).map(str::to_string),
    })
}

/// The script whose presence at the root of a site's repository says the site generates the
/// standards overview (see `site::standards`).
pub const POPULATE_STDS: &str = "populateStds.js";

/// The name of a site's copy: its own commit, `+`, and a hash of every repository's URL
/// and commit and of the day its pages were generated for (see `SourceState::copy_id`).
pub fn copy_id<'a>(
    site_commit: &str,
    repos: impl Iterator<Item = (&'a str, &'a str)>,
    generated_on: Option<&str>,
) -> String {
    let mut lines: Vec<String> = repos.map(|(u, c)| format!("{u} {c}\n")).collect();
    lines.sort();
    if let Some(day) = generated_on {
        lines.push(format!("generated {day}\n"));
    }
    let hash = Sha256::digest(lines.concat().as_bytes());
    let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{site_commit}+{hex}")
}

impl Assembled {
    /// The name of this copy (see [`copy_id`]).
    pub fn id(&self) -> String {
        let own = self.parts.first().map(|p| p.commit.to_string());
        let repos: Vec<(String, String)> = self
            .parts
            .iter()
            .skip(1)
            .map(|p| (p.url.clone(), p.commit.to_string()))
            .collect();
        copy_id(
            own.as_deref().unwrap_or_default(),
            repos.iter().map(|(u, c)| (u.as_str(), c.as_str())),
            self.generated_on.as_deref(),
        )
    }

    /// Every site path with its file's blob id (links by their target's): what two copies are
    /// compared by to find the pages that changed.
    pub fn blobs(&self) -> BTreeMap<&str, String> {
        self.files
            .iter()
            .map(|(at, (_, e))| {
                let id = match &e.kind {
                    EntryKind::File { oid, size } => {
                        oid.map_or_else(|| format!("size:{size}"), |o| o.to_string())
                    }
                    EntryKind::Symlink { target } => format!("link:{target}"),
                };
                (at.as_str(), id)
            })
            .collect()
    }
}

/// A site's copy as a snapshot: listed from the layout, each file read from its own
/// repository's mirror, which is opened the first time one of its files is read.
pub struct SiteSnapshot {
    pub site: Arc<Assembled>,
    opened: Vec<OnceCell<Option<Snapshot>>>,
}

impl SiteSnapshot {
    pub fn new(site: Arc<Assembled>) -> SiteSnapshot {
        let opened = site.parts.iter().map(|_| OnceCell::new()).collect();
        SiteSnapshot { site, opened }
    }

    fn full(root: Option<&str>, rel: &str) -> String {
        match root.map(|r| r.trim_matches('/')).filter(|r| !r.is_empty()) {
            Some(r) => format!("{r}/{rel}"),
            None => rel.to_string(),
        }
    }

    /// The files under `root` (all when `None`), at their site paths relative to `root`.
    pub fn entries(&self, root: Option<&str>) -> Vec<Entry> {
        let prefix = root
            .map(|r| r.trim_matches('/'))
            .filter(|r| !r.is_empty())
            .map(|r| format!("{r}/"));
        let mut out = Vec::new();
        let range = match &prefix {
            Some(p) => self.site.files.range(p.clone()..),
            None => self.site.files.range(String::new()..),
        };
        for (at, (_, e)) in range {
            let rel = match &prefix {
                Some(p) => match at.strip_prefix(p.as_str()) {
                    Some(r) => r,
                    None => break,
                },
                None => at.as_str(),
            };
            if out.len() >= MAX_FILES {
                break;
            }
            out.push(Entry {
                path: rel.to_string(),
                kind: e.kind.clone(),
            });
        }
        out
    }

    /// The file at `rel` under `root`.
    pub fn entry(&self, root: Option<&str>, rel: &str) -> Option<Entry> {
        let (_, e) = self.site.files.get(&Self::full(root, rel))?;
        Some(Entry {
            path: rel.to_string(),
            kind: e.kind.clone(),
        })
    }

    /// Reads a file listed by [`entries`](Self::entries) from its repository, unless it is
    /// bigger than `cap`.
    pub fn read(
        &self,
        root: Option<&str>,
        entry: &Entry,
        cap: u64,
    ) -> Result<Content, SourceError> {
        let full = Self::full(root, &entry.path);
        let Some((part, origin)) = self.site.files.get(&full) else {
            return Err(SourceError::Other(format!("{full}: not in the site")));
        };
        if *part == GENERATED {
            let text = self.site.generated.get(&full).cloned().unwrap_or_default();
            return Ok(if text.len() as u64 > cap {
                Content::TooLarge(text.len() as u64)
            } else {
                Content::Bytes(text.into_bytes())
            });
        }
        if origin.kind != entry.kind {
            return Err(SourceError::Other(format!(
                "{full}: changed since it was listed"
            )));
        }
        let p = &self.site.parts[*part];
        let snap = self.opened[*part]
            .get_or_init(|| Snapshot::git(&p.mirror, p.commit).ok())
            .as_ref()
            .ok_or_else(|| {
                SourceError::Other(format!("{}: the mirror of {} cannot be read", full, p.url))
            })?;
        snap.read(None, origin, cap)
    }

    /// Whether the file at `rel` under `root` is one ken generated.
    pub fn generated(&self, root: Option<&str>, rel: &str) -> bool {
        self.site
            .files
            .get(&Self::full(root, rel))
            .is_some_and(|(part, _)| *part == GENERATED)
    }

    /// Where the file at `rel` under `root` comes from.
    pub fn origin(&self, root: Option<&str>, rel: &str) -> Option<FileOrigin> {
        let (part, e) = self.site.files.get(&Self::full(root, rel))?;
        // A generated page comes from no one repository.
        let p = self.site.parts.get(*part)?;
        Some(FileOrigin {
            repo: p.url.clone(),
            branch: p.branch.clone(),
            commit: p.commit.to_string(),
            path: e.path.clone(),
        })
    }
}
