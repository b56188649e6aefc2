//! Source files and byte-offset spans.
//!
//! Every node of the syntax tree carries a [`Span`]: the file it comes from and
//! a half-open range of byte offsets into that file's text. Conversion to lines
//! and columns happens only at the edges (rendering, the language server).

use serde::{Deserialize, Serialize};

/// Identifies one source file inside a [`SourceMap`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct FileId(pub u32);

/// A half-open byte range `start..end` in one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span over `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self {
            file,
            start: offset(start),
            end: offset(end),
        }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range as `usize`, for slicing the file's text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The same span moved `by` bytes to the right.
    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.file, self.start as usize + by, self.end as usize + by)
    }
}

/// The largest source file callers hand the compiler: no real flow file
/// comes close, and spans are 32-bit offsets. The CLI refuses larger files;
/// the language server skips them.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Whether a folder is left out when a project's `.flow` files are looked
/// for: hidden folders, build output and Node.js packages.
pub fn skips_folder(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// Offsets are stored as `u32`: the CLI refuses files above a few megabytes long
/// before they reach the compiler, so saturating here can never be observed.
fn offset(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// One source file: its display name and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics, usually a path relative to the project.
    pub name: String,
    /// The whole text of the file.
    pub text: String,
}

/// The files of a compilation, addressed by [`FileId`]. The compiler never reads
/// the file system: its callers (CLI, language server, tests) fill this map.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(offset(self.files.len()));
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        id
    }

    /// Replaces the text of a file; false when there is no such file.
    pub fn set_text(&mut self, id: FileId, text: impl Into<String>) -> bool {
        match self.files.get_mut(id.0 as usize) {
            Some(file) => {
                file.text = text.into();
                true
            }
            None => false,
        }
    }

    /// The file with this id, if it exists.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(offset(index)), file))
    }
}
