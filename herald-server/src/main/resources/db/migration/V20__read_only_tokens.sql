-- Svix's AppPortalAccessIn.readOnly: an app portal token that may look but not change anything. A new column with a
-- constant default is a catalog change only (no table rewrite); nodes of the version before write tokens without it.
alter table api_token add column read_only boolean not null default false;
