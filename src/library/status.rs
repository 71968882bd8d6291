//! What is known about each source without reading it: its synced commit, when, how many
//! documents, the last error; the same facts for `ken status` and the UI's status bar.

use serde::Serialize;

use crate::base::Base;
use crate::config::SourceSpec;
use crate::source::{self, Location};
use crate::state::SourceState;

/// How ken reaches a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    #[default]
    Git,
    Directory,
}

/// One source as configured and as last synced (the sync facts are `None` when it never
/// was, or was synced from another URL).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceStatus {
    pub name: String,
    pub url: String,
    pub kind: SourceKind,
    /// The branch synced, else the one configured.
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub previous: Option<String>,
    /// Unix time of the last successful sync.
    pub synced_at: Option<u64>,
    /// Documents in the synced copy.
    pub docs: Option<usize>,
    pub last_error: Option<String>,
    /// For a site: its manifest and each repository's last good commit.
    pub site: Option<crate::state::SiteState>,
}

impl Base {
    /// What `state.json` says about a source, unless that was recorded for another URL.
    pub fn state_of(&self, spec: &SourceSpec) -> Option<&SourceState> {
        self.state
            .sources
            .get(&spec.name)
            .filter(|st| st.url == spec.url)
    }

    /// Every configured source, in order.
    pub fn status(&self) -> Vec<SourceStatus> {
        self.config
            .sources
            .iter()
            .map(|spec| {
                let st = self.state_of(spec);
                SourceStatus {
                    name: spec.name.clone(),
                    url: spec.url.clone(),
                    kind: match source::location(spec) {
                        Location::Git(_) => SourceKind::Git,
                        Location::Dir(_) => SourceKind::Directory,
                    },
                    branch: st
                        .and_then(|st| st.branch.clone())
                        .or_else(|| spec.branch.clone()),
                    commit: st.and_then(|st| st.commit.clone()),
                    previous: st.and_then(|st| st.previous.clone()),
                    synced_at: st.and_then(|st| st.synced_at),
                    docs: st.map(|st| st.docs),
                    last_error: st.and_then(|st| st.last_error.clone()),
                    site: self.site_state(spec).cloned(),
                }
            })
            .collect()
    }
}
