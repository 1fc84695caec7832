//! Shared helpers of the `usage_*` tests: SQLite URLs in temp dirs, one fresh PostgreSQL database per test,
//! a TCP proxy that can take the database "down" and bring it back, and a log capture.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The env var CI sets (`.ci/run`) to a PostgreSQL URL such as `postgres://postgres@127.0.0.1:5432/test`.
pub const PG_ENV: &str = "UDHA_TEST_POSTGRES_URL";

/// The base PostgreSQL URL, or `None` (after printing that the test is skipped) when the env var is unset.
pub fn pg_base_url(test: &str) -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            println!("SKIPPED {test}: {PG_ENV} is not set (e.g. {PG_ENV}=postgres://postgres@127.0.0.1:5432/test)");
            None
        }
    }
}

/// `sqlite:` URL of a file that is created on first use.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite:{}?mode=rwc", path.display())
}

/// A database of its own for one test, dropped by [`PgTestDb::drop_db`].
pub struct PgTestDb {
    base: String,
    pub name: String,
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl PgTestDb {
    pub async fn create(base: &str) -> PgTestDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000_000;
        let name = format!(
            "udha_test_{}_{}_{}",
            std::process::id(),
            nanos,
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect(base).await.expect("connect to PostgreSQL");
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE");
        conn.close().await.ok();
        let mut url = url::Url::parse(base).expect("PostgreSQL URL");
        url.set_path(&format!("/{name}"));
        PgTestDb {
            base: base.to_owned(),
            name,
            url: url.to_string(),
        }
    }

    /// This database's URL through another port (e.g. a [`Proxy`]).
    pub fn url_via_port(&self, port: u16) -> String {
        let mut url = url::Url::parse(&self.url).unwrap();
        url.set_port(Some(port)).unwrap();
        url.to_string()
    }

    /// Where PostgreSQL listens.
    pub fn server_addr(&self) -> SocketAddr {
        let url = url::Url::parse(&self.base).unwrap();
        let host = url.host_str().unwrap_or("127.0.0.1");
        let host = if host == "localhost" { "127.0.0.1" } else { host };
        format!("{host}:{}", url.port().unwrap_or(5432))
            .parse()
            .expect("PostgreSQL host:port")
    }

    /// Drops the database (also done on drop, e.g. when the test panics).
    pub async fn drop_db(mut self) {
        let (base, name) = (self.base.clone(), std::mem::take(&mut self.name));
        drop_database(&base, &name).await;
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        if self.name.is_empty() {
            return;
        }
        // Not dropped explicitly (the test failed): drop it from a thread with a runtime of its own.
        let (base, name) = (self.base.clone(), std::mem::take(&mut self.name));
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(drop_database(&base, &name))
        })
        .join();
    }
}

async fn drop_database(base: &str, name: &str) {
    let mut conn = PgConnection::connect(base).await.expect("connect to PostgreSQL");
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .execute(&mut conn)
        .await
        .expect("DROP DATABASE");
    conn.close().await.ok();
}

/// A loopback TCP proxy in front of a database. While "down" it accepts and closes every connection at once
/// (and cuts the open ones), as a database that went away would.
pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(target: SocketAddr, up: bool) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(up));
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (up2, conns2) = (up.clone(), conns.clone());
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let h = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                conns2.lock().unwrap().push(h);
            }
        });
        Proxy {
            port,
            up,
            conns,
            accept,
        }
    }

    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            for h in self.conns.lock().unwrap().drain(..) {
                h.abort();
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        for h in self.conns.lock().unwrap().drain(..) {
            h.abort();
        }
    }
}

/// Everything logged through `tracing` while the guard lives (on this thread: use a current-thread runtime).
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let me = self.clone();
        let sub = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || me.clone())
            .finish();
        tracing::subscriber::set_default(sub)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Polls `check` every 20 ms until it is true or `timeout` passes.
pub async fn wait_until<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let end = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
