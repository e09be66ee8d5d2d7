//! The per-worker pipeline: decode → flow → reassemble → detect → verdict.
