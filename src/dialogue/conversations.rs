//! The conversation runtime every front end needs around the engine, once: each chat's session (language, the
//! messages to delete on "clear this chat"), its events answered one at a time and in order, floods dropped
//! cheaply, and the tallies of each reply handed to the counts. In memory only and briefly; never written
//! anywhere, and a restart forgets everything. A front end supplies the rest through [`FrontEnd`]: what it can
//! show and how it shows a reply.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::engine::{Engine, Incoming, Limits, Session};
use super::message::{Reply, Tally};
use crate::knowledge::Lang;

/// What a front end supplies: its limits, and how a reply is shown in one of its chats.
pub trait FrontEnd {
    /// How the front end names a chat.
    type Chat;
    type Error;

    /// What it can show; the engine shapes its replies to it.
    fn limits(&self) -> Limits;

    /// Shows a reply in a chat: the chat cleared first if the reply asks, then each message in order. (The
    /// runtime has already counted the reply's tallies.)
    fn apply(&self, chat: &Self::Chat, reply: &Reply) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Receives what to count.
pub type TallySink = Arc<dyn Fn(&Tally, Lang) + Send + Sync>;

/// Telegram lets a bot delete messages for 48 hours; after that there is nothing left to remember (no front end
/// keeps a conversation longer).
pub(crate) const FORGET_AFTER: Duration = Duration::from_secs(48 * 3600);
/// Most message ids kept per chat (the oldest are forgotten first).
const MAX_MESSAGES_PER_CHAT: usize = 2000;
/// A chat may send this many events per [`FLOOD_WINDOW`]; more are dropped without a reply. Telegram lets a bot
/// send about one message a second to a chat, so a flood could never be answered anyway, and dropping it cheaply
/// keeps one flooding chat from holding up everyone else.
pub const FLOOD_LIMIT: usize = 20;
pub(crate) const FLOOD_WINDOW: Duration = Duration::from_secs(60);

/// Taken while one update of a chat is answered, so a chat's updates are answered one at a time, in order, while
/// other chats go on in parallel.
pub type Turn = Arc<tokio::sync::Mutex<()>>;

struct Chat<M> {
    session: Session,
    messages: Vec<M>,
    last_seen: Instant,
    recent: VecDeque<Instant>,
    turn: Turn,
}

/// A front end's conversations: chats named by `K`, messages by `M`.
pub struct Conversations<K, M> {
    engine: Engine,
    tally: TallySink,
    inner: Mutex<HashMap<K, Chat<M>>>,
}

impl<K: Eq + Hash + Clone, M: PartialEq + Clone> Conversations<K, M> {
    pub fn new(engine: Engine, tally: TallySink) -> Self {
        Conversations {
            engine,
            tally,
            inner: Mutex::new(HashMap::new()),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Answers an event of `chat` with its session, and counts the reply (call with the chat's turn held).
    pub fn answer(&self, chat: &K, incoming: Incoming) -> Reply {
        let mut session = self.session(chat);
        let reply = self.engine.handle(&mut session, incoming);
        self.end(chat, session);
        self.count(&reply);
        reply
    }

    /// Answers an event that belongs to no chat (an inline query), in the language of the person's app.
    pub fn answer_outside(&self, language_code: Option<&str>, incoming: Incoming) -> Reply {
        let reply = self.engine.handle(&mut Session::new(language_code), incoming);
        self.count(&reply);
        reply
    }

    fn count(&self, reply: &Reply) {
        for t in &reply.tallies {
            (self.tally)(t, reply.lang);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Chat<M>>> {
        // A panic elsewhere while holding the lock leaves plain data behind: keep using it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An update arrived from `chat` (remembering the user's `message` for "clear this chat"). Returns the chat's
    /// turn to wait for, or `None` when the chat is flooding and the update should be dropped.
    pub fn arrive(&self, chat: &K, language_code: Option<&str>, message: Option<M>) -> Option<Turn> {
        let mut map = self.lock();
        let now = Instant::now();
        if map.len() > 10_000 && map.len().is_power_of_two() {
            map.retain(|_, c| now.duration_since(c.last_seen) < FORGET_AFTER);
        }
        let chat = map.entry(chat.clone()).or_insert_with(|| Chat {
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
    pub fn session(&self, chat: &K) -> Session {
        self.lock()
            .get(chat)
            .map(|c| c.session.clone())
            .unwrap_or_else(|| Session::new(None))
    }

    fn end(&self, chat: &K, session: Session) {
        if let Some(c) = self.lock().get_mut(chat) {
            c.session = session;
        }
    }

    /// Remembers a message the bot sent.
    pub fn remember(&self, chat: &K, message: M) {
        if let Some(c) = self.lock().get_mut(chat) {
            push_bounded(&mut c.messages, message);
        }
    }

    /// The messages of the conversation, forgotten as they are handed out (to be deleted).
    pub fn take_messages(&self, chat: &K) -> Vec<M> {
        self.lock()
            .get_mut(chat)
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

fn push_bounded<M: PartialEq>(messages: &mut Vec<M>, id: M) {
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
        let index = crate::search::SearchIndex::build(Arc::default()).expect("an empty index");
        let engine = Engine::new(Arc::new(arc_swap::ArcSwap::from_pointee(index)));
        let chats: Conversations<i64, i32> = Conversations::new(engine, Arc::new(|_: &Tally, _: Lang| {}));
        let flooder = 1;
        let admitted = (0..100)
            .filter(|i| chats.arrive(&flooder, None, Some(*i)).is_some())
            .count();
        assert_eq!(admitted, FLOOD_LIMIT);
        assert!(chats.arrive(&2, Some("en"), None).is_some());
        assert_eq!(chats.session(&2).lang, Lang::En);
        // Dropped messages are still deleted by "clear this chat".
        assert_eq!(chats.take_messages(&flooder).len(), 100);
        assert!(chats.take_messages(&flooder).is_empty());
    }
}
