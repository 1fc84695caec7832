//! The Telegram front end (`udha serve`): teloxide's dispatcher over the dialogue engine.
//!
//! Updates come by long polling (default) or webhook ([`webhook`]). Each message or button press becomes an engine
//! event; the reply is rendered as HTML ([`html`]) and sent as soon as Telegram's limits allow ([`limits`]), with
//! 429s waited out and retries and backoff for 5xx and network errors. Nothing identifying is logged: only kinds of
//! events and errors.

pub mod html;
pub mod limits;
mod profile;
pub mod webhook;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;

use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::dptree;
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, ChatId, ChosenInlineResult, CopyTextButton, InlineKeyboardButton, InlineKeyboardButtonKind,
    InlineKeyboardMarkup, InlineQuery, InlineQueryResult, InlineQueryResultArticle, InputMessageContent,
    InputMessageContentText, LinkPreviewOptions, Me, MessageId, ParseMode, SwitchInlineQueryChosenChat, Update,
};
use teloxide::update_listeners::Polling;
use teloxide::{ApiError, RequestError};

use crate::dialogue::{self, Conversations, Engine, Event, FrontEnd, Incoming, Limits, Reply, texts};
use crate::knowledge::Lang;

pub use crate::dialogue::TallySink;

/// The bot as every handler sees it. Sends go through [`limits::SendLimits`] (in the handlers' state).
pub(crate) type TgBot = Bot;

/// Where updates come from.
#[derive(Clone)]
pub enum Updates {
    /// Long polling (the default; one replica).
    Polling,
    /// Telegram posts updates to `url`; we listen on `listen` (several replicas behind a load balancer).
    Webhook {
        url: url::Url,
        listen: SocketAddr,
        /// Telegram sends it back with every update; posts without it are refused. Replicas share one.
        secret: String,
    },
}

impl std::fmt::Debug for Updates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Updates::Polling => f.write_str("Polling"),
            // Never print the secret.
            Updates::Webhook { url, listen, .. } => f
                .debug_struct("Webhook")
                .field("url", &url.as_str())
                .field("listen", listen)
                .field("secret", &"<redacted>")
                .finish(),
        }
    }
}

/// How to reach Telegram.
#[derive(Clone)]
pub struct Config {
    pub token: String,
    /// A self-hosted Bot API server, or a test server (`TELOXIDE_API_URL`).
    pub api_url: Option<url::Url>,
    pub updates: Updates,
    /// The bot's overall send limit in messages per second (`None`: no overall limit, e.g. a self-hosted Bot API
    /// server used by this bot alone). Per-chat limits always apply.
    pub send_limit: Option<u32>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("Config")
            .field("token", &"<redacted>")
            .field("api_url", &self.api_url)
            .field("updates", &self.updates)
            .field("send_limit", &self.send_limit)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "TELOXIDE_TOKEN is not set. Create a bot with @BotFather in Telegram, then run: TELOXIDE_TOKEN=<token> udha serve"
    )]
    MissingToken,
    #[error("TELOXIDE_API_URL is not a valid URL")]
    BadApiUrl,
    #[error("UDHA_WEBHOOK_SECRET must be 1 to 256 characters, only A-Z, a-z, 0-9, _ and - (Telegram's rule)")]
    BadWebhookSecret,
}

impl Config {
    /// From the environment: `TELOXIDE_TOKEN` (required) and `TELOXIDE_API_URL` (optional).
    pub fn from_env(updates: Updates) -> Result<Config, ConfigError> {
        let token = std::env::var("TELOXIDE_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .ok_or(ConfigError::MissingToken)?;
        let api_url = match std::env::var("TELOXIDE_API_URL") {
            Ok(u) if !u.trim().is_empty() => Some(url::Url::parse(u.trim()).map_err(|_| ConfigError::BadApiUrl)?),
            _ => None,
        };
        Ok(Config {
            token: token.trim().to_string(),
            api_url,
            updates,
            send_limit: Some(limits::TELEGRAM_OVERALL_PER_SECOND),
        })
    }
}

/// What Telegram shows, as the engine needs to know it: a first message that fits a phone screen, button labels
/// that fit a phone's width, copy buttons within Telegram's limit.
/// Telegram's most buttons in a row of an inline keyboard, and on one message.
const BUTTONS_PER_ROW: usize = 8;
const BUTTONS_PER_MESSAGE: usize = 100;

pub const SCREEN: Limits = Limits {
    message_chars: html::MAX_MESSAGE_CHARS,
    button_data_bytes: dialogue::callback::MAX_BYTES,
    first_message_chars: 1200,
    label_chars: 48,
    copy_chars: COPY_TEXT_MAX,
    buttons_per_row: BUTTONS_PER_ROW,
    buttons_per_message: BUTTONS_PER_MESSAGE,
};

/// How long Telegram may keep an inline query's answer: short, so a knowledge update shows soon.
const INLINE_CACHE_SECONDS: u32 = 60;

/// Everything the handlers share.
struct State {
    conversations: Conversations<ChatId, MessageId>,
    limits: limits::SendLimits,
}

/// Telegram as a front end: a reply goes to one chat (named with whether it is private) as HTML messages within
/// Telegram's limits, sent as soon as its send limits allow.
struct Telegram<'a> {
    bot: &'a TgBot,
    state: &'a State,
}

impl FrontEnd for Telegram<'_> {
    type Chat = (ChatId, bool);
    type Error = std::convert::Infallible;

    fn limits(&self) -> Limits {
        SCREEN
    }

    fn apply(&self, chat: &(ChatId, bool), reply: &Reply) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let (chat, private) = *chat;
        async move {
            if reply.clear_chat {
                deliver(self.bot, self.state, chat, private, &with_cleared_tip(reply)).await;
            } else {
                deliver(self.bot, self.state, chat, private, reply).await;
            }
            Ok(())
        }
    }
}

type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs the bot until `shutdown` completes; in-flight replies finish before it returns.
///
/// Start-up survives Telegram faults: in webhook mode the listener is bound once, first (a port that cannot be
/// bound is an error: the process exits non-zero), then `setWebhook` and `getMe` are retried with backoff until
/// they work; the commands are registered in the background, retried too. Telegram refusing the bot itself (a
/// wrong token, a webhook URL it will not accept) is an error, since retrying cannot fix it.
pub async fn run(
    engine: Engine,
    config: Config,
    tally: TallySink,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let bot = make_bot(&config)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = match &config.updates {
        Updates::Webhook { url, listen, secret } => {
            let mut stopped = stop_rx.clone();
            let stop = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            let bound = webhook::Server::bind(*listen, &webhook::path_of(url), secret.clone(), stop)
                .await
                .with_context(|| format!("cannot listen for the webhook on {listen}"))?;
            tracing::info!(%listen, "webhook listener bound");
            Some(bound)
        }
        Updates::Polling => None,
    };
    tokio::spawn(register_commands(bot.clone(), stop_rx.clone()));
    let state = Arc::new(State {
        conversations: Conversations::new(engine.with_limits(SCREEN), tally),
        limits: limits::SendLimits::new(config.send_limit),
    });
    let mut dispatcher = dispatcher(bot.clone(), state);
    let token = dispatcher.shutdown_token();
    let health = server.as_ref().map(|(s, _)| s.clone());
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing replies in flight");
        if let Some(h) = &health {
            h.set_health(webhook::Health::Stopping);
        }
        let _ = stop_tx.send(true);
        // The dispatcher may still be starting (idle): try until it accepts the request.
        for _ in 0..600 {
            match token.shutdown() {
                Ok(done) => {
                    done.await;
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    let Some((server, mut task)) = server else {
        return dispatch_loop(&mut dispatcher, &bot, &config.updates, None, stop_rx).await;
    };
    let dispatch = dispatch_loop(&mut dispatcher, &bot, &config.updates, Some(&server), stop_rx.clone());
    tokio::pin!(dispatch);
    tokio::select! {
        r = &mut dispatch => r,
        r = &mut task => {
            if *stop_rx.borrow() {
                dispatch.await
            } else {
                let why = match r {
                    Ok(Ok(())) => "it stopped".to_string(),
                    Ok(Err(e)) => e.to_string(),
                    Err(e) => e.to_string(),
                };
                anyhow::bail!("the webhook listener failed: {why}")
            }
        }
    }
}

fn make_bot(config: &Config) -> anyhow::Result<TgBot> {
    let client = teloxide::net::default_reqwest_settings().build()?;
    let mut bot = Bot::with_client(&config.token, client);
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    Ok(bot)
}

fn dispatcher(bot: TgBot, state: Arc<State>) -> Dispatcher<TgBot, Box<dyn std::error::Error + Send + Sync>, ()> {
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_inline_query().endpoint(on_inline_query))
        .branch(Update::filter_chosen_inline_result().endpoint(on_chosen_inline_result));
    Dispatcher::builder(bot, handler)
        .dependencies(dptree::deps![state])
        .default_handler(|_| async {})
        // No per-chat queues in the dispatcher: a chat's updates are put in order by its turn (`chats`), after a
        // cheap flood check, so one flooding chat cannot fill a queue and stall the others.
        .distribution_function(|_| None::<()>)
        .error_handler(Arc::new(|_e: Box<dyn std::error::Error + Send + Sync>| async {
            tracing::warn!("a handler failed");
        }))
        .build()
}

/// Connects to Telegram and dispatches until stopped, retrying what fails at start (never rebinding anything).
async fn dispatch_loop(
    dispatcher: &mut Dispatcher<TgBot, Box<dyn std::error::Error + Send + Sync>, ()>,
    bot: &TgBot,
    updates: &Updates,
    server: Option<&webhook::Server>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let listener_errors = Arc::new(|e: RequestError| async move {
        tracing::warn!(kind = error_kind(&e), "getting updates failed; retrying");
    });
    let mut attempt = 0u32;
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let result = match (updates, server) {
            (Updates::Webhook { url, secret, .. }, Some(server)) => {
                // A stop while Telegram keeps us waiting at start ends the wait.
                let set = tokio::select! {
                    r = set_webhook(bot, url, secret) => r,
                    _ = stop.wait_for(|s| *s) => return Ok(()),
                };
                match set {
                    Ok(()) => {
                        server.set_health(webhook::Health::Serving);
                        tracing::info!(listen = %server.local_addr(), "Udha is running on Telegram (webhook)");
                        let errors = Arc::new(|_e: std::convert::Infallible| async {});
                        dispatcher.try_dispatch_with_listener(server.listener(), errors).await
                    }
                    Err(e) => Err(e),
                }
            }
            _ => {
                let polling = Polling::builder(bot.clone())
                    .timeout(Duration::from_secs(10))
                    .backoff_strategy(backoff)
                    .delete_webhook()
                    .await
                    .build();
                tracing::info!("Udha is running on Telegram (long polling)");
                dispatcher
                    .try_dispatch_with_listener(polling, listener_errors.clone())
                    .await
            }
        };
        let e = match result {
            Ok(()) => return Ok(()),
            Err(e) => redact(e),
        };
        if let Some(server) = server {
            server.set_health(webhook::Health::Starting);
        }
        if is_refusal(&e) {
            anyhow::bail!("Telegram refused the bot: {} ({})", e, error_kind(&e));
        }
        attempt += 1;
        tracing::warn!(kind = error_kind(&e), attempt, "Telegram is unreachable; retrying");
        if !wait_unless_stopped(backoff(attempt), &mut stop).await {
            return Ok(());
        }
    }
}

/// Sets the webhook (with the secret Telegram will send back), then checks the token with `getMe`.
async fn set_webhook(bot: &TgBot, url: &url::Url, secret: &str) -> Result<(), RequestError> {
    bot.set_webhook(url.clone())
        .secret_token(secret.to_string())
        .send()
        .await?;
    bot.get_me().send().await?;
    Ok(())
}

/// Telegram said no to the bot itself (not a fault that passes): a wrong token, a webhook URL it refuses.
fn is_refusal(e: &RequestError) -> bool {
    matches!(e, RequestError::Api(_)) && !is_transient(e)
}

/// The one backoff of every retry here: the delay after the n-th failure (from 0) is 1, 2, 4 s, then every 5 s,
/// so the bot is back within seconds of Telegram returning after an outage.
fn backoff(n: u32) -> Duration {
    Duration::from_secs((1u64 << n.min(3)).min(5))
}

/// Sleeps for `delay` unless the bot stops first; whether to go on.
async fn wait_unless_stopped(delay: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => true,
        _ = stop.wait_for(|s| *s) => false,
    }
}

/// The commands in Telegram's menu and the bot's neutral descriptions, in both languages (Albanian also as the
/// default). Retried in the background until Telegram takes them (or the bot stops): answering does not wait.
async fn register_commands(bot: TgBot, mut stop: watch::Receiver<bool>) {
    let mut attempt = 0u32;
    loop {
        let mut failed = None;
        for lang in [None, Some(Lang::Sq), Some(Lang::En)] {
            if let Err(e) = present(&bot, lang).await {
                failed = Some(e);
            }
        }
        let Some(e) = failed else { return };
        attempt += 1;
        tracing::warn!(kind = error_kind(&e), attempt, "registering commands failed; retrying");
        if is_refusal(&e) && attempt >= 3 {
            return;
        }
        if !wait_unless_stopped(backoff(attempt), &mut stop).await {
            return;
        }
    }
}

/// Sets the commands, the description and the short description for one language (`None`: the default).
async fn present(bot: &TgBot, lang: Option<Lang>) -> Result<(), RequestError> {
    let shown = lang.unwrap_or(Lang::Sq);
    let commands: Vec<BotCommand> = dialogue::Command::ALL
        .into_iter()
        .map(|c| BotCommand::new(c.name(), profile::command_description(c, shown)))
        .collect();
    let (description, short) = profile::descriptions(shown);
    let mut set_commands = bot.set_my_commands(commands);
    let mut set_description = bot.set_my_description().description(description);
    let mut set_short = bot.set_my_short_description().short_description(short);
    if let Some(l) = lang {
        set_commands = set_commands.language_code(l.code());
        set_description = set_description.language_code(l.code());
        set_short = set_short.language_code(l.code());
    }
    set_commands.await?;
    set_description.await?;
    set_short.await?;
    Ok(())
}

async fn on_message(bot: TgBot, msg: teloxide::types::Message, state: Arc<State>) -> HandlerResult {
    let private = msg.chat.is_private();
    let event = if let Some(text) = msg.text() {
        Event::from_text(text)
    } else if is_media(&msg) {
        Event::Media
    } else if private {
        return Ok(()); // service messages: nothing to answer
    } else {
        Event::Media // added to a group, or anything else there: the one "private chat only" notice
    };
    let language_code = msg.from.as_ref().and_then(|u| u.language_code.as_deref());
    let chat = msg.chat.id;
    // A flood is dropped cheaply (its message ids are still remembered for "clear this chat").
    let Some(turn) = state
        .conversations
        .arrive(&chat, language_code, private.then_some(msg.id))
    else {
        return Ok(());
    };
    let _turn = turn.lock().await;
    let reply = state.conversations.answer(&chat, Incoming { event, private });
    show(&bot, &state, chat, private, &reply).await;
    Ok(())
}

async fn on_callback(bot: TgBot, q: CallbackQuery, state: Arc<State>) -> HandlerResult {
    let data = q.data.clone().unwrap_or_default();
    let language_code = q.from.language_code.as_deref();
    let Some(message) = q.regular_message() else {
        // The message is too old or inaccessible: the button can only be answered.
        let lang = language_code.and_then(Lang::from_code).unwrap_or(Lang::Sq);
        answer_callback(&bot, &q, Some(texts::texts(lang).expired.to_string())).await;
        return Ok(());
    };
    let chat = message.chat.id;
    let private = message.chat.is_private();
    let Some(turn) = state.conversations.arrive(&chat, language_code, None) else {
        answer_callback(&bot, &q, None).await;
        return Ok(());
    };
    let _turn = turn.lock().await;
    let reply = state.conversations.answer(
        &chat,
        Incoming {
            event: Event::Button(data),
            private,
        },
    );
    answer_callback(&bot, &q, reply.notice.clone()).await;
    show(&bot, &state, chat, private, &reply).await;
    Ok(())
}

/// Shows a reply in a chat through the Telegram front end (its errors are logged where they happen).
async fn show(bot: &TgBot, state: &State, chat: ChatId, private: bool, reply: &Reply) {
    let _ = Telegram { bot, state }.apply(&(chat, private), reply).await;
}

/// A cleared chat's reply with Telegram's own privacy settings named after the first paragraph.
fn with_cleared_tip(reply: &Reply) -> Reply {
    let mut reply = reply.clone();
    if let Some(first) = reply.messages.first_mut() {
        let at = first.parts.len().min(1);
        first
            .parts
            .insert(at, dialogue::Part::Text(profile::cleared_tip(reply.lang).into()));
    }
    reply
}

/// `@bot words` in any chat: the matching entries as cards to send there. The words are never kept or logged.
async fn on_inline_query(bot: TgBot, q: InlineQuery, me: Me, state: Arc<State>) -> HandlerResult {
    let reply = state.conversations.answer_outside(
        q.from.language_code.as_deref(),
        Incoming {
            event: Event::Inline(q.query.clone()),
            private: true,
        },
    );
    let results: Vec<InlineQueryResult> = reply
        .cards
        .iter()
        .filter_map(|c| article(c, me.user.username.as_deref()))
        .collect();
    let result = retry(|| {
        bot.answer_inline_query(q.id.clone(), results.clone())
            .cache_time(INLINE_CACHE_SECONDS)
            .is_personal(true)
            .send()
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(kind = error_kind(&e), "answering an inline query failed");
    }
    Ok(())
}

/// A card was sent into another chat (Telegram reports it when inline feedback is on): counted by entry only.
async fn on_chosen_inline_result(r: ChosenInlineResult, state: Arc<State>) -> HandlerResult {
    state.conversations.answer_outside(
        r.from.language_code.as_deref(),
        Incoming {
            event: Event::InlineChosen(r.result_id.clone()),
            private: true,
        },
    );
    Ok(())
}

/// A card as an article result: its title and description in the list; choosing it sends its first screen as
/// HTML (one message, within 4096 characters) with a button that opens the entry in a chat with the bot.
fn article(card: &dialogue::Card, bot_username: Option<&str>) -> Option<InlineQueryResult> {
    let text = html::render(&card.message).into_iter().next()?;
    let content = InputMessageContentText::new(text)
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_preview());
    let mut article = InlineQueryResultArticle::new(&card.id, &card.title, InputMessageContent::Text(content))
        .description(&card.description);
    if let Some(markup) = keyboard(&card.message, bot_username) {
        article = article.reply_markup(markup);
    }
    Some(InlineQueryResult::Article(article))
}

async fn answer_callback(bot: &TgBot, q: &CallbackQuery, notice: Option<String>) {
    let result = retry(|| {
        let mut request = bot.answer_callback_query(q.id.clone());
        if let Some(text) = &notice {
            request = request.text(text.clone());
        }
        request.send()
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(kind = error_kind(&e), "answering a button failed");
    }
}

fn is_media(msg: &teloxide::types::Message) -> bool {
    msg.sticker().is_some()
        || msg.photo().is_some()
        || msg.voice().is_some()
        || msg.audio().is_some()
        || msg.video().is_some()
        || msg.video_note().is_some()
        || msg.document().is_some()
        || msg.animation().is_some()
        || msg.contact().is_some()
        || msg.location().is_some()
}

/// Sends a reply: clears the chat first if asked, then each message (split as needed), remembering what was sent.
async fn deliver(bot: &TgBot, state: &State, chat: ChatId, private: bool, reply: &Reply) {
    if reply.clear_chat && private {
        let ids = state.conversations.take_messages(&chat);
        for batch in ids.chunks(100) {
            let batch: Vec<MessageId> = batch.to_vec();
            if let Err(e) = retry(|| bot.delete_messages(chat, batch.clone()).send()).await {
                // Messages older than 48 h cannot be deleted by a bot; the rest of the reply still goes out.
                tracing::warn!(kind = error_kind(&e), "deleting messages failed");
            }
        }
    }
    for message in &reply.messages {
        let chunks = html::render(message);
        let keyboard = keyboard(message, None);
        let last = chunks.len().saturating_sub(1);
        for (i, chunk) in chunks.iter().enumerate() {
            let markup = if i == last { keyboard.clone() } else { None };
            let result = retry(|| {
                let mut request = bot
                    .send_message(chat, chunk.clone())
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(no_preview());
                if let Some(m) = &markup {
                    request = request.reply_markup(m.clone());
                }
                async move {
                    state.limits.ready(chat).await;
                    request.send().await
                }
            })
            .await;
            match result {
                Ok(sent) if private => state.conversations.remember(&chat, sent.id),
                Ok(_) => {}
                Err(e) => tracing::warn!(kind = error_kind(&e), "sending a message failed"),
            }
        }
    }
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Telegram's limit for the text of a copy button.
const COPY_TEXT_MAX: usize = 256;

/// The message's buttons as an inline keyboard: callback data within 64 bytes, links only to https, copy texts
/// of 1 to 256 characters, share buttons that let the person choose a private chat or a group, and "open in
/// Udha" as the bot's deep link (only where the bot's username is known).
fn keyboard(message: &dialogue::Message, bot_username: Option<&str>) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = message
        .buttons
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|b| match b {
                    dialogue::Button::Share { label, query } => {
                        let chosen = SwitchInlineQueryChosenChat {
                            query: Some(query.clone()),
                            allow_user_chats: true,
                            allow_bot_chats: false,
                            allow_group_chats: true,
                            allow_channel_chats: false,
                        };
                        let kind = InlineKeyboardButtonKind::SwitchInlineQueryChosenChat(chosen);
                        Some(InlineKeyboardButton::new(label.clone(), kind))
                    }
                    dialogue::Button::Open { label, entry } => bot_username
                        .and_then(|bot| url::Url::parse(&format!("https://t.me/{bot}?start={entry}")).ok())
                        .map(|u| InlineKeyboardButton::url(label.clone(), u)),
                    dialogue::Button::Action { label, data }
                        if !data.is_empty() && data.len() <= dialogue::callback::MAX_BYTES =>
                    {
                        Some(InlineKeyboardButton::callback(label.clone(), data.clone()))
                    }
                    dialogue::Button::Link { label, url } => url::Url::parse(url)
                        .ok()
                        .filter(|u| u.scheme() == "https")
                        .map(|u| InlineKeyboardButton::url(label.clone(), u)),
                    dialogue::Button::Copy { label, text } if (1..=COPY_TEXT_MAX).contains(&text.chars().count()) => {
                        let copy = CopyTextButton { text: text.clone() };
                        Some(InlineKeyboardButton::copy_text_button(label.clone(), copy))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// How many times a request is retried after a network error or a 5xx, and how many 429s are waited out.
const TRANSIENT_RETRIES: u32 = 3;
const RATE_LIMITED_WAITS: u32 = 5;

/// Retries a request on network errors and Telegram's 5xx, with [`backoff`] (1, 2, 4 s), and waits out 429s for
/// as long as Telegram's `retry_after` says (up to 5 times); other API errors (400, 403) are final. Errors come
/// back without their request URL ([`redact`]).
async fn retry<T, F, Fut>(mut send: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let (mut failures, mut limited) = (0, 0);
    loop {
        match send().await.map_err(redact) {
            Ok(v) => return Ok(v),
            Err(RequestError::RetryAfter(s)) if limited < RATE_LIMITED_WAITS => {
                limited += 1;
                tokio::time::sleep(s.duration()).await;
            }
            Err(e) if failures < TRANSIENT_RETRIES && is_transient(&e) && !matches!(e, RequestError::RetryAfter(_)) => {
                tokio::time::sleep(backoff(failures)).await;
                failures += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn is_transient(e: &RequestError) -> bool {
    match e {
        RequestError::Network(_)
        | RequestError::Io(_)
        | RequestError::InvalidJson { .. }
        | RequestError::RetryAfter(_) => true,
        RequestError::Api(ApiError::Unknown(description)) => {
            let d = description.to_ascii_lowercase();
            d.contains("gateway")
                || d.contains("internal")
                || d.contains("unavailable")
                || d.contains("timeout")
                || d.contains("too many")
        }
        _ => false,
    }
}

/// The error without its request URL, which holds the token (teloxide hides a token only of the usual shape and
/// only at the start of the URL's path). Every error this module keeps or returns goes through here.
pub fn redact(e: RequestError) -> RequestError {
    match e {
        RequestError::Network(err) => match Arc::try_unwrap(err) {
            Ok(err) => RequestError::Network(Arc::new(err.without_url())),
            Err(shared) if shared.url().is_none() => RequestError::Network(shared),
            Err(_) => RequestError::Io(Arc::new(std::io::Error::other("network error (details withheld)"))),
        },
        other => other,
    }
}

/// What kind of error, for logs: never the error's text, which may quote a response with names or the token.
pub fn error_kind(e: &RequestError) -> &'static str {
    match e {
        RequestError::Api(_) => "telegram refused the request",
        RequestError::MigrateToChatId(_) => "group migrated",
        RequestError::RetryAfter(_) => "rate limited",
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "invalid response",
        RequestError::Io(_) => "io",
    }
}
