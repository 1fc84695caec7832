//! Button data: the conversation's state travels in it, versioned and validated, at most 64 bytes
//! (Telegram's limit). Anything that does not decode is "expired", never an error.
//!
//! Format: `1` (version), language (`s`|`e`), action, then its argument:
//! `e<entry-id>` open an entry, `x<entry-id>` the rest of it ("more"), `o<entry-id>` its sources (upper case `H`,
//! `X`, `O` with a 16-digit hex hash instead of an id too long to fit; `h` for open), `f<flow>:<step>` a flow
//! step, `m<menu>` a menu, `l` switch to this language, `c` clear the chat.

use crate::knowledge::Lang;

pub(crate) const VERSION: char = '1';
pub const MAX_BYTES: usize = 64;

/// The menus of the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Menu {
    Main,
    Urgent,
    Safety,
    Platforms,
    Laws,
    Procedures,
    Contacts,
}

impl Menu {
    const ALL: [(Menu, char); 7] = [
        (Menu::Main, 'm'),
        (Menu::Urgent, 'u'),
        (Menu::Safety, 's'),
        (Menu::Platforms, 'p'),
        (Menu::Laws, 'l'),
        (Menu::Procedures, 'r'),
        (Menu::Contacts, 'c'),
    ];

    fn code(self) -> char {
        Menu::ALL.iter().find(|(m, _)| *m == self).map_or('m', |(_, c)| *c)
    }

    fn from_code(c: char) -> Option<Menu> {
        Menu::ALL.iter().find(|(_, code)| *code == c).map(|(m, _)| *m)
    }
}

/// What of an entry a button shows: the entry (its short first message), the rest of it, or its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Open,
    More,
    Sources,
}

impl View {
    /// (view, code with an id, code with a hash).
    const ALL: [(View, char, char); 3] = [
        (View::Open, 'e', 'h'),
        (View::More, 'x', 'X'),
        (View::Sources, 'o', 'O'),
    ];

    fn codes(self) -> (char, char) {
        View::ALL
            .iter()
            .find(|(v, ..)| *v == self)
            .map_or(('e', 'h'), |(_, id, hash)| (*id, *hash))
    }

    /// The view a code means, and whether the code is followed by a hash (not an id).
    fn from_code(c: char) -> Option<(View, bool)> {
        View::ALL.iter().find_map(|(v, id, hash)| {
            if c == *id {
                Some((*v, false))
            } else if c == *hash {
                Some((*v, true))
            } else {
                None
            }
        })
    }
}

/// What a button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open an entry.
    Entry(String),
    /// Open the entry whose id hashes to this (an id too long for a button).
    EntryHash(u64),
    /// Show part of an entry: the rest ("more") or its sources.
    Show {
        view: View,
        entry: EntryRef,
    },
    FlowStep {
        flow: String,
        step: String,
    },
    Menu(Menu),
    SetLang,
    Clear,
}

/// An entry named in a button: its id, or the hash of an id too long to fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryRef {
    Id(String),
    Hash(u64),
}

impl EntryRef {
    /// Whether this names the entry with id `id`.
    pub fn names(&self, id: &str) -> bool {
        match self {
            EntryRef::Id(own) => own == id,
            EntryRef::Hash(h) => id_hash(id) == *h,
        }
    }
}

/// A decoded button press: the language it was shown in, and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Press {
    pub lang: Lang,
    pub action: Action,
}

/// A short stable hash of an id, for ids too long for a button.
pub(crate) fn id_hash(id: &str) -> u64 {
    // FNV-1a, 64 bit: stable across builds and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn lang_code(lang: Lang) -> char {
    match lang {
        Lang::Sq => 's',
        Lang::En => 'e',
    }
}

/// The bytes a flow's id and a step's id may take together in button data of at most `data_bytes` bytes. The
/// format takes one byte more than it needs, as room for a change.
pub fn flow_step_room(data_bytes: usize) -> usize {
    let empty = encode(
        Lang::Sq,
        &Action::FlowStep {
            flow: String::new(),
            step: String::new(),
        },
    );
    data_bytes.saturating_sub(empty.len() + 1)
}

pub fn encode(lang: Lang, action: &Action) -> String {
    let l = lang_code(lang);
    match action {
        Action::Entry(id) => encode_entry(l, View::Open, &EntryRef::Id(id.clone())),
        Action::EntryHash(h) => encode_entry(l, View::Open, &EntryRef::Hash(*h)),
        Action::Show { view, entry } => encode_entry(l, *view, entry),
        Action::FlowStep { flow, step } => format!("{VERSION}{l}f{flow}:{step}"),
        Action::Menu(m) => format!("{VERSION}{l}m{}", m.code()),
        Action::SetLang => format!("{VERSION}{l}l"),
        Action::Clear => format!("{VERSION}{l}c"),
    }
}

/// An entry's view with its id, or with the id's hash when the id does not fit.
fn encode_entry(l: char, view: View, entry: &EntryRef) -> String {
    let (id_code, hash_code) = view.codes();
    let hash = match entry {
        EntryRef::Id(id) => {
            let data = format!("{VERSION}{l}{id_code}{id}");
            if data.len() <= MAX_BYTES {
                return data;
            }
            id_hash(id)
        }
        EntryRef::Hash(h) => *h,
    };
    format!("{VERSION}{l}{hash_code}{hash:016x}")
}

/// Decodes what follows a view's code: an id or a 16-digit hash.
fn decode_entry(view: View, hashed: bool, rest: &str) -> Option<Action> {
    let entry = if hashed {
        if rest.len() != 16 {
            return None;
        }
        EntryRef::Hash(u64::from_str_radix(rest, 16).ok()?)
    } else if valid_id(rest) {
        EntryRef::Id(rest.to_string())
    } else {
        return None;
    };
    Some(match (view, entry) {
        (View::Open, EntryRef::Id(id)) => Action::Entry(id),
        (View::Open, EntryRef::Hash(h)) => Action::EntryHash(h),
        (view, entry) => Action::Show { view, entry },
    })
}

/// Ids in button data follow the one id rule of the knowledge.
fn valid_id(s: &str) -> bool {
    crate::knowledge::is_id(s)
}

/// Decodes button data; `None` for anything forged, garbled or from an older version.
pub fn decode(data: &str) -> Option<Press> {
    if data.len() > MAX_BYTES || !data.is_ascii() {
        return None;
    }
    let mut chars = data.chars();
    if chars.next()? != VERSION {
        return None;
    }
    let lang = match chars.next()? {
        's' => Lang::Sq,
        'e' => Lang::En,
        _ => return None,
    };
    let kind = chars.next()?;
    let rest = chars.as_str();
    if let Some((view, hashed)) = View::from_code(kind) {
        return decode_entry(view, hashed, rest).map(|action| Press { lang, action });
    }
    let action = match kind {
        'f' => {
            let (flow, step) = rest.split_once(':')?;
            if !valid_id(flow) || !valid_id(step) {
                return None;
            }
            Action::FlowStep {
                flow: flow.to_string(),
                step: step.to_string(),
            }
        }
        'm' => {
            let mut c = rest.chars();
            let m = Menu::from_code(c.next()?)?;
            if c.next().is_some() {
                return None;
            }
            Action::Menu(m)
        }
        'l' if rest.is_empty() => Action::SetLang,
        'c' if rest.is_empty() => Action::Clear,
        _ => return None,
    };
    Some(Press { lang, action })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fits() {
        let actions = [
            Action::Entry("safety-save-evidence".into()),
            Action::FlowStep {
                flow: "flow-intimate-images".into(),
                step: "start".into(),
            },
            Action::Menu(Menu::Contacts),
            Action::Show {
                view: View::More,
                entry: EntryRef::Id("law-protection-order".into()),
            },
            Action::Show {
                view: View::Sources,
                entry: EntryRef::Hash(42),
            },
            Action::SetLang,
            Action::Clear,
        ];
        for lang in Lang::ALL {
            for a in &actions {
                let data = encode(lang, a);
                assert!(data.len() <= MAX_BYTES);
                assert_eq!(
                    decode(&data),
                    Some(Press {
                        lang,
                        action: a.clone()
                    }),
                    "{data}"
                );
            }
        }
    }

    #[test]
    fn a_flow_step_within_its_room_fits_a_button() {
        let room = flow_step_room(MAX_BYTES);
        let flow = "f".repeat(room / 2);
        let step = "s".repeat(room - room / 2);
        for lang in Lang::ALL {
            let data = encode(
                lang,
                &Action::FlowStep {
                    flow: flow.clone(),
                    step: step.clone(),
                },
            );
            assert!(data.len() < MAX_BYTES, "{data}");
            assert!(decode(&data).is_some());
        }
    }

    #[test]
    fn long_ids_are_hashed_to_fit() {
        let id = format!("law-{}", "x".repeat(60));
        let data = encode(Lang::Sq, &Action::Entry(id.clone()));
        assert!(data.len() <= MAX_BYTES);
        assert_eq!(decode(&data).map(|p| p.action), Some(Action::EntryHash(id_hash(&id))));
        let more = Action::Show {
            view: View::More,
            entry: EntryRef::Id(id.clone()),
        };
        let data = encode(Lang::Sq, &more);
        assert!(data.len() <= MAX_BYTES);
        let decoded = decode(&data).map(|p| p.action);
        assert!(
            matches!(&decoded, Some(Action::Show { view: View::More, entry }) if entry.names(&id)),
            "{decoded:?}"
        );
    }

    #[test]
    fn rejects_forgeries() {
        for bad in [
            "",
            "0seabc",
            "2sm",
            "1xm",
            "1sm",
            "1smz",
            "1smmm",
            "1sfno-colon",
            "1seBAD",
            "1se",
            "1sl x",
            "1shxyz",
            "1sxBAD",
            "1sX123",
            "1so",
            "💥",
            &"1se".repeat(30),
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
