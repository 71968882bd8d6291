//! `--changed-since`: which findings a change is responsible for.
//!
//! The rules run over the copy as it is now and over the copy as it was at the start of the
//! range. A finding in a page the range added, changed or renamed is reported whatever its
//! age: the writer touching the page owns it. A finding in a page the range did not touch is
//! reported only when the old copy did not have it: that is an inbound breakage, a heading
//! renamed or a page deleted elsewhere that broke this page's link. A finding the untouched
//! page had before is nobody's news, and is left out.
//!
//! So the old copy only needs checking in the untouched pages that have findings now of a
//! rule that looks beyond its page (the others give the same findings at both ends), and it
//! is laid out from the copy now: an untouched page has the same text at both ends, so
//! only the pages the range changed are read from the old snapshot ([`before`]). A site is
//! laid out again at the start from its repositories' starts (by the caller), and then read
//! the same way: its changes compare the objects at every site path of the two layouts. A
//! range this module cannot turn around is read whole at the start ([`before_whole`]).

use std::collections::HashSet;

use super::Finding;
use super::run::{Copy, check_copy, check_docs, files_of};
use crate::corpus::{self, Catalog, ChangeStatus, DocChange, Document, Filter, Note};
use crate::markdown::{Routing, Site};
use crate::source::{Snapshot, SourceError};

/// The findings of `now` that the change made: every one in a file of `changed` (findings'
/// file names), and in the other files those `before` did not have.
pub fn caused(now: Vec<Finding>, before: &[Finding], changed: &HashSet<String>) -> Vec<Finding> {
    // A finding is the same one when everything but its severity is: an untouched file has
    // the same lines and columns, and the message names what the link leads to.
    let key = |f: &Finding| {
        (
            f.rule,
            f.file.clone(),
            f.line,
            f.column,
            f.message.clone(),
            f.target.clone(),
        )
    };
    let old: HashSet<_> = before.iter().map(key).collect();
    now.into_iter()
        .filter(|f| changed.contains(&f.file) || !old.contains(&key(f)))
        .collect()
}

/// The copy a range ends at (the copy now): how it is read, its documents, its site (made
/// from those documents with the source's routing), and the findings the rules gave it.
pub struct Now<'a> {
    pub snapshot: &'a Snapshot,
    pub filter: &'a Filter,
    pub cat: &'a Catalog,
    pub site: &'a Site,
    pub findings: &'a [Finding],
}

/// The copy a range starts at: its snapshot, the filter it is read through, the documents
/// changed since (paths of the copy now, [`corpus::doc_changes`]), and the routing its site
/// is made with.
pub struct Start<'a> {
    pub snapshot: &'a Snapshot,
    pub filter: &'a Filter,
    pub changes: &'a [DocChange],
    pub routing: &'a Routing,
}

/// Findings of the copy at the start, enough for [`caused`] to answer as it would with all
/// of them: those of every untouched file of `now` that has findings of the rules that look
/// beyond their page ([`super::Scope::AcrossPages`]), each judged against the whole old copy (its
/// site, its files, the anchors of the pages its links lead into, the standards of its
/// folder), and the other rules' findings of `now`, which an untouched page had too.
/// `name` names files as the findings do; `source` is the source's name.
pub fn before(
    name: &dyn Fn(&str) -> String,
    source: &str,
    now: &Now,
    start: &Start,
    cap: u64,
) -> Result<Vec<Finding>, SourceError> {
    // A site's untouched pages are the same at both ends as a repository's are: the site's
    // changes compare every site path's object, a generated page's by its text.
    let Some(back) = backwards(start.changes) else {
        return before_whole(name, source, start, cap);
    };
    // The copy at the start borrows the untouched documents of the copy now (a clone of
    // 40,000 documents and their front matter was a tenth of this function), and holds the
    // changed ones as read back, in the catalogue's order, as `catalog::catch_up` lays out.
    let mut gone: HashSet<&str> = HashSet::new();
    for c in &back {
        gone.insert(c.path.as_str());
        if let Some(f) = &c.from {
            gone.insert(f.as_str());
        }
    }
    let mut read_back = Catalog::default();
    for c in &back {
        if c.status == ChangeStatus::Deleted {
            continue;
        }
        let Some(rel) = start.filter.unmounted(&c.path) else {
            continue;
        };
        if let Some(entry) = start.snapshot.entry(start.filter.root(), rel)?
            && let Some(doc) = corpus::load(
                source,
                start.filter,
                start.snapshot,
                entry,
                cap,
                &mut read_back.notes,
            )?
        {
            read_back.docs.push(doc);
        }
    }
    let mut old_docs: Vec<&Document> = now
        .cat
        .docs
        .iter()
        .filter(|d| !gone.contains(d.path.as_str()))
        .chain(&read_back.docs)
        .collect();
    // Sorted already but for the documents read back: a merge.
    old_docs.sort_by(|a, b| a.rel.cmp(&b.rel));
    let old_notes: Vec<&Note> = now
        .cat
        .notes
        .iter()
        .filter(|n| !gone.contains(n.path.as_str()))
        .chain(&read_back.notes)
        .collect();
    // The documents read back from the old snapshot; every other one is untouched, with the
    // same text in the copy now, and read there (a working copy's entries are files on
    // disk, not objects of the repository).
    let from_old: HashSet<&str> = back
        .iter()
        .filter(|c| c.status != ChangeStatus::Deleted)
        .map(|c| c.path.as_str())
        .collect();
    let read = |d: &Document| {
        if from_old.contains(d.path.as_str()) {
            start.snapshot.read(start.filter.root(), &d.entry, cap)
        } else {
            now.snapshot.read(now.filter.root(), &d.entry, cap)
        }
    };
    // The files whose findings are all reported, as `caused` is told by the caller.
    let changed: HashSet<&str> = start
        .changes
        .iter()
        .filter(|c| c.status != ChangeStatus::Deleted)
        .map(|c| c.path.as_str())
        .collect();
    // A finding of a rule that reads only its page is the same in an untouched page at both
    // ends: carried over as it is. The pages with findings of the other rules are checked.
    let across = |f: &&Finding| f.rule.rule().scope == super::Scope::AcrossPages;
    let carried = now.findings.iter().filter(|f| !across(f)).cloned();
    let with_findings: HashSet<&str> = now
        .findings
        .iter()
        .filter(across)
        .map(|f| f.file.as_str())
        .collect();
    let only: HashSet<String> = old_docs
        .iter()
        .filter(|d| !changed.contains(d.path.as_str()))
        .filter(|d| with_findings.contains(name(&d.path).as_str()))
        .map(|d| d.path.clone())
        .collect();
    // A range that only edited pages, each keeping its route, leaves the site as it is
    // now: the same pages in the same order at the same routes. Otherwise it is made again.
    let modified = back.iter().filter(|c| c.status == ChangeStatus::Modified);
    let same_site = now.site.routing() == start.routing
        && back.iter().all(|c| c.status == ChangeStatus::Modified)
        && read_back.docs.len() == modified.count()
        && read_back.docs.iter().all(|d| {
            d.source == source
                && now.site.route(&d.path)
                    == Some(now.site.route_of(&d.path, d.front_matter.as_ref()).as_str())
        });
    let made;
    let site = if same_site {
        now.site
    } else {
        made = Site::borrowed(
            old_docs
                .iter()
                .filter(|d| d.source == source)
                .map(|d| (d.path.as_str(), d.front_matter.as_ref())),
            start.routing.clone(),
        );
        &made
    };
    let copy = Copy {
        docs: &old_docs,
        notes: &old_notes,
        site,
        files: &files_of(start.snapshot, start.filter, &old_docs),
        read: &read,
        // Only a site generates pages; the old layout says which were.
        generated: &|d| start.snapshot.generated(start.filter.root(), &d.rel),
        cap,
    };
    let mut found = check_docs(name, &copy, Some(&only)).0;
    found.extend(carried);
    Ok(found)
}

/// Every finding of the copy at the start, read whole from its snapshot: what [`before`]
/// falls back on, and what it must agree with.
pub fn before_whole(
    name: &dyn Fn(&str) -> String,
    source: &str,
    start: &Start,
    cap: u64,
) -> Result<Vec<Finding>, SourceError> {
    let cat = corpus::scan(source, start.filter, start.snapshot, cap)?;
    let site = Site::new(
        crate::library::site_docs(&cat.docs, source),
        start.routing.clone(),
    );
    Ok(check_copy(name, start.snapshot, start.filter, &cat, cap, &site).0)
}

/// The changes that take the copy now back to the copy at the start; `None` for a rename
/// that does not say where from.
fn backwards(changes: &[DocChange]) -> Option<Vec<DocChange>> {
    changes
        .iter()
        .map(|c| {
            let (status, path, from) = match c.status {
                ChangeStatus::Added => (ChangeStatus::Deleted, c.path.clone(), None),
                ChangeStatus::Deleted => (ChangeStatus::Added, c.path.clone(), None),
                ChangeStatus::Modified => (ChangeStatus::Modified, c.path.clone(), None),
                ChangeStatus::Renamed => {
                    (ChangeStatus::Renamed, c.from.clone()?, Some(c.path.clone()))
                }
            };
            Some(DocChange { status, path, from })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{LINK_MISSING_ANCHOR, LINK_MISSING_PAGE, Pos};
    use super::*;

    #[test]
    fn old_findings_of_untouched_files_are_dropped_and_changed_files_keep_all() {
        let f = |rule, file: &str, line| Finding::new(rule, file, Pos::new(line, 1), "m");
        let before = vec![
            f(LINK_MISSING_PAGE, "b.md", 3),
            f(LINK_MISSING_PAGE, "a.md", 1),
        ];
        let now = vec![
            f(LINK_MISSING_PAGE, "b.md", 3),
            f(LINK_MISSING_ANCHOR, "b.md", 5),
            f(LINK_MISSING_PAGE, "a.md", 1),
        ];
        let changed: HashSet<String> = ["a.md".to_string()].into();
        let got = caused(now, &before, &changed);
        let got: Vec<(&str, u32)> = got.iter().map(|f| (f.file.as_str(), f.line)).collect();
        assert_eq!(got, [("b.md", 5), ("a.md", 1)]);
    }
}
