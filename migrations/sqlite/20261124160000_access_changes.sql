-- A counter that moves whenever something that can end a sync socket's access changes:
-- a session ends, a user is banned or deleted, a membership changes or goes. Each
-- server reads it a few times a second and re-checks its sockets only when it moved,
-- instead of every socket asking about its session twice a second. Triggers keep it,
-- so no code path that changes access can forget to.
CREATE TABLE access_changes (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);
INSERT INTO access_changes (id, epoch) VALUES (1, 0);

CREATE TRIGGER access_session_ended AFTER UPDATE OF revoked_at, user_id ON sessions
BEGIN UPDATE access_changes SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER access_session_deleted AFTER DELETE ON sessions
BEGIN UPDATE access_changes SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER access_user_role AFTER UPDATE OF role ON users
BEGIN UPDATE access_changes SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER access_user_deleted AFTER DELETE ON users
BEGIN UPDATE access_changes SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER access_membership_changed AFTER UPDATE ON memberships
BEGIN UPDATE access_changes SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER access_membership_deleted AFTER DELETE ON memberships
BEGIN UPDATE access_changes SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER access_tenant_deleted AFTER DELETE ON tenants
BEGIN UPDATE access_changes SET epoch = epoch + 1 WHERE id = 1; END;
