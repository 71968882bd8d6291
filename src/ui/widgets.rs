//! What the views share: making repository text safe for the terminal, cutting it to a
//! width, drawing one line of an area, highlighting byte ranges of a line, and the selected
//! row of a list.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::sanitize;

/// A string as it may reach the terminal.
pub fn clean(s: &str) -> String {
    sanitize::line(s, 0).into_owned()
}

/// Cuts `s` to at most `w` columns.
pub fn fit(s: &str, w: usize) -> String {
    crate::markdown::layout::truncate(s, w).to_string()
}

/// Draws `line` as row `row` of `area` (nothing when the area has no such row).
pub fn line_at(f: &mut Frame, area: Rect, row: u16, line: Line) {
    if row < area.height {
        f.render_widget(
            Paragraph::new(line),
            Rect::new(area.x, area.y + row, area.width, 1),
        );
    }
}

/// Splits the spans of a line so that the byte `ranges` of its text get `hl` added.
pub fn highlight(line: &Line<'static>, ranges: &[Range<usize>], hl: Style) -> Line<'static> {
    if ranges.is_empty() {
        return line.clone();
    }
    let mut out = Vec::new();
    let mut pos = 0;
    for span in &line.spans {
        let text = span.content.as_ref();
        let start = pos;
        let end = pos + text.len();
        let mut cut = start;
        for r in ranges {
            let (a, b) = (r.start.max(start), r.end.min(end));
            if a >= b {
                continue;
            }
            if a > cut {
                out.push(Span::styled(
                    text[cut - start..a - start].to_string(),
                    span.style,
                ));
            }
            out.push(Span::styled(
                text[a - start..b - start].to_string(),
                span.style.patch(hl),
            ));
            cut = b;
        }
        if cut < end {
            out.push(Span::styled(text[cut - start..].to_string(), span.style));
        }
        pos = end;
    }
    Line::from(out).style(line.style)
}

/// A list row as selected: the selection style over the whole width.
pub fn selected(line: Line<'static>, width: usize, style: Style) -> Line<'static> {
    let mut line = line.style(style);
    let w = line.width();
    if w < width {
        line.spans.push(Span::raw(" ".repeat(width - w)));
    }
    line
}
