//! The arrangement of a site's files, exactly as `getDocs.js` makes it, computed from tree
//! listings alone (no I/O), so git trees and folders are laid out by the same code.
//!
//! What `getDocs.js` does for each manifest entry, in manifest order: clone the repository,
//! delete every `README.md` in it, `mkdir -p target/label`, and for each `source` run
//! `cp -r <clone>/<source> target/label` in a shell. So:
//! - `source` is a path or a shell pattern (`*`, `?`, `[…]`, matched one path part at a
//!   time, never across `/`, and never matching a leading `.` unless the pattern starts
//!   with one); the matches are taken in byte order, as the shell sorts them in the C
//!   locale of the build machines.
//! - A matched file lands at `target/label/<its name>`; a matched folder at
//!   `target/label/<its name>/…` with everything below it; `dir/.` copies the folder's
//!   contents into `target/label` itself; a trailing `/` matches folders only.
//! - A later copy replaces an earlier file at the same site path (also one of the site's
//!   own files), with a note; within one `cp` run the first stays, because GNU cp will not
//!   overwrite a file it has just created. A file never replaces a folder, nor a folder a
//!   file (cp refuses both): the earlier stays, with a note.
//! - A pattern that matches nothing is a note (on the real site the build stops there).
//! - An imported repository's own `docs.package.json` is not followed: a site is one level.
//!
//! Symbolic links are copied as links (what `cp -r` does) and never followed, not even as
//! a folder part of a pattern.

use std::collections::{BTreeMap, HashMap, HashSet};

use globset::{GlobBuilder, GlobMatcher};

use super::manifest::{MANIFEST, Plan};

/// At most this many notes per layout: a hostile manifest could otherwise make one per
/// file. The rest are counted in a last note.
pub const MAX_NOTES: usize = 200;

/// What a path of a tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    File,
    Dir,
    /// Listed, copied as a link, never followed.
    Symlink,
}

/// One path of a repository's tree, `/`-separated, relative to its root. Folders need not
/// be listed: every parent of a listed path is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub kind: Kind,
}

impl TreeEntry {
    pub fn file(path: &str) -> TreeEntry {
        TreeEntry {
            path: path.to_string(),
            kind: Kind::File,
        }
    }

    pub fn dir(path: &str) -> TreeEntry {
        TreeEntry {
            path: path.to_string(),
            kind: Kind::Dir,
        }
    }

    pub fn symlink(path: &str) -> TreeEntry {
        TreeEntry {
            path: path.to_string(),
            kind: Kind::Symlink,
        }
    }
}

impl From<&crate::source::Entry> for TreeEntry {
    /// A file or link of a source's snapshot (a commit's tree or a folder).
    fn from(e: &crate::source::Entry) -> TreeEntry {
        TreeEntry {
            path: e.path.clone(),
            kind: match e.kind {
                crate::source::EntryKind::File { .. } => Kind::File,
                crate::source::EntryKind::Symlink { .. } => Kind::Symlink,
            },
        }
    }
}

/// Where a file of the site comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The repository's URL: the site's own, or an entry's resolved one.
    pub repo: String,
    /// The path inside that repository.
    pub path: String,
    /// [`Kind::File`] or [`Kind::Symlink`].
    pub kind: Kind,
}

/// The assembled site: every file at its site path, and what a person should know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    pub files: BTreeMap<String, Origin>,
    /// One sanitized line each, naming the manifest and the entry.
    pub notes: Vec<String>,
}

/// Lays out the site: the site's own tree (`site`, fetched from `plan.site_url`), then
/// each entry of `plan` copied over it from `trees` (keyed by [`SiteRepo::url`](super::SiteRepo)).
/// A repository missing from `trees` (never fetched) leaves its entries out, with a note.
pub fn layout(plan: &Plan, site: &[TreeEntry], trees: &HashMap<String, Vec<TreeEntry>>) -> Layout {
    let mut a = Assembly::default();
    let own = Tree::new(site, false);
    for leaf in &own.leaves {
        let origin = Origin {
            repo: plan.site_url.clone(),
            path: leaf.clone(),
            kind: own.kinds[leaf],
        };
        a.place(leaf.clone(), origin, 0, "");
    }
    let mut built: HashMap<&str, Option<Tree>> = HashMap::new();
    let mut cp_run = 0usize;
    for (repo, entry) in plan.entries() {
        let who = format!("{}: {}", plan.manifest, entry.describe());
        let tree = built.entry(repo.url.as_str()).or_insert_with(|| {
            let tree = trees.get(&repo.url).map(|t| Tree::new(t, true));
            match &tree {
                None => a.note(format!(
                    "{who}: no copy of {} yet, so the files it gives are missing",
                    repo.url
                )),
                Some(t) if t.kinds.get(MANIFEST) == Some(&Kind::File) => a.note(format!(
                    "{who}: {} has a {MANIFEST} of its own; it is not followed (a site is one level deep)",
                    repo.url
                )),
                Some(_) => {}
            }
            tree
        });
        let Some(tree) = tree.as_ref() else { continue };
        for source in &entry.sources {
            cp_run += 1;
            let (matches, contents) = match expand(tree, source) {
                Ok(x) => x,
                Err(why) => {
                    a.note(format!("{who}: {why}"));
                    continue;
                }
            };
            for m in matches {
                let base = if contents { "" } else { basename(&m) };
                let root = join(&entry.dest, base);
                if tree.kinds[&m] == Kind::Dir {
                    for leaf in tree.under(&m) {
                        let rel = if m.is_empty() {
                            leaf.as_str()
                        } else {
                            &leaf[m.len() + 1..]
                        };
                        let origin = Origin {
                            repo: repo.url.clone(),
                            path: leaf.clone(),
                            kind: tree.kinds[leaf],
                        };
                        a.place(join(&root, rel), origin, cp_run, &who);
                    }
                } else {
                    let origin = Origin {
                        repo: repo.url.clone(),
                        path: m.clone(),
                        kind: tree.kinds[&m],
                    };
                    a.place(root, origin, cp_run, &who);
                }
            }
        }
    }
    a.finish()
}

/// A tree listing, indexed for the shell's and cp's questions.
struct Tree {
    /// Every path, folders included; `""` is the root.
    kinds: HashMap<String, Kind>,
    /// Each folder's entries, by name.
    children: HashMap<String, Vec<String>>,
    /// Every path that is not a folder, sorted, so that a folder's files are one range.
    leaves: Vec<String>,
}

impl Tree {
    fn new(entries: &[TreeEntry], drop_readmes: bool) -> Tree {
        let mut kinds: HashMap<String, Kind> = HashMap::new();
        kinds.insert(String::new(), Kind::Dir);
        let mut leaves = Vec::new();
        let mut dirs = Vec::new();
        for e in entries {
            let parts: Vec<&str> = e
                .path
                .split('/')
                .filter(|p| !p.is_empty() && *p != ".")
                .collect();
            if parts.is_empty() || parts.contains(&"..") {
                continue;
            }
            // getDocs.js: `find <clone> -name README.md | xargs rm -f` (a folder of that
            // name would make rm fail, and stays).
            if drop_readmes && e.kind != Kind::Dir && parts.last() == Some(&"README.md") {
                continue;
            }
            let path = parts.join("/");
            for (i, _) in path.match_indices('/') {
                kinds.insert(path[..i].to_string(), Kind::Dir);
            }
            if e.kind == Kind::Dir {
                dirs.push(path);
            } else {
                leaves.push((path, e.kind));
            }
        }
        for d in dirs {
            kinds.insert(d, Kind::Dir);
        }
        // A path listed as a file and also as a folder (impossible in git) is a folder.
        let mut leaf_paths = Vec::with_capacity(leaves.len());
        for (p, k) in leaves {
            if kinds.get(&p) != Some(&Kind::Dir) && kinds.insert(p.clone(), k).is_none() {
                leaf_paths.push(p);
            }
        }
        leaf_paths.sort();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for p in kinds.keys().filter(|p| !p.is_empty()) {
            let (parent, name) = p.rsplit_once('/').unwrap_or(("", p));
            children
                .entry(parent.to_string())
                .or_default()
                .push(name.to_string());
        }
        for names in children.values_mut() {
            names.sort();
        }
        Tree {
            kinds,
            children,
            leaves: leaf_paths,
        }
    }

    /// The files and links below folder `dir`, in byte order.
    fn under(&self, dir: &str) -> &[String] {
        if dir.is_empty() {
            return &self.leaves;
        }
        let prefix = format!("{dir}/");
        let start = self
            .leaves
            .partition_point(|p| p.as_str() < prefix.as_str());
        let len = self.leaves[start..]
            .iter()
            .take_while(|p| p.starts_with(&prefix))
            .count();
        &self.leaves[start..start + len]
    }
}

fn is_pattern(part: &str) -> bool {
    part.contains(['*', '?', '['])
}

/// One part of a shell pattern.
struct PartMatcher {
    glob: GlobMatcher,
    /// The shell lets a pattern match a name starting with `.` only when the pattern
    /// itself starts with a literal `.`.
    dot: bool,
}

impl PartMatcher {
    fn new(part: &str) -> Result<PartMatcher, String> {
        // Without bash's globstar, `**` is `*`; globset would give it a meaning across `/`.
        let mut collapsed = String::with_capacity(part.len());
        for c in part.chars() {
            if !(c == '*' && collapsed.ends_with('*')) {
                collapsed.push(c);
            }
        }
        let glob = GlobBuilder::new(&collapsed)
            .literal_separator(true)
            .backslash_escape(false)
            .allow_unclosed_class(true)
            .build()
            .map_err(|e| format!("`{part}` is not a pattern the shell would read: {e}"))?;
        Ok(PartMatcher {
            glob: glob.compile_matcher(),
            dot: part.starts_with('.'),
        })
    }

    fn matches(&self, name: &str) -> bool {
        (self.dot || !name.starts_with('.')) && self.glob.is_match(name)
    }
}

/// What the shell makes of `<clone>/<source>`: the matched paths in byte order, and whether
/// the source ends in `.` (the folder's contents, not the folder). An error is a note.
fn expand(tree: &Tree, source: &str) -> Result<(Vec<String>, bool), String> {
    let slash = source.ends_with('/');
    let all: Vec<&str> = source.split('/').filter(|p| !p.is_empty()).collect();
    let contents = all.last() == Some(&".");
    let parts: Vec<&str> = all.into_iter().filter(|p| *p != ".").collect();
    let pattern = parts.iter().any(|p| is_pattern(p));
    let mut current = vec![String::new()];
    for part in &parts {
        let mut next = Vec::new();
        if is_pattern(part) {
            let m = PartMatcher::new(part)?;
            for dir in &current {
                if let Some(names) = tree.children.get(dir) {
                    for name in names.iter().filter(|n| m.matches(n)) {
                        next.push(join(dir, name));
                    }
                }
            }
        } else {
            for dir in &current {
                if tree.kinds.get(dir) == Some(&Kind::Dir) {
                    let p = join(dir, part);
                    if tree.kinds.contains_key(&p) {
                        next.push(p);
                    }
                }
            }
        }
        current = next;
    }
    let found = !current.is_empty();
    if slash || contents {
        current.retain(|p| tree.kinds.get(p) == Some(&Kind::Dir));
    }
    current.sort();
    if current.is_empty() {
        return Err(if found {
            format!("`{source}` is not a folder, so cp copies nothing")
        } else if pattern {
            format!("`{source}` matches nothing in the repository")
        } else {
            format!("`{source}` is not in the repository")
        });
    }
    Ok((current, contents))
}

fn basename(p: &str) -> &str {
    p.rsplit_once('/').map_or(p, |(_, n)| n)
}

fn join(dir: &str, name: &str) -> String {
    match (dir.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => dir.to_string(),
        _ => format!("{dir}/{name}"),
    }
}

/// The site being assembled.
#[derive(Default)]
struct Assembly {
    files: BTreeMap<String, Origin>,
    /// Which `cp` run placed each file (0: the site's own files).
    placed_by: HashMap<String, usize>,
    /// Every folder that holds a placed file.
    dirs: HashSet<String>,
    notes: Vec<String>,
    dropped: usize,
}

impl Assembly {
    fn note(&mut self, line: String) {
        if self.notes.len() < MAX_NOTES {
            self.notes
                .push(crate::sanitize::line(&line, 0).into_owned());
        } else {
            self.dropped += 1;
        }
    }

    fn place(&mut self, at: String, origin: Origin, cp_run: usize, who: &str) {
        if self.dirs.contains(&at) {
            self.note(format!(
                "{who}: `{at}` is a folder already, so cp does not put {} there",
                origin.path
            ));
            return;
        }
        if let Some((i, _)) = at
            .match_indices('/')
            .find(|(i, _)| self.files.contains_key(&at[..*i]))
        {
            self.note(format!(
                "{who}: `{}` is a file already, so cp does not put {} below it",
                &at[..i],
                origin.path
            ));
            return;
        }
        if let Some(old) = self.files.get(&at) {
            if old.repo == origin.repo && old.path == origin.path {
                self.placed_by.insert(at, cp_run);
                return;
            }
            let old_desc = format!("{} of {}", old.path, old.repo);
            let new_desc = format!("{} of {}", origin.path, origin.repo);
            if self.placed_by.get(&at) == Some(&cp_run) {
                self.note(format!(
                    "{who}: `{at}`: cp keeps {old_desc} and will not overwrite it with {new_desc} in the same copy"
                ));
                return;
            }
            self.note(format!(
                "{who}: `{at}`: {new_desc} replaces {old_desc} (the later copy wins, as with cp)"
            ));
        }
        for (i, _) in at.match_indices('/') {
            self.dirs.insert(at[..i].to_string());
        }
        self.placed_by.insert(at.clone(), cp_run);
        self.files.insert(at, origin);
    }

    fn finish(mut self) -> Layout {
        if self.dropped > 0 {
            self.notes
                .push(format!("… and {} more notes", self.dropped));
        }
        Layout {
            files: self.files,
            notes: self.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> Tree {
        let entries: Vec<TreeEntry> = paths
            .iter()
            .map(|p| match p.strip_suffix('/') {
                Some(d) => TreeEntry::dir(d),
                None => TreeEntry::file(p),
            })
            .collect();
        Tree::new(&entries, true)
    }

    fn matched(t: &Tree, source: &str) -> Vec<String> {
        expand(t, source).map(|(m, _)| m).unwrap_or_default()
    }

    #[test]
    fn star_stays_within_one_part_and_skips_dot_names() {
        let t = tree(&[
            "docs/a.md",
            "docs/sub/b.md",
            "docs/.hidden.md",
            "docs/c.txt",
        ]);
        assert_eq!(matched(&t, "docs/*.md"), ["docs/a.md"]);
        assert_eq!(
            matched(&t, "docs/*"),
            ["docs/a.md", "docs/c.txt", "docs/sub"]
        );
        assert_eq!(matched(&t, "docs/**"), matched(&t, "docs/*"));
        assert_eq!(matched(&t, "docs/.*.md"), ["docs/.hidden.md"]);
        assert_eq!(matched(&t, "*/*/b.md"), ["docs/sub/b.md"]);
        assert_eq!(matched(&t, "docs/[ab].md"), ["docs/a.md"]);
        assert_eq!(matched(&t, "docs/[!c].txt"), Vec::<String>::new());
        assert_eq!(matched(&t, "docs/[!a].txt"), ["docs/c.txt"]);
        assert_eq!(matched(&t, "docs/?.txt"), ["docs/c.txt"]);
    }

    #[test]
    fn matches_are_in_byte_order_of_the_whole_path() {
        let t = tree(&["a/x.md", "a-b/x.md", "B/x.md"]);
        assert_eq!(matched(&t, "*/x.md"), ["B/x.md", "a-b/x.md", "a/x.md"]);
    }

    #[test]
    fn readmes_are_gone_before_matching() {
        let t = tree(&["docs/README.md", "docs/x/README.md", "docs/x/y.md"]);
        assert_eq!(t.leaves, ["docs/x/y.md"]);
        assert!(expand(&t, "docs/README.md").is_err());
    }

    #[test]
    fn an_unclosed_bracket_is_literal_as_in_the_shell() {
        let t = tree(&["docs/[draft.md"]);
        assert_eq!(matched(&t, "docs/[draft.md"), ["docs/[draft.md"]);
    }
}
