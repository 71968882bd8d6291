//! `ken bundle create`: every synced git source of the data dir, as it is recorded in
//! `state.json`, written into one bundle; with `--since`, only what is new since a previous
//! bundle or a date.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use super::container::{self, PartWriter};
use super::{BundleError, FORMAT, Manifest, RepoEntry, SinceRecord, VERSION, io_err, url_key};
use crate::base::Base;
use crate::source::{self, Location};

/// What a bundle builds on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Nothing: every repository's whole history.
    Nothing,
    /// A previous bundle: its tips are the prerequisites.
    Bundle(PathBuf),
    /// A date (Unix seconds): each branch as it stood then is the prerequisite.
    Date(u64),
}

impl Since {
    /// `--since` as given: an existing file is a previous bundle; otherwise a date
    /// (`2026-11-24`, `2026-11-24T09:00:00Z`) or an age (`7d`, `2weeks`).
    pub fn parse(arg: &str, now: u64) -> Result<Since, BundleError> {
        let p = Path::new(arg);
        if p.is_file() {
            return Ok(Since::Bundle(p.to_path_buf()));
        }
        let date = if arg.len() == 10 {
            format!("{arg}T00:00:00Z")
        } else {
            arg.to_string()
        };
        if let Ok(t) = humantime::parse_rfc3339_weak(&date) {
            let secs = t
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            return Ok(Since::Date(secs));
        }
        if let Ok(d) = humantime::parse_duration(arg) {
            return Ok(Since::Date(now.saturating_sub(d.as_secs())));
        }
        Err(BundleError::Other(format!(
            "--since {arg:?}: neither a bundle file nor a date (2026-11-24, 2026-11-24T09:00:00Z) nor an age (7d)"
        )))
    }
}

/// What [`create`] wrote.
#[derive(Debug, Clone)]
pub struct Created {
    pub manifest: Manifest,
    /// The bundle's size in bytes.
    pub size: u64,
    /// Sources left out, and why (one line each).
    pub skipped: Vec<String>,
    /// Things worth saying about what was included (a basis that was not found, …).
    pub notes: Vec<String>,
}

/// Writes the bundle `out`. Reads the mirrors and the state only: a sync running at the same
/// time is harmless (objects are never removed, and the commits are the ones `state.json`
/// records).
pub fn create(base: &Base, out: &Path, since: &Since) -> Result<Created, BundleError> {
    super::bound_pack_windows();
    let now = crate::state::now();
    let (bases, since_record) = match since {
        Since::Nothing => (HashMap::new(), None),
        Since::Bundle(prev) => {
            let m = super::verify(prev)?;
            let tips: HashMap<String, String> = m
                .repositories
                .iter()
                .map(|r| (basis_key(r.site.as_deref(), &r.url), r.tip.clone()))
                .collect();
            let file = prev
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                tips,
                Some(SinceRecord::Bundle {
                    file,
                    created_at: m.created_at,
                }),
            )
        }
        Since::Date(d) => (HashMap::new(), Some(SinceRecord::Date { date: *d })),
    };

    let mut skipped = Vec::new();
    let mut notes = Vec::new();
    let mut chosen = Vec::new();
    for spec in &base.config.sources {
        if let Location::Dir(_) = source::location(spec) {
            skipped.push(format!("{}: a local folder, not a git source", spec.name));
            continue;
        }
        let st = base.state_of(spec);
        let (Some(commit), Some(branch)) = (
            st.and_then(|s| s.commit.clone()),
            st.and_then(|s| s.branch.clone()),
        ) else {
            skipped.push(format!("{}: never synced", spec.name));
            continue;
        };
        let mirror = source::mirror_path(base.data_dir(), &spec.name);
        if !mirror.exists() {
            skipped.push(format!(
                "{}: its mirror is missing (run ken sync)",
                spec.name
            ));
            continue;
        }
        let own = RepoEntry {
            name: spec.name.clone(),
            url: spec.url.clone(),
            branch,
            tip: commit,
            prerequisites: vec![],
            part: None,
            size: 0,
            sha256: String::new(),
            objects: 0,
            docs: st.map_or(0, |s| s.docs),
            site_manifest: None,
            site_generated_on: None,
            site: None,
            repo: None,
        };
        let site = base.site_state(spec).cloned();
        match site {
            None => chosen.push((own, mirror)),
            Some(site) => {
                chosen.push((
                    RepoEntry {
                        site_manifest: Some(site.manifest.clone()),
                        site_generated_on: site.generated_on.clone(),
                        ..own
                    },
                    mirror,
                ));
                // Every repository the site's manifest names that has a copy here, under a
                // name of its own (`SOURCE.NAME`).
                let mirrors = base.repo_mirrors(&spec.name, &site.repos);
                let mut taken = std::collections::HashSet::new();
                for (r, mirror) in site.repos.iter().zip(mirrors) {
                    let (Some(commit), Some(branch)) = (r.commit.clone(), r.branch.clone()) else {
                        skipped.push(format!(
                            "{}: {} ({}): never fetched",
                            spec.name, r.repo, r.url
                        ));
                        continue;
                    };
                    let plain =
                        crate::config::name_from_url(&r.url).unwrap_or_else(|| "repo".into());
                    let mut name = format!("{}.{plain}", spec.name);
                    let mut n = 1;
                    while !taken.insert(name.clone()) {
                        n += 1;
                        name = format!("{}.{plain}-{n}", spec.name);
                    }
                    chosen.push((
                        RepoEntry {
                            name,
                            url: r.url.clone(),
                            branch,
                            tip: commit,
                            prerequisites: vec![],
                            part: None,
                            size: 0,
                            sha256: String::new(),
                            objects: 0,
                            docs: 0,
                            site_manifest: None,
                            site_generated_on: None,
                            site: Some(spec.name.clone()),
                            repo: Some(r.repo.clone()),
                        },
                        mirror,
                    ));
                }
            }
        }
    }
    if chosen.is_empty() {
        return Err(BundleError::Other(
            "nothing to bundle: no git source has been synced (run ken sync)".into(),
        ));
    }

    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let work = tempfile::Builder::new()
        .prefix(".ken-bundle-parts-")
        .tempdir_in(&parent)
        .map_err(io_err(&parent))?;
    let mut repositories = Vec::new();
    let mut parts = Vec::new();
    for (mut entry, mirror) in chosen {
        let name = entry.name.clone();
        let commit = entry.tip.clone();
        let branch = entry.branch.clone();
        let repo = Repository::open_bare(&mirror)?;
        repo.set_config(&super::part::pack_config(&mirror, work.path())?)?;
        let tip = Oid::from_str(&commit)?;
        repo.find_commit(tip)
            .map_err(|e| BundleError::Git(format!("{name}: commit {commit}: {}", e.message())))?;
        let basis = match since {
            Since::Nothing => None,
            Since::Bundle(_) => match bases.get(&basis_key(entry.site.as_deref(), &entry.url)) {
                None => {
                    notes.push(format!(
                        "{name}: not in the previous bundle, so all of it is included"
                    ));
                    None
                }
                Some(b) => match Oid::from_str(b)
                    .ok()
                    .filter(|o| repo.find_commit(*o).is_ok())
                {
                    Some(o) => Some(o),
                    None => {
                        notes.push(format!(
                            "{name}: the previous bundle's commit {b} is not in this mirror, so all of it is included"
                        ));
                        None
                    }
                },
            },
            Since::Date(d) => branch_at(&repo, tip, *d)?,
        };
        entry.prerequisites = basis.map(|b| b.to_string()).into_iter().collect();
        if basis != Some(tip) {
            let part = format!("parts/{}.bundle", parts.len());
            let path = work.path().join(format!("{}.bundle", parts.len()));
            let file = std::fs::File::create(&path).map_err(io_err(&path))?;
            let mut w = PartWriter::new(BufWriter::with_capacity(1 << 16, file));
            entry.objects = super::part::write(&repo, &branch, tip, basis, &mut w)?;
            let (buf, size, sha) = w.finish();
            buf.into_inner()
                .map_err(|e| io_err(&path)(e.into_error()))?
                .flush()
                .map_err(io_err(&path))?;
            entry.part = Some(part.clone());
            entry.size = size;
            entry.sha256 = sha;
            parts.push((part, path));
        }
        repositories.push(entry);
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        ken_version: env!("KEN_VERSION").into(),
        created_at: now,
        since: since_record,
        repositories,
    };
    manifest
        .check()
        .map_err(|why| BundleError::Other(format!("the bundle would be refused: {why}")))?;
    let size = container::write(out, &manifest, &parts)?;
    Ok(Created {
        manifest,
        size,
        skipped,
        notes,
    })
}

/// What a repository of a previous bundle is found by: its URL, and the site it belongs to
/// (the same repository can be a source of its own and a site's too, at other commits).
fn basis_key(site: Option<&str>, url: &str) -> String {
    format!("{}\n{}", site.unwrap_or(""), url_key(url))
}

/// The commit a branch pointed at on a date, as far as its first-parent history tells: the
/// newest commit on it made no later than `date`; `None` when all of it is newer.
fn branch_at(repo: &Repository, tip: Oid, date: u64) -> Result<Option<Oid>, BundleError> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    walk.simplify_first_parent()?;
    for oid in walk {
        let oid = oid?;
        let c = repo.find_commit(oid)?;
        if c.time().seconds() <= date as i64 {
            return Ok(Some(oid));
        }
    }
    Ok(None)
}
