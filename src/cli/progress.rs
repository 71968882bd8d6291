//! What the commands draw on stderr while they work: a bar per source while a mirror is
//! fetched, a bar while the index is built, and one-line notices. The library reports progress
//! through callbacks; only this module turns it into bars.

use std::io::IsTerminal;

use crate::index::Progress;
use crate::sanitize;
use crate::source;

/// A progress bar per source on stderr when it is a terminal; nothing otherwise.
pub fn transfer_progress() -> impl FnMut(&str, source::Transfer) {
    let enabled = std::io::stderr().is_terminal();
    let mut bar: Option<(String, indicatif::ProgressBar)> = None;
    move |name: &str, t: source::Transfer| {
        if !enabled {
            return;
        }
        // A site's repositories are fetched together: one bar counts them.
        let site = t.repos_total > 0;
        let key = if site {
            format!("{name} (site)")
        } else {
            name.to_string()
        };
        if bar.as_ref().is_none_or(|(n, _)| *n != key) {
            if let Some((_, b)) = bar.take() {
                b.finish_and_clear();
            }
            let b = if site {
                new_bar(
                    t.repos_total,
                    "{prefix:.bold} [{bar:30}] {pos}/{len} repositories  {msg}",
                    name,
                )
            } else {
                new_bar(
                    t.total_objects,
                    "{prefix:.bold} [{bar:30}] {pos}/{len} objects  {msg}",
                    name,
                )
            };
            bar = Some((key, b));
        }
        if let Some((_, b)) = &bar {
            let (pos, len) = if site {
                (t.repos_done, t.repos_total)
            } else {
                (t.received_objects, t.total_objects)
            };
            b.set_length(len as u64);
            b.set_position(pos as u64);
            let secs = b.elapsed().as_secs_f64().max(0.001);
            b.set_message(format!(
                "{}  {}/s",
                crate::corpus::human_bytes(t.received_bytes as u64),
                crate::corpus::human_bytes((t.received_bytes as f64 / secs) as u64)
            ));
            let done = if site {
                t.repos_done == t.repos_total
            } else {
                t.total_objects > 0 && t.indexed_objects == t.total_objects
            };
            if done {
                b.finish_and_clear();
            }
        }
    }
}

/// A progress bar for full builds on stderr when it is a terminal; nothing otherwise.
pub fn index_progress() -> impl FnMut(Progress) {
    let enabled = std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    move |p: Progress| {
        if !enabled || p.total < 200 {
            return;
        }
        let b = bar.get_or_insert_with(|| {
            new_bar(
                p.total,
                "indexing {prefix:.bold} [{bar:30}] {pos}/{len} pages  {per_sec}",
                &p.source,
            )
        });
        b.set_length(p.total as u64);
        b.set_position(p.done as u64);
        if p.done >= p.total {
            b.finish_and_clear();
            bar = None;
        }
    }
}

pub fn say(line: &str) {
    eprintln!("ken: {}", sanitize::line(line, 0));
}

/// A bar of `len` steps on stderr in ken's style, named `name` (sanitized).
fn new_bar(len: usize, template: &str, name: &str) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    b.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b.set_prefix(sanitize::line(name, 0).into_owned());
    b
}
