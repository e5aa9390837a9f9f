-- Svix's transformation routes switch an endpoint's transformation off without losing it ({enabled: false}). The one
-- in effect stays in endpoint.transformation (what delivery reads, unchanged); one switched off is kept here instead.
alter table endpoint add column transformation_disabled jsonb;
