//! The `portcullis-train` binary: see [`portcullis_train::cli`].

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = portcullis_train::cli::run(&args) {
        eprintln!("portcullis-train: {e}");
        std::process::exit(1);
    }
}
