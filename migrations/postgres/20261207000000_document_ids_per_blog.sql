-- A document id is unique within its blog, not across blogs: a draft is found by
-- (tenant_id, id), so creating a draft with an id another blog uses answers exactly as
-- a fresh id does (nothing about other blogs shows), and one device may keep the same
-- draft in two blogs. The documents, their chunks, and the posts and publishing jobs that
-- point at a document are keyed by the pair. (The constraint names are PostgreSQL's
-- defaults for the columns' inline constraints.)

ALTER TABLE document_chunks DROP CONSTRAINT document_chunks_document_id_fkey;
ALTER TABLE posts DROP CONSTRAINT posts_document_id_fkey,
                  DROP CONSTRAINT posts_document_id_key;
ALTER TABLE publish_jobs DROP CONSTRAINT publish_jobs_document_id_fkey,
                         DROP CONSTRAINT publish_jobs_document_id_key;

ALTER TABLE documents DROP CONSTRAINT documents_pkey,
                      ADD PRIMARY KEY (tenant_id, id);

ALTER TABLE document_chunks DROP CONSTRAINT document_chunks_pkey,
    ADD PRIMARY KEY (tenant_id, document_id, seq),
    ADD FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE;
ALTER TABLE posts
    ADD UNIQUE (tenant_id, document_id),
    ADD FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE;
ALTER TABLE publish_jobs
    ADD UNIQUE (tenant_id, document_id),
    ADD FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE;
