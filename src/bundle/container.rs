//! The outer container of a bundle: a tar archive with `manifest.json` first, the parts in
//! the manifest's order, and a `checksum` entry last, written and read as streams (a part is
//! never held in memory, so a bundle of any size works).
//!
//! The checksum is the sha256 of every byte before the `checksum` entry's header: the
//! manifest, every header and every byte of padding. What follows it (its own header, its
//! content and the end of the archive) is compared byte for byte with what ken writes. So one
//! flipped byte anywhere in the file is found, not only in the parts.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::{BundleError, CHECKSUM, MANIFEST, MAX_MANIFEST, Manifest, Refusal, io_err};

/// The tar block size.
const BLOCK: u64 = 512;
/// The `checksum` entry's content: 64 hex digits and a newline.
const CHECKSUM_LEN: u64 = 65;

/// The header ken writes for an entry: a plain ustar file header with fixed owner and mode,
/// so that the reader can rebuild it exactly.
fn header(name: &str, size: u64, mtime: u64) -> io::Result<tar::Header> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)?;
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    Ok(h)
}

/// A writer that hashes and counts what passes through.
struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hashes and counts what is written, for parts as they are made.
pub(crate) struct PartWriter<W> {
    inner: HashWriter<W>,
}

impl<W: Write> PartWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        PartWriter {
            inner: HashWriter {
                inner,
                hasher: Sha256::new(),
                written: 0,
            },
        }
    }
    /// The writer back, with the size and the sha256 (hex) of what went through.
    pub(crate) fn finish(self) -> (W, u64, String) {
        let hex = hex(&self.inner.hasher.finalize());
        (self.inner.inner, self.inner.written, hex)
    }
}

impl<W: Write> Write for PartWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the bundle `out`: the manifest as given, then each part file (which must match
/// the manifest's size and sha256), then the checksum. The file is made under a temporary
/// name beside `out`, synced, and renamed over it, so `out` is either complete or untouched.
pub(crate) fn write(
    out: &Path,
    manifest: &Manifest,
    parts: &[(String, PathBuf)],
) -> Result<u64, BundleError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Readable by others, as any file one writes (the umask still applies): a bundle is
    // meant to be carried to other nodes, and it holds nothing the mirrors do not.
    let tmp = tempfile::Builder::new()
        .prefix(".ken-bundle-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(&parent)
        .map_err(io_err(&parent))?;
    let writer = HashWriter {
        inner: io::BufWriter::with_capacity(1 << 16, tmp.as_file()),
        hasher: Sha256::new(),
        written: 0,
    };
    let mut tar = tar::Builder::new(writer);
    let e = io_err(out);
    let json =
        serde_json::to_vec_pretty(manifest).map_err(|err| BundleError::Other(err.to_string()))?;
    let mtime = manifest.created_at;
    let result = (|| -> io::Result<u64> {
        tar.append(&header(MANIFEST, json.len() as u64, mtime)?, &json[..])?;
        for (name, path) in parts {
            let file = File::open(path)?;
            let size = file.metadata()?.len();
            tar.append(
                &header(name, size, mtime)?,
                io::BufReader::with_capacity(1 << 16, file),
            )?;
        }
        // Everything so far, headers and padding included.
        let sum = format!("{}\n", hex(&tar.get_ref().hasher.clone().finalize()));
        tar.append(&header(CHECKSUM, CHECKSUM_LEN, mtime)?, sum.as_bytes())?;
        let mut w = tar.into_inner()?;
        w.flush()?;
        Ok(w.written)
    })();
    let size = result.map_err(e)?;
    tmp.as_file().sync_all().map_err(io_err(out))?;
    tmp.persist(out).map_err(|err| io_err(out)(err.error))?;
    if let Ok(dir) = File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(size)
}

/// Writes a bundle from a manifest and part files, filling in each part's size and sha256:
/// what [`create`](super::create) does once the parts are made, and what tests use to build
/// bundles whose manifest says anything at all.
pub fn pack(
    out: &Path,
    manifest: &Manifest,
    parts: &[(String, PathBuf)],
) -> Result<u64, BundleError> {
    let mut manifest = manifest.clone();
    for (name, path) in parts {
        let mut file = File::open(path).map_err(io_err(path))?;
        let mut w = PartWriter::new(io::sink());
        io::copy(&mut file, &mut w).map_err(io_err(path))?;
        let (_, size, sha) = w.finish();
        for r in &mut manifest.repositories {
            if r.part.as_deref() == Some(name.as_str()) {
                r.size = size;
                r.sha256 = sha.clone();
            }
        }
    }
    write(out, &manifest, parts)
}

/// Verifies a bundle and writes its parts into `dir` (as `dir/parts/N.bundle`); returns the
/// manifest and the part files, in order.
pub fn unpack(file: &Path, dir: &Path) -> Result<(Manifest, Vec<(String, PathBuf)>), BundleError> {
    let mut parts = Vec::new();
    let manifest = read(file, &mut |_, r, input| {
        let Some(name) = &r.part else {
            return Ok(());
        };
        let path = dir.join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io_err(p))?;
        }
        let mut out = File::create(&path).map_err(io_err(&path))?;
        io::copy(input, &mut out).map_err(io_err(&path))?;
        parts.push((name.clone(), path));
        Ok(())
    })?;
    Ok((manifest, parts))
}

/// What the reader has seen of the file: a hash of all bytes but the last [`BLOCK`] read (so
/// that, when a header has just been read, the hash covers exactly what precedes it), the
/// position, and whether anything after `zeros_from` was not zero.
struct Track {
    hasher: Sha256,
    pending: Vec<u8>,
    pos: u64,
    eof: bool,
    zeros_from: Option<u64>,
    nonzero_after: bool,
}

struct Tracker<R> {
    inner: R,
    track: Rc<RefCell<Track>>,
}

impl<R: Read> Read for Tracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut t = self.track.borrow_mut();
        if n == 0 && !buf.is_empty() {
            t.eof = true;
        }
        let data = &buf[..n];
        if let Some(from) = t.zeros_from {
            let skip = from.saturating_sub(t.pos).min(n as u64) as usize;
            if data[skip..].iter().any(|b| *b != 0) {
                t.nonzero_after = true;
            }
        }
        let delay = BLOCK as usize;
        if data.len() >= delay {
            let pending = std::mem::take(&mut t.pending);
            t.hasher.update(&pending);
            t.hasher.update(&data[..n - delay]);
            t.pending.extend_from_slice(&data[n - delay..]);
        } else {
            t.pending.extend_from_slice(data);
            if t.pending.len() > delay {
                let k = t.pending.len() - delay;
                let head: Vec<u8> = t.pending.drain(..k).collect();
                t.hasher.update(&head);
            }
        }
        t.pos += n as u64;
        Ok(n)
    }
}

/// A reader over one part that hashes and counts what is read.
struct PartReader<'a, R> {
    inner: &'a mut R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> Read for PartReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// What is done with each part while the bundle is read: `(index in the manifest, the
/// repository, the part's bytes)`. The part is checked against its sha256 after the callback
/// returns (what it left unread is read and hashed), and the whole file after the last one:
/// a callback must not make anything it writes count until [`read`] has returned `Ok`.
pub(crate) type OnPart<'a> =
    dyn FnMut(usize, &super::RepoEntry, &mut dyn Read) -> Result<(), BundleError> + 'a;

/// Reads and verifies a whole bundle, giving each part to `on_part`; returns the manifest
/// once every byte has been checked.
pub(crate) fn read(file: &Path, on_part: &mut OnPart<'_>) -> Result<Manifest, BundleError> {
    let f = File::open(file).map_err(io_err(file))?;
    let track = Rc::new(RefCell::new(Track {
        hasher: Sha256::new(),
        pending: Vec::with_capacity(2 * BLOCK as usize),
        pos: 0,
        eof: false,
        zeros_from: None,
        nonzero_after: false,
    }));
    let tracker = Tracker {
        inner: BufReader::with_capacity(1 << 16, f),
        track: track.clone(),
    };
    let refuse = |why: Refusal| BundleError::Refused {
        file: file.display().to_string(),
        why,
    };
    // A read that failed: at the end of the file it is a truncation, otherwise damage (a
    // header whose checksum is wrong, a size that is not a number).
    let broken = |e: io::Error| {
        if track.borrow().eof {
            refuse(Refusal::Truncated)
        } else {
            refuse(Refusal::Damaged(e.to_string()))
        }
    };
    let mut archive = tar::Archive::new(tracker);
    let manifest;
    let checksum_at;
    {
        let mut entries = archive.entries().map_err(broken)?.raw(true);
        let mut next =
            |what: &str| -> Result<Option<tar::Entry<'_, Tracker<BufReader<File>>>>, BundleError> {
                match entries.next() {
                    None => Ok(None),
                    Some(Ok(e)) => {
                        if e.header().entry_type() != tar::EntryType::Regular {
                            return Err(refuse(Refusal::Damaged(format!(
                                "{what}: not a plain file entry"
                            ))));
                        }
                        Ok(Some(e))
                    }
                    Some(Err(e)) => Err(broken(e)),
                }
            };
        let end = |track: &Rc<RefCell<Track>>| {
            if track.borrow().eof {
                refuse(Refusal::Truncated)
            } else {
                refuse(Refusal::Damaged("the archive ends early".into()))
            }
        };

        // 1. The manifest.
        let Some(mut first) = next(MANIFEST)? else {
            return Err(if track.borrow().pos == 0 {
                refuse(Refusal::NotABundle("the file is empty".into()))
            } else {
                end(&track)
            });
        };
        let name = String::from_utf8_lossy(&first.path_bytes()).into_owned();
        if name != MANIFEST {
            return Err(refuse(Refusal::NotABundle(format!(
                "its first entry is {name:?}, not {MANIFEST}"
            ))));
        }
        let size = first.size();
        if size > MAX_MANIFEST {
            return Err(refuse(Refusal::Manifest(format!(
                "{size} bytes is too big"
            ))));
        }
        let mut json = Vec::with_capacity(size as usize);
        first.read_to_end(&mut json).map_err(broken)?;
        if (json.len() as u64) < size {
            return Err(refuse(Refusal::Truncated));
        }
        drop(first);
        let m = parse_manifest(&json).map_err(refuse)?;

        // 2. The parts, in the manifest's order.
        for (i, r) in m.repositories.iter().enumerate() {
            let Some(part) = &r.part else { continue };
            let Some(mut entry) = next(part)? else {
                return Err(end(&track));
            };
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            if name != *part {
                return Err(if name == super::CHECKSUM {
                    refuse(Refusal::NotHeld {
                        repo: r.name.clone(),
                        part: part.clone(),
                    })
                } else {
                    refuse(Refusal::Damaged(format!(
                        "found entry {name:?} where {part} (repository {:?}) belongs",
                        r.name
                    )))
                });
            }
            if entry.size() != r.size {
                return Err(refuse(Refusal::Damaged(format!(
                    "{part} is {} bytes, the manifest says {}",
                    entry.size(),
                    r.size
                ))));
            }
            let mut pr = PartReader {
                inner: &mut entry,
                hasher: Sha256::new(),
                read: 0,
            };
            let given = on_part(i, r, &mut pr);
            // What the callback left is read too, so that a part that is cut short or damaged
            // is reported as such rather than as whatever the callback made of it.
            let drained = io::copy(&mut pr, &mut io::sink());
            if pr.read < r.size {
                return Err(refuse(Refusal::Truncated));
            }
            drained.map_err(broken)?;
            if hex(&pr.hasher.finalize()) != r.sha256 {
                return Err(refuse(Refusal::Damaged(format!(
                    "{part} (repository {:?}) does not match its sha256",
                    r.name
                ))));
            }
            given?;
        }

        // 3. The checksum of everything before its header.
        let Some(mut last) = next(CHECKSUM)? else {
            return Err(end(&track));
        };
        let expected = {
            let t = track.borrow();
            format!("{}\n", hex(&t.hasher.clone().finalize()))
        };
        let name = String::from_utf8_lossy(&last.path_bytes()).into_owned();
        if name != CHECKSUM {
            return Err(refuse(Refusal::Damaged(format!(
                "found entry {name:?} where the checksum belongs"
            ))));
        }
        let want = header(CHECKSUM, CHECKSUM_LEN, m.created_at).map_err(broken)?;
        if last.header().as_bytes()[..] != want.as_bytes()[..] {
            return Err(refuse(Refusal::Damaged("the checksum's header".into())));
        }
        let mut sum = Vec::new();
        (&mut last)
            .take(CHECKSUM_LEN)
            .read_to_end(&mut sum)
            .map_err(broken)?;
        if (sum.len() as u64) < CHECKSUM_LEN {
            return Err(refuse(Refusal::Truncated));
        }
        if sum != expected.as_bytes() {
            return Err(refuse(Refusal::Damaged(
                "the file does not match its checksum".into(),
            )));
        }
        {
            let mut t = track.borrow_mut();
            checksum_at = t.pos;
            t.zeros_from = Some(t.pos);
        }
        drop(last);
        if let Some(e) = entries.next() {
            let _ = e;
            return Err(refuse(Refusal::Damaged(
                "something follows the checksum".into(),
            )));
        }
        manifest = m;
    }
    // 4. The end of the archive: the checksum's padding and two zero blocks, nothing else.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(io_err(file))?;
    let t = track.borrow();
    let padded = checksum_at.div_ceil(BLOCK) * BLOCK;
    let end = padded + 2 * BLOCK;
    if t.pos < end {
        return Err(refuse(Refusal::Truncated));
    }
    if t.pos > end || t.nonzero_after {
        return Err(refuse(Refusal::Damaged(
            "unexpected bytes after the checksum".into(),
        )));
    }
    Ok(manifest)
}

/// The manifest's JSON, checked: the format and version first (so that a newer format with
/// other fields says so), then the fields, then [`Manifest::check`].
fn parse_manifest(json: &[u8]) -> Result<Manifest, Refusal> {
    let v: serde_json::Value = serde_json::from_slice(json)
        .map_err(|e| Refusal::Damaged(format!("{MANIFEST} is not valid JSON: {e}")))?;
    if v.get("format").and_then(|f| f.as_str()) != Some(super::FORMAT) {
        return Err(Refusal::NotABundle(format!(
            "{MANIFEST} does not say format {:?}",
            super::FORMAT
        )));
    }
    match v.get("version").and_then(|x| x.as_u64()) {
        Some(super::VERSION) => {}
        Some(n) => return Err(Refusal::Version(n)),
        None => return Err(Refusal::Manifest("no version".into())),
    }
    let m: Manifest = serde_json::from_value(v).map_err(|e| Refusal::Manifest(e.to_string()))?;
    m.check()?;
    Ok(m)
}
