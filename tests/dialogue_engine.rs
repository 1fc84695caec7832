//! The dialogue engine without any network: every menu path, flow step and command, in both languages.

mod common;

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use arc_swap::ArcSwap;
use udha::dialogue::callback::{self, Action, MAX_BYTES};
use udha::dialogue::{Button, Command, Engine, Event, Incoming, Message, Reply, Session, Tally, ui_texts};
use udha::knowledge::{Kind, Lang};

fn engine() -> Engine {
    let index = common::shipped_index();
    // The engine takes a swappable index; share the built one.
    let shared = Arc::new(ArcSwap::new(index));
    Engine::new(shared)
}

fn private(event: Event) -> Incoming {
    Incoming { event, private: true }
}

fn command(c: Command, arg: &str) -> Incoming {
    private(Event::Command {
        command: c,
        arg: arg.into(),
    })
}

fn press(data: &str) -> Incoming {
    private(Event::Button(data.into()))
}

fn datas(reply: &Reply) -> Vec<String> {
    reply
        .messages
        .iter()
        .flat_map(Message::all_buttons)
        .filter_map(|b| match b {
            Button::Action { data, .. } => Some(data.clone()),
            Button::Link { .. } | Button::Copy { .. } | Button::Share { .. } | Button::Open { .. } => None,
        })
        .collect()
}

fn text(reply: &Reply) -> String {
    reply.messages.iter().map(Message::plain).collect::<Vec<_>>().join("\n")
}

fn assert_buttons_fit(reply: &Reply) {
    for d in datas(reply) {
        assert!(!d.is_empty() && d.len() <= MAX_BYTES, "button data {d:?}");
        assert!(
            callback::decode(&d).is_some(),
            "every button the engine makes decodes: {d:?}"
        );
    }
}

#[test]
fn start_greets_neutrally_in_the_apps_language_with_the_menu() {
    let e = engine();
    for (code, lang) in [
        (Some("sq"), Lang::Sq),
        (Some("en-GB"), Lang::En),
        (None, Lang::Sq),
        (Some("de"), Lang::Sq),
    ] {
        let mut s = Session::new(code);
        let r = e.handle(&mut s, command(Command::Start, ""));
        assert_eq!(r.lang, lang);
        assert_eq!(r.tallies, vec![Tally::Start]);
        let t = ui_texts(lang);
        let first = r.messages[0].plain();
        assert!(first.starts_with(t.greeting), "{first}");
        // A lock-screen preview must not reveal what the chat is about.
        let preview: String = first.chars().take(80).collect::<String>().to_lowercase();
        for word in ["dhun", "violen", "abuz", "abuse", "polic", "rrezik", "danger"] {
            assert!(!preview.contains(word), "{preview}");
        }
        let labels: Vec<&str> = r.messages[0].all_buttons().map(Button::label).collect();
        for want in [
            t.urgent,
            t.safety,
            t.platforms,
            t.laws,
            t.procedures,
            t.contacts,
            t.switch_lang,
            t.clear,
        ] {
            assert!(labels.contains(&want), "{want} in {labels:?}");
        }
        assert_buttons_fit(&r);
    }
}

/// Presses every button reachable from the main menu, breadth first, in both languages: nothing expires, every
/// entry and every flow step is reachable, all button data fits.
#[test]
fn every_menu_path_and_flow_step_works_in_both_languages() {
    let e = engine();
    let index = common::shipped_index();
    for lang in Lang::ALL {
        let mut s = Session {
            lang,
            group_notice_sent: false,
        };
        let start = e.handle(&mut s, command(Command::Menu, ""));
        let mut queue: VecDeque<String> = datas(&start).into();
        let mut seen: HashSet<String> = queue.iter().cloned().collect();
        let mut opened: HashSet<String> = HashSet::new();
        let mut flow_steps: HashSet<(String, String)> = HashSet::new();
        while let Some(data) = queue.pop_front() {
            let mut session = Session {
                lang,
                group_notice_sent: false,
            };
            let r = e.handle(&mut session, press(&data));
            assert_eq!(r.notice, None, "button {data} expired");
            assert!(!r.messages.is_empty(), "button {data} answered nothing");
            assert_buttons_fit(&r);
            for t in &r.tallies {
                match t {
                    Tally::Answer(id) => {
                        opened.insert(id.clone());
                    }
                    Tally::FlowStep { flow, step } => {
                        flow_steps.insert((flow.clone(), step.clone()));
                    }
                    _ => {}
                }
            }
            if callback::decode(&data).is_some_and(|p| matches!(p.action, Action::SetLang | Action::Clear)) {
                continue;
            }
            for d in datas(&r) {
                if seen.insert(d.clone()) {
                    queue.push_back(d);
                }
            }
        }
        for entry in index.knowledge().entries() {
            if entry.kind == Kind::Flow {
                for step in &entry.flow.as_ref().unwrap().steps {
                    assert!(
                        flow_steps.contains(&(entry.id.clone(), step.id.clone())),
                        "{lang}: flow step {}/{} not reachable",
                        entry.id,
                        step.id
                    );
                }
            } else {
                assert!(
                    opened.contains(&entry.id),
                    "{lang}: entry {} not reachable from the menu",
                    entry.id
                );
            }
        }
    }
}

#[test]
fn flow_steps_always_offer_a_way_out() {
    let e = engine();
    let index = common::shipped_index();
    for lang in Lang::ALL {
        let t = ui_texts(lang);
        for entry in index.knowledge().of_kind(Kind::Flow) {
            let flow = entry.flow.as_ref().unwrap();
            for step in &flow.steps {
                let data = callback::encode(
                    lang,
                    &Action::FlowStep {
                        flow: entry.id.clone(),
                        step: step.id.clone(),
                    },
                );
                let mut s = Session {
                    lang,
                    group_notice_sent: false,
                };
                let r = e.handle(&mut s, press(&data));
                let labels: Vec<&str> = r.messages[0].all_buttons().map(Button::label).collect();
                for want in [t.in_danger, t.menu, t.clear] {
                    assert!(labels.contains(&want), "{}/{} lacks {want}", entry.id, step.id);
                }
                assert_eq!(
                    labels.contains(&t.back),
                    step.id != flow.start,
                    "{}/{}: back",
                    entry.id,
                    step.id
                );
                let ends = step.options.iter().all(|o| o.goto.is_none());
                assert_eq!(r.tallies.contains(&Tally::FlowEnd(entry.id.clone())), ends);
            }
        }
    }
}

#[test]
fn a_question_gets_the_best_entry_in_the_questions_language() {
    let e = engine();
    let mut s = Session::new(Some("en"));
    let r = e.handle(
        &mut s,
        private(Event::Text("dikush hapi llogari false me foton time".into())),
    );
    assert_eq!(r.lang, Lang::Sq);
    assert_eq!(
        r.tallies[..2],
        [Tally::Question, Tally::Answer("safety-fake-profile".into())]
    );
    assert!(
        text(&r).contains(
            &common::shipped_index()
                .knowledge()
                .get("safety-fake-profile")
                .unwrap()
                .text
                .sq
                .title
        )
    );
    assert!(datas(&r).len() >= 3, "next results and related entries as buttons");

    let mut s = Session::new(Some("sq"));
    let r = e.handle(&mut s, private(Event::Text("he posted my nudes on a group".into())));
    assert_eq!(r.lang, Lang::En);
    assert!(matches!(&r.tallies[1], Tally::Answer(_)));
}

#[test]
fn nothing_found_says_so_with_the_menu_and_the_line() {
    let e = engine();
    for lang in Lang::ALL {
        let mut s = Session {
            lang,
            group_notice_sent: false,
        };
        let r = e.handle(&mut s, private(Event::Text("qwxzy vbnmq".into())));
        assert_eq!(r.tallies, vec![Tally::Question, Tally::NoResult]);
        assert!(text(&r).contains("116 117"));
        assert!(!datas(&r).is_empty());
    }
}

#[test]
fn an_emergency_gets_urgent_help_first() {
    let e = engine();
    for (q, lang) in [
        ("po me rreh, ka thike", Lang::Sq),
        ("he is outside my door right now with a knife", Lang::En),
    ] {
        let mut s = Session {
            lang,
            group_notice_sent: false,
        };
        let r = e.handle(&mut s, private(Event::Text(q.into())));
        assert!(r.tallies.contains(&Tally::Emergency));
        let first = r.messages[0].plain();
        assert!(first.contains("129"), "{first}");
        assert!(first.contains("116 117"), "{first}");
    }
    let mut s = Session::new(None);
    let r = e.handle(&mut s, private(Event::Text("kanosja me vdekje, neni 84".into())));
    assert!(!r.tallies.contains(&Tally::Emergency));
}

#[test]
fn deep_links_open_the_entry_and_unknown_ids_get_the_menu() {
    let e = engine();
    let mut s = Session::new(None);
    let r = e.handle(&mut s, command(Command::Start, "safety-save-evidence"));
    assert_eq!(r.tallies[0], Tally::DeepLink("safety-save-evidence".into()));
    assert!(r.tallies.contains(&Tally::Answer("safety-save-evidence".into())));
    let r = e.handle(&mut s, command(Command::Start, "flow-hacked-account"));
    assert!(r.tallies.contains(&Tally::FlowStart("flow-hacked-account".into())));
    for bad in ["no-such-entry", "../../etc/passwd", "<b>", &"x".repeat(500)] {
        let r = e.handle(&mut s, command(Command::Start, bad));
        assert_eq!(r.tallies, vec![Tally::Start], "{bad}");
        assert!(r.messages[0].plain().starts_with(ui_texts(s.lang).greeting));
    }
}

#[test]
fn commands_work_with_and_without_the_bot_name() {
    assert_eq!(
        Event::from_text("/start"),
        Event::Command {
            command: Command::Start,
            arg: String::new()
        }
    );
    assert_eq!(
        Event::from_text("/start@UdhaBot law-crm"),
        Event::Command {
            command: Command::Start,
            arg: "law-crm".into()
        }
    );
    assert_eq!(
        Event::from_text("/HELP"),
        Event::Command {
            command: Command::Help,
            arg: String::new()
        }
    );
    assert_eq!(Event::from_text("/unknown x"), Event::Text("/unknown x".into()));
    let e = engine();
    for lang in Lang::ALL {
        let t = ui_texts(lang);
        let mut s = Session {
            lang,
            group_notice_sent: false,
        };
        assert!(text(&e.handle(&mut s, command(Command::Help, ""))).contains("/clear"));
        assert!(text(&e.handle(&mut s, command(Command::Menu, ""))).contains(t.menu_prompt));
        let r = e.handle(&mut s, command(Command::Lang, ""));
        assert_eq!(r.messages[0].all_buttons().count(), 2);
        let r = e.handle(&mut s, command(Command::Clear, ""));
        assert!(r.clear_chat);
        assert_eq!(r.tallies, vec![Tally::ClearChat]);
        assert!(text(&r).contains(t.cleared));
    }
}

#[test]
fn switching_language_changes_the_session() {
    let e = engine();
    let mut s = Session::new(Some("sq"));
    let data = callback::encode(Lang::En, &Action::SetLang);
    let r = e.handle(&mut s, press(&data));
    assert_eq!(s.lang, Lang::En);
    assert_eq!(r.tallies, vec![Tally::LangSwitch]);
    assert!(text(&r).contains(ui_texts(Lang::En).lang_set));
}

#[test]
fn forged_or_stale_buttons_expire_politely() {
    let e = engine();
    let random: String = (0..64u32)
        .map(|i| char::from(b'!' + ((i * 37 + 11) % 90) as u8))
        .collect();
    for bad in [
        "",
        "garbage",
        "0selaw-crm",
        "9seentry",
        "1sezzz-no-such-entry",
        "1sfflow-safety-check:no-such-step",
        "1sfno-flow:start",
        "1sh0000000000000000",
        "1smZ",
        random.as_str(),
        "1se💥",
    ] {
        let mut s = Session::new(None);
        let r = e.handle(&mut s, press(bad));
        assert_eq!(r.notice.as_deref(), Some(ui_texts(Lang::Sq).expired), "{bad:?}");
        assert!(!r.messages.is_empty(), "the menu follows");
    }
}

#[test]
fn groups_get_one_notice_and_no_case_content() {
    let e = engine();
    let mut s = Session::new(None);
    let r = e.handle(
        &mut s,
        Incoming {
            event: Event::Text("si ta raportoj profilin fals".into()),
            private: false,
        },
    );
    assert_eq!(text(&r), ui_texts(Lang::Sq).private_only);
    assert!(r.tallies.is_empty());
    let r = e.handle(
        &mut s,
        Incoming {
            event: Event::Text("perseri".into()),
            private: false,
        },
    );
    assert!(r.messages.is_empty());
    let r = e.handle(
        &mut s,
        Incoming {
            event: Event::Button("1sml".into()),
            private: false,
        },
    );
    assert!(r.messages.is_empty() && r.notice.is_some());
}

#[test]
fn media_gets_a_short_text_reply() {
    let e = engine();
    let mut s = Session::new(Some("en"));
    let r = e.handle(&mut s, private(Event::Media));
    assert!(text(&r).contains(ui_texts(Lang::En).text_only));
}

fn ask(e: &Engine, lang: Lang, q: &str) -> Reply {
    let mut s = Session {
        lang,
        group_notice_sent: false,
    };
    e.handle(&mut s, private(Event::Text(q.into())))
}

/// The position of the first line of a text that contains `needle`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle))
}

#[test]
fn a_child_in_danger_gets_129_then_116_111_first() {
    let e = engine();
    for (q, lang) in [
        ("babai po e rreh vellain tim te vogel me rrip tani", Lang::Sq),
        ("my boyfriend is shaking the baby and won't stop", Lang::En),
    ] {
        let r = ask(&e, lang, q);
        assert!(r.tallies.contains(&Tally::Emergency), "{q}");
        let first = r.messages[0].plain();
        let police = line_of(&first, "129").expect("129");
        let child = line_of(&first, "116 111").expect("116 111");
        let women = line_of(&first, "116 117").expect("116 117");
        assert!(police < child && child < women, "{q}: {first}");
    }
    // An adult in danger: the women's line comes second.
    let r = ask(&e, Lang::Sq, "po me rreh tani");
    let first = r.messages[0].plain();
    assert!(line_of(&first, "116 117") < line_of(&first, "116 111"), "{first}");
    assert!(
        !r.tallies.contains(&Tally::NoResult),
        "never 'nothing found' after the urgent help"
    );
}

#[test]
fn the_danger_missed_before_now_gets_urgent_help_first() {
    let e = engine();
    for q in [
        "me ka mbyll ne dhome dhe ma mori telefonin, po shkruaj nga laptopi",
        "eshte jashte punes time dhe tha qe s'del gjalle sot",
        "do i jap fund jetes sonte",
        "po ma djeg shpin me ne brenda",
    ] {
        let r = ask(&e, Lang::Sq, q);
        assert!(r.tallies.contains(&Tally::Emergency), "{q}");
        assert!(r.messages[0].plain().contains("129"), "{q}");
    }
}

#[test]
fn idioms_past_events_and_a_professional_question_get_no_urgent_help() {
    let e = engine();
    let note = |r: &Reply| r.messages.iter().any(|m| m.plain().starts_with('⚠'));
    for (q, lang) in [
        ("this paperwork is killing me", Lang::En),
        ("më vret koka", Lang::Sq),
        ("hello", Lang::En),
        ("dy vjet me pare me rrahu, a mund ta denoncoj tani", Lang::Sq),
        (
            "I'm a social worker, how do I assess risk when there's a gun in the home?",
            Lang::En,
        ),
    ] {
        let r = ask(&e, lang, q);
        assert!(!r.tallies.contains(&Tally::Emergency), "{q}");
        if !q.contains("vjet") && !q.contains("gun") {
            assert!(!note(&r), "{q}: no one-line note either");
        }
    }
}

#[test]
fn possible_danger_gets_a_one_line_note_above_the_answer() {
    let e = engine();
    // A harm cue without certainty that it is now: not the full urgent help, but 129 on the first line.
    let q = "nje dite do me vrase, me tha";
    let r = ask(&e, Lang::Sq, q);
    assert!(!r.tallies.contains(&Tally::Emergency), "{q}");
    let first = r.messages[0].plain();
    let line = first.lines().next().unwrap_or_default();
    assert!(
        line.starts_with('⚠') && line.contains("129") && line.contains("116 117"),
        "{first}"
    );
    assert!(
        !first.starts_with(ui_texts(Lang::Sq).urgent_first),
        "not the full urgent help"
    );
}

#[test]
fn when_no_entry_is_clearly_ahead_the_best_titles_are_offered() {
    let e = engine();
    let mut offered = 0;
    for q in ["profil", "foto", "mesazhe", "ndihme", "polici"] {
        let r = ask(&e, Lang::Sq, q);
        let m = &r.messages[0];
        if m.plain().starts_with(ui_texts(Lang::Sq).which_one) {
            offered += 1;
            let entries = m.all_buttons().filter(|b| b.label() != ui_texts(Lang::Sq).menu).count();
            assert!((2..=4).contains(&entries), "{q}: {entries} choices");
            assert!(
                !r.tallies.iter().any(|t| matches!(t, Tally::Answer(_))),
                "{q}: nothing opened"
            );
            assert_buttons_fit(&r);
        }
    }
    assert!(offered > 0, "a one-word question is ambiguous at least once");
    // Clear questions open their entry.
    for q in [
        "si ta raportoj nje profil te rreme ne instagram",
        "si merret urdhri i mbrojtjes",
        "si ta referoj rastin te koordinatori",
        "numri i policise",
    ] {
        let r = ask(&e, Lang::Sq, q);
        assert!(r.tallies.iter().any(|t| matches!(t, Tally::Answer(_))), "{q}");
    }
}

#[test]
fn numbers_and_citations_can_be_copied() {
    let e = engine();
    let copies = |r: &Reply| -> Vec<String> {
        r.messages
            .iter()
            .flat_map(Message::all_buttons)
            .filter_map(|b| match b {
                Button::Copy { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    };
    let r = ask(&e, Lang::Sq, "po me rreh tani");
    let urgent = copies(&r);
    assert!(
        urgent.contains(&"129".to_string()) && urgent.contains(&"116 117".to_string()),
        "{urgent:?}"
    );
    let mut s = Session::new(Some("en"));
    let r = e.handle(&mut s, command(Command::Start, "law-criminal-threats"));
    assert!(copies(&r).iter().any(|c| c.contains("84")), "{:?}", copies(&r));
    let r = e.handle(&mut s, command(Command::Start, "safety-save-evidence"));
    assert!(copies(&r).is_empty(), "no copy buttons where there is nothing to copy");
}

#[test]
fn danger_now_with_nothing_else_found_opens_what_to_do_first() {
    let e = engine();
    // Words the knowledge does not have, and danger now: the urgent help, then what to do first.
    let r = ask(&e, Lang::En, "he is choking me");
    assert!(r.tallies.contains(&Tally::Emergency));
    assert!(!r.tallies.contains(&Tally::NoResult), "{:?}", r.tallies);
    assert!(
        r.tallies.contains(&Tally::Answer("safety-immediate-danger".into())),
        "{:?}",
        r.tallies
    );
}

#[test]
fn buttons_stay_within_the_front_ends_limits() {
    let small = udha::dialogue::Limits {
        buttons_per_row: 2,
        buttons_per_message: 6,
        ..udha::dialogue::Limits::default()
    };
    let e = engine().with_limits(small);
    for lang in Lang::ALL {
        let mut s = Session::new(Some(lang.code()));
        let menu = e.handle(&mut s, command(Command::Menu, ""));
        for data in datas(&menu) {
            let r = e.handle(&mut s, press(&data));
            for m in &r.messages {
                assert!(m.buttons.iter().all(|row| row.len() <= 2), "{data}: {:?}", m.buttons);
                assert!(
                    m.all_buttons().count() <= 6,
                    "{data}: {} buttons",
                    m.all_buttons().count()
                );
            }
        }
    }
    // The row that leads back (the menu) is kept when buttons are dropped.
    let mut rows: Vec<Vec<Button>> = (0..12)
        .map(|i| {
            vec![
                Button::Copy {
                    label: format!("{i}"),
                    text: format!("{i}"),
                };
                3
            ]
        })
        .collect();
    rows.push(vec![Button::Link {
        label: "menu".into(),
        url: "https://example.org".into(),
    }]);
    let mut message = Message {
        parts: Vec::new(),
        buttons: rows,
    };
    small.fit_buttons(&mut message);
    assert_eq!(message.all_buttons().count(), 6);
    assert_eq!(message.buttons.last().map(|r| r[0].label()), Some("menu"));
}

#[test]
fn udha_check_warns_when_a_menu_would_list_more_entries_than_a_message_shows() {
    let index = common::shipped_index();
    let knowledge = index.knowledge();
    let telegram = udha::telegram::SCREEN;
    assert!(udha::dialogue::engine::menu_warnings(knowledge, telegram).is_empty());
    let small = udha::dialogue::Limits {
        buttons_per_message: 10,
        ..telegram
    };
    let warnings: Vec<String> = udha::dialogue::engine::menu_warnings(knowledge, small)
        .into_iter()
        .map(|d| d.message)
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("platform") && w.contains("at most 9")),
        "{warnings:#?}"
    );
    assert!(warnings.iter().any(|w| w.contains("safety and flow")), "{warnings:#?}");
}
