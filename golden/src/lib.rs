//! Golden files for text and DOT output: [`assert_golden`] compares a test's output
//! byte for byte with a checked-in file, or rewrites the file when `FAULTLINE_BLESS=1`
//! is set (`FAULTLINE_BLESS=1 cargo test -p CRATE`). A test-only crate: every suite
//! with golden files dev-depends on it, so there is one bless rule.

use std::path::Path;

/// The environment variable that rewrites golden files instead of comparing.
pub const BLESS: &str = "FAULTLINE_BLESS";

/// Compares `actual` with `dir/name`, or writes it there under `FAULTLINE_BLESS=1`.
///
/// # Panics
///
/// When the file differs or is missing (with both texts and how to bless), or cannot
/// be written while blessing: this is a test assertion.
pub fn assert_golden(dir: &Path, name: &str, actual: &str) {
    let path = dir.join(name);
    if std::env::var_os(BLESS).is_some() {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, actual));
        if let Err(e) = written {
            panic!("{}: {e}", path.display());
        }
        return;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!("{}: {e} (bless with {BLESS}=1)", path.display()),
    };
    if expected != actual {
        panic!(
            "{} differs from its golden file; if the change is intended, bless it with \
             {BLESS}=1\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        );
    }
}
