//! Copy to the *user's* clipboard with OSC 52, which travels with the terminal's output through
//! SSH (and through tmux): the clipboard of the machine ken runs on is of no use there.
//!
//! The payload is always base64 (so no byte of a document can end or extend the sequence);
//! the rest of the sequence is ken's own constant text.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The most text ken puts into one OSC 52 sequence. Terminals cap what they accept (xterm and
/// tmux at a few hundred KiB of base64); beyond this ken says so instead of copying a part.
pub const MAX_COPY: usize = 100_000;

/// Why nothing was copied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    #[error("nothing to copy")]
    Empty,
    #[error("too long to copy through the terminal ({len} bytes, at most {max})")]
    TooLong { len: usize, max: usize },
}

/// The OSC 52 "set clipboard" sequence for `text`: `ESC ] 52 ; c ; <base64> BEL`.
pub fn osc52(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 4 / 3 + 16);
    out.extend_from_slice(b"\x1b]52;c;");
    out.extend_from_slice(STANDARD.encode(text.as_bytes()).as_bytes());
    out.push(0x07);
    out
}

/// Wraps a sequence in tmux's passthrough (`ESC P tmux; … ESC \`, every ESC inside doubled),
/// so that it reaches the terminal tmux runs in (tmux ≥ 3.3 with `allow-passthrough on`).
pub fn tmux_passthrough(seq: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(seq.len() + 16);
    out.extend_from_slice(b"\x1bPtmux;");
    for &b in seq {
        if b == 0x1b {
            out.push(0x1b);
        }
        out.push(b);
    }
    out.extend_from_slice(b"\x1b\\");
    out
}

/// The bytes to write to the terminal to copy `text`.
///
/// Inside tmux (`in_tmux`: `$TMUX` is set) two sequences are written: the plain one, which
/// tmux takes itself when `set-clipboard` is on (its paste buffer, and the outer terminal when
/// tmux knows it can), and the same wrapped in passthrough, which reaches the outer terminal
/// directly when `allow-passthrough` is on. Whichever the user's tmux allows, the text
/// arrives; when both do, the terminal sets the same clipboard twice.
pub fn copy_sequence(text: &str, in_tmux: bool) -> Result<Vec<u8>, CopyError> {
    if text.is_empty() {
        return Err(CopyError::Empty);
    }
    if text.len() > MAX_COPY {
        return Err(CopyError::TooLong {
            len: text.len(),
            max: MAX_COPY,
        });
    }
    let seq = osc52(text);
    if in_tmux {
        let mut out = seq.clone();
        out.extend(tmux_passthrough(&seq));
        Ok(out)
    } else {
        Ok(seq)
    }
}

/// Whether ken runs inside tmux.
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_sequence_is_exact() {
        assert_eq!(
            copy_sequence("kubectl get pods\n", false).unwrap(),
            b"\x1b]52;c;a3ViZWN0bCBnZXQgcG9kcwo=\x07".to_vec()
        );
    }

    #[test]
    fn tmux_gets_the_plain_sequence_and_the_passthrough() {
        let got = copy_sequence("ls", true).unwrap();
        let plain = b"\x1b]52;c;bHM=\x07".to_vec();
        let mut want = plain.clone();
        want.extend_from_slice(b"\x1bPtmux;\x1b\x1b]52;c;bHM=\x07\x1b\\");
        assert_eq!(got, want);
    }

    #[test]
    fn hostile_text_never_leaves_the_base64() {
        // A code block that tries to end the sequence and start another.
        let text = "echo \x07\x1b]52;c;ZXZpbA==\x07\x1b\\\u{9c}";
        let seq = copy_sequence(text, true).unwrap();
        // Exactly the escapes ken writes itself: 1 in the plain sequence, 4 in the
        // passthrough (ESC P, the doubled ESC ], ESC \\).
        assert_eq!(seq.iter().filter(|&&b| b == 0x1b).count(), 1 + 1 + 2 + 1);
        assert_eq!(seq.iter().filter(|&&b| b == 0x07).count(), 2);
        let b64 = &seq[7..seq.iter().position(|&b| b == 0x07).unwrap()];
        assert_eq!(STANDARD.decode(b64).unwrap(), text.as_bytes());
    }

    #[test]
    fn empty_and_too_long_are_refused() {
        assert_eq!(copy_sequence("", false), Err(CopyError::Empty));
        let long = "x".repeat(MAX_COPY + 1);
        assert!(matches!(
            copy_sequence(&long, false),
            Err(CopyError::TooLong { .. })
        ));
    }
}
