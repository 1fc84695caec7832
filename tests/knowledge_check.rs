//! `udha check`: the shipped knowledge passes, and each class of broken file is reported at its exact
//! `path:line` with a clear message, without a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use udha::knowledge::{self, Severity};

const TODAY: &str = "2026-11-28";

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

/// A valid safety entry; tests change one thing in it.
fn entry(id: &str) -> String {
    format!(
        r#"# yaml-language-server: $schema=../schema.json
id: {id}
kind: safety
audience: victim
reviewed: 2026-11-01
sq:
  title: Titull
  summary: Përmbledhje.
  steps:
    - Hapi i parë.
  keywords:
    - fjale
en:
  title: Title
  summary: Summary.
  steps:
    - First step.
  keywords:
    - word
sources:
  - title: Burim
    url: https://example.al/burim
related:
  - safety-other
"#
    )
}

fn flow_entry(id: &str, steps: &str) -> String {
    format!(
        r#"# yaml-language-server: $schema=../schema.json
id: {id}
kind: flow
audience: victim
reviewed: 2026-11-01
sq:
  title: Rrjedhë
  summary: Hap pas hapi.
en:
  title: Flow
  summary: Step by step.
sources:
  - title: Burim
    citation: Ligji 9669/2006
flow:
  start: start
  steps:
{steps}"#
    )
}

/// A valid national contact entry with one phone number.
fn contact_entry(id: &str, number: &str) -> String {
    format!(
        "# yaml-language-server: $schema=../schema.json\nid: {id}\nkind: contact\naudience: both\nreviewed: 2026-11-01\n\
         sq:\n  title: T\n  summary: S\n  keywords: [k]\nen:\n  title: T\n  summary: S\n  keywords: [k]\n\
         sources:\n  - title: S\n    citation: C\ncontact:\n  area: national\n  phones:\n    - number: \"{number}\"\n      sq: Policia\n      en: Police\n"
    )
}

/// A knowledge folder with valid `safety-one` and `safety-other` entries and the entries the urgent help needs,
/// plus the given files.
fn folder(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("knowledge");
    std::fs::create_dir_all(root.join("safety")).unwrap();
    std::fs::create_dir_all(root.join("flow")).unwrap();
    std::fs::create_dir_all(root.join("contact")).unwrap();
    std::fs::write(
        root.join("safety/safety-other.yaml"),
        entry("safety-other").replace("  - safety-other\n", "  - safety-one\n"),
    )
    .unwrap();
    std::fs::write(root.join("safety/safety-one.yaml"), entry("safety-one")).unwrap();
    let urgent = knowledge::urgent::ENTRY;
    std::fs::write(root.join(format!("safety/{urgent}.yaml")), entry(urgent)).unwrap();
    for id in knowledge::urgent::CONTACTS {
        std::fs::write(root.join(format!("contact/{id}.yaml")), contact_entry(id, "129")).unwrap();
    }
    for (name, content) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    (dir, root)
}

/// Every error as "file-name:line: message".
fn errors(root: &Path) -> Vec<String> {
    let checked = knowledge::check(root, today(), udha::app::knowledge_fit()).expect("the folder can be read");
    checked
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "{}:{}: {}",
                d.path.file_name().unwrap().to_string_lossy(),
                d.line,
                d.message
            )
        })
        .collect()
}

fn warnings(root: &Path) -> Vec<String> {
    let checked = knowledge::check(root, today(), udha::app::knowledge_fit()).unwrap();
    checked
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| {
            format!(
                "{}:{}: {}",
                d.path.file_name().unwrap().to_string_lossy(),
                d.line,
                d.message
            )
        })
        .collect()
}

/// `udha check` run on `root` with these flags.
fn udha_check(root: &Path, flags: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_udha"))
        .arg("--knowledge")
        .arg(root)
        .arg("check")
        .args(flags)
        .output()
        .unwrap()
}

fn assert_one_error(files: &[(&str, &[u8])], expected: &str) {
    let (_dir, root) = folder(files);
    let errs = errors(&root);
    assert!(
        errs.iter().any(|e| e.starts_with(expected)),
        "expected an error starting with {expected:?}, got {errs:#?}"
    );
}

#[test]
fn a_valid_folder_has_no_errors() {
    let (_dir, root) = folder(&[]);
    assert_eq!(errors(&root), Vec::<String>::new());
}

/// `entry(id)` with `from` replaced by `to`.
fn edited(id: &str, from: &str, to: &str) -> Vec<u8> {
    let text = entry(id);
    assert!(text.contains(from), "{from:?} is not in the entry");
    text.replace(from, to).into_bytes()
}

/// Broken files, each as (where it is written, its content, the start of the error it must give as
/// "file-name:line: message"). One case a line.
#[rustfmt::skip]
fn broken_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let without_en = {
        let text = entry("safety-x");
        let start = text.find("en:\n").unwrap();
        let end = text.find("sources:").unwrap();
        format!("{}{}", &text[..start], &text[end..]).into_bytes()
    };
    let garbled = {
        let mut garbled = entry("safety-garbled").into_bytes();
        let at = garbled.windows(7).position(|w| w == b"Titull\n").unwrap();
        garbled[at + 1] = 0xff;
        garbled
    };
    let platform = |line: &str| entry("platform-x").replace("kind: safety\n", &format!("kind: platform\n{line}")).into_bytes();
    let long = "fjalë ".repeat(700);
    let x = "safety/safety-x.yaml";
    vec![
        // YAML and the file format
        (x, edited("safety-x", "  summary: Përmbledhje.", "  summary: a: b"), "safety-x.yaml:8: mapping values are not allowed"),
        (x, edited("safety-x", "  summary: Përmbledhje.", "  sumary: Përmbledhje."), "safety-x.yaml:8: sq: unknown field `sumary`"),
        (x, without_en, "safety-x.yaml:2: missing field `en`"),
        (x, edited("safety-x", "  title: Title\n", "  title: \"\"\n"), "safety-x.yaml:14: `en.title` is empty"),
        // Empty, binary, huge and garbled files
        ("safety/safety-empty.yaml", Vec::new(), "safety-empty.yaml:1: the file is empty"),
        ("safety/safety-comments.yaml", b"# only a comment\n\n".to_vec(), "safety-comments.yaml:1: the file is empty"),
        ("safety/safety-bin.yaml", b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec(), "safety-bin.yaml:1: this is a binary file"),
        ("safety/safety-huge.yaml", "a: b\n".repeat(2_000_000).into_bytes(), "safety-huge.yaml:1: file is too large"),
        ("safety/safety-garbled.yaml", garbled, "safety-garbled.yaml:7: the file is not valid UTF-8"),
        // Ids: well formed, unique, matching the file
        ("safety/Safety_X.yaml", entry("Safety_X").into_bytes(), "Safety_X.yaml:2: id `Safety_X` may use only a-z, 0-9 and '-'"),
        ("safety/law-x.yaml", entry("law-x").into_bytes(), "law-x.yaml:2: id `law-x` must start with its kind `safety-`"),
        ("safety/safety-y.yaml", entry("safety-x").into_bytes(), "safety-y.yaml:2: id `safety-x` differs from the file name `safety-y`"),
        ("flow/safety-one.yaml", entry("safety-one").into_bytes(), "safety-one.yaml:2: duplicate id `safety-one`: also in"),
        // Links to existing entries
        (x, edited("safety-x", "  - safety-other\n", "  - safety-other\n  - safety-nowhere\n"), "safety-x.yaml:25: `related` names `safety-nowhere`, which does not exist"),
        // URLs, phones and dates
        (x, edited("safety-x", "https://example.al/burim", "http://example.al/burim"), "safety-x.yaml:22: source URL `http://example.al/burim` is not https"),
        (x, edited("safety-x", "reviewed: 2026-11-01", "reviewed: 2027-01-01"), "safety-x.yaml:5: `reviewed` 2027-01-01 is in the future"),
        (x, edited("safety-x", "reviewed: 2026-11-01", "reviewed: 2026-02-30"), "safety-x.yaml:5:"),
        (x, edited("safety-x", "sources:\n  - title: Burim\n    url: https://example.al/burim\n", "sources: []\n"), "safety-x.yaml:20: the entry has no source"),
        ("contact/contact-x.yaml", contact_entry("contact-x", "12-9").into_bytes(), "contact-x.yaml:20: phone number `12-9` is not a well-formed phone number"),
        // A platform entry names its platform, one word in lower case; only platform entries do
        ("platform/platform-x.yaml", platform(""), "platform-x.yaml:3: a platform entry needs `platform:`"),
        ("platform/platform-x.yaml", platform("platform: Take It Down\n"), "platform-x.yaml:4: platform `Take It Down` is not one word in lower case"),
        (x, edited("safety-x", "kind: safety\n", "kind: safety\nplatform: instagram\n"), "safety-x.yaml:4: `platform:` is only for kind platform, not `safety`"),
        // Paragraphs too long for Telegram
        (x, edited("safety-x", "    - Hapi i parë.", &format!("    - {long}")), "safety-x.yaml:10: a paragraph in `sq.steps` is"),
    ]
}

#[test]
fn each_broken_file_is_an_error_at_its_line() {
    for (file, content, expected) in broken_files() {
        assert_one_error(&[(file, &content)], expected);
    }
}

#[test]
fn yaml_bombs_are_refused() {
    let laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n\
                  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
                  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n\
                  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n\
                  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    let (_dir, root) = folder(&[("safety/safety-bomb.yaml", laughs.as_bytes())]);
    let errs = errors(&root);
    assert!(errs.iter().any(|e| e.starts_with("safety-bomb.yaml:")), "{errs:#?}");
    let deep = format!("id: {}\n", "[".repeat(10_000));
    let (_dir, root) = folder(&[("safety/safety-deep.yaml", deep.as_bytes())]);
    let errs = errors(&root);
    assert!(errs.iter().any(|e| e.starts_with("safety-deep.yaml:1:")), "{errs:#?}");
}

#[test]
fn an_old_review_is_a_warning_not_an_error() {
    let old = entry("safety-x").replace("reviewed: 2026-11-01", "reviewed: 2024-01-01");
    let (_dir, root) = folder(&[("safety/safety-x.yaml", old.as_bytes())]);
    assert!(errors(&root).is_empty());
    assert!(
        warnings(&root)
            .iter()
            .any(|w| w.starts_with("safety-x.yaml:5: last reviewed 2024-01-01")),
        "{:#?}",
        warnings(&root)
    );
}

#[test]
fn a_platform_word_no_glossary_group_names_is_a_warning() {
    let platform = entry("platform-x").replace("kind: safety\n", "kind: platform\nplatform: mastodon\n");
    let glossary = "groups:\n  - [instagram, insta, ig]\n";
    let (_dir, root) = folder(&[
        ("platform/platform-x.yaml", platform.as_bytes()),
        ("glossary.yaml", glossary.as_bytes()),
    ]);
    assert!(errors(&root).is_empty(), "{:#?}", errors(&root));
    let found = warnings(&root);
    assert!(
        found
            .iter()
            .any(|w| w.starts_with("platform-x.yaml:4: `platform: mastodon` is in no group")),
        "{found:#?}"
    );
    let named = "groups:\n  - [mastodon, toot]\n";
    let (_dir, root) = folder(&[
        ("platform/platform-x.yaml", platform.as_bytes()),
        ("glossary.yaml", named.as_bytes()),
    ]);
    assert!(
        warnings(&root).iter().all(|w| !w.contains("mastodon")),
        "{:#?}",
        warnings(&root)
    );
}

#[test]
fn flows_have_no_dead_ends_or_unreachable_steps() {
    let steps = "    - id: start\n      sq: A?\n      en: A?\n      options:\n        - { sq: Po, en: Yes, goto: end }\n        - { sq: Jo, en: No, goto: nowhere }\n\
                 \x20   - id: end\n      sq: Fund\n      en: End\n\
                 \x20   - id: island\n      sq: Ishull\n      en: Island\n      show: [safety-one]\n";
    let (_dir, root) = folder(&[("flow/flow-x.yaml", flow_entry("flow-x", steps).as_bytes())]);
    let errs = errors(&root);
    for expected in [
        "flow-x.yaml:23: `goto: nowhere` names a step that does not exist in this flow",
        "flow-x.yaml:24: step `end` is a dead end",
        "flow-x.yaml:27: step `island` cannot be reached from `start`",
    ] {
        assert!(
            errs.iter().any(|e| e.starts_with(expected)),
            "expected {expected:?} in {errs:#?}"
        );
    }
}

#[test]
fn marks_for_maintainers_are_listed_and_never_fail() {
    let marked = entry("safety-x") + "unconfirmed:\n  - The penalty was not confirmed.\n";
    let (_dir, root) = folder(&[("safety/safety-x.yaml", marked.as_bytes())]);
    let checked = knowledge::check(&root, today(), udha::app::knowledge_fit()).unwrap();
    assert!(!checked.report.has_errors());
    assert_eq!(checked.report.marks.len(), 1);
    assert_eq!(checked.report.marks[0].line, 26);
    assert_eq!(checked.report.marks[0].text, "The penalty was not confirmed.");
}

#[test]
fn udha_check_prints_every_problem_and_exits_1() {
    let a = entry("safety-x").replace("  summary: Përmbledhje.", "  sumary: Përmbledhje.");
    let b = entry("safety-y").replace("https://example.al/burim", "http://example.al/burim");
    let (_dir, root) = folder(&[
        ("safety/safety-x.yaml", a.as_bytes()),
        ("safety/safety-y.yaml", b.as_bytes()),
    ]);
    let out = udha_check(&root, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let x = root.join("safety/safety-x.yaml");
    let y = root.join("safety/safety-y.yaml");
    assert!(
        stdout.contains(&format!("{}:8:3: error: sq: unknown field `sumary`", x.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{}:22:5: error: source URL `http://example.al/burim` is not https",
            y.display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("hint: "), "{stdout}");
}

#[test]
fn strict_fails_on_warnings_only_with_the_flag() {
    let old = entry("safety-x").replace("reviewed: 2026-11-01", "reviewed: 2020-01-01");
    let (_dir, root) = folder(&[("safety/safety-x.yaml", old.as_bytes())]);
    let run = |strict: bool| {
        let flags: &[&str] = if strict { &["--strict"] } else { &[] };
        udha_check(&root, flags).status.code()
    };
    assert_eq!(run(false), Some(0));
    assert_eq!(run(true), Some(1));
}

#[test]
fn the_shipped_knowledge_passes() {
    let checked = knowledge::check(&common::knowledge_dir(), knowledge::today(), udha::app::knowledge_fit()).unwrap();
    let errs: Vec<String> = checked.report.errors().map(|d| d.to_string()).collect();
    assert!(errs.is_empty(), "{errs:#?}");
    println!(
        "{} entries, {} marks for maintainers",
        checked.report.entries,
        checked.report.marks.len()
    );
}

#[test]
fn every_shipped_file_points_editors_at_the_schema() {
    for path in knowledge::load::yaml_files(&common::knowledge_dir()).unwrap() {
        if path
            .file_name()
            .is_some_and(|n| n == "glossary.yaml" || n == "variants.yaml")
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema.json"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_schema_file_is_in_sync() {
    let shipped = std::fs::read_to_string(common::knowledge_dir().join("schema.json")).unwrap();
    assert_eq!(
        shipped,
        knowledge::json_schema(),
        "run `udha schema > knowledge/schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&shipped).unwrap();
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false),
        "unknown fields are refused"
    );
}

#[test]
fn every_required_entry_exists_in_both_languages_with_a_source() {
    let ids = std::fs::read_to_string(common::data("coverage-ids.txt")).unwrap();
    let index = common::shipped_index();
    let required: Vec<&str> = ids
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(required.len(), 96);
    for id in required {
        let e = index
            .knowledge()
            .get(id)
            .unwrap_or_else(|| panic!("missing entry {id}"));
        for lang in udha::knowledge::Lang::ALL {
            assert!(
                !e.text(lang).title.trim().is_empty() && !e.text(lang).summary.trim().is_empty(),
                "{id} {lang}"
            );
        }
        assert!(!e.sources.is_empty(), "{id} has no source");
    }
}

#[test]
fn spelling_variants_are_checked() {
    let variants = "words:\n  shpi: shtepi\n  m'ka: me ka\n  Tash: tani\n  tani: tani\n  kom: jam kam\n  jom: kom\n  ok: two  spaces\n";
    let (_dir, root) = folder(&[("variants.yaml", variants.as_bytes())]);
    let errs = errors(&root);
    for expected in [
        "variants.yaml:3: variant `m'ka`: a variant is one word of letters",
        "variants.yaml:4: variant `Tash`: use lower case",
        "variants.yaml:5: variant `tani`: maps to itself",
        "variants.yaml:7: variant `jom`: its standard form uses `kom`, which is itself a variant",
        "variants.yaml:8: variant `ok`: the standard form `two  spaces` must be words",
    ] {
        assert!(
            errs.iter().any(|e| e.starts_with(expected)),
            "{expected:?} not in {errs:#?}"
        );
    }
    assert_eq!(errs.len(), 5, "{errs:#?}");
    let (_dir, root) = folder(&[("variants.yaml", b"words:\n  shpi: [shtepi]\n")]);
    assert_eq!(
        errors(&root).len(),
        1,
        "a malformed variants file is one error at its line"
    );
}

#[test]
fn a_file_that_fails_to_parse_is_one_error_not_one_per_link_to_it() {
    // safety-other links to safety-one; a tab breaks safety-one: one error, no "does not exist" for the link.
    let broken = entry("safety-one").replace("  title: Titull", "\ttitle: Titull");
    let (_dir, root) = folder(&[("safety/safety-one.yaml", broken.as_bytes())]);
    let errs = errors(&root);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("safety-one.yaml:"), "{errs:#?}");
    let out = udha_check(&root, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 entry files could not be read: their links were not checked."),
        "{stdout}"
    );
    assert!(stdout.contains("1 errors in 1 files"), "{stdout}");
}

#[test]
fn the_urgent_help_needs_its_entries_and_phones() {
    // A missing urgent contact or entry: an error about the folder, with no file to point at.
    let (_dir, root) = folder(&[]);
    std::fs::remove_file(root.join("contact/contact-police.yaml")).unwrap();
    std::fs::remove_file(root.join("safety/safety-immediate-danger.yaml")).unwrap();
    let checked = knowledge::check(&root, today(), udha::app::knowledge_fit()).unwrap();
    let errs: Vec<String> = checked.report.errors().map(|d| d.to_string()).collect();
    assert_eq!(errs.len(), 2, "{errs:#?}");
    for (error, id) in errs.iter().zip(["contact-police", "safety-immediate-danger"]) {
        assert!(
            error.starts_with(&format!(
                "error: the urgent help needs the entry `{id}`, which does not exist"
            )),
            "{errs:#?}"
        );
    }
    assert!(checked.report.errors().all(|d| d.path.as_os_str().is_empty()));

    // An urgent contact without a phone: an error at its file.
    let no_phone = contact_entry("contact-child-line", "116 111").replace(
        "  phones:\n    - number: \"116 111\"\n      sq: Policia\n      en: Police\n",
        "  phones: []\n",
    );
    let (_dir, root) = folder(&[("contact/contact-child-line.yaml", no_phone.as_bytes())]);
    assert_eq!(
        errors(&root),
        vec![
            "contact-child-line.yaml:17: the urgent help shows `contact-child-line`'s phones, but it is not a contact with a phone"
        ]
    );

    // `udha check` prints the folder's error without a file and fails.
    let (_dir, root) = folder(&[]);
    std::fs::remove_file(root.join("contact/contact-women-line.yaml")).unwrap();
    let out = udha_check(&root, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with(
            "error: the urgent help needs the entry `contact-women-line`, which does not exist\n    hint: "
        ),
        "{stdout}"
    );
}
