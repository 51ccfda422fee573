//! Prometheus metrics at `/metrics`: requests by method, route and status, their
//! latency, and the process's own (memory, CPU, open files). Routes are labelled with
//! ids replaced by `:id`, and requests that matched no route share one label, so no
//! client can grow the number of series.

use std::sync::LazyLock;
use std::time::Duration;

use poem::http::StatusCode;
use poem::{IntoResponse, Response, handler};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| {
    let registry = Registry::new_custom(Some("pint".into()), None).ok()?;
    let requests = IntCounterVec::new(
        Opts::new("http_requests_total", "HTTP requests answered"),
        &["method", "route", "status"],
    )
    .ok()?;
    let latency = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
        )
        .buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]),
        &["method", "route"],
    )
    .ok()?;
    registry.register(Box::new(requests.clone())).ok()?;
    registry.register(Box::new(latency.clone())).ok()?;
    #[cfg(target_os = "linux")]
    {
        let process = prometheus::process_collector::ProcessCollector::for_self();
        let _ = registry.register(Box::new(process));
    }
    Some(Metrics {
        registry,
        requests,
        latency,
    })
});

/// The route label of a path: segments that are ids become `:id`.
pub fn route_label(path: &str, status: StatusCode) -> String {
    if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
        return "(unmatched)".into();
    }
    let segments: Vec<&str> = path
        .split('/')
        .map(|s| {
            let id_like =
                s.len() >= 16 || (s.chars().any(|c| c.is_ascii_digit()) && s.contains('-'));
            if id_like { ":id" } else { s }
        })
        .collect();
    let label = segments.join("/");
    if label.len() > 100 {
        "(long)".into()
    } else {
        label
    }
}

/// Count one answered request.
pub fn observe(method: &str, path: &str, status: StatusCode, took: Duration) {
    let Some(m) = METRICS.as_ref() else { return };
    let route = route_label(path, status);
    m.requests
        .with_label_values(&[method, &route, status.as_str()])
        .inc();
    m.latency
        .with_label_values(&[method, &route])
        .observe(took.as_secs_f64());
}

/// `GET /metrics`, in Prometheus's text format.
#[handler]
pub fn metrics() -> Response {
    let Some(m) = METRICS.as_ref() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let mut out = Vec::new();
    if TextEncoder::new()
        .encode(&m.registry.gather(), &mut out)
        .is_err()
    {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    out.with_content_type("text/plain; version=0.0.4")
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_unmatched_paths_do_not_grow_labels() {
        assert_eq!(
            route_label(
                "/v1/tenants/0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b/members",
                StatusCode::OK
            ),
            "/v1/tenants/:id/members"
        );
        assert_eq!(route_label("/v1/users/me", StatusCode::OK), "/v1/users/me");
        assert_eq!(
            route_label("/random/garbage/123-abc", StatusCode::NOT_FOUND),
            "(unmatched)"
        );
    }
}
