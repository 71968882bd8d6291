//! The one-line prompt, over the status bar.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::ui::app::App;
use crate::ui::prompt::PromptKind;
use crate::ui::widgets::{clean, fit};

/// The prompt, over the status bar.
pub fn draw(app: &App, f: &mut Frame, status: Rect) {
    let Some(p) = &app.prompt else {
        return;
    };
    let t = &app.theme;
    let label = match p.kind {
        PromptKind::Open => "Open URL or path: ".to_string(),
        PromptKind::CopyBlock => {
            let n = app
                .pages
                .reader
                .as_ref()
                .map_or(0, |r| r.doc().code_blocks.len());
            if n == 1 {
                "Copy code block (1): ".to_string()
            } else {
                format!("Copy code block (1–{n}): ")
            }
        }
    };
    let text = fit(
        &clean(&p.text),
        (status.width as usize).saturating_sub(label.width()),
    );
    f.render_widget(Clear, status);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(label.clone(), t.style("ui.title")),
            Span::styled(text.clone(), t.style("ui.input")),
        ])),
        status,
    );
    let x = status.x + (label.width() + text.width()) as u16;
    f.set_cursor_position(Position::new(x.min(status.right() - 1), status.y));
}
