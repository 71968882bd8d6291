//! `ken status`: each source (url, branch, commit, last sync, documents), the paths ken uses
//! and where each came from, and the state of the search index.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::{Out, short};
use crate::base::Base;
use crate::index;
use crate::sanitize;
use crate::source::{self, Location};
use crate::state;

pub fn run(base: &Base, out: &Out, json: bool) -> anyhow::Result<ExitCode> {
    let cfg = &base.config;
    let now = state::now();
    let data = &cfg.data_dir.path;
    if json {
        let sources: Vec<_> = cfg
            .sources
            .iter()
            .map(|s| {
                let st = base.state.sources.get(&s.name).filter(|st| st.url == s.url);
                let kind = match source::location(s) {
                    Location::Git(_) => "git",
                    Location::Dir(_) => "directory",
                };
                json!({
                    "name": s.name,
                    "url": s.url,
                    "kind": kind,
                    "branch": st.and_then(|st| st.branch.clone()).or(s.branch.clone()),
                    "commit": st.and_then(|st| st.commit.clone()),
                    "previous": st.and_then(|st| st.previous.clone()),
                    "synced_at": st.and_then(|st| st.synced_at).map(rfc3339),
                    "docs": st.map(|st| st.docs),
                    "last_error": st.and_then(|st| st.last_error.clone()),
                })
            })
            .collect();
        let v = json!({
            "sources": sources,
            "sources_from": cfg.sources_origin,
            "paths": {
                "config_file": {"path": cfg.config_file.path, "from": cfg.config_file.origin, "exists": cfg.config_file_exists},
                "config_dir": {"path": cfg.config_dir.path, "from": cfg.config_dir.origin},
                "data_dir": {"path": data, "from": cfg.data_dir.origin},
                "mirrors": {"path": data.join("mirrors"), "from": cfg.data_dir.origin},
                "state": {"path": state::State::path(data), "from": cfg.data_dir.origin},
            },
            "index": index::status_json(base),
        });
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let s = |x: &str| sanitize::line(x, 0).into_owned();
    outln!(
        "{} {}",
        out.bold("Sources"),
        out.dim(&format!("(from {})", cfg.sources_origin))
    );
    for spec in &cfg.sources {
        outln!("  {}  {}", out.bold(&s(&spec.name)), s(&spec.url));
        let st = base
            .state
            .sources
            .get(&spec.name)
            .filter(|st| st.url == spec.url);
        match st {
            Some(st) if st.synced_at.is_some() => {
                let mut facts = Vec::new();
                if let Some(b) = &st.branch {
                    facts.push(format!("branch {}", s(b)));
                }
                if let Some(c) = &st.commit {
                    facts.push(format!("commit {}", short(c)));
                }
                if let Some(t) = st.synced_at {
                    facts.push(format!("synced {}", state::ago(t, now)));
                }
                facts.push(format!("{} docs", st.docs));
                outln!("      {}", facts.join(" · "));
            }
            _ => outln!("      {}", out.dim("never synced (run `ken sync`)")),
        }
        if let Some(err) = st.and_then(|st| st.last_error.as_deref()) {
            outln!("      last sync failed: {}", s(err));
        }
    }
    outln!("{}", out.bold("Paths"));
    let exists = if cfg.config_file_exists {
        ""
    } else {
        ", not present"
    };
    let rows = [
        (
            "config file",
            &cfg.config_file.path,
            format!("({}{exists})", cfg.config_file.origin),
        ),
        (
            "config dir",
            &cfg.config_dir.path,
            format!("({})", cfg.config_dir.origin),
        ),
        ("data dir", data, format!("({})", cfg.data_dir.origin)),
    ];
    for (label, p, origin) in rows {
        outln!(
            "  {label:<12} {} {}",
            s(&p.display().to_string()),
            out.dim(&origin)
        );
    }
    outln!("{}", out.bold("Index"));
    outln!("  {}", index_line(base));
    Ok(ExitCode::SUCCESS)
}

fn rfc3339(t: u64) -> String {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t))
        .to_string()
}

/// One line about the index for `ken status`.
fn index_line(base: &Base) -> String {
    let v = index::status_json(base);
    match v["state"].as_str() {
        Some("ready") => {
            let facts = format!(
                "{} pages, {} sections; last update indexed {} pages",
                v["pages"], v["sections"], v["last_update_indexed"]
            );
            let behind: Vec<&str> = v["behind"]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str()).collect())
                .unwrap_or_default();
            if behind.is_empty() {
                facts
            } else {
                format!(
                    "{facts}; behind the synced copy of {} (`ken sync` or `ken search` updates it)",
                    behind
                        .iter()
                        .map(|n| sanitize::line(n, 0))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        _ => format!(
            "the index {}; `ken sync` or `ken search` builds it",
            v["problem"].as_str().unwrap_or("is missing")
        ),
    }
}
