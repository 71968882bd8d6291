//! What the UI knows about the world it runs in, given once to [`super::app::App::new`]: the
//! configured sources and their synced branches (for edit URLs and local folders), whether
//! ken runs inside tmux (copying goes through its passthrough too), and where history and
//! bookmarks are kept.

use std::collections::HashMap;

use crate::config::SourceSpec;
use crate::store::Store;

/// The UI's environment. The default is a UI with no sources configured, outside tmux,
/// saving nothing: what most tests want.
#[derive(Debug, Default, Clone)]
pub struct Env {
    /// The configured sources.
    pub specs: Vec<SourceSpec>,
    /// The branch each git source was synced from.
    pub branches: HashMap<String, String>,
    /// Whether ken runs inside tmux (OSC 52 also goes through passthrough).
    pub in_tmux: bool,
    /// Where history and bookmarks are saved (none: kept for this run only).
    pub store: Option<Store>,
}

impl Env {
    /// The configured source with this name.
    pub fn spec(&self, name: &str) -> Option<&SourceSpec> {
        self.specs.iter().find(|s| s.name == name)
    }
}
