//! How the bot presents itself in Telegram: the description (shown in an empty chat, before Start) and the short
//! description (on the profile and in shared links), per language. Neutral on purpose: someone glancing at a
//! shared link, a contact list or a lock screen learns nothing about what the person is going through.

use crate::dialogue::Command;
use crate::knowledge::{Bilingual, Lang};

/// After "clear this chat": what Telegram itself offers for privacy.
pub(crate) fn cleared_tip(lang: Lang) -> &'static str {
    const TIP: Bilingual<&str> = Bilingual {
        sq: "Këshillë: në cilësimet e Telegram-it mund të vendosni fshirjen automatike të mesazheve dhe një kod \
             kalimi (passcode) për aplikacionin.",
        en: "Tip: in Telegram's settings you can turn on auto-delete for messages and set a passcode for the app.",
    };
    TIP.get(lang)
}

/// How Telegram's command menu describes a command, in a language.
pub(crate) fn command_description(command: Command, lang: Lang) -> &'static str {
    match (lang, command) {
        (Lang::Sq, Command::Start) => "Fillo",
        (Lang::Sq, Command::Menu) => "Menuja",
        (Lang::Sq, Command::Help) => "Ndihmë",
        (Lang::Sq, Command::Lang) => "Gjuha / Language",
        (Lang::Sq, Command::Clear) => "Fshi këtë bisedë",
        (Lang::En, Command::Start) => "Start",
        (Lang::En, Command::Menu) => "Menu",
        (Lang::En, Command::Help) => "Help",
        (Lang::En, Command::Lang) => "Language / Gjuha",
        (Lang::En, Command::Clear) => "Clear this chat",
    }
}

/// (description, short description) in a language.
pub(crate) fn descriptions(lang: Lang) -> (&'static str, &'static str) {
    const DESCRIPTIONS: Bilingual<(&str, &str)> = Bilingual {
        sq: (
            "Udha jep përgjigje të shkurtra dhe të sakta për pyetje të përditshme: hapa të qartë, procedura dhe \
             kontakte, në shqip dhe anglisht. Shkruani pyetjen me fjalët tuaja. Udha nuk ruan emrin, numrin apo \
             mesazhet tuaja, dhe biseda mund të fshihet me një buton.",
            "Përgjigje të shkurtra, hapa të qartë dhe kontakte. Pa ruajtur asgjë për ju.",
        ),
        en: (
            "Udha gives short, accurate answers to everyday questions: clear steps, procedures and contacts, in \
             Albanian and English. Type your question in your own words. Udha does not keep your name, number or \
             messages, and the chat can be cleared with one button.",
            "Short answers, clear steps and contacts. Nothing about you is kept.",
        ),
    };
    *DESCRIPTIONS.get(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Telegram's limits: 512 characters for the description, 120 for the short description.
    const MAX_DESCRIPTION: usize = 512;
    const MAX_SHORT_DESCRIPTION: usize = 120;

    #[test]
    fn descriptions_fit_telegrams_limits_and_stay_neutral() {
        for lang in Lang::ALL {
            let (long, short) = descriptions(lang);
            assert!((1..=MAX_DESCRIPTION).contains(&long.chars().count()));
            assert!((1..=MAX_SHORT_DESCRIPTION).contains(&short.chars().count()));
            let lower = format!("{long} {short}").to_lowercase();
            for word in ["dhun", "violence", "abuse", "abuz", "viktim", "victim", "foto", "intim"] {
                assert!(!lower.contains(word), "{lang:?} description says {word:?}");
            }
        }
    }
}
