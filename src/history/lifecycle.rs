//! What a page's front matter says about its life: an SCS standard's status and dates
//! (scs-0001: `status` Draft/Stable/Deprecated/Rejected, `stabilized_at`, `deprecated_at`,
//! `replaced_by`) and a reviewer's `last_reviewed`, read leniently: a value that is not what
//! scs-0001 allows is no fact (`ken check` is where it is reported).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

/// A standard's status, as scs-0001 names them. `Proposal`, the older name, is a Draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Draft,
    Stable,
    Deprecated,
    Rejected,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s.trim().to_ascii_lowercase().as_str() {
            "draft" | "proposal" => Some(Status::Draft),
            "stable" => Some(Status::Stable),
            "deprecated" => Some(Status::Deprecated),
            "rejected" => Some(Status::Rejected),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Stable => "Stable",
            Status::Deprecated => "Deprecated",
            Status::Rejected => "Rejected",
        }
    }

    /// Whether the page is kept for the record only (nobody is expected to keep it fresh).
    pub fn is_retired(self) -> bool {
        matches!(self, Status::Deprecated | Status::Rejected)
    }
}

/// The lifecycle facts of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: Option<Status>,
    /// Unix seconds of midnight UTC of each date.
    pub stabilized_at: Option<i64>,
    pub deprecated_at: Option<i64>,
    /// The documents that replace this one, as written (a string or a list of them).
    pub replaced_by: Vec<String>,
    /// `last_reviewed: DATE`: someone read the page and found it current.
    pub last_reviewed: Option<i64>,
}

impl Lifecycle {
    pub fn of(front_matter: Option<&Value>) -> Lifecycle {
        let Some(fm) = front_matter else {
            return Lifecycle::default();
        };
        let date = |k: &str| fm.get(k).and_then(parse_date);
        Lifecycle {
            status: fm
                .get("status")
                .and_then(Value::as_str)
                .and_then(Status::parse),
            stabilized_at: date("stabilized_at"),
            deprecated_at: date("deprecated_at"),
            replaced_by: strings(fm.get("replaced_by")),
            last_reviewed: date("last_reviewed"),
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// The lifecycles of the standards among `pages` (source, path), keyed by them: the front
/// matter of each source's standards read together, from its catalogue when that is current
/// (a search's hits cost no mirror opened and no blob read). Pages that are not standards, or
/// have no readable status, are absent.
pub fn of_pages<'a>(
    base: &crate::base::Base,
    pages: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> HashMap<(String, String), Lifecycle> {
    let mut by_source: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (source, path) in pages {
        if standard_id(path).is_some() {
            by_source.entry(source).or_default().insert(path);
        }
    }
    let mut out = HashMap::new();
    for (source, paths) in by_source {
        let Some(spec) = base.spec(source) else {
            continue;
        };
        for (path, fm) in base.front_matters(spec, &paths) {
            let life = Lifecycle::of(Some(&fm));
            if life.status.is_some() {
                out.insert((source.to_string(), path), life);
            }
        }
    }
    out
}

/// For people: "Deprecated, replaced by scs-0100-v3-flavor-naming.md"; `None` for a Stable
/// or Draft standard (nothing to warn about).
pub fn retired_note(life: &Lifecycle) -> Option<String> {
    let status = life.status.filter(|s| s.is_retired())?;
    Some(match life.replaced_by.as_slice() {
        [] => status.as_str().to_string(),
        list => format!("{}, replaced by {}", status.as_str(), list.join(", ")),
    })
}

/// A front-matter date: `YYYY-MM-DD` (midnight UTC), or a full RFC 3339 time.
pub fn parse_date(v: &Value) -> Option<i64> {
    let s = v.as_str()?.trim();
    let secs = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs() as i64)
    };
    if let Ok(t) = humantime::parse_rfc3339_weak(s) {
        return secs(t);
    }
    let day = s.get(..10)?;
    if s.len() > 10 {
        return None;
    }
    humantime::parse_rfc3339_weak(&format!("{day} 00:00:00"))
        .ok()
        .and_then(secs)
}

/// `scs-0214-v2` for `Standards/scs-0214-v2-k8s-node-distribution.md`: the number and version
/// that name a standard across its file renames (`-w1` for a supplement).
pub fn standard_id(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let mut parts = name.splitn(4, '-');
    let (scs, number, version) = (parts.next()?, parts.next()?, parts.next()?);
    let version = version.split('.').next()?;
    let number_ok = number.len() == 4
        && (number.chars().all(|c| c.is_ascii_digit()) || number.eq_ignore_ascii_case("xxxx"));
    let version_ok = version.len() > 1
        && matches!(version.as_bytes()[0], b'v' | b'w')
        && version[1..].chars().all(|c| c.is_ascii_digit());
    (scs.eq_ignore_ascii_case("scs") && number_ok && version_ok)
        .then(|| format!("scs-{number}-{version}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_front_matter() {
        let fm: Value = serde_norway::from_str(
            "status: Stable\nstabilized_at: 2021-06-01\ndeprecated_at: \"2024-01-01\"\nreplaced_by: scs-0100-v3-flavor-naming.md\nlast_reviewed: 2025-03-04T10:00:00Z\n",
        )
        .unwrap();
        let l = Lifecycle::of(Some(&fm));
        assert_eq!(l.status, Some(Status::Stable));
        assert_eq!(l.stabilized_at, Some(1_622_505_600));
        assert_eq!(l.deprecated_at, Some(1_704_067_200));
        assert_eq!(l.replaced_by, vec!["scs-0100-v3-flavor-naming.md"]);
        assert_eq!(l.last_reviewed, Some(1_741_082_400));
        let l = Lifecycle::of(Some(
            &serde_json::json!({"status": "Final", "deprecated_at": "soon"}),
        ));
        assert_eq!(l, Lifecycle::default());
        assert_eq!(Status::parse("Proposal"), Some(Status::Draft));
    }

    #[test]
    fn standard_ids() {
        assert_eq!(
            standard_id("Standards/scs-0214-v2-k8s-node-distribution.md").as_deref(),
            Some("scs-0214-v2")
        );
        assert_eq!(
            standard_id("scs-0100-w1-flavor-naming-implementation.md").as_deref(),
            Some("scs-0100-w1")
        );
        assert_eq!(
            standard_id("scs-xxxx-v1-new.md").as_deref(),
            Some("scs-xxxx-v1")
        );
        assert_eq!(standard_id("scs-0214.md"), None);
        assert_eq!(standard_id("docs/scs-01-v1-x.md"), None);
        assert_eq!(standard_id("README.md"), None);
    }
}
