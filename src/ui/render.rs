//! The page model the reader draws, behind one trait: computed once per page, laid out again
//! for each width. This is a plain stand-in (source lines, headings and code fences styled)
//! until `crate::markdown` lands; [`model`] is the one place to switch.

use std::sync::Arc;

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::sanitize;
use crate::slug::Slugger;
use crate::theme::Theme;

/// A page laid out to a width.
#[derive(Debug, Clone, Default)]
pub struct Laid {
    pub lines: Vec<Line<'static>>,
    /// Heading anchors and the line each starts on.
    pub anchors: Vec<(String, usize)>,
    /// Where each link is drawn (models with links only).
    pub links: Vec<super::page::LinkSpan>,
    /// The first line of each heading of [`Layout::page`], in order.
    pub heading_lines: Vec<usize>,
    /// The header line of each code block of [`Layout::page`], in order.
    pub code_lines: Vec<usize>,
}

/// A width-independent page model.
pub trait Layout: Send + Sync {
    fn layout(&self, width: u16, theme: &Theme) -> Laid;

    /// The parsed document (links, headings, code blocks), for models that have one.
    fn page(&self) -> Option<&crate::markdown::Document> {
        None
    }
}

/// The model of a page's Markdown body: the markdown module's document.
pub fn model(body: &str) -> Arc<dyn Layout> {
    super::page::model(body)
}

/// The plain stand-in model (source lines, headings and fences styled).
pub fn plain_model(body: &str) -> Arc<dyn Layout> {
    Arc::new(Plain::parse(body))
}

enum Block {
    Heading {
        level: usize,
        text: String,
        anchor: String,
    },
    Code(String),
    Text(String),
}

struct Plain {
    blocks: Vec<Block>,
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

impl Plain {
    fn parse(body: &str) -> Plain {
        let mut blocks = Vec::new();
        let mut slugger = Slugger::new();
        let mut fence: Option<&str> = None;
        for line in body.lines() {
            let t = line.trim_start();
            if let Some(f) = fence {
                if t.starts_with(f) {
                    fence = None;
                }
                blocks.push(Block::Code(line.to_string()));
                continue;
            }
            if t.starts_with("```") || t.starts_with("~~~") {
                fence = Some(&t[..3]);
                blocks.push(Block::Code(line.to_string()));
                continue;
            }
            let hashes = t.chars().take_while(|c| *c == '#').count();
            if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
                let raw = t[hashes..].trim().trim_end_matches('#').trim();
                let (text, anchor) = heading_anchor(&mut slugger, raw);
                blocks.push(Block::Heading {
                    level: hashes,
                    text,
                    anchor,
                });
                continue;
            }
            blocks.push(Block::Text(line.to_string()));
        }
        Plain { blocks }
    }
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

impl Layout for Plain {
    fn layout(&self, width: u16, theme: &Theme) -> Laid {
        let width = width.max(1) as usize;
        let mut laid = Laid::default();
        for b in &self.blocks {
            match b {
                Block::Heading {
                    level,
                    text,
                    anchor,
                } => {
                    laid.anchors.push((anchor.clone(), laid.lines.len()));
                    let style = theme.style(&format!("heading.{level}"));
                    let shown = format!("{} {}", "#".repeat(*level), text);
                    for piece in wrap(&sanitize::line(&shown, 0), width) {
                        laid.lines.push(Line::from(Span::styled(piece, style)));
                    }
                }
                Block::Code(l) => {
                    let style = theme.style("code.block");
                    for piece in wrap(&sanitize::line(l, 0), width) {
                        laid.lines.push(Line::from(Span::styled(piece, style)));
                    }
                }
                Block::Text(l) => {
                    let style = theme.style("ui.text");
                    for piece in wrap(&sanitize::line(l, 0), width) {
                        laid.lines.push(Line::from(Span::styled(piece, style)));
                    }
                }
            }
        }
        laid
    }
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
    fn anchors_point_at_heading_lines() {
        let m = Plain::parse("# Top\ntext\n## Rotate keys {#rotate}\n## Top\n");
        let laid = m.layout(80, &Theme::plain(crate::theme::Depth::None));
        assert_eq!(
            laid.anchors,
            vec![("top".into(), 0), ("rotate".into(), 2), ("top-1".into(), 3)]
        );
    }
}
