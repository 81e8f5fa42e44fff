-- 008_message_caps.sql: the messages each cap key has sent, for the
-- caps of notify/caps.c (per recipient, pool and source address). A
-- charge takes the pool's advisory lock until its transaction ends, so
-- parallel sends are counted one after the other, then counts the
-- key's sends in the window and raises SQLSTATE UP429 over a cap, which
-- rolls back the message with everything else of its batch. Rows older
-- than a day are swept.
CREATE TABLE message_sends (
	cap_key		text NOT NULL,
	sent_at		double precision NOT NULL
);
CREATE INDEX message_sends_key ON message_sends (cap_key, sent_at);
CREATE INDEX message_sends_at ON message_sends (sent_at);

-- Sends of key in the last win seconds reach cap (0: no cap).
CREATE FUNCTION message_caps_full(key text, win integer, cap integer,
    t_now double precision) RETURNS boolean LANGUAGE sql VOLATILE AS $$
	SELECT cap > 0 AND key IS NOT NULL AND (SELECT count(*) FROM
	    message_sends WHERE cap_key = key AND sent_at > t_now - win) >= cap
$$;

CREATE FUNCTION message_caps_charge(pool text, recipient text,
    address text, r15 integer, rday integer, phour integer,
    ahour integer) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	t_now	double precision := extract(epoch FROM clock_timestamp());
	rkey	text := 'r:' || pool || ':' || lower(recipient);
	pkey	text := 'p:' || pool;
	akey	text := 'a:' || pool || ':' || address;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('message_caps:' ||
	    pool, 0));
	IF message_caps_full(rkey, 900, r15, t_now) OR
	    message_caps_full(rkey, 86400, rday, t_now) OR
	    message_caps_full(pkey, 3600, phour, t_now) OR
	    message_caps_full(akey, 3600, ahour, t_now) THEN
		RAISE EXCEPTION USING ERRCODE = 'UP429',
		    MESSAGE = 'message cap reached';
	END IF;
	INSERT INTO message_sends (cap_key, sent_at) SELECT k, t_now FROM
	    unnest(ARRAY[rkey, pkey, akey]) k WHERE k IS NOT NULL;
	RETURN true;
END
$$;
