//! Knowledge sources: git mirrors kept with git2, and plain local directories.
//!
//! A git source is a bare mirror under the data dir. Nothing is ever checked out: documents
//! are read from a commit's tree in the object store, so nothing in a repository (symlinks,
//! `.git` look-alikes, `.gitmodules`) can make ken read or write outside it. A local directory
//! that is not a git repository is read live, never following a symlink.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use git2::{
    AutotagOption, CredentialType, Direction, FetchOptions, ProxyOptions, RemoteCallbacks,
    Repository,
};

use crate::config::{SourceSpec, is_local_path};

/// Attempts for one network operation, and the pause before each retry.
const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];
/// Retries start only within this time from the first attempt.
const RETRY_WINDOW: Duration = Duration::from_secs(8);
/// Giving up on a connection that does not open.
const CONNECT_TIMEOUT_MS: i32 = 5_000;
/// Giving up on a connection that stops sending.
const STALL_TIMEOUT_MS: i32 = 15_000;
/// At most this many files are looked at in one source.
pub const MAX_FILES: usize = 200_000;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Git(String),
    #[error("branch {branch:?} not found on the remote (it has: {available})")]
    NoBranch { branch: String, available: String },
    #[error("the remote has no branches")]
    Empty,
    #[error("never synced, and --offline forbids fetching")]
    OfflineNeverSynced,
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

impl From<git2::Error> for SourceError {
    fn from(e: git2::Error) -> Self {
        SourceError::Git(git_message(&e))
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SourceError + '_ {
    move |source| SourceError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// libgit2's message, one line, without its trailing class/code noise.
fn git_message(e: &git2::Error) -> String {
    let m = e.message().trim().replace('\n', " ");
    if m.is_empty() {
        format!("git error {:?}", e.code())
    } else {
        m
    }
}

/// Where a source's documents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A git repository fetched into a mirror; the string is the URL or path git2 is given.
    Git(String),
    /// A local directory that is not a git repository, read live.
    Dir(PathBuf),
}

pub fn location(spec: &SourceSpec) -> Location {
    if is_local_path(&spec.url) {
        let p = Path::new(&spec.url);
        // Opening with git2 initialises libgit2 (milliseconds); a folder with neither `.git`
        // nor the `HEAD` and `objects` of a bare repository cannot be one.
        let may_be_repo =
            p.join(".git").exists() || (p.join("HEAD").is_file() && p.join("objects").is_dir());
        let is_repo = may_be_repo
            && Repository::open_ext(
                p,
                git2::RepositoryOpenFlags::NO_SEARCH,
                std::iter::empty::<&std::ffi::OsStr>(),
            )
            .is_ok();
        if !is_repo {
            return Location::Dir(p.to_path_buf());
        }
    }
    Location::Git(spec.url.clone())
}

/// The mirror of a git source.
pub fn mirror_path(data_dir: &Path, name: &str) -> PathBuf {
    mirrors_dir(data_dir).join(format!("{name}.git"))
}

/// What a mirror itself says it holds: its remote's URL, the branch its `HEAD` follows and
/// that branch's commit. Used to repair a damaged `state.json`.
pub fn mirror_tip(mirror: &Path) -> Option<(String, String, git2::Oid)> {
    let repo = Repository::open_bare(mirror).ok()?;
    let url = repo.find_remote("origin").ok()?.url().ok()?.to_string();
    let head = repo.find_reference("HEAD").ok()?;
    let target = head.symbolic_target().ok()??.to_string();
    let branch = target.strip_prefix("refs/remotes/origin/")?.to_string();
    let commit = repo.refname_to_id(&target).ok()?;
    repo.find_commit(commit).ok()?;
    Some((url, branch, commit))
}

fn mirrors_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("mirrors")
}

/// Progress of a transfer, as git2 reports it. For a site (several repositories fetched at
/// once) the counts are summed over its repositories, and `repos_total` is not 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct Transfer {
    pub received_objects: usize,
    pub indexed_objects: usize,
    pub total_objects: usize,
    pub received_bytes: usize,
    /// Repositories of a site done (fetched, found unchanged, or failed).
    pub repos_done: usize,
    /// Repositories of a site being synced; 0 for a single repository.
    pub repos_total: usize,
}

/// The outcome of syncing one git source.
#[derive(Debug, Clone)]
pub struct Synced {
    pub branch: String,
    /// The commit the mirror was at before, if it existed.
    pub old: Option<git2::Oid>,
    pub new: git2::Oid,
    /// Whether objects were downloaded (false for a no-op sync).
    pub fetched: bool,
}

/// Held while a sync runs, so that two kens never write one mirror at once.
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    /// Waits for any other sync of this data dir to finish, then cleans up what a killed run
    /// left behind (half-made clones).
    pub fn acquire(data_dir: &Path) -> Result<SyncLock, SourceError> {
        let dir = mirrors_dir(data_dir);
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let path = data_dir.join("sync.lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
        file.lock().map_err(io_err(&path))?;
        for entry in std::fs::read_dir(&dir).map_err(io_err(&dir))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                let _ = std::fs::remove_dir_all(entry.path());
            } else if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_dead_mirror_files(&entry.path());
            }
        }
        Ok(SyncLock { _file: file })
    }
}

/// Cleans a mirror (`NAME.git`), or each repository mirror of a site's folder
/// (`NAME.site/REPO.git`, beside its `site.lock`, which is kept).
fn remove_dead_mirror_files(dir: &Path) {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    if name.as_deref().is_some_and(|n| n.ends_with(".git")) {
        remove_dead_git_files(dir, 0);
    } else if let Ok(read) = std::fs::read_dir(dir) {
        for e in read.flatten() {
            let git = e.file_name().to_string_lossy().ends_with(".git");
            if git && e.file_type().is_ok_and(|t| t.is_dir()) {
                remove_dead_git_files(&e.path(), 0);
            }
        }
    }
}

/// Removes what a killed fetch leaves in a mirror: libgit2's lock files (`refs/…/B.lock`,
/// `packed-refs.lock`, `config.lock`: while one exists every later fetch fails with "failed
/// to lock file") and its temporary pack and object files. Only called under the
/// [`SyncLock`], so no living ken is writing them.
fn remove_dead_git_files(dir: &Path, depth: usize) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for e in read.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        match e.file_type() {
            Ok(t) if t.is_dir() && depth < 8 => remove_dead_git_files(&e.path(), depth + 1),
            Ok(t) if t.is_file() && (name.ends_with(".lock") || name.contains("_git2_")) => {
                let _ = std::fs::remove_file(e.path());
            }
            _ => {}
        }
    }
}

/// The CA bundle found at start, loaded into libgit2 only when an https fetch needs it.
static CA_BUNDLE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// Keeps libgit2's start-up cheap. libgit2 initialises OpenSSL eagerly and parses the whole
/// system CA bundle (about 30 ms with OpenSSL 3) on the first git2 call of a process, even one
/// that only reads a mirror. This points `SSL_CERT_FILE` at an empty file for libgit2's
/// start-up and remembers the real bundle, which [`sync_git`] loads before an https fetch.
/// Certificates stay verified: `SSL_CERT_DIR` (hashed lookups, loaded lazily) is untouched.
///
/// # Safety
/// Mutates the environment: call it first thing in `main`, before any thread exists.
pub unsafe fn defer_ca_loading() {
    let probe = openssl_probe::probe();
    if CA_BUNDLE.set(probe.cert_file).is_ok() && Path::new("/dev/null").exists() {
        // SAFETY: the caller guarantees no other thread reads the environment concurrently.
        unsafe { std::env::set_var("SSL_CERT_FILE", "/dev/null") };
    }
}

/// Loads the CA bundle into libgit2 before the first https connection of the process.
fn load_ca_bundle(url: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let https = url.starts_with("https://") || url.starts_with("http://");
    if !https {
        return;
    }
    ONCE.call_once(|| {
        if let Some(Some(file)) = CA_BUNDLE.get() {
            // SAFETY: sets libgit2's global TLS context before this process's first https use.
            unsafe {
                let _ = git2::opts::set_ssl_cert_file(file);
            }
        }
    });
}

/// Process-wide network timeouts for libgit2; set once before the first connection.
fn set_timeouts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before any libgit2 network operation of this process.
        unsafe {
            let _ = git2::opts::set_server_connect_timeout_in_milliseconds(CONNECT_TIMEOUT_MS);
            let _ = git2::opts::set_server_timeout_in_milliseconds(STALL_TIMEOUT_MS);
        }
    });
}

/// Clones (first time) or updates the mirror of a git source to the tip of its branch.
///
/// The caller holds the [`SyncLock`]. A first clone is built in a temporary directory beside
/// the mirror and moved into place only when complete.
pub fn sync_git(
    data_dir: &Path,
    spec: &SourceSpec,
    url: &str,
    progress: &mut dyn FnMut(Transfer),
) -> Result<Synced, SourceError> {
    let path = mirror_path(data_dir, &spec.name);
    sync_mirror(&path, spec.branch.as_deref(), url, progress)
}

/// Clones (first time) or updates the bare mirror at `path` to the tip of `branch` (the
/// remote's default branch when `None`) of the repository at `url`, with the guarantees of
/// [`sync_git`]: a first clone is made in `.tmp-NAME-XXXX` beside the mirror and renamed
/// when complete, the refspec is forced, network operations have timeouts and retries.
/// Several mirrors may be synced at once from different threads.
pub fn sync_mirror(
    path: &Path,
    branch: Option<&str>,
    url: &str,
    progress: &mut dyn FnMut(Transfer),
) -> Result<Synced, SourceError> {
    set_timeouts();
    load_ca_bundle(url);
    if !path.exists() {
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".tmp-{name}-"))
            .tempdir_in(parent)
            .map_err(io_err(path))?;
        let repo = Repository::init_bare(tmp.path())?;
        repo.remote("origin", url)?;
        let synced = update(&repo, branch, url, progress)?;
        drop(repo);
        let tmp_path = tmp.keep();
        std::fs::rename(&tmp_path, path).map_err(io_err(path))?;
        return Ok(synced);
    }
    let repo = Repository::open_bare(path)?;
    if repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        != Some(url.to_string())
    {
        let _ = repo.remote_delete("origin");
        repo.remote("origin", url)?;
    }
    update(&repo, branch, url, progress)
}

/// Removes the `.tmp-*` folders a killed first clone left in `dir` (the caller holds the
/// [`SyncLock`], so no living sync owns them).
pub fn remove_temporaries(dir: &Path) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        if entry.file_name().to_string_lossy().starts_with(".tmp-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn update(
    repo: &Repository,
    branch: Option<&str>,
    url: &str,
    progress: &mut dyn FnMut(Transfer),
) -> Result<Synced, SourceError> {
    let (branch, tip) = with_retry(|| remote_tip(repo, branch, url))?;
    let local_ref = format!("refs/remotes/origin/{branch}");
    let old = repo.refname_to_id(&local_ref).ok();
    let have = old == Some(tip) && repo.find_commit(tip).is_ok();
    if !have {
        let refspec = format!("+refs/heads/{branch}:{local_ref}");
        with_retry(|| {
            let mut remote = repo.find_remote("origin")?;
            let mut cb = callbacks(url);
            cb.transfer_progress(|p| {
                progress(Transfer {
                    received_objects: p.received_objects(),
                    indexed_objects: p.indexed_objects(),
                    total_objects: p.total_objects(),
                    received_bytes: p.received_bytes(),
                    ..Transfer::default()
                });
                true
            });
            let mut fo = FetchOptions::new();
            fo.remote_callbacks(cb)
                .proxy_options(proxy())
                .download_tags(AutotagOption::None)
                .update_fetchhead(false);
            remote.fetch(&[&refspec], Some(&mut fo), None)
        })?;
    }
    let new = repo.refname_to_id(&local_ref)?;
    repo.find_commit(new)?;
    // The mirror's HEAD names the followed branch, so the mirror is usable with git tools.
    let _ = repo.reference_symbolic("HEAD", &local_ref, true, "ken sync");
    Ok(Synced {
        branch,
        old: old.filter(|o| repo.find_commit(*o).is_ok()),
        new,
        fetched: !have,
    })
}

/// Asks the remote which commit its branch points at (and, if none is configured, which
/// branch is its default).
fn remote_tip(
    repo: &Repository,
    branch: Option<&str>,
    url: &str,
) -> Result<(String, git2::Oid), git2::Error> {
    let mut remote = repo.find_remote("origin")?;
    let conn = remote.connect_auth(Direction::Fetch, Some(callbacks(url)), Some(proxy()))?;
    let heads: Vec<(String, git2::Oid)> = conn
        .list()?
        .iter()
        .map(|h| (h.name().to_string(), h.oid()))
        .collect();
    let branch = match branch {
        Some(b) => b.to_string(),
        None => match conn.default_branch() {
            Ok(buf) => buf
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("refs/heads/")
                .to_string(),
            Err(_) => {
                // No HEAD advertised: take main, then master, then the only branch.
                let names: Vec<&str> = heads
                    .iter()
                    .filter_map(|(n, _)| n.strip_prefix("refs/heads/"))
                    .collect();
                ["main", "master"]
                    .into_iter()
                    .find(|b| names.contains(b))
                    .or(names.first().copied())
                    .unwrap_or_default()
                    .to_string()
            }
        },
    };
    let wanted = format!("refs/heads/{branch}");
    match heads.iter().find(|(n, _)| *n == wanted) {
        Some((_, oid)) => Ok((branch, *oid)),
        None => {
            let available: Vec<&str> = heads
                .iter()
                .filter_map(|(n, _)| n.strip_prefix("refs/heads/"))
                .collect();
            let msg = if available.is_empty() {
                "the remote has no branches".to_string()
            } else {
                format!(
                    "branch {branch:?} not found on the remote (it has: {})",
                    available.join(", ")
                )
            };
            Err(git2::Error::new(
                git2::ErrorCode::NotFound,
                git2::ErrorClass::Reference,
                msg,
            ))
        }
    }
}

fn proxy() -> ProxyOptions<'static> {
    let mut p = ProxyOptions::new();
    p.auto();
    p
}

/// Credentials: for ssh the agent, then the default keys; for https the git credential
/// helper. Each is tried once; nothing ever prompts.
fn callbacks(url: &str) -> RemoteCallbacks<'static> {
    let mut cb = RemoteCallbacks::new();
    let url = url.to_string();
    let mut tried_agent = false;
    let mut tried_keys: Vec<PathBuf> = Vec::new();
    let mut tried_helper = false;
    let mut tried_default = false;
    cb.credentials(move |_url, username, allowed| {
        let user = username.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return git2::Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            if !tried_agent {
                tried_agent = true;
                return git2::Cred::ssh_key_from_agent(user);
            }
            if let Some(home) = directories::BaseDirs::new() {
                for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
                    let key = home.home_dir().join(".ssh").join(name);
                    if key.exists() && !tried_keys.contains(&key) {
                        tried_keys.push(key.clone());
                        return git2::Cred::ssh_key(user, None, &key, None);
                    }
                }
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !tried_helper {
            tried_helper = true;
            if let Ok(cfg) = git2::Config::open_default() {
                return git2::Cred::credential_helper(&cfg, &url, username);
            }
        }
        if allowed.contains(CredentialType::DEFAULT) && !tried_default {
            tried_default = true;
            return git2::Cred::default();
        }
        Err(git2::Error::new(
            git2::ErrorCode::Auth,
            git2::ErrorClass::Net,
            "authentication failed (tried ssh agent, default keys and git credential helper)",
        ))
    });
    cb
}

/// Runs a network operation, retrying transient failures with backoff. No retry starts after
/// [`RETRY_WINDOW`]: a server that stalls is not waited for three times.
fn with_retry<T>(mut op: impl FnMut() -> Result<T, git2::Error>) -> Result<T, SourceError> {
    let started = std::time::Instant::now();
    let mut attempt = 0;
    loop {
        match op() {
            Ok(v) => return Ok(v),
            Err(e)
                if attempt < RETRY_DELAYS.len()
                    && is_transient(&e)
                    && started.elapsed() < RETRY_WINDOW =>
            {
                std::thread::sleep(RETRY_DELAYS[attempt]);
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_transient(e: &git2::Error) -> bool {
    use git2::{ErrorClass as C, ErrorCode};
    if matches!(
        e.code(),
        ErrorCode::Auth | ErrorCode::NotFound | ErrorCode::Certificate
    ) {
        return false;
    }
    // The server answered and refused (no such repository, access denied): asking again
    // gets the same answer.
    if e.message().starts_with("remote error") {
        return false;
    }
    matches!(e.class(), C::Net | C::Os | C::Http | C::Ssh | C::Ssl)
}

/// One file of a source, as listed from a commit's tree or a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the source's root, `/`-separated.
    pub path: String,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File {
        size: u64,
        oid: Option<git2::Oid>,
    },
    /// A symbolic link: listed with its target, never followed.
    Symlink {
        target: String,
    },
}

/// The result of reading one file.
#[derive(Debug)]
pub enum Content {
    Bytes(Vec<u8>),
    /// Over the size cap; the content was not read.
    TooLarge(u64),
}

/// The documents of a source at one point: a commit of a mirror, a live directory, or a
/// site (several mirrors' commits, each file at the path the site's layout gives it).
pub enum Snapshot {
    Git { repo: Repository, commit: git2::Oid },
    Dir { root: PathBuf },
    Site(crate::site::SiteSnapshot),
}

/// Where a file of a site comes from: its repository, the branch followed there, the commit
/// read, and its path in that repository.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileOrigin {
    /// The repository's URL.
    pub repo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub commit: String,
    pub path: String,
}

/// A mirror opened for reading.
pub fn open_mirror(mirror: &Path) -> Result<Repository, SourceError> {
    // Reading an object does not hash it again, as git itself does not: libgit2's default
    // re-hashes every object read, which was a quarter of the instructions of `ken DOC`'s
    // first frame on a 170 KB page (callgrind). Objects are checked when a fetch indexes
    // the pack they arrive in, and inflating still checks each one's zlib checksum.
    static NO_REHASH: std::sync::Once = std::sync::Once::new();
    NO_REHASH.call_once(|| git2::opts::strict_hash_verification(false));
    Ok(Repository::open_bare(mirror)?)
}

impl Snapshot {
    pub fn git(mirror: &Path, commit: git2::Oid) -> Result<Snapshot, SourceError> {
        let repo = open_mirror(mirror)?;
        repo.find_commit(commit)?;
        Ok(Snapshot::Git { repo, commit })
    }

    /// The files under `root` (a folder of the source; all when `None`).
    pub fn entries(&self, root: Option<&str>) -> Result<Vec<Entry>, SourceError> {
        let root = root.map(|r| r.trim_matches('/')).filter(|r| !r.is_empty());
        match self {
            Snapshot::Git { repo, commit } => {
                let tree = repo.find_commit(*commit)?.tree()?;
                let tree = match root {
                    None => tree,
                    Some(r) => match tree.get_path(Path::new(r)) {
                        Ok(e) if e.kind() == Some(git2::ObjectType::Tree) => {
                            repo.find_tree(e.id())?
                        }
                        _ => return Ok(Vec::new()),
                    },
                };
                git_entries(repo, &tree)
            }
            Snapshot::Dir { root: dir } => {
                let base = match root {
                    Some(r) => dir.join(r),
                    None => dir.clone(),
                };
                match walk_folder(&base) {
                    Ok(w) => Ok(w.entries),
                    // A root folder the copy does not have: no files.
                    Err(_) if root.is_some() && !base.exists() => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            }
            Snapshot::Site(site) => Ok(site.entries(root)),
        }
    }

    /// Whether the file at `rel` under `root` was made by ken (a site's standards overview),
    /// not taken from a repository.
    pub fn generated(&self, root: Option<&str>, rel: &str) -> bool {
        match self {
            Snapshot::Site(site) => site.generated(root, rel),
            _ => false,
        }
    }

    /// Where the file at `rel` under `root` comes from, for a site; `None` for a single
    /// repository or folder (the source itself).
    pub fn origin(&self, root: Option<&str>, rel: &str) -> Option<FileOrigin> {
        match self {
            Snapshot::Site(site) => site.origin(root, rel),
            _ => None,
        }
    }

    /// The entry [`entries`](Self::entries) would list at `rel` under `root`, found without
    /// listing the others; `None` when there is none.
    pub fn entry(&self, root: Option<&str>, rel: &str) -> Result<Option<Entry>, SourceError> {
        let parts: Vec<&str> = rel.split('/').collect();
        if parts.len() > 65 || parts.iter().any(|p| matches!(*p, "" | "." | ".." | ".git")) {
            return Ok(None);
        }
        let root = root.map(|r| r.trim_matches('/')).filter(|r| !r.is_empty());
        match self {
            Snapshot::Site(site) => Ok(site.entry(root, rel)),
            Snapshot::Git { repo, commit } => {
                let tree = repo.find_commit(*commit)?.tree()?;
                let full = match root {
                    Some(r) => format!("{r}/{rel}"),
                    None => rel.to_string(),
                };
                let e = match tree.get_path(Path::new(&full)) {
                    Ok(e) => e,
                    Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
                    Err(e) => return Err(e.into()),
                };
                let kind = match e.filemode() {
                    0o100644 | 0o100755 => EntryKind::File {
                        size: repo.odb()?.read_header(e.id())?.0 as u64,
                        oid: Some(e.id()),
                    },
                    0o120000 => {
                        let blob = repo.find_blob(e.id())?;
                        let c = blob.content();
                        EntryKind::Symlink {
                            target: String::from_utf8_lossy(&c[..c.len().min(4096)]).into_owned(),
                        }
                    }
                    _ => return Ok(None),
                };
                Ok(Some(Entry {
                    path: rel.to_string(),
                    kind,
                }))
            }
            Snapshot::Dir { root: dir } => {
                let mut path = match root {
                    Some(r) => dir.join(r),
                    None => dir.clone(),
                };
                // As the walk does: the folder listed is not a symlink, nor is any folder on
                // the way.
                if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                    return Ok(None);
                }
                for (i, part) in parts.iter().enumerate() {
                    path.push(part);
                    let meta = match std::fs::symlink_metadata(&path) {
                        Ok(m) => m,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                        Err(e) => return Err(io_err(&path)(e)),
                    };
                    let ft = meta.file_type();
                    let last = i + 1 == parts.len();
                    let kind = if ft.is_symlink() && last {
                        let target = std::fs::read_link(&path)
                            .map(|t| t.display().to_string())
                            .unwrap_or_default();
                        EntryKind::Symlink { target }
                    } else if ft.is_file() && last {
                        EntryKind::File {
                            size: meta.len(),
                            oid: None,
                        }
                    } else if ft.is_dir() && !last {
                        continue;
                    } else {
                        return Ok(None);
                    };
                    return Ok(Some(Entry {
                        path: rel.to_string(),
                        kind,
                    }));
                }
                Ok(None)
            }
        }
    }

    /// Reads a file listed by [`entries`](Self::entries) (with the same `root`), unless it is
    /// bigger than `cap` bytes.
    pub fn read(
        &self,
        root: Option<&str>,
        entry: &Entry,
        cap: u64,
    ) -> Result<Content, SourceError> {
        let EntryKind::File { size, oid } = &entry.kind else {
            return Err(SourceError::Other(format!(
                "{}: a symlink is never followed",
                entry.path
            )));
        };
        if *size > cap {
            return Ok(Content::TooLarge(*size));
        }
        match self {
            Snapshot::Git { repo, .. } => {
                let oid = oid.ok_or_else(|| SourceError::Other("no object id".into()))?;
                let blob = repo.find_blob(oid)?;
                Ok(Content::Bytes(blob.content().to_vec()))
            }
            Snapshot::Dir { root: dir } => {
                let base = match root.map(|r| r.trim_matches('/')).filter(|r| !r.is_empty()) {
                    Some(r) => dir.join(r),
                    None => dir.clone(),
                };
                read_dir_file(&base, &entry.path, cap)
            }
            Snapshot::Site(site) => site.read(root, entry, cap),
        }
    }
}

fn git_entries(repo: &Repository, tree: &git2::Tree<'_>) -> Result<Vec<Entry>, SourceError> {
    let odb = repo.odb()?;
    let mut out = Vec::new();
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if out.len() >= MAX_FILES {
            return git2::TreeWalkResult::Abort;
        }
        let Some(name) = std::str::from_utf8(e.name_bytes()).ok().map(str::to_string) else {
            return git2::TreeWalkResult::Skip;
        };
        let path = format!("{dir}{name}");
        match e.filemode() {
            0o100644 | 0o100755 => match odb.read_header(e.id()) {
                Ok((size, _)) => out.push(Entry {
                    path,
                    kind: EntryKind::File {
                        size: size as u64,
                        oid: Some(e.id()),
                    },
                }),
                Err(err) => {
                    failure = Some(err);
                    return git2::TreeWalkResult::Abort;
                }
            },
            0o120000 => {
                let target = repo
                    .find_blob(e.id())
                    .map(|b| {
                        let c = b.content();
                        String::from_utf8_lossy(&c[..c.len().min(4096)]).into_owned()
                    })
                    .unwrap_or_default();
                out.push(Entry {
                    path,
                    kind: EntryKind::Symlink { target },
                });
            }
            // Trees are walked into; submodules (commits) are never acted on.
            _ => {}
        }
        git2::TreeWalkResult::Ok
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(out)
}

/// What a walk of a local folder finds: its files (sorted by path) and, for the catalogue
/// (`crate::catalog`), the modification time of each file and of each folder.
#[derive(Debug, Default)]
pub struct FolderWalk {
    pub entries: Vec<Entry>,
    /// Per entry, in nanoseconds since the epoch (0 for a symlink).
    pub mtimes: Vec<i64>,
    /// Every folder walked (`""` is the folder itself) and its modification time.
    pub dirs: Vec<(String, i64)>,
}

/// A file's or folder's modification time in nanoseconds since the epoch.
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    use std::os::unix::fs::MetadataExt;
    meta.mtime()
        .saturating_mul(1_000_000_000)
        .saturating_add(meta.mtime_nsec())
}

/// Walks a local folder the way every reader of a folder does: symlinks listed with their
/// target and never followed (nor the folder itself when it is one), `.git` skipped, at most
/// 64 levels and `MAX_FILES` files. A folder's own type comes from the directory entry, so
/// only files (for their size and time) and folders (for their time) are stat-ed.
pub fn walk_folder(base: &Path) -> Result<FolderWalk, SourceError> {
    let mut w = FolderWalk::default();
    match std::fs::symlink_metadata(base) {
        Ok(m) if m.is_dir() => {
            w.dirs.push((String::new(), mtime_ns(&m)));
            walk_dir(base, "", &mut w, 0)?;
        }
        Ok(_) => {}
        Err(e) => return Err(io_err(base)(e)),
    }
    let mut files: Vec<(Entry, i64)> = std::mem::take(&mut w.entries)
        .into_iter()
        .zip(std::mem::take(&mut w.mtimes))
        .collect();
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    (w.entries, w.mtimes) = files.into_iter().unzip();
    Ok(w)
}

fn walk_dir(dir: &Path, prefix: &str, w: &mut FolderWalk, depth: usize) -> Result<(), SourceError> {
    if depth > 64 {
        return Ok(());
    }
    let read = std::fs::read_dir(dir).map_err(io_err(dir))?;
    for entry in read.flatten() {
        if w.entries.len() >= MAX_FILES {
            return Ok(());
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let path = format!("{prefix}{name}");
        // From the directory entry (no stat on Linux); never follows a symlink.
        let Ok(ft) = entry.file_type() else {
            continue;
        };
        if ft.is_symlink() {
            let target = std::fs::read_link(entry.path())
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            w.entries.push(Entry {
                path,
                kind: EntryKind::Symlink { target },
            });
            w.mtimes.push(0);
        } else if ft.is_dir() {
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if !meta.is_dir() {
                continue;
            }
            w.dirs.push((path.clone(), mtime_ns(&meta)));
            walk_dir(&entry.path(), &format!("{path}/"), w, depth + 1)?;
        } else if ft.is_file() {
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            w.entries.push(Entry {
                path,
                kind: EntryKind::File {
                    size: meta.len(),
                    oid: None,
                },
            });
            w.mtimes.push(mtime_ns(&meta));
        }
    }
    Ok(())
}

/// Reads `rel` under `base`, refusing anything that is, or passes through, a symlink.
fn read_dir_file(base: &Path, rel: &str, cap: u64) -> Result<Content, SourceError> {
    use std::io::Read;
    let mut path = base.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err(SourceError::Other(format!(
                "{rel}: not a plain relative path"
            )));
        }
        path.push(part);
        let meta = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
        if meta.file_type().is_symlink() {
            return Err(SourceError::Other(format!(
                "{rel}: a symlink is never followed"
            )));
        }
    }
    let mut file = File::open(&path).map_err(io_err(&path))?;
    let len = file.metadata().map_err(io_err(&path))?.len();
    if len > cap {
        return Ok(Content::TooLarge(len));
    }
    let mut buf = Vec::with_capacity(len as usize);
    file.by_ref()
        .take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(io_err(&path))?;
    if buf.len() as u64 > cap {
        return Ok(Content::TooLarge(buf.len() as u64));
    }
    Ok(Content::Bytes(buf))
}

/// How a file changed between two commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed { from: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The path in the new commit (for a deletion: the path that was deleted).
    pub path: String,
    pub kind: ChangeKind,
}

/// What changed between two commits of a mirror, with renames detected as git does by
/// default (50% similarity).
pub fn changes(mirror: &Path, old: git2::Oid, new: git2::Oid) -> Result<Vec<Change>, SourceError> {
    let repo = Repository::open_bare(mirror)?;
    let old_tree = repo.find_commit(old)?.tree()?;
    let new_tree = repo.find_commit(new)?.tree()?;
    let diff = repo.diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)?;
    changes_of(diff)
}

/// What changed between commit `old` of a working copy's repository and its files on disk
/// (staged or not, untracked ones included, ignored ones not), with paths relative to the
/// working copy's top: what a writer's edits change (`ken check --changed-since` of a local
/// folder).
pub fn worktree_changes(repo: &Repository, old: git2::Oid) -> Result<Vec<Change>, SourceError> {
    let old_tree = repo.find_commit(old)?.tree()?;
    let mut opts = git2::DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let diff = repo.diff_tree_to_workdir_with_index(Some(&old_tree), Some(&mut opts))?;
    changes_of(diff)
}

fn changes_of(mut diff: git2::Diff) -> Result<Vec<Change>, SourceError> {
    let mut find = git2::DiffFindOptions::new();
    find.renames(true).for_untracked(true);
    diff.find_similar(Some(&mut find))?;
    let mut out = Vec::new();
    for d in diff.deltas() {
        let new_path = d
            .new_file()
            .path()
            .map(|p| p.to_string_lossy().into_owned());
        let old_path = d
            .old_file()
            .path()
            .map(|p| p.to_string_lossy().into_owned());
        let (path, kind) = match d.status() {
            git2::Delta::Added | git2::Delta::Untracked => (new_path, ChangeKind::Added),
            git2::Delta::Deleted => (old_path, ChangeKind::Deleted),
            git2::Delta::Modified | git2::Delta::Typechange => (new_path, ChangeKind::Modified),
            git2::Delta::Renamed => (
                new_path,
                ChangeKind::Renamed {
                    from: old_path.unwrap_or_default(),
                },
            ),
            _ => continue,
        };
        if let Some(path) = path {
            out.push(Change { path, kind });
        }
    }
    Ok(out)
}
