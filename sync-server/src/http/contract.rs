//! The API's contract, read from the OpenAPI document the API is built from, so that the
//! document and the server cannot drift apart:
//!
//! - [`describe`] completes the document with what poem-openapi leaves out: every
//!   operation's error answers (the one error shape, with the codes it can give), and
//!   optional fields declared as nullable (the server writes `null` for them and takes
//!   `null` for them).
//! - [`RequestBodies`] checks every JSON request body against its operation's schema
//!   before the handler reads it: a value of the wrong type or a missing field is refused
//!   with 422 VALIDATION_ERROR naming each field, and so is a value that breaks a rule
//!   the document states (`rules`: lengths, allowed values, patterns), every broken rule
//!   at once. (poem-openapi alone coerces numbers and booleans into strings, and answers
//!   a wrong shape with a bare 400.) Rules a schema cannot state stay with the handlers.

use std::collections::BTreeMap;

use pint_model::ErrorCode;
use poem::http::Method;
use serde_json::{Value, json};

use super::allow::template_matches;
use super::error::ApiError;
use super::validation::Fields;

/// The name of the error shape among the document's schemas.
const ERROR_SCHEMA: &str = "ErrorBody";

/// Complete the OpenAPI document (JSON) with the error answers and nullable fields.
pub fn describe(spec: &str) -> Value {
    let mut doc: Value = serde_json::from_str(spec).unwrap_or_default();
    add_error_schema(&mut doc);
    for missing in super::rules::apply(&mut doc) {
        tracing::error!(
            field = missing,
            "a rule names a field the document does not have"
        );
    }
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
#[derive(Debug)]
pub struct RequestBodies {
    operations: Vec<Operation>,
    /// What a field that breaks a pattern is told (`x-problem` in the document), by name.
    problems: std::collections::HashMap<String, String>,
}

/// An operation that takes a JSON body, and the schema of its body.
pub struct Operation {
    method: Method,
    template: Vec<String>,
    /// Literal segments win over `{id}` ones when two templates match.
    literals: usize,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.template.join("/"))
    }
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
                let mut root = as_json_schema(schema);
                root["components"] = as_json_schema(components);
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
        let mut problems = std::collections::HashMap::new();
        for schema in components["schemas"].as_object().into_iter().flatten() {
            for (name, prop) in schema.1["properties"].as_object().into_iter().flatten() {
                if let Some(problem) = prop["x-problem"].as_str() {
                    problems.insert(name.clone(), problem.to_owned());
                }
            }
        }
        RequestBodies {
            operations,
            problems,
        }
    }

    /// The operation at `method path` when it takes a JSON body that is checked here.
    pub fn operation(&self, method: &Method, path: &str) -> Option<&Operation> {
        let wanted: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method == *method && template_matches(&op.template, &wanted))
            .max_by_key(|op| op.literals)
    }

    /// What a field that breaks a rule is told, in the handlers' words where there are.
    fn message(
        &self,
        kind: &jsonschema::error::ValidationErrorKind,
        field: Option<&str>,
    ) -> Option<String> {
        use jsonschema::error::ValidationErrorKind as Kind;
        Some(match kind {
            Kind::Required { .. } => "is required".to_owned(),
            Kind::MinLength { limit: 1 } => "cannot be empty".to_owned(),
            Kind::MinLength { limit } => format!("use at least {limit} characters"),
            Kind::MaxLength { limit } => format!("use at most {limit} characters"),
            Kind::MaxItems { limit } => format!("name at most {limit}"),
            Kind::UniqueItems => "names one more than once".to_owned(),
            Kind::Enum { options } => format!(
                "must be one of: {}",
                options
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::Pattern { .. } | Kind::Not { .. } | Kind::AnyOf { .. } => {
                self.problems.get(field?)?.clone()
            }
            _ => return None,
        })
    }

    /// Check `body` (as received) for `method path`: 422 VALIDATION_ERROR naming every
    /// field that is missing, of the wrong type, or breaks a rule of the document.
    pub fn check(&self, method: &Method, path: &str, body: &[u8]) -> Result<(), ApiError> {
        match self.operation(method, path) {
            Some(op) => self.check_operation(op, body),
            None => Ok(()),
        }
    }

    /// Check `body` (as received) for `op`, found by [`Self::operation`].
    pub fn check_operation(&self, op: &Operation, body: &[u8]) -> Result<(), ApiError> {
        let mut value: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::new(
                ErrorCode::ValidationError,
                format!("the request body is not JSON: {e}"),
            )
        })?;
        drop_null_members(&mut value);
        let mut fields = Fields::new();
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
            let message = self
                .message(error.kind(), field.last().map(String::as_str))
                .unwrap_or_else(|| error.masked_with("the value").to_string());
            fields.check(&name, Some(message));
        }
        // The same answer as a handler's own checks give.
        fields.finish()
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

/// An OpenAPI 3.0 schema as JSON Schema: `nullable` goes (null members are taken out of
/// the body before it is checked: poem takes `null` for an optional field).
fn as_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    // Under `properties` and `schemas` the keys are names, not keywords.
                    let v = if k == "properties" || k == "schemas" {
                        Value::Object(
                            v.as_object()
                                .into_iter()
                                .flatten()
                                .map(|(name, s)| (name.clone(), as_json_schema(s)))
                                .collect(),
                        )
                    } else {
                        as_json_schema(v)
                    };
                    (k.clone(), v)
                })
                .filter(|(k, _)| k != "nullable")
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(as_json_schema).collect()),
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
    fn rules_the_document_states_are_enforced_all_at_once() {
        let bodies = RequestBodies::from_doc(&doc());
        // null is an absent optional field.
        assert!(
            bodies
                .check(
                    &Method::POST,
                    "/v1/auth/login",
                    br#"{"email": "a@b.co", "password": "x", "deviceName": null}"#
                )
                .is_ok()
        );
        let long = format!(r#"{{"email": "{}"}}"#, "a".repeat(500));
        let f = fields(
            bodies
                .check(&Method::POST, "/v1/auth/login", long.as_bytes())
                .unwrap_err(),
        );
        assert_eq!(f["email"], "use at most 254 characters", "{f}");
        assert_eq!(f["password"], "is required", "{f}");
        assert!(
            bodies
                .check(&Method::PATCH, "/v1/tenants/abc", br#"{"name": null}"#)
                .is_ok()
        );
        // Addresses without a JSON body are not checked here.
        assert!(bodies.operation(&Method::GET, "/v1/tenants/abc").is_none());
        assert!(
            bodies
                .operation(&Method::PATCH, "/v1/tenants/abc")
                .is_some()
        );
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
