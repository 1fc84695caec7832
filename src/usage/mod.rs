//! Anonymous usage counts.
//!
//! What is counted: per UTC day, per event kind, per topic id (a knowledge entry id or `flow-id/step-id`) and per
//! language ("sq", "en" or none), a number. Nothing else: no chat or user id, no name, no message text, no query,
//! no message id, no time finer than a day, nothing derived from any of them. The schema (see `migrations/`) has
//! no column that could hold them, and [`Recorder::record`] drops any topic that is not shaped like an id.
//!
//! Counting never slows an answer: [`Recorder::record`] adds one to an in-memory map under a short lock and
//! returns; the [`Flusher`] task started by [`start`] writes the map in one transaction every few seconds and on
//! [`Flusher::shutdown`]. When the database is unreachable the counts stay in memory (and keep growing) and the
//! next tick tries again; the log says how many are pending, as numbers only.
//!
//! Storage: SQLite by default ([`DEFAULT_DATABASE_URL`], a file in the working directory), PostgreSQL with a
//! `postgres://` URL when several replicas must add into the same counts. Both go through sqlx's Any driver with
//! one folder of dialect-neutral migrations.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use arc_swap::ArcSwapOption;
use chrono::NaiveDate;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::knowledge::{self, Lang};

mod chart;
mod groups;
pub mod report;
pub mod store;

pub use store::{CountKey, CountRow, Store};

/// An SQLite file in the working directory, created on first use.
pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite:udha-usage.sqlite3";

/// How many distinct (day, kind, topic, lang) keys may wait in memory while the database is unreachable.
/// Topics are validated ids, so real traffic stays far below this; past it, new keys are dropped (and counted
/// in the log) rather than letting memory grow without bound during a long outage.
pub(crate) const MAX_PENDING_KEYS: usize = 100_000;

/// Errors of the counts store.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("usage database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("usage database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("usage database URL must start with sqlite: or postgres:// (got scheme {0:?})")]
    UnsupportedUrl(String),
    #[error("{pending} usage counts could not be written and are lost: {source}")]
    Pending {
        pending: i64,
        #[source]
        source: Box<UsageError>,
    },
    #[error("cannot create the usage database's folder {0}: {1}")]
    Folder(String, #[source] std::io::Error),
    #[error("usage flusher task failed: {0}")]
    Task(String),
}

/// What happened. Counted per day, topic and language; never who or what exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// `/start` (without a deep link).
    Start,
    /// A free-text question was asked (the text itself is never counted).
    Question,
    /// An entry was shown as an answer (topic: the entry id).
    Answer,
    /// A question found nothing.
    NoResult,
    /// The emergency message was shown.
    Emergency,
    /// A guided flow was started (topic: the flow id).
    FlowStart,
    /// A flow step was shown (topic: `flow-id/step-id`).
    FlowStep,
    /// A flow reached an end step (topic: the flow id).
    FlowEnd,
    /// A deep link (`/start entry-id`, QR code) opened an entry (topic: the entry id).
    DeepLink,
    /// An entry's card was sent into another chat from inline mode (topic: the entry id; never the query).
    Inline,
    /// The user cleared the chat.
    ClearChat,
    /// The user switched language.
    LangSwitch,
    /// Something went wrong while answering.
    Error,
}

impl EventKind {
    /// Every kind, in report order.
    pub const ALL: [EventKind; 13] = [
        EventKind::Start,
        EventKind::Question,
        EventKind::Answer,
        EventKind::NoResult,
        EventKind::Emergency,
        EventKind::FlowStart,
        EventKind::FlowStep,
        EventKind::FlowEnd,
        EventKind::DeepLink,
        EventKind::Inline,
        EventKind::ClearChat,
        EventKind::LangSwitch,
        EventKind::Error,
    ];

    /// The name stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Start => "start",
            EventKind::Question => "question",
            EventKind::Answer => "answer",
            EventKind::NoResult => "no_result",
            EventKind::Emergency => "emergency",
            EventKind::FlowStart => "flow_start",
            EventKind::FlowStep => "flow_step",
            EventKind::FlowEnd => "flow_end",
            EventKind::DeepLink => "deep_link",
            EventKind::Inline => "inline",
            EventKind::ClearChat => "clear_chat",
            EventKind::LangSwitch => "lang_switch",
            EventKind::Error => "error",
        }
    }

    /// The kind stored as `s`, if any.
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest flow step id a count stores.
const MAX_STEP_TOPIC_CHARS: usize = 32;

/// `topic` if it is shaped like an id (see [`knowledge::is_id`]): `^[a-z0-9-]{1,64}(/[a-z0-9-]{1,32})?$`.
/// Anything else (free text, names, phone numbers with spaces, capital letters, too long) is refused, so it can
/// never reach the database.
pub fn valid_topic(topic: &str) -> Option<&str> {
    let ok = match topic.split_once('/') {
        None => knowledge::is_id(topic),
        Some((entry, step)) => knowledge::is_id(entry) && knowledge::is_id(step) && step.len() <= MAX_STEP_TOPIC_CHARS,
    };
    ok.then_some(topic)
}

#[derive(Default)]
struct Pending {
    counts: BTreeMap<CountKey, i64>,
    /// Events dropped because [`MAX_PENDING_KEYS`] was reached (reported in the log, then reset).
    dropped: u64,
    /// Events taken by a flush that has not finished yet (still pending until it commits).
    in_flight: i64,
}

impl Pending {
    fn add(&mut self, key: CountKey, n: i64) {
        if let Some(c) = self.counts.get_mut(&key) {
            *c += n;
        } else if self.counts.len() < MAX_PENDING_KEYS {
            self.counts.insert(key, n);
        } else {
            self.dropped += n.max(0) as u64;
        }
    }

    fn total(&self) -> i64 {
        self.counts.values().sum()
    }
}

struct Shared {
    pending: Mutex<Pending>,
    /// When set, only these topics are stored (see [`Recorder::set_known_topics`]).
    known_topics: ArcSwapOption<HashSet<String>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // A panic while holding this lock cannot leave the map half-updated in a harmful way: keep counting.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Counts events in memory. Cheap to clone (one `Arc`); [`Recorder::record`] never awaits or does I/O.
#[derive(Clone)]
pub struct Recorder {
    shared: Option<Arc<Shared>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("enabled", &self.shared.is_some())
            .field("pending", &self.pending())
            .finish()
    }
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            shared: Some(Arc::new(Shared {
                pending: Mutex::new(Pending::default()),
                known_topics: ArcSwapOption::empty(),
            })),
        }
    }

    /// A recorder that records nothing (for tools and tests that don't count).
    pub fn disabled() -> Recorder {
        Recorder { shared: None }
    }

    /// Count one event today (UTC). `topic`: an entry id, `flow-id/step-id`, or `None`; anything not shaped like
    /// an id is stored as no topic. `lang`: the conversation's language, `None` when unknown.
    pub fn record(&self, kind: EventKind, topic: Option<&str>, lang: Option<Lang>) {
        if self.shared.is_some() {
            self.record_on_day(chrono::Utc::now().date_naive(), kind, topic, lang);
        }
    }

    /// Count one event on the given day. For back-filling and tests; the bot uses [`Recorder::record`].
    pub fn record_on_day(&self, day: NaiveDate, kind: EventKind, topic: Option<&str>, lang: Option<Lang>) {
        let Some(shared) = &self.shared else { return };
        let mut topic = topic.and_then(valid_topic).unwrap_or("");
        if !topic.is_empty()
            && let Some(known) = &*shared.known_topics.load()
            && !known.contains(topic)
        {
            topic = "";
        }
        let key = CountKey {
            day: day.format("%Y-%m-%d").to_string(),
            kind,
            topic: topic.to_owned(),
            lang,
        };
        shared.lock().add(key, 1);
    }

    /// Optional stricter filter: from now on store only topics in `ids` (entry ids, flow ids and
    /// `flow-id/step-id`); any other topic is stored as none. Call again after a knowledge reload.
    /// Without it, every id-shaped topic is stored.
    pub fn set_known_topics<I, S>(&self, ids: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if let Some(shared) = &self.shared {
            let set: HashSet<String> = ids.into_iter().map(Into::into).collect();
            shared.known_topics.store(Some(Arc::new(set)));
        }
    }

    /// How many events are counted and not yet written (in memory, or in a flush that has not committed).
    pub fn pending(&self) -> i64 {
        self.shared.as_ref().map_or(0, |s| {
            let p = s.lock();
            p.total() + p.in_flight
        })
    }

    /// Take everything pending for a flush; it stays counted as pending (in flight) until [`Recorder::settle`].
    fn take(&self) -> Pending {
        let Some(shared) = &self.shared else {
            return Pending::default();
        };
        let mut p = shared.lock();
        let taken = Pending {
            counts: std::mem::take(&mut p.counts),
            dropped: std::mem::take(&mut p.dropped),
            in_flight: 0,
        };
        p.in_flight += taken.total();
        taken
    }

    /// Ends a flush of `taken`: written (`ok`), or given back, adding to whatever was recorded meanwhile.
    fn settle(&self, taken: BTreeMap<CountKey, i64>, ok: bool) {
        if let Some(shared) = &self.shared {
            let mut p = shared.lock();
            p.in_flight -= taken.values().sum::<i64>();
            if !ok {
                for (k, n) in taken {
                    p.add(k, n);
                }
            }
        }
    }

    /// Write everything pending to `store` in one transaction. On failure the counts stay pending.
    pub async fn flush_to(&self, store: &Store) -> Result<i64, UsageError> {
        let taken = self.take();
        if taken.dropped > 0 {
            tracing::warn!(
                dropped = taken.dropped,
                max_keys = MAX_PENDING_KEYS,
                "usage counts dropped: too many distinct keys pending"
            );
        }
        if taken.counts.is_empty() {
            return Ok(0);
        }
        let total = taken.total();
        // If this future is dropped mid-write, the guard gives the counts back (they may then be written twice,
        // which is better than losing them; the flusher task itself always runs its writes to the end).
        let mut guard = InFlight {
            rec: self,
            counts: Some(taken.counts),
        };
        let result = store.add(guard.counts.as_ref().expect("set above")).await;
        let counts = guard.counts.take().expect("set above");
        self.settle(counts, result.is_ok());
        result.map(|()| total)
    }
}

/// Counts taken by a flush that has not settled; given back on drop.
struct InFlight<'a> {
    rec: &'a Recorder,
    counts: Option<BTreeMap<CountKey, i64>>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(counts) = self.counts.take() {
            self.rec.settle(counts, false);
        }
    }
}

/// Owns the background task that writes counts. Call [`Flusher::shutdown`] before exit (dropping it instead
/// also ends the task with a last flush, but nobody waits for it). Events recorded after shutdown stay in memory.
pub struct Flusher {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), UsageError>>>,
}

impl std::fmt::Debug for Flusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flusher").finish_non_exhaustive()
    }
}

impl Flusher {
    /// Stops the periodic flushing and writes everything recorded before this call (one last try; if the
    /// database is unreachable, logs how many counts are lost and returns [`UsageError::Pending`]).
    pub async fn shutdown(mut self) -> Result<(), UsageError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(|e| UsageError::Task(e.to_string()))?,
            None => Ok(()),
        }
    }
}

/// Opens the store at `database_url` ("sqlite:..." or "postgres://..."), runs the migrations, and starts the
/// task that flushes every `flush_every`. Fails if the database cannot be opened now (a wrong URL shows at
/// start-up); once started, outages are survived by keeping counts in memory. See [`start_lazy`] for a start
/// that does not need the database to be up.
pub async fn start(database_url: &str, flush_every: Duration) -> Result<(Recorder, Flusher), UsageError> {
    let store = Store::open(database_url).await?;
    Ok(spawn(
        Recorder::new(),
        StoreSlot::Open(store),
        database_url,
        flush_every,
    ))
}

/// Like [`start`], but never fails: if the database cannot be opened yet, counts are kept in memory and every
/// tick tries again to connect (and migrate). Only the URL scheme is checked now. Call inside a Tokio runtime.
pub fn start_lazy(database_url: &str, flush_every: Duration) -> Result<(Recorder, Flusher), UsageError> {
    store::check_url(database_url)?;
    Ok(spawn(Recorder::new(), StoreSlot::Closed, database_url, flush_every))
}

enum StoreSlot {
    Open(Store),
    Closed,
}

fn spawn(recorder: Recorder, mut slot: StoreSlot, database_url: &str, flush_every: Duration) -> (Recorder, Flusher) {
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let url = database_url.to_owned();
    let rec = recorder.clone();
    let flush_every = flush_every.max(Duration::from_millis(10));
    let task = tokio::spawn(async move {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + flush_every, flush_every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    let _ = flush_once(&rec, &mut slot, &url).await;
                }
                _ = &mut stop_rx => break,
            }
        }
        let result = flush_once(&rec, &mut slot, &url).await;
        if let StoreSlot::Open(store) = slot {
            store.close().await;
        }
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let pending = rec.pending();
                tracing::error!(pending, "usage counts not written at shutdown: {e}");
                Err(UsageError::Pending {
                    pending,
                    source: Box::new(e),
                })
            }
        }
    });
    (
        recorder,
        Flusher {
            stop: Some(stop_tx),
            task: Some(task),
        },
    )
}

/// One flush: open the store if needed, write, and on failure keep the counts and say how many wait.
async fn flush_once(rec: &Recorder, slot: &mut StoreSlot, url: &str) -> Result<i64, UsageError> {
    if rec.pending() == 0 {
        return Ok(0);
    }
    if let StoreSlot::Closed = slot {
        match Store::open(url).await {
            Ok(store) => {
                tracing::info!("usage database opened");
                *slot = StoreSlot::Open(store);
            }
            Err(e) => {
                let pending = rec.pending();
                tracing::warn!(
                    pending,
                    "usage database unreachable: {pending} counts wait in memory (at most {MAX_PENDING_KEYS} \
                     distinct keys) and are written when it is back: {e}"
                );
                return Err(e);
            }
        }
    }
    let StoreSlot::Open(store) = slot else {
        unreachable!("opened above")
    };
    match rec.flush_to(store).await {
        Ok(n) => {
            tracing::debug!(written = n, "usage counts flushed");
            Ok(n)
        }
        Err(e) => {
            let pending = rec.pending();
            tracing::warn!(
                pending,
                "usage counts not written: {pending} wait in memory, retrying: {e}"
            );
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_validation() {
        assert_eq!(valid_topic("law-criminal-code"), Some("law-criminal-code"));
        assert_eq!(valid_topic("flow-report/step-2"), Some("flow-report/step-2"));
        assert_eq!(valid_topic(""), None);
        assert_eq!(valid_topic("Arjana Hoxha 0691234567"), None);
        assert_eq!(valid_topic("law-x/"), None);
        assert_eq!(valid_topic("/step"), None);
        assert_eq!(valid_topic("a/b/c"), None);
        assert_eq!(valid_topic("Law-x"), None);
        assert_eq!(valid_topic("çështje"), None);
        assert_eq!(valid_topic(&"a".repeat(64)), Some(&*"a".repeat(64)));
        assert_eq!(valid_topic(&"a".repeat(65)), None);
        let step = format!("flow-x/{}", "s".repeat(33));
        assert_eq!(valid_topic(&step), None);
    }

    #[test]
    fn kinds_round_trip() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(EventKind::parse("nope"), None);
    }

    #[test]
    fn recorder_aggregates_and_filters() {
        let r = Recorder::new();
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        r.record_on_day(day, EventKind::Answer, Some("law-a"), Some(Lang::Sq));
        r.record_on_day(day, EventKind::Answer, Some("law-a"), Some(Lang::Sq));
        r.record_on_day(day, EventKind::Answer, Some("Free text"), Lang::from_code("xx"));
        r.set_known_topics(["law-b"]);
        r.record_on_day(day, EventKind::Answer, Some("law-a"), Some(Lang::En));
        let p = r.take();
        assert_eq!(p.total(), 4);
        let keys: Vec<_> = p
            .counts
            .iter()
            .map(|(k, n)| (k.topic.as_str(), store::stored_lang(k.lang), *n))
            .collect();
        assert_eq!(keys, vec![("", "", 1), ("", "en", 1), ("law-a", "sq", 2)]);
        assert_eq!(r.pending(), 4, "in flight is still pending");
        r.record_on_day(day, EventKind::Start, None, Some(Lang::Sq));
        r.settle(p.counts.clone(), false);
        assert_eq!(r.pending(), 5, "given back, added to the new one");
        let p = r.take();
        r.settle(p.counts, true);
        assert_eq!(r.pending(), 0);
        let d = Recorder::disabled();
        d.record(EventKind::Start, None, Some(Lang::Sq));
        assert_eq!(d.pending(), 0);
    }
}
