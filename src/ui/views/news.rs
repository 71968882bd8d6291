//! The what's-new screen: a title, then the rows of the news (sources, the standards' events,
//! pages with their sections and commits, notes), the selected one marked.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::ui::app::App;
use crate::ui::geometry::Areas;
use crate::ui::news::RowKind;
use crate::ui::widgets::{self, fit, line_at};

pub fn draw(app: &App, f: &mut Frame, a: &Areas) {
    let t = &app.theme;
    let n = &app.news;
    let pages = n.rows.iter().filter(|r| r.kind == RowKind::Page).count();
    let summary = if n.loading {
        "  reading the history…".to_string()
    } else {
        format!(
            "  {pages} page{} changed",
            if pages == 1 { "" } else { "s" }
        )
    };
    line_at(
        f,
        a.head,
        0,
        Line::from(vec![
            Span::styled("What's new since the last sync", t.style("ui.title")),
            Span::styled(summary, t.style("ui.dim")),
        ]),
    );
    let list = a.body;
    let w = list.width as usize;
    if n.rows.is_empty() && !n.loading {
        line_at(
            f,
            list,
            0,
            Line::styled("Nothing to tell.", t.style("ui.dim")),
        );
    }
    for (i, row) in n
        .rows
        .iter()
        .enumerate()
        .skip(n.cursor.offset)
        .take(list.height as usize)
    {
        let style = t.style(match row.kind {
            RowKind::Source => "ui.title",
            RowKind::Event => "ui.warning",
            RowKind::Page => "ui.text",
            RowKind::Detail | RowKind::Note => "ui.dim",
        });
        // The rows' text was sanitized when the news arrived.
        let mut line = Line::from(Span::styled(fit(&row.text, w), style));
        if i == n.cursor.selected {
            line = widgets::selected(line, w, t.style("ui.selection"));
        }
        line_at(f, list, (i - n.cursor.offset) as u16, line);
    }
}
