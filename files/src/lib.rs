//! Reading the files idflow is given — `.flow` sources, events, fixtures,
//! secrets, the manifest — safely: only regular files, and never more than
//! a limit.
//!
//! A size taken from the metadata is not a bound: a symlink to `/dev/zero`
//! or a FIFO reports a length of 0 and then reads forever (or blocks in
//! `open` until a writer comes). Every read here refuses what is not a
//! regular file before reading a byte, opens without blocking, checks the
//! opened handle again (the path may have changed in between), and reads
//! at most `limit + 1` bytes whatever the metadata said.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The largest JSON document read from a file — an event, a delivery, a
/// dry-run fixture: far above any real one, far below what would hurt.
pub const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, Error)]
pub enum ReadError {
    /// It does not exist or could not be opened.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// It is a directory.
    #[error("`{}` is a directory, not a file", path.display())]
    Directory {
        /// The directory.
        path: PathBuf,
    },
    /// It is a device, a FIFO or a socket.
    #[error("`{}` is {kind}, not a regular file", path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is: "a FIFO", "a character device", …
        kind: &'static str,
    },
    /// It is larger than the limit.
    #[error("`{}` is larger than {}, the most it may be", path.display(), size(*limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::Directory { path }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. } => path,
        }
    }
}

/// A size in the unit a reader thinks in.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes % 1024 == 0 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file that is not regular is, in words.
fn kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    let _ = file_type;
    "not a regular file"
}

/// Refuses what is not a regular file.
fn regular(path: &Path, file_type: std::fs::FileType) -> Result<(), ReadError> {
    if file_type.is_file() {
        Ok(())
    } else if file_type.is_dir() {
        Err(ReadError::Directory {
            path: path.to_owned(),
        })
    } else {
        Err(ReadError::NotRegular {
            path: path.to_owned(),
            kind: kind(file_type),
        })
    }
}

/// Opens a file for reading without waiting for a FIFO's writer.
fn open(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Whether `path` (symlinks followed) is a regular file; what it is
/// otherwise.
fn is_regular(path: &Path) -> Result<(), ReadError> {
    let metadata = std::fs::metadata(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    regular(path, metadata.file_type())
}

/// The bytes of the regular file at `path` (symlinks followed), at most
/// `limit` of them; an error for anything else.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    is_regular(path)?;
    let file = open(path).map_err(io)?;
    // The path may name something else by now: the handle decides.
    regular(path, file.metadata().map_err(io)?.file_type())?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

/// The UTF-8 text of the regular file at `path`, at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, TextError> {
    let bytes = read_regular(path, limit)?;
    String::from_utf8(bytes).map_err(|error| TextError::NotUtf8 {
        path: path.to_owned(),
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Why a text file could not be read.
#[derive(Debug, Error)]
pub enum TextError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Its bytes are not UTF-8.
    #[error("`{}` is not UTF-8 text (invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

    use super::*;

    #[test]
    fn a_regular_file_is_read_up_to_its_limit_and_refused_beyond() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.flow");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular(&path, 10).unwrap(), b"0123456789");
        let error = read_regular(&path, 9).unwrap_err();
        assert!(
            matches!(error, ReadError::TooLarge { limit: 9, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("larger than 9 bytes"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_dev_zero_is_refused_before_a_byte_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zero.flow");
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let error = read_regular(&path, 4 * 1024 * 1024).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("is a character device, not a regular file"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe.flow");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let error = read_regular(&path, 1024).unwrap_err();
        assert!(error.to_string().contains("is a FIFO"), "{error}");
    }

    #[test]
    fn a_directory_and_a_missing_file_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_regular(dir.path(), 10),
            Err(ReadError::Directory { .. })
        ));
        let missing = dir.path().join("missing.flow");
        let error = read_regular(&missing, 10).unwrap_err();
        assert_eq!(error.path(), missing);
    }

    #[test]
    fn text_that_is_not_utf8_names_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.flow");
        std::fs::write(&path, b"flow \xe9t\xe9").unwrap();
        let error = read_text(&path, 100).unwrap_err();
        assert!(error.to_string().contains("offset 5"), "{error}");
    }
}
