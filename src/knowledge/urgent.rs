//! The entries the urgent message depends on: the bot shows them when someone may be in danger, so `udha check`
//! makes sure they exist (and that the contacts have a phone to call).

use super::load::{Parsed, error};
use super::locate::Seg;
use super::model::{Entry, Kind};
use super::report::Diagnostic;

/// The contacts shown first in an emergency, in this order.
pub const CONTACTS: [&str; 3] = ["contact-police", "contact-women-line", "contact-child-line"];
/// The same when a child is the one in danger: the child line right after the police.
pub(crate) const CONTACTS_CHILD: [&str; 3] = ["contact-police", "contact-child-line", "contact-women-line"];
/// The entry behind "urgent help now".
pub const ENTRY: &str = "safety-immediate-danger";

/// Every urgent entry exists, and every urgent contact is a contact entry with a phone. A missing entry is an error
/// about the whole folder (no file to point at); an entry that exists is pointed at in its file. An entry whose
/// file could not be read (`unreadable`, by file name) has its own error already.
pub(crate) fn check(files: &[Parsed<Entry>], unreadable: &[String], out: &mut Vec<Diagnostic>) {
    let child_only = CONTACTS_CHILD.into_iter().filter(|id| !CONTACTS.contains(id));
    let contacts = CONTACTS.into_iter().chain(child_only).map(|id| (id, true));
    for (id, is_contact) in contacts.chain([(ENTRY, false)]) {
        if unreadable.iter().any(|u| u == id) {
            continue;
        }
        match files.iter().find(|f| f.value.id == id) {
            None => out.push(Diagnostic::folder_error(
                format!("the urgent help needs the entry `{id}`, which does not exist"),
                if is_contact {
                    format!("add `contact/{id}.yaml`: a contact entry with the phone to call")
                } else {
                    format!("add `safety/{id}.yaml`: what to do first when someone is in danger now")
                },
            )),
            Some(file) if is_contact && !has_phone(&file.value) => out.push(error(
                &file.path,
                file.at(&[Seg::Key(if file.value.contact.is_some() {
                    "contact"
                } else {
                    "kind"
                })]),
                format!("the urgent help shows `{id}`'s phones, but it is not a contact with a phone"),
                "make it kind contact, with at least one number under `contact.phones`",
            )),
            Some(_) => {}
        }
    }
}

fn has_phone(entry: &Entry) -> bool {
    entry.kind == Kind::Contact && entry.contact.as_ref().is_some_and(|c| !c.phones.is_empty())
}
