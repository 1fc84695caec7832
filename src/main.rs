//! The `udha` binary: a thin shell over the library (see `udha::app`).

use std::process::ExitCode;

use clap::Parser;

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
