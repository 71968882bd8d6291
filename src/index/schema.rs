//! The tantivy schema and the text analyzers: one document per section of a page.

use rustc_hash::FxHashMap;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Bumped whenever the schema, the analyzers or what goes into a field changes; an index
/// with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// Terms longer than this many bytes (base64 blobs, hashes) are not indexed.
pub const MAX_TERM_BYTES: usize = 40;

/// English: lower case, ASCII folding, Snowball stemming.
pub const STEMMED: &str = "ken_en";
/// The same without stemming: the vocabulary that prefixes and typos are expanded against.
pub const PLAIN: &str = "ken_plain";

/// The fields, by name.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `source` + NUL + `path`: one term per page, to delete all its sections at once.
    pub page: Field,
    /// A hash of `page`, as a fast field: hits are grouped by page without reading them.
    pub page_id: Field,
    pub source: Field,
    pub path: Field,
    pub title: Field,
    /// The heading path ("Install › Keys"), indexed; the section's own heading is `section`.
    pub heading: Field,
    pub section: Field,
    pub anchor: Field,
    pub body: Field,
    pub code: Field,
    /// Unstemmed words of title, headings and body, for prefix and typo expansion.
    pub words: Field,
    /// Front-matter facts as `key=value` terms (lower case).
    pub meta: Field,
    /// The section's position in its page.
    pub ord: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(STEMMED)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { o.set_stored() } else { o }
    };
    let page = b.add_text_field("page", STRING);
    let page_id = b.add_u64_field("page_id", FAST);
    let source = b.add_text_field("source", STRING | STORED);
    let path = b.add_text_field("path", text(true));
    let title = b.add_text_field("title", text(true));
    let heading = b.add_text_field("heading", text(true));
    let section = b.add_text_field("section", STORED);
    let anchor = b.add_text_field("anchor", STORED);
    let body = b.add_text_field("body", text(true));
    let code = b.add_text_field("code", text(true));
    let words = b.add_text_field(
        "words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(PLAIN)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let meta = b.add_text_field("meta", STRING);
    let ord = b.add_u64_field("ord", INDEXED | STORED);
    (
        b.build(),
        Fields {
            page,
            page_id,
            source,
            path,
            title,
            heading,
            section,
            anchor,
            body,
            code,
            words,
            meta,
            ord,
        },
    )
}

pub fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// Words remembered by one [`CachedStemmer`] before it forgets them all.
const STEM_CACHE: usize = 100_000;

/// Snowball English stemming, remembering each word's stem: the same few thousand words make
/// up most of any text, and stemming was a fifth of the time of a full build.
#[derive(Clone, Copy)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            cache: FxHashMap::default(),
        }
    }
}

pub struct CachedStemmerFilter<T> {
    inner: T,
    cache: FxHashMap<String, String>,
}

impl<T: Clone> Clone for CachedStemmerFilter<T> {
    /// A clone (one per indexing thread) starts with an empty cache.
    fn clone(&self) -> Self {
        CachedStemmerFilter {
            inner: self.inner.clone(),
            cache: FxHashMap::default(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.cache.len() > STEM_CACHE {
            self.cache.clear();
        }
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            cache: &mut self.cache,
        }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: frostem::Stemmer,
    cache: &'a mut FxHashMap<String, String>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.cache.get(&token.text) {
            Some(stem) => {
                token.text.clear();
                token.text.push_str(stem);
            }
            None => {
                let stem = self.stemmer.stem(&token.text).into_owned();
                self.cache
                    .insert(std::mem::take(&mut token.text), stem.clone());
                token.text = stem;
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

pub fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub fn register(manager: &TokenizerManager) {
    manager.register(STEMMED, stemmed());
    manager.register(PLAIN, plain());
}

/// The terms an analyzer makes of a text.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// A front-matter key or value as it is indexed and queried: lower case, ASCII folded.
pub fn meta_term(key: &str, value: &str) -> String {
    thread_local! {
        static PLAIN: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(plain());
    }
    let fold = |s: &str| -> String {
        let t = PLAIN.with(|a| terms(&mut a.borrow_mut(), s));
        if t.is_empty() {
            s.trim().to_lowercase()
        } else {
            t.join(" ")
        }
    };
    format!("{}={}", key.trim().to_lowercase(), fold(value))
}
