//! Running the rules over a source's copy: every document read as text (a file that cannot
//! be is a finding of its own), then the standards and link rules over all of them, or over
//! some of them judged against the whole copy (`--changed-since` at the start of its range).
//! What `ken check` runs per source ([`source`]); the reader checks the page it shows alone
//! against the same copy ([`super::page`]).

use std::collections::{HashMap, HashSet};

use super::*;
use crate::base::Base;
use crate::config::SourceSpec;
use crate::corpus::{Catalog, Document, Filter, Note};
use crate::markdown::Site;
use crate::source::{Content, EntryKind, Snapshot, SourceError};

/// One document read for checking.
struct Text {
    /// The reader's path (the site's).
    path: String,
    /// The name findings give it (`SOURCE:path` when several sources are checked).
    file: String,
    text: String,
}

/// Runs every rule over one copy of a source (its documents `cat`, read from `snapshot`
/// through `filter`, resolved by `site`): the findings, the names of the files checked, and
/// the external links (which only `--online` asks, [`online`]).
pub fn check_copy(
    name: &dyn Fn(&str) -> String,
    snapshot: &Snapshot,
    filter: &Filter,
    cat: &Catalog,
    cap: u64,
    site: &Site,
) -> (Vec<Finding>, Vec<String>, Vec<online::External>) {
    let root = filter.root();
    let read = |d: &Document| snapshot.read(root, &d.entry, cap);
    let generated = |d: &Document| snapshot.generated(root, &d.rel);
    let docs: Vec<&Document> = cat.docs.iter().collect();
    let notes: Vec<&Note> = cat.notes.iter().collect();
    let copy = Copy {
        docs: &docs,
        notes: &notes,
        site,
        files: &files_of(snapshot, filter, &docs),
        read: &read,
        generated: &generated,
        cap,
    };
    check_docs(name, &copy, None)
}

/// Every file of a copy, for the links to files that are not pages; a copy that cannot be
/// listed was listed a moment ago for its documents, so this is only a fallback.
pub fn files_of(snapshot: &Snapshot, filter: &Filter, docs: &[&Document]) -> links::Files {
    match snapshot.entries(filter.root()) {
        Ok(entries) => links::Files::new(entries.into_iter().map(|e| filter.mounted(&e.path))),
        Err(_) => links::Files::new(docs.iter().map(|d| d.path.clone())),
    }
}

/// A copy of a source as the rules see it: its documents, how each one's text is read (a
/// copy laid out from two snapshots reads each document from its own), and the site and
/// files its links are resolved against.
pub struct Copy<'a> {
    /// Its documents in the catalogue's order, and the files its catalogue notes (those
    /// skipped are findings of their own): borrowed, as a copy laid out from another one
    /// borrows that one's documents.
    pub docs: &'a [&'a Document],
    pub notes: &'a [&'a Note],
    pub site: &'a Site,
    pub files: &'a links::Files,
    pub read: &'a dyn Fn(&Document) -> Result<Content, SourceError>,
    /// Pages ken generated (a site's standards overview): nobody's to fix, so not checked.
    pub generated: &'a dyn Fn(&Document) -> bool,
    pub cap: u64,
}

/// Every rule over `copy`, or (`only`, reader's paths) over some of its documents judged
/// against the whole copy: each of those gets exactly the findings a run over every document
/// gives it, and only what those findings depend on is read (the other standards of its
/// folder, the pages its links lead into for their anchors). A run over some documents may
/// also report findings of those other standards. Returns what [`check_copy`] does.
pub fn check_docs(
    name: &dyn Fn(&str) -> String,
    copy: &Copy,
    only: Option<&HashSet<String>>,
) -> (Vec<Finding>, Vec<String>, Vec<online::External>) {
    let mut findings = Vec::new();
    let mut files = Vec::new();
    for n in copy.notes {
        if let Some(problem) = n.problem.strip_prefix("skipped: ") {
            files.push(name(&n.path));
            findings.push(Finding::new(
                FILE_UNREADABLE,
                &name(&n.path),
                Pos::START,
                format!("ken cannot read this file as text: {problem}"),
            ));
        }
    }
    let checked: Vec<&Document> = copy
        .docs
        .iter()
        .copied()
        .filter(|d| d.link.is_none())
        .filter(|d| !(copy.generated)(d))
        .collect();
    // The standards rules compare each standard with the others of its folder: of those,
    // the ones whose text the comparison needs are read (`standards::needed`), and the
    // others only named (other pages have none of those rules).
    let mut unread: Vec<String> = Vec::new();
    let wanted: Option<HashSet<&str>> = only.map(|only| {
        let reported: Vec<&str> = checked
            .iter()
            .filter(|d| only.contains(&d.path) && standards::is_standard_name(&d.path))
            .map(|d| d.path.as_str())
            .collect();
        let folders: HashSet<&str> = reported.iter().map(|p| folder(p)).collect();
        let reported = standards::Numbers::of(reported.iter().copied());
        let mut wanted = HashSet::new();
        for d in &checked {
            if only.contains(&d.path) {
                wanted.insert(d.path.as_str());
            } else if standards::is_standard_name(&d.path) && folders.contains(folder(&d.path)) {
                // One over the size cap is no standard to the rules; reading it reads nothing.
                let too_large =
                    matches!(d.entry.kind, EntryKind::File { size, .. } if size > copy.cap);
                if too_large || standards::needed(&d.path, &reported) {
                    wanted.insert(d.path.as_str());
                } else {
                    unread.push(name(&d.path));
                }
            }
        }
        wanted
    });
    let mut texts = Vec::new();
    for d in &checked {
        if wanted
            .as_ref()
            .is_some_and(|w| !w.contains(d.path.as_str()))
        {
            continue;
        }
        let file = name(&d.path);
        files.push(file.clone());
        let text = match (copy.read)(d) {
            Ok(Content::Bytes(b)) => match String::from_utf8(b) {
                Ok(s) => s,
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let bytes = e.into_bytes();
                    let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                    findings.push(Finding::new(
                        FILE_UNREADABLE,
                        &file,
                        Pos::new(line, 1),
                        format!(
                            "not valid UTF-8 (byte {valid}): ken and the site show \u{FFFD} there; save the file as UTF-8"
                        ),
                    ));
                    String::from_utf8_lossy(&bytes).into_owned()
                }
            },
            Ok(Content::TooLarge(size)) => {
                findings.push(Finding::new(
                    FILE_UNREADABLE,
                    &file,
                    Pos::START,
                    format!("{size} bytes, over the size cap of {}", copy.cap),
                ));
                continue;
            }
            Err(e) => {
                findings.push(Finding::new(
                    FILE_UNREADABLE,
                    &file,
                    Pos::START,
                    format!("cannot be read: {e}"),
                ));
                continue;
            }
        };
        texts.push(Text {
            path: d.path.clone(),
            file,
            text,
        });
    }
    let inputs: Vec<standards::Input> = texts
        .iter()
        .map(|t| standards::Input {
            path: &t.file,
            text: &t.text,
        })
        .collect();
    let unread: Vec<&str> = unread.iter().map(String::as_str).collect();
    findings.extend(standards::check_among(&inputs, &unread));
    let pages: Vec<links::Page> = texts
        .iter()
        .filter(|t| only.is_none_or(|o| o.contains(&t.path)))
        .map(|t| links::Page {
            path: &t.path,
            file: &t.file,
            text: &t.text,
        })
        .collect();
    // A link into a page not given is judged by that page's text, read when first needed,
    // under the same conditions as a page given: checked, and readable.
    let by_path: HashMap<&str, &Document> = checked.iter().map(|d| (d.path.as_str(), *d)).collect();
    let other = |path: &str| -> Option<String> {
        // A run over every page was given every page there is to judge.
        only?;
        match (copy.read)(by_path.get(path)?) {
            Ok(Content::Bytes(b)) => Some(
                String::from_utf8(b)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
            _ => None,
        }
    };
    let (found, external) = links::check(&pages, copy.site, copy.files, &other);
    findings.extend(found);
    (findings, files, external)
}

/// The folder of a reader's path (`""` at the top).
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Every configured finding of one source's last good copy (rules turned off dropped,
/// severities as configured, `ken stale`'s rules left out), named by the reader's paths:
/// what `ken check --source NAME` reports. The error says why the copy cannot be checked.
pub fn source(base: &Base, spec: &SourceSpec) -> Result<Vec<Finding>, String> {
    let copy = base.copy(spec).map_err(|e| e.to_string())?;
    let cat = copy.docs().map_err(|e| e.to_string())?;
    let site = base.site(&spec.name);
    let name = |p: &str| p.to_string();
    let cap = base.config.max_file_size;
    let (found, _, _) = check_copy(&name, &copy.snapshot, &copy.filter, &cat, cap, &site);
    let config = base.config.check_rules.restricted(|r| !is_stale_rule(r));
    Ok(config.apply(found))
}
