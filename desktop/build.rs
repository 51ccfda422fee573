// The app's config lives at the repository root (tauri.conf.json), read from there by
// both this build script and `generate_context!`: there is no second copy to drift.
fn main() {
    if let Err(e) =
        tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
    {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
