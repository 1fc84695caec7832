//! The command-line contract other tools rely on: `udha ask --json [--stdin]` and `udha export --jsonl`.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn udha() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_udha"));
    c.arg("--knowledge").arg(common::knowledge_dir());
    c
}

fn check_ask_line(line: &str, query: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    let obj = v.as_object().expect("an object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["danger", "emergency", "lang", "query", "results"]);
    assert_eq!(v["query"], query);
    assert!(v["lang"] == "sq" || v["lang"] == "en");
    assert!(v["emergency"].is_boolean());
    assert!(["none", "possible", "now"].contains(&v["danger"].as_str().unwrap_or("")));
    assert_eq!(v["emergency"], v["danger"] == "now");
    let mut last = f64::INFINITY;
    for r in v["results"].as_array().expect("results is an array") {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["id", "kind", "score", "title"]);
        let score = r["score"].as_f64().unwrap();
        assert!(score <= last, "ranked best first");
        last = score;
    }
    v
}

#[test]
fn ask_answers_one_question_as_one_json_line() {
    let out = udha()
        .args(["ask", "--json", "si", "merret", "urdheri", "i", "mbrojtjes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1);
    let v = check_ask_line(lines[0], "si merret urdheri i mbrojtjes");
    assert_eq!(v["lang"], "sq");
    assert!(!v["results"].as_array().unwrap().is_empty());
}

#[test]
fn ask_stdin_gives_exactly_one_line_per_question() {
    let questions = [
        "dikush hapi llogari false me foton time",
        "he posted my nudes on a group",
        "",
        "AND OR ( \"unclosed * ~ field:value",
        "do më vrasë, ka thikë",
        "🙂🙂🙂",
        "kanosja me vdekje, neni 84",
    ];
    let mut child = udha()
        .args(["ask", "--json", "--stdin", "--limit", "3"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for q in questions {
            writeln!(stdin, "{q}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), questions.len());
    let values: Vec<serde_json::Value> = lines.iter().zip(questions).map(|(l, q)| check_ask_line(l, q)).collect();
    for v in &values {
        assert!(v["results"].as_array().unwrap().len() <= 3);
    }
    assert_eq!(values[0]["results"][0]["id"], "safety-fake-profile");
    assert_eq!(values[1]["lang"], "en");
    assert_eq!(values[2]["results"].as_array().unwrap().len(), 0);
    assert_eq!(values[4]["emergency"], true);
    assert_eq!(values[6]["emergency"], false);
    assert_eq!(values[6]["results"][0]["id"], "law-criminal-threats");
}

/// The questions at the top of the search issue, as people type them: `udha ask` puts the entry meant first.
#[test]
fn ask_puts_the_right_entry_first_for_the_search_issues_examples() {
    let examples = [
        ("dikush hapi llogari false me foton time", "sq", "safety-fake-profile"),
        (
            "nuk hyj dot ne insta, ma ndryshuan emailin",
            "sq",
            "platform-instagram-hacked",
        ),
        ("si merret urdheri i mbrojtjes", "sq", "safety-protection-order"),
        ("he posted my nudes on a group", "en", "safety-intimate-images"),
        ("ku raportohet ngacmimi ne tiktok", "sq", "platform-tiktok"),
    ];
    for (question, lang, expected) in examples {
        let out = udha().args(["ask", "--json", question]).output().unwrap();
        assert!(out.status.success());
        let stdout = String::from_utf8(out.stdout).unwrap();
        let v = check_ask_line(stdout.trim_end(), question);
        assert_eq!(v["lang"], lang, "{question}");
        assert_eq!(v["emergency"], false, "{question}");
        assert_eq!(v["results"][0]["id"], expected, "{question}: {stdout}");
    }
}

#[test]
fn ask_fails_only_when_the_knowledge_cannot_be_loaded() {
    let out = Command::new(env!("CARGO_BIN_EXE_udha"))
        .args(["--knowledge", "/nonexistent/udha-knowledge", "ask", "--json", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("knowledge"));
}

#[test]
fn export_gives_one_object_per_entry_and_language() {
    let out = udha().args(["export", "--jsonl"]).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let index = common::shipped_index();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), index.knowledge().len() * 2);
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["audience", "id", "kind", "lang", "text", "title"]);
        let id = v["id"].as_str().unwrap();
        let lang = v["lang"].as_str().unwrap();
        assert!(lang == "sq" || lang == "en");
        let entry = index.knowledge().get(id).expect("exported id exists");
        assert_eq!(v["kind"], entry.kind.as_str());
        assert_eq!(v["audience"], entry.audience.as_str());
        assert!(
            v["text"]
                .as_str()
                .unwrap()
                .contains(&entry.text(udha::knowledge::Lang::from_code(lang).unwrap()).summary)
        );
        assert!(
            seen.insert((id.to_string(), lang.to_string())),
            "one line per entry and language"
        );
    }
}

#[test]
fn schema_prints_the_json_schema() {
    let out = udha().arg("schema").output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "Entry");
}

#[test]
fn help_says_what_each_command_does() {
    let out = udha().arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for c in ["chat", "serve", "ask", "check", "export", "schema", "stats"] {
        assert!(text.contains(&format!("  {c} ")), "{c} in --help:\n{text}");
    }
}
