//! A small builder for queries whose shape depends on the user's filters. It writes `$n`
//! placeholders, which both backends accept (sqlx's own builder writes `?` for the `Any` driver,
//! which PostgreSQL refuses). User input only ever becomes a bound parameter; only the fixed
//! fragments written in this crate become SQL text.

use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments, AssertSqlSafe};

pub(crate) struct Sql {
    text: String,
    args: AnyArguments,
    n: usize,
}

pub(crate) enum Param {
    I64(i64),
    OptI64(Option<i64>),
    Text(String),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::I64(v)
    }
}
impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        Param::OptI64(v)
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_string())
    }
}

impl Sql {
    pub fn new(text: &'static str) -> Sql {
        Sql {
            text: text.to_string(),
            args: AnyArguments::default(),
            n: 0,
        }
    }

    /// `SELECT` of `columns` as one JSON value (`Store::json_rows`, the backend's aggregate of
    /// fixed SQL), then `from`: for reads of thousands of rows.
    pub fn select_json(store: &crate::Store, columns: &'static str, from: &'static str) -> Sql {
        Sql {
            text: format!("SELECT {} {from}", store.json_rows(columns)),
            args: AnyArguments::default(),
            n: 0,
        }
    }

    /// Appends fixed SQL text (never user input).
    pub fn push(&mut self, text: &'static str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: impl Into<Param>) -> &mut Self {
        self.n += 1;
        self.text.push('$');
        self.text.push_str(&self.n.to_string());
        // Adding an i64, Option<i64> or String to AnyArguments cannot fail.
        let _ = match value.into() {
            Param::I64(v) => self.args.add(v),
            Param::OptI64(v) => self.args.add(v),
            Param::Text(v) => self.args.add(v),
        };
        self
    }

    pub fn query(self) -> sqlx::query::Query<'static, Any, AnyArguments> {
        sqlx::query_with(AssertSqlSafe(self.text), self.args)
    }

    /// Reads the one JSON value of a [`Sql::select_json`] query as rows of `T`.
    pub async fn json_rows<T: serde::de::DeserializeOwned>(self, pool: &sqlx::AnyPool) -> crate::Result<Vec<T>> {
        let (json,): (String,) = sqlx::query_as_with(AssertSqlSafe(self.text), self.args)
            .fetch_one(pool)
            .await?;
        serde_json::from_str(&json).map_err(|e| crate::StoreError::Corrupt(format!("rows read as JSON: {e}")))
    }
}
