//! A chain's nodes and edges as the office writes them ([`ChainSpec`]), checked into a [`Chain`]
//! that answers graph questions: what is downstream of what, in which order, in which layer.

use super::ChainStage;
use crate::amount::Amount;
use crate::validation::{FieldError, Lang, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// A chain as stored and as shipped in `data/chains/*.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSpec {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    /// Where the chain's structure comes from, shown on the map page.
    #[serde(default)]
    pub source: Option<String>,
    pub nodes: Vec<NodeSpec>,
    pub edges: Vec<EdgeSpec>,
}

/// One node (环节) of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSpec {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub stage: ChainStage,
    /// A by-product line (长石粉, 铷铯钽铌, 锂渣): shown and analysed, ranked after the main chain.
    #[serde(default)]
    pub by_product: bool,
    /// The unit enterprises state their capacity in on this node (GWh/年, 吨/年 …).
    #[serde(default)]
    pub capacity_unit: Option<String>,
    /// Local capacity at or above which the node is strong whatever the number of enterprises
    /// (in `capacity_unit`); unset means only the count of enterprises decides.
    #[serde(default)]
    pub strong_capacity: Option<Amount>,
}

impl NodeSpec {
    /// The node's name in a language; the English name falls back to the Chinese one.
    pub fn label(&self, lang: Lang) -> &str {
        match (lang, &self.name_en) {
            (Lang::En, Some(en)) => en,
            _ => &self.name,
        }
    }
}

/// "`from` feeds `to`". A recycling edge (回收 → an earlier stage) may close a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EdgeSpec {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub recycling: bool,
}

/// Which end of an edge a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeEnd {
    From,
    To,
}

/// One thing wrong with a chain, naming the node or the edge (by its position in the list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ChainProblem {
    /// A node without a code or a name.
    BlankNode {
        index: usize,
    },
    DuplicateNode {
        index: usize,
        code: String,
    },
    UnknownNode {
        edge: usize,
        end: EdgeEnd,
        code: String,
    },
    DuplicateEdge {
        edge: usize,
        from: String,
        to: String,
    },
    /// A recycling edge that does not start at a 回收 node.
    RecyclingNotFromRecycling {
        edge: usize,
        from: String,
        stage: ChainStage,
    },
    /// A recycling edge that does not point back to an earlier stage.
    RecyclingNotBackward {
        edge: usize,
        to: String,
        stage: ChainStage,
    },
    /// A cycle made of ordinary "feeds" edges: the codes in order, each feeding the next and the
    /// last feeding the first.
    Cycle {
        nodes: Vec<String>,
    },
}

impl ChainProblem {
    /// The field of the chain form the problem belongs to (`nodes[3].code`, `edges[7]`).
    pub fn field(&self) -> String {
        use ChainProblem::*;
        match self {
            BlankNode { index } => format!("nodes[{index}]"),
            DuplicateNode { index, .. } => format!("nodes[{index}].code"),
            UnknownNode { edge, end, .. } => match end {
                EdgeEnd::From => format!("edges[{edge}].from"),
                EdgeEnd::To => format!("edges[{edge}].to"),
            },
            DuplicateEdge { edge, .. } | RecyclingNotFromRecycling { edge, .. } | RecyclingNotBackward { edge, .. } => {
                format!("edges[{edge}]")
            }
            Cycle { .. } => "edges".into(),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use ChainProblem::*;
        match (self, lang) {
            (BlankNode { .. }, Lang::Zh) => "环节的编码和名称必填".into(),
            (BlankNode { .. }, Lang::En) => "a node needs a code and a name".into(),
            (DuplicateNode { code, .. }, Lang::Zh) => format!("环节编码 {code} 重复"),
            (DuplicateNode { code, .. }, Lang::En) => {
                format!("node code {code} appears more than once")
            }
            (UnknownNode { code, .. }, Lang::Zh) => format!("连线引用了不存在的环节 {code}"),
            (UnknownNode { code, .. }, Lang::En) => {
                format!("the edge refers to an unknown node {code}")
            }
            (DuplicateEdge { from, to, .. }, Lang::Zh) => format!("连线 {from} → {to} 重复"),
            (DuplicateEdge { from, to, .. }, Lang::En) => {
                format!("the edge {from} → {to} appears more than once")
            }
            (RecyclingNotFromRecycling { from, stage, .. }, Lang::Zh) => format!(
                "回收连线必须从“回收”环节出发，而 {from} 属于“{}”",
                stage.label(Lang::Zh)
            ),
            (RecyclingNotFromRecycling { from, stage, .. }, Lang::En) => format!(
                "a recycling edge must start at a Recycling node; {from} is in {}",
                stage.label(Lang::En)
            ),
            (RecyclingNotBackward { to, stage, .. }, Lang::Zh) => {
                format!("回收连线必须回到更前面的阶段，而 {to} 属于“{}”", stage.label(Lang::Zh))
            }
            (RecyclingNotBackward { to, stage, .. }, Lang::En) => format!(
                "a recycling edge must lead back to an earlier stage; {to} is in {}",
                stage.label(Lang::En)
            ),
            (Cycle { nodes }, Lang::Zh) => {
                format!("产业链出现环路：{}（只有声明为回收的连线可以成环）", cycle_text(nodes))
            }
            (Cycle { nodes }, Lang::En) => format!(
                "the chain has a cycle: {} (only an edge declared as recycling may close one)",
                cycle_text(nodes)
            ),
        }
    }

    pub fn to_field_error(&self) -> FieldError {
        FieldError::new(
            self.field(),
            Rule::Other {
                zh: self.message(Lang::Zh),
                en: self.message(Lang::En),
            },
        )
    }
}

fn cycle_text(nodes: &[String]) -> String {
    let mut parts: Vec<&str> = nodes.iter().map(String::as_str).collect();
    if let Some(first) = nodes.first() {
        parts.push(first);
    }
    parts.join(" → ")
}

/// Everything wrong with a chain, found in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainError(pub Vec<ChainProblem>);

impl ChainError {
    pub fn to_validation_errors(&self) -> ValidationErrors {
        ValidationErrors(self.0.iter().map(ChainProblem::to_field_error).collect())
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|p| p.message(Lang::En)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ChainError {}

impl From<ChainError> for ValidationErrors {
    fn from(e: ChainError) -> Self {
        e.to_validation_errors()
    }
}

/// A checked chain. Nodes are addressed by their position in the spec; "downstream" always means
/// along ordinary edges, so a recycling edge never makes a node its own descendant.
#[derive(Debug, Clone)]
pub struct Chain {
    spec: ChainSpec,
    index: HashMap<String, usize>,
    /// Ordinary edges only (the DAG).
    succ: Vec<Vec<usize>>,
    pred: Vec<Vec<usize>>,
    /// Nodes in an order where every node comes after all its ordinary predecessors; among nodes
    /// free at the same time, the one declared first comes first.
    topo: Vec<usize>,
}

static LITHIUM: LazyLock<Chain> = LazyLock::new(|| {
    let spec: ChainSpec = serde_json::from_str(include_str!("../../../../data/chains/lithium.json"))
        .expect("data/chains/lithium.json is checked by the tests");
    Chain::new(spec).expect("data/chains/lithium.json is checked by the tests")
});

impl Chain {
    /// The lithium chain of DOMAIN.md §3, as shipped in `data/chains/lithium.json`.
    pub fn lithium() -> Chain {
        LITHIUM.clone()
    }

    /// Reads and checks a chain written as JSON (an office's own chain file).
    pub fn from_json(text: &str) -> Result<Chain, ValidationErrors> {
        let spec: ChainSpec = serde_json::from_str(text).map_err(|e| {
            ValidationErrors::single(
                "chain",
                Rule::Other {
                    zh: format!("产业链文件格式错误：{e}"),
                    en: format!("the chain file is not valid: {e}"),
                },
            )
        })?;
        Ok(Chain::new(spec)?)
    }

    /// Checks a chain and reports every problem at once.
    pub fn new(spec: ChainSpec) -> Result<Chain, ChainError> {
        let mut problems = Vec::new();
        let mut index = HashMap::new();
        for (i, n) in spec.nodes.iter().enumerate() {
            if n.code.trim().is_empty() || n.name.trim().is_empty() {
                problems.push(ChainProblem::BlankNode { index: i });
            } else if index.insert(n.code.clone(), i).is_some() {
                problems.push(ChainProblem::DuplicateNode {
                    index: i,
                    code: n.code.clone(),
                });
            }
        }
        // A duplicated code keeps its first position, so edges still resolve against it.
        for (i, n) in spec.nodes.iter().enumerate() {
            index.entry(n.code.clone()).or_insert(i);
        }
        let n = spec.nodes.len();
        let mut succ = vec![Vec::new(); n];
        let mut pred = vec![Vec::new(); n];
        let mut seen = std::collections::HashSet::new();
        for (e, edge) in spec.edges.iter().enumerate() {
            let from = index.get(&edge.from).copied();
            let to = index.get(&edge.to).copied();
            for (end, code, found) in [(EdgeEnd::From, &edge.from, from), (EdgeEnd::To, &edge.to, to)] {
                if found.is_none() {
                    problems.push(ChainProblem::UnknownNode {
                        edge: e,
                        end,
                        code: code.clone(),
                    });
                }
            }
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            if !seen.insert((from, to)) {
                problems.push(ChainProblem::DuplicateEdge {
                    edge: e,
                    from: edge.from.clone(),
                    to: edge.to.clone(),
                });
                continue;
            }
            if edge.recycling {
                let from_stage = spec.nodes[from].stage;
                let to_stage = spec.nodes[to].stage;
                if from_stage != ChainStage::Recycling {
                    problems.push(ChainProblem::RecyclingNotFromRecycling {
                        edge: e,
                        from: edge.from.clone(),
                        stage: from_stage,
                    });
                }
                if to_stage >= ChainStage::Recycling {
                    problems.push(ChainProblem::RecyclingNotBackward {
                        edge: e,
                        to: edge.to.clone(),
                        stage: to_stage,
                    });
                }
            } else {
                succ[from].push(to);
                pred[to].push(from);
            }
        }
        let topo = topological_order(&succ, &pred);
        if topo.len() < n {
            for cycle in cycles(&succ) {
                problems.push(ChainProblem::Cycle {
                    nodes: cycle.into_iter().map(|i| spec.nodes[i].code.clone()).collect(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(ChainError(problems));
        }
        for list in succ.iter_mut().chain(pred.iter_mut()) {
            list.sort_unstable();
        }
        Ok(Chain {
            spec,
            index,
            succ,
            pred,
            topo,
        })
    }

    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    pub fn nodes(&self) -> &[NodeSpec] {
        &self.spec.nodes
    }

    pub fn node(&self, code: &str) -> Option<&NodeSpec> {
        self.index.get(code).map(|&i| &self.spec.nodes[i])
    }

    pub fn contains(&self, code: &str) -> bool {
        self.index.contains_key(code)
    }

    /// The recycling edges, which the analyses leave out.
    pub fn recycling_edges(&self) -> impl Iterator<Item = &EdgeSpec> {
        self.spec.edges.iter().filter(|e| e.recycling)
    }

    /// Whether `to` is `from` or lies downstream of it along ordinary edges.
    pub fn reaches(&self, from: &str, to: &str) -> bool {
        let (Some(&from), Some(&to)) = (self.index.get(from), self.index.get(to)) else {
            return false;
        };
        let mut seen = vec![false; self.spec.nodes.len()];
        let mut stack = vec![from];
        while let Some(i) = stack.pop() {
            if i == to {
                return true;
            }
            if !std::mem::replace(&mut seen[i], true) {
                stack.extend(&self.succ[i]);
            }
        }
        false
    }

    /// The layer of each node for drawing the chain left to right: a node with no ordinary
    /// predecessor is in layer 0, every other node one layer after its furthest predecessor.
    /// Returned in declaration order, as `(code, layer)`.
    pub fn layers(&self) -> Vec<(&str, usize)> {
        let mut layer = vec![0usize; self.spec.nodes.len()];
        for &i in &self.topo {
            for &s in &self.succ[i] {
                layer[s] = layer[s].max(layer[i] + 1);
            }
        }
        self.spec
            .nodes
            .iter()
            .zip(layer)
            .map(|(n, l)| (n.code.as_str(), l))
            .collect()
    }

    /// The number of nodes on the longest ordinary path that starts at one of `from` and ends at
    /// one of `to` (1 when a node is in both); `None` when no such path exists. Unknown codes are
    /// ignored.
    pub fn longest_span(&self, from: &[String], to: &[String]) -> Option<usize> {
        let n = self.spec.nodes.len();
        let mut is_end = vec![false; n];
        for c in to {
            if let Some(&i) = self.index.get(c) {
                is_end[i] = true;
            }
        }
        // best[i]: nodes on the longest path from a start to i, if any.
        let mut best: Vec<Option<usize>> = vec![None; n];
        for c in from {
            if let Some(&i) = self.index.get(c) {
                best[i] = Some(1);
            }
        }
        let mut answer = None;
        for &i in &self.topo {
            let Some(len) = best[i] else { continue };
            if is_end[i] {
                answer = answer.max(Some(len));
            }
            for &s in &self.succ[i] {
                best[s] = best[s].max(Some(len + 1));
            }
        }
        answer
    }

    pub(crate) fn successors(&self, i: usize) -> &[usize] {
        &self.succ[i]
    }

    pub(crate) fn predecessors(&self, i: usize) -> &[usize] {
        &self.pred[i]
    }

    pub(crate) fn topological(&self) -> &[usize] {
        &self.topo
    }
}

/// Kahn's algorithm, taking the earliest-declared free node first so the order is stable. Shorter
/// than the node count when there is a cycle.
fn topological_order(succ: &[Vec<usize>], pred: &[Vec<usize>]) -> Vec<usize> {
    let mut indegree: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut free: std::collections::BTreeSet<usize> = (0..succ.len()).filter(|&i| indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(succ.len());
    while let Some(i) = free.pop_first() {
        order.push(i);
        for &s in &succ[i] {
            indegree[s] -= 1;
            if indegree[s] == 0 {
                free.insert(s);
            }
        }
    }
    order
}

/// One cycle from each strongly connected component that has one (Tarjan, iterative), so each
/// independent loop is reported once. Each cycle starts at its earliest-declared node.
fn cycles(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = succ.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![usize::MAX; n];
    let mut components = 0;
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, next successor to look at)
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(top) = work.last_mut() {
            let v = top.0;
            if let Some(&w) = succ[v].get(top.1) {
                top.1 += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        component[w] = components;
                        if w == v {
                            break;
                        }
                    }
                    components += 1;
                }
            }
        }
    }
    let mut found = Vec::new();
    let mut reported = vec![false; components];
    for start in 0..n {
        let c = component[start];
        let in_loop = succ[start].iter().any(|&s| component[s] == c);
        if reported[c] || !in_loop {
            continue;
        }
        reported[c] = true;
        // Walk inside the component until a node repeats; the walk from its first visit is a cycle.
        let mut path = vec![start];
        let mut at = vec![usize::MAX; n];
        at[start] = 0;
        let mut v = start;
        // Every node of a component with a loop has a successor inside it, so the walk goes on
        // until it repeats.
        while let Some(&w) = succ[v].iter().filter(|&&s| component[s] == c).min() {
            if at[w] != usize::MAX {
                let mut cycle = path.split_off(at[w]);
                let first = cycle.iter().enumerate().min_by_key(|(_, i)| **i).map(|(p, _)| p);
                cycle.rotate_left(first.unwrap_or(0));
                found.push(cycle);
                break;
            }
            at[w] = path.len();
            path.push(w);
            v = w;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(code: &str, stage: ChainStage) -> NodeSpec {
        NodeSpec {
            code: code.into(),
            name: code.to_uppercase(),
            name_en: None,
            stage,
            by_product: false,
            capacity_unit: None,
            strong_capacity: None,
        }
    }

    fn edge(from: &str, to: &str) -> EdgeSpec {
        EdgeSpec {
            from: from.into(),
            to: to.into(),
            recycling: false,
        }
    }

    fn recycling(from: &str, to: &str) -> EdgeSpec {
        EdgeSpec {
            recycling: true,
            ..edge(from, to)
        }
    }

    fn spec(nodes: Vec<NodeSpec>, edges: Vec<EdgeSpec>) -> ChainSpec {
        ChainSpec {
            code: "t".into(),
            name: "测试链".into(),
            name_en: None,
            source: None,
            nodes,
            edges,
        }
    }

    use ChainStage::*;

    fn small_loop() -> Vec<NodeSpec> {
        vec![
            node("ore", Resource),
            node("salt", Material),
            node("cell", Battery),
            node("car", Application),
            node("scrap", Recycling),
        ]
    }

    #[test]
    fn the_shipped_lithium_chain_loads_with_its_recycling_loop() {
        let c = Chain::lithium();
        assert_eq!(c.nodes().len(), 31);
        assert!(c.reaches("lepidolite", "nev"));
        assert!(c.reaches("lithium_carbonate", "cell"));
        // Recycling closes the loop back to carbonate, but only through declared recycling edges,
        // so carbonate is not its own descendant and nothing upstream of cells counts as "after" it.
        assert!(
            c.recycling_edges()
                .any(|e| e.from == "recycling" && e.to == "lithium_carbonate")
        );
        assert!(!c.reaches("recycling", "lithium_carbonate"));
        assert!(!c.reaches("cell", "lithium_carbonate"));
        assert_eq!(c.node("cell").unwrap().label(Lang::En), "Cells");
        let layers: HashMap<&str, usize> = c.layers().into_iter().collect();
        assert_eq!(layers["spodumene"], 0);
        assert!(layers["lithium_carbonate"] < layers["lfp_cathode"]);
        assert!(layers["cell"] < layers["pack"] && layers["pack"] < layers["nev"]);
    }

    #[test]
    fn a_loop_through_a_declared_recycling_edge_is_allowed() {
        let c = Chain::new(spec(
            small_loop(),
            vec![
                edge("ore", "salt"),
                edge("salt", "cell"),
                edge("cell", "car"),
                edge("car", "scrap"),
                recycling("scrap", "salt"),
            ],
        ))
        .unwrap();
        assert!(c.reaches("ore", "scrap"));
        assert_eq!(c.recycling_edges().count(), 1);
    }

    #[test]
    fn a_cycle_without_a_recycling_edge_is_refused_naming_its_nodes_in_order() {
        let err = Chain::new(spec(
            small_loop(),
            vec![
                edge("ore", "salt"),
                edge("salt", "cell"),
                edge("cell", "car"),
                edge("car", "scrap"),
                // forgot to declare it as recycling
                edge("scrap", "salt"),
            ],
        ))
        .unwrap_err();
        assert_eq!(
            err.0,
            [ChainProblem::Cycle {
                nodes: vec!["salt".into(), "cell".into(), "car".into(), "scrap".into()]
            }]
        );
        let v = err.to_validation_errors();
        assert_eq!(v.0[0].field, "edges");
        assert_eq!(
            v.0[0].rule.message(Lang::Zh),
            "产业链出现环路：salt → cell → car → scrap → salt（只有声明为回收的连线可以成环）"
        );
        assert!(
            v.0[0]
                .rule
                .message(Lang::En)
                .contains("salt → cell → car → scrap → salt")
        );
    }

    #[test]
    fn two_separate_cycles_are_both_reported_and_a_self_loop_is_a_cycle() {
        let err = Chain::new(spec(
            vec![
                node("a", Material),
                node("b", Material),
                node("c", Battery),
                node("d", Battery),
                node("e", Application),
            ],
            vec![
                edge("b", "a"),
                edge("a", "b"),
                edge("b", "c"),
                edge("c", "d"),
                edge("d", "c"),
                edge("e", "e"),
            ],
        ))
        .unwrap_err();
        let cycles: Vec<Vec<String>> = err
            .0
            .into_iter()
            .map(|p| match p {
                ChainProblem::Cycle { nodes } => nodes,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            cycles,
            [
                vec!["a".to_string(), "b".into()],
                vec!["c".into(), "d".into()],
                vec!["e".into()]
            ]
        );
    }

    #[test]
    fn unknown_nodes_duplicates_and_misdirected_recycling_edges_are_all_reported_at_once() {
        let mut nodes = small_loop();
        nodes.push(node("salt", Material));
        nodes.push(node(" ", Material));
        let err = Chain::new(spec(
            nodes,
            vec![
                edge("ore", "salt"),
                edge("ore", "slag"),
                edge("ore", "salt"),
                recycling("car", "salt"),
                recycling("scrap", "scrap"),
            ],
        ))
        .unwrap_err();
        let fields: Vec<String> = err.0.iter().map(ChainProblem::field).collect();
        assert_eq!(
            fields,
            [
                "nodes[5].code",
                "nodes[6]",
                "edges[1].to",
                "edges[2]",
                "edges[3]",
                "edges[4]"
            ]
        );
        assert!(matches!(
            &err.0[4],
            ChainProblem::RecyclingNotFromRecycling { from, stage: Application, .. } if from == "car"
        ));
        assert!(matches!(
            &err.0[5],
            ChainProblem::RecyclingNotBackward { to, stage: Recycling, .. } if to == "scrap"
        ));
        assert_eq!(err.0[2].message(Lang::Zh), "连线引用了不存在的环节 slag");
    }

    #[test]
    fn the_longest_span_counts_the_nodes_between_an_upstream_and_a_downstream_product() {
        let c = Chain::lithium();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let products = s(&["lithium_carbonate", "cell"]);
        // carbonate → LiPF6 → electrolyte → cell (longer than carbonate → LFP cathode → cell)
        assert_eq!(c.longest_span(&products, &products), Some(4));
        let products = s(&["lithium_carbonate", "pack", "nev"]);
        // carbonate → hydroxide → NCM cathode → cell → module → pack → NEV (7; no longer path)
        assert_eq!(c.longest_span(&products, &products), Some(7));
        assert_eq!(c.longest_span(&s(&["cell"]), &s(&["cell"])), Some(1));
        assert_eq!(c.longest_span(&s(&["cell"]), &s(&["lithium_carbonate"])), None);
    }

    #[test]
    fn an_office_chain_file_is_read_and_checked() {
        let json = serde_json::to_string(Chain::lithium().spec()).unwrap();
        assert_eq!(Chain::from_json(&json).unwrap().nodes().len(), 31);
        let broken = json.replace("\"to\":\"lithium_slag\"", "\"to\":\"slag\"");
        assert_eq!(
            Chain::from_json(&broken).unwrap_err().0[0].rule.message(Lang::En),
            "the edge refers to an unknown node slag"
        );
        assert_eq!(Chain::from_json("[]").unwrap_err().0[0].field, "chain");
    }
}
