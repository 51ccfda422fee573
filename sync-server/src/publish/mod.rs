//! Publishing: a blog's draft becomes a post (or a page) on the blog. Publishing pins a
//! revision: the draft as stored now is rendered with pint-model (the same renderer as
//! the app's preview) and the result is kept; editing the draft afterwards changes
//! nothing on the blog until it is published again. The rules are `service`, the HTTP
//! surface `api`; storage is `db::posts`, the pages readers get are `blog`, scheduled
//! publications are run by `scheduler`.

pub mod api;
pub mod scheduler;
pub mod service;

pub use api::{PostView, PublishApi};
