//! Fault injection for tests: `KEN_FAULT=<point>` makes ken kill itself (SIGKILL, so no
//! destructor, flush or cleanup runs) at one named point of a sync, so that each window in
//! which a real kill (an OOM killer, a reboot, a power cut) could land is tested on purpose
//! rather than by luck. Only tests set the variable; without it every check here is one
//! comparison with a value read once.
//!
//! The points, in the order a `ken sync` passes them:
//!
//! | point | where ken dies |
//! |---|---|
//! | `after-fetch` | a source's mirror has the new commit; nothing else was written |
//! | `mid-state-write` | half of the new `state.json` is in its temporary file |
//! | `mid-index-write` | the index writer is writing a new segment file: half of it is on disk |
//! | `before-index-commit` | the new segments are complete on disk, not yet committed |
//! | `mid-index-commit` | tantivy has written the commit's delete files and a temporary `meta.json`, not yet renamed into place (the window of issue 16's `FileAlreadyExists`) |
//! | `after-index-commit` | the index is committed; its merges still run |
//! | `bundle-staged` | `ken bundle import`: the bundle's packs are indexed in `mirrors/.tmp-import-*`; no mirror, ref or state changed |
//! | `bundle-moved` | `ken bundle import`: the packs and refs are in the mirrors; `state.json` not yet written |
//!
//! One more point makes something fail rather than die: `incremental-update-fails` makes an
//! incremental index update fail as a damaged segment would, so that the rebuild it falls
//! back to can be tested. Several points can be armed at once, separated by commas.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// The environment variable naming the point to die at.
pub const VAR: &str = "KEN_FAULT";

/// A named point where a test can make ken die.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    AfterFetch,
    MidStateWrite,
    MidIndexWrite,
    BeforeIndexCommit,
    MidIndexCommit,
    AfterIndexCommit,
    IncrementalUpdateFails,
    BundleStaged,
    BundleMoved,
}

impl Point {
    /// Every point, in the order a sync passes them.
    pub const ALL: [Point; 9] = [
        Point::AfterFetch,
        Point::MidStateWrite,
        Point::MidIndexWrite,
        Point::BeforeIndexCommit,
        Point::MidIndexCommit,
        Point::AfterIndexCommit,
        Point::IncrementalUpdateFails,
        Point::BundleStaged,
        Point::BundleMoved,
    ];

    /// The name `KEN_FAULT` takes.
    pub fn name(self) -> &'static str {
        match self {
            Point::AfterFetch => "after-fetch",
            Point::MidIndexWrite => "mid-index-write",
            Point::BeforeIndexCommit => "before-index-commit",
            Point::MidIndexCommit => "mid-index-commit",
            Point::AfterIndexCommit => "after-index-commit",
            Point::MidStateWrite => "mid-state-write",
            Point::IncrementalUpdateFails => "incremental-update-fails",
            Point::BundleStaged => "bundle-staged",
            Point::BundleMoved => "bundle-moved",
        }
    }
}

/// The points `KEN_FAULT` names, read once. An unknown name arms nothing (a test that expects
/// the kill then sees ken exit normally and fails).
fn armed_points() -> &'static [Point] {
    static ARMED: OnceLock<Vec<Point>> = OnceLock::new();
    ARMED.get_or_init(|| {
        let v = std::env::var(VAR).unwrap_or_default();
        v.split(',')
            .filter_map(|n| Point::ALL.into_iter().find(|p| p.name() == n.trim()))
            .collect()
    })
}

/// Whether `KEN_FAULT` names this point.
pub fn armed(point: Point) -> bool {
    armed_points().contains(&point)
}

/// Dies here if `KEN_FAULT` names this point.
pub fn hit(point: Point) {
    if armed(point) {
        die();
    }
}

/// Ends the process the way `kill -9` does: no destructor, no buffered output, no cleanup.
pub fn die() -> ! {
    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGKILL);
    std::process::abort()
}

/// The directory the index is opened on: tantivy's own, wrapped when an index fault point is
/// armed so that ken can die inside tantivy's writes (which it cannot reach otherwise).
pub fn index_directory(path: &Path) -> Result<Box<dyn Directory>, String> {
    let mmap = MmapDirectory::open(path).map_err(|e| e.to_string())?;
    let point = [Point::MidIndexWrite, Point::MidIndexCommit]
        .into_iter()
        .find(|p| armed(*p));
    match point {
        Some(point) => Ok(Box::new(Faulty {
            inner: mmap,
            root: path.to_path_buf(),
            point,
        })),
        None => Ok(Box::new(mmap)),
    }
}

/// A tantivy directory that dies at the armed point: on the first bytes of a new segment
/// file (`mid-index-write`), or when `meta.json` is about to be replaced, after its temporary
/// copy is on disk (`mid-index-commit`).
#[derive(Debug, Clone)]
struct Faulty {
    inner: MmapDirectory,
    root: PathBuf,
    point: Point,
}

impl Directory for Faulty {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let w = self.inner.open_write(path)?;
        if self.point != Point::MidIndexWrite {
            return Ok(w);
        }
        Ok(io::BufWriter::new(Box::new(HalfWrite { inner: w })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        if self.point == Point::MidIndexCommit && path == Path::new("meta.json") {
            // What tantivy's own atomic write does up to its rename: a temporary file in the
            // index folder, complete and synced.
            let mut tmp = tempfile::Builder::new().tempfile_in(&self.root)?;
            tmp.write_all(data)?;
            tmp.as_file().sync_data()?;
            let _kept = tmp.into_temp_path().keep();
            die();
        }
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, cb: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(cb)
    }
}

/// A segment file writer that writes half of its first non-empty buffer and dies.
struct HalfWrite {
    inner: WritePtr,
}

impl Write for HalfWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !buf.is_empty() {
            let half = buf.len().div_ceil(2);
            self.inner.write_all(&buf[..half])?;
            self.inner.flush()?;
            die();
        }
        Ok(0)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for HalfWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.inner.terminate_ref(token)
    }
}
