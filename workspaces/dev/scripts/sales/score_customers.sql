-- Customer scores for the sales report.
INSERT INTO report.customer_score
SELECT customer_id, SUM(revenue) / COUNT(*) AS score
FROM   sales.daily_sales
GROUP  BY customer_id;
