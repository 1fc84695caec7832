//! The `udha` binary: a thin shell over the library (see `udha::app`).

use std::process::ExitCode;

use clap::Parser;

/// See `Cargo.toml`: answering allocates a lot of small, short-lived things, which mimalloc does faster and more
/// evenly than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's memory options (its `mi_option_e`): `arena_eager_commit` off, so arena memory is committed as it is
/// used and memory freed later is decommitted (given back) rather than only reset, which Linux keeps counting as
/// resident; and `purge_delay` 0, so freed memory goes back at once rather than after a delay, before a reload's
/// next allocations. Together they more than halve the peak resident memory of a fresh bot (57 → 25 MiB) and of
/// one that has reloaded its knowledge (99 → 54 MiB), with no measurable cost to answering (BENCHMARKS.md).
///
/// They must be set before the first allocation reserves mimalloc's arena, so on Linux this runs as an ELF
/// constructor (before `main` and before any Rust allocation); it allocates nothing itself.
extern "C" fn tune_allocator() {
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: mi_option_set only stores an integer in mimalloc's option table (initialising mimalloc if needed);
    // both options exist in the vendored mimalloc v3 (mi_option_arena_eager_commit = 4, mi_option_purge_delay = 15).
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

fn main() -> ExitCode {
    #[cfg(not(target_os = "linux"))]
    tune_allocator();
    let cli = udha::cli::Cli::parse();
    udha::telemetry::init(cli.log.0.as_deref());
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
