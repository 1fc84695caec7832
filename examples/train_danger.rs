//! Trains the danger detector's linear model (`src/search/emergency/model.bin`) from the labelled messages in
//! `tests/data` — never the held-back halves — and prints cross-validated figures, from which the thresholds in
//! `src/search/emergency/model.rs` were chosen.
//!
//! `cargo run --example train_danger` writes the weights; `-- --check` only prints the figures; `-- --held-back`
//! prints, once the weights are written, the grammar alone against the shipped detector on the held-back half
//! (a measurement: nothing is chosen from it).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use serde::Deserialize;
use udha::knowledge::Knowledge;
use udha::search::SearchIndex;
use udha::search::emergency::{self, Danger, model};

/// The training messages: the detector's own set, the cases its unit tests name, the tuning half and four training
/// sets written by different people.
const TRAINING: [&str; 7] = [
    "emergency.yaml",
    "danger-cases.yaml",
    "fresh-danger-tune.yaml",
    "fresh-danger-train-a.yaml",
    "fresh-danger-train-b.yaml",
    "fresh-danger-train-c.yaml",
    "fresh-danger-train-d.yaml",
];
/// Everyday questions, none about danger now: the search dev set and its tuning halves (never the held-back half)
/// teach the model what ordinary traffic looks like.
const EVERYDAY: [&str; 4] = [
    "devset.yaml",
    "fresh-search-tune.yaml",
    "fresh-search-tune2.yaml",
    "fresh-search-tune3.yaml",
];
const EPOCHS: usize = 15;
const FOLDS: usize = 5;

#[derive(Deserialize)]
struct Sentences {
    positive: Vec<Sentence>,
    negative: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
    text: String,
}

#[derive(Deserialize)]
struct Questions {
    questions: Vec<Question>,
}

#[derive(Deserialize)]
struct Question {
    q: String,
}

struct Example {
    features: Vec<model::Feature>,
    grammar: Danger,
    has_cue: bool,
    positive: bool,
}

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let knowledge =
        Knowledge::load(&root.join("knowledge"), udha::app::knowledge_fit()).context("the shipped knowledge")?;
    let index = SearchIndex::build(Arc::new(knowledge))?;
    let read =
        |file: &str| std::fs::read_to_string(root.join("tests/data").join(file)).with_context(|| file.to_string());
    let mut labelled: Vec<(String, bool)> = Vec::new();
    for file in TRAINING {
        let s: Sentences = serde_yaml::from_str(&read(file)?).with_context(|| file.to_string())?;
        labelled.extend(s.positive.into_iter().map(|m| (m.text, true)));
        labelled.extend(s.negative.into_iter().map(|m| (m.text, false)));
    }
    for file in EVERYDAY {
        let s: Questions = serde_yaml::from_str(&read(file)?).with_context(|| file.to_string())?;
        labelled.extend(s.questions.into_iter().map(|q| (q.q, false)));
    }
    let examples: Vec<Example> = labelled
        .iter()
        .map(|(text, positive)| {
            let (folded, normalized) = index.readings(text);
            Example {
                features: emergency::features(&folded, &normalized),
                grammar: emergency::grammar(&folded, &normalized),
                has_cue: emergency::has_cue(&folded, &normalized),
                positive: *positive,
            }
        })
        .collect();
    if std::env::args().any(|a| a == "--held-back") {
        return held_back(&index, &read("fresh-danger-heldout.yaml")?);
    }
    println!("{} training messages", examples.len());
    let out_of_fold = cross_validate(&examples);
    print_grid(&examples, &out_of_fold);
    if std::env::args().any(|a| a == "--check") {
        return Ok(());
    }
    let all: Vec<(Vec<model::Feature>, bool)> = examples.iter().map(|e| (e.features.clone(), e.positive)).collect();
    let weights = model::train(&all, EPOCHS);
    let path = root.join("src/search/emergency/model.bin");
    std::fs::write(&path, model::to_bytes(&weights))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Each message's probability from a model trained without its fold.
fn cross_validate(examples: &[Example]) -> Vec<f32> {
    let mut p = vec![0.0; examples.len()];
    for fold in 0..FOLDS {
        let training: Vec<(Vec<model::Feature>, bool)> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS != fold)
            .map(|(_, e)| (e.features.clone(), e.positive))
            .collect();
        let weights = model::train(&training, EPOCHS);
        for (i, e) in examples.iter().enumerate().filter(|(i, _)| i % FOLDS == fold) {
            p[i] = model::predict(&weights, &e.features);
        }
    }
    p
}

/// Danger recall (129 at the top), urgent-help recall, false alarms and one-line notes of one way of deciding.
fn report_levels(examples: &[Example], name: &str, level: &dyn Fn(usize) -> Danger) {
    let (mut pos, mut shown, mut now, mut neg, mut alarms, mut notes) = (0, 0, 0, 0, 0, 0);
    for (i, e) in examples.iter().enumerate() {
        let l = level(i);
        if e.positive {
            pos += 1;
            shown += usize::from(l != Danger::None);
            now += usize::from(l == Danger::Now);
        } else {
            neg += 1;
            alarms += usize::from(l == Danger::Now);
            notes += usize::from(l == Danger::Possible);
        }
    }
    let r = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    println!(
        "{name:<36} shown {:.3} now {:.3} | false alarms {:.3} notes {:.3}",
        r(shown, pos),
        r(now, pos),
        r(alarms, neg),
        r(notes, neg)
    );
}

/// The grammar alone and the model over a grid of thresholds, on out-of-fold probabilities.
fn print_grid(examples: &[Example], p: &[f32]) {
    let report = |name: String, level: &dyn Fn(usize) -> Danger| report_levels(examples, &name, level);
    report("grammar alone".into(), &|i| examples[i].grammar);
    for now in [0.5, 0.6, 0.7] {
        for possible in [0.05, 0.1, 0.2] {
            for uncued in [0.2, 0.3, 0.4, 1.0] {
                report(format!("model: now {now}, note {possible} (no cue: {uncued})"), &|i| {
                    let e = &examples[i];
                    if p[i] >= now {
                        Danger::Now
                    } else if (p[i] >= possible && e.has_cue) || p[i] >= uncued {
                        Danger::Possible
                    } else {
                        Danger::None
                    }
                });
            }
        }
    }
}

/// The grammar alone and the shipped detector (grammar cues and model) on the held-back half.
fn held_back(index: &SearchIndex, text: &str) -> anyhow::Result<()> {
    let s: Sentences = serde_yaml::from_str(text)?;
    let labelled: Vec<(&str, bool)> = s
        .positive
        .iter()
        .map(|m| (m.text.as_str(), true))
        .chain(s.negative.iter().map(|m| (m.text.as_str(), false)))
        .collect();
    let readings: Vec<(String, String)> = labelled.iter().map(|(t, _)| index.readings(t)).collect();
    let examples: Vec<Example> = labelled
        .iter()
        .zip(&readings)
        .map(|((_, positive), (f, n))| Example {
            features: Vec::new(),
            grammar: emergency::grammar(f, n),
            has_cue: emergency::has_cue(f, n),
            positive: *positive,
        })
        .collect();
    let shipped: Vec<Danger> = readings.iter().map(|(f, n)| emergency::assess(f, n).danger).collect();
    println!("held-back half: {} messages", examples.len());
    report_levels(&examples, "grammar alone", &|i| examples[i].grammar);
    report_levels(&examples, "shipped detector", &|i| shipped[i]);
    Ok(())
}
