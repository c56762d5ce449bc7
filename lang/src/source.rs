//! A loaded file and the address of its items: what the compiler reads of a catalog.

use crate::ast;

/// A loaded file.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub name: String,
    pub text: String,
    pub ast: ast::File,
}

/// Where an item of a file sits: (file index, item index).
pub(crate) type At = (usize, usize);
