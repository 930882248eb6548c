use crate::entry::Entry;
use crate::output::{Ctx, out_line};
use crate::paths::EntryPath;
use anyhow::Result;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit code 0 when no errors were found (warnings allowed), 2 when there are errors \
(with --strict: errors or warnings).\n\n\
Examples:\n  mem doctor\n  mem doctor --strict   # in CI: any warning fails\n  mem doctor --json | jq 'select(.severity==\"error\")'"
)]
pub struct Args {
    /// Warnings fail the check too (exit 2), e.g. in a CI job or a git hook.
    #[arg(long)]
    pub strict: bool,
    /// Write front matter into notes that have none (or lack mem's keys), in one commit; register the merge driver
    #[arg(long)]
    pub fix: bool,
}

#[derive(Debug, Serialize)]
pub struct Problem {
    pub severity: &'static str,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub problem: String,
    pub fix: String,
}

/// Every check, without printing: used by `mem doctor` and by tests.
pub fn check(tree: &crate::tree::Tree) -> (usize, Vec<Problem>) {
    let mut problems = Vec::new();
    let (files, strays) = tree.scan(true);
    // Temp files of an interrupted write: one warning, however many.
    let (temps, strays): (Vec<_>, Vec<_>) = strays.into_iter().partition(|s| {
        s.rel
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with(crate::fsutil::TREE_TMP_PREFIX))
    });
    if let Some(first) = temps.first() {
        let pending = tree.state_dir().join("uncommitted").is_file()
            || tree.state_dir().join(crate::sync::IN_PROGRESS).is_file();
        problems.push(Problem {
            severity: "warning",
            path: first.rel.clone(),
            line: None,
            problem: format!(
                "{} leftover temp file(s) (.mem-tmp-*) of a write that was killed before its files were renamed \
                 into place; they hold no entry",
                temps.len()
            ),
            fix: if pending {
                "the next `mem add`, `mem ingest` or `mem sync` removes them (the interrupted write is recorded in \
                 .mem/state), or delete them: find . -name '.mem-tmp-*' -delete"
                    .into()
            } else {
                "delete them from the tree's root: find . -name '.mem-tmp-*' -delete".into()
            },
        });
    }
    if let Ok(repo) = git2::Repository::discover(&tree.root)
        && repo.state() != git2::RepositoryState::Clean
    {
        problems.push(Problem {
            severity: "warning",
            path: ".git".into(),
            line: None,
            problem: format!(
                "git is in the middle of an operation ({:?}): a `git pull` that stopped on a conflict, say",
                repo.state()
            ),
            fix: "`mem sync` finishes a stopped `git pull` (merge or rebase) by mem's rules; anything else: finish or abort it with git"
                .into(),
        });
    }
    // A sync killed between its merge commit and the branch move: the
    // work tree may hold some files as the incoming commit has them, which
    // are no hand edits, and the branch was not moved.
    if tree.state_dir().join(crate::sync::IN_PROGRESS).is_file() {
        problems.push(Problem {
            severity: "error",
            path: format!(".mem/state/{}", crate::sync::IN_PROGRESS),
            line: None,
            problem: "a `mem sync` was interrupted while it wrote what came in: files of the work tree may \
                      be as the incoming commit has them while the branch is still where it was"
                .into(),
            fix: "run `mem sync`: it puts every file the interrupted sync could have written back as the branch \
                  has it (a hand edit of those files since is put back too), removes the marker, then merges, \
                  fetches and pushes again; do not commit by hand before"
                .into(),
        });
    }
    for s in strays {
        problems.push(Problem {
            severity: "warning",
            path: s.rel.clone(),
            line: None,
            problem: s.why,
            fix:
                "move it out of the tree, rename it to a valid entry path, or list it in .gitignore"
                    .into(),
        });
    }
    let mut ids: HashMap<String, Vec<String>> = HashMap::new();
    let mut live_paths = std::collections::HashSet::new();
    let mut relations = Vec::new();
    for f in &files {
        let rel = f.rel_file();
        let text = match std::fs::read(tree.abs(&rel)) {
            Ok(b) => b,
            Err(e) => {
                problems.push(Problem {
                    severity: "error",
                    path: rel,
                    line: None,
                    problem: format!("unreadable: {e}"),
                    fix: "check the file's permissions".into(),
                });
                continue;
            }
        };
        let text = match String::from_utf8(text) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem {
                    severity: "error",
                    path: rel,
                    line: None,
                    problem: format!(
                        "not UTF-8 (first bad byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                    fix: "re-save the file as UTF-8".into(),
                });
                continue;
            }
        };
        let (_, secrets) = crate::guard::redact(&text);
        if !secrets.is_empty() {
            let kinds: Vec<String> = secrets
                .iter()
                .map(|r| format!("{} × {}", r.count, r.kind))
                .collect();
            problems.push(Problem {
                severity: "warning",
                path: rel.clone(),
                line: None,
                problem: format!(
                    "holds a secret ({}) that no mem write redacted (written by hand or pulled from a teammate): \
                     recall, context packs and MCP hide it, the file and git keep it",
                    kinds.join(", ")
                ),
                fix: "`mem doctor --fix` redacts it in the file (one commit); rotate the secret, it stays in git history"
                    .into(),
            });
        }
        match Entry::parse(&text) {
            Ok(e) => {
                ids.entry(e.meta.id.clone()).or_default().push(f.display());
                if !f.archived {
                    live_paths.insert(f.path.to_string());
                }
                for r in &e.meta.relations {
                    relations.push((f.display(), r.rel.clone(), r.to.clone(), r.id.clone()));
                }
                if !f.archived && crate::quarantine::is_quarantined(&e) {
                    let why = e
                        .front_matter()
                        .get("quarantine")
                        .and_then(|v| v.as_str())
                        .unwrap_or("instruction-like text")
                        .to_string();
                    problems.push(Problem {
                        severity: "note",
                        path: rel.clone(),
                        line: None,
                        problem: format!("quarantined ({why}): kept out of agents' context until a person approves it"),
                        fix: format!(
                            "read it, then `mem review --approve {0}` or `mem review --reject {0}`",
                            f.path
                        ),
                    });
                }
            }
            Err(e) => {
                match Entry::parse_at(&text, &rel, crate::fsutil::mtime_secs(&tree.abs(&rel))) {
                    // A note written by hand or by another tool: read and
                    // found as it is; `--fix` gives it front matter.
                    Ok(adopted) => {
                        ids.entry(adopted.meta.id.clone())
                            .or_default()
                            .push(f.display());
                        if !f.archived {
                            live_paths.insert(f.path.to_string());
                        }
                        problems.push(Problem {
                        severity: "note",
                        path: rel.clone(),
                        line: None,
                        problem: if e.cause.starts_with("no front matter") {
                            format!(
                                "{}; read as a note titled \"{}\" with an id derived from its path",
                                e.cause, adopted.meta.title
                            )
                        } else {
                            format!(
                                "front matter mem does not use as it is ({}): read as a note titled \"{}\" with an id derived from its path",
                                e.cause, adopted.meta.title
                            )
                        },
                        fix: "`mem doctor --fix` writes its front matter (one commit for all such notes)".into(),
                    })
                    }
                    Err(_) => problems.push(Problem {
                        severity: "error",
                        path: rel.clone(),
                        line: e.line,
                        problem: e.cause.clone(),
                        fix: format!(
                            "fix the front matter with `mem edit {}`",
                            rel.trim_end_matches(".md")
                        ),
                    }),
                }
            }
        }
    }
    // Where each id lives now (a relation's `to` may be stale after a hand rename).
    let at: HashMap<String, String> = ids
        .iter()
        .filter_map(|(id, v)| v.first().map(|p| (id.clone(), p.clone())))
        .collect();
    let mut dups: Vec<_> = ids.into_iter().filter(|(_, v)| v.len() > 1).collect();
    dups.sort();
    for (id, paths) in dups {
        problems.push(Problem {
            severity: "error",
            path: paths.join(", "),
            line: None,
            problem: format!("id {id} is used by {} entries", paths.len()),
            fix: "give all but one of them a new id (a fresh ULID) with `mem edit`".into(),
        });
    }
    for (from, rel, to, id) in relations {
        // `TREE:PATH`: an entry of another tree (mem promote).
        if to.contains(':') {
            continue;
        }
        let ok = EntryPath::parse(&to).is_ok_and(|p| {
            live_paths.contains(&p.to_string()) || tree.abs(&p.archived_rel_file()).is_file()
        });
        if !ok {
            problems.push(Problem {
                severity: "warning",
                path: from,
                line: None,
                problem: format!("relation `{rel}` points to {to}, which does not exist"),
                fix: match id.as_ref().and_then(|i| at.get(i)) {
                    Some(now) => format!(
                        "the entry it names (by id) is now at {now}: `mem doctor --fix` corrects `to` (recall already follows the id)"
                    ),
                    None => "correct or remove the relation with `mem edit`".into(),
                },
            });
        }
    }
    (files.len(), problems)
}

/// The configured models and whether they can be used (no model is needed
/// for mem to work: without one, recall is lexical and add is uncurated).
fn model_status(tree: &crate::tree::Tree) -> Vec<serde_json::Value> {
    use crate::model::store::{self, Role};
    let mut out = Vec::new();
    for (role, setting) in [
        (Role::Embedder, &tree.config.models.embedder),
        (Role::Generator, &tree.config.models.generator),
        (Role::Answerer, &tree.config.models.answerer),
    ] {
        let status = match setting.trim() {
            "none" => "off (configured as none)".to_string(),
            "generator" => "the generator answers (configured as generator)".to_string(),
            "fake" => "fake (deterministic test embedder)".to_string(),
            s => match store::resolve_setting(role, Some(s)) {
                Ok(Some(p)) => match store::check_model_file(&p) {
                    Ok(()) => format!("ok ({})", p.display()),
                    Err(e) => format!("unusable: {e:#}"),
                },
                Ok(None) => "off".to_string(),
                Err(e) => format!("unavailable: {e:#}"),
            },
        };
        out.push(serde_json::json!({"role": role.as_str(), "setting": setting, "status": status}));
    }
    // The compute backend: CPU, or the GPU devices of a GPU build.
    crate::model::llama::set_gpu_layers(tree.config.models.gpu_layers);
    let devices = crate::model::llama::gpu_devices();
    let status = if !crate::model::llama::GPU_BUILD {
        "CPU (built without a GPU backend; `cargo build --features cuda` or `vulkan` adds one)"
            .to_string()
    } else if devices.is_empty() {
        "CPU (GPU backend built in, but no GPU device found)".to_string()
    } else {
        format!(
            "{} ({} layer(s) offloaded)",
            devices.join("; "),
            crate::model::llama::gpu_layers()
        )
    };
    out.push(
        serde_json::json!({"role": "backend", "setting": "", "status": status, "devices": devices}),
    );
    out
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let tree = ctx.tree()?;
    if args.fix {
        // The merge driver: in .git/config, and `*.md merge=mem` committed.
        let repo = git2::Repository::discover(&tree.root)?;
        if crate::git::ensure_merge_driver(&repo, &tree.root)? {
            let git = crate::git::Git::open(&tree.root)?;
            git.commit(
                &[crate::git::Change::Write(".gitattributes".into())],
                "mem: doctor --fix: the entry merge driver for *.md (via cli)",
                &tree.config.git,
            )?;
            ctx.note("registered the entry merge driver (.gitattributes: *.md merge=mem)");
        }
        let short = |c: Option<String>| {
            c.map(|c| format!(" (commit {})", &c[..c.len().min(10)]))
                .unwrap_or_default()
        };
        let (n, commit) = fix_notes(&tree)?;
        if n > 0 {
            ctx.note(&format!(
                "wrote front matter into {n} note(s){}",
                short(commit)
            ));
        }
        let (n, commit) = fix_relations(&tree)?;
        if n > 0 {
            ctx.note(&format!(
                "pointed the relations of {n} entr(y/ies) at where their targets are now (by id){}",
                short(commit)
            ));
        }
        let (n, commit) = fix_secrets(&tree)?;
        if n > 0 {
            ctx.note(&format!(
                "redacted secrets in {n} file(s){}; rotate them: git history keeps the old text",
                short(commit)
            ));
        }
    }
    let (n, problems) = check(&tree);
    let errors = problems.iter().filter(|p| p.severity == "error").count();
    let warnings = problems.iter().filter(|p| p.severity == "warning").count();
    let failed = errors > 0 || (args.strict && warnings > 0);
    for p in &problems {
        if ctx.json {
            ctx.json_line(p)?;
        } else {
            let at = match p.line {
                Some(l) => format!("{}:{l}", p.path),
                None => p.path.clone(),
            };
            out_line(&format!(
                "{:<7} {at}: {} (fix: {})",
                p.severity, p.problem, p.fix
            ))?;
        }
    }
    let models = model_status(&tree);
    if ctx.json {
        ctx.json_line(&serde_json::json!({"summary": true, "entries": n, "errors": errors, "warnings": warnings, "ok": !failed, "models": models}))?;
    } else {
        for m in &models {
            out_line(&format!(
                "model   {}: {}",
                m["role"].as_str().unwrap_or(""),
                m["status"].as_str().unwrap_or("")
            ))?;
        }
        out_line(&format!(
            "checked {n} entries: {errors} error(s), {warnings} warning(s)"
        ))?;
    }
    if failed {
        std::process::exit(crate::error::EXIT_ERROR);
    }
    Ok(())
}

/// `--fix`: front matter for every adopted note (no front matter, or none
/// of mem's keys), `created` from the first commit that has the file when
/// git knows it; one commit.
fn fix_notes(tree: &crate::tree::Tree) -> Result<(usize, Option<String>)> {
    let mut writer = crate::write::Writer::lock(tree)?;
    let (files, _) = tree.scan(true);
    let mut fixes: Vec<(String, String, Entry)> = Vec::new();
    for f in files {
        let rel = f.rel_file();
        let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
            continue;
        };
        if Entry::parse(&text).is_ok() {
            continue;
        }
        if let Ok(e) = Entry::parse_at(&text, &rel, crate::fsutil::mtime_secs(&tree.abs(&rel))) {
            fixes.push((rel, text, e));
        }
    }
    if fixes.is_empty() {
        return Ok((0, None));
    }
    // When each file first appeared in git: its `created`.
    if let Ok(repo) = git2::Repository::discover(&tree.root)
        && let Ok(prefix) = crate::git::tree_prefix(&repo, &tree.root)
    {
        let repo_path = |rel: &str| {
            if prefix.is_empty() {
                rel.to_string()
            } else {
                format!("{prefix}/{rel}")
            }
        };
        let had_created: Vec<bool> = fixes
            .iter()
            .map(|(_, t, _)| {
                t.lines()
                    .take(40)
                    .any(|l| l.starts_with("created:") || l.starts_with("date:"))
            })
            .collect();
        if let Ok(mut walk) = repo.revwalk() {
            let _ = walk.push_head();
            let _ = walk.set_sorting(git2::Sort::TIME | git2::Sort::REVERSE);
            let mut pending: Vec<usize> = (0..fixes.len()).filter(|i| !had_created[*i]).collect();
            for oid in walk.flatten() {
                if pending.is_empty() {
                    break;
                }
                let Ok(c) = repo.find_commit(oid) else {
                    continue;
                };
                let Ok(t) = c.tree() else { continue };
                pending.retain(|&i| {
                    if t.get_path(std::path::Path::new(&repo_path(&fixes[i].0)))
                        .is_ok()
                    {
                        let when = jiff::Timestamp::from_second(c.time().seconds())
                            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
                        let _ = fixes[i].2.set(
                            "created",
                            serde_yaml::Value::String(crate::time::format(when)),
                        );
                        false
                    } else {
                        true
                    }
                });
            }
        }
    }
    let fixes: Vec<(String, String, String)> = fixes
        .into_iter()
        .map(|(rel, old, e)| (rel, old, e.render()))
        .collect();
    commit_fixes(
        &mut writer,
        format!(
            "mem: doctor --fix: front matter for {} note(s) (via cli)",
            fixes.len()
        ),
        &fixes,
    )
}

/// `--fix`: every secret in an entry file replaced by its
/// `[REDACTED:kind]` marker, the entry otherwise unchanged; one commit.
fn fix_secrets(tree: &crate::tree::Tree) -> Result<(usize, Option<String>)> {
    use crate::guard::hidden;
    let mut writer = crate::write::Writer::lock(tree)?;
    let (files, _) = tree.scan(true);
    let mut fixes: Vec<(String, String, String)> = Vec::new();
    for f in files {
        let rel = f.rel_file();
        let Ok(text) = std::fs::read_to_string(tree.abs(&rel)) else {
            continue;
        };
        let whole = hidden(&text);
        if whole == text {
            continue;
        }
        // The whole file redacted, when it is still the same entry (a
        // marker can turn a YAML scalar into a list); else the body and the
        // title one by one.
        let fixed = match (Entry::parse(&text), Entry::parse(&whole)) {
            (Ok(a), Ok(b)) if a.meta.id == b.meta.id && a.meta.title == b.meta.title => {
                whole.into_owned()
            }
            (Err(_), _) => whole.into_owned(),
            (Ok(mut e), _) => {
                let body = hidden(e.body()).into_owned();
                e.set_body(&body);
                let title = hidden(&e.meta.title).into_owned();
                if title != e.meta.title {
                    e.set("title", serde_yaml::Value::String(title))?;
                }
                e.render()
            }
        };
        if fixed != text {
            fixes.push((rel, text, fixed));
        }
    }
    commit_fixes(
        &mut writer,
        format!(
            "mem: doctor --fix: redacted secrets in {} file(s) (via cli)",
            fixes.len()
        ),
        &fixes,
    )
}

/// `--fix`: a relation whose `to` names no entry, but whose `id` does (the
/// target was moved by hand, on another clone, or by a move that was
/// killed before it rewrote its relations), points at where that entry is
/// now; one commit.
fn fix_relations(tree: &crate::tree::Tree) -> Result<(usize, Option<String>)> {
    let mut writer = crate::write::Writer::lock(tree)?;
    let fixes = tree.relation_fixes();
    commit_fixes(
        &mut writer,
        format!(
            "mem: doctor --fix: relations pointed at their targets' current paths in {} entr(y/ies) (via cli)",
            fixes.len()
        ),
        &fixes,
    )
}

/// One commit of whole-file fixes (path, old text, new text); returns the
/// count and the commit.
fn commit_fixes(
    writer: &mut crate::write::Writer,
    message: String,
    fixes: &[(String, String, String)],
) -> Result<(usize, Option<String>)> {
    if fixes.is_empty() {
        return Ok((0, None));
    }
    let mut cs = crate::write::Changeset::new(message);
    for (rel, old, new) in fixes {
        cs.replace(rel.clone(), old, new.clone());
    }
    let commit = writer.apply(cs)?;
    Ok((fixes.len(), commit.map(|c| c.to_string())))
}
