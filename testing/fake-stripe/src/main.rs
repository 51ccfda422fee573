//! `pint-fake-stripe`: the fake Stripe as a process, for the window's e2e tests. It
//! prints `listening on http://127.0.0.1:PORT/` once it answers, and runs until killed.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "A local Stripe for Pint's tests")]
struct Args {
    /// Port on 127.0.0.1 (0: any free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where to send webhooks.
    #[arg(long)]
    webhook: Option<String>,
    /// The webhook signing secret.
    #[arg(long, default_value = "whsec_fake")]
    secret: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let fake = pint_fake_stripe::FakeStripe::start(args.port).await?;
    if let Some(url) = &args.webhook {
        fake.send_webhooks_to(url, &args.secret);
    }
    println!("listening on {}", fake.base);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
