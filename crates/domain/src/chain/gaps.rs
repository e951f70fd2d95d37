//! Gap analysis (补链、延链、强链): what the county should go and find, node by node.
//!
//! Over the chain without its recycling edges (a DAG), with the nodes that are strong or weak
//! locally counted as *covered*:
//!
//! * the **longest covered path** is the longest run of covered nodes, each feeding the next;
//! * each **missing** node is judged as if it were filled. With `up` the longest covered path
//!   ending at one of its covered suppliers and `down` the longest one starting at one of its
//!   covered customers, filling it makes a covered path of `up + 1 + down` nodes through it. It is
//!   **补链** (bridge) when it has both a covered supplier and a covered customer, **延链** downstream
//!   when it has only covered suppliers, upstream when it has only covered customers, and a **new
//!   foothold** (新布局) when it has neither (it would not yet connect to anything local);
//! * each **weak** node is **强链** (strengthen); its figure is the covered path through it today.
//!
//! Ranking, stated once and shown in every reason: 补链 first, then 延链, then 强链, then new
//! footholds; within a kind the longer resulting path first; then main-chain nodes before
//! by-product lines; then the chain's own node order.

use super::presence::{NodePresence, NodeStatus};
use super::{Chain, Explanation};
use crate::labelled_enum;
use crate::validation::Lang;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::HashMap;

labelled_enum! {
    /// What filling a weak or missing node would do. The variant order is the ranking order.
    pub enum GapKind {
        /// 补链 — joins covered suppliers and covered customers.
        Bridge = ("bridge", "补链", "Bridge"),
        /// 延链 — extends the covered chain downstream (its suppliers are local).
        ExtendDownstream = ("extend_downstream", "延链（向下游）", "Extend downstream"),
        /// 延链 — extends the covered chain upstream (its customers are local).
        ExtendUpstream = ("extend_upstream", "延链（向上游）", "Extend upstream"),
        /// 强链 — strengthens a node the county has, but weakly.
        Strengthen = ("strengthen", "强链", "Strengthen"),
        /// 新布局 — no local supplier or customer yet.
        Foothold = ("foothold", "新布局", "New foothold"),
    }
}

impl GapKind {
    fn priority(self) -> u8 {
        match self {
            GapKind::Bridge => 0,
            GapKind::ExtendDownstream | GapKind::ExtendUpstream => 1,
            GapKind::Strengthen => 2,
            GapKind::Foothold => 3,
        }
    }
}

/// One weak or missing node and what filling it would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// 1 for the most valuable.
    pub rank: usize,
    pub node: String,
    pub status: NodeStatus,
    pub kind: GapKind,
    /// Its covered suppliers (direct predecessors), in chain order.
    pub upstream: Vec<String>,
    /// Its covered customers (direct successors), in chain order.
    pub downstream: Vec<String>,
    /// Nodes on the longest covered path through it once filled (for a weak node: today).
    pub path_through: usize,
    pub by_product: bool,
    pub reason: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapAnalysis {
    /// Node codes of the longest covered path, upstream first; empty when nothing is covered.
    pub longest_covered_path: Vec<String>,
    /// Weak and missing nodes, best first.
    pub gaps: Vec<Gap>,
}

/// The gap analysis of `chain` given each node's presence. A node without a presence entry is
/// missing.
pub fn gap_analysis(chain: &Chain, presence: &[NodePresence]) -> GapAnalysis {
    let by_code: HashMap<&str, &NodePresence> = presence.iter().map(|p| (p.node.as_str(), p)).collect();
    let nodes = chain.nodes();
    let status: Vec<NodeStatus> = nodes
        .iter()
        .map(|n| by_code.get(n.code.as_str()).map_or(NodeStatus::Missing, |p| p.status))
        .collect();
    let covered: Vec<bool> = status.iter().map(|s| s.is_covered()).collect();

    // up[i] / down[i]: nodes on the longest covered path ending / starting at covered node i.
    let mut up = vec![0usize; nodes.len()];
    let mut best_pred = vec![None; nodes.len()];
    for &i in chain.topological() {
        if !covered[i] {
            continue;
        }
        up[i] = 1;
        for &p in chain.predecessors(i) {
            if covered[p] && up[p] + 1 > up[i] {
                up[i] = up[p] + 1;
                best_pred[i] = Some(p);
            }
        }
    }
    let mut down = vec![0usize; nodes.len()];
    for &i in chain.topological().iter().rev() {
        if covered[i] {
            down[i] = 1 + chain
                .successors(i)
                .iter()
                .filter(|&&s| covered[s])
                .map(|&s| down[s])
                .max()
                .unwrap_or(0);
        }
    }

    let mut longest = Vec::new();
    let end = (0..nodes.len())
        .filter(|&i| up[i] > 0)
        .min_by_key(|&i| (Reverse(up[i]), i));
    let mut at = end;
    while let Some(i) = at {
        longest.push(nodes[i].code.clone());
        at = best_pred[i];
    }
    longest.reverse();
    let longest_len = longest.len();

    let names = |list: &[usize], lang: Lang| -> String {
        let sep = lang.pick("、", ", ");
        list.iter()
            .map(|&i| nodes[i].label(lang).to_string())
            .collect::<Vec<_>>()
            .join(sep)
    };

    // (node position, gap): the position is the last sort key.
    let mut gaps: Vec<(usize, Gap)> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        if status[i] == NodeStatus::Strong {
            continue;
        }
        let ups: Vec<usize> = chain.predecessors(i).iter().copied().filter(|&p| covered[p]).collect();
        let downs: Vec<usize> = chain.successors(i).iter().copied().filter(|&s| covered[s]).collect();
        let (kind, path_through) = if status[i] == NodeStatus::Weak {
            (GapKind::Strengthen, up[i] + down[i] - 1)
        } else {
            let u = ups.iter().map(|&p| up[p]).max().unwrap_or(0);
            let d = downs.iter().map(|&s| down[s]).max().unwrap_or(0);
            let kind = match (u > 0, d > 0) {
                (true, true) => GapKind::Bridge,
                (true, false) => GapKind::ExtendDownstream,
                (false, true) => GapKind::ExtendUpstream,
                (false, false) => GapKind::Foothold,
            };
            (kind, u + 1 + d)
        };
        let (zh_n, en_n) = (node.label(Lang::Zh), node.label(Lang::En));
        let (k, l) = (path_through, longest_len);
        let reason = match kind {
            GapKind::Bridge => Explanation::new(
                format!(
                    "补链：本地已有上游「{}」和下游「{}」，补上「{zh_n}」可连成 {k} 个环节的本地链条（现最长 {l} 个）",
                    names(&ups, Lang::Zh),
                    names(&downs, Lang::Zh)
                ),
                format!(
                    "Bridge: local {} upstream and {} downstream; filling {en_n} joins them into a local chain of {k} links (longest today: {l})",
                    names(&ups, Lang::En),
                    names(&downs, Lang::En)
                ),
            ),
            GapKind::ExtendDownstream => Explanation::new(
                format!(
                    "延链（向下游）：承接本地「{}」的产品，本地链条可延至 {k} 个环节（现最长 {l} 个）",
                    names(&ups, Lang::Zh)
                ),
                format!(
                    "Extend downstream: takes the output of local {}; the local chain grows to {k} links (longest today: {l})",
                    names(&ups, Lang::En)
                ),
            ),
            GapKind::ExtendUpstream => Explanation::new(
                format!(
                    "延链（向上游）：为本地「{}」供料，本地链条可延至 {k} 个环节（现最长 {l} 个）",
                    names(&downs, Lang::Zh)
                ),
                format!(
                    "Extend upstream: supplies local {}; the local chain grows to {k} links (longest today: {l})",
                    names(&downs, Lang::En)
                ),
            ),
            GapKind::Strengthen => {
                let why = by_code.get(node.code.as_str()).map(|p| &p.reason);
                Explanation::new(
                    format!(
                        "强链：{}；「{zh_n}」位于 {k} 个环节的本地链条上",
                        why.map_or("", |r| r.zh.as_str())
                    ),
                    format!(
                        "Strengthen: {}; {en_n} lies on a local chain of {k} links",
                        why.map_or("", |r| r.en.as_str())
                    ),
                )
            }
            GapKind::Foothold => Explanation::new(
                format!("新布局：「{zh_n}」的上下游本地都还没有企业，补上后暂不能与本地链条相连"),
                format!(
                    "New foothold: nothing local up- or downstream of {en_n} yet, so it would not connect to the local chain"
                ),
            ),
        };
        gaps.push((
            i,
            Gap {
                rank: 0,
                node: node.code.clone(),
                status: status[i],
                kind,
                upstream: ups.iter().map(|&p| nodes[p].code.clone()).collect(),
                downstream: downs.iter().map(|&s| nodes[s].code.clone()).collect(),
                path_through,
                by_product: node.by_product,
                reason,
            },
        ));
    }
    gaps.sort_by_key(|(i, g)| (g.kind.priority(), Reverse(g.path_through), g.by_product, *i));
    let gaps = gaps
        .into_iter()
        .enumerate()
        .map(|(rank, (_, g))| Gap { rank: rank + 1, ..g })
        .collect();
    GapAnalysis {
        longest_covered_path: longest,
        gaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{ChainSpec, ChainStage, EdgeSpec, NodeSpec};

    /// A hand-made chain:
    ///
    /// ```text
    ///   ore ─▶ salt ─▶ cathode ─▶ cell ─▶ pack ─▶ car ─▶ scrap ┐
    ///                  foil ─────▶ cell                         │
    ///   ore ─▶ slag (by-product)        scrap ─ ─ recycling ─ ─▶ salt
    /// ```
    fn chain() -> Chain {
        use ChainStage::*;
        let node = |code: &str, stage, by_product| NodeSpec {
            code: code.into(),
            name: format!("{code}中"),
            name_en: Some(format!("{code}-en")),
            stage,
            by_product,
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
                node("ore", Resource, false),
                node("salt", Material, false),
                node("cathode", Material, false),
                node("foil", Material, false),
                node("cell", Battery, false),
                node("pack", Battery, false),
                node("car", Application, false),
                node("scrap", Recycling, false),
                node("slag", Material, true),
            ],
            edges: vec![
                edge("ore", "salt", false),
                edge("salt", "cathode", false),
                edge("cathode", "cell", false),
                edge("foil", "cell", false),
                edge("cell", "pack", false),
                edge("pack", "car", false),
                edge("car", "scrap", false),
                edge("ore", "slag", false),
                edge("scrap", "salt", true),
            ],
        })
        .unwrap()
    }

    fn presence(statuses: &[(&str, NodeStatus)]) -> Vec<NodePresence> {
        statuses
            .iter()
            .map(|(code, status)| NodePresence {
                node: code.to_string(),
                status: *status,
                enterprises: vec![],
                excluded_enterprises: vec![],
                projects: vec![],
                capacity: None,
                capacity_unit: None,
                reason: Explanation::new("本地 1 家企业", "1 local enterprise"),
            })
            .collect()
    }

    fn kinds(a: &GapAnalysis) -> Vec<(usize, &str, GapKind, usize)> {
        a.gaps
            .iter()
            .map(|g| (g.rank, g.node.as_str(), g.kind, g.path_through))
            .collect()
    }

    use GapKind::*;
    use NodeStatus::*;

    #[test]
    fn a_missing_cathode_between_local_salt_and_local_cells_is_the_first_gap_to_fill() {
        // Local: ore, salt (strong); cell, pack (strong); car weak. Missing: cathode, foil, scrap, slag.
        let p = presence(&[
            ("ore", Strong),
            ("salt", Strong),
            ("cell", Strong),
            ("pack", Strong),
            ("car", Weak),
        ]);
        let a = gap_analysis(&chain(), &p);
        // cell → pack → car (3) beats ore → salt (2).
        assert_eq!(a.longest_covered_path, ["cell", "pack", "car"]);
        assert_eq!(
            kinds(&a),
            [
                // ore → salt → [cathode] → cell → pack → car: 2 + 1 + 3
                (1, "cathode", Bridge, 6),
                // before cell: [foil] → cell → pack → car; declared before scrap
                (2, "foil", ExtendUpstream, 4),
                // after car: cell → pack → car → [scrap]
                (3, "scrap", ExtendDownstream, 4),
                // after ore: ore → [slag], a by-product line and a shorter chain
                (4, "slag", ExtendDownstream, 2),
                (5, "car", Strengthen, 3),
            ]
        );
        let bridge = &a.gaps[0];
        assert_eq!(
            (bridge.upstream.as_slice(), bridge.downstream.as_slice()),
            (&["salt".to_string()][..], &["cell".to_string()][..])
        );
        assert_eq!(
            bridge.reason.zh,
            "补链：本地已有上游「salt中」和下游「cell中」，补上「cathode中」可连成 6 个环节的本地链条（现最长 3 个）"
        );
        assert_eq!(
            bridge.reason.en,
            "Bridge: local salt-en upstream and cell-en downstream; filling cathode-en joins them into a local chain of 6 links (longest today: 3)"
        );
        assert_eq!(
            a.gaps[4].reason.zh,
            "强链：本地 1 家企业；「car中」位于 3 个环节的本地链条上"
        );
    }

    #[test]
    fn extensions_of_equal_length_up_and_downstream_follow_the_chain_order() {
        // Local: salt, cathode. Both ore (upstream) and cell (downstream) are missing.
        let p = presence(&[("salt", Strong), ("cathode", Strong)]);
        let a = gap_analysis(&chain(), &p);
        assert_eq!(a.longest_covered_path, ["salt", "cathode"]);
        assert_eq!(
            kinds(&a),
            [
                // ore → salt → cathode (3) and salt → cathode → cell (3): equal length, so the
                // chain's node order decides: ore is declared first.
                (1, "ore", ExtendUpstream, 3),
                (2, "cell", ExtendDownstream, 3),
                (3, "foil", Foothold, 1),
                (4, "pack", Foothold, 1),
                (5, "car", Foothold, 1),
                (6, "scrap", Foothold, 1),
                (7, "slag", Foothold, 1),
            ]
        );
        assert!(
            a.gaps[2]
                .reason
                .en
                .starts_with("New foothold: nothing local up- or downstream of foil-en")
        );
    }

    #[test]
    fn the_recycling_edge_neither_lengthens_the_path_nor_makes_a_bridge() {
        // Everything from cell to scrap is local, and so is salt. Through the recycling edge scrap
        // feeds salt, but that loop is not a chain to be lengthened.
        let p = presence(&[
            ("salt", Strong),
            ("cell", Strong),
            ("pack", Strong),
            ("car", Strong),
            ("scrap", Strong),
        ]);
        let a = gap_analysis(&chain(), &p);
        assert_eq!(a.longest_covered_path, ["cell", "pack", "car", "scrap"]);
        assert_eq!(a.gaps[0].node, "cathode");
        assert_eq!(a.gaps[0].kind, Bridge);
        assert_eq!(a.gaps[0].path_through, 1 + 1 + 4);
        assert!(a.gaps.iter().all(|g| g.node != "salt"));
    }

    #[test]
    fn with_nothing_local_every_node_is_a_foothold_and_there_is_no_covered_path() {
        let a = gap_analysis(&chain(), &[]);
        assert!(a.longest_covered_path.is_empty());
        assert_eq!(a.gaps.len(), 9);
        assert!(a.gaps.iter().all(|g| g.kind == Foothold && g.path_through == 1));
        // Main chain before the by-product line.
        assert_eq!(a.gaps.last().unwrap().node, "slag");
    }

    #[test]
    fn on_the_shipped_lithium_chain_a_county_with_ore_salts_and_cells_is_told_to_bring_cathodes() {
        let c = Chain::lithium();
        let p = presence(&[
            ("lepidolite", Strong),
            ("lithium_carbonate", Strong),
            ("cell", Weak),
            ("energy_storage", Strong),
        ]);
        let a = gap_analysis(&c, &p);
        // Two covered runs of two; the one declared first is shown.
        assert_eq!(a.longest_covered_path, ["lepidolite", "lithium_carbonate"]);
        let first = &a.gaps[0];
        // lepidolite → carbonate → [LFP cathode] → cell → energy storage
        assert_eq!(
            (first.node.as_str(), first.kind, first.path_through),
            ("lfp_cathode", Bridge, 5)
        );
        assert_eq!(first.rank, 1);
    }
}
