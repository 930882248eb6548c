//! Prints curation's verdict for pairs of statements (NEW \t OLD per line
//! on stdin), with the embedder's cosine when a model is given.
//! `cargo run --example judge_pairs -- [EMBEDDER.gguf] < pairs.tsv`
use mem::model::Embedder;
use std::io::BufRead;

fn main() -> anyhow::Result<()> {
    let emb = std::env::args()
        .nth(1)
        .map(|p| mem::model::llama::LlamaEmbedder::load(std::path::Path::new(&p), 2))
        .transpose()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let Some((new, old)) = line.split_once('\t') else {
            continue;
        };
        let cos = match &emb {
            Some(e) => {
                let v = e.embed(&[new, old])?;
                Some(mem::model::cosine(&v[0], &v[1]))
            }
            None => None,
        };
        let v = mem::curate::decide::judge(new, old, cos);
        println!(
            "{:?} clear={} cos={:?} | {} || {} | {}",
            v.op, v.clear, cos, new, old, v.reason
        );
    }
    Ok(())
}
