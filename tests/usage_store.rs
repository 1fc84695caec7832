//! The counts store on real SQLite files and real PostgreSQL: migrations, persistence, shutdown flush, schema.
//! PostgreSQL tests need UDHA_TEST_POSTGRES_URL (see usage_common); without it they print SKIPPED and pass.

mod usage_common;

use std::collections::BTreeSet;
use std::time::Duration;

use sqlx::Row;
use udha::knowledge::Lang;
use udha::usage::{self, EventKind, Store};
use usage_common::*;

const HOUR: Duration = Duration::from_secs(3600);

async fn applied_migrations(store: &Store) -> i64 {
    let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM _sqlx_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    row.try_get("n").unwrap()
}

async fn migrations_twice(url: &str) {
    let first = Store::open(url).await.expect("migrations on an empty database");
    assert_eq!(first.total(None).await.unwrap(), 0);
    let n = applied_migrations(&first).await;
    assert!(n >= 1);
    first.close().await;
    let second = Store::open(url).await.expect("migrations a second time");
    assert_eq!(applied_migrations(&second).await, n, "nothing re-applied");
    second.close().await;
}

#[tokio::test]
async fn sqlite_migrations_apply_to_empty_db_and_twice() {
    let dir = tempfile::tempdir().unwrap();
    migrations_twice(&sqlite_url(&dir.path().join("usage.sqlite3"))).await;
}

/// `sqlite::memory:` (one connection) works, and `Recorder::flush_to` writes into any open store.
#[tokio::test]
async fn sqlite_in_memory_and_flush_to() {
    let store = Store::open("sqlite::memory:").await.unwrap();
    let (rec, flusher) = usage::start_lazy("sqlite::memory:", HOUR).unwrap();
    rec.record(EventKind::Start, None, Some(Lang::Sq));
    rec.record(EventKind::Start, None, Some(Lang::Sq));
    assert_eq!(rec.flush_to(&store).await.unwrap(), 2);
    assert_eq!(rec.pending(), 0);
    assert_eq!(store.total(Some(EventKind::Start)).await.unwrap(), 2);
    flusher.shutdown().await.unwrap();
    usage::Recorder::disabled().record(EventKind::Start, None, Some(Lang::Sq));
    store.close().await;
}

#[tokio::test]
async fn postgres_migrations_apply_to_empty_db_twice_and_concurrently() {
    let Some(base) = pg_base_url("postgres_migrations_apply_to_empty_db_twice_and_concurrently") else {
        return;
    };
    let db = PgTestDb::create(&base).await;
    migrations_twice(&db.url).await;
    db.drop_db().await;

    // Replicas starting together on a fresh database: the advisory lock serialises them.
    let db = PgTestDb::create(&base).await;
    let (a, b, c) = tokio::join!(Store::open(&db.url), Store::open(&db.url), Store::open(&db.url));
    for s in [a.unwrap(), b.unwrap(), c.unwrap()] {
        assert_eq!(s.total(None).await.unwrap(), 0);
        s.close().await;
    }
    db.drop_db().await;
}

#[tokio::test]
async fn unsupported_url_is_refused() {
    let err = usage::start("mysql://localhost/x", HOUR).await.unwrap_err();
    assert!(err.to_string().contains("sqlite: or postgres://"), "{err}");
    assert!(usage::start_lazy("file.db", HOUR).is_err());
}

#[tokio::test]
async fn sqlite_counts_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("usage.sqlite3"));

    let (rec, flusher) = usage::start(&url, HOUR).await.unwrap();
    for _ in 0..7 {
        rec.record(EventKind::Answer, Some("law-criminal-code"), Some(Lang::Sq));
    }
    rec.record(EventKind::Question, None, Some(Lang::En));
    flusher.shutdown().await.unwrap();

    let (rec, flusher) = usage::start(&url, HOUR).await.unwrap();
    for _ in 0..3 {
        rec.record(EventKind::Answer, Some("law-criminal-code"), Some(Lang::Sq));
    }
    flusher.shutdown().await.unwrap();

    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.total(Some(EventKind::Answer)).await.unwrap(), 10);
    assert_eq!(store.total(Some(EventKind::Question)).await.unwrap(), 1);
    let rows = store.rows(None, None).await.unwrap();
    let answer = rows.iter().find(|r| r.kind == "answer").unwrap();
    assert_eq!(
        (answer.topic.as_str(), answer.lang.as_str(), answer.count),
        ("law-criminal-code", "sq", 10)
    );
    assert_eq!(answer.day, chrono::Utc::now().date_naive());
    store.close().await;
}

/// The lead's SIGTERM test goes end to end; here: everything recorded before `shutdown` is written by it,
/// even with a flush interval that never fires, and periodic flushes write without shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_flushes_everything_recorded_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("usage.sqlite3"));
    let (rec, flusher) = usage::start(&url, HOUR).await.unwrap();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let rec = rec.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..2_500 {
                let topic = format!("safety-topic-{}", (t * 7 + i) % 13);
                rec.record(
                    EventKind::Answer,
                    Some(&topic),
                    Some(if i % 2 == 0 { Lang::Sq } else { Lang::En }),
                );
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(rec.pending(), 10_000);
    flusher.shutdown().await.unwrap();
    assert_eq!(rec.pending(), 0);
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.total(Some(EventKind::Answer)).await.unwrap(), 10_000);
    store.close().await;

    // Periodic flushing, no shutdown needed for the counts to arrive.
    let (rec, flusher) = usage::start(&url, Duration::from_millis(50)).await.unwrap();
    rec.record(EventKind::Start, None, Some(Lang::Sq));
    let store = Store::open(&url).await.unwrap();
    let arrived = wait_until(Duration::from_secs(10), || {
        let store = store.clone();
        async move { store.total(Some(EventKind::Start)).await.unwrap() == 1 }
    })
    .await;
    assert!(arrived, "periodic flush wrote the count");
    flusher.shutdown().await.unwrap();
    store.close().await;
}

async fn columns(store: &Store, sqlite: bool) -> (BTreeSet<String>, BTreeSet<String>) {
    let (tables_sql, cols_sql): (&'static str, &'static str) = if sqlite {
        (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT name FROM pragma_table_info('usage_counts')",
        )
    } else {
        (
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = 'public'",
            "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = 'usage_counts'",
        )
    };
    let names = |rows: Vec<sqlx::any::AnyRow>| {
        rows.iter()
            .map(|r| r.try_get::<String, _>("name").unwrap())
            .collect::<BTreeSet<_>>()
    };
    let tables = names(sqlx::query(tables_sql).fetch_all(store.pool()).await.unwrap());
    let cols = names(sqlx::query(cols_sql).fetch_all(store.pool()).await.unwrap());
    (tables, cols)
}

/// The schema has no column that could hold an identifier, text or a timestamp, and the CHECKs refuse
/// values of the wrong shape even from code that bypassed the Recorder.
async fn schema_is_anonymous(store: &Store, sqlite: bool) {
    let (tables, cols) = columns(store, sqlite).await;
    let expected_tables: BTreeSet<String> = ["_sqlx_migrations", "usage_counts"].map(String::from).into();
    assert_eq!(tables, expected_tables);
    let expected_cols: BTreeSet<String> = ["count", "day", "kind", "lang", "topic"].map(String::from).into();
    assert_eq!(
        cols, expected_cols,
        "no chat/user id, name, text, query or timestamp column"
    );

    let bad: [(&str, &str, &str, &str); 4] = [
        ("2026-11-03T10:15:00Z", "question", "", ""),     // a timestamp, not a day
        ("2026-11-03", "question", "", "Arjana"),         // a name as language
        ("2026-11-03", "question", &"x".repeat(200), ""), // long free text as topic
        ("2026-11-03", &"k".repeat(40), "", ""),          // free text as kind
    ];
    for (day, kind, topic, lang) in bad {
        let r = sqlx::query("INSERT INTO usage_counts (day, kind, topic, lang, count) VALUES ($1, $2, $3, $4, 1)")
            .bind(day)
            .bind(kind)
            .bind(topic)
            .bind(lang)
            .execute(store.pool())
            .await;
        assert!(r.is_err(), "CHECK refused {day:?} {kind:?} {lang:?}");
    }
    assert_eq!(store.total(None).await.unwrap(), 0);
}

#[tokio::test]
async fn sqlite_schema_has_no_identifying_column() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&sqlite_url(&dir.path().join("usage.sqlite3")))
        .await
        .unwrap();
    schema_is_anonymous(&store, true).await;
    store.close().await;
}

#[tokio::test]
async fn postgres_schema_has_no_identifying_column() {
    let Some(base) = pg_base_url("postgres_schema_has_no_identifying_column") else {
        return;
    };
    let db = PgTestDb::create(&base).await;
    let store = Store::open(&db.url).await.unwrap();
    schema_is_anonymous(&store, false).await;
    store.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn postgres_counts_survive_reopening_and_days_are_kept_apart() {
    let Some(base) = pg_base_url("postgres_counts_survive_reopening_and_days_are_kept_apart") else {
        return;
    };
    let db = PgTestDb::create(&base).await;
    let d1 = chrono::NaiveDate::from_ymd_opt(2026, 10, 30).unwrap();
    let d2 = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    for round in 0..2 {
        let (rec, flusher) = usage::start(&db.url, HOUR).await.unwrap();
        for _ in 0..(3 + round) {
            rec.record_on_day(
                d1,
                EventKind::FlowStep,
                Some("flow-report/ask-platform"),
                Some(Lang::Sq),
            );
        }
        rec.record_on_day(
            d2,
            EventKind::FlowStep,
            Some("flow-report/ask-platform"),
            Some(Lang::Sq),
        );
        flusher.shutdown().await.unwrap();
    }
    let store = Store::open(&db.url).await.unwrap();
    let rows = store.rows(None, None).await.unwrap();
    let got: Vec<_> = rows.iter().map(|r| (r.day, r.count)).collect();
    assert_eq!(got, vec![(d1, 7), (d2, 2)]);
    let only_d2 = store.rows(Some(d2), Some(d2)).await.unwrap();
    assert_eq!(only_d2.len(), 1);
    assert_eq!(store.total(Some(EventKind::FlowStep)).await.unwrap(), 9);
    store.close().await;
    db.drop_db().await;
}
