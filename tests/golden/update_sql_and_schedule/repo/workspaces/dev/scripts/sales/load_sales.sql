select *
from ods.orders
where dt = '${day}';
