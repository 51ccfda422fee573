//! The web view's own settings. On Linux (WebKitGTK) the page is drawn without GPU
//! compositing and without WebGL: a page of text gains nothing from them, and they cost
//! the most memory of the app (GL contexts, in software where there is no GPU: 76 MiB
//! of the web process under Xvfb) and are where WebKitGTK's blank-window bugs with some
//! GPU drivers live.

use tauri::{Runtime, WebviewWindow};

#[cfg(target_os = "linux")]
pub fn configure<R: Runtime>(window: &WebviewWindow<R>) {
    let result = window.with_webview(|w| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&w.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            settings.set_enable_webgl(false);
            // One page, never navigated away from: nothing to keep for "back".
            settings.set_enable_page_cache(false);
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "the web view's settings could not be applied");
    }
}

#[cfg(not(target_os = "linux"))]
pub fn configure<R: Runtime>(_window: &WebviewWindow<R>) {}
