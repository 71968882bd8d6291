//! Turning a parsed query into a tantivy query, running it, and grouping the hits by page.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyDocument};

use super::query::{self, Clause, Kind};
use super::schema::{self, Fields};
use super::snippet::{self, Snippet};
use super::{IndexError, SearchIndex};

/// Boosts: a title match beats a heading match beats a path match beats a body match.
const TITLE_BOOST: f32 = 4.0;
const HEADING_BOOST: f32 = 2.5;
const PATH_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
const CODE_BOOST: f32 = 0.6;
/// Words found by typo tolerance count less than the words typed.
const FUZZY_WEIGHT: f32 = 0.6;
/// Words found by a prefix count a little less than the prefix as a whole word.
const PREFIX_WEIGHT: f32 = 0.8;
/// Most words a prefix or a typo expands to (the most frequent are kept).
const MAX_PREFIX_EXPANSIONS: usize = 50;
const MAX_FUZZY_EXPANSIONS: usize = 12;

/// How to search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Most pages returned.
    pub limit: usize,
    /// Most sections shown per page.
    pub sections_per_page: usize,
    /// Search-as-you-type: the last word, not yet followed by a space, is a prefix.
    pub as_you_type: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            sections_per_page: 3,
            as_you_type: false,
        }
    }
}

/// What a search may know beyond the index: each page's last change (Unix seconds, by
/// [`build::page_key`](super::page_key)), for the `changed:` filter and for sorting by it.
/// The dates live in the history (`crate::history`), not in the index, so `--author-date` or
/// a new `.git-blame-ignore-revs` changes them without re-indexing.
#[derive(Debug, Clone, Default)]
pub struct Dates {
    pub by_page: std::collections::HashMap<String, i64>,
    /// "Now", for `changed:<30d`.
    pub now: i64,
}

/// The order of the pages found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Best match first (the default).
    #[default]
    Relevance,
    /// Most recently changed first (`--sort changed`, or `sort:changed` in the query); pages
    /// whose date is unknown come last.
    Changed,
}

/// Lifecycle weights: a standard's Draft, Deprecated or Rejected version ranks below its
/// Stable version when both match equally well (`status` is in the `meta` field as
/// `status=<value>`).
const LIFECYCLE_WEIGHTS: [(&str, f32); 4] = [
    ("status=draft", 0.95),
    ("status=proposal", 0.95),
    ("status=deprecated", 0.9),
    ("status=rejected", 0.9),
];

/// Most sections looked at when pages are sorted by their last change.
const SORTED_HITS: usize = 2000;

/// One matching section.
#[derive(Debug, Clone, Serialize)]
pub struct SectionHit {
    /// The section's heading; empty for the text before the first heading.
    pub section: String,
    /// The headings above it and it ("Install › Keys").
    pub heading_path: String,
    /// The anchor to scroll to; empty for the top of the page.
    pub anchor: String,
    pub score: f32,
    pub snippet: Snippet,
}

/// One matching page with its best sections, best first.
#[derive(Debug, Clone, Serialize)]
pub struct PageHits {
    pub title: String,
    pub source: String,
    pub path: String,
    /// The best section's score.
    pub score: f32,
    pub sections: Vec<SectionHit>,
}

/// The answer to a query.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Results {
    pub pages: Vec<PageHits>,
    /// Lines for the user: partial matches, typo corrections, lenient parsing.
    pub notices: Vec<String>,
    /// No section had every word; these are the best partial matches.
    pub partial: bool,
    /// The stemmed terms that matched (including prefix and typo expansions), for
    /// highlighting the words in the opened page with [`snippet::highlight_ranges`].
    pub terms: Vec<String>,
}

impl SearchIndex {
    /// Searches. Never panics on any query text; an empty query is an [`IndexError::Query`].
    pub fn search(&self, text: &str, opts: &SearchOptions) -> Result<Results, IndexError> {
        self.search_with(text, opts, None, Order::Relevance)
    }

    /// [`search`](Self::search) with the pages' dates, which `changed:<30d` / `changed:>1y`
    /// and [`Order::Changed`] (also `sort:changed` in the query) need; without them those
    /// clauses are dropped with a notice.
    pub fn search_with(
        &self,
        text: &str,
        opts: &SearchOptions,
        dates: Option<&Dates>,
        order: Order,
    ) -> Result<Results, IndexError> {
        let parsed = query::parse(text, opts.as_you_type);
        let searcher = self.reader.searcher();
        let mut b = Builder {
            searcher: &searcher,
            f: self.fields,
            stem: schema::stemmed(),
            plain: schema::plain(),
            highlight: HashSet::new(),
            notices: parsed.notices.clone(),
            dates,
            order,
        };
        let mut positives: Vec<Box<dyn Query>> = Vec::new();
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let mut negatives: Vec<Box<dyn Query>> = Vec::new();
        for c in &parsed.clauses {
            let (q, is_filter) = b.clause(c).map_err(|e| self.err(e))?;
            let Some(q) = q else { continue };
            if c.negated {
                negatives.push(q);
            } else if is_filter {
                filters.push(q);
            } else {
                positives.push(q);
            }
        }
        if positives.is_empty() && filters.is_empty() {
            if negatives.is_empty() {
                return Err(IndexError::Query(
                    "nothing to search for: type some words".into(),
                ));
            }
            filters.push(Box::new(AllQuery));
        }
        let order = b.order;
        let limit = opts.limit.max(1);
        let want = match order {
            Order::Relevance => (limit * 4).clamp(20, 400),
            Order::Changed => SORTED_HITS,
        };
        let compose = |must_all: bool| -> BooleanQuery {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            if must_all {
                clauses.extend(positives.iter().map(|q| (Occur::Must, q.box_clone())));
            } else {
                let any = BooleanQuery::union(positives.iter().map(|q| q.box_clone()).collect());
                clauses.push((Occur::Must, Box::new(any)));
            }
            clauses.extend(filters.iter().map(|q| (Occur::Must, q.box_clone())));
            clauses.extend(negatives.iter().map(|q| (Occur::MustNot, q.box_clone())));
            BooleanQuery::new(clauses)
        };
        let meta = self.fields.meta;
        let collector = TopDocs::with_limit(want).tweak_score(move |seg: &SegmentReader| {
            let weights = lifecycle_weights(seg, meta);
            move |doc: DocId, score: Score| score * weights.get(&doc).copied().unwrap_or(1.0)
        });
        let mut top = searcher
            .search(&compose(true), &collector)
            .map_err(|e| self.err(e))?;
        let mut results = Results::default();
        if top.is_empty() && positives.len() > 1 {
            top = searcher
                .search(&compose(false), &collector)
                .map_err(|e| self.err(e))?;
            if !top.is_empty() {
                results.partial = true;
                b.notices.push(
                    "no section has every word; showing the best partial matches".to_string(),
                );
            }
        }
        // Group by page, best first.
        // Group by page, best first. The page of a hit comes from a fast field, so only the
        // hits that are shown are read from the document store.
        let f = self.fields;
        let text = |d: &TantivyDocument, field: Field| -> String {
            d.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let mut columns: BTreeMap<u32, tantivy::columnar::Column<u64>> = BTreeMap::new();
        let mut pages_order: Vec<u64> = Vec::new();
        let mut kept: BTreeMap<u64, Vec<(f32, tantivy::DocAddress)>> = BTreeMap::new();
        for (score, addr) in top {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .u64("page_id")
                        .map_err(|e| self.err(e))?,
                ),
            };
            let key = column.first(addr.doc_id).unwrap_or_default();
            match kept.get_mut(&key) {
                Some(hits) if hits.len() < opts.sections_per_page.max(1) => {
                    hits.push((score, addr));
                }
                Some(_) => {}
                None if pages_order.len() < limit || order == Order::Changed => {
                    pages_order.push(key);
                    kept.insert(key, vec![(score, addr)]);
                }
                None => {}
            }
        }
        if order == Order::Changed {
            // The pages' dates by page id, then newest first; equal dates keep relevance.
            let by_id: std::collections::HashMap<u64, i64> = b
                .dates
                .map(|d| {
                    d.by_page
                        .iter()
                        .map(|(k, t)| (super::build::page_id_of_key(k), *t))
                        .collect()
                })
                .unwrap_or_default();
            pages_order
                .sort_by_key(|k| std::cmp::Reverse(by_id.get(k).copied().unwrap_or(i64::MIN)));
            pages_order.truncate(limit);
        }
        let mut pages: BTreeMap<u64, (PageHits, Vec<(f32, TantivyDocument)>)> = BTreeMap::new();
        for key in &pages_order {
            let Some(hits) = kept.remove(key) else {
                continue;
            };
            let mut docs = Vec::with_capacity(hits.len());
            for (score, addr) in hits {
                let doc: TantivyDocument = searcher.doc(addr).map_err(|e| self.err(e))?;
                docs.push((score, doc));
            }
            let Some((score, first)) = docs.first() else {
                continue;
            };
            let page = PageHits {
                title: text(first, f.title),
                source: text(first, f.source),
                path: text(first, f.path),
                score: *score,
                sections: Vec::new(),
            };
            pages.insert(*key, (page, docs));
        }
        for key in pages_order {
            let Some((mut page, docs)) = pages.remove(&key) else {
                continue;
            };
            for (score, d) in docs {
                let body = text(&d, f.body);
                let mut snip = snippet::make(&body, &b.highlight, snippet::SNIPPET_CHARS);
                if snip.highlights.is_empty() {
                    let code = text(&d, f.code);
                    let c = snippet::make(&code, &b.highlight, snippet::SNIPPET_CHARS);
                    if !c.highlights.is_empty() || body.trim().is_empty() {
                        snip = c;
                    }
                }
                page.sections.push(SectionHit {
                    section: text(&d, f.section),
                    heading_path: text(&d, f.heading),
                    anchor: text(&d, f.anchor),
                    score,
                    snippet: snip,
                });
            }
            results.pages.push(page);
        }
        let mut terms: Vec<String> = b.highlight.into_iter().collect();
        terms.sort();
        results.terms = terms;
        results.notices = b.notices;
        Ok(results)
    }
}

struct Builder<'a> {
    searcher: &'a Searcher,
    f: Fields,
    stem: TextAnalyzer,
    plain: TextAnalyzer,
    highlight: HashSet<String>,
    notices: Vec<String>,
    dates: Option<&'a Dates>,
    order: Order,
}

/// The lifecycle weight of each section of a segment that has one (Draft, Deprecated and
/// Rejected standards); every other section weighs 1.
fn lifecycle_weights(seg: &SegmentReader, meta: Field) -> rustc_hash::FxHashMap<DocId, f32> {
    let mut out = rustc_hash::FxHashMap::default();
    let Ok(inv) = seg.inverted_index(meta) else {
        return out;
    };
    for (term, weight) in LIFECYCLE_WEIGHTS {
        let term = Term::from_field_text(meta, term);
        let Ok(Some(mut postings)) = inv.read_postings(&term, IndexRecordOption::Basic) else {
            continue;
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            out.insert(doc, weight);
            doc = postings.advance();
        }
    }
    out
}

/// `changed:<30d` (changed within the last 30 days) or `changed:>1y` (not changed for over a
/// year): the bound and whether the page must be newer than it.
fn changed_bound(text: &str, now: i64) -> Option<(i64, bool)> {
    let text = text.trim();
    let (newer, rest) = match text.chars().next()? {
        '<' => (true, &text[1..]),
        '>' => (false, &text[1..]),
        _ => return None,
    };
    let d = humantime::parse_duration(rest.trim()).ok()?;
    Some((now.saturating_sub(d.as_secs() as i64), newer))
}

type Built = (Option<Box<dyn Query>>, bool);

impl Builder<'_> {
    /// The query for one clause, and whether it is a filter (kept when falling back to
    /// partial matches).
    fn clause(&mut self, c: &Clause) -> tantivy::Result<Built> {
        let f = self.f;
        let default = [
            (f.title, TITLE_BOOST),
            (f.heading, HEADING_BOOST),
            (f.path, PATH_BOOST),
            (f.body, BODY_BOOST),
            (f.code, CODE_BOOST),
        ];
        let Some(name) = c.field.as_deref() else {
            return Ok((self.text(c, &default, Some(f.words))?, false));
        };
        let fields: &[(Field, f32)] = match name {
            "title" => &[(f.title, 1.0)],
            "path" => &[(f.path, 1.0)],
            "heading" | "section" => &[(f.heading, 1.0)],
            "body" => &[(f.body, 1.0)],
            "code" => &[(f.code, 1.0)],
            "changed" => {
                let Some(dates) = self.dates else {
                    self.notices.push(format!(
                        "“changed:{}” needs the pages' dates, which this search does not have; it was left out",
                        c.text
                    ));
                    return Ok((None, true));
                };
                let Some((bound, newer)) = changed_bound(&c.text, dates.now) else {
                    self.notices.push(format!(
                        "“changed:{}” was left out: write changed:<30d (changed in the last 30 days) or changed:>1y (not for a year)",
                        c.text
                    ));
                    return Ok((None, true));
                };
                let terms = dates
                    .by_page
                    .iter()
                    .filter(|(_, t)| if newer { **t > bound } else { **t < bound })
                    .map(|(k, _)| Term::from_field_text(f.page, k));
                let q: Box<dyn Query> = Box::new(TermSetQuery::new(terms));
                return Ok((Some(q), true));
            }
            "sort" if c.text.trim().eq_ignore_ascii_case("changed") => {
                self.order = Order::Changed;
                return Ok((None, true));
            }
            "source" => {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(f.source, c.text.trim()),
                    IndexRecordOption::Basic,
                ));
                return Ok((Some(q), true));
            }
            key => {
                if self.meta_key_known(key)? {
                    return Ok((Some(self.meta(key, c)?), true));
                }
                self.notices.push(format!(
                    "no page has a front-matter field {key:?}; “{key}:{}” was searched as words",
                    c.text
                ));
                let words = Clause {
                    field: None,
                    text: format!("{key}:{}", c.text),
                    kind: Kind::Phrase,
                    negated: c.negated,
                };
                return Ok((self.text(&words, &default, Some(f.words))?, false));
            }
        };
        let vocabulary = match name {
            "title" | "heading" | "section" | "body" => Some(f.words),
            _ => None,
        };
        Ok((self.text(c, fields, vocabulary)?, true))
    }

    /// A word, prefix or phrase over text fields. `vocabulary` is the unstemmed field that
    /// prefixes and typos are expanded against (else the first field's own terms).
    fn text(
        &mut self,
        c: &Clause,
        fields: &[(Field, f32)],
        vocabulary: Option<Field>,
    ) -> tantivy::Result<Option<Box<dyn Query>>> {
        let stems = schema::terms(&mut self.stem, &c.text);
        if stems.is_empty() {
            return Ok(None);
        }
        if stems.len() > 1 {
            // A phrase, or a word with inner punctuation ("scs-0100").
            if !c.negated {
                self.highlight.extend(stems.iter().cloned());
            }
            let mut should: Vec<Box<dyn Query>> = Vec::new();
            for (field, boost) in fields {
                let terms: Vec<Term> = stems
                    .iter()
                    .map(|s| Term::from_field_text(*field, s))
                    .collect();
                should.push(Box::new(BoostQuery::new(
                    Box::new(PhraseQuery::new(terms)),
                    *boost,
                )));
            }
            return Ok(Some(Box::new(BooleanQuery::union(should))));
        }
        let stem = stems[0].clone();
        let plain = schema::terms(&mut self.plain, &c.text)
            .into_iter()
            .next()
            .unwrap_or_else(|| stem.clone());
        let mut weighted: Vec<(String, f32)> = vec![(stem.clone(), 1.0)];
        match c.kind {
            Kind::Prefix => {
                let field = vocabulary.unwrap_or(fields[0].0);
                let stemmed_vocabulary = vocabulary.is_none();
                for w in self.expand_prefix(field, &plain)? {
                    let s = if stemmed_vocabulary {
                        w
                    } else {
                        schema::terms(&mut self.stem, &w)
                            .into_iter()
                            .next()
                            .unwrap_or(w)
                    };
                    if !weighted.iter().any(|(x, _)| *x == s) {
                        weighted.push((s, PREFIX_WEIGHT));
                    }
                }
            }
            Kind::Word if !c.negated && plain.chars().count() >= 4 => {
                let found = fields.iter().try_fold(0u64, |n, (field, _)| {
                    self.searcher
                        .doc_freq(&Term::from_field_text(*field, &stem))
                        .map(|d| n + d)
                })?;
                if found == 0
                    && let Some(vocab) = vocabulary
                {
                    {
                        let distance = if plain.chars().count() >= 8 { 2 } else { 1 };
                        let similar = self.expand_fuzzy(vocab, &plain, distance)?;
                        if !similar.is_empty() {
                            self.notices.push(format!(
                                "no page has “{}”; showing similar words: {}",
                                c.text,
                                similar.join(", ")
                            ));
                        }
                        for w in similar {
                            if let Some(s) = schema::terms(&mut self.stem, &w).into_iter().next()
                                && !weighted.iter().any(|(x, _)| *x == s)
                            {
                                weighted.push((s, FUZZY_WEIGHT));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        if !c.negated {
            self.highlight
                .extend(weighted.iter().map(|(s, _)| s.clone()));
        }
        let mut should: Vec<Box<dyn Query>> = Vec::new();
        for (s, w) in &weighted {
            for (field, boost) in fields {
                should.push(Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(*field, s),
                        IndexRecordOption::WithFreqs,
                    )),
                    boost * w,
                )));
            }
        }
        Ok(Some(Box::new(BooleanQuery::union(should))))
    }

    /// Words of a field starting with `prefix`, the most frequent first.
    fn expand_prefix(&self, field: Field, prefix: &str) -> tantivy::Result<Vec<String>> {
        let mut found: BTreeMap<String, u64> = BTreeMap::new();
        for seg in self.searcher.segment_readers() {
            let inv = seg.inverted_index(field)?;
            let mut stream = inv.terms().range().ge(prefix.as_bytes()).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(k) = std::str::from_utf8(key) {
                    *found.entry(k.to_string()).or_default() += stream.value().doc_freq as u64;
                }
            }
        }
        Ok(most_frequent(found, MAX_PREFIX_EXPANSIONS))
    }

    /// Words of a field within `distance` edits of `word` (a swap of two letters is one).
    fn expand_fuzzy(&self, field: Field, word: &str, distance: u8) -> tantivy::Result<Vec<String>> {
        let automaton =
            FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true).automaton()?;
        let mut found: BTreeMap<String, u64> = BTreeMap::new();
        for seg in self.searcher.segment_readers() {
            let inv = seg.inverted_index(field)?;
            let mut stream = inv.terms().search(&automaton).into_stream()?;
            while stream.advance() {
                if let Ok(k) = std::str::from_utf8(stream.key()) {
                    *found.entry(k.to_string()).or_default() += stream.value().doc_freq as u64;
                }
            }
        }
        Ok(most_frequent(found, MAX_FUZZY_EXPANSIONS))
    }

    fn meta_key_known(&self, key: &str) -> tantivy::Result<bool> {
        let prefix = format!("{}=", key.to_lowercase());
        for seg in self.searcher.segment_readers() {
            let inv = seg.inverted_index(self.f.meta)?;
            let mut stream = inv.terms().range().ge(prefix.as_bytes()).into_stream()?;
            if stream.advance() && stream.key().starts_with(prefix.as_bytes()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn meta(&self, key: &str, c: &Clause) -> tantivy::Result<Box<dyn Query>> {
        let term = schema::meta_term(key, &c.text);
        let terms: Vec<String> = if c.kind == Kind::Prefix {
            self.expand_prefix(self.f.meta, &term)?
        } else {
            vec![term]
        };
        if terms.is_empty() {
            return Ok(Box::new(EmptyQuery));
        }
        let should: Vec<Box<dyn Query>> = terms
            .iter()
            .map(|t| -> Box<dyn Query> {
                Box::new(TermQuery::new(
                    Term::from_field_text(self.f.meta, t),
                    IndexRecordOption::Basic,
                ))
            })
            .collect();
        Ok(Box::new(BooleanQuery::union(should)))
    }
}

fn most_frequent(found: BTreeMap<String, u64>, n: usize) -> Vec<String> {
    let mut v: Vec<(String, u64)> = found.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v.into_iter().map(|(k, _)| k).collect()
}
