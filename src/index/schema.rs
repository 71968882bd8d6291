//! The tantivy schema and the text analyzers: one document per section of a page.

use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenizerManager,
};

/// Bumped whenever the schema, the analyzers or what goes into a field changes; an index
/// with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

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
        .filter(Stemmer::new(Language::English))
        .build()
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
