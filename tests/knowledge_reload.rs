//! `udha serve` picks up knowledge edits by itself (file notifications) and on SIGHUP, without --reload-every;
//! a broken edit is logged at once as path:line and the last good knowledge keeps answering. Real binary.

mod common;
mod process;
mod support;

use std::path::Path;
use std::time::Duration;

use process::Udha;
use support::{FakeTelegram, TestUser};

const TOKEN: &str = "555000333:AAE-reload-token-xyz";
const WAIT: Duration = Duration::from_secs(30);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn serve(dir: &Path, fake: &FakeTelegram, watch: &str) -> Udha {
    let knowledge = dir.join("knowledge");
    copy_dir(&common::knowledge_dir(), &knowledge);
    let knowledge = knowledge.display().to_string();
    let env = [
        ("TELOXIDE_TOKEN", TOKEN.to_string()),
        ("TELOXIDE_API_URL", fake.api_url().to_string()),
        ("DATABASE_URL", "sqlite:usage.sqlite3".to_string()),
    ];
    let args = [
        "--knowledge",
        &knowledge,
        "serve",
        "--reload-every",
        "0",
        "--watch",
        watch,
    ];
    Udha::spawn(dir, &args, &env)
}

/// Adds an entry only a question with "zzqx" finds.
fn add_entry(dir: &Path) {
    let good = std::fs::read_to_string(dir.join("knowledge/safety/safety-save-evidence.yaml")).unwrap();
    let new = good
        .replace("id: safety-save-evidence", "id: safety-zz-new-entry")
        .replacen("title:", "title: Zzqx unique title –", 2);
    std::fs::write(dir.join("knowledge/safety/safety-zz-new-entry.yaml"), new).unwrap();
}

async fn ask_new_entry(fake: &FakeTelegram, n: u32) {
    let user = TestUser::numbered(n, "sq");
    fake.send_text(user.chat_id(), &user, "zzqx unique");
    let msgs = fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    // Text the danger model cannot read may get the one-line urgent note first.
    let text = match msgs[0].text.strip_prefix('⚠') {
        Some(note) => note.split_once('\n').map_or("", |(_, rest)| rest),
        None => &msgs[0].text,
    };
    assert!(text.trim_start().starts_with("Zzqx unique title"), "{}", msgs[0].text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_picked_up_by_watching_and_a_broken_edit_is_reported_at_once() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = serve(dir.path(), &fake, "auto");
    bot.wait_log("Udha is running", WAIT).await;
    add_entry(dir.path());
    bot.wait_log("knowledge reloaded", WAIT).await;
    ask_new_entry(&fake, 1).await;

    // A maintainer misspells a field: the log points at the file and line, the bot keeps the last good knowledge.
    let file = dir.path().join("knowledge/safety/safety-save-evidence.yaml");
    let good = std::fs::read_to_string(&file).unwrap();
    let line = good
        .lines()
        .position(|l| l.trim_start().starts_with("summary:"))
        .map(|i| i + 1);
    std::fs::write(&file, good.replacen("summary:", "sumary:", 1)).unwrap();
    let expected = format!("safety-save-evidence.yaml:{}:", line.unwrap_or(0));
    bot.wait_log(&expected, WAIT).await;
    bot.wait_log("keeping the last good knowledge", WAIT).await;
    ask_new_entry(&fake, 2).await;
    let status = bot.stop().await;
    assert!(status.success(), "{}", bot.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_knowledge_and_does_not_stop_the_bot() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = serve(dir.path(), &fake, "off");
    bot.wait_log("Udha is running", WAIT).await;
    add_entry(dir.path());
    bot.signal("HUP");
    bot.wait_log("knowledge reloaded", WAIT).await;
    ask_new_entry(&fake, 3).await;
    assert!(bot.child.try_wait().unwrap().is_none(), "still running after SIGHUP");
    let status = bot.stop().await;
    assert!(status.success(), "{}", bot.log());
}
