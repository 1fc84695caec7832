//! A loopback fake of the Telegram Bot API for end-to-end tests, behaving like Telegram where the bot can tell.
//!
//! ```ignore
//! let fake = FakeTelegram::start().await;
//! let bot = teloxide::Bot::new("123:TEST").set_api_url(fake.api_url());   // or TELOXIDE_API_URL=fake.api_url()
//! let user = TestUser::new(1001, "Arta").lang("sq");
//! fake.send_text(user.chat_id(), &user, "/start");
//! let replies = fake.wait_for_bot_messages(user.chat_id(), 1, Duration::from_secs(5)).await;
//! ```
//!
//! What it models:
//! - `POST /bot{token}/{method}` (also GET; JSON, form-urlencoded and query-string parameters), method names matched
//!   case-insensitively (teloxide sends `SendMessage`). Unknown methods: 404 `Not Found`, as Telegram.
//! - Per-chat sequential message ids shared by user and bot messages; each chat keeps every message, live or
//!   deleted, with its text, entities and reply markup.
//! - `getUpdates` long polling: `offset` confirms (drops) updates with a lower id, `timeout` waits and returns early
//!   when an update arrives, `limit`, persistent `allowed_updates`; a second concurrent poller makes the first get
//!   409 `Conflict: terminated by other getUpdates request` like Telegram; 409 while a webhook is set.
//! - Webhooks: `setWebhook` (http:// loopback URLs accepted, unlike Telegram, which wants HTTPS) makes the fake POST
//!   the updates to that URL one by one with `X-Telegram-Bot-Api-Secret-Token`, retrying until a 2xx.
//! - Telegram's rejections, as `{"ok":false,"error_code":400,"description":"Bad Request: ..."}`; see `send_message`.
//! - Inline mode: `inline_query` and `chosen_inline_result` updates; `answerInlineQuery` checked like Telegram
//!   (a query answered once, at most 50 results, result ids 1–64 bytes and unique, a title, the message text valid
//!   and within 4096 characters, buttons as in messages); share buttons (`switch_inline_query_chosen_chat`) must
//!   allow some kind of chat.
//! - Injected faults per method (429 with `retry_after`, 502, a dropped connection, any error, a delay) and a whole
//!   outage (`set_down`).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::tg_html;

/// Pass as the method of `fail_next` to match every method except `getUpdates` (long polling runs all the time in
/// the background; target it by name when you mean it).
pub const ANY_METHOD: &str = "*";

/// Telegram's text limit, in characters (Unicode code points) after entity parsing.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Telegram's callback data limit, in bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

const DEFAULT_BOT_ID: i64 = 7_000_000_001;
const BOT_USERNAME: &str = "udha_test_bot";
const BOT_FIRST_NAME: &str = "Udha";
const FIRST_UPDATE_ID: i64 = 500_000_001;

const METHODS: &[&str] = &[
    "getMe",
    "logOut",
    "close",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "sendChatAction",
    "answerCallbackQuery",
    "answerInlineQuery",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "getFile",
    "getChat",
    "sendPhoto",
    "sendDocument",
    "sendSticker",
    "sendVoice",
    "forwardMessage",
    "copyMessage",
    "editMessageCaption",
];

/// Bot API method name in its documented spelling (`SendMessage` → `sendMessage`).
pub fn canonical_method(name: &str) -> String {
    if let Some(m) = METHODS.iter().find(|m| m.eq_ignore_ascii_case(name)) {
        return (*m).to_string();
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Public test-side types
// ------------------------------------------------------------------------------------------------------------------

/// A Telegram user in a test. In a private chat the chat id is the user id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestUser {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    /// Telegram's `language_code` (IETF tag from the user's app, e.g. `sq`, `en`, `en-GB`); `None` if unknown.
    pub language_code: Option<String>,
}

impl TestUser {
    pub fn new(id: i64, first_name: &str) -> Self {
        Self {
            id,
            first_name: first_name.to_string(),
            last_name: None,
            username: None,
            language_code: None,
        }
    }

    pub fn last_name(mut self, last_name: &str) -> Self {
        self.last_name = Some(last_name.to_string());
        self
    }

    pub fn username(mut self, username: &str) -> Self {
        self.username = Some(username.to_string());
        self
    }

    pub fn lang(mut self, language_code: &str) -> Self {
        self.language_code = Some(language_code.to_string());
        self
    }

    /// The n-th of many distinct users (id `710_000_000 + n`), with every identifying field unique and easy to grep
    /// for in a privacy scan: `Elira{n}`, `Kastrati{n}`, `@elira_k{n}`.
    pub fn numbered(n: u32, lang: &str) -> Self {
        Self::new(710_000_000 + i64::from(n), &format!("Elira{n}"))
            .last_name(&format!("Kastrati{n}"))
            .username(&format!("elira_k{n}"))
            .lang(lang)
    }

    /// The id of the private chat with this user.
    pub fn chat_id(&self) -> i64 {
        self.id
    }

    /// Bot API `User` JSON.
    pub fn json(&self) -> Value {
        let mut v = json!({ "id": self.id, "is_bot": false, "first_name": self.first_name });
        if let Some(x) = &self.last_name {
            v["last_name"] = x.clone().into();
        }
        if let Some(x) = &self.username {
            v["username"] = x.clone().into();
        }
        if let Some(x) = &self.language_code {
            v["language_code"] = x.clone().into();
        }
        v
    }

    fn private_chat_json(&self) -> Value {
        let mut v = json!({ "id": self.id, "type": "private", "first_name": self.first_name });
        if let Some(x) = &self.last_name {
            v["last_name"] = x.clone().into();
        }
        if let Some(x) = &self.username {
            v["username"] = x.clone().into();
        }
        v
    }
}

/// An injected failure, see [`FakeTelegram::fail_next`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after N",
    /// "parameters":{"retry_after":N}}` (teloxide: `RequestError::RetryAfter`; `Throttle` waits and retries).
    TooManyRequests { retry_after: u32 },
    /// HTTP 502 `{"ok":false,"error_code":502,"description":"Bad Gateway"}`. Note: teloxide sleeps 10 s after any
    /// 5xx before returning the error.
    BadGateway,
    /// HTTP 502 with the nginx HTML page Telegram's front end serves in outages (not JSON: teloxide reports
    /// `InvalidJson`, after its 10 s 5xx sleep).
    BadGatewayHtml,
    /// The connection is closed without a response (teloxide: `RequestError::Network`).
    Down,
    /// Any Telegram-style error, e.g. `Error { status: 403, description: "Forbidden: bot was blocked by the user" }`.
    Error { status: u16, description: String },
    /// Handle the request normally, after this delay.
    Delay(Duration),
}

/// What kind of message a stored message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Text,
    Sticker,
    Photo,
    Voice,
    Document,
}

/// One inline keyboard button of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub callback_data: Option<String>,
    pub url: Option<String>,
    /// A copy button's text (`copy_text.text`).
    pub copy_text: Option<String>,
    /// A share button's query (`switch_inline_query_chosen_chat.query`).
    pub share_query: Option<String>,
}

/// One result of an answered inline query, as the person would see it in the list and, chosen, in the chat.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineResult {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// The message it sends, as the recipient sees it (tags removed, entities decoded, trimmed).
    pub text: String,
    /// The message exactly as the bot gave it.
    pub raw_text: String,
    pub reply_markup: Option<Value>,
}

impl InlineResult {
    /// The URL buttons of the message it sends.
    pub fn urls(&self) -> Vec<String> {
        self.reply_markup
            .as_ref()
            .and_then(|m| m.get("inline_keyboard"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|b| b.get("url").and_then(Value::as_str).map(str::to_string))
            .collect()
    }
}

/// How the bot answered an inline query.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineAnswer {
    pub results: Vec<InlineResult>,
    pub cache_time: Option<i64>,
    pub is_personal: bool,
}

/// A message in a chat as the fake server holds it (user's or bot's), with its current content.
#[derive(Clone, Debug, PartialEq)]
pub struct SentMessage {
    pub chat_id: i64,
    pub message_id: i32,
    pub from_bot: bool,
    pub kind: MessageKind,
    /// The text as the user sees it (tags removed, entities decoded, trimmed); the caption for media.
    pub text: String,
    /// The text exactly as the bot sent it (the HTML source with `parse_mode: HTML`).
    pub raw_text: String,
    pub parse_mode: Option<String>,
    /// Bot API `MessageEntity` JSON objects (UTF-16 offsets).
    pub entities: Vec<Value>,
    /// The reply markup as sent (inline keyboard, reply keyboard, ...); `None` if none or removed by an edit.
    pub reply_markup: Option<Value>,
    pub reply_to: Option<i32>,
    /// How many times the bot edited this message (text or markup).
    pub edits: u32,
    /// Deleted since (by `deleteMessage`/`deleteMessages`).
    pub deleted: bool,
}

impl SentMessage {
    /// Inline keyboard rows.
    pub fn button_rows(&self) -> Vec<Vec<Button>> {
        let Some(rows) = self
            .reply_markup
            .as_ref()
            .and_then(|m| m.get("inline_keyboard"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        rows.iter()
            .map(|row| {
                row.as_array()
                    .map(|r| {
                        r.iter()
                            .map(|b| Button {
                                text: b.get("text").and_then(Value::as_str).unwrap_or_default().to_string(),
                                callback_data: b.get("callback_data").and_then(Value::as_str).map(str::to_string),
                                url: b.get("url").and_then(Value::as_str).map(str::to_string),
                                copy_text: b
                                    .get("copy_text")
                                    .and_then(|c| c.get("text"))
                                    .and_then(Value::as_str)
                                    .map(str::to_string),
                                share_query: b
                                    .get("switch_inline_query_chosen_chat")
                                    .and_then(|c| c.get("query"))
                                    .and_then(Value::as_str)
                                    .map(str::to_string),
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Inline keyboard buttons, row by row.
    pub fn buttons(&self) -> Vec<Button> {
        self.button_rows().into_iter().flatten().collect()
    }

    /// The first button whose label contains `label` (case-insensitive).
    pub fn button(&self, label: &str) -> Option<Button> {
        let needle = label.to_lowercase();
        self.buttons()
            .into_iter()
            .find(|b| b.text.to_lowercase().contains(&needle))
    }

    pub fn has_inline_keyboard(&self) -> bool {
        !self.buttons().is_empty()
    }
}

/// One request the server received, in arrival order (recorded when answered).
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// Canonical method name (`sendMessage`), or `file` for a file download.
    pub method: String,
    /// Parameters as JSON (form and query parameters become strings).
    pub body: Value,
    /// HTTP status returned (0 if the connection was dropped by `Fault::Down` / `set_down`).
    pub status: u16,
    /// The error description, if the request failed.
    pub description: Option<String>,
    /// True if the result came from an injected fault.
    pub injected: bool,
    /// When it was answered, since the server started.
    pub at: Duration,
}

/// How the bot answered a callback query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackAnswer {
    pub text: Option<String>,
    pub show_alert: bool,
    pub url: Option<String>,
    pub cache_time: Option<i64>,
}

// ------------------------------------------------------------------------------------------------------------------
// State
// ------------------------------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct StoredMessage {
    id: i32,
    seq: u64,
    from_bot: bool,
    from: Value,
    date: i64,
    edit_date: Option<i64>,
    kind: MessageKind,
    text: String,
    raw_text: String,
    parse_mode: Option<String>,
    entities: Vec<Value>,
    media: Option<Value>,
    reply_markup: Option<Value>,
    reply_to: Option<i32>,
    edits: u32,
    deleted: bool,
}

struct ChatState {
    id: i64,
    json: Value,
    is_private: bool,
    next_message_id: i32,
    messages: Vec<StoredMessage>,
    mark_seq: u64,
    actions: Vec<String>,
    recent_sends: VecDeque<Instant>,
}

impl ChatState {
    fn live(&self, id: i32) -> Option<&StoredMessage> {
        self.messages.iter().find(|m| m.id == id && !m.deleted)
    }

    fn live_mut(&mut self, id: i32) -> Option<&mut StoredMessage> {
        self.messages.iter_mut().find(|m| m.id == id && !m.deleted)
    }

    fn snapshot(&self, m: &StoredMessage) -> SentMessage {
        SentMessage {
            chat_id: self.id,
            message_id: m.id,
            from_bot: m.from_bot,
            kind: m.kind,
            text: m.text.clone(),
            raw_text: m.raw_text.clone(),
            parse_mode: m.parse_mode.clone(),
            entities: m.entities.clone(),
            reply_markup: m.reply_markup.clone(),
            reply_to: m.reply_to,
            edits: m.edits,
            deleted: m.deleted,
        }
    }

    fn message_json(&self, m: &StoredMessage, with_reply: bool) -> Value {
        let mut v = json!({ "message_id": m.id, "from": m.from, "chat": self.json, "date": m.date });
        if let Some(d) = m.edit_date {
            v["edit_date"] = d.into();
        }
        match m.kind {
            MessageKind::Text => {
                v["text"] = m.text.clone().into();
                if !m.entities.is_empty() {
                    v["entities"] = m.entities.clone().into();
                }
            }
            kind => {
                let key = match kind {
                    MessageKind::Sticker => "sticker",
                    MessageKind::Photo => "photo",
                    MessageKind::Voice => "voice",
                    _ => "document",
                };
                v[key] = m.media.clone().unwrap_or(Value::Null);
                if !m.text.is_empty() {
                    v["caption"] = m.text.clone().into();
                }
            }
        }
        if with_reply && let Some(r) = m.reply_to.and_then(|id| self.messages.iter().find(|x| x.id == id)) {
            v["reply_to_message"] = self.message_json(r, false);
        }
        if let Some(markup) = &m.reply_markup
            && markup.get("inline_keyboard").is_some()
        {
            v["reply_markup"] = markup.clone();
        }
        v
    }
}

struct PendingUpdate {
    id: i64,
    kind: &'static str,
    json: Value,
}

struct Webhook {
    url: String,
    secret_token: Option<String>,
    max_connections: i64,
    last_error: Option<(i64, String)>,
}

struct FaultRule {
    method: String,
    fault: Fault,
}

struct State {
    started: Instant,
    required_token: Option<String>,
    bot_id: i64,
    strict_ampersand: bool,
    flood_limits: bool,
    recent_sends: VecDeque<Instant>,
    down: bool,
    faults: Vec<FaultRule>,

    next_update_id: i64,
    updates: VecDeque<PendingUpdate>,
    allowed_updates: Option<Vec<String>>,
    poll_generation: u64,
    webhook: Option<Webhook>,
    webhook_allowed_updates: Option<Vec<String>>,

    seq: u64,
    chats: HashMap<i64, ChatState>,
    callbacks: HashMap<String, Option<CallbackAnswer>>,
    next_callback: u64,
    inline_queries: HashMap<String, Option<InlineAnswer>>,
    next_file: u64,
    files: HashMap<String, (String, i64)>,
    commands: BTreeMap<(String, String), Vec<(String, String)>>,
    /// `setMyDescription` / `setMyShortDescription` by (field, language code; "" for none).
    descriptions: BTreeMap<(String, String), String>,
    requests: Vec<RecordedRequest>,
}

impl State {
    fn bot_json(&self) -> Value {
        json!({ "id": self.bot_id, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME })
    }

    fn push_update(&mut self, kind: &'static str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        let mut json = json!({ "update_id": id });
        json[kind] = payload;
        self.updates.push_back(PendingUpdate { id, kind, json });
        id
    }

    fn ensure_private_chat(&mut self, user: &TestUser) {
        self.chats.entry(user.id).or_insert_with(|| ChatState {
            id: user.id,
            json: user.private_chat_json(),
            is_private: true,
            next_message_id: 1,
            messages: Vec::new(),
            mark_seq: 0,
            actions: Vec::new(),
            recent_sends: VecDeque::new(),
        });
    }

    fn ensure_group_chat(&mut self, chat_id: i64) {
        assert!(chat_id < 0, "group chat ids are negative, got {chat_id}");
        let kind = if chat_id <= -1_000_000_000_000 {
            "supergroup"
        } else {
            "group"
        };
        self.chats.entry(chat_id).or_insert_with(|| ChatState {
            id: chat_id,
            json: json!({ "id": chat_id, "type": kind, "title": format!("Test group {}", chat_id.unsigned_abs()) }),
            is_private: false,
            next_message_id: 1,
            messages: Vec::new(),
            mark_seq: 0,
            actions: Vec::new(),
            recent_sends: VecDeque::new(),
        });
    }

    /// Registers the chat for a user action and returns it, with the mark moved to "now".
    fn user_chat(&mut self, chat_id: i64, user: &TestUser) -> &mut ChatState {
        if chat_id > 0 {
            assert_eq!(chat_id, user.id, "in a private chat the chat id is the user id");
            self.ensure_private_chat(user);
        } else {
            self.ensure_group_chat(chat_id);
        }
        let seq = self.seq;
        let chat = self.chats.get_mut(&chat_id).expect("chat registered");
        chat.mark_seq = seq;
        chat
    }

    /// Stores a user message and queues its `message` update.
    fn add_user_message(
        &mut self,
        chat_id: i64,
        user: &TestUser,
        kind: MessageKind,
        text: &str,
        entities: Vec<Value>,
        media: Option<Value>,
    ) -> i32 {
        self.seq += 1;
        let seq = self.seq;
        let chat = self.user_chat(chat_id, user);
        chat.mark_seq = seq; // the user's own message is not a reply
        let id = chat.next_message_id;
        chat.next_message_id += 1;
        let msg = StoredMessage {
            id,
            seq,
            from_bot: false,
            from: user.json(),
            date: unix_now(),
            edit_date: None,
            kind,
            text: text.to_string(),
            raw_text: text.to_string(),
            parse_mode: None,
            entities,
            media,
            reply_markup: None,
            reply_to: None,
            edits: 0,
            deleted: false,
        };
        let json = chat.message_json(&msg, false);
        chat.messages.push(msg);
        self.push_update("message", json);
        id
    }

    fn new_file(&mut self, ext: &str, size: i64) -> (String, String) {
        self.next_file += 1;
        let n = self.next_file;
        let file_id = format!("AgACAgIAAxkBAAIB{n:08}FakeFileId");
        let unique = format!("AQAD{n:08}");
        self.files
            .insert(file_id.clone(), (format!("files/file_{n}.{ext}"), size));
        (file_id, unique)
    }

    fn record(&mut self, method: String, body: Value, status: u16, description: Option<String>, injected: bool) {
        let at = self.started.elapsed();
        self.requests.push(RecordedRequest {
            method,
            body,
            status,
            description,
            injected,
            at,
        });
    }

    fn take_fault(&mut self, method: &str) -> Option<Fault> {
        let pos = self.faults.iter().position(|r| {
            if r.method == ANY_METHOD {
                method != "getUpdates"
            } else {
                r.method.eq_ignore_ascii_case(method)
            }
        })?;
        Some(self.faults.remove(pos).fault)
    }

    fn update_allowed(&self, kind: &str, webhook: bool) -> bool {
        let list = if webhook {
            &self.webhook_allowed_updates
        } else {
            &self.allowed_updates
        };
        match list {
            Some(list) => list.iter().any(|k| k == kind),
            None => !matches!(kind, "chat_member" | "message_reaction" | "message_reaction_count"),
        }
    }

    fn drop_disallowed_updates(&mut self, webhook: bool) {
        let keep: Vec<bool> = self
            .updates
            .iter()
            .map(|u| self.update_allowed(u.kind, webhook))
            .collect();
        let mut keep = keep.into_iter();
        self.updates.retain(|_| keep.next().unwrap_or(true));
    }

    fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            while self.updates.front().is_some_and(|u| u.id < offset) {
                self.updates.pop_front();
            }
        } else if offset < 0 {
            let keep = offset.unsigned_abs() as usize;
            while self.updates.len() > keep {
                self.updates.pop_front();
            }
        }
    }
}

struct Inner {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    addr: SocketAddr,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }
}

struct ServerGuard {
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The fake Bot API server. Cheap to clone (all clones share one server); the server stops when the last clone is
/// dropped or the test's runtime ends.
#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Inner>,
    _guard: Arc<ServerGuard>,
}

// ------------------------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------------------------

struct ApiErr {
    status: u16,
    description: String,
    retry_after: Option<u32>,
}

fn bad(description: &str) -> ApiErr {
    ApiErr {
        status: 400,
        description: format!("Bad Request: {description}"),
        retry_after: None,
    }
}

fn err(status: u16, description: &str) -> ApiErr {
    ApiErr {
        status,
        description: description.to_string(),
        retry_after: None,
    }
}

fn too_many(retry_after: u32) -> ApiErr {
    ApiErr {
        status: 429,
        description: format!("Too Many Requests: retry after {retry_after}"),
        retry_after: Some(retry_after),
    }
}

const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply markup are exactly the \
                            same as a current content and reply markup of the message";
const INVALID_QUERY: &str = "query is too old and response timeout expired or query id is invalid";
const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 \
                                Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n";

#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fake Bot API: connection dropped on purpose")
    }
}

impl std::error::Error for DropConnection {}

// ------------------------------------------------------------------------------------------------------------------
// Parameters
// ------------------------------------------------------------------------------------------------------------------

fn p_i64(p: &Value, key: &str) -> Option<i64> {
    match p.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn p_str(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn p_bool(p: &Value, key: &str) -> bool {
    match p.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// A structured parameter: JSON in a JSON body, or a JSON string in form/query parameters.
fn p_json(p: &Value, key: &str) -> Option<Value> {
    match p.get(key)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Null => None,
        v => Some(v.clone()),
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Telegram adds a `bot_command` entity for a leading `/command`.
fn command_entities(text: &str) -> Vec<Value> {
    if !text.starts_with('/') {
        return Vec::new();
    }
    let cmd = text.split(char::is_whitespace).next().unwrap_or_default();
    if cmd.len() < 2 {
        return Vec::new();
    }
    vec![json!({ "type": "bot_command", "offset": 0, "length": utf16_len(cmd) })]
}

// ------------------------------------------------------------------------------------------------------------------
// Server
// ------------------------------------------------------------------------------------------------------------------

impl FakeTelegram {
    /// Starts a server on `127.0.0.1:0` that accepts any bot token.
    pub async fn start() -> Self {
        Self::start_inner(None).await
    }

    /// Starts a server that answers 401 `Unauthorized` to any other token than `token` (the bot id, from the part
    /// before `:`, is what `getMe` reports).
    pub async fn start_with_token(token: &str) -> Self {
        Self::start_inner(Some(token.to_string())).await
    }

    /// Starts a server on a given address, e.g. a port a bot has been failing to connect to (connection refused).
    pub async fn start_on(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the given address");
        Self::serve(listener, None)
    }

    async fn start_inner(token: Option<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        Self::serve(listener, token)
    }

    fn serve(listener: TcpListener, token: Option<String>) -> Self {
        let addr = listener.local_addr().expect("local addr");
        let bot_id = token
            .as_deref()
            .and_then(|t| t.split(':').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or(DEFAULT_BOT_ID);
        let state = State {
            started: Instant::now(),
            required_token: token,
            bot_id,
            strict_ampersand: true,
            flood_limits: false,
            recent_sends: VecDeque::new(),
            down: false,
            faults: Vec::new(),
            next_update_id: FIRST_UPDATE_ID,
            inline_queries: HashMap::new(),
            updates: VecDeque::new(),
            allowed_updates: None,
            poll_generation: 0,
            webhook: None,
            webhook_allowed_updates: None,
            seq: 0,
            chats: HashMap::new(),
            callbacks: HashMap::new(),
            next_callback: 0,
            next_file: 0,
            files: HashMap::new(),
            commands: BTreeMap::new(),
            descriptions: BTreeMap::new(),
            requests: Vec::new(),
        };
        let (changed, _) = watch::channel(0u64);
        let inner = Arc::new(Inner {
            state: Mutex::new(state),
            changed,
            addr,
        });

        let server = tokio::spawn(accept_loop(listener, inner.clone()));
        let webhook = tokio::spawn(webhook_loop(inner.clone()));
        Self {
            inner,
            _guard: Arc::new(ServerGuard {
                tasks: vec![server, webhook],
            }),
        }
    }

    /// The base URL for `TELOXIDE_API_URL` / `Bot::set_api_url`: `http://127.0.0.1:PORT/`.
    pub fn api_url(&self) -> reqwest::Url {
        reqwest::Url::parse(&format!("http://{}/", self.inner.addr)).expect("valid url")
    }

    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// Time since the server started, on the clock of [`RecordedRequest::at`] (for latency measurements).
    pub fn now(&self) -> Duration {
        self.read(|st| st.started.elapsed())
    }

    /// A `teloxide::Bot` pointed at this server.
    pub fn bot(&self, token: &str) -> teloxide::Bot {
        teloxide::Bot::new(token).set_api_url(self.api_url())
    }

    pub fn bot_id(&self) -> i64 {
        self.inner.lock().bot_id
    }

    pub fn bot_username(&self) -> &'static str {
        BOT_USERNAME
    }

    fn mutate<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let r = f(&mut self.inner.lock());
        self.inner.bump();
        r
    }

    fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.inner.lock())
    }

    // --------------------------------------------------------------------------------------------------------------
    // Users acting
    // --------------------------------------------------------------------------------------------------------------

    /// Makes the private chat with `user` known (as if the user had opened the bot) without sending anything.
    pub fn open_private_chat(&self, user: &TestUser) {
        self.mutate(|st| st.ensure_private_chat(user));
    }

    /// The user sends `text` in `chat_id` (private chat: `user.chat_id()`; a negative id is a group). Stores the
    /// message, queues a `message` update, moves the chat's mark (see `wait_for_bot_messages`), returns its id.
    pub fn send_text(&self, chat_id: i64, user: &TestUser, text: &str) -> i32 {
        self.mutate(|st| st.add_user_message(chat_id, user, MessageKind::Text, text, command_entities(text), None))
    }

    /// `send_text` in a group chat (`group_chat_id` < 0; ids ≤ -1000000000000 are supergroups).
    pub fn send_group_text(&self, group_chat_id: i64, user: &TestUser, text: &str) -> i32 {
        assert!(group_chat_id < 0, "group chat ids are negative");
        self.send_text(group_chat_id, user, text)
    }

    /// The user opens a deep link `t.me/<bot>?start=<payload>`: Telegram sends `/start <payload>`.
    pub fn start_payload(&self, chat_id: i64, user: &TestUser, payload: &str) -> i32 {
        self.send_text(chat_id, user, &format!("/start {payload}"))
    }

    pub fn send_sticker(&self, chat_id: i64, user: &TestUser) -> i32 {
        self.mutate(|st| {
            let (file_id, unique) = st.new_file("webp", 23_456);
            let media = json!({
                "file_id": file_id, "file_unique_id": unique, "type": "regular", "width": 512, "height": 512,
                "is_animated": false, "is_video": false, "emoji": "👍", "set_name": "FakePack", "file_size": 23_456
            });
            st.add_user_message(chat_id, user, MessageKind::Sticker, "", Vec::new(), Some(media))
        })
    }

    pub fn send_photo(&self, chat_id: i64, user: &TestUser, caption: Option<&str>) -> i32 {
        self.mutate(|st| {
            let (small, small_u) = st.new_file("jpg", 1_234);
            let (big, big_u) = st.new_file("jpg", 98_765);
            let media = json!([
                { "file_id": small, "file_unique_id": small_u, "width": 90, "height": 90, "file_size": 1_234 },
                { "file_id": big, "file_unique_id": big_u, "width": 1280, "height": 960, "file_size": 98_765 }
            ]);
            st.add_user_message(
                chat_id,
                user,
                MessageKind::Photo,
                caption.unwrap_or(""),
                Vec::new(),
                Some(media),
            )
        })
    }

    pub fn send_voice(&self, chat_id: i64, user: &TestUser) -> i32 {
        self.mutate(|st| {
            let (file_id, unique) = st.new_file("oga", 7_777);
            let media = json!({
                "file_id": file_id, "file_unique_id": unique, "duration": 3, "mime_type": "audio/ogg",
                "file_size": 7_777
            });
            st.add_user_message(chat_id, user, MessageKind::Voice, "", Vec::new(), Some(media))
        })
    }

    pub fn send_document(&self, chat_id: i64, user: &TestUser, file_name: &str) -> i32 {
        self.mutate(|st| {
            let (file_id, unique) = st.new_file("pdf", 54_321);
            let media = json!({
                "file_id": file_id, "file_unique_id": unique, "file_name": file_name,
                "mime_type": "application/pdf", "file_size": 54_321
            });
            st.add_user_message(chat_id, user, MessageKind::Document, "", Vec::new(), Some(media))
        })
    }

    /// The user edits one of their text messages: an `edited_message` update.
    pub fn edit_user_text(&self, chat_id: i64, user: &TestUser, message_id: i32, text: &str) {
        self.mutate(|st| {
            let chat = st.user_chat(chat_id, user);
            let msg = chat.live_mut(message_id).expect("live user message to edit");
            assert!(!msg.from_bot, "users can't edit the bot's messages");
            msg.text = text.to_string();
            msg.raw_text = text.to_string();
            msg.entities = command_entities(text);
            msg.edit_date = Some(unix_now());
            let msg = msg.clone();
            let json = chat.message_json(&msg, false);
            st.push_update("edited_message", json);
        })
    }

    /// The user presses an inline button of bot message `message_id` sending `data` (any data: a modified client
    /// can send anything; use `press_button_labeled` to press a real button). Queues a `callback_query` update and
    /// returns the query id. Panics if the message is not a live bot message.
    pub fn press_button(&self, chat_id: i64, user: &TestUser, message_id: i32, data: &str) -> String {
        self.mutate(|st| {
            st.next_callback += 1;
            let id = (4_000_000_000_000_000_000u64 + st.next_callback).to_string();
            let chat = st.user_chat(chat_id, user);
            let msg = chat
                .live(message_id)
                .unwrap_or_else(|| panic!("no live message {message_id} in chat {chat_id} to press a button on"));
            assert!(
                msg.from_bot,
                "message {message_id} in chat {chat_id} is the user's, not the bot's"
            );
            let payload = json!({
                "id": id,
                "from": user.json(),
                "message": chat.message_json(msg, true),
                "chat_instance": (chat_id.unsigned_abs() * 31 + 7).to_string(),
                "data": data,
            });
            st.callbacks.insert(id.clone(), None);
            st.push_update("callback_query", payload);
            id
        })
    }

    /// The user types `@bot query` in a chat of `chat_type` (`sender`, `private`, `group`, `supergroup`): queues an
    /// `inline_query` update and returns its id. Telegram's clients send at most 256 characters.
    pub fn inline_query(&self, user: &TestUser, query: &str, chat_type: &str) -> String {
        assert!(
            query.chars().count() <= 256,
            "Telegram sends inline queries of at most 256 characters"
        );
        self.mutate(|st| {
            st.next_callback += 1;
            let id = (5_000_000_000_000_000_000u64 + st.next_callback).to_string();
            let payload = json!({
                "id": id,
                "from": user.json(),
                "query": query,
                "offset": "",
                "chat_type": chat_type,
            });
            st.inline_queries.insert(id.clone(), None);
            st.push_update("inline_query", payload);
            id
        })
    }

    /// The user picks the result `result_id` of an inline query for `query` (Telegram reports it when the bot's
    /// inline feedback is on): queues a `chosen_inline_result` update.
    pub fn choose_inline_result(&self, user: &TestUser, result_id: &str, query: &str) {
        self.mutate(|st| {
            let payload = json!({ "result_id": result_id, "from": user.json(), "query": query });
            st.push_update("chosen_inline_result", payload);
        });
    }

    /// How the bot answered inline query `id`, if it did.
    pub fn inline_answer(&self, id: &str) -> Option<InlineAnswer> {
        self.read(|st| st.inline_queries.get(id).cloned().flatten())
    }

    pub async fn wait_for_inline_answer(&self, id: &str, timeout: Duration) -> InlineAnswer {
        self.wait_until(timeout, &format!("inline query {id} is answered"), || {
            self.inline_answer(id).is_some()
        })
        .await;
        self.inline_answer(id).expect("answered")
    }

    /// Presses the first button whose label contains `label` (case-insensitive) on bot message `message_id`.
    pub fn press_button_labeled(&self, chat_id: i64, user: &TestUser, message_id: i32, label: &str) -> String {
        let msg = self
            .message(chat_id, message_id)
            .unwrap_or_else(|| panic!("no message {message_id}"));
        let button = msg.button(label).unwrap_or_else(|| {
            panic!(
                "no button labelled {label:?} on message {message_id}: {:?}",
                msg.buttons()
            )
        });
        let data = button
            .callback_data
            .unwrap_or_else(|| panic!("button {:?} has no callback data", button.text));
        self.press_button(chat_id, user, message_id, &data)
    }

    /// Presses the first button labelled `label` on the newest live bot message that has one. Returns
    /// `(message_id, callback_query_id)`.
    pub fn click(&self, chat_id: i64, user: &TestUser, label: &str) -> (i32, String) {
        let msgs = self.live_messages(chat_id);
        let msg = msgs
            .iter()
            .rev()
            .find(|m| m.from_bot && m.button(label).is_some_and(|b| b.callback_data.is_some()))
            .unwrap_or_else(|| {
                let all: Vec<_> = msgs.iter().filter(|m| m.from_bot).map(|m| m.buttons()).collect();
                panic!("no live bot message in chat {chat_id} has a button labelled {label:?}; buttons: {all:?}")
            });
        let id = self.press_button_labeled(chat_id, user, msg.message_id, label);
        (msg.message_id, id)
    }

    // --------------------------------------------------------------------------------------------------------------
    // Inspection
    // --------------------------------------------------------------------------------------------------------------

    /// Every message the bot sent to the chat, oldest first, with current content (deleted ones flagged).
    pub fn bot_messages(&self, chat_id: i64) -> Vec<SentMessage> {
        self.read(|st| {
            st.chats
                .get(&chat_id)
                .map(|c| {
                    c.messages
                        .iter()
                        .filter(|m| m.from_bot)
                        .map(|m| c.snapshot(m))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Messages currently in the chat (user's and bot's, not deleted), by id.
    pub fn live_messages(&self, chat_id: i64) -> Vec<SentMessage> {
        self.read(|st| {
            st.chats
                .get(&chat_id)
                .map(|c| {
                    c.messages
                        .iter()
                        .filter(|m| !m.deleted)
                        .map(|m| c.snapshot(m))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    pub fn live_message_ids(&self, chat_id: i64) -> Vec<i32> {
        self.live_messages(chat_id).iter().map(|m| m.message_id).collect()
    }

    /// Every message ever in the chat, deleted ones included.
    pub fn all_messages(&self, chat_id: i64) -> Vec<SentMessage> {
        self.read(|st| {
            st.chats
                .get(&chat_id)
                .map(|c| c.messages.iter().map(|m| c.snapshot(m)).collect())
                .unwrap_or_default()
        })
    }

    pub fn message(&self, chat_id: i64, message_id: i32) -> Option<SentMessage> {
        self.read(|st| {
            let c = st.chats.get(&chat_id)?;
            c.messages.iter().find(|m| m.id == message_id).map(|m| c.snapshot(m))
        })
    }

    /// The newest live bot message.
    pub fn last_bot_message(&self, chat_id: i64) -> Option<SentMessage> {
        self.live_messages(chat_id).into_iter().rev().find(|m| m.from_bot)
    }

    /// How many messages the bot ever sent to the chat.
    pub fn bot_message_count(&self, chat_id: i64) -> usize {
        self.read(|st| {
            st.chats
                .get(&chat_id)
                .map_or(0, |c| c.messages.iter().filter(|m| m.from_bot).count())
        })
    }

    /// Chat ids of all known chats.
    pub fn chat_ids(&self) -> Vec<i64> {
        self.read(|st| {
            let mut ids: Vec<i64> = st.chats.keys().copied().collect();
            ids.sort_unstable();
            ids
        })
    }

    /// Sets the chat's mark to now. Every user action (`send_text`, `press_button`, ...) does this too.
    pub fn mark(&self, chat_id: i64) {
        self.mutate(|st| {
            let seq = st.seq;
            if let Some(c) = st.chats.get_mut(&chat_id) {
                c.mark_seq = seq;
            }
        })
    }

    /// Bot messages sent to the chat since its mark (current content, deleted ones flagged).
    pub fn bot_messages_since_mark(&self, chat_id: i64) -> Vec<SentMessage> {
        self.read(|st| {
            st.chats
                .get(&chat_id)
                .map(|c| {
                    c.messages
                        .iter()
                        .filter(|m| m.from_bot && m.seq > c.mark_seq)
                        .map(|m| c.snapshot(m))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Waits until at least `n` bot messages were sent to the chat since its mark (set by the last user action in
    /// that chat, or `mark`), and returns all of them. Panics after `timeout` with what the chat holds. When you
    /// act several times before waiting, use `wait_for_bot_message_count` (absolute count) instead.
    pub async fn wait_for_bot_messages(&self, chat_id: i64, n: usize, timeout: Duration) -> Vec<SentMessage> {
        match self.try_wait_for_bot_messages(chat_id, n, timeout).await {
            Some(v) => v,
            None => panic!(
                "timed out after {timeout:?} waiting for {n} bot message(s) in chat {chat_id} since the mark; got \
                 {:?}\n{}",
                self.bot_messages_since_mark(chat_id)
                    .iter()
                    .map(|m| &m.text)
                    .collect::<Vec<_>>(),
                self.diagnostics(chat_id)
            ),
        }
    }

    /// Like `wait_for_bot_messages`, `None` on timeout.
    pub async fn try_wait_for_bot_messages(
        &self,
        chat_id: i64,
        n: usize,
        timeout: Duration,
    ) -> Option<Vec<SentMessage>> {
        let ok = self
            .try_wait_until(timeout, || self.bot_messages_since_mark(chat_id).len() >= n)
            .await;
        ok.then(|| self.bot_messages_since_mark(chat_id))
    }

    /// Waits until the bot has sent `total` messages to the chat in all (deleted ones included); returns them all.
    pub async fn wait_for_bot_message_count(&self, chat_id: i64, total: usize, timeout: Duration) -> Vec<SentMessage> {
        let ok = self
            .try_wait_until(timeout, || self.bot_message_count(chat_id) >= total)
            .await;
        assert!(
            ok,
            "timed out after {timeout:?} waiting for {total} bot message(s) in chat {chat_id}, have {}\n{}",
            self.bot_message_count(chat_id),
            self.diagnostics(chat_id)
        );
        self.bot_messages(chat_id)
    }

    /// Asserts the bot sends nothing to the chat (since its mark) during `period`.
    pub async fn expect_no_bot_messages(&self, chat_id: i64, period: Duration) {
        if let Some(v) = self.try_wait_for_bot_messages(chat_id, 1, period).await {
            panic!(
                "expected no bot message in chat {chat_id}, got {:?}",
                v.iter().map(|m| &m.text).collect::<Vec<_>>()
            );
        }
    }

    /// Waits until `cond` holds (re-checked whenever the server's state changes). Panics after `timeout`, naming
    /// `what`.
    pub async fn wait_until(&self, timeout: Duration, what: &str, cond: impl FnMut() -> bool) {
        if !self.try_wait_until(timeout, cond).await {
            panic!(
                "timed out after {timeout:?} waiting until {what}\n{}",
                self.diagnostics(0)
            );
        }
    }

    /// Waits until `cond` holds; false on timeout.
    pub async fn try_wait_until(&self, timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.inner.changed.subscribe();
        loop {
            if cond() {
                return true;
            }
            if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
                return cond();
            }
        }
    }

    /// Recent failed requests and the chat's messages, for panic messages.
    pub fn diagnostics(&self, chat_id: i64) -> String {
        let rejections: Vec<String> = self
            .requests()
            .iter()
            .filter(|r| r.status != 200)
            .rev()
            .take(10)
            .map(|r| format!("{} → {} {:?}", r.method, r.status, r.description))
            .collect();
        let msgs: Vec<String> = self
            .all_messages(chat_id)
            .iter()
            .map(|m| {
                format!(
                    "#{} {}{}: {:?}",
                    m.message_id,
                    if m.from_bot { "bot" } else { "user" },
                    if m.deleted { " (deleted)" } else { "" },
                    m.text
                )
            })
            .collect();
        format!(
            "failed requests (newest first): {rejections:#?}\nchat {chat_id}: {msgs:#?}\npending updates: {}",
            self.pending_update_count()
        )
    }

    pub fn callback_answered(&self, callback_query_id: &str) -> bool {
        self.callback_answer(callback_query_id).is_some()
    }

    pub fn callback_answer(&self, callback_query_id: &str) -> Option<CallbackAnswer> {
        self.read(|st| st.callbacks.get(callback_query_id).cloned().flatten())
    }

    pub async fn wait_for_callback_answer(&self, callback_query_id: &str, timeout: Duration) -> CallbackAnswer {
        self.wait_until(
            timeout,
            &format!("callback query {callback_query_id} is answered"),
            || self.callback_answered(callback_query_id),
        )
        .await;
        self.callback_answer(callback_query_id).expect("answered")
    }

    /// Ids of callback queries created and never answered.
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        self.read(|st| {
            st.callbacks
                .iter()
                .filter(|(_, a)| a.is_none())
                .map(|(id, _)| id.clone())
                .collect()
        })
    }

    /// `sendChatAction` actions received for the chat, in order.
    pub fn chat_actions(&self, chat_id: i64) -> Vec<String> {
        self.read(|st| st.chats.get(&chat_id).map(|c| c.actions.clone()).unwrap_or_default())
    }

    /// Every request received, in the order they were answered.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.read(|st| st.requests.clone())
    }

    /// Requests of one method (case-insensitive: `sendMessage` or `SendMessage`).
    pub fn requests_of(&self, method: &str) -> Vec<RecordedRequest> {
        self.read(|st| {
            st.requests
                .iter()
                .filter(|r| r.method.eq_ignore_ascii_case(method))
                .cloned()
                .collect()
        })
    }

    /// Requests the server itself rejected (status ≥ 400, injected faults excluded): what real Telegram would have
    /// refused. A clean run of the bot has none.
    pub fn rejections(&self) -> Vec<RecordedRequest> {
        self.read(|st| {
            st.requests
                .iter()
                .filter(|r| r.status >= 400 && !r.injected)
                .cloned()
                .collect()
        })
    }

    /// The bot's description (`field` = "description") or short description ("short_description") for a
    /// language code (`""` = none), as set with `setMyDescription` / `setMyShortDescription`.
    pub fn my_description(&self, field: &str, lang: &str) -> Option<String> {
        self.read(|st| st.descriptions.get(&(field.to_string(), lang.to_string())).cloned())
    }

    /// Commands registered with `setMyCommands` for the default scope and `language_code` (`""` = no language
    /// code), as `(command, description)`; `None` if never set (or deleted).
    pub fn my_commands(&self, lang: &str) -> Option<Vec<(String, String)>> {
        self.my_commands_scoped("default", lang)
    }

    /// Same for a scope: `default`, `all_private_chats`, `all_group_chats`, `all_chat_administrators`, or
    /// `chat:<id>`, `chat_administrators:<id>`, `chat_member:<chat id>:<user id>`.
    pub fn my_commands_scoped(&self, scope: &str, lang: &str) -> Option<Vec<(String, String)>> {
        self.read(|st| st.commands.get(&(scope.to_string(), lang.to_string())).cloned())
    }

    /// Updates not yet confirmed by the bot (via a later `getUpdates` offset, or delivered to the webhook).
    pub fn pending_update_count(&self) -> usize {
        self.read(|st| st.updates.len())
    }

    /// Waits until the bot has confirmed every update queued so far.
    pub async fn wait_for_updates_consumed(&self, timeout: Duration) {
        self.wait_until(timeout, "all updates are consumed", || self.pending_update_count() == 0)
            .await;
    }

    /// The webhook URL set by `setWebhook`, if any.
    pub fn webhook_url(&self) -> Option<String> {
        self.read(|st| st.webhook.as_ref().map(|w| w.url.clone()))
    }

    // --------------------------------------------------------------------------------------------------------------
    // Faults and settings
    // --------------------------------------------------------------------------------------------------------------

    /// The next call of `method` (canonical or PascalCase name, or `ANY_METHOD`) fails with `fault`.
    pub fn fail_next(&self, method: &str, fault: Fault) {
        self.fail_next_n(method, fault, 1);
    }

    /// The next `n` calls of `method` fail with `fault`. Faults queue up: each call consumes the oldest matching one.
    pub fn fail_next_n(&self, method: &str, fault: Fault, n: usize) {
        let method = if method == ANY_METHOD {
            ANY_METHOD.to_string()
        } else {
            canonical_method(method)
        };
        self.mutate(|st| {
            for _ in 0..n {
                st.faults.push(FaultRule {
                    method: method.clone(),
                    fault: fault.clone(),
                });
            }
        });
    }

    /// Injected faults not consumed yet.
    pub fn pending_faults(&self) -> usize {
        self.read(|st| st.faults.len())
    }

    pub fn clear_faults(&self) {
        self.mutate(|st| st.faults.clear());
    }

    /// A Telegram outage: while down, every connection is closed without an answer (new ones right after accept,
    /// kept-alive ones at their next request, a long poll in flight at once). Pending updates are kept.
    pub fn set_down(&self, down: bool) {
        self.mutate(|st| st.down = down);
    }

    /// Strict (default): a bare `&` that does not start an entity is rejected ("can't parse entities"), as the Bot
    /// API docs demand. Lenient: accepted as a literal `&`, as TDLib actually does.
    pub fn set_strict_ampersand(&self, strict: bool) {
        self.mutate(|st| st.strict_ampersand = strict);
    }

    /// Opt-in flood control like Telegram's: more than 30 `sendMessage` per second overall, or more than 20 per
    /// minute in one group, get 429 with `retry_after`.
    pub fn set_flood_limits(&self, on: bool) {
        self.mutate(|st| st.flood_limits = on);
    }
}

async fn accept_loop(listener: TcpListener, inner: Arc<Inner>) {
    let mut conns = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // e.g. out of file descriptors: back off briefly.
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        while conns.try_join_next().is_some() {}
        if inner.lock().down {
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        let inner = inner.clone();
        conns.spawn(async move {
            let svc = service_fn(move |req| handle(inner.clone(), req));
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}

fn respond(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .expect("valid response")
}

fn api_response(result: &Result<Value, ApiErr>) -> Response<Full<Bytes>> {
    match result {
        Ok(v) => respond(200, "application/json", json!({ "ok": true, "result": v }).to_string()),
        Err(e) => {
            let mut body = json!({ "ok": false, "error_code": e.status, "description": e.description });
            if let Some(r) = e.retry_after {
                body["parameters"] = json!({ "retry_after": r });
            }
            respond(e.status, "application/json", body.to_string())
        }
    }
}

fn parse_params(content_type: &str, query: Option<&str>, body: &[u8]) -> Result<Value, ApiErr> {
    let mut params = serde_json::Map::new();
    if let Some(q) = query {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    let ct = content_type.to_ascii_lowercase();
    if ct.starts_with("application/json") {
        if !body.is_empty() {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => params.extend(m),
                Ok(_) | Err(_) => return Err(bad("can't parse JSON object")),
            }
        }
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    } else if ct.starts_with("multipart/form-data") {
        // teloxide sends setWebhook (and uploads) as multipart. Text fields are read; files become "<file NAME>".
        let boundary = content_type
            .split(';')
            .filter_map(|kv| kv.trim().strip_prefix("boundary="))
            .next()
            .map(|b| b.trim_matches('"').to_string())
            .ok_or_else(|| bad("can't parse multipart/form-data: no boundary"))?;
        params.extend(parse_multipart(body, &boundary));
    }
    Ok(Value::Object(params))
}

/// Minimal multipart/form-data reader: `name` → value (text), or `"<file NAME>"` for a file part.
fn parse_multipart(body: &[u8], boundary: &str) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or_default();
        let attr = |key: &str| {
            disposition.split(';').map(str::trim).find_map(|kv| {
                kv.strip_prefix(key)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim_matches('"').to_string())
            })
        };
        let Some(name) = attr("name") else {
            continue;
        };
        let value = match attr("filename") {
            Some(file) => format!("<file {file}>"),
            None => value.to_string(),
        };
        out.insert(name, Value::String(value));
    }
    out
}

async fn handle(inner: Arc<Inner>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, DropConnection> {
    if inner.lock().down {
        inner.lock().record(
            "(outage)".into(),
            Value::Null,
            0,
            Some("connection dropped: set_down".into()),
            true,
        );
        return Err(DropConnection);
    }
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = req.into_body().collect().await.map_err(|_| DropConnection)?.to_bytes();

    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (token, method, file_path) = match segments.as_slice() {
        [bot, method] if bot.starts_with("bot") => (bot[3..].to_string(), canonical_method(method), None),
        ["file", bot, rest @ ..] if bot.starts_with("bot") && !rest.is_empty() => {
            (bot[3..].to_string(), "file".to_string(), Some(rest.join("/")))
        }
        _ => {
            inner
                .lock()
                .record(path.clone(), Value::Null, 404, Some("Not Found".into()), false);
            return Ok(api_response(&Err(err(404, "Not Found"))));
        }
    };

    {
        let mut st = inner.lock();
        if st.required_token.as_deref().is_some_and(|t| t != token) {
            st.record(method, Value::Null, 401, Some("Unauthorized".into()), false);
            return Ok(api_response(&Err(err(401, "Unauthorized"))));
        }
    }

    if let Some(file_path) = file_path {
        let mut st = inner.lock();
        let known = st.files.values().any(|(p, _)| *p == file_path);
        let status = if known { 200 } else { 404 };
        st.record("file".into(), json!({ "file_path": file_path }), status, None, false);
        drop(st);
        return Ok(if known {
            respond(
                200,
                "application/octet-stream",
                Bytes::from_static(b"fake file content"),
            )
        } else {
            api_response(&Err(err(404, "Not Found")))
        });
    }

    let params = match parse_params(&content_type, query.as_deref(), &body) {
        Ok(p) => p,
        Err(e) => {
            inner
                .lock()
                .record(method, Value::Null, e.status, Some(e.description.clone()), false);
            inner.bump();
            return Ok(api_response(&Err(e)));
        }
    };

    let fault = inner.lock().take_fault(&method);
    if let Some(fault) = fault {
        let (status, description, response) = match fault {
            Fault::Down => (0, "connection dropped: Fault::Down".to_string(), None),
            Fault::Delay(d) => {
                tokio::time::sleep(d).await;
                (0, String::new(), None)
            }
            Fault::TooManyRequests { retry_after } => {
                let e = too_many(retry_after);
                (429, e.description.clone(), Some(api_response(&Err(e))))
            }
            Fault::BadGateway => (
                502,
                "Bad Gateway".into(),
                Some(api_response(&Err(err(502, "Bad Gateway")))),
            ),
            Fault::BadGatewayHtml => (
                502,
                "Bad Gateway (HTML)".into(),
                Some(respond(502, "text/html", BAD_GATEWAY_HTML)),
            ),
            Fault::Error { status, description } => {
                let r = api_response(&Err(err(status, &description)));
                (status, description, Some(r))
            }
        };
        if !description.is_empty() {
            inner.lock().record(method, params, status, Some(description), true);
            inner.bump();
            return response.ok_or(DropConnection);
        }
    }

    let result = if method == "getUpdates" {
        get_updates(&inner, &params).await
    } else {
        let mut st = inner.lock();
        dispatch(&mut st, &method, &params)
    };
    let dropped = matches!(&result, Err(e) if e.status == 0);
    {
        let mut st = inner.lock();
        let (status, description) = match &result {
            Ok(_) => (200, None),
            Err(e) => (e.status, Some(e.description.clone())),
        };
        st.record(method, params, status, description, dropped);
    }
    inner.bump();
    if dropped {
        return Err(DropConnection);
    }
    Ok(api_response(&result))
}

// ------------------------------------------------------------------------------------------------------------------
// getUpdates and webhooks
// ------------------------------------------------------------------------------------------------------------------

fn allowed_list(v: Option<Value>) -> Option<Option<Vec<String>>> {
    let list: Vec<String> = v?
        .as_array()?
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    Some(if list.is_empty() { None } else { Some(list) })
}

async fn get_updates(inner: &Arc<Inner>, p: &Value) -> Result<Value, ApiErr> {
    let timeout = p_i64(p, "timeout").unwrap_or(0).clamp(0, 100) as u64;
    let limit = p_i64(p, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let mut rx = inner.changed.subscribe();
    let generation = {
        let mut st = inner.lock();
        if st.webhook.is_some() {
            return Err(err(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the \
                 webhook first",
            ));
        }
        if let Some(allowed) = allowed_list(p_json(p, "allowed_updates")) {
            st.allowed_updates = allowed;
        }
        if let Some(offset) = p_i64(p, "offset") {
            st.confirm(offset);
        }
        st.poll_generation += 1;
        st.poll_generation
    };
    inner.bump(); // wakes an older poller, which then gets 409
    loop {
        {
            let mut st = inner.lock();
            if st.down {
                // An outage also cuts the long poll in flight.
                return Err(err(0, "connection dropped: set_down"));
            }
            if st.poll_generation != generation {
                return Err(err(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            if st.webhook.is_some() {
                return Ok(json!([]));
            }
            st.drop_disallowed_updates(false);
            if !st.updates.is_empty() || tokio::time::Instant::now() >= deadline {
                let batch: Vec<Value> = st.updates.iter().take(limit).map(|u| u.json.clone()).collect();
                return Ok(Value::Array(batch));
            }
        }
        if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
            // Deadline: one last look happens at the top of the loop.
        }
    }
}

async fn webhook_loop(inner: Arc<Inner>) {
    let mut client: Option<reqwest::Client> = None;
    loop {
        let mut rx = inner.changed.subscribe();
        let job = {
            let mut st = inner.lock();
            if st.webhook.is_some() {
                st.drop_disallowed_updates(true);
            }
            match (&st.webhook, st.updates.front()) {
                (Some(w), Some(u)) => Some((w.url.clone(), w.secret_token.clone(), u.id, u.json.clone())),
                _ => None,
            }
        };
        let Some((url, secret, update_id, body)) = job else {
            if rx.changed().await.is_err() {
                return;
            }
            continue;
        };
        let client = client.get_or_insert_with(|| {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("reqwest client")
        });
        let mut req = client.post(&url).json(&body);
        if let Some(s) = &secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        let outcome = match req.send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("Wrong response from the webhook: {}", r.status())),
            Err(e) if e.is_connect() => Err("Connection refused".to_string()),
            Err(e) => Err(format!("Webhook request failed: {e}")),
        };
        {
            let mut st = inner.lock();
            match &outcome {
                Ok(()) => {
                    if st.updates.front().is_some_and(|u| u.id == update_id) {
                        st.updates.pop_front();
                    }
                }
                Err(e) => {
                    if let Some(w) = st.webhook.as_mut() {
                        w.last_error = Some((unix_now(), e.clone()));
                    }
                }
            }
        }
        inner.bump();
        if outcome.is_err() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Methods
// ------------------------------------------------------------------------------------------------------------------

fn dispatch(st: &mut State, method: &str, p: &Value) -> Result<Value, ApiErr> {
    match method {
        "getMe" => Ok(json!({
            "id": st.bot_id, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false
        })),
        "setMyDescription" => set_description(st, p, "description", 512),
        "setMyShortDescription" => set_description(st, p, "short_description", 120),
        "logOut" | "close" | "setMyName" | "setChatMenuButton" => Ok(json!(true)),
        "getWebhookInfo" => Ok(webhook_info(st)),
        "setWebhook" => set_webhook(st, p),
        "deleteWebhook" => {
            if p_bool(p, "drop_pending_updates") {
                st.updates.clear();
            }
            st.webhook = None;
            Ok(json!(true))
        }
        "sendMessage" => send_message(st, p),
        "editMessageText" => edit_message_text(st, p),
        "editMessageReplyMarkup" => edit_message_reply_markup(st, p),
        "deleteMessage" => delete_message(st, p),
        "deleteMessages" => delete_messages(st, p),
        "sendChatAction" => send_chat_action(st, p),
        "answerCallbackQuery" => answer_callback_query(st, p),
        "answerInlineQuery" => answer_inline_query(st, p),
        "setMyCommands" => set_my_commands(st, p),
        "getMyCommands" => {
            let key = commands_key(p)?;
            let cmds = st.commands.get(&key).cloned().unwrap_or_default();
            Ok(Value::Array(
                cmds.into_iter()
                    .map(|(c, d)| json!({ "command": c, "description": d }))
                    .collect(),
            ))
        }
        "deleteMyCommands" => {
            let key = commands_key(p)?;
            st.commands.remove(&key);
            Ok(json!(true))
        }
        "getFile" => {
            let id = p_str(p, "file_id").unwrap_or_default();
            match st.files.get(&id) {
                Some((path, size)) => Ok(json!({
                    "file_id": id, "file_unique_id": format!("U{id}"), "file_size": size, "file_path": path
                })),
                None => Err(bad("invalid file_id")),
            }
        }
        _ => Err(err(404, "Not Found")),
    }
}

fn webhook_info(st: &State) -> Value {
    let mut v = json!({
        "url": st.webhook.as_ref().map(|w| w.url.clone()).unwrap_or_default(),
        "has_custom_certificate": false,
        "pending_update_count": st.updates.len(),
    });
    if let Some(w) = &st.webhook {
        v["max_connections"] = w.max_connections.into();
        v["ip_address"] = "127.0.0.1".into();
        if let Some((date, msg)) = &w.last_error {
            v["last_error_date"] = (*date).into();
            v["last_error_message"] = msg.clone().into();
        }
        if let Some(a) = &st.webhook_allowed_updates {
            v["allowed_updates"] = a.clone().into();
        }
    }
    v
}

fn set_webhook(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let url = p_str(p, "url").unwrap_or_default();
    if p_bool(p, "drop_pending_updates") {
        st.updates.clear();
    }
    if url.is_empty() {
        st.webhook = None;
        return Ok(json!(true));
    }
    let parsed = reqwest::Url::parse(&url).map_err(|_| bad("bad webhook: invalid webhook URL specified"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad("bad webhook: invalid webhook URL specified"));
    }
    let secret_token = p_str(p, "secret_token").filter(|s| !s.is_empty());
    if let Some(s) = &secret_token
        && (s.len() > 256 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        return Err(bad("secret token contains unallowed characters"));
    }
    let max_connections = p_i64(p, "max_connections").unwrap_or(40).clamp(1, 100);
    if let Some(allowed) = allowed_list(p_json(p, "allowed_updates")) {
        st.webhook_allowed_updates = allowed;
    }
    st.webhook = Some(Webhook {
        url,
        secret_token,
        max_connections,
        last_error: None,
    });
    Ok(json!(true))
}

fn chat_id_param(p: &Value) -> Result<i64, ApiErr> {
    match p.get("chat_id") {
        None | Some(Value::Null) => Err(bad("chat_id is empty")),
        Some(_) => p_i64(p, "chat_id").ok_or_else(|| bad("chat not found")),
    }
}

fn known_chat(st: &State, p: &Value) -> Result<i64, ApiErr> {
    let id = chat_id_param(p)?;
    if st.chats.contains_key(&id) {
        Ok(id)
    } else {
        Err(bad("chat not found"))
    }
}

/// Parses `text` with `parse_mode` like Telegram; returns (plain text, entities).
fn format_text(st: &State, text: &str, parse_mode: Option<&str>) -> Result<tg_html::Parsed, ApiErr> {
    let parsed = match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => tg_html::Parsed {
            text: text.to_string(),
            entities: Vec::new(),
        },
        Some("html") => {
            tg_html::parse_html(text, st.strict_ampersand).map_err(|e| bad(&format!("can't parse entities: {e}")))?
        }
        // Not modelled: stored as sent. The bot uses HTML.
        Some("markdownv2") | Some("markdown") => tg_html::Parsed {
            text: text.to_string(),
            entities: Vec::new(),
        },
        Some(_) => return Err(bad("unsupported parse_mode")),
    };
    let parsed = tg_html::trim(parsed);
    if parsed.text.is_empty() {
        return Err(bad("message text is empty"));
    }
    Ok(parsed)
}

fn check_length(text: &str) -> Result<(), ApiErr> {
    if text.chars().count() > MAX_TEXT_CHARS {
        Err(bad("message is too long"))
    } else {
        Ok(())
    }
}

fn valid_button_url(url: &str) -> bool {
    let candidate = if url.contains("://") || url.starts_with("tg:") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    match reqwest::Url::parse(&candidate) {
        Ok(u) => match u.scheme() {
            "http" | "https" => u.host_str().is_some_and(|h| !h.is_empty()),
            "tg" => true,
            _ => false,
        },
        Err(_) => false,
    }
}

const BUTTON_KINDS: &[&str] = &[
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

/// Validates `reply_markup` like Telegram: callback data 1–64 bytes (`BUTTON_DATA_INVALID`), URL buttons
/// http(s)/tg (`BUTTON_URL_INVALID`), no plain text buttons.
fn reply_markup(p: &Value) -> Result<Option<Value>, ApiErr> {
    let Some(markup) = p_json(p, "reply_markup") else {
        return Ok(None);
    };
    if !markup.is_object() {
        return Err(bad("object expected as reply markup"));
    }
    if let Some(rows) = markup.get("inline_keyboard") {
        let rows = rows
            .as_array()
            .ok_or_else(|| bad("field \"inline_keyboard\" must be of type Array"))?;
        for row in rows {
            let row = row
                .as_array()
                .ok_or_else(|| bad("field \"inline_keyboard\" must be an Array of Arrays"))?;
            for b in row {
                if b.get("text").and_then(Value::as_str).is_none() {
                    return Err(bad(
                        "can't parse inline keyboard button: Field \"text\" must be of type String",
                    ));
                }
                match BUTTON_KINDS.iter().filter(|k| b.get(**k).is_some()).count() {
                    0 => return Err(bad("text buttons are unallowed in the inline keyboard")),
                    1 => {}
                    _ => {
                        return Err(bad(
                            "can't parse inline keyboard button: exactly one action must be set",
                        ));
                    }
                }
                if let Some(copy) = b.get("copy_text") {
                    let text = copy.get("text").and_then(Value::as_str);
                    if !text.is_some_and(|t| (1..=256).contains(&t.chars().count())) {
                        return Err(bad("BUTTON_COPY_TEXT_INVALID"));
                    }
                }
                if let Some(chosen) = b.get("switch_inline_query_chosen_chat") {
                    let allows = [
                        "allow_user_chats",
                        "allow_bot_chats",
                        "allow_group_chats",
                        "allow_channel_chats",
                    ]
                    .iter()
                    .any(|k| chosen.get(*k).and_then(Value::as_bool) == Some(true));
                    let query = chosen.get("query").and_then(Value::as_str).unwrap_or_default();
                    if !allows || query.chars().count() > 256 {
                        return Err(bad("BUTTON_TYPE_INVALID"));
                    }
                }
                if let Some(data) = b.get("callback_data") {
                    let data = data.as_str().unwrap_or_default();
                    if data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES {
                        return Err(bad("BUTTON_DATA_INVALID"));
                    }
                }
                if let Some(url) = b.get("url")
                    && !valid_button_url(url.as_str().unwrap_or_default())
                {
                    return Err(bad("BUTTON_URL_INVALID"));
                }
            }
        }
    }
    Ok(Some(markup))
}

fn flood_check(st: &mut State, chat_id: i64) -> Result<(), ApiErr> {
    if !st.flood_limits {
        return Ok(());
    }
    let now = Instant::now();
    while st
        .recent_sends
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        st.recent_sends.pop_front();
    }
    if st.recent_sends.len() >= 30 {
        return Err(too_many(1));
    }
    let chat = st.chats.get_mut(&chat_id).expect("known chat");
    if !chat.is_private {
        while chat
            .recent_sends
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            chat.recent_sends.pop_front();
        }
        if chat.recent_sends.len() >= 20 {
            let oldest = *chat.recent_sends.front().expect("non-empty");
            let wait = 60u64.saturating_sub(now.duration_since(oldest).as_secs()).max(1);
            return Err(too_many(wait as u32));
        }
        chat.recent_sends.push_back(now);
    }
    st.recent_sends.push_back(now);
    Ok(())
}

fn send_message(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let raw = p_str(p, "text").unwrap_or_default();
    let parse_mode = p_str(p, "parse_mode").filter(|s| !s.is_empty());
    let parsed = format_text(st, &raw, parse_mode.as_deref())?;
    let chat_id = known_chat(st, p)?;
    check_length(&parsed.text)?;
    let markup = reply_markup(p)?;
    let reply_to = p_json(p, "reply_parameters")
        .map(|r| (p_i64(&r, "message_id"), p_bool(&r, "allow_sending_without_reply")))
        .or_else(|| p_i64(p, "reply_to_message_id").map(|id| (Some(id), p_bool(p, "allow_sending_without_reply"))));
    let reply_to = match reply_to {
        Some((Some(id), allow_without)) => {
            let exists = st.chats[&chat_id].live(id as i32).is_some();
            match (exists, allow_without) {
                (true, _) => Some(id as i32),
                (false, true) => None,
                (false, false) => return Err(bad("message to be replied not found")),
            }
        }
        _ => None,
    };
    flood_check(st, chat_id)?;

    st.seq += 1;
    let seq = st.seq;
    let from = st.bot_json();
    let chat = st.chats.get_mut(&chat_id).expect("known chat");
    let id = chat.next_message_id;
    chat.next_message_id += 1;
    let msg = StoredMessage {
        id,
        seq,
        from_bot: true,
        from,
        date: unix_now(),
        edit_date: None,
        kind: MessageKind::Text,
        text: parsed.text,
        raw_text: raw,
        parse_mode,
        entities: parsed.entities.iter().map(tg_html::Entity::to_json).collect(),
        media: None,
        reply_markup: markup,
        reply_to,
        edits: 0,
        deleted: false,
    };
    let json = chat.message_json(&msg, true);
    chat.messages.push(msg);
    Ok(json)
}

/// The bot's live message to edit, or Telegram's error.
fn editable<'a>(st: &'a mut State, p: &Value) -> Result<&'a mut StoredMessage, ApiErr> {
    if p.get("inline_message_id").is_some() {
        return Err(bad("the fake Bot API server does not support inline messages"));
    }
    let chat_id = known_chat(st, p)?;
    let id = p_i64(p, "message_id").ok_or_else(|| bad("message to edit not found"))?;
    let chat = st.chats.get_mut(&chat_id).expect("known chat");
    let msg = chat
        .live_mut(id as i32)
        .ok_or_else(|| bad("message to edit not found"))?;
    if !msg.from_bot {
        return Err(bad("message can't be edited"));
    }
    Ok(msg)
}

fn edited_json(st: &State, p: &Value) -> Value {
    let chat_id = p_i64(p, "chat_id").expect("checked");
    let id = p_i64(p, "message_id").expect("checked") as i32;
    let chat = &st.chats[&chat_id];
    chat.message_json(chat.live(id).expect("checked"), true)
}

fn edit_message_text(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let raw = p_str(p, "text").unwrap_or_default();
    let parse_mode = p_str(p, "parse_mode").filter(|s| !s.is_empty());
    let parsed = format_text(st, &raw, parse_mode.as_deref())?;
    check_length(&parsed.text)?;
    let markup = reply_markup(p)?;
    let entities: Vec<Value> = parsed.entities.iter().map(tg_html::Entity::to_json).collect();
    let msg = editable(st, p)?;
    if msg.kind != MessageKind::Text {
        return Err(bad("there is no text in the message to edit"));
    }
    // Editing without reply_markup removes the inline keyboard.
    if msg.text == parsed.text && msg.entities == entities && msg.reply_markup == markup {
        return Err(bad(NOT_MODIFIED));
    }
    msg.text = parsed.text;
    msg.raw_text = raw;
    msg.parse_mode = parse_mode;
    msg.entities = entities;
    msg.reply_markup = markup;
    msg.edits += 1;
    msg.edit_date = Some(unix_now());
    Ok(edited_json(st, p))
}

fn edit_message_reply_markup(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let markup = reply_markup(p)?;
    let msg = editable(st, p)?;
    if msg.reply_markup == markup {
        return Err(bad(NOT_MODIFIED));
    }
    msg.reply_markup = markup;
    msg.edits += 1;
    msg.edit_date = Some(unix_now());
    Ok(edited_json(st, p))
}

fn delete_message(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let chat_id = known_chat(st, p)?;
    let id = p_i64(p, "message_id").ok_or_else(|| bad("message identifier is not specified"))?;
    let chat = st.chats.get_mut(&chat_id).expect("known chat");
    let is_private = chat.is_private;
    let msg = chat
        .live_mut(id as i32)
        .ok_or_else(|| bad("message to delete not found"))?;
    if !is_private && !msg.from_bot {
        return Err(bad("message can't be deleted for everyone"));
    }
    msg.deleted = true;
    Ok(json!(true))
}

/// Deletes the messages that exist and may be deleted, skipping the others, like Telegram; 400 "message to delete
/// not found" if none of them could be deleted.
fn delete_messages(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let chat_id = known_chat(st, p)?;
    let ids: Vec<i64> = p_json(p, "message_ids")
        .and_then(|v| v.as_array().map(|a| a.iter().filter_map(Value::as_i64).collect()))
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(bad("message identifiers are not specified"));
    }
    if ids.len() > 100 {
        return Err(bad("too many message identifiers specified"));
    }
    let chat = st.chats.get_mut(&chat_id).expect("known chat");
    let is_private = chat.is_private;
    let mut deleted = 0;
    for id in ids {
        if let Some(msg) = chat.live_mut(id as i32)
            && (is_private || msg.from_bot)
        {
            msg.deleted = true;
            deleted += 1;
        }
    }
    if deleted == 0 {
        return Err(bad("message to delete not found"));
    }
    Ok(json!(true))
}

const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

fn send_chat_action(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let chat_id = known_chat(st, p)?;
    let action = p_str(p, "action").unwrap_or_default();
    if !CHAT_ACTIONS.contains(&action.as_str()) {
        return Err(bad("wrong parameter action in request"));
    }
    st.chats.get_mut(&chat_id).expect("known chat").actions.push(action);
    Ok(json!(true))
}

fn answer_callback_query(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let id = p_str(p, "callback_query_id").unwrap_or_default();
    match st.callbacks.get_mut(&id) {
        Some(slot @ None) => {
            *slot = Some(CallbackAnswer {
                text: p_str(p, "text"),
                show_alert: p_bool(p, "show_alert"),
                url: p_str(p, "url"),
                cache_time: p_i64(p, "cache_time"),
            });
            Ok(json!(true))
        }
        _ => Err(bad(INVALID_QUERY)),
    }
}

/// Telegram's most results per inline answer, and longest result id in bytes.
const MAX_INLINE_RESULTS: usize = 50;
const MAX_RESULT_ID_BYTES: usize = 64;

fn answer_inline_query(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let id = p_str(p, "inline_query_id").unwrap_or_default();
    if !matches!(st.inline_queries.get(&id), Some(None)) {
        return Err(bad(
            "query is too old and response timeout expired or query ID is invalid",
        ));
    }
    let results = p_json(p, "results").ok_or_else(|| bad("results is empty"))?;
    let results = results
        .as_array()
        .ok_or_else(|| bad("field \"results\" must be of type Array"))?;
    if results.len() > MAX_INLINE_RESULTS {
        return Err(bad("RESULTS_TOO_MUCH"));
    }
    if p_i64(p, "cache_time").is_some_and(|c| c < 0) {
        return Err(bad("cache_time is invalid"));
    }
    if p_str(p, "next_offset").is_some_and(|o| o.len() > 64) {
        return Err(bad("NEXT_OFFSET_INVALID"));
    }
    let mut checked: Vec<InlineResult> = Vec::new();
    for r in results {
        let result = inline_result(st, r)?;
        if checked.iter().any(|c| c.id == result.id) {
            return Err(bad("RESULT_ID_DUPLICATE"));
        }
        checked.push(result);
    }
    st.inline_queries.insert(
        id,
        Some(InlineAnswer {
            results: checked,
            cache_time: p_i64(p, "cache_time"),
            is_personal: p_bool(p, "is_personal"),
        }),
    );
    Ok(json!(true))
}

/// One result of `answerInlineQuery`, checked like Telegram (only articles with text content are modelled).
fn inline_result(st: &State, r: &Value) -> Result<InlineResult, ApiErr> {
    if r.get("type").and_then(Value::as_str) != Some("article") {
        return Err(bad("RESULT_TYPE_INVALID"));
    }
    let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
    if id.is_empty() || id.len() > MAX_RESULT_ID_BYTES {
        return Err(bad("RESULT_ID_INVALID"));
    }
    let title = r.get("title").and_then(Value::as_str).unwrap_or_default();
    if title.trim().is_empty() {
        return Err(bad("RESULT_TITLE_EMPTY"));
    }
    let content = r
        .get("input_message_content")
        .ok_or_else(|| bad("SEND_MESSAGE_MEDIA_INVALID"))?;
    let raw = content.get("message_text").and_then(Value::as_str).unwrap_or_default();
    let parse_mode = content.get("parse_mode").and_then(Value::as_str);
    let parsed = format_text(st, raw, parse_mode)?;
    check_length(&parsed.text).map_err(|_| bad("MESSAGE_TOO_LONG"))?;
    let markup = reply_markup(&json!({ "reply_markup": r.get("reply_markup").cloned().unwrap_or(Value::Null) }))?;
    Ok(InlineResult {
        id: id.to_string(),
        title: title.to_string(),
        description: r.get("description").and_then(Value::as_str).map(str::to_string),
        text: parsed.text,
        raw_text: raw.to_string(),
        reply_markup: markup,
    })
}

fn commands_key(p: &Value) -> Result<(String, String), ApiErr> {
    let lang = p_str(p, "language_code").unwrap_or_default();
    let lang_ok = lang.is_empty() || (lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()));
    if !lang_ok {
        return Err(bad("invalid language code specified"));
    }
    let scope = match p_json(p, "scope") {
        None => "default".to_string(),
        Some(s) => {
            let kind = s.get("type").and_then(Value::as_str).unwrap_or("default").to_string();
            let chat = p_str(&s, "chat_id");
            let user = p_str(&s, "user_id");
            match (kind.as_str(), chat, user) {
                ("chat_member", Some(c), Some(u)) => format!("chat_member:{c}:{u}"),
                (k, Some(c), _) => format!("{k}:{c}"),
                (k, None, _) => k.to_string(),
            }
        }
    };
    Ok((scope, lang))
}

/// `setMyDescription` (0-512 characters) and `setMyShortDescription` (0-120), per language code; empty removes.
fn set_description(st: &mut State, p: &Value, field: &str, max: usize) -> Result<Value, ApiErr> {
    let lang = p_str(p, "language_code").unwrap_or_default();
    if !(lang.is_empty() || (lang.len() == 2 && lang.chars().all(|c| c.is_ascii_lowercase()))) {
        return Err(bad("LANGUAGE_CODE_INVALID"));
    }
    let text = p_str(p, field).unwrap_or_default();
    if text.chars().count() > max {
        return Err(bad(if field == "description" {
            "BOT_DESCRIPTION_INVALID"
        } else {
            "BOT_SHORT_DESCRIPTION_INVALID"
        }));
    }
    let key = (field.to_string(), lang.to_string());
    if text.is_empty() {
        st.descriptions.remove(&key);
    } else {
        st.descriptions.insert(key, text.to_string());
    }
    Ok(json!(true))
}

fn set_my_commands(st: &mut State, p: &Value) -> Result<Value, ApiErr> {
    let key = commands_key(p)?;
    let cmds = p_json(p, "commands")
        .and_then(|v| v.as_array().cloned())
        .ok_or_else(|| bad("parameter \"commands\" is required"))?;
    if cmds.len() > 100 {
        return Err(bad("too many commands specified"));
    }
    let mut list = Vec::new();
    for c in &cmds {
        let command = c.get("command").and_then(Value::as_str).unwrap_or_default();
        let description = c.get("description").and_then(Value::as_str).unwrap_or_default();
        let command_ok = (1..=32).contains(&command.chars().count())
            && command
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !command_ok {
            return Err(bad("BOT_COMMAND_INVALID"));
        }
        if !(1..=256).contains(&description.chars().count()) {
            return Err(bad("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
        list.push((command.to_string(), description.to_string()));
    }
    if list.is_empty() {
        st.commands.remove(&key);
    } else {
        st.commands.insert(key, list);
    }
    Ok(json!(true))
}
