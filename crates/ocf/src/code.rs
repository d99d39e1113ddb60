// SPDX-License-Identifier: GPL-2.0-or-later
//! OCF exit codes and the error type agents return.

use std::fmt;

/// OCF return codes (OCF 1.1, plus Pacemaker's degraded extensions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Code {
    Success = 0,
    ErrGeneric = 1,
    ErrArgs = 2,
    Unimplemented = 3,
    ErrPerm = 4,
    ErrInstalled = 5,
    ErrConfigured = 6,
    NotRunning = 7,
    RunningPromoted = 8,
    FailedPromoted = 9,
    Degraded = 190,
    DegradedPromoted = 191,
}

impl Code {
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// Whether this code reports a failure (as opposed to a state).
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            Code::Success | Code::NotRunning | Code::RunningPromoted
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Code::Success => "OCF_SUCCESS",
            Code::ErrGeneric => "OCF_ERR_GENERIC",
            Code::ErrArgs => "OCF_ERR_ARGS",
            Code::Unimplemented => "OCF_ERR_UNIMPLEMENTED",
            Code::ErrPerm => "OCF_ERR_PERM",
            Code::ErrInstalled => "OCF_ERR_INSTALLED",
            Code::ErrConfigured => "OCF_ERR_CONFIGURED",
            Code::NotRunning => "OCF_NOT_RUNNING",
            Code::RunningPromoted => "OCF_RUNNING_PROMOTED",
            Code::FailedPromoted => "OCF_FAILED_PROMOTED",
            Code::Degraded => "OCF_DEGRADED",
            Code::DegradedPromoted => "OCF_DEGRADED_PROMOTED",
        }
    }
}

/// An outcome other than plain success, with the one-line reason the admin will read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: Code,
    pub reason: String,
}

impl Error {
    pub fn new(code: Code, reason: impl Into<String>) -> Self {
        Error {
            code,
            reason: reason.into(),
        }
    }

    /// Shorthand for agents: `Error::configured(format!(...))`.
    pub fn configured(reason: impl Into<String>) -> Self {
        Error::new(Code::ErrConfigured, reason)
    }
    pub fn generic(reason: impl Into<String>) -> Self {
        Error::new(Code::ErrGeneric, reason)
    }
    pub fn installed(reason: impl Into<String>) -> Self {
        Error::new(Code::ErrInstalled, reason)
    }
    pub fn not_running(reason: impl Into<String>) -> Self {
        Error::new(Code::NotRunning, reason)
    }
    pub fn unimplemented(reason: impl Into<String>) -> Self {
        Error::new(Code::Unimplemented, reason)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reason, self.code.name())
    }
}

impl std::error::Error for Error {}

impl From<rustha_support::CommandError> for Error {
    fn from(e: rustha_support::CommandError) -> Self {
        Error::generic(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Error>;
