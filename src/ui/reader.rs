//! The reader's state: the open page (parsed once, laid out at the terminal's width), where it
//! is scrolled to, find in page, the selected link and the words a search highlighted, and
//! what the reader's keys do. What needs more than the page (following a link, history,
//! copying) is answered as an [`Outcome`] for the app.

use std::ops::Range;
use std::sync::Arc;

use super::cursor;
use super::data::Terms;
use super::diff::{Compared, DiffView};
use super::msg::{Effect, Message, Outcome};
use super::page::{self, Page, Styled};
use super::problems::{self, Problem};
use crate::check::Finding;
use crate::corpus::{Document, Parsed};
use crate::keymap::{Action, Context, Keymap};
use crate::store::Place;
use crate::theme::Theme;

/// Find in page.
#[derive(Debug, Default, Clone)]
pub struct Find {
    pub query: String,
    /// The query is being typed.
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
    pub terms: Terms,
    pub find: Option<Find>,
    /// The selected link (index into `styled.links`).
    pub link: Option<usize>,
    /// The page's changes since the last sync, shown instead of the page.
    pub diff: Option<DiffView>,
    /// The page's problems found by `ken check` (`None` until its source is checked).
    pub findings: Option<Vec<Finding>>,
    /// The Markdown (and the line of the file it starts on, and its headings' lines), to
    /// find where a problem's line is drawn. The headings' lines take a parse of the whole
    /// page: they are found when a problem is first placed, not before the first frame.
    body: String,
    body_line: usize,
    headings: std::cell::OnceCell<Vec<usize>>,
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
    /// A page that has been read, at the top. `quick`: a long page shows its beginning first
    /// (so that opening it does not take longer the longer it is). The effect, when there is
    /// one, makes the whole page with its code highlighted in the background.
    pub fn new(
        doc: Document,
        parsed: Parsed,
        terms: Terms,
        width: u16,
        theme: &Theme,
        quick: bool,
    ) -> (Reader, Option<Effect>) {
        let facts = facts(&doc, &parsed);
        let head = if quick {
            page::head(&parsed.body, page::HEAD_BYTES)
        } else {
            None
        };
        // Code already highlighted once (in the cache) comes coloured at once.
        let cached = head.is_none() && crate::markdown::hlcache::has(&parsed.body);
        let page = page::parse(head.unwrap_or(&parsed.body), cached);
        let effect = (head.is_some() || page.wants_highlight).then(|| Effect::Highlight {
            source: doc.source.clone(),
            path: doc.path.clone(),
            body: parsed.body.clone(),
        });
        let mut r = Reader {
            title: parsed.title,
            doc,
            facts,
            page,
            layout: Default::default(),
            styled: Styled::default(),
            width: width.max(1),
            scroll: 0,
            terms,
            find: None,
            link: None,
            diff: None,
            findings: None,
            headings: std::cell::OnceCell::new(),
            body: parsed.body,
            body_line: parsed.body_line,
        };
        r.relayout(theme);
        (r, effect)
    }

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

    /// Where the reader is: page, section at the top, lines below its heading.
    pub fn place(&self) -> Place {
        let section = self.section();
        Place {
            source: self.doc.source.clone(),
            path: self.doc.path.clone(),
            title: self.title.clone(),
            anchor: section.and_then(|i| Some(self.doc().headings.get(i)?.anchor.clone())),
            offset: self.scroll - section.map_or(0, |i| self.layout.heading_lines[i]),
        }
    }

    /// Scrolls to `offset` lines below the heading with `anchor` (the top without one, or
    /// when the page has no such heading any more).
    pub fn go_to(&mut self, anchor: Option<&str>, offset: usize, rows: usize) {
        let base = anchor.and_then(|a| self.layout.anchor_line(a));
        self.scroll = base.unwrap_or(0) + offset;
        self.clamp(rows);
    }

    /// Lays the page out again at `width` (or a new page at the same width).
    fn relayout(&mut self, theme: &Theme) {
        self.layout = self.page.doc.layout(self.width as usize);
        self.styled = page::styled(&self.layout, theme);
    }

    /// Never past the end of the page.
    pub fn clamp(&mut self, rows: usize) {
        self.scroll = self.scroll.min(self.lines().saturating_sub(rows));
    }

    /// Whether the find query is being typed.
    pub fn finding(&self) -> bool {
        self.find.as_ref().is_some_and(|f| f.editing)
    }

    /// The find query, while it is being typed.
    pub fn input(&mut self) -> Option<&mut String> {
        self.find
            .as_mut()
            .filter(|f| f.editing)
            .map(|f| &mut f.query)
    }

    /// What an action does in the reader. Find in page comes before the page: while its
    /// query is typed, `Open` ends the typing and `Back` ends the find.
    pub fn act(&mut self, a: Action, rows: usize, keymap: &Keymap) -> Outcome {
        if let Some(d) = &mut self.diff {
            return match d.act(a, rows) {
                Some(true) => Outcome::Done,
                Some(false) => Outcome::Ignored,
                None => {
                    self.diff = None;
                    Outcome::Quiet
                }
            };
        }
        let editing = self.finding();
        let out = match a {
            _ if cursor::scroll(&mut self.scroll, a, rows) => Outcome::Done,
            Action::Find => {
                self.find = Some(Find {
                    editing: true,
                    ..Default::default()
                });
                Outcome::Done
            }
            Action::FindNext | Action::FindPrev => {
                self.find_step(a == Action::FindNext, rows);
                Outcome::Done
            }
            Action::Open if editing => {
                if let Some(f) = &mut self.find {
                    f.editing = false;
                }
                Outcome::Done
            }
            Action::NextLink | Action::PrevLink => self.select_link(a == Action::NextLink, rows),
            Action::FollowLink if !editing => match self.link_url(self.link) {
                Some(url) => Outcome::Link { url, follow: true },
                None => {
                    let key = keymap
                        .hint(Context::Reader, Action::NextLink)
                        .unwrap_or_default();
                    Message::info(format!("no link selected: {key} selects the next one")).into()
                }
            },
            Action::Cancel => self.cancel(),
            Action::OpenSuccessor => Outcome::Successor,
            Action::Diff => Outcome::Effect(
                Effect::Diff {
                    source: self.doc.source.clone(),
                    path: self.doc.path.clone(),
                },
                Some(Message::info(
                    "comparing with the page before the last sync…",
                )),
            ),
            Action::Back if editing => {
                self.find = None;
                Outcome::Done
            }
            Action::Back => Outcome::Back,
            _ => Outcome::Ignored,
        };
        self.clamp(rows);
        out
    }

    /// Esc: the innermost thing goes first — the find being typed, the selected link, the
    /// find, the highlighted search words, the message.
    fn cancel(&mut self) -> Outcome {
        if !self.finding() && self.link.is_some() {
            self.link = None;
            return Outcome::Quiet;
        }
        if self.find.is_some() {
            self.find = None;
        } else if !self.terms.is_empty() {
            self.terms = Terms::default();
        } else {
            return Outcome::Quiet;
        }
        Outcome::Done
    }

    /// The URL of link piece `k` (index into `styled.links`), as written in the page.
    pub fn link_url(&self, k: Option<usize>) -> Option<String> {
        let span = self.styled.links.get(k?)?;
        Some(self.doc().links.get(span.link as usize)?.url.clone())
    }

    fn select_link(&mut self, forward: bool, rows: usize) -> Outcome {
        let links = &self.styled.links;
        if links.is_empty() {
            return Message::info("no links on this page").into();
        }
        let n = links.len();
        let next = match self.link {
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
            None if forward => links
                .iter()
                .position(|l| l.line >= self.scroll)
                .unwrap_or(0),
            None => links
                .iter()
                .rposition(|l| l.line < self.scroll + rows)
                .unwrap_or(n - 1),
        };
        self.link = Some(next);
        let line = links[next].line;
        if line < self.scroll || line >= self.scroll + rows {
            self.scroll = line.saturating_sub(rows / 3);
        }
        self.clamp(rows);
        match self.link_url(Some(next)) {
            Some(url) => Outcome::Link { url, follow: false },
            None => Outcome::Done,
        }
    }

    fn find_step(&mut self, forward: bool, rows: usize) {
        let Some(f) = &mut self.find else {
            return;
        };
        f.editing = false;
        let n = f.matches.len();
        if n > 0 {
            f.current = if forward {
                (f.current + 1) % n
            } else {
                (f.current + n - 1) % n
            };
            self.scroll = f.matches[f.current].0.saturating_sub(rows / 3);
        }
    }

    /// Counts the find's matches again (the query or the layout changed) and shows the first
    /// one at or after the top of the screen.
    pub fn update_find(&mut self, rows: usize) {
        let Some(f) = &self.find else {
            return;
        };
        let matches: Vec<(usize, Range<usize>)> = if f.query.trim().is_empty() {
            Vec::new()
        } else {
            self.layout
                .find(&f.query)
                .into_iter()
                .map(|m| (m.line, m.bytes))
                .collect()
        };
        let current = matches
            .iter()
            .position(|(l, _)| *l >= self.scroll)
            .unwrap_or(0);
        if let Some((l, _)) = matches.get(current)
            && (*l < self.scroll || *l >= self.scroll + rows)
        {
            self.scroll = l.saturating_sub(rows / 3);
        }
        if let Some(f) = &mut self.find {
            f.matches = matches;
            f.current = current;
        }
        self.clamp(rows);
    }

    /// The page's two versions in the last sync arrived: the view of its changes, opened at
    /// the first one, or why there is none.
    pub fn diffed(&mut self, c: Result<Compared, String>, theme: &Theme, rows: usize) -> Message {
        match c {
            Ok(c) if !c.changed => Message::info("the last sync did not change this page"),
            Ok(c) => {
                let mut v = DiffView::new(c, self.width, theme);
                v.first_change(rows);
                let said = Message::info(v.summary());
                self.diff = Some(v);
                said
            }
            Err(e) => Message::error(crate::sanitize::line(&e, 0).into_owned()),
        }
    }

    /// The terminal is `width` columns wide now: the page is laid out again with the same
    /// text at the top (the share of the page read so far).
    pub fn resize(&mut self, width: u16, theme: &Theme, rows: usize) {
        if let Some(d) = &mut self.diff {
            d.resize(width.max(1), theme);
        }
        if self.width != width.max(1) {
            let frac = self.scroll as f64 / self.lines().max(1) as f64;
            self.width = width.max(1);
            self.relayout(theme);
            self.link = None; // link pieces are numbered per layout
            self.scroll = (frac * self.lines() as f64) as usize;
            self.update_find(rows);
        }
        self.clamp(rows);
    }

    /// The page with its code highlighted arrived. Highlighting changes colours, not line
    /// breaks: the place stays (the whole page after its beginning keeps the beginning's
    /// lines too), and so does the match a find is on, though the matches are counted again.
    pub fn highlighted(&mut self, page: Arc<Page>, theme: &Theme, rows: usize) {
        self.page = page;
        self.relayout(theme);
        if self.link.is_some_and(|k| k >= self.styled.links.len()) {
            self.link = None;
        }
        let on = self
            .find
            .as_ref()
            .and_then(|f| f.matches.get(f.current).cloned());
        let scroll = self.scroll;
        self.update_find(rows);
        if let Some(f) = &mut self.find
            && let Some(i) = on.and_then(|m| f.matches.iter().position(|x| *x == m))
        {
            f.current = i;
            self.scroll = scroll;
        }
        self.clamp(rows);
    }

    /// The page's problems, each at the laid-out line it is on.
    pub fn problems(&self) -> Vec<Problem> {
        let f = self.findings.as_deref().unwrap_or_default();
        if f.is_empty() {
            return Vec::new();
        }
        let headings = self
            .headings
            .get_or_init(|| problems::heading_lines(&self.body));
        problems::locate(f, &self.body, self.body_line, headings, &self.layout)
    }

    /// The number of code blocks on the page.
    pub fn code_blocks(&self) -> usize {
        self.doc().code_blocks.len()
    }

    /// Copies code block `n` (as numbered in the reader).
    pub fn copy_block(&self, n: usize) -> Outcome {
        if let Some(b) = self.doc().code_blocks.iter().find(|b| b.number == n) {
            let lines = b.text.lines().count();
            return Outcome::Copy {
                text: b.text.clone(),
                what: format!(
                    "code block {n} ({lines} line{})",
                    if lines == 1 { "" } else { "s" }
                ),
            };
        }
        Message::error(format!(
            "no code block {n}: this page has {}",
            match self.code_blocks() {
                0 => "none".to_string(),
                1 => "only block 1".to_string(),
                c => format!("blocks 1–{c}"),
            }
        ))
        .into()
    }

    /// The name of the section at the top of the screen.
    pub fn section_name(&self) -> Option<String> {
        Some(self.doc().headings.get(self.section()?)?.text.clone())
    }

    /// The copy of the section at the top of the open page, if a page is open.
    pub fn copy_section(page: Option<&Reader>) -> Outcome {
        match page.map(Reader::section_text) {
            Some((text, name)) => Outcome::Copy {
                text,
                what: format!("the section {name}"),
            },
            None => Message::info("open a page to copy from it").into(),
        }
    }

    /// The rendered text of the section at the top of the screen (with its subsections),
    /// and its name.
    pub fn section_text(&self) -> (String, String) {
        let heads = &self.doc().headings;
        let hl = &self.layout.heading_lines;
        let sec = self.section();
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
                .map_or(self.lines(), |j| hl[j]),
            None => hl.first().copied().unwrap_or(self.lines()),
        };
        (plain((start..end).map(|i| self.line_text(i))), name)
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

/// The facts under the reader's title: the page's path, where it comes from when that is
/// another path or repository (a page a site imports: `from owner/name path @ commit`), then
/// the front-matter facts `ken show` prints ([`crate::markdown::header`]).
fn facts(doc: &Document, parsed: &Parsed) -> Vec<(String, String)> {
    let fm = parsed.front_matter.as_ref();
    let header = fm.and_then(crate::markdown::header);
    let from = doc.origin.as_ref().filter(|o| o.path != doc.path).map(|o| {
        let repo = crate::site::repo_key(&o.repo);
        let mut parts = repo.rsplit(['/', ':']);
        let name = parts.next().unwrap_or_default();
        let owner = parts.next().map(|o| format!("{o}/")).unwrap_or_default();
        let commit = &o.commit[..o.commit.len().min(10)];
        (
            "from".to_string(),
            format!("{owner}{name} {} @ {commit}", o.path),
        )
    });
    std::iter::once(("path".to_string(), doc.path.clone()))
        .chain(from)
        .chain(header.into_iter().flat_map(|h| h.facts))
        .collect()
}
