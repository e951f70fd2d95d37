-- 产业链图谱 (issue 8): what a chain needs beyond nodes and edges, and the investment targets
-- (招商目标库) with their contact history.

-- A chain's code, English name and source, and its presence rules (本地布局规则) as the JSON of
-- the domain's PresenceRules; NULL means the shipped defaults (data/chains/presence-rules.json).
ALTER TABLE chains ADD COLUMN code TEXT;
ALTER TABLE chains ADD COLUMN name_en TEXT;
ALTER TABLE chains ADD COLUMN source TEXT;
ALTER TABLE chains ADD COLUMN presence_rules_json TEXT;

-- What the domain's NodeSpec holds: English name, by-product line, capacity unit and the
-- capacity (Amount::raw, four decimals) from which a node is strong.
ALTER TABLE chain_nodes ADD COLUMN name_en TEXT;
ALTER TABLE chain_nodes ADD COLUMN by_product BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chain_nodes ADD COLUMN capacity_unit TEXT;
ALTER TABLE chain_nodes ADD COLUMN strong_capacity_raw BIGINT;

-- An enterprise's capacity on a node, in the node's unit (Amount::raw).
ALTER TABLE enterprise_chain_nodes ADD COLUMN capacity_raw BIGINT;

-- 招商目标: an outside enterprise the county would like on a chain node. Once turned into a
-- 线索 project, project_id points at it and the target cannot be turned again.
CREATE TABLE investment_targets (
    id {{id}},
    region_id BIGINT NOT NULL REFERENCES regions(id),
    node_id BIGINT NOT NULL REFERENCES chain_nodes(id),
    name TEXT NOT NULL,
    credit_code TEXT,
    headquarters TEXT,
    contact_person TEXT,
    phone TEXT,
    notes TEXT,
    -- candidate / contacting / negotiating / converted / dropped
    status TEXT NOT NULL,
    project_id BIGINT REFERENCES projects(id),
    converted_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX investment_targets_region_node ON investment_targets (region_id, node_id);

-- 接洽记录: each contact with a target, newest last; never edited.
CREATE TABLE target_contacts (
    id {{id}},
    target_id BIGINT NOT NULL REFERENCES investment_targets(id) ON DELETE CASCADE,
    contact_date TEXT NOT NULL,
    channel TEXT,
    summary TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX target_contacts_target ON target_contacts (target_id);
