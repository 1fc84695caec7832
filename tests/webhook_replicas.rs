//! Two `udha serve` replicas in webhook mode behind a round-robin load balancer, sharing one PostgreSQL database:
//! every update is answered once, a button pressed on the other replica works, a wrong secret is refused, the
//! counts are exact, and `/healthz` tells the balancer who is ready. Real binaries, real PostgreSQL (skipped
//! without UDHA_TEST_POSTGRES_URL).

mod common;
mod process;
mod support;
mod usage_common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use process::{Udha, free_addr, wait_health};
use support::{FakeTelegram, TestUser};
use udha::dialogue::ui_texts;
use udha::knowledge::Lang;
use udha::usage::{EventKind, Store};
use usage_common::{PgTestDb, pg_base_url};

const TOKEN: &str = "555000444:AAE-replicas-token-xyz";
const SECRET: &str = "shared-replica-secret_42";
const WAIT: Duration = Duration::from_secs(30);

/// A round-robin HTTP balancer: each post goes to the next replica; remembers which replica got which update.
struct Balancer {
    replicas: Vec<SocketAddr>,
    next: AtomicUsize,
    routed: Mutex<Vec<(i64, usize)>>,
    client: reqwest::Client,
}

async fn forward(State(lb): State<Arc<Balancer>>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let i = lb.next.fetch_add(1, Ordering::SeqCst) % lb.replicas.len();
    let mut request = lb.client.post(format!("http://{}{}", lb.replicas[i], uri.path()));
    if let Some(secret) = headers.get("x-telegram-bot-api-secret-token") {
        request = request.header("x-telegram-bot-api-secret-token", secret.as_bytes());
    }
    let Ok(response) = request.body(body.clone()).send().await else {
        return StatusCode::BAD_GATEWAY;
    };
    let status = response.status().as_u16();
    if status == 200
        && let Ok(update) = serde_json::from_slice::<serde_json::Value>(&body)
        && let Some(id) = update["update_id"].as_i64()
    {
        lb.routed.lock().unwrap().push((id, i));
    }
    StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY)
}

async fn start_balancer(replicas: Vec<SocketAddr>) -> (SocketAddr, Arc<Balancer>) {
    let lb = Arc::new(Balancer {
        replicas,
        next: AtomicUsize::new(0),
        routed: Mutex::new(Vec::new()),
        client: reqwest::Client::new(),
    });
    let app = axum::Router::new().fallback(forward).with_state(lb.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, lb)
}

fn replica(dir: &std::path::Path, fake: &FakeTelegram, public: SocketAddr, listen: SocketAddr, db: &str) -> Udha {
    let knowledge = common::knowledge_dir().display().to_string();
    let url = format!("http://{public}/udha");
    let env = [
        ("TELOXIDE_TOKEN", TOKEN.to_string()),
        ("TELOXIDE_API_URL", fake.api_url().to_string()),
        ("DATABASE_URL", db.to_string()),
        ("UDHA_WEBHOOK_URL", url),
        ("UDHA_LISTEN", listen.to_string()),
        ("UDHA_WEBHOOK_SECRET", SECRET.to_string()),
    ];
    Udha::spawn(dir, &["--knowledge", &knowledge, "serve"], &env)
}

async fn post(addr: SocketAddr, secret: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}/udha"))
        .header("content-type", "application/json")
        .body(r#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},"text":"x"}}"#);
    if let Some(s) = secret {
        request = request.header("x-telegram-bot-api-secret-token", s);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webhook_replicas_share_postgres_answer_once_and_count_exactly() {
    let Some(base) = pg_base_url("two_webhook_replicas_share_postgres_answer_once_and_count_exactly") else {
        return;
    };
    let db = PgTestDb::create(&base).await;
    let fake = FakeTelegram::start().await;
    let (a, b) = (free_addr(), free_addr());
    let (public, lb) = start_balancer(vec![a, b]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut replicas = [
        replica(dir.path(), &fake, public, a, &db.url),
        replica(dir.path(), &fake, public, b, &db.url),
    ];
    for addr in [a, b] {
        assert_eq!(wait_health(addr, 200, WAIT).await, "ok\n");
    }

    // Posts without Telegram's secret are refused by both.
    for addr in [a, b] {
        assert_eq!(post(addr, Some("wrong-secret")).await, 401);
        assert_eq!(post(addr, None).await, 401);
    }

    let users: Vec<TestUser> = (1..=6).map(|n| TestUser::numbered(n, "en")).collect();
    let t = ui_texts(Lang::En);
    for u in &users {
        let chat = u.chat_id();
        fake.send_text(chat, u, "/start");
        let greeting = fake.wait_for_bot_messages(chat, 1, WAIT).await;
        assert!(greeting[0].text.starts_with(t.greeting));
        // The next update goes to the other replica: the button made by one is understood by the other.
        let (_, query) = fake.click(chat, u, t.urgent);
        fake.wait_for_callback_answer(&query, WAIT).await;
        fake.wait_for_bot_messages(chat, 1, WAIT).await;
        fake.send_text(chat, u, "how do I report a fake account on instagram");
        fake.wait_for_bot_messages(chat, 1, WAIT).await;
        fake.wait_for_updates_consumed(WAIT).await;
    }
    let routed = lb.routed.lock().unwrap().clone();
    assert!(routed.iter().any(|(_, r)| *r == 0) && routed.iter().any(|(_, r)| *r == 1));
    for pair in routed.windows(2) {
        assert_ne!(
            pair[0].1, pair[1].1,
            "consecutive updates went to different replicas: {routed:?}"
        );
    }
    assert!(fake.unanswered_callbacks().is_empty());

    for r in &mut replicas {
        let status = r.stop().await;
        assert!(status.success(), "{}", r.log());
    }
    // Stopped replicas have finished every reply: each chat got the same replies, each once.
    let counts: Vec<usize> = users.iter().map(|u| fake.bot_message_count(u.chat_id())).collect();
    assert!(counts.iter().all(|n| *n == counts[0]), "{counts:?}");
    let rejected = fake.rejections();
    assert!(rejected.is_empty(), "Telegram rejected requests: {rejected:#?}");
    let store = Store::open(&db.url).await.unwrap();
    assert_eq!(store.total(Some(EventKind::Start)).await.unwrap(), users.len() as i64);
    assert_eq!(
        store.total(Some(EventKind::Question)).await.unwrap(),
        users.len() as i64
    );
    store.close().await;
    db.drop_db().await;
}
