-- Svix's connectors (transformation templates): named, ready-made transformations an operator offers the customers,
-- e.g. "Slack" (a message body Slack's incoming webhooks take). The app portal lists them (those whose feature flags
-- the portal's token bears), and a customer who picks one gets an endpoint with its transformation and, when the
-- connector names them, only its allowed event types. transformation is Herald's template (JSON text), not JavaScript.
create table connector (
    id                        text collate "C" primary key,
    uid                       text collate "C" unique,
    name                      text not null,
    kind                      text not null,
    logo                      text,
    description               text not null,
    instructions              text not null,
    allowed_event_types       text[],
    transformation            text not null,
    feature_flags             text[],
    product_type              text not null,
    created_at                timestamptz not null,
    updated_at                timestamptz not null,
    transformation_updated_at timestamptz not null
);
