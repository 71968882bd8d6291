//! Markdown rendering: pulldown-cmark → a width-independent [`Document`] (blocks, styled
//! spans by role, links, heading anchors, numbered code blocks) → [`Layout`] at a width.
//!
//! ```
//! let doc = ken::markdown::parse("# Title\n\nSome *text* and [a link](other.md#usage).\n", None);
//! let lay = doc.layout(40);
//! assert_eq!(lay.anchor_line("title"), Some(0));
//! assert_eq!(doc.links[0].url, "other.md#usage");
//! ```
//!
//! Every string in a [`Layout`] has been through [`crate::sanitize`]; [`ansi::write`] passes
//! it through once more on the way out, so the only escape sequences ken writes are its own.

pub mod ansi;
pub mod dialect;
pub mod highlight;
pub mod hlcache;
pub mod layout;
pub mod links;
pub mod model;
pub mod style;

pub use layout::{Layout, Line, LinkPos, Match, StyledText};
pub use links::{Routing, Site, SiteDoc, Target};
pub use model::{Block, CodeBlock, Document, Header, Heading, Link, Options, Span, header};
pub use style::{AdmonitionKind, Flags, Role, Style, Syntax};

/// Parses a page body with default options (code highlighted).
pub fn parse(body: &str, front_matter: Option<&serde_json::Value>) -> Document {
    model::parse(body, front_matter, Options::default())
}

impl Document {
    /// Lays the document out to `width` columns.
    pub fn layout(&self, width: usize) -> Layout {
        layout::layout(self, width)
    }

    /// The index of the heading with this anchor.
    pub fn heading_by_anchor(&self, anchor: &str) -> Option<usize> {
        self.headings.iter().position(|h| h.anchor == anchor)
    }
}
