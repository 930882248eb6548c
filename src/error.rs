//! Exit-code aware errors. Everything else uses `anyhow`; these mark the
//! cases that map to a specific exit code or need a stable machine name.

use std::fmt;

/// Exit codes, stable for scripts: 0 ok, 1 nothing found, 2 error, 130 interrupted.
pub const EXIT_OK: i32 = 0;
pub const EXIT_NOT_FOUND: i32 = 1;
pub const EXIT_ERROR: i32 = 2;
pub const EXIT_INTERRUPTED: i32 = 130;

/// "Nothing found": a query or lookup matched nothing. Exit code 1.
#[derive(Debug)]
pub struct NotFound(pub String);

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for NotFound {}

/// Maps an error chain to the process exit code.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.downcast_ref::<NotFound>().is_some()) {
        EXIT_NOT_FOUND
    } else {
        EXIT_ERROR
    }
}

/// Shorthand for returning a `NotFound` error.
pub fn not_found(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(NotFound(msg.into()))
}
