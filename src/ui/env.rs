//! What the UI knows about the world it runs in, given once to [`super::app::App::new`]: the
//! configured sources and their synced branches (for edit URLs and local folders), whether
//! ken runs inside tmux (copying goes through its passthrough too), how to read a source's
//! own routing, and where history and bookmarks are kept.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::SourceSpec;
use crate::markdown::Routing;
use crate::store::Store;

/// Reads the routing of the source with this name.
pub type RoutingLoader = Arc<dyn Fn(&str) -> Option<Routing> + Send + Sync>;

/// The UI's environment. The default is a UI with no sources configured, outside tmux,
/// saving nothing: what most tests want.
#[derive(Default, Clone)]
pub struct Env {
    /// The configured sources.
    pub specs: Vec<SourceSpec>,
    /// The branch each git source was synced from.
    pub branches: HashMap<String, String>,
    /// Whether ken runs inside tmux (OSC 52 also goes through passthrough).
    pub in_tmux: bool,
    /// Reads a source's own routing (its `docusaurus.config.js`), when it has one.
    pub routing_of: Option<RoutingLoader>,
    /// Where history and bookmarks are saved (none: kept for this run only).
    pub store: Option<Store>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("specs", &self.specs.len())
            .field("in_tmux", &self.in_tmux)
            .field("store", &self.store.is_some())
            .finish()
    }
}

impl Env {
    /// The configured source with this name.
    pub fn spec(&self, name: &str) -> Option<&SourceSpec> {
        self.specs.iter().find(|s| s.name == name)
    }
}
