//! Diagnostics: spans, errors with a help line, did-you-mean, and their rendering by
//! codespan-reporting (`file:line:col`, the source line and a caret, ASCII only).

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Chars, Config};

/// A byte range in one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub lo: u32,
    /// One past the last byte.
    pub hi: u32,
}

impl Span {
    pub(crate) fn new(lo: usize, hi: usize) -> Span {
        Span {
            lo: lo as u32,
            hi: hi as u32,
        }
    }
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }
}

/// One problem in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where.
    pub span: Span,
    /// What is wrong (the headline).
    pub message: String,
    /// What is wrong at this token (the caret's label).
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Which kind of problem: the name of its variant in the crate's one list of
    /// them (`reporting::Message`), e.g. `UnknownCall`; stable for tools and tests.
    pub kind: Box<str>,
    /// Other places that explain it: the first definition of a name defined twice, the
    /// call sites of the inlined functions it sits in (innermost first).
    pub related: Vec<Related>,
}

/// A secondary place a diagnostic points at, in its own file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Index into [`FileError::others`]; `None` is the diagnostic's own file.
    pub file: Option<usize>,
    /// Where.
    pub span: Span,
    /// What is there.
    pub label: String,
}

impl Diagnostic {
    pub(crate) fn new(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
            label: label.into(),
            help: None,
            kind: Box::default(),
            related: Vec::new(),
        }
    }
    /// Points also at `span` of file `file` (a catalog's file index while compiling;
    /// `None` is the diagnostic's own file).
    pub(crate) fn related(
        mut self,
        file: Option<usize>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            file,
            span,
            label: label.into(),
        });
        self
    }
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// Adds "did you mean `x`?" if a candidate is close to `name`.
    pub(crate) fn suggest<'a>(
        self,
        name: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match did_you_mean(name, candidates) {
            Some(c) => self.help(format!("did you mean `{c}`?")),
            None => self,
        }
    }
}

/// The closest candidate to `name`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(d, c)| d > 0 && d <= (name.len().max(c.len()) / 3).max(1))
        // Fewest edits; among equals, the most similar (`of` is `off`, not `on`).
        .min_by(|&(d1, c1), &(d2, c2)| {
            let sim = |c: &str| strsim::normalized_damerau_levenshtein(name, c);
            d1.cmp(&d2).then(sim(c2).total_cmp(&sim(c1)))
        })
        .map(|(_, c)| c)
}

/// A file that did not compile: its name, text and problems.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.headline())]
pub struct FileError {
    /// The file name as given.
    pub file: String,
    /// Its text.
    pub source_text: String,
    /// The problems, first one first.
    pub diagnostics: Vec<Diagnostic>,
    /// Other files the problems point into (the related places' files): name and text.
    pub others: Vec<(String, String)>,
}

impl FileError {
    pub(crate) fn new(file: &str, source_text: &str, diagnostics: Vec<Diagnostic>) -> Self {
        FileError {
            file: file.to_string(),
            source_text: source_text.to_string(),
            diagnostics,
            others: Vec::new(),
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let upto = &self.source_text.as_bytes()[..(offset as usize).min(self.source_text.len())];
        let line = upto.iter().filter(|&&c| c == b'\n').count() + 1;
        let col = upto.iter().rev().take_while(|&&c| c != b'\n').count() + 1;
        (line, col)
    }

    /// One line: `file:line:col: message` for the first problem.
    pub fn headline(&self) -> String {
        match self.diagnostics.first() {
            Some(d) => {
                let (l, c) = self.line_col(d.span.lo);
                format!("{}:{l}:{c}: {}", self.file, d.message)
            }
            None => format!("{}: error", self.file),
        }
    }

    /// Every problem, rendered rustc-style with the source lines and carets: the
    /// problem's own place first, then the places related to it, in any file.
    pub fn render(&self) -> String {
        let mut files = SimpleFiles::new();
        let own = files.add(self.file.as_str(), self.source_text.as_str());
        let others: Vec<usize> = self
            .others
            .iter()
            .map(|(name, text)| files.add(name.as_str(), text.as_str()))
            .collect();
        // Plain ASCII: errors get pasted into mail.
        let config = Config {
            chars: Chars::ascii(),
            ..Config::default()
        };
        let mut out = String::new();
        for d in &self.diagnostics {
            let mut labels =
                vec![Label::primary(own, clamp(&self.source_text, d.span)).with_message(&d.label)];
            for r in &d.related {
                let (id, text) = match r
                    .file
                    .and_then(|i| Some((*others.get(i)?, &self.others[i].1)))
                {
                    Some((id, text)) => (id, text.as_str()),
                    None => (own, self.source_text.as_str()),
                };
                labels.push(Label::secondary(id, clamp(text, r.span)).with_message(&r.label));
            }
            let mut cd = CsDiagnostic::error()
                .with_message(&d.message)
                .with_labels(labels);
            if let Some(h) = &d.help {
                cd = cd.with_notes(vec![format!("help: {h}")]);
            }
            let mut s = String::new();
            match term::emit_to_string(&mut s, &config, &files, &cd) {
                Ok(()) => out.push_str(&s),
                Err(_) => {
                    out.push_str(&self.headline());
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// A span as a byte range that lies within `text`.
fn clamp(text: &str, span: Span) -> std::ops::Range<usize> {
    let lo = (span.lo as usize).min(text.len());
    let hi = (span.hi as usize).clamp(lo, text.len());
    lo..hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_the_line_and_a_caret() {
        let src = "design x {\n\tmmap_read_lok();\n}\n";
        let d = Diagnostic::new(Span::new(12, 25), "unknown call", "not a primitive")
            .suggest("mmap_read_lok", ["mmap_read_lock", "folio_lock"]);
        let e = FileError::new("x.fl", src, vec![d]);
        assert_eq!(e.headline(), "x.fl:2:2: unknown call");
        let r = e.render();
        assert!(r.contains("x.fl:2:2"), "{r}");
        assert!(r.contains("mmap_read_lok();"), "{r}");
        assert!(r.contains("^^^^"), "{r}");
        assert!(r.contains("did you mean `mmap_read_lock`?"), "{r}");
        assert!(r.is_ascii());
    }

    #[test]
    fn did_you_mean_only_for_close_names() {
        assert_eq!(
            did_you_mean("hold-io", ["hold-io2", "upstream"]),
            Some("hold-io2")
        );
        assert_eq!(did_you_mean("zzz", ["upstream"]), None);
    }
}
