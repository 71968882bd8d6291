//! The help screen: what the screen under it is for, and its keys, generated from the keymap.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::keymap::Context;
use crate::ui::app::App;
use crate::ui::geometry::Areas;
use crate::ui::help::HelpLine;
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
        Context::News => "what's new",
    }
}

/// The lines of the help screen (without the title), generated from the keymap.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let lines = app.help.lines(&app.keymap);
    let kw = lines
        .iter()
        .filter_map(|l| match l {
            HelpLine::Row(r) => Some(r.keys.join(", ").width()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .min(28);
    lines
        .into_iter()
        .map(|l| match l {
            HelpLine::About(text) => Line::styled(text, t.style("ui.text")),
            HelpLine::Blank => Line::raw(""),
            HelpLine::Section(c) => {
                Line::styled(section_name(c).to_string(), t.style("ui.help.section"))
            }
            HelpLine::Row(r) => {
                let keys = r.keys.join(", ");
                let pad = kw.saturating_sub(keys.width());
                Line::from(vec![
                    Span::raw("  "),
                    Span::styled(keys, t.style("ui.help.key")),
                    Span::raw(" ".repeat(pad + 2)),
                    Span::raw(r.action.help().to_string()),
                ])
            }
        })
        .collect()
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
