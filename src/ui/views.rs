//! Views: they borrow the app's state and draw it. They never read, fetch or change anything.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::App;
use super::geometry::{self, Areas, MIN_SIZE};
use super::library::RowKind;
use super::msg::Screen;
use super::search::hit_height;
use super::status::SyncState;
use crate::keymap::{Action, Context};
use crate::sanitize;
use crate::state;

/// A string as it may reach the terminal.
pub(super) fn clean(s: &str) -> String {
    sanitize::line(s, 0).into_owned()
}

/// Cuts `s` to at most `w` columns.
pub(super) fn fit(s: &str, w: usize) -> String {
    crate::markdown::layout::truncate(s, w).to_string()
}

/// Draws the whole screen.
pub fn draw(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let p = Paragraph::new(format!(
            "terminal too small: {}×{}, ken needs {}×{}",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        ))
        .wrap(Wrap { trim: true });
        f.render_widget(p, area);
        return;
    }
    let a = app.areas();
    if let Some(b) = &app.status.banner {
        let lines: Vec<Line> = geometry::banner_lines(b, a.banner.width)
            .into_iter()
            .map(Line::raw)
            .collect();
        f.render_widget(
            Paragraph::new(lines).style(app.theme.style("ui.banner")),
            a.banner,
        );
    }
    match app.screen {
        Screen::Library => library(app, f, &a),
        Screen::Search => search(app, f, &a),
        Screen::Reader => reader(app, f, &a),
        Screen::Help => help(app, f, &a),
    }
    status(app, f, a.status);
    if app.screen == Screen::Reader {
        super::reading_views::panel(app, f, a.under_head);
    }
    super::reading_views::prompt(app, f, a.status);
}

fn line_at(f: &mut Frame, area: Rect, row: u16, line: Line) {
    if row < area.height {
        f.render_widget(
            Paragraph::new(line),
            Rect::new(area.x, area.y + row, area.width, 1),
        );
    }
}

fn library(app: &App, f: &mut Frame, a: &Areas) {
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
        if let Some(c) = &row.context
            && !c.is_empty()
        {
            spans.push(Span::styled(format!("  {}", clean(c)), t.style("ui.dim")));
        }
        let mut line = Line::from(spans);
        if i == app.tree.cursor.selected {
            line = line.style(t.style("ui.selection"));
            let w = line.width();
            if w < list.width as usize {
                line.spans
                    .push(Span::raw(" ".repeat(list.width as usize - w)));
            }
        }
        line_at(f, list, (i - app.tree.cursor.offset) as u16, line);
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

fn search(app: &App, f: &mut Frame, a: &Areas) {
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
    let x = area.x + (prompt.width() + q.width()) as u16;
    f.set_cursor_position(Position::new(x.min(area.right() - 1), area.y));
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
            let title = clean(&ph.title);
            let path = clean(&ph.path);
            line_at(
                f,
                list,
                row,
                Line::from(vec![
                    Span::styled(fit(&title, w), t.style("search.title")),
                    Span::styled(
                        fit(&format!("  {path}"), w.saturating_sub(title.width())),
                        t.style("search.path"),
                    ),
                ]),
            );
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
            l1 = l1.style(t.style("ui.selection"));
            l2 = l2.style(t.style("ui.selection"));
            for l in [&mut l1, &mut l2] {
                let lw = l.width();
                if lw < w {
                    l.spans.push(Span::raw(" ".repeat(w - lw)));
                }
            }
        }
        line_at(f, list, row, l1);
        line_at(f, list, row + 1, l2);
        row += 2;
    }
}

fn reader(app: &App, f: &mut Frame, a: &Areas) {
    let area = a.head;
    let t = &app.theme;
    let Some(r) = &app.pages.reader else {
        line_at(f, area, 0, Line::styled("No page open.", t.style("ui.dim")));
        return;
    };
    line_at(
        f,
        area,
        0,
        Line::styled(
            fit(&clean(&r.title), area.width as usize),
            t.style("ui.title"),
        ),
    );
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
    line_at(
        f,
        area,
        1,
        Line::styled(
            fit(&facts.join(" · "), area.width as usize),
            t.style("front_matter"),
        ),
    );
    let body = a.body;
    let hl = t.style("search.match");
    for (row, i) in (r.scroll..r.lines()).take(body.height as usize).enumerate() {
        let line = &r.styled.lines[i];
        let mut ranges = Vec::new();
        if !r.terms.is_empty() {
            ranges = r.terms.ranges(&r.line_text(i));
        }
        let mut l = highlight(line, &ranges, hl);
        l = super::reading_views::decorate(app, r, i, l);
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

fn section_name(c: Context) -> &'static str {
    match c {
        Context::Global => "everywhere",
        Context::Input => "while typing",
        Context::Library => "library",
        Context::Search => "search",
        Context::Reader => "reader",
        Context::Help => "help",
    }
}

/// The lines of the help screen (without the title), generated from the keymap.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let rows = app.help.rows(&app.keymap);
    let kw = rows
        .iter()
        .map(|r| r.keys.join(", ").width())
        .max()
        .unwrap_or(0)
        .min(28);
    let mut out = Vec::new();
    let mut last = None;
    for r in rows {
        if last != Some(r.screen) {
            if last.is_some() {
                out.push(Line::raw(""));
            }
            out.push(Line::styled(
                section_name(r.screen).to_string(),
                t.style("ui.help.section"),
            ));
            last = Some(r.screen);
        }
        let keys = r.keys.join(", ");
        let pad = kw.saturating_sub(keys.width());
        out.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(keys, t.style("ui.help.key")),
            Span::raw(" ".repeat(pad + 2)),
            Span::raw(r.action.help().to_string()),
        ]));
    }
    out
}

fn help(app: &App, f: &mut Frame, a: &Areas) {
    let area = a.head;
    let t = &app.theme;
    let of = app.help.of.unwrap_or(Screen::Library).context();
    line_at(
        f,
        area,
        0,
        Line::from(vec![
            Span::styled(format!("Keys: {}", section_name(of)), t.style("ui.title")),
            Span::styled(
                format!("  ({} keymap)", clean(&app.keymap.name)),
                t.style("ui.dim"),
            ),
        ]),
    );
    let body = a.body;
    for (row, l) in help_lines(app)
        .into_iter()
        .skip(app.help.scroll)
        .take(body.height as usize)
        .enumerate()
    {
        line_at(f, body, row as u16, l);
    }
}

/// The keys to show in the status bar for a screen.
fn hints(app: &App) -> Vec<(String, &'static str)> {
    let ctx = app.screen.context();
    let wanted: &[(Action, &str)] = match app.screen {
        Screen::Library => &[
            (Action::Help, "help"),
            (Action::Back, "quit"),
            (Action::Search, "search"),
            (Action::Filter, "filter"),
        ],
        Screen::Search => &[(Action::Open, "open"), (Action::Back, "back")],
        Screen::Reader => &[
            (Action::Help, "help"),
            (Action::Back, "back"),
            (Action::Search, "search"),
            (Action::Find, "find"),
        ],
        Screen::Help => &[(Action::Back, "close")],
    };
    wanted
        .iter()
        .filter_map(|(a, label)| {
            let k = app
                .keymap
                .hint(ctx, *a)
                .or_else(|| app.keymap.hint(Context::Input, *a))?;
            Some((k, *label))
        })
        .collect()
}

fn status(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.theme;
    let base = t.style("ui.status");
    let mut left: Vec<Span> = Vec::new();
    match &app.status.sync {
        SyncState::Running { source, percent } => left.push(Span::styled(
            format!(" syncing {} {percent}% ", clean(source)),
            t.style("ui.status.sync"),
        )),
        SyncState::Idle if app.status.offline => {
            left.push(Span::styled(" offline ", t.style("ui.status.offline")));
        }
        SyncState::Idle => {}
    }
    if app.lib.guide {
        left.push(Span::styled(" built-in guide ", base));
    } else if let Some(s) = app.status.sources.first() {
        let mut facts = vec![clean(&s.name)];
        if let Some(c) = &s.commit {
            facts.push(c.chars().take(8).collect());
        }
        if let Some(at) = s.synced_at {
            facts.push(format!("synced {}", state::ago(at, app.status.now)));
        }
        if app.status.sources.len() > 1 {
            facts.push(format!("+{} more", app.status.sources.len() - 1));
        }
        left.push(Span::styled(format!(" {} ", facts.join(" · ")), base));
    }
    let mut right: Vec<Span> = Vec::new();
    if let Some(m) = &app.message {
        right.push(Span::styled(
            format!(" {} ", clean(&m.text)),
            if m.error {
                t.style("ui.status.error")
            } else {
                base
            },
        ));
    } else {
        if !app.keys.pending.is_empty() {
            let keys: Vec<String> = app.keys.pending.iter().map(|k| k.to_string()).collect();
            right.push(Span::styled(format!(" {} … ", keys.join(" ")), base));
        }
        if app.screen == Screen::Reader
            && let Some(r) = &app.pages.reader
        {
            let n = r.lines();
            let h = app.body_height();
            let pct = if n <= h {
                100
            } else {
                (r.scroll + h).min(n) * 100 / n
            };
            right.push(Span::styled(
                format!(" {}/{} {pct}% ", (r.scroll + 1).min(n), n),
                base,
            ));
        }
        let lw: usize = left.iter().map(|s| s.content.width()).sum();
        let mut used = lw + right.iter().map(|s| s.content.width()).sum::<usize>();
        // As many key hints as fit, in order of importance.
        for (k, label) in hints(app) {
            let key = format!(" {k}");
            let label = format!(" {label} ");
            let w = key.width() + label.width();
            if used + w > area.width as usize {
                break;
            }
            used += w;
            right.push(Span::styled(key, t.style("ui.status.key")));
            right.push(Span::styled(label, base));
        }
    }
    let lw: usize = left.iter().map(|s| s.content.width()).sum();
    let rw: usize = right.iter().map(|s| s.content.width()).sum();
    let w = area.width as usize;
    let mut spans = left;
    if lw + rw <= w {
        spans.push(Span::styled(" ".repeat(w - lw - rw), base));
        spans.extend(right);
    } else {
        // What is happening now matters more than the source facts: it gets the line.
        let text: String = right.iter().map(|s| s.content.as_ref()).collect();
        let style = match &app.message {
            Some(m) if m.error => t.style("ui.status.error"),
            _ => base,
        };
        spans = vec![Span::styled(fit(&text, w), style)];
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}
