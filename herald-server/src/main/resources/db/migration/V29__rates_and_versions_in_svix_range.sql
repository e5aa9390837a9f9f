-- Rates and versions are u16 in the Svix SDKs (1 to 65,535): a stored 70,000 broke a typed client's read of the whole
-- list it was in. The API now refuses what is out of that range; values stored before keep their meaning: a rate of 0
-- was read as no limit (null), a larger one is as good as the largest; a version above the range takes the largest.
update application set rate_limit = nullif(least(rate_limit, 65535), 0)
    where rate_limit = 0 or rate_limit > 65535;
update application set throttle_rate = nullif(least(throttle_rate, 65535), 0)
    where throttle_rate = 0 or throttle_rate > 65535;
update endpoint set rate_limit = nullif(least(rate_limit, 65535), 0)
    where rate_limit = 0 or rate_limit > 65535;
update endpoint set throttle_rate = nullif(least(throttle_rate, 65535), 0)
    where throttle_rate = 0 or throttle_rate > 65535;
update endpoint set version = 65535 where version > 65535;
