//! Which methods each address accepts, read from the OpenAPI document the API is built
//! from (plus the few routes outside it), so a 405 can say them in `Allow` (RFC 9110
//! §15.5.6). poem's own `MethodNotAllowedError` carries no list.

use poem::http::Method;

/// Addresses and their methods; `{name}` segments match any one segment.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

impl AllowedMethods {
    /// From an OpenAPI document and extra routes.
    pub fn from_doc(doc: &serde_json::Value, extra: &[(&str, &[Method])]) -> Self {
        let mut out = AllowedMethods::default();
        if let Some(paths) = doc["paths"].as_object() {
            for (path, ops) in paths {
                let methods: Vec<Method> = ops
                    .as_object()
                    .into_iter()
                    .flat_map(|o| o.keys())
                    .filter_map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
                    .collect();
                out.add(path, methods);
            }
        }
        for (path, methods) in extra {
            out.add(path, methods.to_vec());
        }
        out
    }

    fn add(&mut self, path: &str, methods: Vec<Method>) {
        let segments = path.split('/').map(str::to_owned).collect();
        self.routes.push((segments, methods));
    }

    /// The methods `path` accepts, for an `Allow` header ("GET, POST"); `None` when no
    /// route has this shape.
    pub fn allow_header(&self, path: &str) -> Option<String> {
        let wanted: Vec<&str> = path.split('/').collect();
        let mut methods: Vec<&Method> = self
            .routes
            .iter()
            .filter(|(segments, _)| template_matches(segments, &wanted))
            .flat_map(|(_, m)| m)
            .collect();
        if methods.is_empty() {
            return None;
        }
        methods.sort_by_key(|m| m.as_str());
        methods.dedup();
        Some(
            methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    }
}

/// Whether a path (split at `/`) has the shape of a template from the document (split
/// at `/`), whose `{name}` segments match any one non-empty segment.
pub fn template_matches(template: &[String], path: &[&str]) -> bool {
    template.len() == path.len()
        && template
            .iter()
            .zip(path)
            .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_read_from_the_document_and_matched_by_shape() {
        let spec: serde_json::Value = serde_json::from_str(
            r#"{"paths": {
            "/v1/tenants/{id}": {"get": {}, "patch": {}},
            "/v1/tenants/{id}/documents": {"post": {}},
            "/v1/auth/login": {"post": {}}
        }}"#,
        )
        .unwrap();
        let allowed = AllowedMethods::from_doc(&spec, &[("/metrics", &[Method::GET])]);
        assert_eq!(
            allowed.allow_header("/v1/tenants/abc").as_deref(),
            Some("GET, PATCH")
        );
        assert_eq!(
            allowed.allow_header("/v1/tenants/abc/documents").as_deref(),
            Some("POST")
        );
        assert_eq!(allowed.allow_header("/metrics").as_deref(), Some("GET"));
        assert_eq!(allowed.allow_header("/v1/tenants/"), None);
        assert_eq!(allowed.allow_header("/nowhere"), None);
    }
}
