//! The crate's one failure type, and how it becomes a JavaScript error.
//!
//! Only two things can go wrong below the napi surface: a handle that does not name
//! a live object of the expected kind (a `TypeError` whose message starts with
//! `invalid handle`, per `src/backend/types.ts`), and a blocking call cut short by
//! `interrupt_all` at process exit (an `Error` whose message starts with
//! `interrupted`). Timeouts, full and empty queues are results, not errors.

use std::fmt;

/// Why a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The handle is not live, or names an object of another kind.
    InvalidHandle {
        /// The handle as passed.
        handle: u32,
        /// The kind the call needed (`None`: any kind).
        expected: Option<&'static str>,
    },
    /// `interrupt_all` was called; the process is exiting.
    Interrupted,
}

/// Result of a call that can fail with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidHandle {
                handle,
                expected: Some(kind),
            } => write!(f, "invalid handle {handle}: not a live {kind}"),
            Error::InvalidHandle {
                handle,
                expected: None,
            } => write!(f, "invalid handle {handle}: not a live object"),
            Error::Interrupted => f.write_str("interrupted: the process is exiting"),
        }
    }
}

impl std::error::Error for Error {}
