//! What changed in a source's knowledge between two commits (`ken news`), as people want to
//! read it: pages added, changed, deleted and renamed (with the old path); for a changed page
//! the sections whose text changed (sections as the index cuts them,
//! [`crate::index::sections`]), the commits that touched it, and whether the change was only
//! whitespace or link targets (minor); and the standards' lifecycle events read from their
//! front matter ("scs-0214-v2 became Stable").
//!
//! The two commits are compared tree to tree, so a history rewritten between them (a
//! force-push) still gives the right pages; the commits listed are those the new tip has and
//! the old one has not (`old..new`, first parents only, at most [`MAX_COMMITS`]).
//!
//! A site's news ([`news`] of a site source) compare two laid-out copies of the site, so
//! every page is at its site path and named with its repository ([`PageNews::repo`]); each
//! repository whose commit moved has its own range ([`RepoNews`]).

use std::collections::HashMap;
use std::sync::Arc;

use git2::{Oid, Repository};
use serde::Serialize;
use serde_json::Value;

use super::lifecycle::{Lifecycle, Status, standard_id};
use super::{Change, HistoryError};
use crate::base::{Base, SourceFailure};
use crate::config::{DateKind, SourceSpec};
use crate::corpus::{self, ChangeStatus, Filter};
use crate::index::sections;
use crate::site::{Assembled, GENERATED, SiteSnapshot, repo_key};
use crate::source::{self, Content, Snapshot};
use crate::state::{RepoState, SiteState};

/// The most commits listed for one source.
pub const MAX_COMMITS: usize = 1000;
/// Pages bigger than this are compared as changed, without their sections.
const MAX_COMPARED: u64 = 2 << 20;

/// Where the news start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// The commit before the most recent sync that brought changes.
    LastSync,
    /// The last commit (by the configured date) at or before this time, Unix seconds.
    Date(i64),
    /// A commit of the mirror, as git names it (`a1b2c3d`, `HEAD~3`).
    Rev(String),
}

impl Since {
    /// `last-sync`; a duration back from now (`14d`, `3weeks`); a date (`2024-05-01`, RFC
    /// 3339); anything else is a revision.
    pub fn parse(s: &str, now: i64) -> Since {
        let s = s.trim();
        if s == "last-sync" {
            return Since::LastSync;
        }
        if let Ok(d) = humantime::parse_duration(s) {
            return Since::Date(now.saturating_sub(d.as_secs() as i64));
        }
        if let Some(t) = super::lifecycle::parse_date(&Value::String(s.to_string())) {
            return Since::Date(t);
        }
        Since::Rev(s.to_string())
    }
}

/// How a page changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageChange {
    Added,
    Changed,
    Deleted,
    Renamed,
}

/// How a section changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionChange {
    Added,
    Changed,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionNews {
    /// The heading's text; empty for the text before the first heading.
    pub heading: String,
    /// The headings above it and it (`Install › Keys`).
    pub heading_path: String,
    pub anchor: String,
    pub change: SectionChange,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageNews {
    pub change: PageChange,
    /// The reader's path (for a deletion, the path it had).
    pub path: String,
    /// For a rename, the old path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub title: String,
    /// The text is the same but for whitespace and link targets.
    pub minor: bool,
    pub sections: Vec<SectionNews>,
    /// Indices into [`News::commits`] of the commits that touched the page.
    pub commits: Vec<usize>,
    /// For a page of a site: the repository it comes from (the manifest's `repo`, or the
    /// source's name for the site's own repository); `None` for a plain source's pages and
    /// for those ken generates (the standards overview).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
}

impl PageChange {
    /// The word people read: "added", "changed", "deleted", "renamed".
    pub fn verb(self) -> &'static str {
        match self {
            PageChange::Added => "added",
            PageChange::Changed => "changed",
            PageChange::Deleted => "deleted",
            PageChange::Renamed => "renamed",
        }
    }
}

impl PageNews {
    /// "Install; Upgrade (new); Old part (removed)": the sections whose text changed, for
    /// people (sanitized; `(top)` for the text before the first heading); `None` for a page
    /// that is new (all of it is) or when no section is known to have changed.
    pub fn sections_line(&self) -> Option<String> {
        if self.sections.is_empty() || self.change == PageChange::Added {
            return None;
        }
        let names: Vec<String> = self
            .sections
            .iter()
            .map(|s| {
                let h = if s.heading.is_empty() {
                    "(top)".to_string()
                } else {
                    crate::sanitize::line(&s.heading, 0).into_owned()
                };
                match s.change {
                    SectionChange::Changed => h,
                    SectionChange::Added => format!("{h} (new)"),
                    SectionChange::Removed => format!("{h} (removed)"),
                }
            })
            .collect();
        Some(names.join("; "))
    }
}

/// One repository of a site whose commit moved between the two copies compared.
#[derive(Debug, Clone, Serialize)]
pub struct RepoNews {
    /// The manifest's `repo` (the source's name for the site's own repository).
    pub repo: String,
    pub url: String,
    /// Its commit in the older copy; `None` when it was not part of it (new in the site, or
    /// no commit of it was that old).
    pub old: Option<String>,
    pub new: String,
    /// `old` is not an ancestor of `new`: the two tips were compared.
    pub rewritten: bool,
    /// Which of [`News::commits`] are this repository's (`old..new`, first parents).
    pub commits: std::ops::Range<usize>,
    /// More commits than [`MAX_COMMITS`] were in its range.
    pub commits_truncated: bool,
}

/// A standard's lifecycle event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// A standard that is new here (the text says in which status).
    New,
    BecameStable,
    Deprecated,
    Rejected,
    BackToDraft,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// `scs-0214-v2`.
    pub standard: String,
    pub kind: EventKind,
    /// For people: "scs-0214-v2 became Stable".
    pub text: String,
    pub path: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaced_by: Vec<String>,
}

/// What changed in one source.
#[derive(Debug, Clone, Serialize)]
pub struct News {
    pub source: String,
    /// The commit compared from; `None` when everything is new (a date before the history).
    pub old: Option<String>,
    pub new: String,
    /// The old commit is not an ancestor of the new one (history was rewritten): the tips
    /// were compared, and `commits` are those only the new tip has.
    pub rewritten: bool,
    pub commits: Vec<Change>,
    /// More commits than [`MAX_COMMITS`] were in the range.
    pub commits_truncated: bool,
    pub pages: Vec<PageNews>,
    pub events: Vec<Event>,
    /// For a site, each repository whose commit moved (the site's own first when it did);
    /// `old`, `new` and `rewritten` above are then the site's own repository's, `rewritten`
    /// and `commits_truncated` true when they are for any repository. Empty for a plain
    /// source.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<RepoNews>,
}

/// "a1b2c3d4e5 → f6a7b8c9d0", or `fresh` ("everything up to f6a7b8c9d0") when there is no
/// older commit, and "(history was rewritten: …)" when the older is not an ancestor.
fn range_text(old: Option<&str>, new: &str, rewritten: bool, fresh: &str) -> String {
    let short = |c: &str| c.chars().take(10).collect::<String>();
    let range = match old {
        Some(o) => format!("{} → {}", short(o), short(new)),
        None => format!("{fresh} {}", short(new)),
    };
    if rewritten {
        format!("{range} (history was rewritten: the two tips compared)")
    } else {
        range
    }
}

/// "1 commit", "3 commits", "500+ commits".
pub fn commits_text(count: usize, truncated: bool) -> String {
    let more = if truncated { "+" } else { "" };
    let s = if count == 1 { "" } else { "s" };
    format!("{count}{more} commit{s}")
}

impl News {
    /// What was compared, for people (`ken news` and the what's-new screen): a source's
    /// range, or for a site how many of its repositories moved (each has its
    /// [`RepoNews::range_line`]).
    pub fn range_line(&self) -> String {
        if self.repos.is_empty() {
            return range_text(
                self.old.as_deref(),
                &self.new,
                self.rewritten,
                "everything up to",
            );
        }
        let moved = self.repos.len();
        let s = if moved == 1 { "y" } else { "ies" };
        format!("site, {moved} repositor{s} moved")
    }
}

impl RepoNews {
    /// A site's repository's own range and its commits: "a1b2… → f6a7…, 3 commits" (not
    /// sanitized: hex commit ids and ken's words only).
    pub fn range_line(&self) -> String {
        let range = range_text(self.old.as_deref(), &self.new, self.rewritten, "new, up to");
        let commits = commits_text(self.commits.len(), self.commits_truncated);
        format!("{range}, {commits}")
    }
}

fn git(name: &str) -> impl Fn(git2::Error) -> HistoryError + '_ {
    move |e| HistoryError::Git {
        source_name: name.to_string(),
        message: e.message().trim().replace('\n', " "),
    }
}

/// The news of a git source since `since` up to its synced commit. `Ok(None)` when there is
/// nothing to compare with (a source synced once, for `last-sync`).
pub fn news(base: &Base, spec: &SourceSpec, since: &Since) -> Result<Option<News>, HistoryError> {
    let name = spec.name.as_str();
    let fail = |m: String| HistoryError::Source(SourceFailure::new(name, m));
    let (repo, new) = match base.snapshot(spec)? {
        Snapshot::Git { repo, commit } => (repo, commit),
        // A site: every repository's news, at the pages' site paths.
        Snapshot::Site(site) => return site_news(base, spec, since, site.site),
        Snapshot::Dir { .. } => {
            return Err(fail(
                "a local folder has no history to compare (ken news reads commits)".into(),
            ));
        }
    };
    let previous = base.state_of(spec).and_then(|s| s.previous.clone());
    let Some(old) = start_commit(
        name,
        &repo,
        new,
        since,
        previous.as_deref(),
        base.config.dates,
    )?
    else {
        return Ok(None);
    };
    let filter = Filter::new(spec).map_err(|e| fail(e.to_string()))?;
    compare(base, spec, &repo, &filter, old, new).map(Some)
}

/// The commit of `repo` (named `name` in errors; its synced tip is `new`) that `since`
/// starts from: for [`Since::LastSync`] `previous`, the commit before the most recent sync
/// that brought changes. The outer `None` when there is nothing to compare with (no
/// previous sync); the inner `None` when everything is new (a date before the history).
/// `ken news` and `ken check --changed-since` read a range the same way.
pub fn start_commit(
    name: &str,
    repo: &Repository,
    new: Oid,
    since: &Since,
    previous: Option<&str>,
    dates: DateKind,
) -> Result<Option<Option<Oid>>, HistoryError> {
    let fail = |m: String| HistoryError::Source(SourceFailure::new(name, m));
    Ok(Some(match since {
        Since::LastSync => match previous.and_then(|p| Oid::from_str(p).ok()) {
            Some(o) if repo.find_commit(o).is_ok() => Some(o),
            Some(_) => {
                return Err(fail(
                    "the commit before the last sync is gone from the mirror".into(),
                ));
            }
            None => return Ok(None),
        },
        Since::Date(t) => at_or_before(repo, new, *t, dates).map_err(git(name))?,
        Since::Rev(r) => {
            // A mirror keeps the remote's branches as `origin/NAME`: `main` names that one.
            let obj = repo
                .revparse_single(r)
                .or_else(|e| repo.revparse_single(&format!("origin/{r}")).map_err(|_| e))
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| {
                    fail(format!(
                        "{r:?} is not a commit of this mirror ({})",
                        e.message().trim()
                    ))
                })?;
            Some(obj.id())
        }
    }))
}

/// The news of a site: its copy before `since` laid out again (the site's own commit then,
/// each repository at its commit then) and compared with the synced copy site path by site
/// path, so pages are reported where `ken list` shows them, whichever repository they come
/// from; each repository whose commit moved lists its own commits (`old..new`).
///
/// The copy before is, for `last-sync`, the one the state recorded before the most recent
/// sync that moved any commit of the site; for a date, every repository's last commit at or
/// before it; for a revision, the commit it names in each repository that has it (the
/// others are compared with themselves).
fn site_news(
    base: &Base,
    spec: &SourceSpec,
    since: &Since,
    new: Arc<Assembled>,
) -> Result<Option<News>, HistoryError> {
    let name = spec.name.as_str();
    let fail = |m: String| HistoryError::Source(SourceFailure::new(name, m));
    let dates = base.config.dates;
    let own = new
        .parts
        .first()
        .ok_or_else(|| fail("the site has no repository".into()))?;
    let own_repo = Repository::open_bare(&own.mirror).map_err(git(name))?;
    let recorded = base
        .site_state(spec)
        .ok_or_else(|| fail("no site is recorded (run ken sync)".into()))?;
    let current = SiteState {
        previous: None,
        ..recorded.clone()
    };
    let commit_of = |s: &str| {
        Oid::from_str(s).map_err(|_| fail(format!("the state names {s:?}, which is no commit id")))
    };
    let older: Option<(Oid, Option<SiteState>)> = match since {
        Since::LastSync => match &recorded.previous {
            Some(p) => Some((commit_of(&p.commit)?, Some(previous_site(&current, p)))),
            // A state written before ken kept a site's previous copy: the site's own
            // repository's previous commit, with the other repositories as they are now.
            None => match base.state_of(spec).and_then(|s| s.previous.clone()) {
                Some(p) => Some((commit_of(&p)?, Some(current.clone()))),
                None => return Ok(None),
            },
        },
        Since::Date(t) => at_or_before(&own_repo, own.commit, *t, dates)
            .map_err(git(name))?
            .map(|o| (o, Some(site_at(base, spec, &current, *t)))),
        // A commit names the start of the repositories that have it; the others are
        // compared with themselves (as `ken check --changed-since` reads it).
        Since::Rev(r) => {
            let find = |repo: &Repository| {
                repo.revparse_single(r)
                    .and_then(|o| o.peel_to_commit())
                    .ok()
                    .map(|c| c.id())
            };
            let own_start = find(&own_repo);
            let mut named = own_start.is_some();
            let mirrors = base.repo_mirrors(name, &current.repos);
            let repos = current
                .repos
                .iter()
                .zip(mirrors)
                .map(|(rs, mirror)| {
                    let start = Repository::open_bare(&mirror)
                        .ok()
                        .and_then(|repo| find(&repo));
                    named |= start.is_some();
                    RepoState {
                        commit: start.map(|c| c.to_string()).or_else(|| rs.commit.clone()),
                        ..rs.clone()
                    }
                })
                .collect();
            if !named {
                return Err(fail(format!(
                    "{r:?} is a commit of none of the site's repositories"
                )));
            }
            Some((
                own_start.unwrap_or(own.commit),
                Some(SiteState {
                    repos,
                    ..current.clone()
                }),
            ))
        }
    };
    let old = match &older {
        Some((c, site)) => Some(Arc::new(
            base.assemble_at(spec, *c, site.as_ref()).map_err(|e| {
                fail(format!(
                    "the copy to compare with cannot be laid out again: {e}"
                ))
            })?,
        )),
        None => None,
    };
    let filter = Filter::new(spec).map_err(|e| fail(e.to_string()))?;
    let new_snap = Snapshot::Site(SiteSnapshot::new(new.clone()));
    let old_snap = old.clone().map(|o| Snapshot::Site(SiteSnapshot::new(o)));
    let changes = match (&old, &old_snap) {
        (Some(o), Some(o_snap)) => {
            let changes = renames(&filter, o, &new, crate::site::doc_changes(&filter, o, &new));
            let cap = base.config.max_file_size.min(MAX_COMPARED);
            let copies = Copies {
                filter: &filter,
                old: o,
                new: &new,
                old_snap: o_snap,
                new_snap: &new_snap,
                cap,
            };
            moves_between_repos(&copies, changes)
        }
        _ => all_added(&filter, &new_snap).map_err(|e| fail(e.to_string()))?,
    };
    let mut out = News {
        source: name.to_string(),
        old: older.as_ref().map(|(c, _)| c.to_string()),
        new: own.commit.to_string(),
        rewritten: false,
        commits: Vec::new(),
        commits_truncated: false,
        pages: Vec::new(),
        events: Vec::new(),
        repos: Vec::new(),
    };
    pages(
        base,
        &filter,
        old_snap.as_ref(),
        &new_snap,
        &changes,
        &mut out,
    );
    for p in &mut out.pages {
        let (copy, at) = match p.change {
            PageChange::Deleted => (old.as_deref(), &p.path),
            _ => (Some(&*new), &p.path),
        };
        p.repo = copy.and_then(|c| Some(c.parts[origin(&filter, c, at)?.0].repo.clone()));
    }
    for (i, part) in new.parts.iter().enumerate() {
        let key = repo_key(&part.url);
        let before = old
            .as_deref()
            .and_then(|o| Some((o, o.parts.iter().position(|q| repo_key(&q.url) == key)?)));
        let old_commit = before.map(|(o, j)| o.parts[j].commit);
        if old_commit == Some(part.commit) {
            continue;
        }
        let repo = Repository::open_bare(&part.mirror).map_err(git(name))?;
        let rewritten = match old_commit {
            Some(o) => !repo
                .graph_descendant_of(part.commit, o)
                .map_err(git(name))?,
            None => false,
        };
        // Each page of this repository, by its path there now and its path there before.
        let mut page_of: HashMap<String, usize> = HashMap::new();
        for (k, p) in out.pages.iter().enumerate() {
            if p.change != PageChange::Deleted
                && let Some((pi, path)) = origin(&filter, &new, &p.path)
                && pi == i
            {
                page_of.insert(path, k);
            }
            let was = match p.change {
                PageChange::Added => None,
                PageChange::Renamed => p.from.as_deref(),
                PageChange::Changed | PageChange::Deleted => Some(p.path.as_str()),
            };
            if let (Some((o, j)), Some(was)) = (before, was)
                && let Some((pj, path)) = origin(&filter, o, was)
                && pj == j
            {
                page_of.insert(path, k);
            }
        }
        let start = out.commits.len();
        let truncated = attribute(&repo, &page_of, old_commit, part.commit, dates, &mut out)
            .map_err(git(name))?;
        out.repos.push(RepoNews {
            repo: part.repo.clone(),
            url: part.url.clone(),
            old: old_commit.map(|o| o.to_string()),
            new: part.commit.to_string(),
            rewritten,
            commits: start..out.commits.len(),
            commits_truncated: truncated,
        });
    }
    out.rewritten = out.repos.iter().any(|r| r.rewritten);
    out.commits_truncated = out.repos.iter().any(|r| r.commits_truncated);
    Ok(Some(out))
}

/// The record of a site's previous copy: its repositories at the commits it had, each named
/// as the current record names it (when it is no longer part of the site, the layout names
/// it from the older manifest).
fn previous_site(current: &SiteState, p: &crate::state::PreviousCopy) -> SiteState {
    let repos = p
        .repos
        .iter()
        .map(|(url, commit)| {
            let now = current
                .repos
                .iter()
                .find(|r| repo_key(&r.url) == repo_key(url));
            RepoState {
                repo: now.map(|r| r.repo.clone()).unwrap_or_default(),
                url: url.clone(),
                branch: now.and_then(|r| r.branch.clone()),
                commit: commit.clone(),
                ..RepoState::default()
            }
        })
        .collect();
    SiteState {
        repos,
        previous: None,
        ..current.clone()
    }
}

/// A site's record with every repository at its last commit at or before `t` (none when all
/// its commits are newer, or its mirror cannot be read: its pages are then new).
fn site_at(base: &Base, spec: &SourceSpec, site: &SiteState, t: i64) -> SiteState {
    let mirrors = base.repo_mirrors(&spec.name, &site.repos);
    let repos = site
        .repos
        .iter()
        .zip(mirrors)
        .map(|(r, mirror)| {
            let then = r
                .commit
                .as_deref()
                .and_then(|c| Oid::from_str(c).ok())
                .and_then(|c| {
                    let repo = Repository::open_bare(&mirror).ok()?;
                    at_or_before(&repo, c, t, base.config.dates).ok()?
                });
            RepoState {
                commit: then.map(|c| c.to_string()),
                ..r.clone()
            }
        })
        .collect();
    SiteState {
        repos,
        ..site.clone()
    }
}

/// Which part of a site's copy the page at a reader's path comes from, and its path in that
/// repository; `None` for a page ken generated or one not in the copy.
fn origin(filter: &Filter, copy: &Assembled, path: &str) -> Option<(usize, String)> {
    let rel = filter.unmounted(path)?;
    let full = match filter.root() {
        Some(r) => format!("{r}/{rel}"),
        None => rel.to_string(),
    };
    let (part, e) = copy.files.get(&full)?;
    (*part != GENERATED).then(|| (*part, e.path.clone()))
}

/// A site's page changes with a deleted and an added page made one rename when git finds
/// that their repository renamed the one file into the other: the copies' own comparison,
/// by blob, finds only a file moved unchanged.
fn renames(
    filter: &Filter,
    old: &Assembled,
    new: &Assembled,
    mut changes: Vec<corpus::DocChange>,
) -> Vec<corpus::DocChange> {
    let of = |status: ChangeStatus| -> HashMap<String, usize> {
        changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.status == status)
            .map(|(i, c)| (c.path.clone(), i))
            .collect()
    };
    let (deleted, added) = (of(ChangeStatus::Deleted), of(ChangeStatus::Added));
    if deleted.is_empty() || added.is_empty() {
        return changes;
    }
    // The site paths of each (part, path in its repository) among those pages.
    let by_origin = |copy: &Assembled, pages: &HashMap<String, usize>| {
        let mut m: HashMap<(usize, String), Vec<String>> = HashMap::new();
        for p in pages.keys() {
            if let Some(o) = origin(filter, copy, p) {
                m.entry(o).or_default().push(p.clone());
            }
        }
        m
    };
    let (gone, came) = (by_origin(old, &deleted), by_origin(new, &added));
    let mut dropped = std::collections::HashSet::new();
    for (i, part) in new.parts.iter().enumerate() {
        let key = repo_key(&part.url);
        let Some(j) = old.parts.iter().position(|q| repo_key(&q.url) == key) else {
            continue;
        };
        let was = old.parts[j].commit;
        if was == part.commit
            || !came.keys().any(|(p, _)| *p == i)
            || !gone.keys().any(|(p, _)| *p == j)
        {
            continue;
        }
        let Ok(raw) = source::changes(&part.mirror, was, part.commit) else {
            continue;
        };
        for c in raw {
            let source::ChangeKind::Renamed { from } = c.kind else {
                continue;
            };
            let (Some(olds), Some(news)) = (gone.get(&(j, from)), came.get(&(i, c.path))) else {
                continue;
            };
            for (o, n) in olds.iter().zip(news) {
                if let (Some(&di), Some(&ai)) = (deleted.get(o), added.get(n))
                    && dropped.insert(di)
                {
                    changes[ai] = corpus::DocChange {
                        status: ChangeStatus::Renamed,
                        path: n.clone(),
                        from: Some(o.clone()),
                    };
                }
            }
        }
    }
    changes
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(_, c)| c)
        .collect()
}

/// The two copies of a site compared, for [`moves_between_repos`].
struct Copies<'a> {
    filter: &'a Filter,
    old: &'a Assembled,
    new: &'a Assembled,
    old_snap: &'a Snapshot,
    new_snap: &'a Snapshot,
    /// The biggest page read.
    cap: u64,
}

/// At most this many (deleted, added) pairs of pages are compared for moves between a site's
/// repositories; a bigger reshuffle keeps its deletions and additions.
const MAX_MOVE_PAIRS: usize = 2_500;
/// How much of its text a page must keep to count as moved (git's rename detection counts
/// a rename at half the content kept, too).
const MOVE_SIMILARITY: f32 = 0.5;

/// A page deleted from one repository of a site and added to another with at least half of
/// its text kept: one move (a rename from its old site path), not a deletion and an addition.
/// A move within one repository is git's to find ([`renames`]), and a page moved unchanged is
/// found by its blob already.
fn moves_between_repos(c: &Copies, changes: Vec<corpus::DocChange>) -> Vec<corpus::DocChange> {
    let repo_of = |copy: &Assembled, path: &str| {
        origin(c.filter, copy, path).map(|(part, _)| repo_key(&copy.parts[part].url))
    };
    let deleted: Vec<usize> = (0..changes.len())
        .filter(|&i| changes[i].status == ChangeStatus::Deleted)
        .collect();
    let added: Vec<usize> = (0..changes.len())
        .filter(|&i| changes[i].status == ChangeStatus::Added)
        .collect();
    if deleted.is_empty() || added.is_empty() || deleted.len() * added.len() > MAX_MOVE_PAIRS {
        return changes;
    }
    let text = |snap: &Snapshot, path: &str| {
        read(snap, c.filter, path, c.cap).map(|p| {
            let lines = line_hashes(&p.body);
            (p.body, lines)
        })
    };
    // Each added page: its change's index, its repository, its text and lines.
    let added_texts: Vec<(usize, Option<String>, Option<Text>)> = added
        .iter()
        .map(|&i| {
            let path = &changes[i].path;
            (i, repo_of(c.new, path), text(c.new_snap, path))
        })
        .collect();
    let mut taken = std::collections::HashSet::new();
    let mut moved: HashMap<usize, String> = HashMap::new();
    let mut dropped = std::collections::HashSet::new();
    for &d in &deleted {
        let path = &changes[d].path;
        let (Some(repo), Some((before, before_lines))) =
            (repo_of(c.old, path), text(c.old_snap, path))
        else {
            continue;
        };
        let best = added_texts
            .iter()
            .filter(|(a, r, _)| !taken.contains(a) && r.as_ref().is_some_and(|r| *r != repo))
            .filter_map(|(a, _, after)| {
                let (after, after_lines) = after.as_ref()?;
                // The lines two texts have in common bound how similar they can be: only
                // the pairs that could reach the mark are diffed.
                if common_share(&before_lines, after_lines) < MOVE_SIMILARITY {
                    return None;
                }
                let ratio = similar::TextDiff::from_lines(before.as_str(), after).ratio();
                (ratio >= MOVE_SIMILARITY).then_some((*a, ratio))
            })
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((a, _)) = best {
            taken.insert(a);
            moved.insert(a, path.clone());
            dropped.insert(d);
        }
    }
    changes
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(i, ch)| match moved.remove(&i) {
            Some(from) => corpus::DocChange {
                status: ChangeStatus::Renamed,
                path: ch.path,
                from: Some(from),
            },
            None => ch,
        })
        .collect()
}

/// A page's text and [`line_hashes`].
type Text = (String, Vec<u64>);

/// The hashes of a text's lines, sorted (a multiset of its lines).
fn line_hashes(text: &str) -> Vec<u64> {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let h = BuildHasherDefault::<rustc_hash::FxHasher>::default();
    let mut v: Vec<u64> = text.split_inclusive('\n').map(|l| h.hash_one(l)).collect();
    v.sort_unstable();
    v
}

/// Twice the lines two texts have in common over all their lines: at least the
/// line diff's ratio ([`similar::TextDiff::ratio`]), found in one pass.
fn common_share(a: &[u64], b: &[u64]) -> f32 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let all = a.len() + b.len();
    if all == 0 {
        return 1.0;
    }
    (2 * common) as f32 / all as f32
}

/// The news of every configured source, for `ken news` and the UI's what's-new screen.
#[derive(Debug, Default)]
pub struct AllNews {
    pub news: Vec<News>,
    /// One line per source without news: a local folder, never synced, synced once, failed
    /// (not sanitized).
    pub notes: Vec<String>,
    /// Sources compared, and how many of them failed.
    pub tried: usize,
    pub failed: usize,
}

/// [`news`] of every configured source since `since`, with a note for each source that has
/// none.
pub fn all(base: &Base, since: &Since) -> AllNews {
    let mut out = AllNews::default();
    for spec in &base.config.sources {
        if matches!(source::location(spec), source::Location::Dir(_)) {
            out.notes.push(format!(
                "{}: a local folder has no history; ken news compares commits",
                spec.name
            ));
            continue;
        }
        if !base.has_copy(spec) {
            out.notes
                .push(format!("{}: never synced (run ken sync)", spec.name));
            continue;
        }
        out.tried += 1;
        match news(base, spec, since) {
            Ok(Some(n)) => out.news.push(n),
            Ok(None) => out.notes.push(format!(
                "{}: synced once so far: nothing to compare with yet (try --since 30d)",
                spec.name
            )),
            Err(e) => {
                out.failed += 1;
                out.notes.push(e.to_string());
            }
        }
    }
    out
}

/// The newest first-parent commit from `tip` dated at or before `t`; `None` when every one is
/// newer.
fn at_or_before(
    repo: &Repository,
    tip: Oid,
    t: i64,
    dates: DateKind,
) -> Result<Option<Oid>, git2::Error> {
    let mut c = repo.find_commit(tip)?;
    loop {
        let when = match dates {
            DateKind::Committer => c.time().seconds(),
            DateKind::Author => c.author().when().seconds(),
        };
        if when <= t {
            return Ok(Some(c.id()));
        }
        match c.parent(0) {
            Ok(p) => c = p,
            Err(_) => return Ok(None),
        }
    }
}

fn compare(
    base: &Base,
    spec: &SourceSpec,
    repo: &Repository,
    filter: &Filter,
    old: Option<Oid>,
    new: Oid,
) -> Result<News, HistoryError> {
    let name = spec.name.as_str();
    let mirror = source::mirror_path(base.data_dir(), name);
    let rewritten = match old {
        Some(o) => o != new && !repo.graph_descendant_of(new, o).map_err(git(name))?,
        None => false,
    };
    let mut out = News {
        source: name.to_string(),
        old: old.map(|o| o.to_string()),
        new: new.to_string(),
        rewritten,
        commits: Vec::new(),
        commits_truncated: false,
        pages: Vec::new(),
        events: Vec::new(),
        repos: Vec::new(),
    };
    if old == Some(new) {
        return Ok(out);
    }
    let fail = |e: source::SourceError| HistoryError::Source(SourceFailure::new(name, e));
    let new_snap = Snapshot::git(&mirror, new).map_err(fail)?;
    let old_snap = match old {
        Some(o) => Some(Snapshot::git(&mirror, o).map_err(fail)?),
        None => None,
    };
    let changes = match old {
        Some(o) => corpus::doc_changes(filter, &source::changes(&mirror, o, new).map_err(fail)?),
        None => all_added(filter, &new_snap).map_err(fail)?,
    };
    pages(
        base,
        filter,
        old_snap.as_ref(),
        &new_snap,
        &changes,
        &mut out,
    );
    let repo_path = |p: &str| {
        let rel = filter.unmounted(p)?;
        Some(match filter.root() {
            Some(r) => format!("{r}/{rel}"),
            None => rel.to_string(),
        })
    };
    let mut page_of: HashMap<String, usize> = HashMap::new();
    for (i, p) in out.pages.iter().enumerate() {
        for path in std::iter::once(&p.path).chain(p.from.as_ref()) {
            if let Some(rp) = repo_path(path) {
                page_of.insert(rp, i);
            }
        }
    }
    let truncated =
        attribute(repo, &page_of, old, new, base.config.dates, &mut out).map_err(git(name))?;
    out.commits_truncated = truncated;
    Ok(out)
}

/// Every document of a copy, as added (news from before a source's history).
fn all_added(
    filter: &Filter,
    snap: &Snapshot,
) -> Result<Vec<corpus::DocChange>, source::SourceError> {
    Ok(snap
        .entries(filter.root())?
        .into_iter()
        .filter(|e| filter.is_doc(&e.path))
        .map(|e| corpus::DocChange {
            status: ChangeStatus::Added,
            path: filter.mounted(&e.path),
            from: None,
        })
        .collect())
}

/// The news of each changed page (read at both copies: sections, minor, title) and the
/// standards' events, into `out`.
fn pages(
    base: &Base,
    filter: &Filter,
    old_snap: Option<&Snapshot>,
    new_snap: &Snapshot,
    changes: &[corpus::DocChange],
    out: &mut News,
) {
    let cap = base.config.max_file_size.min(MAX_COMPARED);
    let read = |snap: Option<&Snapshot>, path: &str| -> Option<corpus::Parsed> {
        read(snap?, filter, path, cap)
    };
    for c in changes {
        let (change, before_path) = match c.status {
            ChangeStatus::Added => (PageChange::Added, None),
            ChangeStatus::Modified => (PageChange::Changed, Some(c.path.as_str())),
            ChangeStatus::Deleted => (PageChange::Deleted, Some(c.path.as_str())),
            ChangeStatus::Renamed => (PageChange::Renamed, c.from.as_deref()),
        };
        let before = before_path.and_then(|p| read(old_snap, p));
        let after = match change {
            PageChange::Deleted => None,
            _ => read(Some(new_snap), &c.path),
        };
        let title = after
            .as_ref()
            .or(before.as_ref())
            .map(|p| p.title.clone())
            .unwrap_or_else(|| corpus::file_title(&c.path));
        let (sections, minor) = match (&before, &after) {
            (Some(b), Some(a)) => {
                let s = section_changes(&b.body, &a.body);
                let minor = change == PageChange::Changed
                    && s.is_empty()
                    && b.front_matter == a.front_matter;
                (s, minor)
            }
            _ => (Vec::new(), false),
        };
        if let Some(e) = event(
            &c.path,
            change,
            before.as_ref().and_then(|p| p.front_matter.as_ref()),
            after.as_ref().and_then(|p| p.front_matter.as_ref()),
        ) {
            out.events.push(e);
        }
        out.pages.push(PageNews {
            change,
            path: c.path.clone(),
            from: c.from.clone(),
            title,
            minor,
            sections,
            commits: Vec::new(),
            repo: None,
        });
    }
}

/// A page at the reader's `path` in a snapshot, parsed; `None` when it is not there, not text,
/// or over `cap` bytes.
fn read(snap: &Snapshot, filter: &Filter, path: &str, cap: u64) -> Option<corpus::Parsed> {
    let rel = filter.unmounted(path)?;
    let entry = snap.entry(filter.root(), rel).ok()??;
    match snap.read(filter.root(), &entry, cap).ok()? {
        Content::Bytes(b) if !corpus::is_binary(&b) => Some(corpus::parse(&corpus::decode(b), rel)),
        _ => None,
    }
}

/// The page at the reader's `path` as it was at `commit` of its source's mirror (one of a
/// [`News`]' two commits), for showing what changed in it; `Ok(None)` when the page was not
/// there (or is not text, or too big to compare).
pub fn page_at(
    base: &Base,
    spec: &SourceSpec,
    commit: &str,
    path: &str,
) -> Result<Option<corpus::Parsed>, HistoryError> {
    let name = spec.name.as_str();
    let fail = |m: String| HistoryError::Source(SourceFailure::new(name, m));
    let oid = Oid::from_str(commit).map_err(git(name))?;
    let filter = Filter::new(spec).map_err(|e| fail(e.to_string()))?;
    let mirror = source::mirror_path(base.data_dir(), name);
    let snap = Snapshot::git(&mirror, oid).map_err(|e| fail(e.to_string()))?;
    let cap = base.config.max_file_size.min(MAX_COMPARED);
    Ok(read(&snap, &filter, path, cap))
}

/// Whitespace runs are one space: a reflowed paragraph is the same text.
fn normal(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sections whose text differs, by anchor (a renamed heading is one section removed and
/// one added). Link targets are not part of a section's text, so a page whose links alone
/// changed has no changed section.
fn section_changes(before: &str, after: &str) -> Vec<SectionNews> {
    let text = |s: &sections::Section| (normal(&s.heading), normal(&s.body), normal(&s.code));
    let old = sections::split(before);
    let new = sections::split(after);
    let old_by: HashMap<&str, &sections::Section> =
        old.iter().map(|s| (s.anchor.as_str(), s)).collect();
    let new_anchors: std::collections::HashSet<&str> =
        new.iter().map(|s| s.anchor.as_str()).collect();
    let mut out = Vec::new();
    for s in &new {
        let change = match old_by.get(s.anchor.as_str()) {
            None => Some(SectionChange::Added),
            Some(o) if text(o) != text(s) => Some(SectionChange::Changed),
            Some(_) => None,
        };
        if let Some(change) = change {
            // The text before the first heading is a section only when it has text.
            if change == SectionChange::Added && s.level == 0 && s.body.is_empty() {
                continue;
            }
            out.push(SectionNews {
                heading: s.heading.clone(),
                heading_path: s.heading_path.clone(),
                anchor: s.anchor.clone(),
                change,
            });
        }
    }
    for s in &old {
        let empty_top = s.level == 0 && s.body.is_empty();
        if !empty_top && !new_anchors.contains(s.anchor.as_str()) {
            out.push(SectionNews {
                heading: s.heading.clone(),
                heading_path: s.heading_path.clone(),
                anchor: s.anchor.clone(),
                change: SectionChange::Removed,
            });
        }
    }
    out
}

/// `v2` for a replacement of the same standard, else its id (`scs-0100-v3`), else as written.
fn short_replacement(id: &str, replaced_by: &str) -> String {
    let number = |s: &str| s.get(..8).map(str::to_string);
    match standard_id(replaced_by) {
        Some(r) if number(&r) == number(id) => r[9..].to_string(),
        Some(r) => r,
        None => replaced_by.to_string(),
    }
}

/// The lifecycle event a change of a standard's front matter makes, if any.
fn event(
    path: &str,
    change: PageChange,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Option<Event> {
    let id = standard_id(path)?;
    let old = Lifecycle::of(before);
    let new = Lifecycle::of(after);
    let (kind, text) = match change {
        PageChange::Deleted => {
            old.status?;
            (EventKind::Removed, format!("{id} removed"))
        }
        PageChange::Added => {
            let s = new.status?;
            let text = match s {
                Status::Draft => format!("new draft {id}"),
                other => format!("new standard {id}, {}", other.as_str()),
            };
            (EventKind::New, text)
        }
        PageChange::Changed | PageChange::Renamed => {
            let s = new.status?;
            if old.status == Some(s) {
                return None;
            }
            match s {
                Status::Stable => (EventKind::BecameStable, format!("{id} became Stable")),
                Status::Deprecated => {
                    let by = match new.replaced_by.as_slice() {
                        [] => String::new(),
                        list => format!(
                            ", replaced by {}",
                            list.iter()
                                .map(|r| short_replacement(&id, r))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    (EventKind::Deprecated, format!("{id} deprecated{by}"))
                }
                Status::Rejected => (EventKind::Rejected, format!("{id} rejected")),
                Status::Draft => (EventKind::BackToDraft, format!("{id} back to Draft")),
            }
        }
    };
    Some(Event {
        standard: id,
        kind,
        text,
        path: path.to_string(),
        replaced_by: match kind {
            EventKind::Deprecated => new.replaced_by,
            _ => Vec::new(),
        },
    })
}

/// Appends the commits `old..new` (first parents, newest first, at most [`MAX_COMMITS`]) to
/// `out.commits` and, to each page of `page_of` (a repository path → the page's index), those
/// that touched it (under its new or its old path). True when there were more commits.
fn attribute(
    repo: &Repository,
    page_of: &HashMap<String, usize>,
    old: Option<Oid>,
    new: Oid,
    dates: DateKind,
    out: &mut News,
) -> Result<bool, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.simplify_first_parent()?;
    walk.push(new)?;
    if let Some(o) = old {
        walk.hide(o)?;
    }
    let mut opts = git2::DiffOptions::new();
    for p in page_of.keys() {
        opts.pathspec(p);
    }
    opts.disable_pathspec_match(true);
    for (listed, oid) in walk.enumerate() {
        let oid = oid?;
        if listed >= MAX_COMMITS {
            return Ok(true);
        }
        let commit = repo.find_commit(oid)?;
        let index = out.commits.len();
        out.commits.push(Change {
            time: match dates {
                DateKind::Committer => commit.time().seconds(),
                DateKind::Author => commit.author().when().seconds(),
            },
            commit: Some(oid.to_string()),
            author: Some(String::from_utf8_lossy(commit.author().name_bytes()).into_owned()),
            subject: Some(
                String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
            ),
        });
        if page_of.is_empty() {
            continue;
        }
        let parent = match commit.parent(0) {
            Ok(p) => Some(p.tree()?),
            Err(_) => None,
        };
        let diff =
            repo.diff_tree_to_tree(parent.as_ref(), Some(&commit.tree()?), Some(&mut opts))?;
        for d in diff.deltas() {
            for f in [d.new_file(), d.old_file()] {
                if let Some(&i) = f
                    .path_bytes()
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .and_then(|p| page_of.get(p))
                    && out.pages[i].commits.last() != Some(&index)
                {
                    out.pages[i].commits.push(index);
                }
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_forms() {
        let now = 1_700_000_000;
        assert_eq!(Since::parse("last-sync", now), Since::LastSync);
        assert_eq!(Since::parse("14d", now), Since::Date(now - 14 * 86_400));
        assert_eq!(Since::parse("2024-05-01", now), Since::Date(1_714_521_600));
        assert_eq!(Since::parse("HEAD~3", now), Since::Rev("HEAD~3".into()));
        assert_eq!(Since::parse("a1b2c3d", now), Since::Rev("a1b2c3d".into()));
    }

    #[test]
    fn whitespace_and_link_targets_are_no_section_change() {
        let a = "# T\n\nSee [the guide](a.md) for\nmore.\n\n## Keys\n\nRotate.\n";
        let b = "# T\n\nSee  [the guide](b.md#x) for more.\n\n## Keys\n\nRotate.\n";
        assert!(section_changes(a, b).is_empty());
        let c = "# T\n\nSee the manual.\n\n## Keys\n\nRotate.\n\n## New\n\nx\n";
        let s = section_changes(a, c);
        assert_eq!(
            s.iter()
                .map(|s| (s.anchor.as_str(), s.change))
                .collect::<Vec<_>>(),
            [("t", SectionChange::Changed), ("new", SectionChange::Added)]
        );
    }

    #[test]
    fn lifecycle_events() {
        let fm = |s: &str| serde_norway::from_str::<Value>(s).unwrap();
        let draft = fm("status: Draft\n");
        let stable = fm("status: Stable\n");
        let dep = fm("status: Deprecated\nreplaced_by: scs-0002-v2-standards-docs-org.md\n");
        let p = "Standards/scs-0002-v1-standards-docs-org.md";
        let text = |c, b, a| event(p, c, b, a).map(|e| e.text);
        assert_eq!(
            text(PageChange::Changed, Some(&draft), Some(&stable)).as_deref(),
            Some("scs-0002-v1 became Stable")
        );
        assert_eq!(
            text(PageChange::Changed, Some(&stable), Some(&dep)).as_deref(),
            Some("scs-0002-v1 deprecated, replaced by v2")
        );
        assert_eq!(
            text(PageChange::Added, None, Some(&draft)).as_deref(),
            Some("new draft scs-0002-v1")
        );
        assert_eq!(
            text(PageChange::Changed, Some(&stable), Some(&stable)),
            None
        );
        assert_eq!(
            event("docs/a.md", PageChange::Added, None, Some(&draft)),
            None
        );
    }
}
