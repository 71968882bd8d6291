//! Where each part of the screen goes, computed in one place for the state (how many rows a
//! page or list has, to clamp scrolling and selection) and for the views (where to draw).

use ratatui::layout::Rect;

use super::msg::Screen;

/// The fewest columns and rows ken draws in; below, a note replaces the screen.
pub const MIN_SIZE: (u16, u16) = (20, 5);

/// The most rows the banner takes.
const BANNER_MAX: usize = 4;

/// The parts of the terminal for one screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub banner: Rect,
    /// Everything between the banner and the status bar.
    pub screen: Rect,
    /// The screen's header: the library's title, search's query and summary, the page's
    /// title and facts, help's title.
    pub head: Rect,
    /// The list or the page.
    pub body: Rect,
    /// The reader's find bar, at the bottom of the screen.
    pub find: Option<Rect>,
    /// From under the header to the status bar: where the reader's panels go.
    pub under_head: Rect,
    pub status: Rect,
}

impl Areas {
    /// The rows of the list or page, at least one (for scrolling arithmetic).
    pub fn body_rows(&self) -> usize {
        self.body.height.max(1) as usize
    }
}

/// The header rows of a screen.
fn head_rows(screen: Screen) -> u16 {
    match screen {
        Screen::Library | Screen::Help | Screen::News => 1,
        Screen::Search | Screen::Reader => 2,
    }
}

/// The parts of a terminal of `size` (columns, rows) for `screen`, with a banner of
/// `banner_rows` and, in the reader, a find bar when `find`.
pub fn areas(size: (u16, u16), screen: Screen, banner_rows: u16, find: bool) -> Areas {
    let (w, h) = size;
    let banner = Rect::new(0, 0, w, banner_rows.min(h));
    let status = Rect::new(0, h.saturating_sub(1), w, h.min(1));
    let screen_h = h.saturating_sub(banner.height + 1);
    let screen_area = Rect::new(0, banner.height, w, screen_h);
    let head_h = head_rows(screen).min(screen_h);
    let head = Rect::new(0, screen_area.y, w, head_h);
    let find_h = u16::from(find && screen == Screen::Reader).min(screen_h - head_h);
    let body = Rect::new(0, head.bottom(), w, screen_h - head_h - find_h);
    let find = (find_h > 0).then(|| Rect::new(0, body.bottom(), w, 1));
    let under_head = Rect::new(0, head.bottom(), w, screen_h - head_h);
    Areas {
        banner,
        screen: screen_area,
        head,
        body,
        find,
        under_head,
        status,
    }
}

/// The banner's lines at `width` columns: what the view draws and what the state counts.
pub fn banner_lines(text: &str, width: u16) -> Vec<String> {
    let text = crate::sanitize::line(text, 0);
    let mut lines = crate::markdown::layout::wrap_text(&text, width.max(1) as usize);
    lines.truncate(BANNER_MAX);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_loses_a_row_to_find_and_every_screen_one_to_the_status_bar() {
        let a = areas((80, 24), Screen::Reader, 0, false);
        assert_eq!((a.head.height, a.body.height), (2, 21));
        assert_eq!(a.status, Rect::new(0, 23, 80, 1));
        let f = areas((80, 24), Screen::Reader, 2, true);
        assert_eq!(f.body, Rect::new(0, 4, 80, 18));
        assert_eq!(f.find, Some(Rect::new(0, 22, 80, 1)));
        assert_eq!(f.under_head.height, 19);
        let l = areas((80, 24), Screen::Library, 0, true);
        assert_eq!((l.body.height, l.find), (22, None));
    }

    #[test]
    fn tiny_terminals_give_empty_areas_not_overflows() {
        let a = areas((1, 1), Screen::Search, 3, true);
        assert_eq!(a.body_rows(), 1);
        assert_eq!(a.body.height, 0);
    }

    #[test]
    fn the_banner_is_wrapped_once_for_both_sides() {
        let lines = banner_lines("one two three four", 9);
        assert_eq!(lines, vec!["one two", "three", "four"]);
        assert!(banner_lines(&"word ".repeat(100), 10).len() <= BANNER_MAX);
    }
}
