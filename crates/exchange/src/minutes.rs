//! 会议纪要 as a Word document (.docx): title, number, date, chair, attendees, the numbered
//! decisions and a table of assignments (unit, deadline, project).
//!
//! Every run names its East Asian font (宋体 for text, 黑体 for headings), so Word and WPS show the
//! Chinese in the fonts a county office prints with instead of a Western fallback. The page
//! follows the usual layout of party and government documents (GB/T 9704): A4, 三号 body text.

use chrono::{NaiveDate, NaiveTime};
use docx_rs::{AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType};

/// One assignment (交办) as the minutes list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesAssignment {
    pub unit: String,
    pub deadline: NaiveDate,
    pub project: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesDecision {
    pub text: String,
    pub assignment: Option<MinutesAssignment>,
}

/// What the minutes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minutes {
    /// Who holds the meeting, e.g. "示例县锂产业专班".
    pub organiser: String,
    /// The meeting's title, e.g. "锂产业专班调度会".
    pub title: String,
    /// 第N次.
    pub number: i64,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub location: Option<String>,
    pub chair: String,
    pub attending_units: Vec<String>,
    pub other_attendees: Option<String>,
    pub decisions: Vec<MinutesDecision>,
    /// Not yet issued: the title says 讨论稿.
    pub draft: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("could not write the minutes: {0}")]
pub struct MinutesError(String);

// Sizes are in half-points (Word's unit): 二号 22 pt for the title, 三号 16 pt for text.
const TITLE_SIZE: usize = 44;
const TEXT_SIZE: usize = 32;
const TABLE_SIZE: usize = 24;
// A4 in twentieths of a point, with GB/T 9704's margins (37 mm top, 35 mm bottom, 28/26 mm sides).
const A4: (u32, u32) = (11906, 16838);
const MARGINS: (i32, i32, i32, i32) = (2098, 1984, 1588, 1474);
/// The assignment table's column widths (序号, 事项, 责任单位, 完成时限, 项目), twentieths of a point.
const COLUMNS: [usize; 5] = [700, 3700, 1700, 1500, 1800];

const SONG: &str = "宋体";
const HEI: &str = "黑体";

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text, SONG, TEXT_SIZE))
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text, HEI, TEXT_SIZE))
}

fn cell(text: &str, bold: bool) -> TableCell {
    let mut r = run(text, if bold { HEI } else { SONG }, TABLE_SIZE);
    if bold {
        r = r.bold();
    }
    TableCell::new().add_paragraph(Paragraph::new().add_run(r))
}

/// 2022年8月22日.
fn chinese_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

impl Minutes {
    /// The document's heading line: "示例县锂产业专班调度会会议纪要".
    pub fn heading(&self) -> String {
        let draft = if self.draft { "（讨论稿）" } else { "" };
        format!("{}会议纪要{draft}", self.title)
    }

    /// The opening sentence: who chaired which meeting, when and where.
    pub fn opening(&self) -> String {
        let when = match self.start_time {
            Some(t) => format!("{}{}", chinese_date(self.date), t.format("%H:%M")),
            None => chinese_date(self.date),
        };
        let place = self.location.as_deref().map(|l| format!("在{l}")).unwrap_or_default();
        format!(
            "{when}，{}{place}主持召开{}第{}次{}，听取各责任单位工作进展汇报，研究解决项目推进中的困难和问题。现将会议议定事项纪要如下：",
            self.chair, self.organiser, self.number, self.title
        )
    }

    /// The minutes as the bytes of a .docx file.
    pub fn to_docx(&self) -> Result<Vec<u8>, MinutesError> {
        let margins = PageMargin::new()
            .top(MARGINS.0)
            .bottom(MARGINS.1)
            .left(MARGINS.2)
            .right(MARGINS.3);
        let mut doc = Docx::new()
            .page_size(A4.0, A4.1)
            .page_margin(margins)
            .default_fonts(fonts(SONG))
            .default_size(TEXT_SIZE)
            .add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(run(&self.heading(), HEI, TITLE_SIZE).bold()),
            )
            .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
                &format!("（第{}次）", self.number),
                SONG,
                TEXT_SIZE,
            )))
            .add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(
                &format!("{}  {}", self.organiser, chinese_date(self.date)),
                SONG,
                TEXT_SIZE,
            )))
            .add_paragraph(para(&self.opening()))
            .add_paragraph(heading("一、议定事项"));
        for (i, d) in self.decisions.iter().enumerate() {
            let mut text = format!("{}. {}", i + 1, d.text);
            if let Some(a) = &d.assignment {
                text.push_str(&format!(
                    "（责任单位：{}；完成时限：{}）",
                    a.unit,
                    chinese_date(a.deadline)
                ));
            }
            doc = doc.add_paragraph(para(&text));
        }
        let assignments: Vec<(usize, &MinutesDecision, &MinutesAssignment)> = self
            .decisions
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.assignment.as_ref().map(|a| (i + 1, d, a)))
            .collect();
        doc = doc.add_paragraph(heading("二、交办事项"));
        if assignments.is_empty() {
            doc = doc.add_paragraph(para("本次会议无交办事项。"));
        } else {
            let mut rows = vec![TableRow::new(
                ["序号", "交办事项", "责任单位", "完成时限", "项目"]
                    .iter()
                    .map(|h| cell(h, true))
                    .collect(),
            )];
            rows.extend(assignments.iter().map(|(n, d, a)| {
                TableRow::new(vec![
                    cell(&n.to_string(), false),
                    cell(&d.text, false),
                    cell(&a.unit, false),
                    cell(&chinese_date(a.deadline), false),
                    cell(&a.project, false),
                ])
            }));
            let table = Table::new(rows)
                .set_grid(COLUMNS.to_vec())
                .width(COLUMNS.iter().sum(), WidthType::Dxa);
            doc = doc.add_table(table);
        }
        doc = doc
            .add_paragraph(heading("三、参会人员"))
            .add_paragraph(para(&format!("主持：{}", self.chair)))
            .add_paragraph(para(&format!("参会单位：{}", self.attending_units.join("、"))));
        if let Some(o) = &self.other_attendees {
            doc = doc.add_paragraph(para(&format!("其他参会人员：{o}")));
        }
        let mut bytes = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut bytes).map_err(|e| MinutesError(e.to_string()))?;
        Ok(bytes.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn minutes() -> Minutes {
        Minutes {
            organiser: "示例县锂产业专班".into(),
            title: "锂产业专班调度会".into(),
            number: 6,
            date: d("2022-08-22"),
            start_time: NaiveTime::from_hms_opt(15, 0, 0),
            location: Some("县政府三楼会议室".into()),
            chair: "县委书记".into(),
            attending_units: vec!["县发改委".into(), "县自然资源局".into()],
            other_attendees: None,
            decisions: vec![
                MinutesDecision {
                    text: "围绕产业链招商，延链补链".into(),
                    assignment: None,
                },
                MinutesDecision {
                    text: "完成10kV专线接入方案批复 & 报备".into(),
                    assignment: Some(MinutesAssignment {
                        unit: "县供电公司".into(),
                        deadline: d("2022-09-15"),
                        project: "年产2万吨碳酸锂项目".into(),
                    }),
                },
            ],
            draft: false,
        }
    }

    /// word/document.xml of a .docx.
    fn document_xml(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn the_minutes_hold_the_numbered_decisions_and_the_assignment_table_in_chinese_fonts() {
        let xml = document_xml(&minutes().to_docx().unwrap());
        assert!(xml.contains("锂产业专班调度会会议纪要"));
        assert!(xml.contains("（第6次）") && xml.contains("2022年8月22日15:00"));
        assert!(xml.contains("1. 围绕产业链招商，延链补链"));
        assert!(
            xml.contains("2. 完成10kV专线接入方案批复 &amp; 报备"),
            "text is XML-escaped"
        );
        assert!(xml.contains("<w:tbl>"), "an assignment table");
        for cell in ["责任单位", "县供电公司", "2022年9月15日", "年产2万吨碳酸锂项目"] {
            assert!(xml.contains(cell), "{cell}");
        }
        assert!(xml.contains("w:eastAsia=\"宋体\"") && xml.contains("w:eastAsia=\"黑体\""));
        assert!(xml.contains("县发改委、县自然资源局"));
    }

    #[test]
    fn a_draft_says_so_and_a_meeting_without_assignments_says_that() {
        let mut m = minutes();
        m.draft = true;
        m.decisions.truncate(1);
        let xml = document_xml(&m.to_docx().unwrap());
        assert!(xml.contains("会议纪要（讨论稿）"));
        assert!(xml.contains("本次会议无交办事项") && !xml.contains("<w:tbl>"));
    }
}
