//! The project pipeline (项目推进): stage transitions with their rules, the KPIs and lead times of
//! 快签约、快落地、快开工, the monthly progress reports (月度填报) and the files attached to them.

pub mod attachment;
pub mod kpi;
pub mod monthly;
pub mod stage;

pub use attachment::{AttachmentPolicy, CheckedFile, FileKind};
pub use kpi::{GroupKey, Kpis, LeadTime, Median, PipelineReport, ProjectFacts, Rate, pipeline_report};
pub use monthly::{Cumulative, MonthlyReportDraft, MonthlyReportForm, cumulative, must_report};
pub use stage::{
    RecordedRoad, RoadRefused, StageChange, StageChangeForm, StageFacts, StageMove, check_stage_unchanged,
};
