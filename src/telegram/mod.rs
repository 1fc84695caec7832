//! The Telegram front end (`udha serve`): teloxide's dispatcher over the dialogue engine.
//!
//! Updates come by long polling (default) or webhook. Each message or button press becomes an engine event; the
//! reply is rendered as HTML ([`html`]) and sent through teloxide's `Throttle` (Telegram's rate limits, 429s waited
//! out), with retries and backoff for 5xx and network errors. Nothing identifying is logged: only kinds of events
//! and errors.

pub mod chats;
pub mod html;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::dptree;
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode, Update,
};
use teloxide::update_listeners::Polling;
use teloxide::update_listeners::webhooks;
use teloxide::{ApiError, RequestError};

use crate::dialogue::{self, Engine, Event, Incoming, Reply, Tally, texts};
use crate::knowledge::Lang;
use chats::Chats;

/// The bot as every handler sees it: rate-limited.
pub type TgBot = Throttle<Bot>;

/// Where updates come from.
#[derive(Debug, Clone)]
pub enum Updates {
    /// Long polling (the default; one replica).
    Polling,
    /// Telegram posts updates to `url`; we listen on `listen` (several replicas behind a load balancer).
    Webhook {
        url: url::Url,
        listen: SocketAddr,
        secret: Option<String>,
    },
}

/// How to reach Telegram.
#[derive(Clone)]
pub struct Config {
    pub token: String,
    /// A self-hosted Bot API server, or a test server (`TELOXIDE_API_URL`).
    pub api_url: Option<url::Url>,
    pub updates: Updates,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("Config")
            .field("token", &"<redacted>")
            .field("api_url", &self.api_url)
            .field("updates", &self.updates)
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
        })
    }
}

/// Receives what to count.
pub type TallySink = Arc<dyn Fn(&Tally, Lang) + Send + Sync>;

/// Everything the handlers share.
struct State {
    engine: Engine,
    chats: Chats,
    tally: TallySink,
}

type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs the bot until `shutdown` completes; in-flight replies finish before it returns.
pub async fn run(
    engine: Engine,
    config: Config,
    tally: TallySink,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let client = teloxide::net::default_reqwest_settings().build()?;
    let mut bot = Bot::with_client(&config.token, client);
    if let Some(url) = &config.api_url {
        bot = bot.set_api_url(url.clone());
    }
    let bot: TgBot = bot.throttle(Limits::default());
    let state = Arc::new(State {
        engine,
        chats: Chats::default(),
        tally,
    });

    register_commands(&bot).await;

    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback));
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler)
        .dependencies(dptree::deps![state.clone()])
        .default_handler(|_| async {})
        // No per-chat queues in the dispatcher: a chat's updates are put in order by its turn (`chats`), after a
        // cheap flood check, so one flooding chat cannot fill a queue and stall the others.
        .distribution_function(|_| None::<()>)
        .error_handler(Arc::new(|_e: Box<dyn std::error::Error + Send + Sync>| async {
            tracing::warn!("a handler failed");
        }))
        .build();

    let token = dispatcher.shutdown_token();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing replies in flight");
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

    let listener_errors = Arc::new(|e: RequestError| async move {
        tracing::warn!(kind = error_kind(&e), "getting updates failed; retrying");
    });
    // Telegram may be unreachable at start-up: keep trying (getMe) with backoff instead of giving up.
    let mut attempt = 0u32;
    loop {
        let result = match &config.updates {
            Updates::Polling => {
                let polling = Polling::builder(bot.clone())
                    .timeout(Duration::from_secs(10))
                    .backoff_strategy(polling_backoff)
                    .delete_webhook()
                    .await
                    .build();
                tracing::info!("Udha is running on Telegram (long polling)");
                dispatcher
                    .try_dispatch_with_listener(polling, listener_errors.clone())
                    .await
            }
            Updates::Webhook { url, listen, secret } => {
                let mut options = webhooks::Options::new(*listen, url.clone());
                if let Some(s) = secret {
                    options = options.secret_token(s.clone());
                }
                let listener = match webhooks::axum(bot.clone(), options).await {
                    Ok(l) => l,
                    Err(e) => {
                        attempt += 1;
                        tracing::warn!(kind = error_kind(&e), attempt, "setting the webhook failed; retrying");
                        tokio::time::sleep(polling_backoff(attempt)).await;
                        continue;
                    }
                };
                tracing::info!(%listen, "Udha is running on Telegram (webhook)");
                let errors = Arc::new(|_e: std::convert::Infallible| async {});
                dispatcher.try_dispatch_with_listener(listener, errors).await
            }
        };
        match result {
            Ok(()) => return Ok(()),
            Err(e) => {
                attempt += 1;
                tracing::warn!(kind = error_kind(&e), attempt, "Telegram is unreachable; retrying");
                tokio::time::sleep(polling_backoff(attempt)).await;
            }
        }
    }
}

/// Delay before the n-th retry of getting updates: 1, 2, 4 s, then every 5 s, so the bot is back within seconds
/// of Telegram returning after an outage.
fn polling_backoff(n: u32) -> Duration {
    Duration::from_secs((1u64 << n.min(3)).min(5))
}

/// The commands in Telegram's menu, in both languages (Albanian also as the default).
async fn register_commands(bot: &TgBot) {
    for lang in [None, Some(Lang::Sq), Some(Lang::En)] {
        let t = texts::texts(lang.unwrap_or(Lang::Sq));
        let commands: Vec<BotCommand> = t.commands.iter().map(|(c, d)| BotCommand::new(*c, *d)).collect();
        let mut request = bot.set_my_commands(commands);
        if let Some(l) = lang {
            request = request.language_code(l.code());
        }
        if let Err(e) = request.await {
            tracing::warn!(kind = error_kind(&e), "registering commands failed");
        }
    }
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
    let Some(turn) = state.chats.arrive(chat, language_code, private.then_some(msg.id)) else {
        return Ok(());
    };
    let _turn = turn.lock().await;
    let mut session = state.chats.session(chat);
    let reply = state.engine.handle(&mut session, Incoming { event, private });
    state.chats.end(chat, session);
    deliver(&bot, &state, chat, private, reply).await;
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
    let Some(turn) = state.chats.arrive(chat, language_code, None) else {
        answer_callback(&bot, &q, None).await;
        return Ok(());
    };
    let _turn = turn.lock().await;
    let mut session = state.chats.session(chat);
    let reply = state.engine.handle(
        &mut session,
        Incoming {
            event: Event::Button(data),
            private,
        },
    );
    state.chats.end(chat, session);
    answer_callback(&bot, &q, reply.notice.clone()).await;
    deliver(&bot, &state, chat, private, reply).await;
    Ok(())
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
async fn deliver(bot: &TgBot, state: &State, chat: ChatId, private: bool, reply: Reply) {
    for t in &reply.tallies {
        (state.tally)(t, reply.lang);
    }
    if reply.clear_chat && private {
        let ids = state.chats.take_messages(chat);
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
        let keyboard = keyboard(message);
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
                request.send()
            })
            .await;
            match result {
                Ok(sent) if private => state.chats.remember(chat, sent.id),
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

/// The message's buttons as an inline keyboard: callback data within 64 bytes, links only to https.
fn keyboard(message: &dialogue::Message) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = message
        .buttons
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|b| match b {
                    dialogue::Button::Action { label, data }
                        if !data.is_empty() && data.len() <= dialogue::callback::MAX_BYTES =>
                    {
                        Some(InlineKeyboardButton::callback(label.clone(), data.clone()))
                    }
                    dialogue::Button::Link { label, url } => url::Url::parse(url)
                        .ok()
                        .filter(|u| u.scheme() == "https")
                        .map(|u| InlineKeyboardButton::url(label.clone(), u)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .filter(|row| !row.is_empty())
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// Retries a request on network errors and Telegram's 5xx, with backoff (1, 2, 4 s). 429s are already waited out
/// by `Throttle`; other API errors (400, 403) are final.
async fn retry<T, F, Fut>(mut send: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut delay = Duration::from_secs(1);
    let mut attempt = 0;
    loop {
        match send().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt < 3 && is_transient(&e) => {
                attempt += 1;
                let wait = match &e {
                    RequestError::RetryAfter(s) => s.duration(),
                    _ => delay,
                };
                tokio::time::sleep(wait).await;
                delay *= 2;
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
