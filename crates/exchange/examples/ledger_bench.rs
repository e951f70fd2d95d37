//! Generates a large county ledger and times importing it (bench/vs-pandas.sh runs both).
//!
//! `ledger_bench generate FILE.xlsx ROWS` writes a ledger with a title row, a two-row merged
//! header and 20 columns; `ledger_bench tall FILE.xlsx ROWS` writes a two-column one (for the
//! 1,048,576-row case); `ledger_bench import FILE` parses and validates one and prints what it
//! found and how long it took.

use chainforce_exchange::ledger::{ImportOptions, import_ledger};
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::time::Instant;

const TOWNSHIPS: [&str; 6] = ["岑阳镇", "葛源镇", "姚家乡", "龙门畈乡", "司铺乡", "经开区"];
const NODES: [&str; 6] = ["锂矿采选", "锂盐", "正极材料", "隔膜", "电芯", "锂回收"];
const STAGES: [&str; 6] = ["在谈", "签约", "已供地", "在建", "投产", "达产"];
const UNITS: [&str; 4] = ["县发改委", "县工信局", "县自然资源局", "经开区管委会"];

fn generate(path: &str, rows: u32) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("重点项目")?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string_with_format(0, 0, "横峰县2026年重点项目台账", &bold)?;
    let top = [
        "序号",
        "项目名称",
        "项目代码",
        "建设单位",
        "所属产业链环节",
        "所属乡镇",
        "建设性质",
        "投资情况",
        "",
        "",
        "用地面积（亩）",
        "当前阶段",
        "签约时间",
        "计划开工",
        "实际开工",
        "责任单位",
        "包挂县领导",
        "形象进度",
        "存在问题",
        "本月完成投资（万元）",
    ];
    let bottom = [
        (7, "总投资（亿元）"),
        (8, "其中固投（亿元）"),
        (9, "年度计划投资（万元）"),
    ];
    for (c, h) in top.iter().enumerate() {
        if !h.is_empty() {
            ws.write_string_with_format(1, c as u16, *h, &bold)?;
        }
    }
    for (c, h) in bottom {
        ws.write_string_with_format(2, c, h, &bold)?;
    }
    let signed0 = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap();
    for i in 0..rows {
        let r = i + 3;
        let k = i as usize;
        ws.write_number(r, 0, (i + 1) as f64)?;
        ws.write_string(r, 1, format!("年产{}万吨锂电材料项目第{}号", k % 9 + 1, i + 1))?;
        ws.write_string(r, 2, format!("2203-361125-04-01-{:06}", i))?;
        ws.write_string(r, 3, format!("江西某锂业第{}有限公司", k % 997))?;
        ws.write_string(r, 4, NODES[k % NODES.len()])?;
        ws.write_string(r, 5, TOWNSHIPS[k % TOWNSHIPS.len()])?;
        ws.write_string(r, 6, ["新建", "扩建", "技改"][k % 3])?;
        // Amounts: mostly bare numbers in the 亿元 column, every fifth as text with its unit.
        if k.is_multiple_of(5) {
            ws.write_string(r, 7, format!("{}万元", 10_000 + k % 5_000))?;
        } else {
            ws.write_number(r, 7, 1.0 + (k % 50) as f64 / 10.0)?;
        }
        ws.write_number(r, 8, 0.5 + (k % 5) as f64 / 10.0)?;
        ws.write_number(r, 9, (1_000 + k % 9_000) as f64)?;
        ws.write_number(r, 10, 50.0 + (k % 400) as f64 / 2.0)?;
        ws.write_string(r, 11, STAGES[k % STAGES.len()])?;
        let signed = signed0 + chrono::Duration::days((k % 1500) as i64);
        ws.write_datetime_with_format(r, 12, signed, &date)?;
        ws.write_string(r, 13, format!("2026年{}月", k % 12 + 1))?;
        ws.write_string(r, 14, format!("2023.{}.{}", k % 12 + 1, k % 28 + 1))?;
        ws.write_string(r, 15, UNITS[k % UNITS.len()])?;
        ws.write_string(r, 16, ["张三", "李四", "王五"][k % 3])?;
        ws.write_string(r, 17, "主体厂房建设中，设备基础施工")?;
        ws.write_string(
            r,
            18,
            if k.is_multiple_of(7) {
                "用电指标待落实"
            } else {
                ""
            },
        )?;
        ws.write_number(r, 19, (k % 3_000) as f64)?;
    }
    wb.save(path)
}

/// A header and ROWS two-column rows: the shape of a sheet filled to Excel's last row.
fn tall(path: &str, rows: u32) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "项目名称")?;
    ws.write_string(0, 1, "总投资")?;
    for r in 1..=rows {
        ws.write_string(r, 0, format!("项目{r}"))?;
        ws.write_number(r, 1, r as f64)?;
    }
    wb.save(path)
}

fn import(path: &str) {
    let bytes = std::fs::read(path).expect("read the ledger");
    let options = ImportOptions {
        limits: chainforce_exchange::ledger::Limits {
            max_file_bytes: 256 << 20,
            ..Default::default()
        },
        ..ImportOptions::default()
    };
    let start = Instant::now();
    let result = import_ledger(&bytes, &options);
    let elapsed = start.elapsed();
    match result {
        Ok(import) => println!(
            "chainforce: {} rows read, {} projects, {} tasks, {} refused, header rows {}-{}, in {:.3} s",
            import.rows_read,
            import.projects.len(),
            import.tasks.len(),
            import.refused.len(),
            import.mapping.header_first_row,
            import.mapping.header_last_row,
            elapsed.as_secs_f64()
        ),
        Err(e) => println!(
            "chainforce: refused the file in {:.3} s: {}",
            elapsed.as_secs_f64(),
            e.message(chainforce_domain::validation::Lang::Zh)
        ),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") if args.len() == 4 => {
            let rows: u32 = args[3].parse().expect("ROWS is a number");
            generate(&args[2], rows).expect("write the ledger");
        }
        Some("tall") if args.len() == 4 => {
            let rows: u32 = args[3].parse().expect("ROWS is a number");
            tall(&args[2], rows).expect("write the ledger");
        }
        Some("import") if args.len() == 3 => import(&args[2]),
        _ => {
            eprintln!("usage: ledger_bench generate|tall FILE.xlsx ROWS | ledger_bench import FILE");
            std::process::exit(2);
        }
    }
}
