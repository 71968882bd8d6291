fn main() -> std::process::ExitCode {
    ken::cli::main()
}
