//! The drafts list as a creator uses it, on an in-memory and an on-disk store through the
//! real migrations: create, rename, tag, sort, search (correct as drafts change), trash
//! and restore, version history, and a damaged draft set aside without harming others.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_client::{Engine, EngineError, ListQuery, Sort, Store, StoreError};
use pint_model::{DocumentId, DraftKind, Splice};

fn type_text(engine: &mut Engine, id: DocumentId, text: &str) {
    let len = engine.view(id).unwrap().body.encode_utf16().count();
    engine
        .edit(
            id,
            &[Splice {
                pos: len,
                delete: 0,
                insert: text.into(),
            }],
            None,
        )
        .unwrap();
}

fn by(engine: &Engine, sort: Sort) -> Vec<pint_client::DraftSummary> {
    engine
        .list(&ListQuery {
            sort,
            ..ListQuery::default()
        })
        .unwrap()
}

fn titles(list: &[pint_client::DraftSummary]) -> Vec<&str> {
    list.iter().map(|d| d.title.as_str()).collect()
}

fn story(mut engine: Engine) {
    let a = engine.create(DraftKind::Post).unwrap();
    engine.rename(a, "Banana bread").unwrap();
    type_text(
        &mut engine,
        a,
        "Mix the flour with ripe bananas. Café au lait on the side.",
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    let b = engine.create(DraftKind::Post).unwrap();
    engine.rename(b, "apple pie").unwrap();
    type_text(&mut engine, b, "Apples, butter, and patience.");
    engine.add_tag(a, "baking").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    engine.add_tag(b, "baking").unwrap();
    engine.add_tag(b, "autumn").unwrap();

    // Sorting.
    assert_eq!(
        titles(&by(&engine, Sort::Updated)),
        ["apple pie", "Banana bread"]
    );
    assert_eq!(
        titles(&by(&engine, Sort::Created)),
        ["apple pie", "Banana bread"]
    );
    assert_eq!(
        titles(&by(&engine, Sort::Title)),
        ["apple pie", "Banana bread"]
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    type_text(&mut engine, a, " Bake for an hour.");
    assert_eq!(
        titles(&by(&engine, Sort::Updated)),
        ["Banana bread", "apple pie"]
    );

    // Tags.
    let tagged = engine
        .list(&ListQuery {
            tag: Some("autumn".into()),
            ..ListQuery::default()
        })
        .unwrap();
    assert_eq!(titles(&tagged), ["apple pie"]);
    assert_eq!(tagged[0].tags, ["autumn", "baking"]);
    assert_eq!(
        engine
            .tags()
            .unwrap()
            .into_iter()
            .map(|t| (t.tag, t.drafts))
            .collect::<Vec<_>>(),
        [("autumn".to_owned(), 1), ("baking".to_owned(), 2)]
    );
    engine.remove_tag(b, "autumn").unwrap();
    assert!(
        engine
            .list(&ListQuery {
                tag: Some("autumn".into()),
                ..ListQuery::default()
            })
            .unwrap()
            .is_empty()
    );

    // Search: words, prefixes, diacritics folded, title ranked first; stays correct.
    assert_eq!(titles(&engine.search("bananas").unwrap()), ["Banana bread"]);
    assert_eq!(titles(&engine.search("cafe").unwrap()), ["Banana bread"]);
    assert_eq!(titles(&engine.search("pati").unwrap()), ["apple pie"]);
    assert!(
        engine.search("\"unbalanced OR NEAR(").unwrap().is_empty(),
        "any text is a valid query"
    );
    let first = engine.view(b).unwrap().body;
    engine
        .edit(
            b,
            &[Splice {
                pos: 0,
                delete: first.encode_utf16().count(),
                insert: "Plums instead.".into(),
            }],
            None,
        )
        .unwrap();
    assert!(
        engine.search("patience").unwrap().is_empty(),
        "old words are gone from the index"
    );
    assert_eq!(titles(&engine.search("plums").unwrap()), ["apple pie"]);

    // Trash: out of the list and of search, back on restore, gone on empty.
    engine.trash(a).unwrap();
    assert_eq!(titles(&by(&engine, Sort::Updated)), ["apple pie"]);
    assert!(engine.search("bananas").unwrap().is_empty());
    let trash = engine
        .list(&ListQuery {
            trash: true,
            ..ListQuery::default()
        })
        .unwrap();
    assert_eq!(titles(&trash), ["Banana bread"]);
    assert!(trash[0].trashed_at.is_some());
    assert!(matches!(
        engine.trash(a),
        Err(EngineError::Store(StoreError::NotFound(_)))
    ));
    engine.restore_from_trash(a).unwrap();
    assert_eq!(titles(&engine.search("bananas").unwrap()), ["Banana bread"]);
    engine.trash(b).unwrap();
    assert_eq!(engine.empty_trash().unwrap(), 1);
    assert!(
        engine
            .list(&ListQuery {
                trash: true,
                ..ListQuery::default()
            })
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        engine.view(b),
        Err(EngineError::Store(StoreError::NotFound(_)))
    ));

    // Versions: restore an earlier point as a new change.
    let versions = engine.versions(a).unwrap();
    assert!(!versions.is_empty());
    let history = engine.store().load(a).unwrap().history();
    let early = vec![history[2].hash.clone()]; // after the title and the first paragraph
    let then = engine.preview_version(a, &early).unwrap();
    assert_eq!(
        then.body,
        "Mix the flour with ripe bananas. Café au lait on the side."
    );
    engine.restore_version(a, &early).unwrap();
    assert_eq!(engine.view(a).unwrap().body, then.body);
    assert!(matches!(
        engine.preview_version(a, &["ff".repeat(32)]),
        Err(EngineError::Draft(pint_model::DraftError::UnknownHeads(_)))
    ));
}

#[test]
fn the_drafts_list_story_in_memory() {
    story(Engine::with_store(Store::open_in_memory().unwrap()));
}

#[test]
fn the_drafts_list_story_on_disk_and_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    story(Engine::open(dir.path()).unwrap());
    let mut engine = Engine::open(dir.path()).unwrap();
    assert_eq!(
        titles(&engine.list(&ListQuery::default()).unwrap()),
        ["Banana bread"]
    );
    assert_eq!(titles(&engine.search("bananas").unwrap()), ["Banana bread"]);
}

#[test]
fn a_damaged_draft_is_set_aside_and_the_others_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let (good, bad) = {
        let mut engine = Engine::open(dir.path()).unwrap();
        let good = engine.create(DraftKind::Post).unwrap();
        type_text(&mut engine, good, "still fine");
        let bad = engine.create(DraftKind::Post).unwrap();
        type_text(&mut engine, bad, "about to break");
        (good, bad)
    };
    // Damage the bad draft's bytes behind Pint's back.
    let conn = rusqlite::Connection::open(Engine::db_path(dir.path())).unwrap();
    conn.execute(
        "UPDATE drafts SET snapshot = x'00112233' WHERE id = ?1",
        [bad.to_string()],
    )
    .unwrap();
    drop(conn);

    let mut engine = Engine::open(dir.path()).unwrap();
    let result = engine.view(bad);
    assert!(
        matches!(result, Err(EngineError::Store(StoreError::Damaged { .. }))),
        "{result:?}"
    );
    let damaged = engine.damaged().unwrap();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0].id, bad.to_string());
    // Kept, not deleted: the bytes are still there for recovery.
    let conn = rusqlite::Connection::open(Engine::db_path(dir.path())).unwrap();
    let kept: Vec<u8> = conn
        .query_row(
            "SELECT snapshot FROM damaged_drafts WHERE id = ?1",
            [bad.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, [0x00, 0x11, 0x22, 0x33]);
    // Everything else works: the list, search, the current draft.
    assert_eq!(engine.list(&ListQuery::default()).unwrap().len(), 1);
    assert_eq!(engine.search("fine").unwrap().len(), 1);
    assert_eq!(engine.current_draft().unwrap().id, good);
}

/// The bytes a draft has on one engine, as the server hands them to another device.
fn document_bytes(engine: &Engine, id: DocumentId) -> Vec<u8> {
    engine.store().load(id).unwrap().save()
}

#[test]
fn a_draft_arriving_from_another_device_is_listed_with_its_title_tags_and_line() {
    let mut laptop = Engine::with_store(Store::open_in_memory().unwrap());
    let id = laptop.create(DraftKind::Post).unwrap();
    laptop.rename(id, "Field notes").unwrap();
    type_text(&mut laptop, id, "# Day one\n\nThe *ferry* left at dawn.\n");
    laptop.add_tag(id, "travel").unwrap();
    laptop.add_tag(id, "sea").unwrap();

    // The desktop's first sync adopts the whole document.
    let mut desktop = Engine::with_store(Store::open_in_memory().unwrap());
    desktop.adopt(id, &document_bytes(&laptop, id)).unwrap();
    let listed = desktop.list(&ListQuery::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].title, "Field notes");
    assert_eq!(listed[0].tags, ["sea", "travel"]);
    assert_eq!(listed[0].line, "The ferry left at dawn.");
    let by_tag = desktop
        .list(&ListQuery {
            tag: Some("sea".into()),
            ..ListQuery::default()
        })
        .unwrap();
    assert_eq!(by_tag.len(), 1);

    // Later changes arrive by sync messages: the list follows them too.
    laptop.remove_tag(id, "sea").unwrap();
    laptop.set_excerpt(id, "Crossing the strait.").unwrap();
    let mut to_desktop = automerge::sync::State::new();
    let mut to_laptop = automerge::sync::State::new();
    for _ in 0..10 {
        let mut quiet = true;
        for part in laptop.sync_message(id, &mut to_desktop).unwrap() {
            quiet = false;
            desktop.receive_sync(id, &mut to_laptop, &part).unwrap();
        }
        for part in desktop.sync_message(id, &mut to_laptop).unwrap() {
            quiet = false;
            laptop.receive_sync(id, &mut to_desktop, &part).unwrap();
        }
        if quiet {
            break;
        }
    }
    let listed = desktop.list(&ListQuery::default()).unwrap();
    assert_eq!(listed[0].tags, ["travel"]);
    assert_eq!(listed[0].line, "Crossing the strait.");
}

#[test]
fn a_store_written_before_list_lines_derives_them_when_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let mut engine = Engine::open(dir.path()).unwrap();
        let id = engine.create(DraftKind::Post).unwrap();
        engine.rename(id, "Old draft").unwrap();
        type_text(&mut engine, id, "Written by an older Pint.");
        engine.add_tag(id, "kept").unwrap();
        id
    };
    // What an older build left: no line, no tag rows, an old derivation.
    let conn = rusqlite::Connection::open(Engine::db_path(dir.path())).unwrap();
    conn.execute_batch(
        "UPDATE drafts SET list_line = '', listing_version = 0, title = '';
         DELETE FROM draft_tags;",
    )
    .unwrap();
    drop(conn);

    let engine = Engine::open(dir.path()).unwrap();
    let listed = engine.list(&ListQuery::default()).unwrap();
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].title, "Old draft");
    assert_eq!(listed[0].line, "Written by an older Pint.");
    assert_eq!(listed[0].tags, ["kept"]);
}

#[test]
fn restoring_the_newest_version_changes_nothing_when_the_title_was_set_while_typing() {
    // The app's editor types against the heads it last read; a title or tag set
    // meanwhile is a concurrent branch of the history. The newest version must still be
    // the draft as it is.
    let mut engine = Engine::with_store(Store::open_in_memory().unwrap());
    let id = engine.create(DraftKind::Post).unwrap();
    let editor_base = engine.heads(id).unwrap();
    engine.rename(id, "A title").unwrap();
    engine.add_tag(id, "one").unwrap();
    engine.add_tag(id, "two").unwrap();
    let report = engine
        .edit_at(
            id,
            &[Splice {
                pos: 0,
                delete: 0,
                insert: "Body typed meanwhile".into(),
            }],
            &editor_base,
        )
        .unwrap();
    let body_base = report.base;
    engine.rename(id, "A better title").unwrap();
    engine
        .edit_at(
            id,
            &[Splice {
                pos: 20,
                delete: 0,
                insert: ", and more".into(),
            }],
            &body_base,
        )
        .unwrap();
    let now = engine.view(id).unwrap();
    assert_eq!(now.title, "A better title");

    let versions = engine.versions(id).unwrap();
    engine.restore_version(id, &versions[0].heads).unwrap();
    let after = engine.view(id).unwrap();
    assert_eq!(after.title, "A better title");
    assert_eq!(after.tags, ["one", "two"]);
    assert_eq!(after.body, "Body typed meanwhile, and more");
    let listed = engine.list(&ListQuery::default()).unwrap();
    assert_eq!(listed[0].title, "A better title");
    assert_eq!(listed[0].tags, ["one", "two"]);
}

#[test]
fn search_results_carry_a_snippet_around_the_match() {
    let mut engine = Engine::with_store(Store::open_in_memory().unwrap());
    let id = engine.create(DraftKind::Post).unwrap();
    engine.rename(id, "Trains").unwrap();
    type_text(
        &mut engine,
        id,
        "# Day one\n\nWe slept on the **night train** from Vienna to [Venice](https://venice.example), and woke by the sea.",
    );
    let found = engine.search("venice").unwrap();
    assert_eq!(found.len(), 1);
    let snippet = found[0].snippet.as_deref().unwrap();
    assert!(
        snippet.contains("\u{2}Venice\u{3}"),
        "the match is marked: {snippet:?}"
    );
    assert!(
        snippet.contains("night train"),
        "marks are out: {snippet:?}"
    );
    assert!(
        !snippet.contains('*') && !snippet.contains('\n'),
        "{snippet:?}"
    );
    // Only the title matches: no body snippet.
    assert_eq!(engine.search("trains").unwrap()[0].snippet, None);
    // Lists carry none.
    assert_eq!(engine.list(&ListQuery::default()).unwrap()[0].snippet, None);
}
