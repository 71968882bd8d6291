//! Finding a page by the name a person gives: a path (extension optional), `SOURCE:PATH`,
//! or a site URL or route.

use crate::base::Base;
use crate::corpus::{self, Document};
use crate::markdown::{Routing, Site, SiteDoc};

/// A problem a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ShowError {
    #[error("no document {doc:?}{hint}")]
    NotFound { doc: String, hint: String },
    #[error("{doc:?} names a document in several sources ({sources}); write SOURCE:PATH")]
    Ambiguous { doc: String, sources: String },
    #[error("{0}")]
    Read(String),
}

/// Finds a document by path, `source:path`, or site URL.
pub fn find(base: &Base, doc: &str) -> Result<(usize, Document), ShowError> {
    if let Some(found) = find_path(base, doc) {
        return found;
    }
    let mut all: Vec<(usize, Document)> = Vec::new();
    let mut problems = Vec::new();
    for (i, spec) in base.config.sources.iter().enumerate() {
        match base.catalog(spec) {
            Ok(cat) => all.extend(cat.docs.into_iter().map(|d| (i, d))),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let wanted = doc.trim();
    // `source:path`
    if let Some((src, path)) = wanted.split_once(':')
        && !path.starts_with("//")
        && let Some(si) = base.config.sources.iter().position(|s| s.name == src)
    {
        let path = path.trim_start_matches("./");
        if let Some(d) = all
            .iter()
            .find(|(i, d)| *i == si && same_path(&d.path, path))
        {
            return Ok(d.clone());
        }
    }
    // A site URL or route.
    let route = url_path(wanted);
    let mut hits: Vec<&(usize, Document)> = Vec::new();
    if let Some(route) = route {
        for (si, _) in base.config.sources.iter().enumerate() {
            let docs: Vec<SiteDoc> = all
                .iter()
                .filter(|(i, _)| *i == si)
                .map(|(_, d)| SiteDoc {
                    path: d.path.clone(),
                    front_matter: d.front_matter.clone(),
                })
                .collect();
            let site = Site::new(docs, Routing::default());
            if let Some(p) = site.doc_at(route)
                && let Some(d) = all.iter().find(|(i, d)| *i == si && d.path == p)
            {
                hits.push(d);
            }
        }
    }
    if hits.is_empty() {
        let path = wanted.trim_start_matches("./");
        hits = all
            .iter()
            .filter(|(_, d)| same_path(&d.path, path))
            .collect();
    }
    match hits.len() {
        1 => Ok(hits[0].clone()),
        0 => {
            let mut hint = suggestions(&all, wanted);
            if !problems.is_empty() {
                hint.push_str(&format!(" ({})", problems.join("; ")));
            }
            Err(ShowError::NotFound {
                doc: doc.to_string(),
                hint,
            })
        }
        _ => Err(ambiguous(base, doc, hits.iter().map(|(i, _)| *i))),
    }
}

/// A path (or `source:path`) looked up directly in each source, without listing them all:
/// `None` when no source has a document there (the full search then explains why).
fn find_path(base: &Base, doc: &str) -> Option<Result<(usize, Document), ShowError>> {
    let wanted = doc.trim();
    if url_path(wanted).is_some() {
        return None;
    }
    let named = wanted.split_once(':').and_then(|(src, path)| {
        let si = base.config.sources.iter().position(|s| s.name == src)?;
        Some((si, path))
    });
    let path = named.map_or(wanted, |(_, p)| p).trim_start_matches("./");
    let path = path.trim_end_matches('/');
    let mut candidates = vec![path.to_string()];
    candidates.extend(corpus::DOC_EXTENSIONS.iter().map(|e| format!("{path}.{e}")));
    let mut hits: Vec<(usize, Document)> = Vec::new();
    for (si, spec) in base.config.sources.iter().enumerate() {
        if named.is_some_and(|(n, _)| n != si) {
            continue;
        }
        let (Ok(snap), Ok(filter)) = (base.snapshot(spec), corpus::Filter::new(spec)) else {
            continue;
        };
        for candidate in &candidates {
            let Some(rel) = filter.unmounted(candidate).filter(|r| filter.is_doc(r)) else {
                continue;
            };
            let Ok(Some(entry)) = snap.entry(filter.root(), rel) else {
                continue;
            };
            let mut notes = Vec::new();
            let cap = base.config.max_file_size;
            if let Ok(Some(d)) = corpus::load(&spec.name, &filter, &snap, entry, cap, &mut notes) {
                hits.push((si, d));
            }
        }
    }
    match hits.len() {
        0 => None,
        1 => hits.pop().map(Ok),
        _ => Some(Err(ambiguous(base, doc, hits.iter().map(|(i, _)| *i)))),
    }
}

/// The error for a document found in the sources numbered `sources`.
fn ambiguous(base: &Base, doc: &str, sources: impl Iterator<Item = usize>) -> ShowError {
    ShowError::Ambiguous {
        doc: doc.to_string(),
        sources: sources
            .map(|i| base.config.sources[i].name.clone())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `a/b.md` matches `a/b.md`, `a/b` and `a/b/` (an index page is not guessed).
fn same_path(doc_path: &str, wanted: &str) -> bool {
    let wanted = wanted.trim_end_matches('/');
    doc_path == wanted
        || corpus::DOC_EXTENSIONS
            .iter()
            .any(|e| doc_path.strip_suffix(e).and_then(|p| p.strip_suffix('.')) == Some(wanted))
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
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

fn suggestions(all: &[(usize, Document)], wanted: &str) -> String {
    let w = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = all
        .iter()
        .map(|(_, d)| {
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
