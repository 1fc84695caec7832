//! The recipes in deploy/ stay true: every environment variable and `udha` flag they use is one `udha` knows
//! (as its --help says), and the systemd unit passes `systemd-analyze verify` where systemd is installed.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn deploy_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn recipes() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(deploy_dir()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        out.push((name, std::fs::read_to_string(entry.path()).unwrap()));
    }
    out.sort();
    out
}

fn help() -> String {
    let mut text = String::new();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["stats", "--help"],
        &["check", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_udha")).args(args).output().unwrap();
        assert!(out.status.success());
        text.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    text
}

/// Names like UDHA_WATCH, TELOXIDE_TOKEN, DATABASE_URL, RUST_LOG.
fn env_vars(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for word in text.split(|c: char| !(c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())) {
        if word.starts_with("UDHA_") || word.starts_with("TELOXIDE_") || word == "DATABASE_URL" || word == "RUST_LOG" {
            found.insert(word.to_string());
        }
    }
    found
}

/// Flags given to `udha` itself: in a command (or `ExecStart=`) whose first word is `udha` or `.../bin/udha`.
fn udha_flags(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or_default();
        for command in line.split("&&").flat_map(|c| c.split(';')) {
            let command = command
                .trim()
                .trim_start_matches(['-', '`', ' '])
                .trim_start_matches("ExecStart=");
            let mut words = command.split_whitespace();
            let Some(first) = words.next() else { continue };
            if first == "udha" || first.ends_with("bin/udha") {
                found.extend(
                    words
                        .filter(|w| w.starts_with("--"))
                        .map(|w| w.split('=').next().unwrap_or(w).to_string()),
                );
            }
        }
    }
    found
}

#[test]
fn the_recipes_use_only_variables_and_flags_udha_knows() {
    let help = help();
    let mut vars = BTreeSet::new();
    let mut flags = BTreeSet::new();
    for (_, text) in recipes() {
        vars.extend(env_vars(&text));
        flags.extend(udha_flags(&text));
    }
    for must in [
        "TELOXIDE_TOKEN",
        "UDHA_WEBHOOK_URL",
        "UDHA_WEBHOOK_SECRET",
        "DATABASE_URL",
        "UDHA_KNOWLEDGE",
    ] {
        assert!(vars.contains(must), "the recipes mention {must}");
    }
    for var in &vars {
        assert!(
            help.contains(var.as_str()),
            "{var} is used in deploy/ but `udha --help` does not know it"
        );
    }
    assert!(
        flags.contains("--knowledge") && flags.contains("--database"),
        "{flags:?}"
    );
    for flag in &flags {
        assert!(
            help.contains(flag.as_str()),
            "{flag} is used in deploy/ but `udha --help` does not know it"
        );
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains("deploy/README.md"), "the README links the recipes");
}

#[test]
fn the_systemd_unit_verifies() {
    let unit = std::fs::read_to_string(deploy_dir().join("udha.service")).unwrap();
    for needed in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "StateDirectory=udha",
        "NoNewPrivileges=yes",
    ] {
        assert!(unit.contains(needed), "{needed}");
    }
    assert!(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"));
    if Command::new("systemd-analyze").arg("--version").output().is_err() {
        println!("SKIPPED systemd-analyze verify: systemd-analyze is not installed");
        return;
    }
    // verify wants the binary to exist: point the unit at the one just built.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("udha.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/udha", env!("CARGO_BIN_EXE_udha"))).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("udha.service:"), "{stderr}");
}
