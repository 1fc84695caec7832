//! tantivy's weight of a term in a field (its BM25 statistics: document frequency, average field length and the
//! table of length factors) is the same for every question, because the index never changes once built. Making it
//! anew for every clause of every question was about a sixth of a question's time on the shipped knowledge, so each
//! (field, term) pair gets its weight made once, the first time a question asks for it, and shared after that.
//!
//! A [`SharedTermQuery`] is a boosted term query over such a shared weight. Its scorers are tantivy's own term
//! scorers, so a question's clauses still combine in tantivy's block-WAND union.

use std::fmt;
use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, TermQuery, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, Searcher, SegmentReader, Term};

/// Most weights kept (each holds a 1 KiB table): enough for every term of the shipped knowledge in every field,
/// and a bound on memory for a large corpus. Past it, a weight is made for the question and dropped after.
const MAX_WEIGHTS: usize = 20_000;

/// The weights made so far, by field and term number (see [`super::index::TermInfo`]), from the statistics of one
/// searcher of the index.
pub(crate) struct Weights {
    searcher: Searcher,
    made: RwLock<FxHashMap<(Field, u32), Arc<dyn Weight>>>,
}

impl Weights {
    pub(crate) fn new(searcher: Searcher) -> Weights {
        Weights {
            searcher,
            made: RwLock::default(),
        }
    }

    /// A query for `term` (number `id`) in `field`, its score multiplied by `boost`. `None` only if tantivy cannot
    /// make a weight for it (a field that is not indexed), which the index's own schema rules out.
    pub(crate) fn query(&self, field: Field, term: &str, id: u32, boost: Score) -> Option<SharedTermQuery> {
        let key = (field, id);
        let known = self.made.read().ok().and_then(|made| made.get(&key).cloned());
        let weight = match known {
            Some(weight) => weight,
            None => {
                let query = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                let weight: Arc<dyn Weight> = Arc::from(
                    query
                        .weight(EnableScoring::enabled_from_searcher(&self.searcher))
                        .ok()?,
                );
                if let Ok(mut made) = self.made.write()
                    && made.len() < MAX_WEIGHTS
                {
                    made.insert(key, weight.clone());
                }
                weight
            }
        };
        Some(SharedTermQuery { weight, boost })
    }

    /// How many weights are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.made.read().map(|made| made.len()).unwrap_or(0)
    }
}

/// A term query whose weight was made once (see [`Weights`]), with a boost.
#[derive(Clone)]
pub(crate) struct SharedTermQuery {
    weight: Arc<dyn Weight>,
    boost: Score,
}

impl fmt::Debug for SharedTermQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedTermQuery(boost {})", self.boost)
    }
}

impl Query for SharedTermQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SharedWeight {
            weight: self.weight.clone(),
            boost: self.boost,
        }))
    }
}

struct SharedWeight {
    weight: Arc<dyn Weight>,
    boost: Score,
}

impl Weight for SharedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        // The term weight's own scorer, boosted, so that tantivy recognises it as a term scorer (block-WAND).
        self.weight.scorer(reader, boost * self.boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.weight.explain(reader, doc)?;
        let mut explanation = Explanation::new("boost", inner.value() * self.boost);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.weight.count(reader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, TantivyDocument};

    fn index() -> (Index, Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for body in ["a b c", "a a b", "c d", "a d d d", "b"] {
            let mut doc = TantivyDocument::default();
            doc.add_text(text, body);
            writer.add_document(doc).expect("added");
        }
        writer.commit().expect("committed");
        (index, text)
    }

    fn scores(searcher: &Searcher, query: &dyn Query) -> Vec<(u32, Score)> {
        let mut top: Vec<(u32, Score)> = searcher
            .search(query, &TopDocs::with_limit(10).order_by_score())
            .expect("searched")
            .into_iter()
            .map(|(score, addr)| (addr.doc_id, score))
            .collect();
        top.sort_by_key(|&(doc, _)| doc);
        top
    }

    #[test]
    fn shared_weights_score_exactly_like_tantivys_term_queries_and_are_made_once() {
        let (index, field) = index();
        let searcher = index.reader().expect("reader").searcher();
        let weights = Weights::new(searcher.clone());
        let terms = [("a", 0, 2.0), ("d", 1, 0.5), ("b", 2, 1.0)];
        let plain = BooleanQuery::new(
            terms
                .iter()
                .map(|&(term, _, boost)| {
                    let query = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(query), boost)) as Box<dyn Query>,
                    )
                })
                .collect(),
        );
        let expected = scores(&searcher, &plain);
        assert_eq!(expected.len(), 5);
        for _ in 0..2 {
            let shared = BooleanQuery::new(
                terms
                    .iter()
                    .map(|&(term, id, boost)| {
                        let query = weights.query(field, term, id, boost).expect("a weight");
                        (Occur::Should, Box::new(query) as Box<dyn Query>)
                    })
                    .collect(),
            );
            assert_eq!(scores(&searcher, &shared), expected);
            assert_eq!(weights.len(), 3);
        }
    }
}
