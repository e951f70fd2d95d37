//! 红黄绿 — task status from the schedule (being written).
