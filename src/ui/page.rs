//! The reader's page model: [`crate::markdown`]'s document, laid out to a width and styled by
//! the theme (roles → slots). Besides the lines it keeps what the reading features need: where
//! each link, heading and code block is, and the document itself (link targets, code text).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use ratatui::style::Style as TuiStyle;
use ratatui::text::{Line, Span};

use super::render::{Laid, Layout};
use crate::markdown::{self, AdmonitionKind, Flags, Role, Style, Syntax};
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
pub struct MarkdownPage {
    pub doc: markdown::Document,
    /// Parsed without highlighting, and it has code that highlighting would colour.
    pub wants_highlight: bool,
}

/// The model of a page's Markdown body (code highlighted).
pub fn model(body: &str) -> Arc<dyn Layout> {
    model_with(body, true)
}

/// The model of a page's Markdown body, its code highlighted or not.
pub fn model_with(body: &str, highlight: bool) -> Arc<dyn Layout> {
    let doc = markdown::model::parse(
        body,
        None,
        markdown::Options {
            highlight,
            ..Default::default()
        },
    );
    let wants_highlight = !highlight && !doc.code_blocks.is_empty();
    Arc::new(MarkdownPage {
        doc,
        wants_highlight,
    })
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

impl Layout for MarkdownPage {
    fn wants_highlight(&self) -> bool {
        self.wants_highlight
    }

    fn layout(&self, width: u16, theme: &Theme) -> Laid {
        let lay = self.doc.layout(width.max(1) as usize);
        let mut cache: HashMap<(Role, Flags), TuiStyle> = HashMap::new();
        let mut laid = Laid::default();
        for (n, line) in lay.lines.iter().enumerate() {
            let mut spans = Vec::with_capacity(line.spans.len());
            let mut at = 0;
            for s in &line.spans {
                let st = *cache
                    .entry((s.style.role, s.style.flags))
                    .or_insert_with(|| tui_style(theme, &s.style));
                // The markdown layout sanitized already; this is the last line of defence
                // before the terminal.
                let text = crate::sanitize::line(&s.text, 0).into_owned();
                let end = at + text.len();
                if let Some(link) = s.style.link {
                    match laid.links.last_mut() {
                        Some(l) if l.line == n && l.link == link && l.bytes.end == at => {
                            l.bytes.end = end;
                        }
                        _ => laid.links.push(LinkSpan {
                            link,
                            line: n,
                            bytes: at..end,
                        }),
                    }
                }
                at = end;
                spans.push(Span::styled(text, st));
            }
            laid.lines.push(Line::from(spans));
        }
        for (i, h) in self.doc.headings.iter().enumerate() {
            if let Some(&l) = lay.heading_lines.get(i) {
                laid.anchors.push((h.anchor.clone(), l));
            }
        }
        laid.heading_lines = lay.heading_lines;
        laid.code_lines = lay.code_lines;
        laid
    }

    fn page(&self) -> Option<&markdown::Document> {
        Some(&self.doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::Depth;

    #[test]
    fn links_headings_and_code_are_located() {
        let m =
            model("# Top\n\nSee [the guide](guide.md#usage) now.\n\n## Run\n\n```sh\nls -l\n```\n");
        let laid = m.layout(80, &Theme::plain(Depth::None));
        let text = |i: usize| -> String {
            laid.lines[i]
                .spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect()
        };
        let l = &laid.links[0];
        assert_eq!(&text(l.line)[l.bytes.clone()], "the guide");
        let doc = m.page().unwrap();
        assert_eq!(doc.links[l.link as usize].url, "guide.md#usage");
        assert_eq!(laid.anchors[1].0, "run");
        assert!(text(laid.anchors[1].1).contains("Run"));
        assert!(laid.code_lines[0] > laid.anchors[1].1);
        assert_eq!(doc.code_blocks[0].text, "ls -l\n");
    }
}
