//! Search quality on the dev set (tests/data/devset.yaml) and on fresh questions written without seeing the
//! knowledge (tests/data/fresh-search-*.yaml), and the emergency detector on its sentences (emergency.yaml) and on
//! fresh messages (fresh-danger-*.yaml). Prints tables; fails below the targets.

mod common;

use std::collections::BTreeMap;

use serde::Deserialize;
use udha::knowledge::Lang;
use udha::search::emergency::Danger;

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

/// Recall on a question file, by group (overall, albanian, english, no-diacritics, typos, gheg); prints the table
/// and the questions not answered first.
fn recall(file: &str) -> BTreeMap<&'static str, Tally> {
    let text = std::fs::read_to_string(common::data(file)).expect("question file");
    let set: DevSet = serde_yaml::from_str(&text).expect("question file parses");
    let index = common::shipped_index();
    for q in &set.questions {
        for id in std::iter::once(&q.expect).chain(&q.also) {
            assert!(index.knowledge().get(id).is_some(), "{file} names unknown entry {id}");
        }
    }
    let mut groups: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for q in &set.questions {
        let answer = index.search(&q.q, q.lang, 3);
        let ok = |id: &str| id == q.expect || q.also.iter().any(|a| a == id);
        let at1 = answer.hits.first().is_some_and(|h| ok(&h.entry.id));
        let at3 = answer.hits.iter().take(3).any(|h| ok(&h.entry.id));
        let mut keys = vec!["overall", if q.lang == Lang::Sq { "albanian" } else { "english" }];
        for (tag, key) in [("no-diacritics", "no-diacritics"), ("typo", "typos"), ("gheg", "gheg")] {
            if q.tags.iter().any(|t| t == tag) {
                keys.push(key);
            }
        }
        for k in keys {
            let t = groups.entry(k).or_default();
            t.n += 1;
            t.at1 += usize::from(at1);
            t.at3 += usize::from(at3);
        }
        if !at1 {
            let got: Vec<&str> = answer.hits.iter().map(|h| h.entry.id.as_str()).collect();
            let kind = if at3 { "@3 " } else { "MISS " };
            misses.push(format!("{kind}{:?} expected {} got {got:?}", q.q, q.expect));
        }
    }
    println!("\n{file}: {} questions", set.questions.len());
    println!("{:<15} {:>5} {:>9} {:>9}", "group", "n", "recall@1", "recall@3");
    for (k, t) in &groups {
        println!("{:<15} {:>5} {:>9.3} {:>9.3}", k, t.n, t.r1(), t.r3());
    }
    println!("Not first ({}):", misses.len());
    for m in &misses {
        println!("  {m}");
    }
    groups
}

fn assert_targets(file: &str, groups: &BTreeMap<&str, Tally>, at1: f64, at3: f64) {
    for k in ["overall", "albanian"] {
        let t = groups[k];
        assert!(t.r3() >= at3, "{file} {k}: recall@3 {:.3} < {at3}", t.r3());
        assert!(t.r1() >= at1, "{file} {k}: recall@1 {:.3} < {at1}", t.r1());
    }
}

#[test]
fn dev_set_recall_meets_the_targets() {
    let groups = recall("devset.yaml");
    assert!(groups["overall"].n >= 150, "the dev set has at least 150 questions");
    // The dev set is kept out of the re-ranker's training (examples/train_rerank.rs): it measures search.
    assert_targets("devset.yaml", &groups, 0.95, 0.99);
}

/// The goal on the held-back half of the fresh questions (recall@1, recall@3), overall and for Albanian alone.
const FRESH_GOAL: (f64, f64) = (0.88, 0.96);

/// Questions written by people who saw only the coverage list, never the knowledge: tuning sets (used to improve
/// keywords, variants and cues, and learnt by the re-ranker) and a held-back half (never looked at while tuning).
/// The held-back half must meet the goal, overall and for Albanian alone; the tuning sets are reported beside it.
#[test]
fn fresh_questions_hold_on_the_held_back_half() {
    let tuning = recall("fresh-search-tune.yaml");
    let tuning2 = recall("fresh-search-tune2.yaml");
    let held_back = recall("fresh-search-heldout.yaml");
    for (name, groups) in [
        ("tuning half (learnt by the re-ranker)", &tuning),
        ("tuning set 2 (learnt by the re-ranker)", &tuning2),
        ("held-back half", &held_back),
    ] {
        let (o, a) = (groups["overall"], groups["albanian"]);
        println!(
            "{name}: overall @1 {:.3} @3 {:.3}; albanian @1 {:.3} @3 {:.3}",
            o.r1(),
            o.r3(),
            a.r1(),
            a.r3()
        );
    }
    assert!(tuning["overall"].n + held_back["overall"].n >= 300);
    println!(
        "held-back goal recall@1 >= {} and @3 >= {}, overall and Albanian",
        FRESH_GOAL.0, FRESH_GOAL.1
    );
    assert_targets("fresh-search-heldout.yaml", &held_back, FRESH_GOAL.0, FRESH_GOAL.1);
}

#[derive(Deserialize)]
struct Sentences {
    positive: Vec<Sentence>,
    negative: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
    text: String,
    #[serde(default)]
    child: bool,
}

/// How the detector did on a file of labelled messages.
struct Detection {
    positives: usize,
    /// Positives given the full urgent help first.
    now: usize,
    /// Positives given 129 at the top at all: the full urgent help, or the one-line note.
    shown: usize,
    negatives: usize,
    /// Negatives given the full urgent help: the false alarms.
    false_alarms: usize,
    /// Negatives given the one-line note.
    notes: usize,
    /// Positives about a child in danger, and those whose urgent help puts 116 111 second.
    children: usize,
    children_named: usize,
}

fn detection(file: &str) -> Detection {
    let text = std::fs::read_to_string(common::data(file)).expect("sentences file");
    let s: Sentences = serde_yaml::from_str(&text).expect("sentences file parses");
    let index = common::shipped_index();
    let mut d = Detection {
        positives: s.positive.len(),
        now: 0,
        shown: 0,
        negatives: s.negative.len(),
        false_alarms: 0,
        notes: 0,
        children: 0,
        children_named: 0,
    };
    for p in &s.positive {
        let a = index.search(&p.text, Lang::Sq, 0).danger;
        d.now += usize::from(a.danger == Danger::Now);
        d.shown += usize::from(a.danger != Danger::None);
        if a.danger == Danger::None {
            println!("  {file}: missed: {}", p.text);
        }
        if p.child {
            d.children += 1;
            d.children_named += usize::from(a.child);
        }
    }
    for n in &s.negative {
        let a = index.search(&n.text, Lang::Sq, 0).danger;
        d.false_alarms += usize::from(a.danger == Danger::Now);
        d.notes += usize::from(a.danger == Danger::Possible);
        if a.danger == Danger::Now {
            println!("  {file}: false alarm: {}", n.text);
        }
    }
    let share = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    println!(
        "{file}: {} positives: urgent help {:.3}, 129 at the top {:.3}; {} negatives: false alarms {:.3}, \
         one-line notes {:.3}; children named {}/{}",
        d.positives,
        share(d.now, d.positives),
        share(d.shown, d.positives),
        d.negatives,
        share(d.false_alarms, d.negatives),
        share(d.notes, d.negatives),
        d.children_named,
        d.children
    );
    d
}

#[test]
fn emergency_detector_misses_no_positive() {
    let d = detection("emergency.yaml");
    assert!(d.positives >= 40 && d.negatives >= 40);
    assert_eq!(
        d.now, d.positives,
        "every positive of the detector's own set gets the full urgent help"
    );
    // False alarms are tolerated (safety first) but must stay rare.
    assert!(d.false_alarms * 10 <= d.negatives, "too many false alarms");
}

/// Messages written by people who never saw the detector: a tuning half and a held-back half (never looked at
/// while tuning). On the held-back half, 129 is at the top of the answer for at least 98% of the people in danger
/// now, and at most 8% of the others get the full urgent help they did not need.
#[test]
fn fresh_danger_messages_meet_the_targets_on_the_held_back_half() {
    let tuning = detection("fresh-danger-tune.yaml");
    let held_back = detection("fresh-danger-heldout.yaml");
    assert!(tuning.positives + tuning.negatives + held_back.positives + held_back.negatives >= 300);
    let d = held_back;
    assert!(
        d.shown * 100 >= d.positives * 98,
        "danger recall {}/{} < 0.98",
        d.shown,
        d.positives
    );
    assert!(
        d.false_alarms * 100 <= d.negatives * 8,
        "false alarms {}/{} > 0.08",
        d.false_alarms,
        d.negatives
    );
}
