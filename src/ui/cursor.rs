//! Moving through lists and pages: one [`ListCursor`] for every list (library tree, search
//! hits, panels) and one [`scroll`] for every view that scrolls without a selection (the
//! page, help), so the arithmetic of "down a page, but not past the end" is written once.

use crate::keymap::Action;

/// The selected row of a list and the first row shown.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListCursor {
    pub selected: usize,
    pub offset: usize,
}

/// How far the paging actions move a list.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: usize,
    /// `None`: the half-page actions do nothing in this list.
    pub half: Option<usize>,
}

impl ListCursor {
    /// Moves the selection for a movement action over a list of `len` rows; false when `a`
    /// is not a movement.
    pub fn act(&mut self, a: Action, len: usize, paging: Paging) -> bool {
        let last = len.saturating_sub(1);
        let sel = &mut self.selected;
        match (a, paging.half) {
            (Action::Up, _) => *sel = sel.saturating_sub(1),
            (Action::Down, _) => *sel = (*sel + 1).min(last),
            (Action::PageUp, _) => *sel = sel.saturating_sub(paging.page),
            (Action::PageDown, _) => *sel = (*sel + paging.page).min(last),
            (Action::HalfPageUp, Some(h)) => *sel = sel.saturating_sub(h),
            (Action::HalfPageDown, Some(h)) => *sel = (*sel + h).min(last),
            (Action::Top, _) => *sel = 0,
            (Action::Bottom, _) => *sel = last,
            _ => return false,
        }
        true
    }

    /// Keeps the selection inside a list of `len` rows.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Moves the window of `rows` rows so that the selection is in it.
    pub fn show(&mut self, rows: usize) {
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
    }

    /// [`ListCursor::show`] for items of several rows each (`height` of item `i`).
    pub fn show_sized(&mut self, rows: usize, height: impl Fn(usize) -> usize) {
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        // Move the window down until the selected item fits (the rows from the window's
        // first item to the selected one, kept as the window moves).
        let mut used: usize = (self.offset..=self.selected).map(&height).sum();
        while self.offset < self.selected && used > rows {
            used -= height(self.offset);
            self.offset += 1;
        }
    }

    /// Back to the first row.
    pub fn reset(&mut self) {
        *self = ListCursor::default();
    }
}

/// Scrolls a view of `rows` rows for a movement action (line, half page, page, ends); the
/// caller keeps it from passing the end. False when `a` is not a movement.
pub fn scroll(top: &mut usize, a: Action, rows: usize) -> bool {
    match a {
        Action::Up => *top = top.saturating_sub(1),
        Action::Down => *top += 1,
        Action::HalfPageUp => *top = top.saturating_sub(rows / 2),
        Action::HalfPageDown => *top += rows / 2,
        Action::PageUp => *top = top.saturating_sub(rows),
        Action::PageDown => *top += rows,
        Action::Top => *top = 0,
        Action::Bottom => *top = usize::MAX,
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_in_the_list_and_in_the_window() {
        let mut c = ListCursor::default();
        let p = Paging {
            page: 10,
            half: Some(5),
        };
        assert!(c.act(Action::PageDown, 12, p));
        assert_eq!(c.selected, 10);
        c.act(Action::HalfPageDown, 12, p);
        assert_eq!(c.selected, 11);
        c.show(4);
        assert_eq!(c.offset, 8);
        c.act(Action::Top, 12, p);
        c.show(4);
        assert_eq!((c.selected, c.offset), (0, 0));
        assert!(!c.act(
            Action::HalfPageDown,
            12,
            Paging {
                page: 3,
                half: None
            }
        ));
        assert!(!c.act(Action::Open, 12, p));
    }

    #[test]
    fn items_of_several_rows_fit_the_window() {
        let mut c = ListCursor {
            selected: 3,
            offset: 0,
        };
        // Heights 3, 2, 2, 2: items 1 to 3 fit in 6 rows, 0 to 3 do not.
        c.show_sized(6, |i| if i == 0 { 3 } else { 2 });
        assert_eq!(c.offset, 1);
    }

    #[test]
    fn scrolling_moves_by_lines_and_pages() {
        let mut top = 5;
        scroll(&mut top, Action::HalfPageUp, 20);
        assert_eq!(top, 0);
        scroll(&mut top, Action::PageDown, 20);
        assert_eq!(top, 20);
        scroll(&mut top, Action::Bottom, 20);
        assert_eq!(top, usize::MAX);
    }
}
