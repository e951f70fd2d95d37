//! The chain map's geometry: a pure function from a checked chain to boxes and paths, so the
//! drawing is the same on every request and can be tested without a browser.
//!
//! Columns follow the stages (资源 → 材料 → 电池 → 应用 → 回收); inside a stage, a node that another
//! node of the same stage feeds stands one sub-column to the right of its supplier.
//! Inside a column, nodes keep the chain's declaration order, one row each, so no two boxes
//! overlap. An ordinary edge runs from the right side of its source to the left side of its
//! target. An edge that runs backwards — the recycling loop — leaves to the right, drops below
//! every node, runs back along its own lane and rises in the gap left of its target: it never
//! crosses a box and is drawn dashed.

use chainforce_domain::chain::{Chain, ChainStage};
use std::collections::BTreeSet;

pub const NODE_W: i64 = 132;
pub const NODE_H: i64 = 46;
const COL_GAP: i64 = 36;
/// Extra space between stages, so the stage bands read apart.
const STAGE_GAP: i64 = 16;
const ROW_GAP: i64 = 14;
const MARGIN: i64 = 12;
/// Height of the stage headings above the nodes.
const HEAD: i64 = 30;
/// Vertical distance between the lanes of backward edges below the nodes.
const LANE: i64 = 12;

/// Where one node is drawn (its top-left corner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeBox {
    /// Position in the chain's node order.
    pub index: usize,
    pub x: i64,
    pub y: i64,
}

/// One edge as an SVG path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgePath {
    pub from: usize,
    pub to: usize,
    pub d: String,
    /// Declared recycling edge (drawn dashed).
    pub recycling: bool,
    /// Routed below the nodes because it runs backwards.
    pub backward: bool,
}

/// A stage's heading over its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageBand {
    pub stage: ChainStage,
    pub x: i64,
    pub width: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLayout {
    pub width: i64,
    pub height: i64,
    /// In the chain's node order.
    pub nodes: Vec<NodeBox>,
    pub edges: Vec<EdgePath>,
    pub stages: Vec<StageBand>,
}

fn stage_rank(s: ChainStage) -> usize {
    ChainStage::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// Lays out `chain` (see the module documentation).
pub fn layout(chain: &Chain) -> ChainLayout {
    let nodes = chain.nodes();
    let layers: Vec<usize> = chain.layers().into_iter().map(|(_, l)| l).collect();
    let index_of = |code: &str| nodes.iter().position(|n| n.code == code);
    // Depth inside the stage: how many nodes of the same stage feed into this one, one after
    // the other (ordinary edges only). Visiting nodes by their global layer visits every
    // supplier before its customers.
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| (layers[i], i));
    let mut depth = vec![0usize; nodes.len()];
    for &i in &order {
        for e in chain.spec().edges.iter().filter(|e| !e.recycling) {
            if let (Some(f), Some(t)) = (index_of(&e.from), index_of(&e.to))
                && t == i
                && nodes[f].stage == nodes[i].stage
                && layers[f] < layers[i]
            {
                depth[i] = depth[i].max(depth[f] + 1);
            }
        }
    }
    // Sub-columns of each stage: its distinct depths, in order.
    let columns: Vec<(usize, usize)> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (stage_rank(n.stage), depth[i]))
        .collect();
    let distinct: BTreeSet<(usize, usize)> = columns.iter().copied().collect();
    let ordered: Vec<(usize, usize)> = distinct.into_iter().collect();
    // x of each column: columns of one stage side by side, a wider gap between stages.
    let mut col_x = Vec::with_capacity(ordered.len());
    let mut x = MARGIN;
    let mut stages: Vec<StageBand> = Vec::new();
    for (k, (stage, _)) in ordered.iter().enumerate() {
        if k > 0 {
            x += NODE_W + COL_GAP;
            if ordered[k - 1].0 != *stage {
                x += STAGE_GAP;
            }
        }
        col_x.push(x);
        match stages.last_mut() {
            Some(b) if stage_rank(b.stage) == *stage => b.width = x + NODE_W - b.x,
            _ => stages.push(StageBand {
                stage: ChainStage::ALL[*stage],
                x,
                width: NODE_W,
            }),
        }
    }
    let column_of: Vec<usize> = columns
        .iter()
        .map(|c| ordered.binary_search(c).expect("every column is listed"))
        .collect();
    let mut rows_used = vec![0i64; ordered.len()];
    let mut boxes = Vec::with_capacity(nodes.len());
    for (i, &col) in column_of.iter().enumerate() {
        let row = rows_used[col];
        rows_used[col] += 1;
        boxes.push(NodeBox {
            index: i,
            x: col_x[col],
            y: MARGIN + HEAD + row * (NODE_H + ROW_GAP),
        });
    }
    let max_rows = rows_used.iter().copied().max().unwrap_or(0);
    let bottom = MARGIN + HEAD + max_rows * (NODE_H + ROW_GAP);

    let mut edges = Vec::new();
    let mut lane = 0i64;
    for e in &chain.spec().edges {
        let (Some(f), Some(t)) = (index_of(&e.from), index_of(&e.to)) else {
            continue;
        };
        let (a, b) = (&boxes[f], &boxes[t]);
        let (sx, sy) = (a.x + NODE_W, a.y + NODE_H / 2);
        let (tx, ty) = (b.x, b.y + NODE_H / 2);
        if tx > sx {
            let mid = (sx + tx) / 2;
            edges.push(EdgePath {
                from: f,
                to: t,
                d: format!("M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}"),
                recycling: e.recycling,
                backward: false,
            });
        } else {
            lane += 1;
            let ly = bottom + lane * LANE;
            // Vertical runs in the column gaps, offset per lane so loops stay apart.
            let off = (lane % 4) * 4;
            let out_x = sx + COL_GAP / 2 - 6 + off;
            let in_x = tx - COL_GAP / 2 + 6 - off;
            edges.push(EdgePath {
                from: f,
                to: t,
                d: format!("M{sx},{sy} H{out_x} V{ly} H{in_x} V{ty} H{tx}"),
                recycling: e.recycling,
                backward: true,
            });
        }
    }
    let width = col_x.last().map_or(2 * MARGIN, |x| x + NODE_W + COL_GAP / 2 + MARGIN);
    ChainLayout {
        width,
        height: bottom + (lane + 1) * LANE + MARGIN,
        nodes: boxes,
        edges,
        stages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chainforce_domain::chain::{ChainSpec, EdgeSpec, NodeSpec};

    fn small() -> Chain {
        use ChainStage::*;
        let node = |code: &str, stage| NodeSpec {
            code: code.into(),
            name: code.into(),
            name_en: None,
            stage,
            by_product: false,
            capacity_unit: None,
            strong_capacity: None,
        };
        let edge = |from: &str, to: &str, recycling| EdgeSpec {
            from: from.into(),
            to: to.into(),
            recycling,
        };
        Chain::new(ChainSpec {
            code: "t".into(),
            name: "t".into(),
            name_en: None,
            source: None,
            nodes: vec![
                node("ore", Resource),
                node("salt", Material),
                node("cathode", Material),
                node("foil", Material),
                node("cell", Battery),
                node("car", Application),
                node("scrap", Recycling),
            ],
            edges: vec![
                edge("ore", "salt", false),
                edge("salt", "cathode", false),
                edge("cathode", "cell", false),
                edge("foil", "cell", false),
                edge("cell", "car", false),
                edge("car", "scrap", false),
                edge("scrap", "salt", true),
            ],
        })
        .unwrap()
    }

    fn overlaps(a: &NodeBox, b: &NodeBox) -> bool {
        a.x < b.x + NODE_W && b.x < a.x + NODE_W && a.y < b.y + NODE_H && b.y < a.y + NODE_H
    }

    #[test]
    fn a_small_chain_is_laid_out_by_stage_then_by_feeding_order() {
        let l = layout(&small());
        let x: Vec<i64> = l.nodes.iter().map(|n| n.x).collect();
        // ore | salt, foil | cathode | cell | car | scrap
        assert!(x[0] < x[1] && x[1] < x[2] && x[2] < x[4] && x[4] < x[5] && x[5] < x[6]);
        assert_eq!(
            x[3], x[1],
            "foil (fed by nothing) stands in the first materials column with salt"
        );
        assert_eq!(l.nodes[3].y, l.nodes[1].y + NODE_H + ROW_GAP, "one row below salt");
        assert_eq!(
            l.stages.iter().map(|s| s.stage).collect::<Vec<_>>(),
            ChainStage::ALL.to_vec()
        );
        // The recycling edge is routed backwards, below every node.
        let loop_edge = l.edges.iter().find(|e| e.recycling).unwrap();
        assert!(loop_edge.backward);
        let lowest = l.nodes.iter().map(|n| n.y + NODE_H).max().unwrap();
        let ys: Vec<i64> = loop_edge
            .d
            .split(' ')
            .filter_map(|p| p.strip_prefix('V'))
            .map(|v| v.parse().unwrap())
            .collect();
        assert!(ys[0] > lowest && ys[0] < l.height, "{}", loop_edge.d);
        assert!(l.edges.iter().filter(|e| !e.recycling).all(|e| !e.backward));
    }

    #[test]
    fn the_shipped_chain_has_no_overlapping_boxes_and_fits_its_canvas() {
        let chain = Chain::lithium();
        let l = layout(&chain);
        assert_eq!(l.nodes.len(), chain.nodes().len());
        for (i, a) in l.nodes.iter().enumerate() {
            assert!(a.x >= 0 && a.y >= 0 && a.x + NODE_W <= l.width && a.y + NODE_H <= l.height);
            for b in &l.nodes[i + 1..] {
                assert!(!overlaps(a, b), "{a:?} overlaps {b:?}");
            }
        }
        assert_eq!(l.edges.len(), chain.spec().edges.len());
        assert_eq!(
            l.edges.iter().filter(|e| e.backward).count(),
            3,
            "the three recycling edges"
        );
        // Deterministic: the same chain, the same drawing.
        assert_eq!(layout(&chain), l);
    }
}
