//! `pint`: the command line face of the local engine, on the same database as the app
//! (`PINT_DATA_DIR`, or the platform's data directory).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use pint_client::account::{self, SignIn};
use pint_client::keychain::Keychain;
use pint_client::sync::{
    LiveSync, PeerPresence, Remote, Selection, SyncEvents, SyncStatus, sync_blog,
};
use pint_client::{Engine, ListQuery, Sort, data_dir, files};
use pint_model::{DocumentId, DraftKind, Splice};

#[derive(Parser)]
#[command(name = "pint", version, about = "Pint's drafts, from the command line")]
struct Cli {
    /// Use this data directory instead of PINT_DATA_DIR or the platform default.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an empty draft and print its id.
    New {
        #[arg(long, default_value = "")]
        title: String,
        #[arg(long)]
        page: bool,
    },
    /// List drafts: id, title and tags, tab-separated.
    List {
        #[arg(long)]
        trash: bool,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long, value_enum, default_value = "updated")]
        sort: SortArg,
    },
    /// Print a draft's markdown body.
    Show { id: String },
    /// Print a draft as markdown with front matter; or, with `--zip`, write every draft
    /// (with its images and a manifest) to a zip archive, as markdown or as a Ghost export.
    Export {
        /// The draft to print.
        #[arg(required_unless_present_any = ["zip", "git"], conflicts_with_all = ["zip", "git"])]
        id: Option<String>,
        /// Write everything outside the trash to this zip archive.
        #[arg(long)]
        zip: Option<PathBuf>,
        /// With `--zip`: as a Ghost export (its JSON and images), for Ghost's importer.
        #[arg(long, requires = "zip")]
        ghost: bool,
        /// Write every draft outside the trash to a new git repository in this (empty)
        /// folder, its history as commits.
        #[arg(long, conflicts_with = "zip")]
        git: Option<PathBuf>,
    },
    /// Bring writing in: a markdown file (front matter as Jekyll, Hugo or Obsidian write
    /// it), a folder of them, a zip archive (a Pint export among them) or a Ghost export
    /// (.json, or its zip). Importing the same thing again updates, never duplicates.
    Import { path: PathBuf },
    /// Link a folder of markdown files: each file is a draft, kept in step both ways
    /// (files changed on disk are merged in, drafts changed here are written back). Catches
    /// up, then watches the folder until stopped (or `--seconds` pass); `--once` only
    /// catches up.
    Link {
        folder: PathBuf,
        #[arg(long)]
        once: bool,
        #[arg(long)]
        seconds: Option<u64>,
    },
    /// Find drafts by words in their title or body.
    Search { query: Vec<String> },
    /// Move a draft to the trash.
    Trash { id: String },
    /// Bring a draft back from the trash.
    Restore { id: String },
    /// Add text at the end of a draft's body.
    Append { id: String, text: String },
    /// Prepare an image file as the app does when it is dropped (upright, sRGB, no
    /// metadata, web variants), keep it on this device, and print its markdown
    /// (`![ALT](media:ID)`) to put in a draft; sync sends it to the blog.
    Image {
        file: PathBuf,
        /// The alt text: what a reader who cannot see the image should know.
        #[arg(long, default_value = "")]
        alt: String,
    },
    /// Sign in to a Pint server to sync with one of your blogs (the password is read
    /// from the first line of standard input; the refresh token goes to the OS keychain).
    SignIn {
        #[arg(long)]
        server: String,
        #[arg(long)]
        email: String,
        /// The blog's subdomain (created if you have none by that name); default: your first.
        #[arg(long, default_value = "")]
        blog: String,
        /// Create the account.
        #[arg(long)]
        create: bool,
    },
    /// End this device's session on the server and forget its token. Drafts stay.
    SignOut,
    /// Sync every draft changed here or on the server since the last sync, once.
    Sync,
    /// Stay connected for a while, syncing live as the app does (changes from elsewhere
    /// are printed as they arrive); optionally show collaborators a cursor in a draft.
    Live {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// `DRAFT_ID:POSITION` (UTF-16 position in the body).
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Print the data directory.
    DataDir,
}

#[derive(Clone, Copy, ValueEnum)]
enum SortArg {
    Updated,
    Created,
    Title,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let dir = match cli.data_dir {
        Some(dir) => dir,
        None => data_dir::resolve().context("no data directory: set PINT_DATA_DIR or HOME")?,
    };
    if let Command::DataDir = cli.command {
        println!("{}", dir.display());
        return Ok(());
    }
    if matches!(
        cli.command,
        Command::SignIn { .. } | Command::SignOut | Command::Sync | Command::Live { .. }
    ) {
        return account_command(Engine::open(&dir)?, cli.command);
    }
    let mut engine = Engine::open(&dir)?;
    let parse = |id: &str| -> anyhow::Result<DocumentId> { Ok(id.parse()?) };
    match cli.command {
        Command::DataDir => {}
        Command::New { title, page } => {
            let id = engine.create(if page {
                DraftKind::Page
            } else {
                DraftKind::Post
            })?;
            if !title.is_empty() {
                engine.rename(id, &title)?;
            }
            println!("{id}");
        }
        Command::List { trash, tag, sort } => {
            let sort = match sort {
                SortArg::Updated => Sort::Updated,
                SortArg::Created => Sort::Created,
                SortArg::Title => Sort::Title,
            };
            for d in engine.list(&ListQuery { trash, tag, sort })? {
                println!("{}\t{}\t{}", d.id, d.title, d.tags.join(","));
            }
        }
        Command::Show { id } => print!("{}", engine.view(parse(&id)?)?.body),
        Command::Export {
            id,
            zip,
            ghost,
            git,
        } => match (id, zip, git) {
            (_, _, Some(dir)) => {
                let done = files::git::export(&mut engine, &dir)?;
                println!(
                    "{}: {} drafts, {} commits",
                    dir.display(),
                    done.drafts,
                    done.commits
                );
            }
            (_, Some(zip), None) => {
                let format = if ghost {
                    files::bundle::BundleFormat::Ghost
                } else {
                    files::bundle::BundleFormat::Markdown
                };
                let now = jiff::Timestamp::now().as_millisecond();
                let done = files::bundle::write(&mut engine, &zip, format, now)?;
                println!(
                    "{}: {} drafts, {} images, {} bytes",
                    zip.display(),
                    done.drafts,
                    done.images,
                    done.bytes
                );
            }
            (Some(id), None, None) => {
                let id = parse(&id)?;
                let heads = engine.view(id)?.heads;
                print!(
                    "{}",
                    files::markdown::write(&engine.preview_version(id, &heads)?)
                );
            }
            (None, None, None) => anyhow::bail!("name a draft, or --zip FILE, or --git DIR"),
        },
        Command::Import { path } => {
            let report = files::import::import_path(&mut engine, &path)?;
            for (what, list) in [
                ("added", &report.added),
                ("updated", &report.updated),
                ("unchanged", &report.unchanged),
            ] {
                for d in list {
                    println!("{what}\t{}\t{}\t{}", d.id, d.source, d.title);
                }
            }
            for s in &report.skipped {
                println!("skipped\t\t{}\t{}", s.source, s.reason);
            }
            for w in &report.warnings {
                println!("warning\t\t{}\t{}", w.source, w.reason);
            }
            eprintln!("pint: {}", report.summary());
        }
        Command::Link {
            folder,
            once,
            seconds,
        } => {
            let link = files::link::Link::open(&mut engine, &folder)?;
            let watcher = (!once)
                .then(|| files::watch::FolderWatcher::start(link.root()))
                .transpose()?;
            print_link(&link.catch_up(&mut engine)?);
            if let Some(watcher) = watcher {
                let until =
                    seconds.map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
                while until.is_none_or(|u| std::time::Instant::now() < u) {
                    let report = match watcher.next_batch(std::time::Duration::from_millis(200)) {
                        None => continue,
                        Some(files::watch::Batch::Rescan) => link.catch_up(&mut engine)?,
                        Some(files::watch::Batch::Paths(paths)) => {
                            link.files_changed(&mut engine, &paths)?
                        }
                    };
                    print_link(&report);
                    engine.compact_idle(std::time::Duration::ZERO)?;
                }
            }
        }
        Command::Search { query } => {
            for d in engine.search(&query.join(" "))? {
                println!("{}\t{}\t{}", d.id, d.title, d.tags.join(","));
            }
        }
        Command::Append { id, text } => {
            let id = parse(&id)?;
            let end = engine.view(id)?.body.encode_utf16().count();
            engine.edit(
                id,
                &[Splice {
                    pos: end,
                    delete: 0,
                    insert: text,
                }],
                None,
            )?;
        }
        Command::SignIn { .. } | Command::SignOut | Command::Sync | Command::Live { .. } => {}
        Command::Image { file, alt } => {
            let limits = pint_client::media::Limits::default();
            let bytes = pint_client::media::local::read_file(&file, &limits)
                .with_context(|| format!("{} was not taken", file.display()))?;
            let prepared = pint_client::media::prepare(&bytes, &limits)
                .with_context(|| format!("{} was not taken", file.display()))?;
            if prepared.animation_dropped {
                eprintln!("pint: an animated GIF is kept as its first frame");
            }
            let kept = engine.keep_image(&prepared, bytes.len())?;
            println!("{}", markdown_image(&alt, &kept.id));
        }
        Command::Trash { id } => engine.trash(parse(&id)?)?,
        Command::Restore { id } => engine.restore_from_trash(parse(&id)?)?,
    }
    // What this command wrote is folded into snapshots now, so the app opens it fast.
    engine.compact_idle(std::time::Duration::ZERO)?;
    Ok(())
}

/// The commands that talk to the server, on a Tokio runtime of their own.
fn account_command(engine: Engine, command: Command) -> anyhow::Result<()> {
    pint_client::server::install_crypto_provider();
    let engine = std::sync::Arc::new(std::sync::Mutex::new(engine));
    let keychain = Keychain::os()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match command {
            Command::SignIn {
                server,
                email,
                blog,
                create,
            } => {
                let mut password = String::new();
                std::io::stdin().read_line(&mut password)?;
                let session = account::sign_in(
                    &engine,
                    &keychain,
                    SignIn {
                        server,
                        email,
                        password: password.trim_end_matches(['\r', '\n']).to_owned(),
                        create_account: create,
                        blog,
                    },
                )
                .await?;
                let a = session.account();
                println!("signed in as {} to {} ({})", a.email, a.blog_name, a.server);
            }
            Command::SignOut => {
                if let Some(session) = account::restore(&engine, &keychain)? {
                    account::sign_out(&engine, &session).await?;
                }
            }
            Command::Sync => {
                let session = account::restore(&engine, &keychain)?
                    .context("not signed in: run `pint sign-in` first")?;
                let a = session.account();
                let remote = Remote {
                    server: a.server.clone(),
                    access_token: session.access_token().await?,
                    tenant: a.blog_id.clone(),
                    peer_id: a.peer_id.clone(),
                };
                let report = sync_blog(&engine, &remote).await?;
                println!(
                    "synced {} drafts: {} created on the server, {} new here, {} updated here",
                    report.synced, report.created_on_server, report.adopted, report.updated_locally
                );
            }
            Command::Live { seconds, cursor } => {
                let session = account::restore(&engine, &keychain)?
                    .context("not signed in: run `pint sign-in` first")?;
                let at = match cursor {
                    Some(c) => {
                        let (id, pos) =
                            c.split_once(':').context("--cursor is DRAFT_ID:POSITION")?;
                        Some((id.parse::<DocumentId>()?, pos.parse::<usize>()?))
                    }
                    None => None,
                };
                let live = LiveSync::start(
                    std::sync::Arc::clone(&engine),
                    std::sync::Arc::new(session),
                    std::sync::Arc::new(Printer),
                )?;
                if let Some((id, pos)) = at {
                    live.watch(id);
                    live.set_presence(
                        id,
                        Some(Selection {
                            anchor: pos,
                            head: pos,
                        }),
                    );
                }
                // Until the time is up, or Ctrl+C / SIGTERM: then leave properly.
                tokio::select! {
                    () = tokio::time::sleep(std::time::Duration::from_secs(seconds)) => {}
                    _ = tokio::signal::ctrl_c() => {}
                    () = terminated() => {}
                }
                live.stop();
            }
            _ => {}
        }
        engine
            .lock()
            .map_err(|_| anyhow::anyhow!("the engine failed"))?
            .compact_idle(std::time::Duration::ZERO)?;
        Ok(())
    })
}

/// `pint live` prints what the background sync reports.
struct Printer;

impl SyncEvents for Printer {
    fn status(&self, status: &SyncStatus) {
        println!(
            "status\t{}",
            serde_json::to_string(status).unwrap_or_default()
        );
    }

    fn draft_changed(&self, id: DocumentId) {
        println!("changed\t{id}");
    }

    fn presence(&self, p: &PeerPresence) {
        match p.selection {
            Some(s) => println!("cursor\t{}\t{}\t{}", p.id, p.name, s.head),
            None => println!("left\t{}\t{}", p.id, p.name),
        }
    }
}

/// Resolves when the process is asked to terminate (SIGTERM); never elsewhere.
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        term.recv().await;
        return;
    }
    std::future::pending::<()>().await;
}

/// `![alt](media:ID)`, the alt text on one line without brackets.
fn print_link(report: &files::link::LinkReport) {
    for d in &report.from_disk {
        println!("from disk\t{}\t{}\t{}", d.source, d.id, d.title);
    }
    for path in &report.to_disk {
        println!("to disk\t{path}");
    }
    for d in &report.trashed {
        println!("trashed\t{}\t{}\t{}", d.source, d.id, d.title);
    }
    for s in &report.skipped {
        println!("skipped\t{}\t{}", s.source, s.reason);
    }
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
}

fn markdown_image(alt: &str, id: &str) -> String {
    let alt: String = alt
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!(
        "![{}](media:{id})",
        alt.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}
