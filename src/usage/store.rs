//! The counts table, through sqlx's Any driver (SQLite or PostgreSQL, one set of migrations).
//!
//! Any-driver rules followed here (see shared/notes/stack.md): `$1` placeholders, BIGINT counts read as i64,
//! `CAST(SUM(..) AS BIGINT)`, days as TEXT 'YYYY-MM-DD', runtime queries only.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::AnyPoolOptions;

use super::{EventKind, UsageError};
use crate::knowledge::Lang;

/// The migrations in `migrations/`, embedded at build time (`build.rs` reruns when they change).
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// One cell of the counts table. Everything in it is anonymous by construction: a day, a kind of event, a
/// validated id (or "") and a language (or none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// Stored as [`EventKind::as_str`].
    pub kind: EventKind,
    /// Entry id, `flow-id/step-id` or "".
    pub topic: String,
    /// Stored as "sq", "en" or "" (see [`stored_lang`]).
    pub lang: Option<Lang>,
}

impl CountKey {
    /// The key as its row is stored.
    fn stored(&self) -> (&str, &'static str, &str, &'static str) {
        (&self.day, self.kind.as_str(), &self.topic, stored_lang(self.lang))
    }
}

/// Keys sort as their stored rows do, so every replica (whatever its version) writes and locks rows in the same
/// order (see [`Store::add`]).
impl Ord for CountKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.stored().cmp(&other.stored())
    }
}

impl PartialOrd for CountKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The `lang` column's value: "sq", "en", or "" when the language is unknown.
pub(crate) fn stored_lang(lang: Option<Lang>) -> &'static str {
    lang.map_or("", Lang::code)
}

/// The language a `lang` column's value stands for (anything but "sq" and "en" is unknown).
pub(crate) fn parse_stored_lang(stored: &str) -> Option<Lang> {
    Lang::ALL.into_iter().find(|l| l.code() == stored)
}

/// A row as read back for reports, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    pub day: NaiveDate,
    /// The stored name: [`EventKind::parse`] reads it (a replica of a newer version may store kinds this one
    /// does not know).
    pub kind: String,
    pub topic: String,
    pub lang: String,
    pub count: i64,
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// The backend for `url`, or an error for anything else (checked before connecting).
pub(crate) fn check_url(url: &str) -> Result<Backend, UsageError> {
    let scheme = url.split(':').next().unwrap_or("");
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        other => Err(UsageError::UnsupportedUrl(other.to_owned())),
    }
}

/// The URL sqlx is given: a plain `sqlite:PATH` (or `sqlite://PATH`) gets `mode=rwc` so the file is created
/// when missing, as people expect from `DATABASE_URL=sqlite:/var/lib/udha/usage.sqlite3`; an explicit `mode=`
/// is kept. Other URLs are unchanged.
pub(crate) fn effective_url(url: &str) -> String {
    if check_url(url).ok() != Some(Backend::Sqlite) || url.contains(":memory:") {
        return url.to_owned();
    }
    let query = url.split_once('?').map_or("", |(_, q)| q);
    if query.split('&').any(|kv| kv.starts_with("mode=")) {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The file of an `sqlite:` URL (`None` for other URLs and in-memory databases).
pub(crate) fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Creates the folder of an SQLite file if it is missing (the database file itself is created by sqlx).
fn create_folder(url: &str) -> Result<(), UsageError> {
    if let Some(parent) = sqlite_path(url).as_deref().and_then(std::path::Path::parent)
        && !parent.as_os_str().is_empty()
        && !parent.is_dir()
    {
        std::fs::create_dir_all(parent).map_err(|e| UsageError::Folder(parent.display().to_string(), e))?;
    }
    Ok(())
}

/// An open, migrated counts database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
}

const UPSERT: &str = "INSERT INTO usage_counts (day, kind, topic, lang, count) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (day, kind, topic, lang) DO UPDATE SET count = usage_counts.count + excluded.count";

impl Store {
    /// Connects to `url` and applies the migrations (idempotent; PostgreSQL serialises concurrent runs with an
    /// advisory lock, so replicas may start together).
    pub async fn open(url: &str) -> Result<Store, UsageError> {
        let backend = check_url(url)?;
        sqlx::any::install_default_drivers();
        create_folder(url)?;
        let url = &effective_url(url);
        let in_memory = backend == Backend::Sqlite && url.contains(":memory:");
        let pool = AnyPoolOptions::new()
            // The flusher writes from one task; reports read once. An in-memory SQLite database exists per
            // connection, so it must stay at one connection that never closes.
            .max_connections(if in_memory { 1 } else { 2 })
            .min_connections(0)
            .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(60)) })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(30 * 60))
            })
            // A flush against a database that went away gives up quickly and keeps its counts for the next tick.
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        if let Err(e) = MIGRATOR.run(&pool).await {
            pool.close().await;
            return Err(e.into());
        }
        Ok(Store { pool })
    }

    /// The pool, for tests and tools that inspect the database.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Adds `counts` in one transaction (all or nothing). Keys are written in sorted order so two replicas
    /// adding to overlapping keys lock rows in the same order and cannot deadlock.
    pub async fn add(&self, counts: &BTreeMap<CountKey, i64>) -> Result<(), UsageError> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for (key, n) in counts {
            let (day, kind, topic, lang) = key.stored();
            sqlx::query(UPSERT)
                .bind(day)
                .bind(kind)
                .bind(topic)
                .bind(lang)
                .bind(*n)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every row with `from <= day <= to` (either bound optional), ordered by day, kind, topic, lang.
    pub async fn rows(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Vec<CountRow>, UsageError> {
        let from = from.map_or_else(|| "0000-00-00".to_owned(), |d| d.format("%Y-%m-%d").to_string());
        let to = to.map_or_else(|| "9999-99-99".to_owned(), |d| d.format("%Y-%m-%d").to_string());
        let rows = sqlx::query(
            "SELECT day, kind, topic, lang, count FROM usage_counts \
             WHERE day >= $1 AND day <= $2 ORDER BY day, kind, topic, lang",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let day: String = row.try_get("day")?;
            let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
                tracing::warn!("usage_counts row with a malformed day skipped");
                continue;
            };
            out.push(CountRow {
                day,
                kind: row.try_get("kind")?,
                topic: row.try_get("topic")?,
                lang: row.try_get("lang")?,
                count: row.try_get("count")?,
            });
        }
        Ok(out)
    }

    /// The sum of all counts, optionally of one kind (tests and sanity checks).
    pub async fn total(&self, kind: Option<EventKind>) -> Result<i64, UsageError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS total FROM usage_counts \
             WHERE $1 = '' OR kind = $1",
        )
        .bind(kind.map_or("", EventKind::as_str))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("total")?)
    }

    /// Closes the pool (waits for connections to finish).
    pub async fn close(self) {
        self.pool.close().await;
    }
}
