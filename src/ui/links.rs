//! Where links and pages lead, for the reader: what following a link does and what its
//! target says in the status bar, the page a URL or path means, a page's address to copy
//! (its site URL, else `source:path`), where to edit a page (the forge's edit URL in the
//! repository the page comes from, or the local file for `$EDITOR`), and the copy itself.
//! Pure functions of the page, the library (whose sites say where links go) and the [`Env`].

use std::path::{Path, PathBuf};

use super::data::{Library, Terms};
use super::env::Env;
use super::msg::{Effect, Message, Outcome};
use crate::corpus::Document;
use crate::forge;
use crate::keymap::{Action, Context, Keymap};
use crate::library::{FindError, SiteRouting};
use crate::markdown::Target;
use crate::store::Place;

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
/// `source:path`, with an optional `#anchor` (the library's rules, as `ken show`'s).
pub fn open_location(text: &str, lib: &Library) -> Outcome {
    match lib.find_page(text) {
        Ok(found) => Outcome::Open {
            doc: found.index,
            anchor: found.anchor,
            terms: Terms::default(),
        },
        Err(FindError::NotFound { .. }) => Message::error(format!("no page at {text}")).into(),
        Err(e) => Message::error(e.to_string()).into(),
    }
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
pub fn location(place: &Place, env: &Env, lib: &Library) -> String {
    // The library knows the origin of a source it read the routing of; else the spec says
    // whether the source is the SCS documentation.
    let origin = lib
        .origin(&place.source)
        .or_else(|| SiteRouting::fallback(env.spec(&place.source)).origin);
    if let Some(origin) = origin
        && let Some(route) = lib.site(&place.source).route(&place.path)
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

/// Edits the open page, if there is one.
pub fn edit_open(doc: Option<&Document>, env: &Env) -> Outcome {
    match doc {
        Some(d) => edit(d, env),
        None => Message::info("open a page to edit it").into(),
    }
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
            // A page of a site is edited in the repository it comes from, at its own path
            // there (the live site links every imported page to the docs repository).
            let (url, branch, path) = match &doc.origin {
                Some(o) => (
                    o.repo.clone(),
                    o.branch.clone().unwrap_or_else(|| "HEAD".into()),
                    o.path.clone(),
                ),
                None => (
                    url,
                    spec.branch
                        .clone()
                        .or_else(|| env.branches.get(&spec.name).cloned())
                        .unwrap_or_else(|| "HEAD".into()),
                    forge::repo_path(spec.root.as_deref(), &doc.rel),
                ),
            };
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
