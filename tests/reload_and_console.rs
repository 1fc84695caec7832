//! Knowledge reloading keeps the last good knowledge on a broken edit; `udha chat` works end to end and counts.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use arc_swap::ArcSwap;
use udha::knowledge::{Knowledge, Lang};
use udha::search::SearchIndex;
use udha::usage::Recorder;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn a_broken_edit_keeps_the_last_good_knowledge_and_a_fix_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("knowledge");
    copy_dir(&common::knowledge_dir(), &root);
    let index = SearchIndex::build(Arc::new(Knowledge::load(&root, udha::app::knowledge_fit()).unwrap())).unwrap();
    let before = index.knowledge().len();
    let shared = ArcSwap::from_pointee(index);
    let recorder = Recorder::disabled();
    let fingerprint = udha::reload::fingerprint(&root);

    // A maintainer misspells a field and saves.
    let file = root.join("safety/safety-save-evidence.yaml");
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, good.replacen("summary:", "sumary:", 1)).unwrap();
    assert_ne!(udha::reload::fingerprint(&root), fingerprint, "the change is noticed");
    assert!(!udha::reload::reload(
        &root,
        udha::app::knowledge_fit(),
        &shared,
        &recorder
    ));
    assert_eq!(shared.load().knowledge().len(), before);
    assert!(shared.load().knowledge().get("safety-save-evidence").is_some());

    // The fix, plus a new entry, is taken.
    std::fs::write(&file, &good).unwrap();
    let new = good
        .replace("id: safety-save-evidence", "id: safety-zz-new-entry")
        .replacen("title:", "title: Zzqx unique title –", 1);
    std::fs::write(root.join("safety/safety-zz-new-entry.yaml"), new).unwrap();
    assert!(udha::reload::reload(
        &root,
        udha::app::knowledge_fit(),
        &shared,
        &recorder
    ));
    assert_eq!(shared.load().knowledge().len(), before + 1);
    let answer = shared.load().search("zzqx unique", Lang::Sq, 1);
    assert_eq!(answer.hits[0].entry.id, "safety-zz-new-entry");
}

fn chat(input: &str, extra: &[&str], cwd: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_udha"))
        .current_dir(cwd)
        .arg("--knowledge")
        .arg(common::knowledge_dir())
        .args(extra)
        .arg("chat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_terminal_chat_numbers_buttons_and_answers_questions() {
    let dir = tempfile::tempdir().unwrap();
    let out = chat(
        "1\ndikush hapi llogari false me foton time\n/lang\n2\n/help\n/quit\n",
        &[],
        dir.path(),
    );
    let index = common::shipped_index();
    assert!(out.contains("[1] 🆘 Ndihmë urgjente tani"), "{out}");
    assert!(out.contains("☎ 129"), "{out}");
    assert!(
        out.contains(&index.knowledge().get("safety-fake-profile").unwrap().text.sq.title),
        "{out}"
    );
    assert!(out.contains("[2] English"), "{out}");
    assert!(out.contains("Language: English."), "{out}");
    assert!(out.contains("/clear"), "{out}");
}

/// The number the terminal chat gives the button labelled `label` in `out` (its last occurrence).
fn button_number(out: &str, label: &str) -> String {
    let at = out
        .rfind(&format!("] {label}"))
        .unwrap_or_else(|| panic!("no button {label:?} in {out}"));
    let open = out[..at].rfind('[').unwrap();
    out[open + 1..at].to_string()
}

#[test]
fn the_terminal_chat_answers_short_first_like_telegram() {
    let dir = tempfile::tempdir().unwrap();
    let t = udha::dialogue::ui_texts(Lang::Sq);
    let open = "/start procedure-crm-referral\n";
    let first = chat(&format!("{open}/quit\n"), &[], dir.path());
    let entry = common::shipped_index()
        .knowledge()
        .get("procedure-crm-referral")
        .unwrap()
        .clone();
    assert!(first.contains(&entry.text.sq.summary), "{first}");
    assert!(
        !first.contains(&entry.sources[0].title),
        "sources are a tap away: {first}"
    );
    let (more, sources, share) = (
        button_number(&first, t.more),
        button_number(&first, t.sources_button),
        button_number(&first, t.share),
    );
    let out = chat(
        &format!("{open}{more}\n{open}{sources}\n{open}{share}\n/quit\n"),
        &[],
        dir.path(),
    );
    let paragraph = entry.text.sq.body.split("\n\n").next().unwrap().trim();
    assert!(out.contains(paragraph), "more shows the body: {out}");
    assert!(
        out.contains(&entry.sources[0].title) || out.contains(entry.sources[0].citation.as_deref().unwrap_or("-")),
        "{out}"
    );
    assert!(
        out.matches(&entry.text.sq.summary).count() >= 4,
        "share shows the card: {out}"
    );
}

#[test]
fn the_terminal_chat_counts_into_sqlite_by_default() {
    let dir = tempfile::tempdir().unwrap();
    chat("si ta raportoj profilin fals\nqwxzy vbnmq\n/quit\n", &[], dir.path());
    let db = dir.path().join("udha-usage.sqlite3");
    assert!(
        db.exists(),
        "the default database is an SQLite file in the working directory"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_udha"))
        .current_dir(dir.path())
        .args(["stats", "--format", "json", "--raw"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("question") && report.contains("no_result"), "{report}");

    let none = tempfile::tempdir().unwrap();
    chat(
        "si ta raportoj profilin fals\n/quit\n",
        &["--database", "sqlite:counts.sqlite3?mode=rwc"],
        none.path(),
    );
    assert!(none.path().join("counts.sqlite3").exists());
    let off = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_udha"));
    c.current_dir(off.path())
        .arg("--knowledge")
        .arg(common::knowledge_dir())
        .args(["chat", "--no-counts"])
        .stdin(Stdio::null());
    assert!(c.output().unwrap().status.success());
    assert!(
        std::fs::read_dir(off.path()).unwrap().next().is_none(),
        "--no-counts writes nothing"
    );
}

#[test]
fn flow_steps_are_counted_with_their_step() {
    let dir = tempfile::tempdir().unwrap();
    // Open the safety menu (2), then the first flow (1), then its first option (1).
    chat("2\n1\n1\n/quit\n", &[], dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_udha"))
        .current_dir(dir.path())
        .args(["stats", "--format", "csv", "--raw"])
        .output()
        .unwrap();
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("/start,"),
        "a flow step is counted as flow-id/step-id: {report}"
    );
    let topics = common::shipped_index().knowledge().topic_ids();
    assert!(topics.iter().any(|t| t.starts_with("flow-safety-check/")));
}
