//! The width-independent document model, built once per page from pulldown-cmark events.

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, Event, Options as CmarkOptions, Parser, Tag, TagEnd,
};

use super::dialect::{self, Op, Prepared, SectionKind};
use super::highlight;
use super::hlcache;
use super::layout::{self, Layout};
use super::style::{AdmonitionKind, Flags, Syntax};
use crate::sanitize;
use crate::slug::Slugger;

/// Containers nested deeper than this are flattened into their parent: the text is kept, the
/// indentation is not (a page cannot exhaust the stack or the width).
pub const MAX_DEPTH: usize = 24;

/// A run of inline text. `text` is sanitized; `"\n"` alone is a hard line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub flags: Flags,
    pub link: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `Some(done)` for a task list item.
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        /// Index into [`Document::headings`].
        index: usize,
        spans: Vec<Span>,
    },
    Paragraph(Vec<Span>),
    List {
        /// The first number of an ordered list.
        start: Option<u64>,
        tight: bool,
        items: Vec<Item>,
    },
    Quote(Vec<Block>),
    Admonition {
        kind: AdmonitionKind,
        /// The title given after `:::kind`, or empty.
        title: String,
        blocks: Vec<Block>,
    },
    /// A tab (`<TabItem label>`) or a `<details>` section.
    Section {
        kind: SectionKind,
        label: String,
        blocks: Vec<Block>,
    },
    /// Index into [`Document::code_blocks`].
    Code(usize),
    Table {
        aligns: Vec<Align>,
        head: Vec<Vec<Span>>,
        rows: Vec<Vec<Vec<Span>>>,
    },
    Rule,
    /// Raw HTML, as dim text with the tags removed.
    Html(String),
    Footnote {
        label: String,
        blocks: Vec<Block>,
    },
}

/// A heading of the page, for the outline and for anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// The heading as plain text.
    pub text: String,
    /// The anchor, by the site's slug rules (or `{#custom-id}`).
    pub anchor: String,
}

/// A link of the page. Its position in [`Document::links`] is its stable index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The target as written (unsanitized: resolve it, sanitize before showing).
    pub url: String,
    /// The link text as plain text (sanitized).
    pub text: String,
}

/// A fenced or indented code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The number shown on the block, from 1 (for "copy block N").
    pub number: usize,
    pub lang: Option<String>,
    /// `title="…"` from the info string.
    pub title: Option<String>,
    /// The code exactly as written (unsanitized): what "copy" copies.
    pub text: String,
    /// The lines to show: sanitized, tabs expanded, split into classed runs.
    pub lines: Vec<Vec<(Option<Syntax>, String)>>,
    /// Why the block (or part of it) is shown without highlighting, when a cap was hit.
    pub note: Option<String>,
}

/// The compact header made from front matter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    pub title: Option<String>,
    /// `(field, value)` in a fixed order: status, type, track, version, …
    pub facts: Vec<(String, String)>,
}

/// One parsed page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub header: Option<Header>,
    pub blocks: Vec<Block>,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    /// The targets of the page's images, as written and in order (unsanitized; `ken
    /// check` looks for the files, the reader shows only the alt text).
    pub images: Vec<String>,
    pub code_blocks: Vec<CodeBlock>,
    /// With [`Options::link_refs`]: the link (index into `links`) each number stands for,
    /// number `n` at `n - 1`.
    pub link_refs: Vec<usize>,
}

/// How to parse.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Highlight code with syntect (loaded lazily, once).
    pub highlight: bool,
    /// Number each link in the text (`[1]`) for a list of targets after the page, as
    /// printed pages do ([`Document::link_refs`]). Bare URLs show their target already.
    pub link_refs: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            highlight: true,
            link_refs: false,
        }
    }
}

/// Front matter fields shown in the header, in this order.
const HEADER_FIELDS: [(&str, &str); 9] = [
    ("status", "status"),
    ("type", "type"),
    ("track", "track"),
    ("version", "version"),
    ("stabilized_at", "stabilized"),
    ("deprecated_at", "deprecated"),
    ("replaces", "replaces"),
    ("supplements", "supplements"),
    ("generated", "generated"),
];

/// The header of a page with this front matter: its title and the facts of
/// `HEADER_FIELDS`, in that order, sanitized; `None` when it has neither. What `ken show`
/// prints above a page and the reader shows under its title.
pub fn header(fm: &serde_json::Value) -> Option<Header> {
    let obj = fm.as_object()?;
    let scalar = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            serde_json::Value::Array(a) => {
                let parts: Vec<String> = a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            }
            _ => None,
        }
    };
    let title = obj
        .get("title")
        .and_then(scalar)
        .filter(|t| !t.is_empty())
        .map(|t| clean(&t));
    let facts: Vec<(String, String)> = HEADER_FIELDS
        .iter()
        .filter_map(|(key, label)| {
            let v = obj.get(*key).and_then(scalar).filter(|v| !v.is_empty())?;
            Some((label.to_string(), clean(&v)))
        })
        .collect();
    if title.is_none() && facts.is_empty() {
        return None;
    }
    Some(Header { title, facts })
}

/// One-line sanitized text.
fn clean(s: &str) -> String {
    let one: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    sanitize::line(&one, 0).into_owned()
}

/// Parses a page body (front matter already split off, as [`crate::corpus::parse`] does).
pub fn parse(body: &str, front_matter: Option<&serde_json::Value>, opts: Options) -> Document {
    parse_then(body, front_matter, opts, |_, queue| queue.work(false)).0
}

/// Parses a page and lays it out at `width`, the layout done while code blocks are still
/// being highlighted: what `ken show` does. A block not highlighted yet when the layout gets
/// to it is laid out plain; the parsing thread then helps with the highlighting, and the
/// blocks' lines go into their places at the end (the page is laid out again in the rare
/// case one does not fit its place).
pub fn parse_and_layout(
    body: &str,
    front_matter: Option<&serde_json::Value>,
    opts: Options,
    width: usize,
) -> (Document, Layout) {
    let (doc, mut lay) = parse_then(body, front_matter, opts, |doc, queue| {
        let lay = layout::layout_with(
            doc,
            width,
            Some(&mut |i| match queue.try_fetch(i) {
                highlight::Ready::Done(lines) => Some(lines),
                highlight::Ready::Later => None,
                // A block past the queue's limit is highlighted here.
                highlight::Ready::Never => {
                    let cb = doc.code_blocks.get(i)?;
                    Some(queue.highlight_here(i, &cb.text, cb.lang.as_deref()))
                }
            }),
        );
        queue.work(false);
        lay
    });
    if !layout::fill_code(&mut lay, &doc) {
        lay = layout::layout(&doc, width);
    }
    (doc, lay)
}

/// Parses a page, handing its code blocks to helper threads as they come, then runs `then`
/// on the page (whose queued blocks have no lines yet) and the closed queue; the blocks' lines
/// are filled in before the page is returned.
fn parse_then<R>(
    body: &str,
    front_matter: Option<&serde_json::Value>,
    opts: Options,
    then: impl FnOnce(&Document, &highlight::Queue) -> R,
) -> (Document, R) {
    let prepared = dialect::prepare(body);
    let helpers_allowed = if opts.highlight {
        highlight::helpers_allowed()
    } else {
        0
    };
    let queue = highlight::Queue::default();
    let cached = if opts.highlight {
        hlcache::get(body)
    } else {
        None
    };
    let (mut doc, r) = std::thread::scope(|scope| {
        let mut b = Builder::new(&prepared, opts.highlight.then_some(&queue));
        b.cached = cached.as_deref();
        b.link_refs = opts.link_refs;
        let mut helpers = Vec::new();
        // No thread to be had (a process limit): the parsing thread does it all.
        let spawn = || queue.spawn_helper(scope);
        // A page with code to highlight, not in the cache, gets its first helper now: it loads
        // the syntaxes while the first block is read.
        if helpers_allowed > 0 && cached.is_none() && highlight::fences_want_syntax(&prepared.text)
        {
            helpers.extend(spawn());
        }
        for ev in Parser::new_ext(&prepared.text, cmark_options()) {
            b.event(ev);
            // A block was handed over: one more helper while blocks pile up.
            if let Some(waiting) = b.handed_over.take()
                && helpers.len() < helpers_allowed
                && (helpers.is_empty() || waiting > 1)
            {
                helpers.extend(spawn());
            }
        }
        let mut doc = b.finish();
        doc.header = front_matter.and_then(header);
        queue.close();
        let r = then(&doc, &queue);
        for h in helpers {
            // A helper that panicked loses its block; it is shown plain below.
            let _ = h.join();
        }
        (doc, r)
    });
    let done = queue.take_done();
    let fresh = !done.is_empty();
    for (i, (lines, note)) in done {
        if let Some(block) = doc.code_blocks.get_mut(i) {
            block.lines = lines;
            block.note = note;
        }
    }
    // Blocks past the queue's limit (and any the layout did not reach).
    for block in doc.code_blocks.iter_mut().filter(|c| c.lines.is_empty()) {
        (block.lines, block.note) =
            highlight::code_lines(&block.text, block.lang.as_deref(), opts.highlight);
    }
    // Highlighted anew, none cut short: kept for the next time this page is read.
    if fresh && doc.code_blocks.iter().all(|c| c.note.is_none()) {
        let blocks: Vec<hlcache::Block> = doc
            .code_blocks
            .iter()
            .map(|c| hlcache::Block {
                lang: highlight::lang_key(c.lang.as_deref()),
                text: c.text.clone(),
                lines: c.lines.clone(),
            })
            .collect();
        hlcache::put(body, &blocks);
    }
    (doc, r)
}

pub(crate) fn cmark_options() -> CmarkOptions {
    let mut cm = CmarkOptions::empty();
    cm.insert(CmarkOptions::ENABLE_TABLES);
    cm.insert(CmarkOptions::ENABLE_FOOTNOTES);
    cm.insert(CmarkOptions::ENABLE_STRIKETHROUGH);
    cm.insert(CmarkOptions::ENABLE_TASKLISTS);
    cm.insert(CmarkOptions::ENABLE_HEADING_ATTRIBUTES);
    cm.insert(CmarkOptions::ENABLE_GFM);
    cm
}

/// An open container.
#[derive(Debug)]
enum Frame {
    Root,
    Quote,
    Admonition {
        kind: AdmonitionKind,
        title: String,
    },
    Section {
        kind: SectionKind,
        label: String,
    },
    /// A `<Tabs>`-like group or a container past [`MAX_DEPTH`]: its blocks join the parent.
    Flat,
    List {
        start: Option<u64>,
        tight: bool,
        items: Vec<Item>,
    },
    Item {
        task: Option<bool>,
    },
    Footnote {
        label: String,
    },
}

/// What ends a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closer {
    Root,
    Cmark,
    Admonition,
    Section(SectionKind),
}

/// An open leaf that collects inline text.
#[derive(Debug)]
enum Leaf {
    Paragraph { implicit: bool },
    Heading { level: u8, id: Option<String> },
    Cell,
    Code { info: Option<String>, text: String },
    Html(String),
}

struct Table {
    aligns: Vec<Align>,
    head: Vec<Vec<Span>>,
    rows: Vec<Vec<Vec<Span>>>,
    row: Vec<Vec<Span>>,
    in_head: bool,
}

struct Builder<'p> {
    prepared: &'p Prepared,
    /// Where code blocks go to be highlighted (`None`: shown plain).
    queue: Option<&'p highlight::Queue>,
    /// Set when a block was just queued: how many are waiting.
    handed_over: Option<usize>,
    /// The page's code blocks from the highlight cache, in order.
    cached: Option<&'p [hlcache::Block]>,
    link_refs: bool,
    /// Blocks handed to the queue so far.
    queued: usize,
    /// Open containers with their blocks and what closes them.
    stack: Vec<(Frame, Closer, Vec<Block>)>,
    leaf: Option<Leaf>,
    spans: Vec<Span>,
    flags: Vec<Flags>,
    link: Vec<(u32, usize)>,
    image_depth: usize,
    tables: Vec<Table>,
    /// Open frames that indent (not Root, not Flat).
    depth: usize,
    doc: Document,
    slugger: Slugger,
    finder: linkify::LinkFinder,
}

impl<'p> Builder<'p> {
    fn new(prepared: &'p Prepared, queue: Option<&'p highlight::Queue>) -> Self {
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        Builder {
            prepared,
            queue,
            handed_over: None,
            cached: None,
            link_refs: false,
            queued: 0,
            stack: vec![(Frame::Root, Closer::Root, Vec::new())],
            leaf: None,
            spans: Vec::new(),
            flags: Vec::new(),
            link: Vec::new(),
            image_depth: 0,
            tables: Vec::new(),
            depth: 0,
            doc: Document::default(),
            slugger: Slugger::new(),
            finder,
        }
    }

    fn depth(&self) -> usize {
        self.depth
    }

    fn push_block(&mut self, block: Block) {
        if let Some((_, _, blocks)) = self.stack.last_mut() {
            blocks.push(block);
        }
    }

    fn open(&mut self, frame: Frame, closer: Closer) {
        self.end_implicit_paragraph();
        let frame = if self.depth() >= MAX_DEPTH && !matches!(frame, Frame::Item { .. }) {
            Frame::Flat
        } else {
            frame
        };
        // Items of a flattened list are flattened too.
        let frame = match (&frame, self.stack.last()) {
            (Frame::Item { .. }, Some((Frame::Flat, _, _))) => Frame::Flat,
            _ => frame,
        };
        if !matches!(frame, Frame::Flat | Frame::Root) {
            self.depth += 1;
        }
        self.stack.push((frame, closer, Vec::new()));
    }

    /// Closes the innermost frame closed by `closer`, closing any frames opened inside it.
    /// A closer with no open frame is ignored.
    fn close(&mut self, closer: Closer) {
        self.end_implicit_paragraph();
        if closer == Closer::Cmark {
            // pulldown-cmark's events are well nested, but dialect frames may be open inside
            // a Markdown container; they end with it.
            while let Some((_, c, _)) = self.stack.last() {
                if *c == Closer::Cmark || *c == Closer::Root {
                    break;
                }
                self.pop();
            }
            if matches!(self.stack.last(), Some((_, Closer::Cmark, _))) {
                self.pop();
            }
            return;
        }
        let Some(pos) = self.stack.iter().rposition(|(_, c, _)| *c == closer) else {
            return;
        };
        // Never close across an open Markdown container: its end event would be lost.
        if self.stack[pos..]
            .iter()
            .any(|(_, c, _)| *c == Closer::Cmark)
        {
            return;
        }
        while self.stack.len() > pos {
            self.pop();
        }
    }

    fn pop(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let Some((frame, _, blocks)) = self.stack.pop() else {
            return;
        };
        if !matches!(frame, Frame::Flat | Frame::Root) {
            self.depth = self.depth.saturating_sub(1);
        }
        match frame {
            Frame::Root => {}
            Frame::Flat => {
                if let Some((_, _, parent)) = self.stack.last_mut() {
                    parent.extend(blocks);
                }
            }
            Frame::Quote => self.push_block(Block::Quote(blocks)),
            Frame::Admonition { kind, title } => {
                self.push_block(Block::Admonition {
                    kind,
                    title,
                    blocks,
                });
            }
            Frame::Section { kind, label } => self.push_block(Block::Section {
                kind,
                label,
                blocks,
            }),
            Frame::List {
                start,
                tight,
                items,
            } => {
                // Blocks outside items cannot happen in CommonMark; keep them anyway.
                let mut items = items;
                if !blocks.is_empty() {
                    items.push(Item { task: None, blocks });
                }
                self.push_block(Block::List {
                    start,
                    tight,
                    items,
                });
            }
            Frame::Item { task } => {
                if let Some((Frame::List { items, .. }, _, _)) = self.stack.last_mut() {
                    items.push(Item { task, blocks });
                } else if let Some((_, _, parent)) = self.stack.last_mut() {
                    parent.extend(blocks);
                }
            }
            Frame::Footnote { label } => self.push_block(Block::Footnote { label, blocks }),
        }
    }

    fn finish(mut self) -> Document {
        self.end_implicit_paragraph();
        if self.leaf.is_some() {
            self.end_leaf();
        }
        while self.stack.len() > 1 {
            self.pop();
        }
        if let Some((_, _, blocks)) = self.stack.pop() {
            self.doc.blocks = blocks;
        }
        self.doc
    }

    fn current_flags(&self) -> Flags {
        self.flags.iter().fold(Flags::NONE, |a, b| a | *b)
    }

    fn current_link(&self) -> Option<u32> {
        self.link.last().map(|(i, _)| *i)
    }

    fn add_text(&mut self, text: &str, extra: Flags) {
        if self.leaf.is_none() {
            if self.tables.last().is_some() {
                return;
            }
            self.leaf = Some(Leaf::Paragraph { implicit: true });
        }
        match &mut self.leaf {
            Some(Leaf::Code { text: t, .. }) | Some(Leaf::Html(t)) => {
                t.push_str(text);
                return;
            }
            _ => {}
        }
        let flags = self.current_flags() | extra;
        let link = self.current_link();
        if link.is_none() && !flags.contains(Flags::CODE) && self.image_depth == 0 {
            // Bare URLs become links.
            let mut last = 0;
            let found: Vec<(usize, usize)> = self
                .finder
                .links(text)
                .map(|l| (l.start(), l.end()))
                .collect();
            for (s, e) in found {
                self.push_span(&text[last..s], flags, None);
                let idx = self.doc.links.len() as u32;
                self.doc.links.push(Link {
                    url: text[s..e].to_string(),
                    text: sanitize::line(&text[s..e], 0).into_owned(),
                });
                self.push_span(&text[s..e], flags | Flags::LINK, Some(idx));
                last = e;
            }
            self.push_span(&text[last..], flags, None);
        } else {
            self.push_span(text, flags, link);
        }
    }

    fn push_span(&mut self, text: &str, flags: Flags, link: Option<u32>) {
        if text.is_empty() {
            return;
        }
        // Soft line breaks and tabs inside prose are spaces; everything else unsafe is
        // made visible.
        let text = text.replace(['\t', '\n', '\r'], " ");
        let text = sanitize::line(&text, 0).into_owned();
        if let Some(last) = self.spans.last_mut()
            && last.flags == flags
            && last.link == link
            && last.text != "\n"
        {
            last.text.push_str(&text);
            return;
        }
        self.spans.push(Span { text, flags, link });
    }

    fn hard_break(&mut self) {
        if matches!(
            self.leaf,
            Some(Leaf::Paragraph { .. }) | Some(Leaf::Cell) | Some(Leaf::Heading { .. })
        ) {
            self.spans.push(Span {
                text: "\n".into(),
                flags: Flags::NONE,
                link: None,
            });
        }
    }

    fn end_implicit_paragraph(&mut self) {
        if matches!(self.leaf, Some(Leaf::Paragraph { implicit: true })) {
            self.end_leaf();
        }
    }

    fn start_leaf(&mut self, leaf: Leaf) {
        self.end_implicit_paragraph();
        if self.leaf.is_some() {
            self.end_leaf();
        }
        self.spans.clear();
        self.leaf = Some(leaf);
    }

    fn end_leaf(&mut self) {
        let Some(leaf) = self.leaf.take() else {
            return;
        };
        let mut spans = std::mem::take(&mut self.spans);
        // Trim a trailing hard break.
        while spans.last().is_some_and(|s| s.text == "\n") {
            spans.pop();
        }
        match leaf {
            Leaf::Paragraph { .. } => {
                if !spans.is_empty() {
                    self.push_block(Block::Paragraph(spans));
                }
            }
            Leaf::Heading { level, id } => {
                // Footnote markers are shown but are not part of the heading's name: the site
                // drops them from the anchor (`## MACsec[^ms]` is `#macsec`).
                let text: String = spans
                    .iter()
                    .filter(|s| !s.flags.contains(Flags::FOOTNOTE))
                    .map(|s| if s.text == "\n" { " " } else { s.text.as_str() })
                    .collect();
                let anchor = self.slugger.anchor(&text, id.as_deref());
                let index = self.doc.headings.len();
                self.doc.headings.push(Heading {
                    level,
                    text: text.trim().to_string(),
                    anchor: sanitize::line(&anchor, 0).into_owned(),
                });
                self.push_block(Block::Heading {
                    level,
                    index,
                    spans,
                });
            }
            Leaf::Cell => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.push(spans);
                }
            }
            Leaf::Code { info, text } => {
                let (lang, title) = info_string(info.as_deref());
                let number = self.doc.code_blocks.len() + 1;
                // Highlighted blocks get their lines at the end of `parse`.
                let key = highlight::lang_key(lang.as_deref());
                let hit = self
                    .cached
                    .and_then(|c| c.get(number - 1))
                    .filter(|c| c.fits(&key, &text));
                let (lines, note) = match self.queue {
                    Some(_) if let Some(hit) = hit => (hit.lines.clone(), None),
                    Some(queue) if highlight::wants_syntax(lang.as_deref()) => {
                        if self.queued < highlight::MAX_QUEUED {
                            self.queued += 1;
                            let waiting = queue.push(highlight::Job {
                                index: number - 1,
                                text: text.clone(),
                                lang: lang.clone(),
                                key,
                            });
                            self.handed_over = Some(waiting);
                        }
                        // No lines yet: from the queue, or highlighted where needed.
                        (Vec::new(), None)
                    }
                    _ => highlight::code_lines(&text, None, false),
                };
                self.doc.code_blocks.push(CodeBlock {
                    number,
                    lang,
                    title,
                    text,
                    lines,
                    note,
                });
                self.push_block(Block::Code(number - 1));
            }
            Leaf::Html(html) => self.html_block(&html),
        }
    }

    fn html_block(&mut self, html: &str) {
        self.doc.images.extend(img_sources(html));
        if let Some(op) = self.prepared.op(html).cloned() {
            match op {
                Op::OpenAdmonition { kind, title } => self.open(
                    Frame::Admonition {
                        kind: AdmonitionKind::from_name(&kind),
                        title: clean(&title),
                    },
                    Closer::Admonition,
                ),
                Op::CloseAdmonition => self.close(Closer::Admonition),
                Op::OpenSection { kind, label } => self.open(
                    Frame::Section {
                        kind,
                        label: clean(&label),
                    },
                    Closer::Section(kind),
                ),
                Op::CloseSection(kind) => self.close(Closer::Section(kind)),
                Op::Summary(label) => {
                    let label = clean(&label);
                    let open = self.stack.iter_mut().rev().find_map(|(f, _, _)| match f {
                        Frame::Section {
                            kind: SectionKind::Details,
                            label,
                        } => Some(label),
                        _ => None,
                    });
                    match open {
                        Some(l) => *l = label,
                        None => self.push_block(Block::Paragraph(vec![Span {
                            text: label,
                            flags: Flags::STRONG,
                            link: None,
                        }])),
                    }
                }
                Op::Drop => {}
            }
            return;
        }
        let text = strip_html(html);
        if !text.trim().is_empty() {
            let text = sanitize::text(&text).into_owned();
            self.push_block(Block::Html(text));
        }
    }

    fn event(&mut self, ev: Event<'_>) {
        match ev {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(t) => self.add_text(&t, Flags::NONE),
            Event::Code(t) => self.add_text(&t, Flags::CODE),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.add_text(&t, Flags::CODE),
            Event::Html(t) => {
                if let Some(Leaf::Html(s)) = &mut self.leaf {
                    s.push_str(&t);
                }
            }
            Event::InlineHtml(t) => self.inline_html(&t),
            Event::FootnoteReference(label) => {
                let text = format!("[^{label}]");
                self.add_text(&text, Flags::FOOTNOTE);
            }
            Event::SoftBreak => self.add_text(" ", Flags::NONE),
            Event::HardBreak => self.hard_break(),
            Event::Rule => {
                self.end_implicit_paragraph();
                self.push_block(Block::Rule);
            }
            Event::TaskListMarker(done) => {
                if let Some((Frame::Item { task }, _, _)) = self.stack.last_mut() {
                    *task = Some(done);
                }
            }
        }
    }

    fn inline_html(&mut self, html: &str) {
        self.doc.images.extend(img_sources(html));
        let tag = html.trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('<')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect();
        match name.as_str() {
            "br" | "br/" => self.hard_break(),
            "mark" => self.flags.push(Flags::HIGHLIGHT),
            "/mark" => {
                self.flags.pop();
            }
            // Other tags and comments are dropped; their text is kept.
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.start_leaf(Leaf::Paragraph { implicit: false }),
            Tag::Heading { level, id, .. } => self.start_leaf(Leaf::Heading {
                level: level as u8,
                id: id.map(|s| s.to_string()),
            }),
            Tag::BlockQuote(kind) => {
                let frame = match kind {
                    None => Frame::Quote,
                    Some(k) => Frame::Admonition {
                        kind: alert_kind(k),
                        title: String::new(),
                    },
                };
                self.open(frame, Closer::Cmark);
            }
            Tag::CodeBlock(kind) => {
                let info = match kind {
                    CodeBlockKind::Fenced(i) => Some(i.to_string()),
                    CodeBlockKind::Indented => None,
                };
                self.start_leaf(Leaf::Code {
                    info,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => self.start_leaf(Leaf::Html(String::new())),
            Tag::List(start) => self.open(
                Frame::List {
                    start,
                    tight: true,
                    items: Vec::new(),
                },
                Closer::Cmark,
            ),
            Tag::Item => self.open(Frame::Item { task: None }, Closer::Cmark),
            Tag::FootnoteDefinition(label) => self.open(
                Frame::Footnote {
                    label: clean(&label),
                },
                Closer::Cmark,
            ),
            Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                self.open(Frame::Flat, Closer::Cmark)
            }
            Tag::Table(aligns) => {
                self.end_implicit_paragraph();
                self.tables.push(Table {
                    aligns: aligns.iter().map(|a| convert_align(*a)).collect(),
                    head: Vec::new(),
                    rows: Vec::new(),
                    row: Vec::new(),
                    in_head: false,
                });
            }
            Tag::TableHead => {
                if let Some(t) = self.tables.last_mut() {
                    t.in_head = true;
                    t.row.clear();
                }
            }
            Tag::TableRow => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.clear();
                }
            }
            Tag::TableCell => self.start_leaf(Leaf::Cell),
            Tag::Emphasis => self.flags.push(Flags::EMPHASIS),
            Tag::Strong => self.flags.push(Flags::STRONG),
            Tag::Strikethrough => self.flags.push(Flags::STRIKE),
            Tag::Superscript | Tag::Subscript => self.flags.push(Flags::NONE),
            Tag::Link { dest_url, .. } => {
                let idx = self.doc.links.len() as u32;
                self.doc.links.push(Link {
                    url: dest_url.to_string(),
                    text: String::new(),
                });
                self.link.push((idx, self.spans.len()));
                self.flags.push(Flags::LINK);
            }
            Tag::Image { dest_url, .. } => {
                self.doc.images.push(dest_url.to_string());
                self.add_text("[image: ", Flags::IMAGE);
                self.image_depth += 1;
                self.flags.push(Flags::IMAGE);
            }
            Tag::MetadataBlock(_) => self.start_leaf(Leaf::Html(String::new())),
        }
    }

    fn end(&mut self, end: TagEnd) {
        match end {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                if matches!(self.leaf, Some(Leaf::Paragraph { implicit: false }))
                    && end == TagEnd::Paragraph
                {
                    // An explicit paragraph in a list item makes the list loose.
                    if let Some((Frame::List { tight, .. }, _, _)) =
                        self.stack.iter_mut().rev().nth(1)
                    {
                        *tight = false;
                    }
                }
                self.end_leaf();
            }
            TagEnd::MetadataBlock(_) => {
                self.leaf = None;
                self.spans.clear();
            }
            TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => self.close(Closer::Cmark),
            TagEnd::Table => {
                if let Some(t) = self.tables.pop() {
                    self.push_block(Block::Table {
                        aligns: t.aligns,
                        head: t.head,
                        rows: t.rows,
                    });
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = self.tables.last_mut() {
                    t.head = std::mem::take(&mut t.row);
                    t.in_head = false;
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = self.tables.last_mut() {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                }
            }
            TagEnd::TableCell => self.end_leaf(),
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => {
                self.flags.pop();
            }
            TagEnd::Link => {
                self.flags.pop();
                if let Some((idx, from)) = self.link.pop() {
                    let text: String = self
                        .spans
                        .get(from..)
                        .unwrap_or_default()
                        .iter()
                        .map(|s| s.text.as_str())
                        .collect();
                    if let Some(l) = self.doc.links.get_mut(idx as usize) {
                        l.text = text.trim().to_string();
                        // Not in a heading: the number would become part of its anchor.
                        let in_heading = matches!(self.leaf, Some(Leaf::Heading { .. }));
                        if self.link_refs
                            && !in_heading
                            && !l.url.trim().is_empty()
                            && l.text != l.url.trim()
                        {
                            self.doc.link_refs.push(idx as usize);
                            let n = self.doc.link_refs.len();
                            self.add_text(&format!("[{n}]"), Flags::NONE);
                        }
                    }
                }
            }
            TagEnd::Image => {
                self.flags.pop();
                self.image_depth = self.image_depth.saturating_sub(1);
                self.add_text("]", Flags::IMAGE);
            }
        }
    }
}

fn alert_kind(k: BlockQuoteKind) -> AdmonitionKind {
    match k {
        BlockQuoteKind::Note => AdmonitionKind::Note,
        BlockQuoteKind::Tip => AdmonitionKind::Tip,
        BlockQuoteKind::Important => AdmonitionKind::Important,
        BlockQuoteKind::Warning => AdmonitionKind::Warning,
        BlockQuoteKind::Caution => AdmonitionKind::Caution,
    }
}

fn convert_align(a: Alignment) -> Align {
    match a {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}

/// `bash title="x.sh" {1,3}` → (`bash`, `x.sh`).
fn info_string(info: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(info) = info.map(str::trim).filter(|i| !i.is_empty()) else {
        return (None, None);
    };
    let lang = info
        .split(|c: char| c.is_whitespace() || c == '{')
        .next()
        .filter(|l| !l.is_empty() && !l.contains('='))
        .map(|l| clean(&l.to_ascii_lowercase()));
    let title = info.find("title=").and_then(|i| {
        let v = &info[i + "title=".len()..];
        let q = v.chars().next()?;
        if q == '"' || q == '\'' {
            let body = &v[1..];
            body.find(q).map(|e| clean(&body[..e]))
        } else {
            Some(clean(v.split_whitespace().next().unwrap_or("")))
        }
    });
    (lang, title)
}

/// The text of an HTML block: comments and tags removed, blank lines dropped.
fn strip_html(html: &str) -> String {
    let mut s = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        s.push_str(&rest[..i]);
        rest = match rest[i..].find("-->") {
            Some(e) => &rest[i + e + 3..],
            None => "",
        };
    }
    s.push_str(rest);
    let text = dialect::strip_tags(&s);
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `src` of every `<img>` tag in a piece of raw HTML (a block, or one inline tag): pictures
/// as much as Markdown's `![…](…)` are, so `ken check` looks for them too. Attributes are read
/// by quick-xml's HTML rules (unquoted values, attributes without a value), XML's predefined
/// entities decoded; a tag or value that does not parse is skipped.
fn img_sources(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<img") {
        let start = from + at + 1;
        let Some(len) = html[start..].find('>') else {
            break;
        };
        from = start + len;
        let tag = html[start..from].trim_end_matches('/');
        // `<img` followed by a space or the end: not `<imgur>`.
        if !tag[3..].starts_with(|c: char| c.is_ascii_whitespace()) {
            continue;
        }
        let start = quick_xml::events::BytesStart::from_content(tag, 3);
        for a in start.html_attributes().flatten() {
            if a.key.as_ref().eq_ignore_ascii_case("src")
                && let Ok(v) = a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                && !v.trim().is_empty()
            {
                out.push(v.trim().to_string());
            }
        }
    }
    out
}
