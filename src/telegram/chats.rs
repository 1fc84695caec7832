//! What the bot remembers about a conversation, in memory only and briefly: the chosen language and the ids of the
//! messages it may have to delete on "clear this chat". Never written anywhere; a restart forgets everything.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use teloxide::types::{ChatId, MessageId};

use crate::dialogue::Session;

/// Telegram lets a bot delete messages for 48 hours; after that there is nothing left to remember.
pub const FORGET_AFTER: Duration = Duration::from_secs(48 * 3600);
/// Most message ids kept per chat (the oldest are forgotten first).
const MAX_MESSAGES_PER_CHAT: usize = 2000;

struct Chat {
    session: Session,
    messages: Vec<MessageId>,
    last_seen: Instant,
}

#[derive(Default)]
pub struct Chats {
    inner: Mutex<HashMap<ChatId, Chat>>,
}

impl Chats {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ChatId, Chat>> {
        // A panic elsewhere while holding the lock leaves plain data behind: keep using it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The conversation's session (a new one in the app's language if unknown), remembering `message`.
    pub fn begin(&self, chat: ChatId, language_code: Option<&str>, message: Option<MessageId>) -> Session {
        let mut map = self.lock();
        let now = Instant::now();
        if map.len() > 10_000 && map.len().is_power_of_two() {
            map.retain(|_, c| now.duration_since(c.last_seen) < FORGET_AFTER);
        }
        let chat = map.entry(chat).or_insert_with(|| Chat {
            session: Session::new(language_code),
            messages: Vec::new(),
            last_seen: now,
        });
        if now.duration_since(chat.last_seen) >= FORGET_AFTER {
            chat.messages.clear();
        }
        chat.last_seen = now;
        if let Some(id) = message {
            push_bounded(&mut chat.messages, id);
        }
        chat.session.clone()
    }

    pub fn end(&self, chat: ChatId, session: Session) {
        if let Some(c) = self.lock().get_mut(&chat) {
            c.session = session;
        }
    }

    /// Remembers a message the bot sent.
    pub fn remember(&self, chat: ChatId, message: MessageId) {
        if let Some(c) = self.lock().get_mut(&chat) {
            push_bounded(&mut c.messages, message);
        }
    }

    /// The messages of the conversation, forgotten as they are handed out (to be deleted).
    pub fn take_messages(&self, chat: ChatId) -> Vec<MessageId> {
        self.lock()
            .get_mut(&chat)
            .map(|c| std::mem::take(&mut c.messages))
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn push_bounded(messages: &mut Vec<MessageId>, id: MessageId) {
    if messages.len() >= MAX_MESSAGES_PER_CHAT {
        messages.remove(0);
    }
    if !messages.contains(&id) {
        messages.push(id);
    }
}
