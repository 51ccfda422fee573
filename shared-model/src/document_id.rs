//! Document ids compatible with automerge-repo: 16 random bytes, written in base58check,
//! and the `automerge:<id>` URL form.

use serde::{Deserialize, Serialize};

/// The id of one draft document, identical on every device and on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

/// Why a string is not a document id.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentIdError {
    #[error("`{0}` is not a document id: expected base58check of 16 bytes")]
    Malformed(String),
    #[error("the system random source failed: {0}")]
    Random(String),
}

impl DocumentId {
    /// A new random id.
    pub fn random() -> Result<Self, DocumentIdError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| DocumentIdError::Random(e.to_string()))?;
        Ok(DocumentId(bytes))
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        DocumentId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:<id>` URL of the document.
    pub fn url(&self) -> String {
        format!("automerge:{self}")
    }
}

impl std::fmt::Display for DocumentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl std::str::FromStr for DocumentId {
    type Err = DocumentIdError;

    /// Accepts the bare id or its `automerge:` URL form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_prefix("automerge:").unwrap_or(s);
        let malformed = || DocumentIdError::Malformed(s.chars().take(80).collect());
        let bytes = bs58::decode(bare)
            .with_check(None)
            .into_vec()
            .map_err(|_| malformed())?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| malformed())?;
        Ok(DocumentId(bytes))
    }
}

impl Serialize for DocumentId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text_and_url() {
        let id = DocumentId::random().unwrap();
        assert_eq!(id.to_string().parse::<DocumentId>().unwrap(), id);
        assert_eq!(id.url().parse::<DocumentId>().unwrap(), id);
        assert_ne!(DocumentId::random().unwrap(), id);
    }

    #[test]
    fn matches_base58check_as_automerge_repo_writes_it() {
        // Expected value computed independently: base58(bytes ++ sha256(sha256(bytes))[..4]).
        let id = DocumentId::from_bytes(core::array::from_fn(|i| i as u8));
        assert_eq!(id.to_string(), "1Bhh3pU9gLXZiNDL6PEa1Gs9fh");
        assert_eq!(id.url(), "automerge:1Bhh3pU9gLXZiNDL6PEa1Gs9fh");
    }

    #[test]
    fn refuses_bad_checksums_wrong_lengths_and_garbage() {
        let good = DocumentId::random().unwrap().to_string();
        let mut bad = good.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '2' { '3' } else { '2' });
        assert!(bad.parse::<DocumentId>().is_err());
        let short = bs58::encode([1u8; 8]).with_check().into_string();
        assert!(short.parse::<DocumentId>().is_err());
        assert!("0OIl".parse::<DocumentId>().is_err());
        assert!("".parse::<DocumentId>().is_err());
    }
}
