-- Load yesterday's sales from OBS into the warehouse.
INSERT OVERWRITE TABLE sales.daily_sales PARTITION (dt = '${yesterday}')
SELECT order_id,
       store_id,
       SUM(amount) AS revenue
FROM   ods.orders
WHERE  dt = '${yesterday}'
GROUP  BY order_id, store_id;
