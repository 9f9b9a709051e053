fn main() -> std::process::ExitCode {
    blastwall::cli::main()
}
