//! The service's lock on a SQLite store: one `idflow serve` per store file.
//!
//! Two services on one SQLite file would both dispatch, claim and poll —
//! SQLite keeps the file consistent, but the queue is not meant to be
//! shared (that is what a server-based store is for). The lock is an
//! exclusive `flock` on `STORE.serve.lock`, taken without waiting and held
//! for the life of the service; the file holds the holder's process id so
//! the refusal names it. The kernel releases the lock when the process
//! ends, however it ends: a `kill -9` leaves no stale lock behind.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why the lock could not be taken.
#[derive(Debug, Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "another `idflow serve` (process {holder}) already serves the store {}; stop it, or give this one another store",
        store.display()
    )]
    Held {
        /// The store.
        store: PathBuf,
        /// The holder's process id, as it wrote it.
        holder: String,
    },
    /// The lock file could not be used.
    #[error("cannot lock the store {}: {source}", store.display())]
    Io {
        /// The store.
        store: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// The lock, held while this lives.
#[derive(Debug)]
pub struct ServeLock {
    _file: File,
}

/// The lock file of a store.
fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(".serve.lock");
    PathBuf::from(name)
}

impl ServeLock {
    /// Takes the lock on `store` for this process, or names who holds it.
    pub fn acquire(store: &Path) -> Result<Self, LockError> {
        let io = |source| LockError::Io {
            store: store.to_owned(),
            source,
        };
        if let Some(dir) = store.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path(store))
            .map_err(io)?;
        if !try_lock(&file).map_err(io)? {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(LockError::Held {
                store: store.to_owned(),
                holder: if holder.is_empty() {
                    "unknown".to_owned()
                } else {
                    holder.to_owned()
                },
            });
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(ServeLock { _file: file })
    }
}

/// Takes an exclusive lock without waiting: whether it was free.
#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// Without `flock`, no lock is taken.
#[cfg(not(unix))]
fn try_lock(_: &File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

    use super::*;

    #[test]
    fn a_second_lock_on_the_same_store_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("state.db");
        let held = ServeLock::acquire(&store).unwrap();
        let error = ServeLock::acquire(&store).unwrap_err();
        let expected = format!("(process {})", std::process::id());
        assert!(error.to_string().contains(&expected), "{error}");
        drop(held);
        assert!(
            ServeLock::acquire(&store).is_ok(),
            "released with its holder"
        );
    }
}
