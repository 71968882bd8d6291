//! The panels over the reader: the outline (at the right when there is room), bookmarks and
//! recent pages.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::ui::app::App;
use crate::ui::panel::PanelKind;
use crate::ui::reader::Reader;
use crate::ui::widgets::{self, clean, line_at};

/// Whether a place's page is still in the library.
fn exists(app: &App, p: &crate::store::Place) -> bool {
    app.lib.find(&p.source, &p.path).is_some()
}

/// The open panel over the reader's `body` (the area under the page's header).
pub fn draw(app: &App, f: &mut Frame, body: Rect) {
    let Some(p) = &app.panel else {
        return;
    };
    let t = &app.theme;
    let area = match p.kind {
        // The outline sits at the right when there is room for the page beside it.
        PanelKind::Outline if body.width >= 60 => {
            let w = (body.width / 3).clamp(24, 40);
            Rect::new(body.right() - w, body.y, w, body.height)
        }
        _ => body,
    };
    if area.height < 2 {
        return;
    }
    f.render_widget(Clear, area);
    let (title, rows): (String, Vec<Line>) = match p.kind {
        PanelKind::Outline => {
            let current = app.pages.reader.as_ref().and_then(Reader::section);
            let heads = app
                .pages
                .reader
                .as_ref()
                .map(|r| r.doc().headings.clone())
                .unwrap_or_default();
            let min = heads.iter().map(|h| h.level).min().unwrap_or(1);
            let rows = heads
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let mark = if Some(i) == current { "▸ " } else { "  " };
                    let indent = "  ".repeat(h.level.saturating_sub(min) as usize);
                    let style = if Some(i) == current {
                        t.style("ui.title")
                    } else {
                        t.style("ui.text")
                    };
                    Line::from(vec![
                        Span::raw(indent),
                        Span::styled(mark, t.style("list.marker")),
                        Span::styled(clean(&h.text), style),
                    ])
                })
                .collect();
            ("Outline".into(), rows)
        }
        PanelKind::Bookmarks => {
            let rows = app
                .pages
                .history
                .bookmarks
                .items
                .iter()
                .map(|b| {
                    let mut spans = vec![Span::styled(clean(&b.place.title), t.style("ui.text"))];
                    if let Some(s) = &b.section {
                        spans.push(Span::styled(
                            format!(" › {}", clean(s)),
                            t.style("search.section"),
                        ));
                    }
                    spans.push(Span::styled(
                        format!("  {}:{}", clean(&b.place.source), clean(&b.place.path)),
                        t.style("ui.dim"),
                    ));
                    if !exists(app, &b.place) {
                        spans.push(Span::styled("  (page gone)", t.style("ui.status.error")));
                    }
                    Line::from(spans)
                })
                .collect();
            ("Bookmarks".into(), rows)
        }
        PanelKind::Recent => {
            let rows = app
                .pages
                .history
                .history
                .recent
                .iter()
                .map(|p| {
                    let mut spans = vec![Span::styled(clean(&p.title), t.style("ui.text"))];
                    if let Some(a) = &p.anchor {
                        spans.push(Span::styled(
                            format!(" #{}", clean(a)),
                            t.style("search.section"),
                        ));
                    }
                    spans.push(Span::styled(
                        format!("  {}:{}", clean(&p.source), clean(&p.path)),
                        t.style("ui.dim"),
                    ));
                    if !exists(app, p) {
                        spans.push(Span::styled("  (page gone)", t.style("ui.status.error")));
                    }
                    Line::from(spans)
                })
                .collect();
            ("Recent pages".into(), rows)
        }
        PanelKind::Problems => {
            let problems = app.pages.reader.as_ref().map(Reader::problems);
            let rows = problems
                .unwrap_or_default()
                .into_iter()
                .map(|p| Line::styled(p.text, t.style("ui.text")))
                .collect();
            ("Problems (ken check)".into(), rows)
        }
    };
    let border = if area.x > body.x { "│" } else { "" };
    let inner = Rect::new(
        area.x + border.width() as u16,
        area.y,
        area.width.saturating_sub(border.width() as u16),
        area.height,
    );
    if !border.is_empty() {
        for y in 0..area.height {
            f.render_widget(
                Paragraph::new(Span::styled(border, t.style("ui.border"))),
                Rect::new(area.x, area.y + y, 1, 1),
            );
        }
    }
    line_at(
        f,
        inner,
        0,
        Line::from(vec![
            Span::styled(title, t.style("ui.title")),
            Span::styled(format!("  {}", rows.len()), t.style("ui.dim")),
        ]),
    );
    let list_h = inner.height.saturating_sub(1) as usize;
    let offset = (p.cursor.selected + 1).saturating_sub(list_h);
    let w = inner.width as usize;
    for (y, (i, mut l)) in rows
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(list_h)
        .enumerate()
    {
        if i == p.cursor.selected {
            l = widgets::selected(l, w, t.style("ui.selection"));
        }
        line_at(f, inner, y as u16 + 1, l);
    }
}
