//! The config loader: every diagnostic points inside the file.
#![no_main]

use blastwall::config::{self, ConfigError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(ConfigError::Invalid { diagnostics, .. }) = config::parse("c.yaml", text.to_string())
    {
        for d in diagnostics {
            assert!(text.get(d.primary.span.clone()).is_some());
            for l in d.secondary {
                assert!(text.get(l.span.clone()).is_some());
            }
        }
    }
});
