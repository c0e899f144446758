-- Runs once, when the PostgreSQL volume is created (docker-entrypoint-initdb.d), as the image's
-- superuser, which nothing of Modula Audit uses afterwards. The owner runs migrations; the runtime
-- logs in as modula_audit_app, which owns nothing and has no CREATEROLE. Change both passwords
-- (and the superuser's) before exposing this outside a development machine.
create role modula_audit login createrole password 'modula_audit_owner';
create role modula_audit_app login nosuperuser nocreaterole nocreatedb nobypassrls password 'modula_audit_app';
create database modula_audit owner modula_audit;
