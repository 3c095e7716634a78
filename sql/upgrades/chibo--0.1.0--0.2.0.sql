-- chibo 0.1.0 -> 0.2.0: access control, audit and a hardened script.
--
-- Run by ALTER EXTENSION chibo UPDATE.  Upgrade scripts are frozen once
-- released: 0.2.0 as installed fresh (chibo--0.2.0.sql, built from sql/*/)
-- and 0.1.0 brought here by this script must be the same extension; the
-- upgrade stage of the test command compares them object by object.
\echo Use "ALTER EXTENSION chibo UPDATE TO '0.2.0'" to load this file. \quit
