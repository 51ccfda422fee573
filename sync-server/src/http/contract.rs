//! The API's contract, read from the OpenAPI document the API is built from, so that the
//! document and the server cannot drift apart:
//!
//! - [`describe`] completes the document with what poem-openapi leaves out: every
//!   operation's error answers (the one error shape, with the codes it can give), and
//!   optional fields declared as nullable (the server writes `null` for them and takes
//!   `null` for them).
//! - [`RequestBodies`] checks every JSON request body against its operation's schema
//!   before the handler reads it: a value of the wrong type or a missing field is refused
//!   with 422 VALIDATION_ERROR naming each field. (poem-openapi alone coerces numbers and
//!   booleans into strings, and answers a wrong shape with a bare 400.) Only the shape is
//!   checked here; the rules on values (lengths, patterns, allowed values) stay with the
//!   handlers, which list every broken rule at once.

use std::collections::BTreeMap;

use pint_model::ErrorCode;
use poem::http::Method;
use serde_json::{Value, json};

use super::allow::template_matches;
use super::error::ApiError;

/// The name of the error shape among the document's schemas.
const ERROR_SCHEMA: &str = "ErrorBody";

/// Complete the OpenAPI document (JSON) with the error answers and nullable fields.
pub fn describe(spec: &str) -> Value {
    let mut doc: Value = serde_json::from_str(spec).unwrap_or_default();
    add_error_schema(&mut doc);
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, ops) in paths.iter_mut() {
            let Some(ops) = ops.as_object_mut() else {
                continue;
            };
            for op in ops.values_mut() {
                add_error_answers(path, op);
            }
        }
    }
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for schema in schemas.values_mut() {
            optional_fields_are_nullable(schema);
        }
    }
    doc
}

fn add_error_schema(doc: &mut Value) {
    let mut registry = poem_openapi::registry::Registry::new();
    <pint_model::wire::ErrorBody as poem_openapi::types::Type>::register(&mut registry);
    let schemas = &mut doc["components"]["schemas"];
    if !schemas.is_object() {
        *schemas = json!({});
    }
    for (name, schema) in registry.schemas {
        if let (Some(map), Ok(value)) = (schemas.as_object_mut(), serde_json::to_value(schema)) {
            map.entry(name).or_insert(value);
        }
    }
}

/// The error answers an operation can give, by what it takes: a body, parameters, an
/// access token, an id in its path.
fn add_error_answers(path: &str, op: &mut Value) {
    let has_body = op.get("requestBody").is_some();
    let has_params = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
    let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
    let mut answers: BTreeMap<&str, &str> = BTreeMap::new();
    if has_body || has_params {
        answers.insert(
            "422",
            "VALIDATION_ERROR: a field is missing, of the wrong type, or breaks a rule \
             (`details.fields` names each one with what is wrong)",
        );
    }
    if has_body {
        answers.insert(
            "413",
            "PAYLOAD_TOO_LARGE: the body is larger than the server accepts (`details.limitBytes`)",
        );
    }
    if secured {
        answers.insert(
            "401",
            "UNAUTHORIZED: no access token, or one that is expired, forged or signed out",
        );
        answers.insert(
            "403",
            "FORBIDDEN: the account is banned, or its role may not do this",
        );
    }
    if path.contains('{') {
        answers.insert(
            "404",
            "NOT_FOUND: nothing with this id that the caller may see",
        );
    }
    answers.insert(
        "4XX",
        "Another refusal in the same shape: CONFLICT (409), RATE_LIMIT_EXCEEDED (429, with \
         Retry-After), or a request the address does not take (400, 405 with Allow, 415)",
    );
    let Some(responses) = op["responses"].as_object_mut() else {
        return;
    };
    for (status, description) in answers {
        responses.entry(status).or_insert_with(|| {
            json!({
                "description": description,
                "content": {"application/json; charset=utf-8": {
                    "schema": {"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")}
                }}
            })
        });
    }
}

/// Optional fields may be `null` (written so by the server, taken so from clients).
fn optional_fields_are_nullable(schema: &mut Value) {
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(props) = schema["properties"].as_object_mut() else {
        return;
    };
    for (name, prop) in props.iter_mut() {
        if required.contains(name) {
            continue;
        }
        if let Some(reference) = prop.get("$ref").cloned() {
            // OpenAPI 3.0 ignores the siblings of a $ref: wrap it.
            *prop = json!({"allOf": [{"$ref": reference}], "nullable": true});
        } else if let Some(map) = prop.as_object_mut() {
            map.insert("nullable".into(), Value::Bool(true));
        }
    }
}

/// The JSON request bodies of the API and the schema of each.
pub struct RequestBodies {
    operations: Vec<Operation>,
}

impl std::fmt::Debug for RequestBodies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBodies")
            .field("operations", &self.operations.len())
            .finish()
    }
}

struct Operation {
    method: Method,
    template: Vec<String>,
    /// Literal segments win over `{id}` ones when two templates match.
    literals: usize,
    validator: jsonschema::Validator,
}

impl RequestBodies {
    /// From the (described) OpenAPI document.
    pub fn from_doc(doc: &Value) -> Self {
        let mut operations = Vec::new();
        let components = &doc["components"];
        for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
                    continue;
                };
                let Some(schema) = json_body_schema(op) else {
                    continue;
                };
                let mut root = shape_only(schema);
                root["components"] = shape_only(components);
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(&root);
                match validator {
                    Ok(validator) => {
                        let template: Vec<String> = path.split('/').map(str::to_owned).collect();
                        operations.push(Operation {
                            method,
                            literals: template.iter().filter(|s| !s.starts_with('{')).count(),
                            template,
                            validator,
                        });
                    }
                    Err(e) => {
                        tracing::error!(path, error = %e, "a request schema does not compile")
                    }
                }
            }
        }
        RequestBodies { operations }
    }

    /// Whether `method path` takes a JSON body that is checked here.
    pub fn wants(&self, method: &Method, path: &str) -> bool {
        self.operation(method, path).is_some()
    }

    fn operation(&self, method: &Method, path: &str) -> Option<&Operation> {
        let wanted: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method == *method && template_matches(&op.template, &wanted))
            .max_by_key(|op| op.literals)
    }

    /// Check `body` (as received) for `method path`: 422 VALIDATION_ERROR naming every
    /// field that is missing or of the wrong type.
    pub fn check(&self, method: &Method, path: &str, body: &[u8]) -> Result<(), ApiError> {
        let Some(op) = self.operation(method, path) else {
            return Ok(());
        };
        let mut value: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                ErrorCode::ValidationError,
                format!("the request body is not JSON: {e}"),
            )
        })?;
        drop_null_members(&mut value);
        let mut fields = serde_json::Map::new();
        for error in op.validator.iter_errors(&value) {
            let mut field: Vec<String> = error
                .instance_path()
                .iter()
                .map(|segment| segment.to_string())
                .collect();
            if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
                field.push(property.as_str().unwrap_or_default().to_owned());
            }
            let name = if field.is_empty() {
                "body".to_owned()
            } else {
                field.join(".")
            };
            let message = match error.kind() {
                jsonschema::error::ValidationErrorKind::Required { .. } => "is required".to_owned(),
                _ => error.masked_with("the value").to_string(),
            };
            fields.entry(name).or_insert(Value::String(message));
        }
        if fields.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
            .collect();
        Err(ApiError::new(
            ErrorCode::ValidationError,
            format!("the request body does not fit: {}", list.join("; ")),
        )
        .with_details(json!({ "fields": fields })))
    }
}

/// The schema of an operation's JSON request body.
fn json_body_schema(op: &Value) -> Option<&Value> {
    op["requestBody"]["content"]
        .as_object()?
        .iter()
        .find(|(media, _)| media.starts_with("application/json"))
        .map(|(_, content)| &content["schema"])
}

/// The schema with only what it says about shape: types, fields, items and references.
/// Rules on values are the handlers' (they name every broken rule at once); `nullable`
/// goes too, because `null` members are taken out of the body before it is checked
/// (poem takes `null` for an optional field).
fn shape_only(schema: &Value) -> Value {
    const VALUE_RULES: &[&str] = &[
        "nullable",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "enum",
        "example",
        "examples",
        "default",
        "discriminator",
        "readOnly",
        "writeOnly",
    ];
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !VALUE_RULES.contains(&k.as_str()))
                .map(|(k, v)| {
                    // Under `properties` the keys are field names, never keywords.
                    let v = if k == "properties" || k == "schemas" {
                        Value::Object(
                            v.as_object()
                                .into_iter()
                                .flatten()
                                .map(|(name, s)| (name.clone(), shape_only(s)))
                                .collect(),
                        )
                    } else {
                        shape_only(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(shape_only).collect()),
        other => other.clone(),
    }
}

/// Object members that are `null` are as absent.
fn drop_null_members(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_null_members);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_members),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        describe(
            &json!({
                "openapi": "3.0.0",
                "paths": {
                    "/v1/auth/login": {"post": {
                        "requestBody": {"content": {"application/json; charset=utf-8": {
                            "schema": {"$ref": "#/components/schemas/Login"}}}},
                        "responses": {"200": {"description": "ok"}}
                    }},
                    "/v1/tenants/{id}": {"patch": {
                        "parameters": [{"name": "id", "in": "path"}],
                        "security": [{"bearer": []}],
                        "requestBody": {"content": {"application/json; charset=utf-8": {
                            "schema": {"type": "object", "properties": {
                                "name": {"type": "string", "maxLength": 80},
                                "navOrder": {"type": "array", "items": {"type": "string"}}
                            }}}}},
                        "responses": {"200": {"description": "ok"}}
                    }}
                },
                "components": {"schemas": {"Login": {
                    "type": "object",
                    "required": ["email", "password"],
                    "properties": {
                        "email": {"type": "string", "maxLength": 254},
                        "password": {"type": "string"},
                        "deviceName": {"type": "string"}
                    }
                }}}
            })
            .to_string(),
        )
    }

    fn fields(err: ApiError) -> Value {
        assert_eq!(err.code, ErrorCode::ValidationError);
        err.details["fields"].clone()
    }

    #[test]
    fn wrong_types_are_refused_naming_each_field() {
        let bodies = RequestBodies::from_doc(&doc());
        let post = Method::POST;
        let err = bodies
            .check(
                &post,
                "/v1/auth/login",
                br#"{"email": 5, "password": true}"#,
            )
            .unwrap_err();
        let f = fields(err);
        assert!(f["email"].as_str().unwrap().contains("string"), "{f}");
        assert!(f["password"].as_str().unwrap().contains("string"), "{f}");
        let f = fields(
            bodies
                .check(&post, "/v1/auth/login", br#"{"email": ["a"]}"#)
                .unwrap_err(),
        );
        assert_eq!(f["password"], "is required", "{f}");
        assert!(f["email"].is_string(), "{f}");
        let f = fields(
            bodies
                .check(
                    &Method::PATCH,
                    "/v1/tenants/abc",
                    br#"{"navOrder": ["a", 3]}"#,
                )
                .unwrap_err(),
        );
        assert!(f["navOrder.1"].is_string(), "{f}");
        assert!(
            bodies
                .check(&post, "/v1/auth/login", b"[1, 2")
                .unwrap_err()
                .message
                .contains("not JSON")
        );
    }

    #[test]
    fn the_right_shape_passes_whatever_its_values() {
        let bodies = RequestBodies::from_doc(&doc());
        // Value rules (a length) are the handler's; null is an absent optional field.
        let long = format!(
            r#"{{"email": "{}", "password": "x", "deviceName": null}}"#,
            "a".repeat(500)
        );
        assert!(
            bodies
                .check(&Method::POST, "/v1/auth/login", long.as_bytes())
                .is_ok()
        );
        assert!(
            bodies
                .check(&Method::PATCH, "/v1/tenants/abc", br#"{"name": null}"#)
                .is_ok()
        );
        // Addresses without a JSON body are not checked here.
        assert!(!bodies.wants(&Method::GET, "/v1/tenants/abc"));
        assert!(bodies.wants(&Method::PATCH, "/v1/tenants/abc"));
    }

    #[test]
    fn the_document_says_the_errors_and_the_nullable_fields() {
        let d = doc();
        let login = &d["paths"]["/v1/auth/login"]["post"]["responses"];
        assert!(login.get("422").is_some() && login.get("413").is_some());
        assert!(login.get("401").is_none(), "not a secured operation");
        let patch = &d["paths"]["/v1/tenants/{id}"]["patch"]["responses"];
        for status in ["401", "403", "404", "422", "4XX"] {
            assert!(patch.get(status).is_some(), "{status}");
        }
        let login = &d["components"]["schemas"]["Login"]["properties"];
        assert_eq!(login["deviceName"]["nullable"], true);
        assert!(login["email"].get("nullable").is_none());
        assert!(d["components"]["schemas"][ERROR_SCHEMA].is_object());
    }
}
