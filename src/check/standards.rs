//! Front-matter rules for every document and the SCS standards rules of scs-0001 for
//! `scs-*.md` files: file name and slug, the allowed `type`/`status`/`track` values, the
//! dates each status requires, `replaces`/`replaced_by`/`supplements`, unknown keys and
//! required sections, and across the documents of one folder, duplicates and targets.
//!
//! Everything `Tests/chk_adrs.py` of the standards repository reports is reported here too
//! (a corpus test runs both), with the line and column of the offending key or value. Values
//! are read with serde_norway (as the rest of ken reads front matter); positions come from
//! saphyr-parser's event spans, because serde's data model has no positions.

use std::collections::{BTreeMap, HashMap, HashSet};

use saphyr_parser::{Event, Parser, Span};
use serde_json::Value;

use super::*;

/// One document to check: its path in the source and its text as stored (BOM included).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// The scs-0001 values, in the order scs-0001 lists them.
const TYPES: &[&str] = &["Procedural", "Standard", "Decision Record"];
const STATUSES: &[&str] = &["Draft", "Stable", "Deprecated", "Rejected"];
/// Index = the second digit of the document number.
const TRACKS: &[&str] = &["Global", "IaaS", "KaaS", "IAM", "Ops", "Scopes"];
const DATES: &[&str] = &["deprecated_at", "stabilized_at", "rejected_at"];

/// Fields scs-0001 defines, and the Docusaurus doc fields the site reads.
const KNOWN_KEYS: &[&str] = &[
    "type",
    "status",
    "track",
    "supplements",
    "deprecated_at",
    "stabilized_at",
    "rejected_at",
    "replaced_by",
    "replaces",
    // Docusaurus (plugin-content-docs front matter).
    "title",
    "description",
    "id",
    "slug",
    "keywords",
    "tags",
    "image",
    "sidebar_label",
    "sidebar_position",
    "sidebar_class_name",
    "sidebar_custom_props",
    "displayed_sidebar",
    "hide_title",
    "hide_table_of_contents",
    "toc_min_heading_level",
    "toc_max_heading_level",
    "pagination_label",
    "pagination_next",
    "pagination_prev",
    "parse_number_prefixes",
    "custom_edit_url",
    "draft",
    "unlisted",
    "last_update",
];

/// Runs every rule of this file over `docs`: the front-matter rules on each document, the
/// standards rules on each `scs-*.md`, and the cross-document rules within each folder.
pub fn check(docs: &[Input]) -> Vec<Finding> {
    check_among(docs, &[])
}

/// [`check`] over `docs` when the folders they are in also hold the standards `unread`
/// (their paths, as the findings name files), which were not read: each of those counts as
/// a document next to the others (for `replaces`, `replaced_by` and `supplements`), and
/// nothing more. That is all the rules ask of a standard they do not report on, unless it
/// could be a generated page or shares a number with one reported on ([`needed`] says
/// which must be read).
pub fn check_among(docs: &[Input], unread: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut folders: BTreeMap<&str, Vec<Standard>> = BTreeMap::new();
    for doc in docs {
        let front = FrontMatter::read(doc, &mut out);
        let (folder, name) = split_path(doc.path);
        // A standards document is an `scs-*.md` file, except the pages a site generates
        // from them (`standards/iaas/scs-0100.md`: two parts and no front matter).
        let generated = name.matches('-').count() < 2 && !front.present;
        if is_standard_name(doc.path) && !generated {
            let parsed = parse_name(doc.path, name, &mut out);
            folders.entry(folder).or_default().push(Standard {
                path: doc.path,
                name,
                parsed,
                front,
            });
        }
    }
    let mut unread_in: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for path in unread {
        let (folder, name) = split_path(path);
        unread_in.entry(folder).or_default().push(name);
    }
    for (folder, docs) in &folders {
        let mut names: HashSet<&str> = docs.iter().map(|d| d.name).collect();
        names.extend(unread_in.get(folder).into_iter().flatten().copied());
        for d in docs {
            d.check(&names, &mut out);
        }
        duplicates(docs, &mut out);
    }
    out
}

/// The folders and numbers of some standards, `folder/name` paths ([`needed`] asks them).
pub struct Numbers(HashSet<(String, String)>);

impl Numbers {
    pub fn of<'a>(paths: impl IntoIterator<Item = &'a str>) -> Numbers {
        Numbers(
            paths
                .into_iter()
                .filter_map(|p| Some((split_path(p).0.to_string(), number(p)?)))
                .collect(),
        )
    }
}

/// The document number of a standard's name with the four parts of `scs-XXXX-vN-slug.md`,
/// as the duplicate rules compare it.
fn number(path: &str) -> Option<String> {
    let stem = split_path(path).1.strip_suffix(".md")?;
    let parts: Vec<&str> = stem.splitn(4, '-').collect();
    (parts.len() == 4).then(|| parts[1].to_lowercase())
}

/// Whether the standard `path` must be read for the rules to judge the standards `reported`
/// of its folder exactly (see [`check_among`]): a name with fewer than two `-` may be a
/// generated page, which only its text tells, and a standard with the number of one
/// reported on takes part in that one's duplicate rules with its front matter. Both take
/// `folder/name` paths.
pub fn needed(path: &str, reported: &Numbers) -> bool {
    let (folder, name) = split_path(path);
    if name.matches('-').count() < 2 {
        return true;
    }
    number(path).is_some_and(|n| reported.0.contains(&(folder.to_string(), n)))
}

/// Whether the file at `path` is named as a standard (`scs-*.md`): only those take part in
/// the rules that compare the documents of a folder.
pub fn is_standard_name(path: &str) -> bool {
    let name = split_path(path).1;
    name.starts_with("scs-") && name.ends_with(".md")
}

fn split_path(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", path),
    }
}

/// Where a field's key and value are, and (for a list) each item.
#[derive(Debug, Clone, Default)]
struct Field {
    key: Pos,
    value: Pos,
    items: Vec<Pos>,
}

/// A document's front matter: its fields and where each one is.
#[derive(Debug, Default)]
struct FrontMatter {
    /// False when the document has no front matter block (or an unclosed one).
    present: bool,
    /// True when a block was opened on line 1 but never closed.
    unclosed: bool,
    /// The fields, when the block is valid YAML and a mapping (or empty).
    fields: Option<serde_json::Map<String, Value>>,
    at: HashMap<String, Field>,
    /// The first line after the closing `---`.
    body_line: usize,
    body: String,
}

impl FrontMatter {
    /// Reads the front matter of `doc`, reporting a BOM, YAML that does not parse and a
    /// front matter that is not a mapping.
    fn read(doc: &Input, out: &mut Vec<Finding>) -> FrontMatter {
        let text = match doc.text.strip_prefix('\u{feff}') {
            Some(rest) => {
                if rest.starts_with("---") {
                    out.push(Finding::new(
                        FM_BOM,
                        doc.path,
                        Pos::START,
                        "a byte-order mark (U+FEFF) comes before the front matter's `---`: save the file as UTF-8 without a BOM",
                    ));
                }
                rest
            }
            None => doc.text,
        };
        let (fm, body) = crate::corpus::split_front_matter(text);
        let Some(fm) = fm else {
            let unclosed = text.starts_with("---\n") || text.starts_with("---\r\n");
            return FrontMatter {
                unclosed,
                body_line: 1,
                body: text.to_string(),
                ..FrontMatter::default()
            };
        };
        // The block starts after the opening `---` line: YAML line 1 is file line 2. Section
        // findings point at the first line of text after the block.
        let blank = body.lines().take_while(|l| l.trim().is_empty()).count();
        let body_line = 2 + fm.lines().count() + 1 + blank;
        let mut front = FrontMatter {
            present: true,
            body_line,
            body: body.to_string(),
            ..FrontMatter::default()
        };
        match serde_norway::from_str::<Value>(fm) {
            Ok(Value::Object(map)) => {
                front.fields = Some(map);
                front.at = locate(fm);
            }
            Ok(Value::Null) => front.fields = Some(serde_json::Map::new()),
            Ok(other) => out.push(Finding::new(
                FM_NOT_MAPPING,
                doc.path,
                Pos::new(2, 1),
                format!(
                    "the front matter is a {} instead of `key: value` fields",
                    kind_of(&other)
                ),
            )),
            Err(e) => {
                let at = e
                    .location()
                    .map(|l| Pos::new(l.line() + 1, l.column()))
                    .unwrap_or(Pos::new(2, 1));
                out.push(Finding::new(
                    FM_INVALID_YAML,
                    doc.path,
                    at,
                    format!("the front matter is not valid YAML: {}", yaml_problem(&e)),
                ));
            }
        }
        front
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.fields.as_ref()?.get(key)
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Where the key is, or the start of the file when it is missing.
    fn key_at(&self, key: &str) -> Pos {
        self.at.get(key).map(|f| f.key).unwrap_or(Pos::START)
    }

    fn value_at(&self, key: &str) -> Pos {
        self.at.get(key).map(|f| f.value).unwrap_or(Pos::START)
    }

    fn item_at(&self, key: &str, i: usize) -> Pos {
        self.at
            .get(key)
            .and_then(|f| f.items.get(i).copied())
            .unwrap_or_else(|| self.value_at(key))
    }
}

/// serde_norway's message with its YAML line numbers turned into the file's (the block
/// starts on line 2).
fn yaml_problem(e: &serde_norway::Error) -> String {
    let msg = e.to_string();
    let first = msg.lines().next().unwrap_or_default();
    let mut out = String::with_capacity(first.len());
    let mut rest = first;
    while let Some(i) = rest.find("line ") {
        let (before, after) = rest.split_at(i + "line ".len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + 1).to_string()),
            Err(_) => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

/// A value as a writer would recognise it in a message.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// The positions of the top-level fields of a front-matter block (YAML line 1 = file line 2).
fn locate(fm: &str) -> HashMap<String, Field> {
    let mut at = HashMap::new();
    let mut events = Parser::new_from_str(fm).map_while(Result::ok);
    let pos = |s: &Span| Pos::new(s.start.line() + 1, s.start.col() + 1);
    // StreamStart, DocumentStart, then the mapping.
    loop {
        match events.next() {
            Some((Event::StreamStart | Event::DocumentStart(_), _)) => continue,
            Some((Event::MappingStart(..), _)) => break,
            _ => return at,
        }
    }
    loop {
        let Some((key_event, key_span)) = events.next() else {
            return at;
        };
        let key = match key_event {
            Event::MappingEnd => return at,
            Event::Scalar(k, ..) => Some(k.into_owned()),
            other => {
                skip_node(&other, &mut events);
                None
            }
        };
        let Some((value_event, value_span)) = events.next() else {
            return at;
        };
        let mut field = Field {
            key: pos(&key_span),
            value: pos(&value_span),
            items: Vec::new(),
        };
        match value_event {
            Event::SequenceStart(..) => loop {
                match events.next() {
                    None | Some((Event::SequenceEnd, _)) => break,
                    Some((item, span)) => {
                        field.items.push(pos(&span));
                        skip_node(&item, &mut events);
                    }
                }
            },
            other => skip_node(&other, &mut events),
        }
        if let Some(key) = key {
            at.entry(key).or_insert(field);
        }
    }
}

/// Consumes the rest of a node whose first event was `first`.
fn skip_node<'a>(first: &Event<'a>, events: &mut impl Iterator<Item = (Event<'a>, Span)>) {
    if !matches!(first, Event::SequenceStart(..) | Event::MappingStart(..)) {
        return;
    }
    let mut depth = 1usize;
    for (e, _) in events.by_ref() {
        match e {
            Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
            Event::SequenceEnd | Event::MappingEnd => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

/// What a standards file name says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Name<'a> {
    /// `0100`, or `xxxx`/`XXXX` for a proposal or template.
    number: &'a str,
    kind: Kind,
    /// The major version; `None` for the templates' `N`.
    version: Option<u64>,
    slug: String,
    /// `scs-0100-v1-`: what must be unique.
    prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `-vN-`: Procedural, Standard or Decision Record.
    Primary,
    /// `-wN-`: a Supplement.
    Supplement,
    /// The version part is neither: no type-specific rules apply.
    Unknown,
}

/// Parses and checks the file name (chk_adrs `check_name`, plus the slug rules).
fn parse_name<'a>(path: &str, file: &'a str, out: &mut Vec<Finding>) -> Option<Name<'a>> {
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() < 4 {
        out.push(Finding::new(
            STD_FILE_NAME,
            path,
            Pos::START,
            format!(
                "the file name {:?} needs at least four parts separated by '-': scs-XXXX-vN-slug.md",
                file
            ),
        ));
        return None;
    }
    let (number, version) = (parts[1], parts[2]);
    let number_ok = number.len() == 4
        && (number.bytes().all(|b| b.is_ascii_digit()) || number.eq_ignore_ascii_case("xxxx"));
    if !number_ok {
        out.push(Finding::new(
            STD_FILE_NAME,
            path,
            Pos::START,
            format!(
                "the document number {number:?} must be four digits (zero-padded, such as 0100), or xxxx for a proposal"
            ),
        ));
    }
    let kind = match version.as_bytes().first() {
        Some(b'v') => Kind::Primary,
        Some(b'w') => Kind::Supplement,
        _ => Kind::Unknown,
    };
    let digits = version.get(1..).unwrap_or_default();
    let numeric = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let version_no = if numeric { digits.parse().ok() } else { None };
    let template = digits.eq_ignore_ascii_case("n");
    if kind == Kind::Unknown || !(numeric || template) {
        out.push(Finding::new(
            STD_FILE_NAME,
            path,
            Pos::START,
            format!(
                "the version {version:?} must be v followed by the major version (v1, v2, …), or w and a number for a supplement"
            ),
        ));
    } else if version_no == Some(0) {
        out.push(Finding::new(
            STD_FILE_NAME,
            path,
            Pos::START,
            format!("the version {version:?}: major versions start at 1"),
        ));
    } else if number.eq_ignore_ascii_case("xxxx")
        && kind == Kind::Primary
        && numeric
        && version_no != Some(1)
    {
        out.push(Finding::new(
            STD_FILE_NAME,
            path,
            Pos::START,
            format!(
                "a proposal (number xxxx) has version v1, not {version}: a new major version keeps the number of the document it replaces"
            ),
        ));
    }
    let slug = parts[3..].join("-");
    check_slug(path, &slug, out);
    Some(Name {
        number,
        kind,
        version: version_no,
        prefix: format!("{}-{}-{}-", parts[0], number, version),
        slug,
    })
}

fn check_slug(path: &str, slug: &str, out: &mut Vec<Finding>) {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if slug.is_empty() || slug.starts_with('-') || !slug.chars().all(allowed) {
        let mut bad: Vec<String> = Vec::new();
        for c in slug.chars().filter(|&c| !allowed(c)) {
            let shown = format!("{c:?}");
            if !bad.contains(&shown) {
                bad.push(shown);
            }
        }
        let why = if slug.is_empty() {
            "is empty".to_string()
        } else if !bad.is_empty() {
            format!("has {}", bad.join(", "))
        } else {
            "starts with a hyphen".to_string()
        };
        let suggestion: String = slug
            .to_ascii_lowercase()
            .chars()
            .map(|c| if allowed(c) { c } else { '-' })
            .collect();
        let suggestion = suggestion
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let hint = if suggestion.is_empty() || suggestion == slug {
            String::new()
        } else {
            format!(
                " (such as {suggestion:?}; once accepted, the slug is part of the URL and must not change)"
            )
        };
        out.push(Finding::new(
            STD_SLUG,
            path,
            Pos::START,
            format!(
                "the slug {slug:?} {why}: use only lower-case ASCII letters, digits and hyphens{hint}"
            ),
        ));
        return;
    }
    let mut problems = Vec::new();
    if !slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        problems.push("should start with a letter");
    }
    if slug.contains("--") {
        problems.push("should not have consecutive hyphens");
    }
    if slug.ends_with('-') {
        problems.push("should not end with a hyphen");
    }
    if !problems.is_empty() {
        out.push(Finding::new(
            STD_SLUG_STYLE,
            path,
            Pos::START,
            format!("the slug {slug:?} {}", problems.join(" and ")),
        ));
    }
}

/// A standards document with its parsed front matter.
struct Standard<'a> {
    path: &'a str,
    name: &'a str,
    /// The parsed file name; `None` when it has fewer than four parts.
    parsed: Option<Name<'a>>,
    front: FrontMatter,
}

impl Standard<'_> {
    fn finding(&self, rule: RuleId, at: Pos, message: impl Into<String>) -> Finding {
        Finding::new(rule, self.path, at, message)
    }

    fn check(&self, names: &HashSet<&str>, out: &mut Vec<Finding>) {
        let name = self.parsed.as_ref();
        let front = &self.front;
        if front.fields.is_none() {
            if !front.present {
                let msg = if front.unclosed {
                    "the front matter opened by `---` on line 1 is never closed by a `---` line"
                } else {
                    "no front matter: start the file with a `---` block holding type, status and track"
                };
                out.push(self.finding(STD_NO_FRONT_MATTER, Pos::START, msg));
            }
            // Front matter that does not parse is reported as such; nothing more to check.
            return;
        }
        let kind = name.map(|n| n.kind).unwrap_or(Kind::Unknown);
        self.keys(out);
        match kind {
            Kind::Supplement => self.supplement(names, out),
            Kind::Primary => self.primary(name, names, out),
            Kind::Unknown => {}
        }
        self.track(name, out);
    }

    /// Unknown keys.
    fn keys(&self, out: &mut Vec<Finding>) {
        let Some(fields) = &self.front.fields else {
            return;
        };
        let mut unknown: Vec<&String> = fields
            .keys()
            .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
            .collect();
        unknown.sort_by_key(|k| self.front.key_at(k));
        for k in unknown {
            out.push(self.finding(
                STD_UNKNOWN_KEY,
                self.front.key_at(k),
                format!(
                    "scs-0001 does not define the field {k:?}: remove it, or move what it says into the text"
                ),
            ));
        }
    }

    /// `track`: required, one of the tracks, and matching the number's second digit.
    fn track(&self, name: Option<&Name>, out: &mut Vec<Finding>) {
        let front = &self.front;
        match front.get("track") {
            None => out.push(self.finding(
                STD_MISSING_KEY,
                Pos::START,
                format!("no `track` field: add one of {}", TRACKS.join(", ")),
            )),
            Some(v) => {
                let Some(i) = v.as_str().and_then(|s| TRACKS.iter().position(|t| *t == s)) else {
                    out.push(self.finding(
                        STD_TRACK_VALUE,
                        front.value_at("track"),
                        format!("track {} is not one of {}", shown(v), TRACKS.join(", ")),
                    ));
                    return;
                };
                let Some(name) = name else { return };
                let digit = name.number.as_bytes().get(1).copied();
                if let Some(d @ b'0'..=b'9') = digit
                    && name.number.len() == 4
                    && name.number.bytes().all(|b| b.is_ascii_digit())
                {
                    let expected = usize::from(d - b'0');
                    if expected != i {
                        let by_number = TRACKS
                            .get(expected)
                            .map(|t| format!("the {t} track"))
                            .unwrap_or_else(|| "no track".to_string());
                        out.push(self.finding(
                            STD_TRACK_NUMBER,
                            front.value_at("track"),
                            format!(
                                "track {} does not match the number {}: its second digit {} means {by_number} ({} would be x{i}xx)",
                                TRACKS[i],
                                name.number,
                                d as char,
                                TRACKS[i],
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// A `-wN-` file (chk_adrs `_check_front_matter_supplement`).
    fn supplement(&self, names: &HashSet<&str>, out: &mut Vec<Finding>) {
        let front = &self.front;
        match front.get("type") {
            Some(Value::String(t)) if t == "Supplement" => {}
            None => out.push(self.finding(
                STD_MISSING_KEY,
                Pos::START,
                "no `type` field: a -wN- file is a supplement, `type: Supplement`",
            )),
            Some(v) => out.push(self.finding(
                STD_TYPE_VALUE,
                front.value_at("type"),
                format!(
                    "type {}: a -wN- file is a supplement, `type: Supplement` (a {} is named -vN-)",
                    shown(v),
                    v.as_str().unwrap_or("document of another type")
                ),
            )),
        }
        if front.has("status") {
            out.push(self.finding(
                STD_SUPPLEMENT_STATUS,
                front.key_at("status"),
                "a supplement has no `status` (supplements stay Draft, and that is not recorded): remove the field",
            ));
        }
        match front.get("supplements") {
            None => out.push(self.finding(
                STD_SUPPLEMENTS_VALUE,
                Pos::START,
                "no `supplements` field: list the documents this supplement extends, such as `supplements: [scs-0100-v3-flavor-naming.md]`",
            )),
            Some(Value::Array(items)) if items.is_empty() => out.push(self.finding(
                STD_SUPPLEMENTS_VALUE,
                front.value_at("supplements"),
                "`supplements` lists no document: name the documents this supplement extends",
            )),
            Some(Value::Array(_)) => self.targets("supplements", names, out),
            Some(Value::String(s)) => {
                out.push(self.finding(
                    STD_SUPPLEMENTS_VALUE,
                    front.value_at("supplements"),
                    format!("`supplements` must be a list: write `supplements: [{s}]`"),
                ));
                self.targets("supplements", names, out);
            }
            Some(v) => out.push(self.finding(
                STD_SUPPLEMENTS_VALUE,
                front.value_at("supplements"),
                format!(
                    "`supplements` must be a list of documents, not a {}",
                    kind_of(v)
                ),
            )),
        }
    }

    /// A `-vN-` file (chk_adrs `check_front_matter`), plus sections.
    fn primary(&self, name: Option<&Name>, names: &HashSet<&str>, out: &mut Vec<Finding>) {
        let front = &self.front;
        let typ = front.get("type");
        match typ {
            None => out.push(self.finding(
                STD_MISSING_KEY,
                Pos::START,
                format!("no `type` field: add one of {}", TYPES.join(", ")),
            )),
            Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
            Some(Value::String(t)) if t == "Supplement" => out.push(self.finding(
                STD_TYPE_VALUE,
                front.value_at("type"),
                "type \"Supplement\" in a -vN- file: a supplement's file name uses -wN- (and the number of the document it extends)",
            )),
            Some(v) => out.push(self.finding(
                STD_TYPE_VALUE,
                front.value_at("type"),
                format!("type {} is not one of {}", shown(v), TYPES.join(", ")),
            )),
        }
        let status = front.get("status");
        let status_str = status.and_then(Value::as_str);
        match status {
            None => out.push(self.finding(
                STD_MISSING_KEY,
                Pos::START,
                format!("no `status` field: add one of {}", STATUSES.join(", ")),
            )),
            Some(Value::String(s)) if STATUSES.contains(&s.as_str()) => {}
            Some(Value::String(s)) if s == "Proposal" => out.push(self.finding(
                STD_STATUS_VALUE,
                front.value_at("status"),
                "status \"Proposal\": scs-0001 calls a proposal `Draft`",
            )),
            Some(v) => out.push(self.finding(
                STD_STATUS_VALUE,
                front.value_at("status"),
                format!("status {} is not one of {}", shown(v), STATUSES.join(", ")),
            )),
        }
        for key in DATES {
            if let Some(v) = front.get(key)
                && !v.as_str().is_some_and(is_iso_date)
            {
                out.push(self.finding(
                    STD_DATE_VALUE,
                    front.value_at(key),
                    format!("{key} {} is not an ISO date: write YYYY-MM-DD", shown(v)),
                ));
            }
        }
        for (needs, date) in [
            ("Deprecated", "deprecated_at"),
            ("Stable", "stabilized_at"),
            ("Rejected", "rejected_at"),
        ] {
            if status_str == Some(needs) && !front.has(date) {
                out.push(self.finding(
                    STD_STATUS_DATE,
                    front.value_at("status"),
                    format!(
                        "status is {needs}, but there is no `{date}`: add `{date}: YYYY-MM-DD`"
                    ),
                ));
            }
        }
        if front.has("replaced_by") {
            if !matches!(status_str, Some("Deprecated" | "Rejected")) {
                out.push(self.finding(
                    STD_REPLACED_BY_STATUS,
                    front.key_at("replaced_by"),
                    format!(
                        "`replaced_by` is only allowed on a Deprecated or Rejected document, and the status is {}",
                        status.map(shown).unwrap_or_else(|| "missing".into())
                    ),
                ));
            }
            self.list("replaced_by", names, out);
        }
        let replaces = front.get("replaces").filter(|v| !v.is_null());
        match (name.and_then(|n| n.version), replaces) {
            (Some(v), None) if v > 1 => out.push(self.finding(
                STD_REPLACES_MISSING,
                front.key_at("replaces"),
                format!(
                    "version {v} has no `replaces`: name the document it replaces, such as `replaces: [{}]`",
                    name.map(|n| format!("scs-{}-v{}-{}.md", n.number, v - 1, n.slug))
                        .unwrap_or_default()
                ),
            )),
            (_, Some(_)) => self.list("replaces", names, out),
            _ => {}
        }
        if front.has("supplements") {
            out.push(self.finding(
                STD_SUPPLEMENTS_VALUE,
                front.key_at("supplements"),
                "`supplements` is only for supplements (-wN- files, `type: Supplement`)",
            ));
        }
        self.sections(typ.and_then(Value::as_str), out);
    }

    /// `replaces`/`replaced_by`: a list (a string warns) of documents that exist.
    fn list(&self, key: &str, names: &HashSet<&str>, out: &mut Vec<Finding>) {
        let front = &self.front;
        match front.get(key) {
            Some(Value::String(s)) => out.push(self.finding(
                STD_LIST_VALUE,
                front.value_at(key),
                format!("`{key}` is a string; scs-0001 asks for a list: `{key}: [{s}]`"),
            )),
            Some(Value::Array(_)) => {}
            Some(v) => {
                out.push(self.finding(
                    STD_LIST_VALUE,
                    front.value_at(key),
                    format!("`{key}` must be a list of documents, not a {}", kind_of(v)),
                ));
                return;
            }
            None => return,
        }
        self.targets(key, names, out);
    }

    /// Each document named by `key` (a string or a list of strings) is a file of the folder.
    fn targets(&self, key: &str, names: &HashSet<&str>, out: &mut Vec<Finding>) {
        let front = &self.front;
        let items: Vec<(usize, &Value)> = match front.get(key) {
            Some(Value::Array(items)) => items.iter().enumerate().collect(),
            Some(v @ Value::String(_)) => vec![(0, v)],
            _ => return,
        };
        for (i, item) in items {
            let at = match front.get(key) {
                Some(Value::Array(_)) => front.item_at(key, i),
                _ => front.value_at(key),
            };
            let Some(target) = item.as_str() else {
                out.push(self.finding(
                    STD_TARGET_MISSING,
                    at,
                    format!(
                        "`{key}` entry {} is a {}, not a file name",
                        shown(item),
                        kind_of(item)
                    ),
                ));
                continue;
            };
            if !names.contains(target) {
                let hint = names
                    .iter()
                    .filter(|n| **n != self.name)
                    .map(|n| (strsim::levenshtein(n, target), *n))
                    .filter(|(d, _)| *d <= 8)
                    .min()
                    .map(|(_, n)| format!("; did you mean {n:?}?"))
                    .unwrap_or_default();
                out.push(
                    self.finding(
                        STD_TARGET_MISSING,
                        at,
                        format!(
                            "`{key}` names {target:?}, and there is no such document next to this one{hint}"
                        ),
                    )
                    .with_target(target, None),
                );
            }
        }
    }

    /// The sections scs-0001 requires of a Standard and a Decision Record.
    fn sections(&self, typ: Option<&str>, out: &mut Vec<Finding>) {
        let required: &[&str] = match typ {
            Some("Standard") => &["Introduction", "Motivation", "Conformance Tests"],
            Some("Decision Record") => &["Abstract", "Context"],
            _ => return,
        };
        let doc = crate::markdown::model::parse(
            &self.front.body,
            None,
            crate::markdown::Options {
                highlight: false,
                link_refs: false,
            },
        );
        let headings: Vec<String> = doc
            .headings
            .iter()
            .map(|h| h.text.trim().to_lowercase())
            .collect();
        let at = Pos::new(self.front.body_line, 1);
        for want in required {
            let lower = want.to_lowercase();
            // "Conformance tests", "Motivation and goals": a heading that starts with the
            // section's name counts; so does the singular ("Conformance Test").
            let stem = lower.trim_end_matches('s');
            if !headings.iter().any(|h| h.starts_with(stem)) {
                out.push(self.finding(
                    STD_MISSING_SECTION,
                    at,
                    format!(
                        "no \"{want}\" section: scs-0001 requires one in a {}",
                        typ.unwrap_or_default()
                    ),
                ));
            }
        }
    }
}

/// `YYYY-MM-DD`, a real calendar date.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let (Ok(y), Ok(m), Ok(d)) = (i32::try_from(y), u8::try_from(m), u8::try_from(d)) else {
        return false;
    };
    time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
        .is_some()
}

/// Two documents with one `scs-NNNN-vN-` prefix, and two Stable versions of one number.
fn duplicates(docs: &[Standard], out: &mut Vec<Finding>) {
    let mut by_prefix: BTreeMap<String, Vec<&Standard>> = BTreeMap::new();
    let mut stable: BTreeMap<String, Vec<&Standard>> = BTreeMap::new();
    for d in docs {
        let Some(name) = &d.parsed else {
            continue;
        };
        if !name.number.eq_ignore_ascii_case("xxxx") {
            by_prefix.entry(name.prefix.clone()).or_default().push(d);
        }
        if name.kind == Kind::Primary
            && d.front.get("status").and_then(Value::as_str) == Some("Stable")
        {
            stable
                .entry(name.number.to_lowercase())
                .or_default()
                .push(d);
        }
    }
    for (prefix, group) in by_prefix.iter().filter(|(_, g)| g.len() > 1) {
        for d in group {
            let others: Vec<&str> = group
                .iter()
                .filter(|o| o.path != d.path)
                .map(|o| o.name)
                .collect();
            out.push(d.finding(
                STD_DUPLICATE,
                Pos::START,
                format!(
                    "{} is also {}: each number and version names one document",
                    prefix.trim_end_matches('-'),
                    others.join(", ")
                ),
            ));
        }
    }
    for (number, group) in stable.iter().filter(|(_, g)| g.len() > 1) {
        for d in group {
            let others: Vec<&str> = group
                .iter()
                .filter(|o| o.path != d.path)
                .map(|o| o.name)
                .collect();
            out.push(d.finding(
                STD_DUPLICATE_STABLE,
                d.front.value_at("status"),
                format!(
                    "scs-{number} has more than one Stable version (also {}): deprecate the older one",
                    others.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2023-2-28"));
        assert!(!is_iso_date("2023-+2-28"));
        assert!(!is_iso_date("yesterday"));
    }

    #[test]
    fn positions_of_keys_values_and_items() {
        let at = locate("type: Standard\nreplaces:\n  - a.md\n  - \"b.md\"\ntrack: IaaS\n");
        assert_eq!(at["type"].key, Pos::new(2, 1));
        assert_eq!(at["type"].value, Pos::new(2, 7));
        assert_eq!(at["replaces"].items, vec![Pos::new(4, 5), Pos::new(5, 5)]);
        assert_eq!(at["track"].value, Pos::new(6, 8));
    }
}
