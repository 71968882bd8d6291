//! `ken bundle import` (and `ken sync --from`): a bundle verified in full, then its
//! repositories brought into this node's mirrors and recorded in `state.json`, never touching
//! the network.
//!
//! The order is what makes a refused or interrupted import leave the node as it was:
//!
//! 1. Read the whole bundle and check every byte (checksums, manifest, part headers) without
//!    writing anything, and check that this node's mirrors hold every prerequisite.
//! 2. Take the sync lock (a second import or sync waits), read the state again and check
//!    again (another ken may have changed it meanwhile).
//! 3. Read the bundle a second time, indexing each part's pack into a staging repository in
//!    `mirrors/.tmp-import-*` (the mirror's objects are its alternates, for the deltas and the
//!    connectivity check); the bundle is verified again on the way, so a file changed since
//!    step 1 is refused.
//! 4. Move the packs into the mirrors (a new repository: the staging repository itself is
//!    renamed into place), point each mirror's branch at the new tip, and write `state.json`
//!    atomically: that write is the moment the node starts to read the new commits.
//!
//! A kill before step 4 leaves only the staging folder, which the next sync or import removes
//! under the lock; a kill within step 4 leaves objects no ref needs yet and the old state, and
//! importing the bundle again completes it. The search index is updated afterwards by the
//! caller, with the function `ken sync` uses.

use std::collections::HashSet;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use super::container;
use super::part;
use super::{BundleError, Manifest, Refusal, RepoEntry, io_err, url_key};
use crate::base::{Base, SourceFailure, SyncAction, SyncSummary};
use crate::config::SourceSpec;
use crate::site::{RepoSummary, SiteSynced};
use crate::source::{self, Location, SyncLock};
use crate::state::{BundleOrigin, RepoState, SiteState};

/// A repository of the bundle that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub name: String,
    pub why: String,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Imported {
    pub manifest: Manifest,
    /// The bundle, as an absolute path.
    pub file: PathBuf,
    /// One per repository matched to a source of this node, as `ken sync` reports them
    /// (`unchanged` for a repository this node already had at that commit or later).
    pub synced: Vec<SyncSummary>,
    pub skipped: Vec<Skipped>,
}

/// Reads and checks a whole bundle (every checksum, the manifest, each part's git bundle
/// header) without writing anything; returns its manifest.
pub fn verify(file: &Path) -> Result<Manifest, BundleError> {
    container::read(file, &mut |_, r, input| {
        let mut br = BufReader::new(input);
        check_header(file, r, &mut br)
    })
}

fn refused(file: &Path, why: Refusal) -> BundleError {
    BundleError::Refused {
        file: file.display().to_string(),
        why,
    }
}

fn check_header(file: &Path, r: &RepoEntry, br: &mut dyn io::BufRead) -> Result<(), BundleError> {
    let part_problem = |problem: String| {
        refused(
            file,
            Refusal::Part {
                repo: r.name.clone(),
                problem,
            },
        )
    };
    let h = part::read_header(br).map_err(part_problem)?;
    part::check_header(&h, r).map_err(part_problem)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Move the repository to the bundle's tip (`old`: the commit it is at now).
    Import { old: Option<Oid> },
    /// The repository is at the tip already.
    UpToDate,
    /// The repository is at a commit that already contains the tip.
    Newer,
}

#[derive(Debug, Clone)]
struct Step {
    /// The repository's index in the manifest.
    index: usize,
    entry: RepoEntry,
    /// The node's source this repository belongs to (for a site's repository: the site).
    spec: SourceSpec,
    /// For a repository a site names: the step of the site's own repository.
    site_of: Option<usize>,
    /// Its mirror on this node.
    mirror: PathBuf,
    tip: Oid,
    action: Action,
}

impl Step {
    fn imports(&self) -> bool {
        matches!(self.action, Action::Import { .. })
    }
}

/// Matches the bundle's repositories to this node's sources (by configured URL; a site's
/// repositories go with their site) and decides what to do with each; refuses the bundle
/// when a prerequisite is missing.
fn plan(base: &Base, file: &Path, m: &Manifest) -> Result<(Vec<Step>, Vec<Skipped>), BundleError> {
    let mut steps: Vec<Step> = Vec::new();
    let mut skipped = Vec::new();
    let mut taken = HashSet::new();
    for (index, entry) in m.repositories.iter().enumerate() {
        let skip = |why: String| Skipped {
            name: entry.name.clone(),
            why,
        };
        let (spec, site_of, mirror, current) = match &entry.site {
            Some(site) => {
                let Some(at) = steps.iter().position(|s| s.entry.name == *site) else {
                    skipped.push(skip(format!("its site {site} is not imported")));
                    continue;
                };
                let spec = steps[at].spec.clone();
                // The mirror names of a site's repositories depend on all of them (a name
                // two share gets a hash), so they are made from the bundle's whole list.
                let repos: Vec<RepoState> = m
                    .repositories
                    .iter()
                    .filter(|r| r.site.as_deref() == Some(site.as_str()))
                    .map(|r| RepoState {
                        url: r.url.clone(),
                        ..RepoState::default()
                    })
                    .collect();
                let k = m.repositories[..index]
                    .iter()
                    .filter(|r| r.site.as_deref() == Some(site.as_str()))
                    .count();
                let Some(mirror) = base.repo_mirrors(&spec.name, &repos).get(k).cloned() else {
                    continue;
                };
                let current = base
                    .state_of(&spec)
                    .and_then(|st| st.site.as_ref())
                    .and_then(|si| {
                        si.repos
                            .iter()
                            .find(|r| url_key(&r.url) == url_key(&entry.url))
                    })
                    .and_then(|r| r.commit.clone());
                (spec, Some(at), mirror, current)
            }
            None => {
                let spec = base.config.sources.iter().find(|s| {
                    matches!(source::location(s), Location::Git(_))
                        && url_key(&s.url) == url_key(&entry.url)
                });
                let Some(spec) = spec else {
                    skipped.push(skip(format!("{} is not a source of this node", entry.url)));
                    continue;
                };
                if !taken.insert(spec.name.clone()) {
                    skipped.push(skip(format!(
                        "source {} is already given by this bundle",
                        spec.name
                    )));
                    continue;
                }
                if let Some(b) = &spec.branch
                    && *b != entry.branch
                {
                    skipped.push(skip(format!(
                        "the bundle holds branch {:?}, source {} follows {b:?}",
                        entry.branch, spec.name
                    )));
                    continue;
                }
                let current = base.state_of(spec).and_then(|st| st.commit.clone());
                let mirror = source::mirror_path(base.data_dir(), &spec.name);
                (spec.clone(), None, mirror, current)
            }
        };
        if site_of.is_some() && spec.manifest().is_none() {
            skipped.push(skip(format!(
                "source {} is read without its site (site = false)",
                spec.name
            )));
            continue;
        }
        let tip = Oid::from_str(&entry.tip)?;
        let repo = if mirror.exists() {
            Some(Repository::open_bare(&mirror)?)
        } else {
            None
        };
        let has = |oid: Oid| repo.as_ref().is_some_and(|r| r.find_commit(oid).is_ok());
        for p in &entry.prerequisites {
            let oid = Oid::from_str(p)?;
            if !has(oid) {
                return Err(refused(
                    file,
                    Refusal::MissingBase {
                        repo: entry.name.clone(),
                        commit: p.clone(),
                    },
                ));
            }
        }
        let current = current
            .and_then(|c| Oid::from_str(&c).ok())
            .filter(|c| has(*c));
        let action = match (current, &repo) {
            (Some(c), _) if c == tip => Action::UpToDate,
            (Some(c), Some(r)) if r.graph_descendant_of(c, tip).unwrap_or(false) => Action::Newer,
            _ => Action::Import { old: current },
        };
        steps.push(Step {
            index,
            entry: entry.clone(),
            spec,
            site_of,
            mirror,
            tip,
            action,
        });
    }
    if steps.is_empty() {
        let names: Vec<String> = m
            .repositories
            .iter()
            .filter(|r| r.site.is_none())
            .map(|r| format!("{} ({})", r.name, r.url))
            .collect();
        return Err(BundleError::Other(format!(
            "{}: none of its repositories is a source of this node: {} (configure sources with these URLs first)",
            file.display(),
            names.join(", ")
        )));
    }
    Ok((steps, skipped))
}

/// Takes the sync lock, saying so when another ken holds it.
fn lock(data_dir: &Path, notice: &mut dyn FnMut(&str)) -> Result<SyncLock, BundleError> {
    let path = data_dir.join("sync.lock");
    if let Ok(f) = std::fs::File::open(&path)
        && let Err(std::fs::TryLockError::WouldBlock) = f.try_lock()
    {
        notice(&format!(
            "waiting for another ken to finish with {}",
            data_dir.display()
        ));
    }
    SyncLock::acquire(data_dir).map_err(|e| BundleError::Other(e.to_string()))
}

/// Imports a bundle: see the module's comment for the order of things. `notice` gets one
/// line for a person when the import has to wait for the lock.
pub fn import(
    base: &mut Base,
    file: &Path,
    notice: &mut dyn FnMut(&str),
) -> Result<Imported, BundleError> {
    import_then(base, file, notice, |_| ()).map(|(i, _)| i)
}

/// Imports like [`import`], then, when a mirror moved, runs `then` (the index update) still
/// under the sync lock, as `ken sync` does; its answer is `None` when nothing moved.
pub fn import_then<T>(
    base: &mut Base,
    file: &Path,
    notice: &mut dyn FnMut(&str),
    then: impl FnOnce(&Base) -> T,
) -> Result<(Imported, Option<T>), BundleError> {
    super::bound_pack_windows();
    let file = std::path::absolute(file).map_err(io_err(file))?;
    let manifest = verify(&file)?;
    let (steps, skipped) = plan(base, &file, &manifest)?;
    let origin = BundleOrigin {
        file: file.display().to_string(),
        created_at: manifest.created_at,
    };
    if !steps.iter().any(Step::imports) {
        // Nothing to change: nothing is written, not even the lock.
        let synced = record(base, &steps, &origin)?;
        return Ok((
            Imported {
                manifest,
                file,
                synced,
                skipped,
            },
            None,
        ));
    }
    let data_dir = base.data_dir().to_path_buf();
    let lock = lock(&data_dir, notice)?;
    // Another ken may have synced or imported while this one waited.
    base.state = crate::base::load_state(&base.config);
    let (steps, skipped) = plan(base, &file, &manifest)?;

    // 3. Stage the packs, one staging repository per part, numbered (a site's repositories
    //    have names of their own in other folders).
    let stage_root = data_dir.join("mirrors");
    let stage = tempfile::Builder::new()
        .prefix(".tmp-import-")
        .tempdir_in(&stage_root)
        .map_err(io_err(&stage_root))?;
    let staged = |i: usize| stage.path().join(format!("{i}.git"));
    let with_part: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i].imports() && steps[i].entry.part.is_some())
        .collect();
    for &i in &with_part {
        let repo = Repository::init_bare(staged(i))?;
        let mirror = &steps[i].mirror;
        if mirror.exists() {
            let objects = std::path::absolute(mirror.join("objects")).map_err(io_err(mirror))?;
            let alt = repo.path().join("objects/info/alternates");
            std::fs::write(&alt, format!("{}\n", objects.display())).map_err(io_err(&alt))?;
        }
    }
    let again = container::read(&file, &mut |index, r, input| {
        let mut br = BufReader::new(input);
        check_header(&file, r, &mut br)?;
        let Some(&i) = with_part.iter().find(|&&i| steps[i].index == index) else {
            return Ok(());
        };
        let pack_problem = |e: String| {
            refused(
                &file,
                Refusal::Part {
                    repo: r.name.clone(),
                    problem: format!("its pack: {e}"),
                },
            )
        };
        let repo = Repository::open_bare(staged(i))?;
        let odb = repo.odb()?;
        let dir = repo.path().join("objects/pack");
        let mut ix = git2::Indexer::new(Some(&odb), &dir, 0, true)?;
        io::copy(&mut br, &mut ix).map_err(|e| pack_problem(e.to_string()))?;
        ix.commit()
            .map_err(|e| pack_problem(e.message().to_string()))?;
        Ok(())
    })?;
    if again != manifest {
        return Err(BundleError::Other(format!(
            "{}: the file changed while it was imported",
            file.display()
        )));
    }
    for (i, s) in steps.iter().enumerate().filter(|(_, s)| s.imports()) {
        let path = if s.entry.part.is_some() {
            staged(i)
        } else {
            s.mirror.clone()
        };
        let ok = Repository::open_bare(&path)
            .and_then(|repo| repo.find_commit(s.tip).and_then(|c| c.tree().map(|_| ())))
            .is_ok();
        if !ok {
            return Err(refused(
                &file,
                Refusal::Part {
                    repo: s.entry.name.clone(),
                    problem: format!("its pack lacks the tip {} or its tree", s.tip),
                },
            ));
        }
    }
    crate::fault::hit(crate::fault::Point::BundleStaged);

    // 4. Into place, then the state.
    for (i, s) in steps.iter().enumerate().filter(|(_, s)| s.imports()) {
        commit_repo(base, &staged(i), s)?;
    }
    let synced = record(base, &steps, &origin)?;
    crate::fault::hit(crate::fault::Point::BundleMoved);
    base.state.save(&data_dir).map_err(|e| {
        BundleError::Other(format!(
            "the mirrors were updated but the recorded state (state.json) was not: {e}; importing the bundle again records it"
        ))
    })?;
    base.sites.clear();
    drop(stage);
    let after = then(base);
    drop(lock);
    Ok((
        Imported {
            manifest,
            file,
            synced,
            skipped,
        },
        Some(after),
    ))
}

/// Moves one staged repository's packs into its mirror (or the staged repository itself into
/// place, for a first copy) and points the mirror's branch at the tip.
fn commit_repo(base: &Base, staged: &Path, s: &Step) -> Result<(), BundleError> {
    let mirror = &s.mirror;
    if s.entry.part.is_some() {
        if mirror.exists() {
            let from = staged.join("objects/pack");
            let to = mirror.join("objects/pack");
            std::fs::create_dir_all(&to).map_err(io_err(&to))?;
            let mut files: Vec<PathBuf> = std::fs::read_dir(&from)
                .map_err(io_err(&from))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            // The index last: a pack is found by its index, so it is never seen half-moved.
            files.sort_by_key(|p| p.extension().is_some_and(|e| e == "idx"));
            for f in files {
                let Some(name) = f.file_name() else { continue };
                let dest = to.join(name);
                std::fs::rename(&f, &dest).map_err(io_err(&dest))?;
            }
        } else {
            let alt = staged.join("objects/info/alternates");
            let _ = std::fs::remove_file(alt);
            if let Some(parent) = mirror.parent() {
                std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            }
            std::fs::rename(staged, mirror).map_err(io_err(mirror))?;
        }
    }
    let repo = Repository::open_bare(mirror)?;
    let (url, _) = base.config.effective_url(&s.entry.url);
    if repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        .as_deref()
        != Some(url.as_str())
    {
        let _ = repo.remote_delete("origin");
        repo.remote("origin", &url)?;
    }
    let local_ref = format!("refs/remotes/origin/{}", s.entry.branch);
    repo.reference(&local_ref, s.tip, true, "ken bundle import")?;
    repo.reference_symbolic("HEAD", &local_ref, true, "ken bundle import")?;
    Ok(())
}

/// Records what the import brought, through the function `ken sync` records with, and
/// returns one summary per source (a site's repositories are in its summary's `repos`).
fn record(
    base: &mut Base,
    steps: &[Step],
    origin: &BundleOrigin,
) -> Result<Vec<SyncSummary>, BundleError> {
    let now = crate::state::now();
    let mut out = Vec::new();
    for (i, s) in steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.site_of.is_none())
    {
        let name = s.spec.name.clone();
        let failure =
            |e: SourceFailure| BundleError::Other(format!("{e} (while recording the import)"));
        let repos: Vec<&Step> = steps.iter().filter(|r| r.site_of == Some(i)).collect();
        let moved = s.imports() || repos.iter().any(|r| r.imports());
        if !moved {
            let st = base.state_of(&s.spec);
            out.push(SyncSummary {
                name,
                action: SyncAction::Unchanged,
                branch: st.and_then(|st| st.branch.clone()),
                old: None,
                new: st.and_then(|st| st.commit.clone()),
                docs: st.map_or(0, |st| st.docs),
                changes: vec![],
                repos: vec![],
                notes: vec![],
            });
            continue;
        }
        let current = |r: &Step| match r.action {
            Action::Import { old } => old,
            // At the tip, or past it: the commit the node has stays.
            Action::UpToDate | Action::Newer => None,
        };
        let known = base
            .state_of(&s.spec)
            .and_then(|st| st.commit.as_deref())
            .and_then(|c| Oid::from_str(c).ok());
        let new = match s.action {
            Action::Newer => known.unwrap_or(s.tip),
            _ => s.tip,
        };
        let site = s.entry.site_manifest.as_ref().map(|manifest| {
            let previous = base.state_of(&s.spec).and_then(|st| st.site.clone());
            let before = |url: &str| {
                previous
                    .as_ref()
                    .and_then(|p| p.repos.iter().find(|r| url_key(&r.url) == url_key(url)))
                    .and_then(|r| r.commit.clone())
            };
            let mut states = Vec::new();
            let mut summaries = Vec::new();
            for r in &repos {
                let old = before(&r.entry.url);
                let commit = match r.action {
                    Action::Newer => old.clone().unwrap_or_else(|| r.entry.tip.clone()),
                    _ => r.entry.tip.clone(),
                };
                let action = match (&old, current(r)) {
                    (None, _) => SyncAction::Cloned,
                    (Some(o), _) if *o != commit => SyncAction::Updated,
                    _ => SyncAction::Unchanged,
                };
                summaries.push(RepoSummary {
                    repo: r.entry.repo.clone().unwrap_or_default(),
                    url: r.entry.url.clone(),
                    action: Some(action),
                    old,
                    new: Some(commit.clone()),
                    error: None,
                });
                states.push(RepoState {
                    repo: r.entry.repo.clone().unwrap_or_default(),
                    url: r.entry.url.clone(),
                    branch: Some(r.entry.branch.clone()),
                    commit: Some(commit),
                    synced_at: Some(now),
                    last_error: None,
                });
            }
            SiteSynced {
                state: SiteState {
                    manifest: manifest.clone(),
                    repos: states,
                    generated_on: s.entry.site_generated_on.clone(),
                    previous: None,
                },
                repos: summaries,
                notes: vec![],
            }
        });
        let synced = source::Synced {
            branch: s.entry.branch.clone(),
            old: known,
            new,
            fetched: true,
        };
        let summary = base
            .finish_sync(&s.spec, known, synced, site)
            .map_err(failure)?;
        if let Some(st) = base.state.sources.get_mut(&name) {
            st.bundle = Some(origin.clone());
        }
        out.push(summary);
    }
    Ok(out)
}
