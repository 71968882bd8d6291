//! A cache of highlighted code blocks on disk, so that a page read again (by `ken show` or in
//! the reader) needs no syntect at all: loading the syntaxes and compiling a language's regular
//! expressions costs milliseconds per process, looking a block up costs microseconds.
//!
//! One JSON file per page, named by a hash of ken's version and the page's text, holding the
//! page's code blocks in order. A block's entry is used only when the text it holds is the
//! block's text and its lines are exactly the block's lines sanitized (see [`Block::fits`]): a
//! stale, damaged or forged entry can change colours at most, never what is shown. Pages with a
//! block whose highlighting hit a cap are not stored (the time budget depends on the machine).
//! Writes are atomic (`durable::write_entry`: a temporary file renamed; a killed writer's
//! temporary file is removed by the next prune); a damaged entry is removed; failing to read
//! or write is a miss, never an error. The directory is kept under [`MAX_ENTRIES`] files and [`MAX_TOTAL_BYTES`], oldest
//! first out; a page whose entry would be over [`MAX_ENTRY_BYTES`] is not cached.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::highlight::Lines;
use crate::sanitize;

/// Bumped when the format or the meaning of an entry changes.
const FORMAT: u32 = 1;
/// The most entries kept, and their most bytes in all; pruning removes the oldest until both
/// are down to three quarters.
pub const MAX_ENTRIES: usize = 4096;
pub const MAX_TOTAL_BYTES: u64 = 64 << 20;
/// A page whose entry would be bigger is not cached.
pub const MAX_ENTRY_BYTES: usize = 1 << 20;

static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Turns the cache on for this process, in `dir` (created when first written). Without it,
/// nothing is cached.
pub fn enable(dir: PathBuf) {
    let _ = DIR.set(dir);
}

/// The cache directory under a data directory.
pub fn dir_in(data_dir: &Path) -> PathBuf {
    data_dir.join("cache").join("highlight")
}

/// One code block of a cached page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Block {
    /// The language key ([`super::highlight::lang_key`]).
    pub lang: String,
    pub text: String,
    pub lines: Lines,
}

impl Block {
    /// Whether this is the entry for `text` in `lang`, with lines that are that text's own
    /// lines sanitized (so that only the classes come from the cache).
    pub fn fits(&self, lang: &str, text: &str) -> bool {
        if self.lang != lang || self.text != text {
            return false;
        }
        let raw: Vec<&str> = text
            .strip_suffix('\n')
            .unwrap_or(text)
            .split('\n')
            .collect();
        raw.len() == self.lines.len()
            && raw.iter().zip(&self.lines).all(|(raw, runs)| {
                let mut joined = String::with_capacity(raw.len());
                runs.iter().for_each(|(_, t)| joined.push_str(t));
                joined == sanitize::line(raw.trim_end_matches(['\n', '\r']), 0)
            })
    }
}

fn path_for(dir: &Path, body: &str) -> PathBuf {
    let mut h = std::hash::DefaultHasher::new();
    (FORMAT, env!("CARGO_PKG_VERSION"), body).hash(&mut h);
    dir.join(format!("{:016x}.json", h.finish()))
}

/// The cached code blocks of the page `body`, if the cache is on and has them.
pub fn get(body: &str) -> Option<Vec<Block>> {
    let dir = DIR.get()?;
    read_entry(&path_for(dir, body))
}

/// One entry; a damaged one is removed.
fn read_entry(path: &Path) -> Option<Vec<Block>> {
    let bytes = std::fs::read(path).ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(blocks) => Some(blocks),
        Err(_) => {
            // A torn entry (a power cut after an unsynced write) is removed, so the page's
            // next highlighting stores a whole one; nothing is lost but time.
            let _ = std::fs::remove_file(path);
            None
        }
    }
}

/// Whether the cache (when on) holds the page `body`: a cheap look, for a caller deciding
/// whether to load the syntaxes ahead of time.
pub fn has(body: &str) -> bool {
    DIR.get().is_some_and(|dir| path_for(dir, body).is_file())
}

/// Stores the code blocks of the page `body`, if the cache is on (best effort).
pub fn put(body: &str, blocks: &[Block]) {
    let Some(dir) = DIR.get() else {
        return;
    };
    let path = path_for(dir, body);
    let Ok(json) = serde_json::to_vec(blocks) else {
        return;
    };
    if json.len() > MAX_ENTRY_BYTES {
        return;
    }
    // Not synced: a cache entry torn by a power cut is a miss (above). The temporary files of
    // killed writers are removed by `prune`, so a write does not list the folder.
    let written = crate::durable::write_entry(&path, &json);
    // About one write in 64 checks the size.
    if written.is_ok() && h_low_bits(&path) == 0 {
        prune(dir, MAX_ENTRIES, MAX_TOTAL_BYTES);
    }
}

fn h_low_bits(path: &Path) -> u8 {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    name.and_then(|n| u8::from_str_radix(&n[n.len().saturating_sub(2)..], 16).ok())
        .map_or(1, |b| b & 0x3f)
}

/// Removes the oldest entries of `dir` when it holds more than `max` of them or more than
/// `max_bytes` in all, until both are down to three quarters.
pub fn prune(dir: &Path, max: usize, max_bytes: u64) {
    crate::durable::remove_stale_temps(dir, None);
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> = read
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut count = entries.len();
    let mut bytes: u64 = entries.iter().map(|e| e.1).sum();
    if count <= max && bytes <= max_bytes {
        return;
    }
    entries.sort();
    for (_, len, p) in entries {
        if count <= max * 3 / 4 && bytes <= max_bytes / 4 * 3 {
            break;
        }
        if std::fs::remove_file(p).is_ok() {
            count -= 1;
            bytes = bytes.saturating_sub(len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_three_quarters() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = std::time::SystemTime::now();
        for i in 0..20u64 {
            let p = dir.path().join(format!("{i:016x}.json"));
            std::fs::write(&p, "[]").expect("write");
            let f = std::fs::File::options().write(true).open(&p).expect("open");
            f.set_modified(now - std::time::Duration::from_secs(100 - i))
                .expect("mtime");
        }
        prune(dir.path(), 30, 1 << 20);
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 20);
        prune(dir.path(), 16, 1 << 20);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 12);
        assert_eq!(left[0], format!("{:016x}.json", 8), "the oldest went first");
        // By size: 12 entries of 2 bytes, at most 16 bytes: down to 12 bytes.
        prune(dir.path(), 100, 16);
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 6);
    }

    #[test]
    fn a_torn_entry_is_a_miss_and_is_removed_a_dead_writers_temp_file_is_pruned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let entry = dir.path().join("00000000000000aa.json");
        crate::durable::write_entry(&entry, b"[]").expect("write");
        assert!(read_entry(&entry).is_some_and(|b| b.is_empty()));
        std::fs::write(&entry, b"[{\"lang\": \"ba").expect("tear");
        assert!(read_entry(&entry).is_none());
        assert!(!entry.exists(), "a torn entry is removed");
        // A killed writer's temporary file (no process has PID 4999999).
        let tmp = dir.path().join(".00000000000000bb.json.tmp-4999999-xyz");
        std::fs::write(&tmp, b"[").expect("write");
        prune(dir.path(), MAX_ENTRIES, MAX_TOTAL_BYTES);
        assert!(!tmp.exists());
    }

    #[test]
    fn an_entry_fits_only_its_own_text() {
        let text = "echo \"a\tb\"\nls\n";
        let (lines, _) = crate::markdown::highlight::code_lines(text, Some("bash"), true);
        let block = Block {
            lang: "bash".into(),
            text: text.into(),
            lines,
        };
        assert!(block.fits("bash", text));
        assert!(!block.fits("yaml", text));
        assert!(!block.fits("bash", "echo b\nls\n"));
        let mut other = block.clone();
        other.lines[1][0].1 = "rm".into();
        assert!(!other.fits("bash", text), "lines that are not the text's");
        let mut fewer = block.clone();
        fewer.lines.pop();
        assert!(!fewer.fits("bash", text));
    }
}
