//! Which pages nobody has touched for too long (`ken stale`), aware of the standards'
//! lifecycle:
//!
//! - A page's freshness is the later of its last change and its front matter's
//!   `last_reviewed` date (a page someone reviewed is fresh, edited or not).
//! - A Deprecated or Rejected standard is kept for the record: it is never stale.
//! - A Draft unchanged for a year is stale even under a longer threshold: a draft is work in
//!   progress, and one idle that long has been abandoned.
//! - A Stable standard whose `deprecated_at` has passed is reported whatever its age: its
//!   status should say Deprecated by now.
//! - A page changed in the future (a wrong clock) is zero days old, never negative.

use serde::Serialize;

use super::lifecycle::{Lifecycle, Status};
use super::{Change, Gap, History, age_days};
use crate::corpus::Document;

/// How long a Draft may stay unchanged before it counts as abandoned.
pub const DRAFT_IDLE_DAYS: u64 = 365;

/// Why a page is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Unchanged (and unreviewed) for longer than asked.
    Unchanged,
    /// A Draft unchanged for over a year.
    DraftIdle,
    /// Stable, but its `deprecated_at` date has passed.
    DeprecatedAtPassed,
}

/// One page reported.
#[derive(Debug, Clone, Serialize)]
pub struct StalePage {
    pub path: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "status_str")]
    pub status: Option<Status>,
    /// The last change, when known.
    pub changed: Option<Change>,
    /// `last_reviewed`, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_date")]
    pub last_reviewed: Option<i64>,
    /// The date freshness is counted from (the later of the two), Unix seconds.
    #[serde(serialize_with = "date")]
    pub since: i64,
    pub age_days: u64,
    /// `deprecated_at`, for [`Reason::DeprecatedAtPassed`].
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_date")]
    pub deprecated_at: Option<i64>,
    pub reason: Reason,
}

fn date<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::date(*t))
}

fn opt_date<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => date(t, s),
        None => s.serialize_none(),
    }
}

fn status_str<S: serde::Serializer>(st: &Option<Status>, s: S) -> Result<S::Ok, S::Error> {
    match st {
        Some(st) => s.serialize_str(st.as_str()),
        None => s.serialize_none(),
    }
}

/// One source's stale pages, oldest first; for a site, one repository's.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStale {
    pub source: String,
    /// For a site, the repository these pages come from (the manifest's `repo`, the
    /// source's name for the site's own repository) and its URL; `None` for a plain source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub pages: Vec<StalePage>,
    /// Pages whose dates are unknown (a shallow mirror), so they could not be judged.
    pub unknown: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<Gap>,
    /// How many pages were judged.
    pub checked: usize,
}

/// The pages of one source unchanged for more than `older_than_days` at `now`: one group
/// for a plain source; for a site, one per repository its pages come from, in the order of
/// the site's own repository first, then the manifest's (the pages ken generates for a
/// site, made on the day of the sync, are never stale and are not counted).
pub fn stale(
    docs: &[Document],
    history: &History,
    older_than_days: u64,
    now: i64,
) -> Vec<SourceStale> {
    let mut groups: Vec<SourceStale> = Vec::new();
    let mut order: Vec<Option<usize>> = Vec::new();
    for d in docs.iter().filter(|d| d.link.is_none()) {
        if history.is_generated(&d.path) {
            continue;
        }
        let repo = history.repository(&d.path);
        let name = repo.map(|(n, _)| n);
        let at = match groups.iter().position(|g| g.repo.as_deref() == name) {
            Some(i) => i,
            None => {
                groups.push(SourceStale {
                    source: history.source.clone(),
                    repo: name.map(str::to_string),
                    url: repo.map(|(_, u)| u.to_string()),
                    pages: Vec::new(),
                    unknown: Vec::new(),
                    gap: history.gap(),
                    checked: 0,
                });
                order.push(history.repository_index(&d.path));
                groups.len() - 1
            }
        };
        judge(d, history, older_than_days, now, &mut groups[at]);
    }
    let mut keyed: Vec<(Option<usize>, SourceStale)> = order.into_iter().zip(groups).collect();
    keyed.sort_by_key(|(i, _)| *i);
    let mut groups: Vec<SourceStale> = keyed.into_iter().map(|(_, g)| g).collect();
    if groups.is_empty() {
        groups.push(SourceStale {
            source: history.source.clone(),
            repo: None,
            url: None,
            pages: Vec::new(),
            unknown: Vec::new(),
            gap: history.gap(),
            checked: 0,
        });
    }
    for g in &mut groups {
        g.pages
            .sort_by(|a, b| (a.since, &a.path).cmp(&(b.since, &b.path)));
    }
    groups
}

/// Judges one page into its group.
fn judge(d: &Document, history: &History, older_than_days: u64, now: i64, out: &mut SourceStale) {
    out.checked += 1;
    let life = Lifecycle::of(d.front_matter.as_ref());
    let changed = history.last_changed(&d.path);
    let since = match (changed.as_ref().map(|c| c.time), life.last_reviewed) {
        (Some(c), Some(r)) => c.max(r),
        (Some(t), None) | (None, Some(t)) => t,
        (None, None) => {
            out.unknown.push(d.path.clone());
            return;
        }
    };
    let age = age_days(since, now);
    let reason = match life.status {
        Some(s) if s.is_retired() => None,
        Some(Status::Stable) if life.deprecated_at.is_some_and(|t| t <= now) => {
            Some(Reason::DeprecatedAtPassed)
        }
        Some(Status::Draft) if age > DRAFT_IDLE_DAYS => Some(Reason::DraftIdle),
        _ if age > older_than_days => Some(Reason::Unchanged),
        _ => None,
    };
    if let Some(reason) = reason {
        out.pages.push(StalePage {
            path: d.path.clone(),
            title: d.title.clone(),
            status: life.status,
            changed,
            last_reviewed: life.last_reviewed,
            since,
            age_days: age,
            deprecated_at: life
                .deprecated_at
                .filter(|_| reason == Reason::DeprecatedAtPassed),
            reason,
        });
    }
}
