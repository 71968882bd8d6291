//! `ken sync`: every source cloned or updated now, what changed, and the index brought up to
//! date.

use std::io::Write;
use std::process::ExitCode;

use super::progress::{index_progress, say, transfer_progress};
use super::{Out, short};
use crate::base::{Base, SourceFailure, SyncAction, SyncSummary};
use crate::corpus::ChangeStatus;
use crate::durable;
use crate::index;
use crate::sanitize;

/// Says each failure in one line: a source, or a repository of a site (which keeps its last
/// good copy), and the notes of each site (refused manifest entries). Returns whether
/// anything failed.
pub(super) fn report_failures(results: &[Result<SyncSummary, SourceFailure>]) -> bool {
    say_notes(results);
    report(&failure_lines(results), None)
}

/// One line per failure: a source, or a repository of a site.
fn failure_lines(results: &[Result<SyncSummary, SourceFailure>]) -> Vec<String> {
    let mut out = Vec::new();
    for r in results {
        match r {
            Err(e) => out.push(format!("sync {e}")),
            Ok(s) => out.extend(
                s.failures()
                    .into_iter()
                    .map(|f| format!("sync {f}; keeping its last good copy")),
            ),
        }
    }
    out
}

/// The notes of each site (refused manifest entries), on stderr.
fn say_notes(results: &[Result<SyncSummary, SourceFailure>]) {
    for s in results.iter().filter_map(|r| r.as_ref().ok()) {
        for n in &s.notes {
            eprintln!("note: {}", sanitize::line(n, 0));
        }
    }
}

/// Says each problem in one line, except that when the disk is full (every write fails the
/// same way, so each problem would repeat it) one line names the disk instead. Returns
/// whether there was any problem.
fn report(lines: &[String], data_dir: Option<&std::path::Path>) -> bool {
    match data_dir.filter(|_| lines.iter().any(|l| durable::is_disk_full(l))) {
        Some(dir) => say(&format!(
            "no space left on device for the data dir {}: nothing new was recorded (list and \
             search answer from the last sync); free space there and sync again",
            dir.display()
        )),
        None => lines.iter().for_each(|l| say(l)),
    }
    !lines.is_empty()
}

/// `ken sync`: exit 0 when every source synced and the index and the recorded state reflect
/// them; 1 otherwise, with one line naming what was not updated (a source, the search index,
/// the recorded state, or the full disk).
pub fn run(base: &mut Base, offline: bool, json: bool, out: &Out) -> anyhow::Result<ExitCode> {
    // Each source's failure is said before the index update speaks, unless the disk is full:
    // then one line names the disk at the end instead.
    let synced = base.sync_then(offline, &mut transfer_progress(), |base, results| {
        say_notes(results);
        let lines = failure_lines(results);
        let disk_full = lines.iter().any(|l| durable::is_disk_full(l));
        if !disk_full {
            lines.iter().for_each(|l| say(l));
        }
        (disk_full, update_index(base))
    });
    let results = synced.results;
    let started = synced.then.is_some();
    let (disk_full, index) = synced.then.unwrap_or((false, Ok(())));
    // Lines not said yet: every failure when the sync could not start or the disk is full.
    let mut problems = if disk_full || !started {
        failure_lines(&results)
    } else {
        Vec::new()
    };
    let mut failed = !failure_lines(&results).is_empty();
    let moved = results.iter().any(|r| {
        r.as_ref()
            .is_ok_and(|s| matches!(s.action, SyncAction::Cloned | SyncAction::Updated))
    });
    // Names what is behind the mirrors, and says that the mirrors did move when they did.
    let not_updated = |what: &str| {
        if moved {
            format!("the mirrors were updated but {what} was not")
        } else {
            format!("{what} was not updated")
        }
    };
    if let Err(problem) = &index {
        problems.push(format!(
            "{}: {problem}; searches answer from its last update",
            not_updated("the search index")
        ));
    }
    if let Err(e) = &synced.recorded {
        problems.push(format!(
            "{}: {e}; the next sync records it",
            not_updated("the recorded state (state.json)")
        ));
    }
    failed |= report(&problems, Some(base.data_dir()));
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
pub(super) fn repos_line(s: &SyncSummary) -> String {
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

/// Brings the index up to date after a sync: `Err` with the problem (one source that could
/// not be indexed, or the whole update) when it does not reflect every synced copy.
pub(super) fn update_index(base: &Base) -> Result<(), String> {
    match index::update(base, &mut index_progress(), &mut |n| say(n)) {
        Ok(r) if r.failures.is_empty() => Ok(()),
        Ok(r) => Err(r.failures.join("; ")),
        Err(e) => Err(e.to_string()),
    }
}
