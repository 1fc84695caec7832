//! The glossary at query time: when a question contains any phrase of a synonym group, the other phrases of the
//! group are searched too (fb → facebook, nudes → foto intime → intimate images, ...).

use std::collections::HashMap;

use super::analysis::{fold, words};
use crate::knowledge::Glossary;

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group as its phrases, each phrase as folded words.
    groups: Vec<Vec<Vec<String>>>,
    /// First word of a phrase → (group, phrase) pairs that start with it.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

impl Synonyms {
    pub fn new(glossary: &Glossary) -> Synonyms {
        let mut s = Synonyms::default();
        for group in &glossary.groups {
            let phrases: Vec<Vec<String>> = group
                .iter()
                .map(|p| words(&fold(p)).collect::<Vec<_>>())
                .filter(|p: &Vec<String>| !p.is_empty())
                .collect();
            if phrases.len() < 2 {
                continue;
            }
            let g = s.groups.len();
            for (p, phrase) in phrases.iter().enumerate() {
                s.by_first.entry(phrase[0].clone()).or_default().push((g, p));
            }
            s.groups.push(phrases);
        }
        s
    }

    /// The words of every other phrase in the groups whose phrases occur in `typed` (folded words).
    pub fn expand(&self, typed: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        let mut used_groups = Vec::new();
        for start in 0..typed.len() {
            let Some(candidates) = self.by_first.get(&typed[start]) else {
                continue;
            };
            for &(g, p) in candidates {
                let phrase = &self.groups[g][p];
                if typed[start..].starts_with(phrase) && !used_groups.contains(&g) {
                    used_groups.push(g);
                    for (q, other) in self.groups[g].iter().enumerate() {
                        if q != p {
                            out.extend(other.iter().cloned());
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_words_and_phrases() {
        let g = Glossary {
            groups: vec![
                vec!["fb".into(), "facebook".into()],
                vec!["nudes".into(), "foto intime".into(), "intimate images".into()],
            ],
        };
        let s = Synonyms::new(&g);
        let typed: Vec<String> = words("me postoi nudes ne fb").collect();
        let got = s.expand(&typed);
        assert!(got.contains(&"facebook".to_string()));
        assert!(got.contains(&"intime".to_string()));
        assert!(got.contains(&"images".to_string()));
        let typed: Vec<String> = words("foto intime").collect();
        assert!(s.expand(&typed).contains(&"nudes".to_string()));
        assert!(s.expand(&["foto".to_string()]).is_empty());
    }
}
