//! The one place the server is put together: what it shares between requests (`State`),
//! the background tasks it runs, and every route. Nothing else imports from here, so the
//! concerns below it never import each other through it.

use std::sync::Arc;

use poem::http::Method;
use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;

use crate::admin::AdminApi;
use crate::ai::{AiApi, ManagedAi};
use crate::auth::email::EmailFlowsApi;
use crate::auth::{Auth, AuthApi};
use crate::billing::webhook::stripe_events;
use crate::billing::{BillingApi, Plans, Stripe};
use crate::blog::cache::BlogCache;
use crate::blog::love::LoveApi;
use crate::blog::settings_api::BlogSettingsApi;
use crate::blog::views::ViewCounter;
use crate::db::Storage;
use crate::domains::dns::Dns;
use crate::domains::{DomainHosts, DomainsApi};
use crate::health::HealthApi;
use crate::http::allow::AllowedMethods;
use crate::http::contract::{self, RequestBodies};
use crate::http::{Envelope, metrics};
use crate::mail::Mailer;
use crate::media::api::MediaApi;
use crate::media::blobs::Blobs;
use crate::media::sweep::Grace;
use crate::publish::PublishApi;
use crate::sync::access::AccessWatch;
use crate::sync::api::DocumentsApi;
use crate::sync::connection::{SyncSettings, sync_socket};
use crate::sync::docs::SyncDocs;
use crate::tenants::TenantsApi;
use crate::users::UsersApi;
use crate::{Settings, blog, publish};

/// Every JSON API of the server.
pub type Apis = (
    HealthApi,
    AuthApi,
    EmailFlowsApi,
    UsersApi,
    TenantsApi,
    DocumentsApi,
    PublishApi,
    MediaApi,
    BlogSettingsApi,
    LoveApi,
    DomainsApi,
    // Nested: a tuple has `Default` up to 12 elements.
    (AdminApi, BillingApi, AiApi),
);

/// The OpenAPI service of every JSON API.
pub fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(Apis::default(), "Pint", env!("CARGO_PKG_VERSION"))
        .description("Pint's hosted backend: accounts, blogs, sync and publishing.")
}

/// What the server shares between requests.
#[derive(Debug, Clone)]
pub struct State {
    pub storage: Arc<Storage>,
    pub auth: Arc<Auth>,
    pub mailer: Mailer,
    pub blobs: Blobs,
    pub media_grace: Grace,
    pub sync_docs: SyncDocs,
    pub sync_settings: SyncSettings,
    pub sync_access: AccessWatch,
    pub max_body_bytes: usize,
    pub max_upload_bytes: usize,
    pub site: blog::Site,
    pub blog_cache: Arc<BlogCache>,
    pub views: Arc<ViewCounter>,
    pub domain_hosts: Arc<DomainHosts>,
    pub dns: Arc<Dns>,
    /// Whether plans limit blogs (billing on).
    pub plans: Plans,
    /// Stripe's API and webhook secrets (billing on).
    pub stripe: Option<Stripe>,
    /// The operator's AI provider (managed AI on).
    pub ai: Option<ManagedAi>,
}

/// The tasks a running server keeps going beside its requests.
#[derive(Debug)]
pub struct Tasks {
    handles: Vec<tokio::task::JoinHandle<()>>,
    views: Arc<ViewCounter>,
    storage: Arc<Storage>,
}

impl Tasks {
    /// Stop them; views noted since the last write are written first.
    pub async fn stop(self) {
        for handle in &self.handles {
            handle.abort();
        }
        self.views.flush(self.storage.as_ref()).await;
    }
}

impl State {
    /// Everything the server shares, with its listeners on the storage's change events
    /// (`crate::events`) and its background tasks started.
    pub fn start(
        storage: Arc<Storage>,
        auth: Arc<Auth>,
        mailer: Mailer,
        blobs: Blobs,
        stripe: Option<Stripe>,
        ai: Option<ManagedAi>,
        settings: &Settings,
    ) -> (State, Tasks) {
        let plans = Plans {
            billing_on: settings.stripe.is_some(),
        };
        let site = blog::Site {
            public_url: settings.public_url.clone(),
            blog_domain: settings.blog_domain.clone(),
            plans,
        };
        let blog_cache = Arc::new(BlogCache::default());
        let domain_hosts = Arc::new(DomainHosts::new(Arc::clone(&storage)));
        let events = storage.events();
        events.listen(blog_cache.clone());
        events.listen(domain_hosts.clone());
        let views = Arc::new(ViewCounter::default());
        let media_grace = Grace(settings.media_grace);
        let mut handles = vec![
            tokio::spawn(publish::scheduler::run(Arc::clone(&storage), plans)),
            tokio::spawn(crate::billing::grants::run(Arc::clone(&storage), plans)),
            tokio::spawn(blog::mailing::run(
                Arc::clone(&storage),
                mailer.clone(),
                Arc::clone(&auth),
                site.clone(),
            )),
            tokio::spawn(blog::views::flusher(
                Arc::clone(&storage),
                Arc::clone(&views),
            )),
            tokio::spawn(crate::media::sweep::run(
                Arc::clone(&storage),
                blobs.clone(),
                media_grace,
            )),
        ];
        if let Some(stripe) = &stripe {
            handles.push(tokio::spawn(crate::billing::catalog::run(
                Arc::clone(&storage),
                stripe.api.clone(),
            )));
        }
        // What other servers sharing the database change reaches this one's listeners.
        handles.extend(storage.relay_announced_changes());
        let state = State {
            sync_docs: SyncDocs::new(Arc::clone(&storage)),
            sync_access: AccessWatch::start(Arc::clone(&storage)),
            sync_settings: SyncSettings {
                max_message_bytes: settings.max_sync_message_bytes,
                peer_id: format!("pint-server-{}", uuid::Uuid::now_v7()),
            },
            max_body_bytes: settings.max_body_bytes,
            max_upload_bytes: settings.max_upload_bytes,
            blobs,
            media_grace,
            dns: Arc::new(Dns::new(settings.dns_server)),
            storage: Arc::clone(&storage),
            auth,
            mailer,
            site,
            blog_cache,
            views: Arc::clone(&views),
            domain_hosts,
            plans,
            stripe,
            ai,
        };
        let tasks = Tasks {
            handles,
            views,
            storage,
        };
        (state, tasks)
    }
}

/// Every route of the server, behind the blog's host routing and the envelope.
pub fn routes(state: State) -> impl Endpoint {
    let api = api_service();
    // The document as served: poem-openapi's, completed with the error answers, nullable
    // fields and rules on values (`http::contract`). Request bodies are checked against
    // it and 405's `Allow` is read from it.
    let document = contract::describe(&api.spec());
    let bodies = Arc::new(RequestBodies::from_doc(&document));
    let spec = poem::endpoint::make_sync({
        let served = bytes::Bytes::from(document.to_string());
        move |_| {
            poem::Response::builder()
                .content_type("application/json; charset=utf-8")
                .body(served.clone())
        }
    });
    let allowed = Arc::new(AllowedMethods::from_doc(
        &document,
        &[
            ("/v1/openapi.json", &[Method::GET]),
            ("/metrics", &[Method::GET]),
            ("/v1/sync", &[Method::GET]),
            ("/robots.txt", &[Method::GET]),
            ("/billing/return", &[Method::GET]),
        ],
    ));
    let host_routing = blog::host::HostRouting {
        blog_domain: state.site.blog_domain.clone(),
        own_host: url::Url::parse(&state.site.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase)),
        domains: Arc::clone(&state.domain_hosts),
    };
    Route::new()
        .at("/v1/openapi.json", spec)
        .at("/metrics", poem::get(metrics::metrics))
        .at("/v1/sync", poem::get(sync_socket))
        .at("/v1/billing/stripe/events", poem::post(stripe_events))
        .at(
            "/billing/return",
            poem::get(crate::billing::pages::returned),
        )
        .nest(
            "/b",
            blog::routes(Arc::clone(&state.blog_cache), Arc::clone(&state.views)),
        )
        .at("/robots.txt", poem::get(blog::server_robots))
        .nest("/", api)
        .data(state.storage)
        .data(state.auth)
        .data(state.mailer)
        .data(state.blobs)
        .data(state.media_grace)
        .data(state.sync_docs)
        .data(state.sync_settings)
        .data(state.sync_access)
        .data(state.site)
        .data(state.blog_cache)
        .data(state.views)
        .data(state.domain_hosts)
        .data(state.dns)
        .data(state.plans)
        .data(state.stripe)
        .data(state.ai)
        .with(host_routing)
        .with(Envelope {
            max_body_bytes: state.max_body_bytes,
            max_upload_bytes: state.max_upload_bytes,
            allowed,
            bodies,
        })
}
