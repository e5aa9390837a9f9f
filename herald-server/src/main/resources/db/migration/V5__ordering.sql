-- Ordered delivery: an endpoint with ordering 'fifo' receives its messages strictly in publish order.
alter table endpoint add column ordering text;

-- Copied from the endpoint at fan-out, so the claim need not join endpoints to know.
alter table delivery add column fifo boolean not null default false;

-- The claim asks "is there an older pending delivery for this fifo endpoint?" for each candidate.
create index delivery_fifo_head_idx on delivery (endpoint_id, id) where status = 1 and fifo;
