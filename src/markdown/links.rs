//! Link resolution by Docusaurus' routing rules, for any source.
//!
//! A [`Site`] is made from the documents of a source (path and front matter) and a
//! [`Routing`]: which folder is served under which URL path. Each document gets its route
//! like Docusaurus gives it one: number prefixes (`02-`) dropped from folders and files,
//! `index`/`README` (or a file named like its folder) standing for the folder, `slug` and
//! `id` front matter honoured. Links are then resolved as the site would: relative `.md`
//! paths by file, other relative paths by URL against the page's route, `/docs/…` against
//! the routes, and full URLs of the site's own origin likewise.

use std::collections::{HashMap, HashSet};

/// Which folder of a source is served under which URL path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The site's origin, such as `https://docs.scs.community` (no trailing slash).
    pub site_url: Option<String>,
    /// `(folder, route base)`, such as `("docs", "/docs")`; the longest folder match wins.
    /// A document under no folder is routed by its own path from `/`.
    pub bases: Vec<(String, String)>,
    /// Client-side redirects `(from, to)` of the site.
    pub redirects: Vec<(String, String)>,
}

impl Default for Routing {
    /// Every folder served under its own name (what the SCS site does).
    fn default() -> Self {
        Routing {
            site_url: None,
            bases: Vec::new(),
            redirects: Vec::new(),
        }
    }
}

impl Routing {
    /// The routing of the SCS site, docs.scs.community.
    pub fn scs() -> Routing {
        Routing {
            site_url: Some("https://docs.scs.community".into()),
            ..Routing::default()
        }
    }

    /// Reads `url`, and each `path` + `routeBasePath` pair, from a `docusaurus.config.js`.
    /// The classic preset's docs (`docs` → `/docs`) are assumed unless configured otherwise.
    pub fn from_docusaurus_config(js: &str) -> Routing {
        let mut r = Routing::default();
        let string_after = |s: &str, key: &str| -> Option<String> {
            let i = s.find(key)?;
            let rest = s[i + key.len()..]
                .trim_start()
                .strip_prefix(':')?
                .trim_start();
            let q = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '\'' | '"' | '`'))?;
            let body = &rest[1..];
            Some(body[..body.find(q)?].to_string())
        };
        r.site_url = string_after(js, "url").map(|u| u.trim_end_matches('/').to_string());
        let mut rest = js;
        while let Some(i) = rest.find("routeBasePath") {
            let before = &rest[..i];
            let after = &rest[i..];
            if let (Some(route), Some(path_pos)) =
                (string_after(after, "routeBasePath"), before.rfind("path:"))
                && let Some(path) = string_after(&before[path_pos..], "path")
            {
                let folder = path.trim_start_matches("./").trim_matches('/').to_string();
                let route = format!("/{}", route.trim_matches('/'));
                r.bases.push((folder, route));
            }
            rest = &rest[i + "routeBasePath".len()..];
        }
        let mut rest = js;
        while let Some(i) = rest.find("from:") {
            let after = &rest[i..];
            if let (Some(from), Some(to)) = (string_after(after, "from"), string_after(after, "to"))
            {
                r.redirects
                    .push((from.trim_end_matches('/').to_string(), to));
            }
            rest = &rest[i + "from:".len()..];
        }
        if !r.bases.iter().any(|(f, _)| f == "docs") {
            r.bases.push(("docs".into(), "/docs".into()));
        }
        r
    }
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A page of the source (its path), maybe at an anchor.
    Doc {
        path: String,
        anchor: Option<String>,
    },
    /// An anchor on the same page.
    Anchor(String),
    /// Anything outside the source: kept as a URL.
    External(String),
    /// Looks internal but names no page.
    Broken { url: String, reason: String },
}

/// One document as the resolver needs it.
#[derive(Debug, Clone)]
pub struct SiteDoc {
    pub path: String,
    pub front_matter: Option<serde_json::Value>,
}

/// The pages of one source and their routes.
#[derive(Debug, Clone, Default)]
pub struct Site {
    routing: Routing,
    paths: Vec<String>,
    by_path: HashMap<String, usize>,
    routes: Vec<String>,
    by_route: HashMap<String, usize>,
    /// The first segment of every route (`docs`, `standards`): the parts of the site this
    /// source serves, asked once per link that names no page (a scan of the routes made
    /// `ken check` of 40,000 pages quadratic).
    bases: HashSet<String>,
}

/// `02-iaas` → `iaas`, as Docusaurus' default number prefix parser does.
pub fn strip_number_prefix(name: &str) -> &str {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return name;
    }
    let rest = &name[digits..];
    let rest = rest.trim_start_matches(' ');
    let seps = rest
        .bytes()
        .take_while(|b| matches!(b, b'-' | b'_' | b'.'))
        .count();
    if seps == 0 {
        return name;
    }
    let rest = rest[seps..].trim_start_matches(' ');
    if rest.is_empty() || rest.starts_with(['-', '_', '.']) {
        return name;
    }
    // `1.2.3-notes` is a version, not a prefix.
    if name[..digits + 1].ends_with('.') && rest.starts_with(|c: char| c.is_ascii_digit()) {
        return name;
    }
    rest
}

fn stem(file: &str) -> &str {
    for ext in [".mdx", ".md", ".markdown"] {
        if file.len() > ext.len() && file.to_ascii_lowercase().ends_with(ext) {
            return &file[..file.len() - ext.len()];
        }
    }
    file
}

fn fm_str<'a>(fm: Option<&'a serde_json::Value>, key: &str) -> Option<&'a str> {
    fm?.get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Normalizes `a/./b/../c` and drops empty segments; `None` when `..` climbs out.
pub(crate) fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Site {
    pub fn new(docs: impl IntoIterator<Item = SiteDoc>, routing: Routing) -> Site {
        let mut site = Site {
            routing,
            ..Site::default()
        };
        for d in docs {
            site.push(d.path, d.front_matter.as_ref());
        }
        site
    }

    /// [`Site::new`] from pages borrowed (path and front matter), which are not copied.
    pub fn borrowed<'a>(
        docs: impl IntoIterator<Item = (&'a str, Option<&'a serde_json::Value>)>,
        routing: Routing,
    ) -> Site {
        let mut site = Site {
            routing,
            ..Site::default()
        };
        for (path, front_matter) in docs {
            site.push(path.to_string(), front_matter);
        }
        site
    }

    /// Adds a page after the others: a route several pages make is the first one's.
    fn push(&mut self, path: String, front_matter: Option<&serde_json::Value>) {
        let i = self.paths.len();
        let route = self.route_for(&path, front_matter);
        self.by_path.insert(path.clone(), i);
        self.by_route.entry(route.clone()).or_insert(i);
        self.bases.insert(
            route
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("")
                .to_string(),
        );
        self.routes.push(route);
        self.paths.push(path);
    }

    /// How this site routes its pages.
    pub fn routing(&self) -> &Routing {
        &self.routing
    }

    /// The route this site would give a page at `path` with `front_matter`.
    pub fn route_of(&self, path: &str, front_matter: Option<&serde_json::Value>) -> String {
        self.route_for(path, front_matter)
    }

    /// The route (URL path) of a document, as Docusaurus makes it.
    pub fn route(&self, path: &str) -> Option<&str> {
        self.by_path.get(path).map(|&i| self.routes[i].as_str())
    }

    /// The document served at a route.
    pub fn doc_at(&self, route: &str) -> Option<&str> {
        let r = format!("/{}", route.trim_matches('/'));
        self.by_route.get(&r).map(|&i| self.paths[i].as_str())
    }

    /// The document a route shows, after the site's client redirects (`.html` ignored).
    pub fn page_at(&self, route: &str) -> Option<&str> {
        self.doc_at(self.redirected(route))
    }

    /// A route after the site's client redirects, and without `.html`.
    fn redirected<'a>(&'a self, route: &'a str) -> &'a str {
        let r = route.trim_end_matches(".html");
        let to = self
            .routing
            .redirects
            .iter()
            .find(|(from, _)| from == r.trim_end_matches('/'))
            .map(|(_, to)| to.as_str());
        match to {
            Some(to) if self.doc_at(to).is_some() => to,
            _ => r,
        }
    }

    fn route_for(&self, path: &str, fm: Option<&serde_json::Value>) -> String {
        let (base_folder, base_route) = self
            .routing
            .bases
            .iter()
            .filter(|(f, _)| f.is_empty() || path.starts_with(&format!("{f}/")))
            .max_by_key(|(f, _)| f.len())
            .map(|(f, r)| (f.to_string(), r.trim_end_matches('/').to_string()))
            .unwrap_or_else(|| match path.split_once('/') {
                // Unconfigured: each top-level folder is served under its own name.
                Some((top, _)) => (top.to_string(), format!("/{top}")),
                None => (String::new(), String::new()),
            });
        let base_route = base_route.as_str();
        let inside = path[base_folder.len()..].trim_start_matches('/');
        let (dir, file) = match inside.rsplit_once('/') {
            Some((d, f)) => (d, f),
            None => ("", inside),
        };
        let dirs: Vec<&str> = dir
            .split('/')
            .filter(|s| !s.is_empty())
            .map(strip_number_prefix)
            .collect();
        let dir_route = dirs.join("/");
        let join = |a: &str, b: &str| -> String {
            let s = [base_route, a, b]
                .iter()
                .map(|x| x.trim_matches('/'))
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join("/");
            format!("/{s}")
        };
        if let Some(slug) = fm_str(fm, "slug") {
            return if slug.starts_with('/') {
                join("", slug)
            } else {
                join(&dir_route, slug)
            };
        }
        let name = fm_str(fm, "id").unwrap_or_else(|| strip_number_prefix(stem(file)));
        let last_dir = dirs.last().copied().unwrap_or("");
        let is_index = name.eq_ignore_ascii_case("index")
            || name.eq_ignore_ascii_case("readme")
            || (!last_dir.is_empty() && name.eq_ignore_ascii_case(last_dir));
        if is_index && fm_str(fm, "id").is_none() {
            join(&dir_route, "")
        } else {
            join(&dir_route, name)
        }
    }

    /// Resolves a link written on the page at `from` (a document path of this site).
    pub fn resolve(&self, from: &str, url: &str) -> Target {
        let url = url.trim();
        let (before_hash, anchor) = match url.split_once('#') {
            Some((b, a)) => (b, Some(percent_decode(a)).filter(|a| !a.is_empty())),
            None => (url, None),
        };
        let before_query = before_hash.split('?').next().unwrap_or("");
        if before_query.is_empty() {
            return match anchor {
                Some(a) => Target::Anchor(a),
                None => Target::Anchor(String::new()),
            };
        }
        let lower = before_query.to_ascii_lowercase();
        // A full URL of the site itself is a site-absolute path.
        if let Some(site) = &self.routing.site_url {
            let site_lower = site.to_ascii_lowercase();
            let alt = site_lower.replacen("https://", "http://", 1);
            for origin in [site_lower.as_str(), alt.as_str()] {
                if lower == origin || lower.starts_with(&format!("{origin}/")) {
                    let path = &before_query[origin.len()..];
                    return self.by_route_or_broken(
                        if path.is_empty() { "/" } else { path },
                        anchor,
                        url,
                    );
                }
            }
        }
        if lower.contains("://") || lower.starts_with("mailto:") || lower.starts_with("//") {
            return Target::External(url.to_string());
        }
        if lower.contains(':') && !lower.contains('/') {
            // tel:, javascript:, …
            return Target::External(url.to_string());
        }
        let decoded = percent_decode(before_query);
        if decoded.starts_with('/') {
            return self.by_route_or_broken(&decoded, anchor, url);
        }
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let is_file_link = [".md", ".mdx", ".markdown"]
            .iter()
            .any(|e| decoded.to_ascii_lowercase().ends_with(e));
        if is_file_link {
            return match normalize(&format!("{dir}/{decoded}")) {
                Some(p) if self.by_path.contains_key(&p) => Target::Doc { path: p, anchor },
                Some(p) => Target::Broken {
                    url: url.to_string(),
                    reason: format!("no page {p}"),
                },
                None => Target::Broken {
                    url: url.to_string(),
                    reason: "leads out of the source".into(),
                },
            };
        }
        // A relative URL: resolved against the page's route, as a browser does.
        let Some(route) = self.route(from) else {
            return Target::Broken {
                url: url.to_string(),
                reason: format!("{from} is not a page of this source"),
            };
        };
        let route_dir = route.rsplit_once('/').map_or("", |(d, _)| d);
        match normalize(&format!("{route_dir}/{decoded}")) {
            Some(p) => {
                // A relative link to a non-Markdown file of the source (an image, a YAML).
                if let Some(file) = normalize(&format!("{dir}/{decoded}"))
                    && !self.by_route.contains_key(&format!("/{p}"))
                    && file.contains('.')
                {
                    return Target::External(url.to_string());
                }
                self.by_route_or_broken(&format!("/{p}"), anchor, url)
            }
            None => Target::Broken {
                url: url.to_string(),
                reason: "leads out of the site".into(),
            },
        }
    }

    fn by_route_or_broken(&self, route: &str, anchor: Option<String>, url: &str) -> Target {
        let r = self.redirected(route);
        let segments: Vec<&str> = r.split('/').filter(|s| !s.is_empty()).collect();
        // Pages the site generates (category indexes, the blog's list) are not documents.
        let generated = segments.get(1) == Some(&"category") || segments.len() == 1;
        if generated && self.doc_at(r).is_none() {
            return Target::External(match &self.routing.site_url {
                Some(site) if url.starts_with('/') => format!("{site}{url}"),
                _ => url.to_string(),
            });
        }
        match self.doc_at(r) {
            Some(p) => Target::Doc {
                path: p.to_string(),
                anchor,
            },
            None => {
                let first = r.trim_start_matches('/').split('/').next().unwrap_or("");
                let known_base = self.bases.contains(first);
                if known_base {
                    Target::Broken {
                        url: url.to_string(),
                        reason: format!("no page at {r}"),
                    }
                } else {
                    // Something the site serves that is not a page of this source.
                    Target::External(url.to_string())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn site() -> Site {
        let d = |p: &str, fm: Option<serde_json::Value>| SiteDoc {
            path: p.into(),
            front_matter: fm,
        };
        Site::new(
            [
                d("docs/index.md", None),
                d("docs/02-iaas/01-deployment/overview.md", None),
                d("docs/02-iaas/index.mdx", None),
                d("docs/03-container/container.md", None),
                d("standards/scs-0100-v3-flavor-naming.md", None),
                d("docs/faq/x.md", Some(json!({"slug": "/questions"}))),
                d("docs/faq/y.md", Some(json!({"slug": "why"}))),
            ],
            Routing::scs(),
        )
    }

    #[test]
    fn routes_follow_docusaurus() {
        let s = site();
        assert_eq!(s.route("docs/index.md"), Some("/docs"));
        assert_eq!(
            s.route("docs/02-iaas/01-deployment/overview.md"),
            Some("/docs/iaas/deployment/overview")
        );
        assert_eq!(s.route("docs/02-iaas/index.mdx"), Some("/docs/iaas"));
        assert_eq!(
            s.route("docs/03-container/container.md"),
            Some("/docs/container")
        );
        assert_eq!(s.route("docs/faq/x.md"), Some("/docs/questions"));
        assert_eq!(s.route("docs/faq/y.md"), Some("/docs/faq/why"));
        assert_eq!(strip_number_prefix("2024-notes"), "notes");
        assert_eq!(strip_number_prefix("scs-0100"), "scs-0100");
    }

    #[test]
    fn links_resolve() {
        let s = site();
        let from = "docs/02-iaas/index.mdx";
        assert_eq!(
            s.resolve(from, "./01-deployment/overview.md#step-2"),
            Target::Doc {
                path: "docs/02-iaas/01-deployment/overview.md".into(),
                anchor: Some("step-2".into())
            }
        );
        assert_eq!(
            s.resolve(from, "/standards/scs-0100-v3-flavor-naming"),
            Target::Doc {
                path: "standards/scs-0100-v3-flavor-naming.md".into(),
                anchor: None
            }
        );
        assert_eq!(
            s.resolve(from, "https://docs.scs.community/docs/container/"),
            Target::Doc {
                path: "docs/03-container/container.md".into(),
                anchor: None
            }
        );
        assert_eq!(s.resolve(from, "#usage"), Target::Anchor("usage".into()));
        assert!(matches!(
            s.resolve(from, "https://example.com"),
            Target::External(_)
        ));
        assert!(matches!(
            s.resolve(from, "/docs/nope"),
            Target::Broken { .. }
        ));
        assert!(matches!(
            s.resolve(from, "missing.md"),
            Target::Broken { .. }
        ));
    }

    #[test]
    fn config_routing() {
        let r = Routing::from_docusaurus_config(
            "url: 'https://docs.scs.community',\n plugins: [[ '@docusaurus/plugin-content-docs', { id: 'c', path: 'community', routeBasePath: 'community' } ]]",
        );
        assert_eq!(r.site_url.as_deref(), Some("https://docs.scs.community"));
        assert!(r.bases.contains(&("community".into(), "/community".into())));
        assert!(r.bases.contains(&("docs".into(), "/docs".into())));
    }
}
