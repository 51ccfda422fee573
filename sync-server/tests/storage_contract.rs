//! The storage contract: every operation of `Storage`, run the same way on SQLite and
//! on PostgreSQL, each on a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{Backend, TestDb};

async fn story(backend: Backend, name: &str) {
    let db = TestDb::new(backend).await;
    let settings = db.settings();

    // Start: connect and migrate.
    let storage = pint_server::prepare_storage(&settings)
        .await
        .expect("storage");
    assert_eq!(storage.backend(), name);
    storage.ping().await.expect("ping");

    // Migrating again (a restart, or a second server) changes nothing.
    storage.migrate().await.expect("migrate twice");

    // The instance id is created once and stays.
    let first = storage.instance_id().await.expect("instance id");
    assert!(!first.is_empty());
    assert_eq!(storage.instance_id().await.unwrap(), first);

    // A second connection (another server process) sees the same deployment.
    let other = pint_server::prepare_storage(&settings)
        .await
        .expect("second storage");
    assert_eq!(other.instance_id().await.unwrap(), first);
}

#[tokio::test]
async fn storage_contract_on_sqlite() {
    story(Backend::Sqlite, "sqlite").await;
}

#[tokio::test]
async fn storage_contract_on_postgres() {
    story(Backend::Postgres, "postgres").await;
}

/// Every account and tenant operation of `Storage`, the same way on both backends.
async fn accounts_and_tenants(backend: Backend) {
    use pint_server::db::accounts::{EmailToken, NewSession, NewUser, Refreshed};
    use pint_server::db::tenants::{Accepted, MemberChange, NewInvite, NewTenant, Role};

    let db = TestDb::new(backend).await;
    let s = pint_server::prepare_storage(&db.settings())
        .await
        .expect("storage");
    let user = |id: &'static str, email: &'static str| NewUser {
        id,
        email,
        display_name: "Name",
        password_hash: "$argon2id$fake",
        now: 10,
    };

    // Users.
    let ada = s
        .create_user(&user("u-ada", "ada@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ada.role.as_str(), ada.email_verified_at), ("user", None));
    assert!(
        s.create_user(&user("u-other", "ada@example.com"))
            .await
            .unwrap()
            .is_none(),
        "email taken"
    );
    let bob = s
        .create_user(&user("u-bob", "bob@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.role, "user");
    assert_eq!(
        s.user_by_email("ada@example.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        "u-ada"
    );
    assert_eq!(
        s.user_by_id("u-bob").await.unwrap().unwrap().email,
        "bob@example.com"
    );
    assert!(s.user_by_id("nobody").await.unwrap().is_none());
    let renamed = s
        .update_user("u-ada", Some("Ada L."), None, 11)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            renamed.display_name.as_str(),
            renamed.password_hash.as_str(),
            renamed.updated_at
        ),
        ("Ada L.", "$argon2id$fake", 11)
    );
    assert!(
        s.update_user("nobody", Some("x"), None, 11)
            .await
            .unwrap()
            .is_none()
    );
    let page = s.all_users(None, 1).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(s.all_users(Some(&page[0].id), 10).await.unwrap().len(), 1);

    // Sessions and refresh rotation.
    let session =
        |id: &'static str, user_id: &'static str, hash: &'static str, expires: i64| NewSession {
            id,
            user_id,
            device_name: "laptop",
            refresh_hash: hash,
            refresh_expires_at: expires,
            now: 20,
        };
    // The access counter (sync sockets re-check when it moves) moves only when access
    // may have been lost: not for a new session or a refresh.
    let epoch = s.access_epoch().await.unwrap();
    s.create_session(&session("s1", "u-ada", "h1", 1_000))
        .await
        .unwrap();
    let (sess, u) = s.session_with_user("s1").await.unwrap().unwrap();
    assert_eq!(
        (sess.user_id.as_str(), sess.revoked_at, u.id.as_str()),
        ("u-ada", None, "u-ada")
    );
    assert!(s.session_with_user("nope").await.unwrap().is_none());
    match s.rotate_refresh("h1", "h2", 2_000, 30).await.unwrap() {
        Refreshed::Rotated { session, user } => {
            assert_eq!(
                (session.id.as_str(), session.last_used_at, user.id.as_str()),
                ("s1", 30, "u-ada")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.access_epoch().await.unwrap(), epoch);
    assert_eq!(
        s.rotate_refresh("h1", "h3", 2_000, 31).await.unwrap(),
        Refreshed::Reused {
            session_id: "s1".into()
        }
    );
    assert!(
        s.access_epoch().await.unwrap() > epoch,
        "a revoked session moves the access counter"
    );
    assert!(
        s.session_with_user("s1")
            .await
            .unwrap()
            .unwrap()
            .0
            .revoked_at
            .is_some(),
        "family revoked"
    );
    assert_eq!(
        s.rotate_refresh("h2", "h4", 2_000, 32).await.unwrap(),
        Refreshed::Refused
    );
    assert_eq!(
        s.rotate_refresh("unknown", "h5", 2_000, 32).await.unwrap(),
        Refreshed::Refused
    );
    s.create_session(&session("s2", "u-ada", "e1", 25))
        .await
        .unwrap();
    assert_eq!(
        s.rotate_refresh("e1", "e2", 2_000, 26).await.unwrap(),
        Refreshed::Refused,
        "expired"
    );
    s.create_session(&session("s3", "u-ada", "k1", 1_000))
        .await
        .unwrap();
    s.create_session(&session("s4", "u-ada", "k2", 1_000))
        .await
        .unwrap();
    let active: Vec<String> = s
        .active_sessions("u-ada")
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(active, ["s2", "s3", "s4"]);
    assert!(
        !s.revoke_session("u-bob", "s3", "revoked", 40)
            .await
            .unwrap(),
        "not Bob's"
    );
    assert!(
        s.revoke_session("u-ada", "s3", "revoked", 40)
            .await
            .unwrap()
    );
    assert!(
        !s.revoke_session("u-ada", "s3", "revoked", 41)
            .await
            .unwrap(),
        "already ended"
    );
    assert_eq!(
        s.revoke_sessions("u-ada", Some("s4"), "password changed", 42)
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.active_sessions("u-ada").await.unwrap().len(), 1);

    // Email tokens: verification and reset, single use, bounded in time.
    let token = |hash: &'static str, purpose: &'static str, expires: i64| EmailToken {
        token_hash: hash,
        user_id: "u-ada",
        purpose,
        email: "ada@example.com",
        now: 50,
        expires_at: expires,
    };
    s.create_email_token(&token("v1", "verify", 1_000))
        .await
        .unwrap();
    s.create_email_token(&token("v-old", "verify", 55))
        .await
        .unwrap();
    assert!(
        s.verify_email("v-old", 60).await.unwrap().is_none(),
        "expired"
    );
    assert!(s.verify_email("r-none", 60).await.unwrap().is_none());
    assert_eq!(
        s.verify_email("v1", 60)
            .await
            .unwrap()
            .unwrap()
            .email_verified_at,
        Some(60)
    );
    assert!(s.verify_email("v1", 61).await.unwrap().is_none(), "used");
    s.create_email_token(&token("r1", "reset", 1_000))
        .await
        .unwrap();
    s.create_email_token(&token("r2", "reset", 1_000))
        .await
        .unwrap();
    assert!(
        s.verify_email("r1", 62).await.unwrap().is_none(),
        "a reset token does not verify"
    );
    let reset = s
        .reset_password("r1", "$argon2id$new", 63)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reset.password_hash, "$argon2id$new");
    assert!(
        s.active_sessions("u-ada").await.unwrap().is_empty(),
        "all sessions ended"
    );
    assert!(
        s.reset_password("r2", "$argon2id$again", 64)
            .await
            .unwrap()
            .is_none(),
        "every reset token spent"
    );

    // Platform roles: banning ends sessions and refreshes.
    s.create_session(&session("s5", "u-bob", "b1", 1_000))
        .await
        .unwrap();
    let before_ban = s.access_epoch().await.unwrap();
    assert!(s.set_role("u-bob", "banned", 70).await.unwrap());
    assert!(
        s.access_epoch().await.unwrap() > before_ban,
        "a ban moves it"
    );
    assert!(s.active_sessions("u-bob").await.unwrap().is_empty());
    assert_eq!(
        s.rotate_refresh("b1", "b2", 2_000, 71).await.unwrap(),
        Refreshed::Refused
    );
    assert!(s.set_role("u-bob", "user", 72).await.unwrap());
    assert!(!s.set_role("nobody", "admin", 72).await.unwrap());

    // Tenants.
    let tenant = |id: &'static str, subdomain: &'static str| NewTenant {
        id,
        subdomain,
        name: "Blog",
        now: 100,
    };
    let a = s
        .create_tenant(&tenant("t-a", "ada-writes"), "u-ada")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.plan.as_str(), a.settings.as_str()), ("free", "{}"));
    assert!(
        s.create_tenant(&tenant("t-x", "ada-writes"), "u-bob")
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.subdomain_taken("ada-writes").await.unwrap());
    assert!(!s.subdomain_taken("free-name").await.unwrap());
    s.create_tenant(&tenant("t-b", "bob-notes"), "u-bob")
        .await
        .unwrap()
        .unwrap();
    let ada_in_a = s.scope("u-ada", "t-a").await.unwrap().unwrap();
    assert_eq!(ada_in_a.role(), Role::Owner);
    assert!(
        s.scope("u-bob", "t-a").await.unwrap().is_none(),
        "not a member"
    );
    let bob_in_b = s.scope("u-bob", "t-b").await.unwrap().unwrap();
    let mine: Vec<String> = s
        .tenants_of("u-ada")
        .await
        .unwrap()
        .into_iter()
        .map(|(t, _)| t.id)
        .collect();
    assert_eq!(mine, ["t-a"]);
    assert_eq!(
        s.tenant(&ada_in_a).await.unwrap().unwrap().subdomain,
        "ada-writes"
    );
    let updated = s
        .update_tenant(&ada_in_a, Some("Ada's"), Some(r#"{"theme":"dark"}"#), 110)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.settings.as_str()),
        ("Ada's", r#"{"theme":"dark"}"#)
    );

    // Invitations and members.
    let invite =
        |id: &'static str, email: &'static str, hash: &'static str, expires: i64| NewInvite {
            id,
            email,
            role: Role::Editor,
            token_hash: hash,
            now: 120,
            expires_at: expires,
        };
    s.create_invite(&ada_in_a, &invite("i1", "bob@example.com", "ih1", 1_000))
        .await
        .unwrap();
    s.create_invite(&ada_in_a, &invite("i2", "carol@example.com", "ih2", 1_000))
        .await
        .unwrap();
    s.create_invite(&ada_in_a, &invite("i3", "dave@example.com", "ih3", 125))
        .await
        .unwrap();
    let pending: Vec<String> = s
        .invites(&ada_in_a, 130)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(
        pending.len(),
        2,
        "the expired one is not pending: {pending:?}"
    );
    assert!(
        s.invites(&bob_in_b, 130).await.unwrap().is_empty(),
        "B sees none of A's"
    );
    assert!(
        !s.revoke_invite(&bob_in_b, "i2", 131).await.unwrap(),
        "B cannot touch A's invitation"
    );
    assert!(s.revoke_invite(&ada_in_a, "i2", 131).await.unwrap());
    assert_eq!(
        s.accept_invite("ih1", "u-ada", "ada@example.com", 132)
            .await
            .unwrap(),
        Accepted::Invalid,
        "another address"
    );
    assert_eq!(
        s.accept_invite("ih2", "u-bob", "carol@example.com", 132)
            .await
            .unwrap(),
        Accepted::Invalid,
        "revoked"
    );
    match s
        .accept_invite("ih1", "u-bob", "bob@example.com", 133)
        .await
        .unwrap()
    {
        Accepted::Joined { tenant, role } => {
            assert_eq!((tenant.id.as_str(), role), ("t-a", Role::Editor))
        }
        other => panic!("a good invitation: {other:?}"),
    }
    assert_eq!(
        s.accept_invite("ih1", "u-bob", "bob@example.com", 134)
            .await
            .unwrap(),
        Accepted::Invalid,
        "used"
    );
    let members: Vec<(String, String)> = s
        .members(&ada_in_a)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.user_id, m.role))
        .collect();
    assert_eq!(
        members,
        [
            ("u-ada".into(), "owner".into()),
            ("u-bob".into(), "editor".into())
        ]
    );
    assert_eq!(
        s.set_member_role(&ada_in_a, "u-ada", Role::Admin, 140)
            .await
            .unwrap(),
        MemberChange::LastOwner
    );
    assert_eq!(
        s.remove_member(&ada_in_a, "u-ada", 140).await.unwrap(),
        MemberChange::LastOwner
    );
    assert_eq!(
        s.set_member_role(&ada_in_a, "nobody", Role::Admin, 140)
            .await
            .unwrap(),
        MemberChange::NotFound
    );
    assert_eq!(
        s.set_member_role(&bob_in_b, "u-ada", Role::Viewer, 140)
            .await
            .unwrap(),
        MemberChange::NotFound,
        "through B, Ada is nobody"
    );
    let before = s.access_epoch().await.unwrap();
    assert_eq!(
        s.set_member_role(&ada_in_a, "u-bob", Role::Admin, 141)
            .await
            .unwrap(),
        MemberChange::Done
    );
    let after_role = s.access_epoch().await.unwrap();
    assert!(after_role > before, "a role change moves it");
    assert_eq!(
        s.remove_member(&bob_in_b, "u-ada", 142).await.unwrap(),
        MemberChange::NotFound
    );
    assert_eq!(
        s.remove_member(&ada_in_a, "u-bob", 142).await.unwrap(),
        MemberChange::Done
    );
    let after_removal = s.access_epoch().await.unwrap();
    assert!(after_removal > after_role, "a removal moves it");
    assert!(s.scope("u-bob", "t-a").await.unwrap().is_none());

    // The audit log, newest first, paged; only the tenant's own.
    let log = s.audit_log(&ada_in_a, None, 100).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "member.removed",
            "member.role_changed",
            "member.joined",
            "invite.revoked",
            "invite.created",
            "invite.created",
            "invite.created",
            "tenant.updated",
            "tenant.created"
        ]
    );
    let older = s.audit_log(&ada_in_a, Some(&log[1].id), 2).await.unwrap();
    assert_eq!(
        older.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        [log[2].id.clone(), log[3].id.clone()]
    );
    assert_eq!(
        s.audit_log(&bob_in_b, None, 100).await.unwrap().len(),
        1,
        "B's log holds only B's creation"
    );
    assert_eq!(s.all_tenants(None, 10).await.unwrap().len(), 2);
    assert_eq!(s.all_tenants(Some("t-a"), 10).await.unwrap()[0].id, "t-b");

    // Deleting a tenant takes its members, invitations and log with it; deleting a user
    // takes their memberships and sessions.
    assert!(s.delete_tenant(&ada_in_a).await.unwrap());
    let after_tenant = s.access_epoch().await.unwrap();
    assert!(after_tenant > after_removal, "a deleted blog moves it");
    assert!(s.scope("u-ada", "t-a").await.unwrap().is_none());
    assert!(s.tenants_of("u-ada").await.unwrap().is_empty());
    assert!(s.delete_user("u-bob").await.unwrap());
    assert!(!s.delete_user("u-bob").await.unwrap());
    assert!(
        s.access_epoch().await.unwrap() > after_tenant,
        "a deleted user moves it"
    );
    assert!(s.scope("u-bob", "t-b").await.unwrap().is_none());
    assert!(s.session_with_user("s5").await.unwrap().is_none());
}

#[tokio::test]
async fn accounts_and_tenants_contract_on_sqlite() {
    accounts_and_tenants(Backend::Sqlite).await;
}

#[tokio::test]
async fn accounts_and_tenants_contract_on_postgres() {
    accounts_and_tenants(Backend::Postgres).await;
}

/// Every document operation, the same way on both backends: stored per tenant as a
/// snapshot plus chunks, compacted without losing a chunk stored meanwhile, and listed
/// by the tenant's change counter; another tenant sees none of it.
async fn documents(backend: Backend) {
    use pint_server::db::accounts::NewUser;
    use pint_server::db::tenants::NewTenant;

    let db = TestDb::new(backend).await;
    let s = pint_server::prepare_storage(&db.settings())
        .await
        .expect("storage");
    for (id, email) in [("u-a", "a@example.com"), ("u-b", "b@example.com")] {
        s.create_user(&NewUser {
            id,
            email,
            display_name: "N",
            password_hash: "x",
            now: 1,
        })
        .await
        .unwrap()
        .unwrap();
    }
    s.create_tenant(
        &NewTenant {
            id: "t-a",
            subdomain: "aaa",
            name: "A",
            now: 1,
        },
        "u-a",
    )
    .await
    .unwrap()
    .unwrap();
    s.create_tenant(
        &NewTenant {
            id: "t-b",
            subdomain: "bbb",
            name: "B",
            now: 1,
        },
        "u-b",
    )
    .await
    .unwrap()
    .unwrap();
    let a = s.scope("u-a", "t-a").await.unwrap().unwrap();
    let b = s.scope("u-b", "t-b").await.unwrap().unwrap();
    let heads = |h: &str| vec![h.to_owned()];

    assert!(
        s.create_document(&a, "doc-1", b"snap-1", &heads("h1"), 10)
            .await
            .unwrap()
            .is_some()
    );
    // Ids are each blog's own: B's "doc-1" is another document, made as any new id is.
    assert!(
        s.create_document(&b, "doc-1", b"other", &heads("x"), 10)
            .await
            .unwrap()
            .is_some(),
        "ids are each blog's own"
    );
    assert!(
        s.create_document(&a, "doc-1", b"again", &heads("h9"), 10)
            .await
            .unwrap()
            .is_none(),
        "but unique within a blog"
    );
    assert!(
        s.create_document(&a, "doc-2", b"snap-2", &[], 10)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        s.member_document_tenants("u-a", "doc-1").await.unwrap(),
        ["t-a"],
        "only the caller's blogs"
    );
    assert_eq!(
        s.member_document_tenants("u-b", "doc-1").await.unwrap(),
        ["t-b"]
    );
    assert!(
        s.member_document_tenants("u-b", "doc-2")
            .await
            .unwrap()
            .is_empty()
    );

    let first = s
        .append_document_chunk(&a, "doc-1", b"c1", &heads("h2"), 11)
        .await
        .unwrap()
        .unwrap();
    let second = s
        .append_document_chunk(&a, "doc-1", b"c2", &heads("h3"), 12)
        .await
        .unwrap()
        .unwrap();
    assert!(second > first);
    assert_eq!(
        s.append_document_chunk(&b, "doc-2", b"evil", &heads("hx"), 13)
            .await
            .unwrap(),
        None,
        "not B's"
    );
    let doc = s.load_document(&a, "doc-1").await.unwrap().unwrap();
    assert_eq!(doc.snapshot, b"snap-1");
    assert_eq!(
        doc.chunks,
        vec![(first, b"c1".to_vec()), (second, b"c2".to_vec())]
    );
    assert_eq!((doc.heads.clone(), doc.change_seq), (heads("h3"), second));
    assert!(
        s.load_document(&b, "doc-2").await.unwrap().is_none(),
        "B cannot load A's document"
    );
    let theirs = s.load_document(&b, "doc-1").await.unwrap().unwrap();
    assert_eq!(
        (theirs.snapshot.as_slice(), theirs.chunks.len()),
        (&b"other"[..], 0),
        "B's own doc-1, untouched by A's changes"
    );

    // Compaction of the chunks merged into the snapshot (`first`): `second`, stored by
    // someone else meanwhile, stays.
    assert!(
        s.compact_document(&a, "doc-1", b"snap-with-c1", &[first])
            .await
            .unwrap()
    );
    let doc = s.load_document(&a, "doc-1").await.unwrap().unwrap();
    assert_eq!(doc.snapshot, b"snap-with-c1");
    assert_eq!(doc.chunks, vec![(second, b"c2".to_vec())]);
    assert!(
        !s.compact_document(&b, "doc-2", b"evil", &[second])
            .await
            .unwrap()
    );

    // What changed since a cursor: each document once, at its latest change.
    let all = s.changed_since(&a, 0, 100).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["doc-2", "doc-1"], "ordered by last change");
    assert_eq!(all[1].heads, heads("h3"));
    let since = s.changed_since(&a, all[0].change_seq, 100).await.unwrap();
    assert_eq!(
        since.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["doc-1"]
    );
    assert!(
        s.changed_since(&a, all[1].change_seq, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.changed_since(&a, 0, 1).await.unwrap().len(), 1, "limited");
    assert_eq!(
        s.changed_since(&b, 0, 100)
            .await
            .unwrap()
            .iter()
            .map(|c| (c.id.as_str(), c.heads.clone()))
            .collect::<Vec<_>>(),
        [("doc-1", heads("x"))],
        "B sees its own and none of A's"
    );

    // Several documents' chunks in one transaction (the sync server's group commit):
    // each gets its own number, in order; one the scope does not have is skipped and
    // the others are stored all the same.
    use pint_server::db::documents::NewChunk;
    let (h4, h5, hx) = (heads("h4"), heads("h5"), heads("hx"));
    let seqs = s
        .append_document_chunks(
            &a,
            &[
                NewChunk {
                    id: "doc-1",
                    bytes: b"c3",
                    heads: &h4,
                },
                NewChunk {
                    id: "not-here",
                    bytes: b"zz",
                    heads: &hx,
                },
                NewChunk {
                    id: "doc-2",
                    bytes: b"d1",
                    heads: &h5,
                },
            ],
            20,
        )
        .await
        .unwrap();
    assert_eq!(seqs.len(), 3);
    assert_eq!(seqs[1], None);
    let (c3, d1) = (seqs[0].unwrap(), seqs[2].unwrap());
    assert!(c3 > second && d1 > c3);
    let doc = s.load_document(&a, "doc-1").await.unwrap().unwrap();
    assert_eq!(
        doc.chunks,
        vec![(second, b"c2".to_vec()), (c3, b"c3".to_vec())]
    );
    assert_eq!((doc.heads, doc.change_seq), (h4, c3));
    let doc = s.load_document(&a, "doc-2").await.unwrap().unwrap();
    assert_eq!(doc.chunks, vec![(d1, b"d1".to_vec())]);
    assert_eq!(
        s.append_document_chunks(
            &b,
            &[NewChunk {
                id: "doc-2",
                bytes: b"evil",
                heads: &hx
            }],
            21
        )
        .await
        .unwrap(),
        vec![None],
        "not B's"
    );

    // Deleting the tenant takes its documents.
    assert!(s.delete_tenant(&a).await.unwrap());
    assert!(
        s.member_document_tenants("u-a", "doc-1")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.load_document(&b, "doc-1").await.unwrap().is_some());
}

#[tokio::test]
async fn documents_contract_on_sqlite() {
    documents(Backend::Sqlite).await;
}

#[tokio::test]
async fn documents_contract_on_postgres() {
    documents(Backend::Postgres).await;
}
