//! Webhook mode's HTTP side: one listener, bound once at start, serving Telegram's update posts and `GET /healthz`.
//!
//! teloxide's own webhook listener binds the port each time it is set up, so a retry after a failed `setWebhook`
//! or `getMe` panicked its server task ("Address already in use"). Here the socket is bound once; what talks to
//! Telegram is retried by the caller, and each attempt only takes a fresh [`Server::listener`].
//!
//! Privacy: a body that is not an update is dropped with a log line that says so, never with its content (teloxide
//! logs it whole). The secret header is compared in constant time.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use teloxide::stop::{StopToken, mk_stop_token};
use teloxide::types::{Update, UpdateKind};
use teloxide::update_listeners::{StatefulListener, UpdateListener};
use tokio::sync::mpsc;

/// Updates accepted but not yet taken by the dispatcher; past this, posts wait (Telegram waits with them).
const QUEUE: usize = 256;

/// What `GET /healthz` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Health {
    /// Listening, but not dispatching yet (Telegram unreachable at start, webhook not set yet): 503.
    Starting = 0,
    /// Dispatching updates: 200.
    Serving = 1,
    /// Shutting down: 503, so a load balancer sends elsewhere.
    Stopping = 2,
}

struct Hook {
    secret: String,
    queue: Mutex<Option<mpsc::Sender<Update>>>,
    health: AtomicU8,
}

/// The bound webhook listener. Cheap to clone.
#[derive(Clone)]
pub struct Server {
    hook: Arc<Hook>,
    addr: SocketAddr,
}

/// The webhook's path on our listener: the URL's path (Telegram posts to the URL; a reverse proxy may keep it).
pub(crate) fn path_of(url: &url::Url) -> String {
    match url.path() {
        "" => "/".to_string(),
        p => p.to_string(),
    }
}

impl Server {
    /// Binds `listen` (the only time) and starts serving `path` and `/healthz`. Fails if the address cannot be
    /// bound: a process that cannot receive updates must not pretend to run. The task's handle ends only if
    /// the server fails; `stop` ends it cleanly.
    pub async fn bind(
        listen: SocketAddr,
        path: &str,
        secret: String,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<(Server, tokio::task::JoinHandle<std::io::Result<()>>)> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let hook = Arc::new(Hook {
            secret,
            queue: Mutex::new(None),
            health: AtomicU8::new(Health::Starting as u8),
        });
        let router = router(path, hook.clone());
        let task = tokio::spawn(async move { axum::serve(listener, router).with_graceful_shutdown(stop).await });
        Ok((Server { hook, addr }, task))
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn set_health(&self, health: Health) {
        self.hook.health.store(health as u8, Ordering::Relaxed);
        if health == Health::Stopping {
            // New posts get 503 (Telegram retries them, maybe at another replica); queued ones are still handled.
            *lock(&self.hook.queue) = None;
        }
    }

    /// A fresh update listener over this server, for one attempt at dispatching. Posts that arrive while no
    /// listener is active get 503 and are retried by Telegram.
    pub fn listener(&self) -> impl UpdateListener<Err = Infallible> + Send + use<> {
        let (tx, rx) = mpsc::channel::<Update>(QUEUE);
        *lock(&self.hook.queue) = Some(tx);
        let (token, flag) = mk_stop_token();
        let hook = self.hook.clone();
        let stream = futures_util::stream::unfold((rx, flag, hook), |(mut rx, mut flag, hook)| async move {
            let update = tokio::select! {
                biased;
                u = rx.recv() => u,
                () = &mut flag => {
                    // Stopping: refuse new posts, hand over what was already accepted.
                    *lock(&hook.queue) = None;
                    rx.close();
                    rx.recv().await
                }
            };
            update.map(|u| (Ok::<Update, Infallible>(u), (rx, flag, hook)))
        });
        StatefulListener::new((Box::pin(stream), token), first, |st: &mut (_, StopToken)| st.1.clone())
    }
}

fn first<A, B>(t: &mut (A, B)) -> &mut A {
    &mut t.0
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn router(path: &str, hook: Arc<Hook>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route(path, post(on_post))
        .with_state(hook)
}

async fn healthz(State(hook): State<Arc<Hook>>) -> (StatusCode, &'static str) {
    match hook.health.load(Ordering::Relaxed) {
        1 => (StatusCode::OK, "ok\n"),
        2 => (StatusCode::SERVICE_UNAVAILABLE, "stopping\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "starting\n"),
    }
}

async fn on_post(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !constant_time_eq(given, hook.secret.as_bytes()) {
        return StatusCode::UNAUTHORIZED;
    }
    let Some(update) = parse_update(&body) else {
        // Telegram would resend it forever on an error status; it cannot become valid, so it is dropped.
        tracing::warn!("a webhook post that is not an update we can read was dropped");
        return StatusCode::OK;
    };
    let queue = lock(&hook.queue).clone();
    match queue {
        Some(tx) if tx.send(update).await.is_ok() => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A webhook body as an update, or `None`: not JSON, not an update, or an update of a kind teloxide cannot read
/// (which teloxide's dispatcher would log whole, with the person's message in it).
pub fn parse_update(body: &[u8]) -> Option<Update> {
    let update: Update = serde_json::from_slice(body).ok()?;
    (!matches!(update.kind, UpdateKind::Error(_))).then_some(update)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A secret Telegram accepts: 1 to 256 characters of `A-Z a-z 0-9 _ -`.
pub(crate) fn valid_secret(s: &str) -> bool {
    (1..=256).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
