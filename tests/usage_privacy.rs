//! Privacy at the store level: names, phone numbers, message text and chat ids passed where a topic or a
//! language goes never reach the database files (main file, `-journal`, `-wal`, `-shm`), nor the log.
//! The raw bytes of every file in the database's directory are scanned, during the session and after it.

mod usage_common;

use std::path::Path;
use std::time::Duration;

use sqlx::{Connection, Row, SqliteConnection};
use udha::knowledge::Lang;
use udha::usage::{self, EventKind, Recorder, Store};
use usage_common::*;

/// What a person might type or be called; none of it may be stored.
const FREE_TEXT: [&str; 6] = [
    "Arjana Hoxha 0691234567",
    "my ex posted my photos on instagram",
    "chat 987654321",
    "@arjana_hoxha",
    "arjana.hoxha@example.com",
    "Rruga e Elbasanit 12, Tiranë",
];
/// Looked for, case-insensitively, in the raw bytes.
const NEEDLES: [&str; 8] = [
    "arjana",
    "hoxha",
    "0691234567",
    "987654321",
    "photos",
    "instagram",
    "elbasanit",
    "example.com",
];
/// A real id, which must be there (proves the scan sees the data).
const MARKER: &str = "law-privacy-scan-marker";

fn record_session(rec: &Recorder, rounds: usize) {
    for _ in 0..rounds {
        for text in FREE_TEXT {
            rec.record(EventKind::Question, Some(text), Some(Lang::Sq));
            rec.record(EventKind::Answer, Some(text), Lang::from_code(text));
            rec.record(
                EventKind::FlowStep,
                Some(&format!("flow-report/{text}")),
                Some(Lang::En),
            );
            rec.record(EventKind::DeepLink, Some(&text.to_lowercase()), Some(Lang::En));
        }
        rec.record(EventKind::Answer, Some(MARKER), Some(Lang::Sq));
        rec.record(EventKind::NoResult, None, Some(Lang::En));
    }
}

/// Every file in `dir` (the database and whatever SQLite put beside it), with its bytes lowercased.
fn files_lowercase(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let bytes = std::fs::read(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), bytes.to_ascii_lowercase()))
        })
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.to_ascii_lowercase().into_bytes();
    hay.windows(n.len()).any(|w| w == n.as_slice())
}

/// Asserts no needle is in any file; returns the names of the files scanned.
fn assert_clean(dir: &Path) -> Vec<String> {
    let files = files_lowercase(dir);
    for (name, bytes) in &files {
        for needle in NEEDLES {
            assert!(!contains(bytes, needle), "{needle:?} found in {name}");
        }
    }
    files.into_iter().map(|(n, _)| n).collect()
}

fn marker_present(dir: &Path) -> bool {
    files_lowercase(dir).iter().any(|(_, b)| contains(b, MARKER))
}

async fn stored_topics_and_langs(url: &str) -> Vec<(String, String)> {
    let store = Store::open(url).await.unwrap();
    let rows = store.rows(None, None).await.unwrap();
    store.close().await;
    rows.into_iter().map(|r| (r.topic, r.lang)).collect()
}

fn assert_only_ids(stored: &[(String, String)]) {
    for (topic, lang) in stored {
        assert!(
            topic.is_empty() || usage::valid_topic(topic).is_some(),
            "stored topic {topic:?}"
        );
        assert!(["", "sq", "en"].contains(&lang.as_str()), "stored lang {lang:?}");
        for needle in NEEDLES {
            assert!(!topic.to_lowercase().contains(needle), "{needle:?} stored in {topic:?}");
        }
    }
    assert!(stored.iter().any(|(t, _)| t == MARKER));
}

/// Default SQLite (rollback journal), flushing while the session goes on; files scanned during and after.
#[tokio::test]
async fn sqlite_files_hold_no_free_text() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("usage.sqlite3"));
    let (rec, flusher) = usage::start(&url, Duration::from_millis(5)).await.unwrap();
    for _ in 0..20 {
        record_session(&rec, 5);
        tokio::time::sleep(Duration::from_millis(3)).await;
        assert_clean(dir.path());
    }
    flusher.shutdown().await.unwrap();
    let scanned = assert_clean(dir.path());
    assert!(scanned.iter().any(|n| n == "usage.sqlite3"), "{scanned:?}");
    assert!(marker_present(dir.path()), "the scan sees stored ids");
    assert_only_ids(&stored_topics_and_langs(&url).await);
    // The log (including sqlx's statement log at DEBUG) holds none of it either.
    let log = logs.text().to_lowercase();
    for needle in NEEDLES {
        assert!(!log.contains(needle), "{needle:?} logged");
    }
}

/// A database that was put in WAL mode (by an operator, or a future version): `-wal` and `-shm` scanned
/// while the store is open, and everything after shutdown.
#[tokio::test]
async fn sqlite_wal_files_hold_no_free_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.sqlite3");
    let url = sqlite_url(&path);
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let mode: String = sqlx::query("PRAGMA journal_mode=WAL")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
    conn.close().await.unwrap();

    let (rec, flusher) = usage::start(&url, Duration::from_millis(5)).await.unwrap();
    for _ in 0..10 {
        record_session(&rec, 5);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_clean(dir.path());
    }
    assert!(wait_until(Duration::from_secs(10), || async { rec.pending() == 0 }).await);
    let scanned = assert_clean(dir.path());
    assert!(
        scanned.iter().any(|n| n.ends_with("-wal")),
        "WAL file scanned: {scanned:?}"
    );
    assert!(marker_present(dir.path()));
    flusher.shutdown().await.unwrap();
    assert_clean(dir.path());
    assert_only_ids(&stored_topics_and_langs(&url).await);
}

/// Ids that look like ids but are not in the knowledge (a name typed as `arjana-hoxha`) are refused once the
/// recorder knows the real ids.
#[tokio::test]
async fn known_topics_refuse_id_shaped_names() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("usage.sqlite3"));
    let (rec, flusher) = usage::start(&url, Duration::from_secs(3600)).await.unwrap();
    rec.set_known_topics([MARKER, "flow-report", "flow-report/ask-platform"]);
    rec.record(EventKind::DeepLink, Some("arjana-hoxha-0691234567"), Some(Lang::Sq));
    rec.record(EventKind::FlowStep, Some("flow-report/arjana"), Some(Lang::Sq));
    rec.record(EventKind::FlowStep, Some("flow-report/ask-platform"), Some(Lang::Sq));
    rec.record(EventKind::Answer, Some(MARKER), Some(Lang::Sq));
    flusher.shutdown().await.unwrap();
    assert_clean(dir.path());
    let stored = stored_topics_and_langs(&url).await;
    assert_only_ids(&stored);
    let topics: std::collections::BTreeSet<_> = stored.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(topics, ["", "flow-report/ask-platform", MARKER].into());
}

/// PostgreSQL: the files are the server's, so check what it holds: every stored value.
#[tokio::test]
async fn postgres_holds_no_free_text() {
    let Some(base) = pg_base_url("postgres_holds_no_free_text") else {
        return;
    };
    let db = PgTestDb::create(&base).await;
    let (rec, flusher) = usage::start(&db.url, Duration::from_millis(5)).await.unwrap();
    record_session(&rec, 20);
    flusher.shutdown().await.unwrap();
    let stored = stored_topics_and_langs(&db.url).await;
    assert_only_ids(&stored);
    let store = Store::open(&db.url).await.unwrap();
    let row = sqlx::query(
        "SELECT CAST(string_agg(day || kind || topic || lang, ' ') AS TEXT) AS everything FROM usage_counts",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let everything: String = row.get("everything");
    for needle in NEEDLES {
        assert!(!everything.to_lowercase().contains(needle), "{needle:?} in PostgreSQL");
    }
    store.close().await;
    db.drop_db().await;
}
