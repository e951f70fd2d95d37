//! Who may do what. One function, [`allows`], decides every permission question; the web layer
//! asks it for every page and API call, so the rule is written once.

use crate::org::{Actor, Role};

/// Something a user wants to do, with what the decision depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the county's projects, tasks, units, enterprises, problems and the dashboards.
    ReadCounty,
    /// Read one project (enterprise users see only their own enterprise's projects).
    ReadProject { enterprise_id: Option<i64> },
    /// Create or edit projects, stages and schedules as a whole.
    EditProject,
    /// Update a task (status, actual dates, notes) that belongs to `unit_id`.
    UpdateTask { responsible_unit_id: Option<i64> },
    /// Raise a problem on a project.
    RaiseProblem { enterprise_id: Option<i64> },
    /// Assign a problem to a unit (交办).
    AssignProblem,
    /// Answer a problem assigned to `unit_id`.
    AnswerProblem { assigned_unit_id: Option<i64> },
    /// Confirm a problem solved and rate the service (the enterprise of the project).
    ConfirmProblem { enterprise_id: Option<i64> },
    /// Users, units, enterprises, calendars, templates, chains.
    ManageReference,
    /// An enterprise user's own pages (its evaluation card, its applications): only an
    /// enterprise account linked to an enterprise has them.
    EnterprisePortal,
    /// Read the audit trail.
    ReadAudit,
    /// 调度例会: plan a meeting, record its decisions and assignments, issue its minutes.
    RunMeeting,
    /// Chat robots, their outbox and the units' calendar feeds.
    ManageReminders,
    /// 以排名论英雄 / 以份额论英雄: the ranking and share boards of units and townships.
    ReadBoards,
    /// 亩均论英雄: every evaluation (drafts too), every card, the enterprises' annual figures
    /// and the methods.
    ReadEvaluations,
    /// One enterprise's evaluation card in a published evaluation.
    ReadEvaluationCard { enterprise_id: Option<i64> },
    /// Import annual figures, set share targets, save methods, run and discard evaluations.
    ManageHeroes,
    /// Publish (freeze) an evaluation: the office alone.
    PublishEvaluation,
    /// Record a stage change (签约 → … → 达产, 暂停, 终止) of a project led by `lead_unit_id`: the
    /// office, or the project's lead unit (牵头单位).
    ChangeStage { lead_unit_id: Option<i64> },
    /// Override the 供地-before-开工 rule with a reason: the office alone.
    OverrideStageRule,
    /// 月度填报 for a project: its enterprise, its lead unit, or the office.
    ReportMonthly {
        enterprise_id: Option<i64>,
        lead_unit_id: Option<i64>,
    },
    /// Download an attachment that belongs to `unit_id` (the task's responsible unit, or the
    /// project's lead unit for monthly photos) of a project of `enterprise_id`: that unit, that
    /// enterprise, leaders and the office — not every county reader.
    ReadAttachment {
        unit_id: Option<i64>,
        enterprise_id: Option<i64>,
    },
    /// 好资源配给好东家: record deposits, run allocation rounds, ask panels, track commitments.
    ManageResources,
    /// Read the resource ledger, the rounds, their decisions and the commitments (county readers).
    ReadResources,
    /// 专家组: score and give an opinion on an application — only for an expert, and only on what
    /// the office asked them to review (`assigned`).
    ReviewApplication { assigned: bool },
    /// 包挂领导 view: a leader's own projects, their red items and the problems waiting on
    /// others (leaders for themselves, the office for any leader).
    ReadLeaderView,
    /// 产业链图谱: add a chain, edit its nodes, edges and presence rules, place enterprises on
    /// nodes.
    ManageChains,
    /// 招商目标库: keep investment targets and their contacts, turn one into a 线索 project.
    ManageTargets,
}

/// Whether `actor` may do `action`.
pub fn allows(actor: &Actor, action: Action) -> bool {
    use Action::*;
    use Role::*;
    let own_unit = |unit: Option<i64>| actor.unit_id.is_some() && actor.unit_id == unit;
    let own_enterprise = |ent: Option<i64>| actor.enterprise_id.is_some() && actor.enterprise_id == ent;
    match (actor.role, action) {
        (_, EnterprisePortal) => actor.role == Enterprise && actor.enterprise_id.is_some(),
        (_, ReviewApplication { assigned }) => actor.role == Expert && assigned,
        (Admin, _) => true,
        (Leader | Viewer | Unit, ReadCounty | ReadProject { .. }) => true,
        (Leader, ReadAudit) => true,
        (Leader, ReadLeaderView) => true,
        (Leader | Viewer | Unit, ReadBoards) => true,
        (Leader | Viewer | Unit, ReadResources) => true,
        (Leader, ReadEvaluations | ReadEvaluationCard { .. }) => true,
        (Enterprise, ReadEvaluationCard { enterprise_id }) => own_enterprise(enterprise_id),
        (Enterprise, ReadProject { enterprise_id }) => own_enterprise(enterprise_id),
        (Unit, UpdateTask { responsible_unit_id }) => own_unit(responsible_unit_id),
        (Unit, RaiseProblem { .. }) => true,
        (Enterprise, RaiseProblem { enterprise_id }) => own_enterprise(enterprise_id),
        (Unit, AnswerProblem { assigned_unit_id }) => own_unit(assigned_unit_id),
        (Enterprise, ConfirmProblem { enterprise_id }) => own_enterprise(enterprise_id),
        (Unit, ChangeStage { lead_unit_id }) => own_unit(lead_unit_id),
        (Enterprise, ReportMonthly { enterprise_id, .. }) => own_enterprise(enterprise_id),
        (Unit, ReportMonthly { lead_unit_id, .. }) => own_unit(lead_unit_id),
        (Leader, ReadAttachment { .. }) => true,
        (Unit, ReadAttachment { unit_id, .. }) => own_unit(unit_id),
        (Enterprise, ReadAttachment { enterprise_id, .. }) => own_enterprise(enterprise_id),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, unit: Option<i64>, ent: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            role,
            unit_id: unit,
            enterprise_id: ent,
        }
    }

    #[test]
    fn a_unit_changes_only_its_own_tasks() {
        let u = actor(Role::Unit, Some(3), None);
        assert!(allows(
            &u,
            Action::UpdateTask {
                responsible_unit_id: Some(3)
            }
        ));
        assert!(!allows(
            &u,
            Action::UpdateTask {
                responsible_unit_id: Some(4)
            }
        ));
        assert!(!allows(
            &u,
            Action::UpdateTask {
                responsible_unit_id: None
            }
        ));
        assert!(!allows(&u, Action::EditProject));
    }

    #[test]
    fn a_unit_user_without_a_unit_changes_nothing() {
        let u = actor(Role::Unit, None, None);
        assert!(!allows(
            &u,
            Action::UpdateTask {
                responsible_unit_id: None
            }
        ));
        assert!(!allows(&u, Action::AnswerProblem { assigned_unit_id: None }));
    }

    #[test]
    fn leaders_read_everything_and_change_nothing() {
        let l = actor(Role::Leader, None, None);
        assert!(allows(&l, Action::ReadCounty) && allows(&l, Action::ReadAudit));
        for a in [
            Action::EditProject,
            Action::AssignProblem,
            Action::ManageReference,
            Action::UpdateTask {
                responsible_unit_id: None,
            },
        ] {
            assert!(!allows(&l, a), "{a:?}");
        }
    }

    #[test]
    fn an_enterprise_sees_and_acts_on_its_own_projects_only() {
        let e = actor(Role::Enterprise, None, Some(9));
        assert!(allows(&e, Action::ReadProject { enterprise_id: Some(9) }));
        assert!(!allows(&e, Action::ReadProject { enterprise_id: Some(8) }));
        assert!(!allows(&e, Action::ReadCounty));
        assert!(allows(&e, Action::RaiseProblem { enterprise_id: Some(9) }));
        assert!(allows(&e, Action::ConfirmProblem { enterprise_id: Some(9) }));
        assert!(!allows(&e, Action::ConfirmProblem { enterprise_id: Some(8) }));
    }

    #[test]
    fn only_the_office_runs_meetings_and_reminders() {
        let office = actor(Role::Admin, None, None);
        assert!(allows(&office, Action::RunMeeting) && allows(&office, Action::ManageReminders));
        for a in [
            actor(Role::Leader, None, None),
            actor(Role::Unit, Some(3), None),
            actor(Role::Enterprise, None, Some(9)),
            actor(Role::Viewer, None, None),
        ] {
            assert!(!allows(&a, Action::RunMeeting), "{a:?}");
            assert!(!allows(&a, Action::ManageReminders), "{a:?}");
        }
    }

    #[test]
    fn viewers_only_read() {
        let v = actor(Role::Viewer, None, None);
        assert!(allows(&v, Action::ReadCounty));
        assert!(!allows(&v, Action::RaiseProblem { enterprise_id: None }));
        assert!(!allows(&v, Action::ReadAudit));
    }

    #[test]
    fn boards_are_for_county_readers_and_cards_for_their_enterprise() {
        let unit = actor(Role::Unit, Some(3), None);
        assert!(allows(&unit, Action::ReadBoards));
        assert!(!allows(&unit, Action::ReadEvaluations));
        assert!(!allows(&unit, Action::ReadEvaluationCard { enterprise_id: Some(9) }));
        let leader = actor(Role::Leader, None, None);
        assert!(allows(&leader, Action::ReadEvaluations));
        assert!(allows(&leader, Action::ReadEvaluationCard { enterprise_id: Some(9) }));
        let e = actor(Role::Enterprise, None, Some(9));
        assert!(allows(&e, Action::ReadEvaluationCard { enterprise_id: Some(9) }));
        assert!(!allows(&e, Action::ReadEvaluationCard { enterprise_id: Some(8) }));
        assert!(!allows(&e, Action::ReadEvaluationCard { enterprise_id: None }));
        assert!(!allows(&e, Action::ReadBoards));
    }

    #[test]
    fn only_the_office_publishes_or_changes_the_heroes_data() {
        for role in [Role::Leader, Role::Unit, Role::Enterprise, Role::Viewer] {
            let a = actor(role, Some(3), Some(9));
            assert!(!allows(&a, Action::PublishEvaluation), "{role:?}");
            assert!(!allows(&a, Action::ManageHeroes), "{role:?}");
        }
        let office = actor(Role::Admin, None, None);
        assert!(allows(&office, Action::PublishEvaluation) && allows(&office, Action::ManageHeroes));
    }

    #[test]
    fn stage_changes_monthly_reports_and_attachments_belong_to_their_project() {
        let office = actor(Role::Admin, None, None);
        let lead = actor(Role::Unit, Some(3), None);
        let other_unit = actor(Role::Unit, Some(4), None);
        let firm = actor(Role::Enterprise, None, Some(9));
        let leader = actor(Role::Leader, None, None);
        let viewer = actor(Role::Viewer, None, None);
        let stage = Action::ChangeStage { lead_unit_id: Some(3) };
        assert!(allows(&office, stage) && allows(&lead, stage));
        assert!(!allows(&other_unit, stage) && !allows(&firm, stage) && !allows(&leader, stage));
        assert!(allows(&office, Action::OverrideStageRule));
        assert!(!allows(&lead, Action::OverrideStageRule));
        let monthly = Action::ReportMonthly {
            enterprise_id: Some(9),
            lead_unit_id: Some(3),
        };
        assert!(allows(&firm, monthly) && allows(&lead, monthly) && allows(&office, monthly));
        assert!(!allows(&other_unit, monthly) && !allows(&viewer, monthly) && !allows(&leader, monthly));
        assert!(!allows(&actor(Role::Enterprise, None, Some(8)), monthly));
        let file = Action::ReadAttachment {
            unit_id: Some(3),
            enterprise_id: Some(9),
        };
        assert!(allows(&lead, file) && allows(&firm, file) && allows(&leader, file) && allows(&office, file));
        assert!(!allows(&other_unit, file) && !allows(&viewer, file));
        assert!(!allows(&actor(Role::Enterprise, None, Some(8)), file));
    }

    #[test]
    fn only_the_office_manages_resources_and_county_readers_read_them() {
        let office = actor(Role::Admin, None, None);
        assert!(allows(&office, Action::ManageResources) && allows(&office, Action::ReadResources));
        for role in [Role::Leader, Role::Unit, Role::Viewer] {
            let a = actor(role, Some(3), None);
            assert!(allows(&a, Action::ReadResources), "{role:?}");
            assert!(!allows(&a, Action::ManageResources), "{role:?}");
        }
        let e = actor(Role::Enterprise, None, Some(9));
        assert!(!allows(&e, Action::ReadResources) && !allows(&e, Action::ManageResources));
    }

    #[test]
    fn an_expert_reviews_only_what_they_are_asked_to_and_sees_nothing_else() {
        let x = actor(Role::Expert, None, None);
        assert!(allows(&x, Action::ReviewApplication { assigned: true }));
        assert!(!allows(&x, Action::ReviewApplication { assigned: false }));
        // Not even the office reviews in an expert's place.
        let office = actor(Role::Admin, None, None);
        assert!(!allows(&office, Action::ReviewApplication { assigned: true }));
        for a in [
            Action::ReadCounty,
            Action::ReadProject { enterprise_id: None },
            Action::EditProject,
            Action::UpdateTask {
                responsible_unit_id: None,
            },
            Action::RaiseProblem { enterprise_id: None },
            Action::AssignProblem,
            Action::AnswerProblem { assigned_unit_id: None },
            Action::ConfirmProblem { enterprise_id: None },
            Action::ManageReference,
            Action::EnterprisePortal,
            Action::ReadAudit,
            Action::RunMeeting,
            Action::ManageReminders,
            Action::ReadBoards,
            Action::ReadEvaluations,
            Action::ReadEvaluationCard { enterprise_id: None },
            Action::ManageHeroes,
            Action::PublishEvaluation,
            Action::ManageResources,
            Action::ReadResources,
            Action::ChangeStage { lead_unit_id: None },
            Action::OverrideStageRule,
            Action::ReportMonthly {
                enterprise_id: None,
                lead_unit_id: None,
            },
            Action::ReadAttachment {
                unit_id: None,
                enterprise_id: None,
            },
        ] {
            assert!(!allows(&x, a), "{a:?}");
        }
        // An expert linked to a unit or an enterprise by mistake gains nothing from it.
        let linked = actor(Role::Expert, Some(3), Some(9));
        assert!(!allows(&linked, Action::ReadProject { enterprise_id: Some(9) }));
        assert!(!allows(
            &linked,
            Action::UpdateTask {
                responsible_unit_id: Some(3)
            }
        ));
        assert!(!allows(&x, Action::ReadLeaderView));
        assert!(!allows(&x, Action::ManageChains) && !allows(&x, Action::ManageTargets));
    }

    #[test]
    fn the_leaders_view_is_for_leaders_and_the_office() {
        assert!(allows(&actor(Role::Leader, None, None), Action::ReadLeaderView));
        assert!(allows(&actor(Role::Admin, None, None), Action::ReadLeaderView));
        for a in [
            actor(Role::Unit, Some(3), None),
            actor(Role::Enterprise, None, Some(9)),
            actor(Role::Viewer, None, None),
        ] {
            assert!(!allows(&a, Action::ReadLeaderView), "{a:?}");
        }
    }

    #[test]
    fn everyone_who_reads_the_county_reads_the_chain_map_but_only_the_office_changes_it() {
        for role in [Role::Leader, Role::Unit, Role::Viewer] {
            let a = actor(role, Some(3), None);
            assert!(allows(&a, Action::ReadCounty), "{role:?}");
            assert!(!allows(&a, Action::ManageChains), "{role:?}");
            assert!(!allows(&a, Action::ManageTargets), "{role:?}");
        }
        let e = actor(Role::Enterprise, None, Some(9));
        assert!(!allows(&e, Action::ReadCounty) && !allows(&e, Action::ManageTargets));
        let office = actor(Role::Admin, None, None);
        assert!(allows(&office, Action::ManageChains) && allows(&office, Action::ManageTargets));
    }
}
