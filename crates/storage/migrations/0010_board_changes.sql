-- Which projects each move of the task board's version touched (see 0009): a server holding an
-- older board re-reads only those projects' tasks instead of the county's 15,000. A row without a
-- project means the whole board (a unit renamed, the calendar changed, an import). Old rows are
-- pruned; a board older than what is kept is read whole.
CREATE TABLE board_changes (
    board_seq BIGINT NOT NULL,
    project_id BIGINT
);
CREATE INDEX board_changes_seq ON board_changes (board_seq);
