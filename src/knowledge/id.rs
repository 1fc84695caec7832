//! The id rule: entry ids and flow step ids are lower-case ASCII letters, digits and '-'. Ids travel in button
//! data, deep links and usage counts, so everything that reads one from outside checks it with [`is_id`].

/// Longest id, in bytes (one character each).
pub(crate) const MAX_ID_CHARS: usize = 64;

/// Whether `s` is one or more of the id characters: a-z, 0-9 and '-'.
pub(crate) fn has_id_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `s` can be an id (of an entry or of a flow step): 1 to [`MAX_ID_CHARS`] of a-z, 0-9 and '-'.
pub(crate) fn is_id(s: &str) -> bool {
    s.len() <= MAX_ID_CHARS && has_id_chars(s)
}

/// Why an entry id is malformed, if it is: [`is_id`]'s rule, and no '-' at either end or twice in a row.
pub(crate) fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if id.len() > MAX_ID_CHARS {
        Some("is longer than 64 characters")
    } else if !has_id_chars(id) {
        Some("may use only a-z, 0-9 and '-'")
    } else if id.starts_with('-') || id.ends_with('-') || id.contains("--") {
        Some("may not start or end with '-' or have '--'")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(id_problem("safety-save-evidence"), None);
        assert!(id_problem("Safety").is_some());
        assert!(id_problem("safety_x").is_some());
        assert!(id_problem(&"a".repeat(65)).is_some());
        assert!(id_problem("safety--x").is_some());
        assert!(is_id("flow-report") && is_id(&"a".repeat(64)));
        assert!(!is_id("") && !is_id(&"a".repeat(65)) && !is_id("Flow") && !is_id("a b"));
    }
}
