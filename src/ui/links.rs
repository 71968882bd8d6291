//! Where links and pages lead, for the reader: what a link's target says in the status bar,
//! a page's address to copy (its site URL, else `source:path`), and where to edit a page
//! (the forge's edit URL, or the local file for `$EDITOR`). Pure functions of the page, its
//! source's site and the [`Env`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::data::{Library, Terms};
use super::env::Env;
use super::msg::{Effect, Message, Outcome};
use crate::config::SourceSpec;
use crate::corpus::Document;
use crate::forge;
use crate::keymap::{Action, Context, Keymap};
use crate::markdown::{Routing, Site, SiteDoc, Target};
use crate::store::Place;

/// Link resolution per source, made on first use for the library shown; the app clears it
/// whenever it takes another library.
#[derive(Default)]
pub struct Sites(HashMap<String, Arc<Site>>);

impl Sites {
    /// The site of `source`: its pages in `lib`, routed by the source's own routing when it
    /// has one.
    pub fn get(&mut self, lib: &Library, env: &Env, source: &str) -> Arc<Site> {
        if let Some(s) = self.0.get(source) {
            return s.clone();
        }
        let docs = lib
            .docs
            .iter()
            .filter(|d| d.source == source)
            .map(|d| SiteDoc {
                path: d.path.clone(),
                front_matter: d.front_matter.clone(),
            });
        let routing = env
            .routing_of
            .as_ref()
            .and_then(|f| f(source))
            .unwrap_or_else(routing);
        let site = Arc::new(Site::new(docs, routing));
        self.0.insert(source.to_string(), site.clone());
        site
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// What following a link of a page of `source` does.
pub fn follow(target: Target, lib: &Library, source: &str) -> Outcome {
    match target {
        Target::Doc { path, anchor } => match lib.find(source, &path) {
            Some(doc) => Outcome::Open {
                doc,
                anchor,
                terms: Terms::default(),
            },
            None => Message::error(format!("broken link: {path} is not in the library")).into(),
        },
        Target::Anchor(a) => Outcome::Anchor(a),
        Target::External(u) => Outcome::Copy {
            what: format!("external link {u} (not opened by ken)"),
            text: u,
        },
        Target::Broken { url, reason } => {
            Message::error(format!("broken link: {url} ({reason})")).into()
        }
    }
}

/// The page at a site URL (`https://docs.scs.community/…`), route (`/docs/…`), path, or
/// `source:path`, with an optional `#anchor`.
pub fn open_location(text: &str, lib: &Library, sites: &mut Sites, env: &Env) -> Outcome {
    let (name, anchor) = match text.split_once('#') {
        Some((n, a)) => (n, Some(a.to_string()).filter(|a| !a.is_empty())),
        None => (text, None),
    };
    let open = |doc, anchor| Outcome::Open {
        doc,
        anchor,
        terms: Terms::default(),
    };
    if !name.is_empty()
        && let Some(i) = lib.resolve(name)
    {
        return open(i, anchor);
    }
    let mut sources: Vec<String> = lib.docs.iter().map(|d| d.source.clone()).collect();
    sources.dedup();
    for s in sources {
        if let Target::Doc { path, anchor } = sites.get(lib, env, &s).resolve("", text)
            && let Some(i) = lib.find(&s, &path)
        {
            return open(i, anchor);
        }
    }
    Message::error(format!("no page at {text}")).into()
}

/// The routing of a source from the `docusaurus.config.js` at the top of its last good copy
/// (its site URL, docs folders and redirects); `None` when it has none.
pub fn source_routing(base: &crate::base::Base, spec: &SourceSpec) -> Option<Routing> {
    let snap = base.snapshot(spec).ok()?;
    let filter = crate::corpus::Filter::new(spec).ok()?;
    let entries = snap.entries(filter.root()).ok()?;
    let entry = entries
        .iter()
        .find(|e| e.path == "docusaurus.config.js" || e.path == "docusaurus.config.ts")?;
    let crate::source::Content::Bytes(b) = snap.read(filter.root(), entry, 1 << 20).ok()? else {
        return None;
    };
    let mut r = Routing::from_docusaurus_config(&crate::corpus::decode(b));
    if let Some(m) = spec.mount.as_deref().map(|m| m.trim_matches('/')) {
        for (folder, _) in &mut r.bases {
            *folder = format!("{m}/{folder}");
        }
    }
    Some(r)
}

/// How the reader resolves links and site URLs: Docusaurus' rules, with docs.scs.community
/// as the site whose URLs open local pages.
pub fn routing() -> Routing {
    Routing::scs()
}

/// Copies `text` to the user's clipboard (OSC 52: bytes for the terminal) and says so; `what`
/// names it in the message.
pub fn copy(text: &str, what: &str, in_tmux: bool) -> Outcome {
    match crate::clipboard::copy_sequence(text, in_tmux) {
        Ok(bytes) => Outcome::Effect(
            Effect::Write(bytes),
            Some(Message::info(format!("copied {what} to the clipboard"))),
        ),
        Err(e) => Message::error(format!("not copied: {e}")).into(),
    }
}

/// What the status bar says about a selected link.
pub fn describe(target: &Target, keymap: &Keymap) -> Message {
    let key = keymap
        .hint(Context::Reader, Action::FollowLink)
        .unwrap_or_default();
    match target {
        Target::Doc { path, anchor } => Message::info(format!(
            "link → {path}{}  ({key} follows)",
            anchor.as_ref().map(|a| format!("#{a}")).unwrap_or_default()
        )),
        Target::Anchor(a) => Message::info(format!("link → #{a} on this page")),
        Target::External(u) => Message::info(format!("external link: {u}  ({key} copies it)")),
        Target::Broken { url, reason } => Message::error(format!("broken link: {url} ({reason})")),
    }
}

/// The page's address: its site URL (at the section) for a source whose site is known,
/// else `source:path`, which `ken DOC` and the open prompt take.
pub fn location(place: &Place, env: &Env, site: &Site) -> String {
    let own = env
        .routing_of
        .as_ref()
        .and_then(|f| f(&place.source))
        .and_then(|r| r.site_url);
    let scs = env.spec(&place.source).is_some_and(|s| {
        s.url
            .to_ascii_lowercase()
            .contains("sovereigncloudstack/docs")
    });
    let origin = own.or_else(|| if scs { routing().site_url } else { None });
    if let Some(origin) = origin
        && let Some(route) = site.route(&place.path)
    {
        let anchor = place
            .anchor
            .as_ref()
            .map(|a| format!("#{a}"))
            .unwrap_or_default();
        return format!("{origin}{route}{anchor}");
    }
    format!("{}:{}", place.source, place.path)
}

/// Contribute: a page of a local folder opens in `$EDITOR`; for a page on GitHub or GitLab
/// the edit URL is copied.
pub fn edit(doc: &Document, env: &Env) -> Outcome {
    let Some(spec) = env.spec(&doc.source) else {
        return Message::info(format!(
            "{} is not from a configured source (ken's own guide is edited in ken's repository)",
            doc.path
        ))
        .into();
    };
    match crate::source::location(spec) {
        crate::source::Location::Dir(root) => {
            let path = root.join(forge::repo_path(spec.root.as_deref(), &doc.rel));
            match local_file(&root, &path) {
                Some(p) => Outcome::Effect(
                    Effect::Edit(p),
                    Some(Message::info(format!("editing {}", doc.path))),
                ),
                None => {
                    Message::error(format!("{} is not a file inside {}", doc.path, spec.url)).into()
                }
            }
        }
        crate::source::Location::Git(url) => {
            let branch = spec
                .branch
                .clone()
                .or_else(|| env.branches.get(&spec.name).cloned())
                .unwrap_or_else(|| "HEAD".into());
            let path = forge::repo_path(spec.root.as_deref(), &doc.rel);
            match forge::edit_url(&url, &branch, &path) {
                Some(u) => Outcome::Copy {
                    what: format!("the edit URL {u}"),
                    text: u,
                },
                None => Message::error(format!(
                    "{} is not on GitHub or GitLab: no edit URL (the file is {path} on {branch})",
                    spec.name
                ))
                .into(),
            }
        }
    }
}

/// `path` when it is a regular file inside `root` (no symlink leads out).
fn local_file(root: &Path, path: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let p = path.canonicalize().ok()?;
    (p.starts_with(&root) && p.is_file()).then_some(p)
}
