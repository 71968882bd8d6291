//! The manifest, `docs.package.json`: a JSON list of entries `{repo, source, target, label}`
//! (the fields `getDocs.js` reads), checked one entry at a time.
//!
//! A manifest that is not JSON, or not a list, is an error for the whole site. A single
//! entry that is wrong is refused with one line naming the manifest, the entry and the
//! reason, and the other entries are still used: one typo in a manifest of 19 entries must
//! not take the other 18 repositories away from an operator.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::Value;

use super::SiteError;
use super::url::{repo_key, resolve};
use crate::markdown::Routing;

/// The manifest's file name, at the root of the site's repository.
pub const MANIFEST: &str = "docs.package.json";

/// At most this many repositories are mirrored for one site; a manifest naming more is cut
/// to its first ones, with a note, so a hostile or mistaken manifest cannot make ken fetch
/// a thousand repositories.
pub const MAX_REPOSITORIES: usize = 64;

/// Characters the shell that `getDocs.js` runs `cp` in would interpret. ken runs no shell,
/// so a path using them would mean something else to ken than to the real site build:
/// refused rather than guessed. (`{`/`}` expand in bash but not in dash.)
const SHELL_SPECIAL: &[char] = &[
    '`', '$', ';', '&', '|', '<', '>', '(', ')', '\\', '"', '\'', '{', '}',
];

/// Glob characters: allowed in `source` only.
const GLOB: &[char] = &['*', '?', '[', ']'];

/// One usable entry of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the manifest, counted from 1.
    pub number: usize,
    /// The `repo` field as written.
    pub repo: String,
    /// The `source` paths or patterns, as written.
    pub sources: Vec<String>,
    pub target: String,
    /// `""` when the manifest has none.
    pub label: String,
    /// `target/label` without empty or `.` parts: the folder of the site the sources are
    /// copied into.
    pub dest: String,
}

impl Entry {
    /// `entry 3 (SovereignCloudStack/standards)`, for messages.
    pub fn describe(&self) -> String {
        format!("entry {} ({})", self.number, self.repo)
    }
}

/// One repository of the site, with every entry that takes files from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRepo {
    /// The URL to fetch: the first spelling met of it.
    pub url: String,
    /// In manifest order.
    pub entries: Vec<Entry>,
}

/// An entry that is not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub manifest: String,
    pub number: usize,
    /// The `repo` field, when the entry has one that is a string.
    pub repo: Option<String>,
    pub reason: String,
}

impl fmt::Display for Refusal {
    /// One line, sanitized: the fields come from someone else's repository.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = match &self.repo {
            Some(r) => format!(
                "{}: entry {} ({}) refused: {}",
                self.manifest, self.number, r, self.reason
            ),
            None => format!(
                "{}: entry {} refused: {}",
                self.manifest, self.number, self.reason
            ),
        };
        f.write_str(&crate::sanitize::line(&line, 0))
    }
}

/// What a manifest asks for, checked: the repositories to mirror and what was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// How the manifest is named in messages (its path or `SOURCE:docs.package.json`).
    pub manifest: String,
    /// The site's own URL, against which `owner/name` entries were resolved.
    pub site_url: String,
    /// Each repository once, in the order of its first entry.
    pub repos: Vec<SiteRepo>,
    pub refused: Vec<Refusal>,
    /// Things a person should know that refuse nothing (the repository cap).
    pub notes: Vec<String>,
}

impl Plan {
    /// Reads the manifest `text` (named `manifest` in messages) of the site fetched from
    /// `site_url`, whose content folders are `folders` (see [`folders`]).
    pub fn new(
        manifest: &str,
        text: &str,
        site_url: &str,
        folders: &[String],
    ) -> Result<Plan, SiteError> {
        // `getDocs.js` strips all whitespace before parsing, and JavaScript's `\s` includes
        // the byte order mark; a manifest saved with one works on the real site.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            SiteError::Json {
                file: manifest.to_string(),
                line: e.line(),
                column: e.column(),
                message: full.strip_suffix(&suffix).unwrap_or(&full).to_string(),
            }
        })?;
        let Value::Array(items) = value else {
            return Err(SiteError::Shape {
                file: manifest.to_string(),
                message: format!("expected a list of entries, found {}", kind_of(&value)),
            });
        };
        let mut plan = Plan {
            manifest: manifest.to_string(),
            site_url: site_url.to_string(),
            repos: Vec::new(),
            refused: Vec::new(),
            notes: Vec::new(),
        };
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut dropped_repos: HashSet<String> = HashSet::new();
        let mut dropped_entries = 0usize;
        for (i, item) in items.iter().enumerate() {
            let number = i + 1;
            let (entry, url) = match check_entry(number, item, site_url, folders) {
                Ok(x) => x,
                Err((repo, reason)) => {
                    plan.refused.push(Refusal {
                        manifest: manifest.to_string(),
                        number,
                        repo,
                        reason,
                    });
                    continue;
                }
            };
            let key = repo_key(&url);
            match by_key.get(&key) {
                Some(&at) => plan.repos[at].entries.push(entry),
                None if plan.repos.len() >= MAX_REPOSITORIES => {
                    dropped_repos.insert(key);
                    dropped_entries += 1;
                }
                None => {
                    by_key.insert(key, plan.repos.len());
                    plan.repos.push(SiteRepo {
                        url,
                        entries: vec![entry],
                    });
                }
            }
        }
        if !dropped_repos.is_empty() {
            plan.notes.push(format!(
                "{manifest}: names {} repositories; only the first {MAX_REPOSITORIES} are used \
                 ({} entries of {} more repositories left out)",
                MAX_REPOSITORIES + dropped_repos.len(),
                dropped_entries,
                dropped_repos.len()
            ));
        }
        Ok(plan)
    }

    /// The plan of a repository that is no site: nothing imported.
    pub fn empty(site_url: &str) -> Plan {
        Plan {
            manifest: String::new(),
            site_url: site_url.to_string(),
            repos: Vec::new(),
            refused: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Every usable entry with its repository, in manifest order: the order in which
    /// `getDocs.js` copies, so the order in which a later file replaces an earlier one.
    pub fn entries(&self) -> Vec<(&SiteRepo, &Entry)> {
        let mut all: Vec<(&SiteRepo, &Entry)> = self
            .repos
            .iter()
            .flat_map(|r| r.entries.iter().map(move |e| (r, e)))
            .collect();
        all.sort_by_key(|(_, e)| e.number);
        all
    }
}

/// The folders of a site that manifest entries may copy into: the `path` of each content
/// plugin (docs, blog) in its `docusaurus.config.js`, and `docs`, the classic preset's
/// docs folder, always (it is there unless configured otherwise). Without a Docusaurus
/// config, `docs` alone.
pub fn folders(docusaurus_config: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = match docusaurus_config {
        Some(js) => Routing::from_docusaurus_config(js)
            .bases
            .into_iter()
            .map(|(folder, _)| folder)
            .collect(),
        None => vec!["docs".to_string()],
    };
    out.sort();
    out.dedup();
    out
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

type Refused = (Option<String>, String);

/// One entry checked: the entry and the URL to fetch, or (its repo, why it is refused).
fn check_entry(
    number: usize,
    item: &Value,
    site_url: &str,
    folders: &[String],
) -> Result<(Entry, String), Refused> {
    let Value::Object(map) = item else {
        return Err((None, format!("is {}, not an object", kind_of(item))));
    };
    let repo = match map.get("repo") {
        None | Some(Value::Null) => return Err((None, "has no `repo`".into())),
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err((None, format!("`repo` is {}, not a string", kind_of(v)))),
    };
    let refuse = |reason: String| (Some(repo.clone()), reason);
    let sources = match map.get("source") {
        None | Some(Value::Null) => return Err(refuse("has no `source`".into())),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) if list.is_empty() => {
            return Err(refuse("`source` is an empty list".into()));
        }
        Some(Value::Array(list)) => {
            let mut out = Vec::with_capacity(list.len());
            for v in list {
                match v {
                    Value::String(s) => out.push(s.clone()),
                    other => {
                        return Err(refuse(format!(
                            "`source` lists {}, not a path",
                            kind_of(other)
                        )));
                    }
                }
            }
            out
        }
        Some(v) => {
            return Err(refuse(format!(
                "`source` is {}, not a path or a list of paths",
                kind_of(v)
            )));
        }
    };
    let target = match map.get("target") {
        None | Some(Value::Null) => return Err(refuse("has no `target`".into())),
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(refuse(format!("`target` is {}, not a path", kind_of(v)))),
    };
    // getDocs.js would write into a folder called `undefined`; no manifest means that.
    let label = match map.get("label") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(refuse(format!("`label` is {}, not a path", kind_of(v)))),
    };
    let url = resolve(site_url, &repo).map_err(refuse)?;
    for s in &sources {
        if s.is_empty() {
            return Err(refuse("`source` has an empty path".into()));
        }
        check_path("source", s, true).map_err(refuse)?;
    }
    if target.is_empty() {
        return Err(refuse("`target` is empty".into()));
    }
    check_path("target", &target, false).map_err(refuse)?;
    check_path("label", &label, false).map_err(refuse)?;
    let dest = parts(&target)
        .chain(parts(&label))
        .collect::<Vec<_>>()
        .join("/");
    if !folders.iter().any(|f| within(&dest, f)) {
        return Err(refuse(format!(
            "`target` {target} is outside the site's folders ({})",
            folders.join(", ")
        )));
    }
    Ok((
        Entry {
            number,
            repo,
            sources,
            target,
            label,
            dest,
        },
        url,
    ))
}

/// The parts of a path that name something: no empty or `.` parts.
fn parts(p: &str) -> impl Iterator<Item = &str> {
    p.split('/').filter(|c| !c.is_empty() && *c != ".")
}

/// True when `path` is `folder` or inside it.
fn within(path: &str, folder: &str) -> bool {
    let folder = folder.trim_matches('/');
    folder.is_empty()
        || path == folder
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The rules every path field follows: relative, inside the repository or site, and
/// meaning the same to ken as to the shell `getDocs.js` runs `cp` in.
fn check_path(field: &str, value: &str, glob_ok: bool) -> Result<(), String> {
    if value.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{field}` contains whitespace, which getDocs.js strips from the manifest"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("`{field}` contains control characters"));
    }
    if value.starts_with('/') {
        return Err(format!("`{field}` is an absolute path"));
    }
    if value.starts_with('~') {
        return Err(format!(
            "`{field}` starts with `~`, which the shell turns into a home folder"
        ));
    }
    if value.split('/').any(|c| c == "..") {
        return Err(format!("`..` is not allowed in `{field}`"));
    }
    if value.split('/').any(|c| c.starts_with('-')) {
        return Err(format!(
            "`{field}` has a part that looks like a command-line option"
        ));
    }
    if value.starts_with('#') {
        return Err(format!(
            "`{field}` starts with `#`, which the shell reads as a comment"
        ));
    }
    if let Some(c) = value.chars().find(|c| SHELL_SPECIAL.contains(c)) {
        return Err(format!(
            "`{field}` contains `{c}`, which the shell getDocs.js runs would interpret"
        ));
    }
    if !glob_ok && let Some(c) = value.chars().find(|c| GLOB.contains(c)) {
        return Err(format!(
            "`{field}` contains `{c}`: only `source` may be a pattern"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_is_by_whole_parts() {
        assert!(within("docs", "docs"));
        assert!(within("docs/a/b", "docs"));
        assert!(!within("docsx/a", "docs"));
        assert!(!within("blog", "docs"));
        assert!(within("anything", ""));
    }

    #[test]
    fn scs_folders_come_from_its_docusaurus_config() {
        let js = r#"
            presets: [['classic', { docs: { sidebarPath: 'x' }, blog: { path: './blog', routeBasePath: 'blog' } }]],
            plugins: [['@docusaurus/plugin-content-docs', { id: 'community', path: 'community', routeBasePath: 'community' }],
                      ['@docusaurus/plugin-content-docs', { id: 'standards', path: 'standards', routeBasePath: 'standards' }]]
        "#;
        assert_eq!(
            folders(Some(js)),
            ["blog", "community", "docs", "standards"]
        );
        assert_eq!(folders(None), ["docs"]);
    }
}
