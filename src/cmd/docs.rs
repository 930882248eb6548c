//! Shell completions and man pages, generated from the clap definition.
//! The committed copies in completions/ and man/ are checked by a test.

use anyhow::{Context, Result};
use clap::CommandFactory;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mem completions bash > ~/.local/share/bash-completion/completions/mem\n  mem completions zsh > ~/.zfunc/_mem"
)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  mem man ~/.local/share/man/man1")]
pub struct ManArgs {
    /// Folder to write mem.1 and mem-<command>.1 into
    pub dir: PathBuf,
}

pub fn completions(args: CompletionsArgs) -> Result<()> {
    let mut cmd = crate::cli::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "mem", &mut buf);
    crate::output::out_line(String::from_utf8_lossy(&buf).trim_end())
}

/// Renders every man page: (file name, content).
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let cmd = crate::cli::Cli::command();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    out.push(("mem.1".to_string(), buf));
    for sub in cmd.get_subcommands() {
        let name = format!("mem-{}", sub.get_name());
        let sub = sub.clone().name(&*Box::leak(name.clone().into_boxed_str()));
        let mut buf = Vec::new();
        clap_mangen::Man::new(sub).render(&mut buf)?;
        out.push((format!("{name}.1"), buf));
    }
    Ok(out)
}

pub fn write_man(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, content) in man_pages()? {
        std::fs::write(dir.join(&name), content).with_context(|| format!("writing {name}"))?;
    }
    Ok(())
}

pub fn man(args: ManArgs) -> Result<()> {
    write_man(&args.dir)
}
