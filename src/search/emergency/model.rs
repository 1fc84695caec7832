//! The danger detector's linear model: logistic regression over a message's character n-grams and words (hashed)
//! and the cue grammar's cues. It carries what the grammar cannot list: the many ways people word the same thing.
//!
//! Trained by `cargo run --example train_danger` from the labelled messages in `tests/data` (never the
//! held-back halves), which also prints the cross-validated figures the thresholds below were chosen from. The
//! weights are data, committed beside this file (`model.bin`: little-endian f32, one per feature).

use std::sync::LazyLock;

use super::Cues;
use crate::search::linear;

/// Hashed text features.
pub(crate) const BUCKETS: usize = 1 << 16;
/// Every weight: the text buckets, one per cue, and the bias.
pub(crate) const WEIGHTS: usize = BUCKETS + Cues::COUNT + 1;
/// Character n-gram lengths (over the folded text's bytes: ASCII where it matters).
const NGRAMS: [usize; 3] = [3, 4, 5];

/// From this probability, danger now: the full urgent help first.
pub(crate) const NOW: f32 = 0.5;
/// From this, possible danger (the one-line urgent note above the answer) when the message has a danger cue...
pub(crate) const POSSIBLE: f32 = 0.05;
/// ...and from this when it has none the grammar knows.
pub(crate) const POSSIBLE_UNCUED: f32 = 0.3;

static MODEL: LazyLock<Option<Vec<f32>>> = LazyLock::new(|| from_bytes(include_bytes!("model.bin")));

pub use crate::search::linear::Feature;

/// The model's inputs for a message (folded, normalized text) and its cues.
pub fn features(text: &str, cues: &[bool; Cues::COUNT]) -> Vec<Feature> {
    let mut hashed: Vec<u32> = Vec::new();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let padded = format!(" {} ", words.join(" "));
    for n in NGRAMS {
        for gram in padded.as_bytes().windows(n) {
            hashed.push(bucket(n as u64, gram.iter().copied()));
        }
    }
    for pair in words.windows(2) {
        hashed.push(bucket(2, pair[0].bytes().chain(*b" ").chain(pair[1].bytes())));
    }
    for word in &words {
        hashed.push(bucket(1, word.bytes()));
    }
    hashed.sort_unstable();
    hashed.dedup();
    // Text features share a unit of weight, so a long message does not outweigh its cues by length alone.
    let scale = 1.0 / (hashed.len().max(1) as f32).sqrt();
    let mut out: Vec<Feature> = hashed.into_iter().map(|b| (b, scale)).collect();
    for (i, &on) in cues.iter().enumerate() {
        if on {
            out.push(((BUCKETS + i) as u32, 1.0));
        }
    }
    out.push(((WEIGHTS - 1) as u32, 1.0));
    out
}

/// The bytes' hash, seeded by the feature family, into a bucket.
fn bucket(family: u64, bytes: impl IntoIterator<Item = u8>) -> u32 {
    (linear::hash(family, bytes) % BUCKETS as u64) as u32
}

/// The probability that a message is an emergency now; NaN when the shipped weights cannot be read (the grammar
/// then decides alone).
pub fn probability(text: &str, cues: &[bool; Cues::COUNT]) -> f32 {
    match MODEL.as_ref() {
        Some(weights) => predict(weights, &features(text, cues)),
        None => f32::NAN,
    }
}

/// The model's probability for features, with these weights.
pub fn predict(weights: &[f32], features: &[Feature]) -> f32 {
    let z: f32 = features
        .iter()
        .map(|&(i, v)| weights.get(i as usize).copied().unwrap_or(0.0) * v)
        .sum();
    1.0 / (1.0 + (-z).exp())
}

/// Trains the weights on labelled examples: logistic loss with L2, AdaGrad, classes weighted equally, a fixed
/// shuffle (the same examples always give the same weights).
pub fn train(examples: &[(Vec<Feature>, bool)], epochs: usize) -> Vec<f32> {
    const RATE: f32 = 0.3;
    const L2: f32 = 1e-5;
    let mut training = linear::AdaGrad::new(WEIGHTS, RATE, L2);
    let positives = examples.iter().filter(|(_, y)| *y).count().max(1) as f32;
    let negatives = (examples.len() as f32 - positives).max(1.0);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    for _ in 0..epochs {
        training.shuffle(&mut order);
        for &k in &order {
            let (features, positive) = &examples[k];
            let class_weight = if *positive { 0.5 / positives } else { 0.5 / negatives } * examples.len() as f32;
            let error = predict(&training.weights, features) - if *positive { 1.0 } else { 0.0 };
            training.step(features, class_weight * error);
        }
    }
    training.weights
}

/// The weights as `model.bin` stores them.
pub use linear::to_bytes;

fn from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    linear::from_bytes(bytes, WEIGHTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_weights_load() {
        assert!(MODEL.is_some(), "model.bin has {} weights", WEIGHTS);
    }

    #[test]
    fn training_separates_what_it_is_shown_and_is_deterministic() {
        let cues = [false; Cues::COUNT];
        let examples: Vec<(Vec<Feature>, bool)> = [
            ("po me rreh tani", true),
            ("ka thike ne dore", true),
            ("si ta bllokoj ne instagram", false),
            ("kam harruar fjalekalimin", false),
        ]
        .iter()
        .map(|(t, y)| (features(t, &cues), *y))
        .collect();
        let a = train(&examples, 20);
        assert_eq!(a, train(&examples, 20));
        assert!(predict(&a, &examples[0].0) > 0.5);
        assert!(predict(&a, &examples[2].0) < 0.5);
        assert_eq!(from_bytes(&to_bytes(&a)), Some(a));
    }
}
