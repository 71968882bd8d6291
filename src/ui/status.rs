//! What the status bar and the banner tell about the knowledge base: each source's synced
//! commit and time, a sync under way, offline, the library still loading, and the banner over
//! the built-in guide. Sync reports change it here.

use super::msg::{Message, SourceStatus, SyncOutcome};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SyncState {
    #[default]
    Idle,
    Running {
        source: String,
        percent: u8,
    },
}

#[derive(Debug, Default)]
pub struct Status {
    pub sources: Vec<SourceStatus>,
    pub sync: SyncState,
    /// The last sync failed (or none was tried).
    pub offline: bool,
    /// The library is being read in the background.
    pub loading: bool,
    /// A note above every screen (the built-in guide is showing, and why).
    pub banner: Option<String>,
    /// The clock, for "synced 3 h ago".
    pub now: u64,
}

impl Status {
    /// A sync ended; `guide`: the built-in guide is showing. The message, if any, is for the
    /// status bar.
    pub fn synced(&mut self, o: SyncOutcome, guide: bool) -> Option<Message> {
        self.sync = SyncState::Idle;
        self.sources = o.sources;
        self.offline = !o.failures.is_empty();
        match o.failures.first() {
            Some(first) if guide && !o.any_copy => {
                self.banner = Some(guide_banner(first));
                None
            }
            Some(first) => Some(Message::error(format!(
                "sync failed, showing the last good copy: {first}"
            ))),
            None if o.changed => Some(Message::info("synced: showing the new pages")),
            None => None,
        }
    }
}

/// The banner over the built-in guide when no source could be reached.
pub fn guide_banner(cause: &str) -> String {
    format!(
        "No knowledge base yet: {cause}. This is ken's built-in guide. Check the network \
         and run `ken sync`, or read a local folder with `ken --source PATH`."
    )
}

/// What the status bar says when a watched source changed on disk (names sanitized).
pub fn changed_on_disk(source: &str, paths: &[String]) -> Message {
    let source = crate::sanitize::line(source, 0);
    Message::info(match paths {
        [] => format!("{source} changed on disk"),
        [one] => format!(
            "{source}: {} changed on disk",
            crate::sanitize::line(one, 0)
        ),
        many => format!("{source}: {} pages changed on disk", many.len()),
    })
}

/// What toggling the mouse did (`key`: the key that toggles it back).
pub fn mouse(on: bool, key: Option<String>) -> Message {
    Message::info(if on {
        "mouse on: the wheel scrolls".to_string()
    } else {
        format!(
            "mouse released: select text with it; {} takes it back",
            key.unwrap_or_default()
        )
    })
}
