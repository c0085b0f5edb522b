-- Drop test orders and duplicates before reporting.
INSERT OVERWRITE TABLE ods.orders_clean PARTITION (dt = '${yesterday}')
SELECT DISTINCT *
FROM   ods.orders
WHERE  dt = '${yesterday}'
  AND  store_id <> 'TEST';
