//! The rules on values that the API document states, beside the types poem-openapi
//! derives: lengths, allowed values and patterns of the request fields, written from the
//! same constants the handlers check with. `contract::describe` puts them in the
//! document, and `contract::RequestBodies` enforces what the document says on every JSON
//! body, so the document and the server cannot disagree. Rules a schema cannot state (a
//! checksum, a token that must exist, a page that must be published) stay with the
//! handlers; the document says them in words (`x-problem`).

use serde_json::{Value, json};

use crate::auth::password;
use crate::tenants::subdomain;

/// One rule: the schema and field it is on, what it adds to the field's schema, and
/// what a request that breaks it is told.
#[derive(Debug, Clone)]
pub struct Rule {
    pub schema: &'static str,
    pub field: &'static str,
    pub rule: Value,
    pub problem: &'static str,
}

/// No control characters, and something other than spaces (names are trimmed).
const LINE_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// What `validation::email_problem` takes (spaces around it are trimmed): a dot-atom
/// local part and a domain of DNS labels with at least one dot.
const EMAIL_PATTERN: &str = "^\\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\\s*$";

/// No control characters (a password may be spaces).
const NO_CONTROL_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

fn secret(min: usize, max: usize) -> Value {
    json!({"minLength": min, "maxLength": max, "pattern": NO_CONTROL_PATTERN})
}

fn line(min: usize, max: usize) -> Value {
    json!({"minLength": min, "maxLength": max, "pattern": LINE_PATTERN})
}

fn email() -> Value {
    // The local part (before `@`) is at most 64 characters (RFC 5321; the mailer holds to
    // it), stated apart so that generators need no lookahead.
    json!({"maxLength": 254, "allOf": [{"pattern": EMAIL_PATTERN}, {"pattern": "^\\s*[^@]{1,64}@"}]})
}

fn password() -> Value {
    // At most MAX_BYTES bytes: a quarter of it in characters always fits.
    json!({"minLength": password::MIN_CHARS, "maxLength": password::MAX_BYTES / 4})
}

fn one_of(values: &[&str]) -> Value {
    json!({ "enum": values })
}

/// Every rule the document states.
pub fn rules() -> Vec<Rule> {
    let r = |schema, field, rule, problem| Rule {
        schema,
        field,
        rule,
        problem,
    };
    const NAME: &str = "1 to 100 characters, not only spaces, no control characters";
    const EMAIL: &str = "is not an email address";
    const PASSWORD: &str = "use 10 to 256 characters";
    const BLOG_PASSWORD: &str = "4 to 256 characters, no control characters";
    vec![
        r("RegisterRequest", "email", email(), EMAIL),
        r("RegisterRequest", "password", password(), PASSWORD),
        r("RegisterRequest", "displayName", line(1, 100), NAME),
        r("RegisterRequest", "deviceName", line(1, 100), NAME),
        r("LoginRequest", "deviceName", line(1, 100), NAME),
        r("ForgotPassword", "email", email(), EMAIL),
        r("ResetPassword", "password", password(), PASSWORD),
        r("UpdateMe", "displayName", line(1, 100), NAME),
        r("UpdateMe", "password", password(), PASSWORD),
        r(
            "NewBlog",
            "subdomain",
            json!({
                "minLength": 3,
                "maxLength": 63,
                "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
                "not": {"anyOf": [{"enum": subdomain::RESERVED}, {"pattern": "^xn--"}]},
            }),
            "3 to 63 lowercase letters, digits and hyphens, not at either end; not a reserved \
             name, not an xn-- name",
        ),
        r("NewBlog", "name", line(1, 100), NAME),
        r("UpdateTenant", "name", line(1, 100), NAME),
        r("InviteRequest", "email", email(), EMAIL),
        r(
            "InviteRequest",
            "role",
            one_of(&["admin", "editor", "viewer"]),
            "must be admin, editor or viewer",
        ),
        r(
            "ChangeRole",
            "role",
            one_of(&["owner", "admin", "editor", "viewer"]),
            "must be owner, admin, editor or viewer",
        ),
        r(
            "Decision",
            "status",
            one_of(&["approved", "rejected"]),
            "must be approved or rejected",
        ),
        r("BlogPassword", "password", secret(4, 256), BLOG_PASSWORD),
        r(
            "PublishRequest",
            "password",
            // "" takes the password away.
            json!({"anyOf": [{"enum": [""]}, secret(4, 256)]}),
            "4 to 256 characters, no control characters; \"\" takes the password away",
        ),
        r(
            "PublishRequest",
            "slug",
            json!({"minLength": 1, "maxLength": pint_model::slug::MAX_SLUG_CHARS}),
            "lowercase letters (of any script), digits and single hyphens between them",
        ),
        r(
            "NewDocument",
            "documentId",
            json!({"minLength": 1, "maxLength": 64, "pattern": "^[1-9A-HJ-NP-Za-km-z]+$"}),
            "a document id: base58check of 16 bytes, as automerge-repo makes them",
        ),
        r(
            "PageOrder",
            "documentIds",
            json!({"maxItems": 50, "uniqueItems": true}),
            "at most 50 published pages of the blog, each once",
        ),
        r(
            "MediaMissingRequest",
            "ids",
            json!({"maxItems": crate::media::service::MAX_MISSING_IDS, "items": {"type": "string", "pattern": MEDIA_ID}}),
            "at most 100 image ids, each 32 lowercase hex digits",
        ),
        r(
            "KeepMediaRequest",
            "variants",
            json!({
                "minItems": 2,
                "maxItems": crate::media::service::MAX_VARIANTS,
                "uniqueItems": true,
                "items": {"type": "string", "pattern": VARIANT_NAME},
            }),
            "every variant of the image, each once, named WIDTH.FORMAT (480.webp)",
        ),
        r(
            "ClaimDomain",
            "domain",
            json!({"minLength": 3, "maxLength": 253}),
            "a full domain name in ASCII (xn-- form for international names), not an IP \
             address, not under the platform's own domain",
        ),
        r(
            "ChatRequest",
            "messages",
            json!({"minItems": 1, "maxItems": crate::ai::MAX_MESSAGES}),
            "1 to 16 messages",
        ),
        r(
            "ChatRequest",
            "max_tokens",
            json!({"minimum": 1, "maximum": crate::ai::MAX_OUTPUT_TOKENS}),
            "1 to 8192",
        ),
        r(
            "ChatRequest",
            "stream",
            json!({"enum": [true]}),
            "answers stream: true, or leave it out",
        ),
        r(
            "ChatMessage",
            "role",
            one_of(&crate::ai::api::ROLES),
            "must be system, user or assistant",
        ),
    ]
}

/// An image id: 32 lowercase hex digits (`pint_model::media::is_media_id`).
const MEDIA_ID: &str = "^[0-9a-f]{32}$";
/// A variant's name (`pint_model::media::parse_variant_name`).
const VARIANT_NAME: &str = "^[1-9][0-9]{0,4}\\.(webp|jpeg|jpg|png)$";

/// The rules on query and path parameters: (path, method, where, parameter, schema
/// additions).
pub fn param_rules() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Value,
)> {
    let media = json!({"pattern": MEDIA_ID});
    let variant = json!({"pattern": VARIANT_NAME});
    let image = "/v1/tenants/{id}/media/{media_id}";
    let upload = "/v1/tenants/{id}/media/{media_id}/variants/{name}";
    vec![
        (
            "/v1/tenants/{id}/love",
            "get",
            "query",
            "status",
            one_of(&["pending", "approved", "rejected"]),
        ),
        (image, "post", "path", "media_id", media.clone()),
        (image, "get", "path", "media_id", media.clone()),
        (image, "delete", "path", "media_id", media.clone()),
        (upload, "put", "path", "media_id", media.clone()),
        (upload, "put", "path", "name", variant.clone()),
        (upload, "get", "path", "media_id", media),
        (upload, "get", "path", "name", variant),
    ]
}

/// Put every rule into the document (a rule whose schema or field is not there is an
/// error the tests catch: see `contract`'s tests).
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut missing = Vec::new();
    for rule in rules() {
        let field = &mut doc["components"]["schemas"][rule.schema]["properties"][rule.field];
        let Some(map) = field.as_object_mut() else {
            missing.push(format!("{}.{}", rule.schema, rule.field));
            continue;
        };
        // A list's rules are on the list; its items keep theirs.
        for (k, v) in rule.rule.as_object().into_iter().flatten() {
            map.insert(k.clone(), v.clone());
        }
        map.insert("x-problem".into(), Value::String(rule.problem.into()));
    }
    for (path, method, location, name, rule) in param_rules() {
        let params = doc["paths"][path][method]["parameters"].as_array_mut();
        let param = params
            .into_iter()
            .flatten()
            .find(|p| p["name"] == name && p["in"] == location);
        match param {
            Some(p) => {
                for (k, v) in rule.as_object().into_iter().flatten() {
                    p["schema"][k] = v.clone();
                }
            }
            None => missing.push(format!("{method} {path} {location} {name}")),
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_on_a_field_of_the_document() {
        let spec = crate::app::api_service().spec();
        let mut doc: Value = serde_json::from_str(&spec).unwrap();
        assert_eq!(apply(&mut doc), Vec::<String>::new());
    }

    #[test]
    fn the_patterns_say_what_the_handlers_check() {
        let matches = |pattern: &str, s: &str| {
            jsonschema::is_valid(&json!({ "pattern": pattern }), &json!(s))
        };
        for ok in [
            "ada@example.com",
            "  Ada@Example.COM ",
            "a.b+c@mail.example.org",
        ] {
            assert!(matches(EMAIL_PATTERN, ok), "{ok}");
            let normalized = crate::http::validation::normalize_email(ok);
            assert!(crate::http::validation::email_problem(&normalized).is_none());
        }
        for bad in [
            "",
            "ada",
            "ada@example",
            "a b@example.com",
            "a+<script>@example.com",
            ".a@b.co",
        ] {
            assert!(!matches(EMAIL_PATTERN, bad), "{bad}");
        }
        // What the schema takes, the handlers (and the mailer) take.
        let schema = email();
        for taken in [
            "a@b.c",
            "a@b.1",
            "a@1.1",
            "x@a-b.co",
            "!#$%&'*+/=?^_`{|}~-@x.io",
        ] {
            assert!(jsonschema::is_valid(&schema, &json!(taken)), "{taken}");
            assert_eq!(
                crate::http::validation::email_problem(taken),
                None,
                "{taken}"
            );
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(!jsonschema::is_valid(&schema, &json!(long_local)));
        assert!(crate::http::validation::email_problem(&long_local).is_some());
        for ok in ["Ada", " Ada Lovelace ", "Å"] {
            assert!(matches(LINE_PATTERN, ok), "{ok}");
        }
        for bad in ["", "   ", "a\u{0}b", "tab\there", "\u{85}"] {
            assert!(!matches(LINE_PATTERN, bad), "{bad:?}");
        }
    }
}
