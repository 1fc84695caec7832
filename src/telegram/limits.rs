//! Telegram's send limits, kept without adding delay while under them.
//!
//! teloxide's `Throttle` sent in rounds with a fixed 250 ms sleep after each, so every reply waited ~170 ms even
//! when nothing was near a limit. Here each `sendMessage` asks a GCRA limiter (`governor`) and goes out at once
//! unless it would cross a limit; only then does it wait, exactly as long as needed:
//! - overall: 30 messages in any second (a steady 25/s plus a burst of 5), or a configured figure, or none (a
//!   self-hosted Bot API server that is not shared);
//! - per group chat: 20 in any minute, which also keeps to 1 per second (one every 3.2 s);
//! - per private chat: 1 per second after a burst of 4, so a reply of several messages goes out together.
//!
//! Messages of one reply stay in order: a chat's replies are sent one at a time by its turn (see `chats`), each
//! message awaited before the next. A 429 still happens (another bot process on the same token, Telegram's own
//! judgement) and is waited out by the caller's retry with Telegram's `retry_after`.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use teloxide::types::ChatId;

/// Telegram's overall limit for one bot, in messages per second.
pub const TELEGRAM_OVERALL_PER_SECOND: u32 = 30;

/// The limiters of one bot.
pub(crate) struct SendLimits {
    overall: Option<DefaultDirectRateLimiter>,
    private: DefaultKeyedRateLimiter<i64>,
    group: DefaultKeyedRateLimiter<i64>,
    sends: AtomicU64,
}

impl std::fmt::Debug for SendLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendLimits")
            .field("overall", &self.overall.is_some())
            .finish_non_exhaustive()
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// At most `per_second` in any one-second window: a steady rate of 5/6 of it plus a burst of the rest.
fn overall_quota(per_second: u32) -> Quota {
    let burst = (per_second / 6).max(1);
    let steady = per_second.saturating_sub(burst).max(1);
    Quota::with_period(Duration::from_secs(1) / steady)
        .unwrap_or_else(|| Quota::per_second(nz(steady)))
        .allow_burst(nz(burst))
}

impl SendLimits {
    /// `overall_per_second`: the bot's overall limit (`None`: no overall limit).
    pub fn new(overall_per_second: Option<u32>) -> SendLimits {
        let group = Quota::with_period(Duration::from_millis(3200))
            .unwrap_or_else(|| Quota::per_minute(nz(18)))
            .allow_burst(nz(1));
        let private = Quota::per_second(nz(1)).allow_burst(nz(4));
        SendLimits {
            overall: overall_per_second
                .filter(|n| *n > 0)
                .map(|n| RateLimiter::direct(overall_quota(n))),
            private: RateLimiter::keyed(private),
            group: RateLimiter::keyed(group),
            sends: AtomicU64::new(0),
        }
    }

    /// Waits until a message to `chat` may go out without crossing a limit (at once while under them all).
    pub async fn ready(&self, chat: ChatId) {
        if chat.is_user() {
            self.private.until_key_ready(&chat.0).await;
        } else {
            self.group.until_key_ready(&chat.0).await;
        }
        if let Some(overall) = &self.overall {
            overall.until_ready().await;
        }
        // Chats that have been quiet long enough carry no state: forget them now and then.
        if self.sends.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.private.retain_recent();
            self.group.retain_recent();
        }
    }

    /// Whether a message to `chat` could go out right now (consumes it if so). For tests.
    #[cfg(test)]
    fn try_now(&self, chat: ChatId) -> bool {
        let per_chat = if chat.is_user() {
            self.private.check_key(&chat.0).is_ok()
        } else {
            self.group.check_key(&chat.0).is_ok()
        };
        per_chat && self.overall.as_ref().is_none_or(|o| o.check().is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_the_limits_nothing_waits_and_bursts_are_capped() {
        let limits = SendLimits::new(Some(30));
        // A private reply of four messages goes out at once; the fifth would cross 1/s.
        let user = ChatId(42);
        assert!((0..4).all(|_| limits.try_now(user)));
        assert!(!limits.try_now(user));
        // A group gets one message, then waits (20 a minute).
        let group = ChatId(-1_001_234);
        assert!(limits.try_now(group));
        assert!(!limits.try_now(group));
        // Overall: at most 30 in the first second, whatever the chats (5 used above).
        let sent = (100..200).filter(|n| limits.try_now(ChatId(*n))).count();
        assert!(sent <= 30 - 5, "{sent}");
        // Lifted: any number of chats at once.
        let free = SendLimits::new(None);
        assert!((1000..3000).all(|n| free.try_now(ChatId(n))));
    }
}
