//! The learned re-ranker: a linear model over features of (question, candidate entry) that reorders the search's
//! best candidates. Each candidate's score is multiplied by `exp(w · features)`, so with no weights the ranking is
//! the hand-made one (tantivy's score, the leans of [`super::cues`], the coverage), and the scores stay in the
//! same units for [`super::Answer`]'s "clearly ahead" test.
//!
//! Features: the candidate's score relative to the best, its rank, its tantivy score, lean and coverage factors,
//! how many of the question's words it has in each field (head or text, the question's language or the other),
//! the cues of the question crossed with the entry's kind and audience, and hashed pairs of the question's words
//! and character n-grams with the entry's id and kind (what the hand-made ranking cannot list: which wording goes
//! with which entry).
//!
//! Trained by `cargo run --release --example train_rerank` on the tuning sets (never the dev set, which stays a
//! measure of search, nor the held-back half), listwise (softmax over a question's candidates); `-- --check` prints the leave-one-set-out
//! cross-validation. The weights are data, committed beside this file (`rerank.bin`: little-endian f32, one per
//! feature).

use std::sync::LazyLock;

use super::linear::{self, hash};
use crate::knowledge::{Audience, Kind, Lang};

/// Hashed (question token, candidate) pairs.
pub const BUCKETS: usize = 1 << 17;
/// Dense features, after the buckets.
const DENSE: usize = 160;
/// Every weight: the buckets, the dense features, and last the temperature (see [`temperature`]).
pub const WEIGHTS: usize = BUCKETS + DENSE;
/// Where the temperature is kept among the weights.
const TEMPERATURE: usize = WEIGHTS - 1;
/// How many of the best candidates (by the hand-made score) are re-ranked.
pub const CANDIDATES: usize = 10;
/// Character n-gram lengths over the question's normalized text.
const NGRAMS: [usize; 2] = [3, 4];

pub use super::linear::Feature;

static MODEL: LazyLock<Option<Vec<f32>>> = LazyLock::new(|| from_bytes(include_bytes!("rerank.bin")));

/// The shipped weights, if they can be read.
pub(crate) fn shipped() -> Option<&'static [f32]> {
    MODEL.as_deref()
}

/// Which families of features are used (the trainer compares them; the shipped model uses [`Families::SHIPPED`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Families {
    /// Scores, rank, field matches, cues by kind and audience.
    pub dense: bool,
    /// Question words (stems) × entry id.
    pub words_id: bool,
    /// Question words × entry kind.
    pub words_kind: bool,
    /// Question character n-grams × entry id.
    pub ngrams_id: bool,
    /// Pairs of the question's successive words × entry id.
    pub bigrams_id: bool,
    /// The glossary groups the question names × entry id.
    pub groups_id: bool,
}

impl Families {
    pub const SHIPPED: Families = Families {
        dense: true,
        words_id: true,
        words_kind: true,
        ngrams_id: true,
        bigrams_id: false,
        groups_id: false,
    };
}

/// What is read of the question once.
#[derive(Debug, Clone, Default)]
pub struct Question {
    pub english: bool,
    /// Hashes of the question's words (stems, stop words left out).
    pub words: Vec<u64>,
    /// Hashes of its character n-grams.
    pub ngrams: Vec<u64>,
    /// Hashes of its pairs of successive words (stems).
    pub bigrams: Vec<u64>,
    /// Hashes of the glossary groups it names (by their first phrase).
    pub groups: Vec<u64>,
}

impl Question {
    /// Adds the glossary groups the question names, each by its first phrase's keys.
    pub fn add_group(&mut self, first_phrase: &[String]) {
        let h = hash(3, first_phrase.iter().flat_map(|k| k.bytes().chain(*b" ")));
        if !self.groups.contains(&h) {
            self.groups.push(h);
        }
    }

    /// The question's tokens from its words' stems and its normalized text.
    pub fn new(lang: Lang, stems: &[&str], normalized: &str, families: Families) -> Question {
        let mut bigrams: Vec<u64> = Vec::new();
        if families.bigrams_id {
            bigrams = stems
                .windows(2)
                .map(|p| hash(2, p[0].bytes().chain(*b" ").chain(p[1].bytes())))
                .collect();
            bigrams.sort_unstable();
            bigrams.dedup();
        }
        let mut words: Vec<u64> = stems.iter().map(|s| hash(1, s.bytes())).collect();
        words.sort_unstable();
        words.dedup();
        let mut ngrams = Vec::new();
        if families.ngrams_id {
            let text: Vec<&str> = normalized
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let padded = format!(" {} ", text.join(" "));
            for n in NGRAMS {
                for gram in padded.as_bytes().windows(n) {
                    ngrams.push(hash(n as u64 + 10, gram.iter().copied()));
                }
            }
            ngrams.sort_unstable();
            ngrams.dedup();
        }
        Question {
            english: lang == Lang::En,
            words,
            ngrams,
            bigrams,
            groups: Vec::new(),
        }
    }
}

/// What the hand-made ranking knows of one candidate.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: Kind,
    pub audience: Audience,
    /// tantivy's score, the leans' factor, the coverage factor; their product is the score.
    pub raw: f32,
    pub lean: f32,
    pub coverage: f32,
    /// Share of the question's concepts the entry has in: its head and text in the question's language, head and
    /// text in the other; then the same weighted by idf (head in the question's language, anywhere).
    pub fields: [f32; 6],
    /// The question's cues and how the entry meets them (see [`Cue`]).
    pub cues: u32,
    /// The question's audience (0 none, 1 provider, 2 victim).
    pub asker: u8,
}

impl Candidate {
    pub fn score(&self) -> f32 {
        self.raw * self.lean * self.coverage
    }
}

/// The cues of a question (and a candidate's match of them), one bit each in [`Candidate::cues`].
#[derive(Debug, Clone, Copy)]
#[repr(u32)]
pub enum Cue {
    Always = 0,
    Law,
    GuideAsked,
    GuideUnsure,
    Contact,
    PlatformNamed,
    PlatformMatches,
    Subjects,
    SubjectMatches,
    PlaceNamed,
    PlaceMatches,
    AudienceMatches,
    English,
}

const CUES: usize = 13;

fn kind_slot(kind: Kind) -> usize {
    Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0)
}

fn audience_slot(audience: Audience) -> usize {
    match audience {
        Audience::Provider => 0,
        Audience::Victim => 1,
        Audience::Both => 2,
    }
}

/// The features of the candidate at `rank` (candidates sorted by the hand-made score, `best` the first's score).
pub fn features(
    question: &Question,
    id: &str,
    candidate: &Candidate,
    rank: usize,
    best: &Candidate,
    families: Families,
) -> Vec<Feature> {
    let mut out: Vec<Feature> = Vec::with_capacity(64);
    let ln = |x: f32| x.max(1e-6).ln();
    if families.dense {
        let d = |i: usize| (BUCKETS + i) as u32;
        out.push((d(0), ln(candidate.score() / best.score().max(1e-6))));
        out.push((d(1), ln(candidate.raw / best.raw.max(1e-6))));
        out.push((d(2), ln(candidate.lean)));
        out.push((d(3), ln(candidate.coverage)));
        out.push((d(4 + rank.min(CANDIDATES - 1)), 1.0));
        for (k, &v) in candidate.fields.iter().enumerate() {
            out.push((d(4 + CANDIDATES + k), v));
        }
        // 20..: cue × kind, then asker × entry audience
        let base = 4 + CANDIDATES + 6;
        let kind = kind_slot(candidate.kind);
        for c in 0..CUES {
            if candidate.cues & (1 << c) != 0 {
                out.push((d(base + c * Kind::ALL.len() + kind), 1.0));
            }
        }
        let base = base + CUES * Kind::ALL.len();
        out.push((
            d(base + usize::from(candidate.asker) * 3 + audience_slot(candidate.audience)),
            1.0,
        ));
        debug_assert!(BUCKETS + base + 9 <= TEMPERATURE);
    }
    let id = hash(100, id.bytes());
    let kind = hash(101, candidate.kind.as_str().bytes());
    let mut hashed = |tokens: &[u64], with: u64| {
        if tokens.is_empty() {
            return;
        }
        let scale = 1.0 / (tokens.len() as f32).sqrt();
        for &t in tokens {
            out.push((bucket(t, with), scale));
        }
    };
    if families.words_id {
        hashed(&question.words, id);
    }
    if families.words_kind {
        hashed(&question.words, kind ^ u64::from(question.english));
    }
    if families.ngrams_id {
        hashed(&question.ngrams, id);
    }
    if families.bigrams_id {
        hashed(&question.bigrams, id);
    }
    if families.groups_id {
        hashed(&question.groups, id);
    }
    out
}

/// A (question token, candidate) pair's bucket.
fn bucket(token: u64, with: u64) -> u32 {
    let mut h = token ^ with.rotate_left(29);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h % BUCKETS as u64) as u32
}

/// A candidate's learned adjustment (its score is multiplied by `exp` of it).
pub fn adjustment(weights: &[f32], features: &[Feature]) -> f32 {
    features
        .iter()
        .map(|&(i, v)| weights.get(i as usize).copied().unwrap_or(0.0) * v)
        .sum()
}

/// The temperature of the weights: the re-ranked score of a candidate is the best hand-made score times
/// `exp(temperature * (ln(score / best) + adjustment))`. It does not change the order; it is chosen by the trainer
/// so that the share of answers clearly ahead stays what it was (the model's margins are wider than the
/// hand-made ones).
pub fn temperature(weights: &[f32]) -> f32 {
    weights.get(TEMPERATURE).copied().filter(|t| *t > 0.0).unwrap_or(1.0)
}

/// Sets the temperature (see [`temperature`]).
pub fn set_temperature(weights: &mut [f32], t: f32) {
    if let Some(w) = weights.get_mut(TEMPERATURE) {
        *w = t;
    }
}

/// One training question: its candidates' features, each candidate's `ln(score / best score)` (the hand-made
/// ranking the model adjusts), and which candidates are right.
pub struct Example {
    pub candidates: Vec<(Vec<Feature>, f32, bool)>,
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub epochs: usize,
    pub rate: f32,
    pub l2: f32,
}

impl Settings {
    pub const SHIPPED: Settings = Settings {
        epochs: 10,
        rate: 0.2,
        l2: 1e-4,
    };
}

/// Trains the weights: listwise softmax over each question's candidates (logit: the hand-made `ln` score plus the
/// adjustment), the loss the log of the right candidates' share; L2, AdaGrad, a fixed shuffle (the same examples
/// always give the same weights). Questions whose right entry is not among the candidates teach nothing.
pub fn train(examples: &[Example], settings: Settings) -> Vec<f32> {
    let mut training = linear::AdaGrad::new(WEIGHTS, settings.rate, settings.l2);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut grad: Vec<f32> = Vec::new();
    for _ in 0..settings.epochs {
        training.shuffle(&mut order);
        for &k in &order {
            let cands = &examples[k].candidates;
            if !cands.iter().any(|c| c.2) {
                continue;
            }
            let logits: Vec<f32> = cands
                .iter()
                .map(|(f, offset, _)| offset + adjustment(&training.weights, f))
                .collect();
            let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let exps: Vec<f32> = logits.iter().map(|z| (z - max).exp()).collect();
            let total: f32 = exps.iter().sum();
            let right: f32 = exps.iter().zip(cands).filter(|(_, c)| c.2).map(|(e, _)| e).sum();
            // d(-ln(right/total))/dz_i = p_i - (right_i ? e_i/right : 0)
            grad.clear();
            for (e, c) in exps.iter().zip(cands) {
                let p = e / total;
                let q = if c.2 { e / right } else { 0.0 };
                grad.push(p - q);
            }
            for ((features, _, _), &g) in cands.iter().zip(&grad) {
                if g.abs() < 1e-7 {
                    continue;
                }
                training.step(features, g);
            }
        }
    }
    training.weights
}

/// The weights as `rerank.bin` stores them.
pub use linear::to_bytes;

fn from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    linear::from_bytes(bytes, WEIGHTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_weights_load() {
        let weights = shipped().expect("rerank.bin has the expected size");
        let t = temperature(weights);
        assert!(t > 0.0 && t <= 1.0, "temperature {t}");
    }

    fn candidate(kind: Kind, raw: f32) -> Candidate {
        Candidate {
            kind,
            audience: Audience::Both,
            raw,
            lean: 1.0,
            coverage: 1.0,
            fields: [0.5; 6],
            cues: 1,
            asker: 0,
        }
    }

    #[test]
    fn training_learns_which_wording_goes_with_which_entry_and_is_deterministic() {
        let families = Families::SHIPPED;
        let a = candidate(Kind::Law, 2.0);
        let b = candidate(Kind::Safety, 1.8);
        let example = |text: &str, right_is_b: bool| {
            let q = Question::new(Lang::Sq, &text.split(' ').collect::<Vec<_>>(), text, families);
            Example {
                candidates: vec![
                    (features(&q, "law-x", &a, 0, &a, families), 0.0, !right_is_b),
                    (
                        features(&q, "safety-y", &b, 1, &a, families),
                        (1.8f32 / 2.0).ln(),
                        right_is_b,
                    ),
                ],
            }
        };
        let examples = vec![example("bllokoj llogarine", true), example("cili nen denon", false)];
        let settings = Settings {
            epochs: 20,
            rate: 0.2,
            l2: 1e-4,
        };
        let w = train(&examples, settings);
        assert_eq!(w, train(&examples, settings));
        let logit = |e: &Example, k: usize| e.candidates[k].1 + adjustment(&w, &e.candidates[k].0);
        assert!(logit(&examples[0], 1) > logit(&examples[0], 0));
        assert!(logit(&examples[1], 0) > logit(&examples[1], 1));
        assert_eq!(from_bytes(&to_bytes(&w)), Some(w));
    }
}
