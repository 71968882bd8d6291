//! The library screen's state: the sidebar tree of every page, folded and unfolded, with a
//! filter, and what its keys do. Opening a page is answered as an [`Outcome`] for the app.

use std::collections::HashSet;

use super::cursor::{ListCursor, Paging};
use super::data::{Library, Terms};
use super::msg::{Message, Outcome};
use crate::keymap::Action;
use crate::sidebar::Node;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    Folder { open: bool, doc: Option<usize> },
    Page { doc: usize },
    Link { href: String },
}

/// One visible row of the library tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub depth: usize,
    /// Child indices from the root to this node.
    pub path: Vec<usize>,
    pub label: String,
    pub kind: RowKind,
    /// For filter results: the folders the row is in.
    pub context: Option<String>,
}

#[derive(Debug, Default)]
pub struct TreeState {
    pub expanded: HashSet<Vec<usize>>,
    pub rows: Vec<TreeRow>,
    pub cursor: ListCursor,
    pub filter: String,
    pub filtering: bool,
}

impl TreeState {
    /// Takes a new library; `first`: it is the first real one, so its top folders open.
    pub fn adopt(&mut self, lib: &Library, first: bool, rows: usize) {
        if first {
            self.expanded.clear();
            for (i, n) in lib.tree.iter().enumerate() {
                if matches!(n, Node::Folder { .. }) {
                    self.expanded.insert(vec![i]);
                }
            }
        }
        self.rebuild(lib, rows);
    }

    /// The rows shown now: the unfolded tree, or every node the filter matches.
    pub fn rebuild(&mut self, lib: &Library, rows: usize) {
        let filter = self.filter.to_lowercase();
        let mut out = Vec::new();
        let mut walk = Walk {
            lib,
            expanded: &self.expanded,
            filter: &filter,
            path: Vec::new(),
            crumbs: Vec::new(),
            rows: &mut out,
        };
        walk.nodes(&lib.tree);
        self.rows = out;
        self.cursor.clamp(self.rows.len());
        self.cursor.show(rows);
    }

    /// Whether the filter is being typed.
    pub fn input(&mut self) -> Option<&mut String> {
        self.filtering.then_some(&mut self.filter)
    }

    /// The filter changed: the matches from the top.
    pub fn input_changed(&mut self, lib: &Library, rows: usize) {
        self.cursor.reset();
        self.rebuild(lib, rows);
    }

    /// What an action does on the library screen.
    pub fn act(&mut self, a: Action, lib: &Library, rows: usize) -> Outcome {
        let paging = Paging {
            page: rows,
            half: Some(rows / 2),
        };
        let out = if self.cursor.act(a, self.rows.len(), paging) {
            Outcome::Done
        } else {
            match a {
                Action::Open => self.open_row(lib, rows),
                Action::Expand => self.fold(true, lib, rows),
                Action::Collapse => self.fold(false, lib, rows),
                Action::Filter => {
                    self.filtering = true;
                    Outcome::Done
                }
                Action::Cancel => self.clear_filter(lib, rows),
                // Back leaves the filter first, then the screen.
                Action::Back if self.filtering || !self.filter.is_empty() => {
                    self.clear_filter(lib, rows)
                }
                Action::Back => Outcome::Back,
                _ => Outcome::Ignored,
            }
        };
        self.cursor.show(rows);
        out
    }

    fn clear_filter(&mut self, lib: &Library, rows: usize) -> Outcome {
        self.filtering = false;
        if !self.filter.is_empty() {
            self.filter.clear();
            self.cursor.reset();
            self.rebuild(lib, rows);
        }
        Outcome::Done
    }

    fn fold(&mut self, open: bool, lib: &Library, rows: usize) -> Outcome {
        let Some(row) = self.rows.get(self.cursor.selected).cloned() else {
            return Outcome::Done;
        };
        if !self.filter.is_empty() {
            return Outcome::Done;
        }
        match (&row.kind, open) {
            (RowKind::Folder { open: false, .. }, true) => {
                self.expanded.insert(row.path.clone());
            }
            (RowKind::Folder { open: true, .. }, false) => {
                self.expanded.remove(&row.path);
            }
            (_, false) if row.path.len() > 1 => {
                // Fold the parent and select it.
                let parent = row.path[..row.path.len() - 1].to_vec();
                self.expanded.remove(&parent);
                self.rebuild(lib, rows);
                if let Some(i) = self.rows.iter().position(|r| r.path == parent) {
                    self.cursor.selected = i;
                }
                return Outcome::Done;
            }
            _ => return Outcome::Done,
        }
        self.rebuild(lib, rows);
        Outcome::Done
    }

    fn open_row(&mut self, lib: &Library, rows: usize) -> Outcome {
        let Some(row) = self.rows.get(self.cursor.selected).cloned() else {
            return Outcome::Done;
        };
        let open = |doc| Outcome::Open {
            doc,
            anchor: None,
            terms: Terms::default(),
        };
        match row.kind {
            RowKind::Page { doc } => open(doc),
            RowKind::Folder {
                open: was_open,
                doc,
            } => {
                if was_open {
                    self.expanded.remove(&row.path);
                } else {
                    self.expanded.insert(row.path.clone());
                }
                self.rebuild(lib, rows);
                match (doc, was_open) {
                    (Some(d), false) => open(d),
                    _ => Outcome::Done,
                }
            }
            RowKind::Link { href } => Message::info(format!("external link: {href}")).into(),
        }
    }
}

/// A walk over the tree collecting the rows to show.
struct Walk<'a> {
    lib: &'a Library,
    expanded: &'a HashSet<Vec<usize>>,
    /// Lower case; empty when not filtering.
    filter: &'a str,
    path: Vec<usize>,
    crumbs: Vec<String>,
    rows: &'a mut Vec<TreeRow>,
}

impl Walk<'_> {
    fn nodes(&mut self, nodes: &[Node]) {
        let filtering = !self.filter.is_empty();
        for (i, n) in nodes.iter().enumerate() {
            self.path.push(i);
            let open = self.expanded.contains(&self.path) || filtering;
            let (kind, doc) = match n {
                Node::Folder { doc, .. } => (RowKind::Folder { open, doc: *doc }, *doc),
                Node::Page { doc, .. } => (RowKind::Page { doc: *doc }, Some(*doc)),
                Node::Link { href, .. } => (RowKind::Link { href: href.clone() }, None),
            };
            let label = n.label().to_string();
            if !filtering {
                self.rows.push(TreeRow {
                    depth: self.path.len() - 1,
                    path: self.path.clone(),
                    label: label.clone(),
                    kind,
                    context: None,
                });
            } else if !matches!(n, Node::Folder { doc: None, .. }) && self.matches(&label, doc) {
                self.rows.push(TreeRow {
                    depth: 0,
                    path: self.path.clone(),
                    label: label.clone(),
                    kind: match n {
                        Node::Folder { doc: Some(d), .. } => RowKind::Page { doc: *d },
                        _ => kind,
                    },
                    context: Some(self.crumbs.join(" › ")),
                });
            }
            if let Node::Folder { children, .. } = n
                && open
            {
                self.crumbs.push(label);
                self.nodes(children);
                self.crumbs.pop();
            }
            self.path.pop();
        }
    }

    /// Whether the filter is in a node's label or its page's path.
    fn matches(&self, label: &str, doc: Option<usize>) -> bool {
        label.to_lowercase().contains(self.filter)
            || doc
                .and_then(|d| self.lib.docs.get(d))
                .is_some_and(|d| d.path.to_lowercase().contains(self.filter))
    }
}
