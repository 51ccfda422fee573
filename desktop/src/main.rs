//! pint-desktop: the Tauri shell. It registers the commands and opens the window; every
//! decision is made in pint-client. Nothing here touches the disk or the network itself.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod ai;
mod commands;
mod folder;
mod media_scheme;
mod menu;
mod state;
mod webview;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PINT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    pint_client::server::install_crypto_provider();

    let app_state = state::AppState::open();
    app_state.start_compactor();
    let result = tauri::Builder::default()
        .setup(|app| {
            use tauri::Manager;
            let state = app.state::<state::AppState>();
            state.resume_sync(app.handle());
            state.resume_folder(app.handle());
            if let Some(window) = app.get_webview_window("main") {
                webview::configure(&window);
            }
            app.set_menu(menu::build(app.handle())?)?;
            app.on_menu_event(|app, event| menu::forward(app, event.id().as_ref()));
            Ok(())
        })
        .manage(app_state)
        .register_uri_scheme_protocol(pint_client::media::local::SCHEME, media_scheme::serve)
        .invoke_handler(tauri::generate_handler![
            commands::open_current_draft,
            commands::open_draft,
            commands::save_edits,
            commands::server_status,
            commands::list_drafts,
            commands::list_tags,
            commands::search_drafts,
            commands::create_draft,
            commands::rename_draft,
            commands::add_tag,
            commands::remove_tag,
            commands::trash_draft,
            commands::restore_draft,
            commands::empty_trash,
            commands::list_versions,
            commands::preview_version,
            commands::restore_version,
            commands::render_preview,
            commands::damaged_drafts,
            commands::changes_since,
            commands::account_status,
            commands::sign_in,
            commands::sign_out,
            commands::sync_now,
            commands::set_presence,
            commands::publish_state,
            commands::publish,
            commands::unpublish,
            commands::view_on_blog,
            commands::cancel_schedule,
            commands::settings,
            commands::set_settings,
            commands::set_word_goal,
            commands::check_text,
            commands::check_prefs,
            commands::set_check_prefs,
            commands::ignore_finding,
            folder::linked_folder,
            folder::link_folder,
            folder::unlink_folder,
            ai::ai_providers,
            ai::add_ai_provider,
            ai::remove_ai_provider,
            ai::test_ai_provider,
            ai::start_ai_review,
            ai::start_ai_draft,
            ai::start_ai_rewrite,
            ai::cancel_ai,
            commands::add_image_file,
            commands::add_image_bytes,
            commands::media_library,
            commands::blog_plan,
            commands::blog_billing,
            commands::start_checkout,
            commands::open_billing_portal,
            commands::open_payment_receipt,
            commands::remove_image,
            commands::export_draft,
            commands::publish_states,
            commands::draft_details,
            commands::set_draft_details,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("pint: the window could not be opened: {e}");
        std::process::exit(1);
    }
}
