//! The token never shows: not in logs (even at trace level), not in errors, not when Telegram cannot be reached
//! through a Bot API URL with a path (where teloxide's own hiding does not apply). A closed standard output ends a
//! command quietly, as Unix tools do. Real binary where it matters.

mod common;
mod process;
mod support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use process::{Udha, free_addr};
use support::{FakeTelegram, Fault, TestUser};
use teloxide::RequestError;

/// Shaped like a real token (35 characters after the colon).
const TOKEN: &str = "7712345678:AAHkq3-Secret_Part_Of_The_Token_x9Zq";
const SECRET_PART: &str = "Secret_Part_Of_The_Token";
const WAIT: Duration = Duration::from_secs(60);

fn serve(dir: &std::path::Path, api: String, webhook: Option<std::net::SocketAddr>) -> Udha {
    let knowledge = common::knowledge_dir().display().to_string();
    let mut args = vec!["--knowledge".to_string(), knowledge, "serve".to_string()];
    if let Some(addr) = webhook {
        args.extend([
            "--webhook-url".into(),
            format!("http://{addr}/udha"),
            "--listen".into(),
            addr.to_string(),
        ]);
    }
    let env = [
        ("TELOXIDE_TOKEN", TOKEN.to_string()),
        ("TELOXIDE_API_URL", api),
        ("RUST_LOG", "trace".to_string()),
        ("UDHA_WEBHOOK_SECRET", "hardening-webhook-secret".to_string()),
        ("DATABASE_URL", "sqlite:usage.sqlite3".to_string()),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Udha::spawn(dir, &args, &env)
}

fn assert_clean(log: &str) {
    for secret in [TOKEN, SECRET_PART, "hardening-webhook-secret"] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
}

#[tokio::test]
async fn network_errors_lose_their_url_where_they_are_made() {
    // A real reqwest error to a refused port, carrying the token in its URL, as teloxide would get it.
    let addr = free_addr();
    let err = reqwest::Client::new()
        .post(format!("http://{addr}/telegram/bot{TOKEN}/getMe"))
        .send()
        .await
        .unwrap_err();
    assert!(
        format!("{err:?}").contains(SECRET_PART),
        "the precondition: reqwest quotes the URL"
    );
    let redacted = udha::telegram::redact(RequestError::Network(Arc::new(err)));
    let text = format!("{redacted} {redacted:?}");
    assert!(!text.contains(SECRET_PART), "{text}");
    assert_eq!(udha::telegram::error_kind(&redacted), "network");
}

#[test]
fn the_last_net_scrubs_hidden_secrets() {
    udha::telemetry::hide(TOKEN);
    let line = format!(
        "error sending request for url (http://x/tg/bot{TOKEN}/getMe) {}",
        TOKEN.replace(':', "%3A")
    );
    let scrubbed = udha::telemetry::scrub(&line);
    assert!(!scrubbed.contains(SECRET_PART), "{scrubbed}");
    assert_eq!(udha::telemetry::scrub("nothing secret"), "nothing secret");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_not_logged_when_telegram_is_unreachable_in_both_modes() {
    let dir = tempfile::tempdir().unwrap();
    for webhook in [None, Some(free_addr())] {
        // Nothing listens there, and the path keeps teloxide's own hiding from applying.
        let api = format!("http://{}/telegram/", free_addr());
        let mut udha = serve(dir.path(), api, webhook);
        udha.wait_log("attempt=2", WAIT).await;
        let status = udha.stop().await;
        assert!(status.success(), "{}", udha.log());
        assert_clean(&udha.log());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_not_logged_when_sends_fail() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut udha = serve(dir.path(), fake.api_url().to_string(), None);
    let user = TestUser::numbered(1, "sq");
    // Every attempt at the reply's message has its connection dropped, then commands and clears fail too.
    fake.fail_next_n("sendMessage", Fault::Down, 4);
    fake.send_text(user.chat_id(), &user, "/start");
    udha.wait_log("sending a message failed", WAIT).await;
    fake.send_text(user.chat_id(), &user, "/start");
    fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let status = udha.stop().await;
    assert!(status.success(), "{}", udha.log());
    assert_clean(&udha.log());
}

/// Runs `udha ARGS`, reads `take` bytes of its output and closes the pipe; returns (status, stderr).
fn read_then_close(args: &[&str], take: usize) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_udha"))
        .arg("--knowledge")
        .arg(common::knowledge_dir())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = vec![0u8; take];
    out.read_exact(&mut buf).unwrap();
    drop(out);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap(), err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_ends_commands_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("usage.sqlite3");
    let url = format!("sqlite:{}", db.display());
    // Enough counts for a long `stats --by day` table.
    let store = udha::usage::Store::open(&url).await.unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for day in 0..400 {
        let date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(day);
        counts.insert(
            udha::usage::CountKey {
                day: date.format("%Y-%m-%d").to_string(),
                kind: udha::usage::EventKind::Question,
                topic: String::new(),
                lang: Some(udha::knowledge::Lang::Sq),
            },
            7,
        );
    }
    store.add(&counts).await.unwrap();
    store.close().await;
    let runs: [&[&str]; 4] = [
        &["export", "--jsonl"],
        &["schema"],
        &["--database", &url, "stats", "--by", "day", "--format", "csv"],
        &["--database", &url, "stats", "--by", "day"],
    ];
    for args in runs {
        let (status, stderr) = read_then_close(args, 16);
        assert!(status.success(), "{args:?}: {status:?} {stderr}");
        assert!(stderr.trim().is_empty(), "{args:?}: {stderr}");
    }
}
