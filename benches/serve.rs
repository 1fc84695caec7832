//! End to end: the real `udha serve` binary against the loopback fake Bot API server (tests/support), many chats
//! asking at once. Reports (figures in BENCHMARKS.md):
//! - throughput: updates/s with the overall send limit lifted (`--send-limit 0`, the bot's own ceiling);
//! - added latency p50/p99, update queued at the fake → the reply's sendMessage answered, at a steady rate below
//!   Telegram's limits;
//! - peak resident memory (VmHWM) after start and load, then after reloads; the reload time the bot logs.
//!
//! `cargo bench --bench serve` (env `UDHA_BENCH_CHATS`, default 2000; `UDHA_BENCH_RATE`, default 20/s;
//! `UDHA_BENCH_RELOADS`, default 5). CI only compiles it.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{FakeTelegram, TestUser};

const QUESTIONS: &[&str] = &[
    "si ta raportoj nje profil fals ne facebook",
    "me kercenon ish burri ne instagram",
    "how do I get my photos removed from instagram",
    "cili nen e denon ndjekjen",
    "where do I report online harassment to the police",
];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Bot {
    child: Child,
    log: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Bot {
    fn start(fake: &FakeTelegram, send_limit: &str) -> Bot {
        let dir = tempfile::tempdir().expect("temp dir");
        let knowledge = concat!(env!("CARGO_MANIFEST_DIR"), "/knowledge");
        let mut child = Command::new(env!("CARGO_BIN_EXE_udha"))
            .current_dir(dir.path())
            .args([
                "--knowledge",
                knowledge,
                "serve",
                "--send-limit",
                send_limit,
                "--watch",
                "off",
            ])
            .env("TELOXIDE_TOKEN", "123456:bench-token")
            .env("TELOXIDE_API_URL", fake.api_url().to_string())
            .env("DATABASE_URL", "sqlite:usage.sqlite3")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("udha serve starts (build it first: cargo bench builds it)");
        let mut stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("log").push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Bot { child, log, _dir: dir }
    }

    fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    async fn wait_log_count(&self, what: &str, n: usize) {
        while self.log().matches(what).count() < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// VmHWM (peak resident set) in MiB.
    fn peak_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// First sendMessage answered per chat, on the fake's clock.
fn first_replies(fake: &FakeTelegram) -> HashMap<i64, Duration> {
    let mut first = HashMap::new();
    for r in fake.requests_of("sendMessage") {
        if r.status == 200
            && let Some(chat) = r.body["chat_id"]
                .as_i64()
                .or_else(|| r.body["chat_id"].as_str()?.parse().ok())
        {
            first.entry(chat).or_insert(r.at);
        }
    }
    first
}

async fn warm_up(fake: &FakeTelegram) {
    let user = TestUser::numbered(1, "sq");
    fake.send_text(user.chat_id(), &user, "/start");
    fake.wait_for_bot_messages(user.chat_id(), 1, Duration::from_secs(60))
        .await;
}

async fn throughput(chats: usize) {
    let fake = FakeTelegram::start().await;
    let bot = Bot::start(&fake, "0");
    warm_up(&fake).await;
    let users: Vec<TestUser> = (0..chats)
        .map(|n| TestUser::numbered(10_000 + n as u32, "sq"))
        .collect();
    let started = Instant::now();
    for (i, u) in users.iter().enumerate() {
        fake.send_text(u.chat_id(), u, QUESTIONS[i % QUESTIONS.len()]);
    }
    for u in &users {
        fake.wait_for_bot_messages(u.chat_id(), 1, Duration::from_secs(600))
            .await;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "throughput: {chats} chats asking at once, send limit lifted: {:.0} updates/s ({secs:.2} s), peak RSS {:.1} MiB",
        chats as f64 / secs,
        bot.peak_mib()
    );
    bot.stop();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn latency_memory_reloads(n: usize, rate: usize, reloads: usize) {
    let fake = FakeTelegram::start().await;
    let bot = Bot::start(&fake, "30");
    warm_up(&fake).await;
    let fresh = bot.peak_mib();
    let users: Vec<TestUser> = (0..n).map(|i| TestUser::numbered(50_000 + i as u32, "sq")).collect();
    let every = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let mut queued = Vec::with_capacity(n);
    let mut next = tokio::time::Instant::now();
    for (i, u) in users.iter().enumerate() {
        tokio::time::sleep_until(next).await;
        next += every;
        queued.push((u.chat_id(), fake.now()));
        fake.send_text(u.chat_id(), u, QUESTIONS[i % QUESTIONS.len()]);
    }
    for u in &users {
        fake.wait_for_bot_messages(u.chat_id(), 1, Duration::from_secs(120))
            .await;
    }
    let replies = first_replies(&fake);
    let mut added: Vec<Duration> = queued
        .iter()
        .filter_map(|(chat, at)| replies.get(chat).map(|r| r.saturating_sub(*at)))
        .collect();
    added.sort();
    let after_load = bot.peak_mib();
    println!(
        "latency: {n} questions at {rate}/s: added p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&added, 0.5).as_secs_f64() * 1e3,
        percentile(&added, 0.99).as_secs_f64() * 1e3,
        added.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    for i in 1..=reloads {
        let _ = Command::new("kill")
            .arg("-HUP")
            .arg(bot.child.id().to_string())
            .status();
        bot.wait_log_count("knowledge reloaded", i).await;
    }
    let log = bot.log();
    let times: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("knowledge reloaded"))
        .filter_map(|l| l.split("elapsed_ms=").nth(1))
        .filter_map(|v| v.split_whitespace().next())
        .collect();
    println!(
        "memory: peak RSS fresh {fresh:.1} MiB, after load {after_load:.1} MiB, after {reloads} reloads {:.1} MiB",
        bot.peak_mib()
    );
    println!("reload: {} ms each (as logged)", times.join(", "));
    bot.stop();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: run only when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        throughput(env_or("UDHA_BENCH_CHATS", 2000)).await;
        latency_memory_reloads(200, env_or("UDHA_BENCH_RATE", 20), env_or("UDHA_BENCH_RELOADS", 5)).await;
    });
}
