//! 企业年度数据: one enterprise's figures for one year, as the 亩均 evaluation reads them.

use crate::row::{RowExt, amount_raw};
use crate::sql::Sql;
use crate::{Result, Store, StoreError, WriteTx};
use chainforce_domain::permu::{EnterpriseYear, Exemption, SizeGroup};
use chainforce_domain::validation::Rule;
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// A stored year of figures with the enterprise's name.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredEnterpriseYear {
    pub id: i64,
    pub year: i32,
    /// `name` is the enterprise's; `previous_classes` is filled only when an evaluation runs.
    pub figures: EnterpriseYear,
    pub credit_code: Option<String>,
    pub source: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

const SELECT: &str = "SELECT y.*, e.name AS enterprise_name, e.credit_code FROM enterprise_years y \
     JOIN enterprises e ON e.id = y.enterprise_id";

fn from_row(r: &AnyRow) -> Result<StoredEnterpriseYear, sqlx::Error> {
    let adjustments: BTreeMap<String, u32> =
        serde_json::from_str(&r.text("adjustments_json")?).map_err(|e| sqlx::Error::ColumnDecode {
            index: "adjustments_json".into(),
            source: Box::new(e),
        })?;
    let exemption = match r.opt_text("exemption")? {
        Some(code) => Some(Exemption::parse(&code).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "exemption".into(),
            source: format!("unknown code '{code}'").into(),
        })?),
        None => None,
    };
    let year = r.i64("year")?;
    Ok(StoredEnterpriseYear {
        id: r.i64("id")?,
        year: i32::try_from(year).map_err(|e| sqlx::Error::ColumnDecode {
            index: "year".into(),
            source: Box::new(e),
        })?,
        figures: EnterpriseYear {
            enterprise_id: r.i64("enterprise_id")?,
            name: r.text("enterprise_name")?,
            group: r.coded("size_group", SizeGroup::parse)?,
            land_mu: r.amount("land_mu_raw")?,
            tax: r.amount("tax_yuan")?,
            value_added: r.amount("value_added_yuan")?,
            revenue: r.amount("revenue_yuan")?,
            energy_tce: r.amount("energy_tce_raw")?,
            emissions_t: r.amount("emissions_t_raw")?,
            employees: r.opt_i64("employees")?,
            rd_spending: r.amount("rd_yuan")?,
            electricity_kwh: r.amount("electricity_kwh_raw")?,
            exemption,
            adjustments,
            previous_classes: Vec::new(),
        },
        credit_code: r.opt_text("credit_code")?,
        source: r.opt_text("source")?,
        version: r.i64("version")?,
        updated_at: r.text("updated_at")?,
    })
}

fn of_year(region_id: i64, year: i32) -> Sql {
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE y.region_id = ")
        .bind(region_id)
        .push(" AND y.year = ")
        .bind(i64::from(year))
        .push(" ORDER BY y.enterprise_id");
    sql
}

impl Store {
    /// The region's figures for `year`, by enterprise id.
    pub async fn enterprise_years(&self, region_id: i64, year: i32) -> Result<Vec<StoredEnterpriseYear>> {
        let rows = of_year(region_id, year).query().fetch_all(&self.read).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// The years that have figures, newest first, with how many enterprises each.
    pub async fn enterprise_year_counts(&self, region_id: i64) -> Result<Vec<(i32, i64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT year, COUNT(*) FROM enterprise_years WHERE region_id = $1 GROUP BY year ORDER BY year DESC",
        )
        .bind(region_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(y, n)| Some((i32::try_from(y).ok()?, n)))
            .collect())
    }
}

impl WriteTx {
    /// The figures of `year` as an evaluation reads them (inside the action that runs it).
    pub(crate) async fn enterprise_years_in_tx(&mut self, region_id: i64, year: i32) -> Result<Vec<EnterpriseYear>> {
        let rows = of_year(region_id, year).query().fetch_all(self.conn()).await?;
        Ok(rows
            .iter()
            .map(|r| from_row(r).map(|s| s.figures))
            .collect::<Result<_, _>>()?)
    }

    /// Saves an enterprise's figures for `year`, replacing what an earlier import gave. The
    /// figures are kept as given, impossible ones included: the evaluation lists those as T with
    /// the reason, which is what the office needs to see to correct them.
    pub async fn save_enterprise_year(
        &mut self,
        region_id: i64,
        year: i32,
        e: &EnterpriseYear,
        source: Option<&str>,
    ) -> Result<i64> {
        if !(1990..=2100).contains(&year) {
            return Err(StoreError::invalid(
                "year",
                Rule::OutOfRange {
                    min: "1990".into(),
                    max: "2100".into(),
                },
            ));
        }
        self.check_enterprise("enterprise_id", Some(e.enterprise_id), region_id)
            .await?;
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE y.enterprise_id = ")
            .bind(e.enterprise_id)
            .push(" AND y.year = ")
            .bind(i64::from(year));
        let row = sql.query().fetch_optional(self.conn()).await?;
        let before = row.as_ref().map(from_row).transpose()?.map(|s| s.figures);
        let now = self.now().to_string();
        let adjustments = serde_json::to_string(&e.adjustments).expect("a map of counts serialises");
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO enterprise_years (region_id, enterprise_id, year, size_group, land_mu_raw, tax_yuan, value_added_yuan, revenue_yuan, \
             energy_tce_raw, emissions_t_raw, employees, rd_yuan, electricity_kwh_raw, exemption, adjustments_json, source, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
             ON CONFLICT (enterprise_id, year) DO UPDATE SET size_group = excluded.size_group, land_mu_raw = excluded.land_mu_raw, \
             tax_yuan = excluded.tax_yuan, value_added_yuan = excluded.value_added_yuan, revenue_yuan = excluded.revenue_yuan, \
             energy_tce_raw = excluded.energy_tce_raw, emissions_t_raw = excluded.emissions_t_raw, employees = excluded.employees, \
             rd_yuan = excluded.rd_yuan, electricity_kwh_raw = excluded.electricity_kwh_raw, exemption = excluded.exemption, \
             adjustments_json = excluded.adjustments_json, source = excluded.source, updated_at = excluded.updated_at, \
             version = enterprise_years.version + 1 RETURNING id",
        )
        .bind(region_id)
        .bind(e.enterprise_id)
        .bind(i64::from(year))
        .bind(e.group.code())
        .bind(amount_raw(e.land_mu))
        .bind(amount_raw(e.tax))
        .bind(amount_raw(e.value_added))
        .bind(amount_raw(e.revenue))
        .bind(amount_raw(e.energy_tce))
        .bind(amount_raw(e.emissions_t))
        .bind(e.employees)
        .bind(amount_raw(e.rd_spending))
        .bind(amount_raw(e.electricity_kwh))
        .bind(e.exemption.map(|x| x.code()))
        .bind(&adjustments)
        .bind(source)
        .bind(&now)
        .fetch_one(self.conn())
        .await?;
        let action = if before.is_some() { "update" } else { "create" };
        self.audit(action, "enterprise_year", Some(id), before.as_ref(), Some(e));
        Ok(id)
    }
}
