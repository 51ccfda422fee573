use super::*;

fn check(text: &str) -> Vec<Finding> {
    Checker::new().check(text, &CheckPrefs::default(), &[])
}

fn utf16_slice(text: &str, from: usize, to: usize) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    String::from_utf16(&units[from..to]).unwrap()
}

#[test]
fn a_misspelt_word_is_found_where_the_editor_counts_with_its_fix() {
    let text = "😀 Emoji first.\n\nThis sentance has a mistake.";
    let found = check(text);
    let f = found
        .iter()
        .find(|f| f.kind == FindingKind::Spelling)
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(f.text, "sentance");
    assert_eq!(utf16_slice(text, f.from, f.to), "sentance");
    assert_eq!(f.fixes.first().map(String::as_str), Some("sentence"));
    assert!(!f.message.contains('`'), "prose quotes: {}", f.message);
}

#[test]
fn code_urls_link_targets_html_and_front_matter_are_never_checked() {
    let text = "---\ntitle: Teh drafft\n---\n\nRun `lett teh = 1` now.\n\n\
                ```\nfn mian() { teh(); }\n```\n\n\
                See [the guide](https://exmaple.com/teh-gide) or https://exmaple.com/wrods.\n\n\
                <div>teh raw html</div>\n";
    let found = check(text);
    assert_eq!(found, Vec::<Finding>::new(), "{found:#?}");
}

#[test]
fn pint_rules_find_wordy_phrases_cliches_weasels_and_the_passive() {
    let text = "In order to win, think outside the box.\n\n\
                The results were very good.\n\nThe letter was written by my aunt.";
    let found = check(text);
    let rule_of = |t: &str| {
        found
            .iter()
            .find(|f| f.text == t)
            .map(|f| (f.rule.as_str(), f.fixes.clone()))
    };
    assert_eq!(
        rule_of("In order to"),
        Some((rules::WORDY, vec!["To".to_owned()]))
    );
    assert_eq!(
        rule_of("think outside the box").map(|r| r.0),
        Some(rules::CLICHE)
    );
    assert_eq!(rule_of("very"), Some((rules::WEASEL, vec![String::new()])));
    assert_eq!(rule_of("was written").map(|r| r.0), Some(rules::PASSIVE));
}

#[test]
fn what_the_creator_chose_is_applied_without_checking_again() {
    let text = "The letter was written by Zorblat.\n";
    let mut checker = Checker::new();
    let all = checker.check(text, &CheckPrefs::default(), &[]);
    assert!(all.iter().any(|f| f.text == "Zorblat"), "{all:#?}");
    assert!(all.iter().any(|f| f.rule == rules::PASSIVE), "{all:#?}");
    let prefs = CheckPrefs {
        rules_off: vec![rules::PASSIVE.into()],
        words: vec!["zorblat".into()],
        ..CheckPrefs::default()
    };
    assert_eq!(checker.check(text, &prefs, &[]), Vec::<Finding>::new());
    let ignored = [(rules::PASSIVE.to_owned(), "was written".to_owned())];
    let left = checker.check(text, &CheckPrefs::default(), &ignored);
    assert!(left.iter().all(|f| f.rule != rules::PASSIVE), "{left:#?}");
    assert!(left.iter().any(|f| f.text == "Zorblat"));
}

#[test]
fn adjectives_after_be_are_not_called_passive() {
    let found = check("I was tired after the walk, and the shop was closed.\n");
    assert!(found.iter().all(|f| f.rule != rules::PASSIVE), "{found:#?}");
}

#[test]
fn spelling_follows_the_chosen_english_and_leaves_names_of_things_alone() {
    let text = "The harbour's colour was grey. LWW and iPhone and mapT are names.\n";
    let mut checker = Checker::new();
    let american: Vec<String> = checker
        .check(text, &CheckPrefs::default(), &[])
        .into_iter()
        .filter(|f| f.kind == FindingKind::Spelling)
        .map(|f| f.text)
        .collect();
    assert!(american.contains(&"colour".to_owned()), "{american:?}");
    for name in ["LWW", "iPhone", "mapT"] {
        assert!(!american.contains(&name.to_owned()), "{american:?}");
    }
    let british = CheckPrefs {
        english: English::British,
        ..CheckPrefs::default()
    };
    let found = checker.check(text, &british, &[]);
    assert!(
        found.iter().all(|f| f.kind != FindingKind::Spelling),
        "{found:#?}"
    );
}

#[test]
fn the_checker_thread_checks_in_order_and_each_asker_hears_its_own() {
    let worker = super::worker::CheckWorker::start().unwrap();
    let askers: Vec<_> = [
        "Teh boats came in.",
        "The boats came in.",
        "We saw teh boats.",
    ]
    .into_iter()
    .map(|text| {
        let worker = worker.clone();
        std::thread::spawn(move || {
            let found = worker.check(text, &CheckPrefs::default(), &[]);
            found.into_iter().map(|f| f.text).collect::<Vec<_>>()
        })
    })
    .collect();
    let heard: Vec<Vec<String>> = askers.into_iter().map(|a| a.join().unwrap()).collect();
    assert_eq!(
        heard,
        [vec!["Teh".to_owned()], vec![], vec!["teh".to_owned()]]
    );
}
