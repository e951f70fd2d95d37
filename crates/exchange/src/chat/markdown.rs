//! The words of each notice, as robot markdown in Chinese (the groups are Chinese-speaking county
//! staff). Lists are cut, never the message, when it would exceed the robot's byte limit: the
//! last lines give way to a line saying how many were left out.

use chainforce_domain::reminder::RobotKind;
use chainforce_domain::reminder::notice::{Notice, NoticeLine};

/// A rendered message: DingTalk shows `title` in the chat list; both show `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub text: String,
}

/// One line of a message; list lines may be left out to fit the limit.
struct Line {
    text: String,
    droppable: bool,
}

fn fixed(text: impl Into<String>) -> Line {
    Line {
        text: text.into(),
        droppable: false,
    }
}

fn item(text: impl Into<String>) -> Line {
    Line {
        text: text.into(),
        droppable: true,
    }
}

/// Highlighting: WeCom markdown has coloured fonts; DingTalk's does not, so it gets bold.
fn warn(kind: RobotKind, s: &str) -> String {
    match kind {
        RobotKind::WeCom => format!("<font color=\"warning\">{s}</font>"),
        RobotKind::DingTalk => format!("**{s}**"),
    }
}

fn due_text(l: &NoticeLine) -> String {
    l.due.map(|d| d.to_string()).unwrap_or_else(|| "未定".into())
}

/// Renders `notice` for a robot of `kind`, within `max_bytes` of UTF-8.
pub fn render(notice: &Notice, kind: RobotKind, keyword: Option<&str>, max_bytes: usize) -> Rendered {
    let tag = keyword.map(|k| format!("【{k}】")).unwrap_or_default();
    let (title, lines) = match notice {
        Notice::ProblemAssigned {
            title,
            project_name,
            unit_name,
            deadline,
            ..
        } => (
            format!("{tag}交办提醒：{unit_name}"),
            vec![
                fixed(format!("### {tag}交办提醒")),
                fixed(format!("**{unit_name}**：请办理以下事项")),
                fixed(format!("> {title}")),
                fixed(format!("> 项目：{project_name}")),
                fixed(format!("> 完成时限：{}", warn(kind, &deadline.to_string()))),
                fixed("请在工作平台“工作台”答复办理情况。"),
            ],
        ),
        Notice::MinutesIssued {
            number,
            title,
            date,
            decisions,
            assignments,
            ..
        } => {
            let mut lines = vec![
                fixed(format!("### {tag}第{number}次{title}纪要已印发")),
                fixed(format!("会议日期：{date}")),
                fixed(format!("议定事项 {decisions} 项，其中交办 {} 项：", assignments.len())),
            ];
            lines.extend(assignments.iter().enumerate().map(|(i, a)| {
                item(format!(
                    "{}. {}｜{}｜{}｜{}",
                    i + 1,
                    a.unit_name.as_deref().unwrap_or(""),
                    warn(kind, &due_text(a)),
                    a.project_name,
                    a.title
                ))
            }));
            (format!("{tag}第{number}次{title}纪要已印发"), lines)
        }
        Notice::Digest {
            unit_name,
            date,
            within_working_days,
            overdue,
            due_soon,
        } => {
            let mut lines = vec![fixed(format!("### {tag}{unit_name} 每日提醒（{date}）"))];
            if !overdue.is_empty() {
                lines.push(fixed(warn(kind, &format!("逾期 {} 项", overdue.len()))));
                lines.extend(overdue.iter().map(|l| {
                    item(format!(
                        "- {}（{}，时限 {}，已逾期 {} 天）",
                        l.title,
                        l.project_name,
                        due_text(l),
                        l.days_overdue
                    ))
                }));
            }
            if !due_soon.is_empty() {
                lines.push(fixed(format!(
                    "**{within_working_days} 个工作日内到期 {} 项**",
                    due_soon.len()
                )));
                lines.extend(
                    due_soon
                        .iter()
                        .map(|l| item(format!("- {}（{}，时限 {}）", l.title, l.project_name, due_text(l)))),
                );
            }
            (format!("{tag}{unit_name} 每日提醒"), lines)
        }
        Notice::Test { robot_name } => (
            format!("{tag}测试消息"),
            vec![
                fixed(format!("### {tag}测试消息")),
                fixed(format!("机器人“{robot_name}”已接通专班工作平台。")),
            ],
        ),
    };
    Rendered {
        title,
        text: fit(lines, max_bytes),
    }
}

/// Joins the lines, leaving out list lines from the end (and saying how many) until the text
/// fits `max_bytes`; cuts at a character boundary only if even that is not enough.
fn fit(mut lines: Vec<Line>, max_bytes: usize) -> String {
    let join = |lines: &[Line], omitted: usize| {
        let mut s: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        let tail = format!("……另有 {omitted} 项未列出，请登录工作平台查看");
        if omitted > 0 {
            s.push(&tail);
            return s.join("\n");
        }
        s.join("\n")
    };
    let mut omitted = 0;
    let mut text = join(&lines, omitted);
    while text.len() > max_bytes {
        let Some(last) = lines.iter().rposition(|l| l.droppable) else {
            break;
        };
        lines.remove(last);
        omitted += 1;
        text = join(&lines, omitted);
    }
    if text.len() > max_bytes {
        let mut end = max_bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn line(i: usize) -> NoticeLine {
        NoticeLine {
            title: format!("第{i}项：锂云母尾矿综合利用项目用地预审"),
            project_name: "示例锂业年产2万吨碳酸锂项目".into(),
            unit_name: Some("县自然资源局".into()),
            due: Some(d("2026-11-20")),
            days_overdue: 3,
        }
    }

    #[test]
    fn an_assignment_names_the_unit_the_problem_and_the_deadline() {
        let n = Notice::ProblemAssigned {
            problem_id: 1,
            title: "第6次调度会交办：10kV 专线接入".into(),
            project_name: "碳酸锂项目".into(),
            unit_name: "县供电公司".into(),
            deadline: d("2026-12-15"),
        };
        let r = render(&n, RobotKind::WeCom, None, 4096);
        assert!(r.text.contains("县供电公司") && r.text.contains("10kV 专线接入"));
        assert!(
            r.text.contains("<font color=\"warning\">2026-12-15</font>"),
            "{}",
            r.text
        );
        let r = render(&n, RobotKind::DingTalk, Some("专班"), 4096);
        assert!(r.title.starts_with("【专班】") && r.text.contains("**2026-12-15**"));
    }

    #[test]
    fn a_long_digest_is_cut_to_the_byte_limit_and_says_how_much_was_left_out() {
        let n = Notice::Digest {
            unit_name: "县自然资源局".into(),
            date: d("2026-11-30"),
            within_working_days: 3,
            overdue: (0..200).map(line).collect(),
            due_soon: vec![],
        };
        let r = render(&n, RobotKind::WeCom, None, 4096);
        assert!(r.text.len() <= 4096, "{} bytes", r.text.len());
        assert!(r.text.contains("逾期 200 项"));
        assert!(r.text.contains("未列出"), "the cut is announced");
        let shown = r.text.lines().filter(|l| l.starts_with("- ")).count();
        assert!(r.text.contains(&format!("另有 {} 项", 200 - shown)));
    }

    #[test]
    fn a_message_that_cannot_shrink_is_cut_at_a_character_boundary() {
        let text = fit(vec![fixed("锂".repeat(100))], 10);
        assert_eq!(text, "锂锂锂");
    }
}
