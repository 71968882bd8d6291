//! The page model the reader draws: the markdown module's [`markdown::Document`], computed
//! once per page and laid out again for each width, its roles turned into theme styles.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::markdown::{self, AdmonitionKind, Flags, Role, Syntax};
use crate::sanitize;
use crate::slug::Slugger;
use crate::theme::Theme;

/// A page laid out to a width.
#[derive(Debug, Clone, Default)]
pub struct Laid {
    pub lines: Vec<Line<'static>>,
    /// Heading anchors and the line each starts on.
    pub anchors: Vec<(String, usize)>,
}

/// A width-independent page model.
pub trait Layout: Send + Sync {
    fn layout(&self, width: u16, theme: &Theme) -> Laid;
    /// Whether a model with highlighted code would look different (the page has code that
    /// was not highlighted).
    fn wants_highlight(&self) -> bool {
        false
    }
}

/// The model of a page's Markdown body, with code highlighted. The title and front-matter
/// facts are the reader's header, so the model is made without them.
pub fn model(body: &str) -> Arc<dyn Layout> {
    model_with(body, true)
}

/// Pages longer than this open with a model of their beginning first.
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

/// The model without syntax highlighting: what the reader shows at once, so that opening a
/// page does not wait for syntect; the highlighted model follows from a background job.
pub fn model_with(body: &str, highlight: bool) -> Arc<dyn Layout> {
    let doc = markdown::model::parse(body, None, markdown::Options { highlight });
    let wants = !highlight && !doc.code_blocks.is_empty();
    Arc::new(Page(doc, wants))
}

struct Page(markdown::Document, bool);

/// The theme slot of a markdown role.
pub fn role_slot(role: Role) -> &'static str {
    match role {
        Role::Text => "ui.text",
        Role::Heading(1) => "heading.1",
        Role::Heading(2) => "heading.2",
        Role::Heading(3) => "heading.3",
        Role::Heading(4) => "heading.4",
        Role::Heading(5) => "heading.5",
        Role::Heading(_) => "heading.6",
        Role::HeadingRule => "heading.rule",
        Role::Title => "heading.1",
        Role::FrontMatter => "front_matter",
        Role::Quote => "quote",
        Role::Admonition(k) => match k {
            AdmonitionKind::Note => "admonition.note",
            AdmonitionKind::Tip => "admonition.tip",
            AdmonitionKind::Info => "admonition.info",
            AdmonitionKind::Caution => "admonition.caution",
            AdmonitionKind::Warning => "admonition.warning",
            AdmonitionKind::Danger => "admonition.danger",
            AdmonitionKind::Important => "admonition.important",
            AdmonitionKind::Other => "admonition",
        },
        Role::Label => "label",
        Role::CodeBlock => "code.block",
        Role::Syntax(s) => match s {
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
        },
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
pub const FLAG_SLOTS: [(Flags, &str); 10] = [
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

/// The terminal style of a markdown style in a theme.
pub fn style_of(theme: &Theme, st: &markdown::Style) -> Style {
    let mut out = theme.style(role_slot(st.role));
    for (flag, slot) in FLAG_SLOTS {
        if st.flags.contains(flag) {
            out = out.patch(theme.style(slot));
        }
    }
    out
}

impl Layout for Page {
    fn wants_highlight(&self) -> bool {
        self.1
    }

    fn layout(&self, width: u16, theme: &Theme) -> Laid {
        let lay = self.0.layout(width.max(1) as usize);
        let mut cache: HashMap<markdown::Style, Style> = HashMap::new();
        let lines = lay
            .lines
            .iter()
            .map(|l| {
                Line::from(
                    l.spans
                        .iter()
                        .map(|s| {
                            let st = *cache
                                .entry(s.style)
                                .or_insert_with(|| style_of(theme, &s.style));
                            // The markdown layout sanitized already; this is the last line of
                            // defence before the terminal.
                            Span::styled(sanitize::line(&s.text, 0).into_owned(), st)
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let anchors = self
            .0
            .headings
            .iter()
            .zip(&lay.heading_lines)
            .map(|(h, l)| (h.anchor.clone(), *l))
            .collect();
        Laid { lines, anchors }
    }
}

/// A heading's text and anchor: `{#custom-id}` taken as the anchor and removed from the text.
pub fn heading_anchor(slugger: &mut Slugger, text: &str) -> (String, String) {
    let t = text.trim();
    if let Some(open) = t.rfind("{#")
        && t.ends_with('}')
    {
        let id = &t[open + 2..t.len() - 1];
        let shown = t[..open].trim_end().to_string();
        return (shown.clone(), slugger.anchor(&shown, Some(id)));
    }
    (t.to_string(), slugger.anchor(t, None))
}

/// Splits one line into pieces of at most `width` columns, at spaces where it can.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut col = 0;
    let mut last_space: Option<(usize, usize)> = None; // (byte in cur, col after)
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if c == ' ' && col + w > width {
            // A space at the edge: the break itself.
            out.push(std::mem::take(&mut cur));
            col = 0;
            last_space = None;
            continue;
        }
        if col + w > width && !cur.is_empty() {
            match last_space {
                Some((b, _)) if b > 0 => {
                    let rest = cur[b..].trim_start().to_string();
                    cur.truncate(b);
                    out.push(std::mem::take(&mut cur).trim_end().to_string());
                    col = rest.chars().map(|c| c.width().unwrap_or(0)).sum();
                    cur = rest;
                }
                _ => {
                    out.push(std::mem::take(&mut cur));
                    col = 0;
                }
            }
            last_space = None;
        }
        if c == ' ' {
            last_space = Some((cur.len(), col));
        }
        cur.push(c);
        col += w;
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_breaks_long_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
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
        let m = model("# Top\n\ntext\n\n## Rotate keys {#rotate}\n\n## Top\n");
        let laid = m.layout(80, &Theme::plain(crate::theme::Depth::None));
        let names: Vec<&str> = laid.anchors.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(names, vec!["top", "rotate", "top-1"]);
        for (_, line) in &laid.anchors {
            let text: String = laid.lines[*line]
                .spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect();
            assert!(
                text.contains("Top") || text.contains("Rotate keys"),
                "{text}"
            );
        }
    }
}
