//! The one sanitizer: every string that reaches the terminal passes through here last.
//!
//! Repository content is untrusted. After entity decoding, every C0/C1 control character,
//! DEL, bidi override and invisible format character is replaced by a visible stand-in, and
//! tabs are expanded, so no byte of a document can ever form an escape sequence.

use std::borrow::Cow;

/// Tab stops every this many columns.
pub const TAB_WIDTH: usize = 4;

/// True for characters that must never reach the terminal as themselves.
pub fn is_unsafe(c: char) -> bool {
    let u = c as u32;
    u < 0x20 || u == 0x7f || (0x80..=0x9f).contains(&u) || is_invisible_format(c)
}

/// Bidi controls and other invisible format characters that could disguise text.
fn is_invisible_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD          // soft hyphen
        | 0x061C        // arabic letter mark
        | 0x115F | 0x1160 | 0x3164 | 0xFFA0 // hangul fillers
        | 0x180E        // mongolian vowel separator
        | 0x200B..=0x200F // zero-width space/joiners, LRM, RLM
        | 0x2028 | 0x2029 // line/paragraph separator
        | 0x202A..=0x202E // bidi embeddings and overrides
        | 0x2060..=0x206F // word joiner, invisible operators, bidi isolates
        | 0xFEFF        // zero-width no-break space / BOM
        | 0xFFF9..=0xFFFB // interlinear annotation
        | 0xE0000..=0xE007F // tag characters
    )
}

/// The visible stand-in for an unsafe character.
fn visible(c: char, out: &mut String) {
    let u = c as u32;
    match u {
        // C0 controls: the Unicode "control pictures" block (ESC becomes ␛).
        0x00..=0x1f => out.push(char::from_u32(0x2400 + u).unwrap_or('?')),
        0x7f => out.push('\u{2421}'), // ␡
        _ => {
            out.push_str(&format!("<U+{u:04X}>"));
        }
    }
}

/// The common case, checked a byte at a time: nothing to change.
fn is_printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Sanitize a single line of text that starts at display column `start_col`.
///
/// Newlines become visible too (use [`text`] for multi-line strings).
pub fn line(s: &str, start_col: usize) -> Cow<'_, str> {
    if is_printable_ascii(s) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut col = start_col;
    for c in s.chars() {
        if c == '\t' {
            let n = TAB_WIDTH - (col % TAB_WIDTH);
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else if is_unsafe(c) {
            let before = out.len();
            visible(c, &mut out);
            col += unicode_width::UnicodeWidthStr::width(&out[before..]);
        } else {
            out.push(c);
            col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
    }
    Cow::Owned(out)
}

/// Sanitize multi-line text: each line as [`line`], `\n` kept, `\r\n` treated as `\n`.
pub fn text(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b))
        || !s.chars().any(|c| c != '\n' && is_unsafe(c))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, l) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&line(l.strip_suffix('\r').unwrap_or(l), 0));
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        let s = "a\x1b]52;c;ZXZpbA==\x07b\x1b[2Jc\u{9b}31m";
        let out = line(s, 0);
        assert!(!out.chars().any(is_unsafe), "{out:?}");
        assert_eq!(out, "a␛]52;c;ZXZpbA==␇b␛[2Jc<U+009B>31m");
    }

    #[test]
    fn bidi_overrides_become_visible() {
        assert_eq!(line("abc\u{202e}fed", 0), "abc<U+202E>fed");
    }

    #[test]
    fn tabs_expand_to_tab_stops() {
        assert_eq!(line("a\tb", 0), "a   b");
        assert_eq!(line("\tb", 2), "  b");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(line("plain text ü 中文", 0), Cow::Borrowed(_)));
        assert_eq!(text("one\r\ntwo\x1b"), "one\ntwo␛");
    }
}
