//! 模板 — approval-chain templates (being written).
