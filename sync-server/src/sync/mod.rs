//! Sync: documents shared by a blog's members, merged on the server with Automerge's
//! sync protocol. `docs` holds the documents being synced in memory and persists every
//! change before it is acknowledged; the WebSocket endpoint (automerge-repo protocol v1,
//! `pint_model::sync_protocol`) is built on it.

pub mod access;
pub mod api;
pub mod connection;
pub mod docs;
pub mod inbox;
pub mod writer;
