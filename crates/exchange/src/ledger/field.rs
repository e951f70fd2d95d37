//! The fields a ledger column can feed, named as the forms and the API name them.

use chainforce_domain::labelled_enum;

labelled_enum! {
    /// A destination for one ledger column. The codes of the project fields are the field names
    /// of [`chainforce_domain::project::ProjectForm`] (without the `_id` of references, which
    /// stay names here), so a [`chainforce_domain::FieldError`] from `ProjectForm::validate()`
    /// leads straight back to the column that fed it.
    pub enum LedgerField {
        /// 项目名称. In a task list, the project the task belongs to.
        Name = ("name", "项目名称", "Project name"),
        /// 项目代码 from the national approval platform. In a task list, the task's project.
        Code = ("code", "项目代码", "Project code"),
        /// 投资方/建设单位 — an enterprise, by name.
        Enterprise = ("enterprise", "投资方", "Investor"),
        /// 所属产业链环节 — a chain node, by name.
        ChainNode = ("chain_node", "产业链环节", "Chain node"),
        /// 所属乡镇/园区 — the township unit, by name.
        Township = ("township", "所属乡镇", "Township"),
        /// 责任单位/牵头单位 of a project — a unit, by name.
        LeadUnit = ("lead_unit", "牵头单位", "Lead unit"),
        /// 包挂县领导.
        Leader = ("leader", "包挂县领导", "County leader in charge"),
        /// 建设性质.
        Nature = ("nature", "建设性质", "Construction nature"),
        /// 建设地点.
        Location = ("location", "建设地点", "Location"),
        /// 建设规模及主要内容.
        Content = ("content", "建设内容", "Scope and content"),
        /// 新增产能.
        Capacity = ("capacity", "新增产能", "New capacity"),
        /// 总投资, 万元.
        TotalInvestment = ("total_investment", "总投资", "Total investment"),
        /// 其中固投, 万元.
        FixedInvestment = ("fixed_investment", "其中固投", "Fixed-asset investment"),
        /// 协议投资额, 万元.
        AgreedInvestment = ("agreed_investment", "协议投资额", "Agreed investment"),
        /// 用地面积, 亩.
        LandArea = ("land_area", "用地面积（亩）", "Land area (mu)"),
        /// 当前阶段.
        Stage = ("stage", "当前阶段", "Stage"),
        /// 计划开工.
        TargetStart = ("target_start", "计划开工", "Planned start"),
        /// 年度计划投资, 万元.
        AnnualPlanInvestment = ("annual_plan_investment", "年度计划投资", "Annual planned investment"),
        /// 签约时间.
        SignedOn = ("signed_on", "签约时间", "Signed on"),
        /// 注册时间.
        RegisteredOn = ("registered_on", "注册时间", "Registered on"),
        /// 供地时间.
        LandSuppliedOn = ("land_supplied_on", "供地时间", "Land supplied on"),
        /// 实际开工.
        StartedOn = ("started_on", "实际开工", "Started on"),
        /// 投产时间.
        InProductionOn = ("in_production_on", "投产时间", "In production on"),
        /// 本月完成投资, 万元.
        MonthInvestment = ("month_investment", "本月完成投资", "Invested this month"),
        /// 年初至今累计完成投资, 万元.
        YearToDateInvestment = ("year_to_date_investment", "年初至今累计", "Invested this year to date"),
        /// 形象进度 — progress on site, in words.
        SiteProgress = ("site_progress", "形象进度", "Progress on site"),
        /// 存在问题.
        Problems = ("problems", "存在问题", "Open problems"),
        /// 节点名称 of a task list.
        TaskName = ("task_name", "节点名称", "Task"),
        /// 完成时限.
        Deadline = ("deadline", "完成时限", "Deadline"),
        /// 工期（工作日）.
        DurationDays = ("duration_days", "工期（工作日）", "Duration (working days)"),
        /// 责任单位 of a task — a unit, by name.
        ResponsibleUnit = ("responsible_unit", "责任单位", "Responsible unit"),
        /// 责任人.
        ResponsiblePerson = ("responsible_person", "责任人", "Responsible person"),
        /// 完成情况.
        TaskProgress = ("progress", "完成情况", "Progress"),
    }
}

/// How the text of a cell becomes the value of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    Text,
    /// Money, stored in 万元; a bare number is in the column's unit.
    Money,
    /// A plain non-negative decimal (亩).
    Decimal,
    /// A date that records when something happened.
    EventDate,
    /// A date by which something must happen: a month alone means its last day.
    DeadlineDate,
    Stage,
    Nature,
    Progress,
    Integer,
}

impl LedgerField {
    pub(crate) fn kind(self) -> ValueKind {
        use LedgerField::*;
        match self {
            TotalInvestment | FixedInvestment | AgreedInvestment | AnnualPlanInvestment | MonthInvestment
            | YearToDateInvestment => ValueKind::Money,
            LandArea => ValueKind::Decimal,
            SignedOn | RegisteredOn | LandSuppliedOn | StartedOn | InProductionOn => ValueKind::EventDate,
            TargetStart | Deadline => ValueKind::DeadlineDate,
            Stage => ValueKind::Stage,
            Nature => ValueKind::Nature,
            TaskProgress => ValueKind::Progress,
            DurationDays => ValueKind::Integer,
            Name | Code | Enterprise | ChainNode | Township | LeadUnit | Leader | Location | Content | Capacity
            | SiteProgress | Problems | TaskName | ResponsibleUnit | ResponsiblePerson => ValueKind::Text,
        }
    }

    /// Whether a bare number in this column needs a unit (元/万元/亿元).
    pub fn is_money(self) -> bool {
        self.kind() == ValueKind::Money
    }
}

/// What a sheet lists: projects (重点项目/招商项目台账) or the task nodes of projects (任务清单).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    #[default]
    Projects,
    Tasks,
}
