//! A blog's images on the server: checked uploads from members' devices (`service`,
//! `check`), kept in a blob store (`blobs`), described in storage (`crate::db::media`),
//! and reached over the API (`api`) and on the blog (`crate::blog`); what no image
//! keeps is swept from the store (`sweep`).

pub mod api;
pub mod blobs;
pub mod check;
pub mod published;
pub mod service;
pub mod sweep;
