//! Two replicas writing into one PostgreSQL database, and databases that are down, then back.
//! Recording never waits on the database; counts kept in memory arrive once it is reachable.
//! PostgreSQL tests need UDHA_TEST_POSTGRES_URL (see usage_common); without it they print SKIPPED and pass.

mod usage_common;

use std::time::{Duration, Instant};

use udha::knowledge::Lang;
use udha::usage::{self, EventKind, Recorder, Store, UsageError};
use usage_common::*;

const TICK: Duration = Duration::from_millis(50);
const HOUR: Duration = Duration::from_secs(3600);

/// Records `n` events and returns the slowest single `record` call.
fn record_burst(rec: &Recorder, n: usize, topic: &str) -> Duration {
    let mut slowest = Duration::ZERO;
    for i in 0..n {
        let t = Instant::now();
        rec.record(
            EventKind::Answer,
            Some(topic),
            Some(if i % 3 == 0 { Lang::En } else { Lang::Sq }),
        );
        slowest = slowest.max(t.elapsed());
    }
    slowest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_replicas_flushing_concurrently_give_exact_totals() {
    let Some(base) = pg_base_url("postgres_two_replicas_flushing_concurrently_give_exact_totals") else {
        return;
    };
    let db = PgTestDb::create(&base).await;
    // Two pools, as two replicas would have; both flush every 10 ms while events keep coming.
    let (a, fa) = usage::start(&db.url, Duration::from_millis(10)).await.unwrap();
    let (b, fb) = usage::start(&db.url, Duration::from_millis(10)).await.unwrap();
    const PER_TASK: usize = 3_000;
    let topics = ["law-a", "law-b", "procedure-c", "flow-x/step-1", "safety-d"];
    let mut tasks = Vec::new();
    for (r, rec) in [a.clone(), b.clone()].into_iter().enumerate() {
        for t in 0..3 {
            let rec = rec.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..PER_TASK {
                    // The same keys on both replicas, so their upserts hit the same rows.
                    rec.record(
                        EventKind::Answer,
                        Some(topics[(i + t + r) % topics.len()]),
                        Some(Lang::Sq),
                    );
                    rec.record(EventKind::Question, None, Some(Lang::En));
                    if i % 200 == 0 {
                        tokio::task::yield_now().await;
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    fa.shutdown().await.unwrap();
    fb.shutdown().await.unwrap();
    let store = Store::open(&db.url).await.unwrap();
    let expected = (2 * 3 * PER_TASK) as i64;
    assert_eq!(store.total(Some(EventKind::Answer)).await.unwrap(), expected);
    assert_eq!(store.total(Some(EventKind::Question)).await.unwrap(), expected);
    let rows = store.rows(None, None).await.unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.kind == "answer").count(),
        topics.len(),
        "one row per key"
    );
    store.close().await;
    db.drop_db().await;
}

/// SQLite: the database's folder cannot be made at start (a file is in the way), then it can (Udha makes it).
#[tokio::test]
async fn sqlite_unavailable_then_back_counts_arrive() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let dir = tempfile::tempdir().unwrap();
    let db_dir = dir.path().join("not-yet");
    std::fs::write(&db_dir, b"a file where the folder should be").unwrap();
    let url = sqlite_url(&db_dir.join("usage.sqlite3"));

    // `start` reports the problem at once; `start_lazy` keeps going.
    assert!(usage::start(&url, TICK).await.is_err());
    let (rec, flusher) = usage::start_lazy(&url, TICK).unwrap();
    let slowest = record_burst(&rec, 5_000, "law-distinct-topic");
    assert!(
        slowest < Duration::from_millis(50),
        "record never waits: slowest {slowest:?}"
    );
    tokio::time::sleep(TICK * 5).await;
    assert_eq!(rec.pending(), 5_000, "kept in memory while the database is unreachable");
    assert!(
        logs.text().contains("pending=5000"),
        "the log says how many wait:\n{}",
        logs.text()
    );

    std::fs::remove_file(&db_dir).unwrap();
    let arrived = wait_until(Duration::from_secs(10), || async { rec.pending() == 0 }).await;
    assert!(arrived, "counts written once the database is reachable");
    record_burst(&rec, 10, "law-distinct-topic");
    flusher.shutdown().await.unwrap();
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.total(Some(EventKind::Answer)).await.unwrap(), 5_010);
    store.close().await;
    // Numbers only in the log: never a topic.
    assert!(!logs.text().contains("law-distinct-topic"), "{}", logs.text());
}

/// Shutdown while the database is down: the error and the log say how many counts are lost.
#[tokio::test]
async fn shutdown_with_database_down_reports_pending() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blocked"), b"a file where the folder should be").unwrap();
    let url = sqlite_url(&dir.path().join("blocked").join("usage.sqlite3"));
    let (rec, flusher) = usage::start_lazy(&url, HOUR).unwrap();
    record_burst(&rec, 42, "law-x");
    match flusher.shutdown().await {
        Err(UsageError::Pending { pending, .. }) => assert_eq!(pending, 42),
        other => panic!("expected Pending, got {other:?}"),
    }
    assert!(logs.text().contains("pending=42"), "{}", logs.text());
}

/// PostgreSQL down at start (nothing accepts connections), then up: counts arrive. Then it goes away in the
/// middle of the session and comes back: nothing is lost or counted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_unavailable_then_back_counts_arrive() {
    let Some(base) = pg_base_url("postgres_unavailable_then_back_counts_arrive") else {
        return;
    };
    let db = PgTestDb::create(&base).await;
    let proxy = Proxy::start(db.server_addr(), false).await;
    let url = db.url_via_port(proxy.port);

    assert!(
        usage::start(&url, TICK).await.is_err(),
        "start reports an unreachable database"
    );
    let (rec, flusher) = usage::start_lazy(&url, TICK).unwrap();
    let slowest = record_burst(&rec, 3_000, "platform-facebook-report");
    assert!(
        slowest < Duration::from_millis(50),
        "record never waits: slowest {slowest:?}"
    );
    tokio::time::sleep(TICK * 4).await;
    assert_eq!(rec.pending(), 3_000);

    proxy.set_up(true);
    assert!(
        wait_until(Duration::from_secs(15), || async { rec.pending() == 0 }).await,
        "arrived after outage"
    );

    // Down again in the middle of the session.
    proxy.set_up(false);
    let slowest = record_burst(&rec, 2_000, "platform-facebook-report");
    assert!(
        slowest < Duration::from_millis(50),
        "record never waits: slowest {slowest:?}"
    );
    tokio::time::sleep(TICK * 4).await;
    assert!(rec.pending() > 0, "kept while down");
    proxy.set_up(true);
    assert!(
        wait_until(Duration::from_secs(20), || async { rec.pending() == 0 }).await,
        "arrived after second outage"
    );
    flusher.shutdown().await.unwrap();

    // Shutdown while it is down again: bounded, and says what is lost.
    let (rec, flusher) = usage::start(&url, HOUR).await.unwrap();
    proxy.set_up(false);
    record_burst(&rec, 5, "platform-facebook-report");
    let t = Instant::now();
    match flusher.shutdown().await {
        Err(UsageError::Pending { pending, .. }) => assert_eq!(pending, 5),
        other => panic!("expected Pending, got {other:?}"),
    }
    println!("shutdown with the database down took {:?}", t.elapsed());
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "shutdown is bounded: {:?}",
        t.elapsed()
    );

    let store = Store::open(&db.url).await.unwrap();
    assert_eq!(store.total(Some(EventKind::Answer)).await.unwrap(), 5_000);
    store.close().await;
    db.drop_db().await;
}
