//! What the bot remembers about a conversation, in memory only and briefly: the chosen language, the ids of the
//! messages it may have to delete on "clear this chat", and when the chat last wrote (to drop floods). Never
//! written anywhere; a restart forgets everything.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use teloxide::types::{ChatId, MessageId};

use crate::dialogue::Session;

/// Telegram lets a bot delete messages for 48 hours; after that there is nothing left to remember.
pub const FORGET_AFTER: Duration = Duration::from_secs(48 * 3600);
/// Most message ids kept per chat (the oldest are forgotten first).
const MAX_MESSAGES_PER_CHAT: usize = 2000;
/// A chat may send this many updates per [`FLOOD_WINDOW`]; more are dropped without a reply. Telegram lets a bot
/// send about one message a second to a chat, so a flood could never be answered anyway, and dropping it cheaply
/// keeps one flooding chat from holding up everyone else.
pub const FLOOD_LIMIT: usize = 20;
pub const FLOOD_WINDOW: Duration = Duration::from_secs(60);

/// Taken while one update of a chat is answered, so a chat's updates are answered one at a time, in order, while
/// other chats go on in parallel.
pub type Turn = Arc<tokio::sync::Mutex<()>>;

struct Chat {
    session: Session,
    messages: Vec<MessageId>,
    last_seen: Instant,
    recent: VecDeque<Instant>,
    turn: Turn,
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

    /// An update arrived from `chat` (remembering the user's `message` for "clear this chat"). Returns the chat's
    /// turn to wait for, or `None` when the chat is flooding and the update should be dropped.
    pub fn arrive(&self, chat: ChatId, language_code: Option<&str>, message: Option<MessageId>) -> Option<Turn> {
        let mut map = self.lock();
        let now = Instant::now();
        if map.len() > 10_000 && map.len().is_power_of_two() {
            map.retain(|_, c| now.duration_since(c.last_seen) < FORGET_AFTER);
        }
        let chat = map.entry(chat).or_insert_with(|| Chat {
            session: Session::new(language_code),
            messages: Vec::new(),
            last_seen: now,
            recent: VecDeque::new(),
            turn: Turn::default(),
        });
        if now.duration_since(chat.last_seen) >= FORGET_AFTER {
            chat.messages.clear();
        }
        chat.last_seen = now;
        if let Some(id) = message {
            push_bounded(&mut chat.messages, id);
        }
        while chat
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > FLOOD_WINDOW)
        {
            chat.recent.pop_front();
        }
        if chat.recent.len() >= FLOOD_LIMIT {
            return None;
        }
        chat.recent.push_back(now);
        Some(chat.turn.clone())
    }

    /// The conversation's session (call with the chat's turn held).
    pub fn session(&self, chat: ChatId) -> Session {
        self.lock()
            .get(&chat)
            .map(|c| c.session.clone())
            .unwrap_or_else(|| Session::new(None))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floods_are_dropped_and_other_chats_go_on() {
        let chats = Chats::default();
        let flooder = ChatId(1);
        let admitted = (0..100)
            .filter(|i| chats.arrive(flooder, None, Some(MessageId(*i))).is_some())
            .count();
        assert_eq!(admitted, FLOOD_LIMIT);
        assert!(chats.arrive(ChatId(2), Some("en"), None).is_some());
        assert_eq!(chats.session(ChatId(2)).lang, crate::knowledge::Lang::En);
        // Dropped messages are still deleted by "clear this chat".
        assert_eq!(chats.take_messages(flooder).len(), 100);
        assert!(chats.take_messages(flooder).is_empty());
    }
}
