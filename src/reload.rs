//! Knowledge reloading while the bot runs: maintainers edit YAML, the bot picks it up. A broken edit is reported
//! (file:line in the log) and the last good knowledge stays in service.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;

use crate::knowledge::{Fit, Knowledge, LoadError, load};
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

/// Loads the knowledge again (for front ends with `fit`) and swaps it in if it is valid. Returns whether it was
/// swapped.
pub fn reload(dir: &Path, fit: Fit, current: &ArcSwap<SearchIndex>, recorder: &Recorder) -> bool {
    let started = std::time::Instant::now();
    match Knowledge::load(dir, fit) {
        Ok(knowledge) => match SearchIndex::build(Arc::new(knowledge)) {
            Ok(index) => {
                recorder.set_known_topics(index.knowledge().topic_ids());
                let entries = index.knowledge().len();
                // The old index is dropped here, before the next build can start, unless a reply still holds it.
                drop(current.swap(Arc::new(index)));
                let elapsed_ms = started.elapsed().as_millis() as u64;
                tracing::info!(entries, elapsed_ms, "knowledge reloaded");
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

/// How the folder is watched for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The system's file notifications (inotify), falling back to polling every second if they are unavailable.
    Auto,
    /// Look at the files every second (network and some container mounts send no notifications).
    Poll,
    /// No watching: reload on SIGHUP and every `--reload-every` seconds only.
    Off,
}

/// Why the knowledge is looked at again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// A file under the folder changed (or the periodic check ran): reload if the files differ.
    Changed,
    /// SIGHUP: reload now, even if nothing seems to have changed.
    Signal,
}

/// Quiet time after the last file event before reloading: an editor's save, a `git pull`, are several events.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(200);

/// Starts watching `dir` (see [`WatchMode`]); events arrive on `tx`. Keep the returned watcher alive.
pub(crate) fn start_watcher(
    dir: &Path,
    mode: WatchMode,
    tx: tokio::sync::mpsc::Sender<Trigger>,
) -> Option<Box<dyn notify::Watcher + Send>> {
    use notify::Watcher;
    let handler = move |event: notify::Result<notify::Event>| {
        let relevant = match &event {
            Ok(e) => !matches!(e.kind, notify::EventKind::Access(_)),
            Err(_) => true,
        };
        if relevant {
            // A full channel already holds a trigger: nothing is lost.
            let _ = tx.try_send(Trigger::Changed);
        }
    };
    let poll = |handler| -> notify::Result<Box<dyn Watcher + Send>> {
        let config = notify::Config::default().with_poll_interval(Duration::from_secs(1));
        let mut w = notify::PollWatcher::new(handler, config)?;
        w.watch(dir, notify::RecursiveMode::Recursive)?;
        Ok(Box::new(w))
    };
    let watcher = match mode {
        WatchMode::Off => return None,
        WatchMode::Poll => poll(handler),
        WatchMode::Auto => {
            let native = notify::recommended_watcher(handler.clone()).and_then(|mut w| {
                w.watch(dir, notify::RecursiveMode::Recursive)?;
                Ok(Box::new(w) as Box<dyn Watcher + Send>)
            });
            native.or_else(|e| {
                tracing::warn!("file notifications unavailable ({e}); looking at the knowledge every second");
                poll(handler)
            })
        }
    };
    match watcher {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!("cannot watch the knowledge folder ({e}); reloading on SIGHUP and --reload-every only");
            None
        }
    }
}

/// Reloads on each trigger: file changes (debounced, only if the files differ), SIGHUP (always), and a look at
/// the files every `every` (`None`: never) as the fallback. Runs until `triggers` closes.
pub(crate) async fn run(
    dir: PathBuf,
    fit: Fit,
    current: Arc<ArcSwap<SearchIndex>>,
    recorder: Recorder,
    every: Option<Duration>,
    mut triggers: tokio::sync::mpsc::Receiver<Trigger>,
) {
    let mut last = fingerprint(&dir);
    let worker = Worker::start(dir.clone(), fit, current, recorder);
    let mut ticker = tokio::time::interval(every.unwrap_or(Duration::from_secs(3600)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        let mut trigger = tokio::select! {
            t = triggers.recv() => match t {
                Some(t) => t,
                None => return,
            },
            _ = ticker.tick(), if every.is_some() => Trigger::Changed,
        };
        // Debounce: wait for a quiet moment (at most 2 s), keeping the strongest trigger seen.
        let until = tokio::time::Instant::now() + Duration::from_secs(2);
        while tokio::time::Instant::now() < until
            && let Ok(Some(t)) = tokio::time::timeout(DEBOUNCE, triggers.recv()).await
        {
            if t == Trigger::Signal {
                trigger = t;
            }
        }
        let now = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || fingerprint(&dir)
        })
        .await
        .unwrap_or_default();
        if now == last && trigger == Trigger::Changed {
            continue;
        }
        if trigger == Trigger::Signal {
            tracing::info!("SIGHUP: reloading the knowledge");
        }
        last = now;
        worker.reload().await;
    }
}

/// One long-lived thread does every reload, so each index build reuses the memory the previous one freed (the
/// allocator keeps memory per thread; a fresh pool thread per reload left the last builds' memory stranded).
struct Worker {
    jobs: std::sync::mpsc::Sender<tokio::sync::oneshot::Sender<bool>>,
}

impl Worker {
    fn start(dir: PathBuf, fit: Fit, current: Arc<ArcSwap<SearchIndex>>, recorder: Recorder) -> Worker {
        let (jobs, queue) = std::sync::mpsc::channel::<tokio::sync::oneshot::Sender<bool>>();
        let spawned = std::thread::Builder::new().name("udha-reload".into()).spawn(move || {
            for done in queue {
                let _ = done.send(reload(&dir, fit, &current, &recorder));
            }
        });
        if let Err(e) = spawned {
            tracing::error!("cannot start the reload thread: {e}; knowledge will not be reloaded");
        }
        Worker { jobs }
    }

    /// Reloads on the worker thread and waits for it (false if it did not reload).
    async fn reload(&self) -> bool {
        let (done, result) = tokio::sync::oneshot::channel();
        if self.jobs.send(done).is_err() {
            return false;
        }
        result.await.unwrap_or(false)
    }
}
