//! The error every desktop command returns: a `kind` the UI can act on, a message that
//! says what to do, and the file concerned when there is one. Defined here, beside the
//! engine, so its TypeScript binding is generated with the others.

use serde::Serialize;

use crate::account::AccountError;
use crate::{EngineError, StoreError};

#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The local database cannot be opened; the message says where it is.
    StoreUnavailable,
    /// The edit or request does not fit the draft; nothing was saved.
    InvalidEdit,
    NotFound,
    /// The draft's stored bytes no longer load; it was set aside, not deleted.
    Damaged,
    /// A form field does not hold what it must (the message says which).
    InvalidInput,
    /// The server does not accept this sign-in: sign in (again).
    Unauthorized,
    /// The server refused the request; the message is its own.
    Refused,
    /// The server cannot be reached.
    Offline,
    /// The OS keychain cannot be used, so Pint cannot keep a sign-in.
    KeychainUnavailable,
    Internal,
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
            path: None,
        }
    }
}

impl From<EngineError> for CommandError {
    fn from(e: EngineError) -> Self {
        let kind = match &e {
            EngineError::Draft(_) | EngineError::Id(_) => ErrorKind::InvalidEdit,
            EngineError::Media(_) => ErrorKind::InvalidInput,
            EngineError::Store(StoreError::NotFound(_)) => ErrorKind::NotFound,
            EngineError::Store(StoreError::Damaged { .. }) => ErrorKind::Damaged,
            EngineError::Store(StoreError::Invalid(_)) => ErrorKind::InvalidInput,
            EngineError::Store(_) | EngineError::DataDir { .. } => ErrorKind::StoreUnavailable,
        };
        CommandError::new(kind, e.to_string())
    }
}

impl From<crate::export::ExportError> for CommandError {
    fn from(e: crate::export::ExportError) -> Self {
        CommandError::new(ErrorKind::Internal, e.to_string())
    }
}

impl From<crate::ai::AiError> for CommandError {
    fn from(e: crate::ai::AiError) -> Self {
        use crate::ai::AiError as A;
        let kind = match &e {
            A::Invalid(_) => ErrorKind::InvalidInput,
            A::WrongKey { .. } => ErrorKind::Unauthorized,
            A::RateLimited { .. } | A::OutOfCredit { .. } | A::Provider { .. } | A::Refused(_) => {
                ErrorKind::Refused
            }
            A::Timeout { .. } | A::NoNetwork { .. } | A::Cut { .. } => ErrorKind::Offline,
            A::Keychain(_) => ErrorKind::KeychainUnavailable,
            A::Store(_) => ErrorKind::Internal,
        };
        CommandError::new(kind, e.to_string())
    }
}

impl From<AccountError> for CommandError {
    fn from(e: AccountError) -> Self {
        let e = match e {
            AccountError::Engine(inner) => return CommandError::from(inner),
            other => other,
        };
        let kind = match &e {
            AccountError::Engine(_) => ErrorKind::Internal,
            AccountError::Invalid(_) => ErrorKind::InvalidInput,
            AccountError::Refused { status: 401, .. } | AccountError::SignedOut => {
                ErrorKind::Unauthorized
            }
            AccountError::Refused { .. } | AccountError::Protocol(_) => ErrorKind::Refused,
            AccountError::Network(_) => ErrorKind::Offline,
            AccountError::Keychain(_) => ErrorKind::KeychainUnavailable,
        };
        CommandError::new(kind, e.to_string())
    }
}
