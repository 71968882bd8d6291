//! `ken check --online`: the external `http(s)://` links of the pages, each URL asked once
//! (without its `#fragment`), by a bounded number of workers, each request with a timeout;
//! answers are remembered in a cache file in the data dir for a day.
//!
//! - `link/external-status`: the server answered with an error status (404, 410, 500, …).
//! - `link/external-unreachable` (a warning): no answer that says anything about the page — a
//!   timeout, a name that does not resolve, a refused connection, a TLS failure, 429 (rate
//!   limited) — named in the message, so a writer can tell a dead host from a slow one.
//!
//! A `HEAD` that the server refuses (405, 501, and 403/404 from some hosts that only serve
//! `GET`) is asked again with `GET`. Only answers that say the page is there are cached (as
//! lychee does): a broken link is asked again next time, so a fix is seen at once.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Finding, Pos};

/// How long a good answer is believed.
pub const CACHE_MAX_AGE: u64 = 24 * 60 * 60;
/// The cache file's name in the data dir.
pub const CACHE_FILE: &str = "check-links.json";
/// The most URLs asked at the same time.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The default time one request may take, redirects included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// An external link where it is written.
#[derive(Debug, Clone)]
pub struct External {
    pub url: String,
    pub file: String,
    pub at: Pos,
}

/// How to check.
#[derive(Debug, Clone)]
pub struct Online {
    pub concurrency: usize,
    pub timeout: Duration,
    /// Unix seconds now, for the cache.
    pub now: u64,
}

/// What a URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A status that says the page is there (2xx, or 3xx not followed further).
    Ok(u16),
    /// An error status.
    Status(u16),
    /// No useful answer: why.
    Unreachable(String),
}

/// The cache file: URL → when it last answered well, and with what.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    #[serde(default)]
    urls: BTreeMap<String, Cached>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    status: u16,
    checked_at: u64,
}

/// The URL asked for a link: without its fragment, which the server never sees.
fn asked(url: &str) -> &str {
    url.split('#').next().unwrap_or(url).trim()
}

/// Whether a link is one `--online` checks.
pub fn is_checked(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("https://") || u.starts_with("http://")
}

/// Checks every link of `links` (see the module text), using and updating the cache at
/// `cache`. A cache that cannot be read or written only costs time: the problem is
/// returned as a line for the caller to print.
pub fn check(links: &[External], opts: &Online, cache: &Path) -> (Vec<Finding>, Vec<String>) {
    let mut notes = Vec::new();
    let mut file = match crate::durable::read_json::<CacheFile>(cache, "starting a new one") {
        crate::durable::Read::Ok(c) => c,
        crate::durable::Read::Unreadable(e) => {
            notes.push(format!("{}: {e}", cache.display()));
            CacheFile::default()
        }
        _ => CacheFile::default(),
    };
    notes.extend(crate::durable::take_notices());
    file.urls
        .retain(|_, c| opts.now.saturating_sub(c.checked_at) < CACHE_MAX_AGE);
    let mut urls: Vec<&str> = links.iter().map(|l| asked(&l.url)).collect();
    urls.sort_unstable();
    urls.dedup();
    let todo: Vec<&str> = urls
        .iter()
        .copied()
        .filter(|u| !file.urls.contains_key(*u))
        .collect();
    let answers = ask_all(&todo, opts);
    let mut by_url: HashMap<&str, Answer> = HashMap::new();
    for u in &urls {
        if let Some(c) = file.urls.get(*u) {
            by_url.insert(u, Answer::Ok(c.status));
        }
    }
    for (u, a) in todo.iter().zip(answers) {
        if let Answer::Ok(status) = a {
            file.urls.insert(
                u.to_string(),
                Cached {
                    status,
                    checked_at: opts.now,
                },
            );
        }
        by_url.insert(u, a);
    }
    if !todo.is_empty() {
        let written = serde_json::to_vec_pretty(&file)
            .map_err(std::io::Error::other)
            .and_then(|b| crate::durable::write(cache, &b, crate::durable::Sync::No, None));
        if let Err(e) = written {
            notes.push(format!("{}: {e}", cache.display()));
        }
    }
    let mut out = Vec::new();
    for l in links {
        let shown = super::links::clip(&l.url, super::links::SHOWN);
        let finding = match by_url.get(asked(&l.url)) {
            Some(Answer::Status(code)) => Finding::new(
                super::LINK_EXTERNAL_STATUS,
                &l.file,
                l.at,
                format!(
                    "the link {shown:?} answers HTTP {code}{}",
                    reason(*code).map(|r| format!(" ({r})")).unwrap_or_default()
                ),
            ),
            Some(Answer::Unreachable(why)) => Finding::new(
                super::LINK_EXTERNAL_UNREACHABLE,
                &l.file,
                l.at,
                format!("the link {shown:?} could not be checked: {why}"),
            ),
            _ => continue,
        };
        out.push(finding.with_target(&shown, None));
    }
    (out, notes)
}

fn reason(code: u16) -> Option<&'static str> {
    Some(match code {
        400 => "bad request",
        401 => "needs a login",
        403 => "forbidden",
        404 => "not found",
        410 => "gone",
        500 => "server error",
        502 => "bad gateway",
        503 => "unavailable",
        504 => "gateway timeout",
        _ => return None,
    })
}

/// Asks every URL, `opts.concurrency` at a time: the answers in the order of `urls`.
fn ask_all(urls: &[&str], opts: &Online) -> Vec<Answer> {
    if urls.is_empty() {
        return Vec::new();
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!("ken-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let next = Mutex::new(0usize);
    let answers: Mutex<Vec<Option<Answer>>> = Mutex::new(vec![None; urls.len()]);
    let workers = opts.concurrency.clamp(1, 64).min(urls.len());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(url) = urls.get(i) else { break };
                    let a = ask(&agent, url);
                    answers.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(a);
                }
            });
        }
    });
    answers
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Answer::Unreachable("not asked".into())))
        .collect()
}

/// One URL: `HEAD`, and `GET` when the server will not answer `HEAD`.
fn ask(agent: &ureq::Agent, url: &str) -> Answer {
    match status(agent.head(url).call()) {
        Answer::Status(403 | 404 | 405 | 501) => status(agent.get(url).call()),
        a => a,
    }
}

fn status(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    match r {
        Ok(resp) => {
            let code = resp.status().as_u16();
            match code {
                429 => Answer::Unreachable("rate limited (HTTP 429); try again later".into()),
                c if c < 400 => Answer::Ok(c),
                c => Answer::Status(c),
            }
        }
        Err(e) => Answer::Unreachable(cause(&e)),
    }
}

/// The cause of a failed request in words.
fn cause(e: &ureq::Error) -> String {
    use ureq::Error as E;
    let text = match e {
        E::Timeout(_) => "timed out".to_string(),
        E::HostNotFound => "the host name does not resolve".to_string(),
        E::ConnectionFailed => "the connection was refused or failed".to_string(),
        E::TooManyRedirects => "too many redirects".to_string(),
        E::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => "timed out".to_string(),
        E::Io(io) => format!("{io}"),
        other => other.to_string(),
    };
    super::links::clip(&crate::sanitize::line(&text, 0), super::links::SHOWN)
}
