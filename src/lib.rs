//! Udha: procedures, laws and safety steps for digital violence in Albania, in Albanian and English.
//!
//! Layers point inward (see ARCHITECTURE.md):
//! `knowledge` (types, loading, validation) ← `search` (analysis, index) ← `dialogue` (the engine)
//! ← front ends (`telegram`, `console`); `usage` (anonymous counts) sits beside, wired together in `app`.

pub mod app;
pub mod cli;
pub mod console;
pub mod dialogue;
pub mod knowledge;
pub mod qr;
pub mod reload;
pub mod search;
pub mod telegram;
pub mod telemetry;
pub mod usage;
