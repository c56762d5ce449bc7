//! [`Latency`]: what a writer or fork that sleeps on I/O waits for, read off the
//! chain of waits at the counterexample's final state. The verdict key stays `LATENCY`
//! (property `writer-waits-io` or `fork-waits-io`); the grade is evidence. Waiting
//! for a disk read under the lock is what Wilcox's rip-out accepts by design
//! (<aSfO7fA-04SBtTug@casper.infradead.org>); Barry's objection is that I/O is
//! unbounded and chains through locks (<CAGsJ_4w0qcYmukHqsyRd0jomoyYkJjOt8b-Cgp53BgP-8QQghw@mail.gmail.com>);
//! a userspace server's reply is bounded by nothing at all.

use faultline_protocol::Backend;
use faultline_traces::{Node, WaitForGraph};

/// The grade of a latency violation, mildest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Latency {
    /// One disk read: the lock the waiter needs is held by the thread doing it.
    Io,
    /// Another thread's lock held across I/O: the holder of the lock the waiter needs
    /// itself waits for a lock that a third thread holds across a read.
    Held,
    /// A userspace FUSE or uffd server in the process: bounded by nothing the kernel
    /// controls.
    Server,
}

impl Latency {
    /// Every grade, mildest first.
    pub const ALL: [Latency; 3] = [Latency::Io, Latency::Held, Latency::Server];

    /// The grade of the marked chain of `wait_for` (the latency victim's), if it ends
    /// in an I/O actor.
    pub fn of(wait_for: &WaitForGraph) -> Option<Latency> {
        let g = wait_for.graph();
        let chain = wait_for.chain();
        let end = chain.last().map(|&n| g[n])?;
        let Node::Io(backend) = end else {
            return None;
        };
        if matches!(backend, Backend::Fuse | Backend::Uffd) {
            return Some(Latency::Server);
        }
        // Threads after the victim: one is the reader; more is a lock held by a
        // thread that waits on another's lock held across the read.
        let holders = chain
            .iter()
            .skip(1)
            .filter(|&&n| matches!(g[n], Node::Thread(_)))
            .count();
        Some(if holders > 1 {
            Latency::Held
        } else {
            Latency::Io
        })
    }

    /// The key shown in a matrix cell in place of `LATENCY`.
    pub fn key(self) -> &'static str {
        match self {
            Latency::Io => "LATENCY-IO",
            Latency::Held => "LATENCY-HELD",
            Latency::Server => "LATENCY-SERVER",
        }
    }

    /// The id used in JSON and in HTML classes.
    pub fn id(self) -> &'static str {
        match self {
            Latency::Io => "io",
            Latency::Held => "held",
            Latency::Server => "server",
        }
    }

    /// The grade with this [`Latency::id`] or [`Latency::key`].
    pub fn parse(s: &str) -> Option<Latency> {
        Latency::ALL
            .into_iter()
            .find(|l| l.id() == s || l.key() == s)
    }

    /// One legend line.
    pub fn meaning(self) -> &'static str {
        match self {
            Latency::Io => "a writer or fork waits for one disk read under its lock",
            Latency::Held => "the lock's holder waits for a lock held across I/O",
            Latency::Server => "it waits for a userspace FUSE or uffd server",
        }
    }
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
