//! Horizontal bar charts as server-rendered SVG: the geometry is computed here, the template only
//! places it, and colours come from CSS classes (the CSP allows no inline style).

/// A chart of labelled bars, one per row.
pub struct BarChart {
    pub rows: Vec<BarRow>,
    /// The SVG's height in its own units.
    pub height: u32,
    pub aria_label: String,
}

pub struct BarRow {
    pub y: u32,
    pub label: String,
    pub width: u32,
    /// Where the value text starts (just right of the bar).
    pub value_x: u32,
    pub value: String,
    /// A CSS class (`bar`, `bar-a` … `bar-t`, `bar-late`).
    pub class: &'static str,
}

/// The SVG is 400 units wide so its text stays legible on a 360 px phone.
const LABEL_WIDTH: u32 = 130;
const BAR_SPACE: u32 = 200;
const ROW: u32 = 22;
/// Labels longer than this many characters are cut with "…".
const LABEL_CHARS: usize = 11;

impl BarChart {
    /// Bars scaled to `max` (the largest value when `None`); each item is (label, value, value
    /// text, CSS class).
    pub fn new(aria_label: &str, items: Vec<(String, f64, String, &'static str)>, max: Option<f64>) -> BarChart {
        let largest = items.iter().map(|i| i.1).fold(0.0_f64, f64::max);
        let max = max.unwrap_or(largest).max(largest);
        let rows: Vec<BarRow> = items
            .into_iter()
            .enumerate()
            .map(|(i, (label, value, text, class))| {
                let width = if max > 0.0 && value > 0.0 {
                    ((value / max) * f64::from(BAR_SPACE)).round().max(1.0) as u32
                } else {
                    0
                };
                BarRow {
                    y: i as u32 * ROW,
                    label: shorten(&label),
                    width,
                    value_x: LABEL_WIDTH + width + 4,
                    value: text,
                    class,
                }
            })
            .collect();
        BarChart {
            height: rows.len() as u32 * ROW + 4,
            rows,
            aria_label: aria_label.to_string(),
        }
    }

    pub fn label_x(&self) -> u32 {
        LABEL_WIDTH - 6
    }

    pub fn bar_x(&self) -> u32 {
        LABEL_WIDTH
    }
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_maximum_and_long_names_are_cut() {
        let c = BarChart::new(
            "x",
            vec![
                ("发改委".into(), 50.0, "50".into(), "bar"),
                ("市生态环境局示例分局第二办公室".into(), 100.0, "100".into(), "bar"),
                ("零".into(), 0.0, "0".into(), "bar"),
            ],
            Some(100.0),
        );
        assert_eq!(c.rows.iter().map(|r| r.width).collect::<Vec<_>>(), [100, 200, 0]);
        assert_eq!(c.rows[1].label, "市生态环境局示例分局…");
        assert_eq!(c.rows[2].y, 44);
        assert_eq!(c.height, 70);
    }
}
