-- 好资源配给好东家 (issue 9): the resource ledger, allocation rounds with their applications,
-- the expert panel's sheets, the decisions kept at publication, and the commitments' progress.
--
-- Amounts are BIGINT Amount::raw() (four decimals): tonnes in 1/10000 t, grades in 1/10000 %,
-- money in 1/10000 万元. Li2O and LCE are not stored: the domain derives them from ore and grade.

-- 矿权 / 矿床: what the ledger lists.
CREATE TABLE deposits (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    name TEXT NOT NULL,
    place TEXT NOT NULL,
    -- lepidolite / porcelain_clay / spodumene / brine
    ore_type TEXT NOT NULL,
    -- proved / probable / measured / indicated / inferred
    category TEXT NOT NULL,
    mining_right TEXT,
    ore_t_raw BIGINT,
    li2o_grade_raw BIGINT,
    stated_li2o_t_raw BIGINT,
    annual_output_raw BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX deposits_region ON deposits (region_id);

-- 配置轮次: the quota, its rules (a copy, so a decision can be replayed), its state, and — once
-- published — the decision as a whole with the date it was judged on.
CREATE TABLE allocation_rounds (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    name TEXT NOT NULL,
    -- t_ore_per_year / t_lce_per_year
    quota_unit TEXT NOT NULL,
    capacity_unit TEXT NOT NULL,
    rules_json TEXT NOT NULL,
    criteria_json TEXT NOT NULL,
    -- draft / open / closed / published
    state TEXT NOT NULL,
    outcome_json TEXT,
    decided_on TEXT,
    published_by BIGINT REFERENCES users(id),
    published_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX allocation_rounds_region ON allocation_rounds (region_id);

-- The deposits a round's quota comes from.
CREATE TABLE round_sources (
    round_id BIGINT NOT NULL REFERENCES allocation_rounds(id),
    deposit_id BIGINT NOT NULL REFERENCES deposits(id),
    amount_raw BIGINT NOT NULL,
    PRIMARY KEY (round_id, deposit_id)
);

-- 申请: what an enterprise asks for and promises (commitment_json: domain Commitment).
CREATE TABLE round_applications (
    id {{id}},
    round_id BIGINT NOT NULL REFERENCES allocation_rounds(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    applied_at TEXT NOT NULL,
    requested_raw BIGINT NOT NULL,
    revenue_raw BIGINT,
    listed BIGINT NOT NULL DEFAULT 0,
    industry_rank BIGINT,
    commitment_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (round_id, enterprise_id)
);

-- 安全环保问题 on record; open while closed_on is empty.
CREATE TABLE enterprise_violations (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    -- safety / environment
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX enterprise_violations_enterprise ON enterprise_violations (enterprise_id);

-- 专家组: the experts the office asked to review a round.
CREATE TABLE panel_members (
    round_id BIGINT NOT NULL REFERENCES allocation_rounds(id),
    expert_id BIGINT NOT NULL REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (round_id, expert_id)
);

-- One expert on one application: a score sheet and opinion, or a conflict declaration (or both:
-- a sheet from a conflicted expert is kept but not counted).
CREATE TABLE panel_sheets (
    application_id BIGINT NOT NULL REFERENCES round_applications(id),
    expert_id BIGINT NOT NULL REFERENCES users(id),
    points_json TEXT,
    opinion TEXT NOT NULL DEFAULT '',
    conflict BIGINT NOT NULL DEFAULT 0,
    conflict_reason TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (application_id, expert_id)
);

-- The decision on each application, kept at publication with its reasons (decision_json: domain
-- Decision), for the commitments and the exports.
CREATE TABLE round_decisions (
    round_id BIGINT NOT NULL REFERENCES allocation_rounds(id),
    application_id BIGINT NOT NULL REFERENCES round_applications(id),
    enterprise_id BIGINT NOT NULL,
    eligible BIGINT NOT NULL,
    rank_no BIGINT,
    granted_raw BIGINT NOT NULL,
    decision_json TEXT NOT NULL,
    PRIMARY KEY (round_id, application_id)
);

-- 承诺兑现: what has happened, as reported; the newest report of each figure counts.
CREATE TABLE commitment_progress (
    id {{id}},
    application_id BIGINT NOT NULL REFERENCES round_applications(id),
    investment_to_date_raw BIGINT NOT NULL,
    started_on TEXT,
    production_on TEXT,
    capacity_reached_raw BIGINT,
    local_processing_raw BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX commitment_progress_application ON commitment_progress (application_id);
