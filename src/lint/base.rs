//! `lint --base`: the change between a git revision and the working tree, reviewed
//! object by object as the API server would see it applied.

pub mod pair;
