-- Svix's AppPortalAccessIn: capabilities (what an application token may change; null: everything), featureFlags (the
-- flagged event types it sees) and sessionId (expire-all can end one session's tokens). Adding nullable columns is a
-- catalog change only. A read-only token of V20 becomes one that may only read; read_only is still written, true for
-- every token with a list, so a node of the version before refuses such a token every change rather than allow one.
alter table api_token add column capabilities text[], add column feature_flags text[], add column session_id text;
update api_token set capabilities = '{ViewBase}' where read_only;
