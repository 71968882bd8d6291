//! How the knowledge base syncs, records and reads a site source.
//!
//! A git source is a site when its synced commit has a manifest (`docs.package.json` at its
//! root, or the path `site = "PATH"` names; `site = false` turns this off). After the site's
//! own mirror is synced, its manifest is read at the new commit and every repository it
//! names is fetched into `mirrors/<source>.site/<owner>+<name>.git`, several at once. The
//! site's commit and each repository's commit go into `state.json` together (so a copy is
//! never half of one sync and half of another), and `site.lock` beside the mirrors lists
//! them for people. A repository that fails keeps its last good commit; the sync names it
//! and fails. Reading goes through [`Base::snapshot`], which for a site is the assembled
//! copy ([`SiteSnapshot`]), made once per `Base`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::copy::{Assembled, Part, SiteSnapshot, assemble, copy_id, plan, read_site_files};
use super::fetch::{Fetch, fetch_all, mirror_names};
use super::lock::{LOCK_FILE, Lock, LockEntry};
use super::manifest::Plan;
use super::url::repo_key;
use crate::base::{Base, SourceFailure, SyncAction, SyncSummary};
use crate::config::SourceSpec;
use crate::corpus::{self, DocChange, Filter};
use crate::source::{self, Change, ChangeKind, Snapshot, SourceError, Transfer};
use crate::state::{self, PreviousCopy, RepoState, SiteState};

/// What a sync did to one repository of a site.
#[derive(Debug, Clone, Serialize)]
pub struct RepoSummary {
    /// The manifest's `repo` field.
    pub repo: String,
    pub url: String,
    /// `None` when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<SyncAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The commit of its copy now (after a failure, the last good one, if any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What syncing a site's repositories produced, for the rest of the sync.
pub(crate) struct SiteSynced {
    pub state: SiteState,
    pub repos: Vec<RepoSummary>,
    pub notes: Vec<String>,
}

impl Base {
    /// The folder of a site's repository mirrors (and its `site.lock`).
    pub fn site_dir(&self, source: &str) -> PathBuf {
        self.data_dir()
            .join("mirrors")
            .join(format!("{source}.site"))
    }

    /// Where `site.lock` of a site source is written.
    pub fn site_lock_path(&self, source: &str) -> PathBuf {
        self.site_dir(source).join(LOCK_FILE)
    }

    /// The site recorded by the last sync of a source, unless the configuration says it is
    /// no site (any more).
    pub fn site_state(&self, spec: &SourceSpec) -> Option<&SiteState> {
        spec.manifest()?;
        self.state_of(spec)?.site.as_ref()
    }

    /// What a person should know about a site's copy as it is laid out now: refused
    /// manifest entries, the repository cap, patterns that match nothing, overwrites.
    pub fn site_notes(&self, spec: &SourceSpec) -> Vec<String> {
        match self.snapshot(spec) {
            Ok(Snapshot::Site(s)) => s.site.notes.clone(),
            Ok(_) => Vec::new(),
            Err(e) => vec![e.to_string()],
        }
    }

    /// The name of a source's synced copy (see `SourceState::copy_id`), from the state alone.
    pub fn copy_id(&self, spec: &SourceSpec) -> Option<String> {
        let st = self.state_of(spec)?;
        if self.site_state(spec).is_some() {
            st.copy_id()
        } else {
            st.commit.clone()
        }
    }

    /// The copy of a site at `commit` with its repositories at the commits of `site`, laid
    /// out (once per `Base` for each such copy).
    pub(crate) fn site_snapshot(
        &self,
        spec: &SourceSpec,
        commit: git2::Oid,
        site: &SiteState,
    ) -> Result<Snapshot, SourceFailure> {
        let key = (spec.name.clone(), site_key(commit, site));
        let cached = self
            .assemblies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        let assembled = match cached {
            Some(a) => a,
            None => {
                let a = Arc::new(
                    self.assemble_at(spec, commit, Some(site))
                        .map_err(|e| SourceFailure::new(&spec.name, e))?,
                );
                self.assemblies
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(key, a.clone());
                a
            }
        };
        Ok(Snapshot::Site(SiteSnapshot::new(assembled)))
    }

    /// Lays a site out at `commit` with the repositories `site` records (those with a
    /// commit); with `site` `None`, the repository alone, every file at its own path.
    pub(crate) fn assemble_at(
        &self,
        spec: &SourceSpec,
        commit: git2::Oid,
        site: Option<&SiteState>,
    ) -> Result<Assembled, SourceError> {
        let mirror = source::mirror_path(self.data_dir(), &spec.name);
        let own = Part {
            repo: spec.name.clone(),
            url: spec.url.clone(),
            branch: self.state_of(spec).and_then(|s| s.branch.clone()),
            commit,
            mirror: mirror.clone(),
        };
        let Some(site) = site else {
            return assemble(&Plan::empty(&spec.url), own, Vec::new(), None);
        };
        let snap = Snapshot::git(&mirror, commit)?;
        let (manifest, config) = read_site_files(&snap, &site.manifest)?;
        let plan = match manifest {
            Some(text) => plan(
                &format!("{}:{}", spec.name, site.manifest),
                &text,
                config.as_deref(),
                &spec.url,
            )
            .map_err(|e| SourceError::Other(e.to_string()))?,
            None => Plan::empty(&spec.url),
        };
        let names = self.repo_mirrors(&spec.name, &site.repos);
        let parts = site
            .repos
            .iter()
            .zip(names)
            .filter_map(|(r, mirror)| {
                let commit = git2::Oid::from_str(r.commit.as_deref()?).ok()?;
                // A record that lacks the name (a previous copy keeps URLs and commits only)
                // takes the one the manifest gives the URL.
                let repo = match r.repo.as_str() {
                    "" => plan
                        .repos
                        .iter()
                        .find(|p| repo_key(&p.url) == repo_key(&r.url))
                        .and_then(|p| p.entries.first())
                        .map_or_else(|| r.url.clone(), |e| e.repo.clone()),
                    name => name.to_string(),
                };
                Some(Part {
                    repo,
                    url: r.url.clone(),
                    branch: r.branch.clone(),
                    commit,
                    mirror,
                })
            })
            .collect();
        assemble(&plan, own, parts, site.generated_on.as_deref())
    }

    /// The mirror of each repository of a site.
    pub(crate) fn repo_mirrors(&self, source: &str, repos: &[RepoState]) -> Vec<PathBuf> {
        let urls: Vec<&str> = repos.iter().map(|r| r.url.as_str()).collect();
        let dir = self.site_dir(source);
        mirror_names(&urls)
            .into_iter()
            .map(|n| dir.join(n))
            .collect()
    }

    /// After the site's own mirror was synced to `new`: reads its manifest there and syncs
    /// every repository it names. `None` when the source is no site at that commit.
    pub(crate) fn sync_site_repos(
        &mut self,
        spec: &SourceSpec,
        new: git2::Oid,
        progress: &mut dyn FnMut(&str, Transfer),
    ) -> Result<Option<SiteSynced>, SourceFailure> {
        let fail = |e: String| SourceFailure::new(&spec.name, e);
        let Some((manifest_path, required)) = spec.manifest() else {
            return Ok(None);
        };
        let mirror = source::mirror_path(self.data_dir(), &spec.name);
        let snap = Snapshot::git(&mirror, new).map_err(|e| fail(e.to_string()))?;
        let (manifest, config) =
            read_site_files(&snap, manifest_path).map_err(|e| fail(e.to_string()))?;
        let text = match manifest {
            Some(t) => t,
            None if required => {
                return Err(fail(format!(
                    "the site manifest {manifest_path} is not in commit {}; keeping the last good copy",
                    short(&new.to_string())
                )));
            }
            None => return Ok(None),
        };
        let name = format!("{}:{manifest_path}", spec.name);
        let plan = plan(&name, &text, config.as_deref(), &spec.url)
            .map_err(|e| fail(format!("{e}; keeping the last good copy")))?;
        let previous: HashMap<String, RepoState> = self
            .state_of(spec)
            .and_then(|s| s.site.as_ref())
            .map(|s| {
                s.repos
                    .iter()
                    .map(|r| (repo_key(&r.url), r.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let wanted: Vec<RepoState> = plan
            .repos
            .iter()
            .map(|r| RepoState {
                repo: r
                    .entries
                    .first()
                    .map(|e| e.repo.clone())
                    .unwrap_or_default(),
                url: r.url.clone(),
                ..RepoState::default()
            })
            .collect();
        let mirrors = self.repo_mirrors(&spec.name, &wanted);
        // A fleet mirror (`[mirrors]`, `KEN_MIRROR`) changes where each repository is fetched
        // from, never what is recorded: the URL the manifest resolved to.
        let fetched: Vec<_> = wanted
            .iter()
            .map(|r| self.config.effective_url(&r.url))
            .collect();
        let jobs: Vec<Fetch> = fetched
            .iter()
            .zip(&mirrors)
            .map(|((url, _), m)| Fetch {
                url: url.clone(),
                mirror: m.clone(),
            })
            .collect();
        let results = fetch_all(&jobs, &mut |t| progress(&spec.name, t));
        let now = state::now();
        let mut repos = Vec::new();
        let mut summaries = Vec::new();
        for ((mut r, result), (url, why)) in wanted.into_iter().zip(results).zip(fetched) {
            let before = previous.get(&repo_key(&r.url));
            let old = before.and_then(|b| b.commit.clone());
            match result {
                Ok(s) => {
                    let commit = s.new.to_string();
                    let action = match &old {
                        None => SyncAction::Cloned,
                        Some(o) if *o != commit => SyncAction::Updated,
                        Some(_) => SyncAction::Unchanged,
                    };
                    summaries.push(RepoSummary {
                        repo: r.repo.clone(),
                        url: r.url.clone(),
                        action: Some(action),
                        old: old.clone(),
                        new: Some(commit.clone()),
                        error: None,
                    });
                    r.branch = Some(s.branch);
                    r.commit = Some(commit);
                    r.synced_at = Some(now);
                }
                Err(e) => {
                    // The mirror is as it was: its last good commit stays the copy.
                    let cause = match why {
                        crate::config::UrlWhy::Configured => e.to_string(),
                        why => format!("{e} (fetching {url}, by {why})"),
                    };
                    let cause = crate::sanitize::line(&cause, 0).into_owned();
                    if let Some(b) = before {
                        r.branch = b.branch.clone();
                        r.commit = b.commit.clone();
                        r.synced_at = b.synced_at;
                    }
                    r.last_error = Some(cause.clone());
                    summaries.push(RepoSummary {
                        repo: r.repo.clone(),
                        url: r.url.clone(),
                        action: None,
                        old: old.clone(),
                        new: old,
                        error: Some(cause),
                    });
                }
            }
            repos.push(r);
        }
        let mut notes: Vec<String> = plan.refused.iter().map(|r| r.to_string()).collect();
        notes.extend(
            plan.notes
                .iter()
                .map(|n| crate::sanitize::line(n, 0).into_owned()),
        );
        // A site whose build generates the standards overview gets it made for today.
        let generated_on = snap
            .entry(None, super::copy::POPULATE_STDS)
            .ok()
            .flatten()
            .map(|_| today());
        Ok(Some(SiteSynced {
            state: SiteState {
                manifest: manifest_path.to_string(),
                repos,
                generated_on,
                previous: None,
            },
            repos: summaries,
            notes,
        }))
    }

    /// Records a site's sync: the document changes between the last copy and the new one,
    /// the documents counted, the state (the site's commit and its repositories' together),
    /// and `site.lock`.
    pub(crate) fn finish_site_sync(
        &mut self,
        spec: &SourceSpec,
        filter: &Filter,
        old: Option<git2::Oid>,
        synced: source::Synced,
        site: SiteSynced,
    ) -> SyncSummary {
        let name = spec.name.clone();
        let prev = self.state_of(spec).cloned();
        let before = prev.as_ref().and_then(|p| p.copy_id());
        let after = copy_id(
            &synced.new.to_string(),
            site.state
                .repos
                .iter()
                .filter_map(|r| Some((r.url.as_str(), r.commit.as_deref()?))),
            site.state.generated_on.as_deref(),
        );
        // Whether a commit moved (a new day alone remakes the generated pages, which only
        // counts as an update when one of them changed).
        let commits = |s: &SiteState| -> Vec<(String, Option<String>)> {
            s.repos
                .iter()
                .map(|r| (r.url.clone(), r.commit.clone()))
                .collect()
        };
        let moved = prev.as_ref().is_none_or(|p| {
            p.commit.as_deref() != Some(synced.new.to_string().as_str())
                || p.site.as_ref().map(commits) != Some(commits(&site.state))
        });
        let unchanged = before.as_deref() == Some(after.as_str());
        // What `ken news` and `--changed-since last-sync` compare with: the copy before this
        // sync when it moved a commit, else the one recorded before.
        let mut site = site;
        site.state.previous = match &prev {
            Some(p) if moved => p.commit.clone().map(|commit| PreviousCopy {
                commit,
                repos: p
                    .site
                    .iter()
                    .flat_map(|s| &s.repos)
                    .map(|r| (r.url.clone(), r.commit.clone()))
                    .collect(),
            }),
            Some(p) => p.site.as_ref().and_then(|s| s.previous.clone()),
            None => None,
        };
        let old_copy = match (unchanged, old) {
            (false, Some(o)) => {
                let old_site = prev
                    .as_ref()
                    .filter(|p| p.commit.as_deref() == Some(&o.to_string()))
                    .and_then(|p| p.site.clone());
                self.assemble_at(spec, o, old_site.as_ref()).ok()
            }
            _ => None,
        };
        let mut notes = site.notes;
        self.record_success(
            spec,
            Some(synced.branch.clone()),
            Some(synced.new.to_string()),
            prev.as_ref().map_or(0, |p| p.docs),
        );
        self.entry(spec).site = Some(site.state.clone());
        let mut changes = Vec::new();
        if !unchanged {
            match self.snapshot(spec) {
                Ok(Snapshot::Site(snap)) => {
                    if let Some(o) = &old_copy {
                        changes = doc_changes(filter, o, &snap.site);
                    }
                    notes.extend(snap.site.notes.iter().cloned());
                    let id = snap.site.id();
                    let snap = Snapshot::Site(snap);
                    // Catalogued now, as a repository's documents are by `finish_sync`, so
                    // that `ken list`, the lifecycles of search hits and the library read no
                    // blob and open no mirror until the site moves again.
                    let cap = self.config.max_file_size;
                    let settings = crate::catalog::settings(spec, cap);
                    let docs = crate::catalog::git_docs(
                        self.data_dir(),
                        &name,
                        filter,
                        &settings,
                        &snap,
                        cap,
                        &id,
                    )
                    .map_or(0, |c| c.docs.len());
                    self.entry(spec).docs = docs;
                }
                Ok(_) => {}
                Err(e) => notes.push(e.to_string()),
            }
        }
        if let Some(problem) = self.write_site_lock(spec, synced.new, &site.state) {
            notes.push(problem);
        }
        // Each page's last change, walked now in every repository (see `Base::sync_one`).
        let _ = crate::history::History::of(self, spec);
        let action = match &before {
            None => SyncAction::Cloned,
            Some(_) if moved || !changes.is_empty() => SyncAction::Updated,
            Some(_) => SyncAction::Unchanged,
        };
        SyncSummary {
            docs: self.state_of(spec).map_or(0, |s| s.docs),
            name,
            action,
            branch: Some(synced.branch),
            old: old.map(|o| o.to_string()),
            new: Some(synced.new.to_string()),
            changes,
            repos: site.repos,
            notes,
        }
    }

    /// Writes `site.lock` for a site source from what was recorded; a problem is returned as
    /// a line for the sync's notes (the lock is for people: the state is what ken reads).
    pub(crate) fn write_site_lock(
        &self,
        spec: &SourceSpec,
        commit: git2::Oid,
        site: &SiteState,
    ) -> Option<String> {
        let mut entries = vec![LockEntry {
            repo: spec.name.clone(),
            url: spec.url.clone(),
            commit,
        }];
        for r in &site.repos {
            if let Some(c) = r
                .commit
                .as_deref()
                .and_then(|c| git2::Oid::from_str(c).ok())
            {
                entries.push(LockEntry {
                    repo: r.repo.clone(),
                    url: r.url.clone(),
                    commit: c,
                });
            }
        }
        let path = self.site_lock_path(&spec.name);
        Lock { entries }
            .write(&path)
            .err()
            .map(|e| crate::sanitize::line(&e.to_string(), 0).into_owned())
    }
}

/// A site's record rebuilt from its `site.lock` when `state.json` was damaged: the lock was
/// written by the sync that recorded `commit`, so its repositories' commits are that copy's
/// (each still in its mirror, which a failed fetch never changes). `None` when there is no
/// lock, or it is of another commit of the site or another URL.
pub(crate) fn repaired(
    data_dir: &std::path::Path,
    spec: &SourceSpec,
    commit: git2::Oid,
) -> Option<SiteState> {
    let (manifest, _) = spec.manifest()?;
    let dir = data_dir.join("mirrors").join(format!("{}.site", spec.name));
    let lock = Lock::read(&dir.join(LOCK_FILE)).ok()??;
    let (own, repos) = lock.entries.split_first()?;
    if own.url != spec.url || own.commit != commit {
        return None;
    }
    let urls: Vec<&str> = repos.iter().map(|e| e.url.as_str()).collect();
    let repos = repos
        .iter()
        .zip(mirror_names(&urls))
        .map(|(e, name)| RepoState {
            repo: e.repo.clone(),
            url: e.url.clone(),
            branch: source::mirror_tip(&dir.join(name)).map(|(_, b, _)| b),
            commit: Some(e.commit.to_string()),
            ..RepoState::default()
        })
        .collect();
    let mirror = source::mirror_path(data_dir, &spec.name);
    let generated_on = Snapshot::git(&mirror, commit)
        .ok()?
        .entry(None, super::copy::POPULATE_STDS)
        .ok()
        .flatten()
        .map(|_| today());
    Some(SiteState {
        manifest: manifest.to_string(),
        repos,
        generated_on,
        previous: None,
    })
}

/// What names a site's copy in the cache: the site's commit and each repository's.
fn site_key(commit: git2::Oid, site: &SiteState) -> String {
    let mut s = format!("{commit} {}", site.manifest);
    for r in &site.repos {
        s.push_str(&format!(
            " {}={}",
            r.url,
            r.commit.as_deref().unwrap_or("-")
        ));
    }
    s
}

/// The document changes between two copies of a site (or a site and the plain repository it
/// was before): pages whose blob differs are modified, pages only in one are added or
/// deleted, and a page that left one path while the same blob arrived at another is renamed.
pub fn doc_changes(filter: &Filter, old: &Assembled, new: &Assembled) -> Vec<DocChange> {
    corpus::doc_changes(filter, &file_changes(old, new))
}

/// Every file (document or not) that differs between two layouts of a site, by site path:
/// added, deleted, changed, or renamed (the same object at a new path).
pub fn file_changes(old: &Assembled, new: &Assembled) -> Vec<Change> {
    let (a, b) = (old.blobs(), new.blobs());
    let mut changes = Vec::new();
    let mut gone: BTreeMap<&str, &str> = BTreeMap::new();
    for (path, id) in &a {
        if !b.contains_key(path) {
            gone.insert(path, id);
        }
    }
    let mut by_blob: HashMap<&str, Vec<&str>> = HashMap::new();
    for (path, id) in &gone {
        by_blob.entry(*id).or_default().push(*path);
    }
    for (path, id) in &b {
        match a.get(path) {
            Some(old_id) if old_id == id => {}
            Some(_) => changes.push(Change {
                path: path.to_string(),
                kind: ChangeKind::Modified,
            }),
            None => {
                let from = by_blob.get_mut(id.as_str()).and_then(|v| {
                    let f = v.pop()?;
                    gone.remove(f);
                    Some(f)
                });
                changes.push(Change {
                    path: path.to_string(),
                    kind: match from {
                        Some(f) => ChangeKind::Renamed {
                            from: f.to_string(),
                        },
                        None => ChangeKind::Added,
                    },
                });
            }
        }
    }
    for path in gone.keys() {
        changes.push(Change {
            path: path.to_string(),
            kind: ChangeKind::Deleted,
        });
    }
    changes
}

/// Today, `YYYY-MM-DD` in UTC (as the site's build takes it).
fn today() -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(state::now());
    humantime::format_rfc3339_seconds(t).to_string()[..10].to_string()
}

fn short(c: &str) -> &str {
    &c[..c.len().min(10)]
}
