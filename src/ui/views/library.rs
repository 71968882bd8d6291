//! The library screen: the title and page count, the filter being typed, and the tree.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::ui::app::App;
use crate::ui::fresh::{self, BADGE};
use crate::ui::geometry::Areas;
use crate::ui::library::RowKind;
use crate::ui::widgets::{self, clean, line_at};

pub fn draw(app: &App, f: &mut Frame, a: &Areas) {
    let area = a.head;
    let t = &app.theme;
    let mut head = vec![Span::styled(
        if app.lib.guide {
            "ken guide"
        } else {
            "Library"
        },
        t.style("ui.title"),
    )];
    head.push(Span::styled(
        format!("  {} pages", app.lib.docs.len()),
        t.style("ui.dim"),
    ));
    if app.tree.filtering || !app.tree.filter.is_empty() {
        head.push(Span::raw("   filter: "));
        head.push(Span::styled(clean(&app.tree.filter), t.style("ui.input")));
        if app.tree.filtering {
            let x = area.x + head.iter().map(|s| s.content.width()).sum::<usize>() as u16;
            f.set_cursor_position(Position::new(x.min(area.right() - 1), area.y));
        }
    }
    line_at(f, area, 0, Line::from(head));
    let list = a.body;
    if app.tree.rows.is_empty() {
        let msg = if app.status.loading {
            "Reading the library…"
        } else if app.tree.filter.is_empty() {
            "No pages yet."
        } else {
            "No page matches the filter."
        };
        line_at(f, list, 0, Line::styled(msg, t.style("ui.dim")));
        return;
    }
    for (i, row) in app
        .tree
        .rows
        .iter()
        .enumerate()
        .skip(app.tree.cursor.offset)
        .take(list.height as usize)
    {
        let (marker, style) = match &row.kind {
            RowKind::Folder { open: true, .. } => ("▾ ", t.style("ui.folder")),
            RowKind::Folder { open: false, .. } => ("▸ ", t.style("ui.folder")),
            RowKind::Page { .. } => ("  ", t.style("ui.text")),
            RowKind::Link { .. } => ("↗ ", t.style("link")),
        };
        let mut spans = vec![
            Span::raw("  ".repeat(row.depth)),
            Span::styled(marker, style),
            Span::styled(clean(&row.label), style),
        ];
        // A page that changed since it was last read.
        let doc = match &row.kind {
            RowKind::Page { doc } | RowKind::Folder { doc: Some(doc), .. } => {
                app.lib.docs.get(*doc)
            }
            _ => None,
        };
        if doc.is_some_and(|d| fresh::unread_change(&app.lib, &app.pages.history.history, d)) {
            spans.push(Span::styled(format!(" {BADGE}"), t.style("ui.badge")));
        }
        if let Some(c) = &row.context
            && !c.is_empty()
        {
            spans.push(Span::styled(format!("  {}", clean(c)), t.style("ui.dim")));
        }
        let mut line = Line::from(spans);
        if i == app.tree.cursor.selected {
            line = widgets::selected(line, list.width as usize, t.style("ui.selection"));
        }
        line_at(f, list, (i - app.tree.cursor.offset) as u16, line);
    }
}
