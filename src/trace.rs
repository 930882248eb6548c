//! `MEM_TRACE=1`: milestones with the time since the process started
//! (on stderr), for finding where a command spends its time.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Starts the clock (call first thing in `main`).
pub fn init() {
    START.get_or_init(|| std::env::var_os("MEM_TRACE").map(|_| Instant::now()));
}

/// Prints `label` with the elapsed time when tracing is on.
pub fn mark(label: &str) {
    if let Some(Some(t)) = START.get() {
        eprintln!(
            "trace {:>8.2} ms  {label}",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
}
