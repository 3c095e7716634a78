-- ratio: text form, constructor, accessors, percent, casts, display, +,
-- and every error with its SQLSTATE.

-- Text round trip: never reduced, white space around the value allowed.
SELECT r, r::text AS as_text, part(r), whole(r)
FROM (VALUES ('7126/7560'::ratio), ('2/4'), ('0/0'), ('0/5'), ('5/5'),
             (' 3/7 '), ('007/010'), ('-0/3'),
             ('4294967295/4294967295'), ('0/4294967295')) AS v(r);

-- The constructor and the text form agree.
SELECT ratio(7126, 7560) = '7126/7560'::ratio AS same_value,
       ratio(7126, 7560)::text = '7126/7560' AS same_text,
       ratio(2, 4)::text AS not_reduced,
       ratio(0, 0) AS empty,
       ratio(4294967295, 4294967295) AS largest;

-- Malformed text: 22P02, naming the input.
SELECT input, regress.try(format('SELECT %L::chibo.ratio', input)) AS result
FROM (VALUES (''), (' '), ('abc'), ('7126'), ('7126/'), ('/7560'), ('7126//7560'),
             ('7126 / 7560'), ('7126/7560x'), ('1.5/2'), ('+1/2'), ('1/2/3'),
             ('0x10/20'), ('1e3/2000'), ('--1/2'), ('1/-'), (E'1/2\n3')) AS v(input);

-- Out of range: 22003.  Negative counts, part > whole, counts beyond
-- 4294967295 (also far beyond 64 bits: never wraps).
SELECT input, regress.try(format('SELECT %L::chibo.ratio', input)) AS result
FROM (VALUES ('-1/2'), ('1/-2'), ('3/2'), ('1/0'), ('4294967296/4294967296'),
             ('0/4294967296'), ('18446744073709551617/18446744073709551617'),
             ('99999999999999999999999999999/1')) AS v(input);

SELECT a, b, regress.try(format('SELECT chibo.ratio(%s, %s)', a, b)) AS result
FROM (VALUES (-1, 2), (1, -2), (3, 2), (1, 0), (0, 4294967296),
             (4294967296, 4294967296), (-9223372036854775808, 0)) AS v(a, b);

-- Errors as a user sees them, with detail and hint.
SELECT '7126 / 7560'::ratio;
SELECT '3/2'::ratio;
SELECT '4294967296/4294967296'::ratio;
SELECT ratio(-1, 5);

-- percent: rounded half away from zero; NULL for 0/0.
SELECT r, percent(r) AS p0, percent(r, 1) AS p1, percent(r, 2) AS p2
FROM (VALUES ('7126/7560'::ratio), ('6804/7560'), ('230/269'), ('1/8'),
             ('3/8'), ('5/8'), ('1/200'), ('1/16'), ('1/3'), ('2/3'),
             ('0/5'), ('5/5'), ('0/0'),
             ('4294967294/4294967295'), ('1/4294967295')) AS v(r);
SELECT percent('1/3', 20) AS twenty_digits, percent('2/3', 20) AS rounded_up;
SELECT digits, regress.try(format('SELECT chibo.percent(%L, %s)', '1/2', digits)) AS result
FROM (VALUES (-1), (21), (1000)) AS v(digits);

-- Casts: numeric and double precision, NULL for 0/0; text both ways.
SELECT r, r::numeric AS as_numeric, r::double precision AS as_float8
FROM (VALUES ('1/2'::ratio), ('2/3'), ('0/7'), ('7/7'), ('0/0'),
             ('4294967295/4294967295')) AS v(r);
SELECT '3/4'::text::ratio AS from_text, ('3/4'::ratio)::text AS to_text,
       pg_typeof(('3/4'::ratio)::numeric) AS numeric_type;
-- Into a text column a ratio goes as its text form (an assignment cast).
CREATE TEMP TABLE ratio_text (t text);
INSERT INTO ratio_text VALUES ('2/4'::ratio);
SELECT t FROM ratio_text;
-- 0/0 as a number is NULL, not 0 and not an error.
SELECT ('0/0'::ratio)::numeric IS NULL AS numeric_null,
       ('0/0'::ratio)::double precision IS NULL AS float8_null;

-- display: Vietnamese grouping (the default) and plain.
SELECT r, display(r) AS vi, display(r, 'vi') AS vi_explicit, display(r, 'plain') AS plain
FROM (VALUES ('7126/7560'::ratio), ('6804/7560'), ('230/269'), ('0/0'),
             ('999/1000'), ('1000/1000'), ('1234567/7654321'),
             ('4294967295/4294967295'), ('1/8')) AS v(r);
SELECT display('1/2', 'en');
SELECT regress.try($$SELECT chibo.display('1/2', '')$$) AS empty_style,
       display('1/2', NULL) IS NULL AS null_style;

-- + pools: parts add, wholes add; not the mean of the percentages.
SELECT '1/2'::ratio + '3/4' AS pooled, '0/0'::ratio + '3/4' AS with_empty,
       '7126/7560'::ratio + '6804/7560' AS two_figures,
       ('1/2'::ratio + '3/4')::text = '4/6' AS parts_and_wholes,
       ('1/2'::ratio + NULL) IS NULL AS null_input;
-- Overflow is an error (22003), never a wrapped count.
SELECT regress.try($$SELECT '4294967295/4294967295'::chibo.ratio + '0/1'$$) AS whole_overflow,
       regress.try($$SELECT '4294967295/4294967295'::chibo.ratio + '1/1'$$) AS both_overflow,
       '4294967294/4294967294'::ratio + '0/1' AS at_the_limit;

-- NULL in, NULL out.
SELECT part(NULL::ratio) IS NULL AS part_null, percent(NULL) IS NULL AS percent_null,
       ratio(NULL, 3) IS NULL AS ctor_null, display(NULL) IS NULL AS display_null;

-- Stored in a table, a ratio keeps its exact form.
CREATE TABLE ratio_store (id int, r ratio);
INSERT INTO ratio_store VALUES (1, '2/4'), (2, '0/0'), (3, '4294967295/4294967295'), (4, NULL);
SELECT id, r, r IS NULL AS is_null FROM ratio_store ORDER BY id;
DROP TABLE ratio_store;
