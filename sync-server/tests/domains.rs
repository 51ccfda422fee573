//! Blogs at their own domain, on both backends: an owner claims a domain and is told the
//! TXT record to add; verifying before it is there is refused (409, with what DNS holds)
//! and the domain serves nothing; once the record is at a real DNS server the domain
//! serves the blog (canonical URLs use it); another blog cannot take a verified domain;
//! bad domains are refused; other blogs' members cannot see or change it; removing it
//! stops it at once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::dns::FakeDns;
use common::{Backend, TestServer};
use pint_model::DraftKind;
use reqwest::Method;
use serde_json::json;

async fn story(backend: Backend) {
    let dns = FakeDns::start().await;
    let dns_addr = dns.addr;
    let server = TestServer::start_with(backend, |s| s.dns_server = Some(dns_addr)).await;
    let ada = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let eve = BlogOwner::register(&server.base, &server.db, "eve@example.com", "eve-blog").await;
    let (doc, _) = ada
        .draft(DraftKind::Post, "Night trains", "Sleeping across Europe.")
        .await;
    assert_eq!(ada.publish(&doc, json!({})).await.0, 200);
    // A reader at a Host.
    let at = |host: &'static str, path: &'static str| {
        let url = server.url(path);
        async move {
            let resp = reqwest::Client::new()
                .get(url)
                .header("host", host)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let domain = format!("/v1/tenants/{}/domain", ada.tenant);

    // Nothing claimed yet: no domain to read, nothing to verify (the blog is there).
    assert_eq!(ada.call(Method::GET, &domain, None).await.0, 404);
    let (status, answer) = ada
        .call(Method::POST, &format!("{domain}/verify"), None)
        .await;
    assert_eq!(
        (status, answer["error"]["details"]["reason"].as_str()),
        (409, Some("no-domain")),
        "{answer}"
    );
    // Bad domains: refused, the field named.
    for bad in [
        "localhost",
        "10.0.0.1",
        "bad_name.example.com",
        "bücher.example",
        "a..b",
    ] {
        let (status, answer) = ada
            .call(Method::PUT, &domain, Some(json!({ "domain": bad })))
            .await;
        assert_eq!(status, 422, "{bad}: {answer}");
        assert!(answer["error"]["details"]["fields"]["domain"].is_string());
    }
    let (status, claim) = ada
        .call(
            Method::PUT,
            &domain,
            Some(json!({"domain": "Blog.Ada.Example."})),
        )
        .await;
    assert_eq!(status, 200, "{claim}");
    assert_eq!(claim["domain"], "blog.ada.example");
    assert_eq!(claim["verified"], false);
    assert_eq!(claim["txtName"], "_pint-verify.blog.ada.example");
    let value = claim["txtValue"].as_str().unwrap().to_owned();
    assert!(
        value.starts_with("pint-verify=") && value.len() > 30,
        "{value}"
    );
    // The same domain again: the same record to add.
    let (_, again) = ada
        .call(
            Method::PUT,
            &domain,
            Some(json!({"domain": "blog.ada.example"})),
        )
        .await;
    assert_eq!(again["txtValue"], value.as_str());

    // Unverified: the domain is not the blog.
    let (_, page) = at("blog.ada.example", "/night-trains").await;
    assert!(!page.contains("Sleeping across Europe"), "{page}");
    // Verifying before the record exists: 409, with what DNS holds.
    dns.add_txt(
        "_pint-verify.blog.ada.example",
        "pint-verify=something-else",
    );
    let verify = format!("{domain}/verify");
    let (status, answer) = ada.call(Method::POST, &verify, None).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["details"]["reason"], "txt-record-missing");
    assert_eq!(
        answer["error"]["details"]["found"],
        json!(["pint-verify=something-else"])
    );
    assert_eq!(answer["error"]["details"]["txtValue"], value.as_str());

    // The record added at the DNS host: verified, and the domain serves the blog.
    dns.add_txt("_pint-verify.blog.ada.example", &value);
    let (status, verified) = ada.call(Method::POST, &verify, None).await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["verified"], true);
    let (status, page) = at("blog.ada.example", "/night-trains").await;
    assert_eq!(status, 200);
    assert!(page.contains("Sleeping across Europe"), "{page}");
    assert!(
        page.contains("<link rel=\"canonical\" href=\"http://blog.ada.example/night-trains\">"),
        "{page}"
    );
    let (status, index) = at("BLOG.ada.example:8443", "/").await;
    assert_eq!(status, 200);
    assert!(
        index.contains("href=\"/night-trains\""),
        "links at the host: {index}"
    );
    // The path form names the same canonical URL.
    let (_, path_form) = at("127.0.0.1", "/b/ada-writes/night-trains").await;
    assert!(path_form.contains("href=\"http://blog.ada.example/night-trains\""));
    // The domain shows only Ada's blog: no API, not Eve's posts.
    let (status, _) = at("blog.ada.example", "/v1/users/me").await;
    assert_eq!(status, 404);

    // Eve cannot take it: her claim is fine (she may be its future owner), her
    // verification is refused even with the record in DNS.
    let eve_domain = format!("/v1/tenants/{}/domain", eve.tenant);
    let (status, eve_claim) = eve
        .call(
            Method::PUT,
            &eve_domain,
            Some(json!({"domain": "blog.ada.example"})),
        )
        .await;
    assert_eq!(status, 200, "{eve_claim}");
    dns.add_txt(
        "_pint-verify.blog.ada.example",
        eve_claim["txtValue"].as_str().unwrap(),
    );
    let (status, answer) = eve
        .call(Method::POST, &format!("{eve_domain}/verify"), None)
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["details"]["reason"], "taken");
    let (_, page) = at("blog.ada.example", "/").await;
    assert!(page.contains("ada-writes") && !page.contains("eve-blog"));
    // Nor read or change Ada's (404: not hers).
    for (method, path) in [
        (Method::GET, domain.clone()),
        (Method::POST, verify.clone()),
        (Method::DELETE, domain.clone()),
    ] {
        assert_eq!(eve.call(method, &path, None).await.0, 404);
    }

    // Removed: the domain stops serving the blog at once; the blog is at its path again.
    assert_eq!(ada.call(Method::DELETE, &domain, None).await.0, 204);
    let (_, page) = at("blog.ada.example", "/night-trains").await;
    assert!(!page.contains("Sleeping across Europe"));
    let (_, path_form) = at("127.0.0.1", "/b/ada-writes/night-trains").await;
    assert!(!path_form.contains("blog.ada.example"), "{path_form}");
    // Now Eve can verify it.
    let (status, answer) = eve
        .call(Method::POST, &format!("{eve_domain}/verify"), None)
        .await;
    assert_eq!(status, 200, "{answer}");
    let (_, page) = at("blog.ada.example", "/").await;
    assert!(page.contains("eve-blog"), "{page}");
}

#[tokio::test]
async fn custom_domains_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn custom_domains_on_postgres() {
    story(Backend::Postgres).await;
}
