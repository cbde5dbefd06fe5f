-- A syntax error on line 5 names the line and column and shows a caret; the script is
-- checked as a whole first, so the valid statement before it does not run either.
SELECT 1 AS one;

SELECT order_id FROM WHERE x = 1;
