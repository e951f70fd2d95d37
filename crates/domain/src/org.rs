//! Who is who: regions (行政区划), units (单位) and user roles (角色).

use crate::validation::Lang;
use serde::{Deserialize, Serialize};

/// Declares a closed set of codes with their stored name and their Chinese and English labels,
/// so that the database, the forms, the API and the pages all spell each value the same way.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name { $($(#[$vmeta])* #[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Accepts the code or either label (`township`, `乡镇`, `Township`).
            pub fn parse_loose(text: &str) -> Option<$name> {
                let t = text.trim();
                $name::ALL.iter().copied().find(|v| v.code() == t || v.label($crate::validation::Lang::Zh) == t
                    || v.label($crate::validation::Lang::En).eq_ignore_ascii_case(t))
            }

            pub fn label(self, lang: $crate::validation::Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, $crate::validation::Lang::Zh) => $zh,
                      ($name::$variant, $crate::validation::Lang::En) => $en,)+
                }
            }

            /// Validates a form or API value and names the field when it is not one of the codes.
            pub fn field(field: &str, value: &str) -> Result<$name, $crate::validation::FieldError> {
                $name::parse(value.trim()).or_else(|| $name::parse_loose(value)).ok_or_else(|| {
                    $crate::validation::FieldError::new(field, $crate::validation::Rule::NotOneOf {
                        allowed: $name::ALL.iter().map(|v| v.code().to_string()).collect(),
                    })
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

labelled_enum! {
    /// The level of a region. A county (县) runs a task force; a city (市) or province (省) can
    /// later hold several counties in one deployment.
    pub enum RegionLevel {
        Province = ("province", "省", "Province"),
        City = ("city", "市", "City"),
        County = ("county", "县（区）", "County"),
    }
}

labelled_enum! {
    /// The kind of a unit (单位) that can own tasks and problems.
    pub enum UnitKind {
        /// 部门 — 发改委, 自然资源局 …
        Department = ("department", "部门", "Department"),
        /// 乡镇 — the township where a project sits (属地).
        Township = ("township", "乡镇", "Township"),
        /// 园区 — 经开区管委会 and other parks.
        Park = ("park", "园区", "Park"),
        /// 公用事业 — 供电公司, 水务, 燃气, 通信.
        Utility = ("utility", "公用事业单位", "Utility"),
        Other = ("other", "其他", "Other"),
    }
}

labelled_enum! {
    /// What a signed-in user may do is decided by their role (see [`crate::permission`]).
    pub enum Role {
        /// 专班办公室 — the task-force office: everything, including users and reference data.
        Admin = ("admin", "专班办公室", "Task-force office"),
        /// 领导 — county leaders: read everything.
        Leader = ("leader", "领导", "Leader"),
        /// 责任单位 — a department, township or utility: changes its own tasks and problems.
        Unit = ("unit", "责任单位", "Responsible unit"),
        /// 企业 — an enterprise: sees its own projects, raises problems, rates service.
        Enterprise = ("enterprise", "企业", "Enterprise"),
        /// 观察员 — read-only.
        Viewer = ("viewer", "观察员", "Viewer"),
    }
}

/// A unit's display in lists: "发改委（部门）".
pub fn unit_display(name: &str, kind: UnitKind, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{name}（{}）", kind.label(lang)),
        Lang::En => format!("{name} ({})", kind.label(lang)),
    }
}

/// The identity a rule needs to decide what a user may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    /// Set for unit users: the unit whose tasks and problems they may change.
    pub unit_id: Option<i64>,
    /// Set for enterprise users: the enterprise whose projects they see.
    pub enterprise_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_labels_parse() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.code()), Some(*k));
        }
        assert_eq!(UnitKind::parse_loose("乡镇"), Some(UnitKind::Township));
        assert_eq!(Role::parse_loose("领导"), Some(Role::Leader));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn an_unknown_role_lists_the_allowed_codes() {
        let e = Role::field("role", "root").unwrap_err();
        assert_eq!(e.field, "role");
        assert!(
            e.rule
                .message(Lang::En)
                .contains("admin, leader, unit, enterprise, viewer")
        );
    }
}
