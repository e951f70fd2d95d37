//! 倒排工期 — critical-path scheduling (being written).
