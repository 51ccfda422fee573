//! The refresh token in the real OS keychain: on Linux the Secret Service, here a real
//! gnome-keyring in a private D-Bus session (scripts/test starts one). Kept, read back by
//! a second handle (as after a restart of the app), replaced, and forgotten.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_client::keychain::Keychain;

#[test]
fn the_refresh_token_lives_in_the_os_keychain() {
    let keychain = Keychain::os().expect(
        "the OS keychain: run under scripts/test, which starts gnome-keyring in a D-Bus session",
    );
    let server = format!("http://127.0.0.1:{}", std::process::id());
    let email = "keychain-test@example.com";
    keychain.delete_refresh_token(&server, email).unwrap();
    assert_eq!(keychain.refresh_token(&server, email).unwrap(), None);

    keychain
        .set_refresh_token(&server, email, "first-token")
        .unwrap();
    let again = Keychain::os().unwrap();
    assert_eq!(
        again.refresh_token(&server, email).unwrap().as_deref(),
        Some("first-token")
    );
    again
        .set_refresh_token(&server, email, "rotated-token")
        .unwrap();
    assert_eq!(
        keychain.refresh_token(&server, email).unwrap().as_deref(),
        Some("rotated-token")
    );
    // Another account on the same server is another item.
    assert_eq!(
        keychain
            .refresh_token(&server, "someone-else@example.com")
            .unwrap(),
        None
    );

    keychain.delete_refresh_token(&server, email).unwrap();
    assert_eq!(again.refresh_token(&server, email).unwrap(), None);
}
