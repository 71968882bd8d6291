//! One repository's part of a bundle: a git bundle in git's own v2 format
//! (`gitformat-bundle(5)`), which libgit2 has no API for. Written as the header lines and a
//! pack streamed from `PackBuilder`; read back by parsing the header and giving the pack to
//! an `Indexer`.

use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use git2::{Oid, Repository};

use super::BundleError;

/// The first line of a v2 git bundle.
pub(crate) const SIGNATURE: &str = "# v2 git bundle";
/// The longest header line read (an object id, a space and a ref name fit well within it).
const MAX_LINE: u64 = 1024;
/// The most header lines read.
const MAX_LINES: usize = 256;

/// Limits for libgit2's pack builder, as git config (libgit2 reads them from the repository's
/// configuration, see [`pack_config`]): the delta search window holds at most 32 MiB, and a
/// blob over 8 MiB is stored whole rather than searched for deltas. Without them, libgit2
/// keeps ten objects of any size in its window (half a GiB for a repository of 16 MiB
/// blobs). libgit2 1.9 reads the big-file threshold from `pack.deltaCacheSize` (a slip in
/// its `packbuilder_config`), so both names are set; git's name is kept for when that is
/// fixed.
const PACK_LIMITS: &str =
    "[pack]\n\twindowMemory = 33554432\n\tdeltaCacheSize = 8388608\n\tbigFileThreshold = 8388608\n";

/// A configuration for packing `mirror`: its own, plus [`PACK_LIMITS`] from a file in
/// `work` (nothing is written into the mirror).
pub(crate) fn pack_config(mirror: &Path, work: &Path) -> Result<git2::Config, BundleError> {
    let limits = work.join("pack-limits.config");
    std::fs::write(&limits, PACK_LIMITS).map_err(super::io_err(&limits))?;
    let mut cfg = git2::Config::new()?;
    let own = mirror.join("config");
    if own.is_file() {
        cfg.add_file(&own, git2::ConfigLevel::Local, false)?;
    }
    cfg.add_file(&limits, git2::ConfigLevel::App, false)?;
    Ok(cfg)
}

/// Writes a git bundle of `branch` at `tip`: everything reachable from `tip` that is not
/// reachable from `basis`, whose presence the receiver must then prove (a prerequisite).
/// Returns the number of objects in the pack.
pub(crate) fn write(
    repo: &Repository,
    branch: &str,
    tip: Oid,
    basis: Option<Oid>,
    out: &mut dyn Write,
) -> Result<usize, BundleError> {
    let mut head = format!("{SIGNATURE}\n");
    if let Some(b) = basis {
        // git writes the commit's subject after the id; it is optional, and leaving it out
        // keeps repository text out of the header.
        head.push_str(&format!("-{b}\n"));
    }
    head.push_str(&format!("{tip} refs/heads/{branch}\n{tip} HEAD\n\n"));
    let io = |e: io::Error| BundleError::Other(format!("writing a part: {e}"));
    out.write_all(head.as_bytes()).map_err(io)?;

    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    if let Some(b) = basis {
        walk.hide(b)?;
    }
    let mut pb = repo.packbuilder()?;
    // One thread per core for finding deltas.
    pb.set_threads(0);
    pb.insert_walk(&mut walk)?;
    let objects = pb.object_count();
    let mut failed = None;
    let r = pb.foreach(|chunk| match out.write_all(chunk) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    });
    if let Some(e) = failed {
        return Err(io(e));
    }
    r?;
    Ok(objects)
}

/// A part's header, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub prerequisites: Vec<Oid>,
    /// `(tip, ref name)` in the order written.
    pub refs: Vec<(Oid, String)>,
}

/// Reads a part's header up to and including its blank line, leaving `r` at the pack.
/// Errors are one phrase, for [`super::Refusal::Part`].
pub(crate) fn read_header(r: &mut dyn BufRead) -> Result<Header, String> {
    let mut line = Vec::new();
    let mut next = |line: &mut Vec<u8>| -> Result<String, String> {
        line.clear();
        let n = Read::take(&mut *r, MAX_LINE)
            .read_until(b'\n', line)
            .map_err(|e| format!("reading its git bundle header: {e}"))?;
        if n == 0 || line.last() != Some(&b'\n') {
            return Err("its git bundle header is cut short".into());
        }
        line.pop();
        String::from_utf8(std::mem::take(line))
            .map_err(|_| "its git bundle header is not text".to_string())
    };
    let first = next(&mut line)?;
    if first != SIGNATURE {
        return Err(format!(
            "not a v2 git bundle (it starts {:?})",
            first.chars().take(40).collect::<String>()
        ));
    }
    let mut h = Header {
        prerequisites: Vec::new(),
        refs: Vec::new(),
    };
    for _ in 0..MAX_LINES {
        let l = next(&mut line)?;
        if l.is_empty() {
            return Ok(h);
        }
        if let Some(rest) = l.strip_prefix('-') {
            let id = rest.split(' ').next().unwrap_or_default();
            h.prerequisites.push(oid(id)?);
        } else {
            let (id, name) = l
                .split_once(' ')
                .ok_or_else(|| format!("header line {l:?} names no ref"))?;
            h.refs.push((oid(id)?, name.to_string()));
        }
    }
    Err(format!("its git bundle header has over {MAX_LINES} lines"))
}

fn oid(s: &str) -> Result<Oid, String> {
    if s.len() != 40 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{s:?} is not an object id"));
    }
    Oid::from_str(s).map_err(|e| e.message().to_string())
}

/// Checks a part's header against its manifest entry: the same prerequisites, and exactly the
/// refs ken writes (`refs/heads/BRANCH` and `HEAD`, both at the tip).
pub(crate) fn check_header(h: &Header, entry: &super::RepoEntry) -> Result<(), String> {
    for (_, name) in &h.refs {
        let sane = name == "HEAD"
            || name
                .strip_prefix("refs/heads/")
                .is_some_and(super::branch_is_sane);
        if !sane {
            return Err(format!("ref {name:?} refused: not a sane branch ref"));
        }
        if name != "HEAD" && *name != format!("refs/heads/{}", entry.branch) {
            return Err(format!(
                "ref {name:?} refused: the manifest says branch {:?}",
                entry.branch
            ));
        }
    }
    let tip = Oid::from_str(&entry.tip).map_err(|e| e.message().to_string())?;
    let mut want = vec![
        (tip, format!("refs/heads/{}", entry.branch)),
        (tip, "HEAD".to_string()),
    ];
    let mut got = h.refs.clone();
    want.sort();
    got.sort();
    if got != want {
        return Err(format!(
            "its refs do not say what the manifest does (branch {:?} at {})",
            entry.branch, entry.tip
        ));
    }
    let mut want: Vec<String> = entry.prerequisites.clone();
    let mut got: Vec<String> = h.prerequisites.iter().map(|o| o.to_string()).collect();
    want.sort();
    got.sort();
    if got != want {
        return Err("its prerequisites are not the manifest's".into());
    }
    Ok(())
}
