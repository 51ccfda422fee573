//! A real S3-compatible server for tests: moto in server mode, from the test venv that
//! `scripts/test` prepares, on 127.0.0.1, with one bucket; killed when dropped.
#![allow(dead_code)]

use std::time::{Duration, Instant};

pub struct S3Server {
    pub endpoint: String,
    pub bucket: String,
    child: std::process::Child,
}

impl S3Server {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let python = super::test_python();
        let moto = std::path::Path::new(&python).with_file_name("moto_server");
        let child = std::process::Command::new(&moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{} (moto, prepared by scripts/test) cannot start: {e}",
                    moto.display()
                )
            });
        let server = S3Server {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "pint-media".into(),
            child,
        };
        let http = super::http();
        let started = Instant::now();
        loop {
            // Creating the bucket is also the readiness check (moto takes any signature).
            match http
                .put(format!("{}/{}", server.endpoint, server.bucket))
                .send()
                .await
            {
                Ok(resp) if resp.status().is_success() => break,
                _ if started.elapsed() < Duration::from_secs(20) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => panic!("moto did not start: {other:?}"),
            }
        }
        server
    }

    /// The settings a server uses to keep its media here.
    pub fn settings(&self) -> pint_server::settings::MediaStore {
        pint_server::settings::MediaStore::S3 {
            bucket: self.bucket.clone(),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".into(),
            access_key_id: "test".into(),
            secret_access_key: "test".into(),
        }
    }

    /// The keys in the bucket (ListObjectsV2), read without the server.
    pub async fn keys(&self) -> Vec<String> {
        let xml = super::http()
            .get(format!("{}/{}?list-type=2", self.endpoint, self.bucket))
            .send()
            .await
            .expect("list the bucket")
            .text()
            .await
            .expect("the listing");
        let doc = roxmltree::Document::parse(&xml).expect("the listing is XML");
        let mut keys: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("Key"))
            .filter_map(|n| n.text().map(str::to_owned))
            .collect();
        keys.sort();
        keys
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
