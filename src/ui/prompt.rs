//! The one-line prompt over the status bar: a URL or path to open (`:`), or the number of
//! the code block to copy (`y`). What it asks for is answered as an [`Outcome`].

use super::msg::{Message, Outcome};
use crate::keymap::Action;

/// What a one-line prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// A URL or path to open.
    Open,
    /// The number of the code block to copy.
    CopyBlock,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

impl Prompt {
    pub fn new(kind: PromptKind) -> Prompt {
        Prompt {
            kind,
            text: String::new(),
        }
    }

    /// What an action does while the prompt is open: it takes every action, so nothing under
    /// it moves while something is typed. `Done` keeps it open; anything else closes it.
    pub fn act(&self, a: Action) -> Outcome {
        match a {
            Action::Open | Action::FollowLink => self.submit(),
            Action::Cancel | Action::Back => Outcome::Close,
            _ => Outcome::Done,
        }
    }

    fn submit(&self) -> Outcome {
        let text = self.text.trim();
        if text.is_empty() {
            return Outcome::Close;
        }
        match self.kind {
            PromptKind::CopyBlock => match text.parse::<usize>() {
                Ok(n) => Outcome::CopyBlock(n),
                Err(_) => Message::error(format!("not a block number: {text}")).into(),
            },
            PromptKind::Open => Outcome::OpenLocation(text.to_string()),
        }
    }

    /// The text changed: a block number that cannot grow (no page has that many blocks ten
    /// times over) copies at once, without waiting for `Enter`. `Done` keeps the prompt open.
    pub fn changed(&self, blocks: usize) -> Outcome {
        if self.kind != PromptKind::CopyBlock || self.text.is_empty() {
            return Outcome::Done;
        }
        match self.text.parse::<usize>() {
            Ok(n) if n > 0 && n * 10 > blocks => Outcome::CopyBlock(n),
            Ok(_) => Outcome::Done,
            Err(_) => Message::error(format!("not a block number: {}", self.text)).into(),
        }
    }
}
