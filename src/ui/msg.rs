//! The vocabulary between the UI's parts: what comes in ([`Msg`], with the background jobs'
//! reports as [`JobMsg`]), what a screen answers to an action ([`Outcome`]), and what the app
//! asks the event loop to do ([`Effect`]). It lives apart from the state so that the jobs, the
//! loop, the screens and the app depend on it, not on each other.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};

use super::data::{Library, Results, Terms};
use super::page::Page;
use crate::keymap::Action;
use crate::store::Place;

/// Something for the app to take in.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// An action, as if its key had been pressed.
    Action(Action),
    Job(JobMsg),
    /// The clock, for "synced 3 h ago".
    Tick(u64),
    /// A signal or the terminal going away: leave now.
    Quit,
}

/// What the event loop must do for the app.
#[derive(Debug, Clone)]
pub enum Effect {
    Search {
        id: u64,
        query: String,
    },
    /// Search this library from now on (the app decides which library is searched: the
    /// guide may stay while an empty library arrives). `replaced`, the library shown until
    /// now, goes with it to be freed on the search thread: freeing 40,000 pages is 40 ms.
    SearchIn {
        lib: Arc<Library>,
        replaced: Arc<Library>,
    },
    /// Highlight the code of the page open in the reader (the answer names it).
    Highlight {
        source: String,
        path: String,
        body: String,
    },
    Mouse(bool),
    Suspend,
    Redraw,
    /// Bytes for the terminal itself (OSC 52 copy), written between frames.
    Write(Vec<u8>),
    /// Edit a file in `$EDITOR`, then show the page again.
    Edit(PathBuf),
    /// Read what changed in the last sync (for the what's-new screen).
    News,
    /// Read a page before and after the last sync (for the reader's view of its changes).
    Diff {
        source: String,
        path: String,
    },
    /// Run `ken check`'s rules over one page, judged against its source's copy (for the
    /// problems it shows), for the library of `generation` ([`super::problems::Problems`]).
    Check {
        source: String,
        path: String,
        generation: u64,
    },
}

impl PartialEq for Effect {
    fn eq(&self, other: &Effect) -> bool {
        use Effect::*;
        match (self, other) {
            (Search { id: a, query: q }, Search { id: b, query: r }) => a == b && q == r,
            // The same library, not an equal one.
            (SearchIn { lib: a, .. }, SearchIn { lib: b, .. }) => Arc::ptr_eq(a, b),
            (
                Highlight { source, path, body },
                Highlight {
                    source: s,
                    path: p,
                    body: b,
                },
            ) => source == s && path == p && body == b,
            (Mouse(a), Mouse(b)) => a == b,
            (Suspend, Suspend) | (Redraw, Redraw) => true,
            (Write(a), Write(b)) => a == b,
            (Edit(a), Edit(b)) => a == b,
            (News, News) => true,
            (
                Check {
                    source,
                    path,
                    generation,
                },
                Check {
                    source: s,
                    path: p,
                    generation: g,
                },
            ) => source == s && path == p && generation == g,
            (Diff { source, path }, Diff { source: s, path: p }) => source == s && path == p,
            _ => false,
        }
    }
}

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
    /// Pages of a local folder changed on disk (paths as the reader sees them; empty when
    /// not known).
    Changed { source: String, paths: Vec<String> },
    /// A page before and after the last sync.
    Diffed(Diffed),
    /// The findings of `ken check`'s rules in one page, or why its source could not be
    /// checked; `generation` as asked.
    Checked {
        generation: u64,
        source: String,
        path: String,
        result: Result<Vec<crate::check::Finding>, String>,
    },
    /// What changed in the last sync, for the what's-new screen.
    News(Arc<crate::history::news::AllNews>),
    /// A line for the status bar: a job's notice (the search index brought up to date, or
    /// searched as it is and why), or a line something in the process wrote to stderr while
    /// the UI owned the terminal (sanitized).
    Notice(String),
}

/// A page before and after the last sync, or why there is nothing to compare.
#[derive(Debug)]
pub struct Diffed {
    pub source: String,
    pub path: String,
    pub result: Result<super::diff::Compared, String>,
}

/// A page parsed again with its code highlighted.
pub struct Highlighted {
    pub source: String,
    pub path: String,
    pub page: Arc<Page>,
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

/// What the status bar knows about a source (the library's, as `ken status` shows it).
pub use crate::library::SourceStatus;

/// The screens of the UI; the app keeps a stack of them for going back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Library,
    Search,
    Reader,
    Help,
    /// What's new since the last sync.
    News,
}

impl Screen {
    /// The keymap table of the screen.
    pub fn context(self) -> crate::keymap::Context {
        use crate::keymap::Context;
        match self {
            Screen::Library => Context::Library,
            Screen::Search => Context::Search,
            Screen::Reader => Context::Reader,
            Screen::Help => Context::Help,
            Screen::News => Context::News,
        }
    }

    /// The screen `switch_pane` goes to from this one (`page`: a page is open).
    pub fn next(self, page: bool) -> Screen {
        match self {
            Screen::Library => Screen::Search,
            Screen::Search if page => Screen::Reader,
            Screen::Search => Screen::Library,
            Screen::Reader | Screen::Help | Screen::News => Screen::Library,
        }
    }
}

/// A one-line message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

impl Message {
    pub fn info(text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            error: false,
        }
    }

    pub fn error(text: impl Into<String>) -> Message {
        Message {
            text: text.into(),
            error: true,
        }
    }
}

/// What a screen or layer answers to an action: what should happen next, for the app to do
/// (a screen never reaches into the app or into another screen).
#[derive(Debug)]
pub enum Outcome {
    /// Not this layer's action: offer it to the next one down.
    Ignored,
    /// Done, nothing else to do.
    Done,
    /// Go back a screen (from the first one: quit).
    Back,
    /// Close the layer that answered (the prompt or the panel).
    Close,
    /// Clear the status bar's message.
    Quiet,
    Say(Message),
    /// Run an effect, saying what happens.
    Effect(Effect, Option<Message>),
    /// Open document `doc` of the library at `anchor`, highlighting `terms`.
    Open {
        doc: usize,
        anchor: Option<String>,
        terms: Terms,
    },
    /// A new page is in the reader: show it.
    Shown,
    /// Open a place from history or bookmarks; the move is recorded in history.
    OpenPlace(Place),
    /// Scroll the reader to this line.
    ScrollTo(usize),
    /// Go to this anchor of the open page, a step in history.
    Anchor(String),
    /// The link with this URL in the open page was selected (`follow`: or followed).
    Link {
        url: String,
        follow: bool,
    },
    /// Copy text to the clipboard; `what` names it in the message.
    Copy {
        text: String,
        what: String,
    },
    /// Copy code block `n` of the open page.
    CopyBlock(usize),
    /// Open a page by URL, route or path.
    OpenLocation(String),
    /// Delete bookmark `i`.
    DeleteBookmark(usize),
    /// Open the standard that supersedes the open page.
    Successor,
}

impl From<Message> for Outcome {
    fn from(m: Message) -> Outcome {
        Outcome::Say(m)
    }
}
