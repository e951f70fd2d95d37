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

-- 技术方案评审: the office asks a panel to review a project's technical plan. The sheet's
-- criteria and the panel rules are copied in (domain PanelCriterion list, PanelRules).
CREATE TABLE plan_reviews (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    plan TEXT NOT NULL,
    criteria_json TEXT NOT NULL,
    panel_json TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX plan_reviews_region ON plan_reviews (region_id);

-- The experts asked to review it.
CREATE TABLE plan_review_members (
    review_id BIGINT NOT NULL REFERENCES plan_reviews(id),
    expert_id BIGINT NOT NULL REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (review_id, expert_id)
);

-- One expert's sheet and opinion on the plan, or their conflict declaration (as panel_sheets).
CREATE TABLE plan_review_sheets (
    review_id BIGINT NOT NULL REFERENCES plan_reviews(id),
    expert_id BIGINT NOT NULL REFERENCES users(id),
    points_json TEXT,
    opinion TEXT NOT NULL DEFAULT '',
    conflict BIGINT NOT NULL DEFAULT 0,
    conflict_reason TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (review_id, expert_id)
);
