//! Fetching the repositories of a site: one bare mirror each, several at once.
//!
//! Each mirror is synced by `source::sync_mirror`, so each keeps every guarantee of a single
//! source (a first clone made in a temporary folder and renamed when complete, a forced
//! refspec, timeouts and retries); a repository that fails keeps its mirror as it was. The
//! work is spread over at most [`PARALLEL`] threads: a site of 19 small repositories is
//! bounded by round trips, not bandwidth, so fetching them side by side is what makes a
//! first sync fast.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use sha2::{Digest, Sha256};

use super::url::repo_key;
use crate::source::{self, SourceError, Synced, Transfer};

/// At most this many repositories are fetched at the same time.
pub const PARALLEL: usize = 6;

/// One repository to fetch into a mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub url: String,
    pub mirror: PathBuf,
}

/// The mirror folder names of a site's repositories, `OWNER+NAME.git` from the last two
/// parts of each URL (characters other than letters, digits, `.`, `_` and `-` become `-`).
/// Two URLs that would share a name (the same owner and name on two hosts) each get a
/// short hash of their URL added, so a name never depends on the order of the manifest.
pub fn mirror_names(urls: &[&str]) -> Vec<String> {
    let plain: Vec<String> = urls.iter().map(|u| plain_name(u)).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for n in &plain {
        *count.entry(n.as_str()).or_default() += 1;
    }
    plain
        .iter()
        .zip(urls)
        .map(|(n, u)| {
            if count[n.as_str()] > 1 {
                let hash = Sha256::digest(repo_key(u).as_bytes());
                let hex: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
                format!("{n}-{hex}.git")
            } else {
                format!("{n}.git")
            }
        })
        .collect()
}

fn plain_name(url: &str) -> String {
    let key = repo_key(url);
    let parts: Vec<&str> = key
        .rsplit(['/', ':'])
        .filter(|p| !p.is_empty())
        .take(2)
        .collect();
    let clean = |s: &str| -> String {
        let s = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .trim_start_matches('.')
            .to_string();
        if s.is_empty() { "_".to_string() } else { s }
    };
    match parts.as_slice() {
        [name, owner, ..] => format!("{}+{}", clean(owner), clean(name)),
        [name] => clean(name),
        [] => "repository".to_string(),
    }
}

enum Report {
    Progress(usize, Transfer),
    Done(usize, Result<Synced, SourceError>),
}

/// Syncs every mirror of `jobs` from its URL (each on its remote's default branch), at most
/// [`PARALLEL`] at a time, and returns each outcome in the order of `jobs`. `progress` is
/// called on the calling thread with the sum over all repositories and how many are done.
/// The caller holds the sync lock.
pub fn fetch_all(
    jobs: &[Fetch],
    progress: &mut dyn FnMut(Transfer),
) -> Vec<Result<Synced, SourceError>> {
    let total = jobs.len();
    let mut results: Vec<Option<Result<Synced, SourceError>>> = (0..total).map(|_| None).collect();
    if total == 0 {
        return Vec::new();
    }
    for dir in jobs.iter().filter_map(|j| j.mirror.parent()) {
        source::remove_temporaries(dir);
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<Report>();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(total) {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let r = fetch_one(&job.mirror, &job.url, &mut |t| {
                        let _ = tx.send(Report::Progress(i, t));
                    });
                    let _ = tx.send(Report::Done(i, r));
                }
            });
        }
        drop(tx);
        let mut each = vec![Transfer::default(); total];
        let mut done = 0;
        let sum = |each: &[Transfer], done: usize| Transfer {
            received_objects: each.iter().map(|t| t.received_objects).sum(),
            indexed_objects: each.iter().map(|t| t.indexed_objects).sum(),
            total_objects: each.iter().map(|t| t.total_objects).sum(),
            received_bytes: each.iter().map(|t| t.received_bytes).sum(),
            repos_done: done,
            repos_total: total,
        };
        progress(sum(&each, 0));
        // Ends when every worker has finished and dropped its sender.
        for report in rx {
            match report {
                Report::Progress(i, t) => each[i] = t,
                Report::Done(i, r) => {
                    results[i] = Some(r);
                    done += 1;
                }
            }
            progress(sum(&each, done));
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(SourceError::Other("the fetch did not finish".into()))))
        .collect()
}

/// One repository; a panic in libgit2's callbacks must not take the other fetches along.
fn fetch_one(
    mirror: &Path,
    url: &str,
    progress: &mut dyn FnMut(Transfer),
) -> Result<Synced, SourceError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        source::sync_mirror(mirror, None, url, progress)
    })) {
        Ok(r) => r,
        Err(_) => Err(SourceError::Other("the fetch failed unexpectedly".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_names_are_owner_plus_name_and_unique() {
        assert_eq!(
            mirror_names(&[
                "https://github.com/SovereignCloudStack/standards",
                "git://127.0.0.1:9418/SovereignCloudStack/release-notes.git",
                "git@github.com:Sovereign Cloud/x.git",
            ]),
            [
                "SovereignCloudStack+standards.git",
                "SovereignCloudStack+release-notes.git",
                "Sovereign-Cloud+x.git",
            ]
        );
        let names = mirror_names(&["https://github.com/a/b", "https://gitlab.com/a/b"]);
        assert_ne!(names[0], names[1]);
        assert!(names.iter().all(|n| n.starts_with("a+b-")), "{names:?}");
    }
}
