use clap::Parser;
use mem::{cli::Cli, error};

fn main() {
    mem::cmd::hook::mark_start();
    mem::trace::init();
    // Ctrl-C, SIGTERM, SIGHUP: clean up (the watcher's socket, the temp
    // files of an unfinished write; see `mem::interrupt`) and exit 130.
    let _ = ctrlc::set_handler(|| {
        mem::interrupt::on_signal();
        // _exit, not exit: C++ static destructors (llama.cpp's) must not run
        // while its worker threads are still busy; there is nothing else to
        // flush (stdout is written line by line).
        // SAFETY: _exit ends the process at once; no Rust invariant depends
        // on code running after it.
        unsafe { libc::_exit(error::EXIT_INTERRUPTED) }
    });
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // A script that asked for --json gets its usage error as JSON
            // too (help and version print as they are).
            let json = std::env::args()
                .skip(1)
                .take_while(|a| a != "--")
                .any(|a| a == "--json");
            if json && e.use_stderr() {
                let text = e.render().to_string();
                let message = text
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string();
                eprintln!("{}", serde_json::json!({"error": message, "kind": "usage"}));
                std::process::exit(error::EXIT_ERROR);
            }
            e.exit()
        }
    };
    mem::trace::mark("args parsed");
    let ctx = cli.global.ctx();
    let code = match mem::cmd::dispatch(cli.command, &ctx) {
        Ok(()) => error::EXIT_OK,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                error::EXIT_OK
            } else {
                let code = error::exit_code(&e);
                if ctx.json {
                    let kind = if code == error::EXIT_NOT_FOUND {
                        "not_found"
                    } else {
                        "error"
                    };
                    eprintln!(
                        "{}",
                        serde_json::json!({"error": format!("{e:#}"), "kind": kind})
                    );
                } else {
                    eprintln!("mem: {e:#}");
                }
                code
            }
        }
    };
    mem::trace::mark("exit");
    std::process::exit(code);
}
