//! The terminal UI: library, live search and reader.
//!
//! [`app`] holds the one state and changes it; [`views`] draw it; [`jobs`] run sync, loading
//! and search off the UI thread; this module owns the terminal and the event loop: it turns
//! terminal events, job reports and signals into [`app::Msg`]s, draws once per batch, and
//! always gives the terminal back as it found it.

pub mod app;
pub mod data;
pub mod jobs;
pub mod page;
pub mod reading;
pub mod reading_views;
pub mod render;
pub mod views;

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::base::Base;
use crate::config::Config;
use crate::keymap::Keymap;
use crate::theme::{Depth, Theme};
use app::{App, Effect, Msg};
use jobs::{JobMsg, Jobs};

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

/// Gives the terminal back: raw mode off, main screen, cursor shown, mouse released.
/// Safe to call more than once and from a panic hook.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}

fn enter_terminal(mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Restores the terminal when dropped, however the UI ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// The signal that ended the UI, if one did.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

fn watch_signals(tx: Sender<Msg>) -> io::Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGCONT])?;
    std::thread::Builder::new()
        .name("ken-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let msg = if sig == SIGCONT {
                    Msg::Action(crate::keymap::Action::Redraw)
                } else {
                    SIGNAL.store(sig, Ordering::SeqCst);
                    Msg::Quit
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Reads terminal events on a thread of its own. When the terminal goes away (the SSH
/// connection dropped), reading fails and the UI is told to quit.
fn read_terminal(tx: Sender<Msg>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("ken-input".into())
        .spawn(move || {
            loop {
                let msg = match crossterm::event::read() {
                    Ok(Event::Key(k)) => Msg::Key(k),
                    Ok(Event::Mouse(m)) => Msg::Mouse(m),
                    Ok(Event::Paste(s)) => Msg::Paste(s),
                    Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                    Ok(_) => continue,
                    Err(_) => {
                        let _ = tx.send(Msg::Quit);
                        return;
                    }
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Clears the screen and makes the next frame draw every cell. (Not `Terminal::clear`: it asks
/// the terminal for the cursor position, a query whose answer the input thread would eat.)
fn redraw_all(terminal: &mut Terminal<CrosstermBackend<io::Stdout>>) -> io::Result<()> {
    execute!(
        io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // An empty frame: the screen is blank already, and the next frame differs everywhere.
    terminal.draw(|_| {})?;
    Ok(())
}

/// Runs the terminal UI until the user quits.
pub fn run(config: Config, opts: Options) -> anyhow::Result<ExitCode> {
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

    let (tx, rx) = channel();
    let jobs = Jobs::start(tx.clone(), jobs::index_factory(config.clone()));
    let lib = if any_copy {
        data::Library::empty()
    } else {
        data::guide_library()
    };
    let lib = Arc::new(lib);
    let mut app = App::new(keymap, theme, lib.clone());
    app.reading = reading::Reading::load(crate::store::Store::new(&config.data_dir.path));
    app.reading.specs = config.sources.clone();
    app.reading.branches = crate::state::State::load(&config.data_dir.path)
        .sources
        .into_iter()
        .filter_map(|(name, s)| Some((name, s.branch?)))
        .collect();
    app.reading.in_tmux = crate::clipboard::in_tmux();
    let routing_config = config.clone();
    app.reading.routing_of = Some(Arc::new(move |name: &str| {
        let spec = routing_config.sources.iter().find(|s| s.name == name)?;
        reading::source_routing(&Base::open(routing_config.clone()), spec)
    }));
    app.sources = jobs::source_status(&base);
    app.now = crate::state::now();
    app.offline = opts.offline;
    if !any_copy {
        let first = config
            .sources
            .first()
            .map_or("no source", |s| s.name.as_str());
        app.banner = Some(if sync {
            format!(
                "Fetching {first} for the first time; ken's built-in guide meanwhile. The \
                 library appears here when the fetch is done."
            )
        } else {
            app::guide_banner(&format!("{first} was never synced and ken is offline"))
        });
        jobs.library(lib);
    } else {
        app.loading = true;
    }
    if sync {
        app.sync = app::SyncState::Running {
            source: config
                .sources
                .first()
                .map_or(String::new(), |s| s.name.clone()),
            percent: 0,
        };
    }
    // Loading and syncing start once the first frame is out, so that they do not compete
    // with it for the CPU.
    let mut background = Some((any_copy, sync));
    if let Some(p) = problems.first() {
        app.error(p.clone());
    }

    install_panic_hook();
    enter_terminal(true)?;
    let _guard = TerminalGuard;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height));

    if let Some(name) = &opts.doc {
        match data::open_direct(&base, name) {
            Some((doc, parsed)) => {
                app.quick_head = true;
                app.show_page(doc, parsed, None, data::Terms::default());
                app.quick_head = false;
            }
            None => {
                // Perhaps in the guide, or named differently: try again once the library is in.
                match app.lib.resolve(name) {
                    Some(i) => app.open_doc(i, None, data::Terms::default()),
                    None if any_copy => app.want = Some(name.clone()),
                    None => app.error(format!("no page called {name}")),
                }
            }
        }
    }
    drop(base);

    watch_signals(tx.clone())?;
    read_terminal(tx.clone())?;
    drop(tx);

    // For the first-frame benchmark (docs/performance.md): leave once the first frame is out.
    let exit_after_first_frame = std::env::var_os("KEN_BENCH_FIRST_FRAME").is_some();
    let mut dirty = true;
    loop {
        if dirty {
            if terminal.draw(|f| views::draw(&app, f)).is_err() {
                break; // the terminal is gone
            }
            dirty = false;
            if exit_after_first_frame {
                break;
            }
            if let Some((load, sync)) = background.take() {
                if load {
                    jobs.load(config.clone());
                }
                if sync {
                    jobs.sync(config.clone());
                }
            }
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
        // Many resizes in one batch: only the last one counts.
        let mut resize = None;
        for m in msgs {
            dirty = true;
            match m {
                Msg::Resize(w, h) => resize = Some((w, h)),
                Msg::Job(JobMsg::Library(l)) => {
                    jobs.library(l.clone());
                    app.update(Msg::Job(JobMsg::Library(l)));
                }
                m => app.update(m),
            }
        }
        if let Some((w, h)) = resize {
            app.update(Msg::Resize(w, h));
        }
        let now = crate::state::now();
        if now / 60 != app.now / 60 {
            app.update(Msg::Tick(now));
            dirty = true;
        }
        for e in app.take_effects() {
            match e {
                Effect::Search { id, query } => jobs.search(id, query),
                Effect::Highlight { source, path, body } => jobs.highlight(source, path, body),
                Effect::Mouse(on) => {
                    let _ = if on {
                        execute!(io::stdout(), EnableMouseCapture)
                    } else {
                        execute!(io::stdout(), DisableMouseCapture)
                    };
                }
                Effect::Suspend => {
                    restore_terminal();
                    let _ = io::stdout().flush();
                    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
                    // Here again after `fg`.
                    enter_terminal(app.mouse)?;
                    redraw_all(&mut terminal)?;
                    dirty = true;
                }
                Effect::Redraw => {
                    redraw_all(&mut terminal)?;
                    dirty = true;
                }
                Effect::Write(bytes) => {
                    let mut out = io::stdout();
                    let _ = out.write_all(&bytes).and_then(|()| out.flush());
                }
                Effect::Edit(path) => {
                    restore_terminal();
                    let _ = io::stdout().flush();
                    if let Err(e) = edit_file(&path) {
                        app.error(e);
                    } else {
                        app.reload_page();
                    }
                    enter_terminal(app.mouse)?;
                    terminal.clear()?;
                    dirty = true;
                }
            }
        }
    }
    app.save_reading();
    drop(terminal);
    restore_terminal();
    let sig = SIGNAL.load(Ordering::SeqCst);
    Ok(if sig != 0 {
        ExitCode::from((128 + sig).clamp(0, 255) as u8)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `$VISUAL` or `$EDITOR` (else `vi`) on a file and waits for it.
fn edit_file(path: &std::path::Path) -> Result<(), String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    // `EDITOR="code --wait"`: the first word is the program, the rest its arguments.
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(path)
        .status()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} exited with {status}"))
    }
}
