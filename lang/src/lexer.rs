//! Tokens of a `.fl` file. Hand-written: the grammar is a small LL(1) C subset, and a
//! generated lexer would not know the one twist, identifiers with inner hyphens
//! (`fork-fuse`, `hold-across-io`) so ids read the same in files and on the command line.

use crate::diag::{Diagnostic, Span};
use crate::reporting::Message;

/// A token kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An identifier, possibly with inner hyphens (`a-b`; write `a - b` to subtract).
    Ident(String),
    /// A decimal integer.
    Int(i64),
    /// A string in double quotes (no escapes but `\"` and `\\`).
    Str(String),
    /// Punctuation or an operator.
    Punct(&'static str),
    /// End of input.
    Eof,
}

/// A token and where it is.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Longest first, so `->` wins over `-`.
const PUNCT: &[&str] = &[
    "->", "==", "!=", "<=", ">=", "&&", "||", "|=", "&=", "++", "(", ")", "{", "}", "[", "]", ";",
    ",", ":", "=", "<", ">", "!", "~", "&", "|", "+", "-", "*", "/", "%",
];

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `.` then a digit at `i`: inside a version.
fn version_dot(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

/// `-` then a digit then `.` at `i`: the second version of a range (`6.4-6.7`).
fn version_dash(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b'-')
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
        && b[i + 1..]
            .iter()
            .find(|c| !c.is_ascii_digit())
            .is_some_and(|&c| c == b'.')
}

/// Splits `src` into tokens; the last is [`Tok::Eof`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, Diagnostic> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    // A UTF-8 byte-order mark (Windows editors write one) is skipped, keeping offsets.
    let mut i = if src.starts_with('\u{feff}') { 3 } else { 0 };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if src[i..].starts_with("//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if src[i..].starts_with("/*") {
            let Some(end) = src[i + 2..].find("*/") else {
                return Err(Message::UnterminatedComment {
                    span: Span::new(i, i + 2),
                }
                .into());
            };
            i += end + 4;
            continue;
        }
        let start = i;
        if ident_start(c) {
            i += 1;
            while i < b.len() {
                if ident_char(b[i]) {
                    i += 1;
                } else if b[i] == b'-' && i + 1 < b.len() && b[i + 1].is_ascii_alphabetic() {
                    i += 2;
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Ident(src[start..i].to_string()),
                span: Span::new(start, i),
            });
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            // A kernel version (`6.1`, `6.4-6.7`, `6.12`) is a word, so knob values
            // read as on the command line (`--set kernel=6.4-6.7`).
            if version_dot(b, i) {
                while version_dot(b, i) || version_dash(b, i) {
                    i += 2;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                out.push(Token {
                    tok: Tok::Ident(src[start..i].to_string()),
                    span: Span::new(start, i),
                });
                continue;
            }
            if i < b.len() && ident_start(b[i]) {
                return Err(Message::MalformedNumber {
                    span: Span::new(start, i + 1),
                }
                .into());
            }
            let n = src[start..i].parse::<i64>().map_err(|_| {
                Diagnostic::from(Message::NumberTooLarge {
                    span: Span::new(start, i),
                })
            })?;
            out.push(Token {
                tok: Tok::Int(n),
                span: Span::new(start, i),
            });
            continue;
        }
        if c == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = b.get(i) else {
                    return Err(Message::UnterminatedString {
                        span: Span::new(start, start + 1),
                    }
                    .into());
                };
                match d {
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\')) => {
                        s.push(char::from(b[i + 1]));
                        i += 2;
                    }
                    b'\n' => {
                        // Strings may wrap: a newline and the indentation become one space.
                        s.push(' ');
                        i += 1;
                        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                            i += 1;
                        }
                    }
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or(' ');
                        s.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                span: Span::new(start, i),
            });
            continue;
        }
        if let Some(p) = PUNCT.iter().find(|p| src[i..].starts_with(**p)) {
            i += p.len();
            out.push(Token {
                tok: Tok::Punct(p),
                span: Span::new(start, i),
            });
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return Err(Message::UnexpectedCharacter {
            span: Span::new(i, i + ch.len_utf8()),
            ch,
        }
        .into());
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span::new(b.len(), b.len()),
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        lex(s).expect("lexes").into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn a_leading_utf8_bom_is_skipped_and_spans_still_count_it() {
        let t = lex("\u{feff}design d").expect("a BOM is not an error");
        assert_eq!(t[0].tok, Tok::Ident("design".into()));
        assert_eq!(t[0].span, Span::new(3, 9));
        // Elsewhere it is still an unexpected character.
        assert!(lex("design \u{feff}d").is_err());
    }

    #[test]
    fn hyphens_join_words_but_not_numbers_or_spaced_minus() {
        assert_eq!(
            kinds("fork-fuse i-1 a - b v->x"),
            [
                Tok::Ident("fork-fuse".into()),
                Tok::Ident("i".into()),
                Tok::Punct("-"),
                Tok::Int(1),
                Tok::Ident("a".into()),
                Tok::Punct("-"),
                Tok::Ident("b".into()),
                Tok::Ident("v".into()),
                Tok::Punct("->"),
                Tok::Ident("x".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn kernel_versions_are_words_and_minus_still_subtracts() {
        assert_eq!(
            kinds("6.1 6.4-6.7 6.12 6-1"),
            [
                Tok::Ident("6.1".into()),
                Tok::Ident("6.4-6.7".into()),
                Tok::Ident("6.12".into()),
                Tok::Int(6),
                Tok::Punct("-"),
                Tok::Int(1),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_strings_and_bad_bytes() {
        assert_eq!(
            kinds("/* a */ \"x\\\"y\" // z"),
            [Tok::Str("x\"y".into()), Tok::Eof]
        );
        assert!(lex("\"open").is_err());
        assert!(lex("/* open").is_err());
        assert!(lex("a $ b").is_err());
        assert!(lex("9999999999999999999999").is_err());
    }
}
