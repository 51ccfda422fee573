//! The HTTP surface's shared parts: the envelope middleware around everything, the one
//! error shape, the API's contract (its document completed, and request bodies checked
//! against it), request validation, the Allow header and the metrics endpoint. The
//! routes are assembled in `crate::app`.

pub mod allow;
pub mod contract;
pub mod envelope;
pub mod error;
pub mod metrics;
pub mod rules;
pub mod validation;

pub use envelope::{Envelope, RequestId};
pub use error::ApiError;
