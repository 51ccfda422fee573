//! Reading the draft schema out of an Automerge document, now or at given heads, and
//! checking that a document follows it.

use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value};

use super::{DraftContent, DraftError, DraftKind, SCHEMA_VERSION, Seo, SeoField, scalar_str};

/// The ids of the schema's objects in one document.
#[derive(Debug)]
pub(crate) struct SchemaIds {
    pub body: ObjId,
    pub tags: ObjId,
    pub seo: ObjId,
}

type Heads<'a> = Option<&'a [ChangeHash]>;

fn get<'a>(
    doc: &'a AutoCommit,
    obj: &ObjId,
    key: &str,
    at: Heads<'_>,
) -> Option<(Value<'a>, ObjId)> {
    let found = match at {
        None => doc.get(obj, key),
        Some(heads) => doc.get_at(obj, key, heads),
    };
    found.ok().flatten()
}

/// Check every field; on success return the object ids.
pub(crate) fn validate(doc: &AutoCommit, at: Heads<'_>) -> Result<SchemaIds, DraftError> {
    let root = automerge::ROOT;
    match get(doc, &root, "schema", at) {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Int(v) if *v == SCHEMA_VERSION => {}
            // Drafts made before the schema was written signed.
            ScalarValue::Uint(v) if i64::try_from(*v).ok() == Some(SCHEMA_VERSION) => {}
            other => {
                return Err(DraftError::Schema {
                    field: "schema",
                    problem: format!("is {other}, this version of Pint reads {SCHEMA_VERSION}"),
                });
            }
        },
        Some(_) => return Err(wrong_type("schema", "a number")),
        None => return Err(missing("schema")),
    }
    match get(doc, &root, "kind", at) {
        Some((v, _)) if matches!(scalar_str(&v).as_deref(), Some("post" | "page")) => {}
        Some(_) => {
            return Err(DraftError::Schema {
                field: "kind",
                problem: "must be \"post\" or \"page\"".into(),
            });
        }
        None => return Err(missing("kind")),
    }
    for field in ["title", "excerpt", "slug", "featured_image"] {
        require_str(doc, &root, field, at)?;
    }
    // Added later: absent in older drafts, a string where present.
    for field in ["featured_image_alt", "date"] {
        if get(doc, &root, field, at).is_some() {
            require_str(doc, &root, field, at)?;
        }
    }
    let body = require_object(doc, "body", ObjType::Text, "a text object", at)?;
    let tags = require_object(doc, "tags", ObjType::Map, "a map", at)?;
    let tag_keys: Vec<String> = match at {
        None => doc.keys(&tags).collect(),
        Some(heads) => doc.keys_at(&tags, heads).collect(),
    };
    for tag in tag_keys {
        match get(doc, &tags, &tag, at) {
            Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Boolean(true)) => {}
            _ => return Err(wrong_type("tags", "a map from tag to true")),
        }
    }
    let seo = require_object(doc, "seo", ObjType::Map, "a map", at)?;
    for field in SeoField::ALL {
        match get(doc, &seo, field.key(), at) {
            Some((v, _)) if scalar_str(&v).is_some() => {}
            Some(_) => return Err(wrong_type("seo", "a map of strings")),
            None => {
                return Err(DraftError::Schema {
                    field: "seo",
                    problem: format!("is missing `{}`", field.key()),
                });
            }
        }
    }
    Ok(SchemaIds { body, tags, seo })
}

fn require_str(
    doc: &AutoCommit,
    obj: &ObjId,
    field: &'static str,
    at: Heads<'_>,
) -> Result<(), DraftError> {
    match get(doc, obj, field, at) {
        Some((v, _)) if scalar_str(&v).is_some() => Ok(()),
        Some(_) => Err(wrong_type(field, "a string")),
        None => Err(missing(field)),
    }
}

fn require_object(
    doc: &AutoCommit,
    field: &'static str,
    ty: ObjType,
    described: &str,
    at: Heads<'_>,
) -> Result<ObjId, DraftError> {
    match get(doc, &automerge::ROOT, field, at) {
        Some((Value::Object(found), id)) if found == ty => Ok(id),
        Some(_) => Err(wrong_type(field, described)),
        None => Err(missing(field)),
    }
}

fn missing(field: &'static str) -> DraftError {
    DraftError::Schema {
        field,
        problem: "is missing".into(),
    }
}

fn wrong_type(field: &'static str, expected: &str) -> DraftError {
    DraftError::Schema {
        field,
        problem: format!("must be {expected}"),
    }
}

pub(crate) fn read_str(doc: &AutoCommit, obj: &ObjId, key: &str, at: Heads<'_>) -> String {
    get(doc, obj, key, at)
        .and_then(|(v, _)| scalar_str(&v))
        .unwrap_or_default()
}

pub(crate) fn read_kind(doc: &AutoCommit, at: Heads<'_>) -> DraftKind {
    match read_str(doc, &automerge::ROOT, "kind", at).as_str() {
        "page" => DraftKind::Page,
        _ => DraftKind::Post,
    }
}

pub(crate) fn read_seo(doc: &AutoCommit, seo: &ObjId, at: Heads<'_>) -> Seo {
    Seo {
        meta_title: read_str(doc, seo, SeoField::MetaTitle.key(), at),
        meta_description: read_str(doc, seo, SeoField::MetaDescription.key(), at),
        canonical_url: read_str(doc, seo, SeoField::CanonicalUrl.key(), at),
        og_image: read_str(doc, seo, SeoField::OgImage.key(), at),
    }
}

/// Everything the draft says, now or at `at`. Callers validate first.
pub(crate) fn read_content(doc: &AutoCommit, at: Heads<'_>) -> DraftContent {
    let root = automerge::ROOT;
    let object = |key: &str| get(doc, &root, key, at).map(|(_, id)| id);
    let body = object("body")
        .and_then(|id| match at {
            None => doc.text(&id).ok(),
            Some(heads) => doc.text_at(&id, heads).ok(),
        })
        .unwrap_or_default();
    let tags = object("tags")
        .map(|id| match at {
            None => doc.keys(&id).collect(),
            Some(heads) => doc.keys_at(&id, heads).collect(),
        })
        .unwrap_or_default();
    let seo = object("seo")
        .map(|id| read_seo(doc, &id, at))
        .unwrap_or_default();
    DraftContent {
        kind: read_kind(doc, at),
        title: read_str(doc, &root, "title", at),
        body,
        excerpt: read_str(doc, &root, "excerpt", at),
        slug: read_str(doc, &root, "slug", at),
        tags,
        featured_image: read_str(doc, &root, "featured_image", at),
        featured_image_alt: read_str(doc, &root, "featured_image_alt", at),
        seo,
        date: read_str(doc, &root, "date", at),
    }
}
