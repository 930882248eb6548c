use llama_cpp_2::context::params::{LlamaContextParams, LlamaPoolingType};
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use std::num::NonZeroU32;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let backend = mem::model::llama::backend().unwrap();
    for (nb, ns) in [(512u32, 256u32), (512, 1), (128, 16), (64, 1), (512, 256)] {
        let t = Instant::now();
        let model = LlamaModel::load_from_file(
            backend,
            &path,
            &LlamaModelParams::default().with_use_mmap(true),
        )
        .unwrap();
        let load = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let p = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(nb))
            .with_n_batch(nb)
            .with_n_ubatch(nb)
            .with_n_seq_max(ns)
            .with_kv_unified(true)
            .with_embeddings(true)
            .with_pooling_type(LlamaPoolingType::Mean)
            .with_n_threads(2)
            .with_n_threads_batch(2);
        let ctx = model.new_context(backend, p).unwrap();
        let c = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        drop(ctx);
        let d1 = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        drop(model);
        let d2 = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "n_batch {nb} n_seq {ns}: load {load:.1} ms, ctx {c:.1} ms, drop ctx {d1:.1} ms, drop model {d2:.1} ms"
        );
    }
}
