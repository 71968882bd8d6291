//! The search screen: the query, a summary line (count, time, why nothing matched), and the
//! hits grouped by page, each with its section and a snippet with the matched words marked.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::sanitize;
use crate::ui::app::App;
use crate::ui::data::PageHits;
use crate::ui::fresh::{self, BADGE};
use crate::ui::geometry::Areas;
use crate::ui::search::hit_height;
use crate::ui::widgets::{self, clean, fit, highlight, line_at};

pub fn draw(app: &App, f: &mut Frame, a: &Areas) {
    let area = a.head;
    let t = &app.theme;
    let s = &app.search;
    let prompt = "Search: ";
    let q = clean(&s.query);
    line_at(
        f,
        area,
        0,
        Line::from(vec![
            Span::styled(prompt, t.style("ui.title")),
            Span::styled(q.clone(), t.style("ui.input")),
        ]),
    );
    if s.editing {
        let x = area.x + (prompt.width() + q.width()) as u16;
        f.set_cursor_position(Position::new(x.min(area.right() - 1), area.y));
    }
    let summary = if let Some(e) = &s.error {
        Line::styled(
            format!("search failed: {}", clean(e)),
            t.style("ui.status.error"),
        )
    } else if s.query.trim().is_empty() {
        Line::styled(
            "Type to search every page; results appear as you type.",
            t.style("ui.dim"),
        )
    } else if s.busy() && s.shown == 0 {
        Line::styled("searching…", t.style("ui.dim"))
    } else if let (Some(n), true) = (&s.results.notice, s.results.pages.is_empty()) {
        Line::styled(clean(n), t.style("ui.dim"))
    } else {
        let n = s.results.total;
        let more = if n > s.results.pages.len() {
            format!(" (showing {})", s.results.pages.len())
        } else {
            String::new()
        };
        let ms = s
            .millis
            .map(|m| format!(" · {m:.1} ms"))
            .unwrap_or_default();
        let busy = if s.busy() { " · searching…" } else { "" };
        Line::styled(
            format!("{n} page{}{more}{ms}{busy}", if n == 1 { "" } else { "s" }),
            t.style("ui.dim"),
        )
    };
    line_at(f, area, 1, summary);
    let list = a.body;
    let w = list.width as usize;
    let mut row = 0u16;
    let items = s.items();
    for (i, &(p, sec)) in items.iter().enumerate().skip(s.cursor.offset) {
        if row as usize + hit_height(sec) > list.height as usize {
            break;
        }
        let ph = &s.results.pages[p];
        let selected = i == s.cursor.selected;
        if sec == 0 {
            line_at(f, list, row, title_line(app, ph, w));
            row += 1;
        }
        let Some(hit) = ph.sections.get(sec) else {
            row += 1;
            continue;
        };
        let heading = hit
            .heading
            .as_deref()
            .map_or_else(|| "(top of page)".to_string(), clean);
        let mut l1 = Line::from(vec![
            Span::raw("  § "),
            Span::styled(
                fit(&heading, w.saturating_sub(4)),
                t.style("search.section"),
            ),
        ]);
        // The snippet is sanitized char for char so the highlight ranges still fit.
        let snip: String = hit
            .snippet
            .chars()
            .map(|c| if sanitize::is_unsafe(c) { ' ' } else { c })
            .collect();
        let shown = fit(&snip, w.saturating_sub(4));
        let ranges: Vec<Range<usize>> = hit
            .highlights
            .iter()
            .filter(|r| r.end <= shown.len())
            .map(|r| r.start + 4..r.end + 4)
            .collect();
        let base = Line::from(vec![
            Span::raw("    "),
            Span::styled(shown, t.style("ui.text")),
        ]);
        let mut l2 = highlight(&base, &ranges, t.style("search.match"));
        if selected {
            l1 = widgets::selected(l1, w, t.style("ui.selection"));
            l2 = widgets::selected(l2, w, t.style("ui.selection"));
        }
        line_at(f, list, row, l1);
        line_at(f, list, row + 1, l2);
        row += 2;
    }
}

/// A page's line in the results: a badge when it changed since it was read, its title, a
/// retired standard's status and successor, its path, and at the right how long ago it
/// last changed.
fn title_line(app: &App, ph: &PageHits, w: usize) -> Line<'static> {
    let t = &app.theme;
    let doc = app.lib.find(&ph.source, &ph.path).map(|i| &app.lib.docs[i]);
    let age = fresh::changed_at(&app.lib, &ph.source, &ph.path)
        .map(|c| fresh::short_age(c, app.status.now as i64))
        .filter(|_| w >= 30)
        .map(|a| format!(" {a:>4}"))
        .unwrap_or_default();
    let mut left = w.saturating_sub(age.width());
    let mut spans = Vec::new();
    let mut push = |text: String, style| {
        let text = fit(&text, left);
        left -= text.width();
        spans.push(Span::styled(text, style));
    };
    if doc.is_some_and(|d| fresh::unread_change(&app.lib, &app.pages.history.history, d)) {
        push(format!("{BADGE} "), t.style("ui.badge"));
    }
    push(clean(&ph.title), t.style("search.title"));
    if let Some(old) = doc.and_then(fresh::retired) {
        push(format!("  {}", clean(&old.mark())), t.style("ui.warning"));
    }
    push(format!("  {}", clean(&ph.path)), t.style("search.path"));
    spans.push(Span::raw(" ".repeat(left)));
    spans.push(Span::styled(age, t.style("search.date")));
    Line::from(spans)
}
