//! Enterprises (企业): investors and operators of projects.

use crate::credit_code::CreditCode;
use crate::org::phone_field;
use crate::validation::{self as v, ValidationErrors};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EnterpriseForm {
    pub name: String,
    pub credit_code: String,
    pub legal_person: String,
    pub contact_person: String,
    pub phone: String,
    pub address: String,
    /// "1"/"on"/"true" when the enterprise is above designated size (规上).
    pub above_scale: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseDraft {
    pub name: String,
    /// 统一社会信用代码, validated.
    pub credit_code: Option<CreditCode>,
    pub legal_person: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// 规上企业.
    pub above_scale: bool,
    pub notes: Option<String>,
}

impl EnterpriseForm {
    pub fn validate(&self) -> Result<EnterpriseDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check(v::required_text("name", &self.name, 100));
        let credit_code = errs
            .check(CreditCode::field("credit_code", &self.credit_code, false))
            .flatten();
        let legal_person = errs
            .check(v::text("legal_person", &self.legal_person, false, 40))
            .flatten();
        let contact_person = errs
            .check(v::text("contact_person", &self.contact_person, false, 40))
            .flatten();
        let phone = errs.check(phone_field("phone", &self.phone)).flatten();
        let address = errs.check(v::text("address", &self.address, false, 200)).flatten();
        let notes = errs.check(v::text("notes", &self.notes, false, 2000)).flatten();
        let above_scale = matches!(self.above_scale.trim(), "1" | "on" | "true" | "是");
        errs.into_result(|| EnterpriseDraft {
            name: name.unwrap_or_default(),
            credit_code,
            legal_person,
            contact_person,
            phone,
            address,
            above_scale,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enterprise_with_a_mistyped_credit_code_is_refused_on_that_field() {
        let f = EnterpriseForm {
            name: "示例锂业".into(),
            credit_code: "914403001922038210".into(),
            ..Default::default()
        };
        let e = f.validate().unwrap_err();
        assert_eq!(e.0[0].field, "credit_code");
        let ok = EnterpriseForm {
            name: "示例锂业".into(),
            credit_code: "914403001922038216".into(),
            ..Default::default()
        };
        assert_eq!(
            ok.validate().unwrap().credit_code.unwrap().as_str(),
            "914403001922038216"
        );
    }
}
