-- Ids are prefixed KSUIDs: their byte order is their time order, and lists and their iterators (order by id) rely on
-- it to come newest first. Compared under the database's default collation, that held only where the default sorts by
-- code point (C, C.UTF-8, as the embedded PostgreSQL is created here). Under a language's collation (en_US.UTF-8, the
-- official PostgreSQL image's default, or an ICU one) 'a' sorts before 'Z', so a list of messages came out of their
-- publishing order. Every column that holds an identifier or a key now compares bytes ("C"), whatever the database's
-- default: the type stays text (no table rewrite), the indexes on these columns are rebuilt once, and the columns a
-- join compares all change together, so each join keeps one collation and its indexes.
alter table application alter column id type text collate "C", alter column uid type text collate "C";
alter table endpoint alter column id type text collate "C", alter column app_id type text collate "C",
                     alter column uid type text collate "C";
alter table endpoint_secret alter column endpoint_id type text collate "C", alter column key_id type text collate "C";
alter table endpoint_pause alter column endpoint_id type text collate "C";
alter table api_token alter column id type text collate "C", alter column app_id type text collate "C";
alter table event_type alter column name type text collate "C";
alter table message alter column id type text collate "C", alter column app_id type text collate "C",
                    alter column event_id type text collate "C", alter column event_type type text collate "C";
alter table delivery alter column msg_id type text collate "C", alter column endpoint_id type text collate "C",
                     alter column app_id type text collate "C";
alter table delivery_queue alter column msg_id type text collate "C", alter column endpoint_id type text collate "C",
                           alter column app_id type text collate "C";
alter table attempt alter column id type text collate "C", alter column msg_id type text collate "C",
                    alter column endpoint_id type text collate "C", alter column app_id type text collate "C";
alter table background_task alter column id type text collate "C", alter column app_id type text collate "C";
alter table integration alter column id type text collate "C", alter column app_id type text collate "C",
                        alter column token_id type text collate "C", alter column key_id type text collate "C";
alter table idempotency_key alter column scope type text collate "C", alter column key type text collate "C";
alter table herald_flag alter column name type text collate "C";
alter table throttle_bucket alter column key type text collate "C";
