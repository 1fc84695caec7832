//! End to end: the real teloxide dispatcher (`udha serve`'s code path) against a loopback Bot API server that
//! enforces Telegram's rules (tests/support). Every test also checks that Telegram rejected nothing we sent.

mod common;
mod support;

use std::process::ExitCode;
use std::time::Duration;

use support::{FakeTelegram, Fault, SentMessage, TestUser};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use udha::dialogue::ui_texts;
use udha::knowledge::Lang;
use udha::telegram::{Config, Updates};

const TOKEN: &str = "123456789:AAH-udha-test-token-SECRET";
const WAIT: Duration = Duration::from_secs(20);

struct Bot {
    fake: FakeTelegram,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<ExitCode>>>,
    dir: tempfile::TempDir,
}

impl Bot {
    async fn start() -> Bot {
        Bot::start_with(FakeTelegram::start().await, Updates::Polling)
    }

    /// `udha serve`'s code path (`app::serve_async`) with counts in a temporary SQLite file.
    fn start_with(fake: FakeTelegram, updates: Updates) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite:{}?mode=rwc", dir.path().join("usage.sqlite3").display());
        let config = Config {
            token: TOKEN.into(),
            api_url: Some(fake.api_url()),
            updates,
            send_limit: Some(udha::telegram::limits::TELEGRAM_OVERALL_PER_SECOND),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(udha::app::serve_async(
            common::knowledge_dir(),
            db,
            common::shipped_index(),
            config,
            udha::app::Reloading::SIGHUP_ONLY,
            async {
                let _ = rx.await;
            },
        ));
        Bot {
            fake,
            stop: Some(tx),
            task: Some(task),
            dir,
        }
    }

    /// Stops the bot; returns its folder (the counts database), kept until the returned value is dropped.
    async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            // Replies in flight finish first (at most a minute of throttled replies to one chat).
            let result = tokio::time::timeout(Duration::from_secs(90), task)
                .await
                .expect("the bot stops in time")
                .expect("no panic");
            assert!(result.is_ok(), "{result:?}");
        }
        // A long poll cut short by the next one (as the bot stops) is Telegram's normal 409, not a rejection of ours.
        let rejected: Vec<_> = self
            .fake
            .rejections()
            .into_iter()
            .filter(|r| !(r.method == "getUpdates" && r.status == 409))
            .collect();
        assert!(rejected.is_empty(), "Telegram rejected requests: {rejected:#?}");
        self.dir
    }
}

fn texts_of(messages: &[SentMessage]) -> String {
    messages
        .iter()
        .map(|m| m.text.clone())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_shows_the_greeting_menu_and_commands_in_both_languages() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(1, "sq");
    bot.fake.send_text(user.chat_id(), &user, "/start");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let t = ui_texts(Lang::Sq);
    assert!(msgs[0].text.starts_with(t.greeting), "{}", msgs[0].text);
    let labels: Vec<String> = msgs[0].buttons().into_iter().map(|b| b.text).collect();
    assert!(
        labels.iter().any(|l| l == t.urgent) && labels.iter().any(|l| l == t.clear),
        "{labels:?}"
    );

    let en = TestUser::numbered(2, "en");
    bot.fake.send_text(en.chat_id(), &en, "/start");
    let msgs = bot.fake.wait_for_bot_messages(en.chat_id(), 1, WAIT).await;
    assert!(msgs[0].text.starts_with(ui_texts(Lang::En).greeting));

    // The commands are registered in the background (answering never waits for them): wait until they are.
    bot.fake
        .wait_until(WAIT, "setMyCommands for sq and en", || {
            ["sq", "en"].iter().all(|l| bot.fake.my_commands(l).is_some())
        })
        .await;
    for lang in ["sq", "en"] {
        let commands = bot
            .fake
            .my_commands(lang)
            .unwrap_or_else(|| panic!("setMyCommands for {lang}"));
        let names: Vec<&str> = commands.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(names, ["start", "menu", "help", "lang", "clear"]);
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_answered_in_their_language() {
    let bot = Bot::start().await;
    let index = common::shipped_index();
    let user = TestUser::numbered(3, "sq");
    bot.fake
        .send_text(user.chat_id(), &user, "dikush hapi llogari false me foton time");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let entry = index.knowledge().get("safety-fake-profile").unwrap();
    assert!(msgs[0].text.starts_with(&entry.text.sq.title), "{}", texts_of(&msgs));
    assert!(msgs[0].has_inline_keyboard());

    bot.fake
        .send_text(user.chat_id(), &user, "how do I report a fake account on instagram");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let answered = index
        .knowledge()
        .entries()
        .iter()
        .find(|e| msgs[0].text.starts_with(&e.text.en.title));
    // An entry opened, or the best titles offered when two are close: in English either way.
    let offered = msgs[0].text.starts_with(ui_texts(Lang::En).which_one)
        && msgs[0]
            .buttons()
            .first()
            .is_some_and(|b| b.text.starts_with("Instagram"));
    assert!(
        answered.is_some() || offered,
        "an English title first: {}",
        msgs[0].text
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emergency_gets_129_first() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(4, "sq");
    bot.fake
        .send_text(user.chat_id(), &user, "po me rreh tani, ka nje thike");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 2, WAIT).await;
    assert!(msgs[0].text.contains("129"), "{}", msgs[0].text);
    assert!(msgs[0].text.contains("116 117"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_can_be_walked_to_its_end_with_buttons() {
    let bot = Bot::start().await;
    let index = common::shipped_index();
    let user = TestUser::numbered(5, "en");
    let flow_entry = index.knowledge().get("flow-intimate-images").unwrap();
    let flow = flow_entry.flow.as_ref().unwrap();
    bot.fake.start_payload(user.chat_id(), &user, "flow-intimate-images");
    let mut msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let mut step = flow.step(&flow.start).unwrap();
    let mut visited = 0;
    // Follow the first "goto" button of each step until a step that only offers entries.
    while let Some(next) = step.options.iter().find(|o| o.goto.is_some()) {
        assert!(
            msgs.last().unwrap().text.contains(step.text.en.trim()),
            "step {} shown",
            step.id
        );
        let (_, query) = bot.fake.click(user.chat_id(), &user, &next.label.en);
        msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
        assert!(bot.fake.wait_for_callback_answer(&query, WAIT).await.text.is_none());
        step = flow.step(next.goto.as_deref().unwrap()).unwrap();
        visited += 1;
        assert!(visited < 20, "the flow ends");
    }
    let last = msgs.last().unwrap();
    assert!(last.text.contains(step.text.en.trim()));
    let t = ui_texts(Lang::En);
    for label in [t.in_danger, t.menu, t.clear, t.back] {
        assert!(last.button(label).is_some(), "{label} on the last step");
    }
    // An entry offered at the end opens.
    let shown = index.knowledge().get(&step.show[0]).unwrap();
    bot.fake.click(
        user.chat_id(),
        &user,
        &shown.text.en.title.chars().take(20).collect::<String>(),
    );
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    assert!(msgs[0].text.starts_with(&shown.text.en.title));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_links_open_entries_and_unknown_ids_get_the_menu() {
    let bot = Bot::start().await;
    let index = common::shipped_index();
    let user = TestUser::numbered(6, "sq");
    bot.fake.start_payload(user.chat_id(), &user, "platform-stopncii");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    assert!(
        msgs[0]
            .text
            .starts_with(&index.knowledge().get("platform-stopncii").unwrap().text.sq.title)
    );
    bot.fake.start_payload(user.chat_id(), &user, "no-such-entry");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    assert!(msgs[0].text.starts_with(ui_texts(Lang::Sq).greeting));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_chat_deletes_the_whole_conversation() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(7, "sq");
    let chat = user.chat_id();
    bot.fake.send_text(chat, &user, "/start");
    bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    bot.fake.send_text(chat, &user, "ish burri me kercenon ne mesazhe");
    bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    bot.fake.send_sticker(chat, &user);
    bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    let before = bot.fake.live_messages(chat);
    assert!(before.len() >= 6, "{}", bot.fake.diagnostics(chat));
    let (_, query) = bot.fake.click(chat, &user, ui_texts(Lang::Sq).clear);
    bot.fake.wait_for_callback_answer(&query, WAIT).await;
    let t = ui_texts(Lang::Sq);
    bot.fake
        .wait_until(WAIT, "only the neutral line remains", || {
            let live = bot.fake.live_messages(chat);
            live.len() == 1 && live[0].from_bot && live[0].text.starts_with(t.cleared)
        })
        .await;
    // /clear works too, and also deletes the /clear message itself.
    bot.fake.send_text(chat, &user, "si ta bllokoj ne instagram");
    bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    bot.fake.send_text(chat, &user, "/clear");
    bot.fake
        .wait_until(WAIT, "only the neutral line remains after /clear", || {
            let live = bot.fake.live_messages(chat);
            live.len() == 1 && live[0].from_bot && live[0].text.starts_with(t.cleared)
        })
        .await;
    let line = &bot.fake.live_messages(chat)[0].text;
    assert!(
        line.contains("Telegram"),
        "Telegram's own privacy settings are named: {line}"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_stickers_forged_buttons_and_huge_messages_are_handled() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(8, "sq");
    let chat = user.chat_id();
    let group = -1_001_234_567_890;
    bot.fake.send_group_text(group, &user, "si raportohet nje profil fals");
    let msgs = bot.fake.wait_for_bot_messages(group, 1, WAIT).await;
    assert_eq!(msgs[0].text, ui_texts(Lang::Sq).private_only);
    bot.fake.send_group_text(group, &user, "perseri");
    bot.fake.expect_no_bot_messages(group, Duration::from_millis(800)).await;

    bot.fake.send_sticker(chat, &user);
    let msgs = bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    assert!(msgs[0].text.starts_with(ui_texts(Lang::Sq).text_only));
    bot.fake.send_photo(chat, &user, Some("foto"));
    bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    bot.fake.send_voice(chat, &user);
    bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;

    let menu_id = msgs[0].message_id;
    for forged in ["garbage", "1se../../etc", "0smm", &"\u{1}".repeat(64)] {
        let query = bot.fake.press_button(chat, &user, menu_id, forged);
        let answer = bot.fake.wait_for_callback_answer(&query, WAIT).await;
        assert_eq!(answer.text.as_deref(), Some(ui_texts(Lang::Sq).expired));
        bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    }

    let long = "me kercenon ne instagram dhe nuk di cfare te bej ".repeat(110);
    assert!(long.chars().count() > 5000);
    bot.fake.send_text(chat, &user, &long);
    let msgs = bot.fake.wait_for_bot_messages(chat, 1, WAIT).await;
    assert!(!msgs[0].text.is_empty());
    assert!(bot.fake.unanswered_callbacks().is_empty());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_waited_out_and_the_message_still_goes_out() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(9, "sq");
    bot.fake
        .fail_next("sendMessage", Fault::TooManyRequests { retry_after: 1 });
    bot.fake.send_text(user.chat_id(), &user, "/start");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    assert!(msgs[0].text.starts_with(ui_texts(Lang::Sq).greeting));
    assert_eq!(bot.fake.pending_faults(), 0);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_errors_and_5xx_are_retried() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(10, "sq");
    bot.fake.fail_next("sendMessage", Fault::Down);
    bot.fake.send_text(user.chat_id(), &user, "/start");
    bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    bot.fake.fail_next("sendMessage", Fault::BadGateway);
    bot.fake.send_text(user.chat_id(), &user, "/help");
    // teloxide waits 10 s after a 5xx before our retry goes out.
    bot.fake
        .wait_for_bot_messages(user.chat_id(), 1, Duration::from_secs(40))
        .await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_survives_telegram_being_down() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(11, "sq");
    bot.fake.send_text(user.chat_id(), &user, "/start");
    bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    bot.fake.set_down(true);
    tokio::time::sleep(Duration::from_secs(4)).await;
    bot.fake.send_text(user.chat_id(), &user, "/menu");
    bot.fake.set_down(false);
    bot.fake
        .wait_for_bot_messages(user.chat_id(), 1, Duration::from_secs(30))
        .await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_chats_at_once_are_all_answered() {
    let bot = Bot::start().await;
    let users: Vec<TestUser> = (100..300)
        .map(|n| TestUser::numbered(n, if n % 2 == 0 { "sq" } else { "en" }))
        .collect();
    for u in &users {
        bot.fake
            .send_text(u.chat_id(), u, "si ta raportoj nje llogari false ne facebook");
    }
    for u in &users {
        bot.fake
            .wait_for_bot_message_count(u.chat_id(), 1, Duration::from_secs(60))
            .await;
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entry_renders_as_valid_telegram_html_in_both_languages() {
    // Opens every entry through a deep link, each in its own chat: the fake rejects invalid HTML, text over 4096
    // characters and bad buttons. Long entries arrive in several messages, the buttons on the last one.
    let bot = Bot::start().await;
    let index = common::shipped_index();
    let mut chats = Vec::new();
    for (i, entry) in index.knowledge().entries().iter().enumerate() {
        for (j, lang) in ["sq", "en"].into_iter().enumerate() {
            let user = TestUser::numbered(1000 + (i * 2 + j) as u32, lang);
            bot.fake.start_payload(user.chat_id(), &user, &entry.id);
            chats.push((user, entry.clone(), lang));
        }
    }
    for (user, entry, lang) in &chats {
        let title = if *lang == "sq" {
            &entry.text.sq.title
        } else {
            &entry.text.en.title
        };
        bot.fake
            .wait_until(Duration::from_secs(90), &format!("{} in {lang}", entry.id), || {
                let msgs = bot.fake.bot_messages(user.chat_id());
                msgs.first().is_some_and(|m| m.text.starts_with(title.as_str()))
                    && msgs.last().is_some_and(SentMessage::has_inline_keyboard)
            })
            .await;
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_flooding_chat_does_not_stall_the_others() {
    let bot = Bot::start().await;
    let flooder = TestUser::numbered(40, "sq");
    let other = TestUser::numbered(41, "sq");
    for i in 0..150 {
        bot.fake.send_text(flooder.chat_id(), &flooder, &format!("mesazh {i}"));
    }
    bot.fake.send_text(other.chat_id(), &other, "/start");
    bot.fake
        .wait_for_bot_messages(other.chat_id(), 1, Duration::from_secs(15))
        .await;
    bot.fake.wait_for_updates_consumed(WAIT).await;
    assert!(bot.fake.bot_message_count(flooder.chat_id()) <= 2 * udha::dialogue::conversations::FLOOD_LIMIT);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_answers_too() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let listen: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let url: url::Url = format!("http://127.0.0.1:{port}/udha").parse().unwrap();
    let updates = Updates::Webhook {
        url,
        listen,
        secret: "webhook-secret-123".into(),
    };
    let bot = Bot::start_with(FakeTelegram::start().await, updates);
    let fake = &bot.fake;
    fake.wait_until(WAIT, "the webhook is set", || fake.webhook_url().is_some())
        .await;
    let user = TestUser::numbered(50, "en");
    fake.send_text(user.chat_id(), &user, "/start");
    let msgs = fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    assert!(msgs[0].text.starts_with(ui_texts(Lang::En).greeting));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_telegrams_flood_limits_nothing_is_refused_and_replies_stay_in_order() {
    // The fake answers 429 past 30 messages a second overall, as Telegram does: the limiter keeps under it while
    // 80 chats ask at once, each reply of two messages (urgent numbers first) in order.
    let bot = Bot::start().await;
    bot.fake.set_flood_limits(true);
    let users: Vec<TestUser> = (500..580).map(|n| TestUser::numbered(n, "sq")).collect();
    for u in &users {
        bot.fake.send_text(u.chat_id(), u, "po me rreh tani, ka nje thike");
    }
    for u in &users {
        let msgs = bot
            .fake
            .wait_for_bot_message_count(u.chat_id(), 2, Duration::from_secs(60))
            .await;
        assert!(msgs[0].text.contains("129"), "{}", texts_of(&msgs));
    }
    let limited: Vec<_> = bot.fake.requests().into_iter().filter(|r| r.status == 429).collect();
    assert!(limited.is_empty(), "{} sends were refused with 429", limited.len());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_help_and_contacts_offer_their_numbers_to_copy_and_laws_their_citation() {
    let bot = Bot::start().await;
    let user = TestUser::numbered(41, "sq");
    bot.fake
        .send_text(user.chat_id(), &user, "po me rreh tani, ka nje thike");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 2, WAIT).await;
    let copies: Vec<String> = msgs[0].buttons().into_iter().filter_map(|b| b.copy_text).collect();
    for number in ["129", "116 117", "116 111"] {
        assert!(copies.iter().any(|c| c == number), "{number} in {copies:?}");
    }
    let user = TestUser::numbered(42, "en");
    bot.fake.start_payload(user.chat_id(), &user, "contact-women-line");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    assert!(
        msgs[0]
            .buttons()
            .iter()
            .any(|b| b.copy_text.as_deref() == Some("116 117"))
    );
    let user = TestUser::numbered(43, "sq");
    bot.fake.start_payload(user.chat_id(), &user, "law-criminal-stalking");
    let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let citation = msgs[0]
        .buttons()
        .into_iter()
        .find_map(|b| b.copy_text)
        .expect("a citation to copy");
    assert!(citation.contains("121/a"), "{citation}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_and_neutral_descriptions_are_set_per_language_at_start() {
    let bot = Bot::start().await;
    let deadline = std::time::Instant::now() + WAIT;
    let all_set = || {
        ["", "sq", "en"].iter().all(|l| {
            bot.fake.my_commands(l).is_some()
                && bot.fake.my_description("description", l).is_some()
                && bot.fake.my_description("short_description", l).is_some()
        })
    };
    while !all_set() {
        assert!(
            std::time::Instant::now() < deadline,
            "commands and descriptions set within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sq = bot.fake.my_description("description", "sq").unwrap();
    let en = bot.fake.my_description("description", "en").unwrap();
    assert_ne!(sq, en, "each language its own words");
    assert_eq!(
        bot.fake.my_description("description", ""),
        Some(sq),
        "Albanian is the default"
    );
    for l in ["sq", "en"] {
        let words = format!(
            "{} {}",
            bot.fake.my_description("description", l).unwrap(),
            bot.fake.my_description("short_description", l).unwrap()
        )
        .to_lowercase();
        for topic in ["dhun", "violence", "abuse", "victim", "viktim"] {
            assert!(!words.contains(topic), "the {l} description names {topic:?}: {words}");
        }
    }
    bot.stop().await;
}

/// The first message of an answer fits a phone screen (Telegram's visible text, at most 1,200 characters).
const FIRST_SCREEN: usize = 1200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_come_short_first_with_more_and_sources_a_tap_away_in_both_languages() {
    let bot = Bot::start().await;
    for (n, lang, id) in [
        (61, Lang::Sq, "procedure-crm-referral"),
        (62, Lang::En, "law-protection-order"),
    ] {
        let t = ui_texts(lang);
        let user = TestUser::numbered(n, lang.code());
        bot.fake.start_payload(user.chat_id(), &user, id);
        let first = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await.remove(0);
        assert!(
            first.text.chars().count() <= FIRST_SCREEN,
            "{} chars: {}",
            first.text.chars().count(),
            first.text
        );
        assert!(
            !first.text.contains(t.sources),
            "sources are a tap away: {}",
            first.text
        );
        for label in [t.more, t.sources_button, t.share] {
            assert!(first.button(label).is_some(), "{label} on {:?}", first.buttons());
        }
        bot.fake.mark(user.chat_id());
        bot.fake
            .press_button_labeled(user.chat_id(), &user, first.message_id, t.more);
        let more = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await.remove(0);
        assert!(more.text.chars().count() > 100, "the rest of the entry: {}", more.text);
        bot.fake.mark(user.chat_id());
        bot.fake
            .press_button_labeled(user.chat_id(), &user, first.message_id, t.sources_button);
        let sources = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await.remove(0);
        assert!(sources.text.starts_with(t.sources), "{}", sources.text);
        assert!(
            sources.text.lines().count() >= 2,
            "at least one source: {}",
            sources.text
        );
    }
    bot.stop().await;
}

#[test]
fn every_entrys_first_screen_more_and_sources_are_valid_telegram_html_in_both_languages() {
    use udha::dialogue::{Event, Incoming, Session, callback};
    let engine = udha::dialogue::Engine::new(std::sync::Arc::new(arc_swap::ArcSwap::new(common::shipped_index())))
        .with_limits(udha::telegram::SCREEN);
    let index = engine.index();
    let mut checked = 0;
    for entry in index.knowledge().entries().iter().filter(|e| e.flow.is_none()) {
        for lang in Lang::ALL {
            let mut session = Session::new(Some(lang.code()));
            let open = |session: &mut Session, event: Event| engine.handle(session, Incoming { event, private: true });
            let first = open(&mut session, Event::from_text(&format!("/start {}", entry.id)));
            let mut messages = first.messages.clone();
            let shown = &first.messages[0];
            let visible: usize = udha::telegram::html::render(shown)
                .iter()
                .map(|h| {
                    support::tg_html::parse_html(h, true)
                        .expect("valid HTML")
                        .text
                        .chars()
                        .count()
                })
                .sum();
            assert!(
                visible <= FIRST_SCREEN,
                "{} {lang}: {visible} characters first",
                entry.id
            );
            for data in shown.all_buttons().filter_map(|b| match b {
                udha::dialogue::Button::Action { data, .. } => Some(data.clone()),
                _ => None,
            }) {
                if let Some(callback::Press {
                    action: callback::Action::Show { .. },
                    ..
                }) = callback::decode(&data)
                {
                    messages.extend(open(&mut session, Event::Button(data)).messages);
                }
            }
            for m in &messages {
                for html in udha::telegram::html::render(m) {
                    let parsed = support::tg_html::parse_html(&html, true)
                        .unwrap_or_else(|e| panic!("{} {lang}: invalid HTML ({e}): {html}", entry.id));
                    assert!(parsed.text.chars().count() <= 4096);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "{checked} messages checked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_queries_are_answered_with_valid_cards_in_both_languages() {
    let bot = Bot::start().await;
    let sq = TestUser::numbered(71, "sq");
    let en = TestUser::numbered(72, "en");
    let long: String = "si ta raportoj profilin e rreme ".repeat(8).chars().take(256).collect();
    let cases: Vec<(&TestUser, String, &str)> = vec![
        (&sq, "si ta referoj rastin te koordinatori".into(), "private"),
        (
            &en,
            "how do I get intimate photos removed from instagram".into(),
            "group",
        ),
        (&sq, String::new(), "sender"),
        (&en, String::new(), "supergroup"),
        (&sq, "<b>\"AND\" OR* title:x & 'ç' \\ )( ~2 ^3".into(), "private"),
        (&en, long, "private"),
    ];
    let mut answers = Vec::new();
    for (user, query, chat_type) in &cases {
        let id = bot.fake.inline_query(user, query, chat_type);
        answers.push((*user, query.clone(), bot.fake.wait_for_inline_answer(&id, WAIT).await));
    }
    let index = common::shipped_index();
    for (user, query, answer) in &answers {
        assert!(
            answer.cache_time.is_some_and(|c| (1..=300).contains(&c)),
            "a short cache: {:?}",
            answer.cache_time
        );
        assert!(answer.is_personal, "cards depend on the person's language");
        if query.contains("koordinatori") || query.contains("instagram") || query.is_empty() {
            assert!(!answer.results.is_empty(), "cards for {query:?}");
        }
        for r in &answer.results {
            let entry = index
                .knowledge()
                .get(&r.id)
                .unwrap_or_else(|| panic!("result id {} is an entry id", r.id));
            assert!(
                r.text.starts_with(&r.title),
                "the card starts with its title: {}",
                r.text
            );
            assert!(r.text.chars().count() <= FIRST_SCREEN, "{}: {}", r.id, r.text);
            assert_eq!(
                r.urls(),
                vec![format!("https://t.me/{}?start={}", bot.fake.bot_username(), entry.id)]
            );
            assert!(r.description.as_ref().is_some_and(|d| !d.is_empty()));
        }
        if query.is_empty() {
            let lang = if user.language_code.as_deref() == Some("en") {
                Lang::En
            } else {
                Lang::Sq
            };
            let first = &answer.results[0];
            assert_eq!(
                first.title,
                index.knowledge().get(&first.id).unwrap().text(lang).title,
                "in the person's language"
            );
        }
    }
    let (_, _, sq_answer) = &answers[0];
    assert!(
        sq_answer
            .results
            .iter()
            .take(3)
            .any(|r| r.id == "procedure-crm-referral"),
        "{:?}",
        sq_answer.results.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_share_button_brings_the_same_entry_first_and_a_chosen_card_is_counted() {
    let bot = Bot::start().await;
    for (n, lang, id) in [
        (81, "sq", "procedure-crm-referral"),
        (82, "en", "safety-save-evidence"),
        (83, "sq", "contact-women-line"),
        (84, "en", "law-criminal-stalking"),
    ] {
        let user = TestUser::numbered(n, lang);
        bot.fake.start_payload(user.chat_id(), &user, id);
        let msgs = bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
        let query = msgs[0]
            .buttons()
            .into_iter()
            .find_map(|b| b.share_query)
            .unwrap_or_else(|| panic!("{id}: a share button in {:?}", msgs[0].buttons()));
        let q = bot.fake.inline_query(&user, &query, "sender");
        let answer = bot.fake.wait_for_inline_answer(&q, WAIT).await;
        assert_eq!(answer.results.first().map(|r| r.id.as_str()), Some(id), "{query:?}");
        bot.fake.choose_inline_result(&user, id, &query);
    }
    // Let the chosen results be counted, then stop (counts are flushed at shutdown).
    let user = TestUser::numbered(85, "sq");
    bot.fake.send_text(user.chat_id(), &user, "/start");
    bot.fake.wait_for_bot_messages(user.chat_id(), 1, WAIT).await;
    let dir = bot.stop().await;
    let url = format!("sqlite:{}", dir.path().join("usage.sqlite3").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT topic, SUM(count) FROM usage_counts WHERE kind = 'inline' GROUP BY topic ORDER BY topic",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    assert_eq!(
        rows,
        [
            "contact-women-line",
            "law-criminal-stalking",
            "procedure-crm-referral",
            "safety-save-evidence"
        ]
        .map(|t| (t.to_string(), 1))
        .to_vec()
    );
}
