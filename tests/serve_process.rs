//! `udha serve` as a real process: after a real session nothing identifying is in any file it wrote or in its
//! logs, and SIGTERM during load loses no count.

mod common;
mod support;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{FakeTelegram, TestUser};
use udha::dialogue::ui_texts;
use udha::knowledge::Lang;

const TOKEN: &str = "987654321:AAF-Udha-Private-Token-77x";
const WAIT: Duration = Duration::from_secs(30);

struct Served {
    child: Child,
    stderr: Arc<Mutex<Vec<u8>>>,
    stdout: Arc<Mutex<Vec<u8>>>,
}

fn spawn(fake: &FakeTelegram, dir: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_udha"))
        .current_dir(dir)
        .arg("--knowledge")
        .arg(common::knowledge_dir())
        .args(["serve", "--reload-every", "1"])
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", fake.api_url().to_string())
        .env("DATABASE_URL", "sqlite:usage.sqlite3?mode=rwc")
        .env("RUST_LOG", "trace")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("udha serve starts");
    let collect = |mut r: Box<dyn Read + Send>| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let b = buf.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = r.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                b.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        buf
    };
    let stderr = collect(Box::new(child.stderr.take().unwrap()));
    let stdout = collect(Box::new(child.stdout.take().unwrap()));
    Served { child, stderr, stdout }
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

async fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    panic!("udha serve did not stop within 30 s of SIGTERM");
}

async fn count(db: &Path, kind: &str) -> i64 {
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

fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap_or_default()));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_identifying_is_kept_after_a_real_session() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut served = spawn(&fake, dir.path());

    let users = [
        TestUser::new(731_000_001, "Ardiana")
            .last_name("Qerimaj")
            .username("ardiana_q_1990")
            .lang("sq"),
        TestUser::new(731_000_002, "Blerina")
            .last_name("Xhafferi")
            .username("blerinaXH")
            .lang("en"),
    ];
    let phrases = [
        "Dorian Pashollari 0692233445 me kercenon ne instagram",
        "my ex Gentian Marku posted my photos on telegram",
        "Rruga e Durrësit pallati 77 me ndjek çdo ditë",
    ];
    let mut secrets: Vec<String> = vec![TOKEN.into(), "AAF-Udha-Private-Token-77x".into(), "987654321".into()];
    for u in &users {
        secrets.push(u.id.to_string());
        secrets.push(u.first_name.clone());
        secrets.extend(u.last_name.clone());
        secrets.extend(u.username.clone());
    }
    secrets.extend(
        [
            "Dorian Pashollari",
            "0692233445",
            "Gentian Marku",
            "pallati 77",
            "Pashollari",
        ]
        .map(String::from),
    );

    for u in &users {
        let chat = u.chat_id();
        fake.send_text(chat, u, "/start");
        fake.wait_for_bot_messages(chat, 1, WAIT).await;
        for p in phrases {
            fake.send_text(chat, u, p);
            fake.wait_for_bot_messages(chat, 1, WAIT).await;
        }
        fake.start_payload(chat, u, "safety-save-evidence");
        fake.wait_for_bot_messages(chat, 1, WAIT).await;
        fake.start_payload(chat, u, "Dorian-Pashollari-0692233445");
        fake.wait_for_bot_messages(chat, 1, WAIT).await;
        fake.send_sticker(chat, u);
        fake.wait_for_bot_messages(chat, 1, WAIT).await;
        let (_, q) = fake.click(
            chat,
            u,
            ui_texts(if u.language_code.as_deref() == Some("en") {
                Lang::En
            } else {
                Lang::Sq
            })
            .menu,
        );
        fake.wait_for_callback_answer(&q, WAIT).await;
        // Inline mode: the query text goes nowhere; only the chosen card's entry is counted.
        let q = fake.inline_query(u, phrases[0], "private");
        let answer = fake.wait_for_inline_answer(&q, WAIT).await;
        let chosen = answer.results.first().map(|r| r.id.clone()).expect("cards for a query");
        fake.choose_inline_result(u, &chosen, phrases[0]);
        fake.send_text(chat, u, "/clear");
        fake.wait_until(WAIT, "cleared", || fake.live_messages(chat).len() == 1)
            .await;
    }
    sigterm(&served.child);
    let status = wait_exit(&mut served.child).await;
    assert!(status.success(), "{status:?}");

    let db = dir.path().join("usage.sqlite3");
    assert!(count(&db, "question").await >= 6, "counts were written");
    assert_eq!(count(&db, "inline").await, 2, "each chosen card counted once");

    let mut scanned: BTreeSet<String> = BTreeSet::new();
    let mut places = all_files(dir.path());
    places.push(("stderr".into(), served.stderr.lock().unwrap().clone()));
    places.push(("stdout".into(), served.stdout.lock().unwrap().clone()));
    for (name, bytes) in &places {
        scanned.insert(name.clone());
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        for s in &secrets {
            assert!(!text.contains(&s.to_lowercase()), "{name} contains {s:?}");
        }
    }
    assert!(scanned.iter().any(|n| n.ends_with("usage.sqlite3")), "{scanned:?}");
    assert!(!served.stderr.lock().unwrap().is_empty(), "the log was captured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_load_loses_no_count() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut served = spawn(&fake, dir.path());
    let first = TestUser::numbered(900, "sq");
    fake.send_text(first.chat_id(), &first, "/start");
    fake.wait_for_bot_messages(first.chat_id(), 1, WAIT).await;

    let users: Vec<TestUser> = (901..961).map(|n| TestUser::numbered(n, "sq")).collect();
    for u in &users {
        fake.send_text(u.chat_id(), u, "si ta raportoj nje profil fals ne facebook");
    }
    // Stop while replies are still going out.
    fake.wait_until(WAIT, "some replies", || {
        users.iter().filter(|u| fake.bot_message_count(u.chat_id()) > 0).count() >= 5
    })
    .await;
    sigterm(&served.child);
    let status = wait_exit(&mut served.child).await;
    assert!(status.success(), "{status:?}");
    let answered = users.iter().filter(|u| fake.bot_message_count(u.chat_id()) > 0).count() as i64;
    let counted = count(&dir.path().join("usage.sqlite3"), "question").await;
    assert!(answered >= 5);
    assert_eq!(
        counted, answered,
        "every question answered before the stop was counted and written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_without_a_token_says_how_to_get_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_udha"))
        .arg("--knowledge")
        .arg(common::knowledge_dir())
        .arg("serve")
        .env_remove("TELOXIDE_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("TELOXIDE_TOKEN") && stderr.contains("BotFather"),
        "{stderr}"
    );
}
