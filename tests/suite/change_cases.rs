//! The shared change cases (fixtures/change/cases.yaml) through `blastwall review`:
//! each case as the AdmissionReview the API server would send, decided by the real
//! binary exactly as the webhook decides it.

use crate::cases as change_cases;

use assert_cmd::Command;
use change_cases::Outcome;

#[test]
fn blastwall_review_decides_every_change_case() {
    let table = change_cases::load();
    assert!(table.cases.len() >= 20, "the table lost cases");
    let mut failures = Vec::new();
    for (i, case) in table.cases.iter().enumerate() {
        let uid = format!("change-case-{i}");
        let body = serde_json::to_vec(&case.admission_review(&table, &uid)).unwrap();
        let out = Command::cargo_bin("blastwall")
            .unwrap()
            .arg("review")
            .arg("--config")
            .arg(table.config_path())
            .arg("-")
            .write_stdin(body)
            .output()
            .unwrap();
        let response: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "{}: no response ({e}): {}",
                    case.name,
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        assert_eq!(response["response"]["uid"], uid.as_str());
        let outcome = Outcome::from_response(&response);
        // Exit code 0 exactly when allowed.
        let code = out.status.code();
        if code != Some(if outcome.allowed { 0 } else { 1 }) {
            failures.push(format!("{}: exit code {code:?}", case.name));
        }
        if let Err(e) = case.check(&outcome) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
