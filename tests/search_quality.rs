//! Search quality on the dev set (tests/data/devset.yaml) and the emergency detector on its sentences
//! (tests/data/emergency.yaml). Prints a table; fails below the targets.

mod common;

use std::collections::BTreeMap;

use serde::Deserialize;
use udha::knowledge::Lang;
use udha::search::emergency;

#[derive(Deserialize)]
struct DevSet {
    questions: Vec<Question>,
}

#[derive(Deserialize)]
struct Question {
    q: String,
    lang: Lang,
    expect: String,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    n: usize,
    at1: usize,
    at3: usize,
}

impl Tally {
    fn r1(&self) -> f64 {
        self.at1 as f64 / self.n.max(1) as f64
    }
    fn r3(&self) -> f64 {
        self.at3 as f64 / self.n.max(1) as f64
    }
}

#[test]
fn dev_set_recall_meets_the_targets() {
    let text = std::fs::read_to_string(common::data("devset.yaml")).expect("devset.yaml");
    let devset: DevSet = serde_yaml::from_str(&text).expect("devset parses");
    assert!(devset.questions.len() >= 150, "the dev set has at least 150 questions");
    let index = common::shipped_index();
    for q in &devset.questions {
        assert!(
            index.knowledge().get(&q.expect).is_some(),
            "dev set names unknown entry {}",
            q.expect
        );
    }

    let mut groups: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for q in &devset.questions {
        let answer = index.search(&q.q, q.lang, 3);
        let ok = |id: &str| id == q.expect || q.also.iter().any(|a| a == id);
        let at1 = answer.hits.first().is_some_and(|h| ok(&h.entry.id));
        let at3 = answer.hits.iter().take(3).any(|h| ok(&h.entry.id));
        let mut keys = vec!["overall", if q.lang == Lang::Sq { "albanian" } else { "english" }];
        if q.tags.iter().any(|t| t == "no-diacritics") {
            keys.push("no-diacritics");
        }
        if q.tags.iter().any(|t| t == "typo") {
            keys.push("typos");
        }
        for k in keys {
            let t = groups.entry(k).or_default();
            t.n += 1;
            t.at1 += usize::from(at1);
            t.at3 += usize::from(at3);
        }
        if !at1 {
            let got: Vec<&str> = answer.hits.iter().map(|h| h.entry.id.as_str()).collect();
            misses.push(format!(
                "{}{:?} expected {} got {:?}",
                if at3 { "@3 " } else { "MISS " },
                q.q,
                q.expect,
                got
            ));
        }
    }
    println!("\n{:<15} {:>5} {:>9} {:>9}", "group", "n", "recall@1", "recall@3");
    for (k, t) in &groups {
        println!("{:<15} {:>5} {:>9.3} {:>9.3}", k, t.n, t.r1(), t.r3());
    }
    println!("\nNot first ({}):", misses.len());
    for m in &misses {
        println!("  {m}");
    }
    for k in ["overall", "albanian"] {
        let t = groups[k];
        assert!(t.r3() >= 0.95, "{k}: recall@3 {:.3} < 0.95", t.r3());
        assert!(t.r1() >= 0.85, "{k}: recall@1 {:.3} < 0.85", t.r1());
    }
}

#[derive(Deserialize)]
struct Sentences {
    positive: Vec<Sentence>,
    negative: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
    text: String,
}

#[test]
fn emergency_detector_misses_no_positive() {
    let text = std::fs::read_to_string(common::data("emergency.yaml")).expect("emergency.yaml");
    let s: Sentences = serde_yaml::from_str(&text).expect("emergency.yaml parses");
    assert!(s.positive.len() >= 40 && s.negative.len() >= 40);
    let missed: Vec<&str> = s
        .positive
        .iter()
        .filter(|p| !emergency::detect(&p.text))
        .map(|p| p.text.as_str())
        .collect();
    let false_alarms: Vec<&str> = s
        .negative
        .iter()
        .filter(|n| emergency::detect(&n.text))
        .map(|n| n.text.as_str())
        .collect();
    println!(
        "emergency: {} positives, {} missed; {} negatives, {} false alarms",
        s.positive.len(),
        missed.len(),
        s.negative.len(),
        false_alarms.len()
    );
    for f in &false_alarms {
        println!("  false alarm: {f}");
    }
    assert!(missed.is_empty(), "missed emergencies: {missed:#?}");
    // False alarms are tolerated (safety first) but must stay rare.
    assert!(
        false_alarms.len() * 10 <= s.negative.len(),
        "too many false alarms: {false_alarms:#?}"
    );
}
