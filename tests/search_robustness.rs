//! Bad query input never fails: query syntax, huge or binary-ish text, emoji, control characters.

mod common;

use proptest::prelude::*;
use udha::knowledge::Lang;

#[test]
fn query_syntax_is_just_text() {
    let index = common::shipped_index();
    for q in [
        "AND OR (",
        "\"unclosed",
        "*",
        "~",
        "field:value",
        "title_sq:facebook",
        "id:law-crm",
        "+ - && || ! ( ) { } [ ] ^ \" ~ * ? : \\ /",
        "facebook^100",
        "insta~2",
        "🙂🔥💔",
        "\u{0}\u{1}\u{7}\u{1b}[2J",
        "",
        "   ",
        "\n\n\n",
        "ë ç Ë Ç",
        "a",
    ] {
        let answer = index.search(q, Lang::Sq, 5);
        assert!(answer.hits.len() <= 5, "{q:?}");
    }
    // Syntax characters do not change what is found.
    let plain = index.search("facebook profil fals", Lang::Sq, 3);
    let noisy = index.search("facebook^9 AND (profil OR fals*) ~", Lang::Sq, 3);
    assert_eq!(
        plain.hits.first().map(|h| &h.entry.id),
        noisy.hits.first().map(|h| &h.entry.id)
    );
}

#[test]
fn very_long_messages_are_answered() {
    let index = common::shipped_index();
    let long = "si ta raportoj profilin fals ne facebook ".repeat(130);
    assert!(long.chars().count() > 5000);
    let answer = index.search(&long, Lang::Sq, 3);
    assert!(!answer.hits.is_empty());
    let garbage: String = (0..5000)
        .map(|i| char::from_u32(0x20 + (i * 7919) % 0x2fff).unwrap_or('x'))
        .collect();
    let _ = index.search(&garbage, Lang::En, 3);
}

#[test]
fn with_or_without_diacritics_finds_the_same() {
    let index = common::shipped_index();
    for (a, b) in [
        ("kërcënim në mesazhe", "kercenim ne mesazhe"),
        ("përndjekja online", "perndjekja online"),
        ("urdhër mbrojtjeje", "urdher mbrojtjeje"),
    ] {
        let x = index.search(a, Lang::Sq, 3);
        let y = index.search(b, Lang::Sq, 3);
        let ids = |h: &udha::search::Answer| h.hits.iter().map(|h| h.entry.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&x), ids(&y), "{a} / {b}");
    }
}

#[test]
fn typos_still_find_but_never_outrank_exact_matches() {
    let index = common::shipped_index();
    let typo = index.search("instagarm llogari e hakuar", Lang::Sq, 3);
    assert!(
        typo.hits.iter().any(|h| h.entry.id.starts_with("platform-instagram")),
        "{:?}",
        typo.hits.iter().map(|h| &h.entry.id).collect::<Vec<_>>()
    );
    let exact = index.search("instagram llogari e hakuar", Lang::Sq, 1);
    assert!(exact.hits[0].score >= typo.hits[0].score);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn any_string_gets_a_normal_answer(q in any::<String>(), limit in 0usize..20) {
        let index = common::shipped_index();
        let answer = index.search(&q, Lang::Sq, limit);
        prop_assert!(answer.hits.len() <= limit);
        for h in &answer.hits {
            prop_assert!(h.score.is_finite());
        }
    }

    #[test]
    fn any_words_get_a_normal_answer(words in proptest::collection::vec("[a-zA-ZëçËÇ:*~\"()^+-]{0,12}", 0..30)) {
        let index = common::shipped_index();
        let q = words.join(" ");
        let _ = index.search(&q, Lang::En, 5);
    }
}
