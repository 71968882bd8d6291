//! Which page a name means, for every front end (`ken show`, `ken DOC`, the reader's `:`
//! prompt): one set of rules, one error.
//!
//! A name is, with an optional `#anchor`:
//! - `SOURCE:PATH` (a configured source's name, then any of the below) or just a path;
//! - a site URL (`https://docs.scs.community/docs/…`, the host is not checked) or a route
//!   (`/docs/…`): the page the source's site serves there, after its client redirects
//!   (number prefixes of folders are not part of routes);
//! - a path as the reader sees it, with or without its extension; a folder (with or
//!   without a trailing `/`) means its index page (`index`, `README`, or a page named like
//!   the folder), unless a page of the folder's own name is next to it (`a/b.md` for `a/b/`).
//!
//! A route that no site serves is tried as a path (`/docs/a.md`). A name found in several
//! sources is an error that asks for `SOURCE:PATH`.

use std::sync::Arc;

use crate::base::{Base, SourceFailure};
use crate::corpus::{self, Document};
use crate::markdown::Site;

/// Why no page was found, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    #[error("no document {name:?}{hint}")]
    NotFound { name: String, hint: String },
    #[error("{name:?} names a document in several sources ({sources}); write SOURCE:PATH")]
    Ambiguous { name: String, sources: String },
}

/// A page found in a list of documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its index in the list.
    pub index: usize,
    /// The anchor the name ended with (`#restore`).
    pub anchor: Option<String>,
}

/// A page found in the knowledge base.
#[derive(Debug, Clone)]
pub struct FoundDoc {
    /// Its source's index in the configuration.
    pub source: usize,
    pub doc: Document,
    pub anchor: Option<String>,
    /// Its text, when finding it read it already ([`Base::read_found`] takes it).
    parsed: Option<corpus::Parsed>,
}

/// A name taken apart.
struct Name<'a> {
    /// The source named by `SOURCE:`.
    source: Option<&'a str>,
    /// The URL path of a site URL or route.
    route: Option<&'a str>,
    /// The name as a path: no `./`, no leading or trailing `/`.
    path: &'a str,
    anchor: Option<String>,
}

impl<'a> Name<'a> {
    fn parse(name: &'a str, is_source: impl Fn(&str) -> bool) -> Name<'a> {
        let name = name.trim();
        let (name, anchor) = match name.split_once('#') {
            Some((n, a)) => (n, Some(a.to_string()).filter(|a| !a.is_empty())),
            None => (name, None),
        };
        let (source, rest) = match name.split_once(':') {
            Some((s, rest)) if !rest.starts_with("//") && is_source(s) => (Some(s), rest),
            _ => (None, name),
        };
        let route = url_path(rest);
        // A URL that no site serves may still name a file (`https://host/docs/a.md`).
        let path = route
            .unwrap_or(rest)
            .trim_start_matches("./")
            .trim_matches('/');
        Name {
            source,
            route,
            path,
            anchor,
        }
    }

    /// The paths the name may mean, most likely first.
    fn candidates(&self) -> Vec<String> {
        let p = self.path;
        if p.is_empty() {
            return Vec::new();
        }
        let mut out = vec![p.to_string()];
        out.extend(corpus::DOC_EXTENSIONS.iter().map(|e| format!("{p}.{e}")));
        let folder = p.rsplit('/').next().unwrap_or(p);
        for index in ["index", "README", "readme", folder] {
            out.extend(
                corpus::DOC_EXTENSIONS
                    .iter()
                    .map(|e| format!("{p}/{index}.{e}")),
            );
        }
        out
    }
}

/// The path of `https://host/a/b#x` or `/a/b`, without query and anchor.
fn url_path(s: &str) -> Option<&str> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .map(|r| r.find('/').map_or("/", |i| &r[i..]))
        .or_else(|| s.starts_with('/').then_some(s))?;
    let end = rest.find(['#', '?']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Finds the page `name` means among `docs` (of one or more sources), `site` giving each
/// source's site. What the reader uses once its library is loaded, and what
/// [`Base::find`] falls back to.
pub fn find_in(
    docs: &[Document],
    site: &dyn Fn(&str) -> Arc<Site>,
    name: &str,
) -> Result<Found, FindError> {
    let mut sources: Vec<&str> = Vec::new();
    for d in docs {
        if !sources.contains(&d.source.as_str()) {
            sources.push(&d.source);
        }
    }
    let n = Name::parse(name, |s| sources.contains(&s));
    let sources: Vec<&str> = sources
        .into_iter()
        .filter(|s| n.source.is_none_or(|x| x == *s))
        .collect();
    let at = |source: &str, path: &str| {
        docs.iter()
            .position(|d| d.source == source && d.path == path)
    };
    let mut hits: Vec<usize> = Vec::new();
    if let Some(route) = n.route {
        hits.extend(sources.iter().filter_map(|s| {
            let site = site(s);
            at(s, site.page_at(route)?)
        }));
    }
    if hits.is_empty() {
        let candidates = n.candidates();
        hits.extend(
            sources
                .iter()
                .filter_map(|s| candidates.iter().find_map(|c| at(s, c))),
        );
    }
    match hits.as_slice() {
        [i] => Ok(Found {
            index: *i,
            anchor: n.anchor,
        }),
        [] => Err(FindError::NotFound {
            name: name.to_string(),
            hint: suggestions(docs, name.trim()),
        }),
        _ => Err(ambiguous(
            name,
            hits.iter().map(|&i| docs[i].source.as_str()),
        )),
    }
}

fn ambiguous<'a>(name: &str, sources: impl Iterator<Item = &'a str>) -> FindError {
    FindError::Ambiguous {
        name: name.to_string(),
        sources: sources.collect::<Vec<_>>().join(", "),
    }
}

impl Base {
    /// Finds the page `name` means in every source's last good copy (the rules are in this
    /// module's documentation). A path is first looked up directly in each source (one tree
    /// lookup per candidate, no listing); only when that finds nothing, or the name is a
    /// URL, are the sources listed.
    pub fn find(&self, name: &str) -> Result<FoundDoc, FindError> {
        if let Some(found) = self.find_direct(name) {
            return found;
        }
        let specs = &self.config.sources;
        let mut all: Vec<Document> = Vec::new();
        let mut problems = Vec::new();
        for spec in specs {
            match self.catalog(spec) {
                Ok(cat) => all.extend(cat.docs),
                Err(e) => problems.push(e.to_string()),
            }
        }
        match find_in(&all, &|s| self.site_of(s, &all), name) {
            Ok(f) => {
                let doc = all.swap_remove(f.index);
                Ok(FoundDoc {
                    source: specs.iter().position(|s| s.name == doc.source).unwrap_or(0),
                    doc,
                    anchor: f.anchor,
                    parsed: None,
                })
            }
            Err(FindError::NotFound { name, mut hint }) if !problems.is_empty() => {
                hint.push_str(&format!(" ({})", problems.join("; ")));
                Err(FindError::NotFound { name, hint })
            }
            Err(e) => Err(e),
        }
    }
}

impl Base {
    /// [`Base::find`]'s first step alone: a path looked up in each source without listing
    /// any (what `ken DOC` does before its first frame). `None` when no source has a page
    /// there, or the name is a URL or route.
    pub fn find_direct(&self, name: &str) -> Option<Result<FoundDoc, FindError>> {
        let specs = &self.config.sources;
        let n = Name::parse(name, |s| specs.iter().any(|x| x.name == s));
        if n.route.is_some() {
            return None;
        }
        let candidates = n.candidates();
        let mut hits: Vec<(usize, Document, Option<corpus::Parsed>)> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            if n.source.is_some_and(|s| s != spec.name) {
                continue;
            }
            let Ok(copy) = self.copy(spec) else {
                continue;
            };
            if let Some((d, parsed)) = candidates.iter().find_map(|c| copy.doc_read(c)) {
                hits.push((i, d, parsed));
            }
        }
        match hits.len() {
            0 => None,
            1 => {
                let (source, doc, parsed) = hits.remove(0);
                Some(Ok(FoundDoc {
                    source,
                    doc,
                    anchor: n.anchor,
                    parsed,
                }))
            }
            _ => Some(Err(ambiguous(
                name,
                hits.iter().map(|(i, _, _)| specs[*i].name.as_str()),
            ))),
        }
    }
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// "; did you mean a, b?" with up to three paths like `wanted`, or nothing.
fn suggestions(all: &[Document], wanted: &str) -> String {
    let w = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = all
        .iter()
        .map(|d| {
            let p = d.path.to_lowercase();
            let name = p.rsplit('/').next().unwrap_or(&p).to_string();
            let score = strsim::jaro_winkler(&w, &p).max(strsim::jaro_winkler(&w, &name));
            let score = if p.contains(&w) { score + 1.0 } else { score };
            // The same file name in another folder is the likeliest meaning.
            let wanted_name = w.rsplit('/').next().unwrap_or(&w);
            let score = if stem(&name) == stem(wanted_name) {
                score + 0.5
            } else {
                score
            };
            (score, d.path.as_str())
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let best: Vec<&str> = scored
        .iter()
        .take(3)
        .filter(|(s, _)| *s > 0.6)
        .map(|(_, p)| *p)
        .collect();
    if best.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", best.join(", "))
    }
}

impl Base {
    /// The text of the page found, decoded, front matter split off: the text finding it
    /// read (a direct lookup reads the file for its title), else read from the copy.
    pub fn read_found(&self, found: &mut FoundDoc) -> Result<corpus::Parsed, SourceFailure> {
        match found.parsed.take() {
            Some(p) => Ok(p),
            None => self.read(&self.config.sources[found.source], &found.doc),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_taken_apart() {
        let n = Name::parse(" kb:./docs/x/#Step-2 ", |s| s == "kb");
        assert_eq!(
            (n.source, n.route, n.path, n.anchor.as_deref()),
            (Some("kb"), None, "docs/x", Some("Step-2"))
        );
        let n = Name::parse("https://docs.scs.community/docs/a?x=1#b", |_| false);
        assert_eq!(n.route, Some("/docs/a"));
        let n = Name::parse("other:docs/a", |s| s == "kb");
        assert_eq!((n.source, n.path), (None, "other:docs/a"));
        assert!(Name::parse("", |_| true).candidates().is_empty());
    }
}
