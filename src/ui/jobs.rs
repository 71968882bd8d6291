//! Background jobs: loading the library, syncing, searching, highlighting a page's code,
//! checking the pages shown, reading the news of the last sync, watching the local folders.
//! Each reports back as a [`Msg::Job`]. Search and highlighting each have one thread with a
//! single slot: the newest request wins (older ones still queued are skipped, and a stale
//! answer is dropped by the app). Checking has one thread too, which answers the newest
//! request first.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use super::data::{self, Library, Results, Searcher};
use super::msg::{Highlighted, JobMsg, Msg, SyncOutcome};
use super::page;
use crate::base::Base;
use crate::check::page::PageCheck;
use crate::config::Config;

/// Builds the searcher for a library. The search index plugs in here.
pub type SearcherFactory = Arc<dyn Fn(&Library) -> Arc<dyn Searcher> + Send + Sync>;

/// The library's pages indexed in memory (the guide, and tests): the index's own search.
pub fn memory_factory() -> SearcherFactory {
    Arc::new(|lib: &Library| memory_searcher(lib, None))
}

/// The search index of the knowledge base, brought up to date with the last good copies
/// first (as `ken search` does); the guide is indexed in memory. If the index cannot be
/// opened, the library is indexed in memory instead, and the search says why. What the
/// index has to say on the way (rebuilt, searched as it is) goes to the status bar through
/// `tx`, never to stderr.
pub fn index_factory(config: Config, tx: Sender<Msg>) -> SearcherFactory {
    Arc::new(move |lib: &Library| {
        if lib.guide {
            return memory_searcher(lib, None);
        }
        let base = Base::open(config.clone());
        let mut notice = |n: &str| {
            let _ = tx.send(Msg::Job(JobMsg::Notice(
                crate::sanitize::line(n, 0).into_owned(),
            )));
        };
        match crate::index::open_current(&base, &mut |_| {}, &mut notice) {
            Ok(ix) => Arc::new(data::IndexSearcher(ix)),
            Err(e) => memory_searcher(
                lib,
                Some(format!("search index: {e}; searching without it")),
            ),
        }
    })
}

/// A searcher over the library indexed in memory; one that answers with the problem when
/// even that fails.
fn memory_searcher(lib: &Library, notice: Option<String>) -> Arc<dyn Searcher> {
    match (data::memory_index(lib), notice) {
        (Ok(ix), None) => Arc::new(data::IndexSearcher(ix)),
        (Ok(ix), Some(notice)) => Arc::new(data::WithNotice {
            searcher: data::IndexSearcher(ix),
            notice,
        }),
        (Err(e), _) => Arc::new(Unavailable(e)),
    }
}

/// No search at all: every query answers with why.
struct Unavailable(String);

impl Searcher for Unavailable {
    fn search(&self, _query: &str, _limit: usize) -> Result<Results, String> {
        Err(self.0.clone())
    }
}

enum SearchJob {
    /// A new library, and the one it replaces (freed here, not on the UI thread).
    Library(Arc<Library>, Arc<Library>),
    Query {
        id: u64,
        query: String,
    },
}

/// A page to highlight.
struct HighlightJob {
    source: String,
    path: String,
    body: String,
}

/// A page to check, for the library of `generation`.
struct CheckJob {
    config: Config,
    generation: u64,
    source: String,
    path: String,
}

/// Handles to the job threads.
pub struct Jobs {
    tx: Sender<Msg>,
    search: Sender<SearchJob>,
    highlight: Sender<HighlightJob>,
    check: Sender<CheckJob>,
}

/// The most results pages a search returns.
pub const SEARCH_LIMIT: usize = 50;

impl Jobs {
    /// Starts the search thread; everything reports on `tx`.
    pub fn start(tx: Sender<Msg>, factory: SearcherFactory) -> Jobs {
        let (search, rx) = channel();
        let out = tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-search".into())
            .spawn(move || search_loop(rx, out, factory));
        let (highlight, rx) = channel();
        let out = tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-highlight".into())
            .spawn(move || highlight_loop(rx, out));
        let (check, rx) = channel();
        let out = tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-check".into())
            .spawn(move || check_loop(rx, out));
        Jobs {
            tx,
            search,
            highlight,
            check,
        }
    }

    /// Searches; the answer comes back as `SearchDone { id }`.
    pub fn search(&self, id: u64, query: String) {
        let _ = self.search.send(SearchJob::Query { id, query });
    }

    /// Gives the search thread a new library to search, and the one shown until now to
    /// free once the new one is searched (if nobody else holds it).
    pub fn library(&self, lib: Arc<Library>, replaced: Arc<Library>) {
        let _ = self.search.send(SearchJob::Library(lib, replaced));
    }

    /// Parses a page again with its code highlighted (syntect is slow to load and to run:
    /// never on the UI thread). One page at a time: a page still waiting when another is
    /// opened is skipped. The app keeps the answer only if that page is still open.
    pub fn highlight(&self, source: String, path: String, body: String) {
        let _ = self.highlight.send(HighlightJob { source, path, body });
    }

    /// Loads the library of the last good copies in the background.
    pub fn load(&self, config: Config) {
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-load".into())
            .spawn(move || {
                let lib = data::load_library(Base::open(config));
                let _ = tx.send(Msg::Job(JobMsg::Library(Arc::new(lib))));
            });
    }

    /// Reads what changed in the last sync of every source (`ken news --since last-sync`), in
    /// the background.
    pub fn news(&self, config: Config) {
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-news".into())
            .spawn(move || {
                let since = crate::history::news::Since::LastSync;
                let all = crate::history::news::all(&Base::open(config), &since);
                let _ = tx.send(Msg::Job(JobMsg::News(Arc::new(all))));
            });
    }

    /// Runs `ken check`'s rules over one page, judged against its source's last good copy,
    /// in the background; the answer comes back as `Checked` with the same `generation`.
    pub fn check(&self, config: Config, source: String, path: String, generation: u64) {
        let _ = self.check.send(CheckJob {
            config,
            generation,
            source,
            path,
        });
    }

    /// Reads a page before and after the last sync of its source, in the background.
    pub fn diff(&self, config: Config, source: String, path: String) {
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-diff".into())
            .spawn(move || {
                let result = super::diff::since_last_sync(&Base::open(config), &source, &path);
                let d = super::msg::Diffed {
                    source,
                    path,
                    result,
                };
                let _ = tx.send(Msg::Job(JobMsg::Diffed(d)));
            });
    }

    /// Watches every local-folder source while the UI runs (`notify`: inotify on Linux): a
    /// burst of changes, once quiet for a moment, makes the folder compared with its
    /// catalogue in full (`catalog::Check::Full`: only changed files are read), the index
    /// updated for the changed pages, the library reloaded, and the app told which pages
    /// changed (it re-reads the open one). A folder that cannot be watched is said in the
    /// status bar; `ken sync` still picks its edits up.
    ///
    /// Setting the watch up is itself work in proportion to the folder: a recursive inotify
    /// watch walks it and adds one watch per directory (0.7 s for the 8,700 directories of
    /// 40,000 pages), so it is done on the watching thread too, and the UI answers keys
    /// meanwhile. An edit made before a folder's watch is in place is picked up by the next
    /// `ken sync`, as before the UI started.
    pub fn watch(&self, config: Config) {
        let folders: Vec<(crate::config::SourceSpec, std::path::PathBuf)> = config
            .sources
            .iter()
            .filter_map(|s| match crate::source::location(s) {
                crate::source::Location::Dir(root) => Some((s.clone(), root)),
                crate::source::Location::Git(_) => None,
            })
            .collect();
        if folders.is_empty() {
            return;
        }
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-watch".into())
            .spawn(move || {
                let (events, rx) = channel::<()>();
                // The watcher lives as long as this thread.
                let Some(_watcher) = watch_folders(&config, &folders, events, &tx) else {
                    return;
                };
                while rx.recv().is_ok() {
                    // Wait for the burst (an editor's save is several events) to end.
                    while rx
                        .recv_timeout(std::time::Duration::from_millis(150))
                        .is_ok()
                    {}
                    folders_changed(&config, &folders, &tx);
                }
            });
    }

    /// Syncs every source in the background, then reloads the library if anything changed.
    pub fn sync(&self, config: Config) {
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-sync".into())
            .spawn(move || {
                let mut base = Base::open(config.clone());
                let mut last: Option<(String, u8)> = None;
                let progress_tx = tx.clone();
                let results = base.sync(false, &mut |name, t| {
                    let percent = (t.received_objects * 100)
                        .checked_div(t.total_objects)
                        .unwrap_or(0)
                        .min(100) as u8;
                    if last.as_ref() != Some(&(name.to_string(), percent)) {
                        last = Some((name.to_string(), percent));
                        let _ = progress_tx.send(Msg::Job(JobMsg::SyncProgress {
                            source: name.to_string(),
                            percent,
                        }));
                    }
                });
                let mut outcome = SyncOutcome::default();
                for r in &results {
                    match r {
                        Ok(s) => {
                            if s.action.moved() {
                                outcome.changed = true;
                            }
                        }
                        Err(e) => outcome.failures.push(e.to_string()),
                    }
                }
                outcome.sources = base.status();
                outcome.any_copy = config.sources.iter().any(|s| base.has_copy(s));
                if outcome.changed {
                    let lib = data::load_library(Base::open(config));
                    let _ = tx.send(Msg::Job(JobMsg::Library(Arc::new(lib))));
                }
                let _ = tx.send(Msg::Job(JobMsg::SyncDone(outcome)));
            });
    }
}

/// The watcher of the local folders, each event outside the data dir sent to `events`; a
/// folder that cannot be watched, or no watcher at all, is said on `tx`.
fn watch_folders(
    config: &Config,
    folders: &[(crate::config::SourceSpec, std::path::PathBuf)],
    events: Sender<()>,
    tx: &Sender<Msg>,
) -> Option<notify::RecommendedWatcher> {
    let data_dir = config.data_dir.path.clone();
    let mut watcher = match notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        // The data dir may lie inside a watched folder: ken's own writes are no edit.
        if let Ok(e) = e
            && e.paths.iter().any(|p| !p.starts_with(&data_dir))
            && !matches!(e.kind, notify::EventKind::Access(_))
        {
            let _ = events.send(());
        }
    }) {
        Ok(w) => w,
        Err(e) => {
            let _ = tx.send(Msg::Job(JobMsg::Notice(format!(
                "not watching the local folders ({e}); ken sync picks up their edits"
            ))));
            return None;
        }
    };
    for (spec, root) in folders {
        if let Err(e) = notify::Watcher::watch(&mut watcher, root, notify::RecursiveMode::Recursive)
        {
            let _ = tx.send(Msg::Job(JobMsg::Notice(
                crate::sanitize::line(
                    &format!(
                        "not watching {} ({e}); ken sync picks up its edits",
                        spec.name
                    ),
                    0,
                )
                .into_owned(),
            )));
        }
    }
    Some(watcher)
}

/// After a change on disk: each watched folder compared with its catalogue in full; when any
/// changed, the index brought up to date, the library reloaded and the app told.
fn folders_changed(
    config: &Config,
    folders: &[(crate::config::SourceSpec, std::path::PathBuf)],
    tx: &Sender<Msg>,
) {
    let base = Base::open(config.clone());
    // Compared with what the index reflects as well as with the catalogue: another ken (a
    // `ken search` in another terminal) may have brought the catalogue up to date first.
    let indexed = crate::index::SearchIndex::open(base.data_dir())
        .map(|ix| ix.meta())
        .unwrap_or_default();
    let mut changed = Vec::new();
    for (spec, _) in folders {
        let catalogued = crate::catalog::stored_id(base.data_dir(), &spec.name);
        let in_index = indexed.sources.get(&spec.name).map(|s| s.commit.clone());
        let after = base
            .copy_checked(spec, crate::catalog::Check::Full)
            .and_then(|c| c.id());
        match after {
            Ok(id) if Some(&id) != catalogued.as_ref() || Some(&id) != in_index.as_ref() => {
                changed.push((spec.name.clone(), in_index.or(catalogued), id))
            }
            Ok(_) => {}
            Err(e) => {
                let _ = tx.send(Msg::Job(JobMsg::Notice(
                    crate::sanitize::line(&e.to_string(), 0).into_owned(),
                )));
            }
        }
    }
    if changed.is_empty() {
        return;
    }
    let mut notice = |n: &str| {
        let _ = tx.send(Msg::Job(JobMsg::Notice(
            crate::sanitize::line(n, 0).into_owned(),
        )));
    };
    if let Err(e) = crate::index::try_update(&base, &mut |_| {}, &mut notice) {
        notice(&e.to_string());
    }
    for (source, before, after) in changed {
        let paths = before
            .and_then(|b| crate::catalog::changed_since(base.data_dir(), &source, &b, &after))
            .unwrap_or_default();
        let filter = base
            .spec(&source)
            .and_then(|s| crate::corpus::Filter::new(s).ok());
        let paths = paths
            .iter()
            .map(|rel| filter.as_ref().map_or(rel.clone(), |f| f.mounted(rel)))
            .collect();
        let _ = tx.send(Msg::Job(JobMsg::Changed { source, paths }));
    }
    let lib = data::load_library(base);
    let _ = tx.send(Msg::Job(JobMsg::Library(Arc::new(lib))));
}

fn search_loop(rx: Receiver<SearchJob>, tx: Sender<Msg>, factory: SearcherFactory) {
    let mut searcher: Option<Arc<dyn Searcher>> = None;
    let mut pending: Option<(u64, String)> = None;
    while let Ok(first) = rx.recv() {
        // Take everything queued: the newest library and the newest query win.
        let mut jobs = vec![first];
        while let Ok(j) = rx.try_recv() {
            jobs.push(j);
        }
        let mut new_lib = None;
        let mut replaced = Vec::new();
        for j in jobs {
            match j {
                SearchJob::Library(l, old) => {
                    new_lib = Some(l);
                    replaced.push(old);
                }
                SearchJob::Query { id, query } => pending = Some((id, query)),
            }
        }
        if let Some(l) = new_lib {
            searcher = Some(factory(&l));
        }
        drop(replaced);
        let Some(s) = &searcher else {
            continue;
        };
        let Some((id, query)) = pending.take() else {
            continue;
        };
        let t = Instant::now();
        let result = s.search(&query, SEARCH_LIMIT);
        let millis = t.elapsed().as_secs_f64() * 1000.0;
        if tx
            .send(Msg::Job(JobMsg::SearchDone { id, result, millis }))
            .is_err()
        {
            return;
        }
    }
}

fn highlight_loop(rx: Receiver<HighlightJob>, tx: Sender<Msg>) {
    while let Ok(mut job) = rx.recv() {
        // Only the newest page waiting is highlighted.
        while let Ok(newer) = rx.try_recv() {
            job = newer;
        }
        let done = Highlighted {
            page: page::highlighted(&job.body),
            source: job.source,
            path: job.path,
        };
        if tx.send(Msg::Job(JobMsg::Highlighted(done))).is_err() {
            return;
        }
    }
}

/// Checks the pages asked for, the newest request first. Each source's copy is read for
/// checking once per library ([`PageCheck::new`]: its catalogue, site and files), then every
/// page of it costs milliseconds; a request for a newer library drops what was read for the
/// older one (its copies may have moved).
fn check_loop(rx: Receiver<CheckJob>, tx: Sender<Msg>) {
    let mut generation = None;
    let mut copies: HashMap<String, Result<PageCheck, String>> = HashMap::new();
    let mut pending: Vec<CheckJob> = Vec::new();
    let bench = std::env::var_os("KEN_BENCH_CHECK_LOG");
    loop {
        if pending.is_empty() {
            match rx.recv() {
                Ok(job) => pending.push(job),
                Err(_) => return,
            }
        }
        while let Ok(job) = rx.try_recv() {
            pending.retain(|p| {
                (p.generation, &p.source, &p.path) != (job.generation, &job.source, &job.path)
            });
            pending.push(job);
        }
        let Some(job) = pending.pop() else {
            continue;
        };
        if generation != Some(job.generation) {
            generation = Some(job.generation);
            copies.clear();
        }
        let start = Stopwatch::start();
        let mut read = None;
        let checker = copies.entry(job.source.clone()).or_insert_with(|| {
            let base = Base::open(job.config.clone());
            let c = match base.spec(&job.source) {
                Some(spec) => PageCheck::new(&base, spec),
                None => Err(format!("{}: no such source", job.source)),
            };
            read = Some(start.elapsed());
            c
        });
        let page = Stopwatch::start();
        let result = match checker {
            Ok(c) => Ok(c.page(&job.path).findings),
            Err(e) => Err(e.clone()),
        };
        if let Some(log) = &bench {
            let ms = |(wall, cpu): (Duration, Duration)| {
                format!(
                    "{:.1}\t{:.1}",
                    wall.as_secs_f64() * 1e3,
                    cpu.as_secs_f64() * 1e3
                )
            };
            let line = format!(
                "{}\t{}\t{}\t{}\n",
                job.path,
                read.map_or_else(|| "-\t-".to_string(), ms),
                ms(page.elapsed()),
                result.as_ref().map_or(0, Vec::len)
            );
            bench_log(log, &line);
        }
        let done = JobMsg::Checked {
            generation: job.generation,
            source: job.source,
            path: job.path,
            result,
        };
        if tx.send(Msg::Job(done)).is_err() {
            return;
        }
    }
}

/// Wall-clock and this thread's CPU time since a moment, for the problems job's benchmark.
struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch {
            wall: Instant::now(),
            cpu: thread_cpu(),
        }
    }

    fn elapsed(&self) -> (Duration, Duration) {
        (self.wall.elapsed(), thread_cpu().saturating_sub(self.cpu))
    }
}

/// CPU time this thread has used (Linux: /proc/thread-self/schedstat; zero elsewhere).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// For the problems job's benchmark (docs/performance.md, `KEN_BENCH_CHECK_LOG=FILE`): one
/// line per page checked, appended to FILE (never stderr: the UI owns the terminal): the
/// page, the wall and CPU milliseconds of reading its copy for checking (`-` when read
/// before), of checking the page, and how many findings it has.
fn bench_log(file: &std::ffi::OsStr, line: &str) {
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
    {
        let _ = f.write_all(line.as_bytes());
    }
}
