//! The page model the reader draws: the markdown module's [`markdown::Document`] (see
//! [`super::page`]), computed once per page and laid out again for each width.

use std::sync::Arc;

use ratatui::text::Line;

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

    /// Whether a model with highlighted code would look different (the page has code that
    /// was not highlighted).
    fn wants_highlight(&self) -> bool {
        false
    }
}

/// The model of a page's Markdown body: the markdown module's document, code highlighted.
pub fn model(body: &str) -> Arc<dyn Layout> {
    super::page::model(body)
}

/// The model without syntax highlighting when `highlight` is false: what the reader shows at
/// once, so that opening a page does not wait for syntect; the highlighted model follows
/// from a background job.
pub fn model_with(body: &str, highlight: bool) -> Arc<dyn Layout> {
    super::page::model_with(body, highlight)
}

/// Pages longer than twice this open with a model of their beginning first.
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

#[cfg(test)]
mod tests {
    use super::*;

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
