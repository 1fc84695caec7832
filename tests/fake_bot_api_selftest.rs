//! Self-test of the loopback fake Telegram Bot API (tests/support/fake_bot_api.rs), driven through teloxide itself so
//! the end-to-end tests can trust it: the JSON it returns deserializes into teloxide's types, and each rejection maps
//! to the `ApiError` teloxide gives for the real Telegram's.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::tg_html::parse_html;
use support::{ANY_METHOD, FakeTelegram, Fault, MessageKind, TestUser};
use teloxide::prelude::*;
use teloxide::types::{
    AllowedUpdate, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode, UpdateKind,
};
use teloxide::{ApiError, RequestError};

const TOKEN: &str = "123456:TEST-token";
const T: Duration = Duration::from_secs(5);

fn user() -> TestUser {
    TestUser::new(1001, "Arta")
        .last_name("Hoxha")
        .username("arta_h")
        .lang("sq")
}

fn api_error<T: std::fmt::Debug>(r: Result<T, RequestError>) -> ApiError {
    match r {
        Err(RequestError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn keyboard(data: &str) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback("Menu", data)]])
}

async fn updates(bot: &Bot) -> Vec<Update> {
    bot.get_updates().timeout(0).await.expect("getUpdates")
}

#[tokio::test]
async fn get_me_webhook_info_and_methods_case_insensitive() {
    let fake = FakeTelegram::start_with_token(TOKEN).await;
    let bot = fake.bot(TOKEN);
    let me = bot.get_me().await.unwrap();
    assert_eq!(me.username(), fake.bot_username());
    assert_eq!(me.id.0 as i64, 123456);
    let info = bot.get_webhook_info().await.unwrap();
    assert!(info.url.is_none());
    assert_eq!(info.pending_update_count, 0);
    bot.delete_webhook().await.unwrap();
    // teloxide sends PascalCase; the log uses the documented names.
    assert_eq!(fake.requests_of("getMe").len(), 1);
    assert_eq!(fake.requests_of("GetWebhookInfo").len(), 1);
    assert_eq!(fake.requests()[0].method, "getMe");

    // Wrong token → 401, unknown method → 404, as Telegram.
    let r = api_error(fake.bot("999:other").get_me().await);
    assert!(matches!(r, ApiError::InvalidToken), "{r:?}");
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}bot{TOKEN}/noSuchMethod", fake.api_url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    // Form-encoded parameters work too.
    let resp = http
        .post(format!("{}bot{TOKEN}/getMyCommands", fake.api_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("language_code=sq")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({ "ok": true, "result": [] }));
}

#[tokio::test]
async fn sequential_ids_html_entities_and_live_messages() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let u = user();
    let chat = ChatId(u.chat_id());
    assert_eq!(fake.send_text(u.chat_id(), &u, "hello"), 1);

    let m = bot
        .send_message(chat, "<b>Hi</b> &amp; <a href=\"https://example.org/x\">bye</a> 🙂")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard("v1:menu"))
        .await
        .unwrap();
    assert_eq!(m.id, MessageId(2));
    assert_eq!(m.text(), Some("Hi & bye 🙂"));
    let entities = m.entities().unwrap();
    assert_eq!(entities.len(), 2);
    assert_eq!((entities[1].offset, entities[1].length), (5, 3));
    assert!(m.reply_markup().is_some());
    assert_eq!(fake.send_text(u.chat_id(), &u, "third"), 3);
    let m4 = bot.send_message(chat, "plain <not a tag>").await.unwrap();
    assert_eq!(m4.id, MessageId(4));

    let live = fake.live_messages(u.chat_id());
    assert_eq!(
        live.iter().map(|m| (m.message_id, m.from_bot)).collect::<Vec<_>>(),
        [(1, false), (2, true), (3, false), (4, true)]
    );
    assert_eq!(
        live[1].raw_text,
        "<b>Hi</b> &amp; <a href=\"https://example.org/x\">bye</a> 🙂"
    );
    assert_eq!(
        live[1].button("menu").unwrap().callback_data.as_deref(),
        Some("v1:menu")
    );
    assert_eq!(live[3].text, "plain <not a tag>");

    // Edit: text replaced, keyboard dropped because none was given; the same edit again is "not modified".
    let e = bot
        .edit_message_text(chat, MessageId(2), "<i>edited</i>")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(e.text(), Some("edited"));
    assert!(fake.message(u.chat_id(), 2).unwrap().reply_markup.is_none());
    let r = api_error(
        bot.edit_message_text(chat, MessageId(2), "<i>edited</i>")
            .parse_mode(ParseMode::Html)
            .await,
    );
    assert!(matches!(r, ApiError::MessageNotModified), "{r:?}");
    bot.edit_message_reply_markup(chat, MessageId(2))
        .reply_markup(keyboard("v1:x"))
        .await
        .unwrap();
    assert_eq!(fake.message(u.chat_id(), 2).unwrap().edits, 2);
    let r = api_error(bot.edit_message_text(chat, MessageId(1), "x").await);
    assert!(matches!(r, ApiError::MessageCantBeEdited), "{r:?}");
    let r = api_error(bot.edit_message_text(chat, MessageId(99), "x").await);
    assert!(matches!(r, ApiError::MessageToEditNotFound), "{r:?}");

    // Clear: deleteMessages skips missing ids; the user's messages can be deleted in a private chat.
    bot.delete_messages(chat, vec![MessageId(1), MessageId(2), MessageId(3), MessageId(50)])
        .await
        .unwrap();
    assert_eq!(fake.live_message_ids(u.chat_id()), [4]);
    let r = api_error(bot.delete_messages(chat, vec![MessageId(1), MessageId(2)]).await);
    assert!(matches!(r, ApiError::MessageToDeleteNotFound), "{r:?}");
    bot.delete_message(chat, MessageId(4)).await.unwrap();
    let r = api_error(bot.delete_message(chat, MessageId(4)).await);
    assert!(matches!(r, ApiError::MessageToDeleteNotFound), "{r:?}");
    assert!(fake.live_messages(u.chat_id()).is_empty());
    assert_eq!(fake.bot_messages(u.chat_id()).len(), 2);
    assert!(fake.bot_messages(u.chat_id()).iter().all(|m| m.deleted));
    // Ids keep counting after deletions.
    assert_eq!(fake.send_text(u.chat_id(), &u, "again"), 5);
    assert_eq!(fake.rejections().len(), 5);
}

#[tokio::test]
async fn rejections_match_telegram() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let u = user();
    let chat = ChatId(u.chat_id());
    fake.open_private_chat(&u);

    // Length counts characters after entity parsing.
    let r = api_error(bot.send_message(chat, "a".repeat(4097)).await);
    assert!(matches!(r, ApiError::MessageIsTooLong), "{r:?}");
    bot.send_message(chat, "ë".repeat(4096)).await.unwrap();
    bot.send_message(chat, format!("<b>{}</b>", "a".repeat(4096)))
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    let r = api_error(
        bot.send_message(chat, "&lt;".repeat(4097))
            .parse_mode(ParseMode::Html)
            .await,
    );
    assert!(matches!(r, ApiError::MessageIsTooLong), "{r:?}");

    for (html, expected) in [
        ("<p>x</p>", "Unsupported start tag \"p\" at byte offset 0"),
        ("<b>x", "Can't find end tag corresponding to start tag \"b\""),
        (
            "<b><i>x</b></i>",
            "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\"",
        ),
        ("a < b", "Unsupported start tag \"\" at byte offset 2"),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        (
            "<span>x</span>",
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0",
        ),
        ("Tom & Jerry", "Character '&' at byte offset 4"),
    ] {
        match api_error(bot.send_message(chat, html).parse_mode(ParseMode::Html).await) {
            ApiError::CantParseEntities(d) => {
                assert!(d.starts_with("Bad Request: can't parse entities: "), "{d}");
                assert!(d.contains(expected), "{html:?}: {d}");
            }
            other => panic!("{html:?}: {other:?}"),
        }
    }
    for ok in [
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del>",
        "<span class=\"tg-spoiler\">s</span><tg-spoiler>s</tg-spoiler><a href='http://x.org'>a</a>",
        "<code>c</code><pre>p</pre><pre><code class=\"language-rust\">fn</code></pre>",
        "<blockquote>q</blockquote><blockquote expandable>q</blockquote><tg-emoji emoji-id=\"5368\">👍</tg-emoji>",
        "&lt;&gt;&amp;&quot;&#65;&#x42; a > b",
    ] {
        bot.send_message(chat, ok)
            .parse_mode(ParseMode::Html)
            .await
            .unwrap_or_else(|e| panic!("{ok:?}: {e}"));
    }
    let last = fake.last_bot_message(u.chat_id()).unwrap();
    assert_eq!(last.text, "<>&\"AB a > b");

    let r = api_error(bot.send_message(chat, "  ").await);
    assert!(matches!(r, ApiError::MessageTextIsEmpty), "{r:?}");
    let r = api_error(bot.send_message(chat, "<b></b>").parse_mode(ParseMode::Html).await);
    assert!(matches!(r, ApiError::MessageTextIsEmpty), "{r:?}");

    let r = api_error(
        bot.send_message(chat, "x")
            .reply_markup(keyboard(&"d".repeat(65)))
            .await,
    );
    assert!(matches!(r, ApiError::ButtonDataInvalid), "{r:?}");
    bot.send_message(chat, "x")
        .reply_markup(keyboard(&"d".repeat(64)))
        .await
        .unwrap();
    let r = api_error(bot.send_message(chat, "x").reply_markup(keyboard("")).await);
    assert!(matches!(r, ApiError::ButtonDataInvalid), "{r:?}");
    let url_button = |u: &str| {
        InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url(
            "Open",
            reqwest::Url::parse(u).unwrap(),
        )]])
    };
    let r = api_error(
        bot.send_message(chat, "x")
            .reply_markup(url_button("ftp://example.org/f"))
            .await,
    );
    assert!(matches!(r, ApiError::ButtonUrlInvalid), "{r:?}");
    bot.send_message(chat, "x")
        .reply_markup(url_button("https://example.org/f"))
        .await
        .unwrap();
    // Copy buttons: 1 to 256 characters to copy.
    let copy_button = |t: &str| {
        let copy = teloxide::types::CopyTextButton { text: t.into() };
        InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::copy_text_button("Copy", copy)]])
    };
    for bad in ["", &"9".repeat(257)] {
        let r = bot.send_message(chat, "x").reply_markup(copy_button(bad)).await;
        assert!(r.is_err(), "copy text of {} characters", bad.len());
    }
    bot.send_message(chat, "x")
        .reply_markup(copy_button("116 117"))
        .await
        .unwrap();

    let r = api_error(bot.send_message(ChatId(424242), "hi").await);
    assert!(matches!(r, ApiError::ChatNotFound), "{r:?}");
    let r = api_error(
        bot.send_chat_action(ChatId(424242), teloxide::types::ChatAction::Typing)
            .await,
    );
    assert!(matches!(r, ApiError::ChatNotFound), "{r:?}");
    bot.send_chat_action(chat, teloxide::types::ChatAction::Typing)
        .await
        .unwrap();
    assert_eq!(fake.chat_actions(u.chat_id()), ["typing"]);

    let r = api_error(
        bot.answer_callback_query(teloxide::types::CallbackQueryId("no-such-query".into()))
            .await,
    );
    assert!(matches!(r, ApiError::InvalidQueryId), "{r:?}");
    // Only rejected requests count, not the accepted ones.
    assert!(fake.rejections().iter().all(|r| r.status == 400));
}

#[tokio::test]
async fn html_parser_matches_tdlib_messages() {
    // Expected messages are TDLib's own, from its parse_html tests.
    for (text, expected) in [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", "Unsupported start tag \"abac\" at byte offset 13"),
        (
            "🏟 🏟&lt;<i   =aba>",
            "Empty attribute name in the tag \"i\" at byte offset 13",
        ),
        (
            "🏟 🏟&lt;<i    aba>",
            "Expected equal sign in declaration of an attribute of the tag \"i\" at byte offset 13",
        ),
        ("🏟 🏟&lt;<i    aba  =  ", "Unclosed start tag \"i\" at byte offset 13"),
        (
            "🏟 🏟&lt;<i    aba  =  190azAz-.,",
            "Unexpected end of name token at byte offset 27",
        ),
        (
            "🏟 🏟&lt;<i    aba  =  \"&lt;&gt;&quot;>",
            "Unclosed start tag at byte offset 13",
        ),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            "🏟 🏟&lt;<i>a</em   >",
            "Unmatched end tag at byte offset 17, expected \"</i>\", found \"</em>\"",
        ),
    ] {
        assert_eq!(parse_html(text, false).unwrap_err(), expected, "{text:?}");
    }
    let p = parse_html("🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>", false).unwrap();
    assert_eq!(p.text, "🏟 🏟🏟 ><🏟");
    assert_eq!(
        p.entities
            .iter()
            .map(|e| (e.kind, e.offset, e.length))
            .collect::<Vec<_>>(),
        [("italic", 5, 7), ("bold", 9, 3)]
    );
    let p = parse_html("🏟 🏟&lt;<i>🏟 🏟&lt;</>", false).unwrap();
    assert_eq!(
        (p.text.as_str(), p.entities[0].offset, p.entities[0].length),
        ("🏟 🏟<🏟 🏟<", 6, 6)
    );
    // Lenient mode keeps TDLib's treatment of unknown entities; strict mode rejects a bare '&'.
    assert_eq!(
        parse_html("&laquo; & &#12345678;", false).unwrap().text,
        "&laquo; & &#12345678;"
    );
    assert!(parse_html("a & b", true).is_err());
    let p = parse_html("<pre><code class=\"language-fift\">x</code></pre>", true).unwrap();
    assert_eq!(p.entities.len(), 1);
    assert_eq!(
        (p.entities[0].kind, p.entities[0].language.as_deref()),
        ("pre", Some("fift"))
    );
}

#[tokio::test]
async fn too_many_requests_carry_retry_after() {
    let fake = FakeTelegram::start().await;
    let u = user();
    fake.open_private_chat(&u);

    // Plain bot: the 429 surfaces as RetryAfter.
    fake.fail_next("sendMessage", Fault::TooManyRequests { retry_after: 1 });
    match fake.bot(TOKEN).send_message(ChatId(u.chat_id()), "x").await {
        Err(RequestError::RetryAfter(s)) => assert_eq!(s.seconds(), 1),
        other => panic!("{other:?}"),
    }
    let req = fake.requests_of("sendMessage");
    assert_eq!((req[0].status, req[0].injected), (429, true));

    assert!(fake.rejections().is_empty());
}

#[tokio::test]
async fn faults_gateway_down_outage_and_custom() {
    let fake = FakeTelegram::start().await;
    let http = reqwest::Client::new();
    let url = format!("{}bot{TOKEN}/getMe", fake.api_url());

    // 502 (checked with plain HTTP: teloxide sleeps 10 s after a 5xx).
    fake.fail_next(ANY_METHOD, Fault::BadGateway);
    let resp = http.post(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(resp.status(), 502);
    assert_eq!(resp.json::<Value>().await.unwrap()["description"], "Bad Gateway");
    fake.fail_next("getMe", Fault::BadGatewayHtml);
    let resp = http.post(&url).send().await.unwrap();
    assert_eq!(resp.status(), 502);
    assert!(resp.text().await.unwrap().contains("502 Bad Gateway"));

    // Down: the connection closes without an answer → a network error in teloxide.
    let bot = fake.bot(TOKEN);
    fake.fail_next("getMe", Fault::Down);
    match bot.get_me().await {
        Err(RequestError::Network(_)) => {}
        other => panic!("{other:?}"),
    }
    bot.get_me().await.unwrap();

    // Outage: everything fails until it's over, the long poll in flight included.
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    fake.set_down(true);
    assert!(matches!(poll.await.unwrap(), Err(RequestError::Network(_))));
    assert!(matches!(bot.get_me().await, Err(RequestError::Network(_))));
    assert!(http.post(&url).send().await.is_err());
    fake.set_down(false);
    bot.get_me().await.unwrap();

    // Any error, for the next N calls.
    fake.fail_next_n(
        "getMe",
        Fault::Error {
            status: 403,
            description: "Forbidden: bot was blocked by the user".into(),
        },
        2,
    );
    assert!(matches!(api_error(bot.get_me().await), ApiError::BotBlocked));
    assert!(matches!(api_error(bot.get_me().await), ApiError::BotBlocked));
    bot.get_me().await.unwrap();

    // ANY_METHOD leaves getUpdates alone; Delay answers normally, late.
    fake.fail_next(ANY_METHOD, Fault::Delay(Duration::from_millis(300)));
    updates(&bot).await;
    assert_eq!(fake.pending_faults(), 1);
    let t = Instant::now();
    bot.get_me().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(fake.pending_faults(), 0);
}

#[tokio::test]
async fn long_polling_offsets_and_allowed_updates() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let u = user();

    // A long poll returns as soon as an update arrives.
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    fake.send_text(u.chat_id(), &u, "Ndihmë, më kërcënojnë");
    let got = poll.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(got.len(), 1);
    let UpdateKind::Message(msg) = &got[0].kind else {
        panic!("{:?}", got[0].kind)
    };
    assert_eq!(msg.text(), Some("Ndihmë, më kërcënojnë"));
    assert_eq!(msg.chat.id, ChatId(1001));
    let from = msg.from.as_ref().unwrap();
    assert_eq!(
        (from.first_name.as_str(), from.language_code.as_deref()),
        ("Arta", Some("sq"))
    );

    // Unconfirmed updates come again; an offset confirms them.
    assert_eq!(updates(&bot).await.len(), 1);
    let next = got[0].id.0 + 1;
    assert!(
        bot.get_updates()
            .offset(next as i32)
            .timeout(0)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(fake.pending_update_count(), 0);

    // A timeout with nothing to deliver waits, then returns empty.
    let t = Instant::now();
    assert!(bot.get_updates().timeout(1).await.unwrap().is_empty());
    assert!(t.elapsed() >= Duration::from_millis(900));

    // Ids increase; limit; commands carry a bot_command entity.
    fake.start_payload(u.chat_id(), &u, "entry-id");
    fake.send_text(u.chat_id(), &u, "two");
    let batch = bot.get_updates().limit(1).await.unwrap();
    assert_eq!(batch.len(), 1);
    let all = updates(&bot).await;
    assert!(all[1].id.0 > all[0].id.0 && all[0].id.0 > got[0].id.0);
    let UpdateKind::Message(start) = &all[0].kind else {
        panic!()
    };
    assert_eq!(start.text(), Some("/start entry-id"));
    assert_eq!(
        start.entities().unwrap()[0].kind,
        teloxide::types::MessageEntityKind::BotCommand
    );

    // allowed_updates persists and filters.
    bot.get_updates()
        .allowed_updates(vec![AllowedUpdate::CallbackQuery])
        .offset(all[1].id.0 as i32 + 1)
        .timeout(0)
        .await
        .unwrap();
    fake.send_text(u.chat_id(), &u, "filtered out");
    assert!(updates(&bot).await.is_empty());

    // A second poller terminates the first with 409, like Telegram.
    let first = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(5).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(1).await }
    });
    assert!(matches!(
        first.await.unwrap(),
        Err(RequestError::Api(ApiError::TerminatedByOtherGetUpdates))
    ));
    assert!(second.await.unwrap().unwrap().is_empty());
}

#[tokio::test]
async fn media_group_and_callback_updates_deserialize() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let u = user();
    let other = TestUser::numbered(7, "en");
    fake.send_sticker(u.chat_id(), &u);
    fake.send_photo(u.chat_id(), &u, Some("a caption"));
    fake.send_voice(u.chat_id(), &u);
    fake.send_document(u.chat_id(), &u, "evidence.pdf");
    fake.send_group_text(-4001, &other, "hello group");
    let got = updates(&bot).await;
    let msgs: Vec<&Message> = got
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::Message(m) => m,
            k => panic!("{k:?}"),
        })
        .collect();
    assert!(msgs[0].sticker().is_some());
    assert!(msgs[1].photo().is_some());
    assert_eq!(msgs[1].caption(), Some("a caption"));
    assert!(msgs[2].voice().is_some());
    assert_eq!(msgs[3].document().unwrap().file_name.as_deref(), Some("evidence.pdf"));
    assert!(msgs[4].chat.is_group());
    assert_eq!(msgs[4].from.as_ref().unwrap().username.as_deref(), Some("elira_k7"));
    assert_eq!(
        fake.live_messages(u.chat_id())
            .iter()
            .map(|m| m.kind)
            .collect::<Vec<_>>(),
        [
            MessageKind::Sticker,
            MessageKind::Photo,
            MessageKind::Voice,
            MessageKind::Document
        ]
    );
    // Group: ids per chat; the bot's own messages can be deleted, the user's can't.
    let g = bot.send_message(ChatId(-4001), "I work in private chat").await.unwrap();
    assert_eq!(g.id, MessageId(2));
    assert!(bot.delete_message(ChatId(-4001), MessageId(1)).await.is_err());
    bot.delete_message(ChatId(-4001), MessageId(2)).await.unwrap();

    // Callback query on a bot message.
    let m = bot
        .send_message(ChatId(u.chat_id()), "menu")
        .reply_markup(keyboard("v1:menu"))
        .await
        .unwrap();
    let (pressed_on, qid) = fake.click(u.chat_id(), &u, "Menu");
    assert_eq!(pressed_on, m.id.0);
    let forged = fake.press_button(u.chat_id(), &u, m.id.0, "v9:garbage\u{0}");
    let got = bot
        .get_updates()
        .offset(got.last().unwrap().id.0 as i32 + 1)
        .await
        .unwrap();
    let UpdateKind::CallbackQuery(q) = &got[0].kind else {
        panic!("{:?}", got[0].kind)
    };
    assert_eq!(q.id.0, qid);
    assert_eq!(q.data.as_deref(), Some("v1:menu"));
    assert_eq!(q.regular_message().unwrap().id, m.id);
    assert!(!fake.callback_answered(&qid));
    bot.answer_callback_query(q.id.clone()).text("ok").await.unwrap();
    assert_eq!(fake.callback_answer(&qid).unwrap().text.as_deref(), Some("ok"));
    let r = api_error(bot.answer_callback_query(q.id.clone()).await);
    assert!(matches!(r, ApiError::InvalidQueryId), "{r:?}");
    assert_eq!(fake.unanswered_callbacks(), [forged]);
}

#[tokio::test]
async fn commands_per_language() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let sq = vec![
        BotCommand::new("start", "Fillo"),
        BotCommand::new("clear", "Pastro bisedën"),
    ];
    let en = vec![
        BotCommand::new("start", "Start"),
        BotCommand::new("clear", "Clear this chat"),
    ];
    // Descriptions: up to 512 characters, short descriptions up to 120, per language.
    bot.set_my_description()
        .description("x".repeat(512))
        .language_code("sq")
        .await
        .unwrap();
    assert_eq!(fake.my_description("description", "sq").map(|d| d.len()), Some(512));
    assert!(bot.set_my_description().description("x".repeat(513)).await.is_err());
    assert!(
        bot.set_my_short_description()
            .short_description("x".repeat(121))
            .await
            .is_err()
    );
    bot.set_my_short_description().short_description("Short").await.unwrap();
    assert_eq!(fake.my_description("short_description", "").as_deref(), Some("Short"));
    bot.set_my_commands(sq).language_code("sq").await.unwrap();
    bot.set_my_commands(en).language_code("en").await.unwrap();
    bot.set_my_commands(vec![BotCommand::new("start", "Fillo")])
        .await
        .unwrap();
    assert_eq!(
        fake.my_commands("sq").unwrap()[1],
        ("clear".to_string(), "Pastro bisedën".to_string())
    );
    assert_eq!(fake.my_commands("en").unwrap()[1].1, "Clear this chat");
    assert_eq!(fake.my_commands("").unwrap().len(), 1);
    assert!(fake.my_commands("de").is_none());
    let got = bot.get_my_commands().language_code("en").await.unwrap();
    assert_eq!(got[0].description, "Start");
    let langs: Vec<Value> = fake
        .requests_of("setMyCommands")
        .iter()
        .map(|r| r.body["language_code"].clone())
        .collect();
    assert_eq!(langs, [json!("sq"), json!("en"), Value::Null]);
    let r = api_error(bot.set_my_commands(vec![BotCommand::new("Start", "x")]).await);
    assert!(
        matches!(r, ApiError::Unknown(ref d) if d == "Bad Request: BOT_COMMAND_INVALID"),
        "{r:?}"
    );
}

#[tokio::test]
async fn webhook_delivery() {
    use axum::{Router, extract::State, http::HeaderMap, routing::post};
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Option<String>, Value)>();
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State(tx): State<tokio::sync::mpsc::UnboundedSender<_>>, h: HeaderMap, body: String| async move {
                    let secret = h
                        .get("x-telegram-bot-api-secret-token")
                        .map(|v| v.to_str().unwrap().to_string());
                    tx.send((secret, serde_json::from_str::<Value>(&body).unwrap()))
                        .unwrap();
                    "ok"
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    bot.set_webhook(hook.parse().unwrap())
        .secret_token("s3cret".to_string())
        .await
        .unwrap();
    assert_eq!(fake.webhook_url().as_deref(), Some(hook.as_str()));
    let r = bot.get_updates().await;
    // Telegram's wording (teloxide only maps an older one to `CantGetUpdates`).
    assert!(
        matches!(&r, Err(RequestError::Api(ApiError::Unknown(d))) if d.starts_with("Conflict: can't use getUpdates")),
        "{r:?}"
    );
    let u = user();
    fake.send_text(u.chat_id(), &u, "via webhook");
    let (secret, update) = tokio::time::timeout(T, rx.recv()).await.unwrap().unwrap();
    assert_eq!(secret.as_deref(), Some("s3cret"));
    assert_eq!(update["message"]["text"], "via webhook");
    fake.wait_for_updates_consumed(T).await;
    assert_eq!(bot.get_webhook_info().await.unwrap().url.unwrap().as_str(), hook);
    bot.delete_webhook().await.unwrap();
    assert!(updates(&bot).await.is_empty());
}

/// The real dispatcher (teloxide long polling) against the fake: start-up calls, an answer, the waiters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teloxide_dispatcher_end_to_end() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = format!("<b>echo</b>: {}", msg.text().unwrap_or_default());
        bot.send_message(msg.chat.id, text)
            .parse_mode(ParseMode::Html)
            .reply_markup(keyboard("v1:menu"))
            .await?;
        Ok::<(), RequestError>(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let token = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    let users: Vec<TestUser> = (0..3).map(|n| TestUser::numbered(n, "en")).collect();
    for u in &users {
        fake.send_text(u.chat_id(), u, &format!("hi from {}", u.first_name));
    }
    for u in &users {
        let got = fake.wait_for_bot_messages(u.chat_id(), 1, T).await;
        assert_eq!(got[0].text, format!("echo: hi from {}", u.first_name));
        assert_eq!(got[0].entities[0]["type"], "bold");
    }
    fake.wait_for_updates_consumed(T).await;
    let methods: Vec<String> = fake.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(&methods[..2], ["getWebhookInfo", "getMe"]);
    assert!(methods.contains(&"getUpdates".to_string()));
    assert!(fake.rejections().is_empty(), "{:?}", fake.rejections());
    // The next text gets a fresh mark.
    fake.send_text(users[0].chat_id(), &users[0], "again");
    let got = fake.wait_for_bot_messages(users[0].chat_id(), 1, T).await;
    assert_eq!((got.len(), got[0].message_id), (1, 4));
    assert_eq!(fake.wait_for_bot_message_count(users[0].chat_id(), 2, T).await.len(), 2);
    let _ = token.shutdown();
    running.abort();
}

/// 200 chats at once, from 200 tasks: every chat gets its own id sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_chats() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let mut tasks = Vec::new();
    for n in 0..200 {
        let (fake, bot) = (fake.clone(), bot.clone());
        tasks.push(tokio::spawn(async move {
            let u = TestUser::numbered(n, if n % 2 == 0 { "sq" } else { "en" });
            assert_eq!(fake.send_text(u.chat_id(), &u, "hello"), 1);
            let m = bot
                .send_message(ChatId(u.chat_id()), format!("reply {n}"))
                .await
                .unwrap();
            assert_eq!(m.id, MessageId(2));
            let got = fake.wait_for_bot_messages(u.chat_id(), 1, T).await;
            assert_eq!(got[0].text, format!("reply {n}"));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(fake.chat_ids().len(), 200);
    assert_eq!(fake.pending_update_count(), 200);
    assert!(fake.rejections().is_empty());
}

#[tokio::test]
async fn flood_limits_opt_in() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let u = user();
    fake.send_group_text(-77, &u, "hi");
    fake.set_flood_limits(true);
    for i in 0..20 {
        bot.send_message(ChatId(-77), format!("m{i}")).await.unwrap();
    }
    match bot.send_message(ChatId(-77), "one too many").await {
        Err(RequestError::RetryAfter(s)) => assert!(s.seconds() >= 1),
        other => panic!("{other:?}"),
    }
}

/// Webhook mode with teloxide's own axum listener: setWebhook (multipart), delivery with the secret, answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teloxide_webhook_listener_end_to_end() {
    use teloxide::update_listeners::webhooks;
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url: reqwest::Url = format!("http://{addr}/webhook").parse().unwrap();
    let listener = webhooks::axum(bot.clone(), webhooks::Options::new(addr, url.clone()))
        .await
        .unwrap();
    assert_eq!(fake.webhook_url().as_deref(), Some(url.as_str()));
    let secret = fake.requests_of("setWebhook")[0].body["secret_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!secret.is_empty());

    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, "pong").await?;
        Ok::<(), RequestError>(())
    });
    let running = tokio::spawn(async move {
        Dispatcher::builder(bot, handler)
            .build()
            .dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("webhook listener"))
            .await
    });
    let u = user();
    fake.send_text(u.chat_id(), &u, "ping");
    let got = fake.wait_for_bot_messages(u.chat_id(), 1, T).await;
    assert_eq!(got[0].text, "pong");
    fake.wait_for_updates_consumed(T).await;
    running.abort();
}

#[tokio::test]
async fn inline_answers_and_share_buttons_are_checked_like_telegram() {
    use teloxide::types::{
        InlineKeyboardButtonKind, InlineQueryId, InlineQueryResult, InlineQueryResultArticle, InputMessageContent,
        InputMessageContentText, SwitchInlineQueryChosenChat,
    };
    let fake = FakeTelegram::start().await;
    let bot = fake.bot(TOKEN);
    let u = user();
    let article = |id: &str, text: &str| {
        let content = InputMessageContentText::new(text).parse_mode(ParseMode::Html);
        InlineQueryResult::Article(InlineQueryResultArticle::new(
            id,
            "Title",
            InputMessageContent::Text(content),
        ))
    };
    let q = fake.inline_query(&u, "si ta raportoj", "private");
    let ups = updates(&bot).await;
    assert!(
        ups.iter()
            .any(|up| matches!(&up.kind, UpdateKind::InlineQuery(iq) if iq.query == "si ta raportoj")),
        "an inline_query update teloxide reads"
    );
    let answer = |results: Vec<InlineQueryResult>| bot.answer_inline_query(InlineQueryId(q.clone()), results);
    let fifty_one: Vec<InlineQueryResult> = (0..51).map(|i| article(&format!("r{i}"), "x")).collect();
    for (bad, why) in [
        (fifty_one, "more than 50 results"),
        (vec![article("a", "x"), article("a", "y")], "duplicate ids"),
        (vec![article(&"i".repeat(65), "x")], "an id over 64 bytes"),
        (vec![article("a", "<b>unclosed")], "invalid HTML"),
        (vec![article("a", &"x".repeat(4097))], "text over 4096 characters"),
    ] {
        assert!(answer(bad).await.is_err(), "{why} is refused");
    }
    assert!(fake.inline_answer(&q).is_none(), "nothing was accepted");
    answer(vec![article("a", "<b>ok</b> &amp; fine")]).await.unwrap();
    let got = fake.inline_answer(&q).expect("answered");
    assert_eq!(got.results[0].text, "ok & fine");
    assert!(
        answer(vec![article("b", "x")]).await.is_err(),
        "a query is answered once"
    );
    let unknown = bot.answer_inline_query(InlineQueryId("no-such-query".into()), vec![article("a", "x")]);
    assert!(unknown.await.is_err(), "an unknown query id is refused");

    fake.choose_inline_result(&u, "a", "si ta raportoj");
    let ups = updates(&bot).await;
    assert!(
        ups.iter()
            .any(|up| matches!(&up.kind, UpdateKind::ChosenInlineResult(r) if r.result_id == "a"))
    );

    fake.open_private_chat(&u);
    let share = |allow: bool| {
        let chosen = SwitchInlineQueryChosenChat {
            query: Some("procedure-crm-referral".into()),
            allow_user_chats: allow,
            allow_bot_chats: false,
            allow_group_chats: allow,
            allow_channel_chats: false,
        };
        InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::new(
            "Share",
            InlineKeyboardButtonKind::SwitchInlineQueryChosenChat(chosen),
        )]])
    };
    let chat = ChatId(u.chat_id());
    assert!(
        bot.send_message(chat, "x").reply_markup(share(false)).await.is_err(),
        "a share button allows some chat"
    );
    bot.send_message(chat, "x").reply_markup(share(true)).await.unwrap();
}
