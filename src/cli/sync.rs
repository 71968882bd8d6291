//! `ken sync`: every source cloned or updated now, what changed, and the index brought up to
//! date.

use std::io::Write;
use std::process::ExitCode;

use super::progress::{index_progress, say, transfer_progress};
use super::{Out, short};
use crate::base::{Base, SourceFailure, SyncAction, SyncSummary};
use crate::corpus::ChangeStatus;
use crate::index;
use crate::sanitize;

/// Says each failure in one line: a source, or a repository of a site (which keeps its last
/// good copy), and the notes of each site (refused manifest entries). Returns whether
/// anything failed.
pub(super) fn report_failures(results: &[Result<SyncSummary, SourceFailure>]) -> bool {
    let mut failed = false;
    for r in results {
        match r {
            Err(e) => {
                eprintln!("ken: sync {}", sanitize::line(&e.to_string(), 0));
                failed = true;
            }
            Ok(s) => {
                for n in &s.notes {
                    eprintln!("note: {}", sanitize::line(n, 0));
                }
                for f in s.failures() {
                    eprintln!(
                        "ken: sync {}; keeping its last good copy",
                        sanitize::line(&f, 0)
                    );
                    failed = true;
                }
            }
        }
    }
    failed
}

pub fn run(base: &mut Base, offline: bool, json: bool, out: &Out) -> anyhow::Result<ExitCode> {
    let results = base.sync(offline, &mut transfer_progress());
    let failed = report_failures(&results);
    after_sync(base);
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    if json {
        outln!("{}", serde_json::to_string_pretty(&ok)?);
    } else {
        for s in ok {
            let name = out.bold(&sanitize::line(&s.name, 0));
            let at = s.new.as_deref().map(short).unwrap_or("");
            let line = match s.action {
                SyncAction::Cloned => format!("{name}: cloned at {at}, {} docs", s.docs),
                SyncAction::Unchanged => format!("{name}: up to date at {at}, {} docs", s.docs),
                SyncAction::Offline => format!("{name}: offline, keeping {at}, {} docs", s.docs),
                SyncAction::Read => format!("{name}: local directory, {} docs", s.docs),
                SyncAction::Updated => {
                    let count =
                        |c: ChangeStatus| s.changes.iter().filter(|d| d.status == c).count();
                    format!(
                        "{name}: {} → {at}: {} added, {} modified, {} deleted, {} renamed; {} docs",
                        s.old.as_deref().map(short).unwrap_or(""),
                        count(ChangeStatus::Added),
                        count(ChangeStatus::Modified),
                        count(ChangeStatus::Deleted),
                        count(ChangeStatus::Renamed),
                        s.docs
                    )
                }
            };
            outln!("{line}");
            if !s.repos.is_empty() {
                outln!("  {}", repos_line(s));
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `18 repositories: 1 updated, 16 up to date, 1 failed`.
fn repos_line(s: &SyncSummary) -> String {
    let count = |a: Option<SyncAction>| s.repos.iter().filter(|r| r.action == a).count();
    let parts: Vec<String> = [
        (Some(SyncAction::Cloned), "cloned"),
        (Some(SyncAction::Updated), "updated"),
        (Some(SyncAction::Unchanged), "up to date"),
        (None, "failed"),
    ]
    .into_iter()
    .map(|(a, word)| (count(a), word))
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}"))
    .collect();
    format!("{} repositories: {}", s.repos.len(), parts.join(", "))
}

/// Syncs the sources that have never been synced, unless offline. Returns whether all went well.
pub(super) fn ensure_synced(base: &mut Base, offline: bool) -> bool {
    let missing = base.config.sources.iter().any(|s| !base.has_copy(s));
    if !missing || offline {
        return true;
    }
    let results = base.sync(false, &mut transfer_progress());
    !report_failures(&results)
}

/// Brings the index up to date after a sync; problems are reported on stderr, never fatal
/// to the sync. Returns whether the index is usable.
pub fn after_sync(base: &Base) -> bool {
    match index::update(base, &mut index_progress(), &mut |n| say(n)) {
        Ok(r) => {
            for f in &r.failures {
                say(&format!("index {f}"));
            }
            true
        }
        Err(e) => {
            say(&e.to_string());
            false
        }
    }
}
