//! What the knowledge base answers for every front end: the command line, the terminal UI
//! and the tests all ask here, so they cannot drift apart.
//!
//! | question | answer |
//! |---|---|
//! | which files of a source, read how? | [`Base::copy`] → [`SourceCopy`] (`copy.rs`) |
//! | which page does this name mean? | [`Base::find`], [`find_in`] (`find.rs`) |
//! | where does this link go, what is this page's URL? | [`Base::site`], [`Sites`] (`routing.rs`) |
//! | which pages, in which tree? | [`Base::library`] → [`Library`] (this file) |
//! | what was synced when? | [`Base::status`], [`Base::state_of`] (`status.rs`) |
//! | how do I report a problem with this page? | [`report`] (`report.rs`) |
//!
//! Each answer is a method of [`Base`], the one handle a front end holds, written in the
//! file of its question so that `base.rs` stays about syncing.

mod copy;
mod find;
mod report;
mod routing;
mod status;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use copy::SourceCopy;
pub use find::{FindError, Found, FoundDoc, find_in};
pub use report::{Report, ReportError, report};
pub use routing::{SiteRouting, Sites, site_docs};
pub use status::{SourceKind, SourceStatus};

use crate::base::Base;
use crate::corpus::Document;
use crate::markdown::Site;
use crate::sidebar::{self, Node};

/// Every page of the sources that have a copy, the tree the library screen shows, and the
/// notes worth showing (broken sidebars, skipped files).
pub struct Library {
    pub docs: Vec<Document>,
    /// Sidebars (or folders) of each source; with several sources, one folder per source.
    /// A node's `doc` is an index into `docs`.
    pub tree: Vec<Node>,
    pub notes: Vec<String>,
    /// The sites of the sources, with the routing each was read with.
    pub sites: Sites,
}

impl Library {
    /// The site of one of the library's sources.
    pub fn site(&self, source: &str) -> Arc<Site> {
        self.sites
            .get(source, &|| site_docs(&self.docs, source), None)
    }

    /// The page a name means (see [`find_in`]).
    pub fn find(&self, name: &str) -> Result<Found, FindError> {
        find_in(&self.docs, &|s| self.site(s), name)
    }
}

impl Base {
    /// Reads the library of every source that has a copy: documents, sidebars, tree, and
    /// each source's routing.
    pub fn library(&self) -> Library {
        let mut docs = Vec::new();
        let mut notes = Vec::new();
        let mut tree = Vec::new();
        let mut routings = HashMap::new();
        let with_copy: Vec<_> = self
            .config
            .sources
            .iter()
            .filter(|s| self.has_copy(s))
            .collect();
        for spec in &with_copy {
            let copy = match self.copy(spec) {
                Ok(c) => c,
                Err(e) => {
                    notes.push(e.to_string());
                    continue;
                }
            };
            let cat = match copy.docs() {
                Ok(c) => c,
                Err(e) => {
                    notes.push(e.to_string());
                    continue;
                }
            };
            notes.extend(
                cat.notes
                    .iter()
                    .map(|n| format!("{}:{}: {}", n.source, n.path, n.problem)),
            );
            let (nodes, n) = sidebar::tree(&cat.docs, &sidebar_files(&copy));
            notes.extend(n.into_iter().map(|n| format!("{}: {n}", spec.name)));
            let nodes = shift(nodes, docs.len());
            docs.extend(cat.docs);
            if with_copy.len() > 1 {
                tree.push(Node::Folder {
                    label: spec.name.clone(),
                    doc: None,
                    children: nodes,
                });
            } else {
                tree = nodes;
            }
            routings.insert(spec.name.clone(), self.site_routing(&spec.name));
        }
        Library {
            docs,
            tree,
            notes,
            sites: Sites::new(routings),
        }
    }
}

/// The `sidebars*.js` files at the root of a copy.
fn sidebar_files(copy: &SourceCopy) -> BTreeMap<String, String> {
    let Ok(entries) = copy.entries() else {
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter(|e| sidebar::is_sidebar_file(&e.path))
        .filter_map(|e| Some((e.path.clone(), copy.text_of(e)?)))
        .collect()
}

/// Moves the document numbers of a tree by `offset`.
fn shift(nodes: Vec<Node>, offset: usize) -> Vec<Node> {
    nodes
        .into_iter()
        .map(|n| match n {
            Node::Folder {
                label,
                doc,
                children,
            } => Node::Folder {
                label,
                doc: doc.map(|d| d + offset),
                children: shift(children, offset),
            },
            Node::Page { label, doc } => Node::Page {
                label,
                doc: doc + offset,
            },
            l => l,
        })
        .collect()
}
