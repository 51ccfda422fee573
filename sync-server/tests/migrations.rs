//! Upgrading a database an earlier server made keeps everything in it. The migration
//! that made document ids each blog's own rebuilds four tables on SQLite (a table's key
//! cannot change in place there) with foreign keys off: run here on a database holding a
//! draft with its chunks, a published post with a like, a view and a redirect, a
//! scheduled job and a mailing, on both backends, and then used by the server's storage
//! as any database is.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::path::Path;

use common::{Backend, TestDb};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Connection};

/// The last migration before document ids became each blog's own.
const BEFORE_PER_BLOG_IDS: i64 = 20261124160000;

fn migrations(backend: Backend) -> String {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    format!("{}/../migrations/{folder}", env!("CARGO_MANIFEST_DIR"))
}

/// The database as a server before the change left it: migrated up to
/// `BEFORE_PER_BLOG_IDS`, with one blog's worth of rows in every table that moves.
async fn old_database(backend: Backend, db: &TestDb) {
    sqlx::any::install_default_drivers();
    let settings = db.settings();
    let url = match &settings.database_url {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            settings
                .data_dir
                .join(pint_server::db::SQLITE_FILE)
                .display()
        ),
    };
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    let migrator = Migrator::new(Path::new(&migrations(backend)))
        .await
        .unwrap();
    migrator
        .run_to(BEFORE_PER_BLOG_IDS, &mut conn)
        .await
        .unwrap();
    if matches!(backend, Backend::Postgres) {
        // Row-level security is forced on the owner too: write as the platform does.
        sqlx::query("SELECT set_config('pint.scope', 'platform', false)")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let blog: &[(&'static str, &[&str])] = &[
        (
            "INSERT INTO users (id, email, display_name, password_hash, created_at, updated_at)
             VALUES ($1, $2, 'Ada', 'x', 1, 1)",
            &["u-ada", "ada@example.com"],
        ),
        (
            "INSERT INTO tenants (id, subdomain, name, created_at, updated_at)
             VALUES ($1, $2, 'Ada writes', 1, 1)",
            &["t-ada", "ada-writes"],
        ),
        (
            "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, 'owner', 1)",
            &["t-ada", "u-ada"],
        ),
        (
            "INSERT INTO tenant_change_counters (tenant_id, last_seq) VALUES ($1, 2)",
            &["t-ada"],
        ),
    ];
    // Then posts and jobs, which point at the document.
    let pointing: &[(&'static str, &[&str])] = &[
        (
            "INSERT INTO posts (id, tenant_id, document_id, kind, slug, title, excerpt, html, tags,
                                heads, word_count, reading_minutes, published_at, updated_at,
                                featured_image, nav_order)
             VALUES ($1, $2, $3, 'post', 'hello', 'Hello', 'Hi', '<p>Hi</p>', '[\"a\"]',
                     'h1', 1, 1, 5, 6, 'media:abc', 3)",
            &["p-1", "t-ada", "doc-1"],
        ),
        (
            "INSERT INTO post_redirects (tenant_id, slug, post_id) VALUES ($1, 'old-hello', $2)",
            &["t-ada", "p-1"],
        ),
        (
            "INSERT INTO post_likes (tenant_id, post_id, reader, created_at) VALUES ($1, $2, 'r1', 7)",
            &["t-ada", "p-1"],
        ),
        (
            "INSERT INTO page_views (tenant_id, post_id, day, visitor) VALUES ($1, $2, '2026-12-01', 'v1')",
            &["t-ada", "p-1"],
        ),
        (
            "INSERT INTO publish_jobs (id, tenant_id, document_id, heads, run_at, created_by, created_at)
             VALUES ($1, $2, $3, 'h2', 99, 'u-ada', 8)",
            &["j-1", "t-ada", "doc-1"],
        ),
        (
            "INSERT INTO post_mailings (id, tenant_id, document_id, created_at) VALUES ($1, $2, $3, 9)",
            &["m-1", "t-ada", "doc-1"],
        ),
    ];
    run(&mut conn, blog).await;
    sqlx::query(
        "INSERT INTO documents (id, tenant_id, snapshot, heads, change_seq, created_by, created_at, updated_at)
         VALUES ('doc-1', 't-ada', $1, 'h2', 2, 'u-ada', 1, 2)",
    )
    .bind(b"snapshot".to_vec())
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO document_chunks (document_id, tenant_id, seq, bytes, created_at)
         VALUES ('doc-1', 't-ada', 2, $1, 2)",
    )
    .bind(b"chunk".to_vec())
    .execute(&mut conn)
    .await
    .unwrap();
    run(&mut conn, pointing).await;
    conn.close().await.unwrap();
}

async fn run(conn: &mut AnyConnection, statements: &[(&'static str, &[&str])]) {
    for (sql, binds) in statements {
        let mut query = sqlx::query(*sql);
        for bind in *binds {
            query = query.bind(*bind);
        }
        query
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

async fn upgrade_keeps_everything(backend: Backend) {
    let db = TestDb::new(backend).await;
    old_database(backend, &db).await;

    // The server's own start migrates the rest.
    let storage = pint_server::prepare_storage(&db.settings()).await.unwrap();
    let ada = storage.scope("u-ada", "t-ada").await.unwrap().unwrap();
    let doc = storage.load_document(&ada, "doc-1").await.unwrap().unwrap();
    assert_eq!(doc.snapshot, b"snapshot");
    assert_eq!(doc.chunks, vec![(2, b"chunk".to_vec())]);
    assert_eq!((doc.heads, doc.change_seq), (vec!["h2".to_owned()], 2));
    let posts = storage.posts(&ada).await.unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        (
            posts[0].document_id.as_str(),
            posts[0].slug.as_str(),
            posts[0].featured_image.as_str()
        ),
        ("doc-1", "hello", "media:abc")
    );
    assert_eq!(
        storage.like_count("t-ada", "p-1").await.unwrap(),
        1,
        "likes point at the rebuilt posts table and survive"
    );
    assert!(matches!(
        storage.public_post("t-ada", "old-hello").await.unwrap(),
        Some(pint_server::db::posts::Found::MovedTo(slug)) if slug == "hello"
    ));
    let (views, _) = storage.view_stats(&ada, "2026-01-01").await.unwrap();
    assert_eq!(views, [("p-1".to_owned(), "2026-12-01".to_owned(), 1)]);
    let jobs = storage.scheduled(&ada).await.unwrap();
    assert_eq!(
        jobs.iter()
            .map(|j| (j.id.as_str(), j.document_id.as_str(), j.run_at))
            .collect::<Vec<_>>(),
        [("j-1", "doc-1", 99)]
    );

    // And the new rule holds: another blog may use the same id; the keys still hold
    // (deleting the blog takes its document's post, job and likes with it).
    storage
        .create_tenant(
            &pint_server::db::tenants::NewTenant {
                id: "t-other",
                subdomain: "other",
                name: "Other",
                now: 10,
            },
            "u-ada",
        )
        .await
        .unwrap()
        .unwrap();
    let other = storage.scope("u-ada", "t-other").await.unwrap().unwrap();
    assert!(
        storage
            .create_document(&other, "doc-1", b"another", &[], 11)
            .await
            .unwrap()
            .is_some()
    );
    assert!(storage.delete_tenant(&ada).await.unwrap());
    assert!(
        storage
            .load_document(&other, "doc-1")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(storage.like_count("t-ada", "p-1").await.unwrap(), 0);
}

#[tokio::test]
async fn upgrade_keeps_everything_on_sqlite() {
    upgrade_keeps_everything(Backend::Sqlite).await;
}

#[tokio::test]
async fn upgrade_keeps_everything_on_postgres() {
    upgrade_keeps_everything(Backend::Postgres).await;
}
