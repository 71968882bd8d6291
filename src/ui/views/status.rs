//! The status bar: sync and source facts at the left; the message, the keys of an unfinished
//! sequence, the reader's position and the most important key hints at the right.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::keymap::{Action, Context};
use crate::state;
use crate::ui::app::App;
use crate::ui::msg::Screen;
use crate::ui::status::SyncState;
use crate::ui::widgets::{clean, fit};

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
        Screen::Search if app.search.editing => &[(Action::Open, "open"), (Action::Back, "back")],
        Screen::Search => &[
            (Action::Open, "open"),
            (Action::Back, "back"),
            (Action::Search, "edit query"),
        ],
        Screen::Reader => &[
            (Action::Help, "help"),
            (Action::Back, "back"),
            (Action::Search, "search"),
            (Action::Find, "find"),
        ],
        Screen::Help => &[(Action::Back, "close")],
        Screen::News => &[(Action::Open, "open"), (Action::Back, "back")],
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

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
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
