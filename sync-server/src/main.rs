//! `pint-server`: runs with no configuration on an embedded SQLite database.
//! Any start-up problem is one line on stderr naming what to fix, and exit code 1.

use clap::{Parser, Subcommand};
use pint_server::{Settings, bind};
use tracing_subscriber::EnvFilter;

/// Pint's server. Configured by PINT_* environment variables (see the README).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve (the default).
    Serve,
    /// Set a user's platform role: admin, user or banned (banning ends their sessions).
    SetRole { email: String, role: String },
}

#[tokio::main]
async fn main() {
    init_tracing();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => run().await,
        Command::SetRole { email, role } => set_role(&email, &role).await,
    };
    if let Err(message) = result {
        eprintln!("pint-server: {message}");
        std::process::exit(1);
    }
}

async fn set_role(email: &str, role: &str) -> Result<(), String> {
    if !["admin", "user", "banned"].contains(&role) {
        return Err(format!(
            "{role:?} is not a platform role; use admin, user or banned"
        ));
    }
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let storage = pint_server::prepare_storage(&settings)
        .await
        .map_err(|e| e.to_string())?;
    let email = pint_server::http::validation::normalize_email(email);
    let user = storage
        .user_by_email(&email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no user has the address {email}"))?;
    storage
        .set_role(&user.id, role, pint_server::clock::now_ms())
        .await
        .map_err(|e| e.to_string())?;
    println!("{email} is now {role}");
    Ok(())
}

async fn run() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let bound = bind(settings.clone()).await.map_err(|e| e.to_string())?;
    let addr = bound
        .local_addr()
        .map_or_else(|| settings.listen.to_string(), |a| a.to_string());
    // Tests and the run script read this line to find the server.
    println!("pint-server listening on http://{addr}");
    tracing::info!(%addr, data_dir = %settings.data_dir.display(), "pint-server started");
    bound
        .serve(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("pint-server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = ctrl_c.await;
}

fn init_tracing() {
    let filter = EnvFilter::try_from_env("PINT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    if std::env::var("PINT_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}
