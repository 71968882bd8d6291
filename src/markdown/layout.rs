//! Layout of a [`Document`] to a width: styled lines, with anchors, links and code blocks
//! mapped to line numbers. Re-layout at another width reuses the document.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::dialect::SectionKind;
use super::highlight;
use super::model::{Align, Block, Document, Item, Span};
use super::style::{Flags, Role, Style};

/// Narrowest width ken lays out to; narrower requests are laid out at this width.
pub const MIN_WIDTH: usize = 20;
/// Indentation stops when fewer columns than this would be left for text.
const MIN_INNER: usize = 16;
/// Longest word kept whole in a table column's minimum width.
const MAX_MIN_COL: usize = 16;

/// A run of laid-out text with its style. Indentation, bars and markers are shared static
/// strings, so repeating them on every line costs no allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyledText {
    pub text: Cow<'static, str>,
    pub style: Style,
}

/// One terminal line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line {
    pub spans: Vec<StyledText>,
}

impl Line {
    /// The line as plain text.
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_ref()).collect()
    }

    /// Display width in columns.
    pub fn width(&self) -> usize {
        self.spans.iter().map(|s| width_of(&s.text)).sum()
    }

    /// A copy with `flags` added to the text in display columns `[start, end)`, splitting
    /// spans where needed: how the UI shows find matches ([`Flags::MATCH`]) and the selected
    /// link ([`Flags::SELECTED`]) without touching the layout.
    pub fn mark(&self, start: usize, end: usize, flags: Flags) -> Line {
        let mut out = Vec::with_capacity(self.spans.len() + 2);
        let mut col = 0;
        for s in &self.spans {
            let w = width_of(&s.text);
            if col + w <= start || col >= end {
                out.push(s.clone());
                col += w;
                continue;
            }
            let mut parts: [String; 3] = Default::default();
            for g in s.text.graphemes(true) {
                let i = if col < start {
                    0
                } else if col < end {
                    1
                } else {
                    2
                };
                parts[i].push_str(g);
                col += width_of(g);
            }
            for (i, text) in parts.into_iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                let mut style = s.style;
                if i == 1 {
                    style.flags |= flags;
                }
                out.push(StyledText {
                    text: text.into(),
                    style,
                });
            }
        }
        Line { spans: out }
    }
}

/// Where a link appears: line and display columns `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkPos {
    pub link: u32,
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// A find-in-page match: line, display columns `[start, end)` and the bytes of the line's
/// text it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub bytes: Range<usize>,
}

/// A document laid out to one width.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub width: usize,
    pub lines: Vec<Line>,
    /// The first line of each heading, by index into [`Document::headings`].
    pub heading_lines: Vec<usize>,
    /// The header line of each code block, by index into [`Document::code_blocks`].
    pub code_lines: Vec<usize>,
    /// Every place a link appears, in reading order.
    pub link_positions: Vec<LinkPos>,
    anchors: HashMap<String, usize>,
    /// Code blocks [`layout_with`] laid out plain because their lines were not ready yet.
    pending: Vec<PendingCode>,
}

/// Where a code block laid out plain sits, for [`fill_code`] to put its lines in.
#[derive(Debug, Clone)]
struct PendingCode {
    /// Index into [`Document::code_blocks`].
    index: usize,
    /// Its first line after the header, and how many lines it has.
    start: usize,
    len: usize,
    prefix: Prefix,
    avail: usize,
}

impl Layout {
    /// The line of the heading with this anchor.
    pub fn anchor_line(&self, anchor: &str) -> Option<usize> {
        self.anchors.get(anchor).copied()
    }

    /// The index (into [`Document::headings`]) of the section that line `line` is in.
    pub fn section_at(&self, line: usize) -> Option<usize> {
        match self.heading_lines.partition_point(|&l| l <= line) {
            0 => None,
            n => Some(n - 1),
        }
    }

    /// Case-insensitive matches of `query` in the rendered text, in reading order.
    /// A match does not cross a line break.
    pub fn find(&self, query: &str) -> Vec<Match> {
        let q = folded(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut chars = Vec::new();
        for (n, line) in self.lines.iter().enumerate() {
            fold_into(line.spans.iter().map(|s| s.text.as_ref()), &mut chars);
            out.extend(matches(&chars, &q).map(|(a, b)| Match {
                line: n,
                start: a.col,
                end: b.col_end,
                bytes: a.byte..b.byte_end,
            }));
        }
        out
    }

    /// The whole layout as plain text, one `\n` after each line.
    pub fn plain(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            for sp in &l.spans {
                s.push_str(&sp.text);
            }
            s.push('\n');
        }
        s
    }
}

/// One lower-cased character of a text, with the grapheme it came from.
#[derive(Debug, Clone, Copy)]
struct Folded {
    c: char,
    col: usize,
    col_end: usize,
    byte: usize,
    byte_end: usize,
}

/// A query lower-cased, as matching compares it.
fn folded(query: &str) -> Vec<char> {
    query.chars().flat_map(char::to_lowercase).collect()
}

/// Text (given in pieces: a line's spans) lower-cased a grapheme at a time, each character
/// knowing its grapheme's columns and bytes (lower-casing may change the number of
/// characters, never where they came from).
fn fold_into<'a>(pieces: impl Iterator<Item = &'a str>, out: &mut Vec<Folded>) {
    out.clear();
    let (mut col, mut at) = (0, 0);
    for piece in pieces {
        for (byte, g) in piece.grapheme_indices(true) {
            let w = width_of(g);
            for c in g.chars().flat_map(char::to_lowercase) {
                out.push(Folded {
                    c,
                    col,
                    col_end: col + w,
                    byte: at + byte,
                    byte_end: at + byte + g.len(),
                });
            }
            col += w;
        }
        at += piece.len();
    }
}

/// The first and last character of each match of `q` in `chars`, left to right, not
/// overlapping.
fn matches<'a>(chars: &'a [Folded], q: &'a [char]) -> impl Iterator<Item = (Folded, Folded)> + 'a {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i + q.len() <= chars.len() {
            let at = i;
            if chars[at..at + q.len()]
                .iter()
                .zip(q)
                .all(|(c, qc)| c.c == *qc)
            {
                i += q.len();
                return Some((chars[at], chars[at + q.len() - 1]));
            }
            i += 1;
        }
        None
    })
}

type Prefix = Vec<StyledText>;

/// Display width; ASCII (already sanitized, so printable) is one column a byte.
fn width_of(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.width() }
}

fn st(text: impl Into<Cow<'static, str>>, style: Style) -> StyledText {
    StyledText {
        text: text.into(),
        style,
    }
}

fn prefix_width(p: &Prefix) -> usize {
    p.iter().map(|s| width_of(&s.text)).sum()
}

const SPACES: &str = "                                                                ";

/// A static string for the prefixes ken uses, so lines share them.
fn shared(s: &str) -> Cow<'static, str> {
    if !s.is_empty() && s.len() <= SPACES.len() && s.bytes().all(|b| b == b' ') {
        return Cow::Borrowed(&SPACES[..s.len()]);
    }
    const KNOWN: [&str; 12] = [
        "│ ", "│", "• ", "◦ ", "▪ ", "# ", "## ", "### ", "#### ", "##### ", "###### ", "[x] ",
    ];
    match KNOWN.iter().find(|k| **k == s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s.to_string()),
    }
}

/// A prefix with `add` appended.
fn extend(p: &Prefix, add: &str, role: Role) -> Prefix {
    let mut v = Vec::with_capacity(p.len() + 1);
    v.extend(p.iter().cloned());
    if !add.is_empty() {
        v.push(StyledText {
            text: shared(add),
            style: Style::role(role),
        });
    }
    v
}

/// Lays a document out to `width` columns (at least [`MIN_WIDTH`]).
pub fn layout(doc: &Document, width: usize) -> Layout {
    layout_with(doc, width, None)
}

/// Where the lines of a code block still being highlighted come from: called with the block's
/// index, `None` when they are not ready yet.
pub type FetchCode<'f> = &'f mut dyn FnMut(usize) -> Option<highlight::Highlighted>;

/// [`layout`], for a page whose code blocks without lines are still being highlighted:
/// `fetch` gives their lines when the layout gets to them. A block whose lines are not ready
/// is laid out plain, with its place kept for [`fill_code`]; so the layout never waits for
/// highlighting.
pub fn layout_with(doc: &Document, width: usize, fetch: Option<FetchCode<'_>>) -> Layout {
    let width = width.max(MIN_WIDTH);
    let mut l = Lay {
        doc,
        fetch,
        width,
        out: Layout {
            width,
            heading_lines: vec![0; doc.headings.len()],
            code_lines: vec![0; doc.code_blocks.len()],
            ..Layout::default()
        },
        list_depth: 0,
    };
    let empty = Prefix::new();
    if let Some(h) = &doc.header {
        if let Some(t) = &h.title {
            l.wrapped(
                &[Span {
                    text: t.clone(),
                    flags: Flags::STRONG,
                    link: None,
                }],
                Role::Title,
                &empty,
                &empty,
            );
        }
        if !h.facts.is_empty() {
            let mut spans = Vec::new();
            for (i, (k, v)) in h.facts.iter().enumerate() {
                let sep = if i == 0 { "" } else { " · " };
                spans.push(Span {
                    text: format!("{sep}{k}: "),
                    flags: Flags::NONE,
                    link: None,
                });
                spans.push(Span {
                    text: v.clone(),
                    flags: Flags::STRONG,
                    link: None,
                });
            }
            l.wrapped(&spans, Role::FrontMatter, &empty, &empty);
        }
        l.push(vec![st("─".repeat(width), Style::role(Role::Rule))]);
        if !doc.blocks.is_empty() {
            l.blank(&empty);
        }
    }
    l.blocks(&doc.blocks, &empty, &empty);
    let mut out = l.out;
    for (i, h) in doc.headings.iter().enumerate() {
        out.anchors
            .entry(h.anchor.clone())
            .or_insert(out.heading_lines[i]);
    }
    out.link_positions = link_positions(&out.lines);
    out
}

fn link_positions(lines: &[Line]) -> Vec<LinkPos> {
    let mut v: Vec<LinkPos> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let mut col = 0;
        for s in &line.spans {
            let w = width_of(&s.text);
            if let Some(link) = s.style.link {
                match v.last_mut() {
                    Some(p) if p.line == n && p.link == link && p.end == col => p.end += w,
                    _ => v.push(LinkPos {
                        link,
                        line: n,
                        start: col,
                        end: col + w,
                    }),
                }
            }
            col += w;
        }
    }
    v
}

struct Lay<'d, 'f> {
    doc: &'d Document,
    fetch: Option<FetchCode<'f>>,
    width: usize,
    out: Layout,
    list_depth: usize,
}

impl Lay<'_, '_> {
    fn push(&mut self, spans: Vec<StyledText>) {
        self.out.lines.push(Line { spans });
    }

    fn line(&mut self, prefix: &Prefix, content: Vec<StyledText>) {
        self.out.lines.push(prefixed(prefix, content));
    }

    /// A blank line inside the containers of `prefix` (their bars kept, trailing spaces not).
    fn blank(&mut self, prefix: &Prefix) {
        let mut p = prefix.clone();
        while let Some(last) = p.last_mut() {
            let t = last.text.trim_end();
            if t.is_empty() {
                p.pop();
            } else {
                if t.len() != last.text.len() {
                    last.text = shared(t);
                }
                break;
            }
        }
        self.push(p);
    }

    fn inner(&self, prefix: &Prefix) -> usize {
        self.width.saturating_sub(prefix_width(prefix)).max(1)
    }

    /// Adds to a prefix unless that would leave too little room for text.
    fn nest(
        &self,
        first: &Prefix,
        rest: &Prefix,
        f: &str,
        r: &str,
        role: Role,
    ) -> (Prefix, Prefix) {
        if self.inner(rest) < MIN_INNER + width_of(r) {
            return (first.clone(), rest.clone());
        }
        (extend(first, f, role), extend(rest, r, role))
    }

    fn blocks(&mut self, blocks: &[Block], first: &Prefix, rest: &Prefix) {
        self.blocks_in(blocks, first, rest, false);
    }

    /// Blocks one after the other with a blank line between them; in a tight list item a
    /// nested list follows its text directly.
    fn blocks_in(&mut self, blocks: &[Block], first: &Prefix, rest: &Prefix, tight: bool) {
        for (i, b) in blocks.iter().enumerate() {
            if i > 0 && !(tight && matches!(b, Block::List { .. })) {
                self.blank(rest);
            }
            self.block(b, if i == 0 { first } else { rest }, rest);
        }
        if blocks.is_empty() && prefix_width(first) > 0 && first != rest {
            // An empty item still shows its bullet.
            self.line(first, Vec::new());
        }
    }

    fn wrapped(&mut self, spans: &[Span], role: Role, first: &Prefix, rest: &Prefix) {
        let w = self.inner(rest);
        for (i, l) in wrap(spans, role, w).into_iter().enumerate() {
            self.line(if i == 0 { first } else { rest }, l);
        }
    }

    fn block(&mut self, b: &Block, first: &Prefix, rest: &Prefix) {
        match b {
            Block::Paragraph(spans) => self.wrapped(spans, Role::Text, first, rest),
            Block::Heading {
                level,
                index,
                spans,
            } => self.heading(*level, *index, spans, first, rest),
            Block::List {
                start,
                tight,
                items,
            } => self.list(*start, *tight, items, first, rest),
            Block::Quote(blocks) => {
                let (f, r) = self.nest(first, rest, "│ ", "│ ", Role::Quote);
                self.blocks(blocks, &f, &r);
            }
            Block::Admonition {
                kind,
                title,
                blocks,
            } => {
                let role = Role::Admonition(*kind);
                let style = Style::role(role);
                let inner = self.inner(rest);
                let mut label = format!("╭─ {}", kind.label());
                if !title.is_empty() {
                    label.push_str(": ");
                    label.push_str(title);
                }
                label.push(' ');
                let head = fit(&label, inner);
                let fill = inner.saturating_sub(width_of(&head));
                self.line(
                    first,
                    vec![
                        st(
                            head,
                            Style {
                                flags: Flags::STRONG,
                                ..style
                            },
                        ),
                        st("─".repeat(fill), style),
                    ],
                );
                let (_, r) = self.nest(rest, rest, "│ ", "│ ", role);
                self.blocks(blocks, &r, &r);
                let inner = self.inner(rest);
                self.line(
                    rest,
                    vec![st(
                        format!("╰{}", "─".repeat(inner.saturating_sub(1))),
                        style,
                    )],
                );
            }
            Block::Section {
                kind,
                label,
                blocks,
            } => {
                let label = match (kind, label.is_empty()) {
                    (SectionKind::Tab, false) => format!("▸ Tab: {label}"),
                    (SectionKind::Tab, true) => "▸ Tab".to_string(),
                    (SectionKind::Details, false) => format!("▸ {label}"),
                    (SectionKind::Details, true) => "▸ Details".to_string(),
                };
                let spans = [Span {
                    text: label,
                    flags: Flags::STRONG,
                    link: None,
                }];
                self.wrapped(&spans, Role::Label, first, rest);
                let (f, r) = self.nest(rest, rest, "  ", "  ", Role::Text);
                if !blocks.is_empty() {
                    self.blank(rest);
                }
                self.blocks(blocks, &f, &r);
            }
            Block::Code(i) => self.code(*i, first, rest),
            Block::Table { aligns, head, rows } => self.table(aligns, head, rows, first, rest),
            Block::Rule => {
                let w = self.inner(rest);
                self.line(first, vec![st("─".repeat(w), Style::role(Role::Rule))]);
            }
            Block::Html(text) => {
                for (i, l) in text.lines().enumerate() {
                    let spans = [Span {
                        text: l.to_string(),
                        flags: Flags::NONE,
                        link: None,
                    }];
                    self.wrapped(&spans, Role::Html, if i == 0 { first } else { rest }, rest);
                }
            }
            Block::Footnote { label, blocks } => {
                let mark = format!("[^{label}]: ");
                let w = width_of(&mark);
                let (f, r) = if self.inner(rest) < MIN_INNER + w {
                    (first.clone(), rest.clone())
                } else {
                    (
                        extend(first, &mark, Role::Note),
                        extend(rest, &" ".repeat(w), Role::Text),
                    )
                };
                self.blocks(blocks, &f, &r);
            }
        }
    }

    fn heading(&mut self, level: u8, index: usize, spans: &[Span], first: &Prefix, rest: &Prefix) {
        if let Some(l) = self.out.heading_lines.get_mut(index) {
            *l = self.out.lines.len();
        }
        let role = Role::Heading(level);
        let spans: Vec<Span> = spans
            .iter()
            .map(|s| Span {
                flags: s.flags | Flags::STRONG,
                ..s.clone()
            })
            .collect();
        if level <= 2 {
            let w = self.inner(rest);
            let lines = wrap(&spans, role, w);
            let widest = lines
                .iter()
                .map(|l| l.iter().map(|s| width_of(&s.text)).sum::<usize>())
                .max()
                .unwrap_or(0);
            for (i, l) in lines.into_iter().enumerate() {
                self.line(if i == 0 { first } else { rest }, l);
            }
            let ch = if level == 1 { "═" } else { "─" };
            self.line(
                rest,
                vec![st(ch.repeat(widest.max(1)), Style::role(Role::HeadingRule))],
            );
        } else {
            let marks = "#".repeat(level as usize) + " ";
            let (f, r) = if self.inner(rest) < MIN_INNER + marks.len() {
                (first.clone(), rest.clone())
            } else {
                (
                    extend(first, &marks, role),
                    extend(rest, &" ".repeat(marks.len()), Role::Text),
                )
            };
            self.wrapped(&spans, role, &f, &r);
        }
    }

    fn list(
        &mut self,
        start: Option<u64>,
        tight: bool,
        items: &[Item],
        first: &Prefix,
        rest: &Prefix,
    ) {
        self.list_depth += 1;
        let last_number = start.map(|s| s.saturating_add(items.len().saturating_sub(1) as u64));
        let num_width = last_number.map_or(0, |n| n.to_string().len());
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !tight {
                self.blank(rest);
            }
            let mut marker = match start {
                Some(s) => format!("{:>num_width$}. ", s.saturating_add(i as u64)),
                None => match self.list_depth % 3 {
                    1 => "• ".to_string(),
                    2 => "◦ ".to_string(),
                    _ => "▪ ".to_string(),
                },
            };
            if let Some(done) = item.task {
                marker.push_str(if done { "[x] " } else { "[ ] " });
            }
            let f = if i == 0 { first } else { rest };
            let w = width_of(&marker);
            let (f, r) = if self.inner(rest) < MIN_INNER + w {
                (extend(f, "", Role::ListMarker), rest.clone())
            } else {
                (
                    extend(f, &marker, Role::ListMarker),
                    extend(rest, &" ".repeat(w), Role::Text),
                )
            };
            self.blocks_in(&item.blocks, &f, &r, tight);
        }
        self.list_depth -= 1;
    }

    fn code(&mut self, i: usize, first: &Prefix, rest: &Prefix) {
        let doc = self.doc;
        let Some(cb) = doc.code_blocks.get(i) else {
            return;
        };
        let fetched;
        let mut pending = false;
        let (lines, note) = if cb.lines.is_empty() {
            let ready = self.fetch.as_mut().map(|f| f(i));
            pending = matches!(ready, Some(None));
            fetched = ready
                .flatten()
                .unwrap_or_else(|| highlight::code_lines(&cb.text, None, false));
            (&fetched.0, &fetched.1)
        } else {
            (&cb.lines, &cb.note)
        };
        if let Some(l) = self.out.code_lines.get_mut(i) {
            *l = self.out.lines.len();
        }
        let frame = Style::role(Role::CodeFrame);
        let inner = self.inner(rest);
        let mut head = format!("── [{}]", cb.number);
        if let Some(lang) = &cb.lang {
            head.push(' ');
            head.push_str(lang);
        }
        if let Some(t) = &cb.title {
            head.push_str(" · ");
            head.push_str(t);
        }
        head.push(' ');
        let head = fit(&head, inner);
        let fill = inner.saturating_sub(width_of(&head));
        self.line(first, vec![st(head, frame), st("─".repeat(fill), frame)]);
        let (_, r) = self.nest(rest, rest, "  ", "  ", Role::CodeBlock);
        let avail = self.inner(&r);
        let start = self.out.lines.len();
        code_body(lines, &r, avail, &mut self.out.lines);
        if pending {
            self.out.pending.push(PendingCode {
                index: i,
                start,
                len: self.out.lines.len() - start,
                prefix: r.clone(),
                avail,
            });
        }
        if let Some(note) = note {
            let spans = [Span {
                text: format!("({note})"),
                flags: Flags::NONE,
                link: None,
            }];
            self.wrapped(&spans, Role::Note, &r, &r);
        }
    }

    fn table(
        &mut self,
        aligns: &[Align],
        head: &[Vec<Span>],
        rows: &[Vec<Vec<Span>>],
        first: &Prefix,
        rest: &Prefix,
    ) {
        let n = head
            .len()
            .max(rows.iter().map(|r| r.len()).max().unwrap_or(0));
        if n == 0 {
            return;
        }
        let inner = self.inner(rest);
        let seps = 3 * (n - 1);
        let avail = inner.saturating_sub(seps);
        if avail < 6 * n {
            return self.table_records(head, rows, first, rest);
        }
        fn cell(row: &[Vec<Span>], i: usize) -> &[Span] {
            row.get(i).map_or(&[], |c| c.as_slice())
        }
        let mut nat = vec![1usize; n];
        let mut minw = vec![1usize; n];
        let measured: Vec<Vec<(usize, usize)>> = std::iter::once(head)
            .chain(rows.iter().map(|r| r.as_slice()))
            .map(|row| (0..n).map(|i| measure(cell(row, i))).collect())
            .collect();
        for row in &measured {
            for (i, (w, m)) in row.iter().enumerate() {
                nat[i] = nat[i].max(*w);
                minw[i] = minw[i].max((*m).min(MAX_MIN_COL));
            }
        }
        for i in 0..n {
            minw[i] = minw[i].min(nat[i]);
        }
        let widths = fit_columns(&nat, &minw, avail);
        let border = Style::role(Role::TableBorder);
        let mut first_line = true;
        let mut emit = |lay: &mut Self, content: Vec<StyledText>| {
            let p = if first_line { first } else { rest };
            first_line = false;
            lay.line(p, content);
        };
        let any_wrapped = measured
            .iter()
            .any(|row| row.iter().zip(&widths).any(|((w, _), max)| w > max));
        let rule = |cross: &str| -> Vec<StyledText> {
            let s: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
            vec![st(s.join(cross), border)]
        };
        let row_lines = |row: &[Vec<Span>], role: Role| -> Vec<Vec<StyledText>> {
            let cells: Vec<Vec<Vec<StyledText>>> = (0..n)
                .map(|i| wrap(cell(row, i), role, widths[i]))
                .collect();
            let height = cells.iter().map(|c| c.len()).max().unwrap_or(1).max(1);
            (0..height)
                .map(|h| {
                    let mut line = Vec::new();
                    for (i, c) in cells.iter().enumerate() {
                        if i > 0 {
                            line.push(st(" │ ", border));
                        }
                        let content = c.get(h).cloned().unwrap_or_default();
                        let w: usize = content.iter().map(|s| width_of(&s.text)).sum();
                        let pad = widths[i].saturating_sub(w);
                        let align = aligns.get(i).copied().unwrap_or(Align::None);
                        let (l, r) = match align {
                            Align::Right => (pad, 0),
                            Align::Center => (pad / 2, pad - pad / 2),
                            _ => (0, pad),
                        };
                        if l > 0 {
                            line.push(st(" ".repeat(l), Style::role(Role::Text)));
                        }
                        line.extend(content);
                        // No trailing spaces after the last column.
                        if r > 0 && i + 1 < n {
                            line.push(st(" ".repeat(r), Style::role(Role::Text)));
                        }
                    }
                    line
                })
                .collect()
        };
        if !head.is_empty() {
            for l in row_lines(head, Role::TableHeader) {
                emit(self, l);
            }
            emit(self, rule("─┼─"));
        }
        for (ri, row) in rows.iter().enumerate() {
            if ri > 0 && any_wrapped {
                emit(self, rule("─┼─"));
            }
            for l in row_lines(row, Role::Text) {
                emit(self, l);
            }
        }
    }

    /// A table too wide for the width: each row as `header: value` lines.
    fn table_records(
        &mut self,
        head: &[Vec<Span>],
        rows: &[Vec<Vec<Span>>],
        first: &Prefix,
        rest: &Prefix,
    ) {
        let border = Style::role(Role::TableBorder);
        let inner = self.inner(rest);
        for (ri, row) in rows.iter().enumerate() {
            let p = if ri == 0 { first } else { rest };
            self.line(p, vec![st("─".repeat(inner), border)]);
            for (i, c) in row.iter().enumerate() {
                let mut spans: Vec<Span> = head
                    .get(i)
                    .map(|h| {
                        h.iter()
                            .map(|s| Span {
                                flags: s.flags | Flags::STRONG,
                                ..s.clone()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                spans.push(Span {
                    text: ": ".into(),
                    flags: Flags::STRONG,
                    link: None,
                });
                spans.extend(c.iter().cloned());
                self.wrapped(&spans, Role::Text, rest, rest);
            }
        }
    }
}

/// Natural width (longest line) and minimum width (longest word) of a cell.
fn measure(spans: &[Span]) -> (usize, usize) {
    let mut nat = 0;
    let mut line = 0;
    let mut word = 0;
    let mut longest = 0;
    for s in spans {
        if s.text == "\n" {
            nat = nat.max(line);
            line = 0;
            longest = longest.max(word);
            word = 0;
            continue;
        }
        for (i, part) in s.text.split(' ').enumerate() {
            if i > 0 {
                // A space ends the word before it.
                line += 1;
                longest = longest.max(word);
                word = 0;
            }
            let w = width_of(part);
            line += w;
            word += w;
        }
    }
    (nat.max(line), longest.max(word))
}

/// Column widths that sum to at most `avail`: narrow columns keep their natural width, the
/// rest share what is left by their natural width, then columns too narrow for their longest
/// word take from columns with room to spare.
fn fit_columns(nat: &[usize], minw: &[usize], avail: usize) -> Vec<usize> {
    let n = nat.len();
    if nat.iter().sum::<usize>() <= avail {
        return nat.to_vec();
    }
    let mut w = vec![0usize; n];
    let mut open: Vec<usize> = (0..n).collect();
    let mut remaining = avail;
    loop {
        let share = remaining / open.len().max(1);
        let (fixed, rest): (Vec<usize>, Vec<usize>) = open.iter().partition(|&&i| nat[i] <= share);
        if fixed.is_empty() {
            break;
        }
        for i in fixed {
            w[i] = nat[i];
            remaining -= nat[i];
        }
        open = rest;
        if open.is_empty() {
            return w;
        }
    }
    let total: usize = open.iter().map(|&i| nat[i]).sum::<usize>().max(1);
    for &i in &open {
        w[i] = (remaining * nat[i] / total).max(1);
    }
    let mut left = remaining.saturating_sub(open.iter().map(|&i| w[i]).sum());
    for &i in open.iter().cycle().take(left * 2) {
        if left == 0 {
            break;
        }
        if w[i] < nat[i] {
            w[i] += 1;
            left -= 1;
        }
    }
    // Give columns their longest word where others can spare the room.
    for _ in 0..avail {
        let Some(needy) = (0..n)
            .filter(|&i| w[i] < minw[i])
            .max_by_key(|&i| minw[i] - w[i])
        else {
            break;
        };
        let Some(donor) = (0..n)
            .filter(|&i| i != needy && w[i] > minw[i].max(1))
            .max_by_key(|&i| w[i] - minw[i])
        else {
            break;
        };
        w[donor] -= 1;
        w[needy] += 1;
    }
    w
}

/// Shortens a one-line label to `max` columns, marking the cut with `…`.
fn fit(s: &str, max: usize) -> String {
    if width_of(s) <= max {
        return s.to_string();
    }
    let mut out = truncate(s, max.saturating_sub(1)).to_string();
    out.push('…');
    out
}

/// The longest start of `s` that fits in `max` columns, cut between graphemes.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.is_ascii() {
        return &s[..s.len().min(max)];
    }
    let mut w = 0;
    for (at, g) in s.grapheme_indices(true) {
        let gw = width_of(g);
        if w + gw > max {
            return &s[..at];
        }
        w += gw;
    }
    s
}

/// Plain text wrapped to `width` columns with [`wrap`]'s rules: one string a line.
pub fn wrap_text(s: &str, width: usize) -> Vec<String> {
    let span = Span {
        text: s.to_string(),
        flags: Flags::NONE,
        link: None,
    };
    wrap(std::slice::from_ref(&span), Role::Text, width)
        .into_iter()
        .map(|line| line.iter().map(|t| t.text.as_ref()).collect())
        .collect()
}

/// Cuts a code line into pieces of at most `max` columns; every piece but the last ends with
/// a wrap marker.
/// The lines of a code block's text, each cut to `avail` columns, after `prefix`.
fn code_body(lines: &highlight::Lines, prefix: &Prefix, avail: usize, out: &mut Vec<Line>) {
    for runs in lines {
        let styled: Vec<StyledText> = runs
            .iter()
            .map(|(class, text)| {
                st(
                    text.clone(),
                    Style::role(class.map_or(Role::CodeBlock, Role::Syntax)),
                )
            })
            .collect();
        out.extend(cut(styled, avail).into_iter().map(|c| prefixed(prefix, c)));
    }
}

/// A line of `content` after `prefix`.
fn prefixed(prefix: &Prefix, content: Vec<StyledText>) -> Line {
    let mut spans = Vec::with_capacity(prefix.len() + content.len());
    spans.extend(prefix.iter().cloned());
    spans.extend(content);
    Line { spans }
}

/// Puts the highlighted lines of the code blocks [`layout_with`] laid out plain into `lay`,
/// now that `doc` has them. False if one no longer fits the place it was given (a note to
/// add, or its text cut into another number of lines): then lay the page out again.
pub fn fill_code(lay: &mut Layout, doc: &Document) -> bool {
    for p in std::mem::take(&mut lay.pending) {
        let Some(cb) = doc.code_blocks.get(p.index) else {
            return false;
        };
        if cb.note.is_some() {
            return false;
        }
        let mut body = Vec::with_capacity(p.len);
        code_body(&cb.lines, &p.prefix, p.avail, &mut body);
        let Some(place) = lay.lines.get_mut(p.start..p.start + p.len) else {
            return false;
        };
        if body.len() != place.len() {
            return false;
        }
        for (line, new) in place.iter_mut().zip(body) {
            *line = new;
        }
    }
    true
}

fn cut(runs: Vec<StyledText>, max: usize) -> Vec<Vec<StyledText>> {
    let total: usize = runs.iter().map(|r| width_of(&r.text)).sum();
    if total <= max {
        return vec![runs];
    }
    let room = max.saturating_sub(1).max(1);
    let marker = st("↩", Style::role(Role::WrapMarker));
    let mut lines = Vec::new();
    let mut cur: Vec<StyledText> = Vec::new();
    let mut w = 0;
    for r in runs {
        let mut piece = String::new();
        for g in r.text.graphemes(true) {
            let gw = width_of(g);
            if w + gw > room && w > 0 {
                if !piece.is_empty() {
                    cur.push(st(std::mem::take(&mut piece), r.style));
                }
                cur.push(marker.clone());
                lines.push(std::mem::take(&mut cur));
                w = 0;
            }
            piece.push_str(g);
            w += gw;
        }
        if !piece.is_empty() {
            cur.push(st(piece, r.style));
        }
    }
    lines.push(cur);
    lines
}

/// Greedy word wrap of inline spans to `width` columns. Words longer than the width are
/// broken between graphemes; `"\n"` spans are hard breaks; runs of spaces become one.
pub fn wrap(spans: &[Span], role: Role, width: usize) -> Vec<Vec<StyledText>> {
    let width = width.max(1);
    let mut w = Wrapper {
        width,
        lines: Vec::new(),
        line: Vec::new(),
        line_w: 0,
        word: Vec::new(),
        word_w: 0,
        space: None,
    };
    for s in spans {
        let style = Style {
            role,
            flags: s.flags,
            link: s.link,
        };
        if s.text == "\n" {
            w.flush_word();
            w.newline();
            continue;
        }
        for (i, part) in s.text.split(' ').enumerate() {
            if i > 0 {
                w.flush_word();
                if w.line_w > 0 {
                    w.space = Some(style);
                }
            }
            if !part.is_empty() {
                w.word_w += width_of(part);
                w.word.push((part, style));
            }
        }
    }
    w.flush_word();
    if !w.line.is_empty() || w.lines.is_empty() {
        w.lines.push(w.line);
    }
    w.lines
}

struct Wrapper<'a> {
    width: usize,
    lines: Vec<Vec<StyledText>>,
    line: Vec<StyledText>,
    line_w: usize,
    /// The word being gathered: pieces of span text (a word can cross spans).
    word: Vec<(&'a str, Style)>,
    word_w: usize,
    space: Option<Style>,
}

impl Wrapper<'_> {
    fn newline(&mut self) {
        self.lines.push(std::mem::take(&mut self.line));
        self.line_w = 0;
        self.space = None;
    }

    fn push_piece(&mut self, text: &str, style: Style) {
        match self.line.last_mut() {
            Some(last) if last.style == style => last.text.to_mut().push_str(text),
            _ => self.line.push(st(text.to_string(), style)),
        }
    }

    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let ww = std::mem::replace(&mut self.word_w, 0);
        let space = self.space.take();
        if self.line_w > 0 {
            if self.line_w + 1 + ww <= self.width {
                if let Some(s) = space {
                    self.push_piece(" ", s);
                    self.line_w += 1;
                }
            } else {
                self.newline();
            }
        }
        let word = std::mem::take(&mut self.word);
        if self.line_w + ww <= self.width {
            for (text, style) in &word {
                self.push_piece(text, *style);
            }
            self.line_w += ww;
        } else {
            // A word longer than the line: break it between graphemes (ASCII: bytes).
            for (text, style) in &word {
                if text.is_ascii() {
                    let mut rest: &str = text;
                    while !rest.is_empty() {
                        let room = self.width.saturating_sub(self.line_w);
                        if room == 0 {
                            self.newline();
                            continue;
                        }
                        let (now, later) = rest.split_at(room.min(rest.len()));
                        self.push_piece(now, *style);
                        self.line_w += now.len();
                        rest = later;
                    }
                    continue;
                }
                for g in text.graphemes(true) {
                    let gw = width_of(g);
                    if self.line_w + gw > self.width && self.line_w > 0 {
                        self.newline();
                    }
                    self.push_piece(g, *style);
                    self.line_w += gw;
                }
            }
        }
        // Keep the allocation for the next word.
        self.word = word;
        self.word.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::model::{self, Options};

    const OPTS: Options = Options {
        highlight: true,
        link_refs: false,
    };

    /// Code in several languages, at the top level and inside a list and a quote, with lines
    /// long enough to be cut at narrow widths, and a heading and a link after each block.
    fn page() -> String {
        let mut page = String::from("# Code\n\n");
        for (i, lang) in ["bash", "yaml", "python", "json", "text", "rust", "no-such"]
            .iter()
            .enumerate()
        {
            let long = "word ".repeat(12 + i);
            page.push_str(&format!(
                "```{lang}\n# {i}: {long}\nx = \"{i}\"\t# tab\n```\n\n\
                 - item\n\n  ```{lang}\n  echo {i} {long}\n  ```\n\n\
                 > ```{lang}\n> key: {i}\n> ```\n\n## After {i}\n\nSee [{i}](p{i}.md).\n\n"
            ));
        }
        page
    }

    /// `doc` with its code blocks' lines not ready, as `ken show` lays it out.
    fn not_ready(doc: &Document) -> Document {
        let mut bare = doc.clone();
        for cb in &mut bare.code_blocks {
            cb.lines.clear();
            cb.note = None;
        }
        bare
    }

    #[test]
    fn code_laid_out_plain_then_filled_in_is_the_finished_layout() {
        let done = model::parse(&page(), None, OPTS);
        let bare = not_ready(&done);
        for width in [30, 80] {
            let want = layout(&done, width);
            let mut lay = layout_with(&bare, width, Some(&mut |_| None));
            assert_eq!(lay.pending.len(), done.code_blocks.len());
            assert_ne!(
                lay.lines, want.lines,
                "plain first: highlighted code differs"
            );
            assert!(fill_code(&mut lay, &done), "every block fits its place");
            assert_eq!(lay.lines, want.lines, "width {width}");
            assert_eq!(lay.code_lines, want.code_lines);
            assert_eq!(lay.heading_lines, want.heading_lines);
            assert_eq!(lay.link_positions, want.link_positions);
            assert_eq!(lay.anchor_line("after-6"), want.anchor_line("after-6"));
        }
    }

    #[test]
    fn blocks_ready_when_reached_are_not_filled_in_again() {
        let done = model::parse(&page(), None, OPTS);
        let bare = not_ready(&done);
        let mut fetch = |i: usize| {
            let cb = &done.code_blocks[i];
            i.is_multiple_of(2)
                .then(|| (cb.lines.clone(), cb.note.clone()))
        };
        let mut lay = layout_with(&bare, 50, Some(&mut fetch));
        assert_eq!(lay.pending.len(), done.code_blocks.len() / 2);
        assert!(lay.pending.iter().all(|p| !p.index.is_multiple_of(2)));
        assert!(fill_code(&mut lay, &done));
        assert_eq!(lay.lines, layout(&done, 50).lines);
    }

    #[test]
    fn a_block_that_ends_with_a_note_asks_for_a_new_layout() {
        // A line over the highlighting cap: the block gets a note line its place lacks.
        let body = format!(
            "```python\na = 1\nb = \"{}\"\n```\n\nAfter.\n",
            "x".repeat(highlight::MAX_LINE_BYTES + 1)
        );
        let done = model::parse(&body, None, OPTS);
        assert!(done.code_blocks[0].note.is_some());
        let mut lay = layout_with(&not_ready(&done), 80, Some(&mut |_| None));
        assert!(!fill_code(&mut lay, &done));
    }
}
