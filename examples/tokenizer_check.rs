//! mem's WordPiece tokenizer against llama.cpp's on every text of the given
//! files (LoCoMo / LongMemEval JSON, plain text, .gz), token by token:
//!
//!     cargo run --release --example tokenizer_check -- MODEL.gguf FILE...
//!
//! Prints the texts compared, the mismatches (the first few in full) and the
//! time each tokenizer took.
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use mem::model::gguf::read_header;
use mem::model::wordpiece::WordPiece;
use std::io::Read;
use std::time::{Duration, Instant};

fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("MODEL.gguf FILE...");
    let f = std::fs::File::open(&path).unwrap();
    let len = f.metadata().unwrap().len();
    let h = read_header(std::io::BufReader::new(f), len, true).unwrap();
    let wp = WordPiece::from_header(&h)
        .unwrap()
        .expect("a WordPiece vocabulary");
    let backend = mem::model::llama::backend().unwrap();
    let model = LlamaModel::load_from_file(backend, &path, &LlamaModelParams::default()).unwrap();
    let mut texts = Vec::new();
    for file in args {
        let mut raw = Vec::new();
        std::fs::File::open(&file)
            .unwrap()
            .read_to_end(&mut raw)
            .unwrap();
        if file.ends_with(".gz") {
            let mut d = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut d)
                .unwrap();
            raw = d;
        }
        let s = String::from_utf8_lossy(&raw).into_owned();
        match serde_json::from_str::<serde_json::Value>(&s) {
            Ok(v) => strings(&v, &mut texts),
            Err(_) => texts.extend(s.lines().map(str::to_string)),
        }
    }
    texts.sort();
    texts.dedup();
    let (mut t_mem, mut t_llama) = (Duration::ZERO, Duration::ZERO);
    let mut bad = 0;
    for t in &texts {
        let a = Instant::now();
        let ours = wp.tokenize(t);
        t_mem += a.elapsed();
        let a = Instant::now();
        let theirs: Vec<i32> = model
            .vocab()
            .tokenize(t.as_bytes(), true, false)
            .into_iter()
            .map(|x| x.0)
            .collect();
        t_llama += a.elapsed();
        if ours != theirs {
            bad += 1;
            if bad <= 5 {
                println!("MISMATCH {t:?}\n  mem   {ours:?}\n  llama {theirs:?}");
            }
        }
    }
    println!(
        "{} texts, {bad} mismatches; mem {:.0} ms, llama.cpp {:.0} ms",
        texts.len(),
        t_mem.as_secs_f64() * 1e3,
        t_llama.as_secs_f64() * 1e3
    );
    std::process::exit(i32::from(bad > 0));
}
