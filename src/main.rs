/// Rule evaluation allocates and frees many small values, as in the webhook.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    blastwall::engine::disable_error_backtraces();
    blastwall::cli::main()
}
