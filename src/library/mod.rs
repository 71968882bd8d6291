//! What the knowledge base answers for every front end (the command line and the terminal
//! UI alike): which page a name means.

mod find;

pub use find::{ShowError, find};
