//! The app: the screens and layers of the terminal UI, and the one place that decides who
//! gets an action. Keys become [`Action`]s through the keymap; background jobs report as
//! [`Msg::Job`]; what must happen outside (search, mouse, suspend) is queued as [`Effect`]s
//! for the event loop.
//!
//! An action is offered in this order (see [`App::act`]), and the first that takes it wins:
//! 1. app-wide actions: quit, help, search, mouse, suspend, redraw, switch screen, editing
//!    the text being typed;
//! 2. the prompt ([`super::prompt`]), which takes every action while it is open;
//! 3. the panel over the reader ([`super::panel`]);
//! 4. the reading commands of every screen: history, panels, bookmarks, copy, open, edit;
//! 5. the screen: library ([`super::library`]), search ([`super::search`]), reader with its
//!    find in page ([`super::reader`]) or help ([`super::help`]).
//!
//! A layer or screen changes only its own state and answers an [`Outcome`]; [`App::apply`]
//! carries it out (open a page, go back, say something, run an effect).

use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};

use super::data::{Library, Terms};
use super::env::Env;
use super::geometry::{self, Areas};
use super::help::HelpState;
use super::history::History;
use super::keys::{Keys, Press};
use super::library::TreeState;
use super::links;
use super::msg::{Effect, JobMsg, Message, Msg, Outcome, Screen};
use super::news::NewsState;
use super::pages::{Ctx, Pages};
use super::panel::{Panel, PanelKind};
use super::prompt::{Prompt, PromptKind};
use super::reader::Reader;
use super::search::SearchState;
use super::status::{Status, SyncState};
use crate::corpus::{Document, Parsed};
use crate::keymap::{Action, Key, Keymap};
use crate::theme::Theme;

/// The whole state of the terminal UI.
pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    pub env: Env,
    pub lib: Arc<Library>,
    pub screen: Screen,
    back: Vec<Screen>,
    pub tree: TreeState,
    pub search: SearchState,
    /// The page in the reader, history and bookmarks.
    pub pages: Pages,
    pub help: HelpState,
    pub news: NewsState,
    /// The outline, bookmarks or recent pages over the reader.
    pub panel: Option<Panel>,
    /// The one-line prompt over the status bar.
    pub prompt: Option<Prompt>,
    /// Sources, sync, banner: what the status bar tells about the knowledge base.
    pub status: Status,
    pub message: Option<Message>,
    /// Keys of an unfinished sequence.
    pub keys: Keys,
    pub size: (u16, u16),
    pub mouse: bool,
    pub quit: bool,
    /// A page to open once the library is loaded (`ken DOC`).
    pub want: Option<String>,
    /// Open a long page with its beginning first (`ken DOC`'s first frame).
    pub quick_head: bool,
    effects: Vec<Effect>,
}

impl App {
    pub fn new(env: Env, keymap: Keymap, theme: Theme, lib: Arc<Library>) -> App {
        let mut app = App {
            keymap,
            theme,
            pages: Pages::new(History::load(env.store.as_ref())),
            env,
            lib: Arc::new(Library::empty()),
            screen: Screen::Library,
            back: Vec::new(),
            tree: TreeState::default(),
            search: SearchState::default(),
            help: HelpState::default(),
            news: NewsState::default(),
            panel: None,
            prompt: None,
            status: Status::default(),
            message: None,
            keys: Keys::default(),
            size: (80, 24),
            mouse: true,
            quit: false,
            want: None,
            quick_head: false,
            effects: Vec::new(),
        };
        // An empty library stands in until the load job reports: nothing to search yet.
        let placeholder = lib.docs.is_empty() && !lib.guide;
        app.set_library(lib);
        if placeholder {
            app.effects.clear();
        }
        app
    }

    /// The effects queued since the last call.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message::error(text));
    }

    /// The rows of the banner, as the view draws it.
    pub fn banner_height(&self) -> u16 {
        self.status
            .banner
            .as_ref()
            .map_or(0, |b| geometry::banner_lines(b, self.size.0).len() as u16)
    }

    /// Where each part of the current screen goes.
    pub fn areas(&self) -> Areas {
        let find = self.pages.reader.as_ref().is_some_and(|r| r.find.is_some());
        geometry::areas(self.size, self.screen, self.banner_height(), find)
    }

    /// Rows for the list or page of the current screen.
    pub fn body_height(&self) -> usize {
        self.areas().body_rows()
    }

    /// Takes `lib` as the library shown and searched.
    pub fn set_library(&mut self, lib: Arc<Library>) {
        // A first real library (after none, or the guide) opens its top folders.
        let first = self.lib.docs.is_empty() || (self.lib.guide && !lib.guide);
        let replaced = std::mem::replace(&mut self.lib, lib.clone());
        self.effects.push(Effect::SearchIn { lib, replaced });
        self.with_pages(|p, c| p.new_library(c));
        let rows = self.body_height();
        self.tree.adopt(&self.lib, first, rows);
        if let Some(name) = self.want.take() {
            match self.lib.resolve(&name) {
                Some(i) => self.open_doc(i, None, Terms::default()),
                None if !self.lib.docs.is_empty() => self.error(format!("no page called {name}")),
                None => self.want = Some(name),
            }
        }
    }

    // ---- screens ------------------------------------------------------------------------

    fn push_screen(&mut self, s: Screen) {
        // Search is entered with the keys in the query (back from a page it is the list's).
        self.search.editing |= s == Screen::Search;
        if self.screen != s {
            self.back.retain(|x| *x != s);
            self.back.push(self.screen);
            self.screen = s;
        }
    }

    fn go_back(&mut self) {
        let from = self.screen;
        match self.back.pop() {
            Some(s) => self.screen = s,
            None => self.quit = true,
        }
        // Back from a page the results have the keys (`q`, `j`, `k`; `/` edits the query).
        if from == Screen::Reader && self.screen == Screen::Search {
            self.search.editing = false;
        }
    }

    /// Whether keys that are characters are typed into a field now.
    pub fn typing(&self) -> bool {
        self.prompt.is_some()
            || match self.screen {
                Screen::Search => self.search.editing,
                Screen::Library => self.tree.filtering,
                Screen::Reader => self.pages.reader.as_ref().is_some_and(Reader::finding),
                Screen::Help | Screen::News => false,
            }
    }

    /// The field being typed into: the prompt's, else the screen's.
    fn input(&mut self) -> Option<&mut String> {
        if let Some(p) = &mut self.prompt {
            return Some(&mut p.text);
        }
        match self.screen {
            Screen::Search => self.search.input(),
            Screen::Library => self.tree.input(),
            Screen::Reader => self.pages.reader.as_mut().and_then(Reader::input),
            Screen::Help | Screen::News => None,
        }
    }

    fn input_changed(&mut self) {
        let rows = self.body_height();
        if let Some(p) = &self.prompt {
            let blocks = self.pages.reader.as_ref().map_or(0, Reader::code_blocks);
            let out = p.changed(blocks);
            return self.close_unless_done(out, true);
        }
        match self.screen {
            Screen::Search => self.effects.push(self.search.input_changed()),
            Screen::Library => self.tree.input_changed(&self.lib, rows),
            Screen::Reader => {
                if let Some(r) = &mut self.pages.reader {
                    r.update_find(rows);
                }
            }
            Screen::Help | Screen::News => {}
        }
    }

    fn type_text(&mut self, s: &str) {
        if let Some(field) = self.input() {
            field.extend(s.chars().filter(|c| !c.is_control()));
            self.input_changed();
        }
    }

    // ---- actions ------------------------------------------------------------------------

    /// Does what an action does now: offered to each layer in turn, top first.
    pub fn act(&mut self, a: Action) {
        if self.global(a) {
            return;
        }
        let rows = self.body_height();
        if let Some(p) = &self.prompt {
            let out = p.act(a);
            return self.close_unless_done(out, true);
        }
        if self.screen == Screen::Reader
            && let Some(p) = &mut self.panel
        {
            let out = p.act(a, rows, &self.pages.history, self.pages.reader.as_ref());
            if !matches!(out, Outcome::Ignored) {
                return self.close_unless_done(out, false);
            }
        }
        if self.command(a) {
            return;
        }
        let out = self.screen_act(a, rows);
        self.apply(out);
    }

    /// The screen's own handling of an action.
    fn screen_act(&mut self, a: Action, rows: usize) -> Outcome {
        match self.screen {
            Screen::Library => self.tree.act(a, &self.lib, rows),
            Screen::Search => self.search.act(a, &self.lib, rows),
            Screen::Reader => match &mut self.pages.reader {
                Some(r) => r.act(a, rows, &self.keymap),
                None => match a {
                    Action::Back => Outcome::Back,
                    _ => Outcome::Ignored,
                },
            },
            Screen::Help => {
                let lines = self.help.lines(&self.keymap).len();
                self.help.act(a, rows, lines)
            }
            Screen::News => self.news.act(a, &self.lib, rows),
        }
    }

    /// The prompt's or panel's answer: it closes unless it answered `Done`.
    fn close_unless_done(&mut self, out: Outcome, prompt: bool) {
        if matches!(out, Outcome::Done) {
            return;
        }
        if prompt {
            self.prompt = None;
        } else if let Outcome::OpenPlace(p) = &out {
            // A bookmark or recent page whose page is gone keeps the panel open to say so.
            if self.lib.find(&p.source, &p.path).is_some() {
                self.panel = None;
            }
        } else if !matches!(out, Outcome::DeleteBookmark(_) | Outcome::ScrollTo(_))
            || self.panel.as_ref().is_some_and(Panel::closes_on_jump)
        {
            self.panel = None;
        }
        self.apply(out);
    }

    /// App-wide actions; false when the action is not one.
    fn global(&mut self, a: Action) -> bool {
        match a {
            Action::Quit => self.quit = true,
            Action::Help if self.screen == Screen::Help => self.go_back(),
            Action::Help => {
                self.help = HelpState::of(self.screen);
                self.push_screen(Screen::Help);
            }
            Action::Search => self.push_screen(Screen::Search),
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                self.effects.push(Effect::Mouse(self.mouse));
                let key = self.keymap.hint(self.screen.context(), a);
                self.message = Some(super::status::mouse(self.mouse, key));
            }
            Action::News => {
                self.news.loading = true;
                self.effects.push(Effect::News);
                self.push_screen(Screen::News);
            }
            Action::Suspend => self.effects.push(Effect::Suspend),
            Action::Redraw => self.effects.push(Effect::Redraw),
            Action::SwitchPane => {
                let next = self.screen.next(self.pages.reader.is_some());
                self.push_screen(next);
            }
            Action::DeleteChar | Action::ClearInput => {
                if let Some(f) = self.input() {
                    if a == Action::DeleteChar {
                        f.pop();
                    } else {
                        f.clear();
                    }
                    self.input_changed();
                }
            }
            _ => return false,
        }
        true
    }

    /// The reading commands, on every screen; false when the action is not one.
    fn command(&mut self, a: Action) -> bool {
        let page = self.pages.reader.as_ref();
        let out = match a {
            Action::HistoryBack | Action::HistoryForward => {
                self.with_pages(|p, c| p.step(c, a == Action::HistoryBack));
                Outcome::Done
            }
            Action::Outline | Action::Bookmarks | Action::Recent | Action::Problems => {
                let kind = match a {
                    Action::Outline => PanelKind::Outline,
                    Action::Bookmarks => PanelKind::Bookmarks,
                    Action::Problems => PanelKind::Problems,
                    _ => PanelKind::Recent,
                };
                let out = Panel::toggle(&mut self.panel, kind, &self.pages.history, page);
                if self.panel.is_some() {
                    self.push_screen(Screen::Reader);
                }
                out
            }
            Action::Bookmark => {
                let (h, now) = (&mut self.pages.history, self.status.now);
                h.bookmark(page, now, self.env.store.as_ref()).into()
            }
            Action::CopyBlock => match page.map_or(0, Reader::code_blocks) {
                0 => Message::info("no code blocks on this page").into(),
                _ => {
                    self.prompt = Some(Prompt::new(PromptKind::CopyBlock));
                    Outcome::Done
                }
            },
            Action::CopySection => Reader::copy_section(page),
            Action::CopyLocation => {
                let mut out = Outcome::Done;
                self.with_pages(|p, c| out = p.copy_location(c));
                out
            }
            Action::OpenLocation => {
                self.prompt = Some(Prompt::new(PromptKind::Open));
                Outcome::Done
            }
            Action::Report => {
                let mut out = None;
                self.with_pages(|p, c| out = Some(p.report(c)));
                out.unwrap_or(Outcome::Done)
            }
            Action::Edit => links::edit_open(page.map(|r| &r.doc), &self.env),
            _ => return false,
        };
        self.apply(out);
        true
    }

    /// Carries out what a layer or screen answered.
    fn apply(&mut self, out: Outcome) {
        let rows = self.body_height();
        match out {
            Outcome::Ignored | Outcome::Done | Outcome::Close => {}
            Outcome::Back => self.go_back(),
            Outcome::Quiet => self.message = None,
            Outcome::Say(m) => self.message = Some(m),
            Outcome::Effect(e, m) => {
                self.effects.push(e);
                if let Some(m) = m {
                    self.message = Some(m);
                }
            }
            Outcome::Open { doc, anchor, terms } => self.open_doc(doc, anchor.as_deref(), terms),
            Outcome::OpenPlace(p) => self.with_pages(|pages, c| {
                pages.open_place(c, &p, true);
            }),
            Outcome::Shown => {
                // The outline belongs to the page it was opened on.
                self.panel = self.panel.take().filter(|p| p.kind != PanelKind::Outline);
                self.push_screen(Screen::Reader);
            }
            Outcome::ScrollTo(line) => {
                if let Some(r) = &mut self.pages.reader {
                    r.scroll = line;
                    r.clamp(rows);
                }
            }
            Outcome::Link { url, follow } => self.with_pages(|p, c| p.link(c, &url, follow)),
            Outcome::Successor => self.with_pages(|p, c| p.successor(c)),
            Outcome::Copy { text, what } => {
                let out = links::copy(&text, &what, self.env.in_tmux);
                self.apply(out);
            }
            Outcome::CopyBlock(n) => {
                if let Some(out) = self.pages.reader.as_ref().map(|r| r.copy_block(n)) {
                    self.apply(out);
                }
            }
            Outcome::Anchor(a) => self.with_pages(|p, c| p.jump(c, &a)),
            Outcome::OpenLocation(text) => self.with_pages(|p, c| p.open_location(c, &text)),
            Outcome::DeleteBookmark(i) => {
                let history = &mut self.pages.history;
                if let Some(said) = history.delete_bookmark(i, self.env.store.as_ref()) {
                    Panel::shrunk(&mut self.panel, history.bookmarks.items.len());
                    self.message = Some(said);
                }
            }
        }
    }

    // ---- events -------------------------------------------------------------------------

    fn on_key(&mut self, ev: KeyEvent) {
        if ev.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        let Some(key) = Key::from_event(&ev) else {
            return;
        };
        if self.message.is_some() && self.keys.pending.is_empty() {
            self.message = None;
        }
        let typing = self.typing();
        match self
            .keys
            .press(key, &self.keymap, self.screen.context(), typing)
        {
            Press::Text(c) => self.type_text(&c.to_string()),
            Press::Act(a) => self.act(a),
            Press::Nothing => {}
        }
    }

    /// The wheel scrolls the screen itself, three rows a notch, under any panel.
    fn on_mouse(&mut self, m: MouseEvent) {
        let a = match m.kind {
            MouseEventKind::ScrollUp => Action::Up,
            MouseEventKind::ScrollDown => Action::Down,
            _ => return,
        };
        let rows = self.body_height();
        for _ in 0..3 {
            let out = self.screen_act(a, rows);
            self.apply(out);
        }
    }

    fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        let rows = self.body_height();
        if let Some(r) = &mut self.pages.reader {
            r.resize(w, &self.theme, rows);
        }
        self.tree.cursor.show(rows);
        self.search.show(rows);
        self.news.cursor.show(rows);
    }

    fn on_job(&mut self, j: JobMsg) {
        let rows = self.body_height();
        match j {
            JobMsg::Library(lib) => {
                self.status.loading = false;
                // The guide stays until a real library with pages arrives.
                if lib.docs.is_empty() && self.lib.guide {
                    return;
                }
                if !lib.guide {
                    self.status.banner = None;
                }
                self.set_library(lib);
                if !self.search.query.is_empty() {
                    self.effects.push(self.search.request());
                }
            }
            JobMsg::SearchDone { id, result, millis } => {
                self.search.answered(id, result, millis, rows);
            }
            JobMsg::Highlighted(h) => {
                if let Some(r) = self.pages.showing(&h.source, &h.path) {
                    r.highlighted(h.page, &self.theme, rows);
                }
            }
            JobMsg::SyncProgress { source, percent } => {
                self.status.sync = SyncState::Running { source, percent };
            }
            JobMsg::SyncDone(o) => {
                self.message = self
                    .status
                    .synced(o, self.lib.guide)
                    .or(self.message.take());
            }
            JobMsg::Notice(line) => self.message = Some(Message::error(line)),
            JobMsg::Changed { source, paths } => {
                self.with_pages(|p, c| p.changed_on_disk(c, &source, &paths));
            }
            JobMsg::News(all) => self.news.loaded(&all, self.status.now as i64, rows),
            JobMsg::Checked {
                generation,
                source,
                path,
                result,
            } => self.pages.checked(generation, source, path, result),
            JobMsg::Diffed(d) => {
                if let Some(r) = self.pages.showing(&d.source, &d.path) {
                    self.message = Some(r.diffed(d.result, &self.theme, rows));
                }
            }
        }
    }

    /// Takes in one message.
    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Mouse(m) => self.on_mouse(m),
            Msg::Paste(s) => self.type_text(&s.replace(['\n', '\r'], " ")),
            Msg::Resize(w, h) => self.resize(w, h),
            Msg::Action(a) => self.act(a),
            Msg::Job(j) => self.on_job(j),
            Msg::Tick(now) => self.status.now = now,
            Msg::Quit => self.quit = true,
        }
    }

    // ---- pages --------------------------------------------------------------------------

    /// Runs `f` on the pages with what opening a page needs, then does what it asks for.
    fn with_pages(&mut self, f: impl FnOnce(&mut Pages, &Ctx)) {
        let banner_rows = self.banner_height();
        let c = Ctx {
            lib: &self.lib,
            env: &self.env,
            theme: &self.theme,
            keymap: &self.keymap,
            size: self.size,
            banner_rows,
            quick: self.quick_head,
            now: self.status.now,
        };
        f(&mut self.pages, &c);
        for out in self.pages.take() {
            self.apply(out);
        }
    }

    /// Opens document `i` of the library, at `anchor`, highlighting `terms`.
    pub fn open_doc(&mut self, i: usize, anchor: Option<&str>, terms: Terms) {
        self.with_pages(|p, c| p.open_doc(c, i, anchor, terms));
    }

    /// Shows a page that has been read.
    pub fn show_page(&mut self, doc: Document, parsed: Parsed, anchor: Option<&str>, terms: Terms) {
        self.with_pages(|p, c| p.show(c, doc, parsed, anchor, terms));
    }

    /// Reads the open page again (after `$EDITOR`), keeping the place.
    pub fn reload_page(&mut self) {
        self.with_pages(|p, c| p.reload(c));
    }

    /// Remembers where the reader is (on quit).
    pub fn save_reading(&mut self) {
        self.with_pages(|p, c| p.save(c));
    }
}
