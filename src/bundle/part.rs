//! One repository's part of a bundle: a git bundle in git's own v2 format
//! (`gitformat-bundle(5)`), which libgit2 has no API for. Written as the header lines and a
//! pack streamed from `PackBuilder`; read back by parsing the header and giving the pack to
//! an `Indexer`.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

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
    if basis.is_none()
        && let Some((pack, objects)) = whole_pack(repo.path())
    {
        // What git does too: a full part reuses what is packed, deltas and all, rather than
        // searching for them again (libgit2 cannot reuse a pack's deltas; searching costs
        // 0.25 s for the SCS docs, copying 15 ms).
        let mut f = std::fs::File::open(&pack).map_err(io)?;
        io::copy(&mut f, out).map_err(io)?;
        return Ok(objects);
    }

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

/// The mirror's pack and its object count, when that one pack is all the mirror holds (no
/// loose objects, no other pack, no alternates): then it holds everything reachable from the
/// tip, and perhaps a few objects more (history a force-push left behind), which a bundle
/// may carry. That is the mirror of a first clone, until its next fetch adds a pack.
fn whole_pack(repo: &Path) -> Option<(PathBuf, usize)> {
    let objects = repo.join("objects");
    if objects.join("info/alternates").exists() {
        return None;
    }
    for e in std::fs::read_dir(&objects).ok()?.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let loose = name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit());
        if loose && std::fs::read_dir(e.path()).ok()?.next().is_some() {
            return None;
        }
    }
    let mut packs = Vec::new();
    for e in std::fs::read_dir(objects.join("pack")).ok()?.flatten() {
        let p = e.path();
        match p.extension().and_then(|x| x.to_str()) {
            Some("pack") => packs.push(p),
            // Another pack being written, or kept: not the simple case.
            Some("keep") | Some("tmp") => return None,
            _ => {}
        }
    }
    let [pack] = packs.as_slice() else {
        return None;
    };
    if !pack.with_extension("idx").is_file() {
        return None;
    }
    // The pack header: "PACK", version 2 or 3, then the object count (big-endian).
    let mut head = [0u8; 12];
    let mut f = std::fs::File::open(pack).ok()?;
    f.read_exact(&mut head).ok()?;
    if &head[..4] != b"PACK" || !matches!(head[7], 2 | 3) || head[4..7] != [0, 0, 0] {
        return None;
    }
    let count = u32::from_be_bytes([head[8], head[9], head[10], head[11]]) as usize;
    Some((pack.clone(), count))
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
