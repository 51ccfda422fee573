//! The `pint-media` URL scheme: the editor and the preview show images kept on this
//! device (`pint_client::media::local`) without the window's content policy allowing
//! files or other hosts. Only GET of a well-formed variant path is answered; the bytes
//! are served as what they are, never sniffed, and cached for good (a variant never
//! changes: its image's id is the hash of its variants).

use std::borrow::Cow;

use pint_client::media::local::{choose_variant, parse_variant_path};
use tauri::http::{Method, Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext};

use crate::state::AppState;

pub fn serve<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
) -> Response<Cow<'static, [u8]>> {
    if request.method() != Method::GET {
        return status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let Some((id, width, format)) = parse_variant_path(request.uri().path()) else {
        return status(StatusCode::NOT_FOUND);
    };
    let state = ctx.app_handle().state::<AppState>();
    let Ok(engine) = state.engine.as_ref() else {
        return status(StatusCode::SERVICE_UNAVAILABLE);
    };
    let found = {
        let Ok(engine) = engine.lock() else {
            return status(StatusCode::INTERNAL_SERVER_ERROR);
        };
        let store = engine.store();
        store
            .media_info(&id)
            .ok()
            .flatten()
            .and_then(|info| choose_variant(&info, width, format))
            .and_then(|(w, f)| Some((store.media_variant(&id, w, f).ok().flatten()?, f)))
    };
    let Some((bytes, format)) = found else {
        return status(StatusCode::NOT_FOUND);
    };
    Response::builder()
        .header(header::CONTENT_TYPE, format.mime())
        .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
        .header("X-Content-Type-Options", "nosniff")
        .body(Cow::Owned(bytes))
        .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR))
}

fn status(code: StatusCode) -> Response<Cow<'static, [u8]>> {
    let mut response = Response::new(Cow::Borrowed(&[][..]));
    *response.status_mut() = code;
    response
}
