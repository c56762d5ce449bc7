//! Typed errors of a malformed model or a program that misuses the protocol.

use thiserror::Error;

/// Something is wrong with the model itself (never with the design it checks).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// Occurs when a program jumps to a label that was never placed.
    #[error("program jumps to label {label}, which is never placed")]
    UnplacedLabel {
        /// The label number.
        label: usize,
    },
    /// Occurs when a program has more instructions than a `u8` program counter allows.
    #[error("program has {len} instructions; at most 254 are allowed")]
    ProgramTooLong {
        /// Its length.
        len: usize,
    },
    /// Occurs when a scenario has more objects of a kind than the state encoding holds.
    #[error("scenario has {count} {what}; at most {max} are allowed")]
    TooMany {
        /// "threads", "VMAs" or "folios".
        what: &'static str,
        /// How many the scenario has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Occurs when an op names a VMA or folio the scenario does not have.
    #[error("{thread}: {op} names {what} {index}, which the scenario does not have")]
    NoSuchObject {
        /// The thread whose program is wrong.
        thread: String,
        /// The op.
        op: &'static str,
        /// "VMA" or "folio".
        what: &'static str,
        /// The index used.
        index: usize,
    },
    /// Occurs when a program breaks a lock rule: unlocking what it does not hold,
    /// `vma_start_write` without the `mmap_lock` write hold, and the like.
    #[error("{thread} in {site}: {op}: {reason}")]
    Misuse {
        /// The thread.
        thread: String,
        /// The kernel function the instruction sits in.
        site: &'static str,
        /// The op.
        op: &'static str,
        /// The rule broken.
        reason: &'static str,
    },
    /// Occurs when a program loops through flag and jump instructions without ever
    /// reaching a visible step.
    #[error("{thread} loops through local instructions without a visible step")]
    LocalLoop {
        /// The thread.
        thread: String,
    },
    /// Occurs when a step that is not enabled is applied (for example a corrupted
    /// replay token).
    #[error("step {step} is not enabled in this state")]
    NotEnabled {
        /// The step, as text.
        step: String,
    },
}
