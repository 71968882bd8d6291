//! Link rules: every link of a page, taken from the reader's own page model and resolved by
//! the source's [`Site`] exactly as the reader follows it, is checked for the page and the
//! section it leads to. ken has one resolver; this file only reports what it answers.
//!
//! - `link/missing-page`: the resolver answers `Broken` (a relative `.md` that is not there,
//!   a site route or `https://docs.scs.community/…` URL no page has, a link out of the source).
//! - `link/missing-anchor`: the page exists, but no heading of it (or `{#id}`) produces the
//!   anchor; the reader would open it at the top, or say "no section".
//!
//! Links inside code are not links (the page model does not make them). External links are
//! not checked (that needs the network).

use std::collections::HashMap;

use super::*;
use crate::markdown::{self, Site, Target as LinkTarget};

/// One page to check: its path in the site, the name findings give it, and its raw text.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub path: &'a str,
    pub file: &'a str,
    pub text: &'a str,
}

/// The links of one page with where each is written, and the anchors its headings make.
struct Parsed {
    links: Vec<(String, Pos)>,
    anchors: Vec<String>,
}

fn parse(page: &Page) -> Parsed {
    let text = page.text.strip_prefix('\u{feff}').unwrap_or(page.text);
    let body = crate::corpus::split_front_matter(text).1;
    let body_start = text.len() - body.len();
    let doc = markdown::model::parse(
        body,
        None,
        markdown::Options {
            highlight: false,
            link_refs: false,
        },
    );
    let lines = LineIndex::new(text);
    // The model keeps links in the order they are written; each is found in the text after
    // the previous one (a reference link is found at its definition).
    let mut cursor = body_start;
    let mut last = lines.pos(body_start);
    let links = doc
        .links
        .iter()
        .map(|l| {
            if !l.url.is_empty()
                && let Some(i) = text[cursor..].find(l.url.as_str())
            {
                cursor += i;
                last = lines.pos(cursor);
                cursor += l.url.len();
            }
            (l.url.clone(), last)
        })
        .collect();
    Parsed {
        links,
        anchors: doc.headings.into_iter().map(|h| h.anchor).collect(),
    }
}

/// Byte offset → line and column (in characters).
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Pos::new(line, column)
    }
}

/// Checks every link of `pages` against `site` (the site of their source).
pub fn check(pages: &[Page], site: &Site) -> Vec<Finding> {
    let parsed: Vec<Parsed> = pages.iter().map(parse).collect();
    let by_path: HashMap<&str, usize> =
        pages.iter().enumerate().map(|(i, p)| (p.path, i)).collect();
    let mut out = Vec::new();
    for (page, links) in pages.iter().zip(&parsed) {
        for (url, at) in &links.links {
            match site.resolve(page.path, url) {
                LinkTarget::Broken { reason, .. } => out.push(
                    Finding::new(
                        LINK_MISSING_PAGE,
                        page.file,
                        *at,
                        format!("the link {url:?} leads nowhere: {reason}"),
                    )
                    .with_target(url, None),
                ),
                LinkTarget::Anchor(a) if !a.is_empty() && !links.anchors.contains(&a) => out.push(
                    Finding::new(
                        LINK_MISSING_ANCHOR,
                        page.file,
                        *at,
                        format!("no heading of this page makes the anchor #{a}"),
                    )
                    .with_target(url, Some(format!("{}#{a}", page.path))),
                ),
                LinkTarget::Doc {
                    path,
                    anchor: Some(a),
                } => {
                    // A page the site routes to but that was not given to check (another
                    // source's) is not judged.
                    let Some(&i) = by_path.get(path.as_str()) else {
                        continue;
                    };
                    if !parsed[i].anchors.contains(&a) {
                        out.push(
                            Finding::new(
                                LINK_MISSING_ANCHOR,
                                page.file,
                                *at,
                                format!("{path} has no heading that makes the anchor #{a}"),
                            )
                            .with_target(url, Some(format!("{path}#{a}"))),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    out
}
