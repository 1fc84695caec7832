//! A plain `sqlite:PATH` creates the file and its folder for `serve`, `chat` and `stats`; while the file cannot
//! be opened the bot keeps answering, says how many counts wait, and writes them once it can. Real binary, real
//! SQLite.

mod common;
mod process;
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use process::Udha;
use support::{FakeTelegram, TestUser};

const TOKEN: &str = "555000222:AAE-sqlite-paths-token-xyz";
const WAIT: Duration = Duration::from_secs(30);

async fn total(db: &Path, kind: &str) -> i64 {
    let url = format!("sqlite:{}", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let row: (i64,) = sqlx::query_as("SELECT COALESCE(SUM(count), 0) FROM usage_counts WHERE kind = ?")
        .bind(kind)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    row.0
}

fn udha(dir: &Path, database: &str, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_udha"))
        .current_dir(dir)
        .arg("--knowledge")
        .arg(common::knowledge_dir())
        .args(["--database", database])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn serve(dir: &Path, fake: &FakeTelegram, database: &str) -> Udha {
    let knowledge = common::knowledge_dir().display().to_string();
    let env = [
        ("TELOXIDE_TOKEN", TOKEN.to_string()),
        ("TELOXIDE_API_URL", fake.api_url().to_string()),
        ("DATABASE_URL", database.to_string()),
    ];
    Udha::spawn(dir, &["--knowledge", &knowledge, "serve"], &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_sqlite_path_creates_the_file_and_its_folder_for_chat_stats_and_serve() {
    let dir = tempfile::tempdir().unwrap();

    let chat_db = dir.path().join("chat/nested/usage.sqlite3");
    let out = udha(
        dir.path(),
        &format!("sqlite:{}", chat_db.display()),
        &["chat"],
        "si ta raportoj\n/quit\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(total(&chat_db, "question").await, 1);

    let stats_db = dir.path().join("stats/usage.sqlite3");
    let out = udha(dir.path(), &format!("sqlite://{}", stats_db.display()), &["stats"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stats_db.is_file());
    // And stats reads what chat wrote, through the same plain URL.
    let out = udha(
        dir.path(),
        &format!("sqlite:{}", chat_db.display()),
        &["stats", "--format", "csv"],
        "",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("question"));

    let fake = FakeTelegram::start().await;
    let serve_db = dir.path().join("var/lib/udha/usage.sqlite3");
    let mut bot = serve(dir.path(), &fake, &format!("sqlite:{}", serve_db.display()));
    let user = TestUser::numbered(1, "sq");
    fake.send_text(user.chat_id(), &user, "/start");
    fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let status = bot.stop().await;
    assert!(status.success(), "{}", bot.log());
    assert!(!bot.log().contains("lost"), "{}", bot.log());
    assert_eq!(total(&serve_db, "start").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_sqlite_cannot_be_opened_counts_wait_in_memory_and_are_written_when_it_can() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the database's folder should be: nothing can be created under it until it is removed.
    let blocker = dir.path().join("state");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let db = blocker.join("usage.sqlite3");
    let fake = FakeTelegram::start().await;
    let mut bot = serve(dir.path(), &fake, &format!("sqlite:{}", db.display()));
    let users: Vec<TestUser> = (10..13).map(|n| TestUser::numbered(n, "sq")).collect();
    for u in &users {
        fake.send_text(u.chat_id(), u, "/start");
        fake.wait_for_bot_messages(u.chat_id(), 1, WAIT).await;
    }
    bot.wait_log("3 counts wait in memory", WAIT).await;
    // Still answering while the store is away.
    let late = TestUser::numbered(13, "sq");
    fake.send_text(late.chat_id(), &late, "/start");
    fake.wait_for_bot_messages(late.chat_id(), 1, WAIT).await;

    std::fs::remove_file(&blocker).unwrap();
    bot.wait_log("usage database opened", WAIT).await;
    let status = bot.stop().await;
    assert!(status.success(), "{}", bot.log());
    assert_eq!(total(&db, "start").await, 4, "{}", bot.log());
}
