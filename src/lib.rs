//! ken — a terminal knowledge browser for Markdown documentation kept in git.
//!
//! See `docs/architecture.md` for the modules and how data flows between them.

pub mod base;
pub mod bundle;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod corpus;
pub mod durable;
pub mod fault;
pub mod forge;
pub mod history;
pub mod index;
pub mod keymap;
pub mod library;
pub mod markdown;
pub mod sanitize;
pub mod sidebar;
pub mod site;
pub mod slug;
pub mod source;
pub mod state;
pub mod store;
pub mod theme;
pub mod ui;
