//! TCP stream reassembly, per direction.
