-- Shared throttle buckets (GCRA): next_free_at is the virtual time of the next free slot of an endpoint
-- ("ep:<id>") or application ("app:<id>"); every node reserves slots here so throttleRate holds cluster-wide.
create table throttle_bucket (
    key text primary key,
    next_free_at timestamptz not null
);
