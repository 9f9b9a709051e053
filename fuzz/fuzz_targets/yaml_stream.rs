//! The loader on arbitrary bytes: documents and problems stay inside the input.
#![no_main]

use blastwall::source::{load, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    let loaded = load::load(&["-".into()], &Limits::default(), &mut input);
    for p in &loaded.problems {
        if let (Some(f), Some(span)) = (p.file, &p.span) {
            assert!(loaded.files[f.0].text.get(span.clone()).is_some());
        }
    }
    for d in &loaded.documents {
        let text = &loaded.files[d.file.0].text;
        assert!(text.get(d.spans.label_range()).is_some());
    }
});
