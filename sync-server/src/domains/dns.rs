//! TXT records, looked up through the system's resolver (`/etc/resolv.conf`) or, with
//! `PINT_DNS_SERVER`, through one name server (an internal resolver, or a test's).
//! Answers are never cached here: "verify now" must see a record just added.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;

#[derive(Debug, Clone)]
pub struct Dns {
    resolver: Result<TokioResolver, String>,
}

impl Dns {
    /// A resolver for `server`, or the system's when `None`. A system without a resolver
    /// configuration still starts: verifying then says why it cannot.
    pub fn new(server: Option<SocketAddr>) -> Dns {
        let mut opts = ResolverOpts::default();
        opts.timeout = Duration::from_secs(3);
        opts.attempts = 2;
        opts.cache_size = 0;
        let resolver = match server {
            Some(addr) => {
                let mut config = ResolverConfig::new();
                config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
                config.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
                Ok(
                    TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                        .with_options(opts)
                        .build(),
                )
            }
            None => TokioResolver::builder_tokio()
                .map(|b| b.with_options(opts).build())
                .map_err(|e| format!("no DNS resolver is configured on the server: {e}")),
        };
        Dns { resolver }
    }

    /// The TXT strings at `name` (each record's parts joined, as RFC 7208 reads them);
    /// empty when there are none. `Err` says why DNS could not answer.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, String> {
        let resolver = self.resolver.as_ref().map_err(Clone::clone)?;
        match resolver
            .txt_lookup(format!("{}.", name.trim_end_matches('.')))
            .await
        {
            Ok(found) => Ok(found
                .iter()
                .map(|txt| {
                    txt.txt_data()
                        .iter()
                        .map(|part| String::from_utf8_lossy(part).into_owned())
                        .collect::<String>()
                })
                .collect()),
            Err(e) if e.is_no_records_found() => Ok(Vec::new()),
            Err(e) => Err(format!("DNS did not answer for {name}: {e}")),
        }
    }
}
