-- Base: the schema, the portal's role and the extensions the data model uses.
--
-- The portal connects as a member of portail_app, which gets DML rights on
-- exactly the tables it needs (granted migration by migration) and no DDL
-- right.  Production creates its login role and grants portail_app to it
-- (docs/deploy.md); the development cluster logs in as portail_app itself.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portail_app') THEN
        CREATE ROLE portail_app NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA portail TO portail_app;
GRANT SELECT ON portail.schema_migrations TO portail_app;

-- Name matching ignores accents: unaccent is a trusted extension, the
-- schema owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
