-- Recover, replay and purge answer with a background task in Svix's shape (ReplayOut, RecoverOut, ...). Each task is
-- kept so that GET /api/v1/background-task/{id} finds it, as a Svix client polling it expects. Herald runs these
-- tasks within the request, so a task is written once, finished or failed. Deleting an application deletes its tasks.
create table background_task (
    id         text primary key,
    app_id     text not null references application (id) on delete cascade,
    task       text not null,
    status     text not null,
    data       jsonb not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index background_task_app_idx on background_task (app_id, id);
