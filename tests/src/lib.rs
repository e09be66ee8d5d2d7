//! Shared helpers for Portcullis integration tests.
