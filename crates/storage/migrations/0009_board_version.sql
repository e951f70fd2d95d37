-- The task board's version (任务总表): a counter that every committed change able to alter what
-- task lists show moves (tasks, projects, units, templates, the calendar, imports, the daily
-- reschedule). Pages that list many tasks keep the board in memory and read it again only when
-- this moves, so a problem raised or a meeting minuted does not make the county's 15,000 tasks be
-- read again.
ALTER TABLE audit_head ADD COLUMN board_seq BIGINT NOT NULL DEFAULT 0;
