//! A device in tests: pint-client's engine on a temporary folder with an in-memory
//! keychain, signing in to Ada's blog and typing into drafts as the app does.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use pint_client::Engine;
use pint_client::account::{self, AccountError, Session, SignIn};
use pint_client::keychain::Keychain;
use pint_model::{DocumentId, Splice};

pub struct Device {
    _dir: tempfile::TempDir,
    pub engine: Arc<Mutex<Engine>>,
    pub keychain: Keychain,
}

impl Device {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let engine = Arc::new(Mutex::new(Engine::open(dir.path()).unwrap()));
        Device {
            _dir: dir,
            engine,
            keychain: Keychain::in_memory().unwrap(),
        }
    }

    pub async fn sign_in(
        &self,
        server: &str,
        create_account: bool,
    ) -> Result<Session, AccountError> {
        self.sign_in_as(server, "ada@example.com", create_account)
            .await
    }

    /// Sign in to the blog `ada-writes` (created with Ada's account).
    pub async fn sign_in_as(
        &self,
        server: &str,
        email: &str,
        create_account: bool,
    ) -> Result<Session, AccountError> {
        account::sign_in(
            &self.engine,
            &self.keychain,
            SignIn {
                server: server.into(),
                email: email.into(),
                password: "correct horse battery".into(),
                create_account,
                blog: "ada-writes".into(),
            },
        )
        .await
    }

    pub fn body(&self, id: DocumentId) -> Option<String> {
        let mut e = self.engine.lock().unwrap();
        e.has_draft(id).unwrap().then(|| e.view(id).unwrap().body)
    }

    pub fn insert(&self, id: DocumentId, pos: usize, text: &str) {
        self.engine
            .lock()
            .unwrap()
            .edit(
                id,
                &[Splice {
                    pos,
                    delete: 0,
                    insert: text.into(),
                }],
                None,
            )
            .unwrap();
    }

    pub fn append(&self, id: DocumentId, text: &str) {
        let len = self.body(id).unwrap().encode_utf16().count();
        self.insert(id, len, text);
    }
}
