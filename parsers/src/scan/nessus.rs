//! Nessus v2 (.nessus) reader.
