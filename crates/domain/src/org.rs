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

/// A unit as typed in the admin form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    pub name: String,
    pub kind: String,
    pub contact_person: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDraft {
    pub name: String,
    pub kind: UnitKind,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
}

/// A phone number as officials write it: digits with optional `+`, `-`, spaces and an extension.
pub fn phone_field(field: &str, value: &str) -> Result<Option<String>, crate::validation::FieldError> {
    let v = crate::validation::text(field, value, false, 30)?;
    if let Some(p) = &v {
        let ok =
            p.chars().all(|c| c.is_ascii_digit() || " +-()转".contains(c)) && p.chars().any(|c| c.is_ascii_digit());
        if !ok {
            return Err(crate::validation::FieldError::new(
                field,
                crate::validation::Rule::Other {
                    zh: "电话只能包含数字、空格、+、-、括号".into(),
                    en: "a phone number may contain digits, spaces, +, - and brackets only".into(),
                },
            ));
        }
    }
    Ok(v)
}

impl UnitForm {
    pub fn validate(&self) -> Result<UnitDraft, crate::validation::ValidationErrors> {
        use crate::validation::{self as v, ValidationErrors};
        let mut errs = ValidationErrors::new();
        let name = errs.check(v::required_text("name", &self.name, 50));
        let kind = errs.check(UnitKind::field("kind", &self.kind));
        let contact_person = errs
            .check(v::text("contact_person", &self.contact_person, false, 40))
            .flatten();
        let phone = errs.check(phone_field("phone", &self.phone)).flatten();
        errs.into_result(|| UnitDraft {
            name: name.unwrap_or_default(),
            kind: kind.unwrap_or(UnitKind::Other),
            contact_person,
            phone,
        })
    }
}

/// A user account as typed by the office (the password only when creating or resetting).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: String,
    pub enterprise_id: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDraft {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    /// Present when a password is being set.
    #[serde(skip_serializing)]
    pub password: Option<String>,
}

/// The shortest password the product accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn password_field(field: &str, value: &str) -> Result<String, crate::validation::FieldError> {
    use crate::validation::{FieldError, Rule};
    if value.is_empty() {
        return Err(FieldError::new(field, Rule::Required));
    }
    if value.chars().count() < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            Rule::TooShort {
                min: MIN_PASSWORD_CHARS,
            },
        ));
    }
    if value.chars().count() > 200 {
        return Err(FieldError::new(field, Rule::TooLong { max: 200 }));
    }
    Ok(value.to_string())
}

impl UserForm {
    /// `password_required` when creating a user; on edit an empty password keeps the old one.
    pub fn validate(&self, password_required: bool) -> Result<UserDraft, crate::validation::ValidationErrors> {
        use crate::validation::{self as v, FieldError, Rule, ValidationErrors};
        let mut errs = ValidationErrors::new();
        let username = errs.check(v::required_text("username", &self.username, 40).and_then(|u| {
            if u.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
                Ok(u.to_ascii_lowercase())
            } else {
                Err(FieldError::new(
                    "username",
                    Rule::Other {
                        zh: "登录名只能包含字母、数字、点、下划线和连字符".into(),
                        en: "may contain letters, digits, '.', '_' and '-' only".into(),
                    },
                ))
            }
        }));
        let display_name = errs.check(v::required_text("display_name", &self.display_name, 40));
        let role = errs.check(Role::field("role", &self.role));
        let id = |field: &str, s: &str| -> Result<Option<i64>, FieldError> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| FieldError::new(field, Rule::NotANumber))
            }
        };
        let unit_id = errs.check(id("unit_id", &self.unit_id)).flatten();
        let enterprise_id = errs.check(id("enterprise_id", &self.enterprise_id)).flatten();
        match role {
            Some(Role::Unit) if unit_id.is_none() => errs.push("unit_id", Rule::Required),
            Some(Role::Enterprise) if enterprise_id.is_none() => errs.push("enterprise_id", Rule::Required),
            _ => {}
        }
        let password = if self.password.is_empty() && !password_required {
            None
        } else {
            errs.check(password_field("password", &self.password))
        };
        let role_v = role.unwrap_or(Role::Viewer);
        errs.into_result(|| UserDraft {
            username: username.unwrap_or_default(),
            display_name: display_name.unwrap_or_default(),
            role: role_v,
            // A unit or enterprise link only means something for those roles.
            unit_id: if role_v == Role::Unit { unit_id } else { None },
            enterprise_id: if role_v == Role::Enterprise {
                enterprise_id
            } else {
                None
            },
            password,
        })
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn a_unit_user_must_belong_to_a_unit() {
        let f = UserForm {
            username: "fgw".into(),
            display_name: "发改委 张三".into(),
            role: "unit".into(),
            password: "long enough pw".into(),
            ..Default::default()
        };
        assert_eq!(f.validate(true).unwrap_err().0[0].field, "unit_id");
    }

    #[test]
    fn short_passwords_and_odd_usernames_are_refused() {
        let f = UserForm {
            username: "张三".into(),
            display_name: "x".into(),
            role: "viewer".into(),
            password: "short".into(),
            ..Default::default()
        };
        let fields: Vec<String> = f.validate(true).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["username", "password"]);
    }

    #[test]
    fn phone_numbers_allow_the_usual_punctuation() {
        assert!(phone_field("phone", "0793-1234567").is_ok());
        assert!(phone_field("phone", "+86 138 0000 0000").is_ok());
        assert!(phone_field("phone", "call me").is_err());
    }
}
