//! Output formats for `blastwall lint`. Reporters only format findings.
