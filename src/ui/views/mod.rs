//! Views: they borrow the app's state and draw it, one file per screen or layer, in the order
//! they are stacked on screen. They never read, fetch or change anything; every string from a
//! repository passes [`super::widgets::clean`].

mod help;
mod library;
mod news;
mod panel;
mod prompt;
mod reader;
mod search;
mod status;

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::app::App;
use super::geometry::{self, MIN_SIZE};
use super::msg::Screen;

pub use help::help_lines;

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
        Screen::Library => library::draw(app, f, &a),
        Screen::Search => search::draw(app, f, &a),
        Screen::Reader => reader::draw(app, f, &a),
        Screen::Help => help::draw(app, f, &a),
        Screen::News => news::draw(app, f, &a),
    }
    status::draw(app, f, a.status);
    if app.screen == Screen::Reader {
        panel::draw(app, f, a.under_head);
    }
    prompt::draw(app, f, a.status);
}
