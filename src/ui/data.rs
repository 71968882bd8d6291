//! What the UI reads: the library (documents and their tree), pages, and search — behind
//! small traits, so that the index and markdown modules plug in without touching the views.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use crate::base::Base;
use crate::corpus::{self, Document, Parsed};
use crate::history::Histories;
use crate::library::{self, Sites};
use crate::markdown::Site;
use crate::sidebar::{self, Node};
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

/// The words to highlight in a page opened from search results: the search index's stems
/// (a word is highlighted when its stem is one of them, so `rotating` for `rotate`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Terms(pub HashSet<String>);

impl Terms {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Byte ranges of `text` to highlight.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        crate::index::snippet::highlight_ranges(&self.0, text)
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
    /// Each page's last change and creation, by source (empty for the guide and tests'
    /// libraries in memory).
    pub history: Histories,
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
            history: Histories::default(),
        }
    }

    /// The library with its sources' page histories.
    pub fn with_history(mut self, history: Histories) -> Library {
        self.history = history;
        self
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

    /// Makes the site of every source now, on the thread that loads the library: made
    /// when first asked for (a link followed, an address copied, a URL looked up), it took
    /// the UI thread 50 ms for 40,000 pages.
    pub fn build_sites(&self) {
        let sources: std::collections::BTreeSet<&str> =
            self.docs.iter().map(|d| d.source.as_str()).collect();
        for s in sources {
            self.site(s);
        }
    }

    /// Whether the site of `source` is made already (see [`Library::build_sites`]).
    pub fn has_site(&self, source: &str) -> bool {
        self.sites.is_built(source)
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

/// Loads the library of every source that has a copy (documents, tree, routing, each page's
/// history), its pages read from the same copies.
pub fn load_library(base: Base) -> Library {
    let l = base.library();
    let history = Histories::load(&base);
    let mut notes = l.notes;
    notes.extend(history.problems.iter().cloned());
    let lib = Library::new(l.docs, l.tree, notes, Arc::new(BasePages { base }), false)
        .with_sites(l.sites)
        .with_history(history);
    lib.build_sites();
    lib
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
            origin: None,
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
            origin: None,
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

/// The pages of a library indexed in memory by the search index's own code (schema,
/// sections, snippets): how the built-in guide is searched, and the library when the index
/// on disk cannot be opened. One engine answers every search.
pub fn memory_index(lib: &Library) -> Result<crate::index::SearchIndex, String> {
    let pages = lib
        .docs
        .iter()
        .filter(|d| d.link.is_none())
        .filter_map(|d| {
            Some(crate::index::MemoryPage {
                source: d.source.clone(),
                path: d.path.clone(),
                parsed: lib.pages.read(d).ok()?,
            })
        });
    crate::index::SearchIndex::in_memory(pages).map_err(|e| e.to_string())
}

/// The search index (`crate::index`), as `ken search` uses it, searching as you type.
pub struct IndexSearcher(pub crate::index::SearchIndex);

/// A searcher whose every answer also says one thing (why the index on disk is not used).
pub struct WithNotice {
    pub searcher: IndexSearcher,
    pub notice: String,
}

impl Searcher for WithNotice {
    fn search(&self, query: &str, limit: usize) -> Result<Results, String> {
        let mut r = self.searcher.search(query, limit)?;
        r.notice = Some(match r.notice.take() {
            Some(n) => format!("{}; {n}", self.notice),
            None => self.notice.clone(),
        });
        Ok(r)
    }
}

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
            terms: Terms(r.terms.into_iter().collect()),
            notice: r.notices.into_iter().next(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_char_ranges_become_byte_ranges() {
        let r = char_to_byte("äb keys", std::slice::from_ref(&(3..7)));
        assert_eq!(r.first(), Some(&(4..8)));
        let t = Terms(["key".to_string()].into());
        assert_eq!(
            t.ranges("Keys, key."),
            vec![0..4, 6..9],
            "whole words by their stem"
        );
    }

    #[test]
    fn a_library_in_memory_is_searched_by_the_index() {
        let lib = memory_library(
            "kb",
            &[
                (
                    "a.md",
                    "# Rotate keys\n\nRun the rotation.\n\n## Check\n\nAll good.\n",
                ),
                ("b.md", "# Backups\n\nNothing about keys here.\n"),
            ],
        );
        let s = IndexSearcher(memory_index(&lib).expect("indexed"));
        let r = s.search("rotat", 10).expect("searched");
        assert_eq!(r.pages.len(), 1, "{r:?}");
        assert_eq!(r.pages[0].path, "a.md");
        let noticed = WithNotice {
            searcher: s,
            notice: "search index: gone".into(),
        };
        let r = noticed.search("keys", 10).expect("searched");
        assert_eq!(r.pages.len(), 2);
        assert_eq!(r.notice.as_deref(), Some("search index: gone"));
    }
}
