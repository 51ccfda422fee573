//! The HTTP surface: every API assembled into one poem endpoint, the OpenAPI document
//! served at `/v1/openapi.json`, and the envelope middleware around everything.

pub mod allow;
pub mod envelope;
pub mod error;
pub mod metrics;
pub mod validation;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;

use crate::admin::AdminApi;
use crate::auth::email::EmailFlowsApi;
use crate::auth::{Auth, AuthApi};
use crate::blog::love::LoveApi;
use crate::db::Storage;
use crate::domains::DomainsApi;
use crate::health::HealthApi;
use crate::mail::Mailer;
use crate::publish::PublishApi;
use crate::sync::api::DocumentsApi;
use crate::sync::connection::{SyncSettings, sync_socket};
use crate::sync::docs::SyncDocs;
use crate::tenants::TenantsApi;
use crate::users::UsersApi;

pub use envelope::{Envelope, RequestId};
pub use error::ApiError;

/// Every JSON API of the server.
pub type Apis = (
    HealthApi,
    AuthApi,
    EmailFlowsApi,
    UsersApi,
    TenantsApi,
    DocumentsApi,
    PublishApi,
    LoveApi,
    DomainsApi,
    AdminApi,
);

/// The OpenAPI service of every JSON API; also used to print the document.
pub fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            HealthApi,
            AuthApi,
            EmailFlowsApi,
            UsersApi,
            TenantsApi,
            DocumentsApi,
            PublishApi,
            LoveApi,
            DomainsApi,
            AdminApi,
        ),
        "Pint",
        env!("CARGO_PKG_VERSION"),
    )
    .description("Pint's hosted backend: accounts, blogs, sync and publishing.")
}

/// The whole application, ready to serve.
/// What the application shares between requests.
#[derive(Debug, Clone)]
pub struct Services {
    pub storage: Arc<dyn Storage>,
    pub auth: Arc<Auth>,
    pub mailer: Mailer,
    pub sync_docs: SyncDocs,
    pub sync_settings: SyncSettings,
    pub sync_access: crate::sync::access::AccessWatch,
    pub max_body_bytes: usize,
    pub site: crate::blog::Site,
    pub blog_cache: Arc<crate::blog::cache::BlogCache>,
    pub views: Arc<crate::blog::views::ViewCounter>,
    pub domain_hosts: Arc<crate::domains::DomainHosts>,
    pub dns: Arc<crate::domains::dns::Dns>,
}

pub fn app(services: Services) -> impl Endpoint {
    let Services {
        storage,
        auth,
        mailer,
        sync_docs,
        sync_settings,
        sync_access,
        max_body_bytes,
        site,
        blog_cache,
        views,
        domain_hosts,
        dns,
    } = services;
    let api = api_service();
    let spec = api.spec_endpoint();
    let allowed = Arc::new(allow::AllowedMethods::from_spec(
        &api.spec(),
        &[
            ("/v1/openapi.json", &[poem::http::Method::GET]),
            ("/metrics", &[poem::http::Method::GET]),
            ("/v1/sync", &[poem::http::Method::GET]),
            ("/robots.txt", &[poem::http::Method::GET]),
        ],
    ));
    Route::new()
        .at("/v1/openapi.json", spec)
        .at("/metrics", poem::get(metrics::metrics))
        .at("/v1/sync", poem::get(sync_socket))
        .nest(
            "/b",
            crate::blog::routes(Arc::clone(&blog_cache), Arc::clone(&views)),
        )
        .at("/robots.txt", poem::get(crate::blog::server_robots))
        .nest("/", api)
        .data(storage)
        .data(auth)
        .data(mailer)
        .data(sync_docs)
        .data(sync_settings)
        .data(sync_access)
        .data(site.clone())
        .data(blog_cache)
        .data(views)
        .data(Arc::clone(&domain_hosts))
        .data(dns)
        .with(crate::blog::host::HostRouting {
            blog_domain: site.blog_domain.clone(),
            own_host: url::Url::parse(&site.public_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase)),
            domains: domain_hosts,
        })
        .with(Envelope {
            max_body_bytes,
            allowed,
        })
}
