//! One writer at a time per tree: an OS file lock on `.mem/state/write.lock`
//! (released by the OS if the process dies), holding the owner's pid for the
//! "locked by pid N" message. Readers never take it.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

pub struct WriteLock {
    file: File,
}

impl WriteLock {
    /// Waits up to `timeout` for the lock.
    pub fn acquire(state_dir: &Path, timeout: Duration) -> Result<Self> {
        Self::acquire_named(state_dir, "write.lock", timeout)
    }

    /// The same, for another lock file in the state folder (e.g. the index's).
    pub fn acquire_named(state_dir: &Path, name: &str, timeout: Duration) -> Result<Self> {
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("creating {}", state_dir.display()))?;
        let path = state_dir.join(name);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let start = Instant::now();
        let mut wait = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    if start.elapsed() >= timeout {
                        let mut owner = String::new();
                        let _ = file.read_to_string(&mut owner);
                        let owner = owner.trim();
                        bail!(
                            "{} is locked by pid {} (waited {} ms); try again when it finishes, or raise limits.lock_timeout_ms",
                            if name == "write.lock" {
                                "the tree".to_string()
                            } else {
                                format!("the {name}")
                            },
                            if owner.is_empty() { "unknown" } else { owner },
                            timeout.as_millis()
                        );
                    }
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_millis(50));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {}", path.display()));
                }
            }
        }
        file.set_len(0)?;
        file.seek(SeekFrom::Start(0))?;
        write!(file, "{}", std::process::id())?;
        Ok(Self { file })
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}
