-- 调度例会 (dispatch meetings), group-robot reminders and units' calendar feeds (issue 6).
-- Same conventions as 0001: {{id}} is the only per-backend token; BIGINT and TEXT only; dates
-- 'YYYY-MM-DD', timestamps RFC 3339 UTC ('YYYY-MM-DDTHH:MM:SSZ', so text order is time order).

CREATE TABLE meetings (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    -- 第N次
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    -- 'HH:MM', China time
    start_time TEXT,
    location TEXT,
    chair TEXT NOT NULL,
    other_attendees TEXT,
    -- planned | held | minutes_issued
    state TEXT NOT NULL,
    held_at TEXT,
    minutes_issued_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (region_id, number)
);

CREATE TABLE meeting_units (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, unit_id)
);

-- The agenda as it stood when the meeting was held (a planned meeting's agenda is built live).
-- Names are copied, not joined: this is the record of what the meeting had before it.
CREATE TABLE meeting_agenda_items (
    id {{id}},
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    section TEXT NOT NULL,
    -- task | problem | project
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    project_name TEXT NOT NULL,
    unit_id BIGINT,
    unit_name TEXT,
    due TEXT,
    state TEXT NOT NULL,
    days_overdue BIGINT NOT NULL,
    carried BIGINT NOT NULL,
    investment_raw BIGINT
);
CREATE INDEX meeting_agenda_items_meeting ON meeting_agenda_items (meeting_id, position);
CREATE INDEX meeting_agenda_items_ref ON meeting_agenda_items (kind, ref_id);

-- 议定事项; an assignment (交办) has a unit, a deadline, a project and the problem it became.
CREATE TABLE meeting_decisions (
    id {{id}},
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    deadline TEXT,
    project_id BIGINT REFERENCES projects(id),
    problem_id BIGINT REFERENCES problems(id),
    created_at TEXT NOT NULL,
    UNIQUE (meeting_id, position)
);
CREATE INDEX meeting_decisions_problem ON meeting_decisions (problem_id);

-- 群机器人 of the county (unit_id NULL) or of a unit. The secret signs DingTalk requests, so it
-- is kept as given; pages show it masked.
CREATE TABLE robots (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    unit_id BIGINT REFERENCES units(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    secret TEXT,
    keyword TEXT,
    enabled BIGINT NOT NULL DEFAULT 1,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    -- Set when the robot failed too often in a row: it is reported and no longer tried.
    failing_since TEXT,
    last_error TEXT,
    last_success_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Messages to send, sent and failed. Nothing is deleted: the office sees every one.
CREATE TABLE outbox (
    id {{id}},
    robot_id BIGINT NOT NULL REFERENCES robots(id),
    kind TEXT NOT NULL,
    -- Makes an enqueue idempotent (the daily digest: 'digest:UNIT:DATE').
    dedupe_key TEXT,
    notice_json TEXT NOT NULL,
    -- pending | sent | failed
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (robot_id, dedupe_key)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Every attempt, delivered or not: the per-robot rate window counts these.
CREATE TABLE outbox_attempts (
    id {{id}},
    outbox_id BIGINT NOT NULL REFERENCES outbox(id),
    robot_id BIGINT NOT NULL REFERENCES robots(id),
    at TEXT NOT NULL,
    ok BIGINT NOT NULL,
    error TEXT
);
CREATE INDEX outbox_attempts_robot ON outbox_attempts (robot_id, at);

-- A unit's secret calendar URL: only the token's SHA-256 is kept.
CREATE TABLE calendar_feeds (
    id {{id}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_unit ON calendar_feeds (unit_id);
