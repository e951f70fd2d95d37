-- The reference data's version (基础数据: regions and their settings, calendars, units,
-- enterprises, chain nodes, schedule templates): a counter that every committed change able to
-- alter them moves. Pages keep these lists in memory and read them again only when it moves, so a
-- problem raised or a task reported does not make every filter bar read the county's enterprises.
ALTER TABLE audit_head ADD COLUMN reference_seq BIGINT NOT NULL DEFAULT 0;
