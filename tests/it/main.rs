//! The integration tests, in one binary so that a change relinks one test executable (the
//! memory test stays in a binary of its own: see tests/sync_memory.rs).

#[path = "../common/mod.rs"]
mod common;
mod ui_common;

mod bundle;
mod catalog;
mod check_changed;
mod check_cli;
mod check_format;
mod check_input;
mod check_online;
mod check_page;
mod check_rules;
mod cli;
mod corpus_anchors;
mod corpus_bundle;
mod corpus_check;
mod corpus_links;
mod corpus_markdown;
mod corpus_site;
mod corpus_site_sync;
mod corpus_standards;
mod corpus_sync;
mod crash;
mod e2e_reading;
mod e2e_tmux;
mod fuzz;
mod history;
mod index_search;
mod index_sync;
mod install;
mod library_find;
mod markdown_hostile;
mod markdown_model;
mod markdown_render;
mod markdown_show;
mod mirrors;
mod news;
mod page_header;
mod search_lifecycle;
mod search_quality;
mod site_history;
mod site_manifest;
mod site_sync;
mod stale;
mod sync;
mod sync_tls;
mod ui_app;
mod ui_cache;
mod ui_files;
mod ui_fresh;
mod ui_reading;
mod ui_sidebar;
mod ui_views;
mod ui_watch;
