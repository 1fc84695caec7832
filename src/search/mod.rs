//! Search: text analysis for Albanian and English ([`analysis`]), the tantivy index ([`index`]), the query side
//! ([`query`]) with synonyms from the glossary ([`synonyms`]), language detection ([`lang`]) and the emergency
//! detector ([`emergency`]).

pub mod analysis;
pub mod cues;
pub mod emergency;
pub mod index;
pub mod lang;
pub mod linear;
pub mod query;
pub mod rerank;
mod spelling;
pub(crate) mod synonyms;
mod weights;

pub use index::{IndexError, SearchIndex};
pub use query::{Answer, Hit};
