-- Every message and every attempt wrote an entry into an index on its id alone, and another into one that starts with
-- its application (message) or its message (attempt) and ends with the id. Every lookup names the application or the
-- message as well (the API's paths carry them; the claim reads a message by application and id), so the second index
-- serves as the key and the first is dropped: one index entry fewer per message and per attempt.
alter table message drop constraint message_pkey;
drop index message_app_idx;
alter table message add constraint message_pkey primary key (app_id, id);

alter table attempt drop constraint attempt_pkey;
drop index attempt_msg_idx;
alter table attempt add constraint attempt_pkey primary key (msg_id, id);
