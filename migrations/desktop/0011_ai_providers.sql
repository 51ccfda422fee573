-- The creator's own AI providers on this device: which service, at which address, under
-- which name. The key itself lives only in the OS keychain ("AI key <id>"), never here.
CREATE TABLE ai_providers (
    id        TEXT PRIMARY KEY NOT NULL,
    provider  TEXT NOT NULL CHECK (provider IN ('openAi', 'anthropic', 'openRouter', 'compatible')),
    label     TEXT NOT NULL,
    base_url  TEXT NOT NULL,
    added_at  INTEGER NOT NULL
) STRICT;
