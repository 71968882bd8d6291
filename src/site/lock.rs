//! `site.lock`: the exact commit of every repository of a site after a sync, one
//! `repo url commit` line each, so a past state of the site can be named and rebuilt.
//!
//! The file is for people too: plain text, `#` comments, one line per repository. It is
//! written through a temporary file in the same folder, flushed to disk, renamed over the
//! old one and the folder flushed, so a crash leaves the old lock or the new one, never a
//! part of either.

use std::path::Path;

use super::SiteError;

/// The lock's file name, in the data dir.
pub const LOCK_FILE: &str = "site.lock";

const HEADER: &str = "# ken site lock: repository, URL and commit of each repository of the site, \
                      written after every sync\n";

/// One repository's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEntry {
    /// The manifest's `repo` field (or the site's source name for the site itself).
    pub repo: String,
    /// The URL it was fetched from.
    pub url: String,
    pub commit: git2::Oid,
}

/// The whole lock, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    pub entries: Vec<LockEntry>,
}

impl Lock {
    /// Parses the lock's text; `file` names it in errors (`site.lock:3: …`).
    pub fn parse(file: &str, text: &str) -> Result<Lock, SiteError> {
        let mut entries: Vec<LockEntry> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let err = |message: String| SiteError::Lock {
                file: file.to_string(),
                line: i + 1,
                message,
            };
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [repo, url, commit] = fields[..] else {
                return Err(err(format!(
                    "expected `repo url commit`, found {} fields",
                    fields.len()
                )));
            };
            let commit = parse_commit(commit).ok_or_else(|| {
                err(format!(
                    "`{}` is not a commit id (40 hex digits)",
                    crate::sanitize::line(commit, 0)
                ))
            })?;
            if entries.iter().any(|e| e.url == url) {
                return Err(err(format!(
                    "{} is locked twice",
                    crate::sanitize::line(url, 0)
                )));
            }
            entries.push(LockEntry {
                repo: repo.to_string(),
                url: url.to_string(),
                commit,
            });
        }
        Ok(Lock { entries })
    }

    /// The lock's text. Fails, naming the entry, if a field would not survive a round trip
    /// (empty, or holding whitespace or control characters).
    pub fn render(&self) -> Result<String, SiteError> {
        let mut out = String::from(HEADER);
        for (i, e) in self.entries.iter().enumerate() {
            for (name, v) in [("repo", &e.repo), ("url", &e.url)] {
                if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(SiteError::Lock {
                        file: LOCK_FILE.to_string(),
                        line: i + 2,
                        message: format!(
                            "cannot write {name} `{}`: it is empty or holds whitespace",
                            crate::sanitize::line(v, 0)
                        ),
                    });
                }
            }
            out.push_str(&format!("{} {} {}\n", e.repo, e.url, e.commit));
        }
        Ok(out)
    }

    /// The commit locked for `url`, if any.
    pub fn commit_of(&self, url: &str) -> Option<git2::Oid> {
        self.entries.iter().find(|e| e.url == url).map(|e| e.commit)
    }

    /// Reads the lock at `path`; `None` when there is none yet.
    pub fn read(path: &Path) -> Result<Option<Lock>, SiteError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Lock::parse(&path.display().to_string(), &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SiteError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Writes the lock to `path` atomically (`durable::write`: temporary file, fsync, rename,
    /// fsync of the folder; a killed writer's temporary file is removed by the next write),
    /// creating the folder if needed.
    pub fn write(&self, path: &Path) -> Result<(), SiteError> {
        let text = self.render()?;
        crate::durable::write(path, text.as_bytes(), crate::durable::Sync::Yes, None).map_err(
            |source| SiteError::Io {
                path: path.to_path_buf(),
                source,
            },
        )
    }
}

/// A full commit id; `git2::Oid::from_str` alone would accept a prefix.
fn parse_commit(s: &str) -> Option<git2::Oid> {
    if s.len() != 40 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    git2::Oid::from_str(s).ok()
}
