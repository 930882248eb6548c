//! GGUF, the file format llama.cpp loads: a small writer, a header reader
//! (used to check a file before llama.cpp sees it), and the conversion of a
//! sentence-transformers BERT checkpoint (safetensors + `vocab.txt` +
//! `1_Pooling/config.json`) into a GGUF that llama.cpp runs as a `bert`
//! embedding model. Pure Rust: no Python at pull or recall time.
//!
//! Layout (version 3, little-endian): magic `GGUF`, version u32, tensor count
//! u64, key/value count u64, the key/values, the tensor infos (name, dims in
//! ggml order — fastest-varying first —, type, offset into the data section),
//! padding to `general.alignment` (32), then the tensor data, each tensor
//! starting at a multiple of the alignment.
//!
//! The conversion is deterministic (fixed key and tensor order, no
//! timestamps), so a pinned sha256 of its output stays valid.

use anyhow::{Context, Result, bail, ensure};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

pub const MAGIC: &[u8; 4] = b"GGUF";
pub const VERSION: u32 = 3;
pub const DEFAULT_ALIGNMENT: u64 = 32;

// ---------------------------------------------------------------------------
// Values

/// GGUF value types, numbered as in the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ValueType {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
}

impl ValueType {
    fn from_u32(v: u32) -> Option<Self> {
        use ValueType::*;
        Some(match v {
            0 => U8,
            1 => I8,
            2 => U16,
            3 => I16,
            4 => U32,
            5 => I32,
            6 => F32,
            7 => Bool,
            8 => String,
            9 => Array,
            10 => U64,
            11 => I64,
            12 => F64,
            _ => return None,
        })
    }
}

/// A metadata value. Arrays are homogeneous: `Array(elem_type, items)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    Str(String),
    Array(ValueType, Vec<Value>),
    /// An array the reader skipped (see [`read_header`]): element type and length.
    SkippedArray(ValueType, u64),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value {
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::U8(_) => ValueType::U8,
            Value::I8(_) => ValueType::I8,
            Value::U16(_) => ValueType::U16,
            Value::I16(_) => ValueType::I16,
            Value::U32(_) => ValueType::U32,
            Value::I32(_) => ValueType::I32,
            Value::F32(_) => ValueType::F32,
            Value::Bool(_) => ValueType::Bool,
            Value::Str(_) => ValueType::String,
            Value::Array(..) | Value::SkippedArray(..) => ValueType::Array,
            Value::U64(_) => ValueType::U64,
            Value::I64(_) => ValueType::I64,
            Value::F64(_) => ValueType::F64,
        }
    }

    /// The value as an unsigned integer, whatever its integer width.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    fn write(&self, w: &mut impl Write) -> std::io::Result<()> {
        match self {
            Value::U8(v) => w.write_all(&[*v]),
            Value::I8(v) => w.write_all(&v.to_le_bytes()),
            Value::U16(v) => w.write_all(&v.to_le_bytes()),
            Value::I16(v) => w.write_all(&v.to_le_bytes()),
            Value::U32(v) => w.write_all(&v.to_le_bytes()),
            Value::I32(v) => w.write_all(&v.to_le_bytes()),
            Value::F32(v) => w.write_all(&v.to_le_bytes()),
            Value::Bool(v) => w.write_all(&[u8::from(*v)]),
            Value::Str(s) => write_str(w, s),
            Value::Array(ty, items) => {
                w.write_all(&(*ty as u32).to_le_bytes())?;
                w.write_all(&(items.len() as u64).to_le_bytes())?;
                for it in items {
                    it.write(w)?;
                }
                Ok(())
            }
            Value::SkippedArray(..) => Err(std::io::Error::other("cannot write a skipped array")),
            Value::U64(v) => w.write_all(&v.to_le_bytes()),
            Value::I64(v) => w.write_all(&v.to_le_bytes()),
            Value::F64(v) => w.write_all(&v.to_le_bytes()),
        }
    }
}

fn write_str(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    w.write_all(&(s.len() as u64).to_le_bytes())?;
    w.write_all(s.as_bytes())
}

// ---------------------------------------------------------------------------
// Tensor types

/// The ggml tensor types this module writes (any type can be read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightType {
    F32,
    F16,
    Q8_0,
    Q4_0,
    Iq4Nl,
}

pub const GGML_TYPE_F32: u32 = 0;
pub const GGML_TYPE_F16: u32 = 1;
pub const GGML_TYPE_Q4_0: u32 = 2;
pub const GGML_TYPE_Q8_0: u32 = 8;
pub const GGML_TYPE_IQ4_NL: u32 = 20;

impl WeightType {
    pub fn ggml_type(self) -> u32 {
        match self {
            WeightType::F32 => GGML_TYPE_F32,
            WeightType::F16 => GGML_TYPE_F16,
            WeightType::Q8_0 => GGML_TYPE_Q8_0,
            WeightType::Q4_0 => GGML_TYPE_Q4_0,
            WeightType::Iq4Nl => GGML_TYPE_IQ4_NL,
        }
    }
    /// `general.file_type` (llama_ftype): ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7.
    fn file_type(self) -> u32 {
        match self {
            WeightType::F32 => 0,
            WeightType::F16 => 1,
            WeightType::Q8_0 => 7,
            WeightType::Q4_0 => 2,
            WeightType::Iq4Nl => 25,
        }
    }
    pub fn suffix(self) -> &'static str {
        match self {
            WeightType::F32 => "F32",
            WeightType::F16 => "F16",
            WeightType::Q8_0 => "Q8_0",
            WeightType::Q4_0 => "Q4_0",
            WeightType::Iq4Nl => "IQ4_NL",
        }
    }
}

/// (elements per block, bytes per block) of a ggml type, for the types found
/// in common GGUF files; `None` for others (their size is then not checked).
pub fn ggml_block(ty: u32) -> Option<(u64, u64)> {
    Some(match ty {
        0 => (1, 4),      // F32
        1 => (1, 2),      // F16
        2 => (32, 18),    // Q4_0
        3 => (32, 20),    // Q4_1
        6 => (32, 22),    // Q5_0
        7 => (32, 24),    // Q5_1
        8 => (32, 34),    // Q8_0
        9 => (32, 36),    // Q8_1
        10 => (256, 84),  // Q2_K
        11 => (256, 110), // Q3_K
        12 => (256, 144), // Q4_K
        13 => (256, 176), // Q5_K
        14 => (256, 210), // Q6_K
        15 => (256, 292), // Q8_K
        20 => (32, 18),   // IQ4_NL
        23 => (256, 136), // IQ4_XS
        24 => (1, 1),     // I8
        25 => (1, 2),     // I16
        26 => (1, 4),     // I32
        27 => (1, 8),     // I64
        28 => (1, 8),     // F64
        30 => (1, 2),     // BF16
        _ => return None,
    })
}

/// Bytes of a tensor of `ty` with `dims` (ggml order), when the type is known.
pub fn tensor_nbytes(ty: u32, dims: &[u64]) -> Option<u64> {
    let (blck, size) = ggml_block(ty)?;
    let n0 = *dims.first().unwrap_or(&1);
    if !n0.is_multiple_of(blck) {
        return None;
    }
    let rows: u64 = dims
        .iter()
        .skip(1)
        .try_fold(1u64, |a, &d| a.checked_mul(d))?;
    (n0 / blck).checked_mul(size)?.checked_mul(rows)
}

/// IEEE 754 binary16 from binary32, rounding to nearest even.
pub fn f32_to_f16(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let exp = ((b >> 23) & 0xff) as i32;
    let man = b & 0x7f_ffff;
    if exp == 0xff {
        // inf or NaN (keep NaN quiet)
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00; // overflow to infinity
    }
    if e <= 0 {
        // subnormal half (or zero)
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rem = m & ((1u32 << shift) - 1);
        let mut r = m >> shift;
        if rem > half || (rem == half && r & 1 == 1) {
            r += 1;
        }
        return sign | r as u16;
    }
    let mut r = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1fff;
    if rem > 0x1000 || (rem == 0x1000 && r & 1 == 1) {
        r += 1; // a carry into the exponent is the right result
    }
    sign | r as u16
}

/// IEEE 754 binary32 from binary16 (exact).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, m) => {
            // subnormal: normalise
            let mut e = 127 - 15 + 1;
            let mut m = m;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | ((e as u32) << 23) | ((m & 0x3ff) << 13)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

pub const QK8_0: usize = 32;
const Q8_0_BLOCK_BYTES: usize = 2 + QK8_0;

/// Q8_0 blocks of 32 values: an f16 scale `d = max|x| / 127` and 32 `i8`
/// `round(x / d)` — ggml's reference quantisation, so the bytes are the
/// same as llama.cpp's own converter would write.
pub fn quantize_q8_0(x: &[f32]) -> Vec<u8> {
    assert!(
        x.len().is_multiple_of(QK8_0),
        "q8_0 needs a multiple of 32 values"
    );
    let mut out = Vec::with_capacity(x.len() / QK8_0 * Q8_0_BLOCK_BYTES);
    for block in x.chunks_exact(QK8_0) {
        let amax = block.iter().fold(0f32, |a, v| a.max(v.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f32_to_f16(d).to_le_bytes());
        for v in block {
            out.push((v * id).round() as i8 as u8);
        }
    }
    out
}

/// Q4_0 blocks of 32 values: an f16 scale `d = x_maxabs / -8` (sign of the
/// largest-magnitude value) and 16 bytes of 4-bit codes `round(x / d) + 8`,
/// value `j` in the low nibble of byte `j`, value `j + 16` in its high nibble.
pub fn quantize_q4_0(x: &[f32]) -> Vec<u8> {
    quantize_4bit(x, |block| {
        let d = signed_max(&block) / -8.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        let codes = block.map(|v| ((v * id + 8.5) as i32).clamp(0, 15) as u8);
        (d, codes)
    })
}

/// The value of largest magnitude, with its sign.
fn signed_max(block: &[f32]) -> f32 {
    block
        .iter()
        .fold(0f32, |m, &v| if v.abs() > m.abs() { v } else { m })
}

/// 4-bit blocks of 32 values: `code` gives a block's scale and its 32 codes,
/// written as an f16 scale and 16 bytes, value `j` in the low nibble of byte
/// `j` and value `j + 16` in its high nibble (Q4_0 and IQ4_NL alike).
fn quantize_4bit(x: &[f32], code: impl Fn([f32; 32]) -> (f32, [u8; 32])) -> Vec<u8> {
    assert!(
        x.len().is_multiple_of(32),
        "4-bit blocks need a multiple of 32 values"
    );
    let mut out = Vec::with_capacity(x.len() / 32 * 18);
    for block in x.chunks_exact(32) {
        let (d, codes) = code(block.try_into().expect("32 values"));
        out.extend_from_slice(&f32_to_f16(d).to_le_bytes());
        for j in 0..16 {
            out.push(codes[j] | (codes[j + 16] << 4));
        }
    }
    out
}

/// The 16 non-uniform levels of IQ4_NL (ggml's `kvalues_iq4nl`).
const IQ4_NL_LEVELS: [i8; 16] = [
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
];

/// IQ4_NL blocks of 32 values: an f16 scale and 16 bytes of 4-bit indices
/// into [`IQ4_NL_LEVELS`] (same nibble order as Q4_0). The scale is chosen
/// per block by trying a few around `max / -127` and refitting each by least
/// squares, keeping the one with the smallest squared error.
pub fn quantize_iq4_nl(x: &[f32]) -> Vec<u8> {
    let nearest = |v: f32| -> u8 {
        let mut best = 0;
        for (i, &l) in IQ4_NL_LEVELS.iter().enumerate() {
            if (v - l as f32).abs() < (v - IQ4_NL_LEVELS[best] as f32).abs() {
                best = i;
            }
        }
        best as u8
    };
    quantize_4bit(x, |block| {
        let m = signed_max(&block);
        let mut best = (f32::INFINITY, 0f32, [0u8; 32]);
        if m != 0.0 {
            for step in -9..=9 {
                let d0 = m / (-127.0 + step as f32);
                let idx = block.map(|v| nearest(v / d0));
                // least-squares scale for these indices
                let level = |i: u8| IQ4_NL_LEVELS[i as usize] as f32;
                let (mut xl, mut ll) = (0f32, 0f32);
                for (&v, &i) in block.iter().zip(&idx) {
                    xl += v * level(i);
                    ll += level(i) * level(i);
                }
                let d = if ll > 0.0 { xl / ll } else { d0 };
                let err: f32 = block
                    .iter()
                    .zip(&idx)
                    .map(|(&v, &i)| (v - d * level(i)).powi(2))
                    .sum();
                if err < best.0 {
                    best = (err, d, idx);
                }
            }
        }
        (best.1, best.2)
    })
}

pub fn dequantize_q8_0(bytes: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(bytes.len() / Q8_0_BLOCK_BYTES * QK8_0);
    for block in bytes.chunks_exact(Q8_0_BLOCK_BYTES) {
        let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        out.extend(block[2..].iter().map(|&q| q as i8 as f32 * d));
    }
    out
}

// ---------------------------------------------------------------------------
// Writer

struct PendingTensor {
    name: String,
    dims: Vec<u64>,
    ggml_type: u32,
    data: Vec<u8>,
}

/// Collects metadata and tensors, then writes a GGUF file in one pass.
#[derive(Default)]
pub struct Writer {
    kv: Vec<(String, Value)>,
    tensors: Vec<PendingTensor>,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, key: &str, value: Value) {
        self.kv.push((key.to_string(), value));
    }

    /// Adds a tensor. `dims` is in ggml order (row length first), i.e. the
    /// reverse of a PyTorch/NumPy shape.
    pub fn add_tensor(
        &mut self,
        name: &str,
        dims: Vec<u64>,
        ggml_type: u32,
        data: Vec<u8>,
    ) -> Result<()> {
        if let Some(n) = tensor_nbytes(ggml_type, &dims) {
            ensure!(
                n == data.len() as u64,
                "tensor {name}: {} bytes of data for {n} expected",
                data.len()
            );
        }
        ensure!(
            !self.tensors.iter().any(|t| t.name == name),
            "tensor {name} added twice"
        );
        self.tensors.push(PendingTensor {
            name: name.to_string(),
            dims,
            ggml_type,
            data,
        });
        Ok(())
    }

    pub fn write(&self, w: &mut impl Write) -> Result<()> {
        let align = DEFAULT_ALIGNMENT;
        let mut offset = 0u64;
        let infos: Vec<TensorInfo> = self
            .tensors
            .iter()
            .map(|t| {
                let info = TensorInfo {
                    name: t.name.clone(),
                    dims: t.dims.clone(),
                    ggml_type: t.ggml_type,
                    offset,
                };
                offset += pad_to(t.data.len() as u64, align);
                info
            })
            .collect();
        w.write_all(&encode_header(&self.kv, &infos, align)?)?;
        for t in &self.tensors {
            w.write_all(&t.data)?;
            let pad = pad_to(t.data.len() as u64, align) as usize - t.data.len();
            w.write_all(&vec![0u8; pad])?;
        }
        Ok(())
    }
}

/// A GGUF header: magic, version, counts, key/values, tensor infos (with
/// their offsets into the data section), padded to `align`.
fn encode_header(kv: &[(String, Value)], tensors: &[TensorInfo], align: u64) -> Result<Vec<u8>> {
    let mut head = Vec::new();
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&VERSION.to_le_bytes());
    head.extend_from_slice(&(tensors.len() as u64).to_le_bytes());
    head.extend_from_slice(&(kv.len() as u64).to_le_bytes());
    for (k, v) in kv {
        write_str(&mut head, k)?;
        head.extend_from_slice(&(v.value_type() as u32).to_le_bytes());
        v.write(&mut head)?;
    }
    for t in tensors {
        write_str(&mut head, &t.name)?;
        head.extend_from_slice(&(t.dims.len() as u32).to_le_bytes());
        for d in &t.dims {
            head.extend_from_slice(&d.to_le_bytes());
        }
        head.extend_from_slice(&t.ggml_type.to_le_bytes());
        head.extend_from_slice(&t.offset.to_le_bytes());
    }
    let pad = pad_to(head.len() as u64, align) as usize - head.len();
    head.resize(head.len() + pad, 0);
    Ok(head)
}

/// Keys of a vocabulary that a `no_vocab` copy leaves out.
const VOCAB_ARRAYS: [&str; 4] = [
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.token_type",
    "tokenizer.ggml.scores",
    "tokenizer.ggml.merges",
];

/// Writes to `dst` a copy of the GGUF `src` (whose header `h` was read with
/// its arrays) without its vocabulary: `tokenizer.ggml.model` becomes
/// `no_vocab` and `<arch>.vocab_size` keeps the token count, so llama.cpp
/// loads the same weights and skips its vocabulary setup; the caller
/// tokenizes (see [`crate::model::wordpiece`]). The tensor data is copied
/// byte for byte. Written to a temporary file and renamed into place.
pub fn write_no_vocab_copy(src: &Path, h: &Header, dst: &Path) -> Result<()> {
    let arch = h.architecture().context("no general.architecture")?;
    let Some(Value::Array(_, tokens)) = h.get("tokenizer.ggml.tokens") else {
        bail!("no tokenizer.ggml.tokens array (read the header with its arrays)");
    };
    let size_key = format!("{arch}.vocab_size");
    let mut kv: Vec<(String, Value)> =
        h.kv.iter()
            .filter(|(k, _)| !VOCAB_ARRAYS.contains(&k.as_str()) && *k != size_key)
            .map(|(k, v)| {
                let v = if k == "tokenizer.ggml.model" {
                    Value::Str("no_vocab".into())
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect();
    kv.push((size_key, Value::U32(tokens.len() as u32)));
    let head = encode_header(&kv, &h.tensors, h.alignment)?;
    let mut from = std::fs::File::open(src)?;
    from.seek(SeekFrom::Start(h.data_offset))?;
    let dir = dst.parent().context("destination has no folder")?;
    std::fs::create_dir_all(dir)?;
    let tmp = crate::fsutil::tmp_beside(dst);
    let result = (|| -> Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        out.write_all(&head)?;
        std::io::copy(&mut from, &mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, dst)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn pad_to(n: u64, align: u64) -> u64 {
    n.div_ceil(align) * align
}

// ---------------------------------------------------------------------------
// Reader

#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    pub dims: Vec<u64>,
    pub ggml_type: u32,
    /// Offset from the start of the data section.
    pub offset: u64,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub version: u32,
    pub kv: Vec<(String, Value)>,
    pub tensors: Vec<TensorInfo>,
    pub alignment: u64,
    /// Absolute file offset of the data section.
    pub data_offset: u64,
}

impl Header {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.kv.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn architecture(&self) -> Option<&str> {
        self.get("general.architecture").and_then(Value::as_str)
    }

    /// Bytes the file needs to hold all tensors, when every tensor type is known.
    pub fn required_len(&self) -> Option<u64> {
        let mut end = self.data_offset;
        for t in &self.tensors {
            let n = tensor_nbytes(t.ggml_type, &t.dims)?;
            end = end.max(self.data_offset.checked_add(t.offset)?.checked_add(n)?);
        }
        Some(end)
    }
}

struct Reader<R> {
    r: R,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Reader<R> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        self.r
            .read_exact(&mut b)
            .map_err(|_| anyhow::anyhow!("header ends early, at byte {}", self.pos))?;
        self.pos += N as u64;
        Ok(b)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn remaining(&self) -> u64 {
        self.len.saturating_sub(self.pos)
    }
    fn string(&mut self) -> Result<String> {
        let n = self.u64()?;
        ensure!(
            n <= self.remaining(),
            "string of {n} bytes at byte {} runs past the end of the file",
            self.pos
        );
        let mut buf = vec![0u8; n as usize];
        self.r.read_exact(&mut buf)?;
        self.pos += n;
        String::from_utf8(buf)
            .map_err(|_| anyhow::anyhow!("string at byte {} is not UTF-8", self.pos - n))
    }
    fn skip(&mut self, n: u64) -> Result<()> {
        ensure!(
            n <= self.remaining(),
            "value of {n} bytes at byte {} runs past the end of the file",
            self.pos
        );
        if n <= 4096 {
            // Small skips (vocabulary strings) read through the buffer: a
            // seek would discard a BufReader's buffer every time.
            let mut scratch = [0u8; 4096];
            self.r
                .read_exact(&mut scratch[..n as usize])
                .map_err(|_| anyhow::anyhow!("header ends early, at byte {}", self.pos))?;
        } else {
            self.r.seek(SeekFrom::Current(n as i64))?;
        }
        self.pos += n;
        Ok(())
    }
    fn value(&mut self, ty: ValueType, keep_arrays: bool, depth: u32) -> Result<Value> {
        Ok(match ty {
            ValueType::U8 => Value::U8(self.bytes::<1>()?[0]),
            ValueType::I8 => Value::I8(self.bytes::<1>()?[0] as i8),
            ValueType::U16 => Value::U16(u16::from_le_bytes(self.bytes()?)),
            ValueType::I16 => Value::I16(i16::from_le_bytes(self.bytes()?)),
            ValueType::U32 => Value::U32(self.u32()?),
            ValueType::I32 => Value::I32(i32::from_le_bytes(self.bytes()?)),
            ValueType::F32 => Value::F32(f32::from_le_bytes(self.bytes()?)),
            ValueType::Bool => Value::Bool(self.bytes::<1>()?[0] != 0),
            ValueType::String => Value::Str(self.string()?),
            ValueType::U64 => Value::U64(self.u64()?),
            ValueType::I64 => Value::I64(i64::from_le_bytes(self.bytes()?)),
            ValueType::F64 => Value::F64(f64::from_le_bytes(self.bytes()?)),
            ValueType::Array => {
                ensure!(depth < 4, "arrays nested too deep at byte {}", self.pos);
                let raw = self.u32()?;
                let et = ValueType::from_u32(raw)
                    .ok_or_else(|| anyhow::anyhow!("unknown array element type {raw}"))?;
                let n = self.u64()?;
                ensure!(
                    n <= self.remaining(),
                    "array of {n} items at byte {} runs past the end of the file",
                    self.pos
                );
                let fixed = match et {
                    ValueType::U8 | ValueType::I8 | ValueType::Bool => Some(1),
                    ValueType::U16 | ValueType::I16 => Some(2),
                    ValueType::U32 | ValueType::I32 | ValueType::F32 => Some(4),
                    ValueType::U64 | ValueType::I64 | ValueType::F64 => Some(8),
                    ValueType::String | ValueType::Array => None,
                };
                if !keep_arrays {
                    match fixed {
                        Some(size) => self.skip(n.saturating_mul(size))?,
                        None if et == ValueType::String => {
                            for _ in 0..n {
                                let len = self.u64()?;
                                self.skip(len)?;
                            }
                        }
                        None => {
                            for _ in 0..n {
                                self.value(et, false, depth + 1)?;
                            }
                        }
                    }
                    Value::SkippedArray(et, n)
                } else {
                    let mut items = Vec::with_capacity(n.min(1 << 20) as usize);
                    for _ in 0..n {
                        items.push(self.value(et, true, depth + 1)?);
                    }
                    Value::Array(et, items)
                }
            }
        })
    }
}

/// Reads a GGUF header. With `keep_arrays == false` array values are
/// skipped (recorded as [`Value::SkippedArray`]), which keeps checking a
/// model with a large vocabulary cheap.
pub fn read_header<R: Read + Seek>(r: R, file_len: u64, keep_arrays: bool) -> Result<Header> {
    let mut rd = Reader {
        r,
        pos: 0,
        len: file_len,
    };
    let magic: [u8; 4] = rd
        .bytes()
        .map_err(|_| anyhow::anyhow!("file is too short to be a GGUF file"))?;
    ensure!(
        &magic == MAGIC,
        "not a GGUF file (starts with {:?}, expected \"GGUF\")",
        String::from_utf8_lossy(&magic)
    );
    let version = rd.u32()?;
    ensure!(
        (2..=3).contains(&version),
        "unsupported GGUF version {version}"
    );
    let n_tensors = rd.u64()?;
    let n_kv = rd.u64()?;
    ensure!(
        n_tensors <= rd.remaining() && n_kv <= rd.remaining(),
        "corrupt GGUF header (counts larger than the file)"
    );
    let mut kv = Vec::with_capacity(n_kv as usize);
    for _ in 0..n_kv {
        let key = rd.string()?;
        let raw = rd.u32()?;
        let ty = ValueType::from_u32(raw)
            .ok_or_else(|| anyhow::anyhow!("key {key}: unknown value type {raw}"))?;
        let v = rd
            .value(ty, keep_arrays, 0)
            .with_context(|| format!("key {key}"))?;
        kv.push((key, v));
    }
    let mut tensors = Vec::with_capacity(n_tensors as usize);
    for _ in 0..n_tensors {
        let name = rd.string()?;
        let n_dims = rd.u32()?;
        ensure!(
            (1..=4).contains(&n_dims),
            "tensor {name}: {n_dims} dimensions"
        );
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            dims.push(rd.u64()?);
        }
        let ggml_type = rd.u32()?;
        let offset = rd.u64()?;
        tensors.push(TensorInfo {
            name,
            dims,
            ggml_type,
            offset,
        });
    }
    let alignment = match kv
        .iter()
        .find(|(k, _)| k == "general.alignment")
        .map(|(_, v)| v)
    {
        Some(v) => v
            .as_u64()
            .filter(|a| *a > 0 && a.is_power_of_two())
            .context("bad general.alignment")?,
        None => DEFAULT_ALIGNMENT,
    };
    let data_offset = pad_to(rd.pos, alignment);
    Ok(Header {
        version,
        kv,
        tensors,
        alignment,
        data_offset,
    })
}

/// Checks that `path` is a complete GGUF file: magic, a readable header, and
/// a length that holds every tensor. Cheap (arrays are skipped, no data is
/// read). The error says what is wrong; callers add the path and the fix.
pub fn check_file(path: &Path) -> Result<Header> {
    let f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let h = read_header(BufReader::with_capacity(1 << 16, f), len, false)?;
    if let Some(need) = h.required_len() {
        ensure!(
            len >= need,
            "file is truncated: {len} bytes, its tensors need {need}"
        );
    }
    Ok(h)
}

// ---------------------------------------------------------------------------
// sentence-transformers BERT → GGUF

/// The tokenizer-type values llama.cpp reads from `tokenizer.ggml.token_type`.
const TOKEN_TYPE_NORMAL: i32 = 1;
const TOKEN_TYPE_CONTROL: i32 = 3;

/// Key under which the converter records the sentence-transformers maximum
/// sequence length (llama.cpp ignores it; the embedder truncates to it).
pub const MAX_SEQ_KEY: &str = "sentence_transformers.max_seq_length";

/// Converts a sentence-transformers BERT model into GGUF bytes.
///
/// `file` returns a file of the model folder by relative path (`config.json`,
/// `vocab.txt`, `model.safetensors`, `1_Pooling/config.json`, …), or `None`
/// when it does not exist.
pub fn convert_bert(
    name: &str,
    file: &mut dyn FnMut(&str) -> Result<Option<Vec<u8>>>,
    weights: WeightType,
) -> Result<Vec<u8>> {
    let json = |bytes: Option<Vec<u8>>, what: &str| -> Result<Option<serde_json::Value>> {
        bytes
            .map(|b| serde_json::from_slice(&b).with_context(|| format!("{what}: invalid JSON")))
            .transpose()
    };
    let config = json(file("config.json")?, "config.json")?.context("config.json missing")?;
    let get_u = |k: &str| -> Result<u64> {
        config
            .get(k)
            .and_then(|v| v.as_u64())
            .with_context(|| format!("config.json: `{k}` missing or not a number"))
    };
    let model_type = config
        .get("model_type")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    ensure!(
        model_type == "bert",
        "config.json: model_type is `{model_type}`, only `bert` can be converted"
    );
    let act = config
        .get("hidden_act")
        .and_then(|v| v.as_str())
        .unwrap_or("gelu");
    ensure!(
        act == "gelu",
        "config.json: hidden_act `{act}` is not supported (llama.cpp's bert uses gelu)"
    );
    let pos_type = config
        .get("position_embedding_type")
        .and_then(|v| v.as_str())
        .unwrap_or("absolute");
    ensure!(
        pos_type == "absolute",
        "config.json: position_embedding_type `{pos_type}` is not supported"
    );
    let n_embd = get_u("hidden_size")?;
    let n_layer = get_u("num_hidden_layers")?;
    let n_head = get_u("num_attention_heads")?;
    let n_ff = get_u("intermediate_size")?;
    let n_ctx = get_u("max_position_embeddings")?;
    let n_types = config
        .get("type_vocab_size")
        .and_then(|v| v.as_u64())
        .unwrap_or(2);
    let eps = config
        .get("layer_norm_eps")
        .and_then(|v| v.as_f64())
        .unwrap_or(1e-12) as f32;

    // Pooling as sentence-transformers declares it (llama_pooling_type numbers).
    let pooling = match json(file("1_Pooling/config.json")?, "1_Pooling/config.json")? {
        None => 1, // plain BERT checkpoints: mean pooling is the usual choice
        Some(p) => {
            let on = |k: &str| p.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
            if on("pooling_mode_mean_tokens") {
                1
            } else if on("pooling_mode_cls_token") {
                2
            } else if on("pooling_mode_lasttoken") {
                3
            } else {
                bail!(
                    "1_Pooling/config.json: only mean, CLS or last-token pooling can be run by llama.cpp"
                )
            }
        }
    };
    let max_seq = json(
        file("sentence_bert_config.json")?,
        "sentence_bert_config.json",
    )?
    .and_then(|c| c.get("max_seq_length").and_then(|v| v.as_u64()))
    .unwrap_or(n_ctx)
    .min(n_ctx);

    // Lower-casing: the tokenizer.json normalizer, else tokenizer_config.json.
    let tok_json = json(file("tokenizer.json")?, "tokenizer.json")?;
    let tok_cfg = json(file("tokenizer_config.json")?, "tokenizer_config.json")?;
    let lowercase = tok_json
        .as_ref()
        .and_then(|t| t.pointer("/normalizer/lowercase"))
        .and_then(|v| v.as_bool())
        .or_else(|| {
            tok_cfg
                .as_ref()
                .and_then(|c| c.get("do_lower_case"))
                .and_then(|v| v.as_bool())
        })
        .unwrap_or(true);

    // WordPiece vocabulary, in llama.cpp's form: a word-initial piece gets
    // the phantom space "▁", a continuation loses its "##"; special tokens stay.
    let vocab_txt = file("vocab.txt")?.context("vocab.txt missing")?;
    let vocab_txt = String::from_utf8(vocab_txt).context("vocab.txt is not UTF-8")?;
    let raw: Vec<&str> = vocab_txt.lines().collect();
    let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
    let id_of = |t: &str| raw.iter().position(|x| *x == t).map(|i| i as u32);
    let mut tokens = Vec::with_capacity(raw.len());
    let mut types = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    for t in &raw {
        let (text, ty) = if specials.contains(t) {
            (t.to_string(), TOKEN_TYPE_CONTROL)
        } else if let Some(rest) = t.strip_prefix("##") {
            (rest.to_string(), TOKEN_TYPE_NORMAL)
        } else {
            (format!("\u{2581}{t}"), TOKEN_TYPE_NORMAL)
        };
        // llama.cpp aborts on duplicate token texts; refuse them here instead.
        ensure!(
            seen.insert(text.clone()),
            "vocab.txt: token `{t}` maps to a duplicate entry"
        );
        tokens.push(Value::Str(text));
        types.push(Value::I32(ty));
    }
    let vocab_size = get_u("vocab_size")?;
    ensure!(
        tokens.len() as u64 == vocab_size,
        "vocab.txt has {} tokens, config.json says {vocab_size}",
        tokens.len()
    );
    let cls = id_of("[CLS]").context("vocab.txt has no [CLS]")?;
    let sep = id_of("[SEP]").context("vocab.txt has no [SEP]")?;
    let unk = id_of("[UNK]").context("vocab.txt has no [UNK]")?;
    let pad = id_of("[PAD]").unwrap_or(0);
    let mask = id_of("[MASK]");

    let mut w = Writer::new();
    w.add("general.architecture", Value::Str("bert".into()));
    w.add("general.name", Value::Str(name.into()));
    w.add("general.file_type", Value::U32(weights.file_type()));
    if !matches!(weights, WeightType::F32 | WeightType::F16) {
        w.add("general.quantization_version", Value::U32(2));
    }
    w.add("bert.context_length", Value::U32(n_ctx as u32));
    w.add("bert.embedding_length", Value::U32(n_embd as u32));
    w.add("bert.feed_forward_length", Value::U32(n_ff as u32));
    w.add("bert.block_count", Value::U32(n_layer as u32));
    w.add("bert.attention.head_count", Value::U32(n_head as u32));
    w.add("bert.attention.layer_norm_epsilon", Value::F32(eps));
    w.add("bert.attention.causal", Value::Bool(false));
    w.add("bert.pooling_type", Value::U32(pooling));
    w.add(MAX_SEQ_KEY, Value::U32(max_seq as u32));
    w.add("tokenizer.ggml.model", Value::Str("bert".into()));
    w.add(
        "tokenizer.ggml.tokens",
        Value::Array(ValueType::String, tokens),
    );
    w.add(
        "tokenizer.ggml.token_type",
        Value::Array(ValueType::I32, types),
    );
    w.add(
        "tokenizer.ggml.token_type_count",
        Value::U32(n_types as u32),
    );
    w.add("tokenizer.ggml.bos_token_id", Value::U32(cls));
    w.add("tokenizer.ggml.cls_token_id", Value::U32(cls));
    w.add("tokenizer.ggml.seperator_token_id", Value::U32(sep));
    w.add("tokenizer.ggml.unknown_token_id", Value::U32(unk));
    w.add("tokenizer.ggml.padding_token_id", Value::U32(pad));
    if let Some(m) = mask {
        w.add("tokenizer.ggml.mask_token_id", Value::U32(m));
    }
    w.add(
        "tokenizer.ggml.normalizer.lowercase",
        Value::Bool(lowercase),
    );

    let st_bytes = file("model.safetensors")?.context("model.safetensors missing")?;
    let st = safetensors::SafeTensors::deserialize(&st_bytes)
        .context("model.safetensors is not valid safetensors")?;
    let prefix = if st.names().iter().any(|n| n.starts_with("bert.embeddings.")) {
        "bert."
    } else {
        ""
    };
    let load = |hf: &str| -> Result<(Vec<u64>, Vec<f32>)> {
        let full = format!("{prefix}{hf}");
        let t = st
            .tensor(&full)
            .with_context(|| format!("model.safetensors has no tensor {full}"))?;
        let data = t.data();
        let vals: Vec<f32> = match t.dtype() {
            safetensors::Dtype::F32 => data
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            safetensors::Dtype::F16 => data
                .chunks_exact(2)
                .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            safetensors::Dtype::BF16 => data
                .chunks_exact(2)
                .map(|c| f32::from_bits((u16::from_le_bytes([c[0], c[1]]) as u32) << 16))
                .collect(),
            other => bail!("tensor {full}: dtype {other:?} is not supported"),
        };
        // ggml order is the reverse of the PyTorch shape.
        let dims: Vec<u64> = t.shape().iter().rev().map(|&d| d as u64).collect();
        Ok((dims, vals))
    };
    // (gguf name, hf name, expected ggml dims, may be quantised)
    let mut plan: Vec<(String, String, Vec<u64>, bool)> = vec![
        (
            "token_embd.weight".into(),
            "embeddings.word_embeddings.weight".into(),
            vec![n_embd, vocab_size],
            true,
        ),
        (
            "position_embd.weight".into(),
            "embeddings.position_embeddings.weight".into(),
            vec![n_embd, n_ctx],
            true,
        ),
        // the graph takes a 1-d view of row 0: keep it f32
        (
            "token_types.weight".into(),
            "embeddings.token_type_embeddings.weight".into(),
            vec![n_embd, n_types],
            false,
        ),
        (
            "token_embd_norm.weight".into(),
            "embeddings.LayerNorm.weight".into(),
            vec![n_embd],
            false,
        ),
        (
            "token_embd_norm.bias".into(),
            "embeddings.LayerNorm.bias".into(),
            vec![n_embd],
            false,
        ),
    ];
    for i in 0..n_layer {
        let hf = |s: &str| format!("encoder.layer.{i}.{s}");
        let gg = |s: &str| format!("blk.{i}.{s}");
        for (g, h, rows, cols) in [
            ("attn_q", "attention.self.query", n_embd, n_embd),
            ("attn_k", "attention.self.key", n_embd, n_embd),
            ("attn_v", "attention.self.value", n_embd, n_embd),
            ("attn_output", "attention.output.dense", n_embd, n_embd),
            ("ffn_up", "intermediate.dense", n_ff, n_embd),
            ("ffn_down", "output.dense", n_embd, n_ff),
        ] {
            plan.push((
                gg(&format!("{g}.weight")),
                hf(&format!("{h}.weight")),
                vec![cols, rows],
                true,
            ));
            plan.push((
                gg(&format!("{g}.bias")),
                hf(&format!("{h}.bias")),
                vec![rows],
                false,
            ));
        }
        for (g, h) in [
            ("attn_output_norm", "attention.output.LayerNorm"),
            ("layer_output_norm", "output.LayerNorm"),
        ] {
            plan.push((
                gg(&format!("{g}.weight")),
                hf(&format!("{h}.weight")),
                vec![n_embd],
                false,
            ));
            plan.push((
                gg(&format!("{g}.bias")),
                hf(&format!("{h}.bias")),
                vec![n_embd],
                false,
            ));
        }
    }
    for (gname, hname, want, quantisable) in plan {
        let (dims, vals) = load(&hname)?;
        ensure!(
            dims == want,
            "tensor {hname}: shape {dims:?} (ggml order), expected {want:?}"
        );
        let ty = if !quantisable || dims.len() < 2 {
            WeightType::F32
        } else if weights != WeightType::F32 && dims[0] % QK8_0 as u64 != 0 {
            WeightType::F16
        } else if matches!(weights, WeightType::Q4_0 | WeightType::Iq4Nl)
            && !gname.starts_with("blk.")
        {
            // embeddings are looked up, not multiplied: keep them at 8 bits
            WeightType::Q8_0
        } else {
            weights
        };
        let bytes = match ty {
            WeightType::F32 => vals.iter().flat_map(|v| v.to_le_bytes()).collect(),
            WeightType::F16 => vals
                .iter()
                .flat_map(|v| f32_to_f16(*v).to_le_bytes())
                .collect(),
            WeightType::Q8_0 => quantize_q8_0(&vals),
            WeightType::Q4_0 => quantize_q4_0(&vals),
            WeightType::Iq4Nl => quantize_iq4_nl(&vals),
        };
        w.add_tensor(&gname, dims, ty.ggml_type(), bytes)?;
    }
    let mut out = Vec::new();
    w.write(&mut out)?;
    Ok(out)
}

/// [`convert_bert`] reading from a model folder on disk.
pub fn convert_bert_dir(name: &str, dir: &Path, weights: WeightType) -> Result<Vec<u8>> {
    convert_bert(
        name,
        &mut |rel| match std::fs::read(dir.join(rel)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", dir.join(rel).display())),
        },
        weights,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn f16_round_trip_and_rounding() {
        for &x in &[
            0.0f32,
            -0.0,
            1.0,
            -2.5,
            65504.0,
            6.1035156e-5,
            5.9604645e-8,
            0.333333,
            1e-3,
            -7.75,
        ] {
            let h = f32_to_f16(x);
            let back = f16_to_f32(h);
            assert!(
                (back - x).abs() <= x.abs() * 1e-3 + 6e-8,
                "{x} -> {h:#06x} -> {back}"
            );
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(-2.0), 0xc000);
        assert_eq!(f32_to_f16(65504.0), 0x7bff);
        assert_eq!(f32_to_f16(1e6), 0x7c00); // overflow → inf
        assert_eq!(f32_to_f16(5.9604645e-8), 0x0001); // smallest subnormal
        // halfway between 1.0 and the next half (1 + 2^-11) rounds to even (1.0)
        assert_eq!(f32_to_f16(1.0 + 2f32.powi(-11)), 0x3c00);
        // just above halfway rounds up
        assert_eq!(f32_to_f16(1.0 + 2f32.powi(-11) + 2f32.powi(-20)), 0x3c01);
        assert!(f16_to_f32(f32_to_f16(f32::NAN)).is_nan());
        // every half value survives f16 -> f32 -> f16
        for h in 0u16..=0xffff {
            let f = f16_to_f32(h);
            if !f.is_nan() {
                assert_eq!(f32_to_f16(f), h, "{h:#06x}");
            }
        }
    }

    #[test]
    fn q8_0_matches_reference_rounding() {
        let x: Vec<f32> = (0..64).map(|i| ((i as f32) * 0.37).sin() * 3.0).collect();
        let q = quantize_q8_0(&x);
        assert_eq!(q.len(), 2 * 34);
        let back = dequantize_q8_0(&q);
        let amax = x[..32].iter().fold(0f32, |a, v| a.max(v.abs()));
        for (a, b) in x.iter().zip(&back) {
            assert!((a - b).abs() <= amax / 127.0, "{a} vs {b}");
        }
        // the largest magnitude maps to ±127
        let i = x[..32].iter().position(|v| v.abs() == amax).unwrap();
        assert_eq!((q[2 + i] as i8).unsigned_abs(), 127);
        // all-zero block: scale 0, values 0
        let z = quantize_q8_0(&[0.0; 32]);
        assert!(z.iter().all(|&b| b == 0));
    }

    /// Values of 4-bit blocks (Q4_0 when `levels` is `None`, else IQ4_NL).
    fn dequantize_4bit(bytes: &[u8], levels: Option<&[i8; 16]>) -> Vec<f32> {
        let mut out = Vec::new();
        for block in bytes.chunks_exact(18) {
            let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
            let level = |c: u8| match levels {
                Some(l) => l[c as usize] as f32,
                None => c as f32 - 8.0,
            };
            let lo: Vec<f32> = block[2..].iter().map(|&q| level(q & 15) * d).collect();
            let hi: Vec<f32> = block[2..].iter().map(|&q| level(q >> 4) * d).collect();
            out.extend(lo);
            out.extend(hi);
        }
        out
    }

    #[test]
    fn q4_0_layout_and_error() {
        // -4.0 is the largest magnitude: d = -4 / -8 = 0.5, and value j of
        // (j % 16 - 8) * 0.5 gets code j % 16, low nibble j, high nibble j + 16.
        let x: Vec<f32> = (0..32).map(|j| ((j % 16) as f32 - 8.0) * 0.5).collect();
        let q = quantize_q4_0(&x);
        assert_eq!(q.len(), 18);
        assert_eq!(f16_to_f32(u16::from_le_bytes([q[0], q[1]])), 0.5);
        for j in 0..16 {
            assert_eq!(q[2 + j], (j as u8) | ((j as u8) << 4), "byte {j}");
        }
        assert_eq!(dequantize_4bit(&q, None), x);
        // Smooth data: every value within one step of the scale.
        let x: Vec<f32> = (0..256).map(|i| ((i as f32) * 0.37).sin() * 3.0).collect();
        let back = dequantize_4bit(&quantize_q4_0(&x), None);
        for (blk, (xs, bs)) in x.chunks(32).zip(back.chunks(32)).enumerate() {
            let step = xs.iter().fold(0f32, |a, v| a.max(v.abs())) / 8.0;
            for (a, b) in xs.iter().zip(bs) {
                assert!((a - b).abs() <= step * 1.01, "block {blk}: {a} vs {b}");
            }
        }
        assert!(quantize_q4_0(&[0.0; 32])[2..].iter().all(|&b| b == 0x88));
    }

    #[test]
    fn iq4_nl_beats_q4_0_on_bell_shaped_weights() {
        // Weights cluster near zero: IQ4_NL's levels are denser there, so its
        // squared error must be well below Q4_0's on the same values.
        let mut r = crate::rng::Rng::new(7);
        let x: Vec<f32> = (0..32 * 64)
            .map(|_| (0..4).map(|_| r.f64() as f32 - 0.5).sum())
            .collect();
        let mse = |back: Vec<f32>| {
            x.iter()
                .zip(&back)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f32>()
                / x.len() as f32
        };
        let q4 = mse(dequantize_4bit(&quantize_q4_0(&x), None));
        let iq4 = mse(dequantize_4bit(&quantize_iq4_nl(&x), Some(&IQ4_NL_LEVELS)));
        assert!(iq4 < q4 * 0.9, "iq4_nl mse {iq4} vs q4_0 {q4}");
        assert!(quantize_iq4_nl(&[0.0; 32])[..2] == [0, 0]);
    }

    fn sample_writer() -> Writer {
        let mut w = Writer::new();
        w.add("general.architecture", Value::Str("test".into()));
        w.add("test.count", Value::U32(7));
        w.add("test.flag", Value::Bool(true));
        w.add("test.eps", Value::F32(1e-12));
        w.add("test.big", Value::U64(1 << 40));
        w.add(
            "test.words",
            Value::Array(
                ValueType::String,
                vec![Value::Str("a".into()), Value::Str("▁bé".into())],
            ),
        );
        w.add(
            "test.ids",
            Value::Array(ValueType::I32, vec![Value::I32(-1), Value::I32(3)]),
        );
        let t1: Vec<u8> = (0..3 * 2).flat_map(|i| (i as f32).to_le_bytes()).collect();
        w.add_tensor("t1", vec![3, 2], GGML_TYPE_F32, t1).unwrap();
        let t2 = quantize_q8_0(&[0.5; 64]);
        w.add_tensor("t2", vec![32, 2], GGML_TYPE_Q8_0, t2).unwrap();
        w
    }

    #[test]
    fn header_round_trip() {
        let mut buf = Vec::new();
        sample_writer().write(&mut buf).unwrap();
        let h = read_header(Cursor::new(&buf), buf.len() as u64, true).unwrap();
        assert_eq!(h.version, 3);
        assert_eq!(h.architecture(), Some("test"));
        assert_eq!(h.get("test.count"), Some(&Value::U32(7)));
        assert_eq!(h.get("test.flag"), Some(&Value::Bool(true)));
        assert_eq!(h.get("test.eps"), Some(&Value::F32(1e-12)));
        assert_eq!(h.get("test.big").and_then(Value::as_u64), Some(1 << 40));
        assert_eq!(
            h.get("test.words"),
            Some(&Value::Array(
                ValueType::String,
                vec![Value::Str("a".into()), Value::Str("▁bé".into())]
            ))
        );
        assert_eq!(
            h.get("test.ids"),
            Some(&Value::Array(
                ValueType::I32,
                vec![Value::I32(-1), Value::I32(3)]
            ))
        );
        assert_eq!(h.tensors.len(), 2);
        assert_eq!(
            h.tensors[0],
            TensorInfo {
                name: "t1".into(),
                dims: vec![3, 2],
                ggml_type: 0,
                offset: 0
            }
        );
        assert_eq!(h.tensors[1].offset, 32); // 24 bytes padded to 32
        assert_eq!(h.data_offset % 32, 0);
        // the file ends with the last tensor, padded to the alignment
        let need = h.required_len().unwrap();
        assert!(
            need <= buf.len() as u64 && buf.len() as u64 - need < 32,
            "{need} vs {}",
            buf.len()
        );
        assert_eq!(buf.len() % 32, 0);
        // tensor data is where the header says
        let d = h.data_offset as usize;
        assert_eq!(
            f32::from_le_bytes(buf[d + 4..d + 8].try_into().unwrap()),
            1.0
        );
        // skipping arrays reads the same scalars and tensors
        let s = read_header(Cursor::new(&buf), buf.len() as u64, false).unwrap();
        assert_eq!(
            s.get("test.words"),
            Some(&Value::SkippedArray(ValueType::String, 2))
        );
        assert_eq!(s.tensors, h.tensors);
        assert_eq!(s.data_offset, h.data_offset);
        // writing is deterministic
        let mut again = Vec::new();
        sample_writer().write(&mut again).unwrap();
        assert_eq!(buf, again);
    }

    #[test]
    fn check_file_catches_truncation_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let mut buf = Vec::new();
        sample_writer().write(&mut buf).unwrap();
        let good = dir.path().join("good.gguf");
        std::fs::write(&good, &buf).unwrap();
        check_file(&good).unwrap();

        let cut = dir.path().join("cut.gguf");
        std::fs::write(&cut, &buf[..buf.len() - 40]).unwrap();
        let e = check_file(&cut).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");

        let head_only = dir.path().join("head.gguf");
        std::fs::write(&head_only, &buf[..40]).unwrap();
        assert!(check_file(&head_only).is_err());

        let junk = dir.path().join("junk.gguf");
        std::fs::write(&junk, b"<html>not found</html>").unwrap();
        let e = check_file(&junk).unwrap_err().to_string();
        assert!(e.contains("not a GGUF file"), "{e}");

        let empty = dir.path().join("empty.gguf");
        std::fs::write(&empty, b"").unwrap();
        assert!(check_file(&empty).is_err());
    }

    /// A tiny BERT in sentence-transformers layout, to test the conversion
    /// without weights from the network.
    fn tiny_bert(dir: &Path) {
        let (h, ff, layers, ctx, types) = (32usize, 64usize, 2usize, 16usize, 2usize);
        let vocab = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "##s", "sat",
        ];
        std::fs::write(dir.join("vocab.txt"), vocab.join("\n") + "\n").unwrap();
        std::fs::write(
            dir.join("config.json"),
            serde_json::json!({"model_type":"bert","hidden_act":"gelu","hidden_size":h,"num_hidden_layers":layers,
                "num_attention_heads":4,"intermediate_size":ff,"max_position_embeddings":ctx,"type_vocab_size":types,
                "layer_norm_eps":1e-12,"vocab_size":vocab.len()})
            .to_string(),
        )
        .unwrap();
        std::fs::create_dir_all(dir.join("1_Pooling")).unwrap();
        std::fs::write(
            dir.join("1_Pooling/config.json"),
            r#"{"pooling_mode_mean_tokens": true}"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("sentence_bert_config.json"),
            r#"{"max_seq_length": 8}"#,
        )
        .unwrap();
        let mut tensors: Vec<(String, Vec<usize>)> = vec![
            (
                "embeddings.word_embeddings.weight".into(),
                vec![vocab.len(), h],
            ),
            ("embeddings.position_embeddings.weight".into(), vec![ctx, h]),
            (
                "embeddings.token_type_embeddings.weight".into(),
                vec![types, h],
            ),
            ("embeddings.LayerNorm.weight".into(), vec![h]),
            ("embeddings.LayerNorm.bias".into(), vec![h]),
            ("embeddings.position_ids".into(), vec![1, ctx]),
        ];
        for i in 0..layers {
            for (n, s) in [
                ("attention.self.query", vec![h, h]),
                ("attention.self.key", vec![h, h]),
                ("attention.self.value", vec![h, h]),
                ("attention.output.dense", vec![h, h]),
                ("intermediate.dense", vec![ff, h]),
                ("output.dense", vec![h, ff]),
            ] {
                tensors.push((format!("encoder.layer.{i}.{n}.bias"), vec![s[0]]));
                tensors.push((format!("encoder.layer.{i}.{n}.weight"), s));
            }
            for n in ["attention.output.LayerNorm", "output.LayerNorm"] {
                tensors.push((format!("encoder.layer.{i}.{n}.weight"), vec![h]));
                tensors.push((format!("encoder.layer.{i}.{n}.bias"), vec![h]));
            }
        }
        let datas: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
            .into_iter()
            .enumerate()
            .map(|(k, (n, s))| {
                let count: usize = s.iter().product();
                let bytes = (0..count)
                    .flat_map(|i| (((i * 7 + k) % 13) as f32 * 0.01 - 0.06).to_le_bytes())
                    .collect();
                (n, s, bytes)
            })
            .collect();
        let views: Vec<(String, safetensors::tensor::TensorView)> = datas
            .iter()
            .map(|(n, s, b)| {
                (
                    n.clone(),
                    safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), b)
                        .unwrap(),
                )
            })
            .collect();
        safetensors::serialize_to_file(views, None, &dir.join("model.safetensors")).unwrap();
    }

    #[test]
    fn converts_a_tiny_bert_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        tiny_bert(dir.path());
        let a = convert_bert_dir("tiny", dir.path(), WeightType::Q8_0).unwrap();
        let b = convert_bert_dir("tiny", dir.path(), WeightType::Q8_0).unwrap();
        assert_eq!(a, b, "conversion must be deterministic");
        let h = read_header(Cursor::new(&a), a.len() as u64, true).unwrap();
        assert_eq!(h.architecture(), Some("bert"));
        assert_eq!(h.get("bert.attention.causal"), Some(&Value::Bool(false)));
        assert_eq!(h.get("bert.pooling_type"), Some(&Value::U32(1)));
        assert_eq!(h.get(MAX_SEQ_KEY), Some(&Value::U32(8)));
        assert_eq!(
            h.get("tokenizer.ggml.model").and_then(Value::as_str),
            Some("bert")
        );
        assert_eq!(
            h.get("tokenizer.ggml.normalizer.lowercase"),
            Some(&Value::Bool(true))
        );
        assert_eq!(h.get("tokenizer.ggml.bos_token_id"), Some(&Value::U32(2)));
        assert_eq!(
            h.get("tokenizer.ggml.seperator_token_id"),
            Some(&Value::U32(3))
        );
        let Some(Value::Array(_, toks)) = h.get("tokenizer.ggml.tokens") else {
            panic!()
        };
        let toks: Vec<&str> = toks.iter().filter_map(Value::as_str).collect();
        assert_eq!(
            toks,
            [
                "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "▁the", "▁cat", "s", "▁sat"
            ]
        );
        let Some(Value::Array(_, types)) = h.get("tokenizer.ggml.token_type") else {
            panic!()
        };
        assert_eq!(types[2], Value::I32(TOKEN_TYPE_CONTROL));
        assert_eq!(types[6], Value::I32(TOKEN_TYPE_NORMAL));
        let names: Vec<&str> = h.tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names.len(), 5 + 2 * 16);
        for n in [
            "token_embd.weight",
            "blk.1.attn_q.weight",
            "blk.0.ffn_down.bias",
            "blk.1.layer_output_norm.weight",
        ] {
            assert!(names.contains(&n), "{n}");
        }
        let t = |n: &str| h.tensors.iter().find(|t| t.name == n).unwrap();
        assert_eq!(t("blk.0.ffn_up.weight").dims, vec![32, 64]);
        assert_eq!(t("blk.0.ffn_up.weight").ggml_type, GGML_TYPE_Q8_0);
        assert_eq!(t("token_types.weight").ggml_type, GGML_TYPE_F32);
        assert_eq!(t("blk.0.attn_q.bias").ggml_type, GGML_TYPE_F32);
        assert!(h.required_len().unwrap() <= a.len() as u64);
        // the q8_0 weights decode back close to the originals
        let tw = t("blk.0.attn_q.weight");
        let start = (h.data_offset + tw.offset) as usize;
        let back = dequantize_q8_0(&a[start..start + 32 * 34]);
        let st_bytes = std::fs::read(dir.path().join("model.safetensors")).unwrap();
        let st = safetensors::SafeTensors::deserialize(&st_bytes).unwrap();
        let orig = st
            .tensor("encoder.layer.0.attention.self.query.weight")
            .unwrap();
        for (i, c) in orig.data().chunks_exact(4).enumerate() {
            let v = f32::from_le_bytes(c.try_into().unwrap());
            assert!((v - back[i]).abs() < 0.001, "{v} vs {}", back[i]);
        }
        // f16 is bigger and also deterministic
        let f = convert_bert_dir("tiny", dir.path(), WeightType::F16).unwrap();
        assert!(f.len() > a.len());
    }

    #[test]
    fn conversion_refuses_what_llama_cannot_run() {
        let dir = tempfile::tempdir().unwrap();
        tiny_bert(dir.path());
        std::fs::write(
            dir.path().join("1_Pooling/config.json"),
            r#"{"pooling_mode_max_tokens": true}"#,
        )
        .unwrap();
        let e = convert_bert_dir("tiny", dir.path(), WeightType::F16)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pooling"), "{e}");
        std::fs::remove_file(dir.path().join("vocab.txt")).unwrap();
        std::fs::write(
            dir.path().join("1_Pooling/config.json"),
            r#"{"pooling_mode_mean_tokens": true}"#,
        )
        .unwrap();
        let e = convert_bert_dir("tiny", dir.path(), WeightType::F16)
            .unwrap_err()
            .to_string();
        assert!(e.contains("vocab.txt"), "{e}");
    }
}
