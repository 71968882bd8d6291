//! What each page's history says: when it last changed, by whom and why (the commit's
//! author and subject), and when it was created, read from its source's mirror and kept per
//! source in the data dir, so that no command walks a history to answer.
//!
//! | file | owns |
//! |---|---|
//! | `walk.rs` | the first-parent walk over a mirror that finds each page's last change and creation, incrementally from the last stored tip |
//! | `lifecycle.rs` | a page's status, lifecycle dates and `last_reviewed` from its front matter |
//! | `stale.rs` | which pages `ken stale` reports |
//! | `news.rs` | what changed between two commits, per page and section, with the standards' events (`ken news`) |
//! | `stored.rs` | `page-dates/<source>.json`: the stored walk, read back without trusting it |
//! | this file | [`History`] of one source (a mirror's walk, or a folder's modification times), [`Histories`] of all, and [`Change`] as front ends show it |
//!
//! The walk runs at the end of a sync (`Base::sync` calls [`History::of`]) and again,
//! incrementally, whenever a command finds the stored walk behind the synced commit (a sync
//! killed before it, or a new `.git-blame-ignore-revs`), so the stored file is a cache: any
//! damage to it costs one walk, never a wrong answer.

pub mod lifecycle;
pub mod news;
pub mod stale;
mod stored;
mod walk;

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::base::{Base, SourceFailure};
use crate::config::{DateKind, SourceSpec};
use crate::corpus::Filter;
use crate::sanitize;
use crate::source::Snapshot;

pub use stored::history_path;

/// Problems finding a history; none of them stops a command, which then shows no dates.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{source_name}: history: {message}")]
    Git {
        source_name: String,
        message: String,
    },
    #[error(transparent)]
    Source(#[from] SourceFailure),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// When, by whom and why a page changed, as front ends show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Unix seconds. A clock-skewed commit may give a time in the future; it is shown as it is.
    pub time: i64,
    /// The commit's full id (none for a folder's modification time).
    pub commit: Option<String>,
    /// As recorded in the commit: not sanitized (see [`Change::author_shown`]).
    pub author: Option<String>,
    pub subject: Option<String>,
}

impl Change {
    /// The author, safe for a terminal.
    pub fn author_shown(&self) -> Option<String> {
        self.author
            .as_deref()
            .map(|a| sanitize::line(a, 0).into_owned())
    }

    /// The subject, safe for a terminal.
    pub fn subject_shown(&self) -> Option<String> {
        self.subject
            .as_deref()
            .map(|s| sanitize::line(s, 0).into_owned())
    }
}

/// JSON: `{"date": RFC 3339 UTC, "commit", "author", "subject"}`, author and subject sanitized
/// (JSON is often read in a terminal, and a commit's strings are someone else's data).
impl Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            date: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            commit: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            author: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            subject: Option<String>,
        }
        Shown {
            date: date(self.time),
            commit: self.commit.as_deref(),
            author: self.author_shown(),
            subject: self.subject_shown(),
        }
        .serialize(s)
    }
}

/// A page's two dates; either may be unknown (a shallow mirror, a folder's creation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageDates {
    pub changed: Option<Change>,
    pub created: Option<Change>,
}

/// Why a source's dates are unknown, or only partly known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gap {
    /// The mirror is a shallow clone: what lies below its boundary is not there.
    Shallow,
    /// The history was longer than [`walk::MAX_COMMITS`]: older creations are unknown.
    Truncated,
}

impl Gap {
    pub fn explain(self) -> &'static str {
        match self {
            Gap::Shallow => "the mirror is a shallow clone, so dates it cannot see are unknown",
            Gap::Truncated => "the history is longer than ken walks, so older dates are unknown",
        }
    }
}

/// One source's page history.
pub struct History {
    pub source: String,
    dates: DateKind,
    filter: Filter,
    kind: Kind,
}

enum Kind {
    Git(stored::Stored),
    /// A local folder: modification times, read when asked.
    Folder(PathBuf),
    /// A site: each repository's own walk (by part of the site), and the layout that says
    /// which repository and path each site path comes from.
    Site {
        parts: Vec<Option<stored::Stored>>,
        site: std::sync::Arc<crate::site::Assembled>,
    },
}

impl History {
    /// The history of a source's last good copy: the stored walk when it is current, else the
    /// walk brought up to date (from the stored tip when that is an ancestor) and stored again.
    pub fn of(base: &Base, spec: &SourceSpec) -> Result<History, HistoryError> {
        let filter = Filter::new(spec).map_err(|e| SourceFailure::new(&spec.name, e))?;
        let kind = match base.snapshot(spec)? {
            Snapshot::Dir { root } => Kind::Folder(root),
            Snapshot::Git { repo, commit } => {
                let path = history_path(base.data_dir(), &spec.name);
                Kind::Git(walked(&path, spec, &repo, commit, &filter)?)
            }
            Snapshot::Site(snap) => {
                // Each repository is walked for all its Markdown files, at their own paths;
                // the layout maps a site path to one of them.
                let plain = SourceSpec::new(spec.name.clone(), String::new());
                let all = Filter::new(&plain).map_err(|e| SourceFailure::new(&spec.name, e))?;
                let mut parts = Vec::new();
                for (i, p) in snap.site.parts.iter().enumerate() {
                    let key = match i {
                        0 => spec.name.clone(),
                        _ => {
                            let file = p.mirror.file_name().map(|n| n.to_string_lossy());
                            let name = file.as_deref().unwrap_or_default();
                            format!("{}.site/{}", spec.name, name.trim_end_matches(".git"))
                        }
                    };
                    let one = SourceSpec {
                        url: p.url.clone(),
                        ..plain.clone()
                    };
                    let walked = git2::Repository::open_bare(&p.mirror)
                        .ok()
                        .and_then(|repo| {
                            let path = history_path(base.data_dir(), &key);
                            walked(&path, &one, &repo, p.commit, &all).ok()
                        });
                    parts.push(walked);
                }
                Kind::Site {
                    parts,
                    site: snap.site.clone(),
                }
            }
        };
        Ok(History {
            source: spec.name.clone(),
            dates: base.config.dates,
            filter,
            kind,
        })
    }

    /// When the page at a reader's path (mount included) last changed.
    pub fn last_changed(&self, path: &str) -> Option<Change> {
        self.page(path).changed
    }

    /// Both dates of the page at a reader's path.
    pub fn page(&self, path: &str) -> PageDates {
        let Some(rel) = self.filter.unmounted(path) else {
            return PageDates::default();
        };
        match &self.kind {
            Kind::Git(s) => {
                let repo_path = match self.filter.root() {
                    Some(r) => format!("{r}/{rel}"),
                    None => rel.to_string(),
                };
                s.page(&repo_path, self.dates)
            }
            Kind::Site { parts, site } => {
                let full = match self.filter.root() {
                    Some(r) => format!("{r}/{rel}"),
                    None => rel.to_string(),
                };
                site.files
                    .get(&full)
                    .and_then(|(part, e)| {
                        Some(parts.get(*part)?.as_ref()?.page(&e.path, self.dates))
                    })
                    .unwrap_or_default()
            }
            Kind::Folder(root) => PageDates {
                changed: modified(root, self.filter.root(), rel).map(|time| Change {
                    time,
                    commit: None,
                    author: None,
                    subject: None,
                }),
                created: None,
            },
        }
    }

    /// For a page of a site, the repository it comes from: `(name, url)`, the name being the
    /// manifest's `repo` (the source's name for the site's own repository). `None` for a
    /// plain source's page, and for a page ken generated (see [`History::is_generated`]).
    pub fn repository(&self, path: &str) -> Option<(&str, &str)> {
        let Kind::Site { site, .. } = &self.kind else {
            return None;
        };
        let part = site.parts.get(self.site_part(site, path)?)?;
        Some((part.repo.as_str(), part.url.as_str()))
    }

    /// The position of the page's repository in its site (0 for the site's own, then the
    /// manifest's order), to list a site's repositories in that order.
    pub(crate) fn repository_index(&self, path: &str) -> Option<usize> {
        let Kind::Site { site, .. } = &self.kind else {
            return None;
        };
        self.site_part(site, path)
            .filter(|&p| p != crate::site::GENERATED)
    }

    /// Whether the page at a reader's path is one ken generated for a site (the standards
    /// overview): made for the day of the sync, it comes from no repository and has no
    /// history.
    pub fn is_generated(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Site { site, .. } => self.site_part(site, path) == Some(crate::site::GENERATED),
            _ => false,
        }
    }

    /// The part of a site the page at a reader's path comes from.
    fn site_part(&self, site: &crate::site::Assembled, path: &str) -> Option<usize> {
        let rel = self.filter.unmounted(path)?;
        let full = match self.filter.root() {
            Some(r) => format!("{r}/{rel}"),
            None => rel.to_string(),
        };
        site.files.get(&full).map(|(part, _)| *part)
    }

    /// Every page with a known last change: (reader's path, time).
    pub fn dated_pages(&self) -> Vec<(String, i64)> {
        match &self.kind {
            Kind::Git(s) => s
                .pages
                .keys()
                .filter_map(|repo_path| {
                    let rel = self.filter.relative(repo_path)?;
                    let path = self.filter.mounted(rel);
                    let t = s.page(repo_path, self.dates).changed?.time;
                    Some((path, t))
                })
                .collect(),
            Kind::Site { parts, site } => site
                .files
                .iter()
                .filter_map(|(full, (part, e))| {
                    let rel = self
                        .filter
                        .relative(full)
                        .filter(|r| self.filter.is_doc(r))?;
                    let s = parts.get(*part)?.as_ref()?;
                    let t = s.page(&e.path, self.dates).changed?.time;
                    Some((self.filter.mounted(rel), t))
                })
                .collect(),
            Kind::Folder(root) => Snapshot::Dir { root: root.clone() }
                .entries(self.filter.root())
                .unwrap_or_default()
                .into_iter()
                .filter(|e| self.filter.is_doc(&e.path))
                .filter_map(|e| {
                    let t = modified(root, self.filter.root(), &e.path)?;
                    Some((self.filter.mounted(&e.path), t))
                })
                .collect(),
        }
    }

    /// Why some dates of this source are unknown, if they are.
    pub fn gap(&self) -> Option<Gap> {
        let walks: Vec<&stored::Stored> = match &self.kind {
            Kind::Git(s) => vec![s],
            Kind::Site { parts, .. } => parts.iter().flatten().collect(),
            Kind::Folder(_) => vec![],
        };
        if walks.iter().any(|s| s.shallow) {
            Some(Gap::Shallow)
        } else if walks.iter().any(|s| s.truncated) {
            Some(Gap::Truncated)
        } else {
            None
        }
    }

    /// Whether the dates come from a folder's modification times rather than commits.
    pub fn is_folder(&self) -> bool {
        matches!(self.kind, Kind::Folder(_))
    }

    /// The commit the history was walked from (none for a folder).
    pub fn tip(&self) -> Option<&str> {
        match &self.kind {
            Kind::Git(s) => Some(&s.tip),
            Kind::Site { parts, .. } => parts.first()?.as_ref().map(|s| s.tip.as_str()),
            Kind::Folder(_) => None,
        }
    }
}

/// The walk of `commit` of a mirror: the one stored at `path` when it is current, else the
/// walk brought up to date (from the stored tip when that is an ancestor) and stored again.
fn walked(
    path: &std::path::Path,
    spec: &SourceSpec,
    repo: &git2::Repository,
    commit: git2::Oid,
    filter: &Filter,
) -> Result<stored::Stored, HistoryError> {
    let git = |e: git2::Error| HistoryError::Git {
        source_name: spec.name.clone(),
        message: e.message().trim().replace('\n', " "),
    };
    let old = stored::Stored::load(path).filter(|s| s.url == spec.url);
    let settings = walk::settings(repo, commit, spec).map_err(git)?;
    match old {
        Some(s) if s.is_current(commit, &settings) => Ok(s),
        old => {
            let new = walk::compute(repo, commit, filter, &settings, old.as_ref()).map_err(git)?;
            let new = stored::Stored {
                url: spec.url.clone(),
                ..new
            };
            // A history that cannot be stored is still right: the next command walks again.
            let _ = new.save(path);
            Ok(new)
        }
    }
}

/// The modification time of a folder source's file, never through a symlink.
fn modified(root: &std::path::Path, filter_root: Option<&str>, rel: &str) -> Option<i64> {
    let mut path = root.to_path_buf();
    if let Some(r) = filter_root {
        path.push(r);
    }
    path.push(rel);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    let t = meta.modified().ok()?;
    Some(match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    })
}

/// The histories of every source that has a copy, for commands that show many pages.
#[derive(Default)]
pub struct Histories {
    by_source: HashMap<String, History>,
    /// One line per source whose history could not be read.
    pub problems: Vec<String>,
}

impl Histories {
    /// Every source's history (a source without a copy has none, silently: the command that
    /// lists its pages says why it has none).
    pub fn load(base: &Base) -> Histories {
        let mut out = Histories::default();
        for spec in &base.config.sources {
            if !base.has_copy(spec) {
                continue;
            }
            match History::of(base, spec) {
                Ok(h) => {
                    out.by_source.insert(spec.name.clone(), h);
                }
                Err(e) => out.problems.push(e.to_string()),
            }
        }
        out
    }

    pub fn get(&self, source: &str) -> Option<&History> {
        self.by_source.get(source)
    }

    /// When a page last changed (`None` when unknown).
    pub fn last_changed(&self, source: &str, path: &str) -> Option<Change> {
        self.get(source)?.last_changed(path)
    }

    /// Both dates of a page.
    pub fn page(&self, source: &str, path: &str) -> PageDates {
        self.get(source).map(|h| h.page(path)).unwrap_or_default()
    }

    /// Every dated page of every source, as a search wants them (`changed:`, `--sort changed`).
    pub fn search_dates(&self, now: i64) -> crate::index::Dates {
        let mut by_page = HashMap::new();
        for h in self.by_source.values() {
            for (path, t) in h.dated_pages() {
                by_page.insert(crate::index::page_key(&h.source, &path), t);
            }
        }
        crate::index::Dates { by_page, now }
    }

    /// One line per source whose dates are partly unknown, for a note.
    pub fn gaps(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .by_source
            .values()
            .filter_map(|h| {
                h.gap()
                    .map(|g| format!("{}: {}", sanitize::line(&h.source, 0), g.explain()))
            })
            .collect();
        out.sort();
        out
    }
}

/// The latest time that can be written as an RFC 3339 date (9999-12-31T23:59:59Z).
const MAX_TIME: i64 = 253_402_300_799;

/// RFC 3339 in UTC, to the second. A time before 1970 or after 9999 is shown at that bound.
pub fn date(time: i64) -> String {
    let t = time.clamp(0, MAX_TIME) as u64;
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t))
        .to_string()
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    crate::state::now() as i64
}

/// Whole days from `time` to `now`; 0 for a time in the future (never a negative age).
pub fn age_days(time: i64, now: i64) -> u64 {
    (now.saturating_sub(time).max(0) / 86_400) as u64
}

/// "3 weeks ago", "2 years ago", "today"; "in the future" for a clock-skewed commit.
pub fn ago(time: i64, now: i64) -> String {
    if time > now + 60 {
        return "in the future".into();
    }
    let days = age_days(time, now);
    let unit = |n: u64, one: &str| {
        if n == 1 {
            format!("1 {one} ago")
        } else {
            format!("{n} {one}s ago")
        }
    };
    match days {
        0 => "today".into(),
        1..=13 => unit(days, "day"),
        14..=60 => unit(days / 7, "week"),
        61..=729 => unit(days / 30, "month"),
        _ => unit(days / 365, "year"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_never_negative() {
        let now = 1_700_000_000;
        assert_eq!(age_days(now + 86_400 * 30, now), 0);
        assert_eq!(ago(now + 86_400 * 30, now), "in the future");
        assert_eq!(ago(now - 86_400 * 3, now), "3 days ago");
        assert_eq!(ago(now - 86_400 * 21, now), "3 weeks ago");
        assert_eq!(ago(now - 86_400 * 800, now), "2 years ago");
        assert_eq!(date(0), "1970-01-01T00:00:00Z");
        assert_eq!(date(-5), "1970-01-01T00:00:00Z");
        assert_eq!(date(i64::MAX), "9999-12-31T23:59:59Z");
    }
}
