//! What the UI reads: the library (documents and their tree), pages, and search — behind
//! small traits, so that the index and markdown modules plug in without touching the views.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use crate::base::Base;
use crate::corpus::{self, Document, Parsed};
use crate::library::{self, Sites};
use crate::markdown::Site;
use crate::sidebar::{self, Node};
use crate::slug::Slugger;
use crate::source::{Entry, EntryKind};

/// Reads the text of one page.
pub trait Pages: Send + Sync {
    fn read(&self, doc: &Document) -> Result<Parsed, String>;
}

/// One section of a page that matched a query.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionHit {
    /// The heading the match is under (`None`: before the first heading).
    pub heading: Option<String>,
    /// The heading's anchor, to open the page there.
    pub anchor: Option<String>,
    pub snippet: String,
    /// Byte ranges of `snippet` that matched.
    pub highlights: Vec<Range<usize>>,
}

/// The hits of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageHits {
    pub source: String,
    pub path: String,
    pub title: String,
    pub sections: Vec<SectionHit>,
}

/// The words to highlight in a page opened from search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terms {
    /// Matched as written, ignoring case.
    Plain(Vec<String>),
    /// Stems: a word is highlighted when its stem is one of them (the search index's terms).
    Stemmed(HashSet<String>),
}

impl Default for Terms {
    fn default() -> Self {
        Terms::Plain(Vec::new())
    }
}

impl Terms {
    pub fn is_empty(&self) -> bool {
        match self {
            Terms::Plain(v) => v.is_empty(),
            Terms::Stemmed(s) => s.is_empty(),
        }
    }

    /// Byte ranges of `text` to highlight.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        match self {
            Terms::Plain(v) => find_all(text, v),
            Terms::Stemmed(s) => crate::index::snippet::highlight_ranges(s, text),
        }
    }
}

/// What a search returned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    pub pages: Vec<PageHits>,
    /// The words to highlight in a page opened from the results.
    pub terms: Terms,
    /// Pages that matched in all (may be more than shown).
    pub total: usize,
    /// A line for the user about the answer (partial matches, a typo corrected).
    pub notice: Option<String>,
}

/// Searches the library. Runs on the search job's thread.
pub trait Searcher: Send + Sync {
    fn search(&self, query: &str, limit: usize) -> Result<Results, String>;
}

/// Everything the library screen shows, and how to read its pages.
pub struct Library {
    pub docs: Vec<Document>,
    pub tree: Vec<Node>,
    /// Problems worth a note (broken sidebars, skipped files).
    pub notes: Vec<String>,
    pub pages: Arc<dyn Pages>,
    by_path: HashMap<(String, String), usize>,
    /// Where links go in each source (made once per library, from its documents).
    sites: Sites,
    /// True when this is ken's built-in guide rather than a knowledge source.
    pub guide: bool,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("docs", &self.docs.len())
            .field("guide", &self.guide)
            .finish()
    }
}

impl Library {
    pub fn new(
        docs: Vec<Document>,
        tree: Vec<Node>,
        notes: Vec<String>,
        pages: Arc<dyn Pages>,
        guide: bool,
    ) -> Library {
        let by_path = docs
            .iter()
            .enumerate()
            .map(|(i, d)| ((d.source.clone(), d.path.clone()), i))
            .collect();
        Library {
            docs,
            tree,
            notes,
            pages,
            by_path,
            guide,
            sites: Sites::default(),
        }
    }

    /// The library with the sources' routings as read from their copies (without, every
    /// source is routed like docs.scs.community).
    pub fn with_sites(mut self, sites: Sites) -> Library {
        self.sites = sites;
        self
    }

    /// The site of one source of the library: where its links go.
    pub fn site(&self, source: &str) -> Arc<Site> {
        self.sites
            .get(source, &|| library::site_docs(&self.docs, source), None)
    }

    /// The site URL a source's pages are published under, if known.
    pub fn origin(&self, source: &str) -> Option<String> {
        self.sites.routing(source, None).origin
    }

    /// The page a name means: path, `SOURCE:PATH`, site URL or route, with an anchor
    /// (the rules of [`library::find_in`], the same as `ken show`'s).
    pub fn find_page(&self, name: &str) -> Result<library::Found, library::FindError> {
        library::find_in(&self.docs, &|s| self.site(s), name)
    }

    pub fn empty() -> Library {
        Library::new(Vec::new(), Vec::new(), Vec::new(), Arc::new(NoPages), false)
    }

    pub fn find(&self, source: &str, path: &str) -> Option<usize> {
        self.by_path
            .get(&(source.to_string(), path.to_string()))
            .copied()
    }

    /// A page named on the command line (see [`Library::find_page`]).
    pub fn resolve(&self, name: &str) -> Option<usize> {
        self.find_page(name).ok().map(|f| f.index)
    }
}

struct NoPages;

impl Pages for NoPages {
    fn read(&self, doc: &Document) -> Result<Parsed, String> {
        Err(format!("{}: not available", doc.path))
    }
}

/// Pages read from the knowledge base's last good copies.
pub struct BasePages {
    base: Base,
}

impl Pages for BasePages {
    fn read(&self, doc: &Document) -> Result<Parsed, String> {
        let spec = self
            .base
            .spec(&doc.source)
            .ok_or_else(|| format!("{}: no such source", doc.source))?;
        self.base.read(spec, doc).map_err(|e| e.to_string())
    }
}

/// Loads the library of every source that has a copy (documents, tree, routing), its pages
/// read from the same copies.
pub fn load_library(base: Base) -> Library {
    let l = base.library();
    Library::new(l.docs, l.tree, l.notes, Arc::new(BasePages { base }), false).with_sites(l.sites)
}

/// ken's own guide (`docs/`), embedded in the binary.
static GUIDE: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/docs");

/// The source name of the built-in guide.
pub const GUIDE_SOURCE: &str = "ken-guide";

struct GuidePages;

impl Pages for GuidePages {
    fn read(&self, doc: &Document) -> Result<Parsed, String> {
        let f = GUIDE
            .get_file(&doc.rel)
            .ok_or_else(|| format!("{}: not in the guide", doc.path))?;
        Ok(corpus::parse(
            &corpus::decode(f.contents().to_vec()),
            &doc.rel,
        ))
    }
}

fn guide_files<'a>(dir: &'a include_dir::Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    for f in dir.files() {
        out.push(f);
    }
    for d in dir.dirs() {
        guide_files(d, out);
    }
}

/// The built-in guide as a library.
pub fn guide_library() -> Library {
    let mut files = Vec::new();
    guide_files(&GUIDE, &mut files);
    let mut docs = Vec::new();
    for f in files {
        let rel = f.path().to_string_lossy().replace('\\', "/");
        if !rel.ends_with(".md") {
            continue;
        }
        let parsed = corpus::parse(&corpus::decode(f.contents().to_vec()), &rel);
        docs.push(Document {
            source: GUIDE_SOURCE.into(),
            path: rel.clone(),
            rel: rel.clone(),
            title: parsed.title,
            link: None,
            front_matter: parsed.front_matter,
            entry: Entry {
                path: rel,
                kind: EntryKind::File {
                    size: f.contents().len() as u64,
                    oid: None,
                },
            },
        });
    }
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    let (tree, notes) = sidebar::tree(&docs, &BTreeMap::new());
    Library::new(docs, tree, notes, Arc::new(GuidePages), true)
}

/// Pages held in memory (tests, benchmarks, the guide's shape).
pub struct MemoryPages {
    files: HashMap<String, String>,
}

impl Pages for MemoryPages {
    fn read(&self, doc: &Document) -> Result<Parsed, String> {
        let text = self
            .files
            .get(&doc.rel)
            .ok_or_else(|| format!("{}: not found", doc.path))?;
        Ok(corpus::parse(text, &doc.rel))
    }
}

/// A library of one source called `source` from (path, text) pairs; `sidebars*.js` files at
/// the top are read as sidebars, other files that are not Markdown are left out.
pub fn memory_library(source: &str, files: &[(&str, &str)]) -> Library {
    let mut docs = Vec::new();
    let mut sidebars = BTreeMap::new();
    for (path, text) in files {
        if sidebar::is_sidebar_file(path) {
            sidebars.insert(path.to_string(), text.to_string());
            continue;
        }
        if !corpus::DOC_EXTENSIONS
            .iter()
            .any(|e| path.ends_with(&format!(".{e}")))
        {
            continue;
        }
        let parsed = corpus::parse(text, path);
        docs.push(Document {
            source: source.into(),
            path: path.to_string(),
            rel: path.to_string(),
            title: parsed.title,
            link: None,
            front_matter: parsed.front_matter,
            entry: Entry {
                path: path.to_string(),
                kind: EntryKind::File {
                    size: text.len() as u64,
                    oid: None,
                },
            },
        });
    }
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    let (tree, notes) = sidebar::tree(&docs, &sidebars);
    let files = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    Library::new(docs, tree, notes, Arc::new(MemoryPages { files }), false)
}

/// A stand-in for the search index until it lands: every page read once into memory, split
/// into sections at its headings, matched word by word.
pub struct ScanSearcher {
    pages: Vec<ScanPage>,
    notice: Option<String>,
}

struct ScanPage {
    source: String,
    path: String,
    title: String,
    title_lower: String,
    sections: Vec<ScanSection>,
}

struct ScanSection {
    heading: Option<String>,
    anchor: Option<String>,
    text: String,
    lower: String,
}

/// Splits Markdown into sections at ATX headings outside code fences.
fn sections(body: &str) -> Vec<ScanSection> {
    let mut out = Vec::new();
    let mut slugger = Slugger::default();
    let mut cur = ScanSection {
        heading: None,
        anchor: None,
        text: String::new(),
        lower: String::new(),
    };
    let mut fence = false;
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
        }
        let hashes = t.chars().take_while(|c| *c == '#').count();
        if !fence && (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
            let raw = t[hashes..].trim().trim_end_matches('#').trim();
            let (text, id) = crate::slug::split_id(raw);
            let anchor = slugger.anchor(text, id);
            let text = text.to_string();
            let prev = std::mem::replace(
                &mut cur,
                ScanSection {
                    anchor: Some(anchor),
                    heading: Some(text),
                    text: String::new(),
                    lower: String::new(),
                },
            );
            if prev.heading.is_some() || !prev.text.trim().is_empty() {
                out.push(prev);
            }
            continue;
        }
        cur.text.push_str(line);
        cur.text.push('\n');
    }
    out.push(cur);
    for s in &mut out {
        s.lower = s.text.to_lowercase();
    }
    out
}

impl ScanSearcher {
    pub fn build(lib: &Library) -> ScanSearcher {
        let pages = lib
            .docs
            .iter()
            .filter(|d| d.link.is_none())
            .filter_map(|d| {
                let p = lib.pages.read(d).ok()?;
                Some(ScanPage {
                    source: d.source.clone(),
                    path: d.path.clone(),
                    title_lower: d.title.to_lowercase(),
                    title: d.title.clone(),
                    sections: sections(&p.body),
                })
            })
            .collect();
        ScanSearcher {
            pages,
            notice: None,
        }
    }

    /// Adds a line for the user to every answer.
    pub fn with_notice(mut self, notice: String) -> ScanSearcher {
        self.notice = Some(notice);
        self
    }
}

/// The query's words, lower case.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// A window of `text` around byte `at`, on char boundaries, on one line.
fn snippet(text: &str, at: usize, terms: &[String]) -> (String, Vec<Range<usize>>) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut start = at.saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 80).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    // Start at a word, not in the middle of one or on blank lines.
    if start > 0
        && let Some(sp) = text
            .get(start..at)
            .and_then(|t| t.find(char::is_whitespace))
    {
        start += sp;
    }
    let raw = text[start..end].trim_start();
    let start = end - raw.len();
    let mut s: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if end < text.len() {
        s.push('…');
    }
    (s.clone(), find_all(&s, terms))
}

/// Byte ranges of every case-insensitive occurrence of any term in `s`.
pub fn find_all(s: &str, terms: &[String]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if terms.is_empty() {
        return out;
    }
    for term in terms {
        out.extend(crate::markdown::layout::find_in(s, term));
    }
    out.sort_by_key(|r| r.start);
    // Merge overlaps so highlighting never splits a character twice.
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in out {
        match merged.last_mut() {
            Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

impl Searcher for ScanSearcher {
    fn search(&self, query: &str, limit: usize) -> Result<Results, String> {
        let terms = terms(query);
        if terms.is_empty() {
            return Ok(Results {
                notice: self.notice.clone(),
                ..Results::default()
            });
        }
        let mut scored: Vec<(f64, PageHits)> = Vec::new();
        for p in &self.pages {
            let mut hits = Vec::new();
            let mut best = 0.0f64;
            for s in &p.sections {
                let head = s.heading.as_deref().unwrap_or("").to_lowercase();
                let all = terms.iter().all(|t| {
                    s.lower.contains(t.as_str())
                        || head.contains(t.as_str())
                        || p.title_lower.contains(t.as_str())
                });
                if !all {
                    continue;
                }
                let mut score = 0.0;
                for t in &terms {
                    score += s.lower.matches(t.as_str()).count().min(10) as f64;
                    if head.contains(t.as_str()) {
                        score += 5.0;
                    }
                    if p.title_lower.contains(t.as_str()) {
                        score += 8.0;
                    }
                }
                best = best.max(score);
                let at = terms
                    .iter()
                    .filter_map(|t| s.lower.find(t.as_str()))
                    .min()
                    .unwrap_or(0);
                // `lower` may differ in length from `text` for a few scripts; stay in bounds.
                let at = if s.lower.len() == s.text.len() { at } else { 0 };
                let (snip, highlights) = snippet(&s.text, at, &terms);
                hits.push((
                    score,
                    SectionHit {
                        heading: s.heading.clone(),
                        anchor: s.anchor.clone(),
                        snippet: snip,
                        highlights,
                    },
                ));
            }
            if hits.is_empty() {
                continue;
            }
            hits.sort_by(|a, b| b.0.total_cmp(&a.0));
            scored.push((
                best,
                PageHits {
                    source: p.source.clone(),
                    path: p.path.clone(),
                    title: p.title.clone(),
                    sections: hits.into_iter().take(3).map(|h| h.1).collect(),
                },
            ));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.path.cmp(&b.1.path)));
        let total = scored.len();
        Ok(Results {
            pages: scored.into_iter().take(limit).map(|s| s.1).collect(),
            terms: Terms::Plain(terms),
            total,
            notice: self.notice.clone(),
        })
    }
}

/// The search index (`crate::index`), as `ken search` uses it, searching as you type.
pub struct IndexSearcher(pub crate::index::SearchIndex);

/// Character ranges of `text` as byte ranges.
fn char_to_byte(text: &str, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    let at = |n: usize| text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    ranges.iter().map(|r| at(r.start)..at(r.end)).collect()
}

impl Searcher for IndexSearcher {
    fn search(&self, query: &str, limit: usize) -> Result<Results, String> {
        if query.trim().is_empty() {
            return Ok(Results::default());
        }
        let opts = crate::index::SearchOptions {
            limit,
            sections_per_page: 3,
            as_you_type: true,
        };
        let r = match self.0.search(query, &opts) {
            Ok(r) => r,
            // A query with nothing to search for yet (`-`, `"`): no results, and why.
            Err(crate::index::IndexError::Query(m)) => {
                return Ok(Results {
                    notice: Some(m),
                    ..Results::default()
                });
            }
            Err(e) => return Err(e.to_string()),
        };
        let pages: Vec<PageHits> = r
            .pages
            .into_iter()
            .map(|p| PageHits {
                source: p.source,
                path: p.path,
                title: p.title,
                sections: p
                    .sections
                    .into_iter()
                    .map(|s| SectionHit {
                        heading: Some(s.section).filter(|h| !h.is_empty()),
                        anchor: Some(s.anchor).filter(|a| !a.is_empty()),
                        highlights: char_to_byte(&s.snippet.text, &s.snippet.highlights),
                        snippet: s.snippet.text,
                    })
                    .collect(),
            })
            .collect();
        Ok(Results {
            total: pages.len(),
            pages,
            terms: Terms::Stemmed(r.terms.into_iter().collect()),
            notice: r.notices.into_iter().next(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_all_is_case_insensitive_and_merged() {
        assert_eq!(
            find_all("Key keys KEY", &["key".into()]),
            vec![0..3, 4..7, 9..12]
        );
        assert_eq!(
            find_all("Fernet", &["fern".into(), "ernet".into()]),
            vec![0..6]
        );
    }

    #[test]
    fn index_char_ranges_become_byte_ranges() {
        let r = char_to_byte("äb keys", std::slice::from_ref(&(3..7)));
        assert_eq!(r.first(), Some(&(4..8)));
        let t = Terms::Plain(vec!["key".into()]);
        assert_eq!(t.ranges("Keys").first(), Some(&(0..3)));
    }

    #[test]
    fn sections_split_at_headings_outside_code() {
        let s = sections("intro\n# One\ntext\n```\n# not\n```\n## Two\nmore\n");
        let heads: Vec<_> = s.iter().map(|s| s.heading.clone()).collect();
        assert_eq!(heads, vec![None, Some("One".into()), Some("Two".into())]);
        assert_eq!(s[2].anchor.as_deref(), Some("two"));
    }
}
