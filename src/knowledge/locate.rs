//! Finding the line of a field in a YAML file, so that problems found after parsing (a `related` id that does not
//! exist, a flow step nobody reaches) can still be reported as `file:line:column`.
//!
//! This is a small indentation walker over block-style YAML, the style the knowledge files use. When it cannot
//! find the exact place it falls back to the closest parent it found, which is still a useful pointer.

/// One step of a path into the document: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// 1-based line and column of the place `path` points to (line 1, column 1 for the empty path or when nothing matches).
pub(crate) fn locate(source: &str, path: &[Seg<'_>]) -> (usize, usize) {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = (1, 1);
    // The block we search in: lines [start, end) whose content is indented more than `parent_indent`.
    let mut start = 0usize;
    let mut parent_indent: isize = -1;
    for seg in path {
        let end = block_end(&lines, start, parent_indent);
        let hit = match seg {
            Seg::Key(key) => find_key(&lines, start, end, parent_indent, key),
            Seg::Index(n) => find_item(&lines, start, end, parent_indent, *n),
        };
        match hit {
            Some((line, col, indent)) => {
                found = (line + 1, col + 1);
                start = line + 1;
                parent_indent = indent;
                if let Seg::Index(_) = seg {
                    // A list item's own mapping keys start on the item's line ("- id: x"): search it too.
                    start = line;
                    parent_indent = indent;
                }
            }
            None => break,
        }
    }
    found
}

fn content(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    Some((line.len() - trimmed.len(), trimmed))
}

fn block_end(lines: &[&str], start: usize, parent_indent: isize) -> usize {
    for (i, line) in lines.iter().enumerate().skip(start) {
        if let Some((indent, text)) = content(line) {
            // A line at or left of the parent's indentation closes the block (list dashes at the parent's
            // column still belong to it, as in `related:\n- a`).
            if (indent as isize) <= parent_indent && !(text.starts_with("- ") && indent as isize == parent_indent) {
                return i;
            }
        }
    }
    lines.len()
}

/// Finds `key:` in the block, also as the first key of a list item (`- key:`). Returns (line, column, indent of the key).
fn find_key(
    lines: &[&str],
    start: usize,
    end: usize,
    parent_indent: isize,
    key: &str,
) -> Option<(usize, usize, isize)> {
    let mut key_indent: Option<usize> = None;
    for (i, line) in lines.iter().enumerate().take(end).skip(start) {
        let Some((indent, mut text)) = content(line) else {
            continue;
        };
        let mut col = indent;
        while let Some(rest) = text.strip_prefix("- ") {
            text = rest.trim_start();
            col = line.len() - text.len();
        }
        if (col as isize) <= parent_indent {
            continue;
        }
        // Only keys of this block's own level, not of nested blocks.
        match key_indent {
            None => key_indent = Some(col),
            Some(k) if col > k => continue,
            Some(_) => {}
        }
        if let Some(after) = text.strip_prefix(key)
            && (after.starts_with(':') || after.starts_with(" :"))
        {
            return Some((i, col, col as isize));
        }
    }
    None
}

/// Finds the n-th item (`- `) of the sequence in the block.
fn find_item(
    lines: &[&str],
    start: usize,
    end: usize,
    parent_indent: isize,
    n: usize,
) -> Option<(usize, usize, isize)> {
    let mut item_indent: Option<usize> = None;
    let mut seen = 0usize;
    for (i, line) in lines.iter().enumerate().take(end).skip(start) {
        let Some((indent, text)) = content(line) else { continue };
        if !(text.starts_with("- ") || text == "-") {
            continue;
        }
        if (indent as isize) < parent_indent {
            continue;
        }
        match item_indent {
            None => item_indent = Some(indent),
            Some(k) if indent != k => continue,
            Some(_) => {}
        }
        if seen == n {
            let rest = text.trim_start_matches('-').trim_start();
            let col = line.len() - rest.len();
            return Some((i, col, indent as isize));
        }
        seen += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "id: x\nsq:\n  title: T\n  steps:\n    - one\n    - two\nen:\n  title: E\nrelated:\n- a\n- b\nflow:\n  start: s\n  steps:\n    - id: s\n      options:\n        - sq: A\n          goto: t\n    - id: t\n      show: [a]\n";

    #[test]
    fn finds_keys_items_and_nested_keys() {
        assert_eq!(locate(DOC, &[Seg::Key("id")]), (1, 1));
        assert_eq!(locate(DOC, &[Seg::Key("sq"), Seg::Key("title")]), (3, 3));
        assert_eq!(locate(DOC, &[Seg::Key("en"), Seg::Key("title")]), (8, 3));
        assert_eq!(locate(DOC, &[Seg::Key("sq"), Seg::Key("steps"), Seg::Index(1)]), (6, 7));
        assert_eq!(locate(DOC, &[Seg::Key("related"), Seg::Index(1)]), (11, 3));
        assert_eq!(
            locate(
                DOC,
                &[Seg::Key("flow"), Seg::Key("steps"), Seg::Index(1), Seg::Key("id")]
            ),
            (19, 7)
        );
        assert_eq!(
            locate(
                DOC,
                &[
                    Seg::Key("flow"),
                    Seg::Key("steps"),
                    Seg::Index(0),
                    Seg::Key("options"),
                    Seg::Index(0),
                    Seg::Key("goto")
                ]
            ),
            (18, 11)
        );
    }

    #[test]
    fn falls_back_to_the_closest_parent() {
        assert_eq!(locate(DOC, &[Seg::Key("sq"), Seg::Key("nothing")]), (2, 1));
        assert_eq!(locate(DOC, &[]), (1, 1));
        assert_eq!(locate("", &[Seg::Key("id")]), (1, 1));
    }
}
