//! Opening pages into the reader and moving between them: by document, by place (history,
//! bookmarks, recent pages), by link, by anchor, by URL or path; and reading the open page
//! again after an edit. Every way of opening a page goes through [`Pages::show`], which is
//! what makes leaving a page a step in history.
//!
//! What the app must do afterwards (say something, run an effect, show the reader) is queued
//! as [`Outcome`]s for it to take with [`Pages::take`].

use std::sync::Arc;

use super::data::{Library, Terms};
use super::env::Env;
use super::fresh;
use super::geometry;
use super::history::History;
use super::links;
use super::msg::{Message, Outcome, Screen};
use super::problems::Problems;
use super::reader::Reader;
use crate::corpus::{Document, Parsed};
use crate::keymap::Keymap;
use crate::store::Place;
use crate::theme::Theme;

/// What opening a page needs from the app.
pub struct Ctx<'a> {
    pub lib: &'a Arc<Library>,
    pub env: &'a Env,
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    /// The terminal's size and the banner's rows, for the reader's rows.
    pub size: (u16, u16),
    pub banner_rows: u16,
    /// Open a long page with its beginning first (`ken DOC`'s first frame).
    pub quick: bool,
    /// The clock (Unix seconds), for when a page was read.
    pub now: u64,
}

impl Ctx<'_> {
    /// The rows of the page in the reader.
    fn rows(&self, reader: Option<&Reader>) -> usize {
        let find = reader.is_some_and(|r| r.find.is_some());
        geometry::areas(self.size, Screen::Reader, self.banner_rows, find).body_rows()
    }
}

/// The page in the reader and where reading has been.
#[derive(Default)]
pub struct Pages {
    pub reader: Option<Reader>,
    pub history: History,
    /// The problems `ken check` finds, by source and page.
    pub problems: Problems,
    out: Vec<Outcome>,
}

impl Pages {
    pub fn new(history: History) -> Pages {
        Pages {
            history,
            ..Pages::default()
        }
    }

    /// What the app must do now.
    pub fn take(&mut self) -> Vec<Outcome> {
        std::mem::take(&mut self.out)
    }

    fn say(&mut self, m: Message) {
        self.out.push(Outcome::Say(m));
    }

    /// The reader, if it shows this page (a job's answer about a page is for that page only).
    pub fn showing(&mut self, source: &str, path: &str) -> Option<&mut Reader> {
        self.reader
            .as_mut()
            .filter(|r| r.doc.source == source && r.doc.path == path)
    }

    /// Where the reader is.
    pub fn place(&self) -> Option<Place> {
        self.reader.as_ref().map(Reader::place)
    }

    /// Opens document `i` of the library, at `anchor`, highlighting `terms`.
    pub fn open_doc(&mut self, c: &Ctx, i: usize, anchor: Option<&str>, terms: Terms) {
        let Some(doc) = c.lib.docs.get(i).cloned() else {
            return;
        };
        if let Some(target) = &doc.link {
            let m = format!("{} is a link → {target} (never followed)", doc.path);
            return self.say(Message::info(m));
        }
        match c.lib.pages.read(&doc) {
            Ok(parsed) => self.show(c, doc, parsed, anchor, terms),
            Err(e) => self.say(Message::error(e)),
        }
    }

    /// Shows a page that has been read; leaving the page before is a step in history.
    pub fn show(
        &mut self,
        c: &Ctx,
        doc: Document,
        parsed: Parsed,
        anchor: Option<&str>,
        terms: Terms,
    ) {
        // Only the page named on the command line opens with its beginning first: places
        // from history and bookmarks need the whole page's anchors at once.
        let quick = c.quick && anchor.is_none();
        let (mut r, effect) = Reader::new(doc, parsed, terms, c.size.0, c.theme, quick);
        if let Some(e) = effect {
            self.out.push(Outcome::Effect(e, None));
        }
        if let Some(a) = anchor {
            match r.layout.anchor_line(a) {
                Some(line) => r.scroll = line,
                None => self.say(Message::error(format!("no section #{a} in this page"))),
            }
        }
        if let Some(here) = self.place() {
            self.history.leave(&here);
        }
        self.history.visit(r.place());
        // The version read: its last change's time when known (a change synced later, even
        // one committed before this moment, is then news), else the time of reading.
        let d = &r.doc;
        let seen = fresh::changed_at(c.lib, &d.source, &d.path).map_or(c.now, |t| t.max(0) as u64);
        self.history.history.mark_read(&d.source, &d.path, seen);
        r.clamp(c.rows(Some(&r)));
        r.findings = self.problems.of(&r.doc.source, &r.doc.path);
        self.reader = Some(r);
        self.ask_problems(c);
        // `ken DOC`'s page is saved in history once its first frame is out
        // ([`App::save_reading`]), not before it.
        if !c.quick {
            self.save_history(c);
        }
        self.out.push(Outcome::Shown);
    }

    /// Opens a place; `record`: whether leaving the current page goes into history.
    pub fn open_place(&mut self, c: &Ctx, place: &Place, record: bool) -> bool {
        let Some(i) = c.lib.find(&place.source, &place.path) else {
            self.say(Message::error(format!(
                "{} ({}) is no longer in {}",
                place.title, place.path, place.source
            )));
            return false;
        };
        let before = self.history.navigating;
        self.history.navigating = !record;
        self.open_doc(c, i, None, Terms::default());
        self.history.navigating = before;
        let Some(r) = &mut self.reader else {
            return false;
        };
        if r.doc.path != place.path || r.doc.source != place.source {
            return false;
        }
        let rows = c.rows(Some(r));
        r.go_to(place.anchor.as_deref(), place.offset, rows);
        let here = r.place();
        self.history.remember(&here);
        true
    }

    /// One step back or forward in history.
    pub fn step(&mut self, c: &Ctx, back: bool) {
        let here = self.place();
        let Some(target) = self.history.step(back, here) else {
            let m = if back {
                "no earlier page"
            } else {
                "no later page"
            };
            return self.say(Message::info(m));
        };
        if !self.open_place(c, &target, false) {
            self.history.step_failed(back);
        }
        self.save_history(c);
    }

    /// Reads the open page again (after `$EDITOR`), keeping the place.
    pub fn reload(&mut self, c: &Ctx) {
        let Some(place) = self.place() else {
            return;
        };
        let Some(doc) = self.reader.as_ref().map(|r| r.doc.clone()) else {
            return;
        };
        match c.lib.pages.read(&doc) {
            Ok(parsed) => {
                let before = self.history.navigating;
                self.history.navigating = true;
                self.show(c, doc, parsed, None, Terms::default());
                self.history.navigating = before;
                if let Some(r) = &mut self.reader {
                    let rows = c.rows(Some(r));
                    r.go_to(place.anchor.as_deref(), place.offset, rows);
                }
                self.say(Message::info(format!("{} read again", place.path)));
            }
            Err(e) => self.say(Message::error(e)),
        }
    }

    /// Asks for the open page's problems unless they are known or asked for: once per
    /// library, for a page of a configured source only (not the guide). Not before the
    /// library is loaded (`ken DOC`'s page is shown first): the library's arrival asks
    /// ([`Pages::new_library`]), so the copy is read for checking once, not once for each.
    fn ask_problems(&mut self, c: &Ctx) {
        let Some(r) = &self.reader else {
            return;
        };
        if !c.lib.docs.is_empty()
            && c.env.spec(&r.doc.source).is_some()
            && let Some(e) = self.problems.want(&r.doc.source, &r.doc.path)
        {
            self.out.push(Outcome::Effect(e, None));
        }
    }

    /// A new library: every page is checked again when shown, the open one now (its
    /// findings so far stay on screen until the new ones arrive).
    pub fn new_library(&mut self, c: &Ctx) {
        self.problems.clear();
        self.ask_problems(c);
    }

    /// The findings of a page arrived: kept, and shown if it is the open page.
    pub fn checked(
        &mut self,
        generation: u64,
        source: String,
        path: String,
        result: Result<Vec<crate::check::Finding>, String>,
    ) {
        // An answer for an earlier library is dropped, and leaves the findings shown as
        // they are.
        if self.problems.checked(generation, source, path, result)
            && let Some(r) = &mut self.reader
        {
            r.findings = self.problems.of(&r.doc.source, &r.doc.path);
        }
    }

    /// Pages of a local folder changed on disk: the open page, if it is one of them, is read
    /// again at the same place.
    pub fn changed_on_disk(&mut self, c: &Ctx, source: &str, paths: &[String]) {
        let open = self.reader.as_ref().map(|r| &r.doc);
        if let Some(doc) = open
            && doc.source == source
            && (paths.is_empty() || paths.contains(&doc.path))
        {
            self.reload(c);
        }
        self.say(super::status::changed_on_disk(source, paths));
    }

    /// A link of the open page was selected (said in the status bar) or followed.
    pub fn link(&mut self, c: &Ctx, url: &str, follow: bool) {
        let Some(r) = &self.reader else {
            return;
        };
        let source = r.doc.source.clone();
        let target = c.lib.site(&source).resolve(&r.doc.path, url);
        if !follow {
            return self.say(links::describe(&target, c.keymap));
        }
        match links::follow(target, c.lib, &source) {
            Outcome::Open { doc, anchor, terms } => self.open_doc(c, doc, anchor.as_deref(), terms),
            Outcome::Anchor(a) => self.jump(c, &a),
            other => self.out.push(other),
        }
    }

    /// Opens the standard that supersedes the open page (its `replaced_by`).
    pub fn successor(&mut self, c: &Ctx) {
        let Some(r) = &self.reader else {
            return;
        };
        match fresh::successor(c.lib, &r.doc) {
            Ok(i) => self.open_doc(c, i, None, Terms::default()),
            Err(e) => self.say(Message::error(e)),
        }
    }

    /// Scrolls to an anchor of the open page, recording the move in history.
    pub fn jump(&mut self, c: &Ctx, a: &str) {
        let Some(r) = &mut self.reader else {
            return;
        };
        let line = if a.is_empty() {
            Some(0)
        } else {
            r.layout.anchor_line(a)
        };
        let Some(line) = line else {
            let m = format!("broken link: no section #{a} in this page");
            return self.say(Message::error(m));
        };
        self.history.push(r.place());
        r.scroll = line;
        r.clamp(c.rows(Some(r)));
        let here = r.place();
        self.history.remember(&here);
        self.save_history(c);
    }

    /// Opens a page by site URL, route, path or `source:path` (see [`links::open_location`]).
    pub fn open_location(&mut self, c: &Ctx, text: &str) {
        match links::open_location(text, c.lib) {
            Outcome::Open { doc, anchor, terms } => self.open_doc(c, doc, anchor.as_deref(), terms),
            other => self.out.push(other),
        }
    }

    /// The open page's address, to copy (see [`links::location`]).
    pub fn copy_location(&self, c: &Ctx) -> Outcome {
        match self.place() {
            Some(place) => {
                let l = links::location(&place, c.env, c.lib);
                Outcome::Copy {
                    what: l.clone(),
                    text: l,
                }
            }
            None => Message::info("open a page to copy its address").into(),
        }
    }

    /// "Report a problem" with the section at the top of the open page: a new-issue link in
    /// the page's own repository (see `library::report`), to copy.
    pub fn report(&self, c: &Ctx) -> Outcome {
        let Some(r) = &self.reader else {
            return Message::info("open a page to report a problem with it").into();
        };
        let place = r.place();
        let address = links::location(&place, c.env, c.lib);
        // The page is read again for its text as written (the reader keeps the parsed page).
        let parsed = match c.lib.pages.read(&r.doc) {
            Ok(p) => p,
            Err(e) => return Message::error(e).into(),
        };
        match crate::library::report(&r.doc, &address, &parsed, None, place.anchor.as_deref()) {
            Ok(rep) => Outcome::Copy {
                what: format!("a report link for {} ({})", rep.origin.repo, rep.permalink),
                text: rep.url,
            },
            Err(e) => Message::error(e.to_string()).into(),
        }
    }

    /// Remembers where the reader is and saves history (on quit).
    pub fn save(&mut self, c: &Ctx) {
        if let Some(p) = self.place() {
            self.history.remember(&p);
            self.save_history(c);
        }
    }

    fn save_history(&mut self, c: &Ctx) {
        if let Err(e) = self.history.save_history(c.env.store.as_ref()) {
            self.say(Message::error(e));
        }
    }
}
