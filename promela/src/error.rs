//! Typed errors: what the exporter cannot express, and what running SPIN can go wrong.

use thiserror::Error;

/// A machine the exporter cannot write as Promela.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Occurs when an op's effect cannot be mirrored exactly by one Promela step.
    #[error("{thread}: {op} at pc {pc} cannot be exported to Promela: {reason}")]
    Unsupported {
        /// The thread (`T1 fault`).
        thread: String,
        /// The kernel name of the op.
        op: &'static str,
        /// Its program counter.
        pc: u8,
        /// Why.
        reason: &'static str,
    },
    /// Occurs when a program loops through local instructions without a visible step
    /// (the machine refuses such a program too).
    #[error("{thread} loops through local instructions from pc {pc} without a visible step")]
    LocalLoop {
        /// The thread.
        thread: String,
        /// Where the loop was entered.
        pc: u8,
    },
}

/// Running SPIN, the C compiler or the verifier failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SpinError {
    /// Occurs when a tool is not on `PATH`.
    #[error("`{tool}` is not installed (Debian: apt-get install -y spin gcc)")]
    Missing {
        /// `spin` or `gcc`.
        tool: &'static str,
    },
    /// Occurs when a tool exits with an error.
    #[error("`{command}` failed: {output}")]
    Failed {
        /// The command line.
        command: String,
        /// The tail of its output.
        output: String,
    },
    /// Occurs when the verifier's report lacks a line the parser needs.
    #[error("cannot read `{what}` from the pan report: {report}")]
    Parse {
        /// The missing item.
        what: &'static str,
        /// The report.
        report: String,
    },
    /// Occurs when a file or process cannot be created.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
