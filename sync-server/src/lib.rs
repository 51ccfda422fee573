//! pint-server: Pint's hosted backend, one folder per concern over storage (`db`),
//! assembled in `app`; what changed travels on `events`.

pub mod admin;
pub mod ai;
pub mod app;
pub mod auth;
pub mod billing;
pub mod blog;
pub mod clock;
pub mod db;
pub mod domains;
pub mod events;
pub mod health;
pub mod http;
pub mod mail;
pub mod media;
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
    #[error(transparent)]
    Media(#[from] media::blobs::BlobError),
    #[error("Stripe is misconfigured: {0}")]
    Stripe(#[from] billing::stripe_api::StripeFailure),
    #[error("managed AI cannot start its HTTP client: {0}")]
    Ai(String),
    #[error("cannot listen on {addr}: {reason}; set PINT_LISTEN to a free HOST:PORT")]
    Listen { addr: SocketAddr, reason: String },
}

/// Connect to the database the settings name and bring its schema up to date.
pub async fn prepare_storage(settings: &Settings) -> Result<Arc<Storage>, DbError> {
    let storage = db::connect(settings.database_url.as_deref(), &settings.data_dir).await?;
    storage.migrate().await?;
    Ok(storage)
}

/// A server bound to its address, not yet serving.
pub struct Bound {
    acceptor: poem::listener::TcpAcceptor,
    storage: Arc<Storage>,
    auth: Arc<Auth>,
    mailer: mail::Mailer,
    blobs: media::blobs::Blobs,
    stripe: Option<billing::Stripe>,
    ai: Option<ai::ManagedAi>,
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
        let (state, tasks) = app::State::start(
            self.storage,
            self.auth,
            self.mailer,
            self.blobs,
            self.stripe,
            self.ai,
            &self.settings,
        );
        let served = Server::new_with_acceptor(self.acceptor)
            .name("pint-server")
            .run_with_graceful_shutdown(app::routes(state), shutdown, Some(SHUTDOWN_GRACE))
            .await;
        tasks.stop().await;
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
    // S3 over https needs a TLS crypto provider (once per process; another already
    // installed is fine).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let blobs = media::blobs::Blobs::open(&settings.media, &settings.data_dir)?;
    tracing::info!(store = blobs.describe(), "media store");
    let stripe = settings
        .stripe
        .as_ref()
        .map(billing::Stripe::new)
        .transpose()?;
    let ai = settings
        .ai
        .as_ref()
        .map(ai::ManagedAi::new)
        .transpose()
        .map_err(|e| StartError::Ai(e.to_string()))?;
    let storage = prepare_storage(&settings).await?;
    let acceptor = TcpListener::bind(settings.listen)
        .into_acceptor()
        .await
        .map_err(|e| StartError::Listen {
            addr: settings.listen,
            reason: e.to_string(),
        })?;
    let mut settings = settings;
    // Listening on port 0 (any free one), the default public address names the port
    // actually bound: links the server makes (Stripe's way back, mails, feeds) reach it.
    if settings.listen.port() == 0
        && settings.public_url == format!("http://{}", settings.listen)
        && let Some(addr) = acceptor
            .local_addr()
            .into_iter()
            .find_map(|a| a.as_socket_addr().copied())
    {
        settings.public_url = format!("http://{addr}");
    }
    Ok(Bound {
        acceptor,
        storage,
        auth,
        mailer,
        blobs,
        stripe,
        ai,
        settings,
    })
}
