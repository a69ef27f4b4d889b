-- Issue 17 and the batch report's outcomes, as the embedded store's schema 5 and 6 have them.

-- Documents processed that need a person's attention (a signature not valid, a repaired file, one step refused).
ALTER TABLE batches ADD COLUMN attention bigint NOT NULL DEFAULT 0;

-- Applicant access tokens as minted (never the token itself) and their revocation. Every node reloads the ids of revoked
-- tokens that have not expired (access_tokens_revoked) each second.
CREATE TABLE access_tokens (
    id text PRIMARY KEY,
    tenant text NOT NULL,
    application_id text NOT NULL,
    permissions text NOT NULL,
    create_time timestamptz NOT NULL,
    expire_time timestamptz NOT NULL,
    revoke_time timestamptz,
    creator text NOT NULL);
CREATE INDEX access_tokens_by_application ON access_tokens (tenant, application_id);
CREATE INDEX access_tokens_revoked ON access_tokens (expire_time) WHERE revoke_time IS NOT NULL;

-- The audit trail (document reads, tokens minted and revoked): append-only, shown in the application's timeline.
CREATE TABLE audit_events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant text NOT NULL,
    application_id text NOT NULL,
    time timestamptz NOT NULL,
    kind integer NOT NULL,
    resource text NOT NULL,
    description text NOT NULL,
    actor text NOT NULL,
    access_token text NOT NULL);
CREATE INDEX audit_events_by_application ON audit_events (tenant, application_id);

-- Signing keys by purpose ("access-tokens") when none are configured: the primary key lets exactly one node store the first.
CREATE TABLE signing_keys (
    purpose text NOT NULL,
    seq integer NOT NULL,
    pem text NOT NULL,
    create_time timestamptz NOT NULL,
    PRIMARY KEY (purpose, seq));
