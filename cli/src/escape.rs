//! User text that reaches a message or a printed command: control characters shown
//! as escapes (a newline or a terminal escape sequence in an argument must not split
//! the one-line error or drive the terminal), paths shell-quoted.

/// `s` with every control character as `\n`, `\t`, `\u{1b}`...
pub(crate) fn controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `s` quoted for a POSIX shell when it needs it (a path with spaces, quotes, `$`).
pub(crate) fn shell(s: &str) -> String {
    shlex::try_quote(s).map_or_else(|_| controls(s), |q| q.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_an_argument_are_escaped_not_echoed() {
        assert_eq!(controls("a\tb\nc"), "a\\tb\\nc");
        assert_eq!(controls("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(controls("plain-id"), "plain-id");
    }

    #[test]
    fn a_replay_path_with_spaces_is_shell_quoted() {
        assert_eq!(shell("my file.fl"), "'my file.fl'");
        assert_eq!(shell("mine.fl"), "mine.fl");
    }
}
