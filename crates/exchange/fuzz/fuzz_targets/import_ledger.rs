//! Any bytes an official might upload: the importer answers with a ledger or an error, never a
//! panic, an endless loop or unbounded memory.

#![no_main]

use chainforce_domain::validation::Lang;
use chainforce_exchange::ledger::{ImportOptions, Limits, import_ledger, write_refused_rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions {
        limits: Limits {
            max_file_bytes: 1 << 20,
            max_unpacked_bytes: 32 << 20,
            max_rows: 5_000,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    match import_ledger(data, &options) {
        Ok(import) => {
            let plan = import.plan(Lang::Zh, |key| (key.row % 2 == 0).then_some(1));
            serde_json::to_string(&plan).expect("a plan always serialises");
            if import.refused.len() <= 50 {
                write_refused_rows(&import, Lang::En).expect("refused rows always write");
            }
            // The mapping the user would correct must round-trip and be accepted again.
            let json = serde_json::to_string(&import.mapping).expect("mapping serialises");
            let back: chainforce_exchange::ledger::ColumnMapping =
                serde_json::from_str(&json).expect("mapping deserialises");
            assert_eq!(back, import.mapping);
        }
        Err(e) => {
            assert!(!e.message(Lang::Zh).is_empty());
        }
    }
});
