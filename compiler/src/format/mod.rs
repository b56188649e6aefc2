//! Formatter.
