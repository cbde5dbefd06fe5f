-- TPC-H Q4, order priority checking (DATE = 1993-07-01). The correlated EXISTS becomes a
-- semi join of orders with the distinct order keys of late lineitems
-- (plans/plan-sql-bind-subquery.c).
SELECT o_orderpriority, COUNT(*) AS order_count
FROM orders
WHERE o_orderdate >= DATE '1993-07-01'
  AND o_orderdate < DATE '1993-10-01'
  AND EXISTS (SELECT * FROM lineitem
              WHERE l_orderkey = o_orderkey AND l_commitdate < l_receiptdate)
GROUP BY o_orderpriority
ORDER BY o_orderpriority;
