//! The page-fault path as thread programs, parametrised by the design's
//! [`FaultPolicy`].
//!
//! | module | holds |
//! |---|---|
//! | `policy` | what a design changes: [`FaultPolicy`] and its parts |
//! | `arch` | `do_user_addr_fault`: the VMA-lock attempt, the retries, `lock_mmap` |
//! | `filemap` | `filemap_fault` and its drop-for-I/O sites |
//! | `anon` | `do_anonymous_page` (`vmf_anon_prepare`), `handle_userfault`, `do_swap_page` |

mod anon;
mod arch;
mod filemap;
mod policy;

pub(crate) use anon::{anon_fault, swap_fault, swap_fault_to, uffd_fault};
pub use arch::Origin;
pub(crate) use arch::file_fault;
pub use policy::{FaultPolicy, Relookup, RetrySites, VmaRetry};
