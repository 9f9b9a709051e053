//! The span mapper: any path into any parsed document resolves to a prefix and a
//! range inside the text. The first byte picks how many path steps follow.
#![no_main]

use blastwall::source::{yaml, Limits, PathSeg};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let cut = (n as usize % 16).min(rest.len());
    let (steps, text) = rest.split_at(cut);
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let path: Vec<PathSeg> = steps
        .iter()
        .map(|&b| match b % 4 {
            0 => PathSeg::Index((b / 4) as usize),
            1 => PathSeg::Key("a".into()),
            2 => PathSeg::Key("items".into()),
            _ => PathSeg::Key(((b / 4) % 10).to_string().into()),
        })
        .collect();
    for doc in yaml::parse_stream(text, &Limits::default()).docs {
        let r = doc.spans.resolve(&path);
        assert!(r.matched <= path.len());
        assert!(text.get(r.node.label_range()).is_some());
    }
});
