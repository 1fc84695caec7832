//! Button data: the conversation's state travels in it, versioned and validated, at most 64 bytes
//! (Telegram's limit). Anything that does not decode is "expired", never an error.
//!
//! Format: `1` (version), language (`s`|`e`), action, then its argument:
//! `e<entry-id>` open an entry, `h<hash>` open an entry whose id is too long to fit, `f<flow>:<step>` a flow
//! step, `m<menu>` a menu, `l` switch to this language, `c` clear the chat.

use crate::knowledge::Lang;

pub const VERSION: char = '1';
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

/// What a button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Entry(String),
    EntryHash(u64),
    FlowStep { flow: String, step: String },
    Menu(Menu),
    SetLang,
    Clear,
}

/// A decoded button press: the language it was shown in, and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Press {
    pub lang: Lang,
    pub action: Action,
}

/// A short stable hash of an id, for ids too long for a button.
pub fn id_hash(id: &str) -> u64 {
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

pub fn encode(lang: Lang, action: &Action) -> String {
    let l = lang_code(lang);
    match action {
        Action::Entry(id) => {
            let data = format!("{VERSION}{l}e{id}");
            if data.len() <= MAX_BYTES {
                data
            } else {
                format!("{VERSION}{l}h{:016x}", id_hash(id))
            }
        }
        Action::EntryHash(h) => format!("{VERSION}{l}h{h:016x}"),
        Action::FlowStep { flow, step } => format!("{VERSION}{l}f{flow}:{step}"),
        Action::Menu(m) => format!("{VERSION}{l}m{}", m.code()),
        Action::SetLang => format!("{VERSION}{l}l"),
        Action::Clear => format!("{VERSION}{l}c"),
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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
    let action = match kind {
        'e' if valid_id(rest) => Action::Entry(rest.to_string()),
        'h' if rest.len() == 16 => Action::EntryHash(u64::from_str_radix(rest, 16).ok()?),
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
    fn long_ids_are_hashed_to_fit() {
        let id = format!("law-{}", "x".repeat(60));
        let data = encode(Lang::Sq, &Action::Entry(id.clone()));
        assert!(data.len() <= MAX_BYTES);
        assert_eq!(decode(&data).map(|p| p.action), Some(Action::EntryHash(id_hash(&id))));
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
            "💥",
            &"1se".repeat(30),
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
