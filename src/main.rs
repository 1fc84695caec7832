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
        Err(e) => {
            eprintln!("udha: {e:#}");
            ExitCode::FAILURE
        }
    }
}
