//! Trains the search's re-ranker (`src/search/rerank.bin`) from the tuning sets in `tests/data` (never the dev set,
//! which stays a measure of search, nor the held-back half), and prints leave-one-set-out cross-validation over the
//! dev set and the tuning sets: for each set, a model trained on the other three against the hand-made ranking on
//! it.
//!
//! `cargo run --release --example train_rerank` writes the weights; `-- --check` only prints the figures;
//! `-- --variants` also compares feature families and training settings.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use serde::Deserialize;
use udha::knowledge::{Knowledge, Lang};
use udha::search::SearchIndex;
use udha::search::rerank::{self, Example, Families, Settings};

/// The question sets, each a fold of the cross-validation.
const SETS: [&str; 4] = [
    "devset.yaml",
    "fresh-search-tune.yaml",
    "fresh-search-tune2.yaml",
    "fresh-search-tune3.yaml",
];

#[derive(Deserialize)]
struct Questions {
    questions: Vec<Question>,
}

#[derive(Deserialize, Clone)]
struct Question {
    q: String,
    lang: Lang,
    expect: String,
    #[serde(default)]
    also: Vec<String>,
}

/// A question's candidates: right or not, and the features.
struct Asked {
    example: Example,
}

fn examples(index: &SearchIndex, sets: &[Vec<Question>], families: Families) -> Vec<Vec<Asked>> {
    sets.iter()
        .map(|set| {
            set.iter()
                .map(|q| {
                    let candidates = index
                        .rerank_candidates(&q.q, q.lang, families)
                        .into_iter()
                        .map(|(id, f, offset)| {
                            let right = id == q.expect || q.also.contains(&id);
                            (f, offset, right)
                        })
                        .collect();
                    Asked {
                        example: Example { candidates },
                    }
                })
                .collect()
        })
        .collect()
}

/// Recall @1 and @3, and of the answers clearly ahead (the next below 0.85 of the first): their share and how
/// many are right.
#[derive(Default, Clone, Copy)]
struct Figures {
    at1: f64,
    at3: f64,
    clear: f64,
    clear_right: f64,
    /// Right answers shown as a choice; wrong first answers shown as a choice that holds the right one (in the
    /// best four).
    right_as_choice: f64,
    wrong_saved: f64,
}

/// A question's candidates as (logit, right): the hand-made `ln(score / best)` plus the model's adjustment.
type Ranked = Vec<(f32, bool)>;

fn rank(a: &Asked, weights: Option<&[f32]>) -> Ranked {
    let mut scored: Ranked = a
        .example
        .candidates
        .iter()
        .map(|(f, offset, right)| {
            let adjust = weights.map_or(0.0, |w| rerank::adjustment(w, f).clamp(-20.0, 20.0));
            (offset + adjust, *right)
        })
        .collect();
    // stable: ties keep the hand-made order
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
}

fn measure(ranked: &[Ranked], temperature: f32) -> Figures {
    let (mut at1, mut at3, mut clear, mut clear_right) = (0, 0, 0, 0);
    let (mut right_as_choice, mut wrong_saved) = (0, 0);
    for scored in ranked {
        at1 += usize::from(scored.first().is_some_and(|s| s.1));
        at3 += usize::from(scored.iter().take(3).any(|s| s.1));
        let is_clear = match scored.as_slice() {
            [best, next, ..] => (temperature * next.0).exp() < 0.85 * (temperature * best.0).exp(),
            _ => true,
        };
        let right = scored.first().is_some_and(|s| s.1);
        if is_clear {
            clear += 1;
            clear_right += usize::from(right);
        } else if right {
            right_as_choice += 1;
        } else if scored.iter().take(4).any(|s| s.1) {
            wrong_saved += 1;
        }
    }
    let n = ranked.len().max(1) as f64;
    Figures {
        at1: at1 as f64 / n,
        at3: at3 as f64 / n,
        clear: clear as f64 / n,
        clear_right: clear_right as f64 / clear.max(1) as f64,
        right_as_choice: right_as_choice as f64 / at1.max(1) as f64,
        wrong_saved: wrong_saved as f64 / (ranked.len() - at1).max(1) as f64,
    }
}

/// The temperature at which the share of answers clearly ahead is closest to the hand-made ranking's.
fn fit_temperature(base: &[Ranked], re: &[Ranked]) -> f32 {
    let target = measure(base, 1.0).clear;
    (1..=100)
        .map(|k| k as f32 / 100.0)
        .min_by(|a, b| {
            let da = (measure(re, *a).clear - target).abs();
            let db = (measure(re, *b).clear - target).abs();
            da.total_cmp(&db)
        })
        .unwrap_or(1.0)
}

fn copy(a: &Asked) -> Example {
    Example {
        candidates: a.example.candidates.clone(),
    }
}

/// Leave one set out: per set, the hand-made ranking and the model trained on the others (and on `extra`); prints
/// the table and returns the mean gain @1 and @3, and the out-of-fold temperature.
fn cross_validate(sets: &[Vec<Asked>], extra: &[Asked], settings: Settings, print: bool) -> (f64, f64, f32) {
    let (mut gain1, mut gain3) = (0.0, 0.0);
    let mut base_all: Vec<Ranked> = Vec::new();
    let mut re_all: Vec<Ranked> = Vec::new();
    let mut per_set = Vec::new();
    for (k, held) in sets.iter().enumerate() {
        let training: Vec<Example> = sets
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .flat_map(|(_, s)| s.iter())
            .chain(extra)
            .map(copy)
            .collect();
        let weights = rerank::train(&training, settings);
        let base: Vec<Ranked> = held.iter().map(|a| rank(a, None)).collect();
        let re: Vec<Ranked> = held.iter().map(|a| rank(a, Some(&weights))).collect();
        let (b, r) = (measure(&base, 1.0), measure(&re, 1.0));
        gain1 += r.at1 - b.at1;
        gain3 += r.at3 - b.at3;
        per_set.push((base.clone(), re.clone()));
        base_all.extend(base);
        re_all.extend(re);
    }
    let temperature = fit_temperature(&base_all, &re_all);
    if print {
        let (b, r) = (measure(&base_all, 1.0), measure(&re_all, temperature));
        println!(
            "all sets, out of fold: right answers shown as a choice {:.3} -> {:.3}; wrong first answers turned into \
             a choice holding the right one {:.3} -> {:.3}",
            b.right_as_choice, r.right_as_choice, b.wrong_saved, r.wrong_saved
        );
        println!(
            "{:<26} {:>5} | {:>6} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>6}",
            "held-out set", "n", "@1", "@3", "clear", "c.ok", "re@1", "re@3", "clear", "c.ok"
        );
        for (k, (base, re)) in per_set.iter().enumerate() {
            let (b, r) = (measure(base, 1.0), measure(re, temperature));
            println!(
                "{:<26} {:>5} | {:>6.3} {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3} {:>6.3}",
                SETS[k],
                base.len(),
                b.at1,
                b.at3,
                b.clear,
                b.clear_right,
                r.at1,
                r.at3,
                r.clear,
                r.clear_right
            );
        }
    }
    let n = sets.len() as f64;
    if print {
        println!(
            "mean gain @1 {:+.4} @3 {:+.4}; temperature {temperature} (clear share as before)",
            gain1 / n,
            gain3 / n
        );
    }
    (gain1 / n, gain3 / n, temperature)
}

/// The entries' own titles and keywords as questions (each its entry's), in both languages.
fn entry_questions(index: &SearchIndex) -> Vec<Question> {
    let mut out = Vec::new();
    for entry in index.knowledge().entries() {
        for lang in Lang::ALL {
            let t = entry.text(lang);
            for q in std::iter::once(&t.title).chain(&t.keywords) {
                out.push(Question {
                    q: q.clone(),
                    lang,
                    expect: entry.id.clone(),
                    also: Vec::new(),
                });
            }
        }
    }
    out
}

/// How many of [`SETS`], from the first, the shipped model does not learn from: the dev set stays an honest
/// regression guard (`tests/search_quality.rs`), not questions the model has seen.
const KEPT_OUT: usize = 1;

/// Whether the shipped model also learns from the entries' titles and keywords.
const WITH_ENTRIES: bool = false;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let knowledge =
        Knowledge::load(&root.join("knowledge"), udha::app::knowledge_fit()).context("the shipped knowledge")?;
    let index = SearchIndex::build(Arc::new(knowledge))?;
    let sets: Vec<Vec<Question>> = SETS
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(root.join("tests/data").join(file)).with_context(|| file.to_string())?;
            let q: Questions = serde_yaml::from_str(&text).with_context(|| file.to_string())?;
            Ok(q.questions)
        })
        .collect::<anyhow::Result<_>>()?;
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--shipped") {
        shipped_figures(&index, &sets);
        return Ok(());
    }
    if args.iter().any(|a| a == "--variants") {
        variants(&index, &sets);
    }
    let shipped = examples(&index, &sets, Families::SHIPPED);
    let extra: Vec<Asked> = if WITH_ENTRIES {
        examples(&index, &[entry_questions(&index)], Families::SHIPPED)
            .pop()
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    println!(
        "shipped families {:?}, {:?}, entries' titles and keywords: {WITH_ENTRIES}",
        Families::SHIPPED,
        Settings::SHIPPED
    );
    let (_, _, temperature) = cross_validate(&shipped, &extra, Settings::SHIPPED, true);
    if args.iter().any(|a| a == "--check") || args.iter().any(|a| a == "--variants") {
        return Ok(());
    }
    let all: Vec<Example> = shipped
        .iter()
        .skip(KEPT_OUT)
        .flatten()
        .chain(&extra)
        .map(copy)
        .collect();
    let mut weights = rerank::train(&all, Settings::SHIPPED);
    rerank::set_temperature(&mut weights, temperature);
    let path = root.join("src/search/rerank.bin");
    std::fs::write(&path, rerank::to_bytes(&weights))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Feature families and training settings compared under the same cross-validation.
fn variants(index: &SearchIndex, sets: &[Vec<Question>]) {
    let all = Families::SHIPPED;
    let families = [
        ("shipped", all),
        (
            "shipped + bigrams×id",
            Families {
                bigrams_id: true,
                ..all
            },
        ),
        ("shipped + groups×id", Families { groups_id: true, ..all }),
        (
            "shipped + bigrams×id + groups×id",
            Families {
                bigrams_id: true,
                groups_id: true,
                ..all
            },
        ),
    ];
    let entries = entry_questions(index);
    for (name, f) in families {
        let ex = examples(index, sets, f);
        let extra = examples(index, std::slice::from_ref(&entries), f)
            .pop()
            .unwrap_or_default();
        for with_entries in [false] {
            let extra: &[Asked] = if with_entries { &extra } else { &[] };
            for epochs in [5, 10, 20] {
                for rate in [0.1, 0.2, 0.4] {
                    for l2 in [1e-5, 1e-4] {
                        let s = Settings { epochs, rate, l2 };
                        let (g1, g3, _) = cross_validate(&ex, extra, s, false);
                        println!(
                            "{name:<30} entries {with_entries:<5} epochs {epochs:>2} rate {rate:<4} l2 {l2:<7} gain @1 {g1:+.4} @3 {g3:+.4}"
                        );
                    }
                }
            }
        }
    }
}

/// The shipped search (with the committed weights) on the training sets: recall (in-sample once the weights are
/// trained on them: a check that search uses the model as trained, not a measure of generalisation) and how long
/// a question takes.
fn shipped_figures(index: &SearchIndex, sets: &[Vec<Question>]) {
    let mut times: Vec<std::time::Duration> = Vec::new();
    for (file, set) in SETS.iter().zip(sets) {
        let (mut at1, mut at3, mut clear) = (0, 0, 0);
        for q in set {
            let start = std::time::Instant::now();
            let answer = index.search(&q.q, q.lang, 4);
            times.push(start.elapsed());
            let ok = |id: &str| id == q.expect || q.also.iter().any(|a| a == id);
            at1 += usize::from(answer.hits.first().is_some_and(|h| ok(&h.entry.id)));
            at3 += usize::from(answer.hits.iter().take(3).any(|h| ok(&h.entry.id)));
            clear += usize::from(answer.hits.len() < 2 || answer.hits[1].score < 0.85 * answer.hits[0].score);
        }
        let n = set.len() as f64;
        println!(
            "{file:<26} @1 {:.3} @3 {:.3} clear {:.3}",
            at1 as f64 / n,
            at3 as f64 / n,
            clear as f64 / n
        );
    }
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "per question: median {:?}, p99 {:?}, max {:?}",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
