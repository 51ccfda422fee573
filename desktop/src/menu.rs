//! The window's menu bar: the usual items with their shortcuts. Each item is sent to the
//! window as a `menu` event naming the action (the window does it, as for its keys);
//! quit and close are the system's own.

use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, PredefinedMenuItem, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Runtime};

/// Item ids are the actions the window knows (`App.svelte`'s `action`).
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let item = |id: &str, label: &str, keys: Option<&str>| {
        let b = MenuItemBuilder::with_id(id, label);
        match keys {
            Some(k) => b.accelerator(k).build(app),
            None => b.build(app),
        }
    };
    let file = SubmenuBuilder::new(app, "File")
        .item(&item("new", "New Draft", Some("CmdOrCtrl+N"))?)
        .item(&item("search", "Open…", Some("CmdOrCtrl+O"))?)
        .separator()
        .item(&item("export-markdown", "Export as Markdown", None)?)
        .item(&item("export-html", "Export as HTML", None)?)
        .separator()
        .item(&item("images", "Images…", Some("CmdOrCtrl+Shift+M"))?)
        .item(&item("publish", "Publish…", None)?)
        .separator()
        .item(&PredefinedMenuItem::close_window(
            app,
            Some("Close Window"),
        )?)
        .item(&PredefinedMenuItem::quit(app, Some("Quit Pint"))?)
        .build()?;
    // Undo, redo and find act on the text; their keys stay with the editor (Ctrl+Z,
    // Ctrl+Shift+Z, Ctrl+F), so typing in a field keeps its own undo.
    let edit = SubmenuBuilder::new(app, "Edit")
        .item(&item("undo", "Undo (Ctrl+Z)", None)?)
        .item(&item("redo", "Redo (Ctrl+Shift+Z)", None)?)
        .separator()
        .item(&item("find", "Find and Replace (Ctrl+F)", None)?)
        .item(&item("checks", "Writing Checks", Some("CmdOrCtrl+;"))?)
        .item(&item(
            "review",
            "Review with AI",
            Some("CmdOrCtrl+Shift+R"),
        )?)
        .separator()
        .item(&item("settings", "Preferences…", Some("CmdOrCtrl+,"))?)
        .build()?;
    let view = SubmenuBuilder::new(app, "View")
        .item(&item("outline", "Outline", Some("CmdOrCtrl+Shift+O"))?)
        .item(&item("preview", "Preview", Some("CmdOrCtrl+P"))?)
        .item(&item("history", "History", Some("CmdOrCtrl+H"))?)
        .separator()
        .item(&item("focus", "Focus Mode", Some("F8"))?)
        .build()?;
    MenuBuilder::new(app).items(&[&file, &edit, &view]).build()
}

/// Send menu choices to the window.
pub fn forward<R: Runtime>(app: &AppHandle<R>, id: &str) {
    if let Err(e) = app.emit(pint_client::ipc::events::MENU, id) {
        tracing::warn!(error = %e, "a menu choice could not reach the window");
    }
}
