//! Background jobs: loading the library, syncing, searching. Each runs on its own thread and
//! reports back as a [`Msg::Job`]; for search the newest request wins (older ones still queued
//! are skipped, and a stale answer is dropped by the app).

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use super::app::{Msg, SourceStatus};
use super::data::{self, Library, Results, Searcher};
use super::render::{self, Layout};
use crate::base::Base;
use crate::config::Config;

/// What a background job reports.
#[derive(Debug)]
pub enum JobMsg {
    /// The library was (re)loaded.
    Library(Arc<Library>),
    /// The answer to search request `id`.
    SearchDone {
        id: u64,
        result: Result<Results, String>,
        millis: f64,
    },
    /// The highlighted model of a page.
    Highlighted(Highlighted),
    /// Fetch progress of one source.
    SyncProgress { source: String, percent: u8 },
    /// The sync ended.
    SyncDone(SyncOutcome),
}

/// A page's model with its code highlighted.
pub struct Highlighted {
    pub source: String,
    pub path: String,
    pub model: Arc<dyn Layout>,
}

impl std::fmt::Debug for Highlighted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighted")
            .field("source", &self.source)
            .field("path", &self.path)
            .finish()
    }
}

/// How a sync ended.
#[derive(Debug, Clone, Default)]
pub struct SyncOutcome {
    /// One line per source that failed.
    pub failures: Vec<String>,
    /// Whether any source moved to a new commit (the library was reloaded).
    pub changed: bool,
    pub sources: Vec<SourceStatus>,
    /// Whether any source now has a copy.
    pub any_copy: bool,
}

/// Builds the searcher for a library. The search index plugs in here.
pub type SearcherFactory = Arc<dyn Fn(&Library) -> Arc<dyn Searcher> + Send + Sync>;

/// A scan of every page in memory: for the built-in guide, and tests.
pub fn scan_factory() -> SearcherFactory {
    Arc::new(|lib: &Library| Arc::new(data::ScanSearcher::build(lib)) as Arc<dyn Searcher>)
}

/// The search index of the knowledge base, brought up to date with the last good copies
/// first (as `ken search` does); the guide is scanned. If the index cannot be opened, the
/// pages are scanned instead, and the search says why.
pub fn index_factory(config: Config) -> SearcherFactory {
    Arc::new(move |lib: &Library| {
        if lib.guide {
            return Arc::new(data::ScanSearcher::build(lib)) as Arc<dyn Searcher>;
        }
        let base = Base::open(config.clone());
        match crate::index::open_current(&base, &mut |_| {}, &mut |_| {}) {
            Ok(ix) => Arc::new(data::IndexSearcher(ix)),
            Err(e) => Arc::new(
                data::ScanSearcher::build(lib)
                    .with_notice(format!("search index: {e}; searching without it")),
            ),
        }
    })
}

enum SearchJob {
    Library(Arc<Library>),
    Query { id: u64, query: String },
}

/// Handles to the job threads.
pub struct Jobs {
    tx: Sender<Msg>,
    search: Sender<SearchJob>,
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
        Jobs { tx, search }
    }

    /// Searches; the answer comes back as `SearchDone { id }`.
    pub fn search(&self, id: u64, query: String) {
        let _ = self.search.send(SearchJob::Query { id, query });
    }

    /// Gives the search thread a new library to search.
    pub fn library(&self, lib: Arc<Library>) {
        let _ = self.search.send(SearchJob::Library(lib));
    }

    /// Parses a page again with its code highlighted (syntect is slow to load and to run:
    /// never on the UI thread). The app keeps the answer only if that page is still open.
    pub fn highlight(&self, source: String, path: String, body: String) {
        let tx = self.tx.clone();
        let _ = std::thread::Builder::new()
            .name("ken-highlight".into())
            .spawn(move || {
                let model = render::model(&body);
                let _ = tx.send(Msg::Job(JobMsg::Highlighted(Highlighted {
                    source,
                    path,
                    model,
                })));
            });
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
                outcome.sources = source_status(&base);
                outcome.any_copy = config.sources.iter().any(|s| base.has_copy(s));
                if outcome.changed {
                    let lib = data::load_library(Base::open(config));
                    let _ = tx.send(Msg::Job(JobMsg::Library(Arc::new(lib))));
                }
                let _ = tx.send(Msg::Job(JobMsg::SyncDone(outcome)));
            });
    }
}

/// What the status bar shows about each source.
pub fn source_status(base: &Base) -> Vec<SourceStatus> {
    base.config
        .sources
        .iter()
        .map(|s| {
            let st = base.state.sources.get(&s.name).filter(|st| st.url == s.url);
            SourceStatus {
                name: s.name.clone(),
                commit: st.and_then(|st| st.commit.clone()),
                synced_at: st.and_then(|st| st.synced_at),
            }
        })
        .collect()
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
        for j in jobs {
            match j {
                SearchJob::Library(l) => new_lib = Some(l),
                SearchJob::Query { id, query } => pending = Some((id, query)),
            }
        }
        if let Some(l) = new_lib {
            searcher = Some(factory(&l));
        }
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
