//! A draft set to new content (a file changed on disk, a post imported again) changes by
//! the smallest edits, so what a teammate wrote meanwhile in another paragraph survives.

use pint_model::{Draft, DraftContent, DraftKind, Seo, Splice};

fn content(title: &str, body: &str, tags: &[&str]) -> DraftContent {
    DraftContent {
        kind: DraftKind::Post,
        title: title.into(),
        body: body.into(),
        excerpt: String::new(),
        slug: "notes".into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        featured_image: String::new(),
        featured_image_alt: String::new(),
        seo: Seo::default(),
        date: "2019-05-04T10:00:00Z".into(),
    }
}

#[test]
fn a_file_edit_and_a_teammates_edit_in_another_paragraph_both_survive() {
    let mut here = Draft::new(DraftKind::Post);
    here.set_content(&content(
        "Notes",
        "One fish.\n\nTwo fish.\n\nRed fish.\n",
        &["old", "sea"],
    ))
    .unwrap();
    let mut teammate = Draft::load(&here.save()).unwrap();

    // On disk, the first paragraph changes and a tag goes; meanwhile the teammate types
    // into the last paragraph.
    let from_disk = content(
        "Notes",
        "One big fish.\n\nTwo fish.\n\nRed fish.\n",
        &["new", "sea"],
    );
    here.set_content(&from_disk).unwrap();
    assert_eq!(here.content(), from_disk);
    let at = "One fish.\n\nTwo fish.\n\nRed".encode_utf16().count();
    teammate
        .splice_body(&[Splice {
            pos: at,
            delete: 0,
            insert: " and blue".into(),
        }])
        .unwrap();

    here.merge(&mut teammate).unwrap();
    assert_eq!(
        here.body(),
        "One big fish.\n\nTwo fish.\n\nRed and blue fish.\n"
    );
    assert_eq!(here.tags(), vec!["new", "sea"]);
    assert_eq!(here.content().date, "2019-05-04T10:00:00Z");
}

#[test]
fn setting_the_same_content_changes_nothing_and_a_bad_field_is_refused() {
    let mut d = Draft::new(DraftKind::Post);
    let c = content("Same", "Text\n", &["a"]);
    d.set_content(&c).unwrap();
    let heads = d.heads();
    d.set_content(&c).unwrap();
    assert_eq!(d.heads(), heads, "nothing new to record");

    let mut bad = c.clone();
    bad.date = "last tuesday".into();
    let err = d.set_content(&bad).unwrap_err();
    assert!(err.to_string().contains("date"), "{err}");
    let mut bad = c;
    bad.slug = "Not A Slug".into();
    assert!(d.set_content(&bad).is_err());
}

#[test]
fn dates_are_kept_as_utc_to_the_second() {
    let mut d = Draft::new(DraftKind::Post);
    d.set_date("2019-05-04T12:00:00.4+02:00").unwrap();
    assert_eq!(d.date(), "2019-05-04T10:00:00Z");
    d.set_date("").unwrap();
    assert_eq!(d.date(), "");
}

#[test]
fn an_outside_copy_changed_since_it_was_in_step_merges_with_edits_made_here() {
    let mut d = Draft::new(DraftKind::Post);
    let first = content("Notes", "Alpha.\n\nBeta.\n", &["a"]);
    d.set_content(&first).unwrap();
    let in_step = d.heads();
    // Here: the second paragraph is edited and a tag added.
    d.set_content(&content(
        "Notes",
        "Alpha.\n\nBeta, edited here.\n",
        &["a", "here"],
    ))
    .unwrap();
    // The copy: the first paragraph is edited and the title changed.
    d.set_content_since(
        &in_step,
        &content("Notes, renamed", "Alpha, edited there.\n\nBeta.\n", &["a"]),
    )
    .unwrap();
    let now = d.content();
    assert_eq!(now.body, "Alpha, edited there.\n\nBeta, edited here.\n");
    assert_eq!(now.title, "Notes, renamed");
    assert_eq!(now.tags, vec!["a", "here"]);
    assert!(d.set_content_since(&["nope".into()], &first).is_err());
}
