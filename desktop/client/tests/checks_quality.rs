//! The writing checks against a labelled set (`tests/data/checks-labelled.tsv`): real
//! prose (sentences of a published paper, from the editing trace in ../shared), labelled
//! by hand with every problem Pint's rules look for, and sentences written with one known
//! problem each. Prints precision and recall per rule, and how often Pint's own rules
//! raise a false alarm on the real prose (the goal: at most 1 per 1,000 words).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::BTreeMap;

use pint_client::checks::{CheckPrefs, Checker, rules};

/// One line of the set: its labels (rule, flagged text) and the sentence.
struct Labelled {
    real: bool,
    labels: Vec<(String, String)>,
    sentence: String,
}

fn set() -> Vec<Labelled> {
    let text = include_str!("data/checks-labelled.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let origin = cols.next().unwrap();
            let labels = cols.next().unwrap();
            let sentence = cols.next().unwrap_or_else(|| panic!("no sentence: {l}"));
            Labelled {
                real: origin == "real",
                labels: labels
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && *s != "-")
                    .map(|s| {
                        let (rule, text) = s.split_once('=').unwrap_or_else(|| panic!("{s}"));
                        (rule.trim().to_owned(), text.trim().to_owned())
                    })
                    .collect(),
                sentence: sentence.to_owned(),
            }
        })
        .collect()
}

/// The rules the set is labelled for.
const RULES: [&str; 6] = [
    rules::WORDY,
    rules::CLICHE,
    rules::WEASEL,
    rules::PASSIVE,
    "SpellCheck",
    "RepeatedWords",
];

#[test]
fn precision_and_recall_per_rule_and_false_alarms_on_real_prose() {
    let set = set();
    let mut checker = Checker::new();
    let prefs = CheckPrefs::default();
    // rule → (found and labelled, found not labelled, labelled not found)
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut real_words = 0;
    let mut real_false_alarms = Vec::new();
    let (mut problems, mut clean) = (0, 0);
    for item in &set {
        if item.labels.is_empty() {
            clean += 1;
        } else {
            problems += 1;
        }
        let words = item.sentence.split_whitespace().count();
        if item.real {
            real_words += words;
        }
        let found = checker.check(&item.sentence, &prefs, &[]);
        for rule in RULES {
            let c = counts.entry(rule).or_default();
            let got: Vec<&str> = found
                .iter()
                .filter(|f| f.rule == rule)
                .map(|f| f.text.as_str())
                .collect();
            let want: Vec<&str> = item
                .labels
                .iter()
                .filter(|(r, _)| r == rule)
                .map(|(_, t)| t.as_str())
                .collect();
            for g in &got {
                if want.iter().any(|w| w.eq_ignore_ascii_case(g)) {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                    if item.real && rule.starts_with("Pint.") {
                        real_false_alarms.push(format!("{rule}: “{g}” in: {}", item.sentence));
                    }
                    eprintln!("false alarm {rule}: “{g}” in: {}", item.sentence);
                }
            }
            for w in &want {
                if !got.iter().any(|g| g.eq_ignore_ascii_case(w)) {
                    c.2 += 1;
                    eprintln!("missed {rule}: “{w}” in: {}", item.sentence);
                }
            }
        }
    }
    println!(
        "\n## Writing checks on the labelled set: {problems} sentences with problems, {clean} clean"
    );
    println!("| rule | found right | false alarms | missed | precision | recall |");
    println!("|---|---|---|---|---|---|");
    for (rule, (tp, fp, fn_)) in &counts {
        let p = *tp as f64 / (*tp + *fp).max(1) as f64;
        let r = *tp as f64 / (*tp + *fn_).max(1) as f64;
        println!("| {rule} | {tp} | {fp} | {fn_} | {p:.2} | {r:.2} |");
    }
    let per_thousand = real_false_alarms.len() as f64 * 1000.0 / real_words as f64;
    println!(
        "Pint's own rules on real prose: {} false alarms in {real_words} words = {per_thousand:.2} per 1,000 words",
        real_false_alarms.len()
    );
    assert!(
        problems >= 100 && clean >= 100,
        "{problems} with problems, {clean} clean"
    );
    assert!(
        per_thousand <= 1.0,
        "false alarms on real prose: {real_false_alarms:#?}"
    );
    for rule in [rules::WORDY, rules::CLICHE, rules::WEASEL, rules::PASSIVE] {
        let (tp, fp, fn_) = counts[rule];
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        assert!(precision >= 0.9, "{rule}: precision {precision:.2}");
        assert!(recall >= 0.75, "{rule}: recall {recall:.2}");
    }
}
