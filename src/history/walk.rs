//! The walk: one first-parent pass over a mirror's history, newest first, diffing each commit
//! with its first parent (as `git log --first-parent` sees a branch), that gives every page of
//! the tip its last change and its creation, following renames back to the name it was added
//! under.
//!
//! - A first walk stops as soon as every page has been seen created; it never walks once per
//!   page, and never more than [`MAX_COMMITS`] commits.
//! - A later walk starts from the stored tip when the new tip descends from it, walks only
//!   the commits between them, and takes the stored answers for every page those commits did
//!   not touch (under the name the page had at the stored tip). A tip that does not descend
//!   from the stored one (history rewritten by a force-push) is walked from scratch.
//! - Commits listed in the repository's `.git-blame-ignore-revs` (full ids, `#` comments) are
//!   no page's last change; a page they created is still created by them.
//! - A rename that keeps the content is not a change of the page; one that edits it is.
//! - A shallow mirror's boundary commits are not diffed (their parents are missing, so every
//!   file would look added there): pages not dated above the boundary stay unknown.

use std::collections::{BTreeMap, HashMap, HashSet};

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository, Sort, Tree};

use super::stored::{CommitInfo, Rec, Stored, VERSION};
use crate::config::SourceSpec;
use crate::corpus::Filter;

/// The most commits one walk looks at (a first walk of a longer history leaves the creation
/// of the oldest pages unknown, and says so).
pub const MAX_COMMITS: usize = 300_000;
/// The file that lists commits `git blame` (and so ken) skips.
const IGNORE_REVS: &str = ".git-blame-ignore-revs";
/// Longest author name and subject kept, in characters.
const MAX_AUTHOR: usize = 200;
const MAX_SUBJECT: usize = 300;

/// What decides a walk besides the tip: the source's root and globs ([`configured`]), and
/// the ignore-revs file's content (its blob id).
pub(super) fn settings(
    repo: &Repository,
    tip: Oid,
    spec: &SourceSpec,
) -> Result<String, git2::Error> {
    let tree = repo.find_commit(tip)?.tree()?;
    let ignore = tree
        .get_name(IGNORE_REVS)
        .map(|e| e.id().to_string())
        .unwrap_or_default();
    Ok(format!("{}ignore={ignore}", configured(spec)))
}

/// The part of [`settings`] that comes from the configuration alone. The rest is a function
/// of the tip's tree, so a walk of the same tip under the same configuration is current
/// without opening the mirror ([`Stored::is_current_at`]).
pub(super) fn configured(spec: &SourceSpec) -> String {
    format!(
        "root={:?} include={:?} exclude={:?} ",
        spec.root.as_deref().unwrap_or(""),
        spec.include,
        spec.exclude
    )
}

/// One page being followed back through history.
struct Track {
    tip_path: String,
    /// Its name at the commit being looked at.
    name: String,
    changed: Option<usize>,
    created: Option<usize>,
}

/// The walk of `tip`: incremental from `old` when it is the walk of an ancestor under the same
/// settings, else from scratch.
pub(super) fn compute(
    repo: &Repository,
    tip: Oid,
    filter: &Filter,
    settings: &str,
    old: Option<&Stored>,
) -> Result<Stored, git2::Error> {
    let tip_commit = repo.find_commit(tip)?;
    let tip_tree = tip_commit.tree()?;
    let ignored = ignore_revs(repo, &tip_tree);
    let pages = tracked(repo, &tip_tree, filter)?;
    let since = old.and_then(|o| {
        let o_tip = Oid::from_str(&o.tip).ok()?;
        let usable = o.version == VERSION
            && o.settings == settings
            && repo.find_commit(o_tip).is_ok()
            && (o_tip == tip || repo.graph_descendant_of(tip, o_tip).unwrap_or(false));
        usable.then_some((o, o_tip))
    });

    let mut tracks: Vec<Track> = pages
        .iter()
        .map(|p| Track {
            tip_path: p.clone(),
            name: p.clone(),
            changed: None,
            created: None,
        })
        .collect();
    // The name each undone page has at the commit being looked at.
    let mut alive: HashMap<String, usize> =
        pages.into_iter().enumerate().map(|(i, p)| (p, i)).collect();
    let mut commits: Vec<CommitInfo> = Vec::new();
    let mut seen: HashMap<Oid, usize> = HashMap::new();
    let shallow_roots = shallow_roots(repo);
    let mut shallow = false;
    let mut truncated = false;

    // From scratch, the walk follows first parents itself: libgit2's revwalk reads ahead, and
    // would fail before the first commit on a mirror whose history was cut short. From a
    // stored tip, the revwalk's `hide` gives exactly the commits the stored walk has not seen,
    // even when the old tip was merged in as a second parent.
    let walk: Box<dyn Iterator<Item = Result<Oid, git2::Error>>> = match since {
        Some((_, o_tip)) => {
            let mut w = repo.revwalk()?;
            w.set_sorting(Sort::NONE)?;
            w.simplify_first_parent()?;
            w.push(tip)?;
            w.hide(o_tip)?;
            Box::new(w)
        }
        None => Box::new(first_parents(repo, tip)),
    };
    let mut diff_opts = DiffOptions::new();
    if let Some(r) = filter.root() {
        diff_opts.pathspec(r);
    }
    let mut paths = Node::default();
    let mut dirty = true;
    let mut count = 0usize;
    for oid in walk {
        if alive.is_empty() {
            break;
        }
        let oid = match oid {
            Ok(o) => o,
            // The walk reads each commit's parents as it goes: one that is missing means the
            // mirror was fetched from a shallow clone, and history ends here.
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                shallow = true;
                break;
            }
            Err(e) => return Err(e),
        };
        count += 1;
        if count > MAX_COMMITS {
            truncated = true;
            break;
        }
        if shallow_roots.contains(&oid) {
            shallow = true;
            break;
        }
        let commit = repo.find_commit(oid)?;
        let tree = commit.tree()?;
        let parent_tree = match commit.parent_count() {
            0 => None,
            _ => match commit.parent(0) {
                Ok(p) => Some(p.tree()?),
                // A parent that is not there: the mirror ends here, as a shallow one does.
                Err(_) => {
                    shallow = true;
                    break;
                }
            },
        };
        if dirty {
            paths = trie(&alive);
            dirty = false;
        }
        let mut events = Vec::new();
        compare(repo, &tree, parent_tree.as_ref(), &paths, &mut events)?;
        if events.is_empty() {
            continue;
        }
        let skip = ignored.contains(&oid);
        let mut index = |commits: &mut Vec<CommitInfo>| -> usize {
            *seen.entry(oid).or_insert_with(|| {
                commits.push(info(&commit));
                commits.len() - 1
            })
        };
        // A page that is new here may have been renamed from another path: git's rename
        // detection (which reads blobs) is asked only then.
        let renames = if events.iter().any(|(_, e)| *e == Event::Added) {
            renames(repo, parent_tree.as_ref(), &tree, &mut diff_opts)?
        } else {
            HashMap::new()
        };
        // Old names are followed once every page of this commit has been looked at, so that
        // a page renamed to where another one was renamed from is never lost.
        let mut renamed = Vec::new();
        for (t, event) in events {
            let tr = &mut tracks[t];
            let name = tr.name.clone();
            match (event, renames.get(&name)) {
                (Event::Modified, _) => {
                    if !skip && tr.changed.is_none() {
                        tr.changed = Some(index(&mut commits));
                    }
                }
                (Event::Added, Some((from, edited))) => {
                    if *edited && !skip && tr.changed.is_none() {
                        tr.changed = Some(index(&mut commits));
                    }
                    alive.remove(&name);
                    renamed.push((from.clone(), t));
                }
                (Event::Added, None) => {
                    let i = index(&mut commits);
                    tr.created = Some(i);
                    // The creation is the page's last change when no later one counted.
                    tr.changed.get_or_insert(i);
                    alive.remove(&name);
                    dirty = true;
                }
            }
        }
        for (from, t) in renamed {
            tracks[t].name = from.clone();
            alive.insert(from, t);
            dirty = true;
        }
    }

    // Pages still followed are those the walked commits did not create: take the stored
    // answers under the name they had at the stored tip.
    let at_old = |t: usize| since.is_some().then(|| tracks[t].name.as_str());
    let mut out = Stored {
        version: VERSION,
        url: String::new(),
        tip: tip.to_string(),
        settings: settings.to_string(),
        shallow,
        truncated,
        ..Stored::default()
    };
    if let Some((o, _)) = since {
        out.shallow |= o.shallow;
        out.truncated |= o.truncated;
    }
    // Commits are renumbered to those some page refers to, each once.
    let mut renumber: HashMap<(bool, usize), u32> = HashMap::new();
    let mut keep = |old_table: bool, i: usize, out: &mut Stored| -> Option<u32> {
        let info = if old_table {
            since?.0.commits.get(i)?.clone()
        } else {
            commits.get(i)?.clone()
        };
        Some(*renumber.entry((old_table, i)).or_insert_with(|| {
            out.commits.push(info);
            (out.commits.len() - 1) as u32
        }))
    };
    for (t, tr) in tracks.iter().enumerate() {
        let prior = at_old(t)
            .and_then(|name| since.and_then(|(o, _)| o.pages.get(name)).copied())
            .unwrap_or_default();
        let changed = match tr.changed {
            Some(i) => keep(false, i, &mut out),
            None => prior.changed.and_then(|i| keep(true, i as usize, &mut out)),
        };
        let created = match tr.created {
            Some(i) => keep(false, i, &mut out),
            None => prior.created.and_then(|i| keep(true, i as usize, &mut out)),
        };
        out.pages
            .insert(tr.tip_path.clone(), Rec { changed, created });
    }
    Ok(out)
}

/// `tip`, its first parent, that one's first parent, … to the root; a missing commit ends it
/// with a `NotFound` error.
fn first_parents(repo: &Repository, tip: Oid) -> impl Iterator<Item = Result<Oid, git2::Error>> {
    let mut next = Some(tip);
    std::iter::from_fn(move || {
        let oid = next.take()?;
        match repo.find_commit(oid) {
            Ok(c) => {
                next = c.parent_id(0).ok();
                Some(Ok(oid))
            }
            Err(e) => Some(Err(e)),
        }
    })
}

/// The repository paths of the tip's documents (under the filter's root).
fn tracked(
    repo: &Repository,
    tree: &Tree<'_>,
    filter: &Filter,
) -> Result<Vec<String>, git2::Error> {
    let sub;
    let (tree, prefix) = match filter.root() {
        None => (tree, String::new()),
        Some(r) => match tree.get_path(std::path::Path::new(r)) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Tree) => {
                sub = repo.find_tree(e.id())?;
                (&sub, format!("{r}/"))
            }
            _ => return Ok(Vec::new()),
        },
    };
    let mut out = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
        if out.len() >= crate::source::MAX_FILES {
            return git2::TreeWalkResult::Abort;
        }
        if matches!(e.filemode(), 0o100644 | 0o100755 | 0o120000)
            && let Ok(name) = std::str::from_utf8(e.name_bytes())
        {
            let rel = format!("{dir}{name}");
            if filter.is_doc(&rel) {
                out.push(format!("{prefix}{rel}"));
            }
        }
        git2::TreeWalkResult::Ok
    })?;
    Ok(out)
}

/// The followed pages as a tree of names, so that a commit is compared with its parent only
/// along the folders that hold them, and not at all below a folder whose tree is unchanged.
#[derive(Default)]
struct Node {
    files: Vec<(String, usize)>,
    dirs: BTreeMap<String, Node>,
}

fn trie(alive: &HashMap<String, usize>) -> Node {
    let mut root = Node::default();
    for (path, &t) in alive {
        let mut node = &mut root;
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                node.files.push((part.to_string(), t));
            } else {
                node = node.dirs.entry(part.to_string()).or_default();
            }
        }
    }
    root
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// The page's content (or kind) differs from the parent's.
    Modified,
    /// The parent has nothing at the page's path.
    Added,
}

/// What happened to each followed page between `old` (the first parent's tree) and `new`.
fn compare(
    repo: &Repository,
    new: &Tree<'_>,
    old: Option<&Tree<'_>>,
    node: &Node,
    out: &mut Vec<(usize, Event)>,
) -> Result<(), git2::Error> {
    for (name, sub) in &node.dirs {
        let Some(n) = new.get_name(name) else {
            continue;
        };
        let o = old.and_then(|t| t.get_name(name));
        if o.as_ref().is_some_and(|o| o.id() == n.id()) {
            continue;
        }
        let Ok(n_tree) = repo.find_tree(n.id()) else {
            continue;
        };
        let o_tree = match o {
            Some(o) if o.kind() == Some(git2::ObjectType::Tree) => repo.find_tree(o.id()).ok(),
            _ => None,
        };
        compare(repo, &n_tree, o_tree.as_ref(), sub, out)?;
    }
    for (name, t) in &node.files {
        let Some(n) = new.get_name(name) else {
            continue;
        };
        match old.and_then(|o| o.get_name(name)) {
            Some(o) if o.id() == n.id() && o.filemode() == n.filemode() => {}
            Some(o) if o.kind() == Some(git2::ObjectType::Tree) => out.push((*t, Event::Added)),
            Some(_) => out.push((*t, Event::Modified)),
            None => out.push((*t, Event::Added)),
        }
    }
    Ok(())
}

/// The renames git finds between two trees (new path → old path, and whether the content
/// was edited too).
fn renames(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    opts: &mut DiffOptions,
) -> Result<HashMap<String, (String, bool)>, git2::Error> {
    let mut diff = repo.diff_tree_to_tree(old, Some(new), Some(opts))?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    let mut out = HashMap::new();
    for d in diff.deltas() {
        if d.status() == Delta::Renamed
            && let (Some(to), Some(from)) = (path_of(&d.new_file()), path_of(&d.old_file()))
        {
            out.insert(to, (from, d.old_file().id() != d.new_file().id()));
        }
    }
    Ok(out)
}

fn path_of(f: &git2::DiffFile<'_>) -> Option<String> {
    f.path_bytes()
        .and_then(|b| std::str::from_utf8(b).ok())
        .map(str::to_string)
}

/// The commits `.git-blame-ignore-revs` at the tip's root lists (full ids; `#` starts a
/// comment; anything else on a line is not an id and is passed over, as git does).
fn ignore_revs(repo: &Repository, tree: &Tree<'_>) -> HashSet<Oid> {
    let Some(entry) = tree.get_name(IGNORE_REVS) else {
        return HashSet::new();
    };
    let Ok(blob) = repo.find_blob(entry.id()) else {
        return HashSet::new();
    };
    String::from_utf8_lossy(blob.content())
        .lines()
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("").trim();
            (l.len() == 40).then(|| Oid::from_str(l).ok()).flatten()
        })
        .collect()
}

/// A shallow mirror's boundary commits (libgit2 keeps them in `shallow` in the git dir).
fn shallow_roots(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    std::fs::read_to_string(repo.path().join("shallow"))
        .map(|s| {
            s.lines()
                .filter_map(|l| Oid::from_str(l.trim()).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn info(c: &git2::Commit<'_>) -> CommitInfo {
    let cap = |s: &[u8], n: usize| String::from_utf8_lossy(s).chars().take(n).collect();
    let author = c.author();
    CommitInfo {
        id: c.id().to_string(),
        committed: c.time().seconds(),
        authored: author.when().seconds(),
        author: cap(author.name_bytes(), MAX_AUTHOR),
        subject: cap(c.summary_bytes().unwrap_or_default(), MAX_SUBJECT),
    }
}
