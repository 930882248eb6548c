use crate::git::{Change, Git};
use crate::output::Ctx;
use crate::tree::{CONFIG_TEMPLATE, GITIGNORE_TEMPLATE, MEM_DIR};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  mem init ~/memory\n  mem init            # the current folder (an existing git repo is adopted)"
)]
pub struct Args {
    /// Folder for the tree (created if missing); default: the current folder
    pub dir: Option<PathBuf>,
    /// Make (or name) your personal tree, used outside any tree: DIR, else the data folder's mem/personal; written into the user config as [trees] personal
    #[arg(long)]
    pub personal: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let dir = match (args.dir.or_else(|| ctx.root.clone()), args.personal) {
        (Some(d), _) => d,
        (None, true) => {
            use etcetera::BaseStrategy;
            etcetera::choose_base_strategy()
                .map_err(|e| anyhow::anyhow!("no data folder on this platform: {e}"))?
                .data_dir()
                .join("mem")
                .join("personal")
        }
        (None, false) => std::env::current_dir()?,
    };
    if dir.exists() && !dir.is_dir() {
        bail!("{} exists and is not a folder", dir.display());
    }
    // A tree inside a tree would split its entries between two roots (and
    // the outer one would list the inner one's settings as strays).
    if !dir.join(MEM_DIR).is_dir()
        && let Some(outer) = crate::tree::enclosing_tree(&dir)
    {
        bail!(
            "{} is inside the mem tree {}: a tree cannot hold another; use that tree (its topics are folders: `--at DOMAIN/TOPIC`), or choose a folder outside it",
            dir.display(),
            outer.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let root = dir.canonicalize()?;
    let mem = root.join(MEM_DIR);
    let already = mem.join("config.toml").is_file();
    let git = Git::open_or_init(&root)?;
    let mut changes = Vec::new();
    if !already {
        std::fs::create_dir_all(&mem)?;
        std::fs::write(mem.join("config.toml"), CONFIG_TEMPLATE)?;
        changes.push(Change::Write(format!("{MEM_DIR}/config.toml")));
    }
    if !mem.join(".gitignore").is_file() {
        std::fs::write(mem.join(".gitignore"), GITIGNORE_TEMPLATE)?;
        changes.push(Change::Write(format!("{MEM_DIR}/.gitignore")));
    }
    // Entries merge with mem's driver (`git pull` included).
    if crate::git::ensure_merge_driver(git.repo(), &root)? {
        changes.push(Change::Write(".gitattributes".into()));
    }
    let cfg = crate::config::Config::load(Some(&root))?;
    if args.personal {
        set_personal(&root)?;
    }
    let commit = if changes.is_empty() {
        None
    } else {
        git.commit(&changes, "mem: init tree\n\nSettings in .mem/config.toml; derived state in .mem/index and .mem/state is git-ignored.", &cfg.git)?
    };
    if ctx.json {
        ctx.json_line(&serde_json::json!({
            "op": if already { "exists" } else { "initialized" },
            "root": root.display().to_string(),
            "commit": commit.map(|c| c.to_string()),
        }))?;
    } else if already {
        crate::output::out_line(&format!("already a mem tree: {}", root.display()))?;
    } else {
        crate::output::out_line(&format!("initialized mem tree in {}", root.display()))?;
    }
    Ok(())
}

/// Writes `[trees] personal = ROOT` into the user config, keeping the rest.
fn set_personal(root: &std::path::Path) -> Result<()> {
    let path = crate::config::user_config_path()
        .ok_or_else(|| anyhow::anyhow!("no user config folder on this platform"))?;
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut doc: toml_edit::DocumentMut = old
        .parse()
        .with_context(|| format!("{} is not valid TOML; fix it first", path.display()))?;
    let trees = doc
        .entry("trees")
        .or_insert(toml_edit::Item::Table(toml_edit::Table::new()))
        .as_table_mut()
        .ok_or_else(|| anyhow::anyhow!("{}: `trees` is not a table", path.display()))?;
    trees["personal"] = toml_edit::value(root.display().to_string());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::fsutil::replace_file(&path, doc.to_string().as_bytes())?;
    Ok(())
}
