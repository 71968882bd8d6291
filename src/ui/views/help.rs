//! The help screen: the keys of the screen under it, generated from the keymap.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::keymap::Context;
use crate::ui::app::App;
use crate::ui::geometry::Areas;
use crate::ui::msg::Screen;
use crate::ui::widgets::{clean, line_at};

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

pub fn draw(app: &App, f: &mut Frame, a: &Areas) {
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
