//! Helpers shared by the integration tests: the shipped knowledge, loaded once per test binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use udha::knowledge::Knowledge;
use udha::search::SearchIndex;

pub fn knowledge_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(name)
}

/// The shipped knowledge's index, built once.
pub fn shipped_index() -> Arc<SearchIndex> {
    static INDEX: OnceLock<Arc<SearchIndex>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let knowledge =
                Knowledge::load(&knowledge_dir(), udha::app::knowledge_fit()).expect("the shipped knowledge loads");
            Arc::new(SearchIndex::build(Arc::new(knowledge)).expect("the index builds"))
        })
        .clone()
}
