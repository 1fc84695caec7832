//! `udha serve` starting while Telegram fails (5xx, dropped and refused connections), in both modes: it keeps
//! trying without rebinding anything and then answers; a process that cannot serve exits non-zero. Through the
//! real binary.

mod common;
mod process;
mod support;

use std::time::Duration;

use process::{Udha, free_addr, healthz, wait_health};
use support::{FakeTelegram, Fault, TestUser};
use udha::dialogue::ui_texts;
use udha::knowledge::Lang;

const TOKEN: &str = "555000111:AAE-start-faults-token-xyz";
const SECRET: &str = "replica-secret-1";
/// teloxide waits 10 s after any 5xx before reporting it, so a few injected 5xx take a while.
const WAIT: Duration = Duration::from_secs(90);

fn env(api: String) -> Vec<(&'static str, String)> {
    vec![
        ("TELOXIDE_TOKEN", TOKEN.to_string()),
        ("TELOXIDE_API_URL", api),
        ("UDHA_WEBHOOK_SECRET", SECRET.to_string()),
        ("DATABASE_URL", "sqlite:usage.sqlite3".to_string()),
    ]
}

fn serve(dir: &std::path::Path, api: String, webhook: Option<std::net::SocketAddr>) -> Udha {
    let knowledge = common::knowledge_dir().display().to_string();
    let mut args = vec!["--knowledge".to_string(), knowledge, "serve".to_string()];
    if let Some(addr) = webhook {
        args.extend([
            "--webhook-url".to_string(),
            format!("http://{addr}/udha"),
            "--listen".to_string(),
            addr.to_string(),
        ]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Udha::spawn(dir, &args, &env(api))
}

async fn answers(fake: &FakeTelegram, n: u32) {
    let user = TestUser::numbered(n, "sq");
    fake.send_text(user.chat_id(), &user, "/start");
    let msgs = fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    assert!(msgs[0].text.starts_with(ui_texts(Lang::Sq).greeting));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_start_survives_5xx_and_dropped_connections() {
    let fake = FakeTelegram::start().await;
    fake.fail_next("getMe", Fault::BadGateway);
    fake.fail_next("setWebhook", Fault::Down);
    fake.fail_next("setMyCommands", Fault::Down);
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut udha = serve(dir.path(), fake.api_url().to_string(), Some(addr));
    udha.wait_log("Telegram is unreachable; retrying", WAIT).await;
    answers(&fake, 1).await;
    assert_eq!(wait_health(addr, 200, WAIT).await, "ok\n");
    assert_eq!(fake.pending_faults(), 0);
    fake.wait_until(WAIT, "the commands are registered", || fake.my_commands("sq").is_some())
        .await;
    let status = udha.stop().await;
    assert!(status.success(), "{status:?}\n{}", udha.log());
    assert!(!udha.log().contains("Address already in use"), "{}", udha.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_start_survives_5xx_and_dropped_connections() {
    let fake = FakeTelegram::start().await;
    fake.fail_next("getMe", Fault::Down);
    fake.fail_next("getMe", Fault::BadGateway);
    fake.fail_next("setMyCommands", Fault::BadGateway);
    let dir = tempfile::tempdir().unwrap();
    let mut udha = serve(dir.path(), fake.api_url().to_string(), None);
    answers(&fake, 2).await;
    fake.wait_until(WAIT, "the commands are registered", || fake.my_commands("en").is_some())
        .await;
    assert_eq!(fake.pending_faults(), 0);
    let status = udha.stop().await;
    assert!(status.success(), "{status:?}\n{}", udha.log());
}

/// Telegram (or the self-hosted Bot API server) is not listening at all when the bot starts, then comes up.
async fn refused_then_up(webhook: bool) {
    let api = free_addr();
    let dir = tempfile::tempdir().unwrap();
    let listen = webhook.then(free_addr);
    let mut udha = serve(dir.path(), format!("http://{api}/"), listen);
    udha.wait_log("Telegram is unreachable; retrying", WAIT).await;
    if let Some(addr) = listen {
        // Listening already, but not ready: a load balancer keeps it out.
        assert_eq!(healthz(addr).await, Some((503, "starting\n".to_string())));
    }
    let fake = FakeTelegram::start_on(api).await;
    answers(&fake, 3).await;
    if let Some(addr) = listen {
        assert_eq!(wait_health(addr, 200, WAIT).await, "ok\n");
    }
    let status = udha.stop().await;
    assert!(status.success(), "{status:?}\n{}", udha.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_start_survives_refused_connections() {
    refused_then_up(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_start_survives_refused_connections() {
    refused_then_up(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_cannot_serve_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();

    // The webhook port is taken.
    let fake = FakeTelegram::start().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let mut udha = serve(dir.path(), fake.api_url().to_string(), Some(addr));
    let status = udha.wait_exit(WAIT).await;
    assert!(!status.success());
    assert!(udha.log().contains("cannot listen for the webhook"), "{}", udha.log());

    // Telegram refuses the token, in both modes.
    let strict = FakeTelegram::start_with_token("999:another-bots-token").await;
    for webhook in [None, Some(free_addr())] {
        let mut udha = serve(dir.path(), strict.api_url().to_string(), webhook);
        let status = udha.wait_exit(WAIT).await;
        assert!(!status.success());
        let log = udha.log();
        assert!(log.contains("Telegram refused the bot"), "{log}");
        assert!(!log.contains(TOKEN), "{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_webhook_secret_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTelegram::start().await;
    let addr = free_addr();
    let mut env = env(fake.api_url().to_string());
    env.retain(|(k, _)| *k != "UDHA_WEBHOOK_SECRET");
    env.push(("UDHA_WEBHOOK_SECRET", "not allowed!".to_string()));
    let knowledge = common::knowledge_dir().display().to_string();
    let url = format!("http://{addr}/udha");
    let listen = addr.to_string();
    let args = [
        "--knowledge",
        &knowledge,
        "serve",
        "--webhook-url",
        &url,
        "--listen",
        &listen,
    ];
    let mut udha = Udha::spawn(dir.path(), &args, &env);
    let status = udha.wait_exit(WAIT).await;
    assert!(!status.success());
    assert!(udha.log().contains("UDHA_WEBHOOK_SECRET"), "{}", udha.log());
    assert!(!udha.log().contains("panicked"), "{}", udha.log());
}
