//! Offline bundles: one file that carries every git source of a data dir to a node that never
//! reaches a git server, and back into that node's mirrors, state and index.
//!
//! A bundle (`.kenbundle`) is a tar archive, so standard tools can list and unpack it:
//!
//! | entry | what |
//! |---|---|
//! | `manifest.json` | format and version, the ken that wrote it, when, what it is incremental to, and per repository its name, URL, branch, tip, prerequisites and the size and sha256 of its part |
//! | `parts/N.bundle` | one git bundle per repository that has something new, in git's own format (`# v2 git bundle`, `-<oid>` prerequisites, `<oid> <ref>` lines, a blank line, a pack), so `git bundle verify` and `git clone` take it as it is |
//! | `checksum` | the sha256 of every byte of the file before this entry's header |
//!
//! Nothing in a bundle is trusted until all of it has been read and checked ([`import`]): the
//! file checksum covers the manifest, the headers and the padding; each part is checked
//! against the manifest's sha256; every name, branch and ref is checked for sanity; and the
//! prerequisites of an incremental part must be in this node's mirrors. Only then is anything
//! written, first into a staging folder, then moved into place.

mod container;
mod create;
mod import;
mod part;

use serde::{Deserialize, Serialize};

pub use container::{pack, unpack};
pub use create::{Created, Since, create};
pub use import::{Imported, Skipped, import, import_then, verify};

/// The `format` of a ken bundle's manifest.
pub const FORMAT: &str = "ken-bundle";
/// The manifest version this ken writes and reads.
pub const VERSION: u64 = 1;
/// The first entry of a bundle.
pub const MANIFEST: &str = "manifest.json";
/// The last entry of a bundle.
pub const CHECKSUM: &str = "checksum";
/// A manifest bigger than this is refused before it is parsed.
pub const MAX_MANIFEST: u64 = 4 << 20;
/// At most this many repositories in one bundle.
pub const MAX_REPOSITORIES: usize = 1000;

/// What a bundle says about itself. Every field is checked by [`Manifest::check`] before
/// anything acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u64,
    /// `ken --version` of the ken that wrote it.
    pub ken_version: String,
    /// Unix time (seconds) it was written.
    pub created_at: u64,
    /// What an incremental bundle builds on; absent for a full one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<SinceRecord>,
    pub repositories: Vec<RepoEntry>,
}

/// The basis of an incremental bundle, as given to `--since`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SinceRecord {
    /// A previous bundle: its file name and when it was written.
    Bundle { file: String, created_at: u64 },
    /// A date: each repository's basis is its branch as it stood then.
    Date { date: u64 },
}

/// One repository of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoEntry {
    /// The source's name on the node that wrote the bundle.
    pub name: String,
    /// The source's configured URL; a node imports a repository into its source of that URL.
    pub url: String,
    pub branch: String,
    /// The commit the repository is at.
    pub tip: String,
    /// Commits the receiving node must already have (the basis of an incremental part).
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// The entry holding this repository's git bundle; `None` when nothing is new since the
    /// basis (then the prerequisites are the tip itself).
    pub part: Option<String>,
    /// The part's size in bytes (0 without a part).
    #[serde(default)]
    pub size: u64,
    /// The part's sha256, lower-case hex (empty without a part).
    #[serde(default)]
    pub sha256: String,
    /// Objects in the part's pack.
    #[serde(default)]
    pub objects: usize,
    /// Documents at the tip, as the writing node counted them (for a site: the whole site).
    #[serde(default)]
    pub docs: usize,
    /// For a site: the path of its manifest in this repository (`docs.package.json`); the
    /// repositories it names follow as entries with `site` set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_manifest: Option<String>,
    /// For a site that generates pages (the standards overview): the day (`YYYY-MM-DD`) they
    /// were made for, so that the importing node shows the same pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_generated_on: Option<String>,
    /// For a repository a site names: the `name` of the site's entry (an earlier one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// For a repository a site names: the manifest's `repo` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
}

/// Why a bundle is refused. Each is one line for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not a ken bundle ({0})")]
    NotABundle(String),
    #[error("truncated: the file ends before its checksum (copied only in part?)")]
    Truncated,
    #[error("damaged: {0}")]
    Damaged(String),
    #[error(
        "bundle format version {0}; this ken reads version {VERSION} (use a ken of the same release as the one that wrote it)"
    )]
    Version(u64),
    #[error("bad manifest: {0}")]
    Manifest(String),
    #[error("the manifest names repository {repo:?} in {part}, which the bundle does not hold")]
    NotHeld { repo: String, part: String },
    #[error(
        "repository {repo:?} needs commit {commit}, which this node does not have (import the bundle this one was made against first, or sync)"
    )]
    MissingBase { repo: String, commit: String },
    #[error("repository {repo:?}: {problem}")]
    Part { repo: String, problem: String },
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The bundle was refused; nothing was changed.
    #[error("{file}: {why}")]
    Refused { file: String, why: Refusal },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Git(String),
    /// Anything else that stops a bundle from being written or imported, in words.
    #[error("{0}")]
    Other(String),
}

impl From<git2::Error> for BundleError {
    fn from(e: git2::Error) -> Self {
        BundleError::Git(e.message().trim().replace('\n', " "))
    }
}

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Bounds libgit2's memory for reading big packs: it maps a pack in windows of up to 1 GiB,
/// and up to 8 GiB of them, and every mapped page it touches stays in ken's resident memory
/// (a 2 GiB mirror would show as 2 GiB). With 8 MiB windows and at most 32 MiB mapped, a
/// bundle of any size is written and read in bounded memory (the kernel's page cache still
/// keeps what it likes).
fn bound_pack_windows() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: libgit2's global options, set before this process's first pack is mapped by
        // a bundle command (the only commands that call this), from the one thread ken uses
        // for them.
        unsafe {
            let _ = git2::opts::set_mwindow_size(8 << 20);
            let _ = git2::opts::set_mwindow_mapped_limit(32 << 20);
        }
    });
}

fn is_oid(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether a repository name is sane: what `config.toml` allows for a source name, short,
/// and not option-like. (An import writes into the mirror of the node's own source, matched
/// by URL, so this name is only ever shown; it is refused anyway when it is hostile.)
pub fn name_is_sane(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether a branch name is one git accepts under `refs/heads/`, with nothing that could
/// climb out of it or look like an option.
pub fn branch_is_sane(branch: &str) -> bool {
    !branch.is_empty()
        && branch.len() <= 255
        && !branch.starts_with('-')
        && !branch.starts_with('/')
        && !branch
            .split('/')
            .any(|p| p == ".." || p == "." || p.is_empty())
        && !branch.chars().any(|c| c.is_control() || c.is_whitespace())
        && git2::Reference::is_valid_name(&format!("refs/heads/{branch}"))
}

/// A relative path inside a repository, `/`-separated, with no part that climbs out.
fn path_is_sane(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 255
        && !path.starts_with('/')
        && !path.chars().any(|c| c.is_control())
        && path.split('/').all(|p| !matches!(p, "" | "." | ".."))
}

/// The part names [`create`] writes: `parts/0.bundle`, `parts/1.bundle`, …
fn part_is_sane(part: &str) -> bool {
    part.strip_prefix("parts/")
        .and_then(|p| p.strip_suffix(".bundle"))
        .is_some_and(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A URL as ken compares them: without a trailing `/` or `.git`.
pub(crate) fn url_key(url: &str) -> &str {
    let u = url.trim_end_matches('/');
    u.strip_suffix(".git").unwrap_or(u)
}

impl Manifest {
    /// Checks every field a node will act on. The error names the repository and the field.
    pub fn check(&self) -> Result<(), Refusal> {
        let bad = |s: String| Err(Refusal::Manifest(s));
        if self.format != FORMAT {
            return Err(Refusal::NotABundle(format!("format {:?}", self.format)));
        }
        if self.version != VERSION {
            return Err(Refusal::Version(self.version));
        }
        if self.repositories.is_empty() {
            return bad("it holds no repositories".into());
        }
        if self.repositories.len() > MAX_REPOSITORIES {
            return bad(format!(
                "{} repositories (at most {MAX_REPOSITORIES})",
                self.repositories.len()
            ));
        }
        let mut names = std::collections::HashSet::new();
        let mut sites = std::collections::HashSet::new();
        let mut parts = std::collections::HashSet::new();
        for r in &self.repositories {
            if !name_is_sane(&r.name) {
                return bad(format!(
                    "repository name {:?} refused: use letters, digits, '-', '_' and '.', not starting with '.' or '-'",
                    r.name
                ));
            }
            if !names.insert(r.name.as_str()) {
                return bad(format!("repository {:?} appears twice", r.name));
            }
            let what =
                |field: &str, v: &str| format!("repository {:?}: {field} {v:?} refused", r.name);
            if r.url.is_empty()
                || r.url.len() > 4096
                || r.url.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                return bad(what("url", &r.url));
            }
            if !branch_is_sane(&r.branch) {
                return bad(format!(
                    "{}: not a sane branch name",
                    what("branch", &r.branch)
                ));
            }
            if !is_oid(&r.tip) {
                return bad(what("tip", &r.tip));
            }
            if r.prerequisites.len() > 64 {
                return bad(format!("repository {:?}: too many prerequisites", r.name));
            }
            if let Some(p) = r.prerequisites.iter().find(|p| !is_oid(p)) {
                return bad(what("prerequisite", p));
            }
            if let Some(m) = &r.site_manifest {
                if !path_is_sane(m) {
                    return bad(what("site_manifest", m));
                }
                sites.insert(r.name.as_str());
            }
            if let Some(site) = &r.site
                && (!sites.contains(site.as_str()) || r.site_manifest.is_some())
            {
                return bad(format!(
                    "repository {:?}: site {site:?} is no site before it",
                    r.name
                ));
            }
            if let Some(day) = &r.site_generated_on
                && !(day.len() == 10
                    && day.bytes().enumerate().all(|(i, b)| {
                        if i == 4 || i == 7 {
                            b == b'-'
                        } else {
                            b.is_ascii_digit()
                        }
                    }))
            {
                return bad(what("site_generated_on", day));
            }
            if let Some(repo) = &r.repo
                && (repo.len() > 255 || repo.chars().any(|c| c.is_control()))
            {
                return bad(what("repo", repo));
            }
            match &r.part {
                Some(p) => {
                    if !part_is_sane(p) {
                        return bad(what("part", p));
                    }
                    if !parts.insert(p.as_str()) {
                        return bad(format!("part {p:?} is named twice"));
                    }
                    if r.sha256.len() != 64
                        || !r
                            .sha256
                            .bytes()
                            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                    {
                        return bad(what("sha256", &r.sha256));
                    }
                }
                None => {
                    if r.prerequisites != [r.tip.clone()] {
                        return bad(format!(
                            "repository {:?} has no part, so its only prerequisite must be its tip",
                            r.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
