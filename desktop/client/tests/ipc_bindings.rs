//! The TypeScript bindings of the desktop's IPC types (`src-ui/src/bindings/`) are
//! generated from these Rust types and must be fresh: this test fails when a type
//! changed and the bindings were not regenerated. Regenerate with
//! `PINT_UPDATE_BINDINGS=1 cargo test -p pint-client --test ipc_bindings`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::PathBuf;

use pint_client::account::SignIn;
use pint_client::ai::keys::NewProvider;
use pint_client::ai::probe::KeyWorks;
use pint_client::ai::review::{
    ReviewDone, ReviewRequest, Severity, Suggestion, SuggestionKind, TextRange,
};
use pint_client::ai::stream::Usage;
use pint_client::ai::write::{DraftBrief, Length, Rewrite, WriteDone};
use pint_client::ai::{AiEvent, AiUpdate, Provider, ProviderConfig};
use pint_client::checks::{CheckPrefs, English, Finding, FindingKind};
use pint_client::ipc::AccountStatus;
use pint_client::media::VariantFormat;
use pint_client::media::library::{BlogStorage, LibraryImage, MediaLibrary};
use pint_client::media::upload::UploadProgress;
use pint_client::publish::{
    DraftPublished, PublishOptions, PublishState, PublishedPost, ScheduledPublish,
};
use pint_client::server::ServerStatus;
use pint_client::store::{DraftNamed, MediaInfo, StoredVariant};
use pint_client::sync::{PeerPresence, Selection, SyncStatus};
use pint_client::{
    Account, CommandError, DamagedDraft, DraftDetails, DraftSummary, DraftSync, DraftView,
    EditorFont, ErrorKind, FocusScope, ListQuery, RemoteChanges, SaveReport, Settings, Sort,
    TagCount, Theme, Version, ipc,
};
use pint_model::render::{Rendered, TocEntry};
use pint_model::{DraftContent, DraftKind, Seo, Splice};
use ts_rs::{Config, TS};

fn bindings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../src-ui/src/bindings")
}

fn binding<T: TS + 'static + ?Sized>(cfg: &Config) -> (String, String) {
    let file = format!("{}.ts", T::name(cfg));
    (file, T::export_to_string(cfg).unwrap())
}

#[test]
fn typescript_bindings_are_fresh() {
    // JSON numbers, not bigint: timestamps and counts are far below 2^53.
    let cfg = Config::new().with_large_int("number");
    let all = [
        binding::<Splice>(&cfg),
        binding::<DraftKind>(&cfg),
        binding::<Seo>(&cfg),
        binding::<DraftContent>(&cfg),
        binding::<Rendered>(&cfg),
        binding::<TocEntry>(&cfg),
        binding::<DraftView>(&cfg),
        binding::<DraftDetails>(&cfg),
        binding::<SaveReport>(&cfg),
        binding::<DraftSummary>(&cfg),
        binding::<ListQuery>(&cfg),
        binding::<Sort>(&cfg),
        binding::<Version>(&cfg),
        binding::<ServerStatus>(&cfg),
        binding::<DamagedDraft>(&cfg),
        binding::<TagCount>(&cfg),
        binding::<CommandError>(&cfg),
        binding::<ErrorKind>(&cfg),
        binding::<DraftSync>(&cfg),
        binding::<MediaInfo>(&cfg),
        binding::<StoredVariant>(&cfg),
        binding::<VariantFormat>(&cfg),
        binding::<UploadProgress>(&cfg),
        binding::<MediaLibrary>(&cfg),
        binding::<Finding>(&cfg),
        binding::<FindingKind>(&cfg),
        binding::<CheckPrefs>(&cfg),
        binding::<English>(&cfg),
        binding::<Provider>(&cfg),
        binding::<ProviderConfig>(&cfg),
        binding::<NewProvider>(&cfg),
        binding::<KeyWorks>(&cfg),
        binding::<AiEvent>(&cfg),
        binding::<AiUpdate>(&cfg),
        binding::<ReviewRequest>(&cfg),
        binding::<ReviewDone>(&cfg),
        binding::<Suggestion>(&cfg),
        binding::<SuggestionKind>(&cfg),
        binding::<Severity>(&cfg),
        binding::<TextRange>(&cfg),
        binding::<Usage>(&cfg),
        binding::<DraftBrief>(&cfg),
        binding::<Length>(&cfg),
        binding::<Rewrite>(&cfg),
        binding::<WriteDone>(&cfg),
        binding::<pint_model::wire::PlanView>(&cfg),
        binding::<pint_model::wire::PlanUsage>(&cfg),
        binding::<pint_model::wire::Entitlements>(&cfg),
        binding::<pint_model::wire::CreditLotView>(&cfg),
        binding::<pint_model::wire::BillingView>(&cfg),
        binding::<pint_model::wire::PriceView>(&cfg),
        binding::<pint_model::wire::PaymentView>(&cfg),
        binding::<LibraryImage>(&cfg),
        binding::<BlogStorage>(&cfg),
        binding::<DraftNamed>(&cfg),
        binding::<RemoteChanges>(&cfg),
        binding::<Account>(&cfg),
        binding::<AccountStatus>(&cfg),
        binding::<SyncStatus>(&cfg),
        binding::<SignIn>(&cfg),
        binding::<PeerPresence>(&cfg),
        binding::<PublishState>(&cfg),
        binding::<DraftPublished>(&cfg),
        binding::<PublishedPost>(&cfg),
        binding::<PublishOptions>(&cfg),
        binding::<ScheduledPublish>(&cfg),
        binding::<Selection>(&cfg),
        binding::<Settings>(&cfg),
        binding::<pint_client::export::ExportFormat>(&cfg),
        binding::<pint_client::files::link::LinkStatus>(&cfg),
        binding::<pint_client::files::Skipped>(&cfg),
        binding::<Theme>(&cfg),
        binding::<EditorFont>(&cfg),
        binding::<FocusScope>(&cfg),
        ("Commands.ts".to_owned(), ipc::typescript(&cfg)),
    ];
    // Every type a binding imports has its own file here.
    for (file, text) in &all {
        for line in text.lines().filter(|l| l.starts_with("import type")) {
            let target = line.rsplit("\"./").next().unwrap().trim_end_matches("\";");
            assert!(
                all.iter().any(|(f, _)| f == &format!("{target}.ts")),
                "{file} imports {target}, which has no binding here: add it to the list"
            );
        }
    }
    let dir = bindings_dir();
    if std::env::var_os("PINT_UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in &all {
            std::fs::write(dir.join(file), text).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (file, text) in &all {
        let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        if &committed != text {
            stale.push(file.clone());
        }
    }
    let mut extra: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| !all.iter().any(|(file, _)| file == f))
        .collect();
    extra.sort();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "stale bindings {stale:?}, files of no type {extra:?}: run \
         PINT_UPDATE_BINDINGS=1 cargo test -p pint-client --test ipc_bindings"
    );
}

/// Every command of the contract is registered by the desktop shell, and nothing else is.
#[test]
fn the_desktop_registers_exactly_the_contract_commands() {
    let main =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../src/main.rs"))
            .unwrap();
    let list = main
        .split("generate_handler![")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("main.rs registers its commands with generate_handler![...]");
    let mut registered: Vec<&str> = list
        .split(',')
        .map(|c| c.trim().rsplit("::").next().unwrap_or(""))
        .filter(|c| !c.is_empty())
        .collect();
    registered.sort_unstable();
    let mut contract = ipc::NAMES.to_vec();
    contract.sort_unstable();
    assert_eq!(registered, contract);
}
