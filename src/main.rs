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
    let cli = Cli::parse();
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
