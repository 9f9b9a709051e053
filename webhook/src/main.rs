use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = blastwall_webhook::cli::Args::parse();
    blastwall_webhook::init_logging(&args.log_level);
    match blastwall_webhook::run(args, blastwall_webhook::shutdown_signal(), |_| {}).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "blastwall-webhook failed");
            std::process::ExitCode::FAILURE
        }
    }
}
