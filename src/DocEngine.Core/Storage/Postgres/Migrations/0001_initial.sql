-- DocEngine's metadata on PostgreSQL, version 1. Applied once, in one transaction, by the first node that starts
-- (under an advisory lock: PostgresMigrations.cs). Every lookup is scoped by tenant; times are microseconds (timestamptz).

CREATE TABLE applications (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant text NOT NULL,
    id text NOT NULL,
    display_name text NOT NULL,
    create_time timestamptz NOT NULL,
    submit_time timestamptz,
    UNIQUE (tenant, id));

-- A file name's versions count up per application; the unique key stops two nodes completing the same name at once
-- from giving both uploads one version (completion also locks the application's row).
CREATE TABLE documents (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant text NOT NULL,
    application_id text NOT NULL,
    id text NOT NULL,
    filename text NOT NULL,
    media_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    create_time timestamptz NOT NULL,
    supplementary boolean NOT NULL,
    version integer NOT NULL,
    upload_id text NOT NULL,
    UNIQUE (tenant, application_id, id),
    UNIQUE (tenant, application_id, filename, version));

-- An upload session. hash_state is the running SHA-256 at committed_offset and part_state the upload-part store's own
-- record (for S3: the multipart upload, its parts and ETags, the tail objects), both written in the same statement as
-- the offset, so any node can carry on from exactly the acknowledged byte without reading the bytes back.
CREATE TABLE uploads (
    id text PRIMARY KEY,
    tenant text NOT NULL,
    application_id text NOT NULL,
    filename text NOT NULL,
    media_type text NOT NULL,
    declared_size bigint,
    declared_sha256 text,
    committed_offset bigint NOT NULL,
    state smallint NOT NULL,
    create_time timestamptz NOT NULL,
    expire_time timestamptz NOT NULL,
    sha256 text,
    document_id text,
    failure text,
    hash_state bytea,
    part_state text);
CREATE INDEX uploads_open_by_expiry ON uploads (expire_time) WHERE state = 1;
CREATE INDEX uploads_by_application ON uploads (tenant, application_id);

CREATE TABLE renditions (
    tenant text NOT NULL,
    application_id text NOT NULL,
    document_id text NOT NULL,
    id text NOT NULL,
    sources text NOT NULL,
    media_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    pages integer NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    report text NOT NULL,
    create_time timestamptz NOT NULL,
    PRIMARY KEY (tenant, application_id, document_id, id));

-- One chain per application: the primary key makes a second receipt with the same sequence fail, so two nodes issuing
-- at once never fork a chain (the loser reads the new head and tries again).
CREATE TABLE receipts (
    tenant text NOT NULL,
    application_id text NOT NULL,
    sequence bigint NOT NULL,
    document_id text NOT NULL,
    jws text NOT NULL,
    sha256 text NOT NULL,
    previous_sha256 text,
    key_id text NOT NULL,
    issue_time timestamptz NOT NULL,
    PRIMARY KEY (tenant, application_id, sequence),
    UNIQUE (tenant, application_id, document_id));

CREATE TABLE batches (
    tenant text NOT NULL,
    id text PRIMARY KEY,
    application_id text NOT NULL,
    operations text NOT NULL,
    max_bytes bigint NOT NULL,
    completed boolean NOT NULL,
    create_time timestamptz NOT NULL,
    complete_time timestamptz,
    total bigint NOT NULL,
    ok bigint NOT NULL,
    refused bigint NOT NULL,
    failed bigint NOT NULL);

-- The batch queue: state 0 pending, 1 leased, 2 done. Workers on every node claim rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE batch_items (
    batch_id text NOT NULL,
    seq bigint NOT NULL,
    tenant text NOT NULL,
    application_id text NOT NULL,
    document_id text NOT NULL,
    state smallint NOT NULL,
    lease_owner text,
    lease_until timestamptz,
    outcome smallint,
    message text,
    outputs text,
    millis bigint,
    PRIMARY KEY (batch_id, seq));
CREATE INDEX batch_items_open ON batch_items (batch_id, state, seq) WHERE state < 2;

-- Receipt signing keys shared by every node when none are configured: the first node to start generates one.
CREATE TABLE receipt_keys (
    id text PRIMARY KEY,
    pem text NOT NULL,
    create_time timestamptz NOT NULL);

-- Concurrency slots counted per scope and shared by every node (a tenant's uploads in flight). A node renews the slots
-- it holds; a dead node's slots expire.
CREATE TABLE limit_slots (
    scope text NOT NULL,
    id text NOT NULL,
    owner text NOT NULL,
    expire_time timestamptz NOT NULL,
    PRIMARY KEY (scope, id));
CREATE INDEX limit_slots_by_owner ON limit_slots (owner);
