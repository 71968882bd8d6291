//! How current a page is, as the UI shows it: when it last changed and by whom (from the
//! library's [`crate::history::Histories`], read in the background with the library), a
//! short age for lists, whether a standard is Deprecated or Rejected and what replaces it
//! (from its front matter, [`crate::history::lifecycle`]), and whether it changed since the
//! user last read it (the reading history's `read` times). Everything here is computed from
//! the library when asked, so a library reloaded after a sync is current at once.

use super::data::Library;
use crate::corpus::Document;
use crate::history::lifecycle::{self, Lifecycle, Status};
use crate::history::{self, Gap};
use crate::sanitize;

/// The mark of a page that changed since it was last read, in lists.
pub const BADGE: &str = "•";

/// "changed 3 weeks ago by Alice" for the reader's header: the commit's date and author for
/// a git source, the file's modification time for a local folder, "dates unknown" when the
/// mirror is shallow and the page's date lies beyond what it holds. `None` when nothing is
/// known (the guide, a library still loading).
pub fn changed_line(lib: &Library, doc: &Document, now: i64) -> Option<String> {
    let h = lib.history.get(&doc.source)?;
    let Some(c) = h.last_changed(&doc.path) else {
        return match h.gap() {
            Some(Gap::Shallow) => Some("dates unknown (shallow mirror)".into()),
            Some(Gap::Truncated) => Some("changed too long ago to know".into()),
            None => None,
        };
    };
    let when = if c.time > now + 60 {
        // A clock-skewed commit: its date as it is, never a negative age.
        format!("changed {} (in the future)", day(c.time))
    } else {
        format!("changed {}", history::ago(c.time, now))
    };
    Some(match c.author_shown().filter(|a| !a.trim().is_empty()) {
        Some(a) => format!("{when} by {a}"),
        None => when,
    })
}

/// `2024-05-01`.
fn day(time: i64) -> String {
    history::date(time).chars().take(10).collect()
}

/// When the page last changed (Unix seconds), if known.
pub fn changed_at(lib: &Library, source: &str, path: &str) -> Option<i64> {
    Some(lib.history.last_changed(source, path)?.time)
}

/// A page's age in at most four columns, for a list: `3d`, `3w`, `5mo`, `2y`; `new` for
/// less than a day; a date in the future is shown as its year, as it is.
pub fn short_age(time: i64, now: i64) -> String {
    if time > now + 60 {
        return day(time).chars().take(4).collect();
    }
    let days = history::age_days(time, now);
    match days {
        0 => "new".into(),
        1..=13 => format!("{days}d"),
        14..=60 => format!("{}w", days / 7),
        61..=729 => format!("{}mo", days / 30),
        _ => format!("{}y", days / 365),
    }
}

/// The lifecycle of a standards page of the library, from its front matter; `None` for a
/// page that is not a standard (`scs-NNNN-vN-….md`) or has no status.
pub fn lifecycle_of(doc: &Document) -> Option<Lifecycle> {
    lifecycle::standard_id(&doc.path)?;
    let life = Lifecycle::of(doc.front_matter.as_ref());
    life.status.is_some().then_some(life)
}

/// What replaces a Deprecated or Rejected standard, as the header and results show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retired {
    pub status: Status,
    /// The successors as written in `replaced_by` (sanitized).
    pub replaced_by: Vec<String>,
}

impl Retired {
    /// "superseded by scs-0100-v3" (a standard's id rather than its file name; the status
    /// is among the header's facts), or the status alone when nothing is named.
    pub fn header(&self) -> String {
        match self.replaced_by.as_slice() {
            [] => self.status.as_str().to_string(),
            _ => format!("superseded by {}", self.successors()),
        }
    }

    /// "Deprecated → scs-0100-v3", for a list of results.
    pub fn mark(&self) -> String {
        match self.replaced_by.as_slice() {
            [] => self.status.as_str().to_string(),
            _ => format!("{} → {}", self.status.as_str(), self.successors()),
        }
    }

    fn successors(&self) -> String {
        let ids: Vec<String> = self.replaced_by.iter().map(|r| short(r)).collect();
        ids.join(", ")
    }
}

/// `scs-0100-v3` for `scs-0100-v3-flavor-naming.md`; anything else as written.
fn short(name: &str) -> String {
    lifecycle::standard_id(name).unwrap_or_else(|| name.to_string())
}

/// A Deprecated or Rejected standard's status and successors; `None` for any other page.
pub fn retired(doc: &Document) -> Option<Retired> {
    let life = lifecycle_of(doc)?;
    let status = life.status.filter(|s| s.is_retired())?;
    Some(Retired {
        status,
        replaced_by: life
            .replaced_by
            .iter()
            .map(|r| sanitize::line(r, 0).into_owned())
            .collect(),
    })
}

/// The library's page that replaces `doc` (its first `replaced_by`), found with the library's
/// own rules (`Library::find_page`): first next to the page (standards name their successor
/// by file name), then as the name stands.
pub fn successor(lib: &Library, doc: &Document) -> Result<usize, String> {
    let life = lifecycle_of(doc).ok_or("this page is not a standard")?;
    let name = life
        .replaced_by
        .first()
        .ok_or("no replaced_by in this page's front matter")?;
    let dir = doc.path.rsplit_once('/').map_or("", |(d, _)| d);
    let beside = if dir.is_empty() {
        format!("{}:{name}", doc.source)
    } else {
        format!("{}:{dir}/{name}", doc.source)
    };
    lib.find_page(&beside)
        .or_else(|_| lib.find_page(name))
        .map(|f| f.index)
        .map_err(|e| sanitize::line(&e.to_string(), 0).into_owned())
}

/// Whether a page changed after the user last read it (never read: no).
pub fn unread_change(lib: &Library, read: &crate::store::History, doc: &Document) -> bool {
    match (
        read.read_at(&doc.source, &doc.path),
        changed_at(lib, &doc.source, &doc.path),
    ) {
        (Some(r), Some(c)) => c > r as i64,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ages_fit_a_column_and_are_never_negative() {
        let now = 1_700_000_000;
        let d = 86_400;
        assert_eq!(short_age(now - 3 * d, now), "3d");
        assert_eq!(short_age(now - 21 * d, now), "3w");
        assert_eq!(short_age(now - 150 * d, now), "5mo");
        assert_eq!(short_age(now - 800 * d, now), "2y");
        assert_eq!(short_age(now - 60, now), "new");
        // 2023-11-14 + ~6 years: shown as its year.
        assert_eq!(short_age(now + 2000 * d, now), "2029");
    }

    #[test]
    fn a_retired_standard_names_its_successor_by_id() {
        let r = Retired {
            status: Status::Deprecated,
            replaced_by: vec!["scs-0100-v3-flavor-naming.md".into()],
        };
        assert_eq!(r.header(), "superseded by scs-0100-v3");
        assert_eq!(r.mark(), "Deprecated → scs-0100-v3");
    }
}
