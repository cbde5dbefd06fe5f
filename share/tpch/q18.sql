-- TPC-H Q18, large volume customer (QUANTITY = 300). The IN (subquery) of the
-- specification is written as a join with the grouped subquery, which is equivalent here
-- because the subquery yields each order key once.
SELECT c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice, SUM(l_quantity) AS qty
FROM customer, orders, lineitem,
     (SELECT l_orderkey AS big_key FROM lineitem GROUP BY l_orderkey
      HAVING SUM(l_quantity) > 300) AS big
WHERE o_orderkey = big_key
  AND c_custkey = o_custkey
  AND o_orderkey = l_orderkey
GROUP BY c_name, c_custkey, o_orderkey, o_orderdate, o_totalprice
ORDER BY o_totalprice DESC, o_orderdate, o_orderkey
LIMIT 100;
