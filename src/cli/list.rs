//! `ken list`: every document of every source, with its title.

use std::borrow::Cow;
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;
use serde_json::value::RawValue;

use super::sync::ensure_synced;
use crate::base::Base;
use crate::catalog::Listed;
use crate::history::{Dated, DatesRef, Histories};
use crate::sanitize;

/// How much output is gathered before each write: `--json` of 40,000 pages is 30 MB, and
/// a write to a pipe costs a system call however little it carries.
const OUT_BUFFER: usize = 1 << 20;

pub fn run(base: &mut Base, offline: bool, json: bool) -> anyhow::Result<ExitCode> {
    ensure_synced(base, offline);
    let base = &*base;
    let mut failed = false;
    let listings: Vec<_> = base
        .config
        .sources
        .iter()
        .filter_map(|spec| match base.listing(spec) {
            Ok(l) => Some(l),
            Err(e) => {
                eprintln!("ken: {}", sanitize::line(&e.to_string(), 0));
                failed = true;
                None
            }
        })
        .collect();
    let mut docs = Vec::new();
    for listing in &listings {
        // From the catalogue when it is of the synced copy: no blob read.
        match listing.docs() {
            Ok((listed, notes)) => {
                for n in &notes {
                    eprintln!(
                        "note: {}:{}: {}",
                        sanitize::line(&n.source, 0),
                        sanitize::line(&n.path, 0),
                        sanitize::line(&n.problem, 0)
                    );
                }
                docs.extend(listed);
            }
            Err(e) => {
                eprintln!("ken: {}", sanitize::line(&e.to_string(), 0));
                failed = true;
            }
        }
    }
    let mut stdout = std::io::BufWriter::with_capacity(OUT_BUFFER, std::io::stdout().lock());
    if json {
        let histories = Histories::load_for_origins(base);
        for line in histories.problems.iter().chain(&histories.gaps()) {
            eprintln!("note: {}", sanitize::line(line, 0));
        }
        let dates: Vec<DatesRef> = docs
            .iter()
            .map(|d| {
                let origin = d.origin.as_ref().map(|o| (&*o.repo, &*o.path));
                histories.page_of(d.source, &d.path, origin)
            })
            .collect();
        write_json(&mut stdout, &docs, &dates)?;
        // The process ends now: freeing the tens of thousands of pieces of this listing
        // one by one would cost milliseconds for nothing.
        std::mem::forget(dates);
        std::mem::forget(histories);
    } else {
        let w = docs
            .iter()
            .map(|d| d.path.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for d in &docs {
            let title = match &d.link {
                Some(t) => Cow::Owned(format!("link → {t}")),
                None => Cow::Borrowed(&*d.title),
            };
            writeln!(
                stdout,
                "{}  {:<w$}  {}",
                sanitize::line(d.source, 0),
                sanitize::line(&d.path, 0),
                sanitize::line(&title, 0)
            )?;
        }
    }
    stdout.flush()?;
    std::mem::forget(docs);
    std::mem::forget(listings);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One document of `ken list --json`. The fields are in the order serde_json's map would
/// give them (alphabetical), the order this output has always had.
#[derive(Serialize)]
struct Item<'a> {
    changed: Date<'a>,
    created: Date<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<Origin<'a>>,
    path: &'a str,
    source: &'a str,
    title: &'a str,
}

/// A [`ListedOrigin`](crate::catalog::ListedOrigin) as `--json` writes it (the same fields and JSON), with the strings
/// every page of a repository shares written once ([`write_json`]).
#[derive(Serialize)]
struct Origin<'a> {
    repo: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<Text<'a>>,
    commit: Text<'a>,
    path: &'a str,
}

/// A JSON string, as text or as the JSON written for it before.
enum Text<'a> {
    Plain(&'a str),
    Written(&'a RawValue),
}

impl Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Text::Plain(t) => t.serialize(s),
            Text::Written(raw) => raw.serialize(s),
        }
    }
}

/// A page's date as `--json` writes it: `null`, or the [`Change`](crate::history::Change)
/// it stands for, either written in place or as the text written once for its commit.
enum Date<'a> {
    Dated(Option<Dated<'a>>),
    Written(&'a RawValue),
}

impl Serialize for Date<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Date::Dated(d) => d.serialize(s),
            Date::Written(raw) => raw.serialize(s),
        }
    }
}

/// Where a date's object stands in the output: inside a page's object, inside the array.
const DATE_INDENT: &str = "    ";

/// Writes the documents and their dates as one pretty-printed JSON array, and a newline.
///
/// Many pages share a commit (40,000 pages of one repository may have two), and formatting
/// a commit's date, sanitizing its author and subject and escaping them was most of the
/// time. So each commit's object is written once, by serde_json's pretty printer, indented
/// as it stands in the array, and then copied for every page it dates, as a `RawValue` (which
/// the pretty printer writes as it is). The bytes are those of pretty-printing every date in
/// place (a test compares both); JSON strings hold no raw newline, so indenting after each
/// newline indents exactly the object's lines.
fn write_json<'a>(
    out: &mut impl Write,
    docs: &'a [Listed<'a>],
    dates: &'a [DatesRef<'a>],
) -> std::io::Result<()> {
    let mut written: foldhash::HashMap<usize, Box<RawValue>> = Default::default();
    for d in dates.iter().flat_map(|d| [d.changed, d.created]).flatten() {
        let Some(key) = d.commit_key() else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = written.entry(key) {
            let text = serde_json::to_string_pretty(&d)?.replace('\n', &format!("\n{DATE_INDENT}"));
            slot.insert(RawValue::from_string(text)?);
        }
    }
    // The same for an origin's repository, branch and commit: one each for every page of a
    // git source (the very same string: found at the first comparison), one per repository
    // of a site. Up to `MAX_SHARED` of them; others are written in place.
    let mut shared = Shared::default();
    for o in docs.iter().filter_map(|d| d.origin.as_ref()) {
        for t in [Some(&o.repo), o.branch.as_ref(), Some(&o.commit)]
            .into_iter()
            .flatten()
        {
            shared.add(t)?;
        }
    }
    let text = |t: &'a str| match shared.get(t) {
        Some(raw) => Text::Written(raw),
        None => Text::Plain(t),
    };
    let items = docs.iter().zip(dates).map(|(d, dates)| Item {
        changed: date(&written, dates.changed),
        created: date(&written, dates.created),
        link: d.link.as_deref(),
        origin: d.origin.as_ref().map(|o| Origin {
            repo: text(&o.repo),
            branch: o.branch.as_deref().map(text),
            commit: text(&o.commit),
            path: &o.path,
        }),
        path: &d.path,
        source: d.source,
        title: &d.title,
    });
    let mut ser = serde_json::Serializer::pretty(&mut *out);
    serde::Serializer::collect_seq(&mut ser, items)?;
    writeln!(out)
}

/// How many distinct origin strings [`write_json`] writes once.
const MAX_SHARED: usize = 64;

/// Strings many pages share, each with its JSON, looked up by address first.
#[derive(Default)]
struct Shared<'a> {
    written: Vec<(&'a str, Box<RawValue>)>,
}

impl<'a> Shared<'a> {
    fn add(&mut self, t: &'a str) -> serde_json::Result<()> {
        if self.written.len() < MAX_SHARED && self.get(t).is_none() {
            let raw = RawValue::from_string(serde_json::to_string(t)?)?;
            self.written.push((t, raw));
        }
        Ok(())
    }

    fn get(&self, t: &str) -> Option<&RawValue> {
        let same = |(s, _): &&(&str, Box<RawValue>)| std::ptr::eq(*s, t);
        let equal = |(s, _): &&(&str, Box<RawValue>)| *s == t;
        let found = self.written.iter().find(same);
        found
            .or_else(|| self.written.iter().find(equal))
            .map(|(_, raw)| &**raw)
    }
}

/// A date as [`write_json`] writes it: its commit's text when it has one.
fn date<'a>(
    written: &'a foldhash::HashMap<usize, Box<RawValue>>,
    d: Option<Dated<'a>>,
) -> Date<'a> {
    match d.and_then(|d| written.get(&d.commit_key()?)) {
        Some(raw) => Date::Written(raw),
        None => Date::Dated(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ListedOrigin;
    use crate::history::PageDates;

    /// `--json` as it was written before commits were written once: every page's dates
    /// serialized in place, by serde_json's pretty printer.
    fn in_place(docs: &[Listed], dates: &[DatesRef]) -> Vec<u8> {
        #[derive(Serialize)]
        struct Item<'a> {
            #[serde(flatten)]
            dates: PageDates,
            #[serde(skip_serializing_if = "Option::is_none")]
            link: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            origin: Option<&'a ListedOrigin<'a>>,
            path: &'a str,
            source: &'a str,
            title: &'a str,
        }
        let items: Vec<Item> = docs
            .iter()
            .zip(dates)
            .map(|(d, dates)| Item {
                dates: dates.to_dates(),
                link: d.link.as_deref(),
                origin: d.origin.as_ref(),
                path: &d.path,
                source: d.source,
                title: &d.title,
            })
            .collect();
        let mut out = serde_json::to_vec_pretty(&items).unwrap();
        out.push(b'\n');
        out
    }

    #[test]
    fn json_with_each_commit_written_once_is_byte_for_byte_the_json_written_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("f.md"), "# F\n").unwrap();
        let commits = [
            ("c0ffee00", 1_600_000_000, "Ann", "first"),
            (
                "c0ffee01",
                1_700_000_000,
                "Bo \"B\" \u{1b}[1m",
                "tab\there \\ 🙂 \u{202e}",
            ),
            ("c0ffee02", i64::MAX, "", ""),
        ];
        let pages = [
            ("a.md", Some(1), Some(0)),
            ("b.md", Some(0), Some(0)),
            ("c.md", None, Some(2)),
            ("d.md", Some(2), None),
        ];
        let histories = crate::history::fixture::histories("kb", &commits, &pages, tmp.path());
        let origin = ListedOrigin {
            repo: "https://example.org/r.git".into(),
            branch: Some("main".into()),
            commit: "c0ffee01".into(),
            path: "docs/a.md".into(),
        };
        let doc = |source, path: &'static str, title: &'static str| Listed {
            source,
            path: path.into(),
            title: title.into(),
            link: None,
            origin: None,
        };
        let mut docs = vec![
            Listed {
                origin: Some(origin.clone()),
                ..doc("kb", "a.md", "A \"quoted\" title\u{7}")
            },
            doc("kb", "b.md", "B"),
            Listed {
                link: Some("../elsewhere.md".into()),
                ..doc("kb", "c.md", "")
            },
            Listed {
                origin: Some(ListedOrigin {
                    branch: None,
                    ..origin
                }),
                ..doc("kb", "d.md", "D")
            },
            doc("kb", "not-dated.md", "N"),
            doc("folder", "f.md", "F"),
            doc("gone", "g.md", "G"),
        ];
        // Many pages of the same commits, as in a large repository.
        for i in 0..50 {
            docs.push(doc("kb", ["a.md", "b.md"][i % 2], "again"));
        }
        let dates: Vec<DatesRef> = docs
            .iter()
            .map(|d| histories.page_of(d.source, &d.path, None))
            .collect();
        assert!(dates[5].changed.is_some(), "the folder's page is dated");
        let mut fast = Vec::new();
        write_json(&mut fast, &docs, &dates).unwrap();
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            String::from_utf8(in_place(&docs, &dates)).unwrap()
        );
        let mut none = Vec::new();
        write_json(&mut none, &[], &[]).unwrap();
        assert_eq!(none, in_place(&[], &[]));
    }
}
