//! Shared helpers for Portcullis integration tests.

pub mod verify;
