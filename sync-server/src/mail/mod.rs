//! Outgoing email (verification, password reset, later invites): SMTP when
//! `PINT_SMTP_URL` is set, otherwise `.eml` files in the data directory's `outbox/`, so a
//! local server needs no mail set-up and nothing is lost. Sending happens in the
//! background: a request never waits on a mail server, and its timing says nothing about
//! whether a mail was sent.

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::Settings;

pub mod texts;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "PINT_SMTP_URL is not an SMTP URL lettre understands ({0}); use smtp://HOST:PORT, smtps://USER:PASSWORD@HOST or smtp://HOST:587?tls=required"
    )]
    SmtpUrl(String),
    #[error(
        "PINT_MAIL_FROM={0:?} is not a mailbox; use an address such as \"Pint <no-reply@example.com>\""
    )]
    From(String),
    #[error("cannot create the mail outbox {path}: {reason}")]
    Outbox { path: PathBuf, reason: String },
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

/// Sends the server's mail.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// Where the links in mails point: the server as the public reaches it.
    pub public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Outbox(_) => "outbox",
        };
        write!(f, "Mailer({kind}, from {})", self.from)
    }
}

/// A mail to send (written by `texts`).
#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part (empty: plain text only).
    pub html: String,
    /// A one-click unsubscribe URL (RFC 8058): sent as `List-Unsubscribe` with
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so mail clients offer it.
    pub list_unsubscribe: Option<String>,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> Result<Self, MailError> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|_| MailError::From(settings.mail_from.clone()))?;
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::SmtpUrl(e.to_string()))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                let dir = settings.data_dir.join("outbox");
                std::fs::create_dir_all(&dir).map_err(|e| MailError::Outbox {
                    path: dir.clone(),
                    reason: e.to_string(),
                })?;
                Transport::Outbox(AsyncFileTransport::<Tokio1Executor>::new(dir))
            }
        };
        Ok(Mailer {
            transport,
            from,
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// Send in the background; failures are logged (with the request's span).
    pub fn send_later(&self, mail: Mail) {
        let mailer = self.clone();
        let span = tracing::Span::current();
        tokio::spawn(tracing::Instrument::instrument(
            async move {
                if let Err(e) = mailer.send(&mail).await {
                    tracing::error!(error = %e, subject = %mail.subject, "mail not sent");
                }
            },
            span,
        ));
    }

    /// Send now.
    pub async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse()?)
            .subject(&mail.subject);
        if let Some(url) = &mail.list_unsubscribe {
            use lettre::message::header::{HeaderName, HeaderValue};
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        let message = if mail.html.is_empty() {
            builder
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.clone())?
        } else {
            builder.multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))?
        };
        match &self.transport {
            Transport::Smtp(t) => {
                t.send(message).await?;
            }
            Transport::Outbox(t) => {
                t.send(message).await?;
            }
        }
        tracing::info!(subject = %mail.subject, "mail sent");
        Ok(())
    }
}
