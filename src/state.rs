//! What ken remembers between runs about each source: the synced commit, the one before it,
//! when, and how many documents. Stored as `state.json` in the data dir, replaced atomically;
//! a damaged file is set aside and repaired from the mirrors (`Base::open`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::durable;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceState {
    pub url: String,
    /// The branch that was synced (the remote's default when none was configured).
    #[serde(default)]
    pub branch: Option<String>,
    /// The commit the last successful sync moved to.
    #[serde(default)]
    pub commit: Option<String>,
    /// The commit before that.
    #[serde(default)]
    pub previous: Option<String>,
    /// Unix time (seconds) of the last successful sync.
    #[serde(default)]
    pub synced_at: Option<u64>,
    /// Documents in the synced commit.
    #[serde(default)]
    pub docs: usize,
    /// Unix time of the last attempt, successful or not.
    #[serde(default)]
    pub attempted_at: Option<u64>,
    /// The cause of the last failed attempt, cleared by a success.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Set when the synced commit came from a bundle (`ken bundle import`), cleared by a sync
    /// from the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<BundleOrigin>,
    /// For a site: its manifest and the commit of each repository it names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteState>,
}

/// The bundle a source's commit was imported from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BundleOrigin {
    /// The bundle file, as an absolute path.
    pub file: String,
    /// Unix time (seconds) the bundle was written.
    pub created_at: u64,
}

/// What the last sync of a site recorded besides the site's own commit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SiteState {
    /// The manifest's path in the site's repository.
    pub manifest: String,
    /// Each repository the manifest names, in its order.
    pub repos: Vec<RepoState>,
    /// The day (`YYYY-MM-DD`) the site's generated pages are made for (the standards
    /// overview, see `site::standards`); `None` when the site generates none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_on: Option<String>,
    /// The copy before the most recent sync that brought changes (the site's commit and
    /// each repository's), for `--changed-since last-sync`; `None` until a sync moved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousCopy>,
}

/// A site's copy as it was before the most recent sync that brought changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PreviousCopy {
    /// The site's own commit.
    pub commit: String,
    /// Each repository's URL and commit (`None`: it had no copy).
    pub repos: Vec<(String, Option<String>)>,
}

/// One repository of a site: its last good copy and the last attempt.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RepoState {
    /// The manifest's `repo` field (`SovereignCloudStack/standards`).
    pub repo: String,
    /// The URL it is fetched from.
    pub url: String,
    #[serde(default)]
    pub branch: Option<String>,
    /// The commit of the last good copy; `None` when it was never fetched.
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default)]
    pub synced_at: Option<u64>,
    /// The cause of the last failed fetch, cleared by a success.
    #[serde(default)]
    pub last_error: Option<String>,
}

impl SourceState {
    /// What names the copy this state describes: the commit, and for a site also every
    /// repository's commit (a hash of them after a `+`), so that a copy whose imported
    /// repositories moved has another name though the site's own commit stayed.
    pub fn copy_id(&self) -> Option<String> {
        let commit = self.commit.as_deref()?;
        Some(match &self.site {
            None => commit.to_string(),
            Some(site) => crate::site::copy_id(
                commit,
                site.repos
                    .iter()
                    .filter_map(|r| Some((r.url.as_str(), r.commit.as_deref()?))),
                site.generated_on.as_deref(),
            ),
        })
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub sources: BTreeMap<String, SourceState>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl State {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("state.json")
    }

    /// Loads the state; a missing or unreadable file is an empty state (nothing synced yet),
    /// since every value in it can be found again by syncing. A damaged file is set aside (see
    /// [`State::read`]).
    pub fn load(data_dir: &Path) -> State {
        Self::read(data_dir).0
    }

    /// Loads the state, and whether the file was damaged and set aside (then the state is
    /// empty and the caller can repair it from the mirrors: `Base::open` does).
    pub fn read(data_dir: &Path) -> (State, bool) {
        match durable::read_json(&Self::path(data_dir), "repaired from the mirrors") {
            durable::Read::Ok(s) => (s, false),
            durable::Read::SetAside => (State::default(), true),
            durable::Read::Missing | durable::Read::Unreadable(_) => (State::default(), false),
        }
    }

    /// Writes the state atomically and synced (see [`durable::write`]), so a kill or a power
    /// cut leaves either the old or the new state, never half of one.
    pub fn save(&self, data_dir: &Path) -> Result<(), StateError> {
        let path = Self::path(data_dir);
        let io = |source| StateError::Io {
            path: path.display().to_string(),
            source,
        };
        let json = serde_json::to_vec_pretty(self).map_err(|e| io(e.into()))?;
        durable::write(
            &path,
            &json,
            durable::Sync::Yes,
            Some(crate::fault::Point::MidStateWrite),
        )
        .map_err(io)
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// "3 h ago", "just now", for people.
pub fn ago(then: u64, now: u64) -> String {
    let d = now.saturating_sub(then);
    match d {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", d / 60),
        3600..=86_399 => format!("{} h ago", d / 3600),
        _ => format!("{} days ago", d / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = State::default();
        s.sources.insert(
            "a".into(),
            SourceState {
                url: "git://x/a".into(),
                commit: Some("abc".into()),
                docs: 3,
                ..Default::default()
            },
        );
        s.save(dir.path()).unwrap();
        let back = State::load(dir.path());
        assert_eq!(back.sources["a"], s.sources["a"]);
    }

    #[test]
    fn ago_is_readable() {
        assert_eq!(ago(100, 130), "just now");
        assert_eq!(ago(0, 3 * 3600 + 5), "3 h ago");
        assert_eq!(ago(0, 2 * 86_400), "2 days ago");
    }
}
