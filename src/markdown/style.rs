//! Styles name *roles* (what a piece of text is), never colours. Themes map roles to colours;
//! [`super::ansi`] holds the built-in 16-colour mapping used by `ken show`.

use std::ops::{BitOr, BitOrAssign};

/// The kind of an admonition or GitHub alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdmonitionKind {
    Note,
    Tip,
    Info,
    Caution,
    Warning,
    Danger,
    Important,
    /// Any other `:::name`.
    Other,
}

impl AdmonitionKind {
    pub fn from_name(name: &str) -> AdmonitionKind {
        match name.to_ascii_lowercase().as_str() {
            "note" => Self::Note,
            "tip" => Self::Tip,
            "info" => Self::Info,
            "caution" => Self::Caution,
            "warning" => Self::Warning,
            "danger" => Self::Danger,
            "important" => Self::Important,
            _ => Self::Other,
        }
    }

    /// The label shown on the frame.
    pub fn label(self) -> &'static str {
        match self {
            Self::Note => "NOTE",
            Self::Tip => "TIP",
            Self::Info => "INFO",
            Self::Caution => "CAUTION",
            Self::Warning => "WARNING",
            Self::Danger => "DANGER",
            Self::Important => "IMPORTANT",
            Self::Other => "NOTE",
        }
    }
}

/// A syntax class of highlighted code, independent of any syntect theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Syntax {
    Comment,
    String,
    Keyword,
    Number,
    Constant,
    Function,
    Type,
    Variable,
    Operator,
    Punctuation,
    Tag,
    Attribute,
    Inserted,
    Deleted,
    Changed,
    Heading,
}

/// What a run of text is, for its main look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Role {
    #[default]
    Text,
    /// Heading text, level 1 to 6.
    Heading(u8),
    /// The underline of an H1/H2.
    HeadingRule,
    /// The page title of the front matter header.
    Title,
    /// Front matter facts under the title.
    FrontMatter,
    /// A block quote's bar.
    Quote,
    /// An admonition or alert frame and label.
    Admonition(AdmonitionKind),
    /// The label of a tab or details section.
    Label,
    /// Code block text without a syntax class.
    CodeBlock,
    /// Code block text of a syntax class.
    Syntax(Syntax),
    /// A code block's header (number, language, title).
    CodeFrame,
    /// The marker at the end of a wrapped code line.
    WrapMarker,
    TableBorder,
    TableHeader,
    /// List bullets, numbers and task boxes.
    ListMarker,
    /// A thematic break.
    Rule,
    /// Raw HTML shown as text.
    Html,
    /// A note from ken about the page (a cap was hit, a highlight given up).
    Note,
}

/// Inline marks that combine with each other and with the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u16);

impl Flags {
    pub const NONE: Flags = Flags(0);
    pub const EMPHASIS: Flags = Flags(1);
    pub const STRONG: Flags = Flags(1 << 1);
    pub const STRIKE: Flags = Flags(1 << 2);
    /// Inline code.
    pub const CODE: Flags = Flags(1 << 3);
    pub const LINK: Flags = Flags(1 << 4);
    /// `[image: alt]`.
    pub const IMAGE: Flags = Flags(1 << 5);
    /// A footnote reference.
    pub const FOOTNOTE: Flags = Flags(1 << 6);
    /// `==highlight==`, `<mark>`.
    pub const HIGHLIGHT: Flags = Flags(1 << 7);
    /// A find-in-page or search match (set by the UI).
    pub const MATCH: Flags = Flags(1 << 8);
    /// The currently selected link or match (set by the UI).
    pub const SELECTED: Flags = Flags(1 << 9);

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

impl BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.0 |= rhs.0;
    }
}

/// The full style of a run of laid-out text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Style {
    pub role: Role,
    pub flags: Flags,
    /// The index of the link (in [`super::Document::links`]) this text belongs to.
    pub link: Option<u32>,
}

impl Style {
    pub fn role(role: Role) -> Style {
        Style {
            role,
            ..Style::default()
        }
    }
}
