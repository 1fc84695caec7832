//! The topic groups of `udha stats`' weekly chart, derived from the kinds of knowledge entry (an entry's id starts
//! with its kind), and each group's colour in the chart. A new kind is a new group, and the compiler asks for its
//! colour.

use crate::knowledge::Kind;

/// A topic group: the entries of one kind (a flow started counts for [`Kind::Flow`]), or any other topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Kind(Kind),
    Other,
}

impl Group {
    /// Every group, in legend order: the kinds in [`Kind::ALL`]'s order, then "other".
    pub(crate) fn all() -> impl Iterator<Item = Group> {
        Kind::ALL.into_iter().map(Group::Kind).chain([Group::Other])
    }

    /// The group of a topic: the kind its id starts with (before the first '-' or '/'), else [`Group::Other`].
    pub(crate) fn of_topic(topic: &str) -> Group {
        let prefix = topic.split(['-', '/']).next().unwrap_or("");
        Kind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == prefix)
            .map_or(Group::Other, Group::Kind)
    }

    /// The name the report's columns and the chart's legend show.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Group::Kind(kind) => kind.as_str(),
            Group::Other => "other",
        }
    }

    /// The group's line colour in the chart, as (red, green, blue).
    pub(crate) fn color(self) -> (u8, u8, u8) {
        match self {
            Group::Kind(Kind::Law) => (0x1f, 0x77, 0xb4),
            Group::Kind(Kind::Procedure) => (0xff, 0x7f, 0x0e),
            Group::Kind(Kind::Platform) => (0x2c, 0xa0, 0x2c),
            Group::Kind(Kind::Safety) => (0xd6, 0x27, 0x28),
            Group::Kind(Kind::Contact) => (0x94, 0x67, 0xbd),
            Group::Kind(Kind::Flow) => (0x8c, 0x56, 0x4b),
            Group::Other => (0x7f, 0x7f, 0x7f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_a_group_and_the_colours_differ() {
        let groups: Vec<Group> = Group::all().collect();
        assert_eq!(groups.len(), Kind::ALL.len() + 1);
        assert_eq!(groups.last(), Some(&Group::Other));
        for (i, a) in groups.iter().enumerate() {
            for b in &groups[i + 1..] {
                assert_ne!(a.color(), b.color(), "{} and {}", a.name(), b.name());
                assert_ne!(a.name(), b.name());
            }
        }
    }
}
