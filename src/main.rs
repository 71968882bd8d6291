fn main() -> std::process::ExitCode {
    // SAFETY: first thing in main, before any other thread exists.
    unsafe { ken::source::defer_ca_loading() };
    ken::cli::main()
}
