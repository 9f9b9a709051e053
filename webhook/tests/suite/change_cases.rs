//! The shared change cases (fixtures/change/cases.yaml) through the running webhook
//! over real TLS: every case decided as the table expects, with the very response
//! `blastwall review` computes for the same AdmissionReview.

use crate::common;

use crate::cases as change_cases;

use std::sync::Arc;

use blastwall::admission::{self, Enforcements};
use blastwall::engine::Engine;
use blastwall::facts::{tenancy::Tenancy, Context};
use change_cases::Outcome;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_decides_every_change_case_like_blastwall_review() {
    let table = change_cases::load();
    let config_path = table.config_path();
    let config = blastwall::config::load(&config_path).unwrap();
    let mut engine = Engine::builtin().unwrap();
    engine.set_config(config.to_value()).unwrap();
    let enforcements = Enforcements::from_config(&config);
    let ctx = Context {
        tenancy: Some(Arc::new(Tenancy::new(config))),
        namespaces: None,
        gatekeeper: None,
        roles: None,
        access_run: None,
    };

    let pki = pki("change");
    let config_arg = config_path.display().to_string();
    let server = start(&pki, &["--config", &config_arg]).await;
    let mut failures = Vec::new();
    for (i, case) in table.cases.iter().enumerate() {
        let uid = format!("5f0c2a9e-0006-4000-8000-{i:012}");
        let review = case.admission_review(&table, &uid);
        let response = server.review(&review).await;
        assert_eq!(response["response"]["uid"], uid.as_str());
        if let Err(e) = case.check(&Outcome::from_response(&response)) {
            failures.push(e);
        }
        let body = serde_json::to_vec(&review).unwrap();
        let offline = admission::review(&engine, &body, &ctx, &enforcements).unwrap();
        if offline != response {
            failures.push(format!(
                "{}: the webhook answered\n{response:#}\nbut blastwall review answers\n{offline:#}",
                case.name
            ));
        }
    }
    server.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
