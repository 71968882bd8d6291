//! The reader's page: [`crate::markdown`]'s document, parsed once per page, and its
//! [`markdown::Layout`] at the reader's width turned into terminal lines by the theme (roles →
//! slots), with where each link is drawn. Anchors, sections and find come from the layout.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use ratatui::style::Style as TuiStyle;
use ratatui::text::{Line, Span};

use crate::markdown::{self, AdmonitionKind, Flags, Layout, Role, Style, Syntax};
use crate::theme::Theme;

/// Where a link is drawn: the link's index in [`markdown::Document::links`], the line, and
/// the bytes of the line's text it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpan {
    pub link: u32,
    pub line: usize,
    pub bytes: Range<usize>,
}

/// A page parsed by the markdown module.
#[derive(Debug)]
pub struct Page {
    pub doc: markdown::Document,
    /// Parsed without highlighting, and it has code that highlighting would colour.
    pub wants_highlight: bool,
}

/// A page's Markdown body parsed with its code highlighted.
pub fn highlighted(body: &str) -> Arc<Page> {
    parse(body, true)
}

/// A page's Markdown body parsed, its code highlighted or not: without, the reader shows the
/// page at once, and the highlighted page follows from a background job.
pub fn parse(body: &str, highlight: bool) -> Arc<Page> {
    let doc = markdown::model::parse(
        body,
        None,
        markdown::Options {
            highlight,
            ..Default::default()
        },
    );
    let wants_highlight = !highlight && !doc.code_blocks.is_empty();
    Arc::new(Page {
        doc,
        wants_highlight,
    })
}

/// Pages longer than twice this open with their beginning first.
pub const HEAD_BYTES: usize = 24 * 1024;

/// The beginning of a long Markdown body, cut at a blank line outside code fences after
/// `bytes`; `None` when the body is short enough to take whole.
pub fn head(body: &str, bytes: usize) -> Option<&str> {
    if body.len() <= bytes * 2 {
        return None;
    }
    let mut fence = false;
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
        }
        at += line.len();
        if at >= bytes && !fence && t.trim().is_empty() {
            return Some(&body[..at]);
        }
        if at >= bytes * 4 {
            break;
        }
    }
    None
}

fn admonition(k: AdmonitionKind) -> &'static str {
    match k {
        AdmonitionKind::Note | AdmonitionKind::Other => "admonition.note",
        AdmonitionKind::Tip => "admonition.tip",
        AdmonitionKind::Info => "admonition.info",
        AdmonitionKind::Caution => "admonition.caution",
        AdmonitionKind::Warning => "admonition.warning",
        AdmonitionKind::Danger => "admonition.danger",
        AdmonitionKind::Important => "admonition.important",
    }
}

fn syntax(s: Syntax) -> &'static str {
    match s {
        Syntax::Comment => "syntax.comment",
        Syntax::String => "syntax.string",
        Syntax::Keyword => "syntax.keyword",
        Syntax::Number => "syntax.number",
        Syntax::Constant => "syntax.constant",
        Syntax::Function => "syntax.function",
        Syntax::Type => "syntax.type",
        Syntax::Variable => "syntax.variable",
        Syntax::Operator => "syntax.operator",
        Syntax::Punctuation => "syntax.punctuation",
        Syntax::Tag => "syntax.tag",
        Syntax::Attribute => "syntax.attribute",
        Syntax::Inserted => "syntax.inserted",
        Syntax::Deleted => "syntax.deleted",
        Syntax::Changed => "syntax.changed",
        Syntax::Heading => "syntax.heading",
    }
}

/// The theme slot of a role.
pub fn slot(role: Role) -> &'static str {
    match role {
        Role::Text => "ui.text",
        Role::Heading(1) => "heading.1",
        Role::Heading(2) => "heading.2",
        Role::Heading(3) => "heading.3",
        Role::Heading(4) => "heading.4",
        Role::Heading(5) => "heading.5",
        Role::Heading(_) => "heading.6",
        Role::HeadingRule => "heading.rule",
        Role::Title => "ui.title",
        Role::FrontMatter => "front_matter",
        Role::Quote => "quote",
        Role::Admonition(k) => admonition(k),
        Role::Label => "label",
        Role::CodeBlock => "code.block",
        Role::Syntax(s) => syntax(s),
        Role::CodeFrame => "code.frame",
        Role::WrapMarker => "code.wrap",
        Role::TableBorder => "table.border",
        Role::TableHeader => "table.header",
        Role::ListMarker => "list.marker",
        Role::Rule => "rule",
        Role::Html => "html",
        Role::Note => "note",
    }
}

/// The theme slots of inline marks, applied over the role's style in this order.
const FLAG_SLOTS: [(Flags, &str); 10] = [
    (Flags::STRONG, "strong"),
    (Flags::EMPHASIS, "emphasis"),
    (Flags::STRIKE, "strikethrough"),
    (Flags::CODE, "code.inline"),
    (Flags::LINK, "link"),
    (Flags::IMAGE, "image"),
    (Flags::FOOTNOTE, "footnote"),
    (Flags::HIGHLIGHT, "highlight"),
    (Flags::MATCH, "search.match"),
    (Flags::SELECTED, "ui.selection"),
];

/// The terminal style of a markdown style under a theme.
pub fn tui_style(theme: &Theme, s: &Style) -> TuiStyle {
    let mut out = theme.style(slot(s.role));
    for (flag, slot) in FLAG_SLOTS {
        if s.flags.contains(flag) {
            out = out.patch(theme.style(slot));
        }
    }
    out
}

/// A layout as terminal lines.
#[derive(Debug, Clone, Default)]
pub struct Styled {
    pub lines: Vec<Line<'static>>,
    /// Where each link is drawn, in reading order.
    pub links: Vec<LinkSpan>,
}

/// The lines of a layout styled by the theme, and where their links are.
pub fn styled(layout: &Layout, theme: &Theme) -> Styled {
    let mut cache: HashMap<(Role, Flags), TuiStyle> = HashMap::new();
    let mut out = Styled::default();
    for (n, line) in layout.lines.iter().enumerate() {
        let mut spans = Vec::with_capacity(line.spans.len());
        let mut at = 0;
        for s in &line.spans {
            let st = *cache
                .entry((s.style.role, s.style.flags))
                .or_insert_with(|| tui_style(theme, &s.style));
            // The markdown layout sanitized already (so this changes nothing, and byte
            // ranges in the layout's text are byte ranges here); this is the last line of
            // defence before the terminal.
            let text = crate::sanitize::line(&s.text, 0).into_owned();
            let end = at + text.len();
            if let Some(link) = s.style.link {
                match out.links.last_mut() {
                    Some(l) if l.line == n && l.link == link && l.bytes.end == at => {
                        l.bytes.end = end;
                    }
                    _ => out.links.push(LinkSpan {
                        link,
                        line: n,
                        bytes: at..end,
                    }),
                }
            }
            at = end;
            spans.push(Span::styled(text, st));
        }
        out.lines.push(Line::from(spans));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::Depth;

    #[test]
    fn links_headings_and_code_are_located() {
        let p = highlighted(
            "# Top\n\nSee [the guide](guide.md#usage) now.\n\n## Run\n\n```sh\nls -l\n```\n",
        );
        let lay = p.doc.layout(80);
        let st = styled(&lay, &Theme::plain(Depth::None));
        let text = |i: usize| lay.lines[i].text();
        let l = &st.links[0];
        assert_eq!(&text(l.line)[l.bytes.clone()], "the guide");
        assert_eq!(p.doc.links[l.link as usize].url, "guide.md#usage");
        let run = lay.anchor_line("run").unwrap();
        assert!(text(run).contains("Run"));
        assert!(lay.code_lines[0] > run);
        assert_eq!(p.doc.code_blocks[0].text, "ls -l\n");
    }

    #[test]
    fn long_pages_are_cut_at_a_blank_line_outside_code() {
        assert_eq!(head("short", 10), None);
        let body = format!(
            "{}\n\n```\n{}\n\n```\n\nrest {}",
            "a".repeat(8),
            "b".repeat(8),
            "c".repeat(40)
        );
        let h = head(&body, 12).unwrap();
        assert!(h.ends_with("```\n\n"), "{h:?}");
        assert!(body.starts_with(h));
    }

    #[test]
    fn anchors_point_at_heading_lines() {
        let p = highlighted("# Top\n\ntext\n\n## Rotate keys {#rotate}\n\n## Top\n");
        let lay = p.doc.layout(80);
        let names: Vec<&str> = p.doc.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(names, vec!["top", "rotate", "top-1"]);
        for a in names {
            let text = lay.lines[lay.anchor_line(a).unwrap()].text();
            assert!(
                text.contains("Top") || text.contains("Rotate keys"),
                "{text}"
            );
        }
    }
}
