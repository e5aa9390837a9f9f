-- Svix's usage statistics (POST /api/v1/stats/usage/app) answer with a background task of the whole environment, not
-- of one application: such a task has no application. Application tokens see only their own application's tasks.
alter table background_task alter column app_id drop not null;
