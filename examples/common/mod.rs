//! What the embedding examples share: their command line and their texts.

/// `PATH [THREADS] [ROUNDS]` from the command line (threads and rounds
/// default to `threads` and 3).
pub fn args(threads: usize) -> (std::path::PathBuf, usize, usize) {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::PathBuf::from(args.get(1).expect("a path argument"));
    let threads = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(threads);
    let rounds = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
    (path, threads, rounds)
}

/// `n` short (~25-token) sentences, all different.
pub fn short_texts(n: usize) -> Vec<String> {
    let words = [
        "build", "cache", "deploy", "index", "query", "token", "server", "laptop", "docker",
        "release",
    ];
    (0..n)
        .map(|i| {
            format!(
                "The {} step for the {} {} fails after the upgrade to version {} on the staging cluster",
                words[i % 10],
                words[(i / 10) % 10],
                words[(i / 100) % 10],
                i
            )
        })
        .collect()
}
