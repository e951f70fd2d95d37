-- chainforce data model v1.
--
-- One file serves SQLite and PostgreSQL. It uses only the SQL both accept, plus one token that
-- the migration runner replaces per backend: {{id}} is the auto-increment primary key.
-- Integers are BIGINT everywhere (the portable driver reads them as i64), dates are TEXT in
-- ISO 8601 ('YYYY-MM-DD'), timestamps TEXT in RFC 3339 UTC, and flags BIGINT 0/1.
-- Money is BIGINT in 元 (exact: 1 万元 = 10000); land area is BIGINT in 1/10000 亩.
-- Every editable row carries `version`, raised by each update, so a stale edit is detected.

CREATE TABLE regions (
    id {{id}},
    parent_id BIGINT REFERENCES regions(id),
    level TEXT NOT NULL,
    code TEXT,
    name TEXT NOT NULL,
    -- 黄灯 threshold: a task with total float at or below this many working days is yellow.
    yellow_float_days BIGINT NOT NULL DEFAULT 5,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE units (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    contact_person TEXT,
    phone TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (region_id, name)
);

CREATE TABLE enterprises (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    name TEXT NOT NULL,
    credit_code TEXT UNIQUE,
    legal_person TEXT,
    contact_person TEXT,
    phone TEXT,
    address TEXT,
    above_scale BIGINT NOT NULL DEFAULT 0,
    notes TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (region_id, name)
);

CREATE TABLE users (
    id {{id}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    region_id BIGINT NOT NULL REFERENCES regions(id),
    unit_id BIGINT REFERENCES units(id),
    enterprise_id BIGINT REFERENCES enterprises(id),
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- 产业链: a chain is data (nodes and "feeds" edges), so a county can hold several.
CREATE TABLE chains (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    name TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE chain_nodes (
    id {{id}},
    chain_id BIGINT NOT NULL REFERENCES chains(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    stage TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    UNIQUE (chain_id, code)
);

CREATE TABLE chain_edges (
    id {{id}},
    chain_id BIGINT NOT NULL REFERENCES chains(id) ON DELETE CASCADE,
    from_node_id BIGINT NOT NULL REFERENCES chain_nodes(id) ON DELETE CASCADE,
    to_node_id BIGINT NOT NULL REFERENCES chain_nodes(id) ON DELETE CASCADE,
    -- a declared recycling loop (回收 → 材料) is the one cycle a chain may have
    recycling BIGINT NOT NULL DEFAULT 0,
    UNIQUE (from_node_id, to_node_id)
);

CREATE TABLE enterprise_chain_nodes (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    node_id BIGINT NOT NULL REFERENCES chain_nodes(id) ON DELETE CASCADE,
    PRIMARY KEY (enterprise_id, node_id)
);

CREATE TABLE projects (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    code TEXT,
    name TEXT NOT NULL,
    enterprise_id BIGINT REFERENCES enterprises(id),
    chain_node_id BIGINT REFERENCES chain_nodes(id),
    township_id BIGINT REFERENCES units(id),
    lead_unit_id BIGINT REFERENCES units(id),
    leader TEXT,
    nature TEXT,
    location TEXT,
    content TEXT,
    capacity TEXT,
    total_investment_yuan BIGINT,
    fixed_investment_yuan BIGINT,
    agreed_investment_yuan BIGINT,
    annual_plan_investment_yuan BIGINT,
    land_area_raw BIGINT,
    stage TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'active',
    state_reason TEXT,
    target_start TEXT,
    -- The day the stored task schedule was last computed; schedules are refreshed daily because
    -- early dates run from "today".
    scheduled_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (region_id, code)
);
CREATE INDEX projects_region_stage ON projects (region_id, stage);

-- Planned and actual date per stage (签约, 供地, 开工 …), with who recorded it.
CREATE TABLE project_stage_dates (
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    planned_date TEXT,
    actual_date TEXT,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (project_id, stage)
);

CREATE TABLE tasks (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    responsible_unit_id BIGINT REFERENCES units(id),
    responsible_person TEXT,
    duration_days BIGINT NOT NULL,
    deadline TEXT,
    start_no_earlier TEXT,
    actual_start TEXT,
    actual_finish TEXT,
    progress TEXT NOT NULL,
    note TEXT,
    template_step TEXT,
    sort_order BIGINT NOT NULL DEFAULT 0,
    -- Written by the scheduler in the same transaction as every change that moves dates.
    early_start TEXT,
    early_finish TEXT,
    late_start TEXT,
    late_finish TEXT,
    total_float BIGINT,
    free_float BIGINT,
    critical BIGINT NOT NULL DEFAULT 0,
    schedule_warning TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX tasks_project ON tasks (project_id);
CREATE INDEX tasks_unit ON tasks (responsible_unit_id);

CREATE TABLE task_dependencies (
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    predecessor_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    lag_days BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, predecessor_id)
);
CREATE INDEX task_dependencies_predecessor ON task_dependencies (predecessor_id);

-- Progress notes (进展情况) as a history, newest last.
CREATE TABLE task_updates (
    id {{id}},
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users(id),
    progress TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX task_updates_task ON task_updates (task_id);

-- 问题清单.
CREATE TABLE problems (
    id {{id}},
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    raised_by_user_id BIGINT REFERENCES users(id),
    raised_by_unit_id BIGINT REFERENCES units(id),
    raised_by_enterprise_id BIGINT REFERENCES enterprises(id),
    assigned_unit_id BIGINT REFERENCES units(id),
    deadline TEXT,
    status TEXT NOT NULL,
    answer TEXT,
    assigned_at TEXT,
    answered_at TEXT,
    solved_at TEXT,
    rating BIGINT,
    rating_comment TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX problems_project ON problems (project_id);
CREATE INDEX problems_unit ON problems (assigned_unit_id);

-- Holiday notices added by an administrator (a new year, or a region's own days), in the
-- machine-readable notice format; the built-in years ship with the binary.
CREATE TABLE calendar_notices (
    id {{id}},
    region_id BIGINT REFERENCES regions(id),
    year BIGINT NOT NULL,
    notice_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Task templates (approval chains) an administrator can edit, as the JSON the domain parses.
CREATE TABLE schedule_templates (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    template_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A region's own days off or working days on top of the national notices (a local festival).
CREATE TABLE calendar_region_days (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    day TEXT NOT NULL,
    is_off_day BIGINT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (region_id, day)
);

-- The audit trail. Not linked to users by foreign key: history outlives accounts.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- The chain head: the last sequence number and hash. Every write transaction updates this one
-- row, which also serialises audit appends on PostgreSQL (its row lock) as BEGIN IMMEDIATE
-- does on SQLite, so the chain never forks.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Small settings that an administrator changes without a rebuild (key → JSON value).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
