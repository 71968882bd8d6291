//! Keymaps from `keymaps/*.toml`: presets embedded in the binary, a user `keymap.toml` merged
//! over the chosen preset, multi-key sequences, and the rows of the help screen.
//!
//! No key is named anywhere else in ken: the UI only ever sees [`Action`]s.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// The keymap presets shipped with ken, by name.
pub const PRESETS: [(&str, &str); 2] = [
    ("default", include_str!("../keymaps/default.toml")),
    ("emacs", include_str!("../keymaps/emacs.toml")),
];

/// The name of the user's keymap file in the config dir.
pub const USER_FILE: &str = "keymap.toml";

macro_rules! actions {
    ($($variant:ident => $name:literal, $help:literal;)*) => {
        /// Everything a key can do: the vocabulary of the keymap files.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant,)* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The name used in keymap files.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// What the action does, for the help screen.
            pub fn help(self) -> &'static str {
                match self { $(Action::$variant => $help,)* }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit => "quit", "quit ken";
    Back => "back", "go back (quit from the library)";
    Help => "help", "show the keys of this screen";
    Search => "search", "search all pages";
    ToggleMouse => "toggle_mouse", "release the mouse for text selection, or take it back";
    Suspend => "suspend", "suspend ken (resume with fg)";
    Redraw => "redraw", "redraw the screen";
    Up => "up", "move up one line";
    Down => "down", "move down one line";
    HalfPageUp => "half_page_up", "move up half a page";
    HalfPageDown => "half_page_down", "move down half a page";
    PageUp => "page_up", "move up one page";
    PageDown => "page_down", "move down one page";
    Top => "top", "go to the top";
    Bottom => "bottom", "go to the bottom";
    Open => "open", "open the selected page or folder";
    Expand => "expand", "unfold the selected folder";
    Collapse => "collapse", "fold the selected folder (or its parent)";
    Filter => "filter", "filter the library by title or path";
    Cancel => "cancel", "cancel: clear the filter or message";
    SwitchPane => "switch_pane", "switch between library, search and reader";
    Find => "find", "find in this page";
    FindNext => "find_next", "next match";
    FindPrev => "find_prev", "previous match";
    DeleteChar => "delete_char", "delete the character before the cursor";
    ClearInput => "clear_input", "clear what was typed";
    NextLink => "next_link", "select the next link of the page";
    PrevLink => "prev_link", "select the previous link of the page";
    FollowLink => "follow_link", "follow the selected link (an external one: show and copy its URL)";
    HistoryBack => "history_back", "back to the previous page, at the same place";
    HistoryForward => "history_forward", "forward again after going back";
    Outline => "outline", "show or hide the outline (jump to a heading)";
    Bookmark => "bookmark", "bookmark this page at this section";
    Bookmarks => "bookmarks", "list the bookmarks";
    Recent => "recent", "list the pages read recently";
    DeleteItem => "delete_item", "delete the selected bookmark";
    CopyBlock => "copy_block", "copy code block N to the clipboard (then type N)";
    CopySection => "copy_section", "copy the text of the current section to the clipboard";
    CopyLocation => "copy_location", "copy the page's URL (or source:path) to the clipboard";
    OpenLocation => "open_location", "open a page by URL or path";
    Edit => "edit", "contribute: the upstream edit URL, or $EDITOR for a local folder";
    Report => "report", "report a problem: copy a new-issue link for this section in the page's own repository";
    OpenSuccessor => "open_successor", "open the standard that supersedes this one";
    News => "news", "what's new: what the last sync changed";
    Diff => "diff", "show this page's changes since the last sync, or hide them";
    Problems => "problems", "list this page's ken check problems; jump to one";
}

/// The screens with a table of their own in a keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Library,
    Search,
    Reader,
    Help,
    /// The what's-new screen.
    News,
    /// While typing into a field (the search box, the library filter, find in page).
    Input,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Library,
        Context::Search,
        Context::Reader,
        Context::Help,
        Context::News,
        Context::Input,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Library => "library",
            Context::Search => "search",
            Context::Reader => "reader",
            Context::Help => "help",
            Context::News => "news",
            Context::Input => "input",
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One key press, normalised: a character carries no `shift` (it is in the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

/// A key code that can be ordered (for stable help output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Named {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
    Insert,
}

const NAMES: [(&str, Named); 15] = [
    ("enter", Named::Enter),
    ("esc", Named::Esc),
    ("tab", Named::Tab),
    ("backtab", Named::BackTab),
    ("backspace", Named::Backspace),
    ("up", Named::Up),
    ("down", Named::Down),
    ("left", Named::Left),
    ("right", Named::Right),
    ("pageup", Named::PageUp),
    ("pagedown", Named::PageDown),
    ("home", Named::Home),
    ("end", Named::End),
    ("delete", Named::Delete),
    ("insert", Named::Insert),
];

impl Key {
    /// The key of a terminal key event; `None` for keys no keymap can name.
    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let shift = ev.modifiers.contains(KeyModifiers::SHIFT);
        let named = |n| KeyCodeOrd::Named(n);
        let (code, shift) = match ev.code {
            KeyCode::Char(c) => (KeyCodeOrd::Char(c), false),
            KeyCode::F(n) => (KeyCodeOrd::F(n), shift),
            KeyCode::Enter => (named(Named::Enter), shift),
            KeyCode::Esc => (named(Named::Esc), shift),
            KeyCode::Tab if shift => (named(Named::BackTab), false),
            KeyCode::Tab => (named(Named::Tab), false),
            KeyCode::BackTab => (named(Named::BackTab), false),
            KeyCode::Backspace => (named(Named::Backspace), shift),
            KeyCode::Up => (named(Named::Up), shift),
            KeyCode::Down => (named(Named::Down), shift),
            KeyCode::Left => (named(Named::Left), shift),
            KeyCode::Right => (named(Named::Right), shift),
            KeyCode::PageUp => (named(Named::PageUp), shift),
            KeyCode::PageDown => (named(Named::PageDown), shift),
            KeyCode::Home => (named(Named::Home), shift),
            KeyCode::End => (named(Named::End), shift),
            KeyCode::Delete => (named(Named::Delete), shift),
            KeyCode::Insert => (named(Named::Insert), shift),
            _ => return None,
        };
        Some(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }

    /// Parses one key as written in a keymap file: `j`, `G`, `ctrl-c`, `shift-tab`, `space`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err(format!("`{s}`: no key after the modifiers")),
            (Some(c), None) => {
                if shift && c.is_ascii_alphabetic() {
                    shift = false;
                    KeyCodeOrd::Char(c.to_ascii_uppercase())
                } else if shift {
                    return Err(format!(
                        "`{s}`: write the shifted character itself instead of shift-"
                    ));
                } else {
                    KeyCodeOrd::Char(c)
                }
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if lower == "space" {
                    KeyCodeOrd::Char(' ')
                } else if lower == "tab" && shift {
                    shift = false;
                    KeyCodeOrd::Named(Named::BackTab)
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=24).contains(&n) {
                        return Err(format!("`{s}`: no such function key"));
                    }
                    KeyCodeOrd::F(n)
                } else if let Some((_, n)) = NAMES.iter().find(|(name, _)| *name == lower) {
                    KeyCodeOrd::Named(*n)
                } else {
                    return Err(format!("`{s}`: unknown key name"));
                }
            }
        };
        Ok(Key {
            code,
            ctrl,
            alt,
            shift,
        })
    }

    /// A plain printable character (no ctrl/alt): text when typing into a field.
    pub fn text(&self) -> Option<char> {
        match self.code {
            KeyCodeOrd::Char(c) if !self.ctrl && !self.alt => Some(c),
            _ => None,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
            KeyCodeOrd::Named(Named::BackTab) => f.write_str("shift-tab"),
            KeyCodeOrd::Named(n) => {
                let name = NAMES.iter().find(|(_, x)| *x == n).map_or("?", |(s, _)| s);
                f.write_str(name)
            }
        }
    }
}

/// One or more keys pressed one after the other.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySeq(pub Vec<Key>);

impl KeySeq {
    pub fn parse(s: &str) -> Result<KeySeq, String> {
        let keys = s
            .split_whitespace()
            .map(Key::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err("an empty key".into());
        }
        Ok(KeySeq(keys))
    }
}

impl fmt::Display for KeySeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, k) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// A problem with a keymap file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// What a sequence of keys means on a screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Bound to this action.
    Action(Action),
    /// The start of a longer sequence: wait for the next key.
    Prefix,
    /// Bound to nothing.
    None,
}

/// The bindings in effect: per screen, action → keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    /// The preset it starts from.
    pub name: String,
    tables: BTreeMap<Context, BTreeMap<Action, Vec<KeySeq>>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Keys {
    One(String),
    Many(Vec<String>),
}

type RawFile =
    BTreeMap<toml::Spanned<String>, BTreeMap<toml::Spanned<String>, toml::Spanned<Keys>>>;

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Keymap {
    /// Parses keymap text; `file` names it in errors.
    pub fn parse(name: &str, file: &str, text: &str) -> Result<Keymap, KeymapError> {
        let mut km = Keymap {
            name: name.to_string(),
            tables: BTreeMap::new(),
        };
        km.merge_text(file, text)?;
        Ok(km)
    }

    /// Merges keymap text over this one: each action it names gets exactly the keys given
    /// there, and those keys are taken away from other actions of the same screen.
    pub fn merge_text(&mut self, file: &str, text: &str) -> Result<(), KeymapError> {
        let err = |offset: usize, problem: String| KeymapError {
            file: file.to_string(),
            line: line_of(text, offset),
            problem,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            err(offset, e.message().trim().to_string())
        })?;
        let mut merged = self.tables.clone();
        for (ctx_name, table) in raw {
            let ctx = Context::from_name(ctx_name.get_ref()).ok_or_else(|| {
                err(
                    ctx_name.span().start,
                    format!(
                        "unknown screen [{}]; the screens are {}",
                        ctx_name.get_ref(),
                        Context::ALL.map(|c| c.name()).join(", ")
                    ),
                )
            })?;
            let t = merged.entry(ctx).or_default();
            for (action_name, keys) in table {
                let action = Action::from_name(action_name.get_ref()).ok_or_else(|| {
                    err(
                        action_name.span().start,
                        format!("unknown action `{}`", action_name.get_ref()),
                    )
                })?;
                let list = match keys.get_ref() {
                    Keys::One(s) => vec![s.clone()],
                    Keys::Many(v) => v.clone(),
                };
                let seqs = list
                    .iter()
                    .map(|s| KeySeq::parse(s))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|p| err(keys.span().start, p))?;
                for seq in &seqs {
                    for other in t.values_mut() {
                        other.retain(|s| s != seq);
                    }
                }
                t.insert(action, seqs);
            }
        }
        // A sequence that is also the start of a longer one could never be completed.
        for (ctx, t) in &merged {
            let all: Vec<(&KeySeq, Action)> = t
                .iter()
                .flat_map(|(a, seqs)| seqs.iter().map(move |s| (s, *a)))
                .collect();
            for (s, a) in &all {
                for (longer, b) in &all {
                    if longer.0.len() > s.0.len() && longer.0.starts_with(&s.0) {
                        let at = text.find(&format!("[{}]", ctx.name())).unwrap_or(0);
                        return Err(err(
                            at,
                            format!(
                                "[{}]: `{s}` ({}) is the start of `{longer}` ({}), which could never be typed",
                                ctx.name(),
                                a.name(),
                                b.name()
                            ),
                        ));
                    }
                }
            }
        }
        self.tables = merged;
        Ok(())
    }

    /// A preset by name.
    pub fn preset(name: &str) -> Option<Keymap> {
        let (n, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
        Keymap::parse(n, &format!("keymaps/{n}.toml"), text).ok()
    }

    /// The keymap to use: the preset `name` with the user's `keymap.toml` from `config_dir`
    /// merged over it. On a problem, the preset alone (or the default preset) and the problem.
    pub fn load(name: &str, config_dir: &Path) -> (Keymap, Option<String>) {
        let (base, mut problem) = match Keymap::preset(name) {
            Some(k) => (k, None),
            None => (
                Keymap::preset("default").unwrap_or_default(),
                Some(format!(
                    "no keymap called `{name}` (there are {}); using default",
                    PRESETS.map(|(n, _)| n).join(", ")
                )),
            ),
        };
        let path = config_dir.join(USER_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut merged = base.clone();
                match merged.merge_text(&path.display().to_string(), &text) {
                    Ok(()) => return (merged, problem),
                    Err(e) => {
                        problem = Some(format!("{e}; using the {} keymap", base.name));
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => problem = Some(format!("{}: {e}", path.display())),
        }
        (base, problem)
    }

    /// What `keys` (pressed in this order) mean on screen `ctx`: its own table first, then the
    /// global one.
    pub fn lookup(&self, ctx: Context, keys: &[Key]) -> Lookup {
        self.lookup_in(&[ctx], keys)
    }

    /// Like [`lookup`](Self::lookup) over several tables in turn, then the global one.
    pub fn lookup_in(&self, ctxs: &[Context], keys: &[Key]) -> Lookup {
        let mut prefix = false;
        for c in ctxs.iter().copied().chain([Context::Global]) {
            let Some(t) = self.tables.get(&c) else {
                continue;
            };
            for (action, seqs) in t {
                for s in seqs {
                    if s.0 == keys {
                        return Lookup::Action(*action);
                    }
                    if s.0.len() > keys.len() && s.0.starts_with(keys) {
                        prefix = true;
                    }
                }
            }
            if prefix {
                return Lookup::Prefix;
            }
        }
        Lookup::None
    }

    /// The keys bound to an action on a screen (its own table, else global).
    pub fn keys(&self, ctx: Context, action: Action) -> Vec<&KeySeq> {
        for c in [ctx, Context::Global] {
            if let Some(seqs) = self.tables.get(&c).and_then(|t| t.get(&action))
                && !seqs.is_empty()
            {
                return seqs.iter().collect();
            }
        }
        Vec::new()
    }

    /// The first key of an action, for hints in the status bar.
    pub fn hint(&self, ctx: Context, action: Action) -> Option<String> {
        self.keys(ctx, action).first().map(|k| k.to_string())
    }

    /// The rows of the help screen for `ctx`: its own bindings, then the global ones that it
    /// does not override, as (keys, action name, description).
    pub fn help_rows(&self, ctx: Context) -> Vec<HelpRow> {
        let mut rows = Vec::new();
        let own = self.tables.get(&ctx);
        let screens: &[Context] = if ctx == Context::Global {
            &[Context::Global]
        } else {
            &[ctx, Context::Global]
        };
        for &c in screens {
            let Some(t) = self.tables.get(&c) else {
                continue;
            };
            for (action, seqs) in t {
                if seqs.is_empty() {
                    continue;
                }
                // A global binding whose keys the screen uses for something else is shadowed.
                let seqs: Vec<&KeySeq> = if c == Context::Global && c != ctx {
                    seqs.iter()
                        .filter(|s| !own.is_some_and(|t| t.values().any(|v| v.contains(s))))
                        .collect()
                } else {
                    seqs.iter().collect()
                };
                if seqs.is_empty() {
                    continue;
                }
                rows.push(HelpRow {
                    screen: c,
                    keys: seqs.iter().map(|s| s.to_string()).collect(),
                    action: *action,
                });
            }
        }
        rows
    }

    /// Every binding: (screen, action, keys).
    pub fn bindings(&self) -> impl Iterator<Item = (Context, Action, &[KeySeq])> {
        self.tables
            .iter()
            .flat_map(|(c, t)| t.iter().map(move |(a, s)| (*c, *a, s.as_slice())))
    }
}

/// One row of the help screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub screen: Context,
    pub keys: Vec<String>,
    pub action: Action,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn keys_parse_and_print_back() {
        for s in [
            "j",
            "G",
            "ctrl-c",
            "shift-tab",
            "space",
            "pagedown",
            "f1",
            "alt-<",
            "-",
        ] {
            assert_eq!(key(s).to_string(), s);
        }
        assert_eq!(key("shift-g"), key("G"));
        assert!(Key::parse("ctrl-").is_err());
        assert!(Key::parse("hyper").is_err());
    }

    #[test]
    fn event_shift_letter_is_the_capital() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(key("G")));
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(key("shift-tab")));
    }

    #[test]
    fn sequences_wait_for_the_next_key() {
        let km = Keymap::parse("t", "t.toml", "[reader]\ntop = \"g g\"\nbottom = \"G\"\n").unwrap();
        assert_eq!(km.lookup(Context::Reader, &[key("g")]), Lookup::Prefix);
        assert_eq!(
            km.lookup(Context::Reader, &[key("g"), key("g")]),
            Lookup::Action(Action::Top)
        );
        assert_eq!(km.lookup(Context::Reader, &[key("x")]), Lookup::None);
    }

    #[test]
    fn problems_name_file_and_line() {
        let e = Keymap::parse("t", "k.toml", "[reader]\ndown = \"j\"\nfly = \"x\"\n").unwrap_err();
        assert_eq!(e.to_string(), "k.toml:3: unknown action `fly`");
        let e = Keymap::parse("t", "k.toml", "[reader]\n\ndown = \"hyperspace\"\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = Keymap::parse("t", "k.toml", "[reader\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn user_keys_replace_and_steal() {
        let mut km = Keymap::preset("default").unwrap();
        km.merge_text("user", "[reader]\ntop = \"t\"\nbottom = \"g\"\n")
            .unwrap();
        assert_eq!(
            km.lookup(Context::Reader, &[key("g")]),
            Lookup::Action(Action::Bottom)
        );
        assert_eq!(
            km.lookup(Context::Reader, &[key("t")]),
            Lookup::Action(Action::Top)
        );
        assert_eq!(km.lookup(Context::Reader, &[key("home")]), Lookup::None);
    }
}
