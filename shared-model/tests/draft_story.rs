//! A draft's life across two devices: metadata merges, cursors stay put, history can be
//! read and restored, and bad changes from outside are refused whole.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_model::{Draft, DraftError, DraftKind, SeoField, Splice};

fn splice(pos: usize, delete: usize, insert: &str) -> Splice {
    Splice {
        pos,
        delete,
        insert: insert.into(),
    }
}

/// Two replicas of one draft, as two devices have them after a sync.
fn two_devices() -> (Draft, Draft) {
    let mut laptop = Draft::new(DraftKind::Post);
    laptop.set_author("ana");
    laptop.splice_body(&[splice(0, 0, "Hello world")]).unwrap();
    let mut desktop = Draft::load(&laptop.save()).unwrap();
    desktop.set_author("ben");
    (laptop, desktop)
}

fn sync(a: &mut Draft, b: &mut Draft) {
    a.merge(b).unwrap();
    b.merge(a).unwrap();
}

#[test]
fn different_tags_added_on_two_devices_are_both_kept() {
    let (mut a, mut b) = two_devices();
    a.add_tag("rust").unwrap();
    b.add_tag("writing").unwrap();
    b.add_tag("  rust ").unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.tags(), vec!["rust", "writing"]);
    assert_eq!(a.tags(), b.tags());
    a.remove_tag("rust").unwrap();
    sync(&mut a, &mut b);
    assert_eq!(b.tags(), vec!["writing"]);
}

#[test]
fn a_title_set_on_two_devices_converges_to_one_value() {
    let (mut a, mut b) = two_devices();
    a.set_title("From the laptop").unwrap();
    b.set_title("From the desktop").unwrap();
    sync(&mut a, &mut b);
    assert_eq!(a.title(), b.title());
    assert!(["From the laptop", "From the desktop"].contains(&a.title().as_str()));
    assert_eq!(a.heads(), b.heads());
}

#[test]
fn different_seo_fields_edited_concurrently_both_survive() {
    let (mut a, mut b) = two_devices();
    a.set_seo(SeoField::MetaTitle, "Meta").unwrap();
    b.set_seo(SeoField::MetaDescription, "Description").unwrap();
    sync(&mut a, &mut b);
    let seo = a.seo();
    assert_eq!(
        (seo.meta_title.as_str(), seo.meta_description.as_str()),
        ("Meta", "Description")
    );
}

#[test]
fn invalid_metadata_is_refused_and_changes_nothing() {
    let (mut a, _) = two_devices();
    let heads = a.heads();
    assert!(matches!(
        a.set_slug("Not A Slug"),
        Err(DraftError::Invalid { field: "slug", .. })
    ));
    assert!(matches!(
        a.set_slug("-edge"),
        Err(DraftError::Invalid { .. })
    ));
    assert!(matches!(
        a.add_tag("   "),
        Err(DraftError::Invalid { field: "tags", .. })
    ));
    assert!(matches!(
        a.add_tag(&"x".repeat(65)),
        Err(DraftError::Invalid { .. })
    ));
    assert!(matches!(
        a.add_tag("bell\u{7}"),
        Err(DraftError::Invalid { .. })
    ));
    assert_eq!(a.heads(), heads);
    a.set_slug("a-good-slug-2").unwrap();
    assert_eq!(a.slug(), "a-good-slug-2");
}

#[test]
fn a_cursor_stays_next_to_its_character_through_concurrent_edits() {
    let (mut a, mut b) = two_devices();
    // Ben's cursor sits before "world" (position 6).
    let cursor = b.cursor_at(6).unwrap();
    // Ana types at the start, with an emoji (2 UTF-16 units).
    a.splice_body(&[splice(0, 0, "😀 Oh, ")]).unwrap();
    sync(&mut a, &mut b);
    assert_eq!(b.body(), "😀 Oh, Hello world");
    let moved = b.cursor_position(&cursor).unwrap();
    assert_eq!(
        &b.body().encode_utf16().collect::<Vec<_>>()[moved..],
        &"world".encode_utf16().collect::<Vec<_>>()[..]
    );
    assert!(matches!(
        b.cursor_position("garbage"),
        Err(DraftError::Cursor(_))
    ));
}

#[test]
fn history_lists_changes_with_author_and_time_and_reads_old_versions() {
    let (mut a, _) = two_devices();
    let before_title = a.heads();
    a.set_title("Second thoughts").unwrap();
    a.splice_body(&[splice(5, 6, ", friends")]).unwrap();
    let history = a.history();
    assert!(history.len() >= 4, "{history:?}");
    let last = history.last().unwrap();
    assert_eq!(last.author.as_deref(), Some("ana"));
    assert_eq!(last.message, None, "typing carries no message");
    assert!(
        history
            .iter()
            .any(|h| h.message.as_deref() == Some("set title"))
    );
    assert!(
        last.time > 1_700_000_000,
        "time is unix seconds: {}",
        last.time
    );

    let old = a.content_at(&before_title).unwrap();
    assert_eq!(old.title, "");
    assert_eq!(old.body, "Hello world");
    assert_eq!(a.body(), "Hello, friends");

    assert!(matches!(
        a.content_at(&["00".repeat(32)]),
        Err(DraftError::UnknownHeads(_))
    ));
    assert!(matches!(
        a.content_at(&["zz".into()]),
        Err(DraftError::UnknownHeads(_))
    ));
}

#[test]
fn restoring_an_old_version_is_a_new_change_that_keeps_concurrent_work() {
    let (mut a, mut b) = two_devices();
    let original = a.heads();
    a.set_title("Changed").unwrap();
    a.add_tag("later").unwrap();
    a.splice_body(&[splice(0, 5, "Goodbye")]).unwrap();
    let changes_before = a.history().len();

    // Meanwhile Ben appends to the end of the text.
    b.splice_body(&[splice(11, 0, "!!")]).unwrap();

    a.restore(&original).unwrap();
    assert_eq!(a.title(), "");
    assert!(a.tags().is_empty());
    assert_eq!(a.body(), "Hello world");
    assert_eq!(
        a.history().len(),
        changes_before + 1,
        "restore adds one change, rewrites none"
    );

    sync(&mut a, &mut b);
    assert_eq!(a.body(), "Hello world!!");
    assert_eq!(b.body(), a.body());
}

#[test]
fn changes_exchanged_in_any_order_with_duplicates_converge() {
    let (mut a, mut b) = two_devices();
    let base = a.heads();
    a.splice_body(&[splice(0, 0, "A1 ")]).unwrap();
    a.splice_body(&[splice(0, 0, "A2 ")]).unwrap();
    b.add_tag("b").unwrap();
    let mut from_a = a.changes_since(&base).unwrap();
    from_a.reverse(); // dependencies arrive after what depends on them
    from_a.push(from_a[0].clone()); // and one arrives twice
    b.apply_changes(&from_a).unwrap();
    let from_b = b.changes_since(&base).unwrap();
    a.apply_changes(&from_b).unwrap();
    assert_eq!(a.body(), "A2 A1 Hello world");
    assert_eq!(a.content(), b.content());
    assert_eq!(a.heads(), b.heads());
}

#[test]
fn a_change_that_would_break_the_schema_is_refused_whole() {
    use automerge::transaction::Transactable;
    let (mut a, _) = two_devices();
    // Another "client" rewrites the body as a number, on top of a's state.
    let mut evil = automerge::AutoCommit::load(&a.save()).unwrap();
    let base: Vec<_> = evil.get_heads();
    evil.put(automerge::ROOT, "body", 7_i64).unwrap();
    evil.commit();
    let bad: Vec<Vec<u8>> = evil
        .get_changes(&base)
        .into_iter()
        .map(|mut c| c.bytes().into_owned())
        .collect();
    let before = a.content();
    assert!(matches!(
        a.apply_changes(&bad),
        Err(DraftError::Schema { field: "body", .. })
    ));
    assert_eq!(a.content(), before);
    assert!(matches!(
        a.apply_changes(&[b"junk".to_vec()]),
        Err(DraftError::NotAutomerge(_))
    ));
}
