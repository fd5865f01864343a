"""Demo data for `saas demo`: companies, contacts with Chinese and English names, two years of
orders with skewed counts per customer, activities, and custom fields of several types."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from saas.extensions import db
from saas.metadata import definitions
from saas.modules.core.models import Activity, Company, Contact, Order
from saas.tenants.models import Membership

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "晓东", "文博", "子涵", "欣怡", "浩然", "雨桐", "思远", "梓萱", "宇轩"]
FIRST = ["James", "Mary", "John", "Linda", "David", "Susan", "Michael", "Emma", "Daniel", "Olivia", "Kevin", "Grace",
         "Peter", "Sophie", "Ryan", "Chloe", "Jason", "Amy", "Eric", "Helen", "Tony", "Cindy", "Leo", "Vivian"]
LAST = ["Smith", "Johnson", "Brown", "Wilson", "Taylor", "Lee", "Walker", "Wright", "Chan", "Wong", "Ng", "Tan",
        "Lim", "Müller", "Garcia", "Martin", "Kim", "Park", "Nguyen", "Lopez"]
COMPANY_CN = ["华信", "鼎盛", "恒通", "瑞丰", "金桥", "宏达", "新禾", "远航", "和润", "博雅", "星河", "天成", "海川",
              "嘉禾", "银杏", "青松", "明德", "安泰", "立邦", "中科"]
COMPANY_KIND = ["科技有限公司", "贸易有限公司", "食品有限公司", "物流有限公司", "教育咨询有限公司", "医疗器械有限公司",
                "制造有限公司", "餐饮管理有限公司"]
COMPANY_EN = ["Northwind", "Bluefin", "Silverline", "Greenleaf", "Redwood", "Brightpath", "Evergreen", "Summit",
              "Harbor", "Pioneer", "Lotus", "Jade Dragon", "Golden Gate", "Pacific Rim"]
COMPANY_EN_KIND = ["Trading Ltd", "Foods Co.", "Software Inc.", "Logistics Ltd", "Retail Group", "Manufacturing Co."]
CITIES = ["上海", "北京", "深圳", "广州", "杭州", "成都", "南京", "武汉", "苏州", "台北", "香港", "Singapore"]
INDUSTRIES = ["retail", "manufacturing", "software", "food", "education", "healthcare", "logistics", "finance"]
PRODUCTS = ["有机绿茶礼盒", "蓝牙耳机", "智能手环", "咖啡豆 1kg", "办公椅", "净水器滤芯", "儿童绘本套装", "护肤套装",
            "Wireless mouse", "Standing desk", "Yoga mat", "Espresso machine", "LED desk lamp", "Backpack"]
SUBJECTS = {"call": ["回访电话", "Follow-up call", "确认订单细节", "Renewal call"],
            "email": ["发送报价单", "Sent the catalogue", "节日问候", "Invoice reminder"],
            "meeting": ["上门拜访", "Product demo", "季度业务回顾", "Contract negotiation"],
            "note": ["客户偏好：喜欢绿茶", "Prefers WeChat over e-mail", "对价格敏感", "Asked about bulk discounts"],
            "task": ["寄送样品", "Prepare proposal", "安排售后上门", "Send birthday coupon"]}
LEVELS = ["bronze", "silver", "gold", "platinum"]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10 ** 9):09d}"


def _custom_fields() -> None:
    add = definitions.add_field
    add("contact", labels={"en": "Membership level", "zh_Hans": "会员等级", "zh_Hant": "會員等級"},
        key="membership_level", type="single_select", options="bronze\nsilver\ngold\nplatinum", filterable=True,
        group="Loyalty")
    add("contact", labels={"en": "Birthday", "zh_Hans": "生日", "zh_Hant": "生日"}, key="birthday", type="date")
    add("contact", labels={"en": "WeChat ID", "zh_Hans": "微信号", "zh_Hant": "微信號"}, key="wechat_id", type="text")
    add("contact", labels={"en": "Credit limit", "zh_Hans": "信用额度", "zh_Hant": "信用額度"}, key="credit_limit",
        type="currency", filterable=True, group="Loyalty")
    add("contact", labels={"en": "Newsletter", "zh_Hans": "订阅简报", "zh_Hant": "訂閱簡報"}, key="newsletter",
        type="boolean")
    add("company", labels={"en": "Employees", "zh_Hans": "员工人数", "zh_Hant": "員工人數"}, key="employees",
        type="number")
    add("company", labels={"en": "Annual revenue", "zh_Hans": "年营业额", "zh_Hant": "年營業額"}, key="annual_revenue",
        type="currency")


def fill(workspace, rng: random.Random, contacts: int = 2000, companies: int = 300, orders: int = 8000) -> None:
    """Add the demo records to the workspace in context."""
    definitions.ensure_definitions()
    _custom_fields()
    owners = list(db.session.scalars(select(Membership.user_id).where(Membership.tenant_id == workspace.id)))
    today = date.today()

    company_rows = []
    for i in range(companies):
        if rng.random() < 0.7:
            name = f"{rng.choice(CITIES[:9])}{rng.choice(COMPANY_CN)}{rng.choice(COMPANY_KIND)}"
        else:
            name = f"{rng.choice(COMPANY_EN)} {rng.choice(COMPANY_EN_KIND)}"
        company_rows.append(Company(
            name=name if i < len(COMPANY_CN) * 8 else f"{name} {i}", industry=rng.choice(INDUSTRIES),
            city=rng.choice(CITIES), phone=f"0{rng.choice(['21', '10', '755', '20', '571'])}-{rng.randrange(10 ** 7, 10 ** 8)}",
            email=f"info{i}@company{i}.example", domain=f"company{i}.example", owner_id=rng.choice(owners),
            tags=rng.sample(["key_account", "partner", "wholesale"], rng.randrange(0, 2)),
            custom={"employees": rng.choice([8, 25, 60, 120, 450, 1200]),
                    "annual_revenue": rng.randrange(5, 5000) * 10000}))
    db.session.add_all(company_rows)
    db.session.flush()

    contact_rows = []
    for i in range(contacts):
        chinese = rng.random() < 0.75
        name = (rng.choice(SURNAMES) + rng.choice(GIVEN)) if chinese else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        custom = {"membership_level": rng.choices(LEVELS, weights=[50, 30, 15, 5])[0],
                  "newsletter": rng.random() < 0.4}
        if rng.random() < 0.6:
            custom["birthday"] = (date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))).isoformat()
        if chinese and rng.random() < 0.7:
            custom["wechat_id"] = f"wx_{rng.randrange(10 ** 6, 10 ** 7)}"
        if rng.random() < 0.3:
            custom["credit_limit"] = rng.choice([5000, 10000, 20000, 50000])
        contact_rows.append(Contact(
            name=name, email=f"user{i}@mail{rng.randrange(20)}.example", phone=_phone(rng),
            title=rng.choice(["采购经理", "总经理", "Buyer", "Office manager", "店长", None]),
            company_id=rng.choice(company_rows).id if rng.random() < 0.7 else None,
            owner_id=rng.choice(owners), lifecycle_stage=rng.choices(
                ["awareness", "consideration", "purchase", "retention", "loyalty", "at_risk", "churned"],
                weights=[15, 15, 25, 20, 10, 10, 5])[0],
            tags=rng.sample(["vip", "newsletter", "key_account"], rng.choices([0, 1, 2], weights=[60, 30, 10])[0]),
            custom=custom))
    db.session.add_all(contact_rows)
    db.session.flush()

    # Skewed: a few customers buy often, most buy once or twice (a Pareto-like weight).
    weights = [rng.paretovariate(2.0) for _ in contact_rows]
    buyers = rng.choices(contact_rows, weights=weights, k=orders)
    order_rows = []
    for n, buyer in enumerate(buyers, start=1):
        day = today - timedelta(days=rng.randrange(730))
        items = rng.sample(PRODUCTS, rng.randrange(1, 4))
        order_rows.append(Order(
            number=f"SO-{day:%Y%m}-{n:05d}", contact_id=buyer.id, company_id=buyer.company_id, ordered_on=day,
            amount=Decimal(rng.randrange(3000, 500000)) / 100, currency="CNY" if rng.random() < 0.9 else "USD",
            status=rng.choices(["completed", "paid", "shipped", "refunded", "cancelled", "pending"],
                               weights=[60, 15, 10, 5, 5, 5])[0],
            items_summary="、".join(items), owner_id=buyer.owner_id, custom={}))
    db.session.add_all(order_rows)

    activity_rows = []
    for contact in rng.sample(contact_rows, min(len(contact_rows), contacts // 2)):
        for _ in range(rng.randrange(1, 5)):
            kind = rng.choice(list(SUBJECTS))
            when = datetime.combine(today - timedelta(days=rng.randrange(365)), time(rng.randrange(9, 19)),
                                    tzinfo=timezone.utc)
            activity_rows.append(Activity(
                kind=kind, subject=rng.choice(SUBJECTS[kind]), occurred_at=when, contact_id=contact.id,
                company_id=contact.company_id, owner_id=contact.owner_id, custom={},
                due_on=(when.date() + timedelta(days=rng.randrange(1, 14))) if kind == "task" else None,
                done=kind == "task" and rng.random() < 0.6))
    db.session.add_all(activity_rows)
    db.session.flush()
