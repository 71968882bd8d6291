//! The knowledge base: every configured source, synced and read the same way for the CLI and
//! the terminal UI.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::config::{Config, SourceSpec};
use crate::corpus::{self, Catalog, DocChange, Document, Filter, Parsed};
use crate::library::Sites;
use crate::source::{self, Location, Snapshot, SourceError, SyncLock, Transfer};
use crate::state::{self, SourceState, State};

/// What a sync did to one source (written in JSON in lower case: `"cloned"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncAction {
    /// A first clone.
    Cloned,
    /// Fetched a new commit.
    Updated,
    /// The remote had nothing new.
    Unchanged,
    /// A local directory, read as it is.
    Read,
    /// Not synced (`--offline`): the last good copy is kept.
    Offline,
}

impl SyncAction {
    /// Whether the source's documents may have changed, so the library must be read again.
    pub fn moved(self) -> bool {
        matches!(self, SyncAction::Cloned | SyncAction::Updated)
    }
}

/// What a sync did to one source.
#[derive(Debug, Clone, Serialize)]
pub struct SyncSummary {
    pub name: String,
    pub action: SyncAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    pub docs: usize,
    /// Documents added, modified, deleted or renamed since the previous commit.
    pub changes: Vec<DocChange>,
    /// For a site: what happened to each repository its manifest names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repos: Vec<crate::site::RepoSummary>,
    /// Things a person should know that failed nothing (a site's refused entries).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SyncSummary {
    /// One line per repository of a site that could not be synced (it keeps its last good
    /// copy): `SOURCE: REPO (URL): cause`.
    pub fn failures(&self) -> Vec<String> {
        self.repos
            .iter()
            .filter_map(|r| {
                let e = r.error.as_ref()?;
                Some(format!("{}: {} ({}): {e}", self.name, r.repo, r.url))
            })
            .collect()
    }
}

/// A failure, naming the source.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {cause}")]
pub struct SourceFailure {
    pub name: String,
    pub cause: String,
}

impl SourceFailure {
    pub(crate) fn new(name: &str, cause: impl ToString) -> Self {
        SourceFailure {
            name: name.to_string(),
            cause: cause.to_string(),
        }
    }
}

pub struct Base {
    pub config: Config,
    pub state: State,
    /// Each source's site, made on first use from the copy this `Base` reads.
    pub(crate) sites: Sites,
    /// The laid-out copies of site sources, by source name and the commits they are at.
    pub(crate) assemblies: Mutex<HashMap<(String, String), Arc<crate::site::Assembled>>>,
}

impl Base {
    pub fn open(config: Config) -> Base {
        let state = load_state(&config);
        Base {
            config,
            state,
            sites: Sites::default(),
            assemblies: Mutex::default(),
        }
    }

    /// The configured source with this name.
    pub fn spec(&self, name: &str) -> Option<&SourceSpec> {
        self.config.sources.iter().find(|s| s.name == name)
    }

    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir.path
    }

    /// Whether a source has a copy to read from (a synced mirror, or a local directory).
    pub fn has_copy(&self, spec: &SourceSpec) -> bool {
        match source::location(spec) {
            Location::Dir(_) => true,
            // Checked without parsing the id with libgit2: its first use initialises the
            // library (OpenSSL included), a millisecond that `ken list` need not spend.
            Location::Git(_) => {
                self.state_of(spec)
                    .and_then(|st| st.commit.as_deref())
                    .is_some_and(is_oid)
                    && source::mirror_path(self.data_dir(), &spec.name).exists()
            }
        }
    }

    fn synced_commit(&self, spec: &SourceSpec) -> Option<git2::Oid> {
        let st = self.state_of(spec)?;
        let oid = git2::Oid::from_str(st.commit.as_deref()?).ok()?;
        source::mirror_path(self.data_dir(), &spec.name)
            .exists()
            .then_some(oid)
    }

    /// The last good copy of a source.
    pub fn snapshot(&self, spec: &SourceSpec) -> Result<Snapshot, SourceFailure> {
        match source::location(spec) {
            Location::Dir(root) => Ok(Snapshot::Dir { root }),
            Location::Git(_) => {
                let commit = self
                    .synced_commit(spec)
                    .ok_or_else(|| SourceFailure::new(&spec.name, "never synced (run ken sync)"))?;
                if let Some(site) = self.site_state(spec) {
                    return self.site_snapshot(spec, commit, &site.clone());
                }
                Snapshot::git(&source::mirror_path(self.data_dir(), &spec.name), commit)
                    .map_err(|e| SourceFailure::new(&spec.name, e))
            }
        }
    }

    /// Every document of a source, from its last good copy: from its catalogue when that is
    /// of the synced copy (a git source or site: no mirror opened), else from the copy.
    pub fn catalog(&self, spec: &SourceSpec) -> Result<Catalog, SourceFailure> {
        if let Some(id) = self.copy_id(spec) {
            let filter = Filter::new(spec).map_err(|e| SourceFailure::new(&spec.name, e))?;
            let settings = crate::catalog::settings(spec, self.config.max_file_size);
            if let Some(cat) =
                crate::catalog::stored(self.data_dir(), &spec.name, &filter, &settings, &id)
            {
                return Ok(cat);
            }
        }
        self.copy(spec)?.docs()
    }

    /// Reads one document of a source's last good copy: decoded, front matter split off.
    pub fn read(&self, spec: &SourceSpec, doc: &Document) -> Result<Parsed, SourceFailure> {
        self.copy(spec)?.read(doc)
    }

    /// Syncs the given sources (all when `only` is empty). Each source succeeds or fails on its
    /// own; a failure leaves that source's last good copy in place.
    pub fn sync(
        &mut self,
        offline: bool,
        progress: &mut dyn FnMut(&str, Transfer),
    ) -> Vec<Result<SyncSummary, SourceFailure>> {
        let lock = match SyncLock::acquire(self.data_dir()) {
            Ok(l) => l,
            Err(e) => {
                return vec![Err(SourceFailure::new("sync", e))];
            }
        };
        let mut results = self.sync_locked(offline, progress);
        if let Err(e) = self.state.save(&self.config.data_dir.path) {
            results.push(Err(SourceFailure::new("state", e)));
        }
        drop(lock);
        results
    }

    /// Syncs like [`sync`](Self::sync), records the state, then runs `then` (the index
    /// update; it sees each source's outcome) still under the sync lock, and reports all
    /// three. The state is recorded first so that what a kill during the (long) index update
    /// leaves is a synced copy the next search indexes; a kill before the record leaves `state.json` at the old commits, and
    /// the next sync finds the fetched commits already in the mirrors.
    pub fn sync_then<T>(
        &mut self,
        offline: bool,
        progress: &mut dyn FnMut(&str, Transfer),
        then: impl FnOnce(&Base, &[Result<SyncSummary, SourceFailure>]) -> T,
    ) -> Synced<T> {
        let lock = match SyncLock::acquire(self.data_dir()) {
            Ok(l) => l,
            Err(e) => {
                return Synced {
                    results: vec![Err(SourceFailure::new("sync", e))],
                    then: None,
                    recorded: Ok(()),
                };
            }
        };
        let results = self.sync_locked(offline, progress);
        let recorded = self.state.save(&self.config.data_dir.path);
        let then = then(self, &results);
        drop(lock);
        Synced {
            results,
            then: Some(then),
            recorded,
        }
    }

    fn sync_locked(
        &mut self,
        offline: bool,
        progress: &mut dyn FnMut(&str, Transfer),
    ) -> Vec<Result<SyncSummary, SourceFailure>> {
        // What another ken recorded while this one waited for the lock.
        self.state = load_state(&self.config);
        let specs = self.config.sources.clone();
        let mut results = Vec::new();
        for spec in &specs {
            let r = self.sync_one(spec, offline, progress);
            results.push(r);
        }
        // The copies moved: sites are made again from them when next asked for.
        self.sites.clear();
        results
    }

    fn sync_one(
        &mut self,
        spec: &SourceSpec,
        offline: bool,
        progress: &mut dyn FnMut(&str, Transfer),
    ) -> Result<SyncSummary, SourceFailure> {
        let name = spec.name.as_str();
        let url = match source::location(spec) {
            Location::Dir(root) => {
                // A sync compares every file with the catalogue (a command that does not sync
                // trusts the folders' times for a while).
                let cat = self
                    .copy_checked(spec, crate::catalog::Check::Full)?
                    .docs()?;
                if !root.is_dir() {
                    return Err(SourceFailure::new(
                        name,
                        format!("{}: not a directory", root.display()),
                    ));
                }
                self.record_success(spec, None, None, cat.docs.len());
                return Ok(SyncSummary {
                    name: name.into(),
                    action: SyncAction::Read,
                    branch: None,
                    old: None,
                    new: None,
                    docs: cat.docs.len(),
                    changes: vec![],
                    repos: vec![],
                    notes: vec![],
                });
            }
            Location::Git(url) => url,
        };
        if offline {
            let commit = self.synced_commit(spec);
            return match commit {
                None => Err(SourceFailure::new(name, SourceError::OfflineNeverSynced)),
                Some(c) => Ok(SyncSummary {
                    name: name.into(),
                    action: SyncAction::Offline,
                    branch: self.state.sources.get(name).and_then(|s| s.branch.clone()),
                    old: None,
                    new: Some(c.to_string()),
                    docs: self.state.sources.get(name).map_or(0, |s| s.docs),
                    changes: vec![],
                    repos: vec![],
                    notes: vec![],
                }),
            };
        }
        let attempt = state::now();
        let known = self.synced_commit(spec);
        // A fleet mirror (`[mirrors]`, `KEN_MIRROR`) changes where ken fetches from, never
        // what it records: the state stays keyed by the configured URL.
        let (url, why) = self.config.effective_url(&url);
        let synced = match source::sync_git(self.data_dir(), spec, &url, &mut |t| progress(name, t))
        {
            Ok(s) => s,
            Err(e) => {
                let cause = match why {
                    crate::config::UrlWhy::Configured => e.to_string(),
                    why => format!("{e} (fetching {url}, by {why})"),
                };
                let st = self.entry(spec);
                st.attempted_at = Some(attempt);
                st.last_error = Some(cause.clone());
                return Err(SourceFailure::new(name, cause));
            }
        };
        crate::fault::hit(crate::fault::Point::AfterFetch);
        let site = match self.sync_site_repos(spec, synced.new, progress) {
            Ok(s) => s,
            Err(e) => {
                let st = self.entry(spec);
                st.attempted_at = Some(attempt);
                st.last_error = Some(e.cause.clone());
                return Err(e);
            }
        };
        self.finish_sync(spec, known, synced, site)
    }

    /// Records what reached a source's mirror (by a sync, or a bundle import: `ken bundle
    /// import` calls this too): the document changes since `known` (the commit ken last
    /// recorded; else the mirror's old commit), the documents counted and catalogued, the
    /// state, each page's last change; for a site, its repositories (`site`) with it.
    pub(crate) fn finish_sync(
        &mut self,
        spec: &SourceSpec,
        known: Option<git2::Oid>,
        synced: source::Synced,
        site: Option<crate::site::SiteSynced>,
    ) -> Result<SyncSummary, SourceFailure> {
        let name = spec.name.as_str();
        let mirror = source::mirror_path(self.data_dir(), name);
        let filter = Filter::new(spec).map_err(|e| SourceFailure::new(name, e))?;
        // Compare with the commit ken last indexed, not the mirror's ref, so that a sync
        // interrupted after fetching still reports the changes next time.
        let old = known.or(synced.old);
        if let Some(site) = site {
            return Ok(self.finish_site_sync(spec, &filter, old, synced, site));
        }
        let changes = match old {
            Some(o) if o != synced.new => {
                let raw = source::changes(&mirror, o, synced.new)
                    .map_err(|e| SourceFailure::new(name, e))?;
                corpus::doc_changes(&filter, &raw)
            }
            _ => vec![],
        };
        let unchanged = old == Some(synced.new);
        let docs = match self.state_of(spec) {
            // A no-op sync: the documents are the ones counted last time.
            Some(st) if unchanged => st.docs,
            _ => {
                // Catalogued now, so that `ken list` and the library read no blob; caught
                // up from the catalogued commit when there is one.
                let snap =
                    Snapshot::git(&mirror, synced.new).map_err(|e| SourceFailure::new(name, e))?;
                crate::catalog::git_docs(
                    self.data_dir(),
                    name,
                    &filter,
                    &crate::catalog::settings(spec, self.config.max_file_size),
                    &snap,
                    self.config.max_file_size,
                    &synced.new.to_string(),
                )
                .map_err(|e| SourceFailure::new(name, e))?
                .docs
                .len()
            }
        };
        let action = match (old, synced.fetched) {
            (None, _) => SyncAction::Cloned,
            (Some(o), _) if o != synced.new => SyncAction::Updated,
            _ => SyncAction::Unchanged,
        };
        self.record_success(
            spec,
            Some(synced.branch.clone()),
            Some(synced.new.to_string()),
            docs,
        );
        // Each page's last change, walked now (from the previous walk's tip) so that commands
        // only read it. A failure here is not the sync's: the next command that needs the
        // dates walks again and reports it.
        let _ = crate::history::History::of(self, spec);
        Ok(SyncSummary {
            name: name.into(),
            action,
            branch: Some(synced.branch),
            old: old.map(|o| o.to_string()),
            new: Some(synced.new.to_string()),
            docs,
            changes,
            repos: vec![],
            notes: vec![],
        })
    }

    pub(crate) fn entry(&mut self, spec: &SourceSpec) -> &mut SourceState {
        let st = self.state.sources.entry(spec.name.clone()).or_default();
        if st.url != spec.url {
            *st = SourceState {
                url: spec.url.clone(),
                ..Default::default()
            };
        }
        st
    }

    /// Records a successful sync of a source (a site's repositories are set apart, after;
    /// for a bundle import the caller then sets `bundle`).
    pub(crate) fn record_success(
        &mut self,
        spec: &SourceSpec,
        branch: Option<String>,
        commit: Option<String>,
        docs: usize,
    ) {
        let now = state::now();
        let st = self.entry(spec);
        if commit.is_some() && st.commit != commit {
            st.previous = st.commit.take();
        }
        st.commit = commit;
        st.branch = branch;
        st.synced_at = Some(now);
        st.attempted_at = Some(now);
        st.docs = docs;
        st.last_error = None;
        st.bundle = None;
        st.site = None;
    }
}

/// What [`Base::sync_then`] did: each source's outcome, what `then` returned (`None` when the
/// sync could not start), and whether the state was recorded.
pub struct Synced<T> {
    pub results: Vec<Result<SyncSummary, SourceFailure>>,
    pub then: Option<T>,
    pub recorded: Result<(), state::StateError>,
}

/// The recorded state; a damaged `state.json` (set aside by [`State::read`]) is rebuilt from
/// what each mirror says it holds, and written back.
pub(crate) fn load_state(config: &Config) -> State {
    let data = &config.data_dir.path;
    let (mut state, damaged) = State::read(data);
    if !damaged {
        return state;
    }
    for spec in &config.sources {
        let mirror = source::mirror_path(data, &spec.name);
        let Some((url, branch, commit)) = source::mirror_tip(&mirror) else {
            continue;
        };
        if url != spec.url {
            continue;
        }
        let docs = match (Snapshot::git(&mirror, commit), Filter::new(spec)) {
            (Ok(snap), Ok(filter)) => {
                corpus::scan(&spec.name, &filter, &snap, config.max_file_size)
                    .map_or(0, |c| c.docs.len())
            }
            _ => 0,
        };
        // When the mirror last moved: its HEAD is rewritten by every sync.
        let at = std::fs::metadata(mirror.join("HEAD"))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs());
        state.sources.insert(
            spec.name.clone(),
            SourceState {
                url,
                branch: Some(branch),
                commit: Some(commit.to_string()),
                synced_at: at,
                attempted_at: at,
                docs,
                // A site's repositories at the commits its `site.lock` names for this commit.
                site: crate::site::repaired(data, spec, commit),
                ..SourceState::default()
            },
        );
    }
    // Best effort: if it cannot be written now, the next sync writes it.
    let _ = state.save(data);
    state
}

/// Whether `s` is an object id as `git2::Oid::from_str` accepts one (1 to 40 hex digits),
/// decided without libgit2.
pub(crate) fn is_oid(s: &str) -> bool {
    (1..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}
