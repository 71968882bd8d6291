//! The files in the data dir that must survive a kill at any moment (`state.json`,
//! `history.json`, `bookmarks.json`, the highlight cache's entries): written whole or not at
//! all, and read back without ever trusting, or crashing on, a damaged one.
//!
//! A write goes to `.NAME.tmp-PID-XXXXXX` beside the file, is synced (when the file is worth
//! it) and renamed over it, so a kill leaves the old file or the new one. A kill before the
//! rename leaves the temporary file: the next write of the same file removes every such file
//! whose process is gone (its PID names it, so a write never takes another living writer's
//! file). A file that does not parse is *set aside* as `NAME.damaged-UNIXTIME` (kept for a
//! person to look at, never silently deleted) and one line says so; those lines are queued here
//! for the edge to show (`take_notices`: the CLI prints them, the UI must not write to stderr).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::de::DeserializeOwned;

use crate::fault::{self, Point};

/// Lines about files set aside, not yet shown.
static NOTICES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Takes the lines about damaged files set aside since the last call.
pub fn take_notices() -> Vec<String> {
    NOTICES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

fn notice(line: String) {
    if let Ok(mut n) = NOTICES.lock() {
        n.push(line);
    }
}

/// How hard a write tries to survive a power cut, beyond surviving a kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    /// The data is synced before the rename: the new file survives a power cut whole.
    Yes,
    /// A cache: a power cut may leave an empty or torn entry, which reading treats as a miss.
    No,
}

fn name_of(path: &Path) -> io::Result<String> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))
}

fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// Writes `bytes` to `path` atomically (creating the folder). `fault` is the point at which
/// `KEN_FAULT` may kill ken halfway through the temporary file.
pub fn write(path: &Path, bytes: &[u8], sync: Sync, fault: Option<Point>) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    remove_stale_temps(dir, Some(&name_of(path)?));
    write_inner(path, bytes, sync, fault)
}

/// Writes one entry of a cache folder atomically, unsynced, without looking for dead writers'
/// temporary files (the cache's pruning calls [`remove_stale_temps`] for the whole folder).
pub fn write_entry(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_inner(path, bytes, Sync::No, None)
}

fn write_inner(path: &Path, bytes: &[u8], sync: Sync, fault: Option<Point>) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = name_of(path)?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", temp_prefix(&name), std::process::id()))
        .tempfile_in(dir)?;
    if fault.is_some_and(fault::armed) {
        tmp.write_all(&bytes[..bytes.len() / 2])?;
        tmp.as_file().sync_data()?;
        let _kept = tmp.into_temp_path().keep();
        fault::die();
    }
    tmp.write_all(bytes)?;
    if sync == Sync::Yes {
        tmp.as_file().sync_data()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename survives a power cut only once the folder's entry is on disk too (opening a
    // folder to sync it works on Unix).
    #[cfg(unix)]
    if sync == Sync::Yes {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Removes the temporary files in `dir` of writers that are gone: of the file `name`, or of
/// every file when `None`.
pub fn remove_stale_temps(dir: &Path, name: Option<&str>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = name.map(temp_prefix);
    for e in read.flatten() {
        let file = e.file_name();
        let file = file.to_string_lossy();
        let rest = match &prefix {
            Some(p) => file.strip_prefix(p.as_str()),
            None => file
                .strip_prefix('.')
                .and_then(|f| f.split_once(".tmp-"))
                .map(|(_, rest)| rest),
        };
        let Some(rest) = rest else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !alive(pid)) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether a process with this id runs. Without `/proc` nobody's files are taken.
fn alive(pid: u32) -> bool {
    pid == std::process::id()
        || !Path::new("/proc/self").exists()
        || Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether an error (as the line a person reads) says the disk is full: `ENOSPC` as the OS
/// words it, which is also how libgit2 and tantivy pass it on.
pub fn is_disk_full(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("no space left on device") || m.contains("os error 28")
}

/// What reading a file found.
#[derive(Debug)]
pub enum Read<T> {
    /// There is no such file (nothing was ever written).
    Missing,
    Ok(T),
    /// The file was damaged and has been set aside; the line saying so is queued.
    SetAside,
    /// The file exists but cannot be read (permissions, I/O): left where it is.
    Unreadable(io::Error),
}

/// Reads and parses a JSON file; a file that does not parse is set aside. `what_next` ends
/// the line about it ("starting a new history", "repaired from the mirrors").
pub fn read_json<T: DeserializeOwned>(path: &Path, what_next: &str) -> Read<T> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Read::Missing,
        Err(e) => return Read::Unreadable(e),
    };
    match serde_json::from_slice(&bytes) {
        Ok(v) => Read::Ok(v),
        Err(e) => {
            set_aside(path, &bytes, &e.to_string(), what_next);
            Read::SetAside
        }
    }
}

/// Moves a damaged file out of the way (unless another process replaced it meanwhile) and
/// queues the one line about it.
fn set_aside(path: &Path, bytes: &[u8], why: &str, what_next: &str) {
    let name = name_of(path).unwrap_or_default();
    let aside: PathBuf = path.with_file_name(format!("{name}.damaged-{}", crate::state::now()));
    // A file that changed since it was read was rewritten by another ken: it is not damaged.
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        return;
    }
    let kept = match std::fs::rename(path, &aside) {
        Ok(()) => format!("set aside as {}", aside.display()),
        Err(e) => format!("could not be set aside ({e})"),
    };
    notice(format!(
        "{} is damaged ({why}): {kept}; {what_next}",
        path.display()
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        write(&p, b"[1]", Sync::Yes, None).unwrap();
        write(&p, b"[2]", Sync::No, None).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"[2]");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["x.json"]);
    }

    #[test]
    fn a_dead_writers_temporary_file_goes_a_living_ones_stays() {
        let dir = tempfile::tempdir().unwrap();
        // PIDs above the kernel's maximum (2^22) never run.
        let dead = dir.path().join(".x.json.tmp-4999999-abc");
        let mine = dir
            .path()
            .join(format!(".x.json.tmp-{}-abc", std::process::id()));
        let other = dir.path().join(".y.json.tmp-4999999-abc");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, "half").unwrap();
        }
        write(&dir.path().join("x.json"), b"{}", Sync::No, None).unwrap();
        assert!(!dead.exists());
        assert!(mine.exists(), "a living writer's file is its own");
        assert!(
            other.exists(),
            "another file's temporary files wait for that file"
        );
        remove_stale_temps(dir.path(), None);
        assert!(!other.exists());
    }

    #[test]
    fn a_damaged_file_is_set_aside_with_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, b"{\"items\": [").unwrap();
        take_notices();
        let r: Read<serde_json::Value> = read_json(&p, "starting afresh");
        assert!(matches!(r, Read::SetAside));
        assert!(!p.exists());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(aside.len(), 1);
        assert!(aside[0].starts_with("b.json.damaged-"), "{aside:?}");
        let n = take_notices();
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].contains("b.json is damaged") && n[0].contains("starting afresh"));
        let r: Read<serde_json::Value> = read_json(&p, "x");
        assert!(matches!(r, Read::Missing));
    }
}
