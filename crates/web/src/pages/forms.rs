//! Pieces shared by the edit forms: select options and the reference lists they come from.

use crate::app::AppState;
use crate::error::AppResult;
use crate::i18n::Tr;
use chainforce_domain::org::UnitKind;

/// One `<option>` of a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Options from (value, label) pairs, with `current` selected; `blank` adds an empty first entry.
pub fn options(items: impl IntoIterator<Item = (String, String)>, current: &str, blank: Option<&str>) -> Vec<Opt> {
    let mut out: Vec<Opt> = Vec::new();
    if let Some(b) = blank {
        out.push(Opt {
            value: String::new(),
            label: b.to_string(),
            selected: current.is_empty(),
        });
    }
    out.extend(items.into_iter().map(|(value, label)| Opt {
        selected: value == current,
        value,
        label,
    }));
    out
}

/// Options of a coded enum (`Stage::ALL` …) labelled in the user's language.
pub fn coded<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: &str,
    blank: Option<&str>,
) -> Vec<Opt> {
    options(
        all.iter().map(|v| (code(*v).to_string(), label(*v).to_string())),
        current,
        blank,
    )
}

/// The county's reference lists that project and task forms choose from.
pub struct References {
    pub enterprises: Vec<(String, String)>,
    pub townships: Vec<(String, String)>,
    pub units: Vec<(String, String)>,
    pub nodes: Vec<(String, String)>,
}

impl References {
    pub async fn load(state: &AppState, region_id: i64, t: Tr) -> AppResult<References> {
        let store = state.store();
        let units = store.units(region_id).await?;
        let enterprises = store.enterprises(region_id).await?;
        let nodes = store.chain_nodes(region_id).await?;
        Ok(References {
            enterprises: enterprises.into_iter().map(|e| (e.id.to_string(), e.name)).collect(),
            townships: units
                .iter()
                .filter(|u| u.kind == UnitKind::Township)
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect(),
            units: units
                .iter()
                .filter(|u| u.active)
                .map(|u| {
                    (
                        u.id.to_string(),
                        chainforce_domain::org::unit_display(&u.name, u.kind, t.lang),
                    )
                })
                .collect(),
            nodes: nodes
                .into_iter()
                .map(|n| (n.id.to_string(), format!("{} · {}", n.chain_name, n.name)))
                .collect(),
        })
    }
}
