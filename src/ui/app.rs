//! The one state of the terminal UI and everything that changes it. Keys become
//! [`Action`]s through the keymap; background jobs report as [`Msg::Job`]; what must happen
//! outside (search, mouse, suspend) is queued as [`Effect`]s for the event loop.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};

use super::data::{self, Library, Results};
use super::geometry::{self, Areas};
pub use super::msg::Screen;
use super::msg::{Effect, JobMsg, Msg, SourceStatus};
use super::page::{self, Page, Styled};
use crate::corpus::Document;
use crate::keymap::{Action, Context, Key, Keymap, Lookup};
use crate::sidebar::Node;
use crate::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Idle,
    Running { source: String, percent: u8 },
}

/// A one-line message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    Folder { open: bool, doc: Option<usize> },
    Page { doc: usize },
    Link { href: String },
}

/// One visible row of the library tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub depth: usize,
    /// Child indices from the root to this node.
    pub path: Vec<usize>,
    pub label: String,
    pub kind: RowKind,
    /// For filter results: the folders the row is in.
    pub context: Option<String>,
}

#[derive(Debug, Default)]
pub struct TreeState {
    pub expanded: HashSet<Vec<usize>>,
    pub rows: Vec<TreeRow>,
    pub selected: usize,
    pub offset: usize,
    pub filter: String,
    pub filtering: bool,
}

#[derive(Debug, Default)]
pub struct SearchState {
    pub query: String,
    pub results: Results,
    /// Index into the flattened (page, section) hits.
    pub selected: usize,
    pub offset: usize,
    /// The id of the newest request; older answers are dropped.
    pub requested: u64,
    /// The id of the answer on screen.
    pub shown: u64,
    pub millis: Option<f64>,
    pub error: Option<String>,
}

impl SearchState {
    /// (page, section) of every selectable hit, in order.
    pub fn items(&self) -> Vec<(usize, usize)> {
        self.results
            .pages
            .iter()
            .enumerate()
            .flat_map(|(p, ph)| (0..ph.sections.len().max(1)).map(move |s| (p, s)))
            .collect()
    }

    pub fn busy(&self) -> bool {
        self.requested != self.shown
    }
}

/// Rows a search hit takes on screen: a page's first hit also shows the page's title.
pub fn hit_height(section: usize) -> usize {
    if section == 0 { 3 } else { 2 }
}

#[derive(Debug, Default, Clone)]
pub struct Find {
    pub query: String,
    pub editing: bool,
    /// (line, byte range in the line's text) of every match.
    pub matches: Vec<(usize, Range<usize>)>,
    pub current: usize,
}

pub struct Reader {
    pub doc: Document,
    pub title: String,
    /// Front-matter facts for the header.
    pub facts: Vec<(String, String)>,
    /// The page, parsed once.
    pub page: Arc<Page>,
    /// The page laid out at `width`, and its lines styled by the theme: both made again only
    /// when the width or the page changes.
    pub layout: crate::markdown::Layout,
    pub styled: Styled,
    pub width: u16,
    pub scroll: usize,
    /// Words to highlight (from the search that opened the page).
    pub terms: data::Terms,
    pub find: Option<Find>,
    /// The selected link (index into `styled.links`).
    pub link: Option<usize>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.doc.path)
            .field("scroll", &self.scroll)
            .finish()
    }
}

impl Reader {
    /// The text of a laid-out line.
    pub fn line_text(&self, i: usize) -> String {
        self.layout.lines.get(i).map_or(String::new(), |l| l.text())
    }

    /// The number of lines at the current width.
    pub fn lines(&self) -> usize {
        self.layout.lines.len()
    }

    /// The parsed page: links, headings, code blocks.
    pub fn doc(&self) -> &crate::markdown::Document {
        &self.page.doc
    }

    /// The heading (index) the top of the screen is in.
    pub fn section(&self) -> Option<usize> {
        self.layout.section_at(self.scroll)
    }

    /// Lays the page out again at `width` (or a new page at the same width).
    fn relayout(&mut self, theme: &Theme) {
        self.layout = self.page.doc.layout(self.width as usize);
        self.styled = page::styled(&self.layout, theme);
    }
}

#[derive(Debug, Default)]
pub struct HelpState {
    pub of: Option<Screen>,
    pub scroll: usize,
}

/// The whole state of the terminal UI.
pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    pub lib: Arc<Library>,
    pub screen: Screen,
    back: Vec<Screen>,
    pub tree: TreeState,
    pub search: SearchState,
    pub reader: Option<Reader>,
    pub help: HelpState,
    pub sources: Vec<SourceStatus>,
    pub sync: SyncState,
    pub offline: bool,
    pub message: Option<Message>,
    /// A note above every screen (the built-in guide is showing, and why).
    pub banner: Option<String>,
    /// Keys of an unfinished sequence.
    pub pending: Vec<Key>,
    pub size: (u16, u16),
    pub mouse: bool,
    pub now: u64,
    pub quit: bool,
    /// A page to open once the library is loaded (`ken DOC`).
    pub want: Option<String>,
    /// The library is being read in the background.
    pub loading: bool,
    /// Open a long page with its beginning first (`ken DOC`'s first frame).
    pub quick_head: bool,
    pub(super) effects: Vec<Effect>,
    /// History, bookmarks, outline, prompts: see [`super::reading`].
    pub reading: super::reading::Reading,
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme, lib: Arc<Library>) -> App {
        let mut app = App {
            keymap,
            theme,
            lib: Arc::new(Library::empty()),
            screen: Screen::Library,
            back: Vec::new(),
            tree: TreeState::default(),
            search: SearchState::default(),
            reader: None,
            help: HelpState::default(),
            sources: Vec::new(),
            sync: SyncState::Idle,
            offline: false,
            message: None,
            banner: None,
            pending: Vec::new(),
            size: (80, 24),
            mouse: true,
            now: 0,
            quit: false,
            want: None,
            loading: false,
            quick_head: false,
            effects: Vec::new(),
            reading: Default::default(),
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
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    /// The rows of the banner, as the view draws it.
    pub fn banner_height(&self) -> u16 {
        self.banner
            .as_ref()
            .map_or(0, |b| geometry::banner_lines(b, self.size.0).len() as u16)
    }

    /// Where each part of the current screen goes.
    pub fn areas(&self) -> Areas {
        let find = self.reader.as_ref().is_some_and(|r| r.find.is_some());
        geometry::areas(self.size, self.screen, self.banner_height(), find)
    }

    /// Rows for the list or page of the current screen.
    pub fn body_height(&self) -> usize {
        self.areas().body_rows()
    }

    // ---- the library --------------------------------------------------------------------

    /// Takes `lib` as the library shown and searched.
    pub fn set_library(&mut self, lib: Arc<Library>) {
        self.effects.push(Effect::SearchIn(lib.clone()));
        // A first real library (after none, or the guide) opens its top folders.
        let first = self.lib.docs.is_empty() || (self.lib.guide && !lib.guide);
        self.lib = lib;
        if first {
            // Open the top folders, and the first one's own folders when there is one.
            self.tree.expanded.clear();
            for (i, n) in self.lib.tree.iter().enumerate() {
                if matches!(n, Node::Folder { .. }) {
                    self.tree.expanded.insert(vec![i]);
                }
            }
        }
        self.rebuild_rows();
        // Keep the open page pointing at the new copy.
        if let Some(name) = self.want.take() {
            match self.lib.resolve(&name) {
                Some(i) => self.open_doc(i, None, data::Terms::default()),
                None if !self.lib.docs.is_empty() => {
                    self.error(format!("no page called {name}"));
                }
                None => self.want = Some(name),
            }
        }
    }

    pub fn rebuild_rows(&mut self) {
        let mut rows = Vec::new();
        let filter = self.tree.filter.to_lowercase();
        fn walk(
            nodes: &[Node],
            path: &mut Vec<usize>,
            crumbs: &mut Vec<String>,
            app: &App,
            filter: &str,
            rows: &mut Vec<TreeRow>,
        ) {
            for (i, n) in nodes.iter().enumerate() {
                path.push(i);
                let open = app.tree.expanded.contains(path);
                let (kind, doc) = match n {
                    Node::Folder { doc, .. } => (
                        RowKind::Folder {
                            open: open || !filter.is_empty(),
                            doc: *doc,
                        },
                        *doc,
                    ),
                    Node::Page { doc, .. } => (RowKind::Page { doc: *doc }, Some(*doc)),
                    Node::Link { href, .. } => (RowKind::Link { href: href.clone() }, None),
                };
                let label = n.label().to_string();
                if filter.is_empty() {
                    rows.push(TreeRow {
                        depth: path.len() - 1,
                        path: path.clone(),
                        label: label.clone(),
                        kind,
                        context: None,
                    });
                } else {
                    let hay_path = doc
                        .and_then(|d| app.lib.docs.get(d))
                        .map(|d| d.path.to_lowercase());
                    let hit = !matches!(n, Node::Folder { doc: None, .. })
                        && (label.to_lowercase().contains(filter)
                            || hay_path.is_some_and(|p| p.contains(filter)));
                    if hit {
                        rows.push(TreeRow {
                            depth: 0,
                            path: path.clone(),
                            label: label.clone(),
                            kind: match n {
                                Node::Folder { doc: Some(d), .. } => RowKind::Page { doc: *d },
                                _ => kind,
                            },
                            context: Some(crumbs.join(" › ")),
                        });
                    }
                }
                if let Node::Folder { children, .. } = n
                    && (open || !filter.is_empty())
                {
                    crumbs.push(label);
                    walk(children, path, crumbs, app, filter, rows);
                    crumbs.pop();
                }
                path.pop();
            }
        }
        walk(
            &self.lib.tree,
            &mut Vec::new(),
            &mut Vec::new(),
            self,
            &filter,
            &mut rows,
        );
        self.tree.rows = rows;
        self.tree.selected = self
            .tree
            .selected
            .min(self.tree.rows.len().saturating_sub(1));
        self.clamp_tree();
    }

    fn clamp_tree(&mut self) {
        let h = self.body_height();
        let t = &mut self.tree;
        if t.selected < t.offset {
            t.offset = t.selected;
        } else if t.selected >= t.offset + h {
            t.offset = t.selected + 1 - h;
        }
    }

    fn library_action(&mut self, a: Action) {
        let n = self.tree.rows.len();
        let h = self.body_height();
        let sel = &mut self.tree.selected;
        match a {
            Action::Up => *sel = sel.saturating_sub(1),
            Action::Down => *sel = (*sel + 1).min(n.saturating_sub(1)),
            Action::PageUp => *sel = sel.saturating_sub(h),
            Action::PageDown => *sel = (*sel + h).min(n.saturating_sub(1)),
            Action::HalfPageUp => *sel = sel.saturating_sub(h / 2),
            Action::HalfPageDown => *sel = (*sel + h / 2).min(n.saturating_sub(1)),
            Action::Top => *sel = 0,
            Action::Bottom => *sel = n.saturating_sub(1),
            Action::Open => self.open_row(),
            Action::Expand => self.fold(true),
            Action::Collapse => self.fold(false),
            Action::Filter => {
                self.tree.filtering = true;
            }
            Action::Cancel => {
                self.tree.filtering = false;
                if !self.tree.filter.is_empty() {
                    self.tree.filter.clear();
                    self.tree.selected = 0;
                    self.rebuild_rows();
                }
            }
            Action::Back => {
                if self.tree.filtering || !self.tree.filter.is_empty() {
                    self.library_action(Action::Cancel);
                } else {
                    self.go_back();
                }
            }
            _ => {}
        }
        self.clamp_tree();
    }

    fn fold(&mut self, open: bool) {
        let Some(row) = self.tree.rows.get(self.tree.selected).cloned() else {
            return;
        };
        if !self.tree.filter.is_empty() {
            return;
        }
        match (&row.kind, open) {
            (RowKind::Folder { open: false, .. }, true) => {
                self.tree.expanded.insert(row.path.clone());
            }
            (RowKind::Folder { open: true, .. }, false) => {
                self.tree.expanded.remove(&row.path);
            }
            (_, false) if row.path.len() > 1 => {
                // Fold the parent and select it.
                let parent = row.path[..row.path.len() - 1].to_vec();
                self.tree.expanded.remove(&parent);
                self.rebuild_rows();
                if let Some(i) = self.tree.rows.iter().position(|r| r.path == parent) {
                    self.tree.selected = i;
                }
                return;
            }
            _ => return,
        }
        self.rebuild_rows();
    }

    fn open_row(&mut self) {
        let Some(row) = self.tree.rows.get(self.tree.selected).cloned() else {
            return;
        };
        match row.kind {
            RowKind::Page { doc } => self.open_doc(doc, None, data::Terms::default()),
            RowKind::Folder { open, doc } => {
                if open {
                    self.tree.expanded.remove(&row.path);
                } else {
                    self.tree.expanded.insert(row.path.clone());
                }
                self.rebuild_rows();
                if let (Some(d), false) = (doc, open) {
                    self.open_doc(d, None, data::Terms::default());
                }
            }
            RowKind::Link { href } => self.info(format!("external link: {href}")),
        }
    }

    // ---- the reader ---------------------------------------------------------------------

    /// Opens document `i` of the library, at `anchor`, highlighting `terms`.
    pub fn open_doc(&mut self, i: usize, anchor: Option<&str>, terms: data::Terms) {
        let Some(doc) = self.lib.docs.get(i).cloned() else {
            return;
        };
        if let Some(target) = &doc.link {
            self.info(format!(
                "{} is a link → {target} (never followed)",
                doc.path
            ));
            return;
        }
        match self.lib.pages.read(&doc) {
            Ok(parsed) => self.show_page(doc, parsed, anchor, terms),
            Err(e) => self.error(e),
        }
    }

    /// Shows a page that has been read.
    pub fn show_page(
        &mut self,
        doc: Document,
        parsed: crate::corpus::Parsed,
        anchor: Option<&str>,
        terms: data::Terms,
    ) {
        let facts = facts(&doc, &parsed);
        // A long page opened at its top shows its beginning first, so that opening it does
        // not take longer the longer it is; the whole page (highlighted) follows.
        // Only for the page named on the command line: places from history and bookmarks
        // need the whole page's anchors at once.
        let head = match anchor {
            None if self.quick_head => page::head(&parsed.body, page::HEAD_BYTES),
            _ => None,
        };
        // Code already highlighted once (in the cache) comes coloured at once.
        let cached = head.is_none() && crate::markdown::hlcache::has(&parsed.body);
        let model = page::parse(head.unwrap_or(&parsed.body), cached);
        if head.is_some() || model.wants_highlight {
            self.effects.push(Effect::Highlight {
                source: doc.source.clone(),
                path: doc.path.clone(),
                body: parsed.body.clone(),
            });
        }
        let mut r = Reader {
            title: parsed.title,
            doc,
            facts,
            page: model,
            layout: Default::default(),
            styled: Styled::default(),
            width: self.size.0.max(1),
            scroll: 0,
            terms,
            find: None,
            link: None,
        };
        r.relayout(&self.theme);
        if let Some(a) = anchor {
            match r.layout.anchor_line(a) {
                Some(line) => r.scroll = line,
                None => self.error(format!("no section #{a} in this page")),
            }
        }
        self.leave_page();
        self.reader = Some(r);
        self.entered_page();
        if self.screen != Screen::Reader {
            self.push_screen(Screen::Reader);
        }
        self.clamp_reader();
    }

    pub(super) fn clamp_reader(&mut self) {
        let h = self.body_height();
        if let Some(r) = &mut self.reader {
            let max = r.lines().saturating_sub(h);
            r.scroll = r.scroll.min(max);
        }
    }

    fn reader_action(&mut self, a: Action) {
        let h = self.body_height();
        let editing = self
            .reader
            .as_ref()
            .and_then(|r| r.find.as_ref())
            .is_some_and(|f| f.editing);
        let Some(r) = &mut self.reader else {
            return;
        };
        match a {
            Action::Up => r.scroll = r.scroll.saturating_sub(1),
            Action::Down => r.scroll += 1,
            Action::HalfPageUp => r.scroll = r.scroll.saturating_sub(h / 2),
            Action::HalfPageDown => r.scroll += h / 2,
            Action::PageUp => r.scroll = r.scroll.saturating_sub(h),
            Action::PageDown => r.scroll += h,
            Action::Top => r.scroll = 0,
            Action::Bottom => r.scroll = usize::MAX,
            Action::Find => {
                r.find = Some(Find {
                    editing: true,
                    ..Default::default()
                });
            }
            Action::FindNext | Action::FindPrev => {
                if let Some(f) = &mut r.find {
                    f.editing = false;
                    let n = f.matches.len();
                    if n > 0 {
                        f.current = if a == Action::FindNext {
                            (f.current + 1) % n
                        } else {
                            (f.current + n - 1) % n
                        };
                        r.scroll = f.matches[f.current].0.saturating_sub(h / 3);
                    }
                }
            }
            Action::Open if editing => {
                if let Some(f) = &mut r.find {
                    f.editing = false;
                }
            }
            Action::Cancel => {
                if r.find.is_some() {
                    r.find = None;
                } else if !r.terms.is_empty() {
                    r.terms = data::Terms::default();
                } else {
                    self.message = None;
                }
            }
            Action::Back => {
                if r.find.as_ref().is_some_and(|f| f.editing) {
                    r.find = None;
                } else {
                    self.go_back();
                }
            }
            _ => {}
        }
        self.clamp_reader();
    }

    fn update_find(&mut self) {
        let h = self.body_height();
        let Some(r) = &mut self.reader else {
            return;
        };
        let Some(f) = &r.find else {
            return;
        };
        let matches: Vec<(usize, Range<usize>)> = if f.query.trim().is_empty() {
            Vec::new()
        } else {
            r.layout
                .find(&f.query)
                .into_iter()
                .map(|m| (m.line, m.bytes))
                .collect()
        };
        // The first match at or after the top of the screen.
        let current = matches
            .iter()
            .position(|(l, _)| *l >= r.scroll)
            .unwrap_or(0);
        if let Some((l, _)) = matches.get(current)
            && (*l < r.scroll || *l >= r.scroll + h)
        {
            r.scroll = l.saturating_sub(h / 3);
        }
        if let Some(f) = &mut r.find {
            f.matches = matches;
            f.current = current;
        }
        self.clamp_reader();
    }

    // ---- search -------------------------------------------------------------------------

    fn request_search(&mut self) {
        self.search.requested += 1;
        self.effects.push(Effect::Search {
            id: self.search.requested,
            query: self.search.query.clone(),
        });
    }

    fn search_action(&mut self, a: Action) {
        let items = self.search.items();
        let n = items.len();
        let h = self.body_height();
        let page = (h / 2).max(1);
        let sel = &mut self.search.selected;
        match a {
            Action::Up => *sel = sel.saturating_sub(1),
            Action::Down => *sel = (*sel + 1).min(n.saturating_sub(1)),
            Action::PageUp => *sel = sel.saturating_sub(page),
            Action::PageDown => *sel = (*sel + page).min(n.saturating_sub(1)),
            Action::Top => *sel = 0,
            Action::Bottom => *sel = n.saturating_sub(1),
            Action::Open => {
                if let Some(&(p, s)) = items.get(*sel) {
                    let ph = &self.search.results.pages[p];
                    let anchor = ph.sections.get(s).and_then(|s| s.anchor.clone());
                    match self.lib.find(&ph.source, &ph.path) {
                        Some(i) => {
                            let terms = self.search.results.terms.clone();
                            self.open_doc(i, anchor.as_deref(), terms);
                        }
                        None => self.error(format!("{} is no longer in the library", ph.path)),
                    }
                }
            }
            Action::Back | Action::Cancel => self.go_back(),
            _ => {}
        }
        self.clamp_search();
    }

    fn clamp_search(&mut self) {
        let h = self.body_height();
        let items = self.search.items();
        let s = &mut self.search;
        if s.selected < s.offset {
            s.offset = s.selected;
        }
        // Move the window down until the selected hit fits.
        loop {
            let used: usize = items
                .iter()
                .skip(s.offset)
                .take(s.selected.saturating_sub(s.offset) + 1)
                .map(|(_, sec)| hit_height(*sec))
                .sum();
            if used <= h || s.offset >= s.selected {
                break;
            }
            s.offset += 1;
        }
    }

    // ---- screens ------------------------------------------------------------------------

    pub(super) fn push_screen(&mut self, s: Screen) {
        if self.screen != s {
            self.back.retain(|x| *x != s);
            self.back.push(self.screen);
            self.screen = s;
        }
    }

    fn go_back(&mut self) {
        match self.back.pop() {
            Some(s) => self.screen = s,
            None => self.quit = true,
        }
    }

    /// Whether keys that are characters are typed into a field now.
    pub fn typing(&self) -> bool {
        if self.reading.prompt.is_some() {
            return true;
        }
        match self.screen {
            Screen::Search => true,
            Screen::Library => self.tree.filtering,
            Screen::Reader => self
                .reader
                .as_ref()
                .and_then(|r| r.find.as_ref())
                .is_some_and(|f| f.editing),
            Screen::Help => false,
        }
    }

    fn input(&mut self) -> Option<&mut String> {
        if let Some(p) = &mut self.reading.prompt {
            return Some(&mut p.text);
        }
        match self.screen {
            Screen::Search => Some(&mut self.search.query),
            Screen::Library if self.tree.filtering => Some(&mut self.tree.filter),
            Screen::Reader => self
                .reader
                .as_mut()
                .and_then(|r| r.find.as_mut())
                .filter(|f| f.editing)
                .map(|f| &mut f.query),
            _ => None,
        }
    }

    fn input_changed(&mut self) {
        if self.reading.prompt.is_some() {
            self.prompt_changed();
            return;
        }
        match self.screen {
            Screen::Search => {
                self.search.selected = 0;
                self.search.offset = 0;
                self.request_search();
            }
            Screen::Library => {
                self.tree.selected = 0;
                self.tree.offset = 0;
                self.rebuild_rows();
            }
            Screen::Reader => self.update_find(),
            Screen::Help => {}
        }
    }

    fn type_text(&mut self, s: &str) {
        if let Some(field) = self.input() {
            field.extend(s.chars().filter(|c| !c.is_control()));
            self.input_changed();
        }
    }

    /// Does what an action does on the current screen.
    pub fn act(&mut self, a: Action) {
        match a {
            Action::Quit => {
                self.quit = true;
                return;
            }
            Action::Help => {
                if self.screen == Screen::Help {
                    self.go_back();
                } else {
                    self.help = HelpState {
                        of: Some(self.screen),
                        scroll: 0,
                    };
                    self.push_screen(Screen::Help);
                }
                return;
            }
            Action::Search => {
                self.push_screen(Screen::Search);
                return;
            }
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                self.effects.push(Effect::Mouse(self.mouse));
                let key = self
                    .keymap
                    .hint(self.screen.context(), Action::ToggleMouse)
                    .unwrap_or_default();
                if self.mouse {
                    self.info("mouse on: the wheel scrolls");
                } else {
                    self.info(format!(
                        "mouse released: select text with it; {key} takes it back"
                    ));
                }
                return;
            }
            Action::Suspend => {
                self.effects.push(Effect::Suspend);
                return;
            }
            Action::Redraw => {
                self.effects.push(Effect::Redraw);
                return;
            }
            Action::SwitchPane => {
                let next = match self.screen {
                    Screen::Library => Screen::Search,
                    Screen::Search if self.reader.is_some() => Screen::Reader,
                    Screen::Search => Screen::Library,
                    Screen::Reader | Screen::Help => Screen::Library,
                };
                self.push_screen(next);
                return;
            }
            Action::DeleteChar => {
                if let Some(f) = self.input() {
                    f.pop();
                    self.input_changed();
                }
                return;
            }
            Action::ClearInput => {
                if let Some(f) = self.input() {
                    f.clear();
                    self.input_changed();
                }
                return;
            }
            _ => {}
        }
        if self.reading_action(a) {
            return;
        }
        match self.screen {
            Screen::Library => self.library_action(a),
            Screen::Search => self.search_action(a),
            Screen::Reader => self.reader_action(a),
            Screen::Help => {
                let h = self.body_height();
                let s = &mut self.help.scroll;
                match a {
                    Action::Up => *s = s.saturating_sub(1),
                    Action::Down => *s += 1,
                    Action::PageUp => *s = s.saturating_sub(h),
                    Action::PageDown => *s += h,
                    Action::Top => *s = 0,
                    Action::Bottom => *s = usize::MAX,
                    Action::Back | Action::Cancel => self.go_back(),
                    _ => {}
                }
                let n = self.help_rows().len();
                self.help.scroll = self.help.scroll.min(n.saturating_sub(h));
            }
        }
    }

    /// The help rows of the screen under the help (its own, input, global).
    pub fn help_rows(&self) -> Vec<crate::keymap::HelpRow> {
        let of = self.help.of.unwrap_or(Screen::Library);
        let mut rows = self.keymap.help_rows(of.context());
        if matches!(of, Screen::Search | Screen::Library | Screen::Reader) {
            let global_at = rows
                .iter()
                .position(|r| r.screen == Context::Global)
                .unwrap_or(rows.len());
            let input: Vec<_> = self
                .keymap
                .help_rows(Context::Input)
                .into_iter()
                .filter(|r| r.screen == Context::Input)
                .collect();
            rows.splice(global_at..global_at, input);
        }
        rows
    }

    fn on_key(&mut self, ev: KeyEvent) {
        if ev.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        let Some(key) = Key::from_event(&ev) else {
            return;
        };
        if self.message.is_some() && self.pending.is_empty() {
            self.message = None;
        }
        let typing = self.typing();
        if typing
            && self.pending.is_empty()
            && let Some(c) = key.text()
        {
            self.type_text(&c.to_string());
            return;
        }
        self.pending.push(key);
        let ctx = self.screen.context();
        let lookup = if typing {
            self.keymap.lookup_in(&[Context::Input, ctx], &self.pending)
        } else {
            self.keymap.lookup(ctx, &self.pending)
        };
        match lookup {
            Lookup::Action(a) => {
                self.pending.clear();
                self.act(a);
            }
            Lookup::Prefix => {}
            Lookup::None => self.pending.clear(),
        }
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        let a = match m.kind {
            MouseEventKind::ScrollUp => Action::Up,
            MouseEventKind::ScrollDown => Action::Down,
            _ => return,
        };
        for _ in 0..3 {
            match self.screen {
                Screen::Library => self.library_action(a),
                Screen::Search => self.search_action(a),
                Screen::Reader => self.reader_action(a),
                Screen::Help => self.act(a),
            }
        }
    }

    fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        let theme = &self.theme;
        if let Some(r) = &mut self.reader
            && r.width != w.max(1)
        {
            // Keep the same text at the top: the share of the page read so far.
            let frac = r.scroll as f64 / r.lines().max(1) as f64;
            r.width = w.max(1);
            r.relayout(theme);
            r.link = None; // link pieces are numbered per layout
            r.scroll = (frac * r.lines() as f64) as usize;
            if r.find.is_some() {
                self.update_find();
            }
        }
        self.clamp_reader();
        self.clamp_tree();
        self.clamp_search();
    }

    fn on_job(&mut self, j: JobMsg) {
        match j {
            JobMsg::Library(lib) => {
                self.loading = false;
                // The guide stays until a real library with pages arrives.
                if lib.docs.is_empty() && self.lib.guide {
                    return;
                }
                if !lib.guide {
                    self.banner = None;
                }
                self.set_library(lib);
                if !self.search.query.is_empty() {
                    self.request_search();
                }
            }
            JobMsg::SearchDone { id, result, millis } => {
                if id != self.search.requested {
                    return; // a newer request is on its way
                }
                self.search.shown = id;
                self.search.millis = Some(millis);
                match result {
                    Ok(r) => {
                        self.search.results = r;
                        self.search.error = None;
                    }
                    Err(e) => self.search.error = Some(e),
                }
                let n = self.search.items().len();
                self.search.selected = self.search.selected.min(n.saturating_sub(1));
                self.clamp_search();
            }
            JobMsg::Highlighted(h) => {
                let theme = &self.theme;
                let Some(r) = &mut self.reader else {
                    return;
                };
                if r.doc.source != h.source || r.doc.path != h.path {
                    return; // another page is open now
                }
                // Highlighting changes colours, not line breaks: the place stays. (The
                // whole page after its beginning keeps the beginning's lines too.)
                r.page = h.page;
                r.relayout(theme);
                if r.link.is_some_and(|k| k >= r.styled.links.len()) {
                    r.link = None;
                }
                // So does the match a find is on, though the matches are counted again.
                let on = r
                    .find
                    .as_ref()
                    .and_then(|f| f.matches.get(f.current).cloned());
                let scroll = r.scroll;
                if r.find.is_some() {
                    self.update_find();
                }
                if let Some(r) = &mut self.reader
                    && let Some(f) = &mut r.find
                    && let Some(i) = on.and_then(|m| f.matches.iter().position(|x| *x == m))
                {
                    f.current = i;
                    r.scroll = scroll;
                }
                self.clamp_reader();
            }
            JobMsg::SyncProgress { source, percent } => {
                self.sync = SyncState::Running { source, percent };
            }
            JobMsg::SyncDone(o) => {
                self.sync = SyncState::Idle;
                self.sources = o.sources;
                self.offline = !o.failures.is_empty();
                if !o.failures.is_empty() {
                    let first = o.failures[0].clone();
                    if self.lib.guide && !o.any_copy {
                        self.banner = Some(guide_banner(&first));
                    } else {
                        self.error(format!("sync failed, showing the last good copy: {first}"));
                    }
                } else if o.changed {
                    self.info("synced: showing the new pages");
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
            Msg::Tick(now) => self.now = now,
            Msg::Quit => self.quit = true,
        }
    }
}

/// The banner over the built-in guide when no source could be reached.
pub fn guide_banner(cause: &str) -> String {
    format!(
        "No knowledge base yet: {cause}. This is ken's built-in guide. Check the network \
         and run `ken sync`, or read a local folder with `ken --source PATH`."
    )
}

/// The facts under the reader's title: the page's path, then the front-matter facts
/// `ken show` prints ([`crate::markdown::header`]).
fn facts(doc: &Document, parsed: &crate::corpus::Parsed) -> Vec<(String, String)> {
    let fm = parsed.front_matter.as_ref();
    let header = fm.and_then(crate::markdown::header);
    std::iter::once(("path".to_string(), doc.path.clone()))
        .chain(header.into_iter().flat_map(|h| h.facts))
        .collect()
}
