//! The `udha` binary: a thin shell over the library (see `udha::app`).

use std::process::ExitCode;

use clap::Parser;

/// See `Cargo.toml`: answering allocates a lot of small, short-lived things, which mimalloc does faster and more
/// evenly than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = udha::cli::Cli::parse();
    udha::telemetry::init();
    match udha::app::run(cli) {
        Ok(code) => code,
        // Like Unix tools, a reader that stopped reading (`udha stats | head`) ends the command quietly.
        Err(e) if udha::telemetry::is_closed_output(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("udha: {}", udha::telemetry::scrub(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}
