-- Herald extras on endpoints (absent from Svix): a payload filter applied at fan-out and a request
-- template applied at send time. Null means none; both are validated by the API before they are stored.
alter table endpoint add column filter jsonb, add column transformation jsonb;

-- An event type may ask that payloads published with it conform to its newest schema.
alter table event_type add column validate_payloads boolean not null default false;
