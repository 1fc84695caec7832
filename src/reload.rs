//! Knowledge reloading while the bot runs: maintainers edit YAML, the bot picks it up. A broken edit is reported
//! (file:line in the log) and the last good knowledge stays in service.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;

use crate::knowledge::{Knowledge, LoadError, load};
use crate::search::SearchIndex;
use crate::usage::Recorder;

/// What changes when a file is edited, added or removed: names, sizes and modification times.
pub fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let files = load::yaml_files(dir).unwrap_or_default();
    files
        .into_iter()
        .map(|p| {
            let meta = std::fs::metadata(&p).ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (p, size, modified)
        })
        .collect()
}

/// Loads the knowledge again and swaps it in if it is valid. Returns whether it was swapped.
pub fn reload(dir: &Path, current: &ArcSwap<SearchIndex>, recorder: &Recorder) -> bool {
    match Knowledge::load(dir) {
        Ok(knowledge) => match SearchIndex::build(Arc::new(knowledge)) {
            Ok(index) => {
                recorder.set_known_topics(crate::app::known_topics(index.knowledge()));
                let entries = index.knowledge().len();
                current.store(Arc::new(index));
                tracing::info!(entries, "knowledge reloaded");
                true
            }
            Err(e) => {
                tracing::error!(
                    "knowledge changed but the index could not be built: {e}; keeping the last good knowledge"
                );
                false
            }
        },
        Err(LoadError::Invalid { report }) => {
            for d in report.errors() {
                tracing::error!("{d}");
            }
            tracing::error!(
                errors = report.error_count(),
                "knowledge changed but has errors; keeping the last good knowledge"
            );
            false
        }
        Err(e) => {
            tracing::error!("{e}; keeping the last good knowledge");
            false
        }
    }
}

/// Checks the folder every `every` and reloads when something changed.
pub async fn watch(dir: PathBuf, current: Arc<ArcSwap<SearchIndex>>, recorder: Recorder, every: Duration) {
    let mut last = fingerprint(&dir);
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let now = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || fingerprint(&dir)
        })
        .await
        .unwrap_or_default();
        if now != last {
            last = now;
            let (dir, current, recorder) = (dir.clone(), current.clone(), recorder.clone());
            let _ = tokio::task::spawn_blocking(move || reload(&dir, &current, &recorder)).await;
        }
    }
}
