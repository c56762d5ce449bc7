//! Sites from text as `&'static str`.
//!
//! `Instr::site` is `&'static str` so instructions stay `Copy` and the hot step
//! function never touches a refcount. A file's function names are therefore interned
//! once, process-wide, and leaked: memory is bounded by the number of distinct
//! function names ever compiled (tens for the catalog), and the same name always
//! yields the same pointer, so identical files compile to identical programs.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// The `'static` copy of `s`.
pub fn intern(s: &str) -> &'static str {
    static SET: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let set = SET.get_or_init(|| Mutex::new(HashSet::new()));
    let mut set = match set.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(&s) = set.get(s) {
        return s;
    }
    let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
    set.insert(leaked);
    leaked
}
