//! `mem learn`: lessons from agent session transcripts, by rules.
//!
//! A transcript is read with its tool calls ([`transcript`]), cut into
//! episodes (a request the user typed and the work that answers it), and
//! three kinds of lesson are looked for:
//!
//! - **recovery**: a command fails; later in the episode the same command
//!   (the same program and subcommand) is run again and succeeds. What ran
//!   in between (commands that changed something, file edits) and any
//!   change to the command itself is the fix: "when `X` fails with `E`, do
//!   `F`";
//! - **optimisation**: the same failure met by two or more different
//!   attempts before the one that worked: "go straight to `W`; `A`, `B`
//!   failed";
//! - **strategy**: an episode that asked for a procedure (release, deploy,
//!   migrate, set up…) and succeeded, reduced to the commands that changed
//!   something, in order.
//!
//! Every lesson quotes its evidence verbatim: the error line at the turn it
//! was printed, each command at the turn it was called ([`verify`] checks
//! them against the transcript). Diagnostics (`ls`, `cat`, `git status`,
//! `kubectl get`…) are never advice.

pub mod store;
pub mod transcript;

use serde::Serialize;
use transcript::{Action, Event, Transcript, clip, error_line, error_lines, telling};

/// One lesson, before it becomes an entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Lesson {
    /// `recovery`, `optimisation` or `strategy`.
    pub kind: &'static str,
    /// When it applies: the failing command and its error line, or the task.
    pub trigger: String,
    /// What to do.
    pub advice: String,
    /// The program it is about (`cargo build`, `docker compose`).
    pub program: String,
    /// The task (the request that started the episode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// The turns it cites, in order.
    pub turns: Vec<usize>,
    /// Verbatim quotes: (turn, text).
    pub evidence: Vec<Quote>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quote {
    pub turn: usize,
    /// `error`, `command`, `edit` or `request`.
    pub what: &'static str,
    pub text: String,
}

impl Lesson {
    /// The entry's text: one statement, then the trigger, the advice and
    /// the evidence as a list.
    pub fn render(&self, source: &str) -> String {
        let mut s = match self.kind {
            "strategy" => format!("To {}: {}.", lower_first(&self.trigger), self.advice),
            _ => format!("When {}: {}.", self.trigger, self.advice),
        };
        s.push_str("\n\n");
        s.push_str(&format!("- kind: {}\n", self.kind));
        s.push_str(&format!("- trigger: {}\n", self.trigger));
        s.push_str(&format!("- advice: {}\n", self.advice));
        if let Some(t) = &self.task {
            s.push_str(&format!("- task: {}\n", clip(t, 200)));
        }
        s.push_str(&format!("- evidence ({source}):\n"));
        for q in &self.evidence {
            s.push_str(&format!(
                "  - turn {} {}: `{}`\n",
                q.turn,
                q.what,
                tick(&q.text)
            ));
        }
        s
    }

    /// Replaces secrets in every text of the lesson by `[REDACTED:kind]`.
    pub fn redact(&mut self) {
        let r = |s: &mut String| *s = crate::guard::redact(s).0;
        r(&mut self.trigger);
        r(&mut self.advice);
        if let Some(t) = self.task.as_mut() {
            r(t);
        }
        for q in self.evidence.iter_mut() {
            r(&mut q.text);
        }
    }

    /// The ref of the entry: the session and the turns, stable from one
    /// harvest of a growing transcript to the next.
    pub fn reference(&self, session: &str) -> String {
        let first = self.turns.first().copied().unwrap_or(0);
        let last = self.turns.last().copied().unwrap_or(0);
        format!("learn:{session}:{first}-{last}:{}", self.kind)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => {
            f.to_lowercase().chain(c).collect()
        }
        Some(f) => std::iter::once(f).chain(c).collect(),
        None => String::new(),
    }
}

/// Backticks inside a quote would end the code span early.
fn tick(s: &str) -> String {
    s.replace('`', "'")
}

/// A command quoted in a lesson: one line, clipped.
fn cmd(s: &str) -> String {
    format!("`{}`", tick(&clip(s.trim(), 200)))
}

/// The words of a command, with leading `VAR=value` assignments, `sudo`,
/// `cd DIR &&` and `time` dropped: the last `&&`/`;` segment that is not a
/// `cd`.
/// The parts of a command's first line between `&&`, `||` and `;` outside
/// quotes; `pipes` also cuts at `|`.
fn split_shell(command: &str, pipes: bool) -> Vec<&str> {
    let line = command.lines().next().unwrap_or("");
    let b = line.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if (c == b'&' || c == b'|') && b.get(i + 1) == Some(&c) => {
                out.push(line[start..i].trim());
                i += 2;
                start = i;
                continue;
            }
            None if c == b';' || (pipes && c == b'|') => {
                out.push(line[start..i].trim());
                start = i + 1;
            }
            None => {}
        }
        i += 1;
    }
    out.push(line[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

fn core(command: &str) -> Vec<String> {
    let first_line = command.lines().next().unwrap_or("");
    let segments: Vec<&str> = split_shell(command, false);
    let seg = segments
        .iter()
        .rev()
        .find(|s| {
            let w = s.split_whitespace().next().unwrap_or("");
            !matches!(w, "cd" | "export" | "source" | "." | "set")
        })
        .copied()
        .unwrap_or(first_line);
    let seg = split_shell(seg, true).first().copied().unwrap_or(seg);
    let mut out: Vec<String> = Vec::new();
    let mut words = seg.split_whitespace().peekable();
    // `VAR=x`, `sudo -u postgres`, `time`, `env`, `nohup` before the program.
    while let Some(w) = words.peek() {
        if (w.contains('=') && !w.starts_with('-'))
            || matches!(
                *w,
                "time" | "env" | "nohup" | "exec" | "command" | "builtin"
            )
        {
            words.next();
        } else if *w == "sudo" {
            words.next();
            while let Some(f) = words.peek() {
                if !f.starts_with('-') {
                    break;
                }
                let takes = matches!(*f, "-u" | "-g" | "-C" | "-D" | "-h" | "-p" | "-U");
                words.next();
                if takes {
                    words.next();
                }
            }
        } else {
            break;
        }
    }
    out.extend(words.map(str::to_string));
    out
}

/// The command a wrapper runs: `ssh host 'CMD'`, `bash -c 'CMD'`,
/// `npx CMD`; `None` for other commands.
fn wrapped(words: &[String]) -> Option<(String, String)> {
    let base = words.first()?.rsplit('/').next()?.to_string();
    let unquote = |s: String| s.trim_matches(|c| c == '\'' || c == '"').to_string();
    match base.as_str() {
        "npx" | "pnpx" | "bunx" => {
            let rest: Vec<&str> = words[1..]
                .iter()
                .map(String::as_str)
                .skip_while(|w| w.starts_with('-'))
                .collect();
            (!rest.is_empty()).then(|| (String::new(), rest.join(" ")))
        }
        "bash" | "sh" | "zsh" => {
            let i = words.iter().position(|w| w == "-c" || w == "-lc")?;
            Some((String::new(), unquote(words[i + 1..].join(" "))))
        }
        "ssh" => {
            // ssh [-flags [value]] host CMD…
            let mut i = 1;
            while i < words.len() && words[i].starts_with('-') {
                let takes = matches!(
                    words[i].as_str(),
                    "-i" | "-p" | "-o" | "-l" | "-J" | "-F" | "-L" | "-R" | "-D" | "-W"
                );
                i += if takes { 2 } else { 1 };
            }
            let rest = words.get(i + 1..).filter(|r| !r.is_empty())?;
            Some(("ssh ".to_string(), unquote(rest.join(" "))))
        }
        _ => None,
    }
}

/// The program a command runs, with its subcommand: `cargo build`,
/// `docker compose`, `git push`, `python -m pytest`, `pytest`.
pub fn program(command: &str) -> String {
    let words = core(command);
    if let Some((prefix, inner)) = wrapped(&words) {
        let p = program(&inner);
        if !p.is_empty() {
            return format!("{prefix}{p}");
        }
    }
    let Some(first) = words.first() else {
        return String::new();
    };
    let base = first.rsplit('/').next().unwrap_or(first).to_string();
    let mut key = vec![base.clone()];
    let mut rest = words[1..].iter();
    if matches!(
        base.as_str(),
        "python" | "python3" | "uv" | "poetry" | "pipx" | "bundle"
    ) {
        // `python -m pytest`, `uv run pytest`, `poetry run pytest`.
        while let Some(w) = rest.next() {
            if w == "-m" || w == "run" || w == "exec" {
                if let Some(m) = rest.next() {
                    key.push(w.clone());
                    key.push(m.clone());
                }
                return key.join(" ");
            }
            if !w.starts_with('-') {
                key.push(w.clone());
                return key.join(" ");
            }
        }
        return key.join(" ");
    }
    if !SUBCOMMANDS.contains(&base.trim_start_matches("./")) {
        return base;
    }
    let mut skip_value = false;
    for w in rest {
        if skip_value {
            skip_value = false;
            continue;
        }
        if w.starts_with('-') {
            // `git -C dir push`, `kubectl -n ns apply`: flags before the
            // subcommand, some with a value.
            skip_value = takes_value(w);
            continue;
        }
        let sub = w
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_')
            && w.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        if sub {
            key.push(w.clone());
            // Two-level commands: `docker compose up`, `kubectl rollout restart`.
            if matches!(
                (base.as_str(), w.as_str()),
                ("docker", "compose")
                    | ("kubectl", "rollout")
                    | ("kubectl", "config")
                    | ("helm", "repo")
                    | ("gh", "pr")
                    | ("gh", "run")
                    | (
                        "git",
                        "bisect" | "stash" | "remote" | "submodule" | "worktree" | "lfs"
                    )
                    | (
                        "docker" | "podman",
                        "buildx" | "image" | "network" | "volume" | "system"
                    )
                    | ("aws", _)
                    | ("gcloud", _)
                    | ("az", _)
            ) {
                continue;
            }
        }
        break;
    }
    // `docker compose up` and `aws s3 cp`: at most three words.
    key.truncate(3);
    key.join(" ")
}

/// Global flags that take a value before a subcommand (`git -C dir`,
/// `kubectl --context c -n ns`, `docker compose -f file`).
fn takes_value(flag: &str) -> bool {
    !flag.contains('=')
        && matches!(
            flag,
            "-C" | "-c"
                | "-n"
                | "--namespace"
                | "--context"
                | "-H"
                | "--host"
                | "--kubeconfig"
                | "--profile"
                | "--region"
                | "-p"
                | "--project"
                | "--git-dir"
                | "--work-tree"
                | "-f"
                | "--file"
                | "--filter"
                | "-F"
                | "-w"
                | "--workspace"
                | "-pl"
                | "--projects"
                | "--prefix"
                | "--cwd"
        )
}

/// Programs whose second word is a subcommand (`git push`, `make lint`);
/// for others the program alone is the key (`psql -h db` is `psql`).
const SUBCOMMANDS: &[&str] = &[
    "cargo",
    "rustup",
    "npm",
    "pnpm",
    "yarn",
    "bun",
    "deno",
    "git",
    "docker",
    "podman",
    "docker-compose",
    "kubectl",
    "oc",
    "helm",
    "terraform",
    "tofu",
    "go",
    "pip",
    "pip3",
    "poetry",
    "uv",
    "gh",
    "glab",
    "aws",
    "gcloud",
    "az",
    "systemctl",
    "apt",
    "apt-get",
    "brew",
    "dnf",
    "yum",
    "make",
    "just",
    "task",
    "dotnet",
    "mvn",
    "gradle",
    "gradlew",
    "bundle",
    "rake",
    "rails",
    "composer",
    "mix",
    "sbt",
    "conda",
    "nix",
    "sqlx",
    "alembic",
    "flyctl",
    "fly",
    "heroku",
    "vercel",
    "firebase",
    "ansible-galaxy",
    "minikube",
    "kind",
    "k3d",
    "vagrant",
    "packer",
    "pulumi",
    "serverless",
    "sls",
    "nvm",
    "corepack",
    "supabase",
];

/// Commands that only look (list, read, show status): never a fix or a
/// step that mattered. A compound command (`a && b`) looks only when every
/// part does (`cd`, `source`, `export` aside).
fn diagnostic(command: &str) -> bool {
    let line = command.lines().next().unwrap_or("");
    let parts: Vec<&str> = split_shell(command, false)
        .into_iter()
        .filter(|s| {
            let w = s.split_whitespace().next().unwrap_or("");
            !s.is_empty() && !matches!(w, "cd" | "export" | "source" | "." | "set" | "unset")
        })
        .collect();
    if parts.is_empty() {
        return !line.trim_start().starts_with("unset") && !line.trim_start().starts_with("export");
    }
    parts.iter().all(|p| looks_only(p))
}

/// [`diagnostic`] for one simple command (a pipeline counts by its first
/// part, unless it pipes into a shell or an interpreter, which runs what
/// it reads: `curl -s URL | sh` changes the machine).
fn looks_only(command: &str) -> bool {
    static RUNS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:/\S*/)?(?:sh|bash|zsh|dash|ksh|fish|python3?|perl|ruby|node|php|iex)\b",
        )
        .unwrap()
    });
    if RUNS.is_match(command) {
        return false;
    }
    let words = core(command);
    if let Some((_, inner)) = wrapped(&words) {
        return diagnostic(&inner);
    }
    let Some(first) = words.first() else {
        return true;
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    // The subcommand: the first word after the program that is not a flag
    // (nor a global flag's value: `kubectl --context staging -n ns get`).
    let (sub_at, sub) = {
        let mut i = 1;
        loop {
            match words.get(i).map(String::as_str) {
                Some(w) if w.starts_with('-') => {
                    let takes = takes_value(w);
                    i += if takes { 2 } else { 1 };
                }
                Some(w) => break (i, w),
                None => break (i, ""),
            }
        }
    };
    let next = |k: usize| words.get(sub_at + k).map(String::as_str);
    if words.iter().any(|w| {
        matches!(
            w.as_str(),
            "--version" | "-version" | "--help" | "-h" | "version" | "--status"
        )
    }) && words.len() <= 4
    {
        return true;
    }
    // Any tool's read-only subcommands (`nx show`, `brew info`, `mix help`).
    if (read_only_verb(sub)
        || matches!(
            sub,
            "log" | "help" | "doctor" | "whoami" | "outdated" | "search"
        ))
        && !matches!(
            base,
            "git" | "systemctl" | "docker" | "kubectl" | "terraform"
        )
    {
        return true;
    }
    // A read-only verb one level down (`gh auth status`, `docker compose
    // ps`, `gh release view`, `git stash list`).
    if !sub.is_empty()
        && sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && next(1).is_some_and(|w| read_only_verb(w) || matches!(w, "ps" | "top"))
    {
        return true;
    }
    // `tar tzvf x.tar.gz`, `tar --list`: a listing.
    if base == "tar"
        && words.get(1).is_some_and(|w| {
            w == "--list" || (!w.starts_with("--") && w.trim_start_matches('-').starts_with('t'))
        })
    {
        return true;
    }
    // Cloud CLIs nest their verbs: `gcloud run services describe`.
    if matches!(
        base,
        "gcloud" | "az" | "aws" | "gsutil" | "doctl" | "flyctl" | "heroku"
    ) && words.iter().take(6).any(|w| {
        matches!(
            w.as_str(),
            "describe" | "list" | "show" | "ls" | "get" | "status"
        ) || w.starts_with("get-")
            || w.starts_with("describe-")
            || w.starts_with("list-")
    }) {
        return true;
    }
    match base {
        "ls" | "ll" | "cat" | "less" | "more" | "head" | "tail" | "grep" | "rg" | "ag" | "find"
        | "fd" | "pwd" | "echo" | "printf" | "which" | "whereis" | "type" | "printenv" | "wc"
        | "file" | "stat" | "tree" | "du" | "df" | "ps" | "top" | "htop" | "uname" | "id"
        | "whoami" | "date" | "man" | "lsof" | "ss" | "netstat" | "free" | "journalctl" | "dig"
        | "nslookup" | "ping" | "history" | "diff" | "jq" | "yq" | "sleep" | "true" | "awk"
        | "sort" | "uniq" | "nproc" | "lscpu" | "hostname" | "readlink" | "realpath"
        | "basename" | "dirname" | "test" | "[" | "curl" | "getenforce" | "sestatus"
        | "getsebool" | "ausearch" | "groups" | "namei" | "lsblk" | "blkid" | "findmnt"
        | "host" | "ip" | "ifconfig" | "getent" | "pgrep" | "tput" | "locale" | "strings"
        | "nm" | "ldd" | "od" | "xxd" | "md5sum" | "sha256sum" | "cut" | "column" | "tr" => {
            base != "curl" || !curl_writes(&words)
        }
        "env" => words.len() == 1,
        "sed" => !words.iter().any(|w| w == "-i" || w.starts_with("-i")),
        "git" => {
            matches!(
                sub,
                "status"
                    | "log"
                    | "diff"
                    | "show"
                    | "branch"
                    | "remote"
                    | "rev-parse"
                    | "config"
                    | "ls-files"
                    | "blame"
                    | "reflog"
                    | "describe"
                    | "fetch"
            ) && !(sub == "config" && words.len() > 3)
                && !(sub == "branch" && words.len() > 2)
        }
        "kubectl" | "oc" => {
            matches!(
                sub,
                "get"
                    | "describe"
                    | "logs"
                    | "top"
                    | "explain"
                    | "api-resources"
                    | "version"
                    | "auth"
                    | "diff"
            ) || (sub == "rollout" && next(1).is_some_and(|w| matches!(w, "status" | "history")))
                || (sub == "config"
                    && words.get(2).is_some_and(|w| {
                        w.starts_with("get") || w == "view" || w == "current-context"
                    }))
        }
        "docker" | "podman" => matches!(
            sub,
            "ps" | "images" | "logs" | "inspect" | "info" | "version" | "stats"
        ),
        "systemctl" => matches!(
            sub,
            "status" | "is-active" | "is-enabled" | "list-units" | "cat"
        ),
        "terraform" => {
            matches!(
                sub,
                "show" | "output" | "state" | "version" | "providers" | "validate" | "fmt"
            ) && !(sub == "state"
                && words
                    .get(sub_at + 1)
                    .is_some_and(|w| w == "rm" || w == "mv"))
        }
        "npm" | "pnpm" | "yarn" => {
            matches!(sub, "ls" | "list" | "view" | "info" | "outdated" | "why")
                || (sub == "config"
                    && words
                        .get(2)
                        .is_some_and(|w| matches!(w.as_str(), "get" | "list" | "ls")))
        }
        "pip" | "pip3" => matches!(sub, "show" | "list" | "freeze" | "check"),
        "cargo" => matches!(sub, "tree" | "metadata" | "search"),
        // Build tools' reports: `mvn dependency:tree`, `gradle dependencies`.
        "mvn" | "mvnw" | "gradle" | "gradlew" => {
            let report = |w: &str| {
                w.ends_with(":tree")
                    || w.starts_with("help:")
                    || w.starts_with("versions:display")
                    || w == "dependency:analyze"
                    || w == "dependencies"
                    || w == "dependencyInsight"
                    || w.ends_with(":dependencies")
            };
            let builds = |w: &str| {
                matches!(
                    w,
                    "clean"
                        | "compile"
                        | "test"
                        | "package"
                        | "verify"
                        | "install"
                        | "deploy"
                        | "build"
                        | "assemble"
                        | "check"
                        | "publish"
                        | "run"
                ) || w.ends_with(":apply")
                    || w.ends_with(":run")
            };
            words.iter().any(|w| report(w)) && !words.iter().any(|w| builds(w))
        }
        "go" => {
            matches!(sub, "env" | "version" | "list")
                && !words.iter().any(|w| w == "-w" || w == "-u")
        }
        "helm" => matches!(
            sub,
            "list" | "ls" | "status" | "history" | "get" | "show" | "search"
        ),
        "aws" => words.iter().any(|w| {
            w.starts_with("describe") || w.starts_with("list") || w.starts_with("get") || w == "ls"
        }),
        _ => false,
    }
}

/// Verbs that only show, at any level of a command (`nx show`, `gh auth
/// status`, `docker compose logs`).
fn read_only_verb(w: &str) -> bool {
    matches!(
        w,
        "show" | "status" | "list" | "ls" | "info" | "describe" | "inspect" | "view" | "logs"
    )
}

fn curl_writes(words: &[String]) -> bool {
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "-o" | "-O" | "-X" | "--output" | "-d" | "--data"
        )
    })
}

/// Tools that only read.
fn reading_tool(tool: &str) -> bool {
    matches!(
        tool,
        "Read"
            | "Grep"
            | "Glob"
            | "LS"
            | "WebFetch"
            | "WebSearch"
            | "TodoWrite"
            | "TodoRead"
            | "read_file"
            | "list_dir"
            | "search"
            | "grep"
            | "view"
            | "Task"
            | "NotebookRead"
    )
}

/// An action that changed something and worked: a fix or a step.
fn changed_something(a: &Action) -> bool {
    if a.failed || a.result_turn.is_none() || reading_tool(&a.tool) {
        return false;
    }
    match (&a.command, &a.edit) {
        (Some(c), _) => !diagnostic(c),
        (None, Some(e)) => !e.added.is_empty(),
        _ => false,
    }
}

/// How a step is quoted in advice.
fn step_text(a: &Action) -> String {
    match (&a.command, &a.edit) {
        (Some(c), _) => format!("run {}", cmd(c)),
        (None, Some(e)) => {
            // The three lines that say most, in their order: comments,
            // shebangs, section headers and lone brackets only when
            // nothing else was added.
            let mut picked: Vec<usize> = (0..e.added.len())
                .filter(|&k| !says_little(&e.added[k]))
                .take(3)
                .collect();
            picked.extend(
                (0..e.added.len())
                    .filter(|k| !picked.contains(k) && !e.added[*k].trim().is_empty())
                    .take(3usize.saturating_sub(picked.len()))
                    .collect::<Vec<_>>(),
            );
            picked.sort_unstable();
            let lines: Vec<String> = picked
                .iter()
                .map(|&k| tick(&clip(&e.added[k], 120)))
                .collect();
            if lines.is_empty() {
                format!("edit `{}`", tick(&e.path))
            } else {
                format!(
                    "set `{}` in `{}`",
                    lines.join("` / `"),
                    tick(&short_path(&e.path))
                )
            }
        }
        _ => String::new(),
    }
}

/// An added line that says little about what the edit does: a comment,
/// a shebang, a section header (`[Unit]`), a lone bracket, `set -e…`.
fn says_little(line: &str) -> bool {
    let t = line.trim();
    let inner = t.trim_matches(|c: char| "{}[]()<>,;:".contains(c) || c.is_whitespace());
    t.starts_with('#')
        || t.starts_with("//")
        || t.starts_with("/*")
        || t.starts_with("* ")
        || t.starts_with("<!--")
        || (t.starts_with('[') && t.ends_with(']') && !t.contains(' '))
        || inner.chars().filter(|c| c.is_alphanumeric()).count() < 2
        || t.starts_with("set -")
        || xml_tag_only(t)
}

/// `<dependency>`, `</exclusions>`, `<br/>`: a tag and nothing else.
fn xml_tag_only(t: &str) -> bool {
    t.starts_with('<')
        && t.ends_with('>')
        && t.matches('<').count() == 1
        && t[1..t.len() - 1]
            .trim_matches('/')
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

fn step_quote(a: &Action) -> Quote {
    match (&a.command, &a.edit) {
        (Some(c), _) => Quote {
            turn: a.call_turn,
            what: "command",
            text: clip(c.trim(), 200),
        },
        (_, Some(e)) => Quote {
            turn: a.call_turn,
            what: "edit",
            text: clip(
                &format!(
                    "{}: {}",
                    e.path,
                    e.added.first().map(String::as_str).unwrap_or("")
                ),
                240,
            ),
        },
        _ => Quote {
            turn: a.call_turn,
            what: "command",
            text: a.tool.clone(),
        },
    }
}

/// The last two components of a path (`src/config.rs`, not the whole home).
fn short_path(p: &str) -> String {
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    if parts.len() <= 2 {
        return p.to_string();
    }
    parts[parts.len() - 2..].join("/")
}

/// The words of an error line that say what went wrong (paths, numbers
/// and hashes dropped), to tell one failure from another.
fn error_words(line: &str) -> std::collections::BTreeSet<String> {
    line.split(|c: char| !c.is_alphanumeric() && c != '_' && c != '-')
        .map(str::to_lowercase)
        .filter(|w| w.len() > 2 && !w.chars().any(|c| c.is_ascii_digit()))
        .collect()
}

fn similar(a: &std::collections::BTreeSet<String>, b: &std::collections::BTreeSet<String>) -> bool {
    if a.is_empty() || b.is_empty() {
        return a.is_empty() && b.is_empty();
    }
    let inter = a.intersection(b).count() as f32;
    let union = a.union(b).count() as f32;
    inter / union >= 0.5
}

/// Requests that carry on the task before them ("try again", "yes, do
/// that") rather than start a new one.
fn continues(text: &str) -> bool {
    let low = text.trim().to_lowercase();
    let words = low.split_whitespace().count();
    words < 6
        || [
            "try ", "retry", "again", "still ", "it still", "yes", "ok ", "okay", "go ahead",
            "continue", "that ", "now ", "same ",
        ]
        .iter()
        .any(|p| low.starts_with(p))
}

/// One episode: a request and the events up to the next new request.
struct Episode<'a> {
    request: Option<(usize, &'a str)>,
    events: Vec<&'a Event>,
}

fn episodes(t: &Transcript) -> Vec<Episode<'_>> {
    let mut out: Vec<Episode> = vec![Episode {
        request: None,
        events: Vec::new(),
    }];
    for e in &t.events {
        // The user answers the agent (it asked, or its last step failed):
        // the same task goes on.
        let open = out.last().is_some_and(|x| {
            let asked = x.events.iter().rev().find_map(|e| match e {
                Event::Say { text, .. } => Some(text.trim_end().ends_with('?')),
                Event::Act(_) => Some(false),
                _ => None,
            });
            let failing = x.events.iter().rev().find_map(|e| match e {
                Event::Act(a) if a.command.is_some() => Some(a.failed),
                _ => None,
            });
            asked == Some(true) || failing == Some(true)
        });
        if let Event::Request { turn, text } = e
            && (out
                .last()
                .is_some_and(|x| x.request.is_none() && x.events.is_empty())
                || !(continues(text) || open))
        {
            if out
                .last()
                .is_some_and(|x| x.request.is_none() && x.events.is_empty())
            {
                out.pop();
            }
            out.push(Episode {
                request: Some((*turn, text.as_str())),
                events: Vec::new(),
            });
            continue;
        }
        out.last_mut().unwrap().events.push(e);
    }
    out.retain(|e| !e.events.is_empty());
    out
}

/// The first sentence of a request, as a task.
fn task_of(text: &str) -> String {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let end = first
        .char_indices()
        .find(|(i, c)| matches!(c, '.' | '?' | '!') && first[i + 1..].starts_with(' '))
        .map_or(first.len(), |(i, _)| i);
    clip(first[..end].trim_end_matches(['.', '?', '!', ' ']), 160)
}

/// Every lesson in a transcript, in turn order.
pub fn extract(t: &Transcript) -> Vec<Lesson> {
    let mut out = Vec::new();
    for ep in episodes(t) {
        let acts: Vec<&Action> = ep
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Act(a) => Some(a),
                _ => None,
            })
            .collect();
        let task = ep.request.map(|(_, r)| task_of(r));
        let before = out.len();
        // Actions a recovery lesson already accounts for (attempts, fixes,
        // the command that worked).
        let mut used = vec![false; acts.len()];
        // Failures already part of a lesson (its attempts).
        let mut taken = vec![false; acts.len()];
        for i in 0..acts.len() {
            if taken[i] || !acts[i].failed || !real_failure(acts[i]) {
                continue;
            }
            let Some(c) = acts[i].command.as_deref() else {
                continue;
            };
            if diagnostic(c) || keys(c).is_empty() {
                continue;
            }
            if let Some(l) = recovery(&acts, i, task.as_deref(), &mut used, &mut taken) {
                out.push(l);
            }
        }
        // Failures seen through a status check (`kubectl get pods` showing
        // CrashLoopBackOff, `curl` getting a 502) fixed before the same
        // check shows the good state.
        for i in 0..acts.len() {
            if used[i] || taken[i] {
                continue;
            }
            if let Some(l) = observed(&acts, i, task.as_deref(), &mut used) {
                out.push(l);
            }
        }
        // An episode that was mostly repairs (two failures fixed or more)
        // is not a procedure to keep.
        let repairs = out.len() - before;
        if let Some((rturn, req)) = ep.request
            && let Some(l) = strategy(&acts, rturn, req, &used, repairs)
        {
            out.push(l);
        }
    }
    out.sort_by_key(|l| l.turns.first().copied().unwrap_or(0));
    out
}

/// A failure worth a lesson: its output says what went wrong, or a
/// program that reports errors by its exit status failed with some output
/// (a `grep` or `test` that answers no is not a failure).
fn real_failure(a: &Action) -> bool {
    if telling(&a.output) {
        return true;
    }
    let words = a.command.as_deref().map(core).unwrap_or_default();
    let answers = words.first().is_some_and(|w| {
        matches!(
            w.rsplit('/').next().unwrap_or(w),
            "grep"
                | "egrep"
                | "fgrep"
                | "rg"
                | "ag"
                | "test"
                | "["
                | "[["
                | "diff"
                | "cmp"
                | "pgrep"
                | "which"
                | "command"
                | "type"
                | "false"
                | "curl"
                | "wc"
        )
    }) || a
        .command
        .as_deref()
        .is_some_and(|c| c.contains("| grep") || c.contains("|grep"));
    let said = a
        .output
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.starts_with("Exit code ") && l.chars().filter(|c| c.is_alphabetic()).count() >= 8
        })
        .count();
    !answers && said > 0
}

/// Commands that check a state (a service, a pod, an endpoint) and exit 0
/// whatever they find.
fn state_check(command: &str) -> bool {
    split_shell(command, false)
        .iter()
        .any(|seg| state_check_one(seg))
}

fn state_check_one(command: &str) -> bool {
    let w = core(command);
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    // A tool's own check, named so (`gitlab-rake gitlab:ldap:check`,
    // `brew doctor`, `nginx -t` aside): it reports problems in its output.
    let named_check = s.iter().skip(1).take(3).any(|x| {
        let verb = x.trim_start_matches('-').rsplit(':').next().unwrap_or("");
        matches!(
            verb,
            "check" | "doctor" | "healthcheck" | "health" | "verify" | "validate"
        )
    });
    named_check
        || matches!(
            s.as_slice(),
            ["kubectl" | "oc", ..]
                | ["systemctl", "status" | "is-active" | "is-failed", ..]
                | ["curl" | "wget" | "http" | "httpie", ..]
                | ["docker" | "podman", "ps" | "inspect", ..]
                | ["docker" | "podman", "compose", "ps", ..]
                | ["helm", "status", ..]
                | ["gh", "run", ..]
                | ["pg_isready", ..]
                | ["service", _, "status", ..]
        ) && (!s.first().is_some_and(|f| *f == "kubectl" || *f == "oc")
            || s.iter()
                .any(|x| matches!(*x, "get" | "describe" | "status" | "rollout")))
}

/// What a state check printed says something is wrong: an error line, a
/// failed state, or an HTTP error status.
fn check_failed(output: &str) -> bool {
    telling(output)
        || output.lines().any(|l| {
            let t = l.trim();
            (t.len() == 3
                && (t.starts_with('4') || t.starts_with('5'))
                && t.chars().all(|c| c.is_ascii_digit()))
                || [
                    "HTTP/1.1 5",
                    "HTTP/2 5",
                    "HTTP/1.1 4",
                    "HTTP/2 4",
                    "inactive (dead)",
                    "NotReady",
                    "Evicted",
                    "Pending",
                ]
                .iter()
                .any(|p| t.contains(p))
        })
}

/// Token overlap of two commands (numbers and hashes aside).
fn same_check(a: &str, b: &str) -> bool {
    let toks = |c: &str| -> std::collections::BTreeSet<String> {
        c.split_whitespace()
            .filter(|w| !w.chars().any(|ch| ch.is_ascii_digit()) || w.len() < 4)
            .map(str::to_string)
            .collect()
    };
    let (x, y) = (toks(a), toks(b));
    let inter = x.intersection(&y).count() as f32;
    let union = x.union(&y).count() as f32;
    union > 0.0 && inter / union >= 0.6
}

/// Error lines that diagnostics between `from` and `to` printed (a log,
/// `kubectl describe`, `systemctl status`): at most two lines from each of
/// at most two of them, quoted into `evidence`; returns them quoted.
fn clues(acts: &[&Action], from: usize, to: usize, evidence: &mut Vec<Quote>) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = 0;
    for a in acts.iter().take(to).skip(from) {
        if seen >= 2 {
            break;
        }
        let looks = a.command.as_deref().is_some_and(diagnostic) || reading_tool(&a.tool);
        if !looks || a.result_turn.is_none() || !telling(&a.output) {
            continue;
        }
        seen += 1;
        for e in error_lines(&a.output, 2) {
            if out.iter().any(|x: &String| x.contains(e.as_str())) {
                continue;
            }
            evidence.push(Quote {
                turn: a.result_turn.unwrap_or(a.call_turn),
                what: "error",
                text: e.clone(),
            });
            out.push(format!("`{}`", tick(&e)));
        }
    }
    out
}

/// The failing command and its error lines, quoted at their turns.
fn failure_quotes(first: &Action, command: &str, errs: &[String]) -> Vec<Quote> {
    let mut v = vec![Quote {
        turn: first.call_turn,
        what: "command",
        text: clip(command.trim(), 200),
    }];
    v.extend(errs.iter().map(|e| Quote {
        turn: first.result_turn.unwrap_or(first.call_turn),
        what: "error",
        text: e.clone(),
    }));
    v
}

/// Error lines as a trigger shows them, with what the looks found.
fn shown_errors(errs: &[String], found: &[String]) -> String {
    let shown = errs
        .iter()
        .map(|e| format!("`{}`", tick(e)))
        .collect::<Vec<_>>()
        .join(" / ");
    if found.is_empty() {
        shown
    } else {
        format!("{shown} (seen: {})", found.join(" / "))
    }
}

/// Sorts the evidence by turn; the turns it cites, once each.
fn turns_of(evidence: &mut [Quote]) -> Vec<usize> {
    evidence.sort_by_key(|q| q.turn);
    let mut turns: Vec<usize> = evidence.iter().map(|q| q.turn).collect();
    turns.dedup();
    turns
}

/// A failure seen through the state check `acts[i]`, the steps that
/// changed something after it, and the same check later showing no
/// failure: a recovery lesson.
fn observed(acts: &[&Action], i: usize, task: Option<&str>, used: &mut [bool]) -> Option<Lesson> {
    let first = acts[i];
    let c = first.command.as_deref()?;
    if first.failed
        || first.result_turn.is_none()
        || !state_check(c)
        || !check_failed(&first.output)
    {
        return None;
    }
    let errs = error_lines(&first.output, 4);
    let j = (i + 1..acts.len()).find(|&j| {
        let a = acts[j];
        a.command
            .as_deref()
            .is_some_and(|d| state_check(d) && same_check(c, d))
            && a.result_turn.is_some()
            && !a.failed
            && !check_failed(&a.output)
    })?;
    // The same check failing again in between: the attempts before it
    // did not fix it; the fix is what ran after the last failing check.
    let last_bad = (i..j)
        .rev()
        .find(|&k| {
            acts[k].command.as_deref().is_some_and(|d| {
                state_check(d) && same_check(c, d) && check_failed(&acts[k].output)
            })
        })
        .unwrap_or(i);
    let fixes: Vec<usize> = (last_bad + 1..j)
        .filter(|&k| changed_something(acts[k]))
        .collect();
    if fixes.is_empty() {
        return None;
    }
    let check = acts[j];
    let mut clue_quotes = Vec::new();
    let found = clues(acts, i + 1, fixes[0], &mut clue_quotes);
    let mut evidence = failure_quotes(first, c, &errs);
    evidence.extend(clue_quotes);
    evidence.extend(fixes.iter().map(|&k| step_quote(acts[k])));
    evidence.push(step_quote(check));
    let turns = turns_of(&mut evidence);
    for &k in &fixes {
        used[k] = true;
    }
    used[i] = true;
    used[j] = true;
    let shown = shown_errors(&errs, &found);
    let steps: Vec<String> = fixes.iter().map(|&k| step_text(acts[k])).collect();
    Some(Lesson {
        kind: "recovery",
        trigger: format!("{} shows {shown}", cmd(c)),
        advice: format!(
            "{}, then {} shows it healthy",
            steps.join(", then "),
            cmd(check.command.as_deref().unwrap_or(""))
        ),
        program: program(c),
        task: task.map(str::to_string),
        turns,
        evidence,
    })
}

/// The program keys of every segment of a command (`a && b; c`).
fn keys(command: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for seg in split_shell(command, false) {
        if looks_only(seg) {
            continue;
        }
        let k = program(seg);
        let first = k.split_whitespace().next().unwrap_or("");
        if k.is_empty()
            || matches!(
                first,
                "cd" | "export" | "source" | "." | "set" | "echo" | "true"
            )
        {
            continue;
        }
        if !v.contains(&k) {
            v.push(k);
        }
    }
    v
}

/// Whether `b` runs a program `a` ran (the same program and subcommand in
/// any segment).
fn same_program(a: &str, b: &str) -> bool {
    let kb = keys(b);
    keys(a).iter().any(|k| kb.contains(k))
}

/// Whether `acts[k]` takes back a step made since the failure at `i`: a
/// `git restore`/`checkout --`/`revert`/`reset --hard`, or an `rm` of
/// something a step since `i` made or changed (`rm -rf node_modules` of a
/// clean reinstall takes back nothing).
fn takes_back(acts: &[&Action], i: usize, k: usize) -> bool {
    let Some(c) = acts[k].command.as_deref() else {
        return false;
    };
    if !undoes(c) {
        return false;
    }
    let w = core(c);
    if !matches!(w.first().map(String::as_str), Some("rm" | "rmi")) {
        return true;
    }
    let targets: Vec<&str> = w
        .iter()
        .skip(1)
        .filter(|x| !x.starts_with('-'))
        .map(|x| x.trim_end_matches('/'))
        .collect();
    (i + 1..k).any(|m| {
        let a = acts[m];
        targets.iter().any(|t| {
            a.edit.as_ref().is_some_and(|e| e.path.ends_with(t))
                || a.command
                    .as_deref()
                    .is_some_and(|d| !undoes(d) && d.contains(t))
        })
    })
}

/// Commands that take back what an earlier step did.
fn undoes(command: &str) -> bool {
    let w = core(command);
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    matches!(
        s.as_slice(),
        ["rm" | "rmi", ..]
            | ["docker" | "podman", "rmi", ..]
            | ["docker" | "podman", "image", "rm", ..]
            | ["git", "restore", ..]
            | ["git", "revert", ..]
            | ["git", "reset", "--hard", ..]
            | ["git", "checkout", "--", ..]
    ) || (s.first() == Some(&"git")
        && s.get(1) == Some(&"checkout")
        && s.iter().any(|x| x.contains('.')))
        || (command.contains("git mv") && command.contains("git checkout"))
}

/// The failure at `acts[i]` and what made the same program succeed later:
/// a recovery lesson, or an optimisation lesson when it took a detour
/// (several attempts, or a success that was undone).
fn recovery(
    acts: &[&Action],
    i: usize,
    task: Option<&str>,
    used: &mut [bool],
    taken: &mut [bool],
) -> Option<Lesson> {
    let first = acts[i];
    let first_cmd = first.command.as_deref()?;
    let errs = error_lines(&first.output, 4);
    let sig: std::collections::BTreeSet<String> =
        errs.iter().flat_map(|e| error_words(e)).collect();
    let signature = |a: &Action| -> std::collections::BTreeSet<String> {
        error_lines(&a.output, 4)
            .iter()
            .flat_map(|e| error_words(e))
            .collect()
    };
    // Attempts at this failure (same program), detours (a success later
    // undone), and the run that worked.
    let mut attempts = vec![i];
    let mut detours: Vec<usize> = Vec::new();
    let mut worked = None;
    let mut j = i + 1;
    while j < acts.len() {
        let a = acts[j];
        let Some(c) = a.command.as_deref() else {
            j += 1;
            continue;
        };
        if !same_program(first_cmd, c) {
            j += 1;
            continue;
        }
        // A run that exits 0 but still prints the first failure's error
        // (`./gradlew build 2>&1 | grep 'requires Java'` finding it) failed
        // again.
        let still = !a.failed && errs.iter().any(|e| shows_line(&a.output, e));
        if a.failed || still {
            // A new error after several attempts, with a step undone on
            // the way (a rename taken back), is the same detour going on;
            // without one, what ran in between got past the first error.
            if similar(&signature(a), &sig)
                || still
                || attempts.len() > 1 && (i + 1..j).any(|k| takes_back(acts, i, k))
            {
                attempts.push(j);
            } else {
                // Another error: the first one is behind. What ran between
                // fixed it, unless this chain keeps failing (a detour).
                let more = acts[j + 1..]
                    .iter()
                    .filter(|x| {
                        x.command
                            .as_deref()
                            .is_some_and(|xc| same_program(first_cmd, xc))
                    })
                    .take_while(|x| x.failed)
                    .count();
                if more == 0 {
                    worked = Some(j);
                    break;
                }
                attempts.push(j);
            }
            j += 1;
            continue;
        }
        if a.result_turn.is_none() {
            j += 1;
            continue;
        }
        // Another job of the same program (`redis-cli -h H cluster nodes`
        // after `redis-cli --cluster add-node A B` failed) working says
        // nothing about the failure: keep looking for the run that does
        // the failed job again.
        let last_attempt = acts[*attempts.last().unwrap_or(&i)]
            .command
            .as_deref()
            .unwrap_or(first_cmd);
        if args_contained(last_attempt, c) < 0.2 {
            j += 1;
            continue;
        }
        // A success later undone, with the program run again: a detour.
        let undone_then_again = acts[j + 1..]
            .iter()
            .position(|x| x.command.as_deref().is_some_and(undoes))
            .is_some_and(|u| {
                acts[j + 1 + u + 1..].iter().any(|x| {
                    x.command.as_deref().is_some_and(|xc| {
                        same_program(first_cmd, xc) && norm_cmd(xc) != norm_cmd(c)
                    })
                })
            });
        if undone_then_again {
            detours.push(j);
            j += 1;
            continue;
        }
        worked = Some(j);
        break;
    }
    // No second run: a failed operation may be finished by `--continue`.
    if worked.is_none() {
        worked = acts[i + 1..]
            .iter()
            .position(|a| {
                !a.failed
                    && a.result_turn.is_some()
                    && a.command
                        .as_deref()
                        .is_some_and(|c| c.contains("--continue"))
            })
            .map(|p| i + 1 + p);
    }
    let s = worked?;
    let worked_a = acts[s];
    let worked_cmd = worked_a.command.as_deref().unwrap_or("");
    let last_fail = *attempts.last().unwrap_or(&i);
    let in_chain = |k: usize| attempts.contains(&k) || detours.contains(&k);
    // The fix: what changed something between the first failure and the
    // run that worked — other programs' runs (a failed one too: it moved
    // things on), file edits — but not the attempts, the detours, what
    // undid them, or anything before the last attempt that was undone.
    let undo_at = (i + 1..s)
        .rev()
        .find(|&k| acts[k].command.as_deref().is_some_and(undoes));
    let from = match undo_at {
        Some(u) if !detours.is_empty() || attempts.len() > 1 => u + 1,
        _ => i + 1,
    };
    let fixes: Vec<&Action> = (from..s)
        .filter(|&k| !in_chain(k))
        .map(|k| acts[k])
        .filter(|a| {
            let counts = if a.failed {
                a.result_turn.is_some()
                    && a.command
                        .as_deref()
                        .is_some_and(|c| !diagnostic(c) && !same_program(first_cmd, c))
            } else {
                changed_something(a)
            };
            // What undid a detour is not advice; a plain `rm` of a
            // stale file is.
            let detoured = !detours.is_empty() || attempts.len() > 1;
            counts && !(detoured && a.command.as_deref().is_some_and(undoes))
        })
        .collect();
    let last_cmd = acts[last_fail].command.as_deref().unwrap_or("");
    let changed_cmd = norm_cmd(worked_cmd) != norm_cmd(last_cmd);
    if fixes.is_empty() && !changed_cmd {
        // The same command again worked: a flake, nothing learned.
        return None;
    }
    // A changed command is a variant of the one that failed (a flag, an
    // env var, a wrapper added), not another job of the same program
    // (`redis-cli cluster nodes` after `redis-cli --cluster add-node`).
    if changed_cmd && contained(last_cmd, worked_cmd) < 0.2 {
        return None;
    }
    for k in attempts.iter().chain(&detours).copied() {
        used[k] = true;
        taken[k] = true;
    }
    used[s] = true;
    for k in from..s {
        if fixes.iter().any(|f| std::ptr::eq(*f, acts[k])) {
            used[k] = true;
        }
    }
    let mut variants: Vec<&str> = Vec::new();
    for &k in attempts.iter().chain(&detours) {
        let c = acts[k].command.as_deref().unwrap_or("");
        if !variants.iter().any(|x| norm_cmd(x) == norm_cmd(c)) {
            variants.push(c);
        }
    }
    let optimisation = variants.len() >= 2 || !detours.is_empty() || attempts.len() >= 3;
    let mut advice: Vec<String> = fixes.iter().map(|a| step_text(a)).collect();
    let then = match (changed_cmd, worked_a.failed) {
        (true, _) => format!("run {} instead", cmd(worked_cmd)),
        (false, false) => format!("then {} succeeds", cmd(worked_cmd)),
        (false, true) => format!("then {} gets past this error", cmd(worked_cmd)),
    };
    let advice_text = if changed_cmd {
        advice.push(then);
        advice.join(", then ")
    } else {
        format!("{}, {then}", advice.join(", then "))
    };
    let mut evidence = failure_quotes(first, first_cmd, &errs);
    for &k in attempts.iter().skip(1).chain(&detours) {
        evidence.push(step_quote(acts[k]));
        if acts[k].failed
            && let Some(e) = error_line(&acts[k].output)
        {
            evidence.push(Quote {
                turn: acts[k].result_turn.unwrap_or(acts[k].call_turn),
                what: "error",
                text: e,
            });
        }
    }
    evidence.extend(fixes.iter().map(|a| step_quote(a)));
    evidence.push(step_quote(worked_a));
    // What the look around the failure found (a log, `describe`, `status`).
    let first_fix = fixes
        .first()
        .and_then(|f| (i + 1..s).find(|&k| std::ptr::eq(acts[k], *f)))
        .unwrap_or(s);
    let found = clues(acts, i + 1, first_fix, &mut evidence);
    let turns = turns_of(&mut evidence);
    let shown_err = shown_errors(&errs, &found);
    let key = keys(first_cmd).last().cloned().unwrap_or_default();
    if optimisation {
        let tried: Vec<String> = variants.iter().map(|c| cmd(c)).collect();
        let later: Vec<String> = attempts
            .iter()
            .skip(1)
            .filter_map(|&k| error_line(&acts[k].output))
            .filter(|e| !errs.contains(e))
            .map(|e| format!("`{}`", tick(&e)))
            .collect();
        let mut trigger = String::new();
        if let Some(t) = task {
            trigger.push_str(&format!("{t}: "));
        }
        trigger.push_str(&format!("{} fails with {shown_err}", cmd(first_cmd)));
        if !later.is_empty() {
            trigger.push_str(&format!(", then {}", later.join(" / ")));
        }
        trigger.push_str(&format!(" (tried {})", tried.join(", ")));
        Some(Lesson {
            kind: "optimisation",
            trigger,
            advice: format!("go straight to this: {advice_text}"),
            program: key,
            task: task.map(str::to_string),
            turns,
            evidence,
        })
    } else {
        Some(Lesson {
            kind: "recovery",
            trigger: format!("{} fails with {shown_err}", cmd(first_cmd)),
            advice: advice_text,
            program: key,
            task: task.map(str::to_string),
            turns,
            evidence,
        })
    }
}

/// The share of `a`'s words (shell operators and redirections aside) that
/// `b` has too.
fn contained(a: &str, b: &str) -> f32 {
    let words = |c: &str| -> Vec<String> {
        c.split_whitespace()
            .filter(|w| {
                !matches!(
                    *w,
                    "&&" | "||" | "|" | ";" | "2>&1" | ">/dev/null" | "2>/dev/null" | "cd"
                )
            })
            .map(|w| w.trim_end_matches(';').to_string())
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() {
        return 1.0;
    }
    wa.iter().filter(|w| wb.contains(w)).count() as f32 / wa.len() as f32
}

/// Whether `output` has the error line `line` (clipped lines by their
/// first 60 characters).
fn shows_line(output: &str, line: &str) -> bool {
    let head: String = line.trim_end_matches('…').chars().take(60).collect();
    telling(line)
        && head.chars().filter(|c| c.is_alphanumeric()).count() >= 8
        && output.lines().any(|l| l.contains(head.as_str()))
}

/// [`contained`] over what each command asks of `a`'s programs (their
/// subcommands, flags and arguments; wrappers, `VAR=` and other programs'
/// segments aside): the share of what the failed run asked that `b` asks
/// too.
fn args_contained(a: &str, b: &str) -> f32 {
    let programs = keys(a);
    let args = |c: &str| -> String {
        split_shell(c, false)
            .into_iter()
            .filter(|seg| programs.contains(&program(seg)))
            .map(|seg| core(seg).into_iter().skip(1).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" ")
    };
    contained(&args(a), &args(b))
}

fn norm_cmd(c: &str) -> String {
    c.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words of a request that ask for a procedure.
const PROCEDURE: &[&str] = &[
    "release",
    "deploy",
    "publish",
    "set up",
    "setup",
    "bootstrap",
    "migrate",
    "migration",
    "rotate",
    "upgrade",
    "bump",
    "roll out",
    "rollout",
    "roll back",
    "rollback",
    "provision",
    "backup",
    "back up",
    "restore",
    "cut a",
    "tag",
    "ship",
    "install",
    "configure",
    "onboard",
    "renew",
    "promote",
    "seed",
    "initialize",
    "initialise",
    "scaffold",
    "switch",
    "convert",
    "bisect",
    "find which",
    "round-trip",
];

/// A procedure the episode carried out: the steps that changed something
/// and that no recovery lesson accounts for, when the request asked for a
/// procedure and the last step worked.
fn strategy(
    acts: &[&Action],
    rturn: usize,
    request: &str,
    used: &[bool],
    repairs: usize,
) -> Option<Lesson> {
    let low = request.to_lowercase();
    // A request to repair something is not a procedure to keep.
    let words: Vec<&str> = low
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words
        .iter()
        .any(|w| matches!(*w, "fix" | "repair" | "broken" | "debug" | "unbreak"))
    {
        return None;
    }
    // A problem to look into, unless a procedure is named.
    let phrased = [
        "broke",
        "isn't",
        "doesn't",
        "not working",
        "can't",
        "won't",
        "sort it",
        "figure out",
    ]
    .iter()
    .any(|p| low.contains(p));
    let problem = phrased
        || words.iter().any(|w| {
            matches!(
                *w,
                "fails"
                    | "failing"
                    | "failed"
                    | "stopped"
                    | "error"
                    | "errors"
                    | "crash"
                    | "crashing"
                    | "why"
                    | "look"
                    | "investigate"
                    | "slow"
                    | "stuck"
            )
        });
    let mut uniq: Vec<&Action> = Vec::new();
    let mut own = 0;
    for (k, a) in acts.iter().enumerate() {
        if !changed_something(a) {
            continue;
        }
        let c = a.command.as_deref().map(norm_cmd);
        if c.is_some() && uniq.iter().any(|u| u.command.as_deref().map(norm_cmd) == c) {
            continue;
        }
        if !used[k] {
            own += 1;
        }
        uniq.push(a);
    }
    // Mostly fixes of failures: a repair, not a procedure. A procedure
    // asked for by name needs fewer steps of its own than any task.
    let named = PROCEDURE.iter().any(|p| {
        low.match_indices(p).any(|(i, _)| {
            let before = low[..i].chars().next_back();
            before.is_none_or(|c| !c.is_alphanumeric())
        })
    });
    if problem && !named {
        return None;
    }
    let need = if named { 2 } else { 4 } + repairs.saturating_sub(1);
    if own < need || uniq.iter().filter(|a| a.command.is_some()).count() < 3 {
        return None;
    }
    // The episode ended well: its last command that did something worked.
    if acts
        .iter()
        .rev()
        .find(|a| a.command.as_deref().is_some_and(|c| !diagnostic(c)))
        .is_some_and(|a| a.failed)
    {
        return None;
    }
    // A long procedure keeps its first and its last steps: how it starts
    // and what it ends with (the tag, the upload, the deploy).
    if uniq.len() > 10 {
        uniq.drain(5..uniq.len() - 5);
    }
    let advice = uniq
        .iter()
        .map(|a| match (&a.command, &a.edit) {
            (Some(c), _) => cmd(c),
            (None, Some(_)) => step_text(a),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", then ");
    let trigger = clip(
        &request.split_whitespace().collect::<Vec<_>>().join(" "),
        300,
    );
    let mut evidence = vec![Quote {
        turn: rturn,
        what: "request",
        text: trigger.clone(),
    }];
    evidence.extend(uniq.iter().map(|a| step_quote(a)));
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for a in &uniq {
        if let Some(c) = &a.command {
            let p = program(c);
            let tool = p.split_whitespace().next().unwrap_or("").to_string();
            *counts.entry(tool).or_default() += 1;
        }
    }
    let program = counts
        .iter()
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse((*k).clone())))
        .map(|(k, _)| k.clone())
        .unwrap_or_default();
    let turns = evidence.iter().map(|q| q.turn).collect();
    Some(Lesson {
        kind: "strategy",
        trigger,
        advice: format!("steps: {advice}"),
        program,
        task: Some(task_of(request)),
        turns,
        evidence,
    })
}

/// What [`learn_file`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub lessons: usize,
    pub added: usize,
    pub confirmed: usize,
    pub contradicts: usize,
    pub noop: usize,
    /// Lessons whose quotes were not found verbatim at their turns (dropped).
    pub unsupported: usize,
}

impl Summary {
    pub fn count(&mut self, outcomes: &[store::Outcome]) {
        for o in outcomes {
            match o.op {
                "added" | "would-add" => self.added += 1,
                "confirmed" => self.confirmed += 1,
                "contradicts" => {
                    self.added += 1;
                    self.contradicts += 1
                }
                _ => self.noop += 1,
            }
        }
    }
}

/// Learns one transcript (`bytes`, read from `shown`) into the tree:
/// parse, extract, keep the lessons whose quotes are verbatim, store.
pub fn learn_bytes(
    tree: &crate::tree::Tree,
    bytes: &[u8],
    name: &str,
    source: &str,
    dry_run: bool,
    sum: &mut Summary,
) -> anyhow::Result<Vec<store::Outcome>> {
    let t = transcript::parse(bytes, name)?;
    let mut lessons = extract(&t);
    let before = lessons.len();
    lessons.retain(|l| verify(&t, l).is_empty());
    sum.unsupported += before - lessons.len();
    sum.files += 1;
    sum.lessons += lessons.len();
    // Secrets go before anything is printed or written (the write path
    // redacts again; this keeps the report and the file alike).
    for l in lessons.iter_mut() {
        l.redact();
    }
    let outcomes = store::store(tree, &t, source, lessons, dry_run)?;
    sum.count(&outcomes);
    Ok(outcomes)
}

/// The quotes of `lesson` that are not verbatim in the transcript at the
/// turn they cite (should be none).
pub fn verify(t: &Transcript, lesson: &Lesson) -> Vec<Quote> {
    let strip = |s: &str| s.trim_end_matches('…').to_string();
    lesson
        .evidence
        .iter()
        .filter(|q| {
            let needle = strip(&q.text);
            let found = t.events.iter().any(|e| match e {
                Event::Request { turn, text } => *turn == q.turn && text.contains(needle.as_str()),
                Event::Say { .. } => false,
                Event::Act(a) => match q.what {
                    "error" => {
                        a.result_turn == Some(q.turn)
                            && needle.split(" … ").all(|part| a.output.contains(part))
                    }
                    "command" => {
                        a.call_turn == q.turn
                            && a.command
                                .as_deref()
                                .is_some_and(|c| c.contains(needle.as_str()))
                    }
                    "edit" => {
                        a.call_turn == q.turn
                            && a.edit.as_ref().is_some_and(|e| {
                                needle.starts_with(&e.path)
                                    && e.added.iter().any(|l| {
                                        needle.contains(l.as_str())
                                            || l.contains(
                                                needle[e.path.len()..].trim_start_matches(": "),
                                            )
                                    })
                            })
                    }
                    _ => false,
                },
            });
            !found
        })
        .cloned()
        .collect()
}

/// The query `mem recall --error` runs for an error text: its most telling
/// line(s), with paths, numbers and hashes dropped.
pub fn error_query(text: &str) -> String {
    let line = error_line(text).unwrap_or_else(|| text.trim().to_string());
    let mut words: Vec<String> = Vec::new();
    for w in line.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '`' | '\'' | '"' | ',' | '(' | ')' | '[' | ']' | '{' | '}'
            )
    }) {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.len() < 2 || w.contains('/') || w.chars().all(|c| c.is_ascii_digit() || c == '.') {
            continue;
        }
        if w.len() >= 12 && w.chars().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        words.push(w.to_string());
    }
    words.join(" ")
}

/// Words of any error message: a lesson that shares only these with an
/// error is not about it.
const ERROR_VOCABULARY: &[&str] = &[
    "error",
    "errors",
    "err",
    "failed",
    "fail",
    "fails",
    "failing",
    "failure",
    "fatal",
    "warning",
    "warn",
    "cannot",
    "can",
    "could",
    "not",
    "found",
    "no",
    "such",
    "file",
    "files",
    "directory",
    "unable",
    "invalid",
    "unexpected",
    "exit",
    "exited",
    "code",
    "status",
    "exception",
    "traceback",
    "most",
    "recent",
    "call",
    "last",
    "line",
    "lines",
    "the",
    "and",
    "for",
    "with",
    "while",
    "when",
    "from",
    "this",
    "that",
    "was",
    "were",
    "is",
    "are",
    "be",
    "to",
    "of",
    "in",
    "on",
    "at",
    "by",
    "or",
    "an",
    "a",
    "it",
    "its",
    "has",
    "have",
    "had",
    "been",
    "did",
    "does",
    "do",
    "done",
    "see",
    "run",
    "running",
    "ran",
    "command",
    "process",
    "returned",
    "return",
    "non",
    "zero",
    "nonzero",
    "panicked",
    "panic",
    "thread",
    "main",
    "caused",
    "cause",
    "because",
    "info",
    "note",
    "help",
    "expected",
    "got",
    "value",
    "type",
    "missing",
    "unknown",
    "undefined",
    "exist",
    "exists",
    "already",
    "try",
    "again",
    "please",
    "check",
    "more",
    "details",
    "output",
    "stderr",
    "stdout",
    "aborting",
    "abort",
    "aborted",
    "stopped",
    "killed",
    "terminated",
    "signal",
    "http",
    "https",
    "www",
    "com",
    "org",
    "net",
];

/// The words of an error that say what it is about: names, codes, tools,
/// the message's own words, without the vocabulary every error shares;
/// those of its query (`error_query`), or when that keeps none (the only
/// name was a path or a URL, which the query leaves out), those of its
/// telling line with the paths' parts.
pub fn error_terms(raw: &str) -> Vec<String> {
    let words = |text: &str| {
        let mut out: Vec<String> = Vec::new();
        for w in text.split(|c: char| !c.is_alphanumeric() && c != '_') {
            let w = w.to_lowercase();
            if w.chars().count() < 3
                || w.chars().all(|c| c.is_ascii_digit())
                || ERROR_VOCABULARY.contains(&w.as_str())
                || out.contains(&w)
            {
                continue;
            }
            out.push(w);
        }
        out
    };
    let terms = words(&error_query(raw));
    if !terms.is_empty() {
        return terms;
    }
    words(&error_line(raw).unwrap_or_else(|| raw.trim().to_string()))
}

/// How many of `terms` `text` names (a word of it equals a term, or both
/// are five letters or more and share their first five: `linking` and
/// `linker`).
pub fn terms_named(text: &str, terms: &[String]) -> usize {
    let stem = |w: &str| -> String { w.chars().take(5).collect() };
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    terms
        .iter()
        .filter(|t| {
            words.iter().any(|w| {
                *t == w || (t.chars().count() >= 5 && w.chars().count() >= 5 && stem(t) == stem(w))
            })
        })
        .count()
}

/// Whether a lesson's `text` is about the error whose `terms` these are:
/// it names two of them (one when the error has only one). One shared
/// word is chance ("resolve" in "could not resolve host" and in npm's
/// ERESOLVE); an error with no word of its own is about nothing a
/// lesson can name.
pub fn about_error(text: &str, terms: &[String]) -> bool {
    !terms.is_empty() && terms_named(text, terms) >= terms.len().min(2)
}

/// The hits of an error query that are about the error (`about_error`
/// with its `error_terms`), ranks renumbered; `text` reads a hit's whole
/// entry.
pub fn hits_about_error(
    terms: &[String],
    hits: Vec<crate::recall::Hit>,
    text: impl Fn(&crate::recall::Hit) -> String,
) -> Vec<crate::recall::Hit> {
    let mut kept: Vec<crate::recall::Hit> = hits
        .into_iter()
        .filter(|h| about_error(&format!("{}\n{}\n{}", h.title, h.snippet, text(h)), terms))
        .collect();
    for (i, h) in kept.iter_mut().enumerate() {
        h.rank = i + 1;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_terms_leave_out_what_every_error_says() {
        let t = error_terms(
            "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree",
        );
        assert!(t.contains(&"eresolve".to_string()), "{t:?}");
        assert!(
            !t.iter().any(|w| w == "err" || w == "unable" || w == "code"),
            "{t:?}"
        );
        assert!(about_error(
            "When npm fails with ERESOLVE, run npm install --legacy-peer-deps",
            &t
        ));
        // One shared word is chance.
        assert_eq!(
            terms_named("The resolver of the eresolve-free build", &t),
            1
        );
        assert_eq!(t, ["npm", "eresolve"]);
        assert!(!about_error("The resolver of the eresolve-free build", &t));
        assert!(!about_error(
            "When cargo build fails on libclang, install libclang-dev",
            &t
        ));
        assert!(!about_error(
            "Error: not found. The job failed with exit code 1",
            &t
        ));
        // An error made only of what every error says is about nothing.
        // A name that is only a path or a URL still counts.
        let module = error_terms("go: github.com/acme-corp/platform@v1.2.0: not found");
        assert!(
            module.contains(&"acme".to_string()) && module.contains(&"platform".to_string()),
            "{module:?}"
        );
        assert!(about_error(
            "go mod: github.com/acme-corp/platform not found: set GOPRIVATE",
            &module
        ));
        let none = error_terms("error: Not Found");
        assert!(none.is_empty(), "{none:?}");
        assert!(!about_error("Not found: the job failed", &none));
        let host = error_terms("fatal: Could not resolve host: github.com");
        assert!(
            !about_error(
                "When npm fails with ERESOLVE, unable to resolve the dependency tree, run npm install --legacy-peer-deps",
                &host
            ),
            "{host:?}"
        );
        assert!(about_error(
            "Could not resolve host github.com: the VPN was down",
            &host
        ));
    }

    fn claude(lines: &[(&str, &str)]) -> Vec<u8> {
        // (kind, payload): "req" text, "bash" command, "ok"/"fail" output, "edit" path|new
        let mut out = String::new();
        let mut n = 0;
        for (k, p) in lines {
            let v = match *k {
                "req" => {
                    serde_json::json!({"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":p}})
                }
                "bash" => {
                    n += 1;
                    serde_json::json!({"type":"assistant","sessionId":"s","uuid":"u","message":{"role":"assistant","content":[{"type":"tool_use","id":format!("t{n}"),"name":"Bash","input":{"command":p}}]}})
                }
                "edit" => {
                    n += 1;
                    let (path, new) = p.split_once('|').unwrap();
                    serde_json::json!({"type":"assistant","sessionId":"s","uuid":"u","message":{"role":"assistant","content":[{"type":"tool_use","id":format!("t{n}"),"name":"Edit","input":{"file_path":path,"old_string":"x","new_string":new}}]}})
                }
                "ok" | "fail" => {
                    serde_json::json!({"type":"user","sessionId":"s","uuid":"u","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":format!("t{n}"),"content":p,"is_error":*k=="fail"}]}})
                }
                _ => unreachable!(),
            };
            out.push_str(&v.to_string());
            out.push('\n');
        }
        out.into_bytes()
    }

    #[test]
    fn a_failure_fixed_by_an_install_is_a_recovery_lesson() {
        let t = transcript::parse(
            &claude(&[
                ("req", "the build fails on the new box, fix it please"),
                ("bash", "cargo build"),
                ("fail", "Exit code 101\nerror: failed to run custom build command for `clang-sys v1.8.1`\nUnable to find libclang"),
                ("bash", "ls /usr/lib/llvm-14/lib"),
                ("ok", "libLLVM.so"),
                ("bash", "sudo apt-get install -y libclang-dev"),
                ("ok", "Setting up libclang-dev"),
                ("bash", "cargo build"),
                ("ok", "Finished dev"),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1, "{ls:#?}");
        let l = &ls[0];
        assert_eq!(l.kind, "recovery");
        assert_eq!(l.program, "cargo build");
        assert!(l.trigger.contains("clang-sys"), "{}", l.trigger);
        assert!(
            l.advice.contains("apt-get install -y libclang-dev"),
            "{}",
            l.advice
        );
        assert!(
            !l.advice.contains("ls /usr"),
            "a diagnostic is not advice: {}",
            l.advice
        );
        assert_eq!(l.turns, vec![2, 3, 6, 8]);
        assert!(verify(&t, l).is_empty(), "{:?}", verify(&t, l));
        let text = l.render("s.jsonl");
        assert!(text.starts_with("When `cargo build` fails with"), "{text}");
    }

    #[test]
    fn a_flag_added_to_the_command_is_the_fix() {
        let t = transcript::parse(
            &claude(&[
                ("req", "build the image for the cluster please"),
                ("bash", "docker build -t api ."),
                (
                    "fail",
                    "Exit code 1\nERROR: failed to solve: no match for platform in manifest",
                ),
                ("bash", "docker build --platform linux/amd64 -t api ."),
                ("ok", "naming to docker.io/library/api done"),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1);
        assert_eq!(ls[0].kind, "recovery");
        assert!(
            ls[0].advice.contains("--platform linux/amd64"),
            "{}",
            ls[0].advice
        );
    }

    #[test]
    fn a_retry_that_just_works_and_an_unfixed_failure_teach_nothing() {
        let t = transcript::parse(
            &claude(&[
                ("req", "run the tests for the parser module"),
                ("bash", "npm test"),
                (
                    "fail",
                    "Exit code 1\nError: connect ECONNREFUSED 127.0.0.1:5432",
                ),
                ("bash", "npm test"),
                ("ok", "12 passing"),
                (
                    "req",
                    "now deploy the thing to the staging cluster with helm",
                ),
                ("bash", "helm upgrade api ./chart"),
                (
                    "fail",
                    "Exit code 1\nError: UPGRADE FAILED: another operation is in progress",
                ),
            ]),
            "x",
        )
        .unwrap();
        assert!(extract(&t).is_empty(), "{:#?}", extract(&t));
    }

    #[test]
    fn several_failed_variants_make_an_optimisation_lesson() {
        let t = transcript::parse(
            &claude(&[
                ("req", "push my branch to origin"),
                ("bash", "git push"),
                (
                    "fail",
                    "Exit code 1\n ! [rejected]        main -> main (non-fast-forward)",
                ),
                ("bash", "git push origin main"),
                (
                    "fail",
                    "Exit code 1\n ! [rejected]        main -> main (non-fast-forward)",
                ),
                ("bash", "git pull --rebase origin main"),
                ("ok", "Successfully rebased"),
                ("bash", "git push origin main"),
                ("ok", "main -> main"),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1, "{ls:#?}");
        assert_eq!(ls[0].kind, "optimisation");
        assert!(
            ls[0].advice.contains("git pull --rebase origin main"),
            "{}",
            ls[0].advice
        );
        assert!(ls[0].trigger.contains("non-fast-forward"));
        assert!(verify(&t, &ls[0]).is_empty());
    }

    #[test]
    fn an_edit_that_fixes_a_failure_is_quoted_by_its_new_lines() {
        let t = transcript::parse(
            &claude(&[
                ("req", "the integration tests cannot reach docker"),
                ("bash", "make integration"),
                ("fail", "Exit code 2\nCannot connect to the Docker daemon at tcp://localhost:2375. Is the docker daemon running?"),
                ("edit", ".env|DOCKER_HOST=unix:///var/run/docker.sock"),
                ("ok", "edited"),
                ("bash", "make integration"),
                ("ok", "PASS"),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1);
        assert!(
            ls[0]
                .advice
                .contains("DOCKER_HOST=unix:///var/run/docker.sock"),
            "{}",
            ls[0].advice
        );
        assert!(verify(&t, &ls[0]).is_empty(), "{:?}", verify(&t, &ls[0]));
    }

    #[test]
    fn a_procedure_that_worked_is_a_strategy_lesson() {
        let t = transcript::parse(
            &claude(&[
                (
                    "req",
                    "Cut a release 2.4.0 of the cli. Use the usual process.",
                ),
                ("bash", "git status"),
                ("ok", "clean"),
                ("bash", "cargo set-version 2.4.0"),
                ("ok", "Upgrading"),
                ("bash", "git commit -am 'release 2.4.0'"),
                ("ok", "[main 1a2b3c] release"),
                ("bash", "git tag v2.4.0"),
                ("ok", ""),
                ("bash", "git push origin main --tags"),
                ("ok", "done"),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1, "{ls:#?}");
        assert_eq!(ls[0].kind, "strategy");
        assert_eq!(
            ls[0].trigger,
            "Cut a release 2.4.0 of the cli. Use the usual process."
        );
        assert!(ls[0].advice.contains("`git tag v2.4.0`") && !ls[0].advice.contains("git status"));
        assert!(verify(&t, &ls[0]).is_empty());
    }

    #[test]
    fn programs_and_diagnostics() {
        assert_eq!(
            program("cd app && RUST_LOG=1 cargo build --release"),
            "cargo build"
        );
        assert_eq!(program("sudo docker compose up -d"), "docker compose up");
        assert_eq!(program("python -m pytest tests/"), "python -m pytest");
        assert_eq!(program("git -C repo push origin main"), "git push");
        assert_eq!(program("./gradlew build"), "gradlew build");
        assert!(diagnostic("kubectl get pods -n prod"));
        assert!(!diagnostic("kubectl apply -f k8s/"));
        assert!(diagnostic("git status"));
        assert!(!diagnostic("sed -i 's/a/b/' f"));
        assert_eq!(
            error_query(
                "error: failed to run custom build command for `clang-sys v1.8.1` at /home/x/y.rs:12"
            ),
            "error failed to run custom build command for clang-sys v1.8.1 at"
        );
        // Read-only verbs one level down, listings, build tools' reports.
        assert!(diagnostic("gh auth status 2>&1 | sed -n 2,4p"));
        assert!(diagnostic("sleep 10; docker compose ps grafana"));
        assert!(diagnostic("tar tzvf dist/x-1.0.tar.gz | head -4"));
        // Piped into a shell, what curl reads runs.
        assert!(diagnostic(
            "curl -s https://example.com/health | jq .status"
        ));
        assert!(!diagnostic("curl -s http://example.com/p.sh | sh"));
        assert!(!diagnostic(
            "curl -fsSL https://example.com/install | sudo -E bash -"
        ));
        assert!(diagnostic(
            "mvn -q dependency:tree -pl svc -Dincludes=com.google.guava:guava"
        ));
        assert!(!diagnostic("mvn test -pl svc"));
        assert!(diagnostic("go env GOPRIVATE"));
        assert!(!diagnostic("go env -w GOPRIVATE=github.com/acme/*"));
        assert!(!diagnostic("docker compose up -d"));
        // A tool's own check reports problems in its output.
        assert!(state_check("gitlab-rake gitlab:ldap:check"));
        assert!(!state_check("gitlab-ctl reconfigure"));
    }

    #[test]
    fn another_job_of_the_same_program_is_not_the_run_that_worked() {
        let t = transcript::parse(
            &claude(&[
                ("req", "add redis-04 to the cluster"),
                ("bash", "redis-cli --cluster add-node 10.0.1.14:6379 10.0.1.11:6379"),
                ("fail", "Exit code 1\n[ERR] Node 10.0.1.14:6379 is not empty."),
                ("bash", "redis-cli -h 10.0.1.14 dbsize"),
                ("ok", "41"),
                ("bash", "redis-cli -h 10.0.1.14 flushall && redis-cli --cluster add-node 10.0.1.14:6379 10.0.1.11:6379"),
                ("ok", "[OK] New node added correctly."),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        let r = ls.iter().find(|l| l.kind == "recovery").expect("{ls:#?}");
        assert!(r.advice.contains("flushall"), "{}", r.advice);
        assert!(r.trigger.contains("is not empty"), "{}", r.trigger);
    }

    #[test]
    fn a_run_that_still_prints_the_error_failed_again() {
        let t = transcript::parse(
            &claude(&[
                ("req", "get ./gradlew assembleDebug working"),
                ("bash", "./gradlew assembleDebug"),
                ("fail", "Exit code 1\n> Android Gradle plugin requires Java 17 to run. You are currently using Java 11."),
                ("bash", "sudo update-alternatives --set java /usr/lib/jvm/java-17/bin/java && ./gradlew assembleDebug 2>&1 | grep 'requires Java'"),
                ("ok", "> Android Gradle plugin requires Java 17 to run. You are currently using Java 11."),
                ("bash", "JAVA_HOME=/usr/lib/jvm/java-17 ./gradlew assembleDebug"),
                ("ok", "BUILD SUCCESSFUL in 1m"),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1, "{ls:#?}");
        assert_eq!(ls[0].kind, "optimisation", "two ways tried: {ls:#?}");
        assert!(
            ls[0].advice.contains("JAVA_HOME=/usr/lib/jvm/java-17"),
            "{}",
            ls[0].advice
        );
        assert!(
            !ls[0]
                .advice
                .starts_with("go straight to this: run `sudo update-alternatives"),
            "{}",
            ls[0].advice
        );
    }

    #[test]
    fn a_new_error_after_attempts_is_a_problem_of_its_own_unless_a_step_was_undone() {
        let steps = |undo: bool| {
            let mut v = vec![
                ("req", "make go mod tidy work"),
                ("bash", "go mod tidy"),
                (
                    "fail",
                    "Exit code 1\nfatal: could not read Username for 'https://github.com': terminal prompts disabled",
                ),
                ("bash", "GOPROXY=direct go mod tidy"),
                (
                    "fail",
                    "Exit code 1\nfatal: could not read Username for 'https://github.com': terminal prompts disabled",
                ),
                (
                    "bash",
                    "git config --global url.git@github.com:acme/.insteadOf https://github.com/acme/",
                ),
                ("ok", ""),
            ];
            if undo {
                v.push(("bash", "git restore go.sum"));
                v.push(("ok", ""));
            }
            v.extend([
                ("bash", "go mod tidy"),
                ("fail", "Exit code 1\nverifying module: reading https://sum.golang.org/lookup/x: 404 Not Found"),
                ("bash", "go env -w GOPRIVATE=github.com/acme/*"),
                ("ok", ""),
                ("bash", "go mod tidy"),
                ("ok", ""),
            ]);
            v
        };
        let t = transcript::parse(&claude(&steps(false)), "x").unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 2, "{ls:#?}");
        assert!(ls[0].advice.contains("insteadOf"), "{}", ls[0].advice);
        assert!(
            ls[1].trigger.contains("sum.golang.org"),
            "{}",
            ls[1].trigger
        );
        assert!(ls[1].advice.contains("GOPRIVATE"), "{}", ls[1].advice);
        // With a step undone on the way, the chain is one detour.
        let t = transcript::parse(&claude(&steps(true)), "x").unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1, "{ls:#?}");
        assert_eq!(ls[0].kind, "optimisation");
    }

    #[test]
    fn an_edit_is_quoted_by_the_lines_that_say_most() {
        let t = transcript::parse(
            &claude(&[
                ("req", "the backup service fails, fix it"),
                ("bash", "systemctl start backup.service"),
                ("fail", "Exit code 1\nJob for backup.service failed: status=217/USER"),
                ("edit", "/etc/systemd/system/backup.service|[Service]\n# run as the db owner\nUser=postgres\nGroup=postgres\nOnCalendar=*-*-* 02:30"),
                ("ok", "updated"),
                ("bash", "systemctl start backup.service"),
                ("ok", ""),
            ]),
            "x",
        )
        .unwrap();
        let ls = extract(&t);
        assert_eq!(ls.len(), 1, "{ls:#?}");
        let a = &ls[0].advice;
        assert!(
            a.contains("User=postgres") && a.contains("OnCalendar="),
            "{a}"
        );
        assert!(!a.contains("[Service]") && !a.contains("# run as"), "{a}");
        assert!(verify(&t, &ls[0]).is_empty());
    }
}
