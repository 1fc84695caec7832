//! Property tests over what comes from outside and was not covered yet (search questions are covered in
//! search_robustness): button data, deep-link parameters, webhook bodies, and knowledge files of arbitrary bytes.
//! Nothing panics; the person always gets an answer; a broken file is a diagnostic, never a crash.

mod common;

use std::sync::Arc;

use arc_swap::ArcSwap;
use proptest::prelude::*;
use udha::dialogue::{Engine, Event, Incoming, Session};
use udha::knowledge::{self, Knowledge};
use udha::telegram::webhook::parse_update;

fn engine() -> Engine {
    Engine::new(Arc::new(ArcSwap::new(common::shipped_index())))
}

/// A real-looking update with `text` from a person.
fn update_json(text: &str, data: Option<&str>) -> Vec<u8> {
    let from = serde_json::json!({"id": 7, "is_bot": false, "first_name": "A", "language_code": "sq"});
    let chat = serde_json::json!({"id": 7, "type": "private", "first_name": "A"});
    let update = match data {
        None => serde_json::json!({"update_id": 1, "message": {
            "message_id": 3, "date": 1_700_000_000, "chat": chat, "from": from, "text": text}}),
        Some(d) => serde_json::json!({"update_id": 2, "callback_query": {
            "id": "q1", "from": from, "chat_instance": "c", "data": d,
            "message": {"message_id": 4, "date": 1_700_000_000, "chat": chat, "text": text}}}),
    };
    serde_json::to_vec(&update).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn any_button_data_gets_an_answer(data in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let engine = engine();
        for d in [data, String::from_utf8_lossy(&bytes).into_owned()] {
            let mut session = Session::new(Some("sq"));
            let reply = engine.handle(&mut session, Incoming { event: Event::Button(d), private: true });
            prop_assert!(!reply.messages.is_empty() || reply.notice.is_some());
        }
    }

    #[test]
    fn any_deep_link_parameter_gets_an_answer(param in any::<String>(), lang in "(sq|en|de|)") {
        let engine = engine();
        let mut session = Session::new(Some(lang.as_str()));
        let text = format!("/start {param}");
        let reply = engine.handle(&mut session, Incoming { event: Event::from_text(&text), private: true });
        prop_assert!(!reply.messages.is_empty());
    }

    #[test]
    fn any_webhook_body_is_read_or_dropped_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_update(&bytes);
    }

    #[test]
    fn any_text_or_button_data_in_a_real_update_is_read(text in any::<String>(), data in any::<String>()) {
        prop_assert!(parse_update(&update_json(&text, None)).is_some());
        prop_assert!(parse_update(&update_json(&text, Some(&data))).is_some());
        // Cut anywhere, it is dropped, never a panic.
        let body = update_json(&text, Some(&data));
        let _ = parse_update(&body[..body.len() / 2]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn a_knowledge_file_of_arbitrary_bytes_is_a_diagnostic_not_a_crash(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        keep_prefix in 0usize..400,
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("entry.yaml"), &bytes).unwrap();
        prop_assert!(Knowledge::load(dir.path(), udha::app::knowledge_fit()).is_err());
        let _ = knowledge::check(dir.path(), knowledge::today(), udha::app::knowledge_fit());

        // A real entry with its end replaced by arbitrary bytes.
        let good = std::fs::read(common::knowledge_dir().join("safety/safety-save-evidence.yaml")).unwrap();
        let mut broken = good[..keep_prefix.min(good.len())].to_vec();
        broken.extend_from_slice(&bytes);
        std::fs::write(dir.path().join("entry.yaml"), &broken).unwrap();
        let _ = Knowledge::load(dir.path(), udha::app::knowledge_fit());
        let _ = knowledge::check(dir.path(), knowledge::today(), udha::app::knowledge_fit());
    }
}
