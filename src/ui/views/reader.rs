//! The reader: the page's title and facts, the visible lines of the page with the search
//! words, the find's matches and the selected link marked, and the find bar.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::keymap::{Action, Context};
use crate::ui::app::App;
use crate::ui::fresh;
use crate::ui::geometry::Areas;
use crate::ui::reader::Reader;
use crate::ui::widgets::{clean, fit, highlight, line_at};

pub fn draw(app: &App, f: &mut Frame, a: &Areas) {
    let area = a.head;
    let t = &app.theme;
    let Some(r) = &app.pages.reader else {
        line_at(f, area, 0, Line::styled("No page open.", t.style("ui.dim")));
        return;
    };
    header(app, r, f, area);
    let body = a.body;
    if let Some(d) = &r.diff {
        for (row, (_, line)) in d
            .lines
            .iter()
            .skip(d.scroll)
            .take(body.height as usize)
            .enumerate()
        {
            line_at(f, body, row as u16, line.clone());
        }
        return;
    }
    let hl = t.style("search.match");
    for (row, i) in (r.scroll..r.lines()).take(body.height as usize).enumerate() {
        let line = &r.styled.lines[i];
        let mut ranges = Vec::new();
        if !r.terms.is_empty() {
            ranges = r.terms.ranges(&r.line_text(i));
        }
        let mut l = highlight(line, &ranges, hl);
        l = decorate(app, r, i, l);
        if let Some(fd) = &r.find {
            let here: Vec<Range<usize>> = fd
                .matches
                .iter()
                .filter(|(li, _)| *li == i)
                .map(|(_, rg)| rg.clone())
                .collect();
            l = highlight(&l, &here, hl);
            if let Some((li, rg)) = fd.matches.get(fd.current)
                && *li == i
            {
                l = highlight(&l, std::slice::from_ref(rg), t.style("ui.selection"));
            }
        }
        line_at(f, body, row as u16, l);
    }
    if let (Some(fd), Some(bar)) = (&r.find, a.find) {
        let count = if fd.query.is_empty() {
            String::new()
        } else if fd.matches.is_empty() {
            "  no match".into()
        } else {
            format!("  {}/{}", fd.current + 1, fd.matches.len())
        };
        let q = clean(&fd.query);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Find: ", t.style("ui.title")),
                Span::styled(q.clone(), t.style("ui.input")),
                Span::styled(count, t.style("ui.dim")),
            ])),
            bar,
        );
        if fd.editing {
            let x = bar.x + ("Find: ".width() + q.width()) as u16;
            f.set_cursor_position(Position::new(x.min(bar.right() - 1), bar.y));
        }
    }
}

/// The title with, at the right, when the page last changed; under it, a retired standard's
/// successor and the page's problems (in the warning colour), then its facts.
fn header(app: &App, r: &Reader, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let w = area.width as usize;
    let changed = fresh::changed_line(&app.lib, &r.doc, app.status.now as i64)
        .map(|c| clean(&c))
        .filter(|c| c.width() + 12 <= w)
        .unwrap_or_default();
    let title_w = w.saturating_sub(changed.width() + 2 * usize::from(!changed.is_empty()));
    let title = fit(&clean(&r.title), title_w);
    let gap = w.saturating_sub(title.width() + changed.width());
    line_at(
        f,
        area,
        0,
        Line::from(vec![
            Span::styled(title, t.style("ui.title")),
            Span::raw(" ".repeat(gap)),
            Span::styled(changed, t.style("ui.dim")),
        ]),
    );
    let mut warn: Vec<String> = Vec::new();
    if let Some(d) = &r.diff {
        let key = app.keymap.hint(Context::Reader, Action::Diff);
        let key = key.map(|k| format!(" ({k} hides)")).unwrap_or_default();
        warn.push(format!("changes: {}{key}", d.summary()));
    }
    if let Some(old) = fresh::retired(&r.doc) {
        let key = app
            .keymap
            .hint(Context::Reader, Action::OpenSuccessor)
            .filter(|_| !old.replaced_by.is_empty())
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        warn.push(format!("{}{key}", clean(&old.header())));
    }
    match r.findings.as_ref().map(Vec::len) {
        None | Some(0) => {}
        Some(n) => {
            let key = app.keymap.hint(Context::Reader, Action::Problems);
            let key = key.map(|k| format!(" ({k})")).unwrap_or_default();
            let s = if n == 1 { "" } else { "s" };
            warn.push(format!("{n} problem{s}{key}"));
        }
    }
    let facts: Vec<String> = r
        .facts
        .iter()
        .map(|(k, v)| {
            if k == "path" {
                clean(v)
            } else {
                format!("{k}: {}", clean(v))
            }
        })
        .collect();
    let mut spans = Vec::new();
    if !warn.is_empty() {
        let text = fit(&format!("{} · ", warn.join(" · ")), w);
        spans.push(Span::styled(text, t.style("ui.warning")));
    }
    let left = w.saturating_sub(spans.iter().map(|s| s.content.width()).sum());
    spans.push(Span::styled(
        fit(&facts.join(" · "), left),
        t.style("front_matter"),
    ));
    line_at(f, area, 1, Line::from(spans));
}

/// Line `i` of the page with the selected link marked.
pub fn decorate(app: &App, r: &Reader, i: usize, line: Line<'static>) -> Line<'static> {
    let Some(sel) = r.link.and_then(|k| r.styled.links.get(k)) else {
        return line;
    };
    let ranges: Vec<_> = r
        .styled
        .links
        .iter()
        .filter(|l| l.line == i && l.link == sel.link)
        .map(|l| l.bytes.clone())
        .collect();
    highlight(&line, &ranges, app.theme.style("ui.selection"))
}
