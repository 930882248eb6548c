//! Output: stdout is data (text or JSON Lines), stderr is diagnostics.
//! A closed pipe (`mem ls | head`) ends the program quietly.

use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// What every command gets: the global flags, resolved.
pub struct Ctx {
    pub root: Option<PathBuf>,
    pub json: bool,
    pub color: bool,
    pub yes: bool,
    pub quiet: bool,
    /// stdin and stderr are terminals, so prompts and progress bars may show.
    pub interactive: bool,
}

impl Ctx {
    /// The context for these settings; `color: None` is automatic (a
    /// terminal on stdout and no `NO_COLOR`).
    pub fn new(
        root: Option<PathBuf>,
        json: bool,
        color: Option<bool>,
        yes: bool,
        quiet: bool,
    ) -> Self {
        let tty = std::io::stdout().is_terminal();
        let color = color
            .unwrap_or_else(|| tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()));
        let interactive = std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none();
        Self {
            root,
            json,
            color,
            yes,
            quiet,
            interactive,
        }
    }

    pub fn tree(&self) -> anyhow::Result<crate::tree::Tree> {
        crate::tree::Tree::find(self.root.as_deref())
    }

    /// One JSON object on its own line.
    pub fn json_line<T: Serialize>(&self, v: &T) -> anyhow::Result<()> {
        let s = serde_json::to_string(v)?;
        out_line(&s)
    }

    /// A diagnostic on stderr, unless --quiet.
    pub fn note(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    pub fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn dim(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[2m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn green(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[32m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Writes a line to stdout; a broken pipe becomes a quiet exit.
pub fn out_line(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{s}").and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        return Err(e.into());
    }
    Ok(())
}
