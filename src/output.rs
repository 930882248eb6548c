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

    /// The tree: `--root`, else the one around the current folder, else
    /// the personal tree (`[trees] personal` in the user config), which is
    /// then named on stderr.
    pub fn tree(&self) -> anyhow::Result<crate::tree::Tree> {
        match crate::tree::Tree::find(self.root.as_deref()) {
            Ok(t) => Ok(t),
            // Only when no tree is around the current folder (a tree with a
            // broken config is an error, not a reason to go elsewhere).
            Err(e)
                if self.root.is_none()
                    && std::env::current_dir()
                        .is_ok_and(|d| !d.ancestors().any(|a| a.join(".mem").is_dir())) =>
            {
                let personal = crate::config::Config::load(None)
                    .ok()
                    .and_then(|c| c.tree_path("personal"))
                    .filter(|p| p.join(".mem").is_dir());
                match personal {
                    Some(p) => {
                        let t = crate::tree::Tree::find(Some(&p))?;
                        self.note(&format!(
                            "note: no mem tree here; using the personal tree {}",
                            t.root.display()
                        ));
                        Ok(t)
                    }
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The tree named `name` in the configuration (`[trees]`), or the
    /// tree at the folder `name`.
    pub fn named_tree(&self, name: &str) -> anyhow::Result<crate::tree::Tree> {
        let cfg = match self.tree() {
            Ok(t) => t.config,
            Err(_) => crate::config::Config::load(None)?,
        };
        match cfg.tree_path(name) {
            Some(p) => crate::tree::Tree::find(Some(&p))
                .map_err(|e| anyhow::anyhow!("tree `{name}` ({}): {e:#}", p.display())),
            None if std::path::Path::new(name).join(".mem").is_dir() => {
                crate::tree::Tree::find(Some(std::path::Path::new(name)))
            }
            None => anyhow::bail!(
                "no tree named `{name}`: name it in the user config ([trees] {name} = \"/path\") or give its folder"
            ),
        }
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
