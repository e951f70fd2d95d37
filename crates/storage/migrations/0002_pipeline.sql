-- The project pipeline (issue 4): stage history, monthly progress reports, attachments.
-- Same conventions as 0001: {{id}} is the auto-increment key, dates TEXT 'YYYY-MM-DD', money
-- as Amount raw (万元 × 10 000 = 元), flags 0/1.

-- 阶段变更: every move on the road (签约 → … → 达产) and every 暂停 / 终止 / 恢复, with its date,
-- who recorded it and why. Never updated or deleted: the project's history.
CREATE TABLE project_stage_changes (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    changed_on TEXT NOT NULL,
    reason TEXT,
    -- The office overrode the 供地-before-开工 rule.
    overridden BIGINT NOT NULL DEFAULT 0,
    by_user_id BIGINT,
    by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX project_stage_changes_project ON project_stage_changes (project_id, id);

-- 月度填报: one report per project and month; a resubmission edits it (with its version).
CREATE TABLE monthly_reports (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    -- The first day of the month reported.
    month TEXT NOT NULL,
    completed_yuan BIGINT NOT NULL,
    progress TEXT NOT NULL,
    reported_by_user_id BIGINT,
    reported_by_name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, month)
);
CREATE INDEX monthly_reports_month ON monthly_reports (month);

-- 附件: files kept in the data directory under a generated key (never the uploaded name); the
-- row says what they belong to, which decides who may download them.
CREATE TABLE attachments (
    id {{id}},
    storage_key TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    -- One of: a task's progress note, or a monthly report.
    task_id BIGINT REFERENCES tasks(id) ON DELETE CASCADE,
    task_update_id BIGINT REFERENCES task_updates(id) ON DELETE CASCADE,
    monthly_report_id BIGINT REFERENCES monthly_reports(id) ON DELETE CASCADE,
    uploaded_by_user_id BIGINT,
    uploaded_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_task ON attachments (task_id);
CREATE INDEX attachments_report ON attachments (monthly_report_id);
