//! Silencing the panics loom and shuttle raise and we catch (a deadlock backstop, an
//! early stop): without this they would print through the process's panic hook, and
//! the CLI's hook exits the process on any panic.
//!
//! One wrapper hook is installed once per process and delegates to the previous hook
//! unless the current OS thread is inside [`silenced`]. loom and shuttle run every model
//! thread as a coroutine on the caller's OS thread, so a thread-local flag covers them,
//! and parallel tests cannot restore each other's hooks in the wrong order.

use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static SILENT: Cell<bool> = const { Cell::new(false) };
}

fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // shuttle installs its own hook, which prints the last schedule on *any*
        // panic, on its first run. Let it do that now, then bypass it: we record
        // schedules ourselves.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        #[cfg(feature = "shuttle")]
        shuttle::check(|| {});
        std::panic::set_hook(Box::new(move |info| {
            if !SILENT.get() {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with panics on this thread unprinted; restores the previous setting after.
pub(crate) fn silenced<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SILENT.set(self.0);
        }
    }
    install();
    let _restore = Restore(SILENT.replace(true));
    f()
}

/// The text of a caught panic payload.
pub(crate) fn message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "a panic with a non-text payload".to_string()
    }
}
