-- Which model each AI provider is asked (empty: the provider's usual one, chosen by Pint).
ALTER TABLE ai_providers ADD COLUMN model TEXT NOT NULL DEFAULT '';
