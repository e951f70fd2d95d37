//! Compiling tasks into flat arrays in topological order, and the problems that prevent it.

use super::{Constraints, DependencyKind, TaskInput};
use crate::task::MAX_DURATION_DAYS;
use crate::validation::Lang;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::Hash;

/// Why a set of tasks cannot be scheduled. Each names the task(s) at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkError<Id> {
    DuplicateId {
        id: Id,
    },
    NegativeDuration {
        id: Id,
        duration: i64,
    },
    DurationTooLong {
        id: Id,
        duration: i64,
    },
    LagOutOfRange {
        id: Id,
        predecessor: Id,
        lag: i64,
    },
    UnknownPredecessor {
        id: Id,
        predecessor: Id,
    },
    /// 实际完成 before 实际开始.
    ActualFinishBeforeStart {
        id: Id,
    },
    /// The tasks of one dependency cycle, each a predecessor of the next and the last of the first.
    Cycle {
        ids: Vec<Id>,
    },
    /// The schedule runs beyond the dates chrono can represent (durations adding up to millennia).
    OutOfDateRange,
}

impl<Id: fmt::Display> NetworkError<Id> {
    pub fn message(&self, lang: Lang) -> String {
        use NetworkError::*;
        let max = MAX_DURATION_DAYS;
        match (self, lang) {
            (DuplicateId { id }, Lang::Zh) => format!("任务编号 {id} 重复"),
            (DuplicateId { id }, Lang::En) => format!("task id {id} appears more than once"),
            (NegativeDuration { id, duration }, Lang::Zh) => {
                format!("任务 {id} 的工期 {duration} 为负数")
            }
            (NegativeDuration { id, duration }, Lang::En) => {
                format!("task {id}: duration {duration} is negative")
            }
            (DurationTooLong { id, duration }, Lang::Zh) => {
                format!("任务 {id} 的工期 {duration} 超过 {max} 个工作日")
            }
            (DurationTooLong { id, duration }, Lang::En) => {
                format!("task {id}: duration {duration} exceeds {max} working days")
            }
            (LagOutOfRange { id, predecessor, lag }, Lang::Zh) => {
                format!("任务 {id} 与前置任务 {predecessor} 的间隔 {lag} 超过 ±{max} 个工作日")
            }
            (LagOutOfRange { id, predecessor, lag }, Lang::En) => {
                format!("task {id}: lag {lag} after {predecessor} exceeds ±{max} working days")
            }
            (UnknownPredecessor { id, predecessor }, Lang::Zh) => {
                format!("任务 {id} 的前置任务 {predecessor} 不存在")
            }
            (UnknownPredecessor { id, predecessor }, Lang::En) => {
                format!("task {id}: unknown predecessor {predecessor}")
            }
            (ActualFinishBeforeStart { id }, Lang::Zh) => {
                format!("任务 {id} 的实际完成日期早于实际开始日期")
            }
            (ActualFinishBeforeStart { id }, Lang::En) => {
                format!("task {id}: actual finish is before actual start")
            }
            (Cycle { ids }, Lang::Zh) => format!("前置关系成环：{}", cycle_text(ids)),
            (Cycle { ids }, Lang::En) => format!("dependency cycle: {}", cycle_text(ids)),
            (OutOfDateRange, Lang::Zh) => "排期超出可表示的日期范围".into(),
            (OutOfDateRange, Lang::En) => "the schedule runs beyond representable dates".into(),
        }
    }
}

fn cycle_text<Id: fmt::Display>(ids: &[Id]) -> String {
    let mut parts: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    if let Some(first) = parts.first().cloned() {
        parts.push(first);
    }
    parts.join(" → ")
}

impl<Id: fmt::Display> fmt::Display for NetworkError<Id> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl<Id: fmt::Display + fmt::Debug> std::error::Error for NetworkError<Id> {}

/// Dependency type and lag packed in one `i32`: two bits of type, the rest lag in working days.
pub(super) fn pack(kind: DependencyKind, lag: i64) -> i32 {
    let k = match kind {
        DependencyKind::FinishToStart => FS,
        DependencyKind::StartToStart => SS,
        DependencyKind::FinishToFinish => FF,
        DependencyKind::StartToFinish => SF,
    };
    ((lag as i32) << 2) | k
}

/// Which end of the predecessor drives, which end of the successor is driven.
pub(super) const FS: i32 = 0;
pub(super) const SS: i32 = 1;
pub(super) const FF: i32 = 2;
pub(super) const SF: i32 = 3;

/// A compiled task network: tasks renumbered in topological order ("positions"), durations and
/// edges in flat arrays, predecessors and successors of each position contiguous (CSR). Build it
/// once, schedule it as often as the anchor or the calendar changes.
#[derive(Debug, Clone)]
pub struct Network<Id> {
    pub(super) ids: Vec<Id>,
    /// Input index → position.
    pub(super) pos: Vec<u32>,
    /// Position → input index.
    pub(super) at: Vec<u32>,
    /// By position.
    pub(super) duration: Vec<u32>,
    pub(super) pred_off: Vec<u32>,
    pub(super) pred_node: Vec<u32>,
    pub(super) pred_meta: Vec<i32>,
    pub(super) succ_off: Vec<u32>,
    pub(super) succ_node: Vec<u32>,
    pub(super) succ_meta: Vec<i32>,
    /// Constrained tasks only, sorted by position: most tasks have none.
    pub(super) constrained: Vec<(u32, Constraints)>,
}

/// Collects tasks and dependencies by index, for callers that already hold dense indices (the
/// benchmark, a storage layer that numbered rows itself). [`Network::build`] uses it after
/// resolving ids.
#[derive(Debug, Default)]
pub struct NetworkBuilder {
    duration: Vec<u32>,
    constraints: Vec<(u32, Constraints)>,
    /// (predecessor, successor, packed type and lag)
    edges: Vec<(u32, u32, i32)>,
}

impl NetworkBuilder {
    pub fn with_capacity(tasks: usize, dependencies: usize) -> Self {
        NetworkBuilder {
            duration: Vec::with_capacity(tasks),
            constraints: Vec::new(),
            edges: Vec::with_capacity(dependencies),
        }
    }

    /// Adds a task and returns its index. `duration` must already be checked (0..=1000).
    pub fn add_task(&mut self, duration: u32, constraints: Constraints) -> u32 {
        let i = self.duration.len() as u32;
        self.duration.push(duration);
        if !constraints.is_empty() {
            self.constraints.push((i, constraints));
        }
        i
    }

    /// `lag` must already be checked (±1000).
    pub fn add_dependency(&mut self, predecessor: u32, successor: u32, kind: DependencyKind, lag: i64) {
        self.edges.push((predecessor, successor, pack(kind, lag)));
    }

    /// Orders the tasks; on a cycle, gives the indices of the tasks in one.
    pub fn finish<Id>(self, ids: Vec<Id>) -> Result<Network<Id>, Vec<u32>> {
        let n = self.duration.len();
        assert_eq!(ids.len(), n, "one id per task");
        // Successors of each input index, in CSR form, for Kahn's algorithm.
        let (out_off, out_node) = group_by(n, self.edges.iter().map(|e| (e.0, e.1)));
        let mut indegree = vec![0u32; n];
        for e in &self.edges {
            indegree[e.1 as usize] += 1;
        }
        let mut at: Vec<u32> = (0..n as u32).filter(|&i| indegree[i as usize] == 0).collect();
        at.reserve(n - at.len());
        let mut head = 0;
        while head < at.len() {
            let i = at[head] as usize;
            head += 1;
            for &s in &out_node[out_off[i] as usize..out_off[i + 1] as usize] {
                let s = s as usize;
                indegree[s] -= 1;
                if indegree[s] == 0 {
                    at.push(s as u32);
                }
            }
        }
        if at.len() < n {
            return Err(find_cycle(&self.edges, &indegree));
        }
        drop((out_off, out_node, indegree));
        let mut pos = vec![0u32; n];
        for (p, &i) in at.iter().enumerate() {
            pos[i as usize] = p as u32;
        }
        let duration: Vec<u32> = at.iter().map(|&i| self.duration[i as usize]).collect();
        let edges: Vec<(u32, u32, i32)> = self
            .edges
            .iter()
            .map(|&(a, b, m)| (pos[a as usize], pos[b as usize], m))
            .collect();
        drop(self.edges);
        let (pred_off, pred) = group_by(n, edges.iter().map(|e| (e.1, (e.0, e.2))));
        let (succ_off, succ) = group_by(n, edges.iter().map(|e| (e.0, (e.1, e.2))));
        drop(edges);
        let (pred_node, pred_meta) = pred.into_iter().unzip();
        let (succ_node, succ_meta) = succ.into_iter().unzip();
        let mut constrained: Vec<(u32, Constraints)> = self
            .constraints
            .into_iter()
            .map(|(i, c)| (pos[i as usize], c))
            .collect();
        constrained.sort_unstable_by_key(|c| c.0);
        Ok(Network {
            ids,
            pos,
            at,
            duration,
            pred_off,
            pred_node,
            pred_meta,
            succ_off,
            succ_node,
            succ_meta,
            constrained,
        })
    }
}

/// Counting sort of `(key, value)` pairs by a key in `0..n`: offsets (`n + 1`) and the values.
fn group_by<V: Copy + Default>(n: usize, pairs: impl Iterator<Item = (u32, V)> + Clone) -> (Vec<u32>, Vec<V>) {
    let mut off = vec![0u32; n + 1];
    for (k, _) in pairs.clone() {
        off[k as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut fill = off[..n].to_vec();
    let mut values = vec![V::default(); off[n] as usize];
    for (k, v) in pairs {
        let slot = &mut fill[k as usize];
        values[*slot as usize] = v;
        *slot += 1;
    }
    (off, values)
}

/// After Kahn's algorithm stops, every task left has a predecessor that is left too; walking
/// backwards through such predecessors must revisit a task, and the walk from that task on is a
/// cycle. Reporting that cycle, not every task stuck behind it, tells the user what to fix.
fn find_cycle(edges: &[(u32, u32, i32)], indegree: &[u32]) -> Vec<u32> {
    let n = indegree.len();
    let mut stuck_pred: Vec<Option<u32>> = vec![None; n];
    for &(p, s, _) in edges {
        if indegree[p as usize] > 0 && indegree[s as usize] > 0 {
            stuck_pred[s as usize].get_or_insert(p);
        }
    }
    let start = (0..n).find(|&i| indegree[i] > 0).expect("a task is left");
    let mut seen = vec![false; n];
    let mut i = start;
    while !seen[i] {
        seen[i] = true;
        i = stuck_pred[i].expect("a stuck task has a stuck predecessor") as usize;
    }
    // `i` is on the cycle; collect it going backwards, then reverse into dependency order.
    let mut cycle = vec![i as u32];
    let mut j = stuck_pred[i].expect("on the cycle") as usize;
    while j != i {
        cycle.push(j as u32);
        j = stuck_pred[j].expect("on the cycle") as usize;
    }
    cycle.reverse();
    // Start at the first task the user listed, so the message is stable.
    let first = (0..cycle.len()).min_by_key(|&k| cycle[k]).expect("non-empty");
    cycle.rotate_left(first);
    cycle
}

impl<Id> Network<Id>
where
    Id: Clone + Eq + Hash + fmt::Display,
{
    /// Resolves ids and checks every task, collecting all problems so the user fixes them at once.
    pub fn build(tasks: &[TaskInput<Id>]) -> Result<Network<Id>, Vec<NetworkError<Id>>> {
        let mut errors = Vec::new();
        let mut index: HashMap<&Id, u32> = HashMap::with_capacity(tasks.len());
        for (i, t) in tasks.iter().enumerate() {
            match index.entry(&t.id) {
                Entry::Occupied(_) => errors.push(NetworkError::DuplicateId { id: t.id.clone() }),
                Entry::Vacant(v) => {
                    v.insert(i as u32);
                }
            }
        }
        let deps = tasks.iter().map(|t| t.predecessors.len()).sum();
        let mut builder = NetworkBuilder::with_capacity(tasks.len(), deps);
        for t in tasks {
            let id = || t.id.clone();
            if t.duration < 0 {
                errors.push(NetworkError::NegativeDuration {
                    id: id(),
                    duration: t.duration,
                });
            } else if t.duration > MAX_DURATION_DAYS {
                errors.push(NetworkError::DurationTooLong {
                    id: id(),
                    duration: t.duration,
                });
            }
            let c = &t.constraints;
            if let (Some(s), Some(f)) = (c.actual_start, c.actual_finish)
                && f < s
            {
                errors.push(NetworkError::ActualFinishBeforeStart { id: id() });
            }
            let me = builder.add_task(t.duration.clamp(0, MAX_DURATION_DAYS) as u32, *c);
            for d in &t.predecessors {
                if d.lag.abs() > MAX_DURATION_DAYS {
                    errors.push(NetworkError::LagOutOfRange {
                        id: id(),
                        predecessor: d.predecessor.clone(),
                        lag: d.lag,
                    });
                }
                match index.get(&d.predecessor) {
                    Some(&p) => builder.add_dependency(p, me, d.kind, d.lag),
                    None => errors.push(NetworkError::UnknownPredecessor {
                        id: id(),
                        predecessor: d.predecessor.clone(),
                    }),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        drop(index);
        let ids = tasks.iter().map(|t| t.id.clone()).collect();
        builder.finish(ids).map_err(|cycle| {
            vec![NetworkError::Cycle {
                ids: cycle.into_iter().map(|i| tasks[i as usize].id.clone()).collect(),
            }]
        })
    }

    /// The input index of a task id (a linear search: for display, not for loops).
    pub fn index_of(&self, id: &Id) -> Option<usize> {
        self.ids.iter().position(|i| i == id)
    }
}

impl<Id> Network<Id> {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Task ids in input order.
    pub fn ids(&self) -> &[Id] {
        &self.ids
    }

    /// Input indices in topological order (every predecessor before its successors).
    pub fn topological_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.at.iter().map(|&i| i as usize)
    }

    /// Dependencies as (predecessor, successor, type, lag) in input indices.
    pub fn dependencies(&self) -> impl Iterator<Item = (usize, usize, DependencyKind, i64)> + '_ {
        (0..self.len()).flat_map(move |p| {
            let range = self.pred_off[p] as usize..self.pred_off[p + 1] as usize;
            range.map(move |e| {
                let meta = self.pred_meta[e];
                (
                    self.at[self.pred_node[e] as usize] as usize,
                    self.at[p] as usize,
                    unpack_kind(meta),
                    i64::from(meta >> 2),
                )
            })
        })
    }

    /// A task's duration in working days, by input index.
    pub fn duration(&self, index: usize) -> i64 {
        i64::from(self.duration[self.pos[index] as usize])
    }

    /// The dates that bound a task, by input index.
    pub fn constraints(&self, index: usize) -> Constraints {
        let p = self.pos[index];
        self.constrained
            .binary_search_by_key(&p, |c| c.0)
            .map(|k| self.constrained[k].1)
            .unwrap_or_default()
    }

    /// Earliest and latest constraint date given, to size calendar warnings.
    pub(super) fn constraint_dates(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.constrained.iter().flat_map(|(_, c)| {
            [
                c.finish_no_later_than,
                c.start_no_earlier_than,
                c.actual_start,
                c.actual_finish,
            ]
            .into_iter()
            .flatten()
        })
    }
}

pub(super) fn unpack_kind(meta: i32) -> DependencyKind {
    match meta & 3 {
        FS => DependencyKind::FinishToStart,
        SS => DependencyKind::StartToStart,
        FF => DependencyKind::FinishToFinish,
        _ => DependencyKind::StartToFinish,
    }
}
