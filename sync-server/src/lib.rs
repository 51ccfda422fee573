//! pint-server: Pint's hosted backend. Thin HTTP handlers over domain logic over
//! storage (`db`), one folder per concern.

pub mod admin;
pub mod auth;
pub mod blog;
pub mod db;
pub mod domains;
pub mod health;
pub mod http;
pub mod mail;
pub mod publish;
pub mod secrets;
pub mod settings;
pub mod sync;
pub mod tenants;
pub mod users;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

use auth::Auth;
use db::{DbError, Storage};
use secrets::SecretError;
pub use settings::Settings;

/// How long in-flight requests get to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    #[error("cannot listen on {addr}: {reason}; set PINT_LISTEN to a free HOST:PORT")]
    Listen { addr: SocketAddr, reason: String },
}

/// Connect to the database the settings name and bring its schema up to date.
pub async fn prepare_storage(settings: &Settings) -> Result<Arc<dyn Storage>, DbError> {
    let storage = db::connect(settings.database_url.as_deref(), &settings.data_dir).await?;
    storage.migrate().await?;
    Ok(storage)
}

/// A server bound to its address, not yet serving.
pub struct Bound {
    acceptor: poem::listener::TcpAcceptor,
    storage: Arc<dyn Storage>,
    auth: Arc<Auth>,
    mailer: mail::Mailer,
    settings: Settings,
}

impl std::fmt::Debug for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bound")
            .field("addr", &self.local_addr())
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl Bound {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.acceptor
            .local_addr()
            .into_iter()
            .find_map(|a| a.as_socket_addr().copied())
    }

    /// Serve until `shutdown` completes, then finish in-flight requests.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send) -> std::io::Result<()> {
        let sync_docs = sync::docs::SyncDocs::new(Arc::clone(&self.storage));
        let blog_cache = Arc::new(blog::cache::BlogCache::default());
        let scheduler = tokio::spawn(publish::scheduler::run(
            Arc::clone(&self.storage),
            Arc::clone(&blog_cache),
        ));
        let views = Arc::new(blog::views::ViewCounter::default());
        let site = blog::Site {
            public_url: self.settings.public_url.clone(),
            blog_domain: self.settings.blog_domain.clone(),
        };
        let mailings = tokio::spawn(blog::mailing::run(
            Arc::clone(&self.storage),
            self.mailer.clone(),
            Arc::clone(&self.auth),
            site.clone(),
        ));
        let domain_hosts = Arc::new(domains::DomainHosts::new(
            Arc::clone(&self.storage),
            Arc::clone(&blog_cache),
        ));
        let views_storage = Arc::clone(&self.storage);
        let flusher = tokio::spawn(blog::views::flusher(
            Arc::clone(&self.storage),
            Arc::clone(&views),
        ));
        // Changes stored by other servers sharing the database reach this one's clients;
        // a blog another server published drops this one's cached pages of it.
        if let Some(mut changes) = self.storage.document_changes().await {
            let docs = sync_docs.clone();
            let cache = Arc::clone(&blog_cache);
            let hosts = Arc::clone(&domain_hosts);
            tokio::spawn(async move {
                while let Some(id) = changes.recv().await {
                    if let Some(subdomain) = id.strip_prefix(crate::db::posts::BLOG_CHANGED_PREFIX)
                    {
                        cache.invalidate(subdomain);
                        hosts.clear();
                        continue;
                    }
                    if let Err(e) = docs.refresh(&id).await {
                        tracing::warn!(document = %id, error = %e, "could not merge another server's change");
                    }
                }
            });
        }
        let sync_access = sync::access::AccessWatch::start(Arc::clone(&self.storage));
        let app = http::app(http::Services {
            sync_docs,
            sync_access,
            sync_settings: sync::connection::SyncSettings {
                max_message_bytes: self.settings.max_sync_message_bytes,
                peer_id: format!("pint-server-{}", uuid::Uuid::now_v7()),
            },
            storage: self.storage,
            auth: self.auth,
            mailer: self.mailer,
            max_body_bytes: self.settings.max_body_bytes,
            site,
            blog_cache,
            views: Arc::clone(&views),
            domain_hosts,
            dns: Arc::new(domains::dns::Dns::new(self.settings.dns_server)),
        });
        let served = Server::new_with_acceptor(self.acceptor)
            .name("pint-server")
            .run_with_graceful_shutdown(app, shutdown, Some(SHUTDOWN_GRACE))
            .await;
        scheduler.abort();
        mailings.abort();
        flusher.abort();
        // Views noted since the last write are written before the process ends.
        views.flush(views_storage.as_ref()).await;
        served
    }
}

/// Prepare storage and bind the listener.
pub async fn bind(settings: Settings) -> Result<Bound, StartError> {
    // Secrets first: a production server without them stops before touching anything.
    let auth = Arc::new(Auth::new(
        &secrets::jwt_secret(&settings)?,
        settings.trusted_proxies.clone(),
    ));
    let mailer = mail::Mailer::from_settings(&settings)?;
    let storage = prepare_storage(&settings).await?;
    let acceptor = TcpListener::bind(settings.listen)
        .into_acceptor()
        .await
        .map_err(|e| StartError::Listen {
            addr: settings.listen,
            reason: e.to_string(),
        })?;
    Ok(Bound {
        acceptor,
        storage,
        auth,
        mailer,
        settings,
    })
}
