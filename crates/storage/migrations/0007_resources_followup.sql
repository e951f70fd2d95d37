-- 好资源配给好东家, continued (issue 9).
--
-- A commitment behind schedule goes on the next meeting's agenda; it belongs to an enterprise,
-- not to a project, so an agenda item's project becomes optional. SQLite cannot drop a NOT NULL
-- constraint in place, so the table is rebuilt the way both backends accept; nothing refers to
-- an agenda item's id, so the rows are copied in their order and get fresh ids.
CREATE TABLE meeting_agenda_items_v7 (
    id {{id}},
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    section TEXT NOT NULL,
    -- task | problem | project | commitment
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    project_id BIGINT,
    project_name TEXT,
    unit_id BIGINT,
    unit_name TEXT,
    due TEXT,
    state TEXT NOT NULL,
    days_overdue BIGINT NOT NULL,
    carried BIGINT NOT NULL,
    investment_raw BIGINT
);
INSERT INTO meeting_agenda_items_v7 (meeting_id, position, section, kind, ref_id, title, project_id, project_name, unit_id,
    unit_name, due, state, days_overdue, carried, investment_raw)
SELECT meeting_id, position, section, kind, ref_id, title, project_id, project_name, unit_id, unit_name, due, state,
    days_overdue, carried, investment_raw FROM meeting_agenda_items ORDER BY id;
DROP TABLE meeting_agenda_items;
ALTER TABLE meeting_agenda_items_v7 RENAME TO meeting_agenda_items;
CREATE INDEX meeting_agenda_items_meeting ON meeting_agenda_items (meeting_id, position);
CREATE INDEX meeting_agenda_items_ref ON meeting_agenda_items (kind, ref_id);
