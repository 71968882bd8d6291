//! Reading features of the app: links (select, follow), history (back, forward, recent pages),
//! the outline, bookmarks, copy with OSC 52, open by URL or path, and contribute (edit).
//!
//! State lives in [`Reading`] (one field of the app); the actions are handled by
//! [`App::reading_action`] before the screen's own handling, so the screens' code stays as it
//! was. Views are in [`super::reading_views`].

use std::collections::HashMap;
use std::path::PathBuf;

use super::app::{App, Screen};
use super::msg::Effect;
use crate::clipboard;
use crate::config::SourceSpec;
use crate::forge;
use crate::keymap::Action;
use crate::library::{FindError, SiteRouting};
use crate::markdown::Target;
use crate::store::{Bookmark, Bookmarks, History, Place, Store};

/// What a one-line prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// A URL or path to open.
    Open,
    /// The number of the code block to copy.
    CopyBlock,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

/// A list over the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    Outline,
    Bookmarks,
    Recent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub kind: PanelKind,
    pub selected: usize,
}

/// Everything the reading features keep.
#[derive(Default)]
pub struct Reading {
    /// Where history and bookmarks are saved (none in tests that do not ask for it).
    pub store: Option<Store>,
    pub history: History,
    pub bookmarks: Bookmarks,
    /// The configured sources (for edit URLs and local folders).
    pub specs: Vec<SourceSpec>,
    /// The branch each git source was synced from.
    pub branches: HashMap<String, String>,
    /// Whether ken runs inside tmux (OSC 52 also goes through passthrough).
    pub in_tmux: bool,
    pub prompt: Option<Prompt>,
    pub panel: Option<Panel>,
    /// Set while history itself moves, so that the move is not recorded again.
    navigating: bool,
}

impl Reading {
    /// History and bookmarks from the data dir.
    pub fn load(store: Store) -> Reading {
        Reading {
            history: store.history(),
            bookmarks: store.bookmarks(),
            store: Some(store),
            ..Reading::default()
        }
    }
}

/// The text of `lines` as plain text: trailing spaces and blank lines at the end dropped.
fn plain(lines: impl Iterator<Item = String>) -> String {
    let mut out: Vec<String> = lines.map(|l| l.trim_end().to_string()).collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut s = out.join("\n");
    if !s.is_empty() {
        s.push('\n');
    }
    s
}

impl App {
    // ---- places and history -------------------------------------------------------------

    /// Where the reader is: page, section at the top, lines below its heading.
    pub fn place(&self) -> Option<Place> {
        let r = self.reader.as_ref()?;
        let section = r.section();
        Some(Place {
            source: r.doc.source.clone(),
            path: r.doc.path.clone(),
            title: r.title.clone(),
            anchor: section.and_then(|i| Some(r.doc().headings.get(i)?.anchor.clone())),
            offset: r.scroll - section.map_or(0, |i| r.layout.heading_lines[i]),
        })
    }

    fn save_history(&mut self) {
        if let Some(s) = &self.reading.store
            && let Err(e) = s.save_history(&self.reading.history)
        {
            self.error(format!("history not saved: {e}"));
        }
    }

    fn save_bookmarks(&mut self) {
        if let Some(s) = &self.reading.store
            && let Err(e) = s.save_bookmarks(&self.reading.bookmarks)
        {
            self.error(format!("bookmarks not saved: {e}"));
        }
    }

    /// Called before the reader shows another page: the page being left goes on the back
    /// stack (unless history itself is moving), and its place is remembered.
    pub(super) fn leave_page(&mut self) {
        let Some(p) = self.place() else {
            return;
        };
        self.remember(&p);
        if !self.reading.navigating {
            self.reading.history.push(p);
        }
    }

    /// Updates the recent list's place for that page, keeping the order.
    fn remember(&mut self, p: &Place) {
        if let Some(r) = self
            .reading
            .history
            .recent
            .iter_mut()
            .find(|r| r.same_page(p))
        {
            *r = p.clone();
        }
    }

    /// Called when the reader shows a page.
    pub(super) fn entered_page(&mut self) {
        self.reading.panel = self
            .reading
            .panel
            .take()
            .filter(|p| p.kind != PanelKind::Outline);
        if let Some(p) = self.place() {
            self.reading.history.visit(p);
            self.save_history();
        }
    }

    /// Saves where the reader is now (on quit).
    pub fn save_reading(&mut self) {
        if let Some(p) = self.place() {
            self.remember(&p);
            self.save_history();
        }
    }

    /// Opens a place; `record`: whether leaving the current page goes into history.
    pub fn open_place(&mut self, place: &Place, record: bool) -> bool {
        let Some(i) = self.lib.find(&place.source, &place.path) else {
            self.error(format!(
                "{} ({}) is no longer in {}",
                place.title, place.path, place.source
            ));
            return false;
        };
        let before = self.reading.navigating;
        self.reading.navigating = !record;
        self.open_doc(i, None, Default::default());
        self.reading.navigating = before;
        let Some(r) = &mut self.reader else {
            return false;
        };
        if r.doc.path != place.path || r.doc.source != place.source {
            return false;
        }
        let base = place.anchor.as_ref().and_then(|a| r.layout.anchor_line(a));
        r.scroll = base.unwrap_or(0) + place.offset;
        self.clamp_reader();
        if self.screen != Screen::Reader {
            self.push_screen(Screen::Reader);
        }
        if let Some(p) = self.place() {
            self.remember(&p);
        }
        true
    }

    fn history_move(&mut self, back: bool) {
        let here = self.place();
        let h = &mut self.reading.history;
        let (from, to) = if back {
            (&mut h.back, &mut h.forward)
        } else {
            (&mut h.forward, &mut h.back)
        };
        let Some(target) = from.pop() else {
            self.info(if back {
                "no earlier page"
            } else {
                "no later page"
            });
            return;
        };
        if let Some(here) = here {
            to.push(here);
        }
        if !self.open_place(&target, false) {
            // Gone: leave the place where it was taken from so nothing is lost silently.
            let h = &mut self.reading.history;
            if back {
                h.forward.pop();
            } else {
                h.back.pop();
            }
        }
        self.save_history();
    }

    // ---- links --------------------------------------------------------------------------

    /// Where link `k` (index into the layout's links) of the open page leads.
    pub fn link_target(&mut self, k: usize) -> Option<Target> {
        let r = self.reader.as_ref()?;
        let span = r.styled.links.get(k)?;
        let url = r.doc().links.get(span.link as usize)?.url.clone();
        let (source, from) = (r.doc.source.clone(), r.doc.path.clone());
        Some(self.lib.site(&source).resolve(&from, &url))
    }

    fn select_link(&mut self, forward: bool) {
        let h = self.body_height();
        let Some(r) = &mut self.reader else {
            return;
        };
        let links = &r.styled.links;
        if links.is_empty() {
            self.info("no links on this page");
            return;
        }
        let n = links.len();
        let next = match r.link {
            // From the selected link to the next piece of another link (a wrapped link has
            // a piece on each line).
            Some(k) => {
                let mut i = k;
                loop {
                    i = if forward {
                        (i + 1) % n
                    } else {
                        (i + n - 1) % n
                    };
                    if links[i].link != links[k].link || i == k {
                        break;
                    }
                }
                if !forward {
                    // The first piece of that link.
                    while i > 0 && links[i - 1].link == links[i].link {
                        i -= 1;
                    }
                }
                i
            }
            None if forward => links.iter().position(|l| l.line >= r.scroll).unwrap_or(0),
            None => links
                .iter()
                .rposition(|l| l.line < r.scroll + h)
                .unwrap_or(n - 1),
        };
        r.link = Some(next);
        let line = links[next].line;
        if line < r.scroll || line >= r.scroll + h {
            r.scroll = line.saturating_sub(h / 3);
        }
        self.clamp_reader();
        self.describe_link(next);
    }

    fn describe_link(&mut self, k: usize) {
        let key = self
            .keymap
            .hint(crate::keymap::Context::Reader, Action::FollowLink)
            .unwrap_or_default();
        match self.link_target(k) {
            Some(Target::Doc { path, anchor }) => self.info(format!(
                "link → {path}{}  ({key} follows)",
                anchor.map(|a| format!("#{a}")).unwrap_or_default()
            )),
            Some(Target::Anchor(a)) => self.info(format!("link → #{a} on this page")),
            Some(Target::External(u)) => {
                self.info(format!("external link: {u}  ({key} copies it)"));
            }
            Some(Target::Broken { url, reason }) => {
                self.error(format!("broken link: {url} ({reason})"));
            }
            None => {}
        }
    }

    fn follow_link(&mut self) {
        let Some(k) = self.reader.as_ref().and_then(|r| r.link) else {
            let key = self
                .keymap
                .hint(crate::keymap::Context::Reader, Action::NextLink)
                .unwrap_or_default();
            self.info(format!("no link selected: {key} selects the next one"));
            return;
        };
        match self.link_target(k) {
            Some(Target::Doc { path, anchor }) => {
                let source = self
                    .reader
                    .as_ref()
                    .map(|r| r.doc.source.clone())
                    .unwrap_or_default();
                match self.lib.find(&source, &path) {
                    Some(i) => {
                        self.open_doc(i, anchor.as_deref(), Default::default());
                    }
                    None => self.error(format!("broken link: {path} is not in the library")),
                }
            }
            Some(Target::Anchor(a)) => self.jump_to_anchor(&a),
            Some(Target::External(u)) => {
                self.copy(&u, &format!("external link {u} (not opened by ken)"));
            }
            Some(Target::Broken { url, reason }) => {
                self.error(format!("broken link: {url} ({reason})"));
            }
            None => {}
        }
    }

    /// Scrolls to an anchor of the open page, recording the move in history.
    fn jump_to_anchor(&mut self, a: &str) {
        let Some(line) = self.reader.as_ref().and_then(|r| {
            if a.is_empty() {
                Some(0)
            } else {
                r.layout.anchor_line(a)
            }
        }) else {
            self.error(format!("broken link: no section #{a} in this page"));
            return;
        };
        if let Some(p) = self.place() {
            self.reading.history.push(p);
        }
        if let Some(r) = &mut self.reader {
            r.scroll = line;
        }
        self.clamp_reader();
        if let Some(p) = self.place() {
            self.remember(&p);
        }
        self.save_history();
    }

    // ---- copy ---------------------------------------------------------------------------

    /// Copies `text` to the user's clipboard (OSC 52) and says so.
    pub fn copy(&mut self, text: &str, what: &str) {
        match clipboard::copy_sequence(text, self.reading.in_tmux) {
            Ok(bytes) => {
                self.effects.push(Effect::Write(bytes));
                self.info(format!("copied {what} to the clipboard"));
            }
            Err(e) => self.error(format!("not copied: {e}")),
        }
    }

    fn code_block_count(&self) -> usize {
        self.reader
            .as_ref()
            .map_or(0, |r| r.doc().code_blocks.len())
    }

    /// Copies code block `n` (as numbered in the reader).
    pub fn copy_block(&mut self, n: usize) {
        let block = self
            .reader
            .as_ref()
            .and_then(|r| r.doc().code_blocks.iter().find(|b| b.number == n))
            .map(|b| (b.text.clone(), b.text.lines().count()));
        match block {
            Some((text, lines)) => self.copy(
                &text,
                &format!(
                    "code block {n} ({lines} line{})",
                    if lines == 1 { "" } else { "s" }
                ),
            ),
            None => {
                let count = self.code_block_count();
                self.error(format!(
                    "no code block {n}: this page has {}",
                    match count {
                        0 => "none".to_string(),
                        1 => "only block 1".to_string(),
                        c => format!("blocks 1–{c}"),
                    }
                ));
            }
        }
    }

    /// The rendered text of the section at the top of the screen (with its subsections).
    pub fn section_text(&self) -> Option<(String, String)> {
        let r = self.reader.as_ref()?;
        let heads = &r.doc().headings;
        let hl = &r.layout.heading_lines;
        let sec = r.section();
        let (start, name, level) = match sec {
            Some(i) => (
                hl[i],
                heads.get(i).map_or_else(String::new, |h| h.text.clone()),
                heads.get(i).map_or(1, |h| h.level),
            ),
            None => (0, "the top of the page".to_string(), 0),
        };
        let end = match sec {
            Some(i) => (i + 1..hl.len())
                .find(|&j| heads.get(j).is_none_or(|h| h.level <= level))
                .map_or(r.lines(), |j| hl[j]),
            None => hl.first().copied().unwrap_or(r.lines()),
        };
        Some((plain((start..end).map(|i| r.line_text(i))), name))
    }

    /// The page's address: its site URL (at the section) for the SCS docs, else
    /// `source:path`, which `ken DOC` and the open prompt take.
    pub fn location(&mut self) -> Option<String> {
        let place = self.place()?;
        // The library knows the origin of a source it read the routing of; else the spec
        // says whether the source is the SCS documentation.
        let spec = self.reading.specs.iter().find(|s| s.name == place.source);
        let origin = self
            .lib
            .origin(&place.source)
            .or_else(|| SiteRouting::fallback(spec).origin);
        if let Some(origin) = origin
            && let Some(route) = self.lib.site(&place.source).route(&place.path)
        {
            let anchor = place.anchor.map(|a| format!("#{a}")).unwrap_or_default();
            return Some(format!("{origin}{route}{anchor}"));
        }
        Some(format!("{}:{}", place.source, place.path))
    }

    // ---- bookmarks ----------------------------------------------------------------------

    fn add_bookmark(&mut self) {
        let Some(place) = self.place() else {
            self.info("open a page to bookmark it");
            return;
        };
        if self
            .reading
            .bookmarks
            .items
            .iter()
            .any(|b| b.place.same_page(&place) && b.place.anchor == place.anchor)
        {
            self.info("already bookmarked");
            return;
        }
        let section = self
            .reader
            .as_ref()
            .and_then(|r| Some(r.doc().headings.get(r.section()?)?.text.clone()));
        let what = match &section {
            Some(s) => format!("{} › {s}", place.title),
            None => place.title.clone(),
        };
        self.reading.bookmarks.items.push(Bookmark {
            place: Place { offset: 0, ..place },
            section,
            added: self.now,
        });
        self.save_bookmarks();
        self.info(format!("bookmarked {what}"));
    }

    /// Whether a bookmark's page is still in the library.
    pub fn place_exists(&self, p: &Place) -> bool {
        self.lib.find(&p.source, &p.path).is_some()
    }

    // ---- panels -------------------------------------------------------------------------

    /// The number of rows of the open panel.
    pub fn panel_len(&self) -> usize {
        match self.reading.panel.as_ref().map(|p| p.kind) {
            Some(PanelKind::Outline) => self.reader.as_ref().map_or(0, |r| r.doc().headings.len()),
            Some(PanelKind::Bookmarks) => self.reading.bookmarks.items.len(),
            Some(PanelKind::Recent) => self.reading.history.recent.len(),
            None => 0,
        }
    }

    /// The heading (index) the top of the screen is in.
    pub fn current_section(&self) -> Option<usize> {
        self.reader.as_ref()?.section()
    }

    fn toggle_panel(&mut self, kind: PanelKind) {
        if self.reading.panel.as_ref().is_some_and(|p| p.kind == kind) {
            self.reading.panel = None;
            return;
        }
        if kind == PanelKind::Outline && self.reader.is_none() {
            self.info("open a page to see its outline");
            return;
        }
        let selected = match kind {
            PanelKind::Outline => self.current_section().unwrap_or(0),
            _ => 0,
        };
        self.reading.panel = Some(Panel { kind, selected });
        if self.panel_len() == 0 {
            self.reading.panel = None;
            self.info(match kind {
                PanelKind::Outline => "this page has no headings",
                PanelKind::Bookmarks => "no bookmarks yet",
                PanelKind::Recent => "no pages read yet",
            });
            return;
        }
        if self.screen != Screen::Reader {
            self.push_screen(Screen::Reader);
        }
    }

    fn panel_action(&mut self, a: Action) -> bool {
        let n = self.panel_len();
        let h = self.body_height();
        let Some(p) = &mut self.reading.panel else {
            return false;
        };
        let kind = p.kind;
        let sel = &mut p.selected;
        match a {
            Action::Up => *sel = sel.saturating_sub(1),
            Action::Down => *sel = (*sel + 1).min(n.saturating_sub(1)),
            Action::PageUp | Action::HalfPageUp => *sel = sel.saturating_sub(h / 2),
            Action::PageDown | Action::HalfPageDown => {
                *sel = (*sel + h / 2).min(n.saturating_sub(1));
            }
            Action::Top => *sel = 0,
            Action::Bottom => *sel = n.saturating_sub(1),
            Action::Cancel | Action::Back => self.reading.panel = None,
            Action::Open | Action::FollowLink => {
                let i = *sel;
                match kind {
                    PanelKind::Outline => {
                        let line = self
                            .reader
                            .as_ref()
                            .and_then(|r| r.layout.heading_lines.get(i).copied());
                        if let (Some(r), Some(l)) = (&mut self.reader, line) {
                            r.scroll = l;
                        }
                        self.clamp_reader();
                    }
                    PanelKind::Bookmarks => {
                        if let Some(b) = self.reading.bookmarks.items.get(i).cloned() {
                            if self.place_exists(&b.place) {
                                self.reading.panel = None;
                            }
                            self.open_place(&b.place, true);
                        }
                    }
                    PanelKind::Recent => {
                        if let Some(p) = self.reading.history.recent.get(i).cloned() {
                            if self.place_exists(&p) {
                                self.reading.panel = None;
                            }
                            self.open_place(&p, true);
                        }
                    }
                }
            }
            Action::DeleteItem if kind == PanelKind::Bookmarks => {
                let i = *sel;
                if i < self.reading.bookmarks.items.len() {
                    let b = self.reading.bookmarks.items.remove(i);
                    let left = self.reading.bookmarks.items.len();
                    if let Some(p) = &mut self.reading.panel {
                        p.selected = p.selected.min(left.saturating_sub(1));
                    }
                    if left == 0 {
                        self.reading.panel = None;
                    }
                    self.save_bookmarks();
                    self.info(format!("bookmark deleted: {}", b.place.title));
                }
            }
            _ => return false,
        }
        true
    }

    // ---- prompts ------------------------------------------------------------------------

    fn open_prompt(&mut self, kind: PromptKind) {
        self.reading.prompt = Some(Prompt {
            kind,
            text: String::new(),
        });
    }

    /// The prompt's text changed: a block number that cannot grow copies at once.
    pub(super) fn prompt_changed(&mut self) {
        let Some(p) = &self.reading.prompt else {
            return;
        };
        if p.kind != PromptKind::CopyBlock {
            return;
        }
        let text = p.text.clone();
        if text.is_empty() {
            return;
        }
        match text.parse::<usize>() {
            Ok(n) if n > 0 && n * 10 > self.code_block_count() => {
                self.reading.prompt = None;
                self.copy_block(n);
            }
            Ok(_) => {}
            Err(_) => {
                self.reading.prompt = None;
                self.error(format!("not a block number: {text}"));
            }
        }
    }

    fn submit_prompt(&mut self) {
        let Some(p) = self.reading.prompt.take() else {
            return;
        };
        let text = p.text.trim().to_string();
        if text.is_empty() {
            return;
        }
        match p.kind {
            PromptKind::CopyBlock => match text.parse::<usize>() {
                Ok(n) => self.copy_block(n),
                Err(_) => self.error(format!("not a block number: {text}")),
            },
            PromptKind::Open => self.open_location(&text),
        }
    }

    /// Opens a page by site URL (`https://docs.scs.community/…`), route (`/docs/…`), path,
    /// or `source:path`, with an optional `#anchor`.
    pub fn open_location(&mut self, text: &str) {
        match self.lib.find_page(text) {
            Ok(found) => self.open_doc(found.index, found.anchor.as_deref(), Default::default()),
            Err(FindError::NotFound { .. }) => self.error(format!("no page at {text}")),
            Err(e) => self.error(e.to_string()),
        }
    }

    // ---- contribute ---------------------------------------------------------------------

    fn edit(&mut self) {
        let Some(r) = &self.reader else {
            self.info("open a page to edit it");
            return;
        };
        let doc = r.doc.clone();
        let Some(spec) = self
            .reading
            .specs
            .iter()
            .find(|s| s.name == doc.source)
            .cloned()
        else {
            self.info(format!(
                "{} is not from a configured source (ken's own guide is edited in ken's repository)",
                doc.path
            ));
            return;
        };
        match crate::source::location(&spec) {
            crate::source::Location::Dir(root) => {
                let path = root.join(forge::repo_path(spec.root.as_deref(), &doc.rel));
                match local_file(&root, &path) {
                    Some(p) => {
                        self.info(format!("editing {}", doc.path));
                        self.effects.push(Effect::Edit(p));
                    }
                    None => self.error(format!("{} is not a file inside {}", doc.path, spec.url)),
                }
            }
            crate::source::Location::Git(url) => {
                let branch = spec
                    .branch
                    .clone()
                    .or_else(|| self.reading.branches.get(&spec.name).cloned())
                    .unwrap_or_else(|| "HEAD".into());
                let path = forge::repo_path(spec.root.as_deref(), &doc.rel);
                match forge::edit_url(&url, &branch, &path) {
                    Some(u) => self.copy(&u, &format!("the edit URL {u}")),
                    None => self.error(format!(
                        "{} is not on GitHub or GitLab: no edit URL (the file is {path} on {branch})",
                        spec.name
                    )),
                }
            }
        }
    }

    /// Reads the open page again (after `$EDITOR`), keeping the place.
    pub fn reload_page(&mut self) {
        let Some(place) = self.place() else {
            return;
        };
        let Some(doc) = self.reader.as_ref().map(|r| r.doc.clone()) else {
            return;
        };
        match self.lib.pages.read(&doc) {
            Ok(parsed) => {
                let before = self.reading.navigating;
                self.reading.navigating = true;
                self.show_page(doc, parsed, None, Default::default());
                self.reading.navigating = before;
                if let Some(r) = &mut self.reader {
                    let base = place
                        .anchor
                        .as_ref()
                        .and_then(|a| r.layout.anchor_line(a))
                        .unwrap_or(0);
                    r.scroll = base + place.offset;
                }
                self.clamp_reader();
                self.info(format!("{} read again", place.path));
            }
            Err(e) => self.error(e),
        }
    }

    // ---- the actions --------------------------------------------------------------------

    /// Handles the reading actions; false when the action is the screen's to handle.
    pub(super) fn reading_action(&mut self, a: Action) -> bool {
        if self.reading.prompt.is_some() {
            match a {
                Action::Open | Action::FollowLink => self.submit_prompt(),
                Action::Cancel | Action::Back => self.reading.prompt = None,
                _ => {}
            }
            return true;
        }
        let on_reader = self.screen == Screen::Reader;
        if on_reader && self.panel_action(a) {
            return true;
        }
        let finding = self
            .reader
            .as_ref()
            .and_then(|r| r.find.as_ref())
            .is_some_and(|f| f.editing);
        match a {
            Action::NextLink | Action::PrevLink if on_reader => {
                self.select_link(a == Action::NextLink);
            }
            Action::FollowLink if on_reader && !finding => self.follow_link(),
            Action::Cancel
                if on_reader
                    && !finding
                    && self.reader.as_ref().is_some_and(|r| r.link.is_some()) =>
            {
                if let Some(r) = &mut self.reader {
                    r.link = None;
                }
                self.message = None;
            }
            Action::HistoryBack => self.history_move(true),
            Action::HistoryForward => self.history_move(false),
            Action::Outline => self.toggle_panel(PanelKind::Outline),
            Action::Bookmarks => self.toggle_panel(PanelKind::Bookmarks),
            Action::Recent => self.toggle_panel(PanelKind::Recent),
            Action::Bookmark => self.add_bookmark(),
            Action::CopyBlock => match self.code_block_count() {
                0 => self.info("no code blocks on this page"),
                _ => self.open_prompt(PromptKind::CopyBlock),
            },
            Action::CopySection => match self.section_text() {
                Some((text, name)) => self.copy(&text, &format!("the section {name}")),
                None => self.info("open a page to copy from it"),
            },
            Action::CopyLocation => match self.location() {
                Some(l) => self.copy(&l, &l),
                None => self.info("open a page to copy its address"),
            },
            Action::OpenLocation => self.open_prompt(PromptKind::Open),
            Action::Edit => self.edit(),
            _ => return false,
        }
        true
    }
}

/// `path` when it is a regular file inside `root` (no symlink leads out).
fn local_file(root: &std::path::Path, path: &std::path::Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let p = path.canonicalize().ok()?;
    (p.starts_with(&root) && p.is_file()).then_some(p)
}
