//! An aws-auth section (mapRoles text) parsed as the authenticator reads it.
#![no_main]

use blastwall::awsauth::section;
use blastwall::source::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let s = section::parse(text, &Limits::default());
    if let Some((r, _)) = &s.error {
        assert!(text.get(r.clone()).is_some());
    }
    for (r, _) in &s.unquoted_templates {
        assert!(text.get(r.clone()).is_some());
    }
});
