//! `ken status`: each source (url, the URL actually fetched and why, branch, commit, last
//! sync, documents), the paths ken uses and where each came from, the mirror rules, and the
//! state of the search index.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::{Out, short};
use crate::base::Base;
use crate::config::UrlWhy;
use crate::index;
use crate::library::SourceKind;
use crate::sanitize;
use crate::state;

pub fn run(base: &Base, out: &Out, json: bool) -> anyhow::Result<ExitCode> {
    let cfg = &base.config;
    let now = state::now();
    let data = &cfg.data_dir.path;
    if json {
        let sources: Vec<_> = base
            .status()
            .into_iter()
            .map(|s| {
                let fetch = (s.kind == SourceKind::Git).then(|| cfg.effective_url(&s.url));
                let bundle = from_bundle(base, &s.name, &s.url);
                let mut v = json!({
                    "name": s.name,
                    "url": s.url,
                    "fetch_url": fetch.as_ref().map(|f| &f.0),
                    "fetch_url_why": fetch.as_ref().map(|f| &f.1),
                    "kind": s.kind,
                    "branch": s.branch,
                    "commit": s.commit,
                    "previous": s.previous,
                    "synced_at": s.synced_at.map(rfc3339),
                    "docs": s.docs,
                    "last_error": s.last_error,
                    "from_bundle": bundle.map(|b| json!({"file": b.file, "created_at": rfc3339(b.created_at)})),
                });
                if let Some(site) = &s.site {
                    let repos: Vec<_> = site
                        .repos
                        .iter()
                        .map(|r| {
                            json!({
                                "repo": r.repo,
                                "url": r.url,
                                "branch": r.branch,
                                "commit": r.commit,
                                "synced_at": r.synced_at.map(rfc3339),
                                "last_error": r.last_error,
                            })
                        })
                        .collect();
                    let notes = base.spec(&s.name).map(|spec| base.site_notes(spec));
                    v["site"] = json!({
                        "manifest": site.manifest,
                        "lock": base.site_lock_path(&s.name),
                        "repos": repos,
                        "notes": notes.unwrap_or_default(),
                    });
                }
                v
            })
            .collect();
        let v = json!({
            "sources": sources,
            "sources_from": cfg.sources_origin,
            "mirror_rules": cfg.mirrors,
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
    for st in base.status() {
        outln!("  {}  {}", out.bold(&s(&st.name)), s(&st.url));
        if st.kind == SourceKind::Git {
            let (url, why) = cfg.effective_url(&st.url);
            if why != UrlWhy::Configured {
                outln!(
                    "      fetched from {} {}",
                    s(&url),
                    out.dim(&format!("(by {})", s(&why.to_string())))
                );
            }
        }
        match st.synced_at {
            Some(t) => {
                let mut facts = Vec::new();
                if let Some(b) = &st.branch {
                    facts.push(format!("branch {}", s(b)));
                }
                if let Some(c) = &st.commit {
                    facts.push(format!("commit {}", short(c)));
                }
                facts.push(format!("synced {}", state::ago(t, now)));
                facts.push(format!("{} docs", st.docs.unwrap_or(0)));
                outln!("      {}", facts.join(" · "));
            }
            None => outln!("      {}", out.dim("never synced (run `ken sync`)")),
        }
        if let Some(b) = from_bundle(base, &st.name, &st.url) {
            outln!(
                "      from bundle {}, created {} ({})",
                s(&b.file),
                state::ago(b.created_at, now),
                rfc3339(b.created_at)
            );
        }
        if let Some(err) = &st.last_error {
            outln!("      last sync failed: {}", s(err));
        }
        if let Some(site) = &st.site {
            outln!(
                "      a site: {} from {} repositories {}",
                s(&site.manifest),
                site.repos.len(),
                out.dim(&format!(
                    "(locked in {})",
                    s(&base.site_lock_path(&st.name).display().to_string())
                ))
            );
            let w = site
                .repos
                .iter()
                .map(|r| r.repo.chars().count())
                .max()
                .unwrap_or(0)
                .min(50);
            for r in &site.repos {
                let at = match (&r.commit, r.synced_at) {
                    (Some(c), Some(t)) => format!("{}  synced {}", short(c), state::ago(t, now)),
                    (Some(c), None) => short(c).to_string(),
                    (None, _) => "never fetched".to_string(),
                };
                outln!("        {:<w$}  {at}", s(&r.repo));
                if let Some(err) = &r.last_error {
                    outln!("          last fetch failed: {}", s(err));
                }
            }
            if let Some(spec) = base.spec(&st.name) {
                for n in base.site_notes(spec) {
                    outln!("      note: {}", s(&n));
                }
            }
        }
    }
    if !cfg.mirrors.is_empty() {
        outln!("{}", out.bold("Mirrors"));
        for m in &cfg.mirrors {
            let from = match m.origin {
                crate::config::Origin::Env => "KEN_MIRROR".to_string(),
                _ => cfg.config_file.path.display().to_string(),
            };
            outln!(
                "  {} → {} {}",
                s(&m.from),
                s(&m.to),
                out.dim(&format!("(from {})", s(&from)))
            );
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

/// The bundle a source's synced commit was imported from, if it was.
fn from_bundle(base: &Base, name: &str, url: &str) -> Option<state::BundleOrigin> {
    base.state
        .sources
        .get(name)
        .filter(|st| st.url == url)
        .and_then(|st| st.bundle.clone())
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
