-- One row naming this deployment: created at first start, stable afterwards.
CREATE TABLE server_instance (
    singleton   SMALLINT PRIMARY KEY CHECK (singleton = 1),
    instance_id UUID NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
