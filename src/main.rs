fn main() -> std::process::ExitCode {
    blastwall::engine::disable_error_backtraces();
    blastwall::cli::main()
}
