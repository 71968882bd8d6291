//! Keys to actions: a key is typed into the field being edited, or looked up in the keymap
//! of the screen (with the input table first while typing), where it may start, continue or
//! finish a sequence (`g g`). The keys of an unfinished sequence are kept here; the status
//! bar shows them.

use crate::keymap::{Action, Context, Key, Keymap, Lookup};

#[derive(Debug, Default)]
pub struct Keys {
    /// Keys of an unfinished sequence.
    pub pending: Vec<Key>,
}

/// What a key press comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// A character for the field being typed into.
    Text(char),
    Act(Action),
    /// The start of a sequence, or a key bound to nothing.
    Nothing,
}

impl Keys {
    /// A key pressed on a screen with keymap table `ctx`; `typing`: a field takes characters.
    pub fn press(&mut self, key: Key, keymap: &Keymap, ctx: Context, typing: bool) -> Press {
        if typing
            && self.pending.is_empty()
            && let Some(c) = key.text()
        {
            return Press::Text(c);
        }
        self.pending.push(key);
        let lookup = if typing {
            keymap.lookup_in(&[Context::Input, ctx], &self.pending)
        } else {
            keymap.lookup(ctx, &self.pending)
        };
        match lookup {
            Lookup::Action(a) => {
                self.pending.clear();
                Press::Act(a)
            }
            Lookup::Prefix => Press::Nothing,
            Lookup::None => {
                self.pending.clear();
                Press::Nothing
            }
        }
    }
}
