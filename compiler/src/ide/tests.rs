//! Tests of the editor queries.
