//! Peak resident memory of `udha serve` with the shipped knowledge stays within 64 MB, fresh and after knowledge
//! reloads (the figures of the release build are in BENCHMARKS.md; this checks the debug build of the tests, which
//! uses more). Linux only (reads /proc).

mod common;
mod process;
mod support;

use std::time::Duration;

use process::Udha;
use support::{FakeTelegram, TestUser};

const LIMIT_MIB: f64 = 64.0 * 1000.0 * 1000.0 / (1024.0 * 1024.0);
const WAIT: Duration = Duration::from_secs(60);

fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peak_memory_stays_within_64_mb_fresh_and_after_reloads() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let knowledge = common::knowledge_dir().display().to_string();
    let env = [
        ("TELOXIDE_TOKEN", "555000666:AAE-memory-token".to_string()),
        ("TELOXIDE_API_URL", fake.api_url().to_string()),
        ("DATABASE_URL", "sqlite:usage.sqlite3".to_string()),
        ("RUST_LOG", "info".to_string()),
    ];
    let mut udha = Udha::spawn(
        dir.path(),
        &["--knowledge", &knowledge, "serve", "--watch", "off"],
        &env,
    );
    let user = TestUser::numbered(1, "sq");
    fake.send_text(user.chat_id(), &user, "si ta raportoj nje profil fals");
    fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let Some(fresh) = peak_mib(udha.child.id()) else {
        println!("SKIPPED: no /proc/PID/status here");
        return;
    };
    for i in 1..=5 {
        udha.signal("HUP");
        let deadline = tokio::time::Instant::now() + WAIT;
        while udha.log().matches("knowledge reloaded").count() < i {
            assert!(tokio::time::Instant::now() < deadline, "reload {i}:\n{}", udha.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let reloaded = peak_mib(udha.child.id()).unwrap_or(f64::MAX);
    println!("peak RSS: fresh {fresh:.1} MiB, after 5 reloads {reloaded:.1} MiB");
    assert!(fresh <= LIMIT_MIB, "fresh peak {fresh:.1} MiB");
    assert!(reloaded <= LIMIT_MIB, "peak after reloads {reloaded:.1} MiB");
    let status = udha.stop().await;
    assert!(status.success(), "{}", udha.log());
}
