//! 工作日历 — China's working-day calendar (being written).
