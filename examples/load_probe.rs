//! Model load and context creation times, side by side:
//!
//!     cargo run --release --example load_probe -- MODEL.gguf [ROUNDS]
//!
//! Each round loads the model with llama.cpp's defaults and with every
//! tensor pinned to the plain CPU buffer type (no weight repacking), then
//! makes an embedding context of 1 and of 256 sequences. Prints medians.
use llama_cpp_2::context::params::{LlamaContextParams, LlamaPoolingType};
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use std::num::NonZeroU32;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let path = std::env::args().nth(1).expect("MODEL.gguf");
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let backend = mem::model::llama::backend().unwrap();
    // Per variant: load, context of 1 sequence, of 256, model drop (ms).
    type Times = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);
    let mut times: [Times; 2] = Default::default();
    for _ in 0..rounds {
        for (variant, t_out) in times.iter_mut().enumerate() {
            let mut params = Box::pin(LlamaModelParams::default().with_use_mmap(true));
            if variant == 1 {
                params.as_mut().add_cpu_buft_override(c".*");
            }
            let t = Instant::now();
            let model = LlamaModel::load_from_file(backend, &path, &params).unwrap();
            t_out.0.push(t.elapsed().as_secs_f64() * 1e3);
            for ns in [1u32, 256] {
                let t = Instant::now();
                let p = LlamaContextParams::default()
                    .with_n_ctx(NonZeroU32::new(512))
                    .with_n_batch(512)
                    .with_n_ubatch(512)
                    .with_n_seq_max(ns)
                    .with_kv_unified(true)
                    .with_embeddings(true)
                    .with_pooling_type(LlamaPoolingType::Mean)
                    .with_n_threads(1)
                    .with_n_threads_batch(1);
                let ctx = model.new_context(backend, p).unwrap();
                let c = t.elapsed().as_secs_f64() * 1e3;
                if ns == 1 {
                    t_out.1.push(c);
                } else {
                    t_out.2.push(c);
                }
                drop(ctx);
            }
            let t = Instant::now();
            drop(model);
            t_out.3.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    for (name, t) in ["default", "no repack"].iter().zip(times) {
        println!(
            "{name:>10}: load {:.1} ms, ctx(1 seq) {:.1} ms, ctx(256 seqs) {:.1} ms, drop model {:.1} ms (medians of {rounds})",
            median(t.0),
            median(t.1),
            median(t.2),
            median(t.3)
        );
    }
}
