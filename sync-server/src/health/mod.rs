//! Liveness, readiness and what this server is: for load balancers and operators.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use crate::db::Storage;

#[derive(Debug, Default)]
pub struct HealthApi;

#[derive(Debug, Object)]
struct Health {
    /// `ok` when the process serves requests (liveness), or when the database answers (readiness).
    status: String,
}

#[derive(Debug, Object)]
struct ServerInfo {
    name: String,
    version: String,
    /// `sqlite` or `postgres`.
    backend: String,
}

#[derive(Debug, ApiResponse)]
enum Readiness {
    /// The database answers.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// The database does not answer; do not route traffic here.
    #[oai(status = 503)]
    NotReady(Json<Health>),
}

#[OpenApi]
impl HealthApi {
    /// Liveness: the process is up and serving.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".into(),
        })
    }

    /// Readiness: the database answers a round trip.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self, storage: Data<&Arc<Storage>>) -> Readiness {
        match storage.ping().await {
            Ok(()) => Readiness::Ready(Json(Health {
                status: "ok".into(),
            })),
            Err(e) => {
                tracing::warn!(error = %e, "readiness check failed");
                Readiness::NotReady(Json(Health {
                    status: "database unavailable".into(),
                }))
            }
        }
    }

    /// What this server is.
    #[oai(path = "/v1/server", method = "get")]
    async fn server(&self, storage: Data<&Arc<Storage>>) -> Json<ServerInfo> {
        Json(ServerInfo {
            name: "pint-server".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            backend: storage.backend().into(),
        })
    }
}
