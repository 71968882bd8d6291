//! Themes from `themes/*.toml`: a palette and semantic slots (UI parts, headings, code and its
//! syntax classes, links, search matches, admonitions), fitted to the colours the terminal has.
//! Code is highlighted by syntax *class* (`syntax.keyword`, …), so every theme colours code
//! with its own palette and the 16-colour default stays within the terminal's colours.
//!
//! No colour is named anywhere else in ken: views ask for a slot by name.

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The themes shipped with ken, by name.
pub const PRESETS: [(&str, &str); 4] = [
    ("default", include_str!("../themes/default.toml")),
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
];

/// Every slot a theme may set. A slot that is not set falls back to its parent
/// (`heading.2` → `heading`), then to no style.
pub const SLOTS: &[&str] = &[
    "ui.text",
    "ui.dim",
    "ui.border",
    "ui.title",
    "ui.selection",
    "ui.folder",
    "ui.input",
    "ui.banner",
    "ui.status",
    "ui.status.key",
    "ui.status.offline",
    "ui.status.sync",
    "ui.status.error",
    "ui.help.key",
    "ui.help.section",
    "heading",
    "heading.1",
    "heading.2",
    "heading.3",
    "heading.4",
    "heading.5",
    "heading.6",
    "emphasis",
    "strong",
    "strikethrough",
    "code",
    "code.inline",
    "code.block",
    "link",
    "quote",
    "list.marker",
    "table.border",
    "table.header",
    "rule",
    "front_matter",
    "admonition",
    "admonition.note",
    "admonition.tip",
    "admonition.info",
    "admonition.warning",
    "admonition.danger",
    "heading.rule",
    "code.frame",
    "code.wrap",
    "label",
    "html",
    "note",
    "highlight",
    "footnote",
    "image",
    "admonition.caution",
    "admonition.important",
    "syntax",
    "syntax.comment",
    "syntax.string",
    "syntax.keyword",
    "syntax.number",
    "syntax.constant",
    "syntax.function",
    "syntax.type",
    "syntax.variable",
    "syntax.operator",
    "syntax.punctuation",
    "syntax.tag",
    "syntax.attribute",
    "syntax.inserted",
    "syntax.deleted",
    "syntax.changed",
    "syntax.heading",
    "search.match",
    "search.section",
    "search.path",
    "search.title",
    "search.date",
    "ui.warning",
    "ui.badge",
    "diff.added",
    "diff.removed",
];

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// NO_COLOR: bold, reverse and underline only.
    None,
    Ansi16,
    Ansi256,
    TrueColor,
}

impl Depth {
    /// From the environment: NO_COLOR, COLORTERM, TERM. Never queries the terminal.
    pub fn detect() -> Depth {
        let var = |k: &str| std::env::var(k).unwrap_or_default();
        Depth::from_env(
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            &var("COLORTERM"),
            &var("TERM"),
        )
    }

    pub fn from_env(no_color: bool, colorterm: &str, term: &str) -> Depth {
        if no_color || term == "dumb" {
            Depth::None
        } else if colorterm == "truecolor" || colorterm == "24bit" {
            Depth::TrueColor
        } else if term.contains("256color") || term.contains("direct") {
            Depth::Ansi256
        } else {
            Depth::Ansi16
        }
    }
}

/// A problem with a theme file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct ThemeError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    #[serde(default)]
    palette: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    styles: BTreeMap<toml::Spanned<String>, toml::Spanned<RawStyle>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

/// A theme, fitted to a colour depth.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub depth: Depth,
    styles: BTreeMap<String, Style>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The 16 ANSI colour names.
const ANSI: [(&str, Color); 17] = [
    ("default", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("white", Color::Gray),
    ("bright-black", Color::DarkGray),
    ("bright-red", Color::LightRed),
    ("bright-green", Color::LightGreen),
    ("bright-yellow", Color::LightYellow),
    ("bright-blue", Color::LightBlue),
    ("bright-magenta", Color::LightMagenta),
    ("bright-cyan", Color::LightCyan),
    ("bright-white", Color::White),
];

/// The usual xterm RGB values of the 16 ANSI colours, for fitting true colour down.
const ANSI_RGB: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn parse_color(s: &str, palette: &BTreeMap<String, String>) -> Result<Color, String> {
    let s = palette.get(s).map(String::as_str).unwrap_or(s);
    if let Some((_, c)) = ANSI.iter().find(|(n, _)| *n == s) {
        return Ok(*c);
    }
    if let Some(hex) = s.strip_prefix('#')
        && hex.len() == 6
        && let Ok(v) = u32::from_str_radix(hex, 16)
    {
        return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(i) = s.parse::<u8>() {
        return Ok(Color::Indexed(i));
    }
    Err(format!(
        "`{s}` is not a colour: use an ANSI name (red, bright-blue, …), #rrggbb, 0-255 or a palette name"
    ))
}

fn parse_modifier(s: &str) -> Result<Modifier, String> {
    Ok(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed_out" => Modifier::CROSSED_OUT,
        _ => {
            return Err(format!(
                "`{s}` is not a modifier: bold, dim, italic, underlined, reversed, crossed_out"
            ));
        }
    })
}

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).unsigned_abs();
    d(a.0, b.0).pow(2) + d(a.1, b.1).pow(2) + d(a.2, b.2).pow(2)
}

fn to_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| -> u8 {
        if v < 48 {
            0
        } else if v < 115 {
            1
        } else {
            ((v as u16 - 35) / 40) as u8
        }
    };
    let (lr, lg, lb) = (level(r), level(g), level(b));
    let cube = 16 + 36 * lr + 6 * lg + lb;
    let cv = |l: u8| if l == 0 { 0 } else { 55 + 40 * l };
    let cube_rgb = (cv(lr), cv(lg), cv(lb));
    let avg = ((r as u16 + g as u16 + b as u16) / 3) as u8;
    let gi = if avg > 238 {
        23
    } else {
        avg.saturating_sub(3) / 10
    };
    let grey = 8 + 10 * gi;
    if dist((r, g, b), (grey, grey, grey)) < dist((r, g, b), cube_rgb) {
        232 + gi
    } else {
        cube
    }
}

fn to_16(r: u8, g: u8, b: u8) -> Color {
    ANSI_RGB
        .iter()
        .min_by_key(|(_, rgb)| dist((r, g, b), *rgb))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// A colour as the terminal can show it.
pub fn fit(c: Color, depth: Depth) -> Option<Color> {
    match (c, depth) {
        (_, Depth::None) => None,
        (Color::Rgb(r, g, b), Depth::Ansi256) => Some(Color::Indexed(to_256(r, g, b))),
        (Color::Rgb(r, g, b), Depth::Ansi16) => Some(to_16(r, g, b)),
        (Color::Indexed(i), Depth::Ansi16) if i >= 16 => {
            // Approximate through the 256-colour cube's RGB.
            let (r, g, b) = index_rgb(i);
            Some(to_16(r, g, b))
        }
        (c, _) => Some(c),
    }
}

fn index_rgb(i: u8) -> (u8, u8, u8) {
    if i >= 232 {
        let v = 8 + 10 * (i - 232);
        (v, v, v)
    } else {
        let i = i.saturating_sub(16);
        let cv = |l: u8| if l == 0 { 0 } else { 55 + 40 * l };
        (cv(i / 36), cv((i / 6) % 6), cv(i % 6))
    }
}

impl Theme {
    pub fn parse(name: &str, file: &str, text: &str, depth: Depth) -> Result<Theme, ThemeError> {
        let err = |offset: usize, problem: String| ThemeError {
            file: file.to_string(),
            line: line_of(text, offset),
            problem,
        };
        let raw: RawTheme = toml::from_str(text).map_err(|e| {
            err(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_string(),
            )
        })?;
        let palette: BTreeMap<String, String> = raw
            .palette
            .iter()
            .map(|(k, v)| (k.clone(), v.get_ref().clone()))
            .collect();
        for (k, v) in &raw.palette {
            parse_color(v.get_ref(), &BTreeMap::new())
                .map_err(|p| err(v.span().start, format!("palette `{k}`: {p}")))?;
        }
        let mut styles = BTreeMap::new();
        for (slot, st) in &raw.styles {
            if !SLOTS.contains(&slot.get_ref().as_str()) {
                return Err(err(
                    slot.span().start,
                    format!("unknown slot `{}`", slot.get_ref()),
                ));
            }
            let at = st.span().start;
            let st = st.get_ref();
            let mut style = Style::default();
            if let Some(fg) = &st.fg {
                let c = parse_color(fg, &palette).map_err(|p| err(at, p))?;
                if let Some(c) = fit(c, depth) {
                    style = style.fg(c);
                }
            }
            if let Some(bg) = &st.bg {
                let c = parse_color(bg, &palette).map_err(|p| err(at, p))?;
                if let Some(c) = fit(c, depth) {
                    style = style.bg(c);
                }
            }
            for m in &st.modifiers {
                style = style.add_modifier(parse_modifier(m).map_err(|p| err(at, p))?);
            }
            styles.insert(slot.get_ref().clone(), style);
        }
        if depth == Depth::None {
            // Without colour, what is selected and what matched must still stand out.
            for (slot, m) in [
                ("ui.selection", Modifier::REVERSED),
                ("search.match", Modifier::BOLD | Modifier::UNDERLINED),
                ("ui.status", Modifier::REVERSED),
                ("link", Modifier::UNDERLINED),
            ] {
                let s = styles.entry(slot.to_string()).or_default();
                *s = s.add_modifier(m);
            }
        }
        Ok(Theme {
            name: name.to_string(),
            depth,
            styles,
        })
    }

    /// A preset by name.
    pub fn preset(name: &str, depth: Depth) -> Option<Theme> {
        let (n, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
        Theme::parse(n, &format!("themes/{n}.toml"), text, depth).ok()
    }

    /// The theme to use: `themes/NAME.toml` in the config dir, else the preset NAME. On a
    /// problem, the default theme and the problem.
    pub fn load(name: &str, config_dir: &Path, depth: Depth) -> (Theme, Option<String>) {
        let fallback = || Theme::preset("default", depth).unwrap_or_else(|| Theme::plain(depth));
        let path = config_dir.join("themes").join(format!("{name}.toml"));
        match std::fs::read_to_string(&path) {
            Ok(text) => match Theme::parse(name, &path.display().to_string(), &text, depth) {
                Ok(t) => (t, None),
                Err(e) => (fallback(), Some(format!("{e}; using the default theme"))),
            },
            Err(_) => match Theme::preset(name, depth) {
                Some(t) => (t, None),
                None => (
                    fallback(),
                    Some(format!(
                        "no theme called `{name}` (there are {}); using default",
                        PRESETS.map(|(n, _)| n).join(", ")
                    )),
                ),
            },
        }
    }

    /// No styles at all (only used if the embedded default could not be parsed).
    pub fn plain(depth: Depth) -> Theme {
        Theme {
            name: "plain".into(),
            depth,
            styles: BTreeMap::new(),
        }
    }

    /// The style of a slot, falling back to its parent slot.
    pub fn style(&self, slot: &str) -> Style {
        let mut s = slot;
        loop {
            if let Some(st) = self.styles.get(s) {
                return *st;
            }
            match s.rsplit_once('.') {
                Some((parent, _)) => s = parent,
                None => return Style::default(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_from_environment() {
        assert_eq!(Depth::from_env(true, "truecolor", "xterm"), Depth::None);
        assert_eq!(
            Depth::from_env(false, "truecolor", "xterm"),
            Depth::TrueColor
        );
        assert_eq!(Depth::from_env(false, "", "xterm-256color"), Depth::Ansi256);
        assert_eq!(Depth::from_env(false, "", "linux"), Depth::Ansi16);
    }

    #[test]
    fn true_colour_fits_down() {
        assert_eq!(
            fit(Color::Rgb(255, 0, 0), Depth::Ansi256),
            Some(Color::Indexed(196))
        );
        assert_eq!(
            fit(Color::Rgb(250, 250, 250), Depth::Ansi16),
            Some(Color::White)
        );
        assert_eq!(fit(Color::Rgb(250, 250, 250), Depth::None), None);
    }

    #[test]
    fn slots_fall_back_to_parent_and_problems_have_lines() {
        let t = Theme::parse(
            "t",
            "t.toml",
            "[styles]\n\"heading\" = { fg = \"red\" }\n",
            Depth::Ansi16,
        )
        .unwrap();
        assert_eq!(t.style("heading.3").fg, Some(Color::Red));
        let e = Theme::parse(
            "t",
            "t.toml",
            "[styles]\n\"heading\" = { fg = \"red\" }\n\"nope\" = {}\n",
            Depth::Ansi16,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "t.toml:3: unknown slot `nope`");
    }

    #[test]
    fn no_color_keeps_selection_and_matches_visible() {
        let t = Theme::preset("default", Depth::None).unwrap();
        let sel = t.style("ui.selection");
        assert_eq!(sel.fg, None);
        assert!(sel.add_modifier.contains(Modifier::REVERSED));
        assert!(
            t.style("search.match")
                .add_modifier
                .contains(Modifier::UNDERLINED)
        );
    }
}
