-- 三论英雄 (issue 7): enterprises' annual figures for the 亩均 evaluation, versioned methods,
-- frozen evaluations, and share targets.
--
-- Amounts are BIGINT Amount::raw() (four decimals): money in 元 (1 万元 = 10000), land in
-- 1/10000 亩, energy in 1/10000 tce, emissions in 1/10000 t, electricity in 1/10000 kWh.

-- One enterprise's figures for one year (企业年度数据), as imported.
CREATE TABLE enterprise_years (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    year BIGINT NOT NULL,
    -- above_scale (规上) / below_scale (规下)
    size_group TEXT NOT NULL,
    land_mu_raw BIGINT,
    tax_yuan BIGINT,
    value_added_yuan BIGINT,
    revenue_yuan BIGINT,
    energy_tce_raw BIGINT,
    emissions_t_raw BIGINT,
    employees BIGINT,
    rd_yuan BIGINT,
    electricity_kwh_raw BIGINT,
    -- not rated this year: start_up / under_construction / utility
    exemption TEXT,
    -- bonus and deduction items: {"code": count}
    adjustments_json TEXT NOT NULL DEFAULT '{}',
    -- where the figures came from (the imported file's name)
    source TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (enterprise_id, year)
);
CREATE INDEX enterprise_years_region_year ON enterprise_years (region_id, year);

-- Methods as versioned JSON: kind 'evaluation' (亩均评价办法) or 'ranking' (排名办法). A row is
-- never updated: an edit is a new version, so whatever used a version can always be reproduced.
CREATE TABLE hero_methods (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    version_no BIGINT NOT NULL,
    name TEXT NOT NULL,
    method_json TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (region_id, kind, code, version_no)
);

-- An evaluation run: the method version and hash, the input snapshot and the result. A draft
-- may be re-run or discarded; a published one never changes (storage refuses).
CREATE TABLE evaluations (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    year BIGINT NOT NULL,
    method_id BIGINT NOT NULL REFERENCES hero_methods(id),
    method_hash TEXT NOT NULL,
    input_json TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    result_json TEXT NOT NULL,
    -- draft / published
    status TEXT NOT NULL,
    enterprises BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    published_by BIGINT REFERENCES users(id),
    published_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE INDEX evaluations_region_year ON evaluations (region_id, year);

-- Each enterprise's card in an evaluation, so a card or a class count reads one row.
CREATE TABLE evaluation_cards (
    evaluation_id BIGINT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    enterprise_id BIGINT NOT NULL,
    class TEXT NOT NULL,
    card_json TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, enterprise_id)
);
CREATE INDEX evaluation_cards_enterprise ON evaluation_cards (enterprise_id);

-- 以份额论英雄: what a unit or township is expected to reach in a year, per milestone.
CREATE TABLE share_targets (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    -- signed / landed / started
    milestone TEXT NOT NULL,
    projects BIGINT,
    investment_yuan BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (unit_id, year, milestone)
);
