-- 013_federated_links.sql: identities of external providers linked to
-- users of the pool (AdminLinkProviderForUser).
--
-- A link says: the identity of provider_name whose attribute_name has
-- attribute_value ('Cognito_Subject' for the provider's own user id:
-- sub, id, NameID) signs in as the user sub, not as a user
-- <ProviderName>_<subject> of its own. The primary key makes a
-- provider identity link to one user only; the foreign key drops the
-- links of a deleted user. Deleting an identity provider leaves its
-- links and users in place, as Cognito does.
CREATE TABLE federated_links (
	pool_id		text NOT NULL,
	provider_name	text NOT NULL,
	attribute_name	text NOT NULL,
	attribute_value	text NOT NULL,
	sub		uuid NOT NULL,
	created_at	double precision NOT NULL
	    DEFAULT extract(epoch FROM statement_timestamp()),
	PRIMARY KEY (pool_id, provider_name, attribute_name, attribute_value),
	FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub)
	    ON DELETE CASCADE
);
CREATE INDEX federated_links_user ON federated_links (pool_id, sub);

-- A user's identities attribute is a JSON array held in a string, as
-- Cognito shows it. These two edit it element by element through the
-- json type, which keeps each element's text (and so its member order)
-- as it was written; a value that is not an array counts as empty.

-- The array ids with the element elem appended.
CREATE FUNCTION fed_identities_with(ids text, elem text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	kept text;
BEGIN
	SELECT string_agg(e::text, ',' ORDER BY n) INTO kept
	    FROM json_array_elements(ids::json) WITH ORDINALITY AS t (e, n);
	IF kept IS NULL THEN
		RETURN '[' || elem || ']';
	END IF;
	RETURN '[' || kept || ',' || elem || ']';
EXCEPTION WHEN others THEN
	RETURN '[' || elem || ']';
END
$$;

-- The array ids without the elements of provider and userId user_id;
-- NULL when none is left.
CREATE FUNCTION fed_identities_without(ids text, provider text,
    user_id text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	kept text;
BEGIN
	SELECT string_agg(e::text, ',' ORDER BY n) INTO kept
	    FROM json_array_elements(ids::json) WITH ORDINALITY AS t (e, n)
	    WHERE (e->>'providerName') IS DISTINCT FROM provider
	    OR (e->>'userId') IS DISTINCT FROM user_id;
	IF kept IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN '[' || kept || ']';
EXCEPTION WHEN others THEN
	RETURN NULL;
END
$$;
