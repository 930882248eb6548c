//! Times the catch-up walk (read every folder, stat every entry) of a tree:
//! `cargo run --release --example walk_probe -- DIR [ROUNDS]`.
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("."));
    let rounds: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let tree = mem::tree::Tree::find(Some(&dir))?;
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let (found, _) = tree.walk(true, true);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        n = found.len();
    }
    let mut raw_t = Vec::new();
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let mut k = 0;
        raw(&dir, &mut k);
        raw_t.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    raw_t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "raw single-thread walk p50 {:.2} ms",
        raw_t[raw_t.len() / 2]
    );
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{n} files: walk p50 {:.2} ms, min {:.2} ms",
        times[times.len() / 2],
        times[0]
    );
    Ok(())
}

fn raw(dir: &std::path::Path, n: &mut usize) {
    for d in std::fs::read_dir(dir).unwrap().flatten() {
        let ft = d.file_type().unwrap();
        if ft.is_dir() {
            if d.file_name() != ".git" && d.file_name() != ".mem" {
                raw(&d.path(), n);
            }
        } else if d.metadata().is_ok() {
            *n += 1;
        }
    }
}
