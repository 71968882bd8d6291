//! Link rules: every link of a page, taken from the reader's own page model and resolved by
//! the source's [`Site`] exactly as the reader follows it, is checked for the page and the
//! section it leads to. ken has one resolver; this file only reports what it answers.
//!
//! - `link/missing-page`: the resolver answers `Broken` (a relative `.md` that is not there,
//!   a site route or `https://docs.scs.community/…` URL no page has, a link out of the source).
//! - `link/missing-anchor`: the page exists, but no heading of it (or `{#id}`) produces the
//!   anchor; the reader would open it at the top, or say "no section".
//!
//! - `link/missing-file`: a relative link or image to a file that is not a page (a picture,
//!   a YAML) names no file of the source (or climbs out of it); a site-absolute image
//!   (`/img/x.png`) is looked for in `static/`, where Docusaurus serves it from, when the
//!   source has that folder.
//!
//! Links inside code are not links (the page model does not make them). External links are
//! handed back for `--online` ([`super::online`]): offline nothing is known about them.

use std::collections::{HashMap, HashSet};

use super::online::External;
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
    images: Vec<(String, Pos)>,
    anchors: HashSet<String>,
}

/// Every file of a source (documents or not) by its reader's path, and the folders they are
/// in, for `link/missing-file`; or the files of another copy told as this one's with the
/// paths a range touched answered again ([`Files::changed`]).
#[derive(Debug, Default)]
pub struct Files {
    files: HashSet<String>,
    /// Each folder with the number of files under it, at any depth.
    dirs: HashMap<String, i64>,
    /// For [`Files::changed`]: the copy told, with `files` the touched paths that are files
    /// here, `gone` those that are not, and `dirs` what the range moved in each folder's count.
    base: Option<(std::sync::Arc<Files>, HashSet<String>)>,
}

impl Files {
    pub fn new(paths: impl IntoIterator<Item = String>) -> Files {
        let mut files = Files::default();
        for p in paths {
            if files.files.contains(&p) {
                continue;
            }
            files.count(&p, 1);
            files.files.insert(p);
        }
        files
    }

    /// The files of the copy a range starts at, told as those of `now` (where the range
    /// ends) but at the paths it touched (`touched`: each path, and whether it is a file at
    /// the start). Nothing is listed: the cost grows with the range.
    pub fn changed(now: std::sync::Arc<Files>, touched: Vec<(String, bool)>) -> Files {
        let mut files = Files::default();
        let mut gone = HashSet::new();
        for (path, here) in touched {
            if files.files.contains(&path) || gone.contains(&path) {
                continue;
            }
            let there = now.is_file(&path);
            match (here, there) {
                (true, false) => files.count(&path, 1),
                (false, true) => files.count(&path, -1),
                _ => {}
            }
            if here {
                files.files.insert(path);
            } else {
                gone.insert(path);
            }
        }
        files.base = Some((now, gone));
        files
    }

    /// Adds `by` to the count of every folder `path` is in.
    fn count(&mut self, path: &str, by: i64) {
        let mut dir = path;
        while let Some((d, _)) = dir.rsplit_once('/') {
            // Most folders are met again: only a new one is given its own string.
            match self.dirs.get_mut(d) {
                Some(n) => *n += by,
                None => {
                    self.dirs.insert(d.to_string(), by);
                }
            }
            dir = d;
        }
    }

    fn is_file(&self, path: &str) -> bool {
        if self.files.contains(path) {
            return true;
        }
        match &self.base {
            Some((base, gone)) => !gone.contains(path) && base.is_file(path),
            None => false,
        }
    }

    fn files_under(&self, path: &str) -> i64 {
        let own = self.dirs.get(path).copied().unwrap_or(0);
        own + self.base.as_ref().map_or(0, |(b, _)| b.files_under(path))
    }

    fn has(&self, path: &str) -> bool {
        self.is_file(path) || self.files_under(path) > 0
    }

    /// How many files were listed (not counting those a [`Files::changed`] tells).
    pub fn listed(&self) -> usize {
        self.files.len()
    }
}

/// A relative link whose last segment has an extension: the resolver's sign of a file that
/// is not a page (a route, a folder or a URL is none).
fn is_file_link(url: &str) -> bool {
    let path = url.trim().split(['#', '?']).next().unwrap_or("");
    !path.starts_with('/')
        && path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.') && last != "." && last != "..")
}

/// Where a link or image written on the page at `from` leads as a file path of the source:
/// `None` when it is not a path of the source (a URL with a scheme, `//host`, only an
/// anchor); `Some(Err(()))` when it climbs out of the source.
fn file_target(from: &str, url: &str, files: &Files) -> Option<Result<String, ()>> {
    let url = url.trim();
    let path = url.split(['#', '?']).next().unwrap_or("");
    let lower = path.to_ascii_lowercase();
    if path.is_empty() || lower.starts_with("//") || lower.contains("://") {
        return None;
    }
    if let Some((scheme, _)) = lower.split_once(':')
        && !scheme.contains('/')
    {
        return None;
    }
    let decoded = markdown::links::percent_decode(path);
    if let Some(abs) = decoded.strip_prefix('/') {
        // Docusaurus serves `static/` at the root of the site.
        return files
            .has("static")
            .then(|| markdown::links::normalize(&format!("static/{abs}")).ok_or(()));
    }
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    Some(markdown::links::normalize(&format!("{dir}/{decoded}")).ok_or(()))
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

    // The model keeps links in the order they are written; each is found in the text after
    // the previous one (a reference link is found at its definition).
    let place = |urls: &mut dyn Iterator<Item = &String>| -> Vec<(String, Pos)> {
        let mut lines = Walker::new(text);
        let mut cursor = body_start;
        let mut last = lines.pos(body_start);
        urls.map(|url| {
            if !url.is_empty()
                && let Some(i) = text[cursor..].find(url.as_str())
            {
                cursor += i;
                last = lines.pos(cursor);
                cursor += url.len();
            }
            (url.clone(), last)
        })
        .collect()
    };
    Parsed {
        links: place(&mut doc.links.iter().map(|l| &l.url)),
        images: place(&mut doc.images.iter()),
        anchors: doc.headings.into_iter().map(|h| h.anchor).collect(),
    }
}

/// Byte offset → line and column (in characters), for offsets asked in increasing order:
/// each step counts only the text since the last one, so a page of 100,000 links on one
/// line costs one pass, not one pass per link.
struct Walker<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    column: usize,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str) -> Self {
        Walker {
            text,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    fn pos(&mut self, offset: usize) -> Pos {
        if let Some(step) = self.text.get(self.offset..offset) {
            match step.rfind('\n') {
                Some(nl) => {
                    self.line += step.matches('\n').count();
                    self.column = step[nl + 1..].chars().count() + 1;
                }
                None => self.column += step.chars().count(),
            }
            self.offset = offset;
        }
        Pos::new(self.line, self.column)
    }
}

/// The longest link shown in a finding: a link of a megabyte is named by its start.
pub(super) const SHOWN: usize = 200;

/// `s`, cut to about `max` bytes at a character boundary, with `…` when it was cut.
pub(super) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

/// Checks every link and image of `pages` against `site` (the site of their source) and
/// `files` (every file of the source): the findings, and the external `http(s)://` links
/// and images, which only `--online` checks ([`super::online`]). A link into a page not
/// among `pages` is judged by the text `other` gives for it, when it gives one (a page of
/// the source that was not asked about), and not at all otherwise (another source's).
pub fn check(
    pages: &[Page],
    site: &Site,
    files: &Files,
    other: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Finding>, Vec<External>) {
    let mut external = Vec::new();
    let parsed: Vec<Parsed> = pages.iter().map(parse).collect();
    let by_path: HashMap<&str, usize> =
        pages.iter().enumerate().map(|(i, p)| (p.path, i)).collect();
    // The anchors of the other pages, each read and parsed once.
    let mut others: HashMap<String, Option<HashSet<String>>> = HashMap::new();
    let mut out = Vec::new();
    let missing_file = |page: &Page, what: &str, url: &str, at: Pos| -> Option<Finding> {
        let why = match file_target(page.path, url, files)? {
            Ok(f) if files.has(&f) => return None,
            Ok(f) => format!("no file {f}"),
            Err(()) => "it leads out of the source".to_string(),
        };
        Some(
            Finding::new(
                LINK_MISSING_FILE,
                page.file,
                at,
                format!(
                    "the {what} {:?} names no file of the source: {}",
                    clip(url, SHOWN),
                    clip(&why, SHOWN)
                ),
            )
            .with_target(&clip(url, SHOWN), None),
        )
    };
    for (page, links) in pages.iter().zip(&parsed) {
        for (url, at) in &links.images {
            if super::online::is_checked(url) {
                external.push(External {
                    url: url.clone(),
                    file: page.file.to_string(),
                    at: *at,
                });
            }
            out.extend(missing_file(page, "image", url, *at));
        }
        for (url, at) in &links.links {
            match site.resolve(page.path, url) {
                // A relative link to a file that is not a page.
                LinkTarget::External(_) if super::online::is_checked(url) => {
                    external.push(External {
                        url: url.clone(),
                        file: page.file.to_string(),
                        at: *at,
                    });
                }
                LinkTarget::External(_) if is_file_link(url) => {
                    out.extend(missing_file(page, "link", url, *at));
                }
                LinkTarget::Broken { reason, .. } => out.push(
                    Finding::new(
                        LINK_MISSING_PAGE,
                        page.file,
                        *at,
                        format!(
                            "the link {:?} leads nowhere: {}",
                            clip(url, SHOWN),
                            clip(&reason, SHOWN)
                        ),
                    )
                    .with_target(&clip(url, SHOWN), None),
                ),
                LinkTarget::Anchor(a) if !a.is_empty() && !links.anchors.contains(&a) => out.push(
                    Finding::new(
                        LINK_MISSING_ANCHOR,
                        page.file,
                        *at,
                        format!(
                            "no heading of this page makes the anchor #{}",
                            clip(&a, SHOWN)
                        ),
                    )
                    .with_target(
                        &clip(url, SHOWN),
                        Some(clip(&format!("{}#{a}", page.path), SHOWN)),
                    ),
                ),
                LinkTarget::Doc {
                    path,
                    anchor: Some(a),
                } => {
                    let anchors = match by_path.get(path.as_str()) {
                        Some(&i) => &parsed[i].anchors,
                        None => {
                            let found = others.entry(path.clone()).or_insert_with(|| {
                                other(&path).map(|text| {
                                    let page = Page {
                                        path: &path,
                                        file: &path,
                                        text: &text,
                                    };
                                    parse(&page).anchors
                                })
                            });
                            // A page the site routes to but that was not given to check
                            // (another source's) is not judged.
                            match found {
                                Some(anchors) => anchors,
                                None => continue,
                            }
                        }
                    };
                    if !anchors.contains(&a) {
                        out.push(
                            Finding::new(
                                LINK_MISSING_ANCHOR,
                                page.file,
                                *at,
                                format!(
                                    "{path} has no heading that makes the anchor #{}",
                                    clip(&a, SHOWN)
                                ),
                            )
                            .with_target(
                                &clip(url, SHOWN),
                                Some(clip(&format!("{path}#{a}"), SHOWN)),
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    (out, external)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files at a range's start told from those at its end and the paths it touched
    /// answer as the start's files listed would, folders included (a folder whose files all
    /// went, one that is new, `static` asked for a site-absolute image).
    #[test]
    fn files_told_from_another_copy_answer_as_the_listed_ones() {
        let list = |v: &[&str]| Files::new(v.iter().map(|s| s.to_string()));
        let now = std::sync::Arc::new(list(&["a.md", "static/x.png", "d/e/f.md", "d/h.md"]));
        let start = list(&["a.md", "b.png", "d/g.md", "d/h.md"]);
        let touched = ["static/x.png", "b.png", "d/e/f.md", "d/g.md"]
            .iter()
            .map(|p| (p.to_string(), start.has(p)))
            .collect();
        let told = Files::changed(now, touched);
        for q in [
            "a.md",
            "b.png",
            "static",
            "static/x.png",
            "d",
            "d/e",
            "d/e/f.md",
            "d/g.md",
            "d/h.md",
            "nothing",
        ] {
            assert_eq!(told.has(q), start.has(q), "{q}");
        }
    }
}
