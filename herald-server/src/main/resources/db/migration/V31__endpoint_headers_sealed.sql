-- An endpoint's custom headers often carry the receiver's credentials (Authorization, an API key): sealed at rest as its
-- signing secrets are (AES-256-GCM with HERALD_ENCRYPTION_KEY, bound to the endpoint id), the whole set as one JSON
-- object. Rows written before are sealed by the first node that starts with this version (EndpointStore), which needs
-- the key and so cannot be done here; until then their headers column is read as it is.
alter table endpoint add column headers_key_id text, add column headers_sealed bytea;
