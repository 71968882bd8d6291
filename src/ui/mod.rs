//! The terminal UI: library, live search and reader.
//!
//! [`app`] holds the state and changes it; [`views`] draw it; [`jobs`] run sync, loading,
//! search and highlighting off the UI thread; [`terminal`] owns the terminal (set-up, restore,
//! signals, input, suspend, the editor). This module starts it all and runs the event loop:
//! [`msg::Msg`]s in, in batches, [`msg::Effect`]s out, one frame drawn per batch.

pub mod app;
pub mod cursor;
pub mod data;
pub mod diff;
pub mod env;
pub mod fresh;
pub mod geometry;
pub mod help;
pub mod history;
pub mod jobs;
pub mod keys;
pub mod library;
pub mod links;
pub mod msg;
pub mod news;
pub mod page;
pub mod pages;
pub mod panel;
pub mod problems;
pub mod prompt;
pub mod reader;
pub mod search;
pub mod status;
pub mod terminal;
pub mod views;
pub mod widgets;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use crate::base::Base;
use crate::config::Config;
use crate::keymap::Keymap;
use crate::theme::{Depth, Theme};
use app::App;
use jobs::Jobs;
use msg::{Effect, Msg};
use terminal::Tty;

/// How the UI was asked to start.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A page to open at once (`ken DOC`).
    pub doc: Option<String>,
    pub offline: bool,
    /// `--keymap`, over the config.
    pub keymap: Option<String>,
    /// `--theme`, over the config.
    pub theme: Option<String>,
    /// `--color never`.
    pub no_color: bool,
}

/// Runs the terminal UI until the user quits.
pub fn run(config: Config, opts: Options) -> anyhow::Result<ExitCode> {
    let (tx, rx) = channel();
    let jobs = Jobs::start(tx.clone(), jobs::index_factory(config.clone(), tx.clone()));
    let (mut app, background) = start(&config, &opts);

    terminal::capture_stderr(tx.clone())?;
    let mut tty = Tty::enter()?;
    let size = tty.term.size()?;
    app.update(Msg::Resize(size.width, size.height));
    if let Some(name) = &opts.doc {
        open_named(&mut app, &config, name);
    }
    terminal::watch_signals(tx.clone())?;
    terminal::read_input(tx.clone())?;
    drop(tx);

    tty.term.draw(|f| views::draw(&app, f))?;
    // `ken DOC`'s page goes into history once it is on the screen.
    app.save_reading();
    // For the first-frame benchmark (docs/performance.md): leave once the first frame is out.
    if std::env::var_os("KEN_BENCH_FIRST_FRAME").is_none() {
        // Loading and syncing start once the first frame is out, so that they do not compete
        // with it for the CPU.
        if background.load {
            jobs.load(config.clone());
        }
        if background.sync {
            jobs.sync(config.clone());
        }
        jobs.watch(config.clone());
        event_loop(&mut app, &jobs, &rx, &mut tty, &config)?;
    }
    app.save_reading();
    drop(tty);
    Ok(terminal::exit_code())
}

/// The background work to start after the first frame.
struct Background {
    load: bool,
    sync: bool,
}

/// The app as it starts: keymap, theme, the library (or the guide), reading state, the
/// sources' status and the banner.
fn start(config: &Config, opts: &Options) -> (App, Background) {
    let depth = if opts.no_color {
        Depth::None
    } else {
        Depth::detect()
    };
    let mut problems = Vec::new();
    let (keymap, p) = Keymap::load(
        opts.keymap.as_deref().unwrap_or(&config.keymap),
        &config.config_dir.path,
    );
    problems.extend(p);
    let (theme, p) = Theme::load(
        opts.theme.as_deref().unwrap_or(&config.theme),
        &config.config_dir.path,
        depth,
    );
    problems.extend(p);

    let base = Base::open(config.clone());
    let any_copy = config.sources.iter().any(|s| base.has_copy(s));
    let sync = !opts.offline && config.sync_on_start;
    let lib = if any_copy {
        data::Library::empty()
    } else {
        data::guide_library()
    };
    let env = env::Env {
        specs: config.sources.clone(),
        branches: crate::state::State::load(&config.data_dir.path)
            .sources
            .into_iter()
            .filter_map(|(name, s)| Some((name, s.branch?)))
            .collect(),
        in_tmux: crate::clipboard::in_tmux(),
        store: Some(crate::store::Store::new(&config.data_dir.path)),
    };
    let mut app = App::new(env, keymap, theme, Arc::new(lib));
    app.status.sources = base.status();
    app.status.now = crate::state::now();
    app.status.offline = opts.offline;
    if !any_copy {
        let first = config
            .sources
            .first()
            .map_or("no source", |s| s.name.as_str());
        app.status.banner = Some(if sync {
            format!(
                "Fetching {first} for the first time; ken's built-in guide meanwhile. The \
                 library appears here when the fetch is done."
            )
        } else {
            status::guide_banner(&format!("{first} was never synced and ken is offline"))
        });
    } else {
        app.status.loading = true;
    }
    if sync {
        app.status.sync = status::SyncState::Running {
            source: config
                .sources
                .first()
                .map_or(String::new(), |s| s.name.clone()),
            percent: 0,
        };
    }
    // A damaged state, history or bookmarks file set aside while loading (one line each).
    problems.extend(crate::durable::take_notices());
    if let Some(p) = problems.first() {
        app.error(p.clone());
    }
    let background = Background {
        load: any_copy,
        sync,
    };
    (app, background)
}

/// `ken DOC`: the page read straight from the last good copy, so that the first frame does
/// not wait for the library; else looked up once the library is in.
fn open_named(app: &mut App, config: &Config, name: &str) {
    let base = Base::open(config.clone());
    let direct = base.find_direct(name).map(|found| {
        let mut found = found.map_err(|e| e.to_string())?;
        let parsed = base.read_found(&mut found).map_err(|e| e.to_string())?;
        Ok::<_, String>((found, parsed))
    });
    match direct {
        Some(Ok((found, parsed))) => {
            app.quick_head = true;
            app.show_page(
                found.doc,
                parsed,
                found.anchor.as_deref(),
                data::Terms::default(),
            );
            app.quick_head = false;
        }
        Some(Err(e)) => app.error(e),
        None => {
            // Perhaps in the guide, or named differently: try again once the library is in.
            let any_copy = config.sources.iter().any(|s| base.has_copy(s));
            match app.lib.resolve(name) {
                Some(i) => app.open_doc(i, None, data::Terms::default()),
                None if any_copy => app.want = Some(name.to_string()),
                None => app.error(format!("no page called {name}")),
            }
        }
    }
}

/// Takes in messages in batches, runs the effects they asked for, and draws once a batch,
/// until the app quits or the terminal is gone.
fn event_loop(
    app: &mut App,
    jobs: &Jobs,
    rx: &Receiver<Msg>,
    tty: &mut Tty,
    config: &Config,
) -> anyhow::Result<()> {
    // The first frame is out already.
    let mut dirty = false;
    loop {
        for e in app.take_effects() {
            dirty |= run_effect(e, app, jobs, tty, config)?;
        }
        if dirty && tty.term.draw(|f| views::draw(app, f)).is_err() {
            break; // the terminal is gone
        }
        if app.quit {
            break;
        }
        let mut msgs = match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(m) => vec![m],
            Err(RecvTimeoutError::Timeout) => Vec::new(),
            Err(RecvTimeoutError::Disconnected) => break,
        };
        while let Ok(m) = rx.try_recv() {
            msgs.push(m);
        }
        dirty = !msgs.is_empty();
        // Many resizes in one batch: only the last one counts.
        let mut resize = None;
        for m in msgs {
            match m {
                Msg::Resize(w, h) => resize = Some((w, h)),
                m => app.update(m),
            }
        }
        if let Some((w, h)) = resize {
            app.update(Msg::Resize(w, h));
        }
        let now = crate::state::now();
        if now / 60 != app.status.now / 60 {
            app.update(Msg::Tick(now));
            dirty = true;
        }
    }
    Ok(())
}

/// Does what the app asked for; true when the screen must be drawn again.
fn run_effect(
    e: Effect,
    app: &mut App,
    jobs: &Jobs,
    tty: &mut Tty,
    config: &Config,
) -> anyhow::Result<bool> {
    match e {
        Effect::Search { id, query } => jobs.search(id, query),
        Effect::SearchIn { lib, replaced } => jobs.library(lib, replaced),
        Effect::Highlight { source, path, body } => jobs.highlight(source, path, body),
        Effect::Mouse(on) => tty.mouse(on),
        Effect::Write(bytes) => tty.write(&bytes),
        Effect::News => jobs.news(config.clone()),
        Effect::Diff { source, path } => jobs.diff(config.clone(), source, path),
        Effect::Check {
            source,
            path,
            generation,
        } => jobs.check(config.clone(), source, path, generation),
        Effect::Suspend => {
            tty.suspend(app.mouse)?;
            return Ok(true);
        }
        Effect::Redraw => {
            tty.redraw_all()?;
            return Ok(true);
        }
        Effect::Edit(path) => {
            match tty.edit(&path, app.mouse)? {
                Ok(()) => app.reload_page(),
                Err(e) => app.error(e),
            }
            return Ok(true);
        }
    }
    Ok(false)
}
